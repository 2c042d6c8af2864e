/*
 * Dead peer detection from a static VTI's side (RFC 3706), with `crypto isakmp keepalive
 * SECONDS [RETRY] [periodic|on-demand]`: once the pair is up, an R-U-THERE goes on the
 * tunnel's ISAKMP SA when SECONDS have passed without a word from the destination (on-demand,
 * the default) or every SECONDS (periodic), then every RETRY seconds while unanswered;
 * VTI_DPD_MAX unanswered and the destination is taken for dead: the tunnel's SAs end (tunmgr
 * withdraws its routes) and it is dialled again. The message is ikei_dpd's, as the Easy VPN
 * remote sends it (ez_dpd.c).
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/vti.h"

void vti_dpd_start(struct vti *t, time_t now)
{
	t->dpd_out = 0;
	t->heard_at = now;
	t->dpd_at = vconf->dpd_interval > 0 ? now + vconf->dpd_interval : 0;
	if (!t->dpd_seq)
		ike_random((uint8_t *)&t->dpd_seq, sizeof(t->dpd_seq));
}

/* An authenticated message from the destination: it lives. */
void vti_dpd_heard(struct vti *t, time_t now)
{
	t->heard_at = now;
	if ((t->state != VTI_ACTIVE && !t->p1_renewing) || vconf->dpd_interval <= 0)
		return;
	if (t->dpd_out) {
		log_debug("%s: DPD answered by %s", t->name, inet_ntoa(t->peer.sin.sin_addr));
		t->dpd_out = 0;
		t->dpd_at = now + vconf->dpd_interval;
	} else if (!vconf->dpd_periodic) {
		t->dpd_at = now + vconf->dpd_interval;
	}
}

void vti_dpd_tick(struct vti *t, time_t now)
{
	struct isakmp_buf b;

	/* while the ISAKMP SA is being renewed, DPD goes on over the old one */
	if (!t->dpd_at || t->dpd_at > now || (t->state != VTI_ACTIVE && !t->p1_renewing))
		return;
	if (t->dpd_out >= VTI_DPD_MAX) {
		t->dpd_at = 0;
		log_warnx("%s: %s does not answer DPD (%d R-U-THERE in %ld s)", t->name,
		          inet_ntoa(t->peer.sin.sin_addr), t->dpd_out, (long)(now - t->heard_at));
		if (t->p1_renewing)
			vti_p1_failed(t, "dead peer", 1, now);
		vti_down(t, "dead peer (DPD)", 0, now);
		return;
	}
	t->dpd_seq = (t->dpd_seq + 1) & 0x7fffffff;
	isakmp_buf_init(&b);
	if (ikei_dpd(t->p1_renewing ? &t->osa : &t->sa, t->dpd_seq, &b) == 0)
		vti_send(t, &b);
	isakmp_buf_free(&b);
	t->dpd_out++;
	t->dpd_at = now + (vconf->dpd_retry > 0 ? vconf->dpd_retry : 2);
}
