/* hostname, control-socket group, aaa method lists and local users. */
#include <grp.h>
#include <string.h>

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
	j++;
	if (!cp_need(p, j, "a password"))
		return;
	/* A lone digit followed by more text is the encryption type, as IOS writes it. */
	if (strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j]) && j + 1 < p->argc) {
		if (p->argv[j][0] != '0') {
			cp_error(p, "password of type %s: only clear-text passwords (type 0) are "
			         "supported, expected 'password 0 TEXT'", p->argv[j]);
			return;
		}
		j++;
	}
	/* IOS takes the rest of the line, spaces included */
	if (!cp_secret(p, cp_rest(p, j), "password", u.password, sizeof(u.password))) {
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
