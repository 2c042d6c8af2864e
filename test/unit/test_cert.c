/*
 * keymgr/cert.c (chain, validity, CRL, identity and signature checks; signing) and the
 * trust point parser (common/conf_pki.c). The PKI is made here with OpenSSL: a CA, the hub,
 * clients with OU=certgroup (RSA and ECDSA P-256), an expired one, a revoked one and one from
 * another CA.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/conf.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"
#include "common/ike_crypto.h"
#include "test/unit/testpki.h"

#define DAY (24 * 3600L)

/* the shared PKI, made once */
static struct {
	EVP_PKEY *ca_key, *hub_key, *alice_key, *ecc_key, *other_key, *hub_ec_key;
	X509 *ca, *hub, *alice, *old, *revoked, *ecc, *other_ca, *stranger, *hub_ec;
	X509_CRL *crl;
	struct vpnd_conf *conf;
} k;

static void setup(void)
{
	k.ca_key = testpki_rsa();
	k.ca = testpki_cert(k.ca_key, NULL, "test CA", NULL, NULL, -DAY, 30 * DAY, 1, 1, NULL);
	k.hub_key = testpki_rsa();
	k.hub = testpki_cert(k.hub_key, NULL, "hub", k.ca, k.ca_key, -DAY, 30 * DAY, 2, 0, NULL);
	k.alice_key = testpki_rsa();
	k.alice = testpki_cert(k.alice_key, "certgroup", "alice", k.ca, k.ca_key, -DAY, 30 * DAY, 3, 0,
	                 "DNS:alice.example.net,email:alice@example.net,IP:198.51.100.2,"
	                 "IP:2001:db8::2");
	k.old = testpki_cert(k.alice_key, "certgroup", "old", k.ca, k.ca_key, -3 * DAY, -DAY, 4, 0, NULL);
	k.revoked = testpki_cert(k.alice_key, "certgroup", "mallory", k.ca, k.ca_key, -DAY, 30 * DAY, 5, 0,
	                   NULL);
	k.ecc_key = testpki_ec();
	k.ecc = testpki_cert(k.ecc_key, "certgroup", "ecc", k.ca, k.ca_key, -DAY, 30 * DAY, 6, 0, NULL);
	k.other_key = testpki_rsa();
	k.other_ca = testpki_cert(k.other_key, NULL, "other CA", NULL, NULL, -DAY, 30 * DAY, 1, 1, NULL);
	k.stranger = testpki_cert(k.alice_key, "certgroup", "stranger", k.other_ca, k.other_key, -DAY,
	                    30 * DAY, 7, 0, NULL);
	k.hub_ec_key = testpki_ec();
	k.hub_ec = testpki_cert(k.hub_ec_key, NULL, "hub-ec", k.ca, k.ca_key, -DAY, 30 * DAY, 8, 0, NULL);

	/* CRL revoking serial 5 */
	k.crl = X509_CRL_new();
	X509_CRL_set_version(k.crl, 1);
	X509_CRL_set_issuer_name(k.crl, X509_get_subject_name(k.ca));
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), -1, 0);
	X509_CRL_set1_lastUpdate(k.crl, t);
	ASN1_TIME_adj(t, time(NULL), 30, 0);
	X509_CRL_set1_nextUpdate(k.crl, t);
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	ASN1_INTEGER_set(sn, 5);
	X509_REVOKED_set_serialNumber(r, sn);
	ASN1_TIME_adj(t, time(NULL), 0, -60);
	X509_REVOKED_set_revocationDate(r, t);
	X509_CRL_add0_revoked(k.crl, r);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	X509_CRL_sort(k.crl);
	cr_assert(X509_CRL_sign(k.crl, k.ca_key, EVP_sha256()) > 0);

	/* one trust point, as the parser would leave it */
	k.conf = calloc(1, sizeof(*k.conf));
	cr_assert(k.conf);
	struct conf_trustpoint *tp = &k.conf->trustpoint[0];
	k.conf->ntrustpoint = 1;
	snprintf(tp->name, sizeof(tp->name), "TP");
	tp->ca_len = (uint32_t)testpki_der(k.ca, tp->ca_der, sizeof(tp->ca_der));
	tp->cert_len = (uint32_t)testpki_der(k.hub, tp->cert_der, sizeof(tp->cert_der));
	unsigned char *d = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(k.hub), &d);
	cr_assert(n > 0 && (size_t)n <= sizeof(tp->subject_der));
	memcpy(tp->subject_der, d, (size_t)n);
	tp->subject_len = (uint16_t)n;
	OPENSSL_free(d);
	d = NULL;
	n = i2d_PrivateKey(k.hub_key, &d);
	cr_assert(n > 0);
	memcpy(tp->key_der, d, (size_t)n);
	tp->key_len = (uint32_t)n;
	tp->key_type = EVP_PKEY_RSA;
	OPENSSL_free(d);
	d = NULL;
	n = i2d_X509_CRL(k.crl, &d);
	cr_assert(n > 0);
	memcpy(tp->crl_der, d, (size_t)n);
	tp->crl_len = (uint32_t)n;
	OPENSSL_free(d);
	tp->revocation = REVOKE_CRL;
}

