/*
 * show running-config: the crypto ikev2 lines, printed so the parser reads them back to the
 * same configuration. IOS's built-in "default" proposal, policy and authorization policy are
 * left out unless the file configured them, as IOS does. Keys print as <removed>: control's
 * copy has none, only the flags saying which were given.
 */
#include <string.h>

#include "common/alg.h"
#include "common/sa46.h"
#include "control/show_config.h"
#include "control/show_int.h"

static const char *const aaa_kinds[V2_AAA_KINDS] = { "eap", "psk", "cert" };

static const char *id_word(int type)
{
	switch (type) {
	case V2_ID_ADDRESS: return "address";
	case V2_ID_FQDN:    return "fqdn";
	case V2_ID_EMAIL:   return "email";
	case V2_ID_KEY_ID:  return "key-id";
	}
	return "?";
}

static void words_v2(FILE *f, const char *cmd, const uint16_t *ids, int n, int integ)
{
	if (!n)
		return;
	fprintf(f, " %s", cmd);
	for (int k = 0; k < n; k++) {
		const char *w = NULL;
		if (integ && alg_v2_integ(ids[k]))
			w = alg_v2_integ(ids[k])->word;
		else if (!integ && alg_v2_prf(ids[k]))
			w = alg_v2_prf(ids[k])->word;
		fprintf(f, " %s", w ? w : "?");
	}
	fprintf(f, "\n");
}

static void rc_proposals(FILE *f, const struct conf_ikev2 *v)
{
	for (int i = 0; i < v->nproposal; i++) {
		const struct conf_ikev2_proposal *pr = &v->proposal[i];
		if (pr->builtin)
			continue;
		fprintf(f, "crypto ikev2 proposal %s\n", pr->name);
		if (pr->nencr) {
			fprintf(f, " encryption");
			for (int k = 0; k < pr->nencr; k++) {
				const struct alg_v2_encr *e = alg_v2_encr(pr->encr[k].id, pr->encr[k].bits);
				fprintf(f, " %s", e ? e->word : "?");
			}
			fprintf(f, "\n");
		}
		words_v2(f, "integrity", pr->integ, pr->ninteg, 1);
		/* a prf derived from integrity was not written: printing it would change that */
		if (pr->prf_set)
			words_v2(f, "prf", pr->prf, pr->nprf, 0);
		if (pr->ngroup) {
			fprintf(f, " group");
			for (int k = 0; k < pr->ngroup; k++)
				fprintf(f, " %u", pr->group[k]);
			fprintf(f, "\n");
		}
		fprintf(f, "!\n");
	}
}

static void rc_policies(FILE *f, const struct conf_ikev2 *v)
{
	char a[SA46_STRLEN];

	for (int i = 0; i < v->npolicy; i++) {
		const struct conf_ikev2_policy *po = &v->policy[i];
		if (po->builtin)
			continue;
		fprintf(f, "crypto ikev2 policy %s\n", po->name);
		if (po->fvrf_any)
			fprintf(f, " match fvrf any\n");
		for (int k = 0; k < po->nlocal; k++)
			fprintf(f, " match address local %s\n", sa46_ntop(&po->local[k], a));
		for (int k = 0; k < po->nproposal; k++)
			fprintf(f, " proposal %s\n", po->proposal[k]);
		fprintf(f, "!\n");
	}
}

static void rc_keyrings(FILE *f, const struct conf_ikev2 *v)
{
	for (int i = 0; i < v->nkeyring; i++) {
		const struct conf_ikev2_keyring *kr = &v->keyring[i];
		fprintf(f, "crypto ikev2 keyring %s\n", kr->name);
		for (int k = 0; k < kr->npeer; k++) {
			const struct conf_ikev2_peer *pe = &kr->peer[k];
			fprintf(f, " peer %s\n", pe->name);
			if (pe->has_addr)
				fprintf(f, "  address %s\n", SEL_TEXT(pe).s);
			if (pe->id_type)
				fprintf(f, "  identity %s %s\n", id_word(pe->id_type), pe->id);
			if (pe->hostname[0])
				fprintf(f, "  hostname %s\n", pe->hostname);
			if (pe->key_both) {
				fprintf(f, "  pre-shared-key " SHOW_REMOVED "\n");
			} else {
				if (pe->has_key_local)
					fprintf(f, "  pre-shared-key local " SHOW_REMOVED "\n");
				if (pe->has_key_remote)
					fprintf(f, "  pre-shared-key remote " SHOW_REMOVED "\n");
			}
		}
		fprintf(f, "!\n");
	}
}

static void rc_match(FILE *f, const struct conf_ikev2_match *m)
{
	fprintf(f, " match identity remote ");
	switch (m->type) {
	case V2_ID_ADDRESS:
		fprintf(f, "address %s\n", SEL_TEXT(m).s);
		break;
	case V2_ID_ANY:
		fprintf(f, "any\n");
		break;
	default:
		fprintf(f, "%s %s%s\n", id_word(m->type), m->domain ? "domain " : "", m->value);
	}
}

