/*
 * IKE_AUTH, responder side (RFC 7296 1.2, 2.15, 2.19, 3.15): the peer's identity picks the
 * ikev2 profile; keymgr, which alone holds the keys, checks the peer's AUTH and computes ours
 * (ikemgr gives it both sides' octets, RealMessage | Nonce | prf(SK_p, ID')); keymgr then
 * authorizes the session (address, DNS, split networks) for the group the profile names;
 * tunmgr creates the virtual-access interface and installs the CHILD_SA; only then does the
 * answer go out, so the client's first packet finds its SA.
 *
 * The steps wait on other processes; each answer finds the SA by session id and checks the
 * state it is in, so a late or repeated answer does nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

/* The IKE_AUTH failed: AUTHENTICATION_FAILED (or another error) answered, the SA gone. */
void ikev2_auth_fail(struct ikev2_sa *sa, uint32_t msgid, uint16_t type, const char *why)
{
	v2.auth_fail++;
	log_info("IKEv2 session %u from %s refused: %s", sa->s.id,
	         sa46_ntop(&sa->s.peer, (char[SA46_STRLEN]){ 0 }), why);
	ikev2_notify_protected(sa, IKEV2_EXCH_AUTH, msgid, type, NULL, 0);
	ikev2_sa_delete(sa, why, 0);
}

/* The trust point a profile signs with: the first not kept for verifying only. */
static const struct conf_trustpoint *sign_tp(const struct conf_ikev2_profile *p)
{
	for (int k = 0; k < p->ntp; k++)
		if (p->tp[k].use != V2_TP_VERIFY)
			return conf_find_trustpoint(ike.conf, p->tp[k].name);
	return NULL;
}

static int signs(const struct conf_ikev2_profile *p)
{
	return p->auth_local == IKE_AUTH_RSA_SIG || p->auth_local == IKE_AUTH_ECDSA_SIG;
}

/* Our IDr body: the profile's identity local; else, signing, our certificate's subject (an
 * address would need to be in its subjectAltName), else the address the peer reached. */
static size_t our_id(const struct ikev2_sa *sa, uint8_t *b, size_t cap)
{
	const struct conf_ikev2_profile *p = sa->s.v2profile;
	const struct conf_trustpoint *tp;
	size_t alen;
	const void *addr = sa46_addr(&sa->s.local, &alen);
	memset(b, 0, 4);
	if (p && p->id_local_type == V2_ID_NONE && signs(p) && (tp = sign_tp(p)) &&
	    tp->subject_len && 4 + (size_t)tp->subject_len <= cap) {
		b[0] = IKEV2_ID_DER_ASN1_DN;
		memcpy(b + 4, tp->subject_der, tp->subject_len);
		return 4 + tp->subject_len;
	}
	if (p && p->id_local_type != V2_ID_NONE && p->id_local_type != V2_ID_ADDRESS) {
		size_t n = strlen(p->id_local);
		if (4 + n > cap)
			return 0;
		b[0] = p->id_local_type == V2_ID_FQDN ? IKEV2_ID_FQDN :
		       p->id_local_type == V2_ID_EMAIL ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_KEY_ID;
		memcpy(b + 4, p->id_local, n);
		return 4 + n;
	}
	if (4 + alen > cap)
		return 0;
	b[0] = alen == 16 ? IKEV2_ID_IPV6_ADDR : IKEV2_ID_IPV4_ADDR;
	memcpy(b + 4, addr, alen);
	return 4 + alen;
}

/* The peer's CERT payloads (X.509 signature encoding; others are left out, 3.6) for keymgr,
 * which parses and judges them: 0, or -1 when they do not fit the message. */
static int put_certs(const struct ikev2_chain *c, struct msg_v2_auth_req *q)
{
	size_t off = 0;
	for (int i = 0; i < c->n; i++) {
		const struct ikev2_pl *p = &c->pl[i];
		if (p->type != IKEV2_NP_CERT || p->len < 1 || p->body[0] != IKEV2_CERT_X509_SIG)
			continue;
		size_t l = p->len - 1;
		if (q->ncert >= MSG_CERT_MAX || l == 0 || l > UINT16_MAX || l > sizeof(q->certs) - off)
			return -1;
		memcpy(q->certs + off, p->body + 1, l);
		q->cert_len[q->ncert++] = (uint16_t)l;
		off += l;
	}
	return 0;
}

