/*
 * The control socket DIR/vpnd.sock: root only, or root and the members of the configured
 * `control-socket group NAME`; one command per connection.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include <arpa/inet.h>

#include "common/msg.h"
#include "parent/control.h"
#include "parent/debug.h"
#include "parent/exposure.h"
#include "parent/parent.h"
#include "parent/show_config.h"

struct control_conn {
	struct control_conn *next;
	struct control      *ctl;
	uv_pipe_t            pipe;
	uv_timer_t           timer;
	uv_write_t           wreq;
	int                  closing;     /* handles still to close */
	int                  answered;
	const char          *refusal;     /* answer instead of running the line */
	char                 line[CONTROL_LINE_MAX + 1];
	size_t               len;
	char                *out;
	size_t               outlen, outcap;
	int                  out_failed;
};

/* One per process: its server handle may still be closing when the loop is torn down. */
struct control {
	struct parent       *p;
	uv_pipe_t            server;
	int                  listening;
	struct control_conn *conns;
	int                  nconns;
};
static struct control the_control;

static void cmd_ping(struct control_conn *, int, char **);
static void cmd_shutdown(struct control_conn *, int, char **);
static void cmd_help(struct control_conn *, int, char **);
static void cmd_clear_session(struct control_conn *, int, char **);
static void cmd_reload(struct control_conn *, int, char **);
static void cmd_clear_sa(struct control_conn *, int, char **);
static void cmd_clear_isakmp(struct control_conn *, int, char **);

static const struct control_cmd control_cmds[] = {
	{ "ping",     cmd_ping,     "check that vpnd answers" },
	{ "shutdown", cmd_shutdown, "stop vpnd and every session" },
	{ "help",     cmd_help,     "list the commands" },
	{ "reload",   cmd_reload,   "read the configuration file again; sessions whose policy is gone end" },
	{ "clear crypto session", cmd_clear_session,
	  "[remote A | username U | group G]: delete matching sessions (the clients get DELETE)" },
	{ "clear crypto sa", cmd_clear_sa,
	  "[peer A]: delete IPsec SAs (DELETE to the client); IKE SA and interface stay" },
	{ "clear crypto isakmp", cmd_clear_isakmp,
	  "[CONN-ID]: delete IKE SAs (DELETE to the client); their sessions end" },
	{ "show crypto isakmp policy", show_cmd_isakmp_policy, "[--json]: IKE policies" },
	{ "show crypto isakmp profile", show_cmd_isakmp_profile, "[--json]: ISAKMP profiles" },
	{ "show crypto ipsec transform-set", show_cmd_ipsec_transform_set,
	  "[--json]: transform sets" },
	{ "show crypto ipsec profile", show_cmd_ipsec_profile, "[--json]: IPsec profiles" },
	{ "debug crypto", debug_cmd_debug_crypto,
	  "isakmp|ipsec|engine [error] | condition COND | condition unmatched|reset: debug lines "
	  "in vpnd's log" },
	{ "no debug crypto", debug_cmd_no_debug_crypto,
	  "[isakmp|ipsec|engine | condition COND|unmatched]: turn debugging or a condition off" },
	{ "undebug crypto", debug_cmd_no_debug_crypto, "the same as no debug crypto" },
	{ "undebug all", debug_cmd_undebug_all, "turn every debug category off (conditions stay)" },
	{ "no debug all", debug_cmd_undebug_all, "the same as undebug all" },
	{ "show crypto debug-condition", debug_cmd_show_condition,
	  "[--json]: the debug conditions" },
	{ "show debugging", debug_cmd_show_debugging, "the debug categories that are on" },
	{ "show aaa local user lockout", exposure_cmd_show_lockout,
	  "[--json]: local users with failed logins, and whether they are locked out" },
	{ "clear aaa local user lockout", exposure_cmd_clear_lockout,
	  "username U | all: unlock local users (their failure counts start again)" },
	{ "show crypto call admission statistics", exposure_cmd_show_cac,
	  "[--json]: IKE call admission limits and what they refused" },
	{ "show running-config", show_cmd_running_config,
	  "[interface NAME | interface Virtual-AccessN] [--json]: the configuration, secrets "
	  "shown as <removed>" },
};
#define NCMDS (sizeof(control_cmds) / sizeof(control_cmds[0]))

