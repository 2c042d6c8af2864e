/*
 * show running-config as text, printed so that vpnd reads it back to the same configuration
 * (secrets aside): a setting is left out only when it is both vpnd's and IOS's default.
 * Keys and passwords are never read here; they print as <removed>.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"
#include "control/show_int.h"
#include "control/show_logging.h"

/* ------------------------------------------------------------------------------------------ */
/* show running-config: text */

/* A delimiter that does not occur in the banner, so it reads back as the same text. */
static const char *banner_delim(const char *text, char *buf)
{
	static const char candidates[] = "#$%&*@~|+=";

	if (strstr(text, "^C") == NULL)
		return "^C";
	for (const char *d = candidates; *d; d++) {
		if (strchr(text, *d) == NULL) {
			buf[0] = *d;
			buf[1] = '\0';
			return buf;
		}
	}
	return "^C";
}

static void rc_aaa(FILE *f, const struct vpnd_conf *c)
{
	static const char *const kinds[] = {
		[AAA_AUTHEN_LOGIN] = "authentication login",
		[AAA_AUTHOR_NETWORK] = "authorization network",
		[AAA_ACCT_NETWORK] = "accounting network",
	};

	fprintf(f, "%saaa new-model\n!\n", c->aaa_new_model ? "" : "no ");
	if (c->aaa_max_fail)
		fprintf(f, "aaa local authentication attempts max-fail %d\n!\n", c->aaa_max_fail);
	for (int i = 0; i < c->naaa; i++) {
		const struct conf_aaa_list *l = &c->aaa[i];
		if (l->kind < AAA_AUTHEN_LOGIN || l->kind > AAA_ACCT_NETWORK)
			continue;
		fprintf(f, "aaa %s %s%s", kinds[l->kind], l->name,
		        l->kind == AAA_ACCT_NETWORK ? " start-stop" : "");
		for (int k = 0; k < l->nmethod && k < 4; k++) {
			if (l->method[k] == AAA_METHOD_LOCAL)
				fprintf(f, " local");
			else
				fprintf(f, " group %s", l->group[k]);
		}
		fprintf(f, "\n");
	}
	if (c->naaa)
		fprintf(f, "!\n");
}

/* RADIUS servers and groups; keys are never shown. */
static void rc_radius(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->nradius_group; i++) {
		const struct conf_radius_group *g = &c->radius_group[i];
		fprintf(f, "aaa group server radius %s\n", g->name);
		for (int k = 0; k < g->nserver; k++)
			fprintf(f, " server name %s\n", g->server[k]);
		fprintf(f, "!\n");
	}
	if (c->acct_update_periodic)
		fprintf(f, "aaa accounting update periodic %d\n!\n", c->acct_update_periodic);
	for (int i = 0; i < c->nradius; i++) {
		const struct conf_radius_server *s = &c->radius[i];
		char a6[INET6_ADDRSTRLEN];
		fprintf(f, "radius server %s\n address %s %s auth-port %u acct-port %u\n", s->name,
		        s->family == AF_INET6 ? "ipv6" : "ipv4", s->family == AF_INET6 ?
		        inet_ntop(AF_INET6, &s->addr6, a6, sizeof(a6)) : addr(s->addr).s,
		        s->auth_port, s->acct_port);
		fprintf(f, " key " SHOW_REMOVED "\n");
		if (s->timeout)
			fprintf(f, " timeout %d\n", s->timeout);
		if (s->retransmit >= 0)
			fprintf(f, " retransmit %d\n", s->retransmit);
		if (s->msg_auth != CONF_MA_AUTO)
			fprintf(f, " message-authenticator %s\n",
			        s->msg_auth == CONF_MA_REQUIRED ? "required" : "off");
		fprintf(f, "!\n");
	}
	if (c->nradius) {
		fprintf(f, "radius-server timeout %d\nradius-server retransmit %d\n", c->radius_timeout,
		        c->radius_retransmit);
		if (c->radius_deadtime != 1)      /* vpnd's default (IOS: 0) */
			fprintf(f, "radius-server deadtime %d\n", c->radius_deadtime);
		if (c->radius_dead_time || c->radius_dead_tries)
			fprintf(f, "radius-server dead-criteria time %d tries %d\n", c->radius_dead_time,
			        c->radius_dead_tries);
		fprintf(f, "!\n");
	}
}

