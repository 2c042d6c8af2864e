/*
 * The crypto ikev2 lines (common/conf_ikev2.c, conf_ikev2_prof.c): what each stores, IOS's
 * built-in defaults, the proposal rules, the cross-checks, and the FILE:LINE refusals.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alg.h"
#include "common/conf.h"

#ifndef CONF_TEST_SRCDIR
#define CONF_TEST_SRCDIR "."
#endif

static struct vpnd_conf *conf;
static char errs[8192], warns[8192];

static void collect(void *arg, int is_error, const char *msg)
{
	char *b = is_error ? errs : warns;
	(void)arg;
	snprintf(b + strlen(b), sizeof(errs) - strlen(b), "%s\n", msg);
}

static int load(const char *text)
{
	errs[0] = warns[0] = '\0';
	memset(conf, 0, sizeof(*conf));
	return conf_load_buf("t.conf", text, strlen(text), conf, collect, NULL);
}

/* text loads with exactly one error, which contains want */
static void refused(const char *text, const char *want)
{
	int n = load(text);
	cr_expect_eq(n, 1, "%d errors for:\n%s\n---\n%s", n, text, errs);
	cr_expect_not_null(strstr(errs, want), "missing '%s' in:\n%s", want, errs);
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

TestSuite(conf_ikev2, .init = setup, .fini = teardown);

/* What the profile tests build on: one keyring, one template with protection. */
#define BASE \
	"aaa new-model\naaa authentication login L local\naaa authorization network N local\n" \
	"aaa accounting network A start-stop group radius\n" \
	"crypto ikev2 keyring K\n peer p\n  address 10.0.0.2\n  pre-shared-key k\n" \
	"crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac\n" \
	"crypto ipsec profile IP\n set transform-set T\n" \
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth0\n" \
	" tunnel mode ipsec ipv4\n tunnel protection ipsec profile IP\n" \
	"interface eth0\n ip address 10.0.0.1 255.255.255.0\n"
#define PSK_PROFILE \
	"crypto ikev2 profile PR\n match identity remote any\n authentication local pre-share\n" \
	" authentication remote pre-share\n keyring local K\n"

Test(conf_ikev2, proposal_words)
{
	cr_assert_eq(load("crypto ikev2 proposal P\n encryption aes-cbc-256 aes-cbc-128\n"
	                  " encryption aes-cbc-192 aes-cbc-256\n integrity sha256 sha512\n"
	                  " integrity sha384\n group 14 19\n group 20 21 15 16\n"), 0, "%s", errs);
	const struct conf_ikev2_proposal *p = conf_find_v2_proposal(conf, "P");
	cr_assert_not_null(p);
	cr_expect_eq(p->nencr, 3, "a repeated word counts once");
	cr_expect_eq(p->encr[0].id, 12);
	cr_expect_eq(p->encr[0].bits, 256);
	cr_expect_eq(p->encr[1].bits, 128);
	cr_expect_eq(p->encr[2].bits, 192);
	cr_expect_eq(p->ninteg, 3);
	cr_expect_eq(p->integ[0], 12);
	cr_expect_eq(p->integ[1], 14);
	cr_expect_eq(p->integ[2], 13);
	/* prf defaults from integrity, the same hashes in the same order (PRF IDs 5, 7, 6) */
	cr_expect_eq(p->nprf, 3);
	cr_expect_eq(p->prf[0], 5);
	cr_expect_eq(p->prf[1], 7);
	cr_expect_eq(p->prf[2], 6);
	cr_expect_eq(p->prf_set, 0);
	cr_expect_eq(p->ngroup, 6);
	cr_expect_eq(p->group[5], 16);
	cr_expect_eq(p->aead, 0);
	cr_expect_eq(p->builtin, 0);
	cr_expect_eq(conf->uses_legacy, 0);
	cr_expect_eq(warns[0], '\0', "%s", warns);
}

Test(conf_ikev2, proposal_gcm_and_prf)
{
	cr_assert_eq(load("crypto ikev2 proposal G\n encryption aes-gcm-256 aes-gcm-128\n"
	                  " prf sha512 sha1\n group 19\n"), 0, "%s", errs);
	const struct conf_ikev2_proposal *p = conf_find_v2_proposal(conf, "G");
	cr_assert_not_null(p);
	cr_expect_eq(p->aead, 1);
	cr_expect_eq(p->encr[0].id, 20);
	cr_expect_eq(p->encr[0].bits, 256);
	cr_expect_eq(p->ninteg, 0);
	cr_expect_eq(p->nprf, 2);
	cr_expect_eq(p->prf[0], 7);
	cr_expect_eq(p->prf[1], 2);
	cr_expect_eq(p->prf_set, 1);
	/* an explicit prf on a CBC proposal is kept as written */
	cr_assert_eq(load("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha1\n"
	                  " prf sha256\n group 14\n"), 0, "%s", errs);
	p = conf_find_v2_proposal(conf, "C");
	cr_expect_eq(p->nprf, 1);
	cr_expect_eq(p->prf[0], 5);
}

Test(conf_ikev2, proposal_rules)
{
	refused("crypto ikev2 proposal G\n encryption aes-gcm-128\n integrity sha256\n prf sha256\n"
	        " group 19\n", "t.conf:1: error: ikev2 proposal 'G' has a GCM cipher and integrity");
	refused("crypto ikev2 proposal G\n encryption aes-gcm-128\n group 19\n",
	        "t.conf:1: error: ikev2 proposal 'G' has a GCM cipher but no prf");
	refused("crypto ikev2 proposal C\n encryption aes-cbc-128\n group 19\n",
	        "t.conf:1: error: ikev2 proposal 'C' has no integrity");
	refused("crypto ikev2 proposal C\n integrity sha256\n group 19\n",
	        "ikev2 proposal 'C' has no encryption");
	refused("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha256\n",
	        "ikev2 proposal 'C' has no DH group");
	cr_expect_eq(load("crypto ikev2 proposal M\n encryption aes-gcm-128 aes-cbc-128\n"
	                  " prf sha256\n group 19\n"), 2, "%s", errs);
	cr_expect_not_null(strstr(errs, "mixes GCM and CBC"), "%s", errs);
	refused("crypto ikev2 proposal C\n encryption aes-ctr-128\n encryption aes-cbc-128\n"
	        " integrity sha1\n group 14\n",
	        "t.conf:2: error: bad encryption 'aes-ctr-128', expected aes-cbc-128");
	refused("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha\n group 14\n"
	        " integrity sha1\n",
	        "t.conf:3: error: bad integrity 'sha', expected sha1");
	refused("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha1\n prf sha3\n"
	        " group 14\n", "t.conf:4: error: bad prf 'sha3'");
	refused("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha1\n group 14 22\n"
	        " group 14\n",
	        "t.conf:4: error: bad DH group '22'");
	/* one bad word refuses the whole line: nothing of it is kept */
	cr_expect_eq(load("crypto ikev2 proposal C\n encryption aes-cbc-128\n integrity sha1\n"
	                  " group 14 99\n group 19\n"), 1, "%s", errs);
	cr_expect_eq(conf_find_v2_proposal(conf, "C")->ngroup, 1);
}

/* 3DES, MD5 and DH 1, 2, 5 (and 24) warn as legacy, as the IKEv1 lines do; SHA-1 does not */
Test(conf_ikev2, proposal_legacy)
{
	cr_assert_eq(load("crypto ikev2 proposal L\n encryption 3des\n integrity md5\n"
	                  " group 1 2 5 24\n"), 0, "%s", errs);
	cr_expect_eq(conf->uses_legacy, 1);
	cr_expect_not_null(strstr(warns, "t.conf:2: warning: legacy algorithm '3des'"), "%s", warns);
	cr_expect_not_null(strstr(warns, "t.conf:3: warning: legacy algorithm 'md5'"), "%s", warns);
	cr_expect_not_null(strstr(warns, "t.conf:4: warning: legacy algorithm 'group 5'"), "%s",
	                   warns);
	cr_expect_not_null(strstr(warns, "legacy algorithm 'group 24'"), "%s", warns);
	const struct conf_ikev2_proposal *p = conf_find_v2_proposal(conf, "L");
	cr_expect_eq(p->encr[0].id, 3);
	cr_expect_eq(p->encr[0].bits, 0);
	cr_expect_eq(p->prf[0], 1, "md5's prf derived");
	cr_assert_eq(load("crypto ikev2 proposal S\n encryption aes-cbc-128\n integrity sha1\n"
	                  " group 14\n"), 0, "%s", errs);
	cr_expect_eq(conf->uses_legacy, 0);
	cr_expect_eq(warns[0], '\0', "%s", warns);
	/* group 24 is an IKEv2 word only: IKEv1 policies still refuse it */
	cr_expect_eq(load("crypto isakmp policy 1\n group 24\n"), 1, "%s", errs);
}

Test(conf_ikev2, defaults)
{
	cr_assert_eq(load("hostname h\n"), 0, "%s", errs);
	const struct conf_ikev2_proposal *p = conf_find_v2_proposal(conf, "default");
	cr_assert_not_null(p);
	cr_expect_eq(p->builtin, 1);
	cr_expect_eq(p->nencr, 1);
	cr_expect_eq(p->encr[0].id, 12);
	cr_expect_eq(p->encr[0].bits, 256);
	cr_expect_eq(p->ninteg, 2);
	cr_expect_eq(p->integ[0], 14);
	cr_expect_eq(p->integ[1], 13);
	cr_expect_eq(p->prf[0], 7);
	cr_expect_eq(p->prf[1], 6);
	cr_expect_eq(p->ngroup, 3);
	cr_expect_eq(p->group[0], 19);
	cr_expect_eq(p->group[1], 14);
	cr_expect_eq(p->group[2], 21);
	cr_assert_eq(conf->v2.npolicy, 1);
	cr_expect_str_eq(conf->v2.policy[0].name, "default");
	cr_expect_eq(conf->v2.policy[0].builtin, 1);
	cr_expect_str_eq(conf->v2.policy[0].proposal[0], "default");
	cr_expect_eq(conf->v2.policy[0].nlocal, 0, "every local address");
	const struct conf_ikev2_author *a = conf_find_v2_author(conf, "default");
	cr_assert_not_null(a);
	cr_expect_eq(a->builtin, 1);
	cr_expect_eq(conf->uses_legacy, 0, "the defaults name no legacy algorithm");

	/* a configured policy replaces the default one; a proposal named default replaces it */
	cr_assert_eq(load("crypto ikev2 proposal default\n encryption aes-gcm-256\n prf sha256\n"
	                  " group 20\ncrypto ikev2 policy P\n proposal default\n"), 0, "%s", errs);
	cr_expect_eq(conf->v2.npolicy, 1);
	cr_expect_str_eq(conf->v2.policy[0].name, "P");
	cr_expect_eq(conf->v2.nproposal, 1);
	cr_expect_eq(conf_find_v2_proposal(conf, "default")->builtin, 0);
	cr_expect_eq(conf_find_v2_proposal(conf, "default")->aead, 1);
}

Test(conf_ikev2, policy)
{
	cr_assert_eq(load("crypto ikev2 proposal A\n encryption aes-cbc-256\n integrity sha256\n"
	                  " group 14\n"
	                  "crypto ikev2 policy P\n match fvrf any\n match address local 10.0.0.1\n"
	                  " match address local 2001:db8::1\n proposal A\n proposal default\n"
	                  " proposal A\n"), 0, "%s", errs);
	const struct conf_ikev2_policy *po = &conf->v2.policy[0];
	cr_expect_str_eq(po->name, "P");
	cr_expect_eq(po->fvrf_any, 1);
	cr_expect_eq(po->nproposal, 2);
	cr_expect_str_eq(po->proposal[0], "A");
	cr_expect_str_eq(po->proposal[1], "default");
	cr_expect_eq(po->nlocal, 2);
	cr_expect_eq(po->local[0].sa.sa_family, AF_INET);
	cr_expect_eq(po->local[0].sin.sin_addr.s_addr, inet_addr("10.0.0.1"));
	cr_expect_eq(po->local[1].sa.sa_family, AF_INET6);
	refused("crypto ikev2 policy P\n proposal NOPE\n",
	        "t.conf:2: error: ikev2 proposal 'NOPE' is not defined");
	refused("crypto ikev2 policy P\n match fvrf any\n",
	        "t.conf:1: error: ikev2 policy 'P' has no proposal");
	refused("crypto ikev2 policy P\n proposal default\n match fvrf blue\n",
	        "t.conf:3: error: front-door VRF 'blue' is not supported");
	refused("crypto ikev2 policy P\n proposal default\n match address local eth0\n",
	        "t.conf:3: error: bad local address 'eth0'");
}

Test(conf_ikev2, keyring_peers)
{
	cr_assert_eq(load("crypto ikev2 keyring K\n"
	                  " peer a\n  address 10.1.0.0 255.255.0.0\n  pre-shared-key 0 both\n"
	                  " peer b\n  address ipv6 2001:db8:1::/48\n  identity fqdn b.example.com\n"
	                  "  pre-shared-key local mine\n  pre-shared-key remote theirs\n"
	                  " peer c\n  address 2001:db8:2::1/128\n  identity email c@example.com\n"
	                  "  hostname c.example.com\n  pre-shared-key remote only\n"
	                  " peer d\n  identity key-id KID\n  pre-shared-key x\n"
	                  "  description d\n"
	                  " peer e\n  identity address 2001:db8::e\n  pre-shared-key e\n"), 0, "%s",
	             errs);
	const struct conf_ikev2_keyring *kr = conf_find_v2_keyring(conf, "K");
	cr_assert_not_null(kr);
	cr_assert_eq(kr->npeer, 5);
	const struct conf_ikev2_peer *a = &kr->peer[0], *b = &kr->peer[1], *c = &kr->peer[2];
	cr_expect_eq(a->has_addr, 1);
	cr_expect_eq(a->addr.s_addr, inet_addr("10.1.0.0"));
	cr_expect_eq(a->mask.s_addr, inet_addr("255.255.0.0"));
	cr_expect_str_eq(a->key_local, "both");
	cr_expect_str_eq(a->key_remote, "both");
	cr_expect_eq(a->key_both, 1);
	cr_expect_eq(b->is6, 1);
	cr_expect_eq(b->plen6, 48);
	cr_expect_eq(b->id_type, V2_ID_FQDN);
	cr_expect_str_eq(b->id, "b.example.com");
	cr_expect_str_eq(b->key_local, "mine");
	cr_expect_str_eq(b->key_remote, "theirs");
	cr_expect_eq(b->key_both, 0);
	/* IOS's spelling of an IPv6 peer, without the ipv6 word */
	cr_expect_eq(c->is6, 1);
	cr_expect_eq(c->plen6, 128);
	cr_expect_eq(c->id_type, V2_ID_EMAIL);
	cr_expect_str_eq(c->hostname, "c.example.com");
	cr_expect_eq(c->has_key_local, 0);
	cr_expect_eq(c->has_key_remote, 1);
	cr_expect_eq(kr->peer[3].id_type, V2_ID_KEY_ID);
	cr_expect_eq(kr->peer[4].id_type, V2_ID_ADDRESS);

	/* the keys are secrets: gone from the copy the other processes get, the flags stay */
	conf_redact(conf);
	cr_expect_eq(b->key_local[0], '\0');
	cr_expect_eq(b->key_remote[0], '\0');
	cr_expect_eq(b->has_key_local, 1);
	cr_expect_eq(a->key_both, 1);
}

/* a peer block ends where the indentation does: the next line at the peer's depth is the
 * keyring's, a line at column 0 is a new command */
Test(conf_ikev2, keyring_indentation)
{
	cr_assert_eq(load("crypto ikev2 keyring K\n peer a\n  address 10.0.0.1\n  pre-shared-key x\n"
	                  " peer b\n  address 10.0.0.2\n  pre-shared-key y\n  exit\n"
	                  " peer c\n  address 10.0.0.3\n  pre-shared-key z\n"
	                  " description back in the keyring\n"), 0, "%s", errs);
	const struct conf_ikev2_keyring *kr = conf_find_v2_keyring(conf, "K");
	cr_assert_eq(kr->npeer, 3);
	cr_expect_eq(kr->peer[1].addr.s_addr, inet_addr("10.0.0.2"));
	cr_expect_eq(kr->peer[2].addr.s_addr, inet_addr("10.0.0.3"));
	/* a peer line at the keyring's depth is not a keyring line */
	refused("crypto ikev2 keyring K\n address 10.0.0.1\n",
	        "t.conf:2: error: unknown command 'address' under 'crypto ikev2 keyring K'");
	refused("crypto ikev2 keyring K\n peer a\n  identity fqdn\n  address 10.0.0.1\n"
	        "  pre-shared-key k\n", "t.conf:3: error: incomplete command 'identity fqdn'");
	refused("crypto ikev2 keyring K\n peer a\n  address 10.0.0.1\n  pre-shared-key 7 abc\n",
	        "t.conf:4: error: key of type 7");
	refused("crypto ikev2 keyring K\n peer a\n  address 10.0.0.1\n  pre-shared-key a b\n",
	        "t.conf:4: error: words after the key");
	refused("crypto ikev2 keyring K\n peer a\n  identity email nobody\n  hostname h\n"
	        "  pre-shared-key k\n",
	        "t.conf:3: error: bad email identity 'nobody'");
	refused("crypto ikev2 keyring K\n peer a\n  pre-shared-key k\n",
	        "t.conf:2: error: peer 'a' in ikev2 keyring 'K' matches nothing");
	cr_expect_eq(load("crypto ikev2 keyring K\n peer a\n  address 10.0.0.1\n"), 0, "%s", errs);
	cr_expect_not_null(strstr(warns, "t.conf:2: warning: peer 'a' in ikev2 keyring 'K' has no "
	                          "key"), "%s", warns);
}

/* a refused key is never echoed */
Test(conf_ikev2, keyring_key_not_echoed)
{
	load("crypto ikev2 keyring K\n peer a\n  address 10.0.0.1\n  pre-shared-key topsecret extra\n");
	cr_expect_null(strstr(errs, "topsecret"), "%s", errs);
	cr_expect_null(strstr(warns, "topsecret"), "%s", warns);
}

Test(conf_ikev2, profile_psk)
{
	cr_assert_eq(load(BASE PSK_PROFILE
	                  " match fvrf any\n match identity remote address 10.0.0.0 255.0.0.0\n"
	                  " match identity remote address ipv6 2001:db8::/32\n"
	                  " match identity remote fqdn domain example.com\n"
	                  " match identity remote fqdn host.example.com\n"
	                  " match identity remote email domain example.com\n"
	                  " match identity remote key-id K1\n match certificate CMAP\n"
	                  " identity local fqdn hub.example.com\n"
	                  " aaa authorization group psk list N default\n"
	                  " aaa authorization user psk list N bob\n aaa accounting psk A\n"
	                  " dpd 30 5 periodic\n lifetime 3600\n virtual-template 1\n"
	                  " description site routers\n"
	                  "crypto pki certificate map CMAP 10\n subject-name co ou=eng\n"), 0, "%s",
	             errs);
	const struct conf_ikev2_profile *pr = conf_find_v2_profile(conf, "PR");
	cr_assert_not_null(pr);
	cr_expect_eq(pr->nmatch, 7);
	cr_expect_eq(pr->match[0].type, V2_ID_ANY);
	cr_expect_eq(pr->match[1].type, V2_ID_ADDRESS);
	cr_expect_eq(pr->match[1].mask.s_addr, inet_addr("255.0.0.0"));
	cr_expect_eq(pr->match[2].is6, 1);
	cr_expect_eq(pr->match[2].plen6, 32);
	cr_expect_eq(pr->match[3].type, V2_ID_FQDN);
	cr_expect_eq(pr->match[3].domain, 1);
	cr_expect_str_eq(pr->match[3].value, "example.com");
	cr_expect_eq(pr->match[4].domain, 0);
	cr_expect_eq(pr->match[5].type, V2_ID_EMAIL);
	cr_expect_eq(pr->match[6].type, V2_ID_KEY_ID);
	cr_expect_str_eq(pr->match_cert, "CMAP");
	cr_expect_eq(pr->match_fvrf_any, 1);
	cr_expect_eq(pr->id_local_type, V2_ID_FQDN);
	cr_expect_str_eq(pr->id_local, "hub.example.com");
	cr_expect_eq(pr->auth_local, IKE_AUTH_PSK);
	cr_expect_eq(pr->remote_psk, 1);
	cr_expect_eq(pr->remote_eap, 0);
	cr_expect_str_eq(pr->keyring, "K");
	cr_expect_str_eq(pr->group_list[V2_AAA_PSK], "N");
	cr_expect_str_eq(pr->group_name[V2_AAA_PSK], "default");
	cr_expect_str_eq(pr->user_list[V2_AAA_PSK], "N");
	cr_expect_str_eq(pr->user_name[V2_AAA_PSK], "bob");
	cr_expect_str_eq(pr->acct_list[V2_AAA_PSK], "A");
	cr_expect_eq(pr->dpd_interval, 30);
	cr_expect_eq(pr->dpd_retry, 5);
	cr_expect_eq(pr->dpd_periodic, 1);
	cr_expect_eq(pr->lifetime, 3600);
	cr_expect_eq(pr->virtual_template, 1);
}

Test(conf_ikev2, profile_eap)
{
	cr_assert_eq(load(BASE "crypto ikev2 profile E\n match identity remote any\n"
	                  " authentication local pre-share\n authentication remote eap query-identity"
	                  " timeout 120\n keyring local K\n aaa authentication eap L\n"
	                  " aaa authorization group eap list N\n aaa authorization user eap cached\n"
	                  " aaa accounting eap A\n"), 0, "%s", errs);
	const struct conf_ikev2_profile *pr = conf_find_v2_profile(conf, "E");
	cr_expect_eq(pr->remote_eap, 1);
	cr_expect_eq(pr->eap_query_identity, 1);
	cr_expect_eq(pr->eap_timeout, 120);
	cr_expect_str_eq(pr->eap_list, "L");
	cr_expect_eq(pr->user_cached[V2_AAA_EAP], 1);
	cr_expect_eq(pr->lifetime, 86400, "IOS's default lifetime");
	refused(BASE "crypto ikev2 profile E\n match identity remote any\n"
	        " authentication local pre-share\n authentication remote eap\n keyring local K\n",
	        "ikev2 profile 'E' authenticates peers with EAP but names no server list");
	refused(BASE "crypto ikev2 profile E\n match identity remote any\n"
	        " authentication local pre-share\n authentication remote eap timeout 5\n"
	        " authentication remote eap\n keyring local K\n aaa authentication eap L\n",
	        "bad EAP timeout '5'");
}

Test(conf_ikev2, profile_cross_checks)
{
	refused(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	        " authentication local pre-share\n authentication remote pre-share\n",
	        "ikev2 profile 'PR' uses pre-shared keys but has no keyring");
	refused(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	        " authentication local rsa-sig\n authentication remote pre-share\n"
	        " keyring local K\n", "ikev2 profile 'PR' uses signatures but has no trust point");
	refused(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	        " authentication local pre-share\n authentication remote ecdsa-sig\n"
	        " keyring local K\n", "uses signatures but has no trust point");
	refused(BASE "crypto ikev2 profile PR\n authentication local pre-share\n"
	        " authentication remote pre-share\n keyring local K\n",
	        "ikev2 profile 'PR' matches no peer");
	refused(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	        " authentication remote pre-share\n keyring local K\n",
	        "has no local authentication");
	refused(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	        " authentication local pre-share\n keyring local K\n",
	        "has no remote authentication");
	/* names that must exist */
	refused(BASE PSK_PROFILE " keyring local NOPE\n",
	        "ikev2 keyring 'NOPE' is not defined, expected a 'crypto ikev2 keyring NOPE' block");
	refused(BASE PSK_PROFILE " virtual-template 9\n", "virtual-template 9 is not defined");
	refused(BASE PSK_PROFILE " pki trustpoint TP verify\n", "trust point 'TP' is not defined");
	refused(BASE PSK_PROFILE " aaa authentication eap NOLIST\n",
	        "authentication list 'NOLIST' is not defined");
	refused(BASE PSK_PROFILE " aaa authorization group psk list NOLIST\n",
	        "authorization list 'NOLIST' is not defined");
	refused(BASE PSK_PROFILE " aaa accounting psk NOLIST\n",
	        "accounting list 'NOLIST' is not defined");
	/* a local list's NAME is an authorization policy */
	refused(BASE PSK_PROFILE " aaa authorization group psk list N NOPOL\n",
	        "authorization policy 'NOPOL' is not defined (list 'N' is local)");
	/* a crypto keyring (IKEv1) is not an ikev2 keyring */
	refused("crypto keyring V1\n pre-shared-key address 10.0.0.2 key k\n" PSK_PROFILE
	        " keyring local V1\n", "ikev2 keyring 'V1' is not defined");
	/* what vpnd does not do, refused with why */
	refused(BASE PSK_PROFILE " aaa authorization group psk list N name-mangler M\n",
	        "t.conf:23: error: ikev2 name-mangler 'M' is not defined, expected a 'crypto ikev2 "
	        "name-mangler M' block");
	refused(BASE PSK_PROFILE " keyring aaa N\n", "'keyring aaa' is not supported");
	refused(BASE PSK_PROFILE " dpd 30 5 sometimes\n", "bad DPD mode 'sometimes'");
	refused(BASE PSK_PROFILE " lifetime 60\n", "bad IKEv2 SA lifetime '60'");
	refused(BASE PSK_PROFILE " authentication remote psk\n",
	        "bad remote authentication 'psk'");
	refused(BASE PSK_PROFILE " pki trustpoint T both\n", "bad trust point use 'both'");
	refused(BASE PSK_PROFILE " aaa accounting radius A\n", "bad authentication kind 'radius'");
	/* a signing hub needs a trust point it may sign with (the undefined one said apart) */
	int n = load(BASE "crypto ikev2 profile PR\n match identity remote any\n"
	             " authentication local rsa-sig\n authentication remote pre-share\n"
	             " keyring local K\n pki trustpoint TP verify\n");
	cr_expect_eq(n, 2, "%s", errs);
	cr_expect_not_null(strstr(errs, "ikev2 profile 'PR' signs (authentication local rsa-sig) "
	                   "but has no trust point to sign with"), "%s", errs);
}

Test(conf_ikev2, name_mangler)
{
	cr_assert_eq(load(BASE "crypto ikev2 name-mangler M\n fqdn hostname\n email username\n"
	                  " dn organization-unit\n eap prefix delimiter \\\n"
	                  "crypto ikev2 name-mangler D\n fqdn all\n fqdn domain\n email domain\n"
	                  " dn domain\n eap dn common-name\n"
	                  PSK_PROFILE " authentication remote eap\n aaa authentication eap L\n"
	                  " aaa authorization group psk list N name-mangler M\n"
	                  " aaa authorization group eap list N name-mangler D\n"
	                  " aaa authorization user cert list N name-mangler D\n"),
	             0, "%s", errs);
	cr_expect_null(strstr(warns, "mangler"), "%s", warns);
	const struct conf_ikev2_mangler *m = conf_find_v2_mangler(conf, "M");
	cr_assert_not_null(m);
	cr_expect_eq(m->fqdn, V2_MG_HOST);
	cr_expect_eq(m->email, V2_MG_HOST);
	cr_expect_eq(m->dn, V2_DN_OU);
	cr_expect_eq(m->eap, V2_MG_PREFIX);
	cr_expect_eq(m->eap_delim, '\\');
	const struct conf_ikev2_mangler *d = conf_find_v2_mangler(conf, "D");
	cr_assert_not_null(d);
	cr_expect_eq(d->fqdn, V2_MG_DOMAIN, "the later fqdn line replaces the earlier");
	cr_expect_eq(d->email, V2_MG_DOMAIN);
	cr_expect_eq(d->dn, V2_DN_DC);
	cr_expect_eq(d->eap, V2_MG_DN);
	cr_expect_eq(d->eap_dn, V2_DN_CN);
	const struct conf_ikev2_profile *pr = conf_find_v2_profile(conf, "PR");
	cr_assert_not_null(pr);
	cr_expect_str_eq(pr->group_mangler[V2_AAA_PSK], "M");
	cr_expect_str_empty(pr->group_name[V2_AAA_PSK]);
	cr_expect_str_eq(pr->group_list[V2_AAA_PSK], "N");
	cr_expect_str_eq(pr->group_mangler[V2_AAA_EAP], "D");
	cr_expect_str_eq(pr->user_mangler[V2_AAA_CERT], "D");
	/* a later NAME replaces the mangler, and the reference with it */
	cr_assert_eq(load(BASE PSK_PROFILE " aaa authorization group psk list N name-mangler NOPE\n"
	                  " aaa authorization group psk list N default\n"), 0, "%s", errs);
	pr = conf_find_v2_profile(conf, "PR");
	cr_expect_str_empty(pr->group_mangler[V2_AAA_PSK]);
	cr_expect_str_eq(pr->group_name[V2_AAA_PSK], "default");

	/* the rules IOS has, and nothing else */
	refused("crypto ikev2 name-mangler M\n fqdn host\n",
	        "t.conf:2: error: unexpected 'host' in 'fqdn host', expected all, domain or hostname");
	refused("crypto ikev2 name-mangler M\n email user\n", "expected all, domain or username");
	refused("crypto ikev2 name-mangler M\n dn email\n", "expected common-name, country, "
	        "domain, locality, organization, organization-unit or state");
	refused("crypto ikev2 name-mangler M\n fqdn domain extra\n", "t.conf:2: error:");
	refused("crypto ikev2 name-mangler M\n eap prefix delimiter #\n",
	        "bad delimiter '#', expected one of . \\ / @ %");
	refused("crypto ikev2 name-mangler M\n eap suffix @\n", "expected delimiter");
	refused("crypto ikev2 name-mangler M\n eap prefix delimiter\n", "a delimiter");
	refused("crypto ikev2 name-mangler M\n eap dn\n", "common-name, country");
	refused("crypto ikev2 name-mangler M\n ip address 1.2.3.4\n", "t.conf:2: error:");
	refused("crypto ikev2 name-mangler\n", "a name-mangler name");
	refused(BASE PSK_PROFILE " aaa authorization group psk list N name-mangler\n",
	        "a crypto ikev2 name-mangler name");
	refused("crypto ikev2 name-mangler M\n fqdn all\n" BASE PSK_PROFILE
	        " aaa authorization group psk list N name-mangler M extra\n", "'extra'");
	/* a mangler that can give no name is loaded with a word */
	cr_assert_eq(load(BASE "crypto ikev2 name-mangler E\n"
	                  "crypto ikev2 name-mangler P\n eap all\n"
	                  PSK_PROFILE " aaa authorization group psk list N name-mangler P\n"), 0,
	             "%s", errs);
	cr_expect_not_null(strstr(warns, "t.conf:18: warning: ikev2 name-mangler 'E' has no rule"),
	                   "%s", warns);
	cr_expect_not_null(strstr(warns, "t.conf:21: warning: ikev2 profile 'PR': name-mangler 'P' "
	                   "has no fqdn, email or dn rule, so every aaa authorization group psk is "
	                   "refused"), "%s", warns);
}

Test(conf_ikev2, authorization_policy)
{
	cr_assert_eq(load("ip local pool P4 10.9.0.1 10.9.0.9\n"
	                  "ipv6 local pool P6 2001:db8:9::/64 128\n"
	                  "ip access-list standard R\n permit 10.2.0.0 0.0.255.255\n"
	                  "ipv6 access-list S6\n permit ipv6 2001:db8:2::/64 any\n"
	                  "crypto ikev2 authorization policy AP\n pool P4\n ipv6 pool P6\n"
	                  " ipv6 subnet-acl S6\n"
	                  " dns 10.0.0.53 10.0.0.54\n ipv6 dns 2001:db8::53\n netmask 255.255.255.0\n"
	                  " route set access-list R\n banner Hello there\n def-domain example.com\n"),
	             0, "%s", errs);
	const struct conf_ikev2_author *a = conf_find_v2_author(conf, "AP");
	cr_assert_not_null(a);
	cr_expect_str_eq(a->pool, "P4");
	cr_expect_str_eq(a->pool6, "P6");
	cr_expect_eq(a->ndns, 2);
	cr_expect_eq(a->dns[1].s_addr, inet_addr("10.0.0.54"));
	cr_expect_eq(a->ndns6, 1);
	cr_expect_eq(a->netmask.s_addr, inet_addr("255.255.255.0"));
	cr_expect_str_eq(a->route_acl, "R");
	cr_expect_str_eq(a->subnet_acl6, "S6");
	cr_expect_str_eq(a->banner, "Hello there");
	cr_expect_str_eq(a->def_domain, "example.com");
	cr_expect_not_null(conf_find_v2_author(conf, "default"), "IOS's default is there too");
	refused("crypto ikev2 authorization policy AP\n pool NOPOOL\n", "pool 'NOPOOL' is not defined");
	refused("crypto ikev2 authorization policy AP\n ipv6 pool NOPOOL\n",
	        "ipv6 pool 'NOPOOL' is not defined");
	refused("crypto ikev2 authorization policy AP\n route set access-list NOACL\n",
	        "access list 'NOACL' is not defined");
	refused("ip access-list extended X\n permit ip any any\n"
	        "crypto ikev2 authorization policy AP\n route set access-list X\n",
	        "t.conf:4: error: access list 'X' is extended, expected a standard one");
	refused("crypto ikev2 authorization policy AP\n ipv6 subnet-acl NO6\n",
	        "ipv6 access list 'NO6' is not defined");
	refused("ipv6 access-list S6\n permit tcp 2001:db8::/32 any eq 80\n"
	        "crypto ikev2 authorization policy AP\n ipv6 subnet-acl S6\n",
	        "t.conf:2: error: ipv6 access list 'S6' (ipv6 subnet-acl): expected 'permit ipv6 "
	        "PREFIX/LEN any'");
	refused("crypto ikev2 authorization policy AP\n dns 1.1.1.1 2.2.2.2 3.3.3.3\n",
	        "too many DNS servers");
	refused("crypto ikev2 authorization policy AP\n netmask 255.0.255.0\n", "bad netmask");
}

Test(conf_ikev2, globals_and_cluster)
{
	cr_assert_eq(load("crypto ikev2 cookie-challenge 10\n"
	                  "crypto ikev2 limit max-in-negotiation-sa 40\n"
	                  "crypto ikev2 limit max-in-negotiation-sa 60 outgoing\n"
	                  "crypto ikev2 limit max-sa 1000\n"
	                  "crypto ikev2 fragmentation mtu 1200\n"
	                  "crypto ikev2 redirect gateway init\n"
	                  "crypto ikev2 cluster\n peer 192.0.2.2\n peer 2001:db8::2\n"
	                  " slave max-session 300\n no shutdown\n"), 0, "%s", errs);
	const struct conf_ikev2 *v = &conf->v2;
	cr_expect_eq(v->cookie_challenge, 10);
	cr_expect_eq(v->max_in_neg_in, 40);
	cr_expect_eq(v->max_in_neg_out, 60);
	cr_expect_eq(v->max_sa, 1000);
	cr_expect_eq(v->fragmentation, 1);
	cr_expect_eq(v->frag_mtu, 1200);
	cr_expect_eq(v->redirect_init, 1);
	cr_expect_eq(v->redirect_auth, 0);
	cr_expect_eq(v->cluster.present, 1);
	cr_expect_eq(v->cluster.enabled, 1);
	cr_expect_eq(v->cluster.npeer, 2);
	cr_expect_eq(v->cluster.peer[1].sa.sa_family, AF_INET6);
	cr_expect_eq(v->cluster.max_session, 300);
	/* as IOS, a cluster starts shut down */
	cr_assert_eq(load("crypto ikev2 cluster\n peer 192.0.2.2\n"), 0, "%s", errs);
	cr_expect_eq(conf->v2.cluster.enabled, 0);
	cr_assert_eq(load("crypto ikev2 fragmentation\n"), 0, "%s", errs);
	cr_expect_eq(conf->v2.fragmentation, 1);
	cr_expect_eq(conf->v2.frag_mtu, 0);

	refused("crypto ikev2 redirect gateway auth\n",
	        "t.conf:1: error: 'crypto ikev2 redirect gateway' has no gateway to send clients to");
	refused("crypto ikev2 redirect gateway always\n", "bad redirect point 'always'");
	refused("crypto ikev2 cluster\n slave max-session 10\n",
	        "t.conf:1: error: 'crypto ikev2 cluster' names no gateway");
	refused("crypto ikev2 cluster\n peer 10.0.0.1\n standby-group G\n",
	        "t.conf:3: error: 'standby-group' is not supported (vpnd has no HSRP)");
	refused("crypto ikev2 cookie-challenge 0\n", "bad cookie-challenge threshold '0'");
	refused("crypto ikev2 limit max-in-negotiation-sa 10 sideways\n", "bad direction 'sideways'");
	refused("crypto ikev2 fragmentation mtu 9000\n", "bad fragmentation MTU '9000'");
	refused("crypto ikev2 frobnicate\n", "unknown command 'crypto ikev2 frobnicate'");
}

Test(conf_ikev2, ipsec_profile_ikev2_profile)
{
	cr_assert_eq(load(BASE PSK_PROFILE "crypto ipsec profile IP\n set ikev2-profile PR\n"), 0,
	             "%s", errs);
	cr_expect_str_eq(conf_find_ipsec_profile(conf, "IP")->ikev2_profile, "PR");
	refused(BASE "crypto ipsec profile IP\n set ikev2-profile NOPE\n",
	        "ikev2 profile 'NOPE' is not defined");
	/* an ikev2 profile name is not an isakmp profile name, and the other way round */
	refused(BASE PSK_PROFILE "crypto ipsec profile IP\n set isakmp-profile PR\n",
	        "isakmp profile 'PR' is not defined");
}

/* the FlexVPN example loads without a word (what `vpnd -n -f` checks) */
Test(conf_ikev2, hub_example)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/test/data/hub-ikev2.conf", CONF_TEST_SRCDIR);
	errs[0] = warns[0] = '\0';
	cr_assert_eq(conf_load(path, conf, collect, NULL), 0, "%s", errs);
	cr_expect_eq(warns[0], '\0', "%s", warns);
	cr_expect_eq(conf->v2.nprofile, 2);
	cr_expect_not_null(conf_find_v2_profile(conf, "USERS-EAP"));
	cr_expect_eq(conf_find_v2_profile(conf, "USERS-EAP")->remote_eap, 1);
	/* a configured policy: IOS's default one is not added */
	cr_expect_eq(conf->v2.npolicy, 1);
}
