/*
 * Where every log line ends up (docs/operator.md "Logging"). The parent's own lines come here
 * through log_set_sink(), the children's from their relay pipes (logrelay.c). Destinations:
 * stderr in the foreground (logging console), syslog's /dev/log when daemonized or the
 * journal's socket under systemd (logging trap, facility), UDP to each logging host (trap
 * too), and control's ring for show logging (logging buffered). Sockets are opened here,
 * before the sandbox; every send is non-blocking and a refusal is counted, never waited on:
 * a slow syslogd must not stall the parent, which reads the children's pipes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "common/log.h"
#include "common/log_sink.h"
#include "parent/parent.h"

#define SYSLOG_PATH  "/dev/log"
#define JOURNAL_PATH "/run/systemd/journal/socket"
/* Lines held while the local socket is full (a burst at start: the kernel's default datagram
 * queue is 10 deep); beyond that they are dropped and counted. */
#define BACKLOG_MAX  1024
#define EXIT_FLUSH_MS 500

struct held {
	struct held *next;
	size_t       len;
	char         buf[];
};

static struct {
	struct parent      *p;
	int                 mode;           /* enum logsink_mode */
	struct conf_logging conf;
	int                 local_fd;       /* /dev/log or the journal, connected */
	int                 udp_fd;         /* to the logging hosts */
	char                host[64];       /* our name in remote syslog lines */
	uint64_t            logged, dropped, sent;
	int                 busy;           /* a line being sent logs nothing more */
	struct held        *head, *tail;    /* waiting for room on local_fd */
	int                 nheld;
	uv_poll_t           poll;
	int                 polling;        /* 1: poll initialised, 2: started */
} ls = { .local_fd = -1, .udp_fd = -1 };

