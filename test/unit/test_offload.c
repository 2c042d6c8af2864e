/* TUN offloads (tunmgr/offload.c): super-packets cut into wire packets with their checksums,
 * partial checksums finished, TCP segments joined and cut again to the same packets. The
 * checksums are checked with a plain RFC 1071 sum written here, not the module's. */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "tunmgr/offload.h"

/* RFC 1071, the simple way: 0 when the data (checksum field included) adds up. */
static uint16_t ref_sum(const uint8_t *b, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t ref_pseudo(const uint8_t *ip, size_t l4len)
{
	uint32_t s = 0;
	for (int i = 12; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	return s + ip[9] + (uint32_t)l4len;
}

static void check_packet(const uint8_t *p, size_t len)
{
	cr_assert_eq((size_t)(p[2] << 8 | p[3]), len, "IP total length");
	cr_assert_eq(ref_sum(p, 20, 0), 0, "IP checksum");
	cr_assert_eq(ref_sum(p + 20, len - 20, ref_pseudo(p, len - 20)), 0, "L4 checksum");
}

/* An IPv4/TCP packet with DATA bytes of payload (pattern by offset), TCP options OPT bytes. */
static size_t tcp_pkt(uint8_t *p, size_t data, uint32_t seq, uint8_t flags, size_t opt)
{
	size_t th = 20 + opt, len = 20 + th + data;
	memset(p, 0, 20 + th);
	p[0] = 0x45; p[2] = (uint8_t)(len >> 8); p[3] = (uint8_t)len;
	p[4] = 0x12; p[5] = 0x34; p[6] = 0x40; p[8] = 64; p[9] = 6;
	memcpy(p + 12, "\x0a\x02\x01\x0a\xc0\xa8\x01\x0a", 8);
	p[20] = 0x14; p[21] = 0x51; p[22] = 0xa0; p[23] = 0x01;
	p[24] = (uint8_t)(seq >> 24); p[25] = (uint8_t)(seq >> 16);
	p[26] = (uint8_t)(seq >> 8); p[27] = (uint8_t)seq;
	p[28] = 0x11; p[29] = 0x22; p[30] = 0x33; p[31] = 0x44;
	p[32] = (uint8_t)((th / 4) << 4); p[33] = flags; p[34] = 0x01; p[35] = 0xf5;
	for (size_t i = 0; i < opt; i++)
		p[40 + i] = i % 4 == 3 ? 0 : 1;   /* NOPs and EOLs: any bytes will do here */
	for (size_t i = 0; i < data; i++)
		p[20 + th + i] = (uint8_t)((seq + i) * 7);
	uint16_t c = ref_sum(p + 20, len - 20, ref_pseudo(p, len - 20));
	p[36] = (uint8_t)(c >> 8); p[37] = (uint8_t)c;
	p[10] = p[11] = 0;
	c = ref_sum(p, 20, 0);
	p[10] = (uint8_t)(c >> 8); p[11] = (uint8_t)c;
	return len;
}

struct segs {
	int n;
	size_t len[64];
	uint8_t pkt[64][2048];
};

static int collect(void *arg, uint8_t *seg, size_t len)
{
	struct segs *s = arg;
	cr_assert_lt(s->n, 64);
	cr_assert_leq(len, sizeof(s->pkt[0]));
	memcpy(s->pkt[s->n], seg, len);
	s->len[s->n++] = len;
	return 0;
}

static uint8_t big[OFFLOAD_MAX_PKT], scratch[OFFLOAD_MAX_PKT];
static struct segs out;
static struct gro g;

Test(offload, tso_cut_into_wire_packets)
{
	size_t data = 3 * 1400 + 500;
	size_t len = tcp_pkt(big, data, 1000, 0x18 | 0x80 | 0x01, 12);   /* ACK PSH CWR FIN */
	big[36] = big[37] = 0x55;      /* a partial checksum: whatever is there is replaced */
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                            .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 52,
	                            .gso_size = 1400, .csum_start = 20, .csum_offset = 16 };
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), 4);
	cr_assert_eq(out.n, 4);
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t *p = out.pkt[i];
		size_t chunk = i < 3 ? 1400 : 500;
		cr_assert_eq(out.len[i], 52 + chunk);
		check_packet(p, out.len[i]);
		cr_assert_eq(p[4] << 8 | p[5], 0x1234 + i, "IP id counts up");
		uint32_t seq = (uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 | (uint32_t)p[26] << 8 | p[27];
		cr_assert_eq(seq, 1000 + off);
		uint8_t want = 0x10 | (i == 0 ? 0x80 : 0) | (i == 3 ? 0x09 : 0);
		cr_assert_eq(p[33], want, "segment %d flags %02x", i, p[33]);
		cr_assert_eq(memcmp(p + 52, big + 52 + off, chunk), 0, "payload of segment %d", i);
		off += chunk;
	}
}

