/*
 * RFC 5176 requests on the wire (radius/dynauth_wire.c): what is dropped unanswered (not a
 * request, bad lengths, wrong secret, wrong Message-Authenticator), what is answered with a
 * NAK and which Error-Cause, what a good request yields, and the answers' authenticators.
 * The Request Authenticator against a real client is checked by test/interop/test_coa.sh
 * (FreeRADIUS's radclient); here one RFC example-style vector is computed independently.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius/dynauth.h"

#define SECRET "CoaS3cret"

struct pkt {
	uint8_t b[4096];
	size_t len;
};

static void start(struct pkt *p, uint8_t code, uint8_t id)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = code;
	p->b[1] = id;
	p->len = DA_HDR;
}

static void attr(struct pkt *p, uint8_t type, const void *v, size_t n)
{
	p->b[p->len] = type;
	p->b[p->len + 1] = (uint8_t)(n + 2);
	memcpy(p->b + p->len + 2, v, n);
	p->len += n + 2;
}

static void attr_str(struct pkt *p, uint8_t type, const char *s)
{
	attr(p, type, s, strlen(s));
}

static void attr_u32(struct pkt *p, uint8_t type, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
	attr(p, type, b, 4);
}

static void finish(struct pkt *p, const char *secret)
{
	p->b[2] = (uint8_t)(p->len >> 8);
	p->b[3] = (uint8_t)p->len;
	cr_assert_eq(da_sign_request(p->b, p->len, secret), 0);
}

static struct da_request rq;
static char why[128];

static int parse(struct pkt *p)
{
	why[0] = 0;
	return da_parse(p->b, p->len, SECRET, &rq, why, sizeof(why));
}

Test(dynauth_wire, disconnect_by_user)
{
	struct pkt p;
	start(&p, DA_DISCONNECT_REQ, 7);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 4, 0x7f000001);
	attr_str(&p, 32, "hub");
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.code, DA_DISCONNECT_REQ);
	cr_expect_eq(rq.id, 7);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect(rq.has_user);
	cr_expect_str_eq(rq.user, "bob");
	cr_expect(rq.has_nas_ip);
	cr_expect_eq(rq.nas_ip.s_addr, htonl(0x7f000001));
	cr_expect_str_eq(rq.nas_id, "hub");
	cr_expect_eq(rq.has_msg_auth, 0);
}

/* From a client on IPv6: NAS-IPv6-Address (RFC 3162 2.1) names the NAS; 16 bytes or a NAK */
Test(dynauth_wire, nas_ipv6_address)
{
	struct pkt p;
	uint8_t a6[16];
	inet_pton(AF_INET6, "::1", a6);
	start(&p, DA_DISCONNECT_REQ, 9);
	attr_str(&p, 1, "bob");
	attr(&p, 95, a6, 16);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect(rq.has_nas_ip6);
	cr_expect(IN6_IS_ADDR_LOOPBACK(&rq.nas_ip6));
	cr_expect_not(rq.has_nas_ip);

	start(&p, DA_DISCONNECT_REQ, 9);
	attr_str(&p, 1, "bob");
	attr(&p, 95, a6, 4);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);
	cr_expect(strstr(rq.why, "NAS-IPv6-Address") != NULL, "%s", rq.why);
}

/* The authenticator computed here without the code under test: MD5 over the packet with 16
 * zero octets in place of the authenticator, then the secret. */
Test(dynauth_wire, authenticator_independent)
{
	struct pkt p;
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 44, "0000000100000002");
	p.b[2] = 0;
	p.b[3] = (uint8_t)p.len;
	uint8_t buf[64];
	memcpy(buf, p.b, p.len);
	memcpy(buf + p.len, SECRET, strlen(SECRET));
	unsigned n = 0;
	cr_assert(EVP_Digest(buf, p.len + strlen(SECRET), p.b + 4, &n, EVP_md5(), NULL));
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_str_eq(rq.acct_sid, "0000000100000002");
	p.b[10] ^= 1;
	cr_expect_eq(parse(&p), -1);
}

