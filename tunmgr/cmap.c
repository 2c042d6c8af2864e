/*
 * Crypto maps with manual keys (crypto map NAME SEQ ipsec-manual): each entry is a session
 * of its own (struct va, session id CM_SESSION_BASE + N) on a TUN device cmN, alias
 * "CryptoMap-NAME-SEQ", its SA pair installed from keymgr's IMSG_MANUAL_SA instead of
 * ikemgr's quick mode, so send.c, receive.c and esp.c carry it as any other session.
 *
 * Traffic is steered by policy routing rather than the main table, so that only what the
 * entry's first permit ACE names (from SRC to DST) enters the tunnel and the rest of the
 * host's traffic to DST, or from SRC elsewhere, is untouched: table CM_TABLE_BASE + N holds
 * "DST dev cmN", and the rule "from SRC to DST lookup CM_TABLE_BASE + N" has priority
 * CM_RULE_PRIO. The route goes with the device; the rule is deleted at stop and swept at
 * start (a crash leaves it).
 *
 * Manual SAs are never rekeyed: when the outbound sequence number would pass 2^32 - 1 (no
 * ESN), esp_encap refuses (ESP_ERR_SEQ) and the entry sends nothing more until both ends
 * are restarted with new keys, as RFC 4303 3.3.3 requires.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/log.h"
#include "tunmgr/cmcheck.h"
#include "tunmgr/netlink.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tun.h"
#include "tunmgr/tunmgr.h"

struct cm_session {
	char           map[64];
	int            seq;
	int            n;               /* cmN, table CM_TABLE_BASE + N */
	struct cm_plan plan;
	uint32_t       spi_in, spi_out;
	uint8_t        digest[sizeof(struct msg_manual_sa)];   /* the keys as installed */
	int            ruled;           /* our rule is in the kernel */
	uint64_t       drop_mirror;     /* decrypted packets outside the mirrored ACE */
	struct msg_cm_sa report;        /* what the store was told (IMSG_CM_SA_UP) */
	int            reported;
};

static uint8_t cm_used[CONF_MAX_CMAPS];
static uint64_t cm_refused;

/* Keys refused against the configuration tunmgr has now: keymgr sends after a reload as
 * tunmgr does its own, in either order, so they are tried again once ours is reloaded. */
static struct msg_manual_sa parked[CONF_MAX_CMAPS];
static int nparked;

static void park(const struct msg_manual_sa *m)
{
	int k;
	if (!memchr(m->map, 0, sizeof(m->map)))
		return;
	for (k = 0; k < nparked; k++)
		if (parked[k].seq == m->seq && !strcmp(parked[k].map, m->map))
			break;
	if (k == CONF_MAX_CMAPS)
		return;
	parked[k] = *m;
	if (k == nparked)
		nparked++;
}

static struct va *cm_find(const char *map, int seq)
{
	struct va *v;
	LIST_FOREACH(v, &dp.vas, entry)
		if (v->cm && v->cm->seq == seq && !strcmp(v->cm->map, map))
			return v;
	return NULL;
}

static struct sa_in *cm_sa_in(struct va *v, const struct cm_plan *p, const struct msg_manual_sa *m)
{
	struct sa_in *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->esp = esp_sa_new(p->encr, m->enc_in, (size_t)m->enc_len, p->auth, m->auth_in,
	                    (size_t)m->auth_len, htonl(m->spi_in), p->replay_window);
	if (!s->esp) {
		free(s);
		return NULL;
	}
	s->va = v;
	s->spi = htonl(m->spi_in);
	s->spi_out = htonl(m->spi_out);
	/* inbound the ACE mirrored: sources in DST (receive.c checks it), destinations in SRC
	 * (cm_inbound) */
	s->net = p->dst;
	s->mask = p->dstmask;
	s->created = time(NULL);
	if (sadb_insert(dp.sadb, s->spi, s) < 0) {
		esp_sa_free(s->esp);
		free(s);
		return NULL;
	}
	sa_life_start(s);       /* no lifetimes: the timer never fires, sa_in_free closes it */
	return s;
}

