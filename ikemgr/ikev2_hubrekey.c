/*
 * Rekeys the hub starts (RFC 7296 1.3.2, 1.3.3, 2.8, 2.18), as IOS does on its own lifetimes:
 * IKEv2 lifetimes are not negotiated, so each side rekeys on its own clock, and a client
 * whose rekey timers are longer than the hub's (or that never rekeys) gets its SAs renewed
 * by the hub instead of losing them at their hard lifetime.
 *
 * - A CHILD_SA at its soft lifetime (seconds or kilobytes: tunmgr reports it): a
 *   CREATE_CHILD_SA with REKEY_SA naming it, the same transform it has, PFS with the ipsec
 *   profile's `set pfs` group (or the group the SA was last made with), the same selectors (the
 *   client's own address, the networks the policy gives it). The peer's answer must take
 *   exactly what we offered. The new SA goes to tunmgr; once it is in, the old one is deleted
 *   (by us: we started the rekey) and goes when the peer answers the Delete.
 * - The IKE SA at its profile's `lifetime` less a jittered margin: a CREATE_CHILD_SA with an
 *   IKE proposal of the SA's own algorithms and a new SPIi. The new SA is ours as initiator
 *   (2.18: the rekey's initiator is the new SA's), takes the session over, and the old one is
 *   deleted by us. At the lifetime itself an SA not rekeyed ends, as on IOS.
 *
 * Collisions (2.25.1): a peer's rekey of a CHILD_SA ours is rekeying, or of the IKE SA while
 * we rekey it, is answered TEMPORARY_FAILURE (ikev2_rekey.c), so exactly one new SA is made and
 * the peer drops its own attempt; a rekey of ours still queued gives way to the peer's.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define RETRY_SECS 30           /* a refused IKE SA rekey is tried again after this */

static struct ike_child *child_by_spi(struct ike_session *s, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->child[i].used && s->child[i].spi_in == spi_in)
			return &s->child[i];
	return NULL;
}

/* The SA a rekey answered on a superseded IKE SA belongs to now. */
static struct ikev2_sa *owner(struct ikev2_sa *sa)
{
	return sa->s.superseded ? ikev2_sa_by_id(sa->successor) : sa;
}

time_t ikev2_hub_rekey_at(const struct ikev2_sa *sa)
{
	uint32_t life = sa->s.v2profile && sa->s.v2profile->lifetime ? sa->s.v2profile->lifetime
	                                                            : 86400;
	uint16_t j;
	ike_random((uint8_t *)&j, sizeof(j));
	/* 85 to 90 % of the lifetime, as the CHILD_SAs' soft limits */
	return sa->established_at + (time_t)(life - life / 10 -
	                                     (uint32_t)((uint64_t)(life / 20) * j / 65536));
}

void ikev2_hub_child_rekey(struct ikev2_sa *sa, struct ike_child *old)
{
	if (sa->s.superseded || sa->state != V2_S_ESTABLISHED || old->rekeying ||
	    old->replaced_at || !old->installed)
		return;
	struct ikev2_req *r = ikev2_req_new(V2_REQ_CHILD_REKEY);
	if (!r)
		return;
	r->spis[0] = old->spi_in;
	r->nspis = 1;
	old->rekeying = 1;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: IPsec SA %08x at its soft lifetime: "
	        "rekeying it", sa->s.id, ntohl(old->spi_in));
	ikev2_req_queue(sa, r);
}

void ikev2_hub_ike_rekey(struct ikev2_sa *sa)
{
	if (sa->s.superseded || ikev2_req_pending(sa, V2_REQ_IKE_REKEY, 0))
		return;
	struct ikev2_req *r = ikev2_req_new(V2_REQ_IKE_REKEY);
	if (!r)
		return;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: IKE SA near its lifetime: rekeying it",
	        sa->s.id);
	ikev2_req_queue(sa, r);
}

/* What we offer, and what the answer must take: a CHILD_SA's own transform (PFS in group, 0
 * none), or the IKE SA's own suite. 0 when the transform has no IKEv2 name. */
