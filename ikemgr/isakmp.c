/*
 * ISAKMP wire codec: header, payload chain, SA payloads, the small fixed payloads (notify,
 * delete, ID, vendor ID), Mode Config attribute lists, and the message builder. See isakmp.h.
 * Every read is checked against the bytes that remain.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/ike_crypto.h"
#include "ikemgr/isakmp.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#define ATTR_AF 0x8000          /* attribute format bit: set = TV (basic), clear = TLV */

/*
 * Vendor IDs, each checked against its derivation in test_isakmp.c:
 *   XAUTH   first 8 bytes of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt")
 *   Unity   MD5("CISCO-UNITY") with the last two bytes replaced by version 1.0
 *   DPD     MD5("CISCO-DEAD-PEER-DETECTION") likewise, the bytes listed in RFC 3706 5.1
 *   NAT-T   MD5("RFC 3947") (RFC 3947 3.1); the drafts: MD5("draft-ietf-ipsec-nat-t-ike-02"),
 *           MD5("draft-ietf-ipsec-nat-t-ike-02\n") (sic, what implementations send) and
 *           MD5("draft-ietf-ipsec-nat-t-ike-03").
 */
static const struct { uint8_t v[16]; size_t len; } vids[VID_MAX] = {
	[VID_XAUTH]         = { { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 }, 8 },
	[VID_UNITY]         = { { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
	                          0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 }, 16 },
	[VID_DPD]           = { { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	                          0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }, 16 },
	[VID_NATT_RFC]      = { { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	                          0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }, 16 },
	[VID_NATT_DRAFT02]  = { { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
	                          0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 }, 16 },
	[VID_NATT_DRAFT02N] = { { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	                          0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f }, 16 },
	[VID_NATT_DRAFT03]  = { { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	                          0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 }, 16 },
};

const uint8_t *isakmp_vid(int vid, size_t *len)
{
	if (vid < 0 || vid >= VID_MAX)
		return NULL;
	*len = vids[vid].len;
	return vids[vid].v;
}

int vid_is(const struct isakmp_payload *p, int vid)
{
	if (vid < 0 || vid >= VID_MAX)
		return 0;
	return p->type == ISAKMP_NP_VID && p->len == vids[vid].len &&
	       !memcmp(p->body, vids[vid].v, vids[vid].len);
}

/* ---- parsing ---- */

int isakmp_parse_hdr(const uint8_t *pkt, size_t len, struct isakmp_hdr *out)
{
	if (!pkt || len < ISAKMP_HDR_LEN)
		return -1;
	memcpy(out, pkt, ISAKMP_HDR_LEN);
	if (ntohl(out->len) != len || out->version != ISAKMP_VERSION)
		return -1;
	return 0;
}

int isakmp_parse_payloads(uint8_t first, const uint8_t *buf, size_t len, struct isakmp_msg *out)
{
	size_t off = 0;
	uint8_t type = first;
	out->npl = 0;
	out->padlen = 0;
	while (type != ISAKMP_NP_NONE) {
		if (len - off < ISAKMP_GEN_LEN || out->npl >= ISAKMP_MAX_PAYLOADS)
			return -1;
		const uint8_t *p = buf + off;
		uint16_t plen = rd16(p + 2);
		if (plen < ISAKMP_GEN_LEN || plen > len - off)
			return -1;
		struct isakmp_payload *pl = &out->pl[out->npl++];
		pl->type = type;
		pl->raw = p;
		pl->body = p + ISAKMP_GEN_LEN;
		pl->len = (uint16_t)(plen - ISAKMP_GEN_LEN);
		type = p[0];
		off += plen;
	}
	out->padlen = len - off;
	return 0;
}

int isakmp_parse(const uint8_t *pkt, size_t len, struct isakmp_msg *out)
{
	if (isakmp_parse_hdr(pkt, len, &out->hdr) < 0)
		return -1;
	if (out->hdr.flags & ISAKMP_FLAG_E)
		return -1;
	if (isakmp_parse_payloads(out->hdr.next_payload, pkt + ISAKMP_HDR_LEN,
	                          len - ISAKMP_HDR_LEN, out) < 0)
		return -1;
	/* without encryption there is nothing to pad: trailing bytes are garbage */
	return out->padlen ? -1 : 0;
}

