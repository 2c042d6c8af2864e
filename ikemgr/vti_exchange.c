/*
 * Static VTIs: the exchanges as the destination answers them (main mode, quick mode, its
 * informational messages, its rekey answers) and keymgr's and tunmgr's answers in between.
 * ikemgr never sees the pre-shared key: keymgr computes SKEYID, for the tunnel's destination
 * only.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/vti.h"
#include "common/alg.h"

/* The ESP proposals: the tunnel's ipsec profile's transform sets, in order. */
static void p2_offer(const struct vti *t, struct ikei_qm *q)
{
	const struct conf_interface *c = vti_conf(t);
	const struct conf_ipsec_profile *pr = c ? conf_find_ipsec_profile(vconf, c->protection)
	                                        : NULL;
	q->nprop = 0;
	for (int k = 0; pr && k < pr->ntset && q->nprop < IKEI_OFFER_MAX; k++) {
		const struct conf_transform_set *ts = conf_find_tset(vconf, pr->tset[k]);
		if (ts)
			q->prop[q->nprop++] = (struct ikei_p2_prop){ ts->encr, ts->keylen, ts->auth };
	}
	q->life = pr && pr->lifetime_seconds ? pr->lifetime_seconds
	          : vconf->sa_lifetime_seconds ? vconf->sa_lifetime_seconds : 3600;
	q->idci_any = 1;
	q->udp = t->sa.nat_detected;
	/* set pfs: a key pair of its own for each quick mode */
	if (pr && pr->pfs_group && (q->pfs_dh = ike_dh_new(pr->pfs_group)))
		q->pfs_group = pr->pfs_group;
	else if (pr && pr->pfs_group)
		log_warnx("%s: DH group %d for PFS unavailable", t->name, pr->pfs_group);
}

static int vti_pfs_wanted(const struct vti *t)
{
	const struct conf_interface *c = vti_conf(t);
	const struct conf_ipsec_profile *pr = c ? conf_find_ipsec_profile(vconf, c->protection)
	                                        : NULL;
	return pr && pr->pfs_group;
}

static int start_qm(struct vti *t, struct ikei_qm *q, time_t now)
{
	struct isakmp_buf b;
	static const struct in_addr any;

	ike_dh_free(q->pfs_dh);
	memset(q, 0, sizeof(*q));
	p2_offer(t, q);
	if (!q->nprop || (!q->pfs_dh && vti_pfs_wanted(t)))
		return -1;
	isakmp_buf_init(&b);
	if (ikei_qm1(&t->sa, q, any, &b) < 0) {
		isakmp_buf_free(&b);
		return -1;
	}
	vti_send_req(t, &b, now);
	isakmp_buf_free(&b);
	return 0;
}

