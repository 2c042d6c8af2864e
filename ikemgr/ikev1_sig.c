/*
 * Main mode authenticated with signatures (RFC 2409 5.1), responder:
 *   I: HDR, SA                          R: HDR, SA                             (MM1, MM2)
 *   I: HDR, KE, Ni [, CR]               R: HDR, KE, Nr, CR                     (MM3, MM4)
 *   I: HDR*, IDii, [CERT,] SIG_I        R: HDR*, IDir, CERT, SIG_R             (MM5, MM6)
 * SKEYID = prf(Ni_b | Nr_b, g^xy) needs no secret, so ikemgr derives every key itself. The
 * trust decisions are keymgr's (keymgr/cert.c): it gets the peer's certificates, identity,
 * HASH_I and SIG_I and says whether a trust point vouches for them, and it signs our HASH_R
 * with the trust point's key, which never leaves it. Our certificate is public and comes
 * with the configuration.
 * The profile is chosen once the certificate is trusted: the first isakmp profile with
 * `ca trust-point` naming the trust point that vouched and, if it has `match identity group`
 * lines, one naming the certificate's OU; that OU is then the client configuration group,
 * as on IOS. A profile without group matches takes any certificate of its trust point and
 * uses its own `client configuration group`. Its `match certificate MAP` (ORed with the
 * group lines) takes a certificate keymgr found the map to match, with the profile's own
 * `client configuration group`.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/uio.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

int ikev1_sig_method(int m)
{
	return m == IKE_AUTHM_RSA || m == IKE_AUTHM_XAUTH_INIT_RSA || m == IKE_AUTHM_ECDSA_256 ||
	       m == IKE_AUTHM_ECDSA_384 || m == IKE_AUTHM_ECDSA_521;
}

static void peer_str(const struct ike_sa *sa, char *pa)
{
	sa46_ntop(&sa->s.peer, pa);
}

/* A CERT_REQ naming each trust point some profile uses (strongSwan sends its certificate
 * only when asked, and the name tells it which). */
static int put_cert_reqs(struct isakmp_buf *b)
{
	const struct vpnd_conf *c = ike.conf;
	uint8_t body[1 + CONF_PKI_NAME_MAX];
	int rc = 0;
	for (int k = 0; !rc && k < c->ntrustpoint; k++) {
		const struct conf_trustpoint *tp = &c->trustpoint[k];
		int used = 0;
		for (int j = 0; j < c->nprofile; j++)
			used |= conf_profile_has_tp(&c->profile[j], tp->name);
		/* trust points of one CA (an RSA and an ECDSA one) need one request */
		for (int j = 0; j < k; j++)
			if (c->trustpoint[j].ca_name_len == tp->ca_name_len &&
			    !memcmp(c->trustpoint[j].ca_name_der, tp->ca_name_der, tp->ca_name_len))
				used = 0;
		if (!used || !tp->ca_name_len)
			continue;
		body[0] = ISAKMP_CERT_X509_SIG;
		memcpy(body + 1, tp->ca_name_der, tp->ca_name_len);
		rc = isakmp_put_payload(b, ISAKMP_NP_CR, body, 1 + (size_t)tp->ca_name_len);
	}
	return rc;
}

