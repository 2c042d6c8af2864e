/*
 * Text helpers shared by the show commands. Names in the session store come from clients
 * (user names, group names): printed raw, an escape sequence could rewrite the operator's
 * terminal, so anything but printable UTF-8 is shown as \xNN.
 */
#include <string.h>
#include <time.h>

#include "vpnctl/vpnctl.h"

size_t vctl_utf8(const unsigned char *p, unsigned *cp)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;          /* overlong */
		if (c == 0xed)
			hi = 0x9f;          /* UTF-16 surrogates */
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;          /* overlong */
		if (c == 0xf4)
			hi = 0x8f;          /* past U+10FFFF */
		c &= 0x07;
	} else {
		return 0;
	}
	/* the terminating NUL is no continuation byte: no reading past the string */
	for (size_t i = 1; i < n; i++) {
		unsigned b = p[i];
		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return 0;
		c = (c << 6) | (b & 0x3f);
	}
	*cp = c;
	return n;
}

/* Bytes of the printable character at P, 0 when the byte at P must be escaped. */
static size_t printable(const unsigned char *p)
{
	unsigned cp;
	size_t n = vctl_utf8(p, &cp);
	if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return n;
}

void vctl_put_safe(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = printable(p);
		if (n) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fprintf(f, "\\x%02x", *p++);
		}
	}
}

const char *vctl_addr(const char *in)
{
	static char ring[4][SA46_STRLEN];
	static unsigned next;
	union sa46 a;

	if (sa46_pton(in, &a) < 0) {
		fprintf(stderr, "%% Invalid address: '%s'\n", vctl_safe(in));
		return NULL;
	}
	return sa46_ntop(&a, ring[next++ % 4]);
}

const char *vctl_safe(const char *s)
{
	static char ring[8][1024];
	static unsigned next;
	char *out = ring[next++ % 8];
	size_t len = 0, cap = sizeof(ring[0]);
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = printable(p);
		if (len + (n ? n : 4) + 4 > cap) {      /* room for this and "..." */
			memcpy(out + len, "...", 3);
			len += 3;
			break;
		}
		if (n) {
			memcpy(out + len, p, n);
			len += n;
			p += n;
		} else {
			snprintf(out + len, cap - len, "\\x%02x", *p++);
			len += 4;
		}
	}
	out[len] = '\0';
	return out;
}

void fmt_uptime(double seconds, char *buf, size_t len)
{
	long s = seconds > 0 ? (long)seconds : 0;
	long d = s / 86400, w = d / 7;
	if (d == 0)
		snprintf(buf, len, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else if (w == 0)
		snprintf(buf, len, "%ldd%02ldh", d, s / 3600 % 24);
	else if (w < 52)
		snprintf(buf, len, "%ldw%ldd", w, d % 7);
	else
		snprintf(buf, len, "%ldy%ldw", d / 365, d % 365 / 7);
}

void fmt_time(double unixtime, char *buf, size_t len)
{
	time_t t = (time_t)unixtime;
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(buf, len, "%.0f", unixtime);
}
