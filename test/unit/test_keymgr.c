/* keymgr: SKEYID from the group key, XAUTH against local users, pools, split ACLs. */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network N local\n"
	"username alice password 0 wonderland\n"
	"username bob password 0 builder\n"
	"username carol@g3 password 0 locked\n"
	"username carol@g2 password 0 locked\n"
	"username dave password 0 locked\n"
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
	"crypto isakmp client configuration group g3\n"
	" key lockedsecret\n"
	" pool p2\n"
	" group-lock\n"
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

/* An unknown group gets an SKEYID like a known one (so aggressive mode answers alike), from a
 * key nobody knows: the same for the same name, another for another name. */
static struct msg_skeyid_res skeyid_for(const char *group)
{
	struct msg_skeyid_req rq = { 0 };
	struct msg_skeyid_res res;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.id_len = (uint16_t)strlen(group);
	memcpy(rq.id, group, rq.id_len);
	rq.ni_len = rq.nr_len = 16;
	memset(rq.ni, 0x11, 16);
	memset(rq.nr, 0x22, 16);
	keymgr_skeyid(&rq, &res);
	return res;
}

Test(keymgr, unknown_group_gets_a_decoy_key)
{
	struct msg_skeyid_res known = skeyid_for("g1"), a = skeyid_for("other"),
	                      a2 = skeyid_for("other"), b = skeyid_for("another");
	cr_assert_eq(a.status, KEY_OK, "an unknown group must look like a known one");
	cr_assert_eq(a.skeyid_len, known.skeyid_len);
	cr_assert_arr_eq(a.skeyid, a2.skeyid, a.skeyid_len, "the decoy changes between tries");
	cr_assert_arr_neq(a.skeyid, b.skeyid, a.skeyid_len, "two names share a decoy");
	cr_assert_arr_neq(a.skeyid, known.skeyid, a.skeyid_len);
	/* a group without a key (nokey-style) gets one too */
}

static const char *xauth_group = "g1";

