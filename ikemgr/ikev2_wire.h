/*
 * IKEv2 (RFC 7296) wire codec: the message header, the payload chain and each payload body.
 *
 * Parsing is bounds-checked and allocation-free, as isakmp.c's: parsed structures point into
 * the caller's buffer. The header and generic payload header have ISAKMP's layout, so building
 * reuses struct isakmp_buf (ikemgr/isakmp.h) and only the IKEv2 bodies are written here.
 *
 * Constant sources: RFC 7296 sections 3.x and the IANA "IKEv2 Parameters" registry, RFC 7383
 * (fragmentation), RFC 5685 (redirect), RFC 7427 (signature authentication).
 */
#ifndef VPND_IKEV2_WIRE_H
#define VPND_IKEV2_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "ikemgr/isakmp.h"

#define IKEV2_VERSION   0x20     /* major 2, minor 0 */

enum { IKEV2_EXCH_SA_INIT = 34, IKEV2_EXCH_AUTH = 35, IKEV2_EXCH_CREATE_CHILD = 36,
       IKEV2_EXCH_INFORMATIONAL = 37 };
#define IKEV2_FLAG_I 0x08        /* sent by the original initiator */
#define IKEV2_FLAG_V 0x10
#define IKEV2_FLAG_R 0x20        /* a response */
#define IKEV2_CRITICAL 0x80      /* generic payload header */

enum {
	IKEV2_NP_NONE = 0, IKEV2_NP_SA = 33, IKEV2_NP_KE = 34, IKEV2_NP_IDI = 35,
	IKEV2_NP_IDR = 36, IKEV2_NP_CERT = 37, IKEV2_NP_CERTREQ = 38, IKEV2_NP_AUTH = 39,
	IKEV2_NP_NONCE = 40, IKEV2_NP_N = 41, IKEV2_NP_D = 42, IKEV2_NP_V = 43,
	IKEV2_NP_TSI = 44, IKEV2_NP_TSR = 45, IKEV2_NP_SK = 46, IKEV2_NP_CP = 47,
	IKEV2_NP_EAP = 48, IKEV2_NP_SKF = 53,
};

/* transform types and the attribute a transform may carry */
enum { IKEV2_TR_ENCR = 1, IKEV2_TR_PRF = 2, IKEV2_TR_INTEG = 3, IKEV2_TR_DH = 4,
       IKEV2_TR_ESN = 5 };
#define IKEV2_ATTR_KEY_LENGTH 14
enum { IKEV2_PROTO_IKE = 1, IKEV2_PROTO_AH = 2, IKEV2_PROTO_ESP = 3 };

/* notify message types (errors below 16384, status above) */
enum {
	IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1, IKEV2_N_INVALID_IKE_SPI = 4,
	IKEV2_N_INVALID_MAJOR_VERSION = 5, IKEV2_N_INVALID_SYNTAX = 7,
	IKEV2_N_INVALID_MESSAGE_ID = 9, IKEV2_N_INVALID_SPI = 11,
	IKEV2_N_NO_PROPOSAL_CHOSEN = 14, IKEV2_N_INVALID_KE_PAYLOAD = 17,
	IKEV2_N_AUTHENTICATION_FAILED = 24, IKEV2_N_SINGLE_PAIR_REQUIRED = 34,
	IKEV2_N_NO_ADDITIONAL_SAS = 35, IKEV2_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKEV2_N_FAILED_CP_REQUIRED = 37, IKEV2_N_TS_UNACCEPTABLE = 38,
	IKEV2_N_INVALID_SELECTORS = 39, IKEV2_N_TEMPORARY_FAILURE = 43,
	IKEV2_N_CHILD_SA_NOT_FOUND = 44,
	IKEV2_N_INITIAL_CONTACT = 16384, IKEV2_N_SET_WINDOW_SIZE = 16385,
	IKEV2_N_ADDITIONAL_TS_POSSIBLE = 16386, IKEV2_N_IPCOMP_SUPPORTED = 16387,
	IKEV2_N_NAT_DETECTION_SOURCE_IP = 16388, IKEV2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKEV2_N_COOKIE = 16390, IKEV2_N_USE_TRANSPORT_MODE = 16391,
	IKEV2_N_REKEY_SA = 16393, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKEV2_N_NON_FIRST_FRAGMENTS_ALSO = 16395, IKEV2_N_MOBIKE_SUPPORTED = 16396,
	IKEV2_N_REDIRECT_SUPPORTED = 16406, IKEV2_N_REDIRECT = 16407,
	IKEV2_N_REDIRECTED_FROM = 16408, IKEV2_N_EAP_ONLY_AUTHENTICATION = 16417,
	IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, IKEV2_N_SIGNATURE_HASH_ALGORITHMS = 16431,
};

