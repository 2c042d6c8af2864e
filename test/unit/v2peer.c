/* The minimal IKEv2 initiator (v2peer.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "test/unit/v2peer.h"

struct v2peer v2p;

void v2peer_hub_start(struct vpnd_conf *conf, const char *cfg, size_t len,
                      const struct ike_io *io)
{
	memset(conf, 0, sizeof(*conf));
	memset(&v2, 0, sizeof(v2));
	v2p.nsent = 0;
	cr_assert_eq(conf_load_buf("t", cfg, len, conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(conf, io);
	sa46_pton("192.0.2.7", &v2p.peer);
	sa46_pton("192.0.2.1", &v2p.local);
	sa46_set_port(&v2p.peer, 500);
	sa46_set_port(&v2p.local, 500);
}

void v2peer_hub_stop(void)
{
	ikev2_shutdown();
	ikev1_shutdown();
}

void v2peer_in(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len);
	cr_assert_not_null(copy);
	memcpy(copy, p, len);
	ikev2_input(copy, len, &v2p.peer, &v2p.local, 0);
	free(copy);
}

void v2peer_io_send(const union sa46 *l, const union sa46 *p, int port4500, const uint8_t *pkt,
                    size_t len)
{
	(void)l; (void)p; (void)port4500;
	cr_assert_leq(len, sizeof(v2p.sent));
	memcpy(v2p.sent, pkt, len);
	v2p.sent_len = len;
	v2p.nsent++;
}

void v2peer_io_none(uint32_t type, uint32_t id, const void *d, size_t l)
{
	(void)type; (void)id; (void)d; (void)l;
}

void v2peer_init_req(struct isakmp_buf *b, int flags)
{
	static const uint8_t zero[8], priv[32] = { 7, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint8_t pub[64];
	if (v2p.dh)
		ike_dh_free(v2p.dh);
	v2p.dh = ike_dh_new_with_private(19, priv, sizeof(priv));
	cr_assert_not_null(v2p.dh);
	cr_assert_eq(ike_dh_public(v2p.dh, pub, 64), 0);
	static uint8_t seq;
	memset(v2p.spi_i, 0x11, 8);
	v2p.spi_i[7] = seq++;       /* a new SA each time, not a retransmission */
	memset(v2p.ni, 0x22, sizeof(v2p.ni));
	struct ikev2_trans t[3] = { { IKEV2_TR_ENCR, 20, 256 }, { IKEV2_TR_PRF, 6, 0 },
	                            { IKEV2_TR_DH, 19, 0 } };
	isakmp_buf_init(b);
	ikev2_put_hdr(b, v2p.spi_i, zero, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_I, 0);
	ikev2_put_sa1(b, 1, IKEV2_PROTO_IKE, NULL, 0, t, 3);
	ikev2_put_ke(b, 19, pub, 64);
	isakmp_put_payload(b, IKEV2_NP_NONCE, v2p.ni, sizeof(v2p.ni));
	if (flags & V2PEER_FRAG)
		ikev2_put_notify(b, 0, NULL, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (flags & V2PEER_REDIR_SUPPORTED)
		ikev2_put_notify(b, 0, NULL, 0, IKEV2_N_REDIRECT_SUPPORTED, NULL, 0);
	if (flags & V2PEER_REDIRECTED_FROM) {
		static const uint8_t from[6] = { 1, 4, 192, 0, 2, 99 };
		ikev2_put_notify(b, 0, NULL, 0, IKEV2_N_REDIRECTED_FROM, from, sizeof(from));
	}
	cr_assert_eq(isakmp_finalize(b), 0);
}

void v2peer_init_res(const uint8_t *m, size_t len)
{
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	struct ikev2_ke ke;
	uint8_t inner, shared[64];
	size_t sl = sizeof(shared);
	cr_assert_eq(ikev2_parse_hdr(m, len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, len, &ch, &inner), 0);
	const struct ikev2_pl *pke = ikev2_find(&ch, IKEV2_NP_KE), *pn = ikev2_find(&ch, IKEV2_NP_NONCE);
	cr_assert(pke && pn, "IKE_SA_INIT answered without KE or nonce");
	cr_assert_eq(ikev2_parse_ke(pke->body, pke->len, &ke), 0);
	cr_assert_eq(ike_dh_shared(v2p.dh, ke.data, ke.len, shared, &sl), 0);
	ike_dh_free(v2p.dh);
	v2p.dh = NULL;
	memcpy(v2p.spi_r, h.spi_r, 8);
	cr_assert_eq(ikev2_suite(&v2p.s, 20, 256, 0, 6, 19), 0);
	cr_assert_eq(ikev2_ike_keys(&v2p.s, shared, sl, v2p.ni, sizeof(v2p.ni), pn->body, pn->len,
	                            v2p.spi_i, v2p.spi_r, NULL, &v2p.k), 0);
}

/* A request on the SA: header, SK, the chain (first payload type np), sealed. */
size_t v2peer_req(uint8_t *m, size_t cap, uint8_t exch, uint32_t msgid, uint8_t np,
                  const uint8_t *chain, size_t len)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, v2p.spi_i, v2p.spi_r, exch, IKEV2_FLAG_I, msgid);
	cr_assert_eq(b.len, (size_t)ISAKMP_HDR_LEN);
	memset(m, 0, cap);
	memcpy(m, b.data, b.len);
	isakmp_buf_free(&b);
	m[16] = IKEV2_NP_SK;
	m[ISAKMP_HDR_LEN] = np;
	if (len)
		memcpy(m + ISAKMP_HDR_LEN + 4 + v2p.s.iv, chain, len);
	long n = ikev2_sk_seal(&v2p.s, v2p.k.ei, v2p.k.ai, m, cap, ISAKMP_HDR_LEN, len);
	cr_assert_gt(n, 0);
	return (size_t)n;
}

size_t v2peer_auth_chain(uint8_t *o)
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
