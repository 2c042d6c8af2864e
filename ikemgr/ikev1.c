/*
 * IKEv1 responder: datagram intake, dispatch by exchange type, replies from keymgr and tunmgr,
 * and session bookkeeping toward the parent.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/sha.h>

#include "common/log.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/vti.h"
#include "ikemgr/ikev1.h"

struct ike_engine ike;

void ikev1_init(const struct vpnd_conf *conf, const struct ike_io *io)
{
	memset(&ike, 0, sizeof(ike));
	ike.conf = conf;
	ike.io = *io;
	ike.peer_rate = 50;
}

/* Protected exchanges: decrypt with the exchange's IV chain and parse the payloads. */
static void protected_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                            size_t len)
{
	uint8_t *buf;
	struct isakmp_msg m;
	struct ike_exch *x = NULL;
	uint8_t info_iv[16];
	uint8_t *iv;
	int first = 0;
	size_t plen;

	/* After phase 1 everything must be encrypted and carry a message id. An informational
	 * exchange may have id 0: vpnc draws its deletes' id from one random byte, so one in 256
	 * is 0. Its IV is derived as for any other id; HASH(1) still authenticates it. */
	if (!(h->flags & ISAKMP_FLAG_E) || (h->msgid == 0 && h->exch_type != ISAKMP_EXCH_INFO)) {
		ike.st.drop_malformed++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: unencrypted or msgid-0 exchange %u dropped", sa->s.id, h->exch_type);
		return;
	}
	if (h->exch_type == ISAKMP_EXCH_INFO) {
		ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, h->msgid, info_iv);
		iv = info_iv;
	} else {
		x = ike_exch_find(sa, h->msgid);
		if (!x) {
			int kind = h->exch_type == ISAKMP_EXCH_QUICK ? EXCH_QUICK : EXCH_CFG;
			if (sa->state < IKE_S_CFG_WAIT && kind == EXCH_QUICK) {
				ike.st.drop_state++;
				log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: quick mode before phase 1.5 finished, dropped", sa->s.id);
				return;
			}
			x = ike_exch_new(sa, kind, h->msgid);
			first = 1;
		}
		iv = x->iv;
	}

	buf = malloc(len);
	if (!buf)
		return;
	memcpy(buf, pkt, len);
	if (ikev1_decrypt(sa, buf, len, iv, &plen) < 0 ||
	    isakmp_parse_payloads(h->next_payload, buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
	                          &m) < 0) {
		ike.st.drop_decrypt++;
		log_rl("session %u: undecryptable or malformed exchange %u dropped", sa->s.id,
		          h->exch_type);
		if (first && x)
			ike_exch_free(sa, x);
		goto out;
	}
	memcpy(&m.hdr, h, sizeof(*h));
	sa->last_rx = time(NULL);

	ike.cur_in = pkt;
	ike.cur_in_len = len;
	switch (h->exch_type) {
	case ISAKMP_EXCH_INFO:
		ikev1_info_input(sa, &m);
		break;
	case ISAKMP_EXCH_TRANSACTION:
		if (x->kind == EXCH_XAUTH || x->kind == EXCH_XAUTH_SET)
			ikev1_xauth_input(sa, x, &m);
		else
			ikev1_cfg_input(sa, x, &m);
		break;
	case ISAKMP_EXCH_QUICK:
		if (x->kind == EXCH_QUICK_I)
			ikev1_rekey_input(sa, x, &m);
		else
			ikev1_quick_input(sa, x, &m, first);
		break;
	}
	ike.cur_in = NULL;   /* sa may be gone by now */
out:
	explicit_bzero(buf, len);   /* may hold an XAUTH password */
	free(buf);
}

