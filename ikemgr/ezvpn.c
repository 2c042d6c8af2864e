/*
 * Easy VPN remote: one client per `crypto ipsec client ezvpn NAME`, as an explicit state
 * machine (ez_int.h). This file is its life: connecting, retransmitting, failing over to the
 * next peer, ending, and the operator's connect and clear; ez_exchange.c handles what the
 * server and the other processes answer, ez_sa.c what is offered and installed.
 *
 * A failed attempt tries the next configured peer, then all again after a pause; `connect
 * manual` waits for the operator after a session ends, as IOS does. `connect acl` waits for
 * traffic its access list permits (tunmgr's trap, tunmgr/eztrap.c) at start, after a
 * session ends or is cleared and after every peer failed once (then traffic is heeded only
 * after the pause connect auto makes): IOS dials again only on matching traffic. Shown as
 * IDLE, the word IOS shows for it.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ez_int.h"

static const char *const state_word[] = {
	[EZ_IDLE] = "IDLE", [EZ_CONNECT_REQ] = "CONNECT_REQUIRED",
	[EZ_WAIT_TRAFFIC] = "IDLE", [EZ_P1] = "SS_OPEN",
	[EZ_SKEYID] = "SS_OPEN", [EZ_XAUTH] = "XAUTH_REQ", [EZ_CREDS] = "XAUTH_REQ_INFO",
	[EZ_CFG] = "MODE_CONFIG_REQ", [EZ_VA] = "MODE_CONFIG_REPLIED", [EZ_QM] = "IPSEC_REQ",
	[EZ_ACTIVE] = "IPSEC_ACTIVE",
};

struct ez ezs[CONF_MAX_EZVPN];
const struct vpnd_conf *ezconf;

int ez_owns(uint32_t peerid)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (ezs[k].used && ezs[k].id == peerid && peerid)
			return 1;
	return 0;
}

struct ez *ez_by_id(uint32_t id)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (ezs[k].used && ezs[k].id == id && id)
			return &ezs[k];
	return NULL;
}

const struct conf_ezvpn *ez_conf(const struct ez *e)
{
	return conf_find_ezvpn(ezconf, e->name);
}

void ez_report(struct ez *e, const char *event)
{
	struct msg_ez_state m;
	memset(&m, 0, sizeof(m));
	if (event)
		snprintf(e->event, sizeof(e->event), "%s", event);
	snprintf(m.ezvpn, sizeof(m.ezvpn), "%s", e->name);
	snprintf(m.state, sizeof(m.state), "%s",
	         e->state == EZ_CREDS && e->prompt ? "XAUTH_PROMPT" : state_word[e->state]);
	snprintf(m.last_event, sizeof(m.last_event), "%s", e->event);
	m.peer = e->peer.sin.sin_addr;
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

/* Where an ezvpn rests by its connect mode: at start, after a session or a clear. */
static void rest(struct ez *e, const struct conf_ezvpn *c, time_t now)
{
	if (c && c->connect_acl[0]) {
		e->failures = 0;
		e->state = EZ_WAIT_TRAFFIC;
		e->next_at = 0;
	} else if (!c || c->connect_manual) {
		e->failures = 0;
		e->state = EZ_CONNECT_REQ;
		e->next_at = 0;
	} else {
		e->state = EZ_IDLE;     /* connect auto dials once the other processes are up */
		e->next_at = now + 1;
	}
}

void ez_wipe_creds(struct ez *e)
{
	explicit_bzero(e->user, sizeof(e->user));
	explicit_bzero(e->pass, sizeof(e->pass));
	e->have_creds = 0;
}

void ez_send(struct ez *e, const struct isakmp_buf *b)
{
	ike.st.tx++;
	ike.st.tx_bytes += b->len;
	ike.io.send(&e->local, &e->peer, e->port4500, b->data, b->len);
}

/* A request of ours: sent now and again with a doubling interval until answered. */
void ez_send_req(struct ez *e, const struct isakmp_buf *b, time_t now)
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
	ez_send(e, b);
}

void ez_keep_reply(struct ez *e, const struct isakmp_buf *b, uint32_t msgid)
{
	free(e->reply);
	e->reply = malloc(b->len);
	e->reply_len = e->reply ? b->len : 0;
	if (e->reply)
		memcpy(e->reply, b->data, b->len);
	e->reply_msgid = msgid;
}

