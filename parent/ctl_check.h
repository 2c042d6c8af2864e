/* The parent's check of the control process's requests (parent/ctl_check.c). */
#ifndef VPND_CTL_CHECK_H
#define VPND_CTL_CHECK_H

#include "common/msg.h"

/* 0 when an operator command could have made Q; else -1 and why (a static string). */
int ctl_req_check(const struct msg_ctl_req *q, const char **why);

/* 0 when A names an ezvpn as control can (its username and password are not read). */
int ctl_ezx_check(const struct msg_ez_xauth_answer *a);

#endif
