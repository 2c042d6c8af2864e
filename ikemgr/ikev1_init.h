/*
 * IKEv1 initiator, Easy VPN client side: aggressive mode with a group key and XAUTH
 * (RFC 2409 5.4, draft-ietf-ipsec-isakmp-xauth-06), Mode Config pull
 * (draft-dukes-ike-mode-cfg-02), quick mode (RFC 2409 5.5), DELETE and DPD answers.
 *
 * Pure functions over caller-owned state: no I/O, no timers, no globals, so the load generator
 * (bench/vpnload) and an in-ikemgr initiator (Easy VPN remote) drive the same code from their
 * own event loops. Every builder writes one whole datagram (without the NAT-T non-ESP marker)
 * into an isakmp_buf the caller initialised; every parser takes the datagram as received and
 * may decrypt it in place. Functions return 0 or a negative enum ikei_err.
 */
#ifndef VPND_IKEV1_INIT_H
#define VPND_IKEV1_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "common/ike_crypto.h"
#include "ikemgr/isakmp.h"

struct ike_dh;

#define IKEI_PUB_MAX   512        /* MODP 4096 (group 16) */
#define IKEI_NONCE_MAX 256
#define IKEI_SA_MAX    1024       /* our SA payload body (up to IKEI_OFFER_MAX transforms) */
#define IKEI_ID_MAX    128
#define IKEI_OFFER_MAX 16         /* transforms offered in phase 1, proposals in quick mode */

enum ikei_err {
	IKEI_E_MALFORMED = -1,    /* unparsable, or a payload missing or of the wrong size */
	IKEI_E_HASH      = -2,    /* HASH_R / HASH(n) does not verify (wrong group key?) */
	IKEI_E_PROPOSAL  = -3,    /* the responder chose something we did not offer */
	IKEI_E_NOTIFY    = -4,    /* a notification instead of the answer: see *notify */
	IKEI_E_DH        = -5,    /* bad peer public value or a crypto failure */
	IKEI_E_XAUTH     = -6,    /* XAUTH status FAIL */
	IKEI_E_STATE     = -7,    /* a valid message, not the one expected here */
	IKEI_E_BUILD     = -8,    /* out of memory building a message */
};
const char *ikei_strerror(int err);

/* One phase 1 transform (RFC 2409 wire values; keylen in bits, AES only). */
struct ikei_p1_trans {
	int encr, keylen, hash;
};
/* What phase 1 offers: XAUTHInitPreShared, one group (aggressive mode carries one KE). */
struct ikei_p1_params {
	int         encr, keylen, hash, group;  /* IKE_ENCR_*, bits (AES), IKE_HASH_*, DH group */
	int         ntrans;                     /* > 0: offer trans[] instead of encr/keylen/hash */
	struct ikei_p1_trans trans[IKEI_OFFER_MAX];
	uint32_t    lifetime;                   /* seconds, 0: none offered */
	const char *group_name;                 /* sent as ID KEY_ID */
	int         natt;                       /* offer NAT-T (RFC 3947 and draft VIDs) */
	int         fake_natd;                  /* claim a NAT (wrong NAT-D of our own address) */
	uint32_t    cky_tag;                    /* non-zero: the first 4 bytes of CKY-I, so that a
	                                         * caller with many SAs finds one by cookie */	int         auth;                       /* IKE_AUTHM_*, 0: pre-shared key (main mode) */
};

/* The ISAKMP SA as the initiator sees it. Plain data: copy or free as a whole. */
struct ikei_sa {
	uint8_t  cky_i[8], cky_r[8];
	int      encr, keylen, hash, group;
	uint8_t  gxi[IKEI_PUB_MAX], gxr[IKEI_PUB_MAX];
	size_t   gxlen;
	uint8_t  ni[32], nr[IKEI_NONCE_MAX];
	size_t   nilen, nrlen;
	uint8_t  sai_b[IKEI_SA_MAX];
	size_t   sai_len;
	uint8_t  idii_b[IKEI_ID_MAX];
	size_t   idii_len;
	uint8_t  skeyid[64];
	struct ike_p1keys k;
	uint8_t  iv[16];           /* phase 1 CBC chain; after message 3 the base of phase 2 IVs */
	int      peer_natt;        /* responder's NAT-T VID: 0 none, 1 RFC 3947, 2 draft */
	int      nat_detected;     /* NAT-D says so: move to port 4500, UDP-encapsulated ESP */
	int      fake_natd;
	struct ikei_p1_trans offer[IKEI_OFFER_MAX];   /* what message 1 offered */
	int      noffer;
	uint8_t  idr_b[IKEI_ID_MAX];        /* message 2's IDir and HASH_R, checked once keyed */
	size_t   idr_len;
	uint8_t  hash_r[64];
	int      auth;             /* main mode: IKE_AUTHM_PSK or _RSA (ikev1_init_sig.h) */
	int      renewal;          /* main mode 5 without INITIAL-CONTACT: the SAs of the ISAKMP
	                            * SA it replaces stay (RFC 2407 4.6.3.3) */
};

