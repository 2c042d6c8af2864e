/*
 * crypto isakmp: policies, keys, keepalives (DPD), NAT keepalives and profiles.
 *
 * Policy defaults are modern (AES-256, SHA-256, group 14, one day), not IOS's DES/SHA-1/group 1:
 * an old algorithm is only ever used because the file names it. One exception: a policy that
 * names a legacy cipher or DH group but no hash gets SHA-1 (IOS's default), because the clients
 * such a policy exists for (vpnc) have no SHA-2 in phase 1 and the IOS seed relies on it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alg.h"
#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

static struct conf_isakmp_policy *cur_policy(struct conf_parser *p)
{
	return &p->conf->policy[p->idx];
}

void cp_h_isakmp_policy(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	long long prio;
	int k;

	if (!cp_need(p, i, "a priority from 1 to 10000") ||
	    !cp_num(p, i, "policy priority", 1, 10000, &prio) || !cp_end(p, i + 1))
		return;
	/* IOS re-enters an existing policy rather than making a second one */
	for (k = 0; k < c->npolicy; k++)
		if (c->policy[k].priority == prio)
			break;
	if (k == c->npolicy) {
		if (k == CONF_MAX_POLICIES) {
			cp_error(p, "too many isakmp policies, expected at most %d", CONF_MAX_POLICIES);
			return;
		}
		struct conf_isakmp_policy *pol = &c->policy[k];
		memset(pol, 0, sizeof(*pol));
		pol->priority = (int)prio;
		pol->encr = IKE_ENCR_AES;
		pol->keylen = 256;
		pol->hash = IKE_HASH_SHA256;
		pol->auth = IKE_AUTH_PSK;
		pol->group = 14;
		pol->lifetime = 86400;
		pol->line = p->line;
		c->npolicy++;
	}
	cp_open(p, CB_POLICY, k);
}

static void h_encr(struct conf_parser *p, int i)
{
	struct conf_isakmp_policy *pol = cur_policy(p);
	const struct alg_ike_encr *e;
	int keylen = 0;

	if (!cp_need(p, i, "des, 3des or aes [128|192|256]"))
		return;
	if (!(e = alg_ike_encr_word(p->argv[i]))) {
		cp_error(p, "bad encryption '%s', expected des, 3des or aes [128|192|256]",
		         p->argv[i]);
		return;
	}
	if (e->bits[0]) {
		keylen = e->key_bits;
		if (i + 1 < p->argc && !(keylen = alg_bits_word(e->bits, p->argv[++i]))) {
			cp_error(p, "bad AES key length '%s', expected 128, 192 or 256", p->argv[i]);
			return;
		}
	}
	if (!cp_end(p, i + 1))
		return;
	pol->encr = e->id;
	if (e->legacy)
		cp_legacy(p, p->cmd);
	pol->keylen = keylen;
}

static void h_hash(struct conf_parser *p, int i)
{
	const char *exp = "md5, sha, sha256, sha384 or sha512";
	const struct alg_ike_hash *h;

	if (!cp_need(p, i, exp))
		return;
	if (!(h = alg_ike_hash_word(p->argv[i]))) {
		cp_error(p, "bad hash '%s', expected %s", p->argv[i], exp);
		return;
	}
	if (!cp_end(p, i + 1))
		return;
	cur_policy(p)->hash = h->id;
	p->policy_hash_set[p->idx] = 1;
	if (h->legacy)
		cp_legacy(p, p->cmd);
}

static void h_auth(struct conf_parser *p, int i)
{
	const struct alg_ike_auth *a;

	if (!cp_need(p, i, "pre-share, rsa-sig or ecdsa-sig"))
		return;
	if (!(a = alg_ike_auth_word(p->argv[i]))) {
		cp_error(p, "bad authentication '%s', expected pre-share, rsa-sig or ecdsa-sig",
		         p->argv[i]);
		return;
	}
	if (cp_end(p, i + 1))
		cur_policy(p)->auth = a->id;
}

static void h_group(struct conf_parser *p, int i)
{
	const char *exp = "1, 2, 5, 14, 15, 16, 19, 20 or 21";
	long long g = 0;

	if (!cp_need(p, i, exp))
		return;
	if (!cp_is_number(p->argv[i]) || strlen(p->argv[i]) > 2 ||
	    !alg_dh(g = atoi(p->argv[i]))) {
		cp_error(p, "bad DH group '%s', expected %s", p->argv[i], exp);
		return;
	}
	if (!cp_end(p, i + 1))
		return;
	cur_policy(p)->group = (int)g;
	if (alg_dh((int)g)->legacy)
		cp_legacy(p, p->cmd);
}

