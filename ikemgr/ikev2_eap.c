/*
 * EAP in IKE_AUTH (RFC 7296 2.16), responder side: the peer sent no AUTH, so our first
 * IKE_AUTH answer carries IDr, our certificate, our AUTH and the first EAP request; each
 * IKE_AUTH that follows carries the peer's EAP response, which keymgr relays to RADIUS
 * (keymgr/v2eap.c) and whose answer goes back in the IKE_AUTH response; after EAP Success
 * the peer sends its AUTH keyed with the method's MSK, keymgr (which alone holds the MSK)
 * checks it and computes ours, and the exchange ends as any IKE_AUTH does (authorization,
 * the interface, the CHILD_SA proposed in the first message). A method without an MSK
 * (EAP-MD5) keys both AUTHs with SK_pi and SK_pr, which ikemgr holds.
 * Each answer from keymgr finds the SA in the state that waits for it; anything else is late.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

/* An IKE_AUTH response with our EAP message (and, first, IDr, CERT and AUTH). */
static int send_eap(struct ikev2_sa *sa, const uint8_t *eap, size_t len, int first)
{
	struct ikev2_auth_req *r = sa->auth;
	struct isakmp_buf b;
	size_t sk;
	int ok;
	isakmp_buf_init(&b);
	ok = ikev2_begin_sk(sa, &b, IKEV2_EXCH_AUTH, r->msgid, 1, &sk) == 0;
	if (ok && first) {
		ikev2_put_id_cert(sa, &b);
		ikev2_put_typed(&b, IKEV2_NP_AUTH, (uint8_t)r->auth_r_method, r->auth_r,
		                r->auth_r_len);
	}
	if (ok) {
		isakmp_put_payload(&b, IKEV2_NP_EAP, eap, len);
		ok = ikev2_seal(sa, &b, sk) == 0;
	}
	if (ok)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
	return ok ? 0 : -1;
}

void ikev2_eap_begin(struct ikev2_sa *sa, const uint8_t *eap, size_t len)
{
	if (send_eap(sa, eap, len, 1) < 0) {
		ikev2_sa_delete(sa, "IKE_AUTH answer not built", 0);
		return;
	}
	sa->state = V2_S_EAP;
	sa->last_rx = time(NULL);
	ikev2_rearm(sa);
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: EAP for '%s' begins", sa->s.id,
	        sa->s.user);
}

void ikev2_eap_input(struct ikev2_sa *sa, uint32_t msgid, uint8_t np, const uint8_t *in,
                     size_t len)
{
	struct ikev2_chain c;
	uint8_t inner;
	struct ikev2_auth_req *r = sa->auth;
	if (!r)
		return;
	r->msgid = msgid;
	if (ikev2_parse_chain(np, in, 0, len, &c, &inner) < 0 || inner) {
		v2.drop_malformed++;
		ikev2_auth_fail(sa, msgid, IKEV2_N_INVALID_SYNTAX, "malformed IKE_AUTH during EAP");
		return;
	}
	const struct ikev2_pl *peap = ikev2_find(&c, IKEV2_NP_EAP),
	                      *pauth = ikev2_find(&c, IKEV2_NP_AUTH);
	if (sa->state == V2_S_EAP) {
		if (!peap || peap->len < 4 || peap->len > MSG_EAP_MAX) {
			ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "IKE_AUTH without "
			                "an EAP message during EAP");
			return;
		}
		struct msg_v2_eap *q = calloc(1, sizeof(*q));
		if (!q) {
			ikev2_auth_fail(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, "out of memory");
			return;
		}
		q->sa_id = sa->s.id;
		q->eap_len = (uint16_t)peap->len;
		memcpy(q->eap, peap->body, peap->len);
		sa->state = V2_S_EAP_RADIUS;
		ikev2_rearm(sa);
		ike.io.to_keymgr(IMSG_V2_EAP_REQ, sa->s.id, q, sizeof(*q));
		explicit_bzero(q, sizeof(*q));
		free(q);
		return;
	}
	/* V2_S_EAP_DONE: the last AUTH, keyed with the MSK (or SK_pi) */
	struct ikev2_typed auth;
	if (!pauth || ikev2_parse_auth(pauth->body, pauth->len, &auth) < 0 ||
	    auth.type != IKEV2_AUTH_PSK || auth.len > sizeof(r->final_auth)) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "no shared-key AUTH after "
		                "EAP");
		return;
	}
	memcpy(r->final_auth, auth.data, auth.len);
	r->final_auth_len = auth.len;
	r->eap = 2;
	ikev2_auth_ask(sa, IKEV2_AUTH_PSK, auth.data, auth.len, 1);
}

