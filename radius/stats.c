/*
 * The RADIUS client's counters (client.c counts, this file keeps and reports them): requests
 * and how they ended, datagrams, retransmissions, timeouts, failovers, ignored replies and
 * each request's latency. keymgr hands them to the parent, at most once a second and only
 * when they moved, so a burst of logins costs one message, not one per login.
 */
#include <string.h>

#include "radius/radius.h"
#include "radius/stats.h"

#define REPORT_MS 1000

static struct msg_radius_stats S;
static struct {
	uv_timer_t     timer;
	int            armed, init;
	radius_send_fn send;
} rep;

/* Upper bounds of the latency buckets, microseconds; the last bucket is +Inf. */
const uint64_t rad_stats_bounds_us[MSG_RADIUS_BUCKETS] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
};

static void on_report(uv_timer_t *t)
{
	(void)t;
	rep.armed = 0;
	rep.send(IMSG_RADIUS_STATS, 0, &S, sizeof(S));
}

static void changed(void)
{
	if (!rep.init || rep.armed)
		return;
	rep.armed = 1;
	uv_timer_start(&rep.timer, on_report, REPORT_MS, 0);
}

void radius_stats_init(uv_loop_t *loop, radius_send_fn send)
{
	if (rep.init)
		return;
	uv_timer_init(loop, &rep.timer);
	uv_unref((uv_handle_t *)&rep.timer);    /* never keeps keymgr's loop from ending */
	rep.send = send;
	rep.init = 1;
	/* the first report says "no request yet" rather than nothing at all */
	changed();
}

void radius_stats_get(struct msg_radius_stats *out)
{
	*out = S;
}

static int kind_of(int job_kind)
{
	return job_kind == RAD_JOB_ACCT ? RADS_ACCT : RADS_AUTH;
}

void rad_stats_submit(int job_kind)
{
	S.requests[kind_of(job_kind)]++;
	S.inflight++;
	changed();
}

void rad_stats_sent(int job_kind, int retransmit)
{
	S.sent[kind_of(job_kind)]++;
	if (retransmit)
		S.retransmits++;
	changed();
}

void rad_stats_timeout(void)
{
	S.timeouts++;
	changed();
}

void rad_stats_failover(void)
{
	S.failovers++;
	changed();
}

void rad_stats_ignored(void)
{
	S.ignored++;
	changed();
}

void rad_stats_done(int job_kind, int result, uint64_t usec)
{
	int k = kind_of(job_kind), b;

	if (result == RAD_ERROR)
		S.results[RADS_ERROR]++;
	else if (k == RADS_ACCT)
		S.results[RADS_ACCT_OK]++;
	else
		S.results[result == RAD_REJECT ? RADS_REJECT :
		          result == RAD_CHALLENGE ? RADS_CHALLENGE : RADS_ACCEPT]++;
	for (b = 0; b < MSG_RADIUS_BUCKETS && usec > rad_stats_bounds_us[b]; b++)
		;
	S.lat_bucket[k][b]++;
	S.lat_sum_us[k] += usec;
	if (S.inflight > 0)
		S.inflight--;
	changed();
}
