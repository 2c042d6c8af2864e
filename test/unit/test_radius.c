/*
 * RADIUS: the IOS configuration of servers and groups, redaction of their keys, the
 * Cisco-AVPair "ipsec:" parser, and keymgr's method-list walk when servers are silent
 * (loopback ports nobody listens on: failover to local, prompt error, deadtime).
 * The exchanges with a real server are in test/interop/test_radius.sh (FreeRADIUS).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static struct vpnd_conf conf;

static int load(const char *txt)
{
	return conf_load_buf("t", txt, strlen(txt), &conf, NULL, NULL);
}

Test(radius_conf, servers_and_groups)
{
	cr_assert_eq(load(
		"radius server A\n"
		" address ipv4 127.0.0.1 auth-port 18120 acct-port 18121\n"
		" key 0 s3cr:et\n"
		" timeout 2\n"
		" retransmit 0\n"
		"radius server B\n"
		" address ipv4 10.0.0.2\n"
		" key other\n"
		"aaa group server radius G\n"
		" server name B\n"
		" server name A\n"
		"aaa authentication login L group G local\n"
		"aaa accounting network X start-stop group G\n"
		"aaa accounting update periodic 5\n"
		"radius-server deadtime 3\n"
		"radius-server dead-criteria time 5 tries 2\n"
		"radius-server group-password gp\n"), 0);
	cr_assert_eq(conf.nradius, 2);
	const struct conf_radius_server *a = conf_find_radius(&conf, "A");
	cr_assert(a);
	cr_assert_eq(a->auth_port, 18120);
	cr_assert_eq(a->acct_port, 18121);
	cr_assert_str_eq(a->key, "s3cr:et");
	cr_assert_eq(a->timeout, 2);
	cr_assert_eq(a->retransmit, 0);
	const struct conf_radius_server *b = conf_find_radius(&conf, "B");
	cr_assert_eq(b->auth_port, 1645);   /* IOS defaults */
	cr_assert_eq(b->acct_port, 1646);
	cr_assert_eq(b->retransmit, -1);
	const struct conf_radius_group *g = conf_find_radius_group(&conf, "G");
	cr_assert(g);
	cr_assert_eq(g->nserver, 2);
	cr_assert_str_eq(g->server[0], "B");
	cr_assert_str_eq(g->server[1], "A");
	cr_assert_eq(conf.acct_update_periodic, 5);
	cr_assert_eq(conf.radius_deadtime, 3);
	cr_assert_eq(conf.radius_dead_time, 5);
	cr_assert_eq(conf.radius_dead_tries, 2);
	cr_assert_str_eq(conf.radius_group_password, "gp");

	conf_redact(&conf);
	for (int k = 0; k < CONF_MAX_RADIUS; k++)
		for (size_t i = 0; i < sizeof(conf.radius[k].key); i++)
			cr_assert_eq(conf.radius[k].key[i], 0);
	cr_assert_eq(conf.radius_group_password[0], 0);
}

/* IOS's classic one-line servers, as most pasted configurations have them */
Test(radius_conf, classic_host_lines)
{
	cr_assert_eq(load(
		"radius-server host 10.0.0.9 auth-port 1812 acct-port 1813 timeout 3 key s3cret\n"
		"radius-server host 10.0.0.10 key 7 0822455D0A16\n"
		"radius-server host 10.0.0.11\n"
		"aaa group server radius G\n"
		" server 10.0.0.10 auth-port 1645 acct-port 1646\n"
		" server 10.0.0.9\n"
		"aaa authentication login L group radius local\n"
		"aaa authorization network N group G\n"), 1, "10.0.0.11 has no key");
	cr_assert_eq(conf.nradius, 3);
	const struct conf_radius_server *a = conf_find_radius(&conf, "10.0.0.9");
	cr_assert(a);
	cr_assert(a->has_addr);
	cr_assert_eq(a->addr.s_addr, inet_addr("10.0.0.9"));
	cr_assert_eq(a->auth_port, 1812);
	cr_assert_eq(a->acct_port, 1813);
	cr_assert_eq(a->timeout, 3);
	cr_assert_str_eq(a->key, "s3cret");
	const struct conf_radius_server *b = conf_find_radius(&conf, "10.0.0.10");
	cr_assert_str_eq(b->key, "cisco", "key 7 is decoded");
	cr_assert_eq(b->auth_port, 1645);
	const struct conf_radius_group *g = conf_find_radius_group(&conf, "G");
	cr_assert_eq(g->nserver, 2);
	cr_assert_str_eq(g->server[0], "10.0.0.10");
	cr_assert_str_eq(g->server[1], "10.0.0.9");

	cr_assert_eq(load("radius-server host 10.0.0.9 key k\naaa group server radius G\n"
	                  " server 10.0.0.9 auth-port 1812\n"), 2, "ports that disagree (and G is empty)");
	cr_assert_eq(load("aaa group server radius G\n server 10.0.0.9\n"), 2, "no such host (and G is empty)");
	cr_assert_eq(load("radius-server host 10.0.0.9 port 1 key k\n"), 2, "(and then no key)");
	cr_assert_eq(load("radius-server host nothere key k\n"), 1);
}

