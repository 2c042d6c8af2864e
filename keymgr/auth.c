/*
 * The secrets side of IKE: SKEYID = prf(PSK, Ni_b | Nr_b) for the group named in the peer's
 * KEY_ID, and XAUTH through the profile's aaa method lists (local users, RADIUS groups).
 * Only derived values leave this process; keys and passwords never do.
 *
 * A question that needs RADIUS is parked in a struct pending and resumed when the client's
 * answer comes back on the loop; the answer then goes to ikemgr through the sender keymgr.c
 * registered. Questions answered from the file alone are answered at once, as before.
 *
 * Method lists follow IOS: a method that answers (accept or reject) ends the walk; only a
 * method that cannot answer (every server of the group silent or dead) passes to the next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "common/ike_crypto.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static const struct vpnd_conf *kconf;
static keymgr_send_fn send_fn;

#define SESS_MAX      4096
#define SESS_STALE    300     /* seconds a group look-up or a challenge is kept */
#define MAX_PENDING   1024    /* questions waiting on RADIUS at once */

/*
 * What keymgr keeps per IKE SA between questions: the group policy a RADIUS look-up returned
 * at phase 1 (its key already used and wiped), the State of an open challenge, and the Class
 * of the accepted user (for accounting).
 */
struct sess_rec {
	uint32_t sa_id;
	time_t   at;
	int      has_group;
	struct rad_attrs group;
	uint8_t  state[RAD_STR_MAX];
	size_t   state_len;
	uint8_t  class_[RAD_STR_MAX];
	size_t   class_len;
	struct sess_rec *next;
};
static struct sess_rec *sessions;
static int nsessions, npending;

static void sess_free(struct sess_rec *r)
{
	explicit_bzero(r, sizeof(*r));
	free(r);
}

static struct sess_rec *sess_find(uint32_t sa_id, int create)
{
	time_t now = time(NULL);
	struct sess_rec **pp = &sessions, *r;
	while ((r = *pp)) {
		if (r->sa_id == sa_id) {
			r->at = now;
			return r;
		}
		/* a look-up or a challenge nobody came back for */
		if (!r->class_len && now - r->at > SESS_STALE) {
			*pp = r->next;
			sess_free(r);
			nsessions--;
			continue;
		}
		pp = &r->next;
	}
	if (!create || nsessions >= SESS_MAX || !(r = calloc(1, sizeof(*r))))
		return NULL;
	r->sa_id = sa_id;
	r->at = now;
	r->next = sessions;
	sessions = r;
	nsessions++;
	return r;
}

static void sess_drop(uint32_t sa_id)
{
	for (struct sess_rec **pp = &sessions, *r; (r = *pp); pp = &r->next)
		if (r->sa_id == sa_id) {
			*pp = r->next;
			sess_free(r);
			nsessions--;
			return;
		}
}

void keymgr_init(const struct vpnd_conf *conf)
{
	kconf = conf;
	pool_init(conf);
	pool6_init(conf);
	lockout_init(conf, NULL);
	while (sessions) {
		struct sess_rec *n = sessions->next;
		sess_free(sessions);
		sessions = n;
	}
	nsessions = 0;
}

void keymgr_reload(const struct vpnd_conf *nc)
{
	radius_reload_begin();
	memcpy((struct vpnd_conf *)kconf, nc, sizeof(*kconf));
	radius_reload_end();
	pool_reload(kconf);
	pool6_reload(kconf);
	lockout_reload();
}

void keymgr_set_sender(keymgr_send_fn fn)
{
	send_fn = fn;
}

size_t keymgr_class(uint32_t sa_id, uint8_t *out, size_t outsz)
{
	struct sess_rec *r = sess_find(sa_id, 0);
	if (!r || r->class_len > outsz)
		return 0;
	memcpy(out, r->class_, r->class_len);
	return r->class_len;
}

enum { Q_SKEYID = 1, Q_XAUTH };
enum { P_GROUP = 1, P_USER, P_DONE };

