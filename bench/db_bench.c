/*
 * The session store's write cost and a full store for the show benchmarks. Not part of the
 * test suite; figures only. Built with the tree (noinst): build/bench/db_bench.
 *   db_bench [-n N] DIR        N session-up rows (default 20,000) into fresh files in DIR:
 *                              one transaction per row (synchronous NORMAL, then FULL), then
 *                              batched as the parent does (DB_BATCH_ROWS rows per commit),
 *                              and 100 per commit; prints the time and rows per second.
 *   db_bench --fill N PATH     a store like a hub's with N sessions up: one session, IKE SA and
 *                              IPsec SA row each, counters, 100 ended sessions of history;
 *                              the run is left open (no crash close) for bench/show_bench.sh.
 *   db_bench --stop N DIR      the parent's store writes when a stop ends N accounted sessions:
 *                              per session as the children report them (IPsec SA, IKE SA and
 *                              session down, final counters, events, the Stop record), in
 *                              batches of DB_BATCH_ROWS; then the same ends in bulk (one
 *                              UPDATE per table, one INSERT ... SELECT of every Stop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "db/db.h"
#include "db/db_int.h"

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void up_msg(uint32_t id, struct msg_session_up *u)
{
	memset(u, 0, sizeof(*u));
	u->session_id = id;
	snprintf(u->user, sizeof(u->user), "user%05u", id);
	snprintf(u->group, sizeof(u->group), "group%u", id % 20);
	snprintf(u->profile, sizeof(u->profile), "vpn1-ra");
	sa46_from4(&u->peer, (struct in_addr){ htonl(0xc6336400u + id) }, htons(4500));  /* 198.51.100.0 + id */
	sa46_from4(&u->local, (struct in_addr){ htonl(0xcb007101u) }, htons(4500));      /* 203.0.113.1 */
	u->assigned.s_addr = htonl(0x0a640000u + id);           /* 10.100.0.0 + id */
	snprintf(u->ifname, sizeof(u->ifname), "va%u", id);
	u->unit = (int)id;
	memcpy(&u->ike_spi_i, &id, sizeof(id));
	u->esp_spi_in = htonl(0xc0000000u + id);
	u->esp_spi_out = htonl(0xb0000000u + id);
	snprintf(u->transform, sizeof(u->transform), "esp-aes 256 esp-sha-hmac");
}

static struct db *fresh(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	remove(path);
	struct db *d = db_open(path);
	if (!d)
		exit(1);
	return d;
}

/* per: rows per transaction (1: autocommit, each its own) */
static void run(const char *dir, const char *name, int n, int per, const char *sync)
{
	struct db *d = fresh(dir, name);
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous = %s", sync);
	if (sqlite3_exec(db_sqlite(d), pragma, NULL, NULL, NULL) != SQLITE_OK)
		exit(1);
	struct msg_session_up u;
	double t0 = mono();
	for (int i = 1; i <= n; i++) {
		if (per > 1)
			db_batch_begin(d);
		up_msg((uint32_t)i, &u);
		if (db_session_up(d, &u) < 0)
			exit(1);
		if (per > 1 && i % per == 0)
			db_batch_commit(d);
	}
	db_batch_commit(d);
	double dt = mono() - t0;
	printf("%-28s synchronous=%-6s %6d rows  %8.3f s  %9.0f rows/s\n",
	       per > 1 ? (per == DB_BATCH_ROWS ? "batched (DB_BATCH_ROWS)" : "batched (100 per commit)")
	               : "one transaction per row", sync, n, dt, n / dt);
	db_close(d);
}

static int fill_db(struct db *d, int n, int accounted);

static int fill(int n, const char *path)
{
	remove(path);
	struct db *d = db_open(path);
	if (!d)
		return 1;
	return fill_db(d, n, 0);
}

