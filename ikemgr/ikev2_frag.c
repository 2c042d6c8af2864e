/*
 * IKE fragmentation (RFC 7383), used on an SA when both sides announced it in IKE_SA_INIT
 * (ikev2_init.c) and crypto ikev2 fragmentation is configured.
 *
 * Requests: each Encrypted Fragment payload is checked and decrypted when it arrives (2.6:
 * nothing unauthenticated is kept, so a forged fragment cannot take a genuine one's place or
 * restart the reassembly), its clear text kept by Fragment Number. One message at a time per
 * SA, bounded in fragments, bytes and time; the last missing fragment hands the joined chain
 * to ikev2_dispatch, the path a whole SK message's content takes.
 *
 * Responses: a sealed response larger than the MTU leaves (IP, UDP and the non-ESP marker
 * taken off, 2.5.1) is opened again with our own keys and sealed anew as fragments, each with
 * its IV, padding and ICV; they are kept together as the response retransmissions resend.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

#define SKF_HDR     8           /* generic header, Fragment Number, Total Fragments */
#define FRAG_FLOOR  64          /* clear text per fragment however small the MTU: below this
                                 * the overhead swamps the message and peers cap the count */
#define IPV4_UDP    (20 + 8)
#define IPV6_UDP    (40 + 8)
#define NON_ESP     4           /* the marker before an IKE message on port 4500 */

struct ikev2_frag_rx {
	uint32_t msgid;
	uint8_t  exch;
	uint8_t  np;                /* the first fragment's Next Payload: the inner first */
	uint16_t total;
	int      nhave;
	size_t   bytes;
	time_t   started;
	uint8_t *part[IKEV2_FRAG_MAX];
	size_t   partlen[IKEV2_FRAG_MAX];
};

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

void ikev2_frag_drop(struct ikev2_sa *sa)
{
	struct ikev2_frag_rx *r = sa->frx;
	if (!r)
		return;
	for (int i = 0; i < IKEV2_FRAG_MAX; i++)
		if (r->part[i]) {
			explicit_bzero(r->part[i], r->partlen[i]);
			free(r->part[i]);
		}
	explicit_bzero(r, sizeof(*r));
	free(r);
	sa->frx = NULL;
}

static void bad(const struct ikev2_sa *sa, const char *why)
{
	v2.drop_malformed++;
	v2.frag_drop++;
	log_rl("IKEv2: fragment from session %u dropped: %s", sa->s.id, why);
}

/* Fragment Number and Total Fragments, judged alone; -1 when they cannot be right. */
static int numbers(const struct ikev2_sa *sa, const struct ikev2_pl *skf, unsigned *num,
                   unsigned *total)
{
	if (skf->len < 4) {
		bad(sa, "shorter than its fragment numbers");
		return -1;
	}
	*num = get16(skf->body);
	*total = get16(skf->body + 2);
	if (*num == 0 || *total == 0 || *num > *total) {
		bad(sa, "fragment number 0 or beyond the total");
		return -1;
	}
	if (*total > IKEV2_FRAG_MAX) {
		bad(sa, "more fragments than put back together");
		return -1;
	}
	return 0;
}

/* Checks the fragment's ICV and decrypts it in a copy: the copy (to free) and its clear text
 * in it, or NULL (counted). */
static uint8_t *open_frag(const struct ikev2_sa *sa, const uint8_t *pkt, size_t len,
                          const struct ikev2_pl *skf, uint8_t **in, size_t *inlen)
{
	uint8_t *copy = malloc(len);
	if (!copy)
		return NULL;
	memcpy(copy, pkt, len);
	if (ikev2_skf_open(&sa->suite, V2_EK_IN(sa), V2_AK_IN(sa), copy, len, skf->off, in,
	                   inlen) < 0) {
		v2.drop_integrity++;
		v2.frag_drop++;
		log_rl("IKEv2: integrity check failed on a fragment of session %u, dropped",
		       sa->s.id);
		explicit_bzero(copy, len);
		free(copy);
		return NULL;
	}
	return copy;
}

