/*
 * RADIUS accounting, the parent's half: it decides what is recorded and keeps the records
 * (SQLite acct_queue, db_acct.c); keymgr, which holds the RADIUS secrets, sends them.
 *
 * - Start when a session accounted by its profile comes up (an isakmp profile's `accounting
 *   LIST`, an ikev2 profile's `aaa accounting psk LIST`).
 * - Interim-Update every `aaa accounting update periodic MINUTES`.
 * - Stop when it goes, once tunmgr has sent the interface's last counters (or after
 *   STOP_WAIT_MS), so the octets are the session's whole; Acct-Terminate-Cause from the
 *   reason it ended.
 * - Sessions a crash left open get a Stop with NAS-Reboot: at once when a child dies, at the
 *   next start when the parent itself was killed.
 * - Accounting-On at start (after those Stops), Accounting-Off at exit (after every Stop of
 *   the run), once per server group in use. At a stop the records stay queued (SQLite) and go
 *   out at the next start, so a stop of 20,000 sessions never waits on a RADIUS server.
 * Records go out oldest first, one at a time; one that no server acknowledged is retried
 * (backoff up to a minute) and nothing behind it overtakes it. Unsent records survive a
 * restart in the queue.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/msg.h"
#include "db/db.h"
#include "parent/parent.h"

#define STOP_WAIT_MS   2000
#define RETRY_MIN_MS   2000
#define RETRY_MAX_MS   60000
#define TICK_MS        1000
#define KEEP_ACKED_S   (7 * 86400.0)
#define LIVE_BUCKETS   4096

struct live {
	struct live *next;
	uint32_t sid;
	double   next_interim;      /* 0 = none */
	int      down;              /* SESSION_DOWN seen: Stop due */
	int      final_seen;        /* tunmgr's last counters seen */
	double   stop_by;           /* when to send the Stop without them */
	int      cause;
};

struct acct {
	struct parent *p;
	struct live   *live[LIVE_BUCKETS];     /* by session id: a stop ends them all at once */
	int            ready;       /* keymgr is up */
	int            inflight;
	int64_t        qid;
	unsigned       backoff_ms;
	int            waiting;     /* retry timer armed */
	uv_timer_t     retry, tick;
};

static double now_s(struct acct *a)
{
	return (double)uv_now(&a->p->loop) / 1000.0;
}

static struct live **find(struct acct *a, uint32_t sid)
{
	struct live **pp = &a->live[sid % LIVE_BUCKETS];
	while (*pp && (*pp)->sid != sid)
		pp = &(*pp)->next;
	return pp;
}

static void kick(struct acct *a);

static void retry_cb(uv_timer_t *t)
{
	struct acct *a = t->data;
	a->waiting = 0;
	kick(a);
}

/* The oldest record not acknowledged goes to keymgr, unless one is out or we wait. */
static void kick(struct acct *a)
{
	struct parent *p = a->p;
	struct msg_acct m;

	if (!a->ready || a->inflight || a->waiting || !p->db || p->stopping)
		return;
	db_batch_commit(p->db);     /* a record is durable before it is sent */
	if (db_acct_head(p->db, &m) <= 0)
		return;
	struct child *k = &p->child[ROLE_KEYMGR];
	if (!k->ib_open || imsg_compose(&k->ib, IMSG_ACCT_REQ, 0, -1, &m, sizeof(m)) == -1) {
		log_warnx("accounting: cannot reach keymgr");
		return;
	}
	a->inflight = 1;
	a->qid = m.qid;
}

static void queue(struct acct *a, uint32_t sid, int status, int cause)
{
	db_batch_begin(a->p->db);
	if (db_acct_add(a->p->db, sid, status, cause) < 0)
		log_warnx("session %u: accounting record not queued", sid);
	kick(a);
}

static void stop_now(struct acct *a, struct live **pp)
{
	struct live *l = *pp;
	queue(a, l->sid, ACCT_STOP, l->cause);
	*pp = l->next;
	free(l);
}

static void tick_cb(uv_timer_t *t)
{
	struct acct *a = t->data;
	struct parent *p = a->p;
	double now = now_s(a);
	int period = p->conf->acct_update_periodic;

	for (int b = 0; b < LIVE_BUCKETS; b++) {
		for (struct live **pp = &a->live[b]; *pp;) {
			struct live *l = *pp;
			if (l->down) {
				if (now >= l->stop_by) {
					stop_now(a, pp);
					continue;
				}
			} else if (period > 0 && l->next_interim > 0 && now >= l->next_interim) {
				queue(a, l->sid, ACCT_INTERIM, 0);
				l->next_interim = now + 60.0 * period;
			} else if (period > 0 && l->next_interim == 0) {
				l->next_interim = now + 60.0 * period;    /* periodic turned on by a reload */
			}
			pp = &l->next;
		}
	}
}

