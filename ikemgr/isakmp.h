/*
 * ISAKMP (RFC 2408) wire codec for IKEv1.
 *
 * Parsing is bounds-checked and allocation-free: parsed structures point into the caller's
 * buffer, so they are valid only while it is. Building uses a growable buffer (struct
 * isakmp_buf) whose errors are sticky: after a failure every later call fails too, so a caller
 * may check only the last one.
 *
 * Constant sources: RFC 2407 (IPsec DOI), 2408, 2409 appendix A, 3706 (DPD), 3947 (NAT-T),
 * draft-ietf-ipsec-isakmp-xauth-06, draft-dukes-ike-mode-cfg-02, and for the Cisco Unity
 * attributes the values vpnc, racoon and strongSwan agree on.
 */
#ifndef VPND_ISAKMP_H
#define VPND_ISAKMP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "common/sa46.h"

#define ISAKMP_HDR_LEN     28
#define ISAKMP_GEN_LEN     4        /* generic payload header */
#define ISAKMP_VERSION     0x10     /* major 1, minor 0 */
#define ISAKMP_MAX_MSG     65535

struct isakmp_hdr {
	uint8_t  cky_i[8];
	uint8_t  cky_r[8];
	uint8_t  next_payload;
	uint8_t  version;
	uint8_t  exch_type;
	uint8_t  flags;
	uint32_t msgid;          /* network order */
	uint32_t len;            /* network order */
} __attribute__((packed));

/* payload types (RFC 2408 3.1; NAT-D/NAT-OA RFC 3947, and the numbers the drafts used) */
enum {
	ISAKMP_NP_NONE = 0, ISAKMP_NP_SA = 1, ISAKMP_NP_P = 2, ISAKMP_NP_T = 3, ISAKMP_NP_KE = 4,
	ISAKMP_NP_ID = 5, ISAKMP_NP_CERT = 6, ISAKMP_NP_CR = 7, ISAKMP_NP_HASH = 8,
	ISAKMP_NP_SIG = 9, ISAKMP_NP_NONCE = 10, ISAKMP_NP_N = 11, ISAKMP_NP_D = 12,
	ISAKMP_NP_VID = 13, ISAKMP_NP_ATTR = 14, ISAKMP_NP_NATD = 20, ISAKMP_NP_NATOA = 21,
	ISAKMP_NP_NATD_DRAFT = 130, ISAKMP_NP_NATOA_DRAFT = 131,
};
/* exchange types */
enum { ISAKMP_EXCH_MAIN = 2, ISAKMP_EXCH_AGGR = 4, ISAKMP_EXCH_INFO = 5,
       ISAKMP_EXCH_TRANSACTION = 6, ISAKMP_EXCH_QUICK = 32 };
#define ISAKMP_FLAG_E 0x01
#define ISAKMP_FLAG_C 0x02
#define ISAKMP_FLAG_A 0x04

#define ISAKMP_DOI_IPSEC          1
#define ISAKMP_SIT_IDENTITY_ONLY  1

/* protocols and the IKE transform */
enum { ISAKMP_PROTO_ISAKMP = 1, ISAKMP_PROTO_IPSEC_AH = 2, ISAKMP_PROTO_IPSEC_ESP = 3,
       ISAKMP_PROTO_IPCOMP = 4 };
#define ISAKMP_KEY_IKE 1

/* phase 1 attribute classes (RFC 2409 appendix A) */
enum { IKE_ATTR_ENCR = 1, IKE_ATTR_HASH = 2, IKE_ATTR_AUTH = 3, IKE_ATTR_GROUP = 4,
       IKE_ATTR_LIFE_TYPE = 11, IKE_ATTR_LIFE_DURATION = 12, IKE_ATTR_KEYLEN = 14 };
enum { IKE_LIFE_SECONDS = 1, IKE_LIFE_KILOBYTES = 2 };
#define IKE_AUTHM_PSK              1
#define IKE_AUTHM_XAUTH_INIT_PSK   65001
#define IKE_AUTHM_RSA              3
#define IKE_AUTHM_ECDSA_256        9      /* RFC 4754 */
#define IKE_AUTHM_ECDSA_384        10
#define IKE_AUTHM_ECDSA_521        11
#define IKE_AUTHM_XAUTH_INIT_RSA   65005  /* draft-beaulieu-ike-xauth (65003 is DSS) */
#define ISAKMP_CERT_X509_SIG       4      /* CERT / CERT_REQ encoding (RFC 2408 3.9) */
#define ISAKMP_ID_DER_ASN1_DN      9