/* MM3 is in (KE, nonce, NAT-D checked): derive the keys and answer MM4. */
void ikev1_sig_mm3(struct ike_sa *sa, const struct isakmp_msg *m)
{
	uint8_t gxy[IKE_PUB_MAX], nonces[2 * IKE_NONCE_MAX];
	size_t gxylen = sizeof(gxy), publen = ike_dh_publen(sa->group);
	char pa[SA46_STRLEN];
	(void)m;

	sa->nrlen = 32;
	ike_random(sa->nr, sa->nrlen);
	sa->dh = ike_dh_new(sa->group);
	if (!sa->dh || ike_dh_public(sa->dh, sa->gxr, publen) < 0 ||
	    ike_dh_shared(sa->dh, sa->gxi, sa->gxlen, gxy, &gxylen) < 0) {
		peer_str(sa, pa);
		ike.st.drop_malformed++;
		log_rl("session %u: Diffie-Hellman with %s failed (bad public value?)", sa->s.id,
		       pa);
		ike_sa_delete(sa, "DH failed", 0);
		return;
	}
	/* SKEYID = prf(Ni_b | Nr_b, g^xy) */
	memcpy(nonces, sa->ni, sa->nilen);
	memcpy(nonces + sa->nilen, sa->nr, sa->nrlen);
	struct iovec iov = { gxy, gxylen };
	size_t sklen = ike_hash_len(sa->hash);
	int rc = ike_prf(sa->hash, nonces, sa->nilen + sa->nrlen, &iov, 1, sa->skeyid);
	if (!rc)
		rc = ike_derive_p1(sa->hash, sa->encr, sa->keylen, sa->skeyid, sklen, gxy, gxylen,
		                   sa->cky_i, sa->cky_r, sa->gxi, sa->gxlen, sa->gxr, publen, &sa->k);
	explicit_bzero(gxy, sizeof(gxy));
	if (rc < 0) {
		ike_sa_delete(sa, "key derivation failed", 0);
		return;
	}
	memcpy(sa->iv, sa->k.iv, sa->k.blocklen);

	struct isakmp_buf b;
	isakmp_buf_init(&b);
	rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_KE, sa->gxr, publen);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_NONCE, sa->nr, sa->nrlen);
	if (!rc)
		rc = put_cert_reqs(&b);
	if (ikev1_p1_send_reply(sa, &b, rc, sa->natt) < 0)
		return;
	sa->state = IKE_S_MM_WAIT_ID;
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: main mode with signatures, keys derived, "
	        "message 4 sent", sa->s.id);
}


static void refuse(struct ike_sa *sa, const char *what)
{
	char pa[SA46_STRLEN];
	peer_str(sa, pa);
	ike.st.drop_hash++;
	log_rl("session %u: main mode from %s refused: %s", sa->s.id, pa, what);
	ike_sa_delete(sa, "certificate refused", 0);
}

/* MM5 (decrypted): IDii, CERT(s), SIG_I. keymgr judges them. */
void ikev1_sig_mm5(struct ike_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_payload *pid = ikev1_find_pl(m, ISAKMP_NP_ID),
	                            *psig = ikev1_find_pl(m, ISAKMP_NP_SIG);
	if (!pid || !psig || pid->len < 5 || pid->len > IKE_ID_MAX) {
		refuse(sa, "message 5 lacks an identity or a signature");
		return;
	}
	struct msg_cert_verify_req *rq = calloc(1, sizeof(*rq));
	if (!rq) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	rq->ncert = isakmp_certs(m, rq->certs, sizeof(rq->certs), rq->cert_len, MSG_CERT_MAX);
	if (!rq->ncert) {
		free(rq);
		refuse(sa, "no X.509 certificate in message 5 (the peer must send its own)");
		return;
	}
	if (psig->len > sizeof(rq->sig)) {
		free(rq);
		refuse(sa, "signature larger than any key we accept");
		return;
	}
	memcpy(sa->idii_b, pid->body, pid->len);
	sa->idii_len = pid->len;
	/* keymgr computes HASH_I itself from these and the ID */
	if (ike_hash_parts(&rq->parts, sa->hash, sa->skeyid, sa->k.prf_len, sa->gxi,
	                   sa->gxr, sa->gxlen, sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len) < 0) {
		free(rq);
		ike_sa_delete(sa, "key derivation failed", 0);
		return;
	}
	rq->sa_id = sa->s.id;
	rq->auth_method = sa->auth_method;
	rq->peer = sa->s.peer;
	rq->id_len = (uint16_t)pid->len;
	memcpy(rq->id, pid->body, pid->len);
	rq->sig_len = psig->len;
	memcpy(rq->sig, psig->body, psig->len);
	ikev1_main_note_contact(sa, m);
	sa->state = IKE_S_MM_WAIT_CERT;
	int ncert = rq->ncert;
	ike.io.to_keymgr(IMSG_CERT_VERIFY_REQ, sa->s.id, rq, sizeof(*rq));
	free(rq);
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: main mode message 5 with %d certificate%s, "
	        "asking keymgr", sa->s.id, ncert, ncert == 1 ? "" : "s");
}

/* The common name of a one-line subject (/C=../CN=x), or the whole subject. */
static void subject_cn(const char *subj, char *out, size_t outsz)
{
	const char *cn = NULL;
	for (const char *p = subj; (p = strstr(p, "/CN=")) != NULL; p += 4)
		cn = p + 4;
	if (!cn) {
		snprintf(out, outsz, "%s", subj);
		return;
	}
	size_t n = strcspn(cn, "/");
	snprintf(out, outsz, "%.*s", (int)n, cn);
}

