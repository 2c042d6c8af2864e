/*
 * Pre-shared keys by peer address for main mode: `crypto keyring NAME` blocks
 * (pre-shared-key address A [MASK] key KEY, local-address IFACE|ADDR), and the isakmp profile
 * lines that use them (match identity address, keyring, self-identity, local-address).
 * Which key a peer gets is decided in keymgr (keymgr/keyring.c); this file only reads them.
 */
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

/* pre-shared-key address A [MASK] key [0] KEY */
static void h_psk_address(struct conf_parser *p, int i)
{
	struct conf_keyring *kr = cur_keyring(p);
	struct conf_keyring_key key;
	int j = i, k;

	memset(&key, 0, sizeof(key));
	key.line = p->line;
	key.mask.s_addr = 0xffffffff;
	if (!cp_need(p, j, "a peer address") || !cp_addr(p, j, "peer address", &key.addr))
		return;
	j++;
	/* The words after the address are not echoed: a forgotten `key` leaves the key there. */
	if (j < p->argc && strcmp(p->argv[j], "key") != 0) {
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
		cp_error(p, "bad word after the peer mask, expected key KEY");
		return;
	}
	j++;
	if (!cp_need(p, j, "a key"))
		return;
	if (j + 1 < p->argc && strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j])) {
		if (p->argv[j][0] != '0') {
			cp_error(p, "key of type %s: only clear-text keys (type 0) are supported, "
			         "expected 'pre-shared-key address A [MASK] key [0] KEY'", p->argv[j]);
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
		if (kr->psk[k].addr.s_addr == key.addr.s_addr &&
		    kr->psk[k].mask.s_addr == key.mask.s_addr)
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

/* match identity address A [MASK] */
void cp_h_match_address(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = cur_profile(p);
	struct in_addr a, m = { 0xffffffff };
	int j = i + 1;

	if (!cp_need(p, i, "a peer address") || !cp_addr(p, i, "peer address", &a))
		return;
	if (j < p->argc) {
		if (!cp_netmask(p, j, "peer mask", &m))
			return;
		j++;
	}
	if (!cp_end(p, j))
		return;
	if (pr->nmatch_addr == CONF_MAX_PROFILE_MATCH) {
		cp_error(p, "too many 'match identity address' lines in profile '%s', expected at "
		         "most %d", pr->name, CONF_MAX_PROFILE_MATCH);
		return;
	}
	pr->match_addr[pr->nmatch_addr].addr.s_addr = a.s_addr & m.s_addr;
	pr->match_addr[pr->nmatch_addr].mask = m;
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

int conf_profile_matches_addr(const struct conf_isakmp_profile *pr, struct in_addr a)
{
	for (int k = 0; k < pr->nmatch_addr; k++)
		if ((a.s_addr & pr->match_addr[k].mask.s_addr) == pr->match_addr[k].addr.s_addr)
			return 1;
	return 0;
}
