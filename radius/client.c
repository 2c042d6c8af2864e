/*
 * The RADIUS client, on the caller's libuv loop. Each configured server has one UDP socket,
 * and up to 256 requests in flight on it (the ID is the slot); a request waits for a free ID
 * otherwise. Each request has its own retransmit timer. A silent server therefore delays only
 * the requests sent to it, each by its own timeout, never the others behind it.
 *
 * The socket is not connect()ed: a reply is matched by ID, then must come from the address
 * and port the request went to and pass rad_reply_check (authenticators, framing) and the
 * server's Message-Authenticator policy. A datagram that fails any of these is ignored and
 * counted, and the request goes on waiting for the real reply: anyone who can reach the
 * socket could otherwise end a login with one datagram.
 *
 * Failover is over the servers of a group, in order; radius-server deadtime marks a server
 * that failed dead-criteria for a while, and skips it then.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/log.h"
#include "radius/radius.h"
#include "radius/stats.h"

#define NIDS 256

struct rreq {
	struct radius_job *job;
	int      order[CONF_MAX_RADIUS], n, i;   /* the group's servers, the one being tried */
	int      k;                   /* server (and socket) of this attempt */
	int      id;                  /* -1: none held */
	union rad_sa to;
	char     name[CONF_NAME_MAX];
	char     secret[CONF_RADIUS_KEY_MAX];
	int      msg_auth;            /* the server's policy (enum conf_msg_auth) */
	struct rad_pkt pkt;
	int      tries, max_tries;
	uint64_t timeout_ms;
	uv_timer_t timer;             /* start, then retransmits */
	uint64_t submitted;           /* uv_hrtime() at radius_submit: the latency's start */
	struct rreq *wnext;           /* waiting for an ID */
};

struct rsock {
	uv_udp_t udp, udp6;           /* the server's family decides (a reload may change it) */
	int      open, open6;
	struct rreq *slot[NIDS];
	unsigned next_id;
	struct rreq *whead, **wtail;
};

static struct {
	const struct vpnd_conf *conf;
	uv_loop_t *loop;
	uv_loop_t own;                /* radius_init without a loop: ours, run by submit */
	int      private_loop, running, inflight;
	struct rsock sock[CONF_MAX_RADIUS];
	struct { int fails; time_t first_fail, dead_until; } dead[CONF_MAX_RADIUS];
	/* Message-Authenticator seen from the server of that name and address */
	struct { char name[CONF_NAME_MAX]; union rad_sa addr; int seen, warned; } ma[CONF_MAX_RADIUS];
	struct { union rad_sa srv; struct rad_nas src; } nas[CONF_MAX_RADIUS];
	unsigned long long ignored;
} R;

static uint8_t rxbuf[RAD_PKT_MAX + 1];

static void next_server(struct rreq *r);
static void send_first(struct rreq *r);

static void why_add(struct radius_job *j, const char *fmt, const char *name, const char *what)
{
	size_t n = strlen(j->why);
	snprintf(j->why + n, sizeof(j->why) - n, fmt, n ? ", " : "", name, what);
}

/* ---- dead servers (radius-server deadtime, dead-criteria) ---- */

static void note_failure(int k, struct radius_job *j)
{
	const struct vpnd_conf *c = R.conf;
	time_t now = time(NULL);
	if (R.dead[k].fails++ == 0)
		R.dead[k].first_fail = now;
	int tries = c->radius_dead_tries ? c->radius_dead_tries : 1;
	if (c->radius_deadtime > 0 && R.dead[k].fails >= tries &&
	    now - R.dead[k].first_fail >= c->radius_dead_time && R.dead[k].dead_until <= now) {
		R.dead[k].dead_until = now + 60L * c->radius_deadtime;
		size_t n = strlen(j->why);
		snprintf(j->why + n, sizeof(j->why) - n, " (marked dead for %d min)",
		         c->radius_deadtime);
	}
}

static void note_alive(int k)
{
	memset(&R.dead[k], 0, sizeof(R.dead[k]));
}

/* ---- Message-Authenticator policy ---- */

