/*
 * The secrets of an Easy VPN remote (crypto ipsec client ezvpn): its group key, as SKEYID,
 * and its XAUTH username and password. keymgr gives either only for an SA to one of that
 * ezvpn's configured peers, so a confused or compromised ikemgr cannot aim them elsewhere.
 */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"
#include "common/ike_crypto.h"

/* Per configured ezvpn (by its index): the SA keymgr last keyed toward one of its configured
 * peers, and the backup servers that SA's server pushed. A reload forgets them. */
static struct {
	char     name[CONF_NAME_MAX];
	uint32_t keyed_sa;
	struct in_addr keyed_peer;
	struct in_addr backup[MSG_EZ_BACKUP_MAX];
	int      nbackup;
} learned[CONF_MAX_EZVPN];

static int ez_index(const struct vpnd_conf *c, const struct conf_ezvpn *ez)
{
	int k = (int)(ez - c->ezvpn);
	if (k < 0 || k >= CONF_MAX_EZVPN)
		return -1;
	if (strcmp(learned[k].name, ez->name)) {
		memset(&learned[k], 0, sizeof(learned[k]));
		snprintf(learned[k].name, sizeof(learned[k].name), "%s", ez->name);
	}
	return k;
}

/* 0.0.0.0 is what sa46_in4 gives for an IPv6 peer: never an Easy VPN server */
static int configured_peer(const struct conf_ezvpn *ez, struct in_addr peer)
{
	if (!peer.s_addr)
		return 0;
	for (int k = 0; k < ez->npeer; k++)
		if (ez->peer[k].s_addr == peer.s_addr)
			return 1;
	return 0;
}

static const struct conf_ezvpn *ez_for_peer(const struct vpnd_conf *c, const char *name,
                                            size_t namemax, struct in_addr peer)
{
	if (!memchr(name, '\0', namemax))
		return NULL;
	const struct conf_ezvpn *ez = conf_find_ezvpn(c, name);
	int i;
	if (!ez || (i = ez_index(c, ez)) < 0 || !peer.s_addr)
		return NULL;
	if (configured_peer(ez, peer))
		return ez;
	for (int k = 0; k < learned[i].nbackup; k++)
		if (learned[i].backup[k].s_addr == peer.s_addr)
			return ez;
	return NULL;
}

static int unicast_host(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	return h && (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 14 && h != 0xffffffffu;
}

int keymgr_ez_backup(const struct vpnd_conf *c, const struct msg_ez_backup *rq,
                     struct msg_ez_backup *out)
{
	const struct conf_ezvpn *ez = memchr(rq->ezvpn, '\0', sizeof(rq->ezvpn))
	                              ? conf_find_ezvpn(c, rq->ezvpn) : NULL;
	int i = ez ? ez_index(c, ez) : -1;
	char pa[SA46_STRLEN];

	sa46_ntop(&rq->peer, pa);
	/* only from the SA keymgr keyed toward a configured peer: a backup's own list is not
	 * followed further */
	if (i < 0 || !configured_peer(ez, sa46_in4(&rq->peer)) || learned[i].keyed_sa != rq->sa_id ||
	    learned[i].keyed_peer.s_addr != sa46_in4(&rq->peer).s_addr || rq->n < 0 ||
	    rq->n > MSG_EZ_BACKUP_MAX) {
		log_warnx("ezvpn: backup servers from %s for session %u refused: not the SA keyed "
		          "toward a configured peer", pa, rq->sa_id);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->ezvpn, rq->ezvpn, sizeof(out->ezvpn));
	out->peer = rq->peer;
	out->sa_id = rq->sa_id;
	learned[i].nbackup = 0;
	for (int k = 0; k < rq->n; k++) {
		char ba[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &rq->addr[k], ba, sizeof(ba));
		if (!unicast_host(rq->addr[k]) || configured_peer(ez, rq->addr[k])) {
			if (!unicast_host(rq->addr[k]))
				log_warnx("ezvpn %s: backup server %s from %s ignored", ez->name, ba, pa);
			continue;
		}
		learned[i].backup[learned[i].nbackup++] = rq->addr[k];
		out->addr[out->n++] = rq->addr[k];
		log_info("ezvpn %s: %s names backup server %s", ez->name, pa, ba);
	}
	return 1;
}

void keymgr_ez_skeyid(const struct vpnd_conf *c, const struct msg_skeyid_req *rq,
                      struct msg_skeyid_res *res)
{
	const struct conf_ezvpn *ez = ez_for_peer(c, rq->ezvpn, sizeof(rq->ezvpn), sa46_in4(&rq->peer));
	size_t len = 0;

	res->status = KEY_NO_KEY;
	if (!ez || !ez->group_key[0]) {
		log_warnx("ezvpn: no group key for '%.*s' toward %s: SKEYID refused",
		          (int)strnlen(rq->ezvpn, sizeof(rq->ezvpn)), rq->ezvpn,
		          sa46_ntop(&rq->peer, (char[SA46_STRLEN]){ 0 }));
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
	int i = ez_index(c, ez);
	if (i >= 0 && configured_peer(ez, sa46_in4(&rq->peer))) {
		learned[i].keyed_sa = rq->sa_id;
		learned[i].keyed_peer = sa46_in4(&rq->peer);
	}
}

void keymgr_ez_xauth(const struct vpnd_conf *c, const struct msg_ez_xauth_req *rq,
                     struct msg_ez_xauth_res *res)
{
	const struct conf_ezvpn *ez = ez_for_peer(c, rq->ezvpn, sizeof(rq->ezvpn), sa46_in4(&rq->peer));

	memset(res, 0, sizeof(*res));
	res->sa_id = rq->sa_id;
	res->status = KEY_NO_KEY;
	if (ez && !ez->xauth_local) {
		/* interactive: held until the operator answers (ez_prompt.c) */
		ezp_hold(ez, rq->sa_id, time(NULL));
		res->status = KEY_PENDING;
		return;
	}
	if (!ez || !ez->username[0]) {
		log_warnx("ezvpn: no XAUTH credentials for '%.*s' toward %s",
		          (int)strnlen(rq->ezvpn, sizeof(rq->ezvpn)), rq->ezvpn,
		          sa46_ntop(&rq->peer, (char[SA46_STRLEN]){ 0 }));
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
