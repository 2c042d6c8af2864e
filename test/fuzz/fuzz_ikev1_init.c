// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE ikemgr/ikev1_init.c ikemgr/ikev1_init_p2.c ikemgr/ikev1_init_qr.c ikemgr/ikev1_init_mm.c ikemgr/ikev1_init_mm_sig.c ikemgr/isakmp.c common/ike_crypto.c ikemgr/dh.c tunmgr/esp.c tunmgr/replay.c test/fuzz/fuzz_ikev1_init.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_ikev1_init
/*
 * The IKEv1 initiator's parsers (ikemgr/ikev1_init*.c) on what a hub, or whoever answers in its
 * place, may send: aggressive mode message 2 in clear (cookie patched in so it reaches the
 * checks), and protected messages whose payload chain is the fuzzer's but whose HASH(1) and
 * encryption are right, so XAUTH, Mode Config, quick mode 2 and informational parsing are
 * reached past the integrity check; main mode messages 2 and 4 in clear (cookies patched in) and
 * message 6 encrypted on the phase 1 chain; the same with signatures (ikev1_init_mm_sig.c:
 * message 6's IDir, CERTs and SIG_R into keymgr's request) when the opcode byte's top bit is
 * set. Input: an opcode byte, then the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init.h"
#include "ikemgr/ikev1_init_sig.h"
#include "tunmgr/esp.h"

static struct ike_dh *dh;
static struct sockaddr_in local, peer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const uint8_t priv[32] = { 0x42, 0x13, 0x37, 0x99, 5, 6, 7, 8, 9, 10, 11, 12 };
	dh = ike_dh_new_with_private(2, priv, sizeof(priv));
	if (!dh)
		abort();
	local.sin_family = peer.sin_family = AF_INET;
	local.sin_addr.s_addr = htonl(0x0a630001);
	peer.sin_addr.s_addr = htonl(0xac128ff6);
	local.sin_port = peer.sin_port = htons(500);
	return 0;
}

/* an SA past phase 1 with fixed keys */
static void established(struct ikei_sa *s)
{
	memset(s, 0x11, sizeof(*s));
	s->encr = IKE_ENCR_AES;
	s->keylen = 256;
	s->hash = IKE_HASH_SHA1;
	s->group = 2;
	s->k.prf_len = 20;
	s->k.enc_keylen = 32;
	s->k.blocklen = 16;
	s->peer_natt = 1;
}

/* header, correct HASH(1) over the fuzzer's chain, encrypted with x's IV: a new buffer */
static uint8_t *protect(const struct ikei_sa *s, const struct ikei_x *x, uint8_t exch,
                        const uint8_t *pre, size_t prelen, const uint8_t *d, size_t n,
                        size_t *len)
{
	uint8_t first = n ? d[0] : 0;
	if (n) {
		d++;
		n--;
	}
	size_t body = 4 + 20 + n, pad = (16 - body % 16) % 16;
	*len = ISAKMP_HDR_LEN + body + pad;
	uint8_t *p = calloc(1, *len);
	if (!p)
		abort();
	struct isakmp_hdr *h = (struct isakmp_hdr *)p;
	memcpy(h->cky_i, s->cky_i, 8);
	memcpy(h->cky_r, s->cky_r, 8);
	h->next_payload = ISAKMP_NP_HASH;
	h->version = ISAKMP_VERSION;
	h->exch_type = exch;
	h->flags = ISAKMP_FLAG_E;
	h->msgid = x->msgid;
	h->len = htonl((uint32_t)*len);
	uint8_t *hp = p + ISAKMP_HDR_LEN;
	hp[0] = first;
	hp[2] = 0;
	hp[3] = 24;
	memcpy(hp + 24, d, n);
	struct iovec iov[3] = { { (void *)&x->msgid, 4 }, { (void *)pre, prelen }, { hp + 24, n } };
	ike_prf(s->hash, s->k.skeyid_a, 20, iov, 3, hp + 4);
	uint8_t iv[16];
	memcpy(iv, x->iv, 16);
	ike_cbc(s->encr, s->keylen, s->k.enc_key, iv, hp, body + pad, 1);
	return p;
}

