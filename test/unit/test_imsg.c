/* imsg framing: round trips, fd passing, malformed streams, peer close, blocking helpers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "common/imsg.h"

#define N_MSG     400
#define BIG_SIZE  (500 * 1024)

struct side {
	struct imsgbuf ib;
	int            received;
	int            expected;
	int            errors;
	int            closed;
	const char    *why;
	size_t        *sizes;
	/* fd test */
	int            fds_seen;
	char           fd_bytes[64];
};

static uv_timer_t watchdog;

static void watchdog_cb(uv_timer_t *t)
{
	cr_assert_fail("test timed out");
}

static void loop_setup(uv_loop_t *loop)
{
	cr_assert_eq(uv_loop_init(loop), 0);
	uv_timer_init(loop, &watchdog);
	uv_timer_start(&watchdog, watchdog_cb, 20000, 0);
	uv_unref((uv_handle_t *)&watchdog);
	signal(SIGPIPE, SIG_IGN);
}

static void close_walk(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void loop_teardown(uv_loop_t *loop)
{
	uv_walk(loop, close_walk, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(loop), 0);
}

static void fill(uint8_t *p, size_t len, int seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i * 7);
}

static void on_error_count(struct imsgbuf *ib, const char *why, void *arg)
{
	struct side *s = arg;
	s->errors++;
	s->why = why;
}

static void check_dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct side *s = arg;
	int seq = s->received;

	cr_assert_lt(seq, s->expected);
	cr_assert_eq(m->hdr.type, (uint32_t)(seq % 50 + 1));
	cr_assert_eq(m->hdr.peerid, (uint32_t)seq);
	cr_assert_eq(m->hdr.pid, (uint32_t)getpid());
	cr_assert_eq(m->fd, -1);
	cr_assert_eq(m->datalen, s->sizes[seq], "msg %d: %zu bytes, expected %zu", seq,
	             m->datalen, s->sizes[seq]);
	cr_assert_eq(m->hdr.len, IMSG_HDR_SIZE + m->datalen);
	if (m->datalen > 0) {
		uint8_t *want = malloc(m->datalen);
		fill(want, m->datalen, seq);
		cr_assert(memcmp(want, m->data, m->datalen) == 0, "msg %d: payload differs", seq);
		/* payloads are cast to structs by receivers */
		cr_assert_eq((uintptr_t)m->data % 8, 0);
		free(want);
	}
	s->received++;
}

static void socketpair_ok(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static int run_until(uv_loop_t *loop, int *done_a, int want_a, int *done_b, int want_b)
{
	for (int i = 0; i < 100000; i++) {
		if (*done_a >= want_a && *done_b >= want_b)
			return 0;
		uv_run(loop, UV_RUN_ONCE);
	}
	return -1;
}

Test(imsg, round_trip_random_sizes_both_ways)
{
	uv_loop_t loop;
	int sv[2];
	static struct side a, b;
	size_t *sizes = calloc(N_MSG, sizeof(size_t));
	unsigned seed = 12345;

	for (int i = 0; i < N_MSG; i++) {
		sizes[i] = (size_t)(rand_r(&seed) % 9000);
		if (i % 97 == 13)
			sizes[i] = BIG_SIZE;
		if (i % 50 == 7)
			sizes[i] = 0;
	}
	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sizes = b.sizes = sizes;
	a.expected = b.expected = N_MSG;
	cr_assert_eq(imsgbuf_init(&a.ib, &loop, sv[0], "a", check_dispatch, on_error_count, &a), 0);
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", check_dispatch, on_error_count, &b), 0);

	uint8_t *buf = malloc(BIG_SIZE);
	for (int i = 0; i < N_MSG; i++) {
		fill(buf, sizes[i], i);
		/* split payloads through compose2 too */
		if (i % 3 == 0 && sizes[i] > 10)
			cr_assert_eq(imsg_compose2(&a.ib, (uint32_t)(i % 50 + 1), (uint32_t)i, -1,
			                           buf, 10, buf + 10, sizes[i] - 10), 0);
		else
			cr_assert_eq(imsg_compose(&a.ib, (uint32_t)(i % 50 + 1), (uint32_t)i, -1,
			                          buf, sizes[i]), 0);
		cr_assert_eq(imsg_compose(&b.ib, (uint32_t)(i % 50 + 1), (uint32_t)i, -1, buf,
		                          sizes[i]), 0);
	}
	free(buf);
	cr_assert_eq(run_until(&loop, &a.received, N_MSG, &b.received, N_MSG), 0);
	cr_assert_eq(a.errors + b.errors, 0);
	cr_assert_eq(a.ib.wq_bytes, 0);
	cr_assert_eq(b.ib.wq_bytes, 0);
	imsgbuf_close(&a.ib);
	imsgbuf_close(&b.ib);
	loop_teardown(&loop);
	free(sizes);
}

Test(imsg, oversized_compose_is_refused)
{
	uv_loop_t loop;
	int sv[2], p[2];
	struct side a;
	void *big = calloc(1, IMSG_MAX_SIZE);

	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&a, 0, sizeof(a));
	cr_assert_eq(imsgbuf_init(&a.ib, &loop, sv[0], "a", check_dispatch, on_error_count, &a), 0);
	cr_assert_eq(pipe(p), 0);
	errno = 0;
	cr_assert_eq(imsg_compose(&a.ib, 1, 0, p[0], big, IMSG_MAX_SIZE - IMSG_HDR_SIZE + 1), -1);
	cr_assert_eq(errno, EMSGSIZE);
	/* ownership of the fd passed even on failure */
	cr_assert_eq(fcntl(p[0], F_GETFD), -1);
	cr_assert_eq(imsg_compose(&a.ib, 1, 0, -1, big, IMSG_MAX_SIZE - IMSG_HDR_SIZE), 0);
	imsgbuf_close(&a.ib);
	close(sv[1]);
	close(p[1]);
	loop_teardown(&loop);
	free(big);
}

