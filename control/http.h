/*
 * The metrics endpoint's HTTP: one strict request parser for untrusted bytes (http_parse.c,
 * fuzzed by test/fuzz/fuzz_http.c) and the server on the socket the parent bound (http.c).
 * Only GET /metrics, HTTP/1.0 or 1.1, a request of at most HTTP_REQ_MAX bytes that must be
 * complete within HTTP_TIMEOUT_MS, one request per connection, HTTP_MAX_CONNS at a time.
 */
#ifndef VPND_CONTROL_HTTP_H
#define VPND_CONTROL_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "control/metrics.h"

#define HTTP_REQ_MAX     4096
#define HTTP_TIMEOUT_MS  5000
#define HTTP_MAX_CONNS   8

enum http_verdict {
	HTTP_MORE = 0,          /* no end of headers yet: read on */
	HTTP_GET_METRICS = 200, /* the one request served */
	HTTP_BAD = 400,         /* malformed request line or header */
	HTTP_NOT_FOUND = 404,   /* another path */
	HTTP_BAD_METHOD = 405,  /* anything but GET */
	HTTP_TOO_LARGE = 431,   /* no end of headers within HTTP_REQ_MAX bytes */
	HTTP_BAD_VERSION = 505, /* not HTTP/1.0 or HTTP/1.1 */
};

/* The verdict on the bytes received so far, buf[0..len) (len may exceed HTTP_REQ_MAX). */
int http_parse(const char *buf, size_t len);
/* The status line's reason phrase for a verdict. */
const char *http_reason(int status);

/* Produces the body of GET /metrics; 0, or -1 (the answer is then 500). */
typedef int (*http_body_fn)(struct mbuf *out, void *arg);

/* Serves the listening TCP socket fd on loop; timeout_ms 0 = HTTP_TIMEOUT_MS. */
int  http_serve(uv_loop_t *loop, int fd, unsigned timeout_ms, http_body_fn body, void *arg);
/* Closes the listening socket and every connection. */
void http_shutdown(void);

#endif
