/* The session store: schema and version, the writes the parent makes, crash recovery. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "db/db.h"
#include "test/unit/tmpdb.h"

TestSuite(db, .init = tmpdb_setup, .fini = tmpdb_teardown);

static struct msg_session_up session(uint32_t id, const char *user)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = id;
	snprintf(u.user, sizeof(u.user), "%s", user);
	snprintf(u.group, sizeof(u.group), "group1");
	snprintf(u.profile, sizeof(u.profile), "vpn1-ra");
	u.peer.sin.sin_family = u.local.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.2", &u.peer.sin.sin_addr);
	u.peer.sin.sin_port = htons(4500);
	inet_pton(AF_INET, "172.18.143.246", &u.local.sin.sin_addr);
	u.local.sin.sin_port = htons(4500);
	inet_pton(AF_INET, "192.168.1.1", &u.assigned);
	snprintf(u.ifname, sizeof(u.ifname), "va%u", id);
	u.unit = (int32_t)id;
	memcpy(&u.ike_spi_i, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	memcpy(&u.ike_spi_r, "\xfe\xdc\xba\x98\x76\x54\x32\x10", 8);
	u.esp_spi_in = htonl(0xc0ffee01);
	u.esp_spi_out = htonl(0x0000beef);
	snprintf(u.transform, sizeof(u.transform), "esp-aes 256 esp-sha-hmac");
	return u;
}

Test(db, open_creates_schema_and_version)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	cr_assert_geq(db_schema_version(), 1);
	sqlite3 *h = tmpdb_reader();
	char buf[64];
	cr_assert_eq(q_int(h, "PRAGMA user_version"), db_schema_version());
	cr_assert_str_eq(q_text(h, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                      " name IN ('runs', 'sessions', 'events')"), 3);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
	                      " name IN ('sessions_open', 'sessions_user', 'sessions_peer',"
	                      " 'sessions_grp', 'sessions_ended')"), 5);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM runs"), 1);
	cr_assert_eq(q_int(h, "SELECT pid FROM runs"), getpid());
	sqlite3_close(h);
	db_close(d);

	/* user names and addresses inside: no access for others */
	struct stat st;
	cr_assert_eq(stat(tmpdb_path, &st), 0);
	cr_assert_eq(st.st_mode & 007, 0, "mode %o", st.st_mode & 0777);
}

Test(db, session_round_trip)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(7, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);

	sqlite3 *h = tmpdb_reader();
	char buf[256];
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE ended IS NULL"), 1);
	cr_assert_str_eq(q_text(h, "SELECT username || '|' || grp || '|' || profile || '|' ||"
	                           " peer_addr || ':' || peer_port || '|' || local_addr || ':' ||"
	                           " local_port || '|' || assigned_addr || '|' || ifname || '|' ||"
	                           " unit || '|' || transform FROM sessions", buf, sizeof(buf)),
	                 "alice|group1|vpn1-ra|172.18.143.2:4500|172.18.143.246:4500|192.168.1.1|"
	                 "va7|7|esp-aes 256 esp-sha-hmac");
	/* SPIs and cookies read as on the wire */
	cr_assert_str_eq(q_text(h, "SELECT ike_spi_i || ' ' || ike_spi_r || ' ' || esp_spi_in ||"
	                           " ' ' || esp_spi_out FROM sessions", buf, sizeof(buf)),
	                 "0123456789abcdef fedcba9876543210 c0ffee01 0000beef");
	cr_assert_eq(q_int(h, "SELECT session_id FROM sessions"), 7);
	cr_assert_eq(q_int(h, "SELECT run_id = (SELECT max(id) FROM runs) FROM sessions"), 1);
	cr_assert_eq(q_int(h, "SELECT abs(started - strftime('%s', 'now')) < 60 FROM sessions"), 1);
	cr_assert_eq(q_int(h, "SELECT pkts_in + pkts_out + bytes_in + bytes_out + drop_auth +"
	                      " drop_replay + drop_other FROM sessions"), 0);
	cr_assert_str_eq(q_text(h, "SELECT counters_at FROM sessions", buf, sizeof(buf)), "(null)");
	cr_assert_str_eq(q_text(h, "SELECT assigned_addr6 FROM sessions", buf, sizeof(buf)),
	                 "(null)", "no IPv6 address given: NULL");
	inet_pton(AF_INET6, "fd00:6::1", &u.assigned6);
	cr_assert_eq(db_session_up(d, &u), 0, "the same session again, now with IPv6");
	cr_assert_str_eq(q_text(h, "SELECT assigned_addr6 FROM sessions", buf, sizeof(buf)),
	                 "fd00:6::1");

	struct msg_counters k = { .session_id = 7, .pkts_in = 10, .pkts_out = 20, .bytes_in = 1000,
	                          .bytes_out = 2000, .drop_auth = 1, .drop_replay = 2,
	                          .drop_other = 3 };
	cr_assert_eq(db_counters(d, &k), 0);
	k.pkts_in = 11;
	k.bytes_in = UINT64_MAX;        /* saturates instead of turning negative */
	cr_assert_eq(db_counters(d, &k), 0);
	cr_assert_str_eq(q_text(h, "SELECT pkts_in || ' ' || pkts_out || ' ' || bytes_in || ' ' ||"
	                           " bytes_out || ' ' || drop_auth || ' ' || drop_replay || ' ' ||"
	                           " drop_other FROM sessions", buf, sizeof(buf)),
	                 "11 20 9223372036854775807 2000 1 2 3");
	cr_assert_eq(q_int(h, "SELECT counters_at >= started FROM sessions"), 1);
	/* counters for a session nobody knows change nothing */
	k.session_id = 99;
	cr_assert_eq(db_counters(d, &k), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 1);

	cr_assert_eq(db_session_down(d, 7, "client delete"), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE ended IS NULL"), 0);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions", buf, sizeof(buf)),
	                 "client delete");
	cr_assert_eq(q_int(h, "SELECT ended >= started FROM sessions"), 1);
	/* a second down keeps the first reason */
	cr_assert_eq(db_session_down(d, 7, "later"), 0);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions", buf, sizeof(buf)),
	                 "client delete");

	cr_assert_eq(db_event(d, 7, "dpd: peer dead"), 0);
	cr_assert_str_eq(q_text(h, "SELECT session_id || ' ' || what FROM events", buf, sizeof(buf)),
	                 "7 dpd: peer dead");
	sqlite3_close(h);
	db_close(d);
}

