/* show running-config --json: every setting, secrets as <removed>. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"
#include "control/show_int.h"
#include "control/show_logging.h"

/* ------------------------------------------------------------------------------------------ */
/* show running-config: JSON */

void iface_json(struct jw *w, const struct conf_interface *i)
{
	jw_obj(w, NULL);
	jw_str(w, "name", i->name);
	jw_bool(w, "template", i->is_template);
	jw_int0(w, "template_number", i->template_num);
	jw_str(w, "description", i->description);
	jw_str(w, "ip_address", i->has_addr ? addr(i->addr).s : NULL);
	jw_str(w, "netmask", i->has_addr ? addr(i->mask).s : NULL);
	jw_str(w, "unnumbered", i->unnumbered);
	jw_bool(w, "ipv6_enable", i->ipv6_enable);
	jw_str(w, "ipv6_unnumbered", i->ipv6_unnumbered);
	jw_int0(w, "mtu", i->mtu);
	jw_int0(w, "tcp_adjust_mss", i->tcp_mss);
	jw_str(w, "access_group_in", i->acl_in);
	jw_str(w, "access_group_out", i->acl_out);
	jw_str(w, "ipv6_traffic_filter_in", i->acl6_in);
	jw_str(w, "ipv6_traffic_filter_out", i->acl6_out);
	jw_int0(w, "ipv6_tcp_adjust_mss", i->tcp_mss6);
	jw_str(w, "tunnel_mode", i->tunnel_mode_ipsec ? conf_tunnel_mode_words(i->tunnel_mode_ipsec)
	                                              : NULL);
	jw_str(w, "tunnel_protection", i->protection);
	jw_str(w, "tunnel_source", i->tunnel_source);
	jw_str(w, "tunnel_destination", i->has_tunnel_dst ? addr(i->tunnel_dst).s : NULL);
	jw_bool(w, "shutdown", i->shutdown);
	jw_str(w, "ezvpn", i->ezvpn);
	jw_bool(w, "ezvpn_inside", i->ezvpn[0] && i->ezvpn_inside);
	jw_str(w, "crypto_map", i->crypto_map);
	jw_obj_end(w);
}

/* crypto ipsec client ezvpn NAME: the key and the password as the text form has them */
static void ezvpn_json(struct jw *w, const struct conf_ezvpn *ez)
{
	static const char *const modes[] = { "client", "network-extension", "network-plus" };

	jw_obj(w, NULL);
	jw_str(w, "name", ez->name);
	jw_str(w, "connect", ez->connect_acl[0] ? "acl" : ez->connect_manual ? "manual" : "auto");
	jw_str(w, "connect_acl", ez->connect_acl);
	jw_str(w, "group", ez->group);
	jw_str(w, "group_key", ez->group[0] ? SHOW_REMOVED : NULL);
	jw_str(w, "mode", ez->mode >= 0 && ez->mode < 3 ? modes[ez->mode] : NULL);
	jw_arr(w, "peers");
	for (int k = 0; k < ez->npeer && k < CONF_EZVPN_PEERS; k++)
		jw_str(w, NULL, addr(ez->peer[k]).s);
	jw_arr_end(w);
	jw_int0(w, "virtual_interface", ez->virtual_interface);
	jw_str(w, "username", ez->username);
	jw_str(w, "password", ez->username[0] ? SHOW_REMOVED : NULL);
	jw_bool(w, "xauth_userid_mode_local", ez->xauth_local);
	jw_str(w, "outside_interface", ez->outside);
	jw_arr(w, "inside_interfaces");
	for (int k = 0; k < ez->ninside && k < CONF_EZVPN_INSIDE; k++)
		jw_str(w, NULL, ez->inside[k]);
	jw_arr_end(w);
	jw_obj_end(w);
}

/* set session-key: the SPI is shown, the keys never (as the text form) */
static void session_key_json(struct jw *w, const char *key, const struct conf_session_key *k)
{
	if (!k->set) {
		jw_null(w, key);
		return;
	}
	jw_obj(w, key);
	jw_int(w, "spi", k->spi);
	jw_str(w, "cipher", SHOW_REMOVED);
	jw_str(w, "authenticator", k->auth_len ? SHOW_REMOVED : NULL);
	jw_obj_end(w);
}

