/* See mss.h. The checksum is patched incrementally (RFC 1624), one 16-bit word changed. */
#include "tunmgr/acl.h"
#include "tunmgr/mss.h"

static uint16_t csum_replace(uint16_t sum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~sum + (uint16_t)~old + (uint32_t)new;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The MSS option of a SYN's TCP header (tcplen bytes from tcp, the header and what follows
 * of the segment); the checksum's pseudo-header does not change. */
static int clamp_tcp(uint8_t *tcp, size_t tcplen, uint16_t max)
{
	if (tcplen < 20)
		return 0;
	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (!(tcp[13] & 0x02) || doff < 20 || tcplen < doff)
		return 0;
	for (size_t i = 20; i < doff;) {
		uint8_t kind = tcp[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff || tcp[i + 1] < 2 || i + tcp[i + 1] > doff)
			break;
		if (kind == 2 && tcp[i + 1] == 4) {
			uint16_t mss = (uint16_t)(tcp[i + 2] << 8 | tcp[i + 3]);
			if (mss <= max)
				return 0;
			uint16_t sum = (uint16_t)(tcp[16] << 8 | tcp[17]);
			/* the option's word sits at an even offset only when i is even */
			if ((i & 1) == 0) {
				sum = csum_replace(sum, mss, max);
			} else {
				/* the value straddles two words; the second may end in the payload, or
				 * in the zero pad the checksum adds to an odd length */
				uint8_t b4 = i + 4 < tcplen ? tcp[i + 4] : 0;
				uint16_t w0o = (uint16_t)(tcp[i + 1] << 8 | tcp[i + 2]);
				uint16_t w1o = (uint16_t)(tcp[i + 3] << 8 | b4);
				uint16_t w0n = (uint16_t)(tcp[i + 1] << 8 | (max >> 8));
				uint16_t w1n = (uint16_t)((max & 0xff) << 8 | b4);
				sum = csum_replace(csum_replace(sum, w0o, w0n), w1o, w1n);
			}
			tcp[i + 2] = (uint8_t)(max >> 8);
			tcp[i + 3] = (uint8_t)max;
			tcp[16] = (uint8_t)(sum >> 8);
			tcp[17] = (uint8_t)sum;
			return 1;
		}
		i += tcp[i + 1];
	}
	return 0;
}

int mss_clamp(uint8_t *pkt, size_t len, uint16_t max)
{
	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != 6)
		return 0;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ((pkt[6] << 8 | pkt[7]) & 0x1fff) || len < ihl + 20)
		return 0;
	return clamp_tcp(pkt + ihl, len - ihl, max);
}

int mss_clamp6(uint8_t *pkt, size_t len, uint16_t max)
{
	uint8_t proto;
	size_t off;
	int later;

	/* past the extension headers, as ipv6 traffic-filter finds them */
	if (len < 40 || (pkt[0] >> 4) != 6 || acl6_upper(pkt, len, &proto, &off, &later) < 0 ||
	    proto != 6 || later || len < off + 20)
		return 0;
	return clamp_tcp(pkt + off, len - off, max);
}
