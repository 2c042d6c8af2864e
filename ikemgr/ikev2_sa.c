/*
 * IKEv2 SAs: the table (by our SPI, by session id, by the initiator's SPI and address for a
 * retransmitted IKE_SA_INIT), the datagram entry point and its checks in order (header, SA,
 * address, message ID, integrity), our responses kept for retransmitted requests, the
 * deadlines, and the session's ops. Fragments (SKF) go to ikev2_frag.c and come back whole
 * through ikev2_dispatch, as an SK message's content does.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

struct ikev2_engine v2;

#define NB(a) (sizeof(a) / sizeof((a)[0]))
#define HALF_OPEN_SECS 30       /* IKE_SA_INIT answered, no IKE_AUTH: forgotten */
#define AUTH_SECS      60       /* IKE_AUTH under way (keymgr, RADIUS, tunmgr) */
#define EAP_SECS       90       /* one EAP round (IOS's eap timeout default: 90 s) */
#define REPLACED_SECS  60       /* a rekeyed IKE SA the peer has not deleted */
#define NO_CHILD_SECS  30       /* an established session without a CHILD_SA */

static int has_child(const struct ikev2_sa *sa)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->s.child[i].used)
			return 1;
	return 0;
}

static unsigned h8(const uint8_t k[8], size_t n)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 8; i++)
		h = (h ^ k[i]) * 16777619u;
	return h % n;
}

static unsigned hid(uint32_t id, size_t n)
{
	return (id * 2654435761u) % n;
}

#define UNLINK(head, sa, field)                                          \
	for (struct ikev2_sa **pp_ = (head); *pp_; pp_ = &(*pp_)->field) \
		if (*pp_ == (sa)) {                                      \
			*pp_ = (sa)->field;                              \
			break;                                           \
		}

static struct ikev2_sa *sa_of(struct ike_session *s)
{
	return (struct ikev2_sa *)((char *)s - offsetof(struct ikev2_sa, s));
}

static void op_rearm(struct ike_session *s)
{
	ikev2_rearm(sa_of(s));
}

static void op_delete_children(struct ike_session *s, const uint32_t *spi_in, int n)
{
	ikev2_delete_children(sa_of(s), spi_in, n, 0);
}

static void op_ike_spis(const struct ike_session *s, uint8_t spi_i[8], uint8_t spi_r[8])
{
	const struct ikev2_sa *sa = (const struct ikev2_sa *)((const char *)s -
	                                                      offsetof(struct ikev2_sa, s));
	memcpy(spi_i, sa->spi_i, 8);
	memcpy(spi_r, sa->spi_r, 8);
}

static void report_ike(struct ikev2_sa *sa)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = sa->s.id;
	memcpy(m.cky_i, sa->spi_i, 8);
	memcpy(m.cky_r, sa->spi_r, 8);
	m.peer = sa->s.peer;
	m.local = sa->s.local;
	/* IOS's show crypto ikev2 sa says READY for an established SA */
	snprintf(m.state, sizeof(m.state), "%s", sa->state == V2_S_ESTABLISHED ? "READY" : "IN-NEG");
	const struct alg_v2_encr *e = alg_v2_encr(sa->suite.encr_id, sa->suite.encr_bits);
	const struct alg_v2_prf *p = alg_v2_prf(sa->suite.prf_id);
	snprintf(m.encr, sizeof(m.encr), "%s", e ? e->word : "?");
	/* "PRF/INTEG" (the show splits them; integrity may differ from the PRF), PRF alone for
	 * an AEAD */
	const struct alg_v2_integ *in = sa->suite.integ_id ? alg_v2_integ(sa->suite.integ_id) : NULL;
	snprintf(m.hash, sizeof(m.hash), "%s%s%s", p ? p->word : "?", in ? "/" : "",
	         in ? in->word : "");
	snprintf(m.auth, sizeof(m.auth), "%s", sa->auth_words[0] ? sa->auth_words : "psk");
	m.dh_group = sa->suite.dh;
	m.lifetime = sa->s.v2profile ? sa->s.v2profile->lifetime : 86400;
	if (!sa->s.rep_established)
		sa->s.rep_established = sa->established_at ? sa->established_at : time(NULL);
	m.established = (int64_t)sa->s.rep_established;
	if (sa->state >= V2_S_WAIT_AUTH)
		ikev2_our_id_text(sa, m.local_id, sizeof(m.local_id));
	m.caps = (sa->s.policy.addr.s_addr ? IKE_CAP_CFG : 0) | IKE_CAP_V2 |
	         (sa->port4500 ? IKE_CAP_NAT : 0);
	ike.io.to_parent(IMSG_IKE_SA_UP, sa->s.id, &m, sizeof(m));
	sa->s.rep_state = sa->state;
	sa->s.rep_port = sa46_port(&sa->s.peer);
}

