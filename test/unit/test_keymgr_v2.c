/*
 * IKEv2 with pre-shared keys in keymgr (keymgr/v2auth.c, v2author.c) and the profile match
 * ikemgr shares (common/conf_ikev2_match.c): the profile and key chosen from the peer's
 * identity, the peer's AUTH checked and ours computed with each side's key, octets that do not
 * belong to one IKE_SA_INIT refused, and the authorization of a judged SA served from its
 * profile's authorization policy whatever group the request names. The match alone:
 * test_conf_v2_match.c.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"
#include "test/unit/v2req.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"aaa new-model\n"
	"aaa authorization network flex_local local\n"
	"aaa authentication login eap_users local\n"
	"username alice password 0 alice-pass\n"
	"crypto ikev2 keyring KR\n"
	" peer branch1\n"
	"  address 198.51.100.10\n"
	"  pre-shared-key branch1-secret\n"
	" peer branches\n"
	"  address 203.0.113.0 255.255.255.0\n"
	"  identity fqdn branch.example.com\n"
	"  pre-shared-key local hub-side-secret\n"
	"  pre-shared-key remote branch-side-secret\n"
	" peer wide\n"
	"  address 192.0.0.0 255.255.0.0\n"
	"  pre-shared-key wide-secret\n"
	" peer narrow\n"
	"  address 192.0.2.128 255.255.255.128\n"
	"  pre-shared-key narrow-secret\n"
	" peer v6\n"
	"  address ipv6 2001:db8:100::/48\n"
	"  pre-shared-key v6-secret\n"
	"crypto ikev2 authorization policy SITE-POL\n"
	" pool flexpool\n"
	" dns 10.2.1.53 10.2.1.54\n"
	" route set access-list FLEX-ROUTES\n"
	" def-domain example.com\n"
	" banner Welcome\n"
	"crypto ikev2 authorization policy OTHER\n"
	" pool otherpool\n"
	" def-domain other.test\n"
	"crypto ikev2 profile SITE-PSK\n"
	" match identity remote address 198.51.100.10\n"
	" match identity remote fqdn domain example.com\n"
	" match identity remote key-id site7\n"
	" identity local fqdn hub.example.com\n"
	" authentication local pre-share\n"
	" authentication remote pre-share\n"
	" keyring local KR\n"
	" aaa authorization group psk list flex_local SITE-POL\n"
	"crypto ikev2 profile USERS-EAP\n"
	" match identity remote email domain example.org\n"
	" authentication local pre-share\n"
	" authentication remote eap query-identity\n"
	" keyring local KR\n"
	" aaa authentication eap eap_users\n"
	"crypto isakmp client configuration group g1\n"
	" key groupsecret\n"
	" pool p1\n"
	" dns 10.0.0.53\n"
	" domain v1.test\n"
	"ip local pool flexpool 192.168.50.1 192.168.50.200\n"
	"ip local pool otherpool 192.168.60.1 192.168.60.10\n"
	"ip local pool p1 10.9.0.1 10.9.0.10\n"
	"ip access-list standard FLEX-ROUTES\n"
	" permit 10.2.1.0 0.0.0.255\n"
	" deny any\n";

#define PRF_SHA256 5            /* PRF_HMAC_SHA2_256 */

