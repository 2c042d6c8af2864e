/*
 * MODP groups with BIGNUM modular exponentiation (the primes come from OpenSSL's RFC 2409 /
 * RFC 3526 constants); ECP groups with EVP_PKEY key agreement.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ikemgr/dh.h"

struct ike_dh {
	int       group;
	int       ecp;
	BIGNUM   *p, *x, *gx;   /* MODP */
	EVP_PKEY *key;          /* ECP */
	size_t    len;          /* prime length, or field size for ECP */
};

static BIGNUM *modp_prime(int group)
{
	switch (group) {
	case 1:  return BN_get_rfc2409_prime_768(NULL);
	case 2:  return BN_get_rfc2409_prime_1024(NULL);
	case 5:  return BN_get_rfc3526_prime_1536(NULL);
	case 14: return BN_get_rfc3526_prime_2048(NULL);
	case 15: return BN_get_rfc3526_prime_3072(NULL);
	case 16: return BN_get_rfc3526_prime_4096(NULL);
	}
	return NULL;
}

static const char *ecp_curve(int group, size_t *field)
{
	switch (group) {
	case 19: *field = 32; return "P-256";
	case 20: *field = 48; return "P-384";
	case 21: *field = 66; return "P-521";
	}
	return NULL;
}

int ike_dh_supported(int group)
{
	size_t f;
	return ecp_curve(group, &f) != NULL ||
	       group == 1 || group == 2 || group == 5 || group == 14 || group == 15 || group == 16;
}

size_t ike_dh_publen(int group)
{
	size_t f;
	if (ecp_curve(group, &f))
		return 2 * f;
	switch (group) {
	case 1: return 96;
	case 2: return 128;
	case 5: return 192;
	case 14: return 256;
	case 15: return 384;
	case 16: return 512;
	}
	return 0;
}

void ike_dh_free(struct ike_dh *d)
{
	if (!d)
		return;
	BN_free(d->p);
	BN_clear_free(d->x);
	BN_free(d->gx);
	EVP_PKEY_free(d->key);
	free(d);
}

static struct ike_dh *modp_new(int group, const uint8_t *priv, size_t privlen)
{
	struct ike_dh *d = calloc(1, sizeof(*d));
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *g = BN_new();
	if (!d || !ctx || !g)
		goto fail;
	d->group = group;
	d->len = ike_dh_publen(group);
	d->p = modp_prime(group);
	d->x = BN_secure_new();
	d->gx = BN_new();
	if (!d->p || !d->x || !d->gx || !BN_set_word(g, 2))
		goto fail;
	if (priv) {
		if (!BN_bin2bn(priv, (int)privlen, d->x))
			goto fail;
	} else {
		/* A private exponent of twice the strength bits would do; a full-size one is safe. */
		if (!BN_priv_rand_range(d->x, d->p) || BN_is_zero(d->x))
			goto fail;
	}
	if (!BN_mod_exp_mont_consttime(d->gx, g, d->x, d->p, ctx, NULL))
		goto fail;
	BN_free(g);
	BN_CTX_free(ctx);
	return d;
fail:
	BN_free(g);
	BN_CTX_free(ctx);
	ike_dh_free(d);
	return NULL;
}

static struct ike_dh *ecp_new(int group, const uint8_t *priv, size_t privlen)
{
	size_t field;
	const char *curve = ecp_curve(group, &field);
	struct ike_dh *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->group = group;
	d->ecp = 1;
	d->len = field;
	if (!priv) {
		d->key = EVP_EC_gen(curve);
		if (!d->key)
			goto fail;
		return d;
	}
	/* Fixed private key (tests): derive the public point and build the key from params. */
	{
		EC_GROUP *eg = EC_GROUP_new_by_curve_name(group == 19 ? NID_X9_62_prime256v1 :
		                                          group == 20 ? NID_secp384r1 : NID_secp521r1);
		BIGNUM *bx = BN_bin2bn(priv, (int)privlen, NULL);
		EC_POINT *pt = eg ? EC_POINT_new(eg) : NULL;
		uint8_t pub[1 + 2 * 66];
		size_t publen = 0;
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		OSSL_PARAM *params = NULL;
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		int ok = eg && bx && pt && bld && pc &&
		         EC_POINT_mul(eg, pt, bx, NULL, NULL, NULL) &&
		         (publen = EC_POINT_point2oct(eg, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
		                                      sizeof(pub), NULL)) > 0 &&
		         OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) &&
		         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bx) &&
		         OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) &&
		         (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
		         EVP_PKEY_fromdata_init(pc) > 0 &&
		         EVP_PKEY_fromdata(pc, &d->key, EVP_PKEY_KEYPAIR, params) > 0;
		OSSL_PARAM_free(params);
		OSSL_PARAM_BLD_free(bld);
		EVP_PKEY_CTX_free(pc);
		EC_POINT_free(pt);
		BN_clear_free(bx);
		EC_GROUP_free(eg);
		if (!ok)
			goto fail;
	}
	return d;
