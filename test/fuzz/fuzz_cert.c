// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_cert.c keymgr/cert.c keymgr/certmap.c keymgr/hash.c common/ike_crypto.c common/conf_find.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_cert
/*
 * What a peer controls in main mode with signatures, as keymgr gets it: the CERT payloads'
 * bytes, the identity and the signature (ikemgr copies them into struct msg_cert_verify_req
 * with their lengths, which keymgr must not trust either). Whatever the bytes, the verdict is
 * one of enum msg_cert_status, its strings are terminated, and nothing but a certificate of
 * the trust point's CA with a good signature can come back CERT_OK.
 * The first input byte chooses: bit 7 puts a real certificate of the trust point first (so
 * the identity and signature checks are reached), bits 0-2 the number of certificates, bits
 * 3-4 the method (RSA, ECDSA P-256/384, XAUTHInitRSA). The same bytes, as the lengths of
 * HASH_I's parts (keymgr/hash.c), must never be read past their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/conf.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf *conf;
static uint8_t leaf_der[2048];
static size_t leaf_len;

static X509 *mk(EVP_PKEY *key, const char *cn, X509 *ca, EVP_PKEY *cakey)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 2 : 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30 * 86400L);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)"g", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : n);
	X509_sign(x, cakey ? cakey : key, EVP_sha256());
	return x;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	conf = calloc(1, sizeof(*conf));
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *ca = mk(cak, "ca", NULL, NULL), *leaf = mk(lk, "leaf", ca, cak);
	struct conf_trustpoint *tp = &conf->trustpoint[0];
	conf->ntrustpoint = 1;
	strcpy(tp->name, "TP");
	unsigned char *d = NULL;
	int l = i2d_X509(ca, &d);
	memcpy(tp->ca_der, d, (size_t)l);
	tp->ca_len = (uint32_t)l;
	OPENSSL_free(d);
	d = NULL;
	l = i2d_X509(leaf, &d);
	memcpy(leaf_der, d, (size_t)l);
	leaf_len = (size_t)l;
	OPENSSL_free(d);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(lk);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int methods[] = { 3, 9, 10, 65005 };
	struct msg_cert_verify_req *rq = calloc(1, sizeof(*rq));
	struct msg_cert_verify_res res;
	if (!rq || size < 4) {
		free(rq);
		return 0;
	}
	uint8_t first = data[0];
	rq->auth_method = methods[(first >> 3) & 3];
	rq->ncert = data[0] & 7;                      /* 0..7: out of range values included */
	size_t idl = data[1] % (MSG_ID_MAX + 1), sl = data[2] * 4u % (MSG_SIG_MAX + 1);
	rq->hash_len = (uint16_t)(data[3] % (MSG_KEY_MAX + 8));   /* may claim too much */
	data += 4;
	size -= 4;
	idl = idl < size ? idl : size;
	memcpy(rq->id, data, idl);
	rq->id_len = (uint16_t)idl;
	data += idl;
	size -= idl;
	sl = sl < size ? sl : size;
	memcpy(rq->sig, data, sl);
	rq->sig_len = (uint16_t)sl;
	data += sl;
	size -= sl;
	size_t off = 0;
	int k = 0;
	if ((first & 0x80) && leaf_len <= sizeof(rq->certs)) {
		memcpy(rq->certs, leaf_der, leaf_len);
		rq->cert_len[k++] = (uint16_t)leaf_len;
		off = leaf_len;
	}
	/* the rest, cut into the remaining certificates; the last length may lie */
	for (; k < MSG_CERT_MAX && size; k++) {
		size_t l = size / (size_t)(MSG_CERT_MAX - k);
		if (l == 0 || k == MSG_CERT_MAX - 1)
			l = size;
		if (l > sizeof(rq->certs) - off)
			l = sizeof(rq->certs) - off;
		memcpy(rq->certs + off, data, l);
		rq->cert_len[k] = (uint16_t)(k == MSG_CERT_MAX - 1 ? l + (data[0] & 3) : l);
		off += l;
		data += l;
		size -= l;
	}
	/* the parts' lengths are ikemgr's word too */
	uint8_t h[MSG_KEY_MAX];
	uint16_t hl = 0;
	rq->parts.prf_hash = first & 7;
	rq->parts.skeyid_len = (uint16_t)(idl ^ 32);
	rq->parts.gx_len = (uint16_t)(sl * 3);
	rq->parts.sai_len = (uint16_t)(off * 2);
	if (hash_from_parts(&rq->parts, first & 1, rq->id, rq->id_len, h, &hl) == 0 &&
	    (hl == 0 || hl > sizeof(h) || rq->parts.gx_len > sizeof(rq->parts.gxi)))
		abort();
	keymgr_cert_verify(conf, rq, &res);
	if (res.status < CERT_OK || res.status > CERT_ERROR)
		abort();
	if (!memchr(res.reason, 0, sizeof(res.reason)) || !memchr(res.subject, 0, sizeof(res.subject)) ||
	    !memchr(res.ou, 0, sizeof(res.ou)) || !memchr(res.trustpoint, 0, sizeof(res.trustpoint)))
		abort();
	if (res.status == CERT_OK && rq->sig_len == 0)
		abort();
	free(rq);
	return 0;
}
