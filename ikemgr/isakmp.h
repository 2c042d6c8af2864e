/*
 * ISAKMP (RFC 2408) wire codec for IKEv1: bounds-checked parsing with no allocation (parsed
 * structures point into the datagram), and a growable builder.
 */
#ifndef VPND_ISAKMP_H
#define VPND_ISAKMP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ISAKMP_HDR_LEN 28

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

/* payload types */
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

/* protocols and the IKE transform */
enum { ISAKMP_PROTO_ISAKMP = 1, ISAKMP_PROTO_IPSEC_AH = 2, ISAKMP_PROTO_IPSEC_ESP = 3 };
#define ISAKMP_KEY_IKE 1

/* phase 1 attributes (RFC 2409 appendix A) */
enum { IKE_ATTR_ENCR = 1, IKE_ATTR_HASH = 2, IKE_ATTR_AUTH = 3, IKE_ATTR_GROUP = 4,
       IKE_ATTR_LIFE_TYPE = 11, IKE_ATTR_LIFE_DURATION = 12, IKE_ATTR_KEYLEN = 14 };
#define IKE_AUTHM_PSK              1
#define IKE_AUTHM_XAUTH_INIT_PSK   65001

/* IPsec DOI (RFC 2407) */
enum { ESP_ID_DES = 2, ESP_ID_3DES = 3, ESP_ID_NULL = 11, ESP_ID_AES_CBC = 12,
       ESP_ID_AES_GCM16 = 20 };
enum { IPSEC_ATTR_SA_LIFE_TYPE = 1, IPSEC_ATTR_SA_LIFE_DURATION = 2, IPSEC_ATTR_GROUP_DESC = 3,
       IPSEC_ATTR_ENCAP_MODE = 4, IPSEC_ATTR_AUTH_ALG = 5, IPSEC_ATTR_KEY_LENGTH = 6 };
enum { IPSEC_AUTH_HMAC_MD5 = 1, IPSEC_AUTH_HMAC_SHA = 2, IPSEC_AUTH_HMAC_SHA256 = 5,
       IPSEC_AUTH_HMAC_SHA384 = 6, IPSEC_AUTH_HMAC_SHA512 = 7 };
/* RFC 3947 UDP-encapsulated tunnel = 3; the NAT-T drafts used 61443 */
enum { IPSEC_ENCAP_TUNNEL = 1, IPSEC_ENCAP_TRANSPORT = 2, IPSEC_ENCAP_UDP_TUNNEL = 3,
       IPSEC_ENCAP_UDP_TUNNEL_DRAFT = 61443 };

/* ID types */
enum { ISAKMP_ID_IPV4_ADDR = 1, ISAKMP_ID_FQDN = 2, ISAKMP_ID_USER_FQDN = 3,
       ISAKMP_ID_IPV4_ADDR_SUBNET = 4, ISAKMP_ID_KEY_ID = 11 };

/* notify types */
enum { ISAKMP_N_INVALID_PAYLOAD_TYPE = 1, ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
       ISAKMP_N_PAYLOAD_MALFORMED = 16, ISAKMP_N_INVALID_ID_INFO = 18,
       ISAKMP_N_AUTHENTICATION_FAILED = 24, ISAKMP_N_RESPONDER_LIFETIME = 24576,
       ISAKMP_N_INITIAL_CONTACT = 24578, ISAKMP_N_R_U_THERE = 36136,
       ISAKMP_N_R_U_THERE_ACK = 36137 };

/* Mode Config (draft-dukes-ike-mode-cfg-02), XAUTH (draft-ietf-ipsec-isakmp-xauth-06), and the
 * Cisco Unity attributes as vpnc names them (vpnc's isakmp.h, 0x7000 range). */
enum { ISAKMP_CFG_REQUEST = 1, ISAKMP_CFG_REPLY = 2, ISAKMP_CFG_SET = 3, ISAKMP_CFG_ACK = 4 };
enum { CFG_INTERNAL_IP4_ADDRESS = 1, CFG_INTERNAL_IP4_NETMASK = 2, CFG_INTERNAL_IP4_DNS = 3,
       CFG_INTERNAL_IP4_NBNS = 4, CFG_APPLICATION_VERSION = 7 };
enum { XAUTH_TYPE = 16520, XAUTH_USER_NAME = 16521, XAUTH_USER_PASSWORD = 16522,
       XAUTH_PASSCODE = 16523, XAUTH_MESSAGE = 16524, XAUTH_CHALLENGE = 16525,
       XAUTH_DOMAIN = 16526, XAUTH_STATUS = 16527 };
enum { UNITY_BANNER = 0x7000, UNITY_SAVE_PASSWD = 0x7001, UNITY_DEF_DOMAIN = 0x7002,
       UNITY_SPLIT_DNS = 0x7003, UNITY_SPLIT_INCLUDE = 0x7004, UNITY_NATT_PORT = 0x7005,
       UNITY_LOCAL_LAN = 0x7006, UNITY_PFS = 0x7007, UNITY_FW_TYPE = 0x7008,
       UNITY_BACKUP_SERVERS = 0x7009, UNITY_DDNS_HOSTNAME = 0x700a };

