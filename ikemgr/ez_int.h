/* Easy VPN remote internals, shared by ezvpn.c, ez_exchange.c and ez_sa.c. */
#ifndef VPND_IKEMGR_EZ_INT_H
#define VPND_IKEMGR_EZ_INT_H

#include <net/if.h>

#include "ikemgr/ezvpn.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init.h"

enum ez_state {
	EZ_IDLE,            /* connect auto: waiting for its (re)try time */
	EZ_CONNECT_REQ,     /* connect manual: waiting for the operator */
	EZ_WAIT_TRAFFIC,    /* connect acl: waiting for tunmgr's IMSG_EZ_TRAFFIC */
	EZ_P1,              /* aggressive mode 1 sent */
	EZ_SKEYID,          /* message 2 received, keymgr computing SKEYID */
	EZ_XAUTH,           /* message 3 sent, answering the server's XAUTH */
	EZ_CREDS,           /* keymgr fetching username and password */
	EZ_CFG,             /* Mode Config request sent */
	EZ_VA,              /* tunmgr making the interface */
	EZ_QM,              /* quick mode 1 sent */
	EZ_ACTIVE,
};

#define EZ_RTX_MAX   5       /* retransmissions of one request before the peer counts as failed */
#define EZ_BACKOFF   30      /* seconds before trying again after every peer failed */

struct ez {
	char     name[CONF_NAME_MAX];
	int      used, state, peer_idx, failures;
	uint32_t id;                        /* session id for tunmgr, keymgr and the parent */
	union sa46 peer, local;
	int      port4500;
	struct ike_dh *dh;
	struct ikei_sa sa;
	struct ikei_x x;                    /* the transaction under way */
	struct ikei_qm qm;                  /* the IPsec SA pair in use */
	struct ikei_qm rk;                  /* its successor while a rekey runs */
	int      rekeying;
	struct ikei_qm qr;                  /* a quick mode the server started (its rekey) */
	int      qr_wait3;                  /* answered, waiting for its HASH(3) */
	struct ikei_cfg cfg;
	char     user[MSG_USER_MAX], pass[MSG_PASS_MAX];   /* only while XAUTH runs */
	int      have_creds;
	uint8_t *held; size_t held_len;     /* the XAUTH request waiting for the credentials */
	uint8_t *last; size_t last_len;     /* our last request, for retransmission */
	uint8_t *reply; size_t reply_len;   /* our last answer, resent to a repeated request */
	uint32_t reply_msgid;
	int      rtx_left, rto;
	time_t   next_at;                   /* retransmit, timeout or retry */
	char     ifname[IF_NAMESIZE];
	int      unit;
	char     event[24];
	unsigned qm_refused;                /* quick modes the server started, not answered */
	/* DPD (crypto isakmp keepalive): our R-U-THEREs without an answer, and when next */
	uint32_t dpd_seq;
	int      dpd_out;
	time_t   dpd_at;
	/* backup-gateway servers a configured peer pushed (Unity 0x7009), tried after them */
	struct in_addr backup[MSG_EZ_BACKUP_MAX];
	int      nbackup;
	/* what ez_report.c told the parent */
	time_t   ike_up_at;
	int      session_reported, ipsec_reported;
	/* xauth userid mode interactive: keymgr holds the server's request for the operator
	 * (state EZ_CREDS, shown as XAUTH_PROMPT) until next_at */
	int      prompt;
	/* connect acl: traffic is not acted on before this (every peer failed: a pause) */
	time_t   traffic_hold;
};

extern struct ez ezs[CONF_MAX_EZVPN];
extern const struct vpnd_conf *ezconf;

/* ezvpn.c */
struct ez *ez_by_id(uint32_t id);
const struct conf_ezvpn *ez_conf(const struct ez *);
void ez_report(struct ez *, const char *event);
void ez_wipe_creds(struct ez *);
void ez_send(struct ez *, const struct isakmp_buf *);
void ez_send_req(struct ez *, const struct isakmp_buf *, time_t now);
void ez_keep_reply(struct ez *, const struct isakmp_buf *, uint32_t msgid);
void ez_clear_session(struct ez *);
/* Ends the attempt or the session. failed: this peer let us down, try the next one. */
void ez_down(struct ez *, const char *why, int tell_peer, int failed, time_t now);
void ez_connect(struct ez *, time_t now);

/* ez_exchange.c */
void ez_ask_va(struct ez *);
void ez_start_qm(struct ez *, time_t now);

/* ez_sa.c */
void ez_install_sa(struct ez *, const struct ikei_qm *);
void ez_qm_done(struct ez *, const struct ikei_qm *, struct isakmp_buf *hash3);
void ez_rekey_start(struct ez *, time_t now);
void ez_rekey_input(struct ez *, uint8_t *pkt, size_t len, uint32_t msgid, time_t now);
/* a quick mode the server started: answered with the client's own offers as the bound */
void ez_qr_input(struct ez *, uint8_t *pkt, size_t len, uint32_t msgid, time_t now);

/* ez_dpd.c: crypto isakmp keepalive from the client's side */
void ez_dpd_start(struct ez *, time_t now);
void ez_dpd_tick(struct ez *, time_t now);
void ez_dpd_ack(struct ez *, time_t now);

/* ez_report.c: the session store's view (show crypto session, isakmp sa, ipsec sa) */
void ez_rep_ike_up(struct ez *, const char *state);
void ez_rep_ipsec_up(struct ez *, const struct ikei_qm *);
void ez_rep_ipsec_down(struct ez *, uint32_t spi_in, const char *why);
void ez_rep_session_up(struct ez *);
void ez_rep_down(struct ez *, const char *why);

#endif
