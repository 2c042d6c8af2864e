/*
 * The IKEv2 responder (RFC 7296): state shared by the ikev2_*.c files.
 *
 * An IKEv2 SA embeds the same struct ike_session an IKEv1 SA does (session.h), so reports,
 * clear, CoA/Disconnect, the virtual-access interface and the IPsec SAs' bookkeeping are one
 * code for both versions. What is IKEv2's own: the SPIs and keys, the message-ID windows (one
 * request at a time each way, RFC 7296 2.3), the exchanges.
 *
 * One job per file: ikev2_sa.c (the table, sending, retransmission, deadlines, the session's
 * ops), ikev2_init.c (IKE_SA_INIT: proposal, KE, nonces, NAT detection, cookies), ikev2_auth.c
 * (IKE_AUTH: identities, AUTH through keymgr, authorization, configuration payload),
 * ikev2_child.c (the CHILD_SA an IKE_AUTH carries: ESP proposal, traffic selectors, keys to
 * tunmgr), ikev2_rekey.c (CREATE_CHILD_SA: CHILD_SA and IKE SA rekeys), ikev2_info.c
 * (INFORMATIONAL: deletes and liveness), ikev2_req.c (our own requests: one in flight, the
 * rest queued, retransmitted, their answers), ikev2_dpd.c (our liveness checks),
 * ikev2_hubrekey.c (CHILD_SA and IKE SA rekeys we start), ikev2_session.c (tunmgr's reports,
 * clear, reload), ikev2_frag.c (RFC 7383 fragments: requests put back together, large
 * responses cut).
 */
#ifndef VPND_IKEV2_H
#define VPND_IKEV2_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/ikev2_crypto.h"
#include "common/msg.h"
#include "ikemgr/dh.h"
#include "ikemgr/ike_timers.h"
#include "ikemgr/ikev2_proposal.h"
#include "ikemgr/ikev2_wire.h"
#include "ikemgr/session.h"

/* The peer an IKEv2 SA's debug lines are about, for log_dbg() and debug crypto condition:
 * its address, and once IKE_AUTH named them its identity (the session's user) and its
 * authorization group, as IKEv1's SA_PEER. */
#define V2_PEER(sa) (&(const struct log_peer){ .addr = sa46_in4(&(sa)->s.peer).s_addr, \
                     .addr6 = sa46_is6(&(sa)->s.peer) ? \
                              (const void *)&(sa)->s.peer.sin6.sin6_addr : NULL, \
                     .user = (sa)->s.user, .group = (sa)->s.group_name })
#define V2_PEER_OF(p) (&(const struct log_peer){ .addr = sa46_in4(p).s_addr, \
                       .addr6 = sa46_is6(p) ? (const void *)&(p)->sin6.sin6_addr : NULL })

enum ikev2_state {
	V2_S_INIT_DONE = 1,     /* IKE_SA_INIT answered: waiting for IKE_AUTH */
	V2_S_WAIT_AUTH,          /* IKE_AUTH received, keymgr checking the peer's AUTH */
	V2_S_EAP,               /* EAP: waiting for the peer's next EAP message */
	V2_S_EAP_RADIUS,        /* EAP: keymgr asking RADIUS */
	V2_S_EAP_DONE,          /* EAP succeeded: waiting for the peer's MSK-keyed AUTH */
	V2_S_AUTHORIZING,       /* authenticated, keymgr fetching the policy (address, DNS) */
	V2_S_WAIT_VA,           /* tunmgr creating the virtual-access interface */
	V2_S_WAIT_SA,           /* tunmgr installing the CHILD_SA; the answer held till then */
	V2_S_ESTABLISHED,
	V2_S_DEAD,
};

#define V2_NONCE_LEN 32
#define V2_MSG_MAX   3072       /* RealMessage1/2 kept for the AUTH octets (msg.h's bound) */

