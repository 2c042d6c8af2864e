/*
 * The control socket: one command line in, a text answer out, then the parent closes.
 * Commands live in the table in control.c; a handler writes its answer with control_printf.
 */
#ifndef VPND_CONTROL_H
#define VPND_CONTROL_H

#include "parent/parent.h"

#define CONTROL_SOCKET_NAME "vpnd.sock"
#define CONTROL_LINE_MAX    1024
#define CONTROL_MAX_ARGS    32
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_TIMEOUT_MS  5000

struct control_conn;

struct control_cmd {
	const char *words;      /* "ping", or several words: "clear crypto session" */
	/* argv holds the words after the command's own; answer with control_printf */
	void      (*fn)(struct control_conn *, int argc, char **argv);
	const char *help;
};

void control_printf(struct control_conn *, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct parent *control_parent(struct control_conn *);

#endif