void ikev2_our_id_text(const struct ikev2_sa *sa, char *out, size_t len)
{
	const struct conf_ikev2_profile *p = sa->s.v2profile;
	const struct conf_trustpoint *tp;
	if (p && p->id_local_type == V2_ID_NONE && signs(p) && (tp = sign_tp(p))) {
		snprintf(out, len, "%s", tp->subject);
		return;
	}
	if (p && p->id_local_type != V2_ID_NONE && p->id_local_type != V2_ID_ADDRESS) {
		snprintf(out, len, "%s", p->id_local);
		return;
	}
	char a[SA46_STRLEN];
	snprintf(out, len, "%s", sa46_ntop(&sa->s.local, a));
}

void ikev2_auth_input(struct ikev2_sa *sa, uint32_t msgid, uint8_t np, const uint8_t *in,
                      size_t len)
{
	struct ikev2_chain c;
	uint8_t inner;
	if (ikev2_parse_chain(np, in, 0, len, &c, &inner) < 0 || inner) {
		v2.drop_malformed++;
		ikev2_auth_fail(sa, msgid, IKEV2_N_INVALID_SYNTAX, "malformed IKE_AUTH");
		return;
	}
	if (c.unknown_critical) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, "unsupported critical payload");
		return;
	}
	const struct ikev2_pl *pidi = ikev2_find(&c, IKEV2_NP_IDI),
	                      *pauth = ikev2_find(&c, IKEV2_NP_AUTH),
	                      *psa = ikev2_find(&c, IKEV2_NP_SA), *ptsi = ikev2_find(&c, IKEV2_NP_TSI),
	                      *ptsr = ikev2_find(&c, IKEV2_NP_TSR), *pcp = ikev2_find(&c, IKEV2_NP_CP);
	struct ikev2_typed idi, auth;
	if (!pidi || ikev2_parse_id(pidi->body, pidi->len, &idi) < 0 || pidi->len > MSG_ID_MAX) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_INVALID_SYNTAX, "IDi missing or malformed");
		return;
	}
	/* no AUTH: the peer asks for EAP (2.16) */
	memset(&auth, 0, sizeof(auth));
	if (pauth && (ikev2_parse_auth(pauth->body, pauth->len, &auth) < 0 ||
	              auth.len > MSG_V2_AUTH_MAX)) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_INVALID_SYNTAX, "AUTH malformed");
		return;
	}
	if (pauth && auth.type != IKEV2_AUTH_PSK && auth.type != IKEV2_AUTH_RSA &&
	    auth.type != IKEV2_AUTH_ECDSA256 && auth.type != IKEV2_AUTH_ECDSA384 &&
	    auth.type != IKEV2_AUTH_ECDSA521 && auth.type != IKEV2_AUTH_DIGITAL_SIG) {
		char why[64];
		snprintf(why, sizeof(why), "authentication method %u is not served", auth.type);
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, why);
		return;
	}
	char who[MSG_USER_MAX];
	conf_v2_id_text(idi.type, idi.data, idi.len, who, sizeof(who));
	const struct conf_ikev2_profile *prof =
		conf_v2_profile_for(ike.conf, idi.type, idi.data, idi.len, &sa->s.peer, &sa->s.local);
	if (!prof) {
		char why[MSG_USER_MAX + 64];
		snprintf(why, sizeof(why), "no crypto ikev2 profile matches identity '%s'", who);
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, why);
		return;
	}
	if (!pauth && !prof->remote_eap) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "EAP requested (no AUTH), the profile "
		     "does not allow authentication remote eap");
		return;
	}
	/* the profile's template: shut down, or not taking this transport family (IOS: an IPv6
	 * peer needs a v6-overlay or dual-overlay template), no session */
	const struct conf_interface *vt = prof->virtual_template
		? conf_find_template(ike.conf, prof->virtual_template) : NULL;
	if (!vt) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "the profile has no virtual-template");
		return;
	}
	if (vt->shutdown || !conf_tunnel_takes_peer(vt, sa46_is6(&sa->s.peer))) {
		char why[200];
		if (vt->shutdown)
			snprintf(why, sizeof(why), "%s is shut down, no new sessions", vt->name);
		else
			snprintf(why, sizeof(why), "%s takes IPv%c peers only (tunnel mode %s), no "
			         "session from an IPv%c one", vt->name, sa46_is6(&sa->s.peer) ? '4' : '6',
			         conf_tunnel_mode_words(vt->tunnel_mode_ipsec),
			         sa46_is6(&sa->s.peer) ? '6' : '4');
		log_warnx("IKEv2 session %u: %s", sa->s.id, why);
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, why);
		return;
	}
	struct ikev2_auth_req *r = calloc(1, sizeof(*r));
	if (!r) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, "out of memory");
		return;
	}
	sa->auth = r;
	sa->s.v2profile = prof;
	snprintf(sa->prof_name, sizeof(sa->prof_name), "%s", prof->name);
	snprintf(sa->s.user, sizeof(sa->s.user), "%s", who);
	r->msgid = msgid;
	memcpy(r->idi, pidi->body, pidi->len);
	r->idi_len = pidi->len;
	/* the CHILD_SA: proposals and selectors, judged once the address is known */
	static struct ikev2_sa_pl props;
	if (!psa || !ptsi || !ptsr || ikev2_parse_sa(psa->body, psa->len, &props) < 0 ||
	    ikev2_parse_ts(ptsi->body, ptsi->len, &r->tsi) < 0 ||
	    ikev2_parse_ts(ptsr->body, ptsr->len, &r->tsr) < 0) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_INVALID_SYNTAX, "CHILD_SA payloads missing or malformed");
		return;
	}
	memcpy(r->props, props.prop, sizeof(props.prop[0]) * (size_t)props.n);
	r->nprops = props.n;
	if (pcp) {
		struct ikev2_cp cp;
		if (ikev2_parse_cp(pcp->body, pcp->len, &cp) == 0 && cp.type == IKEV2_CFG_REQUEST) {
			r->cp_request = 1;
			for (int i = 0; i < cp.n; i++) {
				r->want_ip4 |= cp.a[i].type == IKEV2_CP_INTERNAL_IP4_ADDRESS;
				r->want_ip6 |= cp.a[i].type == IKEV2_CP_INTERNAL_IP6_ADDRESS;
				r->want_dns |= cp.a[i].type == IKEV2_CP_INTERNAL_IP4_DNS;
			}
		}
	}
	if (!r->cp_request || !r->want_ip4) {
		/* a remote-access hub gives every client its address (2.19) */
		ikev2_auth_fail(sa, msgid, IKEV2_N_FAILED_CP_REQUIRED, "no configuration payload asking for an "
		     "IPv4 address");
		return;
	}
	for (int i = 0; i < c.n; i++) {
		struct ikev2_notify n;
		if (c.pl[i].type != IKEV2_NP_N || ikev2_parse_notify(c.pl[i].body, c.pl[i].len, &n))
			continue;
		r->initial_contact |= n.type == IKEV2_N_INITIAL_CONTACT;
		r->transport |= n.type == IKEV2_N_USE_TRANSPORT_MODE;
	}

	r->idr_b_len = our_id(sa, r->idr_b, sizeof(r->idr_b));
	r->eap = !pauth;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: IKE_AUTH from '%s', profile %s%s, "
	        "asking keymgr", sa->s.id, who, prof->name, pauth ? "" : " (EAP)");
	ikev2_auth_ask(sa, &c, pauth ? auth.type : MSG_V2_AUTH_EAP, auth.data, auth.len, 0);
}

