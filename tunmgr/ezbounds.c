/*
 * The bounds of an Easy VPN remote session (see ezbounds.h). A server, or ikemgr taken over,
 * must not be able to pull the host's own networks, the peer's address or a local address
 * into the tunnel: each would divert traffic the operator did not configure to go there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/ezbounds.h"

uint32_t ez_mask(int plen)
{
	return plen <= 0 ? 0 : htonl(plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
}

int ez_nets_overlap(struct ez_net a, struct ez_net b)
{
	uint32_t m = ez_mask(a.plen < b.plen ? a.plen : b.plen);
	return (a.net.s_addr & m) == (b.net.s_addr & m);
}

int ez_mode_has_addr(int mode)
{
	return mode == EZ_MODE_CLIENT || mode == EZ_MODE_NETWORK_PLUS;
}

static int in_net(uint32_t a, struct ez_net n)
{
	return (a & ez_mask(n.plen)) == n.net.s_addr;
}

static int mask_len(struct in_addr m)
{
	uint32_t h = ntohl(m.s_addr);
	int n = 0;
	while (h & 0x80000000u) {
		n++;
		h <<= 1;
	}
	return h ? -1 : n;
}

/* Not a unicast address a host may take: this network, loopback, multicast, class E and
 * the limited broadcast. */
static int reserved(struct in_addr a)
{
	uint8_t top = (uint8_t)(ntohl(a.s_addr) >> 24);
	return top == 0 || top == 127 || top >= 224;
}

static int refuse(int err, char *why, size_t whylen, const char *fmt, const char *arg)
{
	snprintf(why, whylen, fmt, arg);
	return err;
}

int ez_bounds(const struct vpnd_conf *c, const struct msg_ez_va *m, const struct ez_net *local,
              int nlocal, const struct in_addr *vouched, int nvouched,
              struct ez_accepted *out, char *why, size_t whylen)
{
	char ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN + 4];

	memset(out, 0, sizeof(*out));
	if (memchr(m->ezvpn, 0, sizeof(m->ezvpn)) == NULL)
		return refuse(EINVAL, why, whylen, "%sthe ezvpn name is not terminated", "");
	const struct conf_ezvpn *ez = conf_find_ezvpn(c, m->ezvpn);
	if (ez == NULL)
		return refuse(ENOENT, why, whylen, "%sno such crypto ipsec client ezvpn", "");
	if (ez->virtual_interface <= 0 || conf_find_template(c, ez->virtual_interface) == NULL)
		return refuse(ENXIO, why, whylen, "%sno virtual-interface template", "");
	int peer_ok = 0;
	for (int i = 0; i < ez->npeer && i < CONF_EZVPN_PEERS; i++)
		if (m->peer.sa.sa_family == AF_INET && ez->peer[i].s_addr == m->peer.sin.sin_addr.s_addr)
			peer_ok = 1;
	/* a backup server its configured peer named, as keymgr accepted it */
	for (int i = 0; i < nvouched && m->peer.sa.sa_family == AF_INET; i++)
		if (vouched[i].s_addr == m->peer.sin.sin_addr.s_addr)
			peer_ok = 1;
	inet_ntop(AF_INET, &m->peer.sin.sin_addr, ip, sizeof(ip));
	if (!peer_ok)
		return refuse(EPERM, why, whylen, "peer %s is not one of its peers", ip);
	out->ez = ez;
	out->mode = ez->mode;
	for (int i = 0; i < ez->ninside && i < CONF_EZVPN_INSIDE; i++) {
		const struct conf_interface *f = conf_find_iface(c, ez->inside[i]);
		int plen = f && f->has_addr ? mask_len(f->mask) : -1;
		if (plen < 0)
			continue;       /* no address: nothing of it to NAT, route or accept */
		out->inside[out->ninside].net.s_addr = f->addr.s_addr & ez_mask(plen);
		out->inside[out->ninside++].plen = plen;
	}

	/* the address: a unicast host address off every local network, not the peer's */
	inet_ntop(AF_INET, &m->addr, ip, sizeof(ip));
	if (m->addr.s_addr == 0 && ez_mode_has_addr(ez->mode))
		return refuse(EADDRNOTAVAIL, why, whylen, "%sno address in client mode", "");
	if (m->addr.s_addr != 0) {
		struct ez_net host = { m->addr, 32 };
		if (reserved(m->addr))
			return refuse(EADDRNOTAVAIL, why, whylen, "address %s is not a unicast host "
			              "address", ip);
		if (m->addr.s_addr == m->peer.sin.sin_addr.s_addr)
			return refuse(EADDRNOTAVAIL, why, whylen, "address %s is the peer's", ip);
		for (int i = 0; i < nlocal; i++)
			if (ez_nets_overlap(host, local[i]))
				return refuse(EADDRNOTAVAIL, why, whylen, "address %s is inside a local "
				              "network", ip);
		for (int i = 0; i < out->ninside; i++)
			if (ez_nets_overlap(host, out->inside[i]))
				return refuse(EADDRNOTAVAIL, why, whylen, "address %s is inside an inside "
				              "interface's network", ip);
		out->addr = m->addr;
	}

	/* split networks: none covers the peer, a local or an inside network */
	if (m->nsplit < 0 || m->nsplit > MSG_ROUTES_MAX)
		return refuse(EINVAL, why, whylen, "%sbad number of split networks", "");
	for (int i = 0; i < m->nsplit; i++) {
		struct ez_net s = { m->split[i].net, m->split[i].plen };
		inet_ntop(AF_INET, &s.net, ip, sizeof(ip));
		snprintf(net, sizeof(net), "%s/%d", ip, s.plen);
		if (s.plen < 1 || s.plen > 32)
			return refuse(EINVAL, why, whylen, "split network %s: prefix length not 1..32",
			              net);
		if (s.net.s_addr & ~ez_mask(s.plen))
			return refuse(EINVAL, why, whylen, "split network %s has host bits set", net);
		if (in_net(m->peer.sin.sin_addr.s_addr, s))
			return refuse(EINVAL, why, whylen, "split network %s contains the peer", net);
		for (int k = 0; k < nlocal; k++)
			if (ez_nets_overlap(s, local[k]))
				return refuse(EINVAL, why, whylen, "split network %s overlaps a local "
				              "network", net);
		for (int k = 0; k < out->ninside; k++)
			if (ez_nets_overlap(s, out->inside[k]))
				return refuse(EINVAL, why, whylen, "split network %s overlaps an inside "
				              "network", net);
		out->split[out->nsplit++] = s;
	}
	return 0;
}

int ez_sel_ok(const struct ez_accepted *a, struct in_addr net, int plen)
{
	if (net.s_addr == 0 && plen == 0)
		return 1;
	for (int i = 0; i < a->nsplit; i++)
		if (a->split[i].net.s_addr == net.s_addr && a->split[i].plen == plen)
			return 1;
	return 0;
}

static int from_split(const struct ez_accepted *a, uint32_t src)
{
	if (a->nsplit == 0)
		return 1;
	for (int i = 0; i < a->nsplit; i++)
		if (in_net(src, a->split[i]))
			return 1;
	return 0;
}

int ez_inbound_ok(const struct ez_accepted *a, uint32_t src, uint32_t dst)
{
	if (!from_split(a, src))
		return 0;
	if (ez_mode_has_addr(a->mode) && a->addr.s_addr == dst)
		return 1;
	if (a->mode == EZ_MODE_CLIENT)
		return 0;
	for (int i = 0; i < a->ninside; i++)
		if (in_net(dst, a->inside[i]))
			return 1;
	return 0;
}
