/*
 * vpnctl sql "SELECT ...": one read-only query on the session store, text or --json.
 *
 * The text is the operator's, but a read-only open alone still lets it spin forever (a
 * recursive CTE), print without end, or reach functions that were never meant for a report
 * (fts3_tokenizer hands out a code pointer). So the statement is fenced: an authorizer that
 * allows reading and a list of plain functions only, a deadline checked while SQLite runs,
 * caps on rows and on the size of any one value.
 */
#include <string.h>
#include <time.h>

#include "vpnctl/vpnctl.h"

#define SQL_SECONDS     2
#define SQL_MAX_ROWS    100000
#define SQL_MAX_VALUE   (1 << 20)       /* bytes of one string or blob */

/* Built-in functions a report may use: scalar, aggregate, window, date and JSON ones. Anything
 * else (fts3_tokenizer, load_extension, randomblob, zeroblob, sqlite_* introspection, ...)
 * is refused when the statement is prepared. */
static const char *const safe_functions[] = {
	"abs", "avg", "ceil", "ceiling", "char", "coalesce", "count", "cume_dist", "date",
	"datetime", "dense_rank", "first_value", "floor", "format", "glob", "group_concat", "hex",
	"ifnull", "iif", "instr", "json", "json_array", "json_array_length", "json_extract",
	"json_group_array", "json_group_object", "json_object", "json_type", "json_valid",
	"julianday", "lag", "last_value", "lead", "length", "like", "lower", "ltrim", "max",
	"min", "nth_value", "ntile", "nullif", "percent_rank", "printf", "quote", "rank",
	"replace", "round", "row_number", "rtrim", "sign", "strftime", "string_agg", "substr",
	"substring", "sum", "time", "total", "trim", "typeof", "unicode", "unixepoch", "upper",
};

static int authorize(void *arg, int action, const char *a3, const char *a4, const char *db,
                     const char *trigger)
{
	(void)arg;
	(void)a3;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		for (size_t i = 0; i < sizeof(safe_functions) / sizeof(safe_functions[0]); i++)
			if (a4 && sqlite3_stricmp(a4, safe_functions[i]) == 0)
				return SQLITE_OK;
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static struct timespec deadline;
static int timed_out;

/* SQLite calls this every few thousand VM steps; non-zero interrupts the statement. */
static int past_deadline(void *arg)
{
	struct timespec now;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
		timed_out = 1;
	return timed_out;
}

static void fence(sqlite3 *h)
{
	sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL);
	sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(h, SQLITE_LIMIT_LENGTH, SQL_MAX_VALUE);
	sqlite3_set_authorizer(h, authorize, NULL);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += SQL_SECONDS;
	timed_out = 0;
	sqlite3_progress_handler(h, 4000, past_deadline, NULL);
}

static int text_rows(sqlite3_stmt *s, long max)
{
	int ncol = sqlite3_column_count(s), rc;
	long rows = 0;

	for (int i = 0; i < ncol; i++) {
		fputs(i ? "|" : "", stdout);
		vctl_put_safe(stdout, sqlite3_column_name(s, i));
	}
	putchar('\n');
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && rows++ < max) {
		for (int i = 0; i < ncol; i++) {
			const unsigned char *v = sqlite3_column_text(s, i);
			fputs(i ? "|" : "", stdout);
			vctl_put_safe(stdout, v ? (const char *)v : "");
		}
		putchar('\n');
	}
	return rc;
}

int vctl_sql(const struct vctx *c, int argc, char **argv)
{
	if (argc != 1)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	fence(h);
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(h, argv[0], -1, &s, &tail) != SQLITE_OK) {
		if (sqlite3_errcode(h) == SQLITE_AUTH)
			fprintf(stderr, "vpnctl: %s: only a single read-only statement (SELECT) "
			        "with plain functions is allowed\n", sqlite3_errmsg(h));
		else
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
	int rc = c->json ? json_rows_max(stdout, s, SQL_MAX_ROWS) : text_rows(s, SQL_MAX_ROWS);
	fflush(stdout);
	if (rc == SQLITE_ROW)
		fprintf(stderr, "vpnctl: stopped after %d rows: narrow the query (WHERE, LIMIT)\n",
		        SQL_MAX_ROWS);
	else if (timed_out)
		fprintf(stderr, "vpnctl: query stopped after %d s: time limit\n", SQL_SECONDS);
	else if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return rc == SQLITE_DONE ? 0 : 1;
}
