// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_v2auth.c test/unit/testpki.c keymgr/v2auth.c keymgr/v2name.c keymgr/certmap.c keymgr/v2sig.c keymgr/v2eap.c test/fuzz/no_radius.c keymgr/cert.c keymgr/lockout.c test/fuzz/quiet_log.c common/ikev2_crypto.c common/ike_crypto.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_v2auth
/*
 * What an IKEv2 peer controls of keymgr's authentication question (keymgr/v2auth.c,
 * v2sig.c), as ikemgr copies it into struct msg_v2_auth_req: its identity, its AUTH method and
 * data, its certificates, both nonces and the two signed octet strings (IKE_SA_INIT messages
 * it wrote half of), and the lengths, which keymgr must not trust either. Whatever the bytes,
 * nothing is read past a buffer, the answer's strings are terminated, and KEY_OK never comes
 * back for octets that do not hang together or for an AUTH that is not the key's.
 * Input: byte 0 picks the identity type and whether the octets are built well-formed around
 * the input (bit 7, so that the AUTH check is reached); with bit 6 as well, the request is a
 * signature (method from bits 3-4: 1, 9, 14, or 14 with the input's own certificate) by a
 * certificate of the configured CA whose identity is sig.example, so that its certificate map
 * puts it under profile M and the AUTH parsing and verification are reached with the
 * input's bytes; the rest fills the request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"
#include "test/fuzz/no_radius.h"
#include "test/unit/testpki.h"


static const char cfg[] =
	"crypto ikev2 keyring KR\n"
	" peer any4\n  address 0.0.0.0 0.0.0.0\n  pre-shared-key fuzz-secret\n"
	" peer named\n  identity fqdn a.example\n  pre-shared-key local l\n"
	"  pre-shared-key remote r\n"
	"crypto ikev2 authorization policy POL\n def-domain example\n"
	/* first: the certificate map takes the client's certificate (and, with the input's own,
	 * has its names read), ahead of P's `any` */
	"crypto pki certificate map CM 10\n subject-name co cn=client\n"
	" alt-subject-name ew .example\n serial-number ne 0\n"
	"crypto ikev2 profile M\n match certificate CM\n"
	" authentication local rsa-sig\n authentication remote ecdsa-sig\n"
	" authentication remote rsa-sig\n pki trustpoint TP\n"
	"crypto ikev2 profile P\n match identity remote any\n"
	" authentication local pre-share\n authentication remote pre-share\n"
	" keyring local KR\n"
	"crypto ikev2 profile S\n match identity remote fqdn sig.example\n"
	" authentication local rsa-sig\n authentication remote ecdsa-sig\n"
	" authentication remote rsa-sig\n pki trustpoint TP\n";

/* the PKI: a CA and the hub's RSA certificate in files the configuration names, and a
 * client certificate for sig.example (DER, put in the requests) */
static uint8_t client_der[2048];
static size_t client_len;

static struct vpnd_conf *load(void)
{
	char dir[] = "/tmp/fuzz_v2auth.XXXXXX", p[96], *buf;
	const long D = TESTPKI_DAY;
	if (!mkdtemp(dir))
		abort();
	EVP_PKEY *cak = testpki_ec(), *hubk = testpki_rsa(), *ck = testpki_ec();
	X509 *ca = testpki_cert(cak, NULL, "fuzz CA", NULL, NULL, -D, 30 * D, 1, 1, NULL);
	X509 *hub = testpki_cert(hubk, NULL, "hub", ca, cak, -D, 30 * D, 2, 0, NULL);
	X509 *cl = testpki_cert(ck, NULL, "client", ca, cak, -D, 30 * D, 3, 0, "DNS:sig.example");
	snprintf(p, sizeof(p), "%s/ca.pem", dir);
	testpki_pem(p, ca, NULL);
	snprintf(p, sizeof(p), "%s/hub.pem", dir);
	testpki_pem(p, hub, NULL);
	snprintf(p, sizeof(p), "%s/hub.key", dir);
	testpki_pem(p, NULL, hubk);
	client_len = testpki_der(cl, client_der, sizeof(client_der));
	size_t n = sizeof(cfg) + 512;
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	if (!c || !(buf = malloc(n)))
		abort();
	int l = snprintf(buf, n, "%scrypto pki trustpoint TP\n ca-certificate %s/ca.pem\n"
	                 " certificate %s/hub.pem\n private-key %s/hub.key\n", cfg, dir, dir, dir);
	if (l < 0 || (size_t)l >= n || conf_load_buf("fuzz", buf, (size_t)l, c, NULL, NULL) != 0)
		abort();
	free(buf);
	X509_free(ca);
	X509_free(hub);
	X509_free(cl);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(hubk);
	EVP_PKEY_free(ck);
	for (const char *f = "ca.pem"; f; f = !strcmp(f, "ca.pem") ? "hub.pem" :
	     !strcmp(f, "hub.pem") ? "hub.key" : NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, f);
		unlink(p);
	}
	rmdir(dir);
	return c;
}

