/*
 * IPv6 access lists: `ipv6 access-list` blocks and `ipv6 traffic-filter` as the parser reads
 * them (errors name file and line), printed back so that they read the same, and
 * acl6_permits() on packets built here: prefixes, ports, ICMPv6 types, extension headers,
 * fragments, and chains that run past the packet.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "test/unit/confload.h"
#include "tunmgr/acl.h"

TestSuite(acl6, .init = confload_setup, .fini = confload_teardown);

static const char cfg[] =
	"ipv6 access-list V6IN\n"
	" remark the second inside host is off limits\n"
	" deny ipv6 any host fd00:2::11\n"
	" sequence 20 deny tcp fd00:6::/120 any eq 22\n"
	" permit udp any range 1000 2000 2001:db8::/32 neq 53\n"
	" deny icmp any any echo-request\n"
	" permit icmp any any 1 4\n"
	" permit 132 any any\n"
	" permit ipv6 any fd00:2::/64\n"
	"interface Virtual-Template1 type tunnel\n"
	" ipv6 enable\n"
	" ipv6 traffic-filter V6IN in\n"
	" ipv6 traffic-filter V6IN out\n";

Test(acl6, parses)
{
	cr_assert_eq(load_str(cfg), 0);
	dump();
	const struct conf_acl6 *a = conf_find_acl6(conf, "V6IN");
	cr_assert_not_null(a);
	cr_assert_eq(a->nace, 7);
	cr_expect_eq(a->ace[0].proto, -1);
	cr_expect_eq(a->ace[0].dst_plen, 128);
	cr_expect_eq(a->ace[1].proto, 6);
	cr_expect_eq(a->ace[1].src_plen, 120);
	cr_expect_eq(a->ace[1].dport_lo, 22);
	cr_expect_eq(a->ace[2].sport_lo, 1000);
	cr_expect_eq(a->ace[2].sport_hi, 2000);
	cr_expect_eq(a->ace[2].dport_op, ACE_PORT_NEQ);
	cr_expect_eq(a->ace[3].icmp_type, 128);
	cr_expect_eq(a->ace[4].icmp_match, 2);
	cr_expect_eq(a->ace[5].proto, 132);
	const struct conf_interface *t = conf_find_template(conf, 1);
	cr_assert_not_null(t);
	cr_expect_str_eq(t->acl6_in, "V6IN");
	cr_expect_str_eq(t->acl6_out, "V6IN");
}

/* the printer's text loads into the same lists */
Test(acl6, prints_back)
{
	cr_assert_eq(load_str(cfg), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	conf_acl6_print(f, conf);
	fclose(f);
	struct conf_acl6 before = *conf_find_acl6(conf, "V6IN");
	cr_assert_eq(load_str(buf), 0, "%s", buf);
	const struct conf_acl6 *after = conf_find_acl6(conf, "V6IN");
	cr_assert_not_null(after);
	cr_assert_eq(after->nace, before.nace);
	for (int k = 0; k < before.nace; k++) {
		before.ace[k].line = after->ace[k].line;
		cr_expect_eq(memcmp(&before.ace[k], &after->ace[k], sizeof(before.ace[k])), 0,
		             "entry %d differs after printing:\n%s", k, buf);
	}
	cr_expect(strstr(buf, " deny icmp any any echo-request\n"), "%s", buf);
	free(buf);
}

Test(acl6, errors)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "ipv6 access-list A\n deny ipv6 any fd00::1/64\n", "t.conf:2: error: prefix fd00::1/64 has bits set past /64" },
		{ "ipv6 access-list A\n deny ipv6 any 10.0.0.1\n", "t.conf:2: error: bad destination '10.0.0.1', expected any, host X:X::X or X:X::X/LEN" },
		{ "ipv6 access-list A\n permit icmp any eq 5 any\n", "t.conf:2: error: ports only apply to tcp and udp" },
		{ "ipv6 access-list A\n permit gre any any\n", "t.conf:2: error: bad protocol 'gre'" },
		{ "ipv6 access-list A\n permit icmp any any echo-ping\n", "t.conf:2: error: unknown icmp message 'echo-ping'" },
		{ "ipv6 access-list A\n permit ipv6 any host fd00::zz\n", "t.conf:2: error: bad IPv6 address 'fd00::zz'" },
		{ "interface Virtual-Template1 type tunnel\n ipv6 traffic-filter NOPE in\n", "t.conf:2: error: ipv6 access list 'NOPE' is not defined" },
		{ "ipv6 access-list A\n permit ipv6 any any\ninterface Virtual-Template1 type tunnel\n ipv6 traffic-filter A both\n", "t.conf:4: error: bad direction 'both', expected in or out" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cr_expect_gt(load_str(bad[k].text), 0, "%s", bad[k].text);
		cr_expect_geq(find_msg(bad[k].msg, NULL), 0, "no '%s' for:\n%s", bad[k].msg, bad[k].text);
		if (find_msg(bad[k].msg, NULL) < 0)
			dump();
	}
}

