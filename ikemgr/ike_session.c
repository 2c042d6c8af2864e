/*
 * Sessions and IKE SAs. A session (its id, virtual-access interface, address lease and IPsec
 * SAs) is born with the IKE SA that authenticated it, but IKEv1 clients rekey phase 1 by
 * running a whole new aggressive or main mode plus XAUTH (strongSwan, Cisco clients) and then
 * delete the old ISAKMP SA while the IPsec SAs live on. Such a new IKE SA takes the session
 * over: same session id, interface and address, so the client's traffic and the operator's
 * view never notice. Without INITIAL-CONTACT that is how we tell a rekey from a reboot.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

/* The same client as far as sessions go: user, group, peer address and port. */
static int same_client(const struct ike_sa *o, const struct ike_sa *sa, const char *user)
{
	return sa46_same_addr(&o->peer, &sa->peer) &&
	       sa46_port(&o->peer) == sa46_port(&sa->peer) && !strcmp(o->user, user) &&
	       !strcmp(o->group_name, sa->group_name);
}

/*
 * The live session this IKE SA rekeys: same user, group, peer address and port. The port
 * matters behind NAT, where several clients share the address and each has its own mapping.
 */
struct ike_sa *ike_session_predecessor(const struct ike_sa *sa)
{
	if (sa->initial_contact || (sa->xauth && !sa->user[0]))
		return NULL;
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->peer); o; o = o->peer_next) {
		if (o == sa || o->superseded || o->state != IKE_S_ESTABLISHED || !o->va_requested ||
		    !o->have_policy)
			continue;
		if (same_client(o, sa, sa->user))
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
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->peer);
	     o && rq->nreplaces < MSG_REPLACES_MAX; o = o->peer_next) {
		if (o == sa || o->superseded || !o->have_policy || o->state < IKE_S_CFG_WAIT)
			continue;
		if (same_client(o, sa, user))
			rq->replaces[rq->nreplaces++] = o->id;
	}
}

void ike_session_adopt(struct ike_sa *sa, struct ike_sa *o)
{
	uint32_t fresh = sa->id;

	/* keymgr leased a new address for this authentication: give it back, keep the old one */
	if (sa->have_policy && sa->policy.addr.s_addr != o->policy.addr.s_addr) {
		struct msg_session_end e;
		memset(&e, 0, sizeof(e));
		e.session_id = fresh;
		e.addr = sa->policy.addr;
		e.addr6 = sa->policy.addr6;
		snprintf(e.reason, sizeof(e.reason), "phase 1 rekey");
		ike.io.to_keymgr(IMSG_SESSION_END_KEY, fresh, &e, sizeof(e));
	}
	sa->policy = o->policy;
	sa->have_policy = 1;
	sa->addr6_given = o->addr6_given;
	o->have_policy = 0;

	/* the session id names the session everywhere (tunmgr, keymgr, the database) */
	ike_sa_set_id(sa, o->id);
	ike_sa_set_id(o, fresh);

	sa->va_requested = o->va_requested;
	sa->va_ready = o->va_ready;
	memcpy(sa->ifname, o->ifname, sizeof(sa->ifname));
	sa->unit = o->unit;
	sa->session_reported = o->session_reported;
	memcpy(sa->child, o->child, sizeof(sa->child));
	o->va_requested = o->va_ready = o->session_reported = 0;
	memset(o->child, 0, sizeof(o->child));
	sa->session_start = o->session_start ? o->session_start : o->created;
	sa->esp_in_at = o->esp_in_at;
	sa->esp_out_at = o->esp_out_at;
	sa->esp_pkts_in = o->esp_pkts_in;
	sa->esp_pkts_out = o->esp_pkts_out;
	sa->adopted = 1;
	o->superseded = 1;
	/* the session store has one IKE SA row per session: it now describes the new SA, and
	 * the IPsec SA rows stay open under it */
	memcpy(sa->rep_spi, o->rep_spi, sizeof(sa->rep_spi));
	memset(o->rep_spi, 0, sizeof(o->rep_spi));
	o->rep_state = 0;
	sa->rep_state = 0;
	ike_report_sync(sa);
	ike_sa_rearm(sa);
	ike_sa_rearm(o);        /* its lifetime now ends it */
	log_info("session %u: phase 1 rekeyed by the client, new IKE SA takes over "
	         "(old IKE SA now %u)", sa->id, o->id);
}
