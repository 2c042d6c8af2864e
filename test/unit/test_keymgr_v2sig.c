/*
 * IKEv2 signature authentication in keymgr (keymgr/v2sig.c through keymgr_v2_auth), with a
 * PKI made in memory: the peer's RSA (method 1 and RFC 7427) and ECDSA (method 9) signatures
 * by a certificate of the profile's trust point and whose subjectAltName is its identity;
 * ours made with the profile's trust point, by RFC 7427 when the peer announced SHA-2, else by
 * the key's own method; a PSK client answered with a signature; and refusals: a signature by
 * another key, over other octets, an identity outside the certificate, another CA, a profile
 * that takes no signatures, RSASSA-PSS. A profile chosen by its certificate map (and
 * KEY_OTHER_PROFILE when ikemgr built IDr for another), certificates no map takes refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "keymgr/keymgr.h"
#include "test/unit/testpki.h"
#include "test/unit/v2req.h"

static struct {
	EVP_PKEY *ca_key, *hub_key, *hubec_key, *alice_key, *ecc_key, *other_key, *stranger_key;
	X509 *ca, *hub, *hubec, *alice, *ecc, *other_ca, *stranger, *carol, *sam, *evil;
	struct vpnd_conf conf;
	char dir[64];
} k;

static void setup(void)
{
	const long D = TESTPKI_DAY;
	k.ca_key = testpki_rsa();
	k.ca = testpki_cert(k.ca_key, NULL, "test CA", NULL, NULL, -D, 30 * D, 1, 1, NULL);
	k.hub_key = testpki_rsa();
	k.hub = testpki_cert(k.hub_key, NULL, "hub", k.ca, k.ca_key, -D, 30 * D, 2, 0,
	                     "DNS:hub.example.com");
	k.hubec_key = testpki_ec();
	k.hubec = testpki_cert(k.hubec_key, NULL, "hub-ec", k.ca, k.ca_key, -D, 30 * D, 3, 0, NULL);
	k.alice_key = testpki_rsa();
	k.alice = testpki_cert(k.alice_key, NULL, "alice", k.ca, k.ca_key, -D, 30 * D, 4, 0,
	                       "DNS:client.example.com");
	k.ecc_key = testpki_ec();
	k.ecc = testpki_cert(k.ecc_key, NULL, "ecc", k.ca, k.ca_key, -D, 30 * D, 5, 0,
	                     "DNS:ecc.example.com");
	k.other_key = testpki_ec();
	k.other_ca = testpki_cert(k.other_key, NULL, "other CA", NULL, NULL, -D, 30 * D, 6, 1, NULL);
	k.stranger_key = testpki_ec();
	k.stranger = testpki_cert(k.stranger_key, NULL, "stranger", k.other_ca, k.other_key, -D,
	                          30 * D, 7, 0, "DNS:ecc.example.com");

	/* for the certificate map ENG (OU eng): carol's matches, sam's (sales) does not, evil's
	 * would but comes from another CA */
	k.carol = testpki_cert(k.alice_key, "eng", "carol", k.ca, k.ca_key, -D, 30 * D, 8, 0,
	                       "DNS:carol.example.com");
	k.sam = testpki_cert(k.alice_key, "sales", "sam", k.ca, k.ca_key, -D, 30 * D, 9, 0,
	                     "DNS:sam.example.com");
	k.evil = testpki_cert(k.stranger_key, "eng", "evil", k.other_ca, k.other_key, -D, 30 * D,
	                      10, 0, "DNS:evil.example.com");

	snprintf(k.dir, sizeof(k.dir), "/tmp/v2sig.XXXXXX");
	cr_assert_not_null(mkdtemp(k.dir));
	char p[128];
