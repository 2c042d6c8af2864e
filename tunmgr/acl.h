/* Access lists in the data plane: `ip access-group` and `ipv6 traffic-filter` of a
 * virtual-access interface. */
#ifndef VPND_ACL_H
#define VPND_ACL_H

#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"

/*
 * 1 if the IPv4 packet (its header first) is permitted: the first matching entry decides,
 * no match is a deny (IOS's implicit deny). Entries with ports, `established` or an ICMP
 * type match first fragments on them; later fragments carry none of these and match a permit
 * on addresses and protocol alone, as IOS lets them through. A packet too short to read what
 * an entry needs does not match it.
 */
int acl_permits(const struct conf_acl *acl, const uint8_t *pkt, size_t len);

/* neq keeps the one port it excludes as lo = hi; lt, gt, eq and range keep what they match */
static inline int acl_port_in(uint16_t port, uint8_t op, uint16_t lo, uint16_t hi)
{
	int in = port >= lo && port <= hi;
	return op == ACE_PORT_NEQ ? !in : in;
}

/* acl6.c: the same for an IPv6 packet and an ipv6 access-list */
int acl6_permits(const struct conf_acl6 *acl, const uint8_t *pkt, size_t len);
/* the upper-layer protocol past the extension headers, its offset, and whether the packet
 * is a later fragment; -1 if the chain is malformed */
int acl6_upper(const uint8_t *pkt, size_t len, uint8_t *proto, size_t *off, int *later);   /* len >= 40 */

#endif
