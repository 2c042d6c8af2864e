/*
 * The RFC 5176 server in keymgr (aaa server radius dynamic-author). keymgr serves it because
 * it holds the clients' secrets; ikemgr owns the sessions, so keymgr checks a request (source
 * is a configured client, authenticator, attributes, NAS identification) and hands ikemgr
 * what to match and change; ikemgr ends or changes the sessions at once and answers with the
 * Error-Cause, and only then does the client get its ACK or NAK. The answer therefore says
 * what happened: an ACK means the sessions are gone (their DELETE sent, interfaces removed).
 *
 * Requests are read on keymgr's loop (uv_poll on the socket the parent opened, recvmsg with
 * IP_PKTINFO / IPV6_PKTINFO so the answer leaves from the address the request reached). The
 * socket serves both families: an IPv4 client's address arrives mapped (::ffff:a.b.c.d) and
 * is taken as the IPv4 address it is, so `client A.B.C.D` matches it. Dropped requests
 * are counted and logged at most once a second. A client that retransmits (same source, ID
 * and authenticator) within CACHE_SECS gets the answer already given, not a second action
 * (RFC 5176 section 2.3). A request whose Event-Timestamp is more than DA_EVENT_WINDOW
 * seconds off our clock is a replay and gets a NAK (Error-Cause Invalid-Request).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/pktinfo.h"
#include "radius/dynauth.h"

#define CACHE_N     64
#define CACHE_SECS  30
#define BURST       64      /* datagrams read per wake-up, so IKE questions are not starved */
#define ANSWER_MAX  1024    /* Error-Cause + Proxy-State (at most DA_PROXY_MAX) + MA */

/* Where a request came from: the address to answer to as received, and who that is (an
 * IPv4-mapped IPv6 address taken as the IPv4 address it is). */
struct da_from {
	union sa46 sa;
	socklen_t len;
	union sa46 addr;
	uint16_t port;
	char     text[SA46_STRLEN];
};

struct entry {
	int      used, answered;
	time_t   at;
	uint32_t req_id;
	struct da_from from;
	union sa46 local;
	struct da_request rq;
	char     what[200];             /* for the log line: the request in short */
	uint8_t  answer[ANSWER_MAX];
	size_t   answer_len;
};

static struct {
	const struct vpnd_conf *conf;
	uv_poll_t poll;
	int      fd;
	uint16_t port;                  /* of the socket we serve, fixed until a restart */
	dynauth_send_fn to_ike;
	dynauth_acl_fn on_acl;
	uint32_t next_id;
	struct entry cache[CACHE_N];
	unsigned long long rx, unknown_client, bad, duplicates, acks, naks;
} da = { .fd = -1 };

/* The client's secret, NULL when addr is not a configured client. */
static const char *client_key(const union sa46 *addr)
{
	const struct conf_dynauth *d = &da.conf->dynauth;
	for (int k = 0; k < d->nclient && k < CONF_MAX_DYNAUTH_CLIENTS; k++) {
		const struct conf_dynauth_client *c = &d->client[k];
		union sa46 ca;
		if (c->family == AF_INET6)
			sa46_from6(&ca, &c->addr6, 0);
		else
			sa46_from4(&ca, c->addr, 0);
		if (sa46_same_addr(&ca, addr))
			return c->key[0] ? c->key : d->server_key;
	}
	return NULL;
}

/* Out of the address the request reached, whichever family it is. */
static void send_answer(const struct da_from *to, const union sa46 *local,
                        const uint8_t *b, size_t len)
{
	struct iovec iov = { (void *)b, len };
	union pktinfo_cbuf cm;
	struct msghdr m = { .msg_name = (void *)&to->sa, .msg_namelen = to->len, .msg_iov = &iov,
	                    .msg_iovlen = 1 };
	pktinfo_put(&m, &cm, local);
	if (sendmsg(da.fd, &m, 0) < 0)
		log_rl("dynamic-author: answer to %s: %s", to->text, strerror(errno));
}

static int is_nas_address(struct in_addr a, const union sa46 *local)
{
	if (sa46_is4(local, a))
		return 1;
	for (int k = 0; k < da.conf->niface && k < CONF_MAX_IFACES; k++)
		if (da.conf->iface[k].has_addr && da.conf->iface[k].addr.s_addr == a.s_addr)
			return 1;
	return 0;
}

/* The hub's interfaces carry no IPv6 address in the configuration: the request's
 * NAS-IPv6-Address must be the one it reached. */
static int is_nas_address6(const struct in6_addr *a, const union sa46 *local)
{
	return sa46_is6(local) && !memcmp(a, &local->sin6.sin6_addr, sizeof(*a));
}