static void teardown(void)
{
	EVP_PKEY *keys[] = { k.ca_key, k.hub_key, k.alice_key, k.ecc_key, k.other_key, k.hub_ec_key };
	X509 *certs[] = { k.ca, k.hub, k.alice, k.old, k.revoked, k.ecc, k.other_ca, k.stranger,
	                  k.hub_ec };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EVP_PKEY_free(keys[i]);
	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
		X509_free(certs[i]);
	X509_CRL_free(k.crl);
	free(k.conf);
	memset(&k, 0, sizeof(k));
}

/* Made-up parts of an exchange: PRF SHA-256, a 2048-bit group */
static void fill_parts(struct msg_hash_parts *p)
{
	p->prf_hash = IKE_HASH_SHA256;
	p->skeyid_len = 32;
	memset(p->skeyid, 0x31, 32);
	p->gx_len = 256;
	memset(p->gxi, 0x41, 256);
	memset(p->gxr, 0x42, 256);
	memset(p->cky_i, 0x51, 8);
	memset(p->cky_r, 0x52, 8);
	p->sai_len = 48;
	memset(p->sai_b, 0x61, 48);
}

/* A request as ikemgr builds it: cert, an ID of the certificate's subject, the parts of an
 * exchange, and the signature over the HASH_I they give made with key (method m); the hash
 * in the request too, for keymgr_cert_verify itself. */
static struct msg_cert_verify_req *req(X509 *cert, EVP_PKEY *key, int m)
{
	struct msg_cert_verify_req *rq = calloc(1, sizeof(*rq));
	cr_assert(rq);
	rq->sa_id = 42;
	rq->auth_method = m;
	rq->ncert = 1;
	rq->cert_len[0] = (uint16_t)testpki_der(cert, rq->certs, sizeof(rq->certs));
	unsigned char *d = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(cert), &d);
	cr_assert(n > 0 && n + 4 <= MSG_ID_MAX);
	rq->id[0] = 9;                        /* ID_DER_ASN1_DN */
	memcpy(rq->id + 4, d, (size_t)n);
	rq->id_len = (uint16_t)(n + 4);
	OPENSSL_free(d);
	fill_parts(&rq->parts);
	cr_assert_eq(ike_hash_i(IKE_HASH_SHA256, rq->parts.skeyid, 32, rq->parts.gxi, 256,
	                        rq->parts.gxr, 256, rq->parts.cky_i, rq->parts.cky_r,
	                        rq->parts.sai_b, 48, rq->id, rq->id_len, rq->hash), 0);
	rq->hash_len = 32;
	size_t sl = sizeof(rq->sig);
	cr_assert_eq(cert_sig_sign(key, m, rq->hash, rq->hash_len, rq->sig, &sl), 0);
	rq->sig_len = (uint16_t)sl;
	return rq;
}

static void expect(struct msg_cert_verify_req *rq, int status, const char *reason_part)
{
	struct msg_cert_verify_res res;
	keymgr_cert_verify(k.conf, rq, &res);
	cr_expect_eq(res.status, status, "status %d, expected %d (%s)", res.status, status,
	             res.reason);
	cr_expect_eq(res.sa_id, 42u);
	if (reason_part)
		cr_expect(strstr(res.reason, reason_part), "reason '%s' lacks '%s'", res.reason,
		          reason_part);
	free(rq);
}