/* The IKE_AUTH request being answered: kept from its arrival until the answer is sent. */
struct ikev2_auth_req {
	uint8_t  idi[MSG_ID_MAX + 4];  size_t idi_len;      /* IDi body (type, reserved, data) */
	uint8_t  idr_b[MSG_ID_MAX + 4]; size_t idr_b_len;   /* our IDr body */
	int      cp_request;            /* a CFG_REQUEST came */
	int      want_ip4, want_ip6, want_dns;
	int      family;                /* the CHILD_SA's: 4 or 6 (a rekey's), 0 IPv4 first */
	struct ikev2_prop props[IKEV2_MAX_PROPS];   /* the CHILD_SA's proposals, as offered */
	int      nprops;
	struct ikev2_tsl tsi, tsr;
	int      initial_contact;
	int      transport;             /* USE_TRANSPORT_MODE: refused (remote access is tunnel) */
	uint32_t msgid;
	/* the chosen CHILD_SA and the selectors of the answer */
	struct ike_child c;
	struct ikev2_esp_choice esp;
	struct ikev2_ts ts_i[IKEV2_MAX_TS], ts_r[IKEV2_MAX_TS];
	int      nts_i, nts_r;
	int      chosen;
	int      child_error;           /* the notify refusing the CHILD_SA, 0 = none */
	/* keymgr's answer: our AUTH, its method, the trust point whose certificate goes with it */
	uint8_t  auth_r[MSG_V2_AUTH_MAX];
	size_t   auth_r_len;
	int      auth_r_method;
	char     tp[MSG_TP_MAX];
	/* EAP (2.16): 1 under way (ours sent with the first EAP request), 2 its last AUTH with
	 * keymgr; final_auth: the peer's AUTH, checked here when EAP gave no MSK */
	int      eap;
	uint8_t  final_auth[IKEV2_PRF_MAX];
	size_t   final_auth_len;
	/* match certificate (ikev2_auth.c): with a certificate the profile is a guess until
	 * keymgr names its own; the peer's AUTH and certificates, to ask again with that
	 * profile's IDr */
	int      cert_guess, reprofiled;
	int      peer_method;
	uint8_t  peer_auth[MSG_V2_AUTH_MAX];
	size_t   peer_auth_len;
	int      ncert;
	uint16_t cert_len[MSG_CERT_MAX];
	uint8_t  certs[MSG_CERT_BYTES];
};

struct ikev2_frag_rx;
struct ikev2_req;

struct ikev2_sa {
	struct ikev2_sa *spi_next;      /* hash chain by SPIr (ours) */
	struct ikev2_sa *id_next;       /* hash chain by session id */
	struct ikev2_sa *all_next, **all_pprev;
	struct ikev2_sa *init_next;     /* hash chain by SPIi + peer: IKE_SA_INIT retransmissions */
	struct ike_session s;
	int      state;
	uint8_t  spi_i[8], spi_r[8];
	/* the profile is the session's (s.v2profile); its name survives a reload */
	char     prof_name[CONF_NAME_MAX]; /* to find it again after a reload (the configuration
	                                    * is overwritten in place) */

	/* IKE_SA_INIT */
	struct ikev2_suite suite;
	struct ikev2_keys k;
	uint8_t  ni[256], nr[V2_NONCE_LEN];
	size_t   nilen, nrlen;
	uint8_t *msg1, *msg2;           /* RealMessage1 (theirs) and 2 (ours), for AUTH */
	size_t   msg1_len, msg2_len;
	int      nat_peer, nat_us;      /* NAT detected in front of the peer / of us */
	int      peer_hashes;           /* MSG_V2_HASH_*: RFC 7427 hashes the peer verifies */
	char     auth_words[16];        /* for show: "psk", or "SIGN/VERIFY" when they differ */
	int      port4500;              /* the peer talks to us on 4500 */
	int      frag;                  /* IKE fragmentation negotiated (RFC 7383 2.3) */
	int      redirect_ok;           /* REDIRECT_SUPPORTED, not redirected already (RFC 5685) */
	struct ikev2_frag_rx *frx;      /* a fragmented request being put back together */

	/* we started this IKE SA (a rekey of ours, 2.18): our messages carry the I flag, and
	 * SK_ei/SK_ai are our outbound keys instead of SK_er/SK_ar */
	int      we_init;