/* IOS's transform words ("esp-aes 256 esp-sha-hmac"), as ikemgr reports a negotiated SA */
static const char *cm_transform(const struct cm_plan *p, char *buf, size_t len)
{
	const struct alg_esp_encr *e = alg_esp_encr(p->encr);
	const struct alg_esp_auth *a = alg_esp_auth(p->auth);
	char bits[8] = "";

	if (e && e->bits[0] && p->keylen_bits)
		snprintf(bits, sizeof(bits), " %d", p->keylen_bits);
	snprintf(buf, len, "%s%s %s", e ? e->word : "esp", bits, a ? a->word : "");
	return buf;
}

/* What the store is told of the entry: everything show crypto ipsec sa prints of it. */
static void cm_report_fill(struct va *v, const struct cm_plan *p, const struct msg_manual_sa *m)
{
	struct msg_cm_sa *r = &v->cm->report;
	memset(r, 0, sizeof(*r));
	r->sa.session_id = v->session_id;
	r->sa.spi_in = htonl(m->spi_in);
	r->sa.spi_out = htonl(m->spi_out);
	r->sa.peer = v->peer;
	sa46_from4(&r->sa.local, p->iface && p->iface->has_addr ? p->iface->addr
	                                                        : (struct in_addr){ 0 }, 0);
	snprintf(r->sa.ifname, sizeof(r->sa.ifname), "%s", v->ifname);
	r->sa.remote_ident = p->dst;
	cm_transform(p, r->sa.transform, sizeof(r->sa.transform));
	r->sa.encap = ENCAP_RAW;
	r->sa.iv_size = alg_esp_encr(p->encr) ? alg_esp_encr(p->encr)->iv : 0;
	r->sa.installed = (int64_t)time(NULL);
	snprintf(r->map, sizeof(r->map), "%s", m->map);
	r->seq = m->seq;
	if (p->iface)
		snprintf(r->iface, sizeof(r->iface), "%s", p->iface->name);
	r->local_net = p->src;
	r->local_mask = p->srcmask;
	r->remote_mask = p->dstmask;
}

static void cm_refuse(const struct msg_manual_sa *m, const char *why)
{
	cm_refused++;
	log_warnx("crypto map %.63s %d: manual SA refused: %s (%llu refused so far; tried "
	          "again after the next reload)", m->map,
	          m->seq, why, (unsigned long long)cm_refused);
}

void cm_manual_sa(const struct msg_manual_sa *m)
{
	struct cm_plan p;
	char why[160];
	int rc = cm_check(dp.conf, m, &p, why, sizeof(why));
	if (rc < 0) {
		cm_refuse(m, why);
		park(m);
		return;
	}
	struct va *old = cm_find(m->map, m->seq);
	if (old && !memcmp(old->cm->digest, m, sizeof(*m)) &&
	    !memcmp(&old->cm->plan.peer, &p.peer, sizeof(p.peer)) &&
	    old->cm->plan.src.s_addr == p.src.s_addr && old->cm->plan.dst.s_addr == p.dst.s_addr &&
	    old->cm->plan.src_len == p.src_len && old->cm->plan.dst_len == p.dst_len &&
	    old->cm->plan.encr == p.encr && old->cm->plan.auth == p.auth)
		return;         /* a reload that left the entry as it was: its counters go on */
	if (old)
		va_destroy(old->session_id);
	if (p.extra_permits)
		log_warnx("crypto map %s %d: access list %s has %d more permit entries, ignored "
		          "(a manual entry carries its first one)", m->map, m->seq,
		          p.e->match_acl, p.extra_permits);
	int n = 0;
	while (n < CONF_MAX_CMAPS && cm_used[n])
		n++;
	struct cm_session *cm = calloc(1, sizeof(*cm));
	if (n == CONF_MAX_CMAPS || !cm) {
		free(cm);
		cm_refuse(m, "no free cmN");
		return;
	}
	snprintf(cm->map, sizeof(cm->map), "%s", m->map);
	cm->seq = m->seq;
	cm->n = n;
	cm->plan = p;
	cm->plan.e = NULL;              /* pointers into a configuration a reload replaces */
	cm->plan.iface = NULL;
	memcpy(cm->digest, m, sizeof(*m));
	struct va *v = va_new(CM_SESSION_BASE + (uint32_t)n, 0);
	if (!v) {
		explicit_bzero(cm, sizeof(*cm));
		free(cm);
		cm_refuse(m, "no free interface unit");
		return;
	}
	cm_used[n] = 1;
	/* cmN is not a Virtual-Access: its unit goes back, so the hub's vaN keep their numbers */
	dp.units[v->unit] = 0;
	if (v->unit < dp.unit_hint)
		dp.unit_hint = v->unit;
	v->unit = 0;
	v->cm = cm;
	snprintf(v->ifname, sizeof(v->ifname), "cm%d", n);
	v->encap = ENCAP_RAW;
	sa46_from4(&v->peer, p.peer, 0);
	v->client = p.dst;
	v->client_plen = p.dst_len;
	struct sa_in *s = cm_sa_in(v, &p, m);
	struct esp_sa *out = esp_sa_new(p.encr, m->enc_out, (size_t)m->enc_len, p.auth,
	                                m->auth_out, (size_t)m->auth_len, htonl(m->spi_out), 0);
	if (!s || !out) {
		if (s)
			sa_in_free(s);
		esp_sa_free(out);
		va_destroy(v->session_id);
		cm_refuse(m, "cannot set up the SAs (SPI in use, or out of memory)");
		return;
	}
	v->in[0] = s;
	v->outs[0] = (struct va_out){ .net = p.dst, .mask = p.dstmask, .out = out,
	                              .out_spi = htonl(m->spi_out) };
	v->nouts = 1;
	log_info("crypto map %s %d: manual SAs in %08x, out %08x with %s on %s", m->map, m->seq,
	         m->spi_in, m->spi_out, inet_ntoa(p.peer), v->ifname);
	cm_report_fill(v, &p, m);
	va_open(v);
}

