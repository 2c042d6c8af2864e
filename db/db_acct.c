/*
 * The RADIUS accounting queue (table acct_queue). A record is written in the same transaction
 * as the session event it reports, from the session's row, so what is sent is what the store
 * says; it stays until a server acknowledges it, and the parent sends the oldest first. The
 * Acct-Session-Id is made here the same way as msg_acct_session_id() does (run, session).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"
#include "db/db_int.h"

static const char *status_name(int status)
{
	return status == ACCT_START ? "Start" : status == ACCT_STOP ? "Stop" :
	       status == ACCT_ON ? "Accounting-On" : status == ACCT_OFF ? "Accounting-Off" :
	       "Interim-Update";
}

static int status_code(const char *s)
{
	return !strcmp(s, "Start") ? ACCT_START : !strcmp(s, "Stop") ? ACCT_STOP :
	       !strcmp(s, "Accounting-On") ? ACCT_ON : !strcmp(s, "Accounting-Off") ? ACCT_OFF :
	       ACCT_INTERIM;
}

/* One statement, bound by the caller, stepped to the end. */
static int step_all(sqlite3 *h, sqlite3_stmt *s)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		log_warnx("database: accounting: %s", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static sqlite3_stmt *prep(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("database: accounting: %s", sqlite3_errmsg(h));
		return NULL;
	}
	return s;
}

/* The columns of a record, from a sessions row s; ?1 = now, ?2 = status, ?3 = cause. */
#define RECORD_FROM_SESSION \
	"INSERT INTO acct_queue (created, run_id, session_id, status, grp, acct_session_id," \
	" username, framed_ip, calling_station, class, session_time, in_octets, out_octets," \
	" in_pkts, out_pkts, terminate_cause, framed_ip6, delegated_prefix6)" \
	" SELECT ?1, s.run_id, s.session_id, ?2, s.acct_group," \
	" printf('%08X%08X', s.run_id, s.session_id), s.username, s.assigned_addr, s.peer_addr," \
	" s.class, CASE WHEN ?2 = 'Start' THEN NULL" \
	"  ELSE MAX(0, CAST(COALESCE(s.ended, s.counters_at, ?1) - s.started AS INTEGER)) END," \
	" s.bytes_in, s.bytes_out, s.pkts_in, s.pkts_out, ?3, s.assigned_addr6," \
	" s.delegated_prefix6 FROM sessions s"

int db_session_acct(struct db *d, uint32_t session_id, const char *group,
                    const uint8_t *class_, size_t class_len)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, "UPDATE sessions SET acct_group = ?, class = ?"
	                          " WHERE run_id = ? AND session_id = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, group, -1, SQLITE_TRANSIENT);
	if (class_len)
		sqlite3_bind_blob(s, 2, class_, (int)class_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, db_run_id(d));
	sqlite3_bind_int64(s, 4, session_id);
	return step_all(h, s);
}

int db_acct_add(struct db *d, uint32_t session_id, int status, int cause)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, RECORD_FROM_SESSION
	    " WHERE s.run_id = ?4 AND s.session_id = ?5 AND s.acct_group IS NOT NULL");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_text(s, 2, status_name(status), -1, SQLITE_STATIC);
	if (status == ACCT_STOP)
		sqlite3_bind_int(s, 3, cause);
	sqlite3_bind_int64(s, 4, db_run_id(d));
	sqlite3_bind_int64(s, 5, session_id);
	int rc = step_all(h, s);
	return rc < 0 ? -1 : sqlite3_changes(h);
}

int db_acct_add_nas(struct db *d, int status, const char *group)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, "INSERT INTO acct_queue (created, run_id, session_id, status, grp,"
	                          " acct_session_id) VALUES (?1, ?2, 0, ?3, ?4,"
	                          " printf('%08X%08X', ?2, 0))");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_int64(s, 2, db_run_id(d));
	sqlite3_bind_text(s, 3, status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, group, -1, SQLITE_TRANSIENT);
	return step_all(h, s);
}

int db_acct_stop_open(struct db *d, int this_run, int cause)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, this_run ?
	    RECORD_FROM_SESSION " WHERE s.ended IS NULL AND s.acct_group IS NOT NULL"
	    " AND s.run_id = ?4" :
	    RECORD_FROM_SESSION " WHERE s.ended IS NULL AND s.acct_group IS NOT NULL"
	    " AND s.run_id <> ?4");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_text(s, 2, "Stop", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, cause);
	sqlite3_bind_int64(s, 4, db_run_id(d));
	int rc = step_all(h, s);
	if (rc < 0)
		return -1;
	int n = sqlite3_changes(h);
	if (this_run)
		return n;
	/*
	 * The parent keeps a Stop in memory for up to 2 s after the session's row ended, waiting
	 * for tunmgr's last counters; a kill -9 then (a stop of many sessions is exactly then)
	 * left ended rows without a Stop. Those of the last run's final seconds get theirs now.
	 * NOT IN over a subquery that names no outer column is built once as an index.
	 */
	s = prep(h, RECORD_FROM_SESSION
	    " WHERE s.run_id = (SELECT max(id) FROM runs WHERE id < ?4)"
	    " AND s.acct_group IS NOT NULL AND s.ended IS NOT NULL"
	    " AND s.ended >= (SELECT max(ended) FROM sessions"
	    "  WHERE run_id = (SELECT max(id) FROM runs WHERE id < ?4)) - ?5"
	    " AND s.session_id NOT IN (SELECT session_id FROM acct_queue WHERE status = 'Stop'"
	    "  AND run_id = (SELECT max(id) FROM runs WHERE id < ?4))");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_text(s, 2, "Stop", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, cause);
	sqlite3_bind_int64(s, 4, db_run_id(d));
	sqlite3_bind_double(s, 5, DB_ACCT_STOP_WINDOW_S);
	if (step_all(h, s) < 0)
		return -1;
	return n + sqlite3_changes(h);
}

