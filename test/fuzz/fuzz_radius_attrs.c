// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_radius_attrs.c radius/attr.c -o fuzz_radius_attrs
/*
 * The attributes of an Access-Accept as rad_reply_parse reads them. The client parses only a
 * reply that passed rad_reply_check, but the parser checks every length again and must hold
 * on any bytes: no read past the datagram, strings terminated, counts in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radius/radius.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rad_attrs a;
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	rad_attrs_init(&a);
	rad_reply_parse(p, size, &a);
	if (a.nroute < 0 || a.nroute > RAD_MAX_ROUTES || a.nifcfg < 0 || a.nifcfg > RAD_MAX_IFCFG ||
	    a.class_len > sizeof(a.class_) || a.state_len > sizeof(a.state) ||
	    strnlen(a.filter_id, sizeof(a.filter_id)) == sizeof(a.filter_id) ||
	    strnlen(a.reply_message, sizeof(a.reply_message)) == sizeof(a.reply_message) ||
	    strnlen(a.key, sizeof(a.key)) == sizeof(a.key))
		abort();
	free(p);
	return 0;
}
