/*
 * Virtual-access interfaces: one non-persistent TUN interface per session (vaN, alias
 * Virtual-AccessN), cloned from its Virtual-Template, configured over rtnetlink, removed with
 * its session. The kernel drops its routes with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "tunmgr/authz.h"
#include "tunmgr/netlink.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tun.h"
#include "tunmgr/tunmgr.h"

struct va *va_by_session(uint32_t id)
{
	return sadb_lookup(dp.by_session, id);
}

static int template_mtu(const struct conf_interface *t, int outer6)
{
	if (t && t->mtu)
		return t->mtu;
	/* Worst case over the template's transform sets: outer IP (IPv4 20, IPv6 40 bytes) + UDP
	 * + ESP overhead. */
	size_t worst = esp_overhead_max(ESP_ENCR_AES_CBC, ESP_AUTH_HMAC_SHA512_256);
	const struct conf_ipsec_profile *ip = t ? conf_find_ipsec_profile(dp.conf, t->protection)
	                                        : NULL;
	if (ip) {
		worst = 0;
		for (int i = 0; i < ip->ntset; i++) {
			const struct conf_transform_set *ts = conf_find_tset(dp.conf, ip->tset[i]);
			if (ts && esp_overhead_max(ts->encr, ts->auth) > worst)
				worst = esp_overhead_max(ts->encr, ts->auth);
		}
	}
	return 1500 - (outer6 ? 40 : 20) - 8 - (int)worst;
}

void va_reply(struct va *v, int status)
{
	struct msg_va_created r;
	memset(&r, 0, sizeof(r));
	r.session_id = v->session_id;
	r.status = status;
	if (!status) {
		r.ifindex = v->ifindex;
		r.unit = v->unit;
		memcpy(r.ifname, v->ifname, sizeof(r.ifname));
	}
	imsg_compose(&dp.ike, IMSG_VA_CREATED, v->session_id, -1, &r, sizeof(r));
}

static void va_unlink(struct va *v)
{
	LIST_REMOVE(v, entry);
	va_forget(v);
	sadb_remove(dp.by_session, v->session_id);
	dp.units[v->unit] = 0;
	if (v->unit < dp.unit_hint)
		dp.unit_hint = v->unit;
}

/* The session's own access list (RADIUS, CoA) in place of the template's; one gone after a
 * reload fails closed rather than let the session run unfiltered. */
static const struct conf_acl *session_acl(const struct va *v, const char *own, const char *tpl,
                                          const char *dir)
{
	static const struct conf_acl deny_all;   /* no entries: the implicit deny */
	if (!own[0])
		return tpl[0] ? conf_find_acl(dp.conf, tpl) : NULL;
	const struct conf_acl *a = conf_find_acl(dp.conf, own);
	if (a)
		return a;
	log_rl("%s: access list %s is no longer configured, denying all %s the client", v->ifname,
	       own, dir);
	return &deny_all;
}

/* The same for an ipv6 traffic-filter */
static const struct conf_acl6 *session_acl6(const struct va *v, const char *own, const char *tpl,
                                            const char *dir)
{
	static const struct conf_acl6 deny_all;
	if (!own[0])
		return tpl[0] ? conf_find_acl6(dp.conf, tpl) : NULL;
	const struct conf_acl6 *a = conf_find_acl6(dp.conf, own);
	if (a)
		return a;
	log_rl("%s: ipv6 access list %s is no longer configured, denying all IPv6 %s the client",
	       v->ifname, own, dir);
	return &deny_all;
}

/* What a virtual-access interface takes from its template while it lives (IOS applies template
 * changes to the cloned interfaces too): access lists and the MSS clamp. */
