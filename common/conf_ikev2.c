/*
 * crypto ikev2: proposals and policies, IOS's defaults, the look-ups. Authorization policies,
 * the global lines and the cluster are in conf_ikev2_global.c, keyrings in conf_ikev2_keyring.c,
 * profiles in conf_ikev2_prof.c. IKEv2 is read and checked here but no process serves it yet; the engine
 * will read struct conf_ikev2.
 *
 * IOS has a proposal and a policy called "default" ("IKEv2 smart defaults") when none is
 * configured under that name; cp_ikev2_finish adds them, marked builtin, so the engine finds
 * them in the tables and show running-config leaves them out as IOS does.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/alg.h"
#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

int cp_v2_name(struct conf_parser *p, int i, const char *what, char *dst)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, what) || !cp_name(p, i, what, name, sizeof(name)))
		return 0;
	/* zeroed past the end: a re-entered block compares equal after a round trip */
	memset(dst, 0, CONF_NAME_MAX);
	memcpy(dst, name, strlen(name));
	return 1;
}

int cp_v2_find_or_add(struct conf_parser *p, void *tbl, size_t esz, int *n, int max,
                       const char *name, const char *what)
{
	int k;

	for (k = 0; k < *n; k++)
		if (strcmp((const char *)tbl + (size_t)k * esz, name) == 0)
			return k;
	if (k == max) {
		cp_error(p, "too many %s, expected at most %d", what, max);
		return -1;
	}
	memset((char *)tbl + (size_t)k * esz, 0, esz);
	memcpy((char *)tbl + (size_t)k * esz, name, strlen(name));
	(*n)++;
	return k;
}

/* ---- crypto ikev2 proposal NAME ---- */

static struct conf_ikev2_proposal *cur_prop(struct conf_parser *p)
{
	return &p->conf->v2.proposal[p->idx];
}

void cp_h_v2_proposal(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a proposal name", name) || !cp_end(p, i + 1))
		return;
	k = cp_v2_find_or_add(p, v->proposal, sizeof(v->proposal[0]), &v->nproposal,
	                CONF_MAX_V2_PROPOSALS, name, "ikev2 proposals");
	if (k < 0)
		return;
	if (!v->proposal[k].line)
		v->proposal[k].line = p->line;
	cp_open(p, CB_V2_PROPOSAL, k);
}

/* Adds each word's value to list (a repeated one once); 0 on an error (reported). */
static void v2_encr(struct conf_parser *p, int i)
{
	struct conf_ikev2_proposal *pr = cur_prop(p);
	const char *exp = "aes-cbc-128, aes-cbc-192, aes-cbc-256, aes-gcm-128, aes-gcm-256 or 3des";

	if (!cp_need(p, i, exp))
		return;
	for (int j = i; j < p->argc; j++)
		if (!alg_v2_encr_word(p->argv[j])) {
			cp_error(p, "bad encryption '%s', expected %s", p->argv[j], exp);
			return;
		}
	for (int j = i; j < p->argc; j++) {
		const struct alg_v2_encr *e = alg_v2_encr_word(p->argv[j]);
		int k;
		for (k = 0; k < pr->nencr; k++)
			if (pr->encr[k].id == e->v2_id && pr->encr[k].bits == e->bits)
				break;
		if (k < pr->nencr)
			continue;
		if (pr->nencr == CONF_V2_ALGS) {
			cp_error(p, "too many encryption algorithms in proposal '%s', expected at most %d",
			         pr->name, CONF_V2_ALGS);
			return;
		}
		pr->encr[pr->nencr].id = e->v2_id;
		pr->encr[pr->nencr].bits = e->bits;
		pr->nencr++;
		if (e->legacy)
			cp_legacy(p, e->word);
	}
}

