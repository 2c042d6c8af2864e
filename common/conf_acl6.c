/*
 * IPv6 access lists: `ipv6 access-list NAME` blocks of
 *   [sequence N] permit|deny PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE [CODE] | NAME] [log]
 * with SRC and DST `any`, `host X` or `X/LEN`, as IOS writes them. PROTO is ipv6 (any),
 * tcp, udp, icmp (ICMPv6), esp, ahp, sctp or a number. IOS puts an implicit permit for
 * neighbour discovery before its implicit deny; a vaN is point to point and carries no
 * neighbour discovery, so only the deny is implied here.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f) { w, NULL, f, 0 }
#define END      { NULL, NULL, NULL, 0 }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct { const char *w; int proto; } protos6[] = {
	{ "ipv6", -1 }, { "icmp", 58 }, { "tcp", 6 }, { "udp", 17 }, { "esp", 50 },
	{ "ahp", 51 }, { "sctp", 132 },
};

/* ICMPv6 (RFC 4443, RFC 4861) under IOS's names */
static const struct { const char *w; uint8_t type, code, has_code; } icmp6_names[] = {
	{ "unreachable", 1, 0, 0 }, { "packet-too-big", 2, 0, 0 }, { "time-exceeded", 3, 0, 0 },
	{ "parameter-problem", 4, 0, 0 }, { "echo-request", 128, 0, 0 },
	{ "echo-reply", 129, 0, 0 }, { "router-solicitation", 133, 0, 0 },
	{ "router-advertisement", 134, 0, 0 }, { "nd-ns", 135, 0, 0 }, { "nd-na", 136, 0, 0 },
};

const char *conf_acl6_icmp_name(const struct conf_ace6 *e)
{
	if (e->icmp_match != 1)
		return NULL;
	for (size_t k = 0; k < NELEM(icmp6_names); k++)
		if (icmp6_names[k].type == e->icmp_type)
			return icmp6_names[k].w;
	return NULL;
}

static struct conf_acl6 *cur(struct conf_parser *p)
{
	return &p->conf->acl6[p->idx];
}

void cp_h_ipv6_acl(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "an ipv6 access list name") ||
	    !cp_name(p, i, "ipv6 access list name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->nacl6 && strcmp(c->acl6[k].name, name) != 0; k++)
		;
	if (k == c->nacl6) {
		if (k == CONF_MAX_ACLS6) {
			cp_error(p, "too many ipv6 access lists, expected at most %d", CONF_MAX_ACLS6);
			return;
		}
		memset(&c->acl6[k], 0, sizeof(c->acl6[k]));
		memcpy(c->acl6[k].name, name, sizeof(name));
		c->acl6[k].line = p->line;
		c->nacl6++;
	}
	cp_open(p, CB_ACL6, k);
}

/* any | host X | X/LEN */
static int addr6_spec(struct conf_parser *p, int *j, const char *what, struct in6_addr *a,
                      uint8_t *plen)
{
	int len;

	if (!cp_need(p, *j, what))
		return 0;
	if (strcmp(p->argv[*j], "any") == 0) {
		memset(a, 0, sizeof(*a));
		*plen = 0;
		(*j)++;
		return 1;
	}
	if (strcmp(p->argv[*j], "host") == 0) {
		if (!cp_need(p, *j + 1, "an IPv6 address after host"))
			return 0;
		if (inet_pton(AF_INET6, p->argv[*j + 1], a) != 1) {
			cp_error(p, "bad IPv6 address '%s', expected X:X:X:X::X", p->argv[*j + 1]);
			return 0;
		}
		*plen = 128;
		*j += 2;
		return 1;
	}
	if (!strchr(p->argv[*j], '/')) {
		cp_error(p, "bad %s '%s', expected any, host X:X::X or X:X::X/LEN", what,
		         p->argv[*j]);
		return 0;
	}
	if (!cp_prefix6(p, *j, a, &len))
		return 0;
	*plen = (uint8_t)len;
	(*j)++;
	return 1;
}

static int proto6(struct conf_parser *p, int j, int *out)
{
	if (!cp_need(p, j, "a protocol: ipv6, tcp, udp, icmp or a number"))
		return 0;
	for (size_t k = 0; k < NELEM(protos6); k++) {
		if (strcmp(p->argv[j], protos6[k].w) == 0) {
			*out = protos6[k].proto;
			return 1;
		}
	}
	long long v;
	if (!cp_is_number(p->argv[j]) || strlen(p->argv[j]) > 3 || (v = atoi(p->argv[j])) > 255) {
		cp_error(p, "bad protocol '%s', expected ipv6, tcp, udp, icmp or a number from 0 to "
		         "255", p->argv[j]);
		return 0;
	}
	*out = (int)v;
	return 1;
}

