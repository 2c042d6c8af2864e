/*
 * vpnload: opens N Easy VPN sessions (IKEv1 aggressive mode + XAUTH + Mode Config + quick mode)
 * against a hub at a target rate, from many source addresses, checks each with an echo through
 * its ESP SA, optionally pumps ESP through K of them, holds them and tears them down with
 * DELETE. Prints the set-up rate achieved, p50/p99 set-up latency, failures by reason and its
 * own CPU. One process, one epoll loop; the protocol is ikemgr/ikev1_init*.c.
 *
 * Many sources from one socket: the source prefix is made local in the client's namespace
 * (ip route add local PREFIX dev lo), the socket on 0.0.0.0:500 receives for all of it and each
 * datagram names its source with IP_PKTINFO. Like strongSwan's load-tester, one DH key pair
 * serves every session: the hub still does two DH operations per set-up, we do one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "bench/vpnload.h"

struct vl_opts opt;
struct sess *sess;
int fd500 = -1, fd4500 = -1, fdesp = -1;
static struct ike_dh *dh;
static int nstarted, g_ep = -1;

#define NREASON 32
static struct { const char *why; uint16_t notify; int n; } reasons[NREASON];

double vl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(struct sess *s, const char *why, uint16_t notify)
{
	int i;
	s->st = S_FAILED;
	s->why = why;
	s->notify = notify;
	free(s->last);
	s->last = NULL;
	for (i = 0; i < NREASON && reasons[i].why; i++)
		if (!strcmp(reasons[i].why, why) && reasons[i].notify == notify)
			break;
	if (i == NREASON)
		i--;
	reasons[i].why = why;
	reasons[i].notify = notify;
	reasons[i].n++;
}

int vl_send(struct sess *s, const uint8_t *pkt, size_t len, int ike)
{
	static const uint8_t marker[4];
	int natt = s->src.sin_port == htons(4500);
	struct sockaddr_in to = opt.hub;
	struct iovec iov[2] = { { (void *)marker, 4 }, { (void *)pkt, len } };
	union { char buf[CMSG_SPACE(sizeof(struct in_pktinfo))]; struct cmsghdr align; } u;
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to),
	                     .msg_iov = natt && ike ? iov : iov + 1, .msg_iovlen = natt && ike ? 2 : 1,
	                     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo pi = { .ipi_spec_dst = s->src.sin_addr };
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	to.sin_port = natt ? htons(4500) : htons(500);
	return sendmsg(natt ? fd4500 : fd500, &mh, 0) < 0 ? -1 : 0;
}

/* Sends b as the session's current request, kept for retransmission. */
static void send_req(struct sess *s, struct isakmp_buf *b, double now)
{
	uint8_t *p = realloc(s->last, b->len);
	if (!p) {
		fail(s, "out of memory", 0);
		return;
	}
	memcpy(p, b->data, b->len);
	s->last = p;
	s->last_len = b->len;
	s->rto = 2.0;
	s->rtx_left = 3;
	s->next_rtx = now + s->rto;
	vl_send(s, p, b->len, 1);
}

static void start(int i, double now)
{
	struct sess *s = &sess[i];
	struct isakmp_buf b;
	struct ikei_p1_params p = {
		.encr = IKE_ENCR_AES, .keylen = 256, .hash = IKE_HASH_SHA1, .group = opt.dhgroup,
		.lifetime = 86400, .group_name = opt.group, .natt = opt.natt != 0,
		.fake_natd = opt.natt == 2, .cky_tag = htonl((uint32_t)i + 1),
	};
	s->src.sin_family = AF_INET;
	s->src.sin_port = htons(500);
	s->src.sin_addr.s_addr = htonl(opt.src_base + (uint32_t)i % opt.src_count);
	isakmp_buf_init(&b);
	if (ikei_aggr1(&s->sa, &p, dh, &b) < 0) {
		fail(s, "cannot build message 1", 0);
	} else {
		s->st = S_P1;
		s->t_start = now;
		s->deadline = now + opt.deadline;
		send_req(s, &b, now);
	}
	isakmp_buf_free(&b);
}

static void session_up(struct sess *s, double now)
{
	free(s->last);
	s->last = NULL;
	s->t_up = now;
	s->st = S_UP;
	if (esp_session_up(s) < 0)
		fail(s, "cannot make ESP SAs", 0);
}

