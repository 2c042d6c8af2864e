/* The connect acl trap's rules (tunmgr/eztrap_rules.c): an access list as the nftables batch
 * the kernel gets, entries in order, every field of an entry matched, nothing that would
 * need a name looked up or quoted. */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/eztrap.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

static char buf[8192];

static const char *batch(const struct conf_acl *acl)
{
	cr_assert_gt(ez_trap_batch("dial", acl, buf, sizeof(buf)), 0);
	return buf;
}

/* the acl chain's rules, one per line, in order */
static int rules(const char *b, char out[][256], int max)
{
	int n = 0;
	for (const char *p = strstr(b, "add rule ip vpnd-ezt-dial acl"); p && n < max;
	     p = strstr(p + 1, "add rule ip vpnd-ezt-dial acl")) {
		const char *q = p + strlen("add rule ip vpnd-ezt-dial acl"), *e = strchr(q, '\n');
		snprintf(out[n++], 256, "%.*s", (int)(e - q), q);
	}
	return n;
}

Test(eztrap, permit_counted_and_dropped_deny_passes_in_order)
{
	struct conf_acl a = { .name = "DIAL", .extended = 1, .nace = 2 };
	a.ace[0] = (struct conf_ace){ .permit = 0, .proto = 1, .dst = ip("10.2.1.99"),
	                              .dstmask = ip("255.255.255.255") };
	a.ace[1] = (struct conf_ace){ .permit = 1, .proto = 1, .src = ip("10.3.1.0"),
	                              .srcmask = ip("255.255.255.0"), .dst = ip("10.2.1.10"),
	                              .dstmask = ip("255.255.255.255") };
	char r[4][256];
	cr_assert_eq(rules(batch(&a), r, 4), 2);
	cr_expect_str_eq(r[0], " ip protocol 1 ip daddr 10.2.1.99/32 accept");
	cr_expect_str_eq(r[1], " ip protocol 1 ip saddr 10.3.1.0/24 ip daddr 10.2.1.10/32 "
	                 "counter name hits drop");
}

Test(eztrap, table_replaced_whole_hooks_and_own_ike_spared)
{
	struct conf_acl a = { .name = "ANY", .nace = 1 };
	a.ace[0] = (struct conf_ace){ .permit = 1 };
	const char *b = batch(&a);
	/* add, delete, add: atomically replaces a table there or not */
	const char *head = "add table ip vpnd-ezt-dial\ndelete table ip vpnd-ezt-dial\n"
	                   "add table ip vpnd-ezt-dial\n";
	cr_expect(!strncmp(b, head, strlen(head)));
	cr_expect(strstr(b, "add counter ip vpnd-ezt-dial hits\n"));
	cr_expect(strstr(b, "hook prerouting priority -300;"));
	cr_expect(strstr(b, "hook output priority -300;"));
	/* permit ip any any must not swallow our own IKE and ESP: before the acl jump */
	const char *ike = strstr(b, "out udp sport { 500, 4500 } accept");
	const char *esp = strstr(b, "out ip protocol 50 accept");
	const char *jump = strstr(b, "out jump acl");
	cr_assert(ike && esp && jump);
	cr_expect(ike < jump && esp < jump);
	char r[2][256];
	cr_assert_eq(rules(b, r, 2), 1);
	cr_expect_str_eq(r[0], " counter name hits drop", "any: no match at all");
}