int isakmp_parse_notify(const uint8_t *body, size_t len, struct isakmp_notify *out)
{
	if (len < 8)
		return -1;
	out->doi = rd32(body);
	out->proto = body[4];
	out->spi_size = body[5];
	out->type = rd16(body + 6);
	if (len - 8 < out->spi_size)
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
	if (out->spi_size == 0 || out->nspi == 0 || (size_t)out->spi_size * out->nspi != len - 8)
		return -1;
	out->spis = body + 8;
	return 0;
}

int isakmp_certs(const struct isakmp_msg *m, uint8_t *buf, size_t cap, uint16_t *lens, int max)
{
	size_t off = 0;
	int n = 0;

	for (int i = 0; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type != ISAKMP_NP_CERT || p->len < 2 || p->body[0] != ISAKMP_CERT_X509_SIG)
			continue;
		size_t l = p->len - 1u;
		if (n == max || l > cap - off)
			break;
		memcpy(buf + off, p->body + 1, l);
		lens[n++] = (uint16_t)l;
		off += l;
	}
	return n;
}

int isakmp_parse_id(const uint8_t *body, size_t len, struct isakmp_id *out)
{
	if (len < 5)
		return -1;
	out->type = body[0];
	out->proto = body[1];
	out->port = rd16(body + 2);
	out->data = body + 4;
	out->len = len - 4;
	return 0;
}

/* ---- SA payload parsing ---- */

static int parse_attrs(const uint8_t *p, size_t len, struct isakmp_trans *t)
{
	size_t off = 0;
	t->nattr = 0;
	while (off < len) {
		if (len - off < 4 || t->nattr >= ISAKMP_MAX_ATTRS)
			return -1;
		struct isakmp_attr *a = &t->attr[t->nattr++];
		uint16_t ty = rd16(p + off), w = rd16(p + off + 2);
		a->type = ty & ~ATTR_AF;
		a->tv = !!(ty & ATTR_AF);
		a->value = 0;
		if (a->tv) {
			a->value = w;
			a->len = 0;
			a->data = NULL;
			off += 4;
			continue;
		}
		if (w > len - off - 4)
			return -1;
		a->len = w;
		a->data = p + off + 4;
		/* longer values (none of the SA attributes we act on) stay reachable through data */
		if (w <= 8)
			for (int i = 0; i < w; i++)
				a->value = a->value << 8 | a->data[i];
		off += 4 + (size_t)w;
	}
	return 0;
}

/* The transforms of one proposal: exactly ntrans of them, filling the proposal to its end. */
static int parse_transforms(const uint8_t *p, size_t len, int ntrans, struct isakmp_sa *sa,
                            struct isakmp_prop *pr)
{
	size_t off = 0;
	uint8_t np = ntrans ? ISAKMP_NP_T : ISAKMP_NP_NONE;
	pr->trans = &sa->tr[sa->ntr];
	pr->ntrans = 0;
	while (np == ISAKMP_NP_T) {
		if (len - off < 8 || pr->ntrans >= ntrans)
			return -1;
		uint16_t tlen = rd16(p + off + 2);
		if (tlen < 8 || tlen > len - off)
			return -1;
		struct isakmp_trans *tr = &sa->tr[sa->ntr];
		np = p[off];
		tr->num = p[off + 4];
		tr->id = p[off + 5];
		if (parse_attrs(p + off + 8, tlen - 8u, tr) < 0)
			return -1;
		sa->ntr++;
		pr->ntrans++;
		off += tlen;
	}
	return np == ISAKMP_NP_NONE && pr->ntrans == ntrans && off == len ? 0 : -1;
}

