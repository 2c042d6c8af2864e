/*
 * RADIUS requests off keymgr's event loop. Jobs go to a queue served by a few worker threads;
 * each thread owns one radcli handle per configured server (radcli handles are not shared
 * between threads), so a silent server delays only the jobs that wait on it. Finished jobs go
 * to a second queue drained on the loop through a uv_async.
 *
 * Failover is ours, not radcli's: each handle names one server, and the servers of a group are
 * tried in order. radcli checks the Response Authenticator (and a Message-Authenticator when
 * present) and the attribute framing before it hands us anything; a reply that fails those
 * checks counts as no reply from that server.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <radcli/radcli.h>

#include "common/log.h"
#include "common/msg.h"
#include "radius/radius.h"

#define RAD_WORKERS 4
#define VENDOR_CISCO 9
#define ATTR_CISCO_AVPAIR ((VENDOR_CISCO << 16) | 1)
#define NAS_PORT_TYPE_VIRTUAL 5

/* Only what vpnd sends or reads: the dictionary lives in memory (keymgr is chrooted). */
static const char dictionary[] =
	"ATTRIBUTE User-Name 1 string\n"
	"ATTRIBUTE User-Password 2 string\n"
	"ATTRIBUTE NAS-IP-Address 4 ipaddr\n"
	"ATTRIBUTE NAS-Port 5 integer\n"
	"ATTRIBUTE Service-Type 6 integer\n"
	"ATTRIBUTE Framed-IP-Address 8 ipaddr\n"
	"ATTRIBUTE Framed-IP-Netmask 9 ipaddr\n"
	"ATTRIBUTE Filter-Id 11 string\n"
	"ATTRIBUTE Reply-Message 18 string\n"
	"ATTRIBUTE Framed-Route 22 string\n"
	"ATTRIBUTE State 24 string\n"
	"ATTRIBUTE Class 25 string\n"
	"ATTRIBUTE Session-Timeout 27 integer\n"
	"ATTRIBUTE Idle-Timeout 28 integer\n"
	"ATTRIBUTE Calling-Station-Id 31 string\n"
	"ATTRIBUTE NAS-Identifier 32 string\n"
	"ATTRIBUTE Framed-Protocol 7 integer\n"
	"ATTRIBUTE Acct-Status-Type 40 integer\n"
	"ATTRIBUTE Acct-Delay-Time 41 integer\n"
	"ATTRIBUTE Acct-Input-Octets 42 integer\n"
	"ATTRIBUTE Acct-Output-Octets 43 integer\n"
	"ATTRIBUTE Acct-Session-Id 44 string\n"
	"ATTRIBUTE Acct-Authentic 45 integer\n"
	"ATTRIBUTE Acct-Session-Time 46 integer\n"
	"ATTRIBUTE Acct-Input-Packets 47 integer\n"
	"ATTRIBUTE Acct-Output-Packets 48 integer\n"
	"ATTRIBUTE Acct-Terminate-Cause 49 integer\n"
	"ATTRIBUTE Acct-Input-Gigawords 52 integer\n"
	"ATTRIBUTE Acct-Output-Gigawords 53 integer\n"
	"ATTRIBUTE Event-Timestamp 55 integer\n"
	"ATTRIBUTE NAS-Port-Type 61 integer\n"
	"ATTRIBUTE Message-Authenticator 80 string\n"
	"VENDOR Cisco 9\n"
	"BEGIN-VENDOR Cisco\n"
	"ATTRIBUTE Cisco-AVPair 1 string\n"
	"END-VENDOR Cisco\n";

/*
 * radcli resolves every server with getaddrinfo(host, "radius"), and a service name needs
 * /etc/services, which the chrooted keymgr cannot read: the lookup fails and no request is
 * ever sent. radcli overwrites the port with the configured one right after, so for our
 * numeric addresses the service name is dropped here before glibc sees it. Every other
 * lookup goes to the real getaddrinfo unchanged.
 */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
	typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
	                      struct addrinfo **);
	static gai_fn real;
	if (!real)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	if (!real)
		return EAI_SYSTEM;
	struct in_addr a;
	if (service && node && inet_pton(AF_INET, node, &a) == 1 &&
	    (!strcmp(service, "radius") || !strcmp(service, "radacct")))
		service = NULL;
	return real(node, service, hints, res);
}

