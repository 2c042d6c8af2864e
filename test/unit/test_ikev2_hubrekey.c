/*
 * CHILD_SA rekeys the hub starts (ikemgr/ikev2_hubrekey.c, ikemgr/ikev2_req.c) against the
 * minimal initiator (v2peer.c, v2hub.c), which answers them as a peer would, with keys it
 * derives itself: at tunmgr's soft-expiry report what is offered, the KEYMAT halves the hub
 * installs as the exchange's initiator, the old SA deleted after; answers that take what was
 * not offered, or come for an SA the peer deleted meanwhile; retransmissions on their backoff
 * until the peer is declared dead.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <string.h>

#include "ikemgr/dh.h"
#include "test/unit/v2hub.h"

TestSuite(ikev2_hubrekey, .init = v2hub_setup, .fini = v2peer_hub_stop);

/* a. the hub's CHILD_SA rekey at the soft lifetime, keyed right, the old SA deleted after */
Test(ikev2_hubrekey, child_rekey_by_the_hub)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent;
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1, "no rekey request at the soft lifetime");
	struct child_req q;
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	cr_assert_eq(q.msgid, 0, "the hub's first request has message ID %u", q.msgid);
	/* the same report again: one rekey only */
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1);

	uint8_t shared[64];
	size_t sl = sizeof(shared);
	int adds = count_tun(IMSG_SA_ADD);
	uint32_t y = htonl(0xc0de0001);
	answer_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, &q, 256, y, nr1, client, shared, &sl);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds + 1, "the rekeyed SA not handed to tunmgr");
	const struct msg_sa_add *a = &last_tun(IMSG_SA_ADD)->u.add;
	cr_assert_eq(a->spi_in, q.spi);
	cr_assert_eq(a->spi_out, y);
	check_keymat(a, v2p.k.d, &q, nr1, shared, sl);
	cr_assert_eq(v2p.nsent, before + 1, "the old SA deleted before tunmgr has the new one");

	/* tunmgr has it: the old one is deleted by the hub, message ID 1 */
	struct msg_sa_added added = { sid, q.spi, 0 };
	cr_assert(ikev2_sa_added(sid, &added));
	cr_assert_eq(v2p.nsent, before + 2, "no Delete of the old SA");
	cr_assert_eq(read_delete(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, 0, IKEV2_PROTO_ESP,
	                         &x_in), 1);
	cr_assert_eq(children(sa), 2, "the old SA goes when the peer answers the Delete");

	/* the peer's answer: its Delete of its half of the old pair */
	int dels = count_tun(IMSG_SA_DEL);
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_delete(&b, IKEV2_PROTO_ESP, 4, 1, (const uint8_t *)&x_out);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 1, &b);
	cr_assert_eq(count_tun(IMSG_SA_DEL), dels + 1, "the old SA not removed from tunmgr");
	const struct msg_sa_del *d = &last_tun(IMSG_SA_DEL)->u.del;
	cr_assert_eq(d->spi_in, x_in);
	cr_assert_eq(d->spi_out, x_out);
	cr_assert_eq(children(sa), 1);
	cr_assert_not_null(child_of(sa, q.spi));
	cr_assert_eq(v2p.nsent, before + 2, "something more asked of the peer");
	cr_assert_eq(sa->state, V2_S_ESTABLISHED);
}

/* b. an answer taking something else than offered: nothing installed, what the peer made is
 * deleted, the old SA kept (and rekeyed again at its next report) */
static void wrong_answer(uint16_t encr_bits, const uint8_t tsr[4])
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent;
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1);
	struct child_req q;
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	uint8_t shared[64];
	size_t sl = sizeof(shared);
	int adds = count_tun(IMSG_SA_ADD);
	answer_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, &q, encr_bits, htonl(0xc0de0001), nr1,
	                   tsr, shared, &sl);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds, "an SA taken that was not offered");
	cr_assert_eq(v2p.nsent, before + 2, "what the peer made is not deleted");
	/* the Delete names the SPI the peer sends to: the hub's inbound it offered */
	cr_assert_eq(read_delete(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, 0, IKEV2_PROTO_ESP,
	                         &q.spi), 1);
	struct ike_child *c = child_of(sa, x_in);
	cr_assert_not_null(c, "the old SA lost");
	cr_assert_eq(children(sa), 1);
	cr_assert_eq(c->rekeying, 0, "the failed rekey still counts as under way");
	int dels = count_tun(IMSG_SA_DEL);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, 1, NULL);
	cr_assert_eq(count_tun(IMSG_SA_DEL), dels, "the old SA removed");
	cr_assert_not_null(child_of(sa, x_in));
	/* its next report starts another rekey */
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 3);
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	cr_assert_eq(q.msgid, 2);
}

Test(ikev2_hubrekey, answer_with_another_cipher_refused)
{
	wrong_answer(128, client);
}