/* One question from ikemgr, possibly waiting on RADIUS. */
struct pending {
	int      kind;
	uint32_t peerid;
	struct msg_skeyid_req sk;
	struct msg_xauth_req  xa;
	int      phase;
	int      author_i, authen_i;
	const struct conf_group *lg;      /* group from the file */
	int      v2;                      /* an IKEv2 SA v2auth.c judged: the profile's group */
	const struct conf_ikev2_author *v2a;   /* its authorization policy from the file */
	struct rad_attrs ga;              /* or from RADIUS */
	int      have_ga;
	struct rad_attrs ua;              /* per-user attributes from the Access-Accept */
	int      have_ua;
	struct msg_skeyid_res *sk_out;    /* answered in the caller's frame while not parked */
	struct msg_xauth_res  *xa_out;
	int      parked;
	int      local_judged;            /* the local user database said no */
	int      locked;                  /* refused by lockout.c, not by a password */
	struct radius_job job;
};

static void pending_free(struct pending *q)
{
	explicit_bzero(q, sizeof(*q));
	free(q);
}

static void resume(struct pending *q);

static void job_done(struct radius_job *j)
{
	struct pending *q = j->arg;
	npending--;
	resume(q);
	/* with an answer buffer, q is run by start() further up this stack (RADIUS in the
	 * caller's thread), which frees it */
	if (q->phase == P_DONE && !q->sk_out && !q->xa_out)
		pending_free(q);
}

static void ask_radius(struct pending *q, const char *server_group, const char *user,
                       const char *password, uint32_t sa_id, const union sa46 *peer)
{
	struct radius_job *j = &q->job;
	memset(j, 0, sizeof(*j));
	snprintf(j->group, sizeof(j->group), "%s", server_group);
	snprintf(j->user, sizeof(j->user), "%s", user);
	snprintf(j->password, sizeof(j->password), "%s", password);
	j->peer = *peer;
	j->session_id = sa_id;
	struct sess_rec *r = q->kind == Q_XAUTH && q->phase == P_USER ? sess_find(sa_id, 0) : NULL;
	if (r && r->state_len) {
		memcpy(j->state, r->state, r->state_len);
		j->state_len = r->state_len;
		r->state_len = 0;
	}
	j->done = job_done;
	j->arg = q;
	npending++;
	q->parked = 1;
	radius_submit(j);
}

static uint32_t q_sa(const struct pending *q)
{
	return q->kind == Q_SKEYID ? q->sk.sa_id : q->xa.sa_id;
}

static const char *q_group(const struct pending *q, char *buf, size_t bufsz)
{
	if (q->kind == Q_SKEYID) {
		size_t n = q->sk.id_len < bufsz - 1 ? q->sk.id_len : bufsz - 1;
		memcpy(buf, q->sk.id, n);
		buf[n] = 0;
		if (memchr(buf, 0, n))
			buf[0] = 0;
	} else {
		memcpy(buf, q->xa.group, bufsz < sizeof(q->xa.group) ? bufsz : sizeof(q->xa.group));
		buf[bufsz - 1] = 0;
	}
	return buf;
}

/* The authorization list for the group: the profile's (XAUTH names it; at phase 1 it comes
 * from the profile that matches the group). NULL = the file's groups only. */
static const struct conf_aaa_list *author_list(const struct pending *q, const char *group)
{
	const char *name = NULL;
	if (q->kind == Q_XAUTH) {
		name = q->xa.author_list[0] ? q->xa.author_list : NULL;
	} else {
		const struct conf_isakmp_profile *pr = conf_find_profile_for_group(kconf, group);
		name = pr && pr->isakmp_auth_list[0] ? pr->isakmp_auth_list : NULL;
	}
	return name ? conf_find_aaa(kconf, AAA_AUTHOR_NETWORK, name) : NULL;
}

/* The group from the file: a client configuration group, or for IKEv2 an authorization
 * policy. 1 found, -1 not (why). */
static int local_group(struct pending *q, const char *group, char *why, size_t whylen)
{
	if (q->v2) {
		if ((q->v2a = conf_find_v2_author(kconf, group)))
			return 1;
		snprintf(why, whylen, "unknown ikev2 authorization policy '%s'", group);
		return -1;
	}
	if ((q->lg = conf_find_group(kconf, group)))
		return 1;
	snprintf(why, whylen, "unknown group '%s'", group);
	return -1;
}

/*
 * Finds the group's policy. Returns 1 when found (q->lg or q->ga), 0 when parked on RADIUS,
 * -1 when refused (why says so).
 */