/* icmp: [TYPE [CODE] | NAME] after the destination */
static int icmp6_match(struct conf_parser *p, int *j, struct conf_ace6 *e)
{
	long long v;

	if (*j >= p->argc || !strcmp(p->argv[*j], "log") || !strcmp(p->argv[*j], "sequence"))
		return 1;
	if (cp_is_number(p->argv[*j])) {
		if (!cp_num(p, *j, "icmp type", 0, 255, &v))
			return 0;
		e->icmp_type = (uint8_t)v;
		e->icmp_match = 1;
		(*j)++;
		if (*j < p->argc && cp_is_number(p->argv[*j])) {
			if (!cp_num(p, *j, "icmp code", 0, 255, &v))
				return 0;
			e->icmp_code = (uint8_t)v;
			e->icmp_match = 2;
			(*j)++;
		}
		return 1;
	}
	for (size_t k = 0; k < NELEM(icmp6_names); k++) {
		if (strcmp(p->argv[*j], icmp6_names[k].w) == 0) {
			e->icmp_type = icmp6_names[k].type;
			e->icmp_match = 1;
			(*j)++;
			return 1;
		}
	}
	cp_error(p, "unknown icmp message '%s', expected a type number (0-255) [code] or a name "
	         "such as echo-request, echo-reply, unreachable, packet-too-big", p->argv[*j]);
	return 0;
}

/* permit|deny at word i (after an optional `sequence N`) */
static void h_permit_deny(struct conf_parser *p, int i)
{
	struct conf_acl6 *acl = cur(p);
	struct conf_ace6 e;
	int j = i;

	memset(&e, 0, sizeof(e));
	e.permit = strcmp(p->argv[i - 1], "permit") == 0;
	e.line = p->line;
	if (!proto6(p, j++, &e.proto))
		return;
	int ports = e.proto == 6 || e.proto == 17 || e.proto == 132;
	if (!addr6_spec(p, &j, "source", &e.src, &e.src_plen) ||
	    !cp_port_match(p, &j, ports, &e.sport_op, &e.sport_lo, &e.sport_hi) ||
	    !addr6_spec(p, &j, "destination", &e.dst, &e.dst_plen) ||
	    !cp_port_match(p, &j, ports, &e.dport_op, &e.dport_lo, &e.dport_hi))
		return;
	if (e.proto == 58 && !icmp6_match(p, &j, &e))
		return;
	if (j < p->argc && !strcmp(p->argv[j], "log")) {
		cp_warn(p, "'log' has no meaning in vpnd, ignored");
		j++;
	}
	if (!cp_end(p, j))
		return;
	if (acl->nace == CONF_MAX_ACES) {
		cp_error(p, "too many entries in ipv6 access list '%s', expected at most %d",
		         acl->name, CONF_MAX_ACES);
		return;
	}
	acl->ace[acl->nace++] = e;
}

/* sequence N permit|deny ...: the number is read and not kept; entries stay in file order */
static void h_sequence(struct conf_parser *p, int i)
{
	long long n;

	if (!cp_need(p, i, "a sequence number") ||
	    !cp_num(p, i, "sequence number", 1, 4294967295LL, &n) ||
	    !cp_need(p, i + 1, "permit or deny"))
		return;
	if (strcmp(p->argv[i + 1], "permit") != 0 && strcmp(p->argv[i + 1], "deny") != 0) {
		cp_error(p, "bad action '%s', expected permit or deny", p->argv[i + 1]);
		return;
	}
	h_permit_deny(p, i + 2);
}

const struct cp_kw cp_acl6_cmds[] = {
	FN("permit", h_permit_deny),
	FN("deny", h_permit_deny),
	FN("sequence", h_sequence),
	{ "remark", NULL, NULL, KW_QUIET },
	END
};

static void print_addr6(FILE *f, const struct in6_addr *a, int plen)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	if (plen == 0)
		fprintf(f, " any");
	else if (plen == 128)
		fprintf(f, " host %s", s);
	else
		fprintf(f, " %s/%d", s, plen);
}

/* ports by number (the parser reads IOS's names too) */
static void print_ports(FILE *f, uint8_t op, uint16_t lo, uint16_t hi)
{
	if (!lo && !hi)
		return;
	if (op == ACE_PORT_LT)
		fprintf(f, " lt %u", hi + 1u);
	else if (op == ACE_PORT_GT)
		fprintf(f, " gt %u", lo - 1u);
	else if (op == ACE_PORT_NEQ)
		fprintf(f, " neq %u", lo);
	else if (lo == hi)
		fprintf(f, " eq %u", lo);
	else
		fprintf(f, " range %u %u", lo, hi);
}

/* The ipv6 access-list blocks as the parser reads them back (show running-config). */
void conf_acl6_print(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->nacl6; i++) {
		const struct conf_acl6 *a = &c->acl6[i];
		fprintf(f, "ipv6 access-list %s\n", a->name);
		for (int k = 0; k < a->nace; k++) {
			const struct conf_ace6 *e = &a->ace[k];
			const char *pw = NULL;
			for (size_t n = 0; n < NELEM(protos6); n++)
				if (protos6[n].proto == e->proto)
					pw = protos6[n].w;
			fprintf(f, " %s", e->permit ? "permit" : "deny");
			if (pw)
				fprintf(f, " %s", pw);
			else
				fprintf(f, " %d", e->proto);
			print_addr6(f, &e->src, e->src_plen);
			print_ports(f, e->sport_op, e->sport_lo, e->sport_hi);
			print_addr6(f, &e->dst, e->dst_plen);
			print_ports(f, e->dport_op, e->dport_lo, e->dport_hi);
			if (e->icmp_match && conf_acl6_icmp_name(e))
				fprintf(f, " %s", conf_acl6_icmp_name(e));
			else if (e->icmp_match)
				fprintf(f, e->icmp_match == 2 ? " %u %u" : " %u", e->icmp_type,
				        e->icmp_code);
			fprintf(f, "\n");
		}
		fprintf(f, "!\n");
	}
}
