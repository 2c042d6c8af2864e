/*
 * fuzz_ikev2_engine.c's IKEv2 initiator: the valid messages a strongSwan-like client sends
 * (IKE_SA_INIT, IKE_AUTH with a PSK AUTH, INFORMATIONAL, CREATE_CHILD_SA), built with the
 * codec and protected with keys it derives itself from its own DH, so the engine's checks of
 * them are real. Variants by flag bits; the harness adds the fuzzed parts.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ikemgr/dh.h"
#include "test/fuzz/ikev2_client.h"

struct v2_client C;
/* a fragmented response being joined: the engine sends a message's fragments in order */
static uint8_t fr_buf[65536], fr_np;
static size_t fr_len;
static unsigned fr_next, fr_total;
static uint32_t fr_msgid;
static struct ike_dh *dh14, *dh19;
static uint8_t pub14[256], pub19[64];

int v2c_init(void)
{
	static const uint8_t priv[32] = { 0x42, 0x13, 0x37, 0x99, 5, 6, 7, 8, 9, 10, 11, 12 };
	dh14 = ike_dh_new_with_private(14, priv, sizeof(priv));
	dh19 = ike_dh_new_with_private(19, priv, sizeof(priv));
	if (!dh14 || !dh19 || ike_dh_publen(14) > sizeof(pub14) || ike_dh_publen(19) > sizeof(pub19) ||
	    ike_dh_public(dh14, pub14, ike_dh_publen(14)) < 0 ||
	    ike_dh_public(dh19, pub19, ike_dh_publen(19)) < 0)
		return -1;
	return 0;
}

