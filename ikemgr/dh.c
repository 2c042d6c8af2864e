/*
 * MODP groups with BIGNUM constant-time modular exponentiation (primes from OpenSSL's RFC 2409 /
 * RFC 3526 constants), ECP groups with EVP_PKEY key agreement. See dh.h.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "ikemgr/dh.h"

#define ECP_MAX_FIELD 66          /* P-521 */

struct ike_dh {
	int       group;
	size_t    len;                /* prime length (MODP) or field size (ECP) */
	BIGNUM   *p, *x, *gx;         /* MODP */
	EVP_PKEY *key;                /* ECP */
};

struct ecp_group {
	int         group;
	const char *name;             /* OpenSSL group name */
	int         nid;
	size_t      field;
};

static const struct ecp_group ecp_groups[] = {
	{ 19, "P-256", NID_X9_62_prime256v1, 32 },
	{ 20, "P-384", NID_secp384r1,        48 },
	{ 21, "P-521", NID_secp521r1,        66 },
};

static const struct ecp_group *ecp_of(int group)
{
	for (size_t i = 0; i < sizeof(ecp_groups) / sizeof(ecp_groups[0]); i++)
		if (ecp_groups[i].group == group)
			return &ecp_groups[i];
	return NULL;
}

/* Prime length in bytes of a MODP group, 0 if not one we do. */
static size_t modp_len(int group)
{
	switch (group) {
	case 1:  return 96;
	case 2:  return 128;
	case 5:  return 192;
	case 14: return 256;
	case 15: return 384;
	case 16: return 512;
	}
	return 0;
}

/* Private exponent length in bits: at least twice the group's strength (RFC 3526 section 8,
 * the upper estimates for the small legacy groups, the lower bound of NIST SP 800-57 above). */
static int modp_exp_bits(int group)
{
	switch (group) {
	case 1:
	case 2:  return 160;
	case 5:  return 240;
	case 14: return 256;
	case 15: return 320;
	default: return 384;    /* 16 */
	}
}

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

int ike_dh_supported(int group)
{
	return ike_dh_publen(group) != 0;
}

size_t ike_dh_publen(int group)
{
	const struct ecp_group *e = ecp_of(group);
	return e ? 2 * e->field : modp_len(group);
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

/* 1 < v < p-1: excludes 0, 1 and p-1, the values that confine the secret to a tiny subgroup. */
static int modp_in_range(const BIGNUM *v, const BIGNUM *p)
{
	BIGNUM *pm1 = BN_dup(p);
	int ok = pm1 && BN_sub_word(pm1, 1) && BN_cmp(v, BN_value_one()) > 0 && BN_cmp(v, pm1) < 0;
	BN_free(pm1);
	return ok;
}

static struct ike_dh *modp_new(int group, const uint8_t *priv, size_t privlen)
{
	struct ike_dh *d = calloc(1, sizeof(*d));
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *g = BN_new();
	if (!d || !ctx || !g)
		goto fail;
	d->group = group;
	d->len = modp_len(group);
	d->p = modp_prime(group);
	d->x = BN_secure_new();
	d->gx = BN_new();
	if (!d->len || !d->p || !d->x || !d->gx || !BN_set_word(g, 2))
		goto fail;
	if (priv) {
		if (privlen > d->len || !BN_bin2bn(priv, (int)privlen, d->x) ||
		    !modp_in_range(d->x, d->p))
			goto fail;
	} else {
		/* A short exponent of twice the group's strength (RFC 3526 section 8; NIST SP
		 * 800-56A asks 224 bits for 2048-bit groups): each exponentiation costs its length,
		 * and a full 2047-bit one held group 14 to 629 operations a second per core here,
		 * against 4,300 with 256 bits, which 1,000 set-ups a second need. The top bit is
		 * set, so every key takes the same time. */
		if (!BN_priv_rand(d->x, modp_exp_bits(group), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY))
			goto fail;
	}
	BN_set_flags(d->x, BN_FLG_CONSTTIME);
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

/* An EVP_PKEY of the group from an encoded point (0x04 | x | y) and optionally a private key.
 * OpenSSL decodes the point with an on-curve check and refuses coordinates >= p. */
static EVP_PKEY *ecp_from_data(const struct ecp_group *e, const uint8_t *pub, size_t publen,
                               const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;
	int ok = bld && pc &&
	         OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, e->name, 0) &&
	         OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) &&
	         (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
	         (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	         EVP_PKEY_fromdata_init(pc) > 0 &&
	         EVP_PKEY_fromdata(pc, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                           params) > 0;
	if (!ok) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pc);
	return key;
}

/* Key pair from a fixed private scalar (tests): the public point is derived here because
 * EVP_PKEY_fromdata does not compute it. */
static EVP_PKEY *ecp_with_private(const struct ecp_group *e, const uint8_t *priv, size_t len)
{
	EC_GROUP *eg = EC_GROUP_new_by_curve_name(e->nid);
	BIGNUM *d = len <= e->field ? BN_bin2bn(priv, (int)len, NULL) : NULL;
	EC_POINT *pt = eg ? EC_POINT_new(eg) : NULL;
	uint8_t pub[1 + 2 * ECP_MAX_FIELD];
	size_t publen = 0;
	EVP_PKEY *key = NULL;
	if (eg && d && pt && !BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(eg)) < 0 &&
	    EC_POINT_mul(eg, pt, d, NULL, NULL, NULL) &&
	    (publen = EC_POINT_point2oct(eg, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
	                                 NULL)) == 1 + 2 * e->field)
		key = ecp_from_data(e, pub, publen, d);
	EC_POINT_free(pt);
	BN_clear_free(d);
	EC_GROUP_free(eg);
	return key;
}

