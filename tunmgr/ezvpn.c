/*
 * Easy VPN remote sessions: this host dialled a server (crypto ipsec client ezvpn), ikemgr
 * negotiated and asks for the session's interface (IMSG_EZ_VA_CREATE). The request carries
 * the server's word, so it is held to the configuration and the host's networks first
 * (ezbounds.c); then a vaN from the ezvpn's Virtual-Template with the pushed address on it,
 * routes into it with that address as source (the split networks, or both halves of the
 * address space beside a host route to the peer, so IKE and ESP never enter the tunnel), and
 * in client mode the inside networks NATed behind the address (nat.c). The kernel drops the
 * routes through the vaN with it; the peer's host route and the NAT table are removed here.
 *
 * `interface LoopbackN` addresses go on lo at start and off at stop (only those added here,
 * labelled lo:vpnd so that the next start finds them after a crash; the peer's host route is
 * marked likewise, by its protocol).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "tunmgr/ezbounds.h"
#include "tunmgr/eztrap.h"
#include "tunmgr/nat.h"
#include "tunmgr/netlink.h"
#include "tunmgr/tunmgr.h"

#define EZ_LOCAL_MAX 1024       /* addresses on the host; more refuses the session */

struct ez_session {
	struct ez_accepted acc;
	char           name[64];
	struct in_addr peer;
	int            peer_oif;        /* > 0: we added the peer's host route out of it */
	int            nat;             /* the NAT table is ours to delete */
	uint64_t       drop_dst;        /* decrypted packets to elsewhere, from outside the splits */
};

static uint64_t ez_refused;

/* Backup servers keymgr accepted, per ezvpn name (IMSG_EZ_BACKUP_OK): peers of that ezvpn too.
 * Kept for the run (a reload's new configuration is checked against them only by name). */
static struct {
	char           name[64];
	struct in_addr addr[MSG_EZ_BACKUP_MAX];
	int            n;
} vouched[CONF_MAX_EZVPN];

void ez_backup_ok(const struct msg_ez_backup *m)
{
	int k, free_slot = -1;
	if (!memchr(m->ezvpn, 0, sizeof(m->ezvpn)) || m->n < 0 || m->n > MSG_EZ_BACKUP_MAX)
		return;
	for (k = 0; k < CONF_MAX_EZVPN; k++) {
		if (vouched[k].name[0] && !strcmp(vouched[k].name, m->ezvpn))
			break;
		if (!vouched[k].name[0] && free_slot < 0)
			free_slot = k;
	}
	if (k == CONF_MAX_EZVPN && (k = free_slot) < 0)
		return;
	snprintf(vouched[k].name, sizeof(vouched[k].name), "%s", m->ezvpn);
	memcpy(vouched[k].addr, m->addr, sizeof(m->addr[0]) * (size_t)m->n);
	vouched[k].n = m->n;
	log_info("ezvpn %s: %d backup server%s accepted on keymgr's word", m->ezvpn, m->n,
	         m->n == 1 ? "" : "s");
}

static const struct in_addr *vouched_for(const char *name, int *n)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (vouched[k].name[0] && !strcmp(vouched[k].name, name)) {
			*n = vouched[k].n;
			return vouched[k].addr;
		}
	*n = 0;
	return NULL;
}

static void ez_refuse(const struct msg_ez_va *m, int err, const char *why)
{
	struct va tmp = { .session_id = m->session_id };
	ez_refused++;
	log_warnx("ezvpn %.63s: interface for session %u refused: %s (%llu refused so far)",
	          m->ezvpn, m->session_id, why, (unsigned long long)ez_refused);
	va_reply(&tmp, err);
}

static int local_nets(struct ez_net *out, int *n)
{
	static struct in_addr net[EZ_LOCAL_MAX];
	static int plen[EZ_LOCAL_MAX];
	struct nl_nets l = { net, plen, 0, EZ_LOCAL_MAX };
	int rc = nl_local_nets(dp.nl, &l);
	if (rc < 0)
		return rc;
	for (int i = 0; i < l.n; i++) {
		out[i].plen = plen[i];
		out[i].net.s_addr = net[i].s_addr & ez_mask(plen[i]);
	}
	*n = l.n;
	return 0;
}

