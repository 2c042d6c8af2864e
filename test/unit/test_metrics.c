/*
 * The metrics exposition without a running vpnd (control/metrics_render.c): the text of a
 * known snapshot, line for line, what is left out when a child has not reported, and every
 * sample inside the family its TYPE line announced.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "control/metrics.h"
#include "radius/stats.h"

/* ---- the renderer ---- */

static void fill(struct metrics_snap *s, struct metrics_sessions *ss, struct metrics_count *ends,
                 struct metrics_count *ike, struct metrics_pool *pools)
{
	memset(s, 0, sizeof(*s));
	snprintf(ss[0].state, sizeof(ss[0].state), "UP-ACTIVE");
	snprintf(ss[0].profile, sizeof(ss[0].profile), "p1");
	snprintf(ss[0].group, sizeof(ss[0].group), "eng");
	ss[0].n = 3;
	s->sessions = ss;
	s->nsessions = 1;
	s->setups = 7;
	snprintf(ends[0].name, sizeof(ends[0].name), "peer delete");
	ends[0].n = 3;
	snprintf(ends[1].name, sizeof(ends[1].name), "a\"b\\c\nd");
	ends[1].n = 1;
	s->ends = ends;
	s->nends = 2;
	snprintf(ike[0].name, sizeof(ike[0].name), "QM_IDLE");
	ike[0].n = 3;
	s->ike_states = ike;
	s->nike_states = 1;
	s->have_adm = 1;
	s->adm.in_negotiation = 2;
	s->adm.requests = 10;
	s->adm.accepted = 9;
	s->adm.rej_shed = 1;
	s->esp_pkts_in = 100;
	s->esp_pkts_out = 90;
	s->esp_bytes_in = 123456;
	s->esp_bytes_out = 654321;
	s->esp_drop_auth = 1;
	s->esp_drop_replay = 2;
	s->esp_recv_errors = 3;
	s->esp_send_errors = 4;
	s->session_drops = 5;
	s->have_dp = 1;
	s->dp.drop_unknown_spi = 6;
	s->dp.drop_short = 7;
	s->dp.drop_acl = 2;
	s->dp.ike_forwarded = 40;
	s->dp.ike_dropped = 0;
	s->have_radius = 1;
	s->radius.requests[RADS_AUTH] = 4;
	s->radius.requests[RADS_ACCT] = 2;
	s->radius.results[RADS_ACCEPT] = 2;
	s->radius.results[RADS_REJECT] = 1;
	s->radius.results[RADS_ERROR] = 1;
	s->radius.results[RADS_ACCT_OK] = 2;
	s->radius.sent[RADS_AUTH] = 6;
	s->radius.sent[RADS_ACCT] = 2;
	s->radius.retransmits = 2;
	s->radius.timeouts = 1;
	s->radius.failovers = 1;
	s->radius.ignored = 3;
	s->radius.inflight = 0;
	s->radius.lat_bucket[RADS_AUTH][0] = 2;     /* <= 5 ms */
	s->radius.lat_bucket[RADS_AUTH][3] = 1;     /* <= 50 ms */
	s->radius.lat_bucket[RADS_AUTH][9] = 1;     /* <= 5 s */
	s->radius.lat_sum_us[RADS_AUTH] = 2056000;
	s->radius.lat_bucket[RADS_ACCT][10] = 2;    /* +Inf */
	s->radius.lat_sum_us[RADS_ACCT] = 12000001;
	s->have_ike = 1;
	s->ike.rx = 20;
	s->ike.tx = 18;
	s->ike.rx_bytes = 5000;
	s->ike.tx_bytes = 4000;
	s->ike.drop_short = 1;
	s->ike.drop_malformed = 2;
	s->ike.drop_unknown_sa = 3;
	s->ike.drop_hash = 4;
	s->ike.drop_decrypt = 5;
	s->ike.drop_state = 6;
	s->ike.no_proposal = 7;
	s->ike.bad_id = 8;
	s->ike.duplicates = 9;
	s->ike.retransmits = 10;
	s->ike.v2_frag_rx = 11;
	s->ike.v2_frag_reassembled = 4;
	s->ike.v2_frag_tx = 12;
	s->ike.v2_frag_drop = 3;
	s->ike.v2_frag_dup = 1;
	s->ike.nfail = 2;
	snprintf(s->ike.fail[0].reason, sizeof(s->ike.fail[0].reason), "authentication failed");
	s->ike.fail[0].n = 2;
	snprintf(s->ike.fail[1].reason, sizeof(s->ike.fail[1].reason), "phase 1 timeout");
	s->ike.fail[1].n = 1;
	s->acct_queue = 2;
	snprintf(pools[0].name, sizeof(pools[0].name), "pool1");
	pools[0].size = 11;
	pools[0].in_use = 3;
	s->pools = pools;
	s->npools = 1;
}