static void input_info(struct sess *s, uint8_t *pkt, size_t len)
{
	struct isakmp_buf b;
	int answered, deleted;
	uint16_t notify;
	isakmp_buf_init(&b);
	if (ikei_info(&s->sa, pkt, len, &b, &answered, &notify, &deleted) == 0) {
		if (answered)
			vl_send(s, b.data, b.len, 1);
		if (deleted)
			s->st == S_UP ? (void)(s->st = S_GONE, s->why = "deleted by the hub")
			              : fail(s, "deleted by the hub", 0);
		else if (notify && notify < 16384 && s->st < S_UP)
			fail(s, "notify", notify);
	}
	isakmp_buf_free(&b);
}

static void ike_input(uint8_t *pkt, size_t len, double now)
{
	struct isakmp_buf b;
	uint32_t idx, msgid;
	uint8_t exch;
	uint16_t notify = 0;
	int rc, done;

	if (ikei_peek(pkt, len, &msgid, &exch) < 0)
		return;
	memcpy(&idx, pkt, 4);
	idx = ntohl(idx) - 1;
	if (idx >= (uint32_t)nstarted)
		return;
	struct sess *s = &sess[idx];
	if (s->st == S_IDLE || s->st == S_FAILED || s->st == S_GONE)
		return;
	if (exch == ISAKMP_EXCH_INFO && s->st != S_P1) {
		input_info(s, pkt, len);
		return;
	}
	isakmp_buf_init(&b);
	switch (s->st) {
	case S_P1: {
		struct sockaddr_in hub = opt.hub;
		hub.sin_port = htons(500);
		rc = ikei_aggr2(&s->sa, dh, (const uint8_t *)opt.key, strlen(opt.key), pkt, len,
		                &s->src, &hub, &notify);
		if (rc == IKEI_E_NOTIFY) {
			fail(s, "notify", notify);
			break;
		}
		if (rc == IKEI_E_MALFORMED || rc == IKEI_E_STATE)
			break;
		if (rc < 0) {
			fail(s, rc == IKEI_E_HASH ? "HASH_R mismatch (group key?)" : ikei_strerror(rc), 0);
			break;
		}
		if (ikei_aggr3(&s->sa, &s->src, &hub, &b) < 0) {
			fail(s, "cannot build message 3", 0);
			break;
		}
		/* RFC 3947 4: with a NAT in the way the initiator moves to 4500 for message 3 */
		if (s->sa.nat_detected)
			s->src.sin_port = htons(4500);
		s->st = S_XAUTH;
		s->x.msgid = 0;
		send_req(s, &b, now);
		break;
	}
	case S_XAUTH: {
		struct isakmp_msg m;
		if (exch != ISAKMP_EXCH_TRANSACTION)
			break;
		if (msgid != s->x.msgid)
			ikei_x_init(&s->sa, &s->x, msgid);
		if (ikei_open(&s->sa, &s->x, pkt, len, NULL, 0, &m) < 0)
			break;
		rc = ikei_xauth_answer(&s->sa, &s->x, &m, opt.user, opt.password, &b, &done);
		if (rc == IKEI_E_XAUTH) {
			vl_send(s, b.data, b.len, 1);
			fail(s, "XAUTH failed", 0);
			break;
		}
		if (rc < 0)
			break;
		if (!done) {
			send_req(s, &b, now);
			break;
		}
		vl_send(s, b.data, b.len, 1);
		isakmp_buf_free(&b);
		isakmp_buf_init(&b);
		ikei_x_init(&s->sa, &s->x, 0);
		if (ikei_cfg_request(&s->sa, &s->x, &b) < 0) {
			fail(s, "cannot build Mode Config request", 0);
			break;
		}
		s->st = S_CFG;
		send_req(s, &b, now);
		break;
	}
	case S_CFG: {
		struct isakmp_msg m;
		if (exch != ISAKMP_EXCH_TRANSACTION || msgid != s->x.msgid ||
		    ikei_open(&s->sa, &s->x, pkt, len, NULL, 0, &m) < 0)
			break;
		if (ikei_cfg_reply(&m, &s->addr) < 0) {
			fail(s, "Mode Config without an address", 0);
			break;
		}
		s->qm.encr = opt.p2_encr;
		s->qm.keylen = opt.p2_keylen;
		s->qm.auth = opt.p2_auth;
		s->qm.udp = s->sa.nat_detected;
		s->qm.life = 3600;
		s->qm.spi_in = htonl(0x10000000u + idx);
		if (ikei_qm1(&s->sa, &s->qm, s->addr, &b) < 0) {
			fail(s, "cannot build quick mode", 0);
			break;
		}
		s->st = S_QM;
		send_req(s, &b, now);
		break;
	}
	case S_QM:
		if (exch != ISAKMP_EXCH_QUICK || msgid != s->qm.x.msgid)
			break;
		rc = ikei_qm2(&s->sa, &s->qm, pkt, len);
		if (rc == IKEI_E_PROPOSAL) {
			fail(s, "quick mode proposal not ours", 0);
			break;
		}
		if (rc < 0 || ikei_qm3(&s->sa, &s->qm, &b) < 0)
			break;
		vl_send(s, b.data, b.len, 1);
		session_up(s, now);
		break;
	}
	isakmp_buf_free(&b);
}

