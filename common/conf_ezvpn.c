/*
 * crypto ipsec client ezvpn NAME: an Easy VPN remote (this host dials out to a server), and
 * the interface line that names one as its outside or an inside interface. What needs the
 * whole file (the group, a peer, the interfaces) is checked in cp_check_ezvpn().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

void cp_h_ezvpn(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "an Easy VPN remote name") ||
	    !cp_name(p, i, "ezvpn name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->nezvpn; k++)
		if (strcmp(c->ezvpn[k].name, name) == 0)
			break;
	if (k == c->nezvpn) {
		if (k == CONF_MAX_EZVPN) {
			cp_error(p, "too many ezvpn remotes, expected at most %d", CONF_MAX_EZVPN);
			return;
		}
		memset(&c->ezvpn[k], 0, sizeof(c->ezvpn[k]));
		memcpy(c->ezvpn[k].name, name, sizeof(name));
		c->ezvpn[k].line = p->line;
		c->nezvpn++;
	}
	cp_open(p, CB_EZVPN, k);
}

static struct conf_ezvpn *cur(struct conf_parser *p)
{
	return &p->conf->ezvpn[p->idx];
}

/* connect auto | manual | acl NAME */
static void h_connect(struct conf_parser *p, int i)
{
	struct conf_ezvpn *ez = cur(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "auto, manual or acl NAME"))
		return;
	if (strcmp(p->argv[i], "auto") == 0 || strcmp(p->argv[i], "manual") == 0) {
		if (!cp_end(p, i + 1))
			return;
		ez->connect_manual = p->argv[i][0] == 'm';
		ez->connect_acl[0] = '\0';
	} else if (strcmp(p->argv[i], "acl") == 0) {
		if (!cp_need(p, i + 1, "an access list name after acl") ||
		    !cp_name(p, i + 1, "access list name", name, sizeof(name)) || !cp_end(p, i + 2))
			return;
		ez->connect_manual = 0;
		memcpy(ez->connect_acl, name, sizeof(name));
		cp_ref(p, REF_ACL, ez->connect_acl);
	} else {
		cp_error(p, "bad connect '%s', expected auto, manual or acl NAME", p->argv[i]);
	}
}

/* group G key K: the key is taken as the server's group key is (one word, clear text) */
static void h_group(struct conf_parser *p, int i)
{
	struct conf_ezvpn *ez = cur(p);
	char name[CONF_NAME_MAX], key[CONF_SECRET_MAX];

	if (!cp_need(p, i, "a group name then key KEY") ||
	    !cp_name(p, i, "group name", name, sizeof(name)))
		return;
	if (i + 1 >= p->argc || strcmp(p->argv[i + 1], "key") != 0) {
		cp_error(p, "expected 'key KEY' after the group name");
		return;
	}
	if (!cp_need(p, i + 2, "the group's pre-shared key after key"))
		return;
	if (cp_secret(p, p->argv[i + 2], "group key", key, sizeof(key)) && cp_end(p, i + 3)) {
		memcpy(ez->group, name, sizeof(name));
		explicit_bzero(ez->group_key, sizeof(ez->group_key));
		memcpy(ez->group_key, key, sizeof(key));
	}
	explicit_bzero(key, sizeof(key));
}

static void h_mode(struct conf_parser *p, int i)
{
	static const char *const words[] = {
		[EZ_MODE_CLIENT] = "client",
		[EZ_MODE_NETWORK_EXTENSION] = "network-extension",
		[EZ_MODE_NETWORK_PLUS] = "network-plus",
	};

	if (!cp_need(p, i, "client, network-extension or network-plus"))
		return;
	for (int m = 0; m < (int)(sizeof(words) / sizeof(words[0])); m++) {
		if (strcmp(p->argv[i], words[m]) == 0) {
			if (cp_end(p, i + 1))
				cur(p)->mode = m;
			return;
		}
	}
	cp_error(p, "bad mode '%s', expected client, network-extension or network-plus",
	         p->argv[i]);
}

