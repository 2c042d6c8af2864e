/*
 * Crypto map checks that need the whole file: the transform sets and ACLs entries name, the
 * session keys against their set's algorithms, SPIs across entries, the interfaces naming a
 * map. Also the look-ups the data plane uses (an entry's first permit, key lengths).
 */
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"
#include "common/alg.h"

size_t conf_esp_cipher_keylen(int encr, int keylen_bits)
{
	/* GCM and null: not keyed by hand (RFC 8221) */
	return encr == ESP_ENCR_AES_GCM16 ? 0 : esp_cipher_key_bytes(encr, keylen_bits);
}

size_t conf_esp_auth_keylen(int auth)
{
	return esp_integ_key_bytes(auth);
}

const struct conf_crypto_map *conf_find_cmap(const struct vpnd_conf *c, const char *name,
                                             int seq)
{
	for (int k = 0; k < c->ncmap && k < CONF_MAX_CMAPS; k++)
		if (strcmp(c->cmap[k].name, name) == 0 && (seq == 0 || c->cmap[k].seq == seq))
			return &c->cmap[k];
	return NULL;
}

const struct conf_ace *conf_cmap_first_permit(const struct vpnd_conf *c,
                                              const struct conf_crypto_map *m)
{
	const struct conf_acl *acl = m->match_acl[0] ? conf_find_acl(c, m->match_acl) : NULL;

	if (!acl)
		return NULL;
	for (int k = 0; k < acl->nace && k < CONF_MAX_ACES; k++)
		if (acl->ace[k].permit)
			return &acl->ace[k];
	return NULL;
}

static int by_name_seq(const void *a, const void *b)
{
	const struct conf_crypto_map *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d ? d : x->seq - y->seq;
}

/* The ACL a map matches: extended, with a permit; extra entries of a manual map are named. */
static void check_acl(struct conf_parser *p, const struct conf_crypto_map *m)
{
	const struct conf_acl *acl = conf_find_acl(p->conf, m->match_acl);
	int aix, first = -1;

	if (!acl) {
		cp_error_at(p, m->line, "crypto map %s %d: access list '%s' is not defined, expected "
		            "an 'ip access-list extended %s' block", m->name, m->seq, m->match_acl,
		            m->match_acl);
		return;
	}
	aix = (int)(acl - p->conf->acl);
	if (!acl->extended) {
		cp_error_at(p, m->line, "crypto map %s %d: access list '%s' is standard, expected an "
		            "extended access list (it selects by source and destination)", m->name,
		            m->seq, m->match_acl);
		return;
	}
	for (int k = 0; k < acl->nace && k < CONF_MAX_ACES; k++) {
		if (!acl->ace[k].permit) {
			if (first < 0 && m->kind == CMAP_MANUAL)
				cp_warn_at(p, m->line, "crypto map %s %d: ipsec-manual uses only the first "
				           "permit of %s; deny on line %d ignored", m->name, m->seq,
				           acl->name, p->ace_line[aix][k]);
			continue;
		}
		if (first < 0)
			first = k;
		else if (m->kind == CMAP_MANUAL)
			cp_warn_at(p, m->line, "crypto map %s %d: ipsec-manual uses only the first "
			           "permit of %s; line %d ignored", m->name, m->seq, acl->name,
			           p->ace_line[aix][k]);
	}
	if (first < 0)
		cp_error_at(p, m->line, "crypto map %s %d: access list '%s' has no permit entry, "
		            "expected 'permit ip SOURCE DEST' for the traffic to protect", m->name,
		            m->seq, acl->name);
}

static void check_key(struct conf_parser *p, const struct conf_crypto_map *m,
                      const struct conf_session_key *k, const char *dir,
                      const struct conf_transform_set *ts)
{
	size_t want_c = conf_esp_cipher_keylen(ts->encr, ts->keylen);
	size_t want_a = conf_esp_auth_keylen(ts->auth);

	if (!k->set)
		return;     /* reported by check_manual */
	if ((size_t)k->cipher_len != want_c)
		cp_error_at(p, m->line, "crypto map %s %d: the %s cipher key is %d bytes, expected "
		            "%zu for transform set '%s'", m->name, m->seq, dir, k->cipher_len, want_c,
		            ts->name);
	if ((size_t)k->auth_len != want_a)
		cp_error_at(p, m->line, "crypto map %s %d: the %s authenticator key is %d bytes, "
		            "expected %zu for transform set '%s'", m->name, m->seq, dir, k->auth_len,
		            want_a, ts->name);
}

