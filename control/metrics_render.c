/*
 * The Prometheus text exposition of a metrics snapshot (format 0.0.4): HELP and TYPE before
 * each family, counters end in _total, the RADIUS latency is a histogram in seconds. Label
 * values are escaped: end reasons and names reach here from other processes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/metrics.h"
#include "radius/stats.h"

void mbuf_printf(struct mbuf *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->failed)
		return;
	for (;;) {
		size_t room = m->cap - m->len;
		va_start(ap, fmt);
		n = vsnprintf(m->b ? m->b + m->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			m->failed = 1;
			return;
		}
		if ((size_t)n < room) {
			m->len += (size_t)n;
			return;
		}
		size_t ncap = m->cap ? m->cap * 2 : 4096;
		while (ncap < m->len + (size_t)n + 1)
			ncap *= 2;
		char *nb = realloc(m->b, ncap);
		if (nb == NULL) {
			m->failed = 1;
			return;
		}
		m->b = nb;
		m->cap = ncap;
	}
}

void mbuf_free(struct mbuf *m)
{
	free(m->b);
	memset(m, 0, sizeof(*m));
}

/* A label value: backslash, double quote and newline escaped; other control bytes dropped. */
static void lv(struct mbuf *m, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '\\')
			mbuf_printf(m, "\\\\");
		else if (*c == '"')
			mbuf_printf(m, "\\\"");
		else if (*c == '\n')
			mbuf_printf(m, "\\n");
		else if (*c >= 0x20 && *c != 0x7f)
			mbuf_printf(m, "%c", *c);
	}
}

