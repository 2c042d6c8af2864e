/*
 * crypto map NAME SEQ ipsec-manual | ipsec-isakmp [dynamic DYN]: one entry of a crypto map, its
 * set/match lines, and the running-config printer. What needs the whole file (the transform
 * set's key lengths, the ACL's permits, SPIs across entries) is in conf_cmap_check.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"
#include "common/hexword.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define OPEN(w, f) { w, NULL, f, KW_OPENS }
#define END       { NULL, NULL, NULL, 0 }

static const char *kind_word(int kind)
{
	return kind == CMAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp";
}

/* crypto map NAME SEQ [ipsec-manual | ipsec-isakmp [dynamic DYN]] */
void cp_h_cmap(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX], dyn[CONF_NAME_MAX] = "";
	long long seq;
	int kind = 0, j = i + 2, k;

	if (!cp_need(p, i, "a map name, a sequence number, then ipsec-manual or ipsec-isakmp") ||
	    !cp_name(p, i, "crypto map name", name, sizeof(name)))
		return;
	if (i + 1 < p->argc && !cp_is_number(p->argv[i + 1])) {
		cp_error(p, "'crypto map %s %s' is not supported, expected 'crypto map %s SEQ "
		         "ipsec-manual|ipsec-isakmp'", name, p->argv[i + 1], name);
		return;
	}
	if (!cp_need(p, i + 1, "a sequence number from 1 to 65535") ||
	    !cp_num(p, i + 1, "crypto map sequence number", 1, 65535, &seq))
		return;
	if (j < p->argc) {
		if (strcmp(p->argv[j], "ipsec-manual") == 0) {
			kind = CMAP_MANUAL;
			j++;
		} else if (strcmp(p->argv[j], "ipsec-isakmp") == 0) {
			kind = CMAP_ISAKMP;
			j++;
			if (j < p->argc && strcmp(p->argv[j], "dynamic") == 0) {
				if (!cp_need(p, j + 1, "a dynamic map name after dynamic") ||
				    !cp_name(p, j + 1, "dynamic map name", dyn, sizeof(dyn)))
					return;
				j += 2;
			}
		} else {
			cp_error(p, "bad crypto map kind '%s', expected ipsec-manual or ipsec-isakmp",
			         p->argv[j]);
			return;
		}
	}
	if (!cp_end(p, j))
		return;
	for (k = 0; k < c->ncmap; k++)
		if (strcmp(c->cmap[k].name, name) == 0 && c->cmap[k].seq == seq)
			break;
	if (k < c->ncmap) {
		struct conf_crypto_map *m = &c->cmap[k];
		if (kind && kind != m->kind) {
			cp_error(p, "crypto map %s %d is %s (line %d), expected the same kind here "
			         "(remove the entry to change it)", name, m->seq, kind_word(m->kind),
			         m->line);
			return;
		}
		if (kind && strcmp(dyn, m->dynamic) != 0) {
			cp_error(p, "crypto map %s %d names dynamic map '%s' (line %d), expected the "
			         "same here", name, m->seq, m->dynamic, m->line);
			return;
		}
	} else {
		if (k == CONF_MAX_CMAPS) {
			cp_error(p, "too many crypto map entries, expected at most %d in all maps",
			         CONF_MAX_CMAPS);
			return;
		}
		memset(&c->cmap[k], 0, sizeof(c->cmap[k]));
		memcpy(c->cmap[k].name, name, sizeof(name));
		memcpy(c->cmap[k].dynamic, dyn, sizeof(dyn));
		c->cmap[k].seq = (int)seq;
		c->cmap[k].kind = kind ? kind : CMAP_ISAKMP;   /* IOS's default */
		c->cmap[k].line = p->line;
		c->ncmap++;
		if (c->cmap[k].kind == CMAP_ISAKMP)
			cp_warn(p, "crypto map %s %d ipsec-isakmp: IKE-keyed crypto maps are not "
			        "implemented yet; only ipsec-manual entries protect traffic", name,
			        (int)seq);
	}
	cp_open(p, CB_CMAP, k);
}

