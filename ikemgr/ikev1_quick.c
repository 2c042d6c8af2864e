/*
 * Quick mode responder (RFC 2409 5.5):
 *   I: HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]
 *   R: HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
 *   I: HDR*, HASH(3)
 * The SA pair goes to tunmgr as soon as we answer: vpnc sends ESP right behind HASH(3), and a
 * packet that beats our install would be dropped. Keys are already authenticated by phase 1.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "ikemgr/ikev1.h"

struct qm_reply {
	struct ike_sa *sa;
	struct ike_qm *qm;
	const struct ike_p2_choice *ch;
	uint8_t prop_num;
	const struct isakmp_trans *trans;
	const struct isakmp_payload *idci, *idcr;
	int lowered_life;
};

static int fill_reply(struct isakmp_buf *b, void *arg)
{
	struct qm_reply *r = arg;
	int rc = isakmp_put_sa_p2(b, r->prop_num, r->qm->child.spi_in, r->trans,
	                          r->ch->life_seconds);
	if (!rc)
		rc = isakmp_put_payload(b, ISAKMP_NP_NONCE, r->qm->nr, r->qm->nrlen);
	if (!rc && r->qm->dh)
		rc = isakmp_put_payload(b, ISAKMP_NP_KE, r->qm->gqm, ike_dh_publen(r->ch->pfs_group));
	if (!rc && r->idci)
		rc = isakmp_put_payload(b, ISAKMP_NP_ID, r->idci->body, r->idci->len);
	if (!rc && r->idcr)
		rc = isakmp_put_payload(b, ISAKMP_NP_ID, r->idcr->body, r->idcr->len);
	if (!rc && r->lowered_life) {
		/* RESPONDER-LIFETIME (RFC 2407 4.6.3.1): our lifetime is shorter than offered. */
		uint8_t data[8] = { 0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x04 };
		uint8_t full[12];
		uint32_t life = htonl(r->ch->life_seconds);
		memcpy(full, data, 8);
		memcpy(full + 8, &life, 4);
		rc = isakmp_put_notify(b, ISAKMP_PROTO_IPSEC_ESP, ISAKMP_N_RESPONDER_LIFETIME,
		                       (const uint8_t *)&r->qm->child.spi_in, 4, full, sizeof(full));
	}
	return rc;
}

/* "esp-aes 256 esp-sha-hmac", for the log */
const char *esp_transform_name(int encr, int keylen, int auth)
{
	static char buf[64];
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	const struct alg_esp_auth *a = alg_esp_auth(auth);
	char bits[8] = "";

	if (e && e->bits[0])
		snprintf(bits, sizeof(bits), " %d", keylen);
	snprintf(buf, sizeof(buf), "%s%s%s%s", e ? e->word : "?", bits, a ? " " : "",
	         a ? a->word : "");
	return buf;
}