static void v2_hash_list(struct conf_parser *p, int i, int integ)
{
	struct conf_ikev2_proposal *pr = cur_prop(p);
	const char *exp = "sha1, sha256, sha384, sha512 or md5";
	uint16_t *list = integ ? pr->integ : pr->prf;
	int *n = integ ? &pr->ninteg : &pr->nprf;

	if (!cp_need(p, i, exp))
		return;
	for (int j = i; j < p->argc; j++)
		if (!alg_v2_integ_word(p->argv[j])) {
			cp_error(p, "bad %s '%s', expected %s", integ ? "integrity" : "prf", p->argv[j],
			         exp);
			return;
		}
	if (!integ)
		pr->prf_set = 1;
	for (int j = i; j < p->argc; j++) {
		int legacy, id, k;
		if (integ) {
			id = alg_v2_integ_word(p->argv[j])->v2_id;
			legacy = alg_v2_integ_word(p->argv[j])->legacy;
		} else {
			id = alg_v2_prf_word(p->argv[j])->v2_id;
			legacy = alg_v2_prf_word(p->argv[j])->legacy;
		}
		for (k = 0; k < *n; k++)
			if (list[k] == id)
				break;
		if (k < *n)
			continue;
		if (*n == CONF_V2_ALGS) {
			cp_error(p, "too many %s algorithms in proposal '%s', expected at most %d",
			         integ ? "integrity" : "prf", pr->name, CONF_V2_ALGS);
			return;
		}
		list[(*n)++] = (uint16_t)id;
		if (legacy)
			cp_legacy(p, p->argv[j]);
	}
}

static void v2_integ(struct conf_parser *p, int i) { v2_hash_list(p, i, 1); }
static void v2_prf(struct conf_parser *p, int i) { v2_hash_list(p, i, 0); }

static void v2_group(struct conf_parser *p, int i)
{
	struct conf_ikev2_proposal *pr = cur_prop(p);
	const char *exp = "1, 2, 5, 14, 15, 16, 19, 20, 21 or 24";

	if (!cp_need(p, i, exp))
		return;
	for (int j = i; j < p->argc; j++)
		if (!cp_is_number(p->argv[j]) || strlen(p->argv[j]) > 2 ||
		    !alg_v2_dh(atoi(p->argv[j]))) {
			cp_error(p, "bad DH group '%s', expected %s", p->argv[j], exp);
			return;
		}
	for (int j = i; j < p->argc; j++) {
		int g = atoi(p->argv[j]), k;
		for (k = 0; k < pr->ngroup; k++)
			if (pr->group[k] == g)
				break;
		if (k < pr->ngroup)
			continue;
		if (pr->ngroup == CONF_V2_ALGS) {
			cp_error(p, "too many DH groups in proposal '%s', expected at most %d", pr->name,
			         CONF_V2_ALGS);
			return;
		}
		pr->group[pr->ngroup++] = (uint16_t)g;
		if (alg_v2_dh(g)->legacy) {
			char w[16];
			snprintf(w, sizeof(w), "group %d", g);
			cp_legacy(p, w);
		}
	}
}

const struct cp_kw cp_v2_proposal_cmds[] = {
	FN("encryption", v2_encr),
	FN("integrity", v2_integ),
	FN("prf", v2_prf),
	FN("group", v2_group),
	{ "description", NULL, NULL, KW_QUIET },
	END
};

/* ---- crypto ikev2 policy NAME ---- */

static struct conf_ikev2_policy *cur_pol(struct conf_parser *p)
{
	return &p->conf->v2.policy[p->idx];
}

void cp_h_v2_policy(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a policy name", name) || !cp_end(p, i + 1))
		return;
	k = cp_v2_find_or_add(p, v->policy, sizeof(v->policy[0]), &v->npolicy, CONF_MAX_V2_POLICIES,
	                name, "ikev2 policies");
	if (k < 0)
		return;
	if (!v->policy[k].line)
		v->policy[k].line = p->line;
	cp_open(p, CB_V2_POLICY, k);
}

static void pol_proposal(struct conf_parser *p, int i)
{
	struct conf_ikev2_policy *po = cur_pol(p);
	char name[CONF_NAME_MAX];

	if (!cp_v2_name(p, i, "a proposal name", name) || !cp_end(p, i + 1))
		return;
	for (int k = 0; k < po->nproposal; k++)
		if (strcmp(po->proposal[k], name) == 0)
			return;
	if (po->nproposal == CONF_V2_POLICY_PROPS) {
		cp_error(p, "too many proposals in policy '%s', expected at most %d", po->name,
		         CONF_V2_POLICY_PROPS);
		return;
	}
	memcpy(po->proposal[po->nproposal], name, sizeof(name));
	cp_ref(p, REF_V2_PROPOSAL, po->proposal[po->nproposal]);
	po->nproposal++;
}

