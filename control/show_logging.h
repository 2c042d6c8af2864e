/* show logging: the logging settings and the ring of buffered lines (control/show_logging.c). */
#ifndef VPND_CONTROL_SHOW_LOGGING_H
#define VPND_CONTROL_SHOW_LOGGING_H

#include <stddef.h>

struct control_conn;
struct conf_logging;

/* IMSG_CTL_LOG's payload: the line goes into a ring of l->buffer_size bytes. -1: bad length. */
int  show_logging_keep(const void *data, size_t len, const struct conf_logging *l);
void show_logging_cmd(struct control_conn *, int argc, char **argv);
struct jw;
/* The "logging" object of show running-config --json. */
void show_logging_conf_json(struct jw *w, const struct conf_logging *l);
/* Free the ring (at exit, and for tests). */
void show_logging_clear(void);

#endif