static int fill_db(struct db *d, int n, int accounted)
{
	double t0 = mono();
	db_batch_begin(d);
	for (int i = 1; i <= n + 100; i++) {
		struct msg_session_up u;
		up_msg((uint32_t)i, &u);
		if (db_session_up(d, &u) < 0)
			return 1;
		struct msg_ike_sa k;
		memset(&k, 0, sizeof(k));
		k.session_id = (uint32_t)i;
		memcpy(k.cky_i, &i, sizeof(i));
		k.peer = u.peer;
		k.local = u.local;
		snprintf(k.state, sizeof(k.state), "QM_IDLE");
		snprintf(k.encr, sizeof(k.encr), "aes 256");
		snprintf(k.hash, sizeof(k.hash), "sha256");
		snprintf(k.auth, sizeof(k.auth), "psk+xauth");
		k.dh_group = 14;
		k.lifetime = 86400;
		k.established = time(NULL);
		k.caps = IKE_CAP_CFG | IKE_CAP_DPD | IKE_CAP_NAT | IKE_CAP_XAUTH;
		struct msg_ipsec_sa s;
		memset(&s, 0, sizeof(s));
		s.session_id = (uint32_t)i;
		s.spi_in = u.esp_spi_in;
		s.spi_out = u.esp_spi_out;
		s.peer = u.peer;
		s.local = u.local;
		memcpy(s.ifname, u.ifname, sizeof(s.ifname));
		s.unit = u.unit;
		s.remote_ident = u.assigned;
		snprintf(s.transform, sizeof(s.transform), "%s", u.transform);
		s.encap = 1;
		s.iv_size = 16;
		s.life_seconds = 3600;
		s.life_kb = 4608000;
		s.installed = time(NULL);
		struct msg_counters c = { .session_id = (uint32_t)i, .pkts_in = 1000u + i,
		                          .pkts_out = 2000u + i, .bytes_in = 100000u + i,
		                          .bytes_out = 200000u + i };
		if (db_ike_sa_up(d, &k) < 0 || db_ipsec_sa_up(d, &s) < 0 || db_counters(d, &c) < 0 ||
		    db_event(d, (uint32_t)i, "session up") < 0)
			return 1;
		if (accounted && (db_session_acct(d, (uint32_t)i, "RG", NULL, 0) < 0 ||
		                  db_acct_add(d, (uint32_t)i, ACCT_START, 0) < 0))
			return 1;
		if (i > n && (db_session_down(d, (uint32_t)i, "peer delete") < 0))
			return 1;
		if (i % DB_BATCH_ROWS == 0) {
			db_batch_commit(d);
			db_batch_begin(d);
		}
	}
	db_batch_commit(d);
	printf("filled %s: %d sessions up, 100 ended, in %.3f s\n", sqlite3_db_filename(db_sqlite(d),
	       "main"), n, mono() - t0);
	if (!accounted)
		db_close(d);
	return 0;
}

/* What h_ipsec_sa_down, h_ike_sa_down, h_session_down, h_counters (final), h_sa_counters and
 * acct.c's stop_now write for one session. */
static int stop_one(struct db *d, uint32_t i)
{
	char ev[128];
	struct msg_counters c = { .session_id = i, .pkts_in = 5000u + i, .pkts_out = 6000u + i,
	                          .bytes_in = 500000u + i, .bytes_out = 600000u + i, .final = 1 };
	struct msg_sa_counters k = { .session_id = i, .spi_in = htonl(0xc0000000u + i),
	                             .spi_out = htonl(0xb0000000u + i), .pkts_encaps = 6000u + i,
	                             .pkts_decaps = 5000u + i };
	snprintf(ev, sizeof(ev), "IPsec SA in %08x deleted: shutdown", 0xc0000000u + i);
	if (db_ipsec_sa_down(d, k.spi_in, "shutdown") < 0 || db_event(d, i, ev) < 0 ||
	    db_ike_sa_down(d, i, "shutdown") < 0 || db_event(d, i, "IKE SA deleted: shutdown") < 0 ||
	    db_session_down(d, i, "shutdown") < 0 || db_event(d, i, "session down: shutdown") < 0 ||
	    db_sa_counters(d, &k) < 0 || db_counters(d, &c) < 0 ||
	    db_acct_add(d, i, ACCT_STOP, 7) < 0)
		return -1;
	return 0;
}

static int stop(int n, const char *dir)
{
	char path[4096];
	for (int bulk = 0; bulk < 2; bulk++) {
		snprintf(path, sizeof(path), "%s/stop%d.db", dir, bulk);
		remove(path);
		struct db *d = db_open(path);
		if (!d || fill_db(d, n, 1))
			return 1;
		double t0 = mono();
		db_batch_begin(d);
		if (!bulk) {
			for (int i = 1; i <= n; i++) {
				if (stop_one(d, (uint32_t)i) < 0)
					return 1;
				unsigned rows, age;
				if (db_batch_open(d, &rows, &age) && (rows >= DB_BATCH_ROWS ||
				                                      age >= DB_BATCH_MS)) {
					db_batch_commit(d);
					db_batch_begin(d);
				}
			}
		} else if (db_acct_stop_open(d, 1, 7) != n || db_close_run(d, "shutdown") != n) {
			return 1;
		}
		db_batch_commit(d);
		printf("stop of %d accounted sessions, %-34s %8.3f s\n", n,
		       bulk ? "bulk (3 UPDATEs, 1 INSERT..SELECT):" : "per session, batched commits:",
		       mono() - t0);
		db_close(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = 20000;
	if (argc == 4 && !strcmp(argv[1], "--fill"))
		return fill(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "--stop"))
		return stop(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "-n")) {
		n = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || n <= 0) {
		fprintf(stderr, "usage: db_bench [-n N] DIR | db_bench --fill N PATH\n");
		return 2;
	}
	run(argv[1], "per-row.db", n, 1, "NORMAL");
	run(argv[1], "per-row-full.db", n, 1, "FULL");
	run(argv[1], "batch100.db", n, 100, "NORMAL");
	run(argv[1], "batched.db", n, DB_BATCH_ROWS, "NORMAL");
	run(argv[1], "batched-full.db", n, DB_BATCH_ROWS, "FULL");
	return 0;
}
