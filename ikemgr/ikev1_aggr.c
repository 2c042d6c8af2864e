/*
 * Aggressive mode responder with pre-shared keys (RFC 2409 5.4), as Easy VPN clients use it:
 *   I: HDR, SA, KE, Ni, IDii(KEY_ID = group), VIDs
 *   R: HDR, SA, KE, Nr, IDir, HASH_R, VIDs, NAT-D, NAT-D
 *   I: HDR[*], HASH_I, NAT-D, NAT-D
 * SKEYID comes from keymgr, which alone holds the group key.
 * Message 1 costs us a DH computation and an SA before the peer has proved anything: admission.c
 * decides whether it may (call admission limits). HASH_R lets whoever names a real group attack
 * its key offline, hence crypto isakmp aggressive-mode disable, and the same answer for a group
 * that does not exist (keymgr/decoy.c).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"


/* The profile an unknown group seems to have: the first that matches groups at all, so an
 * unknown name gets the answer most group names get. */
static const struct conf_isakmp_profile *decoy_profile(void)
{
	for (int k = 0; k < ike.conf->nprofile; k++)
		if (ike.conf->profile[k].nmatch_group)
			return &ike.conf->profile[k];
	return NULL;
}

void ikev1_aggr_start(const uint8_t *pkt, size_t len, const struct isakmp_msg *m,
                      const union sa46 *peer, const union sa46 *local,
                      int port4500)
{
	char pa[SA46_STRLEN];
	sa46_ntop(peer, pa);
	(void)pkt;
	(void)len;

	/* crypto isakmp aggressive-mode disable: no SA, no answer (a reflector for no one) */
	if (ike.conf->aggressive_disable) {
		ike.st.drop_aggr_disabled++;
		log_rl("aggressive mode from %s refused: crypto isakmp aggressive-mode disable", pa);
		return;
	}
	if (!ikev1_admit(peer, "aggressive mode"))
		return;

	const struct isakmp_payload *psa = ikev1_find_pl(m, ISAKMP_NP_SA), *pke = ikev1_find_pl(m, ISAKMP_NP_KE),
	                            *pn = ikev1_find_pl(m, ISAKMP_NP_NONCE), *pid = ikev1_find_pl(m, ISAKMP_NP_ID);
	if (!psa || !pke || !pn || !pid || pid->len < 5 || pid->len - 4 >= MSG_GROUP_MAX ||
	    pn->len < 8 || pn->len > IKE_NONCE_MAX || pid->len > IKE_ID_MAX) {
		ike.st.drop_malformed++;
		log_rl("aggressive mode from %s lacks SA, KE, nonce or a usable ID: dropped", pa);
		return;
	}

	/* Easy VPN clients name their group in a KEY_ID (FQDN forms are accepted too). */
	uint8_t idtype = pid->body[0];
	char group[MSG_GROUP_MAX];
	memcpy(group, pid->body + 4, pid->len - 4);
	group[pid->len - 4] = 0;
	if ((idtype != ISAKMP_ID_KEY_ID && idtype != ISAKMP_ID_FQDN && idtype != ISAKMP_ID_USER_FQDN) ||
	    strlen(group) != (size_t)(pid->len - 4)) {
		ike.st.bad_id++;
		log_rl("aggressive mode from %s: identity type %u is not a group name, dropped", pa,
		          idtype);
		return;
	}
	const struct conf_isakmp_profile *prof = conf_find_profile_for_group(ike.conf, group);
	/* A group may live on the RADIUS server the profile's authorization list names. One that
	 * exists nowhere is answered like one that does (keymgr makes up its key, decoy.c) and
	 * fails at HASH_I like a wrong key: otherwise group names could be enumerated. */
	if (!prof || (!conf_find_group(ike.conf, group) && !conf_profile_group_via_radius(ike.conf, prof))) {
		ike.st.bad_id++;
		log_rl("aggressive mode from %s: no isakmp profile matches identity group '%s' "
		       "(unknown group; answered as if it existed)", pa, group);
		if (!prof)
			prof = decoy_profile();
	}

	struct isakmp_sa sap;
	if (isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.doi != 1) {
		ike.st.drop_malformed++;
		log_rl("aggressive mode from %s: malformed SA payload, dropped", pa);
		return;
	}
	struct ike_p1_choice ch;
	if (ikev1_choose_p1_auth(ike.conf, &sap, prof && prof->client_auth_list[0], 0, &ch) < 0) {
		ike.st.no_proposal++;
		log_rl("aggressive mode from %s group '%s': no proposal matches any isakmp policy",
		          pa, group);
		ikev1_send_plain_notify(&m->hdr, peer, local, port4500, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (pke->len != ike_dh_publen(ch.group)) {
		ike.st.drop_malformed++;
		log_rl("aggressive mode from %s: KE is %u bytes, group %d needs %zu", pa, pke->len,
		          ch.group, ike_dh_publen(ch.group));
		return;
	}

	struct ike_sa *sa = ike_sa_new(m->hdr.cky_i, peer, local);
	if (!sa)
		return;
	sa->port4500 = port4500;
	sa->encr = ch.encr;
	sa->keylen = ch.keylen;
	sa->hash = ch.hash;
	sa->auth_method = ch.auth_method;
	sa->group = ch.group;
	sa->lifetime = ch.lifetime;
	sa->xauth = ch.auth_method == IKE_AUTHM_XAUTH_INIT_PSK;
	sa->s.profile = prof;
	snprintf(sa->s.group_name, sizeof(sa->s.group_name), "%s", group);
	ikev1_note_vids(sa, m);
	memcpy(sa->gxi, pke->body, pke->len);
	sa->gxlen = pke->len;
	memcpy(sa->ni, pn->body, pn->len);
	sa->nilen = pn->len;
	memcpy(sa->idii_b, pid->body, pid->len);
	sa->idii_len = pid->len;
	sa->sai_b = malloc(psa->len);
	if (!sa->sai_b) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	memcpy(sa->sai_b, psa->body, psa->len);
	sa->sai_len = psa->len;
	/* Keep the chosen transform to echo it back. */
	sa->chosen_prop_num = sap.prop[ch.prop].num;
	sa->chosen_trans = sap.prop[ch.prop].trans[ch.trans];
	sa->state = IKE_S_WAIT_SKEYID;

	struct msg_skeyid_req *rq = calloc(1, sizeof(*rq));
	if (!rq) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	rq->sa_id = sa->s.id;
	rq->prf_hash = sa->hash;
	rq->id_type = idtype;
	rq->id_len = pid->len - 4;
	memcpy(rq->id, pid->body + 4, rq->id_len);
	rq->local = *local;
	rq->peer = *peer;
	rq->ni_len = (uint16_t)sa->nilen;
	memcpy(rq->ni, sa->ni, sa->nilen);
	/* Our nonce is chosen now so keymgr can compute prf(PSK, Ni_b | Nr_b) in one step. */
	sa->nrlen = 32;
	ike_random(sa->nr, sa->nrlen);
	rq->nr_len = (uint16_t)sa->nrlen;
	memcpy(rq->nr, sa->nr, sa->nrlen);
	ike.io.to_keymgr(IMSG_SKEYID_REQ, sa->s.id, rq, sizeof(*rq));
	free(rq);
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: aggressive mode from %s group '%s', policy %d "
	        "chosen", sa->s.id, pa, group, ch.policy_priority);
}

void ikev1_aggr_skeyid(struct ike_sa *sa, const struct msg_skeyid_res *r)
{
	uint8_t hash_r[64];
	struct isakmp_buf b;
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	if (r->status != KEY_OK || r->skeyid_len != ike_hash_len(sa->hash)) {
		log_rl("session %u: no pre-shared key for group '%s' (peer %s)", sa->s.id,
		          sa->s.group_name, pa);
		ike_sa_delete(sa, "no key", 0);
		return;
	}
	if (ikev1_p1_keys(sa, r) < 0)
		return;
	size_t publen = ike_dh_publen(sa->group);

	ikev1_idir_addr(sa);

	if (ike_hash_r(sa->hash, sa->skeyid, r->skeyid_len, sa->gxi, sa->gxlen, sa->gxr, publen,
	               sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, sa->idir_b, sa->idir_len,
	               hash_r) < 0) {
		ike_sa_delete(sa, "key derivation failed", 0);
		return;
	}

	isakmp_buf_init(&b);
	int rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_AGGR, 0, 0);
	if (!rc)
		rc = isakmp_put_sa_p1(&b, sa->chosen_prop_num, &sa->chosen_trans);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_KE, sa->gxr, publen);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_NONCE, sa->nr, sa->nrlen);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_ID, sa->idir_b, sa->idir_len);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_HASH, hash_r, sa->k.prf_len);
	if (!rc)
		rc = isakmp_put_vid(&b, VID_UNITY);
	if (!rc && sa->xauth)
		rc = isakmp_put_vid(&b, VID_XAUTH);
	if (!rc && sa->peer_dpd)
		rc = isakmp_put_vid(&b, VID_DPD);
	if (!rc && sa->natt == 1)
		rc = isakmp_put_vid(&b, VID_NATT_RFC);
	if (!rc && sa->natt == 2)
		rc = isakmp_put_vid(&b, VID_NATT_DRAFT02N);
	if (ikev1_p1_send_reply(sa, &b, rc, sa->natt) < 0)
		return;
	sa->state = IKE_S_WAIT_HASH_I;
}

