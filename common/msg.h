/*
 * Every message exchanged between vpnd's processes, and its payload.
 *
 * Rule for receivers: check hdr.type and the payload length (msg_check()) before reading a byte;
 * a short or unknown message is a protocol error, logged, and the receiver exits.
 * Payloads are plain structs (same binary on both sides, so the same layout).
 */
#ifndef VPND_MSG_H
#define VPND_MSG_H

#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

enum imsg_type {
	IMSG_NONE = 0,

	/* parent -> every child */
	IMSG_CONF,              /* struct vpnd_conf (redacted for ikemgr and tunmgr) */
	IMSG_SOCKET,            /* fd + struct msg_socket */
	IMSG_PEER_CHANNEL,      /* fd: socketpair end to another child + struct msg_socket */
	IMSG_START,             /* no payload: configuration done, drop privileges, serve */
	IMSG_SHUTDOWN,          /* no payload: tear down and exit */
	IMSG_CLEAR,             /* parent -> ikemgr: struct msg_clear (operator's clear) */
	IMSG_DEBUG,             /* parent -> every child: struct msg_debug (debug crypto ...) */

	/* child -> parent */
	IMSG_READY,             /* no payload: started and privileges dropped */
	IMSG_TUN_OPEN,          /* tunmgr -> parent, no payload: open /dev/net/tun for peerid */
	IMSG_TUN_FD,            /* parent -> tunmgr: fd (or none) + int32 errno */

	/* ikemgr <-> keymgr */
	IMSG_SKEYID_REQ,        /* struct msg_skeyid_req */
	IMSG_SKEYID_RES,        /* struct msg_skeyid_res */
	IMSG_XAUTH_REQ,         /* struct msg_xauth_req */
	IMSG_XAUTH_RES,         /* struct msg_xauth_res */
	IMSG_SESSION_END_KEY,   /* struct msg_session_end: release the address, stop accounting */

	/* ikemgr <-> tunmgr */
	IMSG_IKE_PACKET,        /* tunmgr -> ikemgr: struct msg_ike_pkt + datagram (marker removed) */
	IMSG_VA_CREATE,         /* struct msg_va_create */
	IMSG_VA_CREATED,        /* struct msg_va_created */
	IMSG_VA_DESTROY,        /* struct msg_va_destroy */
	IMSG_SA_ADD,            /* struct msg_sa_add */
	IMSG_SA_DEL,            /* struct msg_sa_del */
	IMSG_SA_EXPIRE,         /* tunmgr -> ikemgr: struct msg_sa_expire */
	IMSG_SA_ADDED,          /* tunmgr -> ikemgr: struct msg_sa_added, after every SA_ADD */

	/* ikemgr/tunmgr -> parent (the database writer) */
	IMSG_SESSION_UP,        /* struct msg_session_up */
	IMSG_SESSION_DOWN,      /* struct msg_session_down */
	IMSG_COUNTERS,          /* struct msg_counters */

	IMSG_TYPE_MAX
};

/* IMSG_SOCKET / IMSG_PEER_CHANNEL kinds */
enum msg_socket_kind {
	SOCK_IKE500 = 1,        /* UDP 500 */
	SOCK_IKE4500,           /* UDP 4500: tunmgr reads, ikemgr only sends */
	SOCK_ESP_RAW,           /* raw IP protocol 50 */
	CHAN_IKEMGR,            /* the peer at the other end is ikemgr */
	CHAN_KEYMGR,
	CHAN_TUNMGR,
};
struct msg_socket {
	int32_t kind;
};

#define MSG_ID_MAX     256
#define MSG_NONCE_MAX  256
#define MSG_USER_MAX   128
#define MSG_GROUP_MAX  64
#define MSG_PASS_MAX   128
#define MSG_SPLIT_MAX  16
#define MSG_KEY_MAX    64

/* ikemgr asks keymgr for SKEYID = prf(PSK, Ni_b | Nr_b); the PSK stays in keymgr. */
struct msg_skeyid_req {
	uint32_t sa_id;
	int32_t  prf_hash;              /* enum conf_ike_hash */
	int32_t  id_type;               /* ISAKMP ID type of the peer (KEY_ID, IPV4_ADDR, FQDN) */
	uint16_t id_len;
	uint8_t  id[MSG_ID_MAX];
	struct sockaddr_in local, peer;
	uint16_t ni_len, nr_len;
	uint8_t  ni[MSG_NONCE_MAX], nr[MSG_NONCE_MAX];
};
enum msg_key_status { KEY_OK = 0, KEY_NO_KEY, KEY_ERROR };
struct msg_skeyid_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_key_status */
	uint16_t skeyid_len;
	uint8_t  skeyid[MSG_KEY_MAX];
};

struct msg_xauth_req {
	uint32_t sa_id;
	char     group[MSG_GROUP_MAX];
	char     user[MSG_USER_MAX];
	char     password[MSG_PASS_MAX];
	char     auth_list[64];         /* aaa authentication login list from the profile */
	char     author_list[64];       /* aaa authorization network list */
	int32_t  authorize_only;        /* no XAUTH: only fetch the group's policy */
	struct sockaddr_in peer;
};