int acct_init(struct parent *p)
{
	struct acct *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->p = p;
	a->backoff_ms = RETRY_MIN_MS;
	a->retry.data = a;
	a->tick.data = a;
	if (uv_timer_init(&p->loop, &a->retry) != 0 || uv_timer_init(&p->loop, &a->tick) != 0 ||
	    uv_timer_start(&a->tick, tick_cb, TICK_MS, TICK_MS) != 0) {
		free(a);
		return -1;
	}
	uv_unref((uv_handle_t *)&a->tick);
	p->acct = a;
	return 0;
}

/* The server group of the first `group` method of the profile's accounting list (an isakmp
 * profile's, else an ikev2 profile's of that name). */
static const char *acct_group(const struct vpnd_conf *c, const char *profile)
{
	const struct conf_isakmp_profile *pr = NULL;
	for (int i = 0; i < c->nprofile && !pr; i++)
		if (!strcmp(c->profile[i].name, profile))
			pr = &c->profile[i];
	const char *list = pr ? pr->acct_list : NULL;
	if (!pr) {
		/* an IKEv2 session: its profile's `aaa accounting psk|cert|eap LIST`; the store
		 * does not say which way the peer authenticated, so the first one given (a
		 * profile rarely accounts its methods to different lists) */
		const struct conf_ikev2_profile *v = conf_find_v2_profile(c, profile);
		static const int order[] = { V2_AAA_PSK, V2_AAA_CERT, V2_AAA_EAP };
		for (int k = 0; v && k < 3 && !(list && list[0]); k++)
			list = v->acct_list[order[k]];
	}
	if (!list || !list[0])
		return NULL;
	const struct conf_aaa_list *l = conf_find_aaa(c, AAA_ACCT_NETWORK, list);
	for (int m = 0; l && m < l->nmethod; m++)
		if (l->method[m] == AAA_METHOD_GROUP)
			return l->group[m];
	return NULL;
}

/* The i-th profile's name, isakmp profiles first, then ikev2 ones. */
#define PROFILE_NAME(c, i) ((i) < (c)->nprofile ? (c)->profile[i].name \
                                                : (c)->v2.profile[(i) - (c)->nprofile].name)

/* Accounting-On at start, -Off at exit: once to each server group a profile accounts to. */
static void queue_nas(struct parent *p, int status)
{
	const struct vpnd_conf *c = p->conf;
	int n = c->nprofile + c->v2.nprofile;
	for (int i = 0; i < n; i++) {
		const char *g = acct_group(c, PROFILE_NAME(c, i)), *h = NULL;
		for (int k = 0; k < i && g; k++)
			if ((h = acct_group(c, PROFILE_NAME(c, k))) && !strcmp(g, h))
				g = NULL;
		if (!g)
			continue;
		db_batch_begin(p->db);
		if (db_acct_add_nas(p->db, status, g) < 0)
			log_warnx("accounting: %s for group %s not queued",
			          status == ACCT_ON ? "Accounting-On" : "Accounting-Off", g);
	}
}

/* Before the sessions an earlier run left open (it was killed) are closed: their Stop. */
void acct_recover(struct parent *p)
{
	int n = db_acct_stop_open(p->db, 0, msg_acct_cause("crash"));
	if (n > 0)
		log_info("accounting: %d Stop record%s (NAS-Reboot) for sessions of an earlier run",
		         n, n == 1 ? "" : "s");
	queue_nas(p, ACCT_ON);          /* after the Stops of the earlier run, before any Start */
	db_acct_prune(p->db, (double)time(NULL) - KEEP_ACKED_S);
}

void acct_ready(struct parent *p)
{
	if (!p->acct)
		return;
	p->acct->ready = 1;
	kick(p->acct);
}

