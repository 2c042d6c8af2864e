/* clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE ikemgr/isakmp.c common/ike_crypto.c common/alg.c common/ossl_legacy.c test/fuzz/fuzz_isakmp.c -lcrypto -o fuzz_isakmp */
/*
 * The ISAKMP parsers on arbitrary bytes: the datagram parser, the payload chain as if the input
 * were a decrypted body, and every payload parser on each payload found (SA, notify, delete, ID,
 * attribute lists); also each payload parser straight on the input. A parsed phase 1 transform
 * is echoed with the builder and must parse back to the same attributes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikemgr/isakmp.h"

static struct isakmp_sa sa, again;
static struct isakmp_msg msg, echo;

static void sa_payload(const uint8_t *body, size_t len)
{
	if (isakmp_parse_sa(body, len, &sa) < 0)
		return;
	for (int i = 0; i < sa.nprop; i++) {
		const struct isakmp_prop *p = &sa.prop[i];
		for (int j = 0; j < p->ntrans; j++) {
			const struct isakmp_trans *t = &p->trans[j];
			struct isakmp_buf b;
			uint8_t ck[8] = { 0 };
			isakmp_buf_init(&b);
			isakmp_put_hdr(&b, ck, ck, ISAKMP_EXCH_AGGR, 0, 0);
			if (isakmp_put_sa_p1(&b, p->num, t) == 0 && isakmp_finalize(&b) == 0) {
				if (isakmp_parse(b.data, b.len, &echo) < 0 || echo.npl != 1 ||
				    isakmp_parse_sa(echo.pl[0].body, echo.pl[0].len, &again) < 0 ||
				    again.prop[0].trans[0].nattr != t->nattr)
					abort();
				for (int k = 0; k < t->nattr; k++)
					if (again.prop[0].trans[0].attr[k].value != t->attr[k].value)
						abort();
			}
			isakmp_put_sa_p2(&b, p->num, 0x01020304, t, 3600);
			isakmp_buf_free(&b);
		}
	}
}

static void attr_payload(const uint8_t *body, size_t len)
{
	struct isakmp_cfg c;
	struct isakmp_attr_it it;
	struct isakmp_cfg_attr a;
	volatile uint8_t sink = 0;
	if (isakmp_parse_cfg(body, len, &c) < 0)
		return;
	isakmp_attr_it_init(&it, c.attrs, c.len);
	while (isakmp_attr_next(&it, &a) == 1)
		if (a.len)
			sink ^= a.data[a.len - 1];      /* touch the last byte: ASan checks it */
	(void)sink;
}

static void payload(const struct isakmp_payload *pl)
{
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_id id;
	volatile uint8_t sink = 0;
	switch (pl->type) {
	case ISAKMP_NP_SA:
		sa_payload(pl->body, pl->len);
		break;
	case ISAKMP_NP_N:
		if (isakmp_parse_notify(pl->body, pl->len, &n) == 0 && n.datalen)
			sink ^= n.data[n.datalen - 1];
		break;
	case ISAKMP_NP_D:
		if (isakmp_parse_delete(pl->body, pl->len, &d) == 0)
			sink ^= d.spis[(size_t)d.nspi * d.spi_size - 1];
		break;
	case ISAKMP_NP_ID:
		if (isakmp_parse_id(pl->body, pl->len, &id) == 0)
			sink ^= id.data[id.len - 1];
		break;
	case ISAKMP_NP_ATTR:
		attr_payload(pl->body, pl->len);
		break;
	case ISAKMP_NP_VID:
		for (int v = 0; v < VID_MAX; v++)
			sink ^= (uint8_t)vid_is(pl, v);
		break;
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_hdr h;
	if (isakmp_parse(data, size, &msg) == 0)
		for (int i = 0; i < msg.npl; i++)
			payload(&msg.pl[i]);
	if (size >= ISAKMP_HDR_LEN) {
		(void)isakmp_parse_hdr(data, size, &h);
		if (isakmp_parse_payloads(data[16], data + ISAKMP_HDR_LEN, size - ISAKMP_HDR_LEN,
		                          &msg) == 0)
			for (int i = 0; i < msg.npl; i++)
				payload(&msg.pl[i]);
	}
	sa_payload(data, size);
	attr_payload(data, size);
	struct isakmp_payload raw = { .type = ISAKMP_NP_N, .body = data,
	                              .len = size > 0xffff ? 0xffff : (uint16_t)size, .raw = data };
	for (uint8_t t = ISAKMP_NP_N; t <= ISAKMP_NP_D; t++) {
		raw.type = t;
		payload(&raw);
	}
	raw.type = ISAKMP_NP_ID;
	payload(&raw);
	return 0;
}
