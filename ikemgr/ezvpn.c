/*
 * Easy VPN remote: one client per `crypto ipsec client ezvpn NAME`, as an explicit state
 * machine. The messages are built and checked by ikev1_init*.c; this file decides what comes
 * next, asks keymgr for SKEYID and the XAUTH credentials (it never sees the group key),
 * asks tunmgr for the interface and the SAs, and tells the parent each state change.
 *
 * A failed attempt tries the next configured peer after a backoff; `connect manual` waits
 * for the operator after a session ends, as IOS does.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init.h"
#include "tunmgr/esp.h"

enum ez_state {
	EZ_IDLE,            /* connect auto: waiting for its (re)try time */
	EZ_CONNECT_REQ,     /* connect manual: waiting for the operator */
	EZ_P1,              /* aggressive mode 1 sent */
	EZ_SKEYID,          /* message 2 received, keymgr computing SKEYID */
	EZ_XAUTH,           /* message 3 sent, answering the server's XAUTH */
	EZ_CREDS,           /* keymgr fetching username and password */
	EZ_CFG,             /* Mode Config request sent */
	EZ_VA,              /* tunmgr making the interface */
	EZ_QM,              /* quick mode 1 sent */
	EZ_ACTIVE,
};
static const char *const state_word[] = {
	[EZ_IDLE] = "IDLE", [EZ_CONNECT_REQ] = "CONNECT_REQUIRED", [EZ_P1] = "SS_OPEN",
	[EZ_SKEYID] = "SS_OPEN", [EZ_XAUTH] = "XAUTH_REQ", [EZ_CREDS] = "XAUTH_REQ_INFO",
	[EZ_CFG] = "MODE_CONFIG_REQ", [EZ_VA] = "MODE_CONFIG_REPLIED", [EZ_QM] = "IPSEC_REQ",
	[EZ_ACTIVE] = "IPSEC_ACTIVE",
};

#define EZ_RTX_MAX   5       /* retransmissions of one request before the peer counts as failed */
#define EZ_BACKOFF   30      /* seconds before trying again after every peer failed */

struct ez {
	char     name[CONF_NAME_MAX];
	int      used, state, peer_idx, failures;
	uint32_t id;                        /* session id for tunmgr, keymgr and the parent */
	struct sockaddr_in peer, local;
	int      port4500;
	struct ike_dh *dh;
	struct ikei_sa sa;
	struct ikei_x x;                    /* the transaction under way */
	struct ikei_qm qm;
	struct ikei_cfg cfg;
	char     user[MSG_USER_MAX], pass[MSG_PASS_MAX];   /* only while XAUTH runs */
	int      have_creds;
	uint8_t *held; size_t held_len;     /* the XAUTH request waiting for the credentials */
	uint8_t *last; size_t last_len;     /* our last request, for retransmission */
	uint8_t *reply; size_t reply_len;   /* our last answer, resent to a repeated request */
	uint32_t reply_msgid;
	int      rtx_left, rto;
	time_t   next_at;                   /* retransmit, timeout or retry */
	char     ifname[IF_NAMESIZE];
	int      unit;
	char     event[24];
};

static struct ez ezs[CONF_MAX_EZVPN];
static const struct vpnd_conf *ezconf;

int ez_owns(uint32_t peerid)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (ezs[k].used && ezs[k].id == peerid && peerid)
			return 1;
	return 0;
}

static struct ez *by_id(uint32_t id)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (ezs[k].used && ezs[k].id == id && id)
			return &ezs[k];
	return NULL;
}

static const struct conf_ezvpn *ez_conf(const struct ez *e)
{
	return conf_find_ezvpn(ezconf, e->name);
}

static void report(struct ez *e, const char *event)
{
	struct msg_ez_state m;
	memset(&m, 0, sizeof(m));
	if (event)
		snprintf(e->event, sizeof(e->event), "%s", event);
	snprintf(m.ezvpn, sizeof(m.ezvpn), "%s", e->name);
	snprintf(m.state, sizeof(m.state), "%s", state_word[e->state]);
	snprintf(m.last_event, sizeof(m.last_event), "%s", e->event);
	m.peer = e->peer.sin_addr;
	if (e->state >= EZ_VA) {
		m.addr = e->cfg.addr;
		m.mask = e->cfg.mask.s_addr ? e->cfg.mask : (struct in_addr){ 0xffffffff };
		m.nsplit = e->cfg.nsplit < MSG_ROUTES_MAX ? e->cfg.nsplit : MSG_ROUTES_MAX;
		for (int k = 0; k < m.nsplit; k++) {
			m.split[k].net = e->cfg.split[k].net;
			m.split[k].plen = __builtin_popcount(e->cfg.split[k].mask.s_addr);
		}
		m.save_password = e->cfg.save_password;
	}
	if (e->state == EZ_ACTIVE) {
		snprintf(m.ifname, sizeof(m.ifname), "%s", e->ifname);
		m.unit = e->unit;
	}
	m.session_id = e->id;
	ike.io.to_parent(IMSG_EZ_STATE, e->id, &m, sizeof(m));
}

