/*
 * crypto ikev2 authorization policy NAME, crypto ikev2 name-mangler NAME (the rules; the
 * cutting itself is common/conf_ikev2_mangle.c's), the global crypto ikev2 lines (cookie-challenge,
 * limit, fragmentation, redirect) and crypto ikev2 cluster: IOS's cluster elects a master over
 * HSRP, which vpnd does not have, so vpnd's lists the gateways a busy one redirects to.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* ---- crypto ikev2 authorization policy NAME ---- */

static struct conf_ikev2_author *cur_author(struct conf_parser *p)
{
	return &p->conf->v2.author[p->idx];
}

void cp_h_v2_author(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "an authorization policy name", name) || !cp_end(p, i + 1))
		return;
	k = cp_v2_find_or_add(p, v->author, sizeof(v->author[0]), &v->nauthor, CONF_MAX_V2_AUTHOR, name,
	                "ikev2 authorization policies");
	if (k < 0)
		return;
	if (!v->author[k].line)
		v->author[k].line = p->line;
	cp_open(p, CB_V2_AUTHOR, k);
}

static void au_pool(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "an ip local pool name", cur_author(p)->pool) && cp_end(p, i + 1))
		cp_ref(p, REF_POOL, cur_author(p)->pool);
}

static void au_pool6(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "an ipv6 local pool name", cur_author(p)->pool6) && cp_end(p, i + 1))
		cp_ref(p, REF_POOL6, cur_author(p)->pool6);
}

static void au_dns(struct conf_parser *p, int i)
{
	struct conf_ikev2_author *a = cur_author(p);
	struct in_addr d[CONF_MAX_DNS];
	int n = 0;

	if (!cp_need(p, i, "one or two DNS server addresses"))
		return;
	for (; i < p->argc; i++, n++) {
		if (n == CONF_MAX_DNS) {
			cp_error(p, "too many DNS servers, expected at most %d", CONF_MAX_DNS);
			return;
		}
		if (!cp_addr(p, i, "DNS server", &d[n]))
			return;
	}
	memset(a->dns, 0, sizeof(a->dns));
	memcpy(a->dns, d, (size_t)n * sizeof(d[0]));
	a->ndns = n;
}

static void au_dns6(struct conf_parser *p, int i)
{
	struct conf_ikev2_author *a = cur_author(p);
	struct in6_addr d[CONF_MAX_DNS];
	int n = 0;

	if (!cp_need(p, i, "one or two IPv6 DNS server addresses"))
		return;
	for (; i < p->argc; i++, n++) {
		if (n == CONF_MAX_DNS) {
			cp_error(p, "too many IPv6 DNS servers, expected at most %d", CONF_MAX_DNS);
			return;
		}
		if (inet_pton(AF_INET6, p->argv[i], &d[n]) != 1) {
			cp_error(p, "bad IPv6 DNS server '%s', expected an IPv6 address", p->argv[i]);
			return;
		}
	}
	memset(a->dns6, 0, sizeof(a->dns6));
	memcpy(a->dns6, d, (size_t)n * sizeof(d[0]));
	a->ndns6 = n;
}

static void au_netmask(struct conf_parser *p, int i)
{
	struct in_addr m;

	if (cp_need(p, i, "a netmask") && cp_netmask(p, i, "netmask", &m) && cp_end(p, i + 1))
		cur_author(p)->netmask = m;
}

static void au_route_acl(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "a standard access list name", cur_author(p)->route_acl) &&
	    cp_end(p, i + 1))
		cp_ref(p, REF_V2_ROUTE_ACL, cur_author(p)->route_acl);
}

/* ipv6 subnet-acl NAME: the IPv6 networks of INTERNAL_IP6_SUBNET (the IPv6 twin of route
 * set access-list) */
static void au_subnet6(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "an ipv6 access list name", cur_author(p)->subnet_acl6) &&
	    cp_end(p, i + 1))
		cp_ref(p, REF_V2_SUBNET_ACL6, cur_author(p)->subnet_acl6);
}

static void au_banner(struct conf_parser *p, int i)
{
	struct conf_ikev2_author *a = cur_author(p);

	if (!cp_need(p, i, "the banner text"))
		return;
	memset(a->banner, 0, sizeof(a->banner));
	cp_copy_text(p, cp_rest(p, i), "banner", a->banner, sizeof(a->banner));
}

static void au_domain(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "a domain name", cur_author(p)->def_domain))
		cp_end(p, i + 1);
}

static const struct cp_kw au_route_set[] = { FN("access-list", au_route_acl), END };
static const struct cp_kw au_route[] = { SUB("set", au_route_set), END };
static const struct cp_kw au_ipv6[] = { FN("pool", au_pool6), FN("dns", au_dns6),
                                        FN("subnet-acl", au_subnet6), END };

const struct cp_kw cp_v2_author_cmds[] = {
	FN("pool", au_pool),
	FN("dns", au_dns),
	SUB("ipv6", au_ipv6),
	FN("netmask", au_netmask),
	SUB("route", au_route),
	FN("banner", au_banner),
	FN("def-domain", au_domain),
	END
};

