/*
 * IPv6 inside the tunnels: ipv6 local pool, a group's ipv6 pool, a template's ipv6 enable and
 * ipv6 unnumbered, and ipv6 unicast-routing (the host forwards what the clients send).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* PREFIX/LEN with no bits set past LEN */
int cp_prefix6(struct conf_parser *p, int i, struct in6_addr *out, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	if (strlen(p->argv[i]) >= sizeof(buf) || !(slash = strchr(p->argv[i], '/')))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", p->argv[i]);
	slash = buf + (slash - p->argv[i]);
	*slash = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end || slash[1] == '\0' || len < 1 || len > 128 || inet_pton(AF_INET6, buf, out) != 1)
		goto bad;
	for (int b = (int)len; b < 128; b++) {
		if (out->s6_addr[b / 8] & (0x80 >> (b % 8))) {
			cp_error(p, "prefix %s has bits set past /%ld, expected the network address",
			         p->argv[i], len);
			return 0;
		}
	}
	*plen = (int)len;
	return 1;
bad:
	cp_error(p, "bad IPv6 prefix '%s', expected X:X:X:X::X/LEN with LEN from 1 to 128",
	         p->argv[i]);
	return 0;
}

/* ipv6 local pool NAME PREFIX/LEN ASSIGNED-LEN */
static void h_local_pool(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_pool6 pool;
	long long alen;

	memset(&pool, 0, sizeof(pool));
	pool.line = p->line;
	if (!cp_need(p, i, "a pool name, a PREFIX/LEN and an assigned length") ||
	    !cp_name(p, i, "ipv6 pool name", pool.name, sizeof(pool.name)) ||
	    !cp_need(p, i + 1, "the pool's PREFIX/LEN") || !cp_prefix6(p, i + 1, &pool.prefix,
	    &pool.plen) || !cp_need(p, i + 2, "the assigned length (128)") ||
	    !cp_num(p, i + 2, "assigned length", 1, 128, &alen) || !cp_end(p, i + 3))
		return;
	/* Mode Config in IKEv1 hands out an address, not a delegated prefix */
	if (alen != 128) {
		cp_error(p, "assigned length %lld is not supported, expected 128 (one address per "
		         "client: IKEv1 Mode Config carries an address, not a prefix)", alen);
		return;
	}
	pool.assigned_len = (int)alen;
	for (int k = 0; k < c->npool6; k++) {
		if (strcmp(c->pool6[k].name, pool.name) == 0) {
			cp_error(p, "ipv6 pool '%s' is already defined at line %d, expected one prefix "
			         "per pool", pool.name, c->pool6[k].line);
			return;
		}
	}
	if (c->npool6 == CONF_MAX_POOLS6) {
		cp_error(p, "too many ipv6 pools, expected at most %d", CONF_MAX_POOLS6);
		return;
	}
	c->pool6[c->npool6++] = pool;
}

/* group: ipv6 pool NAME (the spelling of FlexVPN's authorization policy) */
static void h_group_pool(struct conf_parser *p, int i)
{
	struct conf_group *g = &p->conf->group[p->idx];
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "an ipv6 pool name") ||
	    !cp_name(p, i, "ipv6 pool", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(g->pool6, name, sizeof(name));
	cp_ref(p, REF_POOL6, g->pool6);
}

/* group: ipv6 dns A [B], sent to clients given an IPv6 address (FlexVPN's spelling) */
static void h_group_dns(struct conf_parser *p, int i)
{
	struct conf_group *g = &p->conf->group[p->idx];
	struct in6_addr a[CONF_MAX_DNS];
	int k;

	if (!cp_need(p, i, "one or two IPv6 addresses"))
		return;
	for (k = 0; k < CONF_MAX_DNS && i + k < p->argc; k++) {
		if (inet_pton(AF_INET6, p->argv[i + k], &a[k]) != 1 || IN6_IS_ADDR_UNSPECIFIED(&a[k]) ||
		    IN6_IS_ADDR_MULTICAST(&a[k])) {
			cp_error(p, "bad IPv6 DNS server address '%s', expected a unicast IPv6 address",
			         p->argv[i + k]);
			return;
		}
	}
	if (!cp_end(p, i + k))
		return;
	memcpy(g->dns6, a, sizeof(a[0]) * (size_t)k);
	g->ndns6 = k;
}

static struct conf_interface *cur_iface(struct conf_parser *p)
{
	return p->iface ? p->iface : &p->conf->iface[p->idx];
}

static void h_enable(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_iface(p)->ipv6_enable = 1;
}

/* ipv6 unnumbered IFNAME: the hub's IPv6 source on the clones; implies ipv6 enable */
static void h_unnumbered(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	size_t n;

	if (!cp_need(p, i, "an interface name") || !cp_end(p, i + 1))
		return;
	n = strlen(p->argv[i]);
	if (n == 0 || n > 15 || strchr(p->argv[i], '/') || strchr(p->argv[i], ':')) {
		cp_error(p, "bad interface name '%s', expected a Linux name of 1 to 15 characters "
		         "without '/' or ':'", p->argv[i]);
		return;
	}
	snprintf(ifc->ipv6_unnumbered, sizeof(ifc->ipv6_unnumbered), "%s", p->argv[i]);
	ifc->ipv6_enable = 1;
}

/* ipv6 traffic-filter NAME in|out: as ip access-group, for the clones' IPv6 traffic */
static void h_traffic_filter(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	cp_acl_direction(p, i, "ipv6 access list", ifc->acl6_in, ifc->acl6_out, REF_ACL6);
}

/* ipv6 tcp adjust-mss N: 1440 is what a 1500-byte path leaves TCP under an IPv6 header */
static void h_adjust_mss(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "an MSS from 500 to 1440") && cp_num(p, i, "MSS", 500, 1440, &n) &&
	    cp_end(p, i + 1))
		cur_iface(p)->tcp_mss6 = (int)n;
}

/* Linux turns IPv6 off on a device whose MTU is below 1280 (RFC 8200 section 5). */
void cp_check_ipv6(struct conf_parser *p)
{
	const struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->niface; k++) {
		const struct conf_interface *f = &c->iface[k];
		if (f->ipv6_enable && f->mtu && f->mtu < 1280)
			cp_error_at(p, f->line, "interface %s has 'ip mtu %d' and IPv6 enabled, expected "
			            "an MTU of 1280 or more (IPv6's minimum)", f->name, f->mtu);
	}
}

/* ipv6 unicast-routing: the parent turns IPv6 forwarding on (parent/forwarding.c) */
static void h_unicast_routing(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->ipv6_unicast_routing = 1;
}

static void h_no_unicast_routing(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->ipv6_unicast_routing = 0;
}

static const struct cp_kw local[] = { FN("pool", h_local_pool), END };
const struct cp_kw cp_ipv6_top[] = {
	SUB("local", local),
	FN("access-list", cp_h_ipv6_acl),
	FN("unicast-routing", h_unicast_routing),
	END
};
const struct cp_kw cp_no_ipv6_top[] = { FN("unicast-routing", h_no_unicast_routing), END };
const struct cp_kw cp_ipv6_group[] = { FN("pool", h_group_pool), FN("dns", h_group_dns), END };
static const struct cp_kw tcp[] = { FN("adjust-mss", h_adjust_mss), END };
const struct cp_kw cp_ipv6_iface[] = {
	FN("enable", h_enable),
	SUB("tcp", tcp),
	FN("traffic-filter", h_traffic_filter),
	FN("unnumbered", h_unnumbered),
	END
};
