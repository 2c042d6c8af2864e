/*
 * ipv6 local pool: one /128 per session, the lowest free one first, given back when the
 * session ends. Offset 0 is skipped: prefix::0 is the subnet-router anycast address
 * (RFC 4291 2.6.1), which a client must not hold. Only the first POOL6_MAX_SIZE addresses of
 * a prefix are used: a /64 has more than any hub has sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

#define POOL6_MAX_SIZE 65536

static struct pool6_state {
	struct leases   t;            /* first; slot k is prefix + k + 1 */
	struct in6_addr prefix;
} pools[CONF_MAX_POOLS6];
static int npools;

/* prefix + off; off < 2^(128 - plen) so it only touches the host bits */
static void addr_at(const struct in6_addr *prefix, uint32_t off, struct in6_addr *out)
{
	*out = *prefix;
	for (int b = 15; b >= 12 && off; b--, off >>= 8) {
		unsigned v = out->s6_addr[b] + (off & 0xff);
		out->s6_addr[b] = (uint8_t)v;
		if (v > 0xff)
			off += 0x100;   /* carry into the next byte */
	}
}

/* the offset of a in p, 0 if a is not one of p's usable addresses */
static uint32_t offset_of(const struct pool6_state *p, const struct in6_addr *a)
{
	uint32_t off = 0;

	if (memcmp(a->s6_addr, p->prefix.s6_addr, 12) != 0)
		return 0;
	for (int b = 12; b < 16; b++)
		off = off << 8 | (uint32_t)(a->s6_addr[b] - p->prefix.s6_addr[b]);
	struct in6_addr back;
	addr_at(&p->prefix, off, &back);
	if (memcmp(&back, a, sizeof(back)) != 0 || off == 0 || off > p->t.size)
		return 0;
	return off;
}

void pool6_init(const struct vpnd_conf *conf)
{
	for (int i = 0; i < npools; i++)
		free(pools[i].t.owner);
	npools = 0;
	for (int i = 0; i < conf->npool6; i++) {
		const struct conf_pool6 *cp = &conf->pool6[i];
		int hostbits = 128 - cp->plen;
		uint64_t size = hostbits >= 32 ? UINT32_MAX : ((uint64_t)1 << hostbits) - 1;
		if (size > POOL6_MAX_SIZE)
			size = POOL6_MAX_SIZE;
		if (size == 0) {
			log_warnx("ipv6 local pool %s: a /%d has no address to give but its anycast "
			          "one, pool not used", cp->name, cp->plen);
			continue;
		}
		struct pool6_state *p = &pools[npools++];
		leases_init(&p->t, cp->name, (uint32_t)size);
		p->prefix = cp->prefix;
	}
}

static struct pool6_state *find(const char *name)
{
	return (struct pool6_state *)leases_find(pools, sizeof(pools[0]), npools, name);
}

int pool6_alloc(const char *name, uint32_t session_id, struct in6_addr *out)
{
	struct pool6_state *p = find(name);
	long k = p ? leases_take(&p->t, session_id, NULL) : -1;
	if (k < 0)
		return -1;
	addr_at(&p->prefix, (uint32_t)k + 1, out);
	return 0;
}

int pool6_claim(uint32_t session_id, const struct in6_addr *a)
{
	for (int i = 0; i < npools; i++) {
		uint32_t off = offset_of(&pools[i], a);
		if (!off)
			continue;
		uint32_t *o = &pools[i].t.owner[off - 1];
		if (*o && *o != session_id)
			return -1;
		*o = session_id;
	}
	return 0;
}

void pool6_release(uint32_t session_id, const struct in6_addr *a)
{
	for (int i = 0; i < npools; i++) {
		uint32_t off = offset_of(&pools[i], a);
		if (off && pools[i].t.owner[off - 1] == session_id)
			pools[i].t.owner[off - 1] = 0;
	}
}

int pool6_in_use(const char *name)
{
	struct pool6_state *p = find(name);
	return p ? leases_in_use(&p->t) : -1;
}

/* As pool_reload: a lease still inside a pool of the same name keeps its owner. */
void pool6_reload(const struct vpnd_conf *conf)
{
	struct pool6_state old[CONF_MAX_POOLS6];
	int nold = npools, kept = 0;

	memcpy(old, pools, sizeof(old));
	npools = 0;
	pool6_init(conf);
	for (int i = 0; i < nold; i++) {
		struct pool6_state *n = find(old[i].t.name);
		for (uint32_t k = 0; n && k < old[i].t.size; k++) {
			struct in6_addr a;
			uint32_t off;
			if (!old[i].t.owner[k])
				continue;
			addr_at(&old[i].prefix, k + 1, &a);
			if ((off = offset_of(n, &a)) != 0) {
				n->t.owner[off - 1] = old[i].t.owner[k];
				kept++;
			}
		}
		free(old[i].t.owner);
	}
	if (nold || npools)
		log_info("ipv6 pools reloaded: %d lease%s kept", kept, kept == 1 ? "" : "s");
}
