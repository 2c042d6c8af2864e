/*
 * Pre-shared keys by peer address for main mode: `crypto keyring NAME` blocks
 * (pre-shared-key address A [MASK] | address ipv6 P/LEN key KEY, local-address IFACE|ADDR),
 * and the isakmp profile
 * lines that use them (match identity address, keyring, self-identity, local-address).
 * Which key a peer gets is decided in keymgr (keymgr/keyring.c); this file only reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* crypto keyring NAME */
void cp_h_keyring(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a keyring name") ||
	    !cp_name(p, i, "keyring name", name, sizeof(name)))
		return;
	if (i + 1 < p->argc && strcmp(p->argv[i + 1], "vrf") == 0) {
		cp_error(p, "keyrings in a VRF are not supported, expected 'crypto keyring NAME'");
		return;
	}
	if (!cp_end(p, i + 1))
		return;
	for (k = 0; k < c->nkeyring; k++)
		if (strcmp(c->keyring[k].name, name) == 0)
			break;
	if (k == c->nkeyring) {
		if (k == CONF_MAX_KEYRINGS) {
			cp_error(p, "too many keyrings, expected at most %d", CONF_MAX_KEYRINGS);
			return;
		}
		memset(&c->keyring[k], 0, sizeof(c->keyring[k]));
		memcpy(c->keyring[k].name, name, sizeof(name));
		c->keyring[k].line = p->line;
		c->nkeyring++;
	}
	cp_open(p, CB_KEYRING, k);
}

static struct conf_keyring *cur_keyring(struct conf_parser *p)
{
	return &p->conf->keyring[p->idx];
}

int cp_peer6(struct conf_parser *p, int i, struct in6_addr *out, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len = 128;

	if (strlen(p->argv[i]) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", p->argv[i]);
	if ((slash = strchr(buf, '/'))) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		len = strtol(slash + 1, &end, 10);
		if (*end || len > 128)
			goto bad;
	}
	if (inet_pton(AF_INET6, buf, out) != 1)
		goto bad;
	for (int b = (int)len; b < 128; b++)
		out->s6_addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	*plen = (int)len;
	return 1;
bad:
	cp_error(p, "bad IPv6 peer '%s', expected X:X:X:X::X/LEN with LEN from 0 to 128 (or an "
	         "address alone)", p->argv[i]);
	return 0;
}

/* pre-shared-key address A [MASK] | address ipv6 P/LEN, then key [0] KEY */
static void h_psk_address(struct conf_parser *p, int i)
{
	struct conf_keyring *kr = cur_keyring(p);
	struct conf_keyring_key key;
	int j = i, k;

	memset(&key, 0, sizeof(key));
	key.line = p->line;
	key.mask.s_addr = 0xffffffff;
	if (!cp_need(p, j, "a peer address or ipv6 P/LEN"))
		return;
	if (strcmp(p->argv[j], "ipv6") == 0) {
		key.mask.s_addr = 0;
		if (!cp_need(p, j + 1, "an IPv6 peer P/LEN") ||
		    !cp_peer6(p, j + 1, &key.addr6, &key.plen6))
			return;
		key.is6 = 1;
		j += 2;
	} else {
		if (!cp_addr(p, j, "peer address", &key.addr))
			return;
		j++;
	}
	/* The words after the address are not echoed: a forgotten `key` leaves the key there. */
	if (!key.is6 && j < p->argc && strcmp(p->argv[j], "key") != 0) {
		if (inet_pton(AF_INET, p->argv[j], &key.mask) != 1 || !cp_mask_ok(key.mask)) {
			cp_error(p, "bad word after the peer address, expected a contiguous mask such "
			         "as 255.255.255.0 or key KEY");
			return;
		}
		j++;
	}
	if (!cp_need(p, j, "key KEY"))
		return;
	if (strcmp(p->argv[j], "key") != 0) {
		cp_error(p, "bad word after the peer %s, expected key KEY", key.is6 ? "prefix" : "mask");
		return;
	}
	j++;
	if (!cp_need(p, j, "a key"))
		return;
	if (j + 1 < p->argc && strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j])) {
		if (p->argv[j][0] != '0') {
			cp_error(p, "key of type %s: only clear-text keys (type 0) are supported, "
			         "expected 'pre-shared-key address A [MASK] key [0] KEY' or 'pre-shared-key "
			         "address ipv6 P/LEN key [0] KEY'", p->argv[j]);
			return;
		}
		j++;
	}
	if (!cp_secret(p, p->argv[j], "pre-shared key", key.key, sizeof(key.key)))
		goto out;
	if (j + 1 < p->argc) {
		cp_error(p, "words after the key in 'pre-shared-key address', expected end of line "
		         "(a key has no spaces)");
		goto out;
	}
	key.addr.s_addr &= key.mask.s_addr;
	for (k = 0; k < kr->npsk; k++)
		if (CP_SAME_SEL(&kr->psk[k], &key))
			break;
	if (k == CONF_MAX_KEYRING_KEYS) {
		cp_error(p, "too many keys in keyring '%s', expected at most %d", kr->name,
		         CONF_MAX_KEYRING_KEYS);
		goto out;
	}
	explicit_bzero(&kr->psk[k], sizeof(kr->psk[k]));
	kr->psk[k] = key;
	if (k == kr->npsk)
		kr->npsk++;
out:
	explicit_bzero(&key, sizeof(key));
}

/* local-address IFACE|ADDR: an address is taken as is, a name must be an interface with one */
static void local_address(struct conf_parser *p, int i, char *dst)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "an interface name or an address") ||
	    !cp_name(p, i, "local address", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(dst, name, sizeof(name));
	cp_ref(p, REF_LOCAL_ADDR, dst);
}

