// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" test/fuzz/fuzz_ikev1.c test/fuzz/quiet_log.c test/fuzz/ikev1_client.c ikemgr/ike_*.c ikemgr/session.c ikemgr/ikev1*.c ikemgr/ikev2*.c common/ikev2_crypto.c ikemgr/ez*.c ikemgr/vti*.c ikemgr/isakmp.c ikemgr/dh.c ikemgr/admission.c common/netpolicy.c keymgr/keyring.c tunmgr/esp.c tunmgr/replay.c common/conf*.c common/cisco_secret.c common/alg.c common/ike_crypto.c common/ossl_legacy.c -lcrypto -o fuzz_ikev1
/*
 * The IKEv1 responder fed whole exchanges: aggressive mode, main mode, XAUTH, Mode Config,
 * quick mode, informational messages, timers. The engine does no I/O (struct ike_io), so the
 * harness stands in for everything around it:
 *   - keymgr: SKEYID from the configured pre-shared keys (main mode: keymgr's keyring.c
 *     picks key and profile by address), an XAUTH verdict with a fixed policy;
 *   - tunmgr: the interface is created and every SA installed (or refused, by input bit);
 *   - the client (ikev1_client.c): it builds the valid messages a real client sends. It
 *     reads the keys and IV chains from the engine's own SA (the harness shares its address
 *     space), so it needs no DH or key derivation of its own and the fuzzer is past phase 1
 *     from its very first inputs.
 * Input: a mode byte (which exchanges to complete first: phase 1 aggressive or main, XAUTH,
 * Mode Config, one quick mode; answers to give), then operations, each an opcode and its
 * bytes: raw datagrams, datagrams on the SA's cookies, protected messages whose payload chain
 * is the fuzzer's (hashed and encrypted correctly), harness-built quick modes with fuzzed
 * identities and transforms, HASH(3), tunmgr events and clock ticks. Engine randomness
 * (cookies, nonces, DH) only changes bytes the harness reads back, not the path taken.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "ikemgr/dh.h"
#include "common/ike_crypto.h"
#include "ikemgr/ikev1.h"
#include "keymgr/keymgr.h"
#include "test/fuzz/ikev1_client.h"

static const char cfg[] =
	"hostname hub\n"
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network L local\n"
	"username fuzzuser password 0 pw\n"
	"crypto isakmp policy 10\n"
	" encr aes 256\n"
	" hash sha\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp keepalive 10 2 periodic\n"
	"crypto isakmp client configuration group fuzzgroup\n"
	" key fuzzkey\n"
	" pool P\n"
	" dns 10.2.1.53\n"
	" acl split1\n"
	"crypto isakmp profile ra\n"
	" match identity group fuzzgroup\n"
	" client authentication list L\n"
	" isakmp authorization list L\n"
	" client configuration address respond\n"
	" virtual-template 1\n"
	"crypto keyring KR\n"
	" pre-shared-key address 10.77.0.0 255.255.0.0 key mmkey\n"
	"crypto isakmp profile mm\n"
	" match identity address 10.77.0.0 255.255.0.0\n"
	" keyring KR\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set T2 esp-gcm 256\n"
	"crypto ipsec profile vp\n"
	" set transform-set T1 T2\n"
	"interface eth1\n"
	" ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered eth1\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vp\n"
	"ip local pool P 10.9.0.10 10.9.0.20\n"
	"ip access-list extended split1\n"
	" permit ip 10.2.1.0 0.0.0.255 any\n";

static struct vpnd_conf conf;
struct sockaddr_in peer, local;      /* the client's and the hub's */
uint8_t mode;                    /* the input's first byte */


/* ---- messages to keymgr and tunmgr: queued, answered after the engine returns ---- */
struct qmsg {
	int to_tun;
	uint32_t type, peerid;
	size_t len;
	uint8_t *data;
};
#define QMAX 64
static struct qmsg q[QMAX];
static int nq;

static void enqueue(int to_tun, uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	if (nq >= QMAX)
		return;         /* a flood of requests: the rest is lost, as on a full channel */
	q[nq].to_tun = to_tun;
	q[nq].type = type;
	q[nq].peerid = peerid;
	q[nq].len = l;
	q[nq].data = malloc(l ? l : 1);
	if (!q[nq].data)
		abort();
	memcpy(q[nq].data, d, l);
	nq++;
}

static void to_keymgr(uint32_t t, uint32_t id, const void *d, size_t l) { enqueue(0, t, id, d, l); }
static void to_tunmgr(uint32_t t, uint32_t id, const void *d, size_t l) { enqueue(1, t, id, d, l); }
static void to_parent(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

uint8_t last_out[65536];
size_t last_out_len;

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	struct isakmp_hdr h;
	if (len > sizeof(last_out) || isakmp_parse_hdr(pkt, len, &h) < 0)
		abort();        /* the engine sends whole ISAKMP messages only */
	memcpy(last_out, pkt, len);
	last_out_len = len;
}

