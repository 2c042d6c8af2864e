/*
 * Quiet logging for the fuzz targets that link the IKE engine: the lines are not under test,
 * and writing them is slow. Linked instead of common/log.c (the targets' first lines).
 */
#include <stdlib.h>

#include "common/log.h"

void log_info(const char *fmt, ...) { (void)fmt; }
void log_warnx(const char *fmt, ...) { (void)fmt; }
void log_warn(const char *fmt, ...) { (void)fmt; }
void log_debug(const char *fmt, ...) { (void)fmt; }
void fatalx(const char *fmt, ...) { (void)fmt; abort(); }
void fatal(const char *fmt, ...) { (void)fmt; abort(); }
int log_dbg_enabled(int cat, const struct log_peer *p) { (void)cat; (void)p; return 0; }
void log_dbg(int cat, const struct log_peer *p, const char *fmt, ...)
{
	(void)cat;
	(void)p;
	(void)fmt;
}
