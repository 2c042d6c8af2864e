/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE tunmgr/acl6.c test/fuzz/fuzz_acl6.c -o fuzz_acl6 */
/*
 * acl6_permits() on arbitrary packets (what a client sends through its tunnel, or what the
 * inside sends toward it): extension header chains of any shape, fragments, and entries on
 * prefixes, ports, ICMPv6 type and code. Checks that the upper layer found lies inside the
 * packet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_acl6 acl;
	if (!acl.nace) {
		acl.ace[0] = (struct conf_ace6){ .permit = 0, .proto = 6, .dport_lo = 22, .dport_hi = 22 };
		acl.ace[1] = (struct conf_ace6){ .permit = 1, .proto = 17, .sport_op = ACE_PORT_NEQ,
		                                 .sport_lo = 53, .sport_hi = 53 };
		acl.ace[2] = (struct conf_ace6){ .permit = 0, .proto = 58, .icmp_match = 2,
		                                 .icmp_type = 1, .icmp_code = 4 };
		acl.ace[3] = (struct conf_ace6){ .permit = 0, .proto = -1, .dst_plen = 61 };
		inet_pton(AF_INET6, "fd00:2::", &acl.ace[3].dst);
		acl.ace[4] = (struct conf_ace6){ .permit = 1, .proto = -1, .src_plen = 128 };
		inet_pton(AF_INET6, "fd00:6::1", &acl.ace[4].src);
		acl.ace[5] = (struct conf_ace6){ .permit = 1, .proto = 58 };
		acl.nace = 6;
	}
	uint8_t proto;
	size_t off;
	int later;
	if (size >= 40 && acl6_upper(data, size, &proto, &off, &later) == 0 && off > size)
		abort();
	(void)acl6_permits(&acl, data, size);
	return 0;
}