static void h_keyring_local(struct conf_parser *p, int i)
{
	local_address(p, i, cur_keyring(p)->local_address);
}

const struct cp_kw cp_keyring_cmds[] = {
	{ "pre-shared-key", (const struct cp_kw[]){ FN("address", h_psk_address), END }, NULL, 0 },
	FN("local-address", h_keyring_local),
	{ "description", NULL, NULL, KW_QUIET },
	END
};

/* Profile lines. */
static struct conf_isakmp_profile *cur_profile(struct conf_parser *p)
{
	return &p->conf->profile[p->idx];
}

/* match identity address A [MASK] | address ipv6 P/LEN */
void cp_h_match_address(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);
	struct in_addr a, m = { 0xffffffff };
	struct in6_addr a6;
	int j = i + 1, plen6 = 0, is6 = 0;

	if (!cp_need(p, i, "a peer address or ipv6 P/LEN"))
		return;
	if (strcmp(p->argv[i], "ipv6") == 0) {
		if (!cp_need(p, i + 1, "an IPv6 peer P/LEN") || !cp_peer6(p, i + 1, &a6, &plen6) ||
		    !cp_end(p, i + 2))
			return;
		is6 = 1;
		a.s_addr = m.s_addr = 0;
	} else if (!cp_addr(p, i, "peer address", &a)) {
		return;
	}
	if (!is6 && j < p->argc) {
		if (!cp_netmask(p, j, "peer mask", &m))
			return;
		j++;
	}
	if (!is6 && !cp_end(p, j))
		return;
	if (pr->nmatch_addr == CONF_MAX_PROFILE_MATCH) {
		cp_error(p, "too many 'match identity address' lines in profile '%s', expected at "
		         "most %d", pr->name, CONF_MAX_PROFILE_MATCH);
		return;
	}
	memset(&pr->match_addr[pr->nmatch_addr], 0, sizeof(pr->match_addr[0]));
	pr->match_addr[pr->nmatch_addr].addr.s_addr = a.s_addr & m.s_addr;
	pr->match_addr[pr->nmatch_addr].mask = m;
	if (is6) {
		pr->match_addr[pr->nmatch_addr].is6 = 1;
		pr->match_addr[pr->nmatch_addr].addr6 = a6;
		pr->match_addr[pr->nmatch_addr].plen6 = plen6;
	}
	pr->nmatch_addr++;
}

void cp_h_profile_keyring(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a keyring name") ||
	    !cp_name(p, i, "keyring name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(pr->keyring, name, sizeof(name));
	cp_ref(p, REF_KEYRING, pr->keyring);
}

void cp_h_profile_local(struct conf_parser *p, int i)
{
	local_address(p, i, cur_profile(p)->local_address);
}

/* self-identity address|fqdn */
void cp_h_self_identity(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "address or fqdn"))
		return;
	if (strcmp(p->argv[i], "address") == 0) {
		if (cp_end(p, i + 1))
			cur_profile(p)->self_identity = SELF_ID_ADDRESS;
	} else if (strcmp(p->argv[i], "fqdn") == 0) {
		if (cp_end(p, i + 1))
			cur_profile(p)->self_identity = SELF_ID_FQDN;
	} else {
		cp_error(p, "bad self-identity '%s', expected address or fqdn", p->argv[i]);
	}
}

/* Lookups used by keymgr and ikemgr. */
const struct conf_keyring *conf_find_keyring(const struct vpnd_conf *c, const char *name)
{
	if (!name || !name[0])
		return NULL;
	for (int k = 0; k < c->nkeyring; k++)
		if (strcmp(c->keyring[k].name, name) == 0)
			return &c->keyring[k];
	return NULL;
}

int conf_local_address(const struct vpnd_conf *c, const char *spec, struct in_addr *out)
{
	out->s_addr = 0;
	if (!spec || !spec[0])
		return 0;
	if (inet_pton(AF_INET, spec, out) == 1)
		return 1;
	const struct conf_interface *ifc = conf_find_iface(c, spec);
	if (!ifc || !ifc->has_addr)
		return 0;
	*out = ifc->addr;
	return 1;
}

int conf_local_address46(const struct vpnd_conf *c, const char *spec, union sa46 *out)
{
	struct in_addr a;

	memset(out, 0, sizeof(*out));
	if (!spec || !spec[0])
		return 0;
	if (conf_local_address(c, spec, &a)) {
		sa46_from4(out, a, 0);
		return 1;
	}
	return sa46_pton(spec, out) == 0 && sa46_is6(out);
}

int conf_sel_covers(int is6, struct in_addr addr, struct in_addr mask,
                    const struct in6_addr *addr6, int plen6, const union sa46 *peer)
{
	if (is6 != sa46_is6(peer))
		return 0;
	if (!is6)
		return peer->sa.sa_family == AF_INET &&
		       (peer->sin.sin_addr.s_addr & mask.s_addr) == addr.s_addr;
	const uint8_t *p = peer->sin6.sin6_addr.s6_addr, *n = addr6->s6_addr;
	int full = plen6 / 8, rest = plen6 % 8;
	if (memcmp(p, n, (size_t)full))
		return 0;
	return !rest || ((p[full] ^ n[full]) & (uint8_t)(0xff00 >> rest)) == 0;
}

int conf_profile_matches_addr(const struct conf_isakmp_profile *pr, const union sa46 *a)
{
	for (int k = 0; k < pr->nmatch_addr; k++)
		if (CONF_SEL_COVERS(&pr->match_addr[k], a))
			return 1;
	return 0;
}
