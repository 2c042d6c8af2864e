/*
 * The parent's loop: messages from the children into the session store, signals, and the
 * all-or-nothing rule: if one child goes, all go, and vpnd exits (never half-runs).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/msg.h"
#include "db/db.h"
#include "parent/exposure.h"
#include "parent/parent.h"

static void finish(struct parent *p);
static void stop_timer_cb(uv_timer_t *t);

/*
 * A child died or broke its channel: the sessions of this run end now, with reason "crash" and
 * the counters last reported. What the survivors report while they stop (a "shutdown" end)
 * must not overwrite that, so the rows are closed before they are told to stop.
 */
static void crashed(struct parent *p)
{
	int n;

	if (p->crashed || p->db == NULL)
		return;
	p->crashed = 1;
	acct_crash(p);
	n = db_close_run(p->db, "crash");
	db_batch_commit(p->db);         /* before the survivors can report anything else */
	if (n > 0)
		log_warnx("%d session%s closed with reason crash", n, n == 1 ? "" : "s");
}

static void status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d%s", WTERMSIG(status),
		         WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "wait status %#x", status);
}

int reap_children(struct parent *p)
{
	int alive = 0, unexpected = 0;

	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		struct child *c = &p->child[r];
		char why[64];
		pid_t w;
		int st;

		if (c->pid <= 0 || c->exited)
			continue;
		do
			w = waitpid(c->pid, &st, WNOHANG);
		while (w == -1 && errno == EINTR);
		if (w == 0) {
			alive++;
			continue;
		}
		c->exited = 1;
		logrelay_close(c);      /* its last words before the line about its end */
		if (w == -1) {
			log_warn("waitpid %s", c->name);
			continue;
		}
		c->status = st;
		status_str(st, why, sizeof(why));
		if (p->stopping && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			log_debug("%s exited (%s)", c->name, why);
		} else if (p->stopping) {
			log_info("%s exited (%s)", c->name, why);
		} else {
			log_warnx("%s exited (%s)", c->name, why);
			unexpected = 1;
		}
	}
	if (unexpected) {
		crashed(p);
		parent_shutdown(p, 1, 0);
	}
	return alive;
}

/*
 * A child that exits after writing its last reports (ikemgr's session ends at a stop: some
 * 100,000 messages for 20,000 sessions) may be reaped before the parent has read them all:
 * stopping, the parent finishes only once every channel is at its end too.
 */
static int channels_drained(const struct parent *p)
{
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (p->child[r].ib_open && !p->child[r].ib.dead)
			return 0;
	return 1;
}

static void child_gone(struct parent *p)
{
	if (reap_children(p) == 0 && p->stopping && channels_drained(p))
		finish(p);
}

static void check_all_ready(struct parent *p)
{
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (!p->child[r].ready)
			return;
	p->all_ready = 1;
	uv_timer_stop(&p->ready_timer);
	log_info("vpnd ready");
	notify_ready();
	acct_ready(p);
}

/* Strings in a payload from a child are not trusted to be terminated. */
#define TERMINATE(a) ((a)[sizeof(a) - 1] = '\0')

