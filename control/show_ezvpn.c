/*
 * The Easy VPN remote for the operator: show crypto ipsec client ezvpn [NAME] as IOS lays it
 * out (or JSON), crypto ipsec client ezvpn connect|xauth [NAME] and clear crypto ipsec client
 * ezvpn [NAME]. What is configured (names, inside and outside interfaces, connect manual)
 * comes from the configuration, what is up from the session store's ezvpn table, which the
 * parent fills from ikemgr's reports. A name with no row yet is idle: CONNECT_REQUIRED with
 * connect manual, else IDLE.
 */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hexword.h"
#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"

/* IOS prints the phase of its Easy VPN Remote feature set first; 8 has the DVTI client. */
#define EZ_PHASE 8

struct ez_row {
	int       found;
	char      state[32], last_event[32];
	char      peer[16], addr[16], mask[16];     /* dotted quads, "" when none */
	char      ifname[16];
	int       unit;
	char      split[MSG_ROUTES_MAX * 20];
	int       save_password;
	long long session_id;                       /* 0 when none */
	long long updated;
};

static void col_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* An address column as text, kept only when it is one. */
static void col_addr(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	struct in_addr a;
	const unsigned char *t = sqlite3_column_text(s, col);

	if (t == NULL || inet_pton(AF_INET, (const char *)t, &a) != 1 ||
	    inet_ntop(AF_INET, &a, dst, (socklen_t)len) == NULL)
		dst[0] = '\0';
}

/* NAME's row: 1 found, 0 none, -1 with ERR. */
static int ez_row_get(sqlite3 *db, const char *name, struct ez_row *r, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT state, last_event, peer_addr, assigned_addr, mask, ifname, unit, split,"
		" save_password, session_id, CAST(updated AS INTEGER) FROM ezvpn WHERE name = ?";
	sqlite3_stmt *s = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->found = 1;
		col_text(s, 0, r->state, sizeof(r->state));
		col_text(s, 1, r->last_event, sizeof(r->last_event));
		col_addr(s, 2, r->peer, sizeof(r->peer));
		col_addr(s, 3, r->addr, sizeof(r->addr));
		col_addr(s, 4, r->mask, sizeof(r->mask));
		col_text(s, 5, r->ifname, sizeof(r->ifname));
		r->unit = sqlite3_column_int(s, 6);
		col_text(s, 7, r->split, sizeof(r->split));
		r->save_password = sqlite3_column_int(s, 8);
		r->session_id = sqlite3_column_int64(s, 9);
		r->updated = sqlite3_column_int64(s, 10);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The next "A/LEN" of the split text at *P: 1 with the network and its mask, 0 at the end. */
static int next_split(const char **p, char *net, char *mask)
{
	while (**p) {
		char word[40];
		size_t n;
		struct in_addr a, m;
		int plen;
		char *slash, *end;

		*p += strspn(*p, " ");
		n = strcspn(*p, " ");
		if (n == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), *p);
		*p += n;
		if ((slash = strchr(word, '/')) == NULL)
			continue;
		*slash = '\0';
		plen = (int)strtol(slash + 1, &end, 10);
		if (*end || plen < 0 || plen > 32 || inet_pton(AF_INET, word, &a) != 1)
			continue;
		m.s_addr = plen ? htonl(~0u << (32 - plen)) : 0;
		inet_ntop(AF_INET, &a, net, INET_ADDRSTRLEN);
		inet_ntop(AF_INET, &m, mask, INET_ADDRSTRLEN);
		return 1;
	}
	return 0;
}

static void peer_of(const struct conf_ezvpn *e, const struct ez_row *r, char *buf)
{
	if (r->peer[0])
		snprintf(buf, INET_ADDRSTRLEN, "%s", r->peer);
	else if (e->npeer > 0)
		inet_ntop(AF_INET, &e->peer[0], buf, INET_ADDRSTRLEN);
	else
		buf[0] = '\0';
}

