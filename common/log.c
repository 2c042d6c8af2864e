#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_role = "vpnd";
static int log_debug_on;

void log_init(const char *role, int debug)
{
	log_role = role;
	log_debug_on = debug;
}

void log_set_debug(int debug) { log_debug_on = debug; }
int  log_get_debug(void) { return log_debug_on; }

static void vlog(const char *level, const char *fmt, va_list ap, int err)
{
	char msg[1024];
	struct timespec ts;
	struct tm tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* One write per line so lines from several processes do not interleave. */
	char line[1200];
	int n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s[%d]: %s%s%s%s\n",
	                 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_role,
	                 (int)getpid(), level, msg, err ? ": " : "", err ? strerror(err) : "");
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report */
	}
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

LOGFN(log_info, "", 0)
LOGFN(log_warnx, "warning: ", 0)
LOGFN(log_warn, "warning: ", saved)

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap, 0);
	va_end(ap);
}

int log_dbg_enabled(int cat, const struct log_peer *peer)
{
	(void)cat;
	(void)peer;
	return log_debug_on;
}

void log_dbg(int cat, const struct log_peer *peer, const char *fmt, ...)
{
	static const char *const names[] = { "", "ISAKMP", "IPSEC", "", "ENGINE" };
	char msg[1024];
	va_list ap;

	if (!log_dbg_enabled(cat, peer))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("%s: %s", cat > 0 && cat <= 4 ? names[cat] : "CRYPTO", msg);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, saved);
	va_end(ap);
	exit(1);
}
