/*
 * The IPv6-inside lines of the configuration (common/conf_ipv6.c): ipv6 local pool, a group's
 * ipv6 pool, a template's ipv6 enable / ipv6 unnumbered; the IPv6 peers of main mode keys
 * (common/conf_keyring.c, conf_isakmp.c): address ipv6 P/LEN in crypto isakmp key, keyrings
 * and match identity, local-address X:X::X; and the FILE:LINE errors of bad ones.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

static struct vpnd_conf *conf;
static char errs[4096];

static void collect(void *arg, int is_error, const char *msg)
{
	(void)arg;
	if (is_error)
		snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), "%s\n", msg);
}

static int load(const char *text)
{
	errs[0] = '\0';
	memset(conf, 0, sizeof(*conf));
	return conf_load_buf("t.conf", text, strlen(text), conf, collect, NULL);
}

static void setup(void)
{
	conf = calloc(1, sizeof(*conf));
	cr_assert_not_null(conf);
}

static void teardown(void)
{
	free(conf);
}

TestSuite(conf_ipv6, .init = setup, .fini = teardown);

Test(conf_ipv6, pool_group_template)
{
	cr_assert_eq(load("ipv6 local pool v6 2001:db8:1::/64 128\n"
	                  "crypto isakmp client configuration group g\n ipv6 pool v6\n"
	                  " ipv6 dns fd00:2::53 2001:db8::35\n"
	                  "interface Virtual-Template1 type tunnel\n ipv6 enable\n"
	                  "interface Virtual-Template2 type tunnel\n ipv6 unnumbered eth1\n"
	                  " ipv6 tcp adjust-mss 1280\n"),
	             0, "%s", errs);
	const struct conf_pool6 *p = conf_find_pool6(conf, "v6");
	cr_assert_not_null(p);
	struct in6_addr want;
	inet_pton(AF_INET6, "2001:db8:1::", &want);
	cr_expect_eq(memcmp(&p->prefix, &want, 16), 0);
	cr_expect_eq(p->plen, 64);
	cr_expect_eq(p->assigned_len, 128);
	cr_expect_eq(p->line, 1);
	cr_expect_str_eq(conf_find_group(conf, "g")->pool6, "v6");
	const struct conf_group *g = conf_find_group(conf, "g");
	cr_expect_eq(g->ndns6, 2);
	inet_pton(AF_INET6, "fd00:2::53", &want);
	cr_expect_eq(memcmp(&g->dns6[0], &want, 16), 0);
	inet_pton(AF_INET6, "2001:db8::35", &want);
	cr_expect_eq(memcmp(&g->dns6[1], &want, 16), 0);
	cr_expect(conf_find_template(conf, 1)->ipv6_enable);
	cr_expect(conf_find_template(conf, 2)->ipv6_enable, "ipv6 unnumbered enables IPv6");
	cr_expect_str_eq(conf_find_template(conf, 2)->ipv6_unnumbered, "eth1");
	cr_expect_eq(conf_find_template(conf, 2)->tcp_mss6, 1280);
	cr_expect_eq(conf_find_template(conf, 2)->tcp_mss, 0, "IPv4's MSS untouched");
	cr_expect_eq(conf_find_template(conf, 1)->tcp_mss6, 0);
}

static void bad(const char *text, const char *msg)
{
	cr_expect_neq(load(text), 0, "accepted: %s", text);
	cr_expect(strstr(errs, msg) != NULL, "for %s: want '%s', got: %s", text, msg);
}

Test(conf_ipv6, errors)
{
	bad("ipv6 local pool v6 2001:db8:1::/64 64\n",
	    "t.conf:1: error: assigned length 64 is not supported, expected 128");
	bad("ipv6 local pool v6 2001:db8:1::1/64 128\n", "t.conf:1: error: prefix "
	    "2001:db8:1::1/64 has bits set past /64");
	bad("ipv6 local pool v6 10.0.0.0/8 128\n", "t.conf:1: error: bad IPv6 prefix '10.0.0.0/8'");
	bad("ipv6 local pool v6 2001:db8::/129 128\n", "bad IPv6 prefix");
	bad("ipv6 local pool v6 2001:db8::\n", "bad IPv6 prefix");
	bad("ipv6 local pool v6 2001:db8::/64\n", "t.conf:1: error:");
	bad("ipv6 local pool v6 2001:db8::/64 128\nipv6 local pool v6 2001:db8:1::/64 128\n",
	    "t.conf:2: error: ipv6 pool 'v6' is already defined at line 1");
	bad("crypto isakmp client configuration group g\n ipv6 dns 10.2.1.53\n",
	    "t.conf:2: error: bad IPv6 DNS server address '10.2.1.53'");
	bad("crypto isakmp client configuration group g\n ipv6 dns ff02::1\n",
	    "expected a unicast IPv6 address");
	bad("crypto isakmp client configuration group g\n ipv6 dns fd00::1 fd00::2 fd00::3\n",
	    "t.conf:2: error:");
	bad("crypto isakmp client configuration group g\n ipv6 dns\n", "t.conf:2: error:");
	bad("crypto isakmp client configuration group g\n ipv6 pool nope\n",
	    "t.conf:2: error: ipv6 pool 'nope' is not defined");
	bad("interface Virtual-Template1 type tunnel\n ipv6 unnumbered a/b\n",
	    "t.conf:2: error: bad interface name 'a/b'");
	bad("interface Virtual-Template1 type tunnel\n ipv6 enable now\n", "t.conf:2: error:");
	bad("interface Virtual-Template1 type tunnel\n ipv6 tcp adjust-mss 1460\n",
	    "t.conf:2: error: bad MSS '1460', expected a number from 500 to 1440");
	bad("interface Virtual-Template1 type tunnel\n ipv6 tcp adjust-mss\n",
	    "t.conf:2: error:");
	bad("interface Virtual-Template1 type tunnel\n ip mtu 1200\n ipv6 enable\n",
	    "t.conf:1: error: interface Virtual-Template1 has 'ip mtu 1200' and IPv6 enabled, "
	    "expected an MTU of 1280 or more");
}

static int nwarn;
static void count_warnings(void *arg, int is_error, const char *msg)
{
	(void)arg;
	if (is_error)
		snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), "%s\n", msg);
	else
		nwarn++;
}

/* IOS's forwarding switches: IPv4 routed unless `no ip routing`, IPv6 only with `ipv6
 * unicast-routing`; real commands (the parent acts on them), so no no-op warning */