void va_template_apply(struct va *v)
{
	if (v->vti) {
		vti_settings(v);        /* its own block, not a template */
		return;
	}
	const struct conf_interface *t = conf_find_template(dp.conf, v->template_num);
	v->acl_in = session_acl(v, v->acl_in_name, t ? t->acl_in : "", "from");
	v->acl_out = session_acl(v, v->acl_out_name, t ? t->acl_out : "", "to");
	v->acl6_in = session_acl6(v, v->acl6_in_name, t ? t->acl6_in : "", "from");
	v->acl6_out = session_acl6(v, v->acl6_out_name, t ? t->acl6_out : "", "to");
	v->mss = v->own_mss > 0 ? (uint16_t)v->own_mss :
	         t && t->tcp_mss > 0 ? (uint16_t)t->tcp_mss : 0;
	v->mss6 = t && t->tcp_mss6 > 0 ? (uint16_t)t->tcp_mss6 : 0;
}

/* keymgr's verdict on a session, new or changed by a CoA-Request: a live interface's
 * access lists are in force from the next packet. */
void on_authz(const struct msg_authz *m)
{
	if (authz_set(m) < 0)
		fatal("authz");
	struct va *v = va_by_session(m->session_id);
	const struct msg_authz *a = authz_get(m->session_id);
	if (!v || !a || (!strcmp(v->acl_in_name, a->acl_in) && !strcmp(v->acl_out_name, a->acl_out) &&
	                 !strcmp(v->acl6_in_name, a->acl6_in) && !strcmp(v->acl6_out_name, a->acl6_out)))
		return;
	snprintf(v->acl_in_name, sizeof(v->acl_in_name), "%s", a->acl_in);
	snprintf(v->acl_out_name, sizeof(v->acl_out_name), "%s", a->acl_out);
	snprintf(v->acl6_in_name, sizeof(v->acl6_in_name), "%s", a->acl6_in);
	snprintf(v->acl6_out_name, sizeof(v->acl6_out_name), "%s", a->acl6_out);
	va_template_apply(v);
	log_info("%s: inbound access list now %s", v->ifname,
	         v->acl_in_name[0] ? v->acl_in_name : "the template's");
}

static void va_refuse(uint32_t session_id, const char *why)
{
	struct va tmp = { .session_id = session_id };
	log_warnx("interface for session %u refused: %s", session_id, why);
	va_reply(&tmp, EPERM);
}

/* A session's interface before its TUN exists: a unit, an entry in the tables. NULL (and
 * the refusal sent) when none is free. */
struct va *va_new(uint32_t session_id, int template_num)
{
	struct va *v = calloc(1, sizeof(*v));
	int unit = 0;
	for (int i = dp.unit_hint > 0 ? dp.unit_hint : 1; i < MAX_UNITS; i++)
		if (!dp.units[i]) {
			unit = i;
			break;
		}
	/* session ids are never 0 (ikemgr skips it); the table refuses it like SPI 0 */
	if (!v || !unit || sadb_insert(dp.by_session, session_id, v) < 0) {
		struct va tmp = { .session_id = session_id };
		va_reply(&tmp, ENOSPC);
		free(v);
		return NULL;
	}
	v->session_id = session_id;
	v->unit = unit;
	v->template_num = template_num;
	v->fd = -1;
	snprintf(v->ifname, sizeof(v->ifname), "va%d", unit);
	dp.units[unit] = 1;
	dp.unit_hint = unit + 1;
	LIST_INSERT_HEAD(&dp.vas, v, entry);
	return v;
}

/* The parent opens /dev/net/tun for it (root only); va_configure goes on when it comes. */
void va_open(struct va *v)
{
	va_template_apply(v);
	imsg_compose(&dp.parent, IMSG_TUN_OPEN, v->session_id, -1, NULL, 0);
}

/* The interface is made in two steps: /dev/net/tun is root-only, so the parent opens it for
 * us (IMSG_TUN_OPEN); we attach and configure with CAP_NET_ADMIN when the fd arrives. SAs
 * that arrive in between are kept on the session. */
