/*
 * The metrics endpoint, in IOS's words (docs/config.md "Metrics"):
 *   ip http server [address A.B.C.D]
 *   ip http port N
 *   ip http access-class ACL | ipv4 ACL
 *   no ip http server
 * IOS has no server bind address; `address` is vpnd's, and the default is 127.0.0.1 so that
 * turning the server on never exposes it beyond the host by surprise. The port defaults to
 * 9642 rather than IOS's 80: the endpoint serves Prometheus metrics only.
 */
#include <string.h>

#include "common/conf_parse.h"

void cp_h_http_server(struct conf_parser *p, int i)
{
	struct in_addr a;

	if (i < p->argc && strcmp(p->argv[i], "address") == 0) {
		if (!cp_need(p, i + 1, "an IPv4 address to listen on") ||
		    !cp_addr(p, i + 1, "ip http server address", &a) || !cp_end(p, i + 2))
			return;
		p->conf->http_addr = a;
	} else if (i < p->argc) {
		cp_error(p, "bad word '%s' in 'ip http server', expected address A.B.C.D or nothing",
		         p->argv[i]);
		return;
	}
	p->conf->http_server = 1;
}

void cp_h_no_http_server(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->http_server = 0;
}

/* IOS: access-class N, or access-class ipv4 NAME for a named list */
void cp_h_http_access_class(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX] = { 0 };   /* the whole field is compared and copied */

	if (i < p->argc && strcmp(p->argv[i], "ipv4") == 0)
		i++;
	if (!cp_need(p, i, "an access list") || !cp_name(p, i, "access list", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	memcpy(p->conf->http_acl, name, sizeof(name));
	cp_ref(p, REF_ACL, p->conf->http_acl);
}

void cp_h_http_port(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a TCP port from 1 to 65535") &&
	    cp_num(p, i, "ip http port", 1, 65535, &n) && cp_end(p, i + 1))
		p->conf->http_port = (int)n;
}