/*
 * The datagrams of the request in progress on this thread, copied as radcli sends and
 * receives them, for rad_reply_check(): radcli does not hand them out, and its own
 * authenticator check is not trusted (see radius_wire.c). Only while `active`: every other
 * sendto/recvfrom of the process passes straight through.
 */
static __thread struct {
	int     active;
	uint8_t req[4096], rep[4096];
	size_t  reqlen, replen;
} cap;

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
	typedef ssize_t (*fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	static fn real;
	if (!real)
		real = (fn)dlsym(RTLD_NEXT, "sendto");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (cap.active && len <= sizeof(cap.req)) {
		memcpy(cap.req, buf, len);
		cap.reqlen = len;
	}
	return real(fd, buf, len, flags, to, tolen);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
	typedef ssize_t (*fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	static fn real;
	if (!real)
		real = (fn)dlsym(RTLD_NEXT, "recvfrom");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	ssize_t n = real(fd, buf, len, flags, from, fromlen);
	if (cap.active && n > 0) {
		size_t k = (size_t)n < sizeof(cap.rep) ? (size_t)n : sizeof(cap.rep);
		memcpy(cap.rep, buf, k);
		cap.replen = k;
	}
	return n;
}

static struct {
	const struct vpnd_conf *conf;
	uv_async_t      async;
	int             started;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	struct radius_job *in, **in_tail, *out, **out_tail;
	/* dead-server state, indexed like conf->radius */
	struct { int fails; time_t first_fail, dead_until; } srv[CONF_MAX_RADIUS];
} R = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Per thread: one handle per server, made on first use, made again after a reload. */
static __thread rc_handle *handles[CONF_MAX_RADIUS];
static __thread unsigned handles_gen;
static unsigned conf_gen;       /* under R.mu */

static rc_handle *handle_for(int k)
{
	pthread_mutex_lock(&R.mu);
	unsigned gen = conf_gen;
	pthread_mutex_unlock(&R.mu);
	if (gen != handles_gen) {
		for (int i = 0; i < CONF_MAX_RADIUS; i++)
			if (handles[i]) {
				rc_destroy(handles[i]);
				handles[i] = NULL;
			}
		handles_gen = gen;
	}
	if (handles[k])
		return handles[k];
	const struct conf_radius_server *s = &R.conf->radius[k];
	char srv[128], num[16], addr[INET_ADDRSTRLEN];
	rc_handle *h = rc_new();
	if (!h || !(h = rc_config_init(h)))
		return NULL;
	inet_ntop(AF_INET, &s->addr, addr, sizeof(addr));
	int ok = 1;
	snprintf(srv, sizeof(srv), "%s:%u:%s", addr, s->auth_port, s->key);
	ok &= rc_add_config(h, "authserver", srv, "vpnd", 0) == 0;
	snprintf(srv, sizeof(srv), "%s:%u:%s", addr, s->acct_port, s->key);
	ok &= rc_add_config(h, "acctserver", srv, "vpnd", 0) == 0;
	explicit_bzero(srv, sizeof(srv));
	snprintf(num, sizeof(num), "%d", s->timeout ? s->timeout : R.conf->radius_timeout);
	ok &= rc_add_config(h, "radius_timeout", num, "vpnd", 0) == 0;
	snprintf(num, sizeof(num), "%d", s->retransmit >= 0 ? s->retransmit : R.conf->radius_retransmit);
	ok &= rc_add_config(h, "radius_retries", num, "vpnd", 0) == 0;
	/* dead servers are ours to track (radius-server deadtime) */
	ok &= rc_add_config(h, "radius_deadtime", "0", "vpnd", 0) == 0;
	ok &= rc_read_dictionary_from_buffer(h, dictionary, sizeof(dictionary) - 1) == 0;
	ok &= rc_apply_config(h) == 0;
	if (!ok) {
		rc_destroy(h);
		return NULL;
	}
	handles[k] = h;
	return h;
}

static void parse_reply(VALUE_PAIR *vp, struct rad_attrs *a)
{
	for (; vp; vp = rc_avpair_next(vp)) {
		unsigned type, id;
		uint32_t u;
		char *raw;
		unsigned rawlen = 0;
		rc_avpair_get_attr(vp, &type, &id);
		int is_int = rc_avpair_get_uint32(vp, &u) == 0;
		int is_raw = rc_avpair_get_raw(vp, &raw, &rawlen) == 0 && rawlen <= AUTH_STRING_LEN;
		switch (id) {
		case PW_FRAMED_IP_ADDRESS:
			if (is_int)
				a->framed_ip.s_addr = htonl(u);
			break;
		case PW_FRAMED_IP_NETMASK:
			if (is_int)
				a->framed_mask.s_addr = htonl(u);
			break;
		case PW_SESSION_TIMEOUT:
			if (is_int)
				a->session_timeout = u > 0x7fffffff ? 0x7fffffff : (int)u;
			break;
		case PW_IDLE_TIMEOUT:
			if (is_int)
				a->idle_timeout = u > 0x7fffffff ? 0x7fffffff : (int)u;
			break;
		case PW_FRAMED_ROUTE:
			if (is_raw)
				rad_framed_route(a, raw, rawlen);
			break;
		case PW_FILTER_ID:
			/* an access list name: printable, no blanks (else it names nothing) */
			if (is_raw && rawlen > 0 && rawlen < sizeof(a->filter_id)) {
				int ok = 1;
				for (unsigned i = 0; i < rawlen; i++)
					ok &= raw[i] > ' ' && raw[i] <= '~';
				if (ok) {
					memcpy(a->filter_id, raw, rawlen);
					a->filter_id[rawlen] = 0;
				}
			}
			break;
		case PW_CLASS:
			if (is_raw && rawlen <= sizeof(a->class_)) {
				memcpy(a->class_, raw, rawlen);
				a->class_len = rawlen;
			}
			break;
		case PW_STATE:
			if (is_raw && rawlen <= sizeof(a->state)) {
				memcpy(a->state, raw, rawlen);
				a->state_len = rawlen;
			}
			break;
		case PW_REPLY_MESSAGE:
			if (is_raw) {
				size_t have = strlen(a->reply_message);
				size_t room = sizeof(a->reply_message) - 1 - have;
				size_t n = rawlen < room ? rawlen : room;
				for (size_t i = 0; i < n; i++)   /* printable only: it goes to the client */
					a->reply_message[have + i] = raw[i] >= ' ' && raw[i] <= '~' ? raw[i] : ' ';
				a->reply_message[have + n] = 0;
			}
			break;
		case ATTR_CISCO_AVPAIR:
			if (is_raw)
				rad_avpair_apply(a, raw, rawlen);
			break;
		}
	}
}

static void add_str(rc_handle *h, VALUE_PAIR **l, int attr, const void *v, int len)
{
	rc_avpair_add(h, l, attr, v, len, 0);
}

/* One request to one server. Returns the radcli code. */
static int ask(rc_handle *h, const char *key, struct radius_job *j, struct rad_attrs *a)
{
	VALUE_PAIR *send = NULL, *recv = NULL;
	char peer[INET_ADDRSTRLEN], sid[MSG_ACCT_SID_LEN], msg[PW_MAX_MSG_SIZE];
	uint32_t ptype = NAS_PORT_TYPE_VIRTUAL;

	inet_ntop(AF_INET, &j->peer, peer, sizeof(peer));
	msg_acct_session_id(sid, R.conf->run_id, j->session_id);
	add_str(h, &send, PW_USER_NAME, j->user, -1);
	add_str(h, &send, PW_USER_PASSWORD, j->password, -1);
	if (R.conf->hostname[0])
		add_str(h, &send, PW_NAS_IDENTIFIER, R.conf->hostname, -1);
	rc_avpair_add(h, &send, PW_NAS_PORT_TYPE, &ptype, 0, 0);
	add_str(h, &send, PW_CALLING_STATION_ID, peer, -1);
	add_str(h, &send, PW_ACCT_SESSION_ID, sid, -1);
	if (j->state_len)
		add_str(h, &send, PW_STATE, j->state, (int)j->state_len);
	/* NAS-IP-Address: radcli fills in the source address of the request */
	cap.active = 1;
	cap.reqlen = cap.replen = 0;
	int rc = rc_aaa(h, 0, send, &recv, msg, 0, PW_ACCESS_REQUEST);
	cap.active = 0;
	if (rc == OK_RC || rc == REJECT_RC || rc == CHALLENGE_RC) {
		int code = rc == OK_RC ? 2 : rc == REJECT_RC ? 3 : 11;
		if (cap.replen < 1 || cap.rep[0] != code ||
		    rad_reply_check(cap.req, cap.reqlen, cap.rep, cap.replen, key) < 0)
			rc = BADRESP_RC;
	}
	explicit_bzero(&cap, sizeof(cap));
	if (rc == OK_RC || rc == CHALLENGE_RC)
		parse_reply(recv, a);
	rc_avpair_free(send);
	rc_avpair_free(recv);
	return rc;
}

static void add_u32(rc_handle *h, VALUE_PAIR **l, int attr, uint32_t v)
{
	rc_avpair_add(h, l, attr, &v, 0, 0);
}

/*
 * One Accounting-Request to one server (RFC 2866). The record is the same on every try but
 * for Acct-Delay-Time, which says how long it has waited; 64-bit counters go out as the
 * low 32 bits plus Gigawords (RFC 2869 5.1).
 */
static int ask_acct(rc_handle *h, const char *key, struct radius_job *j)
{
	const struct msg_acct *m = &j->acct;
	VALUE_PAIR *send = NULL, *recv = NULL;
	char ip[INET_ADDRSTRLEN], msg[PW_MAX_MSG_SIZE];

	add_u32(h, &send, PW_ACCT_STATUS_TYPE, (uint32_t)m->status);
	add_str(h, &send, PW_ACCT_SESSION_ID, m->acct_session_id, -1);
	if (m->user[0])
		add_str(h, &send, PW_USER_NAME, m->user, -1);
	if (R.conf->hostname[0])
		add_str(h, &send, PW_NAS_IDENTIFIER, R.conf->hostname, -1);
	add_u32(h, &send, PW_NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL);
	add_u32(h, &send, PW_SERVICE_TYPE, PW_FRAMED);
	add_u32(h, &send, PW_ACCT_AUTHENTIC, PW_RADIUS);
	if (m->peer.s_addr) {
		inet_ntop(AF_INET, &m->peer, ip, sizeof(ip));
		add_str(h, &send, PW_CALLING_STATION_ID, ip, -1);
	}
	if (m->framed_ip.s_addr)
		add_u32(h, &send, PW_FRAMED_IP_ADDRESS, ntohl(m->framed_ip.s_addr));
	if (m->class_len > 0 && m->class_len <= (int)sizeof(m->class_))
		add_str(h, &send, PW_CLASS, m->class_, m->class_len);
	add_u32(h, &send, PW_EVENT_TIMESTAMP, (uint32_t)time(NULL) - m->delay_time);
	if (m->status != ACCT_START) {
		add_u32(h, &send, PW_ACCT_SESSION_TIME, m->session_time);
		add_u32(h, &send, PW_ACCT_INPUT_OCTETS, (uint32_t)m->in_octets);
		add_u32(h, &send, PW_ACCT_OUTPUT_OCTETS, (uint32_t)m->out_octets);
		add_u32(h, &send, PW_ACCT_INPUT_GIGAWORDS, (uint32_t)(m->in_octets >> 32));
		add_u32(h, &send, PW_ACCT_OUTPUT_GIGAWORDS, (uint32_t)(m->out_octets >> 32));
		add_u32(h, &send, PW_ACCT_INPUT_PACKETS, (uint32_t)m->in_pkts);
		add_u32(h, &send, PW_ACCT_OUTPUT_PACKETS, (uint32_t)m->out_pkts);
	}
	if (m->status == ACCT_STOP && m->terminate_cause > 0)
		add_u32(h, &send, PW_ACCT_TERMINATE_CAUSE, (uint32_t)m->terminate_cause);
	add_u32(h, &send, PW_ACCT_DELAY_TIME, m->delay_time);
	cap.active = 1;
	cap.reqlen = cap.replen = 0;
	int rc = rc_aaa(h, 0, send, &recv, msg, 0, PW_ACCOUNTING_REQUEST);
	cap.active = 0;
	if (rc == OK_RC && (cap.replen < 1 || cap.rep[0] != PW_ACCOUNTING_RESPONSE ||
	                    rad_reply_check(cap.req, cap.reqlen, cap.rep, cap.replen, key) < 0))
		rc = BADRESP_RC;
	explicit_bzero(&cap, sizeof(cap));
	rc_avpair_free(send);
	rc_avpair_free(recv);
	return rc;
}

static void note_failure(int k, time_t now, char *why, size_t whylen)
{
	const struct vpnd_conf *c = R.conf;
	pthread_mutex_lock(&R.mu);
	if (R.srv[k].fails++ == 0)
		R.srv[k].first_fail = now;
	int tries = c->radius_dead_tries ? c->radius_dead_tries : 1;
	if (c->radius_deadtime > 0 && R.srv[k].fails >= tries &&
	    now - R.srv[k].first_fail >= c->radius_dead_time && R.srv[k].dead_until <= now) {
		R.srv[k].dead_until = now + 60L * c->radius_deadtime;
		size_t n = strlen(why);
		snprintf(why + n, whylen - n, " (marked dead for %d min)", c->radius_deadtime);
	}
	pthread_mutex_unlock(&R.mu);
}

static void note_alive(int k)
{
	pthread_mutex_lock(&R.mu);
	R.srv[k].fails = 0;
	R.srv[k].first_fail = 0;
	R.srv[k].dead_until = 0;
	pthread_mutex_unlock(&R.mu);
}

static int is_dead(int k, time_t now)
{
	pthread_mutex_lock(&R.mu);
	int dead = R.srv[k].dead_until > now;
	pthread_mutex_unlock(&R.mu);
	return dead;
}

void radius_run(struct radius_job *j)
{
	const struct vpnd_conf *c = R.conf;
	int order[CONF_MAX_RADIUS], n = 0;

	j->result = RAD_ERROR;
	j->why[0] = 0;
	j->no_server = 0;
	rad_attrs_init(&j->attrs);
	if (!c) {
		snprintf(j->why, sizeof(j->why), "RADIUS client not started");
		return;
	}
	if (!strcmp(j->group, "radius")) {
		for (int k = 0; k < c->nradius; k++)
			order[n++] = k;
	} else {
		const struct conf_radius_group *g = conf_find_radius_group(c, j->group);
		for (int s = 0; g && s < g->nserver && n < CONF_MAX_RADIUS; s++) {
			const struct conf_radius_server *srv = conf_find_radius(c, g->server[s]);
			if (srv)
				order[n++] = (int)(srv - c->radius);
		}
	}
	for (int i = 0; i < n; i++) {
		int k = order[i];
		char one[96];
		time_t now = time(NULL);
		if (is_dead(k, now)) {
			snprintf(one, sizeof(one), "%s%s: dead", j->why[0] ? ", " : "", c->radius[k].name);
			strncat(j->why, one, sizeof(j->why) - strlen(j->why) - 1);
			continue;
		}
		rc_handle *h = handle_for(k);
		if (!h) {
			snprintf(one, sizeof(one), "%s%s: client setup failed", j->why[0] ? ", " : "",
			         c->radius[k].name);
			strncat(j->why, one, sizeof(j->why) - strlen(j->why) - 1);
			continue;
		}
		struct rad_attrs a;
		rad_attrs_init(&a);
		int rc = j->kind == RAD_JOB_ACCT ? ask_acct(h, c->radius[k].key, j)
		                                 : ask(h, c->radius[k].key, j, &a);
		if (rc == OK_RC || rc == REJECT_RC || rc == CHALLENGE_RC) {
			note_alive(k);
			snprintf(j->server, sizeof(j->server), "%s", c->radius[k].name);
			j->result = rc == OK_RC ? RAD_ACCEPT : rc == REJECT_RC ? RAD_REJECT : RAD_CHALLENGE;
			if (rc != REJECT_RC)
				j->attrs = a;
			explicit_bzero(&a, sizeof(a));
			return;
		}
		explicit_bzero(&a, sizeof(a));
		snprintf(one, sizeof(one), "%s%s: %s", j->why[0] ? ", " : "", c->radius[k].name,
		         rc == TIMEOUT_RC ? "no answer" : "bad or no reply");
		strncat(j->why, one, sizeof(j->why) - strlen(j->why) - 1);
		note_failure(k, time(NULL), j->why, sizeof(j->why));
	}
	if (!j->why[0]) {
		snprintf(j->why, sizeof(j->why), "server group '%s' has no server", j->group);
		j->no_server = 1;
	}
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&R.mu);
		while (!R.in)
			pthread_cond_wait(&R.cv, &R.mu);
		struct radius_job *j = R.in;
		R.in = j->next;
		if (!R.in)
			R.in_tail = &R.in;
		pthread_mutex_unlock(&R.mu);

		radius_run(j);
		explicit_bzero(j->password, sizeof(j->password));

		pthread_mutex_lock(&R.mu);
		j->next = NULL;
		*R.out_tail = j;
		R.out_tail = &j->next;
		pthread_mutex_unlock(&R.mu);
		uv_async_send(&R.async);
	}
	return NULL;
}