/*
 * keymgr's question: the peer's identity, AUTH (method, data; EAP: none; after EAP the
 * MSK-keyed one with final set) and certificates (c, or NULL), with both sides' octets,
 * RealMessage | Nonce | prf(SK_p, ID'), rebuilt from the SA for every question.
 */
void ikev2_auth_ask(struct ikev2_sa *sa, const struct ikev2_chain *c, int method,
                    const uint8_t *auth, size_t auth_len, int final)
{
	struct ikev2_auth_req *r = sa->auth;
	uint32_t msgid = r->msgid;
	struct ikev2_typed idi;
	struct msg_v2_auth_req *q = calloc(1, sizeof(*q));
	if (q && c && method != IKEV2_AUTH_PSK && method != MSG_V2_AUTH_EAP &&
	    put_certs(c, q) < 0) {
		free(q);
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "certificates malformed or too many");
		return;
	}
	uint8_t mac_i[IKEV2_PRF_MAX], mac_r[IKEV2_PRF_MAX];
	size_t pl = sa->suite.prf_len;
	struct iovec vi = { r->idi, r->idi_len }, vr = { r->idr_b, r->idr_b_len };
	if (!q || !r->idr_b_len || auth_len > sizeof(q->auth) ||
	    ikev2_parse_id(r->idi, r->idi_len, &idi) < 0 ||
	    sa->msg1_len + sa->nrlen + pl > MSG_V2_OCTETS_MAX ||
	    sa->msg2_len + sa->nilen + pl > MSG_V2_OCTETS_MAX ||
	    ikev2_prf(&sa->suite, sa->k.pi, pl, &vi, 1, mac_i) < 0 ||
	    ikev2_prf(&sa->suite, sa->k.pr, pl, &vr, 1, mac_r) < 0) {
		free(q);
		ikev2_auth_fail(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, "AUTH octets not built");
		return;
	}
	q->sa_id = sa->s.id;
	q->prf = sa->suite.prf_id;
	q->local = sa->s.local;
	q->peer = sa->s.peer;
	q->id_type = idi.type;
	q->id_len = (uint16_t)idi.len;
	memcpy(q->id, idi.data, idi.len);
	q->auth_method = method;
	q->eap_final = final;
	q->peer_hashes = sa->peer_hashes;
	q->auth_len = (uint16_t)auth_len;
	if (auth_len)
		memcpy(q->auth, auth, auth_len);
	q->ni_len = (uint16_t)sa->nilen;
	memcpy(q->ni, sa->ni, sa->nilen);
	q->nr_len = (uint16_t)sa->nrlen;
	memcpy(q->nr, sa->nr, sa->nrlen);
	uint8_t *o = q->oct_i;
	memcpy(o, sa->msg1, sa->msg1_len);
	memcpy(o + sa->msg1_len, sa->nr, sa->nrlen);
	memcpy(o + sa->msg1_len + sa->nrlen, mac_i, pl);
	q->oct_i_len = (uint16_t)(sa->msg1_len + sa->nrlen + pl);
	o = q->oct_r;
	memcpy(o, sa->msg2, sa->msg2_len);
	memcpy(o + sa->msg2_len, sa->ni, sa->nilen);
	memcpy(o + sa->msg2_len + sa->nilen, mac_r, pl);
	q->oct_r_len = (uint16_t)(sa->msg2_len + sa->nilen + pl);
	sa->state = V2_S_WAIT_AUTH;
	ikev2_rearm(sa);
	ike.io.to_keymgr(IMSG_V2_AUTH_REQ, sa->s.id, q, sizeof(*q));
	explicit_bzero(q, sizeof(*q));
	free(q);
}

