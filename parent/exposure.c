/*
 * The exposure limits' live state: the locked-out local users (keymgr reports each change,
 * keymgr/lockout.c) and the call admission counters (ikemgr reports them on its tick when
 * they moved, ikemgr/admission.c), keymgr's RADIUS counters (radius/stats.c),
 * tunmgr's data plane and ikemgr's IKE counters (tunmgr/timers.c, ikemgr/ike_stats.c), for
 * the metrics. The parent
 * checks who sent them and passes them on to the control process, which keeps the last copy
 * and shows it (control/exposure.c, control/metrics.c).
 */
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "parent/exposure.h"

int exposure_store(struct child *c, const struct imsg *m)
{
	struct child *ctl = &c->parent->child[ROLE_CONTROL];
	uint32_t type;

	if (m->hdr.type == IMSG_LOCKOUT_STATE && c->role == ROLE_KEYMGR &&
	    m->datalen == sizeof(struct msg_lockout))
		type = IMSG_CTL_LOCKOUT;
	else if (m->hdr.type == IMSG_ADM_STATS && c->role == ROLE_IKEMGR &&
	         m->datalen == sizeof(struct msg_adm_stats))
		type = IMSG_CTL_ADM;
	else if (m->hdr.type == IMSG_RADIUS_STATS && c->role == ROLE_KEYMGR &&
	         m->datalen == sizeof(struct msg_radius_stats))
		type = IMSG_CTL_RADIUS;
	else if (m->hdr.type == IMSG_DP_STATS && c->role == ROLE_TUNMGR &&
	         m->datalen == sizeof(struct msg_dp_stats))
		type = IMSG_CTL_DP;
	else if (m->hdr.type == IMSG_IKE_STATS && c->role == ROLE_IKEMGR &&
	         m->datalen == sizeof(struct msg_ike_stats))
		type = IMSG_CTL_IKE;
	else
		return -1;
	/* control terminates the user name itself: it does not trust the parent's copy either */
	if (!ctl->ib_open || ctl->exited ||
	    imsg_compose(&ctl->ib, type, 0, -1, m->data, m->datalen) == -1)
		log_debug("%s not passed on to control", type == IMSG_CTL_LOCKOUT ?
		          "lockout state" : type == IMSG_CTL_ADM ? "admission counters" :
		          "data plane or IKE counters");
	return 0;
}
