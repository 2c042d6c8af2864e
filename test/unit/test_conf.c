/*
 * The configuration parser: the IOS seed loads, every sample under test/data/conf gives the
 * errors and warnings it lists after its `end` ("! expect LINE TEXT", "! warn LINE TEXT",
 * "! errors N"), and the parts the rest of vpnd relies on (defaults, legacy flag, redaction,
 * look-ups) behave as documented in docs/config.md.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "test/unit/confload.h"

TestSuite(conf, .init = confload_setup, .fini = confload_teardown);

Test(conf, seed_loads)
{
	int n = load_file("etc/seed-dvti.conf");
	dump();
	cr_assert_eq(n, 0);
	cr_assert_eq(dl->nerr, 0);

	/* one warning per router-only command, naming it */
	static const char *const noop[] = {
		"seed-dvti.conf:5: warning: 'aaa session-id common' has no meaning on Linux, ignored",
		"seed-dvti.conf:6: warning: 'ip subnet-zero' has no meaning on Linux, ignored",
		"seed-dvti.conf:7: warning: 'ip cef' has no meaning on Linux, ignored",
		"seed-dvti.conf:9: warning: 'controller ISA 1/1' has no meaning on Linux, ignored",
		"seed-dvti.conf:35: warning: 'ip virtual-reassembly' has no meaning on Linux, ignored",
		"seed-dvti.conf:39: warning: 'ip classless' has no meaning on Linux, ignored",
		"seed-dvti.conf:11: warning: legacy algorithm 'encr 3des' enabled by configuration",
		"seed-dvti.conf:13: warning: legacy algorithm 'group 2' enabled by configuration",
		"seed-dvti.conf:24: warning: legacy algorithm 'esp-3des' enabled by configuration",
	};
	for (size_t k = 0; k < sizeof(noop) / sizeof(noop[0]); k++)
		cr_expect_geq(find_msg(noop[k], NULL), 0, "missing: %s", noop[k]);
	cr_expect_eq(dl->n, 9, "exactly the expected warnings");

	cr_expect_str_eq(conf->hostname, "hub");
	cr_expect_eq(conf->aaa_new_model, 1);
	cr_expect_eq(conf->uses_legacy, 1);

	cr_assert_eq(conf->npolicy, 1);
	cr_expect_eq(conf->policy[0].priority, 1);
	cr_expect_eq(conf->policy[0].encr, IKE_ENCR_3DES);
	cr_expect_eq(conf->policy[0].keylen, 0);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA1);
	cr_expect_eq(conf->policy[0].auth, IKE_AUTH_PSK);
	cr_expect_eq(conf->policy[0].group, 2);
	cr_expect_eq(conf->policy[0].lifetime, 86400);
	cr_expect_eq(conf->policy[0].line, 10);

	const struct conf_group *g = conf_find_group(conf, "group1");
	cr_assert(g);
	cr_expect_str_eq(g->key, "cisco123");
	cr_expect_eq(g->has_key, 1);
	cr_expect_str_eq(g->pool, "group1pool");
	cr_expect_eq(g->save_password, 1);

	const struct conf_isakmp_profile *pr = conf_find_profile_for_group(conf, "group1");
	cr_assert(pr);
	cr_expect_str_eq(pr->name, "vpn1-ra");
	cr_expect_eq(pr->nmatch_group, 1);
	cr_expect_str_eq(pr->client_auth_list, "local_list");
	cr_expect_str_eq(pr->isakmp_auth_list, "local_list");
	cr_expect_eq(pr->config_respond, 1);
	cr_expect_eq(pr->virtual_template, 1);

	const struct conf_transform_set *ts = conf_find_tset(conf, "VTI-TS");
	cr_assert(ts);
	cr_expect_eq(ts->encr, ESP_ENCR_3DES);
	cr_expect_eq(ts->auth, ESP_AUTH_HMAC_SHA1_96);
	cr_expect_eq(ts->mode_transport, 0);

	const struct conf_ipsec_profile *ipp = conf_find_ipsec_profile(conf, "test-vti1");
	cr_assert(ipp);
	cr_expect_eq(ipp->ntset, 1);
	cr_expect_str_eq(ipp->tset[0], "VTI-TS");

	const struct conf_interface *t = conf_find_template(conf, 1);
	cr_assert(t);
	cr_expect_str_eq(t->name, "Virtual-Template1");
	cr_expect_eq(t->is_template, 1);
	cr_expect_str_eq(t->unnumbered, "eth0");
	cr_expect_str_eq(t->protection, "test-vti1");
	cr_expect_eq(t->tunnel_mode_ipsec, 1);

	const struct conf_interface *e0 = conf_find_iface(conf, "eth0");
	cr_assert(e0);
	cr_expect_str_eq(e0->description, "Internet Connection");
	cr_expect_eq(e0->has_addr, 1);
	cr_expect_eq(e0->addr.s_addr, ip("172.18.143.246"));
	cr_expect_eq(e0->mask.s_addr, ip("255.255.255.0"));
	cr_expect(conf_find_iface(conf, "eth1"));

	const struct conf_pool *pool = conf_find_pool(conf, "group1pool");
	cr_assert(pool);
	cr_expect_eq(pool->start.s_addr, ip("192.168.1.1"));
	cr_expect_eq(pool->end.s_addr, ip("192.168.1.4"));

	const struct conf_user *u = conf_find_user(conf, "cisco");
	cr_assert(u);
	cr_expect_str_eq(u->password, "cisco123");
	cr_expect_eq(u->encrypted_type, 0);

	cr_expect(conf_find_aaa(conf, AAA_AUTHEN_LOGIN, "local_list"));
	cr_expect(conf_find_aaa(conf, AAA_AUTHOR_NETWORK, "local_list"));
	cr_expect_null(conf_find_aaa(conf, AAA_ACCT_NETWORK, "local_list"));
	cr_expect_eq(conf_find_aaa(conf, AAA_AUTHEN_LOGIN, "local_list")->method[0],
	             AAA_METHOD_LOCAL);

	cr_assert_eq(conf->nroute, 1);
	cr_expect_eq(conf->route[0].prefix.s_addr, 0);
	cr_expect_eq(conf->route[0].mask.s_addr, 0);
	cr_expect_eq(conf->route[0].nexthop.s_addr, ip("172.18.143.1"));

	/* defaults untouched by the seed */
	cr_expect_eq(conf->sa_lifetime_seconds, 3600);
	cr_expect_eq(conf->sa_lifetime_kb, 4608000);
	cr_expect_eq(conf->replay_window, 1024);
	cr_expect_eq(conf->dpd_interval, 0);
	cr_expect_str_eq(conf->source, CONF_TEST_SRCDIR "/etc/seed-dvti.conf");
}

