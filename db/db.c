/*
 * The session store (see db.h): SQLite in WAL mode, schema versioned by PRAGMA user_version,
 * migrations applied in order at open. Only the parent writes; every write goes through a
 * prepared statement, so nothing a client sends (user names, group names) is ever parsed as SQL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"
#include "db/db_int.h"

/*
 * Schema history. Each step takes the file from version-1 to version, inside one transaction
 * together with the user_version bump, so a crash mid-migration leaves the old version intact.
 * Never edit a released step: append a new one (ALTER TABLE, CREATE INDEX, data fix-ups).
 */
static const struct migration {
	int         version;
	const char *sql;
} migrations[] = {
	{ 1,
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
	  " run_id INTEGER, what TEXT NOT NULL);" },
	{ 2,
	  /* IKE SAs: one row per IKE SA (conn_id = session_id), kept after it ends. */
	  "CREATE TABLE ike_sas ("
	  " id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, session_id INTEGER NOT NULL,"
	  " cky_i TEXT, cky_r TEXT, local_addr TEXT, local_port INTEGER, peer_addr TEXT,"
	  " peer_port INTEGER, state TEXT, encr TEXT, hash TEXT, auth TEXT, dh_group INTEGER,"
	  " lifetime INTEGER, caps INTEGER, established REAL, updated REAL, ended REAL,"
	  " end_reason TEXT, UNIQUE (run_id, session_id));"
	  "CREATE INDEX ike_sas_open ON ike_sas (ended) WHERE ended IS NULL;"
	  "CREATE INDEX ike_sas_peer ON ike_sas (peer_addr);"
	  /* IPsec SAs: one row per SA pair, keyed by our inbound SPI; counters per pair. */
	  "CREATE TABLE ipsec_sas ("
	  " id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, session_id INTEGER NOT NULL,"
	  " spi_in TEXT NOT NULL, spi_out TEXT, peer_addr TEXT, peer_port INTEGER,"
	  " local_addr TEXT, local_port INTEGER, ifname TEXT, unit INTEGER, remote_ident TEXT,"
	  " transform TEXT, encap TEXT, pfs_group INTEGER, iv_size INTEGER,"
	  " life_seconds INTEGER, life_kb INTEGER, installed REAL NOT NULL, ended REAL,"
	  " end_reason TEXT, pkts_encaps INTEGER DEFAULT 0, bytes_encaps INTEGER DEFAULT 0,"
	  " pkts_decaps INTEGER DEFAULT 0, bytes_decaps INTEGER DEFAULT 0,"
	  " verify_fail INTEGER DEFAULT 0, replay_fail INTEGER DEFAULT 0,"
	  " recv_errors INTEGER DEFAULT 0, send_errors INTEGER DEFAULT 0, counters_at REAL,"
	  " UNIQUE (run_id, spi_in));"
	  "CREATE INDEX ipsec_sas_open ON ipsec_sas (ended) WHERE ended IS NULL;"
	  "CREATE INDEX ipsec_sas_peer ON ipsec_sas (peer_addr);"
	  "CREATE INDEX ipsec_sas_ifname ON ipsec_sas (ifname);"
	  "CREATE INDEX ipsec_sas_session ON ipsec_sas (run_id, session_id);"
	  /* the event log, read newest first or per session */
	  "CREATE INDEX events_t ON events (t);"
	  "CREATE INDEX events_session ON events (run_id, session_id);" },
	{ 3,
	  /* RADIUS accounting: which server group a session is accounted to (NULL = none), its
	   * Class, and the durable queue of records (db_acct.c). A record is kept until a server
	   * acknowledged it (acked), then for a week as history. */
	  "ALTER TABLE sessions ADD COLUMN acct_group TEXT;"
	  "ALTER TABLE sessions ADD COLUMN class BLOB;"
	  /* the interface's own settings from RADIUS (ip:interface-config, Filter-Id, CoA) */
	  "ALTER TABLE sessions ADD COLUMN acl_in TEXT;"
	  "ALTER TABLE sessions ADD COLUMN acl_out TEXT;"
	  "ALTER TABLE sessions ADD COLUMN mtu INTEGER;"
	  "ALTER TABLE sessions ADD COLUMN tcp_mss INTEGER;"
	  "CREATE TABLE acct_queue ("
	  " id INTEGER PRIMARY KEY, created REAL NOT NULL, run_id INTEGER NOT NULL,"
	  " session_id INTEGER NOT NULL, status TEXT NOT NULL, grp TEXT NOT NULL,"
	  " acct_session_id TEXT NOT NULL, username TEXT, framed_ip TEXT, calling_station TEXT,"
	  " class BLOB, session_time INTEGER, in_octets INTEGER, out_octets INTEGER,"
	  " in_pkts INTEGER, out_pkts INTEGER, terminate_cause INTEGER,"
	  " tries INTEGER NOT NULL DEFAULT 0, last_try REAL, last_error TEXT,"
	  " acked REAL, outcome TEXT, server TEXT);"
	  "CREATE INDEX acct_pending ON acct_queue (id) WHERE acked IS NULL;" },
	{ 4,
	  /* IPv6 inside the tunnel: the session's Mode Config IPv6 address (NULL = none) */
	  "ALTER TABLE sessions ADD COLUMN assigned_addr6 TEXT;" },
	{ 5,
	  /* Easy VPN remote (crypto ipsec client ezvpn NAME): one row per name, its current
	   * state as ikemgr last reported it, replaced on each report (db_ezvpn.c) */
	  "CREATE TABLE ezvpn ("
	  " name TEXT PRIMARY KEY, state TEXT NOT NULL, last_event TEXT, peer_addr TEXT,"
	  " assigned_addr TEXT, mask TEXT, ifname TEXT, unit INTEGER, split TEXT,"
	  " run_id INTEGER, session_id INTEGER, save_password INTEGER NOT NULL DEFAULT 0,"
	  " updated REAL NOT NULL);" },
	{ 6,
	  /* manual crypto map entries in ipsec_sas (tunmgr's IMSG_CM_SA_UP, db_cmap.c): the map,
	   * the interface it is applied to and the ACE (local/remote ident); NULL for IKE SAs */
	  "ALTER TABLE ipsec_sas ADD COLUMN crypto_map TEXT;"
	  "ALTER TABLE ipsec_sas ADD COLUMN map_seq INTEGER;"
	  "ALTER TABLE ipsec_sas ADD COLUMN map_iface TEXT;"
	  "ALTER TABLE ipsec_sas ADD COLUMN local_ident TEXT;"
	  "ALTER TABLE ipsec_sas ADD COLUMN local_mask TEXT;"
	  "ALTER TABLE ipsec_sas ADD COLUMN remote_mask TEXT;" },
	{ 7,
	  /* accounting carries the session's IPv6 address too (Framed-IPv6-Address) */
	  "ALTER TABLE acct_queue ADD COLUMN framed_ip6 TEXT;" },
	{ 8,
	  /* the session's own ipv6 traffic-filter from RADIUS (ip:interface-config) */
	  "ALTER TABLE sessions ADD COLUMN acl6_in TEXT;"
	  "ALTER TABLE sessions ADD COLUMN acl6_out TEXT;" },
	{ 9,
	  /* RADIUS Delegated-IPv6-Prefix (RFC 4818) routed to the session, "PREFIX/LEN", and
	   * carried in its accounting records */
	  "ALTER TABLE sessions ADD COLUMN delegated_prefix6 TEXT;"
	  "ALTER TABLE acct_queue ADD COLUMN delegated_prefix6 TEXT;" },
	{ 10,
	  /* an IKEv2 SA's own identity (IDr) as text, for show crypto ikev2 sa detail's Local id;
	   * NULL for IKEv1 */
	  "ALTER TABLE ike_sas ADD COLUMN local_id TEXT;" },
};
#define NMIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

