/* IKEv1 crypto on OpenSSL 3 (EVP only, nothing deprecated): see ike_crypto.h. */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "common/alg.h"
#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ossl_legacy.h"

#define MAX_HASH 64

static const char *md_name(int hash)
{
	const struct alg_ike_hash *h = alg_ike_hash(hash);
	return h ? h->digest : NULL;
}

size_t ike_hash_len(int hash)
{
	const struct alg_ike_hash *h = alg_ike_hash(hash);
	return h ? h->len : 0;
}

int ike_hash(int hash, const struct iovec *iov, int n, uint8_t *out)
{
	const char *name = md_name(hash);
	if (!name || n < 0)
		return -1;
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = md && c && EVP_DigestInit_ex2(c, md, NULL);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, iov[i].iov_base, iov[i].iov_len);
	ok = ok && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

int ike_prf(int hash, const uint8_t *key, size_t keylen, const struct iovec *iov, int n,
            uint8_t *out)
{
	/* HMAC through EVP_MAC streams the pieces: no copy of the (secret) input is made. */
	static const uint8_t nokey[1];
	const char *name = md_name(hash);
	size_t hl = ike_hash_len(hash), outl = 0;
	if (!name || n < 0)
		return -1;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0),
		OSSL_PARAM_construct_end(),
	};
	/* A NULL key would mean "keep the previous key" to EVP_MAC_init; an empty one is valid. */
	int ok = c && EVP_MAC_init(c, keylen ? key : nokey, keylen, params);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(c, iov[i].iov_base, iov[i].iov_len);
	ok = ok && EVP_MAC_final(c, out, &outl, hl) && outl == hl;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

/* RFC 3602 makes KEY_LENGTH mandatory for AES; 0 stands for an absent one (128). */
size_t ike_cipher_keylen(int encr, int keylen_bits)
{
	const struct alg_ike_encr *e = alg_ike_encr(encr);
	return e ? alg_key_bytes(e->key_bits, e->bits, keylen_bits) : 0;
}

size_t ike_cipher_blocklen(int encr)
{
	const struct alg_ike_encr *e = alg_ike_encr(encr);
	return e ? e->block : 0;
}

int ike_crypto_init(void)
{
	return ossl_legacy_load();
}

static EVP_CIPHER *cipher_fetch(int encr, int keylen_bits)
{
	const struct alg_ike_encr *e = alg_ike_encr(encr);
	const char *name = e ? alg_ossl(e->key_bits, e->bits, e->ossl,
	                                ike_cipher_keylen(encr, keylen_bits)) : NULL;

	/* single DES lives in OpenSSL's legacy provider */
	if (!name || (encr == IKE_ENCR_DES && ike_crypto_init() < 0))
		return NULL;
	return EVP_CIPHER_fetch(NULL, name, NULL);
}

int ike_cbc(int encr, int keylen_bits, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len,
            int encrypt)
{
	size_t bl = ike_cipher_blocklen(encr);
	if (!bl || !len || len % bl || len > (size_t)0x7fffffff)
		return -1;
	EVP_CIPHER *ci = cipher_fetch(encr, keylen_bits);
	EVP_CIPHER_CTX *c = ci ? EVP_CIPHER_CTX_new() : NULL;
	uint8_t next_iv[16], tail[32];
	int outl = 0, finl = 0;
	/* When decrypting, the last ciphertext block is about to be overwritten: keep it. */
	if (!encrypt)
		memcpy(next_iv, buf + len - bl, bl);
	int ok = c && EVP_CipherInit_ex2(c, ci, key, iv, encrypt ? 1 : 0, NULL) &&
	         EVP_CIPHER_CTX_set_padding(c, 0) &&
	         EVP_CipherUpdate(c, buf, &outl, buf, (int)len) && (size_t)outl == len &&
	         EVP_CipherFinal_ex(c, tail, &finl) && finl == 0;
	if (ok)
		memcpy(iv, encrypt ? buf + len - bl : next_iv, bl);
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(ci);
	return ok ? 0 : -1;
}

