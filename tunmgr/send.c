/*
 * Outbound: packets read from a session's interface, filtered, sealed with the outbound SA of
 * the selector their destination falls in, and sent to the peer (UDP 4500 or raw ESP).
 */
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "tunmgr/acl.h"
#include "tunmgr/mss.h"
#include "tunmgr/tunmgr.h"

/* The selector for a destination. The outs are kept longest prefix first (sa.c), so the
 * first match is the longest; a session has one selector almost always, so that is one
 * compare. A network RADIUS routed to the client (Framed-Route) that no selector names goes
 * on the SA of the client's own address. */
static struct va_out *out_for(struct va *v, uint32_t dst)
{
	for (int i = 0; i < v->nouts; i++) {
		struct va_out *o = &v->outs[i];
		if (!o->v6 && (dst & o->mask.s_addr) == o->net.s_addr)
			return o;
	}
	if (v->nfroute && in_framed_route(v, dst) && v->client.s_addr != dst)
		return out_for(v, v->client.s_addr);
	return NULL;
}

/* An IPv6 destination: only the client's own address has an SA. */
static struct va_out *out_for6(struct va *v, const uint8_t *dst)
{
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].v6 && memcmp(&v->outs[i].net6, dst, 16) == 0)
			return &v->outs[i];
	return NULL;
}

/*
 * Send the batch sealed for V in one sendmmsg (all to the same peer). A datagram the kernel
 * refuses is counted against the session and its SA and skipped, the rest still go.
 */
static void flush(struct va *v, int k)
{
	struct sockaddr_in dst = v->peer;
	int fd = dp.udp;
	if (v->encap != ENCAP_UDP) {
		dst.sin_port = 0;
		fd = dp.raw;
	}
	for (int i = 0; i < k; i++) {
		dp.tx.iov[i] = (struct iovec){ dp.tx.buf[i], dp.tx.len[i] };
		dp.tx.m[i].msg_hdr = (struct msghdr){ .msg_name = &dst, .msg_namelen = sizeof(dst),
		                                      .msg_iov = &dp.tx.iov[i], .msg_iovlen = 1 };
	}
	for (int done = 0; done < k;) {
		int r = sendmmsg(fd, &dp.tx.m[done], (unsigned)(k - done), 0);
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

/* Up to BATCH packets per wakeup, sealed into the batch and sent MMSG at a time. */
void on_tun(uv_poll_t *h, int status, int events)
{
	struct va *v = h->data;
	if (status < 0)
		return;
	va_touch(v);
	int k = 0;
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = read(v->fd, dp.buf, sizeof(dp.buf));
		if (n <= 0)
			break;
		uint32_t dst;
		struct va_out *o;
		uint8_t nh = ESP_NH_IPV4;
		if (n >= 40 && dp.buf[0] >> 4 == 6) {
			/* IPv6: `ip access-group` and `ip tcp adjust-mss` are IPv4 settings and
			 * leave it alone, as on IOS */
			nh = ESP_NH_IPV6;
			o = out_for6(v, dp.buf + 24);
		} else {
			if (n < 20 || dp.buf[0] >> 4 != 4) {
				v->drop_other++;
				continue;
			}
			memcpy(&dst, dp.buf + 16, 4);
			if (v->acl_out && !acl_permits(v->acl_out, dp.buf, (size_t)n)) {
				v->drop_other++;
				dp.drop_acl++;
				continue;
			}
			if (v->mss)
				mss_clamp(dp.buf, (size_t)n, v->mss);
			o = out_for(v, dst);
		}
		if (!o || !o->out) {
			v->drop_other++;
			continue;
		}
		ssize_t m = esp_encap(o->out, dp.buf, (size_t)n, nh, dp.tx.buf[k], PKT_MAX);
		if (m < 0) {
			count_err(v, m);
			continue;
		}
		v->pkts_out++;
		v->bytes_out += (uint64_t)n;
		dp.tx.len[k] = (size_t)m;
		dp.tx.spi[k] = o->out_spi;
		if (++k == MMSG) {
			flush(v, k);
			k = 0;
		}
	}
	if (k)
		flush(v, k);
}
