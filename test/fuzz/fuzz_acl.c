/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE tunmgr/acl.c tunmgr/acl6.c tunmgr/mss.c test/fuzz/fuzz_acl.c -o fuzz_acl */
/*
 * acl_permits(), mss_clamp() and mss_clamp6() on arbitrary packets (what a client sends through its tunnel,
 * or what the inside sends toward it): an access list with source and destination port
 * (neq, gt, range), established, ICMP type and code, protocol and address entries, and the
 * MSS rewrite of TCP SYNs.
 */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <stdlib.h>

#include "tunmgr/acl.h"
#include "tunmgr/mss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_acl acl;
	if (!acl.nace) {
		acl.extended = 1;
		acl.ace[0] = (struct conf_ace){ .permit = 0, .proto = 6, .dport_lo = 22, .dport_hi = 22 };
		acl.ace[1] = (struct conf_ace){ .permit = 1, .proto = 17, .dport_lo = 1000,
		                                .dport_hi = 2000 };
		inet_pton(AF_INET, "10.2.1.11", &acl.ace[2].dst);
		acl.ace[2].dstmask.s_addr = 0xffffffffu;
		acl.ace[3] = (struct conf_ace){ .permit = 0, .proto = 17, .sport_op = ACE_PORT_NEQ,
		                                .sport_lo = 53, .sport_hi = 53 };
		acl.ace[4] = (struct conf_ace){ .permit = 1, .proto = 6, .established = 1,
		                                .sport_op = ACE_PORT_GT, .sport_lo = 1024,
		                                .sport_hi = 65535 };
		acl.ace[5] = (struct conf_ace){ .permit = 0, .proto = 1, .icmp_match = 2,
		                                .icmp_type = 3, .icmp_code = 4 };
		acl.ace[6] = (struct conf_ace){ .permit = 1, .proto = 1, .icmp_match = 1,
		                                .icmp_type = 8 };
		acl.ace[7] = (struct conf_ace){ .permit = 1 };
		acl.nace = 8;
	}
	(void)acl_permits(&acl, data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (copy) {
		memcpy(copy, data, size);
		(void)mss_clamp(copy, size, 1300);
		(void)mss_clamp6(copy, size, 1300);
		free(copy);
	}
	return 0;
}
