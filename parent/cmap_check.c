/*
 * What the parent accepts of tunmgr's reports of manual crypto map entries (parent/cmap.c).
 * tunmgr is believed about these SAs only: no IKE negotiated them, keymgr's keys went to
 * tunmgr alone. Pure, for the unit tests (test/unit/test_db_cmap.c).
 */
#include <stddef.h>

#include "common/conf.h"
#include "parent/ezvpn.h"

/* Terminated here; printable ASCII only (it reaches show output and the log). */
static int printable(char *s, size_t size)
{
	s[size - 1] = '\0';
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* A crypto map entry's session id: never a hub session's (ikemgr's ids stay below). */
static int cm_id(uint32_t id)
{
	return id >= MSG_CM_SESSION_BASE && id - MSG_CM_SESSION_BASE < CONF_MAX_CMAPS;
}

const char *cm_sa_check(struct msg_cm_sa *u)
{
	if (!cm_id(u->sa.session_id))
		return "a crypto map SA report for a session id not of a crypto map";
	if (!printable(u->map, sizeof(u->map)) || !printable(u->iface, sizeof(u->iface)) ||
	    !printable(u->sa.ifname, sizeof(u->sa.ifname)) ||
	    !printable(u->sa.transform, sizeof(u->sa.transform)))
		return "a crypto map SA report with a name that is not printable";
	if (!u->map[0] || !u->sa.ifname[0])
		return "a crypto map SA report without its map or device";
	if (u->seq < 1 || u->seq > 65535)
		return "a crypto map SA report with a sequence number out of 1..65535";
	return NULL;
}

const char *cm_sa_down_check(struct msg_ipsec_sa_down *d)
{
	if (!cm_id(d->session_id))
		return "a crypto map SA end for a session id not of a crypto map";
	if (!printable(d->reason, sizeof(d->reason)))
		return "a crypto map SA end with a reason that is not printable";
	return NULL;
}
