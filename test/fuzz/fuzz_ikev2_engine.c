// clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" test/fuzz/fuzz_ikev2_engine.c test/fuzz/ikev2_client.c test/fuzz/ikev2_hub_answer.c test/fuzz/quiet_log.c ikemgr/ikev2*.c ikemgr/ike_*.c ikemgr/session.c ikemgr/ikev1*.c ikemgr/ez*.c ikemgr/vti*.c ikemgr/isakmp.c ikemgr/dh.c ikemgr/admission.c common/netpolicy.c keymgr/keyring.c keymgr/v2auth.c keymgr/v2name.c keymgr/certmap.c keymgr/v2sig.c keymgr/v2eap.c test/fuzz/no_radius.c keymgr/cert.c keymgr/lockout.c tunmgr/esp.c tunmgr/replay.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ike_crypto.c common/ikev2_crypto.c common/ossl_legacy.c -lcrypto -o fuzz_ikev2_engine
/*
 * The IKEv2 responder (ikemgr/ikev2_*.c) fed whole exchanges. The engine does no I/O (struct
 * ike_io), so the harness is everything around it:
 *   - a valid initiator (ikev2_client.c): IKE_SA_INIT built with the codec, its own DH
 *     (fixed private values, groups 14 and 19), the keys derived with common/ikev2_crypto.c,
 *     IKE_AUTH with a PSK AUTH from the keyring's remote key, INFORMATIONAL, CREATE_CHILD_SA,
 *     and any of them cut into RFC 7383 fragments (out of order, repeated, forged, with a
 *     wrong total) once fragmentation is negotiated;
 *   - keymgr: the pre-shared-key question answered by keymgr's own keymgr_v2_auth (the same
 *     configuration), the authorization with a fixed policy;
 *   - tunmgr: the interface created, the CHILD_SA installed;
 *   - the peer answering the hub's own requests (ikev2_hub_answer.c): liveness checks, Deletes,
 *     CHILD_SA and IKE SA rekeys, as asked, with one thing wrong, with an error notify, with
 *     the input's chain or flips; after the hub's IKE SA rekey the client goes on on the new
 *     SA, whose initiator the hub is.
 * The input then picks, step by step: valid messages, the same with bytes flipped or cut,
 * the input's bytes as an encrypted payload chain (right keys, any exchange and message ID),
 * clear datagrams, retransmissions, answers refused, late, repeated or for another session,
 * time jumps, clears and a reload that removes the profile.
 * Invariants (abort): every datagram sent is an IKEv2 message, without the initiator flag on
 * an SA the client started and with it on one the hub started (2.2), requests (Deletes,
 * liveness, rekeys) only INFORMATIONAL or CREATE_CHILD_SA, encrypted, opening with the
 * client's keys; an answer to one with nothing wrong is taken (a rekeyed CHILD_SA keyed with
 * KEYMAT's halves, the hub's outbound first; a new IKE SA of the hub's holding the session),
 * one with something wrong installs nothing; a response on our SA decrypts with our keys and
 * answers the request just taken (same message ID, retransmissions included); no SA_ADD before
 * keymgr's KEY_OK and XAUTH_OK for that session; fragments only to a client that announced
 * fragmentation, each opening with our keys, numbered in order, joined before the checks
 * below (the MTU of 200 cuts every IKE_AUTH answer); an IKE_AUTH answer with AUTH and a CHILD_SA
 * only after tunmgr said SA_ADDED for its SPI, and its AUTH is the hub key's; v2.nsa and
 * v2.nhalfopen are what the table holds (never negative), all 0 after ikev2_shutdown.
 * Input: a mode byte (how far the valid client gets first, its DH group, NAT), then up to 24
 * operations, an opcode and its bytes each.
 * Linked: the IKEv1 files too (ikev2_sa.c uses the shared ike state, sessions, clear and
 * reload of ike_*.c, which reach ikev1*.c, ez*.c, vti*.c), as fuzz_ikev1 does, and keymgr's
 * v2auth.c, which answers the pre-shared-key question.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "keymgr/keymgr.h"
#include "test/fuzz/no_radius.h"
#include "test/fuzz/ikev2_client.h"


static const char cfg[] =
	"hostname hub\n"
	"aaa new-model\n"
	"aaa authorization network LOCAL local\n"
	"crypto ikev2 proposal CBC256\n encryption aes-cbc-256\n integrity sha256\n group 14\n"
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy FLEXPOLICY\n match fvrf any\n match address local 172.18.143.246\n"
	" proposal CBC256\n proposal GCM256\n"
	"crypto ikev2 keyring FLEXKEYS\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key local Hub7v2Key9aSecret\n  pre-shared-key remote Cl4v2Key3bSecret\n"
	"crypto ikev2 authorization policy FLEXPOL\n pool flexpool\n dns 10.2.1.53\n"
	" route set access-list FLEXROUTES\n"
	"crypto ikev2 profile FLEXPROF\n match identity remote fqdn client.example.com\n"
	" identity local fqdn hub.example.com\n authentication local pre-share\n"
	" authentication remote pre-share\n keyring local FLEXKEYS\n"
	" aaa authorization group psk list LOCAL FLEXPOL\n virtual-template 1\n dpd 10 2 periodic\n"
	"crypto ipsec transform-set TS-CBC256 esp-aes 256 esp-sha256-hmac\n mode tunnel\n"
	"crypto ipsec profile FLEXIPSEC\n set transform-set TS-CBC256\n set ikev2-profile FLEXPROF\n"
	"interface eth0\n ip address 172.18.143.246 255.255.255.0\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile FLEXIPSEC\n"
	"crypto ikev2 fragmentation mtu 200\n"
	"ip local pool flexpool 192.168.50.10 192.168.50.20\n"
	"ip access-list standard FLEXROUTES\n permit 10.2.1.0 0.0.0.255\n";

const char KEY_I[] = "Cl4v2Key3bSecret", MY_ID[] = "client.example.com";
static const char KEY_R[] = "Hub7v2Key9aSecret";

static struct vpnd_conf conf, conf_orig, conf_noprof;
static int reloaded;
union sa46 peer;
static union sa46 peer2, local;

/* ---- what keymgr and tunmgr said, per session id ---- */
#define NTRACK 64
static struct track {
	uint32_t id;
	int key_ok, xauth_ok, added_spi_ok;
	int crossed;                    /* got an answer meant for another session */
	uint32_t added_spi;
} tr[NTRACK];

