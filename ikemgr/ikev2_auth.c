/*
 * IKE_AUTH, responder side (RFC 7296 1.2, 2.15, 2.19, 3.15): the peer's identity picks the
 * ikev2 profile; keymgr, which alone holds the keys, checks the peer's AUTH and computes ours
 * (ikemgr gives it both sides' octets, RealMessage | Nonce | prf(SK_p, ID')); keymgr then
 * authorizes the session (address, DNS, split networks) for the group the profile names;
 * tunmgr creates the virtual-access interface and installs the CHILD_SA; only then does the
 * answer go out (ikev2_answer.c), so the client's first packet finds its SA. With a
 * certificate the profile may be keymgr's by `match certificate`: ikemgr's is a guess that
 * keymgr corrects (common/msg.h, IMSG_V2_AUTH_REQ).
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
 * which parses and judges them, kept in r: 0, or -1 when they do not fit the message. */
static int put_certs(const struct ikev2_chain *c, struct ikev2_auth_req *r)
{
	size_t off = 0;
	r->ncert = 0;
	for (int i = 0; i < c->n; i++) {
		const struct ikev2_pl *p = &c->pl[i];
		if (p->type != IKEV2_NP_CERT || p->len < 1 || p->body[0] != IKEV2_CERT_X509_SIG)
			continue;
		size_t l = p->len - 1;
		if (r->ncert >= MSG_CERT_MAX || l == 0 || l > UINT16_MAX || l > sizeof(r->certs) - off)
			return -1;
		memcpy(r->certs + off, p->body + 1, l);
		r->cert_len[r->ncert++] = (uint16_t)l;
		off += l;
	}
	return 0;
}

/* ---- match certificate: ikemgr guesses, keymgr chooses ---- */

/* Any certificate might match a map: only keymgr can tell. */
static int cert_maybe(void *arg, const char *label)
{
	(void)arg;
	(void)label;
	return 1;
}

static int maps_in_use(void)
{
	for (int k = 0; k < ike.conf->v2.nprofile; k++)
		if (ike.conf->v2.profile[k].match_cert[0])
			return 1;
	return 0;
}

static int has_x509(const struct ikev2_chain *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->pl[i].type == IKEV2_NP_CERT && c->pl[i].len >= 1 &&
		    c->pl[i].body[0] == IKEV2_CERT_X509_SIG)
			return 1;
	return 0;
}

/* The profile's template takes no session (none, shut down, another transport family):
 * refused here (1), or 0. */
static int template_refused(struct ikev2_sa *sa, const struct conf_ikev2_profile *prof,
                            uint32_t msgid)
{
	/* IOS: an IPv6 peer needs a v6-overlay or dual-overlay template */
	const struct conf_interface *vt = prof->virtual_template
		? conf_find_template(ike.conf, prof->virtual_template) : NULL;
	if (!vt) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "the profile has no virtual-template");
		return 1;
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
		return 1;
	}
	return 0;
}

static void use_profile(struct ikev2_sa *sa, const struct conf_ikev2_profile *prof)
{
	sa->s.v2profile = prof;
	snprintf(sa->prof_name, sizeof(sa->prof_name), "%s", prof->name);
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
	/* with a certificate and certificate maps configured, keymgr may put the peer under a
	 * profile ikemgr cannot see: the first that could be its is a guess, judged later */
	int cert_guess = pauth && auth.type != IKEV2_AUTH_PSK && has_x509(&c) && maps_in_use();
	const struct conf_ikev2_profile *prof =
		conf_v2_profile_pick(ike.conf, idi.type, idi.data, idi.len,
		                     cert_guess ? cert_maybe : NULL, NULL);
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
	/* the profile's template; a guessed profile's once keymgr has named the real one */
	if (!cert_guess && template_refused(sa, prof, msgid))
		return;
	struct ikev2_auth_req *r = calloc(1, sizeof(*r));
	if (!r) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, "out of memory");
		return;
	}
	sa->auth = r;
	use_profile(sa, prof);
	r->cert_guess = cert_guess;
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
	if (pauth && auth.type != IKEV2_AUTH_PSK && put_certs(&c, r) < 0) {
		ikev2_auth_fail(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, "certificates malformed or too many");
		return;
	}
	r->peer_method = auth.type;
	if (auth.len)   /* no AUTH (EAP): no data pointer either */
		memcpy(r->peer_auth, auth.data, auth.len);
	r->peer_auth_len = auth.len;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: IKE_AUTH from '%s', profile %s%s, "
	        "asking keymgr", sa->s.id, who, prof->name, pauth ? "" : " (EAP)");
	ikev2_auth_ask(sa, pauth ? auth.type : MSG_V2_AUTH_EAP, auth.data, auth.len, 0);
}

/*
 * keymgr's question: the peer's identity, AUTH (method, data; EAP: none; after EAP the
 * MSK-keyed one with final set) and, with a signature, its certificates (kept in sa->auth),
 * with both sides' octets, RealMessage | Nonce | prf(SK_p, ID'), rebuilt from the SA for
 * every question.
 */
void ikev2_auth_ask(struct ikev2_sa *sa, int method, const uint8_t *auth, size_t auth_len,
                    int final)
{
	struct ikev2_auth_req *r = sa->auth;
	uint32_t msgid = r->msgid;
	struct ikev2_typed idi;
	struct msg_v2_auth_req *q = calloc(1, sizeof(*q));
	if (q && method != IKEV2_AUTH_PSK && method != MSG_V2_AUTH_EAP) {
		/* put_certs kept them in r, bounded by the message's own arrays */
		q->ncert = r->ncert;
		memcpy(q->cert_len, r->cert_len, sizeof(q->cert_len));
		memcpy(q->certs, r->certs, sizeof(q->certs));
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
	snprintf(q->profile, sizeof(q->profile), "%s", sa->s.v2profile->name);
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

/*
 * keymgr put the peer under another profile (its certificate matched that one's map): IDr
 * is that profile's, so the octets are built again and keymgr asked again, once. Only a
 * profile ikemgr could have guessed is taken: keymgr names one, ikemgr never picks it.
 */
static void reprofile(struct ikev2_sa *sa, const struct msg_v2_auth_res *res)
{
	struct ikev2_auth_req *r = sa->auth;
	char pname[sizeof(res->profile)];
	memcpy(pname, res->profile, sizeof(pname));
	pname[sizeof(pname) - 1] = 0;
	const struct conf_ikev2_profile *np = conf_find_v2_profile(ike.conf, pname);
	if (!r->cert_guess || r->reprofiled || !np || np == sa->s.v2profile) {
		ikev2_auth_fail(sa, r->msgid, IKEV2_N_AUTHENTICATION_FAILED, "keymgr named another "
		                "profile again, or one that cannot be");
		return;
	}
	r->reprofiled = 1;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: keymgr puts '%s' under profile %s "
	        "(certificate map), not %s", sa->s.id, sa->s.user, np->name, sa->s.v2profile->name);
	use_profile(sa, np);
	r->idr_b_len = our_id(sa, r->idr_b, sizeof(r->idr_b));
	ikev2_auth_ask(sa, r->peer_method, r->peer_auth, r->peer_auth_len, 0);
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
	if (res->status == KEY_OTHER_PROFILE) {
		reprofile(sa, res);
		return 1;
	}
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
	if (r->cert_guess && template_refused(sa, sa->s.v2profile, r->msgid))
		return 1;
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
