/*
 * Static VTIs (interface TunnelN): ikemgr dials each tunnel's destination as an IOS router
 * does, main mode with the pre-shared key for that address (ikev1_init_mm.c builds and
 * checks the messages; keymgr computes SKEYID from the key, which never comes here), then
 * quick mode for 0.0.0.0/0 on both sides. tunmgr made the TunnelN device at its start; the
 * SA pair goes to it under the tunnel's session (MSG_VTI_SESSION_BASE + N), and it routes
 * the tunnel's `ip route`s once the pair is in.
 *
 * One attempt at a time per tunnel; a request unanswered is sent again after 2, 4, 8, 8, 8
 * seconds, then the attempt fails and the next one starts after VTI_BACKOFF seconds. The
 * pair is renewed at three quarters of its life (tunmgr's soft expiry), a rekey the peer
 * starts first is answered (vti_qr.c), the peer's DPD is answered and, with `crypto isakmp
 * keepalive`, ours sent (vti_dpd.c); the ISAKMP SA is renewed at 90 % of its lifetime
 * (vti_p1.c); its DELETE ends the session (dialled again at once), and ours go at stop.
 *
 * This file is a tunnel's life (dialling, resending, ending, reloads); vti_exchange.c is
 * what the peer, keymgr and tunmgr answer.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/dh.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"
#include "common/alg.h"

struct vti vtis[CONF_MAX_IFACES];
const struct vpnd_conf *vconf;

const struct conf_interface *vti_conf(const struct vti *t)
{
	const struct conf_interface *c = conf_find_iface(vconf, t->name);
	return c && c->is_vti && c->has_tunnel_dst ? c : NULL;
}

struct vti *vti_by_id(uint32_t id)
{
	for (int k = 0; k < CONF_MAX_IFACES; k++)
		if (vtis[k].used && id && (vtis[k].id == id || vtis[k].tun_id == id))
			return &vtis[k];
	return NULL;
}

void vti_send(struct vti *t, const struct isakmp_buf *b)
{
	ike.st.tx++;
	ike.st.tx_bytes += b->len;
	ike.io.send(&t->local, &t->peer, t->port4500, b->data, b->len);
}

/* A request of ours: sent now and again with a doubling interval until answered. */
void vti_send_req(struct vti *t, const struct isakmp_buf *b, time_t now)
{
	free(t->last);
	t->last = malloc(b->len);
	t->last_len = t->last ? b->len : 0;
	if (t->last)
		memcpy(t->last, b->data, b->len);
	t->rtx_left = VTI_RTX_MAX;
	t->rto = 2;
	t->next_at = now + t->rto;
	vti_send(t, b);
}

/* The peer's quick mode and our kept answer to it (vti_qr.c) */
void vti_qr_clear(struct vti *t)
{
	ike_dh_free(t->qr.pfs_dh);
	explicit_bzero(&t->qr, sizeof(t->qr));
	t->qr_wait3 = 0;
	free(t->reply);
	t->reply = NULL;
	t->reply_len = 0;
	t->reply_msgid = 0;
}

void vti_old_pair_delete(struct vti *t, int tell_peer)
{
	if (!t->old_spi_in)
		return;
	if (tell_peer) {
		struct isakmp_buf b;
		isakmp_buf_init(&b);
		if (ikei_delete_esp(&t->sa, t->old_spi_in, &b) == 0)
			vti_send(t, &b);
		isakmp_buf_free(&b);
	}
	struct msg_sa_del d = { .session_id = t->tun_id, .spi_in = t->old_spi_in,
	                        .spi_out = t->old_spi_out };
	ike.io.to_tunmgr(IMSG_SA_DEL, t->tun_id, &d, sizeof(d));
	t->old_spi_in = t->old_spi_out = 0;
	t->old_del_at = 0;
}

