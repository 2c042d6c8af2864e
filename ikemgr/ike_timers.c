/*
 * A binary min-heap of deadlines (see ike_timers.h). Each entry knows its slot, so moving or
 * cancelling one is O(log n) without a search.
 */
#include <stdlib.h>

#include "ikemgr/ike_timers.h"

static void put(struct tmr_heap *h, size_t i, struct tmr *t)
{
	h->v[i] = t;
	t->slot = i + 1;
}

static void up(struct tmr_heap *h, size_t i)
{
	struct tmr *t = h->v[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h->v[p]->when <= t->when)
			break;
		put(h, i, h->v[p]);
		i = p;
	}
	put(h, i, t);
}

static void down(struct tmr_heap *h, size_t i)
{
	struct tmr *t = h->v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->when < h->v[c]->when)
			c++;
		if (t->when <= h->v[c]->when)
			break;
		put(h, i, h->v[c]);
		i = c;
	}
	put(h, i, t);
}

int tmr_reserve(struct tmr_heap *h, size_t entries)
{
	if (entries <= h->cap)
		return 0;
	size_t cap = h->cap ? h->cap : 64;
	while (cap < entries)
		cap *= 2;
	struct tmr **v = realloc(h->v, cap * sizeof(*v));
	if (!v)
		return -1;
	h->v = v;
	h->cap = cap;
	return 0;
}

void tmr_arm(struct tmr_heap *h, struct tmr *t, time_t when)
{
	if (!t->slot) {
		if (h->n >= h->cap && tmr_reserve(h, h->n + 1) < 0)
			abort();        /* the owner did not reserve: a bug, not a shortage */
		t->when = when;
		put(h, h->n++, t);
		up(h, h->n - 1);
		return;
	}
	time_t old = t->when;
	t->when = when;
	if (when < old)
		up(h, t->slot - 1);
	else if (when > old)
		down(h, t->slot - 1);
}

void tmr_arm_sooner(struct tmr_heap *h, struct tmr *t, time_t when)
{
	if (!t->slot || when < t->when)
		tmr_arm(h, t, when);
}

void tmr_cancel(struct tmr_heap *h, struct tmr *t)
{
	if (!t->slot)
		return;
	size_t i = t->slot - 1;
	t->slot = 0;
	struct tmr *last = h->v[--h->n];
	if (i == h->n)
		return;
	put(h, i, last);
	if (i > 0 && h->v[(i - 1) / 2]->when > last->when)
		up(h, i);
	else
		down(h, i);
}

struct tmr *tmr_pop_due(struct tmr_heap *h, time_t now)
{
	if (!h->n || h->v[0]->when > now)
		return NULL;
	struct tmr *t = h->v[0];
	tmr_cancel(h, t);
	return t;
}

void tmr_free(struct tmr_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
