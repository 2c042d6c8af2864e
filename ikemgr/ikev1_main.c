/*
 * Main mode responder with pre-shared keys chosen by address (RFC 2409 5.4), as site-to-site
 * peers (and IOS/strongSwan configured "by address") use it:
 *   I: HDR, SA, VIDs                    R: HDR, SA, VIDs                       (MM1, MM2)
 *   I: HDR, KE, Ni, NAT-D, NAT-D        R: HDR, KE, Nr, NAT-D, NAT-D           (MM3, MM4)
 *   I: HDR*, IDii, HASH_I [, N]         R: HDR*, IDir, HASH_R                  (MM5, MM6)
 * The ID is encrypted, so the key must be chosen before it is known: at MM3 keymgr picks it
 * from the peer's address and the local address the peer reached (keymgr/keyring.c), and
 * tells us which isakmp profile that was. A wrong key shows at MM5, which then does not
 * decrypt or whose HASH_I does not verify.
 * After phase 1 the profile decides, as on IOS: `client authentication list` means XAUTH
 * (ikev1_xauth.c), `client configuration address respond` Mode Config (ikev1_cfg.c), both with
 * the profile's `client configuration group`; with neither the peer goes straight to quick
 * mode and its interface and route come from the quick mode IDci (ikev1_quick.c).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

static struct log_peer lpeer(const struct ike_sa *sa)
{
	struct log_peer lp = { .addr = sa46_in4(&sa->s.peer).s_addr,
	                       .addr6 = sa46_is6(&sa->s.peer) ? &sa->s.peer.sin6.sin6_addr : NULL };
	return lp;
}

void ikev1_main_start(const struct isakmp_msg *m, const union sa46 *peer,
                      const union sa46 *local, int port4500)
{
	char pa[SA46_STRLEN];
	sa46_ntop(peer, pa);

	if (!ikev1_admit(peer, "main mode"))
		return;
	const struct isakmp_payload *psa = ikev1_find_pl(m, ISAKMP_NP_SA);
	struct isakmp_sa sap;
	if (!psa || isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.doi != 1) {
		ike.st.drop_malformed++;
		log_rl("main mode from %s without a usable SA payload, dropped", pa);
		return;
	}
	/* The profile is known only at MM3: XAUTH is offered when some profile for main mode
	 * peers does it, and checked against the profile that matched at MM5. */
	int xauth_ok = 0, sig_ok = 0;
	for (int k = 0; k < ike.conf->nprofile; k++)
		sig_ok |= ike.conf->profile[k].nca_tp > 0;
	for (int k = 0; k < ike.conf->nprofile; k++)
		if ((ike.conf->profile[k].nmatch_addr || ike.conf->profile[k].nca_tp) &&
		    ike.conf->profile[k].client_auth_list[0])
			xauth_ok = 1;
	struct ike_p1_choice ch;
	if (ikev1_choose_p1_auth(ike.conf, &sap, xauth_ok, sig_ok, &ch) < 0) {
		ike.st.no_proposal++;
		log_rl("main mode from %s: no proposal matches any isakmp policy%s", pa,
		       xauth_ok ? "" : " (no profile for main mode does XAUTH)");
		ikev1_send_plain_notify(&m->hdr, peer, local, port4500, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}

	struct ike_sa *sa = ike_sa_new(m->hdr.cky_i, peer, local);
	if (!sa)
		return;
	sa->main_mode = 1;
	sa->port4500 = port4500;
	sa->encr = ch.encr;
	sa->keylen = ch.keylen;
	sa->hash = ch.hash;
	sa->auth_method = ch.auth_method;
	sa->group = ch.group;
	sa->lifetime = ch.lifetime;
	sa->xauth = ch.auth_method == IKE_AUTHM_XAUTH_INIT_PSK ||
	            ch.auth_method == IKE_AUTHM_XAUTH_INIT_RSA;
	sa->sig = ikev1_sig_method(ch.auth_method);
	ikev1_note_vids(sa, m);
	sa->sai_b = malloc(psa->len);
	if (!sa->sai_b) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	memcpy(sa->sai_b, psa->body, psa->len);
	sa->sai_len = psa->len;
	sa->chosen_prop_num = sap.prop[ch.prop].num;
	sa->chosen_trans = sap.prop[ch.prop].trans[ch.trans];

	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	if (!rc)
		rc = isakmp_put_sa_p1(&b, sa->chosen_prop_num, &sa->chosen_trans);
	if (!rc && sa->xauth)
		rc = isakmp_put_vid(&b, VID_XAUTH);
	if (!rc && sa->peer_dpd)
		rc = isakmp_put_vid(&b, VID_DPD);
	if (!rc && sa->natt == 1)
		rc = isakmp_put_vid(&b, VID_NATT_RFC);
	if (!rc && sa->natt == 2)
		rc = isakmp_put_vid(&b, VID_NATT_DRAFT02N);
	if (ikev1_p1_send_reply(sa, &b, rc, 0) < 0)
		return;
	sa->state = IKE_S_MM_SA_SENT;
	struct log_peer lp = lpeer(sa);
	log_dbg(DBG_ISAKMP, &lp, "session %u: main mode from %s, policy %d chosen", sa->s.id, pa,
	        ch.policy_priority);
}

