/*
 * Which networks may be routed into a peer's tunnel: the one rule that every path putting a
 * route or a selector in place asks (ikemgr's quick mode, keymgr's Framed-Routes, tunmgr's
 * interfaces and SAs). A remote-access client gets its Mode Config address; anything else must
 * be allowed by its group's or profile's `network-extension access-list` or by a RADIUS
 * Framed-Route, and is never a default or short prefix, an address pool or a network of the
 * hub's own interfaces.
 */
#ifndef VPND_NETPOLICY_H
#define VPND_NETPOLICY_H

#include <stddef.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/msg.h"

struct netpolicy_peer {
	struct in_addr assigned;        /* Mode Config address, 0 = none */
	const char    *nem_acl;         /* network-extension access-list, NULL or "" = none */
	const struct msg_route *route;  /* RADIUS Framed-Routes: allowed as given */
	int            nroute;
};

/* NULL when net/plen may be routed to this peer; otherwise why not (in why). */
const char *netpolicy_check(const struct vpnd_conf *, const struct netpolicy_peer *,
                            struct in_addr net, int plen, char *why, size_t whylen);
/* The rules that hold whatever allowed a network (a Framed-Route too): a sane prefix, not
 * shorter than the minimum, no pool, none of the hub's networks. NULL when claimable. */
const char *netpolicy_claimable(const struct vpnd_conf *, struct in_addr net, int plen,
                                char *why, size_t whylen);
/*
 * The same for an IPv6 network routed to a client (RADIUS Framed-IPv6-Route,
 * Delegated-IPv6-Prefix): a global unicast or unique local prefix, host bits clear, no shorter
 * than NETPOLICY6_MIN_PREFIX, overlapping no ipv6 local pool (other clients' addresses).
 * The hub's own IPv6 networks are not in the configuration: tunmgr checks those against the
 * kernel's addresses.
 */
#define NETPOLICY6_MIN_PREFIX 16
const char *netpolicy_claimable6(const struct vpnd_conf *, const struct in6_addr *net,
                                 int plen, char *why, size_t whylen);
/* Do net/plen and other/olen share an address? */
int netpolicy_overlap6(const struct in6_addr *net, int plen, const struct in6_addr *other,
                       int olen);
/* Does outer/olen hold every address of net/plen? */
int netpolicy_covers6(const struct in6_addr *outer, int olen, const struct in6_addr *net,
                      int plen);

/* What an IPv6 client may claim as the client side of an SA: its Mode Config address, and
 * networks within those RADIUS routed to it as keymgr authorized them. */
struct netpolicy_peer6 {
	const struct in6_addr *assigned6;       /* NULL or :: = none */
	const struct msg_route6 *route6;        /* Framed-IPv6-Routes */
	int            nroute6;
	const struct msg_route6 *deleg6;        /* Delegated-IPv6-Prefix, NULL or plen 0 = none */
};
/* NULL when net/plen is the peer's own address/128, or lies within one of its networks (and
 * is claimable6); otherwise why not (in why). */
const char *netpolicy_check6(const struct vpnd_conf *, const struct netpolicy_peer6 *,
                             const struct in6_addr *net, int plen, char *why, size_t whylen);

/* Does access list NAME permit every address of net/plen (first match, implicit deny)? */
int netpolicy_acl_permits(const struct vpnd_conf *, const char *acl, struct in_addr net,
                          int plen);
/* A contiguous netmask's length, or -1. */
int netpolicy_mask_len(struct in_addr mask);

#endif
