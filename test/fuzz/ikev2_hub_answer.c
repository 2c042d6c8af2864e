/*
 * fuzz_ikev2_engine.c's client answering the hub's own requests (ikemgr/ikev2_req.c,
 * ikev2_hubrekey.c): liveness checks and Deletes with an empty answer; CHILD_SA rekeys with
 * what was offered (its transforms, the selectors, a new SPI, Nr, KEr in the group asked);
 * IKE SA rekeys with the IKE proposal offered, a new SPIr and KEr, after which the client
 * moves to the new SA as its responder (2.18: the rekey's initiator is the new SA's). On
 * demand an answer gets one thing wrong, is an error notify, the input's own payload chain,
 * or has the input's flips. Each is sealed with the keys of the SA its request came on, with
 * the R flag, and the I flag when the client started that SA.
 * Oracles: an answer with nothing wrong to the request in flight is taken (the CHILD_SA handed
 * to tunmgr with KEYMAT's halves as 2.17 orders them for the exchange's initiator, the hub's
 * outbound first; the new IKE SA made under the hub's SPI and ours, the hub its initiator,
 * the session on it); one with something wrong installs nothing.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "test/fuzz/ikev2_client.h"

/* the SA the hub's request came on, as the client knows it */
struct view {
	const uint8_t *spi_i, *spi_r;
	const struct ikev2_keys *k;
	int hub_init;
};

static int view_of(const struct ikev2_hdr *h, struct view *w)
{
	if (C.up && !memcmp(h->spi_i, C.spi_i, 8) && !memcmp(h->spi_r, C.spi_r, 8)) {
		*w = (struct view){ C.spi_i, C.spi_r, &C.k, C.hub_init };
		return 0;
	}
	if (C.prev.up && !memcmp(h->spi_i, C.prev.spi_i, 8) && !memcmp(h->spi_r, C.prev.spi_r, 8)) {
		*w = (struct view){ C.prev.spi_i, C.prev.spi_r, &C.prev.k, C.prev.hub_init };
		return 0;
	}
	return -1;
}

static struct ikev2_sa *engine_sa(const uint8_t *spi_i, const uint8_t *spi_r)
{
	for (struct ikev2_sa *sa = v2.all; sa; sa = sa->all_next)
		if (!memcmp(sa->spi_i, spi_i, 8) && !memcmp(sa->spi_r, spi_r, 8))
			return sa;
	return NULL;
}

/* The engine's SA is waiting for exactly this answer (its request in flight, kind). */
static struct ikev2_sa *in_flight(const struct view *w, const struct ikev2_hdr *h, int kind)
{
	struct ikev2_sa *sa = engine_sa(w->spi_i, w->spi_r);
	if (!sa || sa->state != V2_S_ESTABLISHED || !sa->req || sa->req->kind != kind ||
	    sa->req->msgid != h->msgid || sa->req->len != C.hreq_len ||
	    memcmp(sa->req->pkt, C.hreq, C.hreq_len) || !sa46_same_addr(&sa->s.peer, &peer))
		return NULL;
	return sa;
}

/* Payloads are put after a dummy header; the chain is what follows it. */
static void pl_start(struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	isakmp_buf_init(b);
	ikev2_put_hdr(b, zero, zero, 0, 0, 0);
}

static void send_answer(const struct view *w, const struct ikev2_hdr *h, struct isakmp_buf *b,
                        const uint8_t *mut, size_t nmut, int mode)
{
	if (b->err || b->len < ISAKMP_HDR_LEN)
		abort();
	size_t len = b->len - ISAKMP_HDR_LEN;
	v2c_seal_send(w->spi_i, w->spi_r, w->hub_init ? w->k->er : w->k->ei,
	              w->hub_init ? w->k->ar : w->k->ai, h->exch,
	              IKEV2_FLAG_R | (w->hub_init ? 0 : IKEV2_FLAG_I), h->msgid,
	              len ? b->data[16] : 0, b->data + ISAKMP_HDR_LEN, len, mut, nmut, mode, &peer);
}

/* The transforms of the hub's proposal, with fault 1 (another key length) or 6 (one more,
 * not offered). */
