/*
 * RADIUS on the wire: requests built, replies checked. A reply is untrusted bytes from the
 * network: every length is checked before it is used, the Response Authenticator and any
 * Message-Authenticator before any attribute is believed, and a Cisco VSA must be framed
 * right (fuzzed by test/fuzz/fuzz_radius_reply.c). Whether a reply must carry a
 * Message-Authenticator is the client's per-server policy (client.c), except with
 * EAP-Message, where RFC 3579 always demands one.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius/radius.h"

#define HDR 20
#define ATTR_VSA 26
#define ATTR_EAP 79
#define ATTR_MSG_AUTH 80
#define ATTR_USER_PASSWORD 2
#define CODE_ACCESS_REQUEST 1
#define CODE_ACCT_REQUEST 4
#define VENDOR_CISCO 9

/* Cisco (like most vendors) packs RFC 2865 style sub-attributes that must fill the VSA. */
static int vsa_ok(const uint8_t *v, size_t len)
{
	if (len < 4)
		return 0;
	uint32_t vendor = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	if (vendor != VENDOR_CISCO)
		return 1;       /* other vendors' layouts vary: not ours to read, skipped */
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

static int md5_parts(uint8_t out[16], const void *a, size_t alen, const void *b, size_t blen,
                     const void *c, size_t clen, const char *secret)
{
	unsigned n = 0;
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	int ok = x && EVP_DigestInit_ex(x, EVP_md5(), NULL) == 1 &&
	         EVP_DigestUpdate(x, a, alen) == 1 && EVP_DigestUpdate(x, b, blen) == 1 &&
	         EVP_DigestUpdate(x, c, clen) == 1 &&
	         EVP_DigestUpdate(x, secret, strlen(secret)) == 1 &&
	         EVP_DigestFinal_ex(x, out, &n) == 1 && n == 16;
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

int rad_msg_auth(const uint8_t *pkt, size_t len, size_t ma, const uint8_t *auth,
                 const char *secret, uint8_t out[16])
{
	uint8_t buf[RAD_PKT_MAX];
	unsigned n = 0;
	if (len > sizeof(buf) || len < HDR || ma < HDR || ma + 18 > len)
		return -1;
	memcpy(buf, pkt, len);
	if (auth)
		memcpy(buf + 4, auth, 16);
	memset(buf + ma + 2, 0, 16);
	int ok = HMAC(EVP_md5(), secret, (int)strlen(secret), buf, len, out, &n) && n == 16;
	explicit_bzero(buf, len);
	return ok ? 0 : -1;
}

int rad_reply_check(const uint8_t *req, size_t reqlen, const uint8_t *rep, size_t replen,
                    const char *secret, unsigned *flags)
{
	size_t eap = 0;
	if (flags)
		*flags = 0;
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
		if (type == ATTR_EAP)
			eap = off;
		if (type == ATTR_MSG_AUTH) {
			if (alen != 18 || ma)
				return -1;
			ma = off;
		}
		off += alen;
	}

	/* Response Authenticator = MD5(Code | ID | Length | Request Authenticator | Attributes |
	 * Secret) (RFC 2865 section 3) */
	uint8_t md[16];
	if (md5_parts(md, rep, 4, req + 4, 16, rep + HDR, len - HDR, secret) < 0 ||
	    CRYPTO_memcmp(md, rep + 4, 16) != 0)
		return -1;

	/* Message-Authenticator (RFC 3579 3.2): HMAC-MD5 over the reply with the request's
	 * authenticator in place and the attribute's value zeroed; RFC 3579 3.1: EAP-Message
	 * without one is discarded */
	if (ma && (rad_msg_auth(rep, len, ma, req + 4, secret, md) < 0 ||
	           CRYPTO_memcmp(md, rep + ma + 2, 16) != 0))
		return -1;
	if (eap && !ma)
		return -1;
	if (flags)
		*flags = (ma ? RAD_F_MSG_AUTH : 0) | (eap ? RAD_F_EAP : 0);
	return 0;
}

void rad_pkt_init(struct rad_pkt *p, uint8_t code, uint8_t id)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = code;
	p->b[1] = id;
	p->len = HDR;
	/* unpredictable: the User-Password hiding and the reply's authenticity rest on it (an
	 * Accounting-Request's is computed over the packet instead) */
	if (code == CODE_ACCESS_REQUEST && RAND_bytes(p->b + 4, 16) != 1)
		p->overflow = 1;
	/* first, so that no attribute an attacker chose precedes it (BlastRADIUS) */
	p->ma = p->len;
	rad_put(p, ATTR_MSG_AUTH, p->b + HDR + 2, 16);   /* 16 zero octets for now */
}

void rad_put(struct rad_pkt *p, uint8_t type, const void *v, size_t n)
{
	if (p->overflow || n > 253 || p->len + 2 + n > sizeof(p->b)) {
		p->overflow = 1;
		return;
	}
	p->b[p->len] = type;
	p->b[p->len + 1] = (uint8_t)(n + 2);
	memmove(p->b + p->len + 2, v, n);
	p->len += 2 + n;
}

void rad_put_str(struct rad_pkt *p, uint8_t type, const char *s)
{
	rad_put(p, type, s, strlen(s));
}

void rad_put_u32(struct rad_pkt *p, uint8_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	rad_put(p, type, b, 4);
}

/* RFC 2865 5.2: padded to 16 octets, c(1) = p(1) ^ MD5(S + RA), c(i) = p(i) ^ MD5(S + c(i-1)) */
void rad_put_password(struct rad_pkt *p, const char *pw, const char *secret)
{
	uint8_t buf[128], md[16];
	size_t n = strlen(pw), padded = n ? (n + 15) / 16 * 16 : 16;
	if (n > sizeof(buf)) {
		p->overflow = 1;
		return;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, pw, n);
	const uint8_t *prev = p->b + 4;
	for (size_t off = 0; off < padded; off += 16) {
		if (md5_parts(md, secret, strlen(secret), prev, 16, "", 0, "") < 0) {
			p->overflow = 1;
			break;
		}
		for (int i = 0; i < 16; i++)
			buf[off + i] ^= md[i];
		prev = buf + off;
	}
	rad_put(p, ATTR_USER_PASSWORD, buf, padded);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(md, sizeof(md));
}

int rad_pkt_finish(struct rad_pkt *p, const char *secret)
{
	uint8_t md[16];
	if (p->overflow)
		return -1;
	p->b[2] = (uint8_t)(p->len >> 8);
	p->b[3] = (uint8_t)p->len;
	if (p->b[0] == CODE_ACCT_REQUEST)
		memset(p->b + 4, 0, 16);
	/* the Message-Authenticator covers the authenticator field as it is sent in an
	 * Access-Request, and as zeros in an Accounting-Request (RFC 3579 3.2, RFC 5176 3.4) */
	if (p->ma && rad_msg_auth(p->b, p->len, p->ma, NULL, secret, p->b + p->ma + 2) < 0)
		return -1;
	if (p->b[0] == CODE_ACCT_REQUEST) {
		if (md5_parts(md, p->b, 4, p->b + 4, 16, p->b + HDR, p->len - HDR, secret) < 0)
			return -1;
		memcpy(p->b + 4, md, 16);
	}
	return 0;
}