/* crypto dynamic-map: refused (with its sub-lines) until IKE-keyed maps exist */
void cp_h_dynamic_map(struct conf_parser *p, int i)
{
	(void)i;
	cp_error(p, "crypto dynamic-map is not supported yet: IKE-keyed crypto maps are not "
	         "implemented, expected 'crypto map NAME SEQ ipsec-manual' entries");
}

static struct conf_crypto_map *cur(struct conf_parser *p)
{
	return &p->conf->cmap[p->idx];
}

static int isakmp_only(struct conf_parser *p)
{
	if (cur(p)->kind == CMAP_ISAKMP)
		return 1;
	cp_error(p, "'%s' applies to ipsec-isakmp entries (keys come from IKE), expected it "
	         "under 'crypto map %s %d ipsec-isakmp'", p->cmd, cur(p)->name, cur(p)->seq);
	return 0;
}

static int manual_only(struct conf_parser *p)
{
	if (cur(p)->kind == CMAP_MANUAL)
		return 1;
	cp_error(p, "'set session-key' applies to ipsec-manual entries (IKE keys the others), "
	         "expected it under 'crypto map %s %d ipsec-manual'", cur(p)->name, cur(p)->seq);
	return 0;
}

/* set peer A: an ipsec-manual entry has exactly one, as on IOS */
static void h_set_peer(struct conf_parser *p, int i)
{
	struct conf_crypto_map *m = cur(p);
	struct in_addr a;
	char was[INET_ADDRSTRLEN];

	if (!cp_need(p, i, "the peer's IPv4 address") || !cp_addr(p, i, "peer address", &a) ||
	    !cp_end(p, i + 1))
		return;
	for (int k = 0; k < m->npeer; k++) {
		if (m->peer[k].s_addr == a.s_addr) {
			cp_error(p, "peer %s is already set, expected each peer once", p->argv[i]);
			return;
		}
	}
	if (m->kind == CMAP_MANUAL && m->npeer) {
		inet_ntop(AF_INET, &m->peer[0], was, sizeof(was));
		cp_error(p, "an ipsec-manual entry has one peer (already %s), expected a single "
		         "'set peer'", was);
		return;
	}
	if (m->npeer == CONF_CMAP_PEERS) {
		cp_error(p, "too many peers, expected at most %d", CONF_CMAP_PEERS);
		return;
	}
	m->peer[m->npeer++] = a;
}

/* set transform-set T [T...]: the new list replaces the old one */
static void h_set_tset(struct conf_parser *p, int i)
{
	struct conf_crypto_map *m = cur(p);
	char names[CONF_MAX_TSET_REFS][CONF_NAME_MAX];
	int n = 0;

	if (!cp_need(p, i, "one or more transform set names"))
		return;
	if (m->kind == CMAP_MANUAL && i + 1 < p->argc) {
		cp_error(p, "an ipsec-manual entry uses one transform set (its keys fit one), "
		         "expected 'set transform-set NAME'");
		return;
	}
	if (!cp_tset_list(p, i, names, &n))
		return;
	memset(m->tset, 0, sizeof(m->tset));
	memcpy(m->tset, names, sizeof(names[0]) * (size_t)n);
	m->ntset = n;
}

/* match address ACL: checked once the file is read (conf_cmap_check.c) */
static void h_match_address(struct conf_parser *p, int i)
{
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "an extended access list name or number") ||
	    !cp_name(p, i, "access list name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(cur(p)->match_acl, name, sizeof(name));
}

static void h_set_pfs(struct conf_parser *p, int i)
{
	int g;

	if (isakmp_only(p) && cp_pfs_group(p, i, &g))
		cur(p)->pfs_group = g;
}

