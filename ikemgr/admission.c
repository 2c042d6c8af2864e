/*
 * Call admission for new IKE exchanges (IOS: crypto call admission limit ike ...).
 *
 * An exchange costs us an SA, a DH computation and up to two minutes of memory before the
 * peer is a session, and the first message's source address may be spoofed. So every IKE SA
 * counts as "in negotiation" from its first message until its session is up (Mode Config
 * answered, or phase 1 done for a peer without one): phase 1, XAUTH and Mode Config waits all
 * count, in total and per source address. Under pressure (half the total in use) only peers
 * that completed phase 1 lately may start more, since a spoofer cannot complete one: a flood
 * from never-seen addresses then fills half the table at most, and known clients still get in.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

/* Per-peer token buckets, hashed by address; collisions only make the limit stricter. */
#define RL_SLOTS 1024
static struct { uint64_t addr; double tokens; struct timespec at; } rl[RL_SLOTS];

/* Peers that completed phase 1 in the last KNOWN_SECS, direct-mapped: a collision forgets
 * one, which then counts as never seen. Only a completed phase 1 adds an entry. */
#define KNOWN_SLOTS 4096
#define KNOWN_SECS  600
static struct { uint64_t addr; time_t at; } known[KNOWN_SLOTS];

/* In-negotiation SAs per source address; an entry lives while its count is not 0. */
#define PC_BUCKETS 1024
struct peer_count {
	struct peer_count *next;
	uint64_t addr;
	int      n;
};
static struct peer_count *pc[PC_BUCKETS];

static unsigned addr_hash(uint64_t a, unsigned n)
{
	return (unsigned)((a * 0x9e3779b97f4a7c15ull) >> 32) % n;
}

static int peer_rate_ok(uint64_t a)
{
	unsigned i = addr_hash(a, RL_SLOTS);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double burst = ike.peer_rate * 4.0;
	if (rl[i].addr != a) {
		rl[i].addr = a;
		rl[i].tokens = burst;
		rl[i].at = now;
	}
	double dt = (double)(now.tv_sec - rl[i].at.tv_sec) + (now.tv_nsec - rl[i].at.tv_nsec) / 1e9;
	rl[i].at = now;
	rl[i].tokens += dt * ike.peer_rate;
	if (rl[i].tokens > burst)
		rl[i].tokens = burst;
	if (rl[i].tokens < 1.0)
		return 0;
	rl[i].tokens -= 1.0;
	return 1;
}

static struct peer_count **pc_slot(uint64_t addr)
{
	struct peer_count **pp = &pc[addr_hash(addr, PC_BUCKETS)];
	while (*pp && (*pp)->addr != addr)
		pp = &(*pp)->next;
	return pp;
}

static int peer_negotiating(uint64_t addr)
{
	struct peer_count *e = *pc_slot(addr);
	return e ? e->n : 0;
}

int adm_is_known(const union sa46 *peer)
{
	uint64_t a = sa46_source_key(peer);
	unsigned i = addr_hash(a, KNOWN_SLOTS);
	return known[i].addr == a && known[i].at && time(NULL) - known[i].at < KNOWN_SECS;
}

/* The limits in force: the configuration's, or the defaults for an engine without one. */
static int limit_total(void)
{
	return ike.conf && ike.conf->cac_in_negotiation ? ike.conf->cac_in_negotiation
	                                                : CONF_CAC_IN_NEGOTIATION;
}

static int limit_peer(void)
{
	return ike.conf && ike.conf->cac_in_negotiation_peer ? ike.conf->cac_in_negotiation_peer
	                                                     : CONF_CAC_IN_NEGOTIATION_PEER;
}

/* One line a second at most per kind: these are what a flood produces. */
static int once_a_second(time_t *last)
{
	time_t now = time(NULL);
	if (*last == now)
		return 0;
	*last = now;
	return 1;
}

