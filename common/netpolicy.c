/*
 * The network policy of common/netpolicy.h. Pure functions over the configuration, so that
 * ikemgr, keymgr and tunmgr each reach the same verdict on their own and a compromised ikemgr
 * cannot talk tunmgr into a route the configuration does not allow.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/netpolicy.h"

static uint32_t mask_of(int plen)
{
	return plen <= 0 ? 0 : htonl(0xffffffffu << (32 - plen));
}

int netpolicy_mask_len(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int n = 0;
	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return mask_of(n) == mask.s_addr ? n : -1;
}

/* Do the two prefixes share an address? */
static int overlap(struct in_addr a, uint32_t am, struct in_addr b, uint32_t bm)
{
	uint32_t m = am & bm;       /* the shorter of two prefixes */
	return (a.s_addr & m) == (b.s_addr & m);
}

/* Is a/am (the shorter) a superset of b/bm? */
static int covers(struct in_addr a, uint32_t am, struct in_addr b, uint32_t bm)
{
	return (am & bm) == am && (b.s_addr & am) == (a.s_addr & am);
}

int netpolicy_acl_permits(const struct vpnd_conf *c, const char *name, struct in_addr net,
                          int plen)
{
	const struct conf_acl *acl = name && name[0] ? conf_find_acl(c, name) : NULL;
	uint32_t m = mask_of(plen);

	if (!acl)
		return 0;
	for (int i = 0; i < acl->nace; i++) {
		const struct conf_ace *e = &acl->ace[i];
		if (acl->extended && e->proto != 0)
			continue;       /* a network is all protocols: only `ip` entries speak for it */
		if (covers(e->src, e->srcmask.s_addr, net, m))
			return e->permit;
		/* a deny inside the network, before any entry covering it, takes part of it away */
		if (!e->permit && overlap(e->src, e->srcmask.s_addr, net, m))
			return 0;
	}
	return 0;
}

const char *netpolicy_claimable(const struct vpnd_conf *c, struct in_addr net, int plen,
                                char *why, size_t whylen)
{
	if (plen < 0 || plen > 32 || (net.s_addr & ~mask_of(plen))) {
		snprintf(why, whylen, "not a network (host bits set or bad prefix length)");
		return why;
	}
	if (plen < c->nem_min_prefix) {
		snprintf(why, whylen, "a default or short prefix (/%d; the minimum is /%d)", plen,
		         c->nem_min_prefix);
		return why;
	}
	uint32_t m = mask_of(plen);
	for (int k = 0; k < c->niface; k++) {
		const struct conf_interface *f = &c->iface[k];
		if (f->has_addr && !f->is_template && overlap(net, m, f->addr, f->mask.s_addr)) {
			snprintf(why, whylen, "it overlaps the network of the hub's interface %s",
			         f->name);
			return why;
		}
	}
	uint32_t lo = ntohl(net.s_addr), hi = lo | ~ntohl(m);
	for (int k = 0; k < c->npool; k++) {
		const struct conf_pool *p = &c->pool[k];
		if (lo <= ntohl(p->end.s_addr) && hi >= ntohl(p->start.s_addr)) {
			snprintf(why, whylen, "it overlaps ip local pool %s", p->name);
			return why;
		}
	}
	return NULL;
}

int netpolicy_overlap6(const struct in6_addr *a, int alen, const struct in6_addr *b, int blen)
{
	int m = alen < blen ? alen : blen;      /* the shorter prefix decides */
	for (int i = 0; i < 16 && m > 0; i++, m -= 8) {
		uint8_t bits = m >= 8 ? 0xff : (uint8_t)(0xff << (8 - m));
		if ((a->s6_addr[i] ^ b->s6_addr[i]) & bits)
			return 0;
	}
	return 1;
}

int netpolicy_covers6(const struct in6_addr *outer, int olen, const struct in6_addr *net,
                      int plen)
{
	return olen >= 0 && olen <= 128 && plen >= olen && netpolicy_overlap6(outer, olen, net, plen);
}

