/*
 * IPv6 access lists in the data plane (`ipv6 traffic-filter NAME in|out` on a template).
 * The upper-layer protocol is found past the extension headers (RFC 8200 4): hop-by-hop,
 * routing, destination options, fragment and AH. A chain that runs past the packet, or
 * longer than any real one, is malformed: no entry matches it, so it is denied. A later
 * fragment carries no ports: as for IPv4, a permit that needs ports lets it through on
 * addresses and protocol, a deny that needs them cannot judge it.
 */
#include <string.h>

#include "tunmgr/acl.h"

#define EXT_MAX 8       /* more extension headers than this is not a packet a host sends */

static int in_prefix(const uint8_t *a, const struct in6_addr *p, int plen)
{
	int bytes = plen / 8, bits = plen % 8;
	if (memcmp(a, p->s6_addr, (size_t)bytes) != 0)
		return 0;
	if (bits) {
		uint8_t m = (uint8_t)(0xff << (8 - bits));
		if ((a[bytes] & m) != (p->s6_addr[bytes] & m))
			return 0;
	}
	return 1;
}

/* the upper-layer header: its protocol, offset, and whether this is a later fragment; -1 if
 * the chain is malformed */
int acl6_upper(const uint8_t *pkt, size_t len, uint8_t *proto, size_t *off, int *later)
{
	uint8_t nh = pkt[6];
	size_t o = 40;

	*later = 0;
	for (int k = 0; k <= EXT_MAX; k++) {
		size_t hl;
		switch (nh) {
		case 0: case 43: case 60:       /* hop-by-hop, routing, destination options */
			if (len < o + 8)
				return -1;
			hl = ((size_t)pkt[o + 1] + 1) * 8;
			break;
		case 51:                        /* AH: length in 4-octet units, minus 2 */
			if (len < o + 8)
				return -1;
			hl = ((size_t)pkt[o + 1] + 2) * 4;
			break;
		case 44:                        /* fragment */
			if (len < o + 8)
				return -1;
			hl = 8;
			if (((pkt[o + 2] << 8 | pkt[o + 3]) & 0xfff8) != 0)
				*later = 1;
			break;
		default:
			*proto = nh;
			*off = o;
			return 0;
		}
		if (len < o + hl)
			return -1;
		nh = pkt[o];
		o += hl;
		if (*later) {                   /* what follows is the middle of the payload */
			*proto = nh;
			*off = o;
			return 0;
		}
	}
	return -1;
}

int acl6_permits(const struct conf_acl6 *acl, const uint8_t *pkt, size_t len)
{
	uint8_t proto;
	size_t o;
	int later;

	if (len < 40 || (pkt[0] >> 4) != 6 || acl6_upper(pkt, len, &proto, &o, &later) < 0)
		return 0;
	int ported = proto == 6 || proto == 17 || proto == 132;
	int have_ports = ported && !later && len >= o + 4;
	uint16_t sport = have_ports ? (uint16_t)(pkt[o] << 8 | pkt[o + 1]) : 0;
	uint16_t dport = have_ports ? (uint16_t)(pkt[o + 2] << 8 | pkt[o + 3]) : 0;
	int have_icmp = proto == 58 && !later && len >= o + 2;

	for (int i = 0; i < acl->nace; i++) {
		const struct conf_ace6 *e = &acl->ace[i];
		if (e->proto >= 0 && e->proto != proto)
			continue;
		if (!in_prefix(pkt + 8, &e->src, e->src_plen) || !in_prefix(pkt + 24, &e->dst, e->dst_plen))
			continue;
		int needs_l4 = e->dport_lo || e->dport_hi || e->sport_lo || e->sport_hi || e->icmp_match;
		if (needs_l4 && later) {
			if (!e->permit)
				continue;
			return 1;
		}
		if ((e->dport_lo || e->dport_hi) &&
		    (!have_ports || !acl_port_in(dport, e->dport_op, e->dport_lo, e->dport_hi)))
			continue;
		if ((e->sport_lo || e->sport_hi) &&
		    (!have_ports || !acl_port_in(sport, e->sport_op, e->sport_lo, e->sport_hi)))
			continue;
		if (e->icmp_match && (!have_icmp || pkt[o] != e->icmp_type ||
		                      (e->icmp_match == 2 && pkt[o + 1] != e->icmp_code)))
			continue;
		return e->permit;
	}
	return 0;
}