void va_create(const struct msg_va_create *c)
{
	if (c->session_id >= MSG_VTI_SESSION_BASE) {
		va_refuse(c->session_id, "the session id is one the configuration's tunnels use");
		return;
	}
	const struct msg_authz *a = authz_get(c->session_id);
	if (!a) {
		if (authz_park(c) < 0)
			va_refuse(c->session_id, "keymgr has not authorized it");
		return;
	}
	/* ikemgr asks; keymgr's verdict and the configuration decide */
	char why[160];
	int plen = c->client_plen > 0 && c->client_plen <= 32 ? c->client_plen : 32;
	if (a->addr.s_addr ? c->client_addr.s_addr != a->addr.s_addr || plen != 32
	                   : authz_check_net(dp.conf, a, c->client_addr, plen, why, sizeof(why)) != NULL) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &c->client_addr, ip, sizeof(ip));
		if (a->addr.s_addr)
			snprintf(why, sizeof(why), "not the address keymgr gave it");
		char msg[240];
		snprintf(msg, sizeof(msg), "%s/%d: %s", ip, plen, why);
		va_refuse(c->session_id, msg);
		return;
	}
	if (va_by_session(c->session_id)) {
		va_refuse(c->session_id, "it has one already");
		return;
	}
	struct va *v = va_new(c->session_id, c->template_num);
	if (!v)
		return;
	v->client = c->client_addr;
	v->client_plen = plen;
	/* ikemgr's word, and only for the size of the outer header in the MTU */
	v->outer6 = sa46_is6(&c->peer);
	snprintf(v->acl_in_name, sizeof(v->acl_in_name), "%s", a->acl_in);
	snprintf(v->acl_out_name, sizeof(v->acl_out_name), "%s", a->acl_out);
	snprintf(v->acl6_in_name, sizeof(v->acl6_in_name), "%s", a->acl6_in);
	snprintf(v->acl6_out_name, sizeof(v->acl6_out_name), "%s", a->acl6_out);
	v->own_mtu = a->mtu >= 68 && a->mtu <= 9216 ? a->mtu : 0;
	v->own_mss = a->tcp_mss >= 500 && a->tcp_mss <= 1460 ? a->tcp_mss : 0;
	for (int i = 0; i < a->nroute; i++) {
		/* keymgr vetted them; the configuration is checked here again all the same */
		if (netpolicy_claimable(dp.conf, a->route[i].net, a->route[i].plen, why,
		                        sizeof(why))) {
			log_warnx("session %u: Framed-Route %s/%d refused: %s", c->session_id,
			          inet_ntoa(a->route[i].net), a->route[i].plen, why);
			continue;
		}
		v->froute[v->nfroute++] = a->route[i];
	}
	froute6_take(v, a);
	va_open(v);
}

/* A request that waited for keymgr's verdict. */
void va_create_authorized(const struct msg_va_create *c, int ok)
{
	if (ok)
		va_create(c);
	else
		va_refuse(c->session_id, "keymgr has not authorized it");
}

/* What the kernel took, said once a run: it is the same for every interface. */
static void log_offloads(unsigned got)
{
	static int said;
	if (said++)
		return;
	log_info("TUN offloads:%s%s%s%s", got & TUN_F_CSUM ? " checksum" : "",
	         got & TUN_F_TSO4 ? " tso4" : "", got & TUN_F_TSO_ECN ? " tso-ecn" : "",
	         got ? "" : " none (packets come whole)");
}