void control_printf(struct control_conn *cc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cc->out_failed)
		return;
	for (;;) {
		size_t room = cc->outcap - cc->outlen;
		va_start(ap, fmt);
		n = vsnprintf(cc->out ? cc->out + cc->outlen : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			cc->out_failed = 1;
			return;
		}
		if ((size_t)n < room) {
			cc->outlen += (size_t)n;
			return;
		}
		size_t ncap = cc->outcap ? cc->outcap * 2 : 1024;
		while (ncap < cc->outlen + (size_t)n + 1)
			ncap *= 2;
		char *nb = realloc(cc->out, ncap);
		if (nb == NULL) {
			cc->out_failed = 1;
			return;
		}
		cc->out = nb;
		cc->outcap = ncap;
	}
}

struct parent *control_parent(struct control_conn *cc)
{
	return cc->ctl->p;
}

static void cmd_ping(struct control_conn *cc, int argc, char **argv)
{
	control_printf(cc, "pong %d\n", (int)getpid());
}

static void cmd_shutdown(struct control_conn *cc, int argc, char **argv)
{
	log_info("shutdown requested on the control socket");
	control_printf(cc, "shutting down\n");
	parent_shutdown(control_parent(cc), 0, 0);
}

static void cmd_reload(struct control_conn *cc, int argc, char **argv)
{
	char why[600];
	if (argc > 0) {
		control_printf(cc, "%% reload takes no arguments\n");
		return;
	}
	if (parent_reload(control_parent(cc), why, sizeof(why)) < 0)
		control_printf(cc, "%% reload refused, the running configuration stays: %s\n", why);
	else
		control_printf(cc, "%s\n", why);
}

static void cmd_help(struct control_conn *cc, int argc, char **argv)
{
	for (size_t i = 0; i < NCMDS; i++)
		control_printf(cc, "%-24s %s\n", control_cmds[i].words, control_cmds[i].help);
}

static void cmd_clear_session(struct control_conn *cc, int argc, char **argv)
{
	struct parent *p = control_parent(cc);
	struct msg_clear m;
	memset(&m, 0, sizeof(m));
	if (argc == 2 && !strcmp(argv[0], "remote")) {
		if (inet_pton(AF_INET, argv[1], &m.addr) != 1) {
			control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
			return;
		}
		m.kind = CLEAR_REMOTE;
	} else if (argc == 2 && (!strcmp(argv[0], "username") || !strcmp(argv[0], "group"))) {
		if (strlen(argv[1]) >= sizeof(m.name)) {
			control_printf(cc, "%% Name too long\n");
			return;
		}
		m.kind = !strcmp(argv[0], "username") ? CLEAR_USERNAME : CLEAR_GROUP;
		snprintf(m.name, sizeof(m.name), "%s", argv[1]);
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [remote A | username U | group G]\n");
		return;
	}
	struct child *ike = &p->child[ROLE_IKEMGR];
	if (!ike->ib_open || imsg_compose(&ike->ib, IMSG_CLEAR, 0, -1, &m, sizeof(m)) == -1) {
		control_printf(cc, "%% ikemgr is not reachable\n");
		return;
	}
	log_info("clear crypto session%s%s%s requested on the control socket", argc ? " " : "",
	         argc ? argv[0] : "", argc ? " (filtered)" : "");
	control_printf(cc, "clearing matching sessions\n");
}

static int send_clear(struct control_conn *cc, const struct msg_clear *m)
{
	struct child *ike = &control_parent(cc)->child[ROLE_IKEMGR];
	if (!ike->ib_open || imsg_compose(&ike->ib, IMSG_CLEAR, 0, -1, m, sizeof(*m)) == -1) {
		control_printf(cc, "%% ikemgr is not reachable\n");
		return -1;
	}
	return 0;
}

static void cmd_clear_sa(struct control_conn *cc, int argc, char **argv)
{
	struct msg_clear m;
	memset(&m, 0, sizeof(m));
	m.kind = CLEAR_SA_ALL;
	if (argc == 2 && !strcmp(argv[0], "peer")) {
		if (inet_pton(AF_INET, argv[1], &m.addr) != 1) {
			control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
			return;
		}
		m.kind = CLEAR_SA_PEER;
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [peer A]\n");
		return;
	}
	if (send_clear(cc, &m) < 0)
		return;
	log_info("clear crypto sa%s%s requested on the control socket", argc ? " peer " : "",
	         argc ? argv[1] : "");
	control_printf(cc, "clearing matching IPsec SAs\n");
}

static void cmd_clear_isakmp(struct control_conn *cc, int argc, char **argv)
{
	struct msg_clear m;
	memset(&m, 0, sizeof(m));
	m.kind = CLEAR_ISAKMP_ALL;
	if (argc == 1) {
		char *end;
		unsigned long id = strtoul(argv[0], &end, 10);
		if (argv[0][0] < '0' || argv[0][0] > '9' || *end || id == 0 || id > UINT32_MAX) {
			control_printf(cc, "%% Invalid conn-id: '%s'\n", argv[0]);
			return;
		}
		m.kind = CLEAR_ISAKMP_CONN;
		m.addr.s_addr = htonl((uint32_t)id);
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [CONN-ID]\n");
		return;
	}
	if (send_clear(cc, &m) < 0)
		return;
	log_info("clear crypto isakmp%s%s requested on the control socket", argc ? " " : "",
	         argc ? argv[0] : "");
	control_printf(cc, "clearing matching IKE SAs\n");
}

