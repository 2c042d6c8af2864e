/*
 * The IKEv1 initiator (ikemgr/ikev1_init*.c) against the hub's own responder (ikev1_input):
 * aggressive mode with and without NAT-T, XAUTH, Mode Config, quick mode with matching KEYMAT
 * on both sides, DPD answered, DELETE obeyed; a wrong group key caught at HASH_R, a wrong
 * password ending in IKEI_E_XAUTH. keymgr and tunmgr are stood in for as in fuzz_ikev1.c.
 */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init.h"
#include "tunmgr/esp.h"

static const char cfg[] =
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network L local\n"
	"username u password 0 pw\n"
	"crypto isakmp policy 10\n"
	" encr aes 256\n"
	" hash sha\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp client configuration group g\n"
	" key groupkey\n"
	" pool P\n"
	"crypto isakmp profile ra\n"
	" match identity group g\n"
	" client authentication list L\n"
	" isakmp authorization list L\n"
	" client configuration address respond\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile vp\n"
	" set transform-set T1\n"
	"interface eth1\n"
	" ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered eth1\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n"
	"ip local pool P 10.9.0.10 10.9.0.20\n";

static struct vpnd_conf conf;
static struct sockaddr_in client, hub;
static uint8_t out[65536];
static size_t out_len;
static int xauth_ok = 1, sa_adds, va_late, va_pending, va_done;
static struct msg_sa_add last_add;

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	/* the answer is the first datagram; a failed XAUTH's SET is followed by a DELETE */
	if (out_len)
		return;
	cr_assert_leq(len, sizeof(out));
	memcpy(out, pkt, len);
	out_len = len;
}

/* Messages to keymgr and tunmgr are answered after the engine returns, as over the channels. */
#define QMAX 8
static struct {
	int tun;
	uint32_t type, id;
	_Alignas(16) uint8_t data[sizeof(struct msg_xauth_req) + sizeof(struct msg_sa_add) + 4096];
} q[QMAX];
static int nq;

static void enqueue(int tun, uint32_t t, uint32_t id, const void *d, size_t l)
{
	cr_assert_lt(nq, QMAX);
	cr_assert_leq(l, sizeof(q[nq].data));
	q[nq].tun = tun;
	q[nq].type = t;
	q[nq].id = id;
	memcpy(q[nq].data, d, l);
	nq++;
}

static void keymgr(uint32_t t, uint32_t id, const void *d)
{
	if (t == IMSG_SKEYID_REQ) {
		const struct msg_skeyid_req *rq = d;
		struct msg_skeyid_res r;
		size_t n = 0;
		memset(&r, 0, sizeof(r));
		r.sa_id = rq->sa_id;
		cr_assert_eq(ike_skeyid_psk(rq->prf_hash, (const uint8_t *)"groupkey", 8, rq->ni,
		                            rq->ni_len, rq->nr, rq->nr_len, r.skeyid, &n), 0);
		r.status = KEY_OK;
		r.skeyid_len = (uint16_t)n;
		ikev1_skeyid_res(id, &r);
	} else if (t == IMSG_XAUTH_REQ) {
		const struct msg_xauth_req *rq = d;
		static struct msg_xauth_res r;
		memset(&r, 0, sizeof(r));
		r.sa_id = rq->sa_id;
		r.status = xauth_ok && !strcmp(rq->user, "u") && !strcmp(rq->password, "pw") ?
		           XAUTH_OK : XAUTH_BAD_CREDENTIALS;
		inet_pton(AF_INET, "10.9.0.10", &r.policy.addr);
		ikev1_xauth_res(id, &r);
	}
}

static void tunmgr(uint32_t t, uint32_t id, const void *d)
{
	if (t == IMSG_VA_CREATE && va_late) {
		va_pending = (int)id;       /* answered by the test, later */
	} else if (t == IMSG_VA_CREATE) {
		struct msg_va_created r;
		va_done = 1;
		memset(&r, 0, sizeof(r));
		r.session_id = id;
		snprintf(r.ifname, sizeof(r.ifname), "va1");
		r.ifindex = 7;
		r.unit = 1;
		ikev1_va_created(id, &r);
	} else if (t == IMSG_SA_ADD) {
		struct msg_sa_added r;
		last_add = *(const struct msg_sa_add *)d;
		sa_adds++;
		memset(&r, 0, sizeof(r));
		r.session_id = id;
		r.spi_in = last_add.spi_in;
		r.status = va_done ? 0 : 2;     /* tunmgr: ENOENT, no interface for that session */
		ikev1_sa_added(id, &r);
	}
}