void vti_install(struct vti *t, const struct ikei_qm *q)
{
	const struct conf_interface *c = vti_conf(t);
	const struct conf_ipsec_profile *pr = c ? conf_find_ipsec_profile(vconf, c->protection)
	                                        : NULL;
	struct ikei_keys k;
	struct msg_sa_add *a = calloc(1, sizeof(*a));

	if (!a || ikei_keymat(&t->sa, q, &k) < 0 || k.enc_len > MSG_KEY_MAX ||
	    k.auth_len > MSG_KEY_MAX) {
		free(a);
		return;
	}
	a->session_id = t->tun_id;
	a->encap = q->udp ? ENCAP_UDP : ENCAP_RAW;
	a->peer = t->peer;
	a->local = t->local;
	a->encr = q->encr;
	a->enc_keylen = (int32_t)k.enc_len;
	a->auth = q->auth;
	a->auth_keylen = (int32_t)k.auth_len;
	a->spi_in = q->spi_in;
	a->spi_out = q->spi_out;
	memcpy(a->enckey_in, k.enc_in, k.enc_len);
	memcpy(a->enckey_out, k.enc_out, k.enc_len);
	memcpy(a->authkey_in, k.auth_in, k.auth_len);
	memcpy(a->authkey_out, k.auth_out, k.auth_len);
	/* renewed at three quarters of its life, before the peer would */
	a->hard_seconds = q->life;
	a->soft_seconds = q->life - q->life / 4;
	uint32_t kb = pr && pr->lifetime_kb ? pr->lifetime_kb : vconf->sa_lifetime_kb;
	a->hard_bytes = (uint64_t)kb * 1024;
	a->soft_bytes = a->hard_bytes - a->hard_bytes / 4;
	a->replay_window = pr && pr->replay_window ? pr->replay_window : vconf->replay_window;
	/* the selector is the peer's side: everything (sel_net, sel_mask 0) */
	ike.io.to_tunmgr(IMSG_SA_ADD, t->tun_id, a, sizeof(*a));
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* Our quick mode answered: the pair to tunmgr, HASH(3) to the peer. */
static int qm_done(struct vti *t, struct ikei_qm *q, uint8_t *pkt, size_t len, time_t now)
{
	struct isakmp_buf b;
	int rc = ikei_qm2(&t->sa, q, pkt, len);
	if (rc == IKEI_E_PROPOSAL) {
		vti_down(t, "quick mode answer chose a transform we did not offer", 1, now);
		return -1;
	}
	isakmp_buf_init(&b);
	if (rc < 0 || ikei_qm3(&t->sa, q, &b) < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_malformed++;
		return -1;
	}
	vti_install(t, q);
	ike_dh_free(q->pfs_dh);         /* its part is done: KEYMAT is made */
	q->pfs_dh = NULL;
	vti_send(t, &b);
	isakmp_buf_free(&b);
	free(t->last);
	t->last = NULL;
	t->rtx_left = 0;
	t->next_at = 0;
	return 0;
}

static void ask_skeyid(struct vti *t, time_t now)
{
	struct msg_skeyid_req *q = calloc(1, sizeof(*q));
	if (!q)
		return;
	q->sa_id = t->id;
	ikei_skeyid_req(&t->sa, q);
	q->by_address = 1;
	q->local = t->local;
	q->peer = t->peer;
	snprintf(q->vti, sizeof(q->vti), "%s", t->name);
	t->state = VTI_SKEYID;
	t->rtx_left = 0;
	t->next_at = now + 10;
	ike.io.to_keymgr(IMSG_SKEYID_REQ, t->id, q, sizeof(*q));
	free(q);
}

int vti_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *r)
{
	struct vti *t = vti_by_id(peerid);
	struct isakmp_buf b;
	time_t now = time(NULL);

	if (!t)
		return 0;
	if (t->state != VTI_SKEYID)
		return 1;
	if (r->status != KEY_OK) {
		vti_down(t, "keymgr has no key for the destination", 0, now);
		return 1;
	}
	int rc = ikei_mm_keys(&t->sa, t->dh, r->skeyid, r->skeyid_len);
	ike_dh_free(t->dh);
	t->dh = NULL;
	isakmp_buf_init(&b);
	if (rc == 0)
		rc = ikei_mm5(&t->sa, t->local.sin.sin_addr, &b);
	vti_mm5_send(t, &b, rc, now);
	return 1;
}

/* Message 5 built into b (rc 0), by key or by signature: sent, or the tunnel down. Behind a
 * NAT it and everything after go to 4500 (RFC 3947 4). b is freed. */
void vti_mm5_send(struct vti *t, struct isakmp_buf *b, int rc, time_t now)
{
	if (rc < 0) {
		isakmp_buf_free(b);
		vti_down(t, ikei_strerror(rc), 0, now);
		return;
	}
	if (t->sa.nat_detected) {
		t->port4500 = 1;
		t->peer.sin.sin_port = htons(4500);
		t->local.sin.sin_port = htons(4500);
	}
	t->state = VTI_MM5;
	vti_send_req(t, b, now);
	isakmp_buf_free(b);
}

/* Main mode done (message 6 checked, by key or by signature): a renewal hands over to the
 * new ISAKMP SA, a first phase 1 goes on to quick mode. */
void vti_p1_up(struct vti *t, time_t now)
{
	if (t->p1_renewing) {
		vti_p1_renewed(t, now);
		return;
	}
	vti_p1_schedule(t, now);
	log_info("%s: phase 1 up with %s (%s)", t->name, inet_ntoa(t->peer.sin.sin_addr),
	         t->sa.nat_detected ? "NAT-T" : "no NAT");
	vti_rep_ike_up(t);
	t->state = VTI_QM;
	if (start_qm(t, &t->qm, now) < 0)
		vti_down(t, "no transform set to offer", 1, now);
}