Test(db, repeated_up_refreshes_the_row)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(3, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	struct msg_counters k = { .session_id = 3, .pkts_in = 5 };
	cr_assert_eq(db_counters(d, &k), 0);
	u.esp_spi_in = htonl(0x11111111);
	cr_assert_eq(db_session_up(d, &u), 0);
	sqlite3 *h = tmpdb_reader();
	char buf[64];
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 1);
	cr_assert_str_eq(q_text(h, "SELECT esp_spi_in FROM sessions", buf, sizeof(buf)), "11111111");
	cr_assert_eq(q_int(h, "SELECT pkts_in FROM sessions"), 5);
	sqlite3_close(h);
	db_close(d);
}

Test(db, client_strings_are_data)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(1, "x'); DROP TABLE sessions; --\"\\");
	cr_assert_eq(db_session_up(d, &u), 0);
	/* unterminated arrays: stored up to their size, nothing read past them */
	u = session(2, "");
	memset(u.user, 'A', sizeof(u.user));
	memset(u.group, 'G', sizeof(u.group));
	memset(u.transform, 'T', sizeof(u.transform));
	cr_assert_eq(db_session_up(d, &u), 0);
	cr_assert_eq(db_session_down(d, 1, "it's \"quoted\""), 0);
	sqlite3 *h = tmpdb_reader();
	char buf[256];
	cr_assert_str_eq(q_text(h, "SELECT username FROM sessions WHERE session_id = 1", buf,
	                        sizeof(buf)), "x'); DROP TABLE sessions; --\"\\");
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions WHERE session_id = 1", buf,
	                        sizeof(buf)), "it's \"quoted\"");
	cr_assert_eq(q_int(h, "SELECT length(username) FROM sessions WHERE session_id = 2"),
	             MSG_USER_MAX);
	cr_assert_eq(q_int(h, "SELECT length(grp) FROM sessions WHERE session_id = 2"),
	             MSG_GROUP_MAX);
	cr_assert_eq(q_int(h, "SELECT length(transform) FROM sessions WHERE session_id = 2"), 64);
	sqlite3_close(h);
	db_close(d);
}

Test(db, close_stale_closes_only_earlier_runs)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u1 = session(1, "alice"), u2 = session(2, "bob"),
	                      u3 = session(3, "carol");
	cr_assert_eq(db_session_up(d, &u1), 0);
	cr_assert_eq(db_session_up(d, &u2), 0);
	cr_assert_eq(db_session_up(d, &u3), 0);
	cr_assert_eq(db_session_down(d, 3, "client delete"), 0);
	/* nothing stale in the run that wrote them */
	cr_assert_eq(db_close_stale(d, "crash"), 0);
	db_close(d);            /* as if vpnd died: alice and bob still open */

	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	/* the new run's session 1 is another session than the old run's session 1 */
	struct msg_session_up n1 = session(1, "dave");
	cr_assert_eq(db_session_up(d, &n1), 0);
	cr_assert_eq(db_close_stale(d, "crash"), 2);
	cr_assert_eq(db_close_stale(d, "crash"), 0);
	/* a down for id 1 now only concerns the new run's row */
	sqlite3 *h = tmpdb_reader();
	char buf[64];
	cr_assert_eq(q_int(h, "SELECT count(*) FROM runs"), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE end_reason = 'crash'"), 2);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions WHERE username = 'carol'", buf,
	                        sizeof(buf)), "client delete");
	cr_assert_str_eq(q_text(h, "SELECT group_concat(username) FROM sessions WHERE ended IS NULL",
	                        buf, sizeof(buf)), "dave");
	cr_assert_eq(db_session_down(d, 1, "idle"), 0);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions WHERE username = 'alice'", buf,
	                        sizeof(buf)), "crash");
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions WHERE username = 'dave'", buf,
	                        sizeof(buf)), "idle");
	sqlite3_close(h);
	db_close(d);
}

