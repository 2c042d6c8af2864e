/*
 * A remote-access session as ikemgr keeps it, apart from the IKE SA that negotiated it: who
 * (user, group, profile, merged policy), where (peer and local address), the virtual-access
 * interface, the IPsec SAs, liveness counters and what the parent's session store was told.
 *
 * The split exists so that IKEv1 and IKEv2 share one session: each IKE version's SA embeds a
 * struct ike_session (struct ike_sa in ikev1.h does) and hands &sa->s to the session code
 * (reports, clear, RADIUS CoA/Disconnect, Session-Timeout and Idle-Timeout). What the session
 * code cannot do itself, because it belongs to the IKE SA (a DELETE on the wire, its SPIs, its
 * deadlines, its own row in the store), it asks for through ops, which the IKE version that
 * embeds the session fills in: only that version's code turns a session back into its IKE SA.
 * Finding SAs (by cookie, id, peer) and ending them stays with each version's SA table.
 *
 * A session can outlive the IKE SA that made it (an IKEv1 client's phase-1 rekey is a whole
 * new IKE SA): the session part then moves to the newer SA, field by field (ike_session_move).
 */
#ifndef VPND_IKEMGR_SESSION_H
#define VPND_IKEMGR_SESSION_H

#include <stdint.h>
#include <time.h>
#include <net/if.h>

#include "common/conf.h"
#include "common/msg.h"
#include "common/sa46.h"
#include "ikemgr/isakmp.h"

#define IKE_MAX_CHILD   8
#define IKE_QMID_MAX    36      /* an IPv6 subnet identity: 4 + 16 + 16 bytes */

/* One IPsec (child) SA of the session. */
struct ike_child {
	int      used;
	uint32_t spi_in, spi_out;    /* network byte order */
	int      encr, keylen, auth, pfs_group, encap_mode;
	uint32_t lifetime, life_kb;
	int      installed;
	time_t   created;
	/* What a rekey repeats: the transform as agreed, and the quick-mode identities (IKEv1 ID
	 * payload bodies; an IKEv2 rekey would repeat its traffic selectors from sel_* instead). */
	struct isakmp_trans trans;
	uint8_t  id_peer[IKE_QMID_MAX], id_ours[IKE_QMID_MAX];
	uint8_t  id_peer_len, id_ours_len;
	struct in_addr sel_net, sel_mask;   /* client side: traffic to it uses this SA */
	int      sel_hub_any;        /* hub side was 0.0.0.0/0 (or ::/0) */
	/* IKEv2: the hub side's first traffic selector when it is a network (split tunnelling),
	 * for the store's local_ident/local_mask; 0 when it is everything or IKEv1's */
	struct in_addr hub_net, hub_mask;
	int      sel_v6;             /* an IPv6 SA: client side sel_net6/sel_plen6, sel_net/mask 0 */
	struct in6_addr sel_net6;
	int      sel_plen6;
	int      rekeying;           /* a hub-initiated rekey of this SA is under way */
	uint32_t replaces;           /* IKEv2: the SA (spi_in) our rekey made this one for */
	time_t   replaced_at;        /* a newer SA with the same identities exists */
};

struct ike_session;

/* What only the IKE SA holding a session can do; its IKE version fills them in. */
struct ike_session_ops {
	/* Something its deadlines depend on changed (a CoA's Session-Timeout). */
	void (*rearm)(struct ike_session *);
	/* Tell the peer these inbound SPIs (network order) are gone. */
	void (*delete_children)(struct ike_session *, const uint32_t *spi_in, int n);
	/* The IKE SA's SPIs (IKEv1 cookies), for the session store's row. */
	void (*ike_spis)(const struct ike_session *, uint8_t spi_i[8], uint8_t spi_r[8]);
	/* Report what changed to the parent's session store: the IKE SA's row (its states are
	 * the version's own) and then the IPsec SAs' (ike_report_children). */
	void (*sync)(struct ike_session *);
};

