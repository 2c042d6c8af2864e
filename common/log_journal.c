/*
 * The journal's native protocol (systemd's "Native Journal Protocol"): one datagram of
 * KEY=value lines; a value holding a newline goes as KEY, newline, its length as 64-bit
 * little endian, the bytes, newline. Written here rather than with sd_journal_send() because
 * that opens its socket lazily, after our chroot and seccomp filter.
 */
#include <stdint.h>
#include <string.h>

#include "common/log_sink.h"

static int put(char *buf, size_t len, size_t *off, const void *p, size_t n)
{
	if (*off + n > len)
		return -1;
	memcpy(buf + *off, p, n);
	*off += n;
	return 0;
}

size_t log_journal_format(char *buf, size_t len, const struct log_field *f, int nf)
{
	size_t off = 0;

	for (int i = 0; i < nf; i++) {
		size_t kl = strlen(f[i].key), vl = strlen(f[i].value);
		if (memchr(f[i].value, '\n', vl) == NULL) {
			if (put(buf, len, &off, f[i].key, kl) || put(buf, len, &off, "=", 1) ||
			    put(buf, len, &off, f[i].value, vl) || put(buf, len, &off, "\n", 1))
				return 0;
			continue;
		}
		uint8_t le[8];
		for (int b = 0; b < 8; b++)
			le[b] = (uint8_t)((uint64_t)vl >> (8 * b));
		if (put(buf, len, &off, f[i].key, kl) || put(buf, len, &off, "\n", 1) ||
		    put(buf, len, &off, le, 8) || put(buf, len, &off, f[i].value, vl) ||
		    put(buf, len, &off, "\n", 1))
			return 0;
	}
	return off;
}
