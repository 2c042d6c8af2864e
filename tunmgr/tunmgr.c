/*
 * tunmgr's work: one TUN virtual-access interface per session, cloned from its
 * Virtual-Template, and the ESP data plane between those interfaces and the peers.
 *
 * Inbound ESP arrives on UDP 4500 (RFC 3948; datagrams starting with the four-byte non-ESP
 * marker are IKE and go to ikemgr) or on the raw protocol-50 socket. Outbound packets read from
 * an interface are sealed with that session's outbound SA. TUN interfaces are not persistent:
 * if this process dies, the kernel removes them with their routes, so a crash leaves nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/proc.h"
#include "tunmgr/esp.h"
#include "tunmgr/netlink.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tun.h"

#define MAX_UNITS    4096
#define PKT_MAX      65536
#define BATCH        64

struct va;

struct sa_in {
	struct esp_sa *esp;
	struct va     *va;
	uint32_t       spi;
	time_t         created;
	uint32_t       soft_seconds, hard_seconds;
	uint64_t       soft_bytes, hard_bytes;
	int            soft_sent;
};

struct va {
	struct va     *next;
	uint32_t       session_id;
	int            unit, ifindex, fd;
	char           ifname[IF_NAMESIZE];
	uv_poll_t      poll;
	int            polling;
	struct in_addr client;
	int            template_num;
	/* outbound */
	struct esp_sa *out;
	uint32_t       out_spi;
	int            encap;
	struct sockaddr_in peer;
	/* inbound SAs of this session (the newest first) */
	struct sa_in  *in[4];
	uint64_t       pkts_in, pkts_out, bytes_in, bytes_out, drop_auth, drop_replay, drop_other;
};

static struct {
	uv_loop_t      *loop;
	const struct vpnd_conf *conf;
	struct imsgbuf  parent, ike;
	int             udp, raw, nl;
	uv_poll_t       udp_poll, raw_poll;
	uv_timer_t      stats_timer;
	struct sadb    *sadb;
	struct va      *vas;
	uint8_t         units[MAX_UNITS];
	uint64_t        drop_unknown_spi, drop_short, ike_forwarded;
	uint64_t        drop_auth_gone, drop_replay_gone;   /* of sessions already removed */
	uint8_t         buf[PKT_MAX], out[PKT_MAX];
} dp;

static struct va *va_by_session(uint32_t id)
{
	for (struct va *v = dp.vas; v; v = v->next)
		if (v->session_id == id)
			return v;
	return NULL;
}

static void count_err(struct va *v, ssize_t err)
{
	if (err == ESP_ERR_AUTH)
		v->drop_auth++;
	else if (err == ESP_ERR_REPLAY)
		v->drop_replay++;
	else
		v->drop_other++;
}

/* ---- outbound: interface -> ESP ---- */

static void send_esp(struct va *v, const uint8_t *esp, size_t len)
{
	ssize_t n;
	if (v->encap == ENCAP_UDP)
		n = sendto(dp.udp, esp, len, 0, (struct sockaddr *)&v->peer, sizeof(v->peer));
	else {
		struct sockaddr_in dst = v->peer;
		dst.sin_port = 0;
		n = sendto(dp.raw, esp, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	}
	if (n < 0)
		v->drop_other++;
}

static void on_tun(uv_poll_t *h, int status, int events)
{
	struct va *v = h->data;
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = read(v->fd, dp.buf, sizeof(dp.buf));
		if (n <= 0)
			break;
		if (!v->out) {
			v->drop_other++;
			continue;
		}
		ssize_t m = esp_encap(v->out, dp.buf, (size_t)n, ESP_NH_IPV4, dp.out, sizeof(dp.out));
		if (m < 0) {
			count_err(v, m);
			continue;
		}
		v->pkts_out++;
		v->bytes_out += (uint64_t)n;
		send_esp(v, dp.out, (size_t)m);
	}
}

/* ---- inbound: ESP -> interface ---- */