void ikev2_frag_input(struct ikev2_sa *sa, const struct ikev2_hdr *h, const uint8_t *pkt,
                      size_t len, const struct ikev2_pl *skf)
{
	unsigned num, total;
	time_t now = time(NULL);
	struct ikev2_frag_rx *r = sa->frx;

	/* given up: too slow, or for a message ID the SA has left behind */
	if (r && (now - r->started >= IKEV2_FRAG_SECS || r->msgid != h->msgid)) {
		log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: reassembly of message %u given up "
		        "(%d of %u fragments)", sa->s.id, r->msgid, r->nhave, r->total);
		ikev2_frag_drop(sa);
		r = NULL;
	}
	if (numbers(sa, skf, &num, &total) < 0)
		return;
	if (r && total == r->total && r->part[num - 1]) {
		/* the peer's retransmission of a fragment we have: it was authentic already */
		v2.frag_dup++;
		return;
	}
	if (r && total < r->total) {
		/* 2.6: a smaller total belongs to an older fragmentation of the message */
		bad(sa, "fewer total fragments than the message's others");
		return;
	}
	uint8_t *in, *copy;
	size_t inlen;
	if (!(copy = open_frag(sa, pkt, len, skf, &in, &inlen)))
		return;
	sa->last_rx = now;
	if (r && total > r->total) {
		/* 2.6: the peer cut the message again, smaller (its PMTU discovery): start over */
		ikev2_frag_drop(sa);
		r = NULL;
	}
	if (r && h->exch != r->exch) {
		bad(sa, "exchange type differs from the message's other fragments");
		goto out;
	}
	if (!r) {
		if (!(r = sa->frx = calloc(1, sizeof(*r))))
			goto out;
		r->msgid = h->msgid;
		r->exch = h->exch;
		r->total = (uint16_t)total;
		r->started = now;
	}
	if (inlen > IKEV2_FRAG_BYTES - r->bytes) {
		bad(sa, "the message grows past its bound");
		ikev2_frag_drop(sa);
		goto out;
	}
	if (!(r->part[num - 1] = malloc(inlen ? inlen : 1)))
		goto out;
	memcpy(r->part[num - 1], in, inlen);
	r->partlen[num - 1] = inlen;
	r->bytes += inlen;
	if (num == 1)
		r->np = pkt[skf->off];     /* its generic header's Next Payload */
	r->nhave++;
	v2.frag_rx++;
	if (r->nhave < (int)r->total)
		goto out;

	/* complete: joined in order, the state gone before the request is acted on (it may end
	 * the SA) */
	uint8_t *all = malloc(r->bytes ? r->bytes : 1);
	size_t n = 0;
	uint8_t np = r->np;
	int count = r->nhave;
	if (all)
		for (unsigned i = 0; i < r->total; i++) {
			memcpy(all + n, r->part[i], r->partlen[i]);
			n += r->partlen[i];
		}
	ikev2_frag_drop(sa);
	if (all) {
		v2.frag_reassembled++;
		log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: message %u reassembled from %d "
		        "fragments (%zu bytes)", sa->s.id, h->msgid, count, n);
		ikev2_dispatch(sa, h, np, all, n);
		explicit_bzero(all, n);
		free(all);
	}
out:
	explicit_bzero(copy, len);
	free(copy);
}

void ikev2_frag_retransmit(struct ikev2_sa *sa, const uint8_t *pkt, size_t len)
{
	struct ikev2_chain c;
	uint8_t np, *in, *copy;
	size_t inlen;
	unsigned num, total;
	if (!sa->frag || ikev2_parse_chain(IKEV2_NP_SKF, pkt, ISAKMP_HDR_LEN, len, &c, &np) < 0 ||
	    c.n != 1) {
		bad(sa, "malformed");
		return;
	}
	if (numbers(sa, &c.pl[0], &num, &total) < 0)
		return;
	if (num != 1) {
		/* the whole request comes again: one answer for all its fragments */
		v2.frag_dup++;
		return;
	}
	/* authentic first, so a forged fragment cannot make us send */
	if (!(copy = open_frag(sa, pkt, len, &c.pl[0], &in, &inlen)))
		return;
	explicit_bzero(copy, len);
	free(copy);
	ikev2_resend_response(sa);
}

