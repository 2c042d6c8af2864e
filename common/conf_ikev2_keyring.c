/*
 * crypto ikev2 keyring NAME and its peer blocks, and the selector and identity readers the
 * profiles share. The keys are secrets: like crypto keyring's, they stay in keymgr's copy only
 * (conf_redact zeroes them) and are never echoed in a message.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* ---- crypto ikev2 keyring NAME ---- */

void cp_h_v2_keyring(struct conf_parser *p, int i)
{
	struct conf_ikev2 *v = &p->conf->v2;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a keyring name", name) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < v->nkeyring; k++)
		if (strcmp(v->keyring[k].name, name) == 0)
			break;
	if (k == v->nkeyring) {
		if (k == CONF_MAX_V2_KEYRINGS) {
			cp_error(p, "too many ikev2 keyrings, expected at most %d", CONF_MAX_V2_KEYRINGS);
			return;
		}
		memset(&v->keyring[k], 0, sizeof(v->keyring[k]));
		memcpy(v->keyring[k].name, name, sizeof(name));
		v->keyring[k].line = p->line;
		v->nkeyring++;
	}
	cp_open(p, CB_V2_KEYRING, k);
	p->v2_peer = -1;
}

/* peer NAME: its lines are the ones indented deeper than it (conf.c goes back to the keyring
 * at the first line that is not) */
static void kr_peer(struct conf_parser *p, int i)
{
	struct conf_ikev2_keyring *kr = &p->conf->v2.keyring[p->idx];
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_v2_name(p, i, "a peer name", name) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < kr->npeer; k++)
		if (strcmp(kr->peer[k].name, name) == 0)
			break;
	if (k == kr->npeer) {
		if (k == CONF_V2_PEERS) {
			cp_error(p, "too many peers in keyring '%s', expected at most %d", kr->name,
			         CONF_V2_PEERS);
			return;
		}
		memset(&kr->peer[k], 0, sizeof(kr->peer[k]));
		memcpy(kr->peer[k].name, name, sizeof(name));
		kr->peer[k].line = p->line;
		kr->npeer++;
	}
	p->v2_peer = k;
	p->v2_peer_indent = p->argpos[0];
	p->block = CB_V2_PEER;
}

const struct cp_kw cp_v2_keyring_cmds[] = {
	FN("peer", kr_peer),
	{ "description", NULL, NULL, KW_QUIET },
	END
};

static struct conf_ikev2_peer *cur_peer(struct conf_parser *p)
{
	return &p->conf->v2.keyring[p->idx].peer[p->v2_peer];
}

/*
 * A peer selector from word i: A [MASK], ipv6 P/LEN, or IOS's X:X::X/LEN. *j is left past it.
 * Returns 1 when good (the error is reported otherwise).
 */
int cp_v2_selector(struct conf_parser *p, int i, int *j, struct in_addr *a,
                       struct in_addr *m, int *is6, struct in6_addr *a6, int *plen6)
{
	*is6 = 0;
	a->s_addr = 0;
	m->s_addr = 0xffffffff;
	memset(a6, 0, sizeof(*a6));
	*plen6 = 0;
	if (!cp_need(p, i, "an IPv4 address [MASK] or an IPv6 P/LEN"))
		return 0;
	if (strcmp(p->argv[i], "ipv6") == 0) {
		if (!cp_need(p, i + 1, "an IPv6 peer P/LEN") || !cp_peer6(p, i + 1, a6, plen6))
			return 0;
		*is6 = 1;
		*j = i + 2;
	} else if (strchr(p->argv[i], ':')) {
		if (!cp_peer6(p, i, a6, plen6))
			return 0;
		*is6 = 1;
		*j = i + 1;
	} else {
		if (!cp_addr(p, i, "peer address", a))
			return 0;
		*j = i + 1;
		if (*j < p->argc) {
			if (!cp_netmask(p, *j, "peer mask", m))
				return 0;
			(*j)++;
		}
		a->s_addr &= m->s_addr;
	}
	if (*is6)
		m->s_addr = 0;
	return cp_end(p, *j);
}

