/*
 * Proposal selection (ikemgr/ikev1_proposal.c) against configurations loaded with
 * conf_load_buf: phase 1 goes by OUR isakmp policy priorities, phase 2 by the initiator's
 * proposal order among the ipsec profile's transform sets. The offers are SA payload bodies
 * encoded by hand here (RFC 2408 3.4-3.6, RFC 2409 appendix A, RFC 2407 4.5) and parsed with
 * isakmp_parse_sa, as the engine does.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/netpolicy.h"
#include "ikemgr/ikev1.h"

/* ---- a configuration per test ---- */

static struct vpnd_conf *conf;
static struct isakmp_sa sa;       /* 36 KiB: kept off the stack */

static void diag(void *arg, int is_error, const char *msg)
{
	if (is_error)
		fprintf(stderr, "config error: %s\n", msg);
}

static void load(const char *text)
{
	if (!conf)
		conf = malloc(sizeof(*conf));
	cr_assert(conf);
	cr_assert_eq(conf_load_buf("test.conf", text, strlen(text), conf, diag, NULL), 0,
	             "the test configuration does not load");
}

static void teardown(void)
{
	free(conf);
	conf = NULL;
}

/* ---- an SA payload body writer: sa_start, then prop / trans / attributes, then sa_end ---- */

struct offer {
	uint8_t b[4096];
	size_t  n;
	size_t  prop_at, trans_at;   /* 0 = none open (offset 0 is the DOI, never a substructure) */
	int     ntrans;
};

static void o8(struct offer *o, unsigned v)
{
	cr_assert(o->n < sizeof(o->b));
	o->b[o->n++] = (uint8_t)v;
}
static void o16(struct offer *o, unsigned v) { o8(o, v >> 8); o8(o, v); }
static void o32(struct offer *o, uint32_t v) { o16(o, v >> 16); o16(o, v); }
static void patch16(struct offer *o, size_t at, size_t v)
{
	o->b[at] = (uint8_t)(v >> 8);
	o->b[at + 1] = (uint8_t)v;
}

static void close_trans(struct offer *o, int more)
{
	if (!o->trans_at)
		return;
	o->b[o->trans_at] = more ? ISAKMP_NP_T : ISAKMP_NP_NONE;
	patch16(o, o->trans_at + 2, o->n - o->trans_at);
	o->trans_at = 0;
}

static void close_prop(struct offer *o, int more)
{
	close_trans(o, 0);
	if (!o->prop_at)
		return;
	o->b[o->prop_at] = more ? ISAKMP_NP_P : ISAKMP_NP_NONE;
	patch16(o, o->prop_at + 2, o->n - o->prop_at);
	o->b[o->prop_at + 7] = (uint8_t)o->ntrans;
	o->prop_at = 0;
}

static void sa_start(struct offer *o)
{
	memset(o, 0, sizeof(*o));
	o32(o, ISAKMP_DOI_IPSEC);
	o32(o, ISAKMP_SIT_IDENTITY_ONLY);
}

/* A proposal; spilen 0 (phase 1) or the SPI's length, taken from spi in network order. */
static void prop(struct offer *o, unsigned num, unsigned proto, uint32_t spi, unsigned spilen)
{
	close_prop(o, 1);
	o->prop_at = o->n;
	o->ntrans = 0;
	o32(o, 0);                       /* next, reserved, length: patched */
	o8(o, num);
	o8(o, proto);
	o8(o, spilen);
	o8(o, 0);                        /* transform count: patched */
	for (unsigned i = 0; i < spilen; i++)
		o8(o, i < 4 ? (uint8_t)(spi >> (24 - 8 * i)) : 0x5a);
}

static void trans(struct offer *o, unsigned id)
{
	close_trans(o, 1);
	o->trans_at = o->n;
	o->ntrans++;
	o32(o, 0);
	o8(o, (unsigned)o->ntrans);
	o8(o, id);
	o16(o, 0);
}

static void tv(struct offer *o, unsigned type, unsigned v)
{
	o16(o, type | 0x8000);
	o16(o, v);
}

/* TLV holding value in len big-endian bytes (len <= 8). */
static void tlv(struct offer *o, unsigned type, uint64_t value, unsigned len)
{
	o16(o, type);
	o16(o, len);
	for (unsigned i = 0; i < len; i++)
		o8(o, (uint8_t)(value >> (8 * (len - 1 - i))));
}

static const struct isakmp_sa *sa_end(struct offer *o)
{
	close_prop(o, 0);
	cr_assert_eq(isakmp_parse_sa(o->b, o->n, &sa), 0, "the hand-made offer does not parse");
	return &sa;
}

