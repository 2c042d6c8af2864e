/*
 * The peer's side of the hub's own requests, for test_ikev2_hubrekey*.c (v2hub.h): a session
 * brought up all the way (keymgr's AUTH answer, the authorization, tunmgr's interface and SA,
 * their answers played here; what goes to tunmgr kept), the hub's requests read with the keys
 * a peer holds, answered and sealed as a peer would.
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
#include "test/unit/v2hub.h"

static const char cfg[] =
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy P\n proposal GCM256\n"
	"crypto ikev2 keyring K\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key secret\n"
	"crypto ikev2 profile PROF\n match identity remote fqdn client.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac\n"
	"crypto ipsec profile IP\n set transform-set T\n set pfs group19\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;

/* what went to tunmgr, in order */
#define NTUN 64
static struct tunmsg tun[NTUN];
static int ntun;

static void io_tun(uint32_t type, uint32_t id, const void *d, size_t l)
{
	cr_assert_lt(ntun, NTUN);
	cr_assert_leq(l, sizeof(tun[0].u));
	tun[ntun].type = type;
	tun[ntun].id = id;
	memset(&tun[ntun].u, 0, sizeof(tun[ntun].u));
	memcpy(&tun[ntun].u, d, l);
	ntun++;
}

int count_tun(uint32_t type)
{
	int n = 0;
	for (int i = 0; i < ntun; i++)
		n += tun[i].type == type;
	return n;
}

const struct tunmsg *last_tun(uint32_t type)
{
	for (int i = ntun - 1; i >= 0; i--)
		if (tun[i].type == type)
			return &tun[i];
	return NULL;
}

void v2hub_setup(void)
{
	static const struct ike_io io = { v2peer_io_send, v2peer_io_none, io_tun, v2peer_io_none };
	ntun = 0;
	v2peer_hub_start(&conf, cfg, sizeof(cfg) - 1, &io);
}

/* ---- the peer's side ---- */

uint32_t sid, x_in, x_out;
const uint8_t client[4] = { 192, 168, 50, 10 };

/* Payloads are put after a dummy header; the chain is what follows it. */
void pl_start(struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	isakmp_buf_init(b);
	cr_assert_eq(ikev2_put_hdr(b, zero, zero, 0, 0, 0), 0);
}

/* A message from the peer on SA spi_i/spi_r: SK around pl's payloads (none: empty), sealed
 * with ek/ak under the peer's suite. */
void from_peer(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                      const uint8_t *ak, uint8_t exch, uint8_t flags, uint32_t msgid,
                      struct isakmp_buf *pl)
{
	static uint8_t m[4096];
	struct isakmp_buf b;
	size_t len = pl ? pl->len - ISAKMP_HDR_LEN : 0;
	isakmp_buf_init(&b);
	cr_assert_eq(ikev2_put_hdr(&b, spi_i, spi_r, exch, flags, msgid), 0);
	memset(m, 0, sizeof(m));
	memcpy(m, b.data, ISAKMP_HDR_LEN);
	isakmp_buf_free(&b);
	m[16] = IKEV2_NP_SK;
	m[ISAKMP_HDR_LEN] = len ? pl->data[16] : 0;
	if (len)
		memcpy(m + ISAKMP_HDR_LEN + 4 + v2p.s.iv, pl->data + ISAKMP_HDR_LEN, len);
	long n = ikev2_sk_seal(&v2p.s, ek, ak, m, sizeof(m), ISAKMP_HDR_LEN, len);
	cr_assert_gt(n, 0);
	if (pl)
		isakmp_buf_free(pl);
	v2peer_in(m, (size_t)n);
}

/* The hub's last datagram on SA spi_i/spi_r, opened with ek/ak: its header, its inner chain
 * (valid until the next call). */
void open_sent(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                      const uint8_t *ak, struct ikev2_hdr *h, struct ikev2_chain *c)
{
	static uint8_t m[4096];
	struct ikev2_chain outer;
	uint8_t inner, np2, *in;
	size_t inlen;
	cr_assert_leq(v2p.sent_len, sizeof(m));
	memcpy(m, v2p.sent, v2p.sent_len);
	cr_assert_eq(ikev2_parse_hdr(m, v2p.sent_len, h), 0);
	cr_assert_arr_eq(h->spi_i, spi_i, 8, "not on the SA expected");
	cr_assert_arr_eq(h->spi_r, spi_r, 8, "not on the SA expected");
	cr_assert_eq(ikev2_parse_chain(h->np, m, ISAKMP_HDR_LEN, v2p.sent_len, &outer, &inner), 0);
	const struct ikev2_pl *sk = ikev2_find(&outer, IKEV2_NP_SK);
	cr_assert_not_null(sk);
	cr_assert_eq(ikev2_sk_open(&v2p.s, ek, ak, m, v2p.sent_len, sk->off, &in, &inlen), 0,
	             "the hub's message does not open with the keys expected");
	cr_assert_eq(ikev2_parse_chain(inner, in, 0, inlen, c, &np2), 0);
	cr_assert_eq(np2, 0);
}