Test(radius_conf, defaults)
{
	cr_assert_eq(load("hostname h\n"), 0);
	cr_assert_eq(conf.radius_timeout, 5);
	cr_assert_eq(conf.radius_retransmit, 3);
	cr_assert_str_eq(conf.radius_group_password, "cisco");
}

Test(radius_conf, errors)
{
	cr_assert_eq(load("radius server A\n address ipv5 ::1\n key k\n"), 2);   /* bad family + no address */
	cr_assert_eq(load("radius server A\n address ipv6 ff02::1\n key k\n"), 2);
	cr_assert_eq(load("radius server A\n address ipv6 10.0.0.1\n key k\n"), 2);
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4 auth-port 70000\n key k\n"), 2);
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key 7 0822455D0A1\n"), 2);
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key 5 abc\n"), 2);
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key two words\n"), 2);
	cr_assert_eq(load("aaa authentication login L group NOPE\n"), 1);
	cr_assert_eq(load("aaa group server radius G\n server name MISSING\n"), 1);
	cr_assert_eq(load("radius-server dead-criteria tries 0\n"), 1);
	/* a group that only the RADIUS server knows is fine when the profile asks RADIUS */
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key k\n"
	                  "aaa group server radius G\n server name A\n"
	                  "aaa authorization network N group G\n"
	                  "crypto isakmp profile P\n match identity group ONLYRADIUS\n"
	                  " isakmp authorization list N\n"), 0);
	cr_assert(conf_profile_group_via_radius(&conf, conf_find_profile_for_group(&conf, "ONLYRADIUS")));
	cr_assert_eq(load("crypto isakmp profile P\n match identity group NOWHERE\n"), 1);
}

static int apply(struct rad_attrs *a, const char *s)
{
	return rad_avpair_apply(a, s, strlen(s));
}

Test(radius_avpair, group_policy)
{
	struct rad_attrs a;
	char ip[INET_ADDRSTRLEN];
	rad_attrs_init(&a);
	cr_assert_eq(apply(&a, "ipsec:tunnel-password=Gk:ey with spaces"), 1);
	cr_assert(a.has_key);
	cr_assert_str_eq(a.key, "Gk:ey with spaces");
	cr_assert_eq(apply(&a, "ipsec:addr-pool=pool1"), 1);
	cr_assert_str_eq(a.pool, "pool1");
	cr_assert_eq(apply(&a, "ipsec:dns-servers=10.0.0.53 10.0.0.54"), 1);
	cr_assert_eq(a.ndns, 2);
	inet_ntop(AF_INET, &a.dns[1], ip, sizeof(ip));
	cr_assert_str_eq(ip, "10.0.0.54");
	cr_assert_eq(apply(&a, "ipsec:default-domain=example.test"), 1);
	cr_assert_str_eq(a.domain, "example.test");
	cr_assert_eq(apply(&a, "ipsec:split-tunnel-list=split1"), 1);
	cr_assert_str_eq(a.split_acl, "split1");
	cr_assert_eq(apply(&a, "ipsec:banner=Hello there"), 1);
	cr_assert_str_eq(a.banner, "Hello there");
	cr_assert_eq(apply(&a, "ipsec:save-password=1"), 1);
	cr_assert_eq(a.save_password, 1);
	cr_assert_eq(apply(&a, "ipsec:pfs=false"), 1);
	cr_assert_eq(a.pfs, 0);
	cr_assert_eq(apply(&a, "ipsec:max-users=25"), 1);
	cr_assert_eq(a.max_users, 25);
	cr_assert_eq(apply(&a, "ipsec:inacl*101"), 1);    /* '*' = optional pair */
	cr_assert_str_eq(a.inacl, "101");
	cr_assert_eq(apply(&a, "ipsec:network-extension-acl=nem77"), 1);
	cr_assert_str_eq(a.nem_acl, "nem77");
	cr_assert_eq(apply(&a, "ipsec:user-vpn-group=sales"), 1);
	cr_assert_str_eq(a.user_vpn_group, "sales");
	cr_assert_eq(apply(&a, "ipsec:user-vpn-group=two words"), -1);
	cr_assert_str_eq(a.user_vpn_group, "sales");
	cr_assert_eq(a.bad_avpairs, 1);
}

