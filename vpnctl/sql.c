/* vpnctl sql "SELECT ...": read-only queries on the session store, text or --json. */
#include <string.h>

#include "vpnctl/vpnctl.h"

int vctl_sql(const struct vctx *c, const char *sql)
{
	sqlite3 *h = vctl_db(c);
	sqlite3_stmt *s;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &s, &tail) != SQLITE_OK) {
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
	int ncol = sqlite3_column_count(s), rows = 0, rc;
	if (c->json)
		printf("[");
	else
		for (int i = 0; i < ncol; i++)
			printf("%s%s", i ? "|" : "", sqlite3_column_name(s, i));
	if (!c->json)
		printf("\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (c->json) {
			printf("%s\n  {", rows ? "," : "");
			for (int i = 0; i < ncol; i++) {
				printf("%s", i ? ", " : "");
				json_str(stdout, sqlite3_column_name(s, i));
				printf(": ");
				switch (sqlite3_column_type(s, i)) {
				case SQLITE_NULL: printf("null"); break;
				case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(s, i)); break;
				case SQLITE_FLOAT: printf("%.17g", sqlite3_column_double(s, i)); break;
				default: json_str(stdout, (const char *)sqlite3_column_text(s, i));
				}
			}
			printf("}");
		} else {
			for (int i = 0; i < ncol; i++) {
				const unsigned char *v = sqlite3_column_text(s, i);
				printf("%s%s", i ? "|" : "", v ? (const char *)v : "");
			}
			printf("\n");
		}
		rows++;
	}
	if (c->json)
		printf("%s]\n", rows ? "\n" : "");
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return rc == SQLITE_DONE ? 0 : 1;
}