Test(db, reopen_keeps_data_and_integrity)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	for (uint32_t i = 1; i <= 50; i++) {
		struct msg_session_up u = session(i, "user");
		cr_assert_eq(db_session_up(d, &u), 0);
		struct msg_counters k = { .session_id = i, .pkts_in = i, .bytes_in = 100 * i };
		cr_assert_eq(db_counters(d, &k), 0);
		if (i % 2)
			cr_assert_eq(db_session_down(d, i, "idle timeout"), 0);
	}
	db_close(d);
	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	db_close(d);

	sqlite3 *h = tmpdb_reader();
	char buf[64];
	cr_assert_eq(q_int(h, "PRAGMA user_version"), db_schema_version());
	cr_assert_eq(q_int(h, "SELECT count(*) FROM runs"), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 50);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE ended IS NULL"), 25);
	cr_assert_eq(q_int(h, "SELECT sum(bytes_in) FROM sessions"), 100 * 50 * 51 / 2);
	cr_assert_str_eq(q_text(h, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	sqlite3_close(h);
}

Test(db, newer_schema_is_refused)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	db_close(d);
	sqlite3 *h;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version() + 1);
	cr_assert_eq(sqlite3_open(tmpdb_path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	cr_assert_null(db_open(tmpdb_path));
}

Test(db, bad_files_are_refused)
{
	char bad[160];
	snprintf(bad, sizeof(bad), "%s/missing/vpnd.db", tmpdb_dir);
	cr_assert_null(db_open(bad));
	int fd = open(tmpdb_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	static const char junk[] = "this is not an SQLite file, not even close to one.........";
	cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	cr_assert_null(db_open(tmpdb_path));
}

Test(db, reader_sees_writes_while_open)
{
	/* WAL: a reader does not block the writer and sees each committed write */
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 0);
	struct msg_session_up u = session(1, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 1);
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_prepare_v2(h, "SELECT id FROM sessions", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);     /* a read transaction stays open ... */
	struct msg_counters k = { .session_id = 1, .pkts_in = 4 };
	cr_assert_eq(db_counters(d, &k), 0);           /* ... and the writer goes on */
	sqlite3_finalize(s);
	cr_assert_eq(q_int(h, "SELECT pkts_in FROM sessions"), 4);
	sqlite3_close(h);
	db_close(d);
}

/* ---- schema 2: the SA tables ---- */

/* The v1 schema as vpnd wrote it before migration 2 (copied from the released step 1). */
static const char v1_sql[] =
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
	" run_id INTEGER, what TEXT NOT NULL);"
	"INSERT INTO runs (started, pid) VALUES (1700000000, 42);"
	"INSERT INTO sessions (session_id, run_id, username, peer_addr, started, ended, end_reason)"
	" VALUES (5, 1, 'olduser', '10.9.9.9', 1700000000, 1700000100, 'client delete');"
	"INSERT INTO sessions (session_id, run_id, username, peer_addr, started)"
	" VALUES (6, 1, 'stillopen', '10.9.9.8', 1700000000);"
	"INSERT INTO events (t, session_id, run_id, what) VALUES (1700000000, 5, 1, 'old event');"
	"PRAGMA user_version = 1;";

Test(db, upgrades_a_v1_file)
{
	sqlite3 *w;
	char *err = NULL;
	cr_assert_eq(sqlite3_open(tmpdb_path, &w), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(w, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(w, v1_sql, NULL, NULL, &err), SQLITE_OK, "%s", err);
	sqlite3_close(w);

	cr_assert_eq(db_schema_version(), 10);
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	sqlite3 *h = tmpdb_reader();
	char buf[128];
	cr_assert_eq(q_int(h, "PRAGMA user_version"), 10);
	/* old rows kept, untouched */
	cr_assert_str_eq(q_text(h, "SELECT group_concat(username || ':' || coalesce(end_reason, '-'))"
	                           " FROM sessions", buf, sizeof(buf)),
	                 "olduser:client delete,stillopen:-");
	cr_assert_str_eq(q_text(h, "SELECT what FROM events", buf, sizeof(buf)), "old event");
	/* new tables and their indices */
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                      " name IN ('ike_sas', 'ipsec_sas')"), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
	                      " ('ike_sas_open', 'ike_sas_peer', 'ipsec_sas_open', 'ipsec_sas_peer',"
	                      " 'ipsec_sas_ifname', 'ipsec_sas_session', 'events_t',"
	                      " 'events_session')"), 8);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('acct_queue',"
	                      " 'acct_pending')"), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE acct_group IS NULL"), 2,
	             "old sessions are not accounted");
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions WHERE assigned_addr6 IS NULL"), 2,
	             "old sessions have no IPv6 address");
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE name = 'ezvpn'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM pragma_table_info('acct_queue') WHERE"
	                      " name = 'framed_ip6'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM pragma_table_info('sessions') WHERE"
	                      " name IN ('acl6_in', 'acl6_out')"), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM pragma_table_info('sessions') WHERE"
	                      " name = 'delegated_prefix6'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM pragma_table_info('acct_queue') WHERE"
	                      " name = 'delegated_prefix6'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM pragma_table_info('ike_sas') WHERE"
	                      " name = 'local_id'"), 1);
	cr_assert_str_eq(q_text(h, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	/* the crash recovery of the upgraded file closes the v1 run's open session */
	cr_assert_eq(db_close_stale(d, "crash"), 1);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM sessions WHERE username = 'stillopen'",
	                        buf, sizeof(buf)), "crash");
	sqlite3_close(h);
	db_close(d);

	/* a second open finds version 10 and migrates nothing */
	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	h = tmpdb_reader();
	cr_assert_eq(q_int(h, "SELECT count(*) FROM runs"), 3);
	cr_assert_eq(q_int(h, "PRAGMA user_version"), 10);
	sqlite3_close(h);
	db_close(d);
}

