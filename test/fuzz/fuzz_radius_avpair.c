// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_radius_avpair.c radius/attr.c -o fuzz_radius_avpair
/*
 * Cisco-AVPair, Framed-Route, Framed-IPv6-Route and Delegated-IPv6-Prefix values come from the RADIUS server (rad_reply_check checks
 * the packet's framing and authenticators, the value itself is ours to parse). Whatever the bytes:
 * no read past the value, every string field stays NUL-terminated, counts stay in range, a
 * route taken is a network (no host bits) with a prefix from 1 to 32 (1 to 128 for IPv6).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "radius/radius.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rad_attrs a;
	rad_attrs_init(&a);
	/* a private copy of exactly size bytes: ASan catches a read past the value */
	char *v = malloc(size ? size : 1);
	if (!v)
		return 0;
	memcpy(v, data, size);
	/* the same value twice: the second pass overwrites fields already set */
	for (int pass = 0; pass < 2; pass++) {
		int r = rad_avpair_apply(&a, v, size);
		if (r < -1 || r > 1)
			abort();
		r = rad_framed_route(&a, v, size);
		if (r != 1 && r != -1)
			abort();
		r = rad_framed_ipv6_route(&a, v, size);
		if (r != 1 && r != -1)
			abort();
		r = rad_delegated_prefix(&a, (const uint8_t *)v, size);
		if (r != 1 && r != -1)
			abort();
	}
	if (a.nroute6 < 0 || a.nroute6 > RAD_MAX_ROUTES || a.deleg6_plen < 0 || a.deleg6_plen > 128)
		abort();
	for (int k = 0; k <= a.nroute6; k++) {
		const struct in6_addr *n6 = k < a.nroute6 ? &a.route6[k].net : &a.deleg6;
		int pl = k < a.nroute6 ? a.route6[k].plen : a.deleg6_plen;
		if (k == a.nroute6 && pl == 0)
			break;
		if (pl < 1 || pl > 128)
			abort();
		for (int b = pl; b < 128; b++)
			if (n6->s6_addr[b / 8] & (0x80 >> (b % 8)))
				abort();        /* a host bit */
	}
	if (a.nroute < 0 || a.nroute > RAD_MAX_ROUTES || a.nifcfg < 0 || a.nifcfg > RAD_MAX_IFCFG)
		abort();
	for (int k = 0; k < a.nroute; k++) {
		int pl = a.route[k].plen;
		if (pl < 1 || pl > 32 ||
		    (ntohl(a.route[k].net.s_addr) & (pl == 32 ? 0 : 0xffffffffu >> pl)))
			abort();
	}
	for (int k = 0; k < a.nifcfg; k++)
		if (strnlen(a.ifcfg[k], sizeof(a.ifcfg[k])) == sizeof(a.ifcfg[k]))
			abort();
	if (strnlen(a.key, sizeof(a.key)) == sizeof(a.key) ||
	    strnlen(a.pool, sizeof(a.pool)) == sizeof(a.pool) ||
	    strnlen(a.domain, sizeof(a.domain)) == sizeof(a.domain) ||
	    strnlen(a.split_acl, sizeof(a.split_acl)) == sizeof(a.split_acl) ||
	    strnlen(a.banner, sizeof(a.banner)) == sizeof(a.banner) ||
	    strnlen(a.inacl, sizeof(a.inacl)) == sizeof(a.inacl))
		abort();
	if (a.ndns < 0 || a.ndns > 2 || a.nwins < 0 || a.nwins > 2 || a.max_users > 100000 ||
	    a.save_password < -1 || a.save_password > 1 || a.pfs < -1 || a.pfs > 1)
		abort();
	free(v);
	return 0;
}
