/* The algorithm vocabulary: see alg.h. Adding an algorithm is adding one row here. */
#include <stdio.h>
#include <string.h>

#include "common/alg.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define AES_BITS { 128, 192, 256 }

const struct alg_esp_encr alg_esp_encr_tbl[] = {
	{ ESP_ENCR_DES, "esp-des", 2, 2, 64, { 0 }, { 0 }, 8, 8, 0, 0, { "DES-CBC" }, 1, NULL },
	{ ESP_ENCR_3DES, "esp-3des", 3, 3, 192, { 0 }, { 0 }, 8, 8, 0, 0, { "DES-EDE3-CBC" }, 1, NULL },
	{ ESP_ENCR_AES_CBC, "esp-aes", 12, 12, 128, AES_BITS, AES_BITS, 16, 16, 0, 0,
	  { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" }, 0, "aes" },
	/* 192-bit GCM is negotiated and installed, but IOS's transform set offers no such word */
	{ ESP_ENCR_AES_GCM16, "esp-gcm", 20, 20, 128, AES_BITS, { 128, 256 }, 8, 4, 16, 4,
	  { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" }, 0, NULL },
	{ ESP_ENCR_NULL, "esp-null", 11, 11, 0, { 0 }, { 0 }, 0, 4, 0, 0, { NULL }, 0, NULL },
};

const struct alg_esp_auth alg_esp_auth_tbl[] = {
	{ ESP_AUTH_HMAC_MD5_96, "esp-md5-hmac", 1, 1, 16, 12, "MD5", 1 },
	{ ESP_AUTH_HMAC_SHA1_96, "esp-sha-hmac", 2, 2, 20, 12, "SHA1", 0 },
	{ ESP_AUTH_HMAC_SHA256_128, "esp-sha256-hmac", 5, 12, 32, 16, "SHA2-256", 0 },
	{ ESP_AUTH_HMAC_SHA384_192, "esp-sha384-hmac", 6, 13, 48, 24, "SHA2-384", 0 },
	{ ESP_AUTH_HMAC_SHA512_256, "esp-sha512-hmac", 7, 14, 64, 32, "SHA2-512", 0 },
};

const struct alg_ike_encr alg_ike_encr_tbl[] = {
	{ IKE_ENCR_DES, "des", 2, 64, { 0 }, 8, "DES - Data Encryption Standard (56 bit keys).",
	  { "DES-CBC" }, 1 },
	{ IKE_ENCR_3DES, "3des", 3, 192, { 0 }, 8, "Three key triple DES", { "DES-EDE3-CBC" }, 1 },
	{ IKE_ENCR_AES, "aes", 12, 128, AES_BITS, 16, "AES - Advanced Encryption Standard",
	  { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" }, 0 },
};

const struct alg_ike_hash alg_ike_hash_tbl[] = {
	{ IKE_HASH_MD5, "md5", "Message Digest 5", 1, 16, "MD5", 1 },
	{ IKE_HASH_SHA1, "sha", "Secure Hash Standard", 2, 20, "SHA1", 0 },
	{ IKE_HASH_SHA256, "sha256", "Secure Hash Standard 2 (256 bit)", 5, 32, "SHA2-256", 0 },
	{ IKE_HASH_SHA384, "sha384", "Secure Hash Standard 2 (384 bit)", 6, 48, "SHA2-384", 0 },
	{ IKE_HASH_SHA512, "sha512", "Secure Hash Standard 2 (512 bit)", 7, 64, "SHA2-512", 0 },
};

const struct alg_ike_auth alg_ike_auth_tbl[] = {
	{ IKE_AUTH_PSK, "pre-share", "Pre-Shared Key" },
	{ IKE_AUTH_RSA_SIG, "rsa-sig", "Rivest-Shamir-Adleman Signature" },
	{ IKE_AUTH_ECDSA_SIG, "ecdsa-sig", NULL },
};

/* Modulus or curve size (RFC 2409, 3526, 5903); 1, 2 and 5 are too small today (RFC 8247). */
const struct alg_dh alg_dh_tbl[] = {
	{ 1, "#1 (768 bit)", 1 }, { 2, "#2 (1024 bit)", 1 }, { 5, "#5 (1536 bit)", 1 },
	{ 14, "#14 (2048 bit)", 0 }, { 15, "#15 (3072 bit)", 0 }, { 16, "#16 (4096 bit)", 0 },
	{ 19, "#19 (256 bit ecp)", 0 }, { 20, "#20 (384 bit ecp)", 0 },
	{ 21, "#21 (521 bit ecp)", 0 },
};

/* 3DES and MD5 are legacy here as in IKEv1; SHA-1 is not (RFC 8247 keeps it as MUST-). */
const struct alg_v2_encr alg_v2_encr_tbl[] = {
	{ "aes-cbc-128", 12, 128, 0, 0, "AES-128-CBC", 0 },
	{ "aes-cbc-192", 12, 192, 0, 0, "AES-192-CBC", 0 },
	{ "aes-cbc-256", 12, 256, 0, 0, "AES-256-CBC", 0 },
	{ "aes-gcm-128", 20, 128, 1, 4, "AES-128-GCM", 0 },
	{ "aes-gcm-256", 20, 256, 1, 4, "AES-256-GCM", 0 },
	{ "3des", 3, 0, 0, 0, "DES-EDE3-CBC", 1 },
};

const struct alg_v2_integ alg_v2_integ_tbl[] = {
	{ "md5", 1, 16, 12, "MD5", 1 },
	{ "sha1", 2, 20, 12, "SHA1", 0 },
	{ "sha256", 12, 32, 16, "SHA2-256", 0 },
	{ "sha384", 13, 48, 24, "SHA2-384", 0 },
	{ "sha512", 14, 64, 32, "SHA2-512", 0 },
};

const struct alg_v2_prf alg_v2_prf_tbl[] = {
	{ "md5", 1, 16, "MD5", 1 },
	{ "sha1", 2, 20, "SHA1", 0 },
	{ "sha256", 5, 32, "SHA2-256", 0 },
	{ "sha384", 6, 48, "SHA2-384", 0 },
	{ "sha512", 7, 64, "SHA2-512", 0 },
};

/* RFC 5114's 2048-bit MODP group with a 256-bit subgroup: RFC 8247 says SHOULD NOT */
static const struct alg_dh alg_dh24 = { 24, "#24 (2048 bit, 256 bit subgroup)", 1 };

const size_t alg_v2_encr_n = NELEM(alg_v2_encr_tbl), alg_v2_integ_n = NELEM(alg_v2_integ_tbl),
             alg_v2_prf_n = NELEM(alg_v2_prf_tbl);

const size_t alg_esp_encr_n = NELEM(alg_esp_encr_tbl), alg_esp_auth_n = NELEM(alg_esp_auth_tbl),
             alg_ike_encr_n = NELEM(alg_ike_encr_tbl), alg_ike_hash_n = NELEM(alg_ike_hash_tbl),
             alg_ike_auth_n = NELEM(alg_ike_auth_tbl), alg_dh_n = NELEM(alg_dh_tbl);

#define FIND(tbl, cond)                                         \
	for (size_t k = 0; k < NELEM(tbl); k++) {               \
		const __typeof__(tbl[0]) *r = &tbl[k];          \
		if (cond)                                       \
			return r;                               \
	}                                                       \
	return NULL

#define WORD(w) ((w) && strcmp(r->word, (w)) == 0)

const struct alg_esp_encr *alg_esp_encr(int id) { FIND(alg_esp_encr_tbl, r->id == id); }
const struct alg_esp_encr *alg_esp_encr_word(const char *w) { FIND(alg_esp_encr_tbl, WORD(w)); }
const struct alg_esp_encr *alg_esp_encr_v1(int v) { FIND(alg_esp_encr_tbl, r->v1_id == v); }
const struct alg_esp_encr *alg_esp_encr_v2(int v) { FIND(alg_esp_encr_tbl, r->v2_id == v); }
const struct alg_esp_auth *alg_esp_auth(int id) { FIND(alg_esp_auth_tbl, r->id == id); }
const struct alg_esp_auth *alg_esp_auth_word(const char *w) { FIND(alg_esp_auth_tbl, WORD(w)); }
const struct alg_esp_auth *alg_esp_auth_v1(int v) { FIND(alg_esp_auth_tbl, r->v1_id == v); }
const struct alg_esp_auth *alg_esp_auth_v2(int v) { FIND(alg_esp_auth_tbl, r->v2_id == v); }
const struct alg_ike_encr *alg_ike_encr(int id) { FIND(alg_ike_encr_tbl, r->id == id); }
const struct alg_ike_encr *alg_ike_encr_word(const char *w) { FIND(alg_ike_encr_tbl, WORD(w)); }
const struct alg_ike_encr *alg_ike_encr_v2(int v) { FIND(alg_ike_encr_tbl, r->v2_id == v); }
const struct alg_ike_hash *alg_ike_hash(int id) { FIND(alg_ike_hash_tbl, r->id == id); }
const struct alg_ike_hash *alg_ike_hash_word(const char *w) { FIND(alg_ike_hash_tbl, WORD(w)); }
const struct alg_ike_hash *alg_ike_hash_v2(int v) { FIND(alg_ike_hash_tbl, r->v2_prf == v); }
const struct alg_ike_auth *alg_ike_auth(int id) { FIND(alg_ike_auth_tbl, r->id == id); }
const struct alg_ike_auth *alg_ike_auth_word(const char *w) { FIND(alg_ike_auth_tbl, WORD(w)); }
const struct alg_dh *alg_dh(int group) { FIND(alg_dh_tbl, r->group == group); }

const struct alg_v2_encr *alg_v2_encr_word(const char *w) { FIND(alg_v2_encr_tbl, WORD(w)); }
const struct alg_v2_encr *alg_v2_encr(int v, int bits)
{
	FIND(alg_v2_encr_tbl, r->v2_id == v && r->bits == bits);
}
const struct alg_v2_integ *alg_v2_integ_word(const char *w) { FIND(alg_v2_integ_tbl, WORD(w)); }
const struct alg_v2_integ *alg_v2_integ(int v) { FIND(alg_v2_integ_tbl, r->v2_id == v); }
const struct alg_v2_prf *alg_v2_prf_word(const char *w) { FIND(alg_v2_prf_tbl, WORD(w)); }
const struct alg_v2_prf *alg_v2_prf(int v) { FIND(alg_v2_prf_tbl, r->v2_id == v); }

const struct alg_dh *alg_v2_dh(int group)
{
	return group == 24 ? &alg_dh24 : alg_dh(group);
}

int alg_bits_word(const uint16_t *bits, const char *w)
{
	char b[8];

	for (int k = 0; k < ALG_NBITS && bits[k]; k++) {
		snprintf(b, sizeof(b), "%u", bits[k]);
		if (strcmp(b, w) == 0)
			return bits[k];
	}
	return 0;
}

size_t alg_key_bytes(uint16_t key_bits, const uint16_t *bits, int want)
{
	if (!bits[0])
		return key_bits / 8;
	if (want == 0)
		want = key_bits;
	for (int k = 0; k < ALG_NBITS && bits[k]; k++)
		if (bits[k] == want)
			return (size_t)want / 8;
	return 0;
}

const char *alg_ossl(uint16_t key_bits, const uint16_t *bits, const char *const *ossl,
                     size_t bytes)
{
	if (!bits[0])
		return key_bits && bytes == (size_t)key_bits / 8 ? ossl[0] : NULL;
	for (int k = 0; k < ALG_NBITS && bits[k]; k++)
		if (bytes == (size_t)bits[k] / 8)
			return ossl[k];
	return NULL;
}

int alg_esp_bits(int encr, int keylen_bits)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e && e->bits[0] ? (keylen_bits ? keylen_bits : e->key_bits) : 0;
}

size_t esp_cipher_key_bytes(int encr, int keylen_bits)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e ? alg_key_bytes(e->key_bits, e->bits, keylen_bits) : 0;
}

size_t esp_integ_key_bytes(int auth)
{
	const struct alg_esp_auth *a = alg_esp_auth(auth);
	return a ? a->key : 0;
}

size_t esp_enc_keylen(int encr, int keylen_bits)
{
	size_t n = esp_cipher_key_bytes(encr, keylen_bits);
	return n ? n + alg_esp_encr(encr)->salt : n;
}

size_t esp_auth_keylen(int auth)
{
	return esp_integ_key_bytes(auth);
}