static int group_step(struct pending *q, const char *group, char *why, size_t whylen)
{
	const struct conf_aaa_list *l = author_list(q, group);
	struct sess_rec *r;

	if (!l)
		return local_group(q, group, why, whylen);
	/* a look-up answered at phase 1 serves the rest of the SA */
	if ((r = sess_find(q_sa(q), 0)) && r->has_group) {
		q->ga = r->group;
		q->have_ga = 1;
		return 1;
	}
	if (q->parked) {
		/* back from RADIUS */
		q->parked = 0;
		struct radius_job *j = &q->job;
		if (j->result == RAD_ACCEPT) {
			q->ga = j->attrs;
			q->have_ga = 1;
			if (j->attrs.bad_avpairs)
				log_warnx("group '%s' from RADIUS server %s: %d malformed ipsec: "
				          "attribute(s) ignored", group, j->server, j->attrs.bad_avpairs);
			if ((r = sess_find(q_sa(q), 1))) {
				r->group = j->attrs;
				explicit_bzero(r->group.key, sizeof(r->group.key));
				r->group.has_key = 0;
				r->has_group = 1;
			}
			return 1;
		}
		if (j->result != RAD_ERROR) {
			snprintf(why, whylen, "group '%s' refused by RADIUS server %s", group, j->server);
			return -1;
		}
		log_warnx("group '%s': server group '%s' did not answer (%s), trying the next method",
		          group, l->group[q->author_i], j->why);
		q->author_i++;
	}
	for (; q->author_i < l->nmethod; q->author_i++) {
		if (l->method[q->author_i] == AAA_METHOD_LOCAL)
			return local_group(q, group, why, whylen);
		const union sa46 *peer = q->kind == Q_SKEYID ? &q->sk.peer : &q->xa.peer;
		ask_radius(q, l->group[q->author_i], group, kconf->radius_group_password, q_sa(q), peer);
		return 0;
	}
	snprintf(why, whylen, "no method of authorization list '%s' answered for group '%s'",
	         l->name, group);
	return -1;
}

/* The user's password. Returns 1 accepted, 0 parked, -1 refused, -2 challenged. */
static int user_step(struct pending *q, char *why, size_t whylen, int *status)
{
	const char *list = q->xa.auth_list;
	const struct conf_aaa_list *l = list[0] ? conf_find_aaa(kconf, AAA_AUTHEN_LOGIN, list) : NULL;
	int methods = l ? l->nmethod : 1;
	*status = XAUTH_BAD_CREDENTIALS;

	if (!q->parked && q->authen_i == 0 &&
	    lockout_refused(q->xa.user, &q->xa.peer, why, whylen)) {
		q->locked = 1;
		return -1;
	}

	if (q->parked) {
		q->parked = 0;
		struct radius_job *j = &q->job;
		switch (j->result) {
		case RAD_ACCEPT:
			q->ua = j->attrs;
			q->have_ua = 1;
			return 1;
		case RAD_REJECT:
			snprintf(why, whylen, "rejected by RADIUS server %s", j->server);
			return -1;
		case RAD_CHALLENGE: {
			struct sess_rec *r = sess_find(q->xa.sa_id, 1);
			if (!r || !j->attrs.state_len) {
				snprintf(why, whylen, "challenge from RADIUS server %s without State",
				         j->server);
				return -1;
			}
			memcpy(r->state, j->attrs.state, j->attrs.state_len);
			r->state_len = j->attrs.state_len;
			snprintf(why, whylen, "%s", j->attrs.reply_message[0] ? j->attrs.reply_message :
			         "Enter the next code");
			return -2;
		}
		}
		if (q->authen_i + 1 >= methods) {
			/* ikemgr logs this once, with the reason, and tells the client */
			*status = XAUTH_ERROR;
			snprintf(why, whylen, "no authentication server answered (%.150s)", j->why);
			return -1;
		}
		log_warnx("user '%s': server group '%s' did not answer (%s), trying the next method",
		          q->xa.user, l->group[q->authen_i], j->why);
		q->authen_i++;
	}
	for (; q->authen_i < methods; q->authen_i++) {
		int m = l ? l->method[q->authen_i] : AAA_METHOD_LOCAL;
		if (m == AAA_METHOD_LOCAL) {
			const struct conf_user *u = conf_find_user(kconf, q->xa.user);
			q->local_judged = 1;
			if (u && passwd_verify(u, q->xa.password))
				return 1;
			snprintf(why, whylen, u ? "bad password" : "unknown user");
			return -1;
		}
		ask_radius(q, l->group[q->authen_i], q->xa.user, q->xa.password, q->xa.sa_id,
		           &q->xa.peer);
		return 0;
	}
	*status = XAUTH_ERROR;
	snprintf(why, whylen, "no authentication server answered (list '%s')", list);
	return -1;
}