static struct track *trk(uint32_t id)
{
	for (int i = 0; i < NTRACK; i++)
		if (tr[i].id == id)
			return &tr[i];
	for (int i = 0; i < NTRACK; i++)
		if (!tr[i].id) {
			tr[i].id = id;
			return &tr[i];
		}
	return &tr[id % NTRACK];        /* never reached: few sessions per input */
}

static void check_counts(void)
{
	if (v2.nsa < 0 || v2.nhalfopen < 0 || v2.nhalfopen > v2.nsa)
		abort();
	/* the counts are the table's: every SA once, half open until IKE_AUTH is answered */
	int all = 0, half = 0;
	for (struct ikev2_sa *sa = v2.all; sa; sa = sa->all_next) {
		if (sa->state < V2_S_INIT_DONE || sa->state >= V2_S_DEAD ||
		    ikev2_sa_by_id(sa->s.id) != sa || ++all > v2.nsa)
			abort();
		half += sa->state < V2_S_ESTABLISHED;
	}
	if (all != v2.nsa || half != v2.nhalfopen)
		abort();
	/* an IKE_AUTH answer we took for good: the engine holds that SA up too */
	for (struct ikev2_sa *sa = v2.all; C.established && sa; sa = sa->all_next)
		if (!memcmp(sa->spi_i, C.spi_i, 8) && !memcmp(sa->spi_r, C.spi_r, 8) &&
		    sa->state != V2_S_ESTABLISHED)
			abort();
}

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
static uint8_t ans;             /* how to answer: bit flags below */
static int timeouts;            /* the policy has a session and an idle timeout */
#define A_PSK_FAIL   0x01
#define A_PROF_WRONG 0x02
#define A_XAUTH_FAIL 0x04
#define A_VA_FAIL    0x08
#define A_ADD_FAIL   0x10
#define A_ADD_SPI    0x20       /* SA_ADDED for another SPI */
#define A_OTHER_ID   0x40       /* every answer for another session id */
#define A_HOLD       0x80       /* nothing answered until the input says so */

