/*
 * Outbound: packets read from a session's interface, filtered, sealed with the outbound SA of
 * the selector their destination falls in, and sent to the peer (UDP 4500 or raw ESP). With
 * TUN offloads a read is a TSO super-packet of up to 64 KiB, cut into wire packets first.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "tunmgr/acl.h"
#include "tunmgr/mss.h"
#include "tunmgr/tunmgr.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103         /* <netinet/udp.h> before glibc 2.27 */
#endif

/* The selector for a destination. The outs are kept longest prefix first (sa.c), so the
 * first match is the longest; a session has one selector almost always, so that is one
 * compare. A network RADIUS routed to the client (Framed-Route) that no selector names goes
 * on the SA of the client's own address. */
static struct va_out *out_for(struct va *v, uint32_t dst)
{
	for (int i = 0; i < v->nouts; i++) {
		struct va_out *o = &v->outs[i];
		if ((dst & o->mask.s_addr) == o->net.s_addr)
			return o;
	}
	if (v->nfroute && in_framed_route(v, dst) && v->client.s_addr != dst)
		return out_for(v, v->client.s_addr);
	return NULL;
}

/* An IPv6 destination: the SA of the longest selector that holds it (the client's address,
 * or a network of its own that a quick mode named); a network RADIUS routed to the client
 * (Framed-IPv6-Route, Delegated-IPv6-Prefix) that no selector names goes on the SA of the
 * client's address. */
static struct va_out *out_for6(struct va *v, const uint8_t *dst)
{
	struct va_out *best = NULL, *own = NULL;
	struct in6_addr d;
	memcpy(&d, dst, 16);
	for (int i = 0; i < v->nouts; i++) {
		struct va_out *o = &v->outs[i];
		if (!o->v6)
			continue;
		if (o->own6)
			own = o;
		if ((!best || o->plen6 > best->plen6) &&
		    netpolicy_covers6(&o->net6, o->plen6, &d, 128))
			best = o;
	}
	if (!best && own && v->nfroute6 && in_framed_route6(v, dst))
		best = own;
	return best;
}

/* Datagrams [from, to) of the batch in sendmmsg calls. A datagram the kernel refuses is
 * counted against the session and its SA and skipped, the rest still go. */
static void send_mmsg(struct va *v, int fd, union sa46 *dst, int from, int to)
{
	for (int i = from; i < to; i++) {
		dp.tx.iov[i] = (struct iovec){ dp.tx.buf[i], dp.tx.len[i] };
		dp.tx.m[i].msg_hdr = (struct msghdr){ .msg_name = &dst->sa,
		                                      .msg_namelen = sa46_len(dst),
		                                      .msg_iov = &dp.tx.iov[i], .msg_iovlen = 1 };
	}
	for (int done = from; done < to;) {
		int r = sendmmsg(fd, &dp.tx.m[done], (unsigned)(to - done), 0);
		if (r > 0) {
			done += r;
			continue;
		}
		v->drop_other++;
		struct sa_in *s = in_twin(v, dp.tx.spi[done]);
		if (s)
			s->send_err++;
		done++;
	}
}

/* The end of the run of datagrams starting at FROM that UDP GSO can send as one: all of the
 * first one's size but the last, which may be shorter, under the 64 KiB of one datagram. */
static int gso_run(int from, int k)
{
	size_t seg = dp.tx.len[from], total = 0;
	int i;
	for (i = from; i < k && dp.tx.len[i] <= seg && total + dp.tx.len[i] <= 65535 - 8 - 20; i++) {
		total += dp.tx.len[i];
		if (dp.tx.len[i] < seg)
			return i + 1;
	}
	return i;
}

/*
 * Datagrams [from, to) of one size (a TSO read sealed; the last may be shorter) to the peer in
 * one sendmsg with UDP_SEGMENT: the UDP and IP layers are walked once for the lot and the cut
 * is made at the bottom of the stack (RFC 3948 packets are plain UDP datagrams, nothing in
 * them depends on how they were sent). Returns 0 when sent, -1 when they must go by sendmmsg.
 */
static int send_gso(int fd, union sa46 *dst, int from, int to)
{
	for (int i = from; i < to; i++)
		dp.tx.iov[i] = (struct iovec){ dp.tx.buf[i], dp.tx.len[i] };
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} c;
	memset(&c, 0, sizeof(c));
	struct msghdr mh = { .msg_name = &dst->sa, .msg_namelen = sa46_len(dst),
	                     .msg_iov = &dp.tx.iov[from], .msg_iovlen = (size_t)(to - from),
	                     .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	uint16_t sz = (uint16_t)dp.tx.len[from];
	memcpy(CMSG_DATA(cm), &sz, sizeof(sz));
	if (sendmsg(fd, &mh, 0) >= 0) {
		dp.gso_sends++;
		return 0;
	}
	if (errno == EINVAL || errno == EIO || errno == EOPNOTSUPP || errno == ENOPROTOOPT) {
		/* a kernel or route that cannot: say so once, and batch as before */
		log_warn("UDP GSO refused, sending ESP datagrams one by one");
		dp.no_gso = 1;
	}
	return -1;
}