/* The merged policy for a session: group attributes overridden by per-user ones. */
struct msg_policy {
	struct in_addr addr, netmask;   /* addr 0 = none assigned */
	struct in_addr dns[2];
	int32_t  ndns;
	struct in_addr wins[2];
	int32_t  nwins;
	char     domain[64];
	char     banner[512];
	int32_t  save_password;
	int32_t  pfs;
	int32_t  nsplit;
	struct { struct in_addr net, mask; } split[MSG_SPLIT_MAX];
	int32_t  session_timeout;       /* seconds, 0 = none */
	int32_t  idle_timeout;
};

enum msg_xauth_status { XAUTH_OK = 0, XAUTH_BAD_CREDENTIALS, XAUTH_NO_ADDRESS, XAUTH_REFUSED,
                        XAUTH_ERROR };
struct msg_xauth_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_xauth_status */
	char     message[192];          /* reason, for the log and the client */
	struct msg_policy policy;
};

struct msg_session_end {
	uint32_t session_id;
	struct in_addr addr;            /* address to give back to its pool */
	char     reason[64];
};

struct msg_ike_pkt {
	struct sockaddr_in peer, local;
	uint16_t len;                   /* bytes that follow */
};

struct msg_va_create {
	uint32_t session_id;
	int32_t  template_num;          /* interface Virtual-TemplateN */
	struct in_addr client_addr;     /* route CLIENT/32 through the new interface */
	int32_t  esp_overhead;          /* bytes ESP adds, for the computed MTU */
	char     user[MSG_USER_MAX];
	struct sockaddr_in peer;
};
struct msg_va_created {
	uint32_t session_id;
	int32_t  status;                /* 0 ok, else errno */
	char     ifname[IF_NAMESIZE];   /* "va17" */
	int32_t  ifindex;
	int32_t  unit;                  /* 17 -> Virtual-Access17 */
};
struct msg_va_destroy {
	uint32_t session_id;
};

enum msg_encap { ENCAP_UDP = 1, ENCAP_RAW = 2 };
struct msg_sa_add {
	uint32_t session_id;
	int32_t  encap;                 /* enum msg_encap */
	struct sockaddr_in peer, local; /* ports matter for ENCAP_UDP */
	int32_t  encr;                  /* enum conf_esp_encr */
	int32_t  enc_keylen;            /* bytes, including the 4-byte GCM salt */
	int32_t  auth;                  /* enum conf_esp_auth */
	int32_t  auth_keylen;           /* bytes */
	uint32_t spi_in, spi_out;       /* network byte order */
	uint8_t  enckey_in[MSG_KEY_MAX], enckey_out[MSG_KEY_MAX];
	uint8_t  authkey_in[MSG_KEY_MAX], authkey_out[MSG_KEY_MAX];
	uint32_t soft_seconds, hard_seconds;
	uint64_t soft_bytes, hard_bytes;
	int32_t  replay_window;
};
struct msg_sa_del {
	uint32_t session_id;
	uint32_t spi_in, spi_out;       /* network byte order */
};
struct msg_sa_added {
	uint32_t session_id;
	uint32_t spi_in;
	int32_t  status;                /* 0 installed, else errno */
};
struct msg_sa_expire {
	uint32_t session_id;
	uint32_t spi_in;
	int32_t  hard;
};

enum msg_clear_kind { CLEAR_ALL = 0, CLEAR_REMOTE, CLEAR_USERNAME, CLEAR_GROUP };
struct msg_clear {
	int32_t  kind;
	struct in_addr addr;
	char     name[MSG_USER_MAX];
};

/*
 * The operator's crypto debugging (debug crypto ..., debug crypto condition ...): the whole
 * state, sent to every child after each change; the semantics are in common/log.c.
 */
enum msg_debug_cond_type { DCOND_ADDR = 1, DCOND_USER, DCOND_GROUP, DCOND_SPI };
#define MSG_DEBUG_COND_MAX 16
struct msg_debug_cond {
	int32_t  type;                  /* enum msg_debug_cond_type */
	uint32_t addr, mask;            /* DCOND_ADDR, network byte order */
	uint32_t spi;                   /* DCOND_SPI, host byte order */
	char     name[MSG_USER_MAX];    /* DCOND_USER, DCOND_GROUP */
};
struct msg_debug {
	int32_t  cats;                  /* enum log_dbg_cat bits: every line of the category */
	int32_t  errcats;               /* bits whose error lines only are wanted */
	int32_t  unmatched;             /* show lines without the context the conditions test */
	int32_t  ncond;
	struct msg_debug_cond cond[MSG_DEBUG_COND_MAX];
};

struct msg_session_up {
	uint32_t session_id;
	char     user[MSG_USER_MAX];
	char     group[MSG_GROUP_MAX];
	char     profile[64];
	struct sockaddr_in peer, local;
	struct in_addr assigned;
	char     ifname[IF_NAMESIZE];
	int32_t  unit;
	uint64_t ike_spi_i, ike_spi_r;
	uint32_t esp_spi_in, esp_spi_out;
	char     transform[64];         /* "esp-aes 256 esp-sha-hmac" */
};
struct msg_session_down {
	uint32_t session_id;
	char     reason[64];
};
struct msg_counters {
	uint32_t session_id;
	uint64_t pkts_in, pkts_out, bytes_in, bytes_out;
	uint64_t drop_auth, drop_replay, drop_other;
};

#endif
