/*
 * Locked-out local users and call admission counters, as the children last reported them
 * (control/exposure.c), and the control commands that show and clear them.
 */
#ifndef VPND_CONTROL_EXPOSURE_H
#define VPND_CONTROL_EXPOSURE_H

#include "common/imsg.h"

struct control_conn;

/* IMSG_CTL_LOCKOUT, IMSG_CTL_ADM from the parent: 0, or -1 (protocol error) */
int  exposure_keep(const struct imsg *);
/* The admission counters as ikemgr last reported them; 0 when it has not yet. */
int  exposure_adm(struct msg_adm_stats *out);
void exposure_cmd_show_lockout(struct control_conn *, int argc, char **argv);
void exposure_cmd_clear_lockout(struct control_conn *, int argc, char **argv);
void exposure_cmd_show_cac(struct control_conn *, int argc, char **argv);

#endif
