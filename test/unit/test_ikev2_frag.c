/*
 * IKE fragmentation (RFC 7383, ikemgr/ikev2_frag.c) through ikev2_input with a minimal
 * initiator (test_ikev2_engine.c's: group 19, AES-GCM-256, keys derived here): negotiation in
 * IKE_SA_INIT, an IKE_AUTH request in fragments out of order with a duplicate taken once, a
 * forged fragment dropped without disturbing the rest, bounds, and a response larger than the
 * MTU leaving as fragments that open with the initiator's keys and join to the original,
 * all of them again for a retransmitted request.
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

#define MTU 300
static const char cfg[] =
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy P\n proposal GCM256\n"
	"crypto ikev2 keyring K\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key secret\n"
	"crypto ikev2 profile PROF\n match identity remote fqdn client.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	" virtual-template 1\n"
	"crypto ikev2 fragmentation mtu 300\n"
	"crypto ipsec transform-set T esp-gcm 256\n"
	"crypto ipsec profile IP\n set transform-set T\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;
static int nsent, nkey;
#define NOUT 64
static uint8_t out[NOUT][4096];
static size_t out_len[NOUT];

static void io_send(const union sa46 *l, const union sa46 *p, int port4500, const uint8_t *pkt,
                    size_t len)
{
	(void)l; (void)p; (void)port4500;
	cr_assert_lt(nsent, NOUT);
	cr_assert_leq(len, sizeof(out[0]));
	memcpy(out[nsent], pkt, len);
	out_len[nsent++] = len;
}
/* keymgr is asked and never answers: how often it is asked is how often IKE_AUTH was taken */
static void io_key(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
	nkey++;
}

static void setup(void)
{
	static const struct ike_io io = { io_send, io_key, v2peer_io_none, v2peer_io_none };
	v2peer_hub_start(&conf, cfg, sizeof(cfg) - 1, &io);
	cr_assert_eq(conf.v2.fragmentation, 1);
	nsent = nkey = 0;
}

static int has_frag_notify(const uint8_t *m, size_t len)
{
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	struct ikev2_notify n;
	uint8_t inner;
	cr_assert_eq(ikev2_parse_hdr(m, len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, len, &ch, &inner), 0);
	for (int i = 0; i < ch.n; i++)
		if (ch.pl[i].type == IKEV2_NP_N &&
		    ikev2_parse_notify(ch.pl[i].body, ch.pl[i].len, &n) == 0 &&
		    n.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED)
			return 1;
	return 0;
}

/* IKE_SA_INIT (announcing fragmentation when frag) answered, the keys derived here too;
 * whether the hub announced it back */
static int sa_init(int frag)
{
	struct isakmp_buf b;
	v2peer_init_req(&b, frag);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(nsent, 1);
	v2peer_init_res(out[0], out_len[0]);
	return has_frag_notify(out[0], out_len[0]);
}

/* One fragment of a request: header, SKF (np in the first only), sealed with our keys. */
static size_t frag(uint8_t *m, size_t cap, uint8_t exch, uint32_t msgid, uint8_t np,
                   unsigned num, unsigned total, const uint8_t *part, size_t len)
{
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, v2p.spi_i, v2p.spi_r, exch, IKEV2_FLAG_I, msgid);
	cr_assert_eq(b.len, (size_t)ISAKMP_HDR_LEN);
	memset(m, 0, cap);
	memcpy(m, b.data, b.len);
	isakmp_buf_free(&b);
	m[16] = IKEV2_NP_SKF;
	m[ISAKMP_HDR_LEN] = num == 1 ? np : 0;
	m[ISAKMP_HDR_LEN + 4] = (uint8_t)(num >> 8);
	m[ISAKMP_HDR_LEN + 5] = (uint8_t)num;
	m[ISAKMP_HDR_LEN + 6] = (uint8_t)(total >> 8);
	m[ISAKMP_HDR_LEN + 7] = (uint8_t)total;
	memcpy(m + ISAKMP_HDR_LEN + 8 + v2p.s.iv, part, len);
	long n = ikev2_skf_seal(&v2p.s, v2p.k.ei, v2p.k.ai, m, cap, ISAKMP_HDR_LEN, len);
	cr_assert_gt(n, 0);
	return (size_t)n;
}

