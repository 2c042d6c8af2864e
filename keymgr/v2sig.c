/*
 * IKEv2 signature authentication, keymgr's side (RFC 7296 2.15, RFC 7427). The signed octets
 * are the ones v2auth.c has already found to hang together; the peer's certificates are
 * judged by cert.c against the profile's trust points. Methods:
 *   1  RSA: PKCS#1 v1.5 with SHA-1 over the octets (with a DigestInfo, unlike IKEv1);
 *   9, 10, 11  ECDSA on P-256/384/521 with SHA-256/384/512, r | s on the wire (RFC 4754);
 *   14 Digital Signature (RFC 7427): a length byte, an AlgorithmIdentifier, the signature
 *      (ECDSA in DER). We take sha256/384/512 with RSA or ECDSA; RSASSA-PSS is refused.
 * Ours uses method 14 with SHA-256 (SHA-384/512 for the larger curves) when the peer
 * announced it verifies those hashes, else the method of the key's kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "keymgr/keymgr.h"

#define AUTH_RSA        1
#define AUTH_ECDSA_256  9
#define AUTH_ECDSA_384  10
#define AUTH_ECDSA_521  11
#define AUTH_DS         14

static int curve_of(EVP_PKEY *k)
{
	char name[64];
	size_t nl = 0;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(k, "group", name, sizeof(name), &nl))
		return NID_undef;
	return OBJ_sn2nid(name);
}

/* The ECDSA method of a curve and its hash (RFC 4754), 0 for another curve. */
static int ecdsa_method(int curve, const EVP_MD **md)
{
	switch (curve) {
	case NID_X9_62_prime256v1: *md = EVP_sha256(); return AUTH_ECDSA_256;
	case NID_secp384r1:        *md = EVP_sha384(); return AUTH_ECDSA_384;
	case NID_secp521r1:        *md = EVP_sha512(); return AUTH_ECDSA_521;
	}
	return 0;
}

static int digest_verify(EVP_PKEY *k, const EVP_MD *md, const uint8_t *sig, size_t slen,
                         const uint8_t *m, size_t mlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1 &&
	         EVP_DigestVerify(ctx, sig, slen, m, mlen) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* The peer's AUTH data over oct with key k: 1 good, else 0 and why. */
static int verify(EVP_PKEY *k, int method, const uint8_t *a, size_t alen, const uint8_t *oct,
                  size_t octlen, char *why, size_t whysz)
{
	int rsa = EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
	const EVP_MD *md = NULL;
	uint8_t der[300];
	int dl;

	switch (method) {
	case AUTH_RSA:
		if (!rsa) {
			snprintf(why, whysz, "RSA signature method, but the certificate's key is not RSA");
			return 0;
		}
		return digest_verify(k, EVP_sha1(), a, alen, oct, octlen);
	case AUTH_ECDSA_256: case AUTH_ECDSA_384: case AUTH_ECDSA_521: {
		int m = ecdsa_method(curve_of(k), &md);
		size_t n = (size_t)(EVP_PKEY_get_bits(k) + 7) / 8;
		if (m != method) {
			snprintf(why, whysz, "ECDSA method %d does not fit the certificate's key", method);
			return 0;
		}
		if (alen != 2 * n || (dl = cert_ecdsa_rs_to_der(a, n, der, sizeof(der))) < 0)
			return 0;
		return digest_verify(k, md, der, (size_t)dl, oct, octlen);
	}
	case AUTH_DS: {
		if (alen < 1 || (size_t)a[0] + 1 > alen) {
			snprintf(why, whysz, "malformed RFC 7427 signature");
			return 0;
		}
		const unsigned char *q = a + 1;
		X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &q, a[0]);
		int md_nid = NID_undef, pk_nid = NID_undef, sig_nid = NID_undef;
		if (alg && q == a + 1 + a[0]) {
			const ASN1_OBJECT *obj;
			X509_ALGOR_get0(&obj, NULL, NULL, alg);
			sig_nid = OBJ_obj2nid(obj);
			if (!OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid))
				md_nid = NID_undef;
		}
		X509_ALGOR_free(alg);
		ERR_clear_error();
		if (md_nid != NID_sha256 && md_nid != NID_sha384 && md_nid != NID_sha512) {
			snprintf(why, whysz, "RFC 7427 signature algorithm %s is not taken (sha256, "
			         "sha384 or sha512 with RSA or ECDSA)",
			         sig_nid == NID_undef ? "(unknown)" : OBJ_nid2sn(sig_nid));
			return 0;
		}
		if ((pk_nid == NID_rsaEncryption) != rsa ||
		    (!rsa && pk_nid != NID_X9_62_id_ecPublicKey)) {
			snprintf(why, whysz, "RFC 7427 algorithm %s does not fit the certificate's key",
			         OBJ_nid2sn(sig_nid));
			return 0;
		}
		md = EVP_get_digestbynid(md_nid);
		return md && digest_verify(k, md, a + 1 + a[0], alen - 1 - a[0], oct, octlen);
	}
	}
	snprintf(why, whysz, "authentication method %d is not a signature", method);
	return 0;
}