void sa_init(uint8_t v, const uint8_t *mut, size_t nmut)
{
	struct isakmp_buf b;
	static const uint8_t zero[8];
	memset(&C, 0, sizeof(C));
	fr_len = fr_next = fr_total = 0;
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
	if (v & 4)
		ikev2_put_notify(&b, 0, NULL, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
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
	for (int i = 0; i < c.n; i++) {
		struct ikev2_notify no;
		if (c.pl[i].type == IKEV2_NP_N && ikev2_parse_notify(c.pl[i].body, c.pl[i].len, &no) == 0 &&
		    no.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED) {
			if (!(v & 4))
				abort();        /* announced to a client that did not say it could */
			C.frag = 1;
		}
	}
	for (struct ikev2_sa *sa = v2.all; sa; sa = sa->all_next)
		if (!memcmp(sa->spi_r, C.spi_r, 8))
			C.sid = sa->s.id;
}

int v2c_dh(int group, uint8_t *pub, size_t *publen, const uint8_t *hub, size_t hublen,
           uint8_t *shared, size_t *sl)
{
	struct ike_dh *d = group == 14 ? dh14 : group == 19 ? dh19 : NULL;
	size_t pl = d ? ike_dh_publen(group) : 0;
	if (!d || pl > *publen || hublen != pl)
		return -1;
	memcpy(pub, group == 14 ? pub14 : pub19, pl);
	*publen = pl;
	return ike_dh_shared(d, hub, hublen, shared, sl);
}

/* Header, SK, then inner (np: its first payload type), encrypted with our keys; flips applied
 * to the clear text (mode 1) or to the sealed message (mode 2). */
void send_sk(uint8_t exch, uint32_t msgid, uint8_t np, const uint8_t *inner, size_t len,
                    const uint8_t *mut, size_t nmut, int mode, const union sa46 *from)
{
	if (!C.up)
		return;
	v2c_seal_send(C.spi_i, C.spi_r, V2C_EK_OUT(&C), V2C_AK_OUT(&C), exch, V2C_FLAG_I(&C), msgid,
	              np, inner, len, mut, nmut, mode, from);
}

void v2c_seal_send(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                   const uint8_t *ak, uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t np,
                   const uint8_t *inner, size_t len, const uint8_t *mut, size_t nmut, int mode,
                   const union sa46 *from)
{
	size_t cap = ISAKMP_HDR_LEN + 4 + C.s.iv + len + C.s.block + C.s.icv + 16;
	uint8_t *m = calloc(1, cap);
	if (!m)
		abort();
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	ikev2_put_hdr(&b, spi_i, spi_r, exch, flags, msgid);
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
	long n = ikev2_sk_seal(&C.s, ek, ak, m, cap, sk, len);
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

void send_skf(uint8_t exch, uint32_t msgid, uint8_t np, const uint8_t *inner, size_t len,
              uint8_t how, const uint8_t *mut, size_t nmut)
{
	if (!C.up)
		return;
	unsigned k = 1 + how % 4, rot = how >> 2 & 3;
	size_t part = len / k, cap = ISAKMP_HDR_LEN + 8 + C.s.iv + len + C.s.block + C.s.icv + 16;
	uint8_t *m = calloc(1, cap);
	if (!m)
		abort();
	for (unsigned s = 0; s < k + !!(how & 0x20); s++) {
		unsigned j = (s % k + rot) % k, i = how & 0x10 ? k - 1 - j : j;  /* 0-based */
		size_t from = i * part, l = i + 1 == k ? len - from : part;
		for (int forged = !!(how & 0x40) && s == 0; forged >= 0; forged--) {
			struct isakmp_buf b;
			isakmp_buf_init(&b);
			ikev2_put_hdr(&b, C.spi_i, C.spi_r, exch, V2C_FLAG_I(&C), msgid);
			if (b.err || b.len != ISAKMP_HDR_LEN)
				abort();
			memset(m, 0, cap);
			memcpy(m, b.data, b.len);
			isakmp_buf_free(&b);
			unsigned total = (how & 0x80) && i == 1 ? k + 1 : k;
			m[16] = IKEV2_NP_SKF;
			m[ISAKMP_HDR_LEN] = i == 0 ? np : 0;
			m[ISAKMP_HDR_LEN + 4] = 0;
			m[ISAKMP_HDR_LEN + 5] = (uint8_t)(i + 1);
			m[ISAKMP_HDR_LEN + 6] = 0;
			m[ISAKMP_HDR_LEN + 7] = (uint8_t)total;
			memcpy(m + ISAKMP_HDR_LEN + 8 + C.s.iv, inner + from, l);
			long n = ikev2_skf_seal(&C.s, V2C_EK_OUT(&C), V2C_AK_OUT(&C), m, cap,
			                        ISAKMP_HDR_LEN, l);
			if (n < 0)
				abort();
			size_t ml = (size_t)n;
			if (forged)
				m[ml - 1] ^= 0x5a;
			for (size_t x = 0; x + 1 < nmut; x += 2) {
				if (mut[x] == 0xff && mut[x + 1] % k == i)
					ml = mut[x + 1] % (ml + 1);
				else if (mut[x] % k == i && ml)
					m[(mut[x] * 11u + mut[x + 1]) % ml] ^= mut[x + 1] | 1;
			}
			input(m, ml, 0);
		}
	}
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

static int auth_frag;
static uint8_t auth_how;
static const uint8_t *auth_mut;
static size_t auth_nmut;

/* IKE_AUTH. v: 1 no CP, 2 INITIAL_CONTACT, 4 USE_TRANSPORT_MODE, 8 TSi without our address,
 * 16 an ESP proposal the profile does not have, 32 a wrong AUTH, 64 another identity. */
void ike_auth(uint8_t v, const uint8_t *mut, size_t nmut, int mode)
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
	if (auth_frag)
		send_skf(IKEV2_EXCH_AUTH, C.next_out, c.first, c.b, c.len, auth_how, auth_mut, auth_nmut);
	else
		send_sk(IKEV2_EXCH_AUTH, C.next_out, c.first, c.b, c.len, mut, nmut, mode, &peer);
	C.next_out++;
}

void ike_auth_frag(uint8_t v, uint8_t how, const uint8_t *mut, size_t nmut)
{
	auth_frag = 1;
	auth_how = how;
	auth_mut = mut;
	auth_nmut = nmut;
	ike_auth(v, NULL, 0, 0);
	auth_frag = 0;
}

/* INFORMATIONAL: 0 empty, 1 Delete IKE, 2 Delete ESP (the SPI we offered, our inbound; or,
 * with v & 4, the hub's inbound, which names nothing of ours), 3 AUTHENTICATION_FAILED */
void info(uint8_t v)
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
void create_child(uint8_t v)
{
	struct chain c = { .len = 0 };
	uint8_t body[300];
	size_t l;
	if (v & 1) {
		/* REKEY_SA names the SA by the SPI we receive on (v & 2: the one we offered in
		 * IKE_AUTH), or by the hub's, which names nothing of ours */
		uint8_t n[8] = { IKEV2_PROTO_ESP, 4, 0x40, 0x09 };
		uint32_t ours = htonl(0xc0de0000u);
		memcpy(n + 4, v & 2 ? &ours : &C.hub_spi, 4);
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


int v2c_open_frag(uint8_t *m, size_t len, const struct ikev2_hdr *h, uint8_t **in,
                  size_t *inlen, uint8_t *np)
{
	struct ikev2_chain c;
	uint8_t first, *p;
	size_t pl;
	if (!C.frag || ikev2_parse_chain(h->np, m, ISAKMP_HDR_LEN, len, &c, &first) < 0 ||
	    c.n != 1 || c.pl[0].len < 4)
		abort();        /* fragments unasked for, or not alone in their message */
	unsigned num = (unsigned)c.pl[0].body[0] << 8 | c.pl[0].body[1],
	         total = (unsigned)c.pl[0].body[2] << 8 | c.pl[0].body[3];
	if (num == 0 || num > total || (num > 1 && (num != fr_next || total != fr_total ||
	                                            h->msgid != fr_msgid)))
		abort();        /* out of order or inconsistent */
	if (ikev2_skf_open(&C.s, V2C_EK_IN(&C), V2C_AK_IN(&C), m, len, c.pl[0].off, &p, &pl) < 0)
		abort();
	if (num == 1) {
		fr_len = 0;
		fr_np = first;
		fr_total = total;
		fr_msgid = h->msgid;
	} else if (first) {
		abort();        /* 2.5: Next Payload only in the first */
	}
	if (pl > sizeof(fr_buf) - fr_len)
		abort();
	memcpy(fr_buf + fr_len, p, pl);
	fr_len += pl;
	fr_next = num + 1;
	if (num < total)
		return 0;
	*in = fr_buf;
	*inlen = fr_len;
	*np = fr_np;
	return 1;
}
