/*
 * Quick-mode identities (proxies) on a dynamic VTI. A client may protect its assigned
 * address and, network-extension style, subnets of its own (IPv6: within the networks RADIUS
 * routed to it); each becomes a selector of the
 * session's virtual-access interface (tunmgr routes the subnet there and picks the SA by
 * destination). What a client may not claim: a network of the hub's own interfaces, anything
 * another live session owns, or "any" while it holds a Mode Config address. As IOS does on a
 * multi-SA DVTI, an SA whose hub side is "any" does not mix with SAs toward narrower networks
 * on one interface.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/netpolicy.h"
#include "ikemgr/ikev1.h"

static uint32_t prefix_mask(int len)
{
	return len <= 0 ? 0 : htonl(0xffffffffu << (32 - len));
}

int ikev1_id_selector(const uint8_t *body, size_t len, struct in_addr *net, struct in_addr *mask)
{
	if (len < 8)
		return -1;
	uint32_t a, b;
	switch (body[0]) {
	case ISAKMP_ID_IPV4_ADDR:
		if (len != 8)
			return -1;
		memcpy(&net->s_addr, body + 4, 4);
		mask->s_addr = 0xffffffffu;
		return 0;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
		if (len != 12)
			return -1;
		memcpy(&a, body + 4, 4);
		memcpy(&b, body + 8, 4);
		if (netpolicy_mask_len((struct in_addr){ b }) < 0)
			return -1;
		net->s_addr = a & b;
		mask->s_addr = b;
		return 0;
	case ISAKMP_ID_IPV4_ADDR_RANGE: {
		/* only a range that is a whole prefix (what strongSwan sends for subnets) */
		if (len != 12)
			return -1;
		memcpy(&a, body + 4, 4);
		memcpy(&b, body + 8, 4);
		/* 64 bits: 0.0.0.0-255.255.255.255 spans 2^32 addresses */
		uint64_t span = (uint64_t)ntohl(b) - ntohl(a) + 1;
		if (ntohl(b) < ntohl(a) || (span & (span - 1)) || (ntohl(a) & (span - 1)))
			return -1;
		int plen = 32;
		while (span > 1) {
			span >>= 1;
			plen--;
		}
		net->s_addr = a;
		mask->s_addr = prefix_mask(plen);
		return 0;
	}
	}
	return -1;
}

int ikev1_id_is_ipv6(const uint8_t *body, size_t len)
{
	return len >= 4 && (body[0] == ISAKMP_ID_IPV6_ADDR || body[0] == ISAKMP_ID_IPV6_ADDR_SUBNET ||
	                    body[0] == ISAKMP_ID_IPV6_ADDR_RANGE);
}

/* IDcr is ::/0, as an all-zero subnet or the whole range */
static int any6(const uint8_t *b, size_t len)
{
	static const uint8_t zero[16], ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (len != 36)
		return 0;
	if (b[0] == ISAKMP_ID_IPV6_ADDR_SUBNET)
		return !memcmp(b + 20, zero, 16);
	return b[0] == ISAKMP_ID_IPV6_ADDR_RANGE && !memcmp(b + 4, zero, 16) &&
	       !memcmp(b + 20, ones, 16);
}

