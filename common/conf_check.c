/*
 * Checks that need the whole file: every name a command uses must be defined somewhere (before
 * or after it). Each error carries the line of the command that uses the name.
 */
#include <string.h>

#include "common/conf_parse.h"

/* A group matched by a profile whose authorization list asks RADIUS may live there only. */
static int group_via_radius(const struct vpnd_conf *c, const char *group)
{
	return conf_profile_group_via_radius(c, conf_find_profile_for_group(c, group));
}

static void check_ref(struct conf_parser *p, const struct cp_ref *r)
{
	const struct vpnd_conf *c = p->conf;
	const char *name = r->field;

	if (r->kind == REF_TEMPLATE) {
		int num = *(const int *)r->field;
		if (num && !conf_find_template(c, num))
			cp_error_at(p, r->line, "virtual-template %d is not defined, expected an "
			            "'interface Virtual-Template%d type tunnel' block", num, num);
		return;
	}
	if (!name[0])
		return;     /* replaced or cleared since */
	switch (r->kind) {
	case REF_POOL:
		if (!conf_find_pool(c, name))
			cp_error_at(p, r->line, "pool '%s' is not defined, expected an 'ip local pool "
			            "%s FIRST LAST' line", name, name);
		break;
	case REF_POOL6:
		if (!conf_find_pool6(c, name))
			cp_error_at(p, r->line, "ipv6 pool '%s' is not defined, expected an 'ipv6 "
			            "local pool %s PREFIX/LEN 128' line", name, name);
		break;
	case REF_ACL:
		if (!conf_find_acl(c, name))
			cp_error_at(p, r->line, "access list '%s' is not defined, expected an 'ip "
			            "access-list extended %s' block or 'access-list %s' lines", name,
			            name, name);
		break;
	case REF_ACL6:
		if (!conf_find_acl6(c, name))
			cp_error_at(p, r->line, "ipv6 access list '%s' is not defined, expected an "
			            "'ipv6 access-list %s' block", name, name);
		break;
	case REF_GROUP:
		if (!conf_find_group(c, name) && !group_via_radius(c, name))
			cp_error_at(p, r->line, "group '%s' is not defined, expected a 'crypto isakmp "
			            "client configuration group %s' block", name, name);
		break;
	case REF_TSET:
		if (!conf_find_tset(c, name))
			cp_error_at(p, r->line, "transform set '%s' is not defined, expected a 'crypto "
			            "ipsec transform-set %s ...' line", name, name);
		break;
	case REF_IPSEC_PROF:
		if (!conf_find_ipsec_profile(c, name))
			cp_error_at(p, r->line, "ipsec profile '%s' is not defined, expected a 'crypto "
			            "ipsec profile %s' block", name, name);
		break;
	case REF_ISAKMP_PROF: {
		int found = 0;
		for (int k = 0; k < c->nprofile; k++)
			found |= strcmp(c->profile[k].name, name) == 0;
		if (!found)
			cp_error_at(p, r->line, "isakmp profile '%s' is not defined, expected a 'crypto "
			            "isakmp profile %s' block", name, name);
		break;
	}
	case REF_AAA_LOGIN:
		if (!conf_find_aaa(c, AAA_AUTHEN_LOGIN, name))
			cp_error_at(p, r->line, "authentication list '%s' is not defined, expected an "
			            "'aaa authentication login %s local' line", name, name);
		break;
	case REF_AAA_NETWORK:
		if (!conf_find_aaa(c, AAA_AUTHOR_NETWORK, name))
			cp_error_at(p, r->line, "authorization list '%s' is not defined, expected an "
			            "'aaa authorization network %s local' line", name, name);
		break;
	case REF_AAA_ACCT:
		if (!conf_find_aaa(c, AAA_ACCT_NETWORK, name))
			cp_error_at(p, r->line, "accounting list '%s' is not defined, expected an "
			            "'aaa accounting network %s start-stop group NAME' line", name, name);
		break;
	case REF_KEYRING:
		if (!conf_find_keyring(c, name))
			cp_error_at(p, r->line, "keyring '%s' is not defined, expected a 'crypto keyring "
			            "%s' block", name, name);
		break;
	case REF_TRUSTPOINT:
		if (!conf_find_trustpoint(c, name))
			cp_error_at(p, r->line, "trust point '%s' is not defined, expected a 'crypto pki "
			            "trustpoint %s' block", name, name);
		break;
	case REF_EZVPN:
		if (!conf_find_ezvpn(c, name))
			cp_error_at(p, r->line, "ezvpn '%s' is not defined, expected a 'crypto ipsec "
			            "client ezvpn %s' block", name, name);
		break;
	case REF_CMAP:
		if (!conf_find_cmap(c, name, 0))
			cp_error_at(p, r->line, "crypto map '%s' is not defined, expected a 'crypto map "
			            "%s SEQ ipsec-manual' block", name, name);
		break;
	case REF_IFACE:
		if (!conf_find_iface(c, name))
			cp_error_at(p, r->line, "interface %s is not defined, expected an 'interface %s' "
			            "block with its address", name, name);
		break;
	case REF_V2_PROPOSAL:
		if (!conf_find_v2_proposal(c, name))
			cp_error_at(p, r->line, "ikev2 proposal '%s' is not defined, expected a 'crypto "
			            "ikev2 proposal %s' block", name, name);
		break;
	case REF_V2_KEYRING:
		if (!conf_find_v2_keyring(c, name))
			cp_error_at(p, r->line, "ikev2 keyring '%s' is not defined, expected a 'crypto "
			            "ikev2 keyring %s' block", name, name);
		break;
	case REF_V2_MANGLER:
		if (!conf_find_v2_mangler(c, name))
			cp_error_at(p, r->line, "ikev2 name-mangler '%s' is not defined, expected a "
			            "'crypto ikev2 name-mangler %s' block", name, name);
		break;
	case REF_V2_PROFILE:
		if (!conf_find_v2_profile(c, name))
			cp_error_at(p, r->line, "ikev2 profile '%s' is not defined, expected a 'crypto "
			            "ikev2 profile %s' block", name, name);
		break;
	case REF_V2_ROUTE_ACL: {
		const struct conf_acl *a = conf_find_acl(c, name);
		if (!a)
			cp_error_at(p, r->line, "access list '%s' is not defined, expected an 'ip "
			            "access-list standard %s' block", name, name);
		else if (a->extended)
			cp_error_at(p, r->line, "access list '%s' is extended, expected a standard one "
			            "(route set access-list pushes its permitted networks)", name);
		break;
	}
	case REF_V2_SUBNET_ACL6: {
		/* its permit lines name networks: a source prefix toward any, as a standard
		 * IPv4 list's (the client is told of them, so nothing else can be meant) */
		const struct conf_acl6 *a = conf_find_acl6(c, name);
		if (!a) {
			cp_error_at(p, r->line, "ipv6 access list '%s' is not defined, expected an "
			            "'ipv6 access-list %s' block", name, name);
			break;
		}
		for (int k = 0; k < a->nace; k++) {
			const struct conf_ace6 *e = &a->ace[k];
			if (e->permit && (e->proto != -1 || e->dst_plen || !e->src_plen ||
			                  e->dport_op || e->sport_op || e->icmp_match))
				cp_error_at(p, e->line, "ipv6 access list '%s' (ipv6 subnet-acl): expected "
				            "'permit ipv6 PREFIX/LEN any', a network the client reaches "
				            "through the tunnel", name);
		}
		break;
	}
	case REF_CERTMAP:
		if (!conf_find_certmap(c, name))
			cp_error_at(p, r->line, "certificate map '%s' is not defined, expected a 'crypto "
			            "pki certificate map %s SEQ' block", name, name);
		break;
	case REF_LOCAL_ADDR: {
		union sa46 a;
		if (!conf_local_address46(c, name, &a))
			cp_error_at(p, r->line, "local-address '%s' is neither an address nor an "
			            "interface with an 'ip address', expected IFACE, A.B.C.D or "
			            "X:X:X:X::X", name);
		break;
	}
	}
}

void cp_check_refs(struct conf_parser *p)
{
	const struct vpnd_conf *c = p->conf;

	for (size_t k = 0; k < p->nrefs; k++)
		check_ref(p, &p->refs[k]);
	cp_check_radius(p);
	cp_pki_finish(p);
	cp_check_certmaps(p);
	cp_check_dynauth(p);
	cp_check_ipv6(p);
	cp_check_ezvpn(p);
	cp_check_cmap(p);
	cp_check_vti(p);

	/* A template a profile clones must carry the protection, or sessions would have no SA. */
	for (int k = 0; k < c->nprofile; k++) {
		const struct conf_isakmp_profile *pr = &c->profile[k];
		const struct conf_interface *t = conf_find_template(c, pr->virtual_template);
		if (pr->virtual_template && t && !t->protection[0])
			cp_error_at(p, t->line, "interface %s is used by isakmp profile '%s' but has no "
			            "protection, expected 'tunnel protection ipsec profile NAME' under it",
			            t->name, pr->name);
	}
}
