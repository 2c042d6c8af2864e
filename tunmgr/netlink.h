/*
 * The few rtnetlink (NETLINK_ROUTE) requests tunmgr needs, built by hand. Every call sends one
 * request, waits for the kernel's answer and returns 0 or -errno (the kernel's error when it
 * refused). IPv4 only. One socket serves one thread; requests are strictly sequential.
 */
#ifndef VPND_NETLINK_H
#define VPND_NETLINK_H

#include <netinet/in.h>
#include <net/if.h>

/* A NETLINK_ROUTE socket (close-on-exec), or -errno. */
int  nl_open(void);
void nl_close(int nl);

/* up: 1 up, 0 down; mtu: 0 keeps the current one. */
int nl_link_set(int nl, int ifindex, int up, int mtu);
/* IFLA_IFALIAS, e.g. "Virtual-Access3" (what `ip link show` prints as "alias"). */
int nl_link_set_alias(int nl, int ifindex, const char *alias);
int nl_link_del(int nl, int ifindex);

/* Add a /prefixlen address (for ip unnumbered: the donor's address as /32). -EEXIST if the
 * interface has it already. */
int nl_addr_add(int nl, int ifindex, struct in_addr a, int prefixlen);

/* A link-scope route in the main table through ifindex; src (if not 0.0.0.0) is the preferred
 * source address. -EEXIST if the same destination is routed already. */
int nl_route_add(int nl, int ifindex, struct in_addr dst, int prefixlen, struct in_addr src);
int nl_route_del(int nl, int ifindex, struct in_addr dst, int prefixlen);
/* route6.c: DST/128 through ifindex (gone with the interface) */
int nl_route6_add(int nl, int ifindex, const struct in6_addr *dst, int plen);
/* route6.c: every global IPv6 address of the host with its prefix length (net not masked);
 * -ENOSPC when more than max */
struct nl_nets6 {
	struct in6_addr *net;
	int             *plen;
	int              n, max;
};
int nl_local_nets6(int nl, struct nl_nets6 *);

/*
 * A new virtual-access interface in one round trip (several requests in one send, every
 * answer collected): IPv6 address generation off while it is still down (no link-local
 * address, so no router solicitation or MLD report goes into the tunnel: sessions are IPv4),
 * the alias, the MTU and up, the donor's address as /32 (donor 0.0.0.0: none) and the route
 * to the client. 0 or the first refusal, in that order. A kernel without IPv6 is no error.
 */
struct nl_va {
	int            ifindex;
	const char    *alias;
	int            mtu;
	struct in_addr donor;
	struct in_addr client;
	int            client_plen;
	uint32_t       group;           /* link group (IFLA_GROUP), 0 = the default one */
};
int nl_va_setup(int nl, const struct nl_va *);

/*
 * Delete many routes, hundreds of requests per send, every answer collected. At stop this
 * goes first: a route left on an interface makes the kernel's batched unregister walk the
 * routing table once per interface, quadratic in sessions (15,000 interfaces: 17 s with their
 * routes, 6 s after deleting them). Returns 0 or -errno for the socket; *refused counts the
 * routes the kernel would not delete (gone already, say).
 */
struct nl_route {
	int            ifindex;
	struct in_addr dst;
	int            plen;
};
int nl_routes_del(int nl, const struct nl_route *r, size_t n, size_t *refused);

/* Delete every interface of link group GROUP (not 0) in one request: the kernel unregisters
 * them as one batch, where closing 20,000 TUN fds one by one takes it minutes. */
int nl_group_del(int nl, uint32_t group);

/* First IPv4 address of an interface and its prefix length: -ENODEV for no such interface,
 * -EADDRNOTAVAIL if it has no IPv4 address. */
int nl_iface_addr(int nl, const char *ifname, struct in_addr *a, int *prefixlen);

/* Call cb for every interface (alias is "" when unset). */
int nl_list_links(int nl, void (*cb)(int ifindex, const char *name, const char *alias, void *arg),
                  void *arg);

struct nl_link_info {
	int      ifindex;
	char     name[IF_NAMESIZE];
	char     alias[256];
	unsigned flags;         /* IFF_UP, ... */
	int      mtu;
};
/* One interface's state, -ENODEV if it does not exist. */
int nl_link_get(int nl, int ifindex, struct nl_link_info *info);

/*
 * nl_ez.c, for Easy VPN remote sessions. nl_local_nets: every IPv4 address of the host with
 * its prefix length (net not masked); -ENOSPC when more than max. nl_route_get: the
 * interface and gateway (0.0.0.0 for on-link) the kernel uses to reach dst now.
 * nl_route_add_via: dst/prefixlen via gw (0.0.0.0: on-link) out of oif, -EEXIST if routed.
 */
struct nl_nets {
	struct in_addr *net;
	int            *plen;
	int             n, max;
};
int nl_local_nets(int nl, struct nl_nets *);
int nl_route_get(int nl, struct in_addr dst, int *oif, struct in_addr *gw);
int nl_route_add_via(int nl, int oif, struct in_addr dst, int prefixlen, struct in_addr gw);
int nl_addr_del(int nl, int ifindex, struct in_addr a, int prefixlen);
/*
 * What a crashed run left outside its interfaces, found by a mark: routes added by
 * nl_route_add_via carry protocol NL_RTPROT_VPND ("vpnd" in no rt_protos file: 86 is
 * unassigned), addresses on lo the label given to nl_addr_add_label. The sweeps delete those
 * (at most 64 each) and return how many, or -errno.
 */
#define NL_RTPROT_VPND 86
int nl_addr_add_label(int nl, int ifindex, struct in_addr a, int prefixlen, const char *label);
int nl_addr_sweep(int nl, int ifindex, const char *label);
int nl_route_sweep(int nl);

/* nl_rule.c: policy routing (crypto maps) */
struct nl_rule_sel {
	struct in_addr src, dst;
	int            src_len, dst_len;
	uint32_t       table, prio;
};
int nl_table_route_add(int nl, int ifindex, struct in_addr dst, int prefixlen, uint32_t table);
int nl_rule(int nl, int add, const struct nl_rule_sel *);
int nl_rule_sweep(int nl, uint32_t prio, int max);
int nl_link_no_ipv6(int nl, int ifindex);

#endif