Test(conf, default_config_loads)
{
	int n = load_file("etc/vpnd.conf");
	dump();
	cr_assert_eq(n, 0);
	cr_assert_eq(conf->npolicy, 2);
	cr_expect_eq(conf->policy[0].priority, 10);
	cr_expect_eq(conf->policy[0].encr, IKE_ENCR_AES);
	cr_expect_eq(conf->policy[0].keylen, 256);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA1);
	cr_expect_eq(conf->policy[0].group, 2);
	cr_expect_eq(conf->policy[1].encr, IKE_ENCR_3DES);
	cr_expect_eq(conf->dpd_interval, 10);
	cr_expect_eq(conf->dpd_retry, 3);
	cr_expect_eq(conf->dpd_periodic, 0);
	const struct conf_ipsec_profile *ipp = conf_find_ipsec_profile(conf, "test-vti1");
	cr_assert(ipp);
	cr_expect_eq(ipp->ntset, 2);
	cr_expect_str_eq(ipp->tset[0], "AES-TS");
	cr_expect_str_eq(conf_find_user(conf, "cisco")->password, "cisco123");
	cr_expect_str_eq(conf_find_group(conf, "group1")->key, "cisco123");
	cr_expect_eq(conf_find_iface(conf, "eth1")->addr.s_addr, ip("10.2.1.1"));
}

/* Reads the expectations a sample lists after its `end`. */
static void check_sample(const char *path)
{
	char line[1024];
	int want_errors = -1, n;
	FILE *f;

	memset(dl, 0, sizeof(*dl));
	n = conf_load(path, conf, confload_collect, dl);
	cr_expect_eq(n, dl->nerr, "%s: return value is the number of errors", path);
	f = fopen(path, "r");
	cr_assert(f, "%s", path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	while (fgets(line, sizeof(line), f)) {
		int ln, off = 0;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "! errors %d", &want_errors) == 1)
			continue;
		int is_err = strncmp(line, "! expect ", 9) == 0;
		int is_warn = strncmp(line, "! warn ", 7) == 0;
		if (!is_err && !is_warn)
			continue;
		if (sscanf(line + (is_err ? 9 : 7), "%d %n", &ln, &off) != 1 || !off)
			cr_assert_fail("%s: bad expectation line '%s'", path, line);
		char prefix[300];
		snprintf(prefix, sizeof(prefix), "%s:%d: %s: ", base, ln, is_err ? "error" : "warning");
		const char *text = line + (is_err ? 9 : 7) + off;
		int k = find_msg(prefix, text);
		if (k < 0)
			dump();
		cr_expect_geq(k, 0, "%s: no %s on line %d with '%s'", path,
		              is_err ? "error" : "warning", ln, text);
	}
	fclose(f);
	cr_assert_neq(want_errors, -1, "%s: no '! errors N' line", path);
	if (n != want_errors)
		dump();
	cr_expect_eq(n, want_errors, "%s: %d errors, expected %d", path, n, want_errors);
}

Test(conf, samples)
{
	glob_t g;
	int nbad = 0, ngood = 0;

	cr_assert_eq(glob(CONF_TEST_SRCDIR "/test/data/conf/*.conf", 0, NULL, &g), 0);
	for (size_t k = 0; k < g.gl_pathc; k++) {
		check_sample(g.gl_pathv[k]);
		if (strstr(g.gl_pathv[k], "/bad_"))
			nbad++;
		else
			ngood++;
	}
	globfree(&g);
	cr_expect_geq(nbad, 8);
	cr_expect_geq(ngood, 2);
}

Test(conf, unknown_command_text)
{
	cr_expect_eq(load_str("hostname x\ncrypto isakmp polcy 1\n encr aes\n"), 1);
	cr_expect_str_eq(dl->msg[0], "t.conf:2: error: unknown command 'crypto isakmp polcy', "
	                 "expected one of: policy, client, profile, key, keepalive, nat, "
	                 "network-extension, aggressive-mode, xauth");
	cr_expect_eq(dl->n, 1, "the indented line under a bad command is not reported again");

	cr_expect_eq(load_str("crypto isakmp\n"), 1);
	cr_expect_str_eq(dl->msg[0], "t.conf:1: error: incomplete command 'crypto isakmp', expected "
	                 "one of: policy, client, profile, key, keepalive, nat, network-extension, aggressive-mode, xauth");

	cr_expect_eq(load_str("crypto isakmp nat\n"), 1);
	cr_expect_str_eq(dl->msg[0], "t.conf:1: error: incomplete command 'crypto isakmp nat', "
	                 "expected 'keepalive'");

	cr_expect_eq(load_str("Hostname x\n"), 1, "commands are case-sensitive");
	cr_expect_eq(load_str("host x\n"), 1, "no abbreviations");
	cr_expect_eq(load_str("interface eth0\n descr x\n"), 1);
	cr_expect(strstr(dl->msg[0], "unknown command 'descr' under 'interface eth0', expected one "
	                 "of: description, ip, tunnel, shutdown, no"), "%s", dl->msg[0]);
}

Test(conf, every_error_reported)
{
	int n = load_str("hostname\nip route 1.2.3.4\nfoo\ncrypto ipsec transform-set X esp-foo\n"
	                 "username u password 7 abc def\n");
	cr_expect_eq(n, 5);
	cr_expect_eq(dl->nerr, 5);
	for (int k = 0; k < 5; k++) {
		char want[32];
		snprintf(want, sizeof(want), "t.conf:%d: error: ", k + 1);
		cr_expect_geq(find_msg(want, "expected"), 0, "line %d", k + 1);
	}
}

Test(conf, defaults)
{
	cr_assert_eq(load_str(""), 0);
	cr_expect_eq(dl->n, 0);
	cr_expect_eq(conf->sa_lifetime_seconds, 3600);
	cr_expect_eq(conf->sa_lifetime_kb, 4608000);
	cr_expect_eq(conf->replay_window, 1024);
	cr_expect_eq(conf->dpd_interval, 0);
	cr_expect_eq(conf->dpd_retry, 2);
	cr_expect_eq(conf->natt_keepalive, 0);
	cr_expect_eq(conf->uses_legacy, 0);

	cr_assert_eq(load_str("crypto isakmp policy 7\n"), 0);
	cr_expect_eq(dl->n, 0, "modern defaults: no legacy warning");
	cr_assert_eq(conf->npolicy, 1);
	cr_expect_eq(conf->policy[0].encr, IKE_ENCR_AES);
	cr_expect_eq(conf->policy[0].keylen, 256);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA256);
	cr_expect_eq(conf->policy[0].auth, IKE_AUTH_PSK);
	cr_expect_eq(conf->policy[0].group, 14);
	cr_expect_eq(conf->policy[0].lifetime, 86400);
	cr_expect_eq(conf->uses_legacy, 0);

	/* `encr aes` alone is AES-128, as on IOS */
	cr_assert_eq(load_str("crypto isakmp policy 7\n encr aes\n"), 0);
	cr_expect_eq(conf->policy[0].keylen, 128);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA256);

	/* a legacy policy without a hash gets IOS's SHA-1 (vpnc has no SHA-2 in phase 1) */
	cr_assert_eq(load_str("crypto isakmp policy 7\n encr aes 256\n group 2\n"), 0);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA1);
	cr_assert_eq(load_str("crypto isakmp policy 7\n encr 3des\n hash sha384\n"), 0);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA384);

	/* tset and ipsec profile defaults */
	cr_assert_eq(load_str("crypto ipsec transform-set A esp-aes esp-sha-hmac\n"
	                      "crypto ipsec transform-set G esp-gcm\n"
	                      "crypto ipsec profile P\n set transform-set A G\n set pfs\n"), 0);
	cr_expect_eq(conf_find_tset(conf, "A")->keylen, 128);
	cr_expect_eq(conf_find_tset(conf, "G")->encr, ESP_ENCR_AES_GCM16);
	cr_expect_eq(conf_find_tset(conf, "G")->keylen, 128);
	cr_expect_eq(conf_find_tset(conf, "G")->auth, ESP_AUTH_NONE);
	cr_expect_eq(conf_find_ipsec_profile(conf, "P")->pfs_group, 2, "bare set pfs is group 2");
	cr_expect_eq(conf_find_ipsec_profile(conf, "P")->lifetime_seconds, 0);
	cr_expect_geq(find_msg("t.conf:5: warning: legacy algorithm 'set pfs (group2)'", NULL), 0);
}