/* vendor IDs we recognise and send */
enum { VID_XAUTH = 0, VID_UNITY, VID_DPD, VID_NATT_RFC, VID_NATT_DRAFT02, VID_NATT_DRAFT02N,
       VID_NATT_DRAFT03, VID_MAX };

#define ISAKMP_MAX_PAYLOADS 32

struct isakmp_payload {
	uint8_t        type;
	const uint8_t *body;     /* without the 4-byte generic header */
	uint16_t       len;      /* body length */
	const uint8_t *raw;      /* the generic header */
};

struct isakmp_msg {
	struct isakmp_hdr     hdr;
	struct isakmp_payload pl[ISAKMP_MAX_PAYLOADS];
	int                   npl;
};

#define ISAKMP_MAX_ATTRS 16
struct isakmp_attr {
	uint16_t type;           /* without the AF bit */
	int      tv;
	uint64_t value;          /* TV, or TLV of up to 8 bytes (big-endian) */
	uint16_t len;            /* TLV length */
};

struct isakmp_trans {
	uint8_t num, id;
	int     nattr;
	struct isakmp_attr attr[ISAKMP_MAX_ATTRS];
};

#define ISAKMP_MAX_PROPS 32
#define ISAKMP_MAX_TRANS 64
struct isakmp_prop {
	uint8_t num, proto, spi_len;
	uint8_t spi[16];
	int     ntrans;
	struct isakmp_trans *trans;   /* into isakmp_sa.tr */
};

struct isakmp_sa {
	uint32_t doi, situation;
	int      nprop;
	struct isakmp_prop  prop[ISAKMP_MAX_PROPS];
	struct isakmp_trans tr[ISAKMP_MAX_TRANS];
	int      ntr;
};

struct isakmp_notify {
	uint32_t       doi;
	uint8_t        proto, spi_size;
	uint16_t       type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t         datalen;
};

struct isakmp_delete {
	uint32_t       doi;
	uint8_t        proto, spi_size;
	uint16_t       nspi;
	const uint8_t *spis;
};

/* parsing: 0 ok, -1 malformed */
int isakmp_parse_hdr(const uint8_t *pkt, size_t len, struct isakmp_hdr *out);
int isakmp_parse(const uint8_t *pkt, size_t len, struct isakmp_msg *out);
/* A payload chain starting with type first (decrypted bodies may end in padding). */
int isakmp_parse_payloads(uint8_t first, const uint8_t *buf, size_t len, struct isakmp_msg *out);
int isakmp_parse_sa(const uint8_t *body, size_t len, struct isakmp_sa *out);
int isakmp_parse_notify(const uint8_t *body, size_t len, struct isakmp_notify *out);
int isakmp_parse_delete(const uint8_t *body, size_t len, struct isakmp_delete *out);
int vid_is(const struct isakmp_payload *p, int vid);

/* building */
struct isakmp_buf {
	uint8_t *data;
	size_t   len, cap;
	size_t   np_off;         /* where the next-payload byte of the last payload is */
	int      err;
};
void isakmp_buf_init(struct isakmp_buf *);
void isakmp_buf_free(struct isakmp_buf *);
int  isakmp_buf_reserve(struct isakmp_buf *, size_t more);
int  isakmp_put_hdr(struct isakmp_buf *, const uint8_t cky_i[8], const uint8_t cky_r[8],
                    uint8_t exch, uint8_t flags, uint32_t msgid_net);
int  isakmp_put_payload(struct isakmp_buf *, uint8_t type, const void *body, size_t len);
int  isakmp_put_vid(struct isakmp_buf *, int vid);
int  isakmp_put_notify(struct isakmp_buf *, uint8_t proto, uint16_t type, const uint8_t *spi,
                       size_t spilen, const uint8_t *data, size_t datalen);
int  isakmp_put_delete(struct isakmp_buf *, uint8_t proto, uint8_t spi_size, int n,
                       const uint8_t *spis);
/* SA with one proposal echoing the chosen transform (phase 1: as offered). */
int  isakmp_put_sa_p1(struct isakmp_buf *, uint8_t prop_num, const struct isakmp_trans *);
/* Phase 2: ESP proposal with our SPI, the chosen transform, our lifetime in seconds. */
int  isakmp_put_sa_p2(struct isakmp_buf *, uint8_t prop_num, uint32_t spi_net,
                      const struct isakmp_trans *, uint32_t life_seconds);
/* Writes the total length into the header. */
int  isakmp_finalize(struct isakmp_buf *);

/* NAT-D = HASH(CKY-I | CKY-R | IP | port) (RFC 3947 3.2) with the phase 1 hash */
int  isakmp_natd_hash(int hash, const uint8_t cky_i[8], const uint8_t cky_r[8], struct in_addr a,
                      uint16_t port_net, uint8_t *out);

#endif