/* Split on blanks in place. Returns the word count, or -1 when there are too many. */
static int split_words(char *s, char **w, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, " \t\r", &save); t != NULL; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

/* How many of the line's words the command's name takes, 0 when it does not match. */
static int cmd_match(const struct control_cmd *c, int argc, char **argv)
{
	const char *s = c->words;
	int k = 0;

	while (*s != '\0') {
		size_t n = strcspn(s, " ");
		if (k == argc || strlen(argv[k]) != n || strncmp(argv[k], s, n) != 0)
			return 0;
		k++;
		s += n;
		s += strspn(s, " ");
	}
	return k;
}

static void run_line(struct control_conn *cc, char *line)
{
	char *argv[CONTROL_MAX_ARGS];
	const struct control_cmd *best = NULL;
	int argc, best_k = 0;

	if (cc->refusal != NULL) {
		control_printf(cc, "%s\n", cc->refusal);
		return;
	}

	argc = split_words(line, argv, CONTROL_MAX_ARGS);
	if (argc < 0) {
		control_printf(cc, "%% too many words\n");
		return;
	}
	if (argc == 0) {
		control_printf(cc, "%% empty command\n");
		return;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		int k = cmd_match(&control_cmds[i], argc, argv);
		if (k > best_k) {
			best_k = k;
			best = &control_cmds[i];
		}
	}
	if (best == NULL) {
		control_printf(cc, "%% unknown command: %s\n", argv[0]);
		return;
	}
	log_debug("control: %s", best->words);
	best->fn(cc, argc - best_k, argv + best_k);
}

static void conn_free_cb(uv_handle_t *h)
{
	struct control_conn *cc = h->data;

	if (--cc->closing > 0)
		return;
	free(cc->out);
	free(cc);
}

static void conn_close(struct control_conn *cc)
{
	struct control *ctl = cc->ctl;

	if (cc->closing)
		return;
	for (struct control_conn **pp = &ctl->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	}
	ctl->nconns--;
	cc->closing = 2;
	uv_close((uv_handle_t *)&cc->pipe, conn_free_cb);
	uv_close((uv_handle_t *)&cc->timer, conn_free_cb);
}

static void written_cb(uv_write_t *req, int status)
{
	struct control_conn *cc = req->data;
	conn_close(cc);
}

/* Send what the handler wrote, then close. */
static void answer(struct control_conn *cc)
{
	uv_buf_t b;

	if (cc->answered)
		return;
	cc->answered = 1;
	uv_read_stop((uv_stream_t *)&cc->pipe);
	if (cc->out_failed) {
		cc->outlen = 0;
		cc->out_failed = 0;
		control_printf(cc, "%% out of memory\n");
	}
	if (cc->outlen == 0) {
		conn_close(cc);
		return;
	}
	b = uv_buf_init(cc->out, (unsigned)cc->outlen);
	cc->wreq.data = cc;
	if (uv_write(&cc->wreq, (uv_stream_t *)&cc->pipe, &b, 1, written_cb) != 0)
		conn_close(cc);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct control_conn *cc = h->data;
	size_t room = CONTROL_LINE_MAX - cc->len;

	*buf = uv_buf_init(cc->line + cc->len, (unsigned)room);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct control_conn *cc = s->data;
	char *nl;

	if (cc->answered)
		return;
	if (n < 0) {
		if (n != UV_EOF || cc->len == 0) {
			conn_close(cc);
			return;
		}
		/* a last line without its newline */
		cc->line[cc->len] = '\0';
		run_line(cc, cc->line);
		answer(cc);
		return;
	}
	cc->len += (size_t)n;
	cc->line[cc->len] = '\0';
	if (memchr(cc->line, '\0', cc->len) != NULL) {
		control_printf(cc, "%s\n", cc->refusal ? cc->refusal : "% binary data");
		answer(cc);
		return;
	}
	nl = strchr(cc->line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		run_line(cc, cc->line);
		answer(cc);
	} else if (cc->len == CONTROL_LINE_MAX) {
		control_printf(cc, "%s\n", cc->refusal ? cc->refusal : "% line too long");
		answer(cc);
	}
}

