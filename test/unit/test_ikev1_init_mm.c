/*
 * The main mode initiator (ikemgr/ikev1_init_mm.c) against the hub's own main mode responder
 * (ikev1_input, a keyring peer): six messages with and without NAT-T, HASH_R checked, the
 * peer's ID held to the destination, a wrong key caught by the responder at message 5 and a
 * forged message 6 leaving the CBC chain intact; then quick mode proposing 0.0.0.0/0 on both
 * sides as an IOS static VTI does, and quick mode with PFS against a hub that wants it.
 * keymgr and tunmgr are stood in for as in test_ikev1_init.c.
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
	"crypto isakmp policy 10\n encr aes 256\n hash sha\n authentication pre-share\n group 14\n"
	"crypto isakmp key s3cret address 10.99.0.7\n"
	"crypto isakmp profile s2s\n match identity address 10.99.0.7 255.255.255.255\n"
	" virtual-template 1\n network-extension access-list NEM\n"
	"ip access-list extended NEM\n permit ip 10.99.0.0 0.0.0.255 any\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile vp\n set transform-set T1\n set pfs group14\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n";

static struct vpnd_conf conf;
static struct sockaddr_in client, hub;
static uint8_t out[65536];
static size_t out_len;
static const char *hub_key = "s3cret";

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	if (out_len)
		return;
	cr_assert_leq(len, sizeof(out));
	memcpy(out, pkt, len);
	out_len = len;
}

/* keymgr's answer to the responder: SKEYID from the key it holds for the client's address */
static struct { uint32_t id; struct msg_skeyid_req rq; int pending; } kq;

static void to_keymgr(uint32_t t, uint32_t id, const void *d, size_t l)
{
	if (t != IMSG_SKEYID_REQ)
		return;
	cr_assert_eq(l, sizeof(kq.rq));
	kq.id = id;
	memcpy(&kq.rq, d, l);
	kq.pending = 1;
}

static void drain(void)
{
	struct msg_skeyid_res r;
	size_t n = 0;

	if (!kq.pending)
		return;
	kq.pending = 0;
	memset(&r, 0, sizeof(r));
	r.sa_id = kq.rq.sa_id;
	cr_assert_eq(ike_skeyid_psk(kq.rq.prf_hash, (const uint8_t *)hub_key, strlen(hub_key),
	                            kq.rq.ni, kq.rq.ni_len, kq.rq.nr, kq.rq.nr_len, r.skeyid, &n), 0);
	r.status = KEY_OK;
	r.skeyid_len = (uint16_t)n;
	snprintf(r.profile, sizeof(r.profile), "s2s");
	ikev1_skeyid_res(kq.id, &r);
}

/* tunmgr: the interface and every SA taken (its keys kept for the test), answered after the
 * engine returns, as over the channel */
static struct msg_sa_add last_add;
static int sa_adds;
static struct { uint32_t type, id; struct msg_sa_add sa; } tq[4];
static int ntq;

static void to_tunmgr(uint32_t t, uint32_t id, const void *d, size_t l)
{
	if ((t != IMSG_VA_CREATE && t != IMSG_SA_ADD) || ntq == 4)
		return;
	tq[ntq].type = t;
	tq[ntq].id = id;
	if (t == IMSG_SA_ADD) {
		cr_assert_eq(l, sizeof(tq[ntq].sa));
		memcpy(&tq[ntq].sa, d, l);
	}
	ntq++;
}

static void tunmgr_answers(void)
{
	for (int i = 0; i < ntq; i++) {
		if (tq[i].type == IMSG_VA_CREATE) {
			struct msg_va_created r;
			memset(&r, 0, sizeof(r));
			r.session_id = tq[i].id;
			snprintf(r.ifname, sizeof(r.ifname), "va1");
			r.ifindex = 7;
			r.unit = 1;
			ikev1_va_created(tq[i].id, &r);
		} else {
			struct msg_sa_added r;
			last_add = tq[i].sa;
			sa_adds++;
			memset(&r, 0, sizeof(r));
			r.session_id = tq[i].id;
			r.spi_in = last_add.spi_in;
			ikev1_sa_added(tq[i].id, &r);
		}
	}
	ntq = 0;
}

