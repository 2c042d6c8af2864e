/*
 * The parent's side of the operator socket. The parent (root) creates and binds DIR/vpnd.sock
 * with its mode and group, and hands the listening fd to the control process (control/),
 * which accepts, parses and answers. What control may not do itself it asks here
 * (IMSG_CTL_REQ): ping, shutdown, reload, clear, debug settings, lockout clear. Control parses
 * operator input, so it is not trusted: every field acted on is checked again, and a request
 * no operator command could produce is a protocol error that kills control.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/msg.h"
#include "parent/ctl_check.h"
#include "parent/parent.h"

#define CONTROL_SOCKET_NAME "vpnd.sock"
#define CONTROL_BACKLOG     16

/* A socket file left by a crash is removed; one that still answers means vpnd runs. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0) {
		log_warnx("%s answers: is another vpnd running?", path);
		return -1;
	}
	return unlink(path);
}

int control_open(struct parent *p)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	p->ctl_fd = -1;
	if ((size_t)snprintf(p->sockpath, sizeof(p->sockpath), "%s/%s", p->rundir,
	                     CONTROL_SOCKET_NAME) >= sizeof(p->sockpath)) {
		log_warnx("control socket path too long: %s/%s", p->rundir, CONTROL_SOCKET_NAME);
		p->sockpath[0] = '\0';
		return -1;
	}
	if (clear_stale(p->sockpath) == -1) {
		p->sockpath[0] = '\0';
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		log_warn("control socket");
		p->sockpath[0] = '\0';
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p->sockpath);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == 0)
		r = chmod(p->sockpath, 0600);
	/* control-socket group: its members reach the socket through the state directory */
	if (r == 0 && p->conf->control_group[0] != '\0') {
		gid_t g = (gid_t)p->conf->control_gid;
		if (chown(p->sockpath, 0, g) == -1 || chmod(p->sockpath, 0660) == -1 ||
		    chown(p->rundir, 0, g) == -1 || chmod(p->rundir, 0710) == -1)
			r = -1;
	}
	if (r == 0)
		r = listen(fd, CONTROL_BACKLOG);
	if (r != 0) {
		log_warn("control socket %s", p->sockpath);
		close(fd);
		control_close(p);
		return -1;
	}
	p->ctl_fd = fd;
	return 0;
}

/* No new operator connections: control still holds the listening fd, but not the name. */
void control_stop_listening(struct parent *p)
{
	if (p->sockpath[0] != '\0' && unlink(p->sockpath) == -1 && errno != ENOENT)
		log_warn("unlink %s", p->sockpath);
	p->sockpath[0] = '\0';
}

void control_close(struct parent *p)
{
	if (p->ctl_fd != -1)
		close(p->ctl_fd);
	p->ctl_fd = -1;
	control_stop_listening(p);
}

/* ---- requests from the control process ---- */

static void forward(struct parent *p, int role, uint32_t type, const void *d, size_t len,
                    struct msg_ctl_res *r)
{
	struct child *c = &p->child[role];
	if (!c->ib_open || c->exited || imsg_compose(&c->ib, type, 0, -1, d, len) == -1) {
		r->rc = -1;
		snprintf(r->text, sizeof(r->text), "%% %s is not reachable\n", c->name);
	}
}

/* The whole debug state, to this process and every child (control shows it from its copy). */
static void debug_apply(struct parent *p, const struct msg_debug *d, struct msg_ctl_res *r)
{
	size_t len = 0;

	log_dbg_set(d);
	for (int k = ROLE_IKEMGR; k <= ROLE_LAST; k++) {
		struct child *c = &p->child[k];
		if (c->ib_open && !c->exited &&
		    imsg_compose(&c->ib, IMSG_DEBUG, 0, -1, d, sizeof(*d)) == 0)
			continue;
		if (len < sizeof(r->text))
			len += (size_t)snprintf(r->text + len, sizeof(r->text) - len,
			                        "%% %s did not get the debug settings\n", c->name);
	}
}

/*
 * crypto ipsec client ezvpn connect NAME, clear crypto ipsec client ezvpn [NAME]: control
 * checked the name against its copy of the configuration; this one is the parent's, which a
 * reload may have changed since, so an unknown name is an answer, not a protocol error.
 */
static void ezvpn_command(struct parent *p, const struct msg_ez_cmd *ez, struct msg_ctl_res *r)
{
	if (ez->ezvpn[0] != '\0' && conf_find_ezvpn(p->conf, ez->ezvpn) == NULL) {
		r->rc = -1;
		snprintf(r->text, sizeof(r->text), "%% no crypto ipsec client ezvpn %s is configured\n",
		         ez->ezvpn);
		return;
	}
	if (p->conf->nezvpn == 0) {
		r->rc = -1;
		snprintf(r->text, sizeof(r->text), "%% no crypto ipsec client ezvpn is configured\n");
		return;
	}
	log_info("%s crypto ipsec client ezvpn %s requested on the control socket",
	         ez->kind == EZ_CMD_CONNECT ? "connect" : "clear", ez->ezvpn[0] ? ez->ezvpn : "(all)");
	forward(p, ROLE_IKEMGR, IMSG_EZ_CMD, ez, sizeof(*ez), r);
}