struct ike_dh *peer_dh(uint8_t pub[64])
{
	static const uint8_t priv[32] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
	struct ike_dh *d = ike_dh_new_with_private(19, priv, sizeof(priv));
	cr_assert_not_null(d);
	cr_assert_eq(ike_dh_public(d, pub, 64), 0);
	return d;
}

/* IKE_SA_INIT, IKE_AUTH, keymgr's AUTH, the authorization, the interface, the SA: up. */
struct ikev2_sa *establish(void)
{
	struct isakmp_buf b;
	v2peer_init_req(&b, 0);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	v2peer_init_res(v2p.sent, v2p.sent_len);
	struct ikev2_sa *sa = v2.all;
	while (sa && memcmp(sa->spi_i, v2p.spi_i, 8))
		sa = sa->all_next;
	cr_assert_not_null(sa);
	sid = sa->s.id;

	uint8_t chain[256], m[1024];
	size_t cl = v2peer_auth_chain(chain);
	v2peer_in(m, v2peer_req(m, sizeof(m), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, chain, cl));
	cr_assert_eq(sa->state, V2_S_WAIT_AUTH);
	static struct msg_v2_auth_res res;
	memset(&res, 0, sizeof(res));
	res.sa_id = sid;
	res.status = KEY_OK;
	snprintf(res.profile, sizeof(res.profile), "PROF");
	snprintf(res.group, sizeof(res.group), "default");
	res.auth_method = MSG_V2_AUTH_PSK;
	res.auth_len = 48;
	memset(res.auth, 0xab, 48);
	cr_assert(ikev2_auth_res(sid, &res));
	cr_assert_eq(sa->state, V2_S_AUTHORIZING);

	static struct msg_xauth_res x;
	memset(&x, 0, sizeof(x));
	x.sa_id = sid;
	x.status = XAUTH_OK;
	memcpy(&x.policy.addr, client, 4);
	x.policy.netmask.s_addr = 0xffffffff;
	inet_pton(AF_INET, "10.2.1.0", &x.policy.split[0].net);
	inet_pton(AF_INET, "255.255.255.0", &x.policy.split[0].mask);
	x.policy.nsplit = 1;
	cr_assert(ikev2_xauth_res(sid, &x));
	cr_assert_eq(count_tun(IMSG_VA_CREATE), 1, "no interface asked of tunmgr");

	struct msg_va_created va = { .session_id = sid, .ifindex = 7, .unit = 1 };
	snprintf(va.ifname, sizeof(va.ifname), "va1");
	cr_assert(ikev2_va_created(sid, &va));
	cr_assert_eq(sa->state, V2_S_WAIT_SA);
	const struct tunmsg *t = last_tun(IMSG_SA_ADD);
	cr_assert_not_null(t, "no IPsec SA handed to tunmgr");
	cr_assert_eq(t->id, sid);
	x_in = t->u.add.spi_in;
	x_out = t->u.add.spi_out;
	cr_assert_eq(x_out, htonl(0xc0de0000), "not the SPI v2peer offered");
	int before = v2p.nsent;
	struct msg_sa_added added = { sid, x_in, 0 };
	cr_assert(ikev2_sa_added(sid, &added));
	cr_assert_eq(sa->state, V2_S_ESTABLISHED);
	cr_assert_eq(v2p.nsent, before + 1, "IKE_AUTH not answered");
	int used = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		used += sa->s.child[i].used;
	cr_assert_eq(used, 1);
	return sa;
}

int children(const struct ikev2_sa *sa)
{
	int n = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		n += sa->s.child[i].used;
	return n;
}

struct ike_child *child_of(struct ikev2_sa *sa, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->s.child[i].used && sa->s.child[i].spi_in == spi_in)
			return &sa->s.child[i];
	return NULL;
}

void soft_expire(uint32_t spi_in)
{
	struct msg_sa_expire e = { sid, spi_in, 0 };
	cr_assert(ikev2_sa_expire(sid, &e));
}