Test(conf_ipv6, routing_switches)
{
	static const struct { const char *text; int no_v4, v6; } t[] = {
		{ "hostname h\n", 0, 0 },
		{ "ipv6 unicast-routing\n", 0, 1 },
		{ "no ip routing\n", 1, 0 },
		{ "ip routing\n", 0, 0 },
		{ "no ip routing\nip routing\n", 0, 0 },
		{ "ipv6 unicast-routing\nno ipv6 unicast-routing\n", 0, 0 },
		{ "no ip routing\nipv6 unicast-routing\n", 1, 1 },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		errs[0] = '\0';
		nwarn = 0;
		memset(conf, 0, sizeof(*conf));
		cr_assert_eq(conf_load_buf("t.conf", t[k].text, strlen(t[k].text), conf,
		                           count_warnings, NULL), 0, "%s: %s", t[k].text, errs);
		cr_expect_eq(nwarn, 0, "%s warned", t[k].text);
		cr_expect_eq(conf->no_ip_routing, t[k].no_v4, "%s", t[k].text);
		cr_expect_eq(conf->ipv6_unicast_routing, t[k].v6, "%s", t[k].text);
	}
	bad("ipv6 unicast-routing now\n",
	    "t.conf:1: error: unexpected 'now' in 'ipv6 unicast-routing now', expected end of line");
	bad("hostname h\nno ip routing 1\n", "t.conf:2: error: unexpected '1'");
	bad("ip routing protocol purge interface\n", "t.conf:1: error: unexpected 'protocol'");
	bad("no ipv6 unicast-routing x\n", "t.conf:1: error: unexpected 'x'");
}

/* tunnel mode ipsec ...: the passenger family, then the overlay (outside) one; the line is
 * printed back as it was written */
