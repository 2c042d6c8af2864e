/* ESP encapsulation and decapsulation: see esp.h. */
#include "common/alg.h"
#include "common/ossl_legacy.h"
#include "tunmgr/esp.h"
#include "tunmgr/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define ESP_SPI_SEQ     8
#define ESP_GCM_SALT    4
#define ESP_GCM_IV      8
#define ESP_GCM_ICV     16
#define ESP_MAX_IV      16
/* An inner IPv4 packet cannot exceed this; it also keeps every length within EVP's int. */
#define ESP_MAX_INNER   65535

struct esp_sa {
	int       encr, auth;
	uint32_t  spi;                  /* network byte order */
	uint32_t  seq_out;              /* last sequence number sent */
	uint8_t   ivlen;
	uint8_t   align;                /* ciphertext is padded to a multiple of this */
	uint8_t   icvlen;
	uint8_t   test_iv_len;          /* > 0: test_iv is used for the next packet */
	size_t    maxlen;               /* longest ESP packet that can carry an IPv4 packet */
	uint8_t   salt[ESP_GCM_SALT];
	uint8_t   test_iv[ESP_MAX_IV];

	EVP_CIPHER     *cipher;
	/* Separate contexts per direction: a CBC decryption key schedule differs from the
	 * encryption one, and re-keying per packet is what we are avoiding. */
	EVP_CIPHER_CTX *ectx, *dctx;
	/* CBC IVs must be unpredictable (RFC 3602 3): AES-128-ECB of a counter under a random
	 * per-SA key is, to anyone without that key, and costs one block encryption instead of
	 * a trip through the DRBG. */
	EVP_CIPHER_CTX *ivctx;
	uint64_t  ivctr;

	EVP_MAC     *mac;
	EVP_MAC_CTX *mctx;

	struct replay    replay;
	struct esp_stats st;
};

static int
is_cbc(int encr)
{
	return encr == ESP_ENCR_DES || encr == ESP_ENCR_3DES || encr == ESP_ENCR_AES_CBC;
}

size_t
esp_icv_len(int encr, int auth)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	const struct alg_esp_auth *a = alg_esp_auth(auth);

	if (e && e->icv)
		return e->icv;
	return a ? a->icv : 0;
}

static size_t
enc_ivlen(int encr)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e ? e->iv : 0;
}

/* CBC pads to the cipher block; everything else only to the 4-byte alignment RFC 4303 2.4
 * asks for. */
static size_t
enc_align(int encr)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e ? e->block : 4;
}

size_t
esp_overhead_max(int encr, int auth)
{
	return ESP_SPI_SEQ + enc_ivlen(encr) + (enc_align(encr) - 1) + 2 + esp_icv_len(encr, auth);
}

/* keylen counts GCM's salt */
static const char *
cipher_name(int encr, size_t keylen)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e && keylen >= e->salt ? alg_ossl(e->key_bits, e->bits, e->ossl, keylen - e->salt) :
	       NULL;
}

static const char *
digest_name(int auth)
{
	const struct alg_esp_auth *a = alg_esp_auth(auth);
	return a ? a->digest : NULL;
}

/* errno value for a bad combination, 0 if esp_sa_new may proceed */
static int
check_params(int encr, size_t keylen, int auth, size_t authkeylen)
{
	switch (encr) {
	case ESP_ENCR_NULL:
		/* RFC 4303 3.2: encryption and integrity must not both be NULL */
		if (keylen != 0 || auth == ESP_AUTH_NONE)
			return EINVAL;
		break;
	case ESP_ENCR_AES_GCM16:
		/* the AEAD is the integrity check */
		if (auth != ESP_AUTH_NONE || cipher_name(encr, keylen) == NULL)
			return EINVAL;
		break;
	case ESP_ENCR_DES:
	case ESP_ENCR_3DES:
	case ESP_ENCR_AES_CBC:
		if (cipher_name(encr, keylen) == NULL)
			return EINVAL;
		break;
	default:
		return EINVAL;
	}
	if (auth != ESP_AUTH_NONE && (digest_name(auth) == NULL || authkeylen != esp_auth_keylen(auth)))
		return EINVAL;
	if (auth == ESP_AUTH_NONE && authkeylen != 0)
		return EINVAL;
	return 0;
}

