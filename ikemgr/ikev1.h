/*
 * The IKEv1 responder engine: state shared by the ikev1_*.c files.
 *
 * struct ike_sa is the IKEv1 SA: cookies, phase 1 keys and IVs, exchanges, retransmission,
 * DPD. What is about the session rather than the IKEv1 protocol (user, policy, interface,
 * IPsec SAs, liveness, report state) is its embedded struct ike_session (session.h), so that
 * IKEv2 SAs can hold the same session and the session code (reports, clear, CoA/Disconnect,
 * Session- and Idle-Timeout) serves both versions.
 *
 * The engine does no I/O of its own: packets, keymgr questions and tunmgr requests go out
 * through struct ike_io callbacks, so the process glue (ikemgr.c) owns sockets and channels
 * and tests can drive the engine directly.
 */
#ifndef VPND_IKEV1_H
#define VPND_IKEV1_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/ike_crypto.h"
#include "ikemgr/dh.h"
#include "ikemgr/isakmp.h"
#include "ikemgr/ike_timers.h"
#include "ikemgr/session.h"

/* Phase 1 (and 1.5) states of an IKE SA, in the order a session walks them. */
enum ike_state {
	IKE_S_MM_SA_SENT = 1,    /* main mode 2 sent (SA), waiting for KE and nonce */
	IKE_S_WAIT_SKEYID,       /* aggressive mode 1 / main mode 3 received, keymgr computing SKEYID */
	IKE_S_MM_WAIT_ID,        /* main mode 4 sent, waiting for the encrypted ID and HASH_I */
	IKE_S_MM_WAIT_CERT,      /* signatures: message 5 received, keymgr checking the peer */
	IKE_S_MM_WAIT_SIGN,      /* signatures: keymgr signing our HASH_R */
	IKE_S_WAIT_HASH_I,       /* aggressive mode 2 sent (the last half-open state) */
	IKE_S_XAUTH_REQ_SENT,    /* XAUTH REQUEST sent, waiting for REPLY */
	IKE_S_XAUTH_CHECKING,    /* REPLY forwarded to keymgr */
	IKE_S_XAUTH_SET_SENT,    /* SET status sent, waiting for ACK */
	IKE_S_CFG_WAIT,          /* authenticated, waiting for the Mode Config REQUEST */
	IKE_S_AUTHORIZING,       /* no XAUTH: keymgr fetching the group policy */
	IKE_S_ESTABLISHED,       /* Mode Config answered: quick modes may run */
	IKE_S_DEAD,
};

enum ike_exch_kind { EXCH_FREE = 0, EXCH_XAUTH, EXCH_XAUTH_SET, EXCH_CFG, EXCH_QUICK,
                     EXCH_QUICK_I /* quick mode we started (rekey) */ };

#define IKE_MAX_EXCH    6
#define IKE_NONCE_MAX   256
#define IKE_PUB_MAX     1024  /* group 16: 4096-bit */
#define IKE_ID_MAX      256

/* A quick mode in progress. */
struct ike_qm {
	/* ni is always the initiator's nonce, nr the responder's (we may be either) */
	uint8_t  ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t   nilen, nrlen;
	struct ike_child child;
	int      old_child;             /* initiator: index of the SA being rekeyed */
	struct ike_dh *dh;
	uint8_t  gqm[IKE_PUB_MAX];      /* our public value */
	size_t   gqmlen;
	uint8_t  gqm_i[IKE_PUB_MAX];    /* the peer's */
	size_t   gqm_ilen;
};

struct ike_exch {
	int      kind;               /* enum ike_exch_kind */
	uint32_t msgid;              /* network order */
	uint8_t  iv[16];
	struct ike_qm *qm;
	time_t   started;
};

struct ike_sa {
	struct ike_session s;          /* what IKEv2 will share: see session.h */
	struct ike_sa *next;          /* hash chain by cookie */
	struct ike_sa *all_next, **all_pprev;
	struct ike_sa *id_next;       /* hash chain by id */
	struct ike_sa *peer_next;     /* hash chain by peer address (its port may float) */
	uint8_t  cky_i[8], cky_r[8];
	int      state;
	int      port4500;            /* peer talks to us on 4500 (non-ESP marker) */
	int      natt;                /* 0 none, 1 RFC 3947, 2 draft */
	int      nat_detected;        /* NAT-D said someone is behind NAT */
	int      peer_xauth, peer_unity, peer_dpd;
	int      natd_type;           /* payload type to use for NAT-D (20 or 130) */

