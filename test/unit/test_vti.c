/*
 * The static VTI's life in ikemgr (ikemgr/vti.c) on a fake clock: it dials a second after
 * start, resends main mode 1 after 2, 4, 8, 8 and 8 seconds, gives up and dials afresh (a new
 * cookie) 30 seconds later; an answer from another address is dropped and counted; a
 * destination's NO-PROPOSAL-CHOSEN ends the attempt at once.
 */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init.h"
#include "ikemgr/vti.h"

static const char cfg[] =
	"crypto isakmp policy 10\n encr aes 256\n hash sha\n authentication pre-share\n group 14\n"
	"crypto isakmp key k address 172.18.143.2\n"
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"crypto isakmp keepalive 10 3\n"
	"crypto ipsec profile P\n set transform-set T\n set pfs group14\n"
	"interface eth0\n ip address 172.18.143.246 255.255.255.0\n"
	"interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	" tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n";

static struct vpnd_conf conf;
static time_t clock0, now;
static struct { time_t at; uint8_t cky[8]; struct in_addr to, from; } sent[32];
static int nsent;
static uint8_t last_pkt[2048];
static size_t last_len;
static struct { uint32_t type; struct msg_sa_add add; struct msg_sa_del del; } tm[8];
static int ntm;

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)port4500;
	cr_assert_geq(len, 28);
	cr_assert_lt(nsent, 32);
	sent[nsent].at = now - clock0;
	memcpy(sent[nsent].cky, pkt, 8);
	sent[nsent].to = p->sin.sin_addr;
	sent[nsent].from = l->sin.sin_addr;
	nsent++;
	cr_assert_leq(len, sizeof(last_pkt));
	memcpy(last_pkt, pkt, len);
	last_len = len;
}

static void to_tunmgr(uint32_t type, uint32_t id, const void *d, size_t l)
{
	(void)id;
	cr_assert_lt(ntm, 8);
	tm[ntm].type = type;
	if (type == IMSG_SA_ADD && l == sizeof(tm[ntm].add))
		memcpy(&tm[ntm].add, d, l);
	if (type == IMSG_SA_DEL && l == sizeof(tm[ntm].del))
		memcpy(&tm[ntm].del, d, l);
	ntm++;
}