int ikev1_qm_install(struct ike_sa *sa, struct ike_qm *qm, const struct ike_p2_choice *ch)
{
	size_t ek = esp_enc_keylen(ch->encr, ch->keylen), ak = esp_auth_keylen(ch->auth);
	uint8_t km[2 * MSG_KEY_MAX];
	struct msg_sa_add *a = calloc(1, sizeof(*a));
	if (!a || ek > MSG_KEY_MAX || ak > MSG_KEY_MAX) {
		free(a);
		return -1;
	}
	a->session_id = sa->s.id;
	a->encap = (ch->encap_mode == IPSEC_ENCAP_TUNNEL) ? ENCAP_RAW : ENCAP_UDP;
	a->peer = sa->s.peer;
	a->local = sa->s.local;
	a->encr = ch->encr;
	a->enc_keylen = (int32_t)ek;
	a->auth = ch->auth;
	a->auth_keylen = (int32_t)ak;
	a->spi_in = qm->child.spi_in;
	a->spi_out = qm->child.spi_out;
	a->sel_net = qm->child.sel_net;
	a->sel_mask = qm->child.sel_mask;
	a->sel_v6 = qm->child.sel_v6;
	a->sel_net6 = qm->child.sel_net6;
	a->sel_plen6 = qm->child.sel_v6 ? qm->child.sel_plen6 : 0;
	int rc = 0;
	const uint8_t *gqm = NULL;
	size_t gqmlen = 0;
	uint8_t shared[IKE_PUB_MAX];
	if (qm->dh) {
		gqmlen = sizeof(shared);
		if (ike_dh_shared(qm->dh, qm->gqm_i, qm->gqm_ilen, shared, &gqmlen) < 0)
			rc = -1;
		gqm = shared;
	}
	if (!rc)
		rc = ike_keymat(sa->hash, sa->k.skeyid_d, sa->k.prf_len, gqm, gqmlen,
		                ISAKMP_PROTO_IPSEC_ESP, a->spi_in, qm->ni, qm->nilen, qm->nr, qm->nrlen,
		                km, ek + ak);
	if (!rc) {
		memcpy(a->enckey_in, km, ek);
		memcpy(a->authkey_in, km + ek, ak);
		rc = ike_keymat(sa->hash, sa->k.skeyid_d, sa->k.prf_len, gqm, gqmlen,
		                ISAKMP_PROTO_IPSEC_ESP, a->spi_out, qm->ni, qm->nilen, qm->nr, qm->nrlen,
		                km, ek + ak);
	}
	if (!rc) {
		memcpy(a->enckey_out, km, ek);
		memcpy(a->authkey_out, km + ek, ak);
		/* Rekey at 85-90 % of the lifetime, jittered so that sessions which came up
		 * together (a hub restart) do not all rekey in the same second. */
		uint16_t j;
		ike_random((uint8_t *)&j, sizeof(j));
		a->hard_seconds = ch->life_seconds;
		a->soft_seconds = ch->life_seconds - ch->life_seconds / 10 -
		                  (uint32_t)((uint64_t)(ch->life_seconds / 20) * j / 65536);
		a->hard_bytes = (uint64_t)ch->life_kb * 1024;
		a->soft_bytes = a->hard_bytes - a->hard_bytes / 10 - a->hard_bytes / 20 * j / 65536;
		const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
		a->replay_window = ip && ip->replay_window ? ip->replay_window
		                                           : ike.conf->replay_window;
		ike.io.to_tunmgr(IMSG_SA_ADD, sa->s.id, a, sizeof(*a));
	}
	explicit_bzero(km, sizeof(km));
	explicit_bzero(shared, sizeof(shared));
	explicit_bzero(a, sizeof(*a));
	free(a);
	return rc;
}

static void send_info_notify(struct ike_sa *sa, uint16_t type)
{
	ikev1_send_notify(sa, type, ISAKMP_PROTO_ISAKMP, NULL, 0, NULL, 0);
}

