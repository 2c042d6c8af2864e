/* keymgr's verdicts on sessions, as tunmgr keeps them (tunmgr/authz.c). */
#ifndef VPND_TUNMGR_AUTHZ_H
#define VPND_TUNMGR_AUTHZ_H

#include "common/conf.h"
#include "common/msg.h"

/* Add or replace the record of m->session_id. Returns 0 or -1 (out of memory). */
int  authz_set(const struct msg_authz *m);
const struct msg_authz *authz_get(uint32_t session_id);
void authz_del(uint32_t session_id);
void authz_clear(void);
/*
 * An interface request that came before keymgr's verdict (the two arrive on different
 * channels): kept for at most AUTHZ_WAIT_MS, then handed back with ok = 1 when the verdict
 * came, 0 when it did not.
 */
#define AUTHZ_WAIT_MS 3000
struct uv_loop_s;
typedef void (*authz_ready_fn)(const struct msg_va_create *, int ok);
void authz_park_init(struct uv_loop_s *, authz_ready_fn);
int  authz_park(const struct msg_va_create *);
/* NULL when the session may have net/plen routed to it or as an SA's selector; else why. */
const char *authz_check_net(const struct vpnd_conf *, const struct msg_authz *,
                            struct in_addr net, int plen, char *why, size_t whylen);

#endif
