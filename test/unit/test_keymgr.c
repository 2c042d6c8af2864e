/* keymgr: SKEYID from the group key, XAUTH against local users, pools, split ACLs. */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/ike_crypto.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network N local\n"
	"username alice password 0 wonderland\n"
	"username bob password 0 builder\n"
	"crypto isakmp client configuration group g2\n"
	" key othersecret\n"
	" pool p2\n"
	" max-logins 1\n"
	"crypto isakmp client configuration group g1\n"
	" key groupsecret\n"
	" pool p1\n"
	" dns 10.0.0.53\n"
	" domain example.test\n"
	" acl split\n"
	" max-users 2\n"
	"crypto isakmp profile prof\n"
	" match identity group g1\n"
	" client authentication list L\n"
	" isakmp authorization list N\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile ip1\n"
	" set transform-set TS\n"
	"interface Virtual-Template1 type tunnel\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile ip1\n"
	"ip local pool p1 10.9.0.254 10.9.1.2\n"
	"ip local pool p2 10.8.0.1 10.8.0.20\n"
	"ip access-list extended split\n"
	" permit ip 10.2.1.0 0.0.0.255 any\n";

static void setup(void)
{
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	keymgr_init(&conf);
}

TestSuite(keymgr, .init = setup);

Test(keymgr, skeyid_is_prf_of_group_key)
{
	struct msg_skeyid_req rq = { 0 };
	struct msg_skeyid_res res;
	rq.sa_id = 7;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.id_len = 2;
	memcpy(rq.id, "g1", 2);
	rq.ni_len = rq.nr_len = 16;
	memset(rq.ni, 0x11, 16);
	memset(rq.nr, 0x22, 16);
	keymgr_skeyid(&rq, &res);
	cr_assert_eq(res.status, KEY_OK);
	cr_assert_eq(res.skeyid_len, 20);
	/* independent: HMAC-SHA1("groupsecret", 0x11*16 | 0x22*16), from Python's hmac module */
	static const uint8_t want[20] = {
		0xe6, 0x94, 0x1d, 0x5d, 0x0e, 0xc2, 0x94, 0x50, 0x8a, 0xd3,
		0xcf, 0x7e, 0xcb, 0xf4, 0x96, 0xe0, 0x96, 0xff, 0xf0, 0x9e };
	cr_assert_arr_eq(res.skeyid, want, 20);
	cr_assert_eq(res.sa_id, 7);
}

Test(keymgr, unknown_group_has_no_key)
{
	struct msg_skeyid_req rq = { 0 };
	struct msg_skeyid_res res;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.id_len = 5;
	memcpy(rq.id, "other", 5);
	rq.ni_len = rq.nr_len = 8;
	keymgr_skeyid(&rq, &res);
	cr_assert_eq(res.status, KEY_NO_KEY);
	cr_assert_eq(res.skeyid_len, 0);
}

static int xauth(uint32_t id, const char *user, const char *pw, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = id;
	snprintf(rq.group, sizeof(rq.group), "g1");
	snprintf(rq.user, sizeof(rq.user), "%s", user);
	snprintf(rq.password, sizeof(rq.password), "%s", pw);
	snprintf(rq.auth_list, sizeof(rq.auth_list), "L");
	keymgr_xauth(&rq, res);
	return res->status;
}

Test(keymgr, xauth_policy_and_pool)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth(1, "alice", "wonderland", &r), XAUTH_OK);
	cr_assert_str_eq(inet_ntoa(r.policy.addr), "10.9.0.254");   /* lowest first */
	cr_assert_eq(r.policy.ndns, 1);
	cr_assert_str_eq(r.policy.domain, "example.test");
	cr_assert_eq(r.policy.nsplit, 1);
	cr_assert_str_eq(inet_ntoa(r.policy.split[0].net), "10.2.1.0");
	cr_assert_str_eq(inet_ntoa(r.policy.split[0].mask), "255.255.255.0");
	struct msg_xauth_res r2;
	cr_assert_eq(xauth(2, "alice", "wonderland", &r2), XAUTH_OK);
	/* .255 and .0 are skipped */
	cr_assert_str_eq(inet_ntoa(r2.policy.addr), "10.9.1.1");
}