static void tunnel_text(FILE *f, const struct conf_ezvpn *e, const struct ez_row *r)
{
	char va[32] = "", peer[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];
	const char *p;

	if (r->ifname[0])
		snprintf(va, sizeof(va), "Virtual-Access%d", r->unit);
	fprintf(f, "Tunnel name : %s\n", e->name);
	if (e->ninside > 0) {
		fprintf(f, "Inside interface list: ");
		for (int k = 0; k < e->ninside && k < CONF_EZVPN_INSIDE; k++)
			fprintf(f, "%s%s", k ? ", " : "", e->inside[k]);
		fprintf(f, "\n");
	}
	if (va[0] && e->outside[0])
		fprintf(f, "Outside interface: %s (bound to %s)\n", va, e->outside);
	else if (va[0] || e->outside[0])
		fprintf(f, "Outside interface: %s\n", va[0] ? va : e->outside);
	fprintf(f, "Current State: %s\n", r->found ? r->state : conf_ezvpn_idle_state(e));
	if (r->last_event[0])
		fprintf(f, "Last Event: %s\n", r->last_event);
	if (r->addr[0]) {
		if (va[0])
			fprintf(f, "Address: %s (applied on %s)\n", r->addr, va);
		else
			fprintf(f, "Address: %s\n", r->addr);
	}
	if (r->mask[0])
		fprintf(f, "Mask: %s\n", r->mask);
	fprintf(f, "Save Password: %s\n", r->save_password ? "Allowed" : "Disallowed");
	p = r->split;
	for (int n = 0; next_split(&p, net, mask); n++) {
		if (n == 0)
			fprintf(f, "Split Tunnel List: 1\n");
		fprintf(f, "       Address    : %s\n", net);
		fprintf(f, "       Mask       : %s\n", mask);
		fprintf(f, "       Protocol   : 0x0\n");
		fprintf(f, "       Source Port: 0\n");
		fprintf(f, "       Dest Port  : 0\n");
	}
	peer_of(e, r, peer);
	if (peer[0])
		fprintf(f, "Current EzVPN Peer: %s\n", peer);
}