static void wipe_creds(struct ez *e)
{
	explicit_bzero(e->user, sizeof(e->user));
	explicit_bzero(e->pass, sizeof(e->pass));
	e->have_creds = 0;
}

static void send_pkt(struct ez *e, const struct isakmp_buf *b)
{
	ike.st.tx++;
	ike.st.tx_bytes += b->len;
	ike.io.send(&e->local, &e->peer, e->port4500, b->data, b->len);
}

/* A request of ours: sent now and again with a doubling interval until answered. */
static void send_req(struct ez *e, const struct isakmp_buf *b, time_t now)
{
	free(e->last);
	e->last = malloc(b->len);
	if (e->last) {
		memcpy(e->last, b->data, b->len);
		e->last_len = b->len;
	}
	e->rtx_left = EZ_RTX_MAX;
	e->rto = 2;
	e->next_at = now + e->rto;
	send_pkt(e, b);
}

static void keep_reply(struct ez *e, const struct isakmp_buf *b, uint32_t msgid)
{
	free(e->reply);
	e->reply = malloc(b->len);
	e->reply_len = e->reply ? b->len : 0;
	if (e->reply)
		memcpy(e->reply, b->data, b->len);
	e->reply_msgid = msgid;
}

static void clear_session(struct ez *e)
{
	if (e->state >= EZ_VA && e->id) {
		struct msg_va_destroy d = { .session_id = e->id };
		if (e->qm.spi_out) {
			struct msg_sa_del s = { .session_id = e->id, .spi_in = e->qm.spi_in,
			                        .spi_out = e->qm.spi_out };
			ike.io.to_tunmgr(IMSG_SA_DEL, e->id, &s, sizeof(s));
		}
		ike.io.to_tunmgr(IMSG_VA_DESTROY, e->id, &d, sizeof(d));
	}
	ike_dh_free(e->dh);
	e->dh = NULL;
	free(e->last);
	free(e->held);
	free(e->reply);
	e->last = e->held = e->reply = NULL;
	e->last_len = e->held_len = e->reply_len = 0;
	wipe_creds(e);
	explicit_bzero(&e->sa, sizeof(e->sa));
	explicit_bzero(&e->qm, sizeof(e->qm));
	memset(&e->cfg, 0, sizeof(e->cfg));
	e->ifname[0] = '\0';
	e->unit = 0;
	e->port4500 = 0;
	e->rtx_left = 0;
}

/* Ends the attempt or the session. failed: this peer let us down, try the next one. */
static void ez_down(struct ez *e, const char *why, int tell_peer, int failed, time_t now)
{
	const struct conf_ezvpn *c = ez_conf(e);
	if (tell_peer && e->state >= EZ_XAUTH) {
		struct isakmp_buf b;
		isakmp_buf_init(&b);
		uint32_t spi = e->qm.spi_in;
		if (ikei_delete(&e->sa, &spi, e->qm.spi_out ? 1 : 0, &b) == 0)
			send_pkt(e, &b);
		isakmp_buf_free(&b);
	}
	if (e->state != EZ_IDLE && e->state != EZ_CONNECT_REQ)
		log_info("ezvpn %s: %s %s (%s)", e->name,
		         e->state == EZ_ACTIVE ? "session with" : "attempt toward",
		         inet_ntoa(e->peer.sin_addr), why);
	int was_active = e->state == EZ_ACTIVE;
	clear_session(e);
	if (failed && c && c->npeer) {
		e->peer_idx = (e->peer_idx + 1) % c->npeer;
		e->failures++;
	}
	if (!c) {
		e->state = EZ_CONNECT_REQ;
		e->next_at = 0;
	} else if (failed && e->failures < c->npeer) {
		e->state = EZ_IDLE;             /* the next peer, at once */
		e->next_at = now + 1;
	} else if (failed && !c->connect_manual) {
		e->failures = 0;                /* every peer failed: a pause, then round again */
		e->state = EZ_IDLE;
		e->next_at = now + EZ_BACKOFF;
	} else if (c->connect_manual) {
		e->failures = 0;                /* IOS: a manual ezvpn waits for the operator */
		e->state = EZ_CONNECT_REQ;
		e->next_at = 0;
	} else {
		e->state = EZ_IDLE;
		e->next_at = now + 1;
	}
	report(e, was_active ? "CONN_DOWN" : failed ? "CONNECT_FAILED" : "DISCONNECT");
}