	/* the peer's requests */
	uint32_t next_in;               /* the request we take next */
	uint8_t *last_resp;             /* our last answer, for retransmits of its request: one
	                                 * message, or its fragments back to back (each has its
	                                 * length in its header) */
	size_t   last_resp_len;
	int      last_resp_frags;       /* how many fragments last_resp holds, 0: not cut */
	uint32_t last_resp_msgid;       /* which: an IKE_AUTH answered late follows others */

	/* our own requests (ikev2_req.c): one in flight (window 1, 2.3), the others queued */
	uint32_t next_out;
	struct ikev2_req *req, *req_queue;
	time_t   rekey_at;              /* when we rekey this IKE SA (its profile's lifetime) */
	uint32_t successor;             /* superseded: the session id of the SA holding it now */

	struct ikev2_auth_req *auth;    /* IKE_AUTH in progress */
	uint8_t *held;                  /* a CHILD_SA rekey waiting for tunmgr (ikev2_rekey.c) */
	size_t   held_len;
	uint32_t held_spi;

	time_t   created, established_at, last_rx;
	char     end_reason[64];
	struct tmr tmr;
};

struct ikev2_engine {
	struct ikev2_sa *by_spi[4096];
	struct ikev2_sa *by_id[4096];
	struct ikev2_sa *by_init[4096];
	struct ikev2_sa *all;
	int      nsa, nhalfopen;
	struct tmr_heap timers;
	/* the CERTREQ body our IKE_SA_INIT answers carry, made once per configuration (0 len:
	 * none; certreq_made: made for the configuration in force) */
	uint8_t  certreq[1 + 20 * CONF_MAX_TRUSTPOINTS];
	size_t   certreq_len;
	int      certreq_made;
	/* counters for show and debug: every dropped datagram is counted once, by reason */
	uint64_t rx, drop_malformed, drop_unknown_sa, drop_msgid, drop_integrity, drop_state,
	         cookies_sent, sa_init_ok, auth_ok, auth_fail, redirects;
	/* RFC 7383: fragments taken (authentic), messages put back together, fragments sent,
	 * fragments dropped (malformed, out of bounds, inconsistent; also in drop_malformed or
	 * drop_integrity), fragments we had already (retransmitted) */
	uint64_t frag_rx, frag_reassembled, frag_tx, frag_drop, frag_dup;
};
extern struct ikev2_engine v2;

/* Our outbound and inbound SK_e/SK_a: the responder's keys out, or the initiator's once we
 * started the IKE SA. */
#define V2_EK_OUT(sa) ((sa)->we_init ? (sa)->k.ei : (sa)->k.er)
#define V2_AK_OUT(sa) ((sa)->we_init ? (sa)->k.ai : (sa)->k.ar)
#define V2_EK_IN(sa)  ((sa)->we_init ? (sa)->k.er : (sa)->k.ei)
#define V2_AK_IN(sa)  ((sa)->we_init ? (sa)->k.ar : (sa)->k.ai)

/* ikev2_sa.c */
void ikev2_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
                 const union sa46 *local, int port4500);
struct ikev2_sa *ikev2_sa_new(const uint8_t spi_i[8], const union sa46 *peer,
                              const union sa46 *local);
/* The IKE SA a rekey of ours makes: our SPIi, the peer's SPIr, we_init set. */
struct ikev2_sa *ikev2_sa_new_ours(const uint8_t spi_i[8], const uint8_t spi_r[8],
                                   const union sa46 *peer, const union sa46 *local);
struct ikev2_sa *ikev2_sa_by_id(uint32_t id);
void ikev2_sa_set_id(struct ikev2_sa *, uint32_t id);    /* re-hashes it */
void ikev2_sa_delete(struct ikev2_sa *, const char *reason, int notify_peer);
/* Sends a response to request msgid and keeps it for the peer's retransmission. */
void ikev2_send_response(struct ikev2_sa *, const uint8_t *pkt, size_t len);
void ikev2_send_raw(struct ikev2_sa *, const uint8_t *pkt, size_t len);
/* ikev2_auth.c: our IDr as text (the profile's identity local, else our address) */
void ikev2_our_id_text(const struct ikev2_sa *, char *out, size_t len);
/* debug crypto ikev2 packet: one line per datagram, "Received"/"Sending", from and to */
void ikev2_dbg_pkt(const struct log_peer *, const char *what, const uint8_t *pkt, size_t len,
                   const union sa46 *from, const union sa46 *to);
