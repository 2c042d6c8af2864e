/*
 * IKEv1 initiator, phase 1 (aggressive mode with a group key, as vpnc speaks it) and the
 * protection of later messages (HASH(1), per-exchange IVs). The responder half of the same
 * exchanges is ikev1_aggr.c; both use the codec (isakmp.c) and crypto (ike_crypto.c, dh.c).
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/msg.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init.h"

const char *ikei_strerror(int err)
{
	switch (err) {
	case IKEI_E_MALFORMED: return "malformed";
	case IKEI_E_HASH: return "hash mismatch";
	case IKEI_E_PROPOSAL: return "proposal not ours";
	case IKEI_E_NOTIFY: return "notification";
	case IKEI_E_DH: return "Diffie-Hellman failed";
	case IKEI_E_XAUTH: return "XAUTH failed";
	case IKEI_E_STATE: return "unexpected message";
	case IKEI_E_BUILD: return "cannot build";
	}
	return "?";
}

static const struct isakmp_payload *find_pl(const struct isakmp_msg *m, uint8_t type, int nth)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

static void p1_attrs(struct isakmp_attrs *a, const struct ikei_p1_trans *t, int group,
                     uint32_t lifetime)
{
	isakmp_attrs_init(a);
	isakmp_attrs_tv(a, IKE_ATTR_ENCR, (uint16_t)t->encr);
	if (t->keylen)
		isakmp_attrs_tv(a, IKE_ATTR_KEYLEN, (uint16_t)t->keylen);
	isakmp_attrs_tv(a, IKE_ATTR_HASH, (uint16_t)t->hash);
	isakmp_attrs_tv(a, IKE_ATTR_AUTH, IKE_AUTHM_XAUTH_INIT_PSK);
	isakmp_attrs_tv(a, IKE_ATTR_GROUP, (uint16_t)group);
	if (lifetime) {
		isakmp_attrs_tv(a, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_attrs_tlv32(a, IKE_ATTR_LIFE_DURATION, lifetime);
	}
}

int ikei_p1_start(struct ikei_sa *s, const struct ikei_p1_params *p, struct ike_dh *dh,
                  size_t publen)
{
	for (int k = 0; k < s->noffer; k++) {
		struct ikei_p1_trans *t = &s->offer[k];
		if (t->encr == IKE_ENCR_AES && !t->keylen)
			t->keylen = 128;
		else if (t->encr != IKE_ENCR_AES)
			t->keylen = 0;
		if (!ike_hash_len(t->hash))
			return IKEI_E_BUILD;
	}
	/* until message 2 says which, the first offer; hash decides nothing before then */
	s->encr = s->offer[0].encr;
	s->keylen = s->offer[0].keylen;
	s->hash = s->offer[0].hash;
	s->group = p->group;
	s->gxlen = publen;
	s->nilen = sizeof(s->ni);
	/* the key pair and nonce now, so that what follows is a plain builder (and a resend of
	 * it the same bytes) */
	if (ike_random(s->cky_i, 8) < 0 || ike_random(s->ni, s->nilen) < 0 ||
	    ike_dh_public(dh, s->gxi, publen) < 0)
		return IKEI_E_DH;
	if (p->cky_tag)
		memcpy(s->cky_i, &p->cky_tag, 4);
	return 0;
}

void ikei_skeyid_req(const struct ikei_sa *s, struct msg_skeyid_req *q)
{
	q->prf_hash = s->hash;
	q->ni_len = (uint16_t)s->nilen;
	q->nr_len = (uint16_t)s->nrlen;
	memcpy(q->ni, s->ni, s->nilen);
	memcpy(q->nr, s->nr, s->nrlen);
}

