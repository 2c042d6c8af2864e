/*
 * Easy VPN remote (crypto ipsec client ezvpn NAME): ikemgr as the initiator. Each configured
 * ezvpn is one client walking aggressive mode with its group, XAUTH, Mode Config and quick
 * mode toward its current peer (ikev1_init*.c build and check the messages), with keymgr
 * computing SKEYID and holding the username and password, and tunmgr making the interface.
 */
#ifndef VPND_IKEMGR_EZVPN_H
#define VPND_IKEMGR_EZVPN_H

#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/msg.h"

void ez_init(const struct vpnd_conf *);
void ez_reload(const struct vpnd_conf *);
void ez_shutdown(void);
void ez_tick(time_t now);
void ez_cmd(const struct msg_ez_cmd *);
void ez_traffic(const struct msg_ez_traffic *);     /* connect acl: tunmgr saw traffic */

/* 1 when the datagram, or the answer for session peerid, belongs to an ezvpn */
int  ez_input(const uint8_t *pkt, size_t len, const union sa46 *peer,
              const union sa46 *local, int port4500);
int  ez_skeyid_res(uint32_t peerid, const struct msg_skeyid_res *);
void ez_xauth_res(uint32_t peerid, const struct msg_ez_xauth_res *);
int  ez_va_created(uint32_t peerid, const struct msg_va_created *);
int  ez_sa_added(uint32_t peerid, const struct msg_sa_added *);
int  ez_sa_expire(uint32_t peerid, const struct msg_sa_expire *);
int  ez_owns(uint32_t peerid);

/* The default offers (IOS's Easy VPN remote set), or the configured pre-share policies. */
struct ikei_p1_params;
struct ikei_qm;
void ez_p1_offer(const struct vpnd_conf *, struct ikei_p1_params *);
void ez_p2_offer(struct ikei_qm *);

#endif
