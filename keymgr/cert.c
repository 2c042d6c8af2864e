/*
 * Certificates and signatures for main mode (RFC 2409 5.1), keymgr's side: keymgr is the
 * authority over trust, so the peer's chain, validity, revocation, identity and signature are
 * all checked here, and our HASH_R is signed here with the trust point's key.
 *
 * IKEv1 signs the prf output "as is": RSA is PKCS#1 v1.5 type 1 padding over the raw hash,
 * without a DigestInfo (what strongSwan calls EMSA_PKCS1_NULL); ECDSA (RFC 4754) signs the
 * hash as the digest and carries r | s, each the size of the curve's field. EVP_PKEY_sign and
 * EVP_PKEY_verify without a message digest do exactly that.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keymgr/keymgr.h"

/* wire values of the phase 1 authentication methods */
#define AUTHM_RSA            3
#define AUTHM_ECDSA_256      9
#define AUTHM_ECDSA_384      10
#define AUTHM_ECDSA_521      11
#define AUTHM_XAUTH_I_RSA    65005   /* 65003/65004 are the DSS variants */
#define AUTHM_XAUTH_R_RSA    65006

/* The curve an ECDSA method names (NID), 0 for RSA methods, -1 for anything else. */
static int method_curve(int m)
{
	switch (m) {
	case AUTHM_RSA: case AUTHM_XAUTH_I_RSA: case AUTHM_XAUTH_R_RSA: return 0;
	case AUTHM_ECDSA_256: return NID_X9_62_prime256v1;
	case AUTHM_ECDSA_384: return NID_secp384r1;
	case AUTHM_ECDSA_521: return NID_secp521r1;
	}
	return -1;
}

/* Does key fit the method? 1 yes; otherwise why in buf. */
static int key_fits(EVP_PKEY *k, int method, char *why, size_t whysz)
{
	int curve = method_curve(method);
	if (curve < 0) {
		snprintf(why, whysz, "authentication method %d is not a signature method", method);
		return 0;
	}
	if (curve == 0) {
		if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
			return 1;
		snprintf(why, whysz, "the negotiated method is RSA but the key is not an RSA key");
		return 0;
	}
	char name[64];
	size_t nl = 0;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(k, "group", name, sizeof(name), &nl) ||
	    OBJ_sn2nid(name) != curve) {
		snprintf(why, whysz, "the negotiated method is ECDSA on %s but the key is not",
		         EC_curve_nid2nist(curve));
		ERR_clear_error();
		return 0;
	}
	return 1;
}

/* Field size in bytes of an EC key's curve (r and s each take this much on the wire). */
static int ec_field_bytes(EVP_PKEY *k)
{
	return (EVP_PKEY_get_bits(k) + 7) / 8;
}

int cert_ecdsa_rs_to_der(const uint8_t *rs, size_t n, uint8_t *der, size_t cap)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)n, NULL), *s = BN_bin2bn(rs + n, (int)n, NULL);
	int len = -1;
	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;           /* es owns them */
		unsigned char *p = NULL;
		int l = i2d_ECDSA_SIG(es, &p);
		if (l > 0 && (size_t)l <= cap) {
			memcpy(der, p, (size_t)l);
			len = l;
		}
		OPENSSL_free(p);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return len;
}

int cert_ecdsa_der_to_rs(const uint8_t *der, size_t dl, size_t n, uint8_t *rs)
{
	const unsigned char *q = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)dl);
	const BIGNUM *r, *s;
	if (!es)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	int ok = BN_bn2binpad(r, rs, (int)n) == (int)n && BN_bn2binpad(s, rs + n, (int)n) == (int)n;
	ECDSA_SIG_free(es);
	return ok ? 0 : -1;
}

