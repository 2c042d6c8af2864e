/*
 * The IKEv2 responder's message-ID bookkeeping, driven through ikev2_input with a minimal
 * initiator (IKE_SA_INIT with group 19, the keys derived here, requests sealed with them):
 * a request still being worked on is not answered with an older request's response, and a
 * request that ends the SA leaves nothing behind. Both came out of fuzz_ikev2_engine.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

static const char cfg[] =
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy P\n proposal GCM256\n"
	"crypto ikev2 keyring K\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key secret\n"
	"crypto ikev2 profile PROF\n match identity remote fqdn client.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T esp-gcm 256\n"
	"crypto ipsec profile IP\n set transform-set T\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;
static union sa46 peer, local;
static int nsent, nkey;
static uint8_t sent[4096];
static size_t sent_len;

static struct {
	uint8_t spi_i[8], spi_r[8], ni[32];
	struct ikev2_suite s;
	struct ikev2_keys k;
} c;

static void io_send(const union sa46 *l, const union sa46 *p, int port4500, const uint8_t *pkt,
                    size_t len)
{
	(void)l; (void)p; (void)port4500;
	cr_assert_leq(len, sizeof(sent));
	memcpy(sent, pkt, len);
	sent_len = len;
	nsent++;
}
/* keymgr is asked and never answers: the IKE_AUTH stays under way */
static void io_key(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
	nkey++;
}
static void io_none(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void setup(void)
{
	static const struct ike_io io = { io_send, io_key, io_none, io_none };
	memset(&conf, 0, sizeof(conf));
	cr_assert_eq(conf_load_buf("t", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	sa46_pton("192.0.2.7", &peer);
	sa46_pton("192.0.2.1", &local);
	sa46_set_port(&peer, 500);
	sa46_set_port(&local, 500);
	nsent = nkey = 0;
}

static void teardown(void)
{
	ikev2_shutdown();
	ikev1_shutdown();
}

static void in(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len);
	cr_assert_not_null(copy);
	memcpy(copy, p, len);
	ikev2_input(copy, len, &peer, &local, 0);
	free(copy);
}

/* IKE_SA_INIT answered and the keys derived on our side too */
static void sa_init(void)
{
	static const uint8_t zero[8], priv[32] = { 7, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct ike_dh *dh = ike_dh_new_with_private(19, priv, sizeof(priv));
	uint8_t pub[64], shared[64];
	size_t sl = sizeof(shared);
	cr_assert_not_null(dh);
	cr_assert_eq(ike_dh_public(dh, pub, 64), 0);
	memset(c.spi_i, 0x11, 8);
	memset(c.ni, 0x22, sizeof(c.ni));
	struct ikev2_trans t[3] = { { IKEV2_TR_ENCR, 20, 256 }, { IKEV2_TR_PRF, 6, 0 },
	                            { IKEV2_TR_DH, 19, 0 } };
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, c.spi_i, zero, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_I, 0);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_IKE, NULL, 0, t, 3);
	ikev2_put_ke(&b, 19, pub, 64);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, c.ni, sizeof(c.ni));
	cr_assert_eq(isakmp_finalize(&b), 0);
	in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(nsent, 1);

	struct ikev2_hdr h;
	struct ikev2_chain ch;
	struct ikev2_ke ke;
	uint8_t inner;
	cr_assert_eq(ikev2_parse_hdr(sent, sent_len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, sent, ISAKMP_HDR_LEN, sent_len, &ch, &inner), 0);
	const struct ikev2_pl *pke = ikev2_find(&ch, IKEV2_NP_KE), *pn = ikev2_find(&ch, IKEV2_NP_NONCE);
	cr_assert(pke && pn, "IKE_SA_INIT answered without KE or nonce");
	cr_assert_eq(ikev2_parse_ke(pke->body, pke->len, &ke), 0);
	cr_assert_eq(ike_dh_shared(dh, ke.data, ke.len, shared, &sl), 0);
	ike_dh_free(dh);
	memcpy(c.spi_r, h.spi_r, 8);
	cr_assert_eq(ikev2_suite(&c.s, 20, 256, 0, 6, 19), 0);
	cr_assert_eq(ikev2_ike_keys(&c.s, shared, sl, c.ni, sizeof(c.ni), pn->body, pn->len,
	                            c.spi_i, c.spi_r, NULL, &c.k), 0);
}

