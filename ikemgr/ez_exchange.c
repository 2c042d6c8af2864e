/*
 * Easy VPN remote: the exchanges as the server answers them (aggressive mode, XAUTH, Mode
 * Config, quick mode, informational), and keymgr's and tunmgr's answers in between. ikemgr
 * never sees the group key: keymgr computes SKEYID, and gives the XAUTH username and password
 * only for an SA to one of the ezvpn's peers.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ez_int.h"

void on_p1(struct ez *e, uint8_t *pkt, size_t len, time_t now)
{
	uint16_t notify = 0;
	int rc = ikei_aggr2_parse(&e->sa, pkt, len, &e->local.sin, &e->peer.sin, &notify);
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
	ikei_skeyid_req(&e->sa, q);
	q->id_type = ISAKMP_ID_KEY_ID;
	q->local = e->local;
	q->peer = e->peer;
	snprintf(q->ezvpn, sizeof(q->ezvpn), "%s", e->name);
	e->state = EZ_SKEYID;
	e->rtx_left = 0;
	e->next_at = now + 10;
	ike.io.to_keymgr(IMSG_SKEYID_REQ, e->id, q, sizeof(*q));
	free(q);
}

int ez_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *r)
{
	struct ez *e = ez_by_id(peerid);
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
	rc = ikei_aggr3(&e->sa, &e->local.sin, &e->peer.sin, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		ez_down(e, "cannot build message 3", 0, 1, now);
		return 1;
	}
	/* RFC 3947 4: behind a NAT, message 3 and everything after go to 4500 */
	if (e->sa.nat_detected) {
		e->port4500 = 1;
		e->peer.sin.sin_port = htons(4500);
		e->local.sin.sin_port = htons(4500);
	}
	ez_send(e, &b);
	isakmp_buf_free(&b);
	free(e->last);
	e->last = NULL;
	e->state = EZ_XAUTH;
	e->x.msgid = 0;
	e->rtx_left = 0;
	e->next_at = now + 30;      /* the server's XAUTH request, or its Mode Config */
	log_info("ezvpn %s: phase 1 up with %s", e->name, inet_ntoa(e->peer.sin.sin_addr));
	ez_rep_ike_up(e, "CONF_XAUTH");
	ez_report(e, "SOCKET_UP");
	return 1;
}

/*
 * The transaction's type (REQUEST or SET), read from a copy with an IV of its own: a REQUEST
 * waits for keymgr unopened, and is opened once keymgr has answered.
 */
static int xauth_kind(const struct ez *e, const uint8_t *pkt, size_t len, uint32_t msgid)
{
	struct isakmp_msg m;
	struct ikei_x x;
	uint8_t *c = malloc(len);
	int kind = -1;

	if (!c)
		return -1;
	memcpy(c, pkt, len);
	ikei_x_init(&e->sa, &x, msgid);
	if (ikei_open(&e->sa, &x, c, len, NULL, 0, &m) == 0)
		for (int k = 0; k < m.npl && kind < 0; k++)
			if (m.pl[k].type == ISAKMP_NP_ATTR && m.pl[k].len >= 4)
				kind = m.pl[k].body[0];
	explicit_bzero(c, len);
	free(c);
	return kind;
}

static void on_xauth(struct ez *e, uint8_t *pkt, size_t len, uint32_t msgid, time_t now)
{
	struct isakmp_msg m;
	struct isakmp_buf b;
	int done = 0, kind;

	if (msgid == e->reply_msgid && e->reply) {
		ike.st.duplicates++;
		ike.io.send(&e->local, &e->peer, e->port4500, e->reply, e->reply_len);
		return;
	}
	if ((kind = xauth_kind(e, pkt, len, msgid)) < 0) {
		ike.st.drop_decrypt++;
		return;
	}
	/* every REQUEST is asked of keymgr: after a wrong password the server asks again, and
	 * interactive mode prompts the operator again */
	if (kind == ISAKMP_CFG_REQUEST && !e->have_creds) {
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
		ez_report(e, "XAUTH_REQUEST");
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
		ez_send(e, &b);
		isakmp_buf_free(&b);
		ez_down(e, "XAUTH refused by the server", 0, 0, now);
		return;
	}
	if (rc < 0) {
		isakmp_buf_free(&b);
		ike.st.drop_malformed++;
		return;
	}
	ez_send(e, &b);
	ez_keep_reply(e, &b, msgid);
	isakmp_buf_free(&b);
	if (!done) {
		ez_wipe_creds(e);
		e->next_at = now + 30;      /* the server's verdict, or its next request */
		ez_report(e, "XAUTH_REPLIED");
		return;
	}
	ez_wipe_creds(e);
	isakmp_buf_init(&b);
	ikei_x_init(&e->sa, &e->x, 0);
	if (ikei_cfg_request_full(&e->sa, &e->x, &b) < 0) {
		isakmp_buf_free(&b);
		ez_down(e, "cannot build Mode Config request", 1, 1, now);
		return;
	}
	e->state = EZ_CFG;
	ez_send_req(e, &b, now);
	isakmp_buf_free(&b);
	ez_report(e, "XAUTH_OK");
}

