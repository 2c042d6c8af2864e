/*
 * db history keep DAYS: the parent, the store's only writer, prunes the session history at
 * start and then once a day. One batch per timer run (db_prune_history), the next one a moment
 * later, so sessions coming and going are written between batches however long the history.
 * The configuration is read at each run, and a reload starts one at once, so setting or
 * shortening DAYS takes effect without waiting a day.
 */
#include <time.h>
#include <uv.h>

#include "common/log.h"
#include "db/db.h"
#include "parent/parent.h"

#define HISTORY_FIRST_MS  (10 * 1000)          /* after start, once the children are up */
#define HISTORY_DAY_MS    (24 * 3600 * 1000ULL)
#define HISTORY_NEXT_MS   20                   /* between batches of one run */
#define HISTORY_BATCH     1000

static long run_deleted;    /* rows of the run under way, for its one log line */

static void history_cb(uv_timer_t *t)
{
	struct parent *p = t->data;
	int days = p->conf != NULL ? p->conf->db_history_keep_days : 0;
	long n = 0;
	int more;

	if (days <= 0 || p->db == NULL || p->stopping) {
		uv_timer_start(t, history_cb, HISTORY_DAY_MS, 0);
		return;
	}
	more = db_prune_history(p->db, (double)time(NULL) - days * 86400.0, HISTORY_BATCH, &n);
	run_deleted += n;
	if (more == 1) {
		uv_timer_start(t, history_cb, HISTORY_NEXT_MS, 0);
		return;
	}
	if (more == 0 && run_deleted > 0)
		log_info("db history keep %d: %ld rows older than %d days deleted", days, run_deleted,
		         days);
	run_deleted = 0;
	uv_timer_start(t, history_cb, HISTORY_DAY_MS, 0);
}

int history_start(struct parent *p)
{
	p->history_timer.data = p;
	if (uv_timer_init(&p->loop, &p->history_timer) != 0)
		return -1;
	/* never what keeps the loop running */
	uv_unref((uv_handle_t *)&p->history_timer);
	return uv_timer_start(&p->history_timer, history_cb, HISTORY_FIRST_MS, 0) == 0 ? 0 : -1;
}

void history_kick(struct parent *p)
{
	if (uv_is_active((uv_handle_t *)&p->history_timer))
		uv_timer_start(&p->history_timer, history_cb, HISTORY_NEXT_MS, 0);
}

void history_stop(struct parent *p)
{
	uv_timer_stop(&p->history_timer);
}