struct db {
	sqlite3      *h;
	sqlite3_int64 run_id;
	sqlite3_stmt *up, *down, *counters, *event, *stale;
	sqlite3_stmt *ike_up, *ike_down, *ipsec_up, *ipsec_down, *sa_counters;
	sqlite3_stmt *ike_stale, *ipsec_stale, *ike_of_session, *ipsec_of_session;
	sqlite3_int64 batch_changes;    /* total_changes when the open batch began */
	struct timespec batch_t0;       /* when it began (CLOCK_MONOTONIC) */
};

int db_schema_version(void) { return migrations[NMIGRATIONS - 1].version; }

sqlite3 *db_sqlite(struct db *d)
{
	return d->h;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double db_now(void)
{
	return now();
}

static int exec(struct db *d, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(d->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("database: %s", err ? err : sqlite3_errmsg(d->h));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* The first column of a one-row PRAGMA, as text into BUF; -1 if it returned nothing. */
static int pragma_text(struct db *d, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(d->h, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
		rc = 0;
	} else {
		log_warnx("database: %s: %s", sql, sqlite3_errmsg(d->h));
	}
	sqlite3_finalize(s);
	return rc;
}

static int migrate(struct db *d)
{
	char buf[32];
	if (pragma_text(d, "PRAGMA user_version", buf, sizeof(buf)) < 0)
		return -1;
	int v = atoi(buf), from = v;
	if (v > db_schema_version()) {
		log_warnx("database has schema version %d, this vpnd knows up to %d", v,
		          db_schema_version());
		return -1;
	}
	for (int i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= v)
			continue;
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (exec(d, "BEGIN IMMEDIATE") < 0)
			return -1;
		if (exec(d, m->sql) < 0 || exec(d, pragma) < 0 || exec(d, "COMMIT") < 0) {
			log_warnx("database: migration to schema version %d failed", m->version);
			exec(d, "ROLLBACK");
			return -1;
		}
		if (from > 0)
			log_info("database: migrated from schema version %d to %d", v, m->version);
		v = m->version;
	}
	return 0;
}

static int prepare(struct db *d, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(d->h));
		return -1;
	}
	return 0;
}