static void none(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void setup(void)
{
	static const struct ike_io io = { send_pkt, none, to_tunmgr, none };
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	clock0 = time(NULL);
	vti_init(&conf);
	nsent = 0;
	ntm = 0;
}
TestSuite(vti, .init = setup);

static void run_until(time_t t)
{
	for (now = clock0; now <= clock0 + t; now++)
		vti_tick(now);
}

Test(vti, retransmits_then_dials_again)
{
	run_until(100);
	static const time_t want[] = { 1, 3, 7, 15, 23, 31, 69, 71, 75, 83, 91, 99 };
	cr_assert_eq(nsent, (int)(sizeof(want) / sizeof(want[0])), "%d datagrams", nsent);
	for (int k = 0; k < nsent; k++) {
		cr_expect_eq(sent[k].at, want[k], "datagram %d at %ld s, expected %ld s", k,
		             (long)sent[k].at, (long)want[k]);
		cr_expect_eq(sent[k].to.s_addr, htonl(0xac128f02), "not to the destination");
		cr_expect_eq(sent[k].from.s_addr, htonl(0xac128ff6), "not from the tunnel source");
	}
	/* the resends are the same message, the new attempt a new SA */
	cr_expect_eq(memcmp(sent[0].cky, sent[5].cky, 8), 0);
	cr_expect_neq(memcmp(sent[0].cky, sent[6].cky, 8), 0);
}

/* datagram with our cookie: a bare header (exchange, flags) and an optional notification */
static size_t answer(uint8_t *b, const uint8_t cky[8], uint8_t exch, uint16_t notify)
{
	memset(b, 0, 64);
	memcpy(b, cky, 8);
	memset(b + 8, 0x5a, 8);
	b[17] = 0x10;
	b[18] = exch;
	size_t len = 28;
	if (notify) {
		b[16] = ISAKMP_NP_N;
		uint8_t *n = b + 28;
		n[3] = 12;                      /* generic header + DOI + proto + spi size + type */
		n[7] = 1;                       /* DOI IPsec */
		n[8] = ISAKMP_PROTO_ISAKMP;
		n[10] = (uint8_t)(notify >> 8);
		n[11] = (uint8_t)notify;
		len += 12;
	}
	uint32_t l = htonl((uint32_t)len);
	memcpy(b + 24, &l, 4);
	return len;
}

Test(vti, stranger_dropped_refusal_ends_the_attempt)
{
	uint8_t b[64];
	union sa46 from = { .sin = { .sin_family = AF_INET, .sin_port = htons(500) } };
	union sa46 to = from;

	run_until(1);
	cr_assert_eq(nsent, 1);
	inet_pton(AF_INET, "172.18.143.246", &to.sin.sin_addr);
	inet_pton(AF_INET, "172.18.143.9", &from.sin.sin_addr);
	uint64_t before = ike.st.drop_unknown_sa;
	size_t len = answer(b, sent[0].cky, ISAKMP_EXCH_INFO, 14);
	cr_assert(vti_input(b, len, &from, &to, 0), "not taken as the tunnel's");
	cr_expect_eq(ike.st.drop_unknown_sa, before + 1, "not counted");
	/* NO-PROPOSAL-CHOSEN from the destination: the attempt ends, no more resends, and
	 * the next one is 30 s later (datagrams are handled on the real clock: clock0, or a
	 * second after it) */
	inet_pton(AF_INET, "172.18.143.2", &from.sin.sin_addr);
	time_t at = time(NULL) - clock0;
	cr_assert(vti_input(b, len, &from, &to, 0));
	for (now = clock0 + 2; now <= clock0 + at + 30; now++)
		vti_tick(now);
	cr_expect_eq(nsent, 2, "%d datagrams", nsent);
	cr_expect_eq(sent[1].at, at + 30, "the next attempt at %ld s", (long)sent[1].at);
	cr_expect_neq(memcmp(sent[0].cky, sent[1].cky, 8), 0, "not a new SA");
}

/* Tunnel0 with phase 1 and a pair up, on made-up keys the test's peer shares. */
static struct vti *make_active(struct ikei_sa *peer_sa)
{
	struct vti *t = &vtis[0];
	cr_assert(t->used);
	t->state = VTI_ACTIVE;
	t->id = 77;
	sa46_from4(&t->peer, (struct in_addr){ htonl(0xac128f02) }, htons(500));
	sa46_from4(&t->local, (struct in_addr){ htonl(0xac128ff6) }, htons(500));
	t->sa.encr = IKE_ENCR_AES;
	t->sa.keylen = 256;
	t->sa.hash = IKE_HASH_SHA1;
	t->sa.group = 14;
	ike_random(t->sa.cky_i, 8);
	ike_random(t->sa.cky_r, 8);
	ike_random(t->sa.k.skeyid_d, 20);
	ike_random(t->sa.k.skeyid_a, 20);
	ike_random(t->sa.k.enc_key, 32);
	ike_random(t->sa.iv, 16);
	t->sa.k.prf_len = 20;
	t->sa.k.enc_keylen = 32;
	t->sa.k.blocklen = 16;
	t->qm.spi_in = htonl(0x1111);
	t->qm.spi_out = htonl(0x2222);
	*peer_sa = t->sa;
	return t;
}

/* The peer's quick mode 1: 0/0 both ways unless net is given, PFS in group pfs (0: none). */
static void peer_qm1(struct ikei_sa *ps, struct ikei_qm *pq, int pfs, const char *net,
                     struct isakmp_buf *b)
{
	struct in_addr a = { 0 };
	memset(pq, 0, sizeof(*pq));
	pq->nprop = 1;
	pq->prop[0] = (struct ikei_p2_prop){ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 };
	pq->life = 3600;
	if (net) {
		inet_pton(AF_INET, net, &a);
		pq->idci_mask.s_addr = htonl(0xff000000);
	} else {
		pq->idci_any = 1;
	}
	if (pfs) {
		pq->pfs_group = pfs;
		cr_assert_not_null(pq->pfs_dh = ike_dh_new(pfs));
	}
	isakmp_buf_init(b);
	cr_assert_eq(ikei_qm1(ps, pq, a, b), 0);
}

Test(vti, peer_rekey_answered_with_pfs)
{
	struct ikei_sa ps;
	struct ikei_qm pq;
	struct isakmp_buf b;
	struct vti *t = make_active(&ps);
	union sa46 from = t->peer, to = t->local;

	peer_qm1(&ps, &pq, 14, NULL, &b);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	cr_assert_eq(nsent, 1, "quick mode 1 not answered");
	cr_assert_eq(ntm, 0, "installed before HASH(3)");
	/* the answer is lost: message 1 again gets the same answer again */
	uint8_t answer[2048];
	size_t alen = last_len;
	memcpy(answer, last_pkt, alen);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);
	cr_assert_eq(nsent, 2, "the resent message 1 not answered");
	cr_assert(last_len == alen && !memcmp(last_pkt, answer, alen), "not the same answer");
	cr_assert_eq(ikei_qm2(&ps, &pq, answer, alen), 0, "the answer does not verify");
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_qm3(&ps, &pq, &b), 0);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);

	struct ikei_keys pk;
	cr_assert_eq(ikei_keymat(&ps, &pq, &pk), 0);
	ike_dh_free(pq.pfs_dh);
	cr_assert_eq(ntm, 2, "%d messages to tunmgr", ntm);
	cr_assert_eq(tm[0].type, IMSG_SA_ADD);
	cr_expect_eq(tm[0].add.spi_in, pq.spi_out);
	cr_expect_eq(tm[0].add.spi_out, pq.spi_in);
	cr_expect_eq(tm[0].add.session_id, t->tun_id);
	cr_expect_eq(memcmp(tm[0].add.enckey_in, pk.enc_out, pk.enc_len), 0, "keys differ");
	cr_expect_eq(memcmp(tm[0].add.authkey_out, pk.auth_in, pk.auth_len), 0, "keys differ");
	cr_assert_eq(tm[1].type, IMSG_SA_DEL);
	cr_expect_eq(tm[1].del.spi_in, htonl(0x1111), "the old pair not deleted");
	cr_expect_eq(nsent, 3, "no DELETE of the old pair to the peer");
	cr_expect_eq(t->qm.spi_in, pq.spi_out);
	cr_expect_eq(t->state, VTI_ACTIVE);
}

