/*
 * The running configuration, as parsed from the IOS-style file.
 *
 * Why flat, fixed-size arrays and no pointers: the parent parses the file once and ships the
 * struct to each child as one blob over its socketpair (same binary, same layout). ikemgr and
 * tunmgr get a copy passed through conf_redact(), so no secret ever reaches them; keymgr gets the
 * whole thing. Names are kept as strings and resolved with the conf_find_* helpers.
 */
#ifndef VPND_CONF_H
#define VPND_CONF_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <netinet/in.h>

#include "common/sa46.h"

#define CONF_NAME_MAX    64
#define CONF_SECRET_MAX  128
#define CONF_MAX_SPLIT_DNS 10        /* as IOS: up to 10 split-dns lines per group */
#define CONF_MAX_BACKUP_GW 10        /* as IOS: up to 10 backup-gateway lines per group */
#define CONF_TEXT_MAX    512
#define CONF_PATH_MAX    256

#define CONF_MAX_POLICIES      32
#define CONF_MAX_GROUPS        32
#define CONF_MAX_PROFILES      32
#define CONF_MAX_PROFILE_MATCH 8
#define CONF_MAX_TSETS         32
#define CONF_MAX_TSET_REFS     6
#define CONF_MAX_IPSEC_PROF    32
#define CONF_MAX_IFACES        32
#define CONF_MAX_POOLS         16
#define CONF_MAX_POOLS6        8
#define CONF_MAX_ACLS6         16
#define CONF_MAX_USERS         64
#define CONF_MAX_ACLS          32
#define CONF_MAX_ACES          32
#define CONF_MAX_ISAKMP_KEYS   32
#define CONF_MAX_AAA_LISTS     16
#define CONF_MAX_ROUTES        32
#define CONF_MAX_DNS           2
#define CONF_MAX_KEYRINGS      16
#define CONF_MAX_KEYRING_KEYS  16
#define CONF_MAX_RADIUS        8
#define CONF_MAX_RADIUS_GROUPS 8
#define CONF_MAX_GROUP_SERVERS 8
#define CONF_RADIUS_KEY_MAX    49   /* 48 characters (radcli's limit, kept) */
#define CONF_MAX_TRUSTPOINTS   4
#define CONF_MAX_EZVPN         8
#define CONF_MAX_CMAPS         16    /* crypto map entries (NAME SEQ), all maps together */
#define CONF_CMAP_PEERS        4
#define CONF_EZVPN_PEERS       10    /* as IOS: up to 10 peer lines */
#define CONF_EZVPN_INSIDE      4
#define CONF_PKI_CA_MAX        8192  /* DER of the trust point's CA certificates, concatenated */
#define CONF_PKI_CERT_MAX      4096
#define CONF_PKI_KEY_MAX       4096  /* RSA 4096 is about 2.4 KB of DER */
#define CONF_PKI_CRL_MAX       16384
#define CONF_PKI_NAME_MAX      512   /* a DER distinguished name */

/* IKEv1 phase 1 attribute values (RFC 2409 appendix A), kept as on the wire. */
enum conf_ike_encr { IKE_ENCR_DES = 1, IKE_ENCR_3DES = 5, IKE_ENCR_AES = 7 };
enum conf_ike_hash { IKE_HASH_MD5 = 1, IKE_HASH_SHA1 = 2, IKE_HASH_SHA256 = 4,
                     IKE_HASH_SHA384 = 5, IKE_HASH_SHA512 = 6 };
/* ECDSA_SIG covers RFC 4754's three methods (9, 10, 11: P-256, P-384, P-521) */
enum conf_ike_auth { IKE_AUTH_PSK = 1, IKE_AUTH_RSA_SIG = 3, IKE_AUTH_ECDSA_SIG = 9 };

/* ESP transforms, our own numbering (ikemgr maps to/from IPsec DOI values). */
enum conf_esp_encr { ESP_ENCR_NONE = 0, ESP_ENCR_DES, ESP_ENCR_3DES, ESP_ENCR_AES_CBC,
                     ESP_ENCR_AES_GCM16, ESP_ENCR_NULL };
enum conf_esp_auth { ESP_AUTH_NONE = 0, ESP_AUTH_HMAC_MD5_96, ESP_AUTH_HMAC_SHA1_96,
                     ESP_AUTH_HMAC_SHA256_128, ESP_AUTH_HMAC_SHA384_192,
                     ESP_AUTH_HMAC_SHA512_256 };

struct conf_isakmp_policy {
	int      priority;          /* 1..10000, lower is tried first */
	int      encr;              /* enum conf_ike_encr */
	int      keylen;            /* bits, AES only (128/192/256); 0 otherwise */
	int      hash;              /* enum conf_ike_hash */
	int      auth;              /* enum conf_ike_auth */
	int      group;             /* DH group: 1,2,5,14,15,16,19,20,21 */
	uint32_t lifetime;          /* seconds */
	int      line;              /* where it was defined, for messages */
};

struct conf_group {
	char     name[CONF_NAME_MAX];
	char     key[CONF_SECRET_MAX];        /* group pre-shared key: keymgr only */
	int      has_key;
	char     pool[CONF_NAME_MAX];         /* ip local pool name, "" if none */
	char     pool6[CONF_NAME_MAX];        /* ipv6 pool NAME: an ipv6 local pool, "" if none */
	struct in_addr dns[CONF_MAX_DNS];
	int      ndns;
	struct in6_addr dns6[CONF_MAX_DNS];   /* ipv6 dns A [B]: INTERNAL_IP6_DNS */
	int      ndns6;
	struct in_addr wins[CONF_MAX_DNS];
	int      nwins;
	char     domain[CONF_NAME_MAX];
	char     split_dns[CONF_MAX_SPLIT_DNS][CONF_NAME_MAX];   /* split-dns DOMAIN lines */
	int      nsplit_dns;
	char     acl[CONF_NAME_MAX];          /* split-tunnel ACL name */
	char     banner[CONF_TEXT_MAX];
	int      save_password;
	int      pfs;
	int      max_users;                   /* 0 = unlimited */
	int      max_logins;                  /* per user, 0 = unlimited */
	struct in_addr netmask;               /* pushed netmask; 0 = 255.255.255.255 */
	/* network-extension access-list NAME (vpnd extension): networks a client of the group
	 * may have behind it; "" = its Mode Config address only */
	char     nem_acl[CONF_NAME_MAX];
	int      group_lock;                  /* XAUTH user must be USER@GROUP of this group */
	int      include_local_lan;           /* Unity 0x7006: the client keeps its LAN */
	int      firewall_ayt;                /* firewall are-u-there: accepted, not enforced */
	char     backup_gw[CONF_MAX_BACKUP_GW][CONF_NAME_MAX];   /* Unity 0x7009, in order */
	int      nbackup_gw;
	int      line;
};

/*
 * The IPv6 half of a peer address selector (crypto isakmp key, keyring pre-shared-key, match
 * identity address): `address ipv6 P/LEN` sets is6 and leaves addr/mask zero, so code that
 * reads addr/mask must skip an is6 entry (conf_sel_covers does). Bits past plen6 are zero.
 */
