/*
 * EAP for IKEv2 (RFC 7296 2.16), keymgr's side: the hub is the EAP authenticator in
 * pass-through mode (RFC 3579), RADIUS the server. keymgr relays each of the peer's EAP
 * messages in an Access-Request (EAP-Message, Message-Authenticator, the State of the last
 * challenge) and each challenge's EAP request back; it alone sees the MSK of the
 * Access-Accept and keys both final AUTHs with it. The peer is judged (v2auth.c's record,
 * the EAP identity as its user) only after EAP succeeded and its AUTH is right.
 *
 * Without `query-identity` the IKE identity stands for the EAP identity and the first
 * request to RADIUS carries an EAP-Response/Identity made of it; with it, the hub first asks
 * the peer for its identity. The octets the EAP began with are kept: the last IKE_AUTH must
 * sign the same ones. Contexts are bounded; one lives from IKE_AUTH to the last AUTH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/ikev2_crypto.h"
#include "common/log.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

#define EAP_CTX_MAX   1024
#define EAP_MTU       1200      /* Framed-MTU: the EAP-TLS fragments fit an IKE message */
#define EAP_REQUEST   1
#define EAP_RESPONSE  2
#define EAP_SUCCESS   3
#define EAP_FAILURE   4
#define EAP_IDENTITY  1

enum { X_WAIT_PEER = 1, X_WAIT_RADIUS, X_SUCCESS, X_FAILED };

/* `aaa authorization user eap cached`: the attributes of the Access-Accept that ended the
 * EAP, kept until the authorization that follows takes them (or the SA ends) */
struct cached {
	struct cached *next;
	uint32_t sa_id;
	struct rad_attrs a;
};
static struct cached *cache;
static int ncache;

struct eap_ctx {
	struct eap_ctx *next;
	uint32_t sa_id;
	int      phase;
	int      first;                   /* the IKE_AUTH answer (our AUTH) not sent yet */
	int      dead;                    /* the SA went while RADIUS was asked */
	int      keep_attrs;              /* aaa authorization user eap cached */
	char     profile[CONF_NAME_MAX];
	char     group[CONF_NAME_MAX];    /* RADIUS server group */
	char     user[MSG_USER_MAX];      /* the EAP identity */
	union sa46 peer;
	int      prf;
	uint8_t  last_id;                 /* the identifier of the peer's last response */
	uint8_t  state[RAD_STR_MAX];
	size_t   state_len;
	uint8_t  msk[64];
	size_t   msk_len;
	uint16_t oct_i_len, oct_r_len;
	uint8_t  oct_i[MSG_V2_OCTETS_MAX], oct_r[MSG_V2_OCTETS_MAX];
	struct msg_v2_auth_res res;       /* our AUTH, sent with the first EAP request */
	struct radius_job job;
};

static struct eap_ctx *ctxs;
static int nctx;
static keymgr_send_fn send_ike;

void v2eap_set_sender(keymgr_send_fn to_ike)
{
	send_ike = to_ike;
}

static struct eap_ctx **find(uint32_t sa_id)
{
	struct eap_ctx **pp = &ctxs;
	while (*pp && ((*pp)->sa_id != sa_id || (*pp)->dead))
		pp = &(*pp)->next;
	return pp;
}

static void ctx_free(struct eap_ctx *x)
{
	OPENSSL_cleanse(x, sizeof(*x));
	free(x);
}

/* Unlinked; freed now, or by job_done when RADIUS still has it. */
static void unlink_ctx(struct eap_ctx **pp)
{
	struct eap_ctx *x = *pp;
	*pp = x->next;
	nctx--;
	if (x->phase == X_WAIT_RADIUS)
		x->dead = 1;
	else
		ctx_free(x);
}

static void cache_drop(uint32_t sa_id)
{
	for (struct cached **pp = &cache; *pp; pp = &(*pp)->next)
		if ((*pp)->sa_id == sa_id) {
			struct cached *c = *pp;
			*pp = c->next;
			OPENSSL_cleanse(c, sizeof(*c));
			free(c);
			ncache--;
			return;
		}
}