Test(vti, peer_quick_mode_refused_outside_the_profile)
{
	struct ikei_sa ps;
	struct ikei_qm pq;
	struct isakmp_buf b;
	struct vti *t = make_active(&ps);
	union sa46 from = t->peer, to = t->local;
	uint64_t before = ike.st.drop_state;

	/* a network instead of 0/0 */
	peer_qm1(&ps, &pq, 14, "10.0.0.0", &b);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);
	ike_dh_free(pq.pfs_dh);
	/* no PFS while the profile sets it */
	peer_qm1(&ps, &pq, 0, NULL, &b);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);
	/* another group */
	peer_qm1(&ps, &pq, 2, NULL, &b);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);
	ike_dh_free(pq.pfs_dh);
	cr_expect_eq(nsent, 0, "%d answers", nsent);
	cr_expect_eq(ntm, 0, "something installed");
	cr_expect_eq(ike.st.drop_state, before + 3, "refusals not counted");
	cr_expect_eq(t->qm.spi_in, htonl(0x1111));
	cr_expect_eq(t->state, VTI_ACTIVE);
}

Test(vti, dpd_unanswered_ends_the_tunnel)
{
	struct ikei_sa ps;
	struct vti *t = make_active(&ps);
	uint8_t cky[8];

	memcpy(cky, t->sa.cky_i, 8);
	vti_dpd_start(t, clock0);
	t->next_at = 0;
	/* on-demand: a word from the peer at 5 s puts the first R-U-THERE at 15 s */
	for (now = clock0; now <= clock0 + 5; now++)
		vti_tick(now);
	vti_dpd_heard(t, clock0 + 5);
	for (; now <= clock0 + 40; now++)
		vti_tick(now);
	/* 15, 18, 21, 24, 27 s, dead at 30 s, dialled again at 31 s (then 33, 37 s) */
	static const time_t want[] = { 15, 18, 21, 24, 27, 31, 33, 37 };
	cr_assert_eq(nsent, 8, "%d datagrams", nsent);
	for (int k = 0; k < nsent; k++)
		cr_expect_eq(sent[k].at, want[k], "datagram %d at %ld s, expected %ld s", k,
		             (long)sent[k].at, (long)want[k]);
	cr_expect_eq(memcmp(sent[4].cky, cky, 8), 0, "R-U-THERE not on the tunnel's SA");
	cr_expect_neq(memcmp(sent[5].cky, cky, 8), 0, "not a new SA");
	cr_assert_geq(ntm, 1);
	cr_expect_eq(tm[0].type, IMSG_SA_DEL, "the pair not removed");
	cr_expect_eq(tm[0].del.spi_in, htonl(0x1111));
}