static void op_sync(struct ike_session *s)
{
	struct ikev2_sa *sa = sa_of(s);
	if (sa->state < V2_S_WAIT_SA || sa->state == V2_S_DEAD)
		return;
	if (s->rep_state != sa->state || s->rep_port != sa46_port(&s->peer))
		report_ike(sa);
	ike_report_children(s);
}

static const struct ike_session_ops ikev2_session_ops = {
	.rearm = op_rearm,
	.delete_children = op_delete_children,
	.ike_spis = op_ike_spis,
	.sync = op_sync,
};

static struct ikev2_sa *by_spi(const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	for (struct ikev2_sa *sa = v2.by_spi[h8(spi_r, NB(v2.by_spi))]; sa; sa = sa->spi_next)
		if (!memcmp(sa->spi_r, spi_r, 8) && !memcmp(sa->spi_i, spi_i, 8))
			return sa;
	return NULL;
}

static struct ikev2_sa *by_init(const uint8_t spi_i[8], const union sa46 *peer)
{
	for (struct ikev2_sa *sa = v2.by_init[h8(spi_i, NB(v2.by_init))]; sa; sa = sa->init_next)
		if (!memcmp(sa->spi_i, spi_i, 8) && sa46_same_addr(&sa->s.peer, peer))
			return sa;
	return NULL;
}

struct ikev2_sa *ikev2_sa_by_id(uint32_t id)
{
	for (struct ikev2_sa *sa = v2.by_id[hid(id, NB(v2.by_id))]; sa; sa = sa->id_next)
		if (sa->s.id == id)
			return sa;
	return NULL;
}

void ikev2_sa_set_id(struct ikev2_sa *sa, uint32_t id)
{
	UNLINK(&v2.by_id[hid(sa->s.id, NB(v2.by_id))], sa, id_next);
	sa->s.id = id;
	unsigned h = hid(id, NB(v2.by_id));
	sa->id_next = v2.by_id[h];
	v2.by_id[h] = sa;
}

/* spi_r NULL: ours, made here (we answer the peer's IKE_SA_INIT); else we started the SA
 * (a rekey of ours) and spi_i is ours. */
static struct ikev2_sa *sa_new(const uint8_t spi_i[8], const uint8_t *spi_r,
                               const union sa46 *peer, const union sa46 *local)
{
	if (tmr_reserve(&v2.timers, (size_t)v2.nsa + 1) < 0)
		return NULL;
	if (spi_r && by_spi(spi_i, spi_r))
		return NULL;
	struct ikev2_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	static const uint8_t zero[8];
	sa->s.ops = &ikev2_session_ops;
	memcpy(sa->spi_i, spi_i, 8);
	if (spi_r) {
		memcpy(sa->spi_r, spi_r, 8);
		sa->we_init = 1;
	} else {
		do {
			ike_random(sa->spi_r, 8);
		} while (!memcmp(sa->spi_r, zero, 8) || by_spi(spi_i, sa->spi_r));
	}
	sa->s.peer = *peer;
	sa->s.local = *local;
	/* one id space with IKEv1: keymgr's, tunmgr's and the parent's answers name it */
	do {
		sa->s.id = ++ike.next_id;
	} while (sa->s.id == 0 || ike_sa_by_id(sa->s.id));
	sa->created = sa->last_rx = time(NULL);
	unsigned h = h8(sa->spi_r, NB(v2.by_spi));
	sa->spi_next = v2.by_spi[h];
	v2.by_spi[h] = sa;
	h = hid(sa->s.id, NB(v2.by_id));
	sa->id_next = v2.by_id[h];
	v2.by_id[h] = sa;
	if (!sa->we_init) {
		h = h8(spi_i, NB(v2.by_init));
		sa->init_next = v2.by_init[h];
		v2.by_init[h] = sa;
	}
	sa->all_next = v2.all;
	if (v2.all)
		v2.all->all_pprev = &sa->all_next;
	sa->all_pprev = &v2.all;
	v2.all = sa;
	v2.nsa++;
	v2.nhalfopen++;
	ikev2_rearm(sa);
	return sa;
}