static void pol_match_local(struct conf_parser *p, int i)
{
	struct conf_ikev2_policy *po = cur_pol(p);
	union sa46 a;

	if (!cp_need(p, i, "a local IPv4 or IPv6 address") || !cp_end(p, i + 1))
		return;
	if (sa46_pton(p->argv[i], &a) != 0) {
		cp_error(p, "bad local address '%s', expected an IPv4 or IPv6 address", p->argv[i]);
		return;
	}
	for (int k = 0; k < po->nlocal; k++)
		if (!memcmp(&po->local[k], &a, sizeof(a)))
			return;
	if (po->nlocal == CONF_V2_ALGS) {
		cp_error(p, "too many 'match address local' lines in policy '%s', expected at most %d",
		         po->name, CONF_V2_ALGS);
		return;
	}
	po->local[po->nlocal++] = a;
}

/* match fvrf any: vpnd has one routing table, so `any` is the only VRF there is */
int cp_v2_fvrf(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "any"))
		return 0;
	if (strcmp(p->argv[i], "any") != 0) {
		cp_error(p, "front-door VRF '%s' is not supported (vpnd has no VRFs), expected 'match "
		         "fvrf any'", p->argv[i]);
		return 0;
	}
	return cp_end(p, i + 1);
}

static void pol_match_fvrf(struct conf_parser *p, int i)
{
	if (cp_v2_fvrf(p, i))
		cur_pol(p)->fvrf_any = 1;
}

static const struct cp_kw pol_match_addr[] = { FN("local", pol_match_local), END };
static const struct cp_kw pol_match[] = {
	SUB("address", pol_match_addr),
	FN("fvrf", pol_match_fvrf),
	END
};

const struct cp_kw cp_v2_policy_cmds[] = {
	FN("proposal", pol_proposal),
	SUB("match", pol_match),
	{ "description", NULL, NULL, KW_QUIET },
	END
};

/* ---- after the file: IOS's defaults and the checks of each proposal and policy ---- */

/* The default proposal of IOS XE's smart defaults, without its DH group 5 (vpnd uses a legacy
 * algorithm only when the file names it): AES-CBC-256, SHA-512/SHA-384, groups 19, 14, 21. */
static void default_proposal(struct conf_ikev2_proposal *pr)
{
	memset(pr, 0, sizeof(*pr));
	memcpy(pr->name, CONF_V2_DEFAULT, sizeof(CONF_V2_DEFAULT));
	pr->encr[0].id = alg_v2_encr_word("aes-cbc-256")->v2_id;
	pr->encr[0].bits = 256;
	pr->nencr = 1;
	pr->integ[0] = alg_v2_integ_word("sha512")->v2_id;
	pr->integ[1] = alg_v2_integ_word("sha384")->v2_id;
	pr->ninteg = 2;
	pr->prf[0] = alg_v2_prf_word("sha512")->v2_id;
	pr->prf[1] = alg_v2_prf_word("sha384")->v2_id;
	pr->nprf = 2;
	pr->group[0] = 19;
	pr->group[1] = 14;
	pr->group[2] = 21;
	pr->ngroup = 3;
	pr->builtin = 1;
}

/* The prf of an integrity algorithm: the same hash (IOS derives it so) */
static uint16_t prf_of(uint16_t integ)
{
	const struct alg_v2_integ *in = alg_v2_integ(integ);
	const struct alg_v2_prf *pf = in ? alg_v2_prf_word(in->word) : NULL;
	return pf ? pf->v2_id : 0;
}

static void check_proposal(struct conf_parser *p, struct conf_ikev2_proposal *pr)
{
	int gcm = 0, cbc = 0;

	for (int k = 0; k < pr->nencr; k++) {
		const struct alg_v2_encr *e = alg_v2_encr(pr->encr[k].id, pr->encr[k].bits);
		if (e && e->aead)
			gcm = 1;
		else
			cbc = 1;
	}
	pr->aead = gcm;
	if (!pr->nencr)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' has no encryption, expected an "
		            "'encryption ...' line", pr->name);
	if (gcm && cbc)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' mixes GCM and CBC ciphers, expected "
		            "them in two proposals (an AEAD proposal has no integrity)", pr->name);
	if (gcm && pr->ninteg)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' has a GCM cipher and integrity, "
		            "expected no 'integrity' line (GCM authenticates itself)", pr->name);
	if (gcm && !pr->nprf)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' has a GCM cipher but no prf, expected "
		            "a 'prf ...' line", pr->name);
	if (cbc && !pr->ninteg)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' has no integrity, expected an "
		            "'integrity ...' line", pr->name);
	if (!pr->ngroup)
		cp_error_at(p, pr->line, "ikev2 proposal '%s' has no DH group, expected a 'group ...' "
		            "line", pr->name);
	if (!pr->prf_set && !gcm) {
		pr->nprf = 0;
		for (int k = 0; k < pr->ninteg; k++)
			pr->prf[pr->nprf++] = prf_of(pr->integ[k]);
	}
}