static void qm_first(struct ike_sa *sa, struct ike_exch *x, const struct isakmp_msg *m)
{
	const struct isakmp_payload *psa = NULL, *pn = NULL, *pke = NULL, *id[2] = { NULL, NULL };
	int nid = 0;
	char pa[SA46_STRLEN];
	sa46_ntop(&sa->s.peer, pa);

	if (ikev1_verify_hash(sa, m, NULL, 0) < 0) {
		log_rl("session %u: quick mode with a bad HASH(1) dropped", sa->s.id);
		ike_exch_free(sa, x);
		return;
	}
	for (int i = 1; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type == ISAKMP_NP_SA && !psa)
			psa = p;
		else if (p->type == ISAKMP_NP_NONCE && !pn)
			pn = p;
		else if (p->type == ISAKMP_NP_KE && !pke)
			pke = p;
		else if (p->type == ISAKMP_NP_ID && nid < 2)
			id[nid++] = p;
	}
	if (!psa || !pn || pn->len < 8 || pn->len > IKE_NONCE_MAX || nid == 1) {
		ike.st.drop_malformed++;
		log_rl("session %u: malformed quick mode from %s", sa->s.id, pa);
		ike_exch_free(sa, x);
		return;
	}
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
	struct isakmp_sa sap;
	struct ike_p2_choice ch;
	if (!ip || isakmp_parse_sa(psa->body, psa->len, &sap) < 0 ||
	    ikev1_choose_p2(ike.conf, ip, &sap, sa->port4500, &ch) < 0) {
		ike.st.no_proposal++;
		log_rl("session %u: quick mode from %s: no proposal matches the transform sets of "
		          "ipsec profile '%s'", sa->s.id, pa, ip ? ip->name : "(none)");
		send_info_notify(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		ike_exch_free(sa, x);
		return;
	}
	if ((ch.pfs_group && (!pke || pke->len != ike_dh_publen(ch.pfs_group))) ||
	    (!ch.pfs_group && pke)) {
		ike.st.drop_malformed++;
		log_rl("session %u: quick mode KE does not match the PFS group", sa->s.id);
		send_info_notify(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		ike_exch_free(sa, x);
		return;
	}
	/* IDci: the client's address or a network of its own; IDcr: what it wants to reach. */
	struct in_addr sel_net = { 0 }, sel_mask = { 0 }, hub_net = { 0 }, hub_mask = { 0 };
	struct in6_addr sel_net6;
	int v6 = 0, hub6_any = 0, sel_plen6 = 128;
	memset(&sel_net6, 0, sizeof(sel_net6));
	if (nid == 2 && ikev1_id_is_ipv6(id[0]->body, id[0]->len)) {
		/* IPv6: the client's own Mode Config address, or a network RADIUS routed to it,
		 * toward anything IPv6 */
		const char *why = ikev1_check_selector6(ike.conf, sa, id[0]->body, id[0]->len,
		                                        id[1]->body, id[1]->len, &sel_net6,
		                                        &sel_plen6, &hub6_any);
		if (why) {
			char n6[INET6_ADDRSTRLEN] = "?";
			if (ikev1_id_selector6(id[0]->body, id[0]->len, &sel_net6, &sel_plen6) == 0)
				inet_ntop(AF_INET6, &sel_net6, n6, sizeof(n6));
			else
				sel_plen6 = 0;
			ike.st.bad_id++;
			log_rl("session %u: IPv6 quick mode for %s/%d refused: %s", sa->s.id, n6,
			       sel_plen6, why);
			send_info_notify(sa, ISAKMP_N_INVALID_ID_INFO);
			ike_exch_free(sa, x);
			return;
		}
		v6 = 1;
	} else if (nid == 2) {
		const char *why = NULL;
		if (ikev1_id_selector(id[0]->body, id[0]->len, &sel_net, &sel_mask) < 0 ||
		    ikev1_id_selector(id[1]->body, id[1]->len, &hub_net, &hub_mask) < 0)
			why = "not an IPv4 address, subnet or prefix";
		else
			why = ikev1_check_selector(ike.conf, sa, sel_net, sel_mask,
			                           hub_mask.s_addr == 0);
		if (why && ikev1_id_is_ipv6(id[1]->body, id[1]->len))
			why = "an IPv4 client side toward an IPv6 hub side";
		if (why) {
			char n[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &sel_net, n, sizeof(n));
			inet_ntop(AF_INET, &sel_mask, m, sizeof(m));
			ike.st.bad_id++;
			if (!ikev1_id_refusal_seen(sa, sel_net, sel_mask))
				log_warnx("session %u: quick mode for %s/%s refused: %s", sa->s.id, n, m,
				          why);
			send_info_notify(sa, ISAKMP_N_INVALID_ID_INFO);
			ike_exch_free(sa, x);
			return;
		}
	} else if (sa->s.policy.addr.s_addr || sa->main_mode) {
		ike.st.bad_id++;
		log_rl("session %u: quick mode without identities refused", sa->s.id);
		send_info_notify(sa, ISAKMP_N_INVALID_ID_INFO);
		ike_exch_free(sa, x);
		return;
	}

	/* tunmgr installs SAs on the session's interface, which a site-to-site peer gets only
	 * now: ask for it, and run this quick mode again once it exists (ikev1_va_created).
	 * A client that asks right behind Mode Config can beat its interface too: an SA sent
	 * before it would be refused while the client believes it installed. */
	struct in_addr s2s_net = sel_net;
	int s2s_plen = __builtin_popcount(sel_mask.s_addr);
	if (!sa->s.va_ready && (sa->s.va_requested || (sa->main_mode && !sa->s.have_policy))) {
		if (!sa->s.va_requested) {
			if (ikev1_template_shut(sa))
				return;         /* sa and x are gone */
			char net[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &s2s_net, net, sizeof(net));
			log_info("session %u: site-to-site peer %s protects %s/%d", sa->s.id, pa,
			         net, s2s_plen);
			ike_session_request_va(&sa->s, s2s_net, s2s_plen);
		}
		if (!sa->pending_qm && ike.cur_in) {
			sa->pending_qm = malloc(ike.cur_in_len);
			if (sa->pending_qm) {
				memcpy(sa->pending_qm, ike.cur_in, ike.cur_in_len);
				sa->pending_qm_len = ike.cur_in_len;
			}
		}
		ike_exch_free(sa, x);
		return;
	}

	struct ike_qm *qm = calloc(1, sizeof(*qm));
	if (!qm) {
		ike_exch_free(sa, x);
		return;
	}
	x->qm = qm;
	memcpy(qm->ni, pn->body, pn->len);
	qm->nilen = pn->len;
	qm->nrlen = 32;
	ike_random(qm->nr, qm->nrlen);
	do {
		ike_random((uint8_t *)&qm->child.spi_in, 4);
	} while (ntohl(qm->child.spi_in) < 256);
	qm->child.spi_out = ch.peer_spi;
	qm->child.encr = ch.encr;
	qm->child.keylen = ch.keylen;
	qm->child.auth = ch.auth;
	qm->child.pfs_group = ch.pfs_group;
	qm->child.encap_mode = ch.encap_mode;
	qm->child.lifetime = ch.life_seconds;
	qm->child.life_kb = ch.life_kb;
	qm->child.trans = sap.prop[ch.prop].trans[ch.trans];
	qm->child.sel_net = sel_net;
	qm->child.sel_mask = sel_mask;
	qm->child.sel_hub_any = v6 ? hub6_any : hub_mask.s_addr == 0;
	qm->child.sel_v6 = v6;
	qm->child.sel_net6 = sel_net6;
	qm->child.sel_plen6 = sel_plen6;
	if (nid == 2 && id[0]->len <= IKE_QMID_MAX && id[1]->len <= IKE_QMID_MAX) {
		memcpy(qm->child.id_peer, id[0]->body, id[0]->len);
		qm->child.id_peer_len = (uint8_t)id[0]->len;
		memcpy(qm->child.id_ours, id[1]->body, id[1]->len);
		qm->child.id_ours_len = (uint8_t)id[1]->len;
	}
	if (ch.pfs_group) {
		qm->dh = ike_dh_new(ch.pfs_group);
		memcpy(qm->gqm_i, pke->body, pke->len);
		qm->gqm_ilen = pke->len;
		if (!qm->dh || ike_dh_public(qm->dh, qm->gqm, ike_dh_publen(ch.pfs_group)) < 0) {
			ike_exch_free(sa, x);
			return;
		}
	}

	uint32_t offered = 0;
	{
		const struct isakmp_trans *t = &sap.prop[ch.prop].trans[ch.trans];
		int secs = 0;
		for (int i = 0; i < t->nattr; i++) {
			if (t->attr[i].type == IPSEC_ATTR_SA_LIFE_TYPE)
				secs = t->attr[i].value == 1;
			else if (t->attr[i].type == IPSEC_ATTR_SA_LIFE_DURATION && secs)
				offered = (uint32_t)t->attr[i].value;
		}
	}
	struct qm_reply r = {
		.sa = sa, .qm = qm, .ch = &ch, .prop_num = sap.prop[ch.prop].num,
		.trans = &sap.prop[ch.prop].trans[ch.trans],
		.idci = nid == 2 ? id[0] : NULL, .idcr = nid == 2 ? id[1] : NULL,
		.lowered_life = offered && offered > ch.life_seconds,
	};
	/* The client sends ESP right behind HASH(3): the answer waits for tunmgr's
	 * acknowledgement of the install (IMSG_SA_ADDED), so no first packet is lost. */
	sa->hold_next = 1;
	sa->held_spi = qm->child.spi_in;
	if (ikev1_qm_install(sa, qm, &ch) < 0 ||
	    ikev1_send_protected(sa, ISAKMP_EXCH_QUICK, x->msgid, x->iv, qm->ni, qm->nilen,
	                         fill_reply, &r, 0) < 0) {
		sa->hold_next = 0;
		log_rl("session %u: cannot answer quick mode", sa->s.id);
		ike_exch_free(sa, x);
		return;
	}
	ikev1_child_added(sa, &qm->child);
	log_info("session %u: IPsec SA in %08x out %08x (%s%s, %s, %u s)", sa->s.id,
	         ntohl(qm->child.spi_in), ntohl(qm->child.spi_out),
	         esp_transform_name(ch.encr, ch.keylen, ch.auth),
	         ch.pfs_group ? ", PFS" : "",
	         ch.encap_mode == IPSEC_ENCAP_TUNNEL ? "ESP" : "ESP in UDP", ch.life_seconds);
}

static int same_ids(const struct ike_child *a, const struct ike_child *b)
{
	return a->id_peer_len == b->id_peer_len && a->id_ours_len == b->id_ours_len &&
	       !memcmp(a->id_peer, b->id_peer, a->id_peer_len) &&
	       !memcmp(a->id_ours, b->id_ours, a->id_ours_len);
}

/*
 * A new IPsec SA is in tunmgr. Older SAs with the same identities are now replaced: they stay
 * (the peer may still send on them for a moment) until the peer deletes them or ikev1_tick
 * does, a few seconds on. A full table gives up its oldest replaced SA.
 */
void ikev1_child_added(struct ike_sa *sa, const struct ike_child *nc)
{
	time_t now = time(NULL);
	int slot = -1, oldest = -1;
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (!c->used) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (same_ids(c, nc) && !c->replaced_at)
			c->replaced_at = now;
		if (c->replaced_at && (oldest < 0 || c->created < sa->s.child[oldest].created))
			oldest = i;
	}
	if (slot < 0 && oldest >= 0) {
		ikev1_send_delete_child(sa, &sa->s.child[oldest]);
		ike_child_remove(&sa->s, &sa->s.child[oldest], "replaced");
		slot = oldest;
	}
	if (slot < 0) {
		log_rl("session %u: more than %d IPsec SAs, the new one is not tracked", sa->s.id,
		       IKE_MAX_CHILD);
		return;
	}
	sa->s.child[slot] = *nc;
	sa->s.child[slot].used = 1;
	sa->s.child[slot].installed = 1;
	sa->s.child[slot].created = now;
	sa->s.child[slot].rekeying = 0;
	sa->s.child[slot].replaced_at = 0;
	ike_session_up(&sa->s, &sa->s.child[slot]);
	ike_report_sync(sa);
	ike_sa_rearm(sa);       /* the replaced SA's deletion */
}

void ikev1_quick_input(struct ike_sa *sa, struct ike_exch *x, const struct isakmp_msg *m,
                       int first)
{
	if (first) {
		qm_first(sa, x, m);
		return;
	}
	if (!x->qm) {
		ike.st.drop_state++;
		return;
	}
	/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	uint8_t zero = 0, h[64];
	struct iovec iov[4] = {
		{ &zero, 1 }, { &x->msgid, 4 }, { x->qm->ni, x->qm->nilen }, { x->qm->nr, x->qm->nrlen },
	};
	if (m->npl < 1 || m->pl[0].type != ISAKMP_NP_HASH || m->pl[0].len != sa->k.prf_len ||
	    ike_prf(sa->hash, sa->k.skeyid_a, sa->k.prf_len, iov, 4, h) < 0 ||
	    CRYPTO_memcmp(h, m->pl[0].body, sa->k.prf_len)) {
		ike.st.drop_hash++;
		log_rl("session %u: quick mode HASH(3) does not verify", sa->s.id);
		return;
	}
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: quick mode complete", sa->s.id);
	ike_exch_free(sa, x);
}
