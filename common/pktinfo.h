/*
 * The local address of a datagram (IP_PKTINFO, IPV6_PKTINFO): read from what recvmsg gave,
 * and set on what sendmsg sends, so that a hub with several addresses answers from the one
 * its peer reached. Every socket that serves peers does both.
 */
#ifndef VPND_COMMON_PKTINFO_H
#define VPND_COMMON_PKTINFO_H

#include <string.h>
#include <sys/socket.h>

#include "common/sa46.h"

union pktinfo_cbuf {
	struct cmsghdr align;
	char b[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

/* The address a received datagram reached, with port NPORT (network order), of the family of
 * its sender FROM; an IPv4 one a dual-stack socket reports mapped comes out as IPv4. */
static inline void pktinfo_local(struct msghdr *m, const union sa46 *from, uint16_t nport,
                                 union sa46 *local)
{
	memset(local, 0, sizeof(*local));
	local->sa.sa_family = from->sa.sa_family;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sa46_from4(local, pi.ipi_addr, 0);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sa46_from6(local, &pi.ipi6_addr, 0);
			sa46_unmap(local);
		}
	sa46_set_port(local, nport);
}

/* Send from LOCAL: M's control set to its pktinfo (none for an unset address). */
static inline void pktinfo_put(struct msghdr *m, union pktinfo_cbuf *cb, const union sa46 *local)
{
	struct cmsghdr *c;

	memset(cb, 0, sizeof(*cb));
	m->msg_control = NULL;
	m->msg_controllen = 0;
	if (!sa46_is_set(local))
		return;
	m->msg_control = cb->b;
	if (sa46_is6(local)) {
		struct in6_pktinfo pi = { .ipi6_addr = local->sin6.sin6_addr };
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in_pktinfo pi = { .ipi_spec_dst = local->sin.sin_addr };
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
}

#endif