static void timeout_cb(uv_timer_t *t)
{
	struct control_conn *cc = t->data;
	if (!cc->answered)
		conn_close(cc);
}

/* Root, or a process whose primary or supplementary groups include the control group. */
static int peer_allowed(struct parent *p, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	gid_t want;

	if (cred->uid == 0)
		return 1;
	if (p->conf == NULL || p->conf->control_group[0] == '\0')
		return 0;
	want = (gid_t)p->conf->control_gid;
	if (cred->gid == want)
		return 1;
	/* the groups the peer had when it connected (Linux 4.13) */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return 0;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == want)
			return 1;
	return 0;
}

static void connection_cb(uv_stream_t *server, int status)
{
	struct control *ctl = server->data;
	struct control_conn *cc;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uv_os_fd_t fd;

	if (status < 0) {
		log_warnx("control socket: %s", uv_strerror(status));
		return;
	}
	cc = calloc(1, sizeof(*cc));
	if (cc == NULL) {
		log_warn("control socket");
		return;
	}
	cc->ctl = ctl;
	uv_pipe_init(&ctl->p->loop, &cc->pipe, 0);
	uv_timer_init(&ctl->p->loop, &cc->timer);
	cc->pipe.data = cc;
	cc->timer.data = cc;
	cc->next = ctl->conns;
	ctl->conns = cc;
	ctl->nconns++;
	if (uv_accept(server, (uv_stream_t *)&cc->pipe) != 0) {
		conn_close(cc);
		return;
	}
	/*
	 * Refusals are answered after the request was read: closing a unix socket with unread
	 * data makes the client's read fail with ECONNRESET instead of showing the answer.
	 */
	if (ctl->nconns > CONTROL_MAX_CLIENTS)
		cc->refusal = "% busy";
	/* the socket file's mode says the same; this also holds if it is ever loosened */
	else if (uv_fileno((uv_handle_t *)&cc->pipe, &fd) != 0 ||
	         getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == -1 ||
	         !peer_allowed(ctl->p, fd, &cred))
		cc->refusal = "% permission denied";
	uv_timer_start(&cc->timer, timeout_cb, CONTROL_TIMEOUT_MS, 0);
	if (uv_read_start((uv_stream_t *)&cc->pipe, alloc_cb, read_cb) != 0)
		conn_close(cc);
}

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
	struct control *ctl;
	mode_t old;
	int r;

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
	ctl = &the_control;
	memset(ctl, 0, sizeof(*ctl));
	ctl->p = p;
	uv_pipe_init(&p->loop, &ctl->server, 0);
	ctl->server.data = ctl;
	p->control = ctl;
	old = umask(0177);
	r = uv_pipe_bind(&ctl->server, p->sockpath);
	umask(old);
	if (r == 0 && chmod(p->sockpath, 0600) == -1)
		r = uv_translate_sys_error(errno);
	/* control-socket group: its members reach the socket through the state directory */
	if (r == 0 && p->conf->control_group[0] != '\0') {
		gid_t g = (gid_t)p->conf->control_gid;
		if (chown(p->sockpath, 0, g) == -1 || chmod(p->sockpath, 0660) == -1 ||
		    chown(p->rundir, 0, g) == -1 || chmod(p->rundir, 0710) == -1)
			r = uv_translate_sys_error(errno);
	}
	if (r == 0)
		r = uv_listen((uv_stream_t *)&ctl->server, 16, connection_cb);
	if (r != 0) {
		log_warnx("control socket %s: %s", p->sockpath, uv_strerror(r));
		control_close(p);
		return -1;
	}
	ctl->listening = 1;
	return 0;
}

void control_stop_listening(struct parent *p)
{
	struct control *ctl = p->control;

	if (ctl == NULL || !ctl->listening)
		return;
	ctl->listening = 0;
	/* libuv unlinks the bound path when it closes the server; do it here too if it cannot */
	uv_close((uv_handle_t *)&ctl->server, NULL);
	if (p->sockpath[0] != '\0' && unlink(p->sockpath) == -1 && errno != ENOENT)
		log_warn("unlink %s", p->sockpath);
}

void control_close(struct parent *p)
{
	struct control *ctl = p->control;

	if (ctl == NULL)
		return;
	if (ctl->listening) {
		control_stop_listening(p);
	} else if (!uv_is_closing((uv_handle_t *)&ctl->server)) {
		uv_close((uv_handle_t *)&ctl->server, NULL);
	}
	while (ctl->conns != NULL)
		conn_close(ctl->conns);
	p->control = NULL;
	if (p->sockpath[0] != '\0' && unlink(p->sockpath) == -1 && errno != ENOENT)
		log_warn("unlink %s", p->sockpath);
}
