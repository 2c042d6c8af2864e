/* Quick-mode identities as interface selectors (ikemgr/ikev1_selector.c). */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"

static struct vpnd_conf conf;
static const char cfg[] =
	"interface eth1\n"
	" ip address 10.2.1.1 255.255.255.0\n"
	"ip local pool p 192.168.1.10 192.168.1.20\n"
	"ip access-list standard nem\n"
	" permit 192.168.77.0 0.0.0.255\n";

static void setup(void)
{
	static const struct ike_io io;
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	ikev1_init(&conf, &io);
}
TestSuite(sel, .init = setup);

static struct in_addr A(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static int id(uint8_t type, const char *a, const char *b, struct in_addr *net,
              struct in_addr *mask)
{
	uint8_t body[12] = { type, 0, 0, 0 };
	struct in_addr x = A(a);
	memcpy(body + 4, &x, 4);
	if (!b)
		return ikev1_id_selector(body, 8, net, mask);
	struct in_addr y = A(b);
	memcpy(body + 8, &y, 4);
	return ikev1_id_selector(body, 12, net, mask);
}

Test(sel, id_forms)
{
	struct in_addr n, m;
	cr_assert_eq(id(ISAKMP_ID_IPV4_ADDR, "192.168.1.5", NULL, &n, &m), 0);
	cr_expect_eq(n.s_addr, A("192.168.1.5").s_addr);
	cr_expect_eq(m.s_addr, 0xffffffffu);
	cr_assert_eq(id(ISAKMP_ID_IPV4_ADDR_SUBNET, "192.168.77.9", "255.255.255.0", &n, &m), 0);
	cr_expect_eq(n.s_addr, A("192.168.77.0").s_addr, "host bits cleared");
	cr_assert_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "192.168.77.0", "192.168.77.255", &n, &m), 0);
	cr_expect_eq(m.s_addr, A("255.255.255.0").s_addr);
	cr_expect_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "192.168.77.1", "192.168.77.255", &n, &m), -1,
	             "a range that is not a prefix");
	cr_expect_eq(id(ISAKMP_ID_IPV4_ADDR_SUBNET, "10.0.0.0", "255.0.255.0", &n, &m), -1,
	             "a non-contiguous mask");
	uint8_t fqdn[8] = { ISAKMP_ID_FQDN, 0, 0, 0, 'a', 'b', 'c', 'd' };
	cr_expect_eq(ikev1_id_selector(fqdn, sizeof(fqdn), &n, &m), -1);
	cr_expect_eq(ikev1_id_selector(fqdn, 3, &n, &m), -1, "short body");
}

/* IPv6 identities are told apart (refused with their own reason), never read as IPv4 */
Test(sel, id_ipv6_recognised)
{
	struct in_addr n, m;
	uint8_t v6[20] = { ISAKMP_ID_IPV6_ADDR, 0, 0, 0, 0xfd, 0, 0, 6 };
	cr_expect(ikev1_id_is_ipv6(v6, sizeof(v6)));
	cr_expect_eq(ikev1_id_selector(v6, sizeof(v6), &n, &m), -1);
	uint8_t v6sub[36] = { ISAKMP_ID_IPV6_ADDR_SUBNET };
	cr_expect(ikev1_id_is_ipv6(v6sub, sizeof(v6sub)));
	uint8_t v6range[36] = { ISAKMP_ID_IPV6_ADDR_RANGE };
	cr_expect(ikev1_id_is_ipv6(v6range, sizeof(v6range)));
	uint8_t v4[8] = { ISAKMP_ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1 };
	cr_expect(!ikev1_id_is_ipv6(v4, sizeof(v4)));
	cr_expect(!ikev1_id_is_ipv6(v6, 3), "short body");
}

/* The whole address space as a range spans 2^32 addresses: "any", not 0.0.0.0/32. */
Test(sel, id_range_everything)
{
	struct in_addr n, m;
	cr_assert_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "0.0.0.0", "255.255.255.255", &n, &m), 0);
	cr_expect_eq(n.s_addr, 0);
	cr_expect_eq(m.s_addr, 0, "0.0.0.0-255.255.255.255 parsed as mask %08x, not /0", m.s_addr);
	cr_assert_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "128.0.0.0", "255.255.255.255", &n, &m), 0);
	cr_expect_eq(m.s_addr, A("128.0.0.0").s_addr);
	cr_expect_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "0.0.0.1", "255.255.255.255", &n, &m), -1);
	cr_expect_eq(id(ISAKMP_ID_IPV4_ADDR_RANGE, "0.0.0.0", "255.255.255.254", &n, &m), -1);
}