/* Names from the request go into the log: no byte of theirs may end or fake a line. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* "Disconnect-Request from 127.0.0.1 for User-Name 'bob' Framed-IP-Address 1.2.3.4" */
static void describe(const struct entry *e, char *out, size_t outsz)
{
	const struct da_request *rq = &e->rq;
	size_t n = 0;
	char ip[INET_ADDRSTRLEN];
#define ADD(...) do { int r_ = snprintf(out + n, outsz - n, __VA_ARGS__); \
	if (r_ > 0) n = (size_t)r_ < outsz - n ? n + (size_t)r_ : outsz - 1; } while (0)
	ADD("%s from %s", da_code_name(rq->code), e->from.text);
	if (rq->has_user || rq->has_acct_sid || rq->has_framed_ip || rq->has_calling)
		ADD(" for");
	if (rq->has_user)
		ADD(" User-Name '%.64s'", rq->user);
	if (rq->has_acct_sid)
		ADD(" Acct-Session-Id '%.32s'", rq->acct_sid);
	if (rq->has_framed_ip)
		ADD(" Framed-IP-Address %s", inet_ntop(AF_INET, &rq->framed_ip, ip, sizeof(ip)));
	if (rq->has_calling)
		ADD(" Calling-Station-Id '%.32s'", rq->calling);
	if (rq->has_session_timeout)
		ADD(" Session-Timeout %u", rq->session_timeout);
	if (rq->has_acl)
		ADD(" access list '%.64s'", rq->acl);
#undef ADD
	clean(out);
}

/* Builds, sends and keeps the answer; one log line per request handled. */
static void answer(struct entry *e, int error_cause, const char *why_in)
{
	char why[160];
	snprintf(why, sizeof(why), "%s", why_in);
	clean(why);
	const char *key = client_key(&e->from.addr);
	int ack = error_cause == 0;
	int code = e->rq.code == DA_DISCONNECT_REQ ? (ack ? DA_DISCONNECT_ACK : DA_DISCONNECT_NAK)
	                                           : (ack ? DA_COA_ACK : DA_COA_NAK);
	e->answered = 1;
	e->answer_len = 0;
	if (!key) {
		log_warnx("dynamic-author: %s: client removed by a reload, not answered", e->what);
		return;
	}
	e->answer_len = da_answer(&e->rq, code, error_cause, key, e->answer, sizeof(e->answer));
	if (!e->answer_len) {
		log_warnx("dynamic-author: %s: answer does not fit, not answered", e->what);
		return;
	}
	send_answer(&e->from, &e->local, e->answer, e->answer_len);
	if (ack) {
		da.acks++;
		log_info("dynamic-author: %s: %s (%s)", e->what, da_code_name(code), why);
	} else {
		da.naks++;
		log_warnx("dynamic-author: %s: %s, Error-Cause %d (%s)", e->what, da_code_name(code),
		          error_cause, why);
	}
}

/* A slot for a new request: free, or the oldest answered one past CACHE_SECS. */
static struct entry *slot(time_t now)
{
	struct entry *best = NULL;
	for (int k = 0; k < CACHE_N; k++) {
		struct entry *e = &da.cache[k];
		if (!e->used)
			return e;
		if (now - e->at < CACHE_SECS)
			continue;
		if (!best || e->at < best->at)
			best = e;
	}
	return best;
}

static struct entry *duplicate(const struct da_from *from, const uint8_t *pkt, time_t now)
{
	for (int k = 0; k < CACHE_N; k++) {
		struct entry *e = &da.cache[k];
		if (e->used && now - e->at < CACHE_SECS && sa46_same_addr(&e->from.addr, &from->addr) &&
		    e->from.port == from->port && e->rq.id == pkt[1] &&
		    !memcmp(e->rq.authenticator, pkt + 4, 16))
			return e;
	}
	return NULL;
}

/* A Session identification that cannot name any session (too long for ours). */
static int cannot_match(const struct da_request *rq)
{
	return (rq->has_user && strlen(rq->user) >= MSG_USER_MAX) ||
	       (rq->has_acct_sid && strlen(rq->acct_sid) != MSG_ACCT_SID_LEN - 1) ||
	       (rq->has_calling && strlen(rq->calling) >= INET_ADDRSTRLEN) ||
	       (rq->has_nas_port_type && rq->nas_port_type != 5 /* Virtual, as we send */);
}