void cp_ikev2_finish(struct conf_parser *p)
{
	struct conf_ikev2 *v = &p->conf->v2;

	for (int k = 0; k < v->nproposal; k++)
		check_proposal(p, &v->proposal[k]);
	if (!conf_find_v2_proposal(p->conf, CONF_V2_DEFAULT) &&
	    v->nproposal < CONF_MAX_V2_PROPOSALS)
		default_proposal(&v->proposal[v->nproposal++]);
	/* IOS's default policy: every local address, the default proposal; used when no policy
	 * is configured */
	if (!v->npolicy) {
		struct conf_ikev2_policy *po = &v->policy[v->npolicy++];
		memset(po, 0, sizeof(*po));
		memcpy(po->name, CONF_V2_DEFAULT, sizeof(CONF_V2_DEFAULT));
		memcpy(po->proposal[0], CONF_V2_DEFAULT, sizeof(CONF_V2_DEFAULT));
		po->nproposal = 1;
		po->fvrf_any = 1;
		po->builtin = 1;
	}
	for (int k = 0; k < v->npolicy; k++)
		if (!v->policy[k].nproposal)
			cp_error_at(p, v->policy[k].line, "ikev2 policy '%s' has no proposal, expected "
			            "a 'proposal NAME' line", v->policy[k].name);
	if (!conf_find_v2_author(p->conf, CONF_V2_DEFAULT) && v->nauthor < CONF_MAX_V2_AUTHOR) {
		struct conf_ikev2_author *a = &v->author[v->nauthor++];
		memset(a, 0, sizeof(*a));
		memcpy(a->name, CONF_V2_DEFAULT, sizeof(CONF_V2_DEFAULT));
		a->builtin = 1;
	}
	if ((v->redirect_init || v->redirect_auth) && !v->cluster.npeer)
		cp_error_at(p, p->v2_redirect_line, "'crypto ikev2 redirect gateway' has no gateway to "
		            "send clients to, expected a 'crypto ikev2 cluster' block with 'peer A' "
		            "lines");
	if (v->cluster.present && !v->cluster.npeer)
		cp_error_at(p, v->cluster.line, "'crypto ikev2 cluster' names no gateway, expected "
		            "'peer A' lines");
	cp_ikev2_check_profiles(p);
}

/* ---- look-ups ---- */

#define FIND_NAME(arr, n, name) \
	for (int k = 0; name && k < (n); k++) \
		if (strcmp((arr)[k].name, name) == 0) \
			return &(arr)[k]; \
	return NULL

const struct conf_ikev2_proposal *conf_find_v2_proposal(const struct vpnd_conf *c,
                                                        const char *name)
{
	FIND_NAME(c->v2.proposal, c->v2.nproposal, name);
}

const struct conf_ikev2_keyring *conf_find_v2_keyring(const struct vpnd_conf *c,
                                                      const char *name)
{
	FIND_NAME(c->v2.keyring, c->v2.nkeyring, name);
}

const struct conf_ikev2_profile *conf_find_v2_profile(const struct vpnd_conf *c,
                                                      const char *name)
{
	FIND_NAME(c->v2.profile, c->v2.nprofile, name);
}

const struct conf_ikev2_author *conf_find_v2_author(const struct vpnd_conf *c, const char *name)
{
	FIND_NAME(c->v2.author, c->v2.nauthor, name);
}

const struct conf_ikev2_mangler *conf_find_v2_mangler(const struct vpnd_conf *c,
                                                      const char *name)
{
	FIND_NAME(c->v2.mangler, c->v2.nmangler, name);
}