int ikei_aggr1(struct ikei_sa *s, const struct ikei_p1_params *p, struct ike_dh *dh,
               struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	struct isakmp_attrs a[IKEI_OFFER_MAX];
	size_t publen = ike_dh_publen(p->group), glen = strlen(p->group_name);

	if (!publen || publen > IKEI_PUB_MAX || glen + 4 > IKEI_ID_MAX || p->ntrans < 0 ||
	    p->ntrans > IKEI_OFFER_MAX)
		return IKEI_E_BUILD;
	memset(s, 0, sizeof(*s));
	if (p->ntrans) {
		memcpy(s->offer, p->trans, sizeof(p->trans[0]) * (size_t)p->ntrans);
		s->noffer = p->ntrans;
	} else {
		s->offer[0] = (struct ikei_p1_trans){ p->encr, p->keylen, p->hash };
		s->noffer = 1;
	}
	int rc = ikei_p1_start(s, p, dh, publen);
	if (rc < 0)
		return rc;
	s->fake_natd = p->fake_natd;

	for (int k = 0; k < s->noffer; k++)
		p1_attrs(&a[k], &s->offer[k], p->group, p->lifetime);
	isakmp_put_hdr(b, s->cky_i, zero, ISAKMP_EXCH_AGGR, 0, 0);
	size_t sa_off = b->len;
	if (s->noffer == 1)
		isakmp_build_sa_p1(b, 1, 1, &a[0]);
	else
		isakmp_build_sa_offer(b, 0, 0, s->noffer, NULL, a);
	/* HASH_I/HASH_R cover the SA body as sent (without its generic header) */
	if (b->err || b->len - sa_off - 4 > IKEI_SA_MAX)
		return IKEI_E_BUILD;
	s->sai_len = b->len - sa_off - 4;
	memcpy(s->sai_b, b->data + sa_off + 4, s->sai_len);

	s->idii_b[0] = ISAKMP_ID_KEY_ID;
	memcpy(s->idii_b + 4, p->group_name, glen);
	s->idii_len = 4 + glen;
	isakmp_put_payload(b, ISAKMP_NP_KE, s->gxi, publen);
	isakmp_put_payload(b, ISAKMP_NP_NONCE, s->ni, s->nilen);
	isakmp_put_payload(b, ISAKMP_NP_ID, s->idii_b, s->idii_len);
	/* vpnc's set: XAUTH, Unity, DPD, and NAT-T in both spellings when it may use it */
	isakmp_put_vid(b, VID_XAUTH);
	isakmp_put_vid(b, VID_UNITY);
	isakmp_put_vid(b, VID_DPD);
	if (p->natt) {
		isakmp_put_vid(b, VID_NATT_RFC);
		isakmp_put_vid(b, VID_NATT_DRAFT02N);
		isakmp_put_vid(b, VID_NATT_DRAFT02);
	}
	return isakmp_finalize(b) < 0 ? IKEI_E_BUILD : 0;
}