/*
 * INITIAL_CONTACT (2.4): the peer, now authenticated, has no other IKE SA with us, so the
 * sessions it had under the same identity and profile are gone on its side (it restarted):
 * they end now, with their addresses and logins, rather than at DPD or a timeout. Only
 * after authentication: an unauthenticated INITIAL_CONTACT would let anyone end sessions.
 */
static void initial_contact(struct ikev2_sa *sa)
{
	struct ikev2_sa *next;
	int n = 0;
	for (struct ikev2_sa *o = v2.all; o; o = next) {
		next = o->all_next;
		if (o == sa || o->state != V2_S_ESTABLISHED || o->s.superseded ||
		    strcmp(o->s.user, sa->s.user) || strcmp(o->prof_name, sa->prof_name))
			continue;
		ikev2_sa_delete(o, "INITIAL_CONTACT: the client restarted", 0);
		n++;
		next = v2.all;
	}
	if (n)
		log_info("IKEv2 session %u: INITIAL_CONTACT from '%s' ended %d older session%s",
		         sa->s.id, sa->s.user, n, n == 1 ? "" : "s");
}

/* An answer for sa in the state it waits in, or NULL. */
static struct ikev2_sa *waiting(uint32_t peerid, int state)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	return sa && sa->state == state && sa->auth ? sa : NULL;
}

