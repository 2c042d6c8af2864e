/*
 * crypto ikev2 profile NAME, and the checks of profiles and keyring peers that need the whole
 * file.
 */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/alg.h"
#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* ---- crypto ikev2 profile NAME ---- */

static struct conf_ikev2_profile *cur_prof(struct conf_parser *p)
{
	return &p->conf->v2.profile[p->idx];
}

void cp_h_v2_profile(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a profile name", name) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < v->nprofile; k++)
		if (strcmp(v->profile[k].name, name) == 0)
			break;
	if (k == v->nprofile) {
		if (k == CONF_MAX_V2_PROFILES) {
			cp_error(p, "too many ikev2 profiles, expected at most %d", CONF_MAX_V2_PROFILES);
			return;
		}
		memset(&v->profile[k], 0, sizeof(v->profile[k]));
		memcpy(v->profile[k].name, name, sizeof(name));
		v->profile[k].lifetime = 86400;
		v->profile[k].line = p->line;
		v->nprofile++;
	}
	cp_open(p, CB_V2_PROFILE, k);
}

static struct conf_ikev2_match *new_match(struct conf_parser *p)
{
	struct conf_ikev2_profile *pr = cur_prof(p);

	if (pr->nmatch == CONF_V2_MATCH) {
		cp_error(p, "too many 'match identity remote' lines in profile '%s', expected at most "
		         "%d", pr->name, CONF_V2_MATCH);
		return NULL;
	}
	memset(&pr->match[pr->nmatch], 0, sizeof(pr->match[0]));
	return &pr->match[pr->nmatch];
}

static void m_address(struct conf_parser *p, int i)
{
	struct conf_ikev2_match *m = new_match(p);
	int j;

	if (m && cp_v2_selector(p, i, &j, &m->addr, &m->mask, &m->is6, &m->addr6, &m->plen6)) {
		m->type = V2_ID_ADDRESS;
		cur_prof(p)->nmatch++;
	}
}

/* fqdn|email [domain] NAME, key-id ID */
static void m_named(struct conf_parser *p, int i, int type)
{
	struct conf_ikev2_match *m = new_match(p);
	int domain = 0;

	if (!m)
		return;
	if (type != V2_ID_KEY_ID && i < p->argc && strcmp(p->argv[i], "domain") == 0) {
		domain = 1;
		i++;
	}
	if (!cp_v2_name(p, i, type == V2_ID_KEY_ID ? "a key id" : "a name", m->value) ||
	    !cp_end(p, i + 1))
		return;
	m->type = type;
	m->domain = domain;
	cur_prof(p)->nmatch++;
}

static void m_fqdn(struct conf_parser *p, int i) { m_named(p, i, V2_ID_FQDN); }
static void m_email(struct conf_parser *p, int i) { m_named(p, i, V2_ID_EMAIL); }
static void m_keyid(struct conf_parser *p, int i) { m_named(p, i, V2_ID_KEY_ID); }

static void m_any(struct conf_parser *p, int i)
{
	struct conf_ikev2_match *m;

	if (!cp_end(p, i) || !(m = new_match(p)))
		return;
	m->type = V2_ID_ANY;
	cur_prof(p)->nmatch++;
}

/* match certificate MAP: keymgr matches it against the peer's certificate */
static void m_cert(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "a certificate map name", cur_prof(p)->match_cert) &&
	    cp_end(p, i + 1))
		cp_ref(p, REF_CERTMAP, cur_prof(p)->match_cert);
}

static void m_fvrf(struct conf_parser *p, int i)
{
	if (cp_v2_fvrf(p, i))
		cur_prof(p)->match_fvrf_any = 1;
}

static void id_local(struct conf_parser *p, int i)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	cp_v2_identity(p, i, &pr->id_local_type, pr->id_local);
}

static void auth_local(struct conf_parser *p, int i)
{
	const struct alg_ike_auth *a;

	if (!cp_need(p, i, "pre-share, rsa-sig or ecdsa-sig"))
		return;
	if (!(a = alg_ike_auth_word(p->argv[i]))) {
		cp_error(p, "bad local authentication '%s', expected pre-share, rsa-sig or ecdsa-sig",
		         p->argv[i]);
		return;
	}
	if (cp_end(p, i + 1))
		cur_prof(p)->auth_local = a->id;
}