/*
 * The file holds user names and addresses: create it owner+group only before SQLite does
 * (SQLite gives the -wal and -shm files the mode of the database file).
 */
static int create_private(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		log_warn("database %s", path);
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 007) != 0 &&
	    fchmod(fd, st.st_mode & 0770) == -1)
		log_warn("database %s: chmod", path);
	close(fd);
	return 0;
}

static int begin_run(struct db *d)
{
	sqlite3_stmt *s;
	if (prepare(d, "INSERT INTO runs (started, pid) VALUES (?, ?)", &s) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_int(s, 2, (int)getpid());
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_warnx("database: new run: %s", sqlite3_errmsg(d->h));
		return -1;
	}
	d->run_id = sqlite3_last_insert_rowid(d->h);
	return 0;
}

struct db *db_open(const char *path)
{
	struct db *d = calloc(1, sizeof(*d));
	if (!d) {
		log_warn("database");
		return NULL;
	}
	if (create_private(path) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		log_warnx("database %s: %s", path, d->h ? sqlite3_errmsg(d->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, 2000);
	/* journal_mode answers with the mode in effect: anything but wal means readers would
	 * block the writer (or the file is not a database at all). */
	char mode[16];
	if (pragma_text(d, "PRAGMA journal_mode = WAL", mode, sizeof(mode)) < 0)
		goto fail;
	if (strcmp(mode, "wal") != 0) {
		log_warnx("database %s: cannot use WAL mode (journal mode is %s)", path, mode);
		goto fail;
	}
	if (exec(d, "PRAGMA synchronous = NORMAL") < 0 || migrate(d) < 0 || begin_run(d) < 0)
		goto fail;
	/* A repeated report for the same session (same run) refreshes it instead of failing;
	 * started and the counters are kept. */
	if (prepare(d,
	        "INSERT INTO sessions (session_id, run_id, username, grp, profile, peer_addr,"
	        " peer_port, local_addr, local_port, assigned_addr, ifname, unit, ike_spi_i,"
	        " ike_spi_r, esp_spi_in, esp_spi_out, transform, started, acl_in, acl_out, mtu,"
	        " tcp_mss, assigned_addr6, acl6_in, acl6_out, delegated_prefix6) VALUES (?,?,?,?,?,"
	        "?,?,?,?,?,?,?,?,?,?,?,?,?, NULLIF(?19, ''), NULLIF(?20, ''), NULLIF(?21, 0),"
	        " NULLIF(?22, 0), ?23, NULLIF(?24, ''), NULLIF(?25, ''), ?26)"
	        " ON CONFLICT (run_id, session_id) DO UPDATE SET username = excluded.username,"
	        " grp = excluded.grp, profile = excluded.profile, peer_addr = excluded.peer_addr,"
	        " peer_port = excluded.peer_port, local_addr = excluded.local_addr,"
	        " local_port = excluded.local_port, assigned_addr = excluded.assigned_addr,"
	        " ifname = excluded.ifname, unit = excluded.unit, ike_spi_i = excluded.ike_spi_i,"
	        " ike_spi_r = excluded.ike_spi_r, esp_spi_in = excluded.esp_spi_in,"
	        " esp_spi_out = excluded.esp_spi_out, transform = excluded.transform,"
	        " acl_in = excluded.acl_in, acl_out = excluded.acl_out, mtu = excluded.mtu,"
	        " tcp_mss = excluded.tcp_mss, assigned_addr6 = excluded.assigned_addr6,"
	        " acl6_in = excluded.acl6_in, acl6_out = excluded.acl6_out,"
	        " delegated_prefix6 = excluded.delegated_prefix6",
	        &d->up) < 0 ||
	    prepare(d,
	        "UPDATE sessions SET ended = ?, end_reason = ? WHERE run_id = ? AND session_id = ?"
	        " AND ended IS NULL", &d->down) < 0 ||
	    prepare(d,
	        "UPDATE sessions SET pkts_in = ?, pkts_out = ?, bytes_in = ?, bytes_out = ?,"
	        " drop_auth = ?, drop_replay = ?, drop_other = ?, counters_at = ?"
	        " WHERE run_id = ? AND session_id = ?", &d->counters) < 0 ||
	    prepare(d,
	        "INSERT INTO events (t, session_id, run_id, what) VALUES (?, ?, ?, ?)",
	        &d->event) < 0 ||
	    prepare(d,
	        "UPDATE sessions SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id <> ?",
	        &d->stale) < 0 ||
	    prepare(d,
	        "INSERT INTO ike_sas (run_id, session_id, cky_i, cky_r, local_addr, local_port,"
	        " peer_addr, peer_port, state, encr, hash, auth, dh_group, lifetime, caps,"
	        " established, updated, local_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	        " ON CONFLICT (run_id, session_id) DO UPDATE SET cky_i = excluded.cky_i,"
	        " cky_r = excluded.cky_r, encr = excluded.encr, hash = excluded.hash,"
	        " auth = excluded.auth, dh_group = excluded.dh_group, lifetime = excluded.lifetime,"
	        " local_addr = excluded.local_addr,"
	        " local_port = excluded.local_port, peer_addr = excluded.peer_addr,"
	        " peer_port = excluded.peer_port, state = excluded.state, caps = excluded.caps,"
	        " established = excluded.established, updated = excluded.updated,"
	        " local_id = excluded.local_id", &d->ike_up) < 0 ||
	    prepare(d,
	        "UPDATE ike_sas SET ended = ?, end_reason = ?, state = 'MM_NO_STATE'"
	        " WHERE run_id = ? AND session_id = ? AND ended IS NULL", &d->ike_down) < 0 ||
	    prepare(d,
	        "INSERT INTO ipsec_sas (run_id, session_id, spi_in, spi_out, peer_addr, peer_port,"
	        " local_addr, local_port, ifname, unit, remote_ident, transform, encap, pfs_group,"
	        " iv_size, life_seconds, life_kb, installed, local_ident, local_mask)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	        " ON CONFLICT (run_id, spi_in) DO UPDATE SET peer_addr = excluded.peer_addr,"
	        " peer_port = excluded.peer_port, ifname = excluded.ifname, unit = excluded.unit",
	        &d->ipsec_up) < 0 ||
	    prepare(d,
	        "UPDATE ipsec_sas SET ended = ?, end_reason = ? WHERE run_id = ? AND spi_in = ?"
	        " AND ended IS NULL", &d->ipsec_down) < 0 ||
	    prepare(d,
	        "UPDATE ipsec_sas SET pkts_encaps = ?, bytes_encaps = ?, pkts_decaps = ?,"
	        " bytes_decaps = ?, verify_fail = ?, replay_fail = ?, recv_errors = ?,"
	        " send_errors = ?, counters_at = ? WHERE run_id = ? AND spi_in = ?",
	        &d->sa_counters) < 0 ||
	    prepare(d,
	        "UPDATE ike_sas SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id <> ?",
	        &d->ike_stale) < 0 ||
	    prepare(d,
	        "UPDATE ipsec_sas SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id <> ?",
	        &d->ipsec_stale) < 0 ||
	    prepare(d,
	        "UPDATE ike_sas SET ended = ?, end_reason = ? WHERE run_id = ? AND session_id = ?"
	        " AND ended IS NULL", &d->ike_of_session) < 0 ||
	    prepare(d,
	        "UPDATE ipsec_sas SET ended = ?, end_reason = ? WHERE run_id = ? AND session_id = ?"
	        " AND ended IS NULL", &d->ipsec_of_session) < 0)
		goto fail;
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
	sqlite3_finalize(d->stale);
	sqlite3_finalize(d->ike_up);
	sqlite3_finalize(d->ike_down);
	sqlite3_finalize(d->ipsec_up);
	sqlite3_finalize(d->ipsec_down);
	sqlite3_finalize(d->sa_counters);
	sqlite3_finalize(d->ike_stale);
	sqlite3_finalize(d->ipsec_stale);
	sqlite3_finalize(d->ike_of_session);
	sqlite3_finalize(d->ipsec_of_session);
	if (d->h && !sqlite3_get_autocommit(d->h))
		exec(d, "COMMIT");
	if (d->h && sqlite3_close(d->h) != SQLITE_OK)
		log_warnx("database: close: %s", sqlite3_errmsg(d->h));
	free(d);
}

/* Step a prepared write and make it reusable; -1 with a logged reason on failure. */
static int run(struct db *d, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		log_warnx("database: %s", sqlite3_errmsg(d->h));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Rows of SELECTOR (a run or a session) that are still open get ENDED and REASON. */
static int end_rows(struct db *d, sqlite3_stmt *s, sqlite3_int64 run_id, int64_t session_id,
                    const char *reason)
{
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_text(s, 2, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, run_id);
	if (session_id >= 0)
		sqlite3_bind_int64(s, 4, session_id);
	return run(d, s);
}

int db_close_stale(struct db *d, const char *reason)
{
	if (end_rows(d, d->stale, d->run_id, -1, reason) < 0)
		return -1;
	int n = sqlite3_changes(d->h);
	if (end_rows(d, d->ike_stale, d->run_id, -1, reason) < 0 ||
	    end_rows(d, d->ipsec_stale, d->run_id, -1, reason) < 0)
		return -1;
	return n;
}

int db_close_run(struct db *d, const char *reason)
{
	static const char *const sql[] = {
		"UPDATE sessions SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id = ?",
		"UPDATE ike_sas SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id = ?",
		"UPDATE ipsec_sas SET ended = ?, end_reason = ? WHERE ended IS NULL AND run_id = ?",
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(d->h, sql[i], -1, &s, NULL) != SQLITE_OK) {
			log_warnx("database: %s", sqlite3_errmsg(d->h));
			return -1;
		}
		int rc = end_rows(d, s, d->run_id, -1, reason);
		sqlite3_finalize(s);
		if (rc < 0)
			return -1;
		if (i == 0)
			n = sqlite3_changes(d->h);
	}
	return n;
}

/* Strings from a message are fixed arrays: never read past them, terminated or not. */
static void bind_str(sqlite3_stmt *s, int i, const char *p, size_t size)
{
	sqlite3_bind_text(s, i, p, (int)strnlen(p, size), SQLITE_TRANSIENT);
}
#define BIND_STR(s, i, field) bind_str((s), (i), (field), sizeof(field))

static void bind_addr(sqlite3_stmt *s, int i, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	sqlite3_bind_text(s, i, ip, -1, SQLITE_TRANSIENT);
}

static void bind_sa46(sqlite3_stmt *s, int i, const union sa46 *a)
{
	char ip[SA46_STRLEN];
	sqlite3_bind_text(s, i, sa46_ntop(a, ip), -1, SQLITE_TRANSIENT);
}

/* SPIs and cookies are stored as their bytes on the wire, so they read as in a packet dump. */
static void bind_hex(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * 8 + 1];
	const uint8_t *b = p;
	if (n > 8)
		n = 8;
	for (size_t k = 0; k < n; k++) {
		hex[2 * k] = digits[b[k] >> 4];
		hex[2 * k + 1] = digits[b[k] & 15];
	}
	sqlite3_bind_text(s, i, hex, (int)(2 * n), SQLITE_TRANSIENT);
}

int db_session_up(struct db *d, const struct msg_session_up *u)
{
	sqlite3_stmt *s = d->up;
	sqlite3_bind_int64(s, 1, u->session_id);
	sqlite3_bind_int64(s, 2, d->run_id);
	BIND_STR(s, 3, u->user);
	BIND_STR(s, 4, u->group);
	BIND_STR(s, 5, u->profile);
	bind_sa46(s, 6, &u->peer);
	sqlite3_bind_int(s, 7, ntohs(sa46_port(&u->peer)));
	bind_sa46(s, 8, &u->local);
	sqlite3_bind_int(s, 9, ntohs(sa46_port(&u->local)));
	bind_addr(s, 10, u->assigned);
	BIND_STR(s, 11, u->ifname);
	sqlite3_bind_int(s, 12, u->unit);
	bind_hex(s, 13, &u->ike_spi_i, sizeof(u->ike_spi_i));
	bind_hex(s, 14, &u->ike_spi_r, sizeof(u->ike_spi_r));
	bind_hex(s, 15, &u->esp_spi_in, sizeof(u->esp_spi_in));
	bind_hex(s, 16, &u->esp_spi_out, sizeof(u->esp_spi_out));
	BIND_STR(s, 17, u->transform);
	sqlite3_bind_double(s, 18, now());
	BIND_STR(s, 19, u->acl_in);
	BIND_STR(s, 20, u->acl_out);
	sqlite3_bind_int(s, 21, u->mtu);
	sqlite3_bind_int(s, 22, u->tcp_mss);
	if (IN6_IS_ADDR_UNSPECIFIED(&u->assigned6)) {
		sqlite3_bind_null(s, 23);
	} else {
		char a6[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &u->assigned6, a6, sizeof(a6));
		sqlite3_bind_text(s, 23, a6, -1, SQLITE_TRANSIENT);
	}
	BIND_STR(s, 24, u->acl6_in);
	BIND_STR(s, 25, u->acl6_out);
	if (u->deleg6.plen <= 0 || u->deleg6.plen > 128) {
		sqlite3_bind_null(s, 26);
	} else {
		char a6[INET6_ADDRSTRLEN], p6[INET6_ADDRSTRLEN + 4];
		inet_ntop(AF_INET6, &u->deleg6.net, a6, sizeof(a6));
		snprintf(p6, sizeof(p6), "%s/%d", a6, (int)u->deleg6.plen);
		sqlite3_bind_text(s, 26, p6, -1, SQLITE_TRANSIENT);
	}
	return run(d, s);
}

/* The session's SAs end with it, whatever messages about them were lost. */
int db_session_down(struct db *d, uint32_t session_id, const char *reason)
{
	int rc = end_rows(d, d->down, d->run_id, session_id, reason);
	if (end_rows(d, d->ike_of_session, d->run_id, session_id, reason) < 0 ||
	    end_rows(d, d->ipsec_of_session, d->run_id, session_id, reason) < 0)
		rc = -1;
	return rc;
}

/* SQLite integers are signed 64-bit: a counter past that (never in practice) saturates. */
static void bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
	sqlite3_bind_int64(s, i, v > INT64_MAX ? INT64_MAX : (sqlite3_int64)v);
}