/* A phase 1 transform; keylen 0 and life 0 leave those attributes out. */
static void p1t(struct offer *o, unsigned encr, unsigned keylen, unsigned hash, unsigned auth,
                unsigned group, uint32_t life)
{
	trans(o, ISAKMP_KEY_IKE);
	tv(o, IKE_ATTR_ENCR, encr);
	if (keylen)
		tv(o, IKE_ATTR_KEYLEN, keylen);
	tv(o, IKE_ATTR_HASH, hash);
	tv(o, IKE_ATTR_AUTH, auth);
	tv(o, IKE_ATTR_GROUP, group);
	if (life) {
		tv(o, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		tlv(o, IKE_ATTR_LIFE_DURATION, life, 4);
	}
}

/* A phase 2 ESP transform; every 0 (and mode -1) leaves that attribute out. */
static void p2t(struct offer *o, unsigned esp_id, unsigned keylen, unsigned auth, int mode,
                unsigned group, uint32_t life_s, uint32_t life_kb)
{
	trans(o, esp_id);
	if (life_s) {
		tv(o, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
		tlv(o, IPSEC_ATTR_SA_LIFE_DURATION, life_s, 4);
	}
	if (life_kb) {
		tv(o, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_KILOBYTES);
		tlv(o, IPSEC_ATTR_SA_LIFE_DURATION, life_kb, 4);
	}
	if (group)
		tv(o, IPSEC_ATTR_GROUP_DESC, group);
	if (mode >= 0)
		tv(o, IPSEC_ATTR_ENCAP_MODE, (unsigned)mode);
	if (auth)
		tv(o, IPSEC_ATTR_AUTH_ALG, auth);
	if (keylen)
		tv(o, IPSEC_ATTR_KEY_LENGTH, keylen);
}

/* ================================ phase 1 ================================ */

/*
 * Priorities written out of order (the parser sorts them). 5 would match the modern offer first
 * but is rsa-sig: a pre-shared key offer must get 10, an RSA signature offer 5.
 */
static const char conf_p1[] =
	"crypto isakmp policy 30\n"
	" encr 3des\n hash md5\n authentication pre-share\n group 2\n lifetime 3600\n"
	"crypto isakmp policy 5\n"
	" encr aes 256\n hash sha256\n authentication rsa-sig\n group 14\n"
	"crypto isakmp policy 20\n"
	" encr aes\n hash sha\n authentication pre-share\n group 2\n lifetime 28800\n"
	"crypto isakmp policy 10\n"
	" encr aes 256\n hash sha256\n authentication pre-share\n group 14\n"
	"crypto isakmp policy 15\n"
	" encr aes 192\n hash sha384\n authentication pre-share\n group 19\n";

#define PSK   IKE_AUTHM_PSK
#define XPSK  IKE_AUTHM_XAUTH_INIT_PSK

/* Every transform vpnc-like clients offer, weakest first. */
static void offer_all(struct offer *o, int with_aes256, int with_aes192, int with_aes128)
{
	sa_start(o);
	prop(o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(o, IKE_ENCR_3DES, 0, IKE_HASH_MD5, PSK, 2, 0);
	if (with_aes128)
		p1t(o, IKE_ENCR_AES, 128, IKE_HASH_SHA1, PSK, 2, 0);
	if (with_aes192)
		p1t(o, IKE_ENCR_AES, 192, IKE_HASH_SHA384, PSK, 19, 0);
	if (with_aes256)
		p1t(o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
}

Test(p1, our_priority_order_not_the_peers, .fini = teardown)
{
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);
	cr_assert_eq(conf->npolicy, 5);
	for (int i = 1; i < conf->npolicy; i++)
		cr_assert_lt(conf->policy[i - 1].priority, conf->policy[i].priority,
		             "policies are kept sorted by priority");

	/* the peer lists the strongest last; we still take it first (policy 10, not 5) */
	offer_all(&o, 1, 1, 1);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 10, "rsa-sig policy 5 must be skipped");
	cr_expect_eq(ch.trans, 3);
	cr_expect_eq(ch.prop, 0);
	cr_expect_eq(ch.encr, IKE_ENCR_AES);
	cr_expect_eq(ch.keylen, 256);
	cr_expect_eq(ch.hash, IKE_HASH_SHA256);
	cr_expect_eq(ch.group, 14);
	cr_expect_eq(ch.auth_method, PSK);
	cr_expect_eq(ch.lifetime, 86400, "policy default");

	offer_all(&o, 0, 1, 1);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 15);
	cr_expect_eq(ch.trans, 2);
	cr_expect_eq(ch.keylen, 192);
	cr_expect_eq(ch.group, 19);

	offer_all(&o, 0, 0, 1);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 20);
	cr_expect_eq(ch.trans, 1);
	cr_expect_eq(ch.keylen, 128);
	cr_expect_eq(ch.lifetime, 28800);

	offer_all(&o, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 30);
	cr_expect_eq(ch.trans, 0);
	cr_expect_eq(ch.encr, IKE_ENCR_3DES);
	cr_expect_eq(ch.keylen, 0);
	cr_expect_eq(ch.hash, IKE_HASH_MD5);
	cr_expect_eq(ch.group, 2);
	cr_expect_eq(ch.lifetime, 3600);

	/* the same transforms, strongest first: the same answer */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 128, IKE_HASH_SHA1, PSK, 2, 0);
	p1t(&o, IKE_ENCR_3DES, 0, IKE_HASH_MD5, PSK, 2, 0);
	p1t(&o, IKE_ENCR_AES, 192, IKE_HASH_SHA384, PSK, 19, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 15);
	cr_expect_eq(ch.trans, 2);
}