/* a name configurations use for save-password: accepted as it, with a warning naming it */
Test(conf, user_save_password_is_save_password)
{
	cr_assert_eq(load_str("crypto isakmp client configuration group g\n key k\n"
	                      " user-save-password\n"), 0);
	const struct conf_group *g = conf_find_group(conf, "g");
	cr_assert_not_null(g);
	cr_expect_eq(g->save_password, 1);
	cr_expect_geq(find_msg("t.conf:3: warning: 'user-save-password' read as save-password", NULL),
	              0);
	cr_expect_eq(load_str("crypto isakmp client configuration group g\n key k\n"
	                      " user-save-password now\n"), 1, "one error: arguments after it");
}

Test(conf, legacy_warnings)
{
	const char *text =
		"crypto isakmp policy 1\n"
		" encr des\n"
		" hash md5\n"
		" group 1\n"
		"crypto isakmp policy 2\n"
		" encr 3des\n"
		" group 5\n"
		"crypto isakmp policy 3\n"
		" encr aes 256\n"
		" hash sha\n"
		" group 14\n"
		"crypto ipsec transform-set T esp-des esp-md5-hmac\n"
		"crypto ipsec transform-set M esp-aes 256 esp-sha256-hmac\n"
		"crypto ipsec profile P\n"
		" set transform-set T M\n"
		" set pfs group5\n";
	cr_assert_eq(load_str(text), 0);
	dump();
	cr_expect_eq(conf->uses_legacy, 1);
	static const char *const want[] = {
		"t.conf:2: warning: legacy algorithm 'encr des' enabled by configuration",
		"t.conf:3: warning: legacy algorithm 'hash md5' enabled by configuration",
		"t.conf:4: warning: legacy algorithm 'group 1' enabled by configuration",
		"t.conf:6: warning: legacy algorithm 'encr 3des' enabled by configuration",
		"t.conf:7: warning: legacy algorithm 'group 5' enabled by configuration",
		"t.conf:12: warning: legacy algorithm 'esp-des esp-md5-hmac' enabled by configuration",
		"t.conf:16: warning: legacy algorithm 'set pfs group5' enabled by configuration",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_geq(find_msg(want[k], NULL), 0, "missing: %s", want[k]);
	cr_expect_eq(dl->n, 7, "one warning per legacy line, none for modern ones");
	cr_expect_eq(conf->policy[0].encr, IKE_ENCR_DES);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_MD5);
	cr_expect_eq(conf->policy[1].hash, IKE_HASH_SHA1);

	cr_assert_eq(load_str("crypto isakmp policy 1\n encr aes 256\n hash sha512\n group 21\n"
	                      "crypto ipsec transform-set G esp-gcm 256\n"), 0);
	cr_expect_eq(conf->uses_legacy, 0);
	cr_expect_eq(dl->n, 0);
}

Test(conf, policies_sorted_and_merged)
{
	const char *text =
		"crypto isakmp policy 30\n encr aes\n"
		"crypto isakmp policy 10\n hash sha384\n"
		"crypto isakmp policy 20\n"
		"crypto isakmp policy 30\n lifetime 600\n";
	cr_assert_eq(load_str(text), 0);
	cr_assert_eq(conf->npolicy, 3);
	cr_expect_eq(conf->policy[0].priority, 10);
	cr_expect_eq(conf->policy[0].hash, IKE_HASH_SHA384);
	cr_expect_eq(conf->policy[1].priority, 20);
	cr_expect_eq(conf->policy[2].priority, 30);
	cr_expect_eq(conf->policy[2].keylen, 128, "re-entering keeps what was set");
	cr_expect_eq(conf->policy[2].lifetime, 600);
	cr_expect_eq(conf->policy[2].line, 1);
}

Test(conf, redact)
{
	cr_assert_eq(load_file("test/data/conf/good_full.conf"), 0);
	cr_assert_eq(conf->nisakmp_key, 2);
	cr_expect_str_eq(conf->isakmp_key[0].key, "peerkey");
	cr_expect_str_eq(conf_find_user(conf, "alice")->password, "pass word with spaces");
	conf_redact(conf);
	static const char zero[CONF_SECRET_MAX];
	for (int k = 0; k < CONF_MAX_GROUPS; k++)
		cr_expect_eq(memcmp(conf->group[k].key, zero, CONF_SECRET_MAX), 0);
	for (int k = 0; k < CONF_MAX_USERS; k++)
		cr_expect_eq(memcmp(conf->user[k].password, zero, CONF_SECRET_MAX), 0);
	for (int k = 0; k < CONF_MAX_ISAKMP_KEYS; k++)
		cr_expect_eq(memcmp(conf->isakmp_key[k].key, zero, CONF_SECRET_MAX), 0);
	cr_expect_eq(conf_find_group(conf, "staff")->has_key, 1, "has_key survives");
	cr_expect_str_eq(conf_find_user(conf, "alice")->name, "alice");
	cr_expect_eq(conf->isakmp_key[0].addr.s_addr, ip("203.0.113.0"));
}

