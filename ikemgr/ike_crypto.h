/*
 * IKEv1 key derivation and protection (RFC 2409 sections 5 and appendix B).
 * hash = enum conf_ike_hash, encr = enum conf_ike_encr (wire values). 0 = ok, -1 = error.
 */
#ifndef VPND_IKE_CRYPTO_H
#define VPND_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <openssl/crypto.h>

size_t ike_hash_len(int hash);
int ike_hash(int hash, const struct iovec *iov, int n, uint8_t *out);
int ike_prf(int hash, const uint8_t *key, size_t keylen, const struct iovec *iov, int n,
            uint8_t *out);
size_t ike_cipher_keylen(int encr, int keylen_bits);
size_t ike_cipher_blocklen(int encr);
/* In place, len a multiple of the block size; iv becomes the last ciphertext block. */
int ike_cbc(int encr, int keylen_bits, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len,
            int encrypt);
int ike_random(uint8_t *buf, size_t len);

struct ike_p1keys {
	uint8_t skeyid_d[64], skeyid_a[64], skeyid_e[64];
	size_t  prf_len;
	uint8_t enc_key[32];
	size_t  enc_keylen;
	uint8_t iv[16];
	size_t  blocklen;
};

int ike_skeyid_psk(int hash, const uint8_t *psk, size_t psklen, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen);
int ike_derive_p1(int hash, int encr, int keylen_bits, const uint8_t *skeyid, size_t skeyid_len,
                  const uint8_t *gxy, size_t gxylen, const uint8_t cky_i[8],
                  const uint8_t cky_r[8], const uint8_t *gxi, size_t gxilen, const uint8_t *gxr,
                  size_t gxrlen, struct ike_p1keys *out);
/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
int ike_hash_i(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idii_b, size_t idlen,
               uint8_t *out);
/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
int ike_hash_r(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idir_b, size_t idlen,
               uint8_t *out);
/* hash(last phase-1 CBC block | M-ID) truncated to the block size */
void ike_phase2_iv(int hash, const uint8_t *last_block, size_t blocklen, uint32_t msgid_net,
                   uint8_t *iv_out);
/* KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), expanded K1|K2|... */
int ike_keymat(int hash, const uint8_t *skeyid_d, size_t dlen, const uint8_t *gqm, size_t gqmlen,
               uint8_t proto, uint32_t spi_net, const uint8_t *ni, size_t nilen,
               const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen);

#endif