Test(p1, aes_key_length, .fini = teardown)
{
	static const struct { unsigned keylen, hash, group; int ok, prio, got; } c[] = {
		{ 128, IKE_HASH_SHA256, 14, 0, 0, 0 },     /* policy 10 is AES-256 */
		{ 192, IKE_HASH_SHA256, 14, 0, 0, 0 },
		{ 256, IKE_HASH_SHA256, 14, 1, 10, 256 },
		{ 0,   IKE_HASH_SHA256, 14, 0, 0, 0 },     /* absent = 128 */
		{ 0,   IKE_HASH_SHA1, 2, 1, 20, 128 },     /* policy 20: bare `encr aes` */
		{ 128, IKE_HASH_SHA1, 2, 1, 20, 128 },
		{ 256, IKE_HASH_SHA1, 2, 0, 0, 0 },
		{ 192, IKE_HASH_SHA384, 19, 1, 15, 192 },
		{ 256, IKE_HASH_SHA384, 19, 0, 0, 0 },
		{ 64,  IKE_HASH_SHA1, 2, 0, 0, 0 },
	};
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		sa_start(&o);
		prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
		p1t(&o, IKE_ENCR_AES, c[i].keylen, c[i].hash, PSK, c[i].group, 0);
		int rc = ikev1_choose_p1(conf, sa_end(&o), 0, &ch);
		cr_expect_eq(rc, c[i].ok ? 0 : -1, "case %zu: AES-%u hash %u group %u", i,
		             c[i].keylen, c[i].hash, c[i].group);
		if (!rc && c[i].ok) {
			cr_expect_eq(ch.policy_priority, c[i].prio, "case %zu", i);
			cr_expect_eq(ch.keylen, c[i].got, "case %zu", i);
		}
	}
	/* a KEY_LENGTH on 3DES means nothing and changes nothing */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_3DES, 256, IKE_HASH_MD5, PSK, 2, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 30);
	cr_expect_eq(ch.keylen, 0);
}

Test(p1, xauth_only_when_allowed, .fini = teardown)
{
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);

	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, XPSK, 14, 0);
	cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), -1, "XAUTH not allowed");
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.auth_method, XPSK);
	cr_expect_eq(ch.policy_priority, 10);

	/* vpnc-style: the XAUTH variant first, plain PSK next */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, XPSK, 14, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.trans, 1);
	cr_expect_eq(ch.auth_method, PSK);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.trans, 0);
	cr_expect_eq(ch.auth_method, XPSK);

	/* RSA signatures take the rsa-sig policy (5), XAUTHInitRSA only when XAUTH is allowed */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, IKE_AUTHM_RSA, 14, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.policy_priority, 5);
	cr_expect_eq(ch.auth_method, IKE_AUTHM_RSA);
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, IKE_AUTHM_XAUTH_INIT_RSA, 14, 0);
	cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), -1, "XAUTHInitRSA, XAUTH not allowed");
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.policy_priority, 5);

	/* never in aggressive mode (sig_allowed 0): no policy left for RSA */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, IKE_AUTHM_RSA, 14, 0);
	cr_expect_eq(ikev1_choose_p1_auth(conf, sa_end(&o), 1, 0, &ch), -1, "RSA without sig_allowed");
	/* ... while a pre-shared key transform after it is still found */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, IKE_AUTHM_RSA, 14, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_assert_eq(ikev1_choose_p1_auth(conf, sa_end(&o), 1, 0, &ch), 0);
	cr_expect_eq(ch.auth_method, PSK);
	cr_expect_eq(ch.policy_priority, 10);

	/* other methods (DSS, RSA encryption, ECDSA without an ecdsa-sig policy,
	 * XAUTHRespPreShared, hybrid) are never taken */
	static const unsigned other[] = { 2, 4, 5, 9, 10, 65002, 65003, 65006, 64221, 0 };
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		sa_start(&o);
		prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
		p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, other[i], 14, 0);
		cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1, "auth method %u",
		             other[i]);
	}
}

Test(p1, unconfigured_algorithms_refused, .fini = teardown)
{
	static const struct { unsigned encr, keylen, hash, group; const char *what; } c[] = {
		{ IKE_ENCR_DES, 0, IKE_HASH_SHA1, 2, "DES" },
		{ IKE_ENCR_DES, 0, IKE_HASH_MD5, 2, "DES with policy 30's hash and group" },
		{ IKE_ENCR_3DES, 0, IKE_HASH_SHA1, 2, "3DES with SHA-1 (policy 30 is MD5)" },
		{ IKE_ENCR_3DES, 0, IKE_HASH_MD5, 1, "3DES/MD5 with group 1" },
		{ IKE_ENCR_3DES, 0, IKE_HASH_MD5, 5, "3DES/MD5 with group 5" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 2, "group 2 with policy 10's algorithms" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 15, "group 15" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 20, "group 20" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA512, 14, "SHA-512" },
		{ IKE_ENCR_AES, 256, IKE_HASH_MD5, 14, "MD5 with AES" },
		{ IKE_ENCR_AES, 256, 3, 14, "Tiger" },
		{ 8, 0, IKE_HASH_SHA256, 14, "Camellia" },
		{ 6, 0, IKE_HASH_SHA256, 14, "CAST" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 0, "group 0" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 3, "group 3 (EC2N)" },
	};
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		sa_start(&o);
		prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
		p1t(&o, c[i].encr, c[i].keylen, c[i].hash, PSK, c[i].group, 0);
		cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1, "%s accepted", c[i].what);
	}
}

