/*
 * Segmentation of TUN super-packets and coalescing of inbound TCP segments (see offload.h).
 * The rules follow what the kernel's own GSO and GRO do for IPv4 TCP (tcp_gso_segment,
 * tcp_gro_receive) and UDP (RFC 768 checksums, zero sent as all ones); written from the RFCs
 * and the virtio-net header's documentation in <linux/virtio_net.h>.
 */
#include <errno.h>
#include <string.h>

#include "tunmgr/offload.h"

#define TH_FIN 0x01
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_CWR 0x80

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	for (; len > 1; b += 2, len -= 2)
		s += get16(b);
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t offload_csum(const uint8_t *b, size_t len, uint32_t sum)
{
	return (uint16_t)~sum16(b, len, sum);
}

/* The IPv4 pseudo-header of IP packet IP for an L4 part of L4LEN bytes. */
static uint32_t pseudo(const uint8_t *ip, size_t l4len)
{
	uint8_t ph[12];
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = ip[9];
	put16(ph + 10, (uint16_t)l4len);
	return sum16(ph, sizeof(ph), 0);
}

static void ip_fix(uint8_t *ip, size_t ihl, size_t tot, uint16_t id)
{
	put16(ip + 2, (uint16_t)tot);
	put16(ip + 4, id);
	put16(ip + 10, 0);
	put16(ip + 10, offload_csum(ip, ihl, 0));
}

static void l4_fix(uint8_t *ip, size_t ihl, size_t tot, size_t csum_at)
{
	size_t l4 = tot - ihl;
	put16(ip + ihl + csum_at, 0);
	uint16_t c = offload_csum(ip + ihl, l4, pseudo(ip, l4));
	if (c == 0 && ip[9] == 17)
		c = 0xffff;        /* in UDP, zero means "no checksum" (RFC 768) */
	put16(ip + ihl + csum_at, c);
}

/* An IPv4 packet whose header adds up with LEN: its header length, or 0. */
static size_t ip_ok(const uint8_t *p, size_t len)
{
	if (len < 20 || p[0] >> 4 != 4)
		return 0;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len || get16(p + 2) != len)
		return 0;
	return ihl;
}

/* A whole packet, IPv4 or IPv6 (only a checksum to finish: no TSO6 is asked for, so IPv6
 * never comes as a super-packet): the bytes before its payload, or 0. */
static size_t ip_any_ok(const uint8_t *p, size_t len)
{
	if (len >= 40 && p[0] >> 4 == 6)
		return (size_t)get16(p + 4) + 40 == len ? 40 : 0;
	return ip_ok(p, len);
}

int offload_segment(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h,
                    uint8_t *scratch, size_t scratch_len, offload_seg_fn fn, void *arg)
{
	uint8_t type = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	size_t ihl = type == VIRTIO_NET_HDR_GSO_NONE ? ip_any_ok(pkt, len) : ip_ok(pkt, len);
	if (!ihl)
		return -EINVAL;

	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			size_t start = h->csum_start, at = start + h->csum_offset;
			if (start < ihl || at + 2 > len)
				return -EINVAL;
			/* the field holds the pseudo-header sum: summing over it finishes the job */
			put16(pkt + at, offload_csum(pkt + start, len - start, 0));
		}
		int r = fn(arg, pkt, len);
		return r ? r : 1;
	}
	if ((get16(pkt + 6) & 0x3fff) != 0)
		return -EINVAL;     /* a fragment cannot be a super-packet */

	size_t l4h, csum_at;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4 && pkt[9] == 6) {
		if (len < ihl + 20)
			return -EINVAL;
		l4h = (size_t)(pkt[ihl + 12] >> 4) * 4;
		if (l4h < 20)
			return -EINVAL;
		csum_at = 16;
	} else if (type == VIRTIO_NET_HDR_GSO_UDP_L4 && pkt[9] == 17) {
		l4h = 8;
		csum_at = 6;
	} else {
		return -EINVAL;     /* UFO, IPv6, or a GSO type that does not match the protocol */
	}
	size_t hlen = ihl + l4h, mss = h->gso_size;
	if (hlen > len || mss == 0)
		return -EINVAL;
	if (hlen + mss > scratch_len && len - hlen > mss)
		return -ENOSPC;

	size_t payload = len - hlen;
	uint16_t id = get16(pkt + 4);
	uint32_t seq = type == VIRTIO_NET_HDR_GSO_TCPV4 ? get32(pkt + ihl + 4) : 0;
	uint8_t flags = type == VIRTIO_NET_HDR_GSO_TCPV4 ? pkt[ihl + 13] : 0;
	if (payload <= mss) {
		/* one wire packet already: only its checksums to finish */
		if (type == VIRTIO_NET_HDR_GSO_UDP_L4)
			put16(pkt + ihl + 4, (uint16_t)(len - ihl));
		l4_fix(pkt, ihl, len, csum_at);
		int r = fn(arg, pkt, len);
		return r ? r : 1;
	}
	int n = 0;
	for (size_t off = 0; off < payload; off += mss, n++) {
		size_t chunk = payload - off < mss ? payload - off : mss, tot = hlen + chunk;
		int last = off + chunk == payload;
		memcpy(scratch, pkt, hlen);
		memcpy(scratch + hlen, pkt + hlen + off, chunk);
		ip_fix(scratch, ihl, tot, (uint16_t)(id + n));
		if (type == VIRTIO_NET_HDR_GSO_TCPV4) {
			uint8_t f = flags;
			if (!last)
				f &= (uint8_t)~(TH_FIN | TH_PSH);
			if (n > 0)
				f &= (uint8_t)~TH_CWR;
			scratch[ihl + 13] = f;
			put32(scratch + ihl + 4, seq + (uint32_t)off);
		} else {
			put16(scratch + ihl + 4, (uint16_t)(tot - ihl));
		}
		l4_fix(scratch, ihl, tot, csum_at);
		int r = fn(arg, scratch, tot);
		if (r)
			return r;
	}
	return n;
}

