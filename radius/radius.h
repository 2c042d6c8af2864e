/*
 * The RADIUS module: the client (client.c: non-blocking on the caller's libuv loop, one UDP
 * socket per server, up to 256 requests in flight on each, a timer per request), the wire
 * format (wire.c: building requests, checking replies), the attributes vpnd reads (attr.c),
 * accounting (acct.c) and RFC 5176 Disconnect/CoA (dynauth*.c). Failover over the servers of
 * a group, and dead-server marking (radius-server deadtime / dead-criteria), are done here.
 * keymgr links it: the secrets stay in keymgr's process.
 */
#ifndef VPND_RADIUS_H
#define VPND_RADIUS_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "common/conf.h"
#include "common/msg.h"

#define RAD_STR_MAX 254     /* an attribute value is at most 253 bytes */
#define RAD_MAX_ROUTES 8
#define RAD_MAX_IFCFG  4
#define RAD_IFCFG_LEN  128

/* What an Access-Accept (or Access-Challenge) carried that vpnd uses. -1 / 0 = not given. */
struct rad_attrs {
	/* group policy: Cisco-AVPair "ipsec:NAME=VALUE" */
	char     key[CONF_SECRET_MAX];       /* ipsec:tunnel-password (the group key) */
	int      has_key;
	char     pool[CONF_NAME_MAX];        /* ipsec:addr-pool (a local pool) */
	struct in_addr dns[2];               /* ipsec:dns-servers */
	int      ndns;
	struct in_addr wins[2];              /* ipsec:wins-servers */
	int      nwins;
	char     domain[64];                 /* ipsec:default-domain */
	char     split_acl[CONF_NAME_MAX];   /* ipsec:split-tunnel-list (a local ACL) */
	char     banner[512];                /* ipsec:banner */
	int      save_password;              /* ipsec:save-password, -1 = not given */
	int      pfs;                        /* ipsec:pfs, -1 = not given */
	int      max_users;                  /* ipsec:max-users, -1 = not given */
	char     inacl[CONF_NAME_MAX];       /* ipsec:inacl: a local access list for the session */
	char     nem_acl[CONF_NAME_MAX];     /* ipsec:network-extension-acl (vpnd): networks the
	                                        client may have behind it, a local access list */
	char     filter_id[CONF_NAME_MAX];   /* Filter-Id: the same, standard attribute */
	char     user_vpn_group[CONF_NAME_MAX];   /* ipsec:user-vpn-group: the user's group
	                                             (group-lock) */
	/* user policy: standard attributes */
	struct in_addr framed_ip, framed_mask;
	int      session_timeout, idle_timeout;   /* seconds, 0 = none */
	uint8_t  class_[RAD_STR_MAX];        /* Class, echoed in accounting */
	size_t   class_len;
	struct { struct in_addr net; int plen; } route[RAD_MAX_ROUTES];   /* Framed-Route */
	int      nroute;
	int      bad_routes;                 /* Framed-Route values refused */
	char     ifcfg[RAD_MAX_IFCFG][RAD_IFCFG_LEN];   /* Cisco-AVPair ip:interface-config */
	int      nifcfg;
	/* challenge */
	char     reply_message[192];
	uint8_t  state[RAD_STR_MAX];
	size_t   state_len;
	int      bad_avpairs;                /* malformed ipsec: pairs dropped */
	/* IPv6 (RFC 3162, RFC 6911): Framed-IPv6-Address, or Framed-IPv6-Prefix with a /128,
	 * is the session's address; Framed-IPv6-Pool names the ipv6 local pool to take it from */
	struct in6_addr framed_ip6;          /* :: = not given */
	char     framed_pool6[CONF_NAME_MAX];
	int      bad_v6;                     /* IPv6 attributes malformed or not supported */
	/* networks routed to the client through its interface: Framed-IPv6-Route (RFC 3162
	 * 2.5) and Delegated-IPv6-Prefix (RFC 4818), plen 0 = none */
	struct { struct in6_addr net; int plen; } route6[RAD_MAX_ROUTES];
	int      nroute6;
	int      bad_routes6;                /* Framed-IPv6-Route values refused */
	struct in6_addr deleg6;
	int      deleg6_plen;
	int      bad_deleg6;                 /* Delegated-IPv6-Prefix values refused */
	/* DNS-Server-IPv6-Address (RFC 6911 3.2), in the order given: INTERNAL_IP6_DNS */
	struct in6_addr dns6[2];
	int      ndns6;
	/* EAP (RFC 3579): the EAP-Message attributes joined, and the MSK of an Access-Accept
	 * (MS-MPPE-Recv-Key | MS-MPPE-Send-Key, RFC 2548, decrypted; eap.c) */
	uint8_t  eap[MSG_EAP_MAX];
	size_t   eap_len;
	int      eap_bad;                    /* too long for eap[] */
	uint8_t  msk[64];
	size_t   msk_len;
};

