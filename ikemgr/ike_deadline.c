/*
 * Every IKE SA's deadlines: half-open and phase 1.5 expiry, retransmissions and the XAUTH
 * give-up, RADIUS Session-Timeout and Idle-Timeout, DPD, hub-started rekeys and replaced
 * IPsec SAs, the lifetime of a superseded IKE SA. Each SA sits in one heap entry armed at the
 * earliest of them (ike.timers), so an idle SA costs nothing per second: the 1 s tick pops
 * only the SAs whose time came, checks them as the old full scan did, and re-arms them.
 * Time is in whole seconds, as everywhere in the engine. Session-Timeout and Idle-Timeout are
 * the session's (session.c, shared with IKEv2); this file adds the IKEv1 SA's own deadlines.
 */
#include "common/log.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"
#include "ikemgr/ikev1.h"

#define P1_TIMEOUT   30         /* until the peer is authenticated */
#define P15_TIMEOUT 120         /* until XAUTH and Mode Config are done */

static int dpd_interval(const struct ike_sa *sa)
{
	return sa->s.profile && sa->s.profile->keepalive ? sa->s.profile->keepalive
	                                             : ike.conf->dpd_interval;
}

static int dpd_retry(const struct ike_sa *sa)
{
	int retry = sa->s.profile && sa->s.profile->keepalive_retry ? sa->s.profile->keepalive_retry
	                                                        : ike.conf->dpd_retry;
	return retry > 0 ? retry : 2;
}

static time_t heard_at(const struct ike_sa *sa)
{
	return sa->last_rx > sa->s.esp_in_at ? sa->last_rx : sa->s.esp_in_at;
}

/* The session's Session-Timeout and Idle-Timeout count from its start, or from the IKE SA's
 * creation while it has none; idle only counts once the SA is established. */
static time_t begun(const struct ike_sa *sa)
{
	return sa->s.start ? sa->s.start : sa->created;
}

/*
 * DPD (RFC 3706) as IOS does it. periodic: a R-U-THERE whenever nothing (IKE or ESP) came
 * from the peer for an interval. on-demand (the default): only when we have been sending
 * to the peer meanwhile, so an idle tunnel costs nothing and a dead peer is found as soon as
 * someone has traffic for it. 0: no probe is due until something changes.
 */
static time_t dpd_deadline(const struct ike_sa *sa)
{
	int interval = dpd_interval(sa);
	if (interval <= 0 || sa->state != IKE_S_ESTABLISHED || !sa->peer_dpd)
		return 0;
	if (sa->dpd_outstanding)
		return sa->dpd_sent_at + dpd_retry(sa);
	time_t heard = heard_at(sa);
	if (!ike.conf->dpd_periodic && sa->s.esp_out_at <= heard)
		return 0;
	return heard + interval;
}

static void sooner(time_t *d, time_t t)
{
	if (t && (!*d || t < *d))
		*d = t;
}

/* The earliest moment check() may have something to do; 0: nothing until an event. */
static time_t next_deadline(const struct ike_sa *sa)
{
	time_t d = 0;
	if (sa->state <= IKE_S_WAIT_HASH_I)
		sooner(&d, sa->created + P1_TIMEOUT + 1);
	else if (sa->state < IKE_S_ESTABLISHED)
		sooner(&d, sa->created + P15_TIMEOUT + 1);
	sooner(&d, ike_session_deadline(&sa->s, begun(sa), sa->state == IKE_S_ESTABLISHED));
	if (sa->last_out && sa->retrans_at &&
	    (sa->retrans_left > 0 || sa->state == IKE_S_XAUTH_REQ_SENT ||
	     sa->state == IKE_S_XAUTH_SET_SENT))
		sooner(&d, sa->retrans_at);
	if (sa->state == IKE_S_XAUTH_REQ_SENT)
		sooner(&d, sa->xauth_deadline);
	if (sa->state == IKE_S_ESTABLISHED)
		sooner(&d, ikev1_rekey_deadline(sa));
	if (sa->s.superseded && sa->lifetime && sa->established_at)
		sooner(&d, sa->established_at + (time_t)sa->lifetime);
	sooner(&d, dpd_deadline(sa));
	return d;
}

