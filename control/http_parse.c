/*
 * The metrics endpoint's request parser. Whoever reaches the port may send anything, so it is
 * strict and bounded: a request line "GET /metrics HTTP/1.1" (a query string is allowed and
 * ignored), header lines "name: value" of token names and visible values, an empty line, all
 * within HTTP_REQ_MAX bytes. A request line that is wrong is refused as soon as it is
 * complete, without waiting for the headers. No body: GET has none, and a Content-Length or
 * Transfer-Encoding that says otherwise is refused rather than skipped.
 */
#include <string.h>
#include <strings.h>

#include "control/http.h"

#define METHOD_MAX 16
#define TARGET_MAX 2048

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The request line l[0..n), CR and LF removed. */
static int request_line(const char *l, size_t n)
{
	size_t m = 0, t0, t;

	while (m < n && m <= METHOD_MAX && l[m] >= 'A' && l[m] <= 'Z')
		m++;
	if (m == 0 || m > METHOD_MAX || m == n || l[m] != ' ')
		return HTTP_BAD;
	t0 = t = m + 1;
	while (t < n && (unsigned char)l[t] > 0x20 && (unsigned char)l[t] < 0x7f)
		t++;
	if (t == t0 || t - t0 > TARGET_MAX || t == n || l[t] != ' ')
		return HTTP_BAD;
	const char *v = l + t + 1;
	size_t vn = n - t - 1;
	/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3) */
	if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
	    v[7] < '0' || v[7] > '9')
		return HTTP_BAD;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return HTTP_BAD_VERSION;
	if (m != 3 || memcmp(l, "GET", 3) != 0)
		return HTTP_BAD_METHOD;
	size_t tn = t - t0;
	if (tn < 8 || memcmp(l + t0, "/metrics", 8) != 0 || (tn > 8 && l[t0 + 8] != '?'))
		return HTTP_NOT_FOUND;
	return HTTP_GET_METRICS;
}

/* A header line; HTTP_GET_METRICS when acceptable. */
static int header_line(const char *l, size_t n)
{
	size_t k = 0;

	while (k < n && is_tchar((unsigned char)l[k]))
		k++;
	if (k == 0 || k == n || l[k] != ':')
		return HTTP_BAD;        /* no name, a space before the colon, or obs-fold */
	for (size_t i = k + 1; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (c != '\t' && (c < 0x20 || c == 0x7f))
			return HTTP_BAD;
	}
	const char *v = l + k + 1;
	size_t vn = n - k - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	if (k == 17 && strncasecmp(l, "transfer-encoding", 17) == 0)
		return HTTP_BAD;
	if (k == 14 && strncasecmp(l, "content-length", 14) == 0 && !(vn >= 1 && v[0] == '0' &&
	    (vn == 1 || v[1] == ' ' || v[1] == '\t')))
		return HTTP_BAD;
	return HTTP_GET_METRICS;
}

int http_parse(const char *buf, size_t len)
{
	size_t lim = len < HTTP_REQ_MAX ? len : HTTP_REQ_MAX, pos = 0;
	int verdict = HTTP_MORE, first = 1;

	while (pos < lim) {
		const char *l = buf + pos;
		const char *nl = memchr(l, '\n', lim - pos);
		if (nl == NULL)
			break;
		size_t n = (size_t)(nl - l);
		pos += n + 1;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (first) {
			if (n == 0)
				return HTTP_BAD;    /* RFC 9112 lets a server skip it; nobody sends it */
			verdict = request_line(l, n);
			if (verdict != HTTP_GET_METRICS)
				return verdict;
			first = 0;
			continue;
		}
		if (n == 0)
			return verdict;
		int h = header_line(l, n);
		if (h != HTTP_GET_METRICS)
			return h;
	}
	/* the line still arriving: a NUL is refused now (complete lines refuse it anyway) */
	if (memchr(buf + pos, '\0', lim - pos) != NULL)
		return HTTP_BAD;
	return len >= HTTP_REQ_MAX ? HTTP_TOO_LARGE : HTTP_MORE;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}