struct ikev2_sa *ikev2_sa_new(const uint8_t spi_i[8], const union sa46 *peer,
                              const union sa46 *local)
{
	return sa_new(spi_i, NULL, peer, local);
}

struct ikev2_sa *ikev2_sa_new_ours(const uint8_t spi_i[8], const uint8_t spi_r[8],
                                   const union sa46 *peer, const union sa46 *local)
{
	return sa_new(spi_i, spi_r, peer, local);
}

static void settle(struct ikev2_sa *sa)
{
	if (sa->state < V2_S_ESTABLISHED) {
		sa->state = V2_S_ESTABLISHED;
		v2.nhalfopen--;
	}
}

void ikev2_sa_delete(struct ikev2_sa *sa, const char *reason, int notify_peer)
{
	if (notify_peer && sa->state == V2_S_ESTABLISHED) {
		/* an INFORMATIONAL request with Delete (IKE): not waited for, not retransmitted. Its
		 * message ID is our next one (after a liveness check the peer ignores an ID 0), past
		 * a request of ours in flight, which the peer has most likely taken */
		struct isakmp_buf b;
		size_t sk;
		isakmp_buf_init(&b);
		if (ikev2_begin_sk(sa, &b, IKEV2_EXCH_INFORMATIONAL, sa->next_out + !!sa->req, 0,
		                   &sk) == 0) {
			ikev2_put_delete(&b, IKEV2_PROTO_IKE, 0, 0, NULL);
			if (ikev2_seal(sa, &b, sk) == 0)
				ikev2_send_raw(sa, b.data, b.len);
		}
		isakmp_buf_free(&b);
	}
	if (sa->s.superseded) {
		/* a rekeyed IKE SA: its session lives on in the new one */
		log_dbg(DBG_IKEV2_INT, V2_PEER(sa), "IKEv2: replaced IKE SA %u deleted: %s", sa->s.id,
		        reason);
		sa->state = V2_S_DEAD;
	} else if (sa->state != V2_S_DEAD) {
		log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: IKE SA deleted (%s)%s", sa->s.id,
		        reason, notify_peer && sa->state == V2_S_ESTABLISHED ? ", DELETE sent" : "");
		if (!ike_session_end(&sa->s, reason) && sa->state > V2_S_INIT_DONE)
			log_info("IKEv2 session %u ended before it was up: %s", sa->s.id, reason);
		if (sa->state < V2_S_ESTABLISHED)
			v2.nhalfopen--;
		sa->state = V2_S_DEAD;
	}
	UNLINK(&v2.by_spi[h8(sa->spi_r, NB(v2.by_spi))], sa, spi_next);
	UNLINK(&v2.by_id[hid(sa->s.id, NB(v2.by_id))], sa, id_next);
	if (!sa->we_init)
		UNLINK(&v2.by_init[h8(sa->spi_i, NB(v2.by_init))], sa, init_next);
	*sa->all_pprev = sa->all_next;
	if (sa->all_next)
		sa->all_next->all_pprev = sa->all_pprev;
	v2.nsa--;
	tmr_cancel(&v2.timers, &sa->tmr);
	ikev2_frag_drop(sa);
	free(sa->msg1);
	free(sa->msg2);
	free(sa->last_resp);
	ikev2_req_free_all(sa);
	if (sa->held)
		explicit_bzero(sa->held, sa->held_len);
	free(sa->held);
	if (sa->auth) {
		explicit_bzero(sa->auth, sizeof(*sa->auth));
		free(sa->auth);
	}
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

static const char *exch_name(uint8_t exch)
{
	switch (exch) {
	case IKEV2_EXCH_SA_INIT:       return "IKE_SA_INIT";
	case IKEV2_EXCH_AUTH:          return "IKE_AUTH";
	case IKEV2_EXCH_CREATE_CHILD:  return "CREATE_CHILD_SA";
	case IKEV2_EXCH_INFORMATIONAL: return "INFORMATIONAL";
	default:                       return "unknown";
	}
}

/* IOS's words: "Received Packet [From A:P/To L:P] Initiator SPI : .. - Responder SPI : ..
 * Message id: N IKEv2 IKE_AUTH Exchange REQUEST" */
