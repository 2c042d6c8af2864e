// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_radius_reply.c radius/wire.c -lcrypto -o fuzz_radius_reply
/*
 * A RADIUS reply as it comes off the wire, checked against a fixed request: whatever the
 * bytes, rad_reply_check reads nothing past the datagram and answers 0 or -1. A reply it
 * accepts must have a matching ID and a length inside the datagram.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radius/radius.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an Access-Request or, by the first input bit, an Accounting-Request */
	uint8_t req[20] = { size && (data[0] & 0x80) ? 4 : 1, 0x42, 0, 20 };
	for (int i = 4; i < 20; i++)
		req[i] = (uint8_t)i;
	uint8_t *rep = malloc(size ? size : 1);
	if (!rep)
		return 0;
	memcpy(rep, data, size);
	int r = rad_reply_check(req, sizeof(req), rep, size, "fuzzsecret", NULL);
	if (r != 0 && r != -1)
		abort();
	if (r == 0 && (size < 20 || rep[1] != 0x42 || (size_t)(rep[2] << 8 | rep[3]) > size))
		abort();
	free(rep);
	return 0;
}
