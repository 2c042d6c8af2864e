/*
 * The metrics endpoint's server, in the control process: it accepts on the TCP socket the
 * parent bound for `ip http server`, reads one request (control/http_parse.c), answers it and
 * closes. Every connection is bounded: HTTP_REQ_MAX bytes in, HTTP_TIMEOUT_MS from accept to
 * close whatever the peer does (a slow sender or a reader that never reads is cut off), and
 * HTTP_MAX_CONNS at once (more get 503). With ip http access-class, a source it denies is
 * closed without an answer, as IOS does. Nothing here needs a privilege or a file.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "control/http.h"

struct hconn {
	struct hconn *next;
	uv_tcp_t      tcp;
	uv_timer_t    timer;
	uv_write_t    wreq;
	int           closing;          /* handles still to close */
	int           answered;
	char          in[HTTP_REQ_MAX];
	size_t        len;
	char          head[256];
	struct mbuf   body;
};

static struct {
	uv_loop_t    *loop;
	uv_tcp_t      server;
	int           listening;
	unsigned      timeout_ms;
	const struct vpnd_conf *conf;
	http_body_fn  body;
	void         *arg;
	struct hconn *conns;
	int           nconns;
} H;

static void conn_freed(uv_handle_t *h)
{
	struct hconn *c = h->data;
	if (--c->closing > 0)
		return;
	mbuf_free(&c->body);
	free(c);
}

static void conn_close(struct hconn *c)
{
	if (c->closing)
		return;
	for (struct hconn **pp = &H.conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	H.nconns--;
	c->closing = 2;
	uv_close((uv_handle_t *)&c->tcp, conn_freed);
	uv_close((uv_handle_t *)&c->timer, conn_freed);
}

static void written(uv_write_t *w, int status)
{
	(void)status;
	conn_close(w->data);
}

static void answer(struct hconn *c, int status)
{
	static const char ctype[] = "text/plain; version=0.0.4; charset=utf-8";
	uv_buf_t b[2];
	int n;

	c->answered = 1;
	uv_read_stop((uv_stream_t *)&c->tcp);
	if (status == HTTP_GET_METRICS && H.body(&c->body, H.arg) < 0)
		status = 500;
	if (status != HTTP_GET_METRICS) {
		mbuf_free(&c->body);
		mbuf_printf(&c->body, "%d %s\n", status, http_reason(status));
	}
	if (c->body.failed) {
		conn_close(c);
		return;
	}
	n = snprintf(c->head, sizeof(c->head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	             "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", status,
	             http_reason(status), status == 200 ? ctype : "text/plain; charset=utf-8",
	             c->body.len, status == HTTP_BAD_METHOD ? "Allow: GET\r\n" : "");
	b[0] = uv_buf_init(c->head, (unsigned)n);
	b[1] = uv_buf_init(c->body.b, (unsigned)c->body.len);
	c->wreq.data = c;
	if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, b, 2, written) != 0)
		conn_close(c);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct hconn *c = h->data;
	(void)hint;
	*buf = uv_buf_init(c->in + c->len, (unsigned)(sizeof(c->in) - c->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct hconn *c = s->data;
	int v;

	(void)buf;
	if (c->answered || n == 0)
		return;
	if (n < 0) {            /* gone, or closed its side before a whole request */
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	v = http_parse(c->in, c->len);
	if (v != HTTP_MORE)
		answer(c, v);
}

static void on_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

int http_acl_permits(const struct conf_acl *acl, struct in_addr src, struct in_addr dst,
                     uint16_t dport)
{
	for (int i = 0; i < acl->nace && i < CONF_MAX_ACES; i++) {
		const struct conf_ace *a = &acl->ace[i];
		if ((src.s_addr & a->srcmask.s_addr) != a->src.s_addr)
			continue;
		if (acl->extended && ((a->proto != 0 && a->proto != 6) ||
		    (dst.s_addr & a->dstmask.s_addr) != a->dst.s_addr ||
		    (a->dport_hi && (dport < a->dport_lo || dport > a->dport_hi))))
			continue;
		return a->permit;
	}
	return 0;
}

/* ip http access-class: 1 when the connection may be served */
static int allowed(struct hconn *c)
{
	struct sockaddr_in peer, me;
	int plen = sizeof(peer), mlen = sizeof(me);
	const struct conf_acl *acl;

	if (!H.conf || !H.conf->http_acl[0])
		return 1;
	acl = conf_find_acl(H.conf, H.conf->http_acl);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &plen) != 0 ||
	    uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&me, &mlen) != 0 ||
	    peer.sin_family != AF_INET || !acl ||
	    !http_acl_permits(acl, peer.sin_addr, me.sin_addr, ntohs(me.sin_port))) {
		char a[INET_ADDRSTRLEN] = "?";
		if (peer.sin_family == AF_INET)
			inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a));
		log_rl("metrics endpoint: connection from %s denied by ip http access-class %s", a,
		       H.conf->http_acl);
		return 0;
	}
	return 1;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct hconn *c;

	if (status < 0) {
		log_rl("metrics endpoint: %s", uv_strerror(status));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_rl("metrics endpoint: out of memory");
		return;
	}
	uv_tcp_init(H.loop, &c->tcp);
	uv_timer_init(H.loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->next = H.conns;
	H.conns = c;
	H.nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	if (!allowed(c)) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, on_timeout, H.timeout_ms, 0);
	if (H.nconns > HTTP_MAX_CONNS) {
		answer(c, 503);
		return;
	}
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c);
}

int http_serve(uv_loop_t *loop, int fd, unsigned timeout_ms, const struct vpnd_conf *conf,
               http_body_fn body, void *arg)
{
	int r;

	memset(&H, 0, sizeof(H));
	H.loop = loop;
	H.timeout_ms = timeout_ms ? timeout_ms : HTTP_TIMEOUT_MS;
	H.conf = conf;
	H.body = body;
	H.arg = arg;
	uv_tcp_init(loop, &H.server);
	r = uv_tcp_open(&H.server, fd);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&H.server, 16, on_connection);
	if (r != 0) {
		log_warnx("metrics endpoint: %s", uv_strerror(r));
		uv_close((uv_handle_t *)&H.server, NULL);
		return -1;
	}
	H.listening = 1;
	return 0;
}

void http_shutdown(void)
{
	struct hconn *c, *next;

	if (H.listening)
		uv_close((uv_handle_t *)&H.server, NULL);
	H.listening = 0;
	for (c = H.conns; c; c = next) {
		next = c->next;
		conn_close(c);
	}
}
