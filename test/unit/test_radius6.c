/*
 * RADIUS networks for a client's IPv6: Framed-IPv6-Route text values (RFC 3162 2.5),
 * Delegated-IPv6-Prefix (RFC 4818) in a reply and in an Accounting-Request, and the rule
 * every such network passes before it is routed (netpolicy_claimable6); its IPv6 DNS servers
 * (DNS-Server-IPv6-Address, RFC 6911 3.2). The same through a
 * real FreeRADIUS and the hub's kernel routes is test/interop/test_ipv6_radius.sh.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/netpolicy.h"
#include "radius/radius.h"

static const char *ntop6(const struct in6_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int k;
	k = (k + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[k], sizeof(buf[k]));
}

Test(radius6, framed_ipv6_route_text)
{
	struct rad_attrs a;
	rad_attrs_init(&a);
#define FR(s) rad_framed_ipv6_route(&a, s, strlen(s))
	cr_assert_eq(FR("2001:db8:10::/48 :: 1"), 1, "prefix, gateway, metric");
	cr_assert_eq(FR("2001:db8:20::1:2/64"), 1, "host bits");
	cr_assert_eq(FR("fd00:99::5"), 1, "no length: a host");
	cr_assert_eq(FR("2001:db8:30::/56 fe80::1 10 20"), 1, "two metrics");
	cr_assert_eq(a.nroute6, 4);
	cr_assert_str_eq(ntop6(&a.route6[0].net), "2001:db8:10::");
	cr_assert_eq(a.route6[0].plen, 48);
	cr_assert_str_eq(ntop6(&a.route6[1].net), "2001:db8:20::", "host bits cleared");
	cr_assert_eq(a.route6[1].plen, 64);
	cr_assert_eq(a.route6[2].plen, 128);
	cr_assert_eq(a.route6[3].plen, 56);

	cr_assert_eq(FR("::/0 :: 1"), -1, "a default route through one client");
	cr_assert_eq(FR("2001:db8::/129"), -1);
	cr_assert_eq(FR("2001:db8::/x"), -1);
	cr_assert_eq(FR("10.1.0.0/16"), -1, "IPv4");
	cr_assert_eq(FR("2001:db8::/32 nothere 1"), -1, "a gateway that is no address");
	cr_assert_eq(FR("2001:db8::/32 :: one"), -1, "a metric that is no number");
	cr_assert_eq(FR(""), -1);
	cr_assert_eq(rad_framed_ipv6_route(&a, "2001:db8::/32\0x", 15), -1, "a NUL inside");
	cr_assert_eq(a.nroute6, 4);
	cr_assert_eq(a.bad_routes6, 8);
	for (int k = 0; k < 10; k++)
		FR("2001:db8:40::/48");
	cr_assert_eq(a.nroute6, RAD_MAX_ROUTES, "bounded");
	cr_assert_eq(a.nroute, 0, "no IPv4 route from an IPv6 one");
#undef FR
}

/* attributes 99 and 123 in a reply, as FreeRADIUS sends them (123 in as few bytes as the
 * length needs) */
