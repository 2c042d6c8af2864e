/* IKEv2 wire codec: see ikev2_wire.h. */
#include <string.h>

#include "ikemgr/ikev2_wire.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ikev2_parse_hdr(const uint8_t *p, size_t len, struct ikev2_hdr *h)
{
	if (len < ISAKMP_HDR_LEN)
		return -1;
	memcpy(h->spi_i, p, 8);
	memcpy(h->spi_r, p + 8, 8);
	h->np = p[16];
	h->version = p[17];
	h->exch = p[18];
	h->flags = p[19];
	h->msgid = get32(p + 20);
	h->len = get32(p + 24);
	return h->len == len ? 0 : -1;
}

int ikev2_known_type(uint8_t t)
{
	return (t >= IKEV2_NP_SA && t <= IKEV2_NP_EAP) || t == IKEV2_NP_SKF;
}

int ikev2_parse_chain(uint8_t np, const uint8_t *base, size_t off, size_t end,
                      struct ikev2_chain *c, uint8_t *inner_np)
{
	memset(c, 0, sizeof(*c));
	*inner_np = 0;
	while (np != IKEV2_NP_NONE) {
		if (c->n >= IKEV2_MAX_PAYLOADS || end - off < ISAKMP_GEN_LEN || off > end)
			return -1;
		const uint8_t *g = base + off;
		size_t plen = get16(g + 2);
		if (plen < ISAKMP_GEN_LEN || plen > end - off)
			return -1;
		struct ikev2_pl *pl = &c->pl[c->n++];
		pl->type = np;
		pl->critical = (g[1] & IKEV2_CRITICAL) != 0;
		pl->body = g + ISAKMP_GEN_LEN;
		pl->len = plen - ISAKMP_GEN_LEN;
		pl->off = off;
		if (!ikev2_known_type(np) && pl->critical && !c->unknown_critical)
			c->unknown_critical = np;
		off += plen;
		if (np == IKEV2_NP_SK || np == IKEV2_NP_SKF) {
			/* what follows is ciphertext: SK is last and its type names the inner first */
			if (off != end)
				return -1;
			*inner_np = g[0];
			return 0;
		}
		np = g[0];
	}
	return off == end ? 0 : -1;
}

const struct ikev2_pl *ikev2_find(const struct ikev2_chain *c, uint8_t t)
{
	for (int i = 0; i < c->n; i++)
		if (c->pl[i].type == t)
			return &c->pl[i];
	return NULL;
}

/* One transform (3.3.2) at p, tlen bytes long including its 8-byte header. */
static int parse_trans(const uint8_t *p, size_t tlen, struct ikev2_trans *t, int *bad_attr)
{
	t->type = p[4];
	t->id = get16(p + 6);
	t->keylen = 0;
	size_t o = 8;
	while (o < tlen) {
		if (tlen - o < 4)
			return -1;
		uint16_t at = get16(p + o);
		if (at & 0x8000) {          /* TV: two bytes of value */
			if ((at & 0x7fff) == IKEV2_ATTR_KEY_LENGTH && !t->keylen)
				t->keylen = get16(p + o + 2);
			else
				*bad_attr = 1;
			o += 4;
		} else {                    /* TLV: no IKEv2 transform attribute is one */
			size_t al = get16(p + o + 2);
			if (al > tlen - o - 4)
				return -1;
			*bad_attr = 1;
			o += 4 + al;
		}
	}
	return 0;
}