Test(radius_avpair, malformed_and_foreign)
{
	struct rad_attrs a;
	rad_attrs_init(&a);
	cr_assert_eq(apply(&a, "shell:priv-lvl=15"), 0);          /* not ours */
	cr_assert_eq(apply(&a, "ipsec:unknown-thing=1"), 0);
	cr_assert_eq(apply(&a, "ipsec:"), -1);
	cr_assert_eq(apply(&a, "ipsec:dns-servers"), -1);          /* no '=' */
	cr_assert_eq(apply(&a, "ipsec:dns-servers=10.0.0.300"), -1);
	cr_assert_eq(apply(&a, "ipsec:dns-servers=1.1.1.1 2.2.2.2 3.3.3.3"), -1);
	cr_assert_eq(apply(&a, "ipsec:dns-servers="), -1);
	cr_assert_eq(apply(&a, "ipsec:pfs=maybe"), -1);
	cr_assert_eq(apply(&a, "ipsec:max-users=-1"), -1);
	cr_assert_eq(apply(&a, "ipsec:max-users=99999999999"), -1);
	cr_assert_eq(apply(&a, "ipsec:addr-pool=has space"), -1);
	cr_assert_eq(a.ndns, 0);
	cr_assert_eq(a.pfs, -1);
	cr_assert_eq(a.max_users, -1);
	cr_assert_eq(a.pool[0], 0);
	/* an embedded NUL, and a value longer than the field */
	const char nul[] = "ipsec:tunnel-password=ab\0cd";
	cr_assert_eq(rad_avpair_apply(&a, nul, sizeof(nul) - 1), -1);
	cr_assert_eq(a.has_key, 0);
	char longv[400] = "ipsec:default-domain=";
	memset(longv + strlen(longv), 'x', 300);
	cr_assert_eq(apply(&a, longv), -1);
	cr_assert_eq(a.domain[0], 0);
	cr_assert_eq(a.bad_avpairs, 11);
}

/* Loopback ports with nobody listening: each request times out after 1 s. */
static const char dead_cfg[] =
	"hostname hub\n"
	"aaa new-model\n"
	"radius server D1\n address ipv4 127.0.0.1 auth-port 39191\n key k1\n timeout 1\n retransmit 0\n"
	"radius server D2\n address ipv4 127.0.0.1 auth-port 39192\n key k2\n timeout 1\n retransmit 0\n"
	"aaa group server radius DEAD\n server name D1\n server name D2\n"
	"aaa authentication login dead_local group DEAD local\n"
	"aaa authentication login dead_only group DEAD\n"
	"aaa authorization network N local\n"
	"username alice password 0 pw1\n"
	"crypto isakmp client configuration group g1\n key gk\n pool p1\n"
	"ip local pool p1 10.9.0.10 10.9.0.20\n";

