/*
 * TUN offloads against the real kernel, in a private network namespace (root; skips
 * otherwise, like test_netlink): a TCP connection from a local socket through va7 to a peer
 * played by the test. What the kernel hands over is a TSO super-packet with its virtio header,
 * and offload_segment() must cut it into the wire packets the peer would get; what GRO joins
 * must be taken by the kernel as the segments it was made of. Checksums are checked with a
 * plain RFC 1071 sum written here.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tunmgr/netlink.h"
#include "tunmgr/offload.h"
#include "tunmgr/tun.h"

#define VH sizeof(struct virtio_net_hdr)
#define PEER_PORT 5001
#define MSS 1360

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

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
		s += get16(ip + i);
	return s + ip[9] + (uint32_t)l4len;
}

static void check_packet(const uint8_t *p, size_t len)
{
	cr_assert_eq(get16(p + 2), len, "IP total length");
	cr_assert_eq(ref_sum(p, 20, 0), 0, "IP checksum");
	cr_assert_eq(ref_sum(p + 20, len - 20, ref_pseudo(p, len - 20)), 0, "TCP checksum");
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* One read from the TUN within MS milliseconds: its length (virtio header included) or 0. */
static size_t tun_read(int fd, uint8_t *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, ms) != 1)
		return 0;
	ssize_t n = read(fd, buf, len);
	return n > 0 ? (size_t)n : 0;
}

/* A TCP segment from the peer (10.66.0.2:PEER_PORT) to the socket, checksums done. */
static size_t peer_tcp(uint8_t *p, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                       const uint8_t *opt, size_t optlen, size_t data, uint32_t pattern)
{
	size_t th = 20 + optlen, len = 20 + th + data;
	memset(p, 0, 20 + th);
	p[0] = 0x45; put16(p + 2, (uint32_t)len); p[6] = 0x40; p[8] = 64; p[9] = 6;
	struct in_addr src = ip("10.66.0.2"), dst = ip("10.55.0.1");
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	put16(p + 20, PEER_PORT); put16(p + 22, dport);
	put32(p + 24, seq); put32(p + 28, ack);
	p[32] = (uint8_t)((th / 4) << 4); p[33] = flags; put16(p + 34, 65535);
	if (optlen)
		memcpy(p + 40, opt, optlen);
	for (size_t i = 0; i < data; i++)
		p[20 + th + i] = (uint8_t)((pattern + i) * 7);
	put16(p + 36, ref_sum(p + 20, len - 20, ref_pseudo(p, len - 20)));
	put16(p + 10, ref_sum(p, 20, 0));
	return len;
}

struct cut {
	int n;
	uint32_t next_seq;
	size_t bytes;
};

/* Each wire packet cut from the kernel's super-packet: whole, checksummed, in sequence, no
 * longer than the MSS, carrying what the socket sent (byte i of the stream is i * 3). */
static int check_cut(void *arg, uint8_t *seg, size_t len)
{
	struct cut *c = arg;
	check_packet(seg, len);
	size_t th = (size_t)(seg[32] >> 4) * 4, data = len - 20 - th;
	cr_assert_leq(data, MSS);
	cr_assert_eq(get32(seg + 24), c->next_seq, "segment %d in sequence", c->n);
	for (size_t i = 0; i < data; i++)
		cr_assert_eq(seg[20 + th + i], (uint8_t)((c->bytes + i) * 3), "byte %zu", c->bytes + i);
	c->next_seq += (uint32_t)data;
	c->bytes += data;
	c->n++;
	return 0;
}