/* MM3: the peer's KE and nonce; keymgr computes SKEYID with the key for this address pair. */
static void mm3(struct ike_sa *sa, const uint8_t *pkt, size_t len)
{
	struct isakmp_msg m;
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	if (isakmp_parse(pkt, len, &m) < 0) {
		ike.st.drop_malformed++;
		log_rl("session %u: malformed main mode message 3 from %s dropped", sa->s.id, pa);
		return;
	}
	const struct isakmp_payload *pke = ikev1_find_pl(&m, ISAKMP_NP_KE),
	                            *pn = ikev1_find_pl(&m, ISAKMP_NP_NONCE);
	if (!pke || !pn || pn->len < 8 || pn->len > IKE_NONCE_MAX ||
	    pke->len != ike_dh_publen(sa->group)) {
		ike.st.drop_malformed++;
		log_rl("session %u: main mode message 3 from %s lacks a KE for group %d or a "
		       "nonce, dropped", sa->s.id, pa, sa->group);
		return;
	}
	memcpy(sa->gxi, pke->body, pke->len);
	sa->gxlen = pke->len;
	memcpy(sa->ni, pn->body, pn->len);
	sa->nilen = pn->len;
	ikev1_natd_check(sa, &m);
	if (sa->sig) {
		ikev1_sig_mm3(sa, &m);   /* no key to choose: SKEYID comes from the nonces and g^xy */
		return;
	}

	struct msg_skeyid_req *rq = calloc(1, sizeof(*rq));
	if (!rq) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	rq->sa_id = sa->s.id;
	rq->prf_hash = sa->hash;
	rq->by_address = 1;            /* the ID comes encrypted in MM5 */
	rq->local = sa->s.local;
	rq->peer = sa->s.peer;
	rq->ni_len = (uint16_t)sa->nilen;
	memcpy(rq->ni, sa->ni, sa->nilen);
	sa->nrlen = 32;
	ike_random(sa->nr, sa->nrlen);
	rq->nr_len = (uint16_t)sa->nrlen;
	memcpy(rq->nr, sa->nr, sa->nrlen);
	sa->state = IKE_S_WAIT_SKEYID;
	ike.io.to_keymgr(IMSG_SKEYID_REQ, sa->s.id, rq, sizeof(*rq));
	free(rq);
}

/* keymgr's answer: derive the keys and send MM4. */
void ikev1_main_skeyid(struct ike_sa *sa, const struct msg_skeyid_res *r)
{
	char pa[SA46_STRLEN], la[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);
	sa46_ntop(&sa->s.local, la);

	if (r->status != KEY_OK || r->skeyid_len != ike_hash_len(sa->hash)) {
		log_rl("session %u: main mode from %s to %s: no pre-shared key for this address",
		       sa->s.id, pa, la);
		ike_sa_delete(sa, "no key", 0);
		return;
	}
	char prof[sizeof(r->profile)];
	memcpy(prof, r->profile, sizeof(prof));
	prof[sizeof(prof) - 1] = 0;
	memcpy(sa->keyring, r->keyring, sizeof(sa->keyring));
	sa->keyring[sizeof(sa->keyring) - 1] = 0;
	sa->s.profile = NULL;
	for (int k = 0; prof[0] && k < ike.conf->nprofile; k++)
		if (!strcmp(ike.conf->profile[k].name, prof))
			sa->s.profile = &ike.conf->profile[k];
	if (ikev1_p1_keys(sa, r) < 0)
		return;

	size_t publen = ike_dh_publen(sa->group);
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_KE, sa->gxr, publen);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_NONCE, sa->nr, sa->nrlen);
	if (ikev1_p1_send_reply(sa, &b, rc, sa->natt) < 0)
		return;
	sa->state = IKE_S_MM_WAIT_ID;
	struct log_peer lp = lpeer(sa);
	log_dbg(DBG_ISAKMP, &lp, "session %u: main mode key for %s reaching %s from %s, profile %s",
	        sa->s.id, pa, la, sa->keyring[0] ? sa->keyring : "crypto isakmp key",
	        sa->s.profile ? sa->s.profile->name : "(none)");
}