void read_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8],
                             const struct ikev2_keys *k, int hub_init, uint32_t old_in,
                             struct child_req *q)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	open_sent(spi_i, spi_r, hub_init ? k->ei : k->er, hub_init ? k->ai : k->ar, &h, &c);
	cr_assert_eq(h.exch, IKEV2_EXCH_CREATE_CHILD);
	cr_assert_eq(h.flags, hub_init ? IKEV2_FLAG_I : 0, "flags %#x", h.flags);
	q->msgid = h.msgid;
	/* N(REKEY_SA) with the hub's inbound SPI of the old SA (1.3.3) */
	struct ikev2_notify n;
	const struct ikev2_pl *pn = ikev2_find(&c, IKEV2_NP_N);
	cr_assert_not_null(pn, "no REKEY_SA");
	cr_assert_eq(ikev2_parse_notify(pn->body, pn->len, &n), 0);
	cr_assert_eq(n.type, IKEV2_N_REKEY_SA);
	cr_assert_eq(n.proto, IKEV2_PROTO_ESP);
	cr_assert_eq(n.spi_size, 4);
	cr_assert_arr_eq(n.spi, &old_in, 4, "REKEY_SA does not name the old inbound SPI");
	/* SA: the child's transform, the hub's new SPI */
	static struct ikev2_sa_pl sa;
	const struct ikev2_pl *psa = ikev2_find(&c, IKEV2_NP_SA);
	cr_assert_not_null(psa);
	cr_assert_eq(ikev2_parse_sa(psa->body, psa->len, &sa), 0);
	cr_assert_eq(sa.n, 1);
	const struct ikev2_prop *p = &sa.prop[0];
	cr_assert_eq(p->proto, IKEV2_PROTO_ESP);
	cr_assert_eq(p->spi_size, 4);
	static const struct ikev2_trans want[4] = { { IKEV2_TR_ENCR, 12, 256 },
	                                            { IKEV2_TR_INTEG, 12, 0 },
	                                            { IKEV2_TR_DH, 19, 0 }, { IKEV2_TR_ESN, 0, 0 } };
	cr_assert_eq(p->ntr, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(p->tr[i].type, want[i].type);
		cr_assert_eq(p->tr[i].id, want[i].id, "transform %d id %u", i, p->tr[i].id);
		cr_assert_eq(p->tr[i].keylen, want[i].keylen);
	}
	memcpy(&q->spi, p->spi, 4);
	cr_assert_neq(q->spi, old_in);
	const struct ikev2_pl *pni = ikev2_find(&c, IKEV2_NP_NONCE), *pke = ikev2_find(&c, IKEV2_NP_KE);
	cr_assert(pni && pni->len >= 16 && pni->len <= sizeof(q->ni));
	memcpy(q->ni, pni->body, pni->len);
	q->nilen = pni->len;
	struct ikev2_ke ke;
	cr_assert_not_null(pke, "no KE with set pfs group19");
	cr_assert_eq(ikev2_parse_ke(pke->body, pke->len, &ke), 0);
	cr_assert_eq(ke.group, 19);
	cr_assert_eq(ke.len, 64);
	memcpy(q->ke, ke.data, 64);
	/* the hub is this exchange's initiator: TSi its side, TSr the client */
	struct ikev2_tsl tsi, tsr;
	const struct ikev2_pl *pi = ikev2_find(&c, IKEV2_NP_TSI), *pr = ikev2_find(&c, IKEV2_NP_TSR);
	cr_assert(pi && pr);
	cr_assert_eq(ikev2_parse_ts(pi->body, pi->len, &tsi), 0);
	cr_assert_eq(ikev2_parse_ts(pr->body, pr->len, &tsr), 0);
	static const uint8_t net_lo[4] = { 10, 2, 1, 0 }, net_hi[4] = { 10, 2, 1, 255 };
	cr_assert_eq(tsi.n, 1);
	cr_assert_arr_eq(tsi.ts[0].lo, net_lo, 4, "TSi is not the hub's side");
	cr_assert_arr_eq(tsi.ts[0].hi, net_hi, 4, "TSi is not the hub's side");
	cr_assert_eq(tsr.n, 1);
	cr_assert_eq(tsr.ts[0].type, IKEV2_TS_IPV4_ADDR_RANGE);
	cr_assert_arr_eq(tsr.ts[0].lo, client, 4, "TSr is not the client's /32");
	cr_assert_arr_eq(tsr.ts[0].hi, client, 4, "TSr is not the client's /32");
}