static void on_main(struct vti *t, uint8_t *pkt, size_t len, time_t now)
{
	struct isakmp_buf b;
	uint16_t notify = 0;
	char why[64];
	int rc;

	if (t->state == VTI_MM1) {
		if ((rc = ikei_mm2(&t->sa, pkt, len, &notify)) == 0) {
			isakmp_buf_init(&b);
			rc = t->sa.auth == IKE_AUTHM_RSA ? vti_sig_mm3(t, &b)
			     : ikei_mm3(&t->sa, &t->local.sin, &t->peer.sin, &b);
			if (rc == 0) {
				t->state = VTI_MM3;
				vti_send_req(t, &b, now);
			}
			isakmp_buf_free(&b);
		}
	} else if (t->state == VTI_MM3) {
		if ((rc = ikei_mm4(&t->sa, pkt, len, &t->local.sin, &t->peer.sin, &notify)) == 0 &&
		    t->sa.auth == IKE_AUTHM_RSA)
			vti_sig_keys(t, now);
		else if (rc == 0)
			ask_skeyid(t, now);
	} else if (t->state == VTI_MM5 && t->sa.auth == IKE_AUTHM_RSA) {
		rc = t->last ? vti_sig_mm6(t, pkt, len, &notify, now) : IKEI_E_STATE;
	} else if (t->state == VTI_MM5) {
		if ((rc = ikei_mm6(&t->sa, pkt, len, t->peer.sin.sin_addr, &notify)) == 0)
			vti_p1_up(t, now);
	} else {
		rc = IKEI_E_STATE;
	}
	if (rc == IKEI_E_NOTIFY) {
		snprintf(why, sizeof(why), "refused with notification %u", notify);
		vti_down(t, why, 0, now);
	} else if (rc == IKEI_E_PROPOSAL || rc == IKEI_E_HASH) {
		vti_down(t, rc == IKEI_E_HASH ? "HASH_R does not verify (pre-shared key?)"
		                              : "the peer chose or named what we did not offer",
		         0, now);
	} else if (rc < 0) {
		/* a resend of an earlier answer, or junk: the retransmission timer goes on */
		ike.st.drop_state++;
	}
}

static void on_quick(struct vti *t, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	if (t->state == VTI_QM && msgid == t->qm.x.msgid) {
		if (qm_done(t, &t->qm, pkt, len, now) < 0)
			return;
		t->state = VTI_ACTIVE;
		vti_dpd_start(t, now);
		log_info("%s: IPsec up with %s (%s)", t->name, inet_ntoa(t->peer.sin.sin_addr),
		         esp_transform_name(t->qm.encr, t->qm.keylen, t->qm.auth));
		vti_rep_ipsec_up(t, &t->qm);
		vti_rep_session_up(t);
	} else if (t->state == VTI_ACTIVE && t->rekeying && msgid == t->rk.x.msgid) {
		if (qm_done(t, &t->rk, pkt, len, now) < 0)
			return;
		vti_dpd_heard(t, now);
		/* the old pair goes VTI_OLD_PAIR_DELETE s later (vti_tick), both here and at
		 * the peer: tunmgr sends on the new one once the peer's traffic arrives on it */
		vti_old_pair_delete(t, 1);
		t->old_spi_in = t->qm.spi_in;
		t->old_spi_out = t->qm.spi_out;
		t->old_del_at = now + VTI_OLD_PAIR_DELETE;
		vti_rep_ipsec_down(t, t->qm.spi_in, "rekeyed");
		vti_rep_ipsec_up(t, &t->rk);
		log_info("%s: IPsec SA %08x replaced by %08x", t->name, ntohl(t->qm.spi_in),
		         ntohl(t->rk.spi_in));
		t->qm = t->rk;
		memset(&t->rk, 0, sizeof(t->rk));
		t->rekeying = 0;
	} else if (t->state == VTI_ACTIVE) {
		vti_qr_input(t, pkt, len, msgid, now);
	} else {
		ike.st.drop_state++;
	}
}

