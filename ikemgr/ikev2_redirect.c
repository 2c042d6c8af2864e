/*
 * Redirect (RFC 5685): a gateway past its cluster's `slave max-session` answers a new client
 * that announced REDIRECT_SUPPORTED with REDIRECT naming another gateway: in IKE_SA_INIT
 * (`redirect gateway init`, no state kept) or once the client is authenticated, in the
 * IKE_AUTH answer instead of a session (`redirect gateway auth`, the SA then deleted). vpnd's cluster is static (no HSRP, no load reports), so the
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

int ikev2_redirect_ok(const struct ikev2_chain *c)
{
	return has_notify(c, IKEV2_N_REDIRECT_SUPPORTED) && !has_notify(c, IKEV2_N_REDIRECTED_FROM);
}

/* The gateway to send a client to: the cluster's next peer that is not local, or NULL when
 * this gateway is not past its max-session (or has no cluster to redirect to). */
static const union sa46 *target(const union sa46 *local)
{
	const struct conf_ikev2_cluster *cl = &ike.conf->v2.cluster;
	static unsigned next;
	const union sa46 *gw = NULL;
	if (!cl->enabled || !cl->max_session || !cl->npeer || sessions() < cl->max_session)
		return NULL;
	for (int k = 0; k < cl->npeer && !gw; k++) {
		const union sa46 *g = &cl->peer[(next + (unsigned)k) % (unsigned)cl->npeer];
		if (!sa46_same_addr(g, local))
			gw = g;
	}
	next++;
	return gw;
}

/* GW Ident Type, GW Ident Len, the gateway (RFC 5685 8); its length */
static size_t gw_ident(const union sa46 *gw, uint8_t *out)
{
	size_t alen;
	const void *a = sa46_addr(gw, &alen);
	out[0] = alen == 16 ? GW_IPV6 : GW_IPV4;
	out[1] = (uint8_t)alen;
	memcpy(out + 2, a, alen);
	return 2 + alen;
}

int ikev2_redirect_init(const struct ikev2_hdr *h, const struct ikev2_chain *c,
                        const struct ikev2_pl *nonce, const union sa46 *peer,
                        const union sa46 *local, int port4500)
{
	const union sa46 *gw;
	if (!ike.conf->v2.redirect_init || !ikev2_redirect_ok(c) || nonce->len > 256 ||
	    !(gw = target(local)))
		return 0;
	/* the gateway, then Ni (it proves the answer is to this request) */
	uint8_t data[2 + 16 + 256];
	size_t n = gw_ident(gw, data);
	memcpy(data + n, nonce->body, nonce->len);
	static const uint8_t zero[8];
	ikev2_notify_clear(h->spi_i, zero, peer, local, port4500, IKEV2_N_REDIRECT, data,
	                   n + nonce->len);
	v2.redirects++;
	char to[SA46_STRLEN], from[SA46_STRLEN];
	log_info("IKEv2: %s redirected to %s (%d sessions, cluster max-session %d)",
	         sa46_ntop(peer, from), sa46_ntop(gw, to), sessions(),
	         ike.conf->v2.cluster.max_session);
	return 1;
}

int ikev2_redirect_auth(struct ikev2_sa *sa)
{
	const union sa46 *gw;
	struct ikev2_auth_req *r = sa->auth;
	if (!ike.conf->v2.redirect_auth || !sa->redirect_ok || !r || !(gw = target(&sa->s.local)))
		return 0;
	/* IDr and AUTH (the client authenticates us before it follows), then REDIRECT without
	 * a nonce; no CHILD_SA */
	uint8_t data[2 + 16];
	size_t n = gw_ident(gw, data), sk;
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int ok = ikev2_begin_sk(sa, &b, IKEV2_EXCH_AUTH, r->msgid, 1, &sk) == 0;
	if (ok) {
		if (r->eap != 2)        /* after EAP they went out when it began */
			ikev2_put_id_cert(sa, &b);
		ikev2_put_typed(&b, IKEV2_NP_AUTH, (uint8_t)r->auth_r_method, r->auth_r,
		                r->auth_r_len);
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_REDIRECT, data, n);
		ok = ikev2_seal(sa, &b, sk) == 0;
	}
	if (ok)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
	v2.redirects++;
	char to[SA46_STRLEN], why[80];
	snprintf(why, sizeof(why), "redirected to %s after IKE_AUTH", sa46_ntop(gw, to));
	log_info("IKEv2 session %u ('%s'): %s (%d sessions, cluster max-session %d)", sa->s.id,
	         sa->s.user, why, sessions(), ike.conf->v2.cluster.max_session);
	ikev2_sa_delete(sa, why, 0);
	return 1;
}
