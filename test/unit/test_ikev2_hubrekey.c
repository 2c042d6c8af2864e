/*
 * Requests the hub starts (ikemgr/ikev2_req.c, ikemgr/ikev2_hubrekey.c) against the minimal
 * initiator (v2peer.c), which answers them as a peer would, with keys it derives itself:
 * a CHILD_SA rekey at tunmgr's soft-expiry report (what is offered, the KEYMAT halves the hub
 * installs as the exchange's initiator, the old SA deleted after), an answer that takes what
 * was not offered, retransmissions on their backoff until the peer is declared dead, the IKE
 * SA rekey (the new SA is the hub's as initiator: I flag and SK_ei/SK_ai out), and the
 * collisions of 2.25.1 with a peer's own CHILD_SA rekey.
 * The session is brought up all the way: keymgr's AUTH answer, the authorization, tunmgr's
 * interface and SA (their answers played here; what goes to tunmgr is kept).
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
	"crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac\n"
	"crypto ipsec profile IP\n set transform-set T\n set pfs group19\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;

/* what went to tunmgr, in order */
#define NTUN 64
static struct tunmsg {
	uint32_t type, id;
	union {
		struct msg_sa_add add;
		struct msg_sa_del del;
		struct msg_va_create va;
	} u;
} tun[NTUN];
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

static int count_tun(uint32_t type)
{
	int n = 0;
	for (int i = 0; i < ntun; i++)
		n += tun[i].type == type;
	return n;
}

static const struct tunmsg *last_tun(uint32_t type)
{
	for (int i = ntun - 1; i >= 0; i--)
		if (tun[i].type == type)
			return &tun[i];
	return NULL;
}

static void setup(void)
{
	static const struct ike_io io = { v2peer_io_send, v2peer_io_none, io_tun, v2peer_io_none };
	ntun = 0;
	v2peer_hub_start(&conf, cfg, sizeof(cfg) - 1, &io);
}
TestSuite(ikev2_hubrekey, .init = setup, .fini = v2peer_hub_stop);

/* ---- the peer's side ---- */

static uint32_t sid;                    /* the session */
static uint32_t x_in, x_out;            /* its first CHILD_SA: the hub's inbound, outbound */
static const uint8_t client[4] = { 192, 168, 50, 10 };

/* Payloads are put after a dummy header; the chain is what follows it. */
static void pl_start(struct isakmp_buf *b)
{
	static const uint8_t zero[8];
	isakmp_buf_init(b);
	cr_assert_eq(ikev2_put_hdr(b, zero, zero, 0, 0, 0), 0);
}

/* A message from the peer on SA spi_i/spi_r: SK around pl's payloads (none: empty), sealed
 * with ek/ak under the peer's suite. */
static void from_peer(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
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
static void open_sent(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
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

static struct ike_dh *peer_dh(uint8_t pub[64])
{
	static const uint8_t priv[32] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
	struct ike_dh *d = ike_dh_new_with_private(19, priv, sizeof(priv));
	cr_assert_not_null(d);
	cr_assert_eq(ike_dh_public(d, pub, 64), 0);
	return d;
}

/* IKE_SA_INIT, IKE_AUTH, keymgr's AUTH, the authorization, the interface, the SA: up. */
static struct ikev2_sa *establish(void)
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

static int children(const struct ikev2_sa *sa)
{
	int n = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		n += sa->s.child[i].used;
	return n;
}

static struct ike_child *child_of(struct ikev2_sa *sa, uint32_t spi_in)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->s.child[i].used && sa->s.child[i].spi_in == spi_in)
			return &sa->s.child[i];
	return NULL;
}

static void soft_expire(uint32_t spi_in)
{
	struct msg_sa_expire e = { sid, spi_in, 0 };
	cr_assert(ikev2_sa_expire(sid, &e));
}

/* The hub's CHILD_SA rekey request, as the peer reads it (SK_er/SK_ar, or the new IKE SA's
 * keys k when ours is the hub's): its SPI, nonce and KE kept. */
struct child_req {
	uint32_t msgid, spi;
	uint8_t ni[256], ke[64];
	size_t nilen;
};

static void read_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8],
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
static void answer_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8],
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
static void check_keymat(const struct msg_sa_add *a, const uint8_t *sk_d,
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
static uint32_t read_delete(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
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

static const uint8_t nr1[32] = { 0x44, 0x45, 0x46, 0x47 };

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

/* d. the IKE SA rekeyed by the hub: the new SA is the hub's as initiator */
Test(ikev2_hubrekey, ike_rekey_by_the_hub)
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

/* The peer's CHILD_SA rekey of the first SA: REKEY_SA names its inbound (the hub's
 * outbound). */
static void peer_child_rekey(uint32_t msgid)
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
static uint16_t answer_notify(uint32_t msgid, int *has_sa)
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

/* e. the hub's rekey in flight: the peer's of the same SA gets TEMPORARY_FAILURE */
Test(ikev2_hubrekey, collision_ours_in_flight)
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
Test(ikev2_hubrekey, collision_ours_queued)
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
Test(ikev2_hubrekey, peer_rekey_during_our_ike_rekey_refused)
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

/* The peer rekeys the IKE SA (msgid its request's ID): the hub's answer read, the SA that
 * holds the session now returned. */
static struct ikev2_sa *peer_ike_rekey(uint32_t msgid)
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

/* Our Delete of the SA our CHILD_SA rekey replaced, answered on the IKE SA the peer rekeyed
 * meanwhile: the old CHILD_SA goes all the same (the session holding it is on the new SA). */
Test(ikev2_hubrekey, old_child_removed_after_a_peer_ike_rekey)
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