/* The files as the parent resolved them (absolute); the key file's name is no secret. */
static void rc_pki(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->ntrustpoint; i++) {
		const struct conf_trustpoint *t = &c->trustpoint[i];
		fprintf(f, "crypto pki trustpoint %s\n", t->name);
		if (t->ca_file[0])
			fprintf(f, " ca-certificate %s\n", t->ca_file);
		if (t->cert_file[0])
			fprintf(f, " certificate %s\n", t->cert_file);
		if (t->key_file[0])
			fprintf(f, " private-key %s\n", t->key_file);
		if (t->crl_file[0])
			fprintf(f, " crl %s\n", t->crl_file);
		fprintf(f, " revocation-check %s\n", t->revocation == REVOKE_CRL ? "crl" : "none");
	}
	if (c->ntrustpoint)
		fprintf(f, "!\n");
	for (int i = 0; i < c->ncertmap; i++) {
		const struct conf_certmap *m = &c->certmap[i];
		fprintf(f, "crypto pki certificate map %s %d\n", m->label, m->seq);
		for (int k = 0; k < m->nrule; k++)
			fprintf(f, " %s %s %s\n", conf_certmap_field_word(m->rule[k].field),
			        conf_certmap_op_word(m->rule[k].op), m->rule[k].value);
	}
	if (c->ncertmap)
		fprintf(f, "!\n");
}

/* aaa server radius dynamic-author (RFC 5176 clients); keys are never shown. */
static void rc_dynauth(FILE *f, const struct vpnd_conf *c)
{
	const struct conf_dynauth *d = &c->dynauth;

	if (!d->enabled)
		return;
	fprintf(f, "aaa server radius dynamic-author\n");
	for (int i = 0; i < d->nclient && i < CONF_MAX_DYNAUTH_CLIENTS; i++) {
		char a[INET6_ADDRSTRLEN];
		fprintf(f, " client %s%s\n", conf_dynauth_client_addr(&d->client[i], a, sizeof(a)),
		        d->client[i].has_key ? " server-key " SHOW_REMOVED : "");
	}
	/* the flags, not the keys: control's copy of the configuration has no key */
	if (d->has_server_key)
		fprintf(f, " server-key " SHOW_REMOVED "\n");
	fprintf(f, " port %u\n", d->port);
	if (d->auth_type_any)
		fprintf(f, " auth-type any\n");
	if (d->ignore_session_key)
		fprintf(f, " ignore session-key\n");
	fprintf(f, "!\n");
}

/* printed only when not the defaults, which docs/config.md gives */
static void rc_call_admission(FILE *f, const struct vpnd_conf *c)
{
	int neg = c->cac_in_negotiation != CONF_CAC_IN_NEGOTIATION ||
	          c->cac_in_negotiation_peer != CONF_CAC_IN_NEGOTIATION_PEER;
	if (neg)
		fprintf(f, "crypto call admission limit ike in-negotiation-sa %d per-peer %d\n",
		        c->cac_in_negotiation, c->cac_in_negotiation_peer);
	if (c->cac_ike_sa)
		fprintf(f, "crypto call admission limit ike sa %d\n", c->cac_ike_sa);
	if (neg || c->cac_ike_sa)
		fprintf(f, "!\n");
}

