/*
 * IKE_SA_INIT, responder side (RFC 7296 1.2, 2.6, 2.23): the checks in the order that keeps a
 * flood cheap (payloads, critical payloads, the cookie when many SAs are half open, the
 * proposal and KE group), then the one expensive step (DH) and the answer: SA, KE, Nr, NAT
 * detection, fragmentation support. The SA then waits for IKE_AUTH with its keys derived.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>


#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "ikemgr/ikev2_cookie.h"
#include "ikemgr/ikev2_proposal.h"

/* NAT_DETECTION_*_IP (2.23): SHA-1(SPIi | SPIr | IP | port) */
static int natd(const uint8_t spi_i[8], const uint8_t spi_r[8], const union sa46 *a,
                uint8_t out[20])
{
	return isakmp_natd_hash(IKE_HASH_SHA1, spi_i, spi_r, a, out);
}

/* The peer's NAT_DETECTION notifies against what the addresses give: who is behind a NAT. */
static void nat_check(struct ikev2_sa *sa, const struct ikev2_chain *c)
{
	static const uint8_t zero[8];
	uint8_t want_src[20], want_dst[20];
	int seen_src = 0, seen_dst = 0, src_ok = 0, dst_ok = 0;
	natd(sa->spi_i, zero, &sa->s.peer, want_src);
	natd(sa->spi_i, zero, &sa->s.local, want_dst);
	for (int i = 0; i < c->n; i++) {
		struct ikev2_notify n;
		if (c->pl[i].type != IKEV2_NP_N ||
		    ikev2_parse_notify(c->pl[i].body, c->pl[i].len, &n) < 0 || n.datalen != 20)
			continue;
		if (n.type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			seen_src = 1;       /* several: the peer has several addresses; one is enough */
			src_ok |= !memcmp(n.data, want_src, 20);
		} else if (n.type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			seen_dst = 1;
			dst_ok |= !memcmp(n.data, want_dst, 20);
		}
	}
	sa->nat_peer = seen_src && !src_ok;
	sa->nat_us = seen_dst && !dst_ok;
}

/*
 * CERTREQ (3.7): the SHA-1 hashes of the public keys of the CAs our ikev2 profiles trust for
 * peers, so that a client that sends its certificate only when asked (strongSwan's default)
 * sends it. Public material from the configuration, worked out once per configuration rather
 * than for every IKE_SA_INIT.
 */
static void make_certreq(void)
{
	const struct vpnd_conf *c = ike.conf;
	uint8_t *body = v2.certreq;
	size_t n = 1;
	body[0] = IKEV2_CERT_X509_SIG;
	for (int k = 0; k < c->ntrustpoint; k++) {
		const struct conf_trustpoint *tp = &c->trustpoint[k];
		int used = 0;
		for (int j = 0; j < c->v2.nprofile && !used; j++) {
			const struct conf_ikev2_profile *pr = &c->v2.profile[j];
			for (int t = 0; (pr->remote_rsa || pr->remote_ecdsa) && t < pr->ntp; t++)
				used |= pr->tp[t].use != V2_TP_SIGN && !strcmp(pr->tp[t].name, tp->name);
		}
		const unsigned char *q = tp->ca_der;
		X509 *ca = used && tp->ca_len ? d2i_X509(NULL, &q, tp->ca_len) : NULL;
		unsigned char *spki = NULL;
		int l = ca ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki) : -1;
		if (l > 0 && n + 20 <= sizeof(v2.certreq)) {
			SHA1(spki, (size_t)l, body + n);
			/* trust points of one CA need one hash */
			int dup = 0;
			for (size_t o = 1; o < n && !dup; o += 20)
				dup = !memcmp(body + o, body + n, 20);
			if (!dup)
				n += 20;
		}
		OPENSSL_free(spki);
		X509_free(ca);
	}
	ERR_clear_error();
	v2.certreq_len = n > 1 ? n : 0;
	v2.certreq_made = 1;
}

static void put_certreq(struct isakmp_buf *b)
{
	if (!v2.certreq_made)
		make_certreq();
	if (v2.certreq_len)
		isakmp_put_payload(b, IKEV2_NP_CERTREQ, v2.certreq, v2.certreq_len);
}

static const struct ikev2_notify *find_notify(const struct ikev2_chain *c, uint16_t type,
                                              struct ikev2_notify *n)
{
	for (int i = 0; i < c->n; i++)
		if (c->pl[i].type == IKEV2_NP_N &&
		    ikev2_parse_notify(c->pl[i].body, c->pl[i].len, n) == 0 && n->type == type)
			return n;
	return NULL;
}

static void refuse(const struct ikev2_hdr *h, const union sa46 *peer, const union sa46 *local,
                   int port4500, uint16_t type, const uint8_t *data, size_t len,
                   const char *why)
{
	static const uint8_t zero[8];
	log_rl("IKEv2: IKE_SA_INIT from %s refused: %s", sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }),
	       why);
	ikev2_notify_clear(h->spi_i, zero, peer, local, port4500, type, data, len);
}

