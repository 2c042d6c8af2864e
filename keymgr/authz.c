/*
 * keymgr's verdicts on sessions, told to tunmgr directly (IMSG_AUTHZ): the address a client
 * was given, the networks its group, profile or RADIUS server lets it have, its access lists
 * and interface settings. tunmgr installs nothing outside them, so a taken-over ikemgr cannot
 * route other people's traffic into a tunnel of its choosing.
 *
 * The verdict goes out before keymgr answers ikemgr, on another channel; tunmgr waits a
 * little for it when ikemgr's request overtakes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

#define AUTHZ_BUCKETS 4096

struct kauthz {
	struct kauthz   *next;
	struct msg_authz a;
};

static struct kauthz *bucket[AUTHZ_BUCKETS];
static keymgr_send_fn to_tunmgr;

static struct kauthz **slot(uint32_t id)
{
	struct kauthz **pp = &bucket[(id * 2654435761u) >> 20 & (AUTHZ_BUCKETS - 1)];
	while (*pp && (*pp)->a.session_id != id)
		pp = &(*pp)->next;
	return pp;
}

void authz_init(keymgr_send_fn send)
{
	to_tunmgr = send;
}

static void publish(const struct msg_authz *a)
{
	struct kauthz **pp = slot(a->session_id);
	if (!*pp && !(*pp = calloc(1, sizeof(**pp))))
		fatal("calloc");
	(*pp)->a = *a;
	if (to_tunmgr)
		to_tunmgr(IMSG_AUTHZ, a->session_id, a, sizeof(*a));
}

void authz_grant(uint32_t session_id, const struct msg_policy *p)
{
	struct msg_authz a;
	memset(&a, 0, sizeof(a));
	a.session_id = session_id;
	a.addr = p->addr;
	a.addr6 = p->addr6;
	snprintf(a.nem_acl, sizeof(a.nem_acl), "%s", p->nem_acl);
	snprintf(a.acl_in, sizeof(a.acl_in), "%s", p->inacl);
	snprintf(a.acl_out, sizeof(a.acl_out), "%s", p->outacl);
	snprintf(a.acl6_in, sizeof(a.acl6_in), "%s", p->inacl6);
	snprintf(a.acl6_out, sizeof(a.acl6_out), "%s", p->outacl6);
	a.mtu = p->mtu;
	a.tcp_mss = p->tcp_mss;
	a.nroute = p->nroute < 0 ? 0 : p->nroute > MSG_ROUTES_MAX ? MSG_ROUTES_MAX : p->nroute;
	memcpy(a.route, p->route, sizeof(a.route));
	a.nroute6 = p->nroute6 < 0 ? 0 : p->nroute6 > MSG_ROUTES_MAX ? MSG_ROUTES_MAX : p->nroute6;
	memcpy(a.route6, p->route6, sizeof(a.route6));
	a.deleg6 = p->deleg6;
	publish(&a);
}

void authz_grant_s2s(uint32_t session_id, const struct conf_isakmp_profile *pr)
{
	struct msg_authz a;
	memset(&a, 0, sizeof(a));
	a.session_id = session_id;
	if (pr)
		snprintf(a.nem_acl, sizeof(a.nem_acl), "%s", pr->nem_acl);
	publish(&a);
}

void authz_set_acl(uint32_t session_id, const char *acl_in)
{
	struct kauthz *z = *slot(session_id);
	if (!z)
		return;
	struct msg_authz a = z->a;
	snprintf(a.acl_in, sizeof(a.acl_in), "%s", acl_in);
	publish(&a);
}

void authz_revoke(uint32_t session_id)
{
	struct kauthz **pp = slot(session_id);
	if (!*pp)
		return;
	struct kauthz *z = *pp;
	*pp = z->next;
	free(z);
	struct msg_authz_del d = { session_id };
	if (to_tunmgr)
		to_tunmgr(IMSG_AUTHZ_DEL, session_id, &d, sizeof(d));
}