static void fd_dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct side *s = arg;
	char c;

	cr_assert_eq(m->hdr.type, 7);
	cr_assert_eq(m->datalen, sizeof(int));
	int idx;
	memcpy(&idx, m->data, sizeof(idx));
	cr_assert_eq(idx, s->fds_seen);
	cr_assert_geq(m->fd, 0);
	cr_assert_eq(read(m->fd, &c, 1), 1);
	s->fd_bytes[idx] = c;
	close(m->fd);
	s->fds_seen++;
	s->received++;
}

Test(imsg, passes_fds_in_order)
{
	enum { NFD = 40 };
	uv_loop_t loop;
	int sv[2];
	static struct side a, b;

	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cr_assert_eq(imsgbuf_init(&a.ib, &loop, sv[0], "a", fd_dispatch, on_error_count, &a), 0);
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", fd_dispatch, on_error_count, &b), 0);
	for (int i = 0; i < NFD; i++) {
		int p[2];
		char c = (char)('A' + i);
		cr_assert_eq(pipe(p), 0);
		cr_assert_eq(write(p[1], &c, 1), 1);
		close(p[1]);
		cr_assert_eq(imsg_compose(&a.ib, 7, 0, p[0], &i, sizeof(i)), 0);
	}
	cr_assert_eq(run_until(&loop, &b.received, NFD, &a.received, 0), 0);
	for (int i = 0; i < NFD; i++)
		cr_assert_eq(b.fd_bytes[i], 'A' + i);
	cr_assert_eq(a.ib.wq_bytes, 0);
	cr_assert_eq(b.errors, 0);
	imsgbuf_close(&a.ib);
	imsgbuf_close(&b.ib);
	loop_teardown(&loop);
}

Test(imsg, sent_fd_is_closed_by_sender_and_usable_by_receiver)
{
	uv_loop_t loop;
	int sv[2], p[2];
	static struct side a, b;
	char buf[8] = { 0 };

	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(imsgbuf_init(&a.ib, &loop, sv[0], "a", fd_dispatch, on_error_count, &a), 0);
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", fd_dispatch, on_error_count, &b), 0);
	/* pass the write end; the receiver reads one byte through its own copy first */
	int idx = 0;
	cr_assert_eq(write(p[1], "h", 1), 1);
	int rfd = dup(p[0]);
	close(p[0]);
	cr_assert_eq(imsg_compose(&a.ib, 7, 0, rfd, &idx, sizeof(idx)), 0);
	cr_assert_eq(run_until(&loop, &b.received, 1, &a.received, 0), 0);
	cr_assert_eq(b.fd_bytes[0], 'h');
	cr_assert_eq(fcntl(rfd, F_GETFD), -1, "sender still holds the passed fd");
	/* the reader end is closed everywhere now: writing must fail with EPIPE */
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(write(p[1], buf, 1), -1);
	cr_assert_eq(errno, EPIPE);
	close(p[1]);
	imsgbuf_close(&a.ib);
	imsgbuf_close(&b.ib);
	loop_teardown(&loop);
}