/* IPsec DOI (RFC 2407 4.4.4, 4.5; RFC 3947 for the encapsulation modes). ESP_ID_* and
 * IPSEC_AUTH_HMAC_* name the v1_id values of common/alg.c's rows (test_alg holds them equal). */
enum { ESP_ID_DES = 2, ESP_ID_3DES = 3, ESP_ID_NULL = 11, ESP_ID_AES_CBC = 12,
       ESP_ID_AES_GCM16 = 20 };
enum { IPSEC_ATTR_SA_LIFE_TYPE = 1, IPSEC_ATTR_SA_LIFE_DURATION = 2, IPSEC_ATTR_GROUP_DESC = 3,
       IPSEC_ATTR_ENCAP_MODE = 4, IPSEC_ATTR_AUTH_ALG = 5, IPSEC_ATTR_KEY_LENGTH = 6 };
enum { IPSEC_LIFE_SECONDS = 1, IPSEC_LIFE_KILOBYTES = 2 };
enum { IPSEC_AUTH_HMAC_MD5 = 1, IPSEC_AUTH_HMAC_SHA = 2, IPSEC_AUTH_HMAC_SHA256 = 5,
       IPSEC_AUTH_HMAC_SHA384 = 6, IPSEC_AUTH_HMAC_SHA512 = 7 };
/* RFC 3947 UDP-encapsulated tunnel = 3; the NAT-T drafts used 61443 */
enum { IPSEC_ENCAP_TUNNEL = 1, IPSEC_ENCAP_TRANSPORT = 2, IPSEC_ENCAP_UDP_TUNNEL = 3,
       IPSEC_ENCAP_UDP_TUNNEL_DRAFT = 61443 };

/* ID types (RFC 2407 4.6.2.1) */
enum { ISAKMP_ID_IPV4_ADDR = 1, ISAKMP_ID_FQDN = 2, ISAKMP_ID_USER_FQDN = 3,
       ISAKMP_ID_IPV4_ADDR_SUBNET = 4, ISAKMP_ID_IPV6_ADDR = 5, ISAKMP_ID_IPV6_ADDR_SUBNET = 6,
       ISAKMP_ID_IPV4_ADDR_RANGE = 7, ISAKMP_ID_IPV6_ADDR_RANGE = 8, ISAKMP_ID_KEY_ID = 11 };

/* notify types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706) */
enum { ISAKMP_N_INVALID_PAYLOAD_TYPE = 1, ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
       ISAKMP_N_PAYLOAD_MALFORMED = 16, ISAKMP_N_INVALID_ID_INFO = 18,
       ISAKMP_N_AUTHENTICATION_FAILED = 24, ISAKMP_N_RESPONDER_LIFETIME = 24576,
       ISAKMP_N_INITIAL_CONTACT = 24578, ISAKMP_N_R_U_THERE = 36136,
       ISAKMP_N_R_U_THERE_ACK = 36137 };

/* Mode Config message types and attributes (draft-dukes-ike-mode-cfg-02 3.2, 3.3) */
enum { ISAKMP_CFG_REQUEST = 1, ISAKMP_CFG_REPLY = 2, ISAKMP_CFG_SET = 3, ISAKMP_CFG_ACK = 4 };
enum { CFG_INTERNAL_IP4_ADDRESS = 1, CFG_INTERNAL_IP4_NETMASK = 2, CFG_INTERNAL_IP4_DNS = 3,
       CFG_INTERNAL_IP4_NBNS = 4, CFG_INTERNAL_ADDRESS_EXPIRY = 5, CFG_APPLICATION_VERSION = 7,
       CFG_INTERNAL_IP6_ADDRESS = 8, CFG_INTERNAL_IP6_DNS = 10 };
