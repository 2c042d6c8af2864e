/*
 * interface TunnelN (static VTI, common/conf_vti.c): its lines stored, routes through it, and
 * each missing or wrong piece refused with the block's line.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "test/unit/confload.h"

TestSuite(vti, .init = confload_setup, .fini = confload_teardown);

#define HEAD \
	"crypto isakmp policy 10\n encr aes 256\n hash sha\n authentication pre-share\n" \
	" group 14\n" \
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n" \
	"crypto ipsec profile P\n set transform-set T\n"

static const char good[] = HEAD
	"crypto isakmp key s3cret address 172.18.143.2\n"
	"interface eth0\n ip address 172.18.143.1 255.255.255.0\n"
	"interface Tunnel0\n"                                   /* line 12 */
	" ip address 10.255.0.1 255.255.255.252\n"
	" tunnel source eth0\n"
	" tunnel destination 172.18.143.2\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n"
	"ip route 10.3.1.0 255.255.255.0 Tunnel0\n";

Test(vti, block_stored)
{
	load_str(good);
	dump();
	cr_assert_eq(dl->nerr, 0);
	const struct conf_interface *t = conf_find_iface(conf, "Tunnel0");
	cr_assert_not_null(t);
	cr_expect(t->is_vti);
	cr_expect(!t->is_template);
	cr_expect_eq(t->line, 12);
	cr_expect_eq(t->addr.s_addr, ip("10.255.0.1"));
	cr_expect_eq(t->mask.s_addr, ip("255.255.255.252"));
	cr_expect_str_eq(t->tunnel_source, "eth0");
	cr_expect(t->has_tunnel_dst);
	cr_expect_eq(t->tunnel_dst.s_addr, ip("172.18.143.2"));
	cr_expect(t->tunnel_mode_ipsec);
	cr_expect_str_eq(t->protection, "P");
	cr_expect_eq(conf->nroute, 1);
	cr_expect_str_eq(conf->route[0].ifname, "Tunnel0");
	cr_expect(conf_vti_has_key(conf, t->tunnel_dst));
	cr_expect(!conf_vti_has_key(conf, (struct in_addr){ ip("172.18.143.3") }));
	/* a key the parent redacts still leaves its address: the check holds for every copy */
	conf_redact(conf);
	cr_expect(conf_vti_has_key(conf, t->tunnel_dst));
}