static void never_dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	cr_assert_fail("dispatched a message from a broken stream (type %u)", m->hdr.type);
}

static void expect_error_on_raw(const void *raw, size_t len, int close_after)
{
	uv_loop_t loop;
	int sv[2];
	struct side b;
	int zero = 0;

	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&b, 0, sizeof(b));
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", never_dispatch, on_error_count, &b), 0);
	if (len > 0)
		cr_assert_eq(write(sv[0], raw, len), (ssize_t)len);
	if (close_after)
		close(sv[0]);
	cr_assert_eq(run_until(&loop, &b.errors, 1, &zero, 0), 0);
	/* once only, and the buffer is stopped: the loop has nothing left to do */
	for (int i = 0; i < 5; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(b.errors, 1);
	cr_assert(b.ib.dead);
	imsgbuf_close(&b.ib);
	if (!close_after)
		close(sv[0]);
	loop_teardown(&loop);
}

Test(imsg, short_header_length_is_an_error)
{
	struct imsg_hdr h = { .type = 1, .len = 5 };
	expect_error_on_raw(&h, sizeof(h), 0);
}

Test(imsg, oversized_header_length_is_an_error)
{
	struct imsg_hdr h = { .type = 1, .len = IMSG_MAX_SIZE + 1 };
	expect_error_on_raw(&h, sizeof(h), 0);
}

Test(imsg, announced_fd_missing_is_an_error)
{
	struct imsg_hdr h = { .type = 1, .len = IMSG_HDR_SIZE, .flags = IMSGF_HASFD };
	expect_error_on_raw(&h, sizeof(h), 0);
}

Test(imsg, peer_close_is_an_error)
{
	expect_error_on_raw(NULL, 0, 1);
}

Test(imsg, truncated_message_then_close_is_an_error)
{
	uint8_t raw[IMSG_HDR_SIZE + 4];
	struct imsg_hdr h = { .type = 1, .len = IMSG_HDR_SIZE + 100 };
	memcpy(raw, &h, sizeof(h));
	memset(raw + sizeof(h), 0xaa, 4);
	expect_error_on_raw(raw, sizeof(raw), 1);
}

static void count_dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct side *s = arg;
	cr_assert_eq(m->hdr.type, (uint32_t)(100 + s->received));
	s->received++;
}

Test(imsg, compose_after_peer_close)
{
	uv_loop_t loop;
	int sv[2], p[2];
	struct side a;
	int zero = 0;

	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&a, 0, sizeof(a));
	cr_assert_eq(imsgbuf_init(&a.ib, &loop, sv[0], "a", count_dispatch, on_error_count, &a), 0);
	close(sv[1]);
	/* queued without error; the failure is reported through the callback, once */
	cr_assert_eq(imsg_compose(&a.ib, 100, 0, -1, "x", 1), 0);
	cr_assert_eq(run_until(&loop, &a.errors, 1, &zero, 0), 0);
	cr_assert_eq(a.errors, 1);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(imsg_compose(&a.ib, 100, 0, p[0], "x", 1), -1);
	cr_assert_eq(fcntl(p[0], F_GETFD), -1);
	close(p[1]);
	imsgbuf_close(&a.ib);
	imsgbuf_close(&a.ib);           /* idempotent */
	loop_teardown(&loop);
}

