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
#include "common/pktinfo.h"
#include "common/proc.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

static struct {
	uv_loop_t     *loop;
	struct imsgbuf parent, key, tun;
	int            s500, s4500;
	int            s500_6, s4500_6;         /* -1: no IPv6 */
	uv_poll_t      poll500, poll500_6;
	uv_timer_t     tick;
	uint8_t        buf[65536];
} io;

static void send_pkt(const union sa46 *local, const union sa46 *peer, int port4500,
                     const uint8_t *pkt, size_t len)
{
	static const uint8_t marker[4];
	struct iovec iov[2];
	int n = 0, v6 = sa46_is6(peer);
	int fd = v6 ? (port4500 ? io.s4500_6 : io.s500_6) : (port4500 ? io.s4500 : io.s500);
	if (fd < 0)
		return;         /* no IPv6 here: nothing came from there either */
	if (port4500) {
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = 4;
	}
	iov[n].iov_base = (void *)pkt;
	iov[n++].iov_len = len;
	/* Answer from the address the peer reached (the hub may have several). */
	union pktinfo_cbuf cbuf;
	struct msghdr mh = { .msg_name = (void *)&peer->sa, .msg_namelen = sa46_len(peer),
	                     .msg_iov = iov, .msg_iovlen = (size_t)n };
	if (local && sa46_is6(local) == v6)
		pktinfo_put(&mh, &cbuf, local);
	if (sendmsg(fd, &mh, 0) < 0)
		log_warn("sendmsg to %s", sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }));
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

/* IKEv1 and IKEv2 share the ports: the header's major version says which engine. */
static void ike_input(const uint8_t *pkt, size_t len, const union sa46 *from,
                      const union sa46 *local, int port4500)
{
	if (len >= ISAKMP_HDR_LEN && pkt[17] >> 4 == 2)
		ikev2_input(pkt, len, from, local, port4500);
	else
		ikev1_input(pkt, len, from, local, port4500);
}

/* One port 500 socket's queue; IPv4 and IPv6 each have one. */
static void read_500(int fd)
{
	for (int i = 0; i < 32; i++) {
		union sa46 from, local;
		union pktinfo_cbuf cbuf;
		struct iovec iov = { io.buf, sizeof(io.buf) };
		memset(&from, 0, sizeof(from));
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = cbuf.b,
		                     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		pktinfo_local(&mh, &from, htons(500), &local);
		if (from.sa.sa_family != AF_INET && from.sa.sa_family != AF_INET6)
			continue;
		ike_input(io.buf, (size_t)n, &from, &local, 0);
	}
}

static void on_500(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	read_500(h == &io.poll500_6 ? io.s500_6 : io.s500);
}

static void on_tick(uv_timer_t *t)
{
	time_t now = time(NULL);
	ikev1_tick(now);
	ikev2_tick(now);
}

/* The channels' dispatch tables: sizes and senders are checked by then (msgcat). */
static void h_skeyid(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_skeyid_res(im->hdr.peerid, im->data);
}

static void h_v2_auth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev2_auth_res(im->hdr.peerid, im->data);
	explicit_bzero(im->data, im->datalen);
}

static void h_v2_eap(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev2_eap_res(im->hdr.peerid, im->data);
}

static void h_cert_verify(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_cert_verify_res(im->hdr.peerid, im->data);
}

static void h_sign(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_sign_res(im->hdr.peerid, im->data);
}

static void h_xauth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (!ikev2_xauth_res(im->hdr.peerid, im->data))
		ikev1_xauth_res(im->hdr.peerid, im->data);
}

static void h_ez_xauth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ez_xauth_res(im->hdr.peerid, im->data);
	explicit_bzero(im->data, im->datalen);
}

static void h_ez_cmd(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ez_cmd(im->data);
}

static void h_ez_traffic(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ez_traffic(im->data);
}

static void h_dynauth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ike_dynauth(im->data);
}

static void h_ike_packet(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ike_pkt p;
	memcpy(&p, im->data, sizeof(p));
	if (p.len != im->datalen - sizeof(p))
		return;     /* tunmgr's own bookkeeping, not the peer's: the datagram is lost */
	ike_input((uint8_t *)im->data + sizeof(p), p.len, &p.peer, &p.local, 1);
}

static void h_va_created(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (!ikev2_va_created(im->hdr.peerid, im->data))
		ikev1_va_created(im->hdr.peerid, im->data);
}

static void h_sa_added(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (!ikev2_sa_added(im->hdr.peerid, im->data))
		ikev1_sa_added(im->hdr.peerid, im->data);
}

