/*
 * The top-level command words. Commands that mean something on a Cisco router but nothing on a
 * Linux host (hardware, the router's own CLI and services, CEF) are listed so a configuration
 * copied from a router loads: each gets one warning naming it. The forwarding switches (ip
 * routing, ipv6 unicast-routing) do mean something: the parent sets the host's forwarding.
 */
#include <stddef.h>

#include "common/conf_parse.h"

#define NOOP(w)       { w, NULL, NULL, KW_NOOP }
#define NOOP_BLOCK(w) { w, NULL, NULL, KW_NOOP_BLOCK }
#define FN(w, f)      { w, NULL, f, 0 }
#define OPEN(w, f)    { w, NULL, f, KW_OPENS }
#define SUB(w, t)     { w, t, NULL, 0 }
#define END           { NULL, NULL, NULL, 0 }

static void h_end(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->ended = 1;
}

/* ip routing (IOS's default) / no ip routing: whether the parent turns IPv4 forwarding on */
static void h_ip_routing(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->no_ip_routing = 0;
}

static void h_no_ip_routing(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->no_ip_routing = 1;
}

static const struct cp_kw aaa_authen[] = { FN("login", cp_h_aaa_authen_login), END };
static const struct cp_kw aaa_author[] = { FN("network", cp_h_aaa_author_network), END };
static const struct cp_kw aaa_acct[]   = {
	FN("network", cp_h_aaa_acct_network),
	FN("update", cp_h_acct_update),
	END
};
static const struct cp_kw aaa_group_server[] = { OPEN("radius", cp_h_radius_group), END };
static const struct cp_kw aaa_group[] = { SUB("server", aaa_group_server), END };
static const struct cp_kw aaa_server_radius[] = { OPEN("dynamic-author", cp_h_dynauth), END };
static const struct cp_kw aaa_server[] = { SUB("radius", aaa_server_radius), END };

static const struct cp_kw db_history[] = { FN("keep", cp_h_db_history_keep), END };
static const struct cp_kw db_cmds[] = { SUB("history", db_history), END };

static const struct cp_kw control_socket_cmds[] = { FN("group", cp_h_control_socket_group), END };

static const struct cp_kw aaa_local_authen[] = { FN("attempts", cp_h_aaa_local_attempts), END };
static const struct cp_kw aaa_local[] = { SUB("authentication", aaa_local_authen), END };

static const struct cp_kw aaa_cmds[] = {
	FN("new-model", cp_h_aaa_new_model),
	SUB("authentication", aaa_authen),
	SUB("authorization", aaa_author),
	SUB("accounting", aaa_acct),
	SUB("group", aaa_group),
	SUB("server", aaa_server),
	SUB("local", aaa_local),
	NOOP("session-id"),
	END
};

static const struct cp_kw isakmp_nat[]  = { FN("keepalive", cp_h_isakmp_nat_keepalive), END };
static const struct cp_kw isakmp_xauth[] = { FN("timeout", cp_h_isakmp_xauth_timeout), END };
static const struct cp_kw isakmp_nem[]  = { FN("minimum-prefix", cp_h_isakmp_nem_min), END };
static const struct cp_kw isakmp_cfg[]  = { OPEN("group", cp_h_client_group), END };
static const struct cp_kw isakmp_cli[]  = { SUB("configuration", isakmp_cfg), END };

static const struct cp_kw isakmp_cmds[] = {
	OPEN("policy", cp_h_isakmp_policy),
	SUB("client", isakmp_cli),
	OPEN("profile", cp_h_isakmp_profile),
	FN("key", cp_h_isakmp_key),
	FN("keepalive", cp_h_isakmp_keepalive),
	SUB("nat", isakmp_nat),
	SUB("network-extension", isakmp_nem),
	FN("aggressive-mode", cp_h_isakmp_aggressive),
	SUB("xauth", isakmp_xauth),
	END
};

static const struct cp_kw cac_limit[] = { FN("ike", cp_h_cac_ike), END };
static const struct cp_kw cac_cmds[] = { SUB("limit", cac_limit), END };
static const struct cp_kw call_cmds[] = { SUB("admission", cac_cmds), END };

static const struct cp_kw sa_replay[] = { FN("window-size", cp_h_sa_replay), END };
static const struct cp_kw ipsec_sa[] = {
	FN("lifetime", cp_h_sa_lifetime),
	SUB("replay", sa_replay),
	END
};

static const struct cp_kw ipsec_client[] = { OPEN("ezvpn", cp_h_ezvpn), END };

static const struct cp_kw ipsec_cmds[] = {
	OPEN("transform-set", cp_h_transform_set),
	SUB("client", ipsec_client),
	OPEN("profile", cp_h_ipsec_profile),
	SUB("security-association", ipsec_sa),
	END
};

static const struct cp_kw pki_cert_cmds[] = { OPEN("map", cp_h_certmap), END };
static const struct cp_kw pki_cmds[] = {
	OPEN("trustpoint", cp_h_trustpoint),
	SUB("certificate", pki_cert_cmds),
	END
};

static const struct cp_kw v2_author[] = { OPEN("policy", cp_h_v2_author), END };
static const struct cp_kw v2_limit[] = {
	FN("max-in-negotiation-sa", cp_h_v2_limit_neg),
	FN("max-sa", cp_h_v2_limit_sa),
	END
};
static const struct cp_kw v2_redirect[] = { FN("gateway", cp_h_v2_redirect_gw), END };
static const struct cp_kw ikev2_cmds[] = {
	OPEN("proposal", cp_h_v2_proposal),
	OPEN("policy", cp_h_v2_policy),
	OPEN("keyring", cp_h_v2_keyring),
	OPEN("profile", cp_h_v2_profile),
	SUB("authorization", v2_author),
	OPEN("cluster", cp_h_v2_cluster),
	OPEN("name-mangler", cp_h_v2_mangler),
	FN("cookie-challenge", cp_h_v2_cookie),
	SUB("limit", v2_limit),
	FN("fragmentation", cp_h_v2_fragmentation),
	SUB("redirect", v2_redirect),
	END
};

