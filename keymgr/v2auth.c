/*
 * IKEv2 authentication (IMSG_V2_AUTH_REQ, the contract is in common/msg.h), and the
 * pre-shared keys; signatures are v2sig.c's. keymgr chooses the profile, the key and the
 * trust points itself from the peer's identity; ikemgr only hands over the octets. Before a key touches them they must hang together as RFC 7296 2.15's
 * InitiatorSignedOctets and ResponderSignedOctets of one IKE_SA_INIT exchange with these two
 * nonces: otherwise whoever controls ikemgr could have our AUTH computed over anything and
 * use it as the hub's elsewhere. Ours is computed only after the peer's AUTH was right.
 *
 * The SA is then remembered as judged (profile, authorization group, identity), so that the
 * authorization that follows (auth.c) serves the group the profile names and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/ikev2_crypto.h"
#include "common/log.h"
#include "keymgr/keymgr.h"

#define V2_JUDGED_MAX 4096      /* SAs between IKE_AUTH and the session's end */
#define IKE_HDR     28
#define NONCE_MIN   16          /* RFC 7296 2.10: at least 128 bits */

struct judged {
	struct judged *next;
	struct v2_judged j;
};
static struct judged *list;
static int nlist;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t o = 0;
	for (size_t k = 0; k < n; k++)
		o |= p[k];
	return o == 0;
}

/* One side's octets: M | N | X, M an IKE_SA_INIT message whose header gives its length, N
 * the other side's nonce, X one PRF output; M must hold own (its sender's nonce). */
static const char *side_ok(const uint8_t *oct, size_t len, const uint8_t *n, size_t nlen,
                           const uint8_t *own, size_t ownlen, size_t prf_len, size_t *mlen)
{
	if (len < IKE_HDR)
		return "shorter than an IKE header";
	size_t m = be32(oct + 24);
	if (m < IKE_HDR || m > len || len - m != nlen + prf_len)
		return "message, nonce and prf lengths do not add up";
	if (memcmp(oct + m, n, nlen) != 0)
		return "the nonce after the message is not the exchange's";
	if (oct[18] != 34)
		return "not an IKE_SA_INIT message";
	if (!memmem(oct + IKE_HDR, m - IKE_HDR, own, ownlen))
		return "the message does not hold its sender's nonce";
	*mlen = m;
	return NULL;
}

const char *v2_octets_check(const struct msg_v2_auth_req *rq, size_t prf_len)
{
	size_t m1, m2;
	const char *why;

	if (rq->oct_i_len > sizeof(rq->oct_i) || rq->oct_r_len > sizeof(rq->oct_r) ||
	    rq->ni_len > sizeof(rq->ni) || rq->nr_len > sizeof(rq->nr))
		return "lengths out of bounds";
	if (rq->ni_len < NONCE_MIN || rq->nr_len < NONCE_MIN)
		return "a nonce shorter than 128 bits";
	if ((why = side_ok(rq->oct_i, rq->oct_i_len, rq->nr, rq->nr_len, rq->ni, rq->ni_len,
	                   prf_len, &m1)))
		return why;
	if ((why = side_ok(rq->oct_r, rq->oct_r_len, rq->ni, rq->ni_len, rq->nr, rq->nr_len,
	                   prf_len, &m2)))
		return why;
	const uint8_t *a = rq->oct_i, *b = rq->oct_r;
	if (memcmp(a, b, 8) != 0)
		return "the two messages carry different initiator SPIs";
	if (!all_zero(a + 8, 8))
		return "the request carries a responder SPI";
	if (all_zero(b + 8, 8))
		return "the response carries no responder SPI";
	if ((a[19] & 0x28) != 0x08)
		return "the first message is not the initiator's request";
	if ((b[19] & 0x28) != 0x20)
		return "the second message is not our response";
	return NULL;
}

/* IOS's keyring look-up: the peer whose identity is the one sent, else the most specific
 * address covering the peer's. */