#define CONF_ADDR6_SEL  int is6; struct in6_addr addr6; int plen6

struct conf_isakmp_profile {
	char     name[CONF_NAME_MAX];
	char     match_group[CONF_MAX_PROFILE_MATCH][CONF_NAME_MAX];
	int      nmatch_group;
	/* match certificate MAP: certificates the map matches (ORed with match identity group;
	 * the group is then the profile's client configuration group) */
	char     match_cert[CONF_NAME_MAX];
	char     client_auth_list[CONF_NAME_MAX];   /* aaa authentication login list (XAUTH) */
	char     isakmp_auth_list[CONF_NAME_MAX];   /* aaa authorization network list */
	char     acct_list[CONF_NAME_MAX];          /* accounting LIST: aaa accounting network */
	int      config_respond;                    /* client configuration address respond */
	int      config_initiate;
	int      virtual_template;                  /* 0 = none */
	int      keepalive;                         /* DPD seconds, 0 = global */
	int      keepalive_retry;
	/* main mode by address: match identity address A [MASK] | ipv6 P/LEN (several), keyring,
	 * local-address */
	struct { struct in_addr addr, mask; CONF_ADDR6_SEL; } match_addr[CONF_MAX_PROFILE_MATCH];
	int      nmatch_addr;
	char     keyring[CONF_NAME_MAX];            /* "" = none */
	char     client_group[CONF_NAME_MAX];       /* client configuration group: main mode
	                                               XAUTH/Mode Config policy; "" = none */
	char     local_address[CONF_NAME_MAX];      /* interface name or address; "" = any */
	int      self_identity;                     /* enum conf_self_identity */
	/* ca trust-point NAME (several lines): peers whose certificate one of these vouches
	 * for; our signature comes from the first whose key fits the negotiated method (an RSA
	 * and an ECDSA trust point let one profile serve both kinds of clients) */
	char     ca_tp[CONF_MAX_TRUSTPOINTS][CONF_NAME_MAX];
	int      nca_tp;
	/* network-extension access-list NAME: the networks a site-to-site peer of this profile
	 * may claim in quick mode; "" = none */
	char     nem_acl[CONF_NAME_MAX];
	int      line;
};

enum conf_self_identity { SELF_ID_ADDRESS = 0, SELF_ID_FQDN };

/* crypto keyring NAME: pre-shared keys by peer address, optionally bound to a local address. */
struct conf_keyring_key {
	char     key[CONF_SECRET_MAX];  /* keymgr only */
	struct in_addr addr, mask;
	CONF_ADDR6_SEL;
	int      line;
};
struct conf_keyring {
	char     name[CONF_NAME_MAX];
	struct conf_keyring_key psk[CONF_MAX_KEYRING_KEYS];
	int      npsk;
	char     local_address[CONF_NAME_MAX];      /* interface name or address; "" = any */
	int      line;
};

/*
 * crypto pki trustpoint NAME: the CA that vouches for peers, our certificate and its key.
 * The parent reads the files when it loads the configuration (root may read what the
 * daemon's users may not) and keeps their DER here, so a reload re-reads them and the
 * children never open a file. The key is a secret (keymgr only, zeroed by conf_redact);
 * the certificates and the CRL are public.
 */
enum conf_revocation { REVOKE_NONE = 0, REVOKE_CRL };
struct conf_trustpoint {
	char     name[CONF_NAME_MAX];
	char     ca_file[CONF_PATH_MAX], cert_file[CONF_PATH_MAX], key_file[CONF_PATH_MAX],
	         crl_file[CONF_PATH_MAX];
	int      revocation;                  /* enum conf_revocation */
	int      key_type;                    /* EVP_PKEY_RSA or EVP_PKEY_EC, 0 = no key */
	int      key_curve;                   /* EC: the curve's NID */
	uint32_t ca_len, cert_len, key_len, crl_len;
	uint8_t  ca_der[CONF_PKI_CA_MAX];     /* one or more certificates, DER, back to back */
	uint8_t  cert_der[CONF_PKI_CERT_MAX];
	uint8_t  key_der[CONF_PKI_KEY_MAX];   /* keymgr only */
	uint8_t  crl_der[CONF_PKI_CRL_MAX];
	/* our certificate's subject (the ID_DER_ASN1_DN we send) and the first CA's subject
	 * (what a CERT_REQ names) */
	uint16_t subject_len, ca_name_len;
	uint8_t  subject_der[CONF_PKI_NAME_MAX], ca_name_der[CONF_PKI_NAME_MAX];
	char     subject[256];                /* one-line text, for logs and show */
	int      line;
};

/*
 * crypto pki certificate map LABEL SEQ (common/conf_certmap.c): lines that must all hold for
 * the entry to match; a map (all entries of one LABEL) matches when one entry does. keymgr
 * alone reads certificates, so keymgr/certmap.c does the matching. Values are kept as they
 * are compared: lower case, with no blanks around '=' and ','; a serial number as lower-case
 * hex without leading zeros.
 */
#define CONF_MAX_CERTMAPS      16    /* entries (LABEL SEQ), all maps together */
#define CONF_CERTMAP_RULES     8     /* lines per entry */
#define CONF_CERTMAP_VALUE     256
enum conf_certmap_field { CM_SUBJECT = 1, CM_ISSUER, CM_ALT_SUBJECT, CM_SERIAL };
enum conf_certmap_op { CM_EQ = 1, CM_NE, CM_CO, CM_NC, CM_SW, CM_EW };
struct conf_certmap_rule {
	int      field;                       /* enum conf_certmap_field */
	int      op;                          /* enum conf_certmap_op */
	char     value[CONF_CERTMAP_VALUE];
};
struct conf_certmap {
	char     label[CONF_NAME_MAX];
	int      seq;                         /* 1..65535; a label's entries are kept in order */
	struct conf_certmap_rule rule[CONF_CERTMAP_RULES];
	int      nrule;
	int      line;
};

/*
 * crypto ikev2 ... (common/conf_ikev2*.c): the IKEv2 configuration in IOS XE FlexVPN words.
 * Read and checked only: no process serves IKEv2 yet. Algorithms are kept as RFC 7296
 * transform IDs (common/alg.h's alg_v2_* rows say the rest).
 */
#define CONF_MAX_V2_PROPOSALS   16
#define CONF_V2_ALGS            8     /* of one kind in a proposal */
#define CONF_MAX_V2_POLICIES    16
#define CONF_V2_POLICY_PROPS    8
#define CONF_MAX_V2_KEYRINGS    8
#define CONF_V2_PEERS           16    /* per keyring */
#define CONF_MAX_V2_PROFILES    16
#define CONF_V2_MATCH           8     /* match identity remote lines per profile */
#define CONF_V2_TRUSTPOINTS     4
#define CONF_MAX_V2_AUTHOR      16
#define CONF_V2_CLUSTER_PEERS   8
#define CONF_MAX_V2_MANGLERS    16
#define CONF_V2_DEFAULT         "default"   /* IOS's name of the built-in proposal and policy */