static void handle(const uint8_t *pkt, size_t len, const struct da_from *from,
                   const union sa46 *local)
{
	time_t now = time(NULL);
	char why[96] = "";
	const char *key = client_key(&from->addr);

	da.rx++;
	if (!key) {
		da.unknown_client++;
		log_rl("dynamic-author: request from %s dropped: not a configured client "
		       "(%llu so far)", from->text, da.unknown_client);
		return;
	}
	if (len >= DA_HDR) {
		struct entry *d = duplicate(from, pkt, now);
		if (d) {
			/* still with ikemgr: the answer goes out when it comes back */
			da.duplicates++;
			if (d->answered && d->answer_len)
				send_answer(&d->from, &d->local, d->answer, d->answer_len);
			return;
		}
	}
	struct entry *e = slot(now);
	struct da_request *rq = e ? &e->rq : NULL;
	static struct da_request spare;
	if (da_parse(pkt, len, key, rq ? rq : &spare, why, sizeof(why)) < 0) {
		da.bad++;
		log_rl("dynamic-author: request from %s dropped: %s (%llu so far)",
		       from->text, why, da.bad);
		if (e)
			memset(e, 0, sizeof(*e));
		return;
	}
	if (!e) {
		/* every slot is in use by a recent request: refuse rather than act unrecorded */
		struct entry tmp = { .from = *from, .local = *local, .rq = spare };
		describe(&tmp, tmp.what, sizeof(tmp.what));
		answer(&tmp, DA_ERR_RESOURCES_UNAVAILABLE, "too many requests in 30 s");
		return;
	}
	e->used = 1;
	e->answered = 0;
	e->at = now;
	e->from = *from;
	e->local = *local;
	e->req_id = ++da.next_id;
	describe(e, e->what, sizeof(e->what));

	if (rq->error_cause) {
		answer(e, rq->error_cause, rq->why);
		return;
	}
	/* a request recorded and replayed later (past our duplicate cache) is refused when it
	 * says when it was sent; radclient sends no Event-Timestamp, so one is not required */
	if (rq->has_event_ts && llabs((long long)now - rq->event_ts) > DA_EVENT_WINDOW) {
		snprintf(why, sizeof(why), "Event-Timestamp %lld s from our clock, more than %d",
		         (long long)now - rq->event_ts, DA_EVENT_WINDOW);
		answer(e, DA_ERR_INVALID_REQUEST, why);
		return;
	}
	if ((rq->has_nas_ip && !is_nas_address(rq->nas_ip, local)) ||
	    (rq->has_nas_ip6 && !is_nas_address6(&rq->nas_ip6, local)) ||
	    (rq->has_nas_id && strcmp(rq->nas_id, da.conf->hostname) != 0)) {
		answer(e, DA_ERR_NAS_ID_MISMATCH, "NAS-IP-Address, NAS-IPv6-Address or "
		       "NAS-Identifier is not ours");
		return;
	}
	if (rq->has_acl && !conf_find_acl(da.conf, rq->acl)) {
		answer(e, DA_ERR_INVALID_ATTRIBUTE_VALUE, "no such access list here");
		return;
	}
	if (rq->has_session_timeout && rq->session_timeout > INT32_MAX) {
		answer(e, DA_ERR_INVALID_ATTRIBUTE_VALUE, "Session-Timeout out of range");
		return;
	}
	/* auth-type all: one identifier that no session can have means no session */
	if (!da.conf->dynauth.auth_type_any && cannot_match(rq)) {
		answer(e, DA_ERR_SESSION_NOT_FOUND, "no such session");
		return;
	}

	struct msg_dynauth_req m;
	memset(&m, 0, sizeof(m));
	m.req_id = e->req_id;
	m.coa = rq->code == DA_COA_REQ;
	m.match_any = da.conf->dynauth.auth_type_any;
	m.has_user = rq->has_user && strlen(rq->user) < sizeof(m.user);
	snprintf(m.user, sizeof(m.user), "%.*s", (int)sizeof(m.user) - 1, rq->user);
	m.has_acct_sid = rq->has_acct_sid && strlen(rq->acct_sid) == MSG_ACCT_SID_LEN - 1;
	snprintf(m.acct_sid, sizeof(m.acct_sid), "%.*s", (int)sizeof(m.acct_sid) - 1, rq->acct_sid);
	m.has_framed_ip = rq->has_framed_ip;
	m.framed_ip = rq->framed_ip;
	m.has_calling = rq->has_calling && strlen(rq->calling) < sizeof(m.calling);
	snprintf(m.calling, sizeof(m.calling), "%.*s", (int)sizeof(m.calling) - 1, rq->calling);
	m.has_session_timeout = rq->has_session_timeout;
	m.session_timeout = (int32_t)rq->session_timeout;
	m.has_acl = rq->has_acl;
	snprintf(m.acl, sizeof(m.acl), "%.*s", (int)sizeof(m.acl) - 1, rq->acl);
	if (!m.has_user && !m.has_acct_sid && !m.has_framed_ip && !m.has_calling) {
		/* auth-type any, and every identifier was one no session can have */
		answer(e, DA_ERR_SESSION_NOT_FOUND, "no such session");
		return;
	}
	da.to_ike(IMSG_DYNAUTH_REQ, 0, &m, sizeof(m));
}

