/* keymgr's process glue: questions from ikemgr, answered from keymgr/auth.c. */
#include <stdlib.h>
#include <string.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/proc.h"
#include "radius/dynauth.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static struct {
	uv_loop_t     *loop;
	struct imsgbuf parent, ike;
	const struct vpnd_conf *conf;   /* keymgr_reload() updates it in place */
} io;

#define NEED(T) \
	if (im->datalen != sizeof(T)) \
		fatalx("%s: message %u has %zu bytes, expected %zu", b->name, im->hdr.type, \
		       im->datalen, sizeof(T))

static void on_ike(struct imsgbuf *b, struct imsg *im, void *arg)
{
	switch (im->hdr.type) {
	case IMSG_SKEYID_REQ: {
		NEED(struct msg_skeyid_req);
		struct msg_skeyid_res r;
		if (!keymgr_skeyid_q(im->hdr.peerid, im->data, &r))
			imsg_compose(&io.ike, IMSG_SKEYID_RES, im->hdr.peerid, -1, &r, sizeof(r));
		explicit_bzero(&r, sizeof(r));
		break;
	}
	case IMSG_XAUTH_REQ: {
		NEED(struct msg_xauth_req);
		struct msg_xauth_res *r = calloc(1, sizeof(*r));
		if (!r)
			fatal("calloc");
		int parked = keymgr_xauth_q(im->hdr.peerid, im->data, r);
		explicit_bzero(im->data, im->datalen);
		if (!parked)
			imsg_compose(&io.ike, IMSG_XAUTH_RES, im->hdr.peerid, -1, r, sizeof(*r));
		free(r);
		break;
	}
	case IMSG_CERT_VERIFY_REQ: {
		NEED(struct msg_cert_verify_req);
		struct msg_cert_verify_res r;
		keymgr_cert_verify(io.conf, im->data, &r);
		imsg_compose(&io.ike, IMSG_CERT_VERIFY_RES, im->hdr.peerid, -1, &r, sizeof(r));
		break;
	}
	case IMSG_SIGN_REQ: {
		NEED(struct msg_sign_req);
		struct msg_sign_res r;
		keymgr_cert_sign(io.conf, im->data, &r);
		imsg_compose(&io.ike, IMSG_SIGN_RES, im->hdr.peerid, -1, &r, sizeof(r));
		break;
	}
	case IMSG_SESSION_END_KEY:
		NEED(struct msg_session_end);
		keymgr_session_end(im->data);
		break;
	case IMSG_DYNAUTH_RES:
		NEED(struct msg_dynauth_res);
		dynauth_result(im->data);
		break;
	default:
		fatalx("ikemgr: unexpected message type %u", im->hdr.type);
	}
}

static void send_to_ike(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	imsg_compose(&io.ike, type, peerid, -1, data, len);
}

static void send_to_parent(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	imsg_compose(&io.parent, type, peerid, -1, data, len);
}

static void on_parent(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (im->hdr.type == IMSG_ACCT_REQ) {
		NEED(struct msg_acct);
		radius_acct(im->data);
		return;
	}
	if (im->hdr.type == IMSG_SHUTDOWN) {
		log_info("shut down");
		exit(0);
	}
	if (im->hdr.type == IMSG_DEBUG && log_dbg_msg(im->data, im->datalen) == 0)
		return;
	if (im->hdr.type == IMSG_RELOAD) {
		if (im->datalen != sizeof(struct vpnd_conf))
			fatalx("parent: bad RELOAD length %zu", im->datalen);
		keymgr_reload(im->data);
		dynauth_reloaded();
		explicit_bzero(im->data, im->datalen);   /* it holds the keys */
		return;
	}
	fatalx("parent: unexpected message type %u", im->hdr.type);
}

static void on_error(struct imsgbuf *b, const char *why, void *arg)
{
	/* ikemgr closes first at a normal shutdown; if it crashed, the parent sees to the rest. */
	if (b == &io.ike) {
		log_info("ikemgr closed its channel (%s): stopping", why);
		exit(0);
	}
	fatalx("channel to %s lost: %s", b->name, why);
}

int keymgr_main(struct proc_boot *boot)
{
	io.loop = uv_default_loop();
	if (boot->sock[CHAN_IKEMGR] < 0)
		fatalx("started without its channel to ikemgr");
	keymgr_init(boot->conf);
	io.conf = boot->conf;
	keymgr_set_sender(send_to_ike);
	radius_acct_init(boot->conf, send_to_parent);
	if (radius_init(boot->conf, io.loop) < 0)
		fatalx("cannot start the RADIUS client");
	imsgbuf_init(&io.parent, io.loop, boot->parent_fd, "parent", on_parent, on_error, NULL);
	imsgbuf_init(&io.ike, io.loop, boot->sock[CHAN_IKEMGR], "ikemgr", on_ike, on_error, NULL);
	dynauth_init(boot->conf, io.loop, boot->sock[SOCK_DYNAUTH], send_to_ike);
	boot->sock[SOCK_DYNAUTH] = -1;      /* dynauth.c owns it now */
	log_info("ready: %d groups, %d users, %d radius servers", boot->conf->ngroup,
	         boot->conf->nuser, boot->conf->nradius);
	return uv_run(io.loop, UV_RUN_DEFAULT);
}
