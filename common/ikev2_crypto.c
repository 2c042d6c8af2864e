/* IKEv2 crypto on OpenSSL 3 (EVP only): see ikev2_crypto.h. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/params.h>

#include "common/alg.h"
#include "common/ikev2_crypto.h"

#define IKE_HDR_LEN 28

int ikev2_suite(struct ikev2_suite *s, int encr_id, int encr_bits, int integ_id, int prf_id,
                int dh)
{
	memset(s, 0, sizeof(*s));
	/* IKEv2's own rows name the cipher per key length; the transform registry's IV and
	 * block sizes are the ESP rows' (transform type 1 is one registry for both) */
	const struct alg_esp_encr *reg = alg_esp_encr_v2(encr_id);
	const struct alg_v2_encr *e = reg ? alg_v2_encr(encr_id, encr_bits ? encr_bits
	                                                                   : reg->key_bits) : NULL;
	if (!e && reg && !reg->bits[0])
		e = alg_v2_encr(encr_id, 0);            /* 3DES: a fixed key, no Key Length */
	const struct alg_v2_prf *p = alg_v2_prf(prf_id);
	if (!e || !p)
		return -1;
	size_t kb = e->bits ? e->bits / 8u : alg_key_bytes(reg->key_bits, reg->bits, 0);
	s->encr_id = (uint16_t)encr_id;
	s->encr_bits = e->bits;
	s->prf_id = (uint16_t)prf_id;
	s->dh = (uint16_t)dh;
	s->prf_md = p->digest;
	s->prf_len = p->len;
	s->cipher = e->ossl;
	s->salt = e->salt;
	s->ekey = kb + e->salt;
	s->iv = reg->iv;
	s->aead = e->aead;
	if (s->aead) {
		/* RFC 5282: the Encrypted payload of an AEAD needs no alignment */
		if (integ_id != 0)
			return -1;
		s->block = 1;
		s->icv = reg->icv;
		return 0;
	}
	const struct alg_v2_integ *a = alg_v2_integ(integ_id);
	if (!a)
		return -1;
	s->integ_id = (uint16_t)integ_id;
	s->block = reg->block;
	s->integ_md = a->digest;
	s->akey = a->key;
	s->icv = a->icv;
	return 0;
}

int ikev2_suite_prf(struct ikev2_suite *s, int prf_id)
{
	memset(s, 0, sizeof(*s));
	const struct alg_v2_prf *p = alg_v2_prf(prf_id);
	if (!p)
		return -1;
	s->prf_id = (uint16_t)prf_id;
	s->prf_md = p->digest;
	s->prf_len = p->len;
	return 0;
}

/* HMAC with the named digest over the pieces; out (cap bytes) gets the whole digest, whose
 * length must be want (0: any that fits). */
static int hmac_iov(const char *md, const uint8_t *key, size_t keylen, const struct iovec *iov,
                    int n, uint8_t *out, size_t cap, size_t want)
{
	static const uint8_t nokey[1];
	size_t got = 0;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)md, 0),
		OSSL_PARAM_construct_end(),
	};
	/* a NULL key would mean "keep the previous key" to EVP_MAC_init; an empty one is valid */
	int ok = md && c && n >= 0 && EVP_MAC_init(c, keylen ? key : nokey, keylen, params);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(c, iov[i].iov_base, iov[i].iov_len);
	ok = ok && EVP_MAC_final(c, out, &got, cap) && (want == 0 || got == want);
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

int ikev2_prf(const struct ikev2_suite *s, const uint8_t *key, size_t keylen,
              const struct iovec *iov, int n, uint8_t *out)
{
	return hmac_iov(s->prf_md, key, keylen, iov, n, out, s->prf_len, s->prf_len);
}

