/*
 * A secret as one word of a command line: the operator's XAUTH answer goes from vpnctl to the
 * control process on the one line the control socket reads, which is split on blanks, so the
 * username and password travel as hex ("-" for an empty string) and may hold any byte but NUL.
 */
#include <string.h>

#include "common/hexword.h"

int hexword_encode(const char *s, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = strlen(s);

	if (n == 0) {
		if (outlen < 2)
			return -1;
		memcpy(out, "-", 2);
		return 0;
	}
	if (outlen == 0 || n > (outlen - 1) / 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int hexword_decode(const char *w, char *out, size_t outlen)
{
	size_t n = strlen(w);

	if (outlen == 0)
		return -1;
	if (strcmp(w, "-") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n == 0 || n % 2 || n / 2 >= outlen)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(w[2 * i]), lo = hex_nibble(w[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			explicit_bzero(out, i);
			return -1;
		}
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return 0;
}