static int tp_for_verify(const void *arg, const char *name)
{
	const struct conf_ikev2_profile *pr = arg;
	for (int k = 0; k < pr->ntp; k++)
		if (pr->tp[k].use != V2_TP_SIGN && strcmp(pr->tp[k].name, name) == 0)
			return 1;
	return 0;
}

int v2sig_check(const struct vpnd_conf *c, const struct conf_ikev2_profile *pr,
                const struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res)
{
	struct msg_cert_verify_res *cv = calloc(1, sizeof(*cv));
	EVP_PKEY *pk = NULL;
	uint8_t id[4 + MSG_ID_MAX];
	char why[160] = "";
	int ok = 0;

	if (!cv)
		return 0;
	if (!pr->ntp) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s' has no pki "
		         "trustpoint", pr->name);
		res->status = KEY_NO_KEY;
		goto out;
	}
	/* the ID payload body, as cert.c reads it */
	memset(id, 0, 4);
	id[0] = (uint8_t)rq->id_type;
	memcpy(id + 4, rq->id, rq->id_len);
	if (cert_peer_check(c, tp_for_verify, pr, rq->ncert, rq->cert_len, rq->certs,
	                    sizeof(rq->certs), id, 4 + (size_t)rq->id_len, &pk, cv) != CERT_OK) {
		snprintf(res->message, sizeof(res->message), "%.127s", cv->reason);
		goto out;
	}
	snprintf(res->subject, sizeof(res->subject), "%s", cv->subject);
	int rsa = EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA;
	if (rsa ? !pr->remote_rsa : !pr->remote_ecdsa) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s' does not allow "
		         "authentication remote %s", pr->name, rsa ? "rsa-sig" : "ecdsa-sig");
		res->status = KEY_NO_KEY;
		goto out;
	}
	if (!verify(pk, rq->auth_method, rq->auth, rq->auth_len, rq->oct_i, rq->oct_i_len, why,
	            sizeof(why))) {
		snprintf(res->message, sizeof(res->message), "%s%ssignature does not verify with "
		         "the key of %.60s", why, why[0] ? "; " : "", cv->subject);
		goto out;
	}
	snprintf(res->verify, sizeof(res->verify), "%s", rsa ? "rsa" : "ecdsa");
	ok = 1;
out:
	EVP_PKEY_free(pk);
	free(cv);
	ERR_clear_error();
	return ok;
}

/* The AlgorithmIdentifier of sig_nid (RSA's with NULL parameters, RFC 7427 A.1). */
static int algid(int sig_nid, int rsa, uint8_t *out, size_t cap)
{
	X509_ALGOR *a = X509_ALGOR_new();
	unsigned char *p = NULL;
	int l = -1;
	if (a && X509_ALGOR_set0(a, OBJ_nid2obj(sig_nid), rsa ? V_ASN1_NULL : V_ASN1_UNDEF,
	                         NULL) == 1)
		l = i2d_X509_ALGOR(a, &p);
	if (l > 0 && (size_t)l <= cap && l < 256)
		memcpy(out, p, (size_t)l);
	else
		l = -1;
	OPENSSL_free(p);
	X509_ALGOR_free(a);
	return l;
}