Test(sel, what_a_client_may_claim)
{
	struct ike_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.state = IKE_S_ESTABLISHED;
	sa.s.have_policy = 1;
	sa.s.policy.addr = A("192.168.1.10");
	struct in_addr host = { 0xffffffffu }, any = { 0 }, c24 = A("255.255.255.0");
	cr_expect_null(ikev1_check_selector(&conf, &sa, sa.s.policy.addr, host, 1), "its address");
	/* a remote-access client gets its own address only (the route hijack of issue 10) */
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("192.168.77.0"), c24, 1),
	                   "a LAN without network-extension");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("8.8.8.0"), c24, 1), "8.8.8.0/24");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("64.0.0.0"), A("192.0.0.0"), 1),
	                   "64.0.0.0/2");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("192.168.1.11"), host, 1),
	                   "another address of the pool");
	snprintf(sa.s.policy.nem_acl, sizeof(sa.s.policy.nem_acl), "nem");
	cr_expect_null(ikev1_check_selector(&conf, &sa, A("192.168.77.0"), c24, 1), "its LAN");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("192.168.78.0"), c24, 1),
	                   "a LAN the access list does not permit");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, A("192.168.0.0"), A("255.255.0.0"), 1),
	                   "a network wider than the permitted one");
	sa.s.policy.route[0].net = A("172.20.0.0");
	sa.s.policy.route[0].plen = 16;
	sa.s.policy.nroute = 1;
	cr_expect_null(ikev1_check_selector(&conf, &sa, A("172.20.5.0"), c24, 1),
	               "inside a Framed-Route");
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, any, any, 1),
	                   "'any' with a Mode Config address");
	const char *why = ikev1_check_selector(&conf, &sa, A("10.2.1.128"),
	                                       A("255.255.255.128"), 1);
	cr_assert_not_null(why, "a piece of the hub's inside network");
	cr_expect(strstr(why, "eth1") != NULL, "%s", why);

	/* an 'any' SA on the interface: a narrower hub side may not join, and the reverse */
	sa.s.child[0].used = 1;
	sa.s.child[0].sel_net = sa.s.policy.addr;
	sa.s.child[0].sel_mask = host;
	sa.s.child[0].sel_hub_any = 1;
	cr_expect_not_null(ikev1_check_selector(&conf, &sa, sa.s.policy.addr, host, 0));
	cr_expect_null(ikev1_check_selector(&conf, &sa, A("192.168.77.0"), c24, 1));
	sa.s.child[0].replaced_at = 1; /* replaced SAs do not count */
	cr_expect_null(ikev1_check_selector(&conf, &sa, sa.s.policy.addr, host, 0));
}

/* ID bodies: type, protocol, port (0), then the address(es) */
static size_t id6(uint8_t *b, uint8_t type, const char *a, const char *m)
{
	memset(b, 0, 36);
	b[0] = type;
	cr_assert_eq(inet_pton(AF_INET6, a, b + 4), 1);
	if (!m)
		return 20;
	cr_assert_eq(inet_pton(AF_INET6, m, b + 20), 1);
	return 36;
}

/* IPv6: the client's own Mode Config address, as an address or a /128, toward IPv6 only */
Test(sel, ipv6_own_address_only)
{
	struct ike_sa sa;
	uint8_t ci[36], cr[36];
	struct in6_addr net6;
	int any = -1, plen = -1;
	memset(&sa, 0, sizeof(sa));
	sa.s.have_policy = 1;
	inet_pton(AF_INET6, "fd00:6::1", &sa.s.policy.addr6);
	size_t cl = id6(ci, ISAKMP_ID_IPV6_ADDR, "fd00:6::1", NULL);
	size_t rl = id6(cr, ISAKMP_ID_IPV6_ADDR_SUBNET, "::", "::");
	cr_expect_str_eq(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                 "the session holds no IPv6 address from Mode Config",
	                 "an address keymgr leased but the client never asked for");
	sa.s.addr6_given = 1;
	cr_assert_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any));
	cr_expect_eq(memcmp(&net6, &sa.s.policy.addr6, 16), 0);
	cr_expect_eq(plen, 128);
	cr_expect_eq(any, 1, "::/0 is the hub side 'any'");
	rl = id6(cr, ISAKMP_ID_IPV6_ADDR_RANGE, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any));
	cr_expect_eq(any, 1, "the whole range is 'any' too");
	rl = id6(cr, ISAKMP_ID_IPV6_ADDR_SUBNET, "fd00:2::", "ffff:ffff:ffff:ffff::");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any));
	cr_expect_eq(any, 0);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "fd00:6::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any), "as a /128");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "fd00:6::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "the pool's /120, not its own address");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR, "fd00:6::2", NULL);
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "another client's address");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR, "fd00:6::1", NULL);
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl - 1, cr, rl, &net6, &plen, &any),
	                   "a short identity");
	uint8_t v4[8] = { ISAKMP_ID_IPV4_ADDR, 0, 0, 0, 10, 2, 1, 10 };
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, v4, sizeof(v4), &net6, &plen, &any),
	                   "an IPv4 hub side");
}