const char *netpolicy_check6(const struct vpnd_conf *c, const struct netpolicy_peer6 *peer,
                             const struct in6_addr *net, int plen, char *why, size_t whylen)
{
	if (peer->assigned6 && !IN6_IS_ADDR_UNSPECIFIED(peer->assigned6) && plen == 128 &&
	    !memcmp(net, peer->assigned6, sizeof(*net)))
		return NULL;
	if (!peer->assigned6 || IN6_IS_ADDR_UNSPECIFIED(peer->assigned6)) {
		/* a network rides beside the client's address (keymgr/addr6.c): none, no network */
		snprintf(why, whylen, "the session has no IPv6 address");
		return why;
	}
	if (netpolicy_claimable6(c, net, plen, why, whylen))
		return why;
	for (int k = 0; k < peer->nroute6 && k < MSG_ROUTES_MAX; k++)
		if (netpolicy_covers6(&peer->route6[k].net, peer->route6[k].plen, net, plen))
			return NULL;
	if (peer->deleg6 && peer->deleg6->plen > 0 &&
	    netpolicy_covers6(&peer->deleg6->net, peer->deleg6->plen, net, plen))
		return NULL;
	snprintf(why, whylen, "not the session's IPv6 address nor within a Framed-IPv6-Route or "
	         "Delegated-IPv6-Prefix of it");
	return why;
}

const char *netpolicy_claimable6(const struct vpnd_conf *c, const struct in6_addr *net,
                                 int plen, char *why, size_t whylen)
{
	int host_bits = 0;
	for (int i = 0; i < 16; i++) {
		int keep = plen - 8 * i;
		uint8_t m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		host_bits |= net->s6_addr[i] & ~m;
	}
	if (plen <= 0 || plen > 128 || host_bits) {
		snprintf(why, whylen, "not a network (host bits set or bad prefix length)");
		return why;
	}
	if (plen < NETPOLICY6_MIN_PREFIX) {
		snprintf(why, whylen, "a default or short prefix (/%d; the minimum is /%d)", plen,
		         NETPOLICY6_MIN_PREFIX);
		return why;
	}
	/* ::/8 holds the unspecified, loopback and IPv4-mapped/compatible addresses */
	if (net->s6_addr[0] == 0 || IN6_IS_ADDR_MULTICAST(net) || IN6_IS_ADDR_LINKLOCAL(net) ||
	    IN6_IS_ADDR_SITELOCAL(net)) {
		snprintf(why, whylen, "not a global unicast or unique local prefix");
		return why;
	}
	for (int k = 0; k < c->npool6; k++) {
		const struct conf_pool6 *p = &c->pool6[k];
		if (netpolicy_overlap6(net, plen, &p->prefix, p->plen)) {
			snprintf(why, whylen, "it overlaps ipv6 local pool %s", p->name);
			return why;
		}
	}
	return NULL;
}

const char *netpolicy_check(const struct vpnd_conf *c, const struct netpolicy_peer *peer,
                            struct in_addr net, int plen, char *why, size_t whylen)
{
	if (peer->assigned.s_addr && plen == 32 && net.s_addr == peer->assigned.s_addr)
		return NULL;
	if (netpolicy_claimable(c, net, plen, why, whylen))
		return why;
	uint32_t m = mask_of(plen);
	for (int k = 0; k < peer->nroute; k++) {
		const struct msg_route *r = &peer->route[k];
		if (r->plen >= 0 && r->plen <= 32 && covers(r->net, mask_of(r->plen), net, m))
			return NULL;
	}
	if (peer->nem_acl && peer->nem_acl[0]) {
		if (netpolicy_acl_permits(c, peer->nem_acl, net, plen))
			return NULL;
		snprintf(why, whylen, "not permitted by network-extension access-list %s",
		         peer->nem_acl);
		return why;
	}
	snprintf(why, whylen, peer->assigned.s_addr
	         ? "no network extension is allowed: the client gets its Mode Config address only"
	         : "no network-extension access-list allows networks behind this peer");
	return why;
}