Test(dynauth_wire, dropped_unanswered)
{
	struct pkt p;
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	finish(&p, "OtherSecret");
	cr_expect_eq(parse(&p), -1, "wrong secret");
	cr_expect(strstr(why, "Authenticator"), "%s", why);

	finish(&p, SECRET);
	cr_expect_eq(da_parse(p.b, 19, SECRET, &rq, why, sizeof(why)), -1, "short datagram");
	cr_expect_eq(da_parse(p.b, 0, SECRET, &rq, why, sizeof(why)), -1, "empty datagram");
	cr_expect_eq(da_parse(p.b, p.len - 1, SECRET, &rq, why, sizeof(why)), -1,
	             "Length past the datagram");
	p.b[3] = 19;
	cr_expect_eq(parse(&p), -1, "Length below the header");

	start(&p, 4 /* Accounting-Request */, 1);
	attr_str(&p, 1, "bob");
	finish(&p, SECRET);
	cr_expect_eq(parse(&p), -1, "not a Disconnect or CoA request");
	start(&p, DA_DISCONNECT_ACK, 1);
	finish(&p, SECRET);
	cr_expect_eq(parse(&p), -1, "an answer, not a request");
}

Test(dynauth_wire, padding_past_length_ignored)
{
	struct pkt p;
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	finish(&p, SECRET);
	memset(p.b + p.len, 0xee, 10);
	cr_assert_eq(da_parse(p.b, p.len + 10, SECRET, &rq, why, sizeof(why)), 0, "%s", why);
	cr_expect_eq(rq.error_cause, 0);
}

Test(dynauth_wire, message_authenticator)
{
	struct pkt p;
	uint8_t zero[16] = { 0 };
	start(&p, DA_COA_REQ, 9);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 27, 5);
	attr(&p, 80, zero, 16);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.has_msg_auth, 1);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect_eq(rq.session_timeout, 5);

	/* a wrong Message-Authenticator with a right Request Authenticator: dropped */
	p.b[p.len - 1] ^= 0x55;
	uint8_t save[16];
	memcpy(save, p.b + p.len - 16, 16);
	memset(p.b + 4, 0, 16);
	uint8_t buf[4096], md[16];
	unsigned n = 0;
	memcpy(buf, p.b, p.len);
	memcpy(buf + p.len, SECRET, strlen(SECRET));
	cr_assert(EVP_Digest(buf, p.len + strlen(SECRET), md, &n, EVP_md5(), NULL));
	memcpy(p.b + 4, md, 16);
	cr_expect_eq(parse(&p), -1);
	cr_expect(strstr(why, "Message-Authenticator"), "%s", why);

	/* two of them: malformed, answered 404 */
	start(&p, DA_COA_REQ, 9);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 27, 5);
	attr(&p, 80, zero, 16);
	attr(&p, 80, zero, 16);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);
}

Test(dynauth_wire, nak_causes)
{
	struct pkt p;

	/* an attribute running past the end: authentic, so answered 404 */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	p.b[p.len - 4] = 40;
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);

	/* attribute length below 2 */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	p.b[p.len++] = 8;
	p.b[p.len++] = 1;
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);

	/* Framed-IP-Address of 3 bytes */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr(&p, 8, "\x01\x02\x03", 3);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);

	/* User-Name with a NUL inside */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr(&p, 1, "bo\0b", 4);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);

	/* no session identification */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 32, "hub");
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_MISSING_ATTRIBUTE);

	/* an attribute we do not handle (Reply-Message) */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	attr_str(&p, 18, "bye");
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_UNSUPPORTED_ATTRIBUTE);

	/* a change in a Disconnect-Request */
	start(&p, DA_DISCONNECT_REQ, 1);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 27, 60);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_UNSUPPORTED_ATTRIBUTE);

	/* a CoA-Request changing nothing */
	start(&p, DA_COA_REQ, 1);
	attr_str(&p, 1, "bob");
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_MISSING_ATTRIBUTE);

	/* Authorize-Only */
	start(&p, DA_COA_REQ, 1);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 6, 17);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_UNSUPPORTED_SERVICE);

	/* a Cisco-AVPair other than ipsec:inacl */
	uint8_t vsa[64] = { 0, 0, 0, 9, 1 };
	const char *pair = "subscriber:command=bounce-host-port";
	vsa[5] = (uint8_t)(strlen(pair) + 2);
	memcpy(vsa + 6, pair, strlen(pair));
	start(&p, DA_COA_REQ, 1);
	attr_str(&p, 1, "bob");
	attr(&p, 26, vsa, 6 + strlen(pair));
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_UNSUPPORTED_ATTRIBUTE);

	/* a Cisco VSA whose inner length runs past it */
	vsa[5] = 60;
	start(&p, DA_COA_REQ, 1);
	attr_str(&p, 1, "bob");
	attr(&p, 26, vsa, 6 + strlen(pair));
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);
}