static void xauth(const char *list, const char *user, const char *pw, uint32_t sa,
                  struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa;
	strcpy(rq.group, "g1");
	strcpy(rq.user, user);
	strcpy(rq.password, pw);
	strcpy(rq.auth_list, list);
	strcpy(rq.author_list, "N");
	rq.peer.sin.sin_family = AF_INET;
	rq.peer.sin.sin_addr.s_addr = htonl(0x7f000001);
	keymgr_xauth(&rq, res);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

Test(radius_failover, dead_servers_then_local)
{
	struct msg_xauth_res res;
	cr_assert_eq(load(dead_cfg), 0);
	keymgr_init(&conf);
	radius_init(&conf, NULL);
	double t0 = now_s();
	xauth("dead_local", "alice", "pw1", 1, &res);
	cr_assert_eq(res.status, XAUTH_OK, "%s", res.message);
	cr_assert(now_s() - t0 < 4.0);
	/* local answered: a wrong password is a reject, not a failover */
	xauth("dead_local", "alice", "nope", 2, &res);
	cr_assert_eq(res.status, XAUTH_BAD_CREDENTIALS);
}

Test(radius_failover, all_dead_no_local_fails_promptly)
{
	struct msg_xauth_res res;
	cr_assert_eq(load(dead_cfg), 0);
	keymgr_init(&conf);
	radius_init(&conf, NULL);
	double t0 = now_s();
	xauth("dead_only", "alice", "pw1", 3, &res);
	double took = now_s() - t0;
	cr_assert_eq(res.status, XAUTH_ERROR);
	cr_assert(strstr(res.message, "D1: no answer (marked dead for 1 min), "
	                 "D2: no answer (marked dead for 1 min)"), "%s", res.message);
	cr_assert(took >= 1.5 && took < 4.0, "took %.1f s", took);
}

Test(radius_failover, deadtime_skips_dead_servers)
{
	struct msg_xauth_res res;
	char cfg[sizeof(dead_cfg) + 64];
	snprintf(cfg, sizeof(cfg), "%sradius-server deadtime 1\n", dead_cfg);
	cr_assert_eq(load(cfg), 0);
	keymgr_init(&conf);
	radius_init(&conf, NULL);
	xauth("dead_only", "alice", "pw1", 4, &res);
	cr_assert_eq(res.status, XAUTH_ERROR);
	cr_assert(strstr(res.message, "marked dead"), "%s", res.message);
	/* now both are skipped without waiting */
	double t0 = now_s();
	xauth("dead_only", "alice", "pw1", 5, &res);
	cr_assert_eq(res.status, XAUTH_ERROR);
	cr_assert(strstr(res.message, "D1: dead, D2: dead"), "%s", res.message);
	cr_assert(now_s() - t0 < 0.5);
}

/* ---- Framed-Route and ip:interface-config ---- */

Test(radius_avpair, framed_routes)
{
	struct rad_attrs a;
	rad_attrs_init(&a);
	char ip[INET_ADDRSTRLEN];
#define FR(s) rad_framed_route(&a, s, strlen(s))
	cr_assert_eq(FR("10.77.0.0/24 0.0.0.0 1"), 1);
	cr_assert_eq(FR("10.78.1.2 255.255.0.0 0.0.0.0 1"), 1, "Cisco style with a netmask");
	cr_assert_eq(FR("192.0.2.9"), 1, "a host");
	cr_assert_eq(a.nroute, 3);
	cr_assert_eq(a.route[0].plen, 24);
	cr_assert_eq(a.route[1].plen, 16);
	cr_assert_str_eq(inet_ntop(AF_INET, &a.route[1].net, ip, sizeof(ip)), "10.78.0.0",
	                 "host bits cleared");
	cr_assert_eq(a.route[2].plen, 32);
	cr_assert_eq(FR("0.0.0.0/0 0.0.0.0 1"), -1, "a default route through one client");
	cr_assert_eq(FR("10.0.0.0/33"), -1);
	cr_assert_eq(FR("10.0.0.0 255.0.255.0 0.0.0.0 1"), -1, "a mask with holes");
	cr_assert_eq(FR("garbage"), -1);
	cr_assert_eq(FR(""), -1);
	cr_assert_eq(rad_framed_route(&a, "10.1.0.0/16\0x", 13), -1, "a NUL inside");
	cr_assert_eq(a.nroute, 3);
	cr_assert_eq(a.bad_routes, 6);
	for (int k = 0; k < 10; k++)
		FR("10.9.0.0/16");
	cr_assert_eq(a.nroute, RAD_MAX_ROUTES, "bounded");
#undef FR
}

Test(radius_avpair, interface_config_lines)
{
	struct rad_attrs a;
	rad_attrs_init(&a);
#define AV(s) rad_avpair_apply(&a, s, strlen(s))
	cr_assert_eq(AV("ip:interface-config=ip mtu 1300"), 1);
	cr_assert_eq(AV("ip:interface-config=ip access-group x in"), 1);
	cr_assert_eq(a.nifcfg, 2);
	cr_assert_str_eq(a.ifcfg[0], "ip mtu 1300");
	cr_assert_eq(AV("ip:interface-config=ip mtu\x1b[31m"), -1, "control bytes refused");
	cr_assert_eq(AV("ip:interface-config="), -1);
	cr_assert_eq(AV("ip:other=1"), 0, "not ours");
	for (int k = 0; k < 5; k++)
		AV("ip:interface-config=ip mtu 1400");
	cr_assert_eq(a.nifcfg, RAD_MAX_IFCFG, "bounded");
#undef AV
}

/* ---- rad_reply_check: the reply datagram against its request ---- */
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char SECRET[] = "s3cret";

/* Builds code/id/attrs into rep with a right authenticator (and Message-Authenticator when
 * with_ma, as the first attribute). Returns the length. */
static size_t mkreply(uint8_t *rep, const uint8_t *req, uint8_t code, const uint8_t *attrs,
                      size_t alen, int with_ma)
{
	size_t off = 20, len;
	rep[0] = code;
	rep[1] = req[1];
	if (with_ma) {
		rep[off] = 80;
		rep[off + 1] = 18;
		memset(rep + off + 2, 0, 16);
		off += 18;
	}
	memcpy(rep + off, attrs, alen);
	len = off + alen;
	rep[2] = (uint8_t)(len >> 8);
	rep[3] = (uint8_t)len;
	memcpy(rep + 4, req + 4, 16);
	if (with_ma) {
		unsigned n = 0;
		HMAC(EVP_md5(), SECRET, (int)strlen(SECRET), rep, len, rep + 22, &n);
	}
	unsigned n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t md[16];
	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	EVP_DigestUpdate(c, rep, 4);
	EVP_DigestUpdate(c, req + 4, 16);
	EVP_DigestUpdate(c, rep + 20, len - 20);
	EVP_DigestUpdate(c, SECRET, strlen(SECRET));
	EVP_DigestFinal_ex(c, md, &n);
	EVP_MD_CTX_free(c);
	memcpy(rep + 4, md, 16);
	return len;
}

Test(radius_wire, authentic_and_malformed_replies)
{
	uint8_t req[20] = { 1, 7, 0, 20 }, rep[512];
	for (int i = 4; i < 20; i++)
		req[i] = (uint8_t)(i * 13);
	const uint8_t msg[] = { 18, 4, 'h', 'i' };
	const uint8_t vsa[] = { 26, 12, 0, 0, 0, 9, 1, 6, 'a', '=', 'b', 'c' };
	const uint8_t badvsa[] = { 26, 12, 0, 0, 0, 9, 1, 200, 'a', '=', 'b', 'c' };
	const uint8_t past[] = { 8, 6, 10, 0, 0 };

	size_t n = mkreply(rep, req, 2, msg, sizeof(msg), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, "other", NULL), -1, "wrong secret accepted");
	rep[5] ^= 1;
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "bad authenticator accepted");
	n = mkreply(rep, req, 2, msg, sizeof(msg), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n - 1, SECRET, NULL), -1, "short datagram accepted");
	cr_assert_eq(rad_reply_check(req, 20, rep, n + 0, SECRET, NULL), 0);
	rep[1] ^= 1;
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "other ID accepted");

	n = mkreply(rep, req, 11, vsa, sizeof(vsa), 1);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), 0, "Cisco VSA + Message-Authenticator");
	rep[25] ^= 1;       /* inside the Message-Authenticator */
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "bad Message-Authenticator accepted");
	n = mkreply(rep, req, 2, badvsa, sizeof(badvsa), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "bad VSA inner length accepted");
	n = mkreply(rep, req, 2, past, sizeof(past), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "attribute past the end accepted");
	n = mkreply(rep, req, 4, msg, sizeof(msg), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), -1, "Accounting-Response code accepted");
	/* an Accounting-Request is answered by an Accounting-Response, nothing else */
	uint8_t areq[20] = { 4, 9, 0, 20 };
	for (int i = 4; i < 20; i++)
		areq[i] = (uint8_t)(i * 7);
	n = mkreply(rep, areq, 5, msg, 0, 0);
	cr_assert_eq(rad_reply_check(areq, 20, rep, n, SECRET, NULL), 0, "Accounting-Response refused");
	cr_assert_eq(rad_reply_check(areq, 20, rep, n, "other", NULL), -1, "wrong secret accepted");
	n = mkreply(rep, areq, 2, msg, 0, 0);
	cr_assert_eq(rad_reply_check(areq, 20, rep, n, SECRET, NULL), -1,
	             "Access-Accept taken as an accounting acknowledgement");
}