TestSuite(cert, .init = setup, .fini = teardown, .timeout = 60);

Test(cert, good_rsa_client_gives_ou_and_trustpoint)
{
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	struct msg_cert_verify_res res;
	keymgr_cert_verify(k.conf, rq, &res);
	cr_expect_eq(res.status, CERT_OK, "%s", res.reason);
	cr_expect_str_eq(res.ou, "certgroup");
	cr_expect_str_eq(res.trustpoint, "TP");
	cr_expect(strstr(res.subject, "CN=alice"), "subject %s", res.subject);
	/* XAUTHInitRSA signs the same way */
	free(rq);
	expect(req(k.alice, k.alice_key, 65005), CERT_OK, NULL);
}

/* the maps a trusted certificate matches go back by label, each once; none for a refusal */
Test(cert, certificate_maps_named)
{
	struct conf_certmap *m = k.conf->certmap;
	memset(m, 0, 4 * sizeof(*m));
	snprintf(m[0].label, sizeof(m[0].label), "CG");
	m[0].seq = 10;
	m[0].nrule = 1;
	m[0].rule[0] = (struct conf_certmap_rule){ CM_SUBJECT, CM_CO, "ou=certgroup," };
	m[1] = m[0];
	m[1].seq = 20;                 /* matches too: CG is listed once */
	snprintf(m[2].label, sizeof(m[2].label), "OTHER");
	m[2].nrule = 1;
	m[2].rule[0] = (struct conf_certmap_rule){ CM_SUBJECT, CM_EQ, "cn=alice" };
	snprintf(m[3].label, sizeof(m[3].label), "ALICE");
	m[3].nrule = 1;
	m[3].rule[0] = (struct conf_certmap_rule){ CM_ALT_SUBJECT, CM_EQ, "alice.example.net" };
	k.conf->ncertmap = 4;
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	struct msg_cert_verify_res res;
	keymgr_cert_verify(k.conf, rq, &res);
	cr_expect_eq(res.status, CERT_OK, "%s", res.reason);
	cr_expect_str_eq(res.certmaps[0], "CG");
	cr_expect_str_eq(res.certmaps[1], "ALICE");
	cr_expect_str_eq(res.certmaps[2], "");
	free(rq);
	rq = req(k.stranger, k.alice_key, 3);
	keymgr_cert_verify(k.conf, rq, &res);
	cr_expect_neq(res.status, CERT_OK);
	cr_expect_str_eq(res.certmaps[0], "", "a map named for an untrusted certificate");
	free(rq);
	k.conf->ncertmap = 0;
}

Test(cert, bad_signature_refused)
{
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	rq->sig[10] ^= 1;
	expect(rq, CERT_BAD_SIG, "signature does not verify");
	/* a signature over another hash */
	rq = req(k.alice, k.alice_key, 3);
	rq->hash[0] ^= 1;
	expect(rq, CERT_BAD_SIG, "signature does not verify");
	/* signed by a key that is not the certificate's */
	expect(req(k.alice, k.other_key, 3), CERT_BAD_SIG, "signature does not verify");
}

Test(cert, expired_revoked_and_foreign_refused)
{
	expect(req(k.old, k.alice_key, 3), CERT_UNTRUSTED, "certificate has expired");
	expect(req(k.revoked, k.alice_key, 3), CERT_UNTRUSTED, "certificate revoked");
	expect(req(k.stranger, k.alice_key, 3), CERT_UNTRUSTED,
	       "unable to get local issuer certificate");
	/* without revocation checking the revoked one passes: the CRL is what refused it */
	k.conf->trustpoint[0].revocation = REVOKE_NONE;
	expect(req(k.revoked, k.alice_key, 3), CERT_OK, NULL);
	/* a trust point named in the request that is not configured vouches for nothing */
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	snprintf(rq->trustpoint, sizeof(rq->trustpoint), "NOPE");
	expect(rq, CERT_UNTRUSTED, "no trust point");
}