/* IDi, AUTH, CP, SA (ESP), TSi, TSr: an IKE_AUTH request that goes to keymgr */

/* the IKE_AUTH request cut in three, fragment i (1..3) of it sealed into m */
static size_t auth_frag(uint8_t *m, size_t cap, unsigned i, unsigned total)
{
	uint8_t chain[256];
	size_t cl = v2peer_auth_chain(chain), third = cl / 3;
	size_t from = (i - 1) * third, len = i == 3 ? cl - from : third;
	return frag(m, cap, IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, i, total, chain + from, len);
}

TestSuite(ikev2_frag, .init = setup, .fini = v2peer_hub_stop);

Test(ikev2_frag, negotiated_only_when_both_say_so)
{
	cr_assert(sa_init(1), "the hub did not announce fragmentation to a client that did");
	cr_assert_eq(v2.all->frag, 1);
	ikev2_shutdown();
	nsent = 0;
	cr_assert_not(sa_init(0), "fragmentation announced to a client that did not");
	cr_assert_eq(v2.all->frag, 0);
	/* fragments on an SA that did not negotiate them: dropped, counted, nothing taken */
	uint8_t m[1024];
	uint64_t was = v2.drop_malformed;
	for (unsigned i = 1; i <= 3; i++)
		v2peer_in(m, auth_frag(m, sizeof(m), i, 3));
	cr_assert_eq(nkey, 0);
	cr_assert_eq(v2.drop_malformed, was + 3);
	cr_assert_eq(v2.frag_reassembled, 0);
}

Test(ikev2_frag, no_announcement_without_the_configuration)
{
	conf.v2.fragmentation = 0;
	cr_assert_not(sa_init(1), "fragmentation announced though not configured");
	cr_assert_eq(v2.all->frag, 0);
}

/* Out of order, one fragment twice before the last: IKE_AUTH taken once, when complete. */
Test(ikev2_frag, request_in_three_fragments_out_of_order_taken_once)
{
	uint8_t f1[1024], f2[1024], f3[1024];
	cr_assert(sa_init(1));
	size_t l1 = auth_frag(f1, sizeof(f1), 1, 3), l2 = auth_frag(f2, sizeof(f2), 2, 3),
	       l3 = auth_frag(f3, sizeof(f3), 3, 3);
	v2peer_in(f3, l3);
	v2peer_in(f1, l1);
	v2peer_in(f3, l3);
	cr_assert_eq(nkey, 0, "IKE_AUTH taken before its fragments were all there");
	cr_assert_eq(v2.frag_dup, 1);
	cr_assert_not_null(v2.all->frx);
	v2peer_in(f2, l2);
	cr_assert_eq(nkey, 1, "the reassembled IKE_AUTH did not reach keymgr");
	cr_assert_eq(v2.frag_rx, 3);
	cr_assert_eq(v2.frag_reassembled, 1);
	cr_assert_null(v2.all->frx);
	cr_assert_eq(v2.all->next_in, 2);
	/* the peer retransmits while keymgr works: nothing taken twice, nothing answered */
	v2peer_in(f2, l2);
	v2peer_in(f1, l1);
	cr_assert_eq(nkey, 1);
	cr_assert_eq(nsent, 1);
}

/* A forged fragment (ICV wrong) is dropped before it is kept: it neither takes a genuine
 * fragment's place nor restarts the reassembly with its larger total. */
