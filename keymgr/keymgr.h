/*
 * keymgr's answers to ikemgr: SKEYID from pre-shared keys, XAUTH verdicts with the session
 * policy, and address pools. Pure functions over the configuration, so they are unit-tested
 * without a process around them.
 */
#ifndef VPND_KEYMGR_H
#define VPND_KEYMGR_H

#include <time.h>

#include "common/conf.h"
#include "common/msg.h"

void keymgr_init(const struct vpnd_conf *conf);
/* How answers that waited on RADIUS reach ikemgr (keymgr.c sends them as imsgs). */
typedef void (*keymgr_send_fn)(uint32_t type, uint32_t peerid, const void *data, size_t len);
void keymgr_set_sender(keymgr_send_fn fn);
/* Each returns 0 with *res filled, or 1 when the question waits on RADIUS: the answer then
 * goes through the sender, tagged with peerid. */
int  keymgr_skeyid_q(uint32_t peerid, const struct msg_skeyid_req *, struct msg_skeyid_res *);
int  keymgr_xauth_q(uint32_t peerid, const struct msg_xauth_req *, struct msg_xauth_res *);
/* Same, for callers without a loop (unit tests: RADIUS then runs in the caller's thread). */
void keymgr_skeyid(const struct msg_skeyid_req *, struct msg_skeyid_res *);
void keymgr_xauth(const struct msg_xauth_req *, struct msg_xauth_res *);
/* The Class the RADIUS server gave the session's user (kept for accounting); 0 = none. */
size_t keymgr_class(uint32_t sa_id, uint8_t *out, size_t outsz);
void keymgr_session_end(const struct msg_session_end *);
/* a new configuration, applied in place (keymgr_init's conf must be our heap copy) */
void keymgr_reload(const struct vpnd_conf *);

/* decoy.c: the SKEYID of an aggressive-mode group that does not exist, from a per-start
 * secret keyed by the name, so the exchange fails at HASH_I like a wrong key does */
void keymgr_decoy_skeyid(const struct msg_skeyid_req *, const char *group,
                         struct msg_skeyid_res *);

/* lockout.c: aaa local authentication attempts max-fail. refused: 1 (and why) when the user
 * is locked out or its source address failed too often; result: a login's outcome (local:
 * the local user database judged it). Changes go to the parent through to_parent. */
void lockout_init(const struct vpnd_conf *, keymgr_send_fn to_parent);
int  lockout_refused(const char *user, const union sa46 *from, char *why, size_t whylen);
void lockout_result(const char *user, const union sa46 *from, int ok, int local);
int  lockout_clear(const struct msg_lockout_clear *);
void lockout_reload(void);

/* keyring.c: the key for a main mode peer by address (order in keyring.c). key points into
 * the configuration; profile and keyring may be NULL (global key, no profile). */
struct key_choice {
	const char *key;
	const struct conf_isakmp_profile *profile;
	const struct conf_keyring *keyring;
};
int  keymgr_key_by_addr(const struct vpnd_conf *, const union sa46 *local,
                        const union sa46 *peer, struct key_choice *out);

/* cert.c: main mode with signatures. The peer's certificates, identity and signature over
 * HASH_I against the configured trust points; our signature over HASH_R. */
void keymgr_cert_verify(const struct vpnd_conf *, const struct msg_cert_verify_req *,
                        struct msg_cert_verify_res *);
void keymgr_cert_sign(const struct vpnd_conf *, const struct msg_sign_req *, struct msg_sign_res *);
/* vouched.c: what ikemgr gets. HASH_I checked and HASH_R signed are computed here from the
 * exchange's parts; a signature only for an SA whose certificate check passed, once, with its
 * method and our subject as IDir. keymgr_cert_verify and keymgr_cert_sign themselves take
 * any hash. */
void keymgr_verify_q(const struct vpnd_conf *, const struct msg_cert_verify_req *,
                     struct msg_cert_verify_res *);
void keymgr_sign_q(const struct vpnd_conf *, const struct msg_sign_req *, struct msg_sign_res *);
/* The IKEv1 signature primitives (method = wire auth method: 3/65005 RSA, 9/10/11 ECDSA);
 * k is an EVP_PKEY. verify: 1 good. sign: 0 and *slen set (in: the room at sig). */
struct evp_pkey_st;
int  cert_sig_verify(struct evp_pkey_st *k, int method, const uint8_t *hash, size_t hlen,
                     const uint8_t *sig, size_t slen);
int  cert_sig_sign(struct evp_pkey_st *k, int method, const uint8_t *hash, size_t hlen,
                   uint8_t *sig, size_t *slen);
/* ECDSA signatures as IKE carries them (r | s, each n bytes: RFC 4754) and as OpenSSL takes
 * them (DER): the DER's length (at most cap) or -1; 0 or -1 */