static const struct conf_ikev2_peer *keyring_peer(const struct conf_ikev2_keyring *kr,
                                                  const struct msg_v2_auth_req *rq)
{
	const struct conf_ikev2_peer *best = NULL;
	for (int k = 0; k < kr->npeer; k++) {
		const struct conf_ikev2_peer *pe = &kr->peer[k];
		if (pe->id_type && conf_v2_id_is(pe->id_type, pe->id, rq->id_type, rq->id, rq->id_len))
			return pe;
	}
	for (int k = 0; k < kr->npeer; k++) {
		const struct conf_ikev2_peer *pe = &kr->peer[k];
		if (pe->has_addr && CONF_SEL_COVERS(pe, &rq->peer) &&
		    (!best || CONF_SEL_LEN(pe) > CONF_SEL_LEN(best)))
			best = pe;
	}
	return best;
}

static struct judged **find(uint32_t sa_id)
{
	struct judged **pp = &list;
	while (*pp && (*pp)->j.sa_id != sa_id)
		pp = &(*pp)->next;
	return pp;
}

static void drop(struct judged **pp)
{
	struct judged *v = *pp;
	*pp = v->next;
	explicit_bzero(v, sizeof(*v));
	free(v);
	nlist--;
}

const struct v2_judged *v2_judged_find(uint32_t sa_id)
{
	struct judged **pp = find(sa_id);
	return *pp ? &(*pp)->j : NULL;
}

void v2_judged_drop(uint32_t sa_id)
{
	struct judged **pp = find(sa_id);
	if (*pp)
		drop(pp);
}

static void remember(const struct msg_v2_auth_res *res, const char *ident)
{
	struct judged **pp = find(res->sa_id);
	if (*pp)
		drop(pp);               /* judged again (a retried IKE_AUTH): the last verdict */
	if (nlist >= V2_JUDGED_MAX && list) {
		struct judged **last = &list;
		while ((*last)->next)
			last = &(*last)->next;
		drop(last);             /* the oldest */
	}
	struct judged *v = calloc(1, sizeof(*v));
	if (!v)
		fatal("calloc");
	v->j.sa_id = res->sa_id;
	v->j.kind = res->peer_kind;
	snprintf(v->j.profile, sizeof(v->j.profile), "%s", res->profile);
	snprintf(v->j.group, sizeof(v->j.group), "%s", res->group);
	snprintf(v->j.user, sizeof(v->j.user), "%s", ident);
	v->next = list;
	list = v;
	nlist++;
}

/* The keyring's peer for rq and its key of one direction, or NULL and why. */
static const char *psk_key(const struct vpnd_conf *c, const struct conf_ikev2_profile *pr,
                           const struct msg_v2_auth_req *rq, int remote, const char *ident,
                           char *why, size_t whysz, const char **peer_name)
{
	const struct conf_ikev2_keyring *kr;
	const struct conf_ikev2_peer *pe;
	if (!pr->keyring[0] || !(kr = conf_find_v2_keyring(c, pr->keyring))) {
		snprintf(why, whysz, "ikev2 profile '%.40s' has no keyring", pr->name);
		return NULL;
	}
	pe = keyring_peer(kr, rq);
	if (!pe || !(remote ? pe->has_key_remote : pe->has_key_local)) {
		snprintf(why, whysz, "keyring '%.30s' holds no key for identity '%.30s' "
		         "(pre-shared-key %s)", kr->name, ident, remote ? "remote" : "local");
		return NULL;
	}
	*peer_name = pe->name;
	return remote ? pe->key_remote : pe->key_local;
}

struct map_arg {
	const struct vpnd_conf *c;
	X509 *leaf;
};

static int map_holds(void *arg, const char *label)
{
	const struct map_arg *m = arg;
	return certmap_match(m->c, label, m->leaf);
}

/*
 * The peer's certificate, for the profiles' certificate maps: only one that a configured
 * trust point vouches for and that carries the peer's identity (the profile chosen then
 * judges it again, with its own trust points). NULL when there is none.
 */
static X509 *vouched_leaf(const struct vpnd_conf *c, const struct msg_v2_auth_req *rq)
{
	struct msg_cert_verify_res *cv;
	uint8_t id[4 + MSG_ID_MAX];
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;

	if (rq->ncert < 1 || rq->cert_len[0] == 0 || rq->cert_len[0] > sizeof(rq->certs) ||
	    !(cv = calloc(1, sizeof(*cv))))
		return NULL;
	memset(id, 0, 4);
	id[0] = (uint8_t)rq->id_type;
	memcpy(id + 4, rq->id, rq->id_len);
	if (cert_peer_check(c, NULL, NULL, rq->ncert, rq->cert_len, rq->certs, sizeof(rq->certs),
	                    id, 4 + (size_t)rq->id_len, &pk, cv) == CERT_OK) {
		const unsigned char *q = rq->certs;
		x = d2i_X509(NULL, &q, rq->cert_len[0]);
	}
	EVP_PKEY_free(pk);
	free(cv);
	ERR_clear_error();
	return x;
}

