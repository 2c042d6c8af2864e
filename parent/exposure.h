/*
 * Locked-out local users and call admission counters, as the children last reported them
 * (parent/exposure.c), and the control commands that show and clear them.
 */
#ifndef VPND_EXPOSURE_H
#define VPND_EXPOSURE_H

#include "common/imsg.h"
#include "parent/parent.h"

struct control_conn;

/* IMSG_LOCKOUT_STATE from keymgr, IMSG_ADM_STATS from ikemgr: 0, or -1 (protocol error) */
int  exposure_store(struct child *, const struct imsg *);
void exposure_cmd_show_lockout(struct control_conn *, int argc, char **argv);
void exposure_cmd_clear_lockout(struct control_conn *, int argc, char **argv);
void exposure_cmd_show_cac(struct control_conn *, int argc, char **argv);

#endif