static void h_lifetime(struct conf_parser *p, int i)
{
	long long s;

	if (cp_need(p, i, "seconds from 60 to 86400") &&
	    cp_num(p, i, "lifetime", 60, 86400, &s) && cp_end(p, i + 1))
		cur_policy(p)->lifetime = (uint32_t)s;
}

const struct cp_kw cp_policy_cmds[] = {
	FN("encr", h_encr),
	{ "encryption", NULL, h_encr, KW_HIDDEN },  /* the long form IOS also accepts */
	FN("hash", h_hash),
	FN("authentication", h_auth),
	FN("group", h_group),
	FN("lifetime", h_lifetime),
	END
};

void cp_policy_finish(struct conf_parser *p)
{
	struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->npolicy; k++) {
		struct conf_isakmp_policy *pol = &c->policy[k];
		const struct alg_ike_encr *e = alg_ike_encr(pol->encr);
		const struct alg_dh *g = alg_dh(pol->group);
		if (!p->policy_hash_set[k] && ((e && e->legacy) || (g && g->legacy)))
			pol->hash = IKE_HASH_SHA1;
	}
	/* insertion sort: at most 32 entries, priorities unique */
	for (int k = 1; k < c->npolicy; k++) {
		struct conf_isakmp_policy t = c->policy[k];
		int j = k;
		while (j > 0 && c->policy[j - 1].priority > t.priority) {
			c->policy[j] = c->policy[j - 1];
			j--;
		}
		c->policy[j] = t;
	}
}

/* crypto isakmp key [0] KEY address A [MASK] | address ipv6 P/LEN */
void cp_h_isakmp_key(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_isakmp_key key;
	int j = i, k;

	memset(&key, 0, sizeof(key));
	key.line = p->line;
	if (!cp_need(p, j, "a key then address A [MASK]"))
		return;
	if (j + 1 < p->argc && strcmp(p->argv[j + 1], "address") != 0 &&
	    strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j])) {
		if (p->argv[j][0] != '0') {
			cp_error(p, "key of type %s: only clear-text keys (type 0) are supported, "
			         "expected 'crypto isakmp key [0] KEY address A'", p->argv[j]);
			return;
		}
		j++;
	}
	if (strcmp(p->argv[j], "address") == 0) {
		cp_error(p, "missing key in 'crypto isakmp key', expected 'crypto isakmp key KEY "
		         "address A [MASK]'");
		return;
	}
	if (!cp_secret(p, p->argv[j], "isakmp key", key.key, sizeof(key.key)))
		return;
	j++;
	if (!cp_need(p, j, "address A [MASK]"))
		goto out;
	if (strcmp(p->argv[j], "address") != 0) {
		cp_error(p, "bad peer selector '%s' in 'crypto isakmp key', expected address A [MASK] "
		         "or address ipv6 P/LEN",
		         p->argv[j]);
		goto out;
	}
	j++;
	key.mask.s_addr = 0xffffffff;
	if (!cp_need(p, j, "a peer address or ipv6 P/LEN"))
		goto out;
	if (strcmp(p->argv[j], "ipv6") == 0) {
		key.mask.s_addr = 0;
		if (!cp_need(p, j + 1, "an IPv6 peer P/LEN") ||
		    !cp_peer6(p, j + 1, &key.addr6, &key.plen6))
			goto out;
		key.is6 = 1;
		j += 2;
	} else {
		if (!cp_addr(p, j, "peer address", &key.addr))
			goto out;
		j++;
	}
	if (!key.is6 && j < p->argc && strcmp(p->argv[j], "no-xauth") != 0) {
		if (!cp_netmask(p, j, "peer mask", &key.mask))
			goto out;
		j++;
	}
	if (j < p->argc && strcmp(p->argv[j], "no-xauth") == 0) {
		cp_error(p, "'no-xauth' is not supported, expected end of line");
		goto out;
	}
	if (!cp_end(p, j))
		goto out;
	key.addr.s_addr &= key.mask.s_addr;
	for (k = 0; k < c->nisakmp_key; k++)
		if (CP_SAME_SEL(&c->isakmp_key[k], &key))
			break;
	if (k == CONF_MAX_ISAKMP_KEYS) {
		cp_error(p, "too many isakmp keys, expected at most %d", CONF_MAX_ISAKMP_KEYS);
		goto out;
	}
	explicit_bzero(&c->isakmp_key[k], sizeof(c->isakmp_key[k]));
	c->isakmp_key[k] = key;
	if (k == c->nisakmp_key)
		c->nisakmp_key++;
