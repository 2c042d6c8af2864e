/*
 * The CHILD_SA an IKE_AUTH carries (RFC 7296 1.2, 2.9, 2.17): its proposal against the ipsec
 * profile's transform sets, its traffic selectors narrowed, its keys derived and handed to
 * tunmgr bound to the session's interface.
 *
 * Narrowing is the rule IKEv1's quick mode follows for remote-access clients: the client's
 * side is its own address from the configuration payload (never the networks it claims), the
 * hub's side is what the policy gives it (the split networks, else everything), each cut down
 * to what the peer proposed. tunmgr checks the client side again against keymgr's grant.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "ikemgr/ikev2_proposal.h"

/* The part of [lo, hi] (IPv4, host order) inside one of the peer's IPv4 selectors, with the
 * peer's protocol and ports; 0 if none. Only the first overlap is taken. */
static int narrow4(const struct ikev2_tsl *peer, uint32_t lo, uint32_t hi, struct ikev2_ts *out)
{
	for (int i = 0; i < peer->n; i++) {
		const struct ikev2_ts *t = &peer->ts[i];
		if (t->type != IKEV2_TS_IPV4_ADDR_RANGE)
			continue;
		uint32_t plo, phi;
		memcpy(&plo, t->lo, 4);
		memcpy(&phi, t->hi, 4);
		plo = ntohl(plo);
		phi = ntohl(phi);
		uint32_t a = lo > plo ? lo : plo, b = hi < phi ? hi : phi;
		if (a > b)
			continue;
		*out = *t;
		a = htonl(a);
		b = htonl(b);
		memcpy(out->lo, &a, 4);
		memcpy(out->hi, &b, 4);
		return 1;
	}
	return 0;
}

/* The same for IPv6 (16-byte big-endian bounds compare as bytes). */
static int narrow6(const struct ikev2_tsl *peer, const uint8_t lo[16], const uint8_t hi[16],
                   struct ikev2_ts *out)
{
	for (int i = 0; i < peer->n; i++) {
		const struct ikev2_ts *t = &peer->ts[i];
		if (t->type != IKEV2_TS_IPV6_ADDR_RANGE)
			continue;
		const uint8_t *a = memcmp(lo, t->lo, 16) > 0 ? lo : t->lo,
		              *b = memcmp(hi, t->hi, 16) < 0 ? hi : t->hi;
		if (memcmp(a, b, 16) > 0)
			continue;
		*out = *t;
		memcpy(out->lo, a, 16);
		memcpy(out->hi, b, 16);
		return 1;
	}
	return 0;
}

void ikev2_range6(const struct in6_addr *net, int plen, uint8_t lo[16], uint8_t hi[16])
{
	for (int i = 0; i < 16; i++) {
		int bits = plen - 8 * i;
		uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		lo[i] = net->s6_addr[i] & m;
		hi[i] = lo[i] | (uint8_t)~m;
	}
}

/* IPv4 selectors: TSi the client's address, if it asked for a range holding it; TSr the
 * split networks, else everything, within what the peer asked for. */
static int choose4(const struct ikev2_sa *sa, struct ikev2_auth_req *r)
{
	const struct msg_policy *p = &sa->s.policy;
	uint32_t addr = ntohl(p->addr.s_addr);
	if (!addr || !narrow4(&r->tsi, addr, addr, &r->ts_i[0]))
		return 0;
	r->nts_i = 1;
	r->nts_r = 0;
	for (int i = 0; i < p->nsplit && r->nts_r < IKEV2_MAX_TS; i++) {
		uint32_t net = ntohl(p->split[i].net.s_addr), mask = ntohl(p->split[i].mask.s_addr);
		r->nts_r += narrow4(&r->tsr, net & mask, (net & mask) | ~mask, &r->ts_r[r->nts_r]);
	}
	if (!p->nsplit)
		r->nts_r = narrow4(&r->tsr, 0, 0xffffffffu, &r->ts_r[0]);
	return r->nts_r > 0;
}

