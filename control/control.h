/*
 * The operator socket, served by the control process: one command line in, a text answer
 * out, then the connection closes. Commands live in the table in control/commands.c; a
 * handler writes its answer with control_printf, or asks the parent with control_ask and the
 * answer goes out when the parent's comes back.
 */
#ifndef VPND_CONTROL_H
#define VPND_CONTROL_H

#include <stddef.h>
#include <stdio.h>
#include <uv.h>

#include "common/conf.h"
#include "common/msg.h"
#include "control/json.h"

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
extern const struct control_cmd control_cmds[];
extern const size_t control_ncmds;

void control_printf(struct control_conn *, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Takes every "--json" out of argv: 1 if there was one. */
int control_take_json(int *argc, char **argv);

/*
 * An answer a formatter writes to a FILE, as the JSON writer (control/json.h) does:
 * control_out_open gives the FILE (NULL after answering "% out of memory"), and
 * control_out_send closes it and sends what was written.
 */
struct control_out {
	FILE  *f;
	char  *buf;
	size_t len;
};
FILE *control_out_open(struct control_conn *, struct control_out *);
void  control_out_send(struct control_conn *, struct control_out *);
/* An answer that is one JSON object: control_json_begin opens the answer and the object (NULL
 * after "% out of memory"), control_json_end closes both and sends it. */
struct control_json {
	struct control_out o;
	struct jw          w;
};
struct jw *control_json_begin(struct control_conn *, struct control_json *);
void       control_json_end(struct control_conn *, struct control_json *);

/* The running configuration, redacted: no key or password is in it. */
const struct vpnd_conf *control_conf(struct control_conn *);
/* the read-only session store opened at start, NULL when it could not be */
struct sqlite3;
struct sqlite3 *control_db(void);

/* The live session on Virtual-AccessN, from the session store (see show_vaccess_query). */
struct show_vaccess;
int control_vaccess(struct control_conn *, int unit, struct show_vaccess *, char *err,
                    size_t errlen);

/*
 * Ask the parent for a privileged act. The answer waits for the parent's: its text, then,
 * if it succeeded, TAIL (printf-style, may be NULL).
 */
void control_ask(struct control_conn *, const struct msg_ctl_req *, const char *tail, ...)
	__attribute__((format(printf, 3, 4)));

/* The operator's XAUTH answer (IMSG_CTL_EZ_XAUTH, control/show_ezvpn.c), answered as
 * control_ask's requests are; the caller wipes A. */
void control_ask_ezx(struct control_conn *, const struct msg_ez_xauth_answer *a,
                     const char *tail, ...) __attribute__((format(printf, 3, 4)));

/* control/control.c, for control/ctlproc.c */
void control_set_ezx_sender(int (*send)(uint32_t id, const struct msg_ez_xauth_answer *));
int  control_listen(uv_loop_t *, int fd, const struct vpnd_conf *conf,
                    int (*send)(uint32_t id, const struct msg_ctl_req *));
/* The parent's answer to request ID. */
void control_answered(uint32_t id, const struct msg_ctl_res *);
/* Stop: close the listening socket and every connection not answered yet. */
void control_shutdown(void);

#endif