int ikev2_prfplus(const struct ikev2_suite *s, const uint8_t *key, size_t keylen,
                  const struct iovec *iov, int n, uint8_t *out, size_t outlen)
{
	size_t hl = s->prf_len, have = 0;
	uint8_t t[IKEV2_PRF_MAX];
	if (!hl || hl > sizeof(t) || n < 0 || n > 8 || outlen > 255 * hl)
		return -1;
	struct iovec v[10];
	uint8_t ctr = 0;
	for (int i = 0; i < n; i++)
		v[1 + i] = iov[i];
	v[n + 1] = (struct iovec){ &ctr, 1 };
	while (have < outlen) {
		ctr++;
		/* T1 has no previous block; each later one starts with the whole previous block */
		v[0] = (struct iovec){ t, ctr == 1 ? 0 : hl };
		if (ikev2_prf(s, key, keylen, v, n + 2, t) < 0) {
			OPENSSL_cleanse(t, sizeof(t));
			return -1;
		}
		size_t take = outlen - have < hl ? outlen - have : hl;
		memcpy(out + have, t, take);
		have += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int ikev2_ike_keys(const struct ikev2_suite *s, const uint8_t *gir, size_t girlen,
                   const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                   const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *old_d,
                   struct ikev2_keys *k)
{
	uint8_t seed[IKEV2_PRF_MAX], nn[512], all[3 * IKEV2_PRF_MAX + 2 * IKEV2_AKEY_MAX +
	                                        2 * IKEV2_EKEY_MAX];
	size_t p = s->prf_len, a = s->akey, e = s->ekey, total = 3 * p + 2 * a + 2 * e;
	int rc = -1;
	if (!p || nilen + nrlen > sizeof(nn) || total > sizeof(all))
		return -1;
	memcpy(nn, ni, nilen);
	memcpy(nn + nilen, nr, nrlen);
	if (old_d) {
		/* A rekey's SKEYSEED is keyed with the old SK_d; the new nonces follow g^ir. */
		struct iovec v[3] = { { (void *)gir, girlen }, { (void *)ni, nilen },
		                      { (void *)nr, nrlen } };
		if (ikev2_prf(s, old_d, p, v, 3, seed) < 0)
			goto out;
	} else {
		/* HMAC keys shorter than a block are used as they are: Ni | Nr is the key. */
		struct iovec v = { (void *)gir, girlen };
		if (ikev2_prf(s, nn, nilen + nrlen, &v, 1, seed) < 0)
			goto out;
	}
	struct iovec sv[3] = { { nn, nilen + nrlen }, { (void *)spi_i, 8 }, { (void *)spi_r, 8 } };
	if (ikev2_prfplus(s, seed, p, sv, 3, all, total) < 0)
		goto out;
	memset(k, 0, sizeof(*k));
	const uint8_t *q = all;
	memcpy(k->d, q, p);  q += p;
	memcpy(k->ai, q, a); q += a;
	memcpy(k->ar, q, a); q += a;
	memcpy(k->ei, q, e); q += e;
	memcpy(k->er, q, e); q += e;
	memcpy(k->pi, q, p); q += p;
	memcpy(k->pr, q, p);
	rc = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(all, sizeof(all));
	OPENSSL_cleanse(nn, sizeof(nn));
	return rc;
}

int ikev2_child_keymat(const struct ikev2_suite *s, const uint8_t *sk_d, const uint8_t *gir,
                       size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                       size_t nrlen, uint8_t *out, size_t outlen)
{
	struct iovec v[3] = { { (void *)gir, gir ? girlen : 0 }, { (void *)ni, nilen },
	                      { (void *)nr, nrlen } };
	return ikev2_prfplus(s, sk_d, s->prf_len, v, 3, out, outlen);
}

static int hmac(const struct ikev2_suite *s, const uint8_t *key, const uint8_t *data, size_t len,
                uint8_t *out)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	struct iovec v = { (void *)data, len };
	if (hmac_iov(s->integ_md, key, s->akey, &v, 1, full, sizeof(full), 0) < 0 ||
	    s->icv > sizeof(full))
		return -1;
	memcpy(out, full, s->icv);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

/*
 * One pass of the cipher over buf. CBC: no padding of OpenSSL's own (IKEv2 pads itself).
 * GCM: nonce = salt | IV (RFC 5282 4), the AAD given, the tag read or written at tag.
 */
static int cipher(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *iv,
                  const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len, uint8_t *tag,
                  int enc)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->cipher, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t nonce[16];
	int ok = c && x, outl = 0, fl = 0;
	if (ok && s->aead) {
		memcpy(nonce, ek + s->ekey - s->salt, s->salt);
		memcpy(nonce + s->salt, iv, s->iv);
		ok = EVP_CipherInit_ex2(x, c, NULL, NULL, enc, NULL) &&
		     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, (int)(s->salt + s->iv), NULL) &&
		     EVP_CipherInit_ex2(x, NULL, ek, nonce, enc, NULL) &&
		     (aadlen == 0 || EVP_CipherUpdate(x, NULL, &outl, aad, (int)aadlen));
		if (ok && !enc)
			ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)s->icv, tag);
	} else if (ok) {
		ok = EVP_CipherInit_ex2(x, c, ek, iv, enc, NULL) && EVP_CIPHER_CTX_set_padding(x, 0);
	}
	ok = ok && (len == 0 || EVP_CipherUpdate(x, buf, &outl, buf, (int)len)) &&
	     EVP_CipherFinal_ex(x, buf + outl, &fl);
	if (ok && s->aead && enc)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)s->icv, tag);
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(c);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return ok ? 0 : -1;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* hlen: the Encrypted payload's header before the IV, 4 for SK, 8 for SKF (its Fragment
 * Number and Total Fragments are in the AAD and under the ICV like the generic header) */