/* authentication remote pre-share|rsa-sig|ecdsa-sig|eap [query-identity] [timeout N] */
static void auth_remote(struct conf_parser *p, int i)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	const struct alg_ike_auth *a;
	long long t = 0;
	int q = 0, j = i + 1;

	if (!cp_need(p, i, "pre-share, rsa-sig, ecdsa-sig or eap"))
		return;
	if (strcmp(p->argv[i], "eap") == 0) {
		if (j < p->argc && strcmp(p->argv[j], "query-identity") == 0) {
			q = 1;
			j++;
		}
		if (j < p->argc && strcmp(p->argv[j], "timeout") == 0) {
			if (!cp_need(p, j + 1, "seconds from 45 to 180") ||
			    !cp_num(p, j + 1, "EAP timeout", 45, 180, &t))
				return;
			j += 2;
		}
		if (!cp_end(p, j))
			return;
		pr->remote_eap = 1;
		pr->eap_query_identity = q;
		pr->eap_timeout = (int)t;
		return;
	}
	if (!(a = alg_ike_auth_word(p->argv[i]))) {
		cp_error(p, "bad remote authentication '%s', expected pre-share, rsa-sig, ecdsa-sig or "
		         "eap", p->argv[i]);
		return;
	}
	if (!cp_end(p, j))
		return;
	if (a->id == IKE_AUTH_PSK)
		pr->remote_psk = 1;
	else if (a->id == IKE_AUTH_RSA_SIG)
		pr->remote_rsa = 1;
	else
		pr->remote_ecdsa = 1;
}

static void keyring_local(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "an ikev2 keyring name", cur_prof(p)->keyring) && cp_end(p, i + 1))
		cp_ref(p, REF_V2_KEYRING, cur_prof(p)->keyring);
}

static void keyring_aaa(struct conf_parser *p, int i)
{
	(void)i;
	cp_error(p, "'keyring aaa' is not supported, expected 'keyring local NAME' (a crypto ikev2 "
	         "keyring)");
}

/* pki trustpoint NAME [sign|verify] (several lines) */
static void pki_tp(struct conf_parser *p, int i)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	char name[CONF_NAME_MAX];
	int use = V2_TP_BOTH, k;

	if (!cp_v2_name(p, i, "a trust point name", name))
		return;
	if (i + 1 < p->argc) {
		if (strcmp(p->argv[i + 1], "sign") == 0)
			use = V2_TP_SIGN;
		else if (strcmp(p->argv[i + 1], "verify") == 0)
			use = V2_TP_VERIFY;
		else {
			cp_error(p, "bad trust point use '%s', expected sign, verify or end of line",
			         p->argv[i + 1]);
			return;
		}
	}
	if (!cp_end(p, i + 2))
		return;
	for (k = 0; k < pr->ntp; k++)
		if (strcmp(pr->tp[k].name, name) == 0)
			break;
	if (k == CONF_V2_TRUSTPOINTS) {
		cp_error(p, "too many trust points in profile '%s', expected at most %d", pr->name,
		         CONF_V2_TRUSTPOINTS);
		return;
	}
	memcpy(pr->tp[k].name, name, sizeof(name));
	pr->tp[k].use = use;
	cp_ref(p, REF_TRUSTPOINT, pr->tp[k].name);
	if (k == pr->ntp)
		pr->ntp++;
}

static void aaa_eap(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "an aaa authentication login list", cur_prof(p)->eap_list) &&
	    cp_end(p, i + 1))
		cp_ref(p, REF_AAA_LOGIN, cur_prof(p)->eap_list);
}

static int aaa_kind(struct conf_parser *p, int i)
{
	static const char *const words[V2_AAA_KINDS] = { "eap", "psk", "cert" };

	if (!cp_need(p, i, "eap, psk or cert"))
		return -1;
	for (int k = 0; k < V2_AAA_KINDS; k++)
		if (strcmp(p->argv[i], words[k]) == 0)
			return k;
	cp_error(p, "bad authentication kind '%s', expected eap, psk or cert", p->argv[i]);
	return -1;
}