Test(p1, legacy_only_when_configured, .fini = teardown)
{
	static const struct { unsigned encr, keylen, hash, group; const char *what; } legacy[] = {
		{ IKE_ENCR_3DES, 0, IKE_HASH_MD5, 2, "3DES/MD5/group 2" },
		{ IKE_ENCR_3DES, 0, IKE_HASH_SHA1, 2, "3DES/SHA-1/group 2 (vpnc)" },
		{ IKE_ENCR_DES, 0, IKE_HASH_SHA1, 1, "IOS defaults" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA1, 2, "AES-256/SHA-1/group 2" },
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA256, 5, "group 5" },
		{ IKE_ENCR_AES, 256, IKE_HASH_MD5, 14, "MD5" },
	};
	struct offer o;
	struct ike_p1_choice ch;

	/* one policy, all defaults: AES-256, SHA-256, group 14, pre-share */
	load("crypto isakmp policy 10\n");
	cr_expect_eq(conf->uses_legacy, 0);
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		sa_start(&o);
		prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
		p1t(&o, legacy[i].encr, legacy[i].keylen, legacy[i].hash, PSK, legacy[i].group, 0);
		cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1, "%s without a policy",
		             legacy[i].what);
	}
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		p1t(&o, legacy[i].encr, legacy[i].keylen, legacy[i].hash, PSK, legacy[i].group, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.trans, 6, "only the modern transform");

	/* the same offer once a policy names 3DES/SHA-1/group 2 (IOS fills in SHA-1) */
	teardown();
	load("crypto isakmp policy 10\n"
	     "crypto isakmp policy 20\n encr 3des\n authentication pre-share\n group 2\n");
	cr_expect_eq(conf->uses_legacy, 1);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.trans, 6, "policy 10 still comes first");
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_3DES, 0, IKE_HASH_SHA1, PSK, 2, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.policy_priority, 20);
	cr_expect_eq(ch.hash, IKE_HASH_SHA1);
}

/* The duration attribute of a phase 1 transform, encoded as given. */
static const struct isakmp_sa *p1_life(struct offer *o, int type_first, unsigned type,
                                       uint64_t life, unsigned len)
{
	sa_start(o);
	prop(o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	if (type_first)
		tv(o, IKE_ATTR_LIFE_TYPE, type);
	if (len)
		tlv(o, IKE_ATTR_LIFE_DURATION, life, len);
	else
		tv(o, IKE_ATTR_LIFE_DURATION, (unsigned)life);
	if (!type_first)
		tv(o, IKE_ATTR_LIFE_TYPE, type);
	return sa_end(o);
}

Test(p1, lifetime_capped_by_policy, .fini = teardown)
{
	static const struct { int type_first; unsigned type; uint64_t life; unsigned len;
	                      uint32_t want; const char *what; } c[] = {
		{ 1, IKE_LIFE_SECONDS, 172800, 4, 86400, "longer than ours: ours" },
		{ 1, IKE_LIFE_SECONDS, 86400, 4, 86400, "equal" },
		{ 1, IKE_LIFE_SECONDS, 600, 4, 600, "shorter: the peer's" },
		{ 1, IKE_LIFE_SECONDS, 3600, 0, 3600, "as a basic (TV) attribute" },
		{ 1, IKE_LIFE_SECONDS, 28800, 2, 28800, "as a 2-byte TLV" },
		{ 1, IKE_LIFE_SECONDS, 28800, 8, 28800, "as an 8-byte TLV" },
		{ 1, IKE_LIFE_KILOBYTES, 600, 4, 86400, "kilobytes: not a time" },
		{ 0, IKE_LIFE_SECONDS, 600, 4, 86400, "duration before its type: ignored" },
	};
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(ikev1_choose_p1(conf, p1_life(&o, c[i].type_first, c[i].type, c[i].life,
		                                           c[i].len), 0, &ch), 0, "%s", c[i].what);
		cr_expect_eq(ch.lifetime, c[i].want, "%s: got %u", c[i].what, ch.lifetime);
	}

	/* kilobytes, then seconds: the seconds count */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	tv(&o, IKE_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES);
	tlv(&o, IKE_ATTR_LIFE_DURATION, 100000, 4);
	tv(&o, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
	tlv(&o, IKE_ATTR_LIFE_DURATION, 1200, 4);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.lifetime, 1200);

	/* a policy with its own lifetime caps the peer's one day */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_3DES, 0, IKE_HASH_MD5, PSK, 2, 86400);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.lifetime, 3600);
}

/*
 * Regression: a duration that does not fit 32 bits (a TLV of 5 to 8 bytes) was truncated, so
 * 2^32 + 60 seconds became 60. It must count as longer than ours.
 */
Test(p1, lifetime_over_32_bits, .fini = teardown)
{
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);
	cr_assert_eq(ikev1_choose_p1(conf, p1_life(&o, 1, IKE_LIFE_SECONDS, 0x10000003cULL, 8), 0,
	                             &ch), 0);
	cr_expect_eq(ch.lifetime, 86400, "2^32 + 60 s is longer than one day, got %u",
	             ch.lifetime);
	cr_assert_eq(ikev1_choose_p1(conf, p1_life(&o, 1, IKE_LIFE_SECONDS, 0xffffffffffULL, 5), 0,
	                             &ch), 0);
	cr_expect_eq(ch.lifetime, 86400, "2^40 - 1 s, got %u", ch.lifetime);
}