	/* chosen phase 1 proposal, and the transform as offered (echoed back) */
	int      encr, keylen, hash, auth_method, group;
	uint8_t  chosen_prop_num;
	struct isakmp_trans chosen_trans;
	uint32_t lifetime;
	int      xauth;               /* auth method was XAUTHInitPreShared */
	int      main_mode;           /* phase 1 was main mode (PSK chosen by address) */
	int      sig;                 /* main mode authenticated by signatures (certificates) */
	char     cert_subject[256];   /* signatures: the peer certificate's subject, for logs */
	char     sign_tp[64];         /* signatures: the trust point whose key signs for us */
	char     keyring[64];         /* main mode: where keymgr found the key, for logs */

	/* material kept until phase 1 completes */
	struct ike_dh *dh;
	uint8_t  gxi[IKE_PUB_MAX], gxr[IKE_PUB_MAX];
	size_t   gxlen;
	uint8_t  ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t   nilen, nrlen;
	uint8_t *sai_b;  size_t sai_len;
	uint8_t  idii_b[IKE_ID_MAX]; size_t idii_len;
	uint8_t  idir_b[IKE_ID_MAX]; size_t idir_len;

	uint8_t  skeyid[64];
	struct ike_p1keys k;
	uint8_t  p1_iv[16];           /* last CBC block of phase 1: seeds phase-2 IVs */
	uint8_t  iv[16];              /* phase 1 IV chain */

	int      xauth_tries;
	time_t   xauth_deadline;      /* crypto isakmp xauth timeout: the user's answer by then */
	/* quick-mode identities refused lately: a client retrying the same claim is logged once */
	struct { struct in_addr net, mask; } id_refused[4];
	unsigned id_refused_n;
	int      negotiating;         /* counted by admission.c until its session is up */
	uint64_t neg_addr;            /* the source (address, IPv6 /64) it is counted under */
	int      xauth_challenges;    /* RADIUS Access-Challenge rounds so far */

	int      initial_contact;     /* the peer said it has no other SA with us (rebooted) */

	struct ike_exch exch[IKE_MAX_EXCH];

	/* retransmission: the last thing we sent, and a digest of the last datagram received */
	uint8_t *last_out; size_t last_out_len;
	uint8_t  last_in_digest[20];
	int      have_last_in;
	uint8_t *held; size_t held_len;   /* quick mode answer held until tunmgr has the SA */
	uint8_t *pending_qm; size_t pending_qm_len; /* site-to-site: quick mode waiting for the VA */
	uint8_t *pending_cfg; size_t pending_cfg_len; /* Mode Config request that beat keymgr's
	                                                 group policy (no XAUTH) */
	uint32_t held_spi;
	int      hold_next;           /* ikev1_send_raw keeps the next datagram in held */
	int      retrans_left;        /* > 0 while we wait for an answer to our own request */
	time_t   retrans_at;

	/* liveness: last IKE message (the ESP side is the session's) */
	time_t   created, last_rx, dpd_sent_at;
	uint32_t dpd_seq;
	int      dpd_outstanding;
	unsigned dpd_acked, dpd_answered_peer;   /* for a first-time log line each way */
	time_t   established_at;

	struct tmr tmr;               /* its earliest deadline (ike_deadline.c) */
};

/* The peer an SA's debug lines are about, for log_dbg() and debug crypto condition. */
#define SA_PEER(sa) (&(const struct log_peer){ .addr = sa46_in4(&(sa)->s.peer).s_addr, \
                                               .addr6 = sa46_is6(&(sa)->s.peer) ? \
                                                        (const void *)&(sa)->s.peer.sin6.sin6_addr : NULL, \
                                               .user = (sa)->s.user, .group = (sa)->s.group_name })

