/*
 * ikemgr's process glue: UDP 500 (ours), UDP 4500 (send only: tunmgr reads it and forwards
 * datagrams that carry the non-ESP marker), the channels to keymgr, tunmgr and the parent,
 * and a one-second tick for the engine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/proc.h"
#include "ikemgr/ikev1.h"

static struct {
	uv_loop_t     *loop;
	struct imsgbuf parent, key, tun;
	int            s500, s4500;
	uv_poll_t      poll500;
	uv_timer_t     tick;
	uint8_t        buf[65536];
} io;

static void send_pkt(const struct sockaddr_in *local, const struct sockaddr_in *peer, int port4500,
                     const uint8_t *pkt, size_t len)
{
	static const uint8_t marker[4];
	struct iovec iov[2];
	int n = 0;
	if (port4500) {
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = 4;
	}
	iov[n].iov_base = (void *)pkt;
	iov[n++].iov_len = len;
	/* Answer from the address the peer reached (the hub may have several). */
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	memset(cbuf, 0, sizeof(cbuf));
	struct msghdr mh = { .msg_name = (void *)peer, .msg_namelen = sizeof(*peer), .msg_iov = iov,
	                     .msg_iovlen = (size_t)n };
	if (local && local->sin_addr.s_addr) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = local->sin_addr;
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(port4500 ? io.s4500 : io.s500, &mh, 0) < 0)
		log_warn("sendmsg to %s", inet_ntoa(peer->sin_addr));
}

static void to_keymgr(uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	imsg_compose(&io.key, type, peerid, -1, d, l);
}
static void to_tunmgr(uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	imsg_compose(&io.tun, type, peerid, -1, d, l);
}
static void to_parent(uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	imsg_compose(&io.parent, type, peerid, -1, d, l);
}

static void on_500(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	for (int i = 0; i < 32; i++) {
		struct sockaddr_in from, local;
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct iovec iov = { io.buf, sizeof(io.buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = cbuf,
		                     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(io.s500, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		memset(&local, 0, sizeof(local));
		local.sin_family = AF_INET;
		local.sin_port = htons(500);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local.sin_addr = pi.ipi_addr;
			}
		if (from.sin_family != AF_INET)
			continue;
		ikev1_input(io.buf, (size_t)n, &from, &local, 0);
	}
}

static void on_tick(uv_timer_t *t)
{
	ikev1_tick(time(NULL));
}

static void on_key(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_keymgr_msg(im->hdr.type, im->hdr.peerid, im->data, im->datalen);
}

static void on_tun(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (im->hdr.type == IMSG_IKE_PACKET) {
		struct msg_ike_pkt p;
		if (im->datalen < sizeof(p))
			fatalx("tunmgr: short IKE packet message");
		memcpy(&p, im->data, sizeof(p));
		if (p.len != im->datalen - sizeof(p))
			fatalx("tunmgr: IKE packet length mismatch");
		ikev1_input((uint8_t *)im->data + sizeof(p), p.len, &p.peer, &p.local, 1);
		return;
	}
	ikev1_tunmgr_msg(im->hdr.type, im->hdr.peerid, im->data, im->datalen);
}

static void on_parent(struct imsgbuf *b, struct imsg *im, void *arg)
{
	switch (im->hdr.type) {
	case IMSG_CLEAR:
		if (im->datalen != sizeof(struct msg_clear))
			fatalx("parent: bad CLEAR length %zu", im->datalen);
		ikev1_clear(im->data);
		break;
	case IMSG_DEBUG:
		if (log_dbg_msg(im->data, im->datalen) == -1)
			fatalx("parent: bad DEBUG length %zu", im->datalen);
		break;
	case IMSG_RELOAD:
		if (im->datalen != sizeof(struct vpnd_conf))
			fatalx("parent: bad RELOAD length %zu", im->datalen);
		ikev1_reload(im->data);
		break;
	case IMSG_SHUTDOWN:
		ikev1_shutdown();
		imsg_flush_blocking(&io.tun);
		imsg_flush_blocking(&io.key);
		imsg_flush_blocking(&io.parent);
		log_info("shut down");
		exit(0);
	default:
		fatalx("parent: unexpected message type %u", im->hdr.type);
	}
}

static void on_error(struct imsgbuf *b, const char *why, void *arg)
{
	fatalx("channel to %s lost: %s", b->name, why);
}

int ikemgr_main(struct proc_boot *boot)
{
	struct ike_io cb = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	io.loop = uv_default_loop();
	io.s500 = boot->sock[SOCK_IKE500];
	io.s4500 = boot->sock[SOCK_IKE4500];
	if (io.s500 < 0 || io.s4500 < 0 || boot->sock[CHAN_KEYMGR] < 0 || boot->sock[CHAN_TUNMGR] < 0)
		fatalx("started without its sockets");
	ikev1_init(boot->conf, &cb);
	imsgbuf_init(&io.parent, io.loop, boot->parent_fd, "parent", on_parent, on_error, NULL);
	imsgbuf_init(&io.key, io.loop, boot->sock[CHAN_KEYMGR], "keymgr", on_key, on_error, NULL);
	imsgbuf_init(&io.tun, io.loop, boot->sock[CHAN_TUNMGR], "tunmgr", on_tun, on_error, NULL);
	uv_poll_init(io.loop, &io.poll500, io.s500);
	uv_poll_start(&io.poll500, UV_READABLE, on_500);
	uv_timer_init(io.loop, &io.tick);
	uv_timer_start(&io.tick, on_tick, 1000, 1000);
	log_info("IKE responder ready");
	return uv_run(io.loop, UV_RUN_DEFAULT);
}
