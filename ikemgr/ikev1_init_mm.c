/*
 * IKEv1 initiator, main mode with a pre-shared key by address (RFC 2409 5.1), as an IOS
 * static VTI dials its tunnel destination:
 *
 *   1 us:   HDR, SA, VIDs                      2 peer: HDR, SA, VIDs
 *   3 us:   HDR, KE, Ni [, NAT-D, NAT-D]       4 peer: HDR, KE, Nr [, NAT-D, NAT-D]
 *   5 us:   HDR*, IDii, HASH_I, N(INITIAL)     6 peer: HDR*, IDir, HASH_R
 *
 * The key never reaches this code: after message 4 the caller gets SKEYID = prf(PSK, Ni|Nr)
 * from keymgr (ikemgr) or computes it (tests) and hands it to ikei_mm_keys. Message 6 ends
 * the CBC chain phase 2 starts from (s->iv), as message 3 does in aggressive mode, so quick
 * mode, DPD and DELETE are ikev1_init_p2.c's unchanged.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init.h"

static const struct isakmp_payload *nth_pl(const struct isakmp_msg *m, uint8_t type, int nth)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

static int attr_val(const struct isakmp_trans *t, uint16_t type)
{
	const struct isakmp_attr *a = isakmp_trans_attr(t, type);
	return a ? (int)a->value : -1;
}

int ikei_mm1(struct ikei_sa *s, const struct ikei_p1_params *p, struct ike_dh *dh,
             struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	struct isakmp_attrs a[IKEI_OFFER_MAX];
	size_t publen = ike_dh_publen(p->group);

	if (!publen || publen > IKEI_PUB_MAX || p->ntrans < 1 || p->ntrans > IKEI_OFFER_MAX)
		return IKEI_E_BUILD;
	memset(s, 0, sizeof(*s));
	memcpy(s->offer, p->trans, sizeof(p->trans[0]) * (size_t)p->ntrans);
	s->noffer = p->ntrans;
	s->auth = p->auth ? p->auth : IKE_AUTHM_PSK;
	int rc = ikei_p1_start(s, p, dh, publen);
	if (rc < 0)
		return rc;
	for (int k = 0; k < s->noffer; k++) {
		const struct ikei_p1_trans *t = &s->offer[k];
		isakmp_attrs_init(&a[k]);
		isakmp_attrs_tv(&a[k], IKE_ATTR_ENCR, (uint16_t)t->encr);
		if (t->keylen)
			isakmp_attrs_tv(&a[k], IKE_ATTR_KEYLEN, (uint16_t)t->keylen);
		isakmp_attrs_tv(&a[k], IKE_ATTR_HASH, (uint16_t)t->hash);
		isakmp_attrs_tv(&a[k], IKE_ATTR_AUTH, (uint16_t)s->auth);
		isakmp_attrs_tv(&a[k], IKE_ATTR_GROUP, (uint16_t)p->group);
		if (p->lifetime) {
			isakmp_attrs_tv(&a[k], IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
			isakmp_attrs_tlv32(&a[k], IKE_ATTR_LIFE_DURATION, p->lifetime);
		}
	}

	isakmp_put_hdr(b, s->cky_i, zero, ISAKMP_EXCH_MAIN, 0, 0);
	size_t sa_off = b->len;
	isakmp_build_sa_offer(b, 0, 0, s->noffer, NULL, a);
	if (b->err || b->len - sa_off - 4 > IKEI_SA_MAX)
		return IKEI_E_BUILD;
	s->sai_len = b->len - sa_off - 4;
	memcpy(s->sai_b, b->data + sa_off + 4, s->sai_len);
	isakmp_put_vid(b, VID_DPD);
	if (p->natt) {
		isakmp_put_vid(b, VID_NATT_RFC);
		isakmp_put_vid(b, VID_NATT_DRAFT02N);
		isakmp_put_vid(b, VID_NATT_DRAFT02);
	}
	return isakmp_finalize(b) < 0 ? IKEI_E_BUILD : 0;
}

/* A cleartext notification in place of the answer (NO-PROPOSAL-CHOSEN, ...). */
static int refusal(const struct isakmp_msg *m, uint16_t *notify)
{
	const struct isakmp_payload *pn = nth_pl(m, ISAKMP_NP_N, 0);
	struct isakmp_notify n;

	if (m->hdr.exch_type != ISAKMP_EXCH_INFO || !pn)
		return 0;
	if (isakmp_parse_notify(pn->body, pn->len, &n) < 0)
		return IKEI_E_MALFORMED;
	*notify = n.type;
	return IKEI_E_NOTIFY;
}