/* One protected exchange (transaction, quick mode, informational): its M-ID and IV chain. */
struct ikei_x {
	uint32_t msgid;            /* network order */
	uint8_t  iv[16];
};

/*
 * Aggressive mode message 1: SA, KE, Ni, ID(KEY_ID group), VIDs XAUTH, Unity, DPD [, NAT-T].
 * dh is the caller's key pair (it may serve many SAs: the load generator reuses one).
 */
/* What both phase 1 modes do first: offers normalised (AES key length, hash known), the
 * first offer current, cookie, nonce and our DH public value made. */
int ikei_p1_start(struct ikei_sa *, const struct ikei_p1_params *, struct ike_dh *,
                  size_t publen);
/* The nonces and PRF of an SA into keymgr's SKEYID request */
struct msg_skeyid_req;
void ikei_skeyid_req(const struct ikei_sa *, struct msg_skeyid_req *);
int ikei_aggr1(struct ikei_sa *, const struct ikei_p1_params *, struct ike_dh *,
               struct isakmp_buf *out);
/*
 * Message 2: checks the chosen transform is ours, KE, Nr, IDir, derives the keys with the group
 * key psk and checks HASH_R. local/peer (network order) feed NAT-D. A cleartext notification
 * (NO-PROPOSAL-CHOSEN...) gives IKEI_E_NOTIFY with its type in *notify.
 */
int ikei_aggr2(struct ikei_sa *, struct ike_dh *, const uint8_t *psk, size_t psklen,
               const uint8_t *pkt, size_t len, const struct sockaddr_in *local,
               const struct sockaddr_in *peer, uint16_t *notify);
/*
 * The same in two steps, for a caller whose key lives elsewhere (ikemgr asks keymgr):
 * parse checks message 2 and keeps Nr, KE, IDir, HASH_R and NAT-D; keys derives the phase 1
 * keys from SKEYID and checks HASH_R.
 */
int ikei_aggr2_parse(struct ikei_sa *, const uint8_t *pkt, size_t len,
                     const struct sockaddr_in *local, const struct sockaddr_in *peer,
                     uint16_t *notify);
int ikei_aggr2_keys(struct ikei_sa *, struct ike_dh *, const uint8_t *skeyid, size_t len);
/* Message 3: HASH_I [, NAT-D, NAT-D], INITIAL-CONTACT, encrypted. */
int ikei_aggr3(struct ikei_sa *, const struct sockaddr_in *local, const struct sockaddr_in *peer,
               struct isakmp_buf *out);

/*
 * Main mode with a pre-shared key by address (ikev1_init_mm.c), as a static VTI dials: the
 * offer in p->trans[0..ntrans) with p->group (group_name unused); 1 builds SA and VIDs (key
 * pair and nonce chosen here), 2 checks the chosen transform and the NAT-T VID, 3 builds KE,
 * Ni and NAT-D, 4 keeps KE, Nr and NAT-D's verdict; then SKEYID (keymgr's, from the
 * destination's key) goes to ikei_mm_keys; 5 sends ID_IPV4_ADDR id and HASH_I, 6 checks
 * HASH_R and, if want_id is set, that the peer's ID is that address (IKEI_E_PROPOSAL if not).
 * A cleartext refusal gives IKEI_E_NOTIFY with *notify; a resent earlier message,
 * IKEI_E_STATE. 6 leaves the CBC chain unchanged unless it succeeds.
 */
int ikei_mm1(struct ikei_sa *, const struct ikei_p1_params *, struct ike_dh *,
             struct isakmp_buf *out);
int ikei_mm2(struct ikei_sa *, const uint8_t *pkt, size_t len, uint16_t *notify);
int ikei_mm3(const struct ikei_sa *, const struct sockaddr_in *local,
             const struct sockaddr_in *peer, struct isakmp_buf *out);