int v2sig_sign(const struct vpnd_conf *c, const struct conf_ikev2_profile *pr,
               const struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res)
{
	const struct conf_trustpoint *tp = NULL;
	for (int k = 0; k < pr->ntp && !tp; k++)
		if (pr->tp[k].use != V2_TP_VERIFY)
			tp = conf_find_trustpoint(c, pr->tp[k].name);
	if (!tp || !tp->key_len || !tp->cert_len) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s': no trust point "
		         "with a certificate and key to sign with", pr->name);
		return -1;
	}
	const unsigned char *q = tp->key_der;
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &q, tp->key_len);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1, rsa = k && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
	const EVP_MD *md = EVP_sha1();
	int method = AUTH_RSA, hashes = rq->peer_hashes;
	size_t off = 0;
	uint8_t der[300];

	if (!k || !ctx) {
		snprintf(res->message, sizeof(res->message), "trust point '%.40s': unreadable key",
		         tp->name);
		goto out;
	}
	if (rsa != (pr->auth_local == IKE_AUTH_RSA_SIG)) {
		snprintf(res->message, sizeof(res->message), "trust point '%.40s' holds %s key, the "
		         "profile signs with %s", tp->name, rsa ? "an RSA" : "an EC",
		         rsa ? "ecdsa-sig" : "rsa-sig");
		goto out;
	}
	if (!rsa && !(method = ecdsa_method(curve_of(k), &md))) {
		snprintf(res->message, sizeof(res->message), "trust point '%.40s': a curve IKEv2 "
		         "cannot sign with", tp->name);
		goto out;
	}
	if (hashes & (MSG_V2_HASH_SHA256 | MSG_V2_HASH_SHA384 | MSG_V2_HASH_SHA512)) {
		/* RFC 7427: the hash the key's kind suggests, if the peer verifies it */
		const EVP_MD *want = rsa ? EVP_sha256() : md;
		int bit = want == EVP_sha512() ? MSG_V2_HASH_SHA512 :
		          want == EVP_sha384() ? MSG_V2_HASH_SHA384 : MSG_V2_HASH_SHA256;
		if (!(hashes & bit))
			want = hashes & MSG_V2_HASH_SHA256 ? EVP_sha256() :
			       hashes & MSG_V2_HASH_SHA384 ? EVP_sha384() : EVP_sha512();
		int nid = 0;
		if (!OBJ_find_sigid_by_algs(&nid, EVP_MD_get_type(want),
		                            rsa ? NID_rsaEncryption : NID_X9_62_id_ecPublicKey)) {
			snprintf(res->message, sizeof(res->message), "no signature algorithm");
			goto out;
		}
		int l = algid(nid, rsa, res->auth + 1, sizeof(res->auth) - 1);
		if (l < 0)
			goto out;
		res->auth[0] = (uint8_t)l;
		off = 1 + (size_t)l;
		md = want;
		method = AUTH_DS;
	}
	size_t sl = sizeof(der);
	uint8_t *dst = rsa || method == AUTH_DS ? res->auth + off : der;
	if (dst != der)
		sl = sizeof(res->auth) - off;
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, dst, &sl, rq->oct_r, rq->oct_r_len) != 1) {
		snprintf(res->message, sizeof(res->message), "trust point '%.40s': signing failed",
		         tp->name);
		goto out;
	}
	if (dst == der) {
		/* methods 9-11: r | s, each the curve's size */
		size_t n = (size_t)(EVP_PKEY_get_bits(k) + 7) / 8;
		if (cert_ecdsa_der_to_rs(der, sl, n, res->auth) < 0)
			goto out;
		sl = 2 * n;
	}
	res->auth_len = (uint16_t)(off + sl);
	res->auth_method = method;
	snprintf(res->sign, sizeof(res->sign), "%s", rsa ? "rsa" : "ecdsa");
	snprintf(res->trustpoint, sizeof(res->trustpoint), "%s", tp->name);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rc;
}