void ez_va_create(const struct msg_ez_va *m)
{
	static struct ez_net local[EZ_LOCAL_MAX];
	char why[160];
	int nlocal = 0, rc;

	if (m->session_id >= MSG_VTI_SESSION_BASE) {
		ez_refuse(m, EINVAL, "the session id is one the configuration's tunnels use");
		return;
	}
	if (va_by_session(m->session_id)) {
		ez_refuse(m, EEXIST, "the session has an interface already");
		return;
	}
	if ((rc = local_nets(local, &nlocal)) < 0) {
		snprintf(why, sizeof(why), "cannot read the host's addresses: %s", strerror(-rc));
		ez_refuse(m, -rc, why);
		return;
	}
	struct ez_session *ez = calloc(1, sizeof(*ez));
	if (ez == NULL) {
		ez_refuse(m, ENOMEM, "out of memory");
		return;
	}
	int nv = 0;
	const struct in_addr *vch = memchr(m->ezvpn, 0, sizeof(m->ezvpn)) ? vouched_for(m->ezvpn, &nv)
	                                                                 : NULL;
	if ((rc = ez_bounds(dp.conf, m, local, nlocal, vch, nv, &ez->acc, why, sizeof(why))) != 0) {
		free(ez);
		ez_refuse(m, rc, why);
		return;
	}
	snprintf(ez->name, sizeof(ez->name), "%s", m->ezvpn);
	ez->peer = sa46_in4(&m->peer);
	/* one session per ezvpn: its routes and NAT table are the ezvpn's */
	struct va *o;
	LIST_FOREACH(o, &dp.vas, entry)
		if (o->ez && strcmp(o->ez->name, ez->name) == 0) {
			free(ez);
			snprintf(why, sizeof(why), "session %u holds it already", o->session_id);
			ez_refuse(m, EBUSY, why);
			return;
		}
	struct va *v = va_new(m->session_id, ez->acc.ez->virtual_interface);
	if (v == NULL) {
		free(ez);
		return;
	}
	v->ez = ez;
	v->peer = m->peer;
	/* the first route: the one nl_va_setup adds (and routes_flush deletes at stop) */
	v->client = ez->acc.nsplit ? ez->acc.split[0].net : (struct in_addr){ 0 };
	v->client_plen = ez->acc.nsplit ? ez->acc.split[0].plen : 1;
	if (ez->acc.mode == EZ_MODE_CLIENT) {
		if (ez_nat_add(ez->name, v->ifname, ez->acc.addr, ez->acc.inside,
		               ez->acc.ninside) < 0) {
			ez_refused++;
			log_warnx("ezvpn %s: session %u refused: no NAT for the inside networks",
			          ez->name, m->session_id);
			va_reply(v, EIO);
			va_destroy(v->session_id);
			return;
		}
		ez->nat = 1;
	}
	va_open(v);
	ez_trap_sync();         /* a connect acl trap goes: the session's routes take over */
}

int ez_has_session(const char *ezvpn)
{
	struct va *v;
	LIST_FOREACH(v, &dp.vas, entry)
		if (v->ez && strcmp(v->ez->name, ezvpn) == 0)
			return 1;
	return 0;
}

/* In place of the hub's nl_va_setup: the pushed address as the interface's (the donor) and
 * the routes' source. */
int ez_setup(struct va *v, struct nl_va *s)
{
	struct ez_session *ez = v->ez;
	char ip[INET_ADDRSTRLEN];
	int rc;

	s->donor = ez->acc.addr;
	if (ez->acc.nsplit == 0) {
		/* everything but the peer: its host route first, through whatever the kernel
		 * uses now (asked before any route of ours exists), so that IKE and ESP to it
		 * never enter the tunnel */
		struct in_addr gw;
		int oif;
		if ((rc = nl_route_get(dp.nl, ez->peer, &oif, &gw)) < 0) {
			log_warnx("%s: no route to the peer %s: %s", v->ifname, inet_ntoa(ez->peer),
			          strerror(-rc));
			return rc;
		}
		struct va *o;
		LIST_FOREACH(o, &dp.vas, entry)
			if (o->ifindex == oif) {
				log_warnx("%s: the peer %s is reached through %s, a tunnel", v->ifname,
				          inet_ntoa(ez->peer), o->ifname);
				return -ELOOP;
			}
		rc = nl_route_add_via(dp.nl, oif, ez->peer, 32, gw);
		if (rc < 0 && rc != -EEXIST) {
			log_warnx("%s: cannot add the peer's host route: %s", v->ifname, strerror(-rc));
			return rc;
		}
		if (rc == 0)
			ez->peer_oif = oif;     /* an existing one is the operator's */
	}
	if ((rc = nl_va_setup(dp.nl, s)) < 0)
		return rc;
	if (ez->acc.nsplit == 0) {
		struct in_addr upper = { htonl(0x80000000u) };
		if ((rc = nl_route_add(dp.nl, v->ifindex, upper, 1, ez->acc.addr)) < 0)
			return rc;
	}
	for (int i = 1; i < ez->acc.nsplit; i++)
		if ((rc = nl_route_add(dp.nl, v->ifindex, ez->acc.split[i].net, ez->acc.split[i].plen,
		                       ez->acc.addr)) < 0)
			return rc;
	inet_ntop(AF_INET, &ez->acc.addr, ip, sizeof(ip));
	log_info("%s: ezvpn %s to %s, %s%s%s, %s", v->ifname, ez->name, inet_ntoa(ez->peer),
	         ez->acc.mode == EZ_MODE_CLIENT ? "client mode" :
	         ez->acc.mode == EZ_MODE_NETWORK_PLUS ? "network-plus" : "network-extension",
	         ez->acc.addr.s_addr ? " " : "", ez->acc.addr.s_addr ? ip : "",
	         ez->acc.nsplit ? "split networks" : "all traffic");
	return 0;
}

