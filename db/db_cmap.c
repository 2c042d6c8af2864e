/*
 * Manual crypto map entries in the ipsec_sas table (schema 6): tunmgr installs them without
 * IKE and reports each (IMSG_CM_SA_UP), so `show crypto ipsec sa` finds them beside the
 * negotiated SAs, with the map, the interface it is applied to and the ACE's networks. Their
 * counters arrive as any SA's (IMSG_SA_COUNTERS, by inbound SPI).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "common/log.h"
#include "db/db.h"
#include "db/db_int.h"

static void bind_addr(sqlite3_stmt *s, int i, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN];
	if (inet_ntop(AF_INET, &a, ip, sizeof(ip)) == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, ip, -1, SQLITE_TRANSIENT);
}

static void bind_spi(sqlite3_stmt *s, int i, uint32_t spi)
{
	char hex[9];
	snprintf(hex, sizeof(hex), "%08x", ntohl(spi));
	sqlite3_bind_text(s, i, hex, -1, SQLITE_TRANSIENT);
}

/* A fixed array from a message: never read past it, terminated or not. */
static void bind_str(sqlite3_stmt *s, int i, const char *p, size_t size)
{
	sqlite3_bind_text(s, i, p, (int)strnlen(p, size), SQLITE_TRANSIENT);
}

static int step(sqlite3 *h, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		log_warnx("database: crypto map SA: %s", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A reload that replaces an entry with the same inbound SPI (new keys) reuses its row: the
 * figures start again from zero, as the new SAs' do. */
int db_cm_sa_up(struct db *d, const struct msg_cm_sa *m)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h,
	        "INSERT INTO ipsec_sas (run_id, session_id, spi_in, spi_out, peer_addr, peer_port,"
	        " local_addr, local_port, ifname, unit, remote_ident, transform, encap, pfs_group,"
	        " iv_size, life_seconds, life_kb, installed, crypto_map, map_seq, map_iface,"
	        " local_ident, local_mask, remote_mask)"
	        " VALUES (?1,?2,?3,?4,?5,0,?6,0,?7,0,?8,?9,'Tunnel',0,?10,0,0,?11,?12,?13,?14,?15,"
	        "?16,?17)"
	        " ON CONFLICT (run_id, spi_in) DO UPDATE SET session_id = excluded.session_id,"
	        " spi_out = excluded.spi_out, peer_addr = excluded.peer_addr,"
	        " local_addr = excluded.local_addr, ifname = excluded.ifname,"
	        " remote_ident = excluded.remote_ident, transform = excluded.transform,"
	        " iv_size = excluded.iv_size, installed = excluded.installed, ended = NULL,"
	        " end_reason = NULL, pkts_encaps = 0, bytes_encaps = 0, pkts_decaps = 0,"
	        " bytes_decaps = 0, verify_fail = 0, replay_fail = 0, recv_errors = 0,"
	        " send_errors = 0, counters_at = NULL, crypto_map = excluded.crypto_map,"
	        " map_seq = excluded.map_seq, map_iface = excluded.map_iface,"
	        " local_ident = excluded.local_ident, local_mask = excluded.local_mask,"
	        " remote_mask = excluded.remote_mask", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(h));
		return -1;
	}
	sqlite3_bind_int64(s, 1, db_run_id(d));
	sqlite3_bind_int64(s, 2, m->sa.session_id);
	bind_spi(s, 3, m->sa.spi_in);
	bind_spi(s, 4, m->sa.spi_out);
	bind_addr(s, 5, sa46_in4(&m->sa.peer));
	bind_addr(s, 6, sa46_in4(&m->sa.local));
	bind_str(s, 7, m->sa.ifname, sizeof(m->sa.ifname));
	bind_addr(s, 8, m->sa.remote_ident);
	bind_str(s, 9, m->sa.transform, sizeof(m->sa.transform));
	sqlite3_bind_int(s, 10, m->sa.iv_size);
	sqlite3_bind_double(s, 11, (double)m->sa.installed);
	bind_str(s, 12, m->map, sizeof(m->map));
	sqlite3_bind_int(s, 13, m->seq);
	bind_str(s, 14, m->iface, sizeof(m->iface));
	bind_addr(s, 15, m->local_net);
	bind_addr(s, 16, m->local_mask);
	bind_addr(s, 17, m->remote_mask);
	return step(h, s);
}

/* Only a crypto map entry's row: tunmgr ends nothing IKE negotiated. */
int db_cm_sa_down(struct db *d, uint32_t session_id, uint32_t spi_in, const char *reason)
{
	sqlite3 *h = db_sqlite(d);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h,
	        "UPDATE ipsec_sas SET ended = ?1, end_reason = ?2 WHERE run_id = ?3 AND"
	        " session_id = ?4 AND spi_in = ?5 AND crypto_map IS NOT NULL AND ended IS NULL",
	        -1, &s, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(h));
		return -1;
	}
	sqlite3_bind_double(s, 1, db_now());
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, db_run_id(d));
	sqlite3_bind_int64(s, 4, session_id);
	bind_spi(s, 5, spi_in);
	return step(h, s);
}