/* What is due now, in the order the engine has always done it; 0 if the SA is gone. */
static int check(struct ike_sa *sa, time_t now)
{
	ike_report_sync(sa);
	if (sa->state <= IKE_S_WAIT_HASH_I && now - sa->created > P1_TIMEOUT) {
		ike_sa_delete(sa, "phase 1 timeout", 0);
		return 0;
	}
	if (sa->state < IKE_S_ESTABLISHED && now - sa->created > P15_TIMEOUT) {
		ike_sa_delete(sa, "phase 1.5 timeout", 1);
		return 0;
	}
	/* the session's own limits (RADIUS Session-Timeout, Idle-Timeout) */
	const char *why = ike_session_expired(&sa->s, begun(sa), sa->state == IKE_S_ESTABLISHED,
	                                      now);
	if (why) {
		ike_sa_delete(sa, why, 1);
		return 0;
	}
	if (sa->retrans_left > 0 && now >= sa->retrans_at && sa->last_out) {
		ike.st.retransmits++;
		sa->retrans_left--;
		sa->retrans_at = now + 5;
		ikev1_send_raw(sa, sa->last_out, sa->last_out_len);
		return 1;
	}
	/* the user's answer: by crypto isakmp xauth timeout when set, else by the last
	 * retransmission (the user may still be typing after the retransmissions end) */
	if (sa->state == IKE_S_XAUTH_REQ_SENT && sa->xauth_deadline) {
		if (now >= sa->xauth_deadline) {
			char why[64];
			snprintf(why, sizeof(why), "no XAUTH answer within %d s (xauth timeout)",
			         ike.conf->xauth_timeout);
			ike_sa_delete(sa, why, 1);
			return 0;
		}
	} else if (sa->retrans_left == 0 && sa->last_out && sa->retrans_at &&
	           now >= sa->retrans_at &&
	           (sa->state == IKE_S_XAUTH_REQ_SENT || sa->state == IKE_S_XAUTH_SET_SENT)) {
		ike_sa_delete(sa, "no response", 0);
		return 0;
	}
	if (sa->state == IKE_S_ESTABLISHED)
		ikev1_rekey_tick(sa, now);
	if (sa->s.superseded && sa->lifetime && sa->established_at &&
	    now - sa->established_at >= (time_t)sa->lifetime) {
		ike_sa_delete(sa, "lifetime expired", 1);
		return 0;
	}
	if (dpd_interval(sa) > 0 && sa->state == IKE_S_ESTABLISHED && sa->peer_dpd) {
		if (sa->dpd_outstanding) {
			if (now - sa->dpd_sent_at >= dpd_retry(sa)) {
				if (sa->dpd_outstanding > 5) {
					log_info("session %u: peer did not answer DPD, declared dead",
					         sa->s.id);
					ike_sa_delete(sa, "DPD", 0);
					return 0;
				}
				ikev1_send_dpd(sa);
			}
		} else if (dpd_deadline(sa) && now >= dpd_deadline(sa)) {
			ikev1_send_dpd(sa);
		}
	}
	return 1;
}

/* Never in the past: what is still due waits for the next tick, as with the old scan. */
static void arm(struct ike_sa *sa, time_t when, time_t now)
{
	if (!when)
		return;
	tmr_arm(&ike.timers, &sa->tmr, when <= now ? now + 1 : when);
}

void ike_sa_rearm(struct ike_sa *sa)
{
	if (sa->state == IKE_S_DEAD)
		return;
	time_t d = next_deadline(sa);
	if (d)
		tmr_arm_sooner(&ike.timers, &sa->tmr, d);
}

void ike_sa_touch(struct ike_sa *sa)
{
	tmr_arm_sooner(&ike.timers, &sa->tmr, time(NULL) + 1);
}

void ikev1_tick(time_t now)
{
	struct tmr *t;
	adm_report();
	ike_stats_report();
	ez_tick(now);
	vti_tick(now);
	/* an SA re-armed here is at least a second ahead, so the loop ends */
	while ((t = tmr_pop_due(&ike.timers, now))) {
		struct ike_sa *sa = (struct ike_sa *)((char *)t - offsetof(struct ike_sa, tmr));
		if (check(sa, now) && sa->state != IKE_S_DEAD)
			arm(sa, next_deadline(sa), now);
	}
}