void ez_p1_offer(const struct vpnd_conf *c, struct ikei_p1_params *p)
{
	/* Configured pre-share policies, in priority order, with the group of the first: an
	 * aggressive-mode KE is for one group, so transforms of other groups are not offered. */
	p->ntrans = 0;
	for (int k = 0; c && k < c->npolicy && p->ntrans < IKEI_OFFER_MAX; k++) {
		const struct conf_isakmp_policy *po = &c->policy[k];
		if (po->auth != IKE_AUTH_PSK)
			continue;
		if (!p->ntrans) {
			p->group = po->group;
			p->lifetime = po->lifetime;
		}
		if (po->group != p->group)
			continue;
		p->trans[p->ntrans++] = (struct ikei_p1_trans){ po->encr, po->keylen, po->hash };
	}
	if (p->ntrans)
		return;
	/* IOS's Easy VPN remote set: AES, 3DES and DES with SHA and MD5, all with group 2 */
	static const struct ikei_p1_trans ios[] = {
		{ IKE_ENCR_AES, 256, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 256, IKE_HASH_MD5 },
		{ IKE_ENCR_AES, 192, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 192, IKE_HASH_MD5 },
		{ IKE_ENCR_AES, 128, IKE_HASH_SHA1 }, { IKE_ENCR_AES, 128, IKE_HASH_MD5 },
		{ IKE_ENCR_3DES, 0, IKE_HASH_SHA1 }, { IKE_ENCR_3DES, 0, IKE_HASH_MD5 },
	};
	p->group = 2;
	p->lifetime = 86400;
	for (size_t k = 0; k < sizeof(ios) / sizeof(ios[0]); k++)
		p->trans[p->ntrans++] = ios[k];
}

void ez_p2_offer(struct ikei_qm *q)
{
	static const struct ikei_p2_prop ios[] = {
		{ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_MD5_96 },
		{ ESP_ENCR_AES_CBC, 192, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_MD5_96 },
		{ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1_96 },
		{ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_MD5_96 },
	};
	q->nprop = 0;
	for (size_t k = 0; k < sizeof(ios) / sizeof(ios[0]); k++)
		q->prop[q->nprop++] = ios[k];
}

static void connect_now(struct ez *e, time_t now)
{
	const struct conf_ezvpn *c = ez_conf(e);
	const struct conf_interface *out;
	struct ikei_p1_params p;
	struct isakmp_buf b;

	clear_session(e);
	if (!c || !c->npeer) {
		e->state = EZ_CONNECT_REQ;
		return;
	}
	memset(&p, 0, sizeof(p));
	ez_p1_offer(ezconf, &p);
	p.group_name = c->group;
	p.natt = 1;
	e->peer_idx %= c->npeer;
	memset(&e->peer, 0, sizeof(e->peer));
	e->peer.sin_family = AF_INET;
	e->peer.sin_port = htons(500);
	e->peer.sin_addr = c->peer[e->peer_idx];
	memset(&e->local, 0, sizeof(e->local));
	e->local.sin_family = AF_INET;
	e->local.sin_port = htons(500);
	out = c->outside[0] ? conf_find_iface(ezconf, c->outside) : NULL;
	if (out && out->has_addr)
		e->local.sin_addr = out->addr;
	e->id = ++ike.next_id;
	if (!(e->dh = ike_dh_new(p.group))) {
		log_warnx("ezvpn %s: DH group %d unavailable", e->name, p.group);
		ez_down(e, "no DH", 0, 1, now);
		return;
	}
	isakmp_buf_init(&b);
	int rc = ikei_aggr1(&e->sa, &p, e->dh, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		ez_down(e, ikei_strerror(rc), 0, 1, now);
		return;
	}
	e->state = EZ_P1;
	log_info("ezvpn %s: connecting to %s as group '%s'", e->name,
	         inet_ntoa(e->peer.sin_addr), c->group);
	send_req(e, &b, now);
	isakmp_buf_free(&b);
	report(e, "CONNECT");
}