/* One line in the event log (the events table). */
static void event(struct parent *p, uint32_t session_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void event(struct parent *p, uint32_t session_id, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (db_event(p->db, session_id, what) == -1)
		log_debug("session %u: event not recorded", session_id);
}

/* A child that breaks the protocol is buggy or taken over: cut it off first, then stop. */
void child_protocol_error(struct child *c, const char *why)
{
	struct parent *p = c->parent;
	log_warnx("protocol error from %s: %s", c->name, why);
	/* SIGKILL before the channel closes: seeing it closed, the child would exit by itself
	 * first, and nothing would show that it was killed */
	if (c->pid > 0 && !c->exited)
		kill(c->pid, SIGKILL);
	if (c->ib_open)
		imsgbuf_close(&c->ib);
	c->ib_open = 0;
	crashed(p);
	parent_shutdown(p, 1, 0);
}

/*
 * The children's messages, one handler each (the catalogue has checked type, size and that
 * this child may send it). Everything but READY comes after READY; the facts go into the
 * session store in batches (commit.c).
 */
static struct parent *store_begin(struct child *c)
{
	if (!c->ready) {
		child_protocol_error(c, "a message before READY");
		return NULL;
	}
	db_batch_begin(c->parent->db);
	return c->parent;
}

/* A session or SA came or went: committed at the end of this loop iteration (show sees it
 * as soon as the interface or the client does), with whatever else that iteration read. */
static struct parent *store_state(struct child *c)
{
	struct parent *p = store_begin(c);
	if (p)
		commit_soon(p);
	return p;
}

static void h_ready(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (c->ready) {
		child_protocol_error(c, "READY twice");
		return;
	}
	c->ready = 1;
	log_debug("%s ready", c->name);
	check_all_ready(c->parent);
}

static void h_ike_sa_up(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_ike_sa u;
	if (!p)
		return;
	memcpy(&u, m->data, sizeof(u));
	TERMINATE(u.state);
	TERMINATE(u.encr);
	TERMINATE(u.hash);
	TERMINATE(u.auth);
	TERMINATE(u.local_id);
	if (db_ike_sa_up(p->db, &u) == -1)
		log_warnx("IKE SA %u: not recorded", u.session_id);
	event(p, u.session_id, "IKE SA %s", u.state);
}

static void h_ike_sa_down(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_ike_sa_down d;
	if (!p)
		return;
	memcpy(&d, m->data, sizeof(d));
	TERMINATE(d.reason);
	if (db_ike_sa_down(p->db, d.session_id, d.reason) == -1)
		log_warnx("IKE SA %u: end not recorded", d.session_id);
	event(p, d.session_id, "IKE SA deleted: %s", d.reason);
}

static void h_ipsec_sa_up(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_ipsec_sa u;
	if (!p)
		return;
	memcpy(&u, m->data, sizeof(u));
	TERMINATE(u.ifname);
	TERMINATE(u.transform);
	if (db_ipsec_sa_up(p->db, &u) == -1)
		log_warnx("session %u: IPsec SA not recorded", u.session_id);
	event(p, u.session_id, "IPsec SA in %08x out %08x %s", ntohl(u.spi_in),
	      ntohl(u.spi_out), u.transform);
}

static void h_ipsec_sa_down(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_ipsec_sa_down d;
	if (!p)
		return;
	memcpy(&d, m->data, sizeof(d));
	TERMINATE(d.reason);
	if (db_ipsec_sa_down(p->db, d.spi_in, d.reason) == -1)
		log_warnx("session %u: IPsec SA end not recorded", d.session_id);
	event(p, d.session_id, "IPsec SA in %08x deleted: %s", ntohl(d.spi_in), d.reason);
}

static void h_sa_counters(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_begin(arg);
	struct msg_sa_counters k;
	if (!p)
		return;
	memcpy(&k, m->data, sizeof(k));
	if (db_sa_counters(p->db, &k) == -1)
		log_debug("session %u: SA counters not recorded", k.session_id);
}

static void h_session_up(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_session_up u;
	if (!p)
		return;
	memcpy(&u, m->data, sizeof(u));
	TERMINATE(u.user);
	TERMINATE(u.group);
	TERMINATE(u.profile);
	TERMINATE(u.ifname);
	TERMINATE(u.transform);
	if (db_session_up(p->db, &u) == -1)
		log_warnx("session %u: not recorded", u.session_id);
	else
		acct_session_up(p, &u);
	logsession_up(p, &u);
	event(p, u.session_id, "session up: user '%s' group '%s' interface %s", u.user,
	      u.group, u.ifname);
}

static void h_session_down(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_state(arg);
	struct msg_session_down d;
	if (!p)
		return;
	memcpy(&d, m->data, sizeof(d));
	TERMINATE(d.reason);
	if (db_session_down(p->db, d.session_id, d.reason) == -1)
		log_warnx("session %u: end not recorded", d.session_id);
	acct_session_down(p, d.session_id, d.reason);
	logsession_down(p, d.session_id);
	event(p, d.session_id, "session down: %s", d.reason);
}

static void h_counters(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct parent *p = store_begin(arg);
	struct msg_counters k;
	if (!p)
		return;
	memcpy(&k, m->data, sizeof(k));
	if (db_counters(p->db, &k) == -1)
		log_debug("session %u: counters not recorded", k.session_id);
	acct_counters(p, &k);
}

static void h_acct_res(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	struct parent *p = store_begin(c);
	struct msg_acct_res r;
	if (!p)
		return;
	memcpy(&r, m->data, sizeof(r));
	TERMINATE(r.server);
	TERMINATE(r.why);
	if (acct_result(p, &r) < 0)
		child_protocol_error(c, "an accounting answer for no record sent");
}

/* /dev/net/tun is root-only; tunmgr attaches the interface with CAP_NET_ADMIN. */
static void h_tun_open(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (!c->ready) {
		child_protocol_error(c, "a message before READY");
		return;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	int32_t err = fd < 0 ? errno : 0;
	if (fd < 0)
		log_warn("open /dev/net/tun");
	if (imsg_compose(&c->ib, IMSG_TUN_FD, m->hdr.peerid, fd, &err, sizeof(err)) == -1)
		log_warn("IMSG_TUN_FD to %s", c->name);
}

/* lockout table (keymgr) and admission counters (ikemgr), for show (parent/exposure.c) */
static void h_exposure(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (!c->ready)
		child_protocol_error(c, "a message before READY");
	else if (exposure_store(c, m) < 0)
		child_protocol_error(c, "a malformed lockout or admission report");
}

/* A child found its peer breaking the catalogue: that peer is killed, then all stop. */
static void h_violation(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	struct msg_violation v;
	memcpy(&v, m->data, sizeof(v));
	TERMINATE(v.why);
	/* control has a channel to the parent only: no child can have seen it misbehave */
	if (v.offender < ROLE_IKEMGR || v.offender > ROLE_TUNMGR || v.offender == c->role) {
		child_protocol_error(c, "a violation report naming no other child");
		return;
	}
	struct child *o = &c->parent->child[v.offender];
	log_warnx("%s reports that %s broke the protocol: %s", c->name, o->name, v.why);
	child_protocol_error(o, "reported by its peer");
}

static void h_ezx_answered(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (!c->ready)
		child_protocol_error(c, "a message before READY");
	else
		control_ezxauth_answered(c, m);
}

static const imsg_dispatch_fn from_child[IMSG_TYPE_MAX] = {
	[IMSG_READY] = h_ready,
	[IMSG_TUN_OPEN] = h_tun_open,
	[IMSG_SESSION_UP] = h_session_up,
	[IMSG_SESSION_DOWN] = h_session_down,
	[IMSG_COUNTERS] = h_counters,
	[IMSG_IKE_SA_UP] = h_ike_sa_up,
	[IMSG_IKE_SA_DOWN] = h_ike_sa_down,
	[IMSG_IPSEC_SA_UP] = h_ipsec_sa_up,
	[IMSG_IPSEC_SA_DOWN] = h_ipsec_sa_down,
	[IMSG_SA_COUNTERS] = h_sa_counters,
	[IMSG_ACCT_RES] = h_acct_res,
	[IMSG_VIOLATION] = h_violation,
	[IMSG_LOCKOUT_STATE] = h_exposure,
	[IMSG_ADM_STATS] = h_exposure,
	[IMSG_RADIUS_STATS] = h_exposure,
	[IMSG_DP_STATS] = h_exposure,
	[IMSG_IKE_STATS] = h_exposure,
	[IMSG_EZ_STATE] = ezvpn_state,
	[IMSG_CM_SA_UP] = cmap_sa_report,
	[IMSG_CM_SA_DOWN] = cmap_sa_report,
	[IMSG_EZ_XAUTH_ANSWERED] = h_ezx_answered,
};
/* the operator's requests: checked again in parent/control.c before anything is done */
static void h_ctl_req(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (!c->ready)
		child_protocol_error(c, "a message before READY");
	else
		control_request(c, m);
}

static void h_ctl_ezx(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	if (!c->ready)
		child_protocol_error(c, "a message before READY");
	else
		control_ezxauth(c, m);
}

/* control talks to no other child and writes no session fact: its own, short table */
static const imsg_dispatch_fn from_control[IMSG_TYPE_MAX] = {
	[IMSG_READY] = h_ready,
	[IMSG_CTL_REQ] = h_ctl_req,
	[IMSG_CTL_EZ_XAUTH] = h_ctl_ezx,
};

/* one channel per child; the catalogue says which of these each may send */
static const struct imsg_chan chan_child[ROLE_LAST + 1] = {
	[ROLE_IKEMGR] = { ROLE_PARENT, ROLE_IKEMGR, from_child },
	[ROLE_KEYMGR] = { ROLE_PARENT, ROLE_KEYMGR, from_child },
	[ROLE_TUNMGR] = { ROLE_PARENT, ROLE_TUNMGR, from_child },
	[ROLE_CONTROL] = { ROLE_PARENT, ROLE_CONTROL, from_control },
};

static void child_error(struct imsgbuf *ib, const char *why, void *arg)
{
	struct child *c = arg;
	struct parent *p = c->parent;

	if (ib->violation) {
		child_protocol_error(c, ib->why);
		return;
	}
	if (p->stopping) {
		log_debug("channel to %s closed: %s", c->name, why);
		/* the last one read to its end: finish from the loop, not inside the buffer's
		 * own callback */
		if (reap_children(p) == 0 && channels_drained(p))
			uv_timer_start(&p->stop_timer, stop_timer_cb, 0, 0);
		return;
	}
	log_warnx("lost the channel to %s: %s", c->name, why);
	crashed(p);
	parent_shutdown(p, 1, 0);
}

static void finish(struct parent *p)
{
	if (p->finished)
		return;
	p->finished = 1;
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		logrelay_close(&p->child[r]);
		if (p->child[r].ib_open)
			imsgbuf_close(&p->child[r].ib);
		p->child[r].ib_open = 0;
	}
	uv_signal_stop(&p->sig_term);
	uv_signal_stop(&p->sig_int);
	uv_signal_stop(&p->sig_chld);
	uv_signal_stop(&p->sig_hup);
	uv_timer_stop(&p->ready_timer);
	uv_timer_stop(&p->stop_timer);
	commit_stop(p);
	history_stop(p);
	control_close(p);
	acct_finish(p);
	if (p->db != NULL) {
		/* what no child reported ended (one was killed for being late) ends now, in bulk,
		 * its Stops queued by acct_finish: never left for the next start to call a crash */
		int n = db_close_run(p->db, "shutdown");
		if (n > 0)
			log_warnx("%d session%s closed at exit without a report", n, n == 1 ? "" : "s");
		ezvpn_reset(p);
		db_close(p->db);
	}
	p->db = NULL;
	log_info("vpnd stopped");
	uv_stop(&p->loop);
}

void parent_shutdown(struct parent *p, int code, int force)
{
	if (p->finished)
		return;
	if (code > p->exit_code)
		p->exit_code = code;
	if (p->stopping) {
		if (force && p->stopping < 2) {
			kill_children(p, SIGKILL);
			p->stopping = 2;
			uv_timer_start(&p->stop_timer, stop_timer_cb, PARENT_KILL_GRACE_MS, 0);
		}
		return;
	}
	p->stopping = force ? 2 : 1;
	notify_stopping();
	uv_timer_stop(&p->ready_timer);
	control_stop_listening(p);
	if (force) {
		kill_children(p, SIGKILL);
		uv_timer_start(&p->stop_timer, stop_timer_cb, PARENT_KILL_GRACE_MS, 0);
	} else {
		for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
			struct child *c = &p->child[r];
			if (c->ib_open && !c->ib.dead && !c->exited &&
			    imsg_compose(&c->ib, IMSG_SHUTDOWN, 0, -1, NULL, 0) == -1)
				log_warn("IMSG_SHUTDOWN to %s", c->name);
		}
		uv_timer_start(&p->stop_timer, stop_timer_cb, PARENT_STOP_TIMEOUT_MS, 0);
	}
	/* finish from the loop, so that answers already queued (control socket) go out */
	if (reap_children(p) == 0)
		uv_timer_start(&p->stop_timer, stop_timer_cb, 0, 0);
}