/* aaa authorization group|user KIND list LIST [NAME | name-mangler M]; user KIND cached */
static void aaa_author(struct conf_parser *p, int i, int user)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	int k = aaa_kind(p, i), end = i + 4;
	char list[CONF_NAME_MAX], name[CONF_NAME_MAX], mangler[CONF_NAME_MAX];
	const char *expected = user ? "list LIST [NAME | name-mangler M] or cached" :
	                       "list LIST [NAME | name-mangler M]";

	if (k < 0)
		return;
	memset(name, 0, sizeof(name));
	memset(mangler, 0, sizeof(mangler));
	if (user && i + 1 < p->argc && strcmp(p->argv[i + 1], "cached") == 0) {
		if (!cp_end(p, i + 2))
			return;
		memset(pr->user_list[k], 0, CONF_NAME_MAX);
		memset(pr->user_name[k], 0, CONF_NAME_MAX);
		memset(pr->user_mangler[k], 0, CONF_NAME_MAX);
		pr->user_cached[k] = 1;
		return;
	}
	if (!cp_need(p, i + 1, expected))
		return;
	if (strcmp(p->argv[i + 1], "list") != 0) {
		cp_error(p, "unexpected '%s' in '%s', expected %s", p->argv[i + 1], p->cmd, expected);
		return;
	}
	if (!cp_v2_name(p, i + 2, "an aaa authorization network list", list))
		return;
	if (i + 3 < p->argc && strcmp(p->argv[i + 3], "name-mangler") == 0) {
		if (!cp_v2_name(p, i + 4, "a crypto ikev2 name-mangler name", mangler))
			return;
		end = i + 5;
	} else if (i + 3 < p->argc && !cp_v2_name(p, i + 3, "a user name", name))
		return;
	if (!cp_end(p, end))
		return;
	if (user) {
		memcpy(pr->user_list[k], list, sizeof(list));
		memcpy(pr->user_name[k], name, sizeof(name));
		memcpy(pr->user_mangler[k], mangler, sizeof(mangler));
		pr->user_cached[k] = 0;
		cp_ref(p, REF_AAA_NETWORK, pr->user_list[k]);
		if (mangler[0])
			cp_ref(p, REF_V2_MANGLER, pr->user_mangler[k]);
	} else {
		memcpy(pr->group_list[k], list, sizeof(list));
		memcpy(pr->group_name[k], name, sizeof(name));
		memcpy(pr->group_mangler[k], mangler, sizeof(mangler));
		cp_ref(p, REF_AAA_NETWORK, pr->group_list[k]);
		if (mangler[0])
			cp_ref(p, REF_V2_MANGLER, pr->group_mangler[k]);
	}
}

static void aaa_group(struct conf_parser *p, int i) { aaa_author(p, i, 0); }
static void aaa_user(struct conf_parser *p, int i) { aaa_author(p, i, 1); }

static void aaa_acct(struct conf_parser *p, int i)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	int k = aaa_kind(p, i);

	if (k >= 0 && cp_v2_name(p, i + 1, "an aaa accounting network list", pr->acct_list[k]) &&
	    cp_end(p, i + 2))
		cp_ref(p, REF_AAA_ACCT, pr->acct_list[k]);
}

static void vtemplate(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a template number from 1 to 9999") &&
	    cp_num(p, i, "virtual template number", 1, 9999, &n) && cp_end(p, i + 1)) {
		cur_prof(p)->virtual_template = (int)n;
		cp_ref(p, REF_TEMPLATE, &cur_prof(p)->virtual_template);
	}
}

/* dpd INTERVAL RETRY on-demand|periodic (IOS's ranges) */
static void dpd(struct conf_parser *p, int i)
{
	struct conf_ikev2_profile *pr = cur_prof(p);
	long long s, r;

	if (!cp_need(p, i, "INTERVAL RETRY on-demand|periodic") ||
	    !cp_num(p, i, "DPD interval", 10, 3600, &s) ||
	    !cp_need(p, i + 1, "a retry interval from 2 to 60") ||
	    !cp_num(p, i + 1, "DPD retry interval", 2, 60, &r) ||
	    !cp_need(p, i + 2, "on-demand or periodic") || !cp_end(p, i + 3))
		return;
	if (strcmp(p->argv[i + 2], "periodic") != 0 && strcmp(p->argv[i + 2], "on-demand") != 0) {
		cp_error(p, "bad DPD mode '%s', expected on-demand or periodic", p->argv[i + 2]);
		return;
	}
	pr->dpd_interval = (int)s;
	pr->dpd_retry = (int)r;
	pr->dpd_periodic = strcmp(p->argv[i + 2], "periodic") == 0;
}

static void lifetime(struct conf_parser *p, int i)
{
	long long s;

	if (cp_need(p, i, "seconds from 120 to 86400") &&
	    cp_num(p, i, "IKEv2 SA lifetime", 120, 86400, &s) && cp_end(p, i + 1))
		cur_prof(p)->lifetime = (uint32_t)s;
}

