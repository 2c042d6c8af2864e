/* The message catalogue (common/msgcat.h): one row per message, nothing else decides. */
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/msgcat.h"
#include "common/proc.h"

#define P MSGCAT_ROLE(ROLE_PARENT)
#define I MSGCAT_ROLE(ROLE_IKEMGR)
#define K MSGCAT_ROLE(ROLE_KEYMGR)
#define T MSGCAT_ROLE(ROLE_TUNMGR)
#define C MSGCAT_ROLE(ROLE_CONTROL)
#define CHILDREN (I | K | T | C)

#define MSG(type, payload, f, t) [type] = { #type, sizeof(payload), 0, f, t, MSG_FD_NONE, 0 }
#define EMPTY(type, f, t)        [type] = { #type, 0, 0, f, t, MSG_FD_NONE, 0 }

static const struct msg_def catalogue[IMSG_TYPE_MAX] = {
	/* start-up and operator commands, from the parent */
	MSG(IMSG_CONF, struct vpnd_conf, P, CHILDREN),
	[IMSG_SOCKET] = { "IMSG_SOCKET", sizeof(struct msg_socket), 0, P, CHILDREN, MSG_FD_MUST, 0 },
	[IMSG_PEER_CHANNEL] = { "IMSG_PEER_CHANNEL", sizeof(struct msg_socket), 0, P, I | K | T,
	                        MSG_FD_MUST, 0 },
	EMPTY(IMSG_START, P, CHILDREN),
	EMPTY(IMSG_SHUTDOWN, P, CHILDREN),
	MSG(IMSG_CLEAR, struct msg_clear, P, I),
	MSG(IMSG_RELOAD, struct vpnd_conf, P, CHILDREN),
	MSG(IMSG_DEBUG, struct msg_debug, P, CHILDREN),

	EMPTY(IMSG_READY, CHILDREN, P),
	EMPTY(IMSG_TUN_OPEN, T, P),
	[IMSG_TUN_FD] = { "IMSG_TUN_FD", sizeof(int32_t), 0, P, T, MSG_FD_MAY, 0 },

	MSG(IMSG_SKEYID_REQ, struct msg_skeyid_req, I, K),
	MSG(IMSG_SKEYID_RES, struct msg_skeyid_res, K, I),
	MSG(IMSG_XAUTH_REQ, struct msg_xauth_req, I, K),
	MSG(IMSG_XAUTH_RES, struct msg_xauth_res, K, I),
	MSG(IMSG_SESSION_END_KEY, struct msg_session_end, I, K),

	/* a datagram from UDP 4500 behind its header: the one message that may be dropped */
	[IMSG_IKE_PACKET] = { "IMSG_IKE_PACKET", sizeof(struct msg_ike_pkt), 65535, T, I,
	                      MSG_FD_NONE, 1 },
	MSG(IMSG_VA_CREATE, struct msg_va_create, I, T),
	MSG(IMSG_VA_CREATED, struct msg_va_created, T, I),
	MSG(IMSG_VA_DESTROY, struct msg_va_destroy, I, T),
	MSG(IMSG_SA_ADD, struct msg_sa_add, I, T),
	MSG(IMSG_SA_DEL, struct msg_sa_del, I, T),
	MSG(IMSG_SA_EXPIRE, struct msg_sa_expire, T, I),
	MSG(IMSG_SA_ADDED, struct msg_sa_added, T, I),
	MSG(IMSG_VA_ACTIVITY, struct msg_va_activity, T, I),

	/* the session store: each fact only from the process that owns it */
	MSG(IMSG_SESSION_UP, struct msg_session_up, I, P),
	MSG(IMSG_SESSION_DOWN, struct msg_session_down, I, P),
	MSG(IMSG_COUNTERS, struct msg_counters, T, P),
	MSG(IMSG_IKE_SA_UP, struct msg_ike_sa, I, P),
	MSG(IMSG_IKE_SA_DOWN, struct msg_ike_sa_down, I, P),
	MSG(IMSG_IPSEC_SA_UP, struct msg_ipsec_sa, I, P),
	MSG(IMSG_IPSEC_SA_DOWN, struct msg_ipsec_sa_down, I, P),
	MSG(IMSG_SA_COUNTERS, struct msg_sa_counters, T, P),

	MSG(IMSG_CERT_VERIFY_REQ, struct msg_cert_verify_req, I, K),
	MSG(IMSG_CERT_VERIFY_RES, struct msg_cert_verify_res, K, I),
	MSG(IMSG_SIGN_REQ, struct msg_sign_req, I, K),
	MSG(IMSG_VTI_SIGN_REQ, struct msg_vti_sign_req, I, K),
	MSG(IMSG_V2_AUTH_REQ, struct msg_v2_auth_req, I, K),
	MSG(IMSG_V2_AUTH_RES, struct msg_v2_auth_res, K, I),
	MSG(IMSG_V2_EAP_REQ, struct msg_v2_eap, I, K),
	MSG(IMSG_V2_EAP_RES, struct msg_v2_eap, K, I),
	MSG(IMSG_SIGN_RES, struct msg_sign_res, K, I),

	MSG(IMSG_ACCT_REQ, struct msg_acct, P, K),
	MSG(IMSG_ACCT_RES, struct msg_acct_res, K, P),

	MSG(IMSG_DYNAUTH_REQ, struct msg_dynauth_req, K, I),
	MSG(IMSG_DYNAUTH_RES, struct msg_dynauth_res, I, K),
	/* IMSG_VA_SET_ACL: retired, nobody may send it */

	MSG(IMSG_AUTHZ, struct msg_authz, K, T),
	MSG(IMSG_AUTHZ_DEL, struct msg_authz_del, K, T),
	/* control has no peer channel: it never has a violation to report */
	MSG(IMSG_VIOLATION, struct msg_violation, I | K | T, P),

	MSG(IMSG_LOCKOUT_STATE, struct msg_lockout, K, P),
	MSG(IMSG_LOCKOUT_CLEAR, struct msg_lockout_clear, P, K),
	MSG(IMSG_ADM_STATS, struct msg_adm_stats, I, P),

	/* the operator socket's process asks; the parent re-checks what it acts on */
	MSG(IMSG_CTL_DBPATH, struct msg_ctl_dbpath, P, C),
	MSG(IMSG_CTL_REQ, struct msg_ctl_req, C, P),
	MSG(IMSG_CTL_RES, struct msg_ctl_res, P, C),
	MSG(IMSG_CTL_LOCKOUT, struct msg_lockout, P, C),
	MSG(IMSG_CTL_ADM, struct msg_adm_stats, P, C),
	MSG(IMSG_CTL_LOG, struct msg_log_line, P, C),

	MSG(IMSG_RADIUS_STATS, struct msg_radius_stats, K, P),
	MSG(IMSG_CTL_RADIUS, struct msg_radius_stats, P, C),
	MSG(IMSG_DP_STATS, struct msg_dp_stats, T, P),
	MSG(IMSG_CTL_DP, struct msg_dp_stats, P, C),
	MSG(IMSG_IKE_STATS, struct msg_ike_stats, I, P),
	MSG(IMSG_CTL_IKE, struct msg_ike_stats, P, C),

	MSG(IMSG_EZ_XAUTH_REQ, struct msg_ez_xauth_req, I, K),
	MSG(IMSG_EZ_XAUTH_RES, struct msg_ez_xauth_res, K, I),
	MSG(IMSG_EZ_VA_CREATE, struct msg_ez_va, I, T),
	MSG(IMSG_EZ_CMD, struct msg_ez_cmd, P, I),
	MSG(IMSG_EZ_STATE, struct msg_ez_state, I, P),
	MSG(IMSG_EZ_BACKUP, struct msg_ez_backup, I, K),
	MSG(IMSG_EZ_BACKUP_OK, struct msg_ez_backup, K, T),
	MSG(IMSG_EZ_TRAFFIC, struct msg_ez_traffic, T, I),
	MSG(IMSG_MANUAL_SA, struct msg_manual_sa, K, T),
	MSG(IMSG_CM_SA_UP, struct msg_cm_sa, T, P),
	MSG(IMSG_CM_SA_DOWN, struct msg_ipsec_sa_down, T, P),
	MSG(IMSG_EZ_XAUTH_CANCEL, struct msg_ez_xauth_req, I, K),
	MSG(IMSG_CTL_EZ_XAUTH, struct msg_ez_xauth_answer, C, P),
	MSG(IMSG_EZ_XAUTH_ANSWER, struct msg_ez_xauth_answer, P, K),
	MSG(IMSG_EZ_XAUTH_ANSWERED, struct msg_ez_xauth_answered, K, P),
};