static long seal(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak, uint8_t *buf,
                 size_t cap, size_t sk_off, size_t hlen, size_t inner_len)
{
	size_t ct_off = sk_off + hlen + s->iv;
	if (sk_off < IKE_HDR_LEN || !s->block || s->iv > IKEV2_IV_MAX)
		return -1;
	/* the Pad Length octet is part of what aligns to the block */
	size_t pad = (s->block - (inner_len + 1) % s->block) % s->block;
	size_t ct_len = inner_len + pad + 1, total = ct_off + ct_len + s->icv;
	if (total > cap || total > 0xffff + sk_off)
		return -1;
	memset(buf + ct_off + inner_len, 0, pad);
	buf[ct_off + inner_len + pad] = (uint8_t)pad;
	if (RAND_bytes(buf + sk_off + hlen, (int)s->iv) != 1)
		return -1;
	size_t sk_len = total - sk_off;
	buf[sk_off + 2] = (uint8_t)(sk_len >> 8);
	buf[sk_off + 3] = (uint8_t)sk_len;
	put32(buf + 24, (uint32_t)total);
	if (s->aead) {
		/* AAD: the IKE header through the SK payload's generic header (RFC 5282 5.1; for
		 * SKF through Total Fragments, RFC 7383 2.5.3) */
		return cipher(s, ek, buf + sk_off + hlen, buf, sk_off + hlen, buf + ct_off, ct_len,
		              buf + ct_off + ct_len, 1) < 0 ? -1 : (long)total;
	}
	if (cipher(s, ek, buf + sk_off + hlen, NULL, 0, buf + ct_off, ct_len, NULL, 1) < 0)
		return -1;
	/* the ICV covers the whole message before it, header included (3.14) */
	return hmac(s, ak, buf, total - s->icv, buf + total - s->icv) < 0 ? -1 : (long)total;
}

long ikev2_sk_seal(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                   uint8_t *buf, size_t cap, size_t sk_off, size_t inner_len)
{
	return seal(s, ek, ak, buf, cap, sk_off, 4, inner_len);
}

long ikev2_skf_seal(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                    uint8_t *buf, size_t cap, size_t skf_off, size_t inner_len)
{
	return seal(s, ek, ak, buf, cap, skf_off, 8, inner_len);
}

static int open_(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                 uint8_t *msg, size_t len, size_t sk_off, size_t hlen, uint8_t **inner,
                 size_t *inner_len)
{
	if (sk_off < IKE_HDR_LEN || sk_off > len || s->icv > IKEV2_ICV_MAX || !s->block)
		return -1;
	size_t ct_off = sk_off + hlen + s->iv;
	if (len < ct_off + 1 + s->icv)
		return -1;
	size_t ct_len = len - ct_off - s->icv;
	if (ct_len % s->block)
		return -1;
	if (s->aead) {
		if (cipher(s, ek, msg + sk_off + hlen, msg, sk_off + hlen, msg + ct_off, ct_len,
		           msg + len - s->icv, 0) < 0)
			return -1;
	} else {
		uint8_t icv[IKEV2_ICV_MAX];
		if (hmac(s, ak, msg, len - s->icv, icv) < 0 ||
		    CRYPTO_memcmp(icv, msg + len - s->icv, s->icv) != 0)
			return -1;
		if (cipher(s, ek, msg + sk_off + hlen, NULL, 0, msg + ct_off, ct_len, NULL, 0) < 0)
			return -1;
	}
	size_t pad = msg[ct_off + ct_len - 1];
	if (pad + 1 > ct_len)
		return -1;
	*inner = msg + ct_off;
	*inner_len = ct_len - pad - 1;
	return 0;
}

int ikev2_sk_open(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                  uint8_t *msg, size_t len, size_t sk_off, uint8_t **inner, size_t *inner_len)
{
	return open_(s, ek, ak, msg, len, sk_off, 4, inner, inner_len);
}

int ikev2_skf_open(const struct ikev2_suite *s, const uint8_t *ek, const uint8_t *ak,
                   uint8_t *msg, size_t len, size_t skf_off, uint8_t **inner, size_t *inner_len)
{
	return open_(s, ek, ak, msg, len, skf_off, 8, inner, inner_len);
}

int ikev2_psk_auth(const struct ikev2_suite *s, const uint8_t *secret, size_t secretlen,
                   const struct iovec *octets, int n, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t k[IKEV2_PRF_MAX];
	struct iovec v = { (void *)pad, sizeof(pad) - 1 };
	int rc = -1;
	if (ikev2_prf(s, secret, secretlen, &v, 1, k) == 0 &&
	    ikev2_prf(s, k, s->prf_len, octets, n, out) == 0)
		rc = 0;
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}