/* set security-association lifetime seconds N | kilobytes N (bounds as in ipsec profiles) */
static void h_set_lifetime(struct conf_parser *p, int i)
{
	struct conf_crypto_map *m = cur(p);

	if (!cp_sa_lifetime(p, i, &m->lifetime_seconds, &m->lifetime_kb))
		return;
	/* nothing would rekey a manual SA, so IOS lets it live for ever */
	if (m->kind == CMAP_MANUAL)
		cp_warn(p, "a lifetime under an ipsec-manual entry is kept but not applied: manual "
		        "SAs do not expire, as on IOS");
}

static void h_set_level(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "per-host"))
		return;
	if (strcmp(p->argv[i], "per-host") != 0) {
		cp_error(p, "bad security-association level '%s', expected per-host", p->argv[i]);
		return;
	}
	if (!cp_end(p, i + 1))
		return;
	cur(p)->per_host = 1;
	if (cur(p)->kind == CMAP_MANUAL)
		cp_warn(p, "'set security-association level per-host' under an ipsec-manual entry "
		        "is kept but changes nothing: its one SA pair carries all of the ACL's first "
		        "permit");
}

static void h_reverse_route(struct conf_parser *p, int i)
{
	if (!isakmp_only(p))
		return;
	if (i < p->argc) {
		cp_error(p, "'reverse-route %s' is not supported, expected 'reverse-route' alone",
		         p->argv[i]);
		return;
	}
	cur(p)->reverse_route = 1;
}

