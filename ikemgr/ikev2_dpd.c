/*
 * Liveness checks started by the hub (RFC 7296 1.4, 2.4), as IOS's profile `dpd INTERVAL RETRY
 * on-demand|periodic` asks: an empty INFORMATIONAL request when nothing came from the peer
 * for INTERVAL seconds (periodic), or only when we have been sending to it meanwhile
 * (on-demand, so an idle session costs nothing). The request goes through ikev2_req.c like
 * any of ours: retransmitted every RETRY seconds, and after IKEV2_DPD_TRIES unanswered sends
 * the peer is dead and its session ends. Any request of ours in flight checks liveness as
 * well, so none is queued beside another.
 */
#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

static time_t heard_at(const struct ikev2_sa *sa)
{
	return sa->s.esp_in_at > sa->last_rx ? sa->s.esp_in_at : sa->last_rx;
}

int ikev2_dpd_retry(const struct ikev2_sa *sa)
{
	const struct conf_ikev2_profile *p = sa->s.v2profile;
	return p && p->dpd_retry > 0 ? p->dpd_retry : 2;
}

time_t ikev2_dpd_deadline(const struct ikev2_sa *sa)
{
	const struct conf_ikev2_profile *p = sa->s.v2profile;
	if (!p || p->dpd_interval <= 0 || sa->state != V2_S_ESTABLISHED || sa->s.superseded ||
	    sa->req || sa->req_queue)
		return 0;
	time_t heard = heard_at(sa);
	if (!p->dpd_periodic && sa->s.esp_out_at <= heard)
		return 0;
	return heard + p->dpd_interval;
}

void ikev2_dpd_tick(struct ikev2_sa *sa, time_t now)
{
	time_t due = ikev2_dpd_deadline(sa);
	if (!due || now < due)
		return;
	struct ikev2_req *r = ikev2_req_new(V2_REQ_DPD);
	if (r)
		ikev2_req_queue(sa, r);
}
