/*
 * The metrics endpoint's HTTP without a running vpnd: the request parser on good, partial,
 * oversize and bad requests (control/http_parse.c); ip http access-class's matching; the
 * server on a loopback socket: it answers GET /metrics, cuts off a request that never ends
 * after its timeout, and answers 503 past HTTP_MAX_CONNS connections (control/http.c).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control/http.h"

/* ---- the request parser ---- */

static int parse(const char *s)
{
	return http_parse(s, strlen(s));
}

Test(http_parse, good_requests)
{
	cr_assert_eq(parse("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9642\r\n"
	                   "User-Agent: Prometheus/2.42.0\r\nAccept: text/plain;version=0.0.4;q=1\r\n"
	                   "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"),
	             HTTP_GET_METRICS);
	cr_assert_eq(parse("GET /metrics HTTP/1.0\r\n\r\n"), HTTP_GET_METRICS);
	cr_assert_eq(parse("GET /metrics HTTP/1.1\n\n"), HTTP_GET_METRICS);
	cr_assert_eq(parse("GET /metrics?name[]=x HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
	             HTTP_GET_METRICS);
	cr_assert_eq(parse("GET /metrics HTTP/1.1\r\nX-Empty:\r\nX-Tab:\ta\tb\r\n\r\n"),
	             HTTP_GET_METRICS);
}

Test(http_parse, partial_waits)
{
	cr_assert_eq(parse(""), HTTP_MORE);
	cr_assert_eq(parse("GET /metr"), HTTP_MORE);
	cr_assert_eq(parse("GET /metrics HTTP/1.1\r\n"), HTTP_MORE);
	cr_assert_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"), HTTP_MORE);
	cr_assert_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r"), HTTP_MORE);
}

Test(http_parse, oversize)
{
	static char big[HTTP_REQ_MAX + 100];
	int n = snprintf(big, sizeof(big), "GET /metrics HTTP/1.1\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n);
	cr_assert_eq(http_parse(big, HTTP_REQ_MAX - 1), HTTP_MORE);
	cr_assert_eq(http_parse(big, HTTP_REQ_MAX), HTTP_TOO_LARGE);
	cr_assert_eq(http_parse(big, sizeof(big)), HTTP_TOO_LARGE);
	/* the end of the headers past the limit does not count */
	memcpy(big + HTTP_REQ_MAX + 10, "\r\n\r\n", 4);
	cr_assert_eq(http_parse(big, HTTP_REQ_MAX + 14), HTTP_TOO_LARGE);
	/* a target longer than the parser takes */
	char line[3000];
	n = snprintf(line, sizeof(line), "GET /metrics?");
	memset(line + n, 'q', 2500);
	snprintf(line + n + 2500, sizeof(line) - (size_t)n - 2500, " HTTP/1.1\r\n\r\n");
	cr_assert_eq(parse(line), HTTP_BAD);
}

Test(http_parse, method_path_version)
{
	cr_assert_eq(parse("POST /metrics HTTP/1.1\r\n\r\n"), HTTP_BAD_METHOD);
	cr_assert_eq(parse("HEAD /metrics HTTP/1.1\r\n\r\n"), HTTP_BAD_METHOD);
	cr_assert_eq(parse("GET / HTTP/1.1\r\n\r\n"), HTTP_NOT_FOUND);
	cr_assert_eq(parse("GET /metricsx HTTP/1.1\r\n\r\n"), HTTP_NOT_FOUND);
	cr_assert_eq(parse("GET /Metrics HTTP/1.1\r\n\r\n"), HTTP_NOT_FOUND);
	cr_assert_eq(parse("GET http://h/metrics HTTP/1.1\r\n\r\n"), HTTP_NOT_FOUND);
	cr_assert_eq(parse("GET /metrics HTTP/2.0\r\n\r\n"), HTTP_BAD_VERSION);
	cr_assert_eq(parse("GET /metrics HTTP/0.9\r\n\r\n"), HTTP_BAD_VERSION);
	cr_assert_eq(parse("GET /metrics HTTP/1.10\r\n\r\n"), HTTP_BAD);
	/* refused as soon as the request line is there: no waiting for headers */
	cr_assert_eq(parse("DELETE /metrics HTTP/1.1\r\n"), HTTP_BAD_METHOD);
	cr_assert_eq(parse("GET /x HTTP/1.1\r\nHost"), HTTP_NOT_FOUND);
}

Test(http_parse, malformed)
{
	const char *bad[] = {
		"\r\n\r\n",
		"get /metrics HTTP/1.1\r\n\r\n",
		"GET  /metrics HTTP/1.1\r\n\r\n",
		"GET /metrics  HTTP/1.1\r\n\r\n",
		"GET /metrics\r\n\r\n",
		"GET /metrics HTTP/1.1 \r\n\r\n",
		"GET /metrics ftp/1.1\r\n\r\n",
		"GET /met\x01rics HTTP/1.1\r\n\r\n",
		"GETGETGETGETGETGETGET /metrics HTTP/1.1\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nSpace : x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\n: novalue\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nX: a\x7f\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nX: a\rb\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
		"GET /metrics HTTP/1.1\r\nContent-Length: 01\r\n\r\n",
		"GET /metrics HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(bad[i]), HTTP_BAD, "accepted or waited on: %s", bad[i]);
	/* a NUL anywhere */
	const char nul[] = "GET /metrics HTTP/1.1\r\nX: a\0b\r\n\r\n";
	cr_assert_eq(http_parse(nul, sizeof(nul) - 1), HTTP_BAD);
	cr_assert_eq(http_parse("GET \0", 5), HTTP_BAD);
}

/* ---- ip http access-class ---- */

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

Test(http_acl, first_match_and_implicit_deny)
{
	static struct vpnd_conf c;
	const char text[] =
		"ip access-list standard std\n"
		" deny host 10.2.1.66\n"
		" permit 10.2.1.0 0.0.0.255\n"
		"ip access-list extended ext\n"
		" deny tcp any any eq 9643\n"
		" permit tcp 10.2.1.0 0.0.0.255 host 10.2.1.1 eq 9642\n"
		" permit udp any any\n";
	cr_assert_eq(conf_load_buf("t.conf", text, sizeof(text) - 1, &c, NULL, NULL), 0);
	const struct conf_acl *s = conf_find_acl(&c, "std"), *e = conf_find_acl(&c, "ext");
	cr_assert(s && e);
	struct in_addr me = ip("10.2.1.1");
	cr_expect(http_acl_permits(s, ip("10.2.1.10"), me, 9642));
	cr_expect(!http_acl_permits(s, ip("10.2.1.66"), me, 9642), "deny before permit");
	cr_expect(!http_acl_permits(s, ip("10.2.2.10"), me, 9642), "implicit deny");
	cr_expect(http_acl_permits(e, ip("10.2.1.10"), me, 9642));
	cr_expect(!http_acl_permits(e, ip("10.2.1.10"), me, 9643), "port denied first");
	cr_expect(!http_acl_permits(e, ip("10.2.1.10"), ip("10.2.1.2"), 9642), "other destination");
	cr_expect(!http_acl_permits(e, ip("172.18.143.2"), me, 9642), "other source");
}

/* ---- the server, on a loopback socket ---- */

static atomic_int client_done;

static int body(struct mbuf *out, void *arg)
{
	(void)arg;
	mbuf_printf(out, "vpnd_test 1\n");
	return 0;
}

static int dial(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { 3, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Everything until the server closes (bounded by SO_RCVTIMEO); -1 on a receive timeout. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap - 1)
			break;
	}
	buf[n] = 0;
	return (ssize_t)n;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct client_result {
	char   ok[1024];
	double stalled_after;
	ssize_t stalled_got;
	char   busy[256];
	int    nbusy_ok;
};

static void *client(void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	static struct client_result r;
	int fd, held[HTTP_MAX_CONNS];
	const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

	fd = dial(port);
	if (fd >= 0 && send(fd, req, sizeof(req) - 1, 0) > 0)
		read_all(fd, r.ok, sizeof(r.ok));
	close(fd);

	/* a request that never ends: the server closes it at its timeout */
	fd = dial(port);
	if (fd >= 0 && send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 32, 0) > 0) {
		double t0 = now_s();
		char b[64];
		r.stalled_got = read_all(fd, b, sizeof(b));
		r.stalled_after = now_s() - t0;
	}
	close(fd);

	/* HTTP_MAX_CONNS idle connections held, then one more: 503 */
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		held[i] = dial(port);
	usleep(50000);
	fd = dial(port);
	if (fd >= 0)
		read_all(fd, r.busy, sizeof(r.busy));
	close(fd);
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		close(held[i]);
	atomic_store(&client_done, 1);
	return &r;
}

static void idle_tick(uv_timer_t *t)
{
	(void)t;
}

Test(http_server, answers_times_out_and_limits)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	uv_loop_t loop;
	uv_timer_t tick;
	pthread_t th;
	uint16_t port;
	struct client_result *r;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	          listen(fd, 16) == 0 && getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	port = ntohs(sin.sin_port);
	uv_loop_init(&loop);
	cr_assert_eq(http_serve(&loop, fd, 300, NULL, body, NULL), 0);
	uv_timer_init(&loop, &tick);
	uv_timer_start(&tick, idle_tick, 10, 10);
	pthread_create(&th, NULL, client, &port);
	double t0 = now_s();
	while (!atomic_load(&client_done) && now_s() - t0 < 20)
		uv_run(&loop, UV_RUN_ONCE);
	pthread_join(th, (void **)&r);
	http_shutdown();
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);

	cr_assert(atomic_load(&client_done), "the client did not finish within 20 s");
	cr_assert_not_null(strstr(r->ok, "HTTP/1.1 200 OK\r\n"), "got: %s", r->ok);
	cr_assert_not_null(strstr(r->ok, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	cr_assert_not_null(strstr(r->ok, "Content-Length: 12\r\nConnection: close\r\n\r\nvpnd_test 1\n"),
	                   "got: %s", r->ok);
	cr_assert_eq(r->stalled_got, 0, "the stalled request got %zd bytes or a receive timeout",
	             r->stalled_got);
	cr_assert(r->stalled_after >= 0.25 && r->stalled_after < 2.5,
	          "the stalled request was closed after %.2f s, timeout 0.3 s", r->stalled_after);
	cr_assert_not_null(strstr(r->busy, "HTTP/1.1 503 Service Unavailable\r\n"), "got: %s",
	                   r->busy);
}