void ez_teardown(struct va *v)
{
	struct ez_session *ez = v->ez;
	if (ez->peer_oif > 0 && nl_route_del(dp.nl, ez->peer_oif, ez->peer, 32) < 0)
		log_warnx("%s: the peer's host route %s/32 is gone already", v->ifname,
		          inet_ntoa(ez->peer));
	if (ez->nat)
		ez_nat_del(ez->name);
	if (ez->drop_dst)
		log_info("%s: ezvpn %s: %llu decrypted packets from or to elsewhere dropped",
		         v->ifname, ez->name, (unsigned long long)ez->drop_dst);
	free(ez);
	v->ez = NULL;
	ez_trap_sync();         /* a connect acl ezvpn waits for traffic again */
}

int ez_sel_allowed(struct va *v, const struct msg_sa_add *a, int plen, char *why,
                   size_t whylen)
{
	/* the SA's ESP goes to the server this session was accepted for, nowhere else */
	if (a->peer.sa.sa_family != AF_INET || a->peer.sin.sin_addr.s_addr != v->ez->peer.s_addr) {
		snprintf(why, whylen, "ezvpn %s: not to the session's peer %s", v->ez->name,
		         inet_ntoa(v->ez->peer));
		return -1;
	}
	if (ez_sel_ok(&v->ez->acc, a->sel_net, plen))
		return 0;
	snprintf(why, whylen, "ezvpn %s: %s", v->ez->name, v->ez->acc.nsplit ?
	         "neither 0.0.0.0/0 nor a split network accepted" : "not 0.0.0.0/0 (no split networks)");
	return -1;
}

int ez_inbound(struct va *v, uint32_t src, uint32_t dst)
{
	if (ez_inbound_ok(&v->ez->acc, src, dst))
		return 1;
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &src, s, sizeof(s));
	inet_ntop(AF_INET, &dst, d, sizeof(d));
	v->ez->drop_dst++;
	log_rl("%s: decrypted packet %s > %s dropped: not this ezvpn client's", v->ifname, s, d);
	return 0;
}

/* Loopback addresses this run added (one put there by someone else stays theirs). */
static struct {
	struct in_addr a;
	int            plen;
} lo_added[CONF_MAX_IFACES];
static int nlo_added;

static int mask_plen(struct in_addr m)
{
	int n = 0;
	for (uint32_t h = ntohl(m.s_addr); h & 0x80000000u; h <<= 1)
		n++;
	return n;
}

/* the label of our addresses on lo, how the next run knows them after a crash */
#define LO_LABEL "lo:vpnd"

void ez_start(void)
{
	int lo = (int)if_nametoindex("lo");
	/* what a killed run left outside its interfaces: peers' host routes, Loopback addresses */
	int n = nl_route_sweep(dp.nl);
	if (n > 0)
		log_info("ezvpn: %d host route%s left by an earlier run removed", n, n == 1 ? "" : "s");
	n = lo > 0 ? nl_addr_sweep(dp.nl, lo, LO_LABEL) : 0;
	if (n > 0)
		log_info("%d Loopback address%s left on lo by an earlier run removed", n,
		         n == 1 ? "" : "es");
	for (int i = 0; i < dp.conf->niface && nlo_added < CONF_MAX_IFACES; i++) {
		const struct conf_interface *f = &dp.conf->iface[i];
		if (!f->is_loopback || !f->has_addr)
			continue;
		int plen = mask_plen(f->mask);
		int rc = lo > 0 ? nl_addr_add_label(dp.nl, lo, f->addr, plen, LO_LABEL) : -ENODEV;
		if (rc == 0) {
			lo_added[nlo_added].a = f->addr;
			lo_added[nlo_added++].plen = plen;
			log_info("%s: %s/%d on lo", f->name, inet_ntoa(f->addr), plen);
		} else if (rc != -EEXIST) {
			log_warnx("%s: cannot put %s/%d on lo: %s", f->name, inet_ntoa(f->addr), plen,
			          strerror(-rc));
		}
	}
	ez_nat_init();
	ez_trap_sync();
}

void ez_stop(void)
{
	int lo = (int)if_nametoindex("lo");
	for (int i = 0; i < nlo_added; i++)
		if (nl_addr_del(dp.nl, lo, lo_added[i].a, lo_added[i].plen) < 0)
			log_warnx("%s/%d: not on lo any more", inet_ntoa(lo_added[i].a),
			          lo_added[i].plen);
	nlo_added = 0;
	ez_nat_fini();
	if (ez_refused)
		log_info("ezvpn: %llu interface requests refused", (unsigned long long)ez_refused);
}
