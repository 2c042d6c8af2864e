/* ISAKMP codec: see isakmp.h. Every read is checked against the bytes that remain. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ikemgr/ike_crypto.h"
#include "ikemgr/isakmp.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Vendor IDs: MD5 hashes of the names (RFC 3706 for DPD, RFC 3947 for NAT-T), and the
 * fixed Cisco ones (XAUTH, Unity) as vpnc sends them. */
static const struct { const uint8_t *v; size_t len; } vids[VID_MAX] = {
	[VID_XAUTH]        = { (const uint8_t *)"\x09\x00\x26\x89\xdf\xd6\xb7\x12", 8 },
	[VID_UNITY]        = { (const uint8_t *)"\x12\xf5\xf2\x8c\x45\x71\x68\xa9\x70\x2d\x9f\xe2\x74\xcc\x01\x00", 16 },
	[VID_DPD]          = { (const uint8_t *)"\xaf\xca\xd7\x13\x68\xa1\xf1\xc9\x6b\x86\x96\xfc\x77\x57\x01\x00", 16 },
	[VID_NATT_RFC]     = { (const uint8_t *)"\x4a\x13\x1c\x81\x07\x03\x58\x45\x5c\x57\x28\xf2\x0e\x95\x45\x2f", 16 },
	[VID_NATT_DRAFT02] = { (const uint8_t *)"\xcd\x60\x46\x43\x35\xdf\x21\xf8\x7c\xfd\xb2\xfc\x68\xb6\xa4\x48", 16 },
	[VID_NATT_DRAFT02N] = { (const uint8_t *)"\x90\xcb\x80\x91\x3e\xbb\x69\x6e\x08\x63\x81\xb5\xec\x42\x7b\x1f", 16 },
	[VID_NATT_DRAFT03] = { (const uint8_t *)"\x7d\x94\x19\xa6\x53\x10\xca\x6f\x2c\x17\x9d\x92\x15\x52\x9d\x56", 16 },
};

int vid_is(const struct isakmp_payload *p, int vid)
{
	if (vid < 0 || vid >= VID_MAX)
		return 0;
	return p->len == vids[vid].len && !memcmp(p->body, vids[vid].v, vids[vid].len);
}

int isakmp_parse_hdr(const uint8_t *pkt, size_t len, struct isakmp_hdr *out)
{
	if (len < ISAKMP_HDR_LEN)
		return -1;
	memcpy(out, pkt, ISAKMP_HDR_LEN);
	if (ntohl(out->len) != len || out->version != 0x10)
		return -1;
	return 0;
}

int isakmp_parse_payloads(uint8_t first, const uint8_t *buf, size_t len, struct isakmp_msg *out)
{
	const uint8_t *p = buf, *end = buf + len;
	uint8_t type = first;
	out->npl = 0;
	while (type != ISAKMP_NP_NONE) {
		if (end - p < 4 || out->npl >= ISAKMP_MAX_PAYLOADS)
			return -1;
		uint16_t plen = rd16(p + 2);
		if (plen < 4 || plen > end - p)
			return -1;
		struct isakmp_payload *pl = &out->pl[out->npl++];
		pl->type = type;
		pl->raw = p;
		pl->body = p + 4;
		pl->len = (uint16_t)(plen - 4);
		type = p[0];
		p += plen;
	}
	return 0;
}

int isakmp_parse(const uint8_t *pkt, size_t len, struct isakmp_msg *out)
{
	if (isakmp_parse_hdr(pkt, len, &out->hdr) < 0)
		return -1;
	if (out->hdr.flags & ISAKMP_FLAG_E)
		return -1;   /* the caller decrypts first and uses isakmp_parse_payloads */
	if (isakmp_parse_payloads(out->hdr.next_payload, pkt + ISAKMP_HDR_LEN,
	                          len - ISAKMP_HDR_LEN, out) < 0)
		return -1;
	/* Outside encryption there is no padding: the chain must fill the datagram. */
	if (out->npl) {
		const struct isakmp_payload *l = &out->pl[out->npl - 1];
		if (l->body + l->len != pkt + len)
			return -1;
	}
	return 0;
}

