/*
 * IKEv2 stateless cookies (RFC 7296 2.6). Under load (more half-open IKE SAs than
 * `crypto ikev2 cookie-challenge N`) an IKE_SA_INIT without a valid COOKIE notify is answered
 * with one and nothing is kept: only a peer that receives at its source address can return it,
 * so a spoofed flood costs a hash per datagram, not a DH computation and an SA.
 *
 * Cookie = version octet | HMAC-SHA256(secret, Ni | IPi | SPIi) truncated to 16 bytes. The
 * secret changes every IKEV2_COOKIE_ROTATE seconds and the previous one is still accepted, so
 * a cookie handed out just before a change still works.
 */
#ifndef VPND_IKEV2_COOKIE_H
#define VPND_IKEV2_COOKIE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/sa46.h"

#define IKEV2_COOKIE_LEN    17
#define IKEV2_COOKIE_ROTATE 120

/* The cookie for this peer now; rotates the secret when its time came. -1 if no randomness. */
int ikev2_cookie_make(const uint8_t *ni, size_t nilen, const union sa46 *peer,
                      const uint8_t spi_i[8], time_t now, uint8_t out[IKEV2_COOKIE_LEN]);
/* 1 when c (clen bytes, as the peer returned it) is one we made for these values under the
 * current or the previous secret. */
int ikev2_cookie_check(const uint8_t *c, size_t clen, const uint8_t *ni, size_t nilen,
                       const union sa46 *peer, const uint8_t spi_i[8], time_t now);

#endif