static void esp_input(const uint8_t *esp, size_t len, const struct sockaddr_in *from, int udp)
{
	uint32_t spi;
	if (len < 8) {
		dp.drop_short++;
		log_rl("ESP datagram of %zu bytes from %s dropped: too short", len,
		       inet_ntoa(from->sin_addr));
		return;
	}
	memcpy(&spi, esp, 4);
	struct sa_in *s = sadb_lookup(dp.sadb, spi);
	if (!s) {
		dp.drop_unknown_spi++;
		log_rl("ESP with unknown SPI %08x from %s dropped", ntohl(spi), inet_ntoa(from->sin_addr));
		return;
	}
	struct va *v = s->va;
	uint8_t nh;
	ssize_t n = esp_decap(s->esp, esp, len, dp.out, sizeof(dp.out), &nh);
	if (n < 0) {
		count_err(v, n);
		log_rl("%s: ESP SPI %08x dropped: %s", v->ifname, ntohl(spi), esp_strerror((int)n));
		return;
	}
	/* An authenticated packet from a new port is a NAT rebinding: follow it. */
	if (udp && v->encap == ENCAP_UDP && from->sin_port != v->peer.sin_port &&
	    from->sin_addr.s_addr == v->peer.sin_addr.s_addr)
		v->peer.sin_port = from->sin_port;
	if (nh != ESP_NH_IPV4 || n < 20) {
		/* next header 59 is a dummy packet (RFC 4303 2.6): nothing to deliver */
		if (nh != ESP_NH_NONE)
			v->drop_other++;
		return;
	}
	v->pkts_in++;
	v->bytes_in += (uint64_t)n;
	if (v->fd >= 0 && write(v->fd, dp.out, (size_t)n) < 0)
		v->drop_other++;
}

