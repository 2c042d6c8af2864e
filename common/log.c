#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "common/log.h"
#include "common/log_sink.h"
#include "common/msg.h"

static const char *log_role = "vpnd";
static int log_debug_on;
static int relay_on, relay_fallback = -1, plain_fd = STDERR_FILENO;
static log_sink_fn sink;
static unsigned long dropped, dropped_told;
/* Crypto debug state of this process: categories and conditions (log.h, docs/operator.md). */
static struct msg_debug dbg;

void log_init(const char *role, int debug)
{
	log_role = role;
	log_debug_on = debug;
	memset(&dbg, 0, sizeof(dbg));
	dbg.cats = debug ? DBG_ALL : 0;
}

void log_set_debug(int debug) { log_debug_on = debug; }
int  log_get_debug(void) { return log_debug_on; }

void log_relay(int fallback_fd)
{
	relay_on = 1;
	relay_fallback = fallback_fd;
}
void log_set_sink(log_sink_fn fn) { sink = fn; }
unsigned long log_dropped(void) { return dropped; }

const char *log_pri_prefix(int pri)
{
	static const char *const p[] = { "fatal: ", "fatal: ", "fatal: ", "error: ",
	                                 "warning: ", "", "", "debug: " };
	return p[pri & 7];
}

/* One write per line, so lines from several processes do not interleave; a child's stderr is
 * non-blocking (the parent's relay): a full pipe drops the line, counted, never waits. */
static void put_line(int fd, const char *line, size_t n)
{
	if (write(fd, line, n) < 0) {
		dropped++;
		if (errno == EPIPE && relay_on) {
			/* the parent is gone: plain lines to its stderr from now on */
			relay_on = 0;
			if (relay_fallback != -1)
				plain_fd = relay_fallback;
		}
	}
}

static void emit(int pri, const char *msg, const struct log_peer *peer)
{
	char line[LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	size_t n;

	if (sink != NULL) {
		sink(pri, msg, peer);
		return;
	}
	if (relay_on) {
		if (dropped != dropped_told) {
			char note[96];
			snprintf(note, sizeof(note), "%lu log lines dropped: the relay pipe was full",
			         dropped - dropped_told);
			n = log_relay_format(line, sizeof(line), 4, note, NULL);
			if (write(STDERR_FILENO, line, n) == (ssize_t)n)
				dropped_told = dropped;
		}
		n = log_relay_format(line, sizeof(line), pri, msg, peer);
		put_line(STDERR_FILENO, line, n);
		if (relay_on)
			return;
		/* the pipe broke on this line: it goes plain too */
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int k = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s[%d]: %s%s\n", tm.tm_hour,
	                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_role, (int)getpid(),
	                 log_pri_prefix(pri), msg);
	if (k > (int)sizeof(line) - 1)
		k = sizeof(line) - 1;
	if (k > 0)
		put_line(plain_fd, line, (size_t)k);
}

static void vlog_peer(int pri, const struct log_peer *peer, const char *fmt, va_list ap,
                      int err)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	}
	emit(pri, msg, peer);
}

static void vlog(int pri, const char *fmt, va_list ap, int err)
{
	vlog_peer(pri, NULL, fmt, ap, err);
}

void log_pri(int pri, const struct log_peer *peer, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog_peer(pri, peer, fmt, ap, 0);
	va_end(ap);
	errno = saved;
}

#define LOGFN(name, level, err_expr)                     \
	void name(const char *fmt, ...)                  \
	{                                                \
		int saved = errno;                       \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		vlog(level, fmt, ap, err_expr);          \
		va_end(ap);                              \
		errno = saved;                           \
	}

LOGFN(log_info, 6, 0)
LOGFN(log_warnx, 4, 0)
LOGFN(log_warn, 4, saved)

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog(7, fmt, ap, 0);
	va_end(ap);
}

void log_dbg_set(const struct msg_debug *d)
{
	dbg = *d;
	if (dbg.ncond < 0 || dbg.ncond > MSG_DEBUG_COND_MAX)
		dbg.ncond = 0;
	for (int i = 0; i < dbg.ncond; i++)
		dbg.cond[i].name[sizeof(dbg.cond[i].name) - 1] = '\0';
}

void log_dbg_get(struct msg_debug *d) { *d = dbg; }

int log_dbg_msg(const void *data, size_t len)
{
	struct msg_debug d;

	if (len != sizeof(d))
		return -1;
	memcpy(&d, data, sizeof(d));
	log_dbg_set(&d);
	return 0;
}

static int has(const char *s) { return s != NULL && *s != '\0'; }