int ikei_mm2(struct ikei_sa *s, const uint8_t *pkt, size_t len, uint16_t *notify)
{
	struct isakmp_msg m;
	struct isakmp_sa sap;
	int rc, k;

	if (isakmp_parse(pkt, len, &m) < 0 || memcmp(m.hdr.cky_i, s->cky_i, 8))
		return IKEI_E_MALFORMED;
	if ((rc = refusal(&m, notify)) < 0)
		return rc;
	if (m.hdr.exch_type != ISAKMP_EXCH_MAIN || (m.hdr.flags & ISAKMP_FLAG_E))
		return IKEI_E_STATE;
	const struct isakmp_payload *psa = nth_pl(&m, ISAKMP_NP_SA, 0);
	if (!psa || nth_pl(&m, ISAKMP_NP_KE, 0))
		return psa ? IKEI_E_STATE : IKEI_E_MALFORMED;
	if (isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.nprop != 1 ||
	    sap.prop[0].ntrans != 1)
		return IKEI_E_MALFORMED;
	const struct isakmp_trans *t = &sap.prop[0].trans[0];
	for (k = 0; k < s->noffer; k++) {
		const struct ikei_p1_trans *o = &s->offer[k];
		if (attr_val(t, IKE_ATTR_ENCR) == o->encr && attr_val(t, IKE_ATTR_HASH) == o->hash &&
		    (!o->keylen || attr_val(t, IKE_ATTR_KEYLEN) == o->keylen))
			break;
	}
	if (k == s->noffer || attr_val(t, IKE_ATTR_GROUP) != s->group ||
	    attr_val(t, IKE_ATTR_AUTH) != s->auth)
		return IKEI_E_PROPOSAL;
	s->encr = s->offer[k].encr;
	s->keylen = s->offer[k].keylen;
	s->hash = s->offer[k].hash;
	memcpy(s->cky_r, m.hdr.cky_r, 8);
	s->peer_natt = 0;
	for (int i = 0; i < m.npl; i++) {
		if (m.pl[i].type != ISAKMP_NP_VID)
			continue;
		if (vid_is(&m.pl[i], VID_NATT_RFC))
			s->peer_natt = 1;
		else if (!s->peer_natt && (vid_is(&m.pl[i], VID_NATT_DRAFT02) ||
		                           vid_is(&m.pl[i], VID_NATT_DRAFT02N) ||
		                           vid_is(&m.pl[i], VID_NATT_DRAFT03)))
			s->peer_natt = 2;
	}
	return 0;
}

int ikei_mm3(const struct ikei_sa *s, const struct sockaddr_in *local,
             const struct sockaddr_in *peer, struct isakmp_buf *b)
{
	return ikei_mm3_cr(s, local, peer, NULL, 0, b);
}

int ikei_mm3_cr(const struct ikei_sa *s, const struct sockaddr_in *local,
                const struct sockaddr_in *peer, const uint8_t *cr, size_t cr_len,
                struct isakmp_buf *b)
{
	uint8_t d[64];
	size_t hl = ike_hash_len(s->hash);