/* The same with a CERT_REQ payload body cr (rsa-sig, ikev1_init_mm_sig.c); none if NULL */
int ikei_mm3_cr(const struct ikei_sa *, const struct sockaddr_in *local,
                const struct sockaddr_in *peer, const uint8_t *cr, size_t cr_len,
                struct isakmp_buf *out);
int ikei_mm4(struct ikei_sa *, const uint8_t *pkt, size_t len, const struct sockaddr_in *local,
             const struct sockaddr_in *peer, uint16_t *notify);
int ikei_mm_keys(struct ikei_sa *, struct ike_dh *, const uint8_t *skeyid, size_t len);
int ikei_mm5(struct ikei_sa *, struct in_addr id, struct isakmp_buf *out);
int ikei_mm6(struct ikei_sa *, uint8_t *pkt, size_t len, struct in_addr want_id,
             uint16_t *notify);
/* Pads and encrypts a message after its header with the phase 1 key, chaining iv. */
int ikei_seal(const struct ikei_sa *, struct isakmp_buf *, uint8_t *iv);

/* The M-ID of a datagram (network order) and its exchange type; -1 if not ISAKMP. */
int ikei_peek(const uint8_t *pkt, size_t len, uint32_t *msgid, uint8_t *exch);
/* A new exchange's IV (M-ID in network order; 0 picks a random one). */
void ikei_x_init(const struct ikei_sa *, struct ikei_x *, uint32_t msgid);
/*
 * Decrypts a protected message of exchange x in place, parses it and checks HASH(1)
 * (prf(SKEYID_a, M-ID | pre | payloads after HASH)). m points into pkt.
 */
int ikei_open(const struct ikei_sa *, struct ikei_x *, uint8_t *pkt, size_t len,
              const uint8_t *pre, size_t prelen, struct isakmp_msg *m);
/* A protected message of our own: ikei_begin (header, room for HASH(1)), the payloads with
 * isakmp_put_*, then ikei_protect (HASH(1) over M-ID | pre | payloads, padding, encryption). */
int ikei_begin(const struct ikei_sa *, struct isakmp_buf *, uint8_t exch, uint32_t msgid);
int ikei_protect(const struct ikei_sa *, struct ikei_x *, struct isakmp_buf *,
                 const uint8_t *pre, size_t prelen);

/*
 * The hub's transaction message (XAUTH REQUEST or SET, Mode Config REPLY) in m, answered:
 * REQUEST gets REPLY with user and password, SET gets ACK. *done is 1 after a SET with
 * status OK (IKEI_E_XAUTH on FAIL), 0 after a REQUEST.
 */
int ikei_xauth_answer(const struct ikei_sa *, struct ikei_x *, const struct isakmp_msg *m,
                      const char *user, const char *password, struct isakmp_buf *out, int *done);
/* Mode Config REQUEST for address and netmask (x from ikei_x_init(.., 0)). */
int ikei_cfg_request(const struct ikei_sa *, struct ikei_x *, struct isakmp_buf *out);
/* The REPLY's INTERNAL_IP4_ADDRESS. */
int ikei_cfg_reply(const struct isakmp_msg *m, struct in_addr *addr);
/* Mode Config as an Easy VPN remote asks it: address, netmask, DNS, domain, split include,
 * save-password, PFS, banner; and what the REPLY gave. */
#define IKEI_SPLIT_MAX 8
struct ikei_cfg {
	struct in_addr addr, mask, dns[2];
	int      ndns;
	struct { struct in_addr net, mask; } split[IKEI_SPLIT_MAX];
	int      nsplit;
	int      split_dropped;         /* entries past IKEI_SPLIT_MAX or malformed */
	int      save_password, pfs;
	char     domain[64];
	struct in_addr backup[10];      /* Unity BACKUP_SERVERS: dotted quads (names are skipped) */
	int      nbackup;
};
int ikei_cfg_request_full(const struct ikei_sa *, struct ikei_x *, struct isakmp_buf *out);
int ikei_cfg_reply_full(const struct isakmp_msg *m, struct ikei_cfg *out);

