/* Cisco's configuration password encodings: type 7 decoding, the shape of types 5, 8, 9. */
#include <string.h>

#include "common/hexword.h"
#include "common/cisco_secret.h"

/* The type-7 key: a constant published many times since the 1990s. */
static const char xlat[] = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";

int cisco_type7_decode(const char *enc, char *out, size_t outlen)
{
	size_t n = strlen(enc), klen = sizeof(xlat) - 1;
	if (n < 4 || n % 2 || enc[0] < '0' || enc[0] > '9' || enc[1] < '0' || enc[1] > '9')
		return -1;
	size_t seed = (size_t)(enc[0] - '0') * 10 + (size_t)(enc[1] - '0');
	size_t len = (n - 2) / 2;
	if (seed >= klen || len + 1 > outlen)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_nibble(enc[2 + 2 * i]), lo = hex_nibble(enc[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (char)((hi << 4 | lo) ^ xlat[(seed + i) % klen]);
		if (out[i] == 0)
			goto bad;
	}
	out[len] = 0;
	return 0;
bad:
	memset(out, 0, outlen);
	return -1;
}

static int b64chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '/'))
			return 0;
	}
	return 1;
}

int cisco_hash_wellformed(int type, const char *s)
{
	size_t n = strlen(s);
	if (type == 8 || type == 9) {
		char head[4] = { '$', (char)('0' + type), '$', 0 };
		/* $T$ + 14 salt + $ + 43 key */
		return n == 3 + 14 + 1 + 43 && strncmp(s, head, 3) == 0 && s[17] == '$' &&
		       b64chars(s + 3, 14) && b64chars(s + 18, 43);
	}
	if (type == 5) {
		if (strncmp(s, "$1$", 3) != 0)
			return 0;
		const char *d = strchr(s + 3, '$');
		if (!d || d - (s + 3) < 1 || d - (s + 3) > 8 || strlen(d + 1) != 22)
			return 0;
		return b64chars(s + 3, (size_t)(d - (s + 3))) && b64chars(d + 1, 22);
	}
	return 0;
}