static void stop_timer_cb(uv_timer_t *t)
{
	struct parent *p = t->data;

	if (reap_children(p) == 0 || p->stopping == 2) {
		finish(p);
		return;
	}
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (p->child[r].pid > 0 && !p->child[r].exited)
			log_warnx("%s did not stop in time: killing it", p->child[r].name);
	kill_children(p, SIGKILL);
	p->stopping = 2;
	uv_timer_start(&p->stop_timer, stop_timer_cb, PARENT_KILL_GRACE_MS, 0);
}

static void ready_timer_cb(uv_timer_t *t)
{
	struct parent *p = t->data;

	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (!p->child[r].ready)
			log_warnx("%s not ready after %d s", p->child[r].name,
			          PARENT_READY_TIMEOUT_MS / 1000);
	parent_shutdown(p, 1, 1);
}

static void signal_cb(uv_signal_t *s, int signum)
{
	struct parent *p = s->data;

	switch (signum) {
	case SIGCHLD:
		child_gone(p);
		break;
	case SIGHUP:
		{
			char why[600];
			log_info("SIGHUP: reloading the configuration");
			parent_reload(p, why, sizeof(why));
		}
		break;
	default: {
		const char *name = signum == SIGINT ? "SIGINT" : "SIGTERM";
		if (p->stopping) {
			log_info("%s again: killing the children", name);
			parent_shutdown(p, 0, 1);
		} else {
			log_info("%s: shutting down", name);
			parent_shutdown(p, 0, 0);
		}
	}
	}
}