/* What the engine needs from its host process. */
struct ike_io {
	void (*send)(const union sa46 *local, const union sa46 *peer, int port4500,
	             const uint8_t *pkt, size_t len);
	void (*to_keymgr)(uint32_t type, uint32_t peerid, const void *data, size_t len);
	void (*to_tunmgr)(uint32_t type, uint32_t peerid, const void *data, size_t len);
	void (*to_parent)(uint32_t type, uint32_t peerid, const void *data, size_t len);
};

/* Counters an operator can read; every dropped datagram is counted once. */
struct ike_stats {
	uint64_t rx, tx, drop_short, drop_malformed, drop_unknown_sa, drop_hash, drop_decrypt,
	         drop_ratelimit, drop_halfopen_cap, drop_state, no_proposal, bad_id, retransmits,
	         duplicates, sessions_up, sessions_down,
	         drop_peer_cap, drop_shed, drop_sa_cap, drop_aggr_disabled, adm_requests,
	         adm_accepted, rx_bytes, tx_bytes;
};
/* ike_stats.c: the counters for the metrics, and the IKE SAs that never became a session */
void ike_stats_failed(const char *reason);
void ike_stats_report(void);

struct ike_engine {
	const struct vpnd_conf *conf;
	struct ike_io io;
	struct ike_sa *hash[16384];   /* by initiator cookie: ~1 per chain at 20,000 SAs */
	struct ike_sa *by_id[16384];
	struct ike_sa *by_peer[16384];
	struct ike_sa *all;
	int      nsa, nhalfopen;          /* nhalfopen: in negotiation (admission.c) */
	uint32_t next_id;
	struct ike_stats st;
	int      peer_rate;           /* new exchanges per second per peer address */
	const uint8_t *cur_in;        /* the protected datagram being handled, as received */
	size_t   cur_in_len;
	struct tmr_heap timers;       /* one entry per SA: its next deadline */
};

extern struct ike_engine ike;

/* ikev1.c: entry points */
void ikev1_init(const struct vpnd_conf *conf, const struct ike_io *io);
void ikev1_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
                 const union sa46 *local, int port4500);
/* ikev1_answers.c: keymgr's and tunmgr's answers, for the session peerid */
void ikev1_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *);
void ikev1_cert_verify_res(uint32_t peerid, const struct msg_cert_verify_res *);
void ikev1_sign_res(uint32_t peerid, const struct msg_sign_res *);
void ikev1_xauth_res(uint32_t peerid, const struct msg_xauth_res *);
void ikev1_va_created(uint32_t peerid, const struct msg_va_created *);
void ikev1_sa_added(uint32_t peerid, const struct msg_sa_added *);
void ikev1_va_activity(uint32_t peerid, const struct msg_va_activity *);
void ikev1_sa_expire(uint32_t peerid, const struct msg_sa_expire *);
void ikev1_tick(time_t now);      /* once a second: the SAs whose deadline came (ike_deadline.c) */
void ikev1_shutdown(void);        /* send DELETEs and free everything */
void ikev1_clear(const struct msg_clear *);
void ikev1_reload(const struct vpnd_conf *);   /* ike_reload.c */   /* operator's clear crypto session */
void ike_dynauth(const struct msg_dynauth_req *);   /* ike_dynauth.c: RFC 5176, from keymgr */

/* ike_deadline.c: what an SA waits for (retransmit, timeouts, DPD, rekeys, lifetimes). A
 * change that may bring its next deadline closer calls ike_sa_rearm; one that only pushes it
 * later need not (the SA wakes up early, finds nothing due and sleeps again). */
void ike_sa_rearm(struct ike_sa *);
void ike_sa_touch(struct ike_sa *);     /* check it at the next tick (report, deadlines) */

/* ike_sa.c; ike_sa_new() gives the SA's session these ops (session.h) */
extern const struct ike_session_ops ikev1_session_ops;
struct ike_sa *ike_sa_new(const uint8_t cky_i[8], const union sa46 *peer,
                          const union sa46 *local);