static void rc_isakmp(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->npolicy; i++) {
		const struct conf_isakmp_policy *p = &c->policy[i];
		fprintf(f, "crypto isakmp policy %d\n", p->priority);
		if (p->encr == IKE_ENCR_AES && p->keylen && p->keylen != 128)
			fprintf(f, " encr aes %d\n", p->keylen);
		else
			fprintf(f, " encr %s\n", ike_encr_word(p->encr));
		/* sha is IOS's default too, so leaving it out misleads no one */
		if (!(p->hash == IKE_HASH_SHA1 && default_hash(p) == IKE_HASH_SHA1))
			fprintf(f, " hash %s\n", ike_hash_word(p->hash));
		fprintf(f, " authentication %s\n", ike_auth_word(p->auth));
		fprintf(f, " group %d\n", p->group);
		if (p->lifetime != 86400)
			fprintf(f, " lifetime %u\n", (unsigned)p->lifetime);
	}
	for (int i = 0; i < c->nisakmp_key; i++) {
		const struct conf_isakmp_key *k = &c->isakmp_key[i];
		fprintf(f, "crypto isakmp key " SHOW_REMOVED " address %s\n", SEL_TEXT(k).s);
	}
	if (c->dpd_interval)
		fprintf(f, "crypto isakmp keepalive %d %d%s\n", c->dpd_interval, c->dpd_retry,
		        c->dpd_periodic ? " periodic" : "");
	if (c->natt_keepalive)
		fprintf(f, "crypto isakmp nat keepalive %d\n", c->natt_keepalive);
	if (c->xauth_timeout)
		fprintf(f, "crypto isakmp xauth timeout %d\n", c->xauth_timeout);
	if (c->nem_min_prefix != 8)
		fprintf(f, "crypto isakmp network-extension minimum-prefix %d\n", c->nem_min_prefix);
	if (c->aggressive_disable)
		fprintf(f, "crypto isakmp aggressive-mode disable\n");
	if (c->npolicy || c->nisakmp_key || c->dpd_interval || c->natt_keepalive ||
	    c->xauth_timeout || c->nem_min_prefix != 8 || c->aggressive_disable)
		fprintf(f, "!\n");
	rc_call_admission(f, c);

	for (int i = 0; i < c->ngroup; i++) {
		const struct conf_group *g = &c->group[i];
		char d[2];
		fprintf(f, "crypto isakmp client configuration group %s\n", g->name);
		if (g->has_key)
			fprintf(f, " key " SHOW_REMOVED "\n");
		if (g->ndns)
			fprintf(f, " dns %s%s%s\n", addr(g->dns[0]).s, g->ndns > 1 ? " " : "",
			        g->ndns > 1 ? addr(g->dns[1]).s : "");
		if (g->nwins)
			fprintf(f, " wins %s%s%s\n", addr(g->wins[0]).s, g->nwins > 1 ? " " : "",
			        g->nwins > 1 ? addr(g->wins[1]).s : "");
		if (g->domain[0])
			fprintf(f, " domain %s\n", g->domain);
		for (int k = 0; k < g->nsplit_dns; k++)
			fprintf(f, " split-dns %s\n", g->split_dns[k]);
		if (g->pool[0])
			fprintf(f, " pool %s\n", g->pool);
		if (g->pool6[0])
			fprintf(f, " ipv6 pool %s\n", g->pool6);
		if (g->ndns6) {
			char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN] = "";
			inet_ntop(AF_INET6, &g->dns6[0], a, sizeof(a));
			if (g->ndns6 > 1)
				inet_ntop(AF_INET6, &g->dns6[1], b, sizeof(b));
			fprintf(f, " ipv6 dns %s%s%s\n", a, b[0] ? " " : "", b);
		}
		if (g->acl[0])
			fprintf(f, " acl %s\n", g->acl);
		if (g->save_password)
			fprintf(f, " save-password\n");
		if (g->pfs)
			fprintf(f, " pfs\n");
		if (g->max_users)
			fprintf(f, " max-users %d\n", g->max_users);
		if (g->netmask.s_addr)
			fprintf(f, " netmask %s\n", addr(g->netmask).s);
		if (g->nem_acl[0])
			fprintf(f, " network-extension access-list %s\n", g->nem_acl);
		if (g->include_local_lan)
			fprintf(f, " include-local-lan\n");
		for (int k = 0; k < g->nbackup_gw; k++)
			fprintf(f, " backup-gateway %s\n", g->backup_gw[k]);
		if (g->group_lock)
			fprintf(f, " group-lock\n");
		if (g->firewall_ayt)
			fprintf(f, " firewall are-u-there\n");
		if (g->banner[0]) {
			const char *dl = banner_delim(g->banner, d);
			fprintf(f, " banner %s%s%s\n", dl, g->banner, dl);
		}
	}
	for (int i = 0; i < c->nkeyring; i++) {
		const struct conf_keyring *kr = &c->keyring[i];
		fprintf(f, "crypto keyring %s\n", kr->name);
		if (kr->local_address[0])
			fprintf(f, "  local-address %s\n", kr->local_address);
		for (int k = 0; k < kr->npsk; k++) {
			fprintf(f, "  pre-shared-key address %s key " SHOW_REMOVED "\n",
			        SEL_TEXT(&kr->psk[k]).s);
		}
	}
	/* IOS indents profile sub-commands by three blanks */
	for (int i = 0; i < c->nprofile; i++) {
		const struct conf_isakmp_profile *p = &c->profile[i];
		fprintf(f, "crypto isakmp profile %s\n", p->name);
		if (p->keyring[0])
			fprintf(f, "   keyring %s\n", p->keyring);
		for (int k = 0; k < p->nmatch_group; k++)
			fprintf(f, "   match identity group %s\n", p->match_group[k]);
		for (int k = 0; k < p->nmatch_addr; k++) {
			fprintf(f, "   match identity address %s\n", SEL_TEXT(&p->match_addr[k]).s);
		}
		if (p->match_cert[0])
			fprintf(f, "   match certificate %s\n", p->match_cert);
		for (int k = 0; k < p->nca_tp; k++)
			fprintf(f, "   ca trust-point %s\n", p->ca_tp[k]);
		if (p->self_identity == SELF_ID_FQDN)
			fprintf(f, "   self-identity fqdn\n");
		if (p->local_address[0])
			fprintf(f, "   local-address %s\n", p->local_address);
		if (p->client_auth_list[0])
			fprintf(f, "   client authentication list %s\n", p->client_auth_list);
		if (p->isakmp_auth_list[0])
			fprintf(f, "   isakmp authorization list %s\n", p->isakmp_auth_list);
		if (p->acct_list[0])
			fprintf(f, "   accounting %s\n", p->acct_list);
		if (p->client_group[0])
			fprintf(f, "   client configuration group %s\n", p->client_group);
		if (p->config_respond)
			fprintf(f, "   client configuration address respond\n");
		if (p->config_initiate)
			fprintf(f, "   client configuration address initiate\n");
		if (p->keepalive)
			fprintf(f, "   keepalive %d retry %d\n", p->keepalive, p->keepalive_retry);
		if (p->nem_acl[0])
			fprintf(f, "   network-extension access-list %s\n", p->nem_acl);
		if (p->virtual_template)
			fprintf(f, "   virtual-template %d\n", p->virtual_template);
	}
	if (c->ngroup || c->nprofile || c->nkeyring)
		fprintf(f, "!\n");
}

