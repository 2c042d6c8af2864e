/*
 * RFC 5176 requests and answers on the wire. The bytes come from the network: the header and
 * the Request Authenticator are checked before any attribute is believed, and every length is
 * checked before it is used (fuzzed by test/fuzz/fuzz_dynauth.c).
 *
 * Request Authenticator (RFC 5176 section 3.4, as RFC 2866's Accounting-Request):
 *   MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret)
 * Message-Authenticator in a request (RFC 5176 3.4 refers to RFC 3579 3.2): HMAC-MD5 keyed
 * with the secret over the request with the authenticator field and the attribute's value
 * zeroed. In an answer: over the answer with the request's authenticator in place.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius/dynauth.h"

enum {
	A_USER_NAME = 1, A_NAS_IP = 4, A_NAS_IPV6 = 95, A_SERVICE_TYPE = 6, A_FRAMED_IP = 8, A_FILTER_ID = 11,
	A_STATE = 24, A_VSA = 26, A_SESSION_TIMEOUT = 27, A_CALLING = 31, A_NAS_ID = 32,
	A_PROXY_STATE = 33, A_ACCT_SID = 44, A_EVENT_TIMESTAMP = 55, A_NAS_PORT_TYPE = 61,
	A_MSG_AUTH = 80, A_ERROR_CAUSE = 101,
};
#define VENDOR_CISCO     9
#define CISCO_AVPAIR     1
#define SERVICE_AUTHORIZE_ONLY 17
#define INACL_PREFIX     "ipsec:inacl="

const char *da_code_name(int code)
{
	switch (code) {
	case DA_DISCONNECT_REQ: return "Disconnect-Request";
	case DA_DISCONNECT_ACK: return "Disconnect-ACK";
	case DA_DISCONNECT_NAK: return "Disconnect-NAK";
	case DA_COA_REQ:        return "CoA-Request";
	case DA_COA_ACK:        return "CoA-ACK";
	case DA_COA_NAK:        return "CoA-NAK";
	}
	return "?";
}

static int md5_parts(uint8_t out[16], const void *a, size_t alen, const void *b, size_t blen,
                     const void *c, size_t clen, const void *d, size_t dlen)
{
	unsigned n = 0;
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	int ok = x && EVP_DigestInit_ex(x, EVP_md5(), NULL) == 1 &&
	         EVP_DigestUpdate(x, a, alen) == 1 && EVP_DigestUpdate(x, b, blen) == 1 &&
	         EVP_DigestUpdate(x, c, clen) == 1 && EVP_DigestUpdate(x, d, dlen) == 1 &&
	         EVP_DigestFinal_ex(x, out, &n) == 1 && n == 16;
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

static int hmac_md5(uint8_t out[16], const char *secret, const uint8_t *buf, size_t len)
{
	unsigned n = 0;
	return HMAC(EVP_md5(), secret, (int)strlen(secret), buf, len, out, &n) && n == 16 ? 0 : -1;
}

static const uint8_t zero16[16];

/* The Request Authenticator the client must have sent over pkt[0..len). */
static int request_auth(const uint8_t *pkt, size_t len, const char *secret, uint8_t out[16])
{
	return md5_parts(out, pkt, 4, zero16, 16, pkt + DA_HDR, len - DA_HDR, secret,
	                 strlen(secret));
}

/* Walks the attributes: 0 when they fill [DA_HDR, len) exactly; *ma = offset of the (single)
 * Message-Authenticator or 0. */
static int framing_ok(const uint8_t *pkt, size_t len, size_t *ma)
{
	*ma = 0;
	for (size_t off = DA_HDR; off < len;) {
		if (len - off < 2 || pkt[off + 1] < 2 || pkt[off + 1] > len - off)
			return -1;
		if (pkt[off] == A_MSG_AUTH) {
			if (pkt[off + 1] != 18 || *ma)
				return -1;
			*ma = off;
		}
		off += pkt[off + 1];
	}
	return 0;
}

static void refuse(struct da_request *rq, int cause, const char *fmt, const char *arg)
{
	if (rq->error_cause)
		return;     /* the first reason found is the one answered */
	rq->error_cause = cause;
	snprintf(rq->why, sizeof(rq->why), fmt, arg);
}