struct ike_sa *ike_sa_find(const uint8_t cky_i[8], const uint8_t cky_r[8]);
struct ike_sa *ike_sa_by_id(uint32_t id);
/* a first message's retransmission: the half-open SA of this initiator cookie and address */
struct ike_sa *ike_sa_find_first(const uint8_t cky_i[8], const union sa46 *peer);
void ike_sa_set_id(struct ike_sa *, uint32_t id);      /* re-hashes it */
/* The chain (peer_next) holding every SA of this peer address, newest first, among others:
 * callers compare the address. */
struct ike_sa *ike_sa_peer_chain(const union sa46 *);
void ike_sa_delete(struct ike_sa *, const char *reason, int notify_peer);
struct ike_exch *ike_exch_find(struct ike_sa *, uint32_t msgid);
struct ike_exch *ike_exch_new(struct ike_sa *, int kind, uint32_t msgid);
void ike_exch_free(struct ike_sa *, struct ike_exch *);
void ike_sa_remember_out(struct ike_sa *, const uint8_t *pkt, size_t len, int retransmit);

/* ikev1_msg.c: encryption, hashes and sending */
int  ikev1_decrypt(struct ike_sa *, uint8_t *pkt, size_t len, uint8_t *iv, size_t *plen);
int  ikev1_send_encrypted(struct ike_sa *, struct isakmp_buf *, uint8_t *iv, int retransmit);
void ikev1_send_raw(struct ike_sa *, const uint8_t *pkt, size_t len);
/* HASH(1) of informational/transaction exchanges: prf(SKEYID_a, M-ID | payloads after HASH). */
int  ikev1_hash_msg(struct ike_sa *, uint32_t msgid, const uint8_t *pre, size_t prelen,
                    const uint8_t *data, size_t len, uint8_t *out);
/* Builds HDR*, HASH(1), then lets fill() append payloads; hashes and encrypts. */
int  ikev1_send_protected(struct ike_sa *, uint8_t exch_type, uint32_t msgid, uint8_t *iv,
                          const uint8_t *hash_pre, size_t hash_prelen,
                          int (*fill)(struct isakmp_buf *, void *), void *arg, int retransmit);
/* Verify the HASH payload of a decrypted protected message (pl[0] must be HASH). */
int  ikev1_verify_hash(struct ike_sa *, const struct isakmp_msg *, const uint8_t *pre,
                       size_t prelen);

/* admission.c: crypto call admission limits; an SA counts from ike_sa_new() until its
 * session is up (ike_sa_set_established) or it is deleted */
int  ikev1_admit(const union sa46 *peer, const char *what);
void adm_sa_new(struct ike_sa *);
void adm_sa_settled(struct ike_sa *);
int  adm_is_known(const union sa46 *);
void ike_sa_set_established(struct ike_sa *);
void adm_report(void);

/* ikev1_p1.c: shared by aggressive and main mode */
const struct isakmp_payload *ikev1_find_pl(const struct isakmp_msg *, uint8_t type);
void ikev1_note_vids(struct ike_sa *, const struct isakmp_msg *);
void ikev1_idir_addr(struct ike_sa *);
int  ikev1_put_natd(struct isakmp_buf *, struct ike_sa *, const union sa46 *);
/* Ends a phase 1 reply: our NAT-D pair when natd, finalize, remember for retransmissions,
 * send. A failure (rc < 0 on entry included) deletes the SA and returns -1. */
int  ikev1_p1_send_reply(struct ike_sa *, struct isakmp_buf *, int rc, int natd);
int  ikev1_p1_keys(struct ike_sa *, const struct msg_skeyid_res *);
void ikev1_natd_check(struct ike_sa *, const struct isakmp_msg *);

/* ikev1_main.c */
void ikev1_main_start(const struct isakmp_msg *m, const union sa46 *peer,
                      const union sa46 *local, int port4500);
void ikev1_main_input(struct ike_sa *, uint8_t *pkt, size_t len);
void ikev1_main_skeyid(struct ike_sa *, const struct msg_skeyid_res *);
/* What PSK and signature main mode share at message 5: the profile's demands (-1: SA deleted),
 * and the end of phase 1 once message 6 went out (how: "key from ..." or the certificate). */