Test(radius6, reply_routes_and_delegated_prefix)
{
	uint8_t rep[256] = { 2, 7, 0, 0 };
	size_t n = 20;
	const char *r = "2001:db8:77::/48";
	rep[n++] = 99;
	rep[n++] = (uint8_t)(2 + strlen(r));
	memcpy(rep + n, r, strlen(r));
	n += strlen(r);
	const uint8_t d[] = { 123, 12, 0, 56, 0x20, 0x01, 0x0d, 0xb8, 0xaa, 0x01, 0xbb, 0xff };
	memcpy(rep + n, d, sizeof(d));  /* a /56 in 8 bytes: the last holds host bits */
	n += sizeof(d);
	rep[2] = (uint8_t)(n >> 8);
	rep[3] = (uint8_t)n;
	struct rad_attrs a;
	rad_attrs_init(&a);
	rad_reply_parse(rep, n, &a);
	cr_assert_eq(a.nroute6, 1);
	cr_assert_str_eq(ntop6(&a.route6[0].net), "2001:db8:77::");
	cr_assert_eq(a.deleg6_plen, 56);
	cr_assert_str_eq(ntop6(&a.deleg6), "2001:db8:aa01:bb00::", "bits past /56 cleared");
	cr_assert_eq(a.bad_deleg6, 0);

	/* a second one, a zero length, one short of its length's bytes, one too long */
	const uint8_t two[] = { 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	cr_assert_eq(rad_delegated_prefix(&a, two, sizeof(two)), -1, "one per session");
	rad_attrs_init(&a);
	const uint8_t zero[] = { 0, 0 };
	const uint8_t shortp[] = { 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0 };
	uint8_t longp[19] = { 0, 64 };
	cr_assert_eq(rad_delegated_prefix(&a, zero, sizeof(zero)), -1);
	cr_assert_eq(rad_delegated_prefix(&a, shortp, sizeof(shortp)), -1);
	cr_assert_eq(rad_delegated_prefix(&a, longp, sizeof(longp)), -1);
	cr_assert_eq(rad_delegated_prefix(&a, longp, 1), -1);
	cr_assert_eq(a.deleg6_plen, 0);
	cr_assert_eq(a.bad_deleg6, 4);
	const uint8_t full[] = { 0, 128, 0xfd, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	cr_assert_eq(rad_delegated_prefix(&a, full, sizeof(full)), 1);
	cr_assert_str_eq(ntop6(&a.deleg6), "fd00:99::1");
}

/* RFC 4818: Delegated-IPv6-Prefix goes in accounting, in the bytes its length needs */
Test(radius6, accounting_carries_delegated_prefix)
{
	static struct vpnd_conf conf;
	const char *cfg = "radius server A\n address ipv4 127.0.0.1\n key k\n";
	cr_assert_eq(conf_load_buf("t", cfg, strlen(cfg), &conf, NULL, NULL), 0);
	struct radius_job j;
	struct rad_pkt pkt;
	memset(&j, 0, sizeof(j));
	j.kind = RAD_JOB_ACCT;
	j.acct.status = ACCT_STOP;
	snprintf(j.acct.user, sizeof(j.acct.user), "ann");
	struct rad_nas n4 = { .family = AF_INET };
	inet_pton(AF_INET, "10.1.1.1", &n4.v4);
	cr_assert_eq(rad_build_request(&pkt, &conf, 9, &j, "k", &n4), 0);
	for (size_t off = 20; off + 2 <= pkt.len; off += pkt.b[off + 1])
		cr_assert_neq(pkt.b[off], 123, "a Delegated-IPv6-Prefix without one");

	inet_pton(AF_INET6, "2001:db8:aa00::", &j.acct.deleg6.net);
	j.acct.deleg6.plen = 40;
	cr_assert_eq(rad_build_request(&pkt, &conf, 9, &j, "k", &n4), 0);
	const uint8_t want[] = { 123, 9, 0, 40, 0x20, 0x01, 0x0d, 0xb8, 0xaa };
	cr_assert_not_null(memmem(pkt.b + 20, pkt.len - 20, want, sizeof(want)));
}

Test(radius6, claimable6)
{
	static struct vpnd_conf conf;
	const char *cfg = "ipv6 local pool P6 fd00:6::/64 128\n";
	cr_assert_eq(conf_load_buf("t", cfg, strlen(cfg), &conf, NULL, NULL), 0);
	struct in6_addr a;
	char why[160];
#define CL(s, p) (inet_pton(AF_INET6, s, &a), netpolicy_claimable6(&conf, &a, p, why, sizeof(why)))
	cr_assert_null(CL("2001:db8:10::", 48), "%s", why);
	cr_assert_null(CL("fd00:99::", 64), "%s", why);
	cr_assert_null(CL("fd00:99::1", 128), "%s", why);
	cr_assert_not_null(CL("::", 0));
	cr_assert_not_null(CL("2000::", 3), "a short prefix");
	cr_assert_str_eq(why, "a default or short prefix (/3; the minimum is /16)");
	cr_assert_not_null(CL("2001:db8::1", 64), "host bits");
	cr_assert_not_null(CL("fe80::", 64), "link-local");
	cr_assert_not_null(CL("ff02::", 16), "multicast");
	cr_assert_not_null(CL("::ffff:10.0.0.0", 104), "IPv4-mapped");
	cr_assert_not_null(CL("fd00::", 16), "covers the pool");
	cr_assert_str_eq(why, "it overlaps ipv6 local pool P6");
	cr_assert_not_null(CL("fd00:6::8", 128), "inside the pool");
#undef CL
	struct in6_addr b;
	inet_pton(AF_INET6, "2001:db8:1:2::", &a);
	inet_pton(AF_INET6, "2001:db8:1::", &b);
	cr_assert(netpolicy_overlap6(&a, 64, &b, 48));
	cr_assert(netpolicy_overlap6(&b, 48, &a, 64));
	inet_pton(AF_INET6, "2001:db8:2::", &b);
	cr_assert_not(netpolicy_overlap6(&a, 64, &b, 48));
	cr_assert(netpolicy_overlap6(&a, 64, &b, 30), "/30 covers both");
}

/* The rule ikemgr and tunmgr both ask of an IPv6 SA's client side (netpolicy_check6): the
 * session's address, or within a network RADIUS routed to it; covers6 is one-way */
Test(radius6, check6)
{
	static struct vpnd_conf conf;
	const char *cfg = "ipv6 local pool P6 fd00:6::/64 128\n";
	cr_assert_eq(conf_load_buf("t", cfg, strlen(cfg), &conf, NULL, NULL), 0);
	struct in6_addr addr6, a;
	struct msg_route6 route6[2], deleg6 = { .plen = 0 };
	char why[160];
	inet_pton(AF_INET6, "fd00:6::88", &addr6);
	inet_pton(AF_INET6, "2001:db8:77::", &route6[0].net);
	route6[0].plen = 48;
	inet_pton(AF_INET6, "fd00:6::", &route6[1].net);     /* over the pool: never counts */
	route6[1].plen = 48;
	struct netpolicy_peer6 np = { &addr6, route6, 2, &deleg6 };
#define CK(s, p) (inet_pton(AF_INET6, s, &a), netpolicy_check6(&conf, &np, &a, p, why, sizeof(why)))
	cr_assert_null(CK("fd00:6::88", 128), "its address: %s", why);
	cr_assert_not_null(CK("fd00:6::89", 128), "another address of the pool");
	cr_assert_null(CK("2001:db8:77::", 48), "the Framed-IPv6-Route: %s", why);
	cr_assert_null(CK("2001:db8:77:ff00::", 56), "a piece of it: %s", why);
	cr_assert_not_null(CK("2001:db8::", 32), "wider");
	cr_assert_not_null(CK("2001:db8:a0::", 48), "no delegated prefix yet");
	cr_assert(strstr(why, "Delegated-IPv6-Prefix") != NULL, "%s", why);
	inet_pton(AF_INET6, "2001:db8:a0::", &deleg6.net);
	deleg6.plen = 48;
	cr_assert_null(CK("2001:db8:a0::", 48), "the delegated prefix: %s", why);
	cr_assert_null(CK("2001:db8:a0::1", 128), "an address in it: %s", why);
	cr_assert_not_null(CK("2001:db8:a0::1", 64), "host bits set");
	cr_assert_not_null(CK("fd00:6::", 96), "inside the pool, under a route over it");
	cr_assert_str_eq(why, "it overlaps ipv6 local pool P6");
	np.nroute6 = 1;
	np.deleg6 = NULL;
	cr_assert_not_null(CK("2001:db8:a0::", 48), "no delegated prefix");
	np.assigned6 = NULL;
	cr_assert_not_null(CK("2001:db8:77::", 48), "no address, no network");
	cr_assert_str_eq(why, "the session has no IPv6 address");
#undef CK
	struct in6_addr b;
	inet_pton(AF_INET6, "2001:db8:1:2::", &a);
	inet_pton(AF_INET6, "2001:db8:1::", &b);
	cr_assert(netpolicy_covers6(&b, 48, &a, 64));
	cr_assert_not(netpolicy_covers6(&a, 64, &b, 48), "the narrower does not cover the wider");
	cr_assert(netpolicy_covers6(&a, 64, &a, 64));
	cr_assert_not(netpolicy_covers6(&b, 129, &a, 129), "a length past 128");
}

/* DNS-Server-IPv6-Address: 16 bytes, repeated for a second server; a third or a wrong length
 * is counted */
Test(radius6, reply_dns_servers)
{
	uint8_t rep[256] = { 2, 7, 0, 0 };
	size_t n = 20;
	const char *addrs[] = { "fd00:2::53", "fd00:2::54", "fd00:2::55" };
	for (int i = 0; i < 3; i++) {
		rep[n++] = 169;
		rep[n++] = 18;
		inet_pton(AF_INET6, addrs[i], rep + n);
		n += 16;
	}
	const uint8_t short4[] = { 169, 6, 10, 0, 0, 53 };
	memcpy(rep + n, short4, sizeof(short4));
	n += sizeof(short4);
	rep[2] = (uint8_t)(n >> 8);
	rep[3] = (uint8_t)n;
	struct rad_attrs a;
	rad_attrs_init(&a);
	rad_reply_parse(rep, n, &a);
	cr_assert_eq(a.ndns6, 2);
	cr_assert_str_eq(ntop6(&a.dns6[0]), "fd00:2::53");
	cr_assert_str_eq(ntop6(&a.dns6[1]), "fd00:2::54");
	cr_assert_eq(a.bad_v6, 2, "the third and the 4-byte one");
}