/* crypto ikev2 proposal NAME; `builtin` marks IOS's default (not printed unless changed) */
struct conf_ikev2_proposal {
	char     name[CONF_NAME_MAX];
	struct { uint16_t id, bits; } encr[CONF_V2_ALGS];  /* transform type 1, key bits (0 fixed) */
	int      nencr;
	uint16_t integ[CONF_V2_ALGS];         /* transform type 3; none for an AEAD proposal */
	int      ninteg;
	uint16_t prf[CONF_V2_ALGS];           /* transform type 2; as written, else from integ */
	int      nprf;
	int      prf_set;                     /* prf lines were written (else derived) */
	uint16_t group[CONF_V2_ALGS];         /* DH groups (transform type 4) */
	int      ngroup;
	int      aead;                        /* the ciphers are GCM */
	int      builtin;
	int      line;
};

/* crypto ikev2 policy NAME: which proposals a peer reaching a local address gets */
struct conf_ikev2_policy {
	char     name[CONF_NAME_MAX];
	char     proposal[CONF_V2_POLICY_PROPS][CONF_NAME_MAX];   /* in order */
	int      nproposal;
	union sa46 local[CONF_V2_ALGS];       /* match address local A: port 0; none = any */
	int      nlocal;
	int      fvrf_any;                    /* match fvrf any (the only VRF vpnd has) */
	int      builtin;
	int      line;
};

/* identity types of keyring peers, profiles' local identity and their matches */
enum conf_v2_id { V2_ID_NONE = 0, V2_ID_ADDRESS, V2_ID_FQDN, V2_ID_EMAIL, V2_ID_KEY_ID,
                  V2_ID_ANY };

/* crypto ikev2 keyring NAME / peer NAME */
struct conf_ikev2_peer {
	char     name[CONF_NAME_MAX];
	int      has_addr;                    /* address A [MASK] | address ipv6 P/LEN */
	struct in_addr addr, mask;
	CONF_ADDR6_SEL;
	int      id_type;                     /* identity ...: enum conf_v2_id */
	char     id[CONF_NAME_MAX];           /* its value as written (an address as text) */
	char     hostname[CONF_NAME_MAX];
	char     key_local[CONF_SECRET_MAX];  /* keymgr only: what we sign with */
	char     key_remote[CONF_SECRET_MAX]; /* keymgr only: what the peer signs with */
	/* which keys were given (survive conf_redact, for show): the bare `pre-shared-key K`
	 * sets both and key_both */
	int      has_key_local, has_key_remote, key_both;
	int      line;
};
struct conf_ikev2_keyring {
	char     name[CONF_NAME_MAX];
	struct conf_ikev2_peer peer[CONF_V2_PEERS];
	int      npeer;
	int      line;
};

/* match identity remote ...: address A [MASK] | ipv6 P/LEN, fqdn/email [domain] S, key-id,
 * any */
struct conf_ikev2_match {
	int      type;                        /* enum conf_v2_id */
	int      domain;                      /* fqdn/email domain S: the suffix matches */
	char     value[CONF_NAME_MAX];        /* fqdn, email, key-id */
	struct in_addr addr, mask;            /* address */
	CONF_ADDR6_SEL;
};

/* aaa authorization / accounting of a profile, per authentication kind */
enum conf_v2_aaa_kind { V2_AAA_EAP = 0, V2_AAA_PSK, V2_AAA_CERT, V2_AAA_KINDS };

enum conf_v2_tp_use { V2_TP_BOTH = 0, V2_TP_SIGN, V2_TP_VERIFY };

struct conf_ikev2_profile {
	char     name[CONF_NAME_MAX];
	struct conf_ikev2_match match[CONF_V2_MATCH];
	int      nmatch;
	/* match certificate MAP: a crypto pki certificate map; a peer whose verified certificate
	 * it matches falls under the profile (ORed with the match identity lines, as IOS) */
	char     match_cert[CONF_NAME_MAX];
	int      match_fvrf_any;
	int      id_local_type;               /* identity local: enum conf_v2_id, NONE = address */
	char     id_local[CONF_NAME_MAX];
	int      auth_local;                  /* enum conf_ike_auth; 0 = not given */
	/* authentication remote lines (several): which methods a peer may use */
	int      remote_psk, remote_rsa, remote_ecdsa, remote_eap;
	int      eap_query_identity;
	int      eap_timeout;                 /* seconds, 0 = default */
	char     keyring[CONF_NAME_MAX];      /* keyring local NAME: a crypto ikev2 keyring */
	struct { char name[CONF_NAME_MAX]; int use; } tp[CONF_V2_TRUSTPOINTS];  /* enum conf_v2_tp_use */
	int      ntp;
	char     eap_list[CONF_NAME_MAX];     /* aaa authentication eap: an authentication login list */
	/* aaa authorization group KIND list LIST [NAME]: NAME is the user whose attributes are
	 * looked up (a local list: an authorization policy) */
	char     group_list[V2_AAA_KINDS][CONF_NAME_MAX];
	char     group_name[V2_AAA_KINDS][CONF_NAME_MAX];
	/* aaa authorization user KIND list LIST [NAME] | cached */
	char     user_list[V2_AAA_KINDS][CONF_NAME_MAX];
	char     user_name[V2_AAA_KINDS][CONF_NAME_MAX];
	int      user_cached[V2_AAA_KINDS];
	/* ... name-mangler M instead of NAME: the name comes from the peer's identity */
	char     group_mangler[V2_AAA_KINDS][CONF_NAME_MAX];
	char     user_mangler[V2_AAA_KINDS][CONF_NAME_MAX];
	char     acct_list[V2_AAA_KINDS][CONF_NAME_MAX];   /* aaa accounting KIND LIST */
	int      virtual_template;            /* 0 = none */
	int      dpd_interval, dpd_retry, dpd_periodic;    /* 0 interval = off */
	uint32_t lifetime;                    /* seconds, default 86400 */
	int      line;
};

/* crypto ikev2 authorization policy NAME: what a client is given (local AAA) */
struct conf_ikev2_author {
	char     name[CONF_NAME_MAX];
	char     pool[CONF_NAME_MAX];         /* ip local pool */
	char     pool6[CONF_NAME_MAX];        /* ipv6 local pool */
	struct in_addr dns[CONF_MAX_DNS];
	int      ndns;
	struct in6_addr dns6[CONF_MAX_DNS];
	int      ndns6;
	struct in_addr netmask;               /* 0 = none */
	char     route_acl[CONF_NAME_MAX];    /* route set access-list: a standard ACL */
	char     subnet_acl6[CONF_NAME_MAX];  /* ipv6 subnet-acl: an ipv6 access-list */
	char     banner[CONF_TEXT_MAX];
	char     def_domain[CONF_NAME_MAX];
	int      builtin;
	int      line;
};

/* crypto ikev2 name-mangler NAME: how an authorization name is cut from the peer's
 * identity, one rule per identity kind (0 = none: such an identity yields no name) */
