/* crypto isakmp client configuration group: what Mode Config pushes to the group's clients. */
#include <stdio.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f) { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END      { NULL, NULL, NULL, 0 }

void cp_h_client_group(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a group name") || !cp_name(p, i, "group name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->ngroup; k++)
		if (strcmp(c->group[k].name, name) == 0)
			break;
	if (k == c->ngroup) {
		if (k == CONF_MAX_GROUPS) {
			cp_error(p, "too many client configuration groups, expected at most %d",
			         CONF_MAX_GROUPS);
			return;
		}
		memset(&c->group[k], 0, sizeof(c->group[k]));
		memcpy(c->group[k].name, name, sizeof(name));
		c->group[k].line = p->line;
		c->ngroup++;
	}
	cp_open(p, CB_GROUP, k);
}

static struct conf_group *cur_group(struct conf_parser *p)
{
	return &p->conf->group[p->idx];
}

static void h_key(struct conf_parser *p, int i)
{
	struct conf_group *g = cur_group(p);
	char key[CONF_SECRET_MAX];

	if (!cp_need(p, i, "the group's pre-shared key"))
		return;
	if (cp_secret(p, p->argv[i], "group key", key, sizeof(key)) && cp_end(p, i + 1)) {
		explicit_bzero(g->key, sizeof(g->key));
		memcpy(g->key, key, sizeof(key));
		g->has_key = 1;
	}
	explicit_bzero(key, sizeof(key));
}