/* What a transform set must be for keys typed by hand; 1 when the keys can be checked. */
static int manual_tset_ok(struct conf_parser *p, const struct conf_crypto_map *m,
                          const struct conf_transform_set *ts)
{
	if (ts->encr == ESP_ENCR_AES_GCM16) {
		cp_error_at(p, m->line, "crypto map %s %d: transform set '%s' is a combined-mode "
		            "cipher (esp-gcm), refused with manual keys (RFC 8221: a counter mode "
		            "with a static key repeats its IV after a restart), expected esp-aes "
		            "with an HMAC", m->name, m->seq, ts->name);
		return 0;
	}
	if (ts->encr == ESP_ENCR_NULL) {
		cp_error_at(p, m->line, "crypto map %s %d: transform set '%s' is esp-null, expected "
		            "an encrypting set (esp-aes with an HMAC) for manual keys", m->name,
		            m->seq, ts->name);
		return 0;
	}
	if (ts->auth == ESP_AUTH_NONE) {
		cp_error_at(p, m->line, "crypto map %s %d: transform set '%s' has no authentication, "
		            "expected one such as esp-sha256-hmac (manual keys need integrity)",
		            m->name, m->seq, ts->name);
		return 0;
	}
	if (conf_esp_cipher_keylen(ts->encr, ts->keylen) == 0)
		return 0;   /* an algorithm added to the parser but not here: reported by the data plane */
	return 1;
}

static void check_manual(struct conf_parser *p, const struct conf_crypto_map *m)
{
	const struct conf_transform_set *ts = NULL;

	if (m->npeer != 1)
		cp_error_at(p, m->line, "crypto map %s %d has no peer, expected 'set peer A.B.C.D' "
		            "under it", m->name, m->seq);
	if (m->ntset != 1)
		cp_error_at(p, m->line, "crypto map %s %d has no transform set, expected 'set "
		            "transform-set NAME' under it", m->name, m->seq);
	else if (!(ts = conf_find_tset(p->conf, m->tset[0])))
		cp_error_at(p, m->line, "crypto map %s %d: transform set '%s' is not defined, "
		            "expected a 'crypto ipsec transform-set %s ...' line", m->name, m->seq,
		            m->tset[0], m->tset[0]);
	if (!m->match_acl[0])
		cp_error_at(p, m->line, "crypto map %s %d has no access list, expected 'match "
		            "address ACL' under it", m->name, m->seq);
	for (int in = 1; in >= 0; in--)
		if (!(in ? &m->key_in : &m->key_out)->set)
			cp_error_at(p, m->line, "crypto map %s %d has no %s key, expected 'set "
			            "session-key %s esp SPI cipher HEX authenticator HEX' under it",
			            m->name, m->seq, in ? "inbound" : "outbound",
			            in ? "inbound" : "outbound");
	if (ts && manual_tset_ok(p, m, ts)) {
		check_key(p, m, &m->key_in, "inbound", ts);
		check_key(p, m, &m->key_out, "outbound", ts);
	}
}

static void check_isakmp(struct conf_parser *p, const struct conf_crypto_map *m)
{
	if (m->npeer == 0 && !m->dynamic[0])
		cp_error_at(p, m->line, "crypto map %s %d: an ipsec-isakmp map without a peer, "
		            "expected 'set peer A.B.C.D' under it", m->name, m->seq);
	for (int k = 0; k < m->ntset && k < CONF_MAX_TSET_REFS; k++)
		if (!conf_find_tset(p->conf, m->tset[k]))
			cp_error_at(p, m->line, "crypto map %s %d: transform set '%s' is not defined, "
			            "expected a 'crypto ipsec transform-set %s ...' line", m->name,
			            m->seq, m->tset[k], m->tset[k]);
}

void cp_check_cmap(struct conf_parser *p)
{
	struct vpnd_conf *c = p->conf;

	qsort(c->cmap, (size_t)c->ncmap, sizeof(c->cmap[0]), by_name_seq);
	for (int k = 0; k < c->ncmap; k++) {
		const struct conf_crypto_map *m = &c->cmap[k];

		if (m->kind == CMAP_MANUAL)
			check_manual(p, m);
		else
			check_isakmp(p, m);
		if (m->match_acl[0])
			check_acl(p, m);
		if (m->kind != CMAP_MANUAL || !m->key_in.set)
			continue;
		for (int j = 0; j < k; j++)
			if (c->cmap[j].kind == CMAP_MANUAL && c->cmap[j].key_in.set &&
			    c->cmap[j].key_in.spi == m->key_in.spi)
				cp_error_at(p, m->line, "crypto map %s %d: inbound SPI %u is already used "
				            "by crypto map %s %d (line %d), expected each inbound SPI once",
				            m->name, m->seq, (unsigned)m->key_in.spi, c->cmap[j].name,
				            c->cmap[j].seq, c->cmap[j].line);
	}
}
