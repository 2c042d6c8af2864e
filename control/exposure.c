/*
 * What the operator sees of the exposure limits: the locked-out local users (keymgr reports
 * each change, keymgr/lockout.c) and the call admission counters (ikemgr reports them on its
 * tick when they moved, ikemgr/admission.c); the parent passes both on (parent/exposure.c).
 * Both are kept here in memory, the last copy only: they are live state like the debug
 * conditions, not history for the session store.
 *   show aaa local user lockout [--json]
 *   clear aaa local user lockout username U | all
 *   show crypto call admission statistics [--json]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/msg.h"
#include "control/control.h"
#include "control/exposure.h"
#include "control/json.h"

static struct msg_lockout locked[CONF_MAX_USERS];
static int nlocked;
static struct msg_adm_stats adm;
static int have_adm;

static int store_lockout(const struct msg_lockout *u)
{
	int i;
	for (i = 0; i < nlocked; i++)
		if (!strcmp(locked[i].user, u->user))
			break;
	if (!u->fails && !u->locked) {
		if (i < nlocked)
			locked[i] = locked[--nlocked];
		return 0;
	}
	if (i == nlocked) {
		if (nlocked == CONF_MAX_USERS)
			return -1;      /* keymgr tracks configured users only: cannot happen */
		nlocked++;
	}
	locked[i] = *u;
	return 0;
}

int exposure_keep(const struct imsg *m)
{
	if (m->hdr.type == IMSG_CTL_LOCKOUT) {
		struct msg_lockout u;
		if (m->datalen != sizeof(u))
			return -1;
		memcpy(&u, m->data, sizeof(u));
		u.user[sizeof(u.user) - 1] = 0;
		return store_lockout(&u);
	}
	if (m->hdr.type == IMSG_CTL_ADM) {
		if (m->datalen != sizeof(adm))
			return -1;
		memcpy(&adm, m->data, sizeof(adm));
		have_adm = 1;
		return 0;
	}
	return -1;
}

int exposure_adm(struct msg_adm_stats *out)
{
	*out = adm;
	return have_adm;
}

void exposure_cmd_show_lockout(struct control_conn *cc, int argc, char **argv)
{
	int json = control_take_json(&argc, argv);
	const struct vpnd_conf *conf = control_conf(cc);
	int maxf = conf ? conf->aaa_max_fail : 0;
	char when[32], a[SA46_STRLEN];

	if (argc) {
		control_printf(cc, "%% Invalid input: expected [--json]\n");
		return;
	}
	if (json) {
		struct control_json j;
		struct jw *w = control_json_begin(cc, &j);
		if (w == NULL)
			return;
		jw_int(w, "max_fail", maxf);
		jw_arr(w, "users");
		for (int i = 0; i < nlocked; i++) {
			sa46_ntop(&locked[i].last_addr, a);
			jw_obj(w, NULL);
			jw_str(w, "user", locked[i].user);
			jw_int(w, "failures", locked[i].fails);
			jw_bool(w, "locked", locked[i].locked);
			jw_int(w, "last_failure", (long long)locked[i].last_fail);
			jw_str(w, "last_address", a);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		control_json_end(cc, &j);
		return;
	}
	if (!maxf)
		control_printf(cc, "Local user lockout is off (aaa local authentication attempts "
		               "max-fail N)\n");
	else
		control_printf(cc, "Lockout after %d failed logins\n", maxf);
	control_printf(cc, "%-24s %-6s %-8s %-20s %s\n", "Local-user", "Lock", "Failures",
	               "Last failure", "From");
	for (int i = 0; i < nlocked; i++) {
		time_t t = (time_t)locked[i].last_fail;
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
		sa46_ntop(&locked[i].last_addr, a);
		control_printf(cc, "%-24s %-6s %-8d %-20s %s\n", locked[i].user,
		               locked[i].locked ? "Yes" : "No", locked[i].fails, when, a);
	}
}

void exposure_cmd_clear_lockout(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q;
	struct msg_lockout_clear *m = &q.u.lockout;
	memset(&q, 0, sizeof(q));
	q.kind = CTL_LOCKOUT_CLEAR;
	if (argc == 1 && !strcmp(argv[0], "all")) {
		m->all = 1;
	} else if (argc == 2 && !strcmp(argv[0], "username") && strlen(argv[1]) < sizeof(m->user)) {
		snprintf(m->user, sizeof(m->user), "%s", argv[1]);
	} else {
		control_printf(cc, "%% Invalid input: expected username U | all\n");
		return;
	}
	log_info("clear aaa local user lockout %s requested on the control socket",
	         m->all ? "all" : "username");
	control_ask(cc, &q, "clearing the lockout of %s\n", m->all ? "every user" : m->user);
}

void exposure_cmd_show_cac(struct control_conn *cc, int argc, char **argv)
{
	int json = control_take_json(&argc, argv);
	if (argc) {
		control_printf(cc, "%% Invalid input: expected [--json]\n");
		return;
	}
	const struct msg_adm_stats *s = &adm;
	unsigned long long rej = s->rej_in_neg + s->rej_peer + s->rej_shed + s->rej_sa + s->rej_rate;
	if (json) {
		struct control_json j;
		struct jw *w = control_json_begin(cc, &j);
		if (w == NULL)
			return;
		jw_int(w, "max_in_negotiation", s->limit_in_neg);
		jw_int(w, "max_in_negotiation_per_peer", s->limit_in_neg_peer);
		jw_int(w, "max_ike_sas", s->limit_sa);
		jw_int(w, "ike_sas", s->ike_sas);
		jw_int(w, "in_negotiation", s->in_negotiation);
		jw_u64(w, "requests", s->requests);
		jw_u64(w, "accepted", s->accepted);
		jw_u64(w, "rejected", rej);
		jw_u64(w, "rejected_in_negotiation_limit", s->rej_in_neg);
		jw_u64(w, "rejected_per_peer_limit", s->rej_peer);
		jw_u64(w, "rejected_shed_unknown_peer", s->rej_shed);
		jw_u64(w, "rejected_sa_limit", s->rej_sa);
		jw_u64(w, "rejected_rate", s->rej_rate);
		jw_u64(w, "aggressive_mode_refused", s->rej_aggressive);
		control_json_end(cc, &j);
		return;
	}
	if (!have_adm)
		control_printf(cc, "(ikemgr has not reported yet)\n");
	control_printf(cc, "Crypto Call Admission Control Statistics\n"
	               "=========================================================\n");
	control_printf(cc, "Max IKE SAs: %d  Max in nego: %d  Max in nego per peer: %d\n",
	               s->limit_sa, s->limit_in_neg, s->limit_in_neg_peer);
	control_printf(cc, "Total IKE SA Count: %d  active: %d  negotiating: %d\n", s->ike_sas,
	               s->ike_sas - s->in_negotiation, s->in_negotiation);
	control_printf(cc, "Incoming IKE Requests: %llu  accepted: %llu  rejected: %llu\n",
	               (unsigned long long)s->requests, (unsigned long long)s->accepted, rej);
	control_printf(cc, "Rejected IKE Requests: In-neg SA limit: %llu  per-peer limit: %llu  "
	               "shed (unknown peer): %llu  Active SA limit: %llu  rate: %llu\n",
	               (unsigned long long)s->rej_in_neg, (unsigned long long)s->rej_peer,
	               (unsigned long long)s->rej_shed, (unsigned long long)s->rej_sa,
	               (unsigned long long)s->rej_rate);
	control_printf(cc, "Aggressive mode refused (aggressive-mode disable): %llu\n",
	               (unsigned long long)s->rej_aggressive);
}