Test(offload, partial_checksum_finished)
{
	size_t len = tcp_pkt(big, 300, 5, 0x18, 0);
	uint16_t want = (uint16_t)(big[36] << 8 | big[37]);
	/* what the stack leaves in the field: the pseudo-header sum, not complemented */
	uint32_t ps = ref_pseudo(big, len - 20);
	while (ps >> 16)
		ps = (ps & 0xffff) + (ps >> 16);
	big[36] = (uint8_t)(ps >> 8); big[37] = (uint8_t)ps;
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20,
	                            .csum_offset = 16 };
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), 1);
	cr_assert_eq((uint16_t)(out.pkt[0][36] << 8 | out.pkt[0][37]), want);
	check_packet(out.pkt[0], out.len[0]);
}

Test(offload, uso_cut_into_datagrams)
{
	size_t data = 2500, len = 28 + data;
	memset(big, 0, 28);
	big[0] = 0x45; big[2] = (uint8_t)(len >> 8); big[3] = (uint8_t)len; big[8] = 64; big[9] = 17;
	memcpy(big + 12, "\x0a\x02\x01\x0a\xc0\xa8\x01\x0a", 8);
	big[20] = 0x30; big[21] = 0x39; big[22] = 0x00; big[23] = 0x35;
	for (size_t i = 0; i < data; i++)
		big[28 + i] = (uint8_t)i;
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                            .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 1000,
	                            .csum_start = 20, .csum_offset = 6 };
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), 3);
	for (int i = 0; i < 3; i++) {
		size_t chunk = i < 2 ? 1000 : 500;
		cr_assert_eq(out.len[i], 28 + chunk);
		cr_assert_eq(out.pkt[i][24] << 8 | out.pkt[i][25], 8 + chunk, "UDP length");
		check_packet(out.pkt[i], out.len[i]);
	}
}

Test(offload, bad_headers_refused)
{
	size_t len = tcp_pkt(big, 3000, 1, 0x10, 0);
	struct virtio_net_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000 };
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len - 1, &h, scratch, sizeof(scratch), collect, &out),
	             -EINVAL, "length disagrees with the IP header");
	h.gso_size = 0;
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL);
	h.gso_size = 1000;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL,
	             "USO on a TCP packet");
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 20;
	h.csum_offset = (uint16_t)(len - 21);
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL,
	             "checksum field past the end");
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000 };
	cr_assert_eq(offload_segment(big, len, &h, scratch, 500, collect, &out), -ENOSPC);
	cr_assert_eq(out.n, 0, "nothing was handed on");
}

/* Joined segments come out as one super-packet that cuts back into the same packets. */
Test(offload, gro_joins_and_cuts_back)
{
	static uint8_t p[5][2048];
	size_t len[5];
	for (int i = 0; i < 5; i++)
		len[i] = tcp_pkt(p[i], i < 4 ? 1200 : 700, 77 + 1200u * (uint32_t)i,
		                 i == 4 ? 0x18 : 0x10, 12);
	gro_reset(&g);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(gro_add(&g, p[i], len[i]), 1, "segment %d joins", i);
	cr_assert_eq(gro_add(&g, p[0], len[0]), 0, "nothing after a PSH");
	size_t n = gro_finish(&g);
	cr_assert_eq(n, sizeof(struct virtio_net_hdr) + 52 + 4 * 1200 + 700);
	struct virtio_net_hdr h;
	memcpy(&h, g.buf, sizeof(h));
	cr_assert_eq(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	cr_assert_eq(h.gso_size, 1200);
	cr_assert_eq(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	memcpy(big, g.buf + sizeof(h), n - sizeof(h));
	cr_assert_eq(ref_sum(big, 20, 0), 0, "IP checksum of the super-packet");
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, n - sizeof(h), &h, scratch, sizeof(scratch), collect, &out), 5);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(out.len[i], len[i]);
		/* the IP id of segment i is the first's + i, as the sender's were not: compare
		 * everything else */
		cr_assert_eq(memcmp(out.pkt[i] + 12, p[i] + 12, len[i] - 12), 0, "segment %d", i);
		check_packet(out.pkt[i], out.len[i]);
	}
}