int ikev2_auth_res(uint32_t peerid, const struct msg_v2_auth_res *res)
{
	struct ikev2_sa *sa = waiting(peerid, V2_S_WAIT_AUTH);
	if (!sa)
		return ikev2_sa_by_id(peerid) != NULL;
	struct ikev2_auth_req *r = sa->auth;
	char msg[sizeof(res->message)];
	memcpy(msg, res->message, sizeof(msg));
	msg[sizeof(msg) - 1] = 0;
	int pending = res->status == KEY_PENDING && r->eap == 1;
	int no_msk = res->status == KEY_OK && r->eap == 2 && res->eap_no_msk;
	if ((res->status != KEY_OK && !pending) || (res->auth_len == 0 && !no_msk) ||
	    res->auth_len > sizeof(r->auth_r) || res->auth_len > sizeof(res->auth) ||
	    (pending && (res->eap_len < 4 || res->eap_len > sizeof(res->eap)))) {
		char why[200];
		snprintf(why, sizeof(why), "authentication failed%s%s", msg[0] ? ": " : "", msg);
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_AUTHENTICATION_FAILED, why);
		return 1;
	}
	/* keymgr matched the profile itself: it must be the one the identity gave us */
	char pname[sizeof(res->profile)], group[sizeof(res->group)];
	memcpy(pname, res->profile, sizeof(pname));
	pname[sizeof(pname) - 1] = 0;
	memcpy(group, res->group, sizeof(group));
	group[sizeof(group) - 1] = 0;
	if (strcmp(pname, sa->s.v2profile->name)) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_AUTHENTICATION_FAILED, "keymgr chose another profile");
		return 1;
	}
	/* keymgr keeps a record of the SA from here on: it must hear of its end */
	sa->s.have_policy = 1;
	if (r->eap == 2) {
		/* after EAP: the MSK-keyed AUTHs (2.16), or without an MSK our own with SK_p */
		if (ikev2_eap_final_auth(sa, res) < 0)
			return 1;
	} else {
		memcpy(r->auth_r, res->auth, res->auth_len);
		r->auth_r_len = res->auth_len;
		r->auth_r_method = res->auth_method;
	}
	char sg[sizeof(res->sign)], vf[sizeof(res->verify)];
	memcpy(sg, res->sign, sizeof(sg));
	sg[sizeof(sg) - 1] = 0;
	memcpy(vf, res->verify, sizeof(vf));
	vf[sizeof(vf) - 1] = 0;
	if (r->eap == 2)
		;       /* ours was named when EAP began */
	else if (strcmp(sg, vf))
		snprintf(sa->auth_words, sizeof(sa->auth_words), "%s/%s", sg, vf);
	else
		snprintf(sa->auth_words, sizeof(sa->auth_words), "%s", sg);
	if (r->eap != 2) {
		memcpy(r->tp, res->trustpoint, sizeof(r->tp));
		r->tp[sizeof(r->tp) - 1] = 0;
	}
	if (r->tp[0] && !conf_find_trustpoint(ike.conf, r->tp)) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_AUTHENTICATION_FAILED, "keymgr signed with an unknown "
		     "trust point");
		return 1;
	}
	if (pending) {
		/* EAP begins: our AUTH with the first EAP request */
		ikev2_eap_begin(sa, res->eap, res->eap_len);
		return 1;
	}
	if (ikev2_redirect_auth(sa))
		return 1;
	snprintf(sa->s.group_name, sizeof(sa->s.group_name), "%s", group);
	if (r->initial_contact)
		initial_contact(sa);
	struct msg_xauth_req *x = calloc(1, sizeof(*x));
	if (!x) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_TEMPORARY_FAILURE, "out of memory");
		return 1;
	}
	x->sa_id = sa->s.id;
	snprintf(x->group, sizeof(x->group), "%s", group);
	snprintf(x->user, sizeof(x->user), "%s", sa->s.user);
	x->authorize_only = 1;
	x->peer = sa->s.peer;
	sa->state = V2_S_AUTHORIZING;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: '%s' authenticated (%s), "
	        "authorizing group '%s'", sa->s.id, sa->s.user,
	        res->peer_kind == V2_AAA_CERT ? "certificate" :
	        res->peer_kind == V2_AAA_EAP ? "EAP" : "pre-shared key", group);
	ike.io.to_keymgr(IMSG_XAUTH_REQ, sa->s.id, x, sizeof(*x));
	free(x);
	return 1;
}