Test(dynauth_wire, coa_changes)
{
	struct pkt p;
	start(&p, DA_COA_REQ, 3);
	attr_str(&p, 44, "00000001000000AB");
	attr_u32(&p, 8, 0xc0a8324d);
	attr_str(&p, 11, "radin");
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect(rq.has_acl);
	cr_expect_str_eq(rq.acl, "radin");
	cr_expect(rq.has_framed_ip);
	cr_expect_eq(rq.framed_ip.s_addr, htonl(0xc0a8324d));

	uint8_t vsa[64] = { 0, 0, 0, 9, 1 };
	const char *pair = "ipsec:inacl=blockall";
	vsa[5] = (uint8_t)(strlen(pair) + 2);
	memcpy(vsa + 6, pair, strlen(pair));
	start(&p, DA_COA_REQ, 3);
	attr_str(&p, 31, "172.18.143.2");
	attr(&p, 26, vsa, 6 + strlen(pair));
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect_str_eq(rq.acl, "blockall");
	cr_expect_str_eq(rq.calling, "172.18.143.2");
}

Test(dynauth_wire, answers)
{
	struct pkt p;
	uint8_t zero[16] = { 0 }, out[1024];
	start(&p, DA_DISCONNECT_REQ, 42);
	attr_str(&p, 33, "proxy-1");
	attr_str(&p, 1, "nobody");
	attr_str(&p, 33, "proxy-2");
	attr(&p, 80, zero, 16);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);

	size_t n = da_answer(&rq, DA_DISCONNECT_NAK, DA_ERR_SESSION_NOT_FOUND, SECRET, out,
	                     sizeof(out));
	cr_assert_gt(n, DA_HDR);
	cr_expect_eq(out[0], DA_DISCONNECT_NAK);
	cr_expect_eq(out[1], 42);
	cr_expect_eq((size_t)(out[2] << 8 | out[3]), n);
	cr_expect_eq(da_answer_check(p.b, out, n, SECRET), 0);
	cr_expect_eq(da_answer_check(p.b, out, n, "nope"), -1);
	/* Error-Cause 503, then both Proxy-States in order, then the Message-Authenticator */
	static const uint8_t ec[] = { 101, 6, 0, 0, 0x01, 0xf7 };
	cr_expect_eq(memcmp(out + 20, ec, 6), 0);
	cr_expect_eq(memcmp(out + 26, "\x21\x09proxy-1\x21\x09proxy-2", 18), 0);
	cr_expect_eq(out[44], 80);
	cr_expect_eq(n, 62);
	/* the Message-Authenticator: HMAC-MD5 with the request's authenticator in place */
	uint8_t buf[1024], md[16];
	unsigned ml = 0;
	memcpy(buf, out, n);
	memcpy(buf + 4, p.b + 4, 16);
	memset(buf + 46, 0, 16);
	cr_assert(HMAC(EVP_md5(), SECRET, strlen(SECRET), buf, n, md, &ml));
	cr_expect_eq(memcmp(md, out + 46, 16), 0);

	/* an ACK without Proxy-State or Message-Authenticator is the bare header */
	start(&p, DA_COA_REQ, 5);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 27, 5);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0);
	n = da_answer(&rq, DA_COA_ACK, 0, SECRET, out, sizeof(out));
	cr_expect_eq(n, DA_HDR);
	cr_expect_eq(da_answer_check(p.b, out, n, SECRET), 0);
	/* Response Authenticator computed here: MD5(Code | ID | Length | Request Authenticator |
	 * Secret), there being no attribute */
	memcpy(buf, out, 4);
	memcpy(buf + 4, p.b + 4, 16);
	memcpy(buf + 20, SECRET, strlen(SECRET));
	cr_assert(EVP_Digest(buf, 20 + strlen(SECRET), md, &ml, EVP_md5(), NULL));
	cr_expect_eq(memcmp(md, out + 4, 16), 0);
	cr_expect_eq(out[0], DA_COA_ACK);
	cr_expect_eq(out[1], 5);
}

/* Event-Timestamp is read (dynauth.c checks it against the clock); a malformed one is a NAK */
Test(dynauth_wire, event_timestamp)
{
	struct pkt p;
	start(&p, DA_DISCONNECT_REQ, 9);
	attr_str(&p, 1, "bob");
	attr_u32(&p, 55, 1700000000);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, 0, "%s", rq.why);
	cr_expect(rq.has_event_ts);
	cr_expect_eq(rq.event_ts, 1700000000u);

	const uint8_t three[3] = { 1, 2, 3 };
	start(&p, DA_DISCONNECT_REQ, 10);
	attr_str(&p, 1, "bob");
	attr(&p, 55, three, 3);
	finish(&p, SECRET);
	cr_assert_eq(parse(&p), 0, "%s", why);
	cr_expect_eq(rq.error_cause, DA_ERR_INVALID_REQUEST);
	cr_expect(!rq.has_event_ts);
}
