/* IKEv1 crypto on OpenSSL 3: see ike_crypto.h. */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "common/conf.h"
#include "ikemgr/ike_crypto.h"

static const EVP_MD *md_of(int hash)
{
	switch (hash) {
	case IKE_HASH_MD5:    return EVP_md5();
	case IKE_HASH_SHA1:   return EVP_sha1();
	case IKE_HASH_SHA256: return EVP_sha256();
	case IKE_HASH_SHA384: return EVP_sha384();
	case IKE_HASH_SHA512: return EVP_sha512();
	}
	return NULL;
}

size_t ike_hash_len(int hash)
{
	const EVP_MD *md = md_of(hash);
	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

int ike_hash(int hash, const struct iovec *iov, int n, uint8_t *out)
{
	const EVP_MD *md = md_of(hash);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = md && c && EVP_DigestInit_ex(c, md, NULL);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, iov[i].iov_base, iov[i].iov_len);
	ok = ok && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

int ike_prf(int hash, const uint8_t *key, size_t keylen, const struct iovec *iov, int n,
            uint8_t *out)
{
	const EVP_MD *md = md_of(hash);
	size_t total = 0;
	if (!md)
		return -1;
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	/* One contiguous buffer keeps this to the one-shot HMAC(), which is not deprecated. */
	uint8_t stackbuf[2048], *buf = total <= sizeof(stackbuf) ? stackbuf : OPENSSL_malloc(total);
	if (!buf)
		return -1;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len)
			memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	unsigned int outlen = 0;
	/* HMAC() with a zero-length key still needs a non-NULL pointer */
	static const uint8_t nokey[1];
	uint8_t *r = HMAC(md, keylen ? key : nokey, (int)keylen, buf, total, out, &outlen);
	OPENSSL_cleanse(buf, total);
	if (buf != stackbuf)
		OPENSSL_free(buf);
	return r ? 0 : -1;
}

size_t ike_cipher_keylen(int encr, int keylen_bits)
{
	switch (encr) {
	case IKE_ENCR_DES:  return 8;
	case IKE_ENCR_3DES: return 24;
	case IKE_ENCR_AES:  return (keylen_bits == 192 || keylen_bits == 256) ? (size_t)keylen_bits / 8 : 16;
	}
	return 0;
}

size_t ike_cipher_blocklen(int encr)
{
	return encr == IKE_ENCR_AES ? 16 : (encr == IKE_ENCR_DES || encr == IKE_ENCR_3DES) ? 8 : 0;
}

static EVP_CIPHER *cipher_of(int encr, int keylen_bits)
{
	const char *name = NULL;
	const char *props = NULL;
	switch (encr) {
	case IKE_ENCR_DES:
		/* single DES lives in OpenSSL 3's legacy provider */
		OSSL_PROVIDER_try_load(NULL, "legacy", 1);
		name = "DES-CBC";
		break;
	case IKE_ENCR_3DES: name = "DES-EDE3-CBC"; break;
	case IKE_ENCR_AES:
		name = keylen_bits == 256 ? "AES-256-CBC" : keylen_bits == 192 ? "AES-192-CBC"
		                                                                : "AES-128-CBC";
		break;
	default: return NULL;
	}
	return EVP_CIPHER_fetch(NULL, name, props);
}

int ike_cbc(int encr, int keylen_bits, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len,
            int encrypt)
{
	size_t bl = ike_cipher_blocklen(encr);
	if (!bl || len % bl || len == 0)
		return -1;
	EVP_CIPHER *ci = cipher_of(encr, keylen_bits);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t last[16];
	int outl = 0, ok = ci && c;
	if (!encrypt)
		memcpy(last, buf + len - bl, bl);
	ok = ok && EVP_CipherInit_ex2(c, ci, key, iv, encrypt, NULL);
	ok = ok && EVP_CIPHER_CTX_set_padding(c, 0);
	ok = ok && EVP_CipherUpdate(c, buf, &outl, buf, (int)len) && (size_t)outl == len;
	if (ok)
		memcpy(iv, encrypt ? buf + len - bl : last, bl);
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(ci);
	return ok ? 0 : -1;
}

