/*
 * The IKE SA table: lookup by initiator cookie (the responder cookie is ours and random, the
 * initiator's is chosen by the peer, so we hash the pair), by session id (every answer from
 * keymgr and tunmgr names one), exchanges by message id, and the
 * last-datagram bookkeeping that answers retransmitted requests with our last response.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

static unsigned cky_hash(const uint8_t cky_i[8])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 8; i++)
		h = (h ^ cky_i[i]) * 16777619u;
	return h % (sizeof(ike.hash) / sizeof(ike.hash[0]));
}

static unsigned id_hash(uint32_t id)
{
	return (id * 2654435761u) % (sizeof(ike.by_id) / sizeof(ike.by_id[0]));
}

static void id_link(struct ike_sa *sa)
{
	unsigned h = id_hash(sa->s.id);
	sa->id_next = ike.by_id[h];
	ike.by_id[h] = sa;
}

static void id_unlink(struct ike_sa *sa)
{
	for (struct ike_sa **pp = &ike.by_id[id_hash(sa->s.id)]; *pp; pp = &(*pp)->id_next)
		if (*pp == sa) {
			*pp = sa->id_next;
			break;
		}
}

static unsigned peer_hash(const union sa46 *a)
{
	return sa46_hash(a) % (sizeof(ike.by_peer) / sizeof(ike.by_peer[0]));
}

struct ike_sa *ike_sa_peer_chain(const union sa46 *a)
{
	return ike.by_peer[peer_hash(a)];
}

void ike_sa_set_id(struct ike_sa *sa, uint32_t id)
{
	id_unlink(sa);
	sa->s.id = id;
	id_link(sa);
}

/*
 * The session's ops (session.h) for a session embedded in an IKEv1 SA. Only ike_sa_new()
 * installs them, so the session they are given is always the s of a struct ike_sa.
 */
static struct ike_sa *sa_of(struct ike_session *s)
{
	return (struct ike_sa *)((char *)s - offsetof(struct ike_sa, s));
}

static void op_rearm(struct ike_session *s)
{
	ike_sa_rearm(sa_of(s));
}

static void op_delete_children(struct ike_session *s, const uint32_t *spi_in, int n)
{
	ikev1_delete_children(sa_of(s), spi_in, n);
}

static void op_ike_spis(const struct ike_session *s, uint8_t spi_i[8], uint8_t spi_r[8])
{
	const struct ike_sa *sa = (const struct ike_sa *)((const char *)s -
	                                                  offsetof(struct ike_sa, s));
	memcpy(spi_i, sa->cky_i, 8);
	memcpy(spi_r, sa->cky_r, 8);
}

static void op_sync(struct ike_session *s)
{
	ike_report_sync(sa_of(s));
}

const struct ike_session_ops ikev1_session_ops = {
	.rearm = op_rearm,
	.delete_children = op_delete_children,
	.ike_spis = op_ike_spis,
	.sync = op_sync,
};

struct ike_sa *ike_sa_new(const uint8_t cky_i[8], const union sa46 *peer,
                          const union sa46 *local)
{
	/* room in the deadline heap now, so that arming it never fails */
	if (tmr_reserve(&ike.timers, (size_t)ike.nsa + 1) < 0)
		return NULL;
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->s.ops = &ikev1_session_ops;
	memcpy(sa->cky_i, cky_i, 8);
	do {
		ike_random(sa->cky_r, 8);
	} while (ike_sa_find(cky_i, sa->cky_r));
	sa->s.peer = *peer;
	sa->s.local = *local;
	sa->s.id = ++ike.next_id;
	if (sa->s.id == 0)
		sa->s.id = ++ike.next_id;
	sa->created = sa->last_rx = time(NULL);
	unsigned h = cky_hash(cky_i);
	sa->next = ike.hash[h];
	ike.hash[h] = sa;
	sa->all_next = ike.all;
	if (ike.all)
		ike.all->all_pprev = &sa->all_next;
	sa->all_pprev = &ike.all;
	ike.all = sa;
	id_link(sa);
	unsigned ph = peer_hash(&sa->s.peer);
	sa->peer_next = ike.by_peer[ph];
	ike.by_peer[ph] = sa;
	ike.nsa++;
	adm_sa_new(sa);
	ike_sa_rearm(sa);
	return sa;
}