Test(vti, keyring_key_unnumbered_and_address_source)
{
	load_str(HEAD
	         "crypto keyring K\n pre-shared-key address 172.18.0.0 255.255.0.0 key k2\n"
	         "interface Loopback0\n ip address 10.0.0.1 255.255.255.255\n"
	         "interface Tunnel12345\n ip unnumbered Loopback0\n tunnel source 172.18.143.1\n"
	         " tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	         " tunnel protection ipsec profile P\n");
	dump();
	cr_assert_eq(dl->nerr, 0);
	const struct conf_interface *t = conf_find_iface(conf, "Tunnel12345");
	cr_assert_not_null(t);
	cr_expect_str_eq(t->unnumbered, "Loopback0");
	cr_expect_str_eq(t->tunnel_source, "172.18.143.1");
}

Test(vti, any_key_covers_every_destination)
{
	load_str(HEAD "crypto isakmp key k address 0.0.0.0 0.0.0.0\n"
	         "interface Tunnel1\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	         " tunnel destination 198.51.100.7\n tunnel mode ipsec ipv4\n"
	         " tunnel protection ipsec profile P\n");
	cr_assert_eq(dl->nerr, 0);
}

Test(vti, missing_pieces_named_with_the_block_line)
{
	load_str(HEAD "interface Tunnel0\n tunnel source eth0\n");
	dump();
	static const char *const want[] = {
		"t.conf:9: error: interface Tunnel0 is a GRE tunnel (the IOS default), expected "
		"'tunnel mode ipsec ipv4'",
		"t.conf:9: error: interface Tunnel0 has no tunnel destination, expected 'tunnel "
		"destination A.B.C.D'",
		"t.conf:9: error: interface Tunnel0 has no protection, expected 'tunnel protection "
		"ipsec profile NAME'",
		"t.conf:9: error: interface Tunnel0 has no address",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_geq(find_msg(want[k], ""), 0, "missing: %s", want[k]);
	cr_expect_lt(find_msg("no tunnel source", ""), 0);
}

Test(vti, no_key_for_the_destination)
{
	load_str(HEAD "crypto isakmp key k address 172.18.143.3\n"
	         "crypto keyring K\n pre-shared-key address 172.19.0.0 255.255.0.0 key k2\n"
	         "interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n"
	         " tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	         " tunnel protection ipsec profile P\n");
	dump();
	cr_expect_geq(find_msg("t.conf:12: error: interface Tunnel0: no pre-shared key for its "
	                       "tunnel destination 172.18.143.2, expected 'crypto isakmp key KEY "
	                       "address 172.18.143.2'", ""), 0);
	cr_expect_geq(find_msg("t.conf:12: error: interface Tunnel0 has no tunnel source", ""), 0);
}

/* rsa-sig without a trust point is no way in either (with one: test_ikev1_init_sig) */
Test(vti, rsa_sig_needs_a_trust_point)
{
	load_str("crypto isakmp policy 10\n encr aes 256\n hash sha256\n"
	         " authentication rsa-sig\n group 14\n"
	         "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	         "crypto ipsec profile P\n set transform-set T\n"
	         "interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n"  /* line 9 */
	         " tunnel source 172.18.143.1\n tunnel destination 172.18.143.2\n"
	         " tunnel mode ipsec ipv4\n tunnel protection ipsec profile P\n");
	dump();
	cr_expect(!conf_vti_has_sig(conf));
	cr_expect_geq(find_msg("t.conf:9: error: interface Tunnel0: no pre-shared key for its "
	                       "tunnel destination 172.18.143.2", "'authentication rsa-sig' and "
	                       "a 'crypto pki trustpoint' with an RSA certificate"), 0);
}

Test(vti, bad_lines)
{
	load_str(HEAD "crypto isakmp key k address 0.0.0.0 0.0.0.0\n"
	         "interface Tunnel0\n"                                  /* line 10 */
	         " tunnel mode gre ip\n"
	         " tunnel destination 127.0.0.1\n"
	         " tunnel destination 224.0.0.5\n"
	         " tunnel source Tunnel1\n"
	         " tunnel source 0.0.0.0\n"
	         " physical-interface eth0\n"
	         " crypto map M\n"
	         "interface Tunnel007\n"
	         "interface Tunnel123456\n"
	         "interface eth1\n tunnel destination 192.0.2.1\n"
	         "interface Virtual-Template1 type tunnel\n tunnel destination 192.0.2.1\n");
	dump();
	static const char *const want[] = {
		"t.conf:11: error: bad tunnel mode 'gre ip', expected ipsec ipv4",
		"t.conf:12: error: bad tunnel destination 127.0.0.1",
		"t.conf:13: error: bad tunnel destination 224.0.0.5",
		"t.conf:14: error: tunnel source Tunnel1 is a tunnel",
		"t.conf:15: error: bad tunnel source 0.0.0.0",
		"t.conf:16: error: physical-interface is for IOS-named interfaces",
		"t.conf:18: error: bad tunnel interface name 'Tunnel007'",
		"t.conf:19: error: bad tunnel interface name 'Tunnel123456'",
		"t.conf:21: error: 'tunnel destination' is only for tunnels",
		"t.conf:17: error: crypto map 'M' is not defined",
		"t.conf:10: error: interface Tunnel0 is a tunnel itself, expected no crypto map",
		"t.conf:23: error: a template's peers are whoever connects",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_geq(find_msg(want[k], ""), 0, "missing: %s", want[k]);
}

Test(vti, one_tunnel_per_destination)
{
	load_str(HEAD "crypto isakmp key k address 172.18.143.2\n"
	         "interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	         " tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	         " tunnel protection ipsec profile P\n"
	         "interface Tunnel1\n ip address 10.255.0.5 255.255.255.252\n tunnel source eth0\n"
	         " tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	         " tunnel protection ipsec profile P\n");
	dump();
	cr_expect_geq(find_msg("t.conf:16: error: interface Tunnel1 dials 172.18.143.2 like "
	                       "interface Tunnel0 (line 10)", ""), 0);
}

Test(vti, route_to_an_undefined_tunnel)
{
	load_str(HEAD "ip route 10.3.1.0 255.255.255.0 Tunnel4\n");
	dump();
	cr_expect_eq(dl->nerr, 1);
	cr_expect_geq(find_msg("t.conf:9: error: interface Tunnel4 is not defined", ""), 0);
}