static int esp_offer(const struct ike_child *c, int group, struct ikev2_trans tr[4])
{
	const struct alg_esp_encr *e = alg_esp_encr(c->encr);
	const struct alg_esp_auth *a = c->auth ? alg_esp_auth(c->auth) : NULL;
	int n = 0;
	if (!e || !e->v2_id || (c->auth && (!a || !a->v2_id)))
		return 0;
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, e->v2_id, (uint16_t)c->keylen };
	if (a)
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, a->v2_id, 0 };
	if (group)
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_DH, (uint16_t)group, 0 };
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	return n;
}

static int ike_offer(const struct ikev2_suite *s, struct ikev2_trans tr[4])
{
	int n = 0;
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, s->encr_id, s->encr_bits };
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_PRF, s->prf_id, 0 };
	if (s->integ_id)
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, s->integ_id, 0 };
	tr[n++] = (struct ikev2_trans){ IKEV2_TR_DH, s->dh, 0 };
	return n;
}

/* Our KE for group into pub; r->dh keeps the private half. */
static int our_ke(struct ikev2_req *r, uint8_t *pub, size_t *publen)
{
	size_t pl = ike_dh_publen(r->group);
	if (r->dh)
		ike_dh_free(r->dh);
	r->dh = ike_dh_new(r->group);
	if (!r->dh || !pl || pl > *publen || ike_dh_public(r->dh, pub, pl) < 0)
		return -1;
	*publen = pl;
	return 0;
}

/* Our side (the policy's networks, else everything) and the client's address, as selectors. */
static int selectors(const struct ikev2_sa *sa, const struct ike_child *c, struct ikev2_ts *hub,
                     int *nhub, struct ikev2_ts *cl)
{
	const struct msg_policy *p = &sa->s.policy;
	memset(cl, 0, sizeof(*cl));
	cl->port_hi = 65535;
	if (c->sel_v6) {
		/* IPv6: the client's address (an SA of ours is never for a network behind it),
		 * the ipv6 subnet-acl's networks or everything IPv6 on our side */
		if (c->sel_plen6 != 128)
			return -1;
		cl->type = IKEV2_TS_IPV6_ADDR_RANGE;
		memcpy(cl->lo, &c->sel_net6, 16);
		memcpy(cl->hi, &c->sel_net6, 16);
		*nhub = 0;
		for (int i = 0; i < p->nsplit6 && i < MSG_SPLIT_MAX && *nhub < IKEV2_MAX_TS; i++) {
			struct ikev2_ts *t = &hub[(*nhub)++];
			*t = *cl;
			ikev2_range6(&p->split6[i].net, p->split6[i].plen, t->lo, t->hi);
		}
		if (p->nsplit6 <= 0) {
			hub[0] = *cl;
			memset(hub[0].lo, 0, 16);
			memset(hub[0].hi, 0xff, 16);
			*nhub = 1;
		}
		return 0;
	}
	cl->type = IKEV2_TS_IPV4_ADDR_RANGE;
	memcpy(cl->lo, &c->sel_net, 4);
	memcpy(cl->hi, &c->sel_net, 4);
	*nhub = 0;
	for (int i = 0; i < p->nsplit && *nhub < IKEV2_MAX_TS; i++) {
		uint32_t net = p->split[i].net.s_addr & p->split[i].mask.s_addr,
		         top = net | ~p->split[i].mask.s_addr;
		struct ikev2_ts *t = &hub[(*nhub)++];
		*t = *cl;
		memcpy(t->lo, &net, 4);
		memcpy(t->hi, &top, 4);
	}
	if (!p->nsplit) {
		hub[0] = *cl;
		memset(hub[0].lo, 0, 4);
		memset(hub[0].hi, 0xff, 4);
		*nhub = 1;
	}
	return c->sel_net.s_addr ? 0 : -1;
}

