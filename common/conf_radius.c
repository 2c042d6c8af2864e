/*
 * RADIUS servers and server groups, IOS style:
 *   radius server NAME / address ipv4|ipv6 A [auth-port P] [acct-port P] / key [0] SECRET /
 *     timeout S / retransmit N / message-authenticator required|auto|off
 *   aaa group server radius G / server name NAME (in order)
 *   radius-server host A [auth-port P] [acct-port P] [timeout S] [retransmit N] [key K]
 *   radius-server timeout|retransmit|deadtime|dead-criteria (global defaults)
 *   aaa accounting update periodic MINUTES
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/cisco_secret.h"
#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* The server called NAME, made with IOS's defaults if new; -1 when the table is full. */
static int server_slot(struct conf_parser *p, const char *name)
{
	struct vpnd_conf *c = p->conf;
	int k;
	for (k = 0; k < c->nradius; k++)
		if (strcmp(c->radius[k].name, name) == 0)
			return k;
	if (k == CONF_MAX_RADIUS) {
		cp_error(p, "too many radius servers, expected at most %d", CONF_MAX_RADIUS);
		return -1;
	}
	memset(&c->radius[k], 0, sizeof(c->radius[k]));
	snprintf(c->radius[k].name, sizeof(c->radius[k].name), "%s", name);
	c->radius[k].auth_port = 1645;
	c->radius[k].acct_port = 1646;
	c->radius[k].retransmit = -1;
	c->radius[k].line = p->line;
	c->nradius++;
	return k;
}

void cp_h_radius_server(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a server name") || !cp_name(p, i, "server name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	if ((k = server_slot(p, name)) >= 0)
		cp_open(p, CB_RADIUS_SERVER, k);
}

static struct conf_radius_server *cur_server(struct conf_parser *p)
{
	return &p->conf->radius[p->idx];
}

/* address ipv4 A | ipv6 A [auth-port P] [acct-port P] */
static void h_address(struct conf_parser *p, int i)
{
	struct conf_radius_server *s = cur_server(p);
	struct in_addr a = { 0 };
	struct in6_addr a6 = IN6ADDR_ANY_INIT;
	long long port;
	uint16_t auth = 1645, acct = 1646;
	int v6;

	if (!cp_need(p, i, "ipv4 or ipv6"))
		return;
	v6 = strcmp(p->argv[i], "ipv6") == 0;
	if (!v6 && strcmp(p->argv[i], "ipv4") != 0) {
		cp_error(p, "bad address family '%s', expected ipv4 or ipv6", p->argv[i]);
		return;
	}
	if (!v6 && (!cp_need(p, i + 1, "the server's IPv4 address") ||
	            !cp_addr(p, i + 1, "server address", &a)))
		return;
	if (v6 && !cp_need(p, i + 1, "the server's IPv6 address"))
		return;
	if (v6 && (inet_pton(AF_INET6, p->argv[i + 1], &a6) != 1 || IN6_IS_ADDR_UNSPECIFIED(&a6) ||
	           IN6_IS_ADDR_MULTICAST(&a6) || IN6_IS_ADDR_V4MAPPED(&a6))) {
		cp_error(p, "bad server address '%s', expected a unicast IPv6 address",
		         p->argv[i + 1]);
		return;
	}
	for (int j = i + 2; j < p->argc; j += 2) {
		int is_auth = strcmp(p->argv[j], "auth-port") == 0;
		if (!is_auth && strcmp(p->argv[j], "acct-port") != 0) {
			cp_error(p, "bad keyword '%s', expected auth-port or acct-port", p->argv[j]);
			return;
		}
		if (!cp_need(p, j + 1, "a port number from 1 to 65535") ||
		    !cp_num(p, j + 1, "port", 1, 65535, &port))
			return;
		if (is_auth)
			auth = (uint16_t)port;
		else
			acct = (uint16_t)port;
	}
	s->addr = a;
	s->addr6 = a6;
	s->family = v6 ? AF_INET6 : AF_INET;
	s->has_addr = 1;
	s->auth_port = auth;
	s->acct_port = acct;
}