static void cmap_json(struct jw *w, const struct conf_crypto_map *m)
{
	jw_obj(w, NULL);
	jw_str(w, "name", m->name);
	jw_int(w, "seq", m->seq);
	jw_str(w, "kind", m->kind == CMAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp");
	jw_str(w, "dynamic", m->dynamic);
	jw_arr(w, "peers");
	for (int k = 0; k < m->npeer && k < CONF_CMAP_PEERS; k++)
		jw_str(w, NULL, addr(m->peer[k]).s);
	jw_arr_end(w);
	jw_arr(w, "transform_sets");
	for (int k = 0; k < m->ntset && k < CONF_MAX_TSET_REFS; k++)
		jw_str(w, NULL, m->tset[k]);
	jw_arr_end(w);
	jw_int0(w, "pfs_group", m->pfs_group);
	jw_int0(w, "lifetime_seconds", m->lifetime_seconds);
	jw_int0(w, "lifetime_kilobytes", m->lifetime_kb);
	jw_bool(w, "per_host", m->per_host);
	session_key_json(w, "session_key_inbound", &m->key_in);
	session_key_json(w, "session_key_outbound", &m->key_out);
	jw_str(w, "match_address", m->match_acl);
	jw_bool(w, "reverse_route", m->reverse_route);
	jw_obj_end(w);
}

static void ace6_json(struct jw *w, const struct conf_ace6 *e)
{
	char a[INET6_ADDRSTRLEN];

	jw_obj(w, NULL);
	jw_str(w, "action", e->permit ? "permit" : "deny");
	if (e->proto >= 0)
		jw_int(w, "protocol", e->proto);
	else
		jw_null(w, "protocol");
	jw_str(w, "source", inet_ntop(AF_INET6, &e->src, a, sizeof(a)));
	jw_int(w, "source_prefix_length", e->src_plen);
	jw_str(w, "destination", inet_ntop(AF_INET6, &e->dst, a, sizeof(a)));
	jw_int(w, "destination_prefix_length", e->dst_plen);
	if (e->sport_lo || e->sport_hi) {
		jw_int(w, "source_port_low", e->sport_lo);
		jw_int(w, "source_port_high", e->sport_hi);
	}
	if (e->dport_lo || e->dport_hi) {
		jw_int(w, "port_low", e->dport_lo);
		jw_int(w, "port_high", e->dport_hi);
	}
	if (e->sport_op == ACE_PORT_NEQ)
		jw_bool(w, "source_port_not_equal", 1);
	if (e->dport_op == ACE_PORT_NEQ)
		jw_bool(w, "port_not_equal", 1);
	if (e->icmp_match)
		jw_int(w, "icmp_type", e->icmp_type);
	if (e->icmp_match == 2)
		jw_int(w, "icmp_code", e->icmp_code);
	jw_obj_end(w);
}

static void ace_json(struct jw *w, const struct conf_acl *acl, const struct conf_ace *e)
{
	jw_obj(w, NULL);
	jw_str(w, "action", e->permit ? "permit" : "deny");
	if (acl->extended)
		jw_int(w, "protocol", e->proto);
	jw_str(w, "source", addr(e->src).s);
	jw_str(w, "source_mask", addr(e->srcmask).s);
	if (acl->extended) {
		jw_str(w, "destination", addr(e->dst).s);
		jw_str(w, "destination_mask", addr(e->dstmask).s);
		if (e->dport_lo || e->dport_hi) {
			jw_int(w, "port_low", e->dport_lo);
			jw_int(w, "port_high", e->dport_hi);
		} else {
			jw_null(w, "port_low");
			jw_null(w, "port_high");
		}
		if (e->sport_lo || e->sport_hi) {
			jw_int(w, "source_port_low", e->sport_lo);
			jw_int(w, "source_port_high", e->sport_hi);
		}
		if (e->sport_op == ACE_PORT_NEQ)
			jw_bool(w, "source_port_not_equal", 1);
		if (e->dport_op == ACE_PORT_NEQ)
			jw_bool(w, "port_not_equal", 1);
		if (e->established)
			jw_bool(w, "established", 1);
		if (e->icmp_match)
			jw_int(w, "icmp_type", e->icmp_type);
		if (e->icmp_match == 2)
			jw_int(w, "icmp_code", e->icmp_code);
	}
	jw_obj_end(w);
}

static void group_json(struct jw *w, const struct conf_group *g)
{
	jw_obj(w, NULL);
	jw_str(w, "name", g->name);
	jw_str(w, "key", g->has_key ? SHOW_REMOVED : NULL);
	jw_str(w, "pool", g->pool);
	jw_str(w, "ipv6_pool", g->pool6);
	jw_arr(w, "ipv6_dns");
	for (int k = 0; k < g->ndns6 && k < CONF_MAX_DNS; k++) {
		char a[INET6_ADDRSTRLEN];
		jw_str(w, NULL, inet_ntop(AF_INET6, &g->dns6[k], a, sizeof(a)));
	}
	jw_arr_end(w);
	jw_arr(w, "dns");
	for (int k = 0; k < g->ndns && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, addr(g->dns[k]).s);
	jw_arr_end(w);
	jw_arr(w, "wins");
	for (int k = 0; k < g->nwins && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, addr(g->wins[k]).s);
	jw_arr_end(w);
	jw_str(w, "domain", g->domain);
	jw_arr(w, "split_dns");
	for (int k = 0; k < g->nsplit_dns && k < CONF_MAX_SPLIT_DNS; k++)
		jw_str(w, NULL, g->split_dns[k]);
	jw_arr_end(w);
	jw_str(w, "acl", g->acl);
	jw_str(w, "network_extension_acl", g->nem_acl);
	jw_str(w, "banner", g->banner);
	jw_bool(w, "save_password", g->save_password);
	jw_bool(w, "pfs", g->pfs);
	jw_int0(w, "max_users", g->max_users);
	jw_str(w, "netmask", g->netmask.s_addr ? addr(g->netmask).s : NULL);
	jw_bool(w, "include_local_lan", g->include_local_lan);
	jw_arr(w, "backup_gateways");
	for (int k = 0; k < g->nbackup_gw && k < CONF_MAX_BACKUP_GW; k++)
		jw_str(w, NULL, g->backup_gw[k]);
	jw_arr_end(w);
	jw_bool(w, "group_lock", g->group_lock);
	jw_bool(w, "firewall_are_u_there", g->firewall_ayt);
	jw_obj_end(w);
}

static void aaa_json(struct jw *w, const struct conf_aaa_list *l)
{
	static const char *const kinds[] = {
		[AAA_AUTHEN_LOGIN] = "authentication login",
		[AAA_AUTHOR_NETWORK] = "authorization network",
		[AAA_ACCT_NETWORK] = "accounting network",
	};

	jw_obj(w, NULL);
	jw_str(w, "kind", l->kind >= AAA_AUTHEN_LOGIN && l->kind <= AAA_ACCT_NETWORK ?
	       kinds[l->kind] : "unknown");
	jw_str(w, "name", l->name);
	jw_arr(w, "methods");
	for (int k = 0; k < l->nmethod && k < 4; k++) {
		char m[CONF_NAME_MAX + 8];
		if (l->method[k] == AAA_METHOD_LOCAL)
			snprintf(m, sizeof(m), "local");
		else
			snprintf(m, sizeof(m), "group %s", l->group[k]);
		jw_str(w, NULL, m);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void rc_json(FILE *f, const struct vpnd_conf *c)
{
	struct jw w;

	jw_init(&w, f);
	jw_obj(&w, NULL);
	jw_str(&w, "source", c->source);
	jw_str(&w, "hostname", c->hostname);
	if (c->control_group[0])
		jw_str(&w, "control_socket_group", c->control_group);
	/* null: kept forever */
	jw_int0(&w, "db_history_keep_days", c->db_history_keep_days);
	jw_bool(&w, "ip_routing", !c->no_ip_routing);
	jw_bool(&w, "ipv6_unicast_routing", c->ipv6_unicast_routing);
	jw_bool(&w, "aaa_new_model", c->aaa_new_model);
	jw_arr(&w, "aaa");
	for (int i = 0; i < c->naaa; i++)
		aaa_json(&w, &c->aaa[i]);
	jw_arr_end(&w);
	jw_arr(&w, "users");
	for (int i = 0; i < c->nuser; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "name", c->user[i].name);
		jw_str(&w, "password", SHOW_REMOVED);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_arr(&w, "isakmp_policies");
	for (int i = 0; i < c->npolicy; i++)
		policy_json(&w, &c->policy[i]);
	jw_arr_end(&w);
	jw_arr(&w, "isakmp_keys");
	for (int i = 0; i < c->nisakmp_key; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "key", SHOW_REMOVED);
		const struct conf_isakmp_key *k = &c->isakmp_key[i];
		if (k->is6) {
			char a6[INET6_ADDRSTRLEN];
			jw_str(&w, "address", inet_ntop(AF_INET6, &k->addr6, a6, sizeof(a6)));
			jw_int(&w, "prefix_length", k->plen6);
		} else {
			jw_str(&w, "address", addr(k->addr).s);
			jw_str(&w, "mask", addr(k->mask).s);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	if (c->dpd_interval) {
		jw_obj(&w, "isakmp_keepalive");
		jw_int(&w, "interval", c->dpd_interval);
		jw_int(&w, "retry", c->dpd_retry);
		jw_str(&w, "mode", c->dpd_periodic ? "periodic" : "on-demand");
		jw_obj_end(&w);
	} else {
		jw_null(&w, "isakmp_keepalive");
	}
	jw_int0(&w, "nat_keepalive", c->natt_keepalive);
	jw_int0(&w, "xauth_timeout", c->xauth_timeout);
	jw_int0(&w, "network_extension_minimum_prefix", c->nem_min_prefix);
	jw_bool(&w, "aggressive_mode_disable", c->aggressive_disable);
	jw_obj(&w, "call_admission_ike");
	jw_int(&w, "in_negotiation_sa", c->cac_in_negotiation);
	jw_int(&w, "in_negotiation_sa_per_peer", c->cac_in_negotiation_peer);
	jw_int0(&w, "sa", c->cac_ike_sa);
	jw_obj_end(&w);
	jw_int0(&w, "aaa_local_max_fail", c->aaa_max_fail);
	show_logging_conf_json(&w, &c->logging);
	jw_arr(&w, "client_groups");
	for (int i = 0; i < c->ngroup; i++)
		group_json(&w, &c->group[i]);
	jw_arr_end(&w);
	jw_arr(&w, "isakmp_profiles");
	for (int i = 0; i < c->nprofile; i++)
		profile_json(&w, &c->profile[i]);
	jw_arr_end(&w);

	jw_obj(&w, "sa_lifetime");
	jw_int(&w, "seconds", c->sa_lifetime_seconds);
	jw_int(&w, "kilobytes", c->sa_lifetime_kb);
	jw_obj_end(&w);
	jw_int(&w, "replay_window", c->replay_window);
	jw_arr(&w, "transform_sets");
	for (int i = 0; i < c->ntset; i++)
		tset_json(&w, &c->tset[i]);
	jw_arr_end(&w);
	jw_arr(&w, "ipsec_profiles");
	for (int i = 0; i < c->nipsec_profile; i++)
		iprof_json(&w, c, &c->ipsec_profile[i]);
	jw_arr_end(&w);
	rc_ikev2_json(&w, c);

	jw_arr(&w, "ezvpn");
	for (int i = 0; i < c->nezvpn && i < CONF_MAX_EZVPN; i++)
		ezvpn_json(&w, &c->ezvpn[i]);
	jw_arr_end(&w);
	jw_arr(&w, "crypto_maps");
	for (int i = 0; i < c->ncmap && i < CONF_MAX_CMAPS; i++)
		cmap_json(&w, &c->cmap[i]);
	jw_arr_end(&w);

	jw_arr(&w, "interfaces");
	for (int i = 0; i < c->niface; i++)
		iface_json(&w, &c->iface[i]);
	jw_arr_end(&w);
	jw_arr(&w, "pools");
	for (int i = 0; i < c->npool; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "name", c->pool[i].name);
		jw_str(&w, "first", addr(c->pool[i].start).s);
		jw_str(&w, "last", addr(c->pool[i].end).s);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "routes");
	for (int i = 0; i < c->nroute; i++) {
		const struct conf_route *r = &c->route[i];
		jw_obj(&w, NULL);
		jw_str(&w, "prefix", addr(r->prefix).s);
		jw_str(&w, "mask", addr(r->mask).s);
		jw_str(&w, "interface", r->ifname);
		jw_str(&w, "next_hop", r->nexthop.s_addr ? addr(r->nexthop).s : NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "access_lists");
	for (int i = 0; i < c->nacl; i++) {
		const struct conf_acl *a = &c->acl[i];
		jw_obj(&w, NULL);
		jw_str(&w, "name", a->name);
		jw_str(&w, "type", a->extended ? "extended" : "standard");
		jw_arr(&w, "entries");
		for (int k = 0; k < a->nace && k < CONF_MAX_ACES; k++)
			ace_json(&w, a, &a->ace[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "ipv6_access_lists");
	for (int i = 0; i < c->nacl6; i++) {
		const struct conf_acl6 *a = &c->acl6[i];
		jw_obj(&w, NULL);
		jw_str(&w, "name", a->name);
		jw_arr(&w, "entries");
		for (int k = 0; k < a->nace && k < CONF_MAX_ACES; k++)
			ace6_json(&w, &a->ace[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}

