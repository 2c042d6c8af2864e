/*
 * Inbound: ESP from UDP 4500 (RFC 3948; datagrams starting with the four-byte non-ESP marker
 * are IKE and go to ikemgr) or from the raw protocol-50 socket, opened with the SA its SPI
 * names, checked against the SA's selector and the access list, written to the interface;
 * with TUN offloads, consecutive TCP segments of a flow in one batch go in one write.
 */
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "tunmgr/acl.h"
#include "tunmgr/mss.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tunmgr.h"

/* The coalesced segments, in one write with their virtio header. */
static void gro_flush(void)
{
	struct va *v = dp.gro_va;
	if (!v)
		return;
	dp.gro_va = NULL;
	int nseg = dp.gro.nseg;
	size_t n = gro_finish(&dp.gro);
	if (write(v->fd, dp.gro.buf, n) < 0)
		v->drop_other += (uint64_t)nseg;
	else if (nseg > 1)
		v->gro_out++;
}

/* PKT (N bytes, VNET_HDR bytes of room before it) to V's interface: TCP segments of one flow
 * that follow each other are held to go in one write; anything else flushes what is held,
 * keeping the order, and goes alone with an empty virtio header. */
static void deliver(struct va *v, uint8_t *pkt, size_t n)
{
	if (!v->vnet) {
		if (write(v->fd, pkt, n) < 0)
			v->drop_other++;
		return;
	}
	if (dp.gro_va && dp.gro_va != v)
		gro_flush();
	if (gro_add(&dp.gro, pkt, n)) {
		dp.gro_va = v;
		return;
	}
	if (dp.gro_va) {
		gro_flush();
		if (gro_add(&dp.gro, pkt, n)) {
			dp.gro_va = v;
			return;
		}
	}
	memset(pkt - VNET_HDR, 0, VNET_HDR);
	if (write(v->fd, pkt - VNET_HDR, n + VNET_HDR) < 0)
		v->drop_other++;
}

static void esp_input(const uint8_t *esp, size_t len, const union sa46 *from, int udp)
{
	uint8_t *out = dp.out + VNET_HDR;
	uint32_t spi;
	char fa[SA46_STRLEN];
	if (len < 8) {
		dp.drop_short++;
		log_rl("ESP datagram of %zu bytes from %s dropped: too short", len,
		       sa46_ntop(from, fa));
		return;
	}
	memcpy(&spi, esp, 4);
	struct sa_in *s = sadb_lookup(dp.sadb, spi);
	if (!s) {
		dp.drop_unknown_spi++;
		log_rl("ESP with unknown SPI %08x from %s dropped", ntohl(spi), sa46_ntop(from, fa));
		return;
	}
	struct va *v = s->va;
	if (v->cm && (udp || !sa46_same_addr(from, &v->peer))) {
		/* a manual SA is bound to its configured peer, raw ESP */
		dp.drop_unknown_spi++;
		log_rl("%s: ESP SPI %08x from %s, not the peer, dropped", v->ifname, ntohl(spi),
		       sa46_ntop(from, fa));
		return;
	}
	va_touch(v);
	uint8_t nh;
	ssize_t n = esp_decap(s->esp, esp, len, out, PKT_MAX, &nh);
	if (n < 0) {
		count_err(v, n);
		log_rl("%s: ESP SPI %08x dropped: %s", v->ifname, ntohl(spi), esp_strerror((int)n));
		return;
	}
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].pending_in == s)
			switch_out(v, &v->outs[i]);
	/* An authenticated packet from a new port is a NAT rebinding: follow it. */
	if (udp && v->encap == ENCAP_UDP && sa46_port(from) != sa46_port(&v->peer) &&
	    sa46_same_addr(from, &v->peer))
		sa46_set_port(&v->peer, sa46_port(from));
	if (nh == ESP_NH_IPV6 && n >= 40) {
		/* RFC 4301 5.2 for IPv6: an IPv6 SA carries sources within its selector only (the
		 * SA of the client's address also the networks RADIUS routed to it, which ride it
		 * when no quick mode names them), and an IPv4 SA no IPv6 at all */
		char ip6[INET6_ADDRSTRLEN], ip6b[INET6_ADDRSTRLEN];
		struct in6_addr src6;
		memcpy(&src6, out + 8, 16);
		if (!s->v6 || (!netpolicy_covers6(&s->net6, s->plen6, &src6, 128) &&
		               !(s->own6 && in_framed_route6(v, out + 8)))) {
			v->drop_other++;
			log_rl("%s: IPv6 packet from %s outside the selector of SA %08x dropped",
			       v->ifname, inet_ntop(AF_INET6, out + 8, ip6, sizeof(ip6)),
			       ntohl(spi));
			return;
		}
		if (v->acl6_in && !acl6_permits(v->acl6_in, out, (size_t)n)) {
			v->drop_other++;
			dp.drop_acl++;
			log_rl("%s: IPv6 packet from %s to %s denied by ipv6 access list %s",
			       v->ifname, inet_ntop(AF_INET6, out + 8, ip6, sizeof(ip6)),
			       inet_ntop(AF_INET6, out + 24, ip6b, sizeof(ip6b)), v->acl6_in->name);
			return;
		}
		if (v->mss6)
			mss_clamp6(out, (size_t)n, v->mss6);
		v->pkts_in++;
		v->bytes_in += (uint64_t)n;
		if (v->fd >= 0)
			deliver(v, out, (size_t)n);
		return;
	}
	if (nh != ESP_NH_IPV4 || n < 20 || s->v6) {
		/* next header 59 is a dummy packet (RFC 4303 2.6): nothing to deliver */
		if (nh != ESP_NH_NONE)
			v->drop_other++;
		return;
	}
	/* RFC 4301 5.2: the inner source must lie in the SA's selector (no spoofing of other
	 * sessions' addresses or the hub's networks through a valid SA) */
	uint32_t src;
	memcpy(&src, out + 12, 4);
	if ((src & s->mask.s_addr) != s->net.s_addr && !in_framed_route(v, src)) {
		v->drop_other++;
		log_rl("%s: packet from %s outside the selector of SA %08x dropped", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), ntohl(spi));
		return;
	}
	/* an Easy VPN remote session: only to the pushed address or the inside networks, and
	 * from the split networks if there are some */
	uint32_t dst;
	memcpy(&dst, out + 16, 4);
	if (v->ez && !ez_inbound(v, src, dst)) {
		v->drop_other++;
		return;
	}
	if (v->cm && !cm_inbound(v, src, dst)) {
		v->drop_other++;
		return;
	}
	if (v->acl_in && !acl_permits(v->acl_in, out, (size_t)n)) {
		v->drop_other++;
		dp.drop_acl++;
		log_rl("%s: packet from %s denied by access list %s", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), v->acl_in->name);
		return;
	}
	if (v->mss)
		mss_clamp(out, (size_t)n, v->mss);
	v->pkts_in++;
	v->bytes_in += (uint64_t)n;
	if (v->fd >= 0)
		deliver(v, out, (size_t)n);
}