Test(cert, identity_must_be_the_certificate)
{
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	/* the hub's subject as the identity, alice's certificate */
	unsigned char *d = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(k.hub), &d);
	memcpy(rq->id + 4, d, (size_t)n);
	rq->id_len = (uint16_t)(n + 4);
	OPENSSL_free(d);
	expect(rq, CERT_BAD_ID, "is not the certificate's subject");

	/* FQDN, e-mail and address identities are checked against subjectAltName */
	static const struct { uint8_t type; const char *v; int ok; } ids[] = {
		{ 2, "alice.example.net", 1 }, { 2, "bob.example.net", 0 },
		{ 3, "alice@example.net", 1 }, { 3, "eve@example.net", 0 },
		{ 11, "certgroup", 0 },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		rq = req(k.alice, k.alice_key, 3);
		rq->id[0] = ids[i].type;
		memcpy(rq->id + 4, ids[i].v, strlen(ids[i].v));
		rq->id_len = (uint16_t)(4 + strlen(ids[i].v));
		expect(rq, ids[i].ok ? CERT_OK : CERT_BAD_ID, NULL);
	}
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 1;
	memcpy(rq->id + 4, "\xc6\x33\x64\x02", 4);   /* 198.51.100.2 */
	rq->id_len = 8;
	expect(rq, CERT_OK, NULL);
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 1;
	memcpy(rq->id + 4, "\xc6\x33\x64\x03", 4);
	rq->id_len = 8;
	expect(rq, CERT_BAD_ID, "198.51.100.3");

	/* ID_IPV6_ADDR (type 5, 16 bytes), as charon sends over IPv6 with an address identity */
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 5;
	memcpy(rq->id + 4, a6, 16);
	rq->id_len = 20;
	expect(rq, CERT_OK, NULL);
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 5;
	memcpy(rq->id + 4, a6, 16);
	rq->id[4 + 15] = 3;
	rq->id_len = 20;
	expect(rq, CERT_BAD_ID, "identity 2001:db8::3 is not in the certificate's subjectAltName");
	/* an IPv4 address in an IPv6 ID, or the IPv6 one cut short, names nothing */
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 5;
	memcpy(rq->id + 4, "\xc6\x33\x64\x02", 4);
	rq->id_len = 8;
	expect(rq, CERT_BAD_ID, "an address of 4 bytes");
	rq = req(k.alice, k.alice_key, 3);
	rq->id[0] = 1;
	memcpy(rq->id + 4, a6, 16);
	rq->id_len = 20;
	expect(rq, CERT_BAD_ID, "an address of 16 bytes");
}

Test(cert, ecdsa_p256_client)
{
	struct msg_cert_verify_req *rq = req(k.ecc, k.ecc_key, 9);
	cr_expect_eq(rq->sig_len, 64, "r | s of P-256 is 64 bytes, got %u", rq->sig_len);
	expect(rq, CERT_OK, NULL);
	/* the method must fit the key: P-384 or RSA with a P-256 key is refused */
	rq = req(k.ecc, k.ecc_key, 9);
	rq->auth_method = 10;
	expect(rq, CERT_BAD_SIG, "P-384");
	rq = req(k.ecc, k.ecc_key, 9);
	rq->auth_method = 3;
	expect(rq, CERT_BAD_SIG, "not an RSA key");
	rq = req(k.ecc, k.ecc_key, 9);
	rq->sig[63] ^= 0x80;
	expect(rq, CERT_BAD_SIG, "signature does not verify");
}

Test(cert, malformed_certificates_refused)
{
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	rq->certs[5] ^= 0xff;
	expect(rq, CERT_UNTRUSTED, "not DER");
	rq = req(k.alice, k.alice_key, 3);
	rq->cert_len[0] = 0xffff;             /* longer than the buffer holds */
	expect(rq, CERT_ERROR, "bad length");
	rq = req(k.alice, k.alice_key, 3);
	rq->ncert = 0;
	expect(rq, CERT_UNTRUSTED, "no certificate");
	rq = req(k.alice, k.alice_key, 3);
	rq->ncert = MSG_CERT_MAX + 1;
	expect(rq, CERT_UNTRUSTED, "no certificate");
	/* an intermediate after the leaf is used as an untrusted chain element, not trusted */
	rq = req(k.stranger, k.alice_key, 3);
	rq->cert_len[1] = (uint16_t)testpki_der(k.other_ca, rq->certs + rq->cert_len[0],
	                                      sizeof(rq->certs) - rq->cert_len[0]);
	rq->ncert = 2;
	expect(rq, CERT_UNTRUSTED, NULL);
}