/* The roles' names, here so that imsg.c needs nothing of the process start-up code. */
static const char *const role_names[] = {
	[ROLE_PARENT] = "vpnd",
	[ROLE_IKEMGR] = "ikemgr",
	[ROLE_KEYMGR] = "keymgr",
	[ROLE_TUNMGR] = "tunmgr",
	[ROLE_CONTROL] = "control",
};

const char *proc_role_name(int role)
{
	if (role < 0 || role > ROLE_LAST)
		return "?";
	return role_names[role];
}

int proc_role_from_name(const char *name)
{
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (strcmp(name, role_names[r]) == 0)
			return r;
	return -1;
}

const struct msg_def *msgcat_get(uint32_t type)
{
	if (type >= IMSG_TYPE_MAX || !catalogue[type].name)
		return NULL;
	return &catalogue[type];
}

const char *msgcat_name(uint32_t type)
{
	static char buf[24];
	const struct msg_def *d = msgcat_get(type);
	if (d)
		return d->name;
	snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}

int msgcat_check(uint32_t type, int from, int to, size_t len, int hasfd, char *why,
                 size_t whylen)
{
	const struct msg_def *d = msgcat_get(type);
	if (!d) {
		snprintf(why, whylen, "unknown message type %u", type);
		return -1;
	}
	if (from < 0 || from > ROLE_LAST || !(d->from & MSGCAT_ROLE(from))) {
		snprintf(why, whylen, "%s may not come from %s", d->name, proc_role_name(from));
		return -1;
	}
	if (to < 0 || to > ROLE_LAST || !(d->to & MSGCAT_ROLE(to))) {
		snprintf(why, whylen, "%s is not for %s", d->name, proc_role_name(to));
		return -1;
	}
	if (len < d->size || len > (size_t)d->size + d->var) {
		if (d->var)
			snprintf(why, whylen, "%s has %zu bytes, expected %u to %u", d->name, len,
			         d->size, d->size + d->var);
		else
			snprintf(why, whylen, "%s has %zu bytes, expected %u", d->name, len, d->size);
		return -1;
	}
	if ((d->fd == MSG_FD_MUST && !hasfd) || (d->fd == MSG_FD_NONE && hasfd)) {
		snprintf(why, whylen, "%s %s an fd", d->name, hasfd ? "carries" : "lacks");
		return -1;
	}
	return 0;
}