/* The group's split-dns domains as Unity's one comma-separated value (what does not fit in
 * the message is left out whole, never cut inside a name). */
static void split_dns_join(const struct conf_group *g, struct msg_policy *p)
{
	size_t n = 0;
	p->split_dns[0] = 0;
	for (int k = 0; k < g->nsplit_dns; k++) {
		size_t l = strlen(g->split_dns[k]);
		if (n + (n ? 1 : 0) + l + 1 > sizeof(p->split_dns)) {
			log_warnx("group '%s': split-dns %s does not fit, left out", g->name,
			          g->split_dns[k]);
			continue;
		}
		if (n)
			p->split_dns[n++] = ',';
		memcpy(p->split_dns + n, g->split_dns[k], l + 1);
		n += l;
	}
}

void policy_split_from_acl(const struct conf_acl *acl, struct msg_policy *p)
{
	for (int i = 0; acl && i < acl->nace && p->nsplit < MSG_SPLIT_MAX; i++) {
		const struct conf_ace *e = &acl->ace[i];
		if (!e->permit)
			continue;
		/* IOS takes the source network of each permit line as a protected network. */
		p->split[p->nsplit].net = e->src;
		p->split[p->nsplit].mask = e->srcmask;
		p->nsplit++;
	}
}

/*
 * RADIUS ip:interface-config lines (the group's, then the user's) parsed as template lines
 * onto the session's own interface settings. A line that cannot be applied is logged and
 * skipped, except an access-group or ipv6 traffic-filter: running without the filter the
 * server asked for would give the user more than allowed, so the session is refused (-1, why).
 */
static int interface_config(const struct rad_attrs *ga, const struct rad_attrs *ua,
                            struct msg_policy *p, uint32_t sa_id, char *why, size_t whylen)
{
	struct conf_interface ifc;
	const struct rad_attrs *src[2] = { ga, ua };

	memset(&ifc, 0, sizeof(ifc));
	for (int s = 0; s < 2; s++)
		for (int k = 0; src[s] && k < src[s]->nifcfg && k < RAD_MAX_IFCFG; k++) {
			const char *line = src[s]->ifcfg[k];
			char err[160];
			if (conf_iface_line(kconf, &ifc, line, err, sizeof(err)) == 0)
				continue;
			if (strstr(line, "access-group") || strstr(line, "traffic-filter")) {
				int n = snprintf(why, whylen, "ip:interface-config '%s' from RADIUS cannot "
				                 "be applied: ", line);
				if (n > 0 && (size_t)n < whylen)
					snprintf(why + n, whylen - (size_t)n, "%.*s", (int)(whylen - (size_t)n - 1),
					         err);
				return -1;
			}
			log_warnx("session %u: ip:interface-config '%s' from RADIUS ignored: %s", sa_id,
			          line, err);
		}
	p->mtu = ifc.mtu;
	p->tcp_mss = ifc.tcp_mss;
	if (ifc.acl_in[0])
		snprintf(p->inacl, sizeof(p->inacl), "%s", ifc.acl_in);
	if (ifc.acl_out[0])
		snprintf(p->outacl, sizeof(p->outacl), "%s", ifc.acl_out);
	snprintf(p->inacl6, sizeof(p->inacl6), "%s", ifc.acl6_in);
	snprintf(p->outacl6, sizeof(p->outacl6), "%s", ifc.acl6_out);
	return 0;
}

