/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE ikemgr/ikev1_attr.c ikemgr/ikev1_selector.c common/netpolicy.c common/conf_find.c test/fuzz/fuzz_ikev1_attr.c -o fuzz_ikev1_attr */
/*
 * What ikemgr reads out of decrypted messages beyond the codec: the Mode Config / XAUTH
 * attribute walk (attr_next, user names and passwords come through it) and the quick-mode
 * identity to selector conversion (ikev1_id_selector, ikev1_id_selector6,
 * ikev1_check_selector6 with RADIUS IPv6 networks to fall within), on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_attr.h"

struct ike_engine ike;   /* ikev1_selector.c refers to the engine's SA list */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attr_it it = { data, data + size };
	struct attr_val v;
	int n = 0;
	while (attr_next(&it, &v) > 0 && n++ < 10000) {
		if (!v.tv && v.len)
			(void)((const volatile uint8_t *)v.data)[v.len - 1];
	}
	struct in_addr net, mask;
	(void)ikev1_id_selector(data, size, &net, &mask);
	/* the IPv6 identities: the input split into IDci and IDcr at its first byte */
	static struct ike_sa sa;
	static struct vpnd_conf conf;
	struct in6_addr net6;
	int any, plen;
	(void)ikev1_id_selector6(data, size, &net6, &plen);
	sa.s.have_policy = sa.s.addr6_given = 1;
	sa.s.policy.addr6.s6_addr[0] = 0xfd;
	sa.s.policy.addr6.s6_addr[15] = 1;
	sa.s.policy.deleg6.net.s6_addr[0] = 0x20;
	sa.s.policy.deleg6.plen = 8;
	sa.s.policy.route6[0].net.s6_addr[0] = 0xfd;
	sa.s.policy.route6[0].plen = 8;
	sa.s.policy.nroute6 = 1;
	if (size >= 1) {
		size_t cut = data[0] < size ? data[0] : size;
		/* copies of exactly their length, so ASan sees any read past either */
		uint8_t *ci = malloc(cut ? cut : 1), *cr = malloc(size - cut ? size - cut : 1);
		if (ci && cr) {
			memcpy(ci, data, cut);
			memcpy(cr, data + cut, size - cut);
			(void)ikev1_check_selector6(&conf, &sa, ci, cut, cr, size - cut, &net6, &plen,
			                            &any);
		}
		free(ci);
		free(cr);
	}
	return 0;
}