int ike_random(uint8_t *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int ike_skeyid_psk(int hash, const uint8_t *psk, size_t psklen, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen)
{
	struct iovec iov[2] = { { (void *)ni, nilen }, { (void *)nr, nrlen } };
	*outlen = ike_hash_len(hash);
	return *outlen ? ike_prf(hash, psk, psklen, iov, 2, out) : -1;
}

int ike_derive_p1(int hash, int encr, int keylen_bits, const uint8_t *skeyid, size_t skeyid_len,
                  const uint8_t *gxy, size_t gxylen, const uint8_t cky_i[8],
                  const uint8_t cky_r[8], const uint8_t *gxi, size_t gxilen, const uint8_t *gxr,
                  size_t gxrlen, struct ike_p1keys *out)
{
	size_t hl = ike_hash_len(hash);
	uint8_t c0 = 0, c1 = 1, c2 = 2;
	if (!hl || !ike_cipher_blocklen(encr))
		return -1;
	memset(out, 0, sizeof(*out));
	out->prf_len = hl;
	struct iovec d[4] = { { (void *)gxy, gxylen }, { (void *)cky_i, 8 }, { (void *)cky_r, 8 },
	                      { &c0, 1 } };
	if (ike_prf(hash, skeyid, skeyid_len, d, 4, out->skeyid_d) < 0)
		return -1;
	struct iovec a[5] = { { out->skeyid_d, hl }, { (void *)gxy, gxylen }, { (void *)cky_i, 8 },
	                      { (void *)cky_r, 8 }, { &c1, 1 } };
	if (ike_prf(hash, skeyid, skeyid_len, a, 5, out->skeyid_a) < 0)
		return -1;
	struct iovec e[5] = { { out->skeyid_a, hl }, { (void *)gxy, gxylen }, { (void *)cky_i, 8 },
	                      { (void *)cky_r, 8 }, { &c2, 1 } };
	if (ike_prf(hash, skeyid, skeyid_len, e, 5, out->skeyid_e) < 0)
		return -1;

	/* Appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1),
	 * only when SKEYID_e is shorter than the key. */
	out->enc_keylen = ike_cipher_keylen(encr, keylen_bits);
	if (out->enc_keylen <= hl) {
		memcpy(out->enc_key, out->skeyid_e, out->enc_keylen);
	} else {
		uint8_t k[64], zero = 0;
		size_t have = 0;
		struct iovec first = { &zero, 1 };
		if (ike_prf(hash, out->skeyid_e, hl, &first, 1, k) < 0)
			return -1;
		while (1) {
			size_t take = out->enc_keylen - have < hl ? out->enc_keylen - have : hl;
			memcpy(out->enc_key + have, k, take);
			have += take;
			if (have >= out->enc_keylen)
				break;
			uint8_t prev[64];
			memcpy(prev, k, hl);
			struct iovec nx = { prev, hl };
			if (ike_prf(hash, out->skeyid_e, hl, &nx, 1, k) < 0)
				return -1;
		}
		OPENSSL_cleanse(k, sizeof(k));
	}
	out->blocklen = ike_cipher_blocklen(encr);
	uint8_t h[64];
	struct iovec ivv[2] = { { (void *)gxi, gxilen }, { (void *)gxr, gxrlen } };
	if (ike_hash(hash, ivv, 2, h) < 0)
		return -1;
	memcpy(out->iv, h, out->blocklen);
	return 0;
}

int ike_hash_i(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idii_b, size_t idlen,
               uint8_t *out)
{
	struct iovec v[6] = { { (void *)gxi, gxilen }, { (void *)gxr, gxrlen }, { (void *)cky_i, 8 },
	                      { (void *)cky_r, 8 }, { (void *)sai_b, sailen },
	                      { (void *)idii_b, idlen } };
	return ike_prf(hash, skeyid, len, v, 6, out);
}

int ike_hash_r(int hash, const uint8_t *skeyid, size_t len, const uint8_t *gxi, size_t gxilen,
               const uint8_t *gxr, size_t gxrlen, const uint8_t cky_i[8], const uint8_t cky_r[8],
               const uint8_t *sai_b, size_t sailen, const uint8_t *idir_b, size_t idlen,
               uint8_t *out)
{
	struct iovec v[6] = { { (void *)gxr, gxrlen }, { (void *)gxi, gxilen }, { (void *)cky_r, 8 },
	                      { (void *)cky_i, 8 }, { (void *)sai_b, sailen },
	                      { (void *)idir_b, idlen } };
	return ike_prf(hash, skeyid, len, v, 6, out);
}

void ike_phase2_iv(int hash, const uint8_t *last_block, size_t blocklen, uint32_t msgid_net,
                   uint8_t *iv_out)
{
	uint8_t h[64];
	struct iovec v[2] = { { (void *)last_block, blocklen }, { &msgid_net, 4 } };
	if (blocklen == 0 || blocklen > 16 || ike_hash(hash, v, 2, h) < 0) {
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
	uint8_t k[64];
	if (!hl)
		return -1;
	/* K1 = prf(SKEYID_d, [g^xy |] proto | SPI | Ni_b | Nr_b); Kn = prf(SKEYID_d, Kn-1 | same) */
	while (have < outlen) {
		struct iovec v[6];
		int n = 0;
		uint8_t prev[64];
		if (have) {
			memcpy(prev, k, hl);
			v[n].iov_base = prev;
			v[n++].iov_len = hl;
		}
		if (gqmlen) {
			v[n].iov_base = (void *)gqm;
			v[n++].iov_len = gqmlen;
		}
		v[n].iov_base = &proto;
		v[n++].iov_len = 1;
		v[n].iov_base = &spi_net;
		v[n++].iov_len = 4;
		v[n].iov_base = (void *)ni;
		v[n++].iov_len = nilen;
		v[n].iov_base = (void *)nr;
		v[n++].iov_len = nrlen;
		if (ike_prf(hash, skeyid_d, dlen, v, n, k) < 0)
			return -1;
		size_t take = outlen - have < hl ? outlen - have : hl;
		memcpy(out + have, k, take);
		have += take;
	}
	OPENSSL_cleanse(k, sizeof(k));
	return 0;
}
