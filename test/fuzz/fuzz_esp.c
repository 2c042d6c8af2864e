/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE tunmgr/esp.c tunmgr/replay.c test/fuzz/fuzz_esp.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_esp */
/*
 * esp_decap() on arbitrary bytes. The first input byte picks the SA: integrity-protected ones
 * exercise the length, replay and ICV checks; CBC without integrity lets garbage reach the
 * decryption and padding code. With bit 0x80 set, the rest is used as an inner packet for an
 * encap -> decap round trip that must give it back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunmgr/esp.h"

static const struct {
	int encr, auth;
	size_t keylen, authkeylen;
} conf[] = {
	{ ESP_ENCR_AES_CBC, ESP_AUTH_NONE, 16, 0 },
	{ ESP_ENCR_AES_CBC, ESP_AUTH_HMAC_SHA1_96, 32, 20 },
	{ ESP_ENCR_AES_GCM16, ESP_AUTH_NONE, 20, 0 },
	{ ESP_ENCR_3DES, ESP_AUTH_NONE, 24, 0 },
	{ ESP_ENCR_NULL, ESP_AUTH_HMAC_SHA256_128, 0, 32 },
};

static struct esp_sa *
make_sa(unsigned i)
{
	static const uint8_t key[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	return esp_sa_new(conf[i].encr, key, conf[i].keylen, conf[i].auth, key + 7,
	    conf[i].authkeylen, 0x01020304, 1024);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000], back[70000];
	struct esp_sa *sa, *rx;
	uint8_t nh = 0;
	unsigned which;
	ssize_t n, m;

	if (size < 1)
		return 0;
	which = (data[0] & 0x7f) % (sizeof(conf) / sizeof(conf[0]));
	sa = make_sa(which);
	if (sa == NULL)
		abort();
	if (data[0] & 0x80) {
		rx = make_sa(which);
		n = esp_encap(sa, data + 1, size - 1, 4, out, sizeof(out));
		if (n < 0)
			abort();
		m = esp_decap(rx, out, (size_t)n, back, sizeof(back), &nh);
		if (m != (ssize_t)(size - 1) || nh != 4 || memcmp(back, data + 1, size - 1) != 0)
			abort();
		esp_sa_free(rx);
	} else {
		n = esp_decap(sa, data + 1, size - 1, out, sizeof(out), &nh);
		if (n > (ssize_t)size)
			abort();
		/* the same packet twice is a replay, unless it was refused before the window */
		if (n >= 0 && esp_decap(sa, data + 1, size - 1, out, sizeof(out), &nh) !=
		    ESP_ERR_REPLAY)
			abort();
	}
	esp_sa_free(sa);
	return 0;
}