struct ike_sa *ike_sa_find(const uint8_t cky_i[8], const uint8_t cky_r[8])
{
	for (struct ike_sa *sa = ike.hash[cky_hash(cky_i)]; sa; sa = sa->next)
		if (!memcmp(sa->cky_i, cky_i, 8) && !memcmp(sa->cky_r, cky_r, 8))
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_by_id(uint32_t id)
{
	for (struct ike_sa *sa = ike.by_id[id_hash(id)]; sa; sa = sa->id_next)
		if (sa->s.id == id)
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_find_first(const uint8_t cky_i[8], const union sa46 *peer)
{
	for (struct ike_sa *sa = ike.hash[cky_hash(cky_i)]; sa; sa = sa->next)
		if (!memcmp(sa->cky_i, cky_i, 8) && sa46_same_addr(&sa->s.peer, peer) &&
		    sa->state <= IKE_S_WAIT_HASH_I)
			return sa;
	return NULL;
}

void ike_exch_free(struct ike_sa *sa, struct ike_exch *x)
{
	(void)sa;
	if (x->qm) {
		if (x->qm->dh)
			ike_dh_free(x->qm->dh);
		explicit_bzero(x->qm, sizeof(*x->qm));
		free(x->qm);
	}
	memset(x, 0, sizeof(*x));
}

void ike_sa_delete(struct ike_sa *sa, const char *reason, int notify_peer)
{
	if (notify_peer && sa->state >= IKE_S_XAUTH_REQ_SENT && sa->state != IKE_S_DEAD)
		ikev1_send_delete_all(sa);
	if (sa->state != IKE_S_DEAD)
		ikev1_session_gone(sa, reason);

	unsigned h = cky_hash(sa->cky_i);
	for (struct ike_sa **pp = &ike.hash[h]; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	*sa->all_pprev = sa->all_next;
	if (sa->all_next)
		sa->all_next->all_pprev = sa->all_pprev;
	id_unlink(sa);
	for (struct ike_sa **pp = &ike.by_peer[peer_hash(&sa->s.peer)]; *pp;
	     pp = &(*pp)->peer_next)
		if (*pp == sa) {
			*pp = sa->peer_next;
			break;
		}
	adm_sa_settled(sa);
	ike.nsa--;
	for (int i = 0; i < IKE_MAX_EXCH; i++)
		if (sa->exch[i].kind)
			ike_exch_free(sa, &sa->exch[i]);
	if (sa->dh)
		ike_dh_free(sa->dh);
	free(sa->sai_b);
	free(sa->last_out);
	free(sa->held);
	free(sa->pending_qm);
	free(sa->pending_cfg);
	tmr_cancel(&ike.timers, &sa->tmr);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

struct ike_exch *ike_exch_find(struct ike_sa *sa, uint32_t msgid)
{
	for (int i = 0; i < IKE_MAX_EXCH; i++)
		if (sa->exch[i].kind && sa->exch[i].msgid == msgid)
			return &sa->exch[i];
	return NULL;
}

struct ike_exch *ike_exch_new(struct ike_sa *sa, int kind, uint32_t msgid)
{
	struct ike_exch *oldest = NULL;
	for (int i = 0; i < IKE_MAX_EXCH; i++) {
		if (!sa->exch[i].kind) {
			oldest = &sa->exch[i];
			break;
		}
		if (!oldest || sa->exch[i].started < oldest->started)
			oldest = &sa->exch[i];
	}
	/* All slots busy: the oldest exchange is stale by now; reuse its slot. */
	if (oldest->kind)
		ike_exch_free(sa, oldest);
	oldest->kind = kind;
	oldest->msgid = msgid;
	oldest->started = time(NULL);
	ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, oldest->iv);
	return oldest;
}

void ike_sa_remember_out(struct ike_sa *sa, const uint8_t *pkt, size_t len, int retransmit)
{
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, pkt, len);
	free(sa->last_out);
	sa->last_out = copy;
	sa->last_out_len = len;
	sa->retrans_left = retransmit ? 3 : 0;
	sa->retrans_at = time(NULL) + 5;
	ike_sa_rearm(sa);
}