static int parse_attrs(const uint8_t *p, const uint8_t *end, struct isakmp_trans *t)
{
	t->nattr = 0;
	while (p < end) {
		if (end - p < 4 || t->nattr >= ISAKMP_MAX_ATTRS)
			return -1;
		struct isakmp_attr *a = &t->attr[t->nattr++];
		uint16_t ty = rd16(p), w = rd16(p + 2);
		a->type = ty & 0x7fff;
		a->tv = !!(ty & 0x8000);
		if (a->tv) {
			a->value = w;
			a->len = 0;
			p += 4;
			continue;
		}
		if (w > end - p - 4 || w > 8 || w == 0)
			return -1;   /* SA attributes we understand are at most 8 bytes */
		a->len = w;
		a->value = 0;
		for (int i = 0; i < w; i++)
			a->value = a->value << 8 | p[4 + i];
		p += 4 + w;
	}
	return 0;
}

int isakmp_parse_sa(const uint8_t *body, size_t len, struct isakmp_sa *out)
{
	const uint8_t *p = body + 8, *end = body + len;
	out->nprop = 0;
	out->ntr = 0;
	if (len < 8)
		return -1;
	out->doi = rd32(body);
	out->situation = rd32(body + 4);
	uint8_t np = ISAKMP_NP_P;
	while (np == ISAKMP_NP_P) {
		if (end - p < 8 || out->nprop >= ISAKMP_MAX_PROPS)
			return -1;
		uint16_t plen = rd16(p + 2);
		if (plen < 8 || plen > end - p)
			return -1;
		struct isakmp_prop *pr = &out->prop[out->nprop++];
		np = p[0];
		pr->num = p[4];
		pr->proto = p[5];
		pr->spi_len = p[6];
		int ntrans = p[7];
		if (pr->spi_len > 16 || 8u + pr->spi_len > plen)
			return -1;
		memcpy(pr->spi, p + 8, pr->spi_len);
		pr->trans = &out->tr[out->ntr];
		pr->ntrans = 0;
		const uint8_t *t = p + 8 + pr->spi_len, *pend = p + plen;
		uint8_t tnp = ntrans ? ISAKMP_NP_T : ISAKMP_NP_NONE;
		while (tnp == ISAKMP_NP_T) {
			if (pend - t < 8 || out->ntr >= ISAKMP_MAX_TRANS)
				return -1;
			uint16_t tlen = rd16(t + 2);
			if (tlen < 8 || tlen > pend - t)
				return -1;
			struct isakmp_trans *tr = &out->tr[out->ntr++];
			tnp = t[0];
			tr->num = t[4];
			tr->id = t[5];
			if (parse_attrs(t + 8, t + tlen, tr) < 0)
				return -1;
			pr->ntrans++;
			t += tlen;
		}
		if (tnp != ISAKMP_NP_NONE || pr->ntrans != ntrans)
			return -1;
		p += plen;
	}
	return np == ISAKMP_NP_NONE ? 0 : -1;
}

int isakmp_parse_notify(const uint8_t *body, size_t len, struct isakmp_notify *out)
{
	if (len < 8)
		return -1;
	out->doi = rd32(body);
	out->proto = body[4];
	out->spi_size = body[5];
	out->type = rd16(body + 6);
	if (8u + out->spi_size > len)
		return -1;
	out->spi = body + 8;
	out->data = body + 8 + out->spi_size;
	out->datalen = len - 8 - out->spi_size;
	return 0;
}

int isakmp_parse_delete(const uint8_t *body, size_t len, struct isakmp_delete *out)
{
	if (len < 8)
		return -1;
	out->doi = rd32(body);
	out->proto = body[4];
	out->spi_size = body[5];
	out->nspi = rd16(body + 6);
	if (out->spi_size == 0 || (size_t)out->spi_size * out->nspi != len - 8)
		return -1;
	out->spis = body + 8;
	return 0;
}

/* ---- building ---- */