Test(p1, unusable_transforms_and_proposals, .fini = teardown)
{
	struct offer o;
	struct ike_p1_choice ch;
	load(conf_p1);

	/* skipped transforms: not KEY_IKE, an attribute missing; then one that is fine */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	trans(&o, 2);
	tv(&o, IKE_ATTR_ENCR, IKE_ENCR_AES); tv(&o, IKE_ATTR_KEYLEN, 256);
	tv(&o, IKE_ATTR_HASH, IKE_HASH_SHA256); tv(&o, IKE_ATTR_AUTH, PSK);
	tv(&o, IKE_ATTR_GROUP, 14);
	trans(&o, ISAKMP_KEY_IKE);
	tv(&o, IKE_ATTR_ENCR, IKE_ENCR_AES); tv(&o, IKE_ATTR_KEYLEN, 256);
	tv(&o, IKE_ATTR_HASH, IKE_HASH_SHA256); tv(&o, IKE_ATTR_AUTH, PSK);
	trans(&o, ISAKMP_KEY_IKE);
	tv(&o, IKE_ATTR_ENCR, IKE_ENCR_AES); tv(&o, IKE_ATTR_KEYLEN, 256);
	tv(&o, IKE_ATTR_AUTH, PSK); tv(&o, IKE_ATTR_GROUP, 14);
	trans(&o, ISAKMP_KEY_IKE);
	tv(&o, IKE_ATTR_KEYLEN, 256); tv(&o, IKE_ATTR_HASH, IKE_HASH_SHA256);
	tv(&o, IKE_ATTR_AUTH, PSK); tv(&o, IKE_ATTR_GROUP, 14);
	trans(&o, ISAKMP_KEY_IKE);
	tv(&o, IKE_ATTR_ENCR, IKE_ENCR_AES); tv(&o, IKE_ATTR_KEYLEN, 256);
	tv(&o, IKE_ATTR_HASH, IKE_HASH_SHA256); tv(&o, IKE_ATTR_GROUP, 14);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.trans, 5);

	/* attributes as TLVs are read the same way (some clients send the group so) */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	trans(&o, ISAKMP_KEY_IKE);
	tv(&o, IKE_ATTR_ENCR, IKE_ENCR_AES); tlv(&o, IKE_ATTR_KEYLEN, 256, 2);
	tv(&o, IKE_ATTR_HASH, IKE_HASH_SHA256); tv(&o, IKE_ATTR_AUTH, PSK);
	tlv(&o, IKE_ATTR_GROUP, 14, 4);
	cr_assert_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.keylen, 256);
	cr_expect_eq(ch.group, 14);

	/* a phase 1 proposal must be for ISAKMP */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x01020304, 4);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1);
	/* no proposal at all, no transform at all */
	memset(&sa, 0, sizeof(sa));
	sa.doi = ISAKMP_DOI_IPSEC;
	cr_expect_eq(ikev1_choose_p1(conf, &sa, 1, &ch), -1);
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1);
	/* no policy configured: nothing is acceptable */
	teardown();
	load("hostname x\n");
	cr_assert_eq(conf->npolicy, 0);
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	p1t(&o, IKE_ENCR_AES, 256, IKE_HASH_SHA256, PSK, 14, 0);
	cr_expect_eq(ikev1_choose_p1(conf, sa_end(&o), 1, &ch), -1);
}

/* ================================ phase 2 ================================ */

static const char conf_p2[] =
	"crypto ipsec transform-set T-AES256 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set T-3DES esp-3des esp-md5-hmac\n"
	"crypto ipsec transform-set T-GCM esp-gcm 256\n"
	"crypto ipsec transform-set T-AES128 esp-aes esp-sha256-hmac\n"
	"crypto ipsec profile OPEN\n"
	" set transform-set T-AES256 T-3DES T-GCM\n"
	"crypto ipsec profile PFS14\n"
	" set transform-set T-AES256 T-AES128\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 1800\n"
	" set security-association lifetime kilobytes 100000\n";

#define SHA   IPSEC_AUTH_HMAC_SHA
#define MD5   IPSEC_AUTH_HMAC_MD5
#define S256  IPSEC_AUTH_HMAC_SHA256
#define TUN   IPSEC_ENCAP_TUNNEL
#define SPI   0xdeadbeefu

static const struct conf_ipsec_profile *profile(const char *name)
{
	const struct conf_ipsec_profile *ip = conf_find_ipsec_profile(conf, name);
	cr_assert(ip, "no ipsec profile %s", name);
	return ip;
}

/* One ESP proposal (number num, SPI spi) with one transform. */
static const struct isakmp_sa *p2_one(struct offer *o, unsigned esp_id, unsigned keylen,
                                      unsigned auth, int mode, unsigned group)
{
	sa_start(o);
	prop(o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(o, esp_id, keylen, auth, mode, group, 0, 0);
	return sa_end(o);
}

Test(p2, initiators_order_among_our_sets, .fini = teardown)
{
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *open = profile("OPEN");

	/* our profile lists T-AES256 first, the initiator prefers 3DES: the initiator wins */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x11111111, 4);
	p2t(&o, ESP_ID_3DES, 0, MD5, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x22222222, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 0);
	cr_expect_eq(ch.trans, 0);
	cr_expect_str_eq(ch.tset_name, "T-3DES");
	cr_expect_eq(ch.encr, ESP_ENCR_3DES);
	cr_expect_eq(ch.auth, ESP_AUTH_HMAC_MD5_96);
	cr_expect_eq(ch.keylen, 0);
	cr_expect_eq(ch.peer_spi, htonl(0x11111111));

	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x11111111, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x22222222, 4);
	p2t(&o, ESP_ID_3DES, 0, MD5, TUN, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 0);
	cr_expect_str_eq(ch.tset_name, "T-AES256");
	cr_expect_eq(ch.encr, ESP_ENCR_AES_CBC);
	cr_expect_eq(ch.keylen, 256);
	cr_expect_eq(ch.auth, ESP_AUTH_HMAC_SHA1_96);

	/* unusable proposals and transforms are passed over, in order */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x11111111, 4);
	p2t(&o, ESP_ID_AES_CBC, 128, S256, TUN, 0, 0, 0);        /* only in PFS14 */
	p2t(&o, ESP_ID_DES, 0, MD5, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x22222222, 4);
	p2t(&o, ESP_ID_AES_CBC, 192, SHA, TUN, 0, 0, 0);
	p2t(&o, ESP_ID_AES_GCM16, 256, 0, TUN, 0, 0, 0);
	p2t(&o, ESP_ID_3DES, 0, MD5, TUN, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 1);
	cr_expect_eq(ch.trans, 1);
	cr_expect_str_eq(ch.tset_name, "T-GCM");
	cr_expect_eq(ch.encr, ESP_ENCR_AES_GCM16);
	cr_expect_eq(ch.keylen, 256);
	cr_expect_eq(ch.auth, ESP_AUTH_NONE);
	cr_expect_eq(ch.peer_spi, htonl(0x22222222));
}