static int attr_val(const struct isakmp_trans *t, uint16_t type)
{
	const struct isakmp_attr *a = isakmp_trans_attr(t, type);
	return a ? (int)a->value : -1;
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

int ikei_aggr2_parse(struct ikei_sa *s, const uint8_t *pkt, size_t len,
                     const struct sockaddr_in *local, const struct sockaddr_in *peer,
                     uint16_t *notify)
{
	struct isakmp_msg m;
	struct isakmp_sa sap;

	if (isakmp_parse(pkt, len, &m) < 0 || memcmp(m.hdr.cky_i, s->cky_i, 8))
		return IKEI_E_MALFORMED;
	const struct isakmp_payload *pn = find_pl(&m, ISAKMP_NP_N, 0);
	if (m.hdr.exch_type == ISAKMP_EXCH_INFO && pn) {
		struct isakmp_notify n;
		if (isakmp_parse_notify(pn->body, pn->len, &n) < 0)
			return IKEI_E_MALFORMED;
		*notify = n.type;
		return IKEI_E_NOTIFY;
	}
	if (m.hdr.exch_type != ISAKMP_EXCH_AGGR)
		return IKEI_E_STATE;
	const struct isakmp_payload *psa = find_pl(&m, ISAKMP_NP_SA, 0),
	                            *pke = find_pl(&m, ISAKMP_NP_KE, 0),
	                            *pnr = find_pl(&m, ISAKMP_NP_NONCE, 0),
	                            *pid = find_pl(&m, ISAKMP_NP_ID, 0),
	                            *ph = find_pl(&m, ISAKMP_NP_HASH, 0);
	if (!psa || !pke || !pnr || !pid || !ph || pke->len != s->gxlen || pnr->len < 8 ||
	    pnr->len > IKEI_NONCE_MAX || pid->len > IKEI_ID_MAX)
		return IKEI_E_MALFORMED;
	if (isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.nprop != 1 ||
	    sap.prop[0].ntrans != 1)
		return IKEI_E_MALFORMED;
	const struct isakmp_trans *t = &sap.prop[0].trans[0];
	int k;
	for (k = 0; k < s->noffer; k++) {
		const struct ikei_p1_trans *o = &s->offer[k];
		if (attr_val(t, IKE_ATTR_ENCR) == o->encr && attr_val(t, IKE_ATTR_HASH) == o->hash &&
		    (!o->keylen || attr_val(t, IKE_ATTR_KEYLEN) == o->keylen))
			break;
	}
	if (k == s->noffer || attr_val(t, IKE_ATTR_GROUP) != s->group ||
	    attr_val(t, IKE_ATTR_AUTH) != IKE_AUTHM_XAUTH_INIT_PSK)
		return IKEI_E_PROPOSAL;
	s->encr = s->offer[k].encr;
	s->keylen = s->offer[k].keylen;
	s->hash = s->offer[k].hash;
	if (ph->len != ike_hash_len(s->hash))
		return IKEI_E_MALFORMED;

	memcpy(s->cky_r, m.hdr.cky_r, 8);
	memcpy(s->gxr, pke->body, pke->len);
	memcpy(s->nr, pnr->body, pnr->len);
	s->nrlen = pnr->len;
	memcpy(s->idr_b, pid->body, pid->len);
	s->idr_len = pid->len;
	memcpy(s->hash_r, ph->body, ph->len);

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
	if (s->peer_natt) {
		/* RFC 3947 3.2: first the hash of the address the datagram went to (ours) */
		uint8_t np = s->peer_natt == 1 ? ISAKMP_NP_NATD : ISAKMP_NP_NATD_DRAFT;
		const struct isakmp_payload *d0 = find_pl(&m, np, 0), *d1 = find_pl(&m, np, 1);
		s->nat_detected = s->fake_natd || !natd_same(s, d0, local) || !natd_same(s, d1, peer);
	}
	return 0;
}

int ikei_aggr2_keys(struct ikei_sa *s, struct ike_dh *dh, const uint8_t *skeyid, size_t skeyid_len)
{
	uint8_t gxy[IKEI_PUB_MAX], hash_r[64];
	size_t gxylen = sizeof(gxy);

	if (skeyid_len == 0 || skeyid_len > sizeof(s->skeyid))
		return IKEI_E_DH;
	memcpy(s->skeyid, skeyid, skeyid_len);
	if (ike_dh_shared(dh, s->gxr, s->gxlen, gxy, &gxylen) < 0)
		return IKEI_E_DH;
	int rc = ike_derive_p1(s->hash, s->encr, s->keylen, s->skeyid, skeyid_len, gxy, gxylen,
	                       s->cky_i, s->cky_r, s->gxi, s->gxlen, s->gxr, s->gxlen, &s->k);
	explicit_bzero(gxy, sizeof(gxy));
	if (!rc)
		rc = ike_hash_r(s->hash, s->skeyid, skeyid_len, s->gxi, s->gxlen, s->gxr, s->gxlen,
		                s->cky_i, s->cky_r, s->sai_b, s->sai_len, s->idr_b, s->idr_len, hash_r);
	if (rc < 0)
		return IKEI_E_DH;
	if (CRYPTO_memcmp(hash_r, s->hash_r, ike_hash_len(s->hash)))
		return IKEI_E_HASH;
	memcpy(s->iv, s->k.iv, s->k.blocklen);
	return 0;
}

int ikei_aggr2(struct ikei_sa *s, struct ike_dh *dh, const uint8_t *psk, size_t psklen,
               const uint8_t *pkt, size_t len, const struct sockaddr_in *local,
               const struct sockaddr_in *peer, uint16_t *notify)
{
	uint8_t skeyid[64];
	size_t skeyid_len;
	int rc = ikei_aggr2_parse(s, pkt, len, local, peer, notify);
	if (rc < 0)
		return rc;
	if (ike_skeyid_psk(s->hash, psk, psklen, s->ni, s->nilen, s->nr, s->nrlen, skeyid,
	                   &skeyid_len) < 0)
		return IKEI_E_DH;
	rc = ikei_aggr2_keys(s, dh, skeyid, skeyid_len);
	explicit_bzero(skeyid, sizeof(skeyid));
	return rc;
}

/* Pads and encrypts everything after the header, chaining iv. */
int ikei_seal(const struct ikei_sa *s, struct isakmp_buf *b, uint8_t *iv)
{
	size_t bl = s->k.blocklen, pad = (bl - (b->len - ISAKMP_HDR_LEN) % bl) % bl;
	if (b->err || isakmp_buf_reserve(b, pad) < 0)
		return IKEI_E_BUILD;
	memset(b->data + b->len, 0, pad);
	b->len += pad;
	struct isakmp_hdr *h = (struct isakmp_hdr *)b->data;
	h->flags |= ISAKMP_FLAG_E;
	h->len = htonl((uint32_t)b->len);
	if (ike_cbc(s->encr, s->keylen, s->k.enc_key, iv, b->data + ISAKMP_HDR_LEN,
	            b->len - ISAKMP_HDR_LEN, 1) < 0)
		return IKEI_E_DH;
	return 0;
}

int ikei_aggr3(struct ikei_sa *s, const struct sockaddr_in *local, const struct sockaddr_in *peer,
               struct isakmp_buf *b)
{
	uint8_t hash_i[64], d[64];
	size_t hl = ike_hash_len(s->hash);
	if (ike_hash_i(s->hash, s->skeyid, s->k.prf_len, s->gxi, s->gxlen, s->gxr, s->gxlen,
	               s->cky_i, s->cky_r, s->sai_b, s->sai_len, s->idii_b, s->idii_len, hash_i) < 0)
		return IKEI_E_DH;
	isakmp_put_hdr(b, s->cky_i, s->cky_r, ISAKMP_EXCH_AGGR, 0, 0);
	isakmp_put_payload(b, ISAKMP_NP_HASH, hash_i, s->k.prf_len);
	if (s->peer_natt) {
		uint8_t np = s->peer_natt == 1 ? ISAKMP_NP_NATD : ISAKMP_NP_NATD_DRAFT;
		isakmp_natd_hash(s->hash, s->cky_i, s->cky_r, &(union sa46){ .sin = *peer }, d);
		isakmp_put_payload(b, np, d, hl);
		/* a made-up port for our own address is what a NAT would show the hub */
		union sa46 shown = { .sin = *local };
		if (s->fake_natd)
			shown.sin.sin_port ^= 0x5a5a;
		isakmp_natd_hash(s->hash, s->cky_i, s->cky_r, &shown, d);
		isakmp_put_payload(b, np, d, hl);
	}
	uint8_t ck[16];
	memcpy(ck, s->cky_i, 8);
	memcpy(ck + 8, s->cky_r, 8);
	isakmp_put_notify(b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_INITIAL_CONTACT, ck, 16, NULL, 0);
	return ikei_seal(s, b, s->iv);
}

int ikei_peek(const uint8_t *pkt, size_t len, uint32_t *msgid, uint8_t *exch)
{
	struct isakmp_hdr h;
	if (isakmp_parse_hdr(pkt, len, &h) < 0)
		return -1;
	*msgid = h.msgid;
	*exch = h.exch_type;
	return 0;
}

void ikei_x_init(const struct ikei_sa *s, struct ikei_x *x, uint32_t msgid)
{
	while (msgid == 0)
		ike_random((uint8_t *)&msgid, sizeof(msgid));
	x->msgid = msgid;
	ike_phase2_iv(s->hash, s->iv, s->k.blocklen, msgid, x->iv);
}

int ikei_open(const struct ikei_sa *s, struct ikei_x *x, uint8_t *pkt, size_t len,
              const uint8_t *pre, size_t prelen, struct isakmp_msg *m)
{
	struct isakmp_hdr h;
	uint8_t want[64];
	size_t bl = s->k.blocklen;

	if (isakmp_parse_hdr(pkt, len, &h) < 0 || !(h.flags & ISAKMP_FLAG_E) || h.msgid != x->msgid ||
	    memcmp(h.cky_i, s->cky_i, 8) || memcmp(h.cky_r, s->cky_r, 8) ||
	    len <= ISAKMP_HDR_LEN || (len - ISAKMP_HDR_LEN) % bl)
		return IKEI_E_MALFORMED;
	uint8_t saved[16];
	memcpy(saved, x->iv, bl);
	if (ike_cbc(s->encr, s->keylen, s->k.enc_key, x->iv, pkt + ISAKMP_HDR_LEN,
	            len - ISAKMP_HDR_LEN, 0) < 0)
		return IKEI_E_DH;
	if (isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, m) < 0 ||
	    m->npl < 1 || m->pl[0].type != ISAKMP_NP_HASH || m->pl[0].len != s->k.prf_len) {
		memcpy(x->iv, saved, bl);
		return IKEI_E_MALFORMED;
	}
	m->hdr = h;
	const uint8_t *start = m->pl[0].body + m->pl[0].len;
	const struct isakmp_payload *last = &m->pl[m->npl - 1];
	struct iovec iov[3] = {
		{ &x->msgid, 4 }, { (void *)pre, prelen },
		{ (void *)start, (size_t)(last->body + last->len - start) },
	};
	if (ike_prf(s->hash, s->k.skeyid_a, s->k.prf_len, iov, 3, want) < 0 ||
	    CRYPTO_memcmp(want, m->pl[0].body, s->k.prf_len)) {
		memcpy(x->iv, saved, bl);
		return IKEI_E_HASH;
	}
	return 0;
}

