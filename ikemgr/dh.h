/*
 * Diffie-Hellman for IKEv1: MODP groups 1, 2 (RFC 2409 6.1, 6.2), 5, 14, 15, 16 (RFC 3526),
 * generator 2, public value left-padded to the prime length; ECP groups 19, 20, 21 (RFC 5903:
 * P-256, P-384, P-521; the KE data is x | y, each padded to the field size, without the 0x04
 * prefix, and the shared secret is x padded to the field size).
 */
#ifndef VPND_DH_H
#define VPND_DH_H

#include <stddef.h>
#include <stdint.h>

struct ike_dh;

int    ike_dh_supported(int group);
/* KE data length of a group (0 if unsupported); the shared secret is the prime length for
 * MODP and half of this (the field size) for ECP. */
size_t ike_dh_publen(int group);
/* A fresh key pair; NULL if the group is unsupported or on failure. */
struct ike_dh *ike_dh_new(int group);
/* For known-answer tests: a fixed private value (big-endian). NULL if it is out of range. */
struct ike_dh *ike_dh_new_with_private(int group, const uint8_t *priv, size_t len);
/* Our KE data; len must be ike_dh_publen(group). */
int    ike_dh_public(struct ike_dh *, uint8_t *out, size_t len);
/*
 * The shared secret from the peer's KE data (len must be ike_dh_publen). The peer value is
 * validated first: MODP 1 < y < p-1, ECP a point on the curve. out needs room for the secret
 * (at most 512 bytes); *outlen gets its length.
 */
int    ike_dh_shared(struct ike_dh *, const uint8_t *peer, size_t len, uint8_t *out,
                     size_t *outlen);
void   ike_dh_free(struct ike_dh *);

#endif