int  cert_ecdsa_rs_to_der(const uint8_t *rs, size_t n, uint8_t *der, size_t cap);
int  cert_ecdsa_der_to_rs(const uint8_t *der, size_t dl, size_t n, uint8_t *rs);
/* The peer's chain against the trust points tp_allowed(arg, name) accepts (NULL: all), then
 * the identity (ID payload body) in the leaf: CERT_OK and *pub (to free), else why in res. */
int  cert_peer_check(const struct vpnd_conf *, int (*tp_allowed)(const void *, const char *),
                     const void *arg, int ncert, const uint16_t *cert_len, const uint8_t *certs,
                     size_t certs_cap, const uint8_t *id, size_t idlen, struct evp_pkey_st **pub,
                     struct msg_cert_verify_res *res);

/* certmap.c: crypto pki certificate map against a certificate. certmap_dn: a DN as the maps
 * compare it (lower-case RFC 2253, malloc'd; NULL when it cannot be written);
 * certmap_entry_holds: every line of one entry holds; certmap_match: one entry of LABEL
 * holds ("" or no such map: 0). */
struct x509_st;
struct X509_name_st;
char *certmap_dn(const struct X509_name_st *n);
int  certmap_entry_holds(const struct conf_certmap *m, struct x509_st *x);
int  certmap_match(const struct vpnd_conf *, const char *label, struct x509_st *x);
/* the labels of the maps the DER certificate matches, each once, "" after the last (when
 * there is room) */
void certmap_labels(const struct vpnd_conf *, const uint8_t *der, size_t len,
                    char labels[][64], int max);

/* passwd.c: a local user's password against the configured clear text or hash (1 = good) */
struct conf_user;
int  passwd_verify(const struct conf_user *u, const char *password);

/* grouplock.c: 1 (and why) if group-lock refuses USER of GROUP; radius_group is the
 * ipsec:user-vpn-group the user's Access-Accept carried, or NULL */
int  group_lock_refused(const struct conf_group *g, const char *user, const char *radius_group,
                        char *why, size_t whylen);

/*
 * leases.c: an address pool's leases, one slot per address holding the session that has it
 * (0 = free). A pool's state starts with its struct leases.
 */
struct leases {
	char      name[CONF_NAME_MAX];
	uint32_t  size;
	uint32_t *owner;
};
void leases_init(struct leases *, const char *name, uint32_t size);    /* fatal without memory */
/* The table named NAME among N tables STRIDE bytes apart from FIRST, NULL when none. */
struct leases *leases_find(void *first, size_t stride, int n, const char *name);
/* The lowest slot free or already SESSION's that USABLE accepts (NULL: every one), now
 * SESSION's: its index, or -1 when none is left. */
long leases_take(struct leases *, uint32_t session_id,
                 int (*usable)(const struct leases *, uint32_t slot));
int  leases_in_use(const struct leases *);

/* pool.c */
void pool_init(const struct vpnd_conf *conf);
/* Returns 0 and the address, or -1 when the pool is exhausted or unknown. */
int  pool_alloc(const char *pool, uint32_t session_id, struct in_addr *out);
/* An address chosen elsewhere (RADIUS Framed-IP-Address): taken out of any pool holding it.
 * Returns -1 when another session has it. */
int  pool_claim(uint32_t session_id, struct in_addr a);
void pool_release(uint32_t session_id, struct in_addr a);
int  pool_in_use(const char *pool);
void pool_reload(const struct vpnd_conf *conf);
/* addr6.c: the session's IPv6 address from RADIUS or a pool, :: in OUT when none */
struct rad_attrs;
void addr6_assign(const struct vpnd_conf *c, uint32_t sa_id, const struct conf_group *g,
                  const struct rad_attrs *ua, struct in6_addr *out);
/* addr6.c: the user's Framed-IPv6-Routes and Delegated-IPv6-Prefix that the configuration
 * allows, into p (which has its IPv6 address by now) */
void routes6_assign(const struct vpnd_conf *c, uint32_t sa_id, const struct rad_attrs *ua,
                    struct msg_policy *p);
/* addr6.c: DNS-Server-IPv6-Address of the user's reply, else of the group's, over the
 * group's ipv6 dns in p */
void dns6_assign(uint32_t sa_id, const struct rad_attrs *ga, const struct rad_attrs *ua,
                 struct msg_policy *p);
/* pool6.c: ipv6 local pool, one /128 per session */
void pool6_init(const struct vpnd_conf *conf);
int  pool6_alloc(const char *pool, uint32_t session_id, struct in6_addr *out);
/* An address the RADIUS server chose: a pool holding it marks it taken (-1: another
 * session has it); one outside every pool is not tracked here, as with pool_claim. */
