// clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" test/fuzz/fuzz_ikev2_engine.c test/fuzz/quiet_log.c ikemgr/ikev2*.c ikemgr/ike_*.c ikemgr/session.c ikemgr/ikev1*.c ikemgr/ez*.c ikemgr/vti*.c ikemgr/isakmp.c ikemgr/dh.c ikemgr/admission.c common/netpolicy.c keymgr/keyring.c keymgr/v2psk.c keymgr/lockout.c tunmgr/esp.c tunmgr/replay.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ike_crypto.c common/ikev2_crypto.c common/ossl_legacy.c -lcrypto -o fuzz_ikev2_engine
/*
 * The IKEv2 responder (ikemgr/ikev2_*.c) fed whole exchanges. The engine does no I/O (struct
 * ike_io), so the harness is everything around it:
 *   - a valid initiator: IKE_SA_INIT built with the codec, its own DH (fixed private values,
 *     groups 14 and 19), the keys derived with common/ikev2_crypto.c, IKE_AUTH with a PSK
 *     AUTH from the keyring's remote key, INFORMATIONAL and CREATE_CHILD_SA requests;
 *   - keymgr: the pre-shared-key question answered by keymgr's own keymgr_v2_psk (the same
 *     configuration), the authorization with a fixed policy;
 *   - tunmgr: the interface created, the CHILD_SA installed.
 * The input then picks, step by step: valid messages, the same with bytes flipped or cut,
 * the input's bytes as an encrypted payload chain (right keys, any exchange and message ID),
 * clear datagrams, retransmissions, answers refused, late, repeated or for another session,
 * time jumps, clears and a reload that removes the profile.
 * Invariants (abort): every datagram sent is an IKEv2 message, never with the initiator flag,
 * requests (our Delete) only INFORMATIONAL; a response on our SA decrypts with our keys and
 * answers the request just taken (same message ID, retransmissions included); no SA_ADD before
 * keymgr's KEY_OK and XAUTH_OK for that session; an IKE_AUTH answer with AUTH and a CHILD_SA
 * only after tunmgr said SA_ADDED for its SPI, and its AUTH is the hub key's; v2.nsa and
 * v2.nhalfopen are what the table holds (never negative), all 0 after ikev2_shutdown.
 * Input: a mode byte (how far the valid client gets first, its DH group, NAT), then up to 24
 * operations, an opcode and its bytes each.
 * Linked: the IKEv1 files too (ikev2_sa.c uses the shared ike state, sessions, clear and
 * reload of ike_*.c, which reach ikev1*.c, ez*.c, vti*.c), as fuzz_ikev1 does, and keymgr's
 * v2psk.c, which answers the pre-shared-key question.
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
	" aaa authorization group psk list LOCAL FLEXPOL\n virtual-template 1\n"
	"crypto ipsec transform-set TS-CBC256 esp-aes 256 esp-sha256-hmac\n mode tunnel\n"
	"crypto ipsec profile FLEXIPSEC\n set transform-set TS-CBC256\n set ikev2-profile FLEXPROF\n"
	"interface eth0\n ip address 172.18.143.246 255.255.255.0\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile FLEXIPSEC\n"
	"ip local pool flexpool 192.168.50.10 192.168.50.20\n"
	"ip access-list standard FLEXROUTES\n permit 10.2.1.0 0.0.0.255\n";

static const char KEY_I[] = "Cl4v2Key3bSecret", KEY_R[] = "Hub7v2Key9aSecret";
static const char MY_ID[] = "client.example.com";

static struct vpnd_conf conf, conf_orig, conf_noprof;
static int reloaded;
static union sa46 peer, peer2, local;

/* ---- the initiator ---- */
static struct ike_dh *dh14, *dh19;
static uint8_t pub14[256], pub19[64];
static struct {
	int up;                         /* keys derived */
	int established;                /* a valid IKE_AUTH answer came */
	int g19;                        /* the suite: GCM/SHA-384/19, else CBC/SHA-256/14 */
	uint8_t spi_i[8], spi_r[8];
	uint8_t ni[32], nr[256];
	size_t nrlen;
	uint8_t msg1[V2_MSG_MAX], msg2[V2_MSG_MAX];
	size_t msg1_len, msg2_len;
	struct ikev2_suite s;
	struct ikev2_keys k;
	uint32_t next_out;              /* our next request's message ID */
	uint32_t hub_spi;               /* the CHILD_SA's SPI the hub chose (its inbound) */
	uint32_t sid;                   /* the engine's session id for our SA */
	uint8_t last[4096];             /* our last request, for retransmission */
	size_t last_len;
} C;

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