/* main mode messages 2 and 4: the first input byte splits the rest between them */
static void main_mode_clear(const uint8_t *data, size_t size, int sig)
{
	struct ikei_sa s;
	struct isakmp_buf b;
	uint16_t notify;
	struct ikei_p1_params p = { .group = 2, .natt = 1, .ntrans = 2,
	                            .trans = { { IKE_ENCR_AES, 256, IKE_HASH_SHA1 },
	                                       { IKE_ENCR_3DES, 0, IKE_HASH_MD5 } } };
	size_t cut = size ? data[0] : 0;
	static const uint8_t ca_name[] = { 0x30, 0x00 }, cert[] = { 0x30, 0x03, 1, 2, 3 };
	static struct msg_vti_sign_req q;     /* 3 KB: off the stack */
	uint8_t h[64] = { 7 };

	p.auth = sig ? IKE_AUTHM_RSA : 0;

	if (size) {
		data++;
		size--;
	}
	if (cut > size)
		cut = size;
	uint8_t *pkt = malloc(size ? size : 1);
	if (!pkt)
		abort();
	memcpy(pkt, data, size);
	isakmp_buf_init(&b);
	if (ikei_mm1(&s, &p, dh, &b) < 0)
		abort();
	if (cut >= 8)
		memcpy(pkt, s.cky_i, 8);
	if (ikei_mm2(&s, pkt, cut, &notify) == 0) {
		isakmp_buf_free(&b);
		isakmp_buf_init(&b);
		if (sig)
			ikei_mm3_sig(&s, &local, &peer, ca_name, sizeof(ca_name), &b);
		else
			ikei_mm3(&s, &local, &peer, &b);
		if (size - cut >= 16) {
			memcpy(pkt + cut, s.cky_i, 8);
			memcpy(pkt + cut + 8, s.cky_r, 8);
		}
		static const uint8_t skeyid[20] = { 1, 2, 3 };
		if (sig && ikei_mm4(&s, pkt + cut, size - cut, &local, &peer, &notify) == 0 &&
		    ikei_mm_sig_keys(&s, dh) == 0 &&
		    ikei_mm5_sig_parts(&s, ca_name, sizeof(ca_name), &q) == 0) {
			isakmp_buf_free(&b);
			isakmp_buf_init(&b);
			ikei_mm5_sig(&s, cert, sizeof(cert), h, q.parts.skeyid_len, &b);
		} else if (!sig && ikei_mm4(&s, pkt + cut, size - cut, &local, &peer, &notify) == 0 &&
		    ikei_mm_keys(&s, dh, skeyid, sizeof(skeyid)) == 0) {
			isakmp_buf_free(&b);
			isakmp_buf_init(&b);
			ikei_mm5(&s, local.sin_addr, &b);
		}
	}
	free(pkt);
	isakmp_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikei_sa s;
	struct ikei_x x;
	struct ikei_qm q;
	struct isakmp_msg m;
	struct isakmp_buf b;
	struct in_addr addr;
	uint16_t notify;
	int done, answered, deleted;
	size_t len;

	if (size < 1)
		return 0;
	uint8_t op = data[0] % 8;
	int sig = data[0] & 0x80;
	data++;
	size--;
	isakmp_buf_init(&b);
	if (op == 0) {
		/* several transforms, as the Easy VPN remote offers them: the answer picks one */
		struct ikei_p1_params p = { .group = 2, .group_name = "g", .natt = 1, .ntrans = 3,
		                            .trans = { { IKE_ENCR_AES, 256, IKE_HASH_SHA1 },
		                                       { IKE_ENCR_3DES, 0, IKE_HASH_SHA1 },
		                                       { IKE_ENCR_AES, 128, IKE_HASH_MD5 } } };
		if (ikei_aggr1(&s, &p, dh, &b) < 0)
			abort();
		uint8_t *pkt = malloc(size ? size : 1);
		if (!pkt)
			abort();
		memcpy(pkt, data, size);
		if (size >= 8)
			memcpy(pkt, s.cky_i, 8);
		if (ikei_aggr2(&s, dh, (const uint8_t *)"k", 1, pkt, size, &local, &peer, &notify) == 0) {
			isakmp_buf_free(&b);
			isakmp_buf_init(&b);
			ikei_aggr3(&s, &local, &peer, &b);
		}
		free(pkt);
		isakmp_buf_free(&b);
		return 0;
	}
	if (op == 6) {
		main_mode_clear(data, size, sig);
		return 0;
	}
	established(&s);
	memset(&q, 0, sizeof(q));
	q.encr = ESP_ENCR_AES_CBC;
	q.keylen = 256;
	q.auth = ESP_AUTH_HMAC_SHA1_96;
	if (size && (data[0] & 1)) {
		/* several proposals, as the Easy VPN remote offers them */
		q.nprop = 2;
		q.prop[0] = (struct ikei_p2_prop){ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 };
		q.prop[1] = (struct ikei_p2_prop){ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_MD5_96 };
	}
	if (size && (data[0] & 2)) {
		/* PFS, as a static VTI with set pfs asks it: the answer's KE is parsed and used */
		q.pfs_group = 2;
		q.pfs_dh = dh;
	}
	if (op == 3) {
		if (ikei_qm1(&s, &q, local.sin_addr, &b) < 0)
			abort();
		isakmp_buf_free(&b);
		isakmp_buf_init(&b);
		x = q.x;
	} else {
		ikei_x_init(&s, &x, htonl(0x12345678));
	}
	if (op == 7) {
		/* main mode message 6 is on the phase 1 chain itself, M-ID 0; HASH_R covers
		 * what messages 1 to 4 left, of the sizes they allow */
		s.gxlen = 128;
		s.sai_len = 48;
		x.msgid = 0;
		memcpy(x.iv, s.iv, sizeof(x.iv));
	}
	static const uint8_t exch[8] = { 0, ISAKMP_EXCH_TRANSACTION, ISAKMP_EXCH_TRANSACTION,
	                                 ISAKMP_EXCH_QUICK, ISAKMP_EXCH_INFO, ISAKMP_EXCH_QUICK,
	                                 0, ISAKMP_EXCH_MAIN };
	uint8_t *pkt = protect(&s, &x, exch[op], op == 3 ? q.ni : NULL, op == 3 ? q.nilen : 0,
	                       data, size, &len);
	switch (op) {
	case 1:
		if (ikei_open(&s, &x, pkt, len, NULL, 0, &m) == 0)
			ikei_xauth_answer(&s, &x, &m, "user", "password", &b, &done);
		break;
	case 2:
		if (ikei_open(&s, &x, pkt, len, NULL, 0, &m) == 0) {
			struct ikei_cfg c;
			ikei_cfg_reply(&m, &addr);
			ikei_cfg_reply_full(&m, &c);
		}
		break;
	case 3:
		if (ikei_qm2(&s, &q, pkt, len) == 0) {
			struct ikei_keys k;
			ikei_qm3(&s, &q, &b);
			ikei_keymat(&s, &q, &k);
		}
		break;
	case 4:
		ikei_info(&s, pkt, len, &b, &answered, &notify, &deleted);
		break;
	case 5: {
		/* a quick mode the hub starts (its rekey), answered, then its HASH(3) */
		static const struct ikei_p2_prop acc[2] = {
			{ ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1_96 },
			{ ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1_96 } };
		struct ikei_qm r;
		memset(&r, 0, sizeof(r));
		if (q.pfs_group) {
			/* as a static VTI answers it: 0/0 both ways, KE in the profile's group */
			r.idci_any = 1;
			r.pfs_group = q.pfs_group;
			r.pfs_dh = dh;
		}
		if (ikei_qr1(&s, &r, acc, 2, local.sin_addr, pkt, len, &b) == 0) {
			struct ikei_keys k;
			ikei_qr3(&s, &r, pkt, len);
			ikei_keymat(&s, &r, &k);
		}
		break;
	}
	case 7:
		if (sig) {
			struct msg_cert_verify_req *rq = malloc(sizeof(*rq));
			if (!rq)
				abort();
			s.auth = IKE_AUTHM_RSA;
			ikei_mm6_sig(&s, pkt, len, peer.sin_addr, rq, &notify);
			free(rq);
		} else {
			ikei_mm6(&s, pkt, len, peer.sin_addr, &notify);
		}
		break;
	}
	free(pkt);
	isakmp_buf_free(&b);
	return 0;
}
