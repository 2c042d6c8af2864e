/* Conditional crypto debug (debug crypto ... / debug crypto condition ...): which lines pass. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct msg_debug d;

static void cond_user(const char *u)
{
	d.cond[d.ncond].type = DCOND_USER;
	snprintf(d.cond[d.ncond].name, sizeof(d.cond[0].name), "%s", u);
	d.ncond++;
}

static void cond_net(const char *a, const char *m)
{
	d.cond[d.ncond].type = DCOND_ADDR;
	d.cond[d.ncond].mask = ip(m);
	d.cond[d.ncond].addr = ip(a) & ip(m);
	d.ncond++;
}

static void setup(void) { memset(&d, 0, sizeof(d)); }

TestSuite(logdbg, .init = setup);

Test(logdbg, no_conditions_pass_everything)
{
	struct log_peer p = { .addr = ip("10.0.0.1") };
	cr_assert(log_dbg_match(&d, &p));
	cr_assert(log_dbg_match(&d, NULL));
}

Test(logdbg, username_condition)
{
	cond_user("u1");
	struct log_peer p1 = { .addr = ip("10.0.0.1"), .user = "u1" };
	struct log_peer p2 = { .addr = ip("10.0.0.1"), .user = "u2" };
	struct log_peer early = { .addr = ip("10.0.0.1"), .user = "" };
	cr_assert(log_dbg_match(&d, &p1));
	cr_assert_not(log_dbg_match(&d, &p2));
	/* before XAUTH the user is unknown: only "unmatched" shows such lines */
	cr_assert_not(log_dbg_match(&d, &early));
	cr_assert_not(log_dbg_match(&d, NULL));
	d.unmatched = 1;
	cr_assert(log_dbg_match(&d, &early));
	cr_assert(log_dbg_match(&d, NULL));
	cr_assert_not(log_dbg_match(&d, &p2));
}

Test(logdbg, conditions_are_ored)
{
	cond_user("u1");
	cond_net("192.168.0.0", "255.255.0.0");
	struct log_peer a = { .addr = ip("192.168.7.7"), .user = "u2" };
	struct log_peer b = { .addr = ip("10.1.1.1"), .user = "u1" };
	struct log_peer c = { .addr = ip("10.1.1.1"), .user = "u2" };
	struct log_peer e = { .addr = ip("10.1.1.1") };
	cr_assert(log_dbg_match(&d, &a));
	cr_assert(log_dbg_match(&d, &b));
	cr_assert_not(log_dbg_match(&d, &c));
	/* the address is known and does not match: judged, not "unmatched" */
	d.unmatched = 1;
	cr_assert_not(log_dbg_match(&d, &e));
}

/* peer ipv6 A/LEN: a prefix match on the IPv6 peer; an IPv4 peer is not judged by it */
Test(logdbg, ipv6_peer_prefix)
{
	d.cond[0].type = DCOND_ADDR6;
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:7:1::", d.cond[0].addr6), 1);
	d.cond[0].plen6 = 63;
	d.ncond = 1;
	struct in6_addr in, edge, out;
	inet_pton(AF_INET6, "2001:db8:7:1:abcd::5", &in);
	inet_pton(AF_INET6, "2001:db8:7:0::1", &edge);    /* same /63 */
	inet_pton(AF_INET6, "2001:db8:7:2::1", &out);     /* the next /63 */
	struct log_peer a = { .addr6 = &in }, b = { .addr6 = &edge }, c = { .addr6 = &out };
	struct log_peer v4 = { .addr = ip("10.0.0.1") };
	cr_assert(log_dbg_match(&d, &a));
	cr_assert(log_dbg_match(&d, &b));
	cr_assert_not(log_dbg_match(&d, &c));
	cr_assert_not(log_dbg_match(&d, &v4), "an IPv4 peer is not judged by an IPv6 condition");
	d.unmatched = 1;
	cr_assert(log_dbg_match(&d, &v4));
	cr_assert_not(log_dbg_match(&d, &c));
	char buf[INET6_ADDRSTRLEN];
	cr_assert_str_eq(log_peer_addr(&a, buf), "2001:db8:7:1:abcd::5");
	cr_assert_str_eq(log_peer_addr(&v4, buf), "10.0.0.1");
}

