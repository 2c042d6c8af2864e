/* Anti-replay bitmap: see replay.h. */
#include "tunmgr/replay.h"

#include <errno.h>
#include <stdlib.h>

int
replay_init(struct replay *r, uint32_t window)
{
	uint32_t words, n;

	if (window < REPLAY_WINDOW_MIN)
		window = REPLAY_WINDOW_MIN;
	if (window > REPLAY_WINDOW_MAX)
		window = REPLAY_WINDOW_MAX;
	window = (window + 63) & ~63u;
	/*
	 * One spare word beyond the window: when the window slides into a new word that word is
	 * cleared whole, and the bits still inside the window must live in the other words.
	 * A power of two lets the ring index be a mask.
	 */
	words = window / 64 + 1;
	for (n = 1; n < words; n <<= 1)
		;
	r->bits = calloc(n, sizeof(*r->bits));
	if (r->bits == NULL)
		return -ENOMEM;
	r->top = 0;
	r->window = window;
	r->mask = n - 1;
	return 0;
}

void
replay_free(struct replay *r)
{
	free(r->bits);
	r->bits = NULL;
}

int
replay_check(const struct replay *r, uint32_t seq)
{
	if (seq == 0)
		return 0;
	if (seq > r->top)
		return 1;
	if (r->top - seq >= r->window)
		return 0;
	return !(r->bits[(seq >> 6) & r->mask] & (1ull << (seq & 63)));
}

void
replay_update(struct replay *r, uint32_t seq)
{
	uint32_t from, to, i, n;

	if (seq > r->top) {
		from = r->top >> 6;
		to = seq >> 6;
		/* A jump past the whole ring only needs each word cleared once. */
		n = to - from;
		if (n > r->mask + 1)
			n = r->mask + 1;
		for (i = 1; i <= n; i++)
			r->bits[(from + i) & r->mask] = 0;
		r->top = seq;
	}
	r->bits[(seq >> 6) & r->mask] |= 1ull << (seq & 63);
}
