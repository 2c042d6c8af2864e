/* The parent's side of the Easy VPN remote (parent/ezvpn.c, parent/ezvpn_check.c). */
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
/* The state of a configured ezvpn with nothing up: CONNECT_REQUIRED (connect manual) or IDLE. */
const char *ez_idle_state(const struct conf_ezvpn *e);

#endif