int ikev2_parse_sa(const uint8_t *b, size_t len, struct ikev2_sa_pl *sa)
{
	size_t o = 0;
	memset(sa, 0, sizeof(*sa));
	for (;;) {
		if (sa->n >= IKEV2_MAX_PROPS || len - o < 8)
			return -1;
		const uint8_t *p = b + o;
		size_t plen = get16(p + 2);
		uint8_t last = p[0];
		if ((last != 0 && last != 2) || plen < 8 || plen > len - o)
			return -1;
		struct ikev2_prop *pr = &sa->prop[sa->n];
		pr->num = p[4];
		pr->proto = p[5];
		pr->spi_size = p[6];
		int ntr = p[7];
		if (pr->num != sa->n + 1 || ntr == 0 || ntr > IKEV2_MAX_TRANS ||
		    (pr->spi_size != 0 && pr->spi_size != 4 && pr->spi_size != 8) ||
		    8u + pr->spi_size > plen)
			return -1;
		memcpy(pr->spi, p + 8, pr->spi_size);
		size_t t = 8 + pr->spi_size;
		for (int i = 0; i < ntr; i++) {
			if (plen - t < 8)
				return -1;
			const uint8_t *tp = p + t;
			size_t tlen = get16(tp + 2);
			int tlast = tp[0];
			if (tlen < 8 || tlen > plen - t || (tlast != 0 && tlast != 3) ||
			    (tlast == 0) != (i == ntr - 1))
				return -1;
			if (parse_trans(tp, tlen, &pr->tr[i], &pr->bad_attr) < 0)
				return -1;
			t += tlen;
		}
		if (t != plen)
			return -1;
		pr->ntr = ntr;
		sa->n++;
		o += plen;
		if (last == 0)
			return o == len ? 0 : -1;
	}
}

int ikev2_parse_ke(const uint8_t *b, size_t len, struct ikev2_ke *ke)
{
	if (len < 5)
		return -1;
	ke->group = get16(b);
	ke->data = b + 4;
	ke->len = len - 4;
	return 0;
}

int ikev2_parse_nonce(const uint8_t *b, size_t len)
{
	(void)b;
	return len >= 16 && len <= 256 ? 0 : -1;
}

int ikev2_parse_notify(const uint8_t *b, size_t len, struct ikev2_notify *n)
{
	if (len < 4)
		return -1;
	n->proto = b[0];
	n->spi_size = b[1];
	n->type = get16(b + 2);
	if (len - 4 < n->spi_size)
		return -1;
	n->spi = b + 4;
	n->data = b + 4 + n->spi_size;
	n->datalen = len - 4 - n->spi_size;
	return 0;
}

static int parse_typed(const uint8_t *b, size_t len, struct ikev2_typed *t)
{
	if (len < 5)
		return -1;
	t->type = b[0];
	t->data = b + 4;
	t->len = len - 4;
	return 0;
}

int ikev2_parse_id(const uint8_t *b, size_t len, struct ikev2_typed *id)
{
	if (parse_typed(b, len, id) < 0)
		return -1;
	if (id->type == IKEV2_ID_IPV4_ADDR && id->len != 4)
		return -1;
	if (id->type == IKEV2_ID_IPV6_ADDR && id->len != 16)
		return -1;
	return 0;
}

int ikev2_parse_auth(const uint8_t *b, size_t len, struct ikev2_typed *auth)
{
	return parse_typed(b, len, auth);
}

int ikev2_parse_cp(const uint8_t *b, size_t len, struct ikev2_cp *cp)
{
	memset(cp, 0, sizeof(*cp));
	if (len < 4)
		return -1;
	cp->type = b[0];
	size_t o = 4;
	while (o < len) {
		if (len - o < 4 || cp->n >= IKEV2_MAX_CP_ATTRS)
			return -1;
		uint16_t t = get16(b + o) & 0x7fff;    /* the top bit is reserved */
		size_t al = get16(b + o + 2);
		if (al > len - o - 4)
			return -1;
		cp->a[cp->n].type = t;
		cp->a[cp->n].val = b + o + 4;
		cp->a[cp->n].len = al;
		cp->n++;
		o += 4 + al;
	}
	return 0;
}

int ikev2_parse_ts(const uint8_t *b, size_t len, struct ikev2_tsl *t)
{
	memset(t, 0, sizeof(*t));
	if (len < 4)
		return -1;
	int n = b[0];
	size_t o = 4;
	if (n == 0 || n > IKEV2_MAX_TS)
		return -1;
	for (int i = 0; i < n; i++) {
		if (len - o < 8)
			return -1;
		const uint8_t *p = b + o;
		struct ikev2_ts *ts = &t->ts[i];
		size_t sl = get16(p + 2), al;
		ts->type = p[0];
		if (ts->type == IKEV2_TS_IPV4_ADDR_RANGE)
			al = 4;
		else if (ts->type == IKEV2_TS_IPV6_ADDR_RANGE)
			al = 16;
		else
			return -1;
		if (sl != 8 + 2 * al || sl > len - o)
			return -1;
		ts->proto = p[1];
		ts->port_lo = get16(p + 4);
		ts->port_hi = get16(p + 6);
		memcpy(ts->lo, p + 8, al);
		memcpy(ts->hi, p + 8 + al, al);
		/* an empty range is not a selector (a port range 65535-0 is OPAQUE, 3.13.1) */
		if (memcmp(ts->lo, ts->hi, al) > 0 ||
		    (ts->port_lo > ts->port_hi && !(ts->port_lo == 65535 && ts->port_hi == 0)))
			return -1;
		o += sl;
	}
	t->n = n;
	return o == len ? 0 : -1;
}

