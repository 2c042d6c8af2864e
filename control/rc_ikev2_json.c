/*
 * show running-config --json: the "ikev2" object. "served" names what ikemgr answers:
 * "psk cert eap" (remote-access peers with pre-shared keys, certificates or EAP through
 * RADIUS). Unlike the text, it lists IOS's built-in defaults too, marked "builtin", since a reader
 * wants what applies. Keys are never read here; a configured one shows as <removed>.
 */
#include <string.h>

#include "common/alg.h"
#include "common/sa46.h"
#include "control/show_config.h"
#include "control/show_int.h"

static const char *const aaa_kinds[V2_AAA_KINDS] = { "eap", "psk", "cert" };

static const char *id_name(int type)
{
	switch (type) {
	case V2_ID_ADDRESS: return "address";
	case V2_ID_FQDN:    return "fqdn";
	case V2_ID_EMAIL:   return "email";
	case V2_ID_KEY_ID:  return "key-id";
	case V2_ID_ANY:     return "any";
	}
	return NULL;
}

static void sel_json(struct jw *w, const char *key, int is6, struct in_addr a, struct in_addr m,
                     const struct in6_addr *a6, int plen6)
{
	jw_str(w, key, sel_text(is6, a, m, a6, plen6).s);
}

static void proposal_json(struct jw *w, const struct conf_ikev2_proposal *pr)
{
	jw_obj(w, NULL);
	jw_str(w, "name", pr->name);
	jw_bool(w, "builtin", pr->builtin);
	jw_arr(w, "encryption");
	for (int k = 0; k < pr->nencr; k++) {
		const struct alg_v2_encr *e = alg_v2_encr(pr->encr[k].id, pr->encr[k].bits);
		jw_str(w, NULL, e ? e->word : "?");
	}
	jw_arr_end(w);
	jw_arr(w, "integrity");
	for (int k = 0; k < pr->ninteg; k++)
		jw_str(w, NULL, alg_v2_integ(pr->integ[k]) ? alg_v2_integ(pr->integ[k])->word : "?");
	jw_arr_end(w);
	jw_arr(w, "prf");
	for (int k = 0; k < pr->nprf; k++)
		jw_str(w, NULL, alg_v2_prf(pr->prf[k]) ? alg_v2_prf(pr->prf[k])->word : "?");
	jw_arr_end(w);
	jw_arr(w, "groups");
	for (int k = 0; k < pr->ngroup; k++)
		jw_int(w, NULL, pr->group[k]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void v2_policy_json(struct jw *w, const struct conf_ikev2_policy *po)
{
	char a[SA46_STRLEN];

	jw_obj(w, NULL);
	jw_str(w, "name", po->name);
	jw_bool(w, "builtin", po->builtin);
	jw_arr(w, "proposals");
	for (int k = 0; k < po->nproposal; k++)
		jw_str(w, NULL, po->proposal[k]);
	jw_arr_end(w);
	jw_arr(w, "match_address_local");
	for (int k = 0; k < po->nlocal; k++)
		jw_str(w, NULL, sa46_ntop(&po->local[k], a));
	jw_arr_end(w);
	jw_bool(w, "match_fvrf_any", po->fvrf_any);
	jw_obj_end(w);
}

static void keyring_json(struct jw *w, const struct conf_ikev2_keyring *kr)
{
	jw_obj(w, NULL);
	jw_str(w, "name", kr->name);
	jw_arr(w, "peers");
	for (int k = 0; k < kr->npeer; k++) {
		const struct conf_ikev2_peer *pe = &kr->peer[k];
		jw_obj(w, NULL);
		jw_str(w, "name", pe->name);
		if (pe->has_addr)
			sel_json(w, "address", pe->is6, pe->addr, pe->mask, &pe->addr6, pe->plen6);
		else
			jw_null(w, "address");
		jw_str(w, "identity_type", id_name(pe->id_type));
		jw_str(w, "identity", pe->id);
		jw_str(w, "hostname", pe->hostname);
		jw_str(w, "pre_shared_key_local", pe->has_key_local ? SHOW_REMOVED : NULL);
		jw_str(w, "pre_shared_key_remote", pe->has_key_remote ? SHOW_REMOVED : NULL);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void profile_aaa_json(struct jw *w, const struct conf_ikev2_profile *pr)
{
	jw_str(w, "aaa_authentication_eap", pr->eap_list);
	jw_obj(w, "aaa");
	for (int k = 0; k < V2_AAA_KINDS; k++) {
		jw_obj(w, aaa_kinds[k]);
		jw_str(w, "group_list", pr->group_list[k]);
		jw_str(w, "group_name", pr->group_name[k]);
		jw_str(w, "group_name_mangler", pr->group_mangler[k]);
		jw_str(w, "user_list", pr->user_list[k]);
		jw_str(w, "user_name", pr->user_name[k]);
		jw_str(w, "user_name_mangler", pr->user_mangler[k]);
		jw_bool(w, "user_cached", pr->user_cached[k]);
		jw_str(w, "accounting", pr->acct_list[k]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void profile_json_v2(struct jw *w, const struct conf_ikev2_profile *pr)
{
	static const char *const use[] = { "both", "sign", "verify" };

	jw_obj(w, NULL);
	jw_str(w, "name", pr->name);
	jw_arr(w, "match_identity_remote");
	for (int k = 0; k < pr->nmatch; k++) {
		const struct conf_ikev2_match *m = &pr->match[k];
		jw_obj(w, NULL);
		jw_str(w, "type", id_name(m->type));
		if (m->type == V2_ID_ADDRESS)
			sel_json(w, "value", m->is6, m->addr, m->mask, &m->addr6, m->plen6);
		else
			jw_str(w, "value", m->value);
		jw_bool(w, "domain", m->domain);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_str(w, "match_certificate", pr->match_cert);
	jw_bool(w, "match_fvrf_any", pr->match_fvrf_any);
	jw_str(w, "identity_local_type", id_name(pr->id_local_type));
	jw_str(w, "identity_local", pr->id_local);
	jw_str(w, "authentication_local", pr->auth_local ? ike_auth_word(pr->auth_local) : NULL);
	jw_arr(w, "authentication_remote");
	if (pr->remote_psk)
		jw_str(w, NULL, ike_auth_word(IKE_AUTH_PSK));
	if (pr->remote_rsa)
		jw_str(w, NULL, ike_auth_word(IKE_AUTH_RSA_SIG));
	if (pr->remote_ecdsa)
		jw_str(w, NULL, ike_auth_word(IKE_AUTH_ECDSA_SIG));
	if (pr->remote_eap)
		jw_str(w, NULL, "eap");
	jw_arr_end(w);
	jw_bool(w, "eap_query_identity", pr->eap_query_identity);
	jw_int0(w, "eap_timeout", pr->eap_timeout);
	jw_str(w, "keyring", pr->keyring);
	jw_arr(w, "trustpoints");
	for (int k = 0; k < pr->ntp; k++) {
		jw_obj(w, NULL);
		jw_str(w, "name", pr->tp[k].name);
		jw_str(w, "use", use[pr->tp[k].use >= 0 && pr->tp[k].use <= V2_TP_VERIFY ?
		                     pr->tp[k].use : 0]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	profile_aaa_json(w, pr);
	jw_int0(w, "virtual_template", pr->virtual_template);
	if (pr->dpd_interval) {
		jw_obj(w, "dpd");
		jw_int(w, "interval", pr->dpd_interval);
		jw_int(w, "retry", pr->dpd_retry);
		jw_str(w, "mode", pr->dpd_periodic ? "periodic" : "on-demand");
		jw_obj_end(w);
	} else {
		jw_null(w, "dpd");
	}
	jw_int(w, "lifetime", pr->lifetime);
	jw_obj_end(w);
}

static void author_json(struct jw *w, const struct conf_ikev2_author *au)
{
	char a[INET6_ADDRSTRLEN];

	jw_obj(w, NULL);
	jw_str(w, "name", au->name);
	jw_bool(w, "builtin", au->builtin);
	jw_str(w, "pool", au->pool);
	jw_str(w, "ipv6_pool", au->pool6);
	jw_arr(w, "dns");
	for (int k = 0; k < au->ndns && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, addr(au->dns[k]).s);
	jw_arr_end(w);
	jw_arr(w, "ipv6_dns");
	for (int k = 0; k < au->ndns6 && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, inet_ntop(AF_INET6, &au->dns6[k], a, sizeof(a)));
	jw_arr_end(w);
	jw_str(w, "netmask", au->netmask.s_addr ? addr(au->netmask).s : NULL);
	jw_str(w, "route_set_access_list", au->route_acl);
	jw_str(w, "ipv6_subnet_acl", au->subnet_acl6);
	jw_str(w, "banner", au->banner);
	jw_str(w, "def_domain", au->def_domain);
	jw_obj_end(w);
}

static void mangler_json(struct jw *w, const struct conf_ikev2_mangler *m)
{
	static const char *const part[] = { [V2_MG_ALL] = "all", [V2_MG_DOMAIN] = "domain",
	                                    [V2_MG_HOST] = "hostname" };
	char e[48];

	jw_obj(w, NULL);
	jw_str(w, "name", m->name);
	jw_str(w, "fqdn", m->fqdn >= V2_MG_ALL && m->fqdn <= V2_MG_HOST ? part[m->fqdn] : NULL);
	jw_str(w, "email", m->email == V2_MG_HOST ? "username" :
	       m->email >= V2_MG_ALL && m->email <= V2_MG_DOMAIN ? part[m->email] : NULL);
	jw_str(w, "dn", conf_v2_dn_word(m->dn));
	if (m->eap == V2_MG_ALL)
		snprintf(e, sizeof(e), "all");
	else if (m->eap == V2_MG_DN && conf_v2_dn_word(m->eap_dn))
		snprintf(e, sizeof(e), "dn %s", conf_v2_dn_word(m->eap_dn));
	else if (m->eap == V2_MG_PREFIX || m->eap == V2_MG_SUFFIX)
		snprintf(e, sizeof(e), "%s delimiter %c", m->eap == V2_MG_PREFIX ? "prefix" :
		         "suffix", m->eap_delim);
	else
		e[0] = 0;
	jw_str(w, "eap", e[0] ? e : NULL);
	jw_obj_end(w);
}

void rc_ikev2_json(struct jw *w, const struct vpnd_conf *c)
{
	const struct conf_ikev2 *v = &c->v2;
	char a[SA46_STRLEN];

	jw_obj(w, "ikev2");
	/* a string, not a boolean: when EAP or certificates are served it names them too */
	jw_str(w, "served", "psk cert eap");
	jw_arr(w, "proposals");
	for (int i = 0; i < v->nproposal; i++)
		proposal_json(w, &v->proposal[i]);
	jw_arr_end(w);
	jw_arr(w, "policies");
	for (int i = 0; i < v->npolicy; i++)
		v2_policy_json(w, &v->policy[i]);
	jw_arr_end(w);
	jw_arr(w, "keyrings");
	for (int i = 0; i < v->nkeyring; i++)
		keyring_json(w, &v->keyring[i]);
	jw_arr_end(w);
	jw_arr(w, "profiles");
	for (int i = 0; i < v->nprofile; i++)
		profile_json_v2(w, &v->profile[i]);
	jw_arr_end(w);
	jw_arr(w, "authorization_policies");
	for (int i = 0; i < v->nauthor; i++)
		author_json(w, &v->author[i]);
	jw_arr_end(w);
	jw_arr(w, "name_manglers");
	for (int i = 0; i < v->nmangler; i++)
		mangler_json(w, &v->mangler[i]);
	jw_arr_end(w);
	jw_int0(w, "cookie_challenge", v->cookie_challenge);
	jw_int0(w, "max_in_negotiation_sa_incoming", v->max_in_neg_in);
	jw_int0(w, "max_in_negotiation_sa_outgoing", v->max_in_neg_out);
	jw_int0(w, "max_sa", v->max_sa);
	if (v->fragmentation)
		jw_int(w, "fragmentation_mtu", v->frag_mtu ? v->frag_mtu : 576);
	else
		jw_null(w, "fragmentation_mtu");
	jw_arr(w, "redirect_gateway");
	if (v->redirect_init)
		jw_str(w, NULL, "init");
	if (v->redirect_auth)
		jw_str(w, NULL, "auth");
	jw_arr_end(w);
	if (v->cluster.present) {
		jw_obj(w, "cluster");
		jw_bool(w, "enabled", v->cluster.enabled);
		jw_int0(w, "max_session", v->cluster.max_session);
		jw_arr(w, "peers");
		for (int k = 0; k < v->cluster.npeer; k++)
			jw_str(w, NULL, sa46_ntop(&v->cluster.peer[k], a));
		jw_arr_end(w);
		jw_obj_end(w);
	} else {
		jw_null(w, "cluster");
	}
	jw_obj_end(w);
}