static void to_parent(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void setup(void)
{
	static const struct ike_io io = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	client.sin_family = hub.sin_family = AF_INET;
	inet_pton(AF_INET, "10.99.0.7", &client.sin_addr);
	inet_pton(AF_INET, "172.18.143.246", &hub.sin_addr);
	client.sin_port = hub.sin_port = htons(500);
	hub_key = "s3cret";
	kq.pending = 0;
	ntq = 0;
}
TestSuite(mm, .init = setup);

static int to_hub(struct isakmp_buf *b, int port4500)
{
	union sa46 c = { .sin = client }, h = { .sin = hub };

	out_len = 0;
	if (port4500)
		c.sin.sin_port = htons(4500);
	ikev1_input(b->data, b->len, &c, &h, port4500);
	drain();
	tunmgr_answers();
	tunmgr_answers();       /* what the first answers made the engine ask */
	isakmp_buf_free(b);
	isakmp_buf_init(b);
	return out_len > 0;
}

static const struct ikei_p1_params params = {
	.ntrans = 2, .group = 14, .lifetime = 86400,
	.trans = { { IKE_ENCR_3DES, 0, IKE_HASH_MD5 }, { IKE_ENCR_AES, 256, IKE_HASH_SHA1 } },
};

/* messages 1 to 4 and the keys from our own SKEYID with key */
static void first_four(struct ikei_sa *s, struct ike_dh *dh, const char *key, int natt)
{
	struct isakmp_buf b;
	struct ikei_p1_params p = params;
	uint16_t notify = 0;
	uint8_t skeyid[64];
	size_t n = 0;

	p.natt = natt;
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm1(s, &p, dh, &b), 0);
	cr_assert(to_hub(&b, 0), "no message 2");
	cr_assert_eq(ikei_mm2(s, out, out_len, &notify), 0);
	/* the hub's policy 10 is the second offer */
	cr_assert_eq(s->encr, IKE_ENCR_AES);
	cr_assert_eq(s->keylen, 256);
	cr_assert_eq(s->hash, IKE_HASH_SHA1);
	cr_assert_eq(s->peer_natt, natt);
	cr_assert_eq(ikei_mm3(s, &client, &hub, &b), 0);
	cr_assert(to_hub(&b, 0), "no message 4");
	/* message 2 again (a resend) is not message 4 */
	cr_assert_eq(ikei_mm4(s, out, out_len, &client, &hub, &notify), 0);
	cr_assert_eq(s->nat_detected, 0);
	cr_assert_eq(ike_skeyid_psk(s->hash, (const uint8_t *)key, strlen(key), s->ni, s->nilen,
	                            s->nr, s->nrlen, skeyid, &n), 0);
	cr_assert_eq(ikei_mm_keys(s, dh, skeyid, n), 0);
	isakmp_buf_free(&b);
}

static void phase1(struct ikei_sa *s, struct ike_dh *dh, int natt)
{
	struct isakmp_buf b;
	uint16_t notify = 0;

	first_four(s, dh, "s3cret", natt);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm5(s, client.sin_addr, &b), 0);
	cr_assert(to_hub(&b, 0), "no message 6");
	cr_assert_eq(ikei_mm6(s, out, out_len, hub.sin_addr, &notify), 0);
	cr_assert_eq(ike.all->state, IKE_S_ESTABLISHED, "the hub did not finish phase 1");
	isakmp_buf_free(&b);
}

Test(mm, six_messages)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	phase1(&s, dh, 0);
	ike_dh_free(dh);
}

Test(mm, six_messages_natt_offered)
{
	struct ikei_sa s;
	struct ike_dh *dh = ike_dh_new(14);
	phase1(&s, dh, 1);
	ike_dh_free(dh);
}

