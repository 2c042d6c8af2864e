/*
 * xauth userid mode interactive: the server's XAUTH request waits in keymgr until the
 * operator answers it (crypto ipsec client ezvpn xauth NAME). keymgr, not ikemgr, holds the
 * request because the answer is a secret on its way in: it reaches keymgr from the parent,
 * which never reads it, and leaves toward ikemgr only for the request keymgr holds, whose SA
 * keymgr already checked goes to one of that ezvpn's peers. One request per ezvpn; a newer
 * one (the server asking again after a wrong password) replaces it.
 */
#include <string.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

static struct {
	char     name[CONF_NAME_MAX];   /* "" = nothing held */
	uint32_t sa_id;
	time_t   since;
} held[CONF_MAX_EZVPN];

static int slot_of(const char *name)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (held[k].name[0] && strcmp(held[k].name, name) == 0)
			return k;
	return -1;
}

void ezp_hold(const struct conf_ezvpn *ez, uint32_t sa_id, time_t now)
{
	int k = slot_of(ez->name);
	for (int j = 0; k < 0 && j < CONF_MAX_EZVPN; j++)
		if (!held[j].name[0])
			k = j;
	if (k < 0)
		return;         /* cannot happen: one slot per configured ezvpn */
	snprintf(held[k].name, sizeof(held[k].name), "%s", ez->name);
	held[k].sa_id = sa_id;
	held[k].since = now;
}

void ezp_cancel(const struct msg_ez_xauth_req *rq)
{
	int k;
	if (!memchr(rq->ezvpn, '\0', sizeof(rq->ezvpn)) || (k = slot_of(rq->ezvpn)) < 0 ||
	    held[k].sa_id != rq->sa_id)
		return;
	memset(&held[k], 0, sizeof(held[k]));
}

/* A reload may take an ezvpn away, or make it local: what it held is void. */
void ezp_reload(const struct vpnd_conf *c)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		const struct conf_ezvpn *ez = held[k].name[0] ? conf_find_ezvpn(c, held[k].name) : NULL;
		if (!ez || ez->xauth_local)
			memset(&held[k], 0, sizeof(held[k]));
	}
}

int ezp_answer(const struct vpnd_conf *c, const struct msg_ez_xauth_answer *a,
               struct msg_ez_xauth_res *res, time_t now)
{
	const struct conf_ezvpn *ez = memchr(a->ezvpn, '\0', sizeof(a->ezvpn))
	                              ? conf_find_ezvpn(c, a->ezvpn) : NULL;
	int k = ez ? slot_of(ez->name) : -1;

	memset(res, 0, sizeof(*res));
	if (ez && ez->xauth_local)
		return EZX_NOT_INTERACTIVE;
	/* ikemgr gives up after MSG_EZ_PROMPT_WAIT and says so; this bounds a lost CANCEL */
	if (k >= 0 && now - held[k].since > MSG_EZ_PROMPT_WAIT + 5)
		memset(&held[k], 0, sizeof(held[k]));
	if (!ez || k < 0 || !held[k].name[0])
		return EZX_NONE_PENDING;
	size_t ul = strnlen(a->user, sizeof(a->user)), pl = strnlen(a->password, sizeof(a->password));
	if (ul == 0 || ul == sizeof(a->user) || pl == sizeof(a->password))
		return EZX_NONE_PENDING;    /* control sends neither; the request stays held */
	res->sa_id = held[k].sa_id;
	res->status = KEY_OK;
	memcpy(res->user, a->user, ul + 1);
	memcpy(res->password, a->password, pl + 1);
	memset(&held[k], 0, sizeof(held[k]));
	/* the user name came from a terminal: not logged, a control byte would forge a line */
	log_info("ezvpn %s: the operator's XAUTH answer goes to the server", ez->name);
	return EZX_SENT;
}