void ikev1_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
                 const union sa46 *local, int port4500)
{
	struct isakmp_hdr h;
	static const uint8_t zero[8];

	ike.st.rx++;
	ike.st.rx_bytes += len;
	if (isakmp_parse_hdr(pkt, len, &h) < 0) {
		if (len < ISAKMP_HDR_LEN)
			ike.st.drop_short++;
		else
			ike.st.drop_malformed++;
		char a[SA46_PORTSTRLEN];
		sa46_ntop_port(peer, a);
		log_rl("malformed ISAKMP datagram (%zu bytes) from %s dropped", len, a);
		return;
	}
	/* an exchange this host started (Easy VPN remote) */
	if (ike.conf->nezvpn && ez_input(pkt, len, peer, local, port4500))
		return;
	if (vti_input(pkt, len, peer, local, port4500))
		return;

	if (!memcmp(h.cky_r, zero, 8)) {
		if (h.exch_type == ISAKMP_EXCH_AGGR || h.exch_type == ISAKMP_EXCH_MAIN) {
			/* A retransmitted first message finds the SA we made for it. */
			struct ike_sa *sa = ike_sa_find_first(h.cky_i, peer);
			if (sa) {
				ike.st.duplicates++;
				if ((sa->state == IKE_S_WAIT_HASH_I ||
				     sa->state == IKE_S_MM_SA_SENT) && sa->last_out)
					ikev1_send_raw(sa, sa->last_out, sa->last_out_len);
				return;
			}
			struct isakmp_msg m;
			if (isakmp_parse(pkt, len, &m) < 0) {
				ike.st.drop_malformed++;
				log_rl("malformed %s message dropped",
				       h.exch_type == ISAKMP_EXCH_MAIN ? "main mode" : "aggressive mode");
				return;
			}
			if (h.exch_type == ISAKMP_EXCH_MAIN)
				ikev1_main_start(&m, peer, local, port4500);
			else
				ikev1_aggr_start(pkt, len, &m, peer, local, port4500);
		} else {
			ike.st.drop_state++;
			log_dbg(DBG_ISAKMP | DBG_ERR, &(struct log_peer){ .addr = sa46_in4(peer).s_addr,
			                                            .addr6 = sa46_is6(peer) ? &peer->sin6.sin6_addr : NULL },
			        "exchange type %u without responder cookie not supported, dropped",
			        h.exch_type);
		}
		return;
	}

	struct ike_sa *sa = ike_sa_find(h.cky_i, h.cky_r);
	if (!sa || sa->state == IKE_S_DEAD) {
		ike.st.drop_unknown_sa++;
		log_rl("datagram for an unknown IKE SA dropped");
		return;
	}
	if (!sa46_same_addr(&sa->s.peer, peer)) {
		ike.st.drop_unknown_sa++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: datagram from another address dropped", sa->s.id);
		return;
	}

	ike_sa_touch(sa);       /* whatever this changes is reported at the next tick */

	/* A retransmission of the peer's last request: answer with our last response. */
	uint8_t digest[SHA_DIGEST_LENGTH];
	SHA1(pkt, len, digest);
	if (sa->have_last_in && !memcmp(digest, sa->last_in_digest, sizeof(digest))) {
		ike.st.duplicates++;
		if (sa->last_out && !sa->retrans_left)
			ikev1_send_raw(sa, sa->last_out, sa->last_out_len);
		return;
	}
	memcpy(sa->last_in_digest, digest, sizeof(digest));
	sa->have_last_in = 1;
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "(%u): received packet from %s, exchange %u, msgid %08x, "
	        "%zu bytes", sa->s.id, sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }), h.exch_type, ntohl(h.msgid), len);

	/* NAT-T float: once the peer talks to 4500 we answer there, from its new port. */
	if (port4500 && (!sa->port4500 || sa46_port(&sa->s.peer) != sa46_port(peer))) {
		sa->port4500 = 1;
		sa46_set_port(&sa->s.peer, sa46_port(peer));
		sa->s.local = *local;
	}

	if (h.exch_type == ISAKMP_EXCH_MAIN) {
		if (!sa->main_mode) {
			ike.st.drop_state++;
			return;
		}
		uint8_t *copy = malloc(len);
		if (!copy)
			return;
		memcpy(copy, pkt, len);
		ikev1_main_input(sa, copy, len);
		explicit_bzero(copy, len);
		free(copy);
		return;
	}
	if (h.exch_type == ISAKMP_EXCH_AGGR) {
		if (sa->state != IKE_S_WAIT_HASH_I || sa->main_mode) {
			ike.st.drop_state++;
			return;
		}
		uint8_t *copy = malloc(len);
		if (!copy)
			return;
		memcpy(copy, pkt, len);
		ikev1_aggr_final(sa, copy, len);
		free(copy);
		return;
	}
	if (sa->state < IKE_S_XAUTH_REQ_SENT) {
		ike.st.drop_state++;
		return;
	}
	switch (h.exch_type) {
	case ISAKMP_EXCH_INFO:
	case ISAKMP_EXCH_TRANSACTION:
	case ISAKMP_EXCH_QUICK:
		protected_input(sa, &h, pkt, len);
		break;
	default:
		ike.st.drop_state++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: exchange type %u not handled", sa->s.id, h.exch_type);
	}
}