int db_counters(struct db *d, const struct msg_counters *c)
{
	sqlite3_stmt *s = d->counters;
	bind_u64(s, 1, c->pkts_in);
	bind_u64(s, 2, c->pkts_out);
	bind_u64(s, 3, c->bytes_in);
	bind_u64(s, 4, c->bytes_out);
	bind_u64(s, 5, c->drop_auth);
	bind_u64(s, 6, c->drop_replay);
	bind_u64(s, 7, c->drop_other);
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
	sqlite3_bind_text(s, 4, what ? what : "", -1, SQLITE_TRANSIENT);
	return run(d, s);
}

/* A batch: many writes in one transaction (one WAL append, see db.h for its bounds). */
void db_batch_begin(struct db *d)
{
	if (!sqlite3_get_autocommit(d->h))
		return;
	exec(d, "BEGIN");
	d->batch_changes = sqlite3_total_changes64(d->h);
	clock_gettime(CLOCK_MONOTONIC, &d->batch_t0);
}

int db_batch_open(struct db *d, unsigned *rows, unsigned *age_ms)
{
	if (sqlite3_get_autocommit(d->h))
		return 0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	long long ms = (t.tv_sec - d->batch_t0.tv_sec) * 1000LL +
	               (t.tv_nsec - d->batch_t0.tv_nsec) / 1000000;
	sqlite3_int64 n = sqlite3_total_changes64(d->h) - d->batch_changes;
	*rows = n > 0 ? (unsigned)n : 0;
	*age_ms = ms > 0 ? (unsigned)ms : 0;
	return 1;
}