void ikev2_dbg_pkt(const struct log_peer *lp, const char *what, const uint8_t *pkt, size_t len,
                   const union sa46 *from, const union sa46 *to)
{
	struct ikev2_hdr h;
	if (!log_dbg_enabled(DBG_IKEV2_PKT, lp) || ikev2_parse_hdr(pkt, len, &h) < 0)
		return;
	char f[SA46_PORTSTRLEN], t[SA46_PORTSTRLEN], si[17], sr[17];
	sa46_ntop_port(from, f);
	sa46_ntop_port(to, t);
	for (int i = 0; i < 8; i++) {
		snprintf(si + 2 * i, 3, "%02X", h.spi_i[i]);
		snprintf(sr + 2 * i, 3, "%02X", h.spi_r[i]);
	}
	log_dbg(DBG_IKEV2_PKT, lp, "%s Packet [From %s/To %s] Initiator SPI : %s - Responder SPI "
	        ": %s Message id: %u IKEv2 %s Exchange %s (%zu bytes)", what, f, t, si, sr, h.msgid,
	        exch_name(h.exch), h.flags & IKEV2_FLAG_R ? "RESPONSE" : "REQUEST", len);
}

void ikev2_send_raw(struct ikev2_sa *sa, const uint8_t *pkt, size_t len)
{
	ikev2_dbg_pkt(V2_PEER(sa), "Sending", pkt, len, &sa->s.local, &sa->s.peer);
	ike.io.send(&sa->s.local, &sa->s.peer, sa->port4500, pkt, len);
}

void ikev2_send_response(struct ikev2_sa *sa, const uint8_t *pkt, size_t len)
{
	/* too large for the path the peer said it may need fragments on: cut (RFC 7383 2.5);
	 * should that fail, whole as without fragmentation */
	if (sa->frag && len > ikev2_frag_limit(sa) && ikev2_frag_send_response(sa, pkt, len) == 0)
		return;
	uint8_t *copy = malloc(len);
	if (copy) {
		memcpy(copy, pkt, len);
		free(sa->last_resp);
		sa->last_resp = copy;
		sa->last_resp_len = len;
		sa->last_resp_frags = 0;
		sa->last_resp_msgid = len >= ISAKMP_HDR_LEN ? (uint32_t)pkt[20] << 24 |
		                      (uint32_t)pkt[21] << 16 | (uint32_t)pkt[22] << 8 | pkt[23] : 0;
	}
	ikev2_send_raw(sa, pkt, len);
}

void ikev2_resend_response(struct ikev2_sa *sa)
{
	size_t off = 0;
	/* fragments back to back: each message's header says how long it is */
	while (sa->last_resp && off + ISAKMP_HDR_LEN <= sa->last_resp_len) {
		const uint8_t *p = sa->last_resp + off;
		size_t n = sa->last_resp_frags ? (size_t)p[24] << 24 | (size_t)p[25] << 16 |
		                                 (size_t)p[26] << 8 | p[27]
		                               : sa->last_resp_len;
		if (n < ISAKMP_HDR_LEN || n > sa->last_resp_len - off)
			break;
		ikev2_send_raw(sa, p, n);
		off += n;
	}
}

int ikev2_begin_sk(struct ikev2_sa *sa, struct isakmp_buf *b, uint8_t exch, uint32_t msgid,
                   int response, size_t *sk_off)
{
	uint8_t iv[IKEV2_IV_MAX] = { 0 };
	uint8_t flags = (response ? IKEV2_FLAG_R : 0) | (sa->we_init ? IKEV2_FLAG_I : 0);
	if (ikev2_put_hdr(b, sa->spi_i, sa->spi_r, exch, flags, msgid) < 0)
		return -1;
	*sk_off = b->len;
	/* the IV's room: ikev2_seal fills it */
	return isakmp_put_payload(b, IKEV2_NP_SK, iv, sa->suite.iv);
}

int ikev2_seal(struct ikev2_sa *sa, struct isakmp_buf *b, size_t sk_off)
{
	if (b->err || isakmp_buf_reserve(b, sa->suite.block + sa->suite.icv + 1) < 0)
		return -1;
	size_t inner = b->len - sk_off - 4 - sa->suite.iv;
	long n = ikev2_sk_seal(&sa->suite, V2_EK_OUT(sa), V2_AK_OUT(sa), b->data, b->cap, sk_off,
	                       inner);
	if (n < 0)
		return -1;
	b->len = (size_t)n;
	return 0;
}