#define PEM(name, x, key) (snprintf(p, sizeof(p), "%s/%s", k.dir, name), testpki_pem(p, x, key))
	PEM("ca.pem", k.ca, NULL);
	PEM("hub.pem", k.hub, NULL);
	PEM("hub.key", NULL, k.hub_key);
	PEM("hubec.pem", k.hubec, NULL);
	PEM("hubec.key", NULL, k.hubec_key);
	char cfg[4096];
	int n = snprintf(cfg, sizeof(cfg),
		"crypto pki trustpoint TP\n ca-certificate %1$s/ca.pem\n certificate %1$s/hub.pem\n"
		" private-key %1$s/hub.key\n"
		"crypto pki trustpoint TP-EC\n ca-certificate %1$s/ca.pem\n"
		" certificate %1$s/hubec.pem\n private-key %1$s/hubec.key\n"
		"crypto ikev2 keyring KR\n peer p\n  identity fqdn psk.example.com\n"
		"  pre-shared-key local hub-side\n  pre-shared-key remote client-side\n"
		"crypto pki certificate map ENG 10\n subject-name co ou=eng,\n"
		"crypto ikev2 profile CM-ENG\n match certificate ENG\n"
		" authentication local rsa-sig\n authentication remote rsa-sig\n pki trustpoint TP\n"
		"crypto ikev2 profile EC\n match identity remote fqdn ecc.example.com\n"
		" authentication local ecdsa-sig\n authentication remote ecdsa-sig\n"
		" pki trustpoint TP-EC\n"
		"crypto ikev2 profile RSA\n match identity remote fqdn client.example.com\n"
		" authentication local rsa-sig\n authentication remote rsa-sig\n"
		" authentication remote ecdsa-sig\n pki trustpoint TP\n"
		"crypto ikev2 profile MIX\n match identity remote fqdn psk.example.com\n"
		" authentication local rsa-sig\n authentication remote pre-share\n keyring local KR\n"
		" pki trustpoint TP\n", k.dir);
	cr_assert(n > 0 && (size_t)n < sizeof(cfg));
	cr_assert_eq(conf_load_buf("v2sig", cfg, (size_t)n, &k.conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	keymgr_init(&k.conf);
}

static void teardown(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", k.dir);
	cr_assert_eq(system(cmd), 0);
}
TestSuite(v2sig, .init = setup, .fini = teardown);

static void with_cert(struct msg_v2_auth_req *rq, X509 *x)
{
	rq->ncert = 1;
	rq->cert_len[0] = (uint16_t)testpki_der(x, rq->certs, sizeof(rq->certs));
}

/* the RFC 7427 AUTH prefix for sig_nid into a: its length */
static size_t algid(int sig_nid, int rsa, uint8_t *a)
{
	X509_ALGOR *al = X509_ALGOR_new();
	unsigned char *d = NULL;
	X509_ALGOR_set0(al, OBJ_nid2obj(sig_nid), rsa ? V_ASN1_NULL : V_ASN1_UNDEF, NULL);
	int l = i2d_X509_ALGOR(al, &d);
	cr_assert(l > 0 && l < 255);
	a[0] = (uint8_t)l;
	memcpy(a + 1, d, (size_t)l);
	OPENSSL_free(d);
	X509_ALGOR_free(al);
	return 1 + (size_t)l;
}

static size_t sign_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *m, size_t mlen,
                       uint8_t *out, size_t room)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t sl = room;
	cr_assert_eq(EVP_DigestSignInit(c, NULL, md, NULL, key), 1);
	cr_assert_eq(EVP_DigestSign(c, out, &sl, m, mlen), 1);
	EVP_MD_CTX_free(c);
	return sl;
}

