/*
 * show crypto ipsec client ezvpn (control/show_ezvpn.c) from rows written with the db API into
 * a session store read through a read-only handle, as IOS text and as JSON (parsed by
 * python3); and the operator commands connect, xauth and clear, whose requests to the parent
 * must pass the parent's own check (parent/ctl_check.c). struct conf_ezvpn is filled by hand.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>

#include "common/conf.h"
#include "common/msg.h"
#include "control/control.h"
#include "control/show_config.h"
#include "db/db.h"
#include "parent/ctl_check.h"

/* ---- stand-ins for control/control.c ---- */

struct control_conn {
	const struct vpnd_conf *conf;
	sqlite3               *db;
	char                  *out;
	size_t                 len;
	int                    asked;
	struct msg_ctl_req     q;
	char                   tail[512];
};
static struct control_conn *current;

void control_printf(struct control_conn *cc, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	cc->out = realloc(cc->out, cc->len + (size_t)n + 1);
	cr_assert_not_null(cc->out);
	memcpy(cc->out + cc->len, s, (size_t)n + 1);
	cc->len += (size_t)n;
	free(s);
}

const struct vpnd_conf *control_conf(struct control_conn *cc)
{
	return cc->conf;
}

struct sqlite3 *control_db(void)
{
	return current ? current->db : NULL;
}

void control_ask(struct control_conn *cc, const struct msg_ctl_req *q, const char *tail, ...)
{
	va_list ap;
	cc->asked++;
	cc->q = *q;
	va_start(ap, tail);
	vsnprintf(cc->tail, sizeof(cc->tail), tail, ap);
	va_end(ap);
}

static struct msg_ez_xauth_answer ezx_asked;

void control_ask_ezx(struct control_conn *cc, const struct msg_ez_xauth_answer *a,
                     const char *tail, ...)
{
	va_list ap;
	cc->asked++;
	ezx_asked = *a;
	va_start(ap, tail);
	vsnprintf(cc->tail, sizeof(cc->tail), tail, ap);
	va_end(ap);
}

/* ---- a store and a configuration ---- */

static char dir[64], path[128];
static struct db *w;        /* the parent's writer */
static sqlite3 *ro;         /* control's read-only handle */

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_show_ezvpn.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vpnd.db", dir);
	w = db_open(path);
	cr_assert_not_null(w);
	cr_assert_eq(sqlite3_open_v2(path, &ro, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static void teardown(void)
{
	char f[160];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	sqlite3_close(ro);
	db_close(w);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
		unlink(f);
	}
	rmdir(dir);
	current = NULL;
}

TestSuite(show_ezvpn, .init = setup, .fini = teardown);

/* The seed's client example (etc/seed-ezvpn-client.conf), as the parser would fill it. */
static struct vpnd_conf *seed_conf(void)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	cr_assert_not_null(c);
	struct conf_ezvpn *e = &c->ezvpn[c->nezvpn++];
	snprintf(e->name, sizeof(e->name), "testvpn");
	e->connect_manual = 1;
	snprintf(e->group, sizeof(e->group), "group1");
	e->mode = EZ_MODE_CLIENT;
	inet_pton(AF_INET, "172.18.143.246", &e->peer[e->npeer++]);
	e->virtual_interface = 1;
	snprintf(e->username, sizeof(e->username), "cisco");
	e->xauth_local = 1;
	snprintf(e->outside, sizeof(e->outside), "FastEthernet0/0");
	snprintf(e->inside[e->ninside++], sizeof(e->inside[0]), "FastEthernet0/1");
	return c;
}

static struct conf_ezvpn *add_ezvpn(struct vpnd_conf *c, const char *name, const char *peer)
{
	struct conf_ezvpn *e = &c->ezvpn[c->nezvpn++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	inet_pton(AF_INET, peer, &e->peer[e->npeer++]);
	return e;
}

static struct msg_ez_state active(const char *name)
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
	m.session_id = 3;
	m.save_password = 1;
	return m;
}

/* show_ezvpn into a string (the caller frees it); *rc its return, *err its error. */
static char *show(const struct vpnd_conf *c, const char *name, int json, int *rc, char *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	err[0] = '\0';
	*rc = show_ezvpn(f, c, ro, name, json, err, 256);
	fclose(f);
	return buf;
}

