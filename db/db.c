/*
 * The session store (see db.h): SQLite in WAL mode, schema versioned by PRAGMA user_version,
 * migrations applied in order. Only the parent writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"

#define SCHEMA_VERSION 1

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL, pid INTEGER);"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, run_id INTEGER NOT NULL,"
	" username TEXT, grp TEXT, profile TEXT, peer_addr TEXT, peer_port INTEGER,"
	" local_addr TEXT, local_port INTEGER, assigned_addr TEXT, ifname TEXT, unit INTEGER,"
	" ike_spi_i TEXT, ike_spi_r TEXT, esp_spi_in TEXT, esp_spi_out TEXT, transform TEXT,"
	" started REAL NOT NULL, ended REAL, end_reason TEXT,"
	" pkts_in INTEGER DEFAULT 0, pkts_out INTEGER DEFAULT 0, bytes_in INTEGER DEFAULT 0,"
	" bytes_out INTEGER DEFAULT 0, drop_auth INTEGER DEFAULT 0, drop_replay INTEGER DEFAULT 0,"
	" drop_other INTEGER DEFAULT 0, counters_at REAL,"
	" UNIQUE (run_id, session_id));"
	"CREATE INDEX sessions_open ON sessions (ended) WHERE ended IS NULL;"
	"CREATE INDEX sessions_user ON sessions (username);"
	"CREATE INDEX sessions_peer ON sessions (peer_addr);"
	"CREATE INDEX sessions_grp ON sessions (grp);"
	"CREATE INDEX sessions_ended ON sessions (ended);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY, t REAL NOT NULL, session_id INTEGER,"
	" run_id INTEGER, what TEXT NOT NULL);",
};

struct db {
	sqlite3      *h;
	sqlite3_int64 run_id;
	sqlite3_stmt *up, *down, *counters, *event;
};

int db_schema_version(void) { return SCHEMA_VERSION; }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exec(struct db *d, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(d->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("database: %s", err ? err : "error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int user_version(struct db *d)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(d->h, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int migrate(struct db *d)
{
	int v = user_version(d);
	if (v < 0)
		return -1;
	if (v > SCHEMA_VERSION) {
		log_warnx("database has schema version %d, this vpnd knows up to %d", v,
		          SCHEMA_VERSION);
		return -1;
	}
	for (; v < SCHEMA_VERSION; v++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec(d, "BEGIN") < 0 || exec(d, migrations[v]) < 0 || exec(d, pragma) < 0 ||
		    exec(d, "COMMIT") < 0) {
			exec(d, "ROLLBACK");
			return -1;
		}
	}
	return 0;
}

struct db *db_open(const char *path)
{
	struct db *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		log_warnx("database %s: %s", path, sqlite3_errmsg(d->h));
		goto fail;
	}
	sqlite3_busy_timeout(d->h, 2000);
	if (exec(d, "PRAGMA journal_mode = WAL") < 0 || exec(d, "PRAGMA synchronous = NORMAL") < 0 ||
	    migrate(d) < 0)
		goto fail;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(d->h, "INSERT INTO runs (started, pid) VALUES (?, ?)", -1, &s,
	                       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_int(s, 2, (int)getpid());
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	d->run_id = sqlite3_last_insert_rowid(d->h);
	if (sqlite3_prepare_v2(d->h,
	        "INSERT INTO sessions (session_id, run_id, username, grp, profile, peer_addr,"
	        " peer_port, local_addr, local_port, assigned_addr, ifname, unit, ike_spi_i,"
	        " ike_spi_r, esp_spi_in, esp_spi_out, transform, started)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &d->up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->h,
	        "UPDATE sessions SET ended = ?, end_reason = ? WHERE run_id = ? AND session_id = ?"
	        " AND ended IS NULL", -1, &d->down, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->h,
	        "UPDATE sessions SET pkts_in = ?, pkts_out = ?, bytes_in = ?, bytes_out = ?,"
	        " drop_auth = ?, drop_replay = ?, drop_other = ?, counters_at = ?"
	        " WHERE run_id = ? AND session_id = ?", -1, &d->counters, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->h,
	        "INSERT INTO events (t, session_id, run_id, what) VALUES (?, ?, ?, ?)", -1,
	        &d->event, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(d->h));
		goto fail;
	}
	return d;
fail:
	db_close(d);
	return NULL;
}

void db_close(struct db *d)
{
	if (!d)
		return;
	sqlite3_finalize(d->up);
	sqlite3_finalize(d->down);
	sqlite3_finalize(d->counters);
	sqlite3_finalize(d->event);
	sqlite3_close(d->h);
	free(d);
}

int db_close_stale(struct db *d, const char *reason)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(d->h, "UPDATE sessions SET ended = ?, end_reason = ?"
	                             " WHERE ended IS NULL AND run_id <> ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, d->run_id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? sqlite3_changes(d->h) : -1;
}

static int run(struct db *d, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		log_warnx("database: %s", sqlite3_errmsg(d->h));
		return -1;
	}
	return 0;
}

static void bind_addr(sqlite3_stmt *s, int i, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	sqlite3_bind_text(s, i, ip, -1, SQLITE_TRANSIENT);
}

static void bind_hex(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	char hex[33];
	const uint8_t *b = p;
	for (size_t k = 0; k < n && k < 16; k++)
		snprintf(hex + 2 * k, 3, "%02x", b[k]);
	sqlite3_bind_text(s, i, hex, (int)(2 * n), SQLITE_TRANSIENT);
}

int db_session_up(struct db *d, const struct msg_session_up *u)
{
	sqlite3_stmt *s = d->up;
	sqlite3_bind_int64(s, 1, u->session_id);
	sqlite3_bind_int64(s, 2, d->run_id);
	sqlite3_bind_text(s, 3, u->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, u->group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, u->profile, -1, SQLITE_TRANSIENT);
	bind_addr(s, 6, u->peer.sin_addr);
	sqlite3_bind_int(s, 7, ntohs(u->peer.sin_port));
	bind_addr(s, 8, u->local.sin_addr);
	sqlite3_bind_int(s, 9, ntohs(u->local.sin_port));
	bind_addr(s, 10, u->assigned);
	sqlite3_bind_text(s, 11, u->ifname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 12, u->unit);
	bind_hex(s, 13, &u->ike_spi_i, 8);
	bind_hex(s, 14, &u->ike_spi_r, 8);
	bind_hex(s, 15, &u->esp_spi_in, 4);
	bind_hex(s, 16, &u->esp_spi_out, 4);
	sqlite3_bind_text(s, 17, u->transform, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 18, now());
	return run(d, s);
}

int db_session_down(struct db *d, uint32_t session_id, const char *reason)
{
	sqlite3_stmt *s = d->down;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, d->run_id);
	sqlite3_bind_int64(s, 4, session_id);
	return run(d, s);
}

int db_counters(struct db *d, const struct msg_counters *c)
{
	sqlite3_stmt *s = d->counters;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->pkts_in);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)c->pkts_out);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)c->bytes_in);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)c->bytes_out);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)c->drop_auth);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)c->drop_replay);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)c->drop_other);
	sqlite3_bind_double(s, 8, now());
	sqlite3_bind_int64(s, 9, d->run_id);
	sqlite3_bind_int64(s, 10, c->session_id);
	return run(d, s);
}

int db_event(struct db *d, uint32_t session_id, const char *what)
{
	sqlite3_stmt *s = d->event;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_int64(s, 2, session_id);
	sqlite3_bind_int64(s, 3, d->run_id);
	sqlite3_bind_text(s, 4, what, -1, SQLITE_TRANSIENT);
	return run(d, s);
}
