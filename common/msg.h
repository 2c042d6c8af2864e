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

#include "common/sa46.h"

enum imsg_type {
	IMSG_NONE = 0,

	/* parent -> every child */
	IMSG_CONF,              /* struct vpnd_conf (redacted for ikemgr and tunmgr) */
	IMSG_SOCKET,            /* fd + struct msg_socket */
	IMSG_PEER_CHANNEL,      /* fd: socketpair end to another child + struct msg_socket */
	IMSG_START,             /* no payload: configuration done, drop privileges, serve */
	IMSG_SHUTDOWN,          /* no payload: tear down and exit */
	IMSG_CLEAR,             /* parent -> ikemgr: struct msg_clear (operator's clear) */
	IMSG_RELOAD,            /* parent -> every child: struct vpnd_conf (redacted for ikemgr
	                         * and tunmgr), applied in place */
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
	IMSG_VA_ACTIVITY,       /* tunmgr -> ikemgr: struct msg_va_activity, when packets moved */

	/* ikemgr/tunmgr -> parent (the database writer) */
	IMSG_SESSION_UP,        /* struct msg_session_up */
	IMSG_SESSION_DOWN,      /* struct msg_session_down */
	IMSG_COUNTERS,          /* struct msg_counters */
	IMSG_IKE_SA_UP,         /* ikemgr -> parent: struct msg_ike_sa (new, or its state changed) */
	IMSG_IKE_SA_DOWN,       /* ikemgr -> parent: struct msg_ike_sa_down */
	IMSG_IPSEC_SA_UP,       /* ikemgr -> parent: struct msg_ipsec_sa */
	IMSG_IPSEC_SA_DOWN,     /* ikemgr -> parent: struct msg_ipsec_sa_down */
	IMSG_SA_COUNTERS,       /* tunmgr -> parent: struct msg_sa_counters */

	/* ikemgr <-> keymgr: certificates (main mode with signatures) */
	IMSG_CERT_VERIFY_REQ,   /* struct msg_cert_verify_req */
	IMSG_CERT_VERIFY_RES,   /* struct msg_cert_verify_res */
	IMSG_SIGN_REQ,          /* struct msg_sign_req */
	IMSG_SIGN_RES,          /* struct msg_sign_res */

	/* parent <-> keymgr: RADIUS accounting, one record at a time from the parent's queue */
	IMSG_ACCT_REQ,          /* parent -> keymgr: struct msg_acct */
	IMSG_ACCT_RES,          /* keymgr -> parent: struct msg_acct_res */

	/* RFC 5176 Disconnect-/CoA-Requests (keymgr/dynauth.c, ikemgr/ike_dynauth.c) */
	IMSG_DYNAUTH_REQ,       /* keymgr -> ikemgr: struct msg_dynauth_req */
	IMSG_DYNAUTH_RES,       /* ikemgr -> keymgr: struct msg_dynauth_res */
	IMSG_VA_SET_ACL,        /* unused: a live session's ACL now comes with IMSG_AUTHZ */

	/* keymgr -> tunmgr: what a session may have installed, from keymgr's own verdict */
	IMSG_AUTHZ,             /* struct msg_authz: new, or changed (CoA) */
	IMSG_AUTHZ_DEL,         /* struct msg_authz_del: the session ended */

	/* child -> parent: a peer broke the message catalogue; the parent kills it */
	IMSG_VIOLATION,         /* struct msg_violation */

	/* exposure limits: XAUTH lockout (keymgr/lockout.c), call admission (ikemgr/admission.c) */
	IMSG_LOCKOUT_STATE,     /* keymgr -> parent: struct msg_lockout, one user whose state changed */
	IMSG_LOCKOUT_CLEAR,     /* parent -> keymgr: struct msg_lockout_clear */
	IMSG_ADM_STATS,         /* ikemgr -> parent: struct msg_adm_stats, when it changed */

	/* parent <-> control (the operator socket, control/): requests carry their id in peerid */
	IMSG_CTL_DBPATH,        /* parent -> control, at start: struct msg_ctl_dbpath */
	IMSG_CTL_REQ,           /* control -> parent: struct msg_ctl_req, a privileged act */
	IMSG_CTL_RES,           /* parent -> control: struct msg_ctl_res, its outcome */
	IMSG_CTL_LOCKOUT,       /* parent -> control: struct msg_lockout, as keymgr reported it */
	IMSG_CTL_ADM,           /* parent -> control: struct msg_adm_stats, as ikemgr reported */
	IMSG_CTL_LOG,           /* parent -> control: struct msg_log_line, for show logging */

	/* RADIUS client counters for the metrics endpoint (radius/stats.c, control/metrics*.c) */
	IMSG_RADIUS_STATS,      /* keymgr -> parent: struct msg_radius_stats, at most 1/s on change */
	IMSG_CTL_RADIUS,        /* parent -> control: struct msg_radius_stats, as keymgr reported */
	IMSG_DP_STATS,          /* tunmgr -> parent: struct msg_dp_stats, every 5 s on change */
	IMSG_CTL_DP,            /* parent -> control: struct msg_dp_stats, as tunmgr reported */
	IMSG_IKE_STATS,         /* ikemgr -> parent: struct msg_ike_stats, 1/s on change */
	IMSG_CTL_IKE,           /* parent -> control: struct msg_ike_stats, as ikemgr reported */