	isakmp_put_hdr(b, s->cky_i, s->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_put_payload(b, ISAKMP_NP_KE, s->gxi, s->gxlen);
	isakmp_put_payload(b, ISAKMP_NP_NONCE, s->ni, s->nilen);
	if (s->peer_natt) {
		/* RFC 3947 3.2: first the address the datagram goes to, then our own */
		uint8_t np = s->peer_natt == 1 ? ISAKMP_NP_NATD : ISAKMP_NP_NATD_DRAFT;
		isakmp_natd_hash(s->hash, s->cky_i, s->cky_r, &(union sa46){ .sin = *peer }, d);
		isakmp_put_payload(b, np, d, hl);
		isakmp_natd_hash(s->hash, s->cky_i, s->cky_r, &(union sa46){ .sin = *local }, d);
		isakmp_put_payload(b, np, d, hl);
	}
	if (cr)
		isakmp_put_payload(b, ISAKMP_NP_CR, cr, cr_len);
	return isakmp_finalize(b) < 0 ? IKEI_E_BUILD : 0;
}

static int natd_same(const struct ikei_sa *s, const struct isakmp_payload *p,
                     const struct sockaddr_in *a)
{
	uint8_t h[64];
	size_t hl = ike_hash_len(s->hash);
	return p && p->len == hl &&
	       !isakmp_natd_hash(s->hash, s->cky_i, s->cky_r, &(union sa46){ .sin = *a }, h) &&
	       !memcmp(h, p->body, hl);
}

int ikei_mm4(struct ikei_sa *s, const uint8_t *pkt, size_t len, const struct sockaddr_in *local,
             const struct sockaddr_in *peer, uint16_t *notify)
{
	struct isakmp_msg m;
	int rc;

	if (isakmp_parse(pkt, len, &m) < 0 || memcmp(m.hdr.cky_i, s->cky_i, 8))
		return IKEI_E_MALFORMED;
	if ((rc = refusal(&m, notify)) < 0)
		return rc;
	if (m.hdr.exch_type != ISAKMP_EXCH_MAIN || (m.hdr.flags & ISAKMP_FLAG_E) ||
	    memcmp(m.hdr.cky_r, s->cky_r, 8))
		return IKEI_E_STATE;
	const struct isakmp_payload *pke = nth_pl(&m, ISAKMP_NP_KE, 0),
	                            *pnr = nth_pl(&m, ISAKMP_NP_NONCE, 0);
	if (!pke && nth_pl(&m, ISAKMP_NP_SA, 0))
		return IKEI_E_STATE;    /* message 2 again: its answer to our message 1 resent */
	if (!pke || !pnr || pke->len != s->gxlen || pnr->len < 8 || pnr->len > IKEI_NONCE_MAX)
		return IKEI_E_MALFORMED;
	memcpy(s->gxr, pke->body, pke->len);
	memcpy(s->nr, pnr->body, pnr->len);
	s->nrlen = pnr->len;
	s->nat_detected = 0;
	if (s->peer_natt) {
		/* first the hash of the address the datagram went to (ours), then the sender's */
		uint8_t np = s->peer_natt == 1 ? ISAKMP_NP_NATD : ISAKMP_NP_NATD_DRAFT;
		const struct isakmp_payload *d0 = nth_pl(&m, np, 0), *d1 = nth_pl(&m, np, 1);
		if (!d0 || !d1)
			return IKEI_E_MALFORMED;
		s->nat_detected = !natd_same(s, d0, local) || !natd_same(s, d1, peer);
	}
	return 0;
}

int ikei_mm_keys(struct ikei_sa *s, struct ike_dh *dh, const uint8_t *skeyid, size_t skeyid_len)
{
	uint8_t gxy[IKEI_PUB_MAX];
	size_t gxylen = sizeof(gxy);

	if (skeyid_len == 0 || skeyid_len > sizeof(s->skeyid))
		return IKEI_E_DH;
	memcpy(s->skeyid, skeyid, skeyid_len);
	if (ike_dh_shared(dh, s->gxr, s->gxlen, gxy, &gxylen) < 0)
		return IKEI_E_DH;
	int rc = ike_derive_p1(s->hash, s->encr, s->keylen, s->skeyid, skeyid_len, gxy, gxylen,
	                       s->cky_i, s->cky_r, s->gxi, s->gxlen, s->gxr, s->gxlen, &s->k);
	explicit_bzero(gxy, sizeof(gxy));
	if (rc < 0)
		return IKEI_E_DH;
	memcpy(s->iv, s->k.iv, s->k.blocklen);
	return 0;
}

int ikei_mm5(struct ikei_sa *s, struct in_addr id, struct isakmp_buf *b)
{
	uint8_t hash_i[64], ck[16];
	uint16_t port = htons(500);

	/* ID_IPV4_ADDR, UDP port 500 as IOS sends it (RFC 2407 4.6.2 allows 0 or this) */
	s->idii_b[0] = ISAKMP_ID_IPV4_ADDR;
	s->idii_b[1] = 17;
	memcpy(s->idii_b + 2, &port, 2);
	memcpy(s->idii_b + 4, &id, 4);
	s->idii_len = 8;
	if (ike_hash_i(s->hash, s->skeyid, s->k.prf_len, s->gxi, s->gxlen, s->gxr, s->gxlen,
	               s->cky_i, s->cky_r, s->sai_b, s->sai_len, s->idii_b, s->idii_len, hash_i) < 0)
		return IKEI_E_DH;
	isakmp_put_hdr(b, s->cky_i, s->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_put_payload(b, ISAKMP_NP_ID, s->idii_b, s->idii_len);
	isakmp_put_payload(b, ISAKMP_NP_HASH, hash_i, s->k.prf_len);
	memcpy(ck, s->cky_i, 8);
	memcpy(ck + 8, s->cky_r, 8);
	if (!s->renewal)
		isakmp_put_notify(b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_INITIAL_CONTACT, ck, 16, NULL, 0);
	return ikei_seal(s, b, s->iv);
}

int ikei_mm6(struct ikei_sa *s, uint8_t *pkt, size_t len, struct in_addr want_id,
             uint16_t *notify)
{
	struct isakmp_hdr h;
	struct isakmp_msg m;
	uint8_t saved[16], hash_r[64];
	size_t bl = s->k.blocklen;

	if (isakmp_parse_hdr(pkt, len, &h) < 0 || memcmp(h.cky_i, s->cky_i, 8) ||
	    memcmp(h.cky_r, s->cky_r, 8))
		return IKEI_E_MALFORMED;
	if (!(h.flags & ISAKMP_FLAG_E)) {
		/* a cleartext refusal (AUTHENTICATION-FAILED) or message 4 resent */
		if (isakmp_parse(pkt, len, &m) < 0)
			return IKEI_E_MALFORMED;
		int rc = refusal(&m, notify);
		return rc < 0 ? rc : IKEI_E_STATE;
	}
	if (h.exch_type != ISAKMP_EXCH_MAIN || h.msgid != 0)
		return IKEI_E_STATE;
	if (len <= ISAKMP_HDR_LEN || (len - ISAKMP_HDR_LEN) % bl)
		return IKEI_E_MALFORMED;
	/* a datagram that is not message 6 must leave the chain as it was */
	memcpy(saved, s->iv, bl);
	if (ike_cbc(s->encr, s->keylen, s->k.enc_key, s->iv, pkt + ISAKMP_HDR_LEN,
	            len - ISAKMP_HDR_LEN, 0) < 0) {
		memcpy(s->iv, saved, bl);
		return IKEI_E_DH;
	}
	int rc = IKEI_E_MALFORMED;
	const struct isakmp_payload *pid, *ph;
	if (isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
	                          &m) < 0)
		goto fail;
	pid = nth_pl(&m, ISAKMP_NP_ID, 0);
	ph = nth_pl(&m, ISAKMP_NP_HASH, 0);
	if (!pid || !ph || pid->len < 5 || pid->len > IKEI_ID_MAX || ph->len != s->k.prf_len)
		goto fail;
	rc = IKEI_E_HASH;
	memcpy(s->idr_b, pid->body, pid->len);
	s->idr_len = pid->len;
	if (ike_hash_r(s->hash, s->skeyid, s->k.prf_len, s->gxi, s->gxlen, s->gxr, s->gxlen,
	               s->cky_i, s->cky_r, s->sai_b, s->sai_len, s->idr_b, s->idr_len,
	               hash_r) < 0 || CRYPTO_memcmp(hash_r, ph->body, s->k.prf_len))
		goto fail;
	/* the key is the destination's, so the peer must name itself by that address */
	rc = IKEI_E_PROPOSAL;
	if (want_id.s_addr && (pid->len != 8 || pid->body[0] != ISAKMP_ID_IPV4_ADDR ||
	                       memcmp(pid->body + 4, &want_id, 4)))
		goto fail;
	memcpy(s->hash_r, ph->body, ph->len);
	return 0;
fail:
	memcpy(s->iv, saved, bl);
	return rc;
}
