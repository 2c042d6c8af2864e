/*
 * show crypto ikev2 sa [detail] [--json]
 * IOS's layout from the live ike_sas rows of IKEv2 SAs (caps IKE_CAP_V2); show crypto isakmp sa
 * lists the others. The session row of the same SA (LEFT JOIN: an SA still negotiating has
 * none) gives the peer's identity and the address pushed to it; the SA's row our own (IDr). --json gives every column of
 * those ike_sas rows plus active_seconds, remote_id and pushed_addr.
 *
 * ikemgr writes IKEv2 words into encr and hash: encr "aes-cbc-256", hash the PRF's "sha256".
 * IOS also names the integrity hash; the row does not record it, so it is printed as
 * "unknown" for CBC ciphers unless hash holds "PRF/INTEG" ("sha256/sha512"). GCM has none.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "common/msg.h"
#include "vpnctl/show_ikev2.h"
#include "vpnctl/vpnctl.h"

static const char v2_sql[] = "SELECT" V2_SA_COLS V2_SA_FROM " ORDER BY i.session_id";
static const char v2_json_sql[] =
	"SELECT i.*, MAX(0, CAST(?1 - i.established AS INTEGER)) AS active_seconds,"
	" s.username AS remote_id, s.assigned_addr AS pushed_addr" V2_SA_FROM
	" ORDER BY i.session_id";

static const char *txt(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return vctl_safe(v ? v : "");
}

static long long num(sqlite3_stmt *s, int c)
{
	return (long long)sqlite3_column_int64(s, c);
}

static void upper(char *p)
{
	for (; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* "aes-cbc-256" -> "AES-CBC, keysize: 256"; "3des" -> "3DES"; anything else upper-cased */
static void ios_encr(const char *word, char *out, size_t len)
{
	const char *dash = strrchr(word, '-'), *bits = NULL;
	size_t n = strlen(word);
	if (dash && dash != word && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1)) {
		n = (size_t)(dash - word);
		bits = dash + 1;
	}
	snprintf(out, len, "%.*s", (int)n, word);
	upper(out);
	if (bits && strlen(out) + strlen(bits) + 12 < len)
		snprintf(out + strlen(out), len - strlen(out), ", keysize: %s", bits);
}

/* IOS's own words for the integrity hashes: HMAC-SHA1-96 is "SHA96" */
static const char *ios_integ(const char *w)
{
	return !strcmp(w, "sha1") ? "SHA96" : !strcmp(w, "md5") ? "MD596" : NULL;
}

static void algs_line(sqlite3_stmt *s)
{
	char encr[64], prf[40], hash[40];
	const char *e = txt(s, V_ENCR);
	ios_encr(e, encr, sizeof(encr));
	snprintf(prf, sizeof(prf), "%s", txt(s, V_HASH));
	char *slash = strchr(prf, '/');
	if (slash)
		*slash++ = '\0';
	if (!strncmp(e, "aes-gcm", 7)) {
		snprintf(hash, sizeof(hash), "None");     /* an AEAD: no integrity transform */
	} else if (slash && *slash) {
		snprintf(hash, sizeof(hash), "%s", ios_integ(slash) ? ios_integ(slash) : slash);
		upper(hash);
	} else {
		snprintf(hash, sizeof(hash), "unknown");
	}
	upper(prf);
	/* "psk", or "SIGN/VERIFY" (ours, the peer's) when they differ */
	char auth[24], *verify;
	snprintf(auth, sizeof(auth), "%s", txt(s, V_AUTH));
	upper(auth);
	verify = strchr(auth, '/');
	if (verify)
		*verify++ = 0;
	printf("      Encr: %s, PRF: %s, Hash: %s, DH Grp:%lld, Auth sign: %s, Auth verify: %s\n",
	       encr, prf, hash, num(s, V_DH), auth, verify ? verify : auth);
	printf("      Life/Active Time: %lld/%lld sec\n", num(s, V_LIFE), num(s, V_ACTIVE));
}

static void detail_lines(sqlite3_stmt *s)
{
	char spi_i[24], spi_r[24];
	snprintf(spi_i, sizeof(spi_i), "%s", txt(s, V_SPII));
	snprintf(spi_r, sizeof(spi_r), "%s", txt(s, V_SPIR));
	upper(spi_i);
	upper(spi_r);
	const char *state = txt(s, V_STATE);
	printf("      Session-id: %lld\n", num(s, V_ID));
	printf("      Status Description: %s\n", !strcmp(state, "READY") ? "Negotiation done" :
	       "Negotiation in progress");
	/* the hub is the responder: its SPI is the responder's */
	printf("      Local spi: %-16s       Remote spi: %s\n", spi_r, spi_i);
	if (sqlite3_column_type(s, V_LOCALID) != SQLITE_NULL)
		printf("      Local id: %s\n", txt(s, V_LOCALID));
	if (sqlite3_column_type(s, V_USER) != SQLITE_NULL)
		printf("      Remote id: %s\n", txt(s, V_USER));
	/* liveness is answered, never started by the hub yet */
	printf("      DPD configured for 0 seconds, retry 0\n");
	printf("      Fragmentation not configured.\n");
	printf("      Extended Authentication not configured.\n");
	printf("      NAT-T is %s\n", num(s, V_CAPS) & IKE_CAP_NAT ? "detected outside" :
	       "not detected");
	printf("      Cisco Trust Security SGT is disabled\n");
	printf("      Initiator of SA : No\n");
	const char *pushed = txt(s, V_PUSHED);
	if (*pushed && strcmp(pushed, "0.0.0.0") != 0)
		printf("      Pushed IP address: %s\n", pushed);
}

void v2_sa_heading(void)
{
	printf("Tunnel-id Local                 Remote                fvrf/ivrf"
	       "            Status\n");
}

void v2_sa_lines(sqlite3_stmt *s, int detail)
{
	char local[64], remote[64];
	snprintf(local, sizeof(local), "%s/%lld", txt(s, V_LOCAL), num(s, V_LPORT));
	snprintf(remote, sizeof(remote), "%s/%lld", txt(s, V_PEER), num(s, V_PPORT));
	printf("%-9lld %-21s %-21s %-20s %s\n", num(s, V_ID), local, remote, "none/none",
	       txt(s, V_STATE));
	algs_line(s);
	if (detail)
		detail_lines(s);
}

/* IOS lists IPv4 SAs, then IPv6 SAs, each under its own heading: one pass per family */
static int family(sqlite3_stmt *s, int v6, int detail)
{
	int rc, head = 0;
	printf("%s Crypto IKEv2  SA\n\n", v6 ? "IPv6" : "IPv4");
	sqlite3_reset(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((strchr(txt(s, V_PEER), ':') != NULL) != v6)
			continue;
		if (!head++)
			v2_sa_heading();
		v2_sa_lines(s, detail);
		if (detail)
			printf("\n");
	}
	if (head && !detail)
		printf("\n");
	return rc;
}

static int ikev2(const struct vctx *c, int argc, int detail)
{
	if (argc != 0)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, c->json ? v2_json_sql : v2_sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		sqlite3_close(h);
		return 1;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(s, 2, IKE_CAP_V2);
	int rc = c->json ? json_rows(stdout, s) : family(s, 0, detail);
	if (!c->json && rc == SQLITE_DONE)
		rc = family(s, 1, detail);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (fflush(stdout) != 0)
		return 1;
	return rc == SQLITE_DONE ? 0 : 1;
}

int show_crypto_ikev2_sa(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return ikev2(c, argc, 0);
}

int show_crypto_ikev2_sa_detail(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return ikev2(c, argc, 1);
}
