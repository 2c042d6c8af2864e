/*
 * Access lists in show running-config: named and numbered IPv4 lists as IOS writes them
 * (wildcard masks, port names), then the ipv6 access-list blocks (printed beside their
 * parser, common/conf_acl6.c). show crypto map prints a map's entries with rc_ace_line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "control/show_int.h"

static const char *proto_word(int proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:  return "ip";
	case 1:  return "icmp";
	case 6:  return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ahp";
	}
	snprintf(buf, len, "%d", proto);
	return buf;
}

/* IOS prints well-known ports by name (the same names the parser reads). */
static const char *port_word(unsigned port, char *buf, size_t len)
{
	static const struct { unsigned port; const char *w; } names[] = {
		{ 20, "ftp-data" }, { 21, "ftp" }, { 23, "telnet" }, { 25, "smtp" },
		{ 53, "domain" }, { 67, "bootps" }, { 68, "bootpc" }, { 69, "tftp" }, { 80, "www" },
		{ 110, "pop3" }, { 123, "ntp" }, { 161, "snmp" }, { 500, "isakmp" },
		{ 514, "syslog" }, { 4500, "non500-isakmp" },
	};
	for (size_t k = 0; k < NELEM(names); k++)
		if (names[k].port == port)
			return names[k].w;
	snprintf(buf, len, "%u", port);
	return buf;
}

/* any | host A | A WILDCARD; standard lists write a host as the bare address. */
static void ace_addr(FILE *f, struct in_addr a, struct in_addr m, int extended)
{
	if (m.s_addr == 0)
		fprintf(f, " any");
	else if (m.s_addr == 0xffffffff)
		fprintf(f, extended ? " host %s" : " %s", addr(a).s);
	else
		fprintf(f, " %s %s", addr(a).s, wildcard(m).s);
}

/* a port match as written: an entry built without its op (0) is eq or range */
static void ace_ports(FILE *f, uint8_t op, uint16_t lo, uint16_t hi)
{
	char b1[16], b2[16];

	if (!lo && !hi)
		return;
	if (op == ACE_PORT_LT)
		fprintf(f, " lt %s", port_word(hi + 1u, b1, sizeof(b1)));
	else if (op == ACE_PORT_GT)
		fprintf(f, " gt %s", port_word(lo - 1u, b1, sizeof(b1)));
	else if (op == ACE_PORT_NEQ)
		fprintf(f, " neq %s", port_word(lo, b1, sizeof(b1)));
	else if (lo == hi)
		fprintf(f, " eq %s", port_word(lo, b1, sizeof(b1)));
	else
		fprintf(f, " range %s %s", port_word(lo, b1, sizeof(b1)),
		        port_word(hi, b2, sizeof(b2)));
}

void rc_ace_line(FILE *f, const struct conf_acl *acl, const struct conf_ace *e)
{
	char b1[16];

	fprintf(f, "%s", e->permit ? "permit" : "deny");
	if (acl->extended)
		fprintf(f, " %s", proto_word(e->proto, b1, sizeof(b1)));
	ace_addr(f, e->src, e->srcmask, acl->extended);
	if (acl->extended) {
		ace_ports(f, e->sport_op, e->sport_lo, e->sport_hi);
		ace_addr(f, e->dst, e->dstmask, 1);
		ace_ports(f, e->dport_op, e->dport_lo, e->dport_hi);
		if (e->established)
			fprintf(f, " established");
		if (e->icmp_match && conf_acl_icmp_name(e))
			fprintf(f, " %s", conf_acl_icmp_name(e));
		else if (e->icmp_match)
			fprintf(f, e->icmp_match == 2 ? " %u %u" : " %u", e->icmp_type, e->icmp_code);
	}
	fprintf(f, "\n");
}

int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

void rc_acls(FILE *f, const struct vpnd_conf *c)
{
	/* in file order; numbered lists as IOS keeps them, one access-list line per entry */
	for (int i = 0; i < c->nacl; i++) {
		const struct conf_acl *a = &c->acl[i];
		if (all_digits(a->name)) {
			for (int k = 0; k < a->nace; k++) {
				fprintf(f, "access-list %s ", a->name);
				rc_ace_line(f, a, &a->ace[k]);
			}
		} else {
			fprintf(f, "ip access-list %s %s\n", a->extended ? "extended" : "standard",
			        a->name);
			for (int k = 0; k < a->nace; k++) {
				fprintf(f, " ");
				rc_ace_line(f, a, &a->ace[k]);
			}
		}
		fprintf(f, "!\n");
	}
	conf_acl6_print(f, c);
}
