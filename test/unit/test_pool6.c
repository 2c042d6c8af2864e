/*
 * keymgr's ipv6 local pool (keymgr/pool6.c): XAUTH gives a group's client an IPv6 address
 * beside its IPv4 one, lowest free first, never prefix::0; the session's end gives it back; a
 * full pool leaves the session IPv4 only; a reload keeps live leases.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static struct vpnd_conf conf;

#define CFG_HEAD \
	"aaa new-model\n" \
	"aaa authentication login L local\n" \
	"aaa authorization network N local\n" \
	"username alice password 0 wonderland\n" \
	"crypto isakmp client configuration group g\n" \
	" key groupsecret\n" \
	" pool p4\n" \
	" ipv6 pool p6\n" \
	"crypto isakmp client configuration group only4\n" \
	" key othersecret\n" \
	" pool p4\n" \
	"ip local pool p4 10.9.0.1 10.9.0.100\n"

static const char cfg[] = CFG_HEAD
	"ipv6 local pool p6 2001:db8:6::/126 128\n"
	"ipv6 local pool big 2001:db8:7::/112 128\n";

static void setup(void)
{
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	keymgr_init(&conf);
}

TestSuite(pool6, .init = setup);

static int xauth(uint32_t id, const char *group, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = id;
	snprintf(rq.group, sizeof(rq.group), "%s", group);
	snprintf(rq.user, sizeof(rq.user), "alice");
	snprintf(rq.password, sizeof(rq.password), "wonderland");
	snprintf(rq.auth_list, sizeof(rq.auth_list), "L");
	memset(res, 0, sizeof(*res));
	keymgr_xauth(&rq, res);
	return res->status;
}

static const char *a6(const struct in6_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];
	return inet_ntop(AF_INET6, a, buf, sizeof(buf));
}

static void end(uint32_t id, const struct msg_xauth_res *r)
{
	struct msg_session_end e;
	memset(&e, 0, sizeof(e));
	e.session_id = id;
	e.addr = r->policy.addr;
	e.addr6 = r->policy.addr6;
	keymgr_session_end(&e);
}

Test(pool6, xauth_gives_both_families_and_end_releases)
{
	struct msg_xauth_res r1, r2, r3, r4;

	cr_assert_eq(xauth(1, "g", &r1), XAUTH_OK, "%s", r1.message);
	cr_expect_str_eq(inet_ntoa(r1.policy.addr), "10.9.0.1");
	cr_expect_str_eq(a6(&r1.policy.addr6), "2001:db8:6::1", "::0 is the anycast address");
	cr_assert_eq(xauth(2, "g", &r2), XAUTH_OK);
	cr_expect_str_eq(a6(&r2.policy.addr6), "2001:db8:6::2");
	cr_assert_eq(xauth(3, "g", &r3), XAUTH_OK);
	cr_expect_str_eq(a6(&r3.policy.addr6), "2001:db8:6::3");
	cr_expect_eq(pool6_in_use("p6"), 3);
	/* a /126 has three: the fourth client gets IPv4 only, not a refusal */
	cr_assert_eq(xauth(4, "g", &r4), XAUTH_OK, "%s", r4.message);
	cr_expect(IN6_IS_ADDR_UNSPECIFIED(&r4.policy.addr6), "%s", a6(&r4.policy.addr6));
	cr_expect_str_eq(inet_ntoa(r4.policy.addr), "10.9.0.4");

	end(2, &r2);
	cr_expect_eq(pool6_in_use("p6"), 2);
	cr_assert_eq(xauth(5, "g", &r4), XAUTH_OK);
	cr_expect_str_eq(a6(&r4.policy.addr6), "2001:db8:6::2", "the released address again");

	/* another session's end does not free an address it does not hold */
	struct msg_session_end e;
	memset(&e, 0, sizeof(e));
	e.session_id = 99;
	e.addr6 = r1.policy.addr6;
	keymgr_session_end(&e);
	cr_expect_eq(pool6_in_use("p6"), 3);
}

Test(pool6, group_without_ipv6_pool)
{
	struct msg_xauth_res r;
	cr_assert_eq(xauth(1, "only4", &r), XAUTH_OK);
	cr_expect(IN6_IS_ADDR_UNSPECIFIED(&r.policy.addr6));
	cr_expect_eq(pool6_in_use("p6"), 0);
}

