#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test/unit/tmpdb.h"

char tmpdb_dir[64], tmpdb_path[128];

void tmpdb_setup(void)
{
	snprintf(tmpdb_dir, sizeof(tmpdb_dir), "/tmp/vpnd-unit-db.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdb_dir));
	snprintf(tmpdb_path, sizeof(tmpdb_path), "%s/vpnd.db", tmpdb_dir);
}

void tmpdb_teardown(void)
{
	char f[160];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", tmpdb_path, suffix[i]);
		unlink(f);
	}
	rmdir(tmpdb_dir);
}

sqlite3 *tmpdb_reader(void)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open_v2(tmpdb_path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return h;
}

long long q_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
	             sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	long long v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *q_text(sqlite3 *h, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
	             sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	const unsigned char *t = sqlite3_column_text(s, 0);
	snprintf(buf, len, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(s);
	return buf;
}