int isakmp_parse_sa(const uint8_t *body, size_t len, struct isakmp_sa *out)
{
	out->nprop = 0;
	out->ntr = 0;
	if (len < 8)
		return -1;
	out->doi = rd32(body);
	out->situation = rd32(body + 4);
	/* other situations carry labelled-domain fields (RFC 2407 4.6.1) we cannot skip safely */
	if (out->doi != ISAKMP_DOI_IPSEC || out->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return -1;

	size_t off = 8;
	uint8_t np = ISAKMP_NP_P;
	while (np == ISAKMP_NP_P) {
		if (len - off < 8 || out->nprop >= ISAKMP_MAX_PROPS)
			return -1;
		const uint8_t *p = body + off;
		uint16_t plen = rd16(p + 2);
		if (plen < 8 || plen > len - off)
			return -1;
		struct isakmp_prop *pr = &out->prop[out->nprop++];
		np = p[0];
		pr->num = p[4];
		pr->proto = p[5];
		pr->spi_len = p[6];
		pr->and_group = 0;
		int ntrans = p[7];
		if (pr->spi_len > sizeof(pr->spi) || 8u + pr->spi_len > plen ||
		    ntrans > ISAKMP_MAX_TRANS_PER_PROP || out->ntr + ntrans > ISAKMP_MAX_TRANS)
			return -1;
		memcpy(pr->spi, p + 8, pr->spi_len);
		if (parse_transforms(p + 8 + pr->spi_len, plen - 8u - pr->spi_len, ntrans, out,
		                     pr) < 0)
			return -1;
		off += plen;
	}
	if (np != ISAKMP_NP_NONE || off != len)
		return -1;
	/* RFC 2408 4.2: proposals sharing a number are one offer, all of them AND-ed */
	for (int i = 0; i < out->nprop; i++)
		for (int j = 0; j < out->nprop; j++)
			if (i != j && out->prop[i].num == out->prop[j].num)
				out->prop[i].and_group = 1;
	return 0;
}

const struct isakmp_attr *isakmp_trans_attr(const struct isakmp_trans *t, uint16_t type)
{
	for (int i = 0; i < t->nattr; i++)
		if (t->attr[i].type == type)
			return &t->attr[i];
	return NULL;
}

/* ---- attribute payloads (Mode Config, XAUTH) ---- */

int isakmp_parse_cfg(const uint8_t *body, size_t len, struct isakmp_cfg *out)
{
	if (len < 4)
		return -1;
	out->type = body[0];
	out->id = rd16(body + 2);
	out->attrs = body + 4;
	out->len = len - 4;
	return 0;
}

void isakmp_attr_it_init(struct isakmp_attr_it *it, const uint8_t *attrs, size_t len)
{
	it->p = attrs;
	it->end = attrs ? attrs + len : attrs;
	it->err = 0;
}

int isakmp_attr_next(struct isakmp_attr_it *it, struct isakmp_cfg_attr *a)
{
	if (it->err)
		return -1;
	if (it->p == it->end)
		return 0;
	size_t left = (size_t)(it->end - it->p);
	if (left < 4)
		goto bad;
	uint16_t ty = rd16(it->p), w = rd16(it->p + 2);
	a->type = ty & ~ATTR_AF;
	a->tv = !!(ty & ATTR_AF);
	if (a->tv) {
		a->value = w;
		a->data = it->p + 2;
		a->len = 2;
		it->p += 4;
		return 1;
	}
	if (w > left - 4)
		goto bad;
	a->value = 0;
	a->data = it->p + 4;
	a->len = w;
	it->p += 4 + (size_t)w;
	return 1;
bad:
	it->err = 1;
	return -1;
}

/* ---- building ---- */

void isakmp_buf_init(struct isakmp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void isakmp_buf_free(struct isakmp_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int isakmp_buf_reserve(struct isakmp_buf *b, size_t more)
{
	if (b->err)
		return -1;
	if (more > ISAKMP_MAX_MSG || b->len + more > ISAKMP_MAX_MSG) {
		b->err = 1;
		return -1;
	}
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 512;
	while (cap < b->len + more)
		cap *= 2;
	/* not realloc(): the old block may hold key material and must be wiped, not abandoned */
	uint8_t *d = malloc(cap);
	if (!d) {
		b->err = 1;
		return -1;
	}
	if (b->data) {
		memcpy(d, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
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

int isakmp_put_hdr(struct isakmp_buf *b, const uint8_t cky_i[8], const uint8_t cky_r[8],
                   uint8_t exch, uint8_t flags, uint32_t msgid_net)
{
	struct isakmp_hdr h;
	if (b->err)
		return -1;
	memcpy(h.cky_i, cky_i, 8);
	memcpy(h.cky_r, cky_r, 8);
	h.next_payload = ISAKMP_NP_NONE;
	h.version = ISAKMP_VERSION;
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

/* Two writes (header, body) so a body may be given in parts; the chain link comes first. */
static int begin_payload(struct isakmp_buf *b, uint8_t type, size_t bodylen)
{
	if (b->err || b->len < ISAKMP_HDR_LEN || bodylen > ISAKMP_MAX_MSG - ISAKMP_GEN_LEN ||
	    isakmp_buf_reserve(b, ISAKMP_GEN_LEN + bodylen) < 0) {
		b->err = 1;
		return -1;
	}
	size_t plen = bodylen + ISAKMP_GEN_LEN;
	uint8_t g[ISAKMP_GEN_LEN] = { ISAKMP_NP_NONE, 0, (uint8_t)(plen >> 8), (uint8_t)plen };
	b->data[b->np_off] = type;
	b->np_off = b->len;
	return put(b, g, sizeof(g));
}

int isakmp_put_payload(struct isakmp_buf *b, uint8_t type, const void *body, size_t len)
{
	if (begin_payload(b, type, len) < 0)
		return -1;
	return put(b, body, len);
}

int isakmp_put_vid(struct isakmp_buf *b, int vid)
{
	size_t len;
	const uint8_t *v = isakmp_vid(vid, &len);
	if (!v) {
		b->err = 1;
		return -1;
	}
	return isakmp_put_payload(b, ISAKMP_NP_VID, v, len);
}

int isakmp_put_notify(struct isakmp_buf *b, uint8_t proto, uint16_t type, const uint8_t *spi,
                      size_t spilen, const uint8_t *data, size_t datalen)
{
	uint8_t h[8] = { 0, 0, 0, ISAKMP_DOI_IPSEC, proto, (uint8_t)spilen, (uint8_t)(type >> 8),
	                 (uint8_t)type };
	if (spilen > 16 || datalen > ISAKMP_MAX_MSG) {
		b->err = 1;
		return -1;
	}
	if (begin_payload(b, ISAKMP_NP_N, 8 + spilen + datalen) < 0)
		return -1;
	return put(b, h, 8) < 0 || put(b, spi, spilen) < 0 || put(b, data, datalen) < 0 ? -1 : 0;
}

int isakmp_put_delete(struct isakmp_buf *b, uint8_t proto, uint8_t spi_size, int n,
                      const uint8_t *spis)
{
	if (n < 1 || n > 0xffff || !spi_size) {
		b->err = 1;
		return -1;
	}
	size_t l = (size_t)spi_size * (size_t)n;
	uint8_t h[8] = { 0, 0, 0, ISAKMP_DOI_IPSEC, proto, spi_size, (uint8_t)(n >> 8),
	                 (uint8_t)n };
	if (begin_payload(b, ISAKMP_NP_D, 8 + l) < 0)
		return -1;
	return put(b, h, 8) < 0 || put(b, spis, l) < 0 ? -1 : 0;
}

int isakmp_put_id(struct isakmp_buf *b, uint8_t id_type, uint8_t proto, uint16_t port,
                  const void *data, size_t len)
{
	uint8_t h[4] = { id_type, proto, (uint8_t)(port >> 8), (uint8_t)port };
	if (len > ISAKMP_MAX_MSG) {
		b->err = 1;
		return -1;
	}
	if (begin_payload(b, ISAKMP_NP_ID, 4 + len) < 0)
		return -1;
	return put(b, h, 4) < 0 || put(b, data, len) < 0 ? -1 : 0;
}

int isakmp_finalize(struct isakmp_buf *b)
{
	if (b->err || b->len < ISAKMP_HDR_LEN)
		return -1;
	uint32_t l = htonl((uint32_t)b->len);
	memcpy(b->data + offsetof(struct isakmp_hdr, len), &l, 4);
	return 0;
}

/* ---- attribute list building ---- */

void isakmp_attrs_init(struct isakmp_attrs *a)
{
	a->len = 0;
	a->err = 0;
}

int isakmp_attrs_tv(struct isakmp_attrs *a, uint16_t type, uint16_t value)
{
	if (a->err || sizeof(a->data) - a->len < 4) {
		a->err = 1;
		return -1;
	}
	wr16(a->data + a->len, type | ATTR_AF);
	wr16(a->data + a->len + 2, value);
	a->len += 4;
	return 0;
}

int isakmp_attrs_tlv(struct isakmp_attrs *a, uint16_t type, const void *data, size_t len)
{
	if (a->err || len > 0xffff || sizeof(a->data) - a->len < 4 + len) {
		a->err = 1;
		return -1;
	}
	wr16(a->data + a->len, type & ~ATTR_AF);
	wr16(a->data + a->len + 2, len);
	if (len)
		memcpy(a->data + a->len + 4, data, len);
	a->len += 4 + len;
	return 0;
}

int isakmp_attrs_tlv32(struct isakmp_attrs *a, uint16_t type, uint32_t value)
{
	uint8_t v[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
	                 (uint8_t)value };
	return isakmp_attrs_tlv(a, type, v, sizeof(v));
}

int isakmp_attrs_put(struct isakmp_attrs *a, const struct isakmp_attr *at)
{
	if (at->tv)
		return isakmp_attrs_tv(a, at->type, (uint16_t)at->value);
	/* Re-encoded from the integer, never from data: a stored transform outlives its packet. */
	if (at->len > 8) {
		a->err = 1;
		return -1;
	}
	uint8_t v[8];
	for (int i = 0; i < at->len; i++)
		v[i] = (uint8_t)(at->value >> (8 * (at->len - 1 - i)));
	return isakmp_attrs_tlv(a, at->type, v, at->len);
}

int isakmp_put_cfg(struct isakmp_buf *b, uint8_t cfg_type, uint16_t id,
                   const struct isakmp_attrs *a)
{
	uint8_t body[4 + ISAKMP_ATTRS_MAX];
	if (a->err || a->len > ISAKMP_ATTRS_MAX) {
		b->err = 1;
		return -1;
	}
	body[0] = cfg_type;
	body[1] = 0;
	wr16(body + 2, id);
	memcpy(body + 4, a->data, a->len);
	int rc = isakmp_put_payload(b, ISAKMP_NP_ATTR, body, 4 + a->len);
	/* XAUTH passwords pass through here */
	memset(body, 0, 4 + a->len);
	return rc;
}

/* ---- SA payload building ---- */

/* SA body: DOI, situation, one proposal (protocol, SPI), one transform with the attributes. */
static int build_sa(struct isakmp_buf *b, uint8_t prop_num, uint8_t proto, const uint8_t *spi,
                    uint8_t spilen, uint8_t trans_num, uint8_t trans_id,
                    const struct isakmp_attrs *a)
{
	uint8_t body[8 + 8 + 4 + 8 + ISAKMP_ATTRS_MAX];
	if (a->err || a->len > ISAKMP_ATTRS_MAX || spilen > 4) {
		b->err = 1;
		return -1;
	}
	size_t tlen = 8 + a->len, plen = 8 + spilen + tlen;
	uint8_t *p = body + 8, *t = p + 8 + spilen;

	memset(body, 0, 8 + 8 + spilen + 8);
	body[3] = ISAKMP_DOI_IPSEC;
	body[7] = ISAKMP_SIT_IDENTITY_ONLY;
	p[0] = ISAKMP_NP_NONE;
	wr16(p + 2, plen);
	p[4] = prop_num;
	p[5] = proto;
	p[6] = spilen;
	p[7] = 1;
	if (spilen)
		memcpy(p + 8, spi, spilen);
	t[0] = ISAKMP_NP_NONE;
	wr16(t + 2, tlen);
	t[4] = trans_num;
	t[5] = trans_id;
	memcpy(t + 8, a->data, a->len);
	return isakmp_put_payload(b, ISAKMP_NP_SA, body, 8 + plen);
}

int isakmp_build_sa_p1(struct isakmp_buf *b, uint8_t prop_num, uint8_t trans_num,
                       const struct isakmp_attrs *a)
{
	return build_sa(b, prop_num, ISAKMP_PROTO_ISAKMP, NULL, 0, trans_num, ISAKMP_KEY_IKE, a);
}

int isakmp_build_sa_p2(struct isakmp_buf *b, uint8_t prop_num, uint8_t trans_num,
                       uint8_t esp_id, uint32_t spi_net, const struct isakmp_attrs *a)
{
	return build_sa(b, prop_num, ISAKMP_PROTO_IPSEC_ESP, (const uint8_t *)&spi_net, 4,
	                trans_num, esp_id, a);
}

int isakmp_build_sa_offer(struct isakmp_buf *b, int phase2, uint32_t spi_net, int n,
                          const uint8_t *ids, const struct isakmp_attrs *a)
{
	size_t cap = 8 + (size_t)n * (8 + 4 + 8 + ISAKMP_ATTRS_MAX), w = 8;
	uint8_t *body, spilen = phase2 ? 4 : 0;
	int rc;

	if (n < 1 || n > 64 || (body = calloc(1, cap)) == NULL) {
		b->err = 1;
		return -1;
	}
	body[3] = ISAKMP_DOI_IPSEC;
	body[7] = ISAKMP_SIT_IDENTITY_ONLY;
	size_t prop = 0;
	for (int k = 0; k < n; k++) {
		if (a[k].err || a[k].len > ISAKMP_ATTRS_MAX) {
			free(body);
			b->err = 1;
			return -1;
		}
		if (k == 0 || phase2) {
			if (phase2 && k)
				body[prop] = ISAKMP_NP_P;
			prop = w;
			body[w + 4] = (uint8_t)(phase2 ? k + 1 : 1);
			body[w + 5] = phase2 ? ISAKMP_PROTO_IPSEC_ESP : ISAKMP_PROTO_ISAKMP;
			body[w + 6] = spilen;
			body[w + 7] = (uint8_t)(phase2 ? 1 : n);
			if (spilen)
				memcpy(body + w + 8, &spi_net, 4);
			w += 8 + spilen;
		} else {
			body[w - 8 - a[k - 1].len] = ISAKMP_NP_T;   /* the previous transform's */
		}
		size_t tlen = 8 + a[k].len;
		wr16(body + w + 2, tlen);
		body[w + 4] = (uint8_t)(phase2 ? 1 : k + 1);
		body[w + 5] = phase2 ? ids[k] : ISAKMP_KEY_IKE;
		memcpy(body + w + 8, a[k].data, a[k].len);
		w += tlen;
		wr16(body + prop + 2, w - prop);
	}
	rc = isakmp_put_payload(b, ISAKMP_NP_SA, body, w);
	free(body);
	return rc;
}

int isakmp_put_sa_p1(struct isakmp_buf *b, uint8_t prop_num, const struct isakmp_trans *t)
{
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	for (int i = 0; i < t->nattr; i++)
		isakmp_attrs_put(&a, &t->attr[i]);
	return build_sa(b, prop_num, ISAKMP_PROTO_ISAKMP, NULL, 0, t->num, t->id, &a);
}

int isakmp_put_sa_p2(struct isakmp_buf *b, uint8_t prop_num, uint32_t spi_net,
                     const struct isakmp_trans *t, uint32_t life_seconds)
{
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	for (int i = 0; i < t->nattr; i++) {
		const struct isakmp_attr *at = &t->attr[i];
		if (at->type != IPSEC_ATTR_SA_LIFE_TYPE && at->type != IPSEC_ATTR_SA_LIFE_DURATION)
			isakmp_attrs_put(&a, at);
	}
	/* vpnc wants the life type immediately followed by its duration */
	if (life_seconds) {
		isakmp_attrs_tv(&a, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
		isakmp_attrs_tlv32(&a, IPSEC_ATTR_SA_LIFE_DURATION, life_seconds);
	}
	return isakmp_build_sa_p2(b, prop_num, t->num, t->id, spi_net, &a);
}

int isakmp_natd_hash(int hash, const uint8_t cky_i[8], const uint8_t cky_r[8],
                     const union sa46 *a, uint8_t *out)
{
	size_t alen;
	const void *addr = sa46_addr(a, &alen);
	uint16_t port_net = sa46_port(a);
	struct iovec v[4] = { { (void *)cky_i, 8 }, { (void *)cky_r, 8 }, { (void *)addr, alen },
	                      { &port_net, 2 } };
	return ike_hash(hash, v, 4, out);
}