int ikev1_admit(const union sa46 *peer, const char *what)
{
	static time_t log_total, log_peer, log_shed, log_sa;
	char pa[SA46_STRLEN];
	sa46_ntop(peer, pa);
	int total = limit_total(), per = limit_peer();

	ike.st.adm_requests++;
	if (!peer_rate_ok(sa46_source_key(peer))) {
		ike.st.drop_ratelimit++;
		log_rl("%s from %s over the per-peer rate, dropped", what, pa);
		return 0;
	}
	if (ike.conf && ike.conf->cac_ike_sa && ike.nsa >= ike.conf->cac_ike_sa) {
		ike.st.drop_sa_cap++;
		if (once_a_second(&log_sa))
			log_warnx("IKE SA limit (%d, crypto call admission limit ike sa) reached, new "
			          "exchanges dropped", ike.conf->cac_ike_sa);
		return 0;
	}
	if (ike.nhalfopen >= total) {
		ike.st.drop_halfopen_cap++;
		if (once_a_second(&log_total))
			log_warnx("in-negotiation IKE SA cap (%d) reached, new exchanges dropped", total);
		return 0;
	}
	if (peer_negotiating(sa46_source_key(peer)) >= per) {
		ike.st.drop_peer_cap++;
		if (once_a_second(&log_peer))
			log_warnx("%s from %s: %d IKE SAs from that address are in negotiation (the "
			          "per-peer limit), dropped", what, pa, per);
		return 0;
	}
	if (ike.nhalfopen >= total / 2 && !adm_is_known(peer)) {
		ike.st.drop_shed++;
		if (once_a_second(&log_shed))
			log_warnx("%d of %d in-negotiation IKE SAs in use: %s from %s, a peer with no "
			          "recent phase 1, shed", ike.nhalfopen, total, what, pa);
		return 0;
	}
	ike.st.adm_accepted++;
	return 1;
}

void adm_sa_new(struct ike_sa *sa)
{
	sa->neg_addr = sa46_source_key(&sa->s.peer);
	struct peer_count **pp = pc_slot(sa->neg_addr);
	if (!*pp) {
		struct peer_count *e = calloc(1, sizeof(*e));
		if (!e)
			fatal("calloc");
		e->addr = sa->neg_addr;
		*pp = e;
	}
	(*pp)->n++;
	sa->negotiating = 1;
	ike.nhalfopen++;
}

void adm_sa_settled(struct ike_sa *sa)
{
	if (!sa->negotiating)
		return;
	sa->negotiating = 0;
	ike.nhalfopen--;
	struct peer_count **pp = pc_slot(sa->neg_addr), *e = *pp;
	if (e && --e->n <= 0) {
		*pp = e->next;
		free(e);
	}
}

void ike_sa_promoted(struct ike_sa *sa)
{
	uint64_t a = sa46_source_key(&sa->s.peer);
	unsigned i = addr_hash(a, KNOWN_SLOTS);
	known[i].addr = a;
	known[i].at = time(NULL);
}

void ike_sa_set_established(struct ike_sa *sa)
{
	sa->state = IKE_S_ESTABLISHED;
	adm_sa_settled(sa);
	ike_sa_rearm(sa);       /* DPD, Idle-Timeout and rekeys apply from now */
}

/* show crypto call admission statistics: the parent keeps the last copy; sent on the 1 s tick
 * when something moved. */
void adm_report(void)
{
	static struct msg_adm_stats last;
	struct msg_adm_stats m;
	memset(&m, 0, sizeof(m));
	m.limit_in_neg = limit_total();
	m.limit_in_neg_peer = limit_peer();
	m.limit_sa = ike.conf ? ike.conf->cac_ike_sa : 0;
	m.ike_sas = ike.nsa;
	m.in_negotiation = ike.nhalfopen;
	m.requests = ike.st.adm_requests;
	m.accepted = ike.st.adm_accepted;
	m.rej_in_neg = ike.st.drop_halfopen_cap;
	m.rej_peer = ike.st.drop_peer_cap;
	m.rej_shed = ike.st.drop_shed;
	m.rej_sa = ike.st.drop_sa_cap;
	m.rej_rate = ike.st.drop_ratelimit;
	m.rej_aggressive = ike.st.drop_aggr_disabled;
	if (!memcmp(&m, &last, sizeof(m)) || !ike.io.to_parent)
		return;
	last = m;
	ike.io.to_parent(IMSG_ADM_STATS, 0, &m, sizeof(m));
}