static void ask_va(struct ez *e)
{
	const struct conf_ezvpn *c = ez_conf(e);
	struct msg_ez_va v;
	memset(&v, 0, sizeof(v));
	v.session_id = e->id;
	snprintf(v.ezvpn, sizeof(v.ezvpn), "%s", e->name);
	v.peer = e->peer;
	v.local = e->local;
	v.addr = c && c->mode == EZ_MODE_NETWORK_EXTENSION ? (struct in_addr){ 0 } : e->cfg.addr;
	for (int k = 0; k < e->cfg.nsplit && k < MSG_ROUTES_MAX; k++) {
		v.split[k].net = e->cfg.split[k].net;
		v.split[k].plen = __builtin_popcount(e->cfg.split[k].mask.s_addr);
	}
	v.nsplit = e->cfg.nsplit < MSG_ROUTES_MAX ? e->cfg.nsplit : MSG_ROUTES_MAX;
	e->state = EZ_VA;
	e->rtx_left = 0;
	e->next_at = time(NULL) + 10;   /* tunmgr answers at once; a lost answer ends the try */
	ike.io.to_tunmgr(IMSG_EZ_VA_CREATE, e->id, &v, sizeof(v));
	report(e, "MODE_CONFIG_REPLY");
}

static void start_qm(struct ez *e, time_t now)
{
	const struct conf_ezvpn *c = ez_conf(e);
	struct isakmp_buf b;
	struct in_addr ours = e->cfg.addr;

	memset(&e->qm, 0, sizeof(e->qm));
	ez_p2_offer(&e->qm);
	e->qm.udp = e->sa.nat_detected;
	e->qm.life = ezconf->sa_lifetime_seconds ? ezconf->sa_lifetime_seconds : 3600;
	if (c && c->mode == EZ_MODE_NETWORK_EXTENSION && c->ninside) {
		/* network extension: the first inside interface's network is ours */
		const struct conf_interface *in = conf_find_iface(ezconf, c->inside[0]);
		if (in && in->has_addr) {
			ours.s_addr = in->addr.s_addr & in->mask.s_addr;
			e->qm.idci_mask = in->mask;
		}
	}
	isakmp_buf_init(&b);
	int rc = ikei_qm1(&e->sa, &e->qm, ours, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		ez_down(e, "cannot build quick mode", 1, 1, now);
		return;
	}
	e->state = EZ_QM;
	send_req(e, &b, now);
	isakmp_buf_free(&b);
	report(e, "SOCKET_READY");
}

static void install_sa(struct ez *e)
{
	struct ikei_keys k;
	struct msg_sa_add *a = calloc(1, sizeof(*a));
	if (!a || ikei_keymat(&e->sa, &e->qm, &k) < 0 || k.enc_len > MSG_KEY_MAX ||
	    k.auth_len > MSG_KEY_MAX) {
		free(a);
		return;
	}
	a->session_id = e->id;
	a->encap = e->qm.udp ? ENCAP_UDP : ENCAP_RAW;
	a->peer = e->peer;
	a->local = e->local;
	a->encr = e->qm.encr;
	a->enc_keylen = (int32_t)k.enc_len;
	a->auth = e->qm.auth;
	a->auth_keylen = (int32_t)k.auth_len;
	a->spi_in = e->qm.spi_in;
	a->spi_out = e->qm.spi_out;
	memcpy(a->enckey_in, k.enc_in, k.enc_len);
	memcpy(a->enckey_out, k.enc_out, k.enc_len);
	memcpy(a->authkey_in, k.auth_in, k.auth_len);
	memcpy(a->authkey_out, k.auth_out, k.auth_len);
	a->hard_seconds = e->qm.life;
	a->soft_seconds = e->qm.life - e->qm.life / 10;
	a->replay_window = ezconf->replay_window;
	/* the server's side of the identities (IDcr): everything */
	ike.io.to_tunmgr(IMSG_SA_ADD, e->id, a, sizeof(*a));
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(a, sizeof(*a));
	free(a);
}