static void enqueue(int to_tun, uint32_t type, uint32_t peerid, const void *d, size_t l)
{
	if (to_tun && type == IMSG_SA_ADD) {
		struct track *t = trk(peerid);
		if (!t->key_ok || !t->xauth_ok)
			abort();        /* an IPsec SA for a session keymgr did not let through */
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
static int got_resp;
static uint8_t resp[65536];
static size_t resp_len;

static int open_sk(uint8_t *m, size_t len, uint8_t **in, size_t *inlen, uint8_t *np)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	if (ikev2_parse_hdr(m, len, &h) < 0 ||
	    ikev2_parse_chain(h.np, m, ISAKMP_HDR_LEN, len, &c, np) < 0)
		return -1;
	const struct ikev2_pl *sk = ikev2_find(&c, IKEV2_NP_SK);
	if (!sk)
		return -1;
	return ikev2_sk_open(&C.s, C.k.er, C.k.ar, m, len, sk->off, in, inlen);
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
	if (h.flags & IKEV2_FLAG_I)
		abort();        /* we are the responder */
	memcpy(last_out, pkt, len);
	last_out_len = len;
	if (!(h.flags & IKEV2_FLAG_R)) {
		/* its only request: Delete, unencrypted never */
		if (h.exch != IKEV2_EXCH_INFORMATIONAL)
			abort();
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
	if (open_sk(m, len, &in, &inlen, &np) < 0)
		abort();        /* a response on our SA that our keys do not open */
	if (h.exch == IKEV2_EXCH_AUTH)
		check_auth_answer(in, inlen, np);
	free(m);
}

static void answer_keymgr(const struct qmsg *m)
{
	uint32_t id = ans & A_OTHER_ID ? m->peerid + 1 : m->peerid;
	if (m->type == IMSG_V2_PSK_REQ) {
		const struct msg_v2_psk_req *rq = (const void *)m->data;
		struct msg_v2_psk_res r;
		keymgr_v2_psk(&conf, rq, &r);
		if (ans & A_PSK_FAIL)
			r.status = KEY_ERROR;
		if (ans & A_PROF_WRONG)
			snprintf(r.profile, sizeof(r.profile), "OTHER");
		if (r.status == KEY_OK)
			trk(id)->key_ok = 1;
		if (ans & A_OTHER_ID)
			trk(id)->crossed = 1;
		ikev2_psk_res(id, &r);
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

static void input_from(const uint8_t *pkt, size_t len, const union sa46 *from, int port4500)
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

static void input(const uint8_t *pkt, size_t len, int port4500)
{
	if (len <= sizeof(C.last)) {
		memcpy(C.last, pkt, len);
		C.last_len = len;
	}
	input_from(pkt, len, &peer, port4500);
}

/* ---- the initiator's messages ---- */

static void sa_init(uint8_t v, const uint8_t *mut, size_t nmut)
{
	struct isakmp_buf b;
	static const uint8_t zero[8];
	memset(&C, 0, sizeof(C));
	C.g19 = v & 1;
	memset(C.spi_i, 0x5a, 8);
	C.spi_i[0] = v;
	for (int i = 0; i < 32; i++)
		C.ni[i] = (uint8_t)(i * 7 + v);
	struct ikev2_trans t[4];
	int n = 0;
	if (C.g19) {
		t[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 20, 256 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_PRF, 6, 0 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_DH, 19, 0 };
	} else {
		t[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 12, 256 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_PRF, 5, 0 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, 12, 0 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_DH, 14, 0 };
	}
	uint8_t cookie[64];
	size_t cookie_len = 0;
again:
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, C.spi_i, zero, IKEV2_EXCH_SA_INIT, IKEV2_FLAG_I, 0);
	if (cookie_len)         /* the hub asked for it (2.6): first, the rest as before */
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_COOKIE, cookie, cookie_len);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_IKE, NULL, 0, t, n);
	if (C.g19)
		ikev2_put_ke(&b, 19, pub19, ike_dh_publen(19));
	else
		ikev2_put_ke(&b, 14, pub14, ike_dh_publen(14));
	isakmp_put_payload(&b, IKEV2_NP_NONCE, C.ni, sizeof(C.ni));
	if (v & 2) {
		/* NAT detection that says the peer is behind a NAT */
		uint8_t h[20];
		memset(h, v, sizeof(h));
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, h, 20);
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h, 20);
	}
	if (isakmp_finalize(&b) < 0 || b.len > sizeof(C.msg1))
		abort();
	memcpy(C.msg1, b.data, b.len);
	C.msg1_len = b.len;
	/* the input's changes: byte flips at input-chosen offsets, or a cut */
	for (size_t i = 0; i + 1 < nmut; i += 2) {
		if (mut[i] == 0xff)
			b.len = mut[i + 1] % (b.len + 1);
		else if (b.len)
			b.data[(mut[i] * 7u + mut[i + 1]) % b.len] ^= mut[i + 1] | 1;
	}
	input(b.data, b.len, 0);
	isakmp_buf_free(&b);
	if (nmut || !got_resp)
		return;
	/* the answer: SA, KE, Nr */
	struct ikev2_hdr h;
	struct ikev2_chain c;
	uint8_t inner;
	if (ikev2_parse_hdr(resp, resp_len, &h) < 0 ||
	    ikev2_parse_chain(h.np, resp, ISAKMP_HDR_LEN, resp_len, &c, &inner) < 0)
		abort();
	const struct ikev2_pl *pke = ikev2_find(&c, IKEV2_NP_KE), *pn = ikev2_find(&c, IKEV2_NP_NONCE);
	if (!pke || !pn) {
		/* a notify: a cookie to send back once, or a refusal (limits) */
		struct ikev2_notify no;
		if (!cookie_len && c.n == 1 && c.pl[0].type == IKEV2_NP_N &&
		    ikev2_parse_notify(c.pl[0].body, c.pl[0].len, &no) == 0 &&
		    no.type == IKEV2_N_COOKIE && no.datalen && no.datalen <= sizeof(cookie)) {
			memcpy(cookie, no.data, no.datalen);
			cookie_len = no.datalen;
			goto again;
		}
		return;
	}
	/* The engine takes a second IKE_SA_INIT with the same SPIi from the same address for a
	 * retransmission without comparing it: after a changed one (op 1) made that SA, the
	 * answer is to that one's offer and nonce, not ours. */
	struct ikev2_sa *mine = NULL;
	for (struct ikev2_sa *sa = v2.all; sa; sa = sa->all_next)
		if (!memcmp(sa->spi_r, h.spi_r, 8) && !memcmp(sa->spi_i, C.spi_i, 8))
			mine = sa;
	if (!mine || mine->msg1_len != C.msg1_len || memcmp(mine->msg1, C.msg1, C.msg1_len))
		return;
	struct ikev2_ke ke;
	if (ikev2_parse_ke(pke->body, pke->len, &ke) < 0 || pn->len > sizeof(C.nr) ||
	    resp_len > sizeof(C.msg2))
		abort();
	uint8_t shared[512];
	size_t sl = sizeof(shared);
	if (ike_dh_shared(C.g19 ? dh19 : dh14, ke.data, ke.len, shared, &sl) < 0)
		abort();        /* the hub's own public value */
	memcpy(C.spi_r, h.spi_r, 8);
	memcpy(C.nr, pn->body, pn->len);
	C.nrlen = pn->len;
	memcpy(C.msg2, resp, resp_len);
	C.msg2_len = resp_len;
	if ((C.g19 ? ikev2_suite(&C.s, 20, 256, 0, 6, 19) : ikev2_suite(&C.s, 12, 256, 12, 5, 14)) < 0 ||
	    ikev2_ike_keys(&C.s, shared, sl, C.ni, sizeof(C.ni), C.nr, C.nrlen, C.spi_i, C.spi_r,
	                   NULL, &C.k) < 0)
		abort();
	C.up = 1;
	C.next_out = 1;
	for (struct ikev2_sa *sa = v2.all; sa; sa = sa->all_next)
		if (!memcmp(sa->spi_r, C.spi_r, 8))
			C.sid = sa->s.id;
}