/* Group policy (file or RADIUS), then the user's attributes over it. */
static void build_policy(struct pending *q, const char *group, struct msg_xauth_res *res)
{
	const struct conf_group *g = q->lg;
	const struct rad_attrs *ga = q->have_ga ? &q->ga : NULL;
	const struct rad_attrs *ua = q->have_ua ? &q->ua : NULL;
	const struct conf_ikev2_author *v2a = q->v2a;
	if (!g && !ga && !v2a) {        /* the group look-up succeeded one way or the other by now */
		res->status = XAUTH_ERROR;
		snprintf(res->message, sizeof(res->message), "no policy for group '%s'", group);
		return;
	}
	const char *pool = g ? g->pool : v2a ? v2a->pool : ga->pool;
	int max_users = g ? g->max_users : v2a ? 0 : ga->max_users > 0 ? ga->max_users : 0;
	struct msg_policy *p = &res->policy;
	const struct msg_xauth_req *rq = &q->xa;

	int nrep = rq->nreplaces < 0 ? 0 : rq->nreplaces > MSG_REPLACES_MAX ? MSG_REPLACES_MAX
	                                                                     : rq->nreplaces;
	/* An IKEv2 session logs in as its IKE identity (the user show crypto session names); an
	 * IKEv1 group look-up without XAUTH as nobody. Either counts against the group's
	 * max-users (RADIUS ipsec:max-users for an IKEv2 authorization from RADIUS: an
	 * authorization policy has no such limit, as on IOS). */
	const struct v2_judged *vj = q->v2 ? v2_judged_find(rq->sa_id) : NULL;
	const char *login = vj ? vj->user : rq->authorize_only ? "" : rq->user;
	if (logins_check(group, login, max_users,
	                 g ? g->max_logins : 0, rq->replaces, nrep, res->message,
	                 sizeof(res->message)) < 0) {
		res->status = XAUTH_REFUSED;
		return;
	}
	/* A per-user access list must exist here: one that cannot be applied refuses the session
	 * (running it unfiltered would give the user more than the server allowed). */
	const char *acl = ua && ua->inacl[0] ? ua->inacl : ua && ua->filter_id[0] ? ua->filter_id :
	                  ga && ga->inacl[0] ? ga->inacl : "";
	if (acl[0] && !conf_find_acl(kconf, acl)) {
		res->status = XAUTH_REFUSED;
		snprintf(res->message, sizeof(res->message),
		         "access list '%s' from RADIUS is not configured here", acl);
		return;
	}
	snprintf(p->inacl, sizeof(p->inacl), "%s", acl);
	/* the networks behind the client: the user's, else its group's (RADIUS or the file) */
	const char *nem = ua && ua->nem_acl[0] ? ua->nem_acl : ga && ga->nem_acl[0] ? ga->nem_acl :
	                  g ? g->nem_acl : "";
	if (nem[0] && !conf_find_acl(kconf, nem)) {
		res->status = XAUTH_REFUSED;
		snprintf(res->message, sizeof(res->message),
		         "network-extension access list '%s' is not configured here", nem);
		return;
	}
	snprintf(p->nem_acl, sizeof(p->nem_acl), "%s", nem);
	if (interface_config(ga, ua, p, rq->sa_id, res->message, sizeof(res->message)) < 0) {
		res->status = XAUTH_REFUSED;
		return;
	}
	if (ua) {
		for (int k = 0; k < ua->nroute && p->nroute < MSG_ROUTES_MAX; k++) {
			char why[160], net[INET_ADDRSTRLEN];
			/* the server may route networks to a user, but never the hub's own, a pool
			 * or a default: those would take other people's traffic */
			if (netpolicy_claimable(kconf, ua->route[k].net, ua->route[k].plen, why,
			                        sizeof(why))) {
				inet_ntop(AF_INET, &ua->route[k].net, net, sizeof(net));
				log_warnx("session %u: Framed-Route %s/%d refused: %s", rq->sa_id, net,
				          ua->route[k].plen, why);
				continue;
			}
			p->route[p->nroute].net = ua->route[k].net;
			p->route[p->nroute].plen = ua->route[k].plen;
			p->nroute++;
		}
		if (ua->bad_routes)
			log_warnx("session %u: %d Framed-Route value%s from RADIUS ignored (malformed, "
			          "a default route, or more than %d)", rq->sa_id, ua->bad_routes,
			          ua->bad_routes == 1 ? "" : "s", RAD_MAX_ROUTES);
	}
	if (ua && ua->framed_ip.s_addr) {
		/* Framed-IP-Address: the server chose the address; a pool holding it skips it */
		if (pool_claim(rq->sa_id, ua->framed_ip) < 0) {
			char ip[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &ua->framed_ip, ip, sizeof(ip));
			res->status = XAUTH_NO_ADDRESS;
			snprintf(res->message, sizeof(res->message),
			         "Framed-IP-Address %s is in use by another session", ip);
			return;
		}
		p->addr = ua->framed_ip;
	} else if (v2a && !pool[0]) {
		res->status = XAUTH_NO_ADDRESS;
		snprintf(res->message, sizeof(res->message), "ikev2 authorization policy '%s' has "
		         "no pool", v2a->name);
		return;
	} else if (!pool[0] || pool_alloc(pool, rq->sa_id, &p->addr) < 0) {
		res->status = XAUTH_NO_ADDRESS;
		snprintf(res->message, sizeof(res->message), "no free address in pool '%s'", pool);
		return;
	}
	addr6_assign(kconf, rq->sa_id, g, ua, &p->addr6);
	routes6_assign(kconf, rq->sa_id, ua, p);
	if (v2a) {
		v2_author_fill(kconf, v2a, rq->sa_id, p);
	} else if (g) {
		p->netmask = g->netmask;
		p->ndns = g->ndns;
		memcpy(p->dns, g->dns, sizeof(p->dns));
		p->ndns6 = g->ndns6;
		memcpy(p->dns6, g->dns6, sizeof(p->dns6));
		p->nwins = g->nwins;
		memcpy(p->wins, g->wins, sizeof(p->wins));
		snprintf(p->domain, sizeof(p->domain), "%s", g->domain);
		split_dns_join(g, p);
		snprintf(p->banner, sizeof(p->banner), "%s", g->banner);
		p->save_password = g->save_password;
		p->pfs = g->pfs;
		if (g->acl[0])
			policy_split_from_acl(conf_find_acl(kconf, g->acl), p);
	} else {
		p->ndns = ga->ndns;
		memcpy(p->dns, ga->dns, sizeof(p->dns));
		p->nwins = ga->nwins;
		memcpy(p->wins, ga->wins, sizeof(p->wins));
		snprintf(p->domain, sizeof(p->domain), "%s", ga->domain);
		snprintf(p->banner, sizeof(p->banner), "%s", ga->banner);
		p->save_password = ga->save_password > 0;
		p->pfs = ga->pfs > 0;
		if (ga->split_acl[0]) {
			const struct conf_acl *acl = conf_find_acl(kconf, ga->split_acl);
			if (!acl)
				log_warnx("group '%s': split-tunnel-list '%s' from RADIUS is not a "
				          "defined access list, ignored", group, ga->split_acl);
			policy_split_from_acl(acl, p);
		}
	}
	dns6_assign(rq->sa_id, ga, ua, p);
	if (ua) {
		if (ua->framed_mask.s_addr)
			p->netmask = ua->framed_mask;
		p->session_timeout = ua->session_timeout;
		p->idle_timeout = ua->idle_timeout;
		if (ua->class_len && ua->class_len <= sizeof(p->class_)) {
			memcpy(p->class_, ua->class_, ua->class_len);
			p->class_len = (int32_t)ua->class_len;
		}
		if (ua->class_len) {
			struct sess_rec *r = sess_find(rq->sa_id, 1);
			if (r) {
				memcpy(r->class_, ua->class_, ua->class_len);
				r->class_len = ua->class_len;
			}
		}
	}
	res->status = XAUTH_OK;
	logins_add(rq->sa_id, group, login);
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &p->addr, ip, sizeof(ip));
	const struct v2_judged *j = vj;
	if (j)
		log_info("session %u: IKEv2 identity '%s' profile '%s' authorization '%s' accepted, "
		         "address %s", rq->sa_id, j->user, j->profile, group, ip);
	else
		log_info("session %u: %s '%s' group '%s' accepted, address %s", rq->sa_id,
		         rq->authorize_only ? "group" : "user", rq->authorize_only ? group : rq->user,
		         group, ip);
}

