/*
 * The client side of fuzz_ikev1.c: the messages a real IKEv1 client sends, built valid. Keys,
 * cookies and IV chains are read from the responder's own SA (same address space), so no DH
 * or key derivation of its own is needed. Each function sends through input() and returns
 * quietly when the exchange it belongs to is not there (the fuzzer may have ended it).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ike_crypto.h"
#include "ikemgr/ikev1.h"
#include "test/fuzz/ikev1_client.h"

static const uint8_t my_cky[8] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8 };
uint8_t my_pub[128];
static const uint8_t my_nonce[20] = { 'f', 'u', 'z', 'z', 'n', 'o', 'n', 'c', 'e', 1, 2, 3 };

struct ike_sa *my_sa(void)
{
	for (struct ike_sa *sa = ike.all; sa; sa = sa->all_next)
		if (!memcmp(sa->cky_i, my_cky, 8) && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

static void finish_and_send(struct isakmp_buf *b, int port4500)
{
	if (isakmp_finalize(b) == 0)
		input(b->data, b->len, port4500);
	isakmp_buf_free(b);
}

static void put_p1_sa(struct isakmp_buf *b, int auth)
{
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	isakmp_attrs_tv(&a, IKE_ATTR_ENCR, 7);          /* AES-CBC */
	isakmp_attrs_tv(&a, IKE_ATTR_KEYLEN, 256);
	isakmp_attrs_tv(&a, IKE_ATTR_HASH, 2);          /* SHA1 */
	isakmp_attrs_tv(&a, IKE_ATTR_AUTH, (uint16_t)auth);
	isakmp_attrs_tv(&a, IKE_ATTR_GROUP, 2);
	isakmp_attrs_tv(&a, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
	isakmp_attrs_tlv32(&a, IKE_ATTR_LIFE_DURATION, 86400);
	isakmp_build_sa_p1(b, 1, 1, &a);
}

void aggr1(uint8_t variant)
{
	static const uint8_t zero[8];
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	isakmp_put_hdr(&b, my_cky, zero, ISAKMP_EXCH_AGGR, 0, 0);
	put_p1_sa(&b, variant & 1 ? IKE_AUTHM_PSK : IKE_AUTHM_XAUTH_INIT_PSK);
	isakmp_put_payload(&b, ISAKMP_NP_KE, my_pub, sizeof(my_pub));
	isakmp_put_payload(&b, ISAKMP_NP_NONCE, my_nonce, sizeof(my_nonce));
	isakmp_put_id(&b, ISAKMP_ID_KEY_ID, 17, 500, "fuzzgroup", 9);
	isakmp_put_vid(&b, VID_XAUTH);
	isakmp_put_vid(&b, VID_UNITY);
	if (variant & 2)
		isakmp_put_vid(&b, VID_DPD);
	if (variant & 4)
		isakmp_put_vid(&b, VID_NATT_RFC);
	finish_and_send(&b, 0);
}

/* NAT-D pair as the client computes it: the hub's address, then its own. */
static void put_natd(struct isakmp_buf *b, struct ike_sa *sa, int fake)
{
	uint8_t h[64];
	isakmp_natd_hash(sa->hash, sa->cky_i, sa->cky_r, &(union sa46){ .sin = local }, h);
	isakmp_put_payload(b, ISAKMP_NP_NATD, h, ike_hash_len(sa->hash));
	isakmp_natd_hash(sa->hash, sa->cky_i, sa->cky_r, &(union sa46){ .sin = peer }, h);
	if (fake)
		h[0] ^= 1;      /* "behind NAT" */
	isakmp_put_payload(b, ISAKMP_NP_NATD, h, ike_hash_len(sa->hash));
}

