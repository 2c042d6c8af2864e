/*
 * A test PKI made in memory with OpenSSL (unit tests and fuzz targets): keys, certificates
 * signed by a CA or self-signed, PEM files for configurations that name them. Failures
 * abort: a test cannot go on without its PKI.
 */
#ifndef VPND_TESTPKI_H
#define VPND_TESTPKI_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define TESTPKI_DAY (24L * 3600)

EVP_PKEY *testpki_rsa(void);
EVP_PKEY *testpki_ec(void);
/* subject O=vpnd test[, OU=ou], CN=cn, signed by (ca, cakey) or self-signed, valid from
 * `from` to `to` seconds from now; san: an X509v3 subjectAltName value ("DNS:a.example") */
X509 *testpki_cert(EVP_PKEY *key, const char *ou, const char *cn, X509 *ca, EVP_PKEY *cakey,
                   long from, long to, long serial, int is_ca, const char *san);
size_t testpki_der(X509 *x, uint8_t *out, size_t room);
/* PEM of x (or, x NULL, of the private key k) into path */
void testpki_pem(const char *path, X509 *x, EVP_PKEY *k);

#endif
