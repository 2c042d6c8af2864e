/* fuzz_ikev1.c's client (ikev1_client.c) and what it needs from the harness. */
#ifndef VPND_FUZZ_IKEV1_CLIENT_H
#define VPND_FUZZ_IKEV1_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct ike_sa;

/* harness: one datagram from the client into the engine, then keymgr/tunmgr answered */
void input(const uint8_t *pkt, size_t len, int port4500);
extern struct sockaddr_in peer, local;

/* client: the group-2 public value is set by the harness from a fixed private key */
extern uint8_t my_pub[128];
struct ike_sa *my_sa(void);     /* the SA of the client's cookie, NULL when gone */
/* variant bits: 1 PSK without XAUTH, 2 DPD, 4 NAT-T, 8 "behind NAT", 16 INITIAL-CONTACT,
 * 32 encrypt aggressive mode message 3 */
void aggr1(uint8_t variant);
void main13(uint8_t variant);
void p1_final(uint8_t exch, uint8_t variant);
void xauth_reply(void);
void mode_cfg(void);
/* HDR*, HASH(1), then CHAIN (first payload type FIRST) for msgid; hash3: quick mode HASH(3) */
void protected(struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t first,
               const uint8_t *chain, size_t len, int hash3);
uint32_t hub_msgid(struct ike_sa *sa, int kind);    /* the hub's open exchange of a kind */
/* quick mode 1 with a transform and identities from P; qm3 sends its HASH(3) */
void qm1(uint32_t msgid, const uint8_t *p, size_t n);
void qm3(uint32_t msgid);

#endif
