/*
 * A session's IPv6 address: the RADIUS server's Framed-IPv6-Address (or a /128
 * Framed-IPv6-Prefix), else one from its Framed-IPv6-Pool, else from the group's ipv6 pool.
 * IPv6 is an addition: whatever fails here leaves the session IPv4 only, never refused
 * (as a full ipv6 pool does). The networks RADIUS routes to the client (Framed-IPv6-Route,
 * Delegated-IPv6-Prefix) ride the SA of that address, so they need one.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

/* Global unicast or unique local: never one the client could not own (link-local,
 * multicast, loopback, unspecified, IPv4-mapped or -compatible). */
static int addr6_assignable(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_SITELOCAL(a) &&
	       !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_V4COMPAT(a);
}

void addr6_assign(const struct vpnd_conf *c, uint32_t sa_id, const struct conf_group *g,
                  const struct rad_attrs *ua, struct in6_addr *out)
{
	char ip[INET6_ADDRSTRLEN];
	const char *pool6 = g ? g->pool6 : "";

	if (ua && ua->bad_v6)
		log_warnx("session %u: %d IPv6 attribute%s from RADIUS ignored (malformed, a "
		          "prefix shorter than /128, or a third DNS server)", sa_id, ua->bad_v6,
		          ua->bad_v6 == 1 ? "" : "s");
	if (ua && !IN6_IS_ADDR_UNSPECIFIED(&ua->framed_ip6)) {
		inet_ntop(AF_INET6, &ua->framed_ip6, ip, sizeof(ip));
		if (!addr6_assignable(&ua->framed_ip6))
			log_warnx("session %u: Framed-IPv6-Address %s refused: not a global unicast "
			          "or unique local address; IPv4 only", sa_id, ip);
		else if (pool6_claim(sa_id, &ua->framed_ip6) < 0)
			log_warnx("session %u: Framed-IPv6-Address %s is in use by another session; "
			          "IPv4 only", sa_id, ip);
		else
			*out = ua->framed_ip6;
		return;
	}
	if (ua && ua->framed_pool6[0]) {
		if (!conf_find_pool6(c, ua->framed_pool6)) {
			log_warnx("session %u: Framed-IPv6-Pool '%s' is not an ipv6 local pool here; "
			          "IPv4 only", sa_id, ua->framed_pool6);
			return;
		}
		pool6 = ua->framed_pool6;
	}
	if (pool6[0] && pool6_alloc(pool6, sa_id, out) < 0)
		log_warnx("session %u: no free address in ipv6 pool '%s', IPv4 only", sa_id, pool6);
}

/* One network for the client, if the configuration allows it; 0 when it does not. */
static int route6_allowed(const struct vpnd_conf *c, uint32_t sa_id, const char *what,
                          const struct in6_addr *net, int plen)
{
	char why[160], ip[INET6_ADDRSTRLEN];
	/* the server may route networks to a user, but never a default, a pool or anything
	 * not unicast: those would take other people's traffic */
	if (!netpolicy_claimable6(c, net, plen, why, sizeof(why)))
		return 1;
	log_warnx("session %u: %s %s/%d refused: %s", sa_id, what,
	          inet_ntop(AF_INET6, net, ip, sizeof(ip)), plen, why);
	return 0;
}

void routes6_assign(const struct vpnd_conf *c, uint32_t sa_id, const struct rad_attrs *ua,
                    struct msg_policy *p)
{
	if (!ua)
		return;
	if (ua->bad_routes6)
		log_warnx("session %u: %d Framed-IPv6-Route value%s from RADIUS ignored (malformed, "
		          "a default route, or more than %d)", sa_id, ua->bad_routes6,
		          ua->bad_routes6 == 1 ? "" : "s", RAD_MAX_ROUTES);
	if (ua->bad_deleg6)
		log_warnx("session %u: %d Delegated-IPv6-Prefix value%s from RADIUS ignored "
		          "(malformed, or more than one)", sa_id, ua->bad_deleg6,
		          ua->bad_deleg6 == 1 ? "" : "s");
	if (!ua->nroute6 && !ua->deleg6_plen)
		return;
	if (IN6_IS_ADDR_UNSPECIFIED(&p->addr6)) {
		log_warnx("session %u: Framed-IPv6-Route / Delegated-IPv6-Prefix ignored: the "
		          "session has no IPv6 address to carry them", sa_id);
		return;
	}
	for (int k = 0; k < ua->nroute6 && p->nroute6 < MSG_ROUTES_MAX; k++)
		if (route6_allowed(c, sa_id, "Framed-IPv6-Route", &ua->route6[k].net,
		                   ua->route6[k].plen)) {
			p->route6[p->nroute6].net = ua->route6[k].net;
			p->route6[p->nroute6].plen = ua->route6[k].plen;
			p->nroute6++;
		}
	if (ua->deleg6_plen && route6_allowed(c, sa_id, "Delegated-IPv6-Prefix", &ua->deleg6,
	                                      ua->deleg6_plen)) {
		p->deleg6.net = ua->deleg6;
		p->deleg6.plen = ua->deleg6_plen;
	}
}

/* The reply's DNS servers into p, if it has any that a client can use. 1 when it had some. */
static int dns6_from(uint32_t sa_id, const struct rad_attrs *a, struct msg_policy *p)
{
	struct in6_addr ok[2];
	int n = 0;
	char ip[INET6_ADDRSTRLEN];
	for (int i = 0; i < a->ndns6 && i < 2; i++) {
		if (addr6_assignable(&a->dns6[i]))
			ok[n++] = a->dns6[i];
		else
			log_warnx("session %u: DNS-Server-IPv6-Address %s refused: not a global unicast "
			          "or unique local address", sa_id,
			          inet_ntop(AF_INET6, &a->dns6[i], ip, sizeof(ip)));
	}
	if (!n)
		return 0;
	memcpy(p->dns6, ok, sizeof(ok[0]) * (size_t)n);
	p->ndns6 = n;
	return 1;
}

void dns6_assign(uint32_t sa_id, const struct rad_attrs *ga, const struct rad_attrs *ua,
                 struct msg_policy *p)
{
	/* the user's servers replace the group's whole, as IOS's per-user attributes do */
	if (!(ua && dns6_from(sa_id, ua, p)) && ga)
		dns6_from(sa_id, ga, p);
}