static int json_check(const char *text, const char *check)
{
	char script[8192];
	snprintf(script, sizeof(script), "import json, sys\nd = json.load(sys.stdin)\n%s\n", check);
	cr_assert_eq(setenv("SHOW_CHECK", script, 1), 0);
	FILE *p = popen("python3 -c 'import os; exec(os.environ[\"SHOW_CHECK\"])'", "w");
	cr_assert_not_null(p, "python3");
	fputs(text, p);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* ---- show crypto ipsec client ezvpn ---- */

Test(show_ezvpn, active_tunnel_as_ios_prints_it)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn");
	char err[256];
	int rc;
	cr_assert_eq(db_ez_state(w, &m), 0);
	char *out = show(c, NULL, 0, &rc, err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_str_eq(out,
		"Easy VPN Remote Phase: 8\n"
		"\n"
		"Tunnel name : testvpn\n"
		"Inside interface list: FastEthernet0/1\n"
		"Outside interface: Virtual-Access2 (bound to FastEthernet0/0)\n"
		"Current State: IPSEC_ACTIVE\n"
		"Last Event: SOCKET_UP\n"
		"Address: 192.168.1.1 (applied on Virtual-Access2)\n"
		"Mask: 255.255.255.255\n"
		"Save Password: Allowed\n"
		"Current EzVPN Peer: 172.18.143.246\n");
	/* the same with the name */
	char *named = show(c, "testvpn", 0, &rc, err);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(named, out);
	free(named);
	free(out);
	free(c);
}

Test(show_ezvpn, split_tunnel_list)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn");
	char err[256];
	int rc;
	m.nsplit = 2;
	inet_pton(AF_INET, "10.2.1.0", &m.split[0].net);
	m.split[0].plen = 24;
	inet_pton(AF_INET, "10.8.0.0", &m.split[1].net);
	m.split[1].plen = 13;
	m.save_password = 0;
	cr_assert_eq(db_ez_state(w, &m), 0);
	char *out = show(c, "testvpn", 0, &rc, err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_not_null(strstr(out,
		"Save Password: Disallowed\n"
		"Split Tunnel List: 1\n"
		"       Address    : 10.2.1.0\n"
		"       Mask       : 255.255.255.0\n"
		"       Protocol   : 0x0\n"
		"       Source Port: 0\n"
		"       Dest Port  : 0\n"
		"       Address    : 10.8.0.0\n"
		"       Mask       : 255.248.0.0\n"
		"       Protocol   : 0x0\n"
		"       Source Port: 0\n"
		"       Dest Port  : 0\n"
		"Current EzVPN Peer: 172.18.143.246\n"), "%s", out);
	free(out);
	out = show(c, "testvpn", 1, &rc, err);
	cr_assert_eq(rc, 0);
	cr_expect_eq(json_check(out,
		"t = d['tunnels'][0]\n"
		"assert t['split_tunnels'] == [\n"
		" {'address': '10.2.1.0', 'mask': '255.255.255.0', 'protocol': 0, 'source_port': 0,"
		"  'dest_port': 0},\n"
		" {'address': '10.8.0.0', 'mask': '255.248.0.0', 'protocol': 0, 'source_port': 0,"
		"  'dest_port': 0}], t\n"
		"assert t['save_password'] is False\n"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_ezvpn, json_of_an_active_tunnel)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn");
	char err[256];
	int rc;
	cr_assert_eq(db_ez_state(w, &m), 0);
	char *out = show(c, NULL, 1, &rc, err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_eq(json_check(out,
		"assert d['phase'] == 8\n"
		"assert len(d['tunnels']) == 1\n"
		"t = d['tunnels'][0]\n"
		"want = {'name': 'testvpn', 'inside_interfaces': ['FastEthernet0/1'],\n"
		" 'outside_interface': 'Virtual-Access2', 'bound_to': 'FastEthernet0/0',\n"
		" 'state': 'IPSEC_ACTIVE', 'last_event': 'SOCKET_UP', 'address': '192.168.1.1',\n"
		" 'mask': '255.255.255.255', 'interface': 'va2', 'unit': 2, 'save_password': True,\n"
		" 'split_tunnels': [], 'peer': '172.18.143.246', 'session_id': 3}\n"
		"for k, v in want.items():\n"
		"    assert t[k] == v, (k, t[k], v)\n"
		"assert isinstance(t['updated'], int) and t['updated'] > 1700000000\n"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_ezvpn, no_row_yet_is_idle_by_connect_mode)
{
	struct vpnd_conf *c = seed_conf();
	struct conf_ezvpn *a = add_ezvpn(c, "auto1", "198.51.100.7");
	char err[256];
	int rc;
	(void)a;
	char *out = show(c, NULL, 0, &rc, err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_str_eq(out,
		"Easy VPN Remote Phase: 8\n"
		"\n"
		"Tunnel name : testvpn\n"
		"Inside interface list: FastEthernet0/1\n"
		"Outside interface: FastEthernet0/0\n"
		"Current State: CONNECT_REQUIRED\n"
		"Save Password: Disallowed\n"
		"Current EzVPN Peer: 172.18.143.246\n"
		"\n"
		"Tunnel name : auto1\n"
		"Current State: IDLE\n"
		"Save Password: Disallowed\n"
		"Current EzVPN Peer: 198.51.100.7\n");
	free(out);
	out = show(c, NULL, 1, &rc, err);
	cr_assert_eq(rc, 0);
	cr_expect_eq(json_check(out,
		"s = [(t['name'], t['state'], t['outside_interface'], t['bound_to'], t['address'],\n"
		"      t['interface'], t['unit'], t['session_id'], t['peer']) for t in d['tunnels']]\n"
		"assert s == [('testvpn', 'CONNECT_REQUIRED', 'FastEthernet0/0', None, None, None,\n"
		"              None, None, '172.18.143.246'),\n"
		"             ('auto1', 'IDLE', None, None, None, None, None, None,\n"
		"              '198.51.100.7')], s\n"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_ezvpn, after_a_reset_and_with_a_store_of_rows_for_other_names)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn"), o = active("elsewhere");
	char err[256];
	int rc;
	cr_assert_eq(db_ez_state(w, &m), 0);
	cr_assert_eq(db_ez_state(w, &o), 0);
	cr_assert_eq(db_ez_reset(w, "testvpn", "CONNECT_REQUIRED", "RESET"), 0);
	char *out = show(c, NULL, 0, &rc, err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_str_eq(out,
		"Easy VPN Remote Phase: 8\n"
		"\n"
		"Tunnel name : testvpn\n"
		"Inside interface list: FastEthernet0/1\n"
		"Outside interface: FastEthernet0/0\n"
		"Current State: CONNECT_REQUIRED\n"
		"Last Event: RESET\n"
		"Save Password: Disallowed\n"
		"Current EzVPN Peer: 172.18.143.246\n");
	free(out);
	free(c);
}

Test(show_ezvpn, unknown_name_and_nothing_configured)
{
	struct vpnd_conf *c = seed_conf();
	char err[256];
	int rc;
	char *out = show(c, "nosuch", 0, &rc, err);
	cr_expect_eq(rc, -1);
	cr_expect_str_eq(err, "no crypto ipsec client ezvpn nosuch is configured");
	free(out);
	c->nezvpn = 0;
	out = show(c, NULL, 0, &rc, err);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(out, "Easy VPN Remote Phase: 8\n\nNo crypto ipsec client ezvpn is "
	                      "configured\n");
	free(out);
	out = show(c, NULL, 1, &rc, err);
	cr_expect_eq(json_check(out, "assert d == {'phase': 8, 'tunnels': []}, d\n"), 0, "%s", out);
	free(out);
	free(c);
}

/* ---- the control-socket commands ---- */

static struct control_conn *conn(const struct vpnd_conf *c)
{
	static struct control_conn cc;
	free(cc.out);
	memset(&cc, 0, sizeof(cc));
	cc.conf = c;
	cc.db = ro;
	current = &cc;
	return &cc;
}

/* the words after the command's own, split as control.c does */
#define RUN(fn, cc, ...) do { \
	char *argv_[] = { __VA_ARGS__ }; \
	int argc_ = (int)(sizeof(argv_) / sizeof(argv_[0])); \
	if (argc_ == 1 && argv_[0] == NULL) \
		argc_ = 0; \
	fn((cc), argc_, argv_); \
} while (0)

/* what the parent does with control's request: it must pass the parent's check */
static void parent_accepts(const struct control_conn *cc, int kind, const char *name)
{
	const char *why = NULL;
	cr_assert_eq(cc->asked, 1, "no request made; answered: %s", cc->out ? cc->out : "");
	cr_assert_eq(cc->q.kind, CTL_EZVPN);
	cr_assert_eq(cc->q.u.ez.kind, kind);
	cr_assert_str_eq(cc->q.u.ez.ezvpn, name);
	cr_assert_eq(ctl_req_check(&cc->q, &why), 0, "%s", why);
}

Test(show_ezvpn, connect_names_one_or_takes_the_only_one)
{
	struct vpnd_conf *c = seed_conf();
	struct control_conn *cc = conn(c);
	RUN(ez_cmd_connect, cc, NULL);
	parent_accepts(cc, EZ_CMD_CONNECT, "testvpn");
	cr_expect_str_eq(cc->tail, "connecting testvpn\n");

	cc = conn(c);
	RUN(ez_cmd_connect, cc, "testvpn");
	parent_accepts(cc, EZ_CMD_CONNECT, "testvpn");

	cc = conn(c);
	RUN(ez_cmd_connect, cc, "nosuch");
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% no crypto ipsec client ezvpn nosuch is configured\n");

	/* two tunnels: the name is needed */
	add_ezvpn(c, "auto1", "198.51.100.7");
	cc = conn(c);
	RUN(ez_cmd_connect, cc, NULL);
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% 2 Easy VPN tunnels are configured: name one (usage: crypto "
	                          "ipsec client ezvpn connect NAME)\n");
	cc = conn(c);
	RUN(ez_cmd_connect, cc, "auto1");
	parent_accepts(cc, EZ_CMD_CONNECT, "auto1");

	cc = conn(c);
	RUN(ez_cmd_connect, cc, "auto1", "extra");
	cr_expect_eq(cc->asked, 0);
	cr_expect_not_null(strstr(cc->out, "% Invalid input: 'extra'"), "%s", cc->out);

	c->nezvpn = 0;
	cc = conn(c);
	RUN(ez_cmd_connect, cc, NULL);
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% no crypto ipsec client ezvpn is configured\n");
	free(cc->out);
	cc->out = NULL;
	free(c);
}

Test(show_ezvpn, clear_one_or_all)
{
	struct vpnd_conf *c = seed_conf();
	add_ezvpn(c, "auto1", "198.51.100.7");
	struct control_conn *cc = conn(c);
	RUN(ez_cmd_clear, cc, NULL);
	parent_accepts(cc, EZ_CMD_CLEAR, "");
	cr_expect_str_eq(cc->tail, "clearing every Easy VPN tunnel\n");

	cc = conn(c);
	RUN(ez_cmd_clear, cc, "auto1");
	parent_accepts(cc, EZ_CMD_CLEAR, "auto1");

	cc = conn(c);
	RUN(ez_cmd_clear, cc, "nosuch");
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% no crypto ipsec client ezvpn nosuch is configured\n");

	c->nezvpn = 0;
	cc = conn(c);
	RUN(ez_cmd_clear, cc, NULL);
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% no crypto ipsec client ezvpn is configured\n");
	free(cc->out);
	cc->out = NULL;
	free(c);
}

Test(show_ezvpn, xauth_answers_without_asking)
{
	struct vpnd_conf *c = seed_conf();
	struct control_conn *cc = conn(c);
	RUN(ez_cmd_xauth, cc, NULL);
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% testvpn: not needed: xauth userid mode local (the configured "
	                          "username answers the server)\n");
	c->ezvpn[0].xauth_local = 0;
	cc = conn(c);
	RUN(ez_cmd_xauth, cc, "testvpn");
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "% testvpn: no XAUTH request pending\n");
	free(cc->out);
	cc->out = NULL;
	free(c);
}

/* vpnctl asks first: a request is pending only when ikemgr reported XAUTH_PROMPT */
Test(show_ezvpn, xauth_pending_from_the_reported_state)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn");
	c->ezvpn[0].xauth_local = 0;
	snprintf(m.state, sizeof(m.state), "XAUTH_PROMPT");
	cr_assert_eq(db_ez_state(w, &m), 0);
	struct control_conn *cc = conn(c);
	RUN(ez_cmd_xauth, cc, NULL);
	cr_expect_eq(cc->asked, 0);
	cr_expect_str_eq(cc->out, "testvpn: XAUTH request pending\n");
	snprintf(m.state, sizeof(m.state), "XAUTH_REQ_INFO");
	cr_assert_eq(db_ez_state(w, &m), 0);
	cc = conn(c);
	RUN(ez_cmd_xauth, cc, "testvpn");
	cr_expect_str_eq(cc->out, "% testvpn: no XAUTH request pending\n");
	free(cc->out);
	cc->out = NULL;
	free(c);
}

/* the answer's words are decoded into the struct for the parent, then wiped in the line */
Test(show_ezvpn, xauth_answer_goes_to_the_parent)
{
	struct vpnd_conf *c = seed_conf();
	char name[] = "testvpn", ans[] = "answer", user[] = "6369736330", pass[] = "7320703a";
	char *argv[] = { name, ans, user, pass };
	const char *why = NULL;
	c->ezvpn[0].xauth_local = 0;
	struct control_conn *cc = conn(c);
	ez_cmd_xauth(cc, 4, argv);
	cr_assert_eq(cc->asked, 1, "%s", cc->out ? cc->out : "");
	cr_expect_str_eq(ezx_asked.ezvpn, "testvpn");
	cr_expect_str_eq(ezx_asked.user, "cisc0");
	cr_expect_str_eq(ezx_asked.password, "s p:");
	cr_expect_str_eq(cc->tail, "testvpn: XAUTH answer sent to the server\n");
	cr_expect_eq(ctl_ezx_check(&ezx_asked), 0, "the parent's check");
	cr_expect_eq(user[0] | user[9] | pass[0] | pass[7], 0, "the hex words are wiped");
	/* the only ezvpn, unnamed; an empty password is "-" */
	char ans2[] = "answer", user2[] = "61", pass2[] = "-";
	char *argv2[] = { ans2, user2, pass2 };
	cc = conn(c);
	ez_cmd_xauth(cc, 3, argv2);
	cr_assert_eq(cc->asked, 1);
	cr_expect_str_eq(ezx_asked.password, "");
	/* not hex, an empty user, a NUL byte: refused here, nothing asked */
	const char *bad[][2] = { { "zz", "61" }, { "-", "61" }, { "6100", "61" }, { "61", "616" } };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char a3[] = "answer", u3[8], p3[8];
		snprintf(u3, sizeof(u3), "%s", bad[k][0]);
		snprintf(p3, sizeof(p3), "%s", bad[k][1]);
		char *argv3[] = { a3, u3, p3 };
		cc = conn(c);
		ez_cmd_xauth(cc, 3, argv3);
		cr_expect_eq(cc->asked, 0, "case %zu", k);
		cr_expect_not_null(strstr(cc->out, "is not a username and password"), "%s", cc->out);
	}
	/* mode local: nothing to answer */
	c->ezvpn[0].xauth_local = 1;
	char a4[] = "answer", u4[] = "61", p4[] = "62";
	char *argv4[] = { a4, u4, p4 };
	cc = conn(c);
	ez_cmd_xauth(cc, 3, argv4);
	cr_expect_eq(cc->asked, 0);
	cr_expect_eq(u4[0], 0, "wiped even when refused");
	/* the parent refuses a name control cannot send */
	memset(&ezx_asked, 0, sizeof(ezx_asked));
	cr_expect_eq(ctl_ezx_check(&ezx_asked), -1, "no name");
	memset(ezx_asked.ezvpn, 'a', sizeof(ezx_asked.ezvpn));
	cr_expect_eq(ctl_ezx_check(&ezx_asked), -1, "an unterminated name");
	snprintf(ezx_asked.ezvpn, sizeof(ezx_asked.ezvpn), "a b");
	cr_expect_eq(ctl_ezx_check(&ezx_asked), -1, "a blank in the name");
	(void)why;
	free(cc->out);
	cc->out = NULL;
	free(c);
}

Test(show_ezvpn, show_handler_reads_the_store)
{
	struct vpnd_conf *c = seed_conf();
	struct msg_ez_state m = active("testvpn");
	cr_assert_eq(db_ez_state(w, &m), 0);
	struct control_conn *cc = conn(c);
	RUN(show_cmd_ezvpn, cc, "--json");
	cr_expect_eq(json_check(cc->out, "assert d['tunnels'][0]['state'] == 'IPSEC_ACTIVE'\n"), 0,
	             "%s", cc->out);
	cc = conn(c);
	RUN(show_cmd_ezvpn, cc, "nosuch");
	cr_expect_str_eq(cc->out, "% no crypto ipsec client ezvpn nosuch is configured\n");
	cc = conn(c);
	RUN(show_cmd_ezvpn, cc, "a", "b");
	cr_expect_not_null(strstr(cc->out, "% Invalid input: 'b'"), "%s", cc->out);
	free(cc->out);
	cc->out = NULL;
	free(c);
}

/* what control can never make is refused by the parent's check */
Test(show_ezvpn, parent_refuses_requests_no_command_makes)
{
	struct msg_ctl_req q;
	const char *why;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_EZVPN;
	q.u.ez.kind = EZ_CMD_CONNECT;
	cr_expect_eq(ctl_req_check(&q, &why), -1, "connect without a name");
	q.u.ez.kind = 7;
	snprintf(q.u.ez.ezvpn, sizeof(q.u.ez.ezvpn), "testvpn");
	cr_expect_eq(ctl_req_check(&q, &why), -1, "an unknown kind");
	q.u.ez.kind = EZ_CMD_CLEAR;
	snprintf(q.u.ez.ezvpn, sizeof(q.u.ez.ezvpn), "test\nvpn");
	cr_expect_eq(ctl_req_check(&q, &why), -1, "a line break in the name");
	memset(q.u.ez.ezvpn, 'a', sizeof(q.u.ez.ezvpn));
	cr_expect_eq(ctl_req_check(&q, &why), -1, "an unterminated name");
}
