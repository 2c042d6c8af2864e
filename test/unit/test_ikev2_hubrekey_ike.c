/*
 * The IKE SA rekey the hub starts (ikemgr/ikev2_hubrekey.c): the new SA is the hub's as
 * initiator (I flag and SK_ei/SK_ai out, a peer message with the I flag dropped, the next
 * CHILD_SA rekey keyed from its SK_d); and the collisions of RFC 7296 2.25 between the hub's
 * requests and the peer's rekeys. Against the minimal initiator (v2peer.c, v2hub.c).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <string.h>

#include "ikemgr/dh.h"
#include "test/unit/v2hub.h"

TestSuite(ikev2_hubrekey_ike, .init = v2hub_setup, .fini = v2peer_hub_stop);

/* d. the IKE SA rekeyed by the hub: the new SA is the hub's as initiator */
Test(ikev2_hubrekey_ike, ike_rekey_by_the_hub)
{
	struct ikev2_sa *old = establish();
	time_t life = 86400;
	cr_assert_geq(old->rekey_at, old->established_at + life * 85 / 100);
	cr_assert_leq(old->rekey_at, old->established_at + life * 90 / 100);
	int before = v2p.nsent;
	time_t now = time(NULL);
	ikev2_tick(now);
	cr_assert_eq(v2p.nsent, before, "rekeyed before its time");
	/* its time come: ticks take the wall clock as now (the request's retransmission is due
	 * by time(NULL)), so the deadline is moved rather than the clock */
	old->rekey_at = now;
	ikev2_rearm(old);
	ikev2_tick(now);
	cr_assert_eq(v2p.nsent, before + 1, "no IKE SA rekey at rekey_at");

	struct ikev2_hdr h;
	struct ikev2_chain c;
	open_sent(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, &h, &c);
	cr_assert_eq(h.exch, IKEV2_EXCH_CREATE_CHILD);
	cr_assert_eq(h.flags, 0);
	cr_assert_eq(h.msgid, 0);
	cr_assert_null(ikev2_find(&c, IKEV2_NP_N), "a notify in an IKE SA rekey");
	cr_assert_null(ikev2_find(&c, IKEV2_NP_TSI));
	static struct ikev2_sa_pl sa;
	const struct ikev2_pl *psa = ikev2_find(&c, IKEV2_NP_SA), *pni = ikev2_find(&c, IKEV2_NP_NONCE),
	                      *pke = ikev2_find(&c, IKEV2_NP_KE);
	cr_assert(psa && pni && pke);
	cr_assert_eq(ikev2_parse_sa(psa->body, psa->len, &sa), 0);
	cr_assert_eq(sa.n, 1);
	cr_assert_eq(sa.prop[0].proto, IKEV2_PROTO_IKE);
	cr_assert_eq(sa.prop[0].spi_size, 8);
	static const struct ikev2_trans want[3] = { { IKEV2_TR_ENCR, 20, 256 }, { IKEV2_TR_PRF, 6, 0 },
	                                            { IKEV2_TR_DH, 19, 0 } };
	cr_assert_eq(sa.prop[0].ntr, 3);
	for (int i = 0; i < 3; i++)
		cr_assert(sa.prop[0].tr[i].type == want[i].type && sa.prop[0].tr[i].id == want[i].id &&
		          sa.prop[0].tr[i].keylen == want[i].keylen, "transform %d", i);
	uint8_t hub_spi[8], ni[256], hub_ke[64];
	memcpy(hub_spi, sa.prop[0].spi, 8);
	size_t nilen = pni->len;
	cr_assert_leq(nilen, sizeof(ni));
	memcpy(ni, pni->body, nilen);
	struct ikev2_ke ke;
	cr_assert_eq(ikev2_parse_ke(pke->body, pke->len, &ke), 0);
	cr_assert_eq(ke.group, 19);
	cr_assert_eq(ke.len, 64);
	memcpy(hub_ke, ke.data, 64);

	/* nothing new is made on the SA while the rekey is in flight (2.25.2) */
	cr_assert_eq(ikev2_req_pending(old, V2_REQ_IKE_REKEY, 0), 1);

	/* the peer's answer: its SPI, Nr, KEr */
	static const uint8_t peer_spi[8] = { 0x33, 1, 2, 3, 4, 5, 6, 7 };
	static const uint8_t nr[32] = { 0x55, 0x56 };
	uint8_t pub[64], shared[64];
	size_t sl = sizeof(shared);
	struct ike_dh *d = peer_dh(pub);
	cr_assert_eq(ike_dh_shared(d, hub_ke, 64, shared, &sl), 0);
	ike_dh_free(d);
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_IKE, peer_spi, 8, want, 3);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, nr, sizeof(nr));
	ikev2_put_ke(&b, 19, pub, 64);
	int nsa = v2.nsa;
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_CREATE_CHILD,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 0, &b);
	cr_assert_eq(v2.nsa, nsa + 1, "no new IKE SA");
	struct ikev2_sa *n = ikev2_sa_by_id(sid);
	cr_assert(n && n != old, "the session not on the new SA");
	cr_assert_eq(n->we_init, 1);
	cr_assert_arr_eq(n->spi_i, hub_spi, 8);
	cr_assert_arr_eq(n->spi_r, peer_spi, 8);
	cr_assert(old->s.superseded);
	cr_assert_eq(old->successor, sid);
	cr_assert_eq(children(n), 1, "the CHILD_SA did not move to the new SA");
	cr_assert_eq(children(old), 0);
	/* the old SA is deleted by the hub, on it, with its next message ID */
	cr_assert_eq(v2p.nsent, before + 2, "no Delete of the old IKE SA");
	cr_assert_eq(read_delete(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, 0, IKEV2_PROTO_IKE, NULL),
	             1);

	/* the new SA's keys, as the peer derives them (2.18): Ni is the hub's */
	struct ikev2_keys nk;
	cr_assert_eq(ikev2_ike_keys(&v2p.s, shared, sl, ni, nilen, nr, sizeof(nr), hub_spi,
	                            peer_spi, v2p.k.d, &nk), 0);
	/* a request of the peer's on it: no I flag, SK_er/SK_ar; answered with I and R, SK_ei */
	from_peer(hub_spi, peer_spi, nk.er, nk.ar, IKEV2_EXCH_INFORMATIONAL, 0, 0, NULL);
	cr_assert_eq(v2p.nsent, before + 3, "the peer's request on the new SA not answered");
	open_sent(hub_spi, peer_spi, nk.ei, nk.ai, &h, &c);
	cr_assert_eq(h.exch, IKEV2_EXCH_INFORMATIONAL);
	cr_assert_eq(h.flags, IKEV2_FLAG_I | IKEV2_FLAG_R, "flags %#x", h.flags);
	cr_assert_eq(h.msgid, 0);
	cr_assert_eq(c.n, 0);
	/* one with the I flag on it is not the peer's (2.2) */
	uint64_t bad = v2.drop_malformed;
	from_peer(hub_spi, peer_spi, nk.er, nk.ar, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_I, 1, NULL);
	cr_assert_eq(v2.drop_malformed, bad + 1);
	cr_assert_eq(v2p.nsent, before + 3, "a message with the I flag answered");

	/* the peer answers the Delete: the old SA goes, the session stays */
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 1, NULL);
	cr_assert_eq(v2.nsa, nsa, "the old IKE SA kept after its Delete was answered");
	cr_assert_eq(ikev2_sa_by_id(sid), n);
	cr_assert_eq(n->state, V2_S_ESTABLISHED);

	/* the next CHILD_SA rekey goes on the new SA, keyed from its SK_d */
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 4);
	struct child_req q;
	read_child_rekey(hub_spi, peer_spi, &nk, 1, x_in, &q);
	cr_assert_eq(q.msgid, 0, "the new SA's message IDs start at 0");
	uint8_t gir[64];
	size_t gl = sizeof(gir);
	uint32_t y = htonl(0xc0de0007);
	answer_child_rekey(hub_spi, peer_spi, &nk, 1, &q, 256, y, nr1, client, gir, &gl);
	const struct tunmsg *t = last_tun(IMSG_SA_ADD);
	cr_assert(t && t->u.add.spi_in == q.spi, "the rekeyed SA not handed to tunmgr");
	check_keymat(&t->u.add, nk.d, &q, nr1, gir, gl);
}