static int build_child(struct ikev2_sa *sa, struct ikev2_req *r, struct isakmp_buf *b)
{
	struct ike_child *old = child_by_spi(&sa->s, r->spis[0]);
	if (!old || old->replaced_at)
		return -1;              /* the peer rekeyed or deleted it meanwhile */
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
	struct ikev2_trans tr[4];
	if (!esp_offer(old, 0, tr))
		return -1;
	if (!r->group)
		r->group = ip && ip->pfs_group ? ip->pfs_group : old->pfs_group;
	r->c = *old;
	r->c.spi_out = 0;
	r->c.installed = r->c.rekeying = 0;
	r->c.replaced_at = 0;
	r->c.replaces = old->spi_in;
	r->c.pfs_group = r->group;
	r->c.lifetime = ip && ip->lifetime_seconds ? ip->lifetime_seconds
	                                           : ike.conf->sa_lifetime_seconds;
	r->c.life_kb = ip && ip->lifetime_kb ? ip->lifetime_kb : ike.conf->sa_lifetime_kb;
	do {
		ike_random((uint8_t *)&r->c.spi_in, 4);
	} while (ntohl(r->c.spi_in) < 256 || child_by_spi(&sa->s, r->c.spi_in));
	ike_random(r->ni, sizeof(r->ni));
	uint8_t pub[1024];
	size_t publen = sizeof(pub);
	if (r->group && our_ke(r, pub, &publen) < 0)
		return -1;
	int n = esp_offer(&r->c, r->group, tr);
	struct ikev2_ts hub[IKEV2_MAX_TS], cl;
	int nhub;
	if (selectors(sa, old, hub, &nhub, &cl) < 0)
		return -1;
	/* 1.3.3: REKEY_SA names the SA by the SPI we receive on */
	ikev2_put_notify(b, IKEV2_PROTO_ESP, (const uint8_t *)&old->spi_in, 4, IKEV2_N_REKEY_SA,
	                 NULL, 0);
	ikev2_put_sa1(b, 1, IKEV2_PROTO_ESP, (const uint8_t *)&r->c.spi_in, 4, tr, n);
	isakmp_put_payload(b, IKEV2_NP_NONCE, r->ni, sizeof(r->ni));
	if (r->group)
		ikev2_put_ke(b, (uint16_t)r->group, pub, publen);
	/* we are this exchange's initiator: TSi is our side, TSr the client's */
	ikev2_put_ts(b, IKEV2_NP_TSI, hub, nhub);
	return ikev2_put_ts(b, IKEV2_NP_TSR, &cl, 1);
}

static int build_ike(struct ikev2_sa *sa, struct ikev2_req *r, struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	const struct ikev2_suite *s = &sa->suite;
	do {
		ike_random(r->spi, 8);
	} while (!memcmp(r->spi, zero, 8));
	ike_random(r->ni, sizeof(r->ni));
	r->group = s->dh;
	uint8_t pub[1024];
	size_t publen = sizeof(pub);
	if (our_ke(r, pub, &publen) < 0)
		return -1;
	struct ikev2_trans tr[4];
	int n = ike_offer(s, tr);
	ikev2_put_sa1(b, 1, IKEV2_PROTO_IKE, r->spi, 8, tr, n);
	isakmp_put_payload(b, IKEV2_NP_NONCE, r->ni, sizeof(r->ni));
	return ikev2_put_ke(b, s->dh, pub, publen);
}

int ikev2_hub_build(struct ikev2_sa *sa, struct ikev2_req *r, struct isakmp_buf *b)
{
	return r->kind == V2_REQ_IKE_REKEY ? build_ike(sa, r, b) : build_child(sa, r, b);
}

/* The first error notify of an answer, 0 if none. */
static uint16_t error_of(const struct ikev2_chain *c, uint16_t *group)
{
	for (int i = 0; i < c->n; i++) {
		struct ikev2_notify n;
		if (c->pl[i].type != IKEV2_NP_N || ikev2_parse_notify(c->pl[i].body, c->pl[i].len,
		                                                       &n) < 0 || n.type >= 16384)
			continue;
		if (n.type == IKEV2_N_INVALID_KE_PAYLOAD && n.datalen == 2)
			*group = (uint16_t)(n.data[0] << 8 | n.data[1]);
		return n.type;
	}
	return 0;
}