static void on_p1(struct ez *e, uint8_t *pkt, size_t len, time_t now)
{
	uint16_t notify = 0;
	int rc = ikei_aggr2_parse(&e->sa, pkt, len, &e->local, &e->peer, &notify);
	if (rc == IKEI_E_NOTIFY) {
		char why[48];
		snprintf(why, sizeof(why), "refused with notification %u", notify);
		ez_down(e, why, 0, 1, now);
		return;
	}
	if (rc < 0) {
		ike.st.drop_malformed++;
		log_rl("ezvpn %s: aggressive mode answer dropped (%s)", e->name, ikei_strerror(rc));
		if (rc == IKEI_E_PROPOSAL)
			ez_down(e, "the server chose a transform we did not offer", 0, 1, now);
		return;
	}
	struct msg_skeyid_req *q = calloc(1, sizeof(*q));
	if (!q)
		return;
	q->sa_id = e->id;
	q->prf_hash = e->sa.hash;
	q->id_type = ISAKMP_ID_KEY_ID;
	q->local = e->local;
	q->peer = e->peer;
	q->ni_len = (uint16_t)e->sa.nilen;
	q->nr_len = (uint16_t)e->sa.nrlen;
	memcpy(q->ni, e->sa.ni, e->sa.nilen);
	memcpy(q->nr, e->sa.nr, e->sa.nrlen);
	snprintf(q->ezvpn, sizeof(q->ezvpn), "%s", e->name);
	e->state = EZ_SKEYID;
	e->rtx_left = 0;
	e->next_at = now + 10;
	ike.io.to_keymgr(IMSG_SKEYID_REQ, e->id, q, sizeof(*q));
	free(q);
}

int ez_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *r)
{
	struct ez *e = by_id(peerid);
	time_t now = time(NULL);
	if (!e)
		return 0;
	if (e->state != EZ_SKEYID)
		return 1;
	if (r->status != KEY_OK) {
		ez_down(e, "keymgr has no group key for it", 0, 0, now);
		return 1;
	}
	int rc = ikei_aggr2_keys(&e->sa, e->dh, r->skeyid, r->skeyid_len);
	ike_dh_free(e->dh);
	e->dh = NULL;
	if (rc < 0) {
		ez_down(e, rc == IKEI_E_HASH ? "HASH_R does not verify (group key?)" : ikei_strerror(rc),
		        0, 1, now);
		return 1;
	}
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	rc = ikei_aggr3(&e->sa, &e->local, &e->peer, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		ez_down(e, "cannot build message 3", 0, 1, now);
		return 1;
	}
	/* RFC 3947 4: behind a NAT, message 3 and everything after go to 4500 */
	if (e->sa.nat_detected) {
		e->port4500 = 1;
		e->peer.sin_port = htons(4500);
		e->local.sin_port = htons(4500);
	}
	send_pkt(e, &b);
	isakmp_buf_free(&b);
	free(e->last);
	e->last = NULL;
	e->state = EZ_XAUTH;
	e->x.msgid = 0;
	e->rtx_left = 0;
	e->next_at = now + 30;      /* the server's XAUTH request, or its Mode Config */
	log_info("ezvpn %s: phase 1 up with %s", e->name, inet_ntoa(e->peer.sin_addr));
	report(e, "SOCKET_UP");
	return 1;
}

static void on_xauth(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_msg m;
	struct isakmp_buf b;
	int done = 0;

	if (msgid == e->reply_msgid && e->reply) {
		ike.st.duplicates++;
		ike.io.send(&e->local, &e->peer, e->port4500, e->reply, e->reply_len);
		return;
	}
	if (!e->have_creds) {
		/* the request waits for keymgr's answer, unopened so that its IV is not used */
		struct msg_ez_xauth_req q;
		free(e->held);
		if (!(e->held = malloc(len)))
			return;
		memcpy(e->held, pkt, len);
		e->held_len = len;
		memset(&q, 0, sizeof(q));
		q.sa_id = e->id;
		q.peer = e->peer;
		snprintf(q.ezvpn, sizeof(q.ezvpn), "%s", e->name);
		e->state = EZ_CREDS;
		ike.io.to_keymgr(IMSG_EZ_XAUTH_REQ, e->id, &q, sizeof(q));
		report(e, "XAUTH_REQUEST");
		return;
	}
	if (msgid != e->x.msgid)
		ikei_x_init(&e->sa, &e->x, msgid);
	if (ikei_open(&e->sa, &e->x, pkt, len, NULL, 0, &m) < 0) {
		ike.st.drop_decrypt++;
		return;
	}
	isakmp_buf_init(&b);
	int rc = ikei_xauth_answer(&e->sa, &e->x, &m, e->user, e->pass, &b, &done);
	if (rc == IKEI_E_XAUTH) {
		send_pkt(e, &b);
		isakmp_buf_free(&b);
		ez_down(e, "XAUTH refused by the server", 0, 0, now);
		return;
	}
	if (rc < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_malformed++;
		return;
	}
	send_pkt(e, &b);
	keep_reply(e, &b, msgid);
	isakmp_buf_free(&b);
	if (!done) {
		report(e, "XAUTH_REPLIED");
		return;
	}
	wipe_creds(e);
	isakmp_buf_init(&b);
	ikei_x_init(&e->sa, &e->x, 0);
	if (ikei_cfg_request_full(&e->sa, &e->x, &b) < 0) {
		isakmp_buf_free(&b);
		ez_down(e, "cannot build Mode Config request", 1, 1, now);
		return;
	}
	e->state = EZ_CFG;
	send_req(e, &b, now);
	isakmp_buf_free(&b);
	report(e, "XAUTH_OK");
}