/* Our last response again (all its fragments when it was cut). */
void ikev2_resend_response(struct ikev2_sa *);
/* An authentic request's decrypted payload chain (first type np), whole or put back together
 * from fragments: it becomes the request taken, then goes by exchange type. */
void ikev2_dispatch(struct ikev2_sa *, const struct ikev2_hdr *, uint8_t np, const uint8_t *in,
                    size_t len);
void ikev2_rearm(struct ikev2_sa *);
/* IKE_AUTH answered: no longer half open, its session deadlines from now */
void ikev2_established(struct ikev2_sa *);
void ikev2_tick(time_t now);
/* ikev2_session.c */
int  ikev2_va_activity(uint32_t peerid, const struct msg_va_activity *);
int  ikev2_sa_expire(uint32_t peerid, const struct msg_sa_expire *);
void ikev2_clear(const struct msg_clear *);
void ikev2_reload(const struct vpnd_conf *);
void ikev2_shutdown(void);
/* An encrypted message: header for exch/msgid, an SK payload, then the caller's payloads
 * (put with isakmp_put_payload and friends) and ikev2_seal. */
int  ikev2_begin_sk(struct ikev2_sa *, struct isakmp_buf *, uint8_t exch, uint32_t msgid,
                    int response, size_t *sk_off);
int  ikev2_seal(struct ikev2_sa *, struct isakmp_buf *, size_t sk_off);
/* An unencrypted IKE_SA_INIT answer with one notify (errors, COOKIE, INVALID_KE). */
void ikev2_notify_clear(const uint8_t spi_i[8], const uint8_t spi_r[8], const union sa46 *peer,
                        const union sa46 *local, int port4500, uint16_t type,
                        const uint8_t *data, size_t len);
/* A protected answer carrying one error notify. */
void ikev2_notify_protected(struct ikev2_sa *, uint8_t exch, uint32_t msgid, uint16_t type,
                            const uint8_t *data, size_t len);

/* ikev2_redirect.c (RFC 5685): 1 when the IKE_SA_INIT was answered with REDIRECT; whether
 * the client may be redirected (it supports it, and was not redirected already); 1 when the
 * authenticated IKE_AUTH was answered with REDIRECT instead of a session (the SA is gone) */
int  ikev2_redirect_init(const struct ikev2_hdr *, const struct ikev2_chain *,
                         const struct ikev2_pl *nonce, const union sa46 *peer,
                         const union sa46 *local, int port4500);
int  ikev2_redirect_ok(const struct ikev2_chain *);
int  ikev2_redirect_auth(struct ikev2_sa *);

/* ikev2_init.c */
void ikev2_sa_init(const uint8_t *pkt, size_t len, const struct ikev2_hdr *h,
                   const union sa46 *peer, const union sa46 *local, int port4500);

/* ikev2_auth.c */
void ikev2_auth_input(struct ikev2_sa *, uint32_t msgid, uint8_t np, const uint8_t *in,
                      size_t len);
int  ikev2_auth_res(uint32_t peerid, const struct msg_v2_auth_res *);
void ikev2_auth_fail(struct ikev2_sa *, uint32_t msgid, uint16_t type, const char *why);
void ikev2_auth_ask(struct ikev2_sa *, int method, const uint8_t *auth, size_t auth_len,
                    int final);
void ikev2_put_id_cert(const struct ikev2_sa *, struct isakmp_buf *);
/* ikev2_eap.c: EAP relayed to keymgr (2.16). begin: keymgr's first EAP request goes out
 * with our AUTH; input: the peer's IKE_AUTH while EAP runs; eap_res: keymgr's next EAP
 * message; final_auth: keymgr's verdict on the last AUTH into sa->auth, -1 when refused
 * (the SA is gone). */