Test(mm, wrong_key_refused_at_message_5)
{
	struct ikei_sa s;
	struct isakmp_buf b;
	struct ike_dh *dh = ike_dh_new(14);

	first_four(&s, dh, "not-the-key", 0);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm5(&s, client.sin_addr, &b), 0);
	to_hub(&b, 0);
	cr_assert(!ike.all || ike.all->state != IKE_S_ESTABLISHED, "phase 1 done with a wrong key");
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

Test(mm, message_6_from_another_identity_or_forged)
{
	struct ikei_sa s, keep;
	struct isakmp_buf b;
	uint16_t notify = 0;
	uint8_t copy[sizeof(out)];
	struct ike_dh *dh = ike_dh_new(14);

	first_four(&s, dh, "s3cret", 0);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm5(&s, client.sin_addr, &b), 0);
	cr_assert(to_hub(&b, 0));
	keep = s;
	/* one flipped bit in the last block: HASH or the parse fails, the chain is kept */
	memcpy(copy, out, out_len);
	copy[out_len - 1] ^= 1;
	cr_assert_lt(ikei_mm6(&s, copy, out_len, hub.sin_addr, &notify), 0);
	cr_assert_arr_eq(s.iv, keep.iv, sizeof(s.iv));
	/* the hub names itself 172.18.143.246: a tunnel to another address refuses it */
	memcpy(copy, out, out_len);
	struct in_addr other = { htonl(0xac128ff7) };
	cr_assert_eq(ikei_mm6(&s, copy, out_len, other, &notify), IKEI_E_PROPOSAL);
	cr_assert_arr_eq(s.iv, keep.iv, sizeof(s.iv));
	/* a truncated datagram; then the real message 6 still opens */
	cr_assert_eq(ikei_mm6(&s, out, 20, hub.sin_addr, &notify), IKEI_E_MALFORMED);
	cr_assert_eq(ikei_mm6(&s, out, out_len, hub.sin_addr, &notify), 0);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

Test(mm, refusal_and_strangers)
{
	struct ikei_sa s;
	struct isakmp_buf b;
	uint16_t notify = 0;
	struct ike_dh *dh = ike_dh_new(14);
	struct ikei_p1_params p = params;

	/* only 3DES-MD5 offered: the hub's AES-SHA policy refuses it */
	p.ntrans = 1;
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_mm1(&s, &p, dh, &b), 0);
	if (to_hub(&b, 0))
		cr_assert_eq(ikei_mm2(&s, out, out_len, &notify), IKEI_E_NOTIFY);
	/* garbage and someone else's cookie */
	uint8_t junk[40] = { 0 };
	cr_assert_eq(ikei_mm2(&s, junk, sizeof(junk), &notify), IKEI_E_MALFORMED);
	cr_assert_eq(ikei_mm4(&s, junk, sizeof(junk), &client, &hub, &notify), IKEI_E_MALFORMED);
	cr_assert_lt(ikei_mm6(&s, junk, sizeof(junk), hub.sin_addr, &notify), 0);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