void ez_xauth_res(uint32_t peerid, const struct msg_ez_xauth_res *r)
{
	struct ez *e = by_id(peerid);
	if (!e || e->state != EZ_CREDS || !e->held)
		return;
	if (r->status != KEY_OK || !memchr(r->user, 0, sizeof(r->user)) ||
	    !memchr(r->password, 0, sizeof(r->password))) {
		ez_down(e, "no XAUTH username and password configured (xauth userid mode local)", 1, 0,
		        time(NULL));
		return;
	}
	memcpy(e->user, r->user, sizeof(e->user));
	memcpy(e->pass, r->password, sizeof(e->pass));
	e->have_creds = 1;
	e->state = EZ_XAUTH;
	uint8_t *pkt = e->held;
	size_t len = e->held_len;
	e->held = NULL;
	uint32_t msgid;
	uint8_t exch;
	if (ikei_peek(pkt, len, &msgid, &exch) == 0)
		on_xauth(e, pkt, len, msgid, time(NULL));
	explicit_bzero(pkt, len);
	free(pkt);
}

static void on_cfg(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_msg m;
	if (msgid != e->x.msgid || ikei_open(&e->sa, &e->x, pkt, len, NULL, 0, &m) < 0) {
		ike.st.drop_state++;
		return;
	}
	int rc = ikei_cfg_reply_full(&m, &e->cfg);
	const struct conf_ezvpn *c = ez_conf(e);
	if (rc < 0 || (!e->cfg.addr.s_addr && (!c || c->mode != EZ_MODE_NETWORK_EXTENSION))) {
		ez_down(e, "Mode Config reply without an address", 1, 1, now);
		return;
	}
	if (e->cfg.split_dropped)
		log_warnx("ezvpn %s: %d split-include entries past the first %d ignored", e->name,
		          e->cfg.split_dropped, IKEI_SPLIT_MAX);
	free(e->last);
	e->last = NULL;
	log_info("ezvpn %s: Mode Config gave %s, %d split networks", e->name,
	         inet_ntoa(e->cfg.addr), e->cfg.nsplit);
	ask_va(e);
}

int ez_va_created(uint32_t peerid, const struct msg_va_created *r)
{
	struct ez *e = by_id(peerid);
	if (!e)
		return 0;
	if (e->state != EZ_VA)
		return 1;
	if (r->status) {
		log_warnx("ezvpn %s: tunmgr refused the interface (%s)", e->name, strerror(r->status));
		e->state = EZ_CFG;      /* nothing to destroy */
		ez_down(e, "interface refused", 1, 1, time(NULL));
		return 1;
	}
	memcpy(e->ifname, r->ifname, sizeof(e->ifname));
	e->ifname[sizeof(e->ifname) - 1] = '\0';
	e->unit = r->unit;
	start_qm(e, time(NULL));
	return 1;
}

static void on_qm(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_buf b;
	if (msgid != e->qm.x.msgid) {
		ike.st.drop_state++;
		return;
	}
	int rc = ikei_qm2(&e->sa, &e->qm, pkt, len);
	if (rc == IKEI_E_PROPOSAL) {
		ez_down(e, "quick mode answer chose a transform we did not offer", 1, 1, now);
		return;
	}
	isakmp_buf_init(&b);
	if (rc < 0 || ikei_qm3(&e->sa, &e->qm, &b) < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_malformed++;
		return;
	}
	install_sa(e);
	send_pkt(e, &b);
	isakmp_buf_free(&b);
	free(e->last);
	e->last = NULL;
	e->rtx_left = 0;
	e->next_at = 0;
	e->state = EZ_ACTIVE;
	e->failures = 0;
	log_info("ezvpn %s: IPsec up with %s on %s (%s), address %s", e->name,
	         inet_ntoa(e->peer.sin_addr), e->ifname,
	         esp_transform_name(e->qm.encr, e->qm.keylen, e->qm.auth), inet_ntoa(e->cfg.addr));
	report(e, "SOCKET_UP");
}

