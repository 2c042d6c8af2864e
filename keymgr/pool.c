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
	char      name[CONF_NAME_MAX];
	uint32_t  start, size;        /* host order */
	uint32_t *owner;              /* session id per address, 0 = free */
} pools[CONF_MAX_POOLS];
static int npools;

void pool_init(const struct vpnd_conf *conf)
{
	for (int i = 0; i < npools; i++)
		free(pools[i].owner);
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
		struct pool_state *p = &pools[npools];
		snprintf(p->name, sizeof(p->name), "%s", conf->pool[i].name);
		p->start = s;
		p->size = (uint32_t)size;
		p->owner = calloc(p->size, sizeof(uint32_t));
		if (!p->owner)
			fatal("pool %s", p->name);
		npools++;
	}
}

static struct pool_state *find(const char *name)
{
	for (int i = 0; i < npools; i++)
		if (!strcmp(pools[i].name, name))
			return &pools[i];
	return NULL;
}

int pool_alloc(const char *name, uint32_t session_id, struct in_addr *out)
{
	struct pool_state *p = find(name);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < p->size; i++) {
		/* An address ending in .0 or .255 confuses some clients' stacks: skip them. */
		uint32_t a = p->start + i;
		if ((a & 0xff) == 0 || (a & 0xff) == 255)
			continue;
		if (p->owner[i] == session_id || p->owner[i] == 0) {
			p->owner[i] = session_id;
			out->s_addr = htonl(a);
			return 0;
		}
	}
	return -1;
}

int pool_claim(uint32_t session_id, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	for (int i = 0; i < npools; i++) {
		struct pool_state *p = &pools[i];
		if (h < p->start || h - p->start >= p->size)
			continue;
		uint32_t *o = &p->owner[h - p->start];
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
		if (h >= p->start && h - p->start < p->size && p->owner[h - p->start] == session_id)
			p->owner[h - p->start] = 0;
	}
}

int pool_in_use(const char *name)
{
	struct pool_state *p = find(name);
	int n = 0;
	if (!p)
		return -1;
	for (uint32_t i = 0; i < p->size; i++)
		n += p->owner[i] != 0;
	return n;
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
		struct pool_state *n = find(old[i].name);
		for (uint32_t k = 0; n && k < old[i].size; k++) {
			uint32_t a = old[i].start + k;
			if (old[i].owner[k] && a >= n->start && a - n->start < n->size) {
				n->owner[a - n->start] = old[i].owner[k];
				kept++;
			}
		}
		free(old[i].owner);
	}
	log_info("address pools reloaded: %d lease%s kept", kept, kept == 1 ? "" : "s");
}