static int open_local(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

void logsink_open(struct parent *p, int mode)
{
	ls.p = p;
	ls.mode = mode;
	conf_logging_defaults(&ls.conf);
	if (mode == LOGSINK_SYSLOG)
		ls.local_fd = open_local(SYSLOG_PATH);
	else if (mode == LOGSINK_JOURNAL)
		ls.local_fd = open_local(JOURNAL_PATH);
	/* stderr still works in the foreground: no journal, the lines go there */
	if (mode == LOGSINK_JOURNAL && ls.local_fd == -1)
		ls.mode = LOGSINK_CONSOLE;
	if (gethostname(ls.host, sizeof(ls.host)) == -1)
		snprintf(ls.host, sizeof(ls.host), "vpnd");
	ls.host[sizeof(ls.host) - 1] = '\0';
	log_set_sink(logsink_own);
	if (mode != LOGSINK_CONSOLE && ls.local_fd == -1)
		log_warn("cannot reach %s", mode == LOGSINK_SYSLOG ? SYSLOG_PATH : JOURNAL_PATH);
}

/* At start and at each reload: the levels, the facility, the hosts. */
void logsink_configure(const struct conf_logging *l, const char *hostname)
{
	ls.conf = *l;
	if (hostname != NULL && hostname[0])
		snprintf(ls.host, sizeof(ls.host), "%s", hostname);
	if (l->nhost > 0 && ls.udp_fd == -1) {
		ls.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (ls.udp_fd == -1)
			log_warn("logging host: socket");
	}
}

static void send_count(int fd, const void *buf, size_t n, const struct sockaddr *to,
                       socklen_t tolen)
{
	if (sendto(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL, to, tolen) == (ssize_t)n)
		ls.sent++;
	else
		ls.dropped++;
}

/* Send what is held, oldest first; 1 when all went, 0 when the socket is full again. */
static int flush_held(void)
{
	while (ls.head != NULL) {
		struct held *h = ls.head;
		ssize_t n = send(ls.local_fd, h->buf, h->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n == (ssize_t)h->len)
			ls.sent++;
		else
			ls.dropped++;   /* refused for good (syslogd gone): no retry */
		ls.head = h->next;
		if (ls.head == NULL)
			ls.tail = NULL;
		ls.nheld--;
		free(h);
	}
	return 1;
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
	if (flush_held() && ls.polling == 2) {
		uv_poll_stop(&ls.poll);
		ls.polling = 1;
	}
}

static void hold(const char *buf, size_t n)
{
	struct held *h;

	if (ls.nheld >= BACKLOG_MAX || (h = malloc(sizeof(*h) + n)) == NULL) {
		ls.dropped++;
		return;
	}
	h->next = NULL;
	h->len = n;
	memcpy(h->buf, buf, n);
	if (ls.tail)
		ls.tail->next = h;
	else
		ls.head = h;
	ls.tail = h;
	ls.nheld++;
	if (ls.polling == 1 && !uv_is_closing((uv_handle_t *)&ls.poll) &&
	    uv_poll_start(&ls.poll, UV_WRITABLE, poll_cb) == 0)
		ls.polling = 2;
}

/* syslog or the journal: in order, held when the socket is full, never waited for */
static void send_local(const char *buf, size_t n)
{
	ssize_t r;

	if (ls.head == NULL) {
		r = send(ls.local_fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == (ssize_t)n) {
			ls.sent++;
			return;
		}
		if (r >= 0 || (errno != EAGAIN && errno != EINTR)) {
			ls.dropped++;
			return;
		}
	}
	hold(buf, n);
}

/* With the loop: the held lines go out when the socket has room. */
int logsink_start(uv_loop_t *loop)
{
	if (ls.local_fd == -1)
		return 0;
	if (uv_poll_init(loop, &ls.poll, ls.local_fd) != 0)
		return -1;
	ls.polling = 1;
	if (ls.head != NULL && uv_poll_start(&ls.poll, UV_WRITABLE, poll_cb) == 0)
		ls.polling = 2;
	return 0;
}

/* The loop is ending: its handle goes, the last lines (vpnd stopped) get a bounded wait. */
void logsink_stop(void)
{
	struct timespec t0, t;

	if (ls.polling) {
		if (!uv_is_closing((uv_handle_t *)&ls.poll))
			uv_close((uv_handle_t *)&ls.poll, NULL);
		ls.polling = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ls.head != NULL && !flush_held()) {
		struct pollfd pfd = { .fd = ls.local_fd, .events = POLLOUT };
		clock_gettime(CLOCK_MONOTONIC, &t);
		long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= EXIT_FLUSH_MS || poll(&pfd, 1, (int)(EXIT_FLUSH_MS - ms)) <= 0)
			break;
	}
	while (ls.head != NULL) {
		struct held *h = ls.head;
		ls.head = h->next;
		ls.dropped++;
		free(h);
	}
	ls.tail = NULL;
	ls.nheld = 0;
}

static void to_journal(const char *tag, int pid, const struct log_rec *r)
{
	char pri[4], fac[8], spid[16], buf[LOG_LINE_MAX + 512];
	struct log_field f[LOG_FIELDS_MAX + 5];
	int nf = 0;
	size_t n;

	snprintf(pri, sizeof(pri), "%d", r->pri);
	snprintf(fac, sizeof(fac), "%d", ls.conf.facility);
	snprintf(spid, sizeof(spid), "%d", pid);
	f[nf++] = (struct log_field){ "MESSAGE", r->msg };
	f[nf++] = (struct log_field){ "PRIORITY", pri };
	f[nf++] = (struct log_field){ "SYSLOG_IDENTIFIER", tag };
	f[nf++] = (struct log_field){ "SYSLOG_FACILITY", fac };
	f[nf++] = (struct log_field){ "SYSLOG_PID", spid };
	for (int i = 0; i < r->nf; i++)
		f[nf++] = r->f[i];
	n = log_journal_format(buf, sizeof(buf), f, nf);
	if (n == 0)
		ls.dropped++;
	else
		send_local(buf, n);
}

