/* Anti-replay window (tunmgr/replay.c) and the SPI hash table (tunmgr/sadb.c). */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "tunmgr/replay.h"
#include "tunmgr/sadb.h"

/* check-then-update, as the ESP input path does */
static int
rx(struct replay *r, uint32_t seq)
{
	if (!replay_check(r, seq))
		return 0;
	replay_update(r, seq);
	return 1;
}

Test(replay, sizes)
{
	struct replay r;

	cr_assert_eq(replay_init(&r, 0), 0);
	cr_assert_eq(r.window, 1024);
	replay_free(&r);
	cr_assert_eq(replay_init(&r, 1500), 0);
	cr_assert_eq(r.window, 1536, "rounded up to a multiple of 64");
	replay_free(&r);
	cr_assert_eq(replay_init(&r, 1u << 30), 0);
	cr_assert_eq(r.window, REPLAY_WINDOW_MAX);
	replay_free(&r);
}

Test(replay, zero_is_invalid)
{
	struct replay r;

	replay_init(&r, 1024);
	cr_assert_eq(replay_check(&r, 0), 0);
	cr_assert_eq(rx(&r, 1), 1);
	cr_assert_eq(replay_check(&r, 0), 0);
	replay_free(&r);
}

Test(replay, in_order_and_duplicates)
{
	struct replay r;

	replay_init(&r, 1024);
	for (uint32_t s = 1; s <= 10000; s++) {
		cr_assert_eq(rx(&r, s), 1, "seq %u", s);
		cr_assert_eq(rx(&r, s), 0, "seq %u again", s);
		if (s > 1)
			cr_assert_eq(replay_check(&r, s - 1), 0);
	}
	replay_free(&r);
}

Test(replay, window_edges)
{
	struct replay r;

	replay_init(&r, 1024);
	cr_assert_eq(rx(&r, 5000), 1);
	cr_assert_eq(replay_check(&r, 5000 - 1024), 0, "just outside");
	cr_assert_eq(rx(&r, 5000 - 1023), 1, "oldest inside");
	cr_assert_eq(rx(&r, 5000 - 1023), 0);
	cr_assert_eq(rx(&r, 1), 0);
	/* check does not change anything */
	cr_assert_eq(replay_check(&r, 4999), 1);
	cr_assert_eq(replay_check(&r, 4999), 1);
	cr_assert_eq(rx(&r, 4999), 1);
	/* sliding by one word at a time keeps old bits */
	cr_assert_eq(rx(&r, 5064), 1);
	cr_assert_eq(rx(&r, 4999), 0);
	cr_assert_eq(replay_check(&r, 5064 - 1024), 0);
	cr_assert_eq(rx(&r, 5064 - 1023), 1);
	replay_free(&r);
}

Test(replay, big_jump_clears)
{
	struct replay r;

	replay_init(&r, 1024);
	for (uint32_t s = 1; s <= 3000; s++)
		rx(&r, s);
	/* far beyond the ring: stale bits from 3000 - 2048*k must not survive */
	cr_assert_eq(rx(&r, 3000 + 100000), 1);
	for (uint32_t s = 3000 + 100000 - 1023; s < 3000 + 100000; s++)
		cr_assert_eq(rx(&r, s), 1, "seq %u", s);
	/* a jump of exactly the ring size (2048 bits = 32 words for a 1024 window) */
	cr_assert_eq(rx(&r, 103000 + 2048), 1);
	cr_assert_eq(rx(&r, 103000 + 2048 - 1000), 1);
	cr_assert_eq(rx(&r, 103000 + 2048 - 1), 1);
	replay_free(&r);
}

Test(replay, top_of_range)
{
	struct replay r;

	replay_init(&r, 1024);
	cr_assert_eq(rx(&r, UINT32_MAX), 1);
	cr_assert_eq(rx(&r, UINT32_MAX), 0);
	cr_assert_eq(rx(&r, UINT32_MAX - 1023), 1);
	cr_assert_eq(rx(&r, UINT32_MAX - 1024), 0);
	replay_free(&r);
}

