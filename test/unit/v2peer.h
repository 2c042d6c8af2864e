/*
 * A minimal IKEv2 initiator for the responder's unit tests (ikev2_input driven in process):
 * IKE_SA_INIT with group 19, AES-GCM-256 and PRF HMAC-SHA-384, the keys derived on its side
 * too, requests sealed with them, and an IKE_AUTH payload chain that goes as far as keymgr.
 */
#ifndef VPND_V2PEER_H
#define VPND_V2PEER_H

#include "common/ikev2_crypto.h"
#include "ikemgr/isakmp.h"

struct v2peer {
	uint8_t spi_i[8], spi_r[8], ni[32];
	struct ikev2_suite s;
	struct ikev2_keys k;
	struct ike_dh *dh;
	union sa46 peer, local;         /* 192.0.2.7:500 -> the hub's 192.0.2.1:500 */
	uint8_t sent[4096];             /* the hub's last datagram (v2peer_io_send) */
	size_t  sent_len;
	int     nsent;
};
extern struct v2peer v2p;

/* The hub under test: cfg loaded into conf, the engine started with io; and stopped. */
struct vpnd_conf;
struct ike_io;
void   v2peer_hub_start(struct vpnd_conf *conf, const char *cfg, size_t len,
                        const struct ike_io *io);
void   v2peer_hub_stop(void);
/* A datagram from the peer into ikev2_input, copied to its exact size (ASan sees overreads) */
void   v2peer_in(const uint8_t *p, size_t len);
/* ike_io callbacks: the hub's datagram kept in v2p.sent (counted in v2p.nsent); a message
 * dropped */
void   v2peer_io_send(const union sa46 *l, const union sa46 *p, int port4500,
                      const uint8_t *pkt, size_t len);
void   v2peer_io_none(uint32_t type, uint32_t id, const void *d, size_t l);

/* The IKE_SA_INIT request into b, with the notifies flags name. */
#define V2PEER_FRAG            1    /* IKEV2_FRAGMENTATION_SUPPORTED */
#define V2PEER_REDIR_SUPPORTED 2    /* REDIRECT_SUPPORTED */
#define V2PEER_REDIRECTED_FROM 4    /* REDIRECTED_FROM 192.0.2.99 */
void   v2peer_init_req(struct isakmp_buf *b, int flags);
/* The responder's IKE_SA_INIT answer: its SPI, and the keys derived. */
void   v2peer_init_res(const uint8_t *m, size_t len);
/* A request on the SA: header, SK, the chain (first payload type np), sealed into m. */
size_t v2peer_req(uint8_t *m, size_t cap, uint8_t exch, uint32_t msgid, uint8_t np,
                  const uint8_t *chain, size_t len);
/* IDi (client.example.com), AUTH (PSK), CP (an IPv4 address), SA (ESP), TSi, TSr into o;
 * the first payload is IDi */
size_t v2peer_auth_chain(uint8_t *o);

#endif