Test(conf, full_sample_fields)
{
	cr_assert_eq(load_file("test/data/conf/good_full.conf"), 0);
	cr_expect_str_eq(conf->hostname, "vpn-hub");

	const struct conf_aaa_list *a = conf_find_aaa(conf, AAA_AUTHEN_LOGIN, "userauth");
	cr_assert(a);
	cr_expect_eq(a->nmethod, 2);
	cr_expect_eq(a->method[1], AAA_METHOD_GROUP);
	cr_expect_str_eq(a->group[1], "radius");
	a = conf_find_aaa(conf, AAA_ACCT_NETWORK, "acct");
	cr_assert(a);
	cr_expect_eq(a->method[0], AAA_METHOD_GROUP);

	cr_expect_str_eq(conf_find_user(conf, "bob")->password, "s3cret");
	cr_expect_str_eq(conf_find_user(conf, "carol")->password, "carolpw");

	cr_assert_eq(conf->npolicy, 2);
	cr_expect_eq(conf->policy[0].priority, 5);
	cr_expect_eq(conf->policy[0].keylen, 192);
	cr_expect_eq(conf->policy[0].auth, IKE_AUTH_RSA_SIG);
	cr_expect_eq(conf->policy[0].lifetime, 3600);
	cr_expect_eq(conf->policy[1].group, 19);
	cr_expect_eq(conf->policy[1].hash, IKE_HASH_SHA512);
	cr_expect_eq(conf->policy[1].lifetime, 7200);

	cr_expect_eq(conf->isakmp_key[0].mask.s_addr, ip("255.255.255.0"));
	cr_expect_eq(conf->isakmp_key[1].mask.s_addr, 0xffffffff);
	cr_expect_eq(conf->dpd_interval, 20);
	cr_expect_eq(conf->dpd_retry, 5);
	cr_expect_eq(conf->dpd_periodic, 1);
	cr_expect_eq(conf->natt_keepalive, 25);

	const struct conf_group *g = conf_find_group(conf, "staff");
	cr_assert(g);
	cr_expect_eq(g->ndns, 2);
	cr_expect_eq(g->dns[1].s_addr, ip("10.0.0.54"));
	cr_expect_eq(g->nwins, 1);
	cr_expect_str_eq(g->domain, "corp.example");
	cr_expect_str_eq(g->acl, "split");
	cr_expect_str_eq(g->banner, "Hello staff");
	cr_expect_eq(g->pfs, 1);
	cr_expect_eq(g->max_users, 50);
	cr_expect_eq(g->netmask.s_addr, ip("255.255.255.0"));
	g = conf_find_group(conf, "guests");
	cr_assert(g);
	cr_expect_str_eq(g->banner, "Welcome, guest.\n  Be nice.");
	cr_expect_eq(g->max_users, 5, "the block goes on after a multi-line banner");

	const struct conf_isakmp_profile *pr = conf_find_profile_for_group(conf, "guests");
	cr_assert(pr);
	cr_expect_str_eq(pr->name, "ra");
	cr_expect_eq(pr->config_initiate, 1);
	cr_expect_eq(pr->keepalive, 30);
	cr_expect_eq(pr->keepalive_retry, 4);
	cr_expect_null(conf_find_profile_for_group(conf, "nobody"));

	const struct conf_transform_set *ts = conf_find_tset(conf, "CBC");
	cr_assert(ts);
	cr_expect_eq(ts->keylen, 256);
	cr_expect_eq(ts->auth, ESP_AUTH_HMAC_SHA256_128);
	cr_expect_eq(ts->mode_transport, 1);
	cr_expect_eq(conf_find_tset(conf, "GCM")->keylen, 256);

	const struct conf_ipsec_profile *ip_ = conf_find_ipsec_profile(conf, "prof");
	cr_assert(ip_);
	cr_expect_eq(ip_->ntset, 3);
	cr_expect_eq(ip_->pfs_group, 14);
	cr_expect_eq(ip_->lifetime_seconds, 1800);
	cr_expect_eq(ip_->lifetime_kb, 100000);
	cr_expect_str_eq(ip_->isakmp_profile, "ra");
	cr_expect_eq(conf->sa_lifetime_seconds, 7200);
	cr_expect_eq(conf->sa_lifetime_kb, 9000000);
	cr_expect_eq(conf->replay_window, 4096);

	const struct conf_interface *t = conf_find_template(conf, 2);
	cr_assert(t);
	cr_expect_str_eq(t->name, "Virtual-Template2");
	cr_expect_eq(t->mtu, 1400);
	cr_expect_eq(t->tcp_mss, 1360);
	cr_expect_str_eq(t->acl_in, "split");
	cr_expect_eq(conf_find_iface(conf, "eth1")->shutdown, 1);
	cr_expect_str_eq(conf_find_iface(conf, "eth1")->acl_out, "101");
	cr_expect_str_eq(conf_find_iface(conf, "eth0")->description, "Outside, to the world");

	const struct conf_pool *pool = conf_find_pool(conf, "guestpool");
	cr_assert(pool);
	cr_expect_eq(pool->start.s_addr, pool->end.s_addr);

	/* wildcards become netmasks; host bits dropped */
	const struct conf_acl *acl = conf_find_acl(conf, "split");
	cr_assert(acl);
	cr_expect_eq(acl->extended, 1);
	cr_assert_eq(acl->nace, 5);
	cr_expect_eq(acl->ace[0].permit, 1);
	cr_expect_eq(acl->ace[0].proto, 0);
	cr_expect_eq(acl->ace[0].src.s_addr, ip("10.0.0.0"));
	cr_expect_eq(acl->ace[0].srcmask.s_addr, ip("255.255.0.0"));
	cr_expect_eq(acl->ace[0].dstmask.s_addr, 0);
	cr_expect_eq(acl->ace[1].permit, 0);
	cr_expect_eq(acl->ace[1].srcmask.s_addr, 0xffffffff);
	cr_expect_eq(acl->ace[2].proto, 6);
	cr_expect_eq(acl->ace[2].dport_lo, 80);
	cr_expect_eq(acl->ace[2].dport_hi, 80);
	cr_expect_eq(acl->ace[2].dstmask.s_addr, ip("255.255.255.0"));
	cr_expect_eq(acl->ace[3].proto, 17);
	cr_expect_eq(acl->ace[3].dport_lo, 5000);
	cr_expect_eq(acl->ace[3].dport_hi, 5100);
	cr_expect_eq(acl->ace[4].proto, 47);
	acl = conf_find_acl(conf, "10");
	cr_assert(acl);
	cr_expect_eq(acl->extended, 0);
	cr_assert_eq(acl->nace, 3);
	cr_expect_eq(acl->ace[0].srcmask.s_addr, ip("255.255.0.0"));
	cr_expect_eq(acl->ace[1].srcmask.s_addr, 0xffffffff);
	cr_expect_eq(acl->ace[1].src.s_addr, ip("10.6.0.1"));
	cr_expect_eq(conf_find_acl(conf, "101")->nace, 2);

	cr_assert_eq(conf->nroute, 3);
	cr_expect_str_eq(conf->route[1].ifname, "eth1");
	cr_expect_eq(conf->route[1].nexthop.s_addr, 0);
	cr_expect_str_eq(conf->route[2].ifname, "eth1");
	cr_expect_eq(conf->route[2].nexthop.s_addr, ip("10.0.0.253"));
}

Test(conf, wildcard_masks)
{
	cr_assert_eq(load_str("access-list 150 permit ip 10.1.2.3 0.0.0.255 192.168.0.0 0.0.255.255\n"
	                      "access-list 150 permit ip any 0.0.0.0 255.255.255.255\n"), 0);
	const struct conf_acl *acl = conf_find_acl(conf, "150");
	cr_assert(acl);
	cr_expect_eq(acl->ace[0].src.s_addr, ip("10.1.2.0"), "host bits dropped");
	cr_expect_eq(acl->ace[0].srcmask.s_addr, ip("255.255.255.0"));
	cr_expect_eq(acl->ace[0].dstmask.s_addr, ip("255.255.0.0"));
	cr_expect_eq(acl->ace[1].dstmask.s_addr, 0, "0.0.0.0 255.255.255.255 is any");
	cr_expect_eq(load_str("access-list 150 permit ip any 10.0.0.0 0.0.255.0\n"), 1);
}