void ikev2_notify_clear(const uint8_t spi_i[8], const uint8_t spi_r[8], const union sa46 *peer,
                        const union sa46 *local, int port4500, uint16_t type,
                        const uint8_t *data, size_t len)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, spi_i, spi_r, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_R, 0);
	ikev2_put_notify(&b, 0, NULL, 0, type, data, len);
	if (isakmp_finalize(&b) == 0)
		ike.io.send(local, peer, port4500, b.data, b.len);
	isakmp_buf_free(&b);
}

void ikev2_notify_protected(struct ikev2_sa *sa, uint8_t exch, uint32_t msgid, uint16_t type,
                            const uint8_t *data, size_t len)
{
	struct isakmp_buf b;
	size_t sk;
	isakmp_buf_init(&b);
	if (ikev2_begin_sk(sa, &b, exch, msgid, 1, &sk) == 0 &&
	    ikev2_put_notify(&b, 0, NULL, 0, type, data, len) == 0 && ikev2_seal(sa, &b, sk) == 0)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
}

/* A protected request: integrity and decryption, then by exchange type. */
static void protected_input(struct ikev2_sa *sa, const struct ikev2_hdr *h, const uint8_t *pkt,
                            size_t len)
{
	struct ikev2_chain c;
	uint8_t inner_np, *in;
	size_t inlen;
	if (ikev2_parse_chain(h->np, pkt, ISAKMP_HDR_LEN, len, &c, &inner_np) < 0) {
		v2.drop_malformed++;
		log_rl("IKEv2: malformed payload chain from session %u dropped", sa->s.id);
		return;
	}
	const struct ikev2_pl *sk = ikev2_find(&c, IKEV2_NP_SK);
	if (!sk && c.n == 1 && c.pl[0].type == IKEV2_NP_SKF && sa->frag) {
		/* RFC 7383 2.5: a fragment is the message's only payload */
		ikev2_frag_input(sa, h, pkt, len, &c.pl[0]);
		return;
	}
	if (!sk) {
		/* nothing comes in clear; fragments only when negotiated, alone in their message */
		v2.drop_malformed++;
		if (ikev2_find(&c, IKEV2_NP_SKF))
			v2.frag_drop++;
		log_rl("IKEv2: %s without an Encrypted payload from session %u dropped",
		       ikev2_find(&c, IKEV2_NP_SKF) ? "a fragment (not negotiated or not alone)"
		                                    : "a request", sa->s.id);
		return;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, pkt, len);
	if (ikev2_sk_open(&sa->suite, V2_EK_IN(sa), V2_AK_IN(sa), copy, len, sk->off, &in,
	                  &inlen) < 0) {
		v2.drop_integrity++;
		log_rl("IKEv2: integrity check failed on a message of session %u, dropped",
		       sa->s.id);
		free(copy);
		return;
	}
	ikev2_dispatch(sa, h, inner_np, in, inlen);
	explicit_bzero(copy, len);
	free(copy);
}

void ikev2_dispatch(struct ikev2_sa *sa, const struct ikev2_hdr *h, uint8_t inner_np,
                    const uint8_t *in, size_t inlen)
{
	/* a whole message for the ID a reassembly waited for: the peer gave fragments up */
	ikev2_frag_drop(sa);
	/* only now, with the message authentic, does it count as the next request */
	sa->next_in = h->msgid + 1;
	sa->last_rx = time(NULL);
	switch (h->exch) {
	case IKEV2_EXCH_AUTH:
		if (sa->state == V2_S_INIT_DONE)
			ikev2_auth_input(sa, h->msgid, inner_np, in, inlen);
		else if (sa->state == V2_S_EAP || sa->state == V2_S_EAP_DONE)
			ikev2_eap_input(sa, h->msgid, inner_np, in, inlen);
		else
			v2.drop_state++;
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		ikev2_info_input(sa, h->msgid, inner_np, in, inlen);
		break;
	case IKEV2_EXCH_CREATE_CHILD:
		ikev2_create_child_input(sa, h->msgid, inner_np, in, inlen);
		break;
	default:
		v2.drop_state++;
	}
}

