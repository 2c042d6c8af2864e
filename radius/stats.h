/* The RADIUS client's counters (radius/stats.c), reported to the parent for the metrics. */
#ifndef VPND_RADIUS_STATS_H
#define VPND_RADIUS_STATS_H

#include <stdint.h>
#include <uv.h>

#include "common/msg.h"
#include "radius/radius.h"

extern const uint64_t rad_stats_bounds_us[MSG_RADIUS_BUCKETS];

/* Reports through send (IMSG_RADIUS_STATS) at most once a second when they changed. */
void radius_stats_init(uv_loop_t *loop, radius_send_fn send);
void radius_stats_get(struct msg_radius_stats *out);

/* client.c's hooks; job_kind is enum radius_job_kind, result enum rad_result */
void rad_stats_submit(int job_kind);
void rad_stats_sent(int job_kind, int retransmit);
void rad_stats_timeout(void);
void rad_stats_failover(void);
void rad_stats_ignored(void);
void rad_stats_done(int job_kind, int result, uint64_t usec);

#endif