static void on_udp(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		struct sockaddr_in from;
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct iovec iov = { dp.buf, sizeof(dp.buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = cbuf,
		                     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(dp.udp, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (n == 1 && dp.buf[0] == 0xff)
			continue;        /* NAT-T keepalive (RFC 3948 2.3) */
		if (n >= 4 && !memcmp(dp.buf, "\0\0\0\0", 4)) {
			struct msg_ike_pkt p;
			memset(&p, 0, sizeof(p));
			p.peer = from;
			p.local.sin_family = AF_INET;
			p.local.sin_port = htons(4500);
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
				if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
					struct in_pktinfo pi;
					memcpy(&pi, CMSG_DATA(c), sizeof(pi));
					p.local.sin_addr = pi.ipi_addr;
				}
			p.len = (uint16_t)(n - 4);
			dp.ike_forwarded++;
			imsg_compose2(&dp.ike, IMSG_IKE_PACKET, 0, -1, &p, sizeof(p), dp.buf + 4,
			              (size_t)n - 4);
			continue;
		}
		esp_input(dp.buf, (size_t)n, &from, 1);
	}
}

static void on_raw(uv_poll_t *h, int status, int events)
{
	if (status < 0)
		return;
	for (int i = 0; i < BATCH; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(dp.raw, dp.buf, sizeof(dp.buf), MSG_DONTWAIT,
		                     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (n < 20) {
			dp.drop_short++;
			continue;
		}
		size_t ihl = (size_t)(dp.buf[0] & 0x0f) * 4;
		if (ihl < 20 || (size_t)n < ihl) {
			dp.drop_short++;
			continue;
		}
		esp_input(dp.buf + ihl, (size_t)n - ihl, &from, 0);
	}
}

/* ---- interfaces ---- */

static int template_mtu(const struct conf_interface *t)
{
	if (t && t->mtu)
		return t->mtu;
	/* Worst case over the template's transform sets: outer IP + UDP + ESP overhead. */
	size_t worst = esp_overhead_max(ESP_ENCR_AES_CBC, ESP_AUTH_HMAC_SHA512_256);
	const struct conf_ipsec_profile *ip = t ? conf_find_ipsec_profile(dp.conf, t->protection)
	                                        : NULL;
	if (ip) {
		worst = 0;
		for (int i = 0; i < ip->ntset; i++) {
			const struct conf_transform_set *ts = conf_find_tset(dp.conf, ip->tset[i]);
			if (ts && esp_overhead_max(ts->encr, ts->auth) > worst)
				worst = esp_overhead_max(ts->encr, ts->auth);
		}
	}
	return 1500 - 20 - 8 - (int)worst;
}

static void va_destroy(uint32_t session_id);

static void va_reply(struct va *v, int status)
{
	struct msg_va_created r;
	memset(&r, 0, sizeof(r));
	r.session_id = v->session_id;
	r.status = status;
	if (!status) {
		r.ifindex = v->ifindex;
		r.unit = v->unit;
		memcpy(r.ifname, v->ifname, sizeof(r.ifname));
	}
	imsg_compose(&dp.ike, IMSG_VA_CREATED, v->session_id, -1, &r, sizeof(r));
}

static void va_unlink(struct va *v)
{
	for (struct va **pp = &dp.vas; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	dp.units[v->unit] = 0;
}

/* The interface is made in two steps: /dev/net/tun is root-only, so the parent opens it for
 * us (IMSG_TUN_OPEN); we attach and configure with CAP_NET_ADMIN when the fd arrives. SAs
 * that arrive in between are kept on the session. */
static void va_create(const struct msg_va_create *c)
{
	struct va *v = calloc(1, sizeof(*v));
	int unit = 0;
	for (int i = 1; i < MAX_UNITS; i++)
		if (!dp.units[i]) {
			unit = i;
			break;
		}
	if (!v || !unit) {
		struct va tmp = { .session_id = c->session_id };
		va_reply(&tmp, ENOSPC);
		free(v);
		return;
	}
	v->session_id = c->session_id;
	v->unit = unit;
	v->client = c->client_addr;
	v->template_num = c->template_num;
	v->fd = -1;
	snprintf(v->ifname, sizeof(v->ifname), "va%d", unit);
	dp.units[unit] = 1;
	v->next = dp.vas;
	dp.vas = v;
	imsg_compose(&dp.parent, IMSG_TUN_OPEN, c->session_id, -1, NULL, 0);
}

static void va_configure(struct va *v, int fd)
{
	const struct conf_interface *t = conf_find_template(dp.conf, v->template_num);
	int rc = tun_attach(fd, v->ifname, &v->ifindex, NULL);
	if (rc < 0) {
		log_rl("cannot create %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	v->fd = rc;
	char alias[32];
	snprintf(alias, sizeof(alias), "Virtual-Access%d", v->unit);
	int mtu = template_mtu(t);
	struct in_addr donor = { 0 };
	int plen;
	if (t && t->unnumbered[0] && nl_iface_addr(dp.nl, t->unnumbered, &donor, &plen) < 0)
		log_rl("%s: ip unnumbered %s: that interface has no IPv4 address", v->ifname,
		          t->unnumbered);
	rc = nl_link_set_alias(dp.nl, v->ifindex, alias);
	if (!rc)
		rc = nl_link_set(dp.nl, v->ifindex, 1, mtu);
	if (!rc && donor.s_addr)
		rc = nl_addr_add(dp.nl, v->ifindex, donor, 32);
	if (!rc)
		rc = nl_route_add(dp.nl, v->ifindex, v->client, 32, donor);
	if (rc < 0) {
		log_rl("cannot configure %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	uv_poll_init(dp.loop, &v->poll, v->fd);
	v->poll.data = v;
	uv_poll_start(&v->poll, UV_READABLE, on_tun);
	v->polling = 1;
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &v->client, ip, sizeof(ip));
	log_info("%s (%s) created for session %u, mtu %d, route %s/32", v->ifname, alias,
	         v->session_id, mtu, ip);
	va_reply(v, 0);
	return;
fail:
	va_reply(v, rc < 0 ? -rc : EIO);
	va_destroy(v->session_id);
}

static void sa_in_free(struct sa_in *s)
{
	sadb_remove(dp.sadb, s->spi);
	esp_sa_free(s->esp);
	free(s);
}

static void on_poll_closed(uv_handle_t *h)
{
	struct va *v = h->data;
	if (v->fd >= 0)
		close(v->fd);      /* the kernel deletes the interface and its routes */
	free(v);
}

static void send_counters(struct va *v)
{
	struct msg_counters c = {
		.session_id = v->session_id, .pkts_in = v->pkts_in, .pkts_out = v->pkts_out,
		.bytes_in = v->bytes_in, .bytes_out = v->bytes_out, .drop_auth = v->drop_auth,
		.drop_replay = v->drop_replay, .drop_other = v->drop_other,
	};
	imsg_compose(&dp.parent, IMSG_COUNTERS, v->session_id, -1, &c, sizeof(c));
}

static void va_destroy(uint32_t session_id)
{
	struct va *v = va_by_session(session_id);
	if (!v)
		return;
	va_unlink(v);
	send_counters(v);
	dp.drop_auth_gone += v->drop_auth;
	dp.drop_replay_gone += v->drop_replay;
	for (int i = 0; i < 4; i++)
		if (v->in[i])
			sa_in_free(v->in[i]);
	if (v->out)
		esp_sa_free(v->out);
	log_info("%s (Virtual-Access%d) removed: %llu packets in, %llu out", v->ifname, v->unit,
	         (unsigned long long)v->pkts_in, (unsigned long long)v->pkts_out);
	if (v->polling) {
		uv_poll_stop(&v->poll);
		uv_close((uv_handle_t *)&v->poll, on_poll_closed);
	} else {
		if (v->fd >= 0)
			close(v->fd);
		free(v);
	}
}

static void sa_added(const struct msg_sa_add *a, int status)
{
	struct msg_sa_added r = { a->session_id, a->spi_in, status };
	imsg_compose(&dp.ike, IMSG_SA_ADDED, a->session_id, -1, &r, sizeof(r));
}

/* Acknowledged either way: ikemgr holds its quick mode answer until the SA is in place. */
static void sa_add(const struct msg_sa_add *a)
{
	struct va *v = va_by_session(a->session_id);
	if (!v) {
		log_rl("SA for session %u without an interface, ignored", a->session_id);
		sa_added(a, ENOENT);
		return;
	}
	if ((size_t)a->enc_keylen > MSG_KEY_MAX || (size_t)a->auth_keylen > MSG_KEY_MAX)
		fatalx("ikemgr: SA key lengths out of range");
	struct esp_sa *in = esp_sa_new(a->encr, a->enckey_in, (size_t)a->enc_keylen, a->auth,
	                               a->authkey_in, (size_t)a->auth_keylen, a->spi_in,
	                               a->replay_window);
	struct esp_sa *out = esp_sa_new(a->encr, a->enckey_out, (size_t)a->enc_keylen, a->auth,
	                                a->authkey_out, (size_t)a->auth_keylen, a->spi_out, 0);
	struct sa_in *s = calloc(1, sizeof(*s));
	if (!in || !out || !s) {
		log_rl("%s: cannot set up SA %08x", v->ifname, ntohl(a->spi_in));
		if (in)
			esp_sa_free(in);
		if (out)
			esp_sa_free(out);
		free(s);
		sa_added(a, EINVAL);
		return;
	}
	s->esp = in;
	s->va = v;
	s->spi = a->spi_in;
	s->created = time(NULL);
	s->soft_seconds = a->soft_seconds;
	s->hard_seconds = a->hard_seconds;
	s->soft_bytes = a->soft_bytes;
	s->hard_bytes = a->hard_bytes;
	/* Keep the previous inbound SA: the peer may still send on it until it switches. */
	if (v->in[3])
		sa_in_free(v->in[3]);
	memmove(&v->in[1], &v->in[0], 3 * sizeof(v->in[0]));
	v->in[0] = s;
	sadb_insert(dp.sadb, s->spi, s);
	if (v->out)
		esp_sa_free(v->out);
	v->out = out;
	v->out_spi = a->spi_out;
	v->encap = a->encap;
	v->peer = a->peer;
	log_info("%s: SA in %08x out %08x installed (%s)", v->ifname, ntohl(a->spi_in),
	         ntohl(a->spi_out), a->encap == ENCAP_UDP ? "UDP 4500" : "ESP");
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = a->peer.sin_addr.s_addr, .spi = a->spi_in },
	        "%s: session %u: encr %d (%d key bytes), auth %d, replay window %d, lifetime %u s "
	        "(soft %u s)", v->ifname, a->session_id, a->encr, a->enc_keylen, a->auth,
	        a->replay_window, a->hard_seconds, a->soft_seconds);
	sa_added(a, 0);
}

static void sa_del(const struct msg_sa_del *d)
{
	struct va *v = va_by_session(d->session_id);
	if (!v)
		return;
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = v->peer.sin_addr.s_addr, .spi = d->spi_in },
	        "%s: session %u: deleting SA in %08x out %08x", v->ifname, d->session_id,
	        ntohl(d->spi_in), ntohl(d->spi_out));
	for (int i = 0; i < 4; i++)
		if (v->in[i] && v->in[i]->spi == d->spi_in) {
			sa_in_free(v->in[i]);
			memmove(&v->in[i], &v->in[i + 1], (size_t)(3 - i) * sizeof(v->in[0]));
			v->in[3] = NULL;
			break;
		}
	if (v->out && v->out_spi == d->spi_out) {
		esp_sa_free(v->out);
		v->out = NULL;
	}
}

static void on_stats(uv_timer_t *t)
{
	time_t now = time(NULL);
	for (struct va *v = dp.vas; v; v = v->next) {
		send_counters(v);
		for (int i = 0; i < 4; i++) {
			struct sa_in *s = v->in[i];
			if (!s)
				continue;
			uint64_t bytes = esp_sa_stats(s->esp).bytes;
			int hard = (s->hard_seconds && now - s->created >= s->hard_seconds) ||
			           (s->hard_bytes && bytes >= s->hard_bytes);
			int soft = (s->soft_seconds && now - s->created >= s->soft_seconds) ||
			           (s->soft_bytes && bytes >= s->soft_bytes);
			if (hard || (soft && !s->soft_sent)) {
				struct msg_sa_expire e = { v->session_id, s->spi, hard };
				imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
				s->soft_sent = 1;
			}
		}
	}
}

static void shutdown_all(void)
{
	uint64_t auth = 0, replay = 0, other = 0;
	for (struct va *v = dp.vas; v; v = v->next) {
		auth += v->drop_auth;
		replay += v->drop_replay;
		other += v->drop_other;
	}
	log_info("ESP drops: unknown-spi %llu short %llu auth %llu replay %llu other %llu; "
	         "IKE datagrams forwarded %llu",
	         (unsigned long long)dp.drop_unknown_spi, (unsigned long long)dp.drop_short,
	         (unsigned long long)(dp.drop_auth_gone + auth),
	         (unsigned long long)(dp.drop_replay_gone + replay),
	         (unsigned long long)other, (unsigned long long)dp.ike_forwarded);
	while (dp.vas)
		va_destroy(dp.vas->session_id);
}

#define NEED(T) \
	if (im->datalen != sizeof(T)) \
		fatalx("%s: message %u has %zu bytes, expected %zu", b->name, im->hdr.type, \
		       im->datalen, sizeof(T))

static void on_ike_msg(struct imsgbuf *b, struct imsg *im, void *arg)
{
	switch (im->hdr.type) {
	case IMSG_VA_CREATE:
		NEED(struct msg_va_create);
		va_create(im->data);
		break;
	case IMSG_VA_DESTROY:
		NEED(struct msg_va_destroy);
		va_destroy(((struct msg_va_destroy *)im->data)->session_id);
		break;
	case IMSG_SA_ADD:
		NEED(struct msg_sa_add);
		sa_add(im->data);
		explicit_bzero(im->data, im->datalen);
		break;
	case IMSG_SA_DEL:
		NEED(struct msg_sa_del);
		sa_del(im->data);
		break;
	default:
		fatalx("ikemgr: unexpected message type %u", im->hdr.type);
	}
}

static void on_parent_msg(struct imsgbuf *b, struct imsg *im, void *arg)
{
	switch (im->hdr.type) {
	case IMSG_TUN_FD: {
		int32_t err;
		if (im->datalen != sizeof(err))
			fatalx("parent: bad TUN_FD length");
		memcpy(&err, im->data, sizeof(err));
		struct va *v = va_by_session(im->hdr.peerid);
		if (!v || v->fd >= 0 || v->polling) {
			if (im->fd >= 0)
				close(im->fd);     /* the session went away meanwhile */
			break;
		}
		if (im->fd < 0) {
			log_rl("parent could not open /dev/net/tun: %s", strerror(err));
			va_reply(v, err ? err : EIO);
			va_destroy(v->session_id);
			break;
		}
		va_configure(v, im->fd);
		break;
	}
	case IMSG_DEBUG:
		if (log_dbg_msg(im->data, im->datalen) == -1)
			fatalx("parent: bad DEBUG length %zu", im->datalen);
		break;
	case IMSG_SHUTDOWN:
		shutdown_all();
		imsg_flush_blocking(&dp.parent);
		log_info("shut down");
		exit(0);
	default:
		fatalx("parent: unexpected message type %u", im->hdr.type);
	}
}

static void on_chan_error(struct imsgbuf *b, const char *why, void *arg)
{
	shutdown_all();
	/* ikemgr closes first at a normal shutdown; if it crashed, the parent sees to the rest. */
	if (b == &dp.ike) {
		log_info("ikemgr closed its channel (%s): stopping", why);
		exit(0);
	}
	fatalx("channel to %s lost: %s", b->name, why);
}

static void cleanup_leftover(int ifindex, const char *name, const char *alias, void *arg)
{
	if (!strncmp(name, "va", 2) && alias && !strncmp(alias, "Virtual-Access", 14)) {
		log_rl("removing %s (%s) left behind by an earlier run", name, alias);
		nl_link_del(dp.nl, ifindex);
	}
}

int tunmgr_main(struct proc_boot *boot)
{
	memset(&dp, 0, sizeof(dp));
	dp.loop = uv_default_loop();
	dp.conf = boot->conf;
	dp.udp = boot->sock[SOCK_IKE4500];
	dp.raw = boot->sock[SOCK_ESP_RAW];
	dp.sadb = sadb_new();
	dp.nl = nl_open();
	if (dp.nl < 0)
		fatalx("netlink: %s", strerror(-dp.nl));
	if (dp.udp < 0 || boot->sock[CHAN_IKEMGR] < 0)
		fatalx("started without its sockets");
	nl_list_links(dp.nl, cleanup_leftover, NULL);

	imsgbuf_init(&dp.parent, dp.loop, boot->parent_fd, "parent", on_parent_msg, on_chan_error,
	             NULL);
	imsgbuf_init(&dp.ike, dp.loop, boot->sock[CHAN_IKEMGR], "ikemgr", on_ike_msg, on_chan_error,
	             NULL);
	uv_poll_init(dp.loop, &dp.udp_poll, dp.udp);
	uv_poll_start(&dp.udp_poll, UV_READABLE, on_udp);
	if (dp.raw >= 0) {
		uv_poll_init(dp.loop, &dp.raw_poll, dp.raw);
		uv_poll_start(&dp.raw_poll, UV_READABLE, on_raw);
	}
	uv_timer_init(dp.loop, &dp.stats_timer);
	uv_timer_start(&dp.stats_timer, on_stats, 5000, 5000);
	log_info("data plane ready");
	return uv_run(dp.loop, UV_RUN_DEFAULT);
}
