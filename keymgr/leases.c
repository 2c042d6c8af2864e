/*
 * An address pool's leases, what pool.c (IPv4) and pool6.c (IPv6) share: one slot per address,
 * holding the session that has it (0 = free). The pools map addresses to slots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

void leases_init(struct leases *t, const char *name, uint32_t size)
{
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->size = size;
	t->owner = calloc(size, sizeof(uint32_t));
	if (!t->owner)
		fatal("pool %s", name);
}

struct leases *leases_find(void *first, size_t stride, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		struct leases *t = (struct leases *)((char *)first + (size_t)i * stride);
		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}

long leases_take(struct leases *t, uint32_t session_id,
                 int (*usable)(const struct leases *, uint32_t slot))
{
	for (uint32_t i = 0; i < t->size; i++) {
		if (usable && !usable(t, i))
			continue;
		if (t->owner[i] == session_id || t->owner[i] == 0) {
			t->owner[i] = session_id;
			return (long)i;
		}
	}
	return -1;
}

int leases_in_use(const struct leases *t)
{
	int n = 0;
	for (uint32_t i = 0; i < t->size; i++)
		n += t->owner[i] != 0;
	return n;
}