int ez_sa_added(uint32_t peerid, const struct msg_sa_added *r)
{
	struct ez *e = by_id(peerid);
	if (!e)
		return 0;
	if (r->status && e->state == EZ_ACTIVE)
		ez_down(e, "tunmgr refused the IPsec SA", 1, 1, time(NULL));
	return 1;
}

int ez_sa_expire(uint32_t peerid, const struct msg_sa_expire *x)
{
	struct ez *e = by_id(peerid);
	if (!e)
		return 0;
	/* no quick-mode rekey yet: at the soft lifetime the whole session is made afresh */
	if (e->state == EZ_ACTIVE && x->spi_in == e->qm.spi_in) {
		const struct conf_ezvpn *c = ez_conf(e);
		ez_down(e, "IPsec SA lifetime", 1, 0, time(NULL));
		if (c) {
			e->state = EZ_IDLE;
			e->next_at = time(NULL);
		}
	}
	return 1;
}

static void on_info(struct ez *e, uint8_t *pkt, size_t len, time_t now)
{
	struct isakmp_buf b;
	int answered = 0, deleted = 0;
	uint16_t notify = 0;
	if (e->state < EZ_XAUTH) {
		/* before keys, a clear notification only ends the attempt (NO-PROPOSAL-CHOSEN) */
		struct isakmp_hdr h;
		if (isakmp_parse_hdr(pkt, len, &h) < 0 || (h.flags & ISAKMP_FLAG_E))
			return;
		if (e->state == EZ_P1 && ikei_info(&e->sa, pkt, len, NULL, &answered, &notify,
		                                   &deleted) == 0 && notify && notify < 16384) {
			char why[48];
			snprintf(why, sizeof(why), "refused with notification %u", notify);
			ez_down(e, why, 0, 1, now);
		}
		return;
	}
	isakmp_buf_init(&b);
	if (ikei_info(&e->sa, pkt, len, &b, &answered, &notify, &deleted) == 0) {
		if (answered)
			send_pkt(e, &b);
		if (deleted)
			ez_down(e, "deleted by the server", 0, 0, now);
	} else {
		ike.st.drop_decrypt++;
	}
	isakmp_buf_free(&b);
}

int ez_input(const uint8_t *pkt, size_t len, const struct sockaddr_in *peer,
             const struct sockaddr_in *local, int port4500)
{
	struct ez *e = NULL;
	uint32_t msgid;
	uint8_t exch;
	time_t now = time(NULL);

	if (len < 8)
		return 0;
	for (int k = 0; k < CONF_MAX_EZVPN && !e; k++)
		if (ezs[k].used && ezs[k].state >= EZ_P1 && !memcmp(ezs[k].sa.cky_i, pkt, 8))
			e = &ezs[k];
	if (!e)
		return 0;
	if (peer->sin_addr.s_addr != e->peer.sin_addr.s_addr || ikei_peek(pkt, len, &msgid, &exch) < 0) {
		ike.st.drop_unknown_sa++;
		return 1;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return 1;
	memcpy(copy, pkt, len);
	if (!e->local.sin_addr.s_addr)
		e->local.sin_addr = local->sin_addr;
	if (exch == ISAKMP_EXCH_INFO)
		on_info(e, copy, len, now);
	else if (e->state == EZ_P1 && exch == ISAKMP_EXCH_AGGR)
		on_p1(e, copy, len, now);
	else if ((e->state == EZ_XAUTH || e->state == EZ_CREDS) && exch == ISAKMP_EXCH_TRANSACTION)
		e->state == EZ_CREDS ? (void)0 : on_xauth(e, copy, len, msgid, now);
	else if (e->state == EZ_CFG && exch == ISAKMP_EXCH_TRANSACTION)
		msgid == e->reply_msgid && e->reply
		    ? ike.io.send(&e->local, &e->peer, e->port4500, e->reply, e->reply_len)
		    : on_cfg(e, copy, len, msgid, now);
	else if (e->state == EZ_QM && exch == ISAKMP_EXCH_QUICK)
		on_qm(e, copy, len, msgid, now);
	else
		ike.st.drop_state++;
	explicit_bzero(copy, len);
	free(copy);
	return 1;
}

void ez_tick(time_t now)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct ez *e = &ezs[k];
		if (!e->used || !e->next_at || e->next_at > now)
			continue;
		if (e->state == EZ_IDLE) {
			connect_now(e, now);
		} else if (e->rtx_left > 0 && e->last) {
			e->rtx_left--;
			e->rto = e->rto < 8 ? e->rto * 2 : 8;
			e->next_at = now + e->rto;
			ike.st.retransmits++;
			ike.io.send(&e->local, &e->peer, e->port4500, e->last, e->last_len);
		} else if (e->state != EZ_ACTIVE && e->state != EZ_CONNECT_REQ) {
			ez_down(e, "no answer", e->state >= EZ_XAUTH, 1, now);
		} else {
			e->next_at = 0;
		}
	}
}