void ikev2_eap_begin(struct ikev2_sa *, const uint8_t *eap, size_t len);
void ikev2_eap_input(struct ikev2_sa *, uint32_t msgid, uint8_t np, const uint8_t *in,
                     size_t len);
int  ikev2_eap_res(uint32_t peerid, const struct msg_v2_eap *);
int  ikev2_eap_final_auth(struct ikev2_sa *, const struct msg_v2_auth_res *);
int  ikev2_xauth_res(uint32_t peerid, const struct msg_xauth_res *);
int  ikev2_va_created(uint32_t peerid, const struct msg_va_created *);
int  ikev2_sa_added(uint32_t peerid, const struct msg_sa_added *);

/* ikev2_child.c */
/* Chooses the CHILD_SA from the request's proposals and selectors against the ipsec profile
 * and the session's address; 0, or the notify type to answer with. */
int  ikev2_child_choose(struct ikev2_sa *, struct ikev2_auth_req *);
/* Derives its keys (KEYMAT from kx's SK_d, [g^ir,] the exchange's nonces; the initiator's
 * keys first, ours when we_init) and hands it to tunmgr for sa's session, which answers
 * IMSG_SA_ADDED. kx is sa, or the IKE SA an exchange ran on before the session moved. */
int  ikev2_child_install(struct ikev2_sa *sa, const struct ikev2_sa *kx,
                         const struct ike_child *, int we_init, const uint8_t *gir,
                         size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                         size_t nrlen);
/* The first and last address of net/plen, as traffic selector bounds. */
void ikev2_range6(const struct in6_addr *net, int plen, uint8_t lo[16], uint8_t hi[16]);
/* SA, TSi, TSr of the answer. */
int  ikev2_child_put(struct ikev2_sa *, struct ikev2_auth_req *, struct isakmp_buf *);

/* ikev2_rekey.c */
void ikev2_create_child_input(struct ikev2_sa *, uint32_t msgid, uint8_t np, const uint8_t *in,
                              size_t len);
int  ikev2_rekey_added(struct ikev2_sa *, const struct msg_sa_added *);
/* The new IKE SA n takes old's session over (a rekey by either side): the session id, what
 * the session holds, our queued requests; old is superseded. */
void ikev2_take_over(struct ikev2_sa *n, struct ikev2_sa *old);

/* ikev2_req.c: our requests, one in flight (2.3), the others queued in order */
enum ikev2_req_kind {
	V2_REQ_DPD = 1,         /* an empty INFORMATIONAL: liveness */
	V2_REQ_DELETE_CHILD,    /* INFORMATIONAL Delete (ESP) of our inbound SPIs */
	V2_REQ_DELETE_IKE,      /* INFORMATIONAL Delete (IKE): a rekeyed SA of ours ends */
	V2_REQ_CHILD_REKEY,     /* CREATE_CHILD_SA rekeying a CHILD_SA */
	V2_REQ_IKE_REKEY,       /* CREATE_CHILD_SA rekeying the IKE SA */
};
struct ikev2_req {
	struct ikev2_req *next;
	int      kind;
	uint32_t msgid;
	uint8_t *pkt;           /* as sent, for retransmission */
	size_t   len;
	int      tries;
	time_t   due;           /* the next retransmission, or giving up */
	/* DELETE_CHILD: our inbound SPIs (remove: the pairs go when answered, as after our own
	 * rekey); CHILD_REKEY: spis[0] is the SA being replaced */
	uint32_t spis[IKE_MAX_CHILD];
	int      nspis, remove;
	/* the rekeys: what the answer is checked against and keyed with */
	struct ike_child c;     /* CHILD_REKEY: the new SA as offered (spi_in ours) */
	uint8_t  ni[V2_NONCE_LEN];
	struct ike_dh *dh;
	int      group;
	uint8_t  spi[8];        /* IKE_REKEY: our SPIi of the new IKE SA */
};
struct ikev2_req *ikev2_req_new(int kind);
/* Queues r (sent at once when nothing is in flight); 0, or -1 (r freed). */
int  ikev2_req_queue(struct ikev2_sa *, struct ikev2_req *r);
/* A request of that kind in flight (1) or queued (2); 0 if none. For CHILD_REKEY, of spi. */
int  ikev2_req_pending(const struct ikev2_sa *, int kind, uint32_t spi);
/* Drops a queued (not in flight) CHILD_REKEY of spi; 1 if there was one. */
int  ikev2_req_unqueue_rekey(struct ikev2_sa *, uint32_t spi);
time_t ikev2_req_deadline(const struct ikev2_sa *);       /* 0: nothing in flight */
int  ikev2_req_tick(struct ikev2_sa *, time_t now);      /* 0: the SA was deleted */
/* A response (R flag) from the SA's peer: 1 when it answered our request in flight. */
int  ikev2_req_response(struct ikev2_sa *, const struct ikev2_hdr *, const uint8_t *pkt,
                        size_t len);
