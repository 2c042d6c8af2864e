/* Logging to stderr, one line per event, prefixed with the process role. */
#ifndef VPND_LOG_H
#define VPND_LOG_H

#include <stdarg.h>
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

/*
 * IOS-style crypto debugging: `debug crypto isakmp|ipsec|engine` turns a category on, and
 * `debug crypto condition ...` narrows it to matching peers. Callers describe the peer a line
 * is about (any field may be empty); lines about no peer pass only the "unmatched" condition.
 * Until conditions are configured, a category is on when the process runs with -d.
 */
enum log_dbg_cat { DBG_ISAKMP = 1, DBG_IPSEC = 2, DBG_ENGINE = 4 };
struct log_peer {
	uint32_t    addr;               /* IPv4, network byte order; 0 = unknown */
	const char *user;               /* XAUTH user, NULL = unknown */
	const char *group;              /* client configuration group, NULL = unknown */
	uint32_t    spi;                /* ESP SPI (network byte order), 0 = unknown */
};
int  log_dbg_enabled(int cat, const struct log_peer *peer);
void log_dbg(int cat, const struct log_peer *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
