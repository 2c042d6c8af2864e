/* Call admission (ikemgr/admission.c): in-negotiation SAs counted in total and per source
 * address until the session is up or the SA goes, XAUTH states included; never-seen sources
 * shed at half the total; the ike sa limit. */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"

static struct vpnd_conf conf;
static const char cfg[] = "crypto call admission limit ike in-negotiation-sa 40 per-peer 6\n";

static void send_none(const union sa46 *l, const union sa46 *p, int port4500,
                      const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500; (void)pkt; (void)len;
}
static void msg_none(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	(void)type; (void)peerid; (void)data; (void)len;
}

static void setup(void)
{
	static const struct ike_io io = { send_none, msg_none, msg_none, msg_none };
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	ikev1_init(&conf, &io);
}
TestSuite(adm, .init = setup);

static union sa46 peer(const char *a)
{
	union sa46 s;
	cr_assert_eq(sa46_pton(a, &s), 0);
	sa46_set_port(&s, htons(500));
	return s;
}

/* What ikev1_aggr_start does: ask, then make the SA. NULL when refused. */
static struct ike_sa *start(const char *a)
{
	union sa46 p = peer(a), l = peer(strchr(a, ':') ? "2001:db8:1::1" : "192.0.2.1");
	uint8_t cky[8];
	ike_random(cky, sizeof(cky));
	if (!ikev1_admit(&p, "test"))
		return NULL;
	struct ike_sa *sa = ike_sa_new(cky, &p, &l);
	cr_assert_not_null(sa);
	sa->state = IKE_S_WAIT_HASH_I;
	return sa;
}

Test(adm, per_peer_counts_xauth_states_until_the_session_is_up)
{
	struct ike_sa *sa[6];
	for (int i = 0; i < 6; i++)
		cr_assert_not_null(sa[i] = start("198.51.100.7"));
	/* phase 1 done, waiting in XAUTH: still in negotiation */
	for (int i = 0; i < 6; i++) {
		ike_sa_promoted(sa[i]);
		sa[i]->state = IKE_S_XAUTH_REQ_SENT;
	}
	cr_assert_null(start("198.51.100.7"), "a 7th SA from one address in negotiation");
	cr_expect_eq(ike.st.drop_peer_cap, 1);
	cr_assert_not_null(start("198.51.100.8"), "another address was refused too");
	ike_sa_set_established(sa[0]);
	cr_assert_not_null(start("198.51.100.7"), "a session that is up still counted");
	ike_sa_delete(sa[1], "test", 0);
	cr_assert_not_null(start("198.51.100.7"), "a deleted SA still counted");
	cr_assert_null(start("198.51.100.7"));
	cr_expect_eq(ike.nhalfopen, 7);
}

Test(adm, never_seen_sources_shed_at_half_the_total)
{
	/* a known client: completed phase 1 once */
	struct ike_sa *k = start("203.0.113.9");
	ike_sa_promoted(k);
	ike_sa_set_established(k);
	char a[32];
	int n = 0;
	for (int i = 0; i < 100 && n < 30; i++) {
		snprintf(a, sizeof(a), "10.0.%d.1", i);
		for (int j = 0; j < 3; j++)
			n += start(a) != NULL;
	}
	cr_expect_eq(ike.nhalfopen, 20, "never-seen sources got %d of 40 slots", ike.nhalfopen);
	cr_expect_gt(ike.st.drop_shed, 0);
	cr_assert_null(start("10.9.9.9"), "a never-seen source got in over half the total");
	cr_assert_not_null(start("203.0.113.9"), "the known client was shed with the never-seen ones");
	/* the total still holds for known clients */
	for (int i = 0; i < 25 && ike.nhalfopen < 40; i++) {
		struct ike_sa known = { 0 };
		snprintf(a, sizeof(a), "203.0.113.%d", 100 + i);
		known.s.peer = peer(a);
		ike_sa_promoted(&known);   /* its phase 1 a while ago */
		cr_assert_not_null(start(a), "known client %s refused at %d", a, ike.nhalfopen);
	}
	cr_assert_eq(ike.nhalfopen, 40);
	cr_assert_null(start("203.0.113.9"), "over the total");
	cr_expect_gt(ike.st.drop_halfopen_cap, 0);
}

Test(adm, ike_sa_limit)
{
	conf.cac_ike_sa = 10;
	for (int i = 0; i < 10; i++) {
		char a[32];
		snprintf(a, sizeof(a), "192.0.2.%d", 10 + i);
		struct ike_sa *s = start(a);
		cr_assert_not_null(s);
		ike_sa_promoted(s);
		ike_sa_set_established(s);
	}
	cr_assert_null(start("192.0.2.99"), "an 11th IKE SA with ike sa 10");
	cr_expect_eq(ike.st.drop_sa_cap, 1);
}

/* An IPv6 host has a /64 to choose sources from: every address in it counts as one peer, and
 * another /64 is another peer. */
Test(adm, ipv6_sources_count_per_64)
{
	char a[64];
	for (int i = 0; i < 6; i++) {
		snprintf(a, sizeof(a), "2001:db8:7:1::%x", 0x100 + i);
		cr_assert_not_null(start(a), "%s refused", a);
	}
	cr_assert_null(start("2001:db8:7:1:ffff:1:2:3"), "a 7th SA from one /64 in negotiation");
	cr_expect_eq(ike.st.drop_peer_cap, 1);
	cr_assert_not_null(start("2001:db8:7:2::1"), "another /64 was refused too");
	/* an IPv4 address whose bits could line up with a /64's is its own peer */
	cr_assert_not_null(start("32.1.13.184"), "an IPv4 peer counted with an IPv6 /64");
}