static void read_socket(int fd, int udp4500, double now)
{
	enum { BATCH = 64, SZ = 4096 };
	static uint8_t buf[BATCH][SZ];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	for (int round = 0; round < 16; round++) {
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = SZ;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			uint8_t *p = buf[i];
			size_t len = mm[i].msg_len;
			if (fd == fdesp) {
				esp_input(p, len, 0);
			} else if (udp4500) {
				static const uint8_t zero[4];
				if (len >= 4 && !memcmp(p, zero, 4))
					ike_input(p + 4, len - 4, now);
				else if (len > 1)
					esp_input(p, len, 1);      /* a 1-byte keepalive is not ESP */
			} else {
				ike_input(p, len, now);
			}
		}
		if (n < BATCH)
			return;
	}
}

static void poll_once(int ep, int ms)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, ms);
	double now = vl_now();
	for (int i = 0; i < n; i++)
		read_socket(ev[i].data.fd, ev[i].data.fd == fd4500, now);
}

void vl_poll(int ms)
{
	poll_once(g_ep, ms);
}

static void timers(double now)
{
	static const char *const tmo[] = { [S_P1] = "timeout in phase 1", [S_XAUTH] = "timeout in XAUTH",
	                                   [S_CFG] = "timeout in Mode Config", [S_QM] = "timeout in quick mode" };
	for (int i = 0; i < nstarted; i++) {
		struct sess *s = &sess[i];
		if (s->st >= S_P1 && s->st <= S_QM) {
			if (now >= s->deadline) {
				fail(s, tmo[s->st], 0);
			} else if (now >= s->next_rtx && s->rtx_left > 0 && s->last) {
				s->rtx_left--;
				s->rto *= 2;
				s->next_rtx = now + s->rto;
				vl_send(s, s->last, s->last_len, 1);
			}
		} else if (s->st == S_UP) {
			esp_echo_tick(s, now);
		}
	}
}

static int open_udp(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1, big = 8 << 20;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "vpnload: UDP port %u: %s\n", port, strerror(errno));
		exit(1);
	}
	/* a burst of set-ups must not overflow the default buffers */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Runs the loop until every session is settled (up with its echo done, or failed). */
static void setup_phase(int ep)
{
	double t0 = vl_now(), last_scan = 0;
	for (;;) {
		double now = vl_now();
		int want = (int)((now - t0) * opt.rate) + 1;
		if (want > opt.n)
			want = opt.n;
		while (nstarted < want) {
			start(nstarted, now);
			nstarted++;
		}
		poll_once(ep, 1);
		now = vl_now();
		if (now - last_scan >= 0.02) {
			last_scan = now;
			timers(now);
			int busy = nstarted < opt.n;
			for (int i = 0; i < nstarted && !busy; i++)
				busy = (sess[i].st >= S_P1 && sess[i].st <= S_QM) ||
				       (sess[i].st == S_UP && !sess[i].echo_ok &&
				        now <= sess[i].t_up + opt.deadline);
			if (!busy)
				return;
		}
	}
}

/* Holds the sessions (answering DPD) for secs, or until opt.release exists. */
static void wait_phase(int ep, double secs)
{
	double end = vl_now() + secs;
	while (vl_now() < end && !(opt.release && access(opt.release, F_OK) == 0))
		poll_once(ep, 10);
}

/* DELETE for every session up, at the set-up rate: a burst of thousands would overflow the
 * hub's socket buffer, and a lost DELETE leaves a session for DPD or its lifetime. */
static void teardown(int ep)
{
	int sent = 0;
	double t0 = vl_now();
	for (int i = 0; i < nstarted; i++) {
		struct sess *s = &sess[i];
		struct isakmp_buf b;
		if (s->st != S_UP)
			continue;
		isakmp_buf_init(&b);
		if (ikei_delete(&s->sa, &s->qm.spi_in, 1, &b) == 0 && vl_send(s, b.data, b.len, 1) == 0)
			sent++;
		isakmp_buf_free(&b);
		s->st = S_GONE;
		while (sent > (vl_now() - t0) * opt.rate + 1)
			poll_once(ep, 1);
	}
	printf("teardown: DELETE sent for %d sessions\n", sent);
}

