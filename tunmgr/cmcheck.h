/*
 * What tunmgr accepts of keymgr's keys for a crypto map's ipsec-manual entry
 * (tunmgr/cmcheck.c): the entry is looked up in tunmgr's own, redacted, configuration and
 * everything but the keys is taken from there. Pure functions, unit-tested
 * (test/unit/test_cmcheck.c).
 */
#ifndef VPND_TUNMGR_CMCHECK_H
#define VPND_TUNMGR_CMCHECK_H

#include <stddef.h>
#include <netinet/in.h>

#include "common/conf.h"
#include "common/msg.h"

/* An entry's policy: its index in conf->cmap (cmN, table CM_TABLE_BASE + N), the peer, the
 * transform, and the first permit ACE of its ACL (SRC -> DST leaves in ESP). */
struct cm_plan {
	int            idx;
	const struct conf_crypto_map *e;
	const struct conf_interface *iface;     /* the interface the map is applied to */
	struct in_addr peer;
	int            encr, keylen_bits, auth;
	struct in_addr src, srcmask, dst, dstmask;
	int            src_len, dst_len;
	int            extra_permits;           /* further permit ACEs, ignored (as IOS) */
	int            replay_window;
};

/* 0 and PLAN filled, or -errno with WHY saying which check failed. */
int cm_check(const struct vpnd_conf *, const struct msg_manual_sa *, struct cm_plan *plan,
             char *why, size_t whylen);
/* The prefix length of a netmask, -1 if it is not contiguous. */
int cm_plen(struct in_addr mask);

#endif
