/*
 * The key of a static VTI we dial (interface TunnelN), as SKEYID: only for an SA toward that
 * tunnel's configured destination, so a confused or compromised ikemgr cannot aim the key
 * at anyone else. The key is the one main mode would take for the destination reaching the
 * tunnel's source address (keyring.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "keymgr/keymgr.h"
#include "ikemgr/ike_crypto.h"

void keymgr_vti_skeyid(const struct vpnd_conf *c, const struct msg_skeyid_req *rq,
                       struct msg_skeyid_res *res)
{
	const struct conf_interface *t = memchr(rq->vti, '\0', sizeof(rq->vti))
	                                 ? conf_find_iface(c, rq->vti) : NULL;
	struct key_choice ch;
	size_t len = 0;
	char pa[INET_ADDRSTRLEN];

	res->status = KEY_NO_KEY;
	inet_ntop(AF_INET, &rq->peer.sin_addr, pa, sizeof(pa));
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != rq->peer.sin_addr.s_addr) {
		log_warnx("static VTI '%.*s': SKEYID toward %s refused: not its tunnel destination",
		          (int)strnlen(rq->vti, sizeof(rq->vti)), rq->vti, pa);
		return;
	}
	if (keymgr_key_by_addr(c, rq->local.sin_addr, rq->peer.sin_addr, &ch) < 0 || !ch.key) {
		log_warnx("%s: no pre-shared key for its tunnel destination %s", t->name, pa);
		return;
	}
	if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)ch.key, strlen(ch.key), rq->ni,
	                   rq->ni_len, rq->nr, rq->nr_len, res->skeyid, &len) < 0 ||
	    len > sizeof(res->skeyid)) {
		res->status = KEY_ERROR;
		return;
	}
	res->skeyid_len = (uint16_t)len;
	res->status = KEY_OK;
	if (ch.keyring)
		snprintf(res->keyring, sizeof(res->keyring), "%s", ch.keyring->name);
}

/* HASH_I of main mode rsa-sig, signed before we have seen anything of the peer but its
 * cookies: so never for an address that is not the named tunnel's destination, and only
 * with the tunnel's own trust point (conf_vti_trustpoint), whatever the request names. */
void keymgr_vti_sign(const struct vpnd_conf *c, const struct msg_sign_req *rq,
                     struct msg_sign_res *res)
{
	const struct conf_interface *t = memchr(rq->vti, '\0', sizeof(rq->vti))
	                                 ? conf_find_iface(c, rq->vti) : NULL;
	const struct conf_trustpoint *tp = conf_vti_trustpoint(c);
	struct msg_sign_req q;
	char pa[INET_ADDRSTRLEN];

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = -1;
	inet_ntop(AF_INET, &rq->peer.sin_addr, pa, sizeof(pa));
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != rq->peer.sin_addr.s_addr)
		snprintf(res->reason, sizeof(res->reason), "static VTI '%.64s': not its tunnel "
		         "destination %s", t ? t->name : "?", pa);
	else if (!tp)
		snprintf(res->reason, sizeof(res->reason), "%s: no trust point with an RSA "
		         "certificate", t->name);
	else if (rq->auth_method != IKE_AUTH_RSA_SIG || rq->hash_len < 16 ||
	         rq->hash_len > 64)
		snprintf(res->reason, sizeof(res->reason), "%s: method %d or hash length %u is "
		         "not main mode rsa-sig's", t->name, rq->auth_method, rq->hash_len);
	else {
		q = *rq;
		snprintf(q.trustpoint, sizeof(q.trustpoint), "%s", tp->name);
		keymgr_cert_sign(c, &q, res);
		if (res->status == 0)
			return;
	}
	log_warnx("SA %u: signature refused: %s", rq->sa_id, res->reason);
}

/* The peer's chain, identity and SIG_R as for any peer (cert.c), from the tunnel's trust
 * point only; then the certificate must name the destination we dialled as an IP address in
 * its subjectAltName, so that another holder of a certificate from the same CA cannot
 * answer in the destination's place. */
void keymgr_vti_verify(const struct vpnd_conf *c, const struct msg_cert_verify_req *rq,
                       struct msg_cert_verify_res *res)
{
	const struct conf_interface *t = memchr(rq->vti, '\0', sizeof(rq->vti))
	                                 ? conf_find_iface(c, rq->vti) : NULL;
	const struct conf_trustpoint *tp = conf_vti_trustpoint(c);
	struct msg_cert_verify_req *q;
	char pa[INET_ADDRSTRLEN];

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = CERT_ERROR;
	inet_ntop(AF_INET, &rq->peer.sin_addr, pa, sizeof(pa));
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != rq->peer.sin_addr.s_addr || !tp) {
		snprintf(res->reason, sizeof(res->reason), "static VTI '%.64s': %s is not its "
		         "tunnel destination, or it has no trust point", t ? t->name : "?", pa);
		log_warnx("SA %u: certificate check refused: %s", rq->sa_id, res->reason);
		return;
	}
	if (!(q = malloc(sizeof(*q)))) {
		snprintf(res->reason, sizeof(res->reason), "out of memory");
		return;
	}
	*q = *rq;
	snprintf(q->trustpoint, sizeof(q->trustpoint), "%s", tp->name);
	keymgr_cert_verify(c, q, res);
	free(q);
	if (res->status != CERT_OK)
		return;
	const unsigned char *d = rq->certs;
	X509 *x = rq->ncert > 0 ? d2i_X509(NULL, &d, rq->cert_len[0]) : NULL;
	if (!x || X509_check_ip(x, (const unsigned char *)&t->tunnel_dst.s_addr, 4, 0) != 1) {
		res->status = CERT_BAD_ID;
		snprintf(res->reason, sizeof(res->reason), "certificate %.80s does not name the "
		         "tunnel destination %s in its subjectAltName", res->subject, pa);
	}
	X509_free(x);
	ERR_clear_error();
}