static void setup(void)
{
	cr_assert_eq(conf_load_buf("v2", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	keymgr_init(&conf);
}
TestSuite(keymgr_v2, .init = setup);

static void auth_with(const char *key, const uint8_t *oct, size_t len, uint8_t out[32])
{
	struct ikev2_suite s;
	cr_assert_eq(ikev2_suite(&s, 12, 128, 12, PRF_SHA256, 0), 0);
	struct iovec v = { (void *)oct, len };
	cr_assert_eq(ikev2_psk_auth(&s, (const uint8_t *)key, strlen(key), &v, 1, out), 0);
}

/* the peer signs oct_i with key */
static void sign(struct msg_v2_auth_req *rq, const char *key)
{
	auth_with(key, rq->oct_i, rq->oct_i_len, rq->auth);
	rq->auth_len = 32;
}

static int ask(const struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res)
{
	keymgr_v2_auth(&conf, rq, res);
	cr_assert_eq(res->sa_id, rq->sa_id);
	if (res->status != KEY_OK) {
		cr_assert_eq(res->auth_len, 0);
		cr_assert_null(v2_judged_find(rq->sa_id), "a refused SA is remembered as judged");
	}
	return res->status;
}

static void expect_ours(const struct msg_v2_auth_req *rq, const struct msg_v2_auth_res *res,
                        const char *key)
{
	uint8_t want[32];
	auth_with(key, rq->oct_r, rq->oct_r_len, want);
	cr_assert_eq(res->auth_len, 32);
	cr_assert_arr_eq(res->auth, want, 32, "our AUTH is not from the key '%s'", key);
}

Test(keymgr_v2, right_auth_accepted_and_ours_from_the_same_key)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 1, "198.51.100.10", "198.51.100.10");
	sign(&rq, "branch1-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	expect_ours(&rq, &res, "branch1-secret");
	cr_assert_str_eq(res.profile, "SITE-PSK");
	cr_assert_str_eq(res.group, "SITE-POL");
	const struct v2_judged *j = v2_judged_find(42);
	cr_assert_not_null(j);
	cr_assert_str_eq(j->user, "198.51.100.10");
	cr_assert_str_eq(j->group, "SITE-POL");
	cr_assert_eq(j->kind, V2_AAA_PSK);
}

Test(keymgr_v2, wrong_auth_refused)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 1, "198.51.100.10", "198.51.100.10");
	sign(&rq, "not-the-secret");
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	cr_assert_not_null(strstr(res.message, "authentication failed"), "%s", res.message);
	/* a right AUTH one byte short is not a right AUTH */
	sign(&rq, "branch1-secret");
	rq.auth_len = 31;
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
}

Test(keymgr_v2, unknown_identity_has_no_key)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "host.example.net", "198.51.100.10");
	sign(&rq, "branch1-secret");
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY);
	cr_assert_not_null(strstr(res.message, "no ikev2 profile"), "%s", res.message);
	/* the profile matches, but no keyring peer covers the identity or the address */
	v2req(&rq, 2, "other.example.com", "198.18.0.1");
	sign(&rq, "branch1-secret");
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY);
	cr_assert_not_null(strstr(res.message, "no key"), "%s", res.message);
}

Test(keymgr_v2, profile_without_remote_preshare_refused)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	/* USERS-EAP matches and its keyring would have the address's key */
	v2req(&rq, 3, "alice@example.org", "198.51.100.10");
	sign(&rq, "branch1-secret");
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY);
	cr_assert_not_null(strstr(res.message, "pre-share"), "%s", res.message);
}

Test(keymgr_v2, local_and_remote_keys_each_on_its_side)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	/* by identity, although the address is in the /24 of the same peer anyway */
	v2req(&rq, 2, "branch.example.com", "198.18.7.7");
	sign(&rq, "hub-side-secret");
	cr_assert_eq(ask(&rq, &res), KEY_ERROR, "the peer signed with our key and passed");
	sign(&rq, "branch-side-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	expect_ours(&rq, &res, "hub-side-secret");
}

Test(keymgr_v2, most_specific_address_wins)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "x.example.com", "192.0.2.200");
	sign(&rq, "narrow-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	expect_ours(&rq, &res, "narrow-secret");
	v2req(&rq, 2, "x.example.com", "192.0.2.1");
	sign(&rq, "wide-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	v2req(&rq, 11, "site7", "2001:db8:100::5");
	sign(&rq, "v6-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
}

/* each refusal of the octets, with an AUTH that is right over them as sent */
static void octets_refused(void (*spoil)(struct msg_v2_auth_req *), const char *want)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 1, "198.51.100.10", "198.51.100.10");
	spoil(&rq);
	sign(&rq, "branch1-secret");
	cr_assert_eq(ask(&rq, &res), KEY_ERROR, "accepted although %s", want);
	cr_assert_not_null(strstr(res.message, want), "'%s' not in '%s'", want, res.message);
}