/* Our identity: the address the peer reached (UDP 500, as IOS sends it) or the hostname. */
static void make_idir(struct ike_sa *sa)
{
	const char *host = ike.conf->hostname;
	if (sa->s.profile && sa->s.profile->self_identity == SELF_ID_FQDN && host[0]) {
		size_t n = strlen(host);
		if (n > sizeof(sa->idir_b) - 4)
			n = sizeof(sa->idir_b) - 4;
		sa->idir_b[0] = ISAKMP_ID_FQDN;
		sa->idir_b[1] = 17;
		sa->idir_b[2] = 0x01;
		sa->idir_b[3] = 0xf4;
		memcpy(sa->idir_b + 4, host, n);
		sa->idir_len = 4 + n;
		return;
	}
	ikev1_idir_addr(sa);
}

static void auth_failed(struct ike_sa *sa, const char *what)
{
	char pa[SA46_STRLEN], la[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);
	sa46_ntop(&sa->s.local, la);
	ike.st.drop_hash++;
	log_rl("session %u: main mode from %s to %s: %s: wrong pre-shared key (the key used was "
	       "from %s%s, profile %s)", sa->s.id, pa, la, what,
	       sa->keyring[0] ? "keyring " : "crypto isakmp key", sa->keyring,
	       sa->s.profile ? sa->s.profile->name : "(none)");
	ike_sa_delete(sa, "authentication failed", 0);
}

/* MM5: the peer's identity and HASH_I, encrypted; answer MM6 and finish phase 1. */
static void mm5(struct ike_sa *sa, uint8_t *pkt, size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_msg m;
	uint8_t hash_i[64], hash_r[64];
	size_t plen;
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	memcpy(&h, pkt, sizeof(h));
	if (!(h.flags & ISAKMP_FLAG_E)) {
		ike.st.drop_malformed++;
		log_rl("session %u: unencrypted main mode message 5 from %s dropped", sa->s.id, pa);
		return;
	}
	if (ikev1_decrypt(sa, pkt, len, sa->iv, &plen) < 0) {
		ike.st.drop_decrypt++;
		log_rl("session %u: main mode message 5 from %s is not a whole number of blocks, "
		       "dropped", sa->s.id, pa);
		return;
	}
	const struct isakmp_payload *pid, *ph;
	int parsed = isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
	                                   &m);
	if (sa->sig) {
		if (parsed == 0) {
			ikev1_sig_mm5(sa, &m);
		} else {
			ike.st.drop_decrypt++;
			log_rl("session %u: main mode message 5 from %s does not decrypt to payloads "
			       "(keys differ?)", sa->s.id, pa);
			ike_sa_delete(sa, "authentication failed", 0);
		}
		return;
	}
	if (parsed < 0 ||
	    !(pid = ikev1_find_pl(&m, ISAKMP_NP_ID)) || !(ph = ikev1_find_pl(&m, ISAKMP_NP_HASH)) ||
	    pid->len < 5 || pid->len > IKE_ID_MAX) {
		auth_failed(sa, "message 5 does not decrypt to an ID and a HASH");
		return;
	}
	memcpy(sa->idii_b, pid->body, pid->len);
	sa->idii_len = pid->len;
	if (ph->len != sa->k.prf_len ||
	    ike_hash_i(sa->hash, sa->skeyid, sa->k.prf_len, sa->gxi, sa->gxlen, sa->gxr, sa->gxlen,
	               sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, sa->idii_b, sa->idii_len,
	               hash_i) < 0 ||
	    CRYPTO_memcmp(hash_i, ph->body, sa->k.prf_len)) {
		auth_failed(sa, "HASH_I does not verify");
		return;
	}

	/* The peer proved the key; its profile must also accept the identity it claims: an
	 * ID_IPV4_ADDR or ID_IPV6_ADDR as it is, any other ID by the peer's own address. */
	union sa46 idaddr = sa->s.peer;
	sa46_set_port(&idaddr, 0);
	if (sa->idii_b[0] == ISAKMP_ID_IPV4_ADDR && sa->idii_len == 8) {
		struct in_addr a4;
		memcpy(&a4, sa->idii_b + 4, 4);
		sa46_from4(&idaddr, a4, 0);
	} else if (sa->idii_b[0] == ISAKMP_ID_IPV6_ADDR && sa->idii_len == 20) {
		struct in6_addr a6;
		memcpy(&a6, sa->idii_b + 4, 16);
		sa46_from6(&idaddr, &a6, 0);
	}
	char ida[SA46_STRLEN];
	sa46_ntop(&idaddr, ida);
	if (!sa->s.profile || !conf_profile_matches_addr(sa->s.profile, &idaddr)) {
		ike.st.bad_id++;
		log_rl("session %u: main mode from %s: no isakmp profile matches identity address %s",
		       sa->s.id, pa, ida);
		ike_sa_delete(sa, "no profile", 0);
		return;
	}
	const struct conf_isakmp_profile *pr = sa->s.profile;
	if (ikev1_main_profile_ok(sa, pr, pr->client_group) < 0)
		return;
	if (!sa->xauth)
		snprintf(sa->s.user, sizeof(sa->s.user), "%s", ida);
	ikev1_main_note_contact(sa, &m);

	make_idir(sa);
	if (ike_hash_r(sa->hash, sa->skeyid, sa->k.prf_len, sa->gxi, sa->gxlen, sa->gxr, sa->gxlen,
	               sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, sa->idir_b, sa->idir_len,
	               hash_r) < 0) {
		ike_sa_delete(sa, "key derivation failed", 0);
		return;
	}
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_ID, sa->idir_b, sa->idir_len);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_HASH, hash_r, sa->k.prf_len);
	if (!rc)
		rc = ikev1_send_encrypted(sa, &b, sa->iv, 0);
	isakmp_buf_free(&b);
	if (rc < 0) {
		ike_sa_delete(sa, "cannot send main mode message 6", 0);
		return;
	}

	char how[128];
	snprintf(how, sizeof(how), "key from %s%s", sa->keyring[0] ? "keyring " : "crypto isakmp key",
	         sa->keyring);
	ikev1_main_done(sa, ida, how);
}