/* key [0|7] SECRET: the rest of the line, as IOS takes it; type 7 is decoded */
static void h_key(struct conf_parser *p, int i)
{
	struct conf_radius_server *s = cur_server(p);
	char key[CONF_RADIUS_KEY_MAX], decoded[CONF_RADIUS_KEY_MAX];
	int j = i, type = 0;

	if (!cp_need(p, i, "the shared secret"))
		return;
	if (strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j]) && j + 1 < p->argc) {
		type = p->argv[j][0] - '0';
		if (type != 0 && type != 7) {
			cp_error(p, "key of type %d: expected 'key 0 SECRET' or 'key 7 ENCODED'",
			         type);
			return;
		}
		j++;
	}
	const char *src = cp_rest(p, j);
	if (type == 7) {
		if (j + 1 != p->argc ||
		    cisco_type7_decode(p->argv[j], decoded, sizeof(decoded)) < 0) {
			cp_error(p, "'key 7' needs one type-7 string, expected two decimal digits and "
			         "an even number of hex digits");
			return;
		}
		src = decoded;
	}
	/* one word without commas, as since the days of radcli (which split its lists there):
	 * configurations written for vpnd stay valid both ways */
	if (strpbrk(src, " \t,")) {
		cp_error(p, "radius key contains a blank or a comma, expected one word without commas");
		return;
	}
	if (cp_secret(p, src, "radius key", key, sizeof(key))) {
		explicit_bzero(s->key, sizeof(s->key));
		memcpy(s->key, key, sizeof(key));
		s->has_key = 1;
	}
	explicit_bzero(key, sizeof(key));
	explicit_bzero(decoded, sizeof(decoded));
}

/*
 * radius-server host A [auth-port P] [acct-port P] [timeout S] [retransmit N] [key [0|7] K]:
 * IOS's classic one-line form, still in most configurations. It makes the server "A" (its
 * address as its name), which `group radius` uses and a server group names with `server A`.
 */
void cp_h_radius_host(struct conf_parser *p, int i)
{
	struct in_addr a;
	long long v;
	if (!cp_need(p, i, "the server's IPv4 address") || !cp_addr(p, i, "server address", &a))
		return;
	int k = server_slot(p, p->argv[i]);
	if (k < 0)
		return;
	struct conf_radius_server *s = &p->conf->radius[k];
	s->addr = a;
	s->family = AF_INET;
	s->has_addr = 1;
	p->idx = k;     /* for h_key: this line is the whole server, there is no block */
	for (int j = i + 1; j < p->argc; j += 2) {
		const char *w = p->argv[j];
		if (strcmp(w, "key") == 0) {
			h_key(p, j + 1);
			return;
		}
		int port = strcmp(w, "auth-port") == 0 || strcmp(w, "acct-port") == 0;
		if (port) {
			if (!cp_need(p, j + 1, "a port number from 1 to 65535") ||
			    !cp_num(p, j + 1, "port", 1, 65535, &v))
				return;
			if (w[1] == 'u')
				s->auth_port = (uint16_t)v;
			else
				s->acct_port = (uint16_t)v;
		} else if (strcmp(w, "timeout") == 0) {
			if (!cp_need(p, j + 1, "seconds from 1 to 1000") ||
			    !cp_num(p, j + 1, "timeout", 1, 1000, &v))
				return;
			s->timeout = (int)v;
		} else if (strcmp(w, "retransmit") == 0) {
			if (!cp_need(p, j + 1, "a count from 0 to 100") ||
			    !cp_num(p, j + 1, "retransmit", 0, 100, &v))
				return;
			s->retransmit = (int)v;
		} else {
			cp_error(p, "bad keyword '%s' after 'radius-server host %s', expected auth-port, "
			         "acct-port, timeout, retransmit or key", w, p->argv[i]);
			return;
		}
	}
}

static void h_timeout(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "seconds from 1 to 1000") && cp_num(p, i, "timeout", 1, 1000, &v) &&
	    cp_end(p, i + 1))
		cur_server(p)->timeout = (int)v;
}

static void h_retransmit(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "a count from 0 to 100") && cp_num(p, i, "retransmit", 0, 100, &v) &&
	    cp_end(p, i + 1))
		cur_server(p)->retransmit = (int)v;
}

/* message-authenticator required|auto|off: what a reply must carry (client.c) */
static void h_msg_auth(struct conf_parser *p, int i)
{
	static const char *const words[] = { "auto", "required", "off" };
	if (!cp_need(p, i, "required, auto or off"))
		return;
	for (int k = 0; k < 3; k++)
		if (strcmp(p->argv[i], words[k]) == 0) {
			if (cp_end(p, i + 1))
				cur_server(p)->msg_auth = k;
			return;
		}
	cp_error(p, "bad keyword '%s', expected required, auto or off", p->argv[i]);
}

