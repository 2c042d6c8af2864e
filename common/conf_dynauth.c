/*
 * aaa server radius dynamic-author: the RFC 5176 clients (usually the RADIUS servers) that
 * may disconnect sessions and change their policy, IOS style:
 *
 *   aaa server radius dynamic-author
 *    client 10.0.0.5 server-key [0] SECRET
 *    client 10.0.0.6                      (uses the block's server-key)
 *    client fd00::5 server-key [0] SECRET (a client on IPv6)
 *    server-key [0] SECRET
 *    port 3799                            (IOS's default is 1700)
 *    auth-type all|any
 *    ignore session-key
 *
 * What IOS has and vpnd refuses, with an error saying so: `client ... vrf` (no VRFs here),
 * `auth-type session-key` and `ignore server-key` (every request must be authenticated with
 * the shared secret: a request that is not would let anyone on the path end sessions).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define END       { NULL, NULL, NULL, 0 }

#define DYNAUTH_DEFAULT_PORT 1700   /* IOS; RFC 5176 registers 3799 */

void cp_h_dynauth(struct conf_parser *p, int i)
{
	struct conf_dynauth *d = &p->conf->dynauth;

	if (!cp_end(p, i))
		return;
	if (!d->enabled) {
		d->enabled = 1;
		d->port = DYNAUTH_DEFAULT_PORT;
		d->line = p->line;
	}
	cp_open(p, CB_DYNAUTH, 0);
}

/* [0] SECRET from word i: the secret is one word (a blank in it would be ambiguous with IOS's
 * trailing keywords); type 7 is refused as for the radius server keys. */
static int read_key(struct conf_parser *p, int i, char *dst, size_t dstsz)
{
	char key[CONF_RADIUS_KEY_MAX];
	int ok;

	if (!cp_need(p, i, "the shared secret"))
		return 0;
	if (strlen(p->argv[i]) == 1 && cp_is_number(p->argv[i]) && i + 1 < p->argc) {
		if (p->argv[i][0] != '0') {
			cp_error(p, "key of type %s: only clear-text keys (type 0) are supported, "
			         "expected 'server-key 0 SECRET'", p->argv[i]);
			return 0;
		}
		i++;
	}
	if (i + 1 < p->argc) {
		cp_error(p, "the server key must be one word and end the line, expected "
		         "'server-key [0] SECRET'");
		return 0;
	}
	ok = cp_secret(p, p->argv[i], "server key", key, sizeof(key));
	if (ok) {
		explicit_bzero(dst, dstsz);
		memcpy(dst, key, sizeof(key) < dstsz ? sizeof(key) : dstsz);
	}
	explicit_bzero(key, sizeof(key));
	return ok;
}

/* client A [server-key [0] SECRET] */
static void h_client(struct conf_parser *p, int i)
{
	struct conf_dynauth *d = &p->conf->dynauth;
	struct conf_dynauth_client c;
	int k;

	memset(&c, 0, sizeof(c));
	if (!cp_need(p, i, "the client's IPv4 or IPv6 address"))
		return;
	c.family = AF_INET;
	if (strchr(p->argv[i], ':')) {
		c.family = AF_INET6;
		if (inet_pton(AF_INET6, p->argv[i], &c.addr6) != 1 ||
		    IN6_IS_ADDR_UNSPECIFIED(&c.addr6) || IN6_IS_ADDR_MULTICAST(&c.addr6) ||
		    IN6_IS_ADDR_V4MAPPED(&c.addr6)) {
			cp_error(p, "bad client address '%s', expected an IPv4 or a unicast IPv6 "
			         "address", p->argv[i]);
			return;
		}
	} else if (!cp_addr(p, i, "client address", &c.addr)) {
		return;
	}
	c.line = p->line;
	if (i + 1 < p->argc) {
		if (strcmp(p->argv[i + 1], "vrf") == 0) {
			cp_error(p, "'vrf' is not supported (vpnd has no VRFs), expected "
			         "'client ADDRESS [server-key SECRET]'");
			return;
		}
		if (strcmp(p->argv[i + 1], "server-key") != 0) {
			cp_error(p, "bad keyword '%s', expected server-key", p->argv[i + 1]);
			return;
		}
		if (!read_key(p, i + 2, c.key, sizeof(c.key)))
			return;
		c.has_key = 1;
	}
	for (k = 0; k < d->nclient; k++)
		if (d->client[k].family == c.family && (c.family == AF_INET6 ?
		    !memcmp(&d->client[k].addr6, &c.addr6, sizeof(c.addr6)) :
		    d->client[k].addr.s_addr == c.addr.s_addr))
			break;      /* a client given again: the later line wins, as on IOS */
	if (k == d->nclient) {
		if (k == CONF_MAX_DYNAUTH_CLIENTS) {
			cp_error(p, "too many dynamic-author clients, expected at most %d",
			         CONF_MAX_DYNAUTH_CLIENTS);
			explicit_bzero(&c, sizeof(c));
			return;
		}
		d->nclient++;
	}
	explicit_bzero(&d->client[k], sizeof(d->client[k]));
	d->client[k] = c;
	explicit_bzero(&c, sizeof(c));
}