Test(radius_pool, framed_ip_is_claimed_from_its_pool)
{
	struct in_addr a, b;
	cr_assert_eq(load("ip local pool p1 10.9.0.10 10.9.0.20\n"), 0);
	keymgr_init(&conf);
	cr_assert_eq(pool_alloc("p1", 1, &a), 0);                 /* 10.9.0.10 */
	cr_assert_eq(pool_claim(2, a), -1, "an address in use was claimed");
	inet_pton(AF_INET, "10.9.0.11", &b);
	cr_assert_eq(pool_claim(2, b), 0);
	cr_assert_eq(pool_alloc("p1", 3, &a), 0);
	cr_assert_str_eq(inet_ntoa(a), "10.9.0.12", "the pool gave out a claimed address");
	pool_release(2, b);
	cr_assert_eq(pool_alloc("p1", 4, &a), 0);
	cr_assert_str_eq(inet_ntoa(a), "10.9.0.11");
	inet_pton(AF_INET, "192.0.2.1", &b);
	cr_assert_eq(pool_claim(5, b), 0);                          /* outside every pool */
}

/* ---- requests on the wire: vectors computed independently with Python's hmac/hashlib ---- */

static void unhex(const char *h, uint8_t *out, size_t *n)
{
	*n = strlen(h) / 2;
	for (size_t i = 0; i < *n; i++)
		sscanf(h + 2 * i, "%2hhx", &out[i]);
}