/* XAUTH attributes (draft-ietf-ipsec-isakmp-xauth-06 6.2; 16520 = 0x4088) */
enum { XAUTH_TYPE = 16520, XAUTH_USER_NAME = 16521, XAUTH_USER_PASSWORD = 16522,
       XAUTH_PASSCODE = 16523, XAUTH_MESSAGE = 16524, XAUTH_CHALLENGE = 16525,
       XAUTH_DOMAIN = 16526, XAUTH_STATUS = 16527, XAUTH_NEXT_PIN = 16528,
       XAUTH_ANSWER = 16529 };
enum { XAUTH_TYPE_GENERIC = 0 };
enum { XAUTH_STATUS_FAIL = 0, XAUTH_STATUS_OK = 1 };
/* Cisco Unity attributes (28672 = 0x7000). The application version is the standard attribute
 * CFG_APPLICATION_VERSION (7), not a Unity one. */
enum { UNITY_BANNER = 28672, UNITY_SAVE_PASSWD = 28673, UNITY_DEF_DOMAIN = 28674,
       UNITY_SPLIT_DNS = 28675, UNITY_SPLIT_INCLUDE = 28676, UNITY_NATT_PORT = 28677,
       UNITY_LOCAL_LAN = 28678, UNITY_PFS = 28679, UNITY_FW_TYPE = 28680,
       UNITY_BACKUP_SERVERS = 28681, UNITY_DDNS_HOSTNAME = 28682 };

/* Vendor IDs we recognise and send; the bytes are in isakmp.c with their derivation. */
enum { VID_XAUTH = 0, VID_UNITY, VID_DPD, VID_NATT_RFC, VID_NATT_DRAFT02, VID_NATT_DRAFT02N,
       VID_NATT_DRAFT03, VID_MAX };

/* ---- parsing ---- */

#define ISAKMP_MAX_PAYLOADS 32

struct isakmp_payload {
	uint8_t        type;
	const uint8_t *body;     /* without the 4-byte generic header */
	uint16_t       len;      /* body length */
	const uint8_t *raw;      /* the generic header (raw + 4 == body) */
};

struct isakmp_msg {
	struct isakmp_hdr     hdr;
	struct isakmp_payload pl[ISAKMP_MAX_PAYLOADS];
	int                   npl;
	size_t                padlen;   /* bytes after the chain (decrypted messages only) */
};

/* Checks the header alone: len == datagram length, len >= 28, version 1.0. 0 ok, -1 bad. */
int isakmp_parse_hdr(const uint8_t *pkt, size_t len, struct isakmp_hdr *out);
/*
 * Header and payload chain of a cleartext datagram; the chain must end exactly at the end of
 * the datagram. A message with the E flag is refused (-1): decrypt it and use
 * isakmp_parse_payloads() on the bytes after the header.
 */
int isakmp_parse(const uint8_t *pkt, size_t len, struct isakmp_msg *out);
/*
 * The payload chain starting with type first in buf. Bytes after the last payload are
 * tolerated and counted in padlen: RFC 2409 appendix B pads with zeros, but some senders put the
 * pad length in the last byte. out->hdr is not touched.
 */
int isakmp_parse_payloads(uint8_t first, const uint8_t *buf, size_t len, struct isakmp_msg *out);

#define ISAKMP_MAX_ATTRS 16           /* per transform */
#define ISAKMP_MAX_PROPS 32           /* per SA payload */
#define ISAKMP_MAX_TRANS_PER_PROP 32
#define ISAKMP_MAX_TRANS 64           /* per SA payload, all proposals together */

struct isakmp_attr {
	uint16_t       type;     /* without the AF bit */
	int            tv;       /* 1: basic (TV) attribute */
	uint64_t       value;    /* TV value, or a TLV of up to 8 bytes as a big-endian integer */
	uint16_t       len;      /* TLV value length (0 for TV) */
	const uint8_t *data;     /* TLV value in the packet (NULL for TV): not valid after it */
};

struct isakmp_trans {
	uint8_t num, id;
	int     nattr;
	struct isakmp_attr attr[ISAKMP_MAX_ATTRS];
};

