/*
 * IPv6 routes through a session's interface: the client's Mode Config address, and the
 * networks RADIUS routes to it (Framed-IPv6-Route, Delegated-IPv6-Prefix). The interface has
 * no IPv6 address of its own (address generation is off on purpose), so the routes are all
 * that makes the kernel hand the client's IPv6 traffic to the tunnel. The host's own IPv6
 * networks (nl_local_nets6) are what such a route must never cover.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>

#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

int
nl_route6_add(int nl, int ifindex, const struct in6_addr *dst, int plen)
{
	struct nl_msg m;
	struct rtmsg *rtm;

	if (ifindex <= 0 || plen < 0 || plen > 128)
		return -EINVAL;
	nlm_init(&m, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtm = nlm_put(&m, sizeof(*rtm));
	if (rtm == NULL)
		return -ENOBUFS;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = (unsigned char)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;     /* IPv6 routes have no link scope */
	rtm->rtm_type = RTN_UNICAST;
	nlm_attr(&m, RTA_DST, dst, sizeof(*dst));
	nlm_attr_u32(&m, RTA_OIF, (uint32_t)ifindex);
	return nlm_transact(nl, &m, NULL, NULL);
}

static int
collect_addr6(const struct nlmsghdr *h, void *arg)
{
	struct nl_nets6 *l = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *rta;
	int len;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET6 || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;       /* link-local and loopback are not networks a route could take */
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFA_ADDRESS && RTA_PAYLOAD(rta) >= sizeof(struct in6_addr)) {
			if (l->n == l->max)
				return -ENOSPC;     /* a network left out could be routed away */
			memcpy(&l->net[l->n], RTA_DATA(rta), sizeof(struct in6_addr));
			l->plen[l->n++] = ifa->ifa_prefixlen;
			break;
		}
	return 0;
}

int
nl_local_nets6(int nl, struct nl_nets6 *l)
{
	return nlm_addr_dump(nl, AF_INET6, collect_addr6, l, &l->n);
}