Test(vti, dpd_answer_resets)
{
	struct ikei_sa ps;
	struct vti *t = make_active(&ps);

	vti_dpd_start(t, clock0);
	t->next_at = 0;
	for (now = clock0; now <= clock0 + 13; now++)
		vti_tick(now);
	cr_assert_eq(nsent, 2, "%d R-U-THERE", nsent);      /* 10, 13 s */
	vti_dpd_heard(t, clock0 + 14);                      /* the ACK */
	for (; now <= clock0 + 60; now++)
		vti_tick(now);
	/* 24, 27, ... : the count started again, so five more before the end at 39 s */
	cr_expect_eq(sent[2].at, 24, "next R-U-THERE at %ld s", (long)sent[2].at);
	cr_expect_eq(sent[6].at, 36);
	cr_expect_neq(memcmp(sent[7].cky, sent[6].cky, 8), 0, "not dialled again after 5");
	cr_expect_eq(sent[7].at, 40);
}

/* The ISAKMP SA's renewal: a new main mode at its time while the pair stays; meanwhile DPD
 * both ways goes over the old SA; unanswered, the old SA goes on (no SA deleted), and the
 * renewal is tried again 30 s later. */
Test(vti, p1_renewal_unanswered_keeps_the_old_sa)
{
	struct ikei_sa ps;
	struct isakmp_buf b;
	struct vti *t = make_active(&ps);
	union sa46 from = t->peer, to = t->local;
	uint8_t old[8];

	memcpy(old, t->sa.cky_i, 8);
	t->next_at = 0;
	t->p1_life = 60;
	vti_p1_schedule(t, clock0);
	cr_assert_eq(t->p1_renew_at, clock0 + 54, "renewal at %ld s, expected 90 %% of 60 s",
	             (long)(t->p1_renew_at - clock0));
	t->dpd_at = 0;
	for (now = clock0; now <= clock0 + 54; now++)
		vti_tick(now);
	cr_assert_eq(nsent, 1, "%d datagrams", nsent);
	cr_assert_eq(sent[0].at, 54);
	cr_assert_neq(memcmp(sent[0].cky, old, 8), 0, "the renewal is not a new SA");
	cr_assert_eq(t->state, VTI_MM1);
	cr_assert(t->p1_renewing);

	/* the peer's R-U-THERE on the old SA meanwhile: answered on it */
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_dpd(&ps, 7, &b), 0);
	cr_assert(vti_input(b.data, b.len, &from, &to, 0));
	isakmp_buf_free(&b);
	cr_assert_eq(nsent, 2, "R-U-THERE on the old SA not answered");
	cr_expect_eq(memcmp(sent[1].cky, old, 8), 0, "the answer not on the old SA");
	/* our DPD goes on, over the old SA */
	t->dpd_at = clock0 + 55;
	now = clock0 + 55;
	vti_tick(now++);
	cr_assert_eq(nsent, 3, "no R-U-THERE while renewing");
	cr_expect_eq(memcmp(sent[2].cky, old, 8), 0, "R-U-THERE not on the old SA");
	t->dpd_at = 0;                          /* (DPD has its own tests) */

	/* resent at 56, 60, 68, 76, 84 (2, 4, 8, 8, 8 s), given up at 92 */
	for (; now <= clock0 + 92; now++)
		vti_tick(now);
	cr_expect_eq(nsent, 8, "%d datagrams", nsent);
	cr_expect_eq(t->state, VTI_ACTIVE, "the tunnel did not go on");
	cr_expect(!t->p1_renewing);
	cr_expect_eq(memcmp(t->sa.cky_i, old, 8), 0, "the old SA is not back");
	cr_expect_eq(t->qm.spi_in, htonl(0x1111));
	cr_expect_eq(ntm, 0, "the pair touched (%d messages to tunmgr)", ntm);
	/* and again 30 s later */
	for (; now <= clock0 + 122; now++)
		vti_tick(now);
	cr_expect_eq(nsent, 9, "%d datagrams", nsent);
	cr_expect_eq(sent[8].at, 122, "the next renewal at %ld s", (long)sent[8].at);
	cr_expect_neq(memcmp(sent[8].cky, old, 8), 0);
}