static void answer_keymgr(const struct qmsg *m)
{
	if (m->type == IMSG_SKEYID_REQ) {
		const struct msg_skeyid_req *rq = (const void *)m->data;
		struct msg_skeyid_res r;
		size_t n = 0;
		memset(&r, 0, sizeof(r));
		r.sa_id = rq->sa_id;
		const char *psk = "fuzzkey";
		if (rq->by_address) {
			/* main mode: keymgr's own choice of key and profile by address */
			struct key_choice kc;
			if (keymgr_key_by_addr(&conf, &rq->local, &rq->peer, &kc) < 0)
				kc.key = "";
			psk = kc.key;
			if (kc.key[0] && kc.profile)
				snprintf(r.profile, sizeof(r.profile), "%s", kc.profile->name);
			if (kc.key[0] && kc.keyring)
				snprintf(r.keyring, sizeof(r.keyring), "%s", kc.keyring->name);
		}
		if ((mode & 0x40) || !psk[0]) {
			r.status = KEY_NO_KEY;
		} else if (ike_skeyid_psk(rq->prf_hash, (const uint8_t *)psk, strlen(psk), rq->ni,
		                          rq->ni_len, rq->nr, rq->nr_len, r.skeyid, &n) == 0) {
			r.status = KEY_OK;
			r.skeyid_len = (uint16_t)n;
		} else {
			r.status = KEY_ERROR;
		}
		ikev1_skeyid_res(m->peerid, &r);
	} else if (m->type == IMSG_XAUTH_REQ) {
		const struct msg_xauth_req *rq = (const void *)m->data;
		struct msg_xauth_res *r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		r->sa_id = rq->sa_id;
		r->status = mode & 0x80 ? XAUTH_BAD_CREDENTIALS : XAUTH_OK;
		struct msg_policy *p = &r->policy;
		inet_pton(AF_INET, "10.9.0.10", &p->addr);
		inet_pton(AF_INET, "255.255.255.255", &p->netmask);
		inet_pton(AF_INET, "10.2.1.53", &p->dns[0]);
		p->ndns = 1;
		inet_pton(AF_INET, "10.2.1.0", &p->split[0].net);
		inet_pton(AF_INET, "255.255.255.0", &p->split[0].mask);
		p->nsplit = 1;
		snprintf(p->domain, sizeof(p->domain), "example.test");
		snprintf(p->banner, sizeof(p->banner), "hello");
		ikev1_xauth_res(m->peerid, r);
		free(r);
	}
}

static void answer_tunmgr(const struct qmsg *m)
{
	if (m->type == IMSG_VA_CREATE) {
		struct msg_va_created r;
		memset(&r, 0, sizeof(r));
		r.session_id = m->peerid;
		r.status = mode & 0x20 ? 19 /* ENODEV */ : 0;
		snprintf(r.ifname, sizeof(r.ifname), "va1");
		r.ifindex = 7;
		r.unit = 1;
		ikev1_va_created(m->peerid, &r);
	} else if (m->type == IMSG_SA_ADD) {
		const struct msg_sa_add *a = (const void *)m->data;
		struct msg_sa_added r;
		memset(&r, 0, sizeof(r));
		r.session_id = m->peerid;
		r.spi_in = a->spi_in;
		ikev1_sa_added(m->peerid, &r);
	}
}

/* Answers in order; answers may ask more (bounded). */
static void drain(void)
{
	for (int i = 0; i < nq && i < 4 * QMAX; i++) {
		if (q[i].to_tun)
			answer_tunmgr(&q[i]);
		else
			answer_keymgr(&q[i]);
		free(q[i].data);
		q[i].data = NULL;
		if (i == nq - 1) {
			nq = 0;
			return;
		}
	}
	for (int i = 0; i < nq; i++)
		free(q[i].data);
	nq = 0;
}

void input(const uint8_t *pkt, size_t len, int port4500)
{
	uint8_t *copy = malloc(len ? len : 1);    /* exact size: ASan sees any overread */
	if (!copy)
		abort();
	memcpy(copy, pkt, len);
	ikev1_input(copy, len, &(union sa46){ .sin = peer }, &(union sa46){ .sin = local }, port4500);
	free(copy);
	drain();
}

/* ---- the input ---- */
struct rd {
	const uint8_t *p;
	size_t n;
};

static int get(struct rd *r, uint8_t *b)
{
	if (!r->n)
		return 0;
	*b = *r->p++;
	r->n--;
	return 1;
}

