/*
 * What each session may have, as keymgr judged it (IMSG_AUTHZ). tunmgr acts on ikemgr's
 * requests only within these records: ikemgr faces the network and may be taken over, so its
 * word alone never creates an interface, a route or an SA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "common/netpolicy.h"
#include "tunmgr/authz.h"

#define AUTHZ_BUCKETS 4096      /* 20,000 sessions: short chains */

struct authz {
	struct authz    *next;
	struct msg_authz a;
};

static struct authz *bucket[AUTHZ_BUCKETS];

struct parked {
	struct parked       *next;
	uv_timer_t           timer;
	struct msg_va_create c;
};
static struct {
	uv_loop_t      *loop;
	authz_ready_fn  ready;
	struct parked  *list;
} park;

static struct authz **slot(uint32_t id)
{
	struct authz **pp = &bucket[(id * 2654435761u) >> 20 & (AUTHZ_BUCKETS - 1)];
	while (*pp && (*pp)->a.session_id != id)
		pp = &(*pp)->next;
	return pp;
}

static void unpark(struct parked *p, int ok);

static void terminate(char *s, size_t n)
{
	s[n - 1] = 0;
}

int authz_set(const struct msg_authz *m)
{
	struct authz **pp = slot(m->session_id);
	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (!*pp)
			return -1;
	}
	struct msg_authz *a = &(*pp)->a;
	*a = *m;
	terminate(a->nem_acl, sizeof(a->nem_acl));
	terminate(a->acl_in, sizeof(a->acl_in));
	terminate(a->acl_out, sizeof(a->acl_out));
	terminate(a->acl6_in, sizeof(a->acl6_in));
	terminate(a->acl6_out, sizeof(a->acl6_out));
	if (a->nroute < 0 || a->nroute > MSG_ROUTES_MAX)
		a->nroute = 0;
	if (a->nroute6 < 0 || a->nroute6 > MSG_ROUTES_MAX)
		a->nroute6 = 0;
	for (struct parked *p = park.list; p; p = p->next)
		if (p->c.session_id == m->session_id) {
			unpark(p, 1);
			break;
		}
	return 0;
}

static void parked_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Unlink, hand back, free. */
static void unpark(struct parked *p, int ok)
{
	for (struct parked **pp = &park.list; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	uv_timer_stop(&p->timer);
	park.ready(&p->c, ok);
	uv_close((uv_handle_t *)&p->timer, parked_closed);
}

static void parked_expired(uv_timer_t *t)
{
	unpark(t->data, 0);
}

void authz_park_init(uv_loop_t *loop, authz_ready_fn ready)
{
	park.loop = loop;
	park.ready = ready;
}

int authz_park(const struct msg_va_create *c)
{
	int n = 0;
	for (struct parked *p = park.list; p; p = p->next)
		if (++n >= 1024 || p->c.session_id == c->session_id)
			return -1;      /* bounded, and one per session */
	struct parked *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->c = *c;
	uv_timer_init(park.loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, parked_expired, AUTHZ_WAIT_MS, 0);
	p->next = park.list;
	park.list = p;
	return 0;
}

const struct msg_authz *authz_get(uint32_t session_id)
{
	struct authz *z = *slot(session_id);
	return z ? &z->a : NULL;
}

void authz_del(uint32_t session_id)
{
	struct authz **pp = slot(session_id);
	if (*pp) {
		struct authz *z = *pp;
		*pp = z->next;
		free(z);
	}
}

void authz_clear(void)
{
	for (int i = 0; i < AUTHZ_BUCKETS; i++)
		while (bucket[i]) {
			struct authz *z = bucket[i];
			bucket[i] = z->next;
			free(z);
		}
}

const char *authz_check_net(const struct vpnd_conf *conf, const struct msg_authz *a,
                            struct in_addr net, int plen, char *why, size_t whylen)
{
	struct netpolicy_peer np = {
		.assigned = a->addr, .nem_acl = a->nem_acl, .route = a->route, .nroute = a->nroute,
	};
	return netpolicy_check(conf, &np, net, plen, why, whylen);
}
