/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE ikemgr/isakmp.c ikemgr/ikev2_wire.c common/ikev2_crypto.c common/ike_crypto.c common/alg.c common/ossl_legacy.c test/fuzz/fuzz_ikev2.c -lcrypto -o fuzz_ikev2 */
/*
 * The IKEv2 parsers on arbitrary bytes: the header and payload chain of a datagram, every
 * payload parser on each payload found and straight on the input, and the Encrypted payload
 * (SK, or an Encrypted Fragment's SKF) opened with fixed keys (AES-CBC + HMAC and AES-GCM),
 * its inner chain parsed in turn. A
 * parsed proposal is echoed with the builder and must parse back the same; a parsed selector
 * list likewise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ikev2_crypto.h"
#include "ikemgr/ikev2_wire.h"

static void touch(const uint8_t *p, size_t len)
{
	volatile uint8_t sink = 0;
	if (len)
		sink ^= p[len - 1];             /* the last byte: ASan checks it is in bounds */
	(void)sink;
}

static void sa_echo(const struct ikev2_prop *p)
{
	struct isakmp_buf b;
	struct ikev2_chain c;
	struct ikev2_sa_pl again;
	uint8_t z[8] = { 0 }, inner;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, z, z, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_R, 0);
	if (ikev2_put_sa1(&b, p->num, p->proto, p->spi, p->spi_size, p->tr, p->ntr) == 0 &&
	    isakmp_finalize(&b) == 0) {
		if (ikev2_parse_chain(b.data[16], b.data, ISAKMP_HDR_LEN, b.len, &c, &inner) < 0 ||
		    c.n != 1 || ikev2_parse_sa(c.pl[0].body, c.pl[0].len, &again) < 0 ||
		    again.n != 1 || again.prop[0].ntr != p->ntr)
			abort();
		for (int i = 0; i < p->ntr; i++)
			if (again.prop[0].tr[i].id != p->tr[i].id ||
			    again.prop[0].tr[i].type != p->tr[i].type ||
			    again.prop[0].tr[i].keylen != p->tr[i].keylen)
				abort();
	}
	isakmp_buf_free(&b);
}

static void ts_echo(const struct ikev2_tsl *t)
{
	struct isakmp_buf b;
	struct ikev2_chain c;
	struct ikev2_tsl again;
	uint8_t z[8] = { 0 }, inner;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, z, z, IKEV2_EXCH_AUTH, IKEV2_FLAG_R, 1);
	if (ikev2_put_ts(&b, IKEV2_NP_TSI, t->ts, t->n) == 0 && isakmp_finalize(&b) == 0) {
		if (ikev2_parse_chain(b.data[16], b.data, ISAKMP_HDR_LEN, b.len, &c, &inner) < 0 ||
		    ikev2_parse_ts(c.pl[0].body, c.pl[0].len, &again) < 0 || again.n != t->n ||
		    memcmp(again.ts, t->ts, sizeof(t->ts[0]) * (size_t)t->n) != 0)
			abort();
	}
	isakmp_buf_free(&b);
}

static void payload(uint8_t type, const uint8_t *b, size_t len)
{
	static struct ikev2_sa_pl sa;
	static struct ikev2_tsl ts;
	static struct ikev2_cp cp;
	struct ikev2_ke ke;
	struct ikev2_notify n;
	struct ikev2_typed t;
	struct ikev2_delete d;
	switch (type) {
	case IKEV2_NP_SA:
		if (ikev2_parse_sa(b, len, &sa) == 0)
			for (int i = 0; i < sa.n; i++)
				sa_echo(&sa.prop[i]);
		break;
	case IKEV2_NP_KE:
		if (ikev2_parse_ke(b, len, &ke) == 0)
			touch(ke.data, ke.len);
		break;
	case IKEV2_NP_NONCE:
		ikev2_parse_nonce(b, len);
		break;
	case IKEV2_NP_N:
		if (ikev2_parse_notify(b, len, &n) == 0) {
			touch(n.data, n.datalen);
			touch(n.spi, n.spi_size);
		}
		break;
	case IKEV2_NP_IDI: case IKEV2_NP_IDR:
		if (ikev2_parse_id(b, len, &t) == 0)
			touch(t.data, t.len);
		break;
	case IKEV2_NP_AUTH:
		if (ikev2_parse_auth(b, len, &t) == 0)
			touch(t.data, t.len);
		break;
	case IKEV2_NP_CP:
		if (ikev2_parse_cp(b, len, &cp) == 0)
			for (int i = 0; i < cp.n; i++)
				touch(cp.a[i].val, cp.a[i].len);
		break;
	case IKEV2_NP_TSI: case IKEV2_NP_TSR:
		if (ikev2_parse_ts(b, len, &ts) == 0)
			ts_echo(&ts);
		break;
	case IKEV2_NP_D:
		if (ikev2_parse_delete(b, len, &d) == 0)
			touch(d.spis, (size_t)d.n * d.spi_size);
		break;
	default:
		touch(b, len);
	}
}

static void chain(uint8_t np, const uint8_t *base, size_t off, size_t end, int depth)
{
	static struct ikev2_chain c[2];
	uint8_t inner;
	if (ikev2_parse_chain(np, base, off, end, &c[depth], &inner) < 0)
		return;
	for (int i = 0; i < c[depth].n; i++)
		payload(c[depth].pl[i].type, c[depth].pl[i].body, c[depth].pl[i].len);
	(void)ikev2_find(&c[depth], IKEV2_NP_SK);
}

/* Opens an Encrypted payload at sk_off with fixed keys of both kinds, then walks what it holds. */
static void sk(const uint8_t *data, size_t size, size_t sk_off, uint8_t inner_np, int frag)
{
	static const uint8_t ek[IKEV2_EKEY_MAX] = { 1, 2, 3 }, ak[IKEV2_AKEY_MAX] = { 4, 5, 6 };
	static uint8_t m[65536];
	struct ikev2_suite s[2];
	if (size > sizeof(m) || ikev2_suite(&s[0], 12, 128, 12, 5, 14) < 0 ||
	    ikev2_suite(&s[1], 20, 256, 0, 5, 14) < 0)
		abort();
	for (int k = 0; k < 2; k++) {
		uint8_t *in;
		size_t ilen;
		memcpy(m, data, size);
		if ((frag ? ikev2_skf_open(&s[k], ek, ak, m, size, sk_off, &in, &ilen)
		          : ikev2_sk_open(&s[k], ek, ak, m, size, sk_off, &in, &ilen)) == 0)
			chain(inner_np, in, 0, ilen, 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikev2_hdr h;
	static struct ikev2_chain c;
	uint8_t inner;
	if (size >= 1) {
		/* each payload parser straight on the input, type from the first byte */
		payload((uint8_t)(IKEV2_NP_SA + data[0] % 16), data + 1, size - 1);
	}
	if (ikev2_parse_hdr(data, size, &h) < 0)
		return 0;
	if (ikev2_parse_chain(h.np, data, ISAKMP_HDR_LEN, size, &c, &inner) < 0)
		return 0;
	for (int i = 0; i < c.n; i++)
		payload(c.pl[i].type, c.pl[i].body, c.pl[i].len);
	const struct ikev2_pl *e = ikev2_find(&c, IKEV2_NP_SK);
	if (e)
		sk(data, size, e->off, inner, 0);
	/* a fragment's clear text is a piece of a chain: parsed alone it mostly fails, which is
	 * the point (no read past it) */
	if ((e = ikev2_find(&c, IKEV2_NP_SKF)) != NULL)
		sk(data, size, e->off, inner, 1);
	return 0;
}