static struct vpnd_conf *conf;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const int types[8] = { 1, 2, 3, 5, 11, 9, 0, 255 };
	static struct msg_v2_auth_req rq;
	struct msg_v2_auth_res res;

	if (!conf) {
		if (ike_crypto_init() != 0)
			abort();
		conf = load();
		no_radius_init();
	}
	if (n < 1)
		return 0;
	memset(&rq, 0, sizeof(rq));
	uint8_t sel = d[0];
	d++, n--;
	rq.sa_id = 1;
	rq.prf = 5;
	sa46_pton("192.0.2.1", &rq.peer);
	sa46_pton("192.0.2.254", &rq.local);
	rq.id_type = types[sel & 7];
	if (sel & 0x80) {
		/* well-formed lengths, the bytes from the input */
		size_t take = n < 64 ? n : 64;
		rq.id_len = (uint16_t)(take / 4);
		memcpy(rq.id, d, rq.id_len);
		rq.ni_len = rq.nr_len = 16;
		memcpy(rq.ni, d, take < 16 ? take : 16);
		memcpy(rq.nr, d + take / 2, take / 2 < 16 ? take / 2 : 16);
		size_t m = 28 + 16 + (n > 64 ? (n - 64) % 512 : 0);
		uint8_t *a = rq.oct_i, *b = rq.oct_r;
		memset(a, 0, m);
		memset(b, 0, m);
		a[18] = b[18] = 34;
		a[19] = 0x08;
		b[19] = 0x20;
		b[8] = 1;
		a[26] = b[26] = (uint8_t)(m >> 8);
		a[27] = b[27] = (uint8_t)m;
		memcpy(a + 28, rq.ni, 16);
		memcpy(b + 28, rq.nr, 16);
		if (n > 64)
			memcpy(a + 44, d + 64, m - 44 < n - 64 ? m - 44 : n - 64);
		memcpy(a + m, rq.nr, 16);
		memcpy(b + m, rq.ni, 16);
		rq.oct_i_len = rq.oct_r_len = (uint16_t)(m + 16 + 32);
		rq.auth_len = 32;
		memcpy(rq.auth, d, take < 32 ? take : 32);
		rq.auth_method = 2;
		if (sel & 0x40) {
			static const int methods[4] = { 1, 9, 14, 14 };
			rq.auth_method = methods[(sel >> 3) & 3];
			rq.id_type = 2;
			rq.id_len = 11;
			memcpy(rq.id, "sig.example", 11);
			rq.ncert = 1;
			if (((sel >> 3) & 3) == 3 && n > 64) {
				/* the input's own certificate */
				size_t cl = n - 64 < sizeof(rq.certs) ? n - 64 : sizeof(rq.certs);
				memcpy(rq.certs, d + 64, cl);
				rq.cert_len[0] = (uint16_t)cl;
			} else {
				memcpy(rq.certs, client_der, client_len);
				rq.cert_len[0] = (uint16_t)client_len;
			}
			/* the AUTH data: the input, lengths and all */
			rq.auth_len = (uint16_t)(n < sizeof(rq.auth) ? n : sizeof(rq.auth));
			memcpy(rq.auth, d, rq.auth_len);
			rq.peer_hashes = sel & 4 ? MSG_V2_HASH_SHA256 : 0;
		}
	} else {
		/* the whole request as the bytes say, lengths and all */
		memcpy(&rq, d, n < sizeof(rq) ? n : sizeof(rq));
		rq.sa_id = 1;
	}
	keymgr_v2_auth(conf, &rq, &res);
	if (!memchr(res.message, 0, sizeof(res.message)) ||
	    !memchr(res.profile, 0, sizeof(res.profile)) || !memchr(res.group, 0, sizeof(res.group)))
		abort();
	if (res.status == KEY_OK) {
		/* an AUTH the fuzzer found right for random octets would be a forgery; a signature
		 * it found right, one by the certificate's key */
		if (v2_octets_check(&rq, 32) != NULL || rq.auth_method != 2 ||
		    res.auth_len != 32)
			abort();
	} else if (res.auth_len) {
		abort();
	}
	v2_judged_drop(1);
	return 0;
}