static void to_keymgr(uint32_t t, uint32_t id, const void *d, size_t l) { enqueue(0, t, id, d, l); }
static void to_tunmgr(uint32_t t, uint32_t id, const void *d, size_t l) { enqueue(1, t, id, d, l); }

static void drain(void)
{
	for (int i = 0; i < nq && i < 4 * QMAX; i++) {
		if (q[i].tun)
			tunmgr(q[i].type, q[i].id, q[i].data);
		else
			keymgr(q[i].type, q[i].id, q[i].data);
	}
	nq = 0;
}

static void to_parent(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

/* the responder engine on configuration text */
static void setup_with(const char *text, size_t len)
{
	static const struct ike_io io = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	cr_assert_eq(conf_load_buf("test", text, len, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	client.sin_family = hub.sin_family = AF_INET;
	inet_pton(AF_INET, "10.99.0.7", &client.sin_addr);
	inet_pton(AF_INET, "172.18.143.246", &hub.sin_addr);
	client.sin_port = hub.sin_port = htons(500);
	xauth_ok = 1;
	sa_adds = va_late = va_pending = va_done = 0;
}

static void setup(void)
{
	setup_with(cfg, sizeof(cfg) - 1);
}
TestSuite(init, .init = setup);

/* to the responder; returns whether it answered */
static int to_hub(struct isakmp_buf *b, int port4500)
{
	out_len = 0;
	union sa46 c = { .sin = client }, h = { .sin = hub };
	if (port4500)
		c.sin.sin_port = htons(4500);
	ikev1_input(b->data, b->len, &c, &h, port4500);
	drain();
	isakmp_buf_free(b);
	isakmp_buf_init(b);
	return out_len > 0;
}

static void phase1(struct ikei_sa *s, struct ike_dh *dh, const char *key, int natt)
{
	struct isakmp_buf b;
	uint16_t notify = 0;
	struct ikei_p1_params p = { .encr = IKE_ENCR_AES, .keylen = 256, .hash = IKE_HASH_SHA1,
	                            .group = 14, .group_name = "g", .natt = natt, .fake_natd = natt };
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_aggr1(s, &p, dh, &b), 0);
	cr_assert(to_hub(&b, 0), "no message 2");
	int rc = ikei_aggr2(s, dh, (const uint8_t *)key, strlen(key), out, out_len, &client, &hub,
	                    &notify);
	if (strcmp(key, "groupkey")) {
		cr_assert_eq(rc, IKEI_E_HASH);
		return;
	}
	cr_assert_eq(rc, 0, "message 2: %s", ikei_strerror(rc));
	cr_assert_eq(s->peer_natt, natt);
	cr_assert_eq(s->nat_detected, natt);
	cr_assert_eq(ikei_aggr3(s, &client, &hub, &b), 0);
	cr_assert(to_hub(&b, natt), "no XAUTH request after message 3");
	cr_assert_eq(ike.all->nat_detected, natt, "the hub must see the NAT we fake");
	isakmp_buf_free(&b);
}

/* the hub's transaction message in out, answered; returns done */
static int xauth_round(struct ikei_sa *s, int port4500, int *rc)
{
	struct ikei_x x;
	struct isakmp_msg m;
	struct isakmp_buf b;
	uint32_t msgid;
	uint8_t exch;
	int done = -1;
	cr_assert_eq(ikei_peek(out, out_len, &msgid, &exch), 0);
	cr_assert_eq(exch, ISAKMP_EXCH_TRANSACTION, "exchange %u, %zu bytes", exch, out_len);
	ikei_x_init(s, &x, msgid);
	cr_assert_eq(ikei_open(s, &x, out, out_len, NULL, 0, &m), 0);
	isakmp_buf_init(&b);
	*rc = ikei_xauth_answer(s, &x, &m, "u", "pw", &b, &done);
	to_hub(&b, port4500);
	isakmp_buf_free(&b);
	return done;
}

/* tunmgr's answer to the interface request, late */
static void va_now(void)
{
	va_late = 0;
	tunmgr(IMSG_VA_CREATE, (uint32_t)va_pending, NULL);
	drain();
}

/* del0: the DELETE carries message id 0, as one in 256 of vpnc's do (it draws the id from
 * one random byte); the IV is derived from it as for any other id */
static void full_session(int natt, int late, int del0)
{
	struct ikei_sa s;
	struct ikei_x x;
	struct ikei_qm q;
	struct ikei_keys k;
	struct isakmp_msg m;
	struct isakmp_buf b;
	struct in_addr addr;
	int rc;
	struct ike_dh *dh = ike_dh_new(14);

	phase1(&s, dh, "groupkey", natt);
	cr_assert_eq(xauth_round(&s, natt, &rc), 0);
	cr_assert_eq(rc, 0);
	cr_assert(out_len, "no XAUTH SET after the REPLY");
	cr_assert_eq(xauth_round(&s, natt, &rc), 1);
	cr_assert_eq(rc, 0);
	cr_assert_eq(ike.all->state, IKE_S_CFG_WAIT);

	isakmp_buf_init(&b);
	ikei_x_init(&s, &x, 0);
	cr_assert_eq(ikei_cfg_request(&s, &x, &b), 0);
	cr_assert(to_hub(&b, natt), "no Mode Config reply");
	cr_assert_eq(ikei_open(&s, &x, out, out_len, NULL, 0, &m), 0);
	cr_assert_eq(ikei_cfg_reply(&m, &addr), 0);
	cr_assert_str_eq(inet_ntoa(addr), "10.9.0.10");

	memset(&q, 0, sizeof(q));
	q.encr = ESP_ENCR_AES_CBC;
	q.keylen = 256;
	q.auth = ESP_AUTH_HMAC_SHA1_96;
	q.udp = natt;
	q.life = 3600;
	cr_assert_eq(ikei_qm1(&s, &q, addr, &b), 0);
	if (late) {
		/* quick mode before the interface exists: held, not answered with an SA that
		 * tunmgr cannot install, and run once the interface is there */
		cr_assert(!to_hub(&b, natt), "quick mode answered before the interface exists");
		cr_assert_eq(sa_adds, 0);
		va_now();
	} else {
		cr_assert(to_hub(&b, natt), "no quick mode 2");
	}
	cr_assert(out_len, "no quick mode 2");
	cr_assert_eq(sa_adds, 1);
	cr_assert_eq(ikei_qm2(&s, &q, out, out_len), 0);
	cr_assert_eq(ikei_qm3(&s, &q, &b), 0);
	to_hub(&b, natt);
	/* both sides' keys: the hub's inbound SA is our outbound one */
	cr_assert_eq(ikei_keymat(&s, &q, &k), 0);
	cr_assert_eq(last_add.spi_in, q.spi_out);
	cr_assert_eq(last_add.spi_out, q.spi_in);
	cr_assert_eq(last_add.encap, natt ? ENCAP_UDP : ENCAP_RAW);
	cr_assert_arr_eq(last_add.enckey_in, k.enc_out, k.enc_len);
	cr_assert_arr_eq(last_add.authkey_in, k.auth_out, k.auth_len);
	cr_assert_arr_eq(last_add.enckey_out, k.enc_in, k.enc_len);
	cr_assert_arr_eq(last_add.authkey_out, k.auth_in, k.auth_len);

	/* the hub's DPD is answered and the answer accepted */
	int answered, deleted;
	uint16_t notify;
	out_len = 0;
	ikev1_send_dpd(ike.all);
	drain();
	cr_assert_eq(ike.all->dpd_outstanding, 1);
	cr_assert_eq(ikei_info(&s, out, out_len, &b, &answered, &notify, &deleted), 0);
	cr_assert(answered && !deleted);
	cr_assert_eq(notify, ISAKMP_N_R_U_THERE);
	to_hub(&b, natt);
	cr_assert_eq(ike.all->dpd_outstanding, 0);

	if (del0) {
		struct ikei_x dx = { .msgid = 0 };
		uint8_t ck[16];
		memcpy(ck, s.cky_i, 8);
		memcpy(ck + 8, s.cky_r, 8);
		ike_phase2_iv(s.hash, s.iv, s.k.blocklen, 0, dx.iv);
		cr_assert_eq(ikei_begin(&s, &b, ISAKMP_EXCH_INFO, 0), 0);
		isakmp_put_delete(&b, ISAKMP_PROTO_IPSEC_ESP, 4, 1, (const uint8_t *)&q.spi_in);
		isakmp_put_delete(&b, ISAKMP_PROTO_ISAKMP, 16, 1, ck);
		cr_assert_eq(ikei_protect(&s, &dx, &b, NULL, 0), 0);
	} else {
		cr_assert_eq(ikei_delete(&s, &q.spi_in, 1, &b), 0);
	}
	to_hub(&b, natt);
	cr_assert(!ike.all || ike.all->state == IKE_S_DEAD, "the hub kept the SA after DELETE");
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

Test(init, session_raw_esp)
{
	full_session(0, 0, 0);
}

Test(init, session_natt)
{
	full_session(1, 0, 0);
}

Test(init, delete_with_message_id_zero)
{
	full_session(0, 0, 1);
}

Test(init, quick_mode_before_the_interface_waits_for_it)
{
	va_late = 1;
	full_session(0, 1, 0);
}

Test(init, wrong_group_key_fails_at_hash_r)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	phase1(&s, dh, "not-the-key", 0);
	ike_dh_free(dh);
}

Test(init, wrong_password_ends_in_xauth_failure)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	int rc = 0, rounds = 0;
	xauth_ok = 0;
	phase1(&s, dh, "groupkey", 0);
	/* IOS asks three times, then SET status FAIL */
	while (rounds++ < 5 && xauth_round(&s, 0, &rc) == 0 && rc == 0)
		cr_assert(out_len, "no new REQUEST or SET after a refused password");
	cr_assert_eq(rc, IKEI_E_XAUTH);
	cr_assert_eq(rounds, 4);
	ike_dh_free(dh);
}

/*
 * The Easy VPN remote's offers (ikemgr/ezvpn.c: IOS's set, several phase 1 transforms with
 * group 2 and several quick-mode proposals) against the seed's hub, which takes only 3DES,
 * SHA-1 and group 2: the hub picks the one transform it has from each offer, and the
 * initiator takes the hub's choice as its own.
 */
#include "ikemgr/ezvpn.h"

static const char seed_cfg[] =
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network L local\n"
	"username u password 0 pw\n"
	"crypto isakmp policy 1\n"
	" encr 3des\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp client configuration group g\n"
	" key groupkey\n"
	" pool P\n"
	"crypto isakmp profile ra\n"
	" match identity group g\n"
	" client authentication list L\n"
	" isakmp authorization list L\n"
	" client configuration address respond\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T1 esp-3des esp-sha-hmac\n"
	"crypto ipsec profile vp\n"
	" set transform-set T1\n"
	"interface eth1\n"
	" ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered eth1\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n"
	"ip local pool P 10.9.0.10 10.9.0.20\n";

static void seed_setup(void)
{
	setup_with(seed_cfg, sizeof(seed_cfg) - 1);
}
TestSuite(ezoffer, .init = seed_setup);

Test(ezoffer, ios_offers_meet_the_seed_hub)
{
	struct ikei_sa s;
	struct ikei_p1_params p;
	struct ikei_x x;
	struct ikei_qm q;
	struct ikei_cfg c;
	struct isakmp_msg m;
	struct isakmp_buf b;
	uint16_t notify = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	ez_p1_offer(NULL, &p);
	cr_assert_eq(p.group, 2, "IOS's Easy VPN remote offers group 2");
	cr_assert_gt(p.ntrans, 1);
	p.group_name = "g";
	struct ike_dh *dh = ike_dh_new(p.group);
	cr_assert_not_null(dh);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_aggr1(&s, &p, dh, &b), 0);
	cr_assert(to_hub(&b, 0), "no message 2");
	cr_assert_eq(ikei_aggr2(&s, dh, (const uint8_t *)"groupkey", 8, out, out_len, &client, &hub,
	                        &notify), 0);
	cr_assert_eq(s.encr, IKE_ENCR_3DES);
	cr_assert_eq(s.hash, IKE_HASH_SHA1);
	cr_assert_eq(ikei_aggr3(&s, &client, &hub, &b), 0);
	cr_assert(to_hub(&b, 0));
	cr_assert_eq(xauth_round(&s, 0, &rc), 0);
	cr_assert_eq(xauth_round(&s, 0, &rc), 1);

	ikei_x_init(&s, &x, 0);
	cr_assert_eq(ikei_cfg_request_full(&s, &x, &b), 0);
	cr_assert(to_hub(&b, 0), "no Mode Config reply");
	cr_assert_eq(ikei_open(&s, &x, out, out_len, NULL, 0, &m), 0);
	cr_assert_eq(ikei_cfg_reply_full(&m, &c), 0);
	cr_assert_str_eq(inet_ntoa(c.addr), "10.9.0.10");

	memset(&q, 0, sizeof(q));
	ez_p2_offer(&q);
	cr_assert_gt(q.nprop, 1);
	q.life = 3600;
	cr_assert_eq(ikei_qm1(&s, &q, c.addr, &b), 0);
	cr_assert(to_hub(&b, 0), "no quick mode 2");
	cr_assert_eq(ikei_qm2(&s, &q, out, out_len), 0);
	cr_assert_eq(q.encr, ESP_ENCR_3DES);
	cr_assert_eq(q.auth, ESP_AUTH_HMAC_SHA1_96);
	cr_assert_eq(last_add.encr, ESP_ENCR_3DES);
	cr_assert_eq(last_add.spi_in, q.spi_out);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}
