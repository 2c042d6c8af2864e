/*
 * show crypto session [brief | detail | history | summary] [username U | remote A | group G]
 * [--json]
 * Laid out like IOS's "show crypto session", from the sessions table. --json gives every
 * column of every matching row (SELECT *), so columns added by later schema versions appear
 * without a change here.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/msg.h"
#include "db/db.h"
#include "vpnctl/vpnctl.h"

enum mode { M_PLAIN, M_BRIEF, M_DETAIL, M_HISTORY };

/* The columns the text layouts read, in the order of enum col. */
static const char text_cols[] =
	"session_id, username, grp, profile, peer_addr, peer_port, local_addr, local_port,"
	" assigned_addr, ifname, unit, ike_spi_i, ike_spi_r, esp_spi_in, esp_spi_out, transform,"
	" started, ended, end_reason, pkts_in, pkts_out, bytes_in, bytes_out, drop_auth,"
	" drop_replay, drop_other, counters_at, assigned_addr6, delegated_prefix6, "
	DB_SESSION_STATUS_SQL
	", (SELECT i.caps FROM ike_sas i WHERE i.run_id = s.run_id AND i.session_id = s.session_id)";
enum col { C_SID, C_USER, C_GRP, C_PROFILE, C_PEER, C_PEERPORT, C_LOCAL, C_LOCALPORT, C_ADDR,
           C_IFNAME, C_UNIT, C_SPII, C_SPIR, C_ESPIN, C_ESPOUT, C_TRANSFORM, C_STARTED, C_ENDED,
           C_REASON, C_PKTIN, C_PKTOUT, C_BYTESIN, C_BYTESOUT, C_DAUTH, C_DREPLAY, C_DOTHER,
           C_COUNTERS_AT, C_ADDR6, C_DELEG6, C_STATUS, C_IKECAPS };

/* The filters, each a column compared with one bound value. */
static const struct filter {
	const char *kw;
	const char *cond;
} filters[] = {
	{ "username", "username = ?" },
	{ "remote",   "peer_addr = ?" },
	{ "group",    "grp = ?" },
};
#define NFILTERS (int)(sizeof(filters) / sizeof(filters[0]))

/* A text column made terminal-safe; "" for NULL. */
static const char *txt(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return vctl_safe(v ? v : "");
}

static long long num(sqlite3_stmt *s, int c)
{
	return (long long)sqlite3_column_int64(s, c);
}

static int has(sqlite3_stmt *s, int c)
{
	const unsigned char *v = sqlite3_column_text(s, c);
	return v && *v;
}

/* An address column holding one: 0.0.0.0 is how "none assigned" is stored. */
static int has_addr(sqlite3_stmt *s, int c)
{
	return has(s, c) && strcmp((const char *)sqlite3_column_text(s, c), "0.0.0.0") != 0;
}

static void interface(sqlite3_stmt *s, int brief, char *buf, size_t len)
{
	/* units start at 1: a session without one is on a device of its own (TunnelN) */
	if (sqlite3_column_type(s, C_UNIT) != SQLITE_NULL && num(s, C_UNIT) > 0)
		snprintf(buf, len, "%s%lld", brief ? "Vi" : "Virtual-Access", num(s, C_UNIT));
	else
		snprintf(buf, len, "%s", has(s, C_IFNAME) ? txt(s, C_IFNAME) : "(none)");
}

static double end_or_now(sqlite3_stmt *s)
{
	if (sqlite3_column_type(s, C_ENDED) != SQLITE_NULL)
		return sqlite3_column_double(s, C_ENDED);
	return (double)time(NULL);
}