static void name_ref(struct conf_parser *p, int i, const char *what, char *dst, int kind)
{
	char name[CONF_NAME_MAX];
	char exp[64];

	snprintf(exp, sizeof(exp), "a %s name", what);
	if (!cp_need(p, i, exp) || !cp_name(p, i, what, name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(dst, name, sizeof(name));
	cp_ref(p, kind, dst);
}

static void h_pool(struct conf_parser *p, int i)
{
	name_ref(p, i, "pool", cur_group(p)->pool, REF_POOL);
}

static void h_acl(struct conf_parser *p, int i)
{
	name_ref(p, i, "access list", cur_group(p)->acl, REF_ACL);
}

/* network-extension access-list NAME */
static void h_nem_acl(struct conf_parser *p, int i)
{
	name_ref(p, i, "access list", cur_group(p)->nem_acl, REF_ACL);
}

/* dns A [B] / wins A [B] */
static void addr_pair(struct conf_parser *p, int i, const char *what, struct in_addr *out,
                      int *n)
{
	struct in_addr a[CONF_MAX_DNS];
	int k;

	if (!cp_need(p, i, "one or two IPv4 addresses"))
		return;
	for (k = 0; k < CONF_MAX_DNS && i + k < p->argc; k++)
		if (!cp_addr(p, i + k, what, &a[k]))
			return;
	if (!cp_end(p, i + k))
		return;
	memcpy(out, a, sizeof(a[0]) * (size_t)k);
	*n = k;
}

static void h_dns(struct conf_parser *p, int i)
{
	addr_pair(p, i, "DNS server address", cur_group(p)->dns, &cur_group(p)->ndns);
}

static void h_wins(struct conf_parser *p, int i)
{
	addr_pair(p, i, "WINS server address", cur_group(p)->wins, &cur_group(p)->nwins);
}

static void h_domain(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];

	if (cp_need(p, i, "a domain name") && cp_name(p, i, "domain name", name, sizeof(name)) &&
	    cp_end(p, i + 1))
		memcpy(cur_group(p)->domain, name, sizeof(name));
}

/* split-dns DOMAIN: one per line, up to 10, sent as Unity's comma-separated list */
static void h_split_dns(struct conf_parser *p, int i)
{
	struct conf_group *g = cur_group(p);
	char name[CONF_NAME_MAX] = { 0 };   /* whole: the configuration is compared bytewise */

	if (!cp_need(p, i, "a domain name") || !cp_name(p, i, "domain name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	if (strpbrk(name, ",")) {
		cp_error(p, "split-dns domain '%s' has a comma, expected one domain per line", name);
		return;
	}
	for (int k = 0; k < g->nsplit_dns; k++)
		if (strcmp(g->split_dns[k], name) == 0)
			return;
	if (g->nsplit_dns == CONF_MAX_SPLIT_DNS) {
		cp_error(p, "too many split-dns domains in group '%s', expected at most %d", g->name,
		         CONF_MAX_SPLIT_DNS);
		return;
	}
	memcpy(g->split_dns[g->nsplit_dns++], name, sizeof(name));
}

static void h_save_password(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_group(p)->save_password = 1;
}

/* Configurations carry it under this name too; IOS's group command is save-password. */
static void h_user_save_password(struct conf_parser *p, int i)
{
	if (!cp_end(p, i))
		return;
	cp_warn(p, "'user-save-password' read as save-password (the IOS group command): the "
	           "client may store the XAUTH password");
	cur_group(p)->save_password = 1;
}

static void h_group_lock(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_group(p)->group_lock = 1;
}

static void h_include_local_lan(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_group(p)->include_local_lan = 1;
}

/* backup-gateway ADDRESS|HOSTNAME: one per line, up to 10, sent in this order */
static void h_backup_gw(struct conf_parser *p, int i)
{
	struct conf_group *g = cur_group(p);
	char name[CONF_NAME_MAX] = { 0 };   /* whole: the configuration is compared bytewise */

	if (!cp_need(p, i, "an address or host name") ||
	    !cp_name(p, i, "backup gateway", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	if (strpbrk(name, ",")) {
		cp_error(p, "backup-gateway '%s' has a comma, expected one gateway per line", name);
		return;
	}
	for (int k = 0; k < g->nbackup_gw; k++)
		if (strcmp(g->backup_gw[k], name) == 0)
			return;
	if (g->nbackup_gw == CONF_MAX_BACKUP_GW) {
		cp_error(p, "too many backup gateways in group '%s', expected at most %d", g->name,
		         CONF_MAX_BACKUP_GW);
		return;
	}
	memcpy(g->backup_gw[g->nbackup_gw++], name, sizeof(name));
}

/*
 * firewall are-u-there: IOS then refuses a Cisco VPN Client that does not report Black Ice or
 * Zone Alarm running. No client vpnd serves can report either (vpnc sends "unknown"), so
 * enforcing it would refuse everyone: kept (and printed back) with a warning instead.
 */
static void h_firewall_ayt(struct conf_parser *p, int i)
{
	if (!cp_end(p, i))
		return;
	cur_group(p)->firewall_ayt = 1;
	cp_warn(p, "'firewall are-u-there' is not enforced: vpnd cannot check a client's "
	        "firewall (vpnc reports none), clients are admitted as without it");
}

static void h_pfs(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_group(p)->pfs = 1;
}

static void h_max_users(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a number from 1 to 65535") &&
	    cp_num(p, i, "max-users", 1, 65535, &n) && cp_end(p, i + 1))
		cur_group(p)->max_users = (int)n;
}

static void h_max_logins(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a number from 1 to 10") &&
	    cp_num(p, i, "max-logins", 1, 10, &n) && cp_end(p, i + 1))
		cur_group(p)->max_logins = (int)n;
}

static void h_netmask(struct conf_parser *p, int i)
{
	struct in_addr m;

	if (cp_need(p, i, "a netmask") && cp_netmask(p, i, "netmask", &m) && cp_end(p, i + 1))
		cur_group(p)->netmask = m;
}

/*
 * banner c TEXT c: c is any one character (IOS shows Ctrl-C as the two characters "^C", taken
 * here as one delimiter); the text may run over several lines until the delimiter comes back.
 */
static void banner_append(struct conf_parser *p, const char *s, size_t n)
{
	struct conf_group *g = &p->conf->group[p->banner_group];
	size_t room = sizeof(g->banner) - 1 - p->banner_len;

	if (n > room) {
		n = room;
		p->banner_overflow = 1;
	}
	memcpy(g->banner + p->banner_len, s, n);
	p->banner_len += n;
	g->banner[p->banner_len] = '\0';
}

static void banner_finish(struct conf_parser *p)
{
	struct conf_group *g = &p->conf->group[p->banner_group];
	size_t start = strspn(g->banner, " \t\n");
	size_t n = p->banner_len;

	while (n > start && strchr(" \t\n", g->banner[n - 1]))
		n--;
	memmove(g->banner, g->banner + start, n - start);
	g->banner[n - start] = '\0';
	p->banner_on = 0;
	if (p->banner_overflow)
		cp_error_at(p, p->banner_line, "banner is too long, expected at most %zu characters",
		            sizeof(g->banner) - 1);
}

/* Text after the closing delimiter: IOS drops it, we say so as an error (it is a typo). */
static void banner_close(struct conf_parser *p, const char *after)
{
	after += strspn(after, " \t");
	if (*after)
		cp_error(p, "unexpected '%s' after the banner's closing delimiter '%s', expected end "
		         "of line", after, p->banner_delim);
	banner_finish(p);
}

static void h_banner(struct conf_parser *p, int i)
{
	const char *s, *body, *close;
	size_t dl;

	if (!cp_need(p, i, "a delimiter character, the text, then the delimiter again"))
		return;
	s = cp_rest(p, i);
	dl = (s[0] == '^' && s[1] == 'C') ? 2 : 1;
	memcpy(p->banner_delim, s, dl);
	p->banner_delim[dl] = '\0';
	p->banner_group = p->idx;
	p->banner_line = p->line;
	p->banner_len = 0;
	p->banner_overflow = 0;
	p->banner_on = 1;
	cur_group(p)->banner[0] = '\0';
	body = s + dl;
	close = strstr(body, p->banner_delim);
	if (close) {
		banner_append(p, body, (size_t)(close - body));
		banner_close(p, close + dl);
	} else {
		banner_append(p, body, strlen(body));
	}
}

void cp_banner_line(struct conf_parser *p, const char *raw)
{
	const char *close = strstr(raw, p->banner_delim);

	banner_append(p, "\n", 1);
	if (close) {
		banner_append(p, raw, (size_t)(close - raw));
		banner_close(p, close + strlen(p->banner_delim));
	} else {
		banner_append(p, raw, strlen(raw));
	}
}

void cp_banner_eof(struct conf_parser *p)
{
	cp_error_at(p, p->banner_line, "banner has no closing delimiter '%s', expected it after "
	            "the text", p->banner_delim);
	banner_finish(p);
}

static const struct cp_kw nem_cmds[] = { FN("access-list", h_nem_acl), END };
static const struct cp_kw fw_cmds[] = { FN("are-u-there", h_firewall_ayt), END };

const struct cp_kw cp_group_cmds[] = {
	FN("key", h_key),
	FN("pool", h_pool),
	FN("dns", h_dns),
	FN("wins", h_wins),
	FN("domain", h_domain),
	FN("split-dns", h_split_dns),
	FN("acl", h_acl),
	FN("banner", h_banner),
	FN("save-password", h_save_password),
	{ "user-save-password", NULL, h_user_save_password, KW_HIDDEN },
	FN("pfs", h_pfs),
	FN("max-users", h_max_users),
	FN("max-logins", h_max_logins),
	FN("netmask", h_netmask),
	SUB("network-extension", nem_cmds),
	FN("group-lock", h_group_lock),
	FN("include-local-lan", h_include_local_lan),
	FN("backup-gateway", h_backup_gw),
	SUB("firewall", fw_cmds),
	SUB("ipv6", cp_ipv6_group),
	END
};