void rad_attrs_init(struct rad_attrs *a);
/*
 * One Cisco-AVPair value ("ipsec:dns-servers=10.0.0.53 10.0.0.54"; '*' in place of '=' marks
 * an optional pair). Returns 1 when applied, 0 when not for us (another prefix or an unknown
 * ipsec: name), -1 when malformed (the pair is dropped and counted).
 */
int rad_avpair_apply(struct rad_attrs *a, const char *val, size_t len);

/*
 * One Framed-Route value (RFC 2865 5.22: "NET[/BITS] GATEWAY METRICS...", or Cisco's
 * "NET MASK ..."): the network is added to the session's routes. Returns 1 when taken, -1
 * when malformed or refused (a default route, too many routes); the gateway and metrics are
 * not used (the route goes through the session's interface).
 */
int rad_framed_route(struct rad_attrs *a, const char *val, size_t len);

/*
 * One Framed-IPv6-Route value (RFC 3162 2.5: "PREFIX[/LEN] [GATEWAY [METRIC...]]", /128 when
 * no length is given): the prefix, host bits cleared, is added to the session's IPv6 routes.
 * Returns 1 when taken, -1 when malformed or refused (::/0, a bad gateway, too many routes).
 * The gateway and metrics are checked for form only: the route goes through the session's
 * interface.
 */
int rad_framed_ipv6_route(struct rad_attrs *a, const char *val, size_t len);
/*
 * One Delegated-IPv6-Prefix value (RFC 4818 2: reserved, prefix-length, then the prefix in
 * as many bytes as it needs, up to 16). Returns 1 when taken, -1 when malformed, a zero
 * length, or a second one (a session has one delegated prefix).
 */
int rad_delegated_prefix(struct rad_attrs *a, const uint8_t *val, size_t len);

/*
 * Checks a reply datagram against the request it answers (ID, code, lengths, attribute
 * framing, Cisco VSA framing, Response Authenticator, Message-Authenticator when present,
 * which it must be when the reply carries EAP-Message: RFC 3579 3.2). Returns 0 when well
 * formed and authentic, -1 otherwise; *flags (may be NULL) gets RAD_F_* bits.
 */
#define RAD_F_MSG_AUTH 1        /* the reply had a (valid) Message-Authenticator */
#define RAD_F_EAP      2        /* the reply had EAP-Message */
int rad_reply_check(const uint8_t *req, size_t reqlen, const uint8_t *rep, size_t replen,
                    const char *secret, unsigned *flags);
/* The attributes of a checked Access-Accept or Access-Challenge into a (attr.c). */
void rad_reply_parse(const uint8_t *rep, size_t len, struct rad_attrs *a);

/*
 * EAP through RADIUS (eap.c, RFC 3579 and RFC 2548). rad_put_eap: msg as EAP-Message
 * attributes of at most 253 bytes each (the Message-Authenticator is there already).
 * rad_reply_msk: the MSK of a checked Access-Accept to the request whose Request
 * Authenticator is req_auth: MS-MPPE-Recv-Key | MS-MPPE-Send-Key decrypted with the secret;
 * its length (64), 0 when the reply has none, -1 when they are malformed.
 */
struct rad_pkt;
void rad_put_eap(struct rad_pkt *p, const uint8_t *msg, size_t len);
int  rad_reply_msk(const uint8_t *rep, size_t len, const uint8_t req_auth[16], const char *secret,
                   uint8_t msk[64]);

/* Building a request (wire.c). */
#define RAD_PKT_MAX 4096
struct rad_pkt {
	uint8_t  b[RAD_PKT_MAX];
	size_t   len;
	size_t   ma;            /* offset of the Message-Authenticator attribute, 0 = none */
	int      overflow;      /* an attribute did not fit: the packet must not be sent */
};
/* Code, ID and, as the first attribute, a Message-Authenticator (BlastRADIUS,
 * CVE-2024-3596); an Access-Request gets a random Request Authenticator. */