static void rc_ipsec(FILE *f, const struct vpnd_conf *c)
{
	char buf[96];
	int any = 0;

	if (c->sa_lifetime_seconds != 3600) {
		fprintf(f, "crypto ipsec security-association lifetime seconds %u\n",
		        (unsigned)c->sa_lifetime_seconds);
		any = 1;
	}
	if (c->sa_lifetime_kb != 4608000) {
		fprintf(f, "crypto ipsec security-association lifetime kilobytes %u\n",
		        (unsigned)c->sa_lifetime_kb);
		any = 1;
	}
	if (c->replay_window != 1024) {
		fprintf(f, "crypto ipsec security-association replay window-size %d\n",
		        c->replay_window);
		any = 1;
	}
	if (any)
		fprintf(f, "!\n");
	for (int i = 0; i < c->ntset; i++) {
		const struct conf_transform_set *t = &c->tset[i];
		fprintf(f, "crypto ipsec transform-set %s %s\n", t->name,
		        tset_transforms(t, 0, buf, sizeof(buf)));
		if (t->mode_transport)
			fprintf(f, " mode transport\n");
	}
	if (c->ntset)
		fprintf(f, "!\n");
	for (int i = 0; i < c->nipsec_profile; i++) {
		const struct conf_ipsec_profile *p = &c->ipsec_profile[i];
		fprintf(f, "crypto ipsec profile %s\n", p->name);
		if (p->lifetime_seconds)
			fprintf(f, " set security-association lifetime seconds %u\n",
			        (unsigned)p->lifetime_seconds);
		if (p->lifetime_kb)
			fprintf(f, " set security-association lifetime kilobytes %u\n",
			        (unsigned)p->lifetime_kb);
		if (p->ntset) {
			fprintf(f, " set transform-set");
			for (int k = 0; k < p->ntset; k++)
				fprintf(f, " %s", p->tset[k]);
			fprintf(f, "\n");
		}
		if (p->pfs_group)
			fprintf(f, " set pfs group%d\n", p->pfs_group);
		if (p->isakmp_profile[0])
			fprintf(f, " set isakmp-profile %s\n", p->isakmp_profile);
		if (p->ikev2_profile[0])
			fprintf(f, " set ikev2-profile %s\n", p->ikev2_profile);
		if (p->idle_time)
			fprintf(f, " set security-association idle-time %d\n", p->idle_time);
		if (p->replay_window)
			fprintf(f, " set security-association replay window-size %d\n",
			        p->replay_window);
		if (p->reverse_route)
			fprintf(f, " set reverse-route\n");
		fprintf(f, "!\n");
	}
}