static int transforms(const struct ikev2_prop *p, int fault, struct ikev2_trans *tr)
{
	int n = 0;
	for (int i = 0; i < p->ntr && n < IKEV2_MAX_TRANS - 1; i++)
		tr[n++] = p->tr[i];
	if (fault == 1 && n && tr[0].type == IKEV2_TR_ENCR)
		tr[0].keylen = tr[0].keylen == 128 ? 256 : 128;
	if (fault == 6)
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_PRF, 7, 0 };
	return n;
}

/* KEr: in the hub's group (g^ir into shared), or with fault 4 in another one. 0 when the
 * answer carries a KE the hub can take. */
static int put_ke(struct isakmp_buf *b, const struct ikev2_pl *pke, int fault, uint8_t *shared,
                  size_t *sl)
{
	struct ikev2_ke ke;
	uint8_t pub[512];
	size_t pl = sizeof(pub), cap = *sl;
	*sl = 0;
	if (!pke) {
		if (fault == 4) {
			memset(pub, 0x42, 64);
			ikev2_put_ke(b, 19, pub, 64);   /* not asked for: ignored */
		}
		return 0;
	}
	if (ikev2_parse_ke(pke->body, pke->len, &ke) < 0)
		abort();        /* the hub's own KE */
	if (fault == 3)
		return -1;
	if (fault == 4) {
		int other = ke.group == 19 ? 14 : 19;
		pl = other == 19 ? 64 : 256;
		memset(pub, 0x42, pl);
		ikev2_put_ke(b, (uint16_t)other, pub, pl);
		return -1;
	}
	if (v2c_dh(ke.group, pub, &pl, ke.data, ke.len, shared, &cap) < 0)
		return -1;
	*sl = cap;
	ikev2_put_ke(b, ke.group, pub, pl);
	return 0;
}

static void child_answer(const struct view *w, const struct ikev2_hdr *h,
                         const struct ikev2_chain *c, const struct ikev2_prop *p, int fault,
                         const uint8_t *mut, size_t nmut, int mode)
{
	const struct ikev2_pl *pn = ikev2_find(c, IKEV2_NP_NONCE), *pke = ikev2_find(c, IKEV2_NP_KE),
	                      *pti = ikev2_find(c, IKEV2_NP_TSI), *ptr = ikev2_find(c, IKEV2_NP_TSR);
	if (!pn || !pti || !ptr || p->proto != IKEV2_PROTO_ESP || p->spi_size != 4)
		abort();        /* the hub's CHILD_SA rekey lacks what 1.3.1 asks */
	struct ikev2_sa *esa = in_flight(w, h, V2_REQ_CHILD_REKEY);
	int expect = 0;
	if (esa) {
		/* the SA it rekeys still there, and room for the new one (ikev2_hubrekey.c) */
		struct ikev2_sa *o = esa->s.superseded ? ikev2_sa_by_id(esa->successor) : esa;
		int old = 0, room = 0;
		for (int i = 0; o && i < IKE_MAX_CHILD; i++) {
			old |= o->s.child[i].used && o->s.child[i].spi_in == esa->req->spis[0];
			room |= !o->s.child[i].used;
		}
		expect = old && room;
	}
	uint32_t offered, spi = htonl(0xc0de1000u + (C.nanswers++ & 0xfff));
	memcpy(&offered, p->spi, 4);
	uint8_t nr[32], spi8[8] = { 0 }, shared[512];
	size_t sl = sizeof(shared);
	for (int i = 0; i < 32; i++)
		nr[i] = (uint8_t)(C.nanswers * 31 + i);
	struct ikev2_trans tr[IKEV2_MAX_TRANS];
	int ntr = transforms(p, fault, tr);
	struct isakmp_buf b;
	pl_start(&b);
	memcpy(spi8, &spi, 4);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_ESP, spi8, fault == 5 ? 8 : 4, tr, ntr);
	if (fault != 7)
		isakmp_put_payload(&b, IKEV2_NP_NONCE, nr, sizeof(nr));
	int ke_ok = put_ke(&b, pke, fault, shared, &sl) == 0;
	isakmp_put_payload(&b, IKEV2_NP_TSI, pti->body, pti->len);
	if (fault == 2) {
		/* the hub's TSr is the client's address: another one */
		struct ikev2_ts ts;
		memset(&ts, 0, sizeof(ts));
		ts.type = IKEV2_TS_IPV4_ADDR_RANGE;
		ts.port_hi = 65535;
		inet_pton(AF_INET, "10.9.9.9", ts.lo);
		inet_pton(AF_INET, "10.9.9.9", ts.hi);
		ikev2_put_ts(&b, IKEV2_NP_TSR, &ts, 1);
	} else {
		isakmp_put_payload(&b, IKEV2_NP_TSR, ptr->body, ptr->len);
	}
	int wrong = (fault && fault != 3 && fault != 4) || !ke_ok;
	unsigned adds = n_add;
	send_answer(w, h, &b, mut, nmut, mode);
	isakmp_buf_free(&b);
	if (mode || !expect)
		return;
	int added = n_add != adds && last_add.spi_in == offered;
	if (wrong) {
		if (added)
			abort();        /* a CHILD_SA taken that is not what the hub offered */
		return;
	}
	if (!added || last_add.spi_out != spi)
		abort();        /* an answer as asked, not taken */
	/* 2.17: KEYMAT from the SK_d of the SA the exchange ran on; the hub initiated the
	 * exchange, so the first half is its outbound */
	size_t ek = (size_t)last_add.enc_keylen, ak = (size_t)last_add.auth_keylen;
	uint8_t km[4 * MSG_KEY_MAX];
	if (ek > MSG_KEY_MAX || ak > MSG_KEY_MAX ||
	    ikev2_child_keymat(&C.s, w->k->d, pke ? shared : NULL, pke ? sl : 0, pn->body, pn->len,
	                       nr, sizeof(nr), km, 2 * (ek + ak)) < 0)
		abort();
	if (memcmp(last_add.enckey_out, km, ek) || memcmp(last_add.authkey_out, km + ek, ak) ||
	    memcmp(last_add.enckey_in, km + ek + ak, ek) ||
	    memcmp(last_add.authkey_in, km + 2 * ek + ak, ak))
		abort();        /* the rekeyed SA's keys are not KEYMAT's as the hub's initiator */
}