/* ---- coalescing ---- */

#define VH sizeof(struct virtio_net_hdr)

void gro_reset(struct gro *g)
{
	g->len = 0;
	g->nseg = 0;
	g->closed = 0;
}

/* A TCP segment with data that GRO may join: its TCP header length, or 0. */
static size_t tcp_joinable(const uint8_t *p, size_t len)
{
	size_t ihl = ip_ok(p, len);
	if (ihl != 20 || p[9] != 6 || (get16(p + 6) & 0x3fff) != 0 || len < 40)
		return 0;
	size_t th = (size_t)(p[32] >> 4) * 4;
	if (th < 20 || 20 + th >= len)
		return 0;   /* no data: a pure ACK goes as it came */
	if ((p[33] & (uint8_t)~TH_PSH) != TH_ACK)
		return 0;   /* SYN, FIN, RST, URG, ECE, CWR end a run, as in the kernel's GRO */
	/* the kernel re-checksums what it is given as partial: a segment whose checksum is
	 * wrong must reach it unchanged, to be dropped there */
	if (offload_csum(p + 20, len - 20, pseudo(p, len - 20)) != 0)
		return 0;
	return th;
}

int gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	size_t th = tcp_joinable(pkt, len);
	if (!th)
		return 0;
	size_t hlen = 20 + th, data = len - hlen;
	uint32_t seq = get32(pkt + 24);
	uint8_t *head = g->buf + VH;
	if (g->len == 0) {
		memcpy(head, pkt, len);
		g->len = len;
		g->seg = (uint16_t)data;
		g->hlen = (uint16_t)hlen;
		g->next_seq = seq + (uint32_t)data;
		g->nseg = 1;
		g->closed = (pkt[33] & TH_PSH) != 0;
		return 1;
	}
	if (g->closed || hlen != g->hlen || seq != g->next_seq || data > g->seg ||
	    g->len + data > OFFLOAD_MAX_PKT)
		return 0;
	/* same TOS, DF, TTL, protocol, addresses; same ports, ACK, flags, window, options */
	if (pkt[1] != head[1] || (pkt[6] & 0x40) != (head[6] & 0x40) || pkt[8] != head[8] ||
	    memcmp(pkt + 12, head + 12, 8) != 0 || memcmp(pkt + 20, head + 20, 4) != 0 ||
	    memcmp(pkt + 28, head + 28, 5) != 0 || (pkt[33] & ~TH_PSH) != (head[33] & ~TH_PSH) ||
	    memcmp(pkt + 34, head + 34, 2) != 0 || memcmp(pkt + 40, head + 40, th - 20) != 0)
		return 0;
	memcpy(head + g->len, pkt + hlen, data);
	g->len += data;
	g->next_seq += (uint32_t)data;
	g->nseg++;
	if (data < g->seg || (pkt[33] & TH_PSH)) {
		head[33] |= pkt[33] & TH_PSH;
		g->closed = 1;
	}
	return 1;
}

size_t gro_finish(struct gro *g)
{
	if (g->len == 0)
		return 0;
	struct virtio_net_hdr *h = (struct virtio_net_hdr *)g->buf;
	uint8_t *ip = g->buf + VH;
	size_t n = VH + g->len;
	memset(h, 0, VH);
	if (g->nseg > 1) {
		ip_fix(ip, 20, g->len, get16(ip + 4));
		/* a partial checksum, as a device hands the stack: the field holds the
		 * pseudo-header sum and the kernel finishes it if it forwards the packet */
		put16(ip + 20 + 16, (uint16_t)~offload_csum(NULL, 0, pseudo(ip, g->len - 20)));
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h->gso_size = g->seg;
		h->hdr_len = g->hlen;
		h->csum_start = 20;
		h->csum_offset = 16;
	}
	gro_reset(g);
	return n;
}