/* NAME, name-mangler M or nothing after list LIST */
static const char *author_tail(const char *name, const char *mangler, char *buf, size_t n)
{
	if (mangler[0])
		snprintf(buf, n, " name-mangler %s", mangler);
	else
		snprintf(buf, n, "%s%s", name[0] ? " " : "", name);
	return buf;
}

static void rc_author_lines(FILE *f, const struct conf_ikev2_profile *pr)
{
	char t[CONF_NAME_MAX + 16];

	for (int k = 0; k < V2_AAA_KINDS; k++)
		if (pr->group_list[k][0])
			fprintf(f, " aaa authorization group %s list %s%s\n", aaa_kinds[k],
			        pr->group_list[k], author_tail(pr->group_name[k], pr->group_mangler[k],
			                                       t, sizeof(t)));
	for (int k = 0; k < V2_AAA_KINDS; k++) {
		if (pr->user_cached[k])
			fprintf(f, " aaa authorization user %s cached\n", aaa_kinds[k]);
		else if (pr->user_list[k][0])
			fprintf(f, " aaa authorization user %s list %s%s\n", aaa_kinds[k],
			        pr->user_list[k], author_tail(pr->user_name[k], pr->user_mangler[k],
			                                      t, sizeof(t)));
	}
	for (int k = 0; k < V2_AAA_KINDS; k++)
		if (pr->acct_list[k][0])
			fprintf(f, " aaa accounting %s %s\n", aaa_kinds[k], pr->acct_list[k]);
}

static void rc_profiles(FILE *f, const struct conf_ikev2 *v)
{
	static const char *const tp_use[] = { "", " sign", " verify" };

	for (int i = 0; i < v->nprofile; i++) {
		const struct conf_ikev2_profile *pr = &v->profile[i];
		fprintf(f, "crypto ikev2 profile %s\n", pr->name);
		if (pr->match_fvrf_any)
			fprintf(f, " match fvrf any\n");
		for (int k = 0; k < pr->nmatch; k++)
			rc_match(f, &pr->match[k]);
		if (pr->match_cert[0])
			fprintf(f, " match certificate %s\n", pr->match_cert);
		if (pr->id_local_type)
			fprintf(f, " identity local %s %s\n", id_word(pr->id_local_type), pr->id_local);
		if (pr->auth_local)
			fprintf(f, " authentication local %s\n", ike_auth_word(pr->auth_local));
		if (pr->remote_psk)
			fprintf(f, " authentication remote %s\n", ike_auth_word(IKE_AUTH_PSK));
		if (pr->remote_rsa)
			fprintf(f, " authentication remote %s\n", ike_auth_word(IKE_AUTH_RSA_SIG));
		if (pr->remote_ecdsa)
			fprintf(f, " authentication remote %s\n", ike_auth_word(IKE_AUTH_ECDSA_SIG));
		if (pr->remote_eap) {
			fprintf(f, " authentication remote eap%s", pr->eap_query_identity ?
			        " query-identity" : "");
			if (pr->eap_timeout)
				fprintf(f, " timeout %d", pr->eap_timeout);
			fprintf(f, "\n");
		}
		if (pr->keyring[0])
			fprintf(f, " keyring local %s\n", pr->keyring);
		for (int k = 0; k < pr->ntp; k++)
			fprintf(f, " pki trustpoint %s%s\n", pr->tp[k].name,
			        tp_use[pr->tp[k].use >= 0 && pr->tp[k].use <= V2_TP_VERIFY ?
			               pr->tp[k].use : 0]);
		if (pr->eap_list[0])
			fprintf(f, " aaa authentication eap %s\n", pr->eap_list);
		rc_author_lines(f, pr);
		if (pr->dpd_interval)
			fprintf(f, " dpd %d %d %s\n", pr->dpd_interval, pr->dpd_retry,
			        pr->dpd_periodic ? "periodic" : "on-demand");
		if (pr->lifetime != 86400)
			fprintf(f, " lifetime %u\n", (unsigned)pr->lifetime);
		if (pr->virtual_template)
			fprintf(f, " virtual-template %d\n", pr->virtual_template);
		fprintf(f, "!\n");
	}
}