/* A contiguous IPv6 mask's length, or -1 */
static int mask6_len(const uint8_t *m)
{
	int n = 0;
	while (n < 128 && (m[n / 8] & (0x80 >> (n % 8))))
		n++;
	for (int i = n; i < 128; i++)
		if (m[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return n;
}

static void clear_host6(struct in6_addr *a, int plen)
{
	for (int i = plen; i < 128; i++)
		a->s6_addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int ikev1_id_selector6(const uint8_t *body, size_t len, struct in6_addr *net6, int *plen)
{
	if (len == 20 && body[0] == ISAKMP_ID_IPV6_ADDR) {
		memcpy(net6, body + 4, 16);
		*plen = 128;
		return 0;
	}
	if (len != 36)
		return -1;
	if (body[0] == ISAKMP_ID_IPV6_ADDR_SUBNET) {
		int n = mask6_len(body + 20);
		if (n < 0)
			return -1;
		memcpy(net6, body + 4, 16);
		clear_host6(net6, n);
		*plen = n;
		return 0;
	}
	if (body[0] == ISAKMP_ID_IPV6_ADDR_RANGE) {
		/* only a range that is a whole prefix: the first address with the host bits clear,
		 * the last with them all set */
		int n = 128;
		while (n > 0 && !(body[4 + (n - 1) / 8] & (0x80 >> ((n - 1) % 8))) &&
		       (body[20 + (n - 1) / 8] & (0x80 >> ((n - 1) % 8))))
			n--;
		struct in6_addr lo, hi;
		memcpy(&lo, body + 4, 16);
		memcpy(&hi, body + 20, 16);
		clear_host6(&hi, n);
		if (memcmp(&lo, &hi, 16))
			return -1;
		*net6 = lo;
		*plen = n;
		return 0;
	}
	return -1;
}

/* Does another live session hold an IPv6 address or network that net6/plen overlaps? */
static const char *taken6(const struct ike_sa *sa, const struct in6_addr *net6, int plen)
{
	static char why[96];
	for (const struct ike_sa *o = ike.all; o; o = o->all_next) {
		if (o == sa || o->s.superseded || o->state == IKE_S_DEAD)
			continue;
		if (o->s.have_policy && !IN6_IS_ADDR_UNSPECIFIED(&o->s.policy.addr6) &&
		    netpolicy_overlap6(net6, plen, &o->s.policy.addr6, 128)) {
			snprintf(why, sizeof(why), "it holds the IPv6 address of session %u", o->s.id);
			return why;
		}
		for (int i = 0; i < IKE_MAX_CHILD; i++) {
			const struct ike_child *c = &o->s.child[i];
			if (c->used && c->sel_v6 &&
			    netpolicy_overlap6(net6, plen, &c->sel_net6, c->sel_plen6)) {
				snprintf(why, sizeof(why), "it overlaps an IPv6 network of session %u",
				         o->s.id);
				return why;
			}
		}
	}
	return NULL;
}

const char *ikev1_check_selector6(const struct vpnd_conf *conf, const struct ike_sa *sa,
                                  const uint8_t *ci, size_t cilen, const uint8_t *cr,
                                  size_t crlen, struct in6_addr *net6, int *plen,
                                  int *hub_any)
{
	static char why[160];

	if (!sa->s.have_policy || !sa->s.addr6_given)
		return "the session holds no IPv6 address from Mode Config";
	if (ikev1_id_selector6(ci, cilen, net6, plen) < 0)
		return "the client side is not an IPv6 address or prefix";
	if (!ikev1_id_is_ipv6(cr, crlen) || (crlen != 20 && crlen != 36))
		return "the hub side is not an IPv6 identity";
	/* Beside its own address, a client may claim what RADIUS routed to it (a router or a
	 * delegated prefix behind it), as keymgr let it through; tunmgr checks again. */
	struct netpolicy_peer6 np = {
		.assigned6 = &sa->s.policy.addr6, .route6 = sa->s.policy.route6,
		.nroute6 = sa->s.policy.nroute6 < 0 ? 0 : sa->s.policy.nroute6,
		.deleg6 = &sa->s.policy.deleg6,
	};
	if (netpolicy_check6(conf, &np, net6, *plen, why, sizeof(why)))
		return why;
	if (*plen < 128 || memcmp(net6, &sa->s.policy.addr6, 16)) {
		const char *t = taken6(sa, net6, *plen);
		if (t)
			return t;
	}
	*hub_any = any6(cr, crlen);
	return NULL;
}

static int overlap(struct in_addr n1, struct in_addr m1, struct in_addr n2, struct in_addr m2)
{
	uint32_t m = m1.s_addr & m2.s_addr;    /* the shorter prefix */
	return (n1.s_addr & m) == (n2.s_addr & m);
}

static int is_any(struct in_addr net, struct in_addr mask)
{
	return mask.s_addr == 0 && net.s_addr == 0;
}

/* Once per SA and network: a client retrying its claim must not flood the log. */
int ikev1_id_refusal_seen(struct ike_sa *sa, struct in_addr net, struct in_addr mask)
{
	const unsigned n = sizeof(sa->id_refused) / sizeof(sa->id_refused[0]);
	for (unsigned i = 0; i < n && i < sa->id_refused_n; i++)
		if (sa->id_refused[i].net.s_addr == net.s_addr &&
		    sa->id_refused[i].mask.s_addr == mask.s_addr)
			return 1;
	sa->id_refused[sa->id_refused_n++ % n].net = net;
	sa->id_refused[(sa->id_refused_n - 1) % n].mask = mask;
	return 0;
}

/* What the configuration and keymgr's answer let this peer claim (common/netpolicy.c). */
void ikev1_netpolicy_peer(const struct ike_sa *sa, struct netpolicy_peer *np)
{
	memset(np, 0, sizeof(*np));
	if (sa->s.have_policy) {
		np->assigned = sa->s.policy.addr;
		np->nem_acl = sa->s.policy.nem_acl;
		np->route = sa->s.policy.route;
		np->nroute = sa->s.policy.nroute < 0 ? 0 : sa->s.policy.nroute > MSG_ROUTES_MAX
		             ? MSG_ROUTES_MAX : sa->s.policy.nroute;
	} else if (sa->s.profile) {
		np->nem_acl = sa->s.profile->nem_acl;   /* a site-to-site peer */
	}
}

const char *ikev1_check_selector(const struct vpnd_conf *conf, const struct ike_sa *sa,
                                 struct in_addr net, struct in_addr mask, int hub_any)
{
	static char why[160];
	static const struct in_addr host = { 0xffffffffu };
	int own = sa->s.policy.addr.s_addr && net.s_addr == sa->s.policy.addr.s_addr &&
	          mask.s_addr == host.s_addr;

	if (!own) {
		struct netpolicy_peer np;
		ikev1_netpolicy_peer(sa, &np);
		if (netpolicy_check(conf, &np, net, netpolicy_mask_len(mask), why, sizeof(why)))
			return why;
		for (const struct ike_sa *o = ike.all; o; o = o->all_next) {
			if (o == sa || o->s.superseded || o->state == IKE_S_DEAD)
				continue;
			if (o->s.policy.addr.s_addr && overlap(net, mask, o->s.policy.addr, host)) {
				snprintf(why, sizeof(why), "it holds the address of session %u", o->s.id);
				return why;
			}
			for (int i = 0; i < IKE_MAX_CHILD; i++) {
				const struct ike_child *c = &o->s.child[i];
				if (c->used && !is_any(c->sel_net, c->sel_mask) &&
				    overlap(net, mask, c->sel_net, c->sel_mask)) {
					snprintf(why, sizeof(why), "it overlaps a network of session %u",
					         o->s.id);
					return why;
				}
			}
		}
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		const struct ike_child *c = &sa->s.child[i];
		if (c->used && !c->replaced_at && c->sel_hub_any != hub_any)
			return hub_any ? "an 'any' proxy cannot join SAs toward narrower networks on this "
			                 "interface"
			               : "a narrower proxy cannot join an 'any' SA on this interface";
	}
	return NULL;
}