/* Access-Request ID 0x2a, Request Authenticator 00..0f, User-Name alice, User-Password pw,
 * secret s3cret: the Message-Authenticator first, HMAC-MD5 over the packet with its value
 * zeroed; User-Password = "pw" padded, XOR MD5(secret | authenticator). */
static const char access_vec[] =
	"012a003f000102030405060708090a0b0c0d0e0f501226190e1f5ab832e39016f9ec623323b30107616c69"
	"63650212b3c5645f7dc082e7dc50f83977198150";
/* Accounting-Request ID 7, Acct-Status-Type Start, Acct-Session-Id 0123, with and without
 * a Message-Authenticator (computed over a zero authenticator, RFC 2866 then signs all) */
static const char acct_vec[] =
	"04070032da86da7cf7fcfcad31edb03abb27c4045012728aa38f3c2ffe15bc3249b4fb42bc8e2806000000"
	"012c0630313233";
static const char acct_noma_vec[] = "040700201ced611efc2258a562daa3dd5e1581532806000000012c0630313233";
/* Access-Accept to access_vec: Message-Authenticator, Reply-Message "ok" */
static const char reply_vec[] =
	"022a002a95e3026a3f1c380f3913f580148240a45012c81d4527a3166cdbb108241db1210b8412046f6b";

Test(radius_wire, access_request_message_authenticator_first)
{
	struct rad_pkt p;
	uint8_t want[256];
	size_t n;
	rad_pkt_init(&p, 1, 0x2a);
	cr_assert_eq(p.ma, 20, "Message-Authenticator is not the first attribute");
	for (int i = 0; i < 16; i++)
		p.b[4 + i] = (uint8_t)i;       /* a fixed authenticator in place of the random one */
	rad_put_str(&p, 1, "alice");
	rad_put_password(&p, "pw", "s3cret");
	cr_assert_eq(rad_pkt_finish(&p, "s3cret"), 0);
	unhex(access_vec, want, &n);
	cr_assert_eq(p.len, n);
	cr_assert_eq(memcmp(p.b, want, n), 0, "Access-Request differs from the Python vector");
}

Test(radius_wire, random_request_authenticator)
{
	struct rad_pkt a, b;
	rad_pkt_init(&a, 1, 1);
	rad_pkt_init(&b, 1, 1);
	cr_assert_neq(memcmp(a.b + 4, b.b + 4, 16), 0, "two Access-Requests share an authenticator");
}

