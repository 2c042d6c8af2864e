/*
 * Where log lines go besides stderr (docs/architecture.md "Logging"): the children write
 * framed lines to a pipe the parent reads (log_relay.c); the parent sends them on as RFC 3164
 * syslog lines (log_syslog.c) or journal datagrams (log_journal.c), to `logging host`s, and to
 * control's ring for show logging (parent/logsink.c).
 */
#ifndef VPND_LOG_SINK_H
#define VPND_LOG_SINK_H

#include <stddef.h>
#include <time.h>

struct log_field {
	const char *key;
	const char *value;
};
#define LOG_FIELDS_MAX 8        /* the journal's own and PEER USER GROUP SESSION SPI */
#define LOG_LINE_MAX   1200     /* one framed line, newline included */

/* "<PRI>Mmm dd hh:mm:ss [HOST ]TAG[PID]: MSG" in buf; the length, 0 if nothing fits. */
size_t log_syslog_format(char *buf, size_t len, int facility, int pri, time_t t,
                         const char *host, const char *tag, int pid, const char *msg);
/* A native journal datagram; 0 when it does not fit. */
size_t log_journal_format(char *buf, size_t len, const struct log_field *f, int nf);

/* What a relayed line carries (log_relay_parse): pointers into the parsed buffer. */
struct log_rec {
	int              pri;           /* 0..7; a line without framing (a sanitizer's) is 6 */
	int              framed;
	const char      *msg;
	struct log_field f[LOG_FIELDS_MAX];
	int              nf;
};
struct log_peer;
/* A child's line for the parent: "<PRI>MSG" then "\x1fKEY=value" per known field, "\n".
 * Control bytes in MSG and values become '?'. Returns the length (< len). */
size_t log_relay_format(char *buf, size_t len, int pri, const char *msg,
                        const struct log_peer *peer);
/* Parse one line (no newline, NUL-terminated, modified in place). Unknown keys are dropped. */
void log_relay_parse(char *line, struct log_rec *r);

#endif