/* The sub-commands an interface and its clones share, in IOS's order. */
void iface_addr_lines(FILE *f, const struct conf_interface *i)
{
	if (i->description[0])
		fprintf(f, " description %s\n", i->description);
	if (i->has_addr)
		fprintf(f, " ip address %s %s\n", addr(i->addr).s, addr(i->mask).s);
	else if (i->unnumbered[0])
		fprintf(f, " ip unnumbered %s\n", i->unnumbered);
	else
		fprintf(f, " no ip address\n");
	if (i->acl_in[0])
		fprintf(f, " ip access-group %s in\n", i->acl_in);
	if (i->acl_out[0])
		fprintf(f, " ip access-group %s out\n", i->acl_out);
	if (i->mtu)
		fprintf(f, " ip mtu %d\n", i->mtu);
	if (i->tcp_mss)
		fprintf(f, " ip tcp adjust-mss %d\n", i->tcp_mss);
	if (i->ipv6_unnumbered[0])
		fprintf(f, " ipv6 unnumbered %s\n", i->ipv6_unnumbered);
	else if (i->ipv6_enable)
		fprintf(f, " ipv6 enable\n");
	if (i->acl6_in[0])
		fprintf(f, " ipv6 traffic-filter %s in\n", i->acl6_in);
	if (i->acl6_out[0])
		fprintf(f, " ipv6 traffic-filter %s out\n", i->acl6_out);
	if (i->tcp_mss6)
		fprintf(f, " ipv6 tcp adjust-mss %d\n", i->tcp_mss6);
}

void rc_interface(FILE *f, const struct conf_interface *i)
{
	fprintf(f, "interface %s%s\n", i->name, i->is_template ? " type tunnel" : "");
	iface_addr_lines(f, i);
	if (i->shutdown)
		fprintf(f, " shutdown\n");
	if (i->tunnel_source[0])
		fprintf(f, " tunnel source %s\n", i->tunnel_source);
	if (i->tunnel_mode_ipsec)
		fprintf(f, " tunnel mode %s\n", conf_tunnel_mode_words(i->tunnel_mode_ipsec));
	if (i->has_tunnel_dst)
		fprintf(f, " tunnel destination %s\n", inet_ntoa(i->tunnel_dst));
	if (i->protection[0])
		fprintf(f, " tunnel protection ipsec profile %s\n", i->protection);
	if (i->device_explicit)
		fprintf(f, " physical-interface %s\n", i->device);
	if (i->ezvpn[0])
		fprintf(f, " crypto ipsec client ezvpn %s%s\n", i->ezvpn,
		        i->ezvpn_inside ? " inside" : "");
	if (i->crypto_map[0])
		fprintf(f, " crypto map %s\n", i->crypto_map);
}

