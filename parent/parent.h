/* The parent process (root): spawns and supervises the children, writes the session store. */
#ifndef VPND_PARENT_H
#define VPND_PARENT_H

#include <limits.h>
#include <sys/types.h>
#include <sys/un.h>
#include <uv.h>

#include "common/conf.h"
#include "common/imsg.h"
#include "common/msg.h"
#include "common/proc.h"

#define PARENT_READY_TIMEOUT_MS 10000
#define PARENT_STOP_TIMEOUT_MS  4000
/* after SIGKILL, how long to wait for the last SIGCHLD before leaving anyway */
#define PARENT_KILL_GRACE_MS    500

struct parent;

struct child {
	struct parent *parent;
	int           role;         /* enum proc_role */
	const char   *name;
	pid_t         pid;          /* 0 once reaped */
	int           fd;           /* parent's end of the channel, until the imsgbuf owns it */
	struct imsgbuf ib;
	int           ib_open;
	int           ready;
	int           exited;
	int           status;       /* from waitpid */
	/* its stderr, a pipe read by logrelay.c */
	int           log_fd;
	uv_poll_t     log_poll;
	int           log_polling;
	size_t        log_len;
	char          log_buf[2400];
};

struct parent {
	uv_loop_t        loop;
	const char      *conf_file;
	struct vpnd_conf *conf;
	char             rundir[PATH_MAX];
	char             sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct db       *db;
	int              debug;
	int              daemon;       /* -D: detached, logs to syslog */
	int              pidfile;      /* DIR/vpnd.pid written (removed at exit) */

	struct child     child[ROLE_LAST + 1];     /* indexed by role; [ROLE_PARENT] unused */
	int              socks[PROC_NSOCK];        /* UDP 500, UDP 4500, raw ESP until handed out */

	uv_signal_t      sig_term, sig_int, sig_chld, sig_hup;
	uv_timer_t       ready_timer, stop_timer;
	uv_check_t       db_check;     /* commits the open batch of writes when it is due */
	uv_timer_t       db_timer;     /* ... or when it is DB_BATCH_MS old */
	int              db_flush;     /* a session or SA changed: commit this iteration */
	uv_timer_t       history_timer; /* db history keep: the daily prune (history.c) */
	int              all_ready;
	int              stopping;     /* 1: SHUTDOWN sent, 2: SIGKILL sent */
	int              exit_code;
	int              finished;
	int              crashed;      /* a child died: this run's sessions are closed */
	int              ctl_fd;       /* the listening operator socket, until control has it */
	struct acct     *acct;         /* RADIUS accounting (acct.c) */
};

/* sockets.c */
int  sockets_open(int socks[PROC_NSOCK]);
void sockets_close(int socks[PROC_NSOCK]);
/* aaa server radius dynamic-author: its UDP port on every address, for keymgr. -1 on error. */
int  sockets_open_dynauth(int socks[PROC_NSOCK], const struct vpnd_conf *conf);
int  sockets_open_metrics(int socks[PROC_NSOCK], const struct vpnd_conf *conf);
/* Warn about each configured interface address the system does not have; never applies it. */
void iface_check(const struct vpnd_conf *conf);
/* Bind the IOS-named interfaces to their Linux devices (conf_bind_devices on this host's
 * addresses); the number of errors, reported through diag. */
int  iface_bind(struct vpnd_conf *conf, conf_diag_fn diag, void *arg);

/* spawn.c: fork + re-exec the children and hand them their start-up messages */
int  spawn_children(struct parent *p);
void kill_children(struct parent *p, int sig);

/* supervise.c */
int  supervise_start(struct parent *p);
/* commit.c: the session store's group commit */
int  commit_start(struct parent *p);
void commit_stop(struct parent *p);
void commit_soon(struct parent *p);     /* at the end of this loop iteration */
/* history.c: db history keep, at start and daily */
int  history_start(struct parent *p);
void history_stop(struct parent *p);
void history_kick(struct parent *p);    /* a reload may have set or shortened DAYS: run soon */
/* Stop the children (SIGKILL at once when force), then leave the loop with code. */
void parent_shutdown(struct parent *p, int code, int force);
/* reload.c: 0 and "reloaded ..." in why, or -1 and the first error */
int  parent_reload(struct parent *p, char *why, size_t whylen);
/* A child broke the protocol: kill it, then all stop. */
void child_protocol_error(struct child *c, const char *why);
/* tunmgr's IMSG_CM_SA_UP / IMSG_CM_SA_DOWN into the store (cmap.c) */
void cmap_sa_report(struct imsgbuf *ib, struct imsg *m, void *arg);
/* Reap what exited; returns how many children are still alive. */
int  reap_children(struct parent *p);

/* acct.c: RADIUS accounting records (see there) */
int  acct_init(struct parent *p);
void acct_recover(struct parent *p);
void acct_ready(struct parent *p);

/* logsink.c: every log line's destinations; logrelay.c: the children's stderr pipes */
enum logsink_mode { LOGSINK_CONSOLE, LOGSINK_SYSLOG, LOGSINK_JOURNAL };
struct log_rec;
struct log_peer;
void logsink_open(struct parent *p, int mode);
void logsink_configure(const struct conf_logging *l, const char *hostname);
int  logsink_start(uv_loop_t *loop);
void logsink_stop(void);
void logsink_line(const char *role, int pid, const struct log_rec *r);
void logsink_own(int pri, const char *msg, const struct log_peer *peer);
int  logrelay_pipe(struct child *c, int *wr);
int  logrelay_start(struct child *c, uv_loop_t *loop);
void logrelay_close(struct child *c);
/* crypto logging session (logsession.c): %CRYPTO-5-SESSION_STATUS up and down */
void logsession_up(struct parent *p, const struct msg_session_up *u);
void logsession_down(struct parent *p, uint32_t session_id);
void logsession_free(void);

/* notify.c: the service manager's view of the daemon (sd_notify) */
void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void acct_session_up(struct parent *p, const struct msg_session_up *u);
void acct_session_down(struct parent *p, uint32_t session_id, const char *reason);
void acct_counters(struct parent *p, const struct msg_counters *k);
int  acct_result(struct parent *p, const struct msg_acct_res *r);
void acct_crash(struct parent *p);
void acct_finish(struct parent *p);

/* ezvpn.c: the Easy VPN remote's state (IMSG_EZ_STATE from ikemgr) in the session store;
 * ezvpn_reset at start and exit (nothing is up), ezvpn_reloaded after a reload */
void ezvpn_state(struct imsgbuf *ib, struct imsg *m, void *arg);
void ezvpn_reset(struct parent *p);
void ezvpn_reloaded(struct parent *p);

/* control.c: the operator socket, served by the control process */
int  control_open(struct parent *p);
/* Remove the socket's name: no new connections. */
void control_stop_listening(struct parent *p);
void control_close(struct parent *p);
/* IMSG_CTL_REQ from control (the catalogue checked its size and sender) */
void control_request(struct child *c, const struct imsg *m);
/* The operator's XAUTH answer from control, relayed to keymgr unread, and keymgr's verdict
 * back to control (parent/control.c). */
void control_ezxauth(struct child *c, const struct imsg *m);
void control_ezxauth_answered(struct child *c, const struct imsg *m);

#endif
