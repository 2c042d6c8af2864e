/*
 * What tunmgr accepts of an Easy VPN remote session (tunmgr/ezbounds.c): the server's word
 * (Mode Config address, split networks) reaches us through ikemgr, so the configuration and
 * the host's own networks bound it. Pure functions, unit-tested (test/unit/test_ezbounds.c).
 */
#ifndef VPND_TUNMGR_EZBOUNDS_H
#define VPND_TUNMGR_EZBOUNDS_H

#include <stddef.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/msg.h"

struct ez_net {
	struct in_addr net;             /* host bits clear */
	int            plen;
};

#define EZ_MAX_INSIDE CONF_EZVPN_INSIDE

/* A request's accepted contents, what the session then holds to. */
struct ez_accepted {
	const struct conf_ezvpn *ez;
	int            mode;            /* enum conf_ezvpn_mode */
	struct in_addr addr;            /* 0: none (network extension) */
	struct ez_net  split[MSG_ROUTES_MAX];
	int            nsplit;          /* 0: everything (0.0.0.0/0) */
	struct ez_net  inside[EZ_MAX_INSIDE];
	int            ninside;
};

uint32_t ez_mask(int plen);         /* network order */
int ez_nets_overlap(struct ez_net a, struct ez_net b);
/* Client and network-plus modes take the pushed address onto the interface. */
int ez_mode_has_addr(int mode);

/*
 * 0 and *out filled, or an errno with why: ENOENT no such ezvpn, ENXIO no virtual-interface
 * template, EPERM the peer is not one of its peers, EADDRNOTAVAIL the address, EINVAL a split
 * network or the request's own fields. LOCAL: the host's connected networks (netlink).
 * VOUCHED: backup servers keymgr accepted for this ezvpn (IMSG_EZ_BACKUP_OK), peers too.
 */
int ez_bounds(const struct vpnd_conf *, const struct msg_ez_va *, const struct ez_net *local,
              int nlocal, const struct in_addr *vouched, int nvouched,
              struct ez_accepted *out, char *why, size_t whylen);
/* An SA selector (the server's side) the session may have: 0/0, what a virtual-interface
 * client negotiates (IOS's and ikemgr's: the routes decide what enters the tunnel), or
 * exactly one of the accepted split networks. */
int ez_sel_ok(const struct ez_accepted *, struct in_addr net, int plen);
/* A decrypted packet: to the address (client, network-plus) or an inside network (network
 * extension, network-plus), and with split networks, from one of them, whatever the SA's
 * selector (0/0 with splits would let the server send from anywhere). */
int ez_inbound_ok(const struct ez_accepted *, uint32_t src, uint32_t dst);

#endif
