/*
 * The metrics' snapshot, taken at each scrape from what the shows read: the session store
 * (sessions, SAs and their counters, the accounting queue: the rows show crypto session,
 * show crypto ipsec sa and the accounting code use), the configured pools with the open
 * sessions' addresses (show ip local pool), keymgr's RADIUS and tunmgr's data plane counters
 * as the parent last passed them on, and ikemgr's admission counters from control/exposure.c
 * (show crypto call admission statistics).
 * Counters are those of this run (runs.id = conf->run_id): they start again at a restart,
 * which Prometheus takes as a counter reset.
 */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "db/db.h"
#include "control/metrics.h"

static struct msg_radius_stats radius;
static int have_radius;
static struct msg_dp_stats dps;
static int have_dp;

static struct msg_ike_stats ikes;
static int have_ike;

void metrics_keep_ike(const struct msg_ike_stats *s)
{
	ikes = *s;
	if (ikes.nfail < 0 || ikes.nfail > MSG_IKE_FAIL_MAX)
		ikes.nfail = 0;     /* the parent checked the size, not this */
	for (int i = 0; i < MSG_IKE_FAIL_MAX; i++)
		ikes.fail[i].reason[sizeof(ikes.fail[i].reason) - 1] = '\0';
	have_ike = 1;
}

void metrics_keep_dp(const struct msg_dp_stats *d)
{
	dps = *d;
	have_dp = 1;
}

void metrics_keep_radius(const struct msg_radius_stats *r)
{
	radius = *r;
	have_radius = 1;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static int prepare(sqlite3 *db, const char *sql, uint32_t run_id, sqlite3_stmt **s, char *err,
                   size_t errlen)
{
	if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_parameter_count(*s) >= 1)
		sqlite3_bind_int64(*s, 1, run_id);
	return 0;
}

static int done(sqlite3 *db, sqlite3_stmt *s, int rc, char *err, size_t errlen)
{
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "session store: %s", rc == SQLITE_NOMEM ? "out of memory" :
	         sqlite3_errmsg(db));
	return -1;
}

/* Rows of (name, count) into a growing array. */
static int counts(sqlite3 *db, const char *sql, uint32_t run_id, struct metrics_count **out,
                  size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (prepare(db, sql, run_id, &s, err, errlen) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct metrics_count *nc = realloc(*out, ncap * sizeof(**out));
			if (!nc) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = nc;
			cap = ncap;
		}
		snprintf((*out)[*n].name, sizeof((*out)[*n].name), "%s", col(s, 0));
		(*out)[(*n)++].n = (uint64_t)sqlite3_column_int64(s, 1);
	}
	return done(db, s, rc, err, errlen);
}

/* sessions by status (DB_SESSION_STATUS_SQL, as show crypto session prints it) */
static const char sessions_sql[] =
	"SELECT st, COALESCE(profile, ''), COALESCE(grp, ''), COUNT(*) FROM ("
	" SELECT s.profile, s.grp, " DB_SESSION_STATUS_SQL " AS st"
	" FROM sessions s WHERE s.ended IS NULL)"
	" GROUP BY st, profile, grp ORDER BY st, profile, grp";

static int sessions(sqlite3 *db, struct metrics_snap *m, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (prepare(db, sessions_sql, 0, &s, err, errlen) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (m->nsessions == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct metrics_sessions *ns = realloc(m->sessions, ncap * sizeof(*ns));
			if (!ns) {
				rc = SQLITE_NOMEM;
				break;
			}
			m->sessions = ns;
			cap = ncap;
		}
		struct metrics_sessions *x = &m->sessions[m->nsessions++];
		snprintf(x->state, sizeof(x->state), "%s", col(s, 0));
		snprintf(x->profile, sizeof(x->profile), "%s", col(s, 1));
		snprintf(x->group, sizeof(x->group), "%s", col(s, 2));
		x->n = (uint64_t)sqlite3_column_int64(s, 3);
	}
	return done(db, s, rc, err, errlen);
}

/* One row of numbers into dst[0..n). */
static int row(sqlite3 *db, const char *sql, uint32_t run_id, uint64_t *const dst[], int n,
               char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare(db, sql, run_id, &s, err, errlen) < 0)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			*dst[i] = (uint64_t)sqlite3_column_int64(s, i);
		rc = sqlite3_step(s);
	}
	return done(db, s, rc, err, errlen);
}