/* e. the hub's rekey in flight: the peer's of the same SA gets TEMPORARY_FAILURE */
Test(ikev2_hubrekey_ike, collision_ours_in_flight)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent, adds = count_tun(IMSG_SA_ADD);
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1);
	cr_assert_eq(ikev2_req_pending(sa, V2_REQ_CHILD_REKEY, x_in), 1);
	peer_child_rekey(2);
	cr_assert_eq(v2p.nsent, before + 2, "the peer's rekey not answered");
	int has_sa;
	cr_assert_eq(answer_notify(2, &has_sa), IKEV2_N_TEMPORARY_FAILURE);
	cr_assert_not(has_sa);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds, "the peer's colliding rekey installed");
	cr_assert_eq(ikev2_req_pending(sa, V2_REQ_CHILD_REKEY, x_in), 1, "ours given up");
}

/* e. the hub's rekey only queued behind another request: the peer's is taken, ours dropped */
Test(ikev2_hubrekey_ike, collision_ours_queued)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent, adds = count_tun(IMSG_SA_ADD);
	cr_assert_eq(ikev2_req_queue(sa, ikev2_req_new(V2_REQ_DPD)), 0);
	cr_assert_eq(v2p.nsent, before + 1, "the liveness check not sent");
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1, "two requests in flight");
	cr_assert_eq(ikev2_req_pending(sa, V2_REQ_CHILD_REKEY, x_in), 2);
	peer_child_rekey(2);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds + 1, "the peer's rekey not taken");
	cr_assert_eq(ikev2_req_pending(sa, V2_REQ_CHILD_REKEY, x_in), 0, "ours still queued");
	const struct msg_sa_add *a = &last_tun(IMSG_SA_ADD)->u.add;
	cr_assert_eq(a->spi_out, htonl(0xc0de0002));
	struct msg_sa_added added = { sid, a->spi_in, 0 };
	cr_assert(ikev2_sa_added(sid, &added));
	cr_assert_eq(v2p.nsent, before + 2);
	int has_sa;
	cr_assert_eq(answer_notify(2, &has_sa), 0);
	cr_assert(has_sa, "the peer's rekey answered without its SA");
	/* the liveness check answered: nothing left to send */
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 0, NULL);
	cr_assert_eq(v2p.nsent, before + 2, "the dropped rekey sent after all");
	cr_assert_null(sa->req);
}

