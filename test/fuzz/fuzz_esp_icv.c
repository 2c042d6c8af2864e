/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE tunmgr/esp.c tunmgr/replay.c test/fuzz/fuzz_esp_icv.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_esp_icv */
/*
 * ESP with integrity, keys known to the harness, so the fuzzer's bytes get past the ICV and
 * reach what only authenticated packets reach: decryption, the padding and next-header
 * checks, the replay window update. The first byte picks the SA and the mode:
 *   mode 0: the rest is plaintext; esp_encap builds a valid packet, then a few bytes of it
 *           (chosen by the input) are changed: the ICV must refuse every changed packet and
 *           the unchanged one must come back intact.
 *   mode 1: the rest is an ESP packet body (seq, IV, "ciphertext") sent with an ICV computed
 *           here after the fact: for HMAC SAs the integrity check passes whatever the bytes,
 *           and the decrypted garbage is judged by the padding and length checks alone.
 * A refused packet must leave the window where it was: the genuine packet with the same
 * sequence number is accepted afterwards.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tunmgr/esp.h"

static const struct {
	int encr, auth;
	size_t keylen, authkeylen;
	const char *md;         /* HMAC digest for mode 1, NULL for GCM */
	size_t icvlen;
} conf[] = {
	{ ESP_ENCR_AES_CBC, ESP_AUTH_HMAC_SHA1_96, 16, 20, "SHA1", 12 },
	{ ESP_ENCR_AES_CBC, ESP_AUTH_HMAC_SHA256_128, 32, 32, "SHA256", 16 },
	{ ESP_ENCR_3DES, ESP_AUTH_HMAC_SHA1_96, 24, 20, "SHA1", 12 },
	{ ESP_ENCR_NULL, ESP_AUTH_HMAC_SHA256_128, 0, 32, "SHA256", 16 },
	{ ESP_ENCR_AES_GCM16, ESP_AUTH_NONE, 20, 0, NULL, 16 },
	{ ESP_ENCR_AES_GCM16, ESP_AUTH_NONE, 36, 0, NULL, 16 },
};
#define NCONF (sizeof(conf) / sizeof(conf[0]))
#define SPI   0x0a0b0c0du

static const uint8_t key[64] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34 };
static const uint8_t akey[64] = { 0xa1, 0xb2, 0xc3, 0xd4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static struct esp_sa *make_sa(unsigned i)
{
	struct esp_sa *sa = esp_sa_new(conf[i].encr, key, conf[i].keylen, conf[i].auth, akey,
	                               conf[i].authkeylen, htonl(SPI), 1024);
	if (!sa)
		abort();
	return sa;
}

/* mode 0: a genuine packet, then changed copies */
static void mutate_genuine(unsigned c, const uint8_t *d, size_t n)
{
	static uint8_t pkt[70000], bad[70000], back[70000];
	struct esp_sa *tx = make_sa(c), *rx = make_sa(c);
	size_t plen = n > 2048 ? 2048 : n;
	uint8_t nh = 0;
	ssize_t len = esp_encap(tx, d, plen, ESP_NH_IPV4, pkt, sizeof(pkt));

	if (len <= 0)
		abort();
	/* up to 4 changes, each "offset byte, xor byte" from the tail of the input */
	memcpy(bad, pkt, (size_t)len);
	int changed = 0;
	for (size_t k = 0; k < 4 && 2 * k + 1 < n; k++) {
		size_t off = d[n - 1 - 2 * k] % (size_t)len;
		uint8_t x = d[n - 2 - 2 * k];
		bad[off] ^= x;
		changed |= x != 0;
	}
	changed = changed && memcmp(bad, pkt, (size_t)len) != 0;
	ssize_t r = esp_decap(rx, bad, (size_t)len, back, sizeof(back), &nh);
	/* sequence number 0 is refused before the ICV is looked at */
	if (changed && r != ESP_ERR_AUTH && !(r == ESP_ERR_REPLAY && !memcmp(bad + 4, "\0\0\0\0", 4)))
		abort();        /* a forged packet got past the ICV */
	if (!changed && r != (ssize_t)plen)
		abort();
	/* the refused copy did not consume the sequence number */
	if (changed) {
		r = esp_decap(rx, pkt, (size_t)len, back, sizeof(back), &nh);
		if (r != (ssize_t)plen || nh != ESP_NH_IPV4 || memcmp(back, d, plen) != 0)
			abort();
	}
	esp_sa_free(tx);
	esp_sa_free(rx);
}

/* mode 1: arbitrary body, valid ICV */
static void signed_garbage(unsigned c, const uint8_t *d, size_t n)
{
	static uint8_t pkt[70000], back[70000];
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0, len, icv = conf[c].icvlen;
	uint32_t spi = htonl(SPI);
	uint8_t nh = 0;

	if (!conf[c].md || n > 4096)
		return;         /* GCM: a tag cannot be forged; mode 0 covers it */
	memcpy(pkt, &spi, 4);
	memcpy(pkt + 4, d, n);
	len = 4 + n;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, conf[c].md, NULL, akey, conf[c].authkeylen, pkt, len,
	               md, sizeof(md), &mdlen) || mdlen < icv)
		abort();
	memcpy(pkt + len, md, icv);
	len += icv;

	struct esp_sa *rx = make_sa(c);
	ssize_t r = esp_decap(rx, pkt, len, back, sizeof(back), &nh);
	struct esp_stats st = esp_sa_stats(rx);
	if (r == ESP_ERR_AUTH || st.err_auth)
		abort();        /* the ICV was right */
	if (r >= 0) {
		if ((size_t)r > len || st.pkts != 1)
			abort();
		/* accepted once: the same sequence number again is a replay */
		if (esp_decap(rx, pkt, len, back, sizeof(back), &nh) != ESP_ERR_REPLAY)
			abort();
	} else if (r == ESP_ERR_PAD) {
		/* refused after decryption: the window did not move, so the same packet is
		 * judged the same way again rather than as a replay */
		if (esp_decap(rx, pkt, len, back, sizeof(back), &nh) != ESP_ERR_PAD)
			abort();
	}
	esp_sa_free(rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned c = (data[0] & 0x7f) % NCONF;
	if (data[0] & 0x80)
		signed_garbage(c, data + 1, size - 1);
	else
		mutate_genuine(c, data + 1, size - 1);
	return 0;
}
