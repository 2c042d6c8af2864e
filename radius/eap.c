/*
 * EAP through RADIUS: the EAP-Message framing of RFC 3579 3.1 (a message longer than 253
 * bytes goes in consecutive attributes) and the MSK that a server gives the authenticator in
 * an Access-Accept: MS-MPPE-Recv-Key and MS-MPPE-Send-Key (RFC 2548 2.4.2/2.4.3), encrypted
 * with the shared secret, the request's Request Authenticator and a salt. For IKEv2 (RFC 7296
 * 2.16) the MSK is Recv-Key | Send-Key, as the other IKEv2 authenticators take it.
 */
#include <string.h>
#include <openssl/evp.h>

#include "radius/radius.h"

#define A_EAP_MESSAGE    79
#define A_VSA            26
#define VENDOR_MS        311
#define MS_MPPE_SEND_KEY 16
#define MS_MPPE_RECV_KEY 17

void rad_put_eap(struct rad_pkt *p, const uint8_t *msg, size_t len)
{
	for (size_t off = 0; off < len; off += 253)
		rad_put(p, A_EAP_MESSAGE, msg + off, len - off < 253 ? len - off : 253);
}

static int md5(const void *a, size_t al, const void *b, size_t bl, const void *c, size_t cl,
               uint8_t out[16])
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	int ok = x && EVP_DigestInit_ex(x, EVP_md5(), NULL) == 1 &&
	         EVP_DigestUpdate(x, a, al) == 1 && EVP_DigestUpdate(x, b, bl) == 1 &&
	         (!cl || EVP_DigestUpdate(x, c, cl) == 1) && EVP_DigestFinal_ex(x, out, NULL) == 1;
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

/* One MS-MPPE key: salt (2, top bit set), then 16-byte blocks c(i); p(i) = c(i) ^ b(i) with
 * b(1) = MD5(S | R | salt), b(i) = MD5(S | c(i-1)). The plain text is a length byte, the
 * key, padding. The key (at most 32 bytes here) into key, its length or -1. */
static int mppe_key(const uint8_t *v, size_t vl, const uint8_t req_auth[16], const char *secret,
                    uint8_t key[32])
{
	uint8_t plain[256], b[16];
	size_t sl = strlen(secret);
	if (vl < 2 + 16 || (vl - 2) % 16 || !(v[0] & 0x80) || vl - 2 > sizeof(plain))
		return -1;
	for (size_t i = 2; i < vl; i += 16) {
		int rc = i == 2 ? md5(secret, sl, req_auth, 16, v, 2, b)
		                : md5(secret, sl, v + i - 16, 16, NULL, 0, b);
		if (rc < 0)
			return -1;
		for (int k = 0; k < 16; k++)
			plain[i - 2 + k] = v[i + k] ^ b[k];
	}
	size_t n = plain[0];
	int ret = -1;
	if (n >= 1 && n <= 32 && n + 1 <= vl - 2) {
		memcpy(key, plain + 1, n);
		ret = (int)n;
	}
	explicit_bzero(plain, sizeof(plain));
	return ret;
}

int rad_reply_msk(const uint8_t *rep, size_t len, const uint8_t req_auth[16], const char *secret,
                  uint8_t msk[64])
{
	uint8_t send[32], recv[32];
	int ns = 0, nr = 0, bad = 0;
	if (len < 20)
		return -1;
	size_t plen = (size_t)rep[2] << 8 | rep[3];
	if (plen < len)
		len = plen;
	for (size_t off = 20; off + 2 <= len && rep[off + 1] >= 2 && rep[off + 1] <= len - off;
	     off += rep[off + 1]) {
		const uint8_t *v = rep + off + 2;
		size_t vl = rep[off + 1] - 2u;
		if (rep[off] != A_VSA || vl < 6 ||
		    ((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]) != VENDOR_MS)
			continue;
		uint8_t t = v[4], tl = v[5];
		if (tl < 2 || tl > vl - 4)
			continue;
		if (t == MS_MPPE_SEND_KEY && !ns)
			bad |= (ns = mppe_key(v + 6, tl - 2u, req_auth, secret, send)) < 0;
		else if (t == MS_MPPE_RECV_KEY && !nr)
			bad |= (nr = mppe_key(v + 6, tl - 2u, req_auth, secret, recv)) < 0;
	}
	int ret;
	if (bad || (ns > 0) != (nr > 0) || (ns > 0 && ns < 16) || (nr > 0 && nr < 16)) {
		ret = -1;
	} else if (ns > 0) {
		/* the keys as given (EAP-MSCHAPv2: 16 bytes each); an HMAC key's zero padding to
		 * 64 bytes, which some peers add, keys the prf the same */
		memcpy(msk, recv, (size_t)nr);
		memcpy(msk + nr, send, (size_t)ns);
		ret = nr + ns;
	} else {
		ret = 0;
	}
	explicit_bzero(send, sizeof(send));
	explicit_bzero(recv, sizeof(recv));
	return ret;
}
