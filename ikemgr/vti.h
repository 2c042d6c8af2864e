/* Static VTIs (interface TunnelN): ikemgr dials each tunnel's destination (vti.c, its life;
 * vti_exchange.c, the answers) and reports its SAs to the session store (vti_report.c). */
#ifndef VPND_IKEMGR_VTI_H
#define VPND_IKEMGR_VTI_H

#include <time.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/msg.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_init.h"

enum vti_state {
	VTI_IDLE,           /* waiting for its (re)try time */
	VTI_MM1,            /* main mode 1 sent */
	VTI_MM3,            /* main mode 3 sent */
	VTI_SKEYID,         /* message 4 received, keymgr computing SKEYID */
	VTI_MM5,            /* main mode 5 sent */
	VTI_QM,             /* phase 1 up, quick mode 1 sent */
	VTI_ACTIVE,
};

#define VTI_RTX_MAX   5       /* retransmissions of one request before the attempt fails */
#define VTI_BACKOFF   30      /* seconds before dialling again after a failed attempt */

struct vti {
	char     name[CONF_NAME_MAX];
	int      used, state;
	uint32_t id;                        /* this attempt's session, for keymgr and the parent */
	uint32_t tun_id;                    /* the tunnel's session in tunmgr */
	struct in_addr dst;                 /* the destination it was configured with */
	union sa46 peer, local;
	int      port4500;
	struct ike_dh *dh;
	struct ikei_sa sa;
	struct ikei_qm qm, rk;              /* the pair in use; its successor while rekeying */
	int      rekeying;
	uint8_t *last; size_t last_len;     /* our last request, for retransmission */
	int      rtx_left, rto;
	time_t   next_at;
	time_t   ike_up_at;
	int      session_reported, ipsec_reported;
	/* a quick mode the peer started (its rekey), until its HASH(3): vti_qr.c */
	struct ikei_qm qr;
	int      qr_wait3, qr_refused;
	uint8_t *reply; size_t reply_len;   /* our answer to it, sent again if message 1 is */
	uint32_t reply_msgid;
	/* DPD (vti_dpd.c) */
	time_t   heard_at, dpd_at;
	int      dpd_out;
	uint32_t dpd_seq;
	/* the ISAKMP SA renewed (vti_p1.c): the one in use kept in osa while the new main mode
	 * runs in sa (state MM1..MM5), the pair staying in tunmgr */
	struct ikei_sa osa;
	int      p1_renewing, p1_rekey_due;
	uint32_t p1_life;                   /* seconds: the lifetime main mode offered */
	time_t   p1_renew_at;
	time_t   p1_old_del_at;             /* when the replaced SA, still in osa, is deleted */
	/* the pair our rekey replaced: kept inbound a few seconds, as strongSwan may still be
	 * moving its traffic to the new pair when a DELETE arrives at once */
	uint32_t old_spi_in, old_spi_out;
	time_t   old_del_at;
};
#define VTI_OLD_PAIR_DELETE 5   /* seconds the pair our rekey replaced stays in */

void vti_init(const struct vpnd_conf *);
void vti_reload(const struct vpnd_conf *);
void vti_shutdown(void);
void vti_tick(time_t now);
/* 1 when the datagram, or the answer for session peerid, belongs to a static VTI */
int  vti_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
               const union sa46 *local, int port4500);
int  vti_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *);
int  vti_sa_added(uint32_t peerid, const struct msg_sa_added *);
int  vti_sa_expire(uint32_t peerid, const struct msg_sa_expire *);

/* vti.c: a tunnel's life */
extern struct vti vtis[CONF_MAX_IFACES];
extern const struct vpnd_conf *vconf;
struct vti *vti_by_id(uint32_t id);
const struct conf_interface *vti_conf(const struct vti *);
void vti_send(struct vti *, const struct isakmp_buf *);
void vti_send_req(struct vti *, const struct isakmp_buf *, time_t now);
void vti_connect(struct vti *, time_t now);
void vti_down(struct vti *, const char *why, int tell_peer, time_t now);

/* vti_sig.c: main mode rsa-sig when the file has no key for the destination */
void vti_sig_offer(const struct vti *, struct ikei_p1_params *);
int  vti_sig_mm3(struct vti *, struct isakmp_buf *);
void vti_sig_keys(struct vti *, time_t now);
int  vti_sig_mm6(struct vti *, uint8_t *pkt, size_t len, uint16_t *notify, time_t now);
int  vti_sign_res(uint32_t peerid, const struct msg_sign_res *);
int  vti_cert_res(uint32_t peerid, const struct msg_cert_verify_res *);
/* vti_exchange.c, for vti_sig.c */
void vti_mm5_send(struct vti *, struct isakmp_buf *, int rc, time_t now);
void vti_p1_up(struct vti *, time_t now);
/* vti_exchange.c */
void vti_install(struct vti *, const struct ikei_qm *);

/* vti_qr.c: the peer's quick modes on the tunnel's ISAKMP SA */
void vti_qr_input(struct vti *, uint8_t *pkt, size_t len, uint32_t msgid, time_t now);
void vti_qr_clear(struct vti *);

/* vti_dpd.c */
#define VTI_DPD_MAX 5         /* R-U-THEREs unanswered before the peer is taken for dead */
void vti_dpd_start(struct vti *, time_t now);
void vti_dpd_tick(struct vti *, time_t now);
void vti_dpd_heard(struct vti *, time_t now);

/* vti_p1.c */
#define VTI_P1_RENEW_PCT 90   /* a new main mode at 90 % of the ISAKMP SA's lifetime */
#define VTI_P1_OLD_DELETE 5   /* seconds the replaced ISAKMP SA lives on before its DELETE */
void vti_p1_schedule(struct vti *, time_t now);
void vti_p1_start(struct vti *, time_t now);
void vti_p1_renewed(struct vti *, time_t now);
int  vti_p1_failed(struct vti *, const char *why, int tell_peer, time_t now);
int  vti_p1_old_input(struct vti *, uint8_t *pkt, size_t len, uint8_t exch, time_t now);
void vti_p1_old_delete(struct vti *);
/* vti.c: the pair our rekey replaced goes (DELETE to the peer when tell_peer) */
void vti_old_pair_delete(struct vti *, int tell_peer);
void vti_rekey_start(struct vti *, time_t now);

/* vti_report.c */
void vti_rep_ike_up(struct vti *);
void vti_rep_ipsec_up(struct vti *, const struct ikei_qm *);
void vti_rep_ipsec_down(struct vti *, uint32_t spi_in, const char *why);
void vti_rep_session_up(struct vti *);
void vti_rep_down(struct vti *, const char *why);

#endif
