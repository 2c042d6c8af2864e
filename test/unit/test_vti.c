/*
 * The static VTI's life in ikemgr (ikemgr/vti.c) on a fake clock: it dials a second after
 * start, resends main mode 1 after 2, 4, 8, 8 and 8 seconds, gives up and dials afresh (a new
 * cookie) 30 seconds later; an answer from another address is dropped and counted; a
 * destination's NO-PROPOSAL-CHOSEN ends the attempt at once.
 */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/vti.h"

static const char cfg[] =
	"crypto isakmp policy 10\n encr aes 256\n hash sha\n authentication pre-share\n group 14\n"
	"crypto isakmp key k address 172.18.143.2\n"
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile P\n set transform-set T\n"
	"interface eth0\n ip address 172.18.143.246 255.255.255.0\n"
	"interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	" tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n";

static struct vpnd_conf conf;
static time_t clock0, now;
static struct { time_t at; uint8_t cky[8]; struct in_addr to, from; } sent[32];
static int nsent;

static void send_pkt(const struct sockaddr_in *l, const struct sockaddr_in *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)port4500;
	cr_assert_geq(len, 28);
	cr_assert_lt(nsent, 32);
	sent[nsent].at = now - clock0;
	memcpy(sent[nsent].cky, pkt, 8);
	sent[nsent].to = p->sin_addr;
	sent[nsent].from = l->sin_addr;
	nsent++;
}

static void none(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

static void setup(void)
{
	static const struct ike_io io = { send_pkt, none, none, none };
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
	ikev1_init(&conf, &io);
	clock0 = time(NULL);
	vti_init(&conf);
	nsent = 0;
}
TestSuite(vti, .init = setup);

static void run_until(time_t t)
{
	for (now = clock0; now <= clock0 + t; now++)
		vti_tick(now);
}

Test(vti, retransmits_then_dials_again)
{
	run_until(100);
	static const time_t want[] = { 1, 3, 7, 15, 23, 31, 69, 71, 75, 83, 91, 99 };
	cr_assert_eq(nsent, (int)(sizeof(want) / sizeof(want[0])), "%d datagrams", nsent);
	for (int k = 0; k < nsent; k++) {
		cr_expect_eq(sent[k].at, want[k], "datagram %d at %ld s, expected %ld s", k,
		             (long)sent[k].at, (long)want[k]);
		cr_expect_eq(sent[k].to.s_addr, htonl(0xac128f02), "not to the destination");
		cr_expect_eq(sent[k].from.s_addr, htonl(0xac128ff6), "not from the tunnel source");
	}
	/* the resends are the same message, the new attempt a new SA */
	cr_expect_eq(memcmp(sent[0].cky, sent[5].cky, 8), 0);
	cr_expect_neq(memcmp(sent[0].cky, sent[6].cky, 8), 0);
}

/* datagram with our cookie: a bare header (exchange, flags) and an optional notification */
static size_t answer(uint8_t *b, const uint8_t cky[8], uint8_t exch, uint16_t notify)
{
	memset(b, 0, 64);
	memcpy(b, cky, 8);
	memset(b + 8, 0x5a, 8);
	b[17] = 0x10;
	b[18] = exch;
	size_t len = 28;
	if (notify) {
		b[16] = ISAKMP_NP_N;
		uint8_t *n = b + 28;
		n[3] = 12;                      /* generic header + DOI + proto + spi size + type */
		n[7] = 1;                       /* DOI IPsec */
		n[8] = ISAKMP_PROTO_ISAKMP;
		n[10] = (uint8_t)(notify >> 8);
		n[11] = (uint8_t)notify;
		len += 12;
	}
	uint32_t l = htonl((uint32_t)len);
	memcpy(b + 24, &l, 4);
	return len;
}

Test(vti, stranger_dropped_refusal_ends_the_attempt)
{
	uint8_t b[64];
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in to = from;

	run_until(1);
	cr_assert_eq(nsent, 1);
	inet_pton(AF_INET, "172.18.143.246", &to.sin_addr);
	inet_pton(AF_INET, "172.18.143.9", &from.sin_addr);
	uint64_t before = ike.st.drop_unknown_sa;
	size_t len = answer(b, sent[0].cky, ISAKMP_EXCH_INFO, 14);
	cr_assert(vti_input(b, len, &from, &to, 0), "not taken as the tunnel's");
	cr_expect_eq(ike.st.drop_unknown_sa, before + 1, "not counted");
	/* NO-PROPOSAL-CHOSEN from the destination: the attempt ends, no more resends, and
	 * the next one is 30 s later (datagrams are handled on the real clock: clock0, or a
	 * second after it) */
	inet_pton(AF_INET, "172.18.143.2", &from.sin_addr);
	time_t at = time(NULL) - clock0;
	cr_assert(vti_input(b, len, &from, &to, 0));
	for (now = clock0 + 2; now <= clock0 + at + 30; now++)
		vti_tick(now);
	cr_expect_eq(nsent, 2, "%d datagrams", nsent);
	cr_expect_eq(sent[1].at, at + 30, "the next attempt at %ld s", (long)sent[1].at);
	cr_expect_neq(memcmp(sent[0].cky, sent[1].cky, 8), 0, "not a new SA");
}