static void other_nr(struct msg_v2_auth_req *rq) { rq->nr[5] ^= 1; }
static void ni_after_m2(struct msg_v2_auth_req *rq) { rq->oct_r[rq->oct_r_len - 40] ^= 1; }
static void m1_lacks_ni(struct msg_v2_auth_req *rq) { rq->oct_i[28 + 40 + 3] ^= 1; }
static void other_spi(struct msg_v2_auth_req *rq) { rq->oct_r[7] ^= 1; }
static void spir_in_m1(struct msg_v2_auth_req *rq) { rq->oct_i[12] = 1; }
static void no_spir(struct msg_v2_auth_req *rq) { memset(rq->oct_r + 8, 0, 8); }
static void not_init(struct msg_v2_auth_req *rq) { rq->oct_r[18] = 35; }
static void m1_response(struct msg_v2_auth_req *rq) { rq->oct_i[19] = 0x28; }
static void m2_initiator(struct msg_v2_auth_req *rq) { rq->oct_r[19] = 0x08; }
static void short_x(struct msg_v2_auth_req *rq) { rq->oct_i_len--; }
static void long_m(struct msg_v2_auth_req *rq) { rq->oct_i[27]++; }
static void short_nonce(struct msg_v2_auth_req *rq) { rq->ni_len = 8; }
static void huge_len(struct msg_v2_auth_req *rq) { rq->oct_r_len = MSG_V2_OCTETS_MAX + 1; }

Test(keymgr_v2, octets_that_do_not_hang_together)
{
	octets_refused(other_nr, "nonce after the message");
	octets_refused(ni_after_m2, "nonce after the message");
	octets_refused(m1_lacks_ni, "sender's nonce");
	octets_refused(other_spi, "initiator SPIs");
	octets_refused(spir_in_m1, "carries a responder SPI");
	octets_refused(no_spir, "no responder SPI");
	octets_refused(not_init, "IKE_SA_INIT");
	octets_refused(m1_response, "initiator's request");
	octets_refused(m2_initiator, "our response");
	octets_refused(short_x, "do not add up");
	octets_refused(long_m, "do not add up");
	octets_refused(short_nonce, "128 bits");
	octets_refused(huge_len, "out of bounds");
}

Test(keymgr_v2, unknown_prf_refused)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 1, "198.51.100.10", "198.51.100.10");
	sign(&rq, "branch1-secret");
	rq.prf = 99;
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
}

static void judged(uint32_t sa_id)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "branch.example.com", "203.0.113.9");
	rq.sa_id = sa_id;
	sign(&rq, "branch-side-secret");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
}

static void authorize(uint32_t sa_id, const char *group, const char *list,
                      struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa_id;
	rq.authorize_only = 1;
	snprintf(rq.group, sizeof(rq.group), "%s", group);
	snprintf(rq.author_list, sizeof(rq.author_list), "%s", list);
	sa46_pton("203.0.113.9", &rq.peer);
	keymgr_xauth(&rq, res);
}

