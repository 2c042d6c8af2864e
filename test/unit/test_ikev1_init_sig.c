/*
 * Main mode with RSA signatures from the initiator's side (ikemgr/ikev1_init_mm_sig.c), as a
 * static VTI with `authentication rsa-sig` dials, against the hub's own responder
 * (ikev1_input with a `ca trust-point` profile). keymgr is the real one (keymgr_sign_q,
 * keymgr_verify_q) on the same configuration: it signs HASH_I only for Tunnel0 toward its
 * destination, and takes the peer's certificate only from the tunnel's trust point with the
 * destination in its subjectAltName. The PKI is made here: a CA, a certificate both sides
 * use (OU=certgroup, IP:172.18.143.246), and one from another CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init_sig.h"
#include "keymgr/keymgr.h"

#define DAY (24 * 3600L)

static char dir[64];
static struct vpnd_conf conf;
static struct sockaddr_in me, hub;
static uint8_t out[65536];
static size_t out_len;
static X509 *stranger;

static X509 *issue(EVP_PKEY *key, const char *cn, X509 *ca, EVP_PKEY *cakey, const char *san)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 2 : 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), 30 * DAY);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"vpnd vti", -1, -1, 0);
	if (ca)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)"certgroup",
		                           -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : n);
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "CA:FALSE" : "critical,CA:TRUE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (san) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	cr_assert(X509_sign(x, cakey ? cakey : key, EVP_sha256()) > 0);
	return x;
}

static void pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert(f);
	cr_assert(x ? PEM_write_X509(f, x) : PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	cr_assert_eq(chmod(p, 0600), 0);
}

static const char cfg_fmt[] =
	"crypto pki trustpoint TP\n ca-certificate %1$s/ca.pem\n certificate %1$s/me.pem\n"
	" private-key %1$s/me.key\n"
	"crypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication rsa-sig\n group 14\n"
	"crypto isakmp client configuration group certgroup\n"
	"crypto isakmp profile certs\n match identity group certgroup\n ca trust-point TP\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile vp\n set transform-set T1\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n"
	"interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source 10.99.0.7\n"
	" tunnel destination 172.18.143.246\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n"
	"interface Tunnel1\n ip address 10.255.0.5 255.255.255.252\n tunnel source 10.99.0.7\n"
	" tunnel destination 172.18.143.247\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n";

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	if (out_len)
		return;
	cr_assert_leq(len, sizeof(out));
	memcpy(out, pkt, len);
	out_len = len;
}

/* the responder's questions to keymgr, answered by keymgr's own code once the engine returns */
static struct { uint32_t type, id; union { struct msg_cert_verify_req v; struct msg_sign_req s; } u; } kq;
static int kq_pending;

static void to_keymgr(uint32_t t, uint32_t id, const void *d, size_t l)
{
	if ((t != IMSG_CERT_VERIFY_REQ && t != IMSG_SIGN_REQ) || l > sizeof(kq.u))
		return;
	kq.type = t;
	kq.id = id;
	memcpy(&kq.u, d, l);
	kq_pending = 1;
}

static void drain(void)
{
	for (int n = 0; kq_pending && n < 4; n++) {
		kq_pending = 0;
		if (kq.type == IMSG_CERT_VERIFY_REQ) {
			struct msg_cert_verify_res r;
			keymgr_verify_q(&conf, &kq.u.v, &r);
			ikev1_cert_verify_res(kq.id, &r);
		} else {
			struct msg_sign_res r;
			keymgr_sign_q(&conf, &kq.u.s, &r);
			ikev1_sign_res(kq.id, &r);
		}
	}
}

