/* The control process (control/ctlproc.c): the operator socket, unprivileged and chrooted. */
#ifndef VPND_CTLPROC_H
#define VPND_CTLPROC_H

#include "common/proc.h"

/* As root, before the drop: open the session store read-only (proc_predrop). */
void control_predrop(struct proc_boot *);

#endif