const struct cp_kw cp_radius_server_cmds[] = {
	FN("address", h_address),
	FN("message-authenticator", h_msg_auth),
	FN("key", h_key),
	FN("timeout", h_timeout),
	FN("retransmit", h_retransmit),
	END
};

void cp_h_radius_group(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a server group name") ||
	    !cp_name(p, i, "server group name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	if (strcmp(name, "radius") == 0) {
		cp_error(p, "'radius' names every server already, expected another group name");
		return;
	}
	for (k = 0; k < c->nradius_group; k++)
		if (strcmp(c->radius_group[k].name, name) == 0)
			break;
	if (k == c->nradius_group) {
		if (k == CONF_MAX_RADIUS_GROUPS) {
			cp_error(p, "too many radius server groups, expected at most %d",
			         CONF_MAX_RADIUS_GROUPS);
			return;
		}
		memset(&c->radius_group[k], 0, sizeof(c->radius_group[k]));
		memcpy(c->radius_group[k].name, name, sizeof(name));
		c->radius_group[k].line = p->line;
		c->nradius_group++;
	}
	cp_open(p, CB_RADIUS_GROUP, k);
}

/* server name NAME, or server A [auth-port P] [acct-port P] for a radius-server host */
static void h_server(struct conf_parser *p, int i)
{
	struct conf_radius_group *g = &p->conf->radius_group[p->idx];
	char name[CONF_NAME_MAX];
	struct in_addr a;

	if (!cp_need(p, i, "name"))
		return;
	if (inet_pton(AF_INET, p->argv[i], &a) == 1) {
		int k;
		for (k = 0; k < p->conf->nradius; k++)
			if (strcmp(p->conf->radius[k].name, p->argv[i]) == 0)
				break;
		if (k == p->conf->nradius) {
			cp_error(p, "no 'radius-server host %s' before this line, expected one (or "
			         "'server name NAME')", p->argv[i]);
			return;
		}
		/* IOS repeats the host's ports here: they must agree with it */
		const struct conf_radius_server *s = &p->conf->radius[k];
		for (int j = i + 1; j < p->argc; j += 2) {
			long long v;
			int auth = strcmp(p->argv[j], "auth-port") == 0;
			if (!auth && strcmp(p->argv[j], "acct-port") != 0) {
				cp_error(p, "bad keyword '%s', expected auth-port or acct-port",
				         p->argv[j]);
				return;
			}
			if (!cp_need(p, j + 1, "a port number from 1 to 65535") ||
			    !cp_num(p, j + 1, "port", 1, 65535, &v))
				return;
			if (v != (auth ? s->auth_port : s->acct_port)) {
				cp_error(p, "%s %lld differs from radius-server host %s's, expected %u",
				         p->argv[j], v, p->argv[i], auth ? s->auth_port : s->acct_port);
				return;
			}
		}
		snprintf(name, sizeof(name), "%s", p->argv[i]);
	} else {
		if (strcmp(p->argv[i], "name") != 0) {
			cp_error(p, "bad keyword '%s', expected 'server name NAME' or 'server ADDRESS'",
			         p->argv[i]);
			return;
		}
		if (!cp_need(p, i + 1, "a radius server name") ||
		    !cp_name(p, i + 1, "server name", name, sizeof(name)) || !cp_end(p, i + 2))
			return;
	}
	for (int k = 0; k < g->nserver; k++)
		if (strcmp(g->server[k], name) == 0)
			return;     /* IOS keeps the first position */
	if (g->nserver == CONF_MAX_GROUP_SERVERS) {
		cp_error(p, "too many servers in group '%s', expected at most %d", g->name,
		         CONF_MAX_GROUP_SERVERS);
		return;
	}
	memcpy(g->server[g->nserver++], name, sizeof(name));
}

const struct cp_kw cp_radius_group_cmds[] = {
	FN("server", h_server),
	{ "ip", NULL, NULL, KW_NOOP },
	END
};

void cp_h_radius_global_timeout(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "seconds from 1 to 1000") && cp_num(p, i, "timeout", 1, 1000, &v) &&
	    cp_end(p, i + 1))
		p->conf->radius_timeout = (int)v;
}

void cp_h_radius_global_retransmit(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "a count from 0 to 100") && cp_num(p, i, "retransmit", 0, 100, &v) &&
	    cp_end(p, i + 1))
		p->conf->radius_retransmit = (int)v;
}

void cp_h_radius_deadtime(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "minutes from 0 to 1440") && cp_num(p, i, "deadtime", 0, 1440, &v) &&
	    cp_end(p, i + 1))
		p->conf->radius_deadtime = (int)v;
}

