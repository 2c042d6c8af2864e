/* The three channels' dispatch tables: sizes and senders are checked by then (msgcat). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "tunmgr/authz.h"
#include "tunmgr/eztrap.h"
#include "tunmgr/tunmgr.h"

static void h_va_create(struct imsgbuf *b, struct imsg *im, void *arg)
{
	va_create(im->data);
}

static void h_ez_va_create(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ez_va_create(im->data);
}

static void h_ez_backup_ok(struct imsgbuf *b, struct imsg *im, void *arg)
{
	ez_backup_ok(im->data);
}

/* ikemgr removes the interfaces it asked for; TunnelN and cmN belong to the configuration
 * (ikemgr takes their SAs away with IMSG_SA_DEL, never the device). */
static void h_va_destroy(struct imsgbuf *b, struct imsg *im, void *arg)
{
	static unsigned long long refused;
	uint32_t id = ((struct msg_va_destroy *)im->data)->session_id;
	struct va *v = va_by_session(id);

	if (v && (v->vti || v->cm)) {
		log_warnx("ikemgr asked to remove %s: refused, the configuration owns it (%llu "
		          "refused so far)", v->ifname, ++refused);
		return;
	}
	va_destroy(id);
}

static void h_sa_add(struct imsgbuf *b, struct imsg *im, void *arg)
{
	sa_add(im->data);
	explicit_bzero(im->data, im->datalen);
}

static void h_sa_del(struct imsgbuf *b, struct imsg *im, void *arg)
{
	sa_del(im->data);
}

static void h_authz(struct imsgbuf *b, struct imsg *im, void *arg)
{
	on_authz(im->data);
}

static void h_authz_del(struct imsgbuf *b, struct imsg *im, void *arg)
{
	authz_del(((struct msg_authz_del *)im->data)->session_id);
}

static void h_tun_fd(struct imsgbuf *b, struct imsg *im, void *arg)
{
	int32_t err;
	memcpy(&err, im->data, sizeof(err));
	struct va *v = va_by_session(im->hdr.peerid);
	if (!v || v->fd >= 0 || v->polling) {
		if (im->fd >= 0)
			close(im->fd);     /* the session went away meanwhile */
		return;
	}
	if (im->fd < 0) {
		log_rl("parent could not open /dev/net/tun: %s", strerror(err));
		if (!v->cm && !v->vti)
			va_reply(v, err ? err : EIO);
		va_destroy(v->session_id);
		return;
	}
	if (v->cm)
		cm_configure(v, im->fd);
	else if (v->vti)
		vti_configure(v, im->fd);
	else
		va_configure(v, im->fd);
}

static void h_manual_sa(struct imsgbuf *b, struct imsg *im, void *arg)
{
	cm_manual_sa(im->data);
	explicit_bzero(im->data, im->datalen);
}

static void h_debug(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_dbg_msg(im->data, im->datalen);
}

static void h_reload(struct imsgbuf *b, struct imsg *im, void *arg)
{
	/* in place: dp.conf is our heap copy and the interfaces point into it */
	memcpy((struct vpnd_conf *)dp.conf, im->data, sizeof(struct vpnd_conf));
	cm_reloaded();
	ez_trap_sync();
	vti_sync();
	int n = 0;
	struct va *v;
	LIST_FOREACH(v, &dp.vas, entry) {
		va_template_apply(v);
		natt_ka_update(v);
		n++;
	}
	log_info("configuration reloaded: %d interface%s updated from their templates", n,
	         n == 1 ? "" : "s");
}

static void h_shutdown(struct imsgbuf *b, struct imsg *im, void *arg)
{
	shutdown_all();
	imsg_flush_blocking(&dp.parent);
	log_info("shut down");
	exit(0);
}

static const imsg_dispatch_fn from_ike[IMSG_TYPE_MAX] = {
	[IMSG_VA_CREATE] = h_va_create,
	[IMSG_VA_DESTROY] = h_va_destroy,
	[IMSG_EZ_VA_CREATE] = h_ez_va_create,
	[IMSG_SA_ADD] = h_sa_add,
	[IMSG_SA_DEL] = h_sa_del,
};
static const imsg_dispatch_fn from_key[IMSG_TYPE_MAX] = {
	[IMSG_AUTHZ] = h_authz,
	[IMSG_EZ_BACKUP_OK] = h_ez_backup_ok,
	[IMSG_AUTHZ_DEL] = h_authz_del,
	[IMSG_MANUAL_SA] = h_manual_sa,
};
static const imsg_dispatch_fn from_parent[IMSG_TYPE_MAX] = {
	[IMSG_TUN_FD] = h_tun_fd,
	[IMSG_DEBUG] = h_debug,
	[IMSG_RELOAD] = h_reload,
	[IMSG_SHUTDOWN] = h_shutdown,
};
static const struct imsg_chan chan_ike = { ROLE_TUNMGR, ROLE_IKEMGR, from_ike };
static const struct imsg_chan chan_key = { ROLE_TUNMGR, ROLE_KEYMGR, from_key };
static const struct imsg_chan chan_parent = { ROLE_TUNMGR, ROLE_PARENT, from_parent };

static void on_chan_error(struct imsgbuf *b, const char *why, void *arg)
{
	shutdown_all();
	proc_violation(&dp.parent, b);
	/* ikemgr closes first at a normal shutdown; if it crashed, the parent sees to the rest. */
	if (b == &dp.ike || b == &dp.key) {
		log_info("%s closed its channel (%s): stopping", b->name, why);
		exit(0);
	}
	fatalx("channel to %s lost: %s", b->name, why);
}


void dispatch_init(int parent_fd, int ike_fd, int key_fd)
{
	imsgbuf_init_chan(&dp.parent, dp.loop, parent_fd, "parent", &chan_parent, on_chan_error,
	                  NULL);
	imsgbuf_init_chan(&dp.ike, dp.loop, ike_fd, "ikemgr", &chan_ike, on_chan_error, NULL);
	imsgbuf_init_chan(&dp.key, dp.loop, key_fd, "keymgr", &chan_key, on_chan_error, NULL);
}