/* The answer's one proposal must be what we offered: the same transforms, an SPI of the
 * protocol's size. Its SPI into spi. */
static int taken_as_offered(const struct ikev2_chain *c, uint8_t proto, const struct
                            ikev2_trans *want, int nwant, uint8_t *spi)
{
	const struct ikev2_pl *psa = ikev2_find(c, IKEV2_NP_SA);
	static struct ikev2_sa_pl props;
	if (!psa || ikev2_parse_sa(psa->body, psa->len, &props) < 0 || props.n != 1)
		return -1;
	const struct ikev2_prop *p = &props.prop[0];
	size_t spi_size = proto == IKEV2_PROTO_IKE ? 8 : 4;
	if (p->proto != proto || p->spi_size != spi_size || p->bad_attr)
		return -1;
	for (int i = 0; i < p->ntr; i++) {
		int ok = 0;
		for (int k = 0; k < nwant; k++)
			ok |= p->tr[i].type == want[k].type && p->tr[i].id == want[k].id &&
			      p->tr[i].keylen == want[k].keylen;
		if (!ok)
			return -1;
	}
	/* and nothing of ours left out (ESN may be, meaning none) */
	for (int k = 0; k < nwant; k++) {
		int there = want[k].type == IKEV2_TR_ESN;
		for (int i = 0; i < p->ntr; i++)
			there |= p->tr[i].type == want[k].type;
		if (!there)
			return -1;
	}
	memcpy(spi, p->spi, spi_size);
	return 0;
}

/* g^ir from the answer's KE, for group. */
static int their_ke(const struct ikev2_chain *c, struct ikev2_req *r, uint8_t *shared,
                    size_t *sharedlen)
{
	const struct ikev2_pl *pke = ikev2_find(c, IKEV2_NP_KE);
	struct ikev2_ke ke;
	if (!pke || ikev2_parse_ke(pke->body, pke->len, &ke) < 0 || ke.group != r->group ||
	    ke.len != ike_dh_publen(r->group) || !r->dh)
		return -1;
	return ike_dh_shared(r->dh, ke.data, ke.len, shared, sharedlen);
}

static const struct ikev2_pl *nonce_of(const struct ikev2_chain *c)
{
	const struct ikev2_pl *pn = ikev2_find(c, IKEV2_NP_NONCE);
	return pn && ikev2_parse_nonce(pn->body, pn->len) == 0 ? pn : NULL;
}

