/*
 * Reports IKE SAs and IPsec SAs to the parent, which keeps them in the session store for
 * "show crypto isakmp sa" and "show crypto ipsec sa". The engine's files only call
 * ike_report_sync() where SAs change; this file compares the SA with what it last reported,
 * so a missed hook costs at most one tick of delay, never a wrong table (every datagram and
 * answer for an SA has it checked at the next tick, ike_sa_touch).
 *
 * Only authenticated IKE SAs (past aggressive mode) are reported: a flood of half-open
 * exchanges must not turn into database writes.
 *
 * The IPsec SA rows and the end of a session's rows belong to the session (session.h), which
 * IKEv1 and IKEv2 share; the IKE SA row's content (cookies, IOS state names) is IKEv1's here.
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
	m.session_id = sa->s.id;
	memcpy(m.cky_i, sa->cky_i, 8);
	memcpy(m.cky_r, sa->cky_r, 8);
	m.peer = sa->s.peer;
	m.local = sa->s.local;
	snprintf(m.state, sizeof(m.state), "%s", state_name(sa->state));
	ike_encr_name(sa->encr, sa->keylen, m.encr, sizeof(m.encr));
	snprintf(m.hash, sizeof(m.hash), "%s", ike_hash_name(sa->hash));
	snprintf(m.auth, sizeof(m.auth), "%s", sa->sig ? "rsig" : "psk");
	m.dh_group = sa->group;
	m.lifetime = sa->lifetime;
	/* phase 1 ends with aggressive mode's third message: the first report is that moment */
	if (!sa->s.rep_established)
		sa->s.rep_established = time(NULL);
	m.established = (int64_t)sa->s.rep_established;
	m.caps = (sa->s.policy.addr.s_addr ? IKE_CAP_CFG : 0) | (sa->peer_dpd ? IKE_CAP_DPD : 0) |
	         (sa->port4500 ? IKE_CAP_NAT : 0) | (sa->xauth ? IKE_CAP_XAUTH : 0);
	ike.io.to_parent(IMSG_IKE_SA_UP, sa->s.id, &m, sizeof(m));
	sa->s.rep_state = sa->state;
	sa->s.rep_port = sa46_port(&sa->s.peer);
}

static void report_child(struct ike_session *s, const struct ike_child *c)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = s->id;
	m.spi_in = c->spi_in;
	m.spi_out = c->spi_out;
	m.peer = s->peer;
	m.local = s->local;
	memcpy(m.ifname, s->ifname, sizeof(m.ifname));
	m.unit = s->unit;
	m.remote_ident = s->policy.addr;
	m.local_ident = c->hub_net;
	m.local_ident_mask = c->hub_mask;
	snprintf(m.transform, sizeof(m.transform), "%s",
	         esp_transform_name(c->encr, c->keylen, c->auth));
	m.encap = c->encap_mode == IPSEC_ENCAP_TUNNEL ? ENCAP_RAW : ENCAP_UDP;
	m.pfs_group = c->pfs_group;
	m.iv_size = esp_iv_size(c->encr);
	m.life_seconds = c->lifetime;
	m.life_kb = c->life_kb;
	m.installed = (int64_t)(c->created ? c->created : time(NULL));
	ike.io.to_parent(IMSG_IPSEC_SA_UP, s->id, &m, sizeof(m));
}

static int child_live(const struct ike_session *s, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->child[i].used && s->child[i].installed && s->child[i].spi_in == spi_in)
			return 1;
	return 0;
}

static int reported(const struct ike_session *s, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->rep_spi[i] == spi_in)
			return 1;
	return 0;
}

void ike_report_child_gone(struct ike_session *s, uint32_t spi_in, const char *reason)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		if (!spi_in || s->rep_spi[i] != spi_in)
			continue;
		struct msg_ipsec_sa_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = s->id;
		d.spi_in = spi_in;
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
		ike.io.to_parent(IMSG_IPSEC_SA_DOWN, s->id, &d, sizeof(d));
		s->rep_spi[i] = 0;
	}
}

/* The IPsec SA rows: gone ones closed, new ones opened once the interface they name exists. */
void ike_report_children(struct ike_session *s)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->rep_spi[i] && !child_live(s, s->rep_spi[i]))
			ike_report_child_gone(s, s->rep_spi[i], "deleted");
	if (!s->va_ready)
		return;     /* the rows name the interface: wait for it */
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		const struct ike_child *c = &s->child[i];
		if (!c->used || !c->installed || reported(s, c->spi_in))
			continue;
		for (int k = 0; k < IKE_MAX_CHILD; k++)
			if (!s->rep_spi[k]) {
				s->rep_spi[k] = c->spi_in;
				report_child(s, c);
				break;
			}
	}
}

/* IKEv1's half: the IKE SA row in IOS's words, then the session's IPsec SA rows. */
void ike_report_sync(struct ike_sa *sa)
{
	if (!reportable(sa))
		return;
	if (sa->s.rep_state != sa->state || sa->s.rep_port != sa46_port(&sa->s.peer))
		report_ike(sa);
	ike_report_children(&sa->s);
}

void ike_report_gone(struct ike_session *s, const char *reason)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->rep_spi[i])
			ike_report_child_gone(s, s->rep_spi[i], reason);
	if (!s->rep_state)
		return;
	struct msg_ike_sa_down d;
	memset(&d, 0, sizeof(d));
	d.session_id = s->id;
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	ike.io.to_parent(IMSG_IKE_SA_DOWN, s->id, &d, sizeof(d));
	s->rep_state = 0;
}