void ez_xauth_res(uint32_t peerid, const struct msg_ez_xauth_res *r)
{
	struct ez *e = ez_by_id(peerid);
	if (!e || e->state != EZ_CREDS || !e->held)
		return;
	if (r->status == KEY_PENDING) {
		time_t now = time(NULL);
		if (e->prompt)
			return;
		e->prompt = 1;
		e->next_at = now + MSG_EZ_PROMPT_WAIT;
		/* IOS's words, so that what operators grep for is there */
		log_info("EZVPN(%s): Pending XAuth Request, Please enter the following command:",
		         e->name);
		log_info("EZVPN: crypto ipsec client ezvpn xauth");
		ez_report(e, "XAUTH_REQUEST");
		return;
	}
	e->prompt = 0;
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

/* A configured peer's backup-gateway list: tried after the configured peers, once keymgr
 * (which keyed this SA) has accepted it; a backup's own list is not followed. */
static void learn_backups(struct ez *e, const struct conf_ezvpn *c)
{
	struct msg_ez_backup m;
	if (!c || !e->cfg.nbackup || e->peer_idx >= c->npeer)
		return;
	memset(&m, 0, sizeof(m));
	m.sa_id = e->id;
	snprintf(m.ezvpn, sizeof(m.ezvpn), "%s", e->name);
	m.peer = e->peer;
	e->nbackup = 0;
	for (int k = 0; k < e->cfg.nbackup && k < MSG_EZ_BACKUP_MAX; k++) {
		int known = 0;
		for (int j = 0; j < c->npeer; j++)
			known |= c->peer[j].s_addr == e->cfg.backup[k].s_addr;
		m.addr[m.n++] = e->cfg.backup[k];
		if (!known)
			e->backup[e->nbackup++] = e->cfg.backup[k];
	}
	ike.io.to_keymgr(IMSG_EZ_BACKUP, e->id, &m, sizeof(m));
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
	learn_backups(e, c);
	log_info("ezvpn %s: Mode Config gave %s, %d split networks", e->name,
	         inet_ntoa(e->cfg.addr), e->cfg.nsplit);
	ez_ask_va(e);
}

void ez_ask_va(struct ez *e)
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
	ez_rep_ike_up(e, "QM_IDLE");
	ez_report(e, "MODE_CONFIG_REPLY");
}

int ez_va_created(uint32_t peerid, const struct msg_va_created *r)
{
	struct ez *e = ez_by_id(peerid);
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
	ez_start_qm(e, time(NULL));
	return 1;
}

void ez_start_qm(struct ez *e, time_t now)
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
	ez_send_req(e, &b, now);
	isakmp_buf_free(&b);
	ez_report(e, "SOCKET_READY");
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
	ez_qm_done(e, &e->qm, &b);
	e->state = EZ_ACTIVE;
	e->failures = 0;
	char pa[INET_ADDRSTRLEN], aa[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &e->peer.sin.sin_addr, pa, sizeof(pa));
	inet_ntop(AF_INET, &e->cfg.addr, aa, sizeof(aa));
	log_info("ezvpn %s: IPsec up with %s on %s (%s), address %s", e->name, pa, e->ifname,
	         esp_transform_name(e->qm.encr, e->qm.keylen, e->qm.auth), aa);
	ez_rep_ipsec_up(e, &e->qm);
	e->ipsec_reported = 1;
	ez_rep_session_up(e);
	ez_dpd_start(e, now);
	ez_report(e, "SOCKET_UP");
}

int ez_sa_added(uint32_t peerid, const struct msg_sa_added *r)
{
	struct ez *e = ez_by_id(peerid);
	if (!e)
		return 0;
	if (r->status && e->state == EZ_ACTIVE)
		ez_down(e, "tunmgr refused the IPsec SA", 1, 1, time(NULL));
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
			ez_send(e, &b);
		if (notify == ISAKMP_N_R_U_THERE_ACK)
			ez_dpd_ack(e, now);
		if (deleted)
			ez_down(e, "deleted by the server", 0, 0, now);
	} else {
		ike.st.drop_decrypt++;
	}
	isakmp_buf_free(&b);
}

int ez_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
             const union sa46 *local, int port4500)
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
	if (!sa46_same_addr(peer, &e->peer) || ikei_peek(pkt, len, &msgid, &exch) < 0) {
		ike.st.drop_unknown_sa++;
		return 1;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return 1;
	memcpy(copy, pkt, len);
	if (!e->local.sin.sin_addr.s_addr)
		e->local.sin.sin_addr = local->sin.sin_addr;
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
	else if (e->state == EZ_ACTIVE && exch == ISAKMP_EXCH_QUICK && e->rekeying &&
	         msgid == e->rk.x.msgid)
		ez_rekey_input(e, copy, len, msgid, now);
	else if (e->state == EZ_ACTIVE && exch == ISAKMP_EXCH_QUICK)
		ez_qr_input(e, copy, len, msgid, now);
	else
		ike.st.drop_state++;
	explicit_bzero(copy, len);
	free(copy);
	return 1;
}
