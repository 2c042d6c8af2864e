/*
 * show crypto isakmp sa [detail] [--json]   (IKEv1 SAs; show_ikev2.c has the IKEv2 ones)
 * show crypto ipsec sa [peer A] [interface vaN | Virtual-AccessN | cmN | IFACE] [--json]
 * Laid out like IOS, from the ike_sas and ipsec_sas tables (schema 2). Remaining lifetimes are
 * computed here from the install time and the lifetimes the rows keep. --json gives every
 * column of the live rows plus the computed ones (remaining_seconds, remaining_kb_*).
 * Manual crypto map entries (schema 6: crypto_map set) come first, under the interface the
 * map is applied to, with the ACE as identities and no lifetime (null in --json).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/msg.h"
#include "vpnctl/vpnctl.h"

static const char *txt(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return vctl_safe(v ? v : "");
}

static long long num(sqlite3_stmt *s, int c)
{
	return (long long)sqlite3_column_int64(s, c);
}

/* Prepare SQL on the store, bind now as ?1 and the filters as ?2, ?3; NULL after an error. */
static sqlite3_stmt *query(sqlite3 *h, const char *sql, const char *v2, const char *v3)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s\n", sqlite3_errmsg(h));
		return NULL;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	if (v2)
		sqlite3_bind_text(s, 2, v2, -1, SQLITE_STATIC);
	if (v3)
		sqlite3_bind_text(s, 3, v3, -1, SQLITE_STATIC);
	return s;
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