/* Pads and encrypts b's payloads with the IV given (a copy: the engine keeps its own chain). */
static void encrypt_in_place(struct ike_sa *sa, struct isakmp_buf *b, const uint8_t *ivsrc)
{
	uint8_t iv[16];
	size_t bl = sa->k.blocklen, body = b->len - ISAKMP_HDR_LEN, pad = (bl - body % bl) % bl;
	memcpy(iv, ivsrc, bl);
	isakmp_buf_reserve(b, pad);
	if (b->err)
		return;
	memset(b->data + b->len, 0, pad);
	b->len += pad;
	b->data[19] |= ISAKMP_FLAG_E;
	ike_cbc(sa->encr, sa->keylen, sa->k.enc_key, iv, b->data + ISAKMP_HDR_LEN,
	        b->len - ISAKMP_HDR_LEN, 1);
}

/* The payloads after the ones already in b: HASH_I and what rides with it. */
void p1_final(uint8_t exch, uint8_t variant)
{
	struct ike_sa *sa = my_sa();
	uint8_t h[64];
	/* main mode: our IDii goes in this message; aggressive mode: the hub has it already */
	uint8_t idb[8] = { ISAKMP_ID_IPV4_ADDR, 17, 500 >> 8, 500 & 0xff };
	memcpy(idb + 4, &peer.sin_addr, 4);
	if (!sa || !sa->k.prf_len || !sa->sai_b)
		return;
	int mm = exch == ISAKMP_EXCH_MAIN;
	if (ike_hash_i(sa->hash, sa->skeyid, sa->k.prf_len, sa->gxi, sa->gxlen, sa->gxr, sa->gxlen,
	               sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, mm ? idb : sa->idii_b,
	               mm ? sizeof(idb) : sa->idii_len, h) < 0)
		return;
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, exch, 0, 0);
	if (mm)
		isakmp_put_payload(&b, ISAKMP_NP_ID, idb, sizeof(idb));
	isakmp_put_payload(&b, ISAKMP_NP_HASH, h, sa->k.prf_len);
	if (exch == ISAKMP_EXCH_AGGR && sa->natt)
		put_natd(&b, sa, variant & 8);
	if (variant & 16)
		isakmp_put_notify(&b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_INITIAL_CONTACT, sa->cky_i, 16,
		                  NULL, 0);
	isakmp_finalize(&b);
	if (exch == ISAKMP_EXCH_MAIN || (variant & 32))
		encrypt_in_place(sa, &b, sa->iv);
	isakmp_finalize(&b);
	if (!b.err)
		input(b.data, b.len, 0);
	isakmp_buf_free(&b);
}

/* Main mode messages 1 and 3 (the ID and HASH_I of message 5 come from p1_final). */
void main13(uint8_t variant)
{
	static const uint8_t zero[8];
	struct isakmp_buf b;
	isakmp_buf_init(&b);
	isakmp_put_hdr(&b, my_cky, zero, ISAKMP_EXCH_MAIN, 0, 0);
	put_p1_sa(&b, IKE_AUTHM_PSK);
	isakmp_put_vid(&b, VID_DPD);
	if (variant & 4)
		isakmp_put_vid(&b, VID_NATT_RFC);
	finish_and_send(&b, 0);
	struct ike_sa *sa = my_sa();
	if (!sa)
		return;
	isakmp_buf_init(&b);
	isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_put_payload(&b, ISAKMP_NP_KE, my_pub, sizeof(my_pub));
	isakmp_put_payload(&b, ISAKMP_NP_NONCE, my_nonce, sizeof(my_nonce));
	if (sa->natt)
		put_natd(&b, sa, variant & 8);
	finish_and_send(&b, 0);
}

/*
 * A protected message: HDR*, HASH, then the given payload chain (first payload type first),
 * hashed and encrypted as the engine expects for msgid. hash3: the quick mode HASH(3) form.
 */