/* IPv6 selectors, for a session given an IPv6 address in its configuration payload: TSi that
 * address, TSr the ipv6 subnet-acl's networks, else everything IPv6, within what the peer
 * asked for. */
static int choose6(const struct ikev2_sa *sa, struct ikev2_auth_req *r)
{
	static const uint8_t zero[16], ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *a6 = sa->s.policy.addr6.s6_addr;
	if (!sa->s.addr6_given || !narrow6(&r->tsi, a6, a6, &r->ts_i[0]))
		return 0;
	r->nts_i = 1;
	const struct msg_policy *p = &sa->s.policy;
	r->nts_r = 0;
	for (int i = 0; i < p->nsplit6 && i < MSG_SPLIT_MAX && r->nts_r < IKEV2_MAX_TS; i++) {
		uint8_t lo[16], hi[16];
		ikev2_range6(&p->split6[i].net, p->split6[i].plen, lo, hi);
		r->nts_r += narrow6(&r->tsr, lo, hi, &r->ts_r[r->nts_r]);
	}
	if (p->nsplit6 <= 0)
		r->nts_r = narrow6(&r->tsr, zero, ones, &r->ts_r[0]);
	return r->nts_r > 0;
}

int ikev2_child_choose(struct ikev2_sa *sa, struct ikev2_auth_req *r)
{
	struct ikev2_esp_choice ch;
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
	if (r->transport)
		return IKEV2_N_NO_PROPOSAL_CHOSEN;   /* remote access runs in tunnel mode */
	if (ikev2_choose_esp(ike.conf, ip, r->props, r->nprops, &ch) < 0)
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	/* one family per CHILD_SA (tunmgr's SAs carry one): IPv4 when the peer's selectors
	 * allow it, else IPv6; a client wanting both asks for a CHILD_SA of each */
	int v6 = 0;
	if (r->family == 6 || !choose4(sa, r)) {
		if (r->family == 4 || !choose6(sa, r))
			return IKEV2_N_TS_UNACCEPTABLE;
		v6 = 1;
	}
	const struct msg_policy *p = &sa->s.policy;
	r->esp = ch;
	uint32_t life = ip && ip->lifetime_seconds ? ip->lifetime_seconds
	                                           : ike.conf->sa_lifetime_seconds;
	uint32_t kb = ip && ip->lifetime_kb ? ip->lifetime_kb : ike.conf->sa_lifetime_kb;
	struct ike_child *c = &r->c;
	memset(c, 0, sizeof(*c));
	do {
		ike_random((uint8_t *)&c->spi_in, 4);
	} while (ntohl(c->spi_in) < 256);
	c->spi_out = ch.spi_peer;
	c->encr = ch.encr;
	c->keylen = ch.keylen;
	c->auth = ch.auth;
	c->encap_mode = sa->nat_peer || sa->nat_us ? IPSEC_ENCAP_UDP_TUNNEL : IPSEC_ENCAP_TUNNEL;
	c->lifetime = life;
	c->life_kb = kb;
	if (v6) {
		c->sel_v6 = 1;
		c->sel_net6 = p->addr6;
		c->sel_plen6 = 128;
		c->sel_hub_any = p->nsplit6 <= 0;
		r->chosen = 1;
		return 0;
	}
	c->sel_net = p->addr;
	c->sel_mask.s_addr = htonl(0xffffffffu);
	c->sel_hub_any = !p->nsplit;
	if (p->nsplit) {
		uint32_t lo, hi;
		memcpy(&lo, r->ts_r[0].lo, 4);
		memcpy(&hi, r->ts_r[0].hi, 4);
		uint32_t mask = ~(ntohl(lo) ^ ntohl(hi));
		/* a range that is a network (the peer asked for more, as clients do) */
		if ((ntohl(lo) & ~mask) == 0 && (ntohl(hi) | mask) == 0xffffffffu &&
		    (~mask & (~mask + 1)) == 0) {
			c->hub_net.s_addr = lo;
			c->hub_mask.s_addr = htonl(mask);
		}
	}
	r->chosen = 1;
	return 0;
}

