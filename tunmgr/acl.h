/* Access lists in the data plane: `ip access-group` of a virtual-access interface. */
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

#endif