void protected(struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t first,
                      const uint8_t *chain, size_t len, int hash3)
{
	uint8_t h[64], iv[16];
	if (!sa || !sa->k.prf_len || len > 60000)
		return;
	struct ike_exch *x = exch == ISAKMP_EXCH_INFO ? NULL : ike_exch_find(sa, msgid);
	if (hash3) {
		if (!x || !x->qm)
			return;
		uint8_t zero = 0;
		struct iovec iov[4] = { { &zero, 1 }, { &msgid, 4 }, { x->qm->ni, x->qm->nilen },
		                        { x->qm->nr, x->qm->nrlen } };
		if (ike_prf(sa->hash, sa->k.skeyid_a, sa->k.prf_len, iov, 4, h) < 0)
			return;
	} else if (ikev1_hash_msg(sa, msgid, NULL, 0, chain, len, h) < 0) {
		return;
	}
	if (x)
		memcpy(iv, x->iv, sa->k.blocklen);
	else
		ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, iv);

	struct isakmp_buf b;
	isakmp_buf_init(&b);
	isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, exch, 0, msgid);
	isakmp_put_payload(&b, ISAKMP_NP_HASH, h, sa->k.prf_len);
	/* the chain as given: its first type goes in the HASH payload's next-payload byte */
	b.data[ISAKMP_HDR_LEN] = len ? first : 0;
	isakmp_buf_reserve(&b, len);
	if (!b.err && len) {
		memcpy(b.data + b.len, chain, len);
		b.len += len;
	}
	isakmp_finalize(&b);
	encrypt_in_place(sa, &b, iv);
	isakmp_finalize(&b);
	if (!b.err)
		input(b.data, b.len, sa->port4500);
	isakmp_buf_free(&b);
}

/* A payload chain built with isakmp_buf after a throw-away header. */
static void chain_begin(struct isakmp_buf *b)
{
	static const uint8_t z[8];
	isakmp_buf_init(b);
	isakmp_put_hdr(b, z, z, 0, 0, 0);
}

static void chain_send(struct ike_sa *sa, struct isakmp_buf *b, uint8_t exch, uint32_t msgid)
{
	if (!b->err)
		protected(sa, exch, msgid, b->data[16], b->data + ISAKMP_HDR_LEN,
		          b->len - ISAKMP_HDR_LEN, 0);
	isakmp_buf_free(b);
}

uint32_t hub_msgid(struct ike_sa *sa, int kind)
{
	for (int i = 0; i < IKE_MAX_EXCH; i++)
		if (sa->exch[i].kind == kind)
			return sa->exch[i].msgid;
	return 0;
}

void xauth_reply(void)
{
	struct ike_sa *sa = my_sa();
	uint32_t id;
	if (!sa || !(id = hub_msgid(sa, EXCH_XAUTH)))
		return;
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	isakmp_attrs_tv(&a, XAUTH_TYPE, 0);
	isakmp_attrs_tlv(&a, XAUTH_USER_NAME, "fuzzuser", 8);
	isakmp_attrs_tlv(&a, XAUTH_USER_PASSWORD, "pw", 2);
	struct isakmp_buf b;
	chain_begin(&b);
	isakmp_put_cfg(&b, ISAKMP_CFG_REPLY, 1, &a);
	chain_send(sa, &b, ISAKMP_EXCH_TRANSACTION, id);
	if (!(sa = my_sa()) || !(id = hub_msgid(sa, EXCH_XAUTH_SET)))
		return;
	isakmp_attrs_init(&a);
	isakmp_attrs_tv(&a, XAUTH_STATUS, 1);
	chain_begin(&b);
	isakmp_put_cfg(&b, ISAKMP_CFG_ACK, 2, &a);
	chain_send(sa, &b, ISAKMP_EXCH_TRANSACTION, id);
}

