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

	if (!(h->flags & ISAKMP_FLAG_E) || h->msgid == 0) {
		/* After phase 1 everything must be encrypted and carry a message id. */
		ike.st.drop_malformed++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: unencrypted or msgid-0 exchange %u dropped", sa->id, h->exch_type);
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
				log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: quick mode before phase 1.5 finished, dropped", sa->id);
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
		log_rl("session %u: undecryptable or malformed exchange %u dropped", sa->id,
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
	if (!sa46_same_addr(&sa->peer, peer)) {
		ike.st.drop_unknown_sa++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: datagram from another address dropped", sa->id);
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
	        "%zu bytes", sa->id, sa46_ntop(peer, (char[SA46_STRLEN]){ 0 }), h.exch_type, ntohl(h.msgid), len);

	/* NAT-T float: once the peer talks to 4500 we answer there, from its new port. */
	if (port4500 && (!sa->port4500 || sa46_port(&sa->peer) != sa46_port(peer))) {
		sa->port4500 = 1;
		sa46_set_port(&sa->peer, sa46_port(peer));
		sa->local = *local;
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
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: exchange type %u not handled", sa->id, h.exch_type);
	}
}

static void session_msg(const struct ike_sa *sa, const struct ike_child *c,
                        struct msg_session_up *m)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = sa->id;
	snprintf(u.user, sizeof(u.user), "%s", sa->user);
	snprintf(u.group, sizeof(u.group), "%s", sa->group_name);
	snprintf(u.profile, sizeof(u.profile), "%s", sa->profile ? sa->profile->name : "");
	u.peer = sa->peer;
	u.local = sa->local;
	u.assigned = sa->policy.addr;
	memcpy(u.ifname, sa->ifname, sizeof(u.ifname));
	u.unit = sa->unit;
	memcpy(&u.ike_spi_i, sa->cky_i, 8);
	memcpy(&u.ike_spi_r, sa->cky_r, 8);
	u.esp_spi_in = c->spi_in;
	u.esp_spi_out = c->spi_out;
	snprintf(u.transform, sizeof(u.transform), "%s", esp_transform_name(c->encr, c->keylen,
	         c->auth));
	if (sa->policy.class_len > 0 && sa->policy.class_len <= (int)sizeof(u.class_)) {
		memcpy(u.class_, sa->policy.class_, (size_t)sa->policy.class_len);
		u.class_len = sa->policy.class_len;
	}
	snprintf(u.acl_in, sizeof(u.acl_in), "%s", sa->policy.inacl);
	snprintf(u.acl_out, sizeof(u.acl_out), "%s", sa->policy.outacl);
	u.mtu = sa->policy.mtu;
	u.tcp_mss = sa->policy.tcp_mss;
	snprintf(u.acl6_in, sizeof(u.acl6_in), "%s", sa->policy.inacl6);
	snprintf(u.acl6_out, sizeof(u.acl6_out), "%s", sa->policy.outacl6);
	if (sa->addr6_given)
		u.assigned6 = sa->policy.addr6;
	u.deleg6 = sa->policy.deleg6;
	*m = u;
}

/* The session store's row again, after a change to the session (CoA). */
void ikev1_session_changed(struct ike_sa *sa)
{
	if (!sa->session_reported)
		return;
	for (int i = IKE_MAX_CHILD - 1; i >= 0; i--)
		if (sa->child[i].used) {
			struct msg_session_up u;
			session_msg(sa, &sa->child[i], &u);
			ike.io.to_parent(IMSG_SESSION_UP, sa->id, &u, sizeof(u));
			return;
		}
}

void ikev1_session_up(struct ike_sa *sa, const struct ike_child *c)
{
	if (sa->session_reported || !sa->va_ready)
		return;
	struct msg_session_up u;
	session_msg(sa, c, &u);
	ike.io.to_parent(IMSG_SESSION_UP, sa->id, &u, sizeof(u));
	sa->session_reported = 1;
	ike_report_sync(sa);
	ike.st.sessions_up++;
	char a[SA46_PORTSTRLEN], ip[INET_ADDRSTRLEN];
	sa46_ntop_port(&sa->peer, a);
	inet_ntop(AF_INET, &sa->policy.addr, ip, sizeof(ip));
	log_info("session %u up: user '%s' group '%s' peer %s address %s interface %s (%s)",
	         sa->id, sa->user, sa->group_name, a, ip, sa->ifname, u.transform);
}

/* A datagram held until the SA could take it, fed to the input path again as if it had just
 * arrived (and not taken for a retransmission). SA may be gone afterwards. */
void ikev1_replay_held(struct ike_sa *sa, uint8_t **held, size_t *held_len)
{
	uint8_t *p = *held;
	size_t plen = *held_len;
	union sa46 peer = sa->peer, local = sa->local;
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
	ike_report_gone(sa, reason);
	if (sa->va_requested) {
		struct msg_va_destroy d = { sa->id };
		ike.io.to_tunmgr(IMSG_VA_DESTROY, sa->id, &d, sizeof(d));
		sa->va_requested = 0;
	}
	if (sa->have_policy) {
		struct msg_session_end e;
		memset(&e, 0, sizeof(e));
		e.session_id = sa->id;
		e.addr = sa->policy.addr;
		e.addr6 = sa->policy.addr6;
		snprintf(e.reason, sizeof(e.reason), "%s", reason);
		ike.io.to_keymgr(IMSG_SESSION_END_KEY, sa->id, &e, sizeof(e));
		sa->have_policy = 0;
	}
	if (sa->session_reported) {
		struct msg_session_down d;
		memset(&d, 0, sizeof(d));
		d.session_id = sa->id;
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
		ike.io.to_parent(IMSG_SESSION_DOWN, sa->id, &d, sizeof(d));
		ike.st.sessions_down++;
		log_info("session %u down: %s", sa->id, reason);
	} else if (sa->superseded) {
		log_info("IKE SA %u (replaced by a phase 1 rekey) deleted: %s", sa->id, reason);
	} else {
		if (sa->state > IKE_S_WAIT_HASH_I)
			log_info("session %u ended before it was up: %s", sa->id, reason);
		ike_stats_failed(reason);
	}
	sa->session_reported = 0;
	sa->state = IKE_S_DEAD;
}

const struct conf_ipsec_profile *ikev1_profile_ipsec(const struct ike_sa *sa)
{
	if (!sa->profile || !sa->profile->virtual_template)
		return NULL;
	const struct conf_interface *vt = conf_find_template(ike.conf,
	                                                     sa->profile->virtual_template);
	if (!vt)
		return NULL;
	return conf_find_ipsec_profile(ike.conf, vt->protection);
}

void ikev1_clear(const struct msg_clear *c)
{
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
		            (c->kind == CLEAR_REMOTE && sa46_same_addr(&sa->peer, &c->peer)) ||
		            (c->kind == CLEAR_USERNAME && !strcmp(sa->user, name)) ||
		            (c->kind == CLEAR_GROUP && !strcmp(sa->group_name, name));
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
