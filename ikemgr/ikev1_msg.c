/*
 * Protected IKEv1 messages: CBC encryption with the per-exchange IV chain (RFC 2409 appendix B),
 * the HASH(1) payload of transaction/informational/quick exchanges, and sending.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

void ikev1_send_raw(struct ike_sa *sa, const uint8_t *pkt, size_t len)
{
	if (sa->hold_next) {
		sa->hold_next = 0;
		free(sa->held);
		sa->held = malloc(len);
		if (sa->held) {
			memcpy(sa->held, pkt, len);
			sa->held_len = len;
			return;
		}
	}
	ike.st.tx++;
	ike.st.tx_bytes += len;
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "(%u): sending packet, %zu bytes", sa->s.id, len);
	ike.io.send(&sa->s.local, &sa->s.peer, sa->port4500, pkt, len);
}

int ikev1_decrypt(struct ike_sa *sa, uint8_t *pkt, size_t len, uint8_t *iv, size_t *plen)
{
	size_t bl = sa->k.blocklen;
	if (len <= ISAKMP_HDR_LEN || (len - ISAKMP_HDR_LEN) % bl)
		return -1;
	uint8_t saved[16];
	memcpy(saved, iv, bl);
	if (ike_cbc(sa->encr, sa->keylen, sa->k.enc_key, iv, pkt + ISAKMP_HDR_LEN,
	            len - ISAKMP_HDR_LEN, 0) < 0) {
		memcpy(iv, saved, bl);
		return -1;
	}
	*plen = len;
	return 0;
}

int ikev1_hash_msg(struct ike_sa *sa, uint32_t msgid, const uint8_t *pre, size_t prelen,
                   const uint8_t *data, size_t len, uint8_t *out)
{
	struct iovec iov[3] = {
		{ &msgid, 4 },
		{ (void *)pre, prelen },
		{ (void *)data, len },
	};
	return ike_prf(sa->hash, sa->k.skeyid_a, sa->k.prf_len, iov, 3, out);
}

int ikev1_verify_hash(struct ike_sa *sa, const struct isakmp_msg *m, const uint8_t *pre,
                      size_t prelen)
{
	uint8_t h[64];
	if (m->npl < 1 || m->pl[0].type != ISAKMP_NP_HASH || m->pl[0].len != sa->k.prf_len)
		return -1;
	const uint8_t *start = m->pl[0].raw + 4 + m->pl[0].len;
	const struct isakmp_payload *last = &m->pl[m->npl - 1];
	const uint8_t *end = last->raw + 4 + last->len;
	if (ikev1_hash_msg(sa, m->hdr.msgid, pre, prelen, start, (size_t)(end - start), h) < 0)
		return -1;
	if (CRYPTO_memcmp(h, m->pl[0].body, sa->k.prf_len)) {
		ike.st.drop_hash++;
		return -1;
	}
	return 0;
}

/* Pad the payloads to the block size, encrypt them in place, and send. */
int ikev1_send_encrypted(struct ike_sa *sa, struct isakmp_buf *b, uint8_t *iv, int retransmit)
{
	size_t bl = sa->k.blocklen;
	size_t body = b->len - ISAKMP_HDR_LEN;
	size_t pad = (bl - body % bl) % bl;
	if (isakmp_buf_reserve(b, pad) < 0)
		return -1;
	memset(b->data + b->len, 0, pad);
	b->len += pad;
	struct isakmp_hdr *h = (struct isakmp_hdr *)b->data;
	h->flags |= ISAKMP_FLAG_E;
	h->len = htonl((uint32_t)b->len);
	if (ike_cbc(sa->encr, sa->keylen, sa->k.enc_key, iv, b->data + ISAKMP_HDR_LEN,
	            b->len - ISAKMP_HDR_LEN, 1) < 0)
		return -1;
	/* Responses (0) and requests (1) are kept to answer or repeat; one-shot notices (-1) not. */
	if (retransmit >= 0)
		ike_sa_remember_out(sa, b->data, b->len, retransmit);
	ikev1_send_raw(sa, b->data, b->len);
	return 0;
}

int ikev1_send_protected(struct ike_sa *sa, uint8_t exch_type, uint32_t msgid, uint8_t *iv,
                         const uint8_t *hash_pre, size_t hash_prelen,
                         int (*fill)(struct isakmp_buf *, void *), void *arg, int retransmit)
{
	struct isakmp_buf b;
	uint8_t zero[64] = { 0 };
	int rc = -1;

	isakmp_buf_init(&b);
	if (isakmp_put_hdr(&b, sa->cky_i, sa->cky_r, exch_type, 0, msgid) < 0)
		goto out;
	if (isakmp_put_payload(&b, ISAKMP_NP_HASH, zero, sa->k.prf_len) < 0)
		goto out;
	size_t hash_off = ISAKMP_HDR_LEN + 4;
	size_t rest = b.len;
	if (fill(&b, arg) < 0)
		goto out;
	if (ikev1_hash_msg(sa, msgid, hash_pre, hash_prelen, b.data + rest, b.len - rest,
	                   b.data + hash_off) < 0)
		goto out;
	rc = ikev1_send_encrypted(sa, &b, iv, retransmit);
out:
	isakmp_buf_free(&b);
	return rc;
}