static const struct cp_kw crypto_cmds[] = {
	SUB("isakmp", isakmp_cmds),
	SUB("ikev2", ikev2_cmds),
	SUB("pki", pki_cmds),
	SUB("ipsec", ipsec_cmds),
	OPEN("keyring", cp_h_keyring),
	SUB("call", call_cmds),
	FN("logging", cp_h_crypto_logging),
	OPEN("map", cp_h_cmap),
	OPEN("dynamic-map", cp_h_dynamic_map),
	END
};

static const struct cp_kw ip_local[] = { FN("pool", cp_h_local_pool), END };
static const struct cp_kw ip_acl[] = {
	OPEN("standard", cp_h_acl_standard),
	OPEN("extended", cp_h_acl_extended),
	END
};

/* the HTTP server serves metrics only: the router's other HTTP settings mean nothing here */
static const struct cp_kw ip_http[] = {
	FN("server", cp_h_http_server),
	FN("port", cp_h_http_port),
	NOOP("secure-server"),
	NOOP("authentication"),
	NOOP("path"),
	FN("access-class", cp_h_http_access_class),
	NOOP("max-connections"),
	NOOP("timeout-policy"),
	NOOP("client"),
	NOOP("active-session-modules"),
	NOOP("secure-active-session-modules"),
	NOOP("secure-port"),
	NOOP("secure-ciphersuite"),
	NOOP("secure-trustpoint"),
	END
};

static const struct cp_kw ip_cmds[] = {
	SUB("local", ip_local),
	SUB("http", ip_http),
	SUB("access-list", ip_acl),
	FN("route", cp_h_route),
	FN("routing", h_ip_routing),
	NOOP("cef"),
	NOOP("classless"),
	NOOP("subnet-zero"),
	NOOP("domain"),
	NOOP("domain-name"),
	NOOP("domain-lookup"),
	NOOP("name-server"),
	NOOP("source-route"),
	NOOP("finger"),
	NOOP("bootp"),
	NOOP("dhcp"),
	NOOP("ssh"),
	NOOP("auth-proxy"),
	NOOP("admission"),
	NOOP("multicast-routing"),
	NOOP("radius"),
	END
};

static const struct cp_kw radius_cmds[] = { OPEN("server", cp_h_radius_server), END };
static const struct cp_kw radius_global[] = {
	FN("host", cp_h_radius_host),
	FN("timeout", cp_h_radius_global_timeout),
	FN("retransmit", cp_h_radius_global_retransmit),
	FN("deadtime", cp_h_radius_deadtime),
	FN("dead-criteria", cp_h_radius_dead_criteria),
	FN("group-password", cp_h_radius_group_password),
	NOOP("attribute"),
	NOOP("source-ports"),
	NOOP("vsa"),
	END
};

static const struct cp_kw no_aaa[] = { FN("new-model", cp_h_no_aaa_new_model), END };
static const struct cp_kw no_ip_http[] = {
	FN("server", cp_h_no_http_server),
	NOOP("secure-server"),
	NOOP("authentication"),
	NOOP("active-session-modules"),
	NOOP("secure-active-session-modules"),
	END
};
static const struct cp_kw no_ip[] = {
	NOOP("cef"),
	NOOP("domain"),
	NOOP("domain-lookup"),
	SUB("http", no_ip_http),
	FN("routing", h_no_ip_routing),
	NOOP("source-route"),
	NOOP("finger"),
	NOOP("bootp"),
	NOOP("dhcp"),
	NOOP("subnet-zero"),
	NOOP("classless"),
	END
};

static const struct cp_kw no_cmds[] = {
	SUB("aaa", no_aaa),
	SUB("ip", no_ip),
	SUB("ipv6", cp_no_ipv6_top),
	NOOP("service"),
	SUB("logging", cp_no_logging_cmds),
	NOOP("cdp"),
	NOOP("mop"),
	END
};

const struct cp_kw cp_top[] = {
	FN("hostname", cp_h_hostname),
	SUB("control-socket", control_socket_cmds),
	SUB("db", db_cmds),
	SUB("aaa", aaa_cmds),
	FN("username", cp_h_username),
	SUB("radius", radius_cmds),
	SUB("radius-server", radius_global),
	SUB("crypto", crypto_cmds),
	OPEN("interface", cp_h_interface),
	SUB("ip", ip_cmds),
	SUB("ipv6", cp_ipv6_top),
	FN("access-list", cp_h_access_list),
	SUB("no", no_cmds),
	FN("end", h_end),
	{ "exit", NULL, NULL, KW_QUIET | KW_HIDDEN },
	NOOP("version"),
	NOOP("service"),
	NOOP("boot-start-marker"),
	NOOP("boot-end-marker"),
	SUB("logging", cp_logging_cmds),
	{ "enable", NULL, NULL, KW_NOOP | KW_NOOP_SHORT },
	NOOP("clock"),
	NOOP("memory-size"),
	NOOP("ntp"),
	NOOP("multilink"),
	NOOP("cdp"),
	NOOP("scheduler"),
	NOOP_BLOCK("controller"),
	NOOP_BLOCK("line"),
	NOOP_BLOCK("control-plane"),
	NOOP_BLOCK("voice-card"),
	NOOP_BLOCK("archive"),
	END
};
