/* Acct-Terminate-Cause for the reasons sessions end with (see docs/operator.md, Accounting). */
#include <string.h>

#include "common/msg.h"

/* RFC 2866 5.10 */
enum { TC_USER_REQUEST = 1, TC_LOST_CARRIER = 2, TC_IDLE_TIMEOUT = 4, TC_SESSION_TIMEOUT = 5,
       TC_ADMIN_RESET = 6, TC_ADMIN_REBOOT = 7, TC_NAS_REQUEST = 10, TC_NAS_REBOOT = 11 };

int msg_acct_cause(const char *reason)
{
	static const struct { const char *prefix; int cause; } map[] = {
		{ "peer delete", TC_USER_REQUEST },
		{ "DPD", TC_LOST_CARRIER },
		{ "no response", TC_LOST_CARRIER },
		{ "replaced", TC_LOST_CARRIER },
		{ "idle timeout", TC_IDLE_TIMEOUT },
		{ "session timeout", TC_SESSION_TIMEOUT },
		{ "admin clear", TC_ADMIN_RESET },
		{ "radius disconnect", TC_ADMIN_RESET },
		{ "reload", TC_ADMIN_RESET },
		{ "shutdown", TC_ADMIN_REBOOT },
		{ "crash", TC_NAS_REBOOT },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(reason, map[i].prefix, strlen(map[i].prefix)))
			return map[i].cause;
	return TC_NAS_REQUEST;
}