Test(conf, banners)
{
	cr_assert_eq(load_str("crypto isakmp client configuration group g\n"
	                      " banner c one c\n"
	                      "crypto isakmp client configuration group h\n"
	                      " banner ^C\n"
	                      "line one\n"
	                      "\n"
	                      "hostname not-a-command\n"
	                      "end of banner ^C\n"
	                      " pfs\n"
	                      "hostname real\n"), 0);
	cr_expect_str_eq(conf_find_group(conf, "g")->banner, "one");
	cr_expect_str_eq(conf_find_group(conf, "h")->banner,
	                 "line one\n\nhostname not-a-command\nend of banner");
	cr_expect_eq(conf_find_group(conf, "h")->pfs, 1);
	cr_expect_str_eq(conf->hostname, "real");

	/* \x03 is the real Ctrl-C */
	cr_assert_eq(load_str("crypto isakmp client configuration group g\n banner \x03hi\x03\n"), 0);
	cr_expect_str_eq(conf_find_group(conf, "g")->banner, "hi");

	cr_expect_eq(load_str("crypto isakmp client configuration group g\n banner ^C hi ^C x\n"), 1);

	/* too long: an error, kept truncated and terminated */
	char *big = malloc(4000);
	cr_assert(big);
	int n = snprintf(big, 4000, "crypto isakmp client configuration group g\n banner #");
	for (int k = 0; k < 20; k++)
		n += snprintf(big + n, 4000 - (size_t)n, "%s\n", "0123456789012345678901234567890123456789");
	snprintf(big + n, 4000 - (size_t)n, "#\n");
	cr_expect_eq(load_str(big), 1);
	cr_expect_geq(find_msg("t.conf:2: error: banner is too long", NULL), 0);
	cr_expect_eq(strlen(conf_find_group(conf, "g")->banner), CONF_TEXT_MAX - 1);
	free(big);
}

Test(conf, names_truncated)
{
	char text[600], longname[200];

	memset(longname, 'x', 100);
	longname[100] = '\0';
	snprintf(text, sizeof(text), "hostname %s\ncrypto isakmp profile %s\n virtual-template 1\n",
	         longname, longname);
	cr_expect_eq(load_str(text), 2);
	cr_expect_eq(conf->hostname[0], '\0', "a refused name is not stored");
	cr_expect_eq(conf->nprofile, 0);
	cr_expect_eq(dl->n, 2, "the block's lines are dropped with it");

	snprintf(text, sizeof(text), "interface %s\n", "eth0123456789abcdef");
	cr_expect_eq(load_str(text), 1);
	cr_expect_geq(find_msg("bad interface name", NULL), 0);

	/* 63 characters fit exactly */
	memset(longname, 'y', 63);
	longname[63] = '\0';
	snprintf(text, sizeof(text), "hostname %s\n", longname);
	cr_expect_eq(load_str(text), 0);
	cr_expect_str_eq(conf->hostname, longname);
}

Test(conf, capacity_limits)
{
	size_t sz = 64 * 1024, n = 0;
	char *text = malloc(sz);
	cr_assert(text);
	for (int k = 1; k <= CONF_MAX_POLICIES + 3; k++)
		n += (size_t)snprintf(text + n, sz - n, "crypto isakmp policy %d\n encr aes\n", k);
	for (int k = 0; k < CONF_MAX_ACES + 1; k++)
		n += (size_t)snprintf(text + n, sz - n, "access-list 1 permit host 10.0.0.%d\n", k);
	for (int k = 0; k < CONF_MAX_PROFILE_MATCH + 1; k++)
		n += (size_t)snprintf(text + n, sz - n, "crypto isakmp client configuration group g%d\n",
		                      k);
	n += (size_t)snprintf(text + n, sz - n, "crypto isakmp profile p\n");
	for (int k = 0; k < CONF_MAX_PROFILE_MATCH + 1; k++)
		n += (size_t)snprintf(text + n, sz - n, " match identity group g%d\n", k);
	cr_expect_eq(load_str(text), 3 + 1 + 1);
	cr_expect_eq(conf->npolicy, CONF_MAX_POLICIES);
	cr_expect_eq(conf_find_acl(conf, "1")->nace, CONF_MAX_ACES);
	cr_expect_eq(conf->profile[0].nmatch_group, CONF_MAX_PROFILE_MATCH);
	free(text);
}

Test(conf, garbage_does_not_crash)
{
	/* NUL bytes, overlong lines, too many words, CRLF, a lone delimiter */
	static const char nul[] = "hostname a\0b\nhostname ok\r\n";
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_load_buf("t.conf", nul, sizeof(nul) - 1, conf, confload_collect, dl), 1);
	cr_expect_str_eq(conf->hostname, "ok");

	char *big = malloc(10000);
	cr_assert(big);
	memset(big, 'a', 9999);
	big[9999] = '\0';
	cr_expect_eq(load_str(big), 1);
	cr_expect_geq(find_msg("line is too long", NULL), 0);

	char words[400] = "hostname";
	for (int k = 0; k < 60; k++)
		strcat(words, " w");
	cr_expect_eq(load_str(words), 1);

	cr_expect_eq(load_str("crypto isakmp client configuration group g\n banner ^"), 1);
	cr_expect_eq(load_str(" \n\t\n!\n"), 0);
	cr_expect_eq(load_str("\xef\xbb\xbfhostname bom\n"), 0);
	cr_expect_str_eq(conf->hostname, "bom");

	/* control bytes never reach the diagnostics */
	cr_expect_eq(load_str("host\x1b[31mname x\n"), 1);
	cr_expect_null(strchr(dl->msg[0], '\x1b'));

	/* NULL diag goes to stderr; NULL buffer is an empty file */
	cr_expect_eq(conf_load_buf(NULL, NULL, 0, conf, NULL, NULL), 0);
	cr_expect_eq(conf_load_buf("x", "bogus\n", 6, conf, NULL, NULL), 1);
	free(big);
}

Test(conf, missing_file)
{
	cr_expect_eq(load_file("test/data/conf/no-such-file.conf"), 1);
	cr_expect_geq(find_msg("no-such-file.conf:0: error: cannot read the file", NULL), 0);
	cr_expect_eq(conf->replay_window, 1024, "defaults still applied");
	cr_expect_eq(load_file("test/data/conf"), 1, "a directory is refused");
}

Test(conf, unused_secrets_not_echoed)
{
	char text[600];
	char key[200];

	memset(key, 'S', 150);
	key[150] = '\0';
	snprintf(text, sizeof(text), "crypto isakmp client configuration group g\n key %s\n", key);
	cr_expect_eq(load_str(text), 1);
	cr_expect_null(strstr(dl->msg[0], "SSSS"), "%s", dl->msg[0]);
	cr_expect_eq(conf_find_group(conf, "g")->has_key, 0);
}

Test(conf, template_without_protection)
{
	cr_expect_eq(load_str("crypto isakmp profile p\n virtual-template 1\n"
	                      "interface Virtual-Template1 type tunnel\n ip unnumbered eth0\n"), 1);
	cr_expect_geq(find_msg("t.conf:3: error: interface Virtual-Template1 is used by isakmp "
	                       "profile 'p' but has no protection", NULL), 0);
}