/* A request on the SA: header, SK, the chain (first payload type np), sealed. */
static size_t req(uint8_t *m, size_t cap, uint8_t exch, uint32_t msgid, uint8_t np,
                  const uint8_t *chain, size_t len)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, c.spi_i, c.spi_r, exch, IKEV2_FLAG_I, msgid);
	cr_assert_eq(b.len, (size_t)ISAKMP_HDR_LEN);
	memset(m, 0, cap);
	memcpy(m, b.data, b.len);
	isakmp_buf_free(&b);
	m[16] = IKEV2_NP_SK;
	m[ISAKMP_HDR_LEN] = np;
	if (len)
		memcpy(m + ISAKMP_HDR_LEN + 4 + c.s.iv, chain, len);
	long n = ikev2_sk_seal(&c.s, c.k.ei, c.k.ai, m, cap, ISAKMP_HDR_LEN, len);
	cr_assert_gt(n, 0);
	return (size_t)n;
}

static uint32_t sent_msgid(void)
{
	struct ikev2_hdr h;
	cr_assert_eq(ikev2_parse_hdr(sent, sent_len, &h), 0);
	return h.msgid;
}

/* IDi, AUTH, CP (an IPv4 address), SA (ESP), TSi, TSr: enough to go to keymgr */
static size_t auth_chain(uint8_t *o)
{
	static const uint8_t chain[] = {
		IKEV2_NP_AUTH, 0, 0, 26, IKEV2_ID_FQDN, 0, 0, 0,
		'c', 'l', 'i', 'e', 'n', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
		IKEV2_NP_CP, 0, 0, 12, IKEV2_AUTH_PSK, 0, 0, 0, 1, 2, 3, 4,
		IKEV2_NP_SA, 0, 0, 12, IKEV2_CFG_REQUEST, 0, 0, 0, 0, 1, 0, 0,
		IKEV2_NP_TSI, 0, 0, 44, 0, 0, 0, 40, 1, 3, 4, 3, 0xc0, 0xde, 0, 0,
		3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0,
		3, 0, 0, 8, 3, 0, 0, 12, 0, 0, 0, 8, 5, 0, 0, 0,
		IKEV2_NP_TSR, 0, 0, 24, 1, 0, 0, 0, IKEV2_TS_IPV4_ADDR_RANGE, 0, 0, 16, 0, 0, 0xff, 0xff,
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 24, 1, 0, 0, 0, IKEV2_TS_IPV4_ADDR_RANGE, 0, 0, 16, 0, 0, 0xff, 0xff,
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	};
	memcpy(o, chain, sizeof(chain));
	return sizeof(chain);
}

TestSuite(ikev2_engine, .init = setup, .fini = teardown);

/* INFORMATIONAL 1 answered, IKE_AUTH 2 waits for keymgr; IKE_AUTH 2 again must not get the
 * answer to 1 (the peer would drop it and retransmit until it gives up). */
Test(ikev2_engine, pending_request_not_answered_with_an_older_response)
{
	uint8_t m[1024], chain[256];
	sa_init();
	size_t n = req(m, sizeof(m), IKEV2_EXCH_INFORMATIONAL, 1, 0, NULL, 0);
	in(m, n);
	cr_assert_eq(nsent, 2);
	cr_assert_eq(sent_msgid(), 1);
	/* a retransmitted 1: the same answer */
	in(m, n);
	cr_assert_eq(nsent, 3);
	cr_assert_eq(sent_msgid(), 1);

	size_t cl = auth_chain(chain);
	n = req(m, sizeof(m), IKEV2_EXCH_AUTH, 2, IKEV2_NP_IDI, chain, cl);
	in(m, n);
	cr_assert_eq(nkey, 1, "IKE_AUTH did not reach keymgr");
	cr_assert_eq(nsent, 3);
	in(m, n);
	cr_assert_eq(nsent, 3, "IKE_AUTH 2 under way answered with the response to %u",
	             sent_msgid());
	cr_assert_eq(nkey, 1);
}

/* An IKE_AUTH refused ends the SA inside ikev2_input: the SA is gone, the counts back to 0
 * (ASan builds also see that nothing reads it after it is freed). */
Test(ikev2_engine, refused_ike_auth_ends_the_sa)
{
	uint8_t m[1024];
	static const uint8_t bogus[] = { 0, 0x80, 0, 4 };  /* an unknown critical payload */
	sa_init();
	cr_assert_eq(v2.nsa, 1);
	cr_assert_eq(v2.nhalfopen, 1);
	size_t n = req(m, sizeof(m), IKEV2_EXCH_AUTH, 1, 200, bogus, sizeof(bogus));
	in(m, n);
	cr_assert_eq(nsent, 2, "no IKE_AUTH error answer");
	cr_assert_eq(sent_msgid(), 1);
	cr_assert_eq(v2.nsa, 0);
	cr_assert_eq(v2.nhalfopen, 0);
	cr_assert_null(v2.all);
}
