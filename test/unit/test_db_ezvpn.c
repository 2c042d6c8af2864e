/*
 * The Easy VPN remote's state in the session store (db/db_ezvpn.c): one row per name, replaced
 * by each report, reset to idle and pruned to the configured names; and the parent's check of
 * ikemgr's reports (parent/ezvpn_check.c).
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

TestSuite(db_ezvpn, .init = tmpdb_setup, .fini = tmpdb_teardown);

static struct msg_ez_state up(const char *name)
{
	struct msg_ez_state m;
	memset(&m, 0, sizeof(m));
	snprintf(m.ezvpn, sizeof(m.ezvpn), "%s", name);
	snprintf(m.state, sizeof(m.state), "IPSEC_ACTIVE");
	snprintf(m.last_event, sizeof(m.last_event), "SOCKET_UP");
	inet_pton(AF_INET, "172.18.143.246", &m.peer);
	inet_pton(AF_INET, "192.168.1.1", &m.addr);
	inet_pton(AF_INET, "255.255.255.255", &m.mask);
	snprintf(m.ifname, sizeof(m.ifname), "va2");
	m.unit = 2;
	m.nsplit = 2;
	inet_pton(AF_INET, "10.2.1.0", &m.split[0].net);
	m.split[0].plen = 24;
	inet_pton(AF_INET, "10.3.0.0", &m.split[1].net);
	m.split[1].plen = 16;
	m.session_id = 7;
	m.save_password = 1;
	return m;
}

#define ROW_SQL \
	"SELECT name || '|' || state || '|' || coalesce(last_event, '-') || '|' ||" \
	" coalesce(peer_addr, '-') || '|' || coalesce(assigned_addr, '-') || '|' ||" \
	" coalesce(mask, '-') || '|' || coalesce(ifname, '-') || '|' || coalesce(unit, '-') ||" \
	" '|' || coalesce(split, '-') || '|' || coalesce(session_id, '-') || '|' ||" \
	" save_password FROM ezvpn WHERE name = "

Test(db_ezvpn, schema_has_the_table)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	cr_assert_geq(db_schema_version(), 5);
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(q_int(h, "PRAGMA user_version"), db_schema_version());
	cr_assert_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                      " name = 'ezvpn'"), 1);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn"), 0);
	sqlite3_close(h);
	db_close(d);
}

Test(db_ezvpn, a_report_is_stored_and_the_next_replaces_it)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_ez_state m = up("testvpn");
	cr_assert_eq(db_ez_state(d, &m), 0);

	sqlite3 *h = tmpdb_reader();
	char buf[512];
	cr_assert_str_eq(q_text(h, ROW_SQL "'testvpn'", buf, sizeof(buf)),
	                 "testvpn|IPSEC_ACTIVE|SOCKET_UP|172.18.143.246|192.168.1.1|"
	                 "255.255.255.255|va2|2|10.2.1.0/24 10.3.0.0/16|7|1");
	cr_assert_eq(q_int(h, "SELECT run_id = (SELECT max(id) FROM runs) FROM ezvpn"), 1);
	cr_assert_eq(q_int(h, "SELECT abs(updated - strftime('%s', 'now')) < 60 FROM ezvpn"), 1);

	/* the tunnel goes down: the row is the new state, nothing of the old one is left */
	struct msg_ez_state m2;
	memset(&m2, 0, sizeof(m2));
	snprintf(m2.ezvpn, sizeof(m2.ezvpn), "testvpn");
	snprintf(m2.state, sizeof(m2.state), "CONNECT_REQUIRED");
	snprintf(m2.last_event, sizeof(m2.last_event), "CONN_DOWN");
	cr_assert_eq(db_ez_state(d, &m2), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn"), 1);
	cr_assert_str_eq(q_text(h, ROW_SQL "'testvpn'", buf, sizeof(buf)),
	                 "testvpn|CONNECT_REQUIRED|CONN_DOWN|-|-|-|-|-||-|0");

	/* a second name gets its own row */
	struct msg_ez_state m3 = up("other");
	m3.nsplit = 0;
	cr_assert_eq(db_ez_state(d, &m3), 0);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn"), 2);
	cr_assert_str_eq(q_text(h, "SELECT split FROM ezvpn WHERE name = 'other'", buf,
	                        sizeof(buf)), "");
	sqlite3_close(h);
	db_close(d);
}

