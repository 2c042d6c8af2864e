/*
 * What the other processes and the operator say about IKEv2 sessions: tunmgr's activity and
 * lifetime reports, `clear crypto session`, a reload. (RADIUS Disconnect/CoA: ike_dynauth.c,
 * which walks both versions' sessions.)
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

int ikev2_va_activity(uint32_t peerid, const struct msg_va_activity *a)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (ike_session_activity(&sa->s, a, time(NULL)))
		ikev2_rearm(sa);        /* on-demand DPD may now be due */
	return 1;
}

int ikev2_sa_expire(uint32_t peerid, const struct msg_sa_expire *e)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (!c->used || c->spi_in != e->spi_in)
			continue;
		/* the soft limit: we rekey it (ikev2_hubrekey.c), unless the peer has already;
		 * the hard one: it goes, and the peer is told */
		if (e->hard) {
			uint32_t spi = c->spi_in;
			log_info("IKEv2 session %u: IPsec SA %08x reached its hard lifetime", sa->s.id,
			         ntohl(e->spi_in));
			ike_child_remove(&sa->s, c, "lifetime expired");
			ikev2_delete_children(sa, &spi, 1, 0);
		} else {
			ikev2_hub_child_rekey(sa, c);
		}
		break;
	}
	return 1;
}

/* clear crypto ikev2 sa [N | remote A | local A]: IKEv2 SAs only, as IOS, whatever state;
 * the tunnel-id is the session id that show crypto ikev2 sa|session prints. */
static int v2_sa_match(const struct ikev2_sa *sa, const struct msg_clear *c)
{
	switch (c->kind) {
	case CLEAR_IKEV2_ALL:
		return 1;
	case CLEAR_IKEV2_ID:
		return sa->s.id == c->conn_id;
	case CLEAR_IKEV2_REMOTE:
		return sa46_same_addr(&sa->s.peer, &c->peer);
	case CLEAR_IKEV2_LOCAL:
		return sa46_same_addr(&sa->s.local, &c->peer);
	default:
		return 0;
	}
}

void ikev2_clear(const struct msg_clear *c)
{
	/* clear crypto sa|isakmp: IKEv1's ike_clear_sa walks its own SAs */
	if (c->kind >= CLEAR_SA_ALL && c->kind < CLEAR_IKEV2_ALL)
		return;
	int v2only = c->kind >= CLEAR_IKEV2_ALL;
	char name[MSG_USER_MAX];
	memcpy(name, c->name, sizeof(name));
	name[sizeof(name) - 1] = 0;
	int n = 0;
	struct ikev2_sa *next;
	for (struct ikev2_sa *sa = v2.all; sa; sa = next) {
		next = sa->all_next;
		int match = v2only ? v2_sa_match(sa, c) :
		            c->kind == CLEAR_ALL ||
		            (c->kind == CLEAR_REMOTE && sa46_same_addr(&sa->s.peer, &c->peer)) ||
		            (c->kind == CLEAR_USERNAME && !strcmp(sa->s.user, name)) ||
		            (c->kind == CLEAR_GROUP && !strcmp(sa->s.group_name, name));
		if (match && sa->state != V2_S_DEAD) {
			ikev2_sa_delete(sa, v2only ? "admin clear ikev2 sa" : "admin clear", 1);
			n++;
		}
	}
	if (v2only)
		log_info("clear crypto ikev2 sa: %d IKEv2 SA(s) deleted", n);
	else if (n)
		log_info("clear crypto session: %d IKEv2 session(s) deleted", n);
}

/* A new configuration (already copied over the old one, ike_reload.c): each SA finds its
 * profile again by the name it kept; a session whose profile went ends. */
void ikev2_reload(const struct vpnd_conf *nc)
{
	(void)nc;       /* ike.conf is the new one by now (ikev1_reload swapped it) */
	struct ikev2_sa *next;
	v2.certreq_made = 0;    /* the trust points may have changed */
	for (struct ikev2_sa *sa = v2.all; sa; sa = next) {
		next = sa->all_next;
		if (!sa->s.v2profile)
			continue;
		sa->s.v2profile = NULL;
		const struct conf_ikev2_profile *p = conf_find_v2_profile(ike.conf, sa->prof_name);
		if (!p) {
			ikev2_sa_delete(sa, "reload: ikev2 profile removed", 1);
			continue;
		}
		sa->s.v2profile = p;
	}
}