void db_batch_commit(struct db *d)
{
	if (!sqlite3_get_autocommit(d->h) && exec(d, "COMMIT") < 0)
		exec(d, "ROLLBACK");
}

int db_ike_sa_up(struct db *d, const struct msg_ike_sa *m)
{
	sqlite3_stmt *s = d->ike_up;
	sqlite3_bind_int64(s, 1, d->run_id);
	sqlite3_bind_int64(s, 2, m->session_id);
	bind_hex(s, 3, m->cky_i, 8);
	bind_hex(s, 4, m->cky_r, 8);
	bind_sa46(s, 5, &m->local);
	sqlite3_bind_int(s, 6, ntohs(sa46_port(&m->local)));
	bind_sa46(s, 7, &m->peer);
	sqlite3_bind_int(s, 8, ntohs(sa46_port(&m->peer)));
	BIND_STR(s, 9, m->state);
	BIND_STR(s, 10, m->encr);
	BIND_STR(s, 11, m->hash);
	BIND_STR(s, 12, m->auth);
	sqlite3_bind_int(s, 13, m->dh_group);
	sqlite3_bind_int64(s, 14, m->lifetime);
	sqlite3_bind_int(s, 15, m->caps);
	sqlite3_bind_double(s, 16, (double)m->established);
	sqlite3_bind_double(s, 17, now());
	if (memchr(m->local_id, 0, sizeof(m->local_id)) && m->local_id[0])
		sqlite3_bind_text(s, 18, m->local_id, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 18);
	return run(d, s);
}

