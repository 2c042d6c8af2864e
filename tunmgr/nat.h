/* Client-mode NAT of Easy VPN remote sessions through nftables (tunmgr/nat.c). */
#ifndef VPND_TUNMGR_NAT_H
#define VPND_TUNMGR_NAT_H

#include "tunmgr/ezbounds.h"

/* At start and stop: the context, and tables left by an earlier run removed. */
int  ez_nat_init(void);
void ez_nat_fini(void);
/* Table ip vpnd-ez-EZVPN: the inside networks leaving through IFNAME get ADDR as source. */
int  ez_nat_add(const char *ezvpn, const char *ifname, struct in_addr addr,
                const struct ez_net *inside, int ninside);
void ez_nat_del(const char *ezvpn);
/* One nft batch on the context above (eztrap.c); OUT gets nft's output when not NULL. */
int  ez_nft_run(const char *cmd, const char *what, char *out, size_t outlen);

#endif
