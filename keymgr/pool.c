/*
 * ip local pool: the lowest free address goes to the next session; it comes back when the
 * session ends. One owner table per pool, indexed by offset from the start address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

#define POOL_MAX_SIZE 65536

static struct pool_state {
	struct leases t;              /* first: a struct leases * is a struct pool_state * */
	uint32_t      start;          /* host order; slot k is start + k */
} pools[CONF_MAX_POOLS];
static int npools;

void pool_init(const struct vpnd_conf *conf)
{
	for (int i = 0; i < npools; i++)
		free(pools[i].t.owner);
	npools = 0;
	for (int i = 0; i < conf->npool; i++) {
		uint32_t s = ntohl(conf->pool[i].start.s_addr), e = ntohl(conf->pool[i].end.s_addr);
		if (e < s)
			continue;
		uint64_t size = (uint64_t)e - s + 1;
		if (size > POOL_MAX_SIZE) {
			log_warnx("ip local pool %s: %llu addresses, only the first %d are used",
			          conf->pool[i].name, (unsigned long long)size, POOL_MAX_SIZE);
			size = POOL_MAX_SIZE;
		}
		struct pool_state *p = &pools[npools++];
		leases_init(&p->t, conf->pool[i].name, (uint32_t)size);
		p->start = s;
	}
}

static struct pool_state *find(const char *name)
{
	return (struct pool_state *)leases_find(pools, sizeof(pools[0]), npools, name);
}

/* An address ending in .0 or .255 confuses some clients' stacks: never given. */
static int usable(const struct leases *t, uint32_t slot)
{
	uint32_t a = ((const struct pool_state *)t)->start + slot;
	return (a & 0xff) != 0 && (a & 0xff) != 255;
}

int pool_alloc(const char *name, uint32_t session_id, struct in_addr *out)
{
	struct pool_state *p = find(name);
	long k = p ? leases_take(&p->t, session_id, usable) : -1;
	if (k < 0)
		return -1;
	out->s_addr = htonl(p->start + (uint32_t)k);
	return 0;
}

int pool_claim(uint32_t session_id, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	for (int i = 0; i < npools; i++) {
		struct pool_state *p = &pools[i];
		if (h < p->start || h - p->start >= p->t.size)
			continue;
		uint32_t *o = &p->t.owner[h - p->start];
		if (*o && *o != session_id)
			return -1;
		*o = session_id;
	}
	return 0;
}

void pool_release(uint32_t session_id, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	for (int i = 0; i < npools; i++) {
		struct pool_state *p = &pools[i];
		if (h >= p->start && h - p->start < p->t.size && p->t.owner[h - p->start] == session_id)
			p->t.owner[h - p->start] = 0;
	}
}

int pool_in_use(const char *name)
{
	struct pool_state *p = find(name);
	return p ? leases_in_use(&p->t) : -1;
}

/*
 * Pools after a configuration reload: rebuilt from the new ranges; a lease whose address is
 * still in a pool of the same name keeps its owner, so live sessions keep their addresses
 * and nobody else is given them.
 */
void pool_reload(const struct vpnd_conf *conf)
{
	struct pool_state old[CONF_MAX_POOLS];
	int nold = npools;
	memcpy(old, pools, sizeof(old));
	npools = 0;          /* pool_init must not free the old tables: they are copied from */
	pool_init(conf);
	int kept = 0;
	for (int i = 0; i < nold; i++) {
		struct pool_state *n = find(old[i].t.name);
		for (uint32_t k = 0; n && k < old[i].t.size; k++) {
			uint32_t a = old[i].start + k;
			if (old[i].t.owner[k] && a >= n->start && a - n->start < n->t.size) {
				n->t.owner[a - n->start] = old[i].t.owner[k];
				kept++;
			}
		}
		free(old[i].t.owner);
	}
	log_info("address pools reloaded: %d lease%s kept", kept, kept == 1 ? "" : "s");
}