/* Starts a protected message: header and a HASH(1) to be filled by protect(). */
int ikei_begin(const struct ikei_sa *s, struct isakmp_buf *b, uint8_t exch, uint32_t msgid)
{
	static const uint8_t zero[64];
	isakmp_put_hdr(b, s->cky_i, s->cky_r, exch, 0, msgid);
	return isakmp_put_payload(b, ISAKMP_NP_HASH, zero, s->k.prf_len) < 0 ? IKEI_E_BUILD : 0;
}

/* HASH(1) = prf(SKEYID_a, M-ID | pre | payloads after HASH), then encryption with x's IV. */
int ikei_protect(const struct ikei_sa *s, struct ikei_x *x, struct isakmp_buf *b,
                 const uint8_t *pre, size_t prelen)
{
	size_t off = ISAKMP_HDR_LEN + 4 + s->k.prf_len;
	if (b->err || b->len < off)
		return IKEI_E_BUILD;
	struct iovec iov[3] = {
		{ &x->msgid, 4 }, { (void *)pre, prelen }, { b->data + off, b->len - off },
	};
	if (ike_prf(s->hash, s->k.skeyid_a, s->k.prf_len, iov, 3, b->data + ISAKMP_HDR_LEN + 4) < 0)
		return IKEI_E_DH;
	return ikei_seal(s, b, x->iv);
}
