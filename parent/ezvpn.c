/*
 * The Easy VPN remote in the parent: ikemgr reports each `crypto ipsec client ezvpn`'s state
 * on every change (IMSG_EZ_STATE); the parent keeps the last one per name in the session
 * store (table ezvpn) for `show crypto ipsec client ezvpn`, with a line in the event log.
 * Nothing is up after a start, so the rows are put back to their idle state then (and at a
 * clean exit), and the rows of names no longer configured go at start and at each reload.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "db/db.h"
#include "parent/ezvpn.h"
#include "parent/parent.h"

void ezvpn_state(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	struct parent *p = c->parent;
	struct msg_ez_state s;
	const char *why;
	char what[160];

	if (!c->ready) {
		child_protocol_error(c, "a message before READY");
		return;
	}
	memcpy(&s, m->data, sizeof(s));
	if ((why = ez_state_check(&s)) != NULL) {
		child_protocol_error(c, why);
		return;
	}
	/* a report that crossed a reload removing the name: nothing to show it under */
	if (conf_find_ezvpn(p->conf, s.ezvpn) == NULL) {
		log_debug("ezvpn %s: state %s for a name not configured, ignored", s.ezvpn, s.state);
		return;
	}
	db_batch_begin(p->db);
	if (db_ez_state(p->db, &s) == -1)
		log_warnx("ezvpn %s: state %s not recorded", s.ezvpn, s.state);
	snprintf(what, sizeof(what), "ezvpn %s: %s%s%s", s.ezvpn, s.state,
	         s.last_event[0] ? ", last event " : "", s.last_event);
	if (db_event(p->db, s.session_id, what) == -1)
		log_debug("ezvpn %s: event not recorded", s.ezvpn);
	log_debug("%s", what);
	commit_soon(p);     /* show sees it as soon as the interface does */
}

/* Forget the names no longer configured. */
static void prune(struct parent *p)
{
	const char *keep[CONF_MAX_EZVPN];
	int n = 0, gone;

	for (int k = 0; k < p->conf->nezvpn && k < CONF_MAX_EZVPN; k++)
		keep[n++] = p->conf->ezvpn[k].name;
	gone = db_ez_prune(p->db, keep, n);
	if (gone > 0)
		log_debug("ezvpn: %d row%s of names no longer configured removed", gone,
		          gone == 1 ? "" : "s");
}

void ezvpn_reset(struct parent *p)
{
	if (p->db == NULL)
		return;
	db_batch_begin(p->db);
	prune(p);
	for (int k = 0; k < p->conf->nezvpn && k < CONF_MAX_EZVPN; k++) {
		const struct conf_ezvpn *e = &p->conf->ezvpn[k];
		if (db_ez_reset(p->db, e->name, conf_ezvpn_idle_state(e), "RESET") == -1)
			log_warnx("ezvpn %s: state not reset", e->name);
	}
	db_batch_commit(p->db);
}

void ezvpn_reloaded(struct parent *p)
{
	if (p->db == NULL)
		return;
	db_batch_begin(p->db);
	prune(p);
	commit_soon(p);
}