static void tunnel_json(struct jw *w, const struct conf_ezvpn *e, const struct ez_row *r)
{
	char va[32] = "", peer[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];
	const char *p;

	if (r->ifname[0])
		snprintf(va, sizeof(va), "Virtual-Access%d", r->unit);
	jw_obj(w, NULL);
	jw_str(w, "name", e->name);
	jw_arr(w, "inside_interfaces");
	for (int k = 0; k < e->ninside && k < CONF_EZVPN_INSIDE; k++)
		jw_str(w, NULL, e->inside[k]);
	jw_arr_end(w);
	jw_str(w, "outside_interface", va[0] ? va : e->outside);
	jw_str(w, "bound_to", va[0] ? e->outside : NULL);
	jw_str(w, "state", r->found ? r->state : conf_ezvpn_idle_state(e));
	jw_str(w, "last_event", r->last_event);
	jw_str(w, "address", r->addr);
	jw_str(w, "mask", r->mask);
	jw_str(w, "interface", r->ifname);
	if (r->ifname[0])
		jw_int(w, "unit", r->unit);
	else
		jw_null(w, "unit");
	jw_bool(w, "save_password", r->save_password);
	jw_arr(w, "split_tunnels");
	p = r->split;
	while (next_split(&p, net, mask)) {
		jw_obj(w, NULL);
		jw_str(w, "address", net);
		jw_str(w, "mask", mask);
		jw_int(w, "protocol", 0);
		jw_int(w, "source_port", 0);
		jw_int(w, "dest_port", 0);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	peer_of(e, r, peer);
	jw_str(w, "peer", peer);
	jw_int0(w, "session_id", r->session_id);
	jw_int0(w, "updated", r->updated);
	jw_obj_end(w);
}

int show_ezvpn(FILE *f, const struct vpnd_conf *c, sqlite3 *db, const char *name, int json,
               char *err, size_t errlen)
{
	const struct conf_ezvpn *only = NULL;
	struct ez_row *rows;
	struct jw w;
	int shown = 0;

	if (name && !(only = conf_find_ezvpn(c, name))) {
		snprintf(err, errlen, "no crypto ipsec client ezvpn %s is configured", name);
		return -1;
	}
	/* every row first: an error then leaves nothing half written */
	if ((rows = calloc(CONF_MAX_EZVPN, sizeof(*rows))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int k = 0; k < c->nezvpn && k < CONF_MAX_EZVPN; k++) {
		if (only && &c->ezvpn[k] != only)
			continue;
		if (db && ez_row_get(db, c->ezvpn[k].name, &rows[k], err, errlen) < 0) {
			free(rows);
			return -1;
		}
	}
	if (json) {
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_int(&w, "phase", EZ_PHASE);
		jw_arr(&w, "tunnels");
	} else {
		fprintf(f, "Easy VPN Remote Phase: %d\n", EZ_PHASE);
	}
	for (int k = 0; k < c->nezvpn && k < CONF_MAX_EZVPN; k++) {
		if (only && &c->ezvpn[k] != only)
			continue;
		if (json) {
			tunnel_json(&w, &c->ezvpn[k], &rows[k]);
		} else {
			fprintf(f, "\n");
			tunnel_text(f, &c->ezvpn[k], &rows[k]);
		}
		shown++;
	}
	if (json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
	} else if (shown == 0) {
		fprintf(f, "\nNo crypto ipsec client ezvpn is configured\n");
	}
	free(rows);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Control socket handlers */

void show_cmd_ezvpn(struct control_conn *cc, int argc, char **argv)
{
	const struct vpnd_conf *c = control_conf(cc);
	int json = control_take_json(&argc, argv);
	struct control_out o;
	char err[256] = "";

	if (argc > 1) {
		control_printf(cc, "%% Invalid input: '%s' (usage: show crypto ipsec client ezvpn "
		               "[NAME] [--json])\n", argv[1]);
		return;
	}
	if (c == NULL || control_db() == NULL) {
		control_printf(cc, "%% %s\n", c ? "session store not opened at start (see the log)"
		                                : "no configuration loaded");
		return;
	}
	if (control_out_open(cc, &o) == NULL)
		return;
	if (show_ezvpn(o.f, c, control_db(), argc ? argv[0] : NULL, json, err, sizeof(err)) < 0) {
		/* the error alone: a memory stream's size is where it was last written */
		fseek(o.f, 0, SEEK_SET);
		fprintf(o.f, "%% %s\n", err);
	}
	control_out_send(cc, &o);
}

/*
 * The ezvpn a command is about: the one named, or the only one configured (as IOS takes it).
 * NULL after a '%' line.
 */
static const struct conf_ezvpn *pick(struct control_conn *cc, int argc, char **argv,
                                     const char *usage)
{
	const struct vpnd_conf *c = control_conf(cc);
	const struct conf_ezvpn *e;

	if (argc > 1) {
		control_printf(cc, "%% Invalid input: '%s' (usage: %s [NAME])\n", argv[1], usage);
		return NULL;
	}
	if (c == NULL) {
		control_printf(cc, "%% no configuration loaded\n");
		return NULL;
	}
	if (c->nezvpn == 0) {
		control_printf(cc, "%% no crypto ipsec client ezvpn is configured\n");
		return NULL;
	}
	if (argc == 1) {
		if ((e = conf_find_ezvpn(c, argv[0])) == NULL)
			control_printf(cc, "%% no crypto ipsec client ezvpn %s is configured\n",
			               argv[0]);
		return e;
	}
	if (c->nezvpn > 1) {
		control_printf(cc, "%% %d Easy VPN tunnels are configured: name one (usage: %s "
		               "NAME)\n", c->nezvpn, usage);
		return NULL;
	}
	return &c->ezvpn[0];
}

static void ask(struct control_conn *cc, int kind, const char *name, const char *done)
{
	struct msg_ctl_req q;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_EZVPN;
	q.u.ez.kind = kind;
	snprintf(q.u.ez.ezvpn, sizeof(q.u.ez.ezvpn), "%s", name);
	control_ask(cc, &q, "%s%s%s\n", done, name[0] ? " " : "", name);
}

void ez_cmd_connect(struct control_conn *cc, int argc, char **argv)
{
	const struct conf_ezvpn *e = pick(cc, argc, argv, "crypto ipsec client ezvpn connect");

	if (e != NULL)
		ask(cc, EZ_CMD_CONNECT, e->name, "connecting");
}

/* clear crypto ipsec client ezvpn [NAME]: every tunnel when no name is given */
void ez_cmd_clear(struct control_conn *cc, int argc, char **argv)
{
	const struct vpnd_conf *c = control_conf(cc);

	if (argc > 1) {
		control_printf(cc, "%% Invalid input: '%s' (usage: clear crypto ipsec client ezvpn "
		               "[NAME])\n", argv[1]);
		return;
	}
	if (argc == 0) {
		if (c == NULL || c->nezvpn == 0) {
			control_printf(cc, "%% no crypto ipsec client ezvpn is configured\n");
			return;
		}
		ask(cc, EZ_CMD_CLEAR, "", "clearing every Easy VPN tunnel");
		return;
	}
	if (pick(cc, argc, argv, "clear crypto ipsec client ezvpn") != NULL)
		ask(cc, EZ_CMD_CLEAR, argv[0], "clearing");
}

/*
 * crypto ipsec client ezvpn xauth [NAME]: the operator answering the server's XAUTH request
 * (xauth userid mode interactive). vpnctl asks first, with the name alone: the answer says
 * whether a request waits (the state ikemgr reported), so nobody types a password for
 * nothing. Then it sends the name, "answer" and the username and password as hex words
 * (common/hexword.c); they go to the parent in a fixed-size struct the parent relays to
 * keymgr unread, and keymgr alone decides whether a request is held for them.
 */
void ez_cmd_xauth(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ez_xauth_answer a;
	const struct conf_ezvpn *e;
	struct ez_row r;
	char err[256];
	int answer = argc >= 3 && strcmp(argv[argc - 3], "answer") == 0;

	e = pick(cc, answer ? argc - 3 : argc, argv, "crypto ipsec client ezvpn xauth");
	if (e != NULL && e->xauth_local) {
		control_printf(cc, "%% %s: not needed: xauth userid mode local (the configured "
		               "username answers the server)\n", e->name);
		e = NULL;
	}
	if (e != NULL && answer) {
		memset(&a, 0, sizeof(a));
		snprintf(a.ezvpn, sizeof(a.ezvpn), "%s", e->name);
		if (hexword_decode(argv[argc - 2], a.user, sizeof(a.user)) < 0 || !a.user[0] ||
		    hexword_decode(argv[argc - 1], a.password, sizeof(a.password)) < 0)
			control_printf(cc, "%% %s: the XAUTH answer is not a username and password "
			               "(vpnctl sends them)\n", e->name);
		else
			control_ask_ezx(cc, &a, "%s: XAUTH answer sent to the server\n", e->name);
		explicit_bzero(&a, sizeof(a));
	}
	if (answer) {
		explicit_bzero(argv[argc - 2], strlen(argv[argc - 2]));
		explicit_bzero(argv[argc - 1], strlen(argv[argc - 1]));
	}
	if (e == NULL || answer)
		return;
	if (control_db() == NULL || ez_row_get(control_db(), e->name, &r, err, sizeof(err)) < 0 ||
	    strcmp(r.state, "XAUTH_PROMPT") != 0)
		control_printf(cc, "%% %s: no XAUTH request pending\n", e->name);
	else
		control_printf(cc, "%s: XAUTH request pending\n", e->name);
}
