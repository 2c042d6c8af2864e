/*
 * Dead peer detection from the Easy VPN remote's side (RFC 3706), with the client's own
 * `crypto isakmp keepalive SECONDS [RETRY]`: an R-U-THERE every SECONDS while the session is
 * up, then every RETRY seconds while unanswered; five unanswered and the server is taken for
 * dead, so the client tries its next peer (and, with connect auto, dials again). Without
 * keepalive the client only learns of a server's end from its DELETE.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ez_int.h"

#define EZ_DPD_MAX 5

void ez_dpd_start(struct ez *e, time_t now)
{
	e->dpd_out = 0;
	e->dpd_at = ezconf->dpd_interval > 0 ? now + ezconf->dpd_interval : 0;
	if (!e->dpd_seq)
		ike_random((uint8_t *)&e->dpd_seq, sizeof(e->dpd_seq));
}

void ez_dpd_tick(struct ez *e, time_t now)
{
	struct isakmp_buf b;
	if (!e->dpd_at || e->dpd_at > now || e->state != EZ_ACTIVE)
		return;
	if (e->dpd_out >= EZ_DPD_MAX) {
		e->dpd_at = 0;
		ez_down(e, "the server does not answer DPD", 0, 1, now);
		return;
	}
	e->dpd_seq = (e->dpd_seq + 1) & 0x7fffffff;
	isakmp_buf_init(&b);
	if (ikei_dpd(&e->sa, e->dpd_seq, &b) == 0)
		ez_send(e, &b);
	isakmp_buf_free(&b);
	e->dpd_out++;
	e->dpd_at = now + (ezconf->dpd_retry > 0 ? ezconf->dpd_retry : 2);
}

void ez_dpd_ack(struct ez *e, time_t now)
{
	if (e->dpd_out && e->state == EZ_ACTIVE)
		ez_dpd_start(e, now);
}
