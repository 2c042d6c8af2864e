/*
 * Quick mode as initiator: the hub rekeys an IPsec SA that reached its soft lifetime (85-90 %
 * of the time or kilobytes agreed, see ikev1_qm_install), as IOS does, so that a client which
 * never rekeys on its own (and one whose timer is later than ours) keeps its tunnel.
 *   R: HDR*, HASH(1), SA, Nr [, KE] [, IDci, IDcr]      (we are the initiator here)
 *   I: HDR*, HASH(2), SA, Ni [, KE] [, IDci, IDcr]
 *   R: HDR*, HASH(3)
 * The proposal repeats what the peer agreed to last time: the same transform, PFS group and
 * identities (ours first, as the initiator's). The old SA pair stays in tunmgr until the new
 * one carries traffic; its IKE SA's deadline deletes it a little later.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "common/alg.h"

#define REKEY_GIVE_UP 30        /* seconds without an answer */
#define REPLACED_KEEP 10        /* seconds a replaced IPsec SA stays, unless the peer deletes it */

static uint32_t new_msgid(void)
{
	uint32_t id = 0;
	while (id == 0)
		ike_random((uint8_t *)&id, sizeof(id));
	return id;
}

static int fill_qm1(struct isakmp_buf *b, void *arg)
{
	const struct ike_qm *qm = arg;
	const struct ike_child *c = &qm->child;
	int rc = isakmp_put_sa_p2(b, 1, c->spi_in, &c->trans, c->lifetime);
	if (!rc)
		rc = isakmp_put_payload(b, ISAKMP_NP_NONCE, qm->ni, qm->nilen);
	if (!rc && qm->dh)
		rc = isakmp_put_payload(b, ISAKMP_NP_KE, qm->gqm, qm->gqmlen);
	if (!rc && c->id_peer_len) {
		rc = isakmp_put_payload(b, ISAKMP_NP_ID, c->id_ours, c->id_ours_len);
		if (!rc)
			rc = isakmp_put_payload(b, ISAKMP_NP_ID, c->id_peer, c->id_peer_len);
	}
	return rc;
}

void ikev1_rekey_start(struct ike_sa *sa, struct ike_child *c)
{
	if (c->rekeying || c->replaced_at || !c->trans.id || sa->state != IKE_S_ESTABLISHED ||
	    sa->s.superseded || !sa->k.blocklen)
		return;
	struct ike_qm *qm = calloc(1, sizeof(*qm));
	if (!qm)
		return;
	qm->child = *c;
	qm->child.used = 0;
	qm->child.installed = 0;
	qm->child.spi_out = 0;
	qm->old_child = (int)(c - sa->s.child);
	do {
		ike_random((uint8_t *)&qm->child.spi_in, 4);
	} while (ntohl(qm->child.spi_in) < 256);
	qm->nilen = 32;
	ike_random(qm->ni, qm->nilen);
	if (c->pfs_group) {
		qm->gqmlen = ike_dh_publen(c->pfs_group);
		qm->dh = ike_dh_new(c->pfs_group);
		if (!qm->dh || ike_dh_public(qm->dh, qm->gqm, qm->gqmlen) < 0) {
			if (qm->dh)
				ike_dh_free(qm->dh);
			free(qm);
			return;
		}
	}
	struct ike_exch *x = ike_exch_new(sa, EXCH_QUICK_I, new_msgid());
	x->qm = qm;
	if (ikev1_send_protected(sa, ISAKMP_EXCH_QUICK, x->msgid, x->iv, NULL, 0, fill_qm1, qm,
	                         1) < 0) {
		log_rl("session %u: cannot start the rekey of IPsec SA %08x", sa->s.id,
		       ntohl(c->spi_in));
		ike_exch_free(sa, x);
		return;
	}
	c->rekeying = 1;
	ike_sa_rearm(sa);       /* give up after REKEY_GIVE_UP */
	log_info("session %u: IPsec SA %08x reached its soft lifetime, hub starts a rekey",
	         sa->s.id, ntohl(c->spi_in));
}

/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) alone in the last message. */
static int send_qm3(struct ike_sa *sa, struct ike_exch *x)
{
	uint8_t zero = 0, h[64];
	struct iovec iov[4] = {
		{ &zero, 1 }, { &x->msgid, 4 }, { x->qm->ni, x->qm->nilen }, { x->qm->nr, x->qm->nrlen },
	};
	struct isakmp_buf b;
	int rc = -1;
	if (ike_prf(sa->hash, sa->k.skeyid_a, sa->k.prf_len, iov, 4, h) < 0)
		return -1;
	isakmp_buf_init(&b);
	if (!isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_QUICK, 0, x->msgid) &&
	    !isakmp_put_payload(&b, ISAKMP_NP_HASH, h, sa->k.prf_len))
		rc = ikev1_send_encrypted(sa, &b, x->iv, 0);
	isakmp_buf_free(&b);
	return rc;
}

