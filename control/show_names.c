/*
 * The names of things in the configuration shows: the words the configuration uses, and the
 * wording of IOS's show crypto commands.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "control/show_config.h"
#include "control/show_int.h"

const char *ike_encr_word(int e)
{
	switch (e) {
	case IKE_ENCR_DES:  return "des";
	case IKE_ENCR_3DES: return "3des";
	case IKE_ENCR_AES:  return "aes";
	}
	return "unknown";
}

const char *ike_hash_word(int h)
{
	switch (h) {
	case IKE_HASH_MD5:    return "md5";
	case IKE_HASH_SHA1:   return "sha";
	case IKE_HASH_SHA256: return "sha256";
	case IKE_HASH_SHA384: return "sha384";
	case IKE_HASH_SHA512: return "sha512";
	}
	return "unknown";
}

const char *ike_auth_word(int a)
{
	switch (a) {
	case IKE_AUTH_PSK:     return "pre-share";
	case IKE_AUTH_RSA_SIG: return "rsa-sig";
	case IKE_AUTH_ECDSA_SIG: return "ecdsa-sig";
	}
	return "unknown";
}

/* The wording of IOS's show crypto isakmp policy. */
const char *ike_encr_text(const struct conf_isakmp_policy *p, char *buf, size_t len)
{
	switch (p->encr) {
	case IKE_ENCR_DES:
		return "DES - Data Encryption Standard (56 bit keys).";
	case IKE_ENCR_3DES:
		return "Three key triple DES";
	case IKE_ENCR_AES:
		snprintf(buf, len, "AES - Advanced Encryption Standard (%d bit keys).",
		         p->keylen ? p->keylen : 128);
		return buf;
	}
	return "unknown";
}

const char *ike_hash_text(int h)
{
	switch (h) {
	case IKE_HASH_MD5:    return "Message Digest 5";
	case IKE_HASH_SHA1:   return "Secure Hash Standard";
	case IKE_HASH_SHA256: return "Secure Hash Standard 2 (256 bit)";
	case IKE_HASH_SHA384: return "Secure Hash Standard 2 (384 bit)";
	case IKE_HASH_SHA512: return "Secure Hash Standard 2 (512 bit)";
	}
	return "unknown";
}

const char *ike_auth_text(int a)
{
	switch (a) {
	case IKE_AUTH_PSK:     return "Pre-Shared Key";
	case IKE_AUTH_RSA_SIG: return "Rivest-Shamir-Adleman Signature";
	}
	return "unknown";
}

/* Modulus or curve size of each DH group (RFC 2409, 3526, 5903). */
const char *dh_text(int g)
{
	switch (g) {
	case 1:  return "#1 (768 bit)";
	case 2:  return "#2 (1024 bit)";
	case 5:  return "#5 (1536 bit)";
	case 14: return "#14 (2048 bit)";
	case 15: return "#15 (3072 bit)";
	case 16: return "#16 (4096 bit)";
	case 19: return "#19 (256 bit ecp)";
	case 20: return "#20 (384 bit ecp)";
	case 21: return "#21 (521 bit ecp)";
	}
	return "unknown";
}

static int dh_legacy(int g)
{
	return g == 1 || g == 2 || g == 5;
}

/* The hash the parser gives a policy that names none (docs/config.md, Defaults). */
int default_hash(const struct conf_isakmp_policy *p)
{
	return p->encr == IKE_ENCR_DES || p->encr == IKE_ENCR_3DES || dh_legacy(p->group) ?
	       IKE_HASH_SHA1 : IKE_HASH_SHA256;
}

/* The encryption transform as the configuration writes it: "esp-aes 256". */
static const char *esp_encr_conf(const struct conf_transform_set *t, char *buf, size_t len)
{
	switch (t->encr) {
	case ESP_ENCR_DES:  return "esp-des";
	case ESP_ENCR_3DES: return "esp-3des";
	case ESP_ENCR_NULL: return "esp-null";
	case ESP_ENCR_AES_CBC:
	case ESP_ENCR_AES_GCM16: {
		const char *w = t->encr == ESP_ENCR_AES_CBC ? "esp-aes" : "esp-gcm";
		if (t->keylen == 0 || t->keylen == 128)
			return w;
		snprintf(buf, len, "%s %d", w, t->keylen);
		return buf;
	}
	}
	return "unknown";
}

/* The same as IOS's show commands spell it: esp-256-aes for AES-CBC, esp-gcm 256 for GCM. */
static const char *esp_encr_show(const struct conf_transform_set *t, char *buf, size_t len)
{
	if (t->encr == ESP_ENCR_AES_CBC && t->keylen && t->keylen != 128) {
		snprintf(buf, len, "esp-%d-aes", t->keylen);
		return buf;
	}
	return esp_encr_conf(t, buf, len);
}

const char *esp_encr_word(int e)
{
	switch (e) {
	case ESP_ENCR_DES:       return "esp-des";
	case ESP_ENCR_3DES:      return "esp-3des";
	case ESP_ENCR_AES_CBC:   return "esp-aes";
	case ESP_ENCR_AES_GCM16: return "esp-gcm";
	case ESP_ENCR_NULL:      return "esp-null";
	}
	return "unknown";
}

const char *esp_auth_word(int a)
{
	switch (a) {
	case ESP_AUTH_NONE:            return NULL;
	case ESP_AUTH_HMAC_MD5_96:     return "esp-md5-hmac";
	case ESP_AUTH_HMAC_SHA1_96:    return "esp-sha-hmac";
	case ESP_AUTH_HMAC_SHA256_128: return "esp-sha256-hmac";
	case ESP_AUTH_HMAC_SHA384_192: return "esp-sha384-hmac";
	case ESP_AUTH_HMAC_SHA512_256: return "esp-sha512-hmac";
	}
	return "unknown";
}

/* "esp-3des esp-sha-hmac" (configuration) or with IOS's show spelling. */
const char *tset_transforms(const struct conf_transform_set *t, int show, char *buf,
                                   size_t len)
{
	char e[32];
	const char *a = esp_auth_word(t->auth);
	const char *enc = show ? esp_encr_show(t, e, sizeof(e)) : esp_encr_conf(t, e, sizeof(e));

	snprintf(buf, len, "%s%s%s", enc, a ? " " : "", a ? a : "");
	return buf;
}