static int xauth(uint32_t id, const char *user, const char *pw, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = id;
	snprintf(rq.group, sizeof(rq.group), "%s", xauth_group);
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

/* Main mode keys by address (keymgr/keyring.c). */
static const char cfg_mm[] =
	"interface eth0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	"crypto isakmp key globalkey address 203.0.113.0 255.255.255.0\n"
	"crypto isakmp key hostglobal address 192.0.2.50\n"
	/* the SafeNet seed: two keyrings, same peer, different keys, two local addresses */
	"crypto keyring SAFENET-A\n"
	" local-address eth0\n"
	" pre-shared-key address 203.0.113.7 key keyA\n"
	"crypto keyring SAFENET-B\n"
	" local-address 198.51.100.2\n"
	" pre-shared-key address 203.0.113.0 255.255.255.0 key keyBnet\n"
	" pre-shared-key address 203.0.113.7 key keyB\n"
	"crypto keyring LOOSE\n"
	" pre-shared-key address 192.0.2.0 255.255.255.0 key loosekey\n"
	"crypto isakmp profile PA\n"
	" match identity address 203.0.113.0 255.255.255.0\n"
	" keyring SAFENET-A\n"
	"crypto isakmp profile PB\n"
	" match identity address 203.0.113.0 255.255.255.0\n"
	" keyring SAFENET-B\n"
	"crypto isakmp profile PBOUND\n"
	" match identity address 192.0.2.0 255.255.255.0\n"
	" local-address 198.51.100.9\n"
	"crypto isakmp profile PLOOSE\n"
	" match identity address 192.0.2.0 255.255.255.0\n";

static struct vpnd_conf mm;

static void mm_setup(void)
{
	cr_assert_eq(conf_load_buf("mm", cfg_mm, sizeof(cfg_mm) - 1, &mm, NULL, NULL), 0);
	keymgr_init(&mm);
}

static struct in_addr a4(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* an address of either family, as ikemgr sends them */
static union sa46 a46(const char *s)
{
	union sa46 a;
	cr_assert_eq(sa46_pton(s, &a), 0, "%s", s);
	sa46_set_port(&a, htons(500));
	return a;
}

static int key_by(const struct vpnd_conf *c, const char *local, const char *peer,
                  struct key_choice *kc)
{
	union sa46 l = a46(local), p = a46(peer);
	return keymgr_key_by_addr(c, &l, &p, kc);
}

static void choose_in(const struct vpnd_conf *c, const char *local, const char *peer,
                      const char *key, const char *profile, const char *keyring)
{
	struct key_choice kc;
	cr_assert_eq(key_by(c, local, peer, &kc), 0, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.key, key, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.profile ? kc.profile->name : "", profile, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.keyring ? kc.keyring->name : "", keyring, "%s -> %s", peer, local);
}

static void choose(const char *local, const char *peer, const char *key, const char *profile,
                   const char *keyring)
{
	struct key_choice kc;
	cr_assert_eq(key_by(&mm, local, peer, &kc), 0, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.key, key, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.profile ? kc.profile->name : "", profile, "%s -> %s", peer, local);
	cr_expect_str_eq(kc.keyring ? kc.keyring->name : "", keyring, "%s -> %s", peer, local);
}

TestSuite(keyring, .init = mm_setup);

Test(keyring, safenet_two_keyrings_same_peer_by_local_address)
{
	/* PA comes first but its keyring is bound to eth0's address */
	choose("198.51.100.1", "203.0.113.7", "keyA", "PA", "SAFENET-A");
	choose("198.51.100.2", "203.0.113.7", "keyB", "PB", "SAFENET-B");
}

Test(keyring, longest_mask_within_a_keyring)
{
	choose("198.51.100.2", "203.0.113.8", "keyBnet", "PB", "SAFENET-B");
}

Test(keyring, global_key_last)
{
	/* reaching an address no keyring is bound to: the global keys */
	choose("198.51.100.3", "203.0.113.7", "globalkey", "", "");
	/* a profile that names a keyring only takes peers whose key came from it */
	choose("198.51.100.1", "203.0.113.8", "globalkey", "", "");
}

Test(keyring, unreferenced_keyring_before_global_and_profile_local_address)
{
	/* LOOSE is named by no profile; PBOUND is bound elsewhere, so PLOOSE is the profile */
	choose("198.51.100.1", "192.0.2.50", "loosekey", "PLOOSE", "LOOSE");
	choose("198.51.100.9", "192.0.2.50", "loosekey", "PBOUND", "LOOSE");
}

Test(keyring, no_key)
{
	struct key_choice kc;
	cr_expect_eq(key_by(&mm, "198.51.100.1", "10.1.1.1", &kc), -1);
	cr_expect_null(kc.key);
}

Test(keyring, skeyid_by_address_names_the_profile)
{
	struct msg_skeyid_req rq = { 0 };
	struct msg_skeyid_res ra, rb;
	rq.prf_hash = IKE_HASH_SHA256;
	rq.by_address = 1;
	rq.peer = a46("203.0.113.7");
	rq.ni_len = rq.nr_len = 16;
	memset(rq.ni, 0x11, 16);
	memset(rq.nr, 0x22, 16);
	rq.local = a46("198.51.100.1");
	keymgr_skeyid(&rq, &ra);
	rq.local = a46("198.51.100.2");
	keymgr_skeyid(&rq, &rb);
	cr_assert_eq(ra.status, KEY_OK);
	cr_assert_eq(rb.status, KEY_OK);
	cr_expect_str_eq(ra.profile, "PA");
	cr_expect_str_eq(ra.keyring, "SAFENET-A");
	cr_expect_str_eq(rb.profile, "PB");
	/* SKEYID = prf(key, Ni | Nr): the two local addresses give different keys */
	uint8_t want[64];
	size_t len = 0;
	cr_assert_eq(ike_skeyid_psk(IKE_HASH_SHA256, (const uint8_t *)"keyA", 4, rq.ni, 16, rq.nr,
	                            16, want, &len), 0);
	cr_assert_eq(ra.skeyid_len, len);
	cr_expect_eq(memcmp(ra.skeyid, want, len), 0);
	cr_expect_neq(memcmp(ra.skeyid, rb.skeyid, len), 0);
	rq.peer.sin.sin_addr = a4("10.1.1.1");
	keymgr_skeyid(&rq, &ra);
	cr_expect_eq(ra.status, KEY_NO_KEY);
}

/* Main mode by IPv6 address: the same rules over the `address ipv6` lines (IOS spellings:
 * crypto isakmp key K address ipv6 P/LEN, pre-shared-key address ipv6 P/LEN key K, match
 * identity address ipv6 P/LEN, local-address X:X::X). */
static const char cfg_mm6[] =
	"crypto isakmp key g6 address ipv6 fd00:9::/32\n"
	"crypto isakmp key 0 g6host address ipv6 fd00:9::5\n"
	"crypto keyring K6-A\n"
	" local-address fd00:1::246\n"
	" pre-shared-key address ipv6 fd00:1::/64 key k6net\n"
	" pre-shared-key address ipv6 fd00:1::2/128 key 0 k6host\n"
	"crypto keyring K6-B\n"
	" local-address fd00:1::247\n"
	" pre-shared-key address ipv6 fd00:1::/48 key k6b\n"
	"crypto isakmp profile P6A\n"
	" match identity address ipv6 fd00:1::/64\n"
	" keyring K6-A\n"
	"crypto isakmp profile P6B\n"
	" match identity address ipv6 fd00:1::/48\n"
	" keyring K6-B\n"
	"crypto isakmp profile P6G\n"
	" match identity address ipv6 fd00:9::/32\n"
	" local-address fd00:1::247\n";

static struct vpnd_conf mm6;

static void mm6_setup(void)
{
	cr_assert_eq(conf_load_buf("mm6", cfg_mm6, sizeof(cfg_mm6) - 1, &mm6, NULL, NULL), 0);
	keymgr_init(&mm6);
}

TestSuite(keyring6, .init = mm6_setup);

Test(keyring6, longest_prefix_wins)
{
	choose_in(&mm6, "fd00:1::246", "fd00:1::2", "k6host", "P6A", "K6-A");
	choose_in(&mm6, "fd00:1::246", "fd00:1::3", "k6net", "P6A", "K6-A");
	/* the global lines too: /128 over /32, whatever their order */
	choose_in(&mm6, "fd00:1::247", "fd00:9::5", "g6host", "P6G", "");
	choose_in(&mm6, "fd00:1::247", "fd00:9::7", "g6", "P6G", "");
}

Test(keyring6, keyring_bound_to_another_local_address_is_skipped)
{
	/* P6A matches fd00:1::2 first, but K6-A is bound to fd00:1::246 */
	choose_in(&mm6, "fd00:1::247", "fd00:1::2", "k6b", "P6B", "K6-B");
	/* a profile bound to another local address is not the peer's profile */
	choose_in(&mm6, "fd00:1::246", "fd00:9::7", "g6", "", "");
	/* the same address in another spelling is the same local address */
	choose_in(&mm6, "FD00:1:0:0::246", "fd00:1::3", "k6net", "P6A", "K6-A");
	struct key_choice kc;
	cr_expect_eq(key_by(&mm6, "fd00:1::246", "fd00:2::1", &kc), -1);
	cr_expect_null(kc.key);
}

Test(keyring6, families_never_cross)
{
	/* ::/0 everywhere: an IPv4 peer finds no key and no profile */
	static const char any6[] =
		"crypto keyring ANY6\n pre-shared-key address ipv6 ::/0 key any6\n"
		"crypto isakmp key gany6 address ipv6 ::/0\n"
		"crypto isakmp profile P6\n match identity address ipv6 ::/0\n keyring ANY6\n";
	/* 0.0.0.0/0 everywhere: an IPv6 peer finds no key and no profile */
	static const char any4[] =
		"crypto keyring ANY4\n pre-shared-key address 0.0.0.0 0.0.0.0 key any4\n"
		"crypto isakmp key gany4 address 0.0.0.0 0.0.0.0\n"
		"crypto isakmp profile P4\n match identity address 0.0.0.0 0.0.0.0\n keyring ANY4\n";
	static struct vpnd_conf c6, c4;
	struct key_choice kc;
	union sa46 v4 = a46("203.0.113.7"), v6 = a46("fd00:1::2");

	cr_assert_eq(conf_load_buf("any6", any6, sizeof(any6) - 1, &c6, NULL, NULL), 0);
	cr_assert_eq(conf_load_buf("any4", any4, sizeof(any4) - 1, &c4, NULL, NULL), 0);
	cr_expect_eq(key_by(&c6, "198.51.100.1", "203.0.113.7", &kc), -1, "::/0 served IPv4");
	cr_expect_eq(key_by(&c4, "fd00:1::246", "fd00:1::2", &kc), -1, "0.0.0.0/0 served IPv6");
	cr_expect_not(conf_profile_matches_addr(&c6.profile[0], &v4));
	cr_expect_not(conf_profile_matches_addr(&c4.profile[0], &v6));
	/* and each serves its own family */
	choose_in(&c6, "fd00:1::246", "fd00:1::2", "any6", "P6", "ANY6");
	choose_in(&c4, "198.51.100.1", "203.0.113.7", "any4", "P4", "ANY4");
	/* an IPv4 static VTI destination is never covered by an IPv6 line */
	cr_expect_not(conf_vti_has_key(&c6, a4("203.0.113.7")));
	cr_expect(conf_vti_has_key(&c4, a4("203.0.113.7")));
}

Test(keyring6, skeyid_by_ipv6_address)
{
	struct msg_skeyid_req rq = { 0 };
	struct msg_skeyid_res r;
	rq.prf_hash = IKE_HASH_SHA256;
	rq.by_address = 1;
	rq.peer = a46("fd00:1::2");
	rq.local = a46("fd00:1::246");
	rq.ni_len = rq.nr_len = 16;
	memset(rq.ni, 0x11, 16);
	memset(rq.nr, 0x22, 16);
	keymgr_skeyid(&rq, &r);
	cr_assert_eq(r.status, KEY_OK);
	cr_expect_str_eq(r.profile, "P6A");
	cr_expect_str_eq(r.keyring, "K6-A");
	uint8_t want[64];
	size_t len = 0;
	cr_assert_eq(ike_skeyid_psk(IKE_HASH_SHA256, (const uint8_t *)"k6host", 6, rq.ni, 16,
	                            rq.nr, 16, want, &len), 0);
	cr_assert_eq(r.skeyid_len, len);
	cr_expect_eq(memcmp(r.skeyid, want, len), 0);
	rq.peer = a46("fd00:2::1");
	keymgr_skeyid(&rq, &r);
	cr_expect_eq(r.status, KEY_NO_KEY);
}

/* aaa local authentication attempts max-fail 3: a user is locked after three wrong passwords,
 * even the right one is refused then (and looks like a wrong one), another user is not
 * affected, a good password before the third resets the count, and clearing unlocks. */
static void end_session(uint32_t id, const struct msg_xauth_res *r)
{
	struct msg_session_end e = { 0 };
	e.session_id = id;
	e.addr = r->policy.addr;
	keymgr_session_end(&e);
}

Test(keymgr, local_user_lockout)
{
	struct msg_xauth_res r;
	conf.aaa_max_fail = 3;
	keymgr_init(&conf);
	cr_assert_eq(xauth(40, "alice", "x1", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(41, "alice", "x2", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(42, "alice", "wonderland", &r), XAUTH_OK, "two failures lock nobody");
	end_session(42, &r);
	cr_assert_eq(xauth(43, "alice", "x1", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(44, "alice", "x2", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(45, "alice", "wonderland", &r), XAUTH_OK, "a good login resets");
	end_session(45, &r);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(xauth(46 + i, "alice", "wrong", &r), XAUTH_BAD_CREDENTIALS);
	cr_assert_eq(xauth(50, "alice", "wonderland", &r), XAUTH_BAD_CREDENTIALS,
	             "a locked user got in with the right password");
	cr_assert(strstr(r.message, "locked out"), "why: %s", r.message);
	cr_assert_eq(xauth(51, "bob", "builder", &r), XAUTH_OK, "another user was locked too");
	end_session(51, &r);
	struct msg_lockout_clear c = { 0 };
	snprintf(c.user, sizeof(c.user), "alice");
	cr_assert_eq(lockout_clear(&c), 1);
	cr_assert_eq(xauth(52, "alice", "wonderland", &r), XAUTH_OK, "cleared, still locked");
	end_session(52, &r);
	/* without max-fail nothing is counted */
	conf.aaa_max_fail = 0;
	keymgr_init(&conf);
	for (int i = 0; i < 5; i++)
		xauth(60 + i, "alice", "wrong", &r);
	cr_assert_eq(xauth(70, "alice", "wonderland", &r), XAUTH_OK);
	end_session(70, &r);
}

/* Password spraying from one address: 4 x max-fail failures, whatever the users (unknown
 * ones too), and that address is refused for a while. */
Test(keymgr, source_address_throttled)
{
	struct msg_xauth_res r;
	conf.aaa_max_fail = 2;
	keymgr_init(&conf);
	for (int i = 0; i < 8; i++) {
		char u[16];
		snprintf(u, sizeof(u), "nouser%d", i);
		cr_assert_eq(xauth(80 + i, u, "pw", &r), XAUTH_BAD_CREDENTIALS);
	}
	cr_assert_eq(xauth(90, "bob", "builder", &r), XAUTH_BAD_CREDENTIALS,
	             "a sprayed-from address still logs in");
	cr_assert(strstr(r.message, "refused for now"), "why: %s", r.message);
	struct msg_lockout_clear c = { .all = 1 };
	lockout_clear(&c);
	cr_assert_eq(xauth(91, "bob", "builder", &r), XAUTH_OK);
	end_session(91, &r);
	conf.aaa_max_fail = 0;
}

/* group-lock on g3: USER@g3 only; a right password for another group's user is refused once,
 * without a second try (the client is told why) */
Test(keymgr, group_lock)
{
	struct msg_xauth_res r;
	xauth_group = "g3";
	cr_expect_eq(xauth(1, "carol@g3", "locked", &r), XAUTH_OK);
	cr_expect_eq(xauth(2, "carol@g2", "locked", &r), XAUTH_REFUSED);
	cr_expect(strstr(r.message, "locked to group 'g2', not 'g3'"), "%s", r.message);
	cr_expect_eq(r.policy.addr.s_addr, 0, "no address for a refused login");
	cr_expect_eq(xauth(3, "dave", "locked", &r), XAUTH_REFUSED);
	cr_expect(strstr(r.message, "names no group, expected USER@g3"), "%s", r.message);
	cr_expect_eq(xauth(4, "carol@g2", "wrong", &r), XAUTH_BAD_CREDENTIALS,
	             "a wrong password stays a wrong password");
	xauth_group = "g1";
}

Test(keymgr, group_lock_radius_group_first)
{
	const struct conf_group *g = conf_find_group(&conf, "g3");
	char why[192];
	cr_expect_eq(group_lock_refused(g, "x@g2", "g3", why, sizeof(why)), 0,
	             "RADIUS's user-vpn-group decides");
	cr_expect_eq(group_lock_refused(g, "x@g3", "g2", why, sizeof(why)), 1);
	cr_expect(strstr(why, "belongs to group 'g2' (RADIUS)"), "%s", why);
	cr_expect_eq(group_lock_refused(g, "x/g3", NULL, why, sizeof(why)), 0);
	cr_expect_eq(group_lock_refused(g, "x\\g3", NULL, why, sizeof(why)), 0);
	cr_expect_eq(group_lock_refused(g, "x%g3", NULL, why, sizeof(why)), 0);
	cr_expect_eq(group_lock_refused(conf_find_group(&conf, "g2"), "dave", NULL, why,
	                                sizeof(why)), 0, "g2 has no group-lock");
}
