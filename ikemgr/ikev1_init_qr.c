/*
 * The initiator's side answering a quick mode the hub starts (RFC 2409 5.5), as a hub does
 * when its end of an SA pair nears its lifetime first:
 *   hub: HDR*, HASH(1), SA, Ni [, IDci, IDcr]
 *   us:  HDR*, HASH(2), SA, Nr [, IDci, IDcr]      HASH(2) = prf(SKEYID_a, M-ID | Ni_b | ...)
 *   hub: HDR*, HASH(3)                             HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 * Pure functions over caller-owned state, like the rest of ikev1_init*.c. A KE in message 1
 * is taken only when the caller wants PFS (q->pfs_group and q->pfs_dh set, as a static VTI's
 * `set pfs` does), in that group; otherwise it is refused (the client offered none).
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init.h"

/* Our side of the identities: the address /32 (as an address or a subnet), or the network. */
static int ours_ok(const uint8_t *b, size_t len, struct in_addr ours, struct in_addr mask)
{
	struct in_addr a, m;
	if (len == 8 && b[0] == ISAKMP_ID_IPV4_ADDR) {
		memcpy(&a, b + 4, 4);
		return !mask.s_addr && a.s_addr == ours.s_addr;
	}
	if (len == 12 && b[0] == ISAKMP_ID_IPV4_ADDR_SUBNET) {
		memcpy(&a, b + 4, 4);
		memcpy(&m, b + 8, 4);
		if (!mask.s_addr)
			return a.s_addr == ours.s_addr && m.s_addr == 0xffffffffu;
		return a.s_addr == ours.s_addr && m.s_addr == mask.s_addr;
	}
	return 0;
}

/* A static VTI's identities: 0.0.0.0/0, any protocol and port. */
static int any_ok(const uint8_t *b, size_t len)
{
	static const uint8_t any[12] = { ISAKMP_ID_IPV4_ADDR_SUBNET };
	return len == sizeof(any) && !memcmp(b, any, sizeof(any));
}

static const struct ikei_p2_prop *acceptable(const struct isakmp_prop *p,
                                             const struct isakmp_trans *t,
                                             const struct ikei_p2_prop *accept, int naccept,
                                             int udp)
{
	const struct isakmp_attr *aa = isakmp_trans_attr(t, IPSEC_ATTR_AUTH_ALG);
	const struct isakmp_attr *kl = isakmp_trans_attr(t, IPSEC_ATTR_KEY_LENGTH);
	const struct isakmp_attr *em = isakmp_trans_attr(t, IPSEC_ATTR_ENCAP_MODE);
	int auth = aa ? (int)aa->value : 0, klen = kl ? (int)kl->value : 0;

	if (p->proto != ISAKMP_PROTO_IPSEC_ESP || p->spi_len != 4 || !em)
		return NULL;
	if (udp ? em->value != IPSEC_ENCAP_UDP_TUNNEL && em->value != IPSEC_ENCAP_UDP_TUNNEL_DRAFT
	        : em->value != IPSEC_ENCAP_TUNNEL)
		return NULL;
	for (int k = 0; k < naccept; k++) {
		const struct ikei_p2_prop *o = &accept[k];
		if (t->id == ikei_esp_id(o->encr) && auth == ikei_auth_alg(o->auth) &&
		    klen == alg_esp_bits(o->encr, o->keylen))
			return o;
	}
	return NULL;
}

