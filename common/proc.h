/*
 * Process roles and the child side of start-up: receive the configuration and fds from the
 * parent, drop privileges, report ready. See DESIGN.md "Processes and trust".
 */
#ifndef VPND_PROC_H
#define VPND_PROC_H

#include "common/conf.h"
#include "common/msg.h"

enum proc_role { ROLE_PARENT = 0, ROLE_IKEMGR, ROLE_KEYMGR, ROLE_TUNMGR, ROLE_CONTROL };
/* the last role: loops over the children run ROLE_IKEMGR..ROLE_LAST */
#define ROLE_LAST ROLE_CONTROL

#define PROC_NSOCK 13

struct proc_boot {
	int role;                   /* enum proc_role */
	struct vpnd_conf *conf;     /* malloc'd; redacted except in keymgr */
	int parent_fd;
	int sock[PROC_NSOCK];       /* indexed by enum msg_socket_kind (SOCK_IKE500..SOCK_METRICS),
	                               -1 if absent */
	int debug;
	char *dbpath;               /* control: the session store (IMSG_CTL_DBPATH), malloc'd */
};

/* System users the children run as. */
#define PRIVSEP_USER_IKEMGR "_vpnd_ike"
#define PRIVSEP_USER_KEYMGR "_vpnd_key"
#define PRIVSEP_USER_TUNMGR "_vpnd_tun"
#define PRIVSEP_USER_CONTROL "_vpnd_ctl"
/* Empty, root-owned root directory of ikemgr, keymgr and control. */
#define PRIVSEP_CHROOT      "/var/empty/vpnd"

/*
 * Child side, blocking: take IMSG_CONF, IMSG_SOCKET and IMSG_PEER_CHANNEL until IMSG_START,
 * then privsep_drop(role) and answer IMSG_READY. Anything unexpected is fatal.
 */
void proc_bootstrap(int role, int parent_fd, int debug, struct proc_boot *out);
/* Run by proc_bootstrap as root right before privsep_drop, when set (control opens the
 * session store there: it is out of reach once chrooted). */
extern void (*proc_predrop)(struct proc_boot *);
/* Free what proc_bootstrap allocated and close the fds still held in b->sock. */
void proc_boot_free(struct proc_boot *b);

/*
 * A child's channel b failed (its on_error): when the peer broke the message catalogue, tell
 * the parent, which kills that peer, and exit. Returns when b failed for another reason.
 */
struct imsgbuf;
void proc_violation(struct imsgbuf *parent, struct imsgbuf *b);

const char *proc_role_name(int role);
/* "ikemgr" -> ROLE_IKEMGR; -1 when unknown. */
int  proc_role_from_name(const char *name);

int ikemgr_main(struct proc_boot *);
int keymgr_main(struct proc_boot *);
int tunmgr_main(struct proc_boot *);
int control_main(struct proc_boot *);

/* Become the role's user for good (chroot for ikemgr, keymgr and control); fatal on any
 * failure. */
void privsep_drop(int role);
/* Parent, as root: create the missing system users, logging each creation. Returns 0 or -1. */
int  privsep_ensure_users(void);
/* The user a role runs as, NULL for the parent. */
const char *privsep_user(int role);

#endif