static void skeyid_answer(struct pending *q, const char *group, struct msg_skeyid_res *res)
{
	const char *key = q->lg ? (q->lg->has_key ? q->lg->key : NULL) :
	                  q->ga.has_key ? q->ga.key : NULL;
	const struct msg_skeyid_req *rq = &q->sk;
	size_t len = 0;

	if (!key) {
		log_rl("no pre-shared key for identity '%s': answered with a decoy key", group);
		keymgr_decoy_skeyid(rq, group, res);
		return;
	}
	if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)key, strlen(key), rq->ni, rq->ni_len,
	                   rq->nr, rq->nr_len, res->skeyid, &len) < 0 || len > sizeof(res->skeyid)) {
		res->status = KEY_ERROR;
		return;
	}
	res->skeyid_len = (uint16_t)len;
	res->status = KEY_OK;
}

/* Runs q as far as it goes; answers when it is done (phase P_DONE). Never frees q: its
 * callers do, so they may still read it. */
static void resume(struct pending *q)
{
	char group[MSG_GROUP_MAX], why[192];
	int rc, status = XAUTH_REFUSED;
	struct msg_skeyid_res skr;
	struct msg_xauth_res *xr = NULL;

	q_group(q, group, sizeof(group));
	why[0] = 0;
	if (q->phase == P_GROUP) {
		rc = group_step(q, group, why, sizeof(why));
		if (rc == 0)
			return;
		if (rc > 0 && q->kind == Q_XAUTH)
			q->phase = q->xa.authorize_only ? P_DONE : P_USER;
		else
			q->phase = P_DONE;
		if (rc < 0)
			goto refused;
	}
	if (q->phase == P_USER) {
		rc = user_step(q, why, sizeof(why), &status);
		if (rc == 0)
			return;
		if ((rc == 1 || (rc == -1 && status == XAUTH_BAD_CREDENTIALS)) && !q->locked)
			lockout_result(q->xa.user, &q->xa.peer, rc == 1, q->local_judged);
		if (rc == -2) {
			status = XAUTH_CHALLENGED;
			goto refused;
		}
		if (rc < 0)
			goto refused;
		if (group_lock_refused(conf_find_group(kconf, group), q->xa.user,
		                       q->have_ua ? q->ua.user_vpn_group : NULL, why, sizeof(why))) {
			status = XAUTH_REFUSED;   /* no second try: the password was right */
			goto refused;
		}
		q->phase = P_DONE;
	}

	/* done: answer */
	if (q->kind == Q_SKEYID) {
		struct msg_skeyid_res *res = q->sk_out ? q->sk_out : &skr;
		memset(res, 0, sizeof(*res));
		res->sa_id = q->sk.sa_id;
		res->status = KEY_NO_KEY;
		skeyid_answer(q, group, res);
		if (!q->sk_out && send_fn)
			send_fn(IMSG_SKEYID_RES, q->peerid, res, sizeof(*res));
		explicit_bzero(&skr, sizeof(skr));
	} else {
		xr = q->xa_out ? q->xa_out : calloc(1, sizeof(*xr));
		if (!xr)
			fatal("calloc");
		memset(xr, 0, sizeof(*xr));
		xr->sa_id = q->xa.sa_id;
		build_policy(q, group, xr);
		if (!q->xa_out && send_fn)
			send_fn(IMSG_XAUTH_RES, q->peerid, xr, sizeof(*xr));
		if (!q->xa_out)
			free(xr);
	}
	q->phase = P_DONE;
	return;

refused:
	if (q->kind == Q_SKEYID) {
		struct msg_skeyid_res *res = q->sk_out ? q->sk_out : &skr;
		memset(res, 0, sizeof(*res));
		res->sa_id = q->sk.sa_id;
		res->status = KEY_NO_KEY;
		/* the peer learns nothing from it: it gets a decoy SKEYID (decoy.c) */
		log_rl("no pre-shared key for identity '%s': %s; answered with a decoy key", group,
		       why);
		keymgr_decoy_skeyid(&q->sk, group, res);
		if (!q->sk_out && send_fn)
			send_fn(IMSG_SKEYID_RES, q->peerid, res, sizeof(*res));
	} else {
		xr = q->xa_out ? q->xa_out : calloc(1, sizeof(*xr));
		if (!xr)
			fatal("calloc");
		memset(xr, 0, sizeof(*xr));
		xr->sa_id = q->xa.sa_id;
		xr->status = status;
		snprintf(xr->message, sizeof(xr->message), "%s", why);
		if (!q->xa_out && send_fn)
			send_fn(IMSG_XAUTH_RES, q->peerid, xr, sizeof(*xr));
		if (!q->xa_out)
			free(xr);
	}
	q->phase = P_DONE;
}