Test(db_ezvpn, unterminated_strings_stay_in_their_field)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_ez_state m = up("x");
	memset(m.ezvpn, 'n', sizeof(m.ezvpn));
	memset(m.state, 'S', sizeof(m.state));
	memset(m.last_event, 'E', sizeof(m.last_event));
	cr_assert_eq(db_ez_state(d, &m), 0);
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(q_int(h, "SELECT length(name) FROM ezvpn"), (long long)sizeof(m.ezvpn));
	cr_assert_eq(q_int(h, "SELECT length(state) FROM ezvpn"), (long long)sizeof(m.state));
	cr_assert_eq(q_int(h, "SELECT length(last_event) FROM ezvpn"),
	             (long long)sizeof(m.last_event));
	sqlite3_close(h);
	db_close(d);
}

Test(db_ezvpn, reset_and_prune)
{
	struct db *d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	struct msg_ez_state a = up("testvpn"), b = up("gone"), c = up("auto1");
	cr_assert_eq(db_ez_state(d, &a), 0);
	cr_assert_eq(db_ez_state(d, &b), 0);
	cr_assert_eq(db_ez_state(d, &c), 0);

	/* a restart: what was up is not, and the rows say so */
	cr_assert_eq(db_ez_reset(d, "testvpn", "CONNECT_REQUIRED", "RESET"), 0);
	cr_assert_eq(db_ez_reset(d, "auto1", "IDLE", "RESET"), 0);
	cr_assert_eq(db_ez_reset(d, "nosuchrow", "IDLE", "RESET"), 0);
	const char *keep[] = { "testvpn", "auto1", "nosuchrow" };
	cr_assert_eq(db_ez_prune(d, keep, 3), 1);

	sqlite3 *h = tmpdb_reader();
	char buf[512];
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn"), 2, "only configured names stay");
	cr_assert_str_eq(q_text(h, ROW_SQL "'testvpn'", buf, sizeof(buf)),
	                 "testvpn|CONNECT_REQUIRED|RESET|-|-|-|-|-||-|0");
	cr_assert_str_eq(q_text(h, ROW_SQL "'auto1'", buf, sizeof(buf)),
	                 "auto1|IDLE|RESET|-|-|-|-|-||-|0");
	/* nothing configured: every row goes */
	cr_assert_eq(db_ez_prune(d, NULL, 0), 2);
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn"), 0);
	sqlite3_close(h);
	db_close(d);
}

Test(db_ezvpn, rows_survive_a_reopen)
{
	struct db *d = db_open(tmpdb_path);
	struct msg_ez_state a = up("testvpn");
	cr_assert_eq(db_ez_state(d, &a), 0);
	db_close(d);
	d = db_open(tmpdb_path);
	cr_assert_not_null(d);
	sqlite3 *h = tmpdb_reader();
	cr_assert_eq(q_int(h, "SELECT count(*) FROM ezvpn WHERE state = 'IPSEC_ACTIVE'"), 1);
	sqlite3_close(h);
	db_close(d);
}