static void on_async(uv_async_t *a)
{
	(void)a;
	pthread_mutex_lock(&R.mu);
	struct radius_job *list = R.out;
	R.out = NULL;
	R.out_tail = &R.out;
	pthread_mutex_unlock(&R.mu);
	while (list) {
		struct radius_job *next = list->next;
		list->done(list);
		list = next;
	}
}

/*
 * keymgr rewrites the configuration in place between these two calls. Workers read it
 * without the lock while a request runs, so a request in flight during a reload may see
 * the old server list; the next ones use new handles and forget which servers were dead.
 */
void radius_reload_begin(void)
{
	pthread_mutex_lock(&R.mu);
}

void radius_reload_end(void)
{
	conf_gen++;
	memset(R.srv, 0, sizeof(R.srv));
	pthread_mutex_unlock(&R.mu);
}

int radius_init(const struct vpnd_conf *conf, uv_loop_t *loop)
{
	R.conf = conf;
	R.in_tail = &R.in;
	R.out_tail = &R.out;
	if (!loop || conf->nradius == 0 || R.started)
		return 0;
	if (uv_async_init(loop, &R.async, on_async) != 0)
		return -1;
	/* the workers never touch the loop: they only queue and wake it */
	uv_unref((uv_handle_t *)&R.async);
	for (int i = 0; i < RAD_WORKERS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			return -1;
		pthread_detach(t);
	}
	R.started = 1;
	return 0;
}

void radius_submit(struct radius_job *j)
{
	if (!R.started) {
		/* no workers (no servers configured, or a unit test without a loop) */
		radius_run(j);
		j->done(j);
		return;
	}
	pthread_mutex_lock(&R.mu);
	j->next = NULL;
	*R.in_tail = j;
	R.in_tail = &j->next;
	pthread_cond_signal(&R.cv);
	pthread_mutex_unlock(&R.mu);
}