int ike_random(uint8_t *buf, size_t len)
{
	if (len > (size_t)0x7fffffff)
		return -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int ike_skeyid_psk(int hash, const uint8_t *psk, size_t psklen, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen)
{
	struct iovec v[2] = { { (void *)ni, nilen }, { (void *)nr, nrlen } };
	size_t hl = ike_hash_len(hash);
	if (!hl || ike_prf(hash, psk, psklen, v, 2, out) < 0)
		return -1;
	*outlen = hl;
	return 0;
}

/* out = K1 | K2 | ... (outlen bytes), K1 = prf(key, first), Kn = prf(key, Kn-1): appendix B. */
static int expand(int hash, const uint8_t *key, size_t keylen, const uint8_t *first,
                  size_t firstlen, uint8_t *out, size_t outlen)
{
	size_t hl = ike_hash_len(hash), have = 0;
	uint8_t k[MAX_HASH];
	struct iovec v = { (void *)first, firstlen };
	int rc = 0;
	while (have < outlen) {
		if (ike_prf(hash, key, keylen, &v, 1, k) < 0) {
			rc = -1;
			break;
		}
		size_t take = outlen - have < hl ? outlen - have : hl;
		memcpy(out + have, k, take);
		/* the next block is keyed on the whole previous block, even where truncated */
		v.iov_base = out + have;
		v.iov_len = hl;
		if (take < hl)
			break;
		have += take;
	}
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int ike_derive_p1(int hash, int encr, int keylen_bits, const uint8_t *skeyid, size_t skeyid_len,
                  const uint8_t *gxy, size_t gxylen, const uint8_t cky_i[8],
                  const uint8_t cky_r[8], const uint8_t *gxi, size_t gxilen, const uint8_t *gxr,
                  size_t gxrlen, struct ike_p1keys *out)
{
	size_t hl = ike_hash_len(hash), bl = ike_cipher_blocklen(encr);
	size_t kl = ike_cipher_keylen(encr, keylen_bits);
	static const uint8_t c0 = 0, c1 = 1, c2 = 2;
	uint8_t h[MAX_HASH];
	if (!hl || !bl || !kl)
		return -1;
	memset(out, 0, sizeof(*out));
	out->prf_len = hl;
	out->enc_keylen = kl;
	out->blocklen = bl;

	struct iovec v[5] = {
		{ NULL, 0 },
		{ (void *)gxy, gxylen }, { (void *)cky_i, 8 }, { (void *)cky_r, 8 }, { (void *)&c0, 1 },
	};
	if (ike_prf(hash, skeyid, skeyid_len, v + 1, 4, out->skeyid_d) < 0)
		goto fail;
	v[0] = (struct iovec){ out->skeyid_d, hl };
	v[4].iov_base = (void *)&c1;
	if (ike_prf(hash, skeyid, skeyid_len, v, 5, out->skeyid_a) < 0)
		goto fail;
	v[0] = (struct iovec){ out->skeyid_a, hl };
	v[4].iov_base = (void *)&c2;
	if (ike_prf(hash, skeyid, skeyid_len, v, 5, out->skeyid_e) < 0)
		goto fail;

	if (kl <= hl)
		memcpy(out->enc_key, out->skeyid_e, kl);
	else if (expand(hash, out->skeyid_e, hl, &c0, 1, out->enc_key, kl) < 0)
		goto fail;

	struct iovec ivv[2] = { { (void *)gxi, gxilen }, { (void *)gxr, gxrlen } };
	if (ike_hash(hash, ivv, 2, h) < 0)
		goto fail;
	memcpy(out->iv, h, bl);
	return 0;
fail:
	OPENSSL_cleanse(out, sizeof(*out));
	return -1;
}

static int auth_hash(int hash, const uint8_t *skeyid, size_t len, const uint8_t *g1, size_t g1len,
                     const uint8_t *g2, size_t g2len, const uint8_t *c1, const uint8_t *c2,
                     const uint8_t *sai_b, size_t sailen, const uint8_t *id_b, size_t idlen,
                     uint8_t *out)
{
	struct iovec v[6] = {
		{ (void *)g1, g1len }, { (void *)g2, g2len }, { (void *)c1, 8 }, { (void *)c2, 8 },
		{ (void *)sai_b, sailen }, { (void *)id_b, idlen },
	};
	return ike_prf(hash, skeyid, len, v, 6, out);
}

int ike_hash_i(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idii_b, size_t idlen,
               uint8_t *out)
{
	return auth_hash(hash, skeyid, len, gxi, gxilen, gxr, gxrlen, cky_i, cky_r, sai_b, sailen,
	                 idii_b, idlen, out);
}

int ike_hash_parts(struct msg_hash_parts *p, int hash, const uint8_t *skeyid, size_t len,
                   const uint8_t *gxi, const uint8_t *gxr, size_t gxlen, const uint8_t cky_i[8],
                   const uint8_t cky_r[8], const uint8_t *sai_b, size_t sailen)
{
	if (len > sizeof(p->skeyid) || gxlen > sizeof(p->gxi) || sailen > sizeof(p->sai_b))
		return -1;
	p->prf_hash = hash;
	p->skeyid_len = (uint16_t)len;
	memcpy(p->skeyid, skeyid, len);
	p->gx_len = (uint16_t)gxlen;
	memcpy(p->gxi, gxi, gxlen);
	memcpy(p->gxr, gxr, gxlen);
	memcpy(p->cky_i, cky_i, 8);
	memcpy(p->cky_r, cky_r, 8);
	p->sai_len = (uint16_t)sailen;
	memcpy(p->sai_b, sai_b, sailen);
	return 0;
}

int ike_hash_r(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idir_b, size_t idlen,
               uint8_t *out)
{
	return auth_hash(hash, skeyid, len, gxr, gxrlen, gxi, gxilen, cky_r, cky_i, sai_b, sailen,
	                 idir_b, idlen, out);
}

void ike_phase2_iv(int hash, const uint8_t *last_block, size_t blocklen, uint32_t msgid_net,
                   uint8_t *iv_out)
{
	uint8_t h[MAX_HASH];
	struct iovec v[2] = { { (void *)last_block, blocklen }, { &msgid_net, 4 } };
	if (blocklen == 0 || blocklen > 16 || blocklen > ike_hash_len(hash) ||
	    ike_hash(hash, v, 2, h) < 0) {
		memset(iv_out, 0, blocklen <= 16 ? blocklen : 16);
		return;
	}
	memcpy(iv_out, h, blocklen);
}

int ike_keymat(int hash, const uint8_t *skeyid_d, size_t dlen, const uint8_t *gqm, size_t gqmlen,
               uint8_t proto, uint32_t spi_net, const uint8_t *ni, size_t nilen,
               const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen)
{
	size_t hl = ike_hash_len(hash), have = 0;
	uint8_t k[MAX_HASH];
	int rc = 0;
	if (!hl)
		return -1;
	while (have < outlen) {
		struct iovec v[6];
		int n = 0;
		if (have)
			v[n++] = (struct iovec){ k, hl };          /* Kn-1 */
		if (gqmlen)
			v[n++] = (struct iovec){ (void *)gqm, gqmlen };
		v[n++] = (struct iovec){ &proto, 1 };
		v[n++] = (struct iovec){ &spi_net, 4 };
		v[n++] = (struct iovec){ (void *)ni, nilen };
		v[n++] = (struct iovec){ (void *)nr, nrlen };
		/* k is both an input and the output: HMAC reads all input before writing out */
		if (ike_prf(hash, skeyid_d, dlen, v, n, k) < 0) {
			rc = -1;
			break;
		}
		size_t take = outlen - have < hl ? outlen - have : hl;
		memcpy(out + have, k, take);
		have += take;
	}
	OPENSSL_cleanse(k, sizeof(k));
	if (rc)
		OPENSSL_cleanse(out, outlen);
	return rc;
}
