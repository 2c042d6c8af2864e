/*
 * The IPv6 route to a client's Mode Config address through its interface. The interface has
 * no IPv6 address of its own (address generation is off on purpose), so the route is all
 * that makes the kernel hand the client's IPv6 traffic to the tunnel.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

int
nl_route6_add(int nl, int ifindex, const struct in6_addr *dst)
{
	struct nl_msg m;
	struct rtmsg *rtm;

	if (ifindex <= 0)
		return -EINVAL;
	nlm_init(&m, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtm = nlm_put(&m, sizeof(*rtm));
	if (rtm == NULL)
		return -ENOBUFS;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;     /* IPv6 routes have no link scope */
	rtm->rtm_type = RTN_UNICAST;
	nlm_attr(&m, RTA_DST, dst, sizeof(*dst));
	nlm_attr_u32(&m, RTA_OIF, (uint32_t)ifindex);
	return nlm_transact(nl, &m, NULL, NULL);
}
