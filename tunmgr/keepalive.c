/*
 * NAT keepalives (crypto isakmp nat keepalive N, RFC 3948 2.3): to a peer whose ESP travels
 * in UDP 4500, one 0xFF byte whenever N seconds passed with nothing sent to it, so the NAT in
 * front of it keeps the mapping while the tunnel is idle. tunmgr owns UDP 4500 and the data
 * plane, so it alone knows when the hub last sent.
 *
 * One timer per such session, firing every N seconds: a session's keepalive costs one wakeup
 * per interval, and sessions without NAT-T cost nothing. The timer lives in its own
 * allocation, keyed by session id, so the interface can go at once while libuv closes the
 * handle in its own time.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#include "tunmgr/tunmgr.h"

struct natt_ka {
	uv_timer_t t;
	uint32_t   session_id;
	uint64_t   seen_out;        /* the interface's packets out at the last firing */
	int        interval;
};

static void ka_closed(uv_handle_t *h)
{
	free(h->data);
}

static void ka_send(struct va *v)
{
	static const uint8_t ka[1] = { 0xff };
	struct iovec iov = { (void *)ka, 1 };
	union sa46 dst = v->peer;
	int fd = sa46_is6(&dst) ? dp.udp6 : dp.udp;
	struct mmsghdr m = { .msg_hdr = { .msg_name = &dst.sa, .msg_namelen = sa46_len(&dst),
	                                  .msg_iov = &iov, .msg_iovlen = 1 } };
	if (fd >= 0 && sendmmsg(fd, &m, 1, 0) == 1)
		dp.natt_ka_sent++;
	else
		v->drop_other++;
}

static void on_ka(uv_timer_t *t)
{
	struct natt_ka *k = t->data;
	struct va *v = va_by_session(k->session_id);
	if (!v || v->ka != k)
		return;
	int want = dp.conf->natt_keepalive;
	if (!want || v->encap != ENCAP_UDP) {
		natt_ka_stop(v);        /* a reload took it away, or the peer left NAT-T */
		return;
	}
	if (v->pkts_out == k->seen_out)
		ka_send(v);
	k->seen_out = v->pkts_out;
	if (want != k->interval) {
		k->interval = want;
		uv_timer_start(&k->t, on_ka, (uint64_t)want * 1000, (uint64_t)want * 1000);
	}
}

/* After an SA install (or a reload): start the session's timer if it needs one. */
void natt_ka_update(struct va *v)
{
	int want = dp.conf ? dp.conf->natt_keepalive : 0;
	if (!want || v->encap != ENCAP_UDP) {
		natt_ka_stop(v);
		return;
	}
	if (v->ka)
		return;
	struct natt_ka *k = calloc(1, sizeof(*k));
	if (!k) {
		log_warnx("%s: no memory for its NAT keepalive timer", v->ifname);
		return;
	}
	k->session_id = v->session_id;
	k->seen_out = v->pkts_out;
	k->interval = want;
	uv_timer_init(dp.loop, &k->t);
	k->t.data = k;
	uv_timer_start(&k->t, on_ka, (uint64_t)want * 1000, (uint64_t)want * 1000);
	v->ka = k;
}

void natt_ka_stop(struct va *v)
{
	if (!v->ka)
		return;
	uv_timer_stop(&v->ka->t);
	uv_close((uv_handle_t *)&v->ka->t, ka_closed);
	v->ka = NULL;
}