void mode_cfg(void)
{
	struct ike_sa *sa = my_sa();
	if (!sa)
		return;
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	isakmp_attrs_tlv(&a, CFG_INTERNAL_IP4_ADDRESS, NULL, 0);
	isakmp_attrs_tlv(&a, CFG_INTERNAL_IP4_NETMASK, NULL, 0);
	isakmp_attrs_tlv(&a, CFG_INTERNAL_IP4_DNS, NULL, 0);
	isakmp_attrs_tlv(&a, UNITY_BANNER, NULL, 0);
	isakmp_attrs_tlv(&a, UNITY_DEF_DOMAIN, NULL, 0);
	isakmp_attrs_tlv(&a, UNITY_SPLIT_INCLUDE, NULL, 0);
	isakmp_attrs_tlv(&a, UNITY_PFS, NULL, 0);
	isakmp_attrs_tlv(&a, CFG_APPLICATION_VERSION, "fuzz", 4);
	struct isakmp_buf b;
	chain_begin(&b);
	isakmp_put_cfg(&b, ISAKMP_CFG_REQUEST, 3, &a);
	chain_send(sa, &b, ISAKMP_EXCH_TRANSACTION, htonl(0x11110000u));
}

/* Quick mode message 1 with a transform from a table and identities from p (10 bytes). */
void qm1(uint32_t msgid, const uint8_t *p, size_t n)
{
	static const struct { uint8_t id; uint16_t auth, keylen; } tr[] = {
		{ ESP_ID_AES_CBC, IPSEC_AUTH_HMAC_SHA, 256 }, { ESP_ID_AES_GCM16, 0, 256 },
		{ ESP_ID_AES_CBC, IPSEC_AUTH_HMAC_SHA256, 128 }, { ESP_ID_3DES, IPSEC_AUTH_HMAC_MD5, 0 },
	};
	struct ike_sa *sa = my_sa();
	uint8_t v[10] = { 0 };
	if (!sa)
		return;
	memcpy(v, p, n < sizeof(v) ? n : sizeof(v));
	unsigned t = v[0] % (sizeof(tr) / sizeof(tr[0]));
	struct isakmp_attrs a;
	isakmp_attrs_init(&a);
	isakmp_attrs_tv(&a, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
	isakmp_attrs_tlv32(&a, IPSEC_ATTR_SA_LIFE_DURATION, v[1] & 1 ? 60 : 3600);
	isakmp_attrs_tv(&a, IPSEC_ATTR_ENCAP_MODE, v[1] & 2 ? IPSEC_ENCAP_UDP_TUNNEL : IPSEC_ENCAP_TUNNEL);
	if (tr[t].auth)
		isakmp_attrs_tv(&a, IPSEC_ATTR_AUTH_ALG, tr[t].auth);
	if (tr[t].keylen)
		isakmp_attrs_tv(&a, IPSEC_ATTR_KEY_LENGTH, tr[t].keylen);
	struct isakmp_buf b;
	chain_begin(&b);
	isakmp_build_sa_p2(&b, 1, 1, tr[t].id, htonl(0x5a000000u | v[2]), &a);
	isakmp_put_payload(&b, ISAKMP_NP_NONCE, my_nonce, sizeof(my_nonce));
	/* IDci: the Mode Config address, or a network from the input; IDcr: any, or a network */
	uint8_t idc[8], idr[8] = { 0 };
	memcpy(idc, sa->s.policy.addr.s_addr && !(v[1] & 4) ? (const uint8_t *)&sa->s.policy.addr : v + 2, 4);
	memcpy(idc + 4, "\xff\xff\xff\xff", 4);
	if (v[1] & 8)
		memcpy(idr, v + 6, 4);
	if (v[1] & 16)
		isakmp_put_id(&b, ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0, idc, 8);
	else
		isakmp_put_id(&b, ISAKMP_ID_IPV4_ADDR, 0, 0, idc, 4);
	isakmp_put_id(&b, v[1] & 32 ? ISAKMP_ID_IPV4_ADDR_RANGE : ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0,
	              idr, 8);
	chain_send(sa, &b, ISAKMP_EXCH_QUICK, msgid);
}

void qm3(uint32_t msgid)
{
	protected(my_sa(), ISAKMP_EXCH_QUICK, msgid, 0, NULL, 0, 1);
}
