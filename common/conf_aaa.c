/* hostname, control-socket group, db history keep, aaa method lists and local users. */
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "common/cisco_secret.h"
#include "common/conf_parse.h"

void cp_h_hostname(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a host name") || !cp_name(p, i, "host name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	memcpy(p->conf->hostname, name, sizeof(name));
}

/* control-socket group NAME: the group must exist when the file is read. */
void cp_h_control_socket_group(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];
	struct group *g;

	if (!cp_need(p, i, "a group name") || !cp_name(p, i, "group name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	g = getgrnam(name);
	if (g == NULL) {
		cp_error(p, "no system group named '%s'", name);
		return;
	}
	memcpy(p->conf->control_group, name, sizeof(name));
	p->conf->control_gid = (int)g->gr_gid;
}

/*
 * db history keep DAYS (1 to 36500). Without it the history is kept forever, as before the
 * keyword existed: an upgrade must not start deleting what an operator relies on.
 */
void cp_h_db_history_keep(struct conf_parser *p, int i)
{
	long long days;

	if (!cp_need(p, i, "a number of days") ||
	    !cp_num(p, i, "days", 1, CONF_DB_HISTORY_DAYS_MAX, &days) || !cp_end(p, i + 1))
		return;
	p->conf->db_history_keep_days = (int)days;
}

void cp_h_aaa_new_model(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->aaa_new_model = 1;
}

void cp_h_no_aaa_new_model(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->aaa_new_model = 0;
}

static void aaa_list(struct conf_parser *p, int i, int kind)
{
	struct vpnd_conf *c = p->conf;
	struct conf_aaa_list l;
	const char *methods = kind == AAA_ACCT_NETWORK ? "group NAME" : "local or group NAME";
	int j = i + 1, k;

	memset(&l, 0, sizeof(l));
	l.kind = kind;
	l.line = p->line;
	if (!cp_need(p, i, "a list name (or default)") ||
	    !cp_name(p, i, "list name", l.name, sizeof(l.name)))
		return;
	if (kind == AAA_ACCT_NETWORK) {
		if (!cp_need(p, j, "start-stop"))
			return;
		if (strcmp(p->argv[j], "start-stop") != 0) {
			cp_error(p, "bad accounting record type '%s', expected start-stop", p->argv[j]);
			return;
		}
		j++;
	}
	if (!cp_need(p, j, methods))
		return;
	while (j < p->argc) {
		if (l.nmethod == 4) {
			cp_error(p, "too many methods in '%s', expected at most 4", p->cmd);
			return;
		}
		if (strcmp(p->argv[j], "local") == 0 && kind != AAA_ACCT_NETWORK) {
			l.method[l.nmethod++] = AAA_METHOD_LOCAL;
			j++;
		} else if (strcmp(p->argv[j], "group") == 0) {
			if (!cp_need(p, j + 1, "a server group name after 'group'") ||
			    !cp_name(p, j + 1, "server group name", l.group[l.nmethod],
			             sizeof(l.group[0])))
				return;
			l.method[l.nmethod++] = AAA_METHOD_GROUP;
			j += 2;
		} else {
			cp_error(p, "bad method '%s', expected %s", p->argv[j], methods);
			return;
		}
	}
	for (k = 0; k < c->naaa; k++)
		if (c->aaa[k].kind == kind && strcmp(c->aaa[k].name, l.name) == 0)
			break;
	if (k == CONF_MAX_AAA_LISTS) {
		cp_error(p, "too many aaa method lists, expected at most %d", CONF_MAX_AAA_LISTS);
		return;
	}
	c->aaa[k] = l;     /* IOS replaces a list given again */
	if (k == c->naaa)
		c->naaa++;
}

void cp_h_aaa_authen_login(struct conf_parser *p, int i)   { aaa_list(p, i, AAA_AUTHEN_LOGIN); }
void cp_h_aaa_author_network(struct conf_parser *p, int i) { aaa_list(p, i, AAA_AUTHOR_NETWORK); }
void cp_h_aaa_acct_network(struct conf_parser *p, int i)   { aaa_list(p, i, AAA_ACCT_NETWORK); }

/* The password of a username line from argument J on: clear (type 0), type 7 decoded, or a
 * hash kept as written (5, 8, 9 after "secret"). */
static int user_secret(struct conf_parser *p, struct conf_user *u, int secret, int type, int j)
{
	const char *what = secret ? "secret" : "password";
	switch (type) {
	case 0:
		/* IOS takes the rest of the line, spaces included */
		return cp_secret(p, cp_rest(p, j), "password", u->password, sizeof(u->password));
	case 7:
		if (secret || j + 1 != p->argc ||
		    cisco_type7_decode(p->argv[j], u->password, sizeof(u->password)) < 0) {
			cp_error(p, secret ? "'secret 7' is not an IOS form, expected 'password 7 "
			                     "ENCODED' or 'secret 5|8|9 HASH'"
			                   : "'password 7' needs one type-7 string, expected two "
			                     "decimal digits and an even number of hex digits");
			return 0;
		}
		return 1;
	case 5: case 8: case 9:
		if (!secret) {
			cp_error(p, "type %d is a hash, expected 'secret %d HASH'", type, type);
			return 0;
		}
		if (j + 1 != p->argc || !cisco_hash_wellformed(type, p->argv[j])) {
			if (type == 5)
				cp_error(p, "'secret 5' expected an MD5-crypt hash ($1$, a salt of up "
				         "to 8 characters, $ and 22 characters)");
			else
				cp_error(p, "'secret %d' expected $%d$, a 14-character salt, $ and 43 "
				         "characters of Cisco base64", type, type);
			return 0;
		}
		snprintf(u->password, sizeof(u->password), "%s", p->argv[j]);
		u->encrypted_type = type;
		return 1;
	case 4:
		cp_error(p, "'secret 4' (unsalted SHA-256, withdrawn by Cisco as weak) is refused, "
		         "expected 'secret 8' or 'secret 9'");
		return 0;
	default:
		cp_error(p, "%s of type %d: expected type 0 (clear), 7 (password), or 5, 8, 9 "
		         "(secret)", what, type);
		return 0;
	}
}

/* username NAME [privilege N] password|secret [TYPE] PASSWORD */
void cp_h_username(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_user u;
	long long priv;
	int j = i + 1, k;

	memset(&u, 0, sizeof(u));
	u.line = p->line;
	if (!cp_need(p, i, "a user name") || !cp_name(p, i, "user name", u.name, sizeof(u.name)))
		return;
	if (j < p->argc && strcmp(p->argv[j], "privilege") == 0) {
		if (!cp_need(p, j + 1, "a privilege level from 0 to 15") ||
		    !cp_num(p, j + 1, "privilege level", 0, 15, &priv))
			return;
		cp_warn(p, "'privilege %lld' has no meaning in vpnd, ignored", priv);
		j += 2;
	}
	if (!cp_need(p, j, "password or secret"))
		return;
	if (strcmp(p->argv[j], "password") != 0 && strcmp(p->argv[j], "secret") != 0) {
		cp_error(p, "bad keyword '%s' after 'username %s', expected password or secret",
		         p->argv[j], u.name);
		return;
	}
	int secret = strcmp(p->argv[j], "secret") == 0;
	j++;
	if (!cp_need(p, j, "a password"))
		return;
	/* A lone digit followed by more text is the encryption type, as IOS writes it. */
	int type = 0;
	if (strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j]) && j + 1 < p->argc) {
		type = p->argv[j][0] - '0';
		j++;
	}
	if (!user_secret(p, &u, secret, type, j)) {
		explicit_bzero(&u, sizeof(u));
		return;
	}
	for (k = 0; k < c->nuser; k++)
		if (strcmp(c->user[k].name, u.name) == 0)
			break;
	if (k == CONF_MAX_USERS) {
		cp_error(p, "too many users, expected at most %d", CONF_MAX_USERS);
		explicit_bzero(&u, sizeof(u));
		return;
	}
	explicit_bzero(&c->user[k], sizeof(c->user[k]));
	c->user[k] = u;
	if (k == c->nuser)
		c->nuser++;
	explicit_bzero(&u, sizeof(u));
}