enum conf_v2_mg_part { V2_MG_NONE = 0, V2_MG_ALL, V2_MG_DOMAIN, V2_MG_HOST, V2_MG_PREFIX,
                       V2_MG_SUFFIX, V2_MG_DN };
/* DN fields: common-name, country, domain (domainComponent), locality, organization,
 * organization-unit, state */
enum conf_v2_dn_field { V2_DN_NONE = 0, V2_DN_CN, V2_DN_C, V2_DN_DC, V2_DN_L, V2_DN_O,
                        V2_DN_OU, V2_DN_ST, V2_DN_FIELDS };
struct conf_ikev2_mangler {
	char     name[CONF_NAME_MAX];
	int      fqdn;                        /* ALL, DOMAIN, HOST (hostname) */
	int      email;                       /* ALL, DOMAIN, HOST (username) */
	int      dn;                          /* enum conf_v2_dn_field */
	int      eap;                         /* ALL, PREFIX, SUFFIX, DN */
	int      eap_dn;                      /* eap dn FIELD */
	char     eap_delim;                   /* eap prefix|suffix delimiter C */
	int      line;
};

/* crypto ikev2 cluster (vpnd's small form): the gateways a busy one redirects to */
struct conf_ikev2_cluster {
	int      present;                     /* the block was written */
	int      enabled;                     /* no shutdown (IOS: a cluster starts shut down) */
	int      max_session;                 /* slave max-session N: redirect beyond it, 0 = none */
	union sa46 peer[CONF_V2_CLUSTER_PEERS];  /* peer A: in order */
	int      npeer;
	int      line;
};

struct conf_ikev2 {
	struct conf_ikev2_proposal proposal[CONF_MAX_V2_PROPOSALS];
	int      nproposal;
	struct conf_ikev2_policy policy[CONF_MAX_V2_POLICIES];
	int      npolicy;
	struct conf_ikev2_keyring keyring[CONF_MAX_V2_KEYRINGS];
	int      nkeyring;
	struct conf_ikev2_profile profile[CONF_MAX_V2_PROFILES];
	int      nprofile;
	struct conf_ikev2_author author[CONF_MAX_V2_AUTHOR];
	int      nauthor;
	struct conf_ikev2_mangler mangler[CONF_MAX_V2_MANGLERS];
	int      nmangler;
	int      cookie_challenge;            /* half-open SAs before cookies; 0 = off */
	int      max_in_neg_in, max_in_neg_out;   /* limit max-in-negotiation-sa, 0 = none */
	int      max_sa;                      /* limit max-sa, 0 = none */
	int      fragmentation;
	int      frag_mtu;                    /* 0 = IOS's 576 */
	int      redirect_init, redirect_auth;    /* redirect gateway init | auth */
	struct conf_ikev2_cluster cluster;
};

struct conf_transform_set {
	char     name[CONF_NAME_MAX];
	int      encr;          /* enum conf_esp_encr */
	int      keylen;        /* bits for AES (128/192/256) */
	int      auth;          /* enum conf_esp_auth */
	int      mode_transport;
	int      line;
};

struct conf_ipsec_profile {
	char     name[CONF_NAME_MAX];
	char     tset[CONF_MAX_TSET_REFS][CONF_NAME_MAX];
	int      ntset;
	int      pfs_group;             /* 0 = none */
	uint32_t lifetime_seconds;      /* 0 = global */
	uint32_t lifetime_kb;           /* 0 = global */
	char     isakmp_profile[CONF_NAME_MAX];
	char     ikev2_profile[CONF_NAME_MAX];   /* set ikev2-profile NAME */
	int      idle_time;             /* set security-association idle-time: seconds, 0 = none */
	int      replay_window;         /* set security-association replay window-size, 0 = global */
	int      reverse_route;         /* set reverse-route: what DVTI does anyway */
	int      line;
};

struct conf_interface {
	char     name[CONF_NAME_MAX];   /* Linux name (eth0) or "Virtual-TemplateN" */
	int      is_template;
	int      template_num;
	char     description[CONF_TEXT_MAX];
	struct in_addr addr, mask;      /* ip address: checked against the system, not applied */
	int      has_addr;
	char     unnumbered[CONF_NAME_MAX];
	int      mtu;                   /* ip mtu, 0 = computed */
	int      tcp_mss;               /* ip tcp adjust-mss, 0 = off */
	int      tcp_mss6;              /* ipv6 tcp adjust-mss, 0 = off */
	int      tunnel_mode_ipsec;     /* enum conf_tunnel_mode; 0: none (GRE, IOS's default) */
	char     protection[CONF_NAME_MAX]; /* tunnel protection ipsec profile */
	char     acl_in[CONF_NAME_MAX];
	char     acl_out[CONF_NAME_MAX];
	int      shutdown;
	int      ipv6_enable;           /* ipv6 enable (or ipv6 unnumbered): IPv6 inside */
	char     ipv6_unnumbered[CONF_NAME_MAX];
	/* An IOS name (FastEthernet0/0) binds to a Linux device: the one named by
	 * `physical-interface DEV`, else the one holding its `ip address`, found when the file is
	 * loaded. "" for a Linux name, a template or a Loopback. */
	char     device[CONF_NAME_MAX];
	int      device_explicit;       /* device came from physical-interface */
	int      is_loopback;           /* LoopbackN: its ip address is put on lo by tunmgr */
	/* crypto ipsec client ezvpn NAME [inside] */
	char     ezvpn[CONF_NAME_MAX];
	int      ezvpn_inside;
	/* crypto map NAME: the map's entries protect traffic leaving through this interface */
	char     crypto_map[CONF_NAME_MAX];
	int      line;
	/* ipv6 traffic-filter NAME in|out: an ipv6 access-list on the clones' IPv6 traffic */
	char     acl6_in[CONF_NAME_MAX];
	char     acl6_out[CONF_NAME_MAX];
	/* interface TunnelN (static VTI, common/conf_vti.c): tunnel source as written (an
	 * interface or an address) and tunnel destination, the peer it dials */
	int      is_vti;
	char     tunnel_source[CONF_NAME_MAX];
	struct in_addr tunnel_dst;
	int      has_tunnel_dst;
};

/* set session-key inbound|outbound esp SPI cipher HEX [authenticator HEX] */
struct conf_session_key {
	int      set;
	uint32_t spi;                            /* host order, 256 and up */
	uint8_t  cipher[36];                     /* keymgr only (AES-256 + nothing: 32; 3DES 24) */
	int      cipher_len;
	uint8_t  auth[64];                       /* keymgr only */
	int      auth_len;
};

enum conf_cmap_kind { CMAP_ISAKMP = 1, CMAP_MANUAL };

