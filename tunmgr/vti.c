/*
 * Static VTIs (interface TunnelN): each configured tunnel is a session of its own (struct va,
 * session id MSG_VTI_SESSION_BASE + N) on a routed TUN device named TunnelN itself (a valid
 * Linux name), made at start and at a reload that adds it, with the block's address (or the
 * address of the interface it is unnumbered to, as /32). ikemgr dials the destination and
 * installs SA pairs under that session; tunmgr takes them only for the tunnel's configured
 * destination with the selector 0.0.0.0/0 (what an IOS VTI negotiates), and routes the
 * file's `ip route ... TunnelN` through the device while a pair is in. The device and its
 * routes go with the fd at stop (non-persistent TUN) or when the tunnel leaves the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "tunmgr/netlink.h"
#include "tunmgr/tun.h"
#include "tunmgr/tunmgr.h"

#define VTI_ROUTES_MAX 64

struct vti_session {
	char           name[16];        /* TunnelN */
	struct in_addr dst;
	/* the file's routes through it that are in the kernel (while a pair is in) */
	struct { struct in_addr net; int plen; } rt[VTI_ROUTES_MAX];
	int            nrt;
};

static int plen_of(struct in_addr m)
{
	return __builtin_popcount(m.s_addr);
}

static uint32_t session_of(const char *name)
{
	return MSG_VTI_SESSION_BASE + (uint32_t)atoi(name + 6);
}

static void create(const struct conf_interface *c)
{
	struct vti_session *t = calloc(1, sizeof(*t));
	struct va *v = t ? va_new(session_of(c->name), 0) : NULL;

	if (!v) {
		free(t);
		log_warnx("%s: cannot make the tunnel (no memory or unit)", c->name);
		return;
	}
	/* TunnelN is not a Virtual-Access: its unit goes back, so the hub's vaN keep theirs */
	dp.units[v->unit] = 0;
	if (v->unit < dp.unit_hint)
		dp.unit_hint = v->unit;
	v->unit = 0;
	snprintf(t->name, sizeof(t->name), "%s", c->name);
	t->dst = c->tunnel_dst;
	v->vti = t;
	snprintf(v->ifname, sizeof(v->ifname), "%s", c->name);
	v->encap = ENCAP_RAW;
	sa46_from4(&v->peer, c->tunnel_dst, 0);
	imsg_compose(&dp.parent, IMSG_TUN_OPEN, v->session_id, -1, NULL, 0);
}

static const struct conf_interface *conf_of(const struct va *v)
{
	const struct conf_interface *c = conf_find_iface(dp.conf, v->vti->name);
	return c && c->is_vti && c->has_tunnel_dst && c->tunnel_dst.s_addr == v->vti->dst.s_addr
	       ? c : NULL;
}

/* The address of the device: its own, or the one it is unnumbered to, as /32. */
static int address(const struct conf_interface *c, struct in_addr *a, int *plen)
{
	const struct conf_interface *u;

	if (c->has_addr) {
		*a = c->addr;
		*plen = plen_of(c->mask);
		return 0;
	}
	if (c->unnumbered[0] && (u = conf_find_iface(dp.conf, c->unnumbered)) && u->has_addr) {
		*a = u->addr;
		*plen = 32;
		return 0;
	}
	if (c->unnumbered[0] && nl_iface_addr(dp.nl, conf_iface_device(dp.conf, c->unnumbered),
	                                      a, plen) == 0) {
		*plen = 32;
		return 0;
	}
	return -1;
}

/* In place of va_configure: the device up with its address; routes wait for an SA. */
void vti_configure(struct va *v, int fd)
{
	const struct conf_interface *c = conf_of(v);
	unsigned offloads;
	struct in_addr a;
	int plen, rc;

	if (!c) {
		close(fd);
		va_destroy(v->session_id);
		return;
	}
	if ((rc = tun_attach_vnet(fd, v->ifname, &v->ifindex, NULL, &offloads)) < 0) {
		log_warnx("cannot create %s: %s", v->ifname, strerror(-rc));
		va_destroy(v->session_id);
		return;
	}
	v->fd = rc;
	v->vnet = 1;
	/* IOS's tunnel MTU for ESP in a 1500-byte path; `ip mtu` sets another */
	int mtu = c->mtu ? c->mtu : 1400;
	nl_link_no_ipv6(dp.nl, v->ifindex);
	if ((rc = nl_link_set(dp.nl, v->ifindex, 1, mtu)) < 0) {
		log_warnx("cannot configure %s: %s", v->ifname, strerror(-rc));
		va_destroy(v->session_id);
		return;
	}
	if (address(c, &a, &plen) < 0)
		log_warnx("%s: no address to put on it (unnumbered to an interface without one)",
		          v->ifname);
	else if ((rc = nl_addr_add(dp.nl, v->ifindex, a, plen)) < 0 && rc != -EEXIST)
		log_warnx("%s: cannot add %s/%d: %s", v->ifname, inet_ntoa(a), plen, strerror(-rc));
	vti_settings(v);
	uv_poll_init(dp.loop, &v->poll, v->fd);
	v->poll.data = v;
	uv_poll_start(&v->poll, UV_READABLE, on_tun);
	v->polling = 1;
	log_info("%s up, mtu %d, toward %s: routes follow its IPsec SA", v->ifname, mtu,
	         inet_ntoa(v->vti->dst));
	if (v->in[0])
		vti_routes(v, 1);       /* a pair came before the device did */
}