void ikev2_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
                 const union sa46 *local, int port4500)
{
	struct ikev2_hdr h;
	static const uint8_t zero[8];
	v2.rx++;
	if (ikev2_parse_hdr(pkt, len, &h) < 0) {
		v2.drop_malformed++;
		log_rl("malformed IKEv2 datagram (%zu bytes) dropped", len);
		return;
	}
	/* tagged with the SA it is for, when known: its identity passes a username condition */
	struct ikev2_sa *known = by_spi(h.spi_i, h.spi_r);
	ikev2_dbg_pkt(known && sa46_same_addr(&known->s.peer, peer) ? V2_PEER(known) :
	              V2_PEER_OF(peer), "Received", pkt, len, peer, local);
	/* 2.2: the I flag is the IKE SA's initiator's; the peer's say it is the initiator unless
	 * we started the SA (a rekey of ours) */
	if (known && (!(h.flags & IKEV2_FLAG_I)) != known->we_init) {
		v2.drop_malformed++;
		return;
	}
	if (h.flags & IKEV2_FLAG_R) {
		/* the answer to a request of ours */
		if (!known || known->state == V2_S_DEAD || !sa46_same_addr(&known->s.peer, peer) ||
		    !ikev2_req_response(known, &h, pkt, len))
			v2.drop_state++;
		return;
	}
	if (!known && !(h.flags & IKEV2_FLAG_I)) {
		v2.drop_malformed++;
		return;
	}
	if (h.exch == IKEV2_EXCH_SA_INIT) {
		if (memcmp(h.spi_r, zero, 8) || h.msgid != 0) {
			v2.drop_malformed++;
			return;
		}
		struct ikev2_sa *sa = by_init(h.spi_i, peer);
		if (sa) {
			/* the peer did not get our answer: the same one again, for the same request
			 * only (another offer under a reused SPIi waits for this SA to go) */
			if (sa->state == V2_S_INIT_DONE && sa->msg2 && sa->msg1 &&
			    sa->msg1_len == len && !memcmp(sa->msg1, pkt, len)) {
				ikev2_dbg_pkt(V2_PEER(sa), "Sending", sa->msg2, sa->msg2_len, local, peer);
				ike.io.send(local, peer, port4500, sa->msg2, sa->msg2_len);
			}
			else
				v2.drop_state++;
			return;
		}
		ikev2_sa_init(pkt, len, &h, peer, local, port4500);
		return;
	}
	struct ikev2_sa *sa = by_spi(h.spi_i, h.spi_r);
	if (!sa || sa->state == V2_S_DEAD) {
		v2.drop_unknown_sa++;
		log_rl("IKEv2 datagram for an unknown IKE SA dropped");
		return;
	}
	if (!sa46_same_addr(&sa->s.peer, peer)) {
		v2.drop_unknown_sa++;
		return;
	}
	if (h.msgid + 1 == sa->next_in && sa->last_resp && sa->last_resp_msgid == h.msgid) {
		/* a retransmitted request (2.1): our answer again, nothing redone; a request still
		 * being worked on (IKE_AUTH waiting for keymgr) has none yet and is dropped below.
		 * Its fragments: once per retransmission, not once per fragment (RFC 7383 2.6.1) */
		if (h.np == IKEV2_NP_SKF)
			ikev2_frag_retransmit(sa, pkt, len);
		else
			ikev2_resend_response(sa);
		return;
	}
	if (h.msgid != sa->next_in) {
		v2.drop_msgid++;
		log_rl("IKEv2 session %u: message ID %u, expected %u, dropped", sa->s.id, h.msgid,
		       sa->next_in);
		return;
	}
	/* NAT-T (2.23): the peer moved to 4500, or its NAT gave it a new port; we follow once
	 * the message proves authentic, so set these on a copy first */
	union sa46 was = sa->s.peer, was_local = sa->s.local;
	int was4500 = sa->port4500;
	if (port4500) {
		sa->port4500 = 1;
		sa46_set_port(&sa->s.peer, sa46_port(peer));
		sa->s.local = *local;
	}
	uint32_t before = sa->next_in;
	protected_input(sa, &h, pkt, len);
	/* the request may have ended the SA (a Delete): find it again before reading it */
	if ((sa = by_spi(h.spi_i, h.spi_r)) != NULL && before == sa->next_in) {
		sa->s.peer = was;
		sa->s.local = was_local;
		sa->port4500 = was4500;
	}
}