void ez_clear_session(struct ez *e)
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
	if (e->state == EZ_CREDS && e->id) {
		/* keymgr may hold the request for the operator: an answer now would be for nobody */
		struct msg_ez_xauth_req q;
		memset(&q, 0, sizeof(q));
		q.sa_id = e->id;
		q.peer = e->peer;
		snprintf(q.ezvpn, sizeof(q.ezvpn), "%s", e->name);
		ike.io.to_keymgr(IMSG_EZ_XAUTH_CANCEL, e->id, &q, sizeof(q));
	}
	e->prompt = 0;
	ike_dh_free(e->dh);
	e->dh = NULL;
	free(e->last);
	free(e->held);
	free(e->reply);
	e->last = e->held = e->reply = NULL;
	e->last_len = e->held_len = e->reply_len = 0;
	ez_wipe_creds(e);
	e->rekeying = 0;
	e->dpd_at = 0;
	e->qr_wait3 = 0;
	memset(&e->qr, 0, sizeof(e->qr));
	explicit_bzero(&e->rk, sizeof(e->rk));
	explicit_bzero(&e->sa, sizeof(e->sa));
	explicit_bzero(&e->qm, sizeof(e->qm));
	memset(&e->cfg, 0, sizeof(e->cfg));
	e->ifname[0] = '\0';
	e->unit = 0;
	e->port4500 = 0;
	e->rtx_left = 0;
}

/* Ends the attempt or the session. failed: this peer let us down, try the next one. */
void ez_down(struct ez *e, const char *why, int tell_peer, int failed, time_t now)
{
	const struct conf_ezvpn *c = ez_conf(e);
	if (tell_peer && e->state >= EZ_XAUTH) {
		struct isakmp_buf b;
		isakmp_buf_init(&b);
		/* one message per SA, as vpnc sends them: strongSwan acts on the first DELETE
		 * payload of an informational message only */
		if (e->qm.spi_out && ikei_delete_esp(&e->sa, e->qm.spi_in, &b) == 0)
			ez_send(e, &b);
		isakmp_buf_free(&b);
		isakmp_buf_init(&b);
		if (ikei_delete(&e->sa, NULL, 0, &b) == 0)
			ez_send(e, &b);
		isakmp_buf_free(&b);
	}
	if (e->state != EZ_IDLE && e->state != EZ_CONNECT_REQ && e->state != EZ_WAIT_TRAFFIC)
		log_info("ezvpn %s: %s %s (%s)", e->name,
		         e->state == EZ_ACTIVE ? "session with" : "attempt toward",
		         inet_ntoa(e->peer.sin.sin_addr), why);
	int was_active = e->state == EZ_ACTIVE;
	ez_rep_down(e, why);
	ez_clear_session(e);
	int npeer = c ? c->npeer + e->nbackup : 0;
	if (failed && npeer) {
		e->peer_idx = (e->peer_idx + 1) % npeer;
		e->failures++;
	}
	if (!c) {
		e->state = EZ_CONNECT_REQ;
		e->next_at = 0;
	} else if (failed && e->failures < npeer) {
		e->state = EZ_IDLE;             /* the next peer, at once */
		e->next_at = now + 1;
	} else if (failed && !c->connect_manual && !c->connect_acl[0]) {
		e->failures = 0;                /* every peer failed: a pause, then round again */
		e->state = EZ_IDLE;
		e->next_at = now + EZ_BACKOFF;
	} else {
		rest(e, c, now);                /* IOS: manual waits for the operator, acl for traffic */
		/* connect acl after every peer failed: the pause connect auto makes, or traffic
		 * that goes on would dial a refusing server every second */
		e->traffic_hold = failed && c->connect_acl[0] ? now + EZ_BACKOFF : 0;
	}
	ez_report(e, was_active ? "CONN_DOWN" : failed ? "CONNECT_FAILED" : "DISCONNECT");
}

void ez_connect(struct ez *e, time_t now)
{
	const struct conf_ezvpn *c = ez_conf(e);
	const struct conf_interface *out;
	struct ikei_p1_params p;
	struct isakmp_buf b;

	ez_clear_session(e);
	if (!c || !c->npeer) {
		e->state = EZ_CONNECT_REQ;
		return;
	}
	memset(&p, 0, sizeof(p));
	ez_p1_offer(ezconf, &p);
	p.group_name = c->group;
	p.natt = 1;
	/* the configured peers in order, then the backup servers one of them named */
	e->peer_idx %= c->npeer + e->nbackup;
	memset(&e->peer, 0, sizeof(e->peer));
	e->peer.sin.sin_family = AF_INET;
	e->peer.sin.sin_port = htons(500);
	e->peer.sin.sin_addr = e->peer_idx < c->npeer ? c->peer[e->peer_idx]
	                                           : e->backup[e->peer_idx - c->npeer];
	memset(&e->local, 0, sizeof(e->local));
	e->local.sin.sin_family = AF_INET;
	e->local.sin.sin_port = htons(500);
	out = c->outside[0] ? conf_find_iface(ezconf, c->outside) : NULL;
	if (out && out->has_addr)
		e->local.sin.sin_addr = out->addr;
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
	         inet_ntoa(e->peer.sin.sin_addr), c->group);
	ez_send_req(e, &b, now);
	isakmp_buf_free(&b);
	ez_report(e, "CONNECT");
}

