/*
 * The session, whichever IKE version holds it (session.h): its interface, its row in the
 * parent's session store, its address lease, its RADIUS limits, its IPsec SAs leaving.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

int ike_session_same_client(const struct ike_session *o, const struct ike_session *s,
                            const char *user)
{
	return sa46_same_addr(&o->peer, &s->peer) &&
	       sa46_port(&o->peer) == sa46_port(&s->peer) && !strcmp(o->user, user) &&
	       !strcmp(o->group_name, s->group_name);
}

void ike_session_move(struct ike_session *to, struct ike_session *from)
{
	to->policy = from->policy;
	to->have_policy = 1;
	to->addr6_given = from->addr6_given;
	from->have_policy = 0;

	to->va_requested = from->va_requested;
	to->va_ready = from->va_ready;
	memcpy(to->ifname, from->ifname, sizeof(to->ifname));
	to->unit = from->unit;
	to->reported = from->reported;
	memcpy(to->child, from->child, sizeof(to->child));
	from->va_requested = from->va_ready = from->reported = 0;
	memset(from->child, 0, sizeof(from->child));
	to->esp_in_at = from->esp_in_at;
	to->esp_out_at = from->esp_out_at;
	to->esp_pkts_in = from->esp_pkts_in;
	to->esp_pkts_out = from->esp_pkts_out;
	/* the session store has one IKE SA row per session: it now describes the new SA, and
	 * the IPsec SA rows stay open under it */
	memcpy(to->rep_spi, from->rep_spi, sizeof(to->rep_spi));
	memset(from->rep_spi, 0, sizeof(from->rep_spi));
	from->rep_state = 0;
	to->rep_state = 0;
}

void ike_child_remove(struct ike_session *s, struct ike_child *c, const char *reason)
{
	struct msg_sa_del d = { s->id, c->spi_in, c->spi_out };
	ike.io.to_tunmgr(IMSG_SA_DEL, s->id, &d, sizeof(d));
	ike_report_child_gone(s, c->spi_in, reason);
	memset(c, 0, sizeof(*c));
}

int ike_session_vtemplate(const struct ike_session *s)
{
	return s->profile ? s->profile->virtual_template :
	       s->v2profile ? s->v2profile->virtual_template : 0;
}

const char *ike_session_profile_name(const struct ike_session *s)
{
	return s->profile ? s->profile->name : s->v2profile ? s->v2profile->name : "";
}

int ike_session_inner6(const struct ike_session *s)
{
	int n = ike_session_vtemplate(s);
	const struct conf_interface *vt = n ? conf_find_template(ike.conf, n) : NULL;
	return vt && conf_tunnel_inner6(vt);
}

const struct conf_ipsec_profile *ike_session_ipsec_profile(const struct ike_session *s)
{
	if (!ike_session_vtemplate(s))
		return NULL;
	const struct conf_interface *vt = conf_find_template(ike.conf,
	                                                     ike_session_vtemplate(s));
	if (!vt)
		return NULL;
	return conf_find_ipsec_profile(ike.conf, vt->protection);
}

/* RADIUS's Idle-Timeout for this user, else the ipsec profile's set security-association
 * idle-time (IOS tears the SA down; a DVTI session has nothing left without it) */
static int idle_limit(const struct ike_session *s, int up)
{
	if (!s->have_policy || !up)
		return 0;
	if (s->policy.idle_timeout > 0)
		return s->policy.idle_timeout;
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(s);
	return ip ? ip->idle_time : 0;
}

/* idle means no ESP either way (tunmgr's activity reports) */
static time_t idle_since(const struct ike_session *s, time_t begun)
{
	time_t last = begun;
	if (s->esp_in_at > last)
		last = s->esp_in_at;
	if (s->esp_out_at > last)
		last = s->esp_out_at;
	return last;
}

static int session_limit(const struct ike_session *s)
{
	return s->have_policy && s->policy.session_timeout > 0 ? s->policy.session_timeout : 0;
}

time_t ike_session_deadline(const struct ike_session *s, time_t begun, int up)
{
	time_t d = 0;
	if (session_limit(s))
		d = begun + session_limit(s);
	int idle = idle_limit(s, up);
	if (idle && (!d || idle_since(s, begun) + idle < d))
		d = idle_since(s, begun) + idle;
	return d;
}

/* Session-Timeout and Idle-Timeout from the RADIUS server end the session, as on IOS. */
const char *ike_session_expired(const struct ike_session *s, time_t begun, int up, time_t now)
{
	if (session_limit(s) && now - begun >= session_limit(s))
		return "session timeout";
	int idle = idle_limit(s, up);
	if (idle && now - idle_since(s, begun) >= idle)
		return s->policy.idle_timeout > 0 ? "idle timeout" : "idle timeout (SA idle-time)";
	return NULL;
}

void ike_session_request_va(struct ike_session *s, struct in_addr net, int plen)
{
	struct msg_va_create c;
	memset(&c, 0, sizeof(c));
	c.session_id = s->id;
	c.template_num = ike_session_vtemplate(s);
	c.client_addr = net;
	c.client_plen = plen;
	snprintf(c.user, sizeof(c.user), "%s", s->user);
	c.peer = s->peer;
	ike.io.to_tunmgr(IMSG_VA_CREATE, s->id, &c, sizeof(c));
	s->va_requested = 1;
}