/* radius-server dead-criteria [time SECONDS] [tries N] */
void cp_h_radius_dead_criteria(struct conf_parser *p, int i)
{
	long long v;
	int t = p->conf->radius_dead_time, n = p->conf->radius_dead_tries;

	if (!cp_need(p, i, "time or tries"))
		return;
	for (int j = i; j < p->argc; j += 2) {
		if (strcmp(p->argv[j], "time") == 0) {
			if (!cp_need(p, j + 1, "seconds from 1 to 120") ||
			    !cp_num(p, j + 1, "dead-criteria time", 1, 120, &v))
				return;
			t = (int)v;
		} else if (strcmp(p->argv[j], "tries") == 0) {
			if (!cp_need(p, j + 1, "a count from 1 to 100") ||
			    !cp_num(p, j + 1, "dead-criteria tries", 1, 100, &v))
				return;
			n = (int)v;
		} else {
			cp_error(p, "bad keyword '%s', expected time or tries", p->argv[j]);
			return;
		}
	}
	p->conf->radius_dead_time = t;
	p->conf->radius_dead_tries = n;
}

/* radius-server group-password SECRET (vpnd: the password of group look-ups, IOS's "cisco") */
void cp_h_radius_group_password(struct conf_parser *p, int i)
{
	char pw[CONF_SECRET_MAX];
	if (!cp_need(p, i, "the password of group look-ups"))
		return;
	if (cp_secret(p, cp_rest(p, i), "group password", pw, sizeof(pw))) {
		explicit_bzero(p->conf->radius_group_password, sizeof(p->conf->radius_group_password));
		memcpy(p->conf->radius_group_password, pw, sizeof(pw));
	}
	explicit_bzero(pw, sizeof(pw));
}

/* aaa accounting update periodic MINUTES */
void cp_h_acct_update(struct conf_parser *p, int i)
{
	long long v;
	if (!cp_need(p, i, "periodic"))
		return;
	if (strcmp(p->argv[i], "periodic") != 0) {
		cp_error(p, "bad keyword '%s', expected 'update periodic MINUTES'", p->argv[i]);
		return;
	}
	if (cp_need(p, i + 1, "minutes from 1 to 71582") &&
	    cp_num(p, i + 1, "update interval", 1, 71582, &v) && cp_end(p, i + 2))
		p->conf->acct_update_periodic = (int)v;
}

/* Once the file is read: every group method names a defined server group (or "radius", all
 * servers), every group lists defined servers, every server has an address and a key. */
void cp_check_radius(struct conf_parser *p)
{
	const struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->naaa; k++)
		for (int m = 0; m < c->aaa[k].nmethod; m++) {
			const char *g = c->aaa[k].group[m];
			if (c->aaa[k].method[m] != AAA_METHOD_GROUP)
				continue;
			if (strcmp(g, "radius") == 0) {
				/* IOS takes it and fails over at run time: warn, as a copied config may
				 * name RADIUS before its servers are set up */
				if (c->nradius == 0)
					cp_warn_at(p, c->aaa[k].line, "'group radius' but no 'radius server' "
					           "is defined: the method always passes to the next");
			} else if (!conf_find_radius_group(c, g))
				cp_error_at(p, c->aaa[k].line, "server group '%s' is not defined, "
				            "expected an 'aaa group server radius %s' block", g, g);
		}
	for (int k = 0; k < c->nradius_group; k++) {
		const struct conf_radius_group *g = &c->radius_group[k];
		if (g->nserver == 0)
			cp_error_at(p, g->line, "server group '%s' has no server, expected "
			            "'server name NAME' lines under it", g->name);
		for (int s = 0; s < g->nserver; s++)
			if (!conf_find_radius(c, g->server[s]))
				cp_error_at(p, g->line, "radius server '%s' is not defined, expected a "
				            "'radius server %s' block", g->server[s], g->server[s]);
	}
	for (int k = 0; k < c->nradius; k++) {
		const struct conf_radius_server *s = &c->radius[k];
		if (!s->has_addr)
			cp_error_at(p, s->line, "radius server '%s' has no address, expected "
			            "'address ipv4 A.B.C.D' under it", s->name);
		if (!s->has_key)
			cp_error_at(p, s->line, "radius server '%s' has no key, expected 'key SECRET' "
			            "%s", s->name, strcmp(s->name, inet_ntoa(s->addr)) == 0 ?
			            "at the end of its radius-server host line" : "under it");
	}
}
