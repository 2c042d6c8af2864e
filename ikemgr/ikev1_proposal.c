/*
 * Proposal selection for phase 1 (isakmp policies) and phase 2 (transform sets).
 *
 * Phase 1 follows IOS: our policies are tried in priority order, each against every transform
 * the peer offered; the first hit wins. Phase 2 follows the initiator's order (RFC 2408 4.2: the
 * responder picks one of the offered proposals) among the ipsec profile's transform sets.
 * Legacy algorithms are only ever chosen because a policy or transform set names them.
 */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "ikemgr/ikev1.h"

static int attr_get(const struct isakmp_trans *t, uint16_t type, uint32_t *val)
{
	for (int i = 0; i < t->nattr; i++) {
		if (t->attr[i].type == type) {
			*val = (uint32_t)t->attr[i].value;
			return 1;
		}
	}
	return 0;
}

/* Lifetime in seconds from LIFE_TYPE/LIFE_DURATION pairs (phase 1 or 2 numbering). */
static uint32_t attr_life_seconds(const struct isakmp_trans *t, uint16_t type_attr,
                                  uint16_t dur_attr)
{
	uint32_t life = 0;
	int seconds = 0;
	for (int i = 0; i < t->nattr; i++) {
		if (t->attr[i].type == type_attr)
			seconds = (t->attr[i].value == 1);
		else if (t->attr[i].type == dur_attr && seconds)
			life = t->attr[i].value > UINT32_MAX ? UINT32_MAX : (uint32_t)t->attr[i].value;
	}
	return life;
}

static uint32_t attr_life_kb(const struct isakmp_trans *t, uint16_t type_attr, uint16_t dur_attr)
{
	uint32_t life = 0;
	int kb = 0;
	for (int i = 0; i < t->nattr; i++) {
		if (t->attr[i].type == type_attr)
			kb = (t->attr[i].value == 2);
		else if (t->attr[i].type == dur_attr && kb)
			life = t->attr[i].value > UINT32_MAX ? UINT32_MAX : (uint32_t)t->attr[i].value;
	}
	return life;
}

int ikev1_choose_p1(const struct vpnd_conf *conf, const struct isakmp_sa *sa, int xauth_allowed,
                    struct ike_p1_choice *out)
{
	return ikev1_choose_p1_auth(conf, sa, xauth_allowed, 1, out);
}

int ikev1_choose_p1_auth(const struct vpnd_conf *conf, const struct isakmp_sa *sa,
                         int xauth_allowed, int sig_allowed, struct ike_p1_choice *out)
{
	if (sa->nprop < 1)
		return -1;
	const struct isakmp_prop *p = &sa->prop[0];
	if (p->proto != ISAKMP_PROTO_ISAKMP)
		return -1;

	for (int pi = 0; pi < conf->npolicy; pi++) {
		const struct conf_isakmp_policy *pol = &conf->policy[pi];
		for (int ti = 0; ti < p->ntrans; ti++) {
			const struct isakmp_trans *t = &p->trans[ti];
			uint32_t encr, hash, auth, group, keylen = 0;

			if (t->id != ISAKMP_KEY_IKE)
				continue;
			if (!attr_get(t, IKE_ATTR_ENCR, &encr) || !attr_get(t, IKE_ATTR_HASH, &hash) ||
			    !attr_get(t, IKE_ATTR_AUTH, &auth) || !attr_get(t, IKE_ATTR_GROUP, &group))
				continue;
			attr_get(t, IKE_ATTR_KEYLEN, &keylen);
			if ((int)encr != pol->encr || (int)hash != pol->hash || (int)group != pol->group)
				continue;
			if (encr == IKE_ENCR_AES) {
				int want = pol->keylen ? pol->keylen : 128;
				if ((int)(keylen ? keylen : 128) != want)
					continue;
			}
			/* the policy's authentication must be the method offered (XAUTH variants
			 * only when a profile does XAUTH) */
			int ok = 0;
			switch (pol->auth) {
			case IKE_AUTH_PSK:
				ok = auth == IKE_AUTHM_PSK ||
				     (auth == IKE_AUTHM_XAUTH_INIT_PSK && xauth_allowed);
				break;
			case IKE_AUTH_RSA_SIG:
				ok = sig_allowed && (auth == IKE_AUTHM_RSA ||
				     (auth == IKE_AUTHM_XAUTH_INIT_RSA && xauth_allowed));
				break;
			case IKE_AUTH_ECDSA_SIG:
				ok = sig_allowed && (auth == IKE_AUTHM_ECDSA_256 ||
				     auth == IKE_AUTHM_ECDSA_384 || auth == IKE_AUTHM_ECDSA_521);
				break;
			}
			if (!ok)
				continue;
			if (!ike_dh_supported((int)group))
				continue;

			uint32_t life = attr_life_seconds(t, IKE_ATTR_LIFE_TYPE, IKE_ATTR_LIFE_DURATION);
			out->encr = (int)encr;
			out->keylen = encr == IKE_ENCR_AES ? (int)(keylen ? keylen : 128) : 0;
			out->hash = (int)hash;
			out->auth_method = (int)auth;
			out->group = (int)group;
			/* A peer asking for longer than our policy gets ours (IOS accepts and shortens). */
			out->lifetime = (life && life < pol->lifetime) ? life : pol->lifetime;
			out->prop = 0;
			out->trans = ti;
			out->policy_priority = pol->priority;
			return 0;
		}
	}
	return -1;
}