static void cache_put(uint32_t sa_id, const struct rad_attrs *a)
{
	cache_drop(sa_id);
	if (ncache >= EAP_CTX_MAX && cache) {
		struct cached **last = &cache;
		while ((*last)->next)
			last = &(*last)->next;
		cache_drop((*last)->sa_id);     /* the oldest */
	}
	struct cached *c = calloc(1, sizeof(*c));
	if (!c)
		fatal("calloc");
	c->sa_id = sa_id;
	c->a = *a;
	c->a.eap_len = 0;           /* only the policy is kept: not the EAP, not the MSK */
	c->a.msk_len = 0;
	OPENSSL_cleanse(c->a.msk, sizeof(c->a.msk));
	c->next = cache;
	cache = c;
	ncache++;
}

int v2eap_cached_take(uint32_t sa_id, struct rad_attrs *out)
{
	for (struct cached *c = cache; c; c = c->next)
		if (c->sa_id == sa_id) {
			*out = c->a;
			cache_drop(sa_id);
			return 1;
		}
	return 0;
}

void v2eap_drop(uint32_t sa_id)
{
	struct eap_ctx **pp = find(sa_id);
	if (*pp)
		unlink_ctx(pp);
	cache_drop(sa_id);
}

/* The RADIUS server group of an authentication login list: its first `group` method. */
static const char *server_group(const struct vpnd_conf *c, const char *list)
{
	const struct conf_aaa_list *l = conf_find_aaa(c, AAA_AUTHEN_LOGIN, list);
	for (int m = 0; l && m < l->nmethod; m++)
		if (l->method[m] == AAA_METHOD_GROUP)
			return l->group[m];
	return NULL;
}

static void job_done(struct radius_job *j);

static void ask_radius(struct eap_ctx *x, const uint8_t *eap, size_t len)
{
	struct radius_job *j = &x->job;
	memset(j, 0, sizeof(*j));
	j->kind = RAD_JOB_AUTH;
	snprintf(j->group, sizeof(j->group), "%s", x->group);
	snprintf(j->user, sizeof(j->user), "%s", x->user);
	memcpy(j->eap, eap, len);
	j->eap_len = len;
	j->framed_mtu = EAP_MTU;
	memcpy(j->state, x->state, x->state_len);
	j->state_len = x->state_len;
	j->peer = x->peer;
	j->session_id = x->sa_id;
	j->done = job_done;
	j->arg = x;
	x->phase = X_WAIT_RADIUS;
	radius_submit(j);
}

/* A well-formed EAP packet of code (RFC 3748 4): its Length is the message's. */
static int eap_ok(const uint8_t *m, size_t len, int code)
{
	return len >= 4 && len <= MSG_EAP_MAX && m[0] == code && ((size_t)m[2] << 8 | m[3]) == len;
}

int v2eap_begin(const struct vpnd_conf *c, const struct conf_ikev2_profile *pr,
                const struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res,
                const char *ident)
{
	const char *grp = pr->eap_list[0] ? server_group(c, pr->eap_list) : NULL;
	if (!grp) {
		snprintf(res->message, sizeof(res->message), "profile %.30s: EAP needs a "
		         "RADIUS group (aaa authentication eap %.20s)", pr->name,
		         pr->eap_list);
		res->status = KEY_NO_KEY;
		res->auth_len = 0;
		return 0;
	}
	if (nctx >= EAP_CTX_MAX && ctxs) {
		struct eap_ctx **last = &ctxs;
		while ((*last)->next)
			last = &(*last)->next;
		unlink_ctx(last);       /* the oldest */
	}
	struct eap_ctx *x = calloc(1, sizeof(*x));
	if (!x)
		fatal("calloc");
	x->sa_id = rq->sa_id;
	x->first = 1;
	x->prf = rq->prf;
	x->peer = rq->peer;
	snprintf(x->profile, sizeof(x->profile), "%s", pr->name);
	snprintf(x->group, sizeof(x->group), "%s", grp);
	x->keep_attrs = pr->user_cached[V2_AAA_EAP];
	snprintf(x->user, sizeof(x->user), "%s", ident);
	x->oct_i_len = rq->oct_i_len;
	x->oct_r_len = rq->oct_r_len;
	memcpy(x->oct_i, rq->oct_i, rq->oct_i_len);
	memcpy(x->oct_r, rq->oct_r, rq->oct_r_len);
	res->status = KEY_PENDING;
	x->res = *res;
	x->next = ctxs;
	ctxs = x;
	nctx++;
	if (pr->eap_query_identity) {
		/* ask the peer who it is (RFC 3748 5.1) */
		static const uint8_t ask[5] = { EAP_REQUEST, 1, 0, 5, EAP_IDENTITY };
		memcpy(res->eap, ask, sizeof(ask));
		res->eap_len = sizeof(ask);
		x->first = 0;
		x->phase = X_WAIT_PEER;
		log_dbg(DBG_IKEV2, NULL, "SA %u: EAP for '%s': asking the peer's identity", rq->sa_id,
		        ident);
		return 0;
	}
	/* the IKE identity as the EAP identity: its Response/Identity goes to RADIUS */
	uint8_t idr[5 + MSG_USER_MAX];
	size_t n = strlen(ident);
	idr[0] = EAP_RESPONSE;
	idr[1] = 0;
	idr[2] = (uint8_t)((5 + n) >> 8);
	idr[3] = (uint8_t)(5 + n);
	idr[4] = EAP_IDENTITY;
	memcpy(idr + 5, ident, n);
	log_dbg(DBG_IKEV2, NULL, "SA %u: EAP for '%s' through server group %s", rq->sa_id, ident,
	        grp);
	ask_radius(x, idr, 5 + n);
	return 1;
}