void ikev1_rekey_input(struct ike_sa *sa, struct ike_exch *x, const struct isakmp_msg *m)
{
	struct ike_qm *qm = x->qm;
	if (!qm || qm->nrlen) {
		ike.st.drop_state++;
		return;
	}
	/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr]) */
	if (ikev1_verify_hash(sa, m, qm->ni, qm->nilen) < 0) {
		ike.st.drop_hash++;
		log_rl("session %u: rekey answer with a bad HASH(2) dropped", sa->s.id);
		return;
	}
	const struct isakmp_payload *psa = NULL, *pn = NULL, *pke = NULL;
	for (int i = 1; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type == ISAKMP_NP_SA && !psa)
			psa = p;
		else if (p->type == ISAKMP_NP_NONCE && !pn)
			pn = p;
		else if (p->type == ISAKMP_NP_KE && !pke)
			pke = p;
	}
	struct isakmp_sa sap;
	struct ike_child *old = &sa->s.child[qm->old_child];
	if (!psa || !pn || pn->len < 8 || pn->len > IKE_NONCE_MAX ||
	    isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.nprop != 1 ||
	    sap.prop[0].proto != ISAKMP_PROTO_IPSEC_ESP || sap.prop[0].spi_len != 4 ||
	    sap.prop[0].ntrans != 1 || sap.prop[0].trans[0].id != qm->child.trans.id ||
	    (qm->dh && (!pke || pke->len != qm->gqmlen)) || (!qm->dh && pke)) {
		ike.st.drop_malformed++;
		log_rl("session %u: rekey answer does not match what we proposed", sa->s.id);
		old->rekeying = 0;
		ike_exch_free(sa, x);
		return;
	}
	sa->retrans_left = 0;
	memcpy(&qm->child.spi_out, sap.prop[0].spi, 4);
	memcpy(qm->nr, pn->body, pn->len);
	qm->nrlen = pn->len;
	if (pke) {
		memcpy(qm->gqm_i, pke->body, pke->len);
		qm->gqm_ilen = pke->len;
	}
	/* a responder may shorten the lifetime in its SA (RFC 2407 4.5) */
	const struct isakmp_attr *lt = isakmp_trans_attr(&sap.prop[0].trans[0],
	                                                 IPSEC_ATTR_SA_LIFE_TYPE);
	const struct isakmp_attr *ld = isakmp_trans_attr(&sap.prop[0].trans[0],
	                                                 IPSEC_ATTR_SA_LIFE_DURATION);
	if (lt && ld && lt->value == 1 && ld->value && ld->value < qm->child.lifetime)
		qm->child.lifetime = (uint32_t)ld->value;

	struct ike_p2_choice ch = {
		.encr = qm->child.encr, .keylen = qm->child.keylen, .auth = qm->child.auth,
		.pfs_group = qm->child.pfs_group, .encap_mode = qm->child.encap_mode,
		.life_seconds = qm->child.lifetime, .life_kb = qm->child.life_kb,
	};
	/* HASH(3) waits for tunmgr's acknowledgement, like our quick mode answers do */
	sa->hold_next = 1;
	sa->held_spi = qm->child.spi_in;
	if (ikev1_qm_install(sa, qm, &ch) < 0 || send_qm3(sa, x) < 0) {
		sa->hold_next = 0;
		log_rl("session %u: cannot finish the rekey", sa->s.id);
		old->rekeying = 0;
		ike_exch_free(sa, x);
		return;
	}
	old->rekeying = 0;
	ikev1_child_added(sa, &qm->child);
	log_info("session %u: IPsec SA in %08x out %08x (%s%s, %u s), rekey started by the hub",
	         sa->s.id, ntohl(qm->child.spi_in), ntohl(qm->child.spi_out),
	         esp_transform_name(ch.encr, ch.keylen, ch.auth), ch.pfs_group ? ", PFS" : "",
	         ch.life_seconds);
	ike_exch_free(sa, x);
}

/* When rekey_tick next has something to do (see ike_deadline.c); 0: nothing pending. */
time_t ikev1_rekey_deadline(const struct ike_sa *sa)
{
	time_t d = 0;
	for (int i = 0; i < IKE_MAX_EXCH; i++) {
		const struct ike_exch *x = &sa->exch[i];
		if (x->kind == EXCH_QUICK_I && (!d || x->started + REKEY_GIVE_UP < d))
			d = x->started + REKEY_GIVE_UP;
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		const struct ike_child *c = &sa->s.child[i];
		if (c->used && c->replaced_at && (!d || c->replaced_at + REPLACED_KEEP < d))
			d = c->replaced_at + REPLACED_KEEP;
	}
	return d;
}

/* At an SA's deadline: rekeys nobody answered, and replaced SAs whose time is up. */
void ikev1_rekey_tick(struct ike_sa *sa, time_t now)
{
	for (int i = 0; i < IKE_MAX_EXCH; i++) {
		struct ike_exch *x = &sa->exch[i];
		if (x->kind == EXCH_QUICK_I && now - x->started >= REKEY_GIVE_UP) {
			if (x->qm && x->qm->old_child >= 0 && x->qm->old_child < IKE_MAX_CHILD)
				sa->s.child[x->qm->old_child].rekeying = 0;
			log_info("session %u: peer did not answer the rekey; the SA lives until its "
			         "hard lifetime", sa->s.id);
			ike_exch_free(sa, x);
		}
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		/* the peer usually deletes what it replaced; else we do, once the new SA is in use */
		if (c->used && c->replaced_at && now - c->replaced_at >= REPLACED_KEEP) {
			ikev1_send_delete_child(sa, c);
			log_info("session %u: replaced IPsec SA %08x deleted", sa->s.id, ntohl(c->spi_in));
			ike_child_remove(&sa->s, c, "replaced");
		}
	}
}