/* Map an ESP transform to our enums; returns 0 if we know it. */
static int esp_from_wire(const struct isakmp_trans *t, int *encr, int *keylen, int *auth)
{
	const struct alg_esp_encr *e = alg_esp_encr_v1(t->id);
	const struct alg_esp_auth *a = NULL;
	uint32_t v = 0;

	if (!e || (attr_get(t, IPSEC_ATTR_AUTH_ALG, &v) && !(a = alg_esp_auth_v1((int)v))))
		return -1;
	*encr = e->id;
	*keylen = 0;
	if (e->bits[0])
		*keylen = attr_get(t, IPSEC_ATTR_KEY_LENGTH, &v) ? (int)v : e->key_bits;
	*auth = a ? a->id : ESP_AUTH_NONE;
	return 0;
}

int ikev1_choose_p2(const struct vpnd_conf *conf, const struct conf_ipsec_profile *ip,
                    const struct isakmp_sa *sa, int natt, struct ike_p2_choice *out)
{
	for (int pi = 0; pi < sa->nprop; pi++) {
		const struct isakmp_prop *p = &sa->prop[pi];
		if (p->proto != ISAKMP_PROTO_IPSEC_ESP || p->spi_len != 4)
			continue;
		/* AND-ed proposals (ESP+AH, IPcomp) share a number: we only do lone ESP. */
		if (p->and_group)
			continue;
		for (int ti = 0; ti < p->ntrans; ti++) {
			const struct isakmp_trans *t = &p->trans[ti];
			int encr, keylen, auth;
			uint32_t mode = IPSEC_ENCAP_TUNNEL, group = 0;

			if (esp_from_wire(t, &encr, &keylen, &auth) < 0)
				continue;
			attr_get(t, IPSEC_ATTR_ENCAP_MODE, &mode);
			attr_get(t, IPSEC_ATTR_GROUP_DESC, &group);
			if (mode != IPSEC_ENCAP_TUNNEL && mode != IPSEC_ENCAP_UDP_TUNNEL &&
			    mode != IPSEC_ENCAP_UDP_TUNNEL_DRAFT)
				continue;
			(void)natt;
			if (ip->pfs_group && (int)group != ip->pfs_group)
				continue;
			if (group && !ike_dh_supported((int)group))
				continue;
			for (int si = 0; si < ip->ntset; si++) {
				const struct conf_transform_set *ts = conf_find_tset(conf, ip->tset[si]);
				if (!ts || ts->encr != encr || ts->auth != auth)
					continue;
				if (alg_esp_bits(encr, ts->keylen) != keylen)
					continue;
				uint32_t life = attr_life_seconds(t, IPSEC_ATTR_SA_LIFE_TYPE,
				                                  IPSEC_ATTR_SA_LIFE_DURATION);
				uint32_t kb = attr_life_kb(t, IPSEC_ATTR_SA_LIFE_TYPE,
				                           IPSEC_ATTR_SA_LIFE_DURATION);
				uint32_t ours = ip->lifetime_seconds ? ip->lifetime_seconds
				                                     : conf->sa_lifetime_seconds;
				uint32_t ours_kb = ip->lifetime_kb ? ip->lifetime_kb : conf->sa_lifetime_kb;
				out->encr = encr;
				out->keylen = keylen;
				out->auth = auth;
				out->pfs_group = (int)group;
				out->encap_mode = (int)mode;
				out->life_seconds = (life && life < ours) ? life : ours;
				out->life_kb = (kb && kb < ours_kb) ? kb : ours_kb;
				out->prop = pi;
				out->trans = ti;
				memcpy(&out->peer_spi, p->spi, 4);
				out->tset_name = ts->name;
				return 0;
			}
		}
	}
	return -1;
}