void v2eap_relay(const struct vpnd_conf *c, const struct msg_v2_eap *rq)
{
	(void)c;
	struct msg_v2_eap *out = calloc(1, sizeof(*out));
	struct eap_ctx *x = *find(rq->sa_id);
	if (!out)
		fatal("calloc");
	out->sa_id = rq->sa_id;
	out->status = V2EAP_FAILURE;
	if (!x || x->phase != X_WAIT_PEER) {
		snprintf(out->message, sizeof(out->message), "no EAP under way for this SA");
	} else if (rq->eap_len > sizeof(rq->eap) || !eap_ok(rq->eap, rq->eap_len, EAP_RESPONSE)) {
		snprintf(out->message, sizeof(out->message), "malformed EAP response from the peer");
		x->phase = X_FAILED;
	} else {
		x->last_id = rq->eap[1];
		if (rq->eap_len > 5 && rq->eap[4] == EAP_IDENTITY) {
			/* the identity the peer gave: RADIUS's User-Name and the session's user */
			size_t n = rq->eap_len - 5;
			if (n >= sizeof(x->user) || memchr(rq->eap + 5, 0, n)) {
				snprintf(out->message, sizeof(out->message), "EAP identity unusable");
				x->phase = X_FAILED;
				goto answer;
			}
			memcpy(x->user, rq->eap + 5, n);
			x->user[n] = 0;
		}
		ask_radius(x, rq->eap, rq->eap_len);
		free(out);
		return;
	}
answer:
	/* an EAP-Failure for the peer in any case: ikemgr ends the exchange with it */
	out->eap[0] = EAP_FAILURE;
	out->eap[1] = x ? x->last_id : rq->eap_len >= 2 && rq->eap_len <= sizeof(rq->eap)
	              ? rq->eap[1] : 0;
	out->eap[3] = 4;
	out->eap_len = 4;
	log_rl("SA %u: EAP: %s", rq->sa_id, out->message);
	send_ike(IMSG_V2_EAP_RES, rq->sa_id, out, sizeof(*out));
	free(out);
}