/* the peer's AUTH over oct_i: method 14 with sig_nid, 1 (RSA SHA-1) or 9 (ECDSA r | s) */
static void peer_sign(struct msg_v2_auth_req *rq, EVP_PKEY *key, int method, int sig_nid)
{
	rq->auth_method = method;
	if (method == 14) {
		int md = 0, pk = 0;
		cr_assert(OBJ_find_sigid_algs(sig_nid, &md, &pk));
		size_t off = algid(sig_nid, pk == NID_rsaEncryption, rq->auth);
		rq->auth_len = (uint16_t)(off + sign_raw(key, EVP_get_digestbynid(md), rq->oct_i,
		                          rq->oct_i_len, rq->auth + off, sizeof(rq->auth) - off));
	} else if (method == 1) {
		rq->auth_len = (uint16_t)sign_raw(key, EVP_sha1(), rq->oct_i, rq->oct_i_len, rq->auth,
		                                  sizeof(rq->auth));
	} else {
		uint8_t der[128];
		size_t dl = sign_raw(key, EVP_sha256(), rq->oct_i, rq->oct_i_len, der, sizeof(der));
		const unsigned char *q = der;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)dl);
		const BIGNUM *r, *s;
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, rq->auth, 32);
		BN_bn2binpad(s, rq->auth + 32, 32);
		ECDSA_SIG_free(es);
		rq->auth_len = 64;
	}
}

static int verify_md(EVP_PKEY *key, const EVP_MD *md, const uint8_t *sig, size_t sl,
                     const struct msg_v2_auth_req *rq)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = EVP_DigestVerifyInit(c, NULL, md, NULL, key) == 1 &&
	         EVP_DigestVerify(c, sig, sl, rq->oct_r, rq->oct_r_len) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

/* our AUTH in res must be cert's key's signature over oct_r by method (14: with sig_nid) */
static void expect_ours(const struct msg_v2_auth_req *rq, const struct msg_v2_auth_res *res,
                        X509 *cert, int method, int sig_nid)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	cr_assert_eq(res->auth_method, method, "our method %d, not %d", res->auth_method, method);
	if (method == 14) {
		const unsigned char *q = res->auth + 1;
		X509_ALGOR *al = d2i_X509_ALGOR(NULL, &q, res->auth[0]);
		cr_assert_not_null(al);
		const ASN1_OBJECT *o;
		X509_ALGOR_get0(&o, NULL, NULL, al);
		cr_assert_eq(OBJ_obj2nid(o), sig_nid, "algorithm %s", OBJ_nid2sn(OBJ_obj2nid(o)));
		X509_ALGOR_free(al);
		int md = 0, pk = 0;
		cr_assert(OBJ_find_sigid_algs(sig_nid, &md, &pk));
		size_t off = 1 + res->auth[0];
		cr_assert(verify_md(pub, EVP_get_digestbynid(md), res->auth + off, res->auth_len - off,
		                    rq), "our RFC 7427 signature does not verify");
	} else if (method == 1) {
		cr_assert(verify_md(pub, EVP_sha1(), res->auth, res->auth_len, rq),
		          "our RSA signature does not verify");
	} else {
		cr_assert_eq(res->auth_len, 64);
		ECDSA_SIG *es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(res->auth, 32, NULL), BN_bin2bn(res->auth + 32, 32, NULL));
		unsigned char *der = NULL;
		int dl = i2d_ECDSA_SIG(es, &der);
		cr_assert(verify_md(pub, EVP_sha256(), der, (size_t)dl, rq),
		          "our ECDSA signature does not verify");
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
	}
}

static int ask(const struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res)
{
	keymgr_v2_auth(&k.conf, rq, res);
	cr_assert_eq(res->sa_id, rq->sa_id);
	if (res->status != KEY_OK) {
		cr_assert_eq(res->auth_len, 0, "an AUTH came back with a refusal");
		cr_assert_null(v2_judged_find(rq->sa_id));
	}
	return res->status;
}

Test(v2sig, rsa_rfc7427_both_ways)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "client.example.com", "198.51.100.7");
	with_cert(&rq, k.alice);
	rq.peer_hashes = MSG_V2_HASH_SHA256 | MSG_V2_HASH_SHA384 | MSG_V2_HASH_SHA512;
	peer_sign(&rq, k.alice_key, 14, NID_sha256WithRSAEncryption);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "RSA");
	cr_assert_str_eq(res.trustpoint, "TP");
	cr_assert_eq(res.peer_kind, V2_AAA_CERT);
	cr_assert_not_null(strstr(res.subject, "CN=alice"), "%s", res.subject);
	expect_ours(&rq, &res, k.hub, 14, NID_sha256WithRSAEncryption);
	const struct v2_judged *j = v2_judged_find(rq.sa_id);
	cr_assert(j && j->kind == V2_AAA_CERT && !strcmp(j->user, "client.example.com"));
	/* SHA-512 from the peer is taken too */
	peer_sign(&rq, k.alice_key, 14, NID_sha512WithRSAEncryption);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
}

