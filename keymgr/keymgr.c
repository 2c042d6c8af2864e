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
#include "radius/stats.h"

static struct {
	uv_loop_t     *loop;
	struct imsgbuf parent, ike, tun;
	const struct vpnd_conf *conf;   /* keymgr_reload() updates it in place */
} io;

static void send_to_parent(uint32_t type, uint32_t peerid, const void *data, size_t len);

static void send_to_tun(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	imsg_compose(&io.tun, type, peerid, -1, data, len);
}

/* Every answer to ikemgr goes here: an accepted login is told to tunmgr first. */
static void send_to_ike(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	if (type == IMSG_XAUTH_RES && len == sizeof(struct msg_xauth_res)) {
		const struct msg_xauth_res *r = data;
		if (r->status == XAUTH_OK)
			authz_grant(r->sa_id, &r->policy);
	}
	imsg_compose(&io.ike, type, peerid, -1, data, len);
}

/* The channels' dispatch tables: sizes and senders are checked by then (msgcat). */
static void h_skeyid(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_skeyid_res r;
	if (!keymgr_skeyid_q(im->hdr.peerid, im->data, &r))
		imsg_compose(&io.ike, IMSG_SKEYID_RES, im->hdr.peerid, -1, &r, sizeof(r));
	explicit_bzero(&r, sizeof(r));
}

static void h_xauth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_xauth_res *r = calloc(1, sizeof(*r));
	if (!r)
		fatal("calloc");
	int parked = keymgr_xauth_q(im->hdr.peerid, im->data, r);
	explicit_bzero(im->data, im->datalen);
	if (!parked)
		send_to_ike(IMSG_XAUTH_RES, im->hdr.peerid, r, sizeof(*r));
	free(r);
}

static void h_ez_xauth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ez_xauth_res r;
	keymgr_ez_xauth(io.conf, im->data, &r);
	imsg_compose(&io.ike, IMSG_EZ_XAUTH_RES, im->hdr.peerid, -1, &r, sizeof(r));
	explicit_bzero(&r, sizeof(r));
}

static void h_ez_xauth_cancel(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ezp_cancel(im->data);
}

/* The operator's answer, relayed by the parent: to ikemgr only for the request held. */
static void h_ez_xauth_answer(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ez_xauth_answer a;
	struct msg_ez_xauth_answered v;
	struct msg_ez_xauth_res r;

	memcpy(&a, im->data, sizeof(a));
	explicit_bzero(im->data, im->datalen);
	memset(&v, 0, sizeof(v));
	v.ctl_id = a.ctl_id;
	memcpy(v.ezvpn, a.ezvpn, sizeof(v.ezvpn));
	v.ezvpn[sizeof(v.ezvpn) - 1] = '\0';
	v.verdict = ezp_answer(io.conf, &a, &r, time(NULL));
	explicit_bzero(&a, sizeof(a));
	if (v.verdict == EZX_SENT)
		imsg_compose(&io.ike, IMSG_EZ_XAUTH_RES, r.sa_id, -1, &r, sizeof(r));
	explicit_bzero(&r, sizeof(r));
	send_to_parent(IMSG_EZ_XAUTH_ANSWERED, 0, &v, sizeof(v));
}

static void h_ez_backup(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ez_backup ok;
	if (keymgr_ez_backup(io.conf, im->data, &ok))
		send_to_tun(IMSG_EZ_BACKUP_OK, 0, &ok, sizeof(ok));
}

static void h_cert_verify(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_cert_verify_res r;
	keymgr_verify_q(io.conf, im->data, &r);
	imsg_compose(&io.ike, IMSG_CERT_VERIFY_RES, im->hdr.peerid, -1, &r, sizeof(r));
}

static void h_sign(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_sign_res r;
	keymgr_sign_q(io.conf, im->data, &r);
	imsg_compose(&io.ike, IMSG_SIGN_RES, im->hdr.peerid, -1, &r, sizeof(r));
}

static void h_vti_sign(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_sign_res r;
	keymgr_vti_sign(io.conf, im->data, &r);
	imsg_compose(&io.ike, IMSG_SIGN_RES, im->hdr.peerid, -1, &r, sizeof(r));
}

static void h_v2_auth(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_v2_auth_res *r = calloc(1, sizeof(*r));
	if (!r)
		fatal("calloc");
	if (!keymgr_v2_auth(io.conf, im->data, r))
		imsg_compose(&io.ike, IMSG_V2_AUTH_RES, im->hdr.peerid, -1, r, sizeof(*r));
	explicit_bzero(r, sizeof(*r));
	free(r);
	explicit_bzero(im->data, im->datalen);
}

static void h_v2_eap(struct imsgbuf *b, struct imsg *im, void *arg)
{
	v2eap_relay(io.conf, im->data);
}

static void h_session_end(struct imsgbuf *b, struct imsg *im, void *arg)
{
	keymgr_session_end(im->data);
}

static void h_dynauth_res(struct imsgbuf *b, struct imsg *im, void *arg)
{
	dynauth_result(im->data);
}