Test(keymgr, xauth_rejects_bad_password_and_unknown_user)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth(1, "alice", "wonderlan", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(1, "alice", "wonderland2", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(1, "bob", "wonderland", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(r.policy.addr.s_addr, 0);
}

Test(keymgr, max_users_and_release)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth(1, "alice", "wonderland", &r), XAUTH_OK);
	struct in_addr first = r.policy.addr;
	cr_assert_eq(xauth(2, "alice", "wonderland", &r), XAUTH_OK);
	cr_assert_eq(xauth(3, "alice", "wonderland", &r), XAUTH_REFUSED);   /* max-users 2 */
	struct msg_session_end e = { .session_id = 1, .addr = first };
	keymgr_session_end(&e);
	cr_assert_eq(xauth(3, "alice", "wonderland", &r), XAUTH_OK);
	cr_assert_eq(r.policy.addr.s_addr, first.s_addr);
}

Test(keymgr, pool_exhaustion)
{
	struct in_addr a;
	/* p1 holds .254, 1.1, 1.2 usable (1.0 and 0.255 skipped) */
	cr_assert_eq(pool_alloc("p1", 10, &a), 0);
	cr_assert_eq(pool_alloc("p1", 11, &a), 0);
	cr_assert_eq(pool_alloc("p1", 12, &a), 0);
	cr_assert_eq(pool_alloc("p1", 13, &a), -1);
	cr_assert_eq(pool_alloc("nosuch", 14, &a), -1);
}

static int xauth_g2(uint32_t id, const char *user, uint32_t replaces, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = id;
	snprintf(rq.group, sizeof(rq.group), "g2");
	snprintf(rq.user, sizeof(rq.user), "%s", user);
	snprintf(rq.password, sizeof(rq.password), "%s",
	         !strcmp(user, "bob") ? "builder" : "wonderland");
	snprintf(rq.auth_list, sizeof(rq.auth_list), "L");
	if (replaces) {
		rq.replaces[0] = replaces;
		rq.nreplaces = 1;
	}
	keymgr_xauth(&rq, res);
	return res->status;
}

Test(keymgr, max_logins_per_user_not_per_group)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth_g2(1, "bob", 0, &r), XAUTH_OK);
	cr_assert_eq(xauth_g2(2, "bob", 0, &r), XAUTH_REFUSED, "second login of bob");
	cr_assert_str_eq(r.message, "user 'bob' has reached max-logins 1");
	cr_assert_eq(r.policy.addr.s_addr, 0, "a refused login gets no address");
	cr_assert_eq(xauth_g2(3, "alice", 0, &r), XAUTH_OK, "another user of the group");
	cr_assert_eq(logins_count("g2", "bob"), 1);
	cr_assert_eq(logins_count("g2", NULL), 2);
}

Test(keymgr, relogin_that_replaces_its_session_is_not_counted)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth_g2(1, "bob", 0, &r), XAUTH_OK);
	/* a phase 1 rekey (or a reboot with INITIAL-CONTACT) names session 1 */
	cr_assert_eq(xauth_g2(7, "bob", 1, &r), XAUTH_OK);
	/* naming someone else's session does not help */
	cr_assert_eq(xauth_g2(8, "bob", 99, &r), XAUTH_REFUSED);
	struct msg_session_end e = { .session_id = 7, .addr = r.policy.addr };
	keymgr_session_end(&e);
	cr_assert_eq(logins_count("g2", "bob"), 1, "session 1 remains");
}

Test(keymgr, max_users_counts_sessions_not_addresses)
{
	struct msg_xauth_res r;
	struct in_addr a;
	/* addresses of pool p1 taken by something else do not count against g1's max-users */
	cr_assert_eq(pool_alloc("p1", 50, &a), 0);
	cr_assert_eq(xauth(1, "alice", "wonderland", &r), XAUTH_OK);
	cr_assert_eq(xauth(2, "alice", "wonderland", &r), XAUTH_OK);
	cr_assert_eq(xauth(3, "alice", "wonderland", &r), XAUTH_REFUSED);
	cr_assert_str_eq(r.message, "group 'g1' has reached max-users 2");
}