/* a length-prefixed chunk (one length byte, x4 when the top bit is set) */
static size_t chunk(struct rd *r, const uint8_t **out)
{
	uint8_t l = 0;
	get(r, &l);
	size_t n = l & 0x80 ? (size_t)(l & 0x7f) * 4 : l;
	if (n > r->n)
		n = r->n;
	*out = r->p;
	r->p += n;
	r->n -= n;
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (conf_load_buf("fuzz", cfg, sizeof(cfg) - 1, &conf, NULL, NULL) != 0)
		abort();
	if (ike_crypto_init() < 0)
		abort();
	static const uint8_t priv[32] = { 0x42, 0x13, 0x37, 0x99, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct ike_dh *dh = ike_dh_new_with_private(2, priv, sizeof(priv));
	if (!dh || ike_dh_public(dh, my_pub, sizeof(my_pub)) < 0)
		abort();
	ike_dh_free(dh);
	peer.sin_family = local.sin_family = AF_INET;
	inet_pton(AF_INET, "10.77.0.2", &peer.sin_addr);
	inet_pton(AF_INET, "10.2.1.1", &local.sin_addr);
	peer.sin_port = local.sin_port = htons(500);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ike_io io = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	struct rd r = { data, size };
	uint8_t b, v;
	const uint8_t *p;
	size_t n;

	if (!get(&r, &mode))
		return 0;
	ikev1_init(&conf, &io);
	ike.peer_rate = 1000000;        /* every input comes from the same peer */

	/* mode bits 0-1: phase 1 (none, aggressive + XAUTH, aggressive without, main mode);
	 * bit 2: Mode Config; bit 3: a first quick mode; 4: NAT-T; 5-7: answers refused */
	uint8_t variant = (mode & 0x10) ? 4 | 8 : 0;
	switch (mode & 3) {
	case 1:
		aggr1(variant | 2);
		p1_final(ISAKMP_EXCH_AGGR, variant);
		xauth_reply();
		break;
	case 2:
		aggr1(variant | 1 | 2);
		p1_final(ISAKMP_EXCH_AGGR, variant | 32);
		break;
	case 3:
		main13(variant);
		p1_final(ISAKMP_EXCH_MAIN, variant);
		break;
	}
	if (mode & 4)
		mode_cfg();
	if (mode & 8) {
		qm1(htonl(0x22220000u), (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0", 10);
		qm3(htonl(0x22220000u));
	}

	for (int ops = 0; ops < 32 && get(&r, &b); ops++) {
		struct ike_sa *sa = my_sa();
		uint32_t msgid = 0;
		switch (b % 12) {
		case 0:         /* a raw datagram */
			n = chunk(&r, &p);
			input(p, n, b & 0x10);
			break;
		case 1:         /* a raw datagram on our SA's cookies */
			n = chunk(&r, &p);
			if (sa && n >= 16) {
				uint8_t *c = malloc(n);
				if (!c)
					abort();
				memcpy(c, p, n);
				memcpy(c, sa->cky_i, 8);
				memcpy(c + 8, sa->cky_r, 8);
				input(c, n, sa->port4500);
				free(c);
			}
			break;
		case 2:         /* informational, transaction or quick mode with the input's payloads */
		case 3:
		case 4:
			v = 0;
			get(&r, &v);
			n = chunk(&r, &p);
			if (!sa)
				break;
			/* msgid: the hub's open exchange of that kind, or a fresh one */
			if (b % 12 == 3)
				msgid = hub_msgid(sa, v & 1 ? EXCH_XAUTH_SET : EXCH_XAUTH);
			if (!msgid)
				msgid = htonl(0x33330000u | v);
			protected(sa, b % 12 == 2 ? ISAKMP_EXCH_INFO : b % 12 == 3 ?
			          ISAKMP_EXCH_TRANSACTION : ISAKMP_EXCH_QUICK, msgid, (uint8_t)(v >> 1),
			          p, n, 0);
			break;
		case 5:         /* a quick mode built here, identities and transform from the input */
			v = 0;
			get(&r, &v);
			n = chunk(&r, &p);
			qm1(htonl(0x44440000u | v), p, n);
			break;
		case 6:         /* HASH(3) of one of those */
			v = 0;
			get(&r, &v);
			qm3(htonl(0x44440000u | v));
			break;
		case 7:         /* time passes: retransmissions, DPD, expiries */
			v = 0;
			get(&r, &v);
			ikev1_tick(time(NULL) + (time_t)v * 5);
			drain();
			break;
		case 8:         /* tunmgr: activity or an SA's lifetime ending */
			v = 0;
			get(&r, &v);
			if (sa && v & 1) {
				struct msg_va_activity a = { sa->s.id, v, v >> 1 };
				ikev1_va_activity(sa->s.id, &a);
			} else if (sa) {
				struct msg_sa_expire e;
				memset(&e, 0, sizeof(e));
				e.session_id = sa->s.id;
				e.spi_in = sa->s.child[v % IKE_MAX_CHILD].spi_in;
				e.hard = v >> 7;
				ikev1_sa_expire(sa->s.id, &e);
			}
			drain();
			break;
		case 9:         /* a new phase 1 on the same cookies' peer (rekey or restart) */
			v = 0;
			get(&r, &v);
			aggr1(v);
			p1_final(ISAKMP_EXCH_AGGR, v);
			break;
		case 10:        /* the hub's last message sent back to it */
			if (last_out_len)
				input(last_out, last_out_len, 0);
			break;
		case 11:        /* clear crypto session */
			if (sa) {
				struct msg_clear c;
				memset(&c, 0, sizeof(c));
				ikev1_clear(&c);
				drain();
			}
			break;
		}
	}
	ikev1_shutdown();
	for (int i = 0; i < nq; i++)
		free(q[i].data);
	nq = 0;
	last_out_len = 0;
	return 0;
}