static void clear_session(struct vti *t)
{
	vti_old_pair_delete(t, 0);
	if (t->qm.spi_out) {
		struct msg_sa_del d = { .session_id = t->tun_id, .spi_in = t->qm.spi_in,
		                        .spi_out = t->qm.spi_out };
		ike.io.to_tunmgr(IMSG_SA_DEL, t->tun_id, &d, sizeof(d));
	}
	ike_dh_free(t->dh);
	ike_dh_free(t->qm.pfs_dh);
	ike_dh_free(t->rk.pfs_dh);
	t->dh = t->qm.pfs_dh = t->rk.pfs_dh = NULL;
	free(t->last);
	t->last = NULL;
	t->last_len = 0;
	t->rekeying = 0;
	explicit_bzero(&t->sa, sizeof(t->sa));
	explicit_bzero(&t->qm, sizeof(t->qm));
	explicit_bzero(&t->rk, sizeof(t->rk));
	t->port4500 = 0;
	t->rtx_left = 0;
	vti_qr_clear(t);
	t->qr_refused = 0;
	explicit_bzero(&t->osa, sizeof(t->osa));
	t->p1_renewing = t->p1_rekey_due = 0;
	t->p1_renew_at = t->p1_old_del_at = 0;
	t->dpd_at = 0;
	t->dpd_out = 0;
}

void vti_down(struct vti *t, const char *why, int tell_peer, time_t now)
{
	/* a failed renewal of the ISAKMP SA is not the tunnel's end */
	if (t->p1_renewing && vti_p1_failed(t, why, tell_peer, now))
		return;
	if (tell_peer && t->state >= VTI_QM) {
		struct isakmp_buf b;
		vti_old_pair_delete(t, 1);
		isakmp_buf_init(&b);
		if (t->qm.spi_out && ikei_delete_esp(&t->sa, t->qm.spi_in, &b) == 0)
			vti_send(t, &b);
		isakmp_buf_free(&b);
		isakmp_buf_init(&b);
		if (ikei_delete(&t->sa, NULL, 0, &b) == 0)
			vti_send(t, &b);
		isakmp_buf_free(&b);
	}
	if (t->state != VTI_IDLE)
		log_info("%s: %s %s (%s)", t->name, t->state == VTI_ACTIVE ? "tunnel with" :
		         "attempt toward", inet_ntoa(t->peer.sin.sin_addr), why);
	if (tell_peer)
		vti_p1_old_delete(t);
	int was_active = t->state == VTI_ACTIVE;
	vti_rep_down(t, why);
	clear_session(t);
	t->state = VTI_IDLE;
	/* a tunnel that was up dials again at once; a failed attempt waits */
	t->next_at = now + (was_active ? 1 : VTI_BACKOFF);
}

void vti_connect(struct vti *t, time_t now)
{
	const struct conf_interface *c = vti_conf(t);
	const struct conf_interface *src;
	struct ikei_p1_params p;
	struct isakmp_buf b;
	struct in_addr a;

	clear_session(t);
	if (!c)
		return;
	memset(&p, 0, sizeof(p));
	ez_p1_offer(vconf, &p);
	vti_sig_offer(t, &p);
	p.natt = 1;
	memset(&t->peer, 0, sizeof(t->peer));
	t->peer.sin.sin_family = AF_INET;
	t->peer.sin.sin_port = htons(500);
	t->peer.sin.sin_addr = c->tunnel_dst;
	memset(&t->local, 0, sizeof(t->local));
	t->local.sin.sin_family = AF_INET;
	t->local.sin.sin_port = htons(500);
	/* the source's address when the file says it; else the first answer tells it */
	if (inet_pton(AF_INET, c->tunnel_source, &a) == 1)
		t->local.sin.sin_addr = a;
	else if ((src = conf_find_iface(vconf, c->tunnel_source)) && src->has_addr)
		t->local.sin.sin_addr = src->addr;
	t->id = ++ike.next_id;
	t->p1_life = p.lifetime;
	if (!(t->dh = ike_dh_new(p.group))) {
		log_warnx("%s: DH group %d unavailable", t->name, p.group);
		vti_down(t, "no DH", 0, now);
		return;
	}
	isakmp_buf_init(&b);
	int rc = ikei_mm1(&t->sa, &p, t->dh, &b);
	if (rc < 0) {
		isakmp_buf_free(&b);
		vti_down(t, ikei_strerror(rc), 0, now);
		return;
	}
	t->state = VTI_MM1;
	log_info("%s: dialling %s (main mode%s)", t->name, inet_ntoa(t->peer.sin.sin_addr),
	         p.auth == IKE_AUTHM_RSA ? ", rsa-sig" : "");
	vti_send_req(t, &b, now);
	isakmp_buf_free(&b);
}