static void rc_authors(FILE *f, const struct conf_ikev2 *v)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	for (int i = 0; i < v->nauthor; i++) {
		const struct conf_ikev2_author *au = &v->author[i];
		if (au->builtin)
			continue;
		fprintf(f, "crypto ikev2 authorization policy %s\n", au->name);
		if (au->pool[0])
			fprintf(f, " pool %s\n", au->pool);
		if (au->ndns)
			fprintf(f, " dns %s%s%s\n", addr(au->dns[0]).s, au->ndns > 1 ? " " : "",
			        au->ndns > 1 ? addr(au->dns[1]).s : "");
		if (au->netmask.s_addr)
			fprintf(f, " netmask %s\n", addr(au->netmask).s);
		if (au->banner[0])
			fprintf(f, " banner %s\n", au->banner);
		if (au->def_domain[0])
			fprintf(f, " def-domain %s\n", au->def_domain);
		if (au->route_acl[0])
			fprintf(f, " route set access-list %s\n", au->route_acl);
		if (au->pool6[0])
			fprintf(f, " ipv6 pool %s\n", au->pool6);
		if (au->subnet_acl6[0])
			fprintf(f, " ipv6 subnet-acl %s\n", au->subnet_acl6);
		if (au->ndns6) {
			inet_ntop(AF_INET6, &au->dns6[0], a, sizeof(a));
			b[0] = '\0';
			if (au->ndns6 > 1)
				inet_ntop(AF_INET6, &au->dns6[1], b, sizeof(b));
			fprintf(f, " ipv6 dns %s%s%s\n", a, b[0] ? " " : "", b);
		}
		fprintf(f, "!\n");
	}
}

static void rc_manglers(FILE *f, const struct conf_ikev2 *v)
{
	static const char *const fqdn[] = { [V2_MG_ALL] = "all", [V2_MG_DOMAIN] = "domain",
	                                    [V2_MG_HOST] = "hostname" };
	static const char *const email[] = { [V2_MG_ALL] = "all", [V2_MG_DOMAIN] = "domain",
	                                     [V2_MG_HOST] = "username" };

	for (int i = 0; i < v->nmangler; i++) {
		const struct conf_ikev2_mangler *m = &v->mangler[i];
		fprintf(f, "crypto ikev2 name-mangler %s\n", m->name);
		if (m->fqdn >= V2_MG_ALL && m->fqdn <= V2_MG_HOST)
			fprintf(f, " fqdn %s\n", fqdn[m->fqdn]);
		if (m->email >= V2_MG_ALL && m->email <= V2_MG_HOST)
			fprintf(f, " email %s\n", email[m->email]);
		if (conf_v2_dn_word(m->dn))
			fprintf(f, " dn %s\n", conf_v2_dn_word(m->dn));
		if (m->eap == V2_MG_ALL)
			fprintf(f, " eap all\n");
		else if (m->eap == V2_MG_DN && conf_v2_dn_word(m->eap_dn))
			fprintf(f, " eap dn %s\n", conf_v2_dn_word(m->eap_dn));
		else if (m->eap == V2_MG_PREFIX || m->eap == V2_MG_SUFFIX)
			fprintf(f, " eap %s delimiter %c\n", m->eap == V2_MG_PREFIX ? "prefix" : "suffix",
			        m->eap_delim);
		fprintf(f, "!\n");
	}
}

static void rc_globals(FILE *f, const struct conf_ikev2 *v)
{
	const struct conf_ikev2_cluster *cl = &v->cluster;
	char a[SA46_STRLEN];
	int any = 0;

	if (v->cookie_challenge)
		any = fprintf(f, "crypto ikev2 cookie-challenge %d\n", v->cookie_challenge);
	if (v->max_in_neg_in && v->max_in_neg_in == v->max_in_neg_out) {
		any = fprintf(f, "crypto ikev2 limit max-in-negotiation-sa %d\n", v->max_in_neg_in);
	} else {
		if (v->max_in_neg_in)
			any = fprintf(f, "crypto ikev2 limit max-in-negotiation-sa %d incoming\n",
			              v->max_in_neg_in);
		if (v->max_in_neg_out)
			any = fprintf(f, "crypto ikev2 limit max-in-negotiation-sa %d outgoing\n",
			              v->max_in_neg_out);
	}
	if (v->max_sa)
		any = fprintf(f, "crypto ikev2 limit max-sa %d\n", v->max_sa);
	if (v->fragmentation) {
		if (v->frag_mtu)
			any = fprintf(f, "crypto ikev2 fragmentation mtu %d\n", v->frag_mtu);
		else
			any = fprintf(f, "crypto ikev2 fragmentation\n");
	}
	if (v->redirect_init)
		any = fprintf(f, "crypto ikev2 redirect gateway init\n");
	if (v->redirect_auth)
		any = fprintf(f, "crypto ikev2 redirect gateway auth\n");
	if (any)
		fprintf(f, "!\n");
	if (cl->present) {
		fprintf(f, "crypto ikev2 cluster\n");
		for (int k = 0; k < cl->npeer; k++)
			fprintf(f, " peer %s\n", sa46_ntop(&cl->peer[k], a));
		if (cl->max_session)
			fprintf(f, " slave max-session %d\n", cl->max_session);
		if (cl->enabled)
			fprintf(f, " no shutdown\n");
		fprintf(f, "!\n");
	}
}

void rc_ikev2(FILE *f, const struct vpnd_conf *c)
{
	const struct conf_ikev2 *v = &c->v2;

	rc_proposals(f, v);
	rc_policies(f, v);
	rc_keyrings(f, v);
	rc_authors(f, v);
	rc_manglers(f, v);
	rc_profiles(f, v);
	rc_globals(f, v);
}