fail:
	ike_dh_free(d);
	return NULL;
}

struct ike_dh *ike_dh_new(int group)
{
	size_t f;
	if (ecp_curve(group, &f))
		return ecp_new(group, NULL, 0);
	return modp_prime(group) ? modp_new(group, NULL, 0) : NULL;
}

struct ike_dh *ike_dh_new_with_private(int group, const uint8_t *priv, size_t len)
{
	size_t f;
	if (ecp_curve(group, &f))
		return ecp_new(group, priv, len);
	return modp_new(group, priv, len);
}

int ike_dh_public(struct ike_dh *d, uint8_t *out, size_t len)
{
	if (len != ike_dh_publen(d->group))
		return -1;
	if (!d->ecp)
		return BN_bn2binpad(d->gx, out, (int)len) == (int)len ? 0 : -1;
	uint8_t pub[1 + 2 * 66];
	size_t publen = 0;
	if (!EVP_PKEY_get_octet_string_param(d->key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
	                                     &publen) ||
	    publen != 1 + len || pub[0] != 4)
		return -1;
	memcpy(out, pub + 1, len);
	return 0;
}

int ike_dh_shared(struct ike_dh *d, const uint8_t *peer, size_t len, uint8_t *out, size_t *outlen)
{
	if (len != ike_dh_publen(d->group))
		return -1;
	if (!d->ecp) {
		BN_CTX *ctx = BN_CTX_new();
		BIGNUM *y = BN_bin2bn(peer, (int)len, NULL), *s = BN_secure_new(), *pm1 = BN_dup(d->p);
		int ok = ctx && y && s && pm1 && BN_sub_word(pm1, 1) &&
		         /* 1 < y < p-1: rejects the small-subgroup values 0, 1 and p-1 */
		         BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0 &&
		         BN_mod_exp_mont_consttime(s, y, d->x, d->p, ctx, NULL) &&
		         BN_bn2binpad(s, out, (int)d->len) == (int)d->len;
		if (ok)
			*outlen = d->len;
		BN_CTX_free(ctx);
		BN_free(y);
		BN_clear_free(s);
		BN_free(pm1);
		return ok ? 0 : -1;
	}
	size_t field = d->len;
	uint8_t pub[1 + 2 * 66];
	pub[0] = 4;
	memcpy(pub + 1, peer, len);
	EVP_PKEY *peerkey = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, d->key, NULL);
	EVP_PKEY_CTX *dc = NULL;
	size_t slen = field;
	int ok = pc != NULL;
	/* Import the point into a key of the same group; OpenSSL checks it is on the curve. */
	peerkey = EVP_PKEY_new();
	ok = ok && peerkey && EVP_PKEY_copy_parameters(peerkey, d->key) &&
	     EVP_PKEY_set1_encoded_public_key(peerkey, pub, 1 + len);
	dc = ok ? EVP_PKEY_CTX_new_from_pkey(NULL, d->key, NULL) : NULL;
	ok = ok && dc && EVP_PKEY_derive_init(dc) > 0 && EVP_PKEY_derive_set_peer(dc, peerkey) > 0 &&
	     EVP_PKEY_derive(dc, out, &slen) > 0 && slen == field;
	if (ok)
		*outlen = field;
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(peerkey);
	return ok ? 0 : -1;
}