/* Up to MMSG datagrams in one recvmmsg into the batch's buffers; the count or -1. */
static int rx_batch(int fd, int pktinfo)
{
	for (int i = 0; i < MMSG; i++) {
		/* zeroed: the kernel fills it, nothing may read it unset */
		memset(&dp.rx.from[i], 0, sizeof(dp.rx.from[i]));
		dp.rx.iov[i] = (struct iovec){ dp.rx.buf[i], PKT_MAX };
		dp.rx.m[i].msg_hdr = (struct msghdr){
			.msg_name = &dp.rx.from[i], .msg_namelen = sizeof(dp.rx.from[i]),
			.msg_iov = &dp.rx.iov[i], .msg_iovlen = 1,
			.msg_control = pktinfo ? dp.rx.cbuf[i].b : NULL,
			.msg_controllen = pktinfo ? sizeof(dp.rx.cbuf[i]) : 0 };
	}
	return recvmmsg(fd, dp.rx.m, MMSG, MSG_DONTWAIT, NULL);
}

static void udp_datagram(uint8_t *buf, size_t n, const union sa46 *from,
                         struct msghdr *mh)
{
	if (n == 1 && buf[0] == 0xff)
		return;          /* NAT-T keepalive (RFC 3948 2.3) */
	if (from->sa.sa_family != AF_INET && from->sa.sa_family != AF_INET6)
		return;
	if (n >= 4 && !memcmp(buf, "\0\0\0\0", 4)) {
		struct msg_ike_pkt p;
		memset(&p, 0, sizeof(p));
		p.peer = *from;
		pktinfo_local(mh, from, htons(4500), &p.local);
		p.len = (uint16_t)(n - 4);
		/* over the queue's cap (ikemgr behind) it is dropped and counted in dp.ike */
		if (imsg_compose2(&dp.ike, IMSG_IKE_PACKET, 0, -1, &p, sizeof(p), buf + 4,
		                  n - 4) == 0)
			dp.ike_forwarded++;
		return;
	}
	esp_input(buf, n, from, 1);
}

void on_udp(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	int fd = h == &dp.udp6_poll ? dp.udp6 : dp.udp;
	for (int round = 0; round < BATCH / MMSG; round++) {
		int n = rx_batch(fd, 1);
		for (int i = 0; i < n; i++)
			udp_datagram(dp.rx.buf[i], dp.rx.m[i].msg_len, &dp.rx.from[i],
			             &dp.rx.m[i].msg_hdr);
		if (n < MMSG)
			break;
	}
	gro_flush();
}

/* An IPv4 raw socket hands over the IP header, an IPv6 one does not (RFC 3542 3). */
static void raw_datagram(const uint8_t *buf, size_t n, const union sa46 *from)
{
	if (sa46_is6(from)) {
		esp_input(buf, n, from, 0);
		return;
	}
	if (from->sa.sa_family != AF_INET || n < 20) {
		dp.drop_short++;
		return;
	}
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || n < ihl) {
		dp.drop_short++;
		return;
	}
	esp_input(buf + ihl, n - ihl, from, 0);
}

void on_raw(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	int fd = h == &dp.raw6_poll ? dp.raw6 : dp.raw;
	for (int round = 0; round < BATCH / MMSG; round++) {
		int n = rx_batch(fd, 0);
		for (int i = 0; i < n; i++)
			raw_datagram(dp.rx.buf[i], dp.rx.m[i].msg_len, &dp.rx.from[i]);
		if (n < MMSG)
			break;
	}
	gro_flush();
}
