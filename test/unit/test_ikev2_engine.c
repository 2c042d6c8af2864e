/*
 * The IKEv2 responder's message-ID bookkeeping, driven through ikev2_input with a minimal
 * initiator (IKE_SA_INIT with group 19, the keys derived here, requests sealed with them):
 * a request still being worked on is not answered with an older request's response, and a
 * request that ends the SA leaves nothing behind (both came out of fuzz_ikev2_engine); the
 * DELETE the hub sends takes its next message ID (test_ikev2.sh saw charon ignore it).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "test/unit/v2peer.h"

static const char cfg[] =
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy P\n proposal GCM256\n"
	"crypto ikev2 keyring K\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key secret\n"
	"crypto ikev2 profile PROF\n match identity remote fqdn client.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T esp-gcm 256\n"
	"crypto ipsec profile IP\n set transform-set T\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;
static int nkey;

/* keymgr is asked and never answers: the IKE_AUTH stays under way */
static void io_key(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
	nkey++;
}

static void setup(void)
{
	static const struct ike_io io = { v2peer_io_send, io_key, v2peer_io_none, v2peer_io_none };
	v2peer_hub_start(&conf, cfg, sizeof(cfg) - 1, &io);
	nkey = 0;
}

/* IKE_SA_INIT answered and the keys derived on our side too */
static void sa_init(void)
{
	struct isakmp_buf b;
	v2peer_init_req(&b, 0);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(v2p.nsent, 1);
	v2peer_init_res(v2p.sent, v2p.sent_len);
}

static uint32_t sent_msgid(void)
{
	struct ikev2_hdr h;
	cr_assert_eq(ikev2_parse_hdr(v2p.sent, v2p.sent_len, &h), 0);
	return h.msgid;
}

/* IDi, AUTH, CP (an IPv4 address), SA (ESP), TSi, TSr: enough to go to keymgr */

TestSuite(ikev2_engine, .init = setup, .fini = v2peer_hub_stop);

/* INFORMATIONAL 1 answered, IKE_AUTH 2 waits for keymgr; IKE_AUTH 2 again must not get the
 * answer to 1 (the peer would drop it and retransmit until it gives up). */
Test(ikev2_engine, pending_request_not_answered_with_an_older_response)
{
	uint8_t m[1024], chain[256];
	sa_init();
	size_t n = v2peer_req(m, sizeof(m), IKEV2_EXCH_INFORMATIONAL, 1, 0, NULL, 0);
	v2peer_in(m, n);
	cr_assert_eq(v2p.nsent, 2);
	cr_assert_eq(sent_msgid(), 1);
	/* a retransmitted 1: the same answer */
	v2peer_in(m, n);
	cr_assert_eq(v2p.nsent, 3);
	cr_assert_eq(sent_msgid(), 1);

	size_t cl = v2peer_auth_chain(chain);
	n = v2peer_req(m, sizeof(m), IKEV2_EXCH_AUTH, 2, IKEV2_NP_IDI, chain, cl);
	v2peer_in(m, n);
	cr_assert_eq(nkey, 1, "IKE_AUTH did not reach keymgr");
	cr_assert_eq(v2p.nsent, 3);
	v2peer_in(m, n);
	cr_assert_eq(v2p.nsent, 3, "IKE_AUTH 2 under way answered with the response to %u",
	             sent_msgid());
	cr_assert_eq(nkey, 1);
}

/* An IKE_AUTH refused ends the SA inside ikev2_input: the SA is gone, the counts back to 0
 * (ASan builds also see that nothing reads it after it is freed). */
Test(ikev2_engine, refused_ike_auth_ends_the_sa)
{
	uint8_t m[1024];
	static const uint8_t bogus[] = { 0, 0x80, 0, 4 };  /* an unknown critical payload */
	sa_init();
	cr_assert_eq(v2.nsa, 1);
	cr_assert_eq(v2.nhalfopen, 1);
	size_t n = v2peer_req(m, sizeof(m), IKEV2_EXCH_AUTH, 1, 200, bogus, sizeof(bogus));
	v2peer_in(m, n);
	cr_assert_eq(v2p.nsent, 2, "no IKE_AUTH error answer");
	cr_assert_eq(sent_msgid(), 1);
	cr_assert_eq(v2.nsa, 0);
	cr_assert_eq(v2.nhalfopen, 0);
	cr_assert_null(v2.all);
}

/* The DELETE the hub sends for an IKE SA (clear, Disconnect, reload) is a request of ours: it
 * takes our next message ID. After an answered liveness check that is 1; an ID 0 again was
 * ignored by charon ("received message ID 0, expected 1"), which kept its SAs. */
Test(ikev2_engine, delete_takes_our_next_message_id)
{
	sa_init();
	struct ikev2_sa *sa = v2.all;
	cr_assert_not_null(sa);
	/* as an established session whose liveness check 0 was answered */
	sa->state = V2_S_ESTABLISHED;
	v2.nhalfopen--;
	sa->next_out = 1;
	ikev2_sa_delete(sa, "cleared", 1);
	cr_assert_eq(v2p.nsent, 2, "no DELETE sent");
	struct ikev2_hdr h;
	cr_assert_eq(ikev2_parse_hdr(v2p.sent, v2p.sent_len, &h), 0);
	cr_assert_eq(h.exch, IKEV2_EXCH_INFORMATIONAL);
	cr_assert_eq(h.msgid, 1, "the DELETE went out as message %u, not our next (1)", h.msgid);
	cr_assert_eq(v2.nsa, 0);
}