int ikev2_xauth_res(uint32_t peerid, const struct msg_xauth_res *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (sa->state != V2_S_AUTHORIZING || !sa->auth)
		return 1;
	if (res->status != XAUTH_OK) {
		char why[sizeof(res->message) + 32], m[sizeof(res->message)];
		memcpy(m, res->message, sizeof(m));
		m[sizeof(m) - 1] = 0;
		snprintf(why, sizeof(why), "not authorized: %s", m);
		ikev2_auth_fail(sa, sa->auth->msgid, res->status == XAUTH_NO_ADDRESS ?
		     IKEV2_N_INTERNAL_ADDRESS_FAILURE : IKEV2_N_AUTHENTICATION_FAILED, why);
		return 1;
	}
	sa->s.policy = res->policy;
	sa->s.have_policy = 1;
	/* IPv6 inside is an addition: asked for, in the pool, and carried by the template */
	sa->s.addr6_given = sa->auth->want_ip6 && !IN6_IS_ADDR_UNSPECIFIED(&res->policy.addr6) &&
	                    ike_session_inner6(&sa->s);
	sa->state = V2_S_WAIT_VA;
	ike_session_request_va(&sa->s, sa->s.policy.addr, 32);
	return 1;
}

/* IDr and, signing, our certificate. */
void ikev2_put_id_cert(const struct ikev2_sa *sa, struct isakmp_buf *b)
{
	const struct ikev2_auth_req *r = sa->auth;
	isakmp_put_payload(b, IKEV2_NP_IDR, r->idr_b, r->idr_b_len);
	const struct conf_trustpoint *tp = r->tp[0] ? conf_find_trustpoint(ike.conf, r->tp) : NULL;
	if (tp && tp->cert_len)
		ikev2_put_cert(b, tp->cert_der, tp->cert_len);
}

/* IDr, AUTH, CP (the address, netmask, DNS, split networks), then the CHILD_SA or why not. */
static int build_answer(struct ikev2_sa *sa, struct isakmp_buf *b)
{
	struct ikev2_auth_req *r = sa->auth;
	size_t sk;
	if (ikev2_begin_sk(sa, b, IKEV2_EXCH_AUTH, r->msgid, 1, &sk) < 0)
		return -1;
	if (r->eap != 2)    /* after EAP, IDr and our certificate went out when it began */
		ikev2_put_id_cert(sa, b);
	ikev2_put_typed(b, IKEV2_NP_AUTH, (uint8_t)r->auth_r_method, r->auth_r, r->auth_r_len);
	uint8_t cp[512];
	long n = 4;
	const struct msg_policy *p = &sa->s.policy;
	memset(cp, 0, 4);
	cp[0] = IKEV2_CFG_REPLY;
	n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_ADDRESS, &p->addr, 4);
	if (n > 0 && p->netmask.s_addr)
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_NETMASK,
		                  &p->netmask, 4);
	for (int i = 0; n > 0 && i < p->ndns && i < 2; i++)
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_DNS, &p->dns[i], 4);
	for (int i = 0; n > 0 && i < p->nsplit; i++) {
		uint8_t v[8];
		memcpy(v, &p->split[i].net, 4);
		memcpy(v + 4, &p->split[i].mask, 4);
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_SUBNET, v, 8);
	}
	if (n > 0 && sa->s.addr6_given) {
		/* 3.15.1: the address and its prefix length; the DNS servers with it */
		uint8_t v6[17];
		memcpy(v6, &p->addr6, 16);
		v6[16] = 128;
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_ADDRESS, v6, 17);
		for (int i = 0; n > 0 && i < p->ndns6 && i < 2; i++)
			n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_DNS,
			                  &p->dns6[i], 16);
		for (int i = 0; n > 0 && i < p->nsplit6 && i < MSG_SPLIT_MAX; i++) {
			uint8_t hi[16];
			ikev2_range6(&p->split6[i].net, p->split6[i].plen, v6, hi);
			v6[16] = (uint8_t)p->split6[i].plen;
			n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP6_SUBNET,
			                  v6, 17);
		}
	}
	if (n < 0)
		return -1;
	isakmp_put_payload(b, IKEV2_NP_CP, cp, (size_t)n);
	if (r->child_error)
		ikev2_put_notify(b, 0, NULL, 0, (uint16_t)r->child_error, NULL, 0);
	else
		ikev2_child_put(sa, r, b);
	return ikev2_seal(sa, b, sk);
}

