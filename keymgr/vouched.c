/*
 * keymgr signs with a trust point's key only for an IKE SA whose peer certificate it has
 * checked, once, and only the HASH_R it computes itself from the parts it checked the peer's
 * HASH_I with (hash.c) and our own subject as IDir. Without this, whoever controls ikemgr
 * could have any value signed with the hub's key, and present the signature elsewhere as the
 * hub's; with it, only a PRF output of an exchange whose initiator signed its half.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

#define VOUCHED_MAX 4096        /* SAs between MM5 and MM6: a few per peer in flight */

struct vouched {
	struct vouched *next;
	uint32_t sa_id;
	int32_t  auth_method;
	char     trustpoint[MSG_TP_MAX];
	struct msg_hash_parts parts;    /* HASH_R's, but our IDir */
};

static struct vouched *list;
static int nlist;

static struct vouched **find(uint32_t sa_id)
{
	struct vouched **pp = &list;
	while (*pp && (*pp)->sa_id != sa_id)
		pp = &(*pp)->next;
	return pp;
}

static void drop(struct vouched **pp)
{
	struct vouched *v = *pp;
	*pp = v->next;
	explicit_bzero(v, sizeof(*v));
	free(v);
	nlist--;
}

void keymgr_verify_q(const struct vpnd_conf *c, const struct msg_cert_verify_req *rq,
                     struct msg_cert_verify_res *res)
{
	struct msg_cert_verify_req *q;

	if (rq->vti[0]) {
		keymgr_vti_verify(c, rq, res);  /* we signed first: nothing to vouch for */
		return;
	}
	struct vouched **pp = find(rq->sa_id);
	if (*pp)
		drop(pp);               /* a second check replaces the first */
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = CERT_ERROR;
	/* SIG_I is checked over the HASH_I computed here */
	if (!(q = malloc(sizeof(*q)))) {
		snprintf(res->reason, sizeof(res->reason), "out of memory");
		return;
	}
	*q = *rq;
	if (rq->id_len > sizeof(rq->id) ||
	    hash_from_parts(&rq->parts, 0, rq->id, rq->id_len, q->hash, &q->hash_len) < 0) {
		free(q);
		snprintf(res->reason, sizeof(res->reason), "malformed HASH_I parts");
		log_warnx("SA %u: certificate check refused: %s", rq->sa_id, res->reason);
		return;
	}
	keymgr_cert_verify(c, q, res);
	free(q);
	if (res->status != CERT_OK)
		return;
	if (nlist >= VOUCHED_MAX) {
		struct vouched **last = &list;
		while ((*last)->next)
			last = &(*last)->next;
		drop(last);             /* the oldest: its exchange has long timed out */
	}
	struct vouched *v = calloc(1, sizeof(*v));
	if (!v)
		fatal("calloc");
	v->sa_id = rq->sa_id;
	v->auth_method = rq->auth_method;
	v->parts = rq->parts;
	snprintf(v->trustpoint, sizeof(v->trustpoint), "%s", res->trustpoint);
	v->next = list;
	list = v;
	nlist++;
}

/* May the hub sign with tp for a peer that tp_peer vouched for? The same trust point, or
 * two that one isakmp profile names together (an RSA and an ECDSA one). */
static int tp_allowed(const struct vpnd_conf *c, const char *tp, const char *tp_peer)
{
	if (!strcmp(tp, tp_peer))
		return 1;
	for (int k = 0; k < c->nprofile; k++)
		if (conf_profile_has_tp(&c->profile[k], tp) &&
		    conf_profile_has_tp(&c->profile[k], tp_peer))
			return 1;
	return 0;
}

void keymgr_sign_q(const struct vpnd_conf *c, const struct msg_sign_req *rq,
                   struct msg_sign_res *res)
{
	char tp[MSG_TP_MAX + 1];
	struct vouched **pp = find(rq->sa_id);
	struct msg_sign_req q;

	memcpy(tp, rq->trustpoint, MSG_TP_MAX);
	tp[MSG_TP_MAX] = 0;
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = -1;
	if (!*pp) {
		snprintf(res->reason, sizeof(res->reason), "no certificate was checked for this SA");
	} else if (rq->auth_method != (*pp)->auth_method) {
		snprintf(res->reason, sizeof(res->reason), "method %d is not the SA's (%d)",
		         rq->auth_method, (*pp)->auth_method);
	} else if (!tp_allowed(c, tp, (*pp)->trustpoint)) {
		snprintf(res->reason, sizeof(res->reason), "trust point '%.40s' does not serve peers "
		         "of '%.40s'", tp, (*pp)->trustpoint);
	} else if (rq->idr_len > sizeof(rq->idr) ||
	           !hash_id_is_subject(conf_find_trustpoint(c, tp), rq->idr, rq->idr_len)) {
		snprintf(res->reason, sizeof(res->reason), "IDir is not trust point '%.40s''s "
		         "subject", tp);
	} else {
		q = *rq;
		if (hash_from_parts(&(*pp)->parts, 1, rq->idr, rq->idr_len, q.hash,
		                    &q.hash_len) < 0) {
			snprintf(res->reason, sizeof(res->reason), "cannot compute HASH_R");
		} else {
			drop(pp);       /* once */
			keymgr_cert_sign(c, &q, res);
			explicit_bzero(&q, sizeof(q));
			return;
		}
	}
	log_warnx("SA %u: signature refused: %s", rq->sa_id, res->reason);
	if (*pp)
		drop(pp);               /* a bad request spends the SA's chance */
}
