/*
 * An access list as nftables rules for the `connect acl` trap (eztrap.c). Pure: no I/O, so
 * the unit test reads the text the kernel gets.
 *
 * The entries keep their order and IOS's first-match meaning: a deny ends the table's chain
 * with accept (the packet goes on as if we were not there), a permit is counted and dropped,
 * and what no entry names passes. Ports follow tunmgr/acl.c: lo..hi inclusive, neq the
 * complement of its one port. Everything is numeric so nft looks up no name in the chroot.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/eztrap.h"

struct out {
	char  *buf;
	size_t len, n;
	int    over;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->over)
		return;
	va_start(ap, fmt);
	int r = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= o->len - o->n)
		o->over = 1;
	else
		o->n += (size_t)r;
}

static int name_ok(const char *s)
{
	if (!s[0] || strlen(s) > 48)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* ADDR/LEN for a contiguous mask, "& MASK == NET" for a wildcard IOS allows but no prefix
 * expresses; nothing for any. */
static void addr_match(struct out *o, const char *field, struct in_addr a, struct in_addr m)
{
	char net[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];
	uint32_t h = ntohl(m.s_addr);
	if (h == 0)
		return;
	struct in_addr masked = { a.s_addr & m.s_addr };
	inet_ntop(AF_INET, &masked, net, sizeof(net));
	int plen = __builtin_popcount(h);
	if (h == (uint32_t)(0xffffffffull << (32 - plen))) {
		put(o, " ip %s %s/%d", field, net, plen);
	} else {
		inet_ntop(AF_INET, &m, mask, sizeof(mask));
		put(o, " ip %s & %s == %s", field, mask, net);
	}
}

static void port_match(struct out *o, const char *field, uint8_t op, uint16_t lo, uint16_t hi)
{
	if (!lo && !hi)
		return;
	const char *neg = op == ACE_PORT_NEQ ? "!= " : "";
	if (lo == hi)
		put(o, " th %s %s%u", field, neg, lo);
	else
		put(o, " th %s %s%u-%u", field, neg, lo, hi);
}

static void ace_match(struct out *o, const struct conf_ace *e)
{
	if (e->proto)
		put(o, " ip protocol %d", e->proto);
	addr_match(o, "saddr", e->src, e->srcmask);
	addr_match(o, "daddr", e->dst, e->dstmask);
	if (e->proto == 6 || e->proto == 17) {
		port_match(o, "sport", e->sport_op, e->sport_lo, e->sport_hi);
		port_match(o, "dport", e->dport_op, e->dport_lo, e->dport_hi);
	}
	if (e->proto == 6 && e->established)
		put(o, " tcp flags & 0x14 != 0");      /* ACK or RST, as acl.c */
	if (e->proto == 1 && e->icmp_match)
		put(o, " icmp type %u", e->icmp_type);
	if (e->proto == 1 && e->icmp_match == 2)
		put(o, " icmp code %u", e->icmp_code);
}

int ez_trap_batch(const char *ezvpn, const struct conf_acl *acl, char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };
	if (!name_ok(ezvpn) || len == 0)
		return -1;
	const char *t = EZ_TRAP_PREFIX;
	/* add then delete: the batch replaces the table whole, existing or not, atomically */
	put(&o, "add table ip %s%s\ndelete table ip %s%s\nadd table ip %s%s\n", t, ezvpn, t,
	    ezvpn, t, ezvpn);
	put(&o, "add counter ip %s%s hits\n", t, ezvpn);
	put(&o, "add chain ip %s%s acl\n", t, ezvpn);
	/* before conntrack and before routing: a host with no route to the peer's side (the
	 * tunnel brings it) still has the packet seen */
	put(&o, "add chain ip %s%s pre { type filter hook prerouting priority -300; "
	    "policy accept; }\n", t, ezvpn);
	put(&o, "add chain ip %s%s out { type filter hook output priority -300; "
	    "policy accept; }\n", t, ezvpn);
	put(&o, "add rule ip %s%s pre jump acl\n", t, ezvpn);
	/* our own IKE and ESP toward the server must leave even under "permit ip any any" */
	put(&o, "add rule ip %s%s out udp sport { 500, 4500 } accept\n", t, ezvpn);
	put(&o, "add rule ip %s%s out ip protocol 50 accept\n", t, ezvpn);
	put(&o, "add rule ip %s%s out jump acl\n", t, ezvpn);
	for (int i = 0; acl && i < acl->nace && i < CONF_MAX_ACES; i++) {
		put(&o, "add rule ip %s%s acl", t, ezvpn);
		ace_match(&o, &acl->ace[i]);
		put(&o, acl->ace[i].permit ? " counter name hits drop\n" : " accept\n");
	}
	return o.over ? -1 : (int)o.n;
}

int ez_trap_packets(const char *listing, uint64_t *packets)
{
	const char *p = listing ? strstr(listing, "packets ") : NULL;
	unsigned long long n;
	if (!p || sscanf(p, "packets %llu", &n) != 1)
		return -1;
	*packets = n;
	return 0;
}