Test(ikev2_frag, forged_fragment_dropped_without_disturbing_the_rest)
{
	uint8_t f[1024];
	size_t l;
	cr_assert(sa_init(1));
	v2peer_in(f, auth_frag(f, sizeof(f), 1, 3));
	l = auth_frag(f, sizeof(f), 2, 3);
	f[l - 1] ^= 1;
	v2peer_in(f, l);
	cr_assert_eq(v2.drop_integrity, 1);
	l = auth_frag(f, sizeof(f), 2, 4);
	f[l - 3] ^= 0x40;
	v2peer_in(f, l);
	cr_assert_eq(v2.drop_integrity, 2);
	cr_assert_eq(v2.frag_rx, 1);
	v2peer_in(f, auth_frag(f, sizeof(f), 3, 3));
	cr_assert_eq(nkey, 0);
	v2peer_in(f, auth_frag(f, sizeof(f), 2, 3));
	cr_assert_eq(nkey, 1, "the genuine fragments were not put back together");
	cr_assert_eq(v2.frag_reassembled, 1);
}

Test(ikev2_frag, malformed_fragments_dropped_and_counted)
{
	uint8_t f[1024], part[8] = { 0 };
	cr_assert(sa_init(1));
	uint64_t was = v2.drop_malformed;
	v2peer_in(f, frag(f, sizeof(f), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, 1, IKEV2_FRAG_MAX + 1, part, 8));
	v2peer_in(f, frag(f, sizeof(f), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, 0, 3, part, 8));
	v2peer_in(f, frag(f, sizeof(f), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, 4, 3, part, 8));
	cr_assert_eq(v2.drop_malformed, was + 3);
	cr_assert_eq(v2.frag_drop, 3);
	/* a smaller total than the message's first: an older cut, dropped */
	v2peer_in(f, auth_frag(f, sizeof(f), 1, 3));
	v2peer_in(f, frag(f, sizeof(f), IKEV2_EXCH_AUTH, 1, 0, 2, 2, part, 8));
	cr_assert_eq(v2.frag_drop, 4);
	/* another exchange type under the same message ID */
	v2peer_in(f, frag(f, sizeof(f), IKEV2_EXCH_INFORMATIONAL, 1, 0, 2, 3, part, 8));
	cr_assert_eq(v2.frag_drop, 5);
	cr_assert_eq(v2.frag_rx, 1);
	cr_assert_eq(nkey, 0);
}

/* Opens fragment m with the hub's keys (ours to receive with): its number, total, clear text
 * appended to all. */
static void open_resp_frag(const uint8_t *m, size_t len, unsigned *num, unsigned *total,
                           uint8_t *np, uint8_t *all, size_t *alllen)
{
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	uint8_t inner, copy[4096], *p;
	size_t pl;
	cr_assert_eq(ikev2_parse_hdr(m, len, &h), 0);
	cr_assert(h.flags & IKEV2_FLAG_R);
	cr_assert_eq(h.np, IKEV2_NP_SKF);
	cr_assert_eq(ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, len, &ch, &inner), 0);
	cr_assert_eq(ch.n, 1);
	*num = (unsigned)ch.pl[0].body[0] << 8 | ch.pl[0].body[1];
	*total = (unsigned)ch.pl[0].body[2] << 8 | ch.pl[0].body[3];
	*np = inner;
	memcpy(copy, m, len);
	cr_assert_eq(ikev2_skf_open(&v2p.s, v2p.k.er, v2p.k.ar, copy, len, ch.pl[0].off, &p, &pl), 0,
	             "a response fragment that the initiator's keys do not open");
	memcpy(all + *alllen, p, pl);
	*alllen += pl;
}

/* A response larger than the MTU leaves in fragments of at most the MTU (IP and UDP headers
 * counted), each opening with our keys, joined to the original; a retransmitted request gets
 * them all again. */
