/*
 * Our own requests on an IKE SA (RFC 7296 2.1-2.3): liveness checks, Deletes, and the rekeys
 * we start. The window is one (the smallest every peer supports): one request in flight under
 * the message ID next_out, the others queued in order and built only when their turn comes,
 * since the message ID and, for a rekey, the SA's state then are what they carry.
 *
 * A request is sent again as it was, on a backoff (liveness checks: every `dpd` RETRY
 * seconds), until its answer comes or the tries run out: then the peer is dead and the SA goes
 * (a rekeyed SA of ours that the peer does not answer just goes: its session lives on).
 * An answer counts only when it is authentic and for the ID in flight; it goes to the code
 * that asked (ikev2_hubrekey.c for rekeys), then the next request leaves.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define REQ_TRIES 5             /* sends of a request: 2+4+8+16+32 s before giving up */

static const char *kind_name(int kind)
{
	switch (kind) {
	case V2_REQ_DPD:          return "liveness check";
	case V2_REQ_DELETE_CHILD: return "CHILD_SA delete";
	case V2_REQ_DELETE_IKE:   return "IKE SA delete";
	case V2_REQ_CHILD_REKEY:  return "CHILD_SA rekey";
	case V2_REQ_IKE_REKEY:    return "IKE SA rekey";
	default:                  return "request";
	}
}

struct ikev2_req *ikev2_req_new(int kind)
{
	struct ikev2_req *r = calloc(1, sizeof(*r));
	if (r)
		r->kind = kind;
	return r;
}