static int any_certmap(const struct vpnd_conf *c)
{
	for (int k = 0; k < c->v2.nprofile; k++)
		if (c->v2.profile[k].match_cert[0])
			return 1;
	return 0;
}

int keymgr_v2_auth(const struct vpnd_conf *c, const struct msg_v2_auth_req *rq,
                   struct msg_v2_auth_res *res)
{
	char ident[MSG_USER_MAX], pa[SA46_STRLEN];
	const struct conf_ikev2_profile *pr;
	const char *key, *pname = "";
	struct ikev2_suite s;
	uint8_t want[IKEV2_PRF_MAX];
	const char *why;
	int eap_final = rq->auth_method == MSG_V2_AUTH_PSK && rq->eap_final;
	int psk = rq->auth_method == MSG_V2_AUTH_PSK && !eap_final;
	int eap = rq->auth_method == MSG_V2_AUTH_EAP;

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = KEY_ERROR;
	v2_judged_drop(rq->sa_id);      /* whatever was judged before does not stand */
	if (!eap_final)
		v2eap_drop(rq->sa_id);  /* an IKE_AUTH begun again begins EAP again */
	sa46_ntop(&rq->peer, pa);
	if (rq->id_len > sizeof(rq->id) || rq->auth_len > sizeof(rq->auth)) {
		snprintf(res->message, sizeof(res->message), "identity or AUTH out of bounds");
		goto out;
	}
	conf_v2_id_text(rq->id_type, rq->id, rq->id_len, ident, sizeof(ident));
	res->status = KEY_NO_KEY;
	/* the profile: keymgr's choice alone, by identity or (signatures) certificate map */
	struct map_arg ma = { c, NULL };
	if (!psk && !eap && !eap_final && any_certmap(c))
		ma.leaf = vouched_leaf(c, rq);
	pr = conf_v2_profile_pick(c, rq->id_type, rq->id, rq->id_len, ma.leaf ? map_holds : NULL,
	                          &ma);
	int had_cert = ma.leaf != NULL;
	X509_free(ma.leaf);
	if (!pr) {
		snprintf(res->message, sizeof(res->message), "no ikev2 profile matches identity "
		         "'%.60s'%s", ident, had_cert ? " or its certificate" : "");
		goto out;
	}
	snprintf(res->profile, sizeof(res->profile), "%s", pr->name);
	char built[sizeof(rq->profile) + 1];
	memcpy(built, rq->profile, sizeof(rq->profile));
	built[sizeof(rq->profile)] = 0;
	if (built[0] && strcmp(built, pr->name) != 0) {
		/* our IDr in the octets may be another profile's: nothing is judged before ikemgr
		 * builds them for this one */
		res->status = KEY_OTHER_PROFILE;
		snprintf(res->message, sizeof(res->message), "the peer falls under ikev2 profile "
		         "'%.40s', not '%.40s'", pr->name, built);
		log_dbg(DBG_IKEV2, NULL, "SA %u: %s", rq->sa_id, res->message);
		return 0;
	}
	if (psk && !pr->remote_psk) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s' does not allow "
		         "authentication remote pre-share", pr->name);
		goto out;
	}
	if ((eap || eap_final) && !pr->remote_eap) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s' does not allow "
		         "authentication remote eap", pr->name);
		goto out;
	}
	if (!psk && !eap && !eap_final && !pr->remote_rsa && !pr->remote_ecdsa) {
		snprintf(res->message, sizeof(res->message), "ikev2 profile '%.40s' does not allow "
		         "signatures (authentication remote rsa-sig or ecdsa-sig)", pr->name);
		goto out;
	}
	key = NULL;
	if (psk && !(key = psk_key(c, pr, rq, 1, ident, res->message, sizeof(res->message),
	                           &pname)))
		goto out;
	res->status = KEY_ERROR;
	if (ikev2_suite_prf(&s, rq->prf) < 0) {
		snprintf(res->message, sizeof(res->message), "unknown prf %d", rq->prf);
		goto out;
	}
	if ((why = v2_octets_check(rq, s.prf_len))) {
		snprintf(res->message, sizeof(res->message), "signed octets refused: %s", why);
		goto out;
	}
	if (eap_final) {
		/* both AUTHs keyed with the MSK, which only keymgr holds (v2eap.c) */
		if (!v2eap_final(rq, &s, res))
			goto out;
		res->peer_kind = V2_AAA_EAP;
		res->status = KEY_OK;
		v2_author_name(c, pr, V2_AAA_EAP, rq, res->eap_user, res->group, sizeof(res->group));
		remember(res, res->eap_user);
		log_info("SA %u: IKEv2 identity '%s' from %s authenticated by EAP as '%s' (profile "
		         "'%s'%s)", rq->sa_id, ident, pa, res->eap_user, pr->name,
		         res->eap_no_msk ? ", no MSK: AUTH keyed with SK_p" : "");
		return 0;
	}
	/* an address that failed too often (any method, RADIUS EAP included) is refused */
	if (lockout_refused("", &rq->peer, res->message, sizeof(res->message)))
		goto out;

	/* the peer's AUTH (with EAP it comes last, keyed by the EAP method's MSK) */
	int good = 1;
	if (psk) {
		struct iovec oi = { (void *)rq->oct_i, rq->oct_i_len };
		if (ikev2_psk_auth(&s, (const uint8_t *)key, strlen(key), &oi, 1, want) < 0) {
			snprintf(res->message, sizeof(res->message), "cannot compute AUTH");
			goto out;
		}
		good = rq->auth_len == s.prf_len && CRYPTO_memcmp(want, rq->auth, s.prf_len) == 0;
		OPENSSL_cleanse(want, sizeof(want));
		if (!good)
			snprintf(res->message, sizeof(res->message), "authentication failed: identity "
			         "'%.40s', keyring peer '%.24s'", ident, pname);
		res->peer_kind = V2_AAA_PSK;
		snprintf(res->verify, sizeof(res->verify), "psk");
	} else if (!eap) {
		int st = res->status;
		good = v2sig_check(c, pr, rq, res);
		if (!good && res->status == KEY_NO_KEY)
			goto out;       /* configuration, not the peer's fault: no lockout count */
		res->status = st;
		res->peer_kind = V2_AAA_CERT;
	}
	if (!eap)
		lockout_result("", &rq->peer, good, 0);
	if (!good)
		goto out;

	/* ours, by the profile's authentication local */
	if (pr->auth_local == IKE_AUTH_RSA_SIG || pr->auth_local == IKE_AUTH_ECDSA_SIG) {
		if (v2sig_sign(c, pr, rq, res) < 0)
			goto out;
	} else {
		const char *lk = psk_key(c, pr, rq, 0, ident, res->message, sizeof(res->message),
		                         &pname);
		struct iovec orr = { (void *)rq->oct_r, rq->oct_r_len };
		if (!lk)
			goto out;
		if (ikev2_psk_auth(&s, (const uint8_t *)lk, strlen(lk), &orr, 1, res->auth) < 0) {
			memset(res->auth, 0, sizeof(res->auth));
			snprintf(res->message, sizeof(res->message), "cannot compute AUTH");
			goto out;
		}
		res->auth_len = (uint16_t)s.prf_len;
		res->auth_method = MSG_V2_AUTH_PSK;
		snprintf(res->sign, sizeof(res->sign), "psk");
	}
	if (eap) {
		/* ours goes out with the first EAP request; the peer is judged when EAP ends */
		res->peer_kind = V2_AAA_EAP;
		snprintf(res->verify, sizeof(res->verify), "eap");
		return v2eap_begin(c, pr, rq, res, ident);
	}
	res->status = KEY_OK;
	v2_author_name(c, pr, res->peer_kind, rq, "", res->group, sizeof(res->group));
	remember(res, ident);
	log_info("SA %u: IKEv2 identity '%s' from %s authenticated by %s%s (profile '%s')",
	         rq->sa_id, ident, pa, psk ? "pre-shared key" : "certificate ",
	         psk ? "" : res->subject, pr->name);
	return 0;
out:
	res->auth_len = 0;
	res->eap_len = 0;
	log_rl("SA %u: IKEv2 authentication from %s: %s", rq->sa_id, pa, res->message);
	return 0;
}