static int child_answer(struct ikev2_sa *sa, struct ikev2_req *r, const struct ikev2_chain *c)
{
	struct ikev2_sa *o = owner(sa);
	struct ike_child *old = o ? child_by_spi(&o->s, r->spis[0]) : NULL;
	uint16_t err = 0, group = 0;
	const char *why = NULL;
	if (old)
		old->rekeying = 0;
	if (!c) {
		why = "no answer taken";
	} else if ((err = error_of(c, &group)) != 0) {
		if (err == IKEV2_N_INVALID_KE_PAYLOAD && old && group && group != r->group &&
		    ike_dh_supported(group)) {
			const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&o->s);
			if (!ip || !ip->pfs_group) {
				/* the peer wants PFS in another group: once more, in that one */
				struct ikev2_req *again = ikev2_req_new(V2_REQ_CHILD_REKEY);
				if (again) {
					again->spis[0] = old->spi_in;
					again->nspis = 1;
					again->group = group;
					old->rekeying = 1;
					ikev2_req_queue(o, again);
				}
				return 1;
			}
		}
		why = "refused";
	}
	if (why || !o || !old) {
		if (why && err)
			log_info("IKEv2 session %u: our CHILD_SA rekey was refused (notify %u)",
			         sa->s.id, err);
		else if (why && c)
			log_info("IKEv2 session %u: our CHILD_SA rekey: %s", sa->s.id, why);
		else if (!why && o && ikev2_find(c, IKEV2_NP_SA))
			/* the SA it replaces went meanwhile (the peer deleted it): what the peer
			 * made for it goes too */
			ikev2_delete_children(o, &r->c.spi_in, 1, 0);
		return 1;
	}
	/* what the peer took must be what we offered */
	struct ikev2_trans tr[4];
	int n = esp_offer(&r->c, r->group, tr);
	uint8_t spi[8], shared[1024];
	size_t sharedlen = sizeof(shared);
	const struct ikev2_pl *nr = nonce_of(c), *ptsi = ikev2_find(c, IKEV2_NP_TSI),
	                      *ptsr = ikev2_find(c, IKEV2_NP_TSR);
	struct ikev2_tsl tsi, tsr;
	/* TSr: the client's address, as offered (the peer may narrow only what is ours) */
	const void *cl = r->c.sel_v6 ? (const void *)&r->c.sel_net6 : (const void *)&r->c.sel_net;
	size_t al = r->c.sel_v6 ? 16 : 4;
	if (taken_as_offered(c, IKEV2_PROTO_ESP, tr, n, spi) < 0 || !nr || !ptsi || !ptsr ||
	    ikev2_parse_ts(ptsi->body, ptsi->len, &tsi) < 0 ||
	    ikev2_parse_ts(ptsr->body, ptsr->len, &tsr) < 0 || tsr.n != 1 ||
	    tsr.ts[0].type != (r->c.sel_v6 ? IKEV2_TS_IPV6_ADDR_RANGE : IKEV2_TS_IPV4_ADDR_RANGE) ||
	    memcmp(tsr.ts[0].lo, cl, al) || memcmp(tsr.ts[0].hi, cl, al) ||
	    (r->group && their_ke(c, r, shared, &sharedlen) < 0)) {
		/* the peer made an SA we cannot take: it is told to drop it */
		log_info("IKEv2 session %u: the answer to our CHILD_SA rekey is not what we "
		         "offered; the SA it made is deleted", sa->s.id);
		if (ikev2_find(c, IKEV2_NP_SA)) {
			/* whatever it took, the peer made an SA sending to our offered SPI: the
			 * Delete names that inbound SPI of ours, never installed */
			ikev2_delete_children(o, &r->c.spi_in, 1, 0);
		}
		explicit_bzero(shared, sizeof(shared));
		return 1;
	}
	memcpy(&r->c.spi_out, spi, 4);
	int slot = -1;
	for (int i = 0; i < IKE_MAX_CHILD && slot < 0; i++)
		if (!o->s.child[i].used)
			slot = i;
	int rc = slot < 0 ? -1 :
	         ikev2_child_install(o, sa, &r->c, 1, r->group ? shared : NULL,
	                             r->group ? sharedlen : 0, r->ni, sizeof(r->ni), nr->body,
	                             nr->len);
	explicit_bzero(shared, sizeof(shared));
	if (rc < 0) {
		log_info("IKEv2 session %u: our rekeyed CHILD_SA was not installed", sa->s.id);
		ikev2_delete_children(o, &r->c.spi_in, 1, 0);
		return 1;
	}
	/* kept, not yet installed: tunmgr's answer completes it (ikev2_hub_added) */
	struct ike_child *nc = &o->s.child[slot];
	*nc = r->c;
	nc->used = 1;
	nc->installed = 0;
	nc->created = time(NULL);
	old->rekeying = 1;              /* until the new one is in */
	log_dbg(DBG_IKEV2, V2_PEER(o), "IKEv2 session %u: CHILD_SA %08x rekeyed by us as %08x%s",
	        o->s.id, ntohl(old->spi_in), ntohl(nc->spi_in), r->group ? " with PFS" : "");
	return 1;
}