/* Header, SK, then inner (np: its first payload type), encrypted with our keys; flips applied
 * to the clear text (mode 1) or to the sealed message (mode 2). */
static void send_sk(uint8_t exch, uint32_t msgid, uint8_t np, const uint8_t *inner, size_t len,
                    const uint8_t *mut, size_t nmut, int mode, const union sa46 *from)
{
	if (!C.up)
		return;
	size_t cap = ISAKMP_HDR_LEN + 4 + C.s.iv + len + C.s.block + C.s.icv + 16;
	uint8_t *m = calloc(1, cap);
	if (!m)
		abort();
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, C.spi_i, C.spi_r, exch, IKEV2_FLAG_I, msgid);
	if (b.err || b.len != ISAKMP_HDR_LEN)
		abort();
	memcpy(m, b.data, b.len);
	isakmp_buf_free(&b);
	size_t sk = ISAKMP_HDR_LEN;
	m[16] = IKEV2_NP_SK;
	m[sk] = np;
	memcpy(m + sk + 4 + C.s.iv, inner, len);
	if (mode == 1)
		for (size_t i = 0; i + 1 < nmut && len; i += 2)
			m[sk + 4 + C.s.iv + (mut[i] * 5u + mut[i + 1]) % len] ^= mut[i + 1] | 1;
	long n = ikev2_sk_seal(&C.s, C.k.ei, C.k.ai, m, cap, sk, len);
	if (n < 0)
		abort();
	size_t l = (size_t)n;
	if (mode == 2)
		for (size_t i = 0; i + 1 < nmut; i += 2) {
			if (mut[i] == 0xff)
				l = mut[i + 1] % (l + 1);
			else if (l)
				m[(mut[i] * 11u + mut[i + 1]) % l] ^= mut[i + 1] | 1;
		}
	if (from == &peer)
		input(m, l, 0);
	else
		input_from(m, l, from, 0);
	free(m);
}