struct msg_sa_add last_add;
unsigned n_add;

static void enqueue(int to_tun, uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	if (to_tun && type == IMSG_SA_ADD) {
		struct track *t = trk(peerid);
		if (!t->key_ok || !t->xauth_ok)
			abort();        /* an IPsec SA for a session keymgr did not let through */
		if (l != sizeof(last_add))
			abort();
		memcpy(&last_add, d, l);
		n_add++;
	}
	if (nq >= QMAX)
		return;         /* a flood: the rest is lost, as on a full channel */
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

/* the request on our SA being handled: what its direct answer must echo */
static int req_on_sa;
static uint32_t req_msgid;
static uint8_t last_out[65536];
static size_t last_out_len;
int got_resp;
uint8_t resp[65536];
size_t resp_len;

static int open_sk(uint8_t *m, size_t len, const uint8_t *ek, const uint8_t *ak, uint8_t **in,
                   size_t *inlen, uint8_t *np)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	if (ikev2_parse_hdr(m, len, &h) < 0 ||
	    ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, len, &c, np) < 0)
		return -1;
	const struct ikev2_pl *sk = ikev2_find(&c, IKEV2_NP_SK);
	if (!sk)
		return -1;
	return ikev2_sk_open(&C.s, ek, ak, m, len, sk->off, in, inlen);
}

/* An IKE_AUTH answer on our SA: if it carries AUTH and a CHILD_SA, tunmgr must have said
 * SA_ADDED for it and the AUTH must be the hub key's. */
static void check_auth_answer(const uint8_t *in, size_t inlen, uint8_t np)
{
	struct ikev2_chain c;
	uint8_t inner;
	if (ikev2_parse_chain(np, in, 0, inlen, &c, &inner) < 0)
		abort();        /* the engine's own chain */
	const struct ikev2_pl *pa = ikev2_find(&c, IKEV2_NP_AUTH), *pid = ikev2_find(&c, IKEV2_NP_IDR),
	                      *psa = ikev2_find(&c, IKEV2_NP_SA);
	if (!pa)
		return;
	if (!pid)
		abort();
	struct track *t = trk(C.sid);
	if (!t->key_ok || !t->xauth_ok)
		abort();
	if (psa) {
		struct ikev2_sa_pl sa;
		if (ikev2_parse_sa(psa->body, psa->len, &sa) < 0 || sa.n != 1 || sa.prop[0].spi_size != 4)
			abort();
		uint32_t spi;
		memcpy(&spi, sa.prop[0].spi, 4);
		if (!t->added_spi_ok || t->added_spi != spi)
			abort();        /* answered before tunmgr had the SA */
		C.hub_spi = spi;
	}
	/* the hub's AUTH: prf(prf(K_R, pad), msg2 | Ni | prf(SK_pr, IDr')) */
	uint8_t mac[IKEV2_PRF_MAX], want[IKEV2_PRF_MAX];
	struct iovec v = { (void *)pid->body, pid->len };
	if (ikev2_prf(&C.s, C.k.pr, C.s.prf_len, &v, 1, mac) < 0)
		abort();
	struct iovec o[3] = { { C.msg2, C.msg2_len }, { C.ni, sizeof(C.ni) }, { mac, C.s.prf_len } };
	if (ikev2_psk_auth(&C.s, (const uint8_t *)KEY_R, strlen(KEY_R), o, 3, want) < 0)
		abort();
	if (t->crossed)
		return;         /* keymgr's answer for another SA's octets: AUTH is theirs */
	if (pa->len != 4 + C.s.prf_len || pa->body[0] != IKEV2_AUTH_PSK ||
	    memcmp(pa->body + 4, want, C.s.prf_len))
		abort();
	C.established = 1;
}