void dynauth_result(const struct msg_dynauth_res *res)
{
	for (int k = 0; k < CACHE_N; k++) {
		struct entry *e = &da.cache[k];
		if (!e->used || e->answered || e->req_id != res->req_id)
			continue;
		char why[160];
		int n = res->nmatched < 0 ? 0 : res->nmatched;
		size_t off = (size_t)snprintf(why, sizeof(why), "%d session%s", n, n == 1 ? "" : "s");
		for (int i = 0; i < n && i < MSG_DYNAUTH_IDS && off < sizeof(why) - 12; i++)
			off += (size_t)snprintf(why + off, sizeof(why) - off, "%s%u", i ? "," : ": ",
			                        res->session_id[i]);
		if (!res->nmatched && res->error_cause == DA_ERR_SESSION_NOT_FOUND)
			snprintf(why, sizeof(why), "no such session");
		/* the new access list reaches tunmgr from us, which authenticated the request */
		if (e->rq.code == DA_COA_REQ && e->rq.has_acl && !res->error_cause)
			for (int i = 0; i < n && i < MSG_DYNAUTH_IDS; i++)
				if (da.on_acl)
					da.on_acl(res->session_id[i], e->rq.acl);
		answer(e, res->error_cause, why);
		return;
	}
	log_warnx("dynamic-author: ikemgr answered request %u, which is not waiting", res->req_id);
}

/* The sender as received; 0 when it is no address of ours to answer. */
static int from_of(struct da_from *f, socklen_t len)
{
	f->len = len;
	if (len < sizeof(f->sa.sin) || (f->sa.sa.sa_family != AF_INET &&
	                                (f->sa.sa.sa_family != AF_INET6 || len < sizeof(f->sa.sin6))))
		return 0;
	f->addr = f->sa;
	sa46_unmap(&f->addr);
	f->port = sa46_port(&f->addr);
	sa46_ntop(&f->addr, f->text);
	return 1;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	uint8_t buf[DA_MAX_LEN + 1];
	for (int n = 0; n < BURST; n++) {
		struct da_from from;
		union pktinfo_cbuf cm;
		struct iovec iov = { buf, sizeof(buf) };
		memset(&from, 0, sizeof(from));
		struct msghdr m = { .msg_name = &from.sa, .msg_namelen = sizeof(from.sa),
		                    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
		                    .msg_controllen = sizeof(cm.b) };
		ssize_t r = recvmsg(da.fd, &m, MSG_DONTWAIT);
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_rl("dynamic-author: recvmsg: %s", strerror(errno));
			return;
		}
		if (!from_of(&from, m.msg_namelen))
			continue;
		union sa46 local;
		pktinfo_local(&m, &from.addr, 0, &local);
		if ((size_t)r > DA_MAX_LEN) {
			da.bad++;
			log_rl("dynamic-author: request from %s dropped: longer than %d bytes",
			       from.text, DA_MAX_LEN);
			continue;
		}
		handle(buf, (size_t)r, &from, &local);
	}
}

void dynauth_on_acl(dynauth_acl_fn fn)
{
	da.on_acl = fn;
}

void dynauth_init(const struct vpnd_conf *conf, uv_loop_t *loop, int fd, dynauth_send_fn to_ike)
{
	da.conf = conf;
	da.to_ike = to_ike;
	if (fd < 0) {
		if (conf->dynauth.enabled)
			log_warnx("dynamic-author: no socket from the parent, requests not served");
		return;
	}
	da.fd = fd;
	da.port = conf->dynauth.port;
	if (uv_poll_init(loop, &da.poll, fd) != 0 || uv_poll_start(&da.poll, UV_READABLE,
	                                                           on_readable) != 0)
		fatalx("dynamic-author: cannot watch the socket");
	log_info("dynamic-author: serving Disconnect- and CoA-Requests on UDP port %u from %d "
	         "client%s", conf->dynauth.port, conf->dynauth.nclient,
	         conf->dynauth.nclient == 1 ? "" : "s");
}

void dynauth_reloaded(void)
{
	const struct conf_dynauth *d = &da.conf->dynauth;
	/* clients and keys apply at once (da.conf is the configuration reloaded in place); the
	 * socket is the parent's, opened at start */
	if (d->enabled && da.fd < 0)
		log_warnx("dynamic-author: enabled by the reload, served from the next restart");
	else if (d->enabled && d->port != da.port)
		log_warnx("dynamic-author: port %u takes effect at the next restart, still serving %u",
		          d->port, da.port);
	else if (!d->enabled && da.fd >= 0)
		log_warnx("dynamic-author: removed by the reload: every request is dropped until the "
		          "next restart closes port %u", da.port);
}