/* peer A [default]: tried in the order written; default puts this one first */
static void h_peer(struct conf_parser *p, int i)
{
	struct conf_ezvpn *ez = cur(p);
	struct in_addr a;
	int first = 0, j = i + 1;

	if (!cp_need(p, i, "the server's IPv4 address") ||
	    !cp_addr(p, i, "peer address", &a))
		return;
	if (j < p->argc && strcmp(p->argv[j], "default") == 0) {
		first = 1;
		j++;
	}
	if (!cp_end(p, j))
		return;
	for (int k = 0; k < ez->npeer; k++) {
		if (ez->peer[k].s_addr == a.s_addr) {
			cp_error(p, "peer %s is already listed, expected each server once", p->argv[i]);
			return;
		}
	}
	if (ez->npeer == CONF_EZVPN_PEERS) {
		cp_error(p, "too many peers, expected at most %d", CONF_EZVPN_PEERS);
		return;
	}
	if (first) {
		memmove(&ez->peer[1], &ez->peer[0], (size_t)ez->npeer * sizeof(ez->peer[0]));
		ez->peer[0] = a;
	} else {
		ez->peer[ez->npeer] = a;
	}
	ez->npeer++;
}

static void h_virtual_interface(struct conf_parser *p, int i)
{
	long long n;

	if (!cp_need(p, i, "a virtual template number") ||
	    !cp_num(p, i, "virtual-interface", 1, 9999, &n) || !cp_end(p, i + 1))
		return;
	cur(p)->virtual_interface = (int)n;
	cp_ref(p, REF_TEMPLATE, &cur(p)->virtual_interface);
}

/* username U password P: what XAUTH answers when the mode is local */
static void h_username(struct conf_parser *p, int i)
{
	struct conf_ezvpn *ez = cur(p);
	char name[CONF_NAME_MAX], pw[CONF_SECRET_MAX];

	if (!cp_need(p, i, "a user name then password PASSWORD") ||
	    !cp_name(p, i, "user name", name, sizeof(name)))
		return;
	if (i + 1 >= p->argc || strcmp(p->argv[i + 1], "password") != 0) {
		cp_error(p, "expected 'password PASSWORD' after the user name");
		return;
	}
	if (!cp_need(p, i + 2, "the password after password"))
		return;
	if (cp_secret(p, p->argv[i + 2], "password", pw, sizeof(pw)) && cp_end(p, i + 3)) {
		memcpy(ez->username, name, sizeof(name));
		explicit_bzero(ez->password, sizeof(ez->password));
		memcpy(ez->password, pw, sizeof(pw));
	}
	explicit_bzero(pw, sizeof(pw));
}

/* xauth userid mode local | interactive: interactive (the default, as on IOS) holds the
 * server's request until the operator answers it with vpnctl (keymgr/ez_prompt.c) */
static void h_xauth_mode(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "local or interactive"))
		return;
	if (strcmp(p->argv[i], "local") == 0 || strcmp(p->argv[i], "interactive") == 0) {
		if (cp_end(p, i + 1))
			cur(p)->xauth_local = p->argv[i][0] == 'l';
	} else if (strcmp(p->argv[i], "http-intercept") == 0) {
		cp_error(p, "xauth userid mode http-intercept is not supported, expected local");
	} else {
		cp_error(p, "bad xauth userid mode '%s', expected local or interactive", p->argv[i]);
	}
}

static const struct cp_kw xauth_userid[] = { FN("mode", h_xauth_mode), END };
static const struct cp_kw xauth_cmds[] = { SUB("userid", xauth_userid), END };

const struct cp_kw cp_ezvpn_cmds[] = {
	FN("connect", h_connect),
	FN("group", h_group),
	FN("mode", h_mode),
	FN("peer", h_peer),
	FN("virtual-interface", h_virtual_interface),
	FN("username", h_username),
	SUB("xauth", xauth_cmds),
	END
};

/* interface line: crypto ipsec client ezvpn NAME [outside|inside] */
static void h_iface_ezvpn(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = p->iface ? p->iface : &p->conf->iface[p->idx];
	char name[CONF_NAME_MAX];
	int inside = 0;

	if (!cp_need(p, i, "an ezvpn name, then outside or inside") ||
	    !cp_name(p, i, "ezvpn name", name, sizeof(name)))
		return;
	if (i + 1 < p->argc) {
		if (strcmp(p->argv[i + 1], "inside") == 0) {
			inside = 1;
		} else if (strcmp(p->argv[i + 1], "outside") != 0) {
			cp_error(p, "bad ezvpn side '%s', expected outside or inside", p->argv[i + 1]);
			return;
		}
	}
	if (!cp_end(p, i + 2))
		return;
	if (ifc->is_template || ifc->is_loopback) {
		cp_error(p, "an ezvpn is named on a physical interface, expected this line under "
		         "the outside or an inside interface, not %s", ifc->name);
		return;
	}
	memcpy(ifc->ezvpn, name, sizeof(name));
	ifc->ezvpn_inside = inside;
	cp_ref(p, REF_EZVPN, ifc->ezvpn);
}

