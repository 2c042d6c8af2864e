/*
 * IKEv1 initiator, main mode with RSA signatures (RFC 2409 5.1):
 *
 *   3 us:   HDR, KE, Ni [, NAT-D, NAT-D], CR     4 peer: HDR, KE, Nr [, NAT-D, NAT-D] [, CR]
 *   5 us:   HDR*, IDii, CERT, SIG_I, N(INITIAL)  6 peer: HDR*, IDir, CERT, SIG_R
 *
 * ikemgr derives every key itself (SKEYID needs no secret); the private key and the trust
 * decisions stay in keymgr, which signs HASH_I only for a TunnelN toward its destination and
 * judges the peer's chain, identity and SIG_R (keymgr/vti.c, keymgr/cert.c).
 */
#include <string.h>
#include <arpa/inet.h>
#include <sys/uio.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init_sig.h"

static const struct isakmp_payload *nth_pl(const struct isakmp_msg *m, uint8_t type, int nth)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

int ikei_mm3_sig(const struct ikei_sa *s, const struct sockaddr_in *local,
                 const struct sockaddr_in *peer, const uint8_t *ca_name, size_t ca_name_len,
                 struct isakmp_buf *b)
{
	uint8_t cr[1 + CONF_PKI_NAME_MAX];

	if (ca_name_len > CONF_PKI_NAME_MAX)
		return IKEI_E_BUILD;
	/* strongSwan sends its certificate only when asked */
	cr[0] = ISAKMP_CERT_X509_SIG;
	memcpy(cr + 1, ca_name, ca_name_len);
	return ikei_mm3_cr(s, local, peer, cr, 1 + ca_name_len, b);
}

int ikei_mm_sig_keys(struct ikei_sa *s, struct ike_dh *dh)
{
	uint8_t gxy[IKEI_PUB_MAX], nonces[32 + IKEI_NONCE_MAX];
	size_t gxylen = sizeof(gxy), sklen = ike_hash_len(s->hash);
	int rc = IKEI_E_DH;

	if (!sklen || sklen > sizeof(s->skeyid) || s->nilen + s->nrlen > sizeof(nonces) ||
	    ike_dh_shared(dh, s->gxr, s->gxlen, gxy, &gxylen) < 0)
		return IKEI_E_DH;
	memcpy(nonces, s->ni, s->nilen);
	memcpy(nonces + s->nilen, s->nr, s->nrlen);
	struct iovec iov = { gxy, gxylen };
	if (ike_prf(s->hash, nonces, s->nilen + s->nrlen, &iov, 1, s->skeyid) == 0 &&
	    ike_derive_p1(s->hash, s->encr, s->keylen, s->skeyid, sklen, gxy, gxylen, s->cky_i,
	                  s->cky_r, s->gxi, s->gxlen, s->gxr, s->gxlen, &s->k) == 0)
		rc = 0;
	explicit_bzero(gxy, sizeof(gxy));
	if (!rc)
		memcpy(s->iv, s->k.iv, s->k.blocklen);
	return rc;
}


int ikei_mm5_sig_parts(struct ikei_sa *s, const uint8_t *dn, size_t dn_len,
                       struct msg_vti_sign_req *q)
{
	uint16_t port = htons(500);

	if (!dn_len || dn_len > IKEI_ID_MAX - 4 || 4 + dn_len > sizeof(q->idii_b) ||
	    ike_hash_parts(&q->parts, s->hash, s->skeyid, s->k.prf_len, s->gxi,
	                   s->gxr, s->gxlen, s->cky_i, s->cky_r, s->sai_b, s->sai_len) < 0)
		return IKEI_E_BUILD;
	/* UDP port 500, as IOS sends its DN (RFC 2407 4.6.2 allows 0 or this) */
	s->idii_b[0] = ISAKMP_ID_DER_ASN1_DN;
	s->idii_b[1] = 17;
	memcpy(s->idii_b + 2, &port, 2);
	memcpy(s->idii_b + 4, dn, dn_len);
	s->idii_len = 4 + dn_len;
	q->idii_len = (uint16_t)s->idii_len;
	memcpy(q->idii_b, s->idii_b, s->idii_len);
	return 0;
}

