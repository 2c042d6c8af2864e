/* IKEv2 stateless cookies: see ikev2_cookie.h. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "ikemgr/ikev2_cookie.h"

static struct {
	uint8_t secret[2][32];        /* [ver & 1]: the current and the previous */
	uint8_t ver;
	time_t  rotated;
	int     have;
} ck;

static int rotate(time_t now)
{
	if (ck.have && now - ck.rotated < IKEV2_COOKIE_ROTATE && now >= ck.rotated)
		return 0;
	uint8_t v = (uint8_t)(ck.have ? ck.ver + 1 : 0);
	if (RAND_bytes(ck.secret[v & 1], sizeof(ck.secret[0])) != 1)
		return -1;
	if (!ck.have)   /* no previous secret yet: one nobody knows */
		memcpy(ck.secret[(v + 1) & 1], ck.secret[v & 1], sizeof(ck.secret[0]));
	ck.ver = v;
	ck.rotated = now;
	ck.have = 1;
	return 0;
}

static int mac(uint8_t ver, const uint8_t *ni, size_t nilen, const union sa46 *peer,
               const uint8_t spi_i[8], uint8_t out[IKEV2_COOKIE_LEN])
{
	size_t alen;
	const void *addr = sa46_addr(peer, &alen);
	struct iovec v[3] = { { (void *)ni, nilen }, { (void *)addr, alen },
	                      { (void *)spi_i, 8 } };
	uint8_t h[64];
	if (ike_prf(IKE_HASH_SHA256, ck.secret[ver & 1], sizeof(ck.secret[0]), v, 3, h) < 0)
		return -1;
	out[0] = ver;
	memcpy(out + 1, h, IKEV2_COOKIE_LEN - 1);
	return 0;
}

int ikev2_cookie_make(const uint8_t *ni, size_t nilen, const union sa46 *peer,
                      const uint8_t spi_i[8], time_t now, uint8_t out[IKEV2_COOKIE_LEN])
{
	if (rotate(now) < 0)
		return -1;
	return mac(ck.ver, ni, nilen, peer, spi_i, out);
}

int ikev2_cookie_check(const uint8_t *c, size_t clen, const uint8_t *ni, size_t nilen,
                       const union sa46 *peer, const uint8_t spi_i[8], time_t now)
{
	uint8_t want[IKEV2_COOKIE_LEN];
	if (clen != IKEV2_COOKIE_LEN || rotate(now) < 0)
		return 0;
	/* only the current version and the one before it are still known */
	if (c[0] != ck.ver && c[0] != (uint8_t)(ck.ver - 1))
		return 0;
	if (c[0] != ck.ver && ck.ver == 0)
		return 0;
	if (mac(c[0], ni, nilen, peer, spi_i, want) < 0)
		return 0;
	return CRYPTO_memcmp(want, c, IKEV2_COOKIE_LEN) == 0;
}
