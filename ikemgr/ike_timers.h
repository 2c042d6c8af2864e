/*
 * Deadlines as a binary min-heap: each IKE SA owns one entry armed at its earliest deadline,
 * so a second with nothing due costs one comparison, whatever the number of SAs. Entries are
 * intrusive (no allocation per arm); the heap's array grows only in tmr_reserve, which the
 * owner calls when it creates an entry, so arming never fails.
 */
#ifndef VPND_IKEMGR_IKE_TIMERS_H
#define VPND_IKEMGR_IKE_TIMERS_H

#include <stddef.h>
#include <time.h>

struct tmr {
	time_t   when;
	size_t   slot;          /* position in the heap + 1; 0: not armed */
};

struct tmr_heap {
	struct tmr **v;
	size_t   n, cap;
};

int  tmr_reserve(struct tmr_heap *, size_t entries);   /* -1: no memory */
void tmr_arm(struct tmr_heap *, struct tmr *, time_t when);     /* arm or move */
void tmr_arm_sooner(struct tmr_heap *, struct tmr *, time_t when); /* only ever earlier */
void tmr_cancel(struct tmr_heap *, struct tmr *);
struct tmr *tmr_pop_due(struct tmr_heap *, time_t now);  /* unarmed on return */
void tmr_free(struct tmr_heap *);

static inline int tmr_armed(const struct tmr *t)
{
	return t->slot != 0;
}

#endif