struct isakmp_prop {
	uint8_t num, proto, spi_len;
	uint8_t spi[16];
	int     ntrans;
	struct isakmp_trans *trans;   /* into isakmp_sa.tr */
	int     and_group;            /* 1 if another proposal has the same number (RFC 2408 4.2) */
};

struct isakmp_sa {
	uint32_t doi, situation;
	int      nprop;
	struct isakmp_prop  prop[ISAKMP_MAX_PROPS];
	struct isakmp_trans tr[ISAKMP_MAX_TRANS];
	int      ntr;
};

/* SA payload body (DOI, situation, proposals, transforms, attributes). 0 ok, -1 malformed or
 * over a limit. Only the IPsec DOI with SIT_IDENTITY_ONLY has a known layout: others fail. */
int isakmp_parse_sa(const uint8_t *body, size_t len, struct isakmp_sa *out);
/* First attribute of type in t, or NULL. */
const struct isakmp_attr *isakmp_trans_attr(const struct isakmp_trans *t, uint16_t type);

struct isakmp_notify {
	uint32_t       doi;
	uint8_t        proto, spi_size;
	uint16_t       type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t         datalen;
};
int isakmp_parse_notify(const uint8_t *body, size_t len, struct isakmp_notify *out);

struct isakmp_delete {
	uint32_t       doi;
	uint8_t        proto, spi_size;
	uint16_t       nspi;          /* >= 1 */
	const uint8_t *spis;          /* nspi * spi_size bytes */
};
int isakmp_parse_delete(const uint8_t *body, size_t len, struct isakmp_delete *out);

struct isakmp_id {
	uint8_t        type, proto;
	uint16_t       port;          /* host order */
	const uint8_t *data;
	size_t         len;
};
/* ID payload body: type, protocol, port, then at least one byte of identification data. */
int isakmp_parse_id(const uint8_t *body, size_t len, struct isakmp_id *out);
/* The X.509 CERT payloads of m (encoding ISAKMP_CERT_X509_SIG), back to back into buf (cap
 * bytes) with their lengths in lens (max of them): how many. One that does not fit ends the
 * list. */
int isakmp_certs(const struct isakmp_msg *m, uint8_t *buf, size_t cap, uint16_t *lens, int max);

int vid_is(const struct isakmp_payload *p, int vid);
/* The bytes of a vendor ID (NULL for an unknown one). */
const uint8_t *isakmp_vid(int vid, size_t *len);

/* Mode Config / XAUTH attribute payloads (draft-dukes-ike-mode-cfg-02 3.2) */
struct isakmp_cfg {
	uint8_t        type;          /* ISAKMP_CFG_* */
	uint16_t       id;            /* identifier, host order */
	const uint8_t *attrs;         /* the attribute list */
	size_t         len;
};
int isakmp_parse_cfg(const uint8_t *body, size_t len, struct isakmp_cfg *out);

struct isakmp_attr_it {
	const uint8_t *p, *end;
	int            err;
};
struct isakmp_cfg_attr {
	uint16_t       type;          /* without the AF bit */
	int            tv;
	uint16_t       value;         /* TV only */
	const uint8_t *data;          /* TV: the 2 value bytes; TLV: the value (len bytes) */
	uint16_t       len;           /* 2 for TV */
};
void isakmp_attr_it_init(struct isakmp_attr_it *, const uint8_t *attrs, size_t len);
/* 1 with the next attribute in *a, 0 at the end, -1 if the list is malformed (stays -1). */
int  isakmp_attr_next(struct isakmp_attr_it *, struct isakmp_cfg_attr *a);

/* ---- building ---- */

struct isakmp_buf {
	uint8_t *data;
	size_t   len, cap;
	size_t   np_off;         /* where the next-payload byte of the last payload is */
	int      err;
};
void isakmp_buf_init(struct isakmp_buf *);
/* Wipes (messages carry keys and passwords before encryption) and frees. */
void isakmp_buf_free(struct isakmp_buf *);
int  isakmp_buf_reserve(struct isakmp_buf *, size_t more);
/* Starts a message: the buffer is reset to the header (length patched by isakmp_finalize). */
int  isakmp_put_hdr(struct isakmp_buf *, const uint8_t cky_i[8], const uint8_t cky_r[8],
                    uint8_t exch, uint8_t flags, uint32_t msgid_net);
