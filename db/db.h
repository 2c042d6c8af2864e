/*
 * The session store: one SQLite file (WAL), written only by the parent.
 * Readers (vpnctl) open it read-only.
 */
#ifndef VPND_DB_H
#define VPND_DB_H

#include <stddef.h>
#include <stdint.h>
#include "common/msg.h"

struct db;

/* Open or create PATH, apply migrations; returns NULL with a logged reason. */
struct db *db_open(const char *path);
void       db_close(struct db *);
/* This run's number (runs.id): with a session id it names a session across restarts. */
uint32_t   db_run_id(const struct db *);
/* Sessions still open from a previous run (crash): close them with REASON. Returns how many. */
int        db_close_stale(struct db *, const char *reason);
/* Sessions still open in this run (a child died): close them with REASON, counters kept.
 * Returns how many. */
int        db_close_run(struct db *, const char *reason);
int        db_session_up(struct db *, const struct msg_session_up *);
int        db_session_down(struct db *, uint32_t session_id, const char *reason);
int        db_counters(struct db *, const struct msg_counters *);
int        db_event(struct db *, uint32_t session_id, const char *what);
/* The SA tables (schema 2). A session's SAs also end when the session does. */
int        db_ike_sa_up(struct db *, const struct msg_ike_sa *);
int        db_ike_sa_down(struct db *, uint32_t session_id, const char *reason);
int        db_ipsec_sa_up(struct db *, const struct msg_ipsec_sa *);
int        db_ipsec_sa_down(struct db *, uint32_t spi_in, const char *reason);
int        db_sa_counters(struct db *, const struct msg_sa_counters *);
/*
 * RADIUS accounting (db_acct.c). db_session_acct marks a session as accounted to a server
 * group, with its Class. db_acct_add queues a record built from the session's row (counters,
 * times); db_acct_stop_open queues a Stop for every accounted session still open in this run
 * (this_run) or in earlier ones (crash). Both return how many records were queued.
 * db_acct_head reads the oldest record not acknowledged (1, or 0 when none);
 * db_acct_result records what became of it (enum msg_acct_result).
 */
int        db_session_acct(struct db *, uint32_t session_id, const char *group,
                           const uint8_t *class_, size_t class_len);
int        db_acct_add(struct db *, uint32_t session_id, int status, int cause);
int        db_acct_stop_open(struct db *, int this_run, int cause);
/* ... and for earlier runs also the accounted sessions of the last run that ended within its
 * last DB_ACCT_STOP_WINDOW_S seconds with no Stop queued (the parent was killed while their
 * Stop waited for the final counters). */
#define DB_ACCT_STOP_WINDOW_S 10.0
/* Accounting-On or -Off (ACCT_ON, ACCT_OFF) to a server group, queued like the others. */
int        db_acct_add_nas(struct db *, int status, const char *group);
int        db_acct_head(struct db *, struct msg_acct *);
int        db_acct_result(struct db *, int64_t qid, int result, const char *server,
                          const char *why);
/* Forget acknowledged records older than a unix time. */
int        db_acct_prune(struct db *, double older_than);
/*
 * db history keep (db_history.c): delete up to BATCH rows per table of what ended before
 * OLDER_THAN (unix time): closed sessions, ended IKE and IPsec SAs, events of sessions not
 * up. 1 when a table gave a full batch (call again), 0 when done, -1 after a logged error;
 * *deleted: rows deleted in all.
 */
int        db_prune_history(struct db *, double older_than, int batch, long *deleted);
/* Group writes into one transaction: begin before a write (no-op inside one), commit when
 * the batch is due (the parent: DB_BATCH_ROWS rows or DB_BATCH_MS, whichever comes first) and
 * before anything leaves that depends on it. db_batch_open: 1 if a batch is open, with the
 * rows written in it and its age. */
#define DB_BATCH_ROWS 1000
#define DB_BATCH_MS   20
void       db_batch_begin(struct db *);
void       db_batch_commit(struct db *);
int        db_batch_open(struct db *, unsigned *rows, unsigned *age_ms);
/*
 * Easy VPN remote (db_ezvpn.c, schema 5): table ezvpn, one row per `crypto ipsec client ezvpn`
 * name holding its current state. db_ez_state replaces the row of M's name (addresses of 0
 * and an empty interface are stored as NULL, the split networks as "A/LEN A/LEN ...").
 * db_ez_reset puts NAME's row, if any, back to STATE with last event EVENT and nothing else
 * (no peer, address, interface or session): what was up is gone after a restart.
 * db_ez_prune deletes the rows of names not among KEEP[0..NKEEP-1] and returns how many.
 */
int        db_ez_state(struct db *, const struct msg_ez_state *m);
int        db_ez_reset(struct db *, const char *name, const char *state, const char *event);
int        db_ez_prune(struct db *, const char *const *keep, int nkeep);
/* the split networks as stored: "10.2.1.0/24 10.3.0.0/16", "" for none */
void       db_ez_split_text(const struct msg_route *r, int n, char *buf, size_t len);
/* Manual crypto map entries (db_cmap.c, schema 6): a row of ipsec_sas with crypto_map set;
 * db_cm_sa_down ends only such a row. */
int        db_cm_sa_up(struct db *, const struct msg_cm_sa *m);
int        db_cm_sa_down(struct db *, uint32_t session_id, uint32_t spi_in, const char *reason);
/* The schema version this binary writes; vpnctl refuses a file with another one. */
int        db_schema_version(void);

/*
 * IOS's status of an open session, as an SQL expression over a sessions row named s: UP-ACTIVE
 * with its IKE SA and an IPsec SA, UP-IDLE without an IPsec SA, UP-NO-IKE with IPsec but no
 * IKE SA left. `show crypto session` and the metrics both use it, so they agree.
 */
#define DB_SESSION_STATUS_SQL \
	"CASE WHEN NOT EXISTS (SELECT 1 FROM ipsec_sas p WHERE p.run_id = s.run_id" \
	"  AND p.session_id = s.session_id AND p.ended IS NULL) THEN 'UP-IDLE'" \
	" WHEN EXISTS (SELECT 1 FROM ike_sas i WHERE i.run_id = s.run_id" \
	"  AND i.session_id = s.session_id AND i.ended IS NULL) THEN 'UP-ACTIVE'" \
	" ELSE 'UP-NO-IKE' END"

#endif
