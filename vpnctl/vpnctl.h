/* vpnctl: the operator's tool. Queries read the SQLite file read-only; actions go to vpnd's
 * control socket. */
#ifndef VPND_VPNCTL_H
#define VPND_VPNCTL_H

#include <sqlite3.h>
#include <stdio.h>

struct vctx {
	const char *dir;         /* vpnd's state directory (-S) */
	int         json;
	int         detail;
};

/* db_open.c: open DIR/vpnd.db read-only and check its schema version; exits on error */
sqlite3 *vctl_db(const struct vctx *);
/* control.c: send one line to DIR/vpnd.sock and print the answer; returns the exit code */
int vctl_control(const struct vctx *, const char *line);
/* json.c */
void json_str(FILE *, const char *s);
/* sql.c */
int vctl_sql(const struct vctx *, const char *sql);
/* show_session.c */
int show_crypto_session(const struct vctx *, int argc, char **argv);
int show_crypto_session_history(const struct vctx *, int argc, char **argv);

#endif
