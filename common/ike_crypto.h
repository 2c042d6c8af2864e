/*
 * IKEv1 key derivation and message protection (RFC 2409 section 5 and appendix B).
 *
 * hash = enum conf_ike_hash, encr = enum conf_ike_encr (the IKEv1 wire values, see
 * common/conf.h). Functions returning int give 0 on success and -1 on error (unknown algorithm,
 * bad length, OpenSSL failure); nothing here does I/O or keeps state between calls, apart from
 * the one-time loading of OpenSSL's legacy provider for single DES.
 */
#ifndef VPND_IKE_CRYPTO_H
#define VPND_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <openssl/crypto.h>

#include "common/msg.h"

/*
 * Loads OpenSSL's legacy provider (single DES lives there), keeping the default one. Call it
 * once before chroot: the provider is a module read from disk. Returns 0 when DES is usable,
 * -1 when not (everything else still works; ike_cbc() then refuses DES).
 */
int    ike_crypto_init(void);

/* Digest length of hash: 16, 20, 32, 48 or 64; 0 for an unknown hash. */
size_t ike_hash_len(int hash);
/* out (ike_hash_len bytes) = hash(iov[0] | ... | iov[n-1]) */
int    ike_hash(int hash, const struct iovec *iov, int n, uint8_t *out);
/* out (ike_hash_len bytes) = HMAC-hash(key, iov[0] | ... | iov[n-1]); IKEv1's prf */
int    ike_prf(int hash, const uint8_t *key, size_t keylen, const struct iovec *iov, int n,
               uint8_t *out);

/* Key bytes: DES 8, 3DES 24, AES keylen_bits / 8 (0 means 128); 0 if unknown or invalid. */
size_t ike_cipher_keylen(int encr, int keylen_bits);
/* 8 for DES/3DES, 16 for AES, 0 if unknown. */
size_t ike_cipher_blocklen(int encr);
/*
 * CBC in place over buf (len a non-zero multiple of the block size, no padding). On success iv
 * becomes the last ciphertext block, which is the next IV of an IKEv1 exchange (RFC 2409
 * appendix B); on failure iv and buf are left as they were.
 */
int    ike_cbc(int encr, int keylen_bits, const uint8_t *key, uint8_t *iv, uint8_t *buf,
               size_t len, int encrypt);
int    ike_random(uint8_t *buf, size_t len);

struct ike_p1keys {
	uint8_t skeyid_d[64], skeyid_a[64], skeyid_e[64];
	size_t  prf_len;            /* length of each SKEYID_x */
	uint8_t enc_key[32];
	size_t  enc_keylen;
	uint8_t iv[16];             /* phase 1 initial IV */
	size_t  blocklen;
};

/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b); *outlen = ike_hash_len(hash) */
int ike_skeyid_psk(int hash, const uint8_t *psk, size_t psklen, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen);
/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * The cipher key is the start of SKEYID_e, or when that is too short of K1 | K2 | ... with
 * K1 = prf(SKEYID_e, 0x00), Kn = prf(SKEYID_e, Kn-1) (appendix B).
 * Initial IV = hash(g^xi | g^xr) truncated to the block size.
 */
int ike_derive_p1(int hash, int encr, int keylen_bits, const uint8_t *skeyid, size_t skeyid_len,
                  const uint8_t *gxy, size_t gxylen, const uint8_t cky_i[8],
                  const uint8_t cky_r[8], const uint8_t *gxi, size_t gxilen, const uint8_t *gxr,
                  size_t gxrlen, struct ike_p1keys *out);
/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b); out: ike_hash_len bytes.
 * SAi_b and IDii_b are payload bodies without their generic headers. */
int ike_hash_i(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idii_b, size_t idlen,
               uint8_t *out);
/* The parts of HASH_I and HASH_R but the IDs, for keymgr to compute them; -1 when one does
 * not fit. */
int ike_hash_parts(struct msg_hash_parts *p, int hash, const uint8_t *skeyid, size_t len,
                   const uint8_t *gxi, const uint8_t *gxr, size_t gxlen, const uint8_t cky_i[8],
                   const uint8_t cky_r[8], const uint8_t *sai_b, size_t sailen);
/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
int ike_hash_r(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idir_b, size_t idlen,
               uint8_t *out);
/* IV of a phase 2 / informational exchange: hash(last phase 1 CBC block | M-ID) truncated to
 * blocklen (<= 16). Cannot fail for a valid hash; on a bad argument iv_out is zeroed. */
void ike_phase2_iv(int hash, const uint8_t *last_block, size_t blocklen, uint32_t msgid_net,
                   uint8_t *iv_out);
/*
 * KEYMAT (RFC 2409 5.5) = K1 | K2 | ... truncated to outlen, with
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * gqmlen = 0 without PFS.
 */
int ike_keymat(int hash, const uint8_t *skeyid_d, size_t dlen, const uint8_t *gqm, size_t gqmlen,
               uint8_t proto, uint32_t spi_net, const uint8_t *ni, size_t nilen,
               const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen);

#endif