Test(conf, reference_replaced)
{
	/* only the last value of a field is checked */
	cr_expect_eq(load_str("crypto isakmp client configuration group g\n pool nope\n pool p\n"
	                      "ip local pool p 10.0.0.1 10.0.0.9\n"), 0);
	cr_expect_eq(load_str("crypto ipsec transform-set T esp-gcm\n"
	                      "crypto ipsec profile x\n set transform-set T NOPE\n"
	                      " set transform-set T\n"), 0);
}

Test(conf, control_socket_group)
{
	cr_expect_eq(load_str("control-socket group root\n"), 0);
	cr_expect_str_eq(conf->control_group, "root");
	cr_expect_eq(conf->control_gid, 0);
	cr_expect_eq(load_str("hostname x\ncontrol-socket group no-such-group-vpnd\n"), 1);
	cr_expect_str_eq(dl->msg[0], "t.conf:2: error: no system group named 'no-such-group-vpnd'");
	cr_expect_eq(load_str("control-socket user root\n"), 1);
	cr_expect(strstr(dl->msg[0], "t.conf:1: error:") != NULL, "%s", dl->msg[0]);
	cr_expect_eq(load_str("control-socket group\n"), 1);
	cr_expect(strstr(dl->msg[0], "t.conf:1: error:") != NULL, "%s", dl->msg[0]);
}

Test(conf, keyrings_and_profiles_by_address)
{
	int n = load_str("interface eth0\n ip address 198.51.100.1 255.255.255.0\n"
	                 "crypto keyring KA\n local-address eth0\n"
	                 " pre-shared-key address 203.0.113.7 key 0 secretA\n"
	                 " pre-shared-key address 203.0.113.0 255.255.255.0 key netkey\n"
	                 "crypto keyring KB\n local-address 198.51.100.2\n"
	                 " pre-shared-key address 203.0.113.9 255.255.255.0 key secretB\n"
	                 "crypto isakmp profile pa\n match identity address 203.0.113.0 255.255.255.0\n"
	                 " match identity address 192.0.2.1\n keyring KA\n self-identity fqdn\n"
	                 " local-address eth0\n client configuration group g\n"
	                 "crypto isakmp client configuration group g\n");
	dump();
	cr_assert_eq(n, 0);
	cr_assert_eq(conf->nkeyring, 2);
	const struct conf_keyring *ka = conf_find_keyring(conf, "KA"), *kb = conf_find_keyring(conf, "KB");
	cr_assert(ka && kb);
	cr_expect_str_eq(ka->local_address, "eth0");
	cr_expect_eq(ka->npsk, 2);
	cr_expect_str_eq(ka->psk[0].key, "secretA");
	cr_expect_eq(ka->psk[0].mask.s_addr, 0xffffffff);
	cr_expect_eq(ka->psk[1].addr.s_addr, ip("203.0.113.0"));
	cr_expect_eq(kb->psk[0].addr.s_addr, ip("203.0.113.0"), "address masked");
	struct in_addr a;
	cr_expect_eq(conf_local_address(conf, ka->local_address, &a), 1);
	cr_expect_eq(a.s_addr, ip("198.51.100.1"));
	cr_expect_eq(conf_local_address(conf, kb->local_address, &a), 1);
	cr_expect_eq(a.s_addr, ip("198.51.100.2"));
	const struct conf_isakmp_profile *pr = &conf->profile[0];
	cr_expect_eq(pr->nmatch_addr, 2);
	cr_expect_str_eq(pr->keyring, "KA");
	cr_expect_eq(pr->self_identity, SELF_ID_FQDN);
	cr_expect_str_eq(pr->client_group, "g");
	union sa46 peer, other;
	sa46_from4(&peer, (struct in_addr){ ip("203.0.113.200") }, 0);
	sa46_from4(&other, (struct in_addr){ ip("192.0.2.2") }, 0);
	cr_expect(conf_profile_matches_addr(pr, &peer));
	cr_expect_not(conf_profile_matches_addr(pr, &other));
	conf_redact(conf);
	static const char zero[CONF_SECRET_MAX];
	cr_expect_eq(memcmp(ka->psk[0].key, zero, CONF_SECRET_MAX), 0, "keyring keys redacted");
	cr_expect_eq(memcmp(kb->psk[0].key, zero, CONF_SECRET_MAX), 0);
}

