/*
 * What the parent accepts from the control process (parent/control.c acts on it): control
 * parses operator input and may be taken over, so every field the parent acts on is checked
 * here, against what an operator command can produce. Pure, for test/fuzz/fuzz_ctl_req.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/log.h"
#include "parent/ctl_check.h"

/* Names reach the log and JSON answers: printable ASCII only (as control/debug.c checks). */
static int name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n == 0 || n == max)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static int debug_ok(const struct msg_debug *d)
{
	if ((d->cats & ~DBG_ALL) || (d->errcats & ~DBG_ALL) || (d->cats & d->errcats) ||
	    (d->unmatched != 0 && d->unmatched != 1) || d->ncond < 0 ||
	    d->ncond > MSG_DEBUG_COND_MAX)
		return 0;
	for (int i = 0; i < d->ncond; i++) {
		const struct msg_debug_cond *c = &d->cond[i];
		uint32_t hm = ntohl(c->mask);
		/* a name only where the condition is one, and always terminated */
		if (c->type != DCOND_USER && c->type != DCOND_GROUP &&
		    strnlen(c->name, sizeof(c->name)) != 0)
			return 0;
		static const uint8_t zero6[16];
		if (c->type != DCOND_ADDR6 && (c->plen6 || memcmp(c->addr6, zero6, 16)))
			return 0;
		switch (c->type) {
		case DCOND_ADDR:
			/* contiguous ones, and no host bits under them */
			if ((~hm & (~hm >> 1)) != (~hm >> 1) || (c->addr & ~c->mask))
				return 0;
			break;
		case DCOND_ADDR6:
			/* a prefix length, and no bits past it */
			if (c->plen6 < 1 || c->plen6 > 128)
				return 0;
			for (int b = c->plen6; b < 128; b++)
				if (c->addr6[b / 8] & (0x80 >> (b % 8)))
					return 0;
			break;
		case DCOND_USER:
		case DCOND_GROUP:
			if (!name_ok(c->name, sizeof(c->name)))
				return 0;
			break;
		case DCOND_SPI:
			if (c->spi == 0)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

static int clear_ok(const struct msg_clear *m)
{
	size_t n = strnlen(m->name, sizeof(m->name));

	if (n == sizeof(m->name))
		return 0;
	switch (m->kind) {
	case CLEAR_USERNAME:
	case CLEAR_GROUP:
		/* any bytes a client may use in its name, but one terminated name */
		return n > 0;
	case CLEAR_REMOTE:
	case CLEAR_SA_PEER:
	case CLEAR_IKEV2_REMOTE:
	case CLEAR_IKEV2_LOCAL:
		return n == 0 && (m->peer.sa.sa_family == AF_INET || m->peer.sa.sa_family == AF_INET6);
	case CLEAR_ALL:
	case CLEAR_SA_ALL:
	case CLEAR_ISAKMP_ALL:
	case CLEAR_ISAKMP_CONN:
	case CLEAR_IKEV2_ALL:
		return n == 0;
	case CLEAR_IKEV2_ID:
		return n == 0 && m->conn_id != 0;
	default:
		return 0;
	}
}

int ctl_req_check(const struct msg_ctl_req *q, const char **why)
{
	switch (q->kind) {
	case CTL_PING:
	case CTL_SHUTDOWN:
	case CTL_RELOAD:
		return 0;
	case CTL_CLEAR:
		if (clear_ok(&q->u.clear))
			return 0;
		*why = "a clear request no command makes";
		return -1;
	case CTL_DEBUG:
		if (debug_ok(&q->u.debug))
			return 0;
		*why = "debug settings no command makes";
		return -1;
	case CTL_LOCKOUT_CLEAR:
		if ((q->u.lockout.all == 1 && q->u.lockout.user[0] == '\0') ||
		    (q->u.lockout.all == 0 && q->u.lockout.user[0] != '\0' &&
		     strnlen(q->u.lockout.user, sizeof(q->u.lockout.user)) < sizeof(q->u.lockout.user)))
			return 0;
		*why = "a lockout clear no command makes";
		return -1;
	case CTL_EZVPN:
		/* a name (connect always names one: control picks the only one), or "" = all */
		if ((q->u.ez.kind == EZ_CMD_CONNECT || q->u.ez.kind == EZ_CMD_CLEAR) &&
		    (name_ok(q->u.ez.ezvpn, sizeof(q->u.ez.ezvpn)) ||
		     (q->u.ez.kind == EZ_CMD_CLEAR && q->u.ez.ezvpn[0] == '\0')))
			return 0;
		*why = "an ezvpn command no command makes";
		return -1;
	default:
		*why = "an unknown request";
		return -1;
	}
}

int ctl_ezx_check(const struct msg_ez_xauth_answer *a)
{
	return name_ok(a->ezvpn, sizeof(a->ezvpn)) ? 0 : -1;
}