Test(ikev2_hubrekey, answer_with_another_client_address_refused)
{
	static const uint8_t other[4] = { 192, 168, 50, 11 };
	wrong_answer(256, other);
}

/* c. unanswered: the same bytes again after 2, 4, 8, 16 s; 32 s after the fifth the peer is
 * dead */
Test(ikev2_hubrekey, retransmitted_then_declared_dead)
{
	establish();
	int before = v2p.nsent;
	time_t t0 = time(NULL);
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 1);
	uint8_t first[4096];
	size_t len = v2p.sent_len;
	memcpy(first, v2p.sent, len);
	ikev2_tick(t0 + 1);
	cr_assert_eq(v2p.nsent, before + 1, "sent again before its backoff");
	/* its first due time is 2 s after the send, and the clock may have turned since t0 */
	ikev2_tick(t0 + 3);
	cr_assert_eq(v2p.nsent, before + 2, "not sent again after 2 s");
	cr_assert_eq(v2p.sent_len, len);
	cr_assert_arr_eq(v2p.sent, first, len, "a retransmission is not the same bytes");
	static const int gap[] = { 4, 8, 16, 32 };
	time_t t = t0 + 3;
	for (int i = 0; i < 4; i++) {
		ikev2_tick(t + gap[i] - 1);
		cr_assert_eq(v2p.nsent, before + 2 + i, "sent again before %d s", gap[i]);
		cr_assert_not_null(ikev2_sa_by_id(sid));
		t += gap[i];
		ikev2_tick(t);
		if (i < 3) {
			cr_assert_eq(v2p.nsent, before + 3 + i, "not sent again after %d s", gap[i]);
			cr_assert_arr_eq(v2p.sent, first, len);
		}
	}
	cr_assert_eq(v2p.nsent, before + 5, "more than five sends");
	cr_assert_null(ikev2_sa_by_id(sid), "the SA outlived five unanswered sends");
	cr_assert_eq(v2.nsa, 0);
	/* the session ends: its interface, with the SAs on it, goes */
	cr_assert_eq(count_tun(IMSG_VA_DESTROY), 1, "the session's interface left in tunmgr");
}

/* The peer deletes the SA the hub is rekeying, then answers the rekey with an SA all the
 * same: nothing is installed for a CHILD_SA that is gone, and what the peer made is deleted. */
Test(ikev2_hubrekey, answer_after_the_old_sa_was_deleted)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent;
	soft_expire(x_in);
	struct child_req q;
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	/* its Delete names its inbound SPI of the pair */
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_delete(&b, IKEV2_PROTO_ESP, 4, 1, (const uint8_t *)&x_out);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_I, 2,
	          &b);
	cr_assert_eq(v2p.nsent, before + 2, "the peer's Delete not answered");
	cr_assert_eq(children(sa), 0);
	uint8_t shared[64];
	size_t sl = sizeof(shared);
	int adds = count_tun(IMSG_SA_ADD);
	answer_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, &q, 256, htonl(0xc0de0001), nr1,
	                   client, shared, &sl);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds, "an SA installed for a CHILD_SA that is gone");
	cr_assert_eq(v2p.nsent, before + 3, "what the peer made is not deleted");
	cr_assert_eq(read_delete(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, 0, IKEV2_PROTO_ESP,
	                         &q.spi), 1);
}

/* An answer whose payloads do not parse (found by fuzz_ikev2_engine): counted, nothing
 * installed, the rekey forgotten so that the next report starts another. */
Test(ikev2_hubrekey, malformed_answer_forgets_the_rekey)
{
	struct ikev2_sa *sa = establish();
	int before = v2p.nsent;
	soft_expire(x_in);
	struct child_req q;
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	static const uint8_t body[4];
	struct isakmp_buf b;
	pl_start(&b);
	isakmp_put_payload(&b, IKEV2_NP_N, body, sizeof(body));
	b.data[ISAKMP_HDR_LEN + 2] = b.data[ISAKMP_HDR_LEN + 3] = 0;     /* a length of 0 */
	uint64_t bad = v2.drop_malformed;
	int adds = count_tun(IMSG_SA_ADD);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_CREATE_CHILD,
	          IKEV2_FLAG_I | IKEV2_FLAG_R, q.msgid, &b);
	cr_assert_eq(v2.drop_malformed, bad + 1);
	cr_assert_eq(count_tun(IMSG_SA_ADD), adds);
	cr_assert_eq(v2p.nsent, before + 1, "something sent for an answer that does not parse");
	cr_assert_null(sa->req, "the answer not taken as the request's");
	struct ike_child *c = child_of(sa, x_in);
	cr_assert(c && !c->rekeying);
	soft_expire(x_in);
	cr_assert_eq(v2p.nsent, before + 2);
	read_child_rekey(v2p.spi_i, v2p.spi_r, &v2p.k, 0, x_in, &q);
	cr_assert_eq(q.msgid, 1);
}
