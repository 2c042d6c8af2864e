/*
 * RFC 5176 requests, ikemgr's part: keymgr authenticated the request (it holds the secrets);
 * ikemgr owns the sessions, so it finds the ones named and ends or changes them here, at
 * once, and tells keymgr the outcome for the ACK or NAK. Keeping the matching here (rather
 * than a copy of the session table in keymgr) means a phase-1 rekey that moved a session to a
 * new IKE SA, or a session that just ended, can never make the answer lie.
 *
 * A session is an IKE SA holding a session policy (an address from XAUTH/Mode Config); an
 * IKE SA a phase-1 rekey superseded holds none and is not one. Matching and CoA work on the
 * session part (session.h), which IKEv1 and IKEv2 SAs share; each version's table is walked.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define ERR_INVALID_ATTRIBUTE_VALUE 407
#define ERR_SESSION_NOT_FOUND 503

static int matches(const struct ike_session *s, const struct msg_dynauth_req *r)
{
	int given = 0, hit = 0;
	if (r->has_user) {
		given++;
		hit += !strcmp(s->user, r->user);
	}
	if (r->has_acct_sid) {
		char sid[MSG_ACCT_SID_LEN];
		msg_acct_session_id(sid, ike.conf->run_id, s->id);
		given++;
		hit += !strcasecmp(sid, r->acct_sid);
	}
	if (r->has_framed_ip) {
		given++;
		hit += s->policy.addr.s_addr && s->policy.addr.s_addr == r->framed_ip.s_addr;
	}
	if (r->has_calling) {
		char peer[SA46_STRLEN];
		sa46_ntop(&s->peer, peer);
		given++;
		hit += !strcmp(peer, r->calling);
	}
	return given && (r->match_any ? hit > 0 : hit == given);
}

static int is_session(const struct ike_sa *sa)
{
	return sa->s.have_policy && !sa->s.superseded && sa->state != IKE_S_DEAD;
}

/* The IKE SAs a phase-1 rekey left behind for this session's client: they go with it. */
static void delete_superseded(const struct ike_sa *sa)
{
	struct ike_sa *next;
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->s.peer); o; o = next) {
		next = o->peer_next;
		if (o != sa && o->s.superseded && o->state != IKE_S_DEAD &&
		    ike_session_same_client(&o->s, &sa->s, sa->s.user))
			ike_sa_delete(o, "radius disconnect", 1);
	}
}

static void apply_coa(struct ike_session *s, const struct msg_dynauth_req *r)
{
	if (r->has_session_timeout) {
		/* counted from the session's start, as the Access-Accept's; ikev1_tick enforces */
		s->policy.session_timeout = r->session_timeout;
		s->ops->rearm(s);
		log_info("session %u: Session-Timeout set to %d s by CoA-Request", s->id,
		         r->session_timeout);
	}
	if (r->has_acl) {
		/* for our records and show; keymgr tells tunmgr, which enforces it */
		snprintf(s->policy.inacl, sizeof(s->policy.inacl), "%s", r->acl);
		log_info("session %u: inbound access list set to %s by CoA-Request", s->id, r->acl);
		ike_session_changed(s);
	}
}

void ike_dynauth(const struct msg_dynauth_req *in)
{
	struct msg_dynauth_req r = *in;
	struct msg_dynauth_res res;
	struct ike_sa *next;

	r.user[sizeof(r.user) - 1] = 0;
	r.acct_sid[sizeof(r.acct_sid) - 1] = 0;
	r.calling[sizeof(r.calling) - 1] = 0;
	r.acl[sizeof(r.acl) - 1] = 0;
	memset(&res, 0, sizeof(res));
	res.req_id = r.req_id;

	/* keymgr checked the access list against its configuration; ours is the same but a
	 * reload may be in flight: check again, and before anything is changed */
	if (r.coa && r.has_acl && !conf_find_acl(ike.conf, r.acl)) {
		res.error_cause = ERR_INVALID_ATTRIBUTE_VALUE;
		ike.io.to_keymgr(IMSG_DYNAUTH_RES, 0, &res, sizeof(res));
		return;
	}
	if (r.coa && r.has_session_timeout && r.session_timeout < 0) {
		res.error_cause = ERR_INVALID_ATTRIBUTE_VALUE;
		ike.io.to_keymgr(IMSG_DYNAUTH_RES, 0, &res, sizeof(res));
		return;
	}
	for (struct ike_sa *sa = ike.all; sa; sa = next) {
		next = sa->all_next;
		if (!is_session(sa) || !matches(&sa->s, &r))
			continue;
		if (res.nmatched < MSG_DYNAUTH_IDS)
			res.session_id[res.nmatched] = sa->s.id;
		res.nmatched++;
		if (r.coa) {
			apply_coa(&sa->s, &r);
			continue;
		}
		delete_superseded(sa);
		/* the list may have changed under us: start over after each deletion */
		ike_sa_delete(sa, "radius disconnect", 1);
		next = ike.all;
	}
	struct ikev2_sa *next2;
	for (struct ikev2_sa *sa = v2.all; sa; sa = next2) {
		next2 = sa->all_next;
		if (sa->state != V2_S_ESTABLISHED || !sa->s.have_policy || sa->s.superseded ||
		    !matches(&sa->s, &r))
			continue;
		if (res.nmatched < MSG_DYNAUTH_IDS)
			res.session_id[res.nmatched] = sa->s.id;
		res.nmatched++;
		if (r.coa) {
			apply_coa(&sa->s, &r);
			continue;
		}
		ikev2_sa_delete(sa, "radius disconnect", 1);
		next2 = v2.all;
	}
	if (!res.nmatched)
		res.error_cause = ERR_SESSION_NOT_FOUND;
	ike.io.to_keymgr(IMSG_DYNAUTH_RES, 0, &res, sizeof(res));
}
