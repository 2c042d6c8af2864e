/*
 * Static VTI sessions in the parent's session store, as the hub's own are: the IKE SA once
 * phase 1 is up, each IPsec SA pair as installed, the session once IPsec is up, and their
 * ends. show crypto session and isakmp sa then list the tunnels; the session's interface is
 * TunnelN and its profile "vti TunnelN".
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/vti.h"
#include "common/alg.h"

void vti_rep_ike_up(struct vti *t)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = t->id;
	memcpy(m.cky_i, t->sa.cky_i, 8);
	memcpy(m.cky_r, t->sa.cky_r, 8);
	m.peer = t->peer;
	m.local = t->local;
	snprintf(m.state, sizeof(m.state), "QM_IDLE");
	ike_encr_name(t->sa.encr, t->sa.keylen, m.encr, sizeof(m.encr));
	snprintf(m.hash, sizeof(m.hash), "%s", ike_hash_name(t->sa.hash));
	snprintf(m.auth, sizeof(m.auth), "psk");
	m.dh_group = t->sa.group;
	m.lifetime = t->p1_life ? t->p1_life : 86400;
	t->ike_up_at = time(NULL);
	m.established = (int64_t)t->ike_up_at;
	m.caps = t->port4500 ? IKE_CAP_NAT : 0;
	ike.io.to_parent(IMSG_IKE_SA_UP, t->id, &m, sizeof(m));
}

void vti_rep_ipsec_up(struct vti *t, const struct ikei_qm *q)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = t->id;
	m.spi_in = q->spi_in;
	m.spi_out = q->spi_out;
	m.peer = t->peer;
	m.local = t->local;
	snprintf(m.ifname, sizeof(m.ifname), "%.15s", t->name);
	m.remote_ident.s_addr = 0;
	snprintf(m.transform, sizeof(m.transform), "%s",
	         esp_transform_name(q->encr, q->keylen, q->auth));
	m.encap = q->udp ? ENCAP_UDP : ENCAP_RAW;
	m.iv_size = esp_iv_size(q->encr);
	m.life_seconds = q->life;
	m.installed = (int64_t)time(NULL);
	ike.io.to_parent(IMSG_IPSEC_SA_UP, t->id, &m, sizeof(m));
	t->ipsec_reported = 1;
}

void vti_rep_ipsec_down(struct vti *t, uint32_t spi_in, const char *why)
{
	struct msg_ipsec_sa_down m;
	memset(&m, 0, sizeof(m));
	m.session_id = t->id;
	m.spi_in = spi_in;
	snprintf(m.reason, sizeof(m.reason), "%s", why);
	ike.io.to_parent(IMSG_IPSEC_SA_DOWN, t->id, &m, sizeof(m));
}

void vti_rep_session_up(struct vti *t)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = t->id;
	snprintf(u.profile, sizeof(u.profile), "vti %.59s", t->name);
	u.peer = t->peer;
	u.local = t->local;
	snprintf(u.ifname, sizeof(u.ifname), "%.15s", t->name);
	memcpy(&u.ike_spi_i, t->sa.cky_i, 8);
	memcpy(&u.ike_spi_r, t->sa.cky_r, 8);
	u.esp_spi_in = t->qm.spi_in;
	u.esp_spi_out = t->qm.spi_out;
	snprintf(u.transform, sizeof(u.transform), "%s",
	         esp_transform_name(t->qm.encr, t->qm.keylen, t->qm.auth));
	ike.io.to_parent(IMSG_SESSION_UP, t->id, &u, sizeof(u));
	t->session_reported = 1;
}

/* Everything reported for this attempt or session ends, with why. */
void vti_rep_down(struct vti *t, const char *why)
{
	if (t->qm.spi_out && t->ipsec_reported)
		vti_rep_ipsec_down(t, t->qm.spi_in, why);
	if (t->session_reported) {
		struct msg_session_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = t->id;
		snprintf(d.reason, sizeof(d.reason), "%s", why);
		ike.io.to_parent(IMSG_SESSION_DOWN, t->id, &d, sizeof(d));
	}
	if (t->ike_up_at) {
		struct msg_ike_sa_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = t->id;
		snprintf(d.reason, sizeof(d.reason), "%s", why);
		ike.io.to_parent(IMSG_IKE_SA_DOWN, t->id, &d, sizeof(d));
	}
	t->session_reported = t->ipsec_reported = 0;
	t->ike_up_at = 0;
}