static void family(struct mbuf *m, const char *name, const char *type, const char *help)
{
	mbuf_printf(m, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct mbuf *m, const char *name, uint64_t v)
{
	mbuf_printf(m, "%s %llu\n", name, (unsigned long long)v);
}

/* name{label="value"} v */
static void sample1(struct mbuf *m, const char *name, const char *label, const char *value,
                    uint64_t v)
{
	mbuf_printf(m, "%s{%s=\"", name, label);
	lv(m, value);
	mbuf_printf(m, "\"} %llu\n", (unsigned long long)v);
}

static void sessions(struct mbuf *m, const struct metrics_snap *s)
{
	family(m, "vpnd_sessions", "gauge", "Open sessions by state, isakmp profile and group.");
	for (size_t i = 0; i < s->nsessions; i++) {
		const struct metrics_sessions *x = &s->sessions[i];
		mbuf_printf(m, "vpnd_sessions{state=\"");
		lv(m, x->state);
		mbuf_printf(m, "\",profile=\"");
		lv(m, x->profile);
		mbuf_printf(m, "\",group=\"");
		lv(m, x->group);
		mbuf_printf(m, "\"} %llu\n", (unsigned long long)x->n);
	}
	family(m, "vpnd_session_setups_total", "counter", "Sessions set up since vpnd started.");
	sample(m, "vpnd_session_setups_total", s->setups);
	family(m, "vpnd_session_ends_total", "counter",
	       "Sessions ended since vpnd started, by reason.");
	for (size_t i = 0; i < s->nends; i++)
		sample1(m, "vpnd_session_ends_total", "reason", s->ends[i].name, s->ends[i].n);
}

static void ike_packets(struct mbuf *m, const struct msg_ike_stats *k)
{
	family(m, "vpnd_ike_packets_total", "counter", "IKE datagrams ikemgr read and sent.");
	sample1(m, "vpnd_ike_packets_total", "direction", "in", k->rx);
	sample1(m, "vpnd_ike_packets_total", "direction", "out", k->tx);
	family(m, "vpnd_ike_bytes_total", "counter", "Bytes of those datagrams (IKE headers on).");
	sample1(m, "vpnd_ike_bytes_total", "direction", "in", k->rx_bytes);
	sample1(m, "vpnd_ike_bytes_total", "direction", "out", k->tx_bytes);
	family(m, "vpnd_ike_drops_total", "counter", "IKE datagrams dropped, by reason.");
	sample1(m, "vpnd_ike_drops_total", "reason", "short", k->drop_short);
	sample1(m, "vpnd_ike_drops_total", "reason", "malformed", k->drop_malformed);
	sample1(m, "vpnd_ike_drops_total", "reason", "unknown_sa", k->drop_unknown_sa);
	sample1(m, "vpnd_ike_drops_total", "reason", "bad_hash", k->drop_hash);
	sample1(m, "vpnd_ike_drops_total", "reason", "undecryptable", k->drop_decrypt);
	sample1(m, "vpnd_ike_drops_total", "reason", "wrong_state", k->drop_state);
	family(m, "vpnd_ike_refusals_total", "counter",
	       "Proposals and identities refused (NO-PROPOSAL-CHOSEN, bad ID).");
	sample1(m, "vpnd_ike_refusals_total", "reason", "no_proposal", k->no_proposal);
	sample1(m, "vpnd_ike_refusals_total", "reason", "bad_id", k->bad_id);
	family(m, "vpnd_ike_duplicates_total", "counter",
	       "Peer retransmissions answered with our last message again.");
	sample(m, "vpnd_ike_duplicates_total", k->duplicates);
	family(m, "vpnd_ike_retransmits_total", "counter", "Our own retransmissions.");
	sample(m, "vpnd_ike_retransmits_total", k->retransmits);
	family(m, "vpnd_ikev2_fragments_total", "counter",
	       "IKEv2 fragments (RFC 7383) by what became of them; reassembled counts messages.");
	sample1(m, "vpnd_ikev2_fragments_total", "event", "received", k->v2_frag_rx);
	sample1(m, "vpnd_ikev2_fragments_total", "event", "reassembled", k->v2_frag_reassembled);
	sample1(m, "vpnd_ikev2_fragments_total", "event", "sent", k->v2_frag_tx);
	sample1(m, "vpnd_ikev2_fragments_total", "event", "dropped", k->v2_frag_drop);
	sample1(m, "vpnd_ikev2_fragments_total", "event", "duplicate", k->v2_frag_dup);
	family(m, "vpnd_ike_setup_failures_total", "counter",
	       "IKE SAs that ended before their session was up, by the reason they ended.");
	for (int i = 0; i < k->nfail && i < MSG_IKE_FAIL_MAX; i++)
		sample1(m, "vpnd_ike_setup_failures_total", "reason", k->fail[i].reason,
		        k->fail[i].n);
}

static void ike(struct mbuf *m, const struct metrics_snap *s)
{
	const struct msg_adm_stats *a = &s->adm;

	family(m, "vpnd_ike_sas", "gauge", "Open IKE SAs by state (authenticated ones).");
	for (size_t i = 0; i < s->nike_states; i++)
		sample1(m, "vpnd_ike_sas", "state", s->ike_states[i].name, s->ike_states[i].n);
	if (s->have_ike)
		ike_packets(m, &s->ike);
	if (!s->have_adm)
		return;     /* ikemgr has not reported yet: no made-up zeros */
	family(m, "vpnd_ike_in_negotiation", "gauge", "IKE SAs still negotiating.");
	sample(m, "vpnd_ike_in_negotiation", (uint64_t)(a->in_negotiation > 0 ? a->in_negotiation : 0));
	family(m, "vpnd_ike_requests_total", "counter",
	       "New IKE exchanges asked for (call admission).");
	sample(m, "vpnd_ike_requests_total", a->requests);
	family(m, "vpnd_ike_accepted_total", "counter", "New IKE exchanges admitted.");
	sample(m, "vpnd_ike_accepted_total", a->accepted);
	family(m, "vpnd_ike_rejected_total", "counter", "New IKE exchanges refused, by reason.");
	sample1(m, "vpnd_ike_rejected_total", "reason", "in_negotiation_limit", a->rej_in_neg);
	sample1(m, "vpnd_ike_rejected_total", "reason", "per_peer_limit", a->rej_peer);
	sample1(m, "vpnd_ike_rejected_total", "reason", "shed_unknown_peer", a->rej_shed);
	sample1(m, "vpnd_ike_rejected_total", "reason", "sa_limit", a->rej_sa);
	sample1(m, "vpnd_ike_rejected_total", "reason", "rate", a->rej_rate);
	sample1(m, "vpnd_ike_rejected_total", "reason", "aggressive_mode_disabled",
	        a->rej_aggressive);
}

static void esp(struct mbuf *m, const struct metrics_snap *s)
{
	family(m, "vpnd_esp_packets_total", "counter",
	       "ESP packets since vpnd started: in = decapsulated, out = encapsulated.");
	sample1(m, "vpnd_esp_packets_total", "direction", "in", s->esp_pkts_in);
	sample1(m, "vpnd_esp_packets_total", "direction", "out", s->esp_pkts_out);
	family(m, "vpnd_esp_bytes_total", "counter",
	       "ESP payload bytes since vpnd started, as show crypto ipsec sa counts them.");
	sample1(m, "vpnd_esp_bytes_total", "direction", "in", s->esp_bytes_in);
	sample1(m, "vpnd_esp_bytes_total", "direction", "out", s->esp_bytes_out);
	family(m, "vpnd_esp_drops_total", "counter", "ESP packets dropped, by reason.");
	sample1(m, "vpnd_esp_drops_total", "reason", "auth", s->esp_drop_auth);
	sample1(m, "vpnd_esp_drops_total", "reason", "replay", s->esp_drop_replay);
	sample1(m, "vpnd_esp_drops_total", "reason", "recv_error", s->esp_recv_errors);
	sample1(m, "vpnd_esp_drops_total", "reason", "send_error", s->esp_send_errors);
	if (s->have_dp) {
		sample1(m, "vpnd_esp_drops_total", "reason", "unknown_spi", s->dp.drop_unknown_spi);
		sample1(m, "vpnd_esp_drops_total", "reason", "short", s->dp.drop_short);
	}
	family(m, "vpnd_interface_drops_total", "counter",
	       "Packets dropped on sessions' interfaces: outside the SA's selector, denied by an "
	       "access list, no SA, bad inner packet.");
	sample(m, "vpnd_interface_drops_total", s->session_drops);
	if (!s->have_dp)
		return;
	family(m, "vpnd_acl_drops_total", "counter",
	       "Packets denied by an access list (included in vpnd_interface_drops_total).");
	sample(m, "vpnd_acl_drops_total", s->dp.drop_acl);
	family(m, "vpnd_ike_udp4500_packets_total", "counter",
	       "IKE datagrams from UDP 4500 passed to ikemgr, or dropped with its queue full.");
	sample1(m, "vpnd_ike_udp4500_packets_total", "result", "forwarded", s->dp.ike_forwarded);
	sample1(m, "vpnd_ike_udp4500_packets_total", "result", "dropped", s->dp.ike_dropped);
}

static const char *const kinds[RADS_NKIND] = { "auth", "acct" };

static void radius_hist(struct mbuf *m, const struct msg_radius_stats *r)
{
	const char *n = "vpnd_radius_request_duration_seconds";

	family(m, n, "histogram",
	       "Time from a RADIUS request's start to its answer or last failure.");
	for (int k = 0; k < RADS_NKIND; k++) {
		uint64_t cum = 0;
		for (int b = 0; b <= MSG_RADIUS_BUCKETS; b++) {
			cum += r->lat_bucket[k][b];
			if (b < MSG_RADIUS_BUCKETS) {
				uint64_t us = rad_stats_bounds_us[b];
				mbuf_printf(m, "%s_bucket{kind=\"%s\",le=\"%llu.%03llu\"} %llu\n", n,
				            kinds[k], (unsigned long long)(us / 1000000),
				            (unsigned long long)(us % 1000000 / 1000),
				            (unsigned long long)cum);
			} else {
				mbuf_printf(m, "%s_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n", n, kinds[k],
				            (unsigned long long)cum);
			}
		}
		mbuf_printf(m, "%s_sum{kind=\"%s\"} %llu.%06llu\n", n, kinds[k],
		            (unsigned long long)(r->lat_sum_us[k] / 1000000),
		            (unsigned long long)(r->lat_sum_us[k] % 1000000));
		mbuf_printf(m, "%s_count{kind=\"%s\"} %llu\n", n, kinds[k], (unsigned long long)cum);
	}
}

static void radius(struct mbuf *m, const struct metrics_snap *s)
{
	static const char *const results[RADS_NRESULT] = {
		"accept", "reject", "challenge", "error", "accounting_response",
	};
	const struct msg_radius_stats *r = &s->radius;

	if (!s->have_radius)
		return;
	family(m, "vpnd_radius_requests_total", "counter",
	       "RADIUS requests started (authentication, accounting).");
	for (int k = 0; k < RADS_NKIND; k++)
		sample1(m, "vpnd_radius_requests_total", "kind", kinds[k], r->requests[k]);
	family(m, "vpnd_radius_results_total", "counter",
	       "RADIUS requests finished, by outcome (error: no server answered).");
	for (int i = 0; i < RADS_NRESULT; i++)
		sample1(m, "vpnd_radius_results_total", "result", results[i], r->results[i]);
	family(m, "vpnd_radius_packets_sent_total", "counter",
	       "RADIUS datagrams sent, retransmissions included.");
	for (int k = 0; k < RADS_NKIND; k++)
		sample1(m, "vpnd_radius_packets_sent_total", "kind", kinds[k], r->sent[k]);
	family(m, "vpnd_radius_retransmits_total", "counter", "RADIUS retransmissions.");
	sample(m, "vpnd_radius_retransmits_total", r->retransmits);
	family(m, "vpnd_radius_timeouts_total", "counter",
	       "RADIUS servers that never answered a request (after its retransmissions).");
	sample(m, "vpnd_radius_timeouts_total", r->timeouts);
	family(m, "vpnd_radius_failovers_total", "counter",
	       "Requests moved on to the next server of their group.");
	sample(m, "vpnd_radius_failovers_total", r->failovers);
	family(m, "vpnd_radius_replies_ignored_total", "counter",
	       "RADIUS datagrams ignored: unknown ID, wrong source, bad authenticator.");
	sample(m, "vpnd_radius_replies_ignored_total", r->ignored);
	family(m, "vpnd_radius_requests_in_flight", "gauge", "RADIUS requests waiting for an answer.");
	sample(m, "vpnd_radius_requests_in_flight", (uint64_t)(r->inflight > 0 ? r->inflight : 0));
	radius_hist(m, r);
}

static void pools(struct mbuf *m, const struct metrics_snap *s)
{
	family(m, "vpnd_pool_addresses", "gauge", "Addresses in each ip local pool.");
	for (size_t i = 0; i < s->npools; i++)
		sample1(m, "vpnd_pool_addresses", "pool", s->pools[i].name, s->pools[i].size);
	family(m, "vpnd_pool_addresses_in_use", "gauge",
	       "Addresses of each ip local pool held by open sessions.");
	for (size_t i = 0; i < s->npools; i++)
		sample1(m, "vpnd_pool_addresses_in_use", "pool", s->pools[i].name, s->pools[i].in_use);
}

int metrics_render(struct mbuf *m, const struct metrics_snap *s)
{
	sessions(m, s);
	ike(m, s);
	esp(m, s);
	radius(m, s);
	if (s->acct_queue >= 0) {
		family(m, "vpnd_accounting_queue_depth", "gauge",
		       "RADIUS accounting records waiting for a server's acknowledgement.");
		sample(m, "vpnd_accounting_queue_depth", (uint64_t)s->acct_queue);
	}
	pools(m, s);
	return m->failed ? -1 : 0;
}
