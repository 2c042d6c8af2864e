/*
 * IKE_AUTH's answer, responder side, once keymgr has judged the peer (ikev2_auth.c): the
 * session authorized (address, DNS, split networks), tunmgr's Virtual-Access interface and
 * CHILD_SA, then IDr, AUTH, the configuration payload and the CHILD_SA go out (RFC 7296 1.2,
 * 2.19), so the client's first packet finds its SA. Each answer from another process finds
 * the SA by session id and checks the state it waits in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

int ikev2_xauth_res(uint32_t peerid, const struct msg_xauth_res *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (sa->state != V2_S_AUTHORIZING || !sa->auth)
		return 1;
	if (res->status != XAUTH_OK) {
		char why[sizeof(res->message) + 32], m[sizeof(res->message)];
		memcpy(m, res->message, sizeof(m));
		m[sizeof(m) - 1] = 0;
		snprintf(why, sizeof(why), "not authorized: %s", m);
		ikev2_auth_fail(sa, sa->auth->msgid, res->status == XAUTH_NO_ADDRESS ?
		     IKEV2_N_INTERNAL_ADDRESS_FAILURE : IKEV2_N_AUTHENTICATION_FAILED, why);
		return 1;
	}
	sa->s.policy = res->policy;
	sa->s.have_policy = 1;
	/* IPv6 inside is an addition: asked for, in the pool, and carried by the template */
	sa->s.addr6_given = sa->auth->want_ip6 && !IN6_IS_ADDR_UNSPECIFIED(&res->policy.addr6) &&
	                    ike_session_inner6(&sa->s);
	sa->state = V2_S_WAIT_VA;
	ike_session_request_va(&sa->s, sa->s.policy.addr, 32);
	return 1;
}

/* IDr and, signing, our certificate. */
void ikev2_put_id_cert(const struct ikev2_sa *sa, struct isakmp_buf *b)
{
	const struct ikev2_auth_req *r = sa->auth;
	isakmp_put_payload(b, IKEV2_NP_IDR, r->idr_b, r->idr_b_len);
	const struct conf_trustpoint *tp = r->tp[0] ? conf_find_trustpoint(ike.conf, r->tp) : NULL;
	if (tp && tp->cert_len)
		ikev2_put_cert(b, tp->cert_der, tp->cert_len);
}

/* IDr, AUTH, CP (the address, netmask, DNS, split networks), then the CHILD_SA or why not. */
static int build_answer(struct ikev2_sa *sa, struct isakmp_buf *b)
{
	struct ikev2_auth_req *r = sa->auth;
	size_t sk;
	if (ikev2_begin_sk(sa, b, IKEV2_EXCH_AUTH, r->msgid, 1, &sk) < 0)
		return -1;
	if (r->eap != 2)    /* after EAP, IDr and our certificate went out when it began */
		ikev2_put_id_cert(sa, b);
	ikev2_put_typed(b, IKEV2_NP_AUTH, (uint8_t)r->auth_r_method, r->auth_r, r->auth_r_len);
	uint8_t cp[512];
	long n = 4;
	const struct msg_policy *p = &sa->s.policy;
	memset(cp, 0, 4);
	cp[0] = IKEV2_CFG_REPLY;
	n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_ADDRESS, &p->addr, 4);
	if (n > 0 && p->netmask.s_addr)
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_NETMASK,
		                  &p->netmask, 4);
	for (int i = 0; n > 0 && i < p->ndns && i < 2; i++)
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_DNS, &p->dns[i], 4);
	for (int i = 0; n > 0 && i < p->nsplit; i++) {
		uint8_t v[8];
		memcpy(v, &p->split[i].net, 4);
		memcpy(v + 4, &p->split[i].mask, 4);
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_SUBNET, v, 8);
	}
	if (n > 0 && sa->s.addr6_given) {
		/* 3.15.1: the address and its prefix length; the DNS servers with it */
		uint8_t v6[17];
		memcpy(v6, &p->addr6, 16);
		v6[16] = 128;
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_ADDRESS, v6, 17);
		for (int i = 0; n > 0 && i < p->ndns6 && i < 2; i++)
			n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_DNS,
			                  &p->dns6[i], 16);
		for (int i = 0; n > 0 && i < p->nsplit6 && i < MSG_SPLIT_MAX; i++) {
			uint8_t hi[16];
			ikev2_range6(&p->split6[i].net, p->split6[i].plen, v6, hi);
			v6[16] = (uint8_t)p->split6[i].plen;
			n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_SUBNET,
			                  v6, 17);
		}
	}
	if (n < 0)
		return -1;
	isakmp_put_payload(b, IKEV2_NP_CP, cp, (size_t)n);
	if (r->child_error)
		ikev2_put_notify(b, 0, NULL, 0, (uint16_t)r->child_error, NULL, 0);
	else
		ikev2_child_put(sa, r, b);
	return ikev2_seal(sa, b, sk);
}