out:
	explicit_bzero(&key, sizeof(key));
}

/* crypto isakmp keepalive SECONDS [RETRY] [periodic|on-demand] */
void cp_h_isakmp_keepalive(struct conf_parser *p, int i)
{
	long long s, r = 2;
	int periodic = 0, j = i + 1;

	if (!cp_need(p, i, "seconds from 10 to 3600") ||
	    !cp_num(p, i, "keepalive interval", 10, 3600, &s))
		return;
	if (j < p->argc && cp_is_number(p->argv[j])) {
		if (!cp_num(p, j, "keepalive retry interval", 2, 60, &r))
			return;
		j++;
	}
	if (j < p->argc) {
		if (strcmp(p->argv[j], "periodic") == 0) {
			periodic = 1;
		} else if (strcmp(p->argv[j], "on-demand") != 0) {
			cp_error(p, "bad keepalive mode '%s', expected periodic or on-demand",
			         p->argv[j]);
			return;
		}
		j++;
	}
	if (!cp_end(p, j))
		return;
	p->conf->dpd_interval = (int)s;
	p->conf->dpd_retry = (int)r;
	p->conf->dpd_periodic = periodic;
}

void cp_h_isakmp_nat_keepalive(struct conf_parser *p, int i)
{
	long long s;

	if (cp_need(p, i, "seconds from 5 to 3600") &&
	    cp_num(p, i, "NAT keepalive interval", 5, 3600, &s) && cp_end(p, i + 1))
		p->conf->natt_keepalive = (int)s;
}

/* crypto isakmp xauth timeout SECONDS: how long a user has to answer XAUTH (IOS: 5..90) */
void cp_h_isakmp_xauth_timeout(struct conf_parser *p, int i)
{
	long long s;

	if (cp_need(p, i, "seconds from 5 to 90") &&
	    cp_num(p, i, "XAUTH timeout", 5, 90, &s) && cp_end(p, i + 1))
		p->conf->xauth_timeout = (int)s;
}

/* crypto isakmp profile NAME */
void cp_h_isakmp_profile(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a profile name") ||
	    !cp_name(p, i, "profile name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->nprofile; k++)
		if (strcmp(c->profile[k].name, name) == 0)
			break;
	if (k == c->nprofile) {
		if (k == CONF_MAX_PROFILES) {
			cp_error(p, "too many isakmp profiles, expected at most %d", CONF_MAX_PROFILES);
			return;
		}
		memset(&c->profile[k], 0, sizeof(c->profile[k]));
		memcpy(c->profile[k].name, name, sizeof(name));
		c->profile[k].line = p->line;
		c->nprofile++;
	}
	cp_open(p, CB_PROFILE, k);
}

static struct conf_isakmp_profile *cur_profile(struct conf_parser *p)
{
	return &p->conf->profile[p->idx];
}

static void h_match_group(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a group name") || !cp_name(p, i, "group name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	for (int k = 0; k < pr->nmatch_group; k++)
		if (strcmp(pr->match_group[k], name) == 0)
			return;
	if (pr->nmatch_group == CONF_MAX_PROFILE_MATCH) {
		cp_error(p, "too many 'match identity group' lines in profile '%s', expected at most %d",
		         pr->name, CONF_MAX_PROFILE_MATCH);
		return;
	}
	memcpy(pr->match_group[pr->nmatch_group], name, sizeof(name));
	cp_ref(p, REF_GROUP, pr->match_group[pr->nmatch_group]);
	pr->nmatch_group++;
}

/* match certificate MAP */
static void h_match_cert(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);

	if (!cp_need(p, i, "a certificate map name") ||
	    !cp_name(p, i, "certificate map name", pr->match_cert, sizeof(pr->match_cert)) ||
	    !cp_end(p, i + 1))
		return;
	cp_ref(p, REF_CERTMAP, pr->match_cert);
}

static void list_name(struct conf_parser *p, int i, char *dst, int kind)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a list name") || !cp_name(p, i, "list name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	memcpy(dst, name, sizeof(name));
	cp_ref(p, kind, dst);
}

static void h_client_auth_list(struct conf_parser *p, int i)
{
	list_name(p, i, cur_profile(p)->client_auth_list, REF_AAA_LOGIN);
}

static void h_isakmp_auth_list(struct conf_parser *p, int i)
{
	list_name(p, i, cur_profile(p)->isakmp_auth_list, REF_AAA_NETWORK);
}

static void h_acct_list(struct conf_parser *p, int i)
{
	list_name(p, i, cur_profile(p)->acct_list, REF_AAA_ACCT);
}

