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

/* Whether a TCP connection from src to dst:dport passes acl, as IOS's ip http access-class
 * judges it: the first entry that matches decides, none: denied. A standard list looks at the
 * source; an extended one also at the protocol (ip or tcp), destination and port. */
int  http_acl_permits(const struct conf_acl *acl, struct in_addr src, struct in_addr dst,
                      uint16_t dport);

/* Serves the listening TCP socket fd on loop; timeout_ms 0 = HTTP_TIMEOUT_MS. conf (may be
 * NULL) is read at each connection for ip http access-class: a reload applies at once. */
int  http_serve(uv_loop_t *loop, int fd, unsigned timeout_ms, const struct vpnd_conf *conf,
                http_body_fn body, void *arg);
/* Closes the listening socket and every connection. */
void http_shutdown(void);

#endif