	/* Easy VPN remote (crypto ipsec client ezvpn): this host dials out */
	IMSG_EZ_XAUTH_REQ,      /* ikemgr -> keymgr: struct msg_ez_xauth_req, the server asked */
	IMSG_EZ_XAUTH_RES,      /* keymgr -> ikemgr: struct msg_ez_xauth_res */
	IMSG_EZ_VA_CREATE,      /* ikemgr -> tunmgr: struct msg_ez_va; answered by IMSG_VA_CREATED */
	IMSG_EZ_CMD,            /* parent -> ikemgr: struct msg_ez_cmd, connect / clear */
	IMSG_EZ_STATE,          /* ikemgr -> parent: struct msg_ez_state, on every change */
	IMSG_EZ_BACKUP,         /* ikemgr -> keymgr: struct msg_ez_backup, the server's list */
	IMSG_EZ_BACKUP_OK,      /* keymgr -> tunmgr: struct msg_ez_backup, as keymgr accepted it */
	IMSG_MANUAL_SA,         /* keymgr -> tunmgr: struct msg_manual_sa, a crypto map's keys */
	IMSG_CM_SA_UP,          /* tunmgr -> parent: struct msg_cm_sa, a manual entry installed */
	IMSG_CM_SA_DOWN,        /* tunmgr -> parent: struct msg_ipsec_sa_down, it went */
	/* xauth userid mode interactive: the operator answers the server through vpnctl */
	IMSG_EZ_XAUTH_CANCEL,   /* ikemgr -> keymgr: struct msg_ez_xauth_req, no longer waiting */
	IMSG_CTL_EZ_XAUTH,      /* control -> parent: struct msg_ez_xauth_answer, relayed as is */
	IMSG_EZ_XAUTH_ANSWER,   /* parent -> keymgr: struct msg_ez_xauth_answer */
	IMSG_EZ_XAUTH_ANSWERED, /* keymgr -> parent: struct msg_ez_xauth_answered, for control */
	IMSG_EZ_TRAFFIC,        /* tunmgr -> ikemgr: struct msg_ez_traffic, connect acl trap hit */
	IMSG_VTI_SIGN_REQ,      /* ikemgr -> keymgr: struct msg_vti_sign_req; IMSG_SIGN_RES back */

	/* IKEv2 */
	IMSG_V2_AUTH_REQ,        /* ikemgr -> keymgr: struct msg_v2_auth_req */
	IMSG_V2_AUTH_RES,        /* keymgr -> ikemgr: struct msg_v2_auth_res */
	IMSG_V2_EAP_REQ,        /* ikemgr -> keymgr: struct msg_v2_eap */
	IMSG_V2_EAP_RES,        /* keymgr -> ikemgr: struct msg_v2_eap */

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
	SOCK_DYNAUTH,           /* UDP, aaa server radius dynamic-author: keymgr */
	SOCK_CONTROL,           /* the listening operator socket DIR/vpnd.sock: control */
	SOCK_METRICS,           /* TCP, ip http server (Prometheus metrics): control */
	SOCK_IKE500_6,          /* the same three on IPv6; absent where the kernel has no IPv6 */
	SOCK_IKE4500_6,
	SOCK_ESP_RAW6,
};
struct msg_socket {
	int32_t kind;
};

#define MSG_ID_MAX     256
#define MSG_NONCE_MAX  256
#define MSG_EAP_MAX    2048     /* one EAP message (EAP-TLS: up to Framed-MTU) */
#define MSG_USER_MAX   128
#define MSG_GROUP_MAX  64
#define MSG_PASS_MAX   128
#define MSG_SPLIT_MAX  16
#define MSG_KEY_MAX    64
#define MSG_CERT_MAX       4        /* certificates a peer may send (leaf + intermediates) */
#define MSG_CERT_BYTES     12288
#define MSG_SIG_MAX        1024     /* RSA 8192 */
#define MSG_TP_MAX         64
#define MSG_CERTMAPS       16       /* = CONF_MAX_CERTMAPS: labels a certificate matches */
#define MSG_REPLACES_MAX 8

/* ikemgr asks keymgr for SKEYID = prf(PSK, Ni_b | Nr_b); the PSK stays in keymgr.
 * Aggressive mode names the group in the ID; main mode sets by_address (the ID is still
 * encrypted): the key is chosen by the peer's address and the local address it reached. */
struct msg_skeyid_req {
	uint32_t sa_id;
	int32_t  prf_hash;              /* enum conf_ike_hash */
	int32_t  by_address;            /* main mode: key by peer and local address, id unused */
	int32_t  id_type;               /* ISAKMP ID type of the peer (KEY_ID, FQDN) */
	uint16_t id_len;
	uint8_t  id[MSG_ID_MAX];
	union sa46 local, peer;
	uint16_t ni_len, nr_len;
	uint8_t  ni[MSG_NONCE_MAX], nr[MSG_NONCE_MAX];
	/* we initiated, for crypto ipsec client ezvpn NAME: its group key, if peer is one of its
	 * peers and id its group */
	char     ezvpn[64];
	/* we initiated for interface TunnelN (static VTI): the key for its tunnel destination,
	 * if peer is that destination */
	char     vti[64];
};
/* A static VTI's session in tunmgr (its TunnelN device and SAs): this base + N. ikemgr's own
 * session ids count up from 1 and never get there; crypto maps use tunmgr's CM_SESSION_BASE. */
#define MSG_VTI_SESSION_BASE 0xffe00000u
/* KEY_PENDING (IMSG_EZ_XAUTH_RES only): xauth userid mode interactive, keymgr holds the
 * request until the operator answers (IMSG_EZ_XAUTH_ANSWER) */
/* KEY_OTHER_PROFILE (IKEv2 only): keymgr put the peer under another profile than the one
 * whose IDr ikemgr built the octets with; ikemgr asks again with that profile's */
enum msg_key_status { KEY_OK = 0, KEY_NO_KEY, KEY_ERROR, KEY_PENDING, KEY_OTHER_PROFILE };
struct msg_skeyid_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_key_status */
	uint16_t skeyid_len;
	uint8_t  skeyid[MSG_KEY_MAX];
	char     profile[64];           /* by address: the isakmp profile that matched, "" = none */
	char     keyring[64];           /* where the key came from ("" = crypto isakmp key), for logs */
};

/*
 * IKEv2 authentication (RFC 7296 2.15, RFC 7427): ikemgr hands keymgr the peer's identity,
 * AUTH (and certificates) and both sides' signed octets. keymgr finds the ikev2 profile for
 * the peer's identity and the local address itself and checks that the octets hang together
 * (RealMessage1 is followed by Nr, RealMessage2 by Ni, and each message holds its own nonce).
 * Then it checks the peer's AUTH by the method the peer used, if the profile's `authentication
 * remote` lines allow it: a pre-shared key (prf(prf(key, "Key Pad for IKEv2"), octets), the
 * key the profile's keyring holds for that peer) or a signature by a certificate that one of
 * the profile's trust points vouches for and whose subject or subjectAltName is the identity.
 * Only then does it compute ours, by the profile's `authentication local`: with the keyring's
 * local key, or signed with the profile's trust point's key. It remembers the SA as judged:
 * the authorization that follows (IMSG_XAUTH_REQ with authorize_only) is answered for that SA
 * only, with the group its profile names, whatever group ikemgr asks for.
 * A profile's `match certificate MAP` holds when the peer's certificate matches the map
 * (keymgr/certmap.c); ikemgr cannot tell, so it builds IDr with its best guess (the first
 * profile whose identity matches or that has a certificate map) and names it in profile.
 * When keymgr puts the peer under another profile it answers KEY_OTHER_PROFILE with that
 * one's name, before judging anything; ikemgr takes it and asks again. KEY_OK names the
 * profile in res->profile, which ikemgr must be using: keymgr's choice, never ikemgr's.
 */