Test(radius_wire, accounting_request_authenticators)
{
	struct rad_pkt p;
	uint8_t want[256];
	size_t n;
	memset(&p, 0, sizeof(p));
	p.b[0] = 4;
	p.b[1] = 7;
	/* without one (as a server's tool might send): RFC 2866's authenticator alone */
	p.len = 20;
	p.ma = 0;
	rad_put_u32(&p, 40, 1);
	rad_put_str(&p, 44, "0123");
	cr_assert_eq(rad_pkt_finish(&p, "s3cret"), 0);
	unhex(acct_noma_vec, want, &n);
	cr_assert_eq(p.len, n);
	cr_assert_eq(memcmp(p.b, want, n), 0, "Accounting-Request differs from the Python vector");

	rad_pkt_init(&p, 4, 7);
	cr_assert_eq(p.ma, 20, "Message-Authenticator is not the first attribute");
	rad_put_u32(&p, 40, 1);
	rad_put_str(&p, 44, "0123");
	cr_assert_eq(rad_pkt_finish(&p, "s3cret"), 0);
	unhex(acct_vec, want, &n);
	cr_assert_eq(p.len, n);
	cr_assert_eq(memcmp(p.b, want, n), 0, "Accounting-Request with MA differs from Python's");
}

Test(radius_wire, reply_message_authenticator_verified)
{
	uint8_t req[256], rep[256];
	size_t rn, n;
	unsigned f = 99;
	unhex(access_vec, req, &rn);
	unhex(reply_vec, rep, &n);
	cr_assert_eq(rad_reply_check(req, rn, rep, n, "s3cret", &f), 0);
	cr_assert_eq(f, RAD_F_MSG_AUTH);
	uint8_t md[16];
	cr_assert_eq(rad_msg_auth(rep, n, 20, req + 4, "s3cret", md), 0);
	cr_assert_eq(memcmp(md, rep + 22, 16), 0);
	rep[23] ^= 0x40;
	cr_assert_eq(rad_reply_check(req, rn, rep, n, "s3cret", &f), -1, "bad MA accepted");
}

/* RFC 3579 3.1: an EAP-Message without a Message-Authenticator is discarded, whatever the
 * server's setting */
Test(radius_wire, eap_without_message_authenticator)
{
	uint8_t req[20] = { 1, 7, 0, 20 }, rep[512];
	unsigned f = 0;
	const uint8_t eap[] = { 79, 6, 3, 1, 0, 4 };
	size_t n = mkreply(rep, req, 2, eap, sizeof(eap), 0);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, &f), -1);
	n = mkreply(rep, req, 2, eap, sizeof(eap), 1);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, &f), 0);
	cr_assert_eq(f, RAD_F_MSG_AUTH | RAD_F_EAP);
}

/* The attributes vpnd reads from an Access-Accept, through rad_reply_parse */
Test(radius_wire, reply_attributes)
{
	uint8_t req[20] = { 1, 7, 0, 20 }, rep[512];
	struct rad_attrs a;
	rad_attrs_init(&a);
	uint8_t good[] = {
		8, 6, 192, 168, 50, 77, 27, 6, 0, 0, 14, 16, 25, 5, 'c', 'l', 's',
		11, 7, 'r', 'a', 'd', 'i', 'n',
		26, 19, 0, 0, 0, 9, 1, 13, 'i', 'p', 's', 'e', 'c', ':', 'p', 'f', 's', '=', '1',
	};
	size_t n = mkreply(rep, req, 2, good, sizeof(good), 1);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), 0);
	rad_reply_parse(rep, n, &a);
	cr_assert_str_eq(inet_ntoa(a.framed_ip), "192.168.50.77");
	cr_assert_eq(a.session_timeout, 3600);
	cr_assert_eq(a.class_len, 3);
	cr_assert_str_eq(a.filter_id, "radin");
	cr_assert_eq(a.pfs, 1);
}

Test(radius_conf, message_authenticator_word)
{
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key k\n"
	                  " message-authenticator required\n"
	                  "radius server B\n address ipv4 1.2.3.5\n key k\n message-authenticator off\n"
	                  "radius server C\n address ipv4 1.2.3.6\n key k\n"), 0);
	cr_assert_eq(conf_find_radius(&conf, "A")->msg_auth, CONF_MA_REQUIRED);
	cr_assert_eq(conf_find_radius(&conf, "B")->msg_auth, CONF_MA_OFF);
	cr_assert_eq(conf_find_radius(&conf, "C")->msg_auth, CONF_MA_AUTO);
	cr_assert_eq(conf.radius_deadtime, 1, "vpnd's default deadtime is 1 minute");
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key k\n"
	                  " message-authenticator maybe\n"), 1);
	cr_assert_eq(load("radius server A\n address ipv4 1.2.3.4\n key k\n"
	                  " message-authenticator\n"), 1);
}

