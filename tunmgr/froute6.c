/*
 * A session's IPv6 networks from RADIUS (Framed-IPv6-Route, Delegated-IPv6-Prefix): keymgr
 * vetted them, but tunmgr installs nothing on another process's word alone, so the
 * configuration's rules (no default, no pool) are checked here again, and so are the host's
 * own IPv6 networks, which only the kernel knows. They are routed through the session's
 * interface and ride the SA of the client's IPv6 address, as IOS routes a delegated prefix
 * to the client.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "tunmgr/netlink.h"
#include "tunmgr/tunmgr.h"

#define LOCAL_NETS6_MAX 256

/* NULL when net/plen overlaps none of the host's IPv6 networks (or they cannot be read:
 * then it is refused, why says so). */
static const char *off_local(const struct in6_addr *net, int plen, char *why, size_t whylen)
{
	static struct in6_addr lnet[LOCAL_NETS6_MAX];
	static int lplen[LOCAL_NETS6_MAX];
	struct nl_nets6 l = { lnet, lplen, 0, LOCAL_NETS6_MAX };
	int rc = nl_local_nets6(dp.nl, &l);
	if (rc < 0) {
		snprintf(why, whylen, "the host's IPv6 networks cannot be read (%s)",
		         strerror(-rc));
		return why;
	}
	for (int i = 0; i < l.n; i++)
		if (netpolicy_overlap6(net, plen, &lnet[i], lplen[i])) {
			char ip[INET6_ADDRSTRLEN];
			snprintf(why, whylen, "it overlaps the hub's network %s/%d",
			         inet_ntop(AF_INET6, &lnet[i], ip, sizeof(ip)), lplen[i]);
			return why;
		}
	return NULL;
}

static void take(struct va *v, const char *what, const struct msg_route6 *r)
{
	char why[160], ip[INET6_ADDRSTRLEN];
	if (netpolicy_claimable6(dp.conf, &r->net, r->plen, why, sizeof(why)) ||
	    off_local(&r->net, r->plen, why, sizeof(why))) {
		log_warnx("session %u: %s %s/%d refused: %s", v->session_id, what,
		          inet_ntop(AF_INET6, &r->net, ip, sizeof(ip)), r->plen, why);
		return;
	}
	if (v->nfroute6 < MSG_ROUTES_MAX + 1)
		v->froute6[v->nfroute6++] = *r;
}

void froute6_take(struct va *v, const struct msg_authz *a)
{
	/* without an IPv6 address there is no SA to carry them */
	if (IN6_IS_ADDR_UNSPECIFIED(&a->addr6))
		return;
	for (int i = 0; i < a->nroute6 && i < MSG_ROUTES_MAX; i++)
		take(v, "Framed-IPv6-Route", &a->route6[i]);
	if (a->deleg6.plen)
		take(v, "Delegated-IPv6-Prefix", &a->deleg6);
}

/* A route that cannot be added is logged, the session goes on (as for Framed-Route). */
void froute6_install(struct va *v)
{
	char ip[INET6_ADDRSTRLEN];
	for (int i = 0; i < v->nfroute6; i++) {
		const struct msg_route6 *r = &v->froute6[i];
		int rc = nl_route6_add(dp.nl, v->ifindex, &r->net, r->plen);
		inet_ntop(AF_INET6, &r->net, ip, sizeof(ip));
		if (rc < 0)
			log_rl("%s: IPv6 route %s/%d not installed: %s", v->ifname, ip, r->plen,
			       strerror(-rc));
		else
			log_info("%s: IPv6 route %s/%d from RADIUS", v->ifname, ip, r->plen);
	}
}

int in_framed_route6(const struct va *v, const uint8_t a[16])
{
	struct in6_addr x;
	memcpy(&x, a, 16);
	for (int i = 0; i < v->nfroute6; i++)
		if (netpolicy_overlap6(&v->froute6[i].net, v->froute6[i].plen, &x, 128))
			return 1;
	return 0;
}
