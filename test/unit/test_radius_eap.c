/*
 * EAP through RADIUS (radius/eap.c): EAP-Message framing both ways, and the MSK from an
 * Access-Accept's MS-MPPE keys against a vector made by an independent implementation of
 * RFC 2548 2.4.2 (Python, hashlib; recorded below), plus the malformed cases.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "radius/radius.h"

/* secret "s3cret", Request Authenticator 01..10; MS-MPPE-Recv-Key 20..2f (salt 8001) and
 * MS-MPPE-Send-Key 40..4f (salt 8002), each 16 bytes */
static const char mppe_vsas[] =
	"1a2a0000013711248001426f7b27e71be69ae12360a586f3c4989dbcc8d5b819bc43680ab425d2a7945d"
	"1a2a0000013710248002c51c02d1e63066f28b9c88bce9804d212b010db98f2f268a3cd28db82beaa112";

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* an Access-Accept with attrs after the header (authenticators not checked here) */
static size_t accept_with(uint8_t *rep, const uint8_t *attrs, size_t n)
{
	memset(rep, 0, 20);
	rep[0] = 2;
	memcpy(rep + 20, attrs, n);
	rep[2] = (uint8_t)((20 + n) >> 8);
	rep[3] = (uint8_t)(20 + n);
	return 20 + n;
}

Test(radius_eap, msk_from_mppe_keys)
{
	uint8_t attrs[256], rep[512], ra[16], msk[64];
	for (int i = 0; i < 16; i++)
		ra[i] = (uint8_t)(i + 1);
	size_t n = accept_with(rep, attrs, unhex(mppe_vsas, attrs));
	cr_assert_eq(rad_reply_msk(rep, n, ra, "s3cret", msk), 32);
	for (int i = 0; i < 16; i++) {
		cr_assert_eq(msk[i], 0x20 + i, "MSK byte %d: Recv-Key first", i);
		cr_assert_eq(msk[16 + i], 0x40 + i, "MSK byte %d: then Send-Key", 16 + i);
	}
	/* another secret decrypts to garbage: a length byte out of range, refused */
	cr_assert_eq(rad_reply_msk(rep, n, ra, "other", msk), -1);
	/* one key alone, or a salt without its top bit: malformed */
	size_t one = accept_with(rep, attrs, 42);
	cr_assert_eq(rad_reply_msk(rep, one, ra, "s3cret", msk), -1);
	attrs[8] &= 0x7f;
	n = accept_with(rep, attrs, 84);
	cr_assert_eq(rad_reply_msk(rep, n, ra, "s3cret", msk), -1);
	/* none at all: no MSK (EAP-MD5) */
	const uint8_t other[] = { 18, 4, 'o', 'k' };
	n = accept_with(rep, other, sizeof(other));
	cr_assert_eq(rad_reply_msk(rep, n, ra, "s3cret", msk), 0);
}

Test(radius_eap, eap_message_split_and_joined)
{
	struct rad_pkt p;
	uint8_t msg[600];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	rad_pkt_init(&p, 1, 9);
	size_t start = p.len;
	rad_put_eap(&p, msg, sizeof(msg));
	cr_assert_eq(p.overflow, 0);
	/* 253 + 253 + 94, in order, each its own attribute */
	cr_assert_eq(p.b[start], 79);
	cr_assert_eq(p.b[start + 1], 255);
	cr_assert_eq(p.b[start + 255], 79);
	cr_assert_eq(p.b[start + 256], 255);
	cr_assert_eq(p.b[start + 510], 79);
	cr_assert_eq(p.b[start + 511], 96);
	cr_assert_eq(p.len, start + 606);
	/* and joined again by the reply parser, whatever else is between */
	uint8_t rep[1024];
	memcpy(rep + 20, p.b + start, 255);
	const uint8_t state[] = { 24, 5, 's', 't', '1' };
	memcpy(rep + 275, state, sizeof(state));
	memcpy(rep + 280, p.b + start + 255, 351);
	size_t n = 20 + 255 + 5 + 351;
	rep[0] = 11;
	rep[2] = (uint8_t)(n >> 8);
	rep[3] = (uint8_t)n;
	struct rad_attrs a;
	rad_attrs_init(&a);
	rad_reply_parse(rep, n, &a);
	cr_assert_eq(a.eap_len, sizeof(msg));
	cr_assert_arr_eq(a.eap, msg, sizeof(msg));
	cr_assert_eq(a.state_len, 3);
	cr_assert_eq(a.eap_bad, 0);
}