static struct msg_ike_sa ike_sa(uint32_t id, const char *peer)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	memcpy(m.cky_i, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	memcpy(m.cky_r, "\xfe\xdc\xba\x98\x76\x54\x32\x10", 8);
	m.peer.sin.sin_family = m.local.sin.sin_family = AF_INET;
	inet_pton(AF_INET, peer, &m.peer.sin.sin_addr);
	inet_pton(AF_INET, "172.18.143.246", &m.local.sin.sin_addr);
	m.peer.sin.sin_port = htons(4500);
	m.local.sin.sin_port = htons(4500);
	snprintf(m.state, sizeof(m.state), "CONF_XAUTH");
	snprintf(m.encr, sizeof(m.encr), "aes 256");
	snprintf(m.hash, sizeof(m.hash), "sha256");
	snprintf(m.auth, sizeof(m.auth), "psk");
	m.dh_group = 14;
	m.lifetime = 86400;
	m.established = 1700000000;
	m.caps = IKE_CAP_CFG | IKE_CAP_XAUTH;
	return m;
}

static struct msg_ipsec_sa ipsec_sa(uint32_t id, uint32_t spi_in, uint32_t spi_out)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	m.spi_in = htonl(spi_in);
	m.spi_out = htonl(spi_out);
	m.peer.sin.sin_family = m.local.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.2", &m.peer.sin.sin_addr);
	inet_pton(AF_INET, "172.18.143.246", &m.local.sin.sin_addr);
	m.peer.sin.sin_port = htons(4500);
	snprintf(m.ifname, sizeof(m.ifname), "va%u", id);
	m.unit = (int32_t)id;
	inet_pton(AF_INET, "192.168.1.1", &m.remote_ident);
	snprintf(m.transform, sizeof(m.transform), "esp-gcm 128");
	m.encap = ENCAP_UDP;
	m.pfs_group = 14;
	m.iv_size = 8;
	m.life_seconds = 3600;
	m.life_kb = 4608000;
	m.installed = 1700000000;
	return m;
}