/* In place of va_configure: the device, its route in the entry's table, the rule. */
void cm_configure(struct va *v, int fd)
{
	struct cm_session *cm = v->cm;
	unsigned offloads;
	char alias[96], src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	int rc = tun_attach_vnet(fd, v->ifname, &v->ifindex, NULL, &offloads);
	if (rc < 0) {
		log_warnx("cannot create %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	v->fd = rc;
	v->vnet = 1;
	snprintf(alias, sizeof(alias), "CryptoMap-%s-%d", cm->map, cm->seq);
	int mtu = 1500 - 20 - (int)esp_overhead_max(cm->plan.encr, cm->plan.auth);
	nl_link_no_ipv6(dp.nl, v->ifindex);     /* before it is up; fails only without IPv6 */
	if ((rc = nl_link_set_alias(dp.nl, v->ifindex, alias)) < 0 ||
	    (rc = nl_link_set(dp.nl, v->ifindex, 1, mtu)) < 0 ||
	    (rc = nl_table_route_add(dp.nl, v->ifindex, cm->plan.dst, cm->plan.dst_len,
	                             CM_TABLE_BASE + (uint32_t)cm->n)) < 0) {
		log_warnx("cannot configure %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	struct nl_rule_sel r = { cm->plan.src, cm->plan.dst, cm->plan.src_len, cm->plan.dst_len,
	                         CM_TABLE_BASE + (uint32_t)cm->n, CM_RULE_PRIO };
	if ((rc = nl_rule(dp.nl, 1, &r)) < 0) {
		log_warnx("%s: cannot add the policy rule: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	cm->ruled = 1;
	/* the store shows the entry once its device carries traffic, as ACTIVE */
	imsg_compose(&dp.parent, IMSG_CM_SA_UP, v->session_id, -1, &cm->report,
	             sizeof(cm->report));
	cm->reported = 1;
	uv_poll_init(dp.loop, &v->poll, v->fd);
	v->poll.data = v;
	uv_poll_start(&v->poll, UV_READABLE, on_tun);
	v->polling = 1;
	inet_ntop(AF_INET, &cm->plan.src, src, sizeof(src));
	inet_ntop(AF_INET, &cm->plan.dst, dst, sizeof(dst));
	log_info("%s (%s) up, mtu %d: from %s/%d to %s/%d lookup table %u (rule priority %u)",
	         v->ifname, alias, mtu, src, cm->plan.src_len, dst, cm->plan.dst_len,
	         CM_TABLE_BASE + cm->n, CM_RULE_PRIO);
	return;
fail:
	va_destroy(v->session_id);
}

/* A decrypted packet's destination must lie in the ACE's source network (mirrored). */
int cm_inbound(struct va *v, uint32_t src, uint32_t dst)
{
	struct cm_session *cm = v->cm;
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	if ((dst & cm->plan.srcmask.s_addr) == cm->plan.src.s_addr)
		return 1;
	cm->drop_mirror++;
	log_rl("%s: packet from %s to %s outside the mirrored access list dropped (%llu so far)",
	       v->ifname, inet_ntop(AF_INET, &src, s, sizeof(s)), inet_ntop(AF_INET, &dst, d, sizeof(d)),
	       (unsigned long long)cm->drop_mirror);
	return 0;
}

/* From va_destroy: the rule (the table's route goes with the device) and the entry. */
void cm_teardown(struct va *v)
{
	struct cm_session *cm = v->cm;
	if (cm->reported) {
		struct msg_ipsec_sa_down d = { .session_id = v->session_id,
		                               .spi_in = cm->report.sa.spi_in };
		snprintf(d.reason, sizeof(d.reason), "removed");
		for (int i = 0; i < VA_MAX_IN; i++)
			if (v->in[i])
				sa_counters(v, v->in[i], 1);    /* the last figures before the end */
		imsg_compose(&dp.parent, IMSG_CM_SA_DOWN, v->session_id, -1, &d, sizeof(d));
	}
	if (cm->ruled && dp.nl >= 0) {
		struct nl_rule_sel r = { cm->plan.src, cm->plan.dst, cm->plan.src_len,
		                         cm->plan.dst_len, CM_TABLE_BASE + (uint32_t)cm->n,
		                         CM_RULE_PRIO };
		int rc = nl_rule(dp.nl, 0, &r);
		if (rc < 0)
			log_warnx("%s: cannot delete its policy rule: %s", v->ifname, strerror(-rc));
	}
	log_info("%s (crypto map %s %d) removed: %llu packets in, %llu out; dropped: %llu ICV, "
	         "%llu replay, %llu outside the mirrored ACL, %llu other", v->ifname, cm->map,
	         cm->seq, (unsigned long long)v->pkts_in, (unsigned long long)v->pkts_out,
	         (unsigned long long)v->drop_auth, (unsigned long long)v->drop_replay,
	         (unsigned long long)cm->drop_mirror, (unsigned long long)v->drop_other);
	cm_used[cm->n] = 0;
	explicit_bzero(cm, sizeof(*cm));
	free(cm);
	v->cm = NULL;
}

/* After a reload: entries gone from the configuration, or whose SPIs changed, go; keys
 * refused before are tried again. Changed keys come from keymgr (cm_manual_sa replaces the
 * entry). */
void cm_reloaded(void)
{
	struct va *v, *next;
	for (v = LIST_FIRST(&dp.vas); v; v = next) {
		next = LIST_NEXT(v, entry);
		if (!v->cm)
			continue;
		struct cm_plan p;
		char why[160];
		struct msg_manual_sa *m = (struct msg_manual_sa *)v->cm->digest;
		if (cm_check(dp.conf, m, &p, why, sizeof(why)) < 0) {
			log_info("%s: crypto map %s %d: %s after the reload, removed", v->ifname,
			         v->cm->map, v->cm->seq, why);
			va_destroy(v->session_id);
		}
	}
	static struct msg_manual_sa retry[CONF_MAX_CMAPS];
	int n = nparked;
	memcpy(retry, parked, sizeof(retry[0]) * (size_t)n);
	explicit_bzero(parked, sizeof(parked));
	nparked = 0;
	for (int k = 0; k < n; k++)
		cm_manual_sa(&retry[k]);
	explicit_bzero(retry, sizeof(retry));
}

void cm_start(void)
{
	int n = nl_rule_sweep(dp.nl, CM_RULE_PRIO, 4 * CONF_MAX_CMAPS);
	if (n > 0)
		log_info("%d crypto map policy rule%s left by an earlier run removed", n,
		         n == 1 ? "" : "s");
	else if (n < 0)
		log_warnx("cannot sweep crypto map policy rules: %s", strerror(-n));
}