int ikei_mm5_sig(struct ikei_sa *s, const uint8_t *cert, size_t cert_len, const uint8_t *sig,
                 size_t sig_len, struct isakmp_buf *b)
{
	uint8_t ck[16];

	if (!s->idii_len || !cert_len || !sig_len)
		return IKEI_E_BUILD;
	isakmp_put_hdr(b, s->cky_i, s->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_put_payload(b, ISAKMP_NP_ID, s->idii_b, s->idii_len);
	uint8_t cb[1 + CONF_PKI_CERT_MAX];
	if (cert_len > CONF_PKI_CERT_MAX)
		return IKEI_E_BUILD;
	cb[0] = ISAKMP_CERT_X509_SIG;
	memcpy(cb + 1, cert, cert_len);
	isakmp_put_payload(b, ISAKMP_NP_CERT, cb, 1 + cert_len);
	isakmp_put_payload(b, ISAKMP_NP_SIG, sig, sig_len);
	memcpy(ck, s->cky_i, 8);
	memcpy(ck + 8, s->cky_r, 8);
	if (!s->renewal)        /* a renewal keeps the pair the old ISAKMP SA made */
		isakmp_put_notify(b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_INITIAL_CONTACT, ck, 16, NULL, 0);
	return ikei_seal(s, b, s->iv);
}

static int refusal(uint8_t *pkt, size_t len, uint16_t *notify)
{
	struct isakmp_msg m;
	struct isakmp_notify n;
	const struct isakmp_payload *pn;

	if (isakmp_parse(pkt, len, &m) < 0)
		return IKEI_E_MALFORMED;
	if (m.hdr.exch_type != ISAKMP_EXCH_INFO || !(pn = nth_pl(&m, ISAKMP_NP_N, 0)))
		return IKEI_E_STATE;    /* message 4 resent */
	if (isakmp_parse_notify(pn->body, pn->len, &n) < 0)
		return IKEI_E_MALFORMED;
	*notify = n.type;
	return IKEI_E_NOTIFY;
}

/* IDir, CERT(s) and SIG_R of a decrypted message 6 into rq, with the parts of HASH_R. */
static int take(struct ikei_sa *s, const struct isakmp_msg *m, struct in_addr want_id,
                struct msg_cert_verify_req *rq)
{
	const struct isakmp_payload *pid = nth_pl(m, ISAKMP_NP_ID, 0),
	                            *psig = nth_pl(m, ISAKMP_NP_SIG, 0);

	if (!pid || !psig || pid->len < 5 || pid->len > IKEI_ID_MAX ||
	    pid->len > sizeof(rq->id) || !psig->len || psig->len > sizeof(rq->sig))
		return IKEI_E_MALFORMED;
	memset(rq, 0, sizeof(*rq));
	rq->ncert = isakmp_certs(m, rq->certs, sizeof(rq->certs), rq->cert_len, MSG_CERT_MAX);
	if (!rq->ncert)
		return IKEI_E_MALFORMED;        /* a peer known by its certificate must send it */
	/* its subject (strongSwan's and our responder's default) or the address we dial;
	 * keymgr holds either to the certificate, and wants that address in it anyway */
	if (pid->body[0] != ISAKMP_ID_DER_ASN1_DN &&
	    (pid->len != 8 || pid->body[0] != ISAKMP_ID_IPV4_ADDR ||
	     memcmp(pid->body + 4, &want_id, 4)))
		return IKEI_E_PROPOSAL;
	memcpy(s->idr_b, pid->body, pid->len);
	s->idr_len = pid->len;
	/* keymgr computes HASH_R itself from these and the ID */
	if (ike_hash_parts(&rq->parts, s->hash, s->skeyid, s->k.prf_len, s->gxi,
	                   s->gxr, s->gxlen, s->cky_i, s->cky_r, s->sai_b, s->sai_len) < 0)
		return IKEI_E_DH;
	rq->auth_method = s->auth;
	rq->id_len = (uint16_t)pid->len;
	memcpy(rq->id, pid->body, pid->len);
	rq->sig_len = psig->len;
	memcpy(rq->sig, psig->body, psig->len);
	return 0;
}

int ikei_mm6_sig(struct ikei_sa *s, uint8_t *pkt, size_t len, struct in_addr want_id,
                 struct msg_cert_verify_req *rq, uint16_t *notify)
{
	struct isakmp_hdr h;
	struct isakmp_msg m;
	uint8_t saved[16];
	size_t bl = s->k.blocklen;

	if (isakmp_parse_hdr(pkt, len, &h) < 0 || memcmp(h.cky_i, s->cky_i, 8) ||
	    memcmp(h.cky_r, s->cky_r, 8))
		return IKEI_E_MALFORMED;
	if (!(h.flags & ISAKMP_FLAG_E))
		return refusal(pkt, len, notify);
	if (h.exch_type != ISAKMP_EXCH_MAIN || h.msgid != 0)
		return IKEI_E_STATE;
	if (!bl || len <= ISAKMP_HDR_LEN || (len - ISAKMP_HDR_LEN) % bl)
		return IKEI_E_MALFORMED;
	/* a datagram that is not message 6 must leave the chain as it was */
	memcpy(saved, s->iv, bl);
	int rc = IKEI_E_DH;
	if (ike_cbc(s->encr, s->keylen, s->k.enc_key, s->iv, pkt + ISAKMP_HDR_LEN,
	            len - ISAKMP_HDR_LEN, 0) == 0) {
		rc = IKEI_E_MALFORMED;
		if (isakmp_parse_payloads(h.next_payload, pkt + ISAKMP_HDR_LEN,
		                          len - ISAKMP_HDR_LEN, &m) == 0)
			rc = take(s, &m, want_id, rq);
	}
	if (rc)
		memcpy(s->iv, saved, bl);
	return rc;
}