Test(conf, keyring_errors)
{
	cr_expect_eq(load_str("crypto keyring K\n pre-shared-key address 203.0.113.7 secret\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "or key KEY"), 0);
	cr_expect_eq(find_msg("secret", NULL), -1, "a key in the wrong place is not echoed");
	cr_expect_eq(load_str("crypto keyring K\n pre-shared-key address 203.0.113.7 key\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "expected a key"), 0);
	cr_expect_eq(load_str("crypto keyring K\n pre-shared-key address 203.0.113.7 key 7 0x12\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "only clear-text keys"), 0);
	cr_expect_eq(load_str("crypto keyring K\n pre-shared-key address 300.1.1.1 key k\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "peer address"), 0);
	cr_expect_eq(load_str("crypto keyring K\n local-address eth9\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error: local-address 'eth9'", "expected IFACE, A.B.C.D or X:X:X:X::X"), 0);
	cr_expect_eq(load_str("crypto isakmp profile p\n keyring NOPE\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error: keyring 'NOPE' is not defined", NULL), 0);
	cr_expect_eq(load_str("crypto isakmp profile p\n self-identity user-fqdn\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "expected address or fqdn"), 0);
	cr_expect_eq(load_str("crypto isakmp profile p\n match identity address 10.0.0.1 255.0.255.0\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error:", "mask"), 0);
	cr_expect_eq(load_str("crypto isakmp profile p\n client configuration group nope\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error: group 'nope' is not defined", NULL), 0);
	cr_expect_eq(load_str("crypto keyring K vrf X\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error:", "VRF"), 0);
	/* the key is never echoed back */
	cr_expect_eq(load_str("crypto keyring K\n pre-shared-key address 203.0.113.7 key SeCrEtK extra\n"), 1);
	cr_expect_eq(find_msg("SeCrEtK", NULL), -1);
}

/* ---- one interface line from RADIUS (ip:interface-config), parsed like the template's ---- */

Test(conf, iface_line_uses_the_template_parser)
{
	cr_assert_eq(load_str("ip access-list extended out1\n permit ip any any\n"), 0);
	struct conf_interface ifc;
	char why[160];
	memset(&ifc, 0, sizeof(ifc));
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip mtu 1300", why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(ifc.mtu, 1300);
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip tcp adjust-mss 1200", why, sizeof(why)), 0);
	cr_assert_eq(ifc.tcp_mss, 1200);
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip access-group out1 out", why, sizeof(why)), 0);
	cr_assert_str_eq(ifc.acl_out, "out1");
	/* the template's own range and words */
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip mtu 20", why, sizeof(why)), -1);
	cr_assert(strstr(why, "MTU") != NULL, "%s", why);
	cr_assert_eq(ifc.mtu, 1300, "a refused line changes nothing");
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip access-group out1 sideways", why, sizeof(why)),
	             -1);
	cr_assert(strstr(why, "expected in or out") != NULL, "%s", why);
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip access-group nosuch in", why, sizeof(why)), -1);
	cr_assert(strstr(why, "'nosuch' is not configured") != NULL, "%s", why);
	/* template-only and unknown commands are not for a session's interface */
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip address 10.0.0.1 255.255.255.0", why,
	                             sizeof(why)), -1);
	cr_assert_eq(ifc.has_addr, 0);
	cr_assert_eq(conf_iface_line(conf, &ifc, "tunnel mode ipsec ipv4", why, sizeof(why)), -1);
	cr_assert_eq(conf_iface_line(conf, &ifc, "", why, sizeof(why)), -1);
	cr_assert_eq(conf_iface_line(conf, &ifc, "ip", why, sizeof(why)), -1);
}

/* ipv6 traffic-filter from RADIUS: an ipv6 access-list of the file, nothing else of IPv6 */
Test(conf, iface_line_ipv6_traffic_filter)
{
	cr_assert_eq(load_str("ipv6 access-list v6a\n permit ipv6 any any\n"
	                      "ip access-list extended out1\n permit ip any any\n"), 0);
	struct conf_interface ifc;
	char why[160];
	memset(&ifc, 0, sizeof(ifc));
	cr_assert_eq(conf_iface_line(conf, &ifc, "ipv6 traffic-filter v6a in", why, sizeof(why)), 0,
	             "%s", why);
	cr_assert_str_eq(ifc.acl6_in, "v6a");
	cr_assert_eq(conf_iface_line(conf, &ifc, "ipv6 traffic-filter v6a out", why, sizeof(why)), 0);
	cr_assert_str_eq(ifc.acl6_out, "v6a");
	cr_assert_eq(conf_iface_line(conf, &ifc, "ipv6 traffic-filter out1 in", why, sizeof(why)),
	             -1, "an IPv4 access list taken as IPv6");
	cr_assert(strstr(why, "ipv6 access list 'out1' is not configured here") != NULL, "%s", why);
	cr_assert_str_eq(ifc.acl6_in, "v6a", "a refused line changes nothing");
	cr_assert_eq(conf_iface_line(conf, &ifc, "ipv6 enable", why, sizeof(why)), -1);
	cr_assert(strstr(why, "expected ip mtu, ip tcp adjust-mss, ip access-group or ipv6 "
	                      "traffic-filter") != NULL, "%s", why);
	cr_assert_eq(conf_iface_line(conf, &ifc, "ipv6 traffic-filter v6a sideways", why,
	                             sizeof(why)), -1);
}

Test(conf, dynamic_author)
{
	cr_assert_eq(load_str("aaa server radius dynamic-author\n"
	                      " client 127.0.0.1 server-key 0 CoaKey1\n"
	                      " client 10.0.0.9\n"
	                      " server-key DefKey\n"
	                      " ignore session-key\n"), 0);
	const struct conf_dynauth *d = &conf->dynauth;
	cr_expect_eq(d->enabled, 1);
	cr_expect_eq(d->port, 1700, "IOS's default port");
	cr_assert_eq(d->nclient, 2);
	cr_expect_eq(d->client[0].addr.s_addr, ip("127.0.0.1"));
	cr_expect_str_eq(d->client[0].key, "CoaKey1");
	cr_expect_str_eq(d->client[1].key, "");
	cr_expect_str_eq(d->server_key, "DefKey");
	cr_expect_eq(d->auth_type_any, 0);
	cr_expect_eq(d->ignore_session_key, 1);
	conf_redact(conf);
	cr_expect_str_eq(conf->dynauth.client[0].key, "", "redacted");
	cr_expect_str_eq(conf->dynauth.server_key, "", "redacted");

	cr_assert_eq(load_str("aaa server radius dynamic-author\n port 3799\n auth-type any\n"
	                      " client 10.1.1.1 server-key k1\n client 10.1.1.1 server-key k2\n"), 0);
	cr_expect_eq(conf->dynauth.port, 3799);
	cr_expect_eq(conf->dynauth.auth_type_any, 1);
	cr_expect_eq(conf->dynauth.nclient, 1, "the same client twice: one entry");
	cr_expect_str_eq(conf->dynauth.client[0].key, "k2", "the later line wins");

	/* a client on IPv6, given twice in two spellings: one entry */
	cr_assert_eq(load_str("aaa server radius dynamic-author\n client 10.1.1.1 server-key k1\n"
	                      " client ::1 server-key k6\n client 0:0::1 server-key k7\n"), 0);
	cr_assert_eq(conf->dynauth.nclient, 2);
	cr_expect_eq(conf->dynauth.client[0].family, AF_INET);
	cr_expect_eq(conf->dynauth.client[1].family, AF_INET6);
	cr_expect(IN6_IS_ADDR_LOOPBACK(&conf->dynauth.client[1].addr6));
	cr_expect_str_eq(conf->dynauth.client[1].key, "k7");
	char a[INET6_ADDRSTRLEN];
	cr_expect_str_eq(conf_dynauth_client_addr(&conf->dynauth.client[1], a, sizeof(a)), "::1");
	cr_expect_str_eq(conf_dynauth_client_addr(&conf->dynauth.client[0], a, sizeof(a)),
	                 "10.1.1.1");

	cr_assert_eq(load_str("hostname x\n"), 0);
	cr_expect_eq(conf->dynauth.enabled, 0);
}

Test(conf, dynamic_author_errors)
{
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 10.0.0.9\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error", "client 10.0.0.9 has no key"), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 10.0.0.9 vrf x\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error", "'vrf' is not supported"), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n ignore server-key\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error", "'ignore server-key' is not supported"), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n auth-type session-key\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n port 0\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 1.2.3 server-key k\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client fd00::1::2 server-key k\n"),
	             1);
	cr_expect_geq(find_msg("t.conf:2: error", "expected an IPv4 or a unicast IPv6 address"), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client ff02::1 server-key k\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client :: server-key k\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client fd00::9\n"), 1);
	cr_expect_geq(find_msg("t.conf:2: error", "client fd00::9 has no key"), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 1.2.3.4 server-key 7 0822\n"), 1);
	cr_expect_geq(find_msg("only clear-text keys", NULL), 0);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 1.2.3.4 server-key a b\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author\n domain stripping\n"), 1);
	cr_expect_eq(load_str("aaa server radius dynamic-author extra\n"), 1);
	/* the secret never appears in a message */
	cr_expect_eq(load_str("aaa server radius dynamic-author\n client 1.2.3.4 server-key "
	                      "SecretSecretSecretSecretSecretSecretSecretSecretSecretSecret\n"), 1);
	cr_expect_eq(find_msg("SecretSecret", NULL), -1);
}

Test(conf, admission_and_lockout)
{
	cr_assert_eq(load_str(""), 0);
	cr_expect_eq(conf->aggressive_disable, 0);
	cr_expect_eq(conf->cac_in_negotiation, CONF_CAC_IN_NEGOTIATION);
	cr_expect_eq(conf->cac_in_negotiation_peer, CONF_CAC_IN_NEGOTIATION_PEER);
	cr_expect_eq(conf->cac_ike_sa, 0);
	cr_expect_eq(conf->aaa_max_fail, 0);

	cr_assert_eq(load_str("crypto isakmp aggressive-mode disable\n"
	                      "crypto call admission limit ike in-negotiation-sa 300\n"
	                      "crypto call admission limit ike sa 2000\n"
	                      "aaa local authentication attempts max-fail 3\n"), 0);
	cr_expect_eq(conf->aggressive_disable, 1);
	cr_expect_eq(conf->cac_in_negotiation, 300);
	cr_expect_eq(conf->cac_in_negotiation_peer, CONF_CAC_IN_NEGOTIATION_PEER);
	cr_expect_eq(conf->cac_ike_sa, 2000);
	cr_expect_eq(conf->aaa_max_fail, 3);
	/* a per-peer limit is never above the total */
	cr_assert_eq(load_str("crypto call admission limit ike in-negotiation-sa 50\n"), 0);
	cr_expect_eq(conf->cac_in_negotiation_peer, 50);
	cr_assert_eq(load_str("crypto call admission limit ike in-negotiation-sa 50 per-peer 5\n"), 0);
	cr_expect_eq(conf->cac_in_negotiation_peer, 5);

	cr_expect_eq(load_str("crypto isakmp aggressive-mode enable\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "expected disable"), 0);
	cr_expect_eq(load_str("crypto isakmp aggressive-mode\n"), 1);
	cr_expect_eq(load_str("crypto call admission limit ike in-negotiation-sa 5\n"), 1);
	cr_expect_eq(load_str("crypto call admission limit ike in-negotiation-sa 50 per-peer 51\n"), 1);
	cr_expect_eq(load_str("crypto call admission limit ike in-negotiation-sa 50 peer 5\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "expected per-peer M"), 0);
	cr_expect_eq(load_str("crypto call admission limit ike foo 5\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "expected in-negotiation-sa or sa"), 0);
	cr_expect_eq(load_str("crypto call admission limit ike sa\n"), 1);
	cr_expect_eq(load_str("aaa local authentication attempts max-fail 0\n"), 1);
	cr_expect_eq(load_str("aaa local authentication attempts max-tries 3\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "expected max-fail"), 0);
}

/* ip http server [address A] / ip http port N: the metrics endpoint, loopback and 9642 by
 * default; the router's other HTTP settings load with a warning */
Test(conf, http_server)
{
	char a[INET_ADDRSTRLEN];

	cr_assert_eq(load_str("hostname h\n"), 0);
	cr_expect_eq(conf->http_server, 0);
	cr_expect_eq(conf->http_port, CONF_HTTP_PORT);
	cr_expect_str_eq(inet_ntop(AF_INET, &conf->http_addr, a, sizeof(a)), "127.0.0.1");
	cr_assert_eq(load_str("ip http server\n"), 0);
	cr_expect_eq(conf->http_server, 1);
	cr_expect_str_eq(inet_ntop(AF_INET, &conf->http_addr, a, sizeof(a)), "127.0.0.1");
	cr_assert_eq(load_str("ip http server address 10.2.1.1\nip http port 9100\n"
	                      "ip http secure-server\nip http authentication local\n"), 0);
	cr_expect_eq(conf->http_server, 1);
	cr_expect_eq(conf->http_port, 9100);
	cr_expect_str_eq(inet_ntop(AF_INET, &conf->http_addr, a, sizeof(a)), "10.2.1.1");
	cr_expect_geq(find_msg("t.conf:3: warning", "secure-server"), 0);
	cr_assert_eq(load_str("ip http server\nno ip http server\n"), 0);
	cr_expect_eq(conf->http_server, 0);
	cr_assert_eq(load_str("ip http server\nip http access-class 10\naccess-list 10 permit host "
	                      "127.0.0.1\n"), 0);
	cr_expect_str_eq(conf->http_acl, "10");
	cr_assert_eq(load_str("ip http access-class ipv4 prom\nip access-list standard prom\n"
	                      " permit 10.2.1.0 0.0.0.255\n"), 0);
	cr_expect_str_eq(conf->http_acl, "prom");
	cr_expect_eq(load_str("ip http access-class nosuch\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "access list 'nosuch' is not defined"), 0);
	cr_expect_eq(load_str("ip http access-class\n"), 1);
	cr_expect_eq(load_str("ip http access-class ipv4\n"), 1);

	cr_expect_eq(load_str("ip http port 0\n"), 1);
	cr_expect_eq(load_str("ip http port 65536\n"), 1);
	cr_expect_eq(load_str("ip http port\n"), 1);
	cr_expect_eq(load_str("ip http server address\n"), 1);
	cr_expect_eq(load_str("ip http server address 10.2.1.300\n"), 1);
	cr_expect_eq(load_str("ip http server 10.2.1.1\n"), 1);
	cr_expect_geq(find_msg("t.conf:1: error", "expected address A.B.C.D"), 0);
	cr_expect_eq(load_str("ip http server address 10.2.1.1 extra\n"), 1);
}

Test(conf, split_dns)
{
	cr_assert_eq(load_str("crypto isakmp client configuration group g\n"
	                      " split-dns corp.example\n split-dns lab.example\n"
	                      " split-dns corp.example\n"), 0);
	const struct conf_group *g = conf_find_group(conf, "g");
	cr_assert_eq(g->nsplit_dns, 2, "a repeated domain is kept once");
	cr_expect_str_eq(g->split_dns[1], "lab.example");
	cr_expect_eq(load_str("crypto isakmp client configuration group g\n split-dns a,b\n"), 1);
	cr_expect(strstr(dl->msg[0], "expected one domain per line"), "%s", dl->msg[0]);
	char text[1024] = "crypto isakmp client configuration group g\n";
	for (int k = 0; k <= CONF_MAX_SPLIT_DNS; k++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " split-dns d%d.example\n", k);
	cr_expect_eq(load_str(text), 1, "an eleventh domain");
}

/* db history keep DAYS: days from 1 to 36500; without it the history stays (0) */
Test(conf, db_history_keep)
{
	cr_assert_eq(load_str("hostname a\n"), 0);
	cr_expect_eq(conf->db_history_keep_days, 0);
	cr_assert_eq(load_str("db history keep 90\n"), 0);
	cr_expect_eq(conf->db_history_keep_days, 90);
	cr_assert_eq(load_str("db history keep 36500\n"), 0);
	cr_expect_eq(conf->db_history_keep_days, 36500);
	static const char *const bad[] = {
		"db history keep 0\n", "db history keep 36501\n", "db history keep -1\n",
		"db history keep ten\n", "db history keep\n", "db history keep 30 days\n",
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int e = load_str(bad[k]);
		if (e != 1)
			dump();
		cr_expect_eq(e, 1, "%s", bad[k]);
		cr_expect_geq(find_msg("t.conf:1", NULL), 0, "%s", bad[k]);
	}
}
