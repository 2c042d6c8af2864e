/*
 * Manual crypto map entries in the session store (db/db_cmap.c, schema 6): tunmgr's report
 * becomes an ipsec_sas row with the map's columns, its counters arrive as any SA's, its end
 * touches only crypto map rows; and the parent's check of tunmgr's reports
 * (parent/cmap_check.c).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "db/db.h"
#include "test/unit/tmpdb.h"
#include "parent/ezvpn.h"

TestSuite(db_cmap, .init = tmpdb_setup, .fini = tmpdb_teardown);

static struct msg_cm_sa entry(int n, uint32_t spi_in)
{
	struct msg_cm_sa m;
	memset(&m, 0, sizeof(m));
	m.sa.session_id = MSG_CM_SESSION_BASE + (uint32_t)n;
	m.sa.spi_in = htonl(spi_in);
	m.sa.spi_out = htonl(spi_in + 0x1000);
	m.sa.peer.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.2", &m.sa.peer.sin.sin_addr);
	m.sa.local.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &m.sa.local.sin.sin_addr);
	snprintf(m.sa.ifname, sizeof(m.sa.ifname), "cm%d", n);
	inet_pton(AF_INET, "10.3.0.0", &m.sa.remote_ident);
	inet_pton(AF_INET, "10.2.1.0", &m.local_net);
	inet_pton(AF_INET, "255.255.255.0", &m.local_mask);
	inet_pton(AF_INET, "255.255.0.0", &m.remote_mask);
	snprintf(m.sa.transform, sizeof(m.sa.transform), "esp-aes 128 esp-sha256-hmac");
	m.sa.iv_size = 16;
	m.sa.installed = 1700000000;
	snprintf(m.map, sizeof(m.map), "OUT");
	m.seq = 10;
	snprintf(m.iface, sizeof(m.iface), "GigabitEthernet0/0");
	return m;
}

#define ROW_SQL \
	"SELECT crypto_map || '|' || map_seq || '|' || map_iface || '|' || ifname || '|' ||" \
	" spi_in || '|' || spi_out || '|' || local_ident || '/' || local_mask || '|' ||" \
	" remote_ident || '/' || remote_mask || '|' || local_addr || '|' || peer_addr || '|' ||" \
	" transform || '|' || encap || '|' || life_seconds || '|' || pkts_encaps || '|' ||" \
	" coalesce(end_reason, 'open') FROM ipsec_sas WHERE session_id = "

Test(db_cmap, up_counters_down)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_cm_sa m = entry(0, 0x1000);
	cr_assert_eq(db_cm_sa_up(d, &m), 0);
	struct msg_sa_counters k = { .session_id = m.sa.session_id, .spi_in = m.sa.spi_in,
		.pkts_encaps = 7, .pkts_decaps = 5, .verify_fail = 1 };
	cr_assert_eq(db_sa_counters(d, &k), 0);
	sqlite3 *h;
	cr_assert_eq(sqlite3_open_v2(tmpdb_path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char buf[512];
	cr_expect_str_eq(q_text(h, ROW_SQL "4294963200", buf, sizeof(buf)),
	                 "OUT|10|GigabitEthernet0/0|cm0|00001000|00002000|10.2.1.0/255.255.255.0|"
	                 "10.3.0.0/255.255.0.0|192.0.2.1|192.0.2.2|esp-aes 128 esp-sha256-hmac|"
	                 "Tunnel|0|7|open");
	/* tunmgr ends only crypto map rows: a hub SA with the same inbound SPI stays */
	struct msg_ipsec_sa hub;
	memset(&hub, 0, sizeof(hub));
	hub.session_id = 5;
	hub.spi_in = htonl(0x3000);
	cr_assert_eq(db_ipsec_sa_up(d, &hub), 0);
	cr_assert_eq(db_cm_sa_down(d, 5, htonl(0x3000), "removed"), 0);
	cr_expect_str_eq(q_text(h, "SELECT coalesce(end_reason, 'open') FROM ipsec_sas WHERE"
	                           " session_id = 5", buf, sizeof(buf)), "open");
	cr_assert_eq(db_cm_sa_down(d, m.sa.session_id, m.sa.spi_in, "removed"), 0);
	cr_expect_str_eq(q_text(h, "SELECT end_reason FROM ipsec_sas WHERE session_id ="
	                           " 4294963200", buf, sizeof(buf)), "removed");
	/* a reload that replaced the entry with the same inbound SPI (new keys): the row opens
	 * again, its figures from zero */
	m.sa.spi_out = htonl(0x4000);
	cr_assert_eq(db_cm_sa_up(d, &m), 0);
	cr_expect_str_eq(q_text(h, "SELECT spi_out || '|' || pkts_encaps || '|' ||"
	                           " coalesce(ended, 'open') || '|' || count(*) FROM ipsec_sas"
	                           " WHERE session_id = 4294963200", buf, sizeof(buf)),
	                 "00004000|0|open|1");
	sqlite3_close(h);
	db_close(d);
}

Test(db_cmap, parent_check)
{
	struct msg_cm_sa m = entry(3, 0x1000);
	cr_expect_null(cm_sa_check(&m));
	m = entry(0, 0x1000);
	m.sa.session_id = 7;                    /* a hub session's */
	cr_expect_not_null(cm_sa_check(&m));
	m.sa.session_id = MSG_CM_SESSION_BASE + CONF_MAX_CMAPS;
	cr_expect_not_null(cm_sa_check(&m));
	m = entry(0, 0x1000);
	memset(m.map, 'A', sizeof(m.map));      /* unterminated: cut, still printable */
	cr_expect_null(cm_sa_check(&m));
	cr_expect_eq(strlen(m.map), sizeof(m.map) - 1);
	m = entry(0, 0x1000);
	m.iface[2] = '\n';
	cr_expect_not_null(cm_sa_check(&m));
	m = entry(0, 0x1000);
	m.sa.transform[0] = (char)0xff;
	cr_expect_not_null(cm_sa_check(&m));
	m = entry(0, 0x1000);
	m.map[0] = '\0';
	cr_expect_not_null(cm_sa_check(&m));
	m = entry(0, 0x1000);
	m.seq = 0;
	cr_expect_not_null(cm_sa_check(&m));
	m.seq = 65536;
	cr_expect_not_null(cm_sa_check(&m));

	struct msg_ipsec_sa_down dn = { .session_id = MSG_CM_SESSION_BASE, .spi_in = 1 };
	snprintf(dn.reason, sizeof(dn.reason), "removed");
	cr_expect_null(cm_sa_down_check(&dn));
	dn.session_id = 1;
	cr_expect_not_null(cm_sa_down_check(&dn));
	dn.session_id = MSG_CM_SESSION_BASE;
	dn.reason[0] = 0x1b;
	cr_expect_not_null(cm_sa_down_check(&dn));
}