static void rc_tail(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->npool; i++) {
		const struct conf_pool *p = &c->pool[i];
		fprintf(f, "ip local pool %s %s", p->name, addr(p->start).s);
		if (p->end.s_addr != p->start.s_addr)
			fprintf(f, " %s", addr(p->end).s);
		fprintf(f, "\n");
	}
	for (int i = 0; i < c->npool6; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &c->pool6[i].prefix, a, sizeof(a));
		fprintf(f, "ipv6 local pool %s %s/%d %d\n", c->pool6[i].name, a, c->pool6[i].plen,
		        c->pool6[i].assigned_len);
	}
	for (int i = 0; i < c->nroute; i++) {
		const struct conf_route *r = &c->route[i];
		fprintf(f, "ip route %s %s", addr(r->prefix).s, addr(r->mask).s);
		if (r->ifname[0])
			fprintf(f, " %s", r->ifname);
		if (r->nexthop.s_addr)
			fprintf(f, " %s", addr(r->nexthop).s);
		fprintf(f, "\n");
	}
	if (c->npool || c->npool6 || c->nroute)
		fprintf(f, "!\n");
	if (c->http_server) {
		if (c->http_addr.s_addr != htonl(INADDR_LOOPBACK))
			fprintf(f, "ip http server address %s\n", addr(c->http_addr).s);
		else
			fprintf(f, "ip http server\n");
		if (c->http_port != CONF_HTTP_PORT)
			fprintf(f, "ip http port %d\n", c->http_port);
		if (c->http_acl[0])
			fprintf(f, "ip http access-class %s%s\n", all_digits(c->http_acl) ? "" : "ipv4 ",
			        c->http_acl);
		fprintf(f, "!\n");
	}
	rc_acls(f, c);
}

void rc_body(FILE *f, const struct vpnd_conf *c)
{
	fprintf(f, "!\n");
	if (c->source[0] && strpbrk(c->source, "\n\r") == NULL)
		fprintf(f, "! Loaded from %s\n!\n", c->source);
	if (c->hostname[0])
		fprintf(f, "hostname %s\n!\n", c->hostname);
	if (c->control_group[0])
		fprintf(f, "control-socket group %s\n!\n", c->control_group);
	conf_logging_print(f, &c->logging);
	if (c->db_history_keep_days > 0)
		fprintf(f, "db history keep %d\n!\n", c->db_history_keep_days);
	if (c->no_ip_routing)
		fprintf(f, "no ip routing\n");
	if (c->ipv6_unicast_routing)
		fprintf(f, "ipv6 unicast-routing\n");
	if (c->no_ip_routing || c->ipv6_unicast_routing)
		fprintf(f, "!\n");
	rc_aaa(f, c);
	rc_radius(f, c);
	rc_dynauth(f, c);
	for (int i = 0; i < c->nuser; i++)
		if (c->user[i].encrypted_type)
			fprintf(f, "username %s secret %d " SHOW_REMOVED "\n", c->user[i].name,
			        c->user[i].encrypted_type);
		else
			fprintf(f, "username %s password 0 " SHOW_REMOVED "\n", c->user[i].name);
	if (c->nuser)
		fprintf(f, "!\n");
	rc_pki(f, c);
	rc_isakmp(f, c);
	rc_ikev2(f, c);
	rc_ipsec(f, c);
	conf_ezvpn_print(f, c);
	conf_cmap_print(f, c);
	for (int i = 0; i < c->niface; i++) {
		rc_interface(f, &c->iface[i]);
		fprintf(f, "!\n");
	}
	rc_tail(f, c);
	fprintf(f, "end\n");
}

/* "Building configuration..." and the size line IOS prints before a configuration. */
typedef void body_fn(FILE *, const void *);

int with_header(FILE *f, body_fn *fn, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		fprintf(f, "%% out of memory\n");
		return -1;
	}
	fn(m, arg);
	if (fclose(m) != 0) {
		free(buf);
		fprintf(f, "%% out of memory\n");
		return -1;
	}
	fprintf(f, "Building configuration...\n\nCurrent configuration : %zu bytes\n", len);
	fwrite(buf, 1, len, f);
	free(buf);
	return 0;
}