/* an IPv6 packet from SRC to DST with next header NH and PAY bytes of payload */
static size_t pkt6(uint8_t *p, const char *src, const char *dst, uint8_t nh, const uint8_t *pay,
                   size_t n)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(n >> 8);
	p[5] = (uint8_t)n;
	p[6] = nh;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	memcpy(p + 40, pay, n);
	return 40 + n;
}

Test(acl6, matches)
{
	cr_assert_eq(load_str(cfg), 0);
	const struct conf_acl6 *a = conf_find_acl6(conf, "V6IN");
	uint8_t p[256];
	const uint8_t tcp22[20] = { 0x9c, 0x40, 0, 22 }, tcp80[20] = { 0x9c, 0x40, 0, 80 };
	const uint8_t echo[8] = { 128, 0 }, unreach4[8] = { 1, 4 }, unreach3[8] = { 1, 3 };
	const uint8_t udp[8] = { 0x03, 0xe8, 0, 54 }, udp53[8] = { 0x03, 0xe8, 0, 53 };

	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 6, tcp80, 20)), 1);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::11", 6, tcp80, 20)), 0,
	             "the denied host");
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 6, tcp22, 20)), 0,
	             "ssh from the pool");
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:7::1", "fd00:2::10", 6, tcp22, 20)), 1,
	             "ssh from outside the pool's /120");
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db8::1", 17, udp, 8)), 1);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db8::1", 17, udp53, 8)), 0,
	             "neq 53");
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db9::1", 17, udp, 8)), 0,
	             "outside 2001:db8::/32: the implicit deny");
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 58, echo, 8)), 0);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db9::1", 58, unreach4, 8)), 1);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db9::1", 58, unreach3, 8)), 0);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "2001:db9::1", 132, udp, 8)), 1,
	             "a protocol by number");

	/* ssh behind hop-by-hop options and a first fragment: still ssh */
	uint8_t ext[64] = { 44, 0, 1, 4, 0, 0, 0, 0,            /* hop-by-hop: 8 bytes */
	                    6, 0, 0, 1, 0, 0, 0, 7 };           /* fragment, offset 0, M */
	memcpy(ext + 16, tcp22, 20);
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 0, ext, 36)), 0);
	/* a later fragment carries no ports: the deny on port 22 cannot judge it, the permit
	 * of fd00:2::/64 lets it through */
	ext[10] = 0x05; ext[11] = 0xa9;
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 0, ext, 36)), 1);
	/* a chain that runs past the packet is denied */
	uint8_t longext[8] = { 6, 30 };                         /* claims 248 bytes */
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 60, longext, 8)), 0);
	uint8_t loop[80];
	for (int k = 0; k < 10; k++) {                          /* ten destination options */
		loop[k * 8] = 60;
		loop[k * 8 + 1] = 0;
		memset(loop + k * 8 + 2, 0, 6);
	}
	cr_expect_eq(acl6_permits(a, p, pkt6(p, "fd00:6::1", "fd00:2::10", 60, loop, 80)), 0,
	             "more extension headers than a host sends");
	uint8_t v4[40] = { 0x45 };
	cr_expect_eq(acl6_permits(a, v4, sizeof(v4)), 0, "not IPv6");
}