Test(keymgr_v2, authorization_from_the_profiles_policy)
{
	struct msg_xauth_res res;
	char a[INET_ADDRSTRLEN];
	judged(7);
	/* ikemgr names another group and list: the profile's are used */
	authorize(7, "OTHER", "", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	const struct msg_policy *p = &res.policy;
	cr_assert_str_eq(inet_ntop(AF_INET, &p->addr, a, sizeof(a)), "192.168.50.1");
	cr_assert_eq(p->ndns, 2);
	cr_assert_eq(p->dns[0].s_addr, inet_addr("10.2.1.53"));
	cr_assert_eq(p->dns[1].s_addr, inet_addr("10.2.1.54"));
	cr_assert_str_eq(p->domain, "example.com");
	cr_assert_str_eq(p->banner, "Welcome");
	cr_assert_eq(p->nsplit, 1);
	cr_assert_eq(p->split[0].net.s_addr, inet_addr("10.2.1.0"));
	cr_assert_eq(p->split[0].mask.s_addr, inet_addr("255.255.255.0"));
	cr_assert_eq(pool_in_use("flexpool"), 1);
	cr_assert_eq(pool_in_use("otherpool"), 0);
	/* a second SA gets the next address */
	judged(8);
	authorize(8, "g1", "", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	cr_assert_str_eq(inet_ntop(AF_INET, &res.policy.addr, a, sizeof(a)), "192.168.50.2");
	cr_assert_str_eq(res.policy.domain, "example.com");
}

/* a profile without `aaa authorization group psk` gets IOS's default policy, which has no
 * pool here: refused with the reason, nothing taken */
Test(keymgr_v2, no_authorization_line_default_policy)
{
	static struct vpnd_conf c2;
	static const char extra[] =
		"crypto ikev2 profile BARE\n"
		" match identity remote key-id bare\n"
		" authentication local pre-share\n authentication remote pre-share\n"
		" keyring local KR\n";
	char *text = malloc(sizeof(cfg) + sizeof(extra));
	cr_assert_not_null(text);
	snprintf(text, sizeof(cfg) + sizeof(extra), "%s%s", cfg, extra);
	cr_assert_eq(conf_load_buf("v2b", text, strlen(text), &c2, NULL, NULL), 0);
	free(text);
	keymgr_init(&c2);
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	struct msg_xauth_res xr;
	v2req(&rq, 11, "bare", "198.51.100.10");
	sign(&rq, "branch1-secret");
	keymgr_v2_auth(&c2, &rq, &res);
	cr_assert_eq(res.status, KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "BARE");
	cr_assert_str_eq(res.group, "default");
	authorize(42, "SITE-POL", "flex_local", &xr);
	cr_assert_eq(xr.status, XAUTH_NO_ADDRESS, "%d %s", xr.status, xr.message);
	cr_assert_not_null(strstr(xr.message, "'default' has no pool"), "%s", xr.message);
	cr_assert_eq(pool_in_use("flexpool"), 0);
}

/* aaa authorization group psk list LIST name-mangler M: the authorization policy is the one
 * M cuts from the identity keymgr checked, whatever ikemgr asks for; an identity M cuts
 * nothing from is authenticated but refused its authorization */
static struct vpnd_conf mc;

static void mangled_setup(void)
{
	static const char extra[] =
		"crypto ikev2 authorization policy example.com\n"
		" pool otherpool\n"
		" def-domain mangled.test\n"
		"crypto ikev2 name-mangler M\n"
		" fqdn domain\n"
		" email username\n"
		" eap suffix delimiter @\n"
		"crypto ikev2 profile MANGLED\n"
		" match identity remote fqdn client.example.com\n"
		" match identity remote fqdn router\n"
		" match identity remote email bob@mangle.test\n"
		" match identity remote key-id mangle-kid\n"
		" authentication local pre-share\n authentication remote pre-share\n"
		" keyring local KR\n"
		" aaa authorization group psk list flex_local name-mangler M\n"
		" authentication remote eap\n aaa authentication eap eap_users\n"
		" aaa authorization group eap list flex_local name-mangler M\n";
	/* before the file's profiles: SITE-PSK would match client.example.com too */
	char *text = malloc(sizeof(cfg) + sizeof(extra));
	cr_assert_not_null(text);
	snprintf(text, sizeof(cfg) + sizeof(extra), "%s%s", extra, cfg);
	cr_assert_eq(conf_load_buf("v2m", text, strlen(text), &mc, NULL, NULL), 0);
	free(text);
	cr_assert_eq(ike_crypto_init(), 0);
	keymgr_init(&mc);
}

/* IDi (type, text) from 198.51.100.10 authenticated under MANGLED */
static void mangled_judged(uint32_t sa_id, int type, const char *id, const char *group)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, type, id, "198.51.100.10");
	rq.sa_id = sa_id;
	sign(&rq, "branch1-secret");
	keymgr_v2_auth(&mc, &rq, &res);
	cr_assert_eq(res.status, KEY_OK, "%s: %s", id, res.message);
	cr_assert_str_eq(res.profile, "MANGLED");
	cr_assert_str_eq(res.group, group, "%s", id);
	const struct v2_judged *j = v2_judged_find(sa_id);
	cr_assert_not_null(j);
	cr_assert_str_eq(j->group, group);
}