/* The peer's answer to a CHILD_SA rekey: SA (encr/keylen, its SPI), Nr, KEr, TSi, TSr
 * (tsr: the client's address range end). g^ir into shared. */
void answer_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8],
                               const struct ikev2_keys *k, int hub_init,
                               const struct child_req *q, uint16_t encr_bits, uint32_t spi,
                               const uint8_t *nr, const uint8_t tsr_addr[4], uint8_t *shared,
                               size_t *sl)
{
	uint8_t pub[64];
	struct ike_dh *d = peer_dh(pub);
	cr_assert_eq(ike_dh_shared(d, q->ke, 64, shared, sl), 0);
	ike_dh_free(d);
	struct isakmp_buf b;
	struct ikev2_trans tr[4] = { { IKEV2_TR_ENCR, 12, encr_bits }, { IKEV2_TR_INTEG, 12, 0 },
	                             { IKEV2_TR_DH, 19, 0 }, { IKEV2_TR_ESN, 0, 0 } };
	struct ikev2_ts tsi, tsr;
	memset(&tsi, 0, sizeof(tsi));
	tsi.type = IKEV2_TS_IPV4_ADDR_RANGE;
	tsi.port_hi = 65535;
	tsr = tsi;
	static const uint8_t net_lo[4] = { 10, 2, 1, 0 }, net_hi[4] = { 10, 2, 1, 255 };
	memcpy(tsi.lo, net_lo, 4);
	memcpy(tsi.hi, net_hi, 4);
	memcpy(tsr.lo, tsr_addr, 4);
	memcpy(tsr.hi, tsr_addr, 4);
	pl_start(&b);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_ESP, (const uint8_t *)&spi, 4, tr, 4);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, nr, 32);
	ikev2_put_ke(&b, 19, pub, 64);
	ikev2_put_ts(&b, IKEV2_NP_TSI, &tsi, 1);
	ikev2_put_ts(&b, IKEV2_NP_TSR, &tsr, 1);
	cr_assert_eq(b.err, 0);
	/* the peer is the IKE SA's initiator (I flag, SK_ei out), unless the hub is */
	from_peer(spi_i, spi_r, hub_init ? k->er : k->ei, hub_init ? k->ar : k->ai,
	          IKEV2_EXCH_CREATE_CHILD, IKEV2_FLAG_R | (hub_init ? 0 : IKEV2_FLAG_I), q->msgid,
	          &b);
}

/* The keys tunmgr got for the rekeyed SA are KEYMAT's halves, the hub's outbound first. */
void check_keymat(const struct msg_sa_add *a, const uint8_t *sk_d,
                         const struct child_req *q, const uint8_t *nr, const uint8_t *shared,
                         size_t sl)
{
	uint8_t km[4 * 32];
	cr_assert_eq(a->enc_keylen, 32);
	cr_assert_eq(a->auth_keylen, 32);
	cr_assert_eq(ikev2_child_keymat(&v2p.s, sk_d, shared, sl, q->ni, q->nilen, nr, 32, km,
	                                sizeof(km)), 0);
	cr_assert_arr_eq(a->enckey_out, km, 32, "outbound encryption key not KEYMAT's first");
	cr_assert_arr_eq(a->authkey_out, km + 32, 32, "outbound integrity key not KEYMAT's first");
	cr_assert_arr_eq(a->enckey_in, km + 64, 32, "inbound encryption key not KEYMAT's second");
	cr_assert_arr_eq(a->authkey_in, km + 96, 32, "inbound integrity key not KEYMAT's second");
}

/* The hub's INFORMATIONAL request with one Delete (proto, and for ESP one SPI). */
uint32_t read_delete(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                            const uint8_t *ak, uint8_t flags, uint8_t proto, const void *spi)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	struct ikev2_delete d;
	open_sent(spi_i, spi_r, ek, ak, &h, &c);
	cr_assert_eq(h.exch, IKEV2_EXCH_INFORMATIONAL);
	cr_assert_eq(h.flags, flags, "flags %#x", h.flags);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.pl[0].type, IKEV2_NP_D);
	cr_assert_eq(ikev2_parse_delete(c.pl[0].body, c.pl[0].len, &d), 0);
	cr_assert_eq(d.proto, proto);
	if (proto == IKEV2_PROTO_ESP) {
		cr_assert_eq(d.spi_size, 4);
		cr_assert_eq(d.n, 1);
		cr_assert_arr_eq(d.spis, spi, 4, "the Delete names another SPI");
	} else {
		cr_assert_eq(d.n, 0);
	}
	return h.msgid;
}

