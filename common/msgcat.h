/*
 * The message catalogue: for every imsg type, its payload size, who may send it, who may
 * receive it and whether it carries an fd. common/imsg.c checks each message against it
 * before any dispatch, so a handler never sees a message its process should not get, or one
 * of the wrong size, from a peer that should not send it.
 */
#ifndef VPND_MSGCAT_H
#define VPND_MSGCAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/msg.h"

enum msgcat_fd { MSG_FD_NONE = 0, MSG_FD_MAY, MSG_FD_MUST };

struct msg_def {
	const char *name;           /* NULL: no such message */
	uint32_t    size;           /* the payload's size; with var, its minimum */
	uint32_t    var;            /* 0: exactly size bytes; else at most size + var */
	uint8_t     from, to;       /* MSGCAT_ROLE() bits of the roles that may send / receive */
	uint8_t     fd;             /* enum msgcat_fd */
	uint8_t     droppable;      /* dropped, and counted, when the peer's queue is full */
};

#define MSGCAT_ROLE(r) (1u << (r))  /* r: enum proc_role */

const struct msg_def *msgcat_get(uint32_t type);
/* "IMSG_SA_ADD", or "type N" for an unknown type (a static buffer then). */
const char *msgcat_name(uint32_t type);
/*
 * 0 when a message of this type, from role `from` to role `to`, with len payload bytes and
 * an fd or not, is one the catalogue allows; else -1 and why.
 */
int msgcat_check(uint32_t type, int from, int to, size_t len, int hasfd, char *why,
                 size_t whylen);

#endif
