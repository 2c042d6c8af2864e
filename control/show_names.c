/*
 * The names of things in the configuration shows: the words the configuration uses, and the
 * wording of IOS's show crypto commands.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/alg.h"
#include "control/show_config.h"
#include "control/show_int.h"

/* Thin wrappers: the show code prints "unknown" for what the table does not hold. */
#define OR_UNKNOWN(r, f) ((r) && (r)->f ? (r)->f : "unknown")

const char *ike_encr_word(int e) { return OR_UNKNOWN(alg_ike_encr(e), word); }
const char *ike_hash_word(int h) { return OR_UNKNOWN(alg_ike_hash(h), word); }
const char *ike_auth_word(int a) { return OR_UNKNOWN(alg_ike_auth(a), word); }
const char *ike_hash_text(int h) { return OR_UNKNOWN(alg_ike_hash(h), show); }
const char *ike_auth_text(int a) { return OR_UNKNOWN(alg_ike_auth(a), show); }
const char *dh_text(int g) { return OR_UNKNOWN(alg_dh(g), show); }

/* The wording of IOS's show crypto isakmp policy. */
const char *ike_encr_text(const struct conf_isakmp_policy *p, char *buf, size_t len)
{
	const struct alg_ike_encr *e = alg_ike_encr(p->encr);

	if (!e || !e->bits[0])
		return OR_UNKNOWN(e, show);
	snprintf(buf, len, "%s (%d bit keys).", e->show, p->keylen ? p->keylen : e->key_bits);
	return buf;
}

/* The hash the parser gives a policy that names none (docs/config.md, Defaults). */
int default_hash(const struct conf_isakmp_policy *p)
{
	const struct alg_ike_encr *e = alg_ike_encr(p->encr);
	const struct alg_dh *g = alg_dh(p->group);

	return (e && e->legacy) || (g && g->legacy) ? IKE_HASH_SHA1 : IKE_HASH_SHA256;
}

/*
 * The encryption transform as the configuration writes it ("esp-aes 256"), or as IOS's show
 * commands spell it: esp-256-aes for AES-CBC, esp-gcm 256 for GCM.
 */
static const char *esp_encr_text(const struct conf_transform_set *t, int show, char *buf,
                                 size_t len)
{
	const struct alg_esp_encr *e = alg_esp_encr(t->encr);

	if (!e || !e->bits[0] || t->keylen == 0 || t->keylen == e->key_bits)
		return OR_UNKNOWN(e, word);
	if (show && e->show_bits)
		snprintf(buf, len, "esp-%d-%s", t->keylen, e->show_bits);
	else
		snprintf(buf, len, "%s %d", e->word, t->keylen);
	return buf;
}

const char *esp_encr_word(int e) { return OR_UNKNOWN(alg_esp_encr(e), word); }

const char *esp_auth_word(int a)
{
	return a == ESP_AUTH_NONE ? NULL : OR_UNKNOWN(alg_esp_auth(a), word);
}

/* "esp-3des esp-sha-hmac" (configuration) or with IOS's show spelling. */
const char *tset_transforms(const struct conf_transform_set *t, int show, char *buf,
                                   size_t len)
{
	char e[32];
	const char *a = esp_auth_word(t->auth);
	const char *enc = esp_encr_text(t, show, e, sizeof(e));

	snprintf(buf, len, "%s%s%s", enc, a ? " " : "", a ? a : "");
	return buf;
}