#define MSG_V2_OCTETS_MAX 3072
#define MSG_V2_AUTH_MAX   (MSG_SIG_MAX + 64)   /* RFC 7427: an AlgorithmIdentifier first */
#define MSG_V2_AUTH_PSK   2                    /* RFC 7296 3.8: Shared Key MIC */
#define MSG_V2_AUTH_EAP   0                    /* no AUTH from the peer: it asks for EAP */
/* RFC 7427 hash algorithms (SIGNATURE_HASH_ALGORITHMS), as a bit mask of their numbers */
#define MSG_V2_HASH_SHA256  (1 << 2)
#define MSG_V2_HASH_SHA384  (1 << 3)
#define MSG_V2_HASH_SHA512  (1 << 4)
struct msg_v2_auth_req {
	uint32_t sa_id;
	int32_t  prf;                   /* IKEv2 PRF transform ID (type 2) */
	union sa46 local, peer;
	int32_t  id_type;               /* IDi as received: IKEv2 ID type and data */
	uint16_t id_len;
	uint8_t  id[MSG_ID_MAX];
	int32_t  auth_method;           /* the peer's: 1 RSA, 2 PSK, 9/10/11 ECDSA, 14 RFC 7427 */
	uint16_t auth_len;              /* the peer's AUTH data */
	uint8_t  auth[MSG_V2_AUTH_MAX];
	int32_t  peer_hashes;           /* MSG_V2_HASH_*: what the peer announced it verifies */
	uint16_t ni_len, nr_len;
	uint8_t  ni[MSG_NONCE_MAX], nr[MSG_NONCE_MAX];
	/* RealMessage1 | Nr | prf(SK_pi, IDi'), and RealMessage2 | Ni | prf(SK_pr, IDr') */
	uint16_t oct_i_len, oct_r_len;
	uint8_t  oct_i[MSG_V2_OCTETS_MAX], oct_r[MSG_V2_OCTETS_MAX];
	int32_t  ncert;                 /* CERT payloads (X.509 signature), the peer's own first */
	uint16_t cert_len[MSG_CERT_MAX];
	uint8_t  certs[MSG_CERT_BYTES];
	/* the last IKE_AUTH after EAP succeeded (2.16): the peer's AUTH is keyed with the MSK
	 * (method 2); the octets must be the ones the EAP began with */
	int32_t  eap_final;
	char     profile[64];           /* the ikev2 profile IDr (in oct_r) was built for */
};
/* status: KEY_OK (the peer's AUTH was right; ours in auth), KEY_NO_KEY (no profile, key or
 * trust point for that identity), KEY_ERROR (a wrong AUTH or certificate, or octets that do
 * not hang together) */
struct msg_v2_auth_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_key_status */
	char     profile[64];           /* the ikev2 profile keymgr matched */
	char     group[MSG_GROUP_MAX];  /* what the authorization will look up ("" = none) */
	int32_t  peer_kind;             /* enum conf_v2_aaa_kind: how the peer authenticated */
	char     sign[8], verify[8];    /* for show: "psk", "rsa" or "ecdsa", ours and the peer's */
	int32_t  auth_method;           /* ours */
	uint16_t auth_len;
	uint8_t  auth[MSG_V2_AUTH_MAX];
	char     trustpoint[MSG_TP_MAX];/* ours signed: its certificate goes in a CERT payload */
	char     subject[256];          /* the peer's certificate, for logs and show ("" = none) */
	char     message[128];          /* why not, for the log */
	/* EAP: KEY_PENDING, our AUTH and the first EAP request for the peer; after EAP,
	 * eap_no_msk: the method gave no MSK, so both AUTHs are keyed with SK_pi/SK_pr (2.16),
	 * which ikemgr holds: keymgr vouches only that EAP succeeded */
	uint16_t eap_len;
	uint8_t  eap[MSG_EAP_MAX];
	int32_t  eap_no_msk;
	char     eap_user[MSG_USER_MAX];/* the EAP identity: the session's user */
};
/*
 * EAP relayed through keymgr to RADIUS (RFC 3579): IMSG_V2_EAP_REQ carries the peer's EAP
 * message, IMSG_V2_EAP_RES the next for the peer with status: EAP continues (an
 * Access-Challenge), EAP succeeded (the MSK stays in keymgr) or failed.
 */
enum msg_v2_eap_status { V2EAP_CONTINUE = 0, V2EAP_SUCCESS, V2EAP_FAILURE };
struct msg_v2_eap {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_v2_eap_status (answers only) */
	char     message[128];          /* why it failed, for the log */
	uint16_t eap_len;
	uint8_t  eap[MSG_EAP_MAX];
};

struct msg_xauth_req {
	uint32_t sa_id;
	char     group[MSG_GROUP_MAX];
	char     user[MSG_USER_MAX];
	char     password[MSG_PASS_MAX];
	char     auth_list[64];         /* aaa authentication login list from the profile */
	char     author_list[64];       /* aaa authorization network list */
	int32_t  authorize_only;        /* no XAUTH: only fetch the group's policy */
	union sa46 peer;
	/* sessions this login takes over (phase 1 rekey, INITIAL-CONTACT): not counted against
	 * max-users / max-logins */
	int32_t  nreplaces;
	uint32_t replaces[MSG_REPLACES_MAX];
};

#define MSG_ROUTES_MAX 8
struct msg_route {
	struct in_addr net;
	int32_t  plen;
};

struct msg_route6 {
	struct in6_addr net;
	int32_t  plen;
};