static void send_to_parent(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	imsg_compose(&io.parent, type, peerid, -1, data, len);
}

static void h_acct(struct imsgbuf *b, struct imsg *im, void *arg)
{
	radius_acct(im->data);
}

static void h_lockout_clear(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_lockout_clear c;
	memcpy(&c, im->data, sizeof(c));
	c.user[sizeof(c.user) - 1] = 0;
	lockout_clear(&c);
}

static void h_shutdown(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_info("shut down");
	exit(0);
}

static void h_debug(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_dbg_msg(im->data, im->datalen);
}

static void h_reload(struct imsgbuf *b, struct imsg *im, void *arg)
{
	keymgr_reload(im->data);
	ezp_reload(io.conf);
	dynauth_reloaded();
	cmap_send_all(io.conf, send_to_tun);
	explicit_bzero(im->data, im->datalen);   /* it holds the keys */
}

static const imsg_dispatch_fn from_ike[IMSG_TYPE_MAX] = {
	[IMSG_SKEYID_REQ] = h_skeyid,
	[IMSG_XAUTH_REQ] = h_xauth,
	[IMSG_EZ_XAUTH_REQ] = h_ez_xauth,
	[IMSG_EZ_BACKUP] = h_ez_backup,
	[IMSG_EZ_XAUTH_CANCEL] = h_ez_xauth_cancel,
	[IMSG_CERT_VERIFY_REQ] = h_cert_verify,
	[IMSG_SIGN_REQ] = h_sign,
	[IMSG_VTI_SIGN_REQ] = h_vti_sign,
	[IMSG_V2_AUTH_REQ] = h_v2_auth,
	[IMSG_V2_EAP_REQ] = h_v2_eap,
	[IMSG_SESSION_END_KEY] = h_session_end,
	[IMSG_DYNAUTH_RES] = h_dynauth_res,
};
static const imsg_dispatch_fn from_parent[IMSG_TYPE_MAX] = {
	[IMSG_ACCT_REQ] = h_acct,
	[IMSG_LOCKOUT_CLEAR] = h_lockout_clear,
	[IMSG_SHUTDOWN] = h_shutdown,
	[IMSG_DEBUG] = h_debug,
	[IMSG_RELOAD] = h_reload,
	[IMSG_EZ_XAUTH_ANSWER] = h_ez_xauth_answer,
};
/* tunmgr has nothing to tell keymgr */
static const imsg_dispatch_fn from_tun[IMSG_TYPE_MAX];
static const struct imsg_chan chan_ike = { ROLE_KEYMGR, ROLE_IKEMGR, from_ike };
static const struct imsg_chan chan_tun = { ROLE_KEYMGR, ROLE_TUNMGR, from_tun };
static const struct imsg_chan chan_parent = { ROLE_KEYMGR, ROLE_PARENT, from_parent };

static void on_error(struct imsgbuf *b, const char *why, void *arg)
{
	proc_violation(&io.parent, b);
	/* ikemgr closes first at a normal shutdown; if it crashed, the parent sees to the rest. */
	if (b == &io.ike || b == &io.tun) {
		log_info("%s closed its channel (%s): stopping", b->name, why);
		exit(0);
	}
	fatalx("channel to %s lost: %s", b->name, why);
}

int keymgr_main(struct proc_boot *boot)
{
	io.loop = uv_default_loop();
	if (boot->sock[CHAN_IKEMGR] < 0 || boot->sock[CHAN_TUNMGR] < 0)
		fatalx("started without its channels to ikemgr and tunmgr");
	keymgr_init(boot->conf);
	io.conf = boot->conf;
	keymgr_set_sender(send_to_ike);
	v2eap_set_sender(send_to_ike);
	radius_acct_init(boot->conf, send_to_parent);
	lockout_init(boot->conf, send_to_parent);
	if (radius_init(boot->conf, io.loop) < 0)
		fatalx("cannot start the RADIUS client");
	radius_stats_init(io.loop, send_to_parent);
	imsgbuf_init_chan(&io.parent, io.loop, boot->parent_fd, "parent", &chan_parent, on_error,
	                  NULL);
	imsgbuf_init_chan(&io.ike, io.loop, boot->sock[CHAN_IKEMGR], "ikemgr", &chan_ike, on_error,
	                  NULL);
	imsgbuf_init_chan(&io.tun, io.loop, boot->sock[CHAN_TUNMGR], "tunmgr", &chan_tun, on_error,
	                  NULL);
	authz_init(send_to_tun);
	cmap_send_all(io.conf, send_to_tun);   /* queued: tunmgr reads them once it runs */
	dynauth_on_acl(authz_set_acl);
	dynauth_init(boot->conf, io.loop, boot->sock[SOCK_DYNAUTH], send_to_ike);
	boot->sock[SOCK_DYNAUTH] = -1;      /* dynauth.c owns it now */
	log_info("ready: %d groups, %d users, %d radius servers", boot->conf->ngroup,
	         boot->conf->nuser, boot->conf->nradius);
	return uv_run(io.loop, UV_RUN_DEFAULT);
}