static size_t put(uint8_t *o, size_t off, size_t cap, uint8_t *np_at, uint8_t type,
                  const uint8_t *body, size_t len)
{
	if (off + 4 + len > cap)
		return off;
	*np_at = type;
	o[off] = 0;
	o[off + 1] = 0;
	o[off + 2] = (uint8_t)((4 + len) >> 8);
	o[off + 3] = (uint8_t)(4 + len);
	memcpy(o + off + 4, body, len);
	return off + 4 + len;
}

/* A payload chain built by hand (the codec's buffers carry the IKE header). */
struct chain {
	uint8_t b[2048];
	size_t len;
	uint8_t first;
	uint8_t *np;
};

static void cadd(struct chain *c, uint8_t type, const uint8_t *body, size_t len)
{
	size_t was = c->len;
	c->len = put(c->b, c->len, sizeof(c->b), c->len ? c->np : &c->first, type, body, len);
	if (c->len != was)
		c->np = c->b + was;
}

static void ts_body(uint8_t *o, size_t *len, const char *lo, const char *hi)
{
	memset(o, 0, 4);
	o[0] = 1;
	o[4] = IKEV2_TS_IPV4_ADDR_RANGE;
	o[5] = 0;
	o[6] = 0;
	o[7] = 16;
	o[8] = o[9] = 0;
	o[10] = o[11] = 0xff;
	inet_pton(AF_INET, lo, o + 12);
	inet_pton(AF_INET, hi, o + 16);
	*len = 20;
}

