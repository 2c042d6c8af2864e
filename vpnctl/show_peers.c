/*
 * show crypto isakmp peers [A] [--json]
 * show crypto route [--json]
 * Laid out like IOS, from the live rows of ike_sas and sessions. A peer is listed once however
 * many IKE SAs it has (a phase 1 rekey overlaps the old and the new one). The routes are the
 * ones tunmgr installs for a session: the client's assigned address as a /32 on its vaN
 * (Framed-Routes are not in the store, so they are not shown).
 */
#include <arpa/inet.h>
#include <string.h>

#include "vpnctl/vpnctl.h"

static const char *txt(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return vctl_safe(v ? v : "");
}

static int finish(sqlite3 *h, sqlite3_stmt *s, int rc)
{
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (fflush(stdout) != 0)
		return 1;
	return rc == SQLITE_DONE ? 0 : 1;
}

static sqlite3_stmt *prepare(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		return NULL;
	}
	return s;
}

/* ---- show crypto isakmp peers ---- */

/*
 * Phase1 id: the group an aggressive-mode client named (its ID_KEY_ID), found through the
 * session of the same conn-id, else the live session from the same address and port (a
 * session moved to a new ISAKMP SA keeps its first id); the peer's address when neither.
 */
static const char peers_sql[] =
	"SELECT peer_addr, peer_port, local_addr, COALESCE(NULLIF(grp, ''), peer_addr) AS phase1_id,"
	" username, count(*) AS ike_sas, MAX(session_id) AS conn_id"
	" FROM (SELECT i.peer_addr, i.peer_port, i.local_addr, i.session_id,"
	/* SQLite's COALESCE stops at the first value: the by-address lookup only when needed */
	"  COALESCE((SELECT grp FROM sessions s WHERE s.run_id = i.run_id"
	"   AND s.session_id = i.session_id AND s.ended IS NULL),"
	"   (SELECT grp FROM sessions s WHERE s.peer_addr = i.peer_addr AND s.ended IS NULL"
	"   AND s.peer_port = i.peer_port ORDER BY s.started DESC LIMIT 1)) AS grp,"
	"  COALESCE((SELECT username FROM sessions s WHERE s.run_id = i.run_id"
	"   AND s.session_id = i.session_id AND s.ended IS NULL),"
	"   (SELECT username FROM sessions s WHERE s.peer_addr = i.peer_addr AND s.ended IS NULL"
	"   AND s.peer_port = i.peer_port ORDER BY s.started DESC LIMIT 1)) AS username"
	"  FROM ike_sas i WHERE i.ended IS NULL AND (?1 IS NULL OR i.peer_addr = ?1))"
	" GROUP BY peer_addr, peer_port, local_addr ORDER BY peer_addr, peer_port";
enum { P_PEER, P_PORT, P_LOCAL, P_ID };

int show_crypto_isakmp_peers(const struct vctx *c, int argc, char **argv)
{
	const char *want = NULL;
	if (argc > 1)
		return vctl_invalid(c);
	if (argc == 1 && (want = vctl_addr(argv[0])) == NULL)
		return 1;
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = prepare(h, peers_sql);
	if (!s) {
		sqlite3_close(h);
		return 1;
	}
	if (argc == 1)
		sqlite3_bind_text(s, 1, want, -1, SQLITE_STATIC);
	if (c->json)
		return finish(h, s, json_rows(stdout, s));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		printf("Peer: %s Port: %lld Local: %s\n", txt(s, P_PEER),
		       (long long)sqlite3_column_int64(s, P_PORT), txt(s, P_LOCAL));
		printf(" Phase1 id: %s\n", txt(s, P_ID));
	}
	return finish(h, s, rc);
}

/* ---- show crypto route ---- */

static const char route_sql[] =
	"SELECT assigned_addr || '/32' AS prefix, assigned_addr, peer_addr, unit, ifname,"
	" username, grp, session_id"
	" FROM sessions WHERE ended IS NULL AND assigned_addr IS NOT NULL"
	" AND assigned_addr NOT IN ('', '0.0.0.0') ORDER BY unit, id";
enum { R_PREFIX, R_ADDR, R_PEER, R_UNIT, R_IFNAME };

int show_crypto_route(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = prepare(h, route_sql);
	if (!s) {
		sqlite3_close(h);
		return 1;
	}
	if (c->json)
		return finish(h, s, json_rows(stdout, s));
	printf("VPN Routing Table: Shows RRI and VTI created routes\n"
	       "Codes: RRI - Reverse-Route, VTI- Virtual Tunnel Interface\n"
	       "        S - Static Map ACLs\n\n"
	       "Routes created in table GLOBAL DEFAULT\n");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char ifn[64];
		if (sqlite3_column_type(s, R_UNIT) != SQLITE_NULL)
			snprintf(ifn, sizeof(ifn), "Virtual-Access%lld",
			         (long long)sqlite3_column_int64(s, R_UNIT));
		else
			snprintf(ifn, sizeof(ifn), "%s", txt(s, R_IFNAME));
		/* a device route, no gateway: via 0.0.0.0 as IOS shows a dVTI's route */
		printf("%s/255.255.255.255 [1/0] via 0.0.0.0 tag 0\n", txt(s, R_ADDR));
		printf("                                on %s VTI\n", ifn);
	}
	return finish(h, s, rc);
}
