/* The deadline heap (ikemgr/ike_timers.c): order, cancel, re-arm, many entries; and the engine's
 * use of it (ikemgr/ike_deadline.c): a half-open SA expires at its deadline, not before, and
 * an established SA with nothing pending leaves the heap (costs nothing per second); the SA
 * lookups by id and by peer address. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ike_timers.h"

static void check_heap(const struct tmr_heap *h)
{
	for (size_t i = 0; i < h->n; i++) {
		cr_assert_eq(h->v[i]->slot, i + 1);
		if (i)
			cr_assert_leq(h->v[(i - 1) / 2]->when, h->v[i]->when);
	}
}

Test(tmr, order)
{
	struct tmr_heap h = { 0 };
	struct tmr t[500];
	memset(t, 0, sizeof(t));
	cr_assert_eq(tmr_reserve(&h, 500), 0);
	srandom(7);
	for (int i = 0; i < 500; i++)
		tmr_arm(&h, &t[i], 1000 + random() % 300);
	check_heap(&h);
	cr_assert_null(tmr_pop_due(&h, 999));
	time_t last = 0;
	int n = 0;
	struct tmr *p;
	while ((p = tmr_pop_due(&h, 2000))) {
		cr_assert_geq(p->when, last);
		cr_assert_not(tmr_armed(p));
		last = p->when;
		n++;
	}
	cr_assert_eq(n, 500);
	cr_assert_eq(h.n, 0);
	tmr_free(&h);
}

Test(tmr, due_only)
{
	struct tmr_heap h = { 0 };
	struct tmr a = { 0 }, b = { 0 }, c = { 0 };
	cr_assert_eq(tmr_reserve(&h, 3), 0);
	tmr_arm(&h, &a, 10);
	tmr_arm(&h, &b, 20);
	tmr_arm(&h, &c, 10);
	struct tmr *x = tmr_pop_due(&h, 10), *y = tmr_pop_due(&h, 10);
	cr_assert((x == &a && y == &c) || (x == &c && y == &a));
	cr_assert_null(tmr_pop_due(&h, 19));
	cr_assert_eq(tmr_pop_due(&h, 20), &b);
	tmr_free(&h);
}

Test(tmr, cancel_and_rearm)
{
	struct tmr_heap h = { 0 };
	struct tmr t[64];
	memset(t, 0, sizeof(t));
	cr_assert_eq(tmr_reserve(&h, 64), 0);
	for (int i = 0; i < 64; i++)
		tmr_arm(&h, &t[i], 100 + i);
	for (int i = 0; i < 64; i += 2)
		tmr_cancel(&h, &t[i]);
	tmr_cancel(&h, &t[0]);          /* twice: harmless */
	check_heap(&h);
	cr_assert_eq(h.n, 32);
	tmr_arm(&h, &t[63], 50);        /* moved earlier */
	tmr_arm(&h, &t[1], 500);        /* moved later */
	tmr_arm_sooner(&h, &t[3], 900); /* not later than it was */
	cr_assert_eq(t[3].when, 103);
	tmr_arm_sooner(&h, &t[3], 60);
	cr_assert_eq(t[3].when, 60);
	check_heap(&h);
	cr_assert_eq(tmr_pop_due(&h, 1000), &t[63]);
	cr_assert_eq(tmr_pop_due(&h, 1000), &t[3]);
	struct tmr *p, *last = NULL;
	while ((p = tmr_pop_due(&h, 1000)))
		last = p;
	cr_assert_eq(last, &t[1]);
	tmr_free(&h);
}

