/*
 * The secrets of an Easy VPN remote (crypto ipsec client ezvpn): its group key, as SKEYID,
 * and its XAUTH username and password. keymgr gives either only for an SA to one of that
 * ezvpn's configured peers, so a confused or compromised ikemgr cannot aim them elsewhere.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"
#include "ikemgr/ike_crypto.h"

static const struct conf_ezvpn *ez_for_peer(const struct vpnd_conf *c, const char *name,
                                            size_t namemax, struct in_addr peer)
{
	if (!memchr(name, '\0', namemax))
		return NULL;
	const struct conf_ezvpn *ez = conf_find_ezvpn(c, name);
	if (!ez)
		return NULL;
	for (int k = 0; k < ez->npeer; k++)
		if (ez->peer[k].s_addr == peer.s_addr)
			return ez;
	return NULL;
}

void keymgr_ez_skeyid(const struct vpnd_conf *c, const struct msg_skeyid_req *rq,
                      struct msg_skeyid_res *res)
{
	const struct conf_ezvpn *ez = ez_for_peer(c, rq->ezvpn, sizeof(rq->ezvpn), rq->peer.sin_addr);
	size_t len = 0;

	res->status = KEY_NO_KEY;
	if (!ez || !ez->group_key[0]) {
		log_warnx("ezvpn: no group key for '%.*s' toward %s: SKEYID refused",
		          (int)strnlen(rq->ezvpn, sizeof(rq->ezvpn)), rq->ezvpn,
		          inet_ntoa(rq->peer.sin_addr));
		return;
	}
	if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)ez->group_key, strlen(ez->group_key),
	                   rq->ni, rq->ni_len, rq->nr, rq->nr_len, res->skeyid, &len) < 0 ||
	    len > sizeof(res->skeyid)) {
		res->status = KEY_ERROR;
		return;
	}
	res->skeyid_len = (uint16_t)len;
	res->status = KEY_OK;
}

void keymgr_ez_xauth(const struct vpnd_conf *c, const struct msg_ez_xauth_req *rq,
                     struct msg_ez_xauth_res *res)
{
	const struct conf_ezvpn *ez = ez_for_peer(c, rq->ezvpn, sizeof(rq->ezvpn), rq->peer.sin_addr);

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = KEY_NO_KEY;
	if (!ez || !ez->xauth_local || !ez->username[0]) {
		log_warnx("ezvpn: no XAUTH credentials for '%.*s' toward %s",
		          (int)strnlen(rq->ezvpn, sizeof(rq->ezvpn)), rq->ezvpn,
		          inet_ntoa(rq->peer.sin_addr));
		return;
	}
	if (strlen(ez->username) >= sizeof(res->user) || strlen(ez->password) >= sizeof(res->password)) {
		res->status = KEY_ERROR;
		return;
	}
	memcpy(res->user, ez->username, strlen(ez->username) + 1);
	memcpy(res->password, ez->password, strlen(ez->password) + 1);
	res->status = KEY_OK;
}