enum { IKEV2_ID_IPV4_ADDR = 1, IKEV2_ID_FQDN = 2, IKEV2_ID_RFC822_ADDR = 3,
       IKEV2_ID_IPV6_ADDR = 5, IKEV2_ID_DER_ASN1_DN = 9, IKEV2_ID_DER_ASN1_GN = 10,
       IKEV2_ID_KEY_ID = 11 };
enum { IKEV2_AUTH_RSA = 1, IKEV2_AUTH_PSK = 2, IKEV2_AUTH_DSS = 3, IKEV2_AUTH_ECDSA256 = 9,
       IKEV2_AUTH_ECDSA384 = 10, IKEV2_AUTH_ECDSA521 = 11, IKEV2_AUTH_DIGITAL_SIG = 14 };
enum { IKEV2_CERT_X509_SIG = 4 };       /* CERT and CERTREQ encoding (3.6) */
enum { IKEV2_CFG_REQUEST = 1, IKEV2_CFG_REPLY = 2, IKEV2_CFG_SET = 3, IKEV2_CFG_ACK = 4 };
enum { IKEV2_CP_INTERNAL_IP4_ADDRESS = 1, IKEV2_CP_INTERNAL_IP4_NETMASK = 2,
       IKEV2_CP_INTERNAL_IP4_DNS = 3, IKEV2_CP_INTERNAL_IP4_NBNS = 4,
       IKEV2_CP_INTERNAL_IP4_DHCP = 6, IKEV2_CP_APPLICATION_VERSION = 7,
       IKEV2_CP_INTERNAL_IP6_ADDRESS = 8, IKEV2_CP_INTERNAL_IP6_DNS = 10,
       IKEV2_CP_INTERNAL_IP4_SUBNET = 13, IKEV2_CP_SUPPORTED_ATTRIBUTES = 14,
       IKEV2_CP_INTERNAL_IP6_SUBNET = 15 };
enum { IKEV2_TS_IPV4_ADDR_RANGE = 7, IKEV2_TS_IPV6_ADDR_RANGE = 8 };

/* ---- parsing ---- */

struct ikev2_hdr {
	uint8_t  spi_i[8], spi_r[8];
	uint8_t  np, version, exch, flags;
	uint32_t msgid;           /* host order */
	uint32_t len;             /* host order */
};

/* Header of datagram p (len bytes, the non-ESP marker already taken off). -1 when shorter than
 * a header or when the length field disagrees with len. The version is not judged here. */
int ikev2_parse_hdr(const uint8_t *p, size_t len, struct ikev2_hdr *h);

#define IKEV2_MAX_PAYLOADS 32
struct ikev2_pl {
	uint8_t        type;
	uint8_t        critical;
	const uint8_t *body;      /* after the generic header */
	size_t         len;
	size_t         off;       /* of its generic header, from the start of the chain's buffer */
};
struct ikev2_chain {
	struct ikev2_pl pl[IKEV2_MAX_PAYLOADS];
	int             n;
	int             unknown_critical;   /* the first unknown type marked critical, else 0 */
};
/*
 * Walks a payload chain starting with type np at base + off, to base + end. An Encrypted
 * payload (SK or SKF) must be the last one: its body runs to the end and the type in its
 * header names the first inner payload, which is returned in *inner_np (0 when there is no
 * SK). Unknown payloads are kept (their type is not judged here) and the first critical one
 * noted. -1 on a length that does not fit, too many payloads, or trailing bytes.
 */
int ikev2_parse_chain(uint8_t np, const uint8_t *base, size_t off, size_t end,
                      struct ikev2_chain *c, uint8_t *inner_np);
/* The first payload of type t, or NULL. */
const struct ikev2_pl *ikev2_find(const struct ikev2_chain *c, uint8_t t);
/* A payload type this codec knows (RFC 7296 3.2's list plus SKF). */
int ikev2_known_type(uint8_t t);