void ikev2_sa_init(const uint8_t *pkt, size_t len, const struct ikev2_hdr *h,
                   const union sa46 *peer, const union sa46 *local, int port4500)
{
	struct ikev2_chain c;
	uint8_t inner;
	if (h->version >> 4 != 2) {
		v2.drop_malformed++;
		return;
	}
	if (ikev2_parse_chain(h->np, pkt, ISAKMP_HDR_LEN, len, &c, &inner) < 0 || inner) {
		v2.drop_malformed++;
		log_rl("IKEv2: malformed IKE_SA_INIT from %s dropped",
		       sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }));
		return;
	}
	if (c.unknown_critical) {
		uint8_t t = c.unknown_critical;
		refuse(h, peer, local, port4500, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1,
		       "unsupported critical payload");
		return;
	}
	const struct ikev2_pl *psa = ikev2_find(&c, IKEV2_NP_SA), *pke = ikev2_find(&c, IKEV2_NP_KE),
	                      *pn = ikev2_find(&c, IKEV2_NP_NONCE);
	static struct ikev2_sa_pl offer;
	struct ikev2_ke ke;
	if (!psa || !pke || !pn || ikev2_parse_sa(psa->body, psa->len, &offer) < 0 ||
	    ikev2_parse_ke(pke->body, pke->len, &ke) < 0 || ikev2_parse_nonce(pn->body, pn->len) < 0) {
		v2.drop_malformed++;
		refuse(h, peer, local, port4500, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		       "SA, KE or nonce missing or malformed");
		return;
	}
	if (!ike.conf->v2.nprofile) {
		v2.drop_state++;
		log_rl("IKEv2: IKE_SA_INIT from %s ignored: no crypto ikev2 profile is configured",
		       sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }));
		return;
	}
	time_t now = time(NULL);
	/* Under load, only a peer that can receive at its address gets an SA (2.6). */
	int cc = ike.conf->v2.cookie_challenge;
	if (cc && v2.nhalfopen >= cc) {
		struct ikev2_notify ck;
		if (!find_notify(&c, IKEV2_N_COOKIE, &ck) ||
		    !ikev2_cookie_check(ck.data, ck.datalen, pn->body, pn->len, peer, h->spi_i, now)) {
			uint8_t cookie[IKEV2_COOKIE_LEN];
			if (ikev2_cookie_make(pn->body, pn->len, peer, h->spi_i, now, cookie) == 0) {
				static const uint8_t zero[8];
				ikev2_notify_clear(h->spi_i, zero, peer, local, port4500, IKEV2_N_COOKIE,
				                   cookie, sizeof(cookie));
				v2.cookies_sent++;
			}
			return;
		}
	}
	if (ikev2_redirect_init(h, &c, pn, peer, local, port4500))
		return;
	int lim = ike.conf->v2.max_in_neg_in;
	if (lim && v2.nhalfopen >= lim) {
		refuse(h, peer, local, port4500, IKEV2_N_TEMPORARY_FAILURE, NULL, 0,
		       "limit max-in-negotiation-sa reached");
		return;
	}
	/* limit max-sa: every IKE SA, under way or established (rekeyed ones until they go) */
	if (ike.conf->v2.max_sa && v2.nsa >= ike.conf->v2.max_sa) {
		refuse(h, peer, local, port4500, IKEV2_N_TEMPORARY_FAILURE, NULL, 0,
		       "limit max-sa reached");
		return;
	}
	struct ikev2_ike_choice ch;
	if (ikev2_choose_ike(ike.conf, local, &offer, ke.group, &ch) < 0 || ch.spi_size != 0) {
		refuse(h, peer, local, port4500, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0,
		       "no proposal chosen");
		return;
	}
	if (ch.dh != ke.group) {
		uint8_t g[2] = { (uint8_t)(ch.dh >> 8), (uint8_t)ch.dh };
		log_dbg(DBG_IKEV2, V2_PEER_OF(peer), "KE for group %u, asking for group %u",
		        ke.group, ch.dh);
		static const uint8_t zero[8];
		ikev2_notify_clear(h->spi_i, zero, peer, local, port4500,
		                   IKEV2_N_INVALID_KE_PAYLOAD, g, sizeof(g));
		return;
	}
	if (!ike_dh_supported(ch.dh) || ke.len != ike_dh_publen(ch.dh)) {
		v2.drop_malformed++;
		refuse(h, peer, local, port4500, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		       "KE of the wrong length");
		return;
	}
	if (len > V2_MSG_MAX) {
		refuse(h, peer, local, port4500, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		       "IKE_SA_INIT too large");
		return;
	}

	struct ikev2_sa *sa = ikev2_sa_new(h->spi_i, peer, local);
	if (!sa)
		return;
	sa->port4500 = port4500;
	sa->next_in = 1;
	sa->state = V2_S_INIT_DONE;
	ikev2_rearm(sa);
	if (ikev2_suite(&sa->suite, ch.encr_id, ch.encr_bits, ch.integ_id, ch.prf_id, ch.dh) < 0) {
		ikev2_sa_delete(sa, "proposal not usable", 0);
		return;
	}
	memcpy(sa->ni, pn->body, pn->len);
	sa->nilen = pn->len;
	sa->nrlen = V2_NONCE_LEN;
	ike_random(sa->nr, sa->nrlen);
	sa->msg1 = malloc(len);
	struct ike_dh *dh = ike_dh_new(ch.dh);
	uint8_t pub[1024], shared[1024];
	size_t publen = ike_dh_publen(ch.dh), sharedlen = sizeof(shared);
	int ok = sa->msg1 && dh && publen <= sizeof(pub) && ike_dh_public(dh, pub, publen) == 0 &&
	         ike_dh_shared(dh, ke.data, ke.len, shared, &sharedlen) == 0 &&
	         ikev2_ike_keys(&sa->suite, shared, sharedlen, sa->ni, sa->nilen, sa->nr, sa->nrlen,
	                        sa->spi_i, sa->spi_r, NULL, &sa->k) == 0;
	if (dh)
		ike_dh_free(dh);
	explicit_bzero(shared, sizeof(shared));
	if (!ok) {
		/* a public value the group refuses (not on the curve, 0, 1, p-1) lands here too */
		ikev2_sa_delete(sa, "DH or key derivation failed", 0);
		refuse(h, peer, local, port4500, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		       "key exchange failed");
		return;
	}
	memcpy(sa->msg1, pkt, len);
	sa->msg1_len = len;
	nat_check(sa, &c);
	sa->redirect_ok = ikev2_redirect_ok(&c);
	struct ikev2_notify sh;
	if (find_notify(&c, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, &sh))
		for (size_t k = 0; k + 1 < sh.datalen; k += 2) {
			unsigned id = (unsigned)sh.data[k] << 8 | sh.data[k + 1];
			if (id >= 2 && id <= 4)
				sa->peer_hashes |= 1 << id;
		}
	/* RFC 7383 2.3: used only when both sides said so in IKE_SA_INIT */
	struct ikev2_notify fn;
	sa->frag = ike.conf->v2.fragmentation &&
	           find_notify(&c, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, &fn) != NULL;

	struct isakmp_buf b;
	struct ikev2_trans tr[4];
	int ntr = 0;
	tr[ntr++] = (struct ikev2_trans){ IKEV2_TR_ENCR, ch.encr_id, ch.encr_bits };
	tr[ntr++] = (struct ikev2_trans){ IKEV2_TR_PRF, ch.prf_id, 0 };
	if (ch.integ_id)
		tr[ntr++] = (struct ikev2_trans){ IKEV2_TR_INTEG, ch.integ_id, 0 };
	tr[ntr++] = (struct ikev2_trans){ IKEV2_TR_DH, ch.dh, 0 };
	uint8_t h_src[20], h_dst[20];
	natd(sa->spi_i, sa->spi_r, &sa->s.local, h_src);
	natd(sa->spi_i, sa->spi_r, &sa->s.peer, h_dst);
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, sa->spi_i, sa->spi_r, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_R, 0);
	ikev2_put_sa1(&b, ch.prop_num, IKEV2_PROTO_IKE, NULL, 0, tr, ntr);
	ikev2_put_ke(&b, ch.dh, pub, publen);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, sa->nr, sa->nrlen);
	ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, h_src, 20);
	ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h_dst, 20);
	put_certreq(&b);
	if (sa->peer_hashes) {
		static const uint8_t ours[] = { 0, 2, 0, 3, 0, 4 };    /* SHA2-256, -384, -512 */
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, ours,
		                 sizeof(ours));
	}
	if (sa->frag)
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (isakmp_finalize(&b) < 0 || b.len > V2_MSG_MAX || !(sa->msg2 = malloc(b.len))) {
		isakmp_buf_free(&b);
		ikev2_sa_delete(sa, "answer not built", 0);
		return;
	}
	memcpy(sa->msg2, b.data, b.len);
	sa->msg2_len = b.len;
	isakmp_buf_free(&b);
	v2.sa_init_ok++;
	log_dbg(DBG_IKEV2, V2_PEER_OF(peer), "IKEv2 session %u: IKE_SA_INIT answered (encr %u/%u "
	        "prf %u integ %u group %u)%s%s%s", sa->s.id, ch.encr_id, ch.encr_bits, ch.prf_id,
	        ch.integ_id, ch.dh, sa->nat_peer ? ", peer behind NAT" : "",
	        sa->nat_us ? ", we are behind NAT" : "", sa->frag ? ", fragmentation" : "");
	ikev2_dbg_pkt(V2_PEER_OF(peer), "Sending", sa->msg2, sa->msg2_len, local, peer);
	ike.io.send(local, peer, port4500, sa->msg2, sa->msg2_len);
}
