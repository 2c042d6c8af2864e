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
};
extern struct v2_client C;
int v2c_init(void);
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

#endif