/* crypto map NAME SEQ ipsec-isakmp [dynamic DYN] | ipsec-manual: one entry of a map */
struct conf_crypto_map {
	char     name[CONF_NAME_MAX];
	int      seq;                            /* entries of a map are tried in seq order */
	int      kind;                           /* enum conf_cmap_kind */
	char     dynamic[CONF_NAME_MAX];         /* ipsec-isakmp dynamic DYN */
	struct in_addr peer[CONF_CMAP_PEERS];    /* set peer A (manual: exactly one) */
	int      npeer;
	char     tset[CONF_MAX_TSET_REFS][CONF_NAME_MAX];   /* set transform-set T... */
	int      ntset;
	char     match_acl[CONF_NAME_MAX];       /* match address ACL */
	int      pfs_group;                      /* set pfs groupN, 0 none */
	uint32_t lifetime_seconds, lifetime_kb;  /* set security-association lifetime, 0 global */
	int      per_host;                       /* set security-association level per-host */
	int      reverse_route;                  /* reverse-route */
	struct conf_session_key key_in, key_out; /* ipsec-manual; SPIs stay in every copy */
	int      line;
};

enum conf_ezvpn_mode { EZ_MODE_CLIENT = 0, EZ_MODE_NETWORK_EXTENSION, EZ_MODE_NETWORK_PLUS };

/* crypto ipsec client ezvpn NAME: an Easy VPN remote, this host dialling out to a server. */
struct conf_ezvpn {
	char     name[CONF_NAME_MAX];
	int      connect_manual;                /* connect manual (default auto) */
	char     connect_acl[CONF_NAME_MAX];    /* connect acl NAME: dial on matching traffic */
	char     group[CONF_NAME_MAX];          /* group G key K */
	char     group_key[CONF_SECRET_MAX];    /* keymgr only */
	int      mode;                          /* enum conf_ezvpn_mode */
	struct in_addr peer[CONF_EZVPN_PEERS];  /* in order: the next is tried when one fails */
	int      npeer;
	int      virtual_interface;             /* virtual-interface N: Virtual-TemplateN, 0 none */
	char     username[CONF_NAME_MAX];       /* username U password P */
	char     password[CONF_SECRET_MAX];     /* keymgr only */
	int      xauth_local;                   /* xauth userid mode local */
	int      line;
	/* from the interfaces that name it */
	char     outside[CONF_NAME_MAX];        /* crypto ipsec client ezvpn NAME */
	char     inside[CONF_EZVPN_INSIDE][CONF_NAME_MAX];   /* ... NAME inside */
	int      ninside;
};

struct conf_pool {
	char     name[CONF_NAME_MAX];
	struct in_addr start, end;      /* inclusive */
	int      line;
};

/* ipv6 local pool NAME PREFIX/LEN ASSIGNED-LEN: each client gets one ASSIGNED-LEN block */
struct conf_pool6 {
	char     name[CONF_NAME_MAX];
	struct in6_addr prefix;
	int      plen;
	int      assigned_len;          /* 128 only, for now */
	int      line;
};

struct conf_user {
	char     name[CONF_NAME_MAX];
	char     password[CONF_SECRET_MAX];   /* keymgr only */
	int      encrypted_type;              /* 0 = clear */
	int      line;
};

struct conf_ace {
	int      permit;
	int      proto;                 /* 0 = ip (any) */
	struct in_addr src, srcmask;    /* mask as netmask (not wildcard) */
	struct in_addr dst, dstmask;
	uint16_t dport_lo, dport_hi;    /* 0,0 = any */
	uint16_t sport_lo, sport_hi;    /* 0,0 = any */
	uint8_t  dport_op, sport_op;    /* how it was written: ACE_PORT_* (neq matches outside) */
	uint8_t  established;           /* tcp: ACK or RST set */
	uint8_t  icmp_match;            /* 0 any, 1 the type, 2 the type and code */
	uint8_t  icmp_type, icmp_code;
};
enum { ACE_PORT_ANY, ACE_PORT_EQ, ACE_PORT_RANGE, ACE_PORT_LT, ACE_PORT_GT, ACE_PORT_NEQ };

struct conf_acl {
	char     name[CONF_NAME_MAX];   /* name or number as text */
	int      extended;
	struct conf_ace ace[CONF_MAX_ACES];
	int      nace;
	int      line;
};

/* ipv6 access-list NAME: permit|deny PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE] */
struct conf_ace6 {
	int      permit;
	int      proto;                 /* -1 = ipv6 (any); else the upper-layer protocol */
	struct in6_addr src, dst;
	uint8_t  src_plen, dst_plen;    /* 0 = any */
	uint16_t dport_lo, dport_hi;    /* 0,0 = any */
	uint16_t sport_lo, sport_hi;
	uint8_t  dport_op, sport_op;    /* ACE_PORT_* */
	uint8_t  icmp_match;            /* 0 any, 1 the type, 2 the type and code */
	uint8_t  icmp_type, icmp_code;
	int      line;
};

struct conf_acl6 {
	char     name[CONF_NAME_MAX];
	struct conf_ace6 ace[CONF_MAX_ACES];
	int      nace;
	int      line;
};

struct conf_isakmp_key {
	char     key[CONF_SECRET_MAX];  /* keymgr only */
	struct in_addr addr, mask;
	CONF_ADDR6_SEL;
	int      line;
};

enum conf_aaa_kind { AAA_AUTHEN_LOGIN = 1, AAA_AUTHOR_NETWORK, AAA_ACCT_NETWORK };
enum conf_aaa_method { AAA_METHOD_LOCAL = 1, AAA_METHOD_GROUP };

struct conf_aaa_list {
	int      kind;
	char     name[CONF_NAME_MAX];
	int      method[4];
	char     group[4][CONF_NAME_MAX];
	int      nmethod;
	int      line;
};

struct conf_route {
	struct in_addr prefix, mask, nexthop;
	char     ifname[CONF_NAME_MAX];
	int      line;
};

/* radius server NAME */
struct conf_radius_server {
	char     name[CONF_NAME_MAX];
	struct in_addr addr;
	int      has_addr;
	uint16_t auth_port, acct_port;        /* IOS defaults 1645 / 1646 */
	char     key[CONF_RADIUS_KEY_MAX];    /* shared secret: keymgr only */
	int      has_key;
	int      timeout;                     /* seconds, 0 = radius-server timeout */
	int      retransmit;                  /* -1 = radius-server retransmit */
	int      msg_auth;                    /* message-authenticator: enum conf_msg_auth */
	int      line;
	int      family;                      /* AF_INET6 for address ipv6, else AF_INET */
	struct in6_addr addr6;
};
/* Whether a reply must carry a Message-Authenticator (BlastRADIUS, CVE-2024-3596): auto
 * requires it once the server has sent one; EAP replies always need it (RFC 3579). */
enum conf_msg_auth { CONF_MA_AUTO = 0, CONF_MA_REQUIRED, CONF_MA_OFF };

/* aaa group server radius NAME: servers tried in order */
struct conf_radius_group {
	char     name[CONF_NAME_MAX];
	char     server[CONF_MAX_GROUP_SERVERS][CONF_NAME_MAX];
	int      nserver;
	int      line;
};

/* aaa server radius dynamic-author: who may send RFC 5176 Disconnect-/CoA-Requests
 * (parsed in common/conf_dynauth.c, served by radius/dynauth.c) */
