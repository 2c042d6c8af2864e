/* fuzz_ikev2_engine.c's IKEv2 initiator (ikev2_client.c) and what it needs from the harness. */
#ifndef VPND_FUZZ_IKEV2_CLIENT_H
#define VPND_FUZZ_IKEV2_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/ikev2_crypto.h"
#include "common/sa46.h"
#include "ikemgr/ikev2.h"

/* harness: one datagram into the engine (from peer, or from another address), then keymgr
 * and tunmgr answered; got_resp/resp: the engine's last answer on the client's SPIi */
void input(const uint8_t *pkt, size_t len, int port4500);
void input_from(const uint8_t *pkt, size_t len, const union sa46 *from, int port4500);
extern union sa46 peer;
extern int got_resp;
extern uint8_t resp[65536];
extern size_t resp_len;
extern const char KEY_I[], MY_ID[];

/* client: one IKE SA at a time, its DH from fixed private values (v2c_init) */
struct v2_client {
	int up;                         /* keys derived */
	int established;                /* a valid IKE_AUTH answer came */
	int g19;                        /* the suite: GCM/SHA-384/19, else CBC/SHA-256/14 */
	int frag;                       /* fragmentation announced by both (RFC 7383) */
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
	/* the hub started this IKE SA (its rekey, answered by us): its messages carry the I flag,
	 * ours not, and SK_er/SK_ar are our outbound keys */
	int hub_init;
	/* the SA the hub's IKE SA rekey replaced, until the hub's Delete of it is answered */
	struct v2c_prev {
		int up, hub_init;
		uint8_t spi_i[8], spi_r[8];
		struct ikev2_keys k;
	} prev;
	uint8_t hreq[4096];             /* the hub's last request on either SA, as sent */
	size_t hreq_len;
	uint32_t nanswers;              /* to the hub: our SPIs differ each time */
};
extern struct v2_client C;
/* Our keys and flags on an SA (C, or C.prev): the IKE SA's initiator's keys out, unless the
 * hub started it. */
#define V2C_EK_OUT(c) ((c)->hub_init ? (c)->k.er : (c)->k.ei)
#define V2C_AK_OUT(c) ((c)->hub_init ? (c)->k.ar : (c)->k.ai)
#define V2C_EK_IN(c)  ((c)->hub_init ? (c)->k.ei : (c)->k.er)
#define V2C_AK_IN(c)  ((c)->hub_init ? (c)->k.ai : (c)->k.ar)
#define V2C_FLAG_I(c) ((c)->hub_init ? 0 : IKEV2_FLAG_I)
int v2c_init(void);
/* Our public value in group (14, 19) into pub, and g^ir with the hub's; -1 for another group
 * or a value refused. */
int v2c_dh(int group, uint8_t *pub, size_t *publen, const uint8_t *hub, size_t hublen,
           uint8_t *shared, size_t *sl);
/* A message on SA spi_i/spi_r: header (flags), SK around inner (np its first payload type),
 * sealed with ek/ak under C's suite; mode 1: mut flips the clear text, 2: the sealed message */
void v2c_seal_send(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                   const uint8_t *ak, uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t np,
                   const uint8_t *inner, size_t len, const uint8_t *mut, size_t nmut, int mode,
                   const union sa46 *from);
/* IKE_SA_INIT (v: 1 group 19 else 14, 2 NAT detected, 4 fragmentation announced; mut: byte
 * flips or a cut, then no keys),
 * answering a COOKIE once; the keys derived from a real answer */
void sa_init(uint8_t v, const uint8_t *mut, size_t nmut);
/* exch/msgid, SK around inner (np its first payload type), sealed with C's keys; mode 1: mut
 * flips the clear text, 2: the sealed message */
void send_sk(uint8_t exch, uint32_t msgid, uint8_t np, const uint8_t *inner, size_t len,
             const uint8_t *mut, size_t nmut, int mode, const union sa46 *from);
/* The same as Encrypted Fragment payloads (RFC 7383), each sealed alone: how picks the number
 * of parts (1 + how % 4), their order (rotated by how >> 2 & 3, reversed with how & 0x10), one
 * sent twice (how & 0x20), a forged copy of one first (how & 0x40: its ICV broken), a wrong
 * Total Fragments on one (how & 0x80); mut flips bytes of the sealed fragments. */
void send_skf(uint8_t exch, uint32_t msgid, uint8_t np, const uint8_t *inner, size_t len,
              uint8_t how, const uint8_t *mut, size_t nmut);
void ike_auth(uint8_t v, const uint8_t *mut, size_t nmut, int mode);
/* A response fragment on our SA (header h): opened with our keys, appended to the message
 * being joined; 1 with the whole inner chain in *in (first type *np) once the last is there.
 * Aborts on a fragment the client did not negotiate, out of order, inconsistent, or that our
 * keys do not open. */
int v2c_open_frag(uint8_t *m, size_t len, const struct ikev2_hdr *h, uint8_t **in,
                  size_t *inlen, uint8_t *np);
/* IKE_AUTH sent with send_skf */
void ike_auth_frag(uint8_t v, uint8_t how, const uint8_t *mut, size_t nmut);
void info(uint8_t v);
void create_child(uint8_t v);

/* ikev2_hub_answer.c: the hub's last request (C.hreq) answered. v & 3: 0 as asked, 1 an error
 * notify, 2 the input's bytes as the payload chain (np its first type), 3 as asked with the
 * input's flips (in clear with v & 0x80, else after sealing); v >> 2 & 7 for 0 and 3: what
 * the answer gets wrong (nothing, another key length, selectors or SPI, no KE, a KE in another
 * group, an SPI of another size, two proposals, no nonce). An answer without a fault must be
 * taken: a CHILD_SA keyed with KEYMAT's halves as 2.17 has them, an IKE SA that the client
 * then uses (the hub its initiator); one with a fault must be refused. */
void answer_hub(uint8_t v, uint8_t np, const uint8_t *bytes, size_t n);
/* harness: the SAs handed to tunmgr (the last one, how many) */
extern struct msg_sa_add last_add;
extern unsigned n_add;

#endif