Test(imsg, blocking_helpers_then_handover)
{
	uv_loop_t loop;
	int sv[2], p[2];
	struct imsg m;
	struct side b;
	int zero = 0;
	char c;
	uint32_t payload[3] = { 1, 2, 3 };

	loop_setup(&loop);
	socketpair_ok(sv);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(imsg_send_blocking(sv[0], 42, 9, p[0], payload, sizeof(payload)), 0);
	/* lent, not given: still ours */
	cr_assert_neq(fcntl(p[0], F_GETFD), -1);
	cr_assert_eq(imsg_send_blocking(sv[0], 43, 0, -1, NULL, 0), 0);
	/* a message for the imsgbuf that takes over after start-up */
	cr_assert_eq(imsg_send_blocking(sv[0], 100, 0, -1, "abc", 3), 0);
	cr_assert_eq(imsg_send_blocking(sv[0], 101, 0, -1, NULL, 0), 0);

	cr_assert_eq(imsg_recv_blocking(sv[1], &m), 0);
	cr_assert_eq(m.hdr.type, 42);
	cr_assert_eq(m.hdr.peerid, 9);
	cr_assert_eq(m.datalen, sizeof(payload));
	cr_assert(memcmp(m.data, payload, sizeof(payload)) == 0);
	cr_assert_geq(m.fd, 0);
	cr_assert_eq(write(p[1], "z", 1), 1);
	cr_assert_eq(read(m.fd, &c, 1), 1);
	cr_assert_eq(c, 'z');
	close(m.fd);
	free(m.data);

	cr_assert_eq(imsg_recv_blocking(sv[1], &m), 0);
	cr_assert_eq(m.hdr.type, 43);
	cr_assert_eq(m.datalen, 0);
	cr_assert_eq(m.fd, -1);
	free(m.data);

	memset(&b, 0, sizeof(b));
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", count_dispatch, on_error_count, &b), 0);
	cr_assert_eq(run_until(&loop, &b.received, 2, &zero, 0), 0);
	close(sv[0]);
	cr_assert_eq(run_until(&loop, &b.errors, 1, &zero, 0), 0);
	cr_assert_eq(b.received, 2);
	imsgbuf_close(&b.ib);
	close(p[0]);
	close(p[1]);
	loop_teardown(&loop);
}

Test(imsg, recv_blocking_rejects_garbage)
{
	int sv[2];
	struct imsg m;
	struct imsg_hdr h = { .type = 1, .len = 3 };

	socketpair_ok(sv);
	cr_assert_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	cr_assert_eq(imsg_recv_blocking(sv[1], &m), -1);
	close(sv[0]);
	cr_assert_eq(imsg_recv_blocking(sv[1], &m), -1);
	close(sv[1]);
}

static void close_in_dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct side *s = arg;
	s->received++;
	imsgbuf_close(ib);
}

