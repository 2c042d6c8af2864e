/* The traffic trap of `connect acl NAME` ezvpns (tunmgr/eztrap.c, eztrap_rules.c). */
#ifndef VPND_TUNMGR_EZTRAP_H
#define VPND_TUNMGR_EZTRAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/conf.h"

#define EZ_TRAP_PREFIX "vpnd-ezt-"

/* The nftables batch that (re)places table ip vpnd-ezt-EZVPN: the access list's entries in
 * order, a permit counted in the table's counter "hits" and dropped, a deny let through,
 * for packets routed through this host (prerouting) and its own (output, IKE and ESP
 * excepted). Returns the length written, or -1 (a name nft would need quoted, no room). */
int ez_trap_batch(const char *ezvpn, const struct conf_acl *acl, char *buf, size_t len);
/* The packet count in nft's listing of the counter; -1 when there is none. */
int ez_trap_packets(const char *listing, uint64_t *packets);

/* tunmgr: the traps follow the configuration and the ezvpn sessions. */
void ez_trap_sync(void);
void ez_trap_tick(time_t now);
void ez_trap_stop(void);

#endif
