/*
 * Reports IKE SAs and IPsec SAs to the parent, which keeps them in the session store for
 * "show crypto isakmp sa" and "show crypto ipsec sa". The engine's files only call
 * ike_report_sync() where SAs change; this file compares the SA with what it last reported,
 * so a missed hook costs at most one tick of delay, never a wrong table (every datagram and
 * answer for an SA has it checked at the next tick, ike_sa_touch).
 *
 * Only authenticated IKE SAs (past aggressive mode) are reported: a flood of half-open
 * exchanges must not turn into database writes.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "ikemgr/ikev1.h"

/* IOS names for the states of "show crypto isakmp sa". */
static const char *state_name(int st)
{
	switch (st) {
	case IKE_S_XAUTH_REQ_SENT:
	case IKE_S_XAUTH_CHECKING:
	case IKE_S_XAUTH_SET_SENT:
		return "CONF_XAUTH";
	case IKE_S_CFG_WAIT:
	case IKE_S_AUTHORIZING:
		return "CONF_ADDR";
	case IKE_S_ESTABLISHED:
		return "QM_IDLE";
	default:
		return "MM_NO_STATE";
	}
}

void ike_encr_name(int encr, int keylen, char *buf, size_t len)
{
	const struct alg_ike_encr *e = alg_ike_encr(encr);

	if (!e)
		snprintf(buf, len, "%d", encr);
	else if (e->bits[0])
		snprintf(buf, len, "%s %d", e->word, keylen ? keylen : e->key_bits);
	else
		snprintf(buf, len, "%s", e->word);
}

const char *ike_hash_name(int hash)
{
	const struct alg_ike_hash *h = alg_ike_hash(hash);
	return h ? h->word : "?";
}

int esp_iv_size(int encr)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e ? e->iv : 0;
}

static int reportable(const struct ike_sa *sa)
{
	return sa->state >= IKE_S_XAUTH_REQ_SENT && sa->state != IKE_S_DEAD;
}

static void report_ike(struct ike_sa *sa)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = sa->id;
	memcpy(m.cky_i, sa->cky_i, 8);
	memcpy(m.cky_r, sa->cky_r, 8);
	m.peer = sa->peer;
	m.local = sa->local;
	snprintf(m.state, sizeof(m.state), "%s", state_name(sa->state));
	ike_encr_name(sa->encr, sa->keylen, m.encr, sizeof(m.encr));
	snprintf(m.hash, sizeof(m.hash), "%s", ike_hash_name(sa->hash));
	snprintf(m.auth, sizeof(m.auth), "%s", sa->sig ? "rsig" : "psk");
	m.dh_group = sa->group;
	m.lifetime = sa->lifetime;
	/* phase 1 ends with aggressive mode's third message: the first report is that moment */
	if (!sa->rep_established)
		sa->rep_established = time(NULL);
	m.established = (int64_t)sa->rep_established;
	m.caps = (sa->policy.addr.s_addr ? IKE_CAP_CFG : 0) | (sa->peer_dpd ? IKE_CAP_DPD : 0) |
	         (sa->port4500 ? IKE_CAP_NAT : 0) | (sa->xauth ? IKE_CAP_XAUTH : 0);
	ike.io.to_parent(IMSG_IKE_SA_UP, sa->id, &m, sizeof(m));
	sa->rep_state = sa->state;
	sa->rep_port = sa46_port(&sa->peer);
}

static void report_child(struct ike_sa *sa, const struct ike_child *c)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = sa->id;
	m.spi_in = c->spi_in;
	m.spi_out = c->spi_out;
	m.peer = sa->peer;
	m.local = sa->local;
	memcpy(m.ifname, sa->ifname, sizeof(m.ifname));
	m.unit = sa->unit;
	m.remote_ident = sa->policy.addr;
	snprintf(m.transform, sizeof(m.transform), "%s",
	         esp_transform_name(c->encr, c->keylen, c->auth));
	m.encap = c->encap_mode == IPSEC_ENCAP_TUNNEL ? ENCAP_RAW : ENCAP_UDP;
	m.pfs_group = c->pfs_group;
	m.iv_size = esp_iv_size(c->encr);
	m.life_seconds = c->lifetime;
	m.life_kb = c->life_kb;
	m.installed = (int64_t)(c->created ? c->created : time(NULL));
	ike.io.to_parent(IMSG_IPSEC_SA_UP, sa->id, &m, sizeof(m));
}

static int child_live(const struct ike_sa *sa, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->child[i].used && sa->child[i].installed && sa->child[i].spi_in == spi_in)
			return 1;
	return 0;
}

static int reported(const struct ike_sa *sa, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->rep_spi[i] == spi_in)
			return 1;
	return 0;
}

void ike_report_child_gone(struct ike_sa *sa, uint32_t spi_in, const char *reason)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		if (!spi_in || sa->rep_spi[i] != spi_in)
			continue;
		struct msg_ipsec_sa_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = sa->id;
		d.spi_in = spi_in;
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
		ike.io.to_parent(IMSG_IPSEC_SA_DOWN, sa->id, &d, sizeof(d));
		sa->rep_spi[i] = 0;
	}
}

void ike_report_sync(struct ike_sa *sa)
{
	if (!reportable(sa))
		return;
	if (sa->rep_state != sa->state || sa->rep_port != sa46_port(&sa->peer))
		report_ike(sa);
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->rep_spi[i] && !child_live(sa, sa->rep_spi[i]))
			ike_report_child_gone(sa, sa->rep_spi[i], "deleted");
	if (!sa->va_ready)
		return;     /* the rows name the interface: wait for it */
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		const struct ike_child *c = &sa->child[i];
		if (!c->used || !c->installed || reported(sa, c->spi_in))
			continue;
		for (int k = 0; k < IKE_MAX_CHILD; k++)
			if (!sa->rep_spi[k]) {
				sa->rep_spi[k] = c->spi_in;
				report_child(sa, c);
				break;
			}
	}
}

void ike_report_gone(struct ike_sa *sa, const char *reason)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->rep_spi[i])
			ike_report_child_gone(sa, sa->rep_spi[i], reason);
	if (!sa->rep_state)
		return;
	struct msg_ike_sa_down d;
	memset(&d, 0, sizeof(d));
	d.session_id = sa->id;
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	ike.io.to_parent(IMSG_IKE_SA_DOWN, sa->id, &d, sizeof(d));
	sa->rep_state = 0;
}
