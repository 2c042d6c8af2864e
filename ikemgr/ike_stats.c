/*
 * ikemgr's counters for the metrics endpoint: IKE datagrams and what was dropped, and the IKE
 * SAs that ended before they became a session, by the reason they were deleted with. Sent to
 * the parent on the 1 s tick when something moved (like adm_report); control keeps the last.
 */
#include <string.h>

#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

static struct msg_ike_stats S;

void ike_stats_failed(const char *reason)
{
	int i;

	if (!strcmp(reason, "shutdown"))
		return;         /* vpnd stopping is nobody's failure */
	for (i = 0; i < S.nfail; i++)
		if (!strncmp(S.fail[i].reason, reason, sizeof(S.fail[i].reason) - 1))
			break;
	if (i == S.nfail) {
		/* reasons are a fixed set of strings; the last slot takes any beyond it */
		if (S.nfail == MSG_IKE_FAIL_MAX) {
			i = MSG_IKE_FAIL_MAX - 1;
			strcpy(S.fail[i].reason, "other");
		} else {
			S.nfail++;
			strncpy(S.fail[i].reason, reason, sizeof(S.fail[i].reason) - 1);
		}
	}
	S.fail[i].n++;
}

void ike_stats_report(void)
{
	static struct msg_ike_stats last;
	const struct ike_stats *s = &ike.st;

	S.rx = s->rx;
	S.tx = s->tx;
	S.rx_bytes = s->rx_bytes;
	S.tx_bytes = s->tx_bytes;
	S.drop_short = s->drop_short;
	S.drop_malformed = s->drop_malformed;
	S.drop_unknown_sa = s->drop_unknown_sa;
	S.drop_hash = s->drop_hash;
	S.drop_decrypt = s->drop_decrypt;
	S.drop_state = s->drop_state;
	S.no_proposal = s->no_proposal;
	S.bad_id = s->bad_id;
	S.duplicates = s->duplicates;
	S.retransmits = s->retransmits;
	S.sessions_up = s->sessions_up;
	S.sessions_down = s->sessions_down;
	S.v2_frag_rx = v2.frag_rx;
	S.v2_frag_reassembled = v2.frag_reassembled;
	S.v2_frag_tx = v2.frag_tx;
	S.v2_frag_drop = v2.frag_drop;
	S.v2_frag_dup = v2.frag_dup;
	if (!ike.io.to_parent || !memcmp(&S, &last, sizeof(S)))
		return;
	last = S;
	ike.io.to_parent(IMSG_IKE_STATS, 0, &S, sizeof(S));
}