static struct pending *pending_new(int kind, uint32_t peerid)
{
	if (npending >= MAX_PENDING)
		return NULL;
	struct pending *q = calloc(1, sizeof(*q));
	if (!q)
		fatal("calloc");
	q->kind = kind;
	q->peerid = peerid;
	q->phase = P_GROUP;
	return q;
}

/* Runs q in the caller's frame; returns 1 when it parked (the answer comes later). */
static int start(struct pending *q)
{
	resume(q);
	if (q->phase == P_DONE) {
		pending_free(q);
		return 0;
	}
	q->sk_out = NULL;
	q->xa_out = NULL;
	return 1;
}

/* Main mode: the key by the peer's address and the local address it reached (keyring.c);
 * no RADIUS involved, so answered at once. */
static void skeyid_by_address(const struct msg_skeyid_req *rq, struct msg_skeyid_res *res)
{
	struct key_choice kc;
	char pa[SA46_STRLEN], la[SA46_STRLEN];
	size_t len = 0;

	sa46_ntop(&rq->peer, pa);
	sa46_ntop(&rq->local, la);
	if (keymgr_key_by_addr(kconf, &rq->local, &rq->peer, &kc) < 0) {
		log_warnx("no pre-shared key for peer %s reaching %s", pa, la);
		return;
	}
	if (kc.profile)
		snprintf(res->profile, sizeof(res->profile), "%s", kc.profile->name);
	if (kc.keyring)
		snprintf(res->keyring, sizeof(res->keyring), "%s", kc.keyring->name);
	if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)kc.key, strlen(kc.key), rq->ni,
	                   rq->ni_len, rq->nr, rq->nr_len, res->skeyid, &len) < 0 ||
	    len > sizeof(res->skeyid)) {
		res->status = KEY_ERROR;
		return;
	}
	res->skeyid_len = (uint16_t)len;
	res->status = KEY_OK;
	/* the networks it may claim if it turns out to be a site-to-site peer */
	authz_grant_s2s(rq->sa_id, kc.profile);
}

