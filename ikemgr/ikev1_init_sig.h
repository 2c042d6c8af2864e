/*
 * IKEv1 initiator, main mode with RSA signatures (RFC 2409 5.1), as an IOS static VTI with
 * `authentication rsa-sig` dials: messages 1, 2 and 4 are ikev1_init_mm.c's (with
 * ikei_p1_params.auth = IKE_AUTHM_RSA); these are the steps that differ.
 */
#ifndef VPND_IKEV1_INIT_SIG_H
#define VPND_IKEV1_INIT_SIG_H

#include "common/msg.h"
#include "ikemgr/ikev1_init.h"

/* Message 3: KE, Ni [, NAT-D x2] and a CERT_REQ naming our CA (ca_name: its DER subject),
 * so that the peer sends its certificate. */
int ikei_mm3_sig(const struct ikei_sa *, const struct sockaddr_in *local,
                 const struct sockaddr_in *peer, const uint8_t *ca_name, size_t ca_name_len,
                 struct isakmp_buf *out);
/* After message 4: SKEYID = prf(Ni | Nr, g^xy), which needs no secret, and the keys. */
int ikei_mm_sig_keys(struct ikei_sa *, struct ike_dh *);
/* Our identity ID_DER_ASN1_DN dn (our certificate's subject), and the parts of HASH_I for
 * keymgr, which computes it and signs it (q's sa_id, vti and peer are the caller's). */
int ikei_mm5_sig_parts(struct ikei_sa *, const uint8_t *dn, size_t dn_len,
                       struct msg_vti_sign_req *q);
/* Message 5: IDii, CERT (ours, DER), SIG_I (keymgr's signature), N(INITIAL-CONTACT). */
int ikei_mm5_sig(struct ikei_sa *, const uint8_t *cert, size_t cert_len, const uint8_t *sig,
                 size_t sig_len, struct isakmp_buf *out);
/*
 * Message 6: IDir, CERT(s), SIG_R. The peer names itself by its certificate's subject
 * (ID_DER_ASN1_DN) or as ID_IPV4_ADDR want_id, the tunnel destination (IKEI_E_PROPOSAL if
 * not); keymgr holds the ID to the certificate and wants want_id in its subjectAltName.
 * Fills rq for keymgr (identity, HASH_R, SIG_R, certificates; not sa_id, peer, trustpoint).
 * Errors as ikei_mm6's; the CBC chain moves only on success.
 */
int ikei_mm6_sig(struct ikei_sa *, uint8_t *pkt, size_t len, struct in_addr want_id,
                 struct msg_cert_verify_req *rq, uint16_t *notify);

#endif