Test(imsg, close_from_dispatch_stops_delivery)
{
	uv_loop_t loop;
	int sv[2];
	struct side b;
	int zero = 0;

	loop_setup(&loop);
	socketpair_ok(sv);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(imsg_send_blocking(sv[0], 100, 0, -1, "abc", 3), 0);
	memset(&b, 0, sizeof(b));
	cr_assert_eq(imsgbuf_init(&b.ib, &loop, sv[1], "b", close_in_dispatch, on_error_count, &b),
	             0);
	cr_assert_eq(run_until(&loop, &b.received, 1, &zero, 0), 0);
	for (int i = 0; i < 5; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(b.received, 1);
	cr_assert_eq(b.errors, 0);
	close(sv[0]);
	loop_teardown(&loop);
}

/* ---- the message catalogue (common/msgcat.c) as imsg enforces it: issue 10 ---- */

struct cat_side {
	struct imsgbuf ib;
	int handled, errors, violation;
	char why[160];
};

static void cat_handler(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	((struct cat_side *)arg)->handled++;
}

static void cat_error(struct imsgbuf *ib, const char *why, void *arg)
{
	struct cat_side *s = arg;
	s->errors++;
	s->violation = ib->violation;
	snprintf(s->why, sizeof(s->why), "%s", ib->why);
}

static const imsg_dispatch_fn parent_table[IMSG_TYPE_MAX] = {
	[IMSG_SESSION_UP] = cat_handler,
	[IMSG_COUNTERS] = cat_handler,
};
static const imsg_dispatch_fn tun_table[IMSG_TYPE_MAX] = {
	[IMSG_VA_CREATE] = cat_handler,
};

/* Send one raw message from a peer to a receiver on channel chan; what did it do? */
static void cat_one(const struct imsg_chan *chan, uint32_t type, size_t len, struct cat_side *r)
{
	uv_loop_t loop;
	int sv[2];
	struct imsgbuf tx;
	loop_setup(&loop);
	socketpair_ok(sv);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(imsgbuf_init_chan(&r->ib, &loop, sv[1], "peer", chan, cat_error, r), 0);
	cr_assert_eq(imsgbuf_init(&tx, &loop, sv[0], "rx", NULL, NULL, NULL), 0);
	void *buf = calloc(1, len + 1);
	cr_assert_eq(imsg_compose(&tx, type, 1, -1, buf, len), 0);
	free(buf);
	for (int i = 0; i < 1000 && !r->handled && !r->errors; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	imsgbuf_close(&tx);
	imsgbuf_close(&r->ib);
	loop_teardown(&loop);
}

Test(imsg, catalogue_checks_sender_receiver_size_and_handler)
{
	static const struct imsg_chan from_ike = { 0 /* parent */, 1 /* ikemgr */, parent_table };
	static const struct imsg_chan from_tun = { 0, 3 /* tunmgr */, parent_table };
	static const struct imsg_chan tun_from_ike = { 3, 1, tun_table };
	static const struct imsg_chan tun_from_key = { 3, 2 /* keymgr */, tun_table };
	struct cat_side r;

	cat_one(&from_ike, IMSG_SESSION_UP, sizeof(struct msg_session_up), &r);
	cr_expect_eq(r.handled, 1, "a good SESSION_UP from ikemgr: %s", r.why);

	/* a forged SESSION_UP from tunmgr would become an Accounting-Start */
	cat_one(&from_tun, IMSG_SESSION_UP, sizeof(struct msg_session_up), &r);
	cr_expect_eq(r.handled, 0);
	cr_expect(r.violation && strstr(r.why, "may not come from tunmgr"), "%s", r.why);

	cat_one(&from_ike, IMSG_COUNTERS, sizeof(struct msg_counters), &r);
	cr_expect(r.violation && !r.handled, "COUNTERS are tunmgr's: %s", r.why);

	cat_one(&tun_from_ike, IMSG_VA_CREATE, 3, &r);
	cr_expect(r.violation && strstr(r.why, "has 3 bytes"), "%s", r.why);

	cat_one(&tun_from_ike, 9999, 0, &r);
	cr_expect(r.violation && strstr(r.why, "unknown message type"), "%s", r.why);

	cat_one(&tun_from_key, IMSG_VA_CREATE, sizeof(struct msg_va_create), &r);
	cr_expect(r.violation && !r.handled, "VA_CREATE from keymgr: %s", r.why);

	cat_one(&tun_from_ike, IMSG_SA_DEL, sizeof(struct msg_sa_del), &r);
	cr_expect(r.violation && strstr(r.why, "not handled by tunmgr"), "%s", r.why);

	cat_one(&tun_from_ike, IMSG_VA_SET_ACL, sizeof(struct msg_va_set_acl), &r);
	cr_expect(r.violation, "the retired VA_SET_ACL: %s", r.why);
}

/* A peer that stops reading: IKE datagrams are dropped past IMSG_WQ_DROP, and past
 * IMSG_WQ_MAX a control message fails the channel (400,000 messages were queued before). */
Test(imsg, write_queue_is_capped)
{
	static const imsg_dispatch_fn none[IMSG_TYPE_MAX];
	static const struct imsg_chan tun_to_ike = { 3, 1, none };
	uv_loop_t loop;
	int sv[2];
	struct cat_side s;
	loop_setup(&loop);
	socketpair_ok(sv);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(imsgbuf_init_chan(&s.ib, &loop, sv[0], "ikemgr", &tun_to_ike, cat_error, &s),
	             0);
	static uint8_t pkt[sizeof(struct msg_ike_pkt) + 60000];
	int sent = 0, dropped = 0;
	for (int i = 0; i < 200; i++) {
		if (imsg_compose(&s.ib, IMSG_IKE_PACKET, 0, -1, pkt, sizeof(pkt)) == 0)
			sent++;
		else {
			dropped++;
			cr_expect_eq(errno, ENOBUFS);
		}
	}
	cr_expect_gt(dropped, 100, "sent %d, dropped %d", sent, dropped);
	cr_expect_eq(s.ib.dropped, (unsigned long long)dropped);
	cr_expect_eq(s.errors, 0, "dropping datagrams is not an error");
	cr_expect_leq(s.ib.wq_bytes, IMSG_WQ_DROP);

	static uint8_t big[512 * 1024];
	int n = 0;
	while (!s.errors && n < 1000)
		if (imsg_compose(&s.ib, IMSG_CLEAR, 0, -1, big, sizeof(big)) == 0)
			n++;
	cr_expect_eq(s.errors, 1, "the channel did not fail at the cap");
	cr_expect_leq(s.ib.wq_bytes, IMSG_WQ_MAX);
	cr_expect_lt(n, 200);
	close(sv[1]);
	imsgbuf_close(&s.ib);
	loop_teardown(&loop);
}
