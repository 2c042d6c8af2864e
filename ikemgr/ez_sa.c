/*
 * Easy VPN remote: what the client offers (IOS's set, or the configured pre-share policies) and
 * the IPsec SAs it installs, renews before they expire, and retires.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ez_int.h"
#include "common/alg.h"

void ez_p1_offer(const struct vpnd_conf *c, struct ikei_p1_params *p)
{
	/* Configured pre-share policies, in priority order, with the group of the first: an
	 * aggressive-mode KE is for one group, so transforms of other groups are not offered. */
	p->ntrans = 0;
	for (int k = 0; c && k < c->npolicy && p->ntrans < IKEI_OFFER_MAX; k++) {
		const struct conf_isakmp_policy *po = &c->policy[k];
		if (po->auth != IKE_AUTH_PSK)
			continue;
		if (!p->ntrans) {
			p->group = po->group;
			p->lifetime = po->lifetime;
		}
		if (po->group != p->group)
			continue;
		p->trans[p->ntrans++] = (struct ikei_p1_trans){ po->encr, po->keylen, po->hash };
	}
	if (p->ntrans)
		return;
	/* IOS's Easy VPN remote set: AES, 3DES and DES with SHA and MD5, all with group 2 */
	static const struct ikei_p1_trans ios[] = {
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 256, IKE_HASH_MD5 },
		{ IKE_ENCR_AES, 192, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 192, IKE_HASH_MD5 },
		{ IKE_ENCR_AES, 128, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 128, IKE_HASH_MD5 },
		{ IKE_ENCR_3DES, 0, IKE_HASH_SHA1 }, { IKE_ENCR_3DES, 0, IKE_HASH_MD5 },
	};
	p->group = 2;
	p->lifetime = 86400;
	for (size_t k = 0; k < sizeof(ios) / sizeof(ios[0]); k++)
		p->trans[p->ntrans++] = ios[k];
}

void ez_p2_offer(struct ikei_qm *q)
{
	static const struct ikei_p2_prop ios[] = {
		{ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_MD5_96 },
		{ ESP_ENCR_AES_CBC, 192, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_MD5_96 },
		{ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_MD5_96 },
	};
	q->nprop = 0;
	for (size_t k = 0; k < sizeof(ios) / sizeof(ios[0]); k++)
		q->prop[q->nprop++] = ios[k];
}