/* A datagram held until the SA could take it, fed to the input path again as if it had just
 * arrived (and not taken for a retransmission). SA may be gone afterwards. */
void ikev1_replay_held(struct ike_sa *sa, uint8_t **held, size_t *held_len)
{
	uint8_t *p = *held;
	size_t plen = *held_len;
	union sa46 peer = sa->s.peer, local = sa->s.local;
	int port4500 = sa->port4500;
	*held = NULL;
	*held_len = 0;
	sa->have_last_in = 0;
	ike.st.rx--;   /* counted when it arrived */
	ike.st.rx_bytes -= plen;
	ikev1_input(p, plen, &peer, &local, port4500);
	free(p);
}

void ikev1_session_gone(struct ike_sa *sa, const char *reason)
{
	if (ike_session_end(&sa->s, reason)) {
		/* logged as the session's end */
	} else if (sa->s.superseded) {
		log_info("IKE SA %u (replaced by a phase 1 rekey) deleted: %s", sa->s.id, reason);
	} else {
		if (sa->state > IKE_S_WAIT_HASH_I)
			log_info("session %u ended before it was up: %s", sa->s.id, reason);
		ike_stats_failed(reason);
	}
	sa->state = IKE_S_DEAD;
}

void ikev1_clear(const struct msg_clear *c)
{
	if (c->kind >= CLEAR_IKEV2_ALL)
		return;         /* clear crypto ikev2 sa: IKEv2's own (ikev2_clear) */
	if (c->kind >= CLEAR_SA_ALL) {
		ike_clear_sa(c);
		return;
	}
	char name[MSG_USER_MAX];
	int n = 0;
	memcpy(name, c->name, sizeof(name));
	name[sizeof(name) - 1] = 0;
	struct ike_sa *next;
	for (struct ike_sa *sa = ike.all; sa; sa = next) {
		next = sa->all_next;
		int match = c->kind == CLEAR_ALL ||
		            (c->kind == CLEAR_REMOTE && sa46_same_addr(&sa->s.peer, &c->peer)) ||
		            (c->kind == CLEAR_USERNAME && !strcmp(sa->s.user, name)) ||
		            (c->kind == CLEAR_GROUP && !strcmp(sa->s.group_name, name));
		if (match && sa->state != IKE_S_DEAD) {
			ike_sa_delete(sa, "admin clear", 1);
			n++;
		}
	}
	log_info("clear crypto session: %d session(s) deleted", n);
}

void ikev1_shutdown(void)
{
	const struct ike_stats *s = &ike.st;
	log_info("IKE counters: rx %llu tx %llu short %llu malformed %llu unknown-sa %llu "
	         "bad-hash %llu undecryptable %llu rate-limited %llu half-open-cap %llu "
	         "wrong-state %llu no-proposal %llu bad-id %llu duplicates %llu retransmits %llu "
	         "sessions up %llu down %llu peer-cap %llu shed %llu sa-cap %llu "
	         "aggressive-disabled %llu",
	         (unsigned long long)s->rx, (unsigned long long)s->tx,
	         (unsigned long long)s->drop_short, (unsigned long long)s->drop_malformed,
	         (unsigned long long)s->drop_unknown_sa, (unsigned long long)s->drop_hash,
	         (unsigned long long)s->drop_decrypt, (unsigned long long)s->drop_ratelimit,
	         (unsigned long long)s->drop_halfopen_cap, (unsigned long long)s->drop_state,
	         (unsigned long long)s->no_proposal, (unsigned long long)s->bad_id,
	         (unsigned long long)s->duplicates, (unsigned long long)s->retransmits,
	         (unsigned long long)s->sessions_up, (unsigned long long)s->sessions_down,
	         (unsigned long long)s->drop_peer_cap, (unsigned long long)s->drop_shed,
	         (unsigned long long)s->drop_sa_cap, (unsigned long long)s->drop_aggr_disabled);
	ez_shutdown();
	vti_shutdown();
	while (ike.all)
		ike_sa_delete(ike.all, "shutdown", 1);
	tmr_free(&ike.timers);
}