/* A leaf issued by an intermediate CA: trusted when the peer sends the intermediate after its
 * certificate, or when the trust point's ca-certificate file holds it; not otherwise. */
Test(cert, intermediate_ca)
{
	EVP_PKEY *ik = testpki_rsa();
	X509 *inter = testpki_cert(ik, NULL, "intermediate CA", k.ca, k.ca_key, -DAY, 30 * DAY, 9, 1, NULL);
	X509 *leaf = testpki_cert(k.alice_key, "certgroup", "dave", inter, ik, -DAY, 30 * DAY, 10, 0, NULL);
	k.conf->trustpoint[0].revocation = REVOKE_NONE;   /* the CRL is the root's only */

	expect(req(leaf, k.alice_key, 3), CERT_UNTRUSTED, "unable to get local issuer certificate");

	struct msg_cert_verify_req *rq = req(leaf, k.alice_key, 3);
	rq->cert_len[1] = (uint16_t)testpki_der(inter, rq->certs + rq->cert_len[0],
	                                      sizeof(rq->certs) - rq->cert_len[0]);
	rq->ncert = 2;
	expect(rq, CERT_OK, NULL);

	struct conf_trustpoint *tp = &k.conf->trustpoint[0];
	tp->ca_len += (uint32_t)testpki_der(inter, tp->ca_der + tp->ca_len,
	                                 sizeof(tp->ca_der) - tp->ca_len);
	expect(req(leaf, k.alice_key, 3), CERT_OK, NULL);
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(ik);
}

/* IKEv1 RSA signatures are PKCS#1 v1.5 over the bare hash: what the public key recovers is
 * the hash itself, no DigestInfo around it. */
Test(cert, sign_rsa_is_pkcs1_over_the_raw_hash)
{
	struct msg_sign_req rq;
	struct msg_sign_res res;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = 7;
	snprintf(rq.trustpoint, sizeof(rq.trustpoint), "TP");
	rq.auth_method = 3;
	rq.hash_len = 32;
	memset(rq.hash, 0xab, 32);
	keymgr_cert_sign(k.conf, &rq, &res);
	cr_assert_eq(res.status, 0, "%s", res.reason);
	cr_expect_eq(res.sa_id, 7u);
	cr_expect_eq(res.sig_len, 256);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(k.hub), NULL);
	uint8_t out[256];
	size_t ol = sizeof(out);
	cr_assert(ctx && EVP_PKEY_verify_recover_init(ctx) == 1 &&
	          EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
	cr_assert_eq(EVP_PKEY_verify_recover(ctx, out, &ol, res.sig, res.sig_len), 1);
	cr_expect_eq(ol, 32u);
	cr_expect_arr_eq(out, rq.hash, 32);
	EVP_PKEY_CTX_free(ctx);

	/* an ECDSA method with the RSA key, or an unknown trust point, is refused */
	rq.auth_method = 9;
	keymgr_cert_sign(k.conf, &rq, &res);
	cr_expect_neq(res.status, 0);
	cr_expect(strstr(res.reason, "ECDSA"), "%s", res.reason);
	rq.auth_method = 3;
	snprintf(rq.trustpoint, sizeof(rq.trustpoint), "NOPE");
	keymgr_cert_sign(k.conf, &rq, &res);
	cr_expect_neq(res.status, 0);
}

