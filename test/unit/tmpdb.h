/* A scratch SQLite file per test, and a second read-only connection to query it as vpnctl
 * or sqlite3 would see it. */
#ifndef VPND_TEST_TMPDB_H
#define VPND_TEST_TMPDB_H

#include <stddef.h>
#include <sqlite3.h>

extern char tmpdb_dir[64], tmpdb_path[128];

void tmpdb_setup(void);         /* a fresh directory; tmpdb_path names vpnd.db in it */
void tmpdb_teardown(void);      /* the file, its WAL, SHM and journal, the directory */
sqlite3 *tmpdb_reader(void);
long long q_int(sqlite3 *h, const char *sql);
/* The first column of the first row as text, in BUF ("(null)" for NULL). */
const char *q_text(sqlite3 *h, const char *sql, char *buf, size_t len);

#endif
