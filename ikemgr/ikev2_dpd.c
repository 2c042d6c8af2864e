/*
 * Liveness checks started by the hub (RFC 7296 1.4, 2.4), as IOS's profile `dpd INTERVAL RETRY
 * on-demand|periodic` asks: an empty INFORMATIONAL request when nothing came from the peer
 * for INTERVAL seconds (periodic), or only when we have been sending to it meanwhile
 * (on-demand, so an idle session costs nothing); retransmitted every RETRY seconds, and after
 * IKEV2_DPD_TRIES unanswered tries the peer is dead and its session ends.
 *
 * Our requests have their own message IDs (next_out); the peer's answer is checked like any
 * protected message before it counts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define IKEV2_DPD_TRIES 5

static time_t heard_at(const struct ikev2_sa *sa)
{
	return sa->s.esp_in_at > sa->last_rx ? sa->s.esp_in_at : sa->last_rx;
}

time_t ikev2_dpd_deadline(const struct ikev2_sa *sa)
{
	const struct conf_ikev2_profile *p = sa->s.v2profile;
	if (!p || p->dpd_interval <= 0 || sa->state != V2_S_ESTABLISHED || sa->s.superseded)
		return 0;
	if (sa->dpd_tries)
		return sa->dpd_sent_at + (p->dpd_retry > 0 ? p->dpd_retry : 2);
	time_t heard = heard_at(sa);
	if (!p->dpd_periodic && sa->s.esp_out_at <= heard)
		return 0;
	return heard + p->dpd_interval;
}

static void send_request(struct ikev2_sa *sa)
{
	if (!sa->dpd_req) {
		struct isakmp_buf b;
		size_t sk;
		isakmp_buf_init(&b);
		if (ikev2_begin_sk(sa, &b, IKEV2_EXCH_INFORMATIONAL, sa->next_out, 0, &sk) == 0 &&
		    ikev2_seal(sa, &b, sk) == 0 && (sa->dpd_req = malloc(b.len)) != NULL) {
			memcpy(sa->dpd_req, b.data, b.len);
			sa->dpd_req_len = b.len;
		}
		isakmp_buf_free(&b);
		if (!sa->dpd_req)
			return;
	}
	ikev2_send_raw(sa, sa->dpd_req, sa->dpd_req_len);
	sa->dpd_sent_at = time(NULL);
	sa->dpd_tries++;
}

int ikev2_dpd_tick(struct ikev2_sa *sa, time_t now)
{
	time_t due = ikev2_dpd_deadline(sa);
	if (!due || now < due)
		return 1;
	if (sa->dpd_tries >= IKEV2_DPD_TRIES) {
		log_info("IKEv2 session %u ('%s'): the peer did not answer DPD, declared dead",
		         sa->s.id, sa->s.user);
		ikev2_sa_delete(sa, "DPD", 0);
		return 0;
	}
	send_request(sa);
	return 1;
}

int ikev2_dpd_response(struct ikev2_sa *sa, const struct ikev2_hdr *h, const uint8_t *pkt,
                       size_t len)
{
	struct ikev2_chain c;
	uint8_t inner_np, *in;
	size_t inlen;
	if (!sa->dpd_tries || h->exch != IKEV2_EXCH_INFORMATIONAL || h->msgid != sa->next_out)
		return 0;
	const struct ikev2_pl *sk;
	if (ikev2_parse_chain(h->np, pkt, ISAKMP_HDR_LEN, len, &c, &inner_np) < 0 ||
	    !(sk = ikev2_find(&c, IKEV2_NP_SK)))
		return 0;
	uint8_t *copy = malloc(len);
	if (!copy)
		return 0;
	memcpy(copy, pkt, len);
	int ok = ikev2_sk_open(&sa->suite, sa->k.ei, sa->k.ai, copy, len, sk->off, &in, &inlen) == 0;
	explicit_bzero(copy, len);
	free(copy);
	if (!ok)
		return 0;
	sa->next_out++;
	sa->dpd_tries = 0;
	free(sa->dpd_req);
	sa->dpd_req = NULL;
	sa->last_rx = time(NULL);
	ikev2_rearm(sa);
	return 1;
}