int cert_sig_verify(EVP_PKEY *k, int method, const uint8_t *hash, size_t hlen,
                    const uint8_t *sig, size_t slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	unsigned char der[300];
	int derlen, ok = 0;

	if (!ctx || EVP_PKEY_verify_init(ctx) != 1)
		goto out;
	if (method_curve(method) == 0) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)
			goto out;
		ok = EVP_PKEY_verify(ctx, sig, slen, hash, hlen) == 1;
	} else {
		/* r | s on the wire, DER for OpenSSL */
		size_t n = (size_t)ec_field_bytes(k);
		if (slen != 2 * n || (derlen = cert_ecdsa_rs_to_der(sig, n, der, sizeof(der))) < 0)
			goto out;
		ok = EVP_PKEY_verify(ctx, der, (size_t)derlen, hash, hlen) == 1;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int cert_sig_sign(EVP_PKEY *k, int method, const uint8_t *hash, size_t hlen, uint8_t *sig,
                  size_t *slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	unsigned char der[256];
	size_t dl = sizeof(der);
	int rc = -1;

	if (!ctx || EVP_PKEY_sign_init(ctx) != 1)
		goto out;
	if (method_curve(method) == 0) {
		size_t need = (size_t)EVP_PKEY_get_size(k);
		if (need > *slen || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_sign(ctx, sig, slen, hash, hlen) != 1)
			goto out;
		rc = 0;
	} else {
		size_t n = (size_t)ec_field_bytes(k);
		if (2 * n > *slen || EVP_PKEY_sign(ctx, der, &dl, hash, hlen) != 1)
			goto out;
		rc = cert_ecdsa_der_to_rs(der, dl, n, sig);
		*slen = 2 * n;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* DER certificates back to back (a trust point's CA file) into a store or a stack. */
static int add_certs(const uint8_t *der, size_t len, X509_STORE *store, STACK_OF(X509) *sk)
{
	const unsigned char *q = der, *end = der + len;
	int n = 0;
	while (q < end) {
		X509 *x = d2i_X509(NULL, &q, end - q);
		if (!x)
			return -1;
		if (store)
			X509_STORE_add_cert(store, x);
		if (sk && !sk_X509_push(sk, x)) {
			X509_free(x);
			return -1;
		}
		if (store)
			X509_free(x);
		n++;
	}
	return n;
}

/*
 * Chain, validity and revocation of leaf against trust point tp: 1 when trusted, else 0 and
 * why (OpenSSL's verify error, which names expiry, revocation or an unknown issuer).
 */
static int chain_ok(const struct conf_trustpoint *tp, X509 *leaf, STACK_OF(X509) *untrusted,
                    char *why, size_t whysz)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_CRL *crl = NULL;
	int ok = 0;

	if (!store || !ctx || add_certs(tp->ca_der, tp->ca_len, store, NULL) <= 0) {
		snprintf(why, whysz, "trust point %s: cannot load its CA certificates", tp->name);
		goto out;
	}
	if (tp->revocation == REVOKE_CRL) {
		const unsigned char *q = tp->crl_der;
		crl = d2i_X509_CRL(NULL, &q, tp->crl_len);
		if (!crl || X509_STORE_add_crl(store, crl) != 1) {
			snprintf(why, whysz, "trust point %s: cannot load its CRL", tp->name);
			goto out;
		}
		/* the leaf only: IOS checks the peer's certificate against the trust point's CRL */
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		snprintf(why, whysz, "out of memory");
		goto out;
	}
	if (X509_verify_cert(ctx) == 1) {
		ok = 1;
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		snprintf(why, whysz, "%s (trust point %s)", X509_verify_cert_error_string(e),
		         tp->name);
	}
out:
	X509_CRL_free(crl);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

/* Is the ID payload body (type, protocol, port, data) the certificate's identity? */
static int id_matches(X509 *x, const uint8_t *id, size_t idlen, char *why, size_t whysz)
{
	if (idlen < 5) {
		snprintf(why, whysz, "empty identity");
		return 0;
	}
	const uint8_t *d = id + 4;
	size_t dl = idlen - 4;
	char txt[128];
	switch (id[0]) {
	case ID_DER_ASN1_DN: {
		const unsigned char *q = d;
		X509_NAME *n = d2i_X509_NAME(NULL, &q, (long)dl);
		int ok = n && q == d + dl && X509_NAME_cmp(n, X509_get_subject_name(x)) == 0;
		if (!ok) {
			char got[256] = "(unreadable)";
			if (n)
				X509_NAME_oneline(n, got, sizeof(got));
			snprintf(why, whysz, "identity %s is not the certificate's subject", got);
		}
		X509_NAME_free(n);
		ERR_clear_error();
		return ok;
	}
	case ID_FQDN:
		if (X509_check_host(x, (const char *)d, dl, 0, NULL) == 1)
			return 1;
		break;
	case ID_USER_FQDN:
		if (X509_check_email(x, (const char *)d, dl, 0) == 1)
			return 1;
		break;
	case ID_IPV4_ADDR:
		if (dl == 4 && X509_check_ip(x, d, 4, 0) == 1)
			return 1;
		break;
	case ID_IPV6_ADDR:
		if (dl == 16 && X509_check_ip(x, d, 16, 0) == 1)
			return 1;
		break;
	default:
		snprintf(why, whysz, "identity type %u cannot name a certificate", id[0]);
		return 0;
	}
	if (id[0] == ID_IPV4_ADDR && dl == 4)
		inet_ntop(AF_INET, d, txt, sizeof(txt));
	else if (id[0] == ID_IPV6_ADDR && dl == 16)
		inet_ntop(AF_INET6, d, txt, sizeof(txt));
	else if (id[0] == ID_IPV4_ADDR || id[0] == ID_IPV6_ADDR)
		snprintf(txt, sizeof(txt), "(an address of %zu bytes)", dl);
	else
		snprintf(txt, sizeof(txt), "%.*s", (int)(dl < 100 ? dl : 100), (const char *)d);
	for (char *c = txt; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	snprintf(why, whysz, "identity %s is not in the certificate's subjectAltName", txt);
	ERR_clear_error();
	return 0;
}

static void first_ou(X509 *x, char *out, size_t outsz)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_organizationalUnitName, -1);
	out[0] = 0;
	if (i < 0)
		return;
	unsigned char *u = NULL;
	int ul = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (ul > 0 && (size_t)ul < outsz) {
		memcpy(out, u, (size_t)ul);
		out[ul] = 0;
	}
	OPENSSL_free(u);
}

/*
 * The peer's certificates (DER, back to back, the leaf first) against the trust points tp
 * names (NULL: any), in configuration order: the first that vouches for the chain, then the
 * identity (an ID payload body: type, three bytes, data; IKEv1's and IKEv2's line up) in the
 * leaf. CERT_OK and *pub (the leaf's key, to free) or why not in res.
 */
int cert_peer_check(const struct vpnd_conf *c, int (*tp_allowed)(const void *, const char *),
                    const void *arg, int ncert, const uint16_t *cert_len, const uint8_t *certs,
                    size_t certs_cap, const uint8_t *id, size_t idlen, EVP_PKEY **pub,
                    struct msg_cert_verify_res *res)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *leaf = NULL;
	char why[192] = "";

	*pub = NULL;
	res->status = CERT_ERROR;
	/* the certificates: bounds first, every one must parse */
	size_t off = 0;
	if (!chain || ncert < 1 || ncert > MSG_CERT_MAX) {
		snprintf(res->reason, sizeof(res->reason), "no certificate from the peer");
		res->status = CERT_UNTRUSTED;
		goto out;
	}
	for (int k = 0; k < ncert; k++) {
		size_t l = cert_len[k];
		if (l == 0 || l > certs_cap - off) {
			snprintf(res->reason, sizeof(res->reason), "certificate %d: bad length", k + 1);
			goto out;
		}
		const unsigned char *q = certs + off;
		X509 *x = d2i_X509(NULL, &q, (long)l);
		if (!x || q != certs + off + l) {
			X509_free(x);
			snprintf(res->reason, sizeof(res->reason), "certificate %d is not DER X.509",
			         k + 1);
			res->status = CERT_UNTRUSTED;
			goto out;
		}
		off += l;
		if (k == 0)
			leaf = x;
		else if (!sk_X509_push(chain, x))
			X509_free(x);
	}
	X509_NAME_oneline(X509_get_subject_name(leaf), res->subject, sizeof(res->subject));
	first_ou(leaf, res->ou, sizeof(res->ou));

	const struct conf_trustpoint *tp = NULL;
	res->status = CERT_UNTRUSTED;
	for (int k = 0; k < c->ntrustpoint && !tp; k++) {
		const struct conf_trustpoint *t = &c->trustpoint[k];
		char w[192];
		if (tp_allowed && !tp_allowed(arg, t->name))
			continue;
		if (chain_ok(t, leaf, chain, w, sizeof(w)))
			tp = t;
		else if (!why[0])
			snprintf(why, sizeof(why), "%s", w);
	}
	if (!tp) {
		snprintf(res->reason, sizeof(res->reason), "certificate %.80s: %.95s", res->subject,
		         why[0] ? why : "no trust point is configured");
		goto out;
	}
	snprintf(res->trustpoint, sizeof(res->trustpoint), "%s", tp->name);

	if (!id_matches(leaf, id, idlen, why, sizeof(why))) {
		res->status = CERT_BAD_ID;
		snprintf(res->reason, sizeof(res->reason), "certificate %.80s: %.95s", res->subject, why);
		goto out;
	}
	if (!(*pub = X509_get_pubkey(leaf))) {
		res->status = CERT_BAD_SIG;
		snprintf(res->reason, sizeof(res->reason), "certificate %.80s: no public key",
		         res->subject);
		goto out;
	}
	res->status = CERT_OK;
out:
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
	return res->status;
}

static int tp_named(const void *arg, const char *name)
{
	const char *want = arg;
	return !want[0] || strncmp(want, name, MSG_TP_MAX) == 0;
}

void keymgr_cert_verify(const struct vpnd_conf *c, const struct msg_cert_verify_req *rq,
                        struct msg_cert_verify_res *res)
{
	char tpname[MSG_TP_MAX + 1], why[128];
	EVP_PKEY *pk = NULL;

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	memcpy(tpname, rq->trustpoint, MSG_TP_MAX);
	tpname[MSG_TP_MAX] = 0;
	if (rq->id_len > sizeof(rq->id)) {
		res->status = CERT_BAD_ID;
		snprintf(res->reason, sizeof(res->reason), "identity out of bounds");
		return;
	}
	if (cert_peer_check(c, tp_named, tpname, rq->ncert, rq->cert_len, rq->certs,
	                    sizeof(rq->certs), rq->id, rq->id_len, &pk, res) != CERT_OK)
		return;
	if (!key_fits(pk, rq->auth_method, why, sizeof(why))) {
		res->status = CERT_BAD_SIG;
		snprintf(res->reason, sizeof(res->reason), "certificate %.80s: %.95s", res->subject,
		         why);
	} else if (rq->hash_len > sizeof(rq->hash) || rq->sig_len > sizeof(rq->sig) ||
	           !cert_sig_verify(pk, rq->auth_method, rq->hash, rq->hash_len, rq->sig,
	                            rq->sig_len)) {
		res->status = CERT_BAD_SIG;
		snprintf(res->reason, sizeof(res->reason), "signature does not verify with the key "
		         "of certificate %.130s", res->subject);
	}
	/* the peer's own certificate, trusted and its signature good: the isakmp profiles'
	 * match certificate lines may take it */
	if (res->status == CERT_OK)
		certmap_labels(c, rq->certs, rq->cert_len[0], res->certmaps, MSG_CERTMAPS);
	EVP_PKEY_free(pk);
	ERR_clear_error();
}

void keymgr_cert_sign(const struct vpnd_conf *c, const struct msg_sign_req *rq,
                      struct msg_sign_res *res)
{
	char name[MSG_TP_MAX + 1];
	char why[128];

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = -1;
	memcpy(name, rq->trustpoint, MSG_TP_MAX);
	name[MSG_TP_MAX] = 0;
	const struct conf_trustpoint *tp = conf_find_trustpoint(c, name);
	if (!tp || !tp->key_len) {
		snprintf(res->reason, sizeof(res->reason), "no key for trust point '%s'", name);
		return;
	}
	const unsigned char *q = tp->key_der;
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &q, tp->key_len);
	size_t sl = sizeof(res->sig);
	if (!k) {
		snprintf(res->reason, sizeof(res->reason), "trust point '%s': unreadable key", name);
	} else if (!key_fits(k, rq->auth_method, why, sizeof(why))) {
		snprintf(res->reason, sizeof(res->reason), "trust point '%.40s': %.70s", name, why);
	} else if (rq->hash_len > sizeof(rq->hash) ||
	           cert_sig_sign(k, rq->auth_method, rq->hash, rq->hash_len, res->sig, &sl) < 0) {
		snprintf(res->reason, sizeof(res->reason), "trust point '%s': signing failed", name);
	} else {
		res->sig_len = (uint16_t)sl;
		res->status = 0;
	}
	EVP_PKEY_free(k);
	ERR_clear_error();
}
