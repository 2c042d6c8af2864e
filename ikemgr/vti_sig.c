/*
 * A static VTI without a pre-shared key for its destination signs (main mode rsa-sig,
 * ikev1_init_mm_sig.c): the tunnel's trust point (conf_vti_trustpoint) gives our certificate
 * and its subject as our identity, keymgr signs HASH_I for this tunnel toward this
 * destination only, and judges the peer's certificate: chained to that trust point, its ID
 * its own, the destination in its subjectAltName, SIG_R good.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init_sig.h"
#include "ikemgr/vti.h"

/* The file's rsa-sig policies in priority order, in the group of the first (one KE), if the
 * tunnel signs; else the offer stays the pre-shared key's. */
void vti_sig_offer(const struct vti *t, struct ikei_p1_params *p)
{
	const struct conf_interface *c = vti_conf(t);

	if (!c || conf_vti_has_key(vconf, c->tunnel_dst) || !conf_vti_has_sig(vconf))
		return;
	p->ntrans = 0;
	for (int k = 0; k < vconf->npolicy && p->ntrans < IKEI_OFFER_MAX; k++) {
		const struct conf_isakmp_policy *po = &vconf->policy[k];
		if (po->auth != IKE_AUTH_RSA_SIG || (p->ntrans && po->group != p->group))
			continue;
		if (!p->ntrans) {
			p->group = po->group;
			p->lifetime = po->lifetime;
		}
		p->trans[p->ntrans++] = (struct ikei_p1_trans){ po->encr, po->keylen, po->hash };
	}
	p->auth = IKE_AUTHM_RSA;
}

int vti_sig_mm3(struct vti *t, struct isakmp_buf *b)
{
	const struct conf_trustpoint *tp = conf_vti_trustpoint(vconf);
	if (!tp)
		return IKEI_E_BUILD;
	return ikei_mm3_sig(&t->sa, &t->local.sin, &t->peer.sin, tp->ca_name_der, tp->ca_name_len, b);
}

/* Message 4 is in: the keys are ours to make; HASH_I's parts go to keymgr, which computes
 * it and signs it. */
void vti_sig_keys(struct vti *t, time_t now)
{
	const struct conf_trustpoint *tp = conf_vti_trustpoint(vconf);
	struct msg_vti_sign_req *q = calloc(1, sizeof(*q));
	int rc = !q ? IKEI_E_BUILD : tp ? ikei_mm_sig_keys(&t->sa, t->dh) : IKEI_E_BUILD;

	ike_dh_free(t->dh);
	t->dh = NULL;
	if (rc == 0)
		rc = ikei_mm5_sig_parts(&t->sa, tp->subject_der, tp->subject_len, q);
	if (rc < 0) {
		free(q);
		vti_down(t, ikei_strerror(rc), 0, now);
		return;
	}
	q->sa_id = t->id;
	snprintf(q->vti, sizeof(q->vti), "%s", t->name);
	q->peer = t->peer;
	t->state = VTI_SKEYID;
	t->rtx_left = 0;
	t->next_at = now + 10;
	ike.io.to_keymgr(IMSG_VTI_SIGN_REQ, t->id, q, sizeof(*q));
	explicit_bzero(q->parts.skeyid, sizeof(q->parts.skeyid));
	free(q);
}

int vti_sign_res(uint32_t peerid, const struct msg_sign_res *r)
{
	struct vti *t = vti_by_id(peerid);
	const struct conf_trustpoint *tp;
	struct isakmp_buf b;
	time_t now = time(NULL);
	char why[160];
	int rc;

	if (!t)
		return 0;
	if (t->state != VTI_SKEYID || t->sa.auth != IKE_AUTHM_RSA)
		return 1;
	tp = conf_vti_trustpoint(vconf);
	if (r->status != 0 || !tp || r->sig_len > sizeof(r->sig)) {
		snprintf(why, sizeof(why), "keymgr did not sign: %.*s", (int)sizeof(r->reason),
		         r->reason);
		vti_down(t, why, 0, now);
		return 1;
	}
	isakmp_buf_init(&b);
	rc = ikei_mm5_sig(&t->sa, tp->cert_der, tp->cert_len, r->sig, r->sig_len, &b);
	vti_mm5_send(t, &b, rc, now);
	return 1;
}

/* Message 6 is in: its certificate, identity and SIG_R go to keymgr. */
int vti_sig_mm6(struct vti *t, uint8_t *pkt, size_t len, uint16_t *notify, time_t now)
{
	struct msg_cert_verify_req *q = calloc(1, sizeof(*q));
	int rc;

	if (!q)
		return IKEI_E_BUILD;
	if ((rc = ikei_mm6_sig(&t->sa, pkt, len, t->peer.sin.sin_addr, q, notify)) == 0) {
		q->sa_id = t->id;
		q->peer = t->peer;
		snprintf(q->vti, sizeof(q->vti), "%s", t->name);
		free(t->last);          /* answered: no more resends of message 5 */
		t->last = NULL;
		t->rtx_left = 0;
		t->next_at = now + 10;
		ike.io.to_keymgr(IMSG_CERT_VERIFY_REQ, t->id, q, sizeof(*q));
	}
	free(q);
	return rc;
}

int vti_cert_res(uint32_t peerid, const struct msg_cert_verify_res *r)
{
	struct vti *t = vti_by_id(peerid);
	time_t now = time(NULL);
	char why[256];

	if (!t)
		return 0;
	if (t->state != VTI_MM5 || t->sa.auth != IKE_AUTHM_RSA || !t->sa.idr_len || t->last)
		return 1;
	if (r->status != CERT_OK) {
		snprintf(why, sizeof(why), "certificate refused: %.*s", (int)sizeof(r->reason),
		         r->reason);
		vti_down(t, why, 1, now);
		return 1;
	}
	log_info("%s: %s is %.*s, trust point %.*s", t->name, inet_ntoa(t->peer.sin.sin_addr),
	         (int)sizeof(r->subject), r->subject, (int)sizeof(r->trustpoint), r->trustpoint);
	vti_p1_up(t, now);
	return 1;
}
