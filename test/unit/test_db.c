/* The session store: schema and version, the writes the parent makes, crash recovery. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "db/db.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_db.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vpnd.db", dir);
}

static void teardown(void)
{
	char f[160];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
		unlink(f);
	}
	rmdir(dir);
}

TestSuite(db, .init = setup, .fini = teardown);

/* A second connection, as vpnctl or sqlite3 would see the file. */
static sqlite3 *reader(void)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return h;
}

static long long q_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
	             sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	long long v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The first column of the first row as text, in BUF ("(null)" for NULL). */
static const char *q_text(sqlite3 *h, const char *sql, char *buf, size_t len)
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

static struct msg_session_up session(uint32_t id, const char *user)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = id;
	snprintf(u.user, sizeof(u.user), "%s", user);
	snprintf(u.group, sizeof(u.group), "group1");
	snprintf(u.profile, sizeof(u.profile), "vpn1-ra");
	u.peer.sin_family = u.local.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.2", &u.peer.sin_addr);
	u.peer.sin_port = htons(4500);
	inet_pton(AF_INET, "172.18.143.246", &u.local.sin_addr);
	u.local.sin_port = htons(4500);
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
	struct db *d = db_open(path);
	cr_assert_not_null(d);
	cr_assert_geq(db_schema_version(), 1);
	sqlite3 *h = reader();
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
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 007, 0, "mode %o", st.st_mode & 0777);
}

Test(db, session_round_trip)
{
	struct db *d = db_open(path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(7, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);

	sqlite3 *h = reader();
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
	struct db *d = db_open(path);
	cr_assert_not_null(d);
	struct msg_session_up u = session(3, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	struct msg_counters k = { .session_id = 3, .pkts_in = 5 };
	cr_assert_eq(db_counters(d, &k), 0);
	u.esp_spi_in = htonl(0x11111111);
	cr_assert_eq(db_session_up(d, &u), 0);
	sqlite3 *h = reader();
	char buf[64];
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sessions"), 1);
	cr_assert_str_eq(q_text(h, "SELECT esp_spi_in FROM sessions", buf, sizeof(buf)), "11111111");
	cr_assert_eq(q_int(h, "SELECT pkts_in FROM sessions"), 5);
	sqlite3_close(h);
	db_close(d);
}

Test(db, client_strings_are_data)
{
	struct db *d = db_open(path);
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
	sqlite3 *h = reader();
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
	struct db *d = db_open(path);
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

	d = db_open(path);
	cr_assert_not_null(d);
	/* the new run's session 1 is another session than the old run's session 1 */
	struct msg_session_up n1 = session(1, "dave");
	cr_assert_eq(db_session_up(d, &n1), 0);
	cr_assert_eq(db_close_stale(d, "crash"), 2);
	cr_assert_eq(db_close_stale(d, "crash"), 0);
	/* a down for id 1 now only concerns the new run's row */
	sqlite3 *h = reader();
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
	struct db *d = db_open(path);
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
	d = db_open(path);
	cr_assert_not_null(d);
	db_close(d);

	sqlite3 *h = reader();
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
	struct db *d = db_open(path);
	cr_assert_not_null(d);
	db_close(d);
	sqlite3 *h;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version() + 1);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	cr_assert_null(db_open(path));
}

Test(db, bad_files_are_refused)
{
	char bad[160];
	snprintf(bad, sizeof(bad), "%s/missing/vpnd.db", dir);
	cr_assert_null(db_open(bad));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	static const char junk[] = "this is not an SQLite file, not even close to one.........";
	cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	cr_assert_null(db_open(path));
}

Test(db, reader_sees_writes_while_open)
{
	/* WAL: a reader does not block the writer and sees each committed write */
	struct db *d = db_open(path);
	cr_assert_not_null(d);
	sqlite3 *h = reader();
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
