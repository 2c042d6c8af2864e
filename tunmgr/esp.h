/*
 * ESP packet transforms (RFC 4303), one SA per direction. Tunnel-mode payloads only: the caller
 * strips/adds the outer IP header and, for NAT-T, the UDP header (RFC 3948).
 *
 *   SPI(4) | seq(4) | IV | ciphertext(payload | padding 1,2,3.. | pad length | next header) | ICV
 *
 * Ciphers: AES-CBC 128/192/256 (RFC 3602), 3DES-CBC, DES-CBC (OpenSSL legacy provider), NULL
 * (RFC 2410), AES-GCM with a 16-byte ICV, 128/192/256 (RFC 4106). Integrity: HMAC-MD5-96,
 * HMAC-SHA1-96 (RFC 2403/2404), HMAC-SHA2-256-128/384-192/512-256 (RFC 4868).
 *
 * Policy (which algorithms are allowed) is the configuration's business, not this file's: an SA
 * with NULL encryption, or CBC without integrity, is built if asked for.
 *
 * Cost per packet: no allocation by this code (OpenSSL 3.0's HMAC re-init does two small ones
 * internally), cipher contexts created once per SA and re-keyed with the IV only.
 * An SA must be used by one thread at a time.
 */
#ifndef VPND_ESP_H
#define VPND_ESP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/alg.h"         /* esp_enc_keylen, esp_auth_keylen */
#include "common/conf.h"        /* enum conf_esp_encr, enum conf_esp_auth */

enum esp_err {
	ESP_ERR_SHORT  = -1,    /* too short or malformed (e.g. not a whole number of blocks) */
	ESP_ERR_AUTH   = -2,    /* ICV mismatch */
	ESP_ERR_REPLAY = -3,    /* sequence number seen already or left of the window */
	ESP_ERR_PAD    = -4,    /* padding length or contents wrong after decryption */
	ESP_ERR_SPACE  = -5,    /* output buffer too small */
	ESP_ERR_CRYPTO = -6,    /* OpenSSL failed */
	ESP_ERR_SEQ    = -7,    /* outbound sequence number would wrap: rekey */
};

/* IPv4 in tunnel mode, and the "no next header" marker of dummy packets (RFC 4303 2.6). */
#define ESP_NH_IPV4   4
#define ESP_NH_IPV6   41
#define ESP_NH_NONE   59

struct esp_stats {
	uint64_t pkts, bytes;   /* good packets and their inner (payload) bytes */
	uint64_t err_auth, err_replay, err_pad, err_other;
};

struct esp_sa;

/* ICV bytes: 12/12/16/24/32 by auth, 16 for GCM, 0 without integrity. */
size_t esp_icv_len(int encr, int auth);
/* Worst-case bytes ESP adds to an inner packet: SPI, seq, IV, padding, trailer, ICV. */
size_t esp_overhead_max(int encr, int auth);

/*
 * A new SA, or NULL with errno: EINVAL (bad algorithm, key length or combination),
 * EOPNOTSUPP (cipher unavailable, e.g. DES without the legacy provider), ENOMEM.
 * replay_window: packets, used for inbound; raised to 1024 if lower.
 */
struct esp_sa *esp_sa_new(int encr, const uint8_t *key, size_t keylen,
                          int auth, const uint8_t *authkey, size_t authkeylen,
                          uint32_t spi_net, int replay_window);
void esp_sa_free(struct esp_sa *);

/*
 * Encapsulate inner[0..len) into out. Returns the ESP packet length or a negative enum esp_err.
 * inner may overlap out; placing it at out + esp_hdr_len(sa) saves the copy.
 * out needs len + esp_overhead_max() bytes; when it is too small no sequence number is used.
 */
ssize_t esp_encap(struct esp_sa *, const uint8_t *inner, size_t len, uint8_t next_header,
                  uint8_t *out, size_t outcap);

/*
 * Check and decrypt one ESP packet (starting at the SPI). Returns the inner length, written at
 * out, with *next_header set; or a negative enum esp_err, counted in the SA's stats.
 * Order: length checks, replay check (before any crypto), ICV check (constant time),
 * decryption, padding check, and only then the window update. out must not overlap in and needs at least
 * len - esp_hdr_len() - ICV bytes (the ciphertext, padding included). A dummy packet
 * (*next_header == ESP_NH_NONE) is returned like any other: drop it.
 */
ssize_t esp_decap(struct esp_sa *, const uint8_t *in, size_t len, uint8_t *out, size_t outcap,
                  uint8_t *next_header);

uint32_t esp_sa_spi(const struct esp_sa *);
struct esp_stats esp_sa_stats(const struct esp_sa *);
/* Bytes before the payload in an ESP packet of this SA: 8 + IV length. */
size_t esp_hdr_len(const struct esp_sa *);
/* Last sequence number sent (0 = none yet), for "show crypto ipsec sa" and rekey decisions. */
uint32_t esp_sa_seq_out(const struct esp_sa *);
const char *esp_strerror(int err);

/* Test hooks, not for production use. The IV given is used for the next packet only (CBC: the
 * cipher's block size, GCM: 8 bytes); set_seq sets the last sequence number sent. */
void esp_sa_set_test_iv(struct esp_sa *, const uint8_t *iv, size_t len);
void esp_sa_set_test_seq(struct esp_sa *, uint32_t last_sent);

#endif