Test(p2, transforms_must_match_a_set_exactly, .fini = teardown)
{
	static const struct { unsigned id, keylen, auth; const char *tset; } c[] = {
		{ ESP_ID_AES_CBC, 256, SHA, "T-AES256" },
		{ ESP_ID_AES_CBC, 256, S256, NULL },        /* T-AES256 is SHA-1 */
		{ ESP_ID_AES_CBC, 256, 0, NULL },           /* no authentication */
		{ ESP_ID_AES_CBC, 128, SHA, NULL },
		{ ESP_ID_AES_CBC, 192, SHA, NULL },
		{ ESP_ID_AES_CBC, 0, SHA, NULL },           /* absent KEY_LENGTH = 128 */
		{ ESP_ID_3DES, 0, MD5, "T-3DES" },
		{ ESP_ID_3DES, 0, SHA, NULL },
		{ ESP_ID_3DES, 192, MD5, "T-3DES" },        /* a key length on 3DES is ignored */
		{ ESP_ID_DES, 0, MD5, NULL },
		{ ESP_ID_AES_GCM16, 256, 0, "T-GCM" },
		{ ESP_ID_AES_GCM16, 256, SHA, NULL },       /* GCM takes no HMAC */
		{ ESP_ID_AES_GCM16, 128, 0, NULL },
		{ ESP_ID_AES_GCM16, 0, 0, NULL },
		{ ESP_ID_NULL, 0, SHA, NULL },
		{ 4, 0, SHA, NULL },                        /* ESP_RC5 */
		{ 18, 128, 0, NULL },                       /* AES-GCM-8 */
		{ ESP_ID_AES_CBC, 256, 3, NULL },           /* DES-MAC */
		{ ESP_ID_AES_CBC, 256, 9, NULL },           /* AES-XCBC */
	};
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *open = profile("OPEN");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = ikev1_choose_p2(conf, open, p2_one(&o, c[i].id, c[i].keylen, c[i].auth, TUN, 0),
		                         0, &ch);
		cr_expect_eq(rc, c[i].tset ? 0 : -1, "case %zu: id %u keylen %u auth %u", i, c[i].id,
		             c[i].keylen, c[i].auth);
		if (!rc && c[i].tset)
			cr_expect_str_eq(ch.tset_name, c[i].tset, "case %zu", i);
	}
	/* AES without KEY_LENGTH is AES-128: T-AES128 of PFS14 (bare `esp-aes`) */
	cr_assert_eq(ikev1_choose_p2(conf, profile("PFS14"),
	                             p2_one(&o, ESP_ID_AES_CBC, 0, S256, TUN, 14), 0, &ch), 0);
	cr_expect_str_eq(ch.tset_name, "T-AES128");
	cr_expect_eq(ch.keylen, 128);
	cr_expect_eq(ch.auth, ESP_AUTH_HMAC_SHA256_128);
}

Test(p2, pfs, .fini = teardown)
{
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *pfs = profile("PFS14"), *open = profile("OPEN");
	cr_assert_eq(pfs->pfs_group, 14);
	cr_assert_eq(open->pfs_group, 0);

	/* the profile requires group 14 */
	cr_assert_eq(ikev1_choose_p2(conf, pfs, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 14), 0,
	                             &ch), 0);
	cr_expect_eq(ch.pfs_group, 14);
	cr_expect_eq(ikev1_choose_p2(conf, pfs, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0), 0,
	                             &ch), -1, "no PFS offered");
	cr_expect_eq(ikev1_choose_p2(conf, pfs, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 2), 0,
	                             &ch), -1, "group 2 offered");
	cr_expect_eq(ikev1_choose_p2(conf, pfs, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 19), 0,
	                             &ch), -1, "group 19 offered");

	/* mismatching transforms come first: the one with the right group is found */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 2, 0, 0);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 14, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, pfs, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.trans, 2);
	cr_expect_eq(ch.pfs_group, 14);

	/* without PFS in the profile, the initiator's choice stands (if we can do the group) */
	cr_assert_eq(ikev1_choose_p2(conf, open, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0), 0,
	                             &ch), 0);
	cr_expect_eq(ch.pfs_group, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 2), 0,
	                             &ch), 0);
	cr_expect_eq(ch.pfs_group, 2);
	cr_assert_eq(ikev1_choose_p2(conf, open, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 21), 0,
	                             &ch), 0);
	cr_expect_eq(ch.pfs_group, 21);
	static const unsigned bad[] = { 3, 4, 17, 18, 22, 24, 31, 0xffff };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(ikev1_choose_p2(conf, open, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN,
		                                                bad[i]), 0, &ch), -1,
		             "unsupported PFS group %u", bad[i]);
}

