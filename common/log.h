/* Logging to stderr, one line per event, prefixed with the process role. */
#ifndef VPND_LOG_H
#define VPND_LOG_H

#include <stdarg.h>
#include <time.h>

void log_init(const char *role, int debug);
void log_set_debug(int debug);
int  log_get_debug(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* like log_warnx, with ": strerror(errno)" appended */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