static void esp_sa_body(uint8_t *o, size_t *len, uint8_t v)
{
	struct isakmp_buf b;
	struct ikev2_trans t[3];
	int n = 0;
	uint32_t spi = htonl(0xc0de0000u | v);
	if (v & 1) {
		t[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 20, 256 };     /* not in the set */
	} else {
		t[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 12, 256 };
		t[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, 12, 0 };
	}
	t[n++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, C.spi_i, C.spi_r, 0, 0, 0);
	ikev2_put_sa1(&b, 1, IKEV2_PROTO_ESP, (const uint8_t *)&spi, 4, t, n);
	*len = b.len - ISAKMP_HDR_LEN - 4;
	if (b.err || *len > 256)
		abort();
	memcpy(o, b.data + ISAKMP_HDR_LEN + 4, *len);
	isakmp_buf_free(&b);
}

/* IKE_AUTH. v: 1 no CP, 2 INITIAL_CONTACT, 4 USE_TRANSPORT_MODE, 8 TSi without our address,
 * 16 an ESP proposal the profile does not have, 32 a wrong AUTH, 64 another identity. */
static void ike_auth(uint8_t v, const uint8_t *mut, size_t nmut, int mode)
{
	if (!C.up)
		return;
	struct chain c = { .len = 0 };
	uint8_t body[300];
	size_t l;
	const char *id = v & 64 ? "other.example.com" : MY_ID;
	body[0] = IKEV2_ID_FQDN;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, id, strlen(id));
	size_t idl = 4 + strlen(id);
	cadd(&c, IKEV2_NP_IDI, body, idl);
	uint8_t mac[IKEV2_PRF_MAX], auth[4 + IKEV2_PRF_MAX];
	struct iovec iv = { body, idl };
	if (ikev2_prf(&C.s, C.k.pi, C.s.prf_len, &iv, 1, mac) < 0)
		abort();
	struct iovec o[3] = { { C.msg1, C.msg1_len }, { C.nr, C.nrlen }, { mac, C.s.prf_len } };
	memset(auth, 0, 4);
	auth[0] = IKEV2_AUTH_PSK;
	if (ikev2_psk_auth(&C.s, (const uint8_t *)KEY_I, strlen(KEY_I), o, 3, auth + 4) < 0)
		abort();
	if (v & 32)
		auth[5] ^= 1;
	if (v & 2) {
		uint8_t n[4] = { 0, 0, 0x40, 0x00 };    /* INITIAL_CONTACT, no SPI */
		cadd(&c, IKEV2_NP_N, n, 4);
	}
	cadd(&c, IKEV2_NP_AUTH, auth, 4 + C.s.prf_len);
	if (!(v & 1)) {
		uint8_t cp[32];
		memset(cp, 0, 4);
		cp[0] = IKEV2_CFG_REQUEST;
		long n = ikev2_cp_attr(cp, 4, sizeof(cp), IKEV2_CP_INTERNAL_IP4_ADDRESS, cp, 0);
		n = ikev2_cp_attr(cp, (size_t)n, sizeof(cp), IKEV2_CP_INTERNAL_IP4_DNS, cp, 0);
		if (n < 0)
			abort();
		cadd(&c, IKEV2_NP_CP, cp, (size_t)n);
	}
	if (v & 4) {
		uint8_t n[4] = { 0, 0, 0x40, 0x07 };    /* USE_TRANSPORT_MODE */
		cadd(&c, IKEV2_NP_N, n, 4);
	}
	esp_sa_body(body, &l, v & 16 ? 1 : 0);
	cadd(&c, IKEV2_NP_SA, body, l);
	ts_body(body, &l, v & 8 ? "10.0.0.0" : "0.0.0.0", v & 8 ? "10.0.0.255" : "255.255.255.255");
	cadd(&c, IKEV2_NP_TSI, body, l);
	ts_body(body, &l, "0.0.0.0", "255.255.255.255");
	cadd(&c, IKEV2_NP_TSR, body, l);
	send_sk(IKEV2_EXCH_AUTH, C.next_out, c.first, c.b, c.len, mut, nmut, mode, &peer);
	C.next_out++;
}