static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	struct ikev2_hdr h;
	if (len > sizeof(last_out) || ikev2_parse_hdr(pkt, len, &h) < 0 || h.version != IKEV2_VERSION)
		abort();        /* the engine sends whole IKEv2 messages only */
	/* the I flag (2.2): on an SA the client started (the first, with its SPIi) the hub is the
	 * responder and never sets it; on one the hub started by its IKE SA rekey, which the
	 * client answered, it always does */
	int on_cur = C.up && !memcmp(h.spi_i, C.spi_i, 8) && !memcmp(h.spi_r, C.spi_r, 8),
	    on_prev = C.prev.up && !memcmp(h.spi_i, C.prev.spi_i, 8) &&
	              !memcmp(h.spi_r, C.prev.spi_r, 8);
	if (on_cur || on_prev) {
		if (!(h.flags & IKEV2_FLAG_I) != !(on_cur ? C.hub_init : C.prev.hub_init))
			abort();
	} else if ((h.flags & IKEV2_FLAG_I) && !C.hub_init && !memcmp(h.spi_i, C.spi_i, 8)) {
		abort();
	}
	memcpy(last_out, pkt, len);
	last_out_len = len;
	if (!(h.flags & IKEV2_FLAG_R)) {
		/* its own requests: Delete, liveness, rekeys; unencrypted never */
		if ((h.exch != IKEV2_EXCH_INFORMATIONAL && h.exch != IKEV2_EXCH_CREATE_CHILD) ||
		    h.np != IKEV2_NP_SK)
			abort();
		if ((on_cur || on_prev) && len <= sizeof(C.hreq)) {
			/* on an SA of ours: it opens with our keys, and may be answered */
			uint8_t *m = malloc(len), *in, np;
			size_t inlen;
			if (!m)
				abort();
			memcpy(m, pkt, len);
			if (on_cur ? open_sk(m, len, V2C_EK_IN(&C), V2C_AK_IN(&C), &in, &inlen, &np)
			           : open_sk(m, len, V2C_EK_IN(&C.prev), V2C_AK_IN(&C.prev), &in, &inlen,
			                     &np))
				abort();
			free(m);
			memcpy(C.hreq, pkt, len);
			C.hreq_len = len;
		}
		return;
	}
	if (!memcmp(h.spi_i, C.spi_i, 8)) {
		memcpy(resp, pkt, len);
		resp_len = len;
		got_resp = 1;
	}
	if (!C.up || memcmp(h.spi_i, C.spi_i, 8) || memcmp(h.spi_r, C.spi_r, 8) ||
	    h.exch == IKEV2_EXCH_SA_INIT)
		return;
	if (req_on_sa && h.msgid != req_msgid)
		abort();        /* an answer (or a retransmitted one) to another request */
	uint8_t *m = malloc(len), *in, np;
	size_t inlen;
	if (!m)
		abort();
	memcpy(m, pkt, len);
	if (h.np == IKEV2_NP_SKF) {
		if (v2c_open_frag(m, len, &h, &in, &inlen, &np) && h.exch == IKEV2_EXCH_AUTH)
			check_auth_answer(in, inlen, np);
	} else {
		if (open_sk(m, len, V2C_EK_IN(&C), V2C_AK_IN(&C), &in, &inlen, &np) < 0)
			abort();        /* a response on our SA that our keys do not open */
		if (h.exch == IKEV2_EXCH_AUTH)
			check_auth_answer(in, inlen, np);
	}
	free(m);
}

static void answer_keymgr(const struct qmsg *m)
{
	uint32_t id = ans & A_OTHER_ID ? m->peerid + 1 : m->peerid;
	if (m->type == IMSG_V2_AUTH_REQ) {
		const struct msg_v2_auth_req *rq = (const void *)m->data;
		struct msg_v2_auth_res r;
		keymgr_v2_auth(&conf, rq, &r);
		if (ans & A_PSK_FAIL)
			r.status = KEY_ERROR;
		if (ans & A_PROF_WRONG)
			snprintf(r.profile, sizeof(r.profile), "OTHER");
		if (r.status == KEY_OK)
			trk(id)->key_ok = 1;
		if (ans & A_OTHER_ID)
			trk(id)->crossed = 1;
		ikev2_auth_res(id, &r);
	} else if (m->type == IMSG_XAUTH_REQ) {
		const struct msg_xauth_req *rq = (const void *)m->data;
		struct msg_xauth_res *r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		if (!rq->authorize_only)
			abort();        /* IKEv2 asks for no password */
		r->sa_id = rq->sa_id;
		r->status = ans & A_XAUTH_FAIL ? (ans & 1 ? XAUTH_NO_ADDRESS : XAUTH_BAD_CREDENTIALS)
		                               : XAUTH_OK;
		struct msg_policy *p = &r->policy;
		inet_pton(AF_INET, "192.168.50.10", &p->addr);
		inet_pton(AF_INET, "255.255.255.255", &p->netmask);
		inet_pton(AF_INET, "10.2.1.53", &p->dns[0]);
		p->ndns = 1;
		inet_pton(AF_INET, "10.2.1.0", &p->split[0].net);
		inet_pton(AF_INET, "255.255.255.0", &p->split[0].mask);
		p->nsplit = 1;
		if (timeouts) {
			p->session_timeout = 600;
			p->idle_timeout = 120;
		}
		if (r->status == XAUTH_OK)
			trk(id)->xauth_ok = 1;
		if (!ikev2_xauth_res(id, r))
			ikev1_xauth_res(id, r);
		free(r);
	}
}