Test(tun_offload, kernel_super_packets_cut_and_coalesced_writes_taken, .timeout = 20)
{
	static uint8_t buf[VH + OFFLOAD_MAX_PKT], scratch[OFFLOAD_MAX_PKT], sent[60000];
	if (geteuid() != 0)
		cr_skip_test("needs root for a private network namespace");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	int nl = nl_open();
	cr_assert_geq(nl, 0);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), idx, lo = (int)if_nametoindex("lo");
	cr_assert_geq(fd, 0, "/dev/net/tun: %s", strerror(errno));
	unsigned off;
	fd = tun_attach_vnet(fd, "va7", &idx, NULL, &off);
	cr_assert_geq(fd, 0, "tun_attach_vnet: %s", strerror(-fd));
	cr_assert_eq(off & (TUN_F_CSUM | TUN_F_TSO4), TUN_F_CSUM | TUN_F_TSO4, "offloads %#x", off);
	cr_assert_eq(nl_link_set(nl, lo, 1, 0), 0);
	cr_assert_eq(nl_link_set(nl, idx, 1, MSS + 40), 0);
	cr_assert_eq(nl_addr_add(nl, lo, ip("10.55.0.1"), 32), 0);
	cr_assert_eq(nl_route_add(nl, idx, ip("10.66.0.0"), 24, ip("10.55.0.1")), 0);

	/* the handshake, the peer's half written by hand */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), big = 1 << 20;
	cr_assert_eq(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big)), 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT),
	                          .sin_addr = ip("10.66.0.2") };
	cr_assert(connect(s, (struct sockaddr *)&to, sizeof(to)) < 0 && errno == EINPROGRESS);
	size_t n;
	uint8_t *pkt = buf + VH;
	do
		n = tun_read(fd, buf, sizeof(buf), 2000);
	while (n && (n < VH + 40 || pkt[0] != 0x45 || pkt[9] != 6));   /* IPv6 noise, if any */
	cr_assert_gt(n, VH + 40, "no SYN from the kernel");
	cr_assert_eq(pkt[33], 0x02, "a SYN");
	uint16_t sport = get16(pkt + 20);
	uint32_t iss = get32(pkt + 24), peer_iss = 1000000;
	static const uint8_t opt[] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 3, 3, 7 };  /* MSS, WS 7 */
	n = peer_tcp(buf + VH, sport, peer_iss, iss + 1, 0x12, opt, sizeof(opt), 0, 0);
	memset(buf, 0, VH);
	cr_assert_eq(write(fd, buf, VH + n), (ssize_t)(VH + n));
	struct pollfd p = { .fd = s, .events = POLLOUT };
	cr_assert_eq(poll(&p, 1, 2000), 1, "connect did not complete");

	/* kernel -> TUN: one send() of 60000 bytes comes out as super-packets */
	for (size_t i = 0; i < sizeof(sent); i++)
		sent[i] = (uint8_t)(i * 3);
	cr_assert_gt(send(s, sent, sizeof(sent), 0), 0);
	struct cut c = { .next_seq = iss + 1 };
	int supers = 0;
	for (int reads = 0; reads < 200; reads++) {
		n = tun_read(fd, buf, sizeof(buf), supers ? 100 : 2000);
		if (!n)
			break;
		struct virtio_net_hdr h;
		memcpy(&h, buf, VH);
		if (pkt[0] != 0x45 || pkt[9] != 6 || n == VH + 40)
			continue;                   /* a pure ACK, or not the flow */
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			cr_assert_eq(h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN, VIRTIO_NET_HDR_GSO_TCPV4);
			cr_assert_eq(h.gso_size, MSS);
			cr_assert_gt(n - VH, 20 + 20 + MSS, "a super-packet is longer than one segment");
			supers++;
		}
		int segs = offload_segment(pkt, n - VH, &h, scratch, sizeof(scratch), check_cut, &c);
		cr_assert_gt(segs, 0, "offload_segment refused what the kernel sent: %d", segs);
	}
	cr_assert_gt(supers, 0, "the kernel sent no TSO super-packet");
	cr_assert_gt(c.n, supers, "super-packets were cut into several segments");
	cr_log_info("%d super-packets from the kernel, cut into %d segments, %zu bytes", supers, c.n,
	            c.bytes);

	/* TUN -> kernel: three segments from the peer joined by GRO, one write, all delivered */
	static uint8_t seg[3][2048];
	struct gro g;
	gro_reset(&g);
	for (int i = 0; i < 3; i++) {
		size_t l = peer_tcp(seg[i], sport, peer_iss + 1 + 1000 * (uint32_t)i, c.next_seq, 0x10,
		                    NULL, 0, 1000, 1000 * (uint32_t)i);
		cr_assert_eq(gro_add(&g, seg[i], l), 1, "segment %d joins", i);
	}
	size_t w = gro_finish(&g);
	cr_assert_eq(w, VH + 40 + 3000);
	cr_assert_eq(write(fd, g.buf, w), (ssize_t)w, "the kernel refused the coalesced write: %s",
	             strerror(errno));
	uint8_t rx[4000];
	size_t got = 0;
	for (int tries = 0; tries < 20 && got < 3000; tries++) {
		struct pollfd q = { .fd = s, .events = POLLIN };
		if (poll(&q, 1, 100) != 1)
			continue;
		ssize_t r = recv(s, rx + got, sizeof(rx) - got, 0);
		if (r > 0)
			got += (size_t)r;
	}
	cr_assert_eq(got, 3000, "the socket got %zu of 3000 bytes", got);
	for (size_t i = 0; i < 3000; i++)
		cr_assert_eq(rx[i], (uint8_t)(i * 7), "byte %zu", i);
	close(s);
	close(fd);
	nl_close(nl);
}