static uint64_t col_u64(sqlite3_stmt *s, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(s, i);
	return v < 0 ? 0 : (uint64_t)v;
}

static void col_str(sqlite3_stmt *s, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static void col_addr(sqlite3_stmt *s, int i, struct in_addr *a)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t || inet_pton(AF_INET, (const char *)t, a) != 1)
		a->s_addr = 0;
}

/* "PREFIX/LEN" as db_session_up wrote it; plen 0 when NULL or not that. */
static void col_prefix6(sqlite3_stmt *s, int i, struct msg_route6 *r)
{
	char buf[INET6_ADDRSTRLEN + 4];
	const unsigned char *t = sqlite3_column_text(s, i);
	memset(r, 0, sizeof(*r));
	if (!t || (size_t)sqlite3_column_bytes(s, i) >= sizeof(buf))
		return;
	snprintf(buf, sizeof(buf), "%s", (const char *)t);
	char *slash = strchr(buf, '/'), *end;
	if (!slash)
		return;
	*slash = 0;
	long plen = strtol(slash + 1, &end, 10);
	if (*end || plen <= 0 || plen > 128 || inet_pton(AF_INET6, buf, &r->net) != 1) {
		memset(r, 0, sizeof(*r));
		return;
	}
	r->plen = (int32_t)plen;
}

int db_acct_head(struct db *d, struct msg_acct *m)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h,
	    "SELECT id, created, status, grp, acct_session_id, username, framed_ip,"
	    " calling_station, class, session_time, in_octets, out_octets, in_pkts, out_pkts,"
	    " terminate_cause, framed_ip6, delegated_prefix6 FROM acct_queue WHERE acked IS NULL"
	    " ORDER BY id LIMIT 1");
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return 0;
		log_warnx("database: accounting: %s", sqlite3_errmsg(h));
		return -1;
	}
	memset(m, 0, sizeof(*m));
	m->qid = sqlite3_column_int64(s, 0);
	double age = db_now() - sqlite3_column_double(s, 1);
	m->delay_time = age < 0 ? 0 : age > 0x7fffffff ? 0x7fffffff : (uint32_t)age;
	col_str(s, 2, m->user, sizeof(m->user));    /* status, parsed below */
	m->status = status_code(m->user);
	col_str(s, 3, m->group, sizeof(m->group));
	col_str(s, 4, m->acct_session_id, sizeof(m->acct_session_id));
	col_str(s, 5, m->user, sizeof(m->user));
	col_addr(s, 6, &m->framed_ip);
	const unsigned char *pt = sqlite3_column_text(s, 7);
	if (!pt || sa46_pton((const char *)pt, &m->peer) < 0)
		memset(&m->peer, 0, sizeof(m->peer));
	int n = sqlite3_column_bytes(s, 8);
	if (n > 0 && (size_t)n <= sizeof(m->class_)) {
		memcpy(m->class_, sqlite3_column_blob(s, 8), (size_t)n);
		m->class_len = n;
	}
	m->session_time = (uint32_t)col_u64(s, 9);
	m->in_octets = col_u64(s, 10);
	m->out_octets = col_u64(s, 11);
	m->in_pkts = col_u64(s, 12);
	m->out_pkts = col_u64(s, 13);
	m->terminate_cause = sqlite3_column_int(s, 14);
	const unsigned char *t6 = sqlite3_column_text(s, 15);
	if (!t6 || inet_pton(AF_INET6, (const char *)t6, &m->framed_ip6) != 1)
		memset(&m->framed_ip6, 0, sizeof(m->framed_ip6));
	col_prefix6(s, 16, &m->deleg6);
	sqlite3_finalize(s);
	return 1;
}

int db_acct_result(struct db *d, int64_t qid, int result, const char *server, const char *why)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, result == ACCT_RETRY ?
	    "UPDATE acct_queue SET tries = tries + 1, last_try = ?1, last_error = ?3"
	    " WHERE id = ?4 AND acked IS NULL" :
	    "UPDATE acct_queue SET tries = tries + 1, last_try = ?1, acked = ?1, outcome = ?2,"
	    " server = NULLIF(?5, ''), last_error = NULLIF(?3, '') WHERE id = ?4 AND acked IS NULL");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_text(s, 2, result == ACCT_SENT ? "sent" : "dropped", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, why ? why : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, qid);
	sqlite3_bind_text(s, 5, server ? server : "", -1, SQLITE_TRANSIENT);
	return step_all(h, s);
}

int db_acct_prune(struct db *d, double older_than)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s = prep(h, "DELETE FROM acct_queue WHERE acked IS NOT NULL AND acked < ?");
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, older_than);
	return step_all(h, s);
}