/* INFORMATIONAL: 0 empty, 1 Delete IKE, 2 Delete ESP (the SPI we offered, our inbound; or,
 * with v & 4, the hub's inbound, which names nothing of ours), 3 AUTHENTICATION_FAILED */
static void info(uint8_t v)
{
	struct chain c = { .len = 0 };
	uint8_t b[16];
	switch (v & 3) {
	case 1:
		b[0] = IKEV2_PROTO_IKE; b[1] = 0; b[2] = b[3] = 0;
		cadd(&c, IKEV2_NP_D, b, 4);
		break;
	case 2: {
		uint32_t spi = v & 4 ? C.hub_spi : htonl(0xc0de0000u);
		b[0] = IKEV2_PROTO_ESP; b[1] = 4; b[2] = 0; b[3] = 1;
		memcpy(b + 4, &spi, 4);
		cadd(&c, IKEV2_NP_D, b, 8);
		break;
	}
	case 3:
		b[0] = 0; b[1] = 0; b[2] = 0; b[3] = IKEV2_N_AUTHENTICATION_FAILED;
		cadd(&c, IKEV2_NP_N, b, 4);
		break;
	}
	send_sk(IKEV2_EXCH_INFORMATIONAL, C.next_out++, c.len ? c.first : 0, c.b, c.len, NULL, 0, 0,
	        &peer);
}

/* CREATE_CHILD_SA for a new CHILD_SA (SA, Ni, TSi, TSr), REKEY_SA on the first when v & 1 */
static void create_child(uint8_t v)
{
	struct chain c = { .len = 0 };
	uint8_t body[300];
	size_t l;
	if (v & 1) {
		uint8_t n[8] = { IKEV2_PROTO_ESP, 4, 0x40, 0x09 };
		memcpy(n + 4, &C.hub_spi, 4);
		cadd(&c, IKEV2_NP_N, n, 8);
	}
	esp_sa_body(body, &l, (uint8_t)(v & 0xfe));
	cadd(&c, IKEV2_NP_SA, body, l);
	cadd(&c, IKEV2_NP_NONCE, C.ni, sizeof(C.ni));
	ts_body(body, &l, "192.168.50.10", "192.168.50.10");
	cadd(&c, IKEV2_NP_TSI, body, l);
	ts_body(body, &l, "10.2.1.0", "10.2.1.255");
	cadd(&c, IKEV2_NP_TSR, body, l);
	send_sk(IKEV2_EXCH_CREATE_CHILD, C.next_out++, c.first, c.b, c.len, NULL, 0, 0, &peer);
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
	static const uint8_t priv[32] = { 0x42, 0x13, 0x37, 0x99, 5, 6, 7, 8, 9, 10, 11, 12 };
	dh14 = ike_dh_new_with_private(14, priv, sizeof(priv));
	dh19 = ike_dh_new_with_private(19, priv, sizeof(priv));
	if (!dh14 || !dh19 || ike_dh_publen(14) > sizeof(pub14) || ike_dh_publen(19) > sizeof(pub19) ||
	    ike_dh_public(dh14, pub14, ike_dh_publen(14)) < 0 ||
	    ike_dh_public(dh19, pub19, ike_dh_publen(19)) < 0)
		abort();
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
		case 4:         /* the input's payload chain, encrypted, any exchange and ID */
		case 5: {
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
		case 6:         /* INFORMATIONAL */
			info(get(&r));
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
		case 10:        /* time passes */
			v = get(&r);
			ikev2_tick(time(NULL) + (time_t)v * (v & 0x80 ? 3600 : 5));
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