int main(int argc, char **argv)
{
	vl_parse_opts(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ike_crypto_init() < 0)
		fprintf(stderr, "vpnload: no single DES (not needed)\n");
	sess = calloc((size_t)opt.n, sizeof(*sess));
	/* A 256-bit private exponent, as strongSwan uses for MODP-2048 (RFC 3526 section 8): a
	 * full-size one costs 6 times as much and would make vpnload, not the hub, the limit at
	 * group 14. A load generator's key needs no more strength than that. */
	uint8_t priv[32];
	ike_random(priv, sizeof(priv));
	priv[0] |= 0x80;
	dh = ike_dh_new_with_private(opt.dhgroup, priv, sizeof(priv));
	if (!sess || !dh) {
		fprintf(stderr, "vpnload: out of memory or DH group %d unsupported\n", opt.dhgroup);
		return 1;
	}
	fd500 = open_udp(500);
	fd4500 = open_udp(4500);
	fdesp = esp_open();
	int ep = epoll_create1(0);
	g_ep = ep;
	int fds[3] = { fd500, fd4500, fdesp };
	for (int i = 0; i < 3; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			perror("epoll_ctl");
			return 1;
		}
	}

	double cpu0 = cpu_seconds(), t0 = vl_now();
	setup_phase(ep);
	double t1 = vl_now(), cpu1 = cpu_seconds();

	int up = 0, echo = 0, failed = 0;
	double *lat = calloc((size_t)opt.n, sizeof(double)), last_up = t0;
	double *elat = calloc((size_t)opt.n, sizeof(double));
	for (int i = 0; i < opt.n; i++) {
		if (sess[i].st == S_UP || (sess[i].st == S_GONE && sess[i].t_up > 0)) {
			lat[up++] = (sess[i].t_up - sess[i].t_start) * 1e3;
			if (sess[i].t_up > last_up)
				last_up = sess[i].t_up;
			if (sess[i].echo_ok)
				elat[echo++] = (sess[i].t_echo - sess[i].t_up) * 1e3;
		} else {
			failed++;
		}
	}
	qsort(lat, (size_t)up, sizeof(double), cmp_double);
	printf("sessions: %d requested, %d up, %d failed, %d passed an echo\n", opt.n, up, failed, echo);
	printf("setup: target %.0f/s, achieved %.1f/s (%d up in %.2f s), DH group %d\n", opt.rate,
	       up / (last_up - t0 > 0 ? last_up - t0 : 1e-9), up, last_up - t0, opt.dhgroup);
	if (up)
		printf("latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", lat[up / 2],
		       lat[(int)(up * 0.99) < up ? (int)(up * 0.99) : up - 1], lat[up - 1]);
	for (int i = 0, shown = 0; i < opt.n && shown < 5; i++) {
		const struct sess *s = &sess[i];
		if (s->t_up > 0 && !s->echo_ok) {
			char src[INET_ADDRSTRLEN], in[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &s->src.sin_addr, src, sizeof(src));
			inet_ntop(AF_INET, &s->addr, in, sizeof(in));
			printf("no echo: session %d from %s, address %s, SPI in %08x out %08x, %d tries\n",
			       i, src, in, ntohl(s->qm.spi_in), ntohl(s->qm.spi_out), s->echo_tries);
			shown++;
		}
	}
	qsort(elat, (size_t)echo, sizeof(double), cmp_double);
	if (echo)
		printf("first echo after set-up: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		       elat[echo / 2], elat[(int)(echo * 0.99)], elat[echo - 1]);
	free(elat);
	for (int i = 0; i < NREASON && reasons[i].why; i++) {
		if (reasons[i].notify)
			printf("failure: %s %u: %d\n", reasons[i].why, reasons[i].notify, reasons[i].n);
		else
			printf("failure: %s: %d\n", reasons[i].why, reasons[i].n);
	}
	printf("cpu: set-up phase %.2f s of %.2f s wall (%.0f%%)\n", cpu1 - cpu0, t1 - t0,
	       100 * (cpu1 - cpu0) / (t1 - t0));
	free(lat);

	if (opt.k > 0)
		esp_pump(opt.duration, opt.k);
	if (opt.hold > 0)
		wait_phase(ep, opt.hold);
	teardown(ep);
	wait_phase(ep, 0.2);
	esp_report();
	printf("cpu: total %.2f s\n", cpu_seconds() - cpu0);
	for (int i = 0; i < opt.n; i++) {
		esp_session_free(&sess[i]);
		free(sess[i].last);
	}
	ike_dh_free(dh);
	free(sess);
	return up == opt.n && echo == up ? 0 : 3;
}