int db_ike_sa_down(struct db *d, uint32_t session_id, const char *reason)
{
	return end_rows(d, d->ike_down, d->run_id, session_id, reason);
}

static const char *encap_name(int encap)
{
	return encap == ENCAP_UDP ? "Tunnel UDP-Encaps" : "Tunnel";
}

int db_ipsec_sa_up(struct db *d, const struct msg_ipsec_sa *m)
{
	sqlite3_stmt *s = d->ipsec_up;
	sqlite3_bind_int64(s, 1, d->run_id);
	sqlite3_bind_int64(s, 2, m->session_id);
	bind_hex(s, 3, &m->spi_in, 4);
	bind_hex(s, 4, &m->spi_out, 4);
	bind_sa46(s, 5, &m->peer);
	sqlite3_bind_int(s, 6, ntohs(sa46_port(&m->peer)));
	bind_sa46(s, 7, &m->local);
	sqlite3_bind_int(s, 8, ntohs(sa46_port(&m->local)));
	BIND_STR(s, 9, m->ifname);
	sqlite3_bind_int(s, 10, m->unit);
	bind_addr(s, 11, m->remote_ident);
	BIND_STR(s, 12, m->transform);
	sqlite3_bind_text(s, 13, encap_name(m->encap), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, m->pfs_group);
	sqlite3_bind_int(s, 15, m->iv_size);
	sqlite3_bind_int64(s, 16, m->life_seconds);
	sqlite3_bind_int64(s, 17, m->life_kb);
	sqlite3_bind_double(s, 18, (double)m->installed);
	if (m->local_ident_mask.s_addr) {
		bind_addr(s, 19, m->local_ident);
		bind_addr(s, 20, m->local_ident_mask);
	} else {
		sqlite3_bind_null(s, 19);
		sqlite3_bind_null(s, 20);
	}
	return run(d, s);
}

int db_ipsec_sa_down(struct db *d, uint32_t spi_in, const char *reason)
{
	sqlite3_stmt *s = d->ipsec_down;
	sqlite3_bind_double(s, 1, now());
	sqlite3_bind_text(s, 2, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, d->run_id);
	bind_hex(s, 4, &spi_in, 4);
	return run(d, s);
}

int db_sa_counters(struct db *d, const struct msg_sa_counters *c)
{
	sqlite3_stmt *s = d->sa_counters;
	bind_u64(s, 1, c->pkts_encaps);
	bind_u64(s, 2, c->bytes_encaps);
	bind_u64(s, 3, c->pkts_decaps);
	bind_u64(s, 4, c->bytes_decaps);
	bind_u64(s, 5, c->verify_fail);
	bind_u64(s, 6, c->replay_fail);
	bind_u64(s, 7, c->recv_errors);
	bind_u64(s, 8, c->send_errors);
	sqlite3_bind_double(s, 9, now());
	sqlite3_bind_int64(s, 10, d->run_id);
	bind_hex(s, 11, &c->spi_in, 4);
	return run(d, s);
}

uint32_t db_run_id(const struct db *d)
{
	return (uint32_t)d->run_id;
}
