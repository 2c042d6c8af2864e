// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_ctl_req.c parent/ctl_check.c -o fuzz_ctl_req
/*
 * A request from the control process, which parses operator input and may be taken over: any
 * bytes as struct msg_ctl_req. The parent's check must not read past the struct, and what it
 * accepts must be what the parent can act on safely: every name it will log or pass on
 * terminated inside its field, debug categories and conditions that common/log.c knows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "parent/ctl_check.h"

static void must(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_ctl_req *q = malloc(sizeof(*q));
	const char *why = NULL;

	if (q == NULL)
		return 0;
	memset(q, 0, sizeof(*q));
	memcpy(q, data, size < sizeof(*q) ? size : sizeof(*q));
	if (ctl_req_check(q, &why) == -1) {
		must(why != NULL && why[0] != '\0');
		free(q);
		return 0;
	}
	switch (q->kind) {
	case CTL_CLEAR:
		must(q->u.clear.kind >= CLEAR_ALL && q->u.clear.kind <= CLEAR_IKEV2_LOCAL);
		must(q->u.clear.kind != CLEAR_IKEV2_ID || q->u.clear.conn_id != 0);
		must(memchr(q->u.clear.name, 0, sizeof(q->u.clear.name)) != NULL);
		break;
	case CTL_DEBUG:
		must(!(q->u.debug.cats & ~DBG_ALL) && !(q->u.debug.errcats & ~DBG_ALL));
		must(q->u.debug.ncond >= 0 && q->u.debug.ncond <= MSG_DEBUG_COND_MAX);
		for (int i = 0; i < q->u.debug.ncond; i++)
			must(memchr(q->u.debug.cond[i].name, 0, sizeof(q->u.debug.cond[i].name)) != NULL);
		break;
	case CTL_LOCKOUT_CLEAR:
		must(q->u.lockout.all == 0 || q->u.lockout.all == 1);
		must(memchr(q->u.lockout.user, 0, sizeof(q->u.lockout.user)) != NULL);
		break;
	case CTL_EZVPN:
		must(q->u.ez.kind == EZ_CMD_CONNECT || q->u.ez.kind == EZ_CMD_CLEAR);
		must(memchr(q->u.ez.ezvpn, 0, sizeof(q->u.ez.ezvpn)) != NULL);
		must(q->u.ez.kind == EZ_CMD_CLEAR || q->u.ez.ezvpn[0] != '\0');
		break;
	default:
		must(q->kind == CTL_PING || q->kind == CTL_SHUTDOWN || q->kind == CTL_RELOAD);
	}
	free(q);
	return 0;
}