/* ---- crypto ikev2 name-mangler NAME ---- */

static struct conf_ikev2_mangler *cur_mangler(struct conf_parser *p)
{
	return &p->conf->v2.mangler[p->idx];
}

void cp_h_v2_mangler(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a name-mangler name", name) || !cp_end(p, i + 1))
		return;
	k = cp_v2_find_or_add(p, v->mangler, sizeof(v->mangler[0]), &v->nmangler,
	                      CONF_MAX_V2_MANGLERS, name, "ikev2 name-manglers");
	if (k < 0)
		return;
	if (!v->mangler[k].line)
		v->mangler[k].line = p->line;
	cp_open(p, CB_V2_MANGLER, k);
}

/* one word of words[] (NULL entries skipped) at i, the rest of the line empty; its index or
 * -1 (reported) */
static int mg_word(struct conf_parser *p, int i, const char *const *words, int n,
                   const char *expected)
{
	if (!cp_need(p, i, expected))
		return -1;
	for (int k = 0; k < n; k++)
		if (words[k] && strcmp(p->argv[i], words[k]) == 0)
			return cp_end(p, i + 1) ? k : -1;
	cp_error(p, "unexpected '%s' in '%s', expected %s", p->argv[i], p->cmd, expected);
	return -1;
}

#define DN_EXPECTED "common-name, country, domain, locality, organization, " \
                    "organization-unit or state"

static int mg_dn_field(struct conf_parser *p, int i)
{
	const char *words[V2_DN_FIELDS];

	for (int k = 0; k < V2_DN_FIELDS; k++)
		words[k] = conf_v2_dn_word(k);
	return mg_word(p, i, words, V2_DN_FIELDS, DN_EXPECTED);
}

/* fqdn all | domain | hostname */
static void mg_fqdn(struct conf_parser *p, int i)
{
	static const char *const w[] = { [V2_MG_ALL] = "all", [V2_MG_DOMAIN] = "domain",
	                                 [V2_MG_HOST] = "hostname" };
	int k = mg_word(p, i, w, 4, "all, domain or hostname");

	if (k > 0)
		cur_mangler(p)->fqdn = k;
}

/* email all | domain | username */
static void mg_email(struct conf_parser *p, int i)
{
	static const char *const w[] = { [V2_MG_ALL] = "all", [V2_MG_DOMAIN] = "domain",
	                                 [V2_MG_HOST] = "username" };
	int k = mg_word(p, i, w, 4, "all, domain or username");

	if (k > 0)
		cur_mangler(p)->email = k;
}

static void mg_dn(struct conf_parser *p, int i)
{
	int k = mg_dn_field(p, i);

	if (k > 0)
		cur_mangler(p)->dn = k;
}

static void mg_eap_all(struct conf_parser *p, int i)
{
	if (cp_end(p, i)) {
		cur_mangler(p)->eap = V2_MG_ALL;
		cur_mangler(p)->eap_delim = 0;
		cur_mangler(p)->eap_dn = 0;
	}
}

static void mg_eap_dn(struct conf_parser *p, int i)
{
	int k = mg_dn_field(p, i);

	if (k > 0) {
		cur_mangler(p)->eap = V2_MG_DN;
		cur_mangler(p)->eap_dn = k;
		cur_mangler(p)->eap_delim = 0;
	}
}

/* prefix|suffix delimiter C: IOS's delimiters */
static void mg_eap_cut(struct conf_parser *p, int i, int part)
{
	static const char delims[] = ".\\/@%";

	if (!cp_need(p, i, "delimiter . | \\ | / | @ | %"))
		return;
	if (strcmp(p->argv[i], "delimiter") != 0) {
		cp_error(p, "unexpected '%s' in '%s', expected delimiter . | \\ | / | @ | %%",
		         p->argv[i], p->cmd);
		return;
	}
	if (!cp_need(p, i + 1, "a delimiter: . \\ / @ or %"))
		return;
	if (strlen(p->argv[i + 1]) != 1 || !strchr(delims, p->argv[i + 1][0])) {
		cp_error(p, "bad delimiter '%s', expected one of . \\ / @ %%", p->argv[i + 1]);
		return;
	}
	if (!cp_end(p, i + 2))
		return;
	cur_mangler(p)->eap = part;
	cur_mangler(p)->eap_delim = p->argv[i + 1][0];
	cur_mangler(p)->eap_dn = 0;
}

static void mg_eap_prefix(struct conf_parser *p, int i) { mg_eap_cut(p, i, V2_MG_PREFIX); }
static void mg_eap_suffix(struct conf_parser *p, int i) { mg_eap_cut(p, i, V2_MG_SUFFIX); }

static const struct cp_kw mg_eap[] = {
	FN("all", mg_eap_all),
	FN("dn", mg_eap_dn),
	FN("prefix", mg_eap_prefix),
	FN("suffix", mg_eap_suffix),
	END
};

const struct cp_kw cp_v2_mangler_cmds[] = {
	FN("fqdn", mg_fqdn),
	FN("email", mg_email),
	FN("dn", mg_dn),
	SUB("eap", mg_eap),
	END
};

/* ---- globals ---- */