#define CONF_MAX_DYNAUTH_CLIENTS 8
struct conf_dynauth_client {
	int      family;                      /* AF_INET6 for an IPv6 client, else AF_INET */
	struct in_addr addr;
	struct in6_addr addr6;
	char     key[CONF_RADIUS_KEY_MAX];    /* keymgr only; "" = the block's server-key */
	int      line;
	int      has_key;                     /* key given: survives conf_redact, for show */
};
struct conf_dynauth {
	int      enabled;                     /* the block is present */
	uint16_t port;                        /* UDP port, IOS default 1700 */
	struct conf_dynauth_client client[CONF_MAX_DYNAUTH_CLIENTS];
	int      nclient;
	char     server_key[CONF_RADIUS_KEY_MAX];   /* keymgr only: default for every client */
	int      has_server_key;              /* server_key given: survives conf_redact */
	int      auth_type_any;               /* auth-type any: one matching session attribute
	                                         suffices (default all: every one must match) */
	int      ignore_session_key;          /* accepted for IOS configs; we use no session key */
	int      line;
};

/* logging ... (common/conf_logging.c): levels are syslog's, 0 emergencies .. 7 debugging */
#define CONF_MAX_LOG_HOSTS 4
struct conf_log_host {
	struct in_addr addr;
	uint16_t       port;                  /* host order, default 514 */
};
struct conf_logging {
	int      off;                         /* no logging on: only the console is written */
	int      console;                     /* logging console LEVEL, -1 = no logging console */
	int      trap;                        /* logging trap LEVEL: syslog, journal, hosts */
	int      buffered;                    /* logging buffered [SIZE] [LEVEL], -1 = off */
	int      buffer_size;                 /* bytes of the ring for show logging */
	int      facility;                    /* logging facility: the code (daemon = 3) */
	int      crypto_session;              /* crypto logging session */
	int      nhost;
	struct conf_log_host host[CONF_MAX_LOG_HOSTS];
};
/* names for the printers and show logging; NULL when out of range */
const char *conf_log_level_name(int level);
const char *conf_log_facility_name(int facility);
void conf_logging_defaults(struct conf_logging *l);
/* The logging lines of running-config, as the parser reads them back. */
void conf_logging_print(FILE *f, const struct conf_logging *l);

struct vpnd_conf {
	char     source[CONF_PATH_MAX];       /* file it came from */
	char     hostname[CONF_NAME_MAX];
	int      aaa_new_model;
	/* control-socket group NAME: members may use vpnctl's control commands too (not IOS) */
	char     control_group[CONF_NAME_MAX];
	int      control_gid;                 /* resolved when the file was read */
	/* not from the file: this run's number in the session store, set by the parent before
	 * the children start and kept across reloads (Acct-Session-Id = run id + session id) */
	uint32_t run_id;

	struct conf_isakmp_policy policy[CONF_MAX_POLICIES];   /* sorted by priority */
	int      npolicy;
	struct conf_group group[CONF_MAX_GROUPS];
	int      ngroup;
	struct conf_isakmp_profile profile[CONF_MAX_PROFILES];
	int      nprofile;
	struct conf_transform_set tset[CONF_MAX_TSETS];
	int      ntset;
	struct conf_ipsec_profile ipsec_profile[CONF_MAX_IPSEC_PROF];
	int      nipsec_profile;
	struct conf_interface iface[CONF_MAX_IFACES];
	int      niface;
	struct conf_pool pool[CONF_MAX_POOLS];
	int      npool;
	struct conf_pool6 pool6[CONF_MAX_POOLS6];
	int      npool6;
	struct conf_user user[CONF_MAX_USERS];
	int      nuser;
	struct conf_acl acl[CONF_MAX_ACLS];
	int      nacl;
	struct conf_isakmp_key isakmp_key[CONF_MAX_ISAKMP_KEYS];
	int      nisakmp_key;
	struct conf_aaa_list aaa[CONF_MAX_AAA_LISTS];
	int      naaa;
	struct conf_route route[CONF_MAX_ROUTES];
	int      nroute;
	struct conf_keyring keyring[CONF_MAX_KEYRINGS];
	int      nkeyring;
	struct conf_radius_server radius[CONF_MAX_RADIUS];
	int      nradius;
	struct conf_trustpoint trustpoint[CONF_MAX_TRUSTPOINTS];
	int      ntrustpoint;
	struct conf_certmap certmap[CONF_MAX_CERTMAPS];
	int      ncertmap;
	struct conf_ezvpn ezvpn[CONF_MAX_EZVPN];
	int      nezvpn;
	struct conf_crypto_map cmap[CONF_MAX_CMAPS];   /* sorted by name, then seq */
	int      ncmap;
	struct conf_radius_group radius_group[CONF_MAX_RADIUS_GROUPS];
	int      nradius_group;
	/* radius-server timeout / retransmit / deadtime / dead-criteria (global defaults) */
	int      radius_timeout;         /* seconds, default 5 */
	int      radius_retransmit;      /* default 3 */
	int      radius_deadtime;        /* minutes a dead server is skipped, 0 = never marked dead;
	                                    default 1 (IOS: 0), see docs/config.md */
	int      radius_dead_time;       /* dead-criteria time SECONDS, 0 = computed */
	int      radius_dead_tries;      /* dead-criteria tries N, 0 = computed */
	/* password of the group look-up (IOS: "cisco"); radius-server group-password */
	char     radius_group_password[CONF_SECRET_MAX];   /* keymgr only */
	/* aaa accounting update periodic MINUTES (0 = no interim updates) */
	int      acct_update_periodic;
	/* aaa server radius dynamic-author */
	struct conf_dynauth dynauth;

	/* crypto isakmp keepalive SECONDS [RETRY] [periodic|on-demand] */
	int      dpd_interval;       /* 0 = off */
	int      dpd_retry;          /* seconds between retries, default 2 */
	int      dpd_periodic;
	/* crypto isakmp network-extension minimum-prefix N: shorter claimed prefixes are always
	 * refused (default 8) */
	int      nem_min_prefix;
	/* crypto isakmp nat keepalive SECONDS */
	int      natt_keepalive;
	/* crypto isakmp xauth timeout SECONDS: 0 = until the XAUTH request's last retransmission */
	int      xauth_timeout;
	/* crypto ipsec security-association lifetime */
	uint32_t sa_lifetime_seconds;    /* default 3600 */
	uint32_t sa_lifetime_kb;         /* default 4608000 */
	/* crypto ipsec security-association replay window-size N */
	int      replay_window;          /* default 1024 */
	/* true when any legacy algorithm (DES, 3DES, MD5, DH 1/2/5) is named */
	int      uses_legacy;

