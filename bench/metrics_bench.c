/*
 * What one scrape of the metrics endpoint costs the control process on a big store: the
 * snapshot from the session store (control/metrics.c) and its rendering, median of 5, with
 * the body's size. usage: metrics_bench PATH (a store made by db_bench --fill N PATH; see
 * bench/show_bench.sh, which runs it).
 */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "control/metrics.h"

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct vpnd_conf conf;
	double t[5];
	size_t bytes = 0, lines = 0;
	sqlite3 *db;
	sqlite3_stmt *s;

	if (argc != 2) {
		fprintf(stderr, "usage: metrics_bench PATH\n");
		return 2;
	}
	/* read-only like control's connection (no writer runs here, so no -shm to share) */
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "SELECT MAX(id) FROM runs", -1, &s, NULL) != SQLITE_OK)
		return 1;
	if (sqlite3_step(s) == SQLITE_ROW)
		conf.run_id = (uint32_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/* db_bench's sessions have 10.100.0.0 + id */
	conf.npool = 1;
	snprintf(conf.pool[0].name, sizeof(conf.pool[0].name), "ra");
	conf.pool[0].start.s_addr = htonl(0x0a640001u);
	conf.pool[0].end.s_addr = htonl(0x0a64fffeu);
	for (int i = 0; i < 5; i++) {
		struct mbuf m = { 0 };
		double t0 = mono();
		if (metrics_text(&m, db, &conf, NULL) < 0)
			return 1;
		t[i] = mono() - t0;
		bytes = m.len;
		lines = 0;
		for (size_t k = 0; k < m.len; k++)
			lines += m.b[k] == '\n';
		mbuf_free(&m);
	}
	qsort(t, 5, sizeof(t[0]), cmp);
	printf("%8.3f s  %7zu lines  metrics scrape (%zu bytes; min %.3f s, max %.3f s)\n", t[2],
	       lines, bytes, t[0], t[4]);
	sqlite3_close(db);
	return 0;
}
