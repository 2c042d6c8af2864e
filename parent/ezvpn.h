/* The parent's side of what dials out: the Easy VPN remote (parent/ezvpn.c, ezvpn_check.c)
 * and manual crypto map entries (parent/cmap.c, cmap_check.c). */
#ifndef VPND_PARENT_EZVPN_H
#define VPND_PARENT_EZVPN_H

#include "common/conf.h"
#include "common/msg.h"

/*
 * ikemgr's IMSG_EZ_STATE as the parent accepts it: the strings are terminated here, then must
 * be printable ASCII (they reach show output and the log), the name and state not empty, the
 * split networks within MSG_ROUTES_MAX with prefix lengths 0..32. NULL when it is acceptable,
 * else why not (a static string). Pure, for the unit tests.
 */
const char *ez_state_check(struct msg_ez_state *s);

/*
 * tunmgr's IMSG_CM_SA_UP / IMSG_CM_SA_DOWN as the parent accepts them (cmap_check.c): a
 * session id from MSG_CM_SESSION_BASE (a crypto map's, never a hub session's), strings
 * terminated here and printable, a map, a device and a sequence number 1..65535. NULL when
 * acceptable, else why not.
 */
const char *cm_sa_check(struct msg_cm_sa *u);
const char *cm_sa_down_check(struct msg_ipsec_sa_down *d);

#endif