static int
setup_cipher(struct esp_sa *sa, const uint8_t *key, size_t keylen)
{
	const char *name = cipher_name(sa->encr, keylen);
	size_t aeskey = keylen;
	uint8_t ivkey[16];
	int ok;

	if (sa->encr == ESP_ENCR_DES && ossl_legacy_load() != 0)
		return EOPNOTSUPP;
	sa->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (sa->cipher == NULL)
		return EOPNOTSUPP;
	sa->ectx = EVP_CIPHER_CTX_new();
	sa->dctx = EVP_CIPHER_CTX_new();
	if (sa->ectx == NULL || sa->dctx == NULL)
		return ENOMEM;
	if (sa->encr == ESP_ENCR_AES_GCM16) {
		aeskey = keylen - ESP_GCM_SALT;
		memcpy(sa->salt, key + aeskey, ESP_GCM_SALT);
	}
	if ((size_t)EVP_CIPHER_get_key_length(sa->cipher) != aeskey)
		return EINVAL;
	if (!EVP_CipherInit_ex2(sa->ectx, sa->cipher, key, NULL, 1, NULL) ||
	    !EVP_CipherInit_ex2(sa->dctx, sa->cipher, key, NULL, 0, NULL))
		return EOPNOTSUPP;
	if (sa->encr == ESP_ENCR_AES_GCM16)
		return 0;
	/* ESP does its own padding */
	EVP_CIPHER_CTX_set_padding(sa->ectx, 0);
	EVP_CIPHER_CTX_set_padding(sa->dctx, 0);

	if (RAND_bytes(ivkey, sizeof(ivkey)) != 1 ||
	    RAND_bytes((uint8_t *)&sa->ivctr, sizeof(sa->ivctr)) != 1)
		return EOPNOTSUPP;
	sa->ivctx = EVP_CIPHER_CTX_new();
	if (sa->ivctx == NULL)
		return ENOMEM;
	ok = EVP_EncryptInit_ex2(sa->ivctx, EVP_aes_128_ecb(), ivkey, NULL, NULL);
	OPENSSL_cleanse(ivkey, sizeof(ivkey));
	if (!ok)
		return EOPNOTSUPP;
	EVP_CIPHER_CTX_set_padding(sa->ivctx, 0);
	return 0;
}

static int
setup_mac(struct esp_sa *sa, const uint8_t *key, size_t keylen)
{
	OSSL_PARAM params[2];

	sa->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (sa->mac == NULL)
		return EOPNOTSUPP;
	sa->mctx = EVP_MAC_CTX_new(sa->mac);
	if (sa->mctx == NULL)
		return ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)digest_name(sa->auth), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(sa->mctx, key, keylen, params))
		return EOPNOTSUPP;
	return 0;
}

struct esp_sa *
esp_sa_new(int encr, const uint8_t *key, size_t keylen, int auth, const uint8_t *authkey,
    size_t authkeylen, uint32_t spi_net, int replay_window)
{
	struct esp_sa *sa;
	int err;

	if ((err = check_params(encr, keylen, auth, authkeylen)) != 0) {
		errno = err;
		return NULL;
	}
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return NULL;
	sa->encr = encr;
	sa->auth = auth;
	sa->spi = spi_net;
	sa->ivlen = (uint8_t)enc_ivlen(encr);
	sa->align = (uint8_t)enc_align(encr);
	sa->icvlen = (uint8_t)esp_icv_len(encr, auth);
	sa->maxlen = ESP_MAX_INNER + esp_overhead_max(encr, auth);
	if (replay_init(&sa->replay, replay_window > 0 ? (uint32_t)replay_window : 0) != 0) {
		err = ENOMEM;
		goto fail;
	}
	if (encr != ESP_ENCR_NULL && (err = setup_cipher(sa, key, keylen)) != 0)
		goto fail;
	if (auth != ESP_AUTH_NONE && (err = setup_mac(sa, authkey, authkeylen)) != 0)
		goto fail;
	return sa;
fail:
	esp_sa_free(sa);
	errno = err;
	return NULL;
}

