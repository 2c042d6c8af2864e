/* Data-plane access lists, see acl.h. */
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/acl.h"

int acl_permits(const struct conf_acl *acl, const uint8_t *pkt, size_t len)
{
	if (len < 20 || (pkt[0] >> 4) != 4)
		return 0;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return 0;
	uint8_t proto = pkt[9];
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	uint16_t frag = (uint16_t)(pkt[6] << 8 | pkt[7]);
	int later_fragment = (frag & 0x1fff) != 0;
	int have_ports = (proto == 6 || proto == 17) && !later_fragment && len >= ihl + 4;
	uint16_t sport = have_ports ? (uint16_t)(pkt[ihl] << 8 | pkt[ihl + 1]) : 0;
	uint16_t dport = have_ports ? (uint16_t)(pkt[ihl + 2] << 8 | pkt[ihl + 3]) : 0;
	int have_flags = proto == 6 && !later_fragment && len >= ihl + 14;
	/* ACK or RST: a packet of a connection already open (IOS's "established") */
	int established = have_flags && (pkt[ihl + 13] & 0x14) != 0;
	int have_icmp = proto == 1 && !later_fragment && len >= ihl + 2;

	for (int i = 0; i < acl->nace; i++) {
		const struct conf_ace *e = &acl->ace[i];
		if (e->proto && e->proto != proto)
			continue;
		if ((src & e->srcmask.s_addr) != (e->src.s_addr & e->srcmask.s_addr) ||
		    (dst & e->dstmask.s_addr) != (e->dst.s_addr & e->dstmask.s_addr))
			continue;
		int needs_l4 = e->dport_lo || e->dport_hi || e->sport_lo || e->sport_hi ||
		               e->established || e->icmp_match;
		if (needs_l4 && later_fragment) {
			if (!e->permit)
				continue;     /* a deny by port cannot judge a later fragment */
			return 1;
		}
		if ((e->dport_lo || e->dport_hi) &&
		    (!have_ports || !acl_port_in(dport, e->dport_op, e->dport_lo, e->dport_hi)))
			continue;
		if ((e->sport_lo || e->sport_hi) &&
		    (!have_ports || !acl_port_in(sport, e->sport_op, e->sport_lo, e->sport_hi)))
			continue;
		if (e->established && !established)
			continue;
		if (e->icmp_match && (!have_icmp || pkt[ihl] != e->icmp_type ||
		                      (e->icmp_match == 2 && pkt[ihl + 1] != e->icmp_code)))
			continue;
		return e->permit;
	}
	return 0;
}
