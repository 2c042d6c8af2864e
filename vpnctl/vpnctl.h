/*
 * vpnctl: the operator's tool. Show commands read vpnd's SQLite file read-only; actions go to
 * vpnd's control socket as one line.
 *
 * Adding a command: write its handler in the file of its family (show_session.c, ...), declare
 * it below and add a row to vctl_cmds[] in commands.c. A row without a handler is sent to vpnd.
 */
#ifndef VPND_VPNCTL_H
#define VPND_VPNCTL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

#include "common/sa46.h"

struct vctl_cmd;

struct vctx {
	const char            *dir;    /* vpnd's state directory (-S) */
	int                    json;   /* --json */
	const char            *line;   /* the command as typed, for error messages */
	const struct vctl_cmd *cmd;    /* the command being run */
};

/* A handler gets the words after the command's name; returns the exit status. */
typedef int vctl_fn(const struct vctx *, int argc, char **argv);

struct vctl_cmd {
	const char *words;      /* "show crypto session detail"; each word may be abbreviated */
	const char *args;       /* for help: "[username U | remote A | group G]", or "" */
	const char *help;
	vctl_fn    *run;        /* NULL: sent to vpnd's control socket */
};
extern const struct vctl_cmd vctl_cmds[];
extern const size_t          vctl_ncmds;

/* vpnctl.c: "% Invalid input: 'LINE' (try 'vpnctl help')" or, with a command, its usage;
 * returns 1 */
int vctl_invalid(const struct vctx *);
/* vpnctl.c */
int vctl_help(const struct vctx *, int argc, char **argv);
/* Keyword ARG is WORD or a prefix of it (IOS-style abbreviation). */
int vctl_kw(const char *arg, const char *word);

/* db_open.c: DIR/vpnd.db opened read-only with its schema version checked; NULL after a
 * one-line error on stderr. */
sqlite3 *vctl_db(const struct vctx *);

/* control.c: send LINE to DIR/vpnd.sock and copy the answer to stdout; exit status */
int vctl_control(const struct vctx *, const char *line);
/* The same with the answer in ANS (ANSLEN > 0, terminated) instead of on stdout. */
int vctl_control_to(const struct vctx *, const char *line, char *ans, size_t anslen);
int vctl_forward(const struct vctx *, int argc, char **argv);

/* json.c: a JSON string (invalid UTF-8 becomes U+FFFD, so the output always parses) */
void json_str(FILE *, const char *s);
/* One column of the current row as a JSON value. */
void json_column(FILE *, sqlite3_stmt *, int col);
/* The current row's columns as the members of an object, "name": value, ... (no braces). */
void json_fields(FILE *, sqlite3_stmt *);
/* Every remaining row of S as an array of objects keyed by column name; SQLite's result. */
int  json_rows(FILE *, sqlite3_stmt *);
/* The same, stopping before row MAX + 1 (0: no cap) with SQLITE_ROW; the array is closed. */
int  json_rows_max(FILE *, sqlite3_stmt *, long max);

/* format.c: untrusted text made safe for a terminal (control bytes and invalid UTF-8
 * escaped as \xNN); the result lives until 8 more calls. */
const char *vctl_safe(const char *s);
/* An address the operator typed, IPv4 or IPv6, in the spelling the store keeps (inet_ntop's,
 * so FD00:1:0::2 finds fd00:1::2); NULL, and a message, if it is not one. */
const char *vctl_addr(const char *in);
void        vctl_put_safe(FILE *, const char *s);     /* the same, streamed, any length */
/* Length of the UTF-8 sequence at P (its code point in *CP), 0 if invalid; stops at NUL. */
size_t      vctl_utf8(const unsigned char *p, unsigned *cp);
/* IOS-style duration: 00:52:46, 1d22h, 3w2d */
void fmt_uptime(double seconds, char *buf, size_t len);
/* local time "2024-05-01 10:00:00 CEST" */
void fmt_time(double unixtime, char *buf, size_t len);

/* sql.c */
int vctl_sql(const struct vctx *, int argc, char **argv);
/* show_session.c */
int show_crypto_session(const struct vctx *, int argc, char **argv);
int show_crypto_session_brief(const struct vctx *, int argc, char **argv);
int show_crypto_session_detail(const struct vctx *, int argc, char **argv);
int show_crypto_session_history(const struct vctx *, int argc, char **argv);
int show_crypto_session_summary(const struct vctx *, int argc, char **argv);
/* show_peers.c */
int show_crypto_isakmp_peers(const struct vctx *, int argc, char **argv);
int show_crypto_route(const struct vctx *, int argc, char **argv);
/* backup.c */
int vctl_backup(const struct vctx *, int argc, char **argv);
/* show_sa.c */
int show_crypto_isakmp_sa(const struct vctx *, int argc, char **argv);
int show_crypto_isakmp_sa_detail(const struct vctx *, int argc, char **argv);
int show_crypto_ipsec_sa(const struct vctx *, int argc, char **argv);
/* show_ikev2.c */
int show_crypto_ikev2_sa(const struct vctx *, int argc, char **argv);
int show_crypto_ikev2_sa_detail(const struct vctx *, int argc, char **argv);
/* show_ikev2_session.c */
int show_crypto_ikev2_session(const struct vctx *, int argc, char **argv);
int show_crypto_ikev2_session_detailed(const struct vctx *, int argc, char **argv);
/* clear.c: checked, then sent to vpnd */
int clear_crypto_sa(const struct vctx *, int argc, char **argv);
int clear_crypto_isakmp(const struct vctx *, int argc, char **argv);
int clear_crypto_ikev2_sa(const struct vctx *, int argc, char **argv);
/* ezxauth.c: crypto ipsec client ezvpn xauth, with the Username:/Password: prompts */
int ez_xauth(const struct vctx *, int argc, char **argv);

#endif