struct ike_session {
	const struct ike_session_ops *ops;
	uint32_t id;                  /* session id: peerid in imsgs, conn-id, Acct-Session-Id */
	union sa46 peer, local;
	char     user[MSG_USER_MAX];
	char     group_name[MSG_GROUP_MAX];
	/* the profile that matched the peer; "crypto isakmp profile" is the only kind there is */
	const struct conf_isakmp_profile *profile;
	const struct conf_ikev2_profile *v2profile;   /* an IKEv2 session's, instead */
	struct msg_policy policy;     /* group, RADIUS and profile merged by keymgr */
	int      have_policy;         /* policy holds an address lease keymgr must get back */
	int      addr6_given;         /* the client was handed policy.addr6 (it asked) */

	/* the virtual-access interface */
	int      va_requested, va_ready;
	char     ifname[IF_NAMESIZE];
	int      unit;
	int      reported;            /* the parent has its IMSG_SESSION_UP */
	int      adopted;             /* took the session over from an older IKE SA */
	int      superseded;          /* the session moved to a newer IKE SA: this one holds none */

	struct ike_child child[IKE_MAX_CHILD];

	/* liveness and accounting: last ESP packet in and out, as tunmgr counts them */
	time_t   start;               /* when it came up; 0 while its first IKE SA sets it up */
	time_t   esp_in_at, esp_out_at;
	uint64_t esp_pkts_in, esp_pkts_out;

	/* what ike_report.c last told the parent: the IKE SA row's state and peer port, the
	 * IPsec SAs (the store keeps one IKE SA row per session, whichever IKE SA holds it) */
	int      rep_state;
	uint16_t rep_port;
	time_t   rep_established;
	uint32_t rep_spi[IKE_MAX_CHILD];
};

/* session.c */
/* The same client as far as sessions go: peer address and port, user, group. */
int  ike_session_same_client(const struct ike_session *, const struct ike_session *,
                             const char *user);
/* Moves what the session holds (policy, interface, IPsec SAs, counters, report state) from
 * one IKE SA's session to another's; the id, the start and who is superseded are the
 * caller's. */
void ike_session_move(struct ike_session *to, struct ike_session *from);
/* An IPsec SA leaves: out of tunmgr, out of the session store, its slot freed. */
void ike_child_remove(struct ike_session *, struct ike_child *, const char *reason);
/* The virtual-template number and the profile's name, from whichever kind of profile. */
int  ike_session_vtemplate(const struct ike_session *);
const char *ike_session_profile_name(const struct ike_session *);
/* Whether the profile's virtual-template carries IPv6 inside (ipv6 enable, a tunnel mode). */
int  ike_session_inner6(const struct ike_session *);
/* The ipsec profile of the profile's virtual-template, if any. */
const struct conf_ipsec_profile *ike_session_ipsec_profile(const struct ike_session *);
/* RADIUS Session-Timeout and Idle-Timeout (else the ipsec profile's idle-time once up).
 * begun: the session's start, or while it has none the IKE SA's creation. */
time_t ike_session_deadline(const struct ike_session *, time_t begun, int up);
/* Why the session must end now, or NULL. */
const char *ike_session_expired(const struct ike_session *, time_t begun, int up, time_t now);
/* The virtual-access interface: asked of tunmgr for the client's network, and tunmgr's answer
 * (which reports the session up if it has an IPsec SA already). */
void ike_session_request_va(struct ike_session *, struct in_addr net, int plen);
void ike_session_va_ready(struct ike_session *, const struct msg_va_created *);
/* tunmgr's ESP counters; 1 if the session sent something since the last report */
int  ike_session_activity(struct ike_session *, const struct msg_va_activity *, time_t now);
/* The session store's row: once the interface is ready and an IPsec SA (the one the row
 * names) is installed, and again after a change (CoA). */
void ike_session_up(struct ike_session *, const struct ike_child *);
void ike_session_changed(struct ike_session *);
/* The session is over: interface, address lease, store row. Returns 1 if it had been
 * reported up (the caller logs the other cases, which depend on the IKE SA's state). */
int  ike_session_end(struct ike_session *, const char *reason);

/* ike_report.c, the session's half: IPsec SA rows, and the end of all its rows */
void ike_report_children(struct ike_session *);
void ike_report_child_gone(struct ike_session *, uint32_t spi_in, const char *reason);
void ike_report_gone(struct ike_session *, const char *reason);

/* ike_clear.c: the session's IPsec SAs go (clear crypto sa); how many */
int  ike_session_clear_children(struct ike_session *);

#endif
