/*
 * Logging, one line per event, prefixed with the process role: to stderr, or in a child to the
 * parent's relay pipe (log_relay), or in the parent to its sinks (log_set_sink, parent/logsink.c).
 */
#ifndef VPND_LOG_H
#define VPND_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

void log_init(const char *role, int debug);
void log_set_debug(int debug);
int  log_get_debug(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* like log_warnx, with ": strerror(errno)" appended */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct log_peer;
/* A line at syslog priority PRI (0..7, LOG_NOTICE = 5) whose fields (journal: PEER, USER, GROUP,
 * SESSION, SPI) come from peer, which may be NULL. */
void log_pri(int pri, const struct log_peer *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A child: stderr is the parent's relay pipe; lines go framed (common/log_sink.h). Once the
 * pipe is broken (the parent is gone), plain lines go to fallback_fd if it is not -1. */
void log_relay(int fallback_fd);
/* The parent: every line of its own goes to fn instead of stderr (NULL: stderr again). */
typedef void (*log_sink_fn)(int pri, const char *msg, const struct log_peer *peer);
void log_set_sink(log_sink_fn fn);
/* "fatal: ", "warning: ", "debug: " or "" for a priority, as stderr lines show it */
const char *log_pri_prefix(int pri);
/* How many lines this process could not hand over (a full relay pipe). */
unsigned long log_dropped(void);

/*
 * IOS-style crypto debugging: `debug crypto isakmp|ipsec|engine [error]` (and `debug crypto
 * ikev2 [packet|internal|error]`) turns a category on
 * (or only its error lines), and `debug crypto condition ...` narrows it to matching peers.
 * Callers describe the peer a line is about (any field may be empty, peer may be NULL) and OR
 * DBG_ERR into cat for lines that report a failure. The state is the parent's, pushed to every
 * process with IMSG_DEBUG; a process started with -d begins with every category on.
 */
/* IKEv2's own, as IOS splits `debug crypto ikev2 [packet | internal]`: the exchanges, each
 * message in and out, and the SA table's own events (replaced SAs, cleared ones) */
enum log_dbg_cat { DBG_ISAKMP = 1, DBG_IPSEC = 2, DBG_ENGINE = 4, DBG_ERR = 8,
                   DBG_IKEV2 = 16, DBG_IKEV2_PKT = 32, DBG_IKEV2_INT = 64 };
#define DBG_V2_ALL (DBG_IKEV2 | DBG_IKEV2_PKT | DBG_IKEV2_INT)
#define DBG_ALL (DBG_ISAKMP | DBG_IPSEC | DBG_ENGINE | DBG_V2_ALL)
struct log_peer {
	uint32_t    addr;               /* IPv4, network byte order; 0 = unknown */
	const void *addr6;              /* or IPv6 (16 bytes); NULL = none */
	const char *user;               /* XAUTH user, NULL or "" = unknown */
	const char *group;              /* client configuration group, NULL or "" = unknown */
	uint32_t    spi;                /* ESP SPI (network byte order), 0 = unknown */
	uint32_t    session;            /* the session store's id, 0 = unknown */
};
int  log_dbg_enabled(int cat, const struct log_peer *peer);
/* The peer's address as text ("" if none); buf has INET6_ADDRSTRLEN bytes. */
const char *log_peer_addr(const struct log_peer *peer, char *buf);
void log_dbg(int cat, const struct log_peer *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct msg_debug;
/* Replace this process's debug state (the payload of IMSG_DEBUG, already checked). */
void log_dbg_set(const struct msg_debug *);
void log_dbg_get(struct msg_debug *);
/* A child's handling of IMSG_DEBUG: -1 when the payload has the wrong length (fatal). */
int  log_dbg_msg(const void *data, size_t len);
/* Whether a line about PEER passes the conditions of D (ignoring categories); for tests. */
int  log_dbg_match(const struct msg_debug *d, const struct log_peer *peer);

/* log and exit(1) */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * For events a remote peer can trigger at will (malformed packets, failed checks): at most one
 * line per second per call site, with a count of what was held back, so a flood cannot fill
 * the log. Drops are still counted by the caller.
 */
#define log_rl(...)                                                                    \
	do {                                                                           \
		static time_t rl_last_;                                                \
		static unsigned rl_held_;                                              \
		time_t rl_now_ = time(NULL);                                           \
		if (rl_now_ != rl_last_) {                                             \
			if (rl_held_)                                                  \
				log_warnx("(%u more like the next one held back)",     \
				          rl_held_);                                   \
			rl_held_ = 0;                                                  \
			rl_last_ = rl_now_;                                            \
			log_warnx(__VA_ARGS__);                                        \
		} else {                                                               \
			rl_held_++;                                                    \
		}                                                                      \
	} while (0)

#endif