int ikei_qr1(const struct ikei_sa *s, struct ikei_qm *q, const struct ikei_p2_prop *accept,
             int naccept, struct in_addr ours, uint8_t *pkt, size_t len, struct isakmp_buf *b)
{
	struct isakmp_msg m;
	struct isakmp_sa sap;
	struct isakmp_hdr h;
	const struct isakmp_payload *psa = NULL, *pn = NULL, *pk = NULL, *id[2] = { NULL, NULL };
	int nid = 0, rc;

	if (isakmp_parse_hdr(pkt, len, &h) < 0 || h.exch_type != ISAKMP_EXCH_QUICK || !h.msgid)
		return IKEI_E_MALFORMED;
	ikei_x_init(s, &q->x, h.msgid);
	if ((rc = ikei_open(s, &q->x, pkt, len, NULL, 0, &m)) < 0)
		return rc;
	for (int i = 1; i < m.npl; i++) {
		const struct isakmp_payload *p = &m.pl[i];
		if (p->type == ISAKMP_NP_SA && !psa)
			psa = p;
		else if (p->type == ISAKMP_NP_NONCE && !pn)
			pn = p;
		else if (p->type == ISAKMP_NP_KE && !q->pfs_group)
			return IKEI_E_PROPOSAL;         /* PFS: we offered none */
		else if (p->type == ISAKMP_NP_KE && !pk)
			pk = p;
		else if (p->type == ISAKMP_NP_ID && nid < 2)
			id[nid++] = p;
	}
	if (!psa || !pn || pn->len < 8 || pn->len > IKEI_NONCE_MAX || nid == 1 ||
	    isakmp_parse_sa(psa->body, psa->len, &sap) < 0)
		return IKEI_E_MALFORMED;
	/* the hub started it, so IDcr is our side */
	if (q->idci_any ? nid != 2 || !any_ok(id[0]->body, id[0]->len) ||
	                  !any_ok(id[1]->body, id[1]->len)
	    : nid == 2 && (id[0]->len > 40 || !ours_ok(id[1]->body, id[1]->len, ours, q->idci_mask)))
		return IKEI_E_PROPOSAL;
	if (q->pfs_group) {
		q->gxlen = ike_dh_publen(q->pfs_group);
		if (!pk || !q->pfs_dh || !q->gxlen || pk->len != q->gxlen || q->gxlen > sizeof(q->gxr))
			return pk ? IKEI_E_MALFORMED : IKEI_E_PROPOSAL;
	}

	const struct isakmp_prop *chosen = NULL;
	const struct isakmp_trans *ct = NULL;
	const struct ikei_p2_prop *o = NULL;
	for (int i = 0; i < sap.nprop && !chosen; i++)
		for (int j = 0; j < sap.prop[i].ntrans && !chosen; j++)
			if ((o = acceptable(&sap.prop[i], &sap.prop[i].trans[j], accept, naccept, q->udp))) {
				chosen = &sap.prop[i];
				ct = &sap.prop[i].trans[j];
			}
	if (!chosen)
		return IKEI_E_PROPOSAL;
	const struct isakmp_attr *gd = isakmp_trans_attr(ct, IPSEC_ATTR_GROUP_DESC);
	if (q->pfs_group && (!gd || (int)gd->value != q->pfs_group))
		return IKEI_E_PROPOSAL;
	const struct isakmp_attr *kl = isakmp_trans_attr(ct, IPSEC_ATTR_KEY_LENGTH);
	const struct isakmp_attr *lt = isakmp_trans_attr(ct, IPSEC_ATTR_SA_LIFE_TYPE);
	const struct isakmp_attr *ld = isakmp_trans_attr(ct, IPSEC_ATTR_SA_LIFE_DURATION);
	q->encr = o->encr;
	q->keylen = kl ? (int)kl->value : 0;
	q->auth = o->auth;
	if (lt && ld && lt->value == IPSEC_LIFE_SECONDS && ld->value && ld->value < 0xffffffffu &&
	    (!q->life || ld->value < q->life))
		q->life = (uint32_t)ld->value;
	memcpy(&q->spi_out, chosen->spi, 4);
	memcpy(q->ni, pn->body, pn->len);       /* the initiator's nonce: the hub's */
	q->nilen = pn->len;
	q->nrlen = 32;
	if (ike_random(q->nr, q->nrlen) < 0)
		return IKEI_E_DH;
	q->spi_in = 0;
	while (ntohl(q->spi_in) < 256)
		ike_random((uint8_t *)&q->spi_in, 4);

	rc = ikei_begin(s, b, ISAKMP_EXCH_QUICK, h.msgid);
	if (!rc)
		rc = isakmp_put_sa_p2(b, chosen->num, q->spi_in, ct, q->life) < 0 ? IKEI_E_BUILD : 0;
	if (!rc)
		rc = isakmp_put_payload(b, ISAKMP_NP_NONCE, q->nr, q->nrlen) < 0 ? IKEI_E_BUILD : 0;
	if (!rc && q->pfs_group && pk) {
		uint8_t gxr[IKEI_PUB_MAX];
		memcpy(q->gxr, pk->body, pk->len);      /* the peer's half, for ikei_keymat */
		rc = ike_dh_public(q->pfs_dh, gxr, q->gxlen) < 0 ? IKEI_E_DH
		     : isakmp_put_payload(b, ISAKMP_NP_KE, gxr, q->gxlen) < 0 ? IKEI_E_BUILD : 0;
	}
	for (int i = 0; !rc && i < nid; i++)
		rc = isakmp_put_payload(b, ISAKMP_NP_ID, id[i]->body, id[i]->len) < 0 ? IKEI_E_BUILD : 0;
	return rc ? rc : ikei_protect(s, &q->x, b, q->ni, q->nilen);
}

int ikei_qr3(const struct ikei_sa *s, struct ikei_qm *q, uint8_t *pkt, size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_msg m;
	uint8_t zero = 0, want[64];
	size_t bl = s->k.blocklen;

	if (isakmp_parse_hdr(pkt, len, &h) < 0 || !(h.flags & ISAKMP_FLAG_E) ||
	    h.msgid != q->x.msgid || memcmp(h.cky_i, s->cky_i, 8) || memcmp(h.cky_r, s->cky_r, 8) ||
	    len <= ISAKMP_HDR_LEN || !bl || (len - ISAKMP_HDR_LEN) % bl)
		return IKEI_E_MALFORMED;
	/* a repeated message 1 is not this: the IV chain stays as it was unless HASH(3) holds */
	uint8_t saved[16];
	memcpy(saved, q->x.iv, bl);
	if (ike_cbc(s->encr, s->keylen, s->k.enc_key, q->x.iv, pkt + ISAKMP_HDR_LEN,
	            len - ISAKMP_HDR_LEN, 0) < 0) {
		memcpy(q->x.iv, saved, bl);
		return IKEI_E_DH;
	}
	if (isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, &m) < 0 ||
	    m.npl != 1 || m.pl[0].type != ISAKMP_NP_HASH || m.pl[0].len != s->k.prf_len) {
		memcpy(q->x.iv, saved, bl);
		return IKEI_E_MALFORMED;
	}
	struct iovec iov[4] = {
		{ &zero, 1 }, { &q->x.msgid, 4 }, { q->ni, q->nilen }, { q->nr, q->nrlen },
	};
	if (ike_prf(s->hash, s->k.skeyid_a, s->k.prf_len, iov, 4, want) < 0 ||
	    CRYPTO_memcmp(want, m.pl[0].body, s->k.prf_len)) {
		memcpy(q->x.iv, saved, bl);
		return IKEI_E_HASH;
	}
	return 0;
}