void
esp_sa_free(struct esp_sa *sa)
{
	if (sa == NULL)
		return;
	EVP_CIPHER_CTX_free(sa->ectx);
	EVP_CIPHER_CTX_free(sa->dctx);
	EVP_CIPHER_CTX_free(sa->ivctx);
	EVP_CIPHER_free(sa->cipher);
	EVP_MAC_CTX_free(sa->mctx);
	EVP_MAC_free(sa->mac);
	replay_free(&sa->replay);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* HMAC of data, truncated to the SA's ICV length, into icv. */
static int
compute_icv(struct esp_sa *sa, const uint8_t *data, size_t len, uint8_t *icv)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen;

	/* A NULL key re-initialises with the key set at creation (no key schedule again). */
	if (!EVP_MAC_init(sa->mctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(sa->mctx, data, len) ||
	    !EVP_MAC_final(sa->mctx, md, &mdlen, sizeof(md)) || mdlen < sa->icvlen)
		return -1;
	memcpy(icv, md, sa->icvlen);
	return 0;
}

static int
next_iv(struct esp_sa *sa, uint32_t seq, uint8_t *iv)
{
	uint8_t blk[16];
	int outl, i;
	uint64_t c;

	if (sa->test_iv_len != 0) {
		memcpy(iv, sa->test_iv, sa->ivlen);
		sa->test_iv_len = 0;
		return 0;
	}
	if (sa->encr == ESP_ENCR_AES_GCM16) {
		/* RFC 4106 3.1: the IV must never repeat under a key; the sequence number never
		 * does (esp_encap refuses to wrap it). */
		memset(iv, 0, 4);
		put32(iv + 4, seq);
		return 0;
	}
	c = sa->ivctr++;
	memset(blk, 0, sizeof(blk));
	for (i = 0; i < 8; i++)
		blk[15 - i] = (uint8_t)(c >> (8 * i));
	if (!EVP_EncryptUpdate(sa->ivctx, blk, &outl, blk, sizeof(blk)) || outl != sizeof(blk))
		return -1;
	memcpy(iv, blk, sa->ivlen);
	return 0;
}

ssize_t
esp_encap(struct esp_sa *sa, const uint8_t *inner, size_t len, uint8_t next_header,
    uint8_t *out, size_t outcap)
{
	size_t hdr = ESP_SPI_SEQ + sa->ivlen, padded, padlen, total, i;
	uint8_t *payload = out + hdr, *iv = out + ESP_SPI_SEQ, nonce[ESP_GCM_SALT + ESP_GCM_IV];
	uint32_t seq;
	int outl, finl;

	if (sa->seq_out == UINT32_MAX)
		return ESP_ERR_SEQ;
	if (len > ESP_MAX_INNER)
		return ESP_ERR_SPACE;
	padded = (len + 2 + sa->align - 1) / sa->align * sa->align;
	padlen = padded - len - 2;
	total = hdr + padded + sa->icvlen;
	if (total > outcap)
		return ESP_ERR_SPACE;
	seq = ++sa->seq_out;

	/* The payload first: writing the header could clobber an overlapping inner packet. */
	if (len != 0)
		memmove(payload, inner, len);
	for (i = 0; i < padlen; i++)
		payload[len + i] = (uint8_t)(i + 1);
	payload[padded - 2] = (uint8_t)padlen;
	payload[padded - 1] = next_header;
	memcpy(out, &sa->spi, 4);
	put32(out + 4, seq);
	if (sa->ivlen != 0 && next_iv(sa, seq, iv) != 0)
		goto crypto;

	if (sa->encr == ESP_ENCR_AES_GCM16) {
		memcpy(nonce, sa->salt, ESP_GCM_SALT);
		memcpy(nonce + ESP_GCM_SALT, iv, ESP_GCM_IV);
		/* RFC 4106 5: AAD is SPI | sequence number */
		if (!EVP_CipherInit_ex2(sa->ectx, NULL, NULL, nonce, 1, NULL) ||
		    !EVP_CipherUpdate(sa->ectx, NULL, &outl, out, ESP_SPI_SEQ) ||
		    !EVP_CipherUpdate(sa->ectx, payload, &outl, payload, (int)padded) ||
		    !EVP_CipherFinal_ex(sa->ectx, payload + outl, &finl) ||
		    (size_t)(outl + finl) != padded ||
		    !EVP_CIPHER_CTX_ctrl(sa->ectx, EVP_CTRL_AEAD_GET_TAG, ESP_GCM_ICV,
		        payload + padded))
			goto crypto;
	} else {
		if (sa->encr != ESP_ENCR_NULL &&
		    (!EVP_CipherInit_ex2(sa->ectx, NULL, NULL, iv, 1, NULL) ||
		     !EVP_CipherUpdate(sa->ectx, payload, &outl, payload, (int)padded) ||
		     (size_t)outl != padded))
			goto crypto;
		if (sa->icvlen != 0 && compute_icv(sa, out, hdr + padded, payload + padded) != 0)
			goto crypto;
	}
	sa->st.pkts++;
	sa->st.bytes += len;
	return (ssize_t)total;
crypto:
	sa->st.err_other++;
	return ESP_ERR_CRYPTO;
}

static ssize_t
decap_fail(struct esp_sa *sa, int err)
{
	switch (err) {
	case ESP_ERR_AUTH:      sa->st.err_auth++; break;
	case ESP_ERR_REPLAY:    sa->st.err_replay++; break;
	case ESP_ERR_PAD:       sa->st.err_pad++; break;
	default:                sa->st.err_other++; break;
	}
	return err;
}

ssize_t
esp_decap(struct esp_sa *sa, const uint8_t *in, size_t len, uint8_t *out, size_t outcap,
    uint8_t *next_header)
{
	size_t hdr = ESP_SPI_SEQ + sa->ivlen, ctlen, padlen, i;
	const uint8_t *ct = in + hdr, *iv = in + ESP_SPI_SEQ;
	uint8_t icv[EVP_MAX_MD_SIZE], nonce[ESP_GCM_SALT + ESP_GCM_IV];
	uint32_t seq;
	int outl, finl;

	/* Room for at least the pad length and next header bytes. */
	if (len < hdr + sa->icvlen + 2 || len > sa->maxlen)
		return decap_fail(sa, ESP_ERR_SHORT);
	ctlen = len - hdr - sa->icvlen;
	if (ctlen % sa->align != 0 && is_cbc(sa->encr))
		return decap_fail(sa, ESP_ERR_SHORT);
	if (ctlen > outcap)
		return decap_fail(sa, ESP_ERR_SPACE);
	seq = get32(in + 4);
	if (!replay_check(&sa->replay, seq))
		return decap_fail(sa, ESP_ERR_REPLAY);

	if (sa->encr == ESP_ENCR_AES_GCM16) {
		memcpy(nonce, sa->salt, ESP_GCM_SALT);
		memcpy(nonce + ESP_GCM_SALT, iv, ESP_GCM_IV);
		memcpy(icv, in + len - ESP_GCM_ICV, ESP_GCM_ICV);
		if (!EVP_CipherInit_ex2(sa->dctx, NULL, NULL, nonce, 0, NULL) ||
		    !EVP_CipherUpdate(sa->dctx, NULL, &outl, in, ESP_SPI_SEQ) ||
		    !EVP_CipherUpdate(sa->dctx, out, &outl, ct, (int)ctlen) ||
		    !EVP_CIPHER_CTX_ctrl(sa->dctx, EVP_CTRL_AEAD_SET_TAG, ESP_GCM_ICV, icv))
			return decap_fail(sa, ESP_ERR_CRYPTO);
		/* the tag is compared (in constant time) by OpenSSL in Final */
		if (EVP_CipherFinal_ex(sa->dctx, out + outl, &finl) <= 0) {
			memset(out, 0, ctlen);
			return decap_fail(sa, ESP_ERR_AUTH);
		}
	} else {
		if (sa->icvlen != 0) {
			if (compute_icv(sa, in, len - sa->icvlen, icv) != 0)
				return decap_fail(sa, ESP_ERR_CRYPTO);
			if (CRYPTO_memcmp(icv, in + len - sa->icvlen, sa->icvlen) != 0)
				return decap_fail(sa, ESP_ERR_AUTH);
		}
		if (sa->encr == ESP_ENCR_NULL) {
			memcpy(out, ct, ctlen);
		} else if (!EVP_CipherInit_ex2(sa->dctx, NULL, NULL, iv, 0, NULL) ||
		    !EVP_CipherUpdate(sa->dctx, out, &outl, ct, (int)ctlen) || (size_t)outl != ctlen) {
			return decap_fail(sa, ESP_ERR_CRYPTO);
		}
	}

	padlen = out[ctlen - 2];
	if (padlen + 2 > ctlen)
		return decap_fail(sa, ESP_ERR_PAD);
	/* RFC 4303 2.4: the default padding is 1, 2, 3, ...; we only send that, and so does
	 * every peer we know of. */
	for (i = 0; i < padlen; i++)
		if (out[ctlen - 2 - padlen + i] != (uint8_t)(i + 1))
			return decap_fail(sa, ESP_ERR_PAD);
	/* Only now: without integrity (CBC with auth none) the padding is the only check, and a
	 * forged packet that fails it must not move the window past the genuine ones. */
	replay_update(&sa->replay, seq);
	*next_header = out[ctlen - 1];
	sa->st.pkts++;
	sa->st.bytes += ctlen - 2 - padlen;
	return (ssize_t)(ctlen - 2 - padlen);
}

uint32_t
esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

struct esp_stats
esp_sa_stats(const struct esp_sa *sa)
{
	return sa->st;
}

size_t
esp_hdr_len(const struct esp_sa *sa)
{
	return ESP_SPI_SEQ + sa->ivlen;
}

uint32_t
esp_sa_seq_out(const struct esp_sa *sa)
{
	return sa->seq_out;
}

const char *
esp_strerror(int err)
{
	switch (err) {
	case ESP_ERR_SHORT:     return "malformed or short packet";
	case ESP_ERR_AUTH:      return "integrity check failed";
	case ESP_ERR_REPLAY:    return "replayed or too old";
	case ESP_ERR_PAD:       return "bad padding";
	case ESP_ERR_SPACE:     return "buffer too small";
	case ESP_ERR_CRYPTO:    return "crypto library error";
	case ESP_ERR_SEQ:       return "sequence number exhausted";
	default:                return err >= 0 ? "success" : "unknown error";
	}
}

void
esp_sa_set_test_iv(struct esp_sa *sa, const uint8_t *iv, size_t len)
{
	if (len != sa->ivlen || len == 0)
		return;
	memcpy(sa->test_iv, iv, len);
	sa->test_iv_len = (uint8_t)len;
}

void
esp_sa_set_test_seq(struct esp_sa *sa, uint32_t last_sent)
{
	sa->seq_out = last_sent;
}
