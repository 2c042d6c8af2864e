/* Logging to stderr, one line per event, prefixed with the process role. */
#ifndef VPND_LOG_H
#define VPND_LOG_H

#include <stdarg.h>

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

#endif