void va_configure(struct va *v, int fd)
{
	const struct conf_interface *t = conf_find_template(dp.conf, v->template_num);
	unsigned offloads;
	int rc = tun_attach_vnet(fd, v->ifname, &v->ifindex, NULL, &offloads);
	if (rc < 0) {
		log_rl("cannot create %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	v->fd = rc;
	v->vnet = 1;
	log_offloads(offloads);
	char alias[32];
	snprintf(alias, sizeof(alias), "Virtual-Access%d", v->unit);
	int mtu = v->own_mtu ? v->own_mtu : template_mtu(t, v->outer6);
	struct in_addr donor = { 0 };
	int plen;
	const struct conf_interface *u = t && t->unnumbered[0] ?
		conf_find_iface(dp.conf, t->unnumbered) : NULL;
	const char *udev = u ? conf_iface_device(dp.conf, u->name) : t ? t->unnumbered : NULL;
	/* a Loopback's address is the one its interface block gives (lo holds several); so is
	 * that of an IOS-named interface no device was found for */
	if (u && u->has_addr && (u->is_loopback || (conf_iface_is_ios(u->name) && !u->device[0])))
		donor = u->addr;
	else if (t && t->unnumbered[0] && nl_iface_addr(dp.nl, udev, &donor, &plen) < 0)
		log_rl("%s: ip unnumbered %s: that interface has no IPv4 address", v->ifname,
		          t->unnumbered);
	struct nl_va setup = { .ifindex = v->ifindex, .alias = alias, .mtu = mtu, .donor = donor,
	                       .client = v->client, .client_plen = v->client_plen,
	                       .group = dp.link_group };
	rc = v->ez ? ez_setup(v, &setup) : nl_va_setup(dp.nl, &setup);
	if (rc < 0) {
		log_rl("cannot configure %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	/* Framed-Route: a route that cannot be added is logged, the session goes on (the
	 * client's own address is routed) */
	for (int i = 0; i < v->nfroute; i++) {
		int r = nl_route_add(dp.nl, v->ifindex, v->froute[i].net, v->froute[i].plen, donor);
		if (r < 0)
			log_rl("%s: Framed-Route %s/%d not installed: %s", v->ifname,
			       inet_ntoa(v->froute[i].net), v->froute[i].plen, strerror(-r));
		else
			log_info("%s: Framed-Route %s/%d", v->ifname, inet_ntoa(v->froute[i].net),
			         v->froute[i].plen);
	}
	froute6_install(v);
	uv_poll_init(dp.loop, &v->poll, v->fd);
	v->poll.data = v;
	uv_poll_start(&v->poll, UV_READABLE, on_tun);
	v->polling = 1;
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &v->client, ip, sizeof(ip));
	log_info("%s (%s) created for session %u, mtu %d, route %s/%d", v->ifname, alias,
	         v->session_id, mtu, ip, v->client_plen);
	va_reply(v, 0);
	return;
fail:
	va_reply(v, rc < 0 ? -rc : EIO);
	va_destroy(v->session_id);
}

static void on_poll_closed(uv_handle_t *h)
{
	free(h->data);
}


void va_destroy(uint32_t session_id)
{
	struct va *v = va_by_session(session_id);
	if (!v)
		return;
	va_unlink(v);
	natt_ka_stop(v);
	if (v->ez)
		ez_teardown(v);
	int quiet = v->cm != NULL || v->vti != NULL;     /* cm_teardown, vti_teardown say it */
	if (v->cm)
		cm_teardown(v);
	if (v->vti)
		vti_teardown(v);
	send_counters(v, 1);
	dp.drop_auth_gone += v->drop_auth;
	dp.drop_replay_gone += v->drop_replay;
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i]) {
			if (!quiet)
				sa_counters(v, v->in[i], 1);
			sa_in_free(v->in[i]);
		}
	for (int i = 0; i < v->nouts; i++) {
		if (v->outs[i].out)
			esp_sa_free(v->outs[i].out);
		if (v->outs[i].pending)
			esp_sa_free(v->outs[i].pending);
	}
	if (dp.gro_va == v) {
		gro_reset(&dp.gro);
		dp.gro_va = NULL;
	}
	if (!quiet)
		log_info("%s (Virtual-Access%d) removed: %llu packets in, %llu out, %llu TSO reads "
		         "cut, %llu coalesced writes", v->ifname, v->unit,
		         (unsigned long long)v->pkts_in, (unsigned long long)v->pkts_out,
		         (unsigned long long)v->tso_in, (unsigned long long)v->gro_out);
	/* The fd is closed now, not in the close callback: the kernel deletes the interface
	 * and its routes at the close, and a reload that replaces a device asks for the same
	 * name again before the loop turns (EBUSY otherwise). A stopped poll handle has left
	 * epoll already. */
	if (v->polling)
		uv_poll_stop(&v->poll);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	if (v->polling)
		uv_close((uv_handle_t *)&v->poll, on_poll_closed);
	else
		free(v);
}