void ez_tick(time_t now)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct ez *e = &ezs[k];
		if (e->used)
			ez_dpd_tick(e, now);
		if (!e->used || !e->next_at || e->next_at > now)
			continue;
		if (e->state == EZ_IDLE) {
			ez_connect(e, now);
		} else if (e->rtx_left > 0 && e->last) {
			e->rtx_left--;
			e->rto = e->rto < 8 ? e->rto * 2 : 8;
			e->next_at = now + e->rto;
			ike.st.retransmits++;
			ike.io.send(&e->local, &e->peer, e->port4500, e->last, e->last_len);
		} else if (e->state == EZ_CREDS && e->prompt) {
			/* not the server's fault: the same peer is tried again */
			char why[64];
			snprintf(why, sizeof(why), "no XAUTH answer from the operator within %d s",
			         MSG_EZ_PROMPT_WAIT);
			ez_down(e, why, 1, 0, now);
		} else if (e->state == EZ_ACTIVE && e->rekeying) {
			ez_down(e, "no answer to the rekey", 1, 1, now);
		} else if (e->state != EZ_ACTIVE && e->state != EZ_CONNECT_REQ &&
		           e->state != EZ_WAIT_TRAFFIC) {
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
		rest(e, &c->ezvpn[k], time(NULL));
		ez_report(e, "RESET");
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
		ez_clear_session(&ezs[k]);
}

/* An ezvpn at rest whose connect mode a reload changed rests as the new mode says: one
 * waiting for traffic must not wait for ever once it is connect auto, nor a manual one dial. */
static void resettle(struct ez *e, const struct conf_ezvpn *c, time_t now)
{
	int acl = c->connect_acl[0] != '\0';
	if ((e->state == EZ_WAIT_TRAFFIC && !acl) ||
	    (e->state == EZ_CONNECT_REQ && (acl || !c->connect_manual)) ||
	    (e->state == EZ_IDLE && (acl || c->connect_manual))) {
		rest(e, c, now);
		ez_report(e, "RESET");
	}
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
		ez_clear_session(e);
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
		if (k < CONF_MAX_EZVPN) {
			resettle(&ezs[k], &c->ezvpn[j], now);
			continue;
		}
		if (slot < 0)
			continue;
		struct ez *e = &ezs[slot];
		memset(e, 0, sizeof(*e));
		e->used = 1;
		snprintf(e->name, sizeof(e->name), "%s", c->ezvpn[j].name);
		rest(e, &c->ezvpn[j], now);
		ez_report(e, "RESET");
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
			if (e->state == EZ_CONNECT_REQ || e->state == EZ_IDLE ||
			    e->state == EZ_WAIT_TRAFFIC) {
				e->failures = 0;
				ez_connect(e, now);
			}
		} else if (m->kind == EZ_CMD_CLEAR) {
			const struct conf_ezvpn *c = ez_conf(e);
			ez_down(e, "cleared by the operator", 1, 0, now);
			/* IOS: clear on connect auto dials again at once; manual waits for the
			 * operator, acl for traffic (ez_down put them there) */
			if (c && !c->connect_manual && !c->connect_acl[0]) {
				e->state = EZ_IDLE;
				e->next_at = now + 1;
			}
		}
	}
}

/* tunmgr caught traffic for a connect acl ezvpn. Believed only for an ezvpn configured so and
 * waiting for it: the trap stays until the interface exists, so hits during an attempt are
 * normal (counted); for any other name or mode they are not (logged once, counted). */
void ez_traffic(const struct msg_ez_traffic *m)
{
	static uint64_t busy, refused;
	char name[sizeof(m->ezvpn) + 1];
	memcpy(name, m->ezvpn, sizeof(m->ezvpn));
	name[sizeof(m->ezvpn)] = '\0';
	struct ez *e = NULL;
	for (int k = 0; k < CONF_MAX_EZVPN && !e; k++)
		if (ezs[k].used && !strcmp(ezs[k].name, name))
			e = &ezs[k];
	const struct conf_ezvpn *c = e ? ez_conf(e) : NULL;
	if (!c || !c->connect_acl[0]) {
		if (refused++ == 0)
			log_warnx("traffic for ezvpn '%.63s' refused: no such connect acl ezvpn (logged "
			          "once, counted)", name);
		return;
	}
	time_t now = time(NULL);
	if (e->state != EZ_WAIT_TRAFFIC || now < e->traffic_hold) {
		busy++;
		log_debug("ezvpn %s: traffic while %s, not waiting (%llu so far)", e->name,
		          state_word[e->state], (unsigned long long)busy);
		return;
	}
	log_info("ezvpn %s: %llu packet%s permitted by access list %s: connecting", e->name,
	         (unsigned long long)m->packets, m->packets == 1 ? "" : "s", c->connect_acl);
	e->failures = 0;
	ez_connect(e, now);
}
