/*
 * The algorithm vocabulary: one row per algorithm with everything said about it anywhere (the
 * configuration word, IOS's show wording, the IKEv1 and IKEv2 wire IDs, key, IV and ICV
 * lengths, OpenSSL's name). The enum values of common/conf.h stay the keys: they travel between
 * the processes and sit in the store.
 */
#ifndef VPND_COMMON_ALG_H
#define VPND_COMMON_ALG_H

#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"

/* Key lengths in bits, 0-ended; bits[0] == 0 marks a fixed-key algorithm (key_bits). */
#define ALG_NBITS 4

struct alg_esp_encr {
	int         id;                  /* enum conf_esp_encr */
	const char *word;                /* configuration and show word: "esp-aes" */
	uint16_t    v1_id;               /* IKEv1 ESP transform ID (RFC 2407 4.4.4) */
	uint16_t    v2_id;               /* IKEv2 transform type 1 (RFC 7296, IANA) */
	uint16_t    key_bits;            /* the fixed key, or the default of a variable one */
	uint16_t    bits[ALG_NBITS];     /* key lengths it takes */
	uint16_t    conf_bits[ALG_NBITS];/* of those, what the configuration accepts */
	uint8_t     iv;                  /* IV bytes in each packet */
	uint8_t     block;               /* what the padding aligns to (RFC 4303 2.4) */
	uint8_t     icv;                 /* an AEAD's tag bytes, 0 for a plain cipher */
	uint8_t     salt;                /* key bytes past the cipher key (RFC 4106 8.1) */
	const char *ossl[ALG_NBITS];     /* OpenSSL cipher per bits[] ([0] when fixed) */
	int         legacy;
	/* IOS's shows spell a non-default key "esp-256-aes" (this "aes"); NULL: "esp-gcm 256" */
	const char *show_bits;
};

struct alg_esp_auth {
	int         id;                  /* enum conf_esp_auth */
	const char *word;                /* "esp-sha-hmac" */
	uint16_t    v1_id;               /* IKEv1 authentication algorithm attribute (RFC 2407) */
	uint16_t    v2_id;               /* IKEv2 transform type 3 */
	uint8_t     key;                 /* HMAC key bytes (RFC 2404, 4868) */
	uint8_t     icv;                 /* truncated ICV bytes */
	const char *digest;              /* OpenSSL digest */
	int         legacy;
};

struct alg_ike_encr {
	int         id;                  /* enum conf_ike_encr, the IKEv1 wire ID */
	const char *word;                /* "aes" */
	uint16_t    v2_id;
	uint16_t    key_bits;
	uint16_t    bits[ALG_NBITS];
	uint8_t     block;
	const char *show;                /* show crypto isakmp policy; variable keys add theirs */
	const char *ossl[ALG_NBITS];
	int         legacy;
};

struct alg_ike_hash {
	int         id;                  /* enum conf_ike_hash, the IKEv1 wire ID */
	const char *word;                /* "sha256" */
	const char *show;                /* "Secure Hash Standard 2 (256 bit)" */
	uint16_t    v2_prf;              /* IKEv2 transform type 2 */
	uint8_t     len;                 /* output bytes */
	const char *digest;
	int         legacy;
};

struct alg_ike_auth {
	int         id;                  /* enum conf_ike_auth */
	const char *word;                /* "pre-share" */
	const char *show;                /* NULL: IOS's wording not known */
};

struct alg_dh {
	int         group;
	const char *show;                /* "#14 (2048 bit)" */
	int         legacy;
};

/*
 * IKEv2 SA transforms (crypto ikev2 proposal), in IOS XE's words: encryption is one word per
 * cipher and key length ("aes-cbc-256"), integrity and prf name the hash alone ("sha256").
 * IDs are RFC 7296's / IANA's transform IDs.
 */
struct alg_v2_encr {
	const char *word;                /* "aes-gcm-256" */
	uint16_t    v2_id;               /* transform type 1: 3 3DES, 12 AES-CBC, 20 AES-GCM-16 */
	uint16_t    bits;                /* Key Length attribute; 0: a fixed key (3DES) */
	uint8_t     aead;                /* GCM: no integrity transform (RFC 5282) */
	uint8_t     salt;                /* key bytes past the cipher key (RFC 5282 7.1) */
	const char *ossl;
	int         legacy;
};

struct alg_v2_integ {
	const char *word;                /* "sha256" */
	uint16_t    v2_id;               /* transform type 3 */
	uint8_t     key;                 /* HMAC key bytes */
	uint8_t     icv;                 /* truncated ICV bytes */
	const char *digest;
	int         legacy;
};