	/* exposure limits (common/conf_admission.c, docs/config.md "Admission and lockout") */
	int      aggressive_disable;     /* crypto isakmp aggressive-mode disable */
	int      cac_in_negotiation;     /* crypto call admission limit ike in-negotiation-sa N */
	int      cac_in_negotiation_peer;/*   ... per-peer M (one source address) */
	int      cac_ike_sa;             /* crypto call admission limit ike sa N, 0 = no limit */
	int      aaa_max_fail;           /* aaa local authentication attempts max-fail N, 0 = off */
	struct conf_logging logging;
	/* db history keep DAYS: closed sessions older than that are pruned; 0 = kept forever */
	int      db_history_keep_days;

	/* Prometheus metrics over HTTP, served by control (common/conf_http.c) */
	int      http_server;            /* ip http server */
	struct in_addr http_addr;        /* ip http server address A (vpnd), default 127.0.0.1 */
	int      http_port;              /* ip http port N, default CONF_HTTP_PORT */
	char     http_acl[CONF_NAME_MAX];/* ip http access-class: allowed sources, "" = any */
	struct conf_acl6 acl6[CONF_MAX_ACLS6];   /* ipv6 access-list NAME, in file order */
	int      nacl6;
	struct conf_ikev2 v2;                    /* crypto ikev2 ... (read, not served yet) */
	/* Forwarding in the host's network namespace, set by the parent (parent/forwarding.c):
	 * IOS routes IPv4 unless `no ip routing`, IPv6 only with `ipv6 unicast-routing` */
	int      no_ip_routing;
	int      ipv6_unicast_routing;
};

#define CONF_DB_HISTORY_DAYS_MAX      36500
#define CONF_HTTP_PORT 9642

/* Defaults of the admission limits: generous enough for 1,000 set-ups a second. */
#define CONF_CAC_IN_NEGOTIATION       1000
#define CONF_CAC_IN_NEGOTIATION_PEER  100

/* A diagnostic sink: called once per warning or error, already formatted as "FILE:LINE: msg". */
typedef void (*conf_diag_fn)(void *arg, int is_error, const char *msg);

/*
 * Parse FILE into *conf (zeroed first, defaults applied). Every error is reported through diag
 * (or to stderr when diag is NULL) and parsing goes on to report the rest.
 * Returns the number of errors (0 = loaded).
 */
int  conf_load(const char *file, struct vpnd_conf *conf, conf_diag_fn diag, void *arg);
/* Same, from a buffer; name is used in messages. */
int  conf_load_buf(const char *name, const char *buf, size_t len, struct vpnd_conf *conf,
                   conf_diag_fn diag, void *arg);
/* Zero every secret in place (group keys, passwords, isakmp keys). */
void conf_redact(struct vpnd_conf *conf);

const struct conf_group          *conf_find_group(const struct vpnd_conf *, const char *name);
const struct conf_isakmp_profile *conf_find_profile_for_group(const struct vpnd_conf *, const char *group);
const struct conf_transform_set  *conf_find_tset(const struct vpnd_conf *, const char *name);
const struct conf_ipsec_profile  *conf_find_ipsec_profile(const struct vpnd_conf *, const char *name);
const struct conf_interface      *conf_find_iface(const struct vpnd_conf *, const char *name);
/* whether a pre-shared key (crypto isakmp key, keyring) covers a static VTI's destination */
int conf_vti_has_key(const struct vpnd_conf *, struct in_addr dst);
int conf_vti_has_sig(const struct vpnd_conf *);
const struct conf_trustpoint *conf_vti_trustpoint(const struct vpnd_conf *);
const struct conf_interface      *conf_find_template(const struct vpnd_conf *, int num);
const struct conf_pool           *conf_find_pool(const struct vpnd_conf *, const char *name);
const struct conf_pool6          *conf_find_pool6(const struct vpnd_conf *, const char *name);
/* A dynamic-author client's address as text (conf_dynauth.c). */
const char *conf_dynauth_client_addr(const struct conf_dynauth_client *, char *buf, size_t len);
const struct conf_acl6           *conf_find_acl6(const struct vpnd_conf *, const char *name);
const struct conf_acl            *conf_find_acl(const struct vpnd_conf *, const char *name);
const struct conf_ezvpn          *conf_find_ezvpn(const struct vpnd_conf *, const char *name);
/* The state of a configured ezvpn with nothing up: CONNECT_REQUIRED (connect manual) or IDLE */
const char                       *conf_ezvpn_idle_state(const struct conf_ezvpn *);
/* The Linux device behind a configured interface name (IOS or Linux); NULL if none. */
const char                       *conf_iface_device(const struct vpnd_conf *, const char *name);
/* 1 for an IOS interface name vpnd accepts (FastEthernet0/0, Loopback0), 0 for a Linux one. */
int conf_iface_is_ios(const char *name);
/*
 * Bind each IOS-named interface to its Linux device (conf_interface.device): the one
 * physical-interface names, else the one in `all` (getifaddrs) that holds its ip address.
 * Reports through diag like conf_load: a warning when none is found, an error when an ezvpn
 * needs the interface. Returns the number of errors.
 */
/* The crypto map entries of running-config (session keys as <removed>), conf_cmap.c. */
void conf_cmap_print(FILE *f, const struct vpnd_conf *c);
void conf_acl6_print(FILE *f, const struct vpnd_conf *c);
/* Entry NAME SEQ (seq 0: the map's first entry), or NULL. */
const struct conf_crypto_map *conf_find_cmap(const struct vpnd_conf *, const char *name, int seq);
/* The first permit of the entry's match address ACL, the only one an ipsec-manual entry uses
 * (later permits are ignored with a warning at load, as IOS does); NULL if none. */
const struct conf_ace *conf_cmap_first_permit(const struct vpnd_conf *,
                                              const struct conf_crypto_map *m);
/* Bytes of a manual key for a transform set's algorithms (conf_transform_set encr/keylen,
 * auth); 0 for an algorithm manual keys refuse (GCM, null) or for no authenticator. */
size_t conf_esp_cipher_keylen(int encr, int keylen_bits);
size_t conf_esp_auth_keylen(int auth);
/* The crypto ipsec client ezvpn blocks of running-config (secrets as <removed>). */
void conf_ezvpn_print(FILE *f, const struct vpnd_conf *c);
struct ifaddrs;
int conf_bind_devices(struct vpnd_conf *, const struct ifaddrs *all, conf_diag_fn diag,
                      void *arg);
/* IOS's name of the ICMP message an entry matches, or NULL (then it is written as numbers) */
const char *conf_acl_icmp_name(const struct conf_ace *e);
const char *conf_acl6_icmp_name(const struct conf_ace6 *e);   /* NULL: print the number */
const struct conf_user           *conf_find_user(const struct vpnd_conf *, const char *name);
const struct conf_aaa_list       *conf_find_aaa(const struct vpnd_conf *, int kind, const char *name);
const struct conf_ikev2_proposal *conf_find_v2_proposal(const struct vpnd_conf *, const char *name);
const struct conf_ikev2_keyring  *conf_find_v2_keyring(const struct vpnd_conf *, const char *name);
const struct conf_ikev2_profile  *conf_find_v2_profile(const struct vpnd_conf *, const char *name);
const struct conf_ikev2_author   *conf_find_v2_author(const struct vpnd_conf *, const char *name);
const struct conf_ikev2_mangler  *conf_find_v2_mangler(const struct vpnd_conf *, const char *name);
/*
 * common/conf_ikev2_mangle.c: the name a crypto ikev2 name-mangler cuts from an identity. id_type
 * is the wire's (2 FQDN, 3 RFC822, 9 DER_ASN1_DN; anything else yields nothing, as IOS
 * derives no name from an address or a key id); eap set: id is the EAP identity's bytes and
 * the mangler's eap rule applies. 0 and the name in out (printable, non-empty), else -1 and
 * why in why: the caller refuses the authorization.
 */