Test(p2, encapsulation_modes, .fini = teardown)
{
	static const struct { int mode; int ok; int want; } c[] = {
		{ -1, 1, IPSEC_ENCAP_TUNNEL },                  /* absent: tunnel */
		{ IPSEC_ENCAP_TUNNEL, 1, IPSEC_ENCAP_TUNNEL },
		{ IPSEC_ENCAP_UDP_TUNNEL, 1, IPSEC_ENCAP_UDP_TUNNEL },
		{ IPSEC_ENCAP_UDP_TUNNEL_DRAFT, 1, IPSEC_ENCAP_UDP_TUNNEL_DRAFT },
		{ IPSEC_ENCAP_TRANSPORT, 0, 0 },
		{ 4, 0, 0 },                                    /* UDP-encapsulated transport */
		{ 61444, 0, 0 },                                /* draft UDP transport */
		{ 0, 0, 0 },
	};
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *open = profile("OPEN");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (int natt = 0; natt <= 1; natt++) {
			int rc = ikev1_choose_p2(conf, open,
			                         p2_one(&o, ESP_ID_AES_CBC, 256, SHA, c[i].mode, 0), natt,
			                         &ch);
			cr_expect_eq(rc, c[i].ok ? 0 : -1, "mode %d natt %d", c[i].mode, natt);
			if (!rc && c[i].ok)
				cr_expect_eq(ch.encap_mode, c[i].want, "mode %d", c[i].mode);
		}
	}
	/* transport first, tunnel next: the tunnel one */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, IPSEC_ENCAP_TRANSPORT, 0, 0, 0);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, IPSEC_ENCAP_UDP_TUNNEL, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 1, &ch), 0);
	cr_expect_eq(ch.trans, 1);
	cr_expect_eq(ch.encap_mode, IPSEC_ENCAP_UDP_TUNNEL);
}

Test(p2, and_ed_proposals_refused, .fini = teardown)
{
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *open = profile("OPEN");

	/* ESP AND AH under one number */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_AH, 0x0a0b0c0d, 4);
	trans(&o, 3);                                     /* AH_SHA */
	tv(&o, IPSEC_ATTR_AUTH_ALG, SHA);
	cr_expect_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), -1, "ESP + AH");

	/* ESP AND IPComp (number 1), then a lone ESP (number 2): the lone one */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x11111111, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 1, ISAKMP_PROTO_IPCOMP, 0x1234, 2);
	trans(&o, 3);                                     /* LZS */
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x22222222, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 2);
	cr_expect_eq(ch.peer_spi, htonl(0x22222222));

	/* a lone ESP first, an AND group after it: the lone one */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x11111111, 4);
	p2t(&o, ESP_ID_3DES, 0, MD5, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x22222222, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPCOMP, 0x1234, 2);
	trans(&o, 3);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 0);
	cr_expect_str_eq(ch.tset_name, "T-3DES");
}

/*
 * Regression: AND-ed proposals were once found by comparing neighbours only, so numbers 1, 2, 1
 * (ESP, ESP, AH) made the first ESP look lone. RFC 2408 4.2 wants increasing numbers, but the
 * message is from the network; isakmp_parse_sa marks every proposal sharing its number.
 */
Test(p2, and_ed_proposals_not_adjacent, .fini = teardown)
{
	struct offer o;
	struct ike_p2_choice ch = { .prop = -1 };
	load(conf_p2);
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_DES, 0, MD5, TUN, 0, 0, 0);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_AH, 0x0a0b0c0d, 4);
	trans(&o, 3);
	tv(&o, IPSEC_ATTR_AUTH_ALG, SHA);
	const struct isakmp_sa *s = sa_end(&o);
	cr_assert_eq(s->prop[0].and_group, 1, "the parser sees the AND group");
	cr_expect_eq(ikev1_choose_p2(conf, profile("OPEN"), s, 0, &ch), -1,
	             "ESP #1 is AND-ed with AH #1: chose proposal %d", ch.prop);
}

Test(p2, peer_spi_kept, .fini = teardown)
{
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	const struct conf_ipsec_profile *open = profile("OPEN");

	cr_assert_eq(ikev1_choose_p2(conf, open, p2_one(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0), 0,
	                             &ch), 0);
	cr_expect_eq(ch.peer_spi, htonl(SPI), "network order, as offered");
	cr_expect(!memcmp(&ch.peer_spi, "\xde\xad\xbe\xef", 4));

	/* an SPI that is not 4 bytes, an AH proposal: skipped for the next proposal */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, 0x01010101, 8);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 2, ISAKMP_PROTO_IPSEC_ESP, 0x0202, 2);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 3, ISAKMP_PROTO_IPSEC_ESP, 0, 0);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	prop(&o, 4, ISAKMP_PROTO_IPSEC_AH, 0x04040404, 4);
	trans(&o, 3);
	tv(&o, IPSEC_ATTR_AUTH_ALG, SHA);
	prop(&o, 5, ISAKMP_PROTO_IPSEC_ESP, 0x05050505, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 0, 0);
	cr_assert_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.prop, 4);
	cr_expect_eq(ch.peer_spi, htonl(0x05050505));

	/* nothing acceptable: -1 */
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_AH, 0x04040404, 4);
	trans(&o, 3);
	cr_expect_eq(ikev1_choose_p2(conf, open, sa_end(&o), 0, &ch), -1);
	memset(&sa, 0, sizeof(sa));
	cr_expect_eq(ikev1_choose_p2(conf, open, &sa, 0, &ch), -1, "no proposal");
}