/* The answer goes out; the SA is established (with or without its CHILD_SA). */
static void answer(struct ikev2_sa *sa)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int ok = build_answer(sa, &b) == 0;
	if (ok)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
	if (!ok) {
		ikev2_sa_delete(sa, "IKE_AUTH answer not built", 0);
		return;
	}
	ikev2_established(sa);
	v2.auth_ok++;
	struct ikev2_auth_req *r = sa->auth;
	if (r->child_error) {
		/* the IKE SA stands (2.21.1): the peer may still create a CHILD_SA we accept;
		 * without one it ends after NO_CHILD_SECS (ikev2_sa.c) */
		log_info("IKEv2 session %u ('%s'): no acceptable CHILD_SA (notify %d)", sa->s.id,
		         sa->s.user, r->child_error);
		sa->auth = NULL;
		explicit_bzero(r, sizeof(*r));
		free(r);
		return;
	}
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sa->s.policy.addr, ip, sizeof(ip));
	log_info("IKEv2 session %u: '%s' (profile %s) up on %s, address %s, SA %08x/%08x%s",
	         sa->s.id, sa->s.user, sa->s.v2profile->name, sa->s.ifname, ip, ntohl(r->c.spi_in),
	         ntohl(r->c.spi_out), r->c.encap_mode == IPSEC_ENCAP_TUNNEL ? "" : " (ESP in UDP)");
	sa->auth = NULL;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

int ikev2_va_created(uint32_t peerid, const struct msg_va_created *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (sa->state != V2_S_WAIT_VA || !sa->auth)
		return 1;
	if (res->status) {
		sa->s.va_requested = 0;
		ikev2_auth_fail(sa, sa->auth->msgid, IKEV2_N_TEMPORARY_FAILURE, "interface not created");
		return 1;
	}
	ike_session_va_ready(&sa->s, res);
	struct ikev2_auth_req *r = sa->auth;
	r->child_error = ikev2_child_choose(sa, r);
	if (r->child_error) {
		answer(sa);
		return 1;
	}
	if (ikev2_child_install(sa, sa, &r->c, 0, NULL, 0, sa->ni, sa->nilen, sa->nr,
	                        sa->nrlen) < 0) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_TEMPORARY_FAILURE, "CHILD_SA keys not derived");
		return 1;
	}
	sa->held_spi = r->c.spi_in;
	sa->state = V2_S_WAIT_SA;
	return 1;
}

int ikev2_sa_added(uint32_t peerid, const struct msg_sa_added *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (ikev2_rekey_added(sa, res) || ikev2_hub_added(sa, res))
		return 1;
	if (sa->state != V2_S_WAIT_SA || !sa->auth || res->spi_in != sa->held_spi)
		return 1;
	struct ikev2_auth_req *r = sa->auth;
	if (res->status) {
		/* tunmgr refused it (its own check of the selectors, a duplicate SPI) */
		log_rl("IKEv2 session %u: tunmgr did not install SA %08x (%s)", sa->s.id,
		       ntohl(res->spi_in), strerror(res->status));
		r->child_error = IKEV2_N_TS_UNACCEPTABLE;
		answer(sa);
		return 1;
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (c->used)
			continue;
		*c = r->c;
		c->used = 1;
		c->installed = 1;
		c->created = time(NULL);
		answer(sa);
		/* answer() freed r; c is the session's own copy */
		if ((sa = ikev2_sa_by_id(peerid)) != NULL && sa->state == V2_S_ESTABLISHED) {
			ike_session_up(&sa->s, &sa->s.child[i]);
			sa->s.ops->sync(&sa->s);
		}
		return 1;
	}
	r->child_error = IKEV2_N_NO_ADDITIONAL_SAS;
	answer(sa);
	return 1;
}