/* the server's address, port 0 */
static union rad_sa server_sa(const struct conf_radius_server *s)
{
	union rad_sa a;
	memset(&a, 0, sizeof(a));
	if (s->family == AF_INET6) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_addr = s->addr6;
	} else {
		a.in.sin_family = AF_INET;
		a.in.sin_addr = s->addr;
	}
	return a;
}

/* the same host (ports not compared) */
static int same_host(const union rad_sa *a, const union rad_sa *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	if (a->sa.sa_family == AF_INET6)
		return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16);
	return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
}

static uint16_t sa_port(const union rad_sa *a)
{
	return a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port;
}

static const char *sa_ntop(const union rad_sa *a, char *buf, size_t len)
{
	if (a->sa.sa_family == AF_INET6)
		return inet_ntop(AF_INET6, &a->in6.sin6_addr, buf, (socklen_t)len);
	return inet_ntop(AF_INET, &a->in.sin_addr, buf, (socklen_t)len);
}

static int ma_seen(int k)
{
	const struct conf_radius_server *s = &R.conf->radius[k];
	union rad_sa a = server_sa(s);
	return R.ma[k].seen && !strcmp(R.ma[k].name, s->name) && same_host(&R.ma[k].addr, &a);
}

/* 0 when the reply may be taken, -1 when it must be ignored. */
static int ma_policy(struct rreq *r, unsigned flags)
{
	int k = r->k, has = flags & RAD_F_MSG_AUTH;
	if (r->pkt.b[0] != 1)
		return 0;       /* accounting: RFC 2866's authenticators only */
	if (k >= R.conf->nradius || strcmp(R.conf->radius[k].name, r->name))
		return r->msg_auth == CONF_MA_REQUIRED && !has ? -1 : 0;   /* removed by a reload */
	if (has) {
		if (!ma_seen(k)) {
			if (r->msg_auth == CONF_MA_AUTO)
				log_info("RADIUS server %s sends Message-Authenticator: required from it "
				         "from now on", r->name);
			snprintf(R.ma[k].name, sizeof(R.ma[k].name), "%s", r->name);
			R.ma[k].addr = r->to;
			R.ma[k].seen = 1;
		}
		return 0;
	}
	if (r->msg_auth == CONF_MA_REQUIRED || (r->msg_auth == CONF_MA_AUTO && ma_seen(k)))
		return -1;
	if (r->msg_auth == CONF_MA_AUTO && !R.ma[k].warned) {
		R.ma[k].warned = 1;
		log_warnx("RADIUS server %s answers without Message-Authenticator: accepted until it "
		          "sends one (a forged Access-Accept is possible, CVE-2024-3596); configure "
		          "it to send one", r->name);
	}
	return 0;
}