int ikev2_parse_delete(const uint8_t *b, size_t len, struct ikev2_delete *d)
{
	if (len < 4)
		return -1;
	d->proto = b[0];
	d->spi_size = b[1];
	d->n = get16(b + 2);
	d->spis = b + 4;
	if (d->proto == IKEV2_PROTO_IKE)
		return d->spi_size == 0 && d->n == 0 && len == 4 ? 0 : -1;
	if ((d->proto != IKEV2_PROTO_ESP && d->proto != IKEV2_PROTO_AH) || d->spi_size != 4)
		return -1;
	return len - 4 == (size_t)d->n * 4 ? 0 : -1;
}

/* ---- building ---- */

int ikev2_put_hdr(struct isakmp_buf *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
                  uint8_t exch, uint8_t flags, uint32_t msgid)
{
	uint8_t mb[4] = { (uint8_t)(msgid >> 24), (uint8_t)(msgid >> 16), (uint8_t)(msgid >> 8),
	                  (uint8_t)msgid };
	uint32_t m;
	memcpy(&m, mb, 4);          /* isakmp_put_hdr takes the message ID in wire order */
	if (isakmp_put_hdr(b, spi_i, spi_r, exch, flags, m) < 0)
		return -1;
	b->data[17] = IKEV2_VERSION;
	return 0;
}

int ikev2_put_sa1(struct isakmp_buf *b, uint8_t num, uint8_t proto, const uint8_t *spi,
                  size_t spi_size, const struct ikev2_trans *tr, int ntr)
{
	uint8_t body[8 + 8 + IKEV2_MAX_TRANS * 12];
	size_t o = 8;
	if (spi_size > 8 || ntr <= 0 || ntr > IKEV2_MAX_TRANS) {
		b->err = 1;
		return -1;
	}
	if (spi_size)
		memcpy(body + o, spi, spi_size);
	o += spi_size;
	for (int i = 0; i < ntr; i++) {
		size_t tl = tr[i].keylen ? 12 : 8;
		uint8_t *t = body + o;
		t[0] = i == ntr - 1 ? 0 : 3;
		t[1] = 0;
		t[2] = 0;
		t[3] = (uint8_t)tl;
		t[4] = tr[i].type;
		t[5] = 0;
		t[6] = (uint8_t)(tr[i].id >> 8);
		t[7] = (uint8_t)tr[i].id;
		if (tr[i].keylen) {
			t[8] = 0x80;
			t[9] = IKEV2_ATTR_KEY_LENGTH;
			t[10] = (uint8_t)(tr[i].keylen >> 8);
			t[11] = (uint8_t)tr[i].keylen;
		}
		o += tl;
	}
	body[0] = 0;                /* the last (only) proposal */
	body[1] = 0;
	body[2] = (uint8_t)(o >> 8);
	body[3] = (uint8_t)o;
	body[4] = num;
	body[5] = proto;
	body[6] = (uint8_t)spi_size;
	body[7] = (uint8_t)ntr;
	return isakmp_put_payload(b, IKEV2_NP_SA, body, o);
}

int ikev2_put_ke(struct isakmp_buf *b, uint16_t group, const uint8_t *pub, size_t len)
{
	uint8_t h[4] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };
	uint8_t body[4 + 1024];
	if (len > sizeof(body) - 4) {
		b->err = 1;
		return -1;
	}
	memcpy(body, h, 4);
	memcpy(body + 4, pub, len);
	return isakmp_put_payload(b, IKEV2_NP_KE, body, 4 + len);
}