/* The merged policy for a session: group attributes overridden by per-user ones. */
struct msg_policy {
	struct in_addr addr, netmask;   /* addr 0 = none assigned */
	struct in_addr dns[2];
	int32_t  ndns;
	struct in_addr wins[2];
	int32_t  nwins;
	char     domain[64];
	char     split_dns[256];        /* comma-separated, as Unity sends it; "" = none */
	char     banner[512];
	int32_t  save_password;
	int32_t  pfs;
	int32_t  nsplit;
	struct { struct in_addr net, mask; } split[MSG_SPLIT_MAX];
	char     inacl[64];             /* access list for traffic from the client, "" = the
	                                 * template's (RADIUS Filter-Id / ipsec:inacl) */
	int32_t  session_timeout;       /* seconds, 0 = none */
	int32_t  idle_timeout;
	uint8_t  class_[253];           /* RADIUS Class, echoed in accounting */
	int32_t  class_len;
	/* RADIUS ip:interface-config for this session's interface, 0 / "" = the template's */
	int32_t  mtu, tcp_mss;
	char     outacl[64];
	/* RADIUS Framed-Route: networks routed through the session's interface */
	int32_t  nroute;
	struct msg_route route[MSG_ROUTES_MAX];
	/* the group's network-extension access-list: networks the client may claim in quick
	 * mode besides its address (common/netpolicy.c) */
	char     nem_acl[64];
	/* the group's ipv6 pool address (Mode Config INTERNAL_IP6_ADDRESS), :: = none */
	struct in6_addr addr6;
	/* RADIUS ip:interface-config "ipv6 traffic-filter NAME in|out", "" = the template's */
	char     inacl6[64], outacl6[64];
	/* the group's ipv6 dns: INTERNAL_IP6_DNS, with an IPv6 address only */
	struct in6_addr dns6[2];
	int32_t  ndns6;
	/* RADIUS Framed-IPv6-Route and Delegated-IPv6-Prefix (plen 0 = none): networks routed
	 * through the session's interface, checked (common/netpolicy.h) */
	int32_t  nroute6;
	struct msg_route6 route6[MSG_ROUTES_MAX];
	struct msg_route6 deleg6;
	/* IKEv2's ipv6 subnet-acl: INTERNAL_IP6_SUBNET, the hub side of the IPv6 CHILD_SA */
	int32_t  nsplit6;
	struct msg_route6 split6[MSG_SPLIT_MAX];
};

/*
 * XAUTH_CHALLENGED: the RADIUS server answered Access-Challenge (next token, new PIN): ikemgr
 * sends another XAUTH REQUEST showing message; the reply comes back as a new msg_xauth_req
 * and keymgr, which kept the challenge's State for this sa_id, sends it with the answer.
 */
enum msg_xauth_status { XAUTH_OK = 0, XAUTH_BAD_CREDENTIALS, XAUTH_NO_ADDRESS, XAUTH_REFUSED,
                        XAUTH_ERROR, XAUTH_CHALLENGED };
struct msg_xauth_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_xauth_status */
	char     message[192];          /* reason, for the log and the client */
	struct msg_policy policy;
};

/* Acct-Session-Id (RADIUS): unique across restarts, the same in Access- and
 * Accounting-Requests and what a Disconnect-Request names. */
#define MSG_ACCT_SID_LEN 17
static inline void msg_acct_session_id(char out[MSG_ACCT_SID_LEN], uint32_t run_id,
                                       uint32_t session_id)
{
	static const char hex[] = "0123456789ABCDEF";
	uint64_t v = (uint64_t)run_id << 32 | session_id;
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = 0;
}

struct msg_session_end {
	uint32_t session_id;
	struct in_addr addr;            /* address to give back to its pool */
	char     reason[64];
	struct in6_addr addr6;          /* same for its ipv6 pool, :: = none */
};

struct msg_ike_pkt {
	union sa46 peer, local;
	uint16_t len;                   /* bytes that follow */
};

/* The session's access lists, MTU, MSS and Framed-Routes are not here: tunmgr takes them
 * from keymgr's IMSG_AUTHZ, and checks client_addr against it. */
struct msg_va_create {
	uint32_t session_id;
	int32_t  template_num;          /* interface Virtual-TemplateN */
	struct in_addr client_addr;     /* route CLIENT/client_plen through the new interface */
	int32_t  client_plen;           /* 0 = 32; a site-to-site peer's quick mode IDci network */
	int32_t  esp_overhead;          /* bytes ESP adds, for the computed MTU */
	char     user[MSG_USER_MAX];
	union sa46 peer;
};

/*
 * keymgr's verdict on a session, sent to tunmgr before keymgr answers ikemgr: tunmgr creates
 * an interface, routes a network or installs an SA only within it (common/netpolicy.h), and
 * the session's own interface settings come from here, not from ikemgr.
 */
struct msg_authz {
	uint32_t session_id;
	struct in_addr addr;            /* Mode Config address; 0 = none (a site-to-site peer) */
	char     nem_acl[64];           /* network-extension access-list, "" = none */
	char     acl_in[64];            /* the session's own inbound access list, "" = template's */
	char     acl_out[64];           /* same, toward the client */
	int32_t  mtu, tcp_mss;          /* the session's own, 0 = template's */
	int32_t  nroute;                /* Framed-Route networks, through this interface */
	struct msg_route route[MSG_ROUTES_MAX];
	struct in6_addr addr6;          /* Mode Config IPv6 address, :: = none */
	char     acl6_in[64], acl6_out[64];     /* the session's ipv6 traffic-filter, "" = template's */
	int32_t  nroute6;               /* Framed-IPv6-Route networks, through this interface */
	struct msg_route6 route6[MSG_ROUTES_MAX];
	struct msg_route6 deleg6;       /* Delegated-IPv6-Prefix, routed the same; plen 0 = none */
};
struct msg_authz_del {
	uint32_t session_id;
};

/* Easy VPN remote. The server's XAUTH request is answered with the ezvpn's username and
 * password, which keymgr gives only for an SA to one of that ezvpn's peers. */
struct msg_ez_xauth_req {
	uint32_t sa_id;
	char     ezvpn[64];
	union sa46 peer;
};
struct msg_ez_xauth_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_key_status: KEY_NO_KEY when none configured */
	char     user[MSG_USER_MAX];
	char     password[MSG_PASS_MAX];
};
/*
 * The interface of an Easy VPN remote session. What the server pushed (address, split
 * networks) reaches tunmgr through ikemgr, the only reader of the Mode Config reply; tunmgr
 * accepts it only for a configured ezvpn whose peer this is, and only within bounds
 * (tunmgr/ezvpn.c): a unicast host address off every local network, split networks that do
 * not cover the peer or a local network.
 */
