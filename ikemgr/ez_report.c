/*
 * Easy VPN remote sessions in the parent's session store, as the hub's own are: the IKE SA
 * once phase 1 is up, each IPsec SA pair as installed, the session once IPsec is up, and their
 * ends. show crypto session, isakmp sa and ipsec sa then list initiated sessions too; the
 * session's group is the ezvpn's and its profile "ezvpn NAME".
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ez_int.h"
#include "common/alg.h"

void ez_rep_ike_up(struct ez *e, const char *state)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = e->id;
	memcpy(m.cky_i, e->sa.cky_i, 8);
	memcpy(m.cky_r, e->sa.cky_r, 8);
	m.peer = e->peer;
	m.local = e->local;
	snprintf(m.state, sizeof(m.state), "%s", state);
	ike_encr_name(e->sa.encr, e->sa.keylen, m.encr, sizeof(m.encr));
	snprintf(m.hash, sizeof(m.hash), "%s", ike_hash_name(e->sa.hash));
	snprintf(m.auth, sizeof(m.auth), "psk");
	m.dh_group = e->sa.group;
	m.lifetime = 86400;
	if (!e->ike_up_at)
		e->ike_up_at = time(NULL);
	m.established = (int64_t)e->ike_up_at;
	m.caps = IKE_CAP_XAUTH | (e->cfg.addr.s_addr ? IKE_CAP_CFG : 0) |
	         (e->port4500 ? IKE_CAP_NAT : 0);
	ike.io.to_parent(IMSG_IKE_SA_UP, e->id, &m, sizeof(m));
}

void ez_rep_ipsec_up(struct ez *e, const struct ikei_qm *q)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = e->id;
	m.spi_in = q->spi_in;
	m.spi_out = q->spi_out;
	m.peer = e->peer;
	m.local = e->local;
	memcpy(m.ifname, e->ifname, sizeof(m.ifname));
	m.unit = e->unit;
	m.remote_ident.s_addr = 0;      /* the server's side: everything */
	/* ours: the inside network (network extension, as ez_exchange.c offers it) or the
	 * pushed address */
	const struct conf_ezvpn *c = ez_conf(e);
	const struct conf_interface *in = q->idci_mask.s_addr && c && c->ninside ?
	                                  conf_find_iface(ezconf, c->inside[0]) : NULL;
	if (in && in->has_addr) {
		m.local_ident.s_addr = in->addr.s_addr & in->mask.s_addr;
		m.local_ident_mask = in->mask;
	} else if (e->cfg.addr.s_addr) {
		m.local_ident = e->cfg.addr;
		m.local_ident_mask.s_addr = 0xffffffff;
	}
	snprintf(m.transform, sizeof(m.transform), "%s",
	         esp_transform_name(q->encr, q->keylen, q->auth));
	m.encap = q->udp ? ENCAP_UDP : ENCAP_RAW;
	m.iv_size = esp_iv_size(q->encr);
	m.life_seconds = q->life;
	m.life_kb = ezconf->sa_lifetime_kb;
	m.installed = (int64_t)time(NULL);
	ike.io.to_parent(IMSG_IPSEC_SA_UP, e->id, &m, sizeof(m));
}

void ez_rep_ipsec_down(struct ez *e, uint32_t spi_in, const char *why)
{
	struct msg_ipsec_sa_down m;
	memset(&m, 0, sizeof(m));
	m.session_id = e->id;
	m.spi_in = spi_in;
	snprintf(m.reason, sizeof(m.reason), "%s", why);
	ike.io.to_parent(IMSG_IPSEC_SA_DOWN, e->id, &m, sizeof(m));
}

void ez_rep_session_up(struct ez *e)
{
	const struct conf_ezvpn *c = ez_conf(e);
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = e->id;
	if (c)
		snprintf(u.group, sizeof(u.group), "%s", c->group);
	snprintf(u.profile, sizeof(u.profile), "ezvpn %.57s", e->name);
	u.peer = e->peer;
	u.local = e->local;
	u.assigned = e->cfg.addr;
	memcpy(u.ifname, e->ifname, sizeof(u.ifname));
	u.unit = e->unit;
	memcpy(&u.ike_spi_i, e->sa.cky_i, 8);
	memcpy(&u.ike_spi_r, e->sa.cky_r, 8);
	u.esp_spi_in = e->qm.spi_in;
	u.esp_spi_out = e->qm.spi_out;
	snprintf(u.transform, sizeof(u.transform), "%s",
	         esp_transform_name(e->qm.encr, e->qm.keylen, e->qm.auth));
	ike.io.to_parent(IMSG_SESSION_UP, e->id, &u, sizeof(u));
	e->session_reported = 1;
}

/* Everything reported for this attempt or session ends, with why. */
void ez_rep_down(struct ez *e, const char *why)
{
	if (e->qm.spi_out && e->ipsec_reported)
		ez_rep_ipsec_down(e, e->qm.spi_in, why);
	if (e->session_reported) {
		struct msg_session_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = e->id;
		snprintf(d.reason, sizeof(d.reason), "%s", why);
		ike.io.to_parent(IMSG_SESSION_DOWN, e->id, &d, sizeof(d));
	}
	if (e->ike_up_at) {
		struct msg_ike_sa_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = e->id;
		snprintf(d.reason, sizeof(d.reason), "%s", why);
		ike.io.to_parent(IMSG_IKE_SA_DOWN, e->id, &d, sizeof(d));
	}
	e->session_reported = e->ipsec_reported = 0;
	e->ike_up_at = 0;
}