Test(db, sa_tables_round_trip)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	sqlite3 *h = tmpdb_reader();
	char buf[256];

	struct msg_ike_sa k = ike_sa(3, "172.18.143.2");
	cr_assert_eq(db_ike_sa_up(d, &k), 0);
	snprintf(k.state, sizeof(k.state), "QM_IDLE");
	cr_assert_eq(db_ike_sa_up(d, &k), 0);      /* a state change updates the row */
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ike_sas"), 1);
	cr_assert_str_eq(q_text(h, "SELECT session_id || '|' || cky_i || '|' || cky_r || '|' ||"
	                           " peer_addr || ':' || peer_port || '|' || local_addr || '|' ||"
	                           " state || '|' || encr || '|' || hash || '|' || auth || '|' ||"
	                           " dh_group || '|' || lifetime || '|' || caps FROM ike_sas",
	                        buf, sizeof(buf)),
	                 "3|0123456789abcdef|fedcba9876543210|172.18.143.2:4500|172.18.143.246|"
	                 "QM_IDLE|aes 256|sha256|psk|14|86400|9");

	struct msg_ipsec_sa a = ipsec_sa(3, 0xc0ffee01, 0xbeef), b = ipsec_sa(3, 0x1234, 0x5678);
	cr_assert_eq(db_ipsec_sa_up(d, &a), 0);
	cr_assert_eq(db_ipsec_sa_up(d, &b), 0);
	cr_assert_str_eq(q_text(h, "SELECT spi_in || '|' || spi_out || '|' || ifname || '|' ||"
	                           " remote_ident || '|' || transform || '|' || encap || '|' ||"
	                           " pfs_group || '|' || life_seconds || '|' || life_kb || '|' ||"
	                           " installed FROM ipsec_sas ORDER BY id LIMIT 1", buf, sizeof(buf)),
	                 "c0ffee01|0000beef|va3|192.168.1.1|esp-gcm 128|Tunnel UDP-Encaps|14|3600|"
	                 "4608000|1700000000.0");

	struct msg_sa_counters c = { .session_id = 3, .spi_in = htonl(0xc0ffee01),
	                             .spi_out = htonl(0xbeef), .pkts_encaps = 20,
	                             .bytes_encaps = 1680, .pkts_decaps = 21, .bytes_decaps = 1764,
	                             .verify_fail = 1, .replay_fail = 2, .recv_errors = 3,
	                             .send_errors = 4 };
	db_batch_begin(d);
	db_batch_begin(d);      /* nested begin is a no-op */
	cr_assert_eq(db_sa_counters(d, &c), 0);
	/* a reader sees nothing of a batch before its commit */
	cr_assert_eq(q_int(h, "SELECT pkts_encaps FROM ipsec_sas WHERE spi_in = 'c0ffee01'"), 0);
	db_batch_commit(d);
	cr_assert_str_eq(q_text(h, "SELECT pkts_encaps || ' ' || bytes_encaps || ' ' || pkts_decaps"
	                           " || ' ' || bytes_decaps || ' ' || verify_fail || ' ' ||"
	                           " replay_fail || ' ' || recv_errors || ' ' || send_errors ||"
	                           " ' ' || (counters_at IS NOT NULL) FROM ipsec_sas"
	                           " WHERE spi_in = 'c0ffee01'", buf, sizeof(buf)),
	                 "20 1680 21 1764 1 2 3 4 1");
	cr_assert_eq(q_int(h, "SELECT pkts_encaps FROM ipsec_sas WHERE spi_in = '00001234'"), 0);

	/* one IPsec SA deleted (clear crypto sa): the other and the IKE SA stay */
	cr_assert_eq(db_ipsec_sa_down(d, htonl(0xc0ffee01), "admin clear"), 0);
	cr_assert_str_eq(q_text(h, "SELECT group_concat(spi_in) FROM ipsec_sas WHERE ended IS NULL",
	                        buf, sizeof(buf)), "00001234");
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM ipsec_sas WHERE spi_in = 'c0ffee01'",
	                        buf, sizeof(buf)), "admin clear");
	/* final counters after the delete still land on the ended row */
	c.pkts_encaps = 25;
	cr_assert_eq(db_sa_counters(d, &c), 0);
	cr_assert_eq(q_int(h, "SELECT pkts_encaps FROM ipsec_sas WHERE spi_in = 'c0ffee01'"), 25);

	/* the session's end ends whatever SAs are still open */
	cr_assert_eq(db_session_down(d, 3, "admin clear isakmp"), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ike_sas WHERE ended IS NULL"), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ipsec_sas WHERE ended IS NULL"), 0);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM ike_sas", buf, sizeof(buf)),
	                 "admin clear isakmp");
	/* a later IKE SA down keeps the first reason */
	cr_assert_eq(db_ike_sa_down(d, 3, "later"), 0);
	cr_assert_str_eq(q_text(h, "SELECT end_reason FROM ike_sas", buf, sizeof(buf)),
	                 "admin clear isakmp");
	sqlite3_close(h);
	db_close(d);
}

Test(db, stale_sas_of_earlier_runs_are_closed)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_ike_sa k = ike_sa(1, "10.0.0.2");
	struct msg_ipsec_sa a = ipsec_sa(1, 0x1001, 0x2001);
	cr_assert_eq(db_ike_sa_up(d, &k), 0);
	cr_assert_eq(db_ipsec_sa_up(d, &a), 0);
	db_close(d);            /* as if vpnd died with the SAs up */

	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	/* the new run may reuse SPI and session id: other rows */
	cr_assert_eq(db_ike_sa_up(d, &k), 0);
	cr_assert_eq(db_ipsec_sa_up(d, &a), 0);
	db_close_stale(d, "crash");
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ike_sas WHERE end_reason = 'crash'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ipsec_sas WHERE end_reason = 'crash'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ipsec_sas WHERE ended IS NULL AND"
	                      " run_id = (SELECT max(id) FROM runs)"), 1);
	sqlite3_close(h);
	db_close(d);
}

/* ---- RADIUS accounting queue ---- */

static long long pending(sqlite3 *h)
{
	return q_int(h, "SELECT count(*) FROM acct_queue WHERE acked IS NULL");
}