void ikev2_req_free_all(struct ikev2_sa *);
void ikev2_req_move(struct ikev2_sa *to, struct ikev2_sa *from);
/* Tells the peer our inbound SPIs are gone (the op of clear, hard expiry). */
void ikev2_delete_children(struct ikev2_sa *, const uint32_t *spi_in, int n, int remove);

/* ikev2_hubrekey.c: rekeys we start. child: at its soft lifetime (tunmgr's report); ike: at
 * the profile's lifetime less a jittered margin (rekey_at). The payloads of the request, and
 * its answer (0 when the SA is gone); IMSG_SA_ADDED for a CHILD_SA of ours (1 if it was). */
void ikev2_hub_child_rekey(struct ikev2_sa *, struct ike_child *);
void ikev2_hub_ike_rekey(struct ikev2_sa *);
time_t ikev2_hub_rekey_at(const struct ikev2_sa *);
int  ikev2_hub_build(struct ikev2_sa *, struct ikev2_req *, struct isakmp_buf *);
int  ikev2_hub_answer(struct ikev2_sa *, struct ikev2_req *, const struct ikev2_chain *);
int  ikev2_hub_added(struct ikev2_sa *, const struct msg_sa_added *);

/* ikev2_dpd.c */
time_t ikev2_dpd_deadline(const struct ikev2_sa *);       /* 0: nothing due until an event */
void ikev2_dpd_tick(struct ikev2_sa *, time_t now);      /* queues a check when one is due */
int  ikev2_dpd_retry(const struct ikev2_sa *);            /* seconds between its sends */
#define IKEV2_DPD_TRIES 5

/* ikev2_frag.c */
#define IKEV2_FRAG_MAX      32          /* fragments of one message we put back together */
#define IKEV2_FRAG_BYTES    65536       /* and its decrypted bytes */
#define IKEV2_FRAG_SECS     30          /* a message not complete by then is given up */
/* A request on sa whose only payload is the Encrypted Fragment payload skf (the message ID is
 * the one expected): checked, decrypted, kept; the last missing one hands the whole chain to
 * ikev2_dispatch. */
void ikev2_frag_input(struct ikev2_sa *, const struct ikev2_hdr *, const uint8_t *pkt,
                      size_t len, const struct ikev2_pl *skf);
/* A fragment of the request last answered: our response again on an authentic fragment 1. */
void ikev2_frag_retransmit(struct ikev2_sa *, const uint8_t *pkt, size_t len);
/* Forgets a reassembly under way. */
void ikev2_frag_drop(struct ikev2_sa *);
/* Sends a sealed response, cut into fragments when fragmentation was negotiated and it does
 * not fit the configured MTU; keeps what was sent as last_resp. 0, or -1 (nothing sent). */
int  ikev2_frag_send_response(struct ikev2_sa *, const uint8_t *pkt, size_t len);
/* The largest IKE message (UDP payload, non-ESP marker included) the MTU leaves. */
size_t ikev2_frag_limit(const struct ikev2_sa *);

/* ikev2_info.c */
void ikev2_info_input(struct ikev2_sa *, uint32_t msgid, uint8_t np, const uint8_t *in,
                      size_t len);

#endif