static void answer_tunmgr(const struct qmsg *m)
{
	uint32_t id = ans & A_OTHER_ID ? m->peerid + 1 : m->peerid;
	if (m->type == IMSG_VA_CREATE) {
		struct msg_va_created r;
		memset(&r, 0, sizeof(r));
		r.session_id = id;
		r.status = ans & A_VA_FAIL ? 19 /* ENODEV */ : 0;
		snprintf(r.ifname, sizeof(r.ifname), "va%u", id % 100);
		r.ifindex = 7;
		r.unit = (int32_t)(id % 100);
		if (!ikev2_va_created(id, &r))
			ikev1_va_created(id, &r);
	} else if (m->type == IMSG_SA_ADD) {
		const struct msg_sa_add *a = (const void *)m->data;
		struct msg_sa_added r;
		memset(&r, 0, sizeof(r));
		r.session_id = id;
		r.spi_in = ans & A_ADD_SPI ? a->spi_in ^ 1 : a->spi_in;
		r.status = ans & A_ADD_FAIL ? 17 /* EEXIST */ : 0;
		if (!r.status) {
			struct track *t = trk(id);
			t->added_spi_ok = 1;
			t->added_spi = r.spi_in;
		}
		if (!ikev2_sa_added(id, &r))
			ikev1_sa_added(id, &r);
	}
}

