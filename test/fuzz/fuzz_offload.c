/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE tunmgr/offload.c test/fuzz/fuzz_offload.c -o fuzz_offload */
/*
 * What a TUN with IFF_VNET_HDR hands tunmgr (a virtio-net header and a packet, possibly a
 * super-packet) through offload_segment(), and decrypted packets through the TCP coalescing.
 * Every wire packet that comes out must fit its buffer and add up: the IP total length is the
 * length given, and segments never exceed the header plus gso_size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunmgr/offload.h"

static uint8_t scratch[OFFLOAD_MAX_PKT];
static struct gro g;
static size_t limit;

static int seg(void *arg, uint8_t *p, size_t len)
{
	(void)arg;
	if (len >= 40 && p[0] >> 4 == 6) {
		/* IPv6 goes through whole, never cut */
		if ((size_t)(p[4] << 8 | p[5]) + 40 != len || len > limit)
			abort();
		return 0;
	}
	if (len < 20 || (size_t)(p[2] << 8 | p[3]) != len || len > limit)
		abort();
	/* and it joins or not without harm */
	if (!gro_add(&g, p, len)) {
		gro_finish(&g);
		(void)gro_add(&g, p, len);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr h;
	if (size < sizeof(h) || size - sizeof(h) > OFFLOAD_MAX_PKT)
		return 0;
	memcpy(&h, data, sizeof(h));
	size_t len = size - sizeof(h);
	uint8_t *pkt = malloc(len ? len : 1);
	memcpy(pkt, data + sizeof(h), len);
	gro_reset(&g);
	limit = h.gso_type == VIRTIO_NET_HDR_GSO_NONE ? len : 60 + 60 + (size_t)h.gso_size;
	if (limit < len && (h.gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_NONE)
		limit = len;
	int n = offload_segment(pkt, len, &h, scratch, sizeof(scratch), seg, NULL);
	(void)n;
	gro_finish(&g);
	free(pkt);
	return 0;
}