/* A text attribute: 1..253 bytes, no NUL inside (it would cut the comparison short). */
static int text(struct da_request *rq, const uint8_t *v, size_t n, char *dst, const char *name)
{
	if (n == 0 || memchr(v, 0, n)) {
		refuse(rq, DA_ERR_INVALID_REQUEST, "malformed %s", name);
		return 0;
	}
	memcpy(dst, v, n);
	dst[n] = 0;
	return 1;
}

static int u32(struct da_request *rq, const uint8_t *v, size_t n, uint32_t *out, const char *name)
{
	if (n != 4) {
		refuse(rq, DA_ERR_INVALID_REQUEST, "malformed %s", name);
		return 0;
	}
	*out = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	return 1;
}

/* Cisco VSA: sub-attributes filling it; Cisco-AVPair ipsec:inacl=NAME is a change, any other
 * pair (subscriber:command=..., another service's) is something we cannot do. */
static void cisco_vsa(struct da_request *rq, const uint8_t *v, size_t n)
{
	if (n == 0) {
		refuse(rq, DA_ERR_INVALID_REQUEST, "malformed %s", "Cisco VSA");
		return;
	}
	for (size_t off = 0; off < n;) {
		if (n - off < 2 || v[off + 1] < 2 || v[off + 1] > n - off) {
			refuse(rq, DA_ERR_INVALID_REQUEST, "malformed %s", "Cisco VSA");
			return;
		}
		uint8_t stype = v[off];
		const uint8_t *sv = v + off + 2;
		size_t sn = v[off + 1] - 2u;
		off += v[off + 1];
		char pair[DA_STR_MAX];
		if (stype != CISCO_AVPAIR) {
			refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "unsupported %s", "Cisco attribute");
			return;
		}
		if (!text(rq, sv, sn, pair, "Cisco-AVPair"))
			return;
		size_t pl = strlen(INACL_PREFIX);
		if (strncmp(pair, INACL_PREFIX, pl) != 0) {
			refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "unsupported Cisco-AVPair '%.60s'", pair);
			return;
		}
		if (!pair[pl]) {
			refuse(rq, DA_ERR_INVALID_ATTRIBUTE_VALUE, "empty %s", "ipsec:inacl");
			return;
		}
		memmove(rq->acl, pair + pl, strlen(pair + pl) + 1);
		rq->has_acl = 1;
	}
}

