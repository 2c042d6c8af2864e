/*
 * `connect acl NAME`: the ezvpn dials when traffic its access list permits is seen. tunmgr
 * owns the data plane, so the trap is here: while such an ezvpn has no session, table ip
 * vpnd-ezt-EZVPN (eztrap_rules.c) counts and drops what the list permits, in prerouting
 * (the inside hosts) and output (this host). Each second the counter is read; packets
 * since the last reading mean one IMSG_EZ_TRAFFIC to ikemgr, so at most one a second per
 * ezvpn.
 * ikemgr decides whether to dial (ikemgr/ezvpn.c, only when it waits for traffic).
 *
 * Why nftables and not a TUN device with policy rules (as cmN): the list's protocols, ports
 * and ICMP types are matched exactly in the kernel, so traffic outside it keeps its path
 * untouched, and the table is deleted whole, as the NAT tables are (nat.c sweeps both
 * prefixes at start and stop, so a crash leaves none behind). The cost is a second of
 * latency at most before the dial, and the packets caught are dropped (IOS drops the first
 * packets too); the senders retransmit once the tunnel is up.
 *
 * The trap is there exactly when the ezvpn has no interface: it goes when ikemgr's session
 * gets its vaN (the real routes take over) and comes back when that session ends.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "tunmgr/eztrap.h"
#include "tunmgr/nat.h"
#include "tunmgr/tunmgr.h"

struct trap {
	char     name[CONF_NAME_MAX];
	char     batch[8192];           /* as installed: a reload that changes it re-arms */
	time_t   told;                  /* last IMSG_EZ_TRAFFIC */
	uint64_t packets;               /* caught while armed, for the log */
	uint64_t seen;                  /* the counter as last read: it only grows (a reset
	                                   through libnftables proved unreliable) */
};

static struct trap traps[CONF_MAX_EZVPN];
static int stopped;

static struct trap *find(const char *name)
{
	for (int k = 0; k < CONF_MAX_EZVPN; k++)
		if (traps[k].name[0] && !strcmp(traps[k].name, name))
			return &traps[k];
	return NULL;
}

static void disarm(struct trap *t, const char *why)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "delete table ip " EZ_TRAP_PREFIX "%.48s", t->name);
	if (ez_nft_run(cmd, cmd + 13, NULL, 0) == 0)
		log_info("ezvpn %s: traffic trap removed (%s), %llu packets caught", t->name, why,
		         (unsigned long long)t->packets);
	memset(t, 0, sizeof(*t));
}

static void arm(const struct conf_ezvpn *ez, const struct conf_acl *acl)
{
	static char batch[sizeof(traps[0].batch)];
	struct trap *t = find(ez->name);
	if (ez_trap_batch(ez->name, acl, batch, sizeof(batch)) < 0) {
		if (!t)
			log_warnx("ezvpn %s: access list %s cannot be a traffic trap (name or size): "
			          "it will not dial", ez->name, ez->connect_acl);
		if (t)
			disarm(t, "access list changed");
		return;
	}
	if (t && !strcmp(t->batch, batch))
		return;
	if (!t)
		for (int k = 0; k < CONF_MAX_EZVPN && !t; k++)
			if (!traps[k].name[0])
				t = &traps[k];
	if (!t)
		return;
	char what[96];
	snprintf(what, sizeof(what), "table " EZ_TRAP_PREFIX "%s", ez->name);
	if (ez_nft_run(batch, what, NULL, 0) < 0) {
		log_warnx("ezvpn %s: no traffic trap, it will not dial on traffic (tried again at "
		          "the next session end or reload)", ez->name);
		memset(t, 0, sizeof(*t));
		return;
	}
	snprintf(t->name, sizeof(t->name), "%s", ez->name);
	memcpy(t->batch, batch, sizeof(batch));
	t->seen = 0;                    /* a new table, a new counter */
	log_info("ezvpn %s: waiting for traffic permitted by access list %s (%d entr%s)",
	         ez->name, ez->connect_acl, acl->nace, acl->nace == 1 ? "y" : "ies");
}

void ez_trap_sync(void)
{
	if (stopped)
		return;
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct trap *t = &traps[k];
		const struct conf_ezvpn *ez = t->name[0] ? conf_find_ezvpn(dp.conf, t->name) : NULL;
		if (t->name[0] && (!ez || !ez->connect_acl[0]))
			disarm(t, "no longer connect acl");
	}
	for (int k = 0; k < dp.conf->nezvpn && k < CONF_MAX_EZVPN; k++) {
		const struct conf_ezvpn *ez = &dp.conf->ezvpn[k];
		if (!ez->connect_acl[0])
			continue;
		const struct conf_acl *acl = conf_find_acl(dp.conf, ez->connect_acl);
		struct trap *t = find(ez->name);
		if (ez_has_session(ez->name)) {
			if (t)
				disarm(t, "the session has its interface");
		} else if (acl) {
			arm(ez, acl);
		}
	}
}

void ez_trap_tick(time_t now)
{
	char out[512];
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		struct trap *t = &traps[k];
		uint64_t n = 0;
		if (!t->name[0] || t->told == now)
			continue;
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "list counter ip " EZ_TRAP_PREFIX "%.48s hits", t->name);
		if (ez_nft_run(cmd, cmd + 13, out, sizeof(out)) < 0 ||
		    ez_trap_packets(out, &n) < 0 || n <= t->seen)
			continue;
		uint64_t fresh = n - t->seen;
		t->seen = n;
		t->packets += fresh;
		t->told = now;
		struct msg_ez_traffic m;
		memset(&m, 0, sizeof(m));
		snprintf(m.ezvpn, sizeof(m.ezvpn), "%.63s", t->name);
		m.packets = fresh;
		imsg_compose(&dp.ike, IMSG_EZ_TRAFFIC, 0, -1, &m, sizeof(m));
		log_debug("ezvpn %s: %llu packets for the tunnel caught and dropped", t->name,
		          (unsigned long long)fresh);
	}
}

/* At the stop: the sessions' ends must not put the traps back; nat.c's sweep deletes them. */
void ez_trap_stop(void)
{
	stopped = 1;
}
