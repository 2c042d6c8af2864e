/*
 * The attributes of an Access-Accept (or Access-Challenge) that vpnd uses, and the
 * Cisco-AVPair "ipsec:..." values of a group (or user) profile on the RADIUS server, as IOS
 * reads them for Easy VPN. The bytes come from the network: every value is length-bounded,
 * NUL bytes and over-long values are refused, numbers are range-checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "radius/radius.h"

void rad_attrs_init(struct rad_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->save_password = a->pfs = a->max_users = -1;
}

static int copy_str(char *dst, size_t dstsz, const char *v, size_t n)
{
	if (n == 0 || n >= dstsz || memchr(v, 0, n))
		return -1;
	memcpy(dst, v, n);
	dst[n] = 0;
	return 1;
}

static int copy_name(char *dst, size_t dstsz, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return -1;
	return copy_str(dst, dstsz, v, n);
}

/* "1" / "0" / "true" / "false" (IOS accepts both spellings) */
static int parse_bool(const char *v, size_t n, int *out)
{
	if ((n == 1 && v[0] == '1') || (n == 4 && !memcmp(v, "true", 4)))
		*out = 1;
	else if ((n == 1 && v[0] == '0') || (n == 5 && !memcmp(v, "false", 5)))
		*out = 0;
	else
		return -1;
	return 1;
}

static int parse_uint(const char *v, size_t n, long max, int *out)
{
	long x = 0;
	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	if (x > max)
		return -1;
	*out = (int)x;
	return 1;
}

/* Up to two addresses separated by blanks or commas. */
static int parse_addrs(const char *v, size_t n, struct in_addr *out, int *nout)
{
	char buf[64];
	int k = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < n && v[i] != ' ' && v[i] != ',')
			i++;
		if (i == s)
			break;
		if (k == 2 || i - s >= sizeof(buf))
			return -1;
		memcpy(buf, v + s, i - s);
		buf[i - s] = 0;
		if (inet_pton(AF_INET, buf, &out[k]) != 1)
			return -1;
		k++;
	}
	if (k == 0)
		return -1;
	*nout = k;
	return 1;
}

/* The next blank-separated word of v[0..n) from *i, into buf; 0 when there is none. */
static int next_word(const char *v, size_t n, size_t *i, char *buf, size_t bufsz)
{
	while (*i < n && v[*i] == ' ')
		(*i)++;
	size_t s = *i;
	while (*i < n && v[*i] != ' ')
		(*i)++;
	if (*i == s || *i - s >= bufsz)
		return 0;
	memcpy(buf, v + s, *i - s);
	buf[*i - s] = 0;
	return 1;
}

int rad_framed_route(struct rad_attrs *a, const char *v, size_t n)
{
	char w[32], m[32];
	size_t i = 0;
	int plen = 32;
	struct in_addr net, mask;

	if (memchr(v, 0, n) || !next_word(v, n, &i, w, sizeof(w)))
		goto bad;
	char *slash = strchr(w, '/');
	if (slash) {
		*slash = 0;
		if (parse_uint(slash + 1, strlen(slash + 1), 32, &plen) < 0)
			goto bad;
	} else {
		/* Cisco style: a dotted netmask as the second word */
		size_t j = i;
		if (next_word(v, n, &j, m, sizeof(m)) && inet_pton(AF_INET, m, &mask) == 1) {
			uint32_t hm = ntohl(mask.s_addr);
			if (hm && (~hm & (~hm + 1)))
				goto bad;       /* not contiguous */
			plen = 0;
			while (hm) {
				plen++;
				hm <<= 1;
			}
		}
	}
	if (inet_pton(AF_INET, w, &net) != 1 || plen == 0 || a->nroute == RAD_MAX_ROUTES)
		goto bad;
	net.s_addr &= htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
	a->route[a->nroute].net = net;
	a->route[a->nroute].plen = plen;
	a->nroute++;
	return 1;
bad:
	a->bad_routes++;
	return -1;
}