Test(tmr, many)
{
	enum { N = 200000 };
	struct tmr_heap h = { 0 };
	struct tmr *t = calloc(N, sizeof(*t));
	cr_assert_not_null(t);
	cr_assert_eq(tmr_reserve(&h, N), 0);
	srandom(11);
	for (int i = 0; i < N; i++)
		tmr_arm(&h, &t[i], random() % 100000);
	for (int i = 0; i < N; i += 3)
		tmr_cancel(&h, &t[i]);
	for (int i = 1; i < N; i += 3)
		tmr_arm(&h, &t[i], random() % 100000);
	check_heap(&h);
	size_t n = 0;
	time_t last = 0;
	struct tmr *p;
	for (time_t now = 0; now < 100000; now += 1000)
		while ((p = tmr_pop_due(&h, now))) {
			cr_assert_geq(p->when, last);
			last = p->when;
			n++;
		}
	while ((p = tmr_pop_due(&h, 100000)))
		n++;
	cr_assert_eq(n, N - (N + 2) / 3);
	tmr_free(&h);
	free(t);
}

/* The engine: SAs in the heap */
static struct vpnd_conf conf;
static const char cfg[] =
	"crypto isakmp keepalive 10 2\n"
	"crypto isakmp xauth timeout 45\n"
	"crypto isakmp profile ra\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"crypto ipsec profile vti\n"
	" set transform-set TS\n"
	" set security-association idle-time 120\n"
	"interface Virtual-Template1 type tunnel\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vti\n";

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

static struct ike_sa *new_sa(uint32_t n)
{
	uint8_t cky[8] = { 0 };
	memcpy(cky, &n, sizeof(n));
	union sa46 p = { .sin = { .sin_family = AF_INET, .sin_port = htons(500) } };
	union sa46 l = p;
	p.sin.sin_addr.s_addr = htonl(0x0a000000u + n);
	struct ike_sa *sa = ike_sa_new(cky, &p, &l);
	cr_assert_not_null(sa);
	return sa;
}

Test(deadline, half_open_expires, .init = setup)
{
	struct ike_sa *sa = new_sa(1);
	uint32_t id = sa->s.id;
	time_t t0 = sa->created;
	cr_assert_eq(ike_sa_by_id(id), sa);
	ikev1_tick(t0 + 30);
	cr_assert_eq(ike_sa_by_id(id), sa);
	ikev1_tick(t0 + 31);
	cr_assert_null(ike_sa_by_id(id));
	cr_assert_eq(ike.nsa, 0);
	cr_assert_eq(ike.timers.n, 0);
}

Test(deadline, idle_sa_leaves_heap, .init = setup)
{
	enum { N = 20000 };
	for (uint32_t i = 0; i < N; i++) {
		struct ike_sa *sa = new_sa(i + 1);
		ike_sa_set_established(sa);     /* no DPD from this peer, no timeouts */
	}
	cr_assert_eq(ike.nsa, N);
	time_t now = time(NULL);
	ikev1_tick(now + 40);           /* each wakes once, finds nothing, sleeps for good */
	cr_assert_eq(ike.nsa, N);
	cr_assert_eq(ike.timers.n, 0);
	for (uint32_t i = 1; i <= N; i += 997)
		cr_assert_not_null(ike_sa_by_id(i));
	ikev1_shutdown();
	cr_assert_eq(ike.nsa, 0);
}

Test(deadline, dpd_armed_by_traffic, .init = setup)
{
	struct ike_sa *sa = new_sa(1);
	sa->peer_dpd = 1;
	ike_sa_set_established(sa);
	time_t now = sa->created;
	ikev1_tick(now + 31);
	cr_assert_not(tmr_armed(&sa->tmr));     /* on-demand DPD: nothing sent, nothing due */
	sa->last_rx -= 100;                     /* last heard from long ago */
	struct msg_va_activity a = { .session_id = sa->s.id, .pkts_in = 0, .pkts_out = 5 };
	ikev1_va_activity(sa->s.id, &a);        /* the hub sends, the peer is silent */
	cr_assert(tmr_armed(&sa->tmr));
	cr_assert_leq(sa->tmr.when, sa->last_rx + 10);     /* due already */
	ikev1_tick(sa->tmr.when);
	cr_assert_eq(sa->dpd_outstanding, 1);   /* R-U-THERE went out */
	cr_assert(tmr_armed(&sa->tmr));         /* its retry */
	ikev1_shutdown();
}

