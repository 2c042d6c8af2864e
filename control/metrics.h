/*
 * Prometheus metrics (text exposition format 0.0.4), served by the control process on the
 * socket the parent bound for `ip http server` (control/http.c). A scrape takes a snapshot
 * from the same sources as the shows (control/metrics.c: the session store, the pools of the
 * configuration, the parent's reports of ikemgr's admission and keymgr's RADIUS counters),
 * then renders it (control/metrics_render.c, a pure function, unit-tested).
 */
#ifndef VPND_CONTROL_METRICS_H
#define VPND_CONTROL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/msg.h"

/* A growing text buffer; failed is set once an allocation failed (the text is then cut). */
struct mbuf {
	char   *b;
	size_t  len, cap;
	int     failed;
};
void mbuf_printf(struct mbuf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mbuf_free(struct mbuf *);

struct metrics_sessions {
	char     state[16];          /* UP-ACTIVE, UP-IDLE (no IPsec SA), UP-NO-IKE */
	char     profile[64];
	char     group[MSG_GROUP_MAX];
	uint64_t n;
};
struct metrics_count {
	char     name[64];           /* a reason or a state */
	uint64_t n;
};
struct metrics_pool {
	char     name[CONF_NAME_MAX];
	uint64_t size, in_use;
};

struct metrics_snap {
	struct metrics_sessions *sessions;
	size_t   nsessions;
	uint64_t setups;                    /* sessions of this run */
	struct metrics_count *ends;         /* ended sessions of this run, by reason */
	size_t   nends;
	struct metrics_count *ike_states;   /* open IKE SAs by state */
	size_t   nike_states;
	int      have_adm;
	struct msg_adm_stats adm;
	int      have_ike;
	struct msg_ike_stats ike;           /* ikemgr's datagrams and set-up failures */
	/* the IPsec SAs of this run, summed (what show crypto ipsec sa prints per SA) */
	uint64_t esp_pkts_in, esp_pkts_out, esp_bytes_in, esp_bytes_out;
	uint64_t esp_drop_auth, esp_drop_replay, esp_recv_errors, esp_send_errors;
	uint64_t session_drops;             /* sessions.drop_other of this run */
	int      have_dp;
	struct msg_dp_stats dp;             /* tunmgr's own counters */
	int      have_radius;
	struct msg_radius_stats radius;
	int64_t  acct_queue;                /* records not acknowledged yet; -1 = unknown */
	struct metrics_pool *pools;
	size_t   npools;
};

/* Renders s; returns 0, or -1 when out of memory. */
int  metrics_render(struct mbuf *out, const struct metrics_snap *s);

/* control/metrics.c: what the parent reported (IMSG_CTL_RADIUS) */
void metrics_keep_radius(const struct msg_radius_stats *);
void metrics_keep_dp(const struct msg_dp_stats *);
void metrics_keep_ike(const struct msg_ike_stats *);
struct sqlite3;
/* The snapshot of now, from db (may be NULL: no store) and conf; 0 or -1 (err says why). */
int  metrics_collect(struct metrics_snap *s, struct sqlite3 *db, const struct vpnd_conf *conf,
                     char *err, size_t errlen);
void metrics_snap_free(struct metrics_snap *s);
/* The response body for GET /metrics, with ikemgr's admission counters (NULL: not reported
 * yet); -1 when it could not be made. */
int  metrics_text(struct mbuf *out, struct sqlite3 *db, const struct vpnd_conf *conf,
                 const struct msg_adm_stats *adm);

#endif