static const char expected[] =
	"# HELP vpnd_sessions Open sessions by state, isakmp profile and group.\n"
	"# TYPE vpnd_sessions gauge\n"
	"vpnd_sessions{state=\"UP-ACTIVE\",profile=\"p1\",group=\"eng\"} 3\n"
	"# HELP vpnd_session_setups_total Sessions set up since vpnd started.\n"
	"# TYPE vpnd_session_setups_total counter\n"
	"vpnd_session_setups_total 7\n"
	"# HELP vpnd_session_ends_total Sessions ended since vpnd started, by reason.\n"
	"# TYPE vpnd_session_ends_total counter\n"
	"vpnd_session_ends_total{reason=\"peer delete\"} 3\n"
	"vpnd_session_ends_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n"
	"# HELP vpnd_ike_sas Open IKE SAs by state (authenticated ones).\n"
	"# TYPE vpnd_ike_sas gauge\n"
	"vpnd_ike_sas{state=\"QM_IDLE\"} 3\n"
	"# HELP vpnd_ike_packets_total IKE datagrams ikemgr read and sent.\n"
	"# TYPE vpnd_ike_packets_total counter\n"
	"vpnd_ike_packets_total{direction=\"in\"} 20\n"
	"vpnd_ike_packets_total{direction=\"out\"} 18\n"
	"# HELP vpnd_ike_bytes_total Bytes of those datagrams (IKE headers on).\n"
	"# TYPE vpnd_ike_bytes_total counter\n"
	"vpnd_ike_bytes_total{direction=\"in\"} 5000\n"
	"vpnd_ike_bytes_total{direction=\"out\"} 4000\n"
	"# HELP vpnd_ike_drops_total IKE datagrams dropped, by reason.\n"
	"# TYPE vpnd_ike_drops_total counter\n"
	"vpnd_ike_drops_total{reason=\"short\"} 1\n"
	"vpnd_ike_drops_total{reason=\"malformed\"} 2\n"
	"vpnd_ike_drops_total{reason=\"unknown_sa\"} 3\n"
	"vpnd_ike_drops_total{reason=\"bad_hash\"} 4\n"
	"vpnd_ike_drops_total{reason=\"undecryptable\"} 5\n"
	"vpnd_ike_drops_total{reason=\"wrong_state\"} 6\n"
	"# HELP vpnd_ike_refusals_total Proposals and identities refused (NO-PROPOSAL-CHOSEN, bad ID).\n"
	"# TYPE vpnd_ike_refusals_total counter\n"
	"vpnd_ike_refusals_total{reason=\"no_proposal\"} 7\n"
	"vpnd_ike_refusals_total{reason=\"bad_id\"} 8\n"
	"# HELP vpnd_ike_duplicates_total Peer retransmissions answered with our last message again.\n"
	"# TYPE vpnd_ike_duplicates_total counter\n"
	"vpnd_ike_duplicates_total 9\n"
	"# HELP vpnd_ike_retransmits_total Our own retransmissions.\n"
	"# TYPE vpnd_ike_retransmits_total counter\n"
	"vpnd_ike_retransmits_total 10\n"
	"# HELP vpnd_ikev2_fragments_total IKEv2 fragments (RFC 7383) by what became of them; reassembled counts messages.\n"
	"# TYPE vpnd_ikev2_fragments_total counter\n"
	"vpnd_ikev2_fragments_total{event=\"received\"} 11\n"
	"vpnd_ikev2_fragments_total{event=\"reassembled\"} 4\n"
	"vpnd_ikev2_fragments_total{event=\"sent\"} 12\n"
	"vpnd_ikev2_fragments_total{event=\"dropped\"} 3\n"
	"vpnd_ikev2_fragments_total{event=\"duplicate\"} 1\n"
	"# HELP vpnd_ike_setup_failures_total IKE SAs that ended before their session was up, by the reason they ended.\n"
	"# TYPE vpnd_ike_setup_failures_total counter\n"
	"vpnd_ike_setup_failures_total{reason=\"authentication failed\"} 2\n"
	"vpnd_ike_setup_failures_total{reason=\"phase 1 timeout\"} 1\n"
	"# HELP vpnd_ike_in_negotiation IKE SAs still negotiating.\n"
	"# TYPE vpnd_ike_in_negotiation gauge\n"
	"vpnd_ike_in_negotiation 2\n"
	"# HELP vpnd_ike_requests_total New IKE exchanges asked for (call admission).\n"
	"# TYPE vpnd_ike_requests_total counter\n"
	"vpnd_ike_requests_total 10\n"
	"# HELP vpnd_ike_accepted_total New IKE exchanges admitted.\n"
	"# TYPE vpnd_ike_accepted_total counter\n"
	"vpnd_ike_accepted_total 9\n"
	"# HELP vpnd_ike_rejected_total New IKE exchanges refused, by reason.\n"
	"# TYPE vpnd_ike_rejected_total counter\n"
	"vpnd_ike_rejected_total{reason=\"in_negotiation_limit\"} 0\n"
	"vpnd_ike_rejected_total{reason=\"per_peer_limit\"} 0\n"
	"vpnd_ike_rejected_total{reason=\"shed_unknown_peer\"} 1\n"
	"vpnd_ike_rejected_total{reason=\"sa_limit\"} 0\n"
	"vpnd_ike_rejected_total{reason=\"rate\"} 0\n"
	"vpnd_ike_rejected_total{reason=\"aggressive_mode_disabled\"} 0\n"
	"# HELP vpnd_esp_packets_total ESP packets since vpnd started: in = decapsulated, out = encapsulated.\n"
	"# TYPE vpnd_esp_packets_total counter\n"
	"vpnd_esp_packets_total{direction=\"in\"} 100\n"
	"vpnd_esp_packets_total{direction=\"out\"} 90\n"
	"# HELP vpnd_esp_bytes_total ESP payload bytes since vpnd started, as show crypto ipsec sa counts them.\n"
	"# TYPE vpnd_esp_bytes_total counter\n"
	"vpnd_esp_bytes_total{direction=\"in\"} 123456\n"
	"vpnd_esp_bytes_total{direction=\"out\"} 654321\n"
	"# HELP vpnd_esp_drops_total ESP packets dropped, by reason.\n"
	"# TYPE vpnd_esp_drops_total counter\n"
	"vpnd_esp_drops_total{reason=\"auth\"} 1\n"
	"vpnd_esp_drops_total{reason=\"replay\"} 2\n"
	"vpnd_esp_drops_total{reason=\"recv_error\"} 3\n"
	"vpnd_esp_drops_total{reason=\"send_error\"} 4\n"
	"vpnd_esp_drops_total{reason=\"unknown_spi\"} 6\n"
	"vpnd_esp_drops_total{reason=\"short\"} 7\n"
	"# HELP vpnd_interface_drops_total Packets dropped on sessions' interfaces: outside the SA's selector, denied by an access list, no SA, bad inner packet.\n"
	"# TYPE vpnd_interface_drops_total counter\n"
	"vpnd_interface_drops_total 5\n"
	"# HELP vpnd_acl_drops_total Packets denied by an access list (included in vpnd_interface_drops_total).\n"
	"# TYPE vpnd_acl_drops_total counter\n"
	"vpnd_acl_drops_total 2\n"
	"# HELP vpnd_ike_udp4500_packets_total IKE datagrams from UDP 4500 passed to ikemgr, or dropped with its queue full.\n"
	"# TYPE vpnd_ike_udp4500_packets_total counter\n"
	"vpnd_ike_udp4500_packets_total{result=\"forwarded\"} 40\n"
	"vpnd_ike_udp4500_packets_total{result=\"dropped\"} 0\n"
	"# HELP vpnd_radius_requests_total RADIUS requests started (authentication, accounting).\n"
	"# TYPE vpnd_radius_requests_total counter\n"
	"vpnd_radius_requests_total{kind=\"auth\"} 4\n"
	"vpnd_radius_requests_total{kind=\"acct\"} 2\n"
	"# HELP vpnd_radius_results_total RADIUS requests finished, by outcome (error: no server answered).\n"
	"# TYPE vpnd_radius_results_total counter\n"
	"vpnd_radius_results_total{result=\"accept\"} 2\n"
	"vpnd_radius_results_total{result=\"reject\"} 1\n"
	"vpnd_radius_results_total{result=\"challenge\"} 0\n"
	"vpnd_radius_results_total{result=\"error\"} 1\n"
	"vpnd_radius_results_total{result=\"accounting_response\"} 2\n"
	"# HELP vpnd_radius_packets_sent_total RADIUS datagrams sent, retransmissions included.\n"
	"# TYPE vpnd_radius_packets_sent_total counter\n"
	"vpnd_radius_packets_sent_total{kind=\"auth\"} 6\n"
	"vpnd_radius_packets_sent_total{kind=\"acct\"} 2\n"
	"# HELP vpnd_radius_retransmits_total RADIUS retransmissions.\n"
	"# TYPE vpnd_radius_retransmits_total counter\n"
	"vpnd_radius_retransmits_total 2\n"
	"# HELP vpnd_radius_timeouts_total RADIUS servers that never answered a request (after its retransmissions).\n"
	"# TYPE vpnd_radius_timeouts_total counter\n"
	"vpnd_radius_timeouts_total 1\n"
	"# HELP vpnd_radius_failovers_total Requests moved on to the next server of their group.\n"
	"# TYPE vpnd_radius_failovers_total counter\n"
	"vpnd_radius_failovers_total 1\n"
	"# HELP vpnd_radius_replies_ignored_total RADIUS datagrams ignored: unknown ID, wrong source, bad authenticator.\n"
	"# TYPE vpnd_radius_replies_ignored_total counter\n"
	"vpnd_radius_replies_ignored_total 3\n"
	"# HELP vpnd_radius_requests_in_flight RADIUS requests waiting for an answer.\n"
	"# TYPE vpnd_radius_requests_in_flight gauge\n"
	"vpnd_radius_requests_in_flight 0\n"
	"# HELP vpnd_radius_request_duration_seconds Time from a RADIUS request's start to its answer or last failure.\n"
	"# TYPE vpnd_radius_request_duration_seconds histogram\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.005\"} 2\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.010\"} 2\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.025\"} 2\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.050\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.100\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.250\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"0.500\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"1.000\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"2.500\"} 3\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"5.000\"} 4\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"auth\",le=\"+Inf\"} 4\n"
	"vpnd_radius_request_duration_seconds_sum{kind=\"auth\"} 2.056000\n"
	"vpnd_radius_request_duration_seconds_count{kind=\"auth\"} 4\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.005\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.010\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.025\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.050\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.100\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.250\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"0.500\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"1.000\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"2.500\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"5.000\"} 0\n"
	"vpnd_radius_request_duration_seconds_bucket{kind=\"acct\",le=\"+Inf\"} 2\n"
	"vpnd_radius_request_duration_seconds_sum{kind=\"acct\"} 12.000001\n"
	"vpnd_radius_request_duration_seconds_count{kind=\"acct\"} 2\n"
	"# HELP vpnd_accounting_queue_depth RADIUS accounting records waiting for a server's acknowledgement.\n"
	"# TYPE vpnd_accounting_queue_depth gauge\n"
	"vpnd_accounting_queue_depth 2\n"
	"# HELP vpnd_pool_addresses Addresses in each ip local pool.\n"
	"# TYPE vpnd_pool_addresses gauge\n"
	"vpnd_pool_addresses{pool=\"pool1\"} 11\n"
	"# HELP vpnd_pool_addresses_in_use Addresses of each ip local pool held by open sessions.\n"
	"# TYPE vpnd_pool_addresses_in_use gauge\n"
	"vpnd_pool_addresses_in_use{pool=\"pool1\"} 3\n";