void vti_tick(time_t now)
{
	for (int k = 0; k < CONF_MAX_IFACES; k++) {
		struct vti *t = &vtis[k];
		if (t->used)
			vti_dpd_tick(t, now);
		if (t->used && t->p1_old_del_at && t->p1_old_del_at <= now)
			vti_p1_old_delete(t);
		if (t->used && t->old_del_at && t->old_del_at <= now)
			vti_old_pair_delete(t, 1);
		/* not while a quick mode of either side is under way on the SA in use */
		if (t->used && t->state == VTI_ACTIVE && t->p1_renew_at && t->p1_renew_at <= now &&
		    !t->rekeying && !t->qr_wait3)
			vti_p1_start(t, now);
		if (!t->used || !t->next_at || t->next_at > now)
			continue;
		if (t->state == VTI_IDLE) {
			vti_connect(t, now);
		} else if (t->rtx_left > 0 && t->last) {
			t->rtx_left--;
			t->rto = t->rto < 8 ? t->rto * 2 : 8;
			t->next_at = now + t->rto;
			ike.st.retransmits++;
			ike.io.send(&t->local, &t->peer, t->port4500, t->last, t->last_len);
		} else if (t->state == VTI_ACTIVE && t->rekeying) {
			vti_down(t, "no answer to the rekey", 1, now);
		} else if (t->state != VTI_ACTIVE) {
			vti_down(t, "no answer", t->state >= VTI_QM, now);
		} else {
			t->next_at = 0;
		}
	}
}

/* Tunnels still configured keep their session; new ones dial a second from now. */
void vti_reload(const struct vpnd_conf *c)
{
	time_t now = time(NULL);

	vconf = c;
	for (int k = 0; k < CONF_MAX_IFACES; k++) {
		struct vti *t = &vtis[k];
		const struct conf_interface *ci = t->used ? vti_conf(t) : NULL;
		if (!t->used || (ci && ci->tunnel_dst.s_addr == t->dst.s_addr))
			continue;
		if (t->state >= VTI_MM1)
			vti_down(t, "no longer configured", 1, now);
		clear_session(t);
		t->used = 0;
	}
	for (int j = 0; j < c->niface && j < CONF_MAX_IFACES; j++) {
		const struct conf_interface *ci = &c->iface[j];
		int k, slot = -1;
		if (!ci->is_vti || !ci->has_tunnel_dst)
			continue;
		for (k = 0; k < CONF_MAX_IFACES; k++) {
			if (vtis[k].used && !strcmp(vtis[k].name, ci->name))
				break;
			if (!vtis[k].used && slot < 0)
				slot = k;
		}
		if (k < CONF_MAX_IFACES || slot < 0)
			continue;
		struct vti *t = &vtis[slot];
		memset(t, 0, sizeof(*t));
		t->used = 1;
		snprintf(t->name, sizeof(t->name), "%s", ci->name);
		t->tun_id = MSG_VTI_SESSION_BASE + (uint32_t)atoi(ci->name + 6);
		t->dst = ci->tunnel_dst;
		t->state = VTI_IDLE;
		t->next_at = now + 1;   /* once the other processes are up */
	}
}

void vti_init(const struct vpnd_conf *c)
{
	memset(vtis, 0, sizeof(vtis));
	vti_reload(c);
}

void vti_shutdown(void)
{
	time_t now = time(NULL);
	for (int k = 0; k < CONF_MAX_IFACES; k++)
		if (vtis[k].used && vtis[k].state >= VTI_MM1)
			vti_down(&vtis[k], "shutting down", 1, now);
	for (int k = 0; k < CONF_MAX_IFACES; k++)
		clear_session(&vtis[k]);
}