Test(pool6, lowest_free_across_byte_boundaries)
{
	struct in6_addr a;
	for (uint32_t id = 1; id <= 300; id++)
		cr_assert_eq(pool6_alloc("big", id, &a), 0);
	cr_expect_str_eq(a6(&a), "2001:db8:7::12c");
	cr_assert_eq(pool6_alloc("big", 256, &a), 0, "a session asking again keeps its address");
	cr_expect_str_eq(a6(&a), "2001:db8:7::100");
	pool6_release(256, &a);
	cr_assert_eq(pool6_alloc("big", 1000, &a), 0);
	cr_expect_str_eq(a6(&a), "2001:db8:7::100");
	cr_expect_eq(pool6_alloc("nosuch", 1, &a), -1);
	cr_expect_eq(pool6_in_use("nosuch"), -1);
	/* outside every pool, or the anycast address: nothing happens */
	inet_pton(AF_INET6, "2001:db8:7::", &a);
	pool6_release(1, &a);
	inet_pton(AF_INET6, "2001:db8:8::1", &a);
	pool6_release(1, &a);
	cr_expect_eq(pool6_in_use("big"), 300);
}

Test(pool6, reload_keeps_live_leases)
{
	static struct vpnd_conf nc;
	static const char ncfg[] = CFG_HEAD "ipv6 local pool p6 2001:db8:6::/125 128\n";
	struct msg_xauth_res r1, r2;

	cr_assert_eq(xauth(1, "g", &r1), XAUTH_OK);
	cr_assert_eq(xauth(2, "g", &r2), XAUTH_OK);
	end(1, &r1);
	cr_assert_eq(conf_load_buf("test", ncfg, sizeof(ncfg) - 1, &nc, NULL, NULL), 0);
	keymgr_reload(&nc);
	cr_expect_eq(pool6_in_use("p6"), 1);
	struct in6_addr a;
	cr_assert_eq(pool6_alloc("p6", 3, &a), 0);
	cr_expect_str_eq(a6(&a), "2001:db8:6::1", "::2 is still session 2's");
	cr_expect_eq(pool6_in_use("big"), -1, "a pool gone from the file is gone");
}

/* addr6_assign: the RADIUS server's address (claimed from the pool that holds it, refused
 * when it is taken or not one a client may own), its Framed-IPv6-Pool, else the group's */
Test(pool6, radius_framed_ipv6)
{
	const struct conf_group *g = conf_find_group(&conf, "g");
	struct rad_attrs ua;
	struct in6_addr out;

	rad_attrs_init(&ua);
	inet_pton(AF_INET6, "2001:db8:6::1", &ua.framed_ip6);
	memset(&out, 0, sizeof(out));
	addr6_assign(&conf, 50, g, &ua, &out);
	cr_assert_str_eq(a6(&out), "2001:db8:6::1");
	memset(&out, 0, sizeof(out));
	addr6_assign(&conf, 51, g, &ua, &out);          /* taken by session 50 */
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&out));
	addr6_assign(&conf, 51, g, NULL, &out);         /* the pool skips it */
	cr_assert_str_eq(a6(&out), "2001:db8:6::2");

	inet_pton(AF_INET6, "2001:db8:99::5", &ua.framed_ip6);   /* outside every pool */
	addr6_assign(&conf, 52, g, &ua, &out);
	cr_assert_str_eq(a6(&out), "2001:db8:99::5");
	static const char *const refused[] = { "fe80::1", "ff02::1", "::1", "::ffff:10.0.0.1", "fec0::1" };
	for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
		inet_pton(AF_INET6, refused[k], &ua.framed_ip6);
		memset(&out, 0, sizeof(out));
		addr6_assign(&conf, 53, g, &ua, &out);
		cr_assert(IN6_IS_ADDR_UNSPECIFIED(&out), "%s was assigned", refused[k]);
	}

	rad_attrs_init(&ua);
	snprintf(ua.framed_pool6, sizeof(ua.framed_pool6), "big");
	addr6_assign(&conf, 54, g, &ua, &out);
	cr_assert_str_eq(a6(&out), "2001:db8:7::1");
	snprintf(ua.framed_pool6, sizeof(ua.framed_pool6), "nosuch");
	memset(&out, 0, sizeof(out));
	addr6_assign(&conf, 55, g, &ua, &out);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&out), "an unknown Framed-IPv6-Pool gave an address");
	addr6_assign(&conf, 56, conf_find_group(&conf, "only4"), NULL, &out);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&out), "a group without an ipv6 pool got an address");
}