static void attribute(struct da_request *rq, uint8_t type, const uint8_t *v, size_t n,
                      const uint8_t *whole)
{
	uint32_t x;
	switch (type) {
	case A_USER_NAME:
		rq->has_user = text(rq, v, n, rq->user, "User-Name");
		break;
	case A_ACCT_SID:
		rq->has_acct_sid = text(rq, v, n, rq->acct_sid, "Acct-Session-Id");
		break;
	case A_CALLING:
		rq->has_calling = text(rq, v, n, rq->calling, "Calling-Station-Id");
		break;
	case A_NAS_ID:
		rq->has_nas_id = text(rq, v, n, rq->nas_id, "NAS-Identifier");
		break;
	case A_FRAMED_IP:
	case A_NAS_IP:
		if (!u32(rq, v, n, &x, type == A_NAS_IP ? "NAS-IP-Address" : "Framed-IP-Address"))
			break;
		if (type == A_NAS_IP) {
			rq->nas_ip.s_addr = htonl(x);
			rq->has_nas_ip = 1;
		} else {
			rq->framed_ip.s_addr = htonl(x);
			rq->has_framed_ip = 1;
		}
		break;
	case A_NAS_IPV6:
		if (n != 16) {
			refuse(rq, DA_ERR_INVALID_REQUEST, "malformed %s", "NAS-IPv6-Address");
			break;
		}
		memcpy(&rq->nas_ip6, v, 16);
		rq->has_nas_ip6 = 1;
		break;
	case A_NAS_PORT_TYPE:
		rq->has_nas_port_type = u32(rq, v, n, &rq->nas_port_type, "NAS-Port-Type");
		break;
	case A_SESSION_TIMEOUT:
		rq->has_session_timeout = u32(rq, v, n, &rq->session_timeout, "Session-Timeout");
		break;
	case A_FILTER_ID:
		if (n == 0) {
			refuse(rq, DA_ERR_INVALID_ATTRIBUTE_VALUE, "empty %s", "Filter-Id");
			break;
		}
		rq->has_acl = text(rq, v, n, rq->acl, "Filter-Id");
		break;
	case A_VSA:
		if (n < 4 || ((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 |
		              v[3]) != VENDOR_CISCO) {
			refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "unsupported %s", "vendor attribute");
			break;
		}
		cisco_vsa(rq, v + 4, n - 4);
		break;
	case A_SERVICE_TYPE:
		if (u32(rq, v, n, &x, "Service-Type") && x == SERVICE_AUTHORIZE_ONLY)
			refuse(rq, DA_ERR_UNSUPPORTED_SERVICE, "%s", "Service-Type Authorize-Only");
		else
			refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "unsupported %s", "Service-Type");
		break;
	case A_PROXY_STATE:
		/* echoed unchanged and in order (RFC 5176 section 3.1) */
		if (rq->proxy_len + n + 2 > sizeof(rq->proxy)) {
			refuse(rq, DA_ERR_RESOURCES_UNAVAILABLE, "%s", "too much Proxy-State");
			break;
		}
		memcpy(rq->proxy + rq->proxy_len, whole, n + 2);
		rq->proxy_len += n + 2;
		break;
	case A_EVENT_TIMESTAMP:   /* checked against the clock by dynauth.c */
		rq->has_event_ts = u32(rq, v, n, &rq->event_ts, "Event-Timestamp");
		break;
	case A_MSG_AUTH:
	case A_STATE:             /* only meaningful with Authorize-Only, refused above */
		break;
	default: {
		char t[8];
		snprintf(t, sizeof(t), "%u", type);
		refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "unsupported attribute %s", t);
	}
	}
}

int da_parse(const uint8_t *pkt, size_t len, const char *secret, struct da_request *rq,
             char *why, size_t whylen)
{
	uint8_t md[16];
	size_t ma;

	memset(rq, 0, sizeof(*rq));
	if (len < DA_HDR) {
		snprintf(why, whylen, "short datagram (%zu bytes)", len);
		return -1;
	}
	if (pkt[0] != DA_DISCONNECT_REQ && pkt[0] != DA_COA_REQ) {
		snprintf(why, whylen, "not a Disconnect- or CoA-Request (code %u)", pkt[0]);
		return -1;
	}
	/* RFC 2865 3: octets past Length are padding; a Length past the datagram is discarded */
	size_t plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < DA_HDR || plen > len || plen > DA_MAX_LEN) {
		snprintf(why, whylen, "bad length %zu in a %zu-byte datagram", plen, len);
		return -1;
	}
	len = plen;
	if (request_auth(pkt, len, secret, md) < 0 || CRYPTO_memcmp(md, pkt + 4, 16) != 0) {
		snprintf(why, whylen, "bad Request Authenticator (wrong secret?)");
		return -1;
	}
	rq->code = pkt[0];
	rq->id = pkt[1];
	memcpy(rq->authenticator, pkt + 4, 16);
	/* authentic from here on: what is wrong is answered with a NAK */
	if (framing_ok(pkt, len, &ma) < 0) {
		refuse(rq, DA_ERR_INVALID_REQUEST, "%s", "attributes do not fill the packet");
		return 0;
	}
	if (ma) {
		uint8_t buf[DA_MAX_LEN];
		memcpy(buf, pkt, len);
		memset(buf + 4, 0, 16);
		memset(buf + ma + 2, 0, 16);
		if (hmac_md5(md, secret, buf, len) < 0 || CRYPTO_memcmp(md, pkt + ma + 2, 16) != 0) {
			snprintf(why, whylen, "bad Message-Authenticator");
			return -1;
		}
		rq->has_msg_auth = 1;
	}
	for (size_t off = DA_HDR; off < len; off += pkt[off + 1])
		attribute(rq, pkt[off], pkt + off + 2, pkt[off + 1] - 2u, pkt + off);
	if (rq->code == DA_DISCONNECT_REQ && (rq->has_session_timeout || rq->has_acl))
		refuse(rq, DA_ERR_UNSUPPORTED_ATTRIBUTE, "%s", "a change in a Disconnect-Request");
	if (!rq->has_user && !rq->has_acct_sid && !rq->has_framed_ip && !rq->has_calling)
		refuse(rq, DA_ERR_MISSING_ATTRIBUTE, "%s", "no session identification attribute");
	if (rq->code == DA_COA_REQ && !rq->has_session_timeout && !rq->has_acl)
		refuse(rq, DA_ERR_MISSING_ATTRIBUTE, "%s", "nothing to change");
	return 0;
}