/* Against a plain reference model: a set of seen numbers and the highest one. */
Test(replay, random_against_model)
{
	enum { N = 20000 };
	static uint8_t seen[N + 1];
	uint32_t top = 0;
	struct replay r;

	srand(1234);
	replay_init(&r, 2048);
	cr_assert_eq(r.window, 2048);
	for (int i = 0; i < 200000; i++) {
		/* mostly forward, with reordering and duplicates */
		int64_t s = (int64_t)top + (rand() % 300) - 250;
		int want, got;

		if (s < 1 || s > N)
			continue;
		want = !seen[s] && (top < (uint32_t)s || top - (uint32_t)s < 2048);
		got = rx(&r, (uint32_t)s);
		cr_assert_eq(got, want, "seq %lld top %u", (long long)s, top);
		if (got) {
			seen[s] = 1;
			if ((uint32_t)s > top)
				top = (uint32_t)s;
		}
	}
	replay_free(&r);
}

/* --- sadb --- */

Test(sadb, insert_lookup_remove)
{
	struct sadb *db = sadb_new();
	int a, b;

	cr_assert_not_null(db);
	cr_assert_null(sadb_lookup(db, 1));
	cr_assert_eq(sadb_insert(db, 1, &a), 0);
	cr_assert_eq(sadb_insert(db, 2, &b), 0);
	cr_assert_eq(sadb_insert(db, 1, &b), -EEXIST);
	cr_assert_eq(sadb_insert(db, 0, &b), -EINVAL);
	cr_assert_eq(sadb_lookup(db, 1), &a);
	cr_assert_eq(sadb_lookup(db, 2), &b);
	cr_assert_null(sadb_lookup(db, 0));
	cr_assert_eq(sadb_count(db), 2);
	cr_assert_eq(sadb_remove(db, 1), &a);
	cr_assert_null(sadb_remove(db, 1));
	cr_assert_null(sadb_lookup(db, 1));
	cr_assert_eq(sadb_lookup(db, 2), &b);
	cr_assert_eq(sadb_count(db), 1);
	sadb_free(db);
	sadb_free(NULL);
}

static void
count_cb(uint32_t spi, void *entry, void *arg)
{
	cr_assert_eq((uintptr_t)entry, (uintptr_t)spi * 2);
	(*(size_t *)arg)++;
}

/* Many entries, growth, and removals in random order against a reference array. */
Test(sadb, random_against_model)
{
	enum { N = 5000 };
	static uint32_t spis[N];
	static int present[N];
	struct sadb *db = sadb_new();
	size_t n = 0, visited = 0;

	srand(42);
	for (int i = 0; i < N; i++) {
		/* distinct, nonzero, and clustered low bits to stress probing */
		spis[i] = (uint32_t)(i + 1) << (i % 3 == 0 ? 16 : 0) | (uint32_t)(i % 7);
		for (int j = 0; j < i; j++)
			if (spis[j] == spis[i])
				spis[i] = 0x80000000u | (uint32_t)i;
	}
	for (int round = 0; round < 100000; round++) {
		int i = rand() % N;

		if (present[i]) {
			cr_assert_eq(sadb_lookup(db, spis[i]), (void *)((uintptr_t)spis[i] * 2));
			if (rand() % 2) {
				cr_assert_eq(sadb_remove(db, spis[i]), (void *)((uintptr_t)spis[i] * 2));
				present[i] = 0;
				n--;
			}
		} else {
			cr_assert_null(sadb_lookup(db, spis[i]));
			cr_assert_eq(sadb_insert(db, spis[i], (void *)((uintptr_t)spis[i] * 2)), 0);
			present[i] = 1;
			n++;
		}
		cr_assert_eq(sadb_count(db), n);
	}
	for (int i = 0; i < N; i++)
		cr_assert_eq(sadb_lookup(db, spis[i]),
		    present[i] ? (void *)((uintptr_t)spis[i] * 2) : NULL, "spi %08x", spis[i]);
	sadb_foreach(db, count_cb, &visited);
	cr_assert_eq(visited, n);
	sadb_free(db);
}

Test(sadb, grow_and_drain)
{
	struct sadb *db = sadb_new();

	for (uint32_t s = 1; s <= 100000; s++)
		cr_assert_eq(sadb_insert(db, s * 2654435761u, (void *)(uintptr_t)s), 0);
	cr_assert_eq(sadb_count(db), 100000);
	for (uint32_t s = 1; s <= 100000; s++)
		cr_assert_eq(sadb_remove(db, s * 2654435761u), (void *)(uintptr_t)s);
	cr_assert_eq(sadb_count(db), 0);
	cr_assert_null(sadb_lookup(db, 2654435761u));
	sadb_free(db);
}