const uint8_t nr1[32] = { 0x44, 0x45, 0x46, 0x47 };

/* The peer's CHILD_SA rekey of the first SA: REKEY_SA names its inbound (the hub's
 * outbound). */
void peer_child_rekey(uint32_t msgid)
{
	uint8_t pub[64];
	struct ike_dh *d = peer_dh(pub);
	ike_dh_free(d);
	static const uint8_t ni[32] = { 0x66 };
	uint32_t spi = htonl(0xc0de0002);
	struct ikev2_trans tr[4] = { { IKEV2_TR_ENCR, 12, 256 }, { IKEV2_TR_INTEG, 12, 0 },
	                             { IKEV2_TR_DH, 19, 0 }, { IKEV2_TR_ESN, 0, 0 } };
	struct ikev2_ts tsi, tsr;
	memset(&tsi, 0, sizeof(tsi));
	tsi.type = IKEV2_TS_IPV4_ADDR_RANGE;
	tsi.port_hi = 65535;
	tsr = tsi;
	memcpy(tsi.lo, client, 4);
	memcpy(tsi.hi, client, 4);
	memset(tsr.hi, 0xff, 4);
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_notify(&b, IKEV2_PROTO_ESP, (const uint8_t *)&x_out, 4, IKEV2_N_REKEY_SA, NULL, 0);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_ESP, (const uint8_t *)&spi, 4, tr, 4);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, ni, sizeof(ni));
	ikev2_put_ke(&b, 19, pub, 64);
	ikev2_put_ts(&b, IKEV2_NP_TSI, &tsi, 1);
	ikev2_put_ts(&b, IKEV2_NP_TSR, &tsr, 1);
	cr_assert_eq(b.err, 0);
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_CREATE_CHILD, IKEV2_FLAG_I,
	          msgid, &b);
}

/* The hub's answer to the peer's request msgid: its first notify's type, 0 when none. */
uint16_t answer_notify(uint32_t msgid, int *has_sa)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	struct ikev2_notify n;
	open_sent(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, &h, &c);
	cr_assert_eq(h.flags, IKEV2_FLAG_R);
	cr_assert_eq(h.exch, IKEV2_EXCH_CREATE_CHILD);
	cr_assert_eq(h.msgid, msgid);
	*has_sa = ikev2_find(&c, IKEV2_NP_SA) != NULL;
	const struct ikev2_pl *pn = ikev2_find(&c, IKEV2_NP_N);
	if (!pn)
		return 0;
	cr_assert_eq(ikev2_parse_notify(pn->body, pn->len, &n), 0);
	return n.type;
}

/* The peer rekeys the IKE SA (msgid its request's ID): the hub's answer read, the SA that
 * holds the session now returned. */
struct ikev2_sa *peer_ike_rekey(uint32_t msgid)
{
	static const uint8_t spi[8] = { 0x77, 1, 2, 3, 4, 5, 6, 7 }, ni[32] = { 0x88 };
	static const struct ikev2_trans tr[3] = { { IKEV2_TR_ENCR, 20, 256 }, { IKEV2_TR_PRF, 6, 0 },
	                                          { IKEV2_TR_DH, 19, 0 } };
	uint8_t pub[64];
	ike_dh_free(peer_dh(pub));
	struct isakmp_buf b;
	pl_start(&b);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_IKE, spi, 8, tr, 3);
	isakmp_put_payload(&b, IKEV2_NP_NONCE, ni, sizeof(ni));
	ikev2_put_ke(&b, 19, pub, 64);
	int before = v2p.nsent;
	from_peer(v2p.spi_i, v2p.spi_r, v2p.k.ei, v2p.k.ai, IKEV2_EXCH_CREATE_CHILD, IKEV2_FLAG_I,
	          msgid, &b);
	cr_assert_eq(v2p.nsent, before + 1, "the peer's IKE SA rekey not answered");
	struct ikev2_hdr h;
	struct ikev2_chain c;
	open_sent(v2p.spi_i, v2p.spi_r, v2p.k.er, v2p.k.ar, &h, &c);
	cr_assert_eq(h.msgid, msgid);
	cr_assert_not_null(ikev2_find(&c, IKEV2_NP_SA), "the peer's IKE SA rekey refused");
	struct ikev2_sa *n = ikev2_sa_by_id(sid);
	cr_assert(n && !memcmp(n->spi_i, spi, 8), "the session not on the peer's new SA");
	return n;
}