static int put_attr(uint8_t *out, size_t outsz, size_t *off, uint8_t type, const void *v,
                    size_t n)
{
	if (n > 253 || *off + 2 + n > outsz)
		return -1;
	out[*off] = type;
	out[*off + 1] = (uint8_t)(n + 2);
	memcpy(out + *off + 2, v, n);
	*off += 2 + n;
	return 0;
}

size_t da_answer(const struct da_request *rq, int code, int error_cause, const char *secret,
                 uint8_t *out, size_t outsz)
{
	size_t off = DA_HDR, ma = 0;
	uint8_t md[16];

	if (outsz < DA_HDR || outsz > DA_MAX_LEN)
		return 0;
	out[0] = (uint8_t)code;
	out[1] = rq->id;
	memcpy(out + 4, rq->authenticator, 16);
	if (error_cause) {
		uint8_t v[4] = { 0, 0, (uint8_t)(error_cause >> 8), (uint8_t)error_cause };
		if (put_attr(out, outsz, &off, A_ERROR_CAUSE, v, 4) < 0)
			return 0;
	}
	if (rq->proxy_len > outsz - off)
		return 0;
	memcpy(out + off, rq->proxy, rq->proxy_len);
	off += rq->proxy_len;
	if (rq->has_msg_auth) {
		ma = off;
		if (put_attr(out, outsz, &off, A_MSG_AUTH, zero16, 16) < 0)
			return 0;
	}
	out[2] = (uint8_t)(off >> 8);
	out[3] = (uint8_t)off;
	/* Message-Authenticator first (over the request's authenticator), then the Response
	 * Authenticator over everything */
	if (ma && hmac_md5(out + ma + 2, secret, out, off) < 0)
		return 0;
	if (md5_parts(md, out, 4, rq->authenticator, 16, out + DA_HDR, off - DA_HDR, secret,
	              strlen(secret)) < 0)
		return 0;
	memcpy(out + 4, md, 16);
	return off;
}

int da_sign_request(uint8_t *pkt, size_t len, const char *secret)
{
	size_t ma;
	uint8_t md[16];

	if (len < DA_HDR || len > DA_MAX_LEN || ((size_t)pkt[2] << 8 | pkt[3]) != len)
		return -1;
	memset(pkt + 4, 0, 16);
	if (framing_ok(pkt, len, &ma) == 0 && ma) {
		memset(pkt + ma + 2, 0, 16);
		if (hmac_md5(pkt + ma + 2, secret, pkt, len) < 0)
			return -1;
	}
	if (request_auth(pkt, len, secret, md) < 0)
		return -1;
	memcpy(pkt + 4, md, 16);
	return 0;
}

int da_answer_check(const uint8_t *req, const uint8_t *ans, size_t anslen, const char *secret)
{
	uint8_t md[16];
	if (anslen < DA_HDR || ((size_t)ans[2] << 8 | ans[3]) != anslen || ans[1] != req[1])
		return -1;
	if (md5_parts(md, ans, 4, req + 4, 16, ans + DA_HDR, anslen - DA_HDR, secret,
	              strlen(secret)) < 0)
		return -1;
	return CRYPTO_memcmp(md, ans + 4, 16) ? -1 : 0;
}