static void ike_answer(const struct view *w, const struct ikev2_hdr *h,
                       const struct ikev2_chain *c, const struct ikev2_prop *p, int fault,
                       const uint8_t *mut, size_t nmut, int mode)
{
	const struct ikev2_pl *pn = ikev2_find(c, IKEV2_NP_NONCE), *pke = ikev2_find(c, IKEV2_NP_KE);
	if (!pn || !pke || p->spi_size != 8)
		abort();        /* the hub's IKE SA rekey lacks what 1.3.2 asks */
	struct ikev2_sa *esa = in_flight(w, h, V2_REQ_IKE_REKEY);
	int expect = esa && !esa->s.superseded;
	uint32_t sid = esa ? esa->s.id : 0;
	uint8_t spi[8] = { 0x6b, 0x72 }, hub_spi[8], nr[32], shared[512];
	size_t sl = sizeof(shared);
	uint32_t k = ++C.nanswers;
	memcpy(spi + 4, &k, 4);
	if (fault == 2)
		memset(spi, 0, 8);
	memcpy(hub_spi, p->spi, 8);
	for (int i = 0; i < 32; i++)
		nr[i] = (uint8_t)(k * 17 + i);
	struct ikev2_trans tr[IKEV2_MAX_TRANS];
	int ntr = transforms(p, fault, tr);
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_IKE, spi, fault == 5 ? 4 : 8, tr, ntr);
	if (fault != 7)
		isakmp_put_payload(&b, IKEV2_NP_NONCE, nr, sizeof(nr));
	int ke_ok = put_ke(&b, pke, fault, shared, &sl) == 0;
	int wrong = fault || !ke_ok;
	send_answer(w, h, &b, mut, nmut, mode);
	isakmp_buf_free(&b);
	struct ikev2_sa *n = engine_sa(hub_spi, spi);
	if (mode || !expect)
		return;
	if (wrong) {
		if (n)
			abort();        /* an IKE SA made from an answer that is not what was offered */
		return;
	}
	if (!n || !n->we_init || ikev2_sa_by_id(sid) != n)
		abort();        /* an answer as asked, and no new SA of the hub's with the session */
	/* the client moves to it: the hub is its initiator (2.18), Ni the hub's */
	C.prev.up = 1;
	C.prev.hub_init = C.hub_init;
	memcpy(C.prev.spi_i, C.spi_i, 8);
	memcpy(C.prev.spi_r, C.spi_r, 8);
	C.prev.k = C.k;
	if (ikev2_ike_keys(&C.s, shared, sl, pn->body, pn->len, nr, sizeof(nr), hub_spi, spi,
	                   C.prev.k.d, &C.k) < 0)
		abort();
	memcpy(C.spi_i, hub_spi, 8);
	memcpy(C.spi_r, spi, 8);
	C.hub_init = 1;
	C.next_out = 0;
	C.last_len = 0;
}