Test(db_ezvpn, split_text)
{
	struct msg_route r[MSG_ROUTES_MAX];
	char buf[256], small[16];
	memset(r, 0, sizeof(r));
	for (int k = 0; k < MSG_ROUTES_MAX; k++) {
		r[k].net.s_addr = htonl(0x0a000000u | (uint32_t)k << 16);
		r[k].plen = 16;
	}
	db_ez_split_text(r, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	db_ez_split_text(r, 2, buf, sizeof(buf));
	cr_assert_str_eq(buf, "10.0.0.0/16 10.1.0.0/16");
	/* a count past the array is cut to it */
	db_ez_split_text(r, MSG_ROUTES_MAX + 5, buf, sizeof(buf));
	cr_assert_str_eq(buf, "10.0.0.0/16 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 10.4.0.0/16"
	                      " 10.5.0.0/16 10.6.0.0/16 10.7.0.0/16");
	/* whole entries only when the buffer is short */
	db_ez_split_text(r, 2, small, sizeof(small));
	cr_assert_str_eq(small, "10.0.0.0/16");
}

/* ---- the parent's check of IMSG_EZ_STATE ---- */

Test(ez_state_check, a_good_report_passes)
{
	struct msg_ez_state m = up("testvpn");
	cr_assert_null(ez_state_check(&m));
	memset(&m, 0, sizeof(m));
	snprintf(m.ezvpn, sizeof(m.ezvpn), "testvpn");
	snprintf(m.state, sizeof(m.state), "CONNECT_REQUIRED");
	cr_assert_null(ez_state_check(&m), "nothing up, no event: fine");
}

Test(ez_state_check, what_no_ikemgr_sends_is_refused)
{
	struct msg_ez_state m;

	m = up("testvpn");
	m.ezvpn[0] = '\0';
	cr_assert_not_null(ez_state_check(&m), "no name");
	m = up("test vpn");
	cr_assert_not_null(ez_state_check(&m), "a blank in the name");
	m = up("testvpn");
	m.state[0] = '\0';
	cr_assert_not_null(ez_state_check(&m), "no state");
	m = up("testvpn");
	m.last_event[2] = '\033';
	cr_assert_not_null(ez_state_check(&m), "an escape in the event");
	m = up("testvpn");
	m.state[1] = (char)0xc3;
	cr_assert_not_null(ez_state_check(&m), "a non-ASCII state");
	m = up("testvpn");
	m.ifname[1] = '\n';
	cr_assert_not_null(ez_state_check(&m), "a line break in the interface");
	m = up("testvpn");
	m.unit = -1;
	cr_assert_not_null(ez_state_check(&m), "a negative unit");
	m = up("testvpn");
	m.nsplit = MSG_ROUTES_MAX + 1;
	cr_assert_not_null(ez_state_check(&m), "too many split networks");
	m = up("testvpn");
	m.nsplit = -1;
	cr_assert_not_null(ez_state_check(&m), "a negative count");
	m = up("testvpn");
	m.split[1].plen = 33;
	cr_assert_not_null(ez_state_check(&m), "prefix length 33");
	/* past the count nothing is looked at */
	m = up("testvpn");
	m.split[5].plen = 99;
	cr_assert_null(ez_state_check(&m));
}

Test(ez_state_check, unterminated_strings_are_cut)
{
	struct msg_ez_state m = up("testvpn");
	memset(m.ezvpn, 'n', sizeof(m.ezvpn));
	memset(m.state, 'S', sizeof(m.state));
	memset(m.ifname, 'v', sizeof(m.ifname));
	cr_assert_null(ez_state_check(&m));
	cr_assert_eq(strlen(m.ezvpn), sizeof(m.ezvpn) - 1);
	cr_assert_eq(strlen(m.state), sizeof(m.state) - 1);
	cr_assert_eq(strlen(m.ifname), sizeof(m.ifname) - 1);
}

Test(ez_state_check, idle_state_follows_connect)
{
	struct conf_ezvpn e;
	memset(&e, 0, sizeof(e));
	cr_assert_str_eq(conf_ezvpn_idle_state(&e), "IDLE");
	e.connect_manual = 1;
	cr_assert_str_eq(conf_ezvpn_idle_state(&e), "CONNECT_REQUIRED");
}