Test(mm, quick_mode_any_to_any)
{
	struct ikei_sa s;
	struct ikei_qm q;
	struct ikei_x x;
	struct isakmp_msg m;
	struct isakmp_buf b;
	struct ike_dh *dh = ike_dh_new(14);
	static const uint8_t any[12] = { ISAKMP_ID_IPV4_ADDR_SUBNET };

	phase1(&s, dh, 0);
	memset(&q, 0, sizeof(q));
	q.encr = ESP_ENCR_AES_CBC;
	q.keylen = 256;
	q.auth = ESP_AUTH_HMAC_SHA1_96;
	q.life = 3600;
	q.idci_any = 1;
	isakmp_buf_init(&b);
	struct in_addr ours = client.sin_addr;
	cr_assert_eq(ikei_qm1(&s, &q, ours, &b), 0);
	/* read back as the peer would: both identities 0.0.0.0/0 */
	ikei_x_init(&s, &x, q.x.msgid);
	cr_assert_eq(ikei_open(&s, &x, b.data, b.len, NULL, 0, &m), 0);
	int nid = 0;
	for (int i = 0; i < m.npl; i++) {
		if (m.pl[i].type != ISAKMP_NP_ID)
			continue;
		cr_assert_eq(m.pl[i].len, sizeof(any));
		cr_assert_arr_eq(m.pl[i].body, any, sizeof(any));
		nid++;
	}
	cr_assert_eq(nid, 2);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

/* quick mode with PFS (set pfs group14 at the hub): KE both ways, and both sides' KEYMAT
 * from the quick mode's own g^xy */
Test(mm, quick_mode_with_pfs)
{
	struct ikei_sa s;
	struct ikei_qm q;
	struct ikei_keys k;
	struct isakmp_buf b;
	struct ike_dh *dh = ike_dh_new(14);

	phase1(&s, dh, 0);
	memset(&q, 0, sizeof(q));
	q.encr = ESP_ENCR_AES_CBC;
	q.keylen = 256;
	q.auth = ESP_AUTH_HMAC_SHA1_96;
	q.life = 3600;
	q.pfs_group = 14;
	q.pfs_dh = ike_dh_new(14);
	cr_assert_not_null(q.pfs_dh);
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_qm1(&s, &q, client.sin_addr, &b), 0);
	sa_adds = 0;
	cr_assert(to_hub(&b, 0), "no quick mode 2 (PFS)");
	uint32_t mid;
	uint8_t ex;
	ikei_peek(out, out_len, &mid, &ex);
	int rc = ikei_qm2(&s, &q, out, out_len);
	cr_assert_eq(rc, 0, "qm2: %s (exchange %u, M-ID %08x vs %08x)", ikei_strerror(rc), ex, mid, q.x.msgid);
	cr_assert_eq(q.gxlen, 256);
	cr_assert_eq(ikei_qm3(&s, &q, &b), 0);
	to_hub(&b, 0);
	cr_assert_eq(sa_adds, 1);
	cr_assert_eq(ikei_keymat(&s, &q, &k), 0);
	cr_assert_arr_eq(last_add.enckey_in, k.enc_out, k.enc_len);
	cr_assert_arr_eq(last_add.authkey_in, k.auth_out, k.auth_len);
	cr_assert_arr_eq(last_add.enckey_out, k.enc_in, k.enc_len);
	/* without its half of the exchange the keys differ: PFS is in them */
	struct ikei_qm nopfs = q;
	struct ikei_keys k2;
	nopfs.pfs_group = 0;
	cr_assert_eq(ikei_keymat(&s, &nopfs, &k2), 0);
	cr_assert(memcmp(k.enc_in, k2.enc_in, k.enc_len), "KEYMAT without g^xy");
	ike_dh_free(q.pfs_dh);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}

/* a hub that wants PFS refuses a quick mode without it */
Test(mm, quick_mode_without_the_pfs_the_hub_wants)
{
	struct ikei_sa s;
	struct ikei_qm q;
	struct isakmp_buf b;
	struct ike_dh *dh = ike_dh_new(14);

	phase1(&s, dh, 0);
	memset(&q, 0, sizeof(q));
	q.encr = ESP_ENCR_AES_CBC;
	q.keylen = 256;
	q.auth = ESP_AUTH_HMAC_SHA1_96;
	q.life = 3600;
	isakmp_buf_init(&b);
	cr_assert_eq(ikei_qm1(&s, &q, client.sin_addr, &b), 0);
	sa_adds = 0;
	if (to_hub(&b, 0))
		cr_assert_neq(ikei_qm2(&s, &q, out, out_len), 0, "quick mode 2 without PFS");
	cr_assert_eq(sa_adds, 0);
	isakmp_buf_free(&b);
	ike_dh_free(dh);
}