/* XAUTH and Mode Config need a client group (pool, attributes); XAUTH must be what both the
 * profile and the peer want. Sets the SA's group; -1 when the SA was deleted. */
int ikev1_main_profile_ok(struct ike_sa *sa, const struct conf_isakmp_profile *pr,
                          const char *group)
{
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);
	const char *why = NULL;
	if (sa->xauth && !pr->client_auth_list[0])
		why = "the peer wants XAUTH but the profile has no 'client authentication list'";
	else if (!sa->xauth && pr->client_auth_list[0])
		why = "the profile requires XAUTH ('client authentication list') but the peer did "
		      "not propose it";
	else if ((sa->xauth || pr->config_respond) && !group[0])
		why = "XAUTH or Mode Config needs 'client configuration group' in the profile";
	if (why) {
		ike.st.bad_id++;
		log_rl("session %u: main mode from %s, profile '%s': %s", sa->s.id, pa, pr->name, why);
		ike_sa_delete(sa, "profile mismatch", 0);
		return -1;
	}
	sa->s.profile = pr;
	snprintf(sa->s.group_name, sizeof(sa->s.group_name), "%s", group);
	return 0;
}

void ikev1_main_note_contact(struct ike_sa *sa, const struct isakmp_msg *m)
{
	for (int i = 0; i < m->npl; i++) {
		struct isakmp_notify n;
		if (m->pl[i].type == ISAKMP_NP_N &&
		    isakmp_parse_notify(m->pl[i].body, m->pl[i].len, &n) == 0 &&
		    n.type == ISAKMP_N_INITIAL_CONTACT)
			sa->initial_contact = 1;
	}
}

/* Message 6 is out: phase 1 is complete, then XAUTH, Mode Config or quick mode. */
void ikev1_main_done(struct ike_sa *sa, const char *ida, const char *how)
{
	const struct conf_isakmp_profile *pr = sa->s.profile;
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	/* Phase 2 IVs start from the last CBC block of phase 1: our MM6. */
	memcpy(sa->p1_iv, sa->iv, sa->k.blocklen);
	if (sa->dh) {
		ike_dh_free(sa->dh);
		sa->dh = NULL;
	}
	free(sa->sai_b);
	sa->sai_b = NULL;
	sa->last_rx = time(NULL);
	ike_sa_promoted(sa);
	log_info("session %u: main mode phase 1 complete with %s identity %s profile '%s' "
	         "(%s)%s", sa->s.id, pa, ida, pr->name, how,
	         sa->xauth ? ", starting XAUTH" : pr->config_respond ? ", Mode Config" : "");
	if (sa->xauth) {
		ikev1_xauth_start(sa);
	} else if (pr->config_respond) {
		ikev1_cfg_authorize(sa);
	} else {
		/* Site-to-site: the peer brings its own addresses, quick mode names them. */
		ike_sa_set_established(sa);
		sa->established_at = time(NULL);
	}
}

void ikev1_main_input(struct ike_sa *sa, uint8_t *pkt, size_t len)
{
	switch (sa->state) {
	case IKE_S_MM_SA_SENT:
		mm3(sa, pkt, len);
		break;
	case IKE_S_MM_WAIT_ID:
		mm5(sa, pkt, len);
		break;
	default:
		ike.st.drop_state++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: main mode message in state %d "
		        "dropped", sa->s.id, sa->state);
	}
}