static int pools(sqlite3 *db, const struct vpnd_conf *c, struct metrics_snap *m, char *err,
                 size_t errlen)
{
	static const char sql[] = "SELECT assigned_addr FROM sessions"
	                          " WHERE ended IS NULL AND assigned_addr IS NOT NULL";
	sqlite3_stmt *s;
	int rc;

	if (c->npool <= 0)
		return 0;
	m->pools = calloc((size_t)c->npool, sizeof(*m->pools));
	if (!m->pools) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->npools = (size_t)c->npool;
	for (int i = 0; i < c->npool; i++) {
		snprintf(m->pools[i].name, sizeof(m->pools[i].name), "%s", c->pool[i].name);
		m->pools[i].size = (uint64_t)ntohl(c->pool[i].end.s_addr) -
		                   ntohl(c->pool[i].start.s_addr) + 1;
	}
	if (!db)
		return 0;
	if (prepare(db, sql, 0, &s, err, errlen) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct in_addr a;
		if (inet_pton(AF_INET, col(s, 0), &a) != 1)
			continue;
		uint32_t h = ntohl(a.s_addr);
		for (int i = 0; i < c->npool; i++)
			if (h >= ntohl(c->pool[i].start.s_addr) && h <= ntohl(c->pool[i].end.s_addr))
				m->pools[i].in_use++;
	}
	return done(db, s, rc, err, errlen);
}

static int from_store(sqlite3 *db, uint32_t run, struct metrics_snap *m, char *err,
                      size_t errlen)
{
	uint64_t q = 0;
	uint64_t *const setups[] = { &m->setups };
	uint64_t *const esp[] = {
		&m->esp_pkts_in, &m->esp_pkts_out, &m->esp_bytes_in, &m->esp_bytes_out,
		&m->esp_drop_auth, &m->esp_drop_replay, &m->esp_recv_errors, &m->esp_send_errors,
	};
	uint64_t *const queue[] = { &q };
	uint64_t *const drops[] = { &m->session_drops };

	/* one read transaction: the numbers of a scrape agree with each other */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		return -1;
	}
	int r = sessions(db, m, err, errlen);
	if (r == 0)
		r = row(db, "SELECT COUNT(*) FROM sessions WHERE run_id = ?1", run, setups, 1, err,
		        errlen);
	if (r == 0)
		r = counts(db, "SELECT COALESCE(end_reason, ''), COUNT(*) FROM sessions"
		           " WHERE run_id = ?1 AND ended IS NOT NULL GROUP BY 1 ORDER BY 1", run,
		           &m->ends, &m->nends, err, errlen);
	if (r == 0)
		r = counts(db, "SELECT COALESCE(state, ''), COUNT(*) FROM ike_sas"
		           " WHERE ended IS NULL GROUP BY 1 ORDER BY 1", 0, &m->ike_states,
		           &m->nike_states, err, errlen);
	if (r == 0)
		r = row(db, "SELECT TOTAL(pkts_decaps), TOTAL(pkts_encaps), TOTAL(bytes_decaps),"
		        " TOTAL(bytes_encaps), TOTAL(verify_fail), TOTAL(replay_fail),"
		        " TOTAL(recv_errors), TOTAL(send_errors) FROM ipsec_sas WHERE run_id = ?1",
		        run, esp, 8, err, errlen);
	if (r == 0)
		r = row(db, "SELECT TOTAL(drop_other) FROM sessions WHERE run_id = ?1", run, drops, 1,
		        err, errlen);
	if (r == 0)
		r = row(db, "SELECT COUNT(*) FROM acct_queue WHERE acked IS NULL", 0, queue, 1, err,
		        errlen);
	if (r == 0)
		m->acct_queue = (int64_t)q;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return r;
}

int metrics_collect(struct metrics_snap *m, sqlite3 *db, const struct vpnd_conf *c, char *err,
                    size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->acct_queue = -1;
	m->have_radius = have_radius;
	m->radius = radius;
	m->have_dp = have_dp;
	m->have_ike = have_ike;
	m->ike = ikes;
	m->dp = dps;
	if (db && from_store(db, c->run_id, m, err, errlen) < 0)
		return -1;
	return pools(db, c, m, err, errlen);
}

void metrics_snap_free(struct metrics_snap *m)
{
	free(m->sessions);
	free(m->ends);
	free(m->ike_states);
	free(m->pools);
	memset(m, 0, sizeof(*m));
}

int metrics_text(struct mbuf *out, sqlite3 *db, const struct vpnd_conf *conf,
                 const struct msg_adm_stats *adm)
{
	struct metrics_snap m;
	char err[256];
	int r;

	if (metrics_collect(&m, db, conf, err, sizeof(err)) < 0) {
		log_rl("metrics: %s", err);
		metrics_snap_free(&m);
		return -1;
	}
	if (adm) {
		m.have_adm = 1;
		m.adm = *adm;
	}
	r = metrics_render(out, &m);
	metrics_snap_free(&m);
	return r;
}