static void to_tunmgr(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void to_parent(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void setup(void)
{
	static const struct ike_io io = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	EVP_PKEY *cak = EVP_RSA_gen(2048), *k = EVP_RSA_gen(2048), *ok = EVP_RSA_gen(2048);
	char cfg[4096];

	cr_assert(cak && k && ok);
	X509 *ca = issue(cak, "vti CA", NULL, NULL, NULL);
	X509 *mine = issue(k, "hub", ca, cak, "IP:172.18.143.246");
	X509 *other = issue(ok, "other CA", NULL, NULL, NULL);
	stranger = issue(k, "stranger", other, ok, "IP:172.18.143.246");
	snprintf(dir, sizeof(dir), "/tmp/vpnd_vticert_XXXXXX");
	cr_assert(mkdtemp(dir));
	pem("ca.pem", ca, NULL);
	pem("me.pem", mine, NULL);
	pem("me.key", NULL, k);
	int n = snprintf(cfg, sizeof(cfg), cfg_fmt, dir);
	cr_assert(n > 0 && (size_t)n < sizeof(cfg));
	memset(&conf, 0, sizeof(conf));
	cr_assert_eq(conf_load_buf("test", cfg, (size_t)n, &conf, NULL, NULL), 0);
	X509_free(ca);
	X509_free(mine);
	X509_free(other);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ok);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	me.sin_family = hub.sin_family = AF_INET;
	inet_pton(AF_INET, "10.99.0.7", &me.sin_addr);
	inet_pton(AF_INET, "172.18.143.246", &hub.sin_addr);
	me.sin_port = hub.sin_port = htons(500);
	kq_pending = 0;
}

static void teardown(void)
{
	char cmd[128];
	X509_free(stranger);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
TestSuite(mmsig, .init = setup, .fini = teardown);

static int to_hub(struct isakmp_buf *b)
{
	out_len = 0;
	ikev1_input(b->data, b->len, &(union sa46){ .sin = me }, &(union sa46){ .sin = hub }, 0);
	drain();
	isakmp_buf_free(b);
	isakmp_buf_init(b);
	return out_len > 0;
}

/* keymgr's signature over the HASH_I it computes from q's parts, for tunnel vti toward peer */
static int sign(const char *vti, struct in_addr peer, struct msg_vti_sign_req *q,
                struct msg_sign_res *r)
{
	q->sa_id = 7;
	snprintf(q->vti, sizeof(q->vti), "%s", vti);
	q->peer.sin.sin_family = AF_INET;
	q->peer.sin.sin_addr = peer;
	keymgr_vti_sign(&conf, q, r);
	return r->status;
}

/* messages 1 to 5; the hub's message 6 is in out */
static void first_five(struct ikei_sa *s, struct ike_dh *dh)
{
	struct ikei_p1_params p = { .ntrans = 1, .group = 14, .lifetime = 86400,
	                            .trans = { { IKE_ENCR_AES, 256, IKE_HASH_SHA256 } },
	                            .auth = IKE_AUTHM_RSA };
	const struct conf_trustpoint *tp = conf_vti_trustpoint(&conf);
	struct isakmp_buf b;
	struct msg_sign_res sr;
	struct msg_vti_sign_req *q = calloc(1, sizeof(*q)), *bad = malloc(sizeof(*bad));
	struct msg_sign_req old;
	uint16_t notify = 0;

	cr_assert(tp && q && bad);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm1(s, &p, dh, &b), 0);
	cr_assert(to_hub(&b), "no message 2");
	cr_assert_eq(ikei_mm2(s, out, out_len, &notify), 0, "the hub did not take rsa-sig");
	cr_assert_eq(ikei_mm3_sig(s, &me, &hub, tp->ca_name_der, tp->ca_name_len, &b), 0);
	cr_assert(to_hub(&b), "no message 4");
	cr_assert_eq(ikei_mm4(s, out, out_len, &me, &hub, &notify), 0);
	cr_assert_eq(ikei_mm_sig_keys(s, dh), 0);
	cr_assert_eq(ikei_mm5_sig_parts(s, tp->subject_der, tp->subject_len, q), 0);
	cr_assert_eq(q->parts.skeyid_len, 32);

	/* what keymgr refuses: another tunnel's destination, an IDii that is not our subject,
	 * SKEYID of another length than the PRF's, and a HASH_I handed over as a value */
	*bad = *q;
	cr_expect_neq(sign("Tunnel1", hub.sin_addr, bad, &sr), 0, "signed toward another peer");
	*bad = *q;
	bad->idii_b[bad->idii_len - 1] ^= 1;
	cr_expect_neq(sign("Tunnel0", hub.sin_addr, bad, &sr), 0, "signed for another IDii");
	cr_expect(strstr(sr.reason, "IDii is not trust point TP's subject"), "%s", sr.reason);
	*bad = *q;
	bad->idii_b[0] = 1;                     /* ID_IPV4_ADDR */
	cr_expect_neq(sign("Tunnel0", hub.sin_addr, bad, &sr), 0, "signed for an address IDii");
	*bad = *q;
	bad->parts.skeyid_len = 20;
	cr_expect_neq(sign("Tunnel0", hub.sin_addr, bad, &sr), 0, "signed with a short SKEYID");
	cr_expect(strstr(sr.reason, "malformed HASH_I parts"), "%s", sr.reason);
	/* the responder's path (IMSG_SIGN_REQ) signs nothing for an SA it checked no
	 * certificate for, whatever hash ikemgr puts in it */
	memset(&old, 0, sizeof(old));
	old.sa_id = 7;
	old.auth_method = IKE_AUTHM_RSA;
	old.hash_len = 36;                      /* e.g. a TLS 1.1 MD5|SHA-1 digest */
	memset(old.hash, 0x5a, old.hash_len);
	snprintf(old.trustpoint, sizeof(old.trustpoint), "TP");
	keymgr_sign_q(&conf, &old, &sr);
	cr_expect_neq(sr.status, 0, "a value of ikemgr's choice was signed");
	cr_expect(strstr(sr.reason, "no certificate was checked for this SA"), "%s", sr.reason);

	cr_assert_eq(sign("Tunnel0", hub.sin_addr, q, &sr), 0, "%s", sr.reason);
	free(q);
	free(bad);
	cr_assert_eq(ikei_mm5_sig(s, tp->cert_der, tp->cert_len, sr.sig, sr.sig_len, &b), 0);
	cr_assert(to_hub(&b), "no message 6: the hub refused our certificate or signature");
	isakmp_buf_free(&b);
}

static void verify(const char *vti, struct msg_cert_verify_req *rq,
                   struct msg_cert_verify_res *r)
{
	snprintf(rq->vti, sizeof(rq->vti), "%s", vti);
	rq->sa_id = 7;
	rq->peer.sin = hub;
	keymgr_verify_q(&conf, rq, r);
}

Test(mmsig, six_messages_and_the_peer_checked)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	struct msg_cert_verify_req *rq = calloc(1, sizeof(*rq));
	struct msg_cert_verify_res r;
	uint16_t notify = 0;

	first_five(&s, dh);
	cr_assert_eq(ikei_mm6_sig(&s, out, out_len, hub.sin_addr, rq, &notify), 0);
	cr_expect_eq(rq->id[0], ISAKMP_ID_DER_ASN1_DN);
	cr_expect_eq(rq->ncert, 1);
	cr_expect_eq(rq->auth_method, IKE_AUTHM_RSA);
	cr_expect_eq(rq->parts.skeyid_len, 32);
	verify("Tunnel0", rq, &r);
	cr_expect_eq(r.status, CERT_OK, "%s", r.reason);
	cr_expect_str_eq(r.trustpoint, "TP");
	cr_expect(ike.all && ike.all->state > IKE_S_MM_WAIT_SIGN && ike.all->state != IKE_S_DEAD,
	          "the hub did not authenticate us");

	/* the destination must be in the certificate: Tunnel1 dials .247, the peer says .246 */
	struct msg_cert_verify_req *q2 = malloc(sizeof(*q2));
	*q2 = *rq;
	verify("Tunnel1", q2, &r);
	cr_expect_neq(r.status, CERT_OK, "a certificate for another address taken");
	q2->peer.sin.sin_addr.s_addr = htonl(0xac128ff7);      /* 172.18.143.247 */
	snprintf(q2->vti, sizeof(q2->vti), "Tunnel1");
	keymgr_verify_q(&conf, q2, &r);
	cr_expect_eq(r.status, CERT_BAD_ID, "%s", r.reason);
	cr_expect(strstr(r.reason, "does not name the tunnel destination 172.18.143.247"), "%s",
	          r.reason);

	/* a forged SIG_R */
	*q2 = *rq;
	q2->sig[10] ^= 1;
	verify("Tunnel0", q2, &r);
	cr_expect_eq(r.status, CERT_BAD_SIG, "%s", r.reason);

	/* the same key and address, certified by another CA */
	unsigned char *d = NULL;
	int n = i2d_X509(stranger, &d);
	cr_assert(n > 0 && (size_t)n <= sizeof(q2->certs));
	*q2 = *rq;
	memcpy(q2->certs, d, (size_t)n);
	q2->cert_len[0] = (uint16_t)n;
	OPENSSL_free(d);
	verify("Tunnel0", q2, &r);
	cr_expect_eq(r.status, CERT_UNTRUSTED, "%s", r.reason);
	free(q2);
	free(rq);
	ike_dh_free(dh);
}