static const struct cp_kw iface_client[] = { FN("ezvpn", h_iface_ezvpn), END };
static const struct cp_kw iface_ipsec[] = { SUB("client", iface_client), END };
const struct cp_kw cp_iface_crypto[] = {
	SUB("ipsec", iface_ipsec),
	FN("map", cp_h_iface_cmap),     /* conf_iface.c */
	END
};

/* Each remote gets its interfaces; the names stay as written (conf_iface_device maps them). */
static void fill_sides(struct conf_parser *p)
{
	struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->niface; k++) {
		const struct conf_interface *f = &c->iface[k];
		struct conf_ezvpn *ez = (struct conf_ezvpn *)conf_find_ezvpn(c, f->ezvpn);

		if (!f->ezvpn[0] || ez == NULL)
			continue;   /* an unknown name is reported with the references */
		if (!f->ezvpn_inside) {
			if (ez->outside[0])
				cp_error_at(p, f->line, "ezvpn '%s' already has outside interface %s, "
				            "expected one outside interface per ezvpn", ez->name,
				            ez->outside);
			else
				memcpy(ez->outside, f->name, sizeof(ez->outside));
		} else if (ez->ninside == CONF_EZVPN_INSIDE) {
			cp_error_at(p, f->line, "ezvpn '%s' has too many inside interfaces, expected at "
			            "most %d", ez->name, CONF_EZVPN_INSIDE);
		} else {
			memcpy(ez->inside[ez->ninside++], f->name, sizeof(ez->inside[0]));
		}
	}
}

void cp_check_ezvpn(struct conf_parser *p)
{
	struct vpnd_conf *c = p->conf;

	fill_sides(p);
	for (int k = 0; k < c->nezvpn; k++) {
		const struct conf_ezvpn *ez = &c->ezvpn[k];

		if (!ez->group[0])
			cp_error_at(p, ez->line, "ezvpn '%s' has no group, expected 'group NAME key "
			            "KEY' under it", ez->name);
		if (ez->npeer == 0)
			cp_error_at(p, ez->line, "ezvpn '%s' has no server, expected 'peer A.B.C.D' "
			            "under it", ez->name);
		if (ez->xauth_local && (!ez->username[0] || !ez->password[0]))
			cp_error_at(p, ez->line, "ezvpn '%s' has xauth userid mode local but no user, "
			            "expected 'username NAME password PASSWORD' under it", ez->name);
	}
}

/* The blocks as the parser reads them back; the key and the password are never printed. */
void conf_ezvpn_print(FILE *f, const struct vpnd_conf *c)
{
	static const char *const modes[] = { "client", "network-extension", "network-plus" };
	char a[INET_ADDRSTRLEN];

	for (int k = 0; k < c->nezvpn && k < CONF_MAX_EZVPN; k++) {
		const struct conf_ezvpn *ez = &c->ezvpn[k];

		fprintf(f, "crypto ipsec client ezvpn %s\n", ez->name);
		if (ez->connect_acl[0])
			fprintf(f, " connect acl %s\n", ez->connect_acl);
		else if (ez->connect_manual)
			fprintf(f, " connect manual\n");
		if (ez->group[0])
			fprintf(f, " group %s key <removed>\n", ez->group);
		if (ez->mode >= 0 && ez->mode < 3)
			fprintf(f, " mode %s\n", modes[ez->mode]);
		for (int j = 0; j < ez->npeer && j < CONF_EZVPN_PEERS; j++)
			fprintf(f, " peer %s\n", inet_ntop(AF_INET, &ez->peer[j], a, sizeof(a)));
		if (ez->virtual_interface)
			fprintf(f, " virtual-interface %d\n", ez->virtual_interface);
		if (ez->username[0])
			fprintf(f, " username %s password <removed>\n", ez->username);
		if (ez->xauth_local)
			fprintf(f, " xauth userid mode local\n");
		fprintf(f, "!\n");
	}
}