Test(keymgr_v2_mangler, fqdn_domain_names_the_policy, .init = mangled_setup)
{
	struct msg_xauth_res xr;
	char a[INET_ADDRSTRLEN];

	mangled_judged(61, 2, "client.example.com", "example.com");
	/* ikemgr asks for SITE-POL: the mangled name is served */
	authorize(61, "SITE-POL", "flex_local", &xr);
	cr_assert_eq(xr.status, XAUTH_OK, "%s", xr.message);
	cr_assert_str_eq(inet_ntop(AF_INET, &xr.policy.addr, a, sizeof(a)), "192.168.60.1");
	cr_assert_str_eq(xr.policy.domain, "mangled.test");
	cr_assert_eq(pool_in_use("otherpool"), 1);
	cr_assert_eq(pool_in_use("flexpool"), 0);
}

Test(keymgr_v2_mangler, no_name_no_authorization, .init = mangled_setup)
{
	struct msg_xauth_res xr;

	/* fqdn domain of a name without a dot: authenticated, nothing to authorize as */
	mangled_judged(62, 2, "router", "");
	authorize(62, "example.com", "flex_local", &xr);
	cr_assert_eq(xr.status, XAUTH_REFUSED, "%d %s", xr.status, xr.message);
	cr_assert_not_null(strstr(xr.message, "name-mangler 'M' derived no authorization name "
	                   "from identity 'router'"), "%s", xr.message);
	/* a key id gives no name, whatever the mangler */
	mangled_judged(63, 11, "mangle-kid", "");
	authorize(63, "", "", &xr);
	cr_assert_eq(xr.status, XAUTH_REFUSED, "%d %s", xr.status, xr.message);
	cr_assert_eq(pool_in_use("otherpool"), 0);
	cr_assert_eq(pool_in_use("flexpool"), 0);
}

Test(keymgr_v2_mangler, email_username_is_looked_up, .init = mangled_setup)
{
	struct msg_xauth_res xr;

	/* email username: 'bob', which is no authorization policy here (not the default) */
	mangled_judged(64, 3, "bob@mangle.test", "bob");
	authorize(64, "example.com", "flex_local", &xr);
	cr_assert_neq(xr.status, XAUTH_OK, "%s", xr.message);
	cr_assert_not_null(strstr(xr.message, "bob"), "%s", xr.message);
	cr_assert_eq(pool_in_use("otherpool"), 0);
}

