// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_v2psk.c keymgr/v2psk.c keymgr/lockout.c test/fuzz/quiet_log.c common/ikev2_crypto.c common/ike_crypto.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_v2psk
/*
 * What an IKEv2 peer controls of keymgr's pre-shared-key question (keymgr/v2psk.c), as ikemgr
 * copies it into struct msg_v2_psk_req: its identity, its AUTH, both nonces and the two
 * signed octet strings (IKE_SA_INIT messages it wrote half of), and the lengths, which keymgr
 * must not trust either. Whatever the bytes, nothing is read past a buffer, the answer's
 * strings are terminated, and KEY_OK never comes back for octets that do not hang together
 * or for an AUTH that is not the key's.
 * Input: byte 0 picks the identity type and whether the octets are built well-formed around
 * the input (bit 7, so that the AUTH check is reached); the rest fills the request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"

static const char cfg[] =
	"crypto ikev2 keyring KR\n"
	" peer any4\n  address 0.0.0.0 0.0.0.0\n  pre-shared-key fuzz-secret\n"
	" peer named\n  identity fqdn a.example\n  pre-shared-key local l\n"
	"  pre-shared-key remote r\n"
	"crypto ikev2 authorization policy POL\n def-domain example\n"
	"crypto ikev2 profile P\n match identity remote any\n"
	" authentication local pre-share\n authentication remote pre-share\n"
	" keyring local KR\n";

static struct vpnd_conf *conf;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const int types[8] = { 1, 2, 3, 5, 11, 9, 0, 255 };
	static struct msg_v2_psk_req rq;
	struct msg_v2_psk_res res;

	if (!conf) {
		conf = calloc(1, sizeof(*conf));
		if (!conf || conf_load_buf("fuzz", cfg, sizeof(cfg) - 1, conf, NULL, NULL) != 0 ||
		    ike_crypto_init() != 0)
			abort();
	}
	if (n < 1)
		return 0;
	memset(&rq, 0, sizeof(rq));
	uint8_t sel = d[0];
	d++, n--;
	rq.sa_id = 1;
	rq.prf = 5;
	sa46_pton("192.0.2.1", &rq.peer);
	sa46_pton("192.0.2.254", &rq.local);
	rq.id_type = types[sel & 7];
	if (sel & 0x80) {
		/* well-formed lengths, the bytes from the input */
		size_t take = n < 64 ? n : 64;
		rq.id_len = (uint16_t)(take / 4);
		memcpy(rq.id, d, rq.id_len);
		rq.ni_len = rq.nr_len = 16;
		memcpy(rq.ni, d, take < 16 ? take : 16);
		memcpy(rq.nr, d + take / 2, take / 2 < 16 ? take / 2 : 16);
		size_t m = 28 + 16 + (n > 64 ? (n - 64) % 512 : 0);
		uint8_t *a = rq.oct_i, *b = rq.oct_r;
		memset(a, 0, m);
		memset(b, 0, m);
		a[18] = b[18] = 34;
		a[19] = 0x08;
		b[19] = 0x20;
		b[8] = 1;
		a[26] = b[26] = (uint8_t)(m >> 8);
		a[27] = b[27] = (uint8_t)m;
		memcpy(a + 28, rq.ni, 16);
		memcpy(b + 28, rq.nr, 16);
		if (n > 64)
			memcpy(a + 44, d + 64, m - 44 < n - 64 ? m - 44 : n - 64);
		memcpy(a + m, rq.nr, 16);
		memcpy(b + m, rq.ni, 16);
		rq.oct_i_len = rq.oct_r_len = (uint16_t)(m + 16 + 32);
		rq.auth_len = 32;
		memcpy(rq.auth, d, take < 32 ? take : 32);
	} else {
		/* the whole request as the bytes say, lengths and all */
		memcpy(&rq, d, n < sizeof(rq) ? n : sizeof(rq));
		rq.sa_id = 1;
	}
	keymgr_v2_psk(conf, &rq, &res);
	if (!memchr(res.message, 0, sizeof(res.message)) ||
	    !memchr(res.profile, 0, sizeof(res.profile)) || !memchr(res.group, 0, sizeof(res.group)))
		abort();
	if (res.status == KEY_OK) {
		/* an AUTH the fuzzer found right for random octets would be a forgery */
		if (v2psk_octets_check(&rq, 32) != NULL || res.auth_len != 32)
			abort();
	} else if (res.auth_len) {
		abort();
	}
	v2_judged_drop(1);
	return 0;
}