int ikev2_child_install(struct ikev2_sa *sa, const struct ikev2_sa *kx,
                        const struct ike_child *c, int we_init, const uint8_t *gir,
                        size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                        size_t nrlen)
{
	size_t ek = esp_enc_keylen(c->encr, c->keylen), ak = esp_auth_keylen(c->auth);
	uint8_t km[4 * MSG_KEY_MAX];
	struct msg_sa_add *a = calloc(1, sizeof(*a));
	int rc = -1;
	if (!a || ek > MSG_KEY_MAX || ak > MSG_KEY_MAX)
		goto out;
	/* 2.17: the exchange's initiator-to-responder keys first (our inbound when the peer
	 * asked, our outbound when we did), encryption before integrity */
	if (ikev2_child_keymat(&kx->suite, kx->k.d, gir, girlen, ni, nilen, nr, nrlen, km,
	                       2 * (ek + ak)) < 0)
		goto out;
	const uint8_t *in = we_init ? km + ek + ak : km, *out = we_init ? km : km + ek + ak;
	a->session_id = sa->s.id;
	a->encap = c->encap_mode == IPSEC_ENCAP_TUNNEL ? ENCAP_RAW : ENCAP_UDP;
	a->peer = sa->s.peer;
	a->local = sa->s.local;
	a->encr = c->encr;
	a->enc_keylen = (int32_t)ek;
	a->auth = c->auth;
	a->auth_keylen = (int32_t)ak;
	a->spi_in = c->spi_in;
	a->spi_out = c->spi_out;
	memcpy(a->enckey_in, in, ek);
	memcpy(a->authkey_in, in + ek, ak);
	memcpy(a->enckey_out, out, ek);
	memcpy(a->authkey_out, out + ek, ak);
	a->sel_net = c->sel_net;
	a->sel_mask = c->sel_mask;
	a->sel_v6 = c->sel_v6;
	a->sel_net6 = c->sel_net6;
	a->sel_plen6 = c->sel_v6 ? c->sel_plen6 : 0;
	/* rekey at 85-90 % of the lifetime, jittered as IKEv1's quick mode does */
	uint16_t j;
	ike_random((uint8_t *)&j, sizeof(j));
	a->hard_seconds = c->lifetime;
	a->soft_seconds = c->lifetime - c->lifetime / 10 -
	                  (uint32_t)((uint64_t)(c->lifetime / 20) * j / 65536);
	a->hard_bytes = (uint64_t)c->life_kb * 1024;
	a->soft_bytes = a->hard_bytes - a->hard_bytes / 10 - a->hard_bytes / 20 * j / 65536;
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
	a->replay_window = ip && ip->replay_window ? ip->replay_window : ike.conf->replay_window;
	ike.io.to_tunmgr(IMSG_SA_ADD, sa->s.id, a, sizeof(*a));
	rc = 0;
out:
	explicit_bzero(km, sizeof(km));
	if (a)
		explicit_bzero(a, sizeof(*a));
	free(a);
	return rc;
}

int ikev2_child_put(struct ikev2_sa *sa, struct ikev2_auth_req *r, struct isakmp_buf *b)
{
	(void)sa;
	struct ikev2_trans tr[3];
	int n = 0;
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, r->esp.encr_id, (uint16_t)r->esp.keylen };
	if (r->esp.integ_id)
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, r->esp.integ_id, 0 };
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	ikev2_put_sa1(b, r->esp.prop_num, IKEV2_PROTO_ESP, (const uint8_t *)&r->c.spi_in, 4, tr, n);
	ikev2_put_ts(b, IKEV2_NP_TSI, r->ts_i, r->nts_i);
	return ikev2_put_ts(b, IKEV2_NP_TSR, r->ts_r, r->nts_r);
}