void control_request(struct child *c, const struct imsg *m)
{
	struct parent *p = c->parent;
	struct msg_ctl_req q;
	struct msg_ctl_res r;
	const char *bad;
	char why[600];
	int stop = 0;

	memcpy(&q, m->data, sizeof(q));
	memset(&r, 0, sizeof(r));
	if (ctl_req_check(&q, &bad) == -1) {
		child_protocol_error(c, bad);
		return;
	}
	switch (q.kind) {
	case CTL_PING:
		snprintf(r.text, sizeof(r.text), "pong %d\n", (int)getpid());
		break;
	case CTL_SHUTDOWN:
		log_info("shutdown requested on the control socket");
		stop = 1;
		break;
	case CTL_RELOAD:
		if (parent_reload(p, why, sizeof(why)) < 0) {
			r.rc = -1;
			snprintf(r.text, sizeof(r.text),
			         "%% reload refused, the running configuration stays: %s\n", why);
		} else {
			snprintf(r.text, sizeof(r.text), "%s\n", why);
		}
		break;
	case CTL_CLEAR:
		forward(p, ROLE_IKEMGR, IMSG_CLEAR, &q.u.clear, sizeof(q.u.clear), &r);
		break;
	case CTL_DEBUG:
		debug_apply(p, &q.u.debug, &r);
		break;
	case CTL_LOCKOUT_CLEAR:
		forward(p, ROLE_KEYMGR, IMSG_LOCKOUT_CLEAR, &q.u.lockout, sizeof(q.u.lockout), &r);
		break;
	case CTL_EZVPN:
		ezvpn_command(p, &q.u.ez, &r);
		break;
	}
	if (imsg_compose(&c->ib, IMSG_CTL_RES, m->hdr.peerid, -1, &r, sizeof(r)) == -1)
		log_warn("IMSG_CTL_RES to %s", c->name);
	/* after the answer, so that it is queued ahead of IMSG_SHUTDOWN */
	if (stop)
		parent_shutdown(p, 0, 0);
}

/* ---- the operator's XAUTH answer: relayed to keymgr unread, its verdict back ---- */

#define EZX_INFLIGHT 16     /* control serves at most CONTROL_MAX_CLIENTS at once */
static struct {
	int      used;
	uint32_t id;            /* control's request id */
	char     name[64];
} ezx[EZX_INFLIGHT];
static unsigned ezx_next;

static void ezx_res(struct parent *p, uint32_t id, int rc, const char *text)
{
	struct child *c = &p->child[ROLE_CONTROL];
	struct msg_ctl_res r;

	memset(&r, 0, sizeof(r));
	r.rc = rc;
	snprintf(r.text, sizeof(r.text), "%s", text);
	if (c->ib_open && !c->exited && imsg_compose(&c->ib, IMSG_CTL_RES, id, -1, &r, sizeof(r)) == -1)
		log_warn("IMSG_CTL_RES to %s", c->name);
}

void control_ezxauth(struct child *c, const struct imsg *m)
{
	struct parent *p = c->parent;
	struct child *k = &p->child[ROLE_KEYMGR];
	struct msg_ez_xauth_answer a;
	char text[160];

	memcpy(&a, m->data, sizeof(a));
	explicit_bzero(m->data, m->datalen);
	if (ctl_ezx_check(&a) == -1) {
		explicit_bzero(&a, sizeof(a));
		child_protocol_error(c, "an XAUTH answer no command makes");
		return;
	}
	if (conf_find_ezvpn(p->conf, a.ezvpn) == NULL) {
		snprintf(text, sizeof(text), "%% no crypto ipsec client ezvpn %s is configured\n",
		         a.ezvpn);
		ezx_res(p, m->hdr.peerid, -1, text);
	} else {
		/* the oldest left unanswered (keymgr gone) makes room: its operator timed out */
		unsigned i = ezx_next++ % EZX_INFLIGHT;
		ezx[i].used = 1;
		ezx[i].id = m->hdr.peerid;
		snprintf(ezx[i].name, sizeof(ezx[i].name), "%s", a.ezvpn);
		a.ctl_id = m->hdr.peerid;
		if (!k->ib_open || k->exited ||
		    imsg_compose(&k->ib, IMSG_EZ_XAUTH_ANSWER, 0, -1, &a, sizeof(a)) == -1) {
			ezx[i].used = 0;
			ezx_res(p, m->hdr.peerid, -1, "% keymgr is not reachable\n");
		}
	}
	explicit_bzero(&a, sizeof(a));
}

void control_ezxauth_answered(struct child *c, const struct imsg *m)
{
	struct parent *p = c->parent;
	struct msg_ez_xauth_answered v;
	char text[200];
	int i;

	memcpy(&v, m->data, sizeof(v));
	for (i = 0; i < EZX_INFLIGHT; i++)
		if (ezx[i].used && ezx[i].id == v.ctl_id)
			break;
	if (v.verdict < EZX_SENT || v.verdict > EZX_NOT_INTERACTIVE) {
		child_protocol_error(c, "an XAUTH verdict out of range");
		return;
	}
	/* an answer whose slot a later one took: its operator has timed out, nobody to tell */
	if (i == EZX_INFLIGHT) {
		log_warnx("keymgr's XAUTH verdict for control request %u came after its time",
		          v.ctl_id);
		return;
	}
	ezx[i].used = 0;
	/* the name is the one the parent checked, not keymgr's copy */
	switch (v.verdict) {
	case EZX_SENT:
		ezx_res(p, v.ctl_id, 0, "");
		return;
	case EZX_NONE_PENDING:
		snprintf(text, sizeof(text), "%% %s: no XAUTH request pending\n", ezx[i].name);
		break;
	case EZX_NOT_INTERACTIVE:
		snprintf(text, sizeof(text), "%% %s: not needed: xauth userid mode local (the "
		         "configured username answers the server)\n", ezx[i].name);
		break;
	default:
		return;     /* checked above */
	}
	ezx_res(p, v.ctl_id, -1, text);
}