/*
 * Conditions of any type are OR-ed, as IOS does: a line shows when its peer matches one of
 * them. A line that lacks every field the conditions look at (a main-mode line before XAUTH
 * named the user, a line about no peer) cannot be judged: it shows only with "unmatched".
 */
int log_dbg_match(const struct msg_debug *d, const struct log_peer *p)
{
	int judged = 0;

	if (d->ncond == 0 && !d->unmatched)
		return 1;
	for (int i = 0; i < d->ncond && p != NULL; i++) {
		const struct msg_debug_cond *c = &d->cond[i];
		switch (c->type) {
		case DCOND_ADDR:
			if (p->addr == 0)
				continue;
			judged = 1;
			if ((p->addr & c->mask) == c->addr)
				return 1;
			break;
		case DCOND_ADDR6: {
			if (p->addr6 == NULL)
				continue;
			judged = 1;
			const uint8_t *a = p->addr6;
			int whole = c->plen6 / 8, rest = c->plen6 % 8;
			if (!memcmp(a, c->addr6, (size_t)whole) &&
			    (!rest || ((a[whole] ^ c->addr6[whole]) & (0xff << (8 - rest))) == 0))
				return 1;
			break;
		}
		case DCOND_USER:
		case DCOND_GROUP: {
			const char *v = c->type == DCOND_USER ? p->user : p->group;
			if (!has(v))
				continue;
			judged = 1;
			if (strcmp(v, c->name) == 0)
				return 1;
			break;
		}
		case DCOND_SPI:
			if (p->spi == 0)
				continue;
			judged = 1;
			if (ntohl(p->spi) == c->spi)
				return 1;
			break;
		}
	}
	if (judged)
		return 0;
	/* with no condition but "unmatched", every line with any context is judged (and fails) */
	if (d->ncond == 0 && p != NULL &&
	    (p->addr || p->addr6 || has(p->user) || has(p->group) || p->spi))
		return 0;
	return d->unmatched;
}

int log_dbg_enabled(int cat, const struct log_peer *peer)
{
	int c = cat & DBG_ALL;

	if (!(dbg.cats & c) && !((cat & DBG_ERR) && (dbg.errcats & c)))
		return 0;
	return log_dbg_match(&dbg, peer);
}

/* Peer-supplied names go into the log: no byte may end or fake a line. */
static void put_clean(char *out, size_t len, const char *s)
{
	size_t i = 0;
	for (; *s != '\0' && i + 1 < len; s++)
		out[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	out[i] = '\0';
}

/* IOS's line prefix for a category */
static const char *dbg_prefix(int c)
{
	switch (c) {
	case DBG_ISAKMP: return "ISAKMP";
	case DBG_IPSEC:  return "IPSEC";
	case DBG_ENGINE: return "ENGINE";
	case DBG_IKEV2:
	case DBG_IKEV2_PKT:
	case DBG_IKEV2_INT: return "IKEv2";
	default:         return "CRYPTO";
	}
}

void log_dbg(int cat, const struct log_peer *peer, const char *fmt, ...)
{
	char msg[1024], ctx[200] = "", user[MSG_USER_MAX], group[MSG_GROUP_MAX];
	va_list ap;
	int c = cat & DBG_ALL;

	if (!log_dbg_enabled(cat, peer))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (peer != NULL) {
		char ip[INET6_ADDRSTRLEN];
		size_t n = 0;
		log_peer_addr(peer, ip);
		put_clean(user, sizeof(user), has(peer->user) ? peer->user : "");
		put_clean(group, sizeof(group), has(peer->group) ? peer->group : "");
		n += (size_t)snprintf(ctx + n, sizeof(ctx) - n, "%s%s", ip[0] ? " peer " : "", ip);
		if (user[0] && n < sizeof(ctx))
			n += (size_t)snprintf(ctx + n, sizeof(ctx) - n, " user %s", user);
		if (group[0] && n < sizeof(ctx))
			n += (size_t)snprintf(ctx + n, sizeof(ctx) - n, " group %s", group);
		if (peer->spi && n < sizeof(ctx))
			snprintf(ctx + n, sizeof(ctx) - n, " spi 0x%08x", ntohl(peer->spi));
	}
	/* IOS prints "ISAKMP: ..."; the bracketed context says whose line it is */
	log_pri(7, peer, "%s:%s%s%s %s", dbg_prefix(c), ctx[0] ? " [" : "",
	         ctx[0] ? ctx + 1 : "", ctx[0] ? "]" : "", msg);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(2, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(2, fmt, ap, saved);
	va_end(ap);
	exit(1);
}