static void h_va_activity(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (!ikev2_va_activity(im->hdr.peerid, im->data))
		ikev1_va_activity(im->hdr.peerid, im->data);
}

static void h_sa_expire(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (!ikev2_sa_expire(im->hdr.peerid, im->data))
		ikev1_sa_expire(im->hdr.peerid, im->data);
}

static void h_clear(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_clear(im->data);
	ikev2_clear(im->data);
}

static void h_debug(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_dbg_msg(im->data, im->datalen);
}

static void h_reload(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_reload(im->data);
	ikev2_reload(im->data);
}

static void h_shutdown(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ikev1_shutdown();
	ikev2_shutdown();
	imsg_flush_blocking(&io.tun);
	imsg_flush_blocking(&io.key);
	imsg_flush_blocking(&io.parent);
	log_info("shut down");
	exit(0);
}

static const imsg_dispatch_fn from_key[IMSG_TYPE_MAX] = {
	[IMSG_SKEYID_RES] = h_skeyid,
	[IMSG_V2_AUTH_RES] = h_v2_auth,
	[IMSG_V2_EAP_RES] = h_v2_eap,
	[IMSG_CERT_VERIFY_RES] = h_cert_verify,
	[IMSG_SIGN_RES] = h_sign,
	[IMSG_XAUTH_RES] = h_xauth,
	[IMSG_DYNAUTH_REQ] = h_dynauth,
	[IMSG_EZ_XAUTH_RES] = h_ez_xauth,
};
static const imsg_dispatch_fn from_tun[IMSG_TYPE_MAX] = {
	[IMSG_IKE_PACKET] = h_ike_packet,
	[IMSG_VA_CREATED] = h_va_created,
	[IMSG_SA_ADDED] = h_sa_added,
	[IMSG_VA_ACTIVITY] = h_va_activity,
	[IMSG_SA_EXPIRE] = h_sa_expire,
	[IMSG_EZ_TRAFFIC] = h_ez_traffic,
};
static const imsg_dispatch_fn from_parent[IMSG_TYPE_MAX] = {
	[IMSG_CLEAR] = h_clear,
	[IMSG_DEBUG] = h_debug,
	[IMSG_RELOAD] = h_reload,
	[IMSG_SHUTDOWN] = h_shutdown,
	[IMSG_EZ_CMD] = h_ez_cmd,
};
static const struct imsg_chan chan_key = { ROLE_IKEMGR, ROLE_KEYMGR, from_key };
static const struct imsg_chan chan_tun = { ROLE_IKEMGR, ROLE_TUNMGR, from_tun };
static const struct imsg_chan chan_parent = { ROLE_IKEMGR, ROLE_PARENT, from_parent };

static void on_error(struct imsgbuf *b, const char *why, void *arg)
{
	proc_violation(&io.parent, b);
	fatalx("channel to %s lost: %s", b->name, why);
}

int ikemgr_main(struct proc_boot *boot)
{
	struct ike_io cb = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	io.loop = uv_default_loop();
	io.s500 = boot->sock[SOCK_IKE500];
	io.s4500 = boot->sock[SOCK_IKE4500];
	io.s500_6 = boot->sock[SOCK_IKE500_6];
	io.s4500_6 = boot->sock[SOCK_IKE4500_6];
	if (io.s500 < 0 || io.s4500 < 0 || boot->sock[CHAN_KEYMGR] < 0 || boot->sock[CHAN_TUNMGR] < 0)
		fatalx("started without its sockets");
	ikev1_init(boot->conf, &cb);
	imsgbuf_init_chan(&io.parent, io.loop, boot->parent_fd, "parent", &chan_parent, on_error,
	                  NULL);
	imsgbuf_init_chan(&io.key, io.loop, boot->sock[CHAN_KEYMGR], "keymgr", &chan_key, on_error,
	                  NULL);
	imsgbuf_init_chan(&io.tun, io.loop, boot->sock[CHAN_TUNMGR], "tunmgr", &chan_tun, on_error,
	                  NULL);
	ez_init(boot->conf);        /* reports its ezvpns to the parent: after the channels */
	vti_init(boot->conf);
	uv_poll_init(io.loop, &io.poll500, io.s500);
	uv_poll_start(&io.poll500, UV_READABLE, on_500);
	if (io.s500_6 >= 0) {
		uv_poll_init(io.loop, &io.poll500_6, io.s500_6);
		uv_poll_start(&io.poll500_6, UV_READABLE, on_500);
	}
	uv_timer_init(io.loop, &io.tick);
	uv_timer_start(&io.tick, on_tick, 1000, 1000);
	log_info("IKE responder ready");
	return uv_run(io.loop, UV_RUN_DEFAULT);
}
