/*
 * Which pre-shared key a main mode peer gets, from its address and the local address it reached
 * (the ID is still encrypted when the key is needed). In order:
 *   1. isakmp profiles in configuration order whose `match identity address` covers the peer:
 *      skipped when the profile or its keyring is bound (`local-address`) to another address;
 *      otherwise the longest-mask `pre-shared-key address` of its keyring;
 *   2. keyrings no profile names, in order, with the same local-address rule;
 *   3. the global `crypto isakmp key ... address` lines, longest mask.
 * An IPv6 peer goes through the same steps over the `address ipv6` lines only, and an IPv4
 * peer over the IPv4 ones only (conf_sel_covers never matches across families).
 * So two keyrings with different keys for the same peer, bound to two local addresses, give
 * the key of the address the peer reached ("SafeNet" case).
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

/* 1 when spec is empty or names `local`; otherwise logs why and returns 0. */
static int bound_ok(const struct vpnd_conf *c, const char *what, const char *name,
                    const char *spec, const union sa46 *local, const struct log_peer *lp)
{
	union sa46 a;
	char b[SA46_STRLEN];
	if (!spec[0])
		return 1;
	if (!conf_local_address46(c, spec, &a)) {
		log_dbg(DBG_ISAKMP, lp, "%s %s is bound to %s, which has no address, skipping", what,
		        name, spec);
		return 0;
	}
	if (sa46_same_addr(&a, local))
		return 1;
	log_dbg(DBG_ISAKMP, lp, "%s %s is bound to %s, skipping", what, name, sa46_ntop(&a, b));
	return 0;
}

static const struct conf_keyring_key *longest(const struct conf_keyring *kr,
                                              const union sa46 *peer)
{
	const struct conf_keyring_key *best = NULL;
	for (int k = 0; k < kr->npsk; k++) {
		const struct conf_keyring_key *e = &kr->psk[k];
		if (CONF_SEL_COVERS(e, peer) && (!best || CONF_SEL_LEN(e) > CONF_SEL_LEN(best)))
			best = e;
	}
	return best;
}

static int named_by_profile(const struct vpnd_conf *c, const char *keyring)
{
	for (int k = 0; k < c->nprofile; k++)
		if (!strcmp(c->profile[k].keyring, keyring))
			return 1;
	return 0;
}

/* The profile for a peer whose key did not come from a profile's keyring. */
static const struct conf_isakmp_profile *profile_for(const struct vpnd_conf *c,
                                                     const union sa46 *local,
                                                     const union sa46 *peer,
                                                     const char *keyring)
{
	for (int k = 0; k < c->nprofile; k++) {
		const struct conf_isakmp_profile *pr = &c->profile[k];
		union sa46 a;
		if (!conf_profile_matches_addr(pr, peer))
			continue;
		if (pr->keyring[0] && strcmp(pr->keyring, keyring))
			continue;
		if (pr->local_address[0] &&
		    (!conf_local_address46(c, pr->local_address, &a) || !sa46_same_addr(&a, local)))
			continue;
		return pr;
	}
	return NULL;
}

int keymgr_key_by_addr(const struct vpnd_conf *c, const union sa46 *local,
                       const union sa46 *peer, struct key_choice *out)
{
	struct log_peer lp = { .addr = sa46_in4(peer).s_addr };
	char pa[SA46_STRLEN], la[SA46_STRLEN];
	memset(out, 0, sizeof(*out));
	sa46_ntop(peer, pa);
	sa46_ntop(local, la);

	for (int k = 0; k < c->nprofile; k++) {
		const struct conf_isakmp_profile *pr = &c->profile[k];
		if (!pr->keyring[0] || !conf_profile_matches_addr(pr, peer))
			continue;
		if (!bound_ok(c, "profile", pr->name, pr->local_address, local, &lp))
			continue;
		const struct conf_keyring *kr = conf_find_keyring(c, pr->keyring);
		if (!kr || !bound_ok(c, "keyring", kr->name, kr->local_address, local, &lp))
			continue;
		const struct conf_keyring_key *e = longest(kr, peer);
		if (!e) {
			log_dbg(DBG_ISAKMP, &lp, "keyring %s has no key for %s", kr->name, pa);
			continue;
		}
		out->key = e->key;
		out->keyring = kr;
		out->profile = pr;
		log_dbg(DBG_ISAKMP, &lp, "key for %s reaching %s: keyring %s, profile %s", pa, la,
		        kr->name, pr->name);
		return 0;
	}
	for (int k = 0; k < c->nkeyring; k++) {
		const struct conf_keyring *kr = &c->keyring[k];
		if (named_by_profile(c, kr->name) ||
		    !bound_ok(c, "keyring", kr->name, kr->local_address, local, &lp))
			continue;
		const struct conf_keyring_key *e = longest(kr, peer);
		if (!e)
			continue;
		out->key = e->key;
		out->keyring = kr;
		out->profile = profile_for(c, local, peer, kr->name);
		log_dbg(DBG_ISAKMP, &lp, "key for %s reaching %s: keyring %s, profile %s", pa, la,
		        kr->name, out->profile ? out->profile->name : "(none)");
		return 0;
	}
	const struct conf_isakmp_key *best = NULL;
	for (int k = 0; k < c->nisakmp_key; k++) {
		const struct conf_isakmp_key *e = &c->isakmp_key[k];
		if (CONF_SEL_COVERS(e, peer) && (!best || CONF_SEL_LEN(e) > CONF_SEL_LEN(best)))
			best = e;
	}
	if (!best) {
		log_dbg(DBG_ISAKMP, &lp, "no pre-shared key for %s reaching %s", pa, la);
		return -1;
	}
	out->key = best->key;
	out->profile = profile_for(c, local, peer, "");
	log_dbg(DBG_ISAKMP, &lp, "key for %s reaching %s: crypto isakmp key (line %d), profile %s",
	        pa, la, best->line, out->profile ? out->profile->name : "(none)");
	return 0;
}
