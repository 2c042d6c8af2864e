/*
 * Accounting records from the parent's queue, sent to their RADIUS server group by the client
 * (client.c). The parent sends one at a time and keeps it until we answer SENT, so a record
 * is never lost here; a record whose group is gone from the configuration can never be sent
 * and is answered DROP rather than blocking every record behind it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "radius/radius.h"

static const struct vpnd_conf *aconf;
static radius_send_fn to_parent;

void radius_acct_init(const struct vpnd_conf *conf, radius_send_fn send)
{
	aconf = conf;
	to_parent = send;
}

static const char *status_name(int s)
{
	return s == ACCT_START ? "Start" : s == ACCT_STOP ? "Stop" :
	       s == ACCT_ON ? "Accounting-On" : s == ACCT_OFF ? "Accounting-Off" : "Interim-Update";
}

static void done(struct radius_job *j)
{
	struct msg_acct_res r;
	memset(&r, 0, sizeof(r));
	r.qid = j->acct.qid;
	if (j->result == RAD_ACCEPT) {
		r.result = ACCT_SENT;
		snprintf(r.server, sizeof(r.server), "%s", j->server);
		log_debug("accounting %s for %s acknowledged by %s",
		        status_name(j->acct.status), j->acct.acct_session_id, j->server);
	} else {
		r.result = j->no_server ? ACCT_DROP : ACCT_RETRY;
		snprintf(r.why, sizeof(r.why), "%s", j->why);
	}
	to_parent(IMSG_ACCT_RES, 0, &r, sizeof(r));
	free(j);
}

void radius_acct(const struct msg_acct *m)
{
	struct radius_job *j = calloc(1, sizeof(*j));
	if (!j)
		fatal("calloc");
	j->kind = RAD_JOB_ACCT;
	j->acct = *m;
	j->acct.user[sizeof(j->acct.user) - 1] = 0;
	j->acct.group[sizeof(j->acct.group) - 1] = 0;
	j->acct.acct_session_id[sizeof(j->acct.acct_session_id) - 1] = 0;
	snprintf(j->group, sizeof(j->group), "%s", j->acct.group);
	if (aconf->nradius == 0 ||
	    (strcmp(j->group, "radius") && !conf_find_radius_group(aconf, j->group))) {
		j->result = RAD_ERROR;
		j->no_server = 1;
		snprintf(j->why, sizeof(j->why), "server group '%s' is not configured", j->group);
		done(j);
		return;
	}
	j->done = done;
	radius_submit(j);
}