static struct ike_dh *ecp_new(const struct ecp_group *e, const uint8_t *priv, size_t len)
{
	struct ike_dh *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->group = e->group;
	d->len = e->field;
	d->key = priv ? ecp_with_private(e, priv, len) : EVP_EC_gen(e->name);
	if (!d->key) {
		ike_dh_free(d);
		return NULL;
	}
	return d;
}

struct ike_dh *ike_dh_new(int group)
{
	const struct ecp_group *e = ecp_of(group);
	if (e)
		return ecp_new(e, NULL, 0);
	return modp_len(group) ? modp_new(group, NULL, 0) : NULL;
}

struct ike_dh *ike_dh_new_with_private(int group, const uint8_t *priv, size_t len)
{
	const struct ecp_group *e = ecp_of(group);
	if (!priv || !len)
		return NULL;
	if (e)
		return ecp_new(e, priv, len);
	return modp_len(group) ? modp_new(group, priv, len) : NULL;
}

int ike_dh_public(struct ike_dh *d, uint8_t *out, size_t len)
{
	if (!d || len != ike_dh_publen(d->group))
		return -1;
	if (!d->key)
		return BN_bn2binpad(d->gx, out, (int)len) == (int)len ? 0 : -1;
	uint8_t pub[1 + 2 * ECP_MAX_FIELD];
	size_t publen = 0;
	if (!EVP_PKEY_get_octet_string_param(d->key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
	                                     &publen) ||
	    publen != 1 + len || pub[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -1;
	memcpy(out, pub + 1, len);
	return 0;
}

static int modp_shared(struct ike_dh *d, const uint8_t *peer, size_t len, uint8_t *out)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *y = BN_bin2bn(peer, (int)len, NULL), *s = BN_secure_new();
	int ok = ctx && y && s && modp_in_range(y, d->p) &&
	         BN_mod_exp_mont_consttime(s, y, d->x, d->p, ctx, NULL) &&
	         BN_bn2binpad(s, out, (int)d->len) == (int)d->len;
	BN_CTX_free(ctx);
	BN_free(y);
	BN_clear_free(s);
	return ok ? 0 : -1;
}

static int ecp_shared(struct ike_dh *d, const uint8_t *peer, size_t len, uint8_t *out)
{
	const struct ecp_group *e = ecp_of(d->group);
	uint8_t pub[1 + 2 * ECP_MAX_FIELD];
	pub[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pub + 1, peer, len);
	EVP_PKEY *pk = ecp_from_data(e, pub, 1 + len, NULL);
	EVP_PKEY_CTX *dc = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, d->key, NULL) : NULL;
	size_t slen = d->len;
	/* validate_peer = 1: a full public key check on top of the decoding one */
	int ok = dc && EVP_PKEY_derive_init(dc) > 0 && EVP_PKEY_derive_set_peer_ex(dc, pk, 1) > 0 &&
	         EVP_PKEY_derive(dc, out, &slen) > 0 && slen == d->len;
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

int ike_dh_shared(struct ike_dh *d, const uint8_t *peer, size_t len, uint8_t *out, size_t *outlen)
{
	if (!d || !peer || len != ike_dh_publen(d->group))
		return -1;
	if ((d->key ? ecp_shared(d, peer, len, out) : modp_shared(d, peer, len, out)) < 0)
		return -1;
	*outlen = d->len;
	return 0;
}