int conf_v2_mangle(const struct conf_ikev2_mangler *m, int id_type, const uint8_t *id,
                   size_t idlen, int eap, char *out, size_t outsz, char *why, size_t whysz);
const char *conf_v2_dn_word(int field);
/*
 * IKEv2 identities (common/conf_ikev2_match.c). id_type is RFC 7296's ID type on the wire
 * (1 IPv4, 2 FQDN, 3 RFC822, 5 IPv6, 11 KEY_ID: ikemgr/ikev2_wire.h names them).
 * conf_v2_profile_for: the first crypto ikev2 profile, in configuration order, one of whose
 * `match identity remote` lines matches the peer's IDi: address A MASK / ipv6 P/LEN against an
 * address ID (not the peer's outer address, as IOS), fqdn/email NAME exactly (any case), with
 * `domain` the FQDN or the part after '@' equal to NAME or ending in ".NAME" (whole labels),
 * key-id exactly, any anything. NULL when none. peer and local are for matches on addresses
 * the configuration does not hold yet (match address local). Certificate maps are not
 * looked at: conf_v2_profile_pick does that, with cert_ok(arg, LABEL) saying whether the
 * peer's certificate matches map LABEL (keymgr, which reads certificates); a profile's
 * `match certificate` holds or its identity lines do (ORed, as IOS).
 * conf_v2_id_is: is a configured identity (enum conf_v2_id and its text, as a keyring peer's
 * `identity`) exactly the one on the wire? conf_v2_id_text: the ID as printable text (an
 * address, a name, a printable key id; else "typeN:" and hex), for logs and user names.
 */
const struct conf_ikev2_profile *conf_v2_profile_for(const struct vpnd_conf *, int id_type,
                                                     const uint8_t *id, size_t idlen,
                                                     const union sa46 *peer,
                                                     const union sa46 *local);
const struct conf_ikev2_profile *conf_v2_profile_pick(const struct vpnd_conf *, int id_type,
                                                      const uint8_t *id, size_t idlen,
                                                      int (*cert_ok)(void *, const char *),
                                                      void *arg);
int conf_v2_id_is(int conf_type, const char *value, int id_type, const uint8_t *id,
                  size_t idlen);
const char *conf_v2_id_text(int id_type, const uint8_t *id, size_t idlen, char *out,
                            size_t outsz);
const struct conf_keyring        *conf_find_keyring(const struct vpnd_conf *, const char *name);
/* A `local-address` value (interface name or dotted address) as an IPv4 address; 0 when it
 * is none (an IPv6 literal, an interface without an ip address). */
int conf_local_address(const struct vpnd_conf *, const char *spec, struct in_addr *out);
/* A `local-address` value as an address of either family (an interface gives its IPv4 one);
 * 0 when it names none. */
int conf_local_address46(const struct vpnd_conf *, const char *spec, union sa46 *out);
/* Does a selector (addr/mask, or addr6/plen6 when is6) cover peer? Never across families. */
int conf_sel_covers(int is6, struct in_addr addr, struct in_addr mask,
                    const struct in6_addr *addr6, int plen6, const union sa46 *peer);
#define CONF_SEL_COVERS(e, peer) \
	conf_sel_covers((e)->is6, (e)->addr, (e)->mask, &(e)->addr6, (e)->plen6, (peer))
/* The selector's prefix length, for the longest match */
#define CONF_SEL_LEN(e) ((e)->is6 ? (e)->plen6 : __builtin_popcount((e)->mask.s_addr))
/* Does profile pr's `match identity address` cover a? */
/* tunnel mode ipsec ...: the passenger (inner) family, then the overlay (outer) one when it
 * is not the same; dual-overlay takes peers of either family */
enum conf_tunnel_mode { TUNNEL_IPSEC_IPV4 = 1, TUNNEL_IPSEC_IPV4_V6, TUNNEL_IPSEC_IPV6,
                        TUNNEL_IPSEC_IPV6_V4, TUNNEL_IPSEC_DUAL };
/* "ipsec ipv4 v6-overlay" for TUNNEL_IPSEC_IPV4_V6 (show running-config's words) */
const char *conf_tunnel_mode_words(int mode);
/* Does the interface's tunnel mode take a peer of this family (outer v6 or not)? */
int conf_tunnel_takes_peer(const struct conf_interface *, int v6);
/* Does it carry IPv6 inside (ipv6 enable, ipv6 unnumbered, or a mode naming IPv6)? */
int conf_tunnel_inner6(const struct conf_interface *);
int conf_profile_matches_addr(const struct conf_isakmp_profile *pr, const union sa46 *a);
const struct conf_trustpoint     *conf_find_trustpoint(const struct vpnd_conf *, const char *name);
/* The first entry (lowest SEQ) of certificate map LABEL, NULL if none; the others follow it. */
const struct conf_certmap        *conf_find_certmap(const struct vpnd_conf *, const char *label);
/* "subject-name", "eq", ... (show running-config's words) */
const char *conf_certmap_field_word(int field);
const char *conf_certmap_op_word(int op);
/* Does the profile name trust point tp (`ca trust-point`)? */
int conf_profile_has_tp(const struct conf_isakmp_profile *, const char *tp);
/*
 * One interface command from outside the file (RADIUS ip:interface-config), parsed by the
 * same handlers as the lines of an `interface` block, onto *ifc: ip mtu, ip tcp adjust-mss,
 * ip access-group (the list must be configured). Returns 0, or -1 and why.
 */
int conf_iface_line(const struct vpnd_conf *, struct conf_interface *ifc, const char *line,
                    char *why, size_t whylen);
const struct conf_radius_server  *conf_find_radius(const struct vpnd_conf *, const char *name);
const struct conf_radius_group   *conf_find_radius_group(const struct vpnd_conf *, const char *name);
/* 1 when the profile's isakmp authorization list has a RADIUS method: the group may then be
 * defined on the RADIUS server instead of in the file. */
int conf_profile_group_via_radius(const struct vpnd_conf *, const struct conf_isakmp_profile *);

/*
 * Every keyword path the parser accepts (conf_words.c): block is "" for a top-level command,
 * else the command that opens the block ("crypto isakmp policy"); path is the keywords from
 * the block's start ("encr"); noop is 1 when it is accepted and means nothing on Linux.
 */
typedef void (*conf_keyword_fn)(const char *block, const char *path, int noop, void *arg);
void conf_keywords(conf_keyword_fn fn, void *arg);

#endif