struct msg_ez_va {
	uint32_t session_id;
	char     ezvpn[64];
	union sa46 peer, local;
	struct in_addr addr;            /* Mode Config address; 0 in network-extension mode */
	int32_t  nsplit;                /* split-include networks; 0 = everything */
	struct msg_route split[MSG_ROUTES_MAX];
	int32_t  esp_overhead;
};
/*
 * The operator's answer to a held XAUTH request (crypto ipsec client ezvpn xauth NAME). The
 * parent checks the name and relays the struct to keymgr without reading user or password;
 * keymgr answers with the same ctl_id, which the parent hands back to control.
 */
struct msg_ez_xauth_answer {
	uint32_t ctl_id;                /* the parent's tag of the control request */
	char     ezvpn[64];
	char     user[MSG_USER_MAX];
	char     password[MSG_PASS_MAX];
};
/* How long an Easy VPN remote holds the server's XAUTH request for the operator: the longest
 * crypto isakmp xauth timeout IOS accepts, so the client never gives up before the server */
#define MSG_EZ_PROMPT_WAIT 90
enum msg_ez_xauth_verdict { EZX_SENT = 0, EZX_NONE_PENDING, EZX_NOT_INTERACTIVE };
struct msg_ez_xauth_answered {
	uint32_t ctl_id;
	int32_t  verdict;               /* enum msg_ez_xauth_verdict */
	char     ezvpn[64];
};
enum msg_ez_cmd_kind { EZ_CMD_CONNECT = 1, EZ_CMD_CLEAR };
struct msg_ez_cmd {
	int32_t  kind;
	char     ezvpn[64];             /* "" = every one (clear) */
};
/*
 * The backup-gateway list a server pushed (Unity 0x7009). keymgr takes it only from the SA it
 * keyed toward a configured peer of that ezvpn, keeps unicast addresses off loopback, and
 * tells tunmgr; both then accept those servers as the ezvpn's peers too, until a reload.
 */
#define MSG_EZ_BACKUP_MAX 10         /* IOS: up to 10 backup-gateway lines */
struct msg_ez_backup {
	uint32_t sa_id;
	char     ezvpn[64];
	union sa46 peer;        /* the server that pushed it */
	int32_t  n;
	struct in_addr addr[MSG_EZ_BACKUP_MAX];
};

/*
 * The keys of a `crypto map NAME SEQ ipsec-manual` entry, from keymgr (which alone reads them
 * from the configuration) to tunmgr at start and at every reload; tunmgr takes everything else
 * (peer, transform set, ACL, SPIs) from its own, redacted, copy of the configuration and
 * installs the keys only if the SPIs match that entry. Lengths are those of the entry's
 * transform set; ikemgr never sees these.
 */
struct msg_manual_sa {
	char     map[64];
	int32_t  seq;
	uint32_t spi_in, spi_out;       /* host order, as configured */
	uint8_t  enc_in[36], enc_out[36];
	int32_t  enc_len;
	uint8_t  auth_in[64], auth_out[64];
	int32_t  auth_len;
};

/*
 * Traffic a `connect acl` ezvpn's access list permits was caught (tunmgr/eztrap.c), at most
 * one a second per ezvpn. ikemgr dials only for an ezvpn configured so and waiting.
 */
struct msg_ez_traffic {
	char     ezvpn[64];
	uint64_t packets;               /* caught (and dropped) since the last one */
};

/* show crypto ipsec client ezvpn */
struct msg_ez_state {
	char     ezvpn[64];
	char     state[24];             /* IOS words: IPSEC_ACTIVE, CONNECT_REQUIRED, ... */
	char     last_event[24];
	struct in_addr peer, addr, mask;
	char     ifname[16];            /* va17 */
	int32_t  unit;                  /* 17 -> Virtual-Access17 */
	int32_t  nsplit;
	struct msg_route split[MSG_ROUTES_MAX];
	uint32_t session_id;
	int32_t  save_password;
};