static void print_counters(sqlite3_stmt *s)
{
	printf("        Inbound:  #pkts dec'ed %lld drop %lld bytes %lld\n", num(s, C_PKTIN),
	       num(s, C_DAUTH) + num(s, C_DREPLAY), num(s, C_BYTESIN));
	printf("        Outbound: #pkts enc'ed %lld bytes %lld\n", num(s, C_PKTOUT),
	       num(s, C_BYTESOUT));
	printf("        Drops: auth %lld replay %lld other %lld", num(s, C_DAUTH), num(s, C_DREPLAY),
	       num(s, C_DOTHER));
	if (sqlite3_column_type(s, C_COUNTERS_AT) != SQLITE_NULL) {
		char when[64];
		fmt_time(sqlite3_column_double(s, C_COUNTERS_AT), when, sizeof(when));
		printf(", counters at %s", when);
	}
	printf("\n");
}

static void print_session(sqlite3_stmt *s, enum mode m)
{
	char ifn[64], up[32];
	int detail = m == M_DETAIL, history = m == M_HISTORY;
	interface(s, 0, ifn, sizeof(ifn));
	fmt_uptime(end_or_now(s) - sqlite3_column_double(s, C_STARTED), up, sizeof(up));

	printf("Interface: %s\n", ifn);
	if (has(s, C_USER))
		printf("Username: %s\n", txt(s, C_USER));
	if (has(s, C_PROFILE))
		printf("Profile: %s\n", txt(s, C_PROFILE));
	if (has(s, C_GRP))
		printf("Group: %s\n", txt(s, C_GRP));
	if (has_addr(s, C_ADDR))
		printf("Assigned address: %s\n", txt(s, C_ADDR));
	if (has(s, C_ADDR6))
		printf("Assigned IPv6 address: %s\n", txt(s, C_ADDR6));
	if (has(s, C_DELEG6))
		printf("Delegated IPv6 prefix: %s\n", txt(s, C_DELEG6));
	if (detail)
		printf("Uptime: %s\n", up);
	if (history) {
		char t0[64], t1[64];
		fmt_time(sqlite3_column_double(s, C_STARTED), t0, sizeof(t0));
		fmt_time(sqlite3_column_double(s, C_ENDED), t1, sizeof(t1));
		printf("Session status: DOWN\n");
		printf("Started: %s\nEnded: %s (uptime %s)\n", t0, t1, up);
		printf("End reason: %s\n", has(s, C_REASON) ? txt(s, C_REASON) : "(none)");
	} else {
		printf("Session status: %s\n", txt(s, C_STATUS));
	}
	printf("Peer: %s port %lld%s\n", txt(s, C_PEER), num(s, C_PEERPORT),
	       detail ? " fvrf: (none) ivrf: (none)" : "");
	if (detail) {
		printf("      Phase1_id: %s\n", has(s, C_GRP) ? txt(s, C_GRP) : txt(s, C_PEER));
		printf("      Desc: (none)\n");
		printf("  Session ID: %lld\n", num(s, C_SID));
	}
	printf("  IKEv%d SA: local %s/%lld remote %s/%lld %s\n", num(s, C_IKECAPS) & IKE_CAP_V2 ? 2 : 1,
	       txt(s, C_LOCAL), num(s, C_LOCALPORT), txt(s, C_PEER), num(s, C_PEERPORT),
	       history ? "Inactive" : "Active");
	if (detail) {
		/* C: mode config gave an address, N: NAT-T (UDP 4500), X: XAUTH user */
		printf("          Capabilities:%s%s%s connid:%lld\n", has_addr(s, C_ADDR) ? "C" : "",
		       num(s, C_PEERPORT) != 500 || num(s, C_LOCALPORT) == 4500 ? "N" : "",
		       has(s, C_USER) ? "X" : "", num(s, C_SID));
		printf("          Cookies: i %s r %s\n", txt(s, C_SPII), txt(s, C_SPIR));
	}
	/* a session we dialled out (Easy VPN remote, profile "ezvpn NAME": no configured
	 * profile name has a space) carries our address to anything; the hub's, anything to
	 * the client */
	int ours = has(s, C_PROFILE) && !strncmp(txt(s, C_PROFILE), "ezvpn ", 6);
	if (has_addr(s, C_ADDR) && ours)
		printf("  IPSEC FLOW: permit ip host %s 0.0.0.0/0.0.0.0\n", txt(s, C_ADDR));
	else if (has_addr(s, C_ADDR))
		printf("  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 host %s\n", txt(s, C_ADDR));
	else
		printf("  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0\n");
	printf("        Active SAs: %d, origin: crypto map\n", history ? 0 : 2);
	if (detail || history) {
		printf("        Transform: %s, spi in 0x%s out 0x%s\n", txt(s, C_TRANSFORM),
		       txt(s, C_ESPIN), txt(s, C_ESPOUT));
		print_counters(s);
	}
	printf("\n");
}

