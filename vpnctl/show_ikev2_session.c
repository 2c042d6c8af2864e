/*
 * show crypto ikev2 session [detailed] [--json]
 * IOS XE's layout: per IKEv2 session its status and SA counts, the IKE SA as show crypto ikev2
 * sa prints it (with detailed, its details: Local id is the identity the hub sent), then each child SA's selectors and SPIs. Only
 * IKEv2 sessions: IKEv1's are show crypto session's.
 *
 * A session holds one IKE SA here (a rekey replaces it, the store keeps one row per session),
 * so IKE count is 1. The status: UP-ACTIVE with a child SA, UP-IDLE without one, and
 * DOWN-NEGOTIATING while the IKE SA is not READY yet.
 *
 * The hub's selector is recorded only when it is a network (split tunnelling; the first of
 * several): a child SA without one carries everything, 0.0.0.0 - 255.255.255.255.
 *
 * --json: one object per session, the SA's row (as show crypto ikev2 sa --json gives it) with
 * status, ike_count, child_count, and children: the ipsec_sas rows of its live child SAs.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "common/msg.h"
#include "vpnctl/show_ikev2.h"
#include "vpnctl/vpnctl.h"

#define V2_NCHILD \
	" (SELECT COUNT(*) FROM ipsec_sas p WHERE p.run_id = i.run_id" \
	"  AND p.session_id = i.session_id AND p.ended IS NULL)"
#define V2_STATUS \
	" CASE WHEN i.state != 'READY' THEN 'DOWN-NEGOTIATING' WHEN" V2_NCHILD " > 0" \
	" THEN 'UP-ACTIVE' ELSE 'UP-IDLE' END"
static const char sess_sql[] =
	"SELECT" V2_SA_COLS ", i.run_id," V2_NCHILD "," V2_STATUS V2_SA_FROM
	" ORDER BY i.session_id";
enum { S_RUN = V_NCOLS, S_NCHILD, S_STATUS };
static const char sess_json_sql[] =
	"SELECT i.*, MAX(0, CAST(?1 - i.established AS INTEGER)) AS active_seconds,"
	" s.username AS remote_id, s.assigned_addr AS pushed_addr," V2_STATUS " AS status,"
	" 1 AS ike_count," V2_NCHILD " AS child_count" V2_SA_FROM " ORDER BY i.session_id";
static const char child_sql[] =
	"SELECT spi_in, spi_out, remote_ident, local_ident, local_mask FROM ipsec_sas"
	" WHERE run_id = ?1 AND session_id = ?2 AND ended IS NULL ORDER BY installed, id";
static const char child_json_sql[] =
	"SELECT * FROM ipsec_sas WHERE run_id = ?1 AND session_id = ?2 AND ended IS NULL"
	" ORDER BY installed, id";
enum { C_SPIIN, C_SPIOUT, C_REMOTE, C_LOCAL, C_LMASK };

static const char *col(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return v ? v : "";
}

/* "10.0.0.0/0 - 10.0.255.255/65535": a selector as IOS prints it, all protocols and ports.
 * ADDR (and MASK) as the store keeps them; none, or 0.0.0.0, is everything. */
static void selector(const char *addr, const char *mask, char *out, size_t len)
{
	struct in_addr a, m;
	if (inet_pton(AF_INET, addr, &a) != 1 || a.s_addr == 0) {
		snprintf(out, len, "0.0.0.0/0 - 255.255.255.255/65535");
		return;
	}
	if (!*mask || inet_pton(AF_INET, mask, &m) != 1)
		m.s_addr = 0xffffffffu;
	struct in_addr hi = { .s_addr = a.s_addr | ~m.s_addr };
	char lo_s[INET_ADDRSTRLEN], hi_s[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, lo_s, sizeof(lo_s));
	inet_ntop(AF_INET, &hi, hi_s, sizeof(hi_s));
	snprintf(out, len, "%s/0 - %s/65535", lo_s, hi_s);
}

