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

/* The selector for a destination: longest prefix first (masks are contiguous). A network
 * RADIUS routed to the client (Framed-Route) that no selector names goes on the SA of the
 * client's own address. */
static struct va_out *out_for(struct va *v, uint32_t dst)
{
	struct va_out *best = NULL;
	for (int i = 0; i < v->nouts; i++) {
		struct va_out *o = &v->outs[i];
		if ((dst & o->mask.s_addr) == o->net.s_addr &&
		    (!best || ntohl(o->mask.s_addr) > ntohl(best->mask.s_addr)))
			best = o;
	}
	if (!best && in_framed_route(v, dst) && v->client.s_addr != dst)
		return out_for(v, v->client.s_addr);
	return best;
}

/* -1 when the datagram could not be sent (counted). */
static int send_esp(struct va *v, const uint8_t *esp, size_t len)
{
	ssize_t n;
	if (v->encap == ENCAP_UDP)
		n = sendto(dp.udp, esp, len, 0, (struct sockaddr *)&v->peer, sizeof(v->peer));
	else {
		struct sockaddr_in dst = v->peer;
		dst.sin_port = 0;
		n = sendto(dp.raw, esp, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	}
	if (n < 0) {
		v->drop_other++;
		return -1;
	}
	return 0;
}

void on_tun(uv_poll_t *h, int status, int events)
{
	struct va *v = h->data;
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = read(v->fd, dp.buf, sizeof(dp.buf));
		if (n <= 0)
			break;
		uint32_t dst;
		if (n < 20) {
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
		struct va_out *o = out_for(v, dst);
		if (o && o->pending && uv_now(dp.loop) - o->pending_since >= 1000)
			switch_out(v, o);
		if (!o || !o->out) {
			v->drop_other++;
			continue;
		}
		ssize_t m = esp_encap(o->out, dp.buf, (size_t)n, ESP_NH_IPV4, dp.out, sizeof(dp.out));
		if (m < 0) {
			count_err(v, m);
			continue;
		}
		v->pkts_out++;
		v->bytes_out += (uint64_t)n;
		if (send_esp(v, dp.out, (size_t)m) < 0) {
			struct sa_in *s = in_twin(v, o->out_spi);
			if (s)
				s->send_err++;
		}
	}
}