static void on_info(struct vti *t, uint8_t *pkt, size_t len, time_t now)
{
	struct isakmp_buf b;
	int answered = 0, deleted = 0;
	uint16_t notify = 0;

	if (t->state < VTI_QM) {
		/* before phase 1 is up, a clear error notification (NO-PROPOSAL-CHOSEN,
		 * AUTHENTICATION-FAILED) ends the attempt; anything else is dropped */
		struct isakmp_msg m;
		struct isakmp_notify n;
		int i;
		if (isakmp_parse(pkt, len, &m) < 0 || (m.hdr.flags & ISAKMP_FLAG_E)) {
			ike.st.drop_malformed++;
			return;
		}
		for (i = 0; i < m.npl && m.pl[i].type != ISAKMP_NP_N; i++)
			;
		if (i < m.npl && isakmp_parse_notify(m.pl[i].body, m.pl[i].len, &n) == 0 &&
		    n.type && n.type < 16384) {
			char why[48];
			snprintf(why, sizeof(why), "refused with notification %u", n.type);
			vti_down(t, why, 0, now);
		} else {
			ike.st.drop_state++;
		}
		return;
	}
	isakmp_buf_init(&b);
	if (ikei_info(&t->sa, pkt, len, &b, &answered, &notify, &deleted) == 0) {
		if (answered)
			vti_send(t, &b);
		vti_dpd_heard(t, now);
		if (deleted)
			vti_down(t, "deleted by the peer", 0, now);
	} else {
		ike.st.drop_decrypt++;
	}
	isakmp_buf_free(&b);
}

int vti_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
              const union sa46 *local, int port4500)
{
	struct vti *t = NULL;
	uint32_t msgid;
	uint8_t exch;
	time_t now = time(NULL);

	(void)port4500;
	if (len < 8)
		return 0;
	int old = 0;
	for (int k = 0; k < CONF_MAX_IFACES && !t; k++) {
		if (!vtis[k].used || vtis[k].state < VTI_MM1)
			continue;
		if (!memcmp(vtis[k].sa.cky_i, pkt, 8))
			t = &vtis[k];
		else if ((vtis[k].p1_renewing || vtis[k].p1_old_del_at) &&
		         !memcmp(vtis[k].osa.cky_i, pkt, 8))
			t = &vtis[k], old = 1;
	}
	if (!t)
		return 0;
	if (!sa46_same_addr(peer, &t->peer) ||
	    ikei_peek(pkt, len, &msgid, &exch) < 0) {
		ike.st.drop_unknown_sa++;
		return 1;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return 1;
	memcpy(copy, pkt, len);
	if (!t->local.sin.sin_addr.s_addr)
		t->local.sin.sin_addr = local->sin.sin_addr;
	if (old)
		vti_p1_old_input(t, copy, len, exch, now);
	else if (exch == ISAKMP_EXCH_INFO)
		on_info(t, copy, len, now);
	else if (exch == ISAKMP_EXCH_MAIN)
		on_main(t, copy, len, now);
	else if (exch == ISAKMP_EXCH_QUICK)
		on_quick(t, copy, len, msgid, now);
	else
		ike.st.drop_state++;
	explicit_bzero(copy, len);
	free(copy);
	return 1;
}

int vti_sa_added(uint32_t peerid, const struct msg_sa_added *r)
{
	struct vti *t = vti_by_id(peerid);
	if (!t)
		return 0;
	if (r->status && t->state == VTI_ACTIVE)
		vti_down(t, "tunmgr refused the IPsec SA", 1, time(NULL));
	return 1;
}

int vti_sa_expire(uint32_t peerid, const struct msg_sa_expire *x)
{
	struct vti *t = vti_by_id(peerid);
	time_t now = time(NULL);
	if (!t)
		return 0;
	if (t->p1_renewing && x->spi_in == t->qm.spi_in && !x->hard) {
		t->p1_rekey_due = 1;    /* renewed once the new ISAKMP SA is up */
		return 1;
	}
	if (t->p1_renewing && x->spi_in == t->qm.spi_in) {
		vti_down(t, "IPsec SA reached its hard lifetime unrenewed", 1, now);
		return 1;
	}
	if (t->state != VTI_ACTIVE || x->spi_in != t->qm.spi_in)
		return 1;       /* an SA already replaced */
	if (x->hard)
		vti_down(t, "IPsec SA reached its hard lifetime unrenewed", 1, now);
	else
		vti_rekey_start(t, now);
	return 1;
}

void vti_rekey_start(struct vti *t, time_t now)
{
	if (!t->rekeying && start_qm(t, &t->rk, now) == 0)
		t->rekeying = 1;
}