/* Appends a payload; the previous payload's (or the header's) next-payload field is set. */
int  isakmp_put_payload(struct isakmp_buf *, uint8_t type, const void *body, size_t len);
int  isakmp_put_vid(struct isakmp_buf *, int vid);
/* Notification, IPsec DOI. */
int  isakmp_put_notify(struct isakmp_buf *, uint8_t proto, uint16_t type, const uint8_t *spi,
                       size_t spilen, const uint8_t *data, size_t datalen);
/* Delete, IPsec DOI: n SPIs of spi_size bytes each, back to back in spis. */
int  isakmp_put_delete(struct isakmp_buf *, uint8_t proto, uint8_t spi_size, int n,
                       const uint8_t *spis);
/* ID payload; port in host order. */
int  isakmp_put_id(struct isakmp_buf *, uint8_t id_type, uint8_t proto, uint16_t port,
                   const void *data, size_t len);
/* Writes the total length into the header. */
int  isakmp_finalize(struct isakmp_buf *);

/* A list of data attributes being built (SA transforms, Mode Config); errors are sticky. */
#define ISAKMP_ATTRS_MAX 4096
struct isakmp_attrs {
	uint8_t data[ISAKMP_ATTRS_MAX];
	size_t  len;
	int     err;
};
void isakmp_attrs_init(struct isakmp_attrs *);
int  isakmp_attrs_tv(struct isakmp_attrs *, uint16_t type, uint16_t value);
int  isakmp_attrs_tlv(struct isakmp_attrs *, uint16_t type, const void *data, size_t len);
/* TLV holding a 4-byte big-endian integer (life durations). */
int  isakmp_attrs_tlv32(struct isakmp_attrs *, uint16_t type, uint32_t value);
/* A parsed transform attribute, encoded as it came (TV, or TLV of its original length). */
int  isakmp_attrs_put(struct isakmp_attrs *, const struct isakmp_attr *);

/* Attribute payload: type, identifier (host order), then the attribute list. */
int  isakmp_put_cfg(struct isakmp_buf *, uint8_t cfg_type, uint16_t id,
                    const struct isakmp_attrs *);
/*
 * SA payload (IPsec DOI, SIT_IDENTITY_ONLY) with one proposal holding one transform.
 * Phase 1: protocol ISAKMP, no SPI, transform KEY_IKE. Phase 2: protocol ESP, our 4-byte SPI,
 * transform id an ESP_ID_*.
 */
int  isakmp_build_sa_p1(struct isakmp_buf *, uint8_t prop_num, uint8_t trans_num,
                        const struct isakmp_attrs *);
int  isakmp_build_sa_p2(struct isakmp_buf *, uint8_t prop_num, uint8_t trans_num,
                        uint8_t esp_id, uint32_t spi_net, const struct isakmp_attrs *);
/* An initiator's offer: phase 1 as one proposal of n transforms (attributes a[k]); phase 2
 * as n proposals of one ESP transform each (ids[k], a[k]) sharing spi_net, as IOS offers. */
int  isakmp_build_sa_offer(struct isakmp_buf *, int phase2, uint32_t spi_net, int n,
                           const uint8_t *ids, const struct isakmp_attrs *a);
/* The chosen parsed transform echoed back (phase 1 answers repeat it as offered). */
int  isakmp_put_sa_p1(struct isakmp_buf *, uint8_t prop_num, const struct isakmp_trans *);
/* Phase 2: the chosen transform with our SPI; its life attributes are replaced by our lifetime
 * in seconds (none if 0), written as LIFE_TYPE directly followed by LIFE_DURATION. */
int  isakmp_put_sa_p2(struct isakmp_buf *, uint8_t prop_num, uint32_t spi_net,
                      const struct isakmp_trans *, uint32_t life_seconds);

/* NAT-D = HASH(CKY-I | CKY-R | IP | port) (RFC 3947 3.2) with the phase 1 hash, over the 4 or
 * 16 address bytes. out: ike_hash_len(hash) bytes. */
int  isakmp_natd_hash(int hash, const uint8_t cky_i[8], const uint8_t cky_r[8],
                      const union sa46 *a, uint8_t *out);

#endif