static void req_free(struct ikev2_req *r)
{
	if (!r)
		return;
	if (r->dh)
		ike_dh_free(r->dh);
	free(r->pkt);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

static time_t backoff(const struct ikev2_sa *sa, const struct ikev2_req *r)
{
	if (r->kind == V2_REQ_DPD)
		return ikev2_dpd_retry(sa);
	return (time_t)2 << (r->tries > 1 ? r->tries - 1 : 0);
}

static int build(struct ikev2_sa *sa, struct ikev2_req *r)
{
	struct isakmp_buf b;
	size_t sk;
	int ok = 0;
	uint8_t exch = r->kind == V2_REQ_CHILD_REKEY || r->kind == V2_REQ_IKE_REKEY
	               ? IKEV2_EXCH_CREATE_CHILD : IKEV2_EXCH_INFORMATIONAL;
	isakmp_buf_init(&b);
	if (ikev2_begin_sk(sa, &b, exch, r->msgid, 0, &sk) == 0) {
		switch (r->kind) {
		case V2_REQ_DPD:
			ok = 1;
			break;
		case V2_REQ_DELETE_CHILD:
			ok = ikev2_put_delete(&b, IKEV2_PROTO_ESP, 4, r->nspis,
			                      (const uint8_t *)r->spis) == 0;
			break;
		case V2_REQ_DELETE_IKE:
			ok = ikev2_put_delete(&b, IKEV2_PROTO_IKE, 0, 0, NULL) == 0;
			break;
		default:
			ok = ikev2_hub_build(sa, r, &b) == 0;
		}
	}
	if (ok && ikev2_seal(sa, &b, sk) == 0 && (r->pkt = malloc(b.len)) != NULL) {
		memcpy(r->pkt, b.data, b.len);
		r->len = b.len;
	} else {
		ok = 0;
	}
	isakmp_buf_free(&b);
	return ok ? 0 : -1;
}

/* The next queued request goes out if none is in flight. */
static void send_next(struct ikev2_sa *sa)
{
	while (!sa->req && sa->req_queue && sa->state == V2_S_ESTABLISHED) {
		struct ikev2_req *r = sa->req_queue;
		sa->req_queue = r->next;
		r->next = NULL;
		r->msgid = sa->next_out;
		if (build(sa, r) < 0) {
			log_dbg(DBG_IKEV2_INT, V2_PEER(sa), "IKEv2 session %u: %s not sent (nothing "
			        "left to ask, or not built)", sa->s.id, kind_name(r->kind));
			if (r->kind == V2_REQ_CHILD_REKEY)
				ikev2_hub_answer(sa, r, NULL);  /* forgets the rekey under way */
			req_free(r);
			continue;
		}
		sa->req = r;
		r->tries = 1;
		r->due = time(NULL) + backoff(sa, r);
		log_dbg(DBG_IKEV2_INT, V2_PEER(sa), "IKEv2 session %u: %s sent, message ID %u",
		        sa->s.id, kind_name(r->kind), r->msgid);
		ikev2_send_raw(sa, r->pkt, r->len);
	}
	ikev2_rearm(sa);
}

int ikev2_req_queue(struct ikev2_sa *sa, struct ikev2_req *r)
{
	if (sa->state != V2_S_ESTABLISHED) {
		req_free(r);
		return -1;
	}
	struct ikev2_req **pp = &sa->req_queue;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	send_next(sa);
	return 0;
}

static int matches(const struct ikev2_req *r, int kind, uint32_t spi)
{
	return r->kind == kind && (kind != V2_REQ_CHILD_REKEY || r->spis[0] == spi);
}

int ikev2_req_pending(const struct ikev2_sa *sa, int kind, uint32_t spi)
{
	if (sa->req && matches(sa->req, kind, spi))
		return 1;
	for (const struct ikev2_req *r = sa->req_queue; r; r = r->next)
		if (matches(r, kind, spi))
			return 2;
	return 0;
}

int ikev2_req_unqueue_rekey(struct ikev2_sa *sa, uint32_t spi)
{
	for (struct ikev2_req **pp = &sa->req_queue; *pp; pp = &(*pp)->next)
		if (matches(*pp, V2_REQ_CHILD_REKEY, spi)) {
			struct ikev2_req *r = *pp;
			*pp = r->next;
			req_free(r);
			return 1;
		}
	return 0;
}

time_t ikev2_req_deadline(const struct ikev2_sa *sa)
{
	return sa->req ? sa->req->due : 0;
}

int ikev2_req_tick(struct ikev2_sa *sa, time_t now)
{
	struct ikev2_req *r = sa->req;
	if (!r || now < r->due)
		return 1;
	int most = r->kind == V2_REQ_DPD ? IKEV2_DPD_TRIES : REQ_TRIES;
	if (r->tries >= most) {
		if (sa->s.superseded) {
			ikev2_sa_delete(sa, "replaced by a rekey (our delete was not answered)", 0);
			return 0;
		}
		if (r->kind == V2_REQ_DPD)
			log_info("IKEv2 session %u ('%s'): the peer did not answer DPD, declared dead",
			         sa->s.id, sa->s.user);
		else
			log_info("IKEv2 session %u ('%s'): the peer did not answer our %s, declared "
			         "dead", sa->s.id, sa->s.user, kind_name(r->kind));
		ikev2_sa_delete(sa, r->kind == V2_REQ_DPD ? "DPD" : "no answer to our request", 0);
		return 0;
	}
	r->tries++;
	r->due = now + backoff(sa, r);
	ikev2_send_raw(sa, r->pkt, r->len);
	return 1;
}

/* The peer's Delete answer: with our own rekey's delete, the pairs go now, from the session
 * wherever it is (the peer may have rekeyed the IKE SA since the Delete left). */
static void delete_answered(struct ikev2_sa *sa, const struct ikev2_req *r)
{
	struct ikev2_sa *o = sa->s.superseded ? ikev2_sa_by_id(sa->successor) : sa;
	if (!r->remove || !o)
		return;
	for (int k = 0; k < r->nspis; k++)
		for (int i = 0; i < IKE_MAX_CHILD; i++) {
			struct ike_child *c = &o->s.child[i];
			if (c->used && c->spi_in == r->spis[k])
				ike_child_remove(&o->s, c, "rekeyed");
		}
}

int ikev2_req_response(struct ikev2_sa *sa, const struct ikev2_hdr *h, const uint8_t *pkt,
                       size_t len)
{
	struct ikev2_req *r = sa->req;
	struct ikev2_chain c, inner;
	uint8_t inner_np, np2, *in;
	size_t inlen;
	const struct ikev2_pl *sk;
	if (!r || h->msgid != r->msgid ||
	    h->exch != (r->kind == V2_REQ_CHILD_REKEY || r->kind == V2_REQ_IKE_REKEY
	                ? IKEV2_EXCH_CREATE_CHILD : IKEV2_EXCH_INFORMATIONAL))
		return 0;
	if (ikev2_parse_chain(h->np, pkt, ISAKMP_HDR_LEN, len, &c, &inner_np) < 0 ||
	    !(sk = ikev2_find(&c, IKEV2_NP_SK)))
		return 0;
	uint8_t *copy = malloc(len);
	if (!copy)
		return 0;
	memcpy(copy, pkt, len);
	if (ikev2_sk_open(&sa->suite, V2_EK_IN(sa), V2_AK_IN(sa), copy, len, sk->off, &in,
	                  &inlen) < 0) {
		v2.drop_integrity++;
		explicit_bzero(copy, len);
		free(copy);
		return 0;
	}
	/* authentic: the request is answered, whatever the answer says */
	sa->req = NULL;
	sa->next_out++;
	sa->last_rx = time(NULL);
	int alive = 1;
	if (ikev2_parse_chain(inner_np, in, 0, inlen, &inner, &np2) < 0 || np2) {
		v2.drop_malformed++;
		log_rl("IKEv2 session %u: malformed answer to our %s", sa->s.id, kind_name(r->kind));
		if (r->kind == V2_REQ_CHILD_REKEY || r->kind == V2_REQ_IKE_REKEY)
			alive = ikev2_hub_answer(sa, r, NULL);
	} else {
		switch (r->kind) {
		case V2_REQ_DPD:
			break;
		case V2_REQ_DELETE_CHILD:
			delete_answered(sa, r);
			break;
		case V2_REQ_DELETE_IKE:
			ikev2_sa_delete(sa, "replaced by our rekey", 0);
			alive = 0;
			break;
		default:
			alive = ikev2_hub_answer(sa, r, &inner);
		}
	}
	explicit_bzero(copy, len);
	free(copy);
	req_free(r);
	if (alive)
		send_next(sa);
	return 1;
}

void ikev2_req_free_all(struct ikev2_sa *sa)
{
	req_free(sa->req);
	sa->req = NULL;
	while (sa->req_queue) {
		struct ikev2_req *r = sa->req_queue;
		sa->req_queue = r->next;
		req_free(r);
	}
}

void ikev2_req_move(struct ikev2_sa *to, struct ikev2_sa *from)
{
	struct ikev2_req **pp = &to->req_queue;
	while (*pp)
		pp = &(*pp)->next;
	while (from->req_queue) {
		struct ikev2_req *r = from->req_queue;
		from->req_queue = r->next;
		r->next = NULL;
		if (r->kind == V2_REQ_IKE_REKEY || r->kind == V2_REQ_DPD) {
			req_free(r);    /* the new SA has its own clock and is alive */
			continue;
		}
		*pp = r;
		pp = &r->next;
	}
	send_next(to);
}

void ikev2_delete_children(struct ikev2_sa *sa, const uint32_t *spi_in, int n, int remove)
{
	while (n > 0) {
		struct ikev2_req *r = ikev2_req_new(V2_REQ_DELETE_CHILD);
		if (!r)
			return;
		r->remove = remove;
		for (; n > 0 && r->nspis < IKE_MAX_CHILD; n--)
			r->spis[r->nspis++] = *spi_in++;
		if (ikev2_req_queue(sa, r) < 0)
			return;
	}
}
