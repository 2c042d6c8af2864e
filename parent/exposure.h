/* Locked-out local users and call admission counters, passed on to control (parent/exposure.c). */
#ifndef VPND_EXPOSURE_H
#define VPND_EXPOSURE_H

#include "common/imsg.h"
#include "parent/parent.h"

/* IMSG_LOCKOUT_STATE from keymgr, IMSG_ADM_STATS from ikemgr: 0, or -1 (protocol error) */
int  exposure_store(struct child *, const struct imsg *);

#endif