Test(db, acct_records_from_the_session_row_in_order)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(7, "bob");
	inet_pton(AF_INET6, "fd00:6::5", &u.assigned6);
	inet_pton(AF_INET6, "2001:db8:aa00::", &u.deleg6.net);
	u.deleg6.plen = 40;
	cr_assert_eq(db_session_up(d, &u), 0);
	struct msg_session_up v = session(8, "eve");
	cr_assert_eq(db_session_up(d, &v), 0);
	/* eve is not accounted: no record for her */
	cr_assert_eq(db_acct_add(d, 8, ACCT_START, 0), 0);
	cr_assert_eq(db_session_acct(d, 7, "RG", (const uint8_t *)"cls\0x", 5), 0);
	cr_assert_eq(db_acct_add(d, 7, ACCT_START, 0), 1);
	struct msg_counters k = { .session_id = 7, .pkts_in = 10, .pkts_out = 20,
	                          .bytes_in = 5000000000ULL, .bytes_out = 2000 };
	cr_assert_eq(db_counters(d, &k), 0);
	cr_assert_eq(db_session_down(d, 7, "peer delete"), 0);
	cr_assert_eq(db_acct_add(d, 7, ACCT_STOP, 1), 1);

	struct msg_acct m;
	char want[MSG_ACCT_SID_LEN];
	msg_acct_session_id(want, db_run_id(d), 7);
	cr_assert_eq(db_acct_head(d, &m), 1);
	cr_assert_eq(m.status, ACCT_START, "the oldest record first");
	cr_assert_str_eq(m.acct_session_id, want, "same Acct-Session-Id as msg_acct_session_id");
	cr_assert_str_eq(m.user, "bob");
	cr_assert_str_eq(m.group, "RG");
	cr_assert_eq(m.class_len, 5);
	cr_assert_eq(memcmp(m.class_, "cls\0x", 5), 0, "Class kept byte for byte");
	char a6[INET6_ADDRSTRLEN];
	cr_assert_str_eq(inet_ntop(AF_INET6, &m.framed_ip6, a6, sizeof(a6)), "fd00:6::5",
	                 "the session's IPv6 address for Framed-IPv6-Address");
	cr_assert_str_eq(inet_ntop(AF_INET6, &m.deleg6.net, a6, sizeof(a6)), "2001:db8:aa00::",
	                 "its Delegated-IPv6-Prefix");
	cr_assert_eq(m.deleg6.plen, 40);
	/* not acknowledged: it stays the head, whatever else is queued */
	cr_assert_eq(db_acct_result(d, m.qid, ACCT_RETRY, NULL, "no answer"), 0);
	struct msg_acct again;
	cr_assert_eq(db_acct_head(d, &again), 1);
	cr_assert_eq(again.qid, m.qid);
	cr_assert_eq(db_acct_result(d, m.qid, ACCT_SENT, "LIVE", NULL), 0);
	cr_assert_eq(db_acct_head(d, &m), 1);
	cr_assert_eq(m.status, ACCT_STOP);
	cr_assert_eq(m.in_octets, 5000000000ULL, "64-bit octets kept");
	cr_assert_eq(m.out_pkts, 20);
	cr_assert_eq(m.terminate_cause, 1);
	cr_assert_eq(m.deleg6.plen, 40, "the Stop carries the delegated prefix too");
	cr_assert_eq(db_acct_result(d, m.qid, ACCT_SENT, "LIVE", NULL), 0);
	cr_assert_eq(db_acct_head(d, &m), 0, "nothing left to send");
	/* a late answer for an acknowledged record changes nothing */
	cr_assert_eq(db_acct_result(d, m.qid, ACCT_RETRY, NULL, "late"), 0);
	sqlite3 *h = tmpdb_reader();
	char buf[128];
	cr_assert_str_eq(q_text(h, "SELECT group_concat(status || ':' || outcome || ':' || server ||"
	                           " ':' || tries, ',') FROM acct_queue", buf, sizeof(buf)),
	                 "Start:sent:LIVE:2,Stop:sent:LIVE:1");
	sqlite3_close(h);
	db_close(d);
}

Test(db, acct_stops_for_sessions_a_crash_left_open)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(1, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	cr_assert_eq(db_session_acct(d, 1, "RG", NULL, 0), 0);
	struct msg_session_up v = session(2, "noacct");
	cr_assert_eq(db_session_up(d, &v), 0);
	uint32_t first_run = db_run_id(d);
	db_close(d);     /* as if killed: alice's session is still open */

	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	cr_assert_eq(db_acct_stop_open(d, 1, 11), 0, "nothing open in the new run");
	cr_assert_eq(db_acct_stop_open(d, 0, 11), 1, "one Stop, for the accounted session only");
	cr_assert_eq(db_close_stale(d, "crash"), 2);
	cr_assert_eq(db_acct_stop_open(d, 0, 11), 0, "closed sessions get no second Stop");
	struct msg_acct m;
	cr_assert_eq(db_acct_head(d, &m), 1);
	char want[MSG_ACCT_SID_LEN];
	msg_acct_session_id(want, first_run, 1);
	cr_assert_str_eq(m.acct_session_id, want, "the Stop names the earlier run's session");
	cr_assert_eq(m.status, ACCT_STOP);
	cr_assert_eq(m.terminate_cause, 11);
	/* a group gone from the configuration: the record is dropped, not retried forever */
	cr_assert_eq(db_acct_result(d, m.qid, ACCT_DROP, NULL, "group gone"), 0);
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(pending(h), 0);
	sqlite3_close(h);
	db_close(d);
}

