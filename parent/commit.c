/*
 * The session store's group commit (db_batch_* in db/). Sessions and SAs coming and going
 * are committed at the end of the loop iteration that read them, together with everything
 * else it read (under load one read brings hundreds of messages). The stream of counters and
 * events (every 5 s per session) waits for DB_BATCH_ROWS rows or DB_BATCH_MS, whichever
 * comes first (the timer wakes an idle loop for it). What leaves the parent commits first
 * (acct.c's kick, crashed(), finish()), so nobody outside ever saw a fact a kill -9 could
 * take back (docs/architecture.md, "Group commit").
 */
#include "db/db.h"
#include "parent/parent.h"

static void timer_cb(uv_timer_t *t)
{
	struct parent *p = t->data;
	if (p->db != NULL)
		db_batch_commit(p->db);
}

/* After each loop iteration's I/O. */
static void check_cb(uv_check_t *h)
{
	struct parent *p = h->data;
	unsigned rows, age;
	if (p->db == NULL || !db_batch_open(p->db, &rows, &age)) {
		p->db_flush = 0;        /* committed meanwhile (acct.c's kick) */
		return;
	}
	if (p->db_flush || rows >= DB_BATCH_ROWS || age >= DB_BATCH_MS) {
		p->db_flush = 0;
		db_batch_commit(p->db);
		uv_timer_stop(&p->db_timer);
	} else if (!uv_is_active((uv_handle_t *)&p->db_timer)) {
		uv_timer_start(&p->db_timer, timer_cb, DB_BATCH_MS - age, 0);
	}
}

void commit_soon(struct parent *p)
{
	p->db_flush = 1;
}

int commit_start(struct parent *p)
{
	p->db_check.data = p;
	p->db_timer.data = p;
	if (uv_timer_init(&p->loop, &p->db_timer) != 0 ||
	    uv_check_init(&p->loop, &p->db_check) != 0 ||
	    uv_check_start(&p->db_check, check_cb) != 0)
		return -1;
	uv_unref((uv_handle_t *)&p->db_check);
	return 0;
}

void commit_stop(struct parent *p)
{
	uv_check_stop(&p->db_check);
	uv_timer_stop(&p->db_timer);
}