static const struct cp_kw match_remote[] = {
	FN("address", m_address),
	FN("fqdn", m_fqdn),
	FN("email", m_email),
	FN("key-id", m_keyid),
	FN("any", m_any),
	END
};
static const struct cp_kw match_identity[] = { SUB("remote", match_remote), END };
static const struct cp_kw match_cmds[] = {
	SUB("identity", match_identity),
	FN("certificate", m_cert),
	FN("fvrf", m_fvrf),
	END
};
static const struct cp_kw identity_cmds[] = { FN("local", id_local), END };
static const struct cp_kw auth_cmds[] = {
	FN("local", auth_local),
	FN("remote", auth_remote),
	END
};
static const struct cp_kw keyring_cmds[] = {
	FN("local", keyring_local),
	{ "aaa", NULL, keyring_aaa, KW_HIDDEN },
	END
};
static const struct cp_kw pki_cmds[] = { FN("trustpoint", pki_tp), END };
static const struct cp_kw aaa_authen[] = { FN("eap", aaa_eap), END };
static const struct cp_kw aaa_authz[] = { FN("group", aaa_group), FN("user", aaa_user), END };
static const struct cp_kw aaa_cmds[] = {
	SUB("authentication", aaa_authen),
	SUB("authorization", aaa_authz),
	FN("accounting", aaa_acct),
	END
};

const struct cp_kw cp_v2_profile_cmds[] = {
	SUB("match", match_cmds),
	SUB("identity", identity_cmds),
	SUB("authentication", auth_cmds),
	SUB("keyring", keyring_cmds),
	SUB("pki", pki_cmds),
	SUB("aaa", aaa_cmds),
	FN("virtual-template", vtemplate),
	FN("dpd", dpd),
	FN("lifetime", lifetime),
	{ "description", NULL, NULL, KW_QUIET },
	END
};

/* ---- checks once the file is read ---- */

static int list_is_local(const struct vpnd_conf *c, const char *list)
{
	const struct conf_aaa_list *l = conf_find_aaa(c, AAA_AUTHOR_NETWORK, list);

	for (int m = 0; l && m < l->nmethod; m++)
		if (l->method[m] == AAA_METHOD_LOCAL)
			return 1;
	return 0;
}

