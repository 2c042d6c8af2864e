/*
 * Key lengths of the ESP algorithms (common/conf.h's enum conf_esp_encr / conf_esp_auth), in
 * one place for the data plane (tunmgr/esp.c) and the configuration's manual keys
 * (common/conf_cmap_check.c). Inline so that each side links nothing of the other's.
 */
#ifndef VPND_COMMON_ESP_KEYLEN_H
#define VPND_COMMON_ESP_KEYLEN_H

#include <stddef.h>

#include "common/conf.h"

/* Cipher key bytes; AES-GCM's 4-byte salt (RFC 4106) is not counted. 0: unknown or none. */
static inline size_t esp_cipher_key_bytes(int encr, int keylen_bits)
{
	switch (encr) {
	case ESP_ENCR_DES:
		return 8;
	case ESP_ENCR_3DES:
		return 24;
	case ESP_ENCR_AES_CBC:
	case ESP_ENCR_AES_GCM16:
		if (keylen_bits == 0)
			keylen_bits = 128;
		if (keylen_bits != 128 && keylen_bits != 192 && keylen_bits != 256)
			return 0;
		return (size_t)keylen_bits / 8;
	default:
		return 0;
	}
}

/* HMAC key bytes (the hash's output length, RFC 2404 / 4868). 0: none. */
static inline size_t esp_integ_key_bytes(int auth)
{
	switch (auth) {
	case ESP_AUTH_HMAC_MD5_96:      return 16;
	case ESP_AUTH_HMAC_SHA1_96:     return 20;
	case ESP_AUTH_HMAC_SHA256_128:  return 32;
	case ESP_AUTH_HMAC_SHA384_192:  return 48;
	case ESP_AUTH_HMAC_SHA512_256:  return 64;
	default:                        return 0;
	}
}

#endif