/* A hex SPI column ("c1a2b3d4") as IOS writes it: 0xC1A2B3D4 */
static void spi(const char *hex, char *out, size_t len)
{
	snprintf(out, len, "0x");
	size_t n = 2;
	for (; *hex && n + 1 < len; hex++)
		out[n++] = (char)(*hex >= 'a' && *hex <= 'f' ? *hex - 'a' + 'A' : *hex);
	out[n] = '\0';
}

static int children_text(sqlite3_stmt *c)
{
	int rc;
	while ((rc = sqlite3_step(c)) == SQLITE_ROW) {
		char local[80], remote[80], in[24], out[24];
		selector(col(c, C_LOCAL), col(c, C_LMASK), local, sizeof(local));
		selector(col(c, C_REMOTE), "", remote, sizeof(remote));
		spi(col(c, C_SPIIN), in, sizeof(in));
		spi(col(c, C_SPIOUT), out, sizeof(out));
		printf("Child sa: local selector  %s\n", local);
		printf("          remote selector %s\n", remote);
		printf("          ESP spi in/out: %s/%s\n", vctl_safe(in), vctl_safe(out));
	}
	return rc;
}

static int family_text(sqlite3_stmt *s, sqlite3_stmt *c, int v6, int detail)
{
	int rc;
	printf(" %s Crypto IKEv2 Session\n\n", v6 ? "IPv6" : "IPv4");
	sqlite3_reset(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((strchr(col(s, V_PEER), ':') != NULL) != v6)
			continue;
		printf("Session-id:%lld, Status:%s, IKE count:1, CHILD count:%lld\n\n",
		       (long long)sqlite3_column_int64(s, V_ID), vctl_safe(col(s, S_STATUS)),
		       (long long)sqlite3_column_int64(s, S_NCHILD));
		v2_sa_heading();
		v2_sa_lines(s, detail);
		sqlite3_reset(c);
		sqlite3_bind_int64(c, 1, sqlite3_column_int64(s, S_RUN));
		sqlite3_bind_int64(c, 2, sqlite3_column_int64(s, V_ID));
		if (children_text(c) != SQLITE_DONE)
			return SQLITE_ERROR;
		printf("\n");
	}
	return rc;
}

static int sessions_json(sqlite3_stmt *s, sqlite3_stmt *c)
{
	int rc, rows = 0;
	printf("[\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		printf(rows++ ? ",\n  {" : "  {");
		json_fields(stdout, s);
		printf(", \"children\": ");
		sqlite3_reset(c);
		/* the columns run_id and session_id of i.* */
		for (int k = 0; k < sqlite3_column_count(s); k++) {
			const char *name = sqlite3_column_name(s, k);
			if (!strcmp(name, "run_id"))
				sqlite3_bind_int64(c, 1, sqlite3_column_int64(s, k));
			else if (!strcmp(name, "session_id"))
				sqlite3_bind_int64(c, 2, sqlite3_column_int64(s, k));
		}
		if (json_rows(stdout, c) != SQLITE_DONE)
			return SQLITE_ERROR;
		printf("}");
	}
	printf(rows ? "\n]\n" : "]\n");
	return rc;
}

static int session(const struct vctx *c, int argc, int detail)
{
	if (argc != 0)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = NULL, *ch = NULL;
	int rc = SQLITE_ERROR;
	if (sqlite3_prepare_v2(h, c->json ? sess_json_sql : sess_sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, c->json ? child_json_sql : child_sql, -1, &ch, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(s, 2, IKE_CAP_V2);
	if (c->json) {
		rc = sessions_json(s, ch);
	} else {
		rc = family_text(s, ch, 0, detail);
		if (rc == SQLITE_DONE)
			rc = family_text(s, ch, 1, detail);
	}
out:
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(ch);
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (fflush(stdout) != 0)
		return 1;
	return rc == SQLITE_DONE ? 0 : 1;
}

int show_crypto_ikev2_session(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return session(c, argc, 0);
}

int show_crypto_ikev2_session_detailed(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return session(c, argc, 1);
}