/* Can trust point t's key make a signature of the negotiated method? */
static int tp_key_fits(const struct conf_trustpoint *t, int method)
{
	switch (method) {
	case IKE_AUTHM_RSA:
	case IKE_AUTHM_XAUTH_INIT_RSA:
		return t->key_type == EVP_PKEY_RSA;
	case IKE_AUTHM_ECDSA_256:
		return t->key_type == EVP_PKEY_EC && t->key_curve == NID_X9_62_prime256v1;
	case IKE_AUTHM_ECDSA_384:
		return t->key_type == EVP_PKEY_EC && t->key_curve == NID_secp384r1;
	case IKE_AUTHM_ECDSA_521:
		return t->key_type == EVP_PKEY_EC && t->key_curve == NID_secp521r1;
	}
	return 0;
}

/* The trust point that signs for us: the one that vouched for the peer if its key fits the
 * method, else the profile's first that fits. */
static const struct conf_trustpoint *signing_tp(const struct conf_isakmp_profile *pr,
                                                const char *vouched, int method)
{
	const struct conf_trustpoint *t = conf_find_trustpoint(ike.conf, vouched);
	if (t && t->cert_len && tp_key_fits(t, method))
		return t;
	for (int k = 0; k < pr->nca_tp; k++) {
		t = conf_find_trustpoint(ike.conf, pr->ca_tp[k]);
		if (t && t->cert_len && tp_key_fits(t, method))
			return t;
	}
	return NULL;
}

/* Did keymgr find the certificate matches map label? */
static int in_maps(const char maps[][64], const char *label)
{
	for (int k = 0; k < MSG_CERTMAPS && maps[k][0]; k++)
		if (strncmp(maps[k], label, 64) == 0)
			return 1;
	return 0;
}

static const struct conf_isakmp_profile *cert_profile(const char *tp, const char *ou,
                                                      const char maps[][64],
                                                      const char **group)
{
	const struct vpnd_conf *c = ike.conf;
	for (int k = 0; k < c->nprofile; k++) {
		const struct conf_isakmp_profile *pr = &c->profile[k];
		if (!conf_profile_has_tp(pr, tp))
			continue;
		if (!pr->nmatch_group && !pr->match_cert[0]) {
			*group = pr->client_group;
			return pr;
		}
		for (int j = 0; j < pr->nmatch_group; j++)
			if (ou[0] && !strcmp(pr->match_group[j], ou)) {
				*group = pr->match_group[j];
				return pr;
			}
		/* ORed with the group lines, as IOS; keymgr matched the map on the certificate */
		if (pr->match_cert[0] && in_maps(maps, pr->match_cert)) {
			*group = pr->client_group;
			return pr;
		}
	}
	return NULL;
}