/* A key in hex into out; the message never shows the key. Returns the length, -1 on error. */
static int hex_key(struct conf_parser *p, const char *s, const char *what, uint8_t *out,
                   size_t cap)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2) {
		cp_error(p, "bad %s key: %zu hex digits, expected an even number of hex digits", what,
		         n);
		return -1;
	}
	if (n / 2 > cap) {
		cp_error(p, "%s key is too long (%zu bytes), expected at most %zu", what, n / 2, cap);
		return -1;
	}
	for (size_t k = 0; k < n; k += 2) {
		int hi = hex_nibble(s[k]), lo = hex_nibble(s[k + 1]);
		if (hi < 0 || lo < 0) {
			explicit_bzero(out, cap);
			cp_error(p, "bad %s key: not hex, expected an even number of hex digits "
			         "(0-9, a-f)", what);
			return -1;
		}
		out[k / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* set session-key inbound|outbound esp SPI cipher HEX [authenticator HEX] */
static void session_key(struct conf_parser *p, int i, int inbound)
{
	struct conf_crypto_map *m = cur(p);
	struct conf_session_key k;
	long long spi;
	int j;

	if (!manual_only(p) || !cp_need(p, i, "esp SPI cipher HEX [authenticator HEX]"))
		return;
	if (strcmp(p->argv[i], "ah") == 0) {
		cp_error(p, "'set session-key %s ah' is not supported, expected esp",
		         inbound ? "inbound" : "outbound");
		return;
	}
	if (strcmp(p->argv[i], "esp") != 0) {
		cp_error(p, "bad protocol '%s', expected esp", p->argv[i]);
		return;
	}
	if (!cp_need(p, i + 1, "an SPI from 256 to 4294967295") ||
	    !cp_num(p, i + 1, "SPI", 256, 4294967295LL, &spi))
		return;
	memset(&k, 0, sizeof(k));
	k.spi = (uint32_t)spi;
	j = i + 2;
	if (j >= p->argc || strcmp(p->argv[j], "cipher") != 0) {
		cp_error(p, "expected 'cipher HEX' after the SPI (esp-null is not supported with "
		         "manual keys)");
		return;
	}
	if (!cp_need(p, j + 1, "the cipher key in hex after cipher"))
		return;
	k.cipher_len = hex_key(p, p->argv[j + 1], "cipher", k.cipher, sizeof(k.cipher));
	if (k.cipher_len < 0)
		goto out;
	j += 2;
	if (j < p->argc && strcmp(p->argv[j], "authenticator") == 0) {
		if (!cp_need(p, j + 1, "the authenticator key in hex after authenticator"))
			goto out;
		k.auth_len = hex_key(p, p->argv[j + 1], "authenticator", k.auth, sizeof(k.auth));
		if (k.auth_len < 0)
			goto out;
		j += 2;
	}
	if (j < p->argc) {
		cp_error(p, "unexpected '%s' after the keys, expected end of line",
		         strlen(p->argv[j]) > 32 ? "..." : p->argv[j]);
		goto out;
	}
	k.set = 1;
	if (inbound) {
		explicit_bzero(&m->key_in, sizeof(m->key_in));
		m->key_in = k;
	} else {
		explicit_bzero(&m->key_out, sizeof(m->key_out));
		m->key_out = k;
	}
out:
	explicit_bzero(&k, sizeof(k));
}

static void h_key_in(struct conf_parser *p, int i)
{
	session_key(p, i, 1);
}

static void h_key_out(struct conf_parser *p, int i)
{
	session_key(p, i, 0);
}

static const struct cp_kw session_key_cmds[] = {
	FN("inbound", h_key_in),
	FN("outbound", h_key_out),
	END
};
static const struct cp_kw sa_cmds[] = {
	FN("lifetime", h_set_lifetime),
	FN("level", h_set_level),
	END
};
static const struct cp_kw set_cmds[] = {
	FN("peer", h_set_peer),
	FN("transform-set", h_set_tset),
	FN("pfs", h_set_pfs),
	SUB("security-association", sa_cmds),
	SUB("session-key", session_key_cmds),
	END
};
static const struct cp_kw match_cmds[] = { FN("address", h_match_address), END };

const struct cp_kw cp_cmap_cmds[] = {
	SUB("set", set_cmds),
	SUB("match", match_cmds),
	FN("reverse-route", h_reverse_route),
	END
};

static void print_key(FILE *f, const char *dir, const struct conf_session_key *k)
{
	if (!k->set)
		return;
	fprintf(f, " set session-key %s esp %u cipher <removed>%s\n", dir, (unsigned)k->spi,
	        k->auth_len ? " authenticator <removed>" : "");
}

/* The entries as the parser reads them back; the session keys are never printed. */
void conf_cmap_print(FILE *f, const struct vpnd_conf *c)
{
	char a[INET_ADDRSTRLEN];

	for (int k = 0; k < c->ncmap && k < CONF_MAX_CMAPS; k++) {
		const struct conf_crypto_map *m = &c->cmap[k];

		fprintf(f, "crypto map %s %d %s", m->name, m->seq, kind_word(m->kind));
		if (m->dynamic[0])
			fprintf(f, " dynamic %s", m->dynamic);
		fprintf(f, "\n");
		for (int j = 0; j < m->npeer && j < CONF_CMAP_PEERS; j++)
			fprintf(f, " set peer %s\n", inet_ntop(AF_INET, &m->peer[j], a, sizeof(a)));
		if (m->ntset) {
			fprintf(f, " set transform-set");
			for (int j = 0; j < m->ntset && j < CONF_MAX_TSET_REFS; j++)
				fprintf(f, " %s", m->tset[j]);
			fprintf(f, "\n");
		}
		if (m->pfs_group)
			fprintf(f, " set pfs group%d\n", m->pfs_group);
		if (m->lifetime_seconds)
			fprintf(f, " set security-association lifetime seconds %u\n",
			        (unsigned)m->lifetime_seconds);
		if (m->lifetime_kb)
			fprintf(f, " set security-association lifetime kilobytes %u\n",
			        (unsigned)m->lifetime_kb);
		if (m->per_host)
			fprintf(f, " set security-association level per-host\n");
		print_key(f, "inbound", &m->key_in);
		print_key(f, "outbound", &m->key_out);
		if (m->match_acl[0])
			fprintf(f, " match address %s\n", m->match_acl);
		if (m->reverse_route)
			fprintf(f, " reverse-route\n");
		fprintf(f, "!\n");
	}
}
