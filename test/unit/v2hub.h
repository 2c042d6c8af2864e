/*
 * The peer's side of the hub's own requests (v2hub.c), over the minimal initiator v2peer.c:
 * the hub under test (an ipsec profile of esp-aes 256 esp-sha256-hmac with PFS in group 19,
 * the client at 192.168.50.10 with 10.2.1.0/24 behind the hub), one session up, what went to
 * tunmgr, and the hub's requests read and answered.
 */
#ifndef VPND_V2HUB_H
#define VPND_V2HUB_H

#include <stdint.h>

#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "test/unit/v2peer.h"

/* what went to tunmgr, in order */
struct tunmsg {
	uint32_t type, id;
	union {
		struct msg_sa_add add;
		struct msg_sa_del del;
		struct msg_va_create va;
	} u;
};
int count_tun(uint32_t type);
const struct tunmsg *last_tun(uint32_t type);

/* The suite's .init: the hub started, nothing sent to tunmgr yet. */
void v2hub_setup(void);

extern uint32_t sid;                    /* the session establish() made */
extern uint32_t x_in, x_out;            /* its first CHILD_SA: the hub's inbound, outbound */
extern const uint8_t client[4];         /* the client's address */
extern const uint8_t nr1[32];           /* the peer's nonce in its rekey answers */

/* IKE_SA_INIT, IKE_AUTH, keymgr's AUTH, the authorization, the interface, the SA: up. */
struct ikev2_sa *establish(void);
int children(const struct ikev2_sa *sa);
struct ike_child *child_of(struct ikev2_sa *sa, uint32_t spi_in);
/* tunmgr's soft-lifetime report of the SA spi_in */
void soft_expire(uint32_t spi_in);

/* Payloads are put after a dummy header; the chain is what follows it. */
void pl_start(struct isakmp_buf *b);
/* A message from the peer on SA spi_i/spi_r: SK around pl's payloads (NULL: empty; freed),
 * sealed with ek/ak under the peer's suite. */
void from_peer(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
               const uint8_t *ak, uint8_t exch, uint8_t flags, uint32_t msgid,
               struct isakmp_buf *pl);
/* The hub's last datagram on SA spi_i/spi_r, opened with ek/ak: its header, its inner chain
 * (valid until the next call). */
void open_sent(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
               const uint8_t *ak, struct ikev2_hdr *h, struct ikev2_chain *c);
/* The peer's DH in group 19, from a fixed private value: its public value in pub */
struct ike_dh *peer_dh(uint8_t pub[64]);

/* The hub's CHILD_SA rekey request, as the peer reads it (the IKE SA's keys k, the hub its
 * initiator when hub_init): checked against what the hub must offer; its SPI, nonce and KE
 * kept. */
struct child_req {
	uint32_t msgid, spi;
	uint8_t ni[256], ke[64];
	size_t nilen;
};
void read_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ikev2_keys *k,
                      int hub_init, uint32_t old_in, struct child_req *q);
/* The peer's answer to it: SA (AES-CBC of encr_bits, its SPI spi), Nr, KEr, TSi, TSr (the
 * address tsr_addr); g^ir into shared. */
void answer_child_rekey(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ikev2_keys *k,
                        int hub_init, const struct child_req *q, uint16_t encr_bits,
                        uint32_t spi, const uint8_t *nr, const uint8_t tsr_addr[4],
                        uint8_t *shared, size_t *sl);
/* The keys tunmgr got for the rekeyed SA are KEYMAT's halves, the hub's outbound first. */
void check_keymat(const struct msg_sa_add *a, const uint8_t *sk_d, const struct child_req *q,
                  const uint8_t *nr, const uint8_t *shared, size_t sl);
/* The hub's INFORMATIONAL request with one Delete (proto, and for ESP one SPI): its ID. */
uint32_t read_delete(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *ek,
                     const uint8_t *ak, uint8_t flags, uint8_t proto, const void *spi);

/* The peer's CHILD_SA rekey of the first SA (REKEY_SA names its inbound, x_out), request
 * msgid; the hub's answer to it: its first notify's type (0: none), whether it has an SA. */
void peer_child_rekey(uint32_t msgid);
uint16_t answer_notify(uint32_t msgid, int *has_sa);
/* The peer rekeys the IKE SA with request msgid: the SA holding the session then. */
struct ikev2_sa *peer_ike_rekey(uint32_t msgid);

#endif