struct msg_violation {
	int32_t  offender;              /* enum proc_role of the peer that sent it */
	char     why[160];
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
	union sa46 peer, local; /* ports matter for ENCAP_UDP */
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
	/* client side of the quick-mode identities: packets to sel_net/sel_mask leave through
	 * this SA; a network other than the client's address gets a route via the interface */
	struct in_addr sel_net, sel_mask;
	/* an IPv6 SA (sel_v6): the client side is sel_net6/sel_plen6, its Mode Config address
	 * (/128) or a network within its Framed-IPv6-Routes or Delegated-IPv6-Prefix, and
	 * sel_net, sel_mask are unused. sel_plen6 0 means 128 (a zeroed message: the address). */
	int32_t  sel_v6;
	struct in6_addr sel_net6;
	int32_t  sel_plen6;
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
/* Packet counts of a session's interface, sent at most once a second when they changed:
 * DPD on-demand needs to know whether the peer is still sending. */
struct msg_va_activity {
	uint32_t session_id;
	uint64_t pkts_in, pkts_out;
};
struct msg_sa_expire {
	uint32_t session_id;
	uint32_t spi_in;
	int32_t  hard;
};

/* CLEAR_*: sessions (clear crypto session); CLEAR_SA_*: IPsec SAs only (clear crypto sa);
 * CLEAR_ISAKMP_*: IKEv1 SAs (clear crypto isakmp [CONN-ID]); CLEAR_IKEV2_*: IKEv2 SAs and
 * their sessions (clear crypto ikev2 sa [N | remote A | local A]), never the other version's. */
enum msg_clear_kind { CLEAR_ALL = 0, CLEAR_REMOTE, CLEAR_USERNAME, CLEAR_GROUP,
                      CLEAR_SA_ALL, CLEAR_SA_PEER, CLEAR_ISAKMP_ALL, CLEAR_ISAKMP_CONN,
                      CLEAR_IKEV2_ALL, CLEAR_IKEV2_ID, CLEAR_IKEV2_REMOTE, CLEAR_IKEV2_LOCAL };
struct msg_clear {
	int32_t  kind;
	union sa46 peer;                /* CLEAR_REMOTE, CLEAR_SA_PEER, CLEAR_IKEV2_REMOTE|LOCAL */
	uint32_t conn_id;               /* CLEAR_ISAKMP_CONN, CLEAR_IKEV2_ID (tunnel-id) */
	char     name[MSG_USER_MAX];
};

/*
 * The operator's crypto debugging (debug crypto ..., debug crypto condition ...): the whole
 * state, sent to every child after each change; the semantics are in common/log.c.
 */
enum msg_debug_cond_type { DCOND_ADDR = 1, DCOND_USER, DCOND_GROUP, DCOND_SPI, DCOND_ADDR6 };
#define MSG_DEBUG_COND_MAX 16
struct msg_debug_cond {
	int32_t  type;                  /* enum msg_debug_cond_type */
	uint32_t addr, mask;            /* DCOND_ADDR, network byte order */
	uint8_t  addr6[16];             /* DCOND_ADDR6: prefix addr6/plen6, no bits past plen6 */
	int32_t  plen6;
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
	union sa46 peer, local;
	struct in_addr assigned;
	char     ifname[IF_NAMESIZE];
	int32_t  unit;
	uint64_t ike_spi_i, ike_spi_r;
	uint32_t esp_spi_in, esp_spi_out;
	char     transform[64];         /* "esp-aes 256 esp-sha-hmac" */
	uint8_t  class_[253];           /* RADIUS Class of the login, for accounting */
	int32_t  class_len;
	/* the interface's own settings (RADIUS, CoA), "" / 0 = the template's */
	char     acl_in[64], acl_out[64];
	int32_t  mtu, tcp_mss;
	struct in6_addr assigned6;      /* Mode Config's IPv6 address, :: = none */
	char     acl6_in[64], acl6_out[64];     /* the session's own ipv6 traffic-filter */
	struct msg_route6 deleg6;       /* RADIUS Delegated-IPv6-Prefix, plen 0 = none */
};
struct msg_session_down {
	uint32_t session_id;
	char     reason[64];
};
struct msg_counters {
	uint32_t session_id;
	uint64_t pkts_in, pkts_out, bytes_in, bytes_out;
	uint64_t drop_auth, drop_replay, drop_other;
	int32_t  final;                 /* the interface is gone: these are the last */
};

/*
 * One accounting record from the parent's durable queue (SQLite acct_queue). keymgr sends it
 * to the record's server group and answers with the queue id; the parent deletes nothing
 * until then, and sends the next only after (records go out in order).
 */
enum msg_acct_status { ACCT_START = 1, ACCT_STOP = 2, ACCT_INTERIM = 3,
                       ACCT_ON = 7, ACCT_OFF = 8 };   /* RFC 2866 values; On/Off: no session */
struct msg_acct {
	int64_t  qid;                   /* acct_queue.id */
	int32_t  status;                /* enum msg_acct_status */
	char     group[64];             /* RADIUS server group */
	char     user[MSG_USER_MAX];
	char     acct_session_id[MSG_ACCT_SID_LEN];
	struct in_addr framed_ip;
	union sa46 peer;                /* Calling-Station-Id; unset: none */
	uint8_t  class_[253];
	int32_t  class_len;
	uint32_t session_time;          /* seconds (Interim, Stop) */
	uint32_t delay_time;            /* seconds since the event (Acct-Delay-Time) */
	uint64_t in_octets, out_octets, in_pkts, out_pkts;
	int32_t  terminate_cause;       /* RFC 2866 5.10 (Stop) */
	struct in6_addr framed_ip6;     /* the session's IPv6 address, :: = none */
	struct msg_route6 deleg6;       /* its Delegated-IPv6-Prefix, plen 0 = none */
};
/* ACCT_SENT: acknowledged; ACCT_RETRY: no server answered, keep it; ACCT_DROP: it can never
 * be sent (its server group is gone from the configuration). */
enum msg_acct_result { ACCT_SENT = 0, ACCT_RETRY, ACCT_DROP };
/* Acct-Terminate-Cause (RFC 2866 5.10) for a session's end reason (common/acct_cause.c). */
int msg_acct_cause(const char *reason);
struct msg_acct_res {
	int64_t  qid;
	int32_t  result;                /* enum msg_acct_result */
	char     server[64];            /* the server that acknowledged */
	char     why[160];
};


/*
 * Main mode with signatures (RFC 2409 5.1): ikemgr computes HASH_I itself (SKEYID needs no
 * secret there) and hands keymgr the peer's certificates, identity and signature; keymgr,
 * which holds the trust points, checks the chain (validity, CRL), that the identity is the
 * certificate's, and the signature. Then ikemgr asks keymgr to sign HASH_R with the trust
 * point's key. The private key never leaves keymgr.
 */
/*
 * The parts of an IKEv1 main mode HASH_I or HASH_R but the ID (RFC 2409 5.1): prf(SKEYID,
 * g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), and HASH_R with the roles swapped. keymgr
 * computes every hash it verifies a signature over or signs itself from these, so that
 * ikemgr can have only PRF outputs of real exchanges signed, never a value of its choosing.
 */
#define MSG_GX_MAX  1024                /* group 16: 4096-bit */
#define MSG_SAI_MAX 1024
struct msg_hash_parts {
	int32_t  prf_hash;              /* IKE_HASH_* */
	uint16_t skeyid_len, gx_len, sai_len;
	uint8_t  cky_i[8], cky_r[8];
	uint8_t  skeyid[MSG_KEY_MAX];
	uint8_t  gxi[MSG_GX_MAX], gxr[MSG_GX_MAX];
	uint8_t  sai_b[MSG_SAI_MAX];
};
struct msg_cert_verify_req {
	uint32_t sa_id;
	int32_t  auth_method;           /* as negotiated: 3 RSA, 65005 XAUTHInitRSA, 9/10/11 ECDSA */
	union sa46 peer;
	char     trustpoint[MSG_TP_MAX];/* only this one; "" = any configured */
	uint16_t id_len;                /* IDii body: type, protocol, port, data */
	uint8_t  id[MSG_ID_MAX];
	/* HASH_I (or HASH_R when we initiated): keymgr's queue fills it from parts and id,
	 * whatever ikemgr put here */
	uint16_t hash_len, sig_len;
	uint8_t  hash[MSG_KEY_MAX];
	uint8_t  sig[MSG_SIG_MAX];      /* the SIG payload's body */
	int32_t  ncert;                 /* the first is the peer's own */
	uint16_t cert_len[MSG_CERT_MAX];
	uint8_t  certs[MSG_CERT_BYTES]; /* DER, back to back */
	/* we initiated for interface TunnelN: its trust point only, and the peer's certificate
	 * must carry the tunnel destination (peer) in its subjectAltName */
	char     vti[64];
	struct msg_hash_parts parts;
};
enum msg_cert_status { CERT_OK = 0, CERT_UNTRUSTED, CERT_BAD_ID, CERT_BAD_SIG, CERT_ERROR };
struct msg_cert_verify_res {
	uint32_t sa_id;
	int32_t  status;                /* enum msg_cert_status */
	char     reason[192];           /* why not, for the log */
	char     trustpoint[MSG_TP_MAX];/* the one that vouched */
	char     subject[256];          /* the peer certificate's subject, one line */
	char     ou[MSG_GROUP_MAX];     /* its first OU: the group, as on IOS; "" = none */
	/* CERT_OK: the crypto pki certificate maps (labels) the certificate matches, for the
	 * isakmp profiles' match certificate; "" ends the list */
	char     certmaps[MSG_CERTMAPS][64];
};
/* HASH_R for an SA whose peer keymgr has just vouched for: computed by keymgr from the parts
 * it checked HASH_I with and idr, our IDir_b (the trust point's subject); hash is keymgr's. */
struct msg_sign_req {
	uint32_t sa_id;
	char     trustpoint[MSG_TP_MAX];
	int32_t  auth_method;
	uint16_t hash_len;
	uint8_t  hash[MSG_KEY_MAX];
	uint16_t idr_len;
	uint8_t  idr[MSG_ID_MAX];
};
/* A static VTI's HASH_I (main mode rsa-sig, we initiate) in its parts: keymgr computes it
 * and signs only that, with IDii_b its own certificate's subject. */
struct msg_vti_sign_req {
	uint32_t sa_id;
	char     vti[64];
	union sa46 peer;
	struct msg_hash_parts parts;
	uint16_t idii_len;
	uint8_t  idii_b[MSG_ID_MAX];
};
struct msg_sign_res {
	uint32_t sa_id;
	int32_t  status;                /* 0 ok */
	char     reason[128];
	uint16_t sig_len;
	uint8_t  sig[MSG_SIG_MAX];
};

/* The SA tables of the session store. An IKE SA is reported once phase 1 is authenticated
 * and again on each state change; the session id is its conn-id. */
struct msg_ike_sa {
	uint32_t session_id;
	uint8_t  cky_i[8], cky_r[8];
	union sa46 peer, local;
	char     state[16];             /* IOS name: CONF_XAUTH, CONF_ADDR, QM_IDLE */
	char     encr[16], hash[16], auth[16];   /* "aes 256", "sha256", "psk" */
	int32_t  dh_group;
	uint32_t lifetime;              /* seconds, from established */
	int64_t  established;           /* unix time phase 1 completed */
	int32_t  caps;                  /* IKE_CAP_* */
	char     local_id[64];          /* IKEv2: the identity we sent (IDr) as text, else "" */
};
/* IKE_CAP_V2: the SA is IKEv2's (show crypto session says IKEv2 SA) */
enum { IKE_CAP_CFG = 1, IKE_CAP_DPD = 2, IKE_CAP_NAT = 4, IKE_CAP_XAUTH = 8, IKE_CAP_V2 = 16 };
struct msg_ike_sa_down {
	uint32_t session_id;
	char     reason[64];
};
/* An IPsec SA pair (one inbound, one outbound SPI) as installed in tunmgr. */
struct msg_ipsec_sa {
	uint32_t session_id;
	uint32_t spi_in, spi_out;       /* network byte order */
	union sa46 peer, local;
	char     ifname[IF_NAMESIZE];
	int32_t  unit;
	struct in_addr remote_ident;    /* the client's address (0: any) */
	char     transform[64];         /* "esp-aes 256 esp-sha-hmac" */
	int32_t  encap;                 /* enum msg_encap */
	int32_t  pfs_group;             /* 0: none */
	int32_t  iv_size;
	uint32_t life_seconds, life_kb;
	int64_t  installed;             /* unix time */
	/* our proxy identity, set only where it is not "any": the Easy VPN remote's address or
	 * inside network (the hub's side of its own sessions is 0.0.0.0/0) */
	struct in_addr local_ident, local_ident_mask;
};
struct msg_ipsec_sa_down {
	uint32_t session_id;
	uint32_t spi_in;                /* network byte order */
	char     reason[64];
};
/* Per SA pair, cumulative: sent every stats period when they changed, and when it goes. */
struct msg_sa_counters {
	uint32_t session_id;
	uint32_t spi_in, spi_out;       /* network byte order */
	uint64_t pkts_encaps, bytes_encaps, pkts_decaps, bytes_decaps;
	uint64_t verify_fail, replay_fail, recv_errors, send_errors;
};

/* A manual crypto map entry tunmgr installed, for show crypto ipsec sa. tunmgr, not ikemgr,
 * is the authority here (no IKE): the parent takes it only for session ids from
 * MSG_CM_SESSION_BASE up (never a hub session's row). */
#define MSG_CM_SESSION_BASE 0xfffff000u /* + N for cmN */
struct msg_cm_sa {
	struct msg_ipsec_sa sa;         /* remote_ident: the ACE's destination */
	char     map[64];
	int32_t  seq;
	char     iface[64];             /* the interface the map is applied to */
	struct in_addr local_net, local_mask, remote_mask;  /* the ACE's source, masks */
};

/*
 * A Disconnect-Request (coa = 0) or CoA-Request (coa = 1) that keymgr authenticated: ikemgr
 * finds the live sessions it names (every identifier given must match, or any one with
 * match_any) and ends them with reason "radius disconnect" or applies the changes, then
 * answers with the Error-Cause of a NAK (0 = ACK).
 */
struct msg_dynauth_req {
	uint32_t req_id;                /* keymgr's, echoed */
	int32_t  coa;
	int32_t  match_any;             /* auth-type any */
	int32_t  has_user, has_acct_sid, has_framed_ip, has_calling;
	char     user[MSG_USER_MAX];
	char     acct_sid[MSG_ACCT_SID_LEN];
	struct in_addr framed_ip;
	char     calling[INET_ADDRSTRLEN];   /* Calling-Station-Id: the peer's address */
	int32_t  has_session_timeout;
	int32_t  session_timeout;       /* seconds from the session's start, 0 = none */
	int32_t  has_acl;
	char     acl[64];               /* inbound access list of the session's interface */
};
#define MSG_DYNAUTH_IDS 64     /* a CoA's new access list reaches these sessions */
struct msg_dynauth_res {
	uint32_t req_id;
	int32_t  error_cause;           /* 0: ACK; else the NAK's Error-Cause (RFC 5176) */
	int32_t  nmatched;
	uint32_t session_id[MSG_DYNAUTH_IDS];   /* the first ones, for keymgr's log line */
};
struct msg_va_set_acl {
	uint32_t session_id;
	char     acl_in[64];            /* "" = the template's */
};

/* A local user's failed logins (aaa local authentication attempts max-fail); fails 0 and not
 * locked: forget the user. */
struct msg_lockout {
	char     user[MSG_USER_MAX];
	int32_t  fails;
	int32_t  locked;
	int64_t  last_fail;             /* unix time */
	union sa46 last_addr;           /* where the last failure came from */
};
struct msg_lockout_clear {
	int32_t  all;
	char     user[MSG_USER_MAX];
};
/* show crypto call admission statistics */
struct msg_adm_stats {
	int32_t  limit_in_neg, limit_in_neg_peer, limit_sa;
	int32_t  ike_sas, in_negotiation;
	uint64_t requests, accepted, rej_in_neg, rej_peer, rej_shed, rej_sa, rej_rate,
	         rej_aggressive;
};

/*
 * keymgr's RADIUS client since it started, cumulative (Prometheus counters). Latency is from
 * a request's submission to its answer or its last failure, over every server tried.
 */
enum { RADS_AUTH = 0, RADS_ACCT, RADS_NKIND };
enum { RADS_ACCEPT = 0, RADS_REJECT, RADS_CHALLENGE, RADS_ERROR, RADS_ACCT_OK, RADS_NRESULT };
#define MSG_RADIUS_BUCKETS 10       /* <= 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5 s; +Inf */
struct msg_radius_stats {
	uint64_t requests[RADS_NKIND];          /* jobs submitted */
	uint64_t results[RADS_NRESULT];         /* how they ended */
	uint64_t sent[RADS_NKIND];              /* datagrams, retransmissions included */
	uint64_t retransmits, timeouts;         /* a server that never answered: one timeout */
	uint64_t failovers;                     /* moved on to the group's next server */
	uint64_t ignored;                       /* replies dropped: not from where, bad auth, ... */
	uint64_t lat_bucket[RADS_NKIND][MSG_RADIUS_BUCKETS + 1];   /* non-cumulative; last +Inf */
	uint64_t lat_sum_us[RADS_NKIND];
	int32_t  inflight;
};

/* tunmgr's drops that no session is charged with, and UDP 4500's IKE datagrams, cumulative */
struct msg_dp_stats {
	uint64_t drop_unknown_spi, drop_short;  /* ESP for no SA; runts */
	uint64_t drop_acl;                      /* denied by an access list (also in the
	                                           session's drop_other) */
	uint64_t ike_forwarded, ike_dropped;    /* to ikemgr; dropped with its queue full */
};

/* ikemgr's IKE datagrams and the IKE SAs that never became a session, by reason (the
 * reason strings of ike_sa_delete: "authentication failed", "phase 1 timeout", ...) */
#define MSG_IKE_FAIL_MAX 32
struct msg_ike_stats {
	uint64_t rx, tx, rx_bytes, tx_bytes;
	uint64_t drop_short, drop_malformed, drop_unknown_sa, drop_hash, drop_decrypt, drop_state;
	uint64_t no_proposal, bad_id, duplicates, retransmits;
	uint64_t sessions_up, sessions_down;
	/* IKEv2 fragments (RFC 7383): authentic ones taken, messages put back together, ours
	 * sent, dropped (malformed, forged, inconsistent), already had */
	uint64_t v2_frag_rx, v2_frag_reassembled, v2_frag_tx, v2_frag_drop, v2_frag_dup;
	int32_t  nfail;                 /* the last one may be "other": the table was full */
	struct {
		char     reason[48];
		uint64_t n;
	} fail[MSG_IKE_FAIL_MAX];
};

/*
 * The control process (control/) asks the parent for what it may not do itself. The parent
 * re-checks every field it acts on: control parses operator input and is not trusted.
 */
struct msg_ctl_dbpath {
	char     path[4096];            /* the session store, opened read-only before the drop */
};
enum msg_ctl_kind {
	CTL_PING = 1,                   /* answer: "pong PID" of the parent */
	CTL_SHUTDOWN,
	CTL_RELOAD,
	CTL_CLEAR,                      /* u.clear, forwarded to ikemgr */
	CTL_DEBUG,                      /* u.debug: the whole new state, to every process */
	CTL_LOCKOUT_CLEAR,              /* u.lockout, forwarded to keymgr */
	CTL_EZVPN,                      /* u.ez: crypto ipsec client ezvpn connect, clear crypto
	                                   ipsec client ezvpn; IMSG_EZ_CMD to ikemgr */
};
struct msg_ctl_req {
	int32_t  kind;                  /* enum msg_ctl_kind */
	union {
		struct msg_clear         clear;
		struct msg_debug         debug;
		struct msg_lockout_clear lockout;
		struct msg_ez_cmd        ez;
	} u;
};
/* A log line at or above `logging buffered`'s level, and the parent's counters, for the ring
 * that show logging prints (control/show_logging.c) */
#define MSG_LOG_LINE_MAX 1200
struct msg_log_line {
	int32_t  pri;
	int32_t  dest;                  /* the parent's enum logsink_mode: stderr, syslog, journal */
	uint64_t logged;                /* lines the parent has seen */
	uint64_t dropped;               /* lines lost: full relay pipes, sockets that refused */
	uint64_t sent;                  /* lines sent to syslog, the journal or a logging host */
	char     line[MSG_LOG_LINE_MAX];
};
#define MSG_CTL_TEXT_MAX 1024
struct msg_ctl_res {
	int32_t  rc;                    /* 0 done, -1 refused or failed */
	char     text[MSG_CTL_TEXT_MAX];  /* lines for the operator, "" when none */
};

#endif
