/*
 * keymgr's answers to ikemgr: SKEYID from pre-shared keys, XAUTH verdicts with the session
 * policy, and address pools. Pure functions over the configuration, so they are unit-tested
 * without a process around them.
 */
#ifndef VPND_KEYMGR_H
#define VPND_KEYMGR_H

#include "common/conf.h"
#include "common/msg.h"

void keymgr_init(const struct vpnd_conf *conf);
void keymgr_skeyid(const struct msg_skeyid_req *, struct msg_skeyid_res *);
void keymgr_xauth(const struct msg_xauth_req *, struct msg_xauth_res *);
void keymgr_session_end(const struct msg_session_end *);

/* keyring.c: the key for a main mode peer by address (order in keyring.c). key points into
 * the configuration; profile and keyring may be NULL (global key, no profile). */
struct key_choice {
	const char *key;
	const struct conf_isakmp_profile *profile;
	const struct conf_keyring *keyring;
};
int  keymgr_key_by_addr(const struct vpnd_conf *, struct in_addr local, struct in_addr peer,
                        struct key_choice *out);

/* pool.c */
void pool_init(const struct vpnd_conf *conf);
/* Returns 0 and the address, or -1 when the pool is exhausted or unknown. */
int  pool_alloc(const char *pool, uint32_t session_id, struct in_addr *out);
void pool_release(uint32_t session_id, struct in_addr a);
int  pool_in_use(const char *pool);

/* logins.c: sessions per group and per user, for max-users and max-logins */
int  logins_check(const char *group, const char *user, int max_users, int max_logins,
                  const uint32_t *replaces, int nreplaces, char *why, size_t whylen);
int  logins_add(uint32_t session_id, const char *group, const char *user);
void logins_del(uint32_t session_id);
int  logins_count(const char *group, const char *user);

#endif