void ez_install_sa(struct ez *e, const struct ikei_qm *qm)
{
	struct ikei_keys k;
	struct msg_sa_add *a = calloc(1, sizeof(*a));
	if (!a || ikei_keymat(&e->sa, qm, &k) < 0 || k.enc_len > MSG_KEY_MAX ||
	    k.auth_len > MSG_KEY_MAX) {
		free(a);
		return;
	}
	a->session_id = e->id;
	a->encap = qm->udp ? ENCAP_UDP : ENCAP_RAW;
	a->peer = e->peer;
	a->local = e->local;
	a->encr = qm->encr;
	a->enc_keylen = (int32_t)k.enc_len;
	a->auth = qm->auth;
	a->auth_keylen = (int32_t)k.auth_len;
	a->spi_in = qm->spi_in;
	a->spi_out = qm->spi_out;
	memcpy(a->enckey_in, k.enc_in, k.enc_len);
	memcpy(a->enckey_out, k.enc_out, k.enc_len);
	memcpy(a->authkey_in, k.auth_in, k.auth_len);
	memcpy(a->authkey_out, k.auth_out, k.auth_len);
	/* renewed at three quarters of its life, in time or in bytes: before the server (vpnd
	 * renews at 85-90 %), so that the client, which knows its own offers, starts the rekey */
	a->hard_seconds = qm->life;
	a->soft_seconds = qm->life - qm->life / 4;
	a->hard_bytes = (uint64_t)ezconf->sa_lifetime_kb * 1024;
	a->soft_bytes = a->hard_bytes - a->hard_bytes / 4;
	a->replay_window = ezconf->replay_window;
	/* the server's side of the identities (IDcr): everything */
	ike.io.to_tunmgr(IMSG_SA_ADD, e->id, a, sizeof(*a));
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* Our quick mode answered: the pair goes to tunmgr, HASH(3) to the server, and nothing of
 * ours waits for an answer any more. */
void ez_qm_done(struct ez *e, const struct ikei_qm *q, struct isakmp_buf *b)
{
	ez_install_sa(e, q);
	ez_send(e, b);
	isakmp_buf_free(b);
	free(e->last);
	e->last = NULL;
	e->rtx_left = 0;
	e->next_at = 0;
}

/* A new quick mode with the same offers and identities; the old pair serves until then. */
void ez_rekey_start(struct ez *e, time_t now)
{
	struct isakmp_buf b;
	struct in_addr ours = e->cfg.addr;

	memset(&e->rk, 0, sizeof(e->rk));
	ez_p2_offer(&e->rk);
	e->rk.udp = e->qm.udp;
	e->rk.life = e->qm.life;
	e->rk.idci_mask = e->qm.idci_mask;
	if (e->rk.idci_mask.s_addr) {
		const struct conf_ezvpn *c = ez_conf(e);
		const struct conf_interface *in = c && c->ninside ? conf_find_iface(ezconf, c->inside[0])
		                                                  : NULL;
		if (in)
			ours.s_addr = in->addr.s_addr & in->mask.s_addr;
	}
	isakmp_buf_init(&b);
	if (ikei_qm1(&e->sa, &e->rk, ours, &b) < 0) {
		isakmp_buf_free(&b);
		log_warnx("ezvpn %s: cannot build the rekey's quick mode", e->name);
		return;
	}
	e->rekeying = 1;
	ez_send_req(e, &b, now);
	isakmp_buf_free(&b);
	log_dbg(DBG_ENGINE, NULL, "ezvpn %s: rekeying IPsec SA %08x", e->name, ntohl(e->qm.spi_in));
}

/* The server's answer to our rekey: the new pair goes in, then the old one goes, both here
 * and at the server (a DELETE for the old SPI). */
void ez_rekey_input(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_buf b;
	if (msgid != e->rk.x.msgid) {
		ike.st.drop_state++;
		return;
	}
	int rc = ikei_qm2(&e->sa, &e->rk, pkt, len);
	isakmp_buf_init(&b);
	if (rc < 0 || ikei_qm3(&e->sa, &e->rk, &b) < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_malformed++;
		if (rc == IKEI_E_PROPOSAL)
			ez_down(e, "rekey answer chose a transform we did not offer", 1, 1, now);
		return;
	}
	ez_qm_done(e, &e->rk, &b);

	struct msg_sa_del d = { .session_id = e->id, .spi_in = e->qm.spi_in, .spi_out = e->qm.spi_out };
	isakmp_buf_init(&b);
	if (ikei_delete_esp(&e->sa, e->qm.spi_in, &b) == 0)
		ez_send(e, &b);
	isakmp_buf_free(&b);
	ike.io.to_tunmgr(IMSG_SA_DEL, e->id, &d, sizeof(d));
	ez_rep_ipsec_down(e, e->qm.spi_in, "rekeyed");
	ez_rep_ipsec_up(e, &e->rk);
	log_info("ezvpn %s: IPsec SA %08x replaced by %08x (%s)", e->name, ntohl(e->qm.spi_in),
	         ntohl(e->rk.spi_in), esp_transform_name(e->rk.encr, e->rk.keylen, e->rk.auth));
	/* nonces, SPIs and IVs only: the keys never stay in these */
	e->qm = e->rk;
	memset(&e->rk, 0, sizeof(e->rk));
	e->rekeying = 0;
}

static struct in_addr our_side(const struct ez *e)
{
	const struct conf_ezvpn *c = ez_conf(e);
	const struct conf_interface *in = c && c->ninside && e->qm.idci_mask.s_addr
	                                  ? conf_find_iface(ezconf, c->inside[0]) : NULL;
	struct in_addr a = e->cfg.addr;
	if (in)
		a.s_addr = in->addr.s_addr & in->mask.s_addr;
	return a;
}

/* The server renews the pair first (its lifetime is shorter than ours): answered within
 * what the client itself offers; the old pair is deleted here once HASH(3) arrives. */
void ez_qr_input(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_buf b;
	struct ikei_qm offers;

	if (e->qr_wait3 && msgid == e->qr.x.msgid) {
		if (ikei_qr3(&e->sa, &e->qr, pkt, len) < 0) {
			/* message 1 again: our answer was lost */
			if (e->reply && e->reply_msgid == msgid) {
				ike.st.duplicates++;
				ike.io.send(&e->local, &e->peer, e->port4500, e->reply, e->reply_len);
			}
			return;
		}
		e->qr_wait3 = 0;
		ez_install_sa(e, &e->qr);
		/* the old pair goes at once: tunmgr then sends on the new one, which is what tells
		 * the server (vpnd switches when traffic arrives on its new SA) */
		struct msg_sa_del d = { .session_id = e->id, .spi_in = e->qm.spi_in, .spi_out = e->qm.spi_out };
		ike.io.to_tunmgr(IMSG_SA_DEL, e->id, &d, sizeof(d));
		ez_rep_ipsec_down(e, e->qm.spi_in, "replaced");
		ez_rep_ipsec_up(e, &e->qr);
		log_info("ezvpn %s: IPsec SA %08x replaced by %08x (%s), rekey started by the server",
		         e->name, ntohl(e->qm.spi_in), ntohl(e->qr.spi_in),
		         esp_transform_name(e->qr.encr, e->qr.keylen, e->qr.auth));
		e->qm = e->qr;
		memset(&e->qr, 0, sizeof(e->qr));
		return;
	}
	memset(&e->qr, 0, sizeof(e->qr));
	memset(&offers, 0, sizeof(offers));
	ez_p2_offer(&offers);
	e->qr.udp = e->qm.udp;
	e->qr.life = e->qm.life;
	e->qr.idci_mask = e->qm.idci_mask;
	isakmp_buf_init(&b);
	int rc = ikei_qr1(&e->sa, &e->qr, offers.prop, offers.nprop, our_side(e), pkt, len, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_state++;
		if (!e->qm_refused++)
			log_warnx("ezvpn %s: quick mode from the server not answered (%s)", e->name,
			          ikei_strerror(rc));
		return;
	}
	ez_send(e, &b);
	ez_keep_reply(e, &b, msgid);
	isakmp_buf_free(&b);
	e->qr_wait3 = 1;
}

int ez_sa_expire(uint32_t peerid, const struct msg_sa_expire *x)
{
	struct ez *e = ez_by_id(peerid);
	time_t now = time(NULL);
	if (!e)
		return 0;
	if (e->state != EZ_ACTIVE || x->spi_in != e->qm.spi_in)
		return 1;       /* an SA already replaced */
	if (x->hard)
		ez_down(e, "IPsec SA reached its hard lifetime unrenewed", 1, 0, now);
	else if (!e->rekeying)
		ez_rekey_start(e, now);
	return 1;
}