void answer_hub(uint8_t v, uint8_t np, const uint8_t *bytes, size_t n)
{
	struct ikev2_hdr h;
	struct view w;
	if (!C.hreq_len || ikev2_parse_hdr(C.hreq, C.hreq_len, &h) < 0 || view_of(&h, &w) < 0)
		return;
	/* the request again, opened: it did when it came (send_pkt) */
	uint8_t *m = malloc(C.hreq_len), *in, inner, np2;
	size_t inlen;
	struct ikev2_chain outer;
	static struct ikev2_chain c;
	if (!m)
		abort();
	memcpy(m, C.hreq, C.hreq_len);
	const struct ikev2_pl *sk;
	if (ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, C.hreq_len, &outer, &inner) < 0 ||
	    !(sk = ikev2_find(&outer, IKEV2_NP_SK)) ||
	    ikev2_sk_open(&C.s, w.hub_init ? w.k->ei : w.k->er, w.hub_init ? w.k->ai : w.k->ar, m,
	                  C.hreq_len, sk->off, &in, &inlen) < 0 ||
	    ikev2_parse_chain(inner, in, 0, inlen, &c, &np2) < 0 || np2)
		abort();
	struct isakmp_buf b;
	int mode = (v & 3) == 3 ? (v & 0x80 ? 1 : 2) : 0, fault = v >> 2 & 7;
	switch (v & 3) {
	case 2:         /* the input's payload chain */
		v2c_seal_send(w.spi_i, w.spi_r, w.hub_init ? w.k->er : w.k->ei,
		              w.hub_init ? w.k->ar : w.k->ai, h.exch,
		              IKEV2_FLAG_R | (w.hub_init ? 0 : IKEV2_FLAG_I), h.msgid, np, bytes, n,
		              NULL, 0, 0, &peer);
		break;
	case 1: {       /* an error notify */
		static const uint16_t types[4] = { IKEV2_N_TEMPORARY_FAILURE, IKEV2_N_NO_PROPOSAL_CHOSEN,
		                                   IKEV2_N_INVALID_KE_PAYLOAD, IKEV2_N_CHILD_SA_NOT_FOUND };
		uint16_t t = types[fault & 3];
		uint8_t g[2] = { 0, v & 0x40 ? 19 : 14 };
		pl_start(&b);
		ikev2_put_notify(&b, 0, NULL, 0, t, g, t == IKEV2_N_INVALID_KE_PAYLOAD ? 2 : 0);
		send_answer(&w, &h, &b, NULL, 0, 0);
		isakmp_buf_free(&b);
		break;
	}
	default:        /* as asked (with a fault, or the input's flips) */
		if (h.exch == IKEV2_EXCH_INFORMATIONAL) {
			pl_start(&b);
			send_answer(&w, &h, &b, bytes, n, mode);
			isakmp_buf_free(&b);
			break;
		}
		static struct ikev2_sa_pl props;
		const struct ikev2_pl *psa = ikev2_find(&c, IKEV2_NP_SA);
		if (!psa || ikev2_parse_sa(psa->body, psa->len, &props) < 0 || props.n != 1)
			abort();        /* the hub offers one proposal */
		if (props.prop[0].proto == IKEV2_PROTO_IKE)
			ike_answer(&w, &h, &c, &props.prop[0], fault, bytes, n, mode);
		else
			child_answer(&w, &h, &c, &props.prop[0], fault, bytes, n, mode);
	}
	free(m);
	/* the hub's Delete of the SA its rekey replaced answered: that SA is gone */
	if (C.prev.up && !engine_sa(C.prev.spi_i, C.prev.spi_r))
		C.prev.up = 0;
}