static void hms(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	snprintf(buf, len, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
}

/* ---- show crypto isakmp sa ---- */

/* IKEv1 only, as IOS: IKEv2 SAs (caps IKE_CAP_V2, bound as ?2) are show crypto ikev2 sa's */
#define ISAKMP_FROM " FROM ike_sas WHERE ended IS NULL AND (IFNULL(caps, 0) & ?2) = 0" \
	" ORDER BY session_id"
#define ISAKMP_REMAIN " MAX(0, lifetime - CAST(?1 - established AS INTEGER))"
/* we initiated it: the SA of a live Easy VPN remote attempt (its row in table ezvpn) */
#define ISAKMP_INITIATOR \
	" EXISTS (SELECT 1 FROM ezvpn z WHERE z.run_id = ike_sas.run_id" \
	" AND z.session_id = ike_sas.session_id)"
static const char isakmp_sql[] =
	"SELECT local_addr, peer_addr, state, session_id, encr, hash, auth, dh_group, caps,"
	ISAKMP_REMAIN "," ISAKMP_INITIATOR ISAKMP_FROM;
static const char isakmp_json_sql[] =
	"SELECT session_id AS conn_id, 'ACTIVE' AS status, *," ISAKMP_REMAIN " AS remaining_seconds,"
	ISAKMP_INITIATOR " AS initiator" ISAKMP_FROM;
enum { K_LOCAL, K_PEER, K_STATE, K_CONN, K_ENCR, K_HASH, K_AUTH, K_DH, K_CAPS, K_REMAIN,
       K_INITIATOR };

static void isakmp_line(sqlite3_stmt *s, int detail)
{
	if (!detail) {
		/* dst is the responder, src the initiator: the client, or us dialling out */
		int init = num(s, K_INITIATOR) != 0;
		char local[48];
		snprintf(local, sizeof(local), "%s", txt(s, K_LOCAL));
		printf("%-15s %-15s %-14s %7lld ACTIVE\n", init ? txt(s, K_PEER) : local,
		       init ? local : txt(s, K_PEER), txt(s, K_STATE), num(s, K_CONN));
		return;
	}
	char life[32], encr[32], caps[8];
	int n = 0;
	long long c = num(s, K_CAPS);
	hms(num(s, K_REMAIN), life, sizeof(life));
	snprintf(encr, sizeof(encr), "%s", txt(s, K_ENCR));
	for (char *p = encr; *p; p++)          /* "aes 256" -> "aes256": one column */
		if (*p == ' ')
			memmove(p, p + 1, strlen(p));
	if (c & 1)
		caps[n++] = 'C';
	if (c & 2)
		caps[n++] = 'D';
	if (c & 4)
		caps[n++] = 'N';
	if (c & 8)
		caps[n++] = 'X';
	caps[n] = '\0';
	printf("%-5lld %-15s %-15s %-6s ACTIVE %-6s %-6s %-4s %-2lld %s %s\n", num(s, K_CONN),
	       txt(s, K_LOCAL), txt(s, K_PEER), "", encr, txt(s, K_HASH), txt(s, K_AUTH),
	       num(s, K_DH), life, caps);
	printf("       Engine-id:Conn-id =  SW:%lld\n\n", num(s, K_CONN));
}

static int isakmp(const struct vctx *c, int argc, int detail)
{
	if (argc != 0)
		return vctl_invalid(c);
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = query(h, c->json ? isakmp_json_sql : isakmp_sql, NULL, NULL);
	if (!s) {
		sqlite3_close(h);
		return 1;
	}
	sqlite3_bind_int(s, 2, IKE_CAP_V2);
	int rc;
	if (c->json)
		return finish(h, s, json_rows(stdout, s));
	if (detail)
		printf("Codes: C - IKE configuration mode, D - Dead Peer Detection\n"
		       "       K - Keepalives, N - NAT-traversal\n"
		       "       T - cTCP encapsulation, X - IKE Extended Authentication\n"
		       "       psk - Preshared key, rsig - RSA signature\n"
		       "       renc - RSA encryption\n");
	printf("IPv4 Crypto ISAKMP SA\n");
	if (detail)
		printf("\nC-id  Local           Remote          I-VRF  Status Encr   Hash   Auth DH "
		       "Lifetime Cap.\n\n");
	else
		printf("dst             src             state          conn-id status\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		isakmp_line(s, detail);
	printf("\nIPv6 Crypto ISAKMP SA\n\n");
	return finish(h, s, rc);
}

int show_crypto_isakmp_sa(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return isakmp(c, argc, 0);
}

int show_crypto_isakmp_sa_detail(const struct vctx *c, int argc, char **argv)
{
	(void)argv;
	return isakmp(c, argc, 1);
}

/* ---- show crypto ipsec sa ---- */

/* manual crypto map SAs (crypto_map set) have no lifetime: NULL, not 0 */
#define IPSEC_REMAIN \
	" CASE WHEN crypto_map IS NULL THEN" \
	"  MAX(0, life_seconds - CAST(?1 - installed AS INTEGER)) END AS remaining_seconds," \
	" CASE WHEN crypto_map IS NULL THEN" \
	"  MAX(0, life_kb - bytes_decaps / 1024) END AS remaining_kb_in," \
	" CASE WHEN crypto_map IS NULL THEN" \
	"  MAX(0, life_kb - bytes_encaps / 1024) END AS remaining_kb_out" \
	" FROM ipsec_sas WHERE ended IS NULL"
static const char ipsec_cols[] =
	"SELECT ifname, unit, local_addr, local_port, peer_addr, peer_port, remote_ident,"
	" spi_in, spi_out, transform, encap, pfs_group, iv_size, id,"
	" pkts_encaps, pkts_decaps, verify_fail, replay_fail, recv_errors, send_errors,"
	" crypto_map, map_seq, map_iface, local_ident, local_mask, remote_mask,"
	IPSEC_REMAIN;
static const char ipsec_json_cols[] = "SELECT *," IPSEC_REMAIN;
enum { I_IFNAME, I_UNIT, I_LOCAL, I_LPORT, I_PEER, I_PPORT, I_RIDENT, I_SPIIN, I_SPIOUT,
       I_TRANSFORM, I_ENCAP, I_PFS, I_IV, I_ID, I_ENC, I_DEC, I_VERIFY, I_REPLAY, I_RECVERR,
       I_SENDERR, I_MAP, I_SEQ, I_MAPIF, I_LIDENT, I_LMASK, I_RMASK, I_REMAIN, I_KBIN,
       I_KBOUT };

/* The SA rows of one interface, newest last: printed as one IOS "interface:" block. */
struct sa_row {
	char spi_in[16], spi_out[16], transform[64], encap[24];
	long long id, remain, kb_in, kb_out, iv, pfs;
};

struct block {
	char ifname[32], local[48], peer[48], rident[48];
	/* a manual crypto map entry (crypto_map set): no IKE, no lifetime */
	char map[64], mapif[64], lident[48], lmask[48], rmask[48];
	long long seq;
	long long unit, pport, enc, dec, verify, replay, recverr, senderr;
	struct sa_row *sa;
	size_t nsa, cap;
};

static unsigned long spi_num(const char *hex)
{
	return strtoul(hex, NULL, 16);
}

static void print_sas(const struct block *b, int out)
{
	printf("\n     %s esp sas:\n", out ? "outbound" : "inbound");
	for (size_t i = 0; i < b->nsa; i++) {
		const struct sa_row *r = &b->sa[i];
		const char *spi = out ? r->spi_out : r->spi_in;
		printf("      spi: 0x%s(%lu)\n", spi, spi_num(spi));
		printf("        transform: %s ,\n", r->transform);
		printf("        in use settings ={%s, }\n", r->encap);
		if (b->map[0]) {
			/* IOS prints no lifetime for manual SAs: nothing expires them */
			printf("        conn id: %lld, flow_id: SW:%lld, sibling_flags 80000040, "
			       "crypto map: %s\n", 2 * r->id - !out, 2 * r->id - !out, b->map);
			printf("        no sa timing\n");
		} else {
			printf("        conn id: %lld, flow_id: SW:%lld, sibling_flags 80000046, "
			       "crypto map: Virtual-Access%lld-head-0\n", 2 * r->id - !out,
			       2 * r->id - !out, b->unit);
			printf("        sa timing: remaining key lifetime (k/sec): (%lld/%lld)\n",
			       out ? r->kb_out : r->kb_in, r->remain);
		}
		printf("        IV size: %lld bytes\n", r->iv);
		printf("        replay detection support: Y\n");
		printf("        Status: ACTIVE(ACTIVE)\n");
	}
	printf("\n     %s ah sas:\n", out ? "outbound" : "inbound");
	printf("\n     %s pcp sas:\n", out ? "outbound" : "inbound");
}

/* The header of an interface block; a crypto map's entries share their interface's (IOS). */
static void print_head(const struct block *b, const struct block *prev)
{
	if (!b->map[0]) {
		printf("interface: Virtual-Access%lld\n", b->unit);
		printf("    Crypto map tag: Virtual-Access%lld-head-0, local addr %s\n\n", b->unit,
		       b->local);
	} else if (!prev || strcmp(prev->mapif, b->mapif) != 0 || strcmp(prev->map, b->map) != 0 ||
	           strcmp(prev->local, b->local) != 0) {
		printf("interface: %s\n", b->mapif);
		printf("    Crypto map tag: %s, local addr %s\n\n", b->map, b->local);
	}
}

static void print_block(const struct block *b, const struct block *prev)
{
	const struct sa_row *cur = &b->sa[b->nsa - 1];
	print_head(b, prev);
	printf("   protected vrf: (none)\n");
	if (b->map[0]) {
		printf("   local  ident (addr/mask/prot/port): (%s/%s/0/0)\n", b->lident, b->lmask);
		printf("   remote ident (addr/mask/prot/port): (%s/%s/0/0)\n", b->rident, b->rmask);
		/* no IKE: IOS names the ISAKMP port all the same */
		printf("   current_peer %s port 500\n", b->peer);
	} else {
		/* ours is "any" on the hub; the Easy VPN remote's rows name its address or network */
		printf("   local  ident (addr/mask/prot/port): (%s/%s/0/0)\n",
		       b->lident[0] ? b->lident : "0.0.0.0", b->lmask[0] ? b->lmask : "0.0.0.0");
		if (strcmp(b->rident, "0.0.0.0") != 0)
			printf("   remote ident (addr/mask/prot/port): (%s/255.255.255.255/0/0)\n",
			       b->rident);
		else
			printf("   remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)\n");
		printf("   current_peer %s port %lld\n", b->peer, b->pport);
	}
	printf("     PERMIT, flags={origin_is_acl,}\n");
	printf("    #pkts encaps: %lld, #pkts encrypt: %lld, #pkts digest: %lld\n", b->enc, b->enc,
	       b->enc);
	printf("    #pkts decaps: %lld, #pkts decrypt: %lld, #pkts verify: %lld\n", b->dec, b->dec,
	       b->dec);
	printf("    #pkts compressed: 0, #pkts decompressed: 0\n");
	printf("    #pkts not compressed: 0, #pkts compr. failed: 0\n");
	printf("    #pkts not decompressed: 0, #pkts decompress failed: 0\n");
	printf("    #pkts verify failed: %lld, ##pkts replay failed (rcv): %lld\n", b->verify,
	       b->replay);
	printf("    #send errors %lld, #recv errors %lld\n\n", b->senderr,
	       b->recverr + b->verify + b->replay);
	printf("     local crypto endpt.: %s, remote crypto endpt.: %s\n", b->local, b->peer);
	printf("     current outbound spi: 0x%s(%lu)\n", cur->spi_out, spi_num(cur->spi_out));
	if (cur->pfs)
		printf("     PFS (Y/N): Y, DH group: group%lld\n", cur->pfs);
	else
		printf("     PFS (Y/N): N, DH group: none\n");
	print_sas(b, 0);
	print_sas(b, 1);
	printf("\n");
}

static void block_add(struct block *b, sqlite3_stmt *s)
{
	if (b->nsa == b->cap) {
		size_t ncap = b->cap ? 2 * b->cap : 4;
		struct sa_row *n = realloc(b->sa, ncap * sizeof(*n));
		if (!n)
			return;
		b->sa = n;
		b->cap = ncap;
	}
	struct sa_row *r = &b->sa[b->nsa++];
	memset(r, 0, sizeof(*r));
	snprintf(r->spi_in, sizeof(r->spi_in), "%s", txt(s, I_SPIIN));
	snprintf(r->spi_out, sizeof(r->spi_out), "%s", txt(s, I_SPIOUT));
	for (char *p = r->spi_in; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (char *p = r->spi_out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(r->transform, sizeof(r->transform), "%s", txt(s, I_TRANSFORM));
	snprintf(r->encap, sizeof(r->encap), "%s", txt(s, I_ENCAP));
	r->id = num(s, I_ID);
	r->remain = num(s, I_REMAIN);
	r->kb_in = num(s, I_KBIN);
	r->kb_out = num(s, I_KBOUT);
	r->iv = num(s, I_IV);
	r->pfs = num(s, I_PFS);
	/* the newest SA names the peer (it follows NAT rebinding) */
	snprintf(b->local, sizeof(b->local), "%s", txt(s, I_LOCAL));
	snprintf(b->peer, sizeof(b->peer), "%s", txt(s, I_PEER));
	snprintf(b->rident, sizeof(b->rident), "%s", txt(s, I_RIDENT));
	b->pport = num(s, I_PPORT);
	b->enc += num(s, I_ENC);
	b->dec += num(s, I_DEC);
	b->verify += num(s, I_VERIFY);
	b->replay += num(s, I_REPLAY);
	b->recverr += num(s, I_RECVERR);
	b->senderr += num(s, I_SENDERR);
	snprintf(b->map, sizeof(b->map), "%s", txt(s, I_MAP));
	snprintf(b->mapif, sizeof(b->mapif), "%s", txt(s, I_MAPIF));
	snprintf(b->lident, sizeof(b->lident), "%s", txt(s, I_LIDENT));
	snprintf(b->lmask, sizeof(b->lmask), "%s", txt(s, I_LMASK));
	snprintf(b->rmask, sizeof(b->rmask), "%s", txt(s, I_RMASK));
	b->seq = num(s, I_SEQ);
}

/* "va3", "Virtual-Access3", "Vi3" (any case, IOS abbreviations) -> "va3"; -1 if not one. */
static int parse_ifname(const char *arg, char *out, size_t len)
{
	size_t n = strcspn(arg, "0123456789");
	const char *digits = arg + n;
	if (n == 0 || *digits == '\0' || strspn(digits, "0123456789") != strlen(digits) ||
	    strlen(digits) > 4 || (digits[0] == '0' && digits[1]))
		return -1;
	int ok = (n == 2 && !strncasecmp(arg, "va", 2)) ||
	         (n >= 2 && n <= 14 && !strncasecmp(arg, "Virtual-Access", n));
	if (!ok)
		return -1;
	snprintf(out, len, "va%s", digits);
	return 0;
}

int show_crypto_ipsec_sa(const struct vctx *c, int argc, char **argv)
{
	const char *peer = NULL, *iface = NULL;
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 == argc)
			return vctl_invalid(c);
		if (vctl_kw(argv[i], "peer") && !peer)
			peer = argv[i + 1];
		else if (vctl_kw(argv[i], "interface") && !iface)
			iface = argv[i + 1];
		else
			return vctl_invalid(c);
	}
	if (peer && (peer = vctl_addr(peer)) == NULL)
		return 1;
	/* vaN / Virtual-AccessN, cmN (a manual crypto map entry's device), or the interface a
	 * crypto map is applied to (eth0, FastEthernet0/0) */
	char ifname[64];
	int by_map_iface = 0;
	if (iface && parse_ifname(iface, ifname, sizeof(ifname)) < 0) {
		size_t n = strlen(iface);
		if (n == 0 || n >= sizeof(ifname) || strspn(iface, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.:_-") != n) {
			fprintf(stderr, "%% Invalid interface: '%s' (expected vaN, Virtual-AccessN, "
			        "cmN or an interface name)\n", vctl_safe(iface));
			return 1;
		}
		snprintf(ifname, sizeof(ifname), "%s", iface);
		by_map_iface = strncmp(iface, "cm", 2) != 0 || strspn(iface + 2, "0123456789") != n - 2;
	}

	/* a map's entries together under their interface (as IOS), before the Virtual-Access */
	char sql[1024];
	snprintf(sql, sizeof(sql), "%s%s%s ORDER BY crypto_map IS NULL, map_iface, crypto_map,"
	         " map_seq, unit, installed, id", c->json ? ipsec_json_cols : ipsec_cols,
	         peer ? " AND peer_addr = ?2" : "",
	         !iface ? "" : by_map_iface ? " AND map_iface = ?3" : " AND ifname = ?3");
	sqlite3 *h = vctl_db(c);
	if (!h)
		return 1;
	sqlite3_stmt *s = query(h, sql, peer, iface ? ifname : NULL);
	if (!s) {
		sqlite3_close(h);
		return 1;
	}
	if (c->json)
		return finish(h, s, json_rows(stdout, s));

	struct block b, prev;
	int have_prev = 0;
	memset(&b, 0, sizeof(b));
	memset(&prev, 0, sizeof(prev));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ifn = txt(s, I_IFNAME);
		if (b.nsa && strcmp(b.ifname, ifn) != 0) {
			print_block(&b, have_prev ? &prev : NULL);
			free(b.sa);
			prev = b;
			prev.sa = NULL;
			have_prev = 1;
			memset(&b, 0, sizeof(b));
		}
		snprintf(b.ifname, sizeof(b.ifname), "%s", ifn);
		b.unit = num(s, I_UNIT);
		block_add(&b, s);
	}
	if (b.nsa)
		print_block(&b, have_prev ? &prev : NULL);
	free(b.sa);
	return finish(h, s, rc);
}