Test(conf_ipv6, tunnel_modes)
{
	static const struct { const char *line; int mode, v4, v6, inner6; } m[] = {
		{ "ipsec ipv4", TUNNEL_IPSEC_IPV4, 1, 0, 0 },
		{ "ipsec ipv4 v6-overlay", TUNNEL_IPSEC_IPV4_V6, 0, 1, 0 },
		{ "ipsec ipv6", TUNNEL_IPSEC_IPV6, 0, 1, 1 },
		{ "ipsec ipv6 v4-overlay", TUNNEL_IPSEC_IPV6_V4, 1, 0, 1 },
		{ "ipsec dual-overlay", TUNNEL_IPSEC_DUAL, 1, 1, 1 },
	};
	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		char text[128];
		snprintf(text, sizeof(text), "interface Virtual-Template1 type tunnel\n tunnel mode %s\n",
		         m[k].line);
		cr_assert_eq(load(text), 0, "tunnel mode %s refused", m[k].line);
		const struct conf_interface *t = conf_find_template(conf, 1);
		cr_assert(t);
		cr_expect_eq(t->tunnel_mode_ipsec, m[k].mode, "%s", m[k].line);
		cr_expect_eq(conf_tunnel_takes_peer(t, 0), m[k].v4, "%s: IPv4 peers", m[k].line);
		cr_expect_eq(conf_tunnel_takes_peer(t, 1), m[k].v6, "%s: IPv6 peers", m[k].line);
		cr_expect_eq(conf_tunnel_inner6(t), m[k].inner6, "%s: IPv6 inside", m[k].line);
		cr_expect_str_eq(conf_tunnel_mode_words(t->tunnel_mode_ipsec), m[k].line);
	}
	/* a template without the line takes IPv4 peers, as before */
	cr_assert_eq(load("interface Virtual-Template1 type tunnel\n ip mtu 1400\n"), 0);
	cr_expect(conf_tunnel_takes_peer(conf_find_template(conf, 1), 0));
	cr_expect_not(conf_tunnel_takes_peer(conf_find_template(conf, 1), 1));
	bad("interface Virtual-Template1 type tunnel\n tunnel mode ipsec ipv6 v6-overlay\n",
	    "t.conf:2: error: bad tunnel mode 'ipsec ipv6 v6-overlay', expected ipsec ipv4 "
	    "[v6-overlay], ipsec ipv6 [v4-overlay] or ipsec dual-overlay");
	bad("interface Virtual-Template1 type tunnel\n tunnel mode ipsec ipv4 v6-overlay x\n",
	    "t.conf:2: error: bad tunnel mode");
	bad("interface Virtual-Template1 type tunnel\n tunnel mode gre ip\n",
	    "t.conf:2: error: bad tunnel mode 'gre ip'");
	bad("interface Tunnel0\n tunnel mode ipsec dual-overlay\n",
	    "t.conf:2: error: interface Tunnel0 dials an IPv4 destination: expected 'tunnel mode "
	    "ipsec ipv4'");
}

static void want6(const struct in6_addr *got, const char *s)
{
	struct in6_addr w;
	cr_assert_eq(inet_pton(AF_INET6, s, &w), 1);
	char g[INET6_ADDRSTRLEN];
	cr_expect_eq(memcmp(got, &w, 16), 0, "got %s, want %s",
	             inet_ntop(AF_INET6, got, g, sizeof(g)), s);
}

