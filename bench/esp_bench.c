/*
 * ESP throughput: encap + decap of one packet per iteration, single thread, median of 5 runs.
 * Not part of the test suite. Build and run from the top of the tree:
 *
 *   cc -O2 -D_GNU_SOURCE -I. bench/esp_bench.c tunmgr/esp.c tunmgr/replay.c common/alg.c common/ossl_legacy.c -lcrypto -o /tmp/esp_bench
 *   /tmp/esp_bench [seconds-per-run]
 *
 * MB/s counts inner bytes (what the tunnel carries), 10^6 bytes per MB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tunmgr/esp.h"

#define RUNS 5

struct algo {
	const char *name;
	int encr, bits, auth;
};

static const struct algo algos[] = {
	{ "aes128-gcm", ESP_ENCR_AES_GCM16, 128, ESP_AUTH_NONE },
	{ "aes256-cbc+sha1", ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 },
	{ "aes128-cbc+sha256", ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256_128 },
	{ "3des+sha1", ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1_96 },
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* MB/s of encap+decap for one run of about `secs` seconds */
static double
run(const struct algo *a, size_t len, double secs)
{
	static uint8_t key[64], akey[64], inner[2048], pkt[2048 + 128], back[2048 + 128];
	size_t kl = esp_enc_keylen(a->encr, a->bits), al = esp_auth_keylen(a->auth);
	struct esp_sa *out = esp_sa_new(a->encr, key, kl, a->auth, akey, al, 0x1234, 1024);
	struct esp_sa *in = esp_sa_new(a->encr, key, kl, a->auth, akey, al, 0x1234, 1024);
	uint64_t n = 0;
	double t0, t;
	uint8_t nh;

	if (out == NULL || in == NULL) {
		perror(a->name);
		exit(1);
	}
	memset(inner, 0x5a, len);
	t0 = now();
	do {
		for (int i = 0; i < 1000; i++) {
			ssize_t e = esp_encap(out, inner, len, 4, pkt, sizeof(pkt));

			if (e < 0 || esp_decap(in, pkt, (size_t)e, back, sizeof(back), &nh) !=
			    (ssize_t)len) {
				fprintf(stderr, "%s: round trip failed\n", a->name);
				exit(1);
			}
		}
		n += 1000;
		t = now() - t0;
	} while (t < secs);
	esp_sa_free(out);
	esp_sa_free(in);
	return (double)n * (double)len / t / 1e6;
}

int
main(int argc, char **argv)
{
	static const size_t lens[] = { 64, 1400 };
	double secs = argc > 1 ? atof(argv[1]) : 0.5, r[RUNS];

	printf("%-20s %6s %12s %12s\n", "algorithm", "bytes", "MB/s", "kpps");
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			for (int k = 0; k < RUNS; k++)
				r[k] = run(&algos[i], lens[l], secs);
			qsort(r, RUNS, sizeof(r[0]), cmp_double);
			printf("%-20s %6zu %12.1f %12.1f\n", algos[i].name, lens[l], r[RUNS / 2],
			    r[RUNS / 2] * 1e6 / (double)lens[l] / 1e3);
		}
	}
	return 0;
}
