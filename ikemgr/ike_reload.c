/*
 * A new configuration, applied in place (the struct keeps its address, so the engine's
 * pointer stays valid). What points into it is looked up again by name: a session whose
 * isakmp profile, group or virtual template is gone ends with reason "reload", as do
 * exchanges that had not got that far. Everything else keeps running on its agreed SAs.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"
#include "ikemgr/ikev1.h"

static const struct conf_isakmp_profile *profile_named(const struct vpnd_conf *c,
                                                       const char *name)
{
	for (int k = 0; k < c->nprofile; k++)
		if (!strcmp(c->profile[k].name, name))
			return &c->profile[k];
	return NULL;
}

void ikev1_reload(const struct vpnd_conf *nc)
{
	struct vpnd_conf *conf = (struct vpnd_conf *)ike.conf;   /* our heap copy */
	char (*names)[CONF_NAME_MAX] = calloc((size_t)ike.nsa + 1, CONF_NAME_MAX);
	struct ike_sa *next;
	int i = 0, kept = 0, ended = 0;

	if (!names)
		fatal("calloc");
	for (struct ike_sa *sa = ike.all; sa; sa = sa->all_next, i++)
		if (i < ike.nsa && sa->s.profile)
			memcpy(names[i], sa->s.profile->name, CONF_NAME_MAX);
	memcpy(conf, nc, sizeof(*conf));

	i = 0;
	for (struct ike_sa *sa = ike.all; sa; sa = next, i++) {
		next = sa->all_next;
		const char *why = NULL;
		if (i < ike.nsa && names[i][0]) {
			sa->s.profile = profile_named(conf, names[i]);
			if (!sa->s.profile)
				why = "reload: isakmp profile removed";
			else if (sa->s.profile->virtual_template &&
			         !conf_find_template(conf, sa->s.profile->virtual_template))
				why = "reload: virtual template removed";
		}
		if (!why && sa->s.group_name[0] && !conf_find_group(conf, sa->s.group_name) &&
		    !(sa->s.profile && conf_profile_group_via_radius(conf, sa->s.profile)))
			why = "reload: group removed";
		if (why && sa->state != IKE_S_DEAD) {
			log_info("session %u (user '%s' group '%s'): %s", sa->s.id, sa->s.user,
			         sa->s.group_name, why);
			ike_sa_delete(sa, why, 1);
			ended++;
		} else {
			kept++;
			ike_sa_rearm(sa);       /* DPD settings may have changed */
		}
	}
	free(names);
	ez_reload(conf);
	vti_reload(conf);
	log_info("configuration reloaded: %d IKE SA%s kept, %d ended", kept, kept == 1 ? "" : "s",
	         ended);
}