static void print_brief_header(void)
{
	printf("Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, N - Negotiating\n"
	       "        K - No IKE\n"
	       "ivrf = (none)\n"
	       "%-15s %-12s %-15s %-24s %-8s %s\n", "Peer", "I/F", "Username", "Group/Phase1_id",
	       "Uptime", "Status");
}

static void print_brief(sqlite3_stmt *s)
{
	char ifn[64], up[32];
	interface(s, 1, ifn, sizeof(ifn));
	fmt_uptime(end_or_now(s) - sqlite3_column_double(s, C_STARTED), up, sizeof(up));
	/* IOS's letters: U(p) with A(ctive), I(dle) or K (no IKE) */
	const char *st = txt(s, C_STATUS);
	printf("%-15s %-12s %-15s %-24s %-8s %s\n", txt(s, C_PEER), ifn,
	       has(s, C_USER) ? txt(s, C_USER) : "-", has(s, C_GRP) ? txt(s, C_GRP) : "-", up,
	       !strcmp(st, "UP-ACTIVE") ? "UA" : !strcmp(st, "UP-IDLE") ? "UI" : "UK");
}

/* The filters typed into VALUE; the exit status of a refusal, or -1. */
static int parse_filters(const struct vctx *c, int argc, char **argv,
                         const char *value[NFILTERS])
{
	for (int i = 0; i < argc; i += 2) {
		int f;
		for (f = 0; f < NFILTERS; f++)
			if (vctl_kw(argv[i], filters[f].kw))
				break;
		if (f == NFILTERS || i + 1 == argc || value[f])
			return vctl_invalid(c);
		value[f] = argv[i + 1];
	}
	if (value[1] && (value[1] = vctl_addr(value[1])) == NULL)
		return 1;
	return -1;
}

/* " AND cond" for each filter given, appended at SQL + N; bound in the same order. */
static int add_filters(char *sql, size_t len, int n, const char *value[NFILTERS])
{
	for (int f = 0; f < NFILTERS; f++)
		if (value[f])
			n += snprintf(sql + n, len - (size_t)n, " AND %s", filters[f].cond);
	return n;
}

static void bind_filters(sqlite3_stmt *s, const char *value[NFILTERS])
{
	for (int f = 0, k = 1; f < NFILTERS; f++)
		if (value[f])
			sqlite3_bind_text(s, k++, value[f], -1, SQLITE_STATIC);
}

static int show(const struct vctx *c, enum mode m, int argc, char **argv)
{
	const char *value[NFILTERS] = { NULL };
	int bad = parse_filters(c, argc, argv, value);
	if (bad >= 0)
		return bad;

	/* Built from the fixed fragments above only; every value given is bound. */
	char sql[2048];
	int n = snprintf(sql, sizeof(sql), "SELECT %s FROM sessions s WHERE ended IS %s",
	                 c->json ? "*, " DB_SESSION_STATUS_SQL " AS status" : text_cols,
	                 m == M_HISTORY ? "NOT NULL" : "NULL");
	n = add_filters(sql, sizeof(sql), n, value);
	snprintf(sql + n, sizeof(sql) - (size_t)n, " ORDER BY %s",
	         m == M_HISTORY ? "ended DESC, id DESC" : "unit, id");

	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		sqlite3_close(h);
		return 1;
	}
	bind_filters(s, value);

	int rc;
	if (c->json) {
		rc = json_rows(stdout, s);
	} else {
		printf("Crypto session %s\n\n", m == M_HISTORY ? "history" : "current status");
		if (m == M_DETAIL)
			printf("Code: C - IKE Configuration mode, D - Dead Peer Detection\n"
			       "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation\n"
			       "X - IKE Extended Authentication, F - IKE Fragmentation\n\n");
		if (m == M_BRIEF)
			print_brief_header();
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (m == M_BRIEF)
				print_brief(s);
			else
				print_session(s, m);
		}
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (fflush(stdout) != 0)
		return 1;
	return rc == SQLITE_DONE ? 0 : 1;
}