Test(conf_ipv6, main_mode_keys_by_ipv6_address)
{
	cr_assert_eq(load("crypto isakmp key 0 gk6 address ipv6 fd00:9::/32\n"
	                  "crypto isakmp key gk4 address 203.0.113.7\n"
	                  "crypto isakmp key gk6b address ipv6 fd00:9::1:5\n"
	                  "crypto keyring K6\n local-address fd00:1::246\n"
	                  " pre-shared-key address ipv6 fd00:1::77/64 key k6net\n"
	                  " pre-shared-key address ipv6 fd00:1::2 key 0 k6host\n"
	                  " pre-shared-key address ipv6 fd00:1::/64 key k6new\n"
	                  "crypto isakmp profile p6\n match identity address ipv6 fd00:1::/64\n"
	                  " match identity address ipv6 ::/0\n match identity address 192.0.2.1\n"
	                  " keyring K6\n local-address FD00:1::246\n"),
	             0, "%s", errs);
	cr_assert_eq(conf->nisakmp_key, 3);
	cr_expect(conf->isakmp_key[0].is6);
	want6(&conf->isakmp_key[0].addr6, "fd00:9::");
	cr_expect_eq(conf->isakmp_key[0].plen6, 32);
	cr_expect_str_eq(conf->isakmp_key[0].key, "gk6");
	cr_expect_not(conf->isakmp_key[1].is6);
	cr_expect_eq(conf->isakmp_key[2].plen6, 128, "a bare address is a /128");
	const struct conf_keyring *kr = conf_find_keyring(conf, "K6");
	cr_assert_not_null(kr);
	cr_assert_eq(kr->npsk, 2, "the same prefix again replaces the key");
	want6(&kr->psk[0].addr6, "fd00:1::");
	cr_expect_eq(kr->psk[0].plen6, 64);
	cr_expect_str_eq(kr->psk[0].key, "k6new");
	cr_expect_eq(kr->psk[0].line, 8);
	cr_expect_eq(kr->psk[1].plen6, 128);
	cr_expect_eq(kr->psk[0].mask.s_addr, 0, "no IPv4 half");
	const struct conf_isakmp_profile *pr = &conf->profile[0];
	cr_assert_eq(pr->nmatch_addr, 3);
	cr_expect(pr->match_addr[0].is6 && pr->match_addr[1].is6 && !pr->match_addr[2].is6);
	cr_expect_eq(pr->match_addr[1].plen6, 0);
	union sa46 a, l;
	cr_assert_eq(conf_local_address46(conf, pr->local_address, &l), 1);
	sa46_pton("fd00:1::246", &a);
	cr_expect(sa46_same_addr(&a, &l), "local-address in another spelling");
	struct in_addr a4;
	cr_expect_eq(conf_local_address(conf, pr->local_address, &a4), 0, "not an IPv4 address");
	/* prefix matching at a bit that is not a byte boundary */
	cr_assert_eq(load("crypto isakmp profile p\n match identity address ipv6 fd00:1:0:80::/57\n"),
	             0, "%s", errs);
	sa46_pton("fd00:1:0:ff::1", &a);
	cr_expect(conf_profile_matches_addr(&conf->profile[0], &a));
	sa46_pton("fd00:1:0:7f::1", &a);
	cr_expect_not(conf_profile_matches_addr(&conf->profile[0], &a));
}

Test(conf_ipv6, main_mode_key_errors)
{
	bad("crypto isakmp key k address ipv6 10.0.0.1/32\n",
	    "t.conf:1: error: bad IPv6 peer '10.0.0.1/32', expected X:X:X:X::X/LEN");
	bad("crypto isakmp key k address ipv6 fd00::/129\n", "t.conf:1: error: bad IPv6 peer");
	bad("crypto isakmp key k address ipv6 fd00::/+64\n", "t.conf:1: error: bad IPv6 peer");
	bad("crypto isakmp key k address ipv6 fd00::/\n", "t.conf:1: error: bad IPv6 peer");
	bad("crypto isakmp key k address ipv6\n", "t.conf:1: error:");
	bad("crypto isakmp key k address ipv6 fd00::/64 255.255.255.0\n", "t.conf:1: error:");
	bad("crypto isakmp key k address ipv6 fd00::/64 no-xauth\n", "t.conf:1: error:");
	bad("crypto keyring K\n pre-shared-key address ipv6 fd00::/64 k6\n",
	    "t.conf:2: error: bad word after the peer prefix, expected key KEY");
	bad("crypto keyring K\n pre-shared-key address ipv6 fd00::/6x key k\n",
	    "t.conf:2: error: bad IPv6 peer 'fd00::/6x'");
	bad("crypto keyring K\n pre-shared-key address ipv6 key k\n",
	    "t.conf:2: error: bad IPv6 peer 'key'");
	bad("crypto isakmp profile p\n match identity address ipv6 fd00::/64 extra\n",
	    "t.conf:2: error:");
	bad("crypto isakmp profile p\n match identity address ipv6\n",
	    "t.conf:2: error:");
	bad("crypto keyring K\n local-address fd00::zz\n",
	    "t.conf:2: error: local-address 'fd00::zz' is neither an address nor an interface");
}