int  ikev1_main_profile_ok(struct ike_sa *, const struct conf_isakmp_profile *, const char *group);
/* ikev1_cfg.c: a Mode Config request kept while keymgr authorized the group, handled now */
void ikev1_cfg_replay(struct ike_sa *);
void ikev1_main_done(struct ike_sa *, const char *ida, const char *how);
void ikev1_main_note_contact(struct ike_sa *, const struct isakmp_msg *);

/* ikev1_sig.c: main mode with certificates (RFC 2409 5.1) */
int  ikev1_sig_method(int auth_method);
void ikev1_sig_mm3(struct ike_sa *, const struct isakmp_msg *);
void ikev1_sig_mm5(struct ike_sa *, const struct isakmp_msg *);
void ikev1_sig_verified(struct ike_sa *, const struct msg_cert_verify_res *);
void ikev1_sig_signed(struct ike_sa *, const struct msg_sign_res *);

/* ikev1_aggr.c */
void ikev1_aggr_start(const uint8_t *pkt, size_t len, const struct isakmp_msg *m,
                      const union sa46 *peer, const union sa46 *local, int port4500);
void ikev1_aggr_skeyid(struct ike_sa *, const struct msg_skeyid_res *);
void ikev1_aggr_final(struct ike_sa *, uint8_t *pkt, size_t len);

/* ikev1_xauth.c */
void ikev1_xauth_start(struct ike_sa *);
void ikev1_xauth_input(struct ike_sa *, struct ike_exch *, const struct isakmp_msg *);
void ikev1_xauth_result(struct ike_sa *, const struct msg_xauth_res *);

/* ike_session.c: a session outlives the IKE SA that made it (client phase-1 rekeys) */
struct ike_sa *ike_session_predecessor(const struct ike_sa *);
void ike_session_adopt(struct ike_sa *newer, struct ike_sa *older);
void ike_session_replaces(const struct ike_sa *, const char *user, struct msg_xauth_req *);

/* ikev1_cfg.c */
void ikev1_cfg_input(struct ike_sa *, struct ike_exch *, const struct isakmp_msg *);
void ikev1_cfg_authorize(struct ike_sa *);

/* ikev1_quick.c */
void ikev1_quick_input(struct ike_sa *, struct ike_exch *, const struct isakmp_msg *, int first);

struct ike_p2_choice;
/* ikev1_quick.c, shared with the initiator side */
int  ikev1_qm_install(struct ike_sa *, struct ike_qm *, const struct ike_p2_choice *);
void ikev1_child_added(struct ike_sa *, const struct ike_child *);

/* ikev1_selector.c: quick-mode identities as interface selectors */
int  ikev1_id_selector(const uint8_t *body, size_t len, struct in_addr *net, struct in_addr *mask);
/* An IPv6 address, subnet or range identity (types 5, 6, 8) */
int  ikev1_id_is_ipv6(const uint8_t *body, size_t len);
/* An IPv6 address, subnet or range that is a prefix, as NET6/PLEN (host bits cleared);
 * -1 for anything else */
int  ikev1_id_selector6(const uint8_t *body, size_t len, struct in6_addr *net6, int *plen);
/* An IPv6 quick mode: NULL when IDci is the session's Mode Config IPv6 address, or lies
 * within one of its RADIUS IPv6 networks (Framed-IPv6-Route, Delegated-IPv6-Prefix) that no
 * other session holds, and IDcr an IPv6 identity; else why not. */
const char *ikev1_check_selector6(const struct vpnd_conf *, const struct ike_sa *,
                                  const uint8_t *idci, size_t cilen, const uint8_t *idcr,
                                  size_t crlen, struct in6_addr *net6, int *plen,
                                  int *hub_any);
/* What this SA's peer may claim: its Mode Config address, its group's or profile's
 * network-extension access-list, its Framed-Routes (common/netpolicy.h) */
struct netpolicy_peer;
int  ikev1_id_refusal_seen(struct ike_sa *, struct in_addr net, struct in_addr mask);
void ikev1_netpolicy_peer(const struct ike_sa *, struct netpolicy_peer *);
/* NULL if the session may add this selector, else why not */
const char *ikev1_check_selector(const struct vpnd_conf *, const struct ike_sa *,
                                 struct in_addr net, struct in_addr mask, int hub_any);

