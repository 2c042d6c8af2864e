/* A string as one hex word of a command line, and back (common/hexword.c). */
#ifndef VPND_HEXWORD_H
#define VPND_HEXWORD_H

#include <stddef.h>

/* S as lowercase hex, "-" when empty; -1 when OUT (with its NUL) is too small. */
int hexword_encode(const char *s, char *out, size_t outlen);
/* W back into OUT, terminated; -1 (OUT wiped) for anything but even-length hex of non-NUL
 * bytes, or "-", that fits. */
int hexword_decode(const char *w, char *out, size_t outlen);

/* One hex digit's value, -1 for anything else. */
static inline int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