void ikev1_aggr_final(struct ike_sa *sa, uint8_t *pkt, size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_msg m;
	uint8_t hash_i[64];
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	memcpy(&h, pkt, sizeof(h));
	if (h.flags & ISAKMP_FLAG_E) {
		size_t plen;
		if (ikev1_decrypt(sa, pkt, len, sa->iv, &plen) < 0) {
			ike.st.drop_decrypt++;
			log_rl("session %u: undecryptable aggressive mode message 3 from %s (wrong group key?)", sa->s.id, pa);
			return;
		}
	}
	if (isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
	                          &m) < 0) {
		ike.st.drop_malformed++;
		log_rl("session %u: malformed aggressive mode message 3 from %s (wrong group key?)", sa->s.id, pa);
		return;
	}
	const struct isakmp_payload *ph = ikev1_find_pl(&m, ISAKMP_NP_HASH);
	if (!ph || ph->len != sa->k.prf_len ||
	    ike_hash_i(sa->hash, sa->skeyid, sa->k.prf_len, sa->gxi, sa->gxlen, sa->gxr, sa->gxlen,
	               sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, sa->idii_b, sa->idii_len,
	               hash_i) < 0 ||
	    CRYPTO_memcmp(hash_i, ph->body, sa->k.prf_len)) {
		ike.st.drop_hash++;
		log_rl("session %u: HASH_I from %s does not verify: wrong group key for group '%s'",
		          sa->s.id, pa, sa->s.group_name);
		ike_sa_delete(sa, "authentication failed", 0);
		return;
	}

	ikev1_natd_check(sa, &m);

	for (int i = 0; i < m.npl; i++) {
		struct isakmp_notify n;
		if (m.pl[i].type == ISAKMP_NP_N && isakmp_parse_notify(m.pl[i].body, m.pl[i].len, &n) == 0 &&
		    n.type == ISAKMP_N_INITIAL_CONTACT)
			sa->initial_contact = 1;
	}

	memcpy(sa->p1_iv, sa->iv, sa->k.blocklen);
	if (sa->dh) {
		ike_dh_free(sa->dh);
		sa->dh = NULL;
	}
	free(sa->sai_b);
	sa->sai_b = NULL;
	sa->last_rx = time(NULL);
	ike_sa_promoted(sa);
	log_info("session %u: phase 1 complete with %s group '%s'%s", sa->s.id, pa,
	         sa->s.group_name, sa->xauth ? ", starting XAUTH" : "");
	if (sa->xauth)
		ikev1_xauth_start(sa);
	else
		ikev1_cfg_authorize(sa);
}