void isakmp_buf_init(struct isakmp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void isakmp_buf_free(struct isakmp_buf *b)
{
	if (b->data)
		memset(b->data, 0, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int isakmp_buf_reserve(struct isakmp_buf *b, size_t more)
{
	if (b->err)
		return -1;
	if (b->len + more <= b->cap)
		return 0;
	if (b->len + more > 65535) {
		b->err = 1;
		return -1;
	}
	size_t cap = b->cap ? b->cap : 512;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		b->err = 1;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

static int put(struct isakmp_buf *b, const void *d, size_t len)
{
	if (isakmp_buf_reserve(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, d, len);
	b->len += len;
	return 0;
}

static int put16(struct isakmp_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return put(b, x, 2);
}

int isakmp_put_hdr(struct isakmp_buf *b, const uint8_t cky_i[8], const uint8_t cky_r[8],
                   uint8_t exch, uint8_t flags, uint32_t msgid_net)
{
	struct isakmp_hdr h;
	memcpy(h.cky_i, cky_i, 8);
	memcpy(h.cky_r, cky_r, 8);
	h.next_payload = 0;
	h.version = 0x10;
	h.exch_type = exch;
	h.flags = flags;
	h.msgid = msgid_net;
	h.len = htonl(ISAKMP_HDR_LEN);
	b->len = 0;
	if (put(b, &h, sizeof(h)) < 0)
		return -1;
	b->np_off = offsetof(struct isakmp_hdr, next_payload);
	return 0;
}

/* Starts a payload of the given type: links it from the previous one, writes its generic
 * header (length patched by the caller when it is known up front). */
static int begin_payload(struct isakmp_buf *b, uint8_t type, size_t bodylen)
{
	if (bodylen + 4 > 65535 || isakmp_buf_reserve(b, 4 + bodylen) < 0)
		return -1;
	b->data[b->np_off] = type;
	b->np_off = b->len;
	uint8_t g[4] = { 0, 0, (uint8_t)((bodylen + 4) >> 8), (uint8_t)(bodylen + 4) };
	return put(b, g, 4);
}

int isakmp_put_payload(struct isakmp_buf *b, uint8_t type, const void *body, size_t len)
{
	if (begin_payload(b, type, len) < 0)
		return -1;
	return put(b, body, len);
}

int isakmp_put_vid(struct isakmp_buf *b, int vid)
{
	if (vid < 0 || vid >= VID_MAX)
		return -1;
	return isakmp_put_payload(b, ISAKMP_NP_VID, vids[vid].v, vids[vid].len);
}

int isakmp_put_notify(struct isakmp_buf *b, uint8_t proto, uint16_t type, const uint8_t *spi,
                      size_t spilen, const uint8_t *data, size_t datalen)
{
	uint8_t h[8] = { 0, 0, 0, 1, proto, (uint8_t)spilen, (uint8_t)(type >> 8), (uint8_t)type };
	if (spilen > 16 || begin_payload(b, ISAKMP_NP_N, 8 + spilen + datalen) < 0)
		return -1;
	if (put(b, h, 8) < 0 || put(b, spi, spilen) < 0 || put(b, data, datalen) < 0)
		return -1;
	return 0;
}

int isakmp_put_delete(struct isakmp_buf *b, uint8_t proto, uint8_t spi_size, int n,
                      const uint8_t *spis)
{
	size_t l = (size_t)spi_size * (size_t)n;
	uint8_t h[8] = { 0, 0, 0, 1, proto, spi_size, (uint8_t)(n >> 8), (uint8_t)n };
	if (begin_payload(b, ISAKMP_NP_D, 8 + l) < 0)
		return -1;
	return put(b, h, 8) < 0 || put(b, spis, l) < 0 ? -1 : 0;
}

static int put_attr(struct isakmp_buf *b, const struct isakmp_attr *a)
{
	if (a->tv)
		return put16(b, a->type | 0x8000) < 0 || put16(b, (uint16_t)a->value) < 0 ? -1 : 0;
	uint8_t v[8];
	for (int i = 0; i < a->len; i++)
		v[i] = (uint8_t)(a->value >> (8 * (a->len - 1 - i)));
	return put16(b, a->type) < 0 || put16(b, a->len) < 0 || put(b, v, a->len) < 0 ? -1 : 0;
}

/* SA payload: DOI IPsec, SIT_IDENTITY_ONLY, one proposal, one transform. The transform is
 * written by emit(), the lengths patched afterwards. */
static int put_sa(struct isakmp_buf *b, uint8_t prop_num, uint8_t proto, const uint8_t *spi,
                  uint8_t spilen, const struct isakmp_trans *t, const struct isakmp_attr *extra,
                  int nextra, int skip_life)
{
	size_t sa_off, p_off, t_off;
	if (begin_payload(b, ISAKMP_NP_SA, 0) < 0)
		return -1;
	sa_off = b->len - 4;
	static const uint8_t doi_sit[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	if (put(b, doi_sit, 8) < 0)
		return -1;
	p_off = b->len;
	uint8_t ph[8] = { 0, 0, 0, 0, prop_num, proto, spilen, 1 };
	if (put(b, ph, 8) < 0 || put(b, spi, spilen) < 0)
		return -1;
	t_off = b->len;
	uint8_t th[8] = { 0, 0, 0, 0, t->num, t->id, 0, 0 };
	if (put(b, th, 8) < 0)
		return -1;
	for (int i = 0; i < t->nattr; i++) {
		const struct isakmp_attr *a = &t->attr[i];
		if (skip_life && (a->type == IPSEC_ATTR_SA_LIFE_TYPE ||
		                  a->type == IPSEC_ATTR_SA_LIFE_DURATION))
			continue;
		if (put_attr(b, a) < 0)
			return -1;
	}
	for (int i = 0; i < nextra; i++)
		if (put_attr(b, &extra[i]) < 0)
			return -1;
	size_t end = b->len;
	b->data[t_off + 2] = (uint8_t)((end - t_off) >> 8);
	b->data[t_off + 3] = (uint8_t)(end - t_off);
	b->data[p_off + 2] = (uint8_t)((end - p_off) >> 8);
	b->data[p_off + 3] = (uint8_t)(end - p_off);
	b->data[sa_off + 2] = (uint8_t)((end - sa_off) >> 8);
	b->data[sa_off + 3] = (uint8_t)(end - sa_off);
	return 0;
}

int isakmp_put_sa_p1(struct isakmp_buf *b, uint8_t prop_num, const struct isakmp_trans *t)
{
	return put_sa(b, prop_num, ISAKMP_PROTO_ISAKMP, NULL, 0, t, NULL, 0, 0);
}

int isakmp_put_sa_p2(struct isakmp_buf *b, uint8_t prop_num, uint32_t spi_net,
                     const struct isakmp_trans *t, uint32_t life_seconds)
{
	/* vpnc wants the life type immediately followed by its duration */
	struct isakmp_attr life[2] = {
		{ .type = IPSEC_ATTR_SA_LIFE_TYPE, .tv = 1, .value = 1 },
		{ .type = IPSEC_ATTR_SA_LIFE_DURATION, .tv = 0, .value = life_seconds, .len = 4 },
	};
	return put_sa(b, prop_num, ISAKMP_PROTO_IPSEC_ESP, (const uint8_t *)&spi_net, 4, t, life,
	              life_seconds ? 2 : 0, 1);
}

int isakmp_finalize(struct isakmp_buf *b)
{
	if (b->err || b->len < ISAKMP_HDR_LEN)
		return -1;
	uint32_t l = htonl((uint32_t)b->len);
	memcpy(b->data + offsetof(struct isakmp_hdr, len), &l, 4);
	return 0;
}

int isakmp_natd_hash(int hash, const uint8_t cky_i[8], const uint8_t cky_r[8], struct in_addr a,
                     uint16_t port_net, uint8_t *out)
{
	struct iovec v[4] = { { (void *)cky_i, 8 }, { (void *)cky_r, 8 }, { &a, 4 },
	                      { &port_net, 2 } };
	return ike_hash(hash, v, 4, out);
}