int ikev2_eap_res(uint32_t peerid, const struct msg_v2_eap *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (sa->state != V2_S_EAP_RADIUS || !sa->auth || res->eap_len > sizeof(res->eap))
		return 1;
	char msg[sizeof(res->message)];
	memcpy(msg, res->message, sizeof(msg));
	msg[sizeof(msg) - 1] = 0;
	int ok = send_eap(sa, res->eap, res->eap_len, 0) == 0;
	if (!ok || res->status == V2EAP_FAILURE) {
		char why[sizeof(msg) + 32];
		snprintf(why, sizeof(why), "EAP failed%s%s", msg[0] ? ": " : "", msg);
		v2.auth_fail++;
		log_info("IKEv2 session %u from %s refused: %s", sa->s.id,
		         sa46_ntop(&sa->s.peer, (char[SA46_STRLEN]){ 0 }), why);
		ikev2_sa_delete(sa, why, 0);
		return 1;
	}
	sa->state = res->status == V2EAP_SUCCESS ? V2_S_EAP_DONE : V2_S_EAP;
	sa->last_rx = time(NULL);
	ikev2_rearm(sa);
	return 1;
}

int ikev2_eap_final_auth(struct ikev2_sa *sa, const struct msg_v2_auth_res *res)
{
	struct ikev2_auth_req *r = sa->auth;
	char user[sizeof(res->eap_user)];
	memcpy(user, res->eap_user, sizeof(user));
	user[sizeof(user) - 1] = 0;
	if (res->eap_no_msk) {
		/* no MSK: the shared key is SK_pi for the peer's AUTH and SK_pr for ours */
		uint8_t mac_i[IKEV2_PRF_MAX], mac_r[IKEV2_PRF_MAX], want[IKEV2_PRF_MAX];
		size_t pl = sa->suite.prf_len;
		struct iovec vi = { r->idi, r->idi_len }, vr = { r->idr_b, r->idr_b_len };
		struct iovec oi[3] = { { sa->msg1, sa->msg1_len }, { sa->nr, sa->nrlen },
		                       { mac_i, pl } },
		             orr[3] = { { sa->msg2, sa->msg2_len }, { sa->ni, sa->nilen },
		                        { mac_r, pl } };
		int good = ikev2_prf(&sa->suite, sa->k.pi, pl, &vi, 1, mac_i) == 0 &&
		           ikev2_prf(&sa->suite, sa->k.pr, pl, &vr, 1, mac_r) == 0 &&
		           ikev2_psk_auth(&sa->suite, sa->k.pi, pl, oi, 3, want) == 0 &&
		           r->final_auth_len == pl && CRYPTO_memcmp(want, r->final_auth, pl) == 0 &&
		           ikev2_psk_auth(&sa->suite, sa->k.pr, pl, orr, 3, r->auth_r) == 0;
		OPENSSL_cleanse(want, sizeof(want));
		if (!good) {
			ikev2_auth_fail(sa, r->msgid, IKEV2_N_AUTHENTICATION_FAILED, "the AUTH after EAP "
			                "(no MSK) is not keyed with SK_pi");
			return -1;
		}
		r->auth_r_len = pl;
	} else {
		memcpy(r->auth_r, res->auth, res->auth_len);
		r->auth_r_len = res->auth_len;
	}
	r->auth_r_method = IKEV2_AUTH_PSK;
	if (user[0])
		snprintf(sa->s.user, sizeof(sa->s.user), "%s", user);
	return 0;
}