static void setup(const struct vpnd_conf *c)
{
	ezconf = c;
	for (int k = 0; k < c->nezvpn && k < CONF_MAX_EZVPN; k++) {
		struct ez *e = &ezs[k];
		memset(e, 0, sizeof(*e));
		e->used = 1;
		snprintf(e->name, sizeof(e->name), "%s", c->ezvpn[k].name);
		/* connect auto dials once the other processes are up: a second from now */
		e->state = c->ezvpn[k].connect_manual ? EZ_CONNECT_REQ : EZ_IDLE;
		e->next_at = c->ezvpn[k].connect_manual ? 0 : time(NULL) + 1;
		report(e, c->ezvpn[k].connect_manual ? "CONNECT_REQUIRED" : "IDLE");
	}
}

void ez_init(const struct vpnd_conf *c)
{
	memset(ezs, 0, sizeof(ezs));
	setup(c);
}

void ez_shutdown(void)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (ezs[k].used && ezs[k].state >= EZ_P1)
			ez_down(&ezs[k], "shutting down", 1, 0, time(NULL));
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		clear_session(&ezs[k]);
}

/* A reload keeps the sessions of ezvpns still configured (their settings apply from the next
 * connection), ends those no longer configured and starts new ones. */
void ez_reload(const struct vpnd_conf *c)
{
	time_t now = time(NULL);
	ezconf = c;
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct ez *e = &ezs[k];
		if (!e->used || conf_find_ezvpn(c, e->name))
			continue;
		if (e->state >= EZ_P1)
			ez_down(e, "no longer configured", 1, 0, now);
		clear_session(e);
		e->used = 0;
	}
	for (int j = 0; j < c->nezvpn; j++) {
		int k, slot = -1;
		for (k = 0; k < CONF_MAX_EZVPN; k++) {
			if (ezs[k].used && !strcmp(ezs[k].name, c->ezvpn[j].name))
				break;
			if (!ezs[k].used && slot < 0)
				slot = k;
		}
		if (k < CONF_MAX_EZVPN || slot < 0)
			continue;
		struct ez *e = &ezs[slot];
		memset(e, 0, sizeof(*e));
		e->used = 1;
		snprintf(e->name, sizeof(e->name), "%s", c->ezvpn[j].name);
		e->state = c->ezvpn[j].connect_manual ? EZ_CONNECT_REQ : EZ_IDLE;
		e->next_at = c->ezvpn[j].connect_manual ? 0 : now + 1;
		report(e, e->state == EZ_IDLE ? "IDLE" : "CONNECT_REQUIRED");
	}
}

void ez_cmd(const struct msg_ez_cmd *m)
{
	char name[sizeof(m->ezvpn) + 1];
	time_t now = time(NULL);
	memcpy(name, m->ezvpn, sizeof(m->ezvpn));
	name[sizeof(m->ezvpn)] = '\0';
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct ez *e = &ezs[k];
		if (!e->used || (name[0] && strcmp(name, e->name)))
			continue;
		if (m->kind == EZ_CMD_CONNECT) {
			if (e->state == EZ_CONNECT_REQ || e->state == EZ_IDLE) {
				e->failures = 0;
				connect_now(e, now);
			}
		} else if (m->kind == EZ_CMD_CLEAR) {
			const struct conf_ezvpn *c = ez_conf(e);
			ez_down(e, "cleared by the operator", 1, 0, now);
			/* IOS: clear on connect auto dials again at once; manual waits */
			if (c && !c->connect_manual) {
				e->state = EZ_IDLE;
				e->next_at = now + 1;
			}
		}
	}
}