int show_crypto_session(const struct vctx *c, int argc, char **argv)
{
	return show(c, M_PLAIN, argc, argv);
}

int show_crypto_session_brief(const struct vctx *c, int argc, char **argv)
{
	return show(c, M_BRIEF, argc, argv);
}

int show_crypto_session_detail(const struct vctx *c, int argc, char **argv)
{
	return show(c, M_DETAIL, argc, argv);
}

int show_crypto_session_history(const struct vctx *c, int argc, char **argv)
{
	return show(c, M_HISTORY, argc, argv);
}

/*
 * show crypto session summary [filters]: the live sessions counted, in all and per group
 * (distinct users and peers too: one user may hold several sessions).
 */
static const char summary_cols[] =
	"count(*) AS sessions, count(DISTINCT username) AS users,"
	" count(DISTINCT peer_addr) AS peers,"
	" sum((" DB_SESSION_STATUS_SQL ") = 'UP-ACTIVE') AS active";

static sqlite3_stmt *summary_query(sqlite3 *h, int per_group, const char *value[NFILTERS])
{
	char sql[2048];
	sqlite3_stmt *s;
	int n = snprintf(sql, sizeof(sql), "SELECT %s%s FROM sessions s WHERE ended IS NULL",
	                 per_group ? "COALESCE(grp, '') AS grp, " : "", summary_cols);
	n = add_filters(sql, sizeof(sql), n, value);
	if (per_group)
		snprintf(sql + n, sizeof(sql) - (size_t)n, " GROUP BY grp ORDER BY grp");
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		return NULL;
	}
	bind_filters(s, value);
	return s;
}

int show_crypto_session_summary(const struct vctx *c, int argc, char **argv)
{
	const char *value[NFILTERS] = { NULL };
	int bad = parse_filters(c, argc, argv, value);
	if (bad >= 0)
		return bad;
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *t = summary_query(h, 0, value), *g = summary_query(h, 1, value);
	int rc = SQLITE_ERROR;
	if (!t || !g || sqlite3_step(t) != SQLITE_ROW)
		goto out;
	if (c->json) {
		printf("{\"sessions\": %lld, \"users\": %lld, \"peers\": %lld, \"up_active\": %lld, "
		       "\"groups\": ", num(t, 0), num(t, 1), num(t, 2), num(t, 3));
		rc = json_rows(stdout, g);
		printf("}\n");
		goto out;
	}
	printf("Crypto session summary\n\n");
	printf("Total sessions: %lld (UP-ACTIVE %lld)\n", num(t, 0), num(t, 3));
	printf("Users: %lld  Peers: %lld\n\n", num(t, 1), num(t, 2));
	printf("%-24s %8s %8s %8s\n", "Group", "Sessions", "Users", "Peers");
	while ((rc = sqlite3_step(g)) == SQLITE_ROW)
		printf("%-24s %8lld %8lld %8lld\n", has(g, 0) ? txt(g, 0) : "-", num(g, 1),
		       num(g, 2), num(g, 3));
out:
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(t);
	sqlite3_finalize(g);
	sqlite3_close(h);
	if (fflush(stdout) != 0)
		return 1;
	return rc == SQLITE_DONE ? 0 : 1;
}