void ikev1_sig_verified(struct ike_sa *sa, const struct msg_cert_verify_res *r)
{
	char reason[sizeof(r->reason)], tp[sizeof(r->trustpoint)], ou[sizeof(r->ou)],
	     subj[sizeof(r->subject)];
	char pa[SA46_STRLEN];
	peer_str(sa, pa);
	memcpy(reason, r->reason, sizeof(reason));
	reason[sizeof(reason) - 1] = 0;
	memcpy(tp, r->trustpoint, sizeof(tp));
	tp[sizeof(tp) - 1] = 0;
	memcpy(ou, r->ou, sizeof(ou));
	ou[sizeof(ou) - 1] = 0;
	memcpy(subj, r->subject, sizeof(subj));
	subj[sizeof(subj) - 1] = 0;

	if (r->status != CERT_OK) {
		refuse(sa, reason[0] ? reason : "certificate not accepted");
		return;
	}
	snprintf(sa->cert_subject, sizeof(sa->cert_subject), "%s", subj);
	const char *group = "";
	char maps[MSG_CERTMAPS][64];
	memcpy(maps, r->certmaps, sizeof(maps));
	for (int k = 0; k < MSG_CERTMAPS; k++)
		maps[k][63] = 0;
	const struct conf_isakmp_profile *pr = cert_profile(tp, ou, (const char (*)[64])maps,
	                                                    &group);
	if (!pr) {
		ike.st.bad_id++;
		log_rl("session %u: main mode from %s: certificate %s (OU '%s') is trusted by %s but "
		       "no isakmp profile with 'ca trust-point %s' matches its OU or certificate maps",
		       sa->s.id, pa, subj, ou, tp, tp);
		ike_sa_delete(sa, "no profile", 0);
		return;
	}
	if (ikev1_main_profile_ok(sa, pr, group) < 0)
		return;
	if (!sa->xauth)
		subject_cn(subj, sa->s.user, sizeof(sa->s.user));

	/* IDir: our certificate's subject, which is what the peer expects by default */
	const struct conf_trustpoint *t = signing_tp(pr, tp, sa->auth_method);
	if (!t) {
		log_rl("session %u: main mode from %s: profile '%s' has no trust point whose key "
		       "can sign with authentication method %d (add one with such a key)", sa->s.id, pa,
		       pr->name, sa->auth_method);
		ike_sa_delete(sa, "no signing key", 0);
		return;
	}
	if (t->subject_len + 4u > sizeof(sa->idir_b)) {
		log_rl("session %u: trust point %s: our certificate's subject is too long for an ID",
		       sa->s.id, t->name);
		ike_sa_delete(sa, "subject too long", 0);
		return;
	}
	snprintf(sa->sign_tp, sizeof(sa->sign_tp), "%s", t->name);
	sa->idir_b[0] = ISAKMP_ID_DER_ASN1_DN;
	sa->idir_b[1] = 0;
	sa->idir_b[2] = 0;
	sa->idir_b[3] = 0;
	memcpy(sa->idir_b + 4, t->subject_der, t->subject_len);
	sa->idir_len = 4u + t->subject_len;

	/* keymgr signs the HASH_R it computes from what it checked HASH_I with and this IDir */
	struct msg_sign_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa->s.id;
	snprintf(rq.trustpoint, sizeof(rq.trustpoint), "%s", t->name);
	rq.auth_method = sa->auth_method;
	rq.idr_len = (uint16_t)sa->idir_len;
	memcpy(rq.idr, sa->idir_b, sa->idir_len);
	sa->state = IKE_S_MM_WAIT_SIGN;
	ike.io.to_keymgr(IMSG_SIGN_REQ, sa->s.id, &rq, sizeof(rq));
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: certificate %s trusted by %s, profile %s, "
	        "group '%s'", sa->s.id, subj, tp, pr->name, group);
}

void ikev1_sig_signed(struct ike_sa *sa, const struct msg_sign_res *r)
{
	char pa[SA46_STRLEN];
	peer_str(sa, pa);
	const struct conf_trustpoint *t = conf_find_trustpoint(ike.conf, sa->sign_tp);
	if (r->status != 0 || !r->sig_len || r->sig_len > sizeof(r->sig) || !t) {
		char why[sizeof(r->reason)];
		memcpy(why, r->reason, sizeof(why));
		why[sizeof(why) - 1] = 0;
		log_rl("session %u: main mode from %s: cannot sign message 6: %s", sa->s.id, pa,
		       why[0] ? why : "no trust point");
		ike_sa_delete(sa, "signing failed", 0);
		return;
	}
	uint8_t *cert = malloc(1 + (size_t)t->cert_len);
	if (!cert) {
		ike_sa_delete(sa, "out of memory", 0);
		return;
	}
	cert[0] = ISAKMP_CERT_X509_SIG;
	memcpy(cert + 1, t->cert_der, t->cert_len);

	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int rc = isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_ID, sa->idir_b, sa->idir_len);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_CERT, cert, 1 + (size_t)t->cert_len);
	if (!rc)
		rc = isakmp_put_payload(&b, ISAKMP_NP_SIG, r->sig, r->sig_len);
	if (!rc)
		rc = ikev1_send_encrypted(sa, &b, sa->iv, 0);
	isakmp_buf_free(&b);
	free(cert);
	if (rc < 0) {
		ike_sa_delete(sa, "cannot send main mode message 6", 0);
		return;
	}
	char how[192];
	snprintf(how, sizeof(how), "certificate, trust point %s, group '%s'", t->name,
	         sa->s.group_name);
	ikev1_main_done(sa, sa->cert_subject, how);
}
