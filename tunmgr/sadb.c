/* SPI hash table: see sadb.h. */
#include "tunmgr/sadb.h"

#include <errno.h>
#include <stdlib.h>

#define SADB_MIN_SLOTS 64

struct sadb_slot {
	uint32_t spi;           /* 0 = empty: SPI 0 is reserved and never inserted */
	void    *entry;
};

struct sadb {
	struct sadb_slot *slot;
	size_t nslots;          /* power of two */
	size_t count;
};

/*
 * SPIs are chosen at random by us (inbound), but a peer could pick its own outbound SPIs to
 * collide if we ever hashed those, so mix all bits anyway (multiplicative hash, golden ratio).
 */
static size_t
sadb_hash(uint32_t spi, size_t mask)
{
	return (size_t)((spi * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static struct sadb_slot *
sadb_alloc_slots(size_t n)
{
	return calloc(n, sizeof(struct sadb_slot));
}

struct sadb *
sadb_new(void)
{
	struct sadb *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->nslots = SADB_MIN_SLOTS;
	db->slot = sadb_alloc_slots(db->nslots);
	if (db->slot == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void
sadb_free(struct sadb *db)
{
	if (db == NULL)
		return;
	free(db->slot);
	free(db);
}

static void
sadb_place(struct sadb_slot *slot, size_t mask, uint32_t spi, void *entry)
{
	size_t i = sadb_hash(spi, mask);

	while (slot[i].spi != 0)
		i = (i + 1) & mask;
	slot[i].spi = spi;
	slot[i].entry = entry;
}

static int
sadb_grow(struct sadb *db)
{
	size_t n = db->nslots * 2, i;
	struct sadb_slot *s = sadb_alloc_slots(n);

	if (s == NULL)
		return -ENOMEM;
	for (i = 0; i < db->nslots; i++)
		if (db->slot[i].spi != 0)
			sadb_place(s, n - 1, db->slot[i].spi, db->slot[i].entry);
	free(db->slot);
	db->slot = s;
	db->nslots = n;
	return 0;
}

static struct sadb_slot *
sadb_find(const struct sadb *db, uint32_t spi)
{
	size_t mask = db->nslots - 1, i = sadb_hash(spi, mask);

	/* The load factor stays <= 1/2, so an empty slot always ends the probe. */
	while (db->slot[i].spi != 0) {
		if (db->slot[i].spi == spi)
			return &db->slot[i];
		i = (i + 1) & mask;
	}
	return NULL;
}

int
sadb_insert(struct sadb *db, uint32_t spi, void *entry)
{
	int rc;

	if (spi == 0)
		return -EINVAL;
	if (sadb_find(db, spi) != NULL)
		return -EEXIST;
	if ((db->count + 1) * 2 > db->nslots && (rc = sadb_grow(db)) != 0)
		return rc;
	sadb_place(db->slot, db->nslots - 1, spi, entry);
	db->count++;
	return 0;
}

void *
sadb_remove(struct sadb *db, uint32_t spi)
{
	struct sadb_slot *s;
	size_t mask = db->nslots - 1, hole, i, home;
	void *entry;

	if (spi == 0 || (s = sadb_find(db, spi)) == NULL)
		return NULL;
	entry = s->entry;
	hole = (size_t)(s - db->slot);
	/*
	 * Backward-shift deletion: pull later members of the probe run into the hole when the hole
	 * lies on their way from their home slot, so no tombstones are needed.
	 */
	for (i = (hole + 1) & mask; db->slot[i].spi != 0; i = (i + 1) & mask) {
		home = sadb_hash(db->slot[i].spi, mask);
		/* move if home is not cyclically in (hole, i] */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			db->slot[hole] = db->slot[i];
			hole = i;
		}
	}
	db->slot[hole].spi = 0;
	db->slot[hole].entry = NULL;
	db->count--;
	return entry;
}

void *
sadb_lookup(const struct sadb *db, uint32_t spi)
{
	const struct sadb_slot *s;

	if (spi == 0)
		return NULL;
	s = sadb_find(db, spi);
	return s != NULL ? s->entry : NULL;
}

size_t
sadb_count(const struct sadb *db)
{
	return db->count;
}

void
sadb_foreach(const struct sadb *db, void (*cb)(uint32_t, void *, void *), void *arg)
{
	size_t i;

	for (i = 0; i < db->nslots; i++)
		if (db->slot[i].spi != 0)
			cb(db->slot[i].spi, db->slot[i].entry, arg);
}
