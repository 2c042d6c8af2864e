/* A string as one hex word of a command line, and back (common/hexword.c). */
#ifndef VPND_HEXWORD_H
#define VPND_HEXWORD_H

#include <stddef.h>

/* S as lowercase hex, "-" when empty; -1 when OUT (with its NUL) is too small. */
int hexword_encode(const char *s, char *out, size_t outlen);
/* W back into OUT, terminated; -1 (OUT wiped) for anything but even-length hex of non-NUL
 * bytes, or "-", that fits. */
int hexword_decode(const char *w, char *out, size_t outlen);

#endif