Test(logdbg, spi_and_group)
{
	d.cond[0].type = DCOND_SPI;
	d.cond[0].spi = 0x1234;
	d.cond[1].type = DCOND_GROUP;
	strcpy(d.cond[1].name, "g1");
	d.ncond = 2;
	struct log_peer s = { .spi = htonl(0x1234) }, t = { .spi = htonl(0x1235) };
	struct log_peer g = { .group = "g1" }, h = { .group = "g2" };
	cr_assert(log_dbg_match(&d, &s));
	cr_assert_not(log_dbg_match(&d, &t));
	cr_assert(log_dbg_match(&d, &g));
	cr_assert_not(log_dbg_match(&d, &h));
}

Test(logdbg, unmatched_alone_shows_only_lines_without_context)
{
	d.unmatched = 1;
	struct log_peer p = { .addr = ip("10.0.0.1") }, none = { 0 };
	cr_assert_not(log_dbg_match(&d, &p));
	cr_assert(log_dbg_match(&d, &none));
	cr_assert(log_dbg_match(&d, NULL));
}

Test(logdbg, categories_and_error_only)
{
	log_init("test", 0);
	cr_assert_not(log_dbg_enabled(DBG_ISAKMP, NULL));
	d.errcats = DBG_ISAKMP;
	d.cats = DBG_IPSEC;
	log_dbg_set(&d);
	cr_assert_not(log_dbg_enabled(DBG_ISAKMP, NULL));
	cr_assert(log_dbg_enabled(DBG_ISAKMP | DBG_ERR, NULL));
	cr_assert(log_dbg_enabled(DBG_IPSEC, NULL));
	cr_assert_not(log_dbg_enabled(DBG_ENGINE | DBG_ERR, NULL));
	log_init("test", 1);
	cr_assert(log_dbg_enabled(DBG_ENGINE, NULL));
}

Test(logdbg, bad_message_length_refused)
{
	cr_assert_eq(log_dbg_msg(&d, sizeof(d) - 1), -1);
	cr_assert_eq(log_dbg_msg(&d, sizeof(d)), 0);
}

static char sunk[1024];
static void sink(int pri, const char *msg, const struct log_peer *peer)
{
	(void)pri;
	(void)peer;
	snprintf(sunk, sizeof(sunk), "%s", msg);
}

/* debug crypto ikev2 [packet|internal]: categories of their own, lines as IOS prefixes them,
 * filtered by the identity an IKEv2 SA tags its lines with as an IKEv1 SA by its XAUTH user */
Test(logdbg, ikev2_categories_and_identity_condition)
{
	log_init("test", 0);
	log_set_sink(sink);
	d.cats = DBG_IKEV2;
	cond_user("client.example.com");
	log_dbg_set(&d);
	struct log_peer v2 = { .addr = ip("172.18.144.2"), .user = "client.example.com",
	                       .group = "FLEXPOL" };
	struct log_peer other = { .addr = ip("172.18.144.3"), .user = "other.example.com" };
	cr_assert(log_dbg_enabled(DBG_IKEV2, &v2));
	cr_assert_not(log_dbg_enabled(DBG_IKEV2, &other));
	cr_assert_not(log_dbg_enabled(DBG_IKEV2_PKT, &v2), "packet is a category of its own");
	cr_assert_not(log_dbg_enabled(DBG_ISAKMP, &v2), "debug crypto ikev2 is not isakmp");
	sunk[0] = '\0';
	log_dbg(DBG_IKEV2, &v2, "IKEv2 session %u: up", 7u);
	cr_assert_str_eq(sunk, "IKEv2: [peer 172.18.144.2 user client.example.com group FLEXPOL] "
	                 "IKEv2 session 7: up");
	sunk[0] = '\0';
	log_dbg(DBG_IKEV2, &other, "IKEv2 session %u: up", 8u);
	cr_assert_str_eq(sunk, "");
	d.cats = DBG_IKEV2_PKT | DBG_IKEV2_INT;
	log_dbg_set(&d);
	cr_assert(log_dbg_enabled(DBG_IKEV2_PKT, &v2));
	cr_assert(log_dbg_enabled(DBG_IKEV2_INT, &v2));
	cr_assert_not(log_dbg_enabled(DBG_IKEV2, &v2));
	log_set_sink(NULL);
}