/* 2.25.2: while the hub's IKE SA rekey is in flight nothing new is made on the SA */
Test(ikev2_hubrekey_ike, peer_rekey_during_our_ike_rekey_refused)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent, adds = count_tun(IMSG_SA_ADD);
	ikev2_hub_ike_rekey(sa);
	cr_assert_eq(v2p.nsent, before + 1);
	cr_assert_eq(ikev2_req_pending(sa, V2_REQ_IKE_REKEY, 0), 1);
	peer_child_rekey(2);
	cr_assert_eq(v2p.nsent, before + 2, "the peer's rekey not answered");
	int has_sa;
	cr_assert_eq(answer_notify(2, &has_sa), IKEV2_N_TEMPORARY_FAILURE);
	cr_assert_not(has_sa);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds);
}

/* Our Delete of the SA our CHILD_SA rekey replaced, answered on the IKE SA the peer rekeyed
 * meanwhile: the old CHILD_SA goes all the same (the session holding it is on the new SA). */
Test(ikev2_hubrekey_ike, old_child_removed_after_a_peer_ike_rekey)
{
	struct ikev2_sa *old = establish();
	soft_expire(x_in);
	struct child_req q;
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	uint8_t shared[64];
	size_t sl = sizeof(shared);
	answer_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, &q, 256, htonl(0xc0de0001), nr1,
	                   client, shared, &sl);
	struct msg_sa_added added = { sid, q.spi, 0 };
	cr_assert(ikev2_sa_added(sid, &added));
	cr_assert_eq(read_delete(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, 0, IKEV2_PROTO_ESP,
	                         &x_in), 1);
	/* before answering it the peer rekeys the IKE SA */
	struct ikev2_sa *n = peer_ike_rekey(2);
	cr_assert_neq(n, old);
	cr_assert(old->s.superseded);
	cr_assert_eq(children(n), 2);
	int dels = count_tun(IMSG_SA_DEL);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 1, NULL);
	cr_assert_eq(count_tun(IMSG_SA_DEL), dels + 1, "the old CHILD_SA left in tunmgr");
	cr_assert_eq(last_tun(IMSG_SA_DEL)->u.del.spi_in, x_in);
	cr_assert_eq(children(n), 1);
	cr_assert_not_null(child_of(n, q.spi));
}