void acct_session_up(struct parent *p, const struct msg_session_up *u)
{
	struct acct *a = p->acct;
	if (!a || *find(a, u->session_id))
		return;     /* not running, or a repeated report (phase 1 rekey): one Start */
	const char *g = acct_group(p->conf, u->profile);
	if (!g)
		return;
	size_t clen = u->class_len > 0 && (size_t)u->class_len <= sizeof(u->class_) ?
	              (size_t)u->class_len : 0;
	db_batch_begin(p->db);
	if (db_session_acct(p->db, u->session_id, g, u->class_, clen) < 0)
		return;
	struct live *l = calloc(1, sizeof(*l));
	if (!l) {
		log_warn("accounting");
		return;
	}
	l->sid = u->session_id;
	if (p->conf->acct_update_periodic > 0)
		l->next_interim = now_s(a) + 60.0 * p->conf->acct_update_periodic;
	l->next = a->live[l->sid % LIVE_BUCKETS];
	a->live[l->sid % LIVE_BUCKETS] = l;
	queue(a, u->session_id, ACCT_START, 0);
}

void acct_session_down(struct parent *p, uint32_t sid, const char *reason)
{
	struct acct *a = p->acct;
	struct live **pp;
	if (!a || !*(pp = find(a, sid)) || (*pp)->down)
		return;
	struct live *l = *pp;
	l->down = 1;
	l->cause = msg_acct_cause(reason);
	l->stop_by = now_s(a) + STOP_WAIT_MS / 1000.0;
	if (l->final_seen)
		stop_now(a, pp);
}

/* Called after the counters are in the store. */
void acct_counters(struct parent *p, const struct msg_counters *k)
{
	struct acct *a = p->acct;
	struct live **pp;
	if (!a || !k->final || !*(pp = find(a, k->session_id)))
		return;
	(*pp)->final_seen = 1;
	if ((*pp)->down)
		stop_now(a, pp);
}

int acct_result(struct parent *p, const struct msg_acct_res *r)
{
	struct acct *a = p->acct;
	if (!a || !a->inflight || r->qid != a->qid)
		return -1;
	a->inflight = 0;
	db_batch_begin(p->db);
	db_acct_result(p->db, r->qid, r->result, r->server, r->why);
	if (r->result == ACCT_RETRY) {
		log_warnx("accounting record %lld not acknowledged (%s): retry in %u s",
		          (long long)r->qid, r->why, a->backoff_ms / 1000);
		a->waiting = 1;
		uv_timer_start(&a->retry, retry_cb, a->backoff_ms, 0);
		a->backoff_ms = a->backoff_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : a->backoff_ms * 2;
		return 0;
	}
	if (r->result == ACCT_DROP)
		log_warnx("accounting record %lld dropped: %s", (long long)r->qid, r->why);
	a->backoff_ms = RETRY_MIN_MS;
	kick(a);
	return 0;
}

/* A child died: this run's accounted sessions end now (NAS-Reboot), before they are closed. */
void acct_crash(struct parent *p)
{
	struct acct *a = p->acct;
	if (!a || !p->db)
		return;
	db_batch_begin(p->db);
	int n = db_acct_stop_open(p->db, 1, msg_acct_cause("crash"));
	/* those already down keep the cause they ended with */
	for (int b = 0; b < LIVE_BUCKETS; b++) {
		while (a->live[b]) {
			struct live *l = a->live[b];
			a->live[b] = l->next;
			if (l->down)
				queue(a, l->sid, ACCT_STOP, l->cause);
			free(l);
		}
	}
	if (n > 0)
		log_warnx("accounting: %d Stop record%s (NAS-Reboot) queued", n, n == 1 ? "" : "s");
}

/* Leaving: Stops still waiting for counters are queued with what the store has, and one for
 * every accounted session still open (finish() then closes them). Records not yet
 * acknowledged are sent at the next start. */
void acct_finish(struct parent *p)
{
	struct acct *a = p->acct;
	if (!a)
		return;
	for (int b = 0; b < LIVE_BUCKETS; b++) {
		while (a->live[b]) {
			struct live *l = a->live[b];
			a->live[b] = l->next;
			if (l->down && p->db) {
				db_batch_begin(p->db);
				db_acct_add(p->db, l->sid, ACCT_STOP, l->cause);
			}
			free(l);
		}
	}
	if (p->db) {
		db_batch_begin(p->db);
		if (db_acct_stop_open(p->db, 1, msg_acct_cause("shutdown")) > 0)
			log_info("accounting: Stops queued for the sessions still open at exit");
		queue_nas(p, ACCT_OFF);         /* after every Stop; all are sent at the next start */
	}
	uv_timer_stop(&a->retry);
	uv_timer_stop(&a->tick);
}