static void peer_address(struct conf_parser *p, int i)
{
	struct conf_ikev2_peer *pe = cur_peer(p);
	struct in_addr a, m;
	struct in6_addr a6;
	int is6, plen6, j;

	if (!cp_v2_selector(p, i, &j, &a, &m, &is6, &a6, &plen6))
		return;
	pe->has_addr = 1;
	pe->addr = a;
	pe->mask = m;
	pe->is6 = is6;
	pe->addr6 = a6;
	pe->plen6 = plen6;
}

/* address A | fqdn F | email E | key-id K into *type and value */
int cp_v2_identity(struct conf_parser *p, int i, int *type, char *value)
{
	static const struct { const char *word; int type; } kinds[] = {
		{ "address", V2_ID_ADDRESS }, { "fqdn", V2_ID_FQDN }, { "email", V2_ID_EMAIL },
		{ "key-id", V2_ID_KEY_ID },
	};
	const char *exp = "address A, fqdn NAME, email NAME or key-id ID";
	union sa46 a;
	int t = 0;

	if (!cp_need(p, i, exp))
		return 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(p->argv[i], kinds[k].word) == 0)
			t = kinds[k].type;
	if (!t) {
		cp_error(p, "bad identity type '%s', expected %s", p->argv[i], exp);
		return 0;
	}
	if (!cp_need(p, i + 1, "the identity") || !cp_end(p, i + 2))
		return 0;
	if (t == V2_ID_ADDRESS && sa46_pton(p->argv[i + 1], &a) != 0) {
		cp_error(p, "bad identity address '%s', expected an IPv4 or IPv6 address",
		         p->argv[i + 1]);
		return 0;
	}
	if (t == V2_ID_EMAIL && !strchr(p->argv[i + 1], '@')) {
		cp_error(p, "bad email identity '%s', expected USER@DOMAIN", p->argv[i + 1]);
		return 0;
	}
	if (!cp_v2_name(p, i + 1, "identity", value))
		return 0;
	*type = t;
	return 1;
}

static void peer_identity(struct conf_parser *p, int i)
{
	struct conf_ikev2_peer *pe = cur_peer(p);
	cp_v2_identity(p, i, &pe->id_type, pe->id);
}

static void peer_hostname(struct conf_parser *p, int i)
{
	if (cp_v2_name(p, i, "a host name", cur_peer(p)->hostname))
		cp_end(p, i + 1);
}

/* pre-shared-key [local|remote] [0] KEY; the words after the keyword are never echoed */
static void peer_psk(struct conf_parser *p, int i)
{
	struct conf_ikev2_peer *pe = cur_peer(p);
	char key[CONF_SECRET_MAX];
	int local = 1, remote = 1, j = i;

	if (!cp_need(p, j, "[local|remote] KEY"))
		return;
	if (strcmp(p->argv[j], "local") == 0) {
		remote = 0;
		j++;
	} else if (strcmp(p->argv[j], "remote") == 0) {
		local = 0;
		j++;
	}
	if (!cp_need(p, j, "a key"))
		return;
	if (j + 1 < p->argc && strlen(p->argv[j]) == 1 && cp_is_number(p->argv[j])) {
		if (p->argv[j][0] != '0') {
			cp_error(p, "key of type %s: only clear-text keys (type 0) are supported, "
			         "expected 'pre-shared-key [local|remote] [0] KEY'", p->argv[j]);
			return;
		}
		j++;
	}
	if (j + 1 < p->argc) {
		cp_error(p, "words after the key in 'pre-shared-key', expected end of line (a key has "
		         "no spaces)");
		return;
	}
	memset(key, 0, sizeof(key));
	if (!cp_secret(p, p->argv[j], "pre-shared key", key, sizeof(key)))
		return;
	if (local) {
		explicit_bzero(pe->key_local, sizeof(pe->key_local));
		memcpy(pe->key_local, key, sizeof(key));
		pe->has_key_local = 1;
	}
	if (remote) {
		explicit_bzero(pe->key_remote, sizeof(pe->key_remote));
		memcpy(pe->key_remote, key, sizeof(key));
		pe->has_key_remote = 1;
	}
	pe->key_both = local && remote;
	explicit_bzero(key, sizeof(key));
}

const struct cp_kw cp_v2_peer_cmds[] = {
	FN("address", peer_address),
	FN("identity", peer_identity),
	FN("hostname", peer_hostname),
	FN("pre-shared-key", peer_psk),
	{ "description", NULL, NULL, KW_QUIET },
	END
};
