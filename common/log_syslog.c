/*
 * RFC 3164 lines, written by hand: every process but the parent is chrooted and seccomp'd, and
 * libc's syslog() opens /dev/log lazily (and would block on a full socket), so the parent sends
 * these itself on a socket it opened at start (parent/logsink.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log_sink.h"

size_t log_syslog_format(char *buf, size_t len, int facility, int pri, time_t t,
                         const char *host, const char *tag, int pid, const char *msg)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	int n;

	if (len == 0)
		return 0;
	/* syslogd expects local time without a year ("Mmm dd hh:mm:ss", the day space-padded) */
	localtime_r(&t, &tm);
	n = snprintf(buf, len, "<%d>%s %2d %02d:%02d:%02d %s%s%s[%d]: %s",
	             ((facility & 0x1f) << 3) | (pri & 7), mon[tm.tm_mon % 12], tm.tm_mday,
	             tm.tm_hour, tm.tm_min, tm.tm_sec, host ? host : "", host ? " " : "", tag, pid,
	             msg);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}