struct alg_v2_prf {
	const char *word;                /* the same words as integrity */
	uint16_t    v2_id;               /* transform type 2 */
	uint8_t     len;                 /* output bytes */
	const char *digest;
	int         legacy;
};

/* Each look-up returns NULL for what the table does not hold. */
const struct alg_esp_encr *alg_esp_encr(int id);
const struct alg_esp_encr *alg_esp_encr_word(const char *w);
const struct alg_esp_encr *alg_esp_encr_v1(int v1_id);
const struct alg_esp_encr *alg_esp_encr_v2(int v2_id);
const struct alg_esp_auth *alg_esp_auth(int id);
const struct alg_esp_auth *alg_esp_auth_word(const char *w);
const struct alg_esp_auth *alg_esp_auth_v1(int v1_id);
const struct alg_esp_auth *alg_esp_auth_v2(int v2_id);
const struct alg_ike_encr *alg_ike_encr(int id);
const struct alg_ike_encr *alg_ike_encr_word(const char *w);
const struct alg_ike_encr *alg_ike_encr_v2(int v2_id);
const struct alg_ike_hash *alg_ike_hash(int id);
const struct alg_ike_hash *alg_ike_hash_word(const char *w);
const struct alg_ike_hash *alg_ike_hash_v2(int v2_prf);
const struct alg_ike_auth *alg_ike_auth(int id);
const struct alg_ike_auth *alg_ike_auth_word(const char *w);
const struct alg_dh *alg_dh(int group);
const struct alg_v2_encr *alg_v2_encr_word(const char *w);
const struct alg_v2_encr *alg_v2_encr(int v2_id, int bits);
const struct alg_v2_integ *alg_v2_integ_word(const char *w);
const struct alg_v2_integ *alg_v2_integ(int v2_id);
const struct alg_v2_prf *alg_v2_prf_word(const char *w);
const struct alg_v2_prf *alg_v2_prf(int v2_id);
/* An IKEv2 DH group: alg_dh's, plus 24 (RFC 5114), which only IKEv2 proposals accept */
const struct alg_dh *alg_v2_dh(int group);

/* The whole tables, for whoever lists them (and the unit test). */
extern const struct alg_esp_encr alg_esp_encr_tbl[];
extern const struct alg_esp_auth alg_esp_auth_tbl[];
extern const struct alg_ike_encr alg_ike_encr_tbl[];
extern const struct alg_ike_hash alg_ike_hash_tbl[];
extern const struct alg_ike_auth alg_ike_auth_tbl[];
extern const struct alg_dh alg_dh_tbl[];
extern const struct alg_v2_encr alg_v2_encr_tbl[];
extern const struct alg_v2_integ alg_v2_integ_tbl[];
extern const struct alg_v2_prf alg_v2_prf_tbl[];
extern const size_t alg_esp_encr_n, alg_esp_auth_n, alg_ike_encr_n, alg_ike_hash_n,
                    alg_ike_auth_n, alg_dh_n, alg_v2_encr_n, alg_v2_integ_n, alg_v2_prf_n;

/* The bits w spells exactly ("256"), if bits[] holds them; else 0. */
int alg_bits_word(const uint16_t *bits, const char *w);
/* Key bytes for a key of `bits` (0: the default); 0 when the algorithm does not take it. */
size_t alg_key_bytes(uint16_t key_bits, const uint16_t *bits, int want);
/* OpenSSL's name for a key of `bytes`, NULL if none. */
const char *alg_ossl(uint16_t key_bits, const uint16_t *bits, const char *const *ossl,
                     size_t bytes);

/* The key bits a variable-key ESP cipher runs with (0 asks for its default); 0 if fixed. */
int alg_esp_bits(int encr, int keylen_bits);
/* Cipher key bytes (AES-GCM's salt not counted) and HMAC key bytes; 0: unknown or none. */
size_t esp_cipher_key_bytes(int encr, int keylen_bits);
size_t esp_integ_key_bytes(int auth);
/* The KEYMAT an SA takes (ikemgr derives it, tunmgr keys ESP with it): the cipher's key with
 * GCM's 4-byte salt at its end (RFC 4106 8.1), and the HMAC key; 0 if unknown (and for NULL
 * encryption). keylen_bits: AES only, 0 means 128. */
size_t esp_enc_keylen(int encr, int keylen_bits);
size_t esp_auth_keylen(int auth);

#endif
