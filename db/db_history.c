/*
 * db history keep DAYS: closed sessions, their SAs and their events older than DAYS are
 * deleted, a bounded batch per table per call, so a history of millions of rows never holds
 * the writer (and with it every session change) for long; the parent calls again until
 * nothing is left. Live sessions and what belongs to them stay whatever their age, and so do
 * the accounting records (db_acct.c keeps those until a server has them).
 */
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"
#include "db/db_int.h"

/*
 * Each statement takes the oldest rows first: sessions by their end (indexed), the SA tables
 * by id (insertion order, so the old rows come first and the scan stops after a batch).
 */
static const char *const prune_sql[] = {
	"DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended < ?1"
	" ORDER BY ended LIMIT ?2)",
	"DELETE FROM ike_sas WHERE id IN (SELECT id FROM ike_sas WHERE ended < ?1"
	" ORDER BY id LIMIT ?2)",
	"DELETE FROM ipsec_sas WHERE id IN (SELECT id FROM ipsec_sas WHERE ended < ?1"
	" ORDER BY id LIMIT ?2)",
	/* events of a session still up stay with it */
	"DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.t < ?1 AND NOT EXISTS"
	" (SELECT 1 FROM sessions s WHERE s.ended IS NULL AND s.run_id = e.run_id"
	" AND s.session_id = e.session_id) ORDER BY e.t LIMIT ?2)",
};
#define NPRUNE (int)(sizeof(prune_sql) / sizeof(prune_sql[0]))

int db_prune_history(struct db *d, double older_than, int batch, long *deleted)
{
	sqlite3 *h = db_sqlite(d);
	int more = 0;

	*deleted = 0;
	if (batch <= 0)
		return 0;
	db_batch_begin(d);
	for (int i = 0; i < NPRUNE; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(h, prune_sql[i], -1, &s, NULL) != SQLITE_OK) {
			log_warnx("database: history: %s", sqlite3_errmsg(h));
			db_batch_commit(d);
			return -1;
		}
		sqlite3_bind_double(s, 1, older_than);
		sqlite3_bind_int(s, 2, batch);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			log_warnx("database: history: %s", sqlite3_errmsg(h));
			db_batch_commit(d);
			return -1;
		}
		int n = sqlite3_changes(h);
		*deleted += n;
		if (n >= batch)
			more = 1;
	}
	db_batch_commit(d);
	return more;
}
