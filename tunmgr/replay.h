/*
 * ESP anti-replay window (RFC 4303 section 3.4.3), kept as a ring of 64-bit words in the
 * manner of RFC 6479: sliding the window forward clears whole words instead of shifting the
 * bitmap, so an update costs O(1) however far the window jumps.
 *
 * Usage on the inbound path: replay_check() before spending any crypto on a packet, then
 * replay_update() only once its ICV verified, so a forged packet cannot move the window.
 * Not thread-safe: one SA is processed by one thread at a time.
 */
#ifndef VPND_REPLAY_H
#define VPND_REPLAY_H

#include <stdint.h>

#define REPLAY_WINDOW_MIN 1024u
#define REPLAY_WINDOW_MAX 65536u

struct replay {
	uint32_t  top;          /* highest sequence number accepted so far, 0 = none yet */
	uint32_t  window;       /* packets: sequence numbers in (top - window, top] are tracked */
	uint32_t  mask;         /* nwords - 1 (nwords is a power of two) */
	uint64_t *bits;         /* ring: bit (seq & 63) of word ((seq >> 6) & mask) */
};

/* window: packets; raised to REPLAY_WINDOW_MIN, capped at REPLAY_WINDOW_MAX, rounded up to a
 * multiple of 64. Returns 0, or -ENOMEM. */
int  replay_init(struct replay *, uint32_t window);
void replay_free(struct replay *);

/* 1 if seq may be accepted (new, or inside the window and not yet seen), 0 if not.
 * Sequence number 0 is never valid (the sender starts at 1). */
int  replay_check(const struct replay *, uint32_t seq);

/* Record seq as received, sliding the window forward if seq is the newest. Call only after
 * replay_check() said yes and the packet authenticated. */
void replay_update(struct replay *, uint32_t seq);

#endif