/* Clears the bits past plen. */
static void mask6(struct in6_addr *a, int plen)
{
	for (int i = 0; i < 16; i++) {
		int keep = plen - 8 * i;
		a->s6_addr[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int rad_framed_ipv6_route(struct rad_attrs *a, const char *v, size_t n)
{
	char w[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN];
	size_t i = 0;
	int plen = 128;
	struct in6_addr net, g;

	if (memchr(v, 0, n) || !next_word(v, n, &i, w, sizeof(w)))
		goto bad;
	char *slash = strchr(w, '/');
	if (slash) {
		*slash = 0;
		if (parse_uint(slash + 1, strlen(slash + 1), 128, &plen) < 0)
			goto bad;
	}
	if (inet_pton(AF_INET6, w, &net) != 1 || plen == 0 || a->nroute6 == RAD_MAX_ROUTES)
		goto bad;
	/* a gateway that is not an address means the value is not what we think it is */
	if (next_word(v, n, &i, gw, sizeof(gw)) && inet_pton(AF_INET6, gw, &g) != 1)
		goto bad;
	for (; i < n; i++)
		if (v[i] != ' ' && (v[i] < '0' || v[i] > '9'))
			goto bad;       /* metrics are numbers */
	mask6(&net, plen);
	a->route6[a->nroute6].net = net;
	a->route6[a->nroute6].plen = plen;
	a->nroute6++;
	return 1;
bad:
	a->bad_routes6++;
	return -1;
}

int rad_delegated_prefix(struct rad_attrs *a, const uint8_t *v, size_t n)
{
	/* RFC 4818 2: Length is 4 to 20 octets, the prefix field holds at least the prefix
	 * length's bits; the reserved octet is ignored */
	if (n < 2 || n > 18 || v[1] == 0 || v[1] > 128 || n - 2 < (size_t)(v[1] + 7) / 8 ||
	    a->deleg6_plen)
		goto bad;
	memset(&a->deleg6, 0, sizeof(a->deleg6));
	memcpy(&a->deleg6, v + 2, n - 2);
	mask6(&a->deleg6, v[1]);
	a->deleg6_plen = v[1];
	return 1;
bad:
	a->bad_deleg6++;
	return -1;
}

int rad_avpair_apply(struct rad_attrs *a, const char *val, size_t len)
{
	static const char prefix[] = "ipsec:";
	static const char ifcfg[] = "ip:interface-config=";
	const size_t plen = sizeof(prefix) - 1;
	if (len >= sizeof(ifcfg) - 1 && !memcmp(val, ifcfg, sizeof(ifcfg) - 1)) {
		/* one interface command, parsed later against the configuration (keymgr) */
		const char *v = val + sizeof(ifcfg) - 1;
		size_t vl = len - (sizeof(ifcfg) - 1);
		int printable = 1;
		for (size_t i = 0; i < vl; i++)
			printable &= v[i] >= ' ' && v[i] <= '~';
		if (!printable || a->nifcfg == RAD_MAX_IFCFG ||
		    copy_str(a->ifcfg[a->nifcfg], sizeof(a->ifcfg[0]), v, vl) < 0) {
			a->bad_avpairs++;
			return -1;
		}
		a->nifcfg++;
		return 1;
	}
	if (len < plen || memcmp(val, prefix, plen) != 0)
		return 0;
	const char *name = val + plen;
	size_t rest = len - plen, nlen = 0;
	while (nlen < rest && name[nlen] != '=' && name[nlen] != '*')
		nlen++;
	if (nlen == rest || nlen == 0) {
		a->bad_avpairs++;
		return -1;
	}
	const char *v = name + nlen + 1;
	size_t vl = rest - nlen - 1;
	int r;

#define IS(s) (nlen == sizeof(s) - 1 && !memcmp(name, s, nlen))
	if (IS("tunnel-password")) {
		r = copy_str(a->key, sizeof(a->key), v, vl);
		if (r > 0)
			a->has_key = 1;
	} else if (IS("addr-pool")) {
		r = copy_name(a->pool, sizeof(a->pool), v, vl);
	} else if (IS("dns-servers")) {
		r = parse_addrs(v, vl, a->dns, &a->ndns);
	} else if (IS("wins-servers")) {
		r = parse_addrs(v, vl, a->wins, &a->nwins);
	} else if (IS("default-domain")) {
		r = copy_name(a->domain, sizeof(a->domain), v, vl);
	} else if (IS("split-tunnel-list")) {
		r = copy_name(a->split_acl, sizeof(a->split_acl), v, vl);
	} else if (IS("banner")) {
		r = copy_str(a->banner, sizeof(a->banner), v, vl);
	} else if (IS("save-password")) {
		r = parse_bool(v, vl, &a->save_password);
	} else if (IS("pfs")) {
		r = parse_bool(v, vl, &a->pfs);
	} else if (IS("max-users")) {
		r = parse_uint(v, vl, 100000, &a->max_users);
	} else if (IS("inacl")) {
		r = copy_name(a->inacl, sizeof(a->inacl), v, vl);
	} else if (IS("network-extension-acl")) {
		r = copy_name(a->nem_acl, sizeof(a->nem_acl), v, vl);
	} else if (IS("user-vpn-group")) {
		r = copy_name(a->user_vpn_group, sizeof(a->user_vpn_group), v, vl);
	} else {
		return 0;
	}
#undef IS
	if (r < 0)
		a->bad_avpairs++;
	return r;
}

static int get_u32(const uint8_t *v, size_t n, uint32_t *out)
{
	if (n != 4)
		return 0;
	*out = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	return 1;
}

/* One standard attribute of an accepted reply. */
static void reply_attr(struct rad_attrs *a, uint8_t type, const uint8_t *v, size_t n)
{
	const char *s = (const char *)v;
	uint32_t u;
	switch (type) {
	case 79:        /* EAP-Message: joined in order (RFC 3579 3.1) */
		if (n > sizeof(a->eap) - a->eap_len)
			a->eap_bad = 1;
		else if (n)
			memcpy(a->eap + a->eap_len, v, n), a->eap_len += n;
		break;
	case 8:         /* Framed-IP-Address */
		if (get_u32(v, n, &u))
			a->framed_ip.s_addr = htonl(u);
		break;
	case 9:         /* Framed-IP-Netmask */
		if (get_u32(v, n, &u))
			a->framed_mask.s_addr = htonl(u);
		break;
	case 27:        /* Session-Timeout */
		if (get_u32(v, n, &u))
			a->session_timeout = u > 0x7fffffff ? 0x7fffffff : (int)u;
		break;
	case 28:        /* Idle-Timeout */
		if (get_u32(v, n, &u))
			a->idle_timeout = u > 0x7fffffff ? 0x7fffffff : (int)u;
		break;
	case 22:        /* Framed-Route */
		rad_framed_route(a, s, n);
		break;
	case 11:        /* Filter-Id: an access list name, printable, no blanks */
		copy_name(a->filter_id, sizeof(a->filter_id), s, n);   /* else it names nothing */
		break;
	case 25:        /* Class, echoed in accounting */
		memcpy(a->class_, v, n);
		a->class_len = n;
		break;
	case 24:        /* State, echoed in the answer to a challenge */
		memcpy(a->state, v, n);
		a->state_len = n;
		break;
	case 168:       /* Framed-IPv6-Address (RFC 6911 3.1) */
		if (n == 16)
			memcpy(&a->framed_ip6, v, 16);
		else
			a->bad_v6++;
		break;
	case 97:        /* Framed-IPv6-Prefix (RFC 3162 2.3): reserved, length, prefix */
		/* only a /128 names one address; a shorter prefix would be the client's link
		 * prefix (SLAAC), which a tunnel has not: a network for the client comes as
		 * Delegated-IPv6-Prefix or Framed-IPv6-Route */
		if (n == 18 && v[0] == 0 && v[1] == 128)
			memcpy(&a->framed_ip6, v + 2, 16);
		else
			a->bad_v6++;
		break;
	case 99:        /* Framed-IPv6-Route (RFC 3162 2.5) */
		rad_framed_ipv6_route(a, s, n);
		break;
	case 123:       /* Delegated-IPv6-Prefix (RFC 4818) */
		rad_delegated_prefix(a, v, n);
		break;
	case 169:       /* DNS-Server-IPv6-Address (RFC 6911 3.2): may repeat, two are used */
		if (n == 16 && a->ndns6 < 2)
			memcpy(&a->dns6[a->ndns6++], v, 16);
		else
			a->bad_v6++;
		break;
	case 100:       /* Framed-IPv6-Pool (RFC 3162 2.6): an ipv6 local pool's name */
		if (copy_name(a->framed_pool6, sizeof(a->framed_pool6), s, n) < 0)
			a->bad_v6++;
		break;
	case 18: {      /* Reply-Message: printable only, it goes to the client */
		size_t have = strlen(a->reply_message);
		size_t room = sizeof(a->reply_message) - 1 - have;
		size_t k = n < room ? n : room;
		for (size_t i = 0; i < k; i++)
			a->reply_message[have + i] = s[i] >= ' ' && s[i] <= '~' ? s[i] : ' ';
		a->reply_message[have + k] = 0;
		break;
	}
	}
}

/* Cisco's VSA (vendor 9): sub-attributes, type 1 being Cisco-AVPair "name=value". */
static void reply_vsa(struct rad_attrs *a, const uint8_t *v, size_t n)
{
	uint32_t vendor;
	if (n < 4 || !get_u32(v, 4, &vendor) || vendor != 9)
		return;
	for (size_t off = 4; off + 2 <= n && v[off + 1] >= 2 && v[off + 1] <= n - off;
	     off += v[off + 1])
		if (v[off] == 1)
			rad_avpair_apply(a, (const char *)v + off + 2, v[off + 1] - 2u);
}

/* rep passed rad_reply_check: the attributes fill it exactly; lengths are checked again here
 * all the same, as this is a parser of network bytes of its own. */
void rad_reply_parse(const uint8_t *rep, size_t len, struct rad_attrs *a)
{
	if (len < 20)
		return;
	size_t plen = (size_t)rep[2] << 8 | rep[3];
	if (plen < len)
		len = plen;
	for (size_t off = 20; off + 2 <= len && rep[off + 1] >= 2 && rep[off + 1] <= len - off;
	     off += rep[off + 1]) {
		if (rep[off] == 26)
			reply_vsa(a, rep + off + 2, rep[off + 1] - 2u);
		else
			reply_attr(a, rep[off], rep + off + 2, rep[off + 1] - 2u);
	}
}
