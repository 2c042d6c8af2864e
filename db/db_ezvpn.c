/*
 * The Easy VPN remote's state (table ezvpn, schema 5): one row per `crypto ipsec client ezvpn`
 * name, replaced on each report from ikemgr, so the row is what `show crypto ipsec client
 * ezvpn` prints. History goes to the events table (the parent writes a line per change).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"
#include "db/db_int.h"

static int prepare(sqlite3 *h, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(h, sql, -1, s, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(h));
		return -1;
	}
	return 0;
}

static int step_done(sqlite3 *h, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		log_warnx("database: ezvpn: %s", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A fixed array from a message: never read past it, terminated or not; "" is NULL. */
static void bind_str(sqlite3_stmt *s, int i, const char *p, size_t size)
{
	size_t n = strnlen(p, size);
	if (n == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, p, (int)n, SQLITE_TRANSIENT);
}

static void bind_addr(sqlite3_stmt *s, int i, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN];
	if (a.s_addr == 0 || inet_ntop(AF_INET, &a, ip, sizeof(ip)) == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, ip, -1, SQLITE_TRANSIENT);
}

void db_ez_split_text(const struct msg_route *r, int n, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (n > MSG_ROUTES_MAX)
		n = MSG_ROUTES_MAX;
	for (int k = 0; k < n; k++) {
		char ip[INET_ADDRSTRLEN];
		if (inet_ntop(AF_INET, &r[k].net, ip, sizeof(ip)) == NULL)
			continue;
		int w = snprintf(buf + off, len - off, "%s%s/%d", off ? " " : "", ip, (int)r[k].plen);
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0';    /* whole entries only */
			return;
		}
		off += (size_t)w;
	}
}

int db_ez_state(struct db *d, const struct msg_ez_state *m)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO ezvpn (name, state, last_event, peer_addr, assigned_addr,"
		" mask, ifname, unit, split, run_id, session_id, save_password, updated)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s;
	char split[MSG_ROUTES_MAX * 20];
	int has_if = strnlen(m->ifname, sizeof(m->ifname)) > 0;

	if (prepare(h, sql, &s) < 0)
		return -1;
	bind_str(s, 1, m->ezvpn, sizeof(m->ezvpn));
	/* NOT NULL: a report without a state is stored as one that says so */
	if (strnlen(m->state, sizeof(m->state)) == 0)
		sqlite3_bind_text(s, 2, "UNKNOWN", -1, SQLITE_STATIC);
	else
		bind_str(s, 2, m->state, sizeof(m->state));
	bind_str(s, 3, m->last_event, sizeof(m->last_event));
	bind_addr(s, 4, m->peer);
	bind_addr(s, 5, m->addr);
	bind_addr(s, 6, m->mask);
	bind_str(s, 7, m->ifname, sizeof(m->ifname));
	if (has_if)
		sqlite3_bind_int(s, 8, m->unit);
	else
		sqlite3_bind_null(s, 8);
	db_ez_split_text(m->split, m->nsplit, split, sizeof(split));
	sqlite3_bind_text(s, 9, split, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 10, db_run_id(d));
	if (m->session_id)
		sqlite3_bind_int64(s, 11, m->session_id);
	else
		sqlite3_bind_null(s, 11);
	sqlite3_bind_int(s, 12, m->save_password != 0);
	sqlite3_bind_double(s, 13, db_now());
	return step_done(h, s);
}

int db_ez_reset(struct db *d, const char *name, const char *state, const char *event)
{
	static const char sql[] =
		"UPDATE ezvpn SET state = ?, last_event = ?, peer_addr = NULL, assigned_addr = NULL,"
		" mask = NULL, ifname = NULL, unit = NULL, split = '', run_id = ?, session_id = NULL,"
		" save_password = 0, updated = ? WHERE name = ?";
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s;

	if (prepare(h, sql, &s) < 0)
		return -1;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, db_run_id(d));
	sqlite3_bind_double(s, 4, db_now());
	sqlite3_bind_text(s, 5, name, -1, SQLITE_TRANSIENT);
	return step_done(h, s);
}

int db_ez_prune(struct db *d, const char *const *keep, int nkeep)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s;
	/* at most CONF_MAX_EZVPN names: a placeholder each, never the names in the text */
	char sql[128 + 2 * 64];
	size_t off;

	if (nkeep < 0 || nkeep > 64)
		return -1;
	off = (size_t)snprintf(sql, sizeof(sql), "DELETE FROM ezvpn%s",
	                       nkeep ? " WHERE name NOT IN (" : "");
	for (int k = 0; k < nkeep; k++)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, "%s?", k ? "," : "");
	if (nkeep)
		snprintf(sql + off, sizeof(sql) - off, ")");
	if (prepare(h, sql, &s) < 0)
		return -1;
	for (int k = 0; k < nkeep; k++)
		sqlite3_bind_text(s, k + 1, keep[k], -1, SQLITE_TRANSIENT);
	if (step_done(h, s) < 0)
		return -1;
	return sqlite3_changes(h);
}