Test(offload, gro_refuses_what_does_not_continue)
{
	static uint8_t a[2048], b[2048];
	size_t la = tcp_pkt(a, 1000, 1, 0x10, 0);
	gro_reset(&g);
	cr_assert_eq(gro_add(&g, a, la), 1);
	size_t lb = tcp_pkt(b, 1000, 5000, 0x10, 0);
	cr_assert_eq(gro_add(&g, b, lb), 0, "a gap in sequence");
	lb = tcp_pkt(b, 1000, 1001, 0x11, 0);
	cr_assert_eq(gro_add(&g, b, lb), 0, "FIN");
	lb = tcp_pkt(b, 1001, 1001, 0x10, 0);
	cr_assert_eq(gro_add(&g, b, lb), 0, "longer than the first");
	lb = tcp_pkt(b, 1000, 1001, 0x10, 0);
	b[23] ^= 1;                 /* another port, checksum kept right */
	b[36] = b[37] = 0;
	uint16_t c = ref_sum(b + 20, lb - 20, ref_pseudo(b, lb - 20));
	b[36] = (uint8_t)(c >> 8); b[37] = (uint8_t)c;
	cr_assert_eq(gro_add(&g, b, lb), 0, "another flow");
	lb = tcp_pkt(b, 1000, 1001, 0x10, 0);
	b[100] ^= 0xff;
	cr_assert_eq(gro_add(&g, b, lb), 0, "a bad checksum is left for the kernel to drop");
	lb = tcp_pkt(b, 1000, 1001, 0x10, 0);
	cr_assert_eq(gro_add(&g, b, lb), 1, "the next segment joins");
	cr_assert_eq(g.nseg, 2);
	gro_finish(&g);
	lb = tcp_pkt(b, 0, 1, 0x10, 0);
	cr_assert_eq(gro_add(&g, b, lb), 0, "a pure ACK is written as it came");
	la = tcp_pkt(a, 1000, 1, 0x10, 0);
	cr_assert_eq(gro_add(&g, a, la), 1);
	cr_assert_eq(gro_finish(&g), sizeof(struct virtio_net_hdr) + la, "one segment alone");
	struct virtio_net_hdr h;
	memcpy(&h, g.buf, sizeof(h));
	cr_assert_eq(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	cr_assert_eq(memcmp(g.buf + sizeof(h), a, la), 0, "and unchanged");
}

/* An IPv6/UDP packet with a partial checksum, as a TUN with TUN_F_CSUM hands it over: IPv6
 * never comes as a super-packet (no TSO6 is asked for), but its checksum is left to us. */
static size_t udp6_pkt(uint8_t *p, size_t data)
{
	size_t len = 48 + data;
	memset(p, 0, 48);
	p[0] = 0x60; p[4] = (uint8_t)((len - 40) >> 8); p[5] = (uint8_t)(len - 40);
	p[6] = 17; p[7] = 64;
	p[8] = 0xfd; p[23] = 1; p[24] = 0xfd; p[39] = 2;
	p[40] = 0x30; p[41] = 0x39; p[42] = 0x00; p[43] = 0x35;
	p[44] = (uint8_t)((8 + data) >> 8); p[45] = (uint8_t)(8 + data);
	for (size_t i = 0; i < data; i++)
		p[48 + i] = (uint8_t)(i * 13);
	return len;
}

static uint32_t ref_pseudo6(const uint8_t *p, size_t l4len)
{
	uint32_t s = 0;
	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s + p[6] + (uint32_t)l4len;
}

Test(offload, ipv6_partial_checksum_finished)
{
	size_t len = udp6_pkt(big, 333);
	uint32_t ps = ref_pseudo6(big, len - 40);
	while (ps >> 16)
		ps = (ps & 0xffff) + (ps >> 16);
	big[46] = (uint8_t)(ps >> 8); big[47] = (uint8_t)ps;
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 40,
	                            .csum_offset = 6 };
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), 1);
	cr_assert_eq(out.len[0], len);
	cr_assert_eq(ref_sum(out.pkt[0] + 40, len - 40, ref_pseudo6(out.pkt[0], len - 40)), 0,
	             "UDP checksum over the IPv6 pseudo-header");
	h.csum_start = 20;
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL,
	             "checksum start inside the IPv6 header");
	h.csum_start = 40;
	cr_assert_eq(offload_segment(big, len - 1, &h, scratch, sizeof(scratch), collect, &out),
	             -EINVAL, "payload length disagrees with the read");
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 100 };
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), -EINVAL,
	             "an IPv6 super-packet is not cut here");
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.flags = 0;
	memset(&out, 0, sizeof(out));
	cr_assert_eq(offload_segment(big, len, &h, scratch, sizeof(scratch), collect, &out), 1,
	             "a whole IPv6 packet goes through");
	cr_assert_eq(memcmp(out.pkt[0], big, len), 0, "unchanged");
}