Test(render, known_snapshot_exact_text)
{
	struct metrics_snap s;
	struct metrics_sessions ss[1];
	struct metrics_count ends[2], ike[1];
	struct metrics_pool pools[1];
	struct mbuf m = { 0 };

	fill(&s, ss, ends, ike, pools);
	cr_assert_eq(metrics_render(&m, &s), 0);
	cr_assert_eq(m.len, strlen(expected), "length %zu, expected %zu:\n%.*s", m.len,
	             strlen(expected), (int)m.len, m.b);
	cr_assert_eq(memcmp(m.b, expected, m.len), 0, "got:\n%.*s", (int)m.len, m.b);
	mbuf_free(&m);
}

/* What the children have not reported is left out, not shown as zeros. */
Test(render, unreported_families_absent)
{
	struct metrics_snap s;
	struct metrics_sessions ss[1];
	struct metrics_count ends[2], ike[1];
	struct metrics_pool pools[1];
	struct mbuf m = { 0 };

	fill(&s, ss, ends, ike, pools);
	s.have_adm = s.have_radius = s.have_dp = s.have_ike = 0;
	s.acct_queue = -1;
	cr_assert_eq(metrics_render(&m, &s), 0);
	mbuf_printf(&m, "%c", '\0');
	cr_assert_null(strstr(m.b, "vpnd_ike_requests_total"));
	cr_assert_null(strstr(m.b, "vpnd_ike_packets_total"));
	cr_assert_null(strstr(m.b, "vpnd_radius_"));
	cr_assert_null(strstr(m.b, "vpnd_accounting_queue_depth"));
	cr_assert_null(strstr(m.b, "unknown_spi"));
	cr_assert_not_null(strstr(m.b, "vpnd_esp_bytes_total{direction=\"in\"} 123456\n"));
	cr_assert_not_null(strstr(m.b, "vpnd_pool_addresses_in_use{pool=\"pool1\"} 3\n"));
	mbuf_free(&m);
}

/* Every sample line belongs to the family its TYPE line announced (exposition rule). */
Test(render, families_in_order)
{
	struct metrics_snap s;
	struct metrics_sessions ss[1];
	struct metrics_count ends[2], ike[1];
	struct metrics_pool pools[1];
	struct mbuf m = { 0 };
	char family[128] = "";

	fill(&s, ss, ends, ike, pools);
	cr_assert_eq(metrics_render(&m, &s), 0);
	mbuf_printf(&m, "%c", '\0');
	for (char *save = NULL, *l = strtok_r(m.b, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "# TYPE ", 7)) {
			sscanf(l + 7, "%127s", family);
			continue;
		}
		if (l[0] == '#')
			continue;
		size_t n = strlen(family);
		cr_assert(n && !strncmp(l, family, n), "'%s' outside its family %s", l, family);
		const char *rest = l + n;
		if (!strncmp(rest, "_bucket", 7) || !strncmp(rest, "_sum", 4) || !strncmp(rest, "_count", 6))
			continue;
		cr_assert(*rest == '{' || *rest == ' ', "'%s' is not a sample of %s", l, family);
	}
	mbuf_free(&m);
}