/* RFC 6911 Framed-IPv6-Address and RFC 3162 Framed-IPv6-Prefix (only a /128 is an address)
 * and Framed-IPv6-Pool; a wrong length or a shorter prefix is counted, not taken */
Test(radius_wire, reply_ipv6_attributes)
{
	uint8_t req[20] = { 1, 7, 0, 20 }, rep[512];
	char buf[INET6_ADDRSTRLEN];
	struct rad_attrs a;
	const uint8_t addr[] = { 168, 18, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42,
	                         100, 6, 'p', 'o', 'o', 'l' };
	rad_attrs_init(&a);
	size_t n = mkreply(rep, req, 2, addr, sizeof(addr), 1);
	cr_assert_eq(rad_reply_check(req, 20, rep, n, SECRET, NULL), 0);
	rad_reply_parse(rep, n, &a);
	cr_assert_str_eq(inet_ntop(AF_INET6, &a.framed_ip6, buf, sizeof(buf)), "2001:db8::42");
	cr_assert_str_eq(a.framed_pool6, "pool");
	cr_assert_eq(a.bad_v6, 0);

	const uint8_t pfx[] = { 97, 20, 0, 128, 0xfd, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
	rad_attrs_init(&a);
	n = mkreply(rep, req, 2, pfx, sizeof(pfx), 1);
	rad_reply_parse(rep, n, &a);
	cr_assert_str_eq(inet_ntop(AF_INET6, &a.framed_ip6, buf, sizeof(buf)), "fd00:6::7");

	const uint8_t bad[] = { 97, 12, 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,    /* a /64 */
	                        168, 6, 10, 0, 0, 1,                                 /* 4 bytes */
	                        100, 4, 'a', ' ' };                                  /* a blank */
	rad_attrs_init(&a);
	n = mkreply(rep, req, 2, bad, sizeof(bad), 1);
	rad_reply_parse(rep, n, &a);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&a.framed_ip6));
	cr_assert_str_eq(a.framed_pool6, "");
	cr_assert_eq(a.bad_v6, 3);
}

/* a server on IPv6: address ipv6, printed back; requests carry NAS-IPv6-Address (RFC 3162
 * 2.1) in place of NAS-IP-Address */
Test(radius_conf, ipv6_server)
{
	cr_assert_eq(load("radius server A6\n address ipv6 fd00:1::53 auth-port 1812 acct-port 1813\n"
	                  " key k6\n"), 0);
	const struct conf_radius_server *s = conf_find_radius(&conf, "A6");
	cr_assert_not_null(s);
	char a[INET6_ADDRSTRLEN];
	cr_assert_eq(s->family, AF_INET6);
	cr_assert_str_eq(inet_ntop(AF_INET6, &s->addr6, a, sizeof(a)), "fd00:1::53");
	cr_assert_eq(s->auth_port, 1812);

	struct radius_job j;
	struct rad_pkt pkt;
	memset(&j, 0, sizeof(j));
	j.kind = RAD_JOB_ACCT;
	j.acct.status = ACCT_START;
	snprintf(j.acct.user, sizeof(j.acct.user), "ann");
	struct rad_nas n6 = { .family = AF_INET6 }, n4 = { .family = AF_INET };
	inet_pton(AF_INET6, "fd00:1::1", &n6.v6);
	inet_pton(AF_INET, "10.1.1.1", &n4.v4);
	const uint8_t want6[] = { 95, 18, 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t want4[] = { 4, 6, 10, 1, 1, 1 };
	cr_assert_eq(rad_build_request(&pkt, &conf, 9, &j, "k6", &n6), 0);
	cr_assert_not_null(memmem(pkt.b + 20, pkt.len - 20, want6, sizeof(want6)));
	cr_assert_null(memmem(pkt.b + 20, pkt.len - 20, want4, 2), "NAS-IP-Address beside it");
	cr_assert_eq(rad_build_request(&pkt, &conf, 9, &j, "k6", &n4), 0);
	cr_assert_not_null(memmem(pkt.b + 20, pkt.len - 20, want4, sizeof(want4)));
}
