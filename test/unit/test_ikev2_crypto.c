/*
 * IKEv2 key derivation and the Encrypted payload: known answers from an independent
 * implementation (test/unit/gen_ikev2_vectors.py: Python hmac/hashlib and `cryptography`),
 * then what the engine relies on: a sealed message opens, and any changed byte refuses it.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "common/ikev2_crypto.h"
#include "test/unit/ikev2_vectors.h"

/* suite A: AES-CBC-128, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256; B: AES-GCM-16-256, PRF-SHA384 */
static struct ikev2_suite suite_a(void)
{
	struct ikev2_suite s;
	cr_assert_eq(ikev2_suite(&s, 12, 128, 12, 5, 14), 0);
	return s;
}
static struct ikev2_suite suite_b(void)
{
	struct ikev2_suite s;
	cr_assert_eq(ikev2_suite(&s, 20, 256, 0, 6, 19), 0);
	return s;
}

Test(ikev2_crypto, suite_lengths)
{
	struct ikev2_suite a = suite_a(), b = suite_b(), s;
	cr_assert_eq(a.prf_len, 32);
	cr_assert_eq(a.ekey, 16);
	cr_assert_eq(a.akey, 32);
	cr_assert_eq(a.icv, 16);
	cr_assert_eq(a.iv, 16);
	cr_assert_eq(a.block, 16);
	cr_assert(!a.aead);
	cr_assert_eq(b.prf_len, 48);
	cr_assert_eq(b.ekey, 36, "GCM's key carries its 4-byte salt (RFC 5282 7.1)");
	cr_assert_eq(b.akey, 0);
	cr_assert_eq(b.icv, 16);
	cr_assert_eq(b.iv, 8);
	cr_assert(b.aead);
	/* AES-CBC with its default key; 3DES */
	cr_assert_eq(ikev2_suite(&s, 12, 0, 2, 2, 14), 0);
	cr_assert_eq(s.ekey, 16);
	cr_assert_eq(s.icv, 12);
	cr_assert_eq(ikev2_suite(&s, 3, 0, 12, 5, 14), 0);
	cr_assert_eq(s.ekey, 24);
	cr_assert_eq(s.block, 8);
	/* refused: an AEAD with integrity, a plain cipher without, NULL, unknown IDs and lengths */
	cr_assert_eq(ikev2_suite(&s, 20, 128, 12, 5, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 12, 128, 0, 5, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 11, 0, 12, 5, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 99, 0, 12, 5, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 12, 128, 99, 5, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 12, 128, 12, 99, 14), -1);
	cr_assert_eq(ikev2_suite(&s, 12, 100, 12, 5, 14), -1);
}

Test(ikev2_crypto, ike_keys_known_answer)
{
	struct ikev2_suite s = suite_a();
	struct ikev2_keys k;
	cr_assert_eq(ikev2_ike_keys(&s, va_gir, sizeof(va_gir), va_ni, sizeof(va_ni), va_nr,
	                            sizeof(va_nr), va_spi_i, va_spi_r, NULL, &k), 0);
	cr_assert_arr_eq(k.d, va_sk_d, sizeof(va_sk_d));
	cr_assert_arr_eq(k.ai, va_sk_ai, sizeof(va_sk_ai));
	cr_assert_arr_eq(k.ar, va_sk_ar, sizeof(va_sk_ar));
	cr_assert_arr_eq(k.ei, va_sk_ei, sizeof(va_sk_ei));
	cr_assert_arr_eq(k.er, va_sk_er, sizeof(va_sk_er));
	cr_assert_arr_eq(k.pi, va_sk_pi, sizeof(va_sk_pi));
	cr_assert_arr_eq(k.pr, va_sk_pr, sizeof(va_sk_pr));

	struct ikev2_suite b = suite_b();
	cr_assert_eq(ikev2_ike_keys(&b, va_gir, sizeof(va_gir), va_ni, sizeof(va_ni), va_nr,
	                            sizeof(va_nr), va_spi_i, va_spi_r, NULL, &k), 0);
	cr_assert_arr_eq(k.d, vb_sk_d, sizeof(vb_sk_d));
	cr_assert_arr_eq(k.ei, vb_sk_ei, sizeof(vb_sk_ei));
	cr_assert_arr_eq(k.er, vb_sk_er, sizeof(vb_sk_er));
	cr_assert_arr_eq(k.pi, vb_sk_pi, sizeof(vb_sk_pi));
	cr_assert_arr_eq(k.pr, vb_sk_pr, sizeof(vb_sk_pr));
}

Test(ikev2_crypto, rekey_and_child_keys)
{
	struct ikev2_suite s = suite_a();
	struct ikev2_keys k;
	uint8_t km[96];
	cr_assert_eq(ikev2_child_keymat(&s, va_sk_d, NULL, 0, va_ni, sizeof(va_ni), va_nr,
	                                sizeof(va_nr), km, sizeof(km)), 0);
	cr_assert_arr_eq(km, va_keymat, sizeof(km));
	cr_assert_eq(ikev2_child_keymat(&s, va_sk_d, va_gir2, sizeof(va_gir2), va_ni, sizeof(va_ni),
	                                va_nr, sizeof(va_nr), km, sizeof(km)), 0);
	cr_assert_arr_eq(km, va_keymat_pfs, sizeof(km));
	cr_assert_eq(ikev2_ike_keys(&s, va_gir2, sizeof(va_gir2), va_ni2, sizeof(va_ni2), va_nr2,
	                            sizeof(va_nr2), va_spi_i2, va_spi_r2, va_sk_d, &k), 0);
	cr_assert_arr_eq(k.d, va_rekey_d, sizeof(va_rekey_d));
	cr_assert_arr_eq(k.pr, va_rekey_pr, sizeof(va_rekey_pr));
	/* prf+ stops at 255 blocks (RFC 7296 2.13) */
	static uint8_t big[256 * 32];
	struct iovec v = { (void *)va_ni, sizeof(va_ni) };
	cr_assert_eq(ikev2_prfplus(&s, va_sk_d, 32, &v, 1, big, 255 * 32), 0);
	cr_assert_eq(ikev2_prfplus(&s, va_sk_d, 32, &v, 1, big, 255 * 32 + 1), -1);
}