/* The lookups that replaced walks of every SA: by id (answers), by peer address (logins) */
Test(deadline, lookups_by_id_and_peer, .init = setup)
{
	struct ike_sa *a = new_sa(1), *b = new_sa(2), *c = new_sa(1 + 16384);
	union sa46 p = a->s.peer;
	struct ike_sa *a2 = ike_sa_new((uint8_t[8]){ 9 }, &p, &a->s.local);
	cr_assert_not_null(a2);
	int n = 0;
	for (struct ike_sa *o = ike_sa_peer_chain(&p); o; o = o->peer_next)
		if (o->s.peer.sin.sin_addr.s_addr == p.sin.sin_addr.s_addr)
			cr_assert(o == (n++ ? a : a2), "newest first");
	cr_assert_eq(n, 2);
	uint32_t ida = a->s.id;
	ike_sa_set_id(a, 4242);
	cr_assert_null(ike_sa_by_id(ida));
	cr_assert_eq(ike_sa_by_id(4242), a);
	ike_sa_delete(a2, "test", 0);
	n = 0;
	for (struct ike_sa *o = ike_sa_peer_chain(&p); o; o = o->peer_next)
		n += o->s.peer.sin.sin_addr.s_addr == p.sin.sin_addr.s_addr;
	cr_assert_eq(n, 1);
	cr_assert_eq(ike_sa_by_id(b->s.id), b);
	cr_assert_eq(ike_sa_by_id(c->s.id), c);
	ikev1_shutdown();
	cr_assert_eq(ike.nsa, 0);
	for (size_t i = 0; i < sizeof(ike.by_peer) / sizeof(ike.by_peer[0]); i++)
		cr_assert_null(ike.by_peer[i]);
}

/* crypto isakmp xauth timeout: the user has that long to answer, retransmissions or not */
Test(deadline, xauth_timeout, .init = setup)
{
	struct ike_sa *sa = new_sa(1);
	uint32_t id = sa->s.id;
	time_t t0 = time(NULL);
	sa->state = IKE_S_XAUTH_REQ_SENT;
	sa->xauth_deadline = t0 + 45;
	sa->retrans_at = t0 + 5;          /* retransmissions spent: only the deadline is left */
	ike_sa_rearm(sa);
	ikev1_tick(t0 + 44);
	cr_assert_eq(ike_sa_by_id(id), sa, "still waiting for the user");
	ikev1_tick(t0 + 45);
	cr_assert_null(ike_sa_by_id(id), "given up at the xauth timeout");
	ikev1_shutdown();
}

/* set security-association idle-time: no ESP either way for that long ends the session; ESP
 * in the meantime (tunmgr's activity report) moves the deadline */
Test(deadline, sa_idle_time, .init = setup)
{
	struct ike_sa *sa = new_sa(1);
	uint32_t id = sa->s.id;
	sa->s.profile = &conf.profile[0];
	sa->s.have_policy = 1;
	ike_sa_set_established(sa);
	time_t t0 = time(NULL);
	sa->s.start = t0 - 100;              /* up, and silent, for 100 s */
	ike_sa_rearm(sa);
	cr_assert(tmr_armed(&sa->tmr));
	cr_assert_eq(sa->tmr.when, t0 + 20, "due 120 s after the last traffic");
	struct msg_va_activity a = { .session_id = id, .pkts_in = 3, .pkts_out = 3 };
	ikev1_va_activity(id, &a);           /* ESP now: the 120 s start again */
	time_t moved = sa->s.esp_in_at;
	cr_assert_geq(moved, t0);
	ikev1_tick(t0 + 20);
	cr_assert_eq(ike_sa_by_id(id), sa, "traffic moved the deadline");
	ikev1_tick(moved + 119);
	cr_assert_eq(ike_sa_by_id(id), sa, "idle for less than 120 s");
	ikev1_tick(moved + 120);
	cr_assert_null(ike_sa_by_id(id), "ended after 120 s idle");
	ikev1_shutdown();
}