/* The answer goes out; the SA is established (with or without its CHILD_SA). */
static void answer(struct ikev2_sa *sa)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	int ok = build_answer(sa, &b) == 0;
	if (ok)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
	if (!ok) {
		ikev2_sa_delete(sa, "IKE_AUTH answer not built", 0);
		return;
	}
	ikev2_established(sa);
	v2.auth_ok++;
	struct ikev2_auth_req *r = sa->auth;
	if (r->child_error) {
		/* the IKE SA stands (2.21.1): the peer may still create a CHILD_SA we accept;
		 * without one it ends after NO_CHILD_SECS (ikev2_sa.c) */
		log_info("IKEv2 session %u ('%s'): no acceptable CHILD_SA (notify %d)", sa->s.id,
		         sa->s.user, r->child_error);
		sa->auth = NULL;
		explicit_bzero(r, sizeof(*r));
		free(r);
		return;
	}
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sa->s.policy.addr, ip, sizeof(ip));
	log_info("IKEv2 session %u: '%s' (profile %s) up on %s, address %s, SA %08x/%08x%s",
	         sa->s.id, sa->s.user, sa->s.v2profile->name, sa->s.ifname, ip, ntohl(r->c.spi_in),
	         ntohl(r->c.spi_out), r->c.encap_mode == IPSEC_ENCAP_TUNNEL ? "" : " (ESP in UDP)");
	sa->auth = NULL;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

int ikev2_va_created(uint32_t peerid, const struct msg_va_created *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (sa->state != V2_S_WAIT_VA || !sa->auth)
		return 1;
	if (res->status) {
		sa->s.va_requested = 0;
		ikev2_auth_fail(sa, sa->auth->msgid, IKEV2_N_TEMPORARY_FAILURE, "interface not created");
		return 1;
	}
	ike_session_va_ready(&sa->s, res);
	struct ikev2_auth_req *r = sa->auth;
	r->child_error = ikev2_child_choose(sa, r);
	if (r->child_error) {
		answer(sa);
		return 1;
	}
	if (ikev2_child_install(sa, sa, &r->c, 0, NULL, 0, sa->ni, sa->nilen, sa->nr,
	                        sa->nrlen) < 0) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_TEMPORARY_FAILURE, "CHILD_SA keys not derived");
		return 1;
	}
	sa->held_spi = r->c.spi_in;
	sa->state = V2_S_WAIT_SA;
	return 1;
}

int ikev2_sa_added(uint32_t peerid, const struct msg_sa_added *res)
{
	struct ikev2_sa *sa = ikev2_sa_by_id(peerid);
	if (!sa)
		return 0;
	if (ikev2_rekey_added(sa, res) || ikev2_hub_added(sa, res))
		return 1;
	if (sa->state != V2_S_WAIT_SA || !sa->auth || res->spi_in != sa->held_spi)
		return 1;
	struct ikev2_auth_req *r = sa->auth;
	if (res->status) {
		/* tunmgr refused it (its own check of the selectors, a duplicate SPI) */
		log_rl("IKEv2 session %u: tunmgr did not install SA %08x (%s)", sa->s.id,
		       ntohl(res->spi_in), strerror(res->status));
		r->child_error = IKEV2_N_TS_UNACCEPTABLE;
		answer(sa);
		return 1;
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (c->used)
			continue;
		*c = r->c;
		c->used = 1;
		c->installed = 1;
		c->created = time(NULL);
		answer(sa);
		/* answer() freed r; c is the session's own copy */
		if ((sa = ikev2_sa_by_id(peerid)) != NULL && sa->state == V2_S_ESTABLISHED) {
			ike_session_up(&sa->s, &sa->s.child[i]);
			sa->s.ops->sync(&sa->s);
		}
		return 1;
	}
	r->child_error = IKEV2_N_NO_ADDITIONAL_SAS;
	answer(sa);
	return 1;
}