static void h_server_key(struct conf_parser *p, int i)
{
	if (read_key(p, i, p->conf->dynauth.server_key, sizeof(p->conf->dynauth.server_key)))
		p->conf->dynauth.has_server_key = 1;
}

static void h_port(struct conf_parser *p, int i)
{
	long long v;
	if (cp_need(p, i, "a port number from 1 to 65535") && cp_num(p, i, "port", 1, 65535, &v) &&
	    cp_end(p, i + 1))
		p->conf->dynauth.port = (uint16_t)v;
}

static void h_auth_type(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "all or any") || !cp_end(p, i + 1))
		return;
	if (strcmp(p->argv[i], "all") == 0)
		p->conf->dynauth.auth_type_any = 0;
	else if (strcmp(p->argv[i], "any") == 0)
		p->conf->dynauth.auth_type_any = 1;
	else if (strcmp(p->argv[i], "session-key") == 0)
		cp_error(p, "'auth-type session-key' is not supported (vpnd sends no session key), "
		         "expected all or any");
	else
		cp_error(p, "bad auth-type '%s', expected all or any", p->argv[i]);
}

static void h_ignore(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "session-key") || !cp_end(p, i + 1))
		return;
	if (strcmp(p->argv[i], "session-key") == 0)
		p->conf->dynauth.ignore_session_key = 1;
	else if (strcmp(p->argv[i], "server-key") == 0)
		cp_error(p, "'ignore server-key' is not supported: every request is checked "
		         "against the shared secret, expected 'ignore session-key'");
	else
		cp_error(p, "bad keyword '%s', expected session-key", p->argv[i]);
}

const struct cp_kw cp_dynauth_cmds[] = {
	FN("client", h_client),
	FN("server-key", h_server_key),
	FN("port", h_port),
	FN("auth-type", h_auth_type),
	FN("ignore", h_ignore),
	END
};

/* Once the file is read: every client has a key, its own or the block's. */
void cp_check_dynauth(struct conf_parser *p)
{
	const struct conf_dynauth *d = &p->conf->dynauth;

	if (!d->enabled)
		return;
	if (d->nclient == 0)
		cp_warn_at(p, d->line, "dynamic-author has no client: every request will be dropped");
	for (int k = 0; k < d->nclient; k++) {
		const struct conf_dynauth_client *c = &d->client[k];
		if (!c->key[0] && !d->server_key[0]) {
			char a[INET6_ADDRSTRLEN];
			conf_dynauth_client_addr(c, a, sizeof(a));
			cp_error_at(p, c->line, "dynamic-author client %s has no key, expected "
			            "'client %s server-key SECRET' or a 'server-key SECRET' line", a, a);
		}
	}
}

const char *conf_dynauth_client_addr(const struct conf_dynauth_client *c, char *buf, size_t len)
{
	if (!inet_ntop(c->family == AF_INET6 ? AF_INET6 : AF_INET,
	               c->family == AF_INET6 ? (const void *)&c->addr6 : (const void *)&c->addr,
	               buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
