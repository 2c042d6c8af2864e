/* vpnctl sql "SELECT ...": one read-only query on the session store, text or --json. */
#include <string.h>

#include "vpnctl/vpnctl.h"

int vctl_sql(const struct vctx *c, int argc, char **argv)
{
	if (argc != 1)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(h, argv[0], -1, &s, &tail) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		sqlite3_close(h);
		return 1;
	}
	if (!s || !sqlite3_stmt_readonly(s) || (tail && tail[strspn(tail, " \t\r\n;")])) {
		fprintf(stderr, "vpnctl: only a single read-only statement (SELECT) is allowed\n");
		sqlite3_finalize(s);
		sqlite3_close(h);
		return 1;
	}
	int rc;
	if (c->json) {
		rc = json_rows(stdout, s);
	} else {
		int ncol = sqlite3_column_count(s);
		for (int i = 0; i < ncol; i++) {
			fputs(i ? "|" : "", stdout);
			vctl_put_safe(stdout, sqlite3_column_name(s, i));
		}
		putchar('\n');
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			for (int i = 0; i < ncol; i++) {
				const unsigned char *v = sqlite3_column_text(s, i);
				fputs(i ? "|" : "", stdout);
				vctl_put_safe(stdout, v ? (const char *)v : "");
			}
			putchar('\n');
		}
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return rc == SQLITE_DONE ? 0 : 1;
}