int  pool6_claim(uint32_t session_id, const struct in6_addr *a);
void pool6_release(uint32_t session_id, const struct in6_addr *a);
int  pool6_in_use(const char *pool);
void pool6_reload(const struct vpnd_conf *conf);

/* authz.c: keymgr's verdicts on sessions, told to tunmgr (IMSG_AUTHZ / IMSG_AUTHZ_DEL) */
void authz_init(keymgr_send_fn to_tunmgr);
/* A client authenticated or authorized with this policy (address, networks, lists). */
void authz_grant(uint32_t session_id, const struct msg_policy *);
/* A main-mode peer by address: it may claim what its profile's network-extension list
 * permits (pr NULL: nothing), until XAUTH or Mode Config gives it a policy. */
void authz_grant_s2s(uint32_t session_id, const struct conf_isakmp_profile *pr);
/* A CoA-Request changed the session's inbound access list. */
void authz_set_acl(uint32_t session_id, const char *acl_in);
void authz_revoke(uint32_t session_id);

/* logins.c: sessions per group and per user, for max-users and max-logins */
int  logins_check(const char *group, const char *user, int max_users, int max_logins,
                  const uint32_t *replaces, int nreplaces, char *why, size_t whylen);
int  logins_add(uint32_t session_id, const char *group, const char *user);
void logins_del(uint32_t session_id);
int  logins_count(const char *group, const char *user);

/* ezvpn.c: an Easy VPN remote's group key (as SKEYID) and XAUTH credentials, for an SA to
 * one of its configured peers only */
/* hash.c: HASH_I (hash_r 0) or HASH_R (1) computed from the exchange's parts and the ID
 * body (type, protocol, port, data), out of ike_hash_len bytes; -1 when the parts are out of
 * bounds. hash_id_is_subject: id is trust point tp's subject as an ID_DER_ASN1_DN. */
int  hash_parts_ok(const struct msg_hash_parts *);
int  hash_from_parts(const struct msg_hash_parts *, int hash_r, const uint8_t *id, size_t idlen,
                     uint8_t out[MSG_KEY_MAX], uint16_t *outlen);
int  hash_id_is_subject(const struct conf_trustpoint *tp, const uint8_t *id, size_t idlen);

/* ISAKMP identification types (RFC 2407 4.6.2.1) that cert.c and vti.c check */
#define ID_IPV4_ADDR         1
#define ID_FQDN              2
#define ID_USER_FQDN         3
#define ID_IPV6_ADDR         5
#define ID_DER_ASN1_DN       9

/* vti.c: SKEYID for a static VTI we dial, from the key for its destination only; its
 * HASH_I computed from its parts and signed (rsa-sig) only toward that destination, with
 * its trust point */
void keymgr_vti_sign(const struct vpnd_conf *, const struct msg_vti_sign_req *,
                     struct msg_sign_res *);
/* ... and its peer's certificate from that trust point, with the destination in it */
void keymgr_vti_verify(const struct vpnd_conf *, const struct msg_cert_verify_req *,
                       struct msg_cert_verify_res *);
void keymgr_vti_skeyid(const struct vpnd_conf *, const struct msg_skeyid_req *,
                       struct msg_skeyid_res *);
void keymgr_ez_skeyid(const struct vpnd_conf *, const struct msg_skeyid_req *,
                      struct msg_skeyid_res *);
void keymgr_ez_xauth(const struct vpnd_conf *, const struct msg_ez_xauth_req *,
                     struct msg_ez_xauth_res *);
/* 1 and *out (the addresses kept) when the list comes from the SA keymgr keyed toward a
 * configured peer of that ezvpn; its addresses are then that ezvpn's peers too */
/* ez_prompt.c: xauth userid mode interactive, the request held for the operator's answer.
 * ezp_answer returns an enum msg_ez_xauth_verdict; with EZX_SENT, res is for ikemgr (peerid
 * res->sa_id) and holds the password: the caller wipes it. */
void ezp_hold(const struct conf_ezvpn *, uint32_t sa_id, time_t now);
void ezp_cancel(const struct msg_ez_xauth_req *);
void ezp_reload(const struct vpnd_conf *);
int  ezp_answer(const struct vpnd_conf *, const struct msg_ez_xauth_answer *,
                struct msg_ez_xauth_res *res, time_t now);
int  keymgr_ez_backup(const struct vpnd_conf *, const struct msg_ez_backup *,
                      struct msg_ez_backup *out);

/*
 * v2auth.c: IKEv2 AUTH (IMSG_V2_AUTH_REQ, contract in common/msg.h). KEY_NO_KEY: no profile
 * for the identity, the profile does not allow the peer's method, or no key or trust point
 * for it; KEY_ERROR: octets that do not hang together, an unknown prf, a wrong AUTH or an
 * untrusted certificate; KEY_OK: ours in res->auth, res->profile and res->group set, and the SA remembered as
 * judged until its session ends (v2_judged_drop) or newer ones push it out.
 */
