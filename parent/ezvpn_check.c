/*
 * What the parent accepts of ikemgr's Easy VPN state reports. ikemgr faces the network and
 * relays what a server sent (address, mask, split networks): the fields are displayed, never
 * acted on, so odd values are stored as they are; only what no correct ikemgr sends (strings
 * that are not text, counts out of range) is a protocol error.
 */
#include <string.h>

#include "parent/ezvpn.h"

#define TERMINATE(a) ((a)[sizeof(a) - 1] = '\0')

static int text_ok(const char *s, int blank_ok)
{
	for (; *s; s++)
		if (*s < (blank_ok ? 0x20 : 0x21) || *s > 0x7e)
			return 0;
	return 1;
}

const char *ez_state_check(struct msg_ez_state *s)
{
	TERMINATE(s->ezvpn);
	TERMINATE(s->state);
	TERMINATE(s->last_event);
	TERMINATE(s->ifname);
	if (s->ezvpn[0] == '\0' || !text_ok(s->ezvpn, 0))
		return "an ezvpn state without a printable name";
	if (s->state[0] == '\0' || !text_ok(s->state, 1) || !text_ok(s->last_event, 1))
		return "an ezvpn state or event that is not printable text";
	if (!text_ok(s->ifname, 0) || (s->ifname[0] != '\0' && s->unit < 0))
		return "an ezvpn state with a bad interface";
	if (s->nsplit < 0 || s->nsplit > MSG_ROUTES_MAX)
		return "an ezvpn state with a split network count out of range";
	for (int k = 0; k < s->nsplit; k++)
		if (s->split[k].plen < 0 || s->split[k].plen > 32)
			return "an ezvpn state with a split network prefix length out of range";
	return NULL;
}