/* ---- sockets and IDs ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	(void)hint;
	*buf = uv_buf_init((char *)rxbuf, sizeof(rxbuf));
}

static void ignored(struct rsock *s, const union rad_sa *from, const char *why)
{
	int k = (int)(s - R.sock);
	char a[INET6_ADDRSTRLEN] = "?";
	R.ignored++;
	rad_stats_ignored();
	if (from)
		sa_ntop(from, a, sizeof(a));
	log_rl("RADIUS: datagram from %s port %u on server %s's socket ignored: %s (%llu ignored "
	       "so far)", a, from ? ntohs(sa_port(from)) : 0,
	       k < R.conf->nradius ? R.conf->radius[k].name : "?", why, R.ignored);
}

static void finish(struct rreq *r, int result);

/* Why the datagram p[0..n) from `from` answers nothing on s (NULL: it answers *rp). */
static const char *match(struct rsock *s, const uint8_t *p, ssize_t n, unsigned flags,
                         const union rad_sa *from, struct rreq **rp, unsigned *f)
{
	if ((flags & UV_UDP_PARTIAL) || n > RAD_PKT_MAX)
		return "longer than 4096 bytes";
	if (n < 20)
		return "shorter than a RADIUS header";
	struct rreq *r = s->slot[p[1]];
	if (!r)
		return "no request with that ID";
	if (!same_host(from, &r->to) || sa_port(from) != sa_port(&r->to))
		return "not from the address and port the request went to";
	if (rad_reply_check(r->pkt.b, r->pkt.len, p, (size_t)n, r->secret, f) < 0)
		return "bad authenticator, code or framing";
	if (ma_policy(r, *f) < 0)
		return "no Message-Authenticator (required from this server)";
	*rp = r;
	return NULL;
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *buf, const struct sockaddr *sa,
                    unsigned flags)
{
	struct rsock *s = u->data;
	union rad_sa fromsa;
	const union rad_sa *from = &fromsa;
	const uint8_t *p = (const uint8_t *)buf->base;
	struct rreq *r = NULL;
	unsigned f = 0;

	if (n < 0)
		log_rl("RADIUS: receive: %s", uv_strerror((int)n));
	if (n < 0 || !sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return;     /* n == 0 without an address: nothing more to read */
	memset(&fromsa, 0, sizeof(fromsa));
	memcpy(&fromsa, sa, sa->sa_family == AF_INET6 ? sizeof(fromsa.in6) : sizeof(fromsa.in));
	const char *bad = match(s, p, n, flags, from, &r, &f);
	if (bad) {
		ignored(s, from, bad);
		return;
	}
	struct radius_job *j = r->job;
	int result = p[0] == 3 ? RAD_REJECT : p[0] == 11 ? RAD_CHALLENGE : RAD_ACCEPT;
	if (result != RAD_REJECT && j->kind == RAD_JOB_AUTH)
		rad_reply_parse(p, (size_t)n, &j->attrs);
	if (result == RAD_REJECT && j->kind == RAD_JOB_AUTH && j->eap_len)
		rad_reply_parse(p, (size_t)n, &j->attrs);     /* its EAP-Failure */
	if (result == RAD_ACCEPT && j->eap_len) {
		/* the MSK, decrypted with the request's authenticator (RFC 2548 2.4.2) */
		int m = rad_reply_msk(p, (size_t)n, r->pkt.b + 4, r->secret, j->attrs.msk);
		j->attrs.msk_len = m > 0 ? (size_t)m : 0;
		if (m < 0)
			log_rl("RADIUS: malformed MS-MPPE keys from server %s ignored",
			       R.conf->radius[r->k].name);
	}
	note_alive(r->k);
	finish(r, result);
}

/* The socket of server k for its family; IDs are shared by both of a server's sockets. */
static int sock_open(int k, int family)
{
	struct rsock *s = &R.sock[k];
	int v6 = family == AF_INET6;
	uv_udp_t *u = v6 ? &s->udp6 : &s->udp;
	int *open = v6 ? &s->open6 : &s->open;
	union rad_sa any;
	int e;
	if (*open)
		return *open > 0 ? 0 : -1;
	memset(&any, 0, sizeof(any));
	any.sa.sa_family = (sa_family_t)family;
	if ((e = uv_udp_init(R.loop, u)) < 0) {
		log_warnx("RADIUS: socket for server %s: %s", R.conf->radius[k].name, uv_strerror(e));
		return -1;
	}
	u->data = s;
	if ((e = uv_udp_bind(u, &any.sa, v6 ? UV_UDP_IPV6ONLY : 0)) < 0 ||
	    (e = uv_udp_recv_start(u, on_alloc, on_recv)) < 0) {
		/* not retried: the handle is closing, and the cause (no sockets left, a sandbox)
		 * would not go away */
		log_warnx("RADIUS: socket for server %s: %s", R.conf->radius[k].name, uv_strerror(e));
		uv_close((uv_handle_t *)u, NULL);
		*open = -1;
		return -1;
	}
	uv_unref((uv_handle_t *)u);   /* requests keep the loop alive, not the sockets */
	if (!s->wtail)
		s->wtail = &s->whead;
	*open = 1;
	return 0;
}

static int take_id(struct rreq *r)
{
	struct rsock *s = &R.sock[r->k];
	for (unsigned n = 0; n < NIDS; n++) {
		unsigned id = (s->next_id + n) % NIDS;
		if (!s->slot[id]) {
			s->slot[id] = r;
			s->next_id = (id + 1) % NIDS;
			r->id = (int)id;
			return 0;
		}
	}
	r->wnext = NULL;
	*s->wtail = r;
	s->wtail = &r->wnext;
	return -1;
}

/* Gives r's ID back; the oldest request waiting for one on that socket gets it. */
static void release_id(struct rreq *r)
{
	struct rsock *s = &R.sock[r->k];
	if (r->id < 0)
		return;
	s->slot[r->id] = NULL;
	r->id = -1;
	struct rreq *w = s->whead;
	if (!w)
		return;
	s->whead = w->wnext;
	if (!s->whead)
		s->wtail = &s->whead;
	take_id(w);
	send_first(w);
}

/* The address keymgr's datagrams to the server leave from: NAS-IP-Address, or
 * NAS-IPv6-Address toward a server on IPv6. */
static struct rad_nas nas_ip(int k, const union rad_sa *srv)
{
	if (same_host(&R.nas[k].srv, srv) && R.nas[k].src.family)
		return R.nas[k].src;
	union rad_sa to = *srv, me;
	socklen_t len = sizeof(me);
	int v6 = srv->sa.sa_family == AF_INET6;
	int fd = socket(srv->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (v6)
		to.in6.sin6_port = htons(9);
	else
		to.in.sin_port = htons(9);
	R.nas[k].srv = *srv;
	memset(&R.nas[k].src, 0, sizeof(R.nas[k].src));
	memset(&me, 0, sizeof(me));
	if (fd >= 0 && connect(fd, &to.sa, v6 ? sizeof(to.in6) : sizeof(to.in)) == 0 &&
	    getsockname(fd, &me.sa, &len) == 0) {
		R.nas[k].src.family = me.sa.sa_family;
		if (v6)
			R.nas[k].src.v6 = me.in6.sin6_addr;
		else
			R.nas[k].src.v4 = me.in.sin_addr;
	}
	if (fd >= 0)
		close(fd);
	return R.nas[k].src;
}

/* ---- one request ---- */

static void transmit(struct rreq *r)
{
	uv_buf_t b = uv_buf_init((char *)r->pkt.b, (unsigned)r->pkt.len);
	uv_udp_t *u = r->to.sa.sa_family == AF_INET6 ? &R.sock[r->k].udp6 : &R.sock[r->k].udp;
	int e = uv_udp_try_send(u, &b, 1, &r->to.sa);
	if (e < 0)      /* the timer tries again */
		log_rl("RADIUS: send to server %s: %s", r->name, uv_strerror(e));
	rad_stats_sent(r->job->kind, r->tries > 0);
	r->tries++;
}

static void attempt_failed(struct rreq *r, const char *what)
{
	uv_timer_stop(&r->timer);
	release_id(r);
	why_add(r->job, "%s%s: %s", r->name, what);
	note_failure(r->k, r->job);
	r->i++;
	if (r->i < r->n)
		rad_stats_failover();
	next_server(r);
}

static void on_timeout(uv_timer_t *t)
{
	struct rreq *r = t->data;
	if (r->tries < r->max_tries) {
		transmit(r);
		uv_timer_start(&r->timer, on_timeout, r->timeout_ms, 0);
		return;
	}
	rad_stats_timeout();
	attempt_failed(r, "no answer");
}

static void send_first(struct rreq *r)
{
	struct rad_nas src = nas_ip(r->k, &r->to);
	if (rad_build_request(&r->pkt, R.conf, (uint8_t)r->id, r->job, r->secret, &src) < 0) {
		attempt_failed(r, "request does not fit in a datagram");
		return;
	}
	r->tries = 0;
	transmit(r);
	uv_timer_start(&r->timer, on_timeout, r->timeout_ms, 0);
}

/* One server: its settings as they are now (a reload may change them later). */
static void attempt(struct rreq *r, int k)
{
	const struct vpnd_conf *c = R.conf;
	const struct conf_radius_server *s = &c->radius[k];
	r->k = k;
	r->id = -1;
	snprintf(r->name, sizeof(r->name), "%s", s->name);
	memcpy(r->secret, s->key, sizeof(r->secret));
	r->secret[sizeof(r->secret) - 1] = 0;
	r->msg_auth = s->msg_auth;
	r->to = server_sa(s);
	uint16_t port = htons(r->job->kind == RAD_JOB_ACCT ? s->acct_port : s->auth_port);
	if (r->to.sa.sa_family == AF_INET6)
		r->to.in6.sin6_port = port;
	else
		r->to.in.sin_port = port;
	r->timeout_ms = 1000ULL * (unsigned)(s->timeout ? s->timeout : c->radius_timeout);
	r->max_tries = 1 + (s->retransmit >= 0 ? s->retransmit : c->radius_retransmit);
	if (sock_open(k, r->to.sa.sa_family) < 0) {
		why_add(r->job, "%s%s: %s", r->name, "no socket");
		r->i++;
		next_server(r);
		return;
	}
	if (take_id(r) == 0)
		send_first(r);
}

static void next_server(struct rreq *r)
{
	const struct vpnd_conf *c = R.conf;
	time_t now = time(NULL);
	for (; r->i < r->n; r->i++) {
		int k = r->order[r->i];
		if (k >= c->nradius)
			continue;       /* removed by a reload */
		if (R.dead[k].dead_until > now) {
			why_add(r->job, "%s%s: %s", c->radius[k].name, "dead");
			continue;
		}
		attempt(r, k);
		return;
	}
	if (!r->job->why[0]) {
		snprintf(r->job->why, sizeof(r->job->why), "server group '%s' has no server",
		         r->job->group);
		r->job->no_server = 1;
	}
	finish(r, RAD_ERROR);
}

static void on_closed(uv_handle_t *h)
{
	struct rreq *r = h->data;
	explicit_bzero(r, sizeof(*r));
	free(r);
	R.inflight--;
}

static void finish(struct rreq *r, int result)
{
	struct radius_job *j = r->job;
	uv_timer_stop(&r->timer);
	if (r->id >= 0)
		release_id(r);
	j->result = result;
	rad_stats_done(j->kind, result, (uv_hrtime() - r->submitted) / 1000);
	if (result != RAD_ERROR)
		snprintf(j->server, sizeof(j->server), "%s", r->name);
	explicit_bzero(j->password, sizeof(j->password));
	r->job = NULL;
	uv_close((uv_handle_t *)&r->timer, on_closed);
	j->done(j);     /* may submit the job again (the next method of a list) */
}

static void on_start(uv_timer_t *t)
{
	next_server(t->data);
}

void radius_submit(struct radius_job *j)
{
	const struct vpnd_conf *c = R.conf;
	j->result = RAD_ERROR;
	j->why[0] = 0;
	j->server[0] = 0;
	j->no_server = 0;
	rad_attrs_init(&j->attrs);
	if (!c || !R.loop) {
		snprintf(j->why, sizeof(j->why), "RADIUS client not started");
		j->done(j);
		return;
	}
	struct rreq *r = calloc(1, sizeof(*r));
	if (!r)
		fatal("calloc");
	r->job = j;
	r->id = -1;
	if (!strcmp(j->group, "radius")) {
		for (int k = 0; k < c->nradius; k++)
			r->order[r->n++] = k;
	} else {
		const struct conf_radius_group *g = conf_find_radius_group(c, j->group);
		for (int s = 0; g && s < g->nserver && r->n < CONF_MAX_RADIUS; s++) {
			const struct conf_radius_server *srv = conf_find_radius(c, g->server[s]);
			if (srv)
				r->order[r->n++] = (int)(srv - c->radius);
		}
	}
	uv_timer_init(R.loop, &r->timer);
	r->timer.data = r;
	r->submitted = uv_hrtime();
	R.inflight++;
	rad_stats_submit(j->kind);
	/* from the loop, never in the caller's frame: done() may resubmit, and the caller may
	 * not expect its question answered before this returns */
	uv_timer_start(&r->timer, on_start, 0, 0);
	if (R.private_loop && !R.running) {
		R.running = 1;
		while (R.inflight > 0)
			uv_run(R.loop, UV_RUN_ONCE);
		R.running = 0;
	}
}

/* keymgr rewrites the configuration in place: requests in flight keep the server settings
 * they started with; which servers are dead is forgotten. */
void radius_reload_begin(void)
{
}

void radius_reload_end(void)
{
	memset(R.dead, 0, sizeof(R.dead));
}

int radius_init(const struct vpnd_conf *conf, uv_loop_t *loop)
{
	R.conf = conf;
	if (R.loop)
		return 0;
	if (!loop) {
		if (uv_loop_init(&R.own) != 0)
			return -1;
		loop = &R.own;
		R.private_loop = 1;
	}
	R.loop = loop;
	return 0;
}