/* Send the K datagrams sealed for V (all to the same peer): runs of one size by UDP GSO,
 * what is left by sendmmsg, in order. */
static void flush(struct va *v, int k)
{
	union sa46 dst = v->peer;
	int v6 = sa46_is6(&dst), udp = v6 ? dp.udp6 : dp.udp;
	if (v->encap != ENCAP_UDP) {
		/* a raw socket takes port 0 (or its own protocol) */
		sa46_set_port(&dst, 0);
		send_mmsg(v, v6 ? dp.raw6 : dp.raw, &dst, 0, k);
		return;
	}
	int pending = 0;        /* first datagram not sent yet */
	for (int i = 0; i < k && !dp.no_gso;) {
		int end = gso_run(i, k);
		if (end - i < 2) {
			i = end > i ? end : i + 1;
			continue;
		}
		send_mmsg(v, udp, &dst, pending, i);
		if (send_gso(udp, &dst, i, end) < 0)
			send_mmsg(v, udp, &dst, i, end);
		pending = i = end;
	}
	send_mmsg(v, udp, &dst, pending, k);
}

struct tx {
	struct va *v;
	int        k;       /* sealed in dp.tx, not sent yet */
};

/* One wire packet: filtered, sealed into the batch, the batch sent when full. */
static int tx_one(void *arg, uint8_t *pkt, size_t n)
{
	struct tx *t = arg;
	struct va *v = t->v;
	struct va_out *o;
	uint8_t nh = ESP_NH_IPV4;
	if (n >= 40 && pkt[0] >> 4 == 6) {
		/* IPv6: `ip access-group` and `ip tcp adjust-mss` are IPv4 settings and leave it
		 * alone, as on IOS; `ipv6 traffic-filter` and `ipv6 tcp adjust-mss` are its own */
		if (v->acl6_out && !acl6_permits(v->acl6_out, pkt, n)) {
			v->drop_other++;
			dp.drop_acl++;
			return 0;
		}
		if (v->mss6)
			mss_clamp6(pkt, n, v->mss6);
		nh = ESP_NH_IPV6;
		o = out_for6(v, pkt + 24);
	} else {
		uint32_t dst;
		if (n < 20 || pkt[0] >> 4 != 4) {
			v->drop_other++;
			return 0;
		}
		memcpy(&dst, pkt + 16, 4);
		if (v->acl_out && !acl_permits(v->acl_out, pkt, n)) {
			v->drop_other++;
			dp.drop_acl++;
			return 0;
		}
		if (v->mss)
			mss_clamp(pkt, n, v->mss);
		o = out_for(v, dst);
	}
	if (!o || !o->out) {
		v->drop_other++;
		return 0;
	}
	ssize_t m = esp_encap(o->out, pkt, n, nh, dp.tx.buf[t->k], PKT_MAX);
	if (m < 0) {
		count_err(v, m);
		return 0;
	}
	v->pkts_out++;
	v->bytes_out += (uint64_t)n;
	dp.tx.len[t->k] = (size_t)m;
	dp.tx.spi[t->k] = o->out_spi;
	if (++t->k == MMSG) {
		flush(v, t->k);
		t->k = 0;
	}
	return 0;
}

/* A read from a TUN with IFF_VNET_HDR: the header, then a packet or a super-packet that
 * offload_segment() cuts into wire packets. The header comes from the kernel but is checked
 * all the same: one that does not add up drops the read. */
static void tx_vnet(struct tx *t, uint8_t *buf, size_t n)
{
	struct virtio_net_hdr h;
	if (n < VNET_HDR) {
		t->v->drop_other++;
		dp.drop_vnet++;
		return;
	}
	memcpy(&h, buf, VNET_HDR);
	int r = offload_segment(buf + VNET_HDR, n - VNET_HDR, &h, dp.seg, sizeof(dp.seg), tx_one, t);
	if (r < 0) {
		t->v->drop_other++;
		dp.drop_vnet++;
		log_rl("%s: read of %zu bytes dropped: virtio header (gso %u, size %u, csum %u+%u) "
		       "does not fit the packet", t->v->ifname, n, h.gso_type, h.gso_size,
		       h.csum_start, h.csum_offset);
	} else if (r > 1) {
		t->v->tso_in++;
	}
}

/* Up to BATCH reads per wakeup, sealed into the batch and sent MMSG at a time. */
void on_tun(uv_poll_t *h, int status, int events)
{
	struct va *v = h->data;
	if (status < 0)
		return;
	va_touch(v);
	struct tx t = { .v = v, .k = 0 };
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = read(v->fd, dp.buf, sizeof(dp.buf));
		if (n <= 0)
			break;
		if (v->vnet)
			tx_vnet(&t, dp.buf, (size_t)n);
		else
			tx_one(&t, dp.buf, (size_t)n);
	}
	if (t.k)
		flush(v, t.k);
}
