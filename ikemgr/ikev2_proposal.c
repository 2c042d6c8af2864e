/*
 * IKEv2 proposal choice, for the IKE SA (against `crypto ikev2 policy` and its proposals) and
 * for a CHILD_SA (against the ipsec profile's transform sets). Pure functions of the
 * configuration and the offer, so they are unit-tested and fuzzed on their own.
 *
 * Order: the peer's proposals in its order; within one, our proposals in the policy's order
 * and each of our algorithm lists in its written order (IOS's preference). A transform with an
 * attribute other than Key Length spoils its proposal (RFC 7296 3.3.6).
 */
#include <string.h>

#include "common/alg.h"
#include "ikemgr/ikev2_proposal.h"

static int has(const struct ikev2_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (int i = 0; i < p->ntr; i++)
		if (p->tr[i].type == type && p->tr[i].id == id && p->tr[i].keylen == keylen)
			return 1;
	return 0;
}

static int has_type(const struct ikev2_prop *p, uint8_t type)
{
	for (int i = 0; i < p->ntr; i++)
		if (p->tr[i].type == type && !(type == IKEV2_TR_INTEG && p->tr[i].id == 0))
			return 1;
	return 0;
}

const struct conf_ikev2_policy *ikev2_policy_for(const struct vpnd_conf *c,
                                                 const union sa46 *local)
{
	const struct conf_ikev2_policy *any = NULL;
	for (int i = 0; i < c->v2.npolicy; i++) {
		const struct conf_ikev2_policy *p = &c->v2.policy[i];
		if (!p->nlocal) {
			if (!any)
				any = p;
			continue;
		}
		for (int k = 0; k < p->nlocal; k++)
			if (sa46_same_addr(&p->local[k], local))
				return p;
	}
	return any;
}

static int try_ike(const struct conf_ikev2_proposal *ours, const struct ikev2_prop *p,
                   uint16_t ke_group, struct ikev2_ike_choice *out)
{
	memset(out, 0, sizeof(*out));
	int e = -1;
	for (int i = 0; i < ours->nencr && e < 0; i++)
		if (has(p, IKEV2_TR_ENCR, ours->encr[i].id, ours->encr[i].bits))
			e = i;
	if (e < 0)
		return -1;
	out->encr_id = ours->encr[e].id;
	out->encr_bits = ours->encr[e].bits;
	for (int i = 0; i < ours->nprf && !out->prf_id; i++)
		if (has(p, IKEV2_TR_PRF, ours->prf[i], 0))
			out->prf_id = ours->prf[i];
	if (!out->prf_id)
		return -1;
	if (ours->aead) {
		/* an AEAD takes no integrity transform, or only NONE (RFC 5282 8) */
		if (has_type(p, IKEV2_TR_INTEG))
			return -1;
	} else {
		for (int i = 0; i < ours->ninteg && !out->integ_id; i++)
			if (has(p, IKEV2_TR_INTEG, ours->integ[i], 0))
				out->integ_id = ours->integ[i];
		if (!out->integ_id)
			return -1;
	}
	/* the group the peer's KE is for, when we take it: no INVALID_KE_PAYLOAD round trip */
	for (int i = 0; i < ours->ngroup; i++)
		if (ours->group[i] == ke_group && has(p, IKEV2_TR_DH, ke_group, 0))
			out->dh = ke_group;
	for (int i = 0; i < ours->ngroup && !out->dh; i++)
		if (has(p, IKEV2_TR_DH, ours->group[i], 0))
			out->dh = ours->group[i];
	if (!out->dh)
		return -1;
	out->prop_num = p->num;
	out->spi_size = p->spi_size;
	memcpy(out->spi, p->spi, p->spi_size);
	return 0;
}

int ikev2_choose_ike(const struct vpnd_conf *c, const union sa46 *local,
                     const struct ikev2_sa_pl *offer, uint16_t ke_group,
                     struct ikev2_ike_choice *out)
{
	const struct conf_ikev2_policy *pol = ikev2_policy_for(c, local);
	if (!pol)
		return -1;
	for (int i = 0; i < offer->n; i++) {
		const struct ikev2_prop *p = &offer->prop[i];
		if (p->proto != IKEV2_PROTO_IKE || (p->spi_size != 0 && p->spi_size != 8) ||
		    p->bad_attr)
			continue;
		for (int k = 0; k < pol->nproposal; k++) {
			const struct conf_ikev2_proposal *ours =
				conf_find_v2_proposal(c, pol->proposal[k]);
			if (ours && try_ike(ours, p, ke_group, out) == 0)
				return 0;
		}
	}
	return -1;
}

int ikev2_choose_esp(const struct vpnd_conf *c, const struct conf_ipsec_profile *ip,
                     const struct ikev2_prop *props, int nprops, struct ikev2_esp_choice *out)
{
	if (!ip)
		return -1;
	for (int i = 0; i < nprops; i++) {
		const struct ikev2_prop *p = &props[i];
		if (p->proto != IKEV2_PROTO_ESP || p->spi_size != 4 || p->bad_attr)
			continue;
		/* an ESN transform, if any, must offer "no ESN": the data plane has 32-bit numbers */
		if (has_type(p, IKEV2_TR_ESN) && !has(p, IKEV2_TR_ESN, 0, 0))
			continue;
		for (int k = 0; k < ip->ntset; k++) {
			const struct conf_transform_set *t = conf_find_tset(c, ip->tset[k]);
			if (!t || t->mode_transport)
				continue;
			const struct alg_esp_encr *e = alg_esp_encr(t->encr);
			const struct alg_esp_auth *a = t->auth ? alg_esp_auth(t->auth) : NULL;
			if (!e)
				continue;
			uint16_t bits = e->bits[0] ? (uint16_t)(t->keylen ? t->keylen : e->key_bits) : 0;
			if (!has(p, IKEV2_TR_ENCR, e->v2_id, bits))
				continue;
			if (a ? !has(p, IKEV2_TR_INTEG, a->v2_id, 0) : has_type(p, IKEV2_TR_INTEG))
				continue;
			/* PFS: the profile's group; without it a DH transform must offer NONE or be
			 * absent (IKE_AUTH's CHILD_SA has no KE anyway, 1.2) */
			memset(out, 0, sizeof(*out));
			out->prop_num = p->num;
			memcpy(&out->spi_peer, p->spi, 4);
			out->encr = t->encr;
			out->keylen = bits;
			out->auth = t->auth;
			out->encr_id = e->v2_id;
			out->integ_id = a ? a->v2_id : 0;
			out->esn_none = has_type(p, IKEV2_TR_ESN);
			return 0;
		}
	}
	return -1;
}

int ikev2_prop_dh(const struct ikev2_prop *p, int ke_group, int want)
{
	int any = 0, none = 0;
	for (int i = 0; i < p->ntr; i++) {
		if (p->tr[i].type != IKEV2_TR_DH)
			continue;
		if (p->tr[i].id == 0)
			none = 1;
		else
			any = 1;
	}
	if (ke_group > 0) {
		/* a KE the proposal does not name, or a group other than ours */
		if (!has(p, IKEV2_TR_DH, (uint16_t)ke_group, 0) || (want && ke_group != want))
			return -1;
		return ke_group;
	}
	if (want)
		return -1;      /* the ipsec profile's set pfs: a rekey without KE is refused */
	return any && !none ? -1 : 0;
}
