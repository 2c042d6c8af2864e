/*
 * A static VTI's ISAKMP SA renewed before its lifetime ends, as IOS does: at
 * VTI_P1_RENEW_PCT % of the lifetime main mode offered, a whole new main mode with the same
 * key while the IPsec pair stays in tunmgr and carries traffic. The SA in use waits in osa;
 * message 5 goes without INITIAL-CONTACT, so the peer keeps the pair. Once message 6 holds,
 * rekeys and DPD move to the new SA and the old one is deleted (DELETE, protocol ISAKMP)
 * VTI_P1_OLD_DELETE seconds later, answering informational messages meanwhile. A
 * failed renewal keeps the old SA and tries again VTI_BACKOFF seconds later; meanwhile DPD
 * goes on over the old SA and its informational messages are still answered.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"

void vti_p1_schedule(struct vti *t, time_t now)
{
	uint32_t life = t->p1_life ? t->p1_life : 86400;
	t->p1_renew_at = now + (time_t)((uint64_t)life * VTI_P1_RENEW_PCT / 100);
}

void vti_p1_start(struct vti *t, time_t now)
{
	struct ikei_p1_params p;
	struct isakmp_buf b;

	vti_p1_old_delete(t);           /* osa is about to hold the SA in use */
	memset(&p, 0, sizeof(p));
	ez_p1_offer(vconf, &p);
	vti_sig_offer(t, &p);           /* a tunnel that signs renews by signing */
	p.natt = 1;
	if (!(t->dh = ike_dh_new(p.group))) {
		log_warnx("%s: DH group %d unavailable for the ISAKMP SA's renewal", t->name, p.group);
		t->p1_renew_at = now + VTI_BACKOFF;
		return;
	}
	t->osa = t->sa;
	isakmp_buf_init(&b);
	if (ikei_mm1(&t->sa, &p, t->dh, &b) < 0) {
		isakmp_buf_free(&b);
		ike_dh_free(t->dh);
		t->dh = NULL;
		t->sa = t->osa;
		t->p1_renew_at = now + VTI_BACKOFF;
		return;
	}
	t->sa.renewal = 1;
	t->p1_renewing = 1;
	t->p1_life = p.lifetime;
	t->p1_renew_at = 0;
	t->state = VTI_MM1;
	log_info("%s: renewing the ISAKMP SA with %s (main mode)", t->name,
	         inet_ntoa(t->peer.sin.sin_addr));
	vti_send_req(t, &b, now);
	isakmp_buf_free(&b);
}

/* The replaced SA's DELETE, once the peer has had time to take the new one in: strongSwan
 * moves the pair to a newer ISAKMP SA only once that one is fully registered, and a DELETE
 * on the heels of message 6 takes the pair away with the old SA. */
void vti_p1_old_delete(struct vti *t)
{
	struct isakmp_buf b;

	if (!t->p1_old_del_at)
		return;
	isakmp_buf_init(&b);
	if (ikei_delete(&t->osa, NULL, 0, &b) == 0)
		vti_send(t, &b);
	isakmp_buf_free(&b);
	explicit_bzero(&t->osa, sizeof(t->osa));
	t->p1_old_del_at = 0;
}

/* Message 6 held: the new SA takes over, the old one is deleted at the peer soon after. */
void vti_p1_renewed(struct vti *t, time_t now)
{
	t->p1_old_del_at = now + VTI_P1_OLD_DELETE;
	t->p1_renewing = 0;
	t->state = VTI_ACTIVE;
	free(t->last);
	t->last = NULL;
	t->last_len = 0;
	t->rtx_left = 0;
	t->next_at = 0;
	vti_rep_ike_up(t);
	vti_p1_schedule(t, now);
	vti_dpd_start(t, now);
	log_info("%s: ISAKMP SA with %s renewed, the old one deleted in %d s", t->name,
	         inet_ntoa(t->peer.sin.sin_addr), VTI_P1_OLD_DELETE);
	/* the pair came to its soft lifetime meanwhile: renewed now, on the new SA */
	if (t->p1_rekey_due) {
		t->p1_rekey_due = 0;
		vti_rekey_start(t, now);
	}
}

/* The renewal ends without a new SA: the old one goes on. A real end (tell_peer: a stop or
 * a reload, which delete the pair) goes on in vti_down with the old SA back in place. */
int vti_p1_failed(struct vti *t, const char *why, int tell_peer, time_t now)
{
	ike_dh_free(t->dh);
	t->dh = NULL;
	explicit_bzero(&t->sa, sizeof(t->sa));
	t->sa = t->osa;
	explicit_bzero(&t->osa, sizeof(t->osa));
	t->p1_renewing = 0;
	t->state = VTI_ACTIVE;
	free(t->last);
	t->last = NULL;
	t->last_len = 0;
	t->rtx_left = 0;
	t->next_at = 0;
	if (tell_peer)
		return 0;
	log_warnx("%s: ISAKMP SA renewal with %s failed (%s); the old one stays", t->name,
	          inet_ntoa(t->peer.sin.sin_addr), why);
	t->p1_renew_at = now + VTI_BACKOFF;
	return 1;
}

/* A message on the old SA while the new one is being made: informational only. */
int vti_p1_old_input(struct vti *t, uint8_t *pkt, size_t len, uint8_t exch, time_t now)
{
	struct isakmp_buf b;
	int answered = 0, deleted = 0;
	uint16_t notify = 0;

	if (exch != ISAKMP_EXCH_INFO) {
		ike.st.drop_state++;
		return 1;
	}
	isakmp_buf_init(&b);
	if (ikei_info(&t->osa, pkt, len, &b, &answered, &notify, &deleted) == 0) {
		if (answered)
			vti_send(t, &b);
		vti_dpd_heard(t, now);
		/* the peer ending the old SA itself changes nothing: the new one comes */
	} else {
		ike.st.drop_decrypt++;
	}
	isakmp_buf_free(&b);
	return 1;
}
