/*
 * Access lists: `ip access-list standard|extended NAME` blocks and numbered `access-list N`
 * lines. IOS writes wildcard masks; they are kept as netmasks (so only contiguous wildcards can
 * be expressed), which is what split tunnelling and the data plane's filters need.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f) { w, NULL, f, 0 }
#define END      { NULL, NULL, NULL, 0 }

static const struct { const char *w; int proto; } protos[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ahp", 51 },
};

/* the port names IOS prints in place of numbers */
static const struct { const char *w; int port; } port_names[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "telnet", 23 }, { "smtp", 25 }, { "domain", 53 },
	{ "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "www", 80 }, { "pop3", 110 },
	{ "ntp", 123 }, { "snmp", 161 }, { "isakmp", 500 }, { "syslog", 514 },
	{ "non500-isakmp", 4500 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int acl_find_or_add(struct conf_parser *p, const char *name, int extended)
{
	struct vpnd_conf *c = p->conf;
	int k;

	for (k = 0; k < c->nacl; k++) {
		if (strcmp(c->acl[k].name, name) != 0)
			continue;
		if (c->acl[k].extended != extended) {
			cp_error(p, "access list '%s' is %s (line %d), expected the same kind here",
			         name, c->acl[k].extended ? "extended" : "standard", c->acl[k].line);
			return -1;
		}
		return k;
	}
	if (k == CONF_MAX_ACLS) {
		cp_error(p, "too many access lists, expected at most %d", CONF_MAX_ACLS);
		return -1;
	}
	memset(&c->acl[k], 0, sizeof(c->acl[k]));
	snprintf(c->acl[k].name, sizeof(c->acl[k].name), "%s", name);
	c->acl[k].extended = extended;
	c->acl[k].line = p->line;
	c->nacl++;
	return k;
}

static void acl_open(struct conf_parser *p, int i, int extended)
{
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "an access list name") ||
	    !cp_name(p, i, "access list name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	k = acl_find_or_add(p, name, extended);
	if (k >= 0)
		cp_open(p, CB_ACL, k);
}

void cp_h_acl_standard(struct conf_parser *p, int i) { acl_open(p, i, 0); }
void cp_h_acl_extended(struct conf_parser *p, int i) { acl_open(p, i, 1); }

/* any | host A | A WILDCARD (the wildcard is optional in standard lists: a host then) */
static int addr_spec(struct conf_parser *p, int *j, int extended, const char *what,
                     struct in_addr *a, struct in_addr *m)
{
	char exp[96], label[64];
	struct in_addr tmp;

	snprintf(exp, sizeof(exp), "a %s: any, host A or A %s", what,
	         extended ? "WILDCARD" : "[WILDCARD]");
	snprintf(label, sizeof(label), "%s address", what);
	if (!cp_need(p, *j, exp))
		return 0;
	if (strcmp(p->argv[*j], "any") == 0) {
		a->s_addr = m->s_addr = 0;
		(*j)++;
		return 1;
	}
	if (strcmp(p->argv[*j], "host") == 0) {
		if (!cp_need(p, *j + 1, "an address after 'host'") || !cp_addr(p, *j + 1, label, a))
			return 0;
		m->s_addr = 0xffffffff;
		*j += 2;
		return 1;
	}
	if (!cp_addr(p, *j, label, a))
		return 0;
	(*j)++;
	if (extended || (*j < p->argc && inet_pton(AF_INET, p->argv[*j], &tmp) == 1)) {
		snprintf(label, sizeof(label), "%s wildcard", what);
		if (!cp_need(p, *j, "a wildcard mask after the address") ||
		    !cp_wildcard(p, *j, label, m))
			return 0;
		(*j)++;
	} else {
		m->s_addr = 0xffffffff;
	}
	/* IOS drops the bits the wildcard ignores, so do we */
	a->s_addr &= m->s_addr;
	return 1;
}

/* IOS's ICMP message names; a name with a code matches only that code */
static const struct { const char *w; uint8_t type, code, has_code; } icmp_names[] = {
	{ "echo-reply", 0, 0, 0 }, { "unreachable", 3, 0, 0 }, { "net-unreachable", 3, 0, 1 },
	{ "host-unreachable", 3, 1, 1 }, { "protocol-unreachable", 3, 2, 1 },
	{ "port-unreachable", 3, 3, 1 }, { "packet-too-big", 3, 4, 1 },
	{ "administratively-prohibited", 3, 13, 1 }, { "source-quench", 4, 0, 0 },
	{ "redirect", 5, 0, 0 }, { "echo", 8, 0, 0 }, { "router-advertisement", 9, 0, 0 },
	{ "router-solicitation", 10, 0, 0 }, { "time-exceeded", 11, 0, 0 },
	{ "ttl-exceeded", 11, 0, 1 }, { "reassembly-timeout", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0 }, { "timestamp-request", 13, 0, 0 },
	{ "timestamp-reply", 14, 0, 0 }, { "information-request", 15, 0, 0 },
	{ "information-reply", 16, 0, 0 }, { "mask-request", 17, 0, 0 },
	{ "mask-reply", 18, 0, 0 }, { "traceroute", 30, 0, 0 },
};

const char *conf_acl_icmp_name(const struct conf_ace *e)
{
	for (size_t k = 0; k < NELEM(icmp_names); k++)
		if (icmp_names[k].type == e->icmp_type &&
		    icmp_names[k].has_code == (e->icmp_match == 2) &&
		    (!icmp_names[k].has_code || icmp_names[k].code == e->icmp_code))
			return icmp_names[k].w;
	return NULL;
}

static int port_op(const char *w)
{
	static const char *ops[] = { NULL, "eq", "range", "lt", "gt", "neq" };
	for (int k = 1; k < (int)NELEM(ops); k++)
		if (strcmp(w, ops[k]) == 0)
			return k;
	return ACE_PORT_ANY;
}

static int port(struct conf_parser *p, int i, uint16_t *out)
{
	long long v;

	if (!cp_need(p, i, "a port number or name"))
		return 0;
	for (size_t k = 0; k < NELEM(port_names); k++) {
		if (strcmp(p->argv[i], port_names[k].w) == 0) {
			*out = (uint16_t)port_names[k].port;
			return 1;
		}
	}
	if (!cp_num(p, i, "port", 1, 65535, &v))
		return 0;
	*out = (uint16_t)v;
	return 1;
}

/*
 * eq P | neq P | lt P | gt P | range A B at word *j, if there is one: kept as the interval of
 * ports it matches (neq: the one port it does not), and how it was written, to print it back.
 */
int cp_port_match(struct conf_parser *p, int *j, int ports, uint8_t *op, uint16_t *lo,
                  uint16_t *hi)
{
	uint16_t v;

	if (*j >= p->argc || !(*op = (uint8_t)port_op(p->argv[*j])))
		return 1;
	if (!ports) {
		cp_error(p, "ports only apply to tcp and udp, expected no '%s' here", p->argv[*j]);
		return 0;
	}
	if (*op == ACE_PORT_RANGE) {
		if (!port(p, *j + 1, lo) || !port(p, *j + 2, hi))
			return 0;
		if (*lo > *hi) {
			cp_error(p, "port range %s %s runs backwards, expected LOW HIGH",
			         p->argv[*j + 1], p->argv[*j + 2]);
			return 0;
		}
		*j += 3;
		return 1;
	}
	if (!port(p, *j + 1, &v))
		return 0;
	if ((*op == ACE_PORT_LT && v == 1) || (*op == ACE_PORT_GT && v == 65535)) {
		cp_error(p, "'%s %s' matches no port, expected a port from 2 to 65534",
		         p->argv[*j], p->argv[*j + 1]);
		return 0;
	}
	*lo = *op == ACE_PORT_LT ? 0 : *op == ACE_PORT_GT ? (uint16_t)(v + 1) : v;
	*hi = *op == ACE_PORT_LT ? (uint16_t)(v - 1) : *op == ACE_PORT_GT ? 65535 : v;
	*j += 2;
	return 1;
}

/* icmp: [TYPE [CODE] | NAME] after the destination */
static int icmp_match(struct conf_parser *p, int *j, struct conf_ace *ace)
{
	long long v;

	if (*j >= p->argc || !strcmp(p->argv[*j], "log") || !strcmp(p->argv[*j], "log-input"))
		return 1;
	if (cp_is_number(p->argv[*j])) {
		if (!cp_num(p, *j, "icmp type", 0, 255, &v))
			return 0;
		ace->icmp_type = (uint8_t)v;
		ace->icmp_match = 1;
		(*j)++;
		if (*j < p->argc && cp_is_number(p->argv[*j])) {
			if (!cp_num(p, *j, "icmp code", 0, 255, &v))
				return 0;
			ace->icmp_code = (uint8_t)v;
			ace->icmp_match = 2;
			(*j)++;
		}
		return 1;
	}
	for (size_t k = 0; k < NELEM(icmp_names); k++) {
		if (strcmp(p->argv[*j], icmp_names[k].w) == 0) {
			ace->icmp_type = icmp_names[k].type;
			ace->icmp_code = icmp_names[k].code;
			ace->icmp_match = icmp_names[k].has_code ? 2 : 1;
			(*j)++;
			return 1;
		}
	}
	cp_error(p, "unknown icmp message '%s', expected a type number (0-255) [code], a name "
	         "such as echo, echo-reply, unreachable, time-exceeded, packet-too-big, or log",
	         p->argv[*j]);
	return 0;
}

/*
 * permit|deny ... from word i; extended: PROTO SRC [PORTS] DST [PORTS] [established]
 * (tcp), PROTO SRC DST [ICMP-TYPE] (icmp), then [log]
 */
static int parse_ace(struct conf_parser *p, int i, int extended, struct conf_ace *ace)
{
	int j = i + 1;

	memset(ace, 0, sizeof(*ace));
	ace->permit = strcmp(p->argv[i], "permit") == 0;
	if (extended) {
		size_t k;
		if (!cp_need(p, j, "a protocol: ip, tcp, udp, icmp or a number"))
			return 0;
		for (k = 0; k < NELEM(protos) && strcmp(p->argv[j], protos[k].w) != 0; k++)
			;
		if (k < NELEM(protos)) {
			ace->proto = protos[k].proto;
		} else {
			long long v;
			if (!cp_is_number(p->argv[j]) || strlen(p->argv[j]) > 3 ||
			    (v = atoi(p->argv[j])) > 255) {
				cp_error(p, "bad protocol '%s', expected ip, tcp, udp, icmp or a number "
				         "from 0 to 255", p->argv[j]);
				return 0;
			}
			ace->proto = (int)v;
		}
		j++;
	}
	if (!addr_spec(p, &j, extended, "source", &ace->src, &ace->srcmask))
		return 0;
	if (extended) {
		int ports = ace->proto == 6 || ace->proto == 17;
		if (!cp_port_match(p, &j, ports, &ace->sport_op, &ace->sport_lo, &ace->sport_hi) ||
		    !addr_spec(p, &j, extended, "destination", &ace->dst, &ace->dstmask) ||
		    !cp_port_match(p, &j, ports, &ace->dport_op, &ace->dport_lo, &ace->dport_hi))
			return 0;
		if (j < p->argc && strcmp(p->argv[j], "established") == 0) {
			if (ace->proto != 6) {
				cp_error(p, "'established' applies to tcp only, expected end of line");
				return 0;
			}
			ace->established = 1;
			j++;
		}
		if (ace->proto == 1 && !icmp_match(p, &j, ace))
			return 0;
	}
	if (j < p->argc && (!strcmp(p->argv[j], "log") || !strcmp(p->argv[j], "log-input"))) {
		cp_warn(p, "'%s' has no meaning in vpnd, ignored", p->argv[j]);
		j++;
	}
	return cp_end(p, j);
}

static void ace_add(struct conf_parser *p, int k, int i)
{
	struct conf_acl *acl = &p->conf->acl[k];
	struct conf_ace ace;

	if (!parse_ace(p, i, acl->extended, &ace))
		return;
	if (acl->nace == CONF_MAX_ACES) {
		cp_error(p, "too many entries in access list '%s', expected at most %d", acl->name,
		         CONF_MAX_ACES);
		return;
	}
	p->ace_line[k][acl->nace] = p->line;
	acl->ace[acl->nace++] = ace;
}

/* in a block, i is the word after permit/deny */
static void h_permit_deny(struct conf_parser *p, int i)
{
	ace_add(p, p->idx, i - 1);
}

const struct cp_kw cp_acl_cmds[] = {
	FN("permit", h_permit_deny),
	FN("deny", h_permit_deny),
	{ "remark", NULL, NULL, KW_QUIET },
	END
};

/* access-list N permit|deny|remark ... (1-99, 1300-1999 standard; 100-199, 2000-2699 extended) */
void cp_h_access_list(struct conf_parser *p, int i)
{
	const char *exp = "1-99 or 1300-1999 (standard), 100-199 or 2000-2699 (extended)";
	long long n = 0;
	int extended, k;

	if (!cp_need(p, i, exp))
		return;
	if (cp_is_number(p->argv[i]) && strlen(p->argv[i]) <= 4)
		n = atoi(p->argv[i]);
	if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) {
		extended = 0;
	} else if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) {
		extended = 1;
	} else {
		cp_error(p, "bad access list number '%s', expected %s", p->argv[i], exp);
		return;
	}
	if (!cp_need(p, i + 1, "permit, deny or remark"))
		return;
	const char *w = p->argv[i + 1];
	if (strcmp(w, "permit") != 0 && strcmp(w, "deny") != 0 && strcmp(w, "remark") != 0) {
		cp_error(p, "bad action '%s', expected permit, deny or remark", w);
		return;
	}
	k = acl_find_or_add(p, p->argv[i], extended);
	if (k < 0 || strcmp(w, "remark") == 0)
		return;
	ace_add(p, k, i + 1);
}
