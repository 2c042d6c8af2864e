/*
 * keymgr's side of IKEv2 EAP (keymgr/v2eap.c) where RADIUS is not reached: with
 * query-identity the first answer is KEY_PENDING with our AUTH and an EAP-Request/Identity
 * and nothing judged; a final AUTH before EAP succeeded is refused; a malformed EAP message
 * from the peer ends the EAP with an EAP-Failure; a profile without `authentication remote
 * eap`, or whose EAP list has no RADIUS group, refuses. The exchange with FreeRADIUS is
 * test_ikev2_eap.sh's; the relay's state machine is also fuzz_v2eap's.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "keymgr/keymgr.h"
#include "test/unit/v2req.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"aaa new-model\n"
	"radius server R\n address ipv4 127.0.0.1 auth-port 9 acct-port 10\n key k\n"
	"aaa group server radius G\n server name R\n"
	"aaa authentication login EAPL group G\n"
	"aaa authentication login LOCALONLY local\n"
	"crypto ikev2 keyring KR\n peer any\n  address 0.0.0.0 0.0.0.0\n"
	"  pre-shared-key local hub-key\n  pre-shared-key remote peer-key\n"
	"crypto ikev2 profile EAP\n match identity remote email domain example.com\n"
	" authentication local pre-share\n authentication remote eap query-identity\n"
	" keyring local KR\n aaa authentication eap EAPL\n"
	"crypto ikev2 profile NOGRP\n match identity remote email domain example.net\n"
	" authentication local pre-share\n authentication remote eap\n keyring local KR\n"
	" aaa authentication eap LOCALONLY\n"
	"crypto ikev2 profile PSK\n match identity remote fqdn psk.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n";

static struct msg_v2_eap sent;
static int nsent;

static void capture(uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	(void)peerid;
	cr_assert_eq(type, IMSG_V2_EAP_RES);
	cr_assert_eq(l, sizeof(sent));
	memcpy(&sent, d, l);
	nsent++;
}

static void setup(void)
{
	cr_assert_eq(conf_load_buf("v2eap", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	keymgr_init(&conf);
	v2eap_set_sender(capture);
	nsent = 0;
}
TestSuite(v2eap, .init = setup);

static void ask_eap(struct msg_v2_auth_req *rq, struct msg_v2_auth_res *res, const char *id)
{
	v2req(rq, 3, id, "198.51.100.20");
	rq->auth_method = MSG_V2_AUTH_EAP;
	rq->auth_len = 0;
	cr_assert_eq(keymgr_v2_auth(&conf, rq, res), 0, "parked without RADIUS being asked");
}

Test(v2eap, query_identity_first)
{
	static struct msg_v2_auth_req rq;
	static struct msg_v2_auth_res res;
	ask_eap(&rq, &res, "carol@example.com");
	cr_assert_eq(res.status, KEY_PENDING, "%s", res.message);
	static const uint8_t want[5] = { 1, 1, 0, 5, 1 };
	cr_assert_eq(res.eap_len, 5);
	cr_assert_arr_eq(res.eap, want, 5, "not an EAP-Request/Identity");
	cr_assert_eq(res.auth_method, MSG_V2_AUTH_PSK);
	cr_assert_eq(res.auth_len, 32, "our AUTH does not go with the first EAP request");
	cr_assert_null(v2_judged_find(rq.sa_id), "judged before EAP ended");

	/* its last AUTH before EAP succeeded: refused, and the EAP is over */
	rq.auth_method = MSG_V2_AUTH_PSK;
	rq.eap_final = 1;
	rq.auth_len = 32;
	cr_assert_eq(keymgr_v2_auth(&conf, &rq, &res), 0);
	cr_assert_neq(res.status, KEY_OK);
	cr_assert_eq(res.auth_len, 0);
	cr_assert_not_null(strstr(res.message, "did not succeed"), "%s", res.message);
	cr_assert_null(v2_judged_find(rq.sa_id));
}

Test(v2eap, malformed_response_ends_eap)
{
	static struct msg_v2_auth_req rq;
	static struct msg_v2_auth_res res;
	static struct msg_v2_eap m;
	ask_eap(&rq, &res, "carol@example.com");
	cr_assert_eq(res.status, KEY_PENDING);
	/* a Request (code 1) where a Response belongs */
	memset(&m, 0, sizeof(m));
	m.sa_id = rq.sa_id;
	static const uint8_t bad[] = { 1, 1, 0, 6, 1, 'x' };
	memcpy(m.eap, bad, sizeof(bad));
	m.eap_len = sizeof(bad);
	v2eap_relay(&conf, &m);
	cr_assert_eq(nsent, 1);
	cr_assert_eq(sent.status, V2EAP_FAILURE);
	cr_assert_eq(sent.eap_len, 4);
	cr_assert_eq(sent.eap[0], 4, "no EAP-Failure for the peer");
	/* the EAP is over: another message finds none */
	static const uint8_t good[] = { 2, 1, 0, 6, 1, 'c' };
	memcpy(m.eap, good, sizeof(good));
	m.eap_len = sizeof(good);
	v2eap_relay(&conf, &m);
	cr_assert_eq(nsent, 2);
	cr_assert_eq(sent.status, V2EAP_FAILURE);
	/* a length field that is not the message's */
	ask_eap(&rq, &res, "carol@example.com");
	m.eap[3] = 9;
	v2eap_relay(&conf, &m);
	cr_assert_eq(sent.status, V2EAP_FAILURE);
	cr_assert_not_null(strstr(sent.message, "malformed"), "%s", sent.message);
}

Test(v2eap, profiles_that_refuse)
{
	static struct msg_v2_auth_req rq;
	static struct msg_v2_auth_res res;
	/* the profile's EAP list has no RADIUS group: EAP cannot be relayed */
	ask_eap(&rq, &res, "dave@example.net");
	cr_assert_eq(res.status, KEY_NO_KEY);
	cr_assert_eq(res.auth_len, 0);
	cr_assert_not_null(strstr(res.message, "needs a RADIUS group"), "%s", res.message);
	/* a profile that takes pre-shared keys only */
	v2req(&rq, 2, "psk.example.com", "198.51.100.20");
	rq.auth_method = MSG_V2_AUTH_EAP;
	cr_assert_eq(keymgr_v2_auth(&conf, &rq, &res), 0);
	cr_assert_eq(res.status, KEY_NO_KEY);
	cr_assert_not_null(strstr(res.message, "does not allow authentication remote eap"), "%s",
	                   res.message);
}
