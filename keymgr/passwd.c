/*
 * A local user's password against what the configuration holds: the clear text (type 0, or
 * type 7 decoded by the parser) compared in constant time, or a one-way hash (types 5, 8, 9;
 * see common/cisco_secret.h) recomputed from the password and compared in constant time.
 * A hash costs what it was designed to cost: about 10 ms for type 8 and 30-50 ms and 16 MiB
 * for type 9 on this class of machine, on keymgr's loop. That bounds local logins with a
 * type-9 secret to a few dozen a second; RADIUS users are not affected.
 */
#include <crypt.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/cisco_secret.h"
#include "common/conf.h"
#include "keymgr/keymgr.h"

static const char cisco64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* 32 bytes as Cisco writes them: base64 bit order, Cisco's alphabet, no padding (43). */
static void encode32(const unsigned char *k, char out[44])
{
	size_t o = 0;
	for (size_t i = 0; i < 32; i += 3) {
		unsigned v = (unsigned)k[i] << 16;
		size_t n = 32 - i >= 3 ? 4 : 3;        /* the last group holds 2 bytes */
		if (i + 1 < 32)
			v |= (unsigned)k[i + 1] << 8;
		if (i + 2 < 32)
			v |= k[i + 2];
		for (size_t j = 0; j < n; j++)
			out[o++] = cisco64[(v >> (18 - 6 * j)) & 63];
	}
	out[o] = 0;
}

static int eq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

int passwd_verify(const struct conf_user *u, const char *password)
{
	if (u->encrypted_type == 0) {
		char pa[CONF_SECRET_MAX] = { 0 }, pb[CONF_SECRET_MAX] = { 0 };
		size_t la = strlen(u->password), lb = strlen(password);
		if (la >= sizeof(pa) || lb >= sizeof(pb))
			return 0;
		memcpy(pa, u->password, la);
		memcpy(pb, password, lb);
		int eq = !CRYPTO_memcmp(pa, pb, sizeof(pa)) && la == lb;
		explicit_bzero(pa, sizeof(pa));
		explicit_bzero(pb, sizeof(pb));
		return eq;
	}
	if (!cisco_hash_wellformed(u->encrypted_type, u->password))
		return 0;
	if (u->encrypted_type == 5) {
		static struct crypt_data cd;
		memset(&cd, 0, sizeof(cd));
		const char *r = crypt_r(password, u->password, &cd);
		int eq = r && r[0] == '$' && eq_ct(r, u->password);
		explicit_bzero(&cd, sizeof(cd));
		return eq;
	}
	unsigned char key[32];
	const unsigned char *salt = (const unsigned char *)u->password + 3;
	int ok;
	if (u->encrypted_type == 8)
		ok = PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, 14, 20000,
		                       EVP_sha256(), sizeof(key), key);
	else
		ok = EVP_PBE_scrypt(password, strlen(password), salt, 14, 16384, 1, 1,
		                    64u << 20, key, sizeof(key));
	if (ok != 1) {
		explicit_bzero(key, sizeof(key));
		return 0;
	}
	char enc[44];
	encode32(key, enc);
	explicit_bzero(key, sizeof(key));
	return eq_ct(enc, u->password + 18);
}