static void job_done(struct radius_job *j)
{
	struct eap_ctx *x = j->arg;
	struct msg_v2_eap *out = calloc(1, sizeof(*out));
	const struct rad_attrs *a = &j->attrs;
	if (!out)
		fatal("calloc");
	if (x->dead) {
		ctx_free(x);
		free(out);
		return;
	}
	out->sa_id = x->sa_id;
	out->status = V2EAP_FAILURE;
	if (j->result == RAD_CHALLENGE) {
		if (a->eap_bad || !eap_ok(a->eap, a->eap_len, EAP_REQUEST)) {
			snprintf(out->message, sizeof(out->message), "server %.40s: a challenge without "
			         "a well-formed EAP request", j->server);
		} else {
			memcpy(x->state, a->state, a->state_len);
			x->state_len = a->state_len;
			out->status = V2EAP_CONTINUE;
			memcpy(out->eap, a->eap, a->eap_len);
			out->eap_len = (uint16_t)a->eap_len;
		}
	} else if (j->result == RAD_ACCEPT) {
		out->status = V2EAP_SUCCESS;
		x->msk_len = a->msk_len;
		memcpy(x->msk, a->msk, a->msk_len);
		if (eap_ok(a->eap, a->eap_len, EAP_SUCCESS)) {
			memcpy(out->eap, a->eap, a->eap_len);
			out->eap_len = (uint16_t)a->eap_len;
		} else {
			out->eap[0] = EAP_SUCCESS, out->eap[1] = x->last_id, out->eap[3] = 4;
			out->eap_len = 4;
		}
		log_info("SA %u: EAP for '%s' accepted by RADIUS server %s%s", x->sa_id, x->user,
		         j->server, x->msk_len ? "" : " (no MSK)");
		if (x->keep_attrs)
			cache_put(x->sa_id, a);
		lockout_result(x->user, &x->peer, 1, 0);
	} else {
		snprintf(out->message, sizeof(out->message), "%s%.90s", j->result == RAD_REJECT ?
		         "rejected by RADIUS server " : "RADIUS: ",
		         j->result == RAD_REJECT ? j->server : j->why);
	}
	if (out->status == V2EAP_FAILURE) {
		x->phase = X_FAILED;
		out->eap[0] = EAP_FAILURE, out->eap[1] = x->last_id, out->eap[3] = 4;
		out->eap_len = 4;
		lockout_result(x->user, &x->peer, 0, 0);
		log_info("SA %u: EAP for '%s' failed: %s", x->sa_id, x->user, out->message);
	} else {
		x->phase = out->status == V2EAP_SUCCESS ? X_SUCCESS : X_WAIT_PEER;
	}
	if (x->first) {
		/* the IKE_AUTH answer: our AUTH with the first EAP request */
		struct msg_v2_auth_res *r = &x->res;
		x->first = 0;
		if (out->status == V2EAP_CONTINUE) {
			memcpy(r->eap, out->eap, out->eap_len);
			r->eap_len = out->eap_len;
		} else {
			/* nothing to ask the peer: refused before a method began */
			r->status = KEY_ERROR;
			r->auth_len = 0;
			snprintf(r->message, sizeof(r->message), "EAP: %.110s", out->status ==
			         V2EAP_SUCCESS ? "accepted without a method" : out->message);
		}
		send_ike(IMSG_V2_AUTH_RES, x->sa_id, r, sizeof(*r));
		OPENSSL_cleanse(r->auth, sizeof(r->auth));
	} else {
		send_ike(IMSG_V2_EAP_RES, x->sa_id, out, sizeof(*out));
	}
	free(out);
	if (x->phase == X_FAILED)
		v2eap_drop(x->sa_id);
}

int v2eap_final(const struct msg_v2_auth_req *rq, const struct ikev2_suite *s,
                struct msg_v2_auth_res *res)
{
	struct eap_ctx **pp = find(rq->sa_id), *x = *pp;
	uint8_t want[IKEV2_PRF_MAX];
	int ok = 0;
	if (!x || x->phase != X_SUCCESS) {
		snprintf(res->message, sizeof(res->message), "AUTH after EAP, but EAP did not succeed");
		return 0;
	}
	if (rq->prf != x->prf || strcmp(res->profile, x->profile) ||
	    rq->oct_i_len != x->oct_i_len || rq->oct_r_len != x->oct_r_len ||
	    memcmp(rq->oct_i, x->oct_i, x->oct_i_len) || memcmp(rq->oct_r, x->oct_r, x->oct_r_len)) {
		snprintf(res->message, sizeof(res->message), "AUTH after EAP over other octets than "
		         "the EAP began with");
		goto out;
	}
	snprintf(res->eap_user, sizeof(res->eap_user), "%s", x->user);
	if (!x->msk_len) {
		res->eap_no_msk = 1;
		ok = 1;
		goto out;
	}
	struct iovec oi = { x->oct_i, x->oct_i_len }, orr = { x->oct_r, x->oct_r_len };
	if (ikev2_psk_auth(s, x->msk, x->msk_len, &oi, 1, want) < 0 ||
	    ikev2_psk_auth(s, x->msk, x->msk_len, &orr, 1, res->auth) < 0) {
		snprintf(res->message, sizeof(res->message), "cannot compute AUTH");
		goto out;
	}
	if (rq->auth_len != s->prf_len || CRYPTO_memcmp(want, rq->auth, s->prf_len) != 0) {
		snprintf(res->message, sizeof(res->message), "the AUTH after EAP is not keyed with "
		         "the MSK");
		OPENSSL_cleanse(res->auth, sizeof(res->auth));
		goto out;
	}
	res->auth_len = (uint16_t)s->prf_len;
	res->auth_method = MSG_V2_AUTH_PSK;
	ok = 1;
out:
	OPENSSL_cleanse(want, sizeof(want));
	unlink_ctx(pp);
	return ok;
}