/* network-extension access-list NAME (vpnd extension) */
static void h_nem_acl(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "an access list name") ||
	    !cp_name(p, i, "access list", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(cur_profile(p)->nem_acl, name, sizeof(name));
	cp_ref(p, REF_ACL, cur_profile(p)->nem_acl);
}

/* crypto isakmp network-extension minimum-prefix N */
void cp_h_isakmp_nem_min(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a prefix length from 1 to 32") &&
	    cp_num(p, i, "minimum prefix length", 1, 32, &n) && cp_end(p, i + 1))
		p->conf->nem_min_prefix = (int)n;
}

static void h_config_address(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);

	if (!cp_need(p, i, "respond or initiate"))
		return;
	if (strcmp(p->argv[i], "respond") == 0) {
		if (cp_end(p, i + 1))
			pr->config_respond = 1;
	} else if (strcmp(p->argv[i], "initiate") == 0) {
		if (!cp_end(p, i + 1))
			return;
		pr->config_initiate = 1;
		/* pushing a SET first would help no client here: vpnc acknowledges one only in
		 * its NetScreen mode, and every client vpnd serves asks (pull) */
		cp_warn(p, "'client configuration address initiate': vpnd never pushes Mode Config "
		        "first, it answers the client's request (as 'respond')");
	} else {
		cp_error(p, "bad mode '%s', expected respond or initiate", p->argv[i]);
	}
}

/* client configuration group NAME: the group whose pool and attributes a main mode peer
 * (whose identity is an address, not a group) gets */
static void h_config_group(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a group name") || !cp_name(p, i, "group name", name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return;
	memcpy(pr->client_group, name, sizeof(name));
	cp_ref(p, REF_GROUP, pr->client_group);
}

static void h_virtual_template(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a template number from 1 to 9999") &&
	    cp_num(p, i, "virtual template number", 1, 9999, &n) && cp_end(p, i + 1)) {
		cur_profile(p)->virtual_template = (int)n;
		cp_ref(p, REF_TEMPLATE, &cur_profile(p)->virtual_template);
	}
}

/* keepalive SECONDS [retry RETRY] */
static void h_profile_keepalive(struct conf_parser *p, int i)
{
	long long s, r = 2;
	int j = i + 1;

	if (!cp_need(p, i, "seconds from 10 to 3600") ||
	    !cp_num(p, i, "keepalive interval", 10, 3600, &s))
		return;
	if (j < p->argc) {
		if (strcmp(p->argv[j], "retry") != 0) {
			cp_error(p, "unexpected '%s' in '%s', expected retry SECONDS", p->argv[j],
			         p->cmd);
			return;
		}
		if (!cp_need(p, j + 1, "retry seconds from 2 to 60") ||
		    !cp_num(p, j + 1, "keepalive retry interval", 2, 60, &r))
			return;
		j += 2;
	}
	if (!cp_end(p, j))
		return;
	cur_profile(p)->keepalive = (int)s;
	cur_profile(p)->keepalive_retry = (int)r;
}

static const struct cp_kw match_identity[] = {
	FN("group", h_match_group),
	FN("address", cp_h_match_address),
	END
};
static const struct cp_kw match_cmds[]     = {
	SUB("identity", match_identity),
	FN("certificate", h_match_cert),
	END
};
static const struct cp_kw client_authen[]  = { FN("list", h_client_auth_list), END };
static const struct cp_kw client_config[]  = {
	FN("address", h_config_address),
	FN("group", h_config_group),
	END
};
static const struct cp_kw client_cmds[] = {
	SUB("authentication", client_authen),
	SUB("configuration", client_config),
	END
};
static const struct cp_kw isakmp_author[] = { FN("list", h_isakmp_auth_list), END };
static const struct cp_kw isakmp_cmds[]   = { SUB("authorization", isakmp_author), END };
static const struct cp_kw ca_cmds[]       = { FN("trust-point", cp_h_profile_trustpoint), END };

static const struct cp_kw nem_cmds[]       = { FN("access-list", h_nem_acl), END };

const struct cp_kw cp_profile_cmds[] = {
	SUB("match", match_cmds),
	SUB("client", client_cmds),
	SUB("isakmp", isakmp_cmds),
	FN("accounting", h_acct_list),
	FN("virtual-template", h_virtual_template),
	FN("keepalive", h_profile_keepalive),
	FN("keyring", cp_h_profile_keyring),
	FN("local-address", cp_h_profile_local),
	FN("self-identity", cp_h_self_identity),
	SUB("ca", ca_cmds),
	SUB("network-extension", nem_cmds),
	END
};
