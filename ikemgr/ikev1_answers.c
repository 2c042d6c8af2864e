/*
 * Answers from keymgr and tunmgr, each for the IKE SA (session) it names. A session that went
 * away meanwhile makes the answer moot; the catalogue (common/msgcat.c) has checked sizes
 * and senders before any of these runs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/vti.h"

/* The SA an answer is for, checked at the next tick: what the answer changed gets reported
 * then (ike_report.c), as after a datagram. */
static struct ike_sa *answer_for(uint32_t peerid)
{
	struct ike_sa *sa = ike_sa_by_id(peerid);
	if (sa)
		ike_sa_touch(sa);
	return sa;
}

void ikev1_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *r)
{
	if (ez_skeyid_res(peerid, r) || vti_skeyid_res(peerid, r))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (!sa || sa->state != IKE_S_WAIT_SKEYID)
		return;
	log_dbg(DBG_ENGINE, SA_PEER(sa), "(%u): SKEYID from keymgr, status %d", sa->s.id,
	        r->status);
	if (sa->main_mode)
		ikev1_main_skeyid(sa, r);
	else
		ikev1_aggr_skeyid(sa, r);
}

void ikev1_cert_verify_res(uint32_t peerid, const struct msg_cert_verify_res *r)
{
	if (vti_cert_res(peerid, r))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (sa && sa->state == IKE_S_MM_WAIT_CERT)
		ikev1_sig_verified(sa, r);
}

void ikev1_sign_res(uint32_t peerid, const struct msg_sign_res *r)
{
	if (vti_sign_res(peerid, r))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (sa && sa->state == IKE_S_MM_WAIT_SIGN)
		ikev1_sig_signed(sa, r);
}

void ikev1_xauth_res(uint32_t peerid, const struct msg_xauth_res *r)
{
	struct ike_sa *sa = answer_for(peerid);
	if (sa)
		ikev1_xauth_result(sa, r);
}

void ikev1_va_created(uint32_t peerid, const struct msg_va_created *r)
{
	if (ez_va_created(peerid, r))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (!sa)
		return;
	if (r->status && sa->s.va_ready) {
		/* tunmgr refused a request this session never made: it has its interface */
		log_warnx("session %u: tunmgr refused an interface request (%s)", sa->s.id,
		          strerror(r->status));
		return;
	}
	if (r->status) {
		log_rl("session %u: virtual-access interface not created (%s)", sa->s.id,
		          strerror(r->status));
		sa->s.va_requested = 0;
		ike_sa_delete(sa, "interface failed", 1);
		return;
	}
	ike_session_va_ready(&sa->s, r);
	/* the quick mode that asked for this interface, handled afresh */
	if (sa->pending_qm)
		ikev1_replay_held(sa, &sa->pending_qm, &sa->pending_qm_len);
}

void ikev1_sa_added(uint32_t peerid, const struct msg_sa_added *r)
{
	if (ez_sa_added(peerid, r) || vti_sa_added(peerid, r))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (!sa || !sa->held || sa->held_spi != r->spi_in)
		return;
	if (r->status)
		log_rl("session %u: tunmgr could not install SA %08x (%s)", sa->s.id,
		       ntohl(r->spi_in), strerror(r->status));
	ikev1_send_raw(sa, sa->held, sa->held_len);
	free(sa->held);
	sa->held = NULL;
}

void ikev1_va_activity(uint32_t peerid, const struct msg_va_activity *a)
{
	struct ike_sa *sa = ike_sa_by_id(peerid);
	if (!sa)
		return;
	if (ike_session_activity(&sa->s, a, time(NULL)))
		ike_sa_rearm(sa);       /* on-demand DPD may now be due */
}

void ikev1_sa_expire(uint32_t peerid, const struct msg_sa_expire *e)
{
	if (ez_sa_expire(peerid, e) || vti_sa_expire(peerid, e))
		return;
	struct ike_sa *sa = answer_for(peerid);
	if (!sa)
		return;
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (!c->used || c->spi_in != e->spi_in)
			continue;
		if (!e->hard) {
			ikev1_rekey_start(sa, c);
			break;
		}
		if (!c->replaced_at)
			ikev1_send_delete_child(sa, c);
		log_info("session %u: IPsec SA %08x reached its hard lifetime, deleted", sa->s.id,
		         ntohl(e->spi_in));
		ike_child_remove(&sa->s, c, "lifetime expired");
		break;
	}
}