/* kill -9 of the parent while Stops waited for the final counters: the rows had ended, the
 * Stops were only in memory; the next start queues them, once, and not for sessions that
 * already have theirs nor for those of older runs or outside the last seconds. */
Test(db, acct_stops_for_ended_rows_a_kill_left_unqueued)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	for (uint32_t i = 1; i <= 4; i++) {
		struct msg_session_up u = session(i, "user");
		cr_assert_eq(db_session_up(d, &u), 0);
		if (i != 4)
			cr_assert_eq(db_session_acct(d, i, "RG", NULL, 0), 0);
	}
	cr_assert_eq(db_session_down(d, 1, "shutdown"), 0);
	cr_assert_eq(db_acct_add(d, 1, ACCT_STOP, 7), 1);     /* its Stop made it to the queue */
	cr_assert_eq(db_session_down(d, 2, "shutdown"), 0);   /* its Stop did not */
	cr_assert_eq(db_session_down(d, 4, "shutdown"), 0);   /* not accounted */
	uint32_t run = db_run_id(d);
	db_close(d);

	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	/* session 3 is still open (a Stop as before), session 2 ended without one */
	cr_assert_eq(db_acct_stop_open(d, 0, 11), 2);
	cr_assert_eq(db_close_stale(d, "crash"), 1);
	cr_assert_eq(db_acct_stop_open(d, 0, 11), 0, "no second Stop");
	sqlite3 *h = tmpdb_reader();
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM acct_queue WHERE status = 'Stop' AND"
	         " run_id = %u AND session_id = 2", run);
	cr_assert_eq(q_int(h, sql), 1);
	sqlite3_close(h);
	db_close(d);

	d = db_open(tmpdb_path);      /* a later start: that run is not the last one any more */
	cr_assert_not_null(d);
	cr_assert_eq(db_acct_stop_open(d, 0, 11), 0);
	db_close(d);
}

/* Accounting-On/Off: queued in order with the session records, no session attached */
Test(db, acct_on_off_in_the_queue)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	cr_assert_eq(db_acct_add_nas(d, ACCT_ON, "RG"), 0);
	struct msg_session_up u = session(1, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	cr_assert_eq(db_session_acct(d, 1, "RG", NULL, 0), 0);
	cr_assert_eq(db_acct_add(d, 1, ACCT_START, 0), 1);
	cr_assert_eq(db_acct_add_nas(d, ACCT_OFF, "RG"), 0);
	int want[] = { ACCT_ON, ACCT_START, ACCT_OFF };
	for (int i = 0; i < 3; i++) {
		struct msg_acct m;
		cr_assert_eq(db_acct_head(d, &m), 1);
		cr_assert_eq(m.status, want[i]);
		cr_assert_str_eq(m.group, "RG");
		if (want[i] != ACCT_START)
			cr_assert_str_eq(m.user, "");
		cr_assert_eq(db_acct_result(d, m.qid, ACCT_SENT, "LIVE", NULL), 0);
	}
	struct msg_acct m;
	cr_assert_eq(db_acct_head(d, &m), 0);
	db_close(d);
}

Test(db, acct_terminate_causes)
{
	/* the end reasons ikemgr and the parent write, as RFC 2866 numbers them */
	cr_assert_eq(msg_acct_cause("peer delete"), 1, "User-Request");
	cr_assert_eq(msg_acct_cause("DPD"), 2, "Lost-Carrier");
	cr_assert_eq(msg_acct_cause("no response"), 2);
	cr_assert_eq(msg_acct_cause("replaced (INITIAL-CONTACT)"), 2);
	cr_assert_eq(msg_acct_cause("idle timeout"), 4, "Idle-Timeout");
	cr_assert_eq(msg_acct_cause("session timeout"), 5, "Session-Timeout");
	cr_assert_eq(msg_acct_cause("admin clear"), 6, "Admin-Reset");
	cr_assert_eq(msg_acct_cause("admin clear isakmp"), 6);
	cr_assert_eq(msg_acct_cause("radius disconnect"), 6);
	cr_assert_eq(msg_acct_cause("reload: group removed"), 6);
	cr_assert_eq(msg_acct_cause("shutdown"), 7, "Admin-Reboot");
	cr_assert_eq(msg_acct_cause("crash"), 11, "NAS-Reboot");
	cr_assert_eq(msg_acct_cause("lifetime expired"), 10, "NAS-Request");
	cr_assert_eq(msg_acct_cause(""), 10);
}

/* A writer's UPDATE on the store, for rows of a known age. */
static void age(sqlite3 *w, const char *sql, double t)
{
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_prepare_v2(w, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(w));
	sqlite3_bind_double(s, 1, t);
	cr_assert_eq(sqlite3_step(s), SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(w));
	sqlite3_finalize(s);
}

/*
 * db history keep 30: what ended 40 and 31 days ago goes with its SAs and events; what ended 29
 * and 1 day ago stays, and so does a session up for 100 days, its SAs and its events.
 */
