/*
 * What db history keep costs the writer: a store with N closed sessions (each with its IKE SA,
 * IPsec SA and an event) ended 40 days ago and 1,000 sessions up, pruned as the parent does
 * (db_prune_history, batches of 1,000 rows per table, keep 30 days). Prints the number of
 * batches, the total time and the longest and median batch: the longest is how long a session
 * change may wait behind the prune. Figures only, not part of the test suite.
 *   history_bench [N] PATH     (N default 100,000; PATH is overwritten)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "db/db.h"
#include "db/db_int.h"

#define BATCH 1000

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int session(struct db *d, uint32_t id, int down)
{
	struct msg_session_up u;
	struct msg_ike_sa k;
	struct msg_ipsec_sa s;

	memset(&u, 0, sizeof(u));
	u.session_id = id;
	snprintf(u.user, sizeof(u.user), "user%05u", id % 100000);
	snprintf(u.group, sizeof(u.group), "group%u", id % 10);
	sa46_from4(&u.peer, (struct in_addr){ htonl(0x0a000000u + id) }, htons(4500));
	sa46_from4(&u.local, (struct in_addr){ htonl(0xac128ff6u) }, htons(4500));
	u.assigned.s_addr = htonl(0xc0a80000u + id % 65000);
	u.unit = (int32_t)(id % 65000);
	snprintf(u.ifname, sizeof(u.ifname), "va%d", u.unit);
	memset(&k, 0, sizeof(k));
	k.session_id = id;
	k.peer = u.peer;
	k.local = u.local;
	snprintf(k.state, sizeof(k.state), "QM_IDLE");
	memset(&s, 0, sizeof(s));
	s.session_id = id;
	s.spi_in = htonl(0xc0000000u + id);
	s.spi_out = htonl(0xb0000000u + id);
	s.peer = u.peer;
	s.local = u.local;
	s.installed = time(NULL);
	if (db_session_up(d, &u) < 0 || db_ike_sa_up(d, &k) < 0 || db_ipsec_sa_up(d, &s) < 0 ||
	    db_event(d, id, "session up") < 0)
		return -1;
	return down ? db_session_down(d, id, "peer delete") : 0;
}

int main(int argc, char **argv)
{
	int n = argc == 3 ? atoi(argv[1]) : 100000;
	const char *path = argv[argc - 1];
	if (argc < 2 || argc > 3 || n <= 0) {
		fprintf(stderr, "usage: history_bench [N] PATH\n");
		return 2;
	}
	remove(path);
	struct db *d = db_open(path);
	if (!d)
		return 1;
	double t0 = mono();
	db_batch_begin(d);
	for (int i = 1; i <= n + 1000; i++) {
		if (session(d, (uint32_t)i, i <= n) < 0)
			return 1;
		if (i % DB_BATCH_ROWS == 0) {
			db_batch_commit(d);
			db_batch_begin(d);
		}
	}
	db_batch_commit(d);
	/* the closed ones ended 40 days ago */
	const char *age[] = {
		"UPDATE sessions SET started = started - 3456000, ended = ended - 3456000"
		" WHERE ended IS NOT NULL",
		"UPDATE ike_sas SET ended = ended - 3456000 WHERE ended IS NOT NULL",
		"UPDATE ipsec_sas SET ended = ended - 3456000 WHERE ended IS NOT NULL",
		"UPDATE events SET t = t - 3456000 WHERE session_id <= ?",
	};
	for (size_t i = 0; i < sizeof(age) / sizeof(age[0]); i++) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db_sqlite(d), age[i], -1, &s, NULL) != SQLITE_OK)
			return 1;
		sqlite3_bind_int(s, 1, n);
		if (sqlite3_step(s) != SQLITE_DONE)
			return 1;
		sqlite3_finalize(s);
	}
	printf("store: %d closed sessions aged 40 days, 1000 up, filled in %.1f s\n", n, mono() - t0);

	size_t cap = (size_t)n / BATCH + 16, calls = 0;
	double *lat = calloc(cap, sizeof(*lat)), total = mono();
	long deleted = 0, k;
	int more;
	if (!lat)
		return 1;
	do {
		double b = mono();
		more = db_prune_history(d, (double)time(NULL) - 30 * 86400.0, BATCH, &k);
		if (calls < cap)
			lat[calls++] = mono() - b;
		deleted += k;
	} while (more == 1);
	total = mono() - total;
	if (more < 0)
		return 1;
	qsort(lat, calls, sizeof(*lat), cmp);
	printf("pruned %ld rows in %zu batches of %d per table: %.3f s in all, batch median "
	       "%.1f ms, longest %.1f ms\n", deleted, calls, BATCH, total, lat[calls / 2] * 1e3,
	       lat[calls - 1] * 1e3);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db_sqlite(d), "SELECT count(*) FROM sessions", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		printf("sessions left: %d (the ones up)\n", sqlite3_column_int(s, 0));
	sqlite3_finalize(s);
	free(lat);
	db_close(d);
	return 0;
}