Test(p2, lifetimes, .fini = teardown)
{
	static const struct { const char *prof; uint32_t s, kb, want_s, want_kb; } c[] = {
		/* OPEN has no lifetime of its own: the global 3600 s / 4608000 KB */
		{ "OPEN", 0, 0, 3600, 4608000 },
		{ "OPEN", 28800, 0, 3600, 4608000 },
		{ "OPEN", 600, 0, 600, 4608000 },
		{ "OPEN", 0, 1000000, 3600, 1000000 },
		{ "OPEN", 0, 100000000, 3600, 4608000 },
		{ "OPEN", 1200, 50000, 1200, 50000 },
		/* PFS14 sets 1800 s / 100000 KB */
		{ "PFS14", 0, 0, 1800, 100000 },
		{ "PFS14", 3600, 4608000, 1800, 100000 },
		{ "PFS14", 900, 20000, 900, 20000 },
	};
	struct offer o;
	struct ike_p2_choice ch;
	load(conf_p2);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const struct conf_ipsec_profile *ip = profile(c[i].prof);
		sa_start(&o);
		prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
		p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, ip->pfs_group, c[i].s, c[i].kb);
		cr_assert_eq(ikev1_choose_p2(conf, ip, sa_end(&o), 0, &ch), 0, "case %zu", i);
		cr_expect_eq(ch.life_seconds, c[i].want_s, "case %zu: %u s", i, ch.life_seconds);
		cr_expect_eq(ch.life_kb, c[i].want_kb, "case %zu: %u KB", i, ch.life_kb);
	}
	/* a global lifetime applies to a profile without one */
	teardown();
	char text[sizeof(conf_p2) + 128];
	snprintf(text, sizeof(text), "%scrypto ipsec security-association lifetime seconds 7200\n",
	         conf_p2);
	load(text);
	cr_assert_eq(conf->sa_lifetime_seconds, 7200);
	sa_start(&o);
	prop(&o, 1, ISAKMP_PROTO_IPSEC_ESP, SPI, 4);
	p2t(&o, ESP_ID_AES_CBC, 256, SHA, TUN, 0, 28800, 0);
	cr_assert_eq(ikev1_choose_p2(conf, profile("OPEN"), sa_end(&o), 0, &ch), 0);
	cr_expect_eq(ch.life_seconds, 7200);
}

/* ---- the networks a site-to-site peer may claim in quick mode ---- */

static struct in_addr a4(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* What no peer may ever claim, whatever allowed it (common/netpolicy.c). */
static const char *refused(struct in_addr net, int plen)
{
	static char why[160];
	return netpolicy_claimable(conf, net, plen, why, sizeof(why));
}

Test(s2s, claimed_network_must_not_be_the_hubs, .fini = teardown)
{
	load("interface eth0\n ip address 198.51.100.1 255.255.255.0\n"
	     "interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	     "ip local pool p 192.168.1.10 192.168.1.20\n");
	cr_expect_null(refused(a4("192.168.77.1"), 32));
	cr_expect_null(refused(a4("172.16.0.0"), 12));
	cr_expect_null(refused(a4("192.168.1.0"), 29), "below the pool");
	cr_expect_null(refused(a4("192.168.1.24"), 29), "above the pool");
	cr_expect_not_null(refused(a4("0.0.0.0"), 0));
	cr_expect_not_null(refused(a4("64.0.0.0"), 2), "shorter than the minimum /8");
	cr_expect_not_null(refused(a4("10.2.1.10"), 32), "inside network");
	cr_expect_not_null(refused(a4("10.0.0.0"), 8), "covers eth1");
	cr_expect_not_null(refused(a4("198.51.100.2"), 32), "outside network");
	cr_expect_not_null(refused(a4("192.168.1.16"), 30), "inside the pool");
	cr_expect_not_null(refused(a4("192.168.0.0"), 16), "covers the pool");
	cr_expect_not_null(refused(a4("192.168.1.20"), 32), "pool end");
	cr_expect_not_null(refused(a4("192.168.77.1"), 24), "host bits set");
}

Test(s2s, access_list_decides_what_a_peer_may_claim, .fini = teardown)
{
	load("ip access-list extended nem\n"
	     " deny ip 172.16.9.0 0.0.0.255 any\n"
	     " permit tcp 172.17.0.0 0.0.255.255 any\n"
	     " permit ip 172.16.0.0 0.0.255.255 any\n"
	     "crypto isakmp network-extension minimum-prefix 12\n");
	cr_expect(netpolicy_acl_permits(conf, "nem", a4("172.16.1.0"), 24));
	cr_expect_not(netpolicy_acl_permits(conf, "nem", a4("172.16.0.0"), 16),
	              "a deny inside it takes part of it away");
	cr_expect(netpolicy_acl_permits(conf, "nem", a4("172.16.128.0"), 17));
	cr_expect_not(netpolicy_acl_permits(conf, "nem", a4("172.16.9.0"), 25), "denied first");
	cr_expect_not(netpolicy_acl_permits(conf, "nem", a4("172.16.0.0"), 15),
	              "wider than the permitted /16");
	cr_expect_not(netpolicy_acl_permits(conf, "nem", a4("172.17.1.0"), 24),
	              "only ip entries speak for a network");
	cr_expect_not(netpolicy_acl_permits(conf, "nope", a4("172.16.1.0"), 24), "no such list");
	cr_expect_not_null(refused(a4("172.0.0.0"), 11), "minimum-prefix 12");
	cr_expect_null(refused(a4("172.16.0.0"), 12));
	struct netpolicy_peer s2s = { .nem_acl = "nem" };
	char why[160];
	cr_expect_null(netpolicy_check(conf, &s2s, a4("172.16.4.0"), 24, why, sizeof(why)));
	cr_expect_not_null(netpolicy_check(conf, &s2s, a4("10.9.0.0"), 16, why, sizeof(why)));
	struct netpolicy_peer none = { .nem_acl = "" };
	cr_expect_not_null(netpolicy_check(conf, &none, a4("172.16.4.0"), 24, why, sizeof(why)),
	                   "a peer whose profile names no list claims nothing");
}
