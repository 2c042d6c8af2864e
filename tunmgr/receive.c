/*
 * Inbound: ESP from UDP 4500 (RFC 3948; datagrams starting with the four-byte non-ESP marker
 * are IKE and go to ikemgr) or from the raw protocol-50 socket, opened with the SA its SPI
 * names, checked against the SA's selector and the access list, written to the interface.
 */
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "common/log.h"
#include "tunmgr/acl.h"
#include "tunmgr/mss.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tunmgr.h"

static void esp_input(const uint8_t *esp, size_t len, const struct sockaddr_in *from, int udp)
{
	uint32_t spi;
	if (len < 8) {
		dp.drop_short++;
		log_rl("ESP datagram of %zu bytes from %s dropped: too short", len,
		       inet_ntoa(from->sin_addr));
		return;
	}
	memcpy(&spi, esp, 4);
	struct sa_in *s = sadb_lookup(dp.sadb, spi);
	if (!s) {
		dp.drop_unknown_spi++;
		log_rl("ESP with unknown SPI %08x from %s dropped", ntohl(spi), inet_ntoa(from->sin_addr));
		return;
	}
	struct va *v = s->va;
	uint8_t nh;
	ssize_t n = esp_decap(s->esp, esp, len, dp.out, sizeof(dp.out), &nh);
	if (n < 0) {
		count_err(v, n);
		log_rl("%s: ESP SPI %08x dropped: %s", v->ifname, ntohl(spi), esp_strerror((int)n));
		return;
	}
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].pending_in == s)
			switch_out(v, &v->outs[i]);
	/* An authenticated packet from a new port is a NAT rebinding: follow it. */
	if (udp && v->encap == ENCAP_UDP && from->sin_port != v->peer.sin_port &&
	    from->sin_addr.s_addr == v->peer.sin_addr.s_addr)
		v->peer.sin_port = from->sin_port;
	if (nh != ESP_NH_IPV4 || n < 20) {
		/* next header 59 is a dummy packet (RFC 4303 2.6): nothing to deliver */
		if (nh != ESP_NH_NONE)
			v->drop_other++;
		return;
	}
	/* RFC 4301 5.2: the inner source must lie in the SA's selector (no spoofing of other
	 * sessions' addresses or the hub's networks through a valid SA) */
	uint32_t src;
	memcpy(&src, dp.out + 12, 4);
	if ((src & s->mask.s_addr) != s->net.s_addr && !in_framed_route(v, src)) {
		v->drop_other++;
		log_rl("%s: packet from %s outside the selector of SA %08x dropped", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), ntohl(spi));
		return;
	}
	if (v->acl_in && !acl_permits(v->acl_in, dp.out, (size_t)n)) {
		v->drop_other++;
		dp.drop_acl++;
		log_rl("%s: packet from %s denied by access list %s", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), v->acl_in->name);
		return;
	}
	if (v->mss)
		mss_clamp(dp.out, (size_t)n, v->mss);
	v->pkts_in++;
	v->bytes_in += (uint64_t)n;
	if (v->fd >= 0 && write(v->fd, dp.out, (size_t)n) < 0)
		v->drop_other++;
}

void on_udp(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		struct sockaddr_in from;
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct iovec iov = { dp.buf, sizeof(dp.buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = cbuf,
		                     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(dp.udp, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (n == 1 && dp.buf[0] == 0xff)
			continue;        /* NAT-T keepalive (RFC 3948 2.3) */
		if (n >= 4 && !memcmp(dp.buf, "\0\0\0\0", 4)) {
			struct msg_ike_pkt p;
			memset(&p, 0, sizeof(p));
			p.peer = from;
			p.local.sin_family = AF_INET;
			p.local.sin_port = htons(4500);
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
				if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
					struct in_pktinfo pi;
					memcpy(&pi, CMSG_DATA(c), sizeof(pi));
					p.local.sin_addr = pi.ipi_addr;
				}
			p.len = (uint16_t)(n - 4);
			/* over the queue's cap (ikemgr behind) it is dropped and counted in dp.ike */
			if (imsg_compose2(&dp.ike, IMSG_IKE_PACKET, 0, -1, &p, sizeof(p), dp.buf + 4,
			                  (size_t)n - 4) == 0)
				dp.ike_forwarded++;
			continue;
		}
		esp_input(dp.buf, (size_t)n, &from, 1);
	}
}

void on_raw(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		/* the kernel fills it for an AF_INET raw socket; zeroed so nothing can read it unset */
		struct sockaddr_in from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(dp.raw, dp.buf, sizeof(dp.buf), MSG_DONTWAIT,
		                     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (n < 20) {
			dp.drop_short++;
			continue;
		}
		size_t ihl = (size_t)(dp.buf[0] & 0x0f) * 4;
		if (ihl < 20 || (size_t)n < ihl) {
			dp.drop_short++;
			continue;
		}
		esp_input(dp.buf + ihl, (size_t)n - ihl, &from, 0);
	}
}