Test(v2sig, rsa_method_1_without_announced_hashes)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "client.example.com", "198.51.100.7");
	with_cert(&rq, k.alice);
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	expect_ours(&rq, &res, k.hub, 1, 0);
}

Test(v2sig, ecdsa_method_9_both_ways)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "ecc.example.com", "198.51.100.8");
	with_cert(&rq, k.ecc);
	peer_sign(&rq, k.ecc_key, 9, 0);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "EC");
	cr_assert_str_eq(res.trustpoint, "TP-EC");
	expect_ours(&rq, &res, k.hubec, 9, 0);
	/* with SHA-2 announced: ecdsa-with-SHA256 by RFC 7427 */
	rq.peer_hashes = MSG_V2_HASH_SHA256;
	peer_sign(&rq, k.ecc_key, 14, NID_ecdsa_with_SHA256);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	expect_ours(&rq, &res, k.hubec, 14, NID_ecdsa_with_SHA256);
}

Test(v2sig, psk_client_answered_with_our_signature)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	struct ikev2_suite s;
	v2req(&rq, 2, "psk.example.com", "198.51.100.9");
	rq.auth_method = MSG_V2_AUTH_PSK;
	rq.peer_hashes = MSG_V2_HASH_SHA256;
	cr_assert_eq(ikev2_suite_prf(&s, rq.prf), 0);
	struct iovec v = { rq.oct_i, rq.oct_i_len };
	cr_assert_eq(ikev2_psk_auth(&s, (const uint8_t *)"client-side", 11, &v, 1, rq.auth), 0);
	rq.auth_len = (uint16_t)s.prf_len;
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_eq(res.peer_kind, V2_AAA_PSK);
	expect_ours(&rq, &res, k.hub, 14, NID_sha256WithRSAEncryption);
	/* and a certificate to that profile, which takes pre-shared keys only */
	v2req(&rq, 2, "psk.example.com", "198.51.100.9");
	with_cert(&rq, k.alice);
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY);
	cr_assert_not_null(strstr(res.message, "does not allow signatures"), "%s", res.message);
}

Test(v2sig, forgeries_refused)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	/* signed by a key that is not the certificate's */
	v2req(&rq, 2, "ecc.example.com", "198.51.100.8");
	with_cert(&rq, k.ecc);
	peer_sign(&rq, k.stranger_key, 9, 0);
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	cr_assert_not_null(strstr(res.message, "does not verify"), "%s", res.message);
	/* the right key over other octets */
	peer_sign(&rq, k.ecc_key, 9, 0);
	rq.oct_i[rq.oct_i_len - 1] ^= 1;
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	/* an identity the certificate does not carry */
	v2req(&rq, 2, "client.example.com", "198.51.100.8");
	with_cert(&rq, k.ecc);
	peer_sign(&rq, k.ecc_key, 9, 0);
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	cr_assert_not_null(strstr(res.message, "not in the certificate's subjectAltName"), "%s",
	                   res.message);
	/* another CA's certificate, rightly signed */
	v2req(&rq, 2, "ecc.example.com", "198.51.100.8");
	with_cert(&rq, k.stranger);
	peer_sign(&rq, k.stranger_key, 9, 0);
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	cr_assert_not_null(strstr(res.message, "issuer"), "%s", res.message);
	/* an RSA-PSS AlgorithmIdentifier (no hash in the OID): refused, not guessed */
	v2req(&rq, 2, "client.example.com", "198.51.100.7");
	with_cert(&rq, k.alice);
	rq.auth_method = 14;
	size_t off = algid(NID_rsassaPss, 0, rq.auth);
	rq.auth_len = (uint16_t)(off + sign_raw(k.alice_key, EVP_sha256(), rq.oct_i, rq.oct_i_len,
	                         rq.auth + off, sizeof(rq.auth) - off));
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
	cr_assert_not_null(strstr(res.message, "is not taken"), "%s", res.message);
	/* no certificate at all */
	v2req(&rq, 2, "client.example.com", "198.51.100.7");
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_ERROR);
}

