/*
 * Sessions and IKE SAs. A session (its id, virtual-access interface, address lease and IPsec
 * SAs) is born with the IKE SA that authenticated it, but IKEv1 clients rekey phase 1 by
 * running a whole new aggressive or main mode plus XAUTH (strongSwan, Cisco clients) and then
 * delete the old ISAKMP SA while the IPsec SAs live on. Such a new IKE SA takes the session
 * over: same session id, interface and address, so the client's traffic and the operator's
 * view never notice. Without INITIAL-CONTACT that is how we tell a rekey from a reboot.
 *
 * Finding the predecessor and swapping ids is IKEv1's business (its SA table, its states);
 * what moves is the struct ike_session both SAs embed (session.h), moved by
 * ike_session_move(), because IKEv2 SAs will hold the very same session part.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

/*
 * The live session this IKE SA rekeys: same user, group, peer address and port. The port
 * matters behind NAT, where several clients share the address and each has its own mapping.
 */
struct ike_sa *ike_session_predecessor(const struct ike_sa *sa)
{
	if (sa->initial_contact || (sa->xauth && !sa->s.user[0]))
		return NULL;
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->s.peer); o; o = o->peer_next) {
		if (o == sa || o->s.superseded || o->state != IKE_S_ESTABLISHED ||
		    !o->s.va_requested || !o->s.have_policy)
			continue;
		if (ike_session_same_client(&o->s, &sa->s, sa->s.user))
			return o;
	}
	return NULL;
}

/*
 * Sessions a new login by this client will take over or replace: the same user and group
 * from the same address and port. keymgr leaves them out of max-users / max-logins.
 */
void ike_session_replaces(const struct ike_sa *sa, const char *user, struct msg_xauth_req *rq)
{
	rq->nreplaces = 0;
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->s.peer);
	     o && rq->nreplaces < MSG_REPLACES_MAX; o = o->peer_next) {
		if (o == sa || o->s.superseded || !o->s.have_policy || o->state < IKE_S_CFG_WAIT)
			continue;
		if (ike_session_same_client(&o->s, &sa->s, user))
			rq->replaces[rq->nreplaces++] = o->s.id;
	}
}

void ike_session_adopt(struct ike_sa *sa, struct ike_sa *o)
{
	uint32_t fresh = sa->s.id;

	/* keymgr leased a new address for this authentication: give it back, keep the old one */
	if (sa->s.have_policy && sa->s.policy.addr.s_addr != o->s.policy.addr.s_addr) {
		struct msg_session_end e;
		memset(&e, 0, sizeof(e));
		e.session_id = fresh;
		e.addr = sa->s.policy.addr;
		e.addr6 = sa->s.policy.addr6;
		snprintf(e.reason, sizeof(e.reason), "phase 1 rekey");
		ike.io.to_keymgr(IMSG_SESSION_END_KEY, fresh, &e, sizeof(e));
	}
	/* the session id names the session everywhere (tunmgr, keymgr, the database) */
	ike_sa_set_id(sa, o->s.id);
	ike_sa_set_id(o, fresh);

	ike_session_move(&sa->s, &o->s);
	sa->s.start = o->s.start ? o->s.start : o->created;
	sa->s.adopted = 1;
	o->s.superseded = 1;
	ike_report_sync(sa);
	ike_sa_rearm(sa);
	ike_sa_rearm(o);        /* its lifetime now ends it */
	log_info("session %u: phase 1 rekeyed by the client, new IKE SA takes over "
	         "(old IKE SA now %u)", sa->s.id, o->s.id);
}