static void check_profile(struct conf_parser *p, const struct conf_ikev2_profile *pr)
{
	const struct vpnd_conf *c = p->conf;
	int psk = pr->auth_local == IKE_AUTH_PSK || pr->remote_psk;
	int sig = pr->auth_local == IKE_AUTH_RSA_SIG || pr->auth_local == IKE_AUTH_ECDSA_SIG ||
	          pr->remote_rsa || pr->remote_ecdsa;

	if (!pr->nmatch && !pr->match_cert[0])
		cp_error_at(p, pr->line, "ikev2 profile '%s' matches no peer, expected a 'match "
		            "identity remote ...' or 'match certificate MAP' line", pr->name);
	if (!pr->auth_local)
		cp_error_at(p, pr->line, "ikev2 profile '%s' has no local authentication, expected "
		            "'authentication local pre-share|rsa-sig|ecdsa-sig'", pr->name);
	if (!pr->remote_psk && !pr->remote_rsa && !pr->remote_ecdsa && !pr->remote_eap)
		cp_error_at(p, pr->line, "ikev2 profile '%s' has no remote authentication, expected "
		            "'authentication remote pre-share|rsa-sig|ecdsa-sig|eap'", pr->name);
	if (psk && !pr->keyring[0])
		cp_error_at(p, pr->line, "ikev2 profile '%s' uses pre-shared keys but has no keyring, "
		            "expected 'keyring local NAME'", pr->name);
	if (sig && !pr->ntp)
		cp_error_at(p, pr->line, "ikev2 profile '%s' uses signatures but has no trust point, "
		            "expected 'pki trustpoint NAME'", pr->name);
	if (pr->auth_local == IKE_AUTH_RSA_SIG || pr->auth_local == IKE_AUTH_ECDSA_SIG) {
		/* the trust point we sign with: the first not kept for verifying */
		const struct conf_trustpoint *tp = NULL;
		int rsa = pr->auth_local == IKE_AUTH_RSA_SIG, k = 0;
		while (k < pr->ntp && pr->tp[k].use == V2_TP_VERIFY)
			k++;
		if (k < pr->ntp)
			tp = conf_find_trustpoint(c, pr->tp[k].name);   /* undefined: said already */
		if (pr->ntp && k == pr->ntp)
			cp_error_at(p, pr->line, "ikev2 profile '%s' signs (authentication local %s) "
			            "but has no trust point to sign with, expected 'pki trustpoint NAME' "
			            "without 'verify'", pr->name, rsa ? "rsa-sig" : "ecdsa-sig");
		else if (tp && (!tp->key_len || !tp->cert_len))
			cp_error_at(p, pr->line, "ikev2 profile '%s' signs with trust point '%s', which "
			            "has no certificate and key of its own, expected 'certificate FILE' "
			            "and 'private-key FILE' under it", pr->name, tp->name);
		else if (tp && (tp->key_type == EVP_PKEY_RSA) != rsa)
			cp_error_at(p, pr->line, "ikev2 profile '%s': trust point '%s' holds %s key, "
			            "expected authentication local %s", pr->name, tp->name,
			            rsa ? "an EC" : "an RSA", rsa ? "ecdsa-sig" : "rsa-sig");
	}
	if (pr->remote_eap && !pr->eap_list[0])
		cp_error_at(p, pr->line, "ikev2 profile '%s' authenticates peers with EAP but names "
		            "no server list, expected 'aaa authentication eap LIST'", pr->name);
	/* with a local list, the NAME is the authorization policy whose attributes are given */
	for (int k = 0; k < V2_AAA_KINDS; k++)
		if (pr->group_name[k][0] && list_is_local(c, pr->group_list[k]) &&
		    !conf_find_v2_author(c, pr->group_name[k]))
			cp_error_at(p, pr->line, "ikev2 profile '%s': authorization policy '%s' is not "
			            "defined (list '%s' is local), expected a 'crypto ikev2 authorization "
			            "policy %s' block", pr->name, pr->group_name[k], pr->group_list[k],
			            pr->group_name[k]);
	/* a mangler without a rule for the identities this kind cuts from refuses them all */
	for (int k = 0; k < V2_AAA_KINDS; k++) {
		const char *names[2] = { pr->group_mangler[k], pr->user_mangler[k] };
		for (int u = 0; u < 2; u++) {
			const struct conf_ikev2_mangler *m = conf_find_v2_mangler(c, names[u]);
			if (!m)
				continue;       /* undefined: said already */
			if (k == V2_AAA_EAP ? !m->eap : !m->fqdn && !m->email && !m->dn)
				cp_warn_at(p, pr->line, "ikev2 profile '%s': name-mangler '%s' has no %s "
				           "rule, so every aaa authorization %s %s is refused", pr->name,
				           m->name, k == V2_AAA_EAP ? "eap" : "fqdn, email or dn",
				           u ? "user" : "group", k == V2_AAA_EAP ? "eap" :
				           k == V2_AAA_PSK ? "psk" : "cert");
		}
	}
	const struct conf_interface *t = conf_find_template(c, pr->virtual_template);
	if (pr->virtual_template && t && !t->protection[0])
		cp_error_at(p, t->line, "interface %s is used by ikev2 profile '%s' but has no "
		            "protection, expected 'tunnel protection ipsec profile NAME' under it",
		            t->name, pr->name);
}

void cp_ikev2_check_profiles(struct conf_parser *p)
{
	const struct conf_ikev2 *v = &p->conf->v2;

	for (int k = 0; k < v->nkeyring; k++)
		for (int j = 0; j < v->keyring[k].npeer; j++) {
			const struct conf_ikev2_peer *pe = &v->keyring[k].peer[j];
			if (!pe->has_addr && !pe->id_type && !pe->hostname[0])
				cp_error_at(p, pe->line, "peer '%s' in ikev2 keyring '%s' matches nothing, "
				            "expected an 'address', 'identity' or 'hostname' line",
				            pe->name, v->keyring[k].name);
			if (!pe->has_key_local && !pe->has_key_remote)
				cp_warn_at(p, pe->line, "peer '%s' in ikev2 keyring '%s' has no key, "
				           "expected a 'pre-shared-key' line", pe->name, v->keyring[k].name);
		}
	for (int k = 0; k < v->nmangler; k++) {
		const struct conf_ikev2_mangler *m = &v->mangler[k];
		if (!m->fqdn && !m->email && !m->dn && !m->eap)
			cp_warn_at(p, m->line, "ikev2 name-mangler '%s' has no rule, expected fqdn, "
			           "email, dn or eap lines", m->name);
	}
	for (int k = 0; k < v->nprofile; k++)
		check_profile(p, &v->profile[k]);
}
