/* A keymgr IKEv2 authentication request whose signed octets hang together (v2req.h). */
#include <string.h>
#include <arpa/inet.h>

#include "test/unit/v2req.h"

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };

/* an IKE_SA_INIT message: header, then a body that holds nonce */
static size_t msg(uint8_t *out, const uint8_t *spir, uint8_t flags, const uint8_t *nonce,
                  size_t nlen)
{
	size_t len = 28 + 40 + nlen + 12;
	memset(out, 0, len);
	memcpy(out, spi_i, 8);
	memcpy(out + 8, spir, 8);
	out[16] = 33;               /* SA */
	out[17] = 0x20;
	out[18] = 34;
	out[19] = flags;
	out[24] = (uint8_t)(len >> 24);
	out[25] = (uint8_t)(len >> 16);
	out[26] = (uint8_t)(len >> 8);
	out[27] = (uint8_t)len;
	memset(out + 28, 0x5a, 40);     /* SA and KE stand-ins */
	memcpy(out + 28 + 40, nonce, nlen);
	memset(out + 28 + 40 + nlen, 0xa5, 12);
	return len;
}

void v2req(struct msg_v2_auth_req *rq, int id_type, const char *id, const char *peer)
{
	static const uint8_t zero[8];
	memset(rq, 0, sizeof(*rq));
	rq->sa_id = 42;
	rq->prf = 5;             /* PRF_HMAC_SHA2_256 */
	sa46_pton("172.18.143.246", &rq->local);
	sa46_pton(peer, &rq->peer);
	rq->id_type = id_type;
	rq->auth_method = MSG_V2_AUTH_PSK;
	if (id_type == 1)
		inet_pton(AF_INET, id, rq->id), rq->id_len = 4;
	else
		rq->id_len = (uint16_t)strlen(id), memcpy(rq->id, id, rq->id_len);
	rq->ni_len = rq->nr_len = 32;
	memset(rq->ni, 0x11, 32);
	memset(rq->nr, 0x22, 32);
	rq->ni[0] = rq->nr[0] = 0x77;
	size_t m1 = msg(rq->oct_i, zero, 0x08, rq->ni, 32);
	memcpy(rq->oct_i + m1, rq->nr, 32);
	memset(rq->oct_i + m1 + 32, 0x33, 32);      /* prf(SK_pi, IDi') */
	rq->oct_i_len = (uint16_t)(m1 + 64);
	size_t m2 = msg(rq->oct_r, spi_r, 0x20, rq->nr, 32);
	memcpy(rq->oct_r + m2, rq->ni, 32);
	memset(rq->oct_r + m2 + 32, 0x44, 32);      /* prf(SK_pr, IDr') */
	rq->oct_r_len = (uint16_t)(m2 + 64);
}

