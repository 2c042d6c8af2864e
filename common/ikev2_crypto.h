/*
 * IKEv2 key derivation and message protection (RFC 7296 sections 2.13-2.17 and 3.14, RFC 5282
 * for AES-GCM in the Encrypted payload). Shared because keymgr computes the pre-shared-key
 * AUTH (the key never leaves it) while ikemgr derives everything else.
 *
 * A suite is resolved once from the IKEv2 transform IDs through the algorithm vocabulary
 * (common/alg.h): the alg_v2_* rows (the cipher per key length, integrity, PRF), and the
 * transform registry's IV and block sizes, which ESP's rows hold (type 1 is one registry). Functions returning int give 0
 * on success and -1 on error; nothing here keeps state between calls.
 */
#ifndef VPND_IKEV2_CRYPTO_H
#define VPND_IKEV2_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define IKEV2_PRF_MAX   64      /* SHA-512 */
#define IKEV2_EKEY_MAX  36      /* AES-256 and GCM's 4-byte salt */
#define IKEV2_AKEY_MAX  64
#define IKEV2_ICV_MAX   32
#define IKEV2_IV_MAX    16

/* What an IKE SA's transforms mean in bytes, resolved from the wire IDs. */
struct ikev2_suite {
	uint16_t    encr_id, encr_bits, integ_id, prf_id, dh;   /* as negotiated */
	const char *prf_md;           /* the HMAC's digest behind the PRF */
	size_t      prf_len;
	const char *cipher;           /* OpenSSL's name */
	size_t      ekey;             /* SK_e length: cipher key, and GCM's salt */
	size_t      salt;             /* of ekey, the salt at its end (RFC 5282 7.1) */
	size_t      iv;               /* IV bytes in each Encrypted payload */
	size_t      block;            /* what the padding aligns to (1: none needed) */
	int         aead;
	const char *integ_md;         /* HMAC digest, NULL for an AEAD */
	size_t      akey;             /* SK_a length (0 for an AEAD) */
	size_t      icv;              /* integrity checksum bytes at the end of the message */
};

/* Fills s from the IDs; encr_bits 0 takes the cipher's default. -1 when the vocabulary does not
 * hold one of them, when an AEAD comes with an integrity transform or a plain cipher without. */
int ikev2_suite(struct ikev2_suite *s, int encr_id, int encr_bits, int integ_id, int prf_id,
                int dh);

/* A suite with the PRF only (prf_id, prf, prf_len; the rest zero), for whoever computes AUTH
 * and nothing else (keymgr). -1 when the vocabulary does not hold prf_id. */
int ikev2_suite_prf(struct ikev2_suite *s, int prf_id);

/* The seven secrets of an IKE SA (RFC 7296 2.14). Initiator and responder halves. */
struct ikev2_keys {
	uint8_t d[IKEV2_PRF_MAX], pi[IKEV2_PRF_MAX], pr[IKEV2_PRF_MAX];
	uint8_t ai[IKEV2_AKEY_MAX], ar[IKEV2_AKEY_MAX];
	uint8_t ei[IKEV2_EKEY_MAX], er[IKEV2_EKEY_MAX];
};

int ikev2_prf(const struct ikev2_suite *s, const uint8_t *key, size_t keylen,
              const struct iovec *iov, int n, uint8_t *out);
/* prf+ (2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), out = T1 | T2 | ...;
 * at most 255 blocks. S is the concatenation of iov. */
int ikev2_prfplus(const struct ikev2_suite *s, const uint8_t *key, size_t keylen,
                  const struct iovec *iov, int n, uint8_t *out, size_t outlen);
/* SKEYSEED = prf(Ni | Nr, g^ir), then {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 * = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). With old_d (a rekey, 2.18):
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), old_d being the old SA's PRF length. */
int ikev2_ike_keys(const struct ikev2_suite *s, const uint8_t *gir, size_t girlen,
                   const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                   const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *old_d,
                   struct ikev2_keys *k);
/* A child SA's KEYMAT (2.17) = prf+(SK_d, [g^ir (new) |] Ni | Nr), outlen bytes: the
 * initiator-to-responder keys first (encryption, then integrity), then the other way. */
int ikev2_child_keymat(const struct ikev2_suite *s, const uint8_t *sk_d, const uint8_t *gir,
                       size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                       size_t nrlen, uint8_t *out, size_t outlen);

/*
 * The Encrypted (SK) payload of a whole message in buf (3.14). On entry buf holds the IKE
 * header and the payloads before SK, the SK generic header at sk_off (4 bytes), and the inner
 * payloads' clear text from sk_off + 4 + iv, inner_len bytes. ikev2_sk_seal pads, encrypts,
 * computes the ICV, sets the SK payload length and the header's length, and returns the
 * message length; buf must have room for iv + block + icv more. -1 on failure.
 */
long ikev2_sk_seal(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                   uint8_t *buf, size_t cap, size_t sk_off, size_t inner_len);
/* Checks and decrypts a received message whose last payload is SK, starting at sk_off, in
 * place: on success *inner points at the inner payloads' clear text (*inner_len bytes, the
 * padding taken off). Nothing comes out unless the ICV is right (HMAC: checked before the
 * cipher runs; GCM: the tag, and msg then holds garbage the caller drops). */
int ikev2_sk_open(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                  uint8_t *msg, size_t len, size_t sk_off, uint8_t **inner, size_t *inner_len);

/* The same for one Encrypted Fragment payload (RFC 7383 2.5) at skf_off: its generic header
 * and Fragment Number, Total Fragments (8 bytes, the caller's) before the IV. Each fragment has
 * its own IV, padding and ICV; the ICV (or GCM's AAD) covers the fragment numbers too. */
long ikev2_skf_seal(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                    uint8_t *buf, size_t cap, size_t skf_off, size_t inner_len);
int ikev2_skf_open(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                   uint8_t *msg, size_t len, size_t skf_off, uint8_t **inner, size_t *inner_len);

/* AUTH for a shared secret (2.15): prf(prf(secret, "Key Pad for IKEv2"), octets), where octets
 * is RealMessage | Nonce | prf(SK_p, ID'), given as iov. out: s->prf_len bytes. */
int ikev2_psk_auth(const struct ikev2_suite *s, const uint8_t *secret, size_t secretlen,
                   const struct iovec *octets, int n, uint8_t *out);

#endif
