/*
 * The control process: serves the operator socket the parent bound (control/control.c),
 * renders every show from its redacted configuration and the session store it reads, and
 * asks the parent (IMSG_CTL_REQ) for the acts it may not do. It holds no secret and no
 * session state, runs as its own user, chrooted, without capabilities.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/proc.h"
#include "control/control.h"
#include "control/ctlproc.h"
#include "control/exposure.h"
#include "control/http.h"
#include "control/metrics.h"
#include "control/show_config.h"
#include "control/show_logging.h"

static struct {
	uv_loop_t       *loop;
	struct imsgbuf   parent;
	struct vpnd_conf *conf;
	sqlite3         *db;
} io;

void control_predrop(struct proc_boot *b)
{
	if (b->dbpath == NULL)
		fatalx("started without the session store's path");
	io.db = control_store_open(b->dbpath);
	/* the shows of the configuration still work; Virtual-AccessN says why it cannot */
	if (io.db == NULL)
		log_warnx("show running-config interface Virtual-AccessN will not work");
}

int control_vaccess(struct control_conn *cc, int unit, struct show_vaccess *s, char *err,
                    size_t errlen)
{
	if (io.db == NULL) {
		snprintf(err, errlen, "not opened at start (see the log)");
		return -1;
	}
	return show_vaccess_query(io.db, unit, s, err, errlen);
}

struct sqlite3 *control_db(void)
{
	return io.db;
}

static int send_req(uint32_t id, const struct msg_ctl_req *q)
{
	return imsg_compose(&io.parent, IMSG_CTL_REQ, id, -1, q, sizeof(*q));
}

static int send_ezx(uint32_t id, const struct msg_ez_xauth_answer *a)
{
	return imsg_compose(&io.parent, IMSG_CTL_EZ_XAUTH, id, -1, a, sizeof(*a));
}

static void h_res(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ctl_res r;
	memcpy(&r, im->data, sizeof(r));
	r.text[sizeof(r.text) - 1] = '\0';
	control_answered(im->hdr.peerid, &r);
}

static void h_exposure(struct imsgbuf *b, struct imsg *im, void *arg)
{
	if (exposure_keep(im) < 0)
		log_warnx("lockout table full: a report from the parent was not kept");
}

/* logs nothing: its line would come back here */
static void h_log(struct imsgbuf *b, struct imsg *im, void *arg)
{
	show_logging_keep(im->data, im->datalen, &io.conf->logging);
}

static void h_radius(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_radius_stats r;
	memcpy(&r, im->data, sizeof(r));
	metrics_keep_radius(&r);
}

static void h_ike(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_ike_stats s;
	memcpy(&s, im->data, sizeof(s));
	metrics_keep_ike(&s);
}

static void h_dp(struct imsgbuf *b, struct imsg *im, void *arg)
{
	struct msg_dp_stats d;
	memcpy(&d, im->data, sizeof(d));
	metrics_keep_dp(&d);
}

static void h_reload(struct imsgbuf *b, struct imsg *im, void *arg)
{
	/* redacted, like ikemgr's: nothing to wipe */
	memcpy(io.conf, im->data, sizeof(*io.conf));
	log_debug("configuration reloaded");
}

static void h_debug(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_dbg_msg(im->data, im->datalen);
}

static void h_shutdown(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_debug("shut down");
	/* the loop ends once the answers on their way (shutdown's own) are written */
	control_shutdown();
	http_shutdown();
	imsgbuf_close(&io.parent);
}

static const imsg_dispatch_fn from_parent[IMSG_TYPE_MAX] = {
	[IMSG_CTL_RES] = h_res,
	[IMSG_CTL_LOCKOUT] = h_exposure,
	[IMSG_CTL_ADM] = h_exposure,
	[IMSG_CTL_LOG] = h_log,
	[IMSG_CTL_RADIUS] = h_radius,
	[IMSG_CTL_DP] = h_dp,
	[IMSG_CTL_IKE] = h_ike,
	[IMSG_RELOAD] = h_reload,
	[IMSG_DEBUG] = h_debug,
	[IMSG_SHUTDOWN] = h_shutdown,
};
static const struct imsg_chan chan_parent = { ROLE_CONTROL, ROLE_PARENT, from_parent };

static void on_error(struct imsgbuf *b, const char *why, void *arg)
{
	proc_violation(&io.parent, b);
	fatalx("channel to %s lost: %s", b->name, why);
}

static int metrics_body(struct mbuf *out, void *arg)
{
	struct msg_adm_stats adm;
	(void)arg;
	return metrics_text(out, io.db, io.conf, exposure_adm(&adm) ? &adm : NULL);
}

int control_main(struct proc_boot *boot)
{
	int rc;

	io.loop = uv_default_loop();
	io.conf = boot->conf;
	if (boot->sock[SOCK_CONTROL] < 0)
		fatalx("started without the control socket");
	if (imsgbuf_init_chan(&io.parent, io.loop, boot->parent_fd, "parent", &chan_parent,
	                      on_error, NULL) == -1)
		fatal("channel to the parent");
	if (control_listen(io.loop, boot->sock[SOCK_CONTROL], io.conf, send_req) == -1)
		fatalx("cannot serve the control socket");
	control_set_ezx_sender(send_ezx);
	boot->sock[SOCK_CONTROL] = -1;      /* the listening handle owns it */
	if (boot->sock[SOCK_METRICS] >= 0) {
		if (http_serve(io.loop, boot->sock[SOCK_METRICS], 0, io.conf, metrics_body,
		               NULL) == -1)
			fatalx("cannot serve the metrics endpoint");
		boot->sock[SOCK_METRICS] = -1;
	}
	log_debug("ready");
	rc = uv_run(io.loop, UV_RUN_DEFAULT);
	sqlite3_close(io.db);
	show_logging_clear();
	proc_boot_free(boot);
	return rc;
}