/* Answers in order (answers may ask more, bounded), unless held. */
static void drain(int force)
{
	check_counts();
	if ((ans & A_HOLD) && !force)
		return;
	for (int i = 0; i < nq && i < 4 * QMAX; i++) {
		if (q[i].to_tun)
			answer_tunmgr(&q[i]);
		else
			answer_keymgr(&q[i]);
		check_counts();
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

void input_from(const uint8_t *pkt, size_t len, const union sa46 *from, int port4500)
{
	uint8_t *copy = malloc(len ? len : 1);    /* exact size: ASan sees any overread */
	if (!copy)
		abort();
	memcpy(copy, pkt, len);
	got_resp = 0;
	struct ikev2_hdr h;
	req_on_sa = C.up && ikev2_parse_hdr(pkt, len, &h) == 0 && !memcmp(h.spi_i, C.spi_i, 8) &&
	            !memcmp(h.spi_r, C.spi_r, 8) && h.exch != IKEV2_EXCH_SA_INIT;
	req_msgid = req_on_sa ? h.msgid : 0;
	/* as ikemgr.c's ike_input: the major version picks the engine */
	if (len >= ISAKMP_HDR_LEN && pkt[17] >> 4 == 2)
		ikev2_input(copy, len, from, &local, port4500);
	else
		ikev1_input(copy, len, from, &local, port4500);
	free(copy);
	req_on_sa = 0;
	check_counts();
	drain(0);
}

void input(const uint8_t *pkt, size_t len, int port4500)
{
	if (len <= sizeof(C.last)) {
		memcpy(C.last, pkt, len);
		C.last_len = len;
	}
	input_from(pkt, len, &peer, port4500);
}

/* ---- the input ---- */
struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t get(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

/* a length-prefixed chunk (one length byte, x4 when the top bit is set) */
static size_t chunk(struct rd *r, const uint8_t **out)
{
	uint8_t l = get(r);
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
	conf_orig = conf;
	/* the reload: the same configuration without its ikev2 profile's name */
	char *alt = strdup(cfg);
	if (!alt)
		abort();
	for (char *p = alt; (p = strstr(p, "FLEXPROF")) != NULL; p += 8)
		memcpy(p, "FLEXPRO2", 8);
	if (conf_load_buf("fuzz-reload", alt, strlen(alt), &conf_noprof, NULL, NULL) != 0)
		abort();
	free(alt);
	if (ike_crypto_init() < 0)
		abort();
	if (v2c_init() < 0)
		abort();
	no_radius_init();
	sa46_pton("10.77.0.2", &peer);
	sa46_pton("10.77.0.3", &peer2);
	sa46_pton("172.18.143.246", &local);
	sa46_set_port(&peer, 500);
	sa46_set_port(&peer2, 500);
	sa46_set_port(&local, 500);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ike_io io = { send_pkt, to_keymgr, to_tunmgr, to_parent };
	struct rd r = { data, size };
	const uint8_t *p;
	size_t n;

	if (!size)
		return 0;
	uint8_t mode = get(&r);
	if (reloaded) {
		conf = conf_orig;
		reloaded = 0;
	}
	memset(tr, 0, sizeof(tr));
	memset(&C, 0, sizeof(C));
	ans = 0;
	/* mode bit 4: cookies from the first half-open SA on; 5: at most 2 half open; 6: the
	 * policy has session and idle timeouts */
	conf.v2.cookie_challenge = mode & 0x10 ? 1 : 0;
	conf.v2.max_in_neg_in = mode & 0x20 ? 2 : 0;
	timeouts = mode & 0x40;
	ikev1_init(&conf, &io);
	ike.peer_rate = 1000000;

	/* mode bits 0-1: how far the valid client gets first (nothing, IKE_SA_INIT, IKE_AUTH);
	 * bit 2: group 19 (else 14); bit 3: NAT detected */
	if (mode & 3) {
		sa_init((uint8_t)((mode >> 2) & 3), NULL, 0);
		if ((mode & 3) >= 2)
			ike_auth(mode & 0x80 ? 2 : 0, NULL, 0, 0);
	}

	for (int ops = 0; ops < 24 && r.n; ops++) {
		uint8_t b = get(&r), v;
		switch (b % 16) {
		case 0:         /* a new IKE_SA_INIT */
			sa_init(get(&r), NULL, 0);
			break;
		case 1:         /* IKE_SA_INIT with bytes flipped or cut */
			v = get(&r);
			n = chunk(&r, &p);
			if (n >= 2)
				sa_init(v, p, n);
			break;
		case 2:         /* IKE_AUTH, variant from the input */
			ike_auth(get(&r), NULL, 0, 0);
			break;
		case 3:         /* IKE_AUTH changed in the clear or after sealing */
			v = get(&r);
			n = chunk(&r, &p);
			ike_auth(v & 0x7f, p, n, v & 0x80 ? 2 : 1);
			break;
		case 5:         /* fragments: IKE_AUTH, or the input's payload chain as in case 4 */
			v = get(&r);
			if (v & 0x80) {
				uint8_t how = get(&r);
				n = chunk(&r, &p);
				ike_auth_frag(v & 0x7f, how, p, n);
				break;
			} else {
				uint8_t how = get(&r), np = get(&r);
				static const uint8_t ex[3] = { IKEV2_EXCH_AUTH, IKEV2_EXCH_INFORMATIONAL,
				                               IKEV2_EXCH_CREATE_CHILD };
				uint32_t id = v & 0x10 ? C.next_out - 1 + (v >> 5) : C.next_out;
				n = chunk(&r, &p);
				send_skf(ex[v % 3], id, np, p, n, how, NULL, 0);
				if (id == C.next_out)
					C.next_out++;
			}
			break;
		case 4: {       /* the input's payload chain, encrypted, any exchange and ID */
			v = get(&r);
			uint8_t np = get(&r);
			n = chunk(&r, &p);
			static const uint8_t ex[4] = { IKEV2_EXCH_AUTH, IKEV2_EXCH_INFORMATIONAL,
			                               IKEV2_EXCH_CREATE_CHILD, IKEV2_EXCH_SA_INIT };
			uint32_t id = v & 0x10 ? C.next_out - 1 + (v >> 5) : C.next_out;
			send_sk(v & 8 ? (uint8_t)(np ^ v) : ex[v & 3], id, np, p, n, NULL, 0, 0,
			        v & 4 ? &peer2 : &peer);
			if (id == C.next_out)
				C.next_out++;
			break;
		}
		case 6:         /* INFORMATIONAL, or the hub's last request answered */
			if (b & 0x80) {
				v = get(&r);
				uint8_t np = get(&r);
				n = chunk(&r, &p);
				answer_hub(v, np, p, n);
			} else {
				info(get(&r));
			}
			break;
		case 7:         /* CREATE_CHILD_SA */
			create_child(get(&r));
			break;
		case 8:         /* our last request again */
			if (C.last_len) {
				uint8_t *c = malloc(C.last_len);
				if (!c)
					abort();
				memcpy(c, C.last, C.last_len);
				input(c, C.last_len, get(&r) & 1);
				free(c);
			}
			break;
		case 9:         /* a clear datagram, with our SPIs when asked */
			v = get(&r);
			n = chunk(&r, &p);
			if (n) {
				uint8_t *c = malloc(n);
				if (!c)
					abort();
				memcpy(c, p, n);
				if (v & 1 && n >= 16) {
					memcpy(c, C.spi_i, 8);
					memcpy(c + 8, C.spi_r, 8);
				}
				if (v & 4 && n >= ISAKMP_HDR_LEN) {
					/* a header the engine takes: the input's payloads in clear */
					uint32_t l = htonl((uint32_t)n), id = htonl(C.next_out);
					c[17] = IKEV2_VERSION;
					c[19] = IKEV2_FLAG_I;
					memcpy(c + 20, &id, 4);
					memcpy(c + 24, &l, 4);
				}
				input(c, n, v & 2);
				free(c);
			}
			break;
		case 10:        /* time passes: v & 0x80, quarter hours (the IKE SA is rekeyed by
		                 * the hub 20.4 to 21.6 h after it is up, and ends at 24 h) */
			v = get(&r);
			ikev2_tick(time(NULL) + (v & 0x80 ? (time_t)(v & 0x7f) * 900 : (time_t)v * 5));
			drain(0);
			break;
		case 11:        /* clear crypto session */
		{
			struct msg_clear c;
			memset(&c, 0, sizeof(c));
			v = get(&r);
			c.kind = v % 5;
			c.peer = peer;
			snprintf(c.name, sizeof(c.name), "%s", v & 8 ? MY_ID : "FLEXPOL");
			ikev1_clear(&c);
			ikev2_clear(&c);
			drain(0);
			break;
		}
		case 12:        /* reload: the same configuration, or without the profile */
			v = get(&r);
			reloaded = 1;
			ikev1_reload(v & 1 ? &conf_noprof : &conf_orig);
			ikev2_reload(&conf);
			drain(0);
			break;
		case 13:        /* how keymgr and tunmgr answer from now on */
			ans = get(&r);
			break;
		case 14:        /* held answers given now, under the current flags */
			v = get(&r);
			if (v & 1)
				ans &= (uint8_t)~A_HOLD;
			drain(1);
			break;
		case 15:        /* tunmgr: activity or an SA's lifetime */
			v = get(&r);
			if (C.sid && v & 1) {
				struct msg_va_activity a = { C.sid, v, v >> 1 };
				if (!ikev2_va_activity(C.sid, &a))
					ikev1_va_activity(C.sid, &a);
			} else if (C.sid) {
				struct msg_sa_expire e;
				memset(&e, 0, sizeof(e));
				e.session_id = C.sid;
				struct ikev2_sa *sa = ikev2_sa_by_id(C.sid);
				e.spi_in = sa ? sa->s.child[v % IKE_MAX_CHILD].spi_in : 0;
				e.hard = v >> 7;
				if (!ikev2_sa_expire(C.sid, &e))
					ikev1_sa_expire(C.sid, &e);
			}
			drain(0);
			break;
		}
	}
	ikev1_shutdown();
	ikev2_shutdown();
	if (v2.nsa || v2.nhalfopen || v2.all)
		abort();
	for (int i = 0; i < nq; i++)
		free(q[i].data);
	nq = 0;
	last_out_len = 0;
	return 0;
}
