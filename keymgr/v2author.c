/*
 * The authorization of an IKEv2 SA keymgr judged (v2auth.c): ikemgr asks with IMSG_XAUTH_REQ
 * and authorize_only, as for an IKEv1 group, but the group and the method list are the
 * profile's, whatever the request names: a compromised ikemgr must not obtain another group's
 * policy for a peer that authenticated under this profile. The walk itself is auth.c's (local
 * or RADIUS, IOS's method list rules); what is IKEv2's is here: a local list reads a crypto
 * ikev2 authorization policy instead of a crypto isakmp client configuration group.
 * The NAME is v2name.c's, chosen when the SA was judged.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

int v2_xauth_prepare(const struct vpnd_conf *c, struct msg_xauth_req *xa, char *why,
                     size_t whylen)
{
	const struct v2_judged *j = v2_judged_find(xa->sa_id);
	const struct conf_ikev2_profile *pr;

	if (!j)
		return 0;
	if (!(pr = conf_find_v2_profile(c, j->profile))) {
		snprintf(why, whylen, "ikev2 profile '%s' is no longer configured", j->profile);
		return -1;
	}
	if (!j->group[0]) {
		snprintf(why, whylen, "ikev2 profile '%s': name-mangler '%s' derived no authorization "
		         "name from identity '%s'", j->profile, pr->group_mangler[j->kind], j->user);
		return -1;
	}
	if (xa->group[0] && strcmp(xa->group, j->group) != 0)
		log_warnx("SA %u: authorization asked for group '%s', the profile's '%s' used",
		          xa->sa_id, xa->group, j->group);
	snprintf(xa->group, sizeof(xa->group), "%s", j->group);
	/* no list: the local one, as IOS's default authorization without a method list */
	snprintf(xa->author_list, sizeof(xa->author_list), "%s", pr->group_list[j->kind]);
	xa->auth_list[0] = 0;
	explicit_bzero(xa->password, sizeof(xa->password));
	xa->user[0] = 0;
	xa->authorize_only = 1;     /* the pre-shared key was the authentication */
	return 1;
}

void v2_author_fill(const struct vpnd_conf *c, const struct conf_ikev2_author *a,
                    uint32_t sa_id, struct msg_policy *p)
{
	p->netmask = a->netmask;
	p->ndns = a->ndns < 2 ? a->ndns : 2;
	memcpy(p->dns, a->dns, sizeof(p->dns[0]) * (size_t)p->ndns);
	p->ndns6 = a->ndns6 < 2 ? a->ndns6 : 2;
	memcpy(p->dns6, a->dns6, sizeof(p->dns6[0]) * (size_t)p->ndns6);
	snprintf(p->domain, sizeof(p->domain), "%s", a->def_domain);
	snprintf(p->banner, sizeof(p->banner), "%s", a->banner);
	if (a->route_acl[0]) {
		const struct conf_acl *acl = conf_find_acl(c, a->route_acl);
		if (!acl)
			log_warnx("authorization policy '%s': route set access-list '%s' is not "
			          "configured, no routes pushed", a->name, a->route_acl);
		policy_split_from_acl(acl, p);
	}
	if (a->subnet_acl6[0]) {
		const struct conf_acl6 *acl = conf_find_acl6(c, a->subnet_acl6);
		for (int i = 0; acl && i < acl->nace && p->nsplit6 < MSG_SPLIT_MAX; i++)
			if (acl->ace[i].permit) {
				p->split6[p->nsplit6].net = acl->ace[i].src;
				p->split6[p->nsplit6].plen = acl->ace[i].src_plen;
				p->nsplit6++;
			}
	}
	/* IPv6 is an addition, as for a group's ipv6 pool: a full pool leaves IPv4 only */
	if (a->pool6[0] && IN6_IS_ADDR_UNSPECIFIED(&p->addr6) &&
	    pool6_alloc(a->pool6, sa_id, &p->addr6) < 0)
		log_warnx("session %u: no free address in ipv6 pool '%s', IPv4 only", sa_id,
		          a->pool6);
}