int ikev2_hub_added(struct ikev2_sa *sa, const struct msg_sa_added *res)
{
	struct ike_child *nc = child_by_spi(&sa->s, res->spi_in), *old;
	if (!nc || nc->installed || !nc->replaces)
		return 0;
	old = child_by_spi(&sa->s, nc->replaces);
	nc->replaces = 0;
	if (old)
		old->rekeying = 0;
	if (res->status) {
		log_info("IKEv2 session %u: tunmgr did not install our rekeyed SA %08x (%s)",
		         sa->s.id, ntohl(res->spi_in), strerror(res->status));
		uint32_t spi = nc->spi_in;
		memset(nc, 0, sizeof(*nc));
		ikev2_delete_children(sa, &spi, 1, 0);
		return 1;
	}
	nc->installed = 1;
	ike_session_up(&sa->s, nc);
	sa->s.ops->sync(&sa->s);
	if (old) {
		old->replaced_at = time(NULL);
		ikev2_delete_children(sa, &old->spi_in, 1, 1);
	}
	return 1;
}

static int ike_answer(struct ikev2_sa *sa, struct ikev2_req *r, const struct ikev2_chain *c)
{
	uint16_t err = 0, group = 0;
	if (sa->s.superseded || sa->state != V2_S_ESTABLISHED)
		return 1;               /* the peer rekeyed it first: ours is moot */
	if (!c || (err = error_of(c, &group)) != 0) {
		log_info("IKEv2 session %u: our IKE SA rekey was refused (notify %u); tried again "
		         "in %d s", sa->s.id, err, RETRY_SECS);
		sa->rekey_at = time(NULL) + RETRY_SECS;
		ikev2_rearm(sa);
		return 1;
	}
	const struct ikev2_suite *s = &sa->suite;
	struct ikev2_trans tr[4];
	int n = ike_offer(s, tr);
	uint8_t spi_r[8], shared[1024];
	size_t sharedlen = sizeof(shared);
	static const uint8_t zero[8];
	const struct ikev2_pl *nr = nonce_of(c);
	struct ikev2_sa *nsa = NULL;
	int ok = taken_as_offered(c, IKEV2_PROTO_IKE, tr, n, spi_r) == 0 && nr &&
	         memcmp(spi_r, zero, 8) && their_ke(c, r, shared, &sharedlen) == 0 &&
	         (nsa = ikev2_sa_new_ours(r->spi, spi_r, &sa->s.peer, &sa->s.local)) != NULL &&
	         ikev2_suite(&nsa->suite, s->encr_id, s->encr_bits, s->integ_id, s->prf_id,
	                     s->dh) == 0 &&
	         ikev2_ike_keys(&nsa->suite, shared, sharedlen, r->ni, sizeof(r->ni), nr->body,
	                        nr->len, r->spi, spi_r, sa->k.d, &nsa->k) == 0;
	explicit_bzero(shared, sizeof(shared));
	if (!ok) {
		if (nsa)
			ikev2_sa_delete(nsa, "IKE SA rekey failed", 0);
		log_info("IKEv2 session %u: the answer to our IKE SA rekey is not what we offered; "
		         "tried again in %d s", sa->s.id, RETRY_SECS);
		sa->rekey_at = time(NULL) + RETRY_SECS;
		ikev2_rearm(sa);
		return 1;
	}
	ikev2_take_over(nsa, sa);
	log_info("IKEv2 session %u: IKE SA rekeyed by us (old SA now %u, deleted next)",
	         nsa->s.id, sa->s.id);
	/* 2.18: the rekey's initiator deletes the old SA */
	struct ikev2_req *d = ikev2_req_new(V2_REQ_DELETE_IKE);
	if (d)
		ikev2_req_queue(sa, d);
	return 1;
}

int ikev2_hub_answer(struct ikev2_sa *sa, struct ikev2_req *r, const struct ikev2_chain *c)
{
	return r->kind == V2_REQ_IKE_REKEY ? ike_answer(sa, r, c) : child_answer(sa, r, c);
}