Test(db, history_prune_by_age)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	const double now = (double)time(NULL), day = 86400.0;
	for (uint32_t id = 1; id <= 5; id++) {
		struct msg_session_up u = session(id, "u");
		cr_assert_eq(db_session_up(d, &u), 0);
		struct msg_ike_sa k = ike_sa(id, "172.18.143.2");
		cr_assert_eq(db_ike_sa_up(d, &k), 0);
		struct msg_ipsec_sa a = ipsec_sa(id, 0x100 + id, 0x200 + id);
		cr_assert_eq(db_ipsec_sa_up(d, &a), 0);
		cr_assert_eq(db_event(d, id, "up"), 0);
		if (id != 4)
			cr_assert_eq(db_session_down(d, id, "peer delete"), 0);
	}
	sqlite3 *w;
	cr_assert_eq(sqlite3_open(tmpdb_path, &w), SQLITE_OK);
	sqlite3_busy_timeout(w, 2000);
	static const double ended_days[] = { 0, 40, 31, 29, 0, 1 };
	for (int id = 1; id <= 5; id++) {
		char sql[3][160];
		double t = id == 4 ? now - 100 * day : now - ended_days[id] * day;
		snprintf(sql[0], sizeof(sql[0]), "UPDATE sessions SET started = ?1 - 60%s"
		         " WHERE session_id = %d", id == 4 ? "" : ", ended = ?1", id);
		snprintf(sql[1], sizeof(sql[1]), "UPDATE ike_sas SET established = ?1 - 60%s"
		         " WHERE session_id = %d", id == 4 ? "" : ", ended = ?1", id);
		snprintf(sql[2], sizeof(sql[2]), "UPDATE ipsec_sas SET installed = ?1 - 60%s"
		         " WHERE session_id = %d", id == 4 ? "" : ", ended = ?1", id);
		for (int k = 0; k < 3; k++)
			age(w, sql[k], t);
		snprintf(sql[0], sizeof(sql[0]), "UPDATE events SET t = ?1 - 60 WHERE session_id = %d",
		         id);
		age(w, sql[0], t);
	}
	sqlite3_close(w);

	long n = -1;
	cr_assert_eq(db_prune_history(d, now - 30 * day, 1000, &n), 0);
	cr_expect_eq(n, 2 * 4, "deleted %ld", n);     /* 2 sessions, 2 IKE SAs, 2 IPsec SAs, 2 events */
	sqlite3 *h = tmpdb_reader();
	char buf[64];
	cr_expect_str_eq(q_text(h, "SELECT group_concat(session_id) FROM (SELECT session_id FROM"
	                           " sessions ORDER BY session_id)", buf, sizeof(buf)), "3,4,5");
	cr_expect_str_eq(q_text(h, "SELECT group_concat(session_id) FROM (SELECT session_id FROM"
	                           " ike_sas ORDER BY session_id)", buf, sizeof(buf)), "3,4,5");
	cr_expect_str_eq(q_text(h, "SELECT group_concat(session_id) FROM (SELECT session_id FROM"
	                           " ipsec_sas ORDER BY session_id)", buf, sizeof(buf)), "3,4,5");
	/* the live session's 100-day-old event stays with it */
	cr_expect_str_eq(q_text(h, "SELECT group_concat(session_id) FROM (SELECT session_id FROM"
	                           " events WHERE what = 'up' ORDER BY session_id)", buf,
	                        sizeof(buf)), "3,4,5");
	cr_expect_str_eq(q_text(h, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	/* nothing left to do: a second run deletes nothing */
	cr_assert_eq(db_prune_history(d, now - 30 * day, 1000, &n), 0);
	cr_expect_eq(n, 0);
	sqlite3_close(h);
	db_close(d);
}

/* A long history goes in batches: each call deletes at most BATCH rows per table and says
 * whether more is left. */
Test(db, history_prune_in_batches)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	db_batch_begin(d);
	for (uint32_t id = 1; id <= 2500; id++) {
		struct msg_session_up u = session(id, "u");
		cr_assert_eq(db_session_up(d, &u), 0);
		cr_assert_eq(db_session_down(d, id, "peer delete"), 0);
	}
	db_batch_commit(d);
	long n, total = 0;
	int calls = 0, more;
	/* everything ended before "an hour from now" */
	while ((more = db_prune_history(d, (double)time(NULL) + 3600, 1000, &n)) == 1) {
		cr_assert_leq(n, 4 * 1000);
		total += n;
		cr_assert_lt(++calls, 10);
	}
	cr_assert_eq(more, 0);
	total += n;
	cr_expect_eq(calls, 2, "calls %d", calls);     /* 1000, 1000, then 500: done */
	cr_expect_eq(total, 2500);
	sqlite3 *h = tmpdb_reader();
	cr_expect_eq(q_int(h, "SELECT count(*) FROM sessions"), 0);
	sqlite3_close(h);
	cr_expect_eq(db_prune_history(d, 0, 0, &n), 0);   /* a batch of 0 does nothing */
	db_close(d);
}