Test(eztrap, ports_flags_icmp_and_wildcards)
{
	struct conf_acl a = { .name = "X", .nace = 5 };
	a.ace[0] = (struct conf_ace){ .permit = 1, .proto = 6, .dport_op = ACE_PORT_EQ,
	                              .dport_lo = 80, .dport_hi = 80, .established = 1 };
	a.ace[1] = (struct conf_ace){ .permit = 1, .proto = 17, .sport_op = ACE_PORT_RANGE,
	                              .sport_lo = 1000, .sport_hi = 2000, .dport_op = ACE_PORT_NEQ,
	                              .dport_lo = 53, .dport_hi = 53 };
	a.ace[2] = (struct conf_ace){ .permit = 1, .proto = 6, .dport_op = ACE_PORT_LT,
	                              .dport_lo = 0, .dport_hi = 1023 };
	a.ace[3] = (struct conf_ace){ .permit = 1, .proto = 1, .icmp_match = 2, .icmp_type = 3,
	                              .icmp_code = 4 };
	/* IOS wildcard 0.255.0.255: no prefix says it */
	a.ace[4] = (struct conf_ace){ .permit = 1, .src = ip("10.7.1.9"),
	                              .srcmask = ip("255.0.255.0") };
	char r[5][256];
	cr_assert_eq(rules(batch(&a), r, 5), 5);
	cr_expect_str_eq(r[0], " ip protocol 6 th dport 80 tcp flags & 0x14 != 0 counter name hits drop");
	cr_expect_str_eq(r[1], " ip protocol 17 th sport 1000-2000 th dport != 53 counter name hits drop");
	cr_expect_str_eq(r[2], " ip protocol 6 th dport 0-1023 counter name hits drop");
	cr_expect_str_eq(r[3], " ip protocol 1 icmp type 3 icmp code 4 counter name hits drop");
	cr_expect_str_eq(r[4], " ip saddr & 255.0.255.0 == 10.0.1.0 counter name hits drop");
}

Test(eztrap, ports_only_for_tcp_and_udp)
{
	struct conf_acl a = { .name = "X", .nace = 1 };
	a.ace[0] = (struct conf_ace){ .permit = 1, .proto = 47, .dport_lo = 5, .dport_hi = 5,
	                              .established = 1, .icmp_match = 1 };
	char r[1][256];
	cr_assert_eq(rules(batch(&a), r, 1), 1);
	cr_expect_str_eq(r[0], " ip protocol 47 counter name hits drop");
}

Test(eztrap, names_nft_would_need_quoted_and_short_buffers_refused)
{
	struct conf_acl a = { .name = "X", .nace = 1 };
	a.ace[0] = (struct conf_ace){ .permit = 1 };
	cr_expect_eq(ez_trap_batch("a b", &a, buf, sizeof(buf)), -1);
	cr_expect_eq(ez_trap_batch("x;flush ruleset", &a, buf, sizeof(buf)), -1);
	cr_expect_eq(ez_trap_batch("", &a, buf, sizeof(buf)), -1);
	cr_expect_eq(ez_trap_batch("dial", &a, buf, 100), -1);
	/* the largest list fits the buffer eztrap.c uses */
	struct conf_acl big = { .name = "B", .nace = CONF_MAX_ACES };
	for (int i = 0; i < CONF_MAX_ACES; i++)
		big.ace[i] = (struct conf_ace){ .permit = 1, .proto = 17, .src = ip("10.255.255.0"),
		                                .srcmask = ip("255.0.255.0"), .dst = ip("10.255.255.255"),
		                                .dstmask = ip("255.255.255.255"), .sport_lo = 65000,
		                                .sport_hi = 65535, .dport_lo = 65000, .dport_hi = 65535,
		                                .dport_op = ACE_PORT_NEQ };
	cr_expect_gt(ez_trap_batch("a12345678901234567890123456789012345678901234567", &big,
	                           buf, sizeof(buf)), 0);
}

Test(eztrap, counter_listing)
{
	uint64_t n = 0;
	cr_expect_eq(ez_trap_packets("table ip vpnd-ezt-dial {\n\tcounter hits {\n\t\tpackets 3 "
	                             "bytes 252\n\t}\n}\n", &n), 0);
	cr_expect_eq(n, 3);
	cr_expect_eq(ez_trap_packets("", &n), -1);
	cr_expect_eq(ez_trap_packets(NULL, &n), -1);
}
