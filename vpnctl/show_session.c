/*
 * show crypto session [detail] [username U | remote A | group G] [--json]
 * show crypto session history [--json]
 * Laid out like IOS's "show crypto session", from the sessions table.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpnctl/vpnctl.h"

static const char *cols[] = {
	"session_id", "username", "grp", "profile", "peer_addr", "peer_port", "local_addr",
	"local_port", "assigned_addr", "ifname", "unit", "ike_spi_i", "ike_spi_r", "esp_spi_in",
	"esp_spi_out", "transform", "started", "ended", "end_reason", "pkts_in", "pkts_out",
	"bytes_in", "bytes_out", "drop_auth", "drop_replay", "drop_other", "counters_at",
};
#define NCOLS (int)(sizeof(cols) / sizeof(cols[0]))
enum { C_SID, C_USER, C_GRP, C_PROFILE, C_PEER, C_PEERPORT, C_LOCAL, C_LOCALPORT, C_ADDR,
       C_IFNAME, C_UNIT, C_SPII, C_SPIR, C_ESPIN, C_ESPOUT, C_TRANSFORM, C_STARTED, C_ENDED,
       C_REASON, C_PKTIN, C_PKTOUT, C_BYTESIN, C_BYTESOUT, C_DAUTH, C_DREPLAY, C_DOTHER,
       C_COUNTERS_AT };

static const char *txt(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return v ? v : "";
}

static void uptime(double started, double until, char *buf, size_t len)
{
	long secs = (long)(until - started);
	if (secs < 0)
		secs = 0;
	snprintf(buf, len, "%02ld:%02ld:%02ld", secs / 3600, (secs / 60) % 60, secs % 60);
}

static void print_json_row(sqlite3_stmt *s, int first)
{
	printf("%s  {", first ? "" : ",\n");
	for (int c = 0; c < NCOLS; c++) {
		printf("%s\"%s\": ", c ? ", " : "", cols[c]);
		switch (sqlite3_column_type(s, c)) {
		case SQLITE_NULL: fputs("null", stdout); break;
		case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(s, c)); break;
		case SQLITE_FLOAT: printf("%.3f", sqlite3_column_double(s, c)); break;
		default: json_str(stdout, txt(s, c));
		}
	}
	printf("}");
}

static void print_text_row(const struct vctx *c, sqlite3_stmt *s, int history)
{
	double now = (double)time(NULL);
	char up[32];
	double started = sqlite3_column_double(s, C_STARTED);
	double ended = sqlite3_column_type(s, C_ENDED) == SQLITE_NULL ? now
	                                                                : sqlite3_column_double(s, C_ENDED);
	uptime(started, ended, up, sizeof(up));
	printf("Interface: Virtual-Access%d\n", sqlite3_column_int(s, C_UNIT));
	if (c->detail || history)
		printf("Uptime: %s\n", up);
	printf("Username: %s\n", txt(s, C_USER));
	printf("Profile: %s\n", txt(s, C_PROFILE));
	printf("Group: %s\n", txt(s, C_GRP));
	printf("Assigned address: %s\n", txt(s, C_ADDR));
	if (history) {
		char when[32];
		time_t t = (time_t)ended;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
		printf("Session status: DOWN (%s) at %s UTC\n", txt(s, C_REASON), when);
	} else {
		printf("Session status: UP-ACTIVE\n");
	}
	printf("Peer: %s port %d%s\n", txt(s, C_PEER), sqlite3_column_int(s, C_PEERPORT),
	       c->detail ? " fvrf: (none) ivrf: (none)" : "");
	if (c->detail)
		printf("      Phase1_id: %s\n      Desc: (none)\n", txt(s, C_GRP));
	printf("  IKEv1 SA: local %s/%d remote %s/%d %s\n", txt(s, C_LOCAL),
	       sqlite3_column_int(s, C_LOCALPORT), txt(s, C_PEER), sqlite3_column_int(s, C_PEERPORT),
	       history ? "Inactive" : "Active");
	if (c->detail)
		printf("          Capabilities:%s connid:%lld\n", "CX",
		       (long long)sqlite3_column_int64(s, C_SID));
	printf("  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 host %s\n", txt(s, C_ADDR));
	printf("        Active SAs: %d, origin: crypto map\n", history ? 0 : 2);
	if (c->detail || history) {
		printf("        Transform: %s, SPI in %s out %s\n", txt(s, C_TRANSFORM), txt(s, C_ESPIN),
		       txt(s, C_ESPOUT));
		printf("        Inbound:  #pkts dec'ed %lld drop %lld (auth %lld replay %lld) bytes %lld\n",
		       (long long)sqlite3_column_int64(s, C_PKTIN),
		       (long long)(sqlite3_column_int64(s, C_DAUTH) + sqlite3_column_int64(s, C_DREPLAY)),
		       (long long)sqlite3_column_int64(s, C_DAUTH),
		       (long long)sqlite3_column_int64(s, C_DREPLAY),
		       (long long)sqlite3_column_int64(s, C_BYTESIN));
		printf("        Outbound: #pkts enc'ed %lld drop %lld bytes %lld\n",
		       (long long)sqlite3_column_int64(s, C_PKTOUT),
		       (long long)sqlite3_column_int64(s, C_DOTHER),
		       (long long)sqlite3_column_int64(s, C_BYTESOUT));
	}
	printf("\n");
}

static int run(const struct vctx *c, const char *where, const char *arg, int history)
{
	char sql[2048];
	size_t n = 0;
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, "SELECT ");
	for (int i = 0; i < NCOLS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", i ? ", " : "", cols[i]);
	snprintf(sql + n, sizeof(sql) - n, " FROM sessions WHERE %s%s%s ORDER BY %s",
	         history ? "ended IS NOT NULL" : "ended IS NULL", where ? " AND " : "",
	         where ? where : "", history ? "ended DESC" : "unit");
	sqlite3 *h = vctl_db(c);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		sqlite3_close(h);
		return 1;
	}
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	int first = 1;
	if (c->json)
		printf("[\n");
	else
		printf("Crypto session %s\n\n", history ? "history" : "current status");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (c->json)
			print_json_row(s, first);
		else
			print_text_row(c, s, history);
		first = 0;
	}
	if (c->json)
		printf("%s]\n", first ? "" : "\n");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return 0;
}

int show_crypto_session(const struct vctx *c, int argc, char **argv)
{
	const char *where = NULL, *arg = NULL;
	if (argc >= 2) {
		if (!strcmp(argv[0], "username"))
			where = "username = ?1";
		else if (!strcmp(argv[0], "group"))
			where = "grp = ?1";
		else if (!strcmp(argv[0], "remote")) {
			struct in_addr a;
			if (inet_pton(AF_INET, argv[1], &a) != 1) {
				fprintf(stderr, "%% Invalid address: '%s'\n", argv[1]);
				return 1;
			}
			where = "peer_addr = ?1";
		}
		arg = argv[1];
		argc -= 2;
	}
	if (argc != 0 || (arg && !where)) {
		fprintf(stderr, "%% Invalid input: expected [detail] [username U | remote A | group G]\n");
		return 1;
	}
	return run(c, where, arg, 0);
}

int show_crypto_session_history(const struct vctx *c, int argc, char **argv)
{
	if (argc) {
		fprintf(stderr, "%% Invalid input: '%s'\n", argv[0]);
		return 1;
	}
	return run(c, NULL, NULL, 1);
}
