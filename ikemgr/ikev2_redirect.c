/*
 * Redirect in IKE_SA_INIT (RFC 5685 3): a gateway past its cluster's `slave max-session`
 * answers a new client that announced REDIRECT_SUPPORTED with REDIRECT naming another
 * gateway, and keeps no state. vpnd's cluster is static (no HSRP, no load reports), so the
 * target is the next `peer` of the cluster in turn, never the address the client reached. A
 * client that says it was redirected already (REDIRECTED_FROM) is served, so two busy
 * gateways cannot send it back and forth.
 */
#include <string.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define GW_IPV4 1
#define GW_IPV6 2

static int has_notify(const struct ikev2_chain *c, uint16_t type)
{
	struct ikev2_notify n;
	for (int i = 0; i < c->n; i++)
		if (c->pl[i].type == IKEV2_NP_N &&
		    ikev2_parse_notify(c->pl[i].body, c->pl[i].len, &n) == 0 && n.type == type)
			return 1;
	return 0;
}

/* IKEv2 sessions on this gateway: SAs past IKE_SA_INIT */
static int sessions(void)
{
	return v2.nsa - v2.nhalfopen;
}

int ikev2_redirect_init(const struct ikev2_hdr *h, const struct ikev2_chain *c,
                        const struct ikev2_pl *nonce, const union sa46 *peer,
                        const union sa46 *local, int port4500)
{
	const struct conf_ikev2 *v = &ike.conf->v2;
	const struct conf_ikev2_cluster *cl = &v->cluster;
	static unsigned next;
	if (!v->redirect_init || !cl->enabled || !cl->max_session || !cl->npeer ||
	    sessions() < cl->max_session || !has_notify(c, IKEV2_N_REDIRECT_SUPPORTED) ||
	    has_notify(c, IKEV2_N_REDIRECTED_FROM))
		return 0;
	const union sa46 *gw = NULL;
	for (int k = 0; k < cl->npeer && !gw; k++) {
		const union sa46 *g = &cl->peer[(next + (unsigned)k) % (unsigned)cl->npeer];
		if (!sa46_same_addr(g, local))
			gw = g;
	}
	next++;
	if (!gw)
		return 0;
	/* GW Ident Type, GW Ident Len, the gateway, then Ni (it proves the answer is ours) */
	uint8_t data[2 + 16 + 256];
	size_t alen;
	const void *a = sa46_addr(gw, &alen);
	if (nonce->len > 256)
		return 0;
	data[0] = alen == 16 ? GW_IPV6 : GW_IPV4;
	data[1] = (uint8_t)alen;
	memcpy(data + 2, a, alen);
	memcpy(data + 2 + alen, nonce->body, nonce->len);
	static const uint8_t zero[8];
	ikev2_notify_clear(h->spi_i, zero, peer, local, port4500, IKEV2_N_REDIRECT, data,
	                   2 + alen + nonce->len);
	v2.redirects++;
	char to[SA46_STRLEN], from[SA46_STRLEN];
	log_info("IKEv2: %s redirected to %s (%d sessions, cluster max-session %d)",
	         sa46_ntop(peer, from), sa46_ntop(gw, to), sessions(), cl->max_session);
	return 1;
}
