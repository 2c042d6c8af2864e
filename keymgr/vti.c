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
#include "common/ike_crypto.h"

void keymgr_vti_skeyid(const struct vpnd_conf *c, const struct msg_skeyid_req *rq,
                       struct msg_skeyid_res *res)
{
	const struct conf_interface *t = memchr(rq->vti, '\0', sizeof(rq->vti))
	                                 ? conf_find_iface(c, rq->vti) : NULL;
	struct key_choice ch;
	size_t len = 0;
	char pa[SA46_STRLEN];

	res->status = KEY_NO_KEY;
	sa46_ntop(&rq->peer, pa);
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != sa46_in4(&rq->peer).s_addr) {
		log_warnx("static VTI '%.*s': SKEYID toward %s refused: not its tunnel destination",
		          (int)strnlen(rq->vti, sizeof(rq->vti)), rq->vti, pa);
		return;
	}
	/* a tunnel destination is IPv4: the key is looked up among the IPv4 lines only */
	union sa46 local4, peer4;
	sa46_from4(&local4, sa46_in4(&rq->local), 0);
	sa46_from4(&peer4, t->tunnel_dst, 0);
	if (keymgr_key_by_addr(c, &local4, &peer4, &ch) < 0 || !ch.key) {
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
 * cookies: so never for an address that is not the named tunnel's destination, only with
 * the tunnel's own trust point (conf_vti_trustpoint), and only a HASH_I keymgr computed
 * from its parts with our own subject as IDii: ikemgr can have a PRF output under a key of
 * its choosing signed, never a value of its choosing (a TLS or another protocol's digest). */
void keymgr_vti_sign(const struct vpnd_conf *c, const struct msg_vti_sign_req *rq,
                     struct msg_sign_res *res)
{
	const struct conf_interface *t = memchr(rq->vti, '\0', sizeof(rq->vti))
	                                 ? conf_find_iface(c, rq->vti) : NULL;
	const struct conf_trustpoint *tp = conf_vti_trustpoint(c);
	struct msg_sign_req q;
	char pa[SA46_STRLEN];

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = -1;
	sa46_ntop(&rq->peer, pa);
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != sa46_in4(&rq->peer).s_addr)
		snprintf(res->reason, sizeof(res->reason), "static VTI '%.64s': not its tunnel "
		         "destination %s", t ? t->name : "?", pa);
	else if (!tp)
		snprintf(res->reason, sizeof(res->reason), "%s: no trust point with an RSA "
		         "certificate", t->name);
	else if (!hash_parts_ok(&rq->parts))
		snprintf(res->reason, sizeof(res->reason), "%.24s: malformed HASH_I parts (PRF %d, "
		         "SKEYID %u, g^x %u, SA %u bytes)", t->name, rq->parts.prf_hash,
		         rq->parts.skeyid_len, rq->parts.gx_len, rq->parts.sai_len);
	else if (rq->idii_len > sizeof(rq->idii_b) ||
	         !hash_id_is_subject(tp, rq->idii_b, rq->idii_len))
		snprintf(res->reason, sizeof(res->reason), "%.24s: IDii is not trust point %.40s's "
		         "subject", t->name, tp->name);
	else {
		memset(&q, 0, sizeof(q));
		q.sa_id = rq->sa_id;
		q.auth_method = IKE_AUTH_RSA_SIG;
		snprintf(q.trustpoint, sizeof(q.trustpoint), "%s", tp->name);
		if (hash_from_parts(&rq->parts, 0, rq->idii_b, rq->idii_len, q.hash,
		                    &q.hash_len) < 0) {
			snprintf(res->reason, sizeof(res->reason), "%.24s: cannot compute HASH_I",
			         t->name);
		} else {
			keymgr_cert_sign(c, &q, res);
			explicit_bzero(&q, sizeof(q));
			if (res->status == 0)
				return;
		}
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
	char pa[SA46_STRLEN];

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = CERT_ERROR;
	sa46_ntop(&rq->peer, pa);
	if (!t || !t->is_vti || !t->has_tunnel_dst ||
	    t->tunnel_dst.s_addr != sa46_in4(&rq->peer).s_addr || !tp) {
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
	/* SIG_R is checked over the HASH_R computed here, with the peer's IDir */
	if (rq->id_len > sizeof(rq->id) ||
	    hash_from_parts(&rq->parts, 1, rq->id, rq->id_len, q->hash, &q->hash_len) < 0) {
		snprintf(res->reason, sizeof(res->reason), "malformed HASH_R parts");
		free(q);
		log_warnx("SA %u: certificate check refused: %s", rq->sa_id, res->reason);
		return;
	}
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
