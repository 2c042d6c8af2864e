/*
 * Diffie-Hellman for IKEv1: MODP groups 1, 2, 5, 14, 15, 16 (RFC 2409, RFC 3526) and ECP
 * groups 19, 20, 21 (RFC 5903: the KE data is x | y, the shared secret is x).
 */
#ifndef VPND_DH_H
#define VPND_DH_H

#include <stddef.h>
#include <stdint.h>

struct ike_dh;

int    ike_dh_supported(int group);
size_t ike_dh_publen(int group);
struct ike_dh *ike_dh_new(int group);
/* For known-answer tests: a fixed private value (big-endian). */
struct ike_dh *ike_dh_new_with_private(int group, const uint8_t *priv, size_t len);
int    ike_dh_public(struct ike_dh *, uint8_t *out, size_t len);
/* Validates the peer's value; *outlen gets the secret's length (the prime/field size). */
int    ike_dh_shared(struct ike_dh *, const uint8_t *peer, size_t len, uint8_t *out,
                     size_t *outlen);
void   ike_dh_free(struct ike_dh *);

#endif