#define IKEV2_MAX_PROPS   16
#define IKEV2_MAX_TRANS   32
struct ikev2_trans {
	uint8_t  type;
	uint16_t id;
	uint16_t keylen;          /* bits, 0 when the transform has no Key Length attribute */
};
struct ikev2_prop {
	uint8_t  num, proto, spi_size;
	uint8_t  spi[8];
	struct ikev2_trans tr[IKEV2_MAX_TRANS];
	int      ntr;
	int      bad_attr;        /* an attribute other than Key Length: the proposal cannot be taken */
};
struct ikev2_sa_pl {
	struct ikev2_prop prop[IKEV2_MAX_PROPS];
	int      n;
};
/* SA payload body. Proposals numbered 1, 2, ... in order (3.3.1), an SPI size of 0 (IKE SA in
 * IKE_SA_INIT), 4 (ESP, AH) or 8 (IKE SA rekey). -1 when malformed. */
int ikev2_parse_sa(const uint8_t *b, size_t len, struct ikev2_sa_pl *sa);

struct ikev2_ke { uint16_t group; const uint8_t *data; size_t len; };
int ikev2_parse_ke(const uint8_t *b, size_t len, struct ikev2_ke *ke);
/* Nonce: 16 to 256 bytes (2.10). */
int ikev2_parse_nonce(const uint8_t *b, size_t len);

struct ikev2_notify {
	uint8_t        proto, spi_size;
	uint16_t       type;
	const uint8_t *spi, *data;
	size_t         datalen;
};
int ikev2_parse_notify(const uint8_t *b, size_t len, struct ikev2_notify *n);

/* ID (IDi/IDr) and AUTH share a shape: a type octet, 3 reserved, the data. At least one byte
 * of data; addresses have their exact length. */
struct ikev2_typed { uint8_t type; const uint8_t *data; size_t len; };
int ikev2_parse_id(const uint8_t *b, size_t len, struct ikev2_typed *id);
int ikev2_parse_auth(const uint8_t *b, size_t len, struct ikev2_typed *auth);

#define IKEV2_MAX_CP_ATTRS 32
struct ikev2_cp {
	uint8_t  type;
	int      n;
	struct { uint16_t type; const uint8_t *val; size_t len; } a[IKEV2_MAX_CP_ATTRS];
};
int ikev2_parse_cp(const uint8_t *b, size_t len, struct ikev2_cp *cp);

#define IKEV2_MAX_TS 16
struct ikev2_ts {
	uint8_t  type, proto;
	uint16_t port_lo, port_hi;        /* host order */
	uint8_t  lo[16], hi[16];          /* 4 or 16 bytes used */
};
struct ikev2_tsl { struct ikev2_ts ts[IKEV2_MAX_TS]; int n; };
/* TSi/TSr: every selector of a known type, start <= end (addresses and ports). -1 when
 * malformed; unknown selector types make it fail too (3.13.1 allows no skipping). */
int ikev2_parse_ts(const uint8_t *b, size_t len, struct ikev2_tsl *t);

struct ikev2_delete {
	uint8_t        proto, spi_size;
	uint16_t       n;
	const uint8_t *spis;
};
int ikev2_parse_delete(const uint8_t *b, size_t len, struct ikev2_delete *d);

/* ---- building (into an isakmp_buf: the header and generic headers are ISAKMP's) ---- */

int ikev2_put_hdr(struct isakmp_buf *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
                  uint8_t exch, uint8_t flags, uint32_t msgid);
/* One proposal of one transform per type given (ids[i] == 0: none of that type); keylen_bits
 * goes on the encryption transform when non-zero. */
int ikev2_put_sa1(struct isakmp_buf *b, uint8_t num, uint8_t proto, const uint8_t *spi,
                  size_t spi_size, const struct ikev2_trans *tr, int ntr);
int ikev2_put_ke(struct isakmp_buf *b, uint16_t group, const uint8_t *pub, size_t len);
int ikev2_put_notify(struct isakmp_buf *b, uint8_t proto, const uint8_t *spi, size_t spi_size,
                     uint16_t type, const uint8_t *data, size_t len);
/* ID, AUTH, CP header: a type octet and three reserved before data. */
int ikev2_put_cert(struct isakmp_buf *b, const uint8_t *der, size_t len);
int ikev2_put_typed(struct isakmp_buf *b, uint8_t np, uint8_t type, const uint8_t *data,
                    size_t len);
/* CP attributes follow the typed header: build the body with ikev2_cp_attr into a flat buffer
 * (returns the new length, or -1 when it does not fit). */
long ikev2_cp_attr(uint8_t *body, size_t len, size_t cap, uint16_t type, const void *val,
                   size_t vlen);
int ikev2_put_ts(struct isakmp_buf *b, uint8_t np, const struct ikev2_ts *ts, int n);
int ikev2_put_delete(struct isakmp_buf *b, uint8_t proto, uint8_t spi_size, int n,
                     const uint8_t *spis);

#endif