size_t ikev2_frag_limit(const struct ikev2_sa *sa)
{
	const struct vpnd_conf *cf = ike.conf;
	size_t mtu = cf && cf->v2.frag_mtu ? (size_t)cf->v2.frag_mtu : 576;
	size_t hdr = (sa46_is6(&sa->s.peer) ? IPV6_UDP : IPV4_UDP) + (sa->port4500 ? NON_ESP : 0);
	return mtu > hdr ? mtu - hdr : 0;
}

int ikev2_frag_send_response(struct ikev2_sa *sa, const uint8_t *pkt, size_t len)
{
	struct ikev2_hdr h;
	struct ikev2_chain c;
	uint8_t np, *in;
	size_t inlen;
	const struct ikev2_suite *s = &sa->suite;
	if (ikev2_parse_hdr(pkt, len, &h) < 0 ||
	    ikev2_parse_chain(h.np, pkt, ISAKMP_HDR_LEN, len, &c, &np) < 0 || c.n != 1 ||
	    c.pl[0].type != IKEV2_NP_SK)
		return -1;
	uint8_t *copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, pkt, len);
	if (ikev2_sk_open(s, V2_EK_OUT(sa), V2_AK_OUT(sa), copy, len, c.pl[0].off, &in, &inlen) < 0) {
		free(copy);
		return -1;
	}
	/* clear text per fragment: what the limit leaves after the headers, IV and ICV, less the
	 * Pad Length octet, aligned to the cipher's block */
	size_t over = ISAKMP_HDR_LEN + SKF_HDR + s->iv + s->icv, lim = ikev2_frag_limit(sa);
	size_t chunk = lim > over + s->block ? (lim - over) / s->block * s->block - 1 : 0;
	if (chunk < FRAG_FLOOR)
		chunk = FRAG_FLOOR;
	size_t nfrag = inlen ? (inlen + chunk - 1) / chunk : 1;
	size_t fcap = over + chunk + s->block + 1, cap = nfrag * fcap;
	uint8_t *out = nfrag <= 0xffff ? calloc(1, cap) : NULL;
	size_t off = 0;
	int rc = out ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nfrag; i++) {
		uint8_t *f = out + off;
		size_t part = i + 1 < nfrag ? chunk : inlen - i * chunk;
		memcpy(f, pkt, ISAKMP_HDR_LEN);
		f[16] = IKEV2_NP_SKF;
		f[ISAKMP_HDR_LEN] = i == 0 ? np : 0;   /* 2.5: the inner first type, in the first */
		f[ISAKMP_HDR_LEN + 4] = (uint8_t)((i + 1) >> 8);
		f[ISAKMP_HDR_LEN + 5] = (uint8_t)(i + 1);
		f[ISAKMP_HDR_LEN + 6] = (uint8_t)(nfrag >> 8);
		f[ISAKMP_HDR_LEN + 7] = (uint8_t)nfrag;
		memcpy(f + ISAKMP_HDR_LEN + SKF_HDR + s->iv, in + i * chunk, part);
		long n = ikev2_skf_seal(s, V2_EK_OUT(sa), V2_AK_OUT(sa), f, cap - off, ISAKMP_HDR_LEN, part);
		if (n < 0)
			rc = -1;
		else
			off += (size_t)n;
	}
	explicit_bzero(copy, len);
	free(copy);
	if (rc < 0) {
		free(out);
		return -1;
	}
	free(sa->last_resp);
	sa->last_resp = out;
	sa->last_resp_len = off;
	sa->last_resp_frags = (int)nfrag;
	sa->last_resp_msgid = h.msgid;
	v2.frag_tx += nfrag;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: response %u (%zu bytes) sent in %zu fragments "
	        "of at most %zu bytes", sa->s.id, h.msgid, len, nfrag, over + chunk + 1);
	ikev2_resend_response(sa);
	return 0;
}