Test(ikev2_frag, large_response_leaves_in_fragments)
{
	uint8_t m[4096];
	cr_assert(sa_init(1));
	struct ikev2_sa *sa = v2.all;
	/* INFORMATIONAL 1 taken and answered whole (small) */
	v2peer_in(m, v2peer_req(m, sizeof(m), IKEV2_EXCH_INFORMATIONAL, 1, 0, NULL, 0));
	cr_assert_eq(nsent, 2);
	cr_assert_eq(sa->last_resp_frags, 0);
	/* a larger answer to it: two notifies of 450 bytes of data */
	uint8_t data[900];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	struct isakmp_buf b;
	size_t sk;
	isakmp_buf_init(&b);
	cr_assert_eq(ikev2_begin_sk(sa, &b, IKEV2_EXCH_INFORMATIONAL, 1, 1, &sk), 0);
	size_t inner_off = b.len;
	cr_assert_eq(ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_INITIAL_CONTACT, data, 450), 0);
	cr_assert_eq(ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_INITIAL_CONTACT, data + 450, 450), 0);
	uint8_t want[1024];
	size_t want_len = b.len - inner_off;
	memcpy(want, b.data + inner_off, want_len);
	cr_assert_eq(ikev2_seal(sa, &b, sk), 0);
	cr_assert_gt(b.len, MTU);
	ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
	int n = nsent - 2;
	cr_assert_geq(n, 4, "%d datagrams for a %zu-byte response and an MTU of %d", n, want_len,
	              MTU);
	cr_assert_eq(sa->last_resp_frags, n);
	uint8_t all[2048], np = 0;
	size_t alllen = 0;
	for (int i = 0; i < n; i++) {
		unsigned num, total;
		uint8_t fnp;
		cr_assert_leq(out_len[2 + i] + 20 + 8, (size_t)MTU, "fragment %d: %zu bytes", i + 1,
		              out_len[2 + i]);
		open_resp_frag(out[2 + i], out_len[2 + i], &num, &total, &fnp, all, &alllen);
		cr_assert_eq(num, (unsigned)i + 1);
		cr_assert_eq(total, (unsigned)n);
		if (i == 0)
			np = fnp;
		else
			cr_assert_eq(fnp, 0);
	}
	cr_assert_eq(np, IKEV2_NP_N);
	cr_assert_eq(alllen, want_len);
	cr_assert_arr_eq(all, want, want_len);
	/* INFORMATIONAL 1 again: all the fragments again, the same bytes */
	int before = nsent;
	v2peer_in(m, v2peer_req(m, sizeof(m), IKEV2_EXCH_INFORMATIONAL, 1, 0, NULL, 0));
	cr_assert_eq(nsent - before, n);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(out_len[before + i], out_len[2 + i]);
		cr_assert_arr_eq(out[before + i], out[2 + i], out_len[2 + i]);
	}
	cr_assert_eq(v2.frag_tx, (uint64_t)n);
}

/* A retransmitted fragmented request that was answered: the answer once, on its fragment 1
 * only, and only when that fragment is authentic. */
Test(ikev2_frag, answered_fragmented_request_resent_once)
{
	uint8_t f[1024], chain[8] = { 0 };
	cr_assert(sa_init(1));
	/* an empty INFORMATIONAL in two fragments (one of no clear text) */
	size_t l1 = frag(f, sizeof(f), IKEV2_EXCH_INFORMATIONAL, 1, 0, 1, 2, chain, 0);
	uint8_t f1[1024];
	memcpy(f1, f, l1);
	size_t l2 = frag(f, sizeof(f), IKEV2_EXCH_INFORMATIONAL, 1, 0, 2, 2, chain, 0);
	v2peer_in(f1, l1);
	v2peer_in(f, l2);
	cr_assert_eq(nsent, 2, "the reassembled INFORMATIONAL was not answered");
	v2peer_in(f, l2);
	cr_assert_eq(nsent, 2);
	v2peer_in(f1, l1);
	cr_assert_eq(nsent, 3);
	cr_assert_arr_eq(out[2], out[1], out_len[1]);
	f1[l1 - 1] ^= 1;
	v2peer_in(f1, l1);
	cr_assert_eq(nsent, 3, "a forged fragment 1 made the hub send");
}
