/* ip tcp adjust-mss (tunmgr/mss.c): the clamped SYN must still carry a valid checksum. */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "tunmgr/mss.h"

/* The TCP checksum over a pseudo-header of the addresses (alen bytes at addrs), protocol 6
 * and the length, and the tl bytes of segment at seg; 0 when the packet is valid. */
static uint16_t tcp_sum(const uint8_t *addrs, size_t alen, const uint8_t *seg, size_t tl)
{
	uint32_t s = 6 + (uint32_t)tl;
	for (size_t i = 0; i < alen; i += 2)
		s += (uint32_t)(addrs[i] << 8 | addrs[i + 1]);
	for (size_t i = 0; i < tl; i += 2)
		s += (uint32_t)(seg[i] << 8 | (i + 1 < tl ? seg[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t tcp_check(const uint8_t *p, size_t len)
{
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	return tcp_sum(p + 12, 8, p + ihl, len - ihl);
}

static void set_check(uint8_t *p, size_t len)
{
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	p[ihl + 16] = p[ihl + 17] = 0;
	uint16_t c = tcp_check(p, len);
	p[ihl + 16] = (uint8_t)(c >> 8);
	p[ihl + 17] = (uint8_t)c;
}

/* A TCP header at t with FLAGS and 12 bytes of options: MSS at option offset OFF (0: first,
 * 1: after a NOP), NOPs after it; then PAYLOAD bytes from FILL up. The header and payload
 * length. */
static size_t tcp_hdr(uint8_t *t, int off, uint16_t mss, int payload, uint8_t flags,
                      uint8_t fill)
{
	t[0] = 0x9c; t[1] = 0x40; t[2] = 0x00; t[3] = 0x50;
	t[12] = 0x80;                    /* 32-byte header: 12 bytes of options */
	t[13] = flags;
	int i = 20;
	if (off)
		t[i++] = 1;
	t[i++] = 2; t[i++] = 4; t[i++] = (uint8_t)(mss >> 8); t[i++] = (uint8_t)mss;
	while (i < 32)
		t[i++] = 1;
	for (int k = 0; k < payload; k++)
		t[32 + k] = (uint8_t)(fill + k);
	return 32 + (size_t)payload;
}

/* SYN with options at OFF (0: MSS first, 1: after a NOP), MSS value, PAYLOAD bytes. */
static size_t syn(uint8_t *p, int off, uint16_t mss, int payload, uint8_t flags)
{
	memset(p, 0, 80);
	p[0] = 0x45;
	p[9] = 6;
	inet_pton(AF_INET, "192.168.1.10", p + 12);
	inet_pton(AF_INET, "10.2.1.10", p + 16);
	size_t len = 20 + tcp_hdr(p + 20, off, mss, payload, flags, 0xa5);
	set_check(p, len);
	cr_assert_eq(tcp_check(p, len), 0);
	return len;
}

static uint16_t mss_of(const uint8_t *p, int off)
{
	return (uint16_t)(p[20 + 20 + off + 2] << 8 | p[20 + 20 + off + 3]);
}

Test(mss, clamps_with_valid_checksum_even_and_odd_offsets)
{
	uint8_t p[80];
	for (int off = 0; off <= 1; off++)
		for (int payload = 0; payload <= 3; payload++) {
			size_t n = syn(p, off, 1460, payload, 0x02);
			cr_assert_eq(mss_clamp(p, n, 1360), 1);
			cr_expect_eq(mss_of(p, off), 1360);
			cr_expect_eq(tcp_check(p, n), 0, "bad checksum, option offset %d, payload %d",
			             off, payload);
		}
}

Test(mss, leaves_alone_what_it_must)
{
	uint8_t p[80];
	size_t n = syn(p, 0, 1200, 0, 0x02);
	cr_expect_eq(mss_clamp(p, n, 1360), 0, "already below");
	cr_expect_eq(mss_of(p, 0), 1200);
	n = syn(p, 0, 1460, 0, 0x10);
	cr_expect_eq(mss_clamp(p, n, 1360), 0, "not a SYN");
	n = syn(p, 0, 1460, 0, 0x02);
	cr_expect_eq(mss_clamp(p, 30, 1360), 0, "truncated");
	p[7] = 0x10;
	cr_expect_eq(mss_clamp(p, n, 1360), 0, "a later fragment");
	p[7] = 0;
	p[20 + 20] = 2; p[20 + 21] = 0;   /* option length 0 */
	cr_expect_eq(mss_clamp(p, n, 1360), 0, "malformed options");
}

/* The same over IPv6's pseudo-header (RFC 8200 8.1), the segment at off */
static uint16_t tcp_check6(const uint8_t *p, size_t off, size_t len)
{
	return tcp_sum(p + 8, 32, p + off, len - off);
}

/* An IPv6 SYN, after a hop-by-hop options header when hbh; MSS at option offset off. */
static size_t syn6(uint8_t *p, int hbh, int off, uint16_t mss, int payload)
{
	size_t t0 = hbh ? 48 : 40;
	memset(p, 0, 120);
	p[0] = 0x60;
	p[6] = hbh ? 0 : 6;
	p[7] = 64;
	inet_pton(AF_INET6, "fd00:6::1", p + 8);
	inet_pton(AF_INET6, "fd00:2::10", p + 24);
	if (hbh) {
		p[40] = 6;                      /* next: TCP; length 0: 8 bytes (PadN) */
		p[42] = 1;
		p[43] = 4;
	}
	uint8_t *t = p + t0;
	size_t len = t0 + tcp_hdr(t, off, mss, payload, 0x02, 0x5a);
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	uint16_t c = tcp_check6(p, t0, len);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	cr_assert_eq(tcp_check6(p, t0, len), 0);
	return len;
}

Test(mss, clamps_ipv6_with_valid_checksum)
{
	uint8_t p[120];
	for (int hbh = 0; hbh <= 1; hbh++)
		for (int off = 0; off <= 1; off++)
			for (int payload = 0; payload <= 3; payload++) {
				size_t n = syn6(p, hbh, off, 1440, payload), t0 = hbh ? 48 : 40;
				cr_assert_eq(mss_clamp6(p, n, 1300), 1);
				cr_expect_eq(p[t0 + 20 + off + 2] << 8 | p[t0 + 20 + off + 3], 1300);
				cr_expect_eq(tcp_check6(p, t0, n), 0, "bad checksum: hbh %d, offset %d, "
				             "payload %d", hbh, off, payload);
				cr_expect_eq(mss_clamp(p, n, 1300), 0, "IPv4's clamp took IPv6");
			}
}

Test(mss, leaves_ipv6_alone_when_it_must)
{
	uint8_t p[120];
	size_t n = syn6(p, 0, 0, 1200, 0);
	cr_expect_eq(mss_clamp6(p, n, 1300), 0, "already below");
	n = syn6(p, 1, 0, 1440, 0);
	p[6] = 44;                              /* a fragment header at offset 8: a later one */
	p[42] = 0;
	p[43] = 8;
	cr_expect_eq(mss_clamp6(p, n, 1300), 0, "a later fragment");
	n = syn6(p, 1, 0, 1440, 0);
	p[41] = 200;                            /* options header past the packet */
	cr_expect_eq(mss_clamp6(p, n, 1300), 0, "extension header past the end");
	n = syn6(p, 0, 0, 1440, 0);
	cr_expect_eq(mss_clamp6(p, 50, 1300), 0, "truncated");
	n = syn6(p, 0, 0, 1440, 0);
	p[0] = 0x45;
	cr_expect_eq(mss_clamp6(p, n, 1300), 0, "not IPv6");
}