int keymgr_skeyid_q(uint32_t peerid, const struct msg_skeyid_req *rq, struct msg_skeyid_res *res)
{
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = KEY_NO_KEY;
	if (rq->id_len > MSG_ID_MAX || rq->id_len >= MSG_GROUP_MAX || rq->ni_len > MSG_NONCE_MAX ||
	    rq->nr_len > MSG_NONCE_MAX) {
		res->status = KEY_ERROR;
		return 0;
	}
	if (rq->ezvpn[0]) {
		keymgr_ez_skeyid(kconf, rq, res);
		return 0;
	}
	if (rq->vti[0]) {
		keymgr_vti_skeyid(kconf, rq, res);
		return 0;
	}
	if (rq->by_address) {
		skeyid_by_address(rq, res);
		return 0;
	}
	struct pending *q = pending_new(Q_SKEYID, peerid);
	if (!q) {
		log_rl("too many questions waiting on RADIUS: SKEYID for session %u refused", rq->sa_id);
		return 0;
	}
	q->sk = *rq;
	q->sk_out = res;
	return start(q);
}

int keymgr_xauth_q(uint32_t peerid, const struct msg_xauth_req *rq, struct msg_xauth_res *res)
{
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	struct pending *q = pending_new(Q_XAUTH, peerid);
	if (!q) {
		res->status = XAUTH_ERROR;
		snprintf(res->message, sizeof(res->message), "too many authentications in progress");
		return 0;
	}
	q->xa = *rq;
	q->xa.user[sizeof(q->xa.user) - 1] = 0;
	q->xa.group[sizeof(q->xa.group) - 1] = 0;
	q->xa.password[sizeof(q->xa.password) - 1] = 0;
	q->xa.auth_list[sizeof(q->xa.auth_list) - 1] = 0;
	q->xa.author_list[sizeof(q->xa.author_list) - 1] = 0;
	char why[160];
	switch (v2_xauth_prepare(kconf, &q->xa, why, sizeof(why))) {
	case 1: {
		q->v2 = 1;
		/* EAP's own Access-Accept as the user's attributes (aaa authorization user eap
		 * cached): only for an SA judged by EAP, which is the only one it is kept for */
		const struct v2_judged *vj = v2_judged_find(rq->sa_id);
		if (vj && vj->kind == V2_AAA_EAP && v2eap_cached_take(rq->sa_id, &q->ua))
			q->have_ua = 1;
		break;
	}
	case -1:
		pending_free(q);
		res->status = XAUTH_REFUSED;
		snprintf(res->message, sizeof(res->message), "%s", why);
		log_warnx("SA %u: authorization refused: %s", rq->sa_id, why);
		return 0;
	}
	q->xa_out = res;
	return start(q);
}

void keymgr_skeyid(const struct msg_skeyid_req *rq, struct msg_skeyid_res *res)
{
	keymgr_skeyid_q(0, rq, res);
}

void keymgr_xauth(const struct msg_xauth_req *rq, struct msg_xauth_res *res)
{
	keymgr_xauth_q(0, rq, res);
}

void keymgr_session_end(const struct msg_session_end *e)
{
	pool_release(e->session_id, e->addr);
	pool6_release(e->session_id, &e->addr6);
	logins_del(e->session_id);
	authz_revoke(e->session_id);
	sess_drop(e->session_id);
	v2_judged_drop(e->session_id);
	v2eap_drop(e->session_id);
}
