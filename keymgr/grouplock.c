/*
 * group-lock (IOS Easy VPN): a user may log in only through the group it belongs to, so a
 * user who knows another group's key cannot take that group's pool, ACL and routes. IOS reads
 * the group from the XAUTH name, USER@GROUP (or USER/GROUP, USER\GROUP, USER%GROUP), or from
 * the RADIUS Access-Accept's Cisco-AVPair "ipsec:user-vpn-group=GROUP". The name is
 * authenticated as typed, delimiter and all, as IOS sends it to AAA.
 */
#include <stdio.h>
#include <string.h>

#include "keymgr/keymgr.h"

int group_lock_refused(const struct conf_group *g, const char *user, const char *radius_group,
                       char *why, size_t whylen)
{
	if (!g || !g->group_lock)
		return 0;
	/* RADIUS's word is the user's account, so it goes before what the user typed */
	if (radius_group && radius_group[0]) {
		if (strcmp(radius_group, g->name) == 0)
			return 0;
		snprintf(why, whylen, "group-lock: user '%s' belongs to group '%s' (RADIUS), not "
		         "'%s'", user, radius_group, g->name);
		return 1;
	}
	const char *d = strpbrk(user, "@/\\%");
	if (!d) {
		snprintf(why, whylen, "group-lock: user '%s' names no group, expected USER@%s", user,
		         g->name);
		return 1;
	}
	if (strcmp(d + 1, g->name) == 0)
		return 0;
	snprintf(why, whylen, "group-lock: user '%s' is locked to group '%s', not '%s'", user,
	         d + 1, g->name);
	return 1;
}