Test(cert, sign_ecdsa_verifies)
{
	struct conf_trustpoint *tp = &k.conf->trustpoint[0];
	unsigned char *d = NULL;
	int n = i2d_PrivateKey(k.hub_ec_key, &d);
	memcpy(tp->key_der, d, (size_t)n);
	tp->key_len = (uint32_t)n;
	OPENSSL_free(d);
	struct msg_sign_req rq;
	struct msg_sign_res res;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.trustpoint, sizeof(rq.trustpoint), "TP");
	rq.auth_method = 9;
	rq.hash_len = 32;
	memset(rq.hash, 0x5c, 32);
	keymgr_cert_sign(k.conf, &rq, &res);
	cr_assert_eq(res.status, 0, "%s", res.reason);
	cr_expect_eq(res.sig_len, 64);
	cr_expect_eq(cert_sig_verify(X509_get0_pubkey(k.hub_ec), 9, rq.hash, 32, res.sig,
	                             res.sig_len), 1);
	res.sig[0] ^= 1;
	cr_expect_eq(cert_sig_verify(X509_get0_pubkey(k.hub_ec), 9, rq.hash, 32, res.sig,
	                             res.sig_len), 0);
}

/* The parser: files read at load, errors at the line, the key redacted for the children. */
static char dir[64];

static void write_pem(const char *name, X509 *x, EVP_PKEY *key, X509_CRL *crl)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	if (x)
		PEM_write_X509(f, x);
	if (key)
		PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (crl)
		PEM_write_X509_CRL(f, crl);
	fclose(f);
	chmod(path, 0600);
}

struct diags { char text[4096]; int n; };
static void diag(void *arg, int is_error, const char *msg)
{
	struct diags *d = arg;
	size_t l = strlen(d->text);
	snprintf(d->text + l, sizeof(d->text) - l, "%s%s\n", is_error ? "E " : "W ", msg);
	d->n += is_error;
}

