/*
 * The authorization NAME of an IKEv2 SA, chosen when keymgr judges it (v2auth.c): the
 * profile's, IOS's default, or what the profile's crypto ikev2 name-mangler cuts from the
 * identity keymgr itself checked (IDi for psk and cert, the EAP identity RADIUS accepted for
 * eap), never a name ikemgr offers. Apart from v2author.c so that what links v2auth.c alone
 * (its fuzz targets) needs nothing of auth.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

int v2_author_name(const struct vpnd_conf *c, const struct conf_ikev2_profile *pr, int kind,
                   const struct msg_v2_auth_req *rq, const char *eap_user, char *out,
                   size_t outsz)
{
	const struct conf_ikev2_mangler *m;
	char why[160], ident[MSG_USER_MAX];
	int eap = kind == V2_AAA_EAP;

	if (!pr->group_mangler[kind][0]) {
		/* IOS: without a NAME the authorization looks up its default policy */
		snprintf(out, outsz, "%s", pr->group_name[kind][0] ? pr->group_name[kind] :
		         CONF_V2_DEFAULT);
		return 0;
	}
	if (!(m = conf_find_v2_mangler(c, pr->group_mangler[kind])))
		snprintf(why, sizeof(why), "name-mangler '%s' is no longer configured",
		         pr->group_mangler[kind]);
	else if (conf_v2_mangle(m, rq->id_type, eap ? (const uint8_t *)eap_user : rq->id,
	                        eap ? strlen(eap_user) : rq->id_len, eap, out, outsz, why,
	                        sizeof(why)) == 0)
		return 0;
	out[0] = 0;     /* v2_xauth_prepare refuses an SA judged without a name */
	if (!eap)
		conf_v2_id_text(rq->id_type, rq->id, rq->id_len, ident, sizeof(ident));
	log_warnx("SA %u: no authorization name for %s '%s' (profile '%s'): %s", rq->sa_id,
	          eap ? "EAP identity" : "identity", eap ? eap_user : ident, pr->name, why);
	return -1;
}