void vti_settings(struct va *v)
{
	const struct conf_interface *c = conf_of(v);

	v->acl_in = c && c->acl_in[0] ? conf_find_acl(dp.conf, c->acl_in) : NULL;
	v->acl_out = c && c->acl_out[0] ? conf_find_acl(dp.conf, c->acl_out) : NULL;
	v->mss = c ? (uint16_t)c->tcp_mss : 0;
}

/* An SA from ikemgr: to this tunnel's destination, for everything, nothing else. */
int vti_sa_allowed(struct va *v, const struct msg_sa_add *a, int plen, char *why, size_t len)
{
	if (!conf_of(v)) {
		snprintf(why, len, "%s is no longer configured so", v->ifname);
		return -1;
	}
	if (a->peer.sa.sa_family != AF_INET || a->peer.sin.sin_addr.s_addr != v->vti->dst.s_addr) {
		snprintf(why, len, "not to its tunnel destination %s", inet_ntoa(v->vti->dst));
		return -1;
	}
	if (plen != 0 || a->sel_v6) {
		snprintf(why, len, "a static VTI carries 0.0.0.0/0 only");
		return -1;
	}
	return 0;
}

static int configured(const struct va *v, struct in_addr net, int plen)
{
	for (int k = 0; k < dp.conf->nroute && k < CONF_MAX_ROUTES; k++) {
		const struct conf_route *r = &dp.conf->route[k];
		if (!strcmp(r->ifname, v->vti->name) && r->prefix.s_addr == net.s_addr &&
		    plen_of(r->mask) == plen)
			return 1;
	}
	return 0;
}

/* The file's `ip route ... TunnelN` in the kernel (up) or out of it. Up again after a reload
 * takes out what the file no longer has and adds what it gained; the kernel drops them all
 * with the device. */
void vti_routes(struct va *v, int up)
{
	static const struct in_addr none;
	struct vti_session *t = v->vti;
	int added = 0, removed = 0, rc;

	if (v->ifindex <= 0)
		return;
	for (int i = 0; i < t->nrt; i++) {
		if (up && configured(v, t->rt[i].net, t->rt[i].plen))
			continue;
		rc = nl_route_del(dp.nl, v->ifindex, t->rt[i].net, t->rt[i].plen);
		if (rc < 0 && rc != -ESRCH)
			log_warnx("%s: cannot remove the route to %s/%d: %s", v->ifname,
			          inet_ntoa(t->rt[i].net), t->rt[i].plen, strerror(-rc));
		t->rt[i--] = t->rt[--t->nrt];
		removed++;
	}
	for (int k = 0; up && k < dp.conf->nroute && k < CONF_MAX_ROUTES; k++) {
		const struct conf_route *r = &dp.conf->route[k];
		int plen = plen_of(r->mask), i;
		if (strcmp(r->ifname, t->name))
			continue;
		for (i = 0; i < t->nrt; i++)
			if (t->rt[i].net.s_addr == r->prefix.s_addr && t->rt[i].plen == plen)
				break;
		if (i < t->nrt)
			continue;
		if (t->nrt == VTI_ROUTES_MAX) {
			log_warnx("%s: more than %d routes through it, %s/%d left out", v->ifname,
			          VTI_ROUTES_MAX, inet_ntoa(r->prefix), plen);
			continue;
		}
		rc = nl_route_add(dp.nl, v->ifindex, r->prefix, plen, none);
		if (rc < 0 && rc != -EEXIST) {
			log_warnx("%s: cannot route %s/%d through it: %s", v->ifname,
			          inet_ntoa(r->prefix), plen, strerror(-rc));
			continue;
		}
		t->rt[t->nrt].net = r->prefix;
		t->rt[t->nrt++].plen = plen;
		added++;
	}
	if (up && (added || removed))
		log_info("%s: routes through it: %d added, %d withdrawn", v->ifname, added, removed);
	else if (removed)
		log_info("%s: %d route%s withdrawn (no IPsec SA)", v->ifname, removed,
		         removed == 1 ? "" : "s");
}

void vti_teardown(struct va *v)
{
	log_info("%s (static VTI to %s) removed: %llu packets in, %llu out; dropped: %llu ICV, "
	         "%llu replay, %llu other", v->ifname, inet_ntoa(v->vti->dst),
	         (unsigned long long)v->pkts_in, (unsigned long long)v->pkts_out,
	         (unsigned long long)v->drop_auth, (unsigned long long)v->drop_replay,
	         (unsigned long long)v->drop_other);
	free(v->vti);
	v->vti = NULL;
}

/* Tunnels of the file that have no device yet get one; those gone from it (or whose
 * destination changed) lose theirs. */
void vti_sync(void)
{
	struct va *v, *next;

	for (v = LIST_FIRST(&dp.vas); v; v = next) {
		next = LIST_NEXT(v, entry);
		if (v->vti && !conf_of(v)) {
			log_info("%s: no longer configured as it was", v->ifname);
			va_destroy(v->session_id);
		} else if (v->vti && v->in[0]) {
			vti_routes(v, 1);       /* the file's routes as they are now */
		}
	}
	for (int k = 0; k < dp.conf->niface && k < CONF_MAX_IFACES; k++) {
		const struct conf_interface *c = &dp.conf->iface[k];
		if (c->is_vti && c->has_tunnel_dst && !va_by_session(session_of(c->name)))
			create(c);
	}
}