Test(mmsig, keymgr_signs_only_for_a_tunnel_toward_its_destination)
{
	const struct conf_trustpoint *tp = conf_vti_trustpoint(&conf);
	struct msg_vti_sign_req *q = calloc(1, sizeof(*q));
	struct msg_sign_res r;
	struct in_addr dst = hub.sin_addr, other;

	/* made-up parts of a HASH_I with our subject as IDii */
	cr_assert(q && tp);
	q->parts.prf_hash = IKE_HASH_SHA256;
	q->parts.skeyid_len = 32;
	memset(q->parts.skeyid, 0x5a, 32);
	q->parts.gx_len = 256;
	memset(q->parts.gxi, 1, 256);
	memset(q->parts.gxr, 2, 256);
	q->parts.sai_len = 40;
	q->idii_b[0] = 9;                       /* ID_DER_ASN1_DN, UDP 500 */
	q->idii_b[1] = 17;
	q->idii_b[2] = 0x01;
	q->idii_b[3] = 0xf4;
	memcpy(q->idii_b + 4, tp->subject_der, tp->subject_len);
	q->idii_len = (uint16_t)(4 + tp->subject_len);
	inet_pton(AF_INET, "172.18.143.99", &other);
	cr_expect_eq(sign("Tunnel0", dst, q, &r), 0, "%s", r.reason);
	cr_expect_gt(r.sig_len, 200);
	cr_expect_neq(sign("Tunnel0", other, q, &r), 0);
	cr_expect(strstr(r.reason, "not its tunnel destination 172.18.143.99"), "%s", r.reason);
	cr_expect_neq(sign("Tunnel9", dst, q, &r), 0, "a tunnel that does not exist");
	cr_expect_neq(sign("eth1", dst, q, &r), 0, "an interface that is no tunnel");
	cr_expect_neq(sign("Virtual-Template1", dst, q, &r), 0);
	q->parts.gx_len = 0;
	cr_expect_neq(sign("Tunnel0", dst, q, &r), 0, "no g^x");
	q->parts.gx_len = sizeof(q->parts.gxi) + 1;
	cr_expect_neq(sign("Tunnel0", dst, q, &r), 0, "g^x past the buffer");
	q->parts.gx_len = 256;
	q->parts.sai_len = sizeof(q->parts.sai_b) + 1;
	cr_expect_neq(sign("Tunnel0", dst, q, &r), 0, "SAi_b past the buffer");
	q->parts.sai_len = 40;
	q->parts.prf_hash = 99;
	cr_expect_neq(sign("Tunnel0", dst, q, &r), 0, "an unknown PRF");
	free(q);
}

Test(mmsig, forged_message_6_leaves_the_chain)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	struct msg_cert_verify_req *rq = calloc(1, sizeof(*rq));
	uint16_t notify = 0;
	uint8_t iv[16], copy[sizeof(out)];

	first_five(&s, dh);
	memcpy(iv, s.iv, sizeof(iv));
	memcpy(copy, out, out_len);
	copy[out_len - 1] ^= 0x40;          /* the last block: padding or a payload broken */
	copy[ISAKMP_HDR_LEN] ^= 0x40;       /* and the first */
	cr_expect_neq(ikei_mm6_sig(&s, copy, out_len, hub.sin_addr, rq, &notify), 0);
	cr_expect_eq(memcmp(iv, s.iv, s.k.blocklen), 0, "a forged message 6 moved the chain");
	cr_expect_eq(ikei_mm6_sig(&s, out, out_len, hub.sin_addr, rq, &notify), 0);
	free(rq);
	ike_dh_free(dh);
}