Test(cert, trustpoint_config)
{
	snprintf(dir, sizeof(dir), "/tmp/vpnd_cert_XXXXXX");
	cr_assert(mkdtemp(dir));
	write_pem("ca.pem", k.ca, NULL, NULL);
	write_pem("hub.pem", k.hub, NULL, NULL);
	write_pem("hub.key", NULL, k.hub_key, NULL);
	write_pem("alice.key", NULL, k.alice_key, NULL);
	write_pem("crl.pem", NULL, NULL, k.crl);
	const char *good =
		"crypto pki trustpoint TP\n"
		" ca-certificate ca.pem\n certificate hub.pem\n private-key hub.key\n"
		" crl crl.pem\n revocation-check crl\n"
		"crypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication rsa-sig\n group 14\n"
		"crypto isakmp profile certs\n ca trust-point TP\n";
	char path[128];
	snprintf(path, sizeof(path), "%s/hub.conf", dir);
	FILE *f = fopen(path, "w");
	fputs(good, f);
	fclose(f);
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	struct diags d;
	memset(&d, 0, sizeof(d));
	cr_assert_eq(conf_load(path, c, diag, &d), 0, "%s", d.text);
	cr_assert_eq(c->ntrustpoint, 1);
	const struct conf_trustpoint *tp = conf_find_trustpoint(c, "TP");
	cr_assert(tp);
	cr_expect_eq(tp->revocation, REVOKE_CRL);
	cr_expect(tp->ca_len > 0 && tp->cert_len > 0 && tp->key_len > 0 && tp->crl_len > 0);
	cr_expect_eq(tp->key_type, EVP_PKEY_RSA);
	cr_expect(strstr(tp->subject, "CN=hub"), "%s", tp->subject);
	cr_expect_eq(c->profile[0].nca_tp, 1);
	cr_expect_str_eq(c->profile[0].ca_tp[0], "TP");
	/* the parsed trust point verifies and signs like the hand-made one */
	struct msg_cert_verify_res res;
	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	keymgr_cert_verify(c, rq, &res);
	free(rq);
	cr_expect_eq(res.status, CERT_OK, "%s", res.reason);
	conf_redact(c);
	for (size_t i = 0; i < sizeof(tp->key_der); i++)
		cr_assert_eq(tp->key_der[i], 0, "key byte %zu left after conf_redact", i);
	cr_expect(tp->cert_len > 0 && tp->cert_der[0] == 0x30, "the certificate is public");

	/* a missing file, a key that is not the certificate's, an undefined trust point */
	const char *bad =
		"crypto pki trustpoint TP\n"
		" ca-certificate ca.pem\n certificate hub.pem\n private-key alice.key\n"
		" crl nothere.pem\n"
		"crypto isakmp profile certs\n ca trust-point TQ\n";
	f = fopen(path, "w");
	fputs(bad, f);
	fclose(f);
	memset(&d, 0, sizeof(d));
	cr_expect_gt(conf_load(path, c, diag, &d), 0);
	cr_expect(strstr(d.text, "hub.conf:5: error: cannot read crl file"), "%s", d.text);
	cr_expect(strstr(d.text, "does not belong to the certificate"), "%s", d.text);
	cr_expect(strstr(d.text, "hub.conf:7: error: trust point 'TQ' is not defined"), "%s", d.text);
	free(c);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

/* Issue 10: keymgr signed any value for ikemgr. Now only for an SA whose certificate check
 * passed, once, with that SA's method, and only the HASH_R keymgr computes from the parts it
 * checked HASH_I with and our subject as IDir (keymgr/vouched.c, hash.c). */
Test(cert, signs_only_for_a_checked_sa_once)
{
	struct msg_sign_req sr;
	struct msg_sign_res res;
	memset(&sr, 0, sizeof(sr));
	sr.sa_id = 42;
	snprintf(sr.trustpoint, sizeof(sr.trustpoint), "TP");
	sr.auth_method = 3;
	sr.hash_len = 32;
	memset(sr.hash, 0x11, 32);              /* ikemgr's choice: never what is signed */
	unsigned char *d = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(k.hub), &d);
	cr_assert(n > 0 && n + 4 <= MSG_ID_MAX);
	sr.idr[0] = 9;                          /* ID_DER_ASN1_DN, as the responder sends it */
	memcpy(sr.idr + 4, d, (size_t)n);
	sr.idr_len = (uint16_t)(n + 4);
	OPENSSL_free(d);
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_neq(res.status, 0, "signed for an SA nobody checked");
	cr_expect(strstr(res.reason, "no certificate was checked"), "%s", res.reason);

	struct msg_cert_verify_req *rq = req(k.alice, k.alice_key, 3);
	struct msg_cert_verify_res vr;
	keymgr_verify_q(k.conf, rq, &vr);
	cr_assert_eq(vr.status, CERT_OK, "%s", vr.reason);
	sr.idr[sr.idr_len - 1] ^= 1;
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_neq(res.status, 0, "an IDir that is not the trust point's subject");
	cr_expect(strstr(res.reason, "IDir is not trust point 'TP''s subject"), "%s", res.reason);
	sr.idr[sr.idr_len - 1] ^= 1;
	keymgr_verify_q(k.conf, rq, &vr);          /* the bad request spent the SA's chance */
	sr.sa_id = 43;
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_neq(res.status, 0, "another SA's check does not count");
	sr.sa_id = 42;
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_eq(res.status, 0, "%s", res.reason);
	/* the signature is over HASH_R of the checked exchange, not over sr.hash */
	uint8_t hr[32];
	cr_assert_eq(ike_hash_r(IKE_HASH_SHA256, rq->parts.skeyid, 32, rq->parts.gxi, 256,
	                        rq->parts.gxr, 256, rq->parts.cky_i, rq->parts.cky_r,
	                        rq->parts.sai_b, 48, sr.idr, sr.idr_len, hr), 0);
	EVP_PKEY *hub_pub = X509_get0_pubkey(k.hub);
	cr_expect_eq(cert_sig_verify(hub_pub, 3, hr, 32, res.sig, res.sig_len), 1,
	             "the signature is not over HASH_R");
	cr_expect_neq(cert_sig_verify(hub_pub, 3, sr.hash, 32, res.sig, res.sig_len), 1,
	              "ikemgr's value was signed");
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_neq(res.status, 0, "signed twice for one check");

	/* a failed check vouches for nothing */
	rq->sig[0] ^= 1;
	keymgr_verify_q(k.conf, rq, &vr);
	cr_expect_eq(vr.status, CERT_BAD_SIG);
	keymgr_sign_q(k.conf, &sr, &res);
	cr_expect_neq(res.status, 0, "signed after a failed check");
	free(rq);
}