/* ikev1_rekey.c: quick mode as initiator, when an IPsec SA nears its soft lifetime */
void ikev1_rekey_start(struct ike_sa *, struct ike_child *);
void ikev1_rekey_input(struct ike_sa *, struct ike_exch *, const struct isakmp_msg *);
void ikev1_rekey_tick(struct ike_sa *, time_t now);
time_t ikev1_rekey_deadline(const struct ike_sa *);   /* 0: none */

/* ikev1_info.c */
void ikev1_info_input(struct ike_sa *, const struct isakmp_msg *);
void ikev1_send_notify(struct ike_sa *, uint16_t type, uint8_t proto, const uint8_t *spi,
                       size_t spilen, const uint8_t *data, size_t datalen);
void ikev1_send_delete_all(struct ike_sa *);
void ikev1_send_delete_child(struct ike_sa *, const struct ike_child *);
void ikev1_send_dpd(struct ike_sa *);
/* Unencrypted notify to a peer that has no SA yet (NO-PROPOSAL-CHOSEN, INVALID-ID). */
void ikev1_send_plain_notify(const struct isakmp_hdr *req, const union sa46 *peer,
                             const union sa46 *local, int port4500, uint16_t type);

/* ike_report.c: IKE and IPsec SAs as the parent's session store sees them. sync() reports
 * what changed since the last call (new SAs, state changes, SAs gone); it runs every tick and
 * right after SA changes. The session's half (IPsec SA rows, the end of all rows) is in
 * session.h. */
void ike_report_sync(struct ike_sa *);
/* the names show crypto isakmp sa and show crypto ipsec sa print */
void ike_encr_name(int encr, int keylen, char *buf, size_t len);
const char *ike_hash_name(int hash);
int  esp_iv_size(int encr);
/* ike_clear.c: clear crypto sa [peer A], clear crypto isakmp [CONN-ID] */
void ike_clear_sa(const struct msg_clear *);
void ikev1_delete_children(struct ike_sa *, const uint32_t *spi_in, int n);

/* ikev1_proposal.c: pure functions, unit-tested */
/* Pick the first configured policy (priority order) that one of the peer's transforms matches.
 * Returns the index of the matching transform in the SA's proposal 0, or -1. */
struct ike_p1_choice {
	int encr, keylen, hash, auth_method, group;
	uint32_t lifetime;
	int prop, trans;              /* indexes into the parsed SA */
	int policy_priority;
};
int  ikev1_choose_p1(const struct vpnd_conf *, const struct isakmp_sa *, int xauth_allowed,
                     struct ike_p1_choice *out);
/* Same, with signature methods only when sig_allowed: aggressive mode never (pre-shared keys
 * only), main mode when some profile names a trust point. */
int  ikev1_choose_p1_auth(const struct vpnd_conf *, const struct isakmp_sa *, int xauth_allowed,
                          int sig_allowed, struct ike_p1_choice *out);
struct ike_p2_choice {
	int encr, keylen, auth, pfs_group, encap_mode;
	uint32_t life_seconds, life_kb;
	int prop, trans;
	uint32_t peer_spi;            /* network order */
	const char *tset_name;
};
int  ikev1_choose_p2(const struct vpnd_conf *, const struct conf_ipsec_profile *,
                     const struct isakmp_sa *, int natt, struct ike_p2_choice *out);

/* phase 1 done: the peer's address is known to admission.c for a while */
void ike_sa_promoted(struct ike_sa *);
const char *esp_transform_name(int encr, int keylen, int auth);

/* session teardown (ikev1.c): the session's end (ike_session_end) and the IKE SA's */
void ikev1_replay_held(struct ike_sa *, uint8_t **held, size_t *held_len);
void ikev1_session_gone(struct ike_sa *, const char *reason);
int  ikev1_template_shut(struct ike_sa *);
int  ikev1_template_ipv6(const struct ike_sa *);

#endif
