/*
 * The operator socket DIR/vpnd.sock, in the control process: root only, or root and the
 * members of the configured `control-socket group NAME`; one command per connection. The
 * parent bound it (name, mode, group); we accept, check the peer, parse and answer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/msg.h"
#include "control/control.h"

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
	uint32_t             req_id;      /* waiting for the parent's answer to it; 0: not */
	char                 tail[512];   /* printed after the parent's answer when it succeeded */
};

/* One per process: its server handle may still be closing when the loop is torn down. */
struct control {
	uv_loop_t           *loop;
	const struct vpnd_conf *conf;
	int                (*send)(uint32_t id, const struct msg_ctl_req *);
	uint32_t             next_id;
	uv_pipe_t            server;
	int                  listening;
	struct control_conn *conns;
	int                  nconns;
};
static struct control the_control;

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
	for (size_t i = 0; i < control_ncmds; i++) {
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

const struct vpnd_conf *control_conf(struct control_conn *cc)
{
	return cc->ctl->conf;
}

static uint32_t next_id(struct control *ctl)
{
	if (++ctl->next_id == 0)
		ctl->next_id = 1;
	return ctl->next_id;
}

void control_ask(struct control_conn *cc, const struct msg_ctl_req *q, const char *tail, ...)
{
	struct control *ctl = cc->ctl;
	va_list ap;

	if (ctl->send(next_id(ctl), q) == -1) {
		control_printf(cc, "%% vpnd is not reachable\n");
		return;
	}
	cc->req_id = ctl->next_id;
	cc->tail[0] = '\0';
	if (tail != NULL) {
		va_start(ap, tail);
		vsnprintf(cc->tail, sizeof(cc->tail), tail, ap);
		va_end(ap);
	}
}

static int (*ezx_send)(uint32_t id, const struct msg_ez_xauth_answer *);

void control_set_ezx_sender(int (*send)(uint32_t id, const struct msg_ez_xauth_answer *))
{
	ezx_send = send;
}

void control_ask_ezx(struct control_conn *cc, const struct msg_ez_xauth_answer *a,
                     const char *tail, ...)
{
	struct control *ctl = cc->ctl;
	va_list ap;

	if (ezx_send == NULL || ezx_send(next_id(ctl), a) == -1) {
		control_printf(cc, "%% vpnd is not reachable\n");
		return;
	}
	cc->req_id = ctl->next_id;
	va_start(ap, tail);
	vsnprintf(cc->tail, sizeof(cc->tail), tail, ap);
	va_end(ap);
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

/* The answer goes now, or when the parent's comes back (no more reading meanwhile). */
static void line_done(struct control_conn *cc)
{
	if (cc->req_id)
		uv_read_stop((uv_stream_t *)&cc->pipe);
	else
		answer(cc);
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

	if (cc->answered || cc->req_id)
		return;
	if (n < 0) {
		if (n != UV_EOF || cc->len == 0) {
			conn_close(cc);
			return;
		}
		/* a last line without its newline */
		cc->line[cc->len] = '\0';
		run_line(cc, cc->line);
		explicit_bzero(cc->line, sizeof(cc->line));
		line_done(cc);
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
		/* it may have held an XAUTH answer */
		explicit_bzero(cc->line, sizeof(cc->line));
		line_done(cc);
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
static int peer_allowed(const struct vpnd_conf *conf, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	gid_t want;

	if (cred->uid == 0)
		return 1;
	if (conf == NULL || conf->control_group[0] == '\0')
		return 0;
	want = (gid_t)conf->control_gid;
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
	uv_pipe_init(ctl->loop, &cc->pipe, 0);
	uv_timer_init(ctl->loop, &cc->timer);
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
	         !peer_allowed(ctl->conf, fd, &cred))
		cc->refusal = "% permission denied";
	uv_timer_start(&cc->timer, timeout_cb, CONTROL_TIMEOUT_MS, 0);
	if (uv_read_start((uv_stream_t *)&cc->pipe, alloc_cb, read_cb) != 0)
		conn_close(cc);
}

void control_answered(uint32_t id, const struct msg_ctl_res *r)
{
	struct control_conn *cc;

	for (cc = the_control.conns; cc != NULL && cc->req_id != id; cc = cc->next)
		;
	if (cc == NULL || cc->answered)
		return;         /* the operator left, or timed out */
	cc->req_id = 0;
	control_printf(cc, "%.*s", (int)strnlen(r->text, sizeof(r->text)), r->text);
	if (r->rc == 0)
		control_printf(cc, "%s", cc->tail);
	answer(cc);
}

int control_listen(uv_loop_t *loop, int fd, const struct vpnd_conf *conf,
                   int (*send)(uint32_t, const struct msg_ctl_req *))
{
	struct control *ctl = &the_control;
	int r;

	memset(ctl, 0, sizeof(*ctl));
	ctl->loop = loop;
	ctl->conf = conf;
	ctl->send = send;
	uv_pipe_init(loop, &ctl->server, 0);
	ctl->server.data = ctl;
	r = uv_pipe_open(&ctl->server, fd);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&ctl->server, 16, connection_cb);
	if (r != 0) {
		log_warnx("control socket: %s", uv_strerror(r));
		return -1;
	}
	ctl->listening = 1;
	return 0;
}

void control_shutdown(void)
{
	struct control *ctl = &the_control;
	struct control_conn *cc, *next;

	if (ctl->listening)
		uv_close((uv_handle_t *)&ctl->server, NULL);
	ctl->listening = 0;
	/* answers already on their way still go out; the loop ends when they have */
	for (cc = ctl->conns; cc != NULL; cc = next) {
		next = cc->next;
		if (!cc->answered)
			conn_close(cc);
	}
}