void cp_h_v2_cookie(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a number of half-open SAs from 1 to 1000") &&
	    cp_num(p, i, "cookie-challenge threshold", 1, 1000, &n) && cp_end(p, i + 1))
		p->conf->v2.cookie_challenge = (int)n;
}

/* limit max-in-negotiation-sa N [incoming|outgoing]: without a direction, both */
void cp_h_v2_limit_neg(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	long long n;
	int in = 1, out = 1;

	if (!cp_need(p, i, "a number of SAs from 1 to 99999") ||
	    !cp_num(p, i, "in-negotiation SA limit", 1, 99999, &n))
		return;
	if (i + 1 < p->argc) {
		if (strcmp(p->argv[i + 1], "incoming") == 0)
			out = 0;
		else if (strcmp(p->argv[i + 1], "outgoing") == 0)
			in = 0;
		else {
			cp_error(p, "bad direction '%s', expected incoming or outgoing", p->argv[i + 1]);
			return;
		}
	}
	if (!cp_end(p, i + 2))
		return;
	if (in)
		v->max_in_neg_in = (int)n;
	if (out)
		v->max_in_neg_out = (int)n;
}

void cp_h_v2_limit_sa(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a number of SAs from 1 to 99999") &&
	    cp_num(p, i, "IKEv2 SA limit", 1, 99999, &n) && cp_end(p, i + 1))
		p->conf->v2.max_sa = (int)n;
}

/* fragmentation [mtu N]: IOS's range and its default of 576 */
void cp_h_v2_fragmentation(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	long long n = 0;

	if (i < p->argc) {
		if (strcmp(p->argv[i], "mtu") != 0) {
			cp_error(p, "unexpected '%s' in '%s', expected mtu N or end of line", p->argv[i],
			         p->cmd);
			return;
		}
		if (!cp_need(p, i + 1, "an MTU from 68 to 1500") ||
		    !cp_num(p, i + 1, "fragmentation MTU", 68, 1500, &n) || !cp_end(p, i + 2))
			return;
	}
	v->fragmentation = 1;
	v->frag_mtu = n == 576 ? 0 : (int)n;
}

void cp_h_v2_redirect_gw(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;

	if (!cp_need(p, i, "init or auth") || !cp_end(p, i + 1))
		return;
	p->v2_redirect_line = p->line;
	if (strcmp(p->argv[i], "init") == 0)
		v->redirect_init = 1;
	else if (strcmp(p->argv[i], "auth") == 0)
		v->redirect_auth = 1;
	else
		cp_error(p, "bad redirect point '%s', expected init (IKE_SA_INIT) or auth (IKE_AUTH)",
		         p->argv[i]);
}

/* ---- crypto ikev2 cluster ---- */

void cp_h_v2_cluster(struct conf_parser *p, int i)
{
	struct conf_ikev2_cluster *cl = &p->conf->v2.cluster;

	if (!cp_end(p, i))
		return;
	if (!cl->present) {
		cl->present = 1;
		cl->line = p->line;
	}
	cp_open(p, CB_V2_CLUSTER, 0);
}

static void cl_peer(struct conf_parser *p, int i)
{
	struct conf_ikev2_cluster *cl = &p->conf->v2.cluster;
	union sa46 a;

	if (!cp_need(p, i, "a gateway's IPv4 or IPv6 address") || !cp_end(p, i + 1))
		return;
	if (sa46_pton(p->argv[i], &a) != 0) {
		cp_error(p, "bad cluster peer '%s', expected an IPv4 or IPv6 address", p->argv[i]);
		return;
	}
	for (int k = 0; k < cl->npeer; k++)
		if (!memcmp(&cl->peer[k], &a, sizeof(a)))
			return;
	if (cl->npeer == CONF_V2_CLUSTER_PEERS) {
		cp_error(p, "too many cluster peers, expected at most %d", CONF_V2_CLUSTER_PEERS);
		return;
	}
	cl->peer[cl->npeer++] = a;
}

static void cl_max_session(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "a number of sessions from 1 to 99999") &&
	    cp_num(p, i, "max-session", 1, 99999, &n) && cp_end(p, i + 1))
		p->conf->v2.cluster.max_session = (int)n;
}

static void cl_shutdown(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->v2.cluster.enabled = 0;
}

static void cl_no_shutdown(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->v2.cluster.enabled = 1;
}

/* IOS elects a master over HSRP; vpnd has none, so the peers are listed instead */
static void cl_standby(struct conf_parser *p, int i)
{
	(void)i;
	cp_error(p, "'standby-group' is not supported (vpnd has no HSRP), expected 'peer A' lines "
	         "naming the gateways to redirect to");
}

static const struct cp_kw cl_slave[] = { FN("max-session", cl_max_session), END };
static const struct cp_kw cl_no[] = { FN("shutdown", cl_no_shutdown), END };

const struct cp_kw cp_v2_cluster_cmds[] = {
	FN("peer", cl_peer),
	SUB("slave", cl_slave),
	FN("shutdown", cl_shutdown),
	SUB("no", cl_no),
	{ "standby-group", NULL, cl_standby, KW_HIDDEN },
	END
};
