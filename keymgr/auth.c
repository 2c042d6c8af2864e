/*
 * The secrets side of IKE: SKEYID = prf(PSK, Ni_b | Nr_b) for the group named in the peer's
 * KEY_ID, and XAUTH against `username` entries through the profile's aaa method lists.
 * Only derived values leave this process; keys and passwords never do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "ikemgr/ike_crypto.h"
#include "ikemgr/isakmp.h"
#include "keymgr/keymgr.h"

static const struct vpnd_conf *kconf;

void keymgr_init(const struct vpnd_conf *conf)
{
	kconf = conf;
	pool_init(conf);
}

void keymgr_skeyid(const struct msg_skeyid_req *rq, struct msg_skeyid_res *res)
{
	char id[MSG_ID_MAX + 1];
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = KEY_NO_KEY;
	if (rq->id_len > MSG_ID_MAX || rq->ni_len > MSG_NONCE_MAX || rq->nr_len > MSG_NONCE_MAX) {
		res->status = KEY_ERROR;
		return;
	}
	memcpy(id, rq->id, rq->id_len);
	id[rq->id_len] = 0;

	const char *key;
	if (rq->by_address) {
		/* main mode: by the peer's address and the local address it reached */
		struct key_choice kc;
		char pa[INET_ADDRSTRLEN], la[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &rq->peer.sin_addr, pa, sizeof(pa));
		inet_ntop(AF_INET, &rq->local.sin_addr, la, sizeof(la));
		if (keymgr_key_by_addr(kconf, rq->local.sin_addr, rq->peer.sin_addr, &kc) < 0) {
			log_warnx("no pre-shared key for peer %s reaching %s", pa, la);
			return;
		}
		key = kc.key;
		if (kc.profile)
			snprintf(res->profile, sizeof(res->profile), "%s", kc.profile->name);
		if (kc.keyring)
			snprintf(res->keyring, sizeof(res->keyring), "%s", kc.keyring->name);
	} else {
		const struct conf_group *g = conf_find_group(kconf, id);
		if (!g || !g->has_key) {
			log_warnx("no pre-shared key for identity '%s'", id);
			return;
		}
		key = g->key;
	}
	size_t len = 0;
	if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)key, strlen(key), rq->ni,
	                   rq->ni_len, rq->nr, rq->nr_len, res->skeyid, &len) < 0 ||
	    len > sizeof(res->skeyid)) {
		res->status = KEY_ERROR;
		return;
	}
	res->skeyid_len = (uint16_t)len;
	res->status = KEY_OK;
}

/* Constant-time comparison of NUL-terminated strings of possibly different lengths. */
static int secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char pa[CONF_SECRET_MAX] = { 0 }, pb[CONF_SECRET_MAX] = { 0 };
	if (la >= sizeof(pa) || lb >= sizeof(pb))
		return 0;
	memcpy(pa, a, la);
	memcpy(pb, b, lb);
	int eq = !CRYPTO_memcmp(pa, pb, sizeof(pa)) && la == lb;
	explicit_bzero(pa, sizeof(pa));
	explicit_bzero(pb, sizeof(pb));
	return eq;
}

/* Runs the methods of an aaa authentication login list; local only for now. */
static int authenticate(const char *list, const char *user, const char *password, char *why,
                        size_t whylen)
{
	const struct conf_aaa_list *l = list[0] ? conf_find_aaa(kconf, AAA_AUTHEN_LOGIN, list) : NULL;
	int methods = l ? l->nmethod : 1;
	for (int i = 0; i < methods; i++) {
		int m = l ? l->method[i] : AAA_METHOD_LOCAL;
		if (m == AAA_METHOD_LOCAL) {
			const struct conf_user *u = conf_find_user(kconf, user);
			if (u && secret_eq(u->password, password))
				return 0;
			snprintf(why, whylen, u ? "bad password" : "unknown user");
			return -1;
		}
		/* RADIUS groups come with the radius/ client; until then try the next method. */
		log_warnx("aaa list %s: method 'group %s' is not available yet, trying the next", list,
		          l->group[i]);
	}
	snprintf(why, whylen, "no usable authentication method in list '%s'", list);
	return -1;
}

static void split_from_acl(const struct conf_acl *acl, struct msg_policy *p)
{
	for (int i = 0; acl && i < acl->nace && p->nsplit < MSG_SPLIT_MAX; i++) {
		const struct conf_ace *e = &acl->ace[i];
		if (!e->permit)
			continue;
		/* IOS takes the source network of each permit line as a protected network. */
		p->split[p->nsplit].net = e->src;
		p->split[p->nsplit].mask = e->srcmask;
		p->nsplit++;
	}
}

void keymgr_xauth(const struct msg_xauth_req *rq, struct msg_xauth_res *res)
{
	char user[MSG_USER_MAX], group[MSG_GROUP_MAX];
	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	memcpy(user, rq->user, sizeof(user));
	user[sizeof(user) - 1] = 0;
	memcpy(group, rq->group, sizeof(group));
	group[sizeof(group) - 1] = 0;

	const struct conf_group *g = conf_find_group(kconf, group);
	if (!g) {
		res->status = XAUTH_REFUSED;
		snprintf(res->message, sizeof(res->message), "unknown group '%s'", group);
		return;
	}
	if (!rq->authorize_only) {
		char pw[MSG_PASS_MAX], why[160];
		memcpy(pw, rq->password, sizeof(pw));
		pw[sizeof(pw) - 1] = 0;
		int rc = authenticate(rq->auth_list, user, pw, why, sizeof(why));
		explicit_bzero(pw, sizeof(pw));
		if (rc < 0) {
			res->status = XAUTH_BAD_CREDENTIALS;
			snprintf(res->message, sizeof(res->message), "%s", why);
			return;
		}
	}
	int nrep = rq->nreplaces < 0 ? 0 : rq->nreplaces > MSG_REPLACES_MAX ? MSG_REPLACES_MAX
	                                                                     : rq->nreplaces;
	if (logins_check(group, rq->authorize_only ? "" : user, g->max_users, g->max_logins,
	                 rq->replaces, nrep, res->message, sizeof(res->message)) < 0) {
		res->status = XAUTH_REFUSED;
		return;
	}

	struct msg_policy *p = &res->policy;
	if (!g->pool[0] || pool_alloc(g->pool, rq->sa_id, &p->addr) < 0) {
		res->status = XAUTH_NO_ADDRESS;
		snprintf(res->message, sizeof(res->message), "no free address in pool '%s'", g->pool);
		return;
	}
	p->netmask = g->netmask;
	p->ndns = g->ndns;
	memcpy(p->dns, g->dns, sizeof(p->dns));
	p->nwins = g->nwins;
	memcpy(p->wins, g->wins, sizeof(p->wins));
	snprintf(p->domain, sizeof(p->domain), "%s", g->domain);
	snprintf(p->banner, sizeof(p->banner), "%s", g->banner);
	p->save_password = g->save_password;
	p->pfs = g->pfs;
	if (g->acl[0])
		split_from_acl(conf_find_acl(kconf, g->acl), p);
	res->status = XAUTH_OK;
	logins_add(rq->sa_id, group, rq->authorize_only ? "" : user);
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &p->addr, ip, sizeof(ip));
	log_info("session %u: %s '%s' group '%s' accepted, address %s", rq->sa_id,
	         rq->authorize_only ? "group" : "user", rq->authorize_only ? group : user, group, ip);
}

void keymgr_session_end(const struct msg_session_end *e)
{
	pool_release(e->session_id, e->addr);
	logins_del(e->session_id);
}
