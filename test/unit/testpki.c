/* The test PKI (testpki.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test/unit/testpki.h"

static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "testpki: %s failed\n", what);
		abort();
	}
}

EVP_PKEY *testpki_rsa(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	need(k != NULL, "RSA key");
	return k;
}

EVP_PKEY *testpki_ec(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	need(k != NULL, "EC key");
	return k;
}

X509 *testpki_cert(EVP_PKEY *key, const char *ou, const char *cn, X509 *ca, EVP_PKEY *cakey,
                   long from, long to, long serial, int is_ca, const char *san)
{
	X509 *x = X509_new();
	need(x != NULL, "X509_new");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"vpnd test", -1, -1, 0);
	if (ou)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : n);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	                                        is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (san) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	need(X509_sign(x, cakey ? cakey : key, EVP_sha256()) > 0, "X509_sign");
	return x;
}

size_t testpki_der(X509 *x, uint8_t *out, size_t room)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);
	need(n > 0 && (size_t)n <= room, "i2d_X509");
	memcpy(out, d, (size_t)n);
	OPENSSL_free(d);
	return (size_t)n;
}

void testpki_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");
	need(f != NULL, path);
	need(x ? PEM_write_X509(f, x) == 1 : PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1,
	     "PEM write");
	fclose(f);
}