/* ---- deadlines ---- */

static void sooner(time_t *d, time_t t)
{
	if (t && (!*d || t < *d))
		*d = t;
}

/* The IKE SA's lifetime (the profile's): not rekeyed by then, it ends, as on IOS. */
static time_t hard_end(const struct ikev2_sa *sa)
{
	uint32_t life = sa->s.v2profile && sa->s.v2profile->lifetime ? sa->s.v2profile->lifetime
	                                                            : 86400;
	return sa->established_at ? sa->established_at + (time_t)life : 0;
}

static time_t deadline(const struct ikev2_sa *sa)
{
	switch (sa->state) {
	case V2_S_INIT_DONE:
		return sa->created + HALF_OPEN_SECS;
	case V2_S_ESTABLISHED:
		if (sa->s.superseded) { /* rekeyed: deleted by whoever rekeyed it, else by us */
			time_t t = sa->last_rx + REPLACED_SECS;
			sooner(&t, ikev2_req_deadline(sa));
			return t;
		}
		time_t t = ike_session_deadline(&sa->s, sa->s.start ? sa->s.start : sa->created, 1);
		sooner(&t, ikev2_dpd_deadline(sa));
		sooner(&t, ikev2_req_deadline(sa));
		if (!has_child(sa))
			sooner(&t, sa->established_at + NO_CHILD_SECS);
		if (!ikev2_req_pending(sa, V2_REQ_IKE_REKEY, 0))
			sooner(&t, sa->rekey_at);
		sooner(&t, hard_end(sa));
		return t;
	case V2_S_DEAD:
		return 0;
	case V2_S_EAP:
	case V2_S_EAP_RADIUS:
	case V2_S_EAP_DONE:
		/* a person may be typing: each EAP round has the profile's eap timeout */
		return sa->last_rx + (sa->s.v2profile && sa->s.v2profile->eap_timeout
		                      ? sa->s.v2profile->eap_timeout : EAP_SECS);
	default:
		return sa->created + AUTH_SECS;
	}
}

void ikev2_rearm(struct ikev2_sa *sa)
{
	time_t t = deadline(sa);
	if (t)
		tmr_arm(&v2.timers, &sa->tmr, t);
	else
		tmr_cancel(&v2.timers, &sa->tmr);
}

void ikev2_tick(time_t now)
{
	struct tmr *t;
	while ((t = tmr_pop_due(&v2.timers, now)) != NULL) {
		struct ikev2_sa *sa = (struct ikev2_sa *)((char *)t - offsetof(struct ikev2_sa, tmr));
		if (sa->state == V2_S_ESTABLISHED && sa->s.superseded) {
			if (now >= sa->last_rx + REPLACED_SECS)
				ikev2_sa_delete(sa, "replaced by a rekey", 1);
			else if (ikev2_req_tick(sa, now))
				ikev2_rearm(sa);
			continue;
		}
		if (sa->state == V2_S_ESTABLISHED) {
			const char *why = ike_session_expired(&sa->s, sa->s.start ? sa->s.start
			                                                          : sa->created, 1, now);
			if (why) {
				ikev2_sa_delete(sa, why, 1);
				continue;
			}
			if (!has_child(sa) && now >= sa->established_at + NO_CHILD_SECS) {
				ikev2_sa_delete(sa, "no CHILD_SA", 1);
				continue;
			}
			if (now >= hard_end(sa)) {
				ikev2_sa_delete(sa, "IKE SA lifetime expired", 1);
				continue;
			}
			if (!ikev2_req_tick(sa, now))
				continue;
			if (sa->rekey_at && now >= sa->rekey_at)
				ikev2_hub_ike_rekey(sa);
			ikev2_dpd_tick(sa, now);
			ikev2_rearm(sa);
			continue;
		}
		ikev2_sa_delete(sa, sa->state == V2_S_INIT_DONE ? "no IKE_AUTH" :
		                    "IKE_AUTH not completed in time", 0);
	}
}

void ikev2_established(struct ikev2_sa *sa)
{
	settle(sa);
	sa->established_at = time(NULL);
	sa->rekey_at = ikev2_hub_rekey_at(sa);
	ikev2_rearm(sa);
}

void ikev2_shutdown(void)
{
	while (v2.all)
		ikev2_sa_delete(v2.all, "shutdown", 1);
	tmr_free(&v2.timers);
}