/* Quick mode for our address (IDci /32) to anything (IDcr 0.0.0.0/0). */
struct ikei_qm {
	struct ikei_x x;
	int      encr, keylen, auth;      /* ESP_ENCR_*, bits, ESP_AUTH_* (common/conf.h) */
	int      nprop;                   /* > 0: offer prop[] as proposals 1..n, one transform
	                                   * each, and encr/keylen/auth become the chosen one */
	struct ikei_p2_prop { int encr, keylen, auth; } prop[IKEI_OFFER_MAX];
	struct in_addr idci_mask;         /* non-zero: IDci is the subnet addr/idci_mask */
	int      udp;                     /* UDP-encapsulated tunnel mode */
	uint32_t life;                    /* seconds offered */
	uint32_t spi_in, spi_out;         /* network order: ours, the responder's */
	uint8_t  ni[32], nr[IKEI_NONCE_MAX];
	size_t   nilen, nrlen;
	int      idci_any;                /* IDci 0.0.0.0/0, as an IOS static VTI proposes */
	/* PFS: pfs_group and pfs_dh (the caller's key pair, freed by the caller after
	 * ikei_keymat) set before ikei_qm1, which sends KE; ikei_qm2 keeps the peer's */
	int      pfs_group;
	struct ike_dh *pfs_dh;
	uint8_t  gxr[IKEI_PUB_MAX];
	size_t   gxlen;
};
struct ikei_keys {
	uint8_t enc_in[36], auth_in[64], enc_out[36], auth_out[64];
	size_t  enc_len, auth_len;
};
/* Message 1 (qm's encr/keylen/auth/udp/life set by the caller; M-ID and, unless the caller
 * set spi_in, our SPI chosen here). */
int ikei_qm1(const struct ikei_sa *, struct ikei_qm *, struct in_addr addr,
             struct isakmp_buf *out);
/* Message 2: HASH(2), the chosen transform is ours, the responder's SPI and nonce. A refusal
 * comes as an informational message instead: see ikei_info. */
int ikei_qm2(const struct ikei_sa *, struct ikei_qm *, uint8_t *pkt, size_t len);
/* Message 3: HASH(3). */
int ikei_qm3(const struct ikei_sa *, struct ikei_qm *, struct isakmp_buf *out);
/* Wire values of an ESP cipher (ESP_ID_*, -1 unknown) and integrity (IPSEC_AUTH_*, 0 none). */
int ikei_esp_id(int encr);
int ikei_auth_alg(int auth);
/*
 * Quick mode the hub starts (its rekey), answered (ikev1_init_qr.c). qr1 opens message 1,
 * takes the first proposal whose transform is in accept[], whose identities (if any) name
 * ours (ours/idci_mask as in ikei_qm1; with idci_any, both must be 0.0.0.0/0) on our side,
 * and without PFS unless the caller set pfs_group and pfs_dh (then a KE in that group is
 * required, ours goes back, gxr keeps the peer's); fills q (ni the hub's
 * nonce, nr ours, spi_in ours, spi_out the hub's) and builds message 2 into out. qr3 checks
 * message 3's HASH(3); KEYMAT then comes from ikei_keymat as for our own quick modes.
 */
int ikei_qr1(const struct ikei_sa *, struct ikei_qm *q, const struct ikei_p2_prop *accept,
             int naccept, struct in_addr ours, uint8_t *pkt, size_t len, struct isakmp_buf *out);
int ikei_qr3(const struct ikei_sa *, struct ikei_qm *q, uint8_t *pkt, size_t len);
/* KEYMAT (RFC 2409 5.5) for both ESP SAs; in is the SA of our SPI. */
int ikei_keymat(const struct ikei_sa *, const struct ikei_qm *, struct ikei_keys *);

/* Informational DELETE of the ESP SA (our SPI, as IOS and vpnc name it), then the ISAKMP SA. */
int ikei_delete(const struct ikei_sa *, const uint32_t *spi_in, int nspi, struct isakmp_buf *out);
/* DPD R-U-THERE with sequence number seq (RFC 3706). */
int ikei_dpd(const struct ikei_sa *, uint32_t seq, struct isakmp_buf *out);
/* Informational DELETE of one ESP SA (our SPI) alone: the old pair after a rekey. */
int ikei_delete_esp(const struct ikei_sa *, uint32_t spi_in, struct isakmp_buf *out);
/*
 * An informational message from the hub: decrypted and checked. An R-U-THERE is answered in
 * out (*answered = 1); *notify gets a notification's type, *deleted is 1 if it deletes the
 * ISAKMP SA.
 */
int ikei_info(const struct ikei_sa *, uint8_t *pkt, size_t len, struct isakmp_buf *out,
              int *answered, uint16_t *notify, int *deleted);

#endif
