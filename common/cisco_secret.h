/*
 * The password encodings IOS writes into configurations:
 *   type 7  a reversible XOR with a fixed key: decoded at parse time (it protects nothing);
 *   type 5  MD5-crypt, "$1$SALT$HASH" (crypt(3));
 *   type 8  PBKDF2-HMAC-SHA-256, 20,000 rounds, "$8$SALT$HASH";
 *   type 9  scrypt, N = 16384, r = 1, p = 1, "$9$SALT$HASH";
 * types 8 and 9: a 14-character salt used as it is written, a 32-byte key written in base64
 * with Cisco's alphabet (./0-9A-Za-z, no padding: 43 characters). Not libxcrypt's "$7$".
 * Hashed secrets are kept hashed: keymgr checks a password against them (keymgr/passwd.c).
 */
#ifndef VPND_CISCO_SECRET_H
#define VPND_CISCO_SECRET_H

#include <stddef.h>

/* Decodes a type-7 string into OUT (NUL-terminated). Returns 0, or -1 when it is not one. */
int cisco_type7_decode(const char *enc, char *out, size_t outlen);

/* Is S a well-formed hash of TYPE (5, 8 or 9)? */
int cisco_hash_wellformed(int type, const char *s);

#endif