void ike_session_va_ready(struct ike_session *s, const struct msg_va_created *r)
{
	memcpy(s->ifname, r->ifname, sizeof(s->ifname));
	s->unit = r->unit;
	s->va_ready = 1;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->child[i].used && s->child[i].installed) {
			ike_session_up(s, &s->child[i]);
			break;
		}
}

int ike_session_activity(struct ike_session *s, const struct msg_va_activity *a, time_t now)
{
	if (a->pkts_in != s->esp_pkts_in)
		s->esp_in_at = now;
	int sent = a->pkts_out != s->esp_pkts_out;
	if (sent)
		s->esp_out_at = now;
	s->esp_pkts_in = a->pkts_in;
	s->esp_pkts_out = a->pkts_out;
	return sent;
}

static void session_msg(const struct ike_session *s, const struct ike_child *c,
                        struct msg_session_up *m)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = s->id;
	snprintf(u.user, sizeof(u.user), "%s", s->user);
	snprintf(u.group, sizeof(u.group), "%s", s->group_name);
	snprintf(u.profile, sizeof(u.profile), "%s", ike_session_profile_name(s));
	u.peer = s->peer;
	u.local = s->local;
	u.assigned = s->policy.addr;
	memcpy(u.ifname, s->ifname, sizeof(u.ifname));
	u.unit = s->unit;
	uint8_t spi_i[8], spi_r[8];
	s->ops->ike_spis(s, spi_i, spi_r);
	memcpy(&u.ike_spi_i, spi_i, 8);
	memcpy(&u.ike_spi_r, spi_r, 8);
	u.esp_spi_in = c->spi_in;
	u.esp_spi_out = c->spi_out;
	snprintf(u.transform, sizeof(u.transform), "%s", esp_transform_name(c->encr, c->keylen,
	         c->auth));
	if (s->policy.class_len > 0 && s->policy.class_len <= (int)sizeof(u.class_)) {
		memcpy(u.class_, s->policy.class_, (size_t)s->policy.class_len);
		u.class_len = s->policy.class_len;
	}
	snprintf(u.acl_in, sizeof(u.acl_in), "%s", s->policy.inacl);
	snprintf(u.acl_out, sizeof(u.acl_out), "%s", s->policy.outacl);
	u.mtu = s->policy.mtu;
	u.tcp_mss = s->policy.tcp_mss;
	snprintf(u.acl6_in, sizeof(u.acl6_in), "%s", s->policy.inacl6);
	snprintf(u.acl6_out, sizeof(u.acl6_out), "%s", s->policy.outacl6);
	if (s->addr6_given)
		u.assigned6 = s->policy.addr6;
	u.deleg6 = s->policy.deleg6;
	*m = u;
}

/* The session store's row again, after a change to the session (CoA). */
void ike_session_changed(struct ike_session *s)
{
	if (!s->reported)
		return;
	for (int i = IKE_MAX_CHILD - 1; i >= 0; i--)
		if (s->child[i].used) {
			struct msg_session_up u;
			session_msg(s, &s->child[i], &u);
			ike.io.to_parent(IMSG_SESSION_UP, s->id, &u, sizeof(u));
			return;
		}
}

void ike_session_up(struct ike_session *s, const struct ike_child *c)
{
	if (s->reported || !s->va_ready)
		return;
	struct msg_session_up u;
	session_msg(s, c, &u);
	ike.io.to_parent(IMSG_SESSION_UP, s->id, &u, sizeof(u));
	s->reported = 1;
	s->ops->sync(s);
	ike.st.sessions_up++;
	char a[SA46_PORTSTRLEN], ip[INET_ADDRSTRLEN];
	sa46_ntop_port(&s->peer, a);
	inet_ntop(AF_INET, &s->policy.addr, ip, sizeof(ip));
	log_info("session %u up: user '%s' group '%s' peer %s address %s interface %s (%s)",
	         s->id, s->user, s->group_name, a, ip, s->ifname, u.transform);
}

int ike_session_end(struct ike_session *s, const char *reason)
{
	ike_report_gone(s, reason);
	if (s->va_requested) {
		struct msg_va_destroy d = { s->id };
		ike.io.to_tunmgr(IMSG_VA_DESTROY, s->id, &d, sizeof(d));
		s->va_requested = 0;
	}
	if (s->have_policy) {
		struct msg_session_end e;
		memset(&e, 0, sizeof(e));
		e.session_id = s->id;
		e.addr = s->policy.addr;
		e.addr6 = s->policy.addr6;
		snprintf(e.reason, sizeof(e.reason), "%s", reason);
		ike.io.to_keymgr(IMSG_SESSION_END_KEY, s->id, &e, sizeof(e));
		s->have_policy = 0;
	}
	int was_up = s->reported;
	if (was_up) {
		struct msg_session_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = s->id;
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
		ike.io.to_parent(IMSG_SESSION_DOWN, s->id, &d, sizeof(d));
		ike.st.sessions_down++;
		log_info("session %u down: %s", s->id, reason);
	}
	s->reported = 0;
	return was_up;
}