void rad_pkt_init(struct rad_pkt *p, uint8_t code, uint8_t id);
void rad_put(struct rad_pkt *p, uint8_t type, const void *v, size_t n);
void rad_put_str(struct rad_pkt *p, uint8_t type, const char *s);
void rad_put_u32(struct rad_pkt *p, uint8_t type, uint32_t v);
/* User-Password hidden with the secret and the Request Authenticator (RFC 2865 5.2). */
void rad_put_password(struct rad_pkt *p, const char *pw, const char *secret);
/* Sets the Length, the Message-Authenticator (RFC 3579 3.2) and, for an
 * Accounting-Request, the Request Authenticator (RFC 2866 3). Returns -1 on overflow. */
int  rad_pkt_finish(struct rad_pkt *p, const char *secret);
/* HMAC-MD5(secret, pkt) with the Message-Authenticator value at ma zeroed and, when auth is
 * not NULL, auth in place of the packet's authenticator: the value that belongs at ma. */
int  rad_msg_auth(const uint8_t *pkt, size_t len, size_t ma, const uint8_t *auth,
                  const char *secret, uint8_t out[16]);

enum rad_result { RAD_ACCEPT = 0, RAD_REJECT, RAD_CHALLENGE, RAD_ERROR };

enum radius_job_kind { RAD_JOB_AUTH = 0, RAD_JOB_ACCT };

struct radius_job {
	/* in */
	int      kind;                        /* enum radius_job_kind */
	struct msg_acct acct;                 /* RAD_JOB_ACCT: the record */
	char     group[CONF_NAME_MAX];       /* server group ("radius" = every server) */
	char     user[128];
	char     password[128];
	uint8_t  state[RAD_STR_MAX];          /* State of a previous Access-Challenge */
	size_t   state_len;
	/* EAP relayed (RFC 3579): this message instead of a password, Framed-MTU (EAP-TLS) */
	uint8_t  eap[MSG_EAP_MAX];
	size_t   eap_len;
	int      framed_mtu;
	union sa46 peer;                      /* Calling-Station-Id */
	uint32_t session_id;                  /* Acct-Session-Id */
	/* out */
	int      result;                      /* enum rad_result */
	char     server[CONF_NAME_MAX];       /* the server that answered */
	char     why[160];                    /* for RAD_ERROR */
	int      no_server;                   /* RAD_ERROR because the group names no server */
	struct rad_attrs attrs;
	/* completion, on keymgr's loop */
	void   (*done)(struct radius_job *);
	void    *arg;
};

/* A server's address, or a reply's source, in either family. */
union rad_sa {
	struct sockaddr     sa;
	struct sockaddr_in  in;
	struct sockaddr_in6 in6;
};
/* Our address toward a server: NAS-IP-Address or NAS-IPv6-Address; family 0 = unknown. */
struct rad_nas {
	int      family;
	struct in_addr v4;
	struct in6_addr v6;
};

/* request.c: the request for j, signed with secret, with ID id (-1 on overflow) */
int  rad_build_request(struct rad_pkt *p, const struct vpnd_conf *c, uint8_t id,
                       const struct radius_job *j, const char *secret,
                       const struct rad_nas *nas_ip);

/* Starts the client on loop (NULL: a private loop, run by radius_submit until the request
 * is answered: unit tests and radius_probe). */
int  radius_init(const struct vpnd_conf *conf, uv_loop_t *loop);
/* keymgr rewrites the configuration in place between these two calls. */
void radius_reload_begin(void);
void radius_reload_end(void);
/* Starts a job; done() runs later on the loop (with a private loop: before this returns).
 * The job must stay allocated until then. */
void radius_submit(struct radius_job *job);

/* How the module hands messages to another process (keymgr sends them as imsgs). */
typedef void (*radius_send_fn)(uint32_t type, uint32_t peerid, const void *data, size_t len);
/* acct.c: accounting records from the parent, answered through send with IMSG_ACCT_RES */
void radius_acct_init(const struct vpnd_conf *conf, radius_send_fn send);
void radius_acct(const struct msg_acct *);

#endif
