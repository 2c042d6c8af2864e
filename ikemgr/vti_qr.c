/*
 * Static VTIs: a quick mode the destination starts on the tunnel's ISAKMP SA, its rekey when
 * its lifetime is shorter than ours (ikev1_init_qr.c builds and checks the messages, as for
 * the Easy VPN remote). It is answered only for 0.0.0.0/0 both ways, within the tunnel
 * profile's transform sets and with its PFS group if it sets one; tunmgr again takes the pair
 * only for the destination with selector 0/0. Once HASH(3) holds, the new pair goes to tunmgr
 * and the old one is deleted on both sides (an IKEv1 peer may otherwise keep it to its end).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/vti.h"
#include "common/alg.h"

/* What we accept: the profile's transform sets and PFS group, 0/0 both ways. */
static int qr_offers(const struct vti *t, struct ikei_qm *offers, struct ikei_qm *q)
{
	const struct conf_interface *c = vti_conf(t);
	const struct conf_ipsec_profile *pr = c ? conf_find_ipsec_profile(vconf, c->protection)
	                                        : NULL;
	memset(offers, 0, sizeof(*offers));
	for (int k = 0; pr && k < pr->ntset && offers->nprop < IKEI_OFFER_MAX; k++) {
		const struct conf_transform_set *ts = conf_find_tset(vconf, pr->tset[k]);
		if (ts)
			offers->prop[offers->nprop++] = (struct ikei_p2_prop){ ts->encr, ts->keylen,
			                                                       ts->auth };
	}
	q->life = pr && pr->lifetime_seconds ? pr->lifetime_seconds
	          : vconf->sa_lifetime_seconds ? vconf->sa_lifetime_seconds : 3600;
	q->idci_any = 1;
	q->udp = t->sa.nat_detected;
	if (pr && pr->pfs_group) {
		if (!(q->pfs_dh = ike_dh_new(pr->pfs_group)))
			return -1;
		q->pfs_group = pr->pfs_group;
	}
	return offers->nprop ? 0 : -1;
}

static void keep_reply(struct vti *t, const struct isakmp_buf *b, uint32_t msgid)
{
	free(t->reply);
	t->reply = malloc(b->len);
	t->reply_len = t->reply ? b->len : 0;
	if (t->reply)
		memcpy(t->reply, b->data, b->len);
	t->reply_msgid = msgid;
}

/* HASH(3) held: the new pair in, the old one out on both sides. */
static void qr_done(struct vti *t)
{
	struct isakmp_buf b;
	struct msg_sa_del d = { .session_id = t->tun_id, .spi_in = t->qm.spi_in,
	                        .spi_out = t->qm.spi_out };

	vti_install(t, &t->qr);
	ike_dh_free(t->qr.pfs_dh);
	t->qr.pfs_dh = NULL;
	isakmp_buf_init(&b);
	if (ikei_delete_esp(&t->sa, t->qm.spi_in, &b) == 0)
		vti_send(t, &b);
	isakmp_buf_free(&b);
	ike.io.to_tunmgr(IMSG_SA_DEL, t->tun_id, &d, sizeof(d));
	vti_rep_ipsec_down(t, t->qm.spi_in, "rekeyed by the peer");
	vti_rep_ipsec_up(t, &t->qr);
	log_info("%s: IPsec SA %08x replaced by %08x (%s), rekey started by %s", t->name,
	         ntohl(t->qm.spi_in), ntohl(t->qr.spi_in),
	         esp_transform_name(t->qr.encr, t->qr.keylen, t->qr.auth),
	         inet_ntoa(t->peer.sin.sin_addr));
	t->qm = t->qr;
	memset(&t->qr, 0, sizeof(t->qr));
	t->qr_wait3 = 0;
}

void vti_qr_input(struct vti *t, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_buf b;
	struct ikei_qm offers;
	static const struct in_addr any;

	if (t->qr_wait3 && msgid == t->qr.x.msgid) {
		if (ikei_qr3(&t->sa, &t->qr, pkt, len) == 0) {
			qr_done(t);
			vti_dpd_heard(t, now);
			return;
		}
		/* message 1 again: our answer was lost */
		if (t->reply && t->reply_msgid == msgid) {
			ike.st.duplicates++;
			ike.io.send(&t->local, &t->peer, t->port4500, t->reply, t->reply_len);
		} else {
			ike.st.drop_state++;
		}
		return;
	}
	/* a new quick mode replaces one whose HASH(3) never came */
	vti_qr_clear(t);
	if (qr_offers(t, &offers, &t->qr) < 0) {
		vti_qr_clear(t);
		ike.st.drop_state++;
		return;
	}
	isakmp_buf_init(&b);
	int rc = ikei_qr1(&t->sa, &t->qr, offers.prop, offers.nprop, any, pkt, len, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		vti_qr_clear(t);
		ike.st.drop_state++;
		/* logged once per tunnel, not for every resend of the same refusal */
		if (!t->qr_refused++)
			log_warnx("%s: quick mode from %s not answered (%s)", t->name,
			          inet_ntoa(t->peer.sin.sin_addr), ikei_strerror(rc));
		return;
	}
	vti_send(t, &b);
	keep_reply(t, &b, msgid);
	isakmp_buf_free(&b);
	t->qr_wait3 = 1;
}