Test(ikev2_crypto, psk_auth_known_answer)
{
	struct ikev2_suite s = suite_a();
	uint8_t out[32];
	static const char psk[] = "correct horse battery staple";
	struct iovec v[2] = { { (void *)va_octets, 100 }, { (void *)(va_octets + 100), 200 } };
	cr_assert_eq(ikev2_psk_auth(&s, (const uint8_t *)psk, strlen(psk), v, 2, out), 0);
	cr_assert_arr_eq(out, va_psk_auth, sizeof(out));
	cr_assert_eq(ikev2_psk_auth(&s, (const uint8_t *)psk, strlen(psk) - 1, v, 2, out), 0);
	cr_assert(memcmp(out, va_psk_auth, sizeof(out)) != 0);
}

/* Every single-bit change to a sealed message is refused. */
static void tamper_all(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                       const uint8_t *msg, size_t len)
{
	uint8_t m[512], *inner;
	size_t ilen;
	cr_assert_leq(len, sizeof(m));
	for (size_t i = 0; i < len; i++) {
		memcpy(m, msg, len);
		m[i] ^= 0x04;
		cr_assert_eq(ikev2_sk_open(s, ek, ak, m, len, 28, &inner, &ilen), -1,
		             "byte %zu changed and still accepted", i);
	}
}

Test(ikev2_crypto, open_python_sealed)
{
	struct ikev2_suite a = suite_a(), b = suite_b();
	uint8_t m[512], *inner;
	size_t ilen;
	memcpy(m, va_sk_cbc, sizeof(va_sk_cbc));
	cr_assert_eq(ikev2_sk_open(&a, va_sk_ei, va_sk_ai, m, sizeof(va_sk_cbc), 28, &inner, &ilen), 0);
	cr_assert_eq(ilen, sizeof(va_inner));
	cr_assert_arr_eq(inner, va_inner, ilen);
	tamper_all(&a, va_sk_ei, va_sk_ai, va_sk_cbc, sizeof(va_sk_cbc));
	/* the responder's keys do not open the initiator's message */
	memcpy(m, va_sk_cbc, sizeof(va_sk_cbc));
	cr_assert_eq(ikev2_sk_open(&a, va_sk_er, va_sk_ar, m, sizeof(va_sk_cbc), 28, &inner, &ilen), -1);

	memcpy(m, vb_sk_gcm, sizeof(vb_sk_gcm));
	cr_assert_eq(ikev2_sk_open(&b, vb_sk_ei, NULL, m, sizeof(vb_sk_gcm), 28, &inner, &ilen), 0);
	cr_assert_eq(ilen, sizeof(va_inner));
	cr_assert_arr_eq(inner, va_inner, ilen);
	tamper_all(&b, vb_sk_ei, NULL, vb_sk_gcm, sizeof(vb_sk_gcm));
	/* too short to hold IV and ICV */
	memcpy(m, vb_sk_gcm, sizeof(vb_sk_gcm));
	cr_assert_eq(ikev2_sk_open(&b, vb_sk_ei, NULL, m, 28 + 4 + 8 + 16, 28, &inner, &ilen), -1);
}

/* What we seal opens with the same keys, whatever the inner length, for both suites. */
Test(ikev2_crypto, seal_open_round_trip)
{
	struct ikev2_suite su[2] = { suite_a(), suite_b() };
	const uint8_t *ek[2] = { va_sk_er, vb_sk_er }, *ak[2] = { va_sk_ar, NULL };
	for (int k = 0; k < 2; k++) {
		for (size_t n = 0; n < 70; n++) {
			uint8_t m[256], *inner;
			size_t ilen;
			memset(m, 0, sizeof(m));
			memcpy(m, va_sk_cbc, 28);
			m[16] = 46;
			size_t ct = 28 + 4 + su[k].iv;
			m[28] = 41;
			for (size_t i = 0; i < n; i++)
				m[ct + i] = (uint8_t)(i * 13 + 1);
			long len = ikev2_sk_seal(&su[k], ek[k], ak[k], m, sizeof(m), 28, n);
			cr_assert_gt(len, 0);
			cr_assert_eq(((size_t)m[24] << 24 | (size_t)m[25] << 16 | (size_t)m[26] << 8 |
			              m[27]), (size_t)len, "header length patched");
			cr_assert_eq((size_t)(m[30] << 8 | m[31]), (size_t)len - 28, "SK length patched");
			if (!su[k].aead)
				cr_assert_eq(((size_t)len - ct - su[k].icv) % su[k].block, 0);
			cr_assert_eq(ikev2_sk_open(&su[k], ek[k], ak[k], m, (size_t)len, 28, &inner,
			                           &ilen), 0);
			cr_assert_eq(ilen, n);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(inner[i], (uint8_t)(i * 13 + 1));
		}
		uint8_t small[64];
		memcpy(small, va_sk_cbc, 28);
		cr_assert_eq(ikev2_sk_seal(&su[k], ek[k], ak[k], small, sizeof(small), 28, 40), -1,
		             "no room: refused, not overrun");
	}
}