int ikev2_put_notify(struct isakmp_buf *b, uint8_t proto, const uint8_t *spi, size_t spi_size,
                     uint16_t type, const uint8_t *data, size_t len)
{
	uint8_t body[4 + 8 + 512];
	if (spi_size > 8 || len > 512) {
		b->err = 1;
		return -1;
	}
	body[0] = proto;
	body[1] = (uint8_t)spi_size;
	body[2] = (uint8_t)(type >> 8);
	body[3] = (uint8_t)type;
	if (spi_size)
		memcpy(body + 4, spi, spi_size);
	if (len)
		memcpy(body + 4 + spi_size, data, len);
	return isakmp_put_payload(b, IKEV2_NP_N, body, 4 + spi_size + len);
}

int ikev2_put_typed(struct isakmp_buf *b, uint8_t np, uint8_t type, const uint8_t *data,
                    size_t len)
{
	uint8_t body[4 + 2048];
	if (len > sizeof(body) - 4) {
		b->err = 1;
		return -1;
	}
	body[0] = type;
	body[1] = body[2] = body[3] = 0;
	if (len)
		memcpy(body + 4, data, len);
	return isakmp_put_payload(b, np, body, 4 + len);
}

/* CERT (3.6): the encoding, then the certificate, no reserved bytes */
int ikev2_put_cert(struct isakmp_buf *b, const uint8_t *der, size_t len)
{
	uint8_t body[1 + 8192];
	if (len > sizeof(body) - 1) {
		b->err = 1;
		return -1;
	}
	body[0] = IKEV2_CERT_X509_SIG;
	memcpy(body + 1, der, len);
	return isakmp_put_payload(b, IKEV2_NP_CERT, body, 1 + len);
}

long ikev2_cp_attr(uint8_t *body, size_t len, size_t cap, uint16_t type, const void *val,
                   size_t vlen)
{
	if (len > cap || cap - len < 4 + vlen || vlen > 0xffff)
		return -1;
	body[len] = (uint8_t)((type >> 8) & 0x7f);
	body[len + 1] = (uint8_t)type;
	body[len + 2] = (uint8_t)(vlen >> 8);
	body[len + 3] = (uint8_t)vlen;
	if (vlen)
		memcpy(body + len + 4, val, vlen);
	return (long)(len + 4 + vlen);
}

int ikev2_put_ts(struct isakmp_buf *b, uint8_t np, const struct ikev2_ts *ts, int n)
{
	uint8_t body[4 + IKEV2_MAX_TS * 40];
	size_t o = 4;
	if (n <= 0 || n > IKEV2_MAX_TS) {
		b->err = 1;
		return -1;
	}
	body[0] = (uint8_t)n;
	body[1] = body[2] = body[3] = 0;
	for (int i = 0; i < n; i++) {
		size_t al = ts[i].type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4, sl = 8 + 2 * al;
		uint8_t *p = body + o;
		p[0] = ts[i].type;
		p[1] = ts[i].proto;
		p[2] = (uint8_t)(sl >> 8);
		p[3] = (uint8_t)sl;
		p[4] = (uint8_t)(ts[i].port_lo >> 8);
		p[5] = (uint8_t)ts[i].port_lo;
		p[6] = (uint8_t)(ts[i].port_hi >> 8);
		p[7] = (uint8_t)ts[i].port_hi;
		memcpy(p + 8, ts[i].lo, al);
		memcpy(p + 8 + al, ts[i].hi, al);
		o += sl;
	}
	return isakmp_put_payload(b, np, body, o);
}

int ikev2_put_delete(struct isakmp_buf *b, uint8_t proto, uint8_t spi_size, int n,
                     const uint8_t *spis)
{
	uint8_t body[4 + 64 * 4];
	if (n < 0 || n > 64 || (size_t)n * spi_size > sizeof(body) - 4) {
		b->err = 1;
		return -1;
	}
	body[0] = proto;
	body[1] = spi_size;
	body[2] = (uint8_t)(n >> 8);
	body[3] = (uint8_t)n;
	if (n)
		memcpy(body + 4, spis, (size_t)n * spi_size);
	return isakmp_put_payload(b, IKEV2_NP_D, body, 4 + (size_t)n * spi_size);
}