/* the peer's identity matches no profile; its certificate matches CM-ENG's map */
Test(v2sig, profile_by_certificate_map)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	v2req(&rq, 2, "carol.example.com", "198.51.100.20");
	with_cert(&rq, k.carol);
	rq.peer_hashes = MSG_V2_HASH_SHA256;
	peer_sign(&rq, k.alice_key, 14, NID_sha256WithRSAEncryption);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "CM-ENG");
	cr_assert_str_eq(res.trustpoint, "TP");
	expect_ours(&rq, &res, k.hub, 14, NID_sha256WithRSAEncryption);
	const struct v2_judged *j = v2_judged_find(rq.sa_id);
	cr_assert(j && !strcmp(j->profile, "CM-ENG") && j->kind == V2_AAA_CERT);
	/* ikemgr built IDr for another profile: keymgr names its own and judges nothing */
	snprintf(rq.profile, sizeof(rq.profile), "RSA");
	cr_assert_eq(ask(&rq, &res), KEY_OTHER_PROFILE, "%s", res.message);
	cr_assert_str_eq(res.profile, "CM-ENG");
	cr_assert_not_null(strstr(res.message, "falls under ikev2 profile 'CM-ENG', not 'RSA'"),
	                   "%s", res.message);
	snprintf(rq.profile, sizeof(rq.profile), "CM-ENG");
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "CM-ENG");
	/* the identity lines still count, in order: alice (no OU) stays under RSA */
	v2req(&rq, 2, "client.example.com", "198.51.100.21");
	with_cert(&rq, k.alice);
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_OK, "%s", res.message);
	cr_assert_str_eq(res.profile, "RSA");
}

Test(v2sig, certificate_map_refusals)
{
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;
	/* OU sales: no map takes it, no identity line either */
	v2req(&rq, 2, "sam.example.com", "198.51.100.22");
	with_cert(&rq, k.sam);
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY, "%s", res.message);
	cr_assert_not_null(strstr(res.message, "no ikev2 profile matches identity "
	                          "'sam.example.com' or its certificate"), "%s", res.message);
	/* OU eng from a CA no trust point has: the map is not even looked at */
	v2req(&rq, 2, "evil.example.com", "198.51.100.23");
	with_cert(&rq, k.evil);
	peer_sign(&rq, k.stranger_key, 14, NID_ecdsa_with_SHA256);
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY, "%s", res.message);
	cr_assert_not_null(strstr(res.message, "no ikev2 profile matches identity "
	                          "'evil.example.com'"), "%s", res.message);
	cr_assert_null(strstr(res.message, "certificate"), "%s", res.message);
	/* carol's certificate under an identity it does not carry */
	v2req(&rq, 2, "bob.example.com", "198.51.100.24");
	with_cert(&rq, k.carol);
	peer_sign(&rq, k.alice_key, 1, 0);
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY, "%s", res.message);
	/* a pre-shared key never falls under a certificate map */
	v2req(&rq, 2, "carol.example.com", "198.51.100.25");
	with_cert(&rq, k.carol);
	rq.auth_method = MSG_V2_AUTH_PSK;
	rq.auth_len = 32;
	cr_assert_eq(ask(&rq, &res), KEY_NO_KEY, "%s", res.message);
	cr_assert_not_null(strstr(res.message, "no ikev2 profile matches identity "
	                          "'carol.example.com'"), "%s", res.message);
}