static void to_ring(const char *tag, int pid, const struct log_rec *r, time_t now, long ms)
{
	struct child *ctl = &ls.p->child[ROLE_CONTROL];
	struct msg_log_line m;
	struct tm tm;
	char when[32];

	if (!ctl->ib_open || ctl->exited || !ctl->ready)
		return;
	memset(&m, 0, sizeof(m));
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%b %e %H:%M:%S", &tm);
	m.pri = r->pri;
	m.dest = ls.mode;
	m.logged = ls.logged;
	m.dropped = ls.dropped + log_dropped();
	m.sent = ls.sent;
	snprintf(m.line, sizeof(m.line), "%s.%03ld: %s[%d]: %s%s", when, ms, tag, pid,
	         r->framed ? log_pri_prefix(r->pri) : "", r->msg);
	if (imsg_compose(&ctl->ib, IMSG_CTL_LOG, 0, -1, &m, sizeof(m)) == -1)
		ls.dropped++;
}

/* One line from ROLE (NULL: the parent) of process PID, to every destination it is for. */
void logsink_line(const char *role, int pid, const struct log_rec *r)
{
	char tag[32], line[LOG_LINE_MAX + 128];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int trap;

	if (ls.busy)
		return;
	ls.busy = 1;
	ls.logged++;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tag, sizeof(tag), "vpnd%s%s", role ? "-" : "", role ? role : "");
	if (ls.mode == LOGSINK_CONSOLE && r->pri <= ls.conf.console) {
		/* the lines vpnd always wrote: UTC time, role[pid], level word */
		gmtime_r(&ts.tv_sec, &tm);
		int k = r->framed ?
			snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s[%d]: %s%s\n", tm.tm_hour,
			         tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, role ? role : "vpnd", pid,
			         log_pri_prefix(r->pri), r->msg) :
			snprintf(line, sizeof(line), "%s\n", r->msg);
		if (k > (int)sizeof(line) - 1)
			k = (int)sizeof(line) - 1;
		if (k > 0 && write(STDERR_FILENO, line, (size_t)k) < 0)
			ls.dropped++;
	}
	trap = !ls.conf.off && r->pri <= ls.conf.trap;
	if (trap && ls.local_fd != -1) {
		if (ls.mode == LOGSINK_JOURNAL) {
			to_journal(tag, pid, r);
		} else {
			n = log_syslog_format(line, sizeof(line), ls.conf.facility, r->pri,
			                      ts.tv_sec, NULL, tag, pid, r->msg);
			send_local(line, n);
		}
	}
	if (trap && ls.udp_fd != -1 && ls.conf.nhost > 0) {
		n = log_syslog_format(line, sizeof(line), ls.conf.facility, r->pri, ts.tv_sec,
		                      ls.host, tag, pid, r->msg);
		for (int k = 0; k < ls.conf.nhost && k < CONF_MAX_LOG_HOSTS; k++) {
			struct sockaddr_in sin = { .sin_family = AF_INET,
			                           .sin_port = htons(ls.conf.host[k].port),
			                           .sin_addr = ls.conf.host[k].addr };
			send_count(ls.udp_fd, line, n, (struct sockaddr *)&sin, sizeof(sin));
		}
	}
	if (!ls.conf.off && ls.conf.buffered >= 0 && r->pri <= ls.conf.buffered && ls.p != NULL)
		to_ring(tag, pid, r, ts.tv_sec, ts.tv_nsec / 1000000);
	ls.busy = 0;
}

/* The parent's own lines (log_set_sink): framed and parsed like a child's, one path. */
void logsink_own(int pri, const char *msg, const struct log_peer *peer)
{
	char buf[LOG_LINE_MAX];
	struct log_rec r;
	size_t n = log_relay_format(buf, sizeof(buf), pri, msg, peer);

	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_relay_parse(buf, &r);
	logsink_line(NULL, (int)getpid(), &r);
}