/* an SA judged by EAP: the name comes from the EAP identity RADIUS accepted, not from IDi */
Test(keymgr_v2_mangler, eap_identity_cut, .init = mangled_setup)
{
	const struct conf_ikev2_profile *pr = conf_find_v2_profile(&mc, "MANGLED");
	struct msg_v2_auth_req rq;
	char out[MSG_GROUP_MAX];

	cr_assert_not_null(pr);
	v2req(&rq, 2, "client.example.com", "198.51.100.10");
	cr_assert_eq(v2_author_name(&mc, pr, V2_AAA_EAP, &rq, "alice@example.com", out,
	                            sizeof(out)), 0);
	cr_assert_str_eq(out, "example.com");
	cr_assert_eq(v2_author_name(&mc, pr, V2_AAA_EAP, &rq, "CORP\\alice", out, sizeof(out)),
	             -1);
	cr_assert_str_empty(out);
	/* the same IDi by pre-shared key: the fqdn rule */
	cr_assert_eq(v2_author_name(&mc, pr, V2_AAA_PSK, &rq, "", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "example.com");
	/* no mangler for cert: IOS's default policy */
	cr_assert_eq(v2_author_name(&mc, pr, V2_AAA_CERT, &rq, "", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "default");
}

Test(keymgr_v2, session_end_forgets_the_judgement)
{
	struct msg_xauth_res res;
	struct msg_session_end e;
	judged(9);
	authorize(9, "", "", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	memset(&e, 0, sizeof(e));
	e.session_id = 9;
	e.addr = res.policy.addr;
	keymgr_session_end(&e);
	cr_assert_null(v2_judged_find(9));
	cr_assert_eq(pool_in_use("flexpool"), 0);
	/* now an IKEv1 request like any other: SITE-POL is no client configuration group */
	authorize(9, "SITE-POL", "", &res);
	cr_assert_neq(res.status, XAUTH_OK);
	cr_assert_not_null(strstr(res.message, "unknown group"), "%s", res.message);
}

/* max-users counts IKEv2 sessions too: each logs in as its identity in the policy's group */
Test(keymgr_v2, sessions_count_as_logins_of_their_identity)
{
	struct msg_xauth_res first, res;
	struct msg_session_end e;
	judged(21);
	authorize(21, "", "", &first);
	cr_assert_eq(first.status, XAUTH_OK, "%s", first.message);
	judged(22);
	authorize(22, "", "", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	cr_assert_eq(logins_count("SITE-POL", "branch.example.com"), 2);
	cr_assert_eq(logins_count("SITE-POL", ""), 0, "counted as nobody");
	char why[128];
	cr_assert_eq(logins_check("SITE-POL", "branch.example.com", 2, 0, NULL, 0, why,
	                          sizeof(why)), -1);
	cr_assert_str_eq(why, "group 'SITE-POL' has reached max-users 2");
	memset(&e, 0, sizeof(e));
	e.session_id = 21;
	e.addr = first.policy.addr;
	keymgr_session_end(&e);
	cr_assert_eq(logins_count("SITE-POL", NULL), 1);
}

Test(keymgr_v2, ikev1_authorize_only_as_before)
{
	struct msg_xauth_res res;
	char a[INET_ADDRSTRLEN];
	authorize(11, "g1", "flex_local", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	cr_assert_str_eq(inet_ntop(AF_INET, &res.policy.addr, a, sizeof(a)), "10.9.0.1");
	cr_assert_str_eq(res.policy.domain, "v1.test");
	cr_assert_eq(res.policy.ndns, 1);
	cr_assert_eq(res.policy.dns[0].s_addr, inet_addr("10.0.0.53"));
	/* SITE-POL is an ikev2 authorization policy, not a group IKEv1 can ask for */
	authorize(12, "SITE-POL", "flex_local", &res);
	cr_assert_neq(res.status, XAUTH_OK);
}

/* ---- a RADIUS authorization list: NAME is the user looked up, local after dead servers ---- */

static const char rcfg[] =
	"aaa new-model\n"
	"radius server D1\n address ipv4 127.0.0.1 auth-port 39193\n key k1\n timeout 1\n"
	" retransmit 0\n"
	"aaa group server radius DEAD\n server name D1\n"
	"aaa authorization network dead_local group DEAD local\n"
	"aaa authorization network dead_only group DEAD\n"
	"crypto ikev2 keyring KR\n peer all\n  address 0.0.0.0 0.0.0.0\n  pre-shared-key k\n"
	"crypto ikev2 authorization policy SITE-POL\n pool flexpool\n def-domain example.com\n"
	"crypto ikev2 profile FALLBACK\n match identity remote fqdn fallback.example\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	" aaa authorization group psk list dead_local SITE-POL\n"
	"crypto ikev2 profile RADONLY\n match identity remote fqdn radius.example\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	" aaa authorization group psk list dead_only SITE-POL\n"
	"ip local pool flexpool 192.168.50.1 192.168.50.200\n";

static void rsetup(void)
{
	cr_assert_eq(conf_load_buf("r", rcfg, sizeof(rcfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	keymgr_init(&conf);
	radius_init(&conf, NULL);
}
TestSuite(keymgr_v2_radius, .init = rsetup);

static void judged_as(const char *fqdn, uint32_t sa_id)
{
	struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, fqdn, "198.51.100.77");
	rq.sa_id = sa_id;
	sign(&rq, "k");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
}

Test(keymgr_v2_radius, dead_servers_then_the_local_policy)
{
	struct msg_xauth_res res;
	char a[INET_ADDRSTRLEN];
	judged_as("fallback.example", 21);
	authorize(21, "", "", &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	cr_assert_str_eq(inet_ntop(AF_INET, &res.policy.addr, a, sizeof(a)), "192.168.50.1");
	cr_assert_str_eq(res.policy.domain, "example.com");
}

Test(keymgr_v2_radius, radius_only_asks_for_the_policy_name)
{
	struct msg_xauth_res res;
	judged_as("radius.example", 22);
	authorize(22, "OTHER", "", &res);
	cr_assert_neq(res.status, XAUTH_OK);
	cr_assert_not_null(strstr(res.message, "list 'dead_only' answered for group 'SITE-POL'"),
	                   "%s", res.message);
	cr_assert_eq(pool_in_use("flexpool"), 0);
}