static int start_signal(struct parent *p, uv_signal_t *s, int signum)
{
	s->data = p;
	if (uv_signal_init(&p->loop, s) != 0 || uv_signal_start(s, signal_cb, signum) != 0) {
		log_warnx("cannot watch signal %d", signum);
		return -1;
	}
	return 0;
}

int supervise_start(struct parent *p)
{
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		struct child *c = &p->child[r];
		c->parent = p;
		if (imsgbuf_init_chan(&c->ib, &p->loop, c->fd, c->name, &chan_child[r], child_error,
		                      c) == -1) {
			log_warn("channel to %s", c->name);
			return -1;
		}
		c->ib_open = 1;
		c->fd = -1;     /* the imsgbuf owns it */
		if (logrelay_start(c, &p->loop) == -1) {
			log_warnx("cannot read the log of %s", c->name);
			return -1;
		}
	}
	p->ready_timer.data = p;
	p->stop_timer.data = p;
	if (uv_timer_init(&p->loop, &p->ready_timer) != 0 ||
	    uv_timer_init(&p->loop, &p->stop_timer) != 0 || commit_start(p) != 0 ||
	    history_start(p) != 0)
		return -1;
	if (start_signal(p, &p->sig_chld, SIGCHLD) == -1 ||
	    start_signal(p, &p->sig_term, SIGTERM) == -1 ||
	    start_signal(p, &p->sig_int, SIGINT) == -1 ||
	    start_signal(p, &p->sig_hup, SIGHUP) == -1)
		return -1;
	uv_timer_start(&p->ready_timer, ready_timer_cb, PARENT_READY_TIMEOUT_MS, 0);
	/* a child may have died before SIGCHLD was watched */
	child_gone(p);
	return 0;
}
