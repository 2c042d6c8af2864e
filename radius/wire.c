/*
 * Our own check of a RADIUS reply, on the datagram as it arrived, before radcli's verdict is
 * believed. radcli 1.2.11 (Debian 12) computes the Response Authenticator check but then lets
 * the packet code override its result, so a reply with a wrong authenticator (anyone on the
 * path can forge one) would be taken as an Access-Accept; it also skips Cisco VSAs whose
 * inner length is wrong instead of refusing the packet. The bytes are untrusted: every length
 * is checked before it is used (fuzzed by test/fuzz/fuzz_radius_reply.c).
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius/radius.h"

#define HDR 20
#define ATTR_VSA 26
#define ATTR_MSG_AUTH 80
#define VENDOR_CISCO 9

/* Cisco (like most vendors) packs RFC 2865 style sub-attributes that must fill the VSA. */
static int vsa_ok(const uint8_t *v, size_t len)
{
	if (len < 4)
		return 0;
	uint32_t vendor = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	if (vendor != VENDOR_CISCO)
		return 1;       /* other vendors' layouts vary: radcli skips what it does not know */
	size_t off = 4;
	if (off == len)
		return 0;
	while (off < len) {
		if (len - off < 2 || v[off + 1] < 2 || v[off + 1] > len - off)
			return 0;
		off += v[off + 1];
	}
	return 1;
}

int rad_reply_check(const uint8_t *req, size_t reqlen, const uint8_t *rep, size_t replen,
                    const char *secret)
{
	size_t slen = strlen(secret);
	if (reqlen < HDR || replen < HDR)
		return -1;
	size_t len = (size_t)rep[2] << 8 | rep[3];
	if (len < HDR || len > replen || len > 4096)
		return -1;
	if (rep[1] != req[1])
		return -1;
	/* Access-Accept/Reject/Challenge answer an Access-Request, Accounting-Response an
	 * Accounting-Request (RFC 2866) */
	if (req[0] == 1 ? rep[0] != 2 && rep[0] != 3 && rep[0] != 11 : req[0] != 4 || rep[0] != 5)
		return -1;

	/* the attributes fill the packet exactly */
	size_t off = HDR, ma = 0;
	while (off < len) {
		if (len - off < 2)
			return -1;
		uint8_t type = rep[off], alen = rep[off + 1];
		if (alen < 2 || alen > len - off || type == 0)
			return -1;
		if (type == ATTR_VSA && !vsa_ok(rep + off + 2, alen - 2u))
			return -1;
		if (type == ATTR_MSG_AUTH) {
			if (alen != 18 || ma)
				return -1;
			ma = off;
		}
		off += alen;
	}

	/* Response Authenticator = MD5(Code | ID | Length | Request Authenticator | Attributes |
	 * Secret) (RFC 2865 section 3) */
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
	         EVP_DigestUpdate(c, rep, 4) == 1 && EVP_DigestUpdate(c, req + 4, 16) == 1 &&
	         EVP_DigestUpdate(c, rep + HDR, len - HDR) == 1 &&
	         EVP_DigestUpdate(c, secret, slen) == 1 && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok || mdlen != 16 || CRYPTO_memcmp(md, rep + 4, 16) != 0)
		return -1;

	/* Message-Authenticator (RFC 3579 3.2): HMAC-MD5 over the reply with the request's
	 * authenticator in place and the attribute's value zeroed */
	if (ma) {
		uint8_t buf[4096];
		memcpy(buf, rep, len);
		memcpy(buf + 4, req + 4, 16);
		memset(buf + ma + 2, 0, 16);
		mdlen = 0;
		if (!HMAC(EVP_md5(), secret, (int)slen, buf, len, md, &mdlen) || mdlen != 16 ||
		    CRYPTO_memcmp(md, rep + ma + 2, 16) != 0)
			return -1;
	}
	return 0;
}