struct v2_judged {
	uint32_t sa_id;
	int      kind;                      /* enum conf_v2_aaa_kind: how it authenticated */
	char     profile[CONF_NAME_MAX];
	char     group[MSG_GROUP_MAX];      /* the authorization's NAME */
	char     user[MSG_USER_MAX];        /* the identity as text: logs, the session's user */
};
/* 0: res is the answer; 1: parked on RADIUS (EAP), the answer goes out later by the sender
 * v2eap_set_sender gave */
int  keymgr_v2_auth(const struct vpnd_conf *, const struct msg_v2_auth_req *,
                    struct msg_v2_auth_res *);
const struct v2_judged *v2_judged_find(uint32_t sa_id);
/* v2name.c: the authorization NAME (res->group) for a peer judged by kind: the profile's
 * NAME or IOS's default, or what its name-mangler cuts from IDi (psk, cert) or eap_user
 * (eap). -1 (logged, out empty: the authorization is then refused) when the mangler cuts
 * nothing. */
int  v2_author_name(const struct vpnd_conf *, const struct conf_ikev2_profile *, int kind,
                    const struct msg_v2_auth_req *, const char *eap_user, char *out,
                    size_t outsz);
void v2_judged_drop(uint32_t sa_id);
/* NULL when the octets hang together (see v2auth.c), else why not */
const char *v2_octets_check(const struct msg_v2_auth_req *, size_t prf_len);
/* v2sig.c: IKEv2 signatures (RFC 7296 2.15, RFC 7427). v2sig_check: the peer's AUTH by a
 * certificate one of the profile's trust points vouches for, 1 good, else 0 and why in res;
 * v2sig_sign: ours over octets with the profile's trust point's key, 0 and res's auth,
 * auth_method and trustpoint set, else -1 and why. */
/* v2eap.c: EAP relayed to RADIUS for an IKEv2 SA. v2eap_begin (our AUTH in res): 0 with res
 * the answer (KEY_PENDING and an EAP-Request/Identity, or an error), 1 when the first
 * request went to RADIUS (the answer follows as IMSG_V2_AUTH_RES by the sender). v2eap_relay:
 * the peer's next EAP message to RADIUS; the answer follows as IMSG_V2_EAP_RES. v2eap_final:
 * after EAP succeeded, the peer's AUTH checked and ours computed with the MSK (or, without
 * one, eap_no_msk set), 1; else 0 and why. v2eap_drop: the SA is gone. */
struct ikev2_suite;
void v2eap_set_sender(keymgr_send_fn to_ike);
int  v2eap_begin(const struct vpnd_conf *, const struct conf_ikev2_profile *,
                 const struct msg_v2_auth_req *, struct msg_v2_auth_res *, const char *ident);
void v2eap_relay(const struct vpnd_conf *, const struct msg_v2_eap *);
int  v2eap_final(const struct msg_v2_auth_req *, const struct ikev2_suite *,
                 struct msg_v2_auth_res *);
void v2eap_drop(uint32_t sa_id);
/* aaa authorization user eap cached: the Access-Accept's attributes that ended the SA's EAP,
 * once (1), else 0 */
struct rad_attrs;
int  v2eap_cached_take(uint32_t sa_id, struct rad_attrs *out);
int  v2sig_check(const struct vpnd_conf *, const struct conf_ikev2_profile *,
                 const struct msg_v2_auth_req *, struct msg_v2_auth_res *);
int  v2sig_sign(const struct vpnd_conf *, const struct conf_ikev2_profile *,
                const struct msg_v2_auth_req *, struct msg_v2_auth_res *);

/* v2author.c: an authorization request for an SA judged by v2auth.c rewritten to the
 * profile's group and list (authorize only): 1; 0 for any other SA (left as it is); -1 and
 * why when its profile is gone. v2_author_fill: an authorization policy's attributes (not its
 * IPv4 pool, which auth.c takes like a group's) into p. */
int  v2_xauth_prepare(const struct vpnd_conf *, struct msg_xauth_req *, char *why,
                      size_t whylen);
void v2_author_fill(const struct vpnd_conf *, const struct conf_ikev2_author *,
                    uint32_t sa_id, struct msg_policy *p);
/* auth.c: the permit lines' source networks of a standard list as split networks */
void policy_split_from_acl(const struct conf_acl *acl, struct msg_policy *p);

/* cmap.c: the keys of the crypto maps' ipsec-manual entries, to tunmgr */
struct msg_manual_sa;
int  cmap_manual_msg(const struct conf_crypto_map *, struct msg_manual_sa *);
int  cmap_send_all(const struct vpnd_conf *, keymgr_send_fn to_tunmgr);

#endif