static void route6(struct msg_route6 *r, const char *net, int plen)
{
	cr_assert_eq(inet_pton(AF_INET6, net, &r->net), 1);
	r->plen = plen;
}

/* IPv6 identities as prefixes: an address, a subnet (host bits cleared), a range only when
 * it is a whole prefix */
Test(sel, id6_forms)
{
	uint8_t b[36];
	struct in6_addr n;
	char s[INET6_ADDRSTRLEN];
	int plen = -1;
	size_t l = id6(b, ISAKMP_ID_IPV6_ADDR, "2001:db8:a0::1", NULL);
	cr_assert_eq(ikev1_id_selector6(b, l, &n, &plen), 0);
	cr_expect_eq(plen, 128);
	l = id6(b, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0:5::1", "ffff:ffff:ffff::");
	cr_assert_eq(ikev1_id_selector6(b, l, &n, &plen), 0);
	cr_expect_eq(plen, 48);
	cr_expect_str_eq(inet_ntop(AF_INET6, &n, s, sizeof(s)), "2001:db8:a0::", "host bits cleared");
	l = id6(b, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0::", "ffff:ffff:ffff:ff00::");
	cr_assert_eq(ikev1_id_selector6(b, l, &n, &plen), 0);
	cr_expect_eq(plen, 56);
	l = id6(b, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0::", "ffff:ffff:0:ffff::");
	cr_expect_eq(ikev1_id_selector6(b, l, &n, &plen), -1, "a non-contiguous mask");
	l = id6(b, ISAKMP_ID_IPV6_ADDR_RANGE, "2001:db8:a0::", "2001:db8:a0:ff:ffff:ffff:ffff:ffff");
	cr_assert_eq(ikev1_id_selector6(b, l, &n, &plen), 0);
	cr_expect_eq(plen, 56);
	cr_expect_str_eq(inet_ntop(AF_INET6, &n, s, sizeof(s)), "2001:db8:a0::");
	l = id6(b, ISAKMP_ID_IPV6_ADDR_RANGE, "2001:db8:a0::1", "2001:db8:a0:ff:ffff:ffff:ffff:ffff");
	cr_expect_eq(ikev1_id_selector6(b, l, &n, &plen), -1, "a range that is not a prefix");
	l = id6(b, ISAKMP_ID_IPV6_ADDR_RANGE, "2001:db8:a0::", "2001:db8:a1:ff:ffff:ffff:ffff:ffff");
	cr_expect_eq(ikev1_id_selector6(b, l, &n, &plen), -1, "two prefixes' worth");
	l = id6(b, ISAKMP_ID_IPV6_ADDR_RANGE, "2001:db8:a0::5", "2001:db8:a0::5");
	cr_assert_eq(ikev1_id_selector6(b, l, &n, &plen), 0);
	cr_expect_eq(plen, 128, "a one-address range");
	l = id6(b, ISAKMP_ID_IPV6_ADDR, "2001:db8:a0::1", NULL);
	cr_expect_eq(ikev1_id_selector6(b, l - 1, &n, &plen), -1, "a short identity");
	cr_expect_eq(ikev1_id_selector6(b, 36, &n, &plen), -1, "an address 36 bytes long");
}

/* Beside its address, a client claims what RADIUS routed to it (Framed-IPv6-Route,
 * Delegated-IPv6-Prefix, as keymgr passed them): exactly, or a piece of it; nothing wider,
 * nothing beside, and nothing another session holds */
Test(sel, ipv6_radius_networks)
{
	struct ike_sa sa, other;
	uint8_t ci[36], cr[36];
	struct in6_addr net6;
	char s[INET6_ADDRSTRLEN];
	int any = -1, plen = -1;
	const char *why;
	memset(&sa, 0, sizeof(sa));
	sa.s.id = 1;
	sa.state = IKE_S_ESTABLISHED;
	sa.s.have_policy = 1;
	sa.s.addr6_given = 1;
	inet_pton(AF_INET6, "fd00:6::88", &sa.s.policy.addr6);
	size_t rl = id6(cr, ISAKMP_ID_IPV6_ADDR_SUBNET, "::", "::");
	size_t cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0::", "ffff:ffff:ffff::");
	why = ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any);
	cr_assert_not_null(why, "a prefix RADIUS did not give");
	cr_expect(strstr(why, "Delegated-IPv6-Prefix") != NULL, "%s", why);

	route6(&sa.s.policy.deleg6, "2001:db8:a0::", 48);
	route6(&sa.s.policy.route6[0], "2001:db8:77::", 48);
	sa.s.policy.nroute6 = 1;
	cr_assert_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "exactly the delegated prefix");
	cr_expect_str_eq(inet_ntop(AF_INET6, &net6, s, sizeof(s)), "2001:db8:a0::");
	cr_expect_eq(plen, 48);
	cr_expect_eq(any, 1);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0:1200::", "ffff:ffff:ffff:ff00::");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "a /56 within it");
	cr_expect_eq(plen, 56);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR, "2001:db8:77::9", NULL);
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "an address within the Framed-IPv6-Route");
	cr_expect_eq(plen, 128);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_RANGE, "2001:db8:77::", "2001:db8:77:0:ffff:ffff:ffff:ffff");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "a /64 of the Framed-IPv6-Route as a range");
	cr_expect_eq(plen, 64);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8::", "ffff:ffff::");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "2001:db8::/32, wider than both");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:b0::", "ffff:ffff:ffff::");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "a /48 beside them");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "::", "::");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "::/0");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "fd00:6::", "ffff:ffff:ffff:ffff::");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "the pool's network around its address");
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0::", "ffff:ffff:ffff:0:ffff::");
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "a non-contiguous mask");
	/* a RADIUS network that overlaps an ipv6 pool never counts, whatever keymgr sent */
	static struct vpnd_conf c6;
	static const char cfg6[] = "ipv6 local pool v6 fd00:6::/64 128\n";
	cr_assert_eq(conf_load_buf("test6", cfg6, sizeof(cfg6) - 1, &c6, NULL, NULL), 0);
	route6(&sa.s.policy.route6[1], "fd00:6::", 48);
	sa.s.policy.nroute6 = 2;
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "fd00:6::", "ffff:ffff:ffff:ffff:ffff:ffff::");
	why = ikev1_check_selector6(&c6, &sa, ci, cl, cr, rl, &net6, &plen, &any);
	cr_assert_not_null(why, "a network over the ipv6 pool");
	cr_expect(strstr(why, "pool") != NULL, "%s", why);
	sa.s.policy.nroute6 = 1;

	/* another live session's IPv6 network or address */
	memset(&other, 0, sizeof(other));
	other.s.id = 2;
	other.state = IKE_S_ESTABLISHED;
	other.s.child[0].used = 1;
	other.s.child[0].sel_v6 = 1;
	inet_pton(AF_INET6, "2001:db8:a0:1200::", &other.s.child[0].sel_net6);
	other.s.child[0].sel_plen6 = 56;
	ike.all = &other;
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0::", "ffff:ffff:ffff::");
	why = ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any);
	cr_assert_not_null(why, "over another session's network");
	cr_expect(strstr(why, "session 2") != NULL, "%s", why);
	cl = id6(ci, ISAKMP_ID_IPV6_ADDR_SUBNET, "2001:db8:a0:1300::", "ffff:ffff:ffff:ff00::");
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "beside another session's network");
	other.s.have_policy = 1;
	inet_pton(AF_INET6, "2001:db8:a0:1300::1", &other.s.policy.addr6);
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	                   "over another session's address");
	other.state = IKE_S_DEAD;
	cr_expect_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any),
	               "a dead session holds nothing");
	ike.all = NULL;

	/* no IPv6 address: no networks either */
	memset(&sa.s.policy.addr6, 0, 16);
	cr_expect_not_null(ikev1_check_selector6(&conf, &sa, ci, cl, cr, rl, &net6, &plen, &any));
}
