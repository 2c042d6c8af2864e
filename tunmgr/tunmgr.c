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
#include "common/netpolicy.h"
#include "tunmgr/acl.h"
#include "tunmgr/authz.h"
#include "tunmgr/mss.h"
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
	uint32_t       spi, spi_out;    /* spi_out: its outbound twin */
	struct in_addr net, mask;       /* the selector it belongs to */
	time_t         created;
	uint32_t       soft_seconds, hard_seconds;
	uint64_t       soft_bytes, hard_bytes;
	int            soft_sent, hard_sent;
	/* per-SA counters for the session store: the outbound twin's stats are read from its
	 * va_out while it lives and kept here once it is freed */
	struct esp_stats out_st;
	uint64_t       send_err;
	uint64_t       reported;     /* sum of the counters last sent: unchanged ones are not */
};

#define VA_MAX_SEL 8
#define VA_MAX_IN  8

/*
 * The outbound SA for packets to one client-side selector. A rekeyed SA waits as `pending`
 * until its inbound twin has carried a packet (the peer has the pair) or the SA it replaces
 * is deleted, so nothing is sent on an SPI the peer does not have yet. No timeout: when the
 * answer to a peer's rekey is lost, the peer installs the pair only after its retransmit
 * (4 s for charon), and the old SA is good until then.
 */
struct va_out {
	struct in_addr net, mask;
	struct esp_sa *out;
	uint32_t       out_spi;
	struct esp_sa *pending;
	uint32_t       pending_spi;
	struct sa_in  *pending_in;
	int            routed;          /* we added a route for net/mask via the interface */
};

struct va {
	struct va     *next;
	uint32_t       session_id;
	int            unit, ifindex, fd;
	char           ifname[IF_NAMESIZE];
	uv_poll_t      poll;
	int            polling;
	struct in_addr client;
	int            client_plen;
	int            template_num;
	/* outbound: one SA per selector (the client's address, networks behind it) */
	struct va_out  outs[VA_MAX_SEL];
	int            nouts;
	int            encap;
	struct sockaddr_in peer;
	/* inbound SAs of this session (the newest first) */
	struct sa_in  *in[VA_MAX_IN];
	uint64_t       pkts_in, pkts_out, bytes_in, bytes_out, drop_auth, drop_replay, drop_other;
	uint64_t       told_in, told_out;       /* counts last sent to ikemgr (activity) */
	/* ip access-group of the template: from the client (in), toward it (out) */
	const struct conf_acl *acl_in, *acl_out;
	char           acl_in_name[64];         /* the session's own (RADIUS), "" = template's */
	char           acl_out_name[64];
	uint16_t       mss;                     /* ip tcp adjust-mss, 0 = off */
	int            own_mtu, own_mss;        /* RADIUS ip:interface-config, 0 = template's */
	/* RADIUS Framed-Route: routed here, sent on the client's own SA, accepted from it */
	struct msg_route froute[MSG_ROUTES_MAX];
	int            nfroute;
};

static struct {
	uv_loop_t      *loop;
	const struct vpnd_conf *conf;
	struct imsgbuf  parent, ike, key;
	int             udp, raw, nl;
	uv_poll_t       udp_poll, raw_poll;
	uv_timer_t      stats_timer;
	struct sadb    *sadb;
	struct va      *vas;
	uint8_t         units[MAX_UNITS];
	uint64_t        drop_unknown_spi, drop_short, ike_forwarded, drop_acl;
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

/* The inbound twin of outbound SPI (0 when gone), and the twin's outbound SA if it lives. */
static struct sa_in *in_twin(struct va *v, uint32_t spi_out)
{
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i] && v->in[i]->spi_out == spi_out)
			return v->in[i];
	return NULL;
}

static struct esp_sa *out_twin(struct va *v, const struct sa_in *s)
{
	for (int i = 0; i < v->nouts; i++) {
		if (v->outs[i].out && v->outs[i].out_spi == s->spi_out)
			return v->outs[i].out;
		if (v->outs[i].pending && v->outs[i].pending_spi == s->spi_out)
			return v->outs[i].pending;
	}
	return NULL;
}

/* An outbound SA is about to be freed: its final counters stay with its inbound twin. */
static void out_retire(struct va *v, uint32_t spi_out, struct esp_sa *out)
{
	struct sa_in *s = in_twin(v, spi_out);
	if (s && out)
		s->out_st = esp_sa_stats(out);
}

/* The pair's counters to the parent (the session store); FORCE: even if unchanged. */
static void sa_counters(struct va *v, struct sa_in *s, int force)
{
	struct esp_stats in = esp_sa_stats(s->esp), out = s->out_st;
	struct esp_sa *o = out_twin(v, s);
	if (o)
		out = esp_sa_stats(o);
	struct msg_sa_counters c = {
		.session_id = v->session_id, .spi_in = s->spi, .spi_out = s->spi_out,
		.pkts_encaps = out.pkts, .bytes_encaps = out.bytes,
		.pkts_decaps = in.pkts, .bytes_decaps = in.bytes,
		.verify_fail = in.err_auth, .replay_fail = in.err_replay,
		.recv_errors = in.err_pad + in.err_other,
		.send_errors = s->send_err + out.err_other + out.err_auth + out.err_pad,
	};
	uint64_t sum = c.pkts_encaps + c.pkts_decaps + c.verify_fail + c.replay_fail +
	               c.recv_errors + c.send_errors;
	if (!force && sum == s->reported)
		return;
	s->reported = sum;
	imsg_compose(&dp.parent, IMSG_SA_COUNTERS, v->session_id, -1, &c, sizeof(c));
}

static void switch_out(struct va *v, struct va_out *o)
{
	if (!o->pending)
		return;
	if (o->out) {
		out_retire(v, o->out_spi, o->out);
		esp_sa_free(o->out);
	}
	o->out = o->pending;
	o->out_spi = o->pending_spi;
	o->pending = NULL;
	o->pending_in = NULL;
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = v->peer.sin_addr.s_addr, .spi = o->out_spi },
	        "%s: now sending on SA %08x", v->ifname, ntohl(o->out_spi));
}

static struct va_out *out_find(struct va *v, struct in_addr net, struct in_addr mask)
{
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].net.s_addr == net.s_addr && v->outs[i].mask.s_addr == mask.s_addr)
			return &v->outs[i];
	return NULL;
}

static int in_framed_route(const struct va *v, uint32_t a)
{
	for (int i = 0; i < v->nfroute; i++) {
		int plen = v->froute[i].plen;
		uint32_t m = htonl(plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
		if ((a & m) == v->froute[i].net.s_addr)
			return 1;
	}
	return 0;
}

/* The selector for a destination: longest prefix first (masks are contiguous). A network
 * RADIUS routed to the client (Framed-Route) that no selector names goes on the SA of the
 * client's own address. */
static struct va_out *out_for(struct va *v, uint32_t dst)
{
	struct va_out *best = NULL;
	for (int i = 0; i < v->nouts; i++) {
		struct va_out *o = &v->outs[i];
		if ((dst & o->mask.s_addr) == o->net.s_addr &&
		    (!best || ntohl(o->mask.s_addr) > ntohl(best->mask.s_addr)))
			best = o;
	}
	if (!best && in_framed_route(v, dst) && v->client.s_addr != dst)
		return out_for(v, v->client.s_addr);
	return best;
}

/* -1 when the datagram could not be sent (counted). */
static int send_esp(struct va *v, const uint8_t *esp, size_t len)
{
	ssize_t n;
	if (v->encap == ENCAP_UDP)
		n = sendto(dp.udp, esp, len, 0, (struct sockaddr *)&v->peer, sizeof(v->peer));
	else {
		struct sockaddr_in dst = v->peer;
		dst.sin_port = 0;
		n = sendto(dp.raw, esp, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	}
	if (n < 0) {
		v->drop_other++;
		return -1;
	}
	return 0;
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
		uint32_t dst;
		if (n < 20) {
			v->drop_other++;
			continue;
		}
		memcpy(&dst, dp.buf + 16, 4);
		if (v->acl_out && !acl_permits(v->acl_out, dp.buf, (size_t)n)) {
			v->drop_other++;
			dp.drop_acl++;
			continue;
		}
		if (v->mss)
			mss_clamp(dp.buf, (size_t)n, v->mss);
		struct va_out *o = out_for(v, dst);
		if (!o || !o->out) {
			v->drop_other++;
			continue;
		}
		ssize_t m = esp_encap(o->out, dp.buf, (size_t)n, ESP_NH_IPV4, dp.out, sizeof(dp.out));
		if (m < 0) {
			count_err(v, m);
			continue;
		}
		v->pkts_out++;
		v->bytes_out += (uint64_t)n;
		if (send_esp(v, dp.out, (size_t)m) < 0) {
			struct sa_in *s = in_twin(v, o->out_spi);
			if (s)
				s->send_err++;
		}
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
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].pending_in == s)
			switch_out(v, &v->outs[i]);
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
	/* RFC 4301 5.2: the inner source must lie in the SA's selector (no spoofing of other
	 * sessions' addresses or the hub's networks through a valid SA) */
	uint32_t src;
	memcpy(&src, dp.out + 12, 4);
	if ((src & s->mask.s_addr) != s->net.s_addr && !in_framed_route(v, src)) {
		v->drop_other++;
		log_rl("%s: packet from %s outside the selector of SA %08x dropped", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), ntohl(spi));
		return;
	}
	if (v->acl_in && !acl_permits(v->acl_in, dp.out, (size_t)n)) {
		v->drop_other++;
		dp.drop_acl++;
		log_rl("%s: packet from %s denied by access list %s", v->ifname,
		       inet_ntoa(*(struct in_addr *)&src), v->acl_in->name);
		return;
	}
	if (v->mss)
		mss_clamp(dp.out, (size_t)n, v->mss);
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
			/* over the queue's cap (ikemgr behind) it is dropped and counted in dp.ike */
			if (imsg_compose2(&dp.ike, IMSG_IKE_PACKET, 0, -1, &p, sizeof(p), dp.buf + 4,
			                  (size_t)n - 4) == 0)
				dp.ike_forwarded++;
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
		/* the kernel fills it for an AF_INET raw socket; zeroed so nothing can read it unset */
		struct sockaddr_in from = { 0 };
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

/* The session's own access list (RADIUS, CoA) in place of the template's; one gone after a
 * reload fails closed rather than let the session run unfiltered. */
static const struct conf_acl *session_acl(const struct va *v, const char *own, const char *tpl,
                                          const char *dir)
{
	static const struct conf_acl deny_all;   /* no entries: the implicit deny */
	if (!own[0])
		return tpl[0] ? conf_find_acl(dp.conf, tpl) : NULL;
	const struct conf_acl *a = conf_find_acl(dp.conf, own);
	if (a)
		return a;
	log_rl("%s: access list %s is no longer configured, denying all %s the client", v->ifname,
	       own, dir);
	return &deny_all;
}

/* What a virtual-access interface takes from its template while it lives (IOS applies template
 * changes to the cloned interfaces too): access lists and the MSS clamp. */
static void va_template_apply(struct va *v)
{
	const struct conf_interface *t = conf_find_template(dp.conf, v->template_num);
	v->acl_in = session_acl(v, v->acl_in_name, t ? t->acl_in : "", "from");
	v->acl_out = session_acl(v, v->acl_out_name, t ? t->acl_out : "", "to");
	v->mss = v->own_mss > 0 ? (uint16_t)v->own_mss :
	         t && t->tcp_mss > 0 ? (uint16_t)t->tcp_mss : 0;
}

/* keymgr's verdict on a session, new or changed by a CoA-Request: a live interface's
 * access lists are in force from the next packet. */
static void on_authz(const struct msg_authz *m)
{
	if (authz_set(m) < 0)
		fatal("authz");
	struct va *v = va_by_session(m->session_id);
	const struct msg_authz *a = authz_get(m->session_id);
	if (!v || !a || (!strcmp(v->acl_in_name, a->acl_in) && !strcmp(v->acl_out_name, a->acl_out)))
		return;
	snprintf(v->acl_in_name, sizeof(v->acl_in_name), "%s", a->acl_in);
	snprintf(v->acl_out_name, sizeof(v->acl_out_name), "%s", a->acl_out);
	va_template_apply(v);
	log_info("%s: inbound access list now %s", v->ifname,
	         v->acl_in_name[0] ? v->acl_in_name : "the template's");
}

static void va_refuse(uint32_t session_id, const char *why)
{
	struct va tmp = { .session_id = session_id };
	log_warnx("interface for session %u refused: %s", session_id, why);
	va_reply(&tmp, EPERM);
}

/* The interface is made in two steps: /dev/net/tun is root-only, so the parent opens it for
 * us (IMSG_TUN_OPEN); we attach and configure with CAP_NET_ADMIN when the fd arrives. SAs
 * that arrive in between are kept on the session. */
static void va_create(const struct msg_va_create *c)
{
	const struct msg_authz *a = authz_get(c->session_id);
	if (!a) {
		if (authz_park(c) < 0)
			va_refuse(c->session_id, "keymgr has not authorized it");
		return;
	}
	/* ikemgr asks; keymgr's verdict and the configuration decide */
	char why[160];
	int plen = c->client_plen > 0 && c->client_plen <= 32 ? c->client_plen : 32;
	if (a->addr.s_addr ? c->client_addr.s_addr != a->addr.s_addr || plen != 32
	                   : authz_check_net(dp.conf, a, c->client_addr, plen, why, sizeof(why)) != NULL) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &c->client_addr, ip, sizeof(ip));
		if (a->addr.s_addr)
			snprintf(why, sizeof(why), "not the address keymgr gave it");
		char msg[240];
		snprintf(msg, sizeof(msg), "%s/%d: %s", ip, plen, why);
		va_refuse(c->session_id, msg);
		return;
	}
	if (va_by_session(c->session_id)) {
		va_refuse(c->session_id, "it has one already");
		return;
	}
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
	v->client_plen = plen;
	v->template_num = c->template_num;
	snprintf(v->acl_in_name, sizeof(v->acl_in_name), "%s", a->acl_in);
	snprintf(v->acl_out_name, sizeof(v->acl_out_name), "%s", a->acl_out);
	v->own_mtu = a->mtu >= 68 && a->mtu <= 9216 ? a->mtu : 0;
	v->own_mss = a->tcp_mss >= 500 && a->tcp_mss <= 1460 ? a->tcp_mss : 0;
	for (int i = 0; i < a->nroute; i++) {
		/* keymgr vetted them; the configuration is checked here again all the same */
		if (netpolicy_claimable(dp.conf, a->route[i].net, a->route[i].plen, why,
		                        sizeof(why))) {
			log_warnx("session %u: Framed-Route %s/%d refused: %s", c->session_id,
			          inet_ntoa(a->route[i].net), a->route[i].plen, why);
			continue;
		}
		v->froute[v->nfroute++] = a->route[i];
	}
	va_template_apply(v);
	v->fd = -1;
	snprintf(v->ifname, sizeof(v->ifname), "va%d", unit);
	dp.units[unit] = 1;
	v->next = dp.vas;
	dp.vas = v;
	imsg_compose(&dp.parent, IMSG_TUN_OPEN, c->session_id, -1, NULL, 0);
}

/* A request that waited for keymgr's verdict. */
static void va_create_authorized(const struct msg_va_create *c, int ok)
{
	if (ok)
		va_create(c);
	else
		va_refuse(c->session_id, "keymgr has not authorized it");
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
	int mtu = v->own_mtu ? v->own_mtu : template_mtu(t);
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
		rc = nl_route_add(dp.nl, v->ifindex, v->client, v->client_plen, donor);
	if (rc < 0) {
		log_rl("cannot configure %s: %s", v->ifname, strerror(-rc));
		goto fail;
	}
	/* Framed-Route: a route that cannot be added is logged, the session goes on (the
	 * client's own address is routed) */
	for (int i = 0; i < v->nfroute; i++) {
		int r = nl_route_add(dp.nl, v->ifindex, v->froute[i].net, v->froute[i].plen, donor);
		if (r < 0)
			log_rl("%s: Framed-Route %s/%d not installed: %s", v->ifname,
			       inet_ntoa(v->froute[i].net), v->froute[i].plen, strerror(-r));
		else
			log_info("%s: Framed-Route %s/%d", v->ifname, inet_ntoa(v->froute[i].net),
			         v->froute[i].plen);
	}
	uv_poll_init(dp.loop, &v->poll, v->fd);
	v->poll.data = v;
	uv_poll_start(&v->poll, UV_READABLE, on_tun);
	v->polling = 1;
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &v->client, ip, sizeof(ip));
	log_info("%s (%s) created for session %u, mtu %d, route %s/%d", v->ifname, alias,
	         v->session_id, mtu, ip, v->client_plen);
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

static void send_counters(struct va *v, int final)
{
	struct msg_counters c = {
		.final = final,
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
	send_counters(v, 1);
	dp.drop_auth_gone += v->drop_auth;
	dp.drop_replay_gone += v->drop_replay;
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i]) {
			sa_counters(v, v->in[i], 1);
			sa_in_free(v->in[i]);
		}
	for (int i = 0; i < v->nouts; i++) {
		if (v->outs[i].out)
			esp_sa_free(v->outs[i].out);
		if (v->outs[i].pending)
			esp_sa_free(v->outs[i].pending);
	}
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
	/* a selector is a route into this tunnel: keymgr's verdict must allow it */
	const struct msg_authz *z = authz_get(a->session_id);
	char why[160];
	int plen = netpolicy_mask_len(a->sel_mask);
	if (!z || plen < 0 || authz_check_net(dp.conf, z, a->sel_net, plen, why, sizeof(why))) {
		log_warnx("%s: SA %08x for %s/%d refused: %s", v->ifname, ntohl(a->spi_in),
		          inet_ntoa(a->sel_net), plen, !z ? "keymgr no longer authorizes the session"
		                                          : plen < 0 ? "not a prefix" : why);
		sa_added(a, EPERM);
		return;
	}
	/* an SPI another SA holds would hide that SA (and its removal would remove the other) */
	if (sadb_lookup(dp.sadb, a->spi_in)) {
		log_warnx("%s: SA %08x refused: that inbound SPI is in use", v->ifname,
		          ntohl(a->spi_in));
		sa_added(a, EEXIST);
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
	s->spi_out = a->spi_out;
	s->net = a->sel_net;
	s->mask = a->sel_mask;
	struct va_out *o = out_find(v, a->sel_net, a->sel_mask);
	if (!o && v->nouts < VA_MAX_SEL) {
		o = &v->outs[v->nouts++];
		memset(o, 0, sizeof(*o));
		o->net = a->sel_net;
		o->mask = a->sel_mask;
	}
	if (!o) {
		log_rl("%s: more than %d networks behind the client, SA %08x refused", v->ifname,
		       VA_MAX_SEL, ntohl(a->spi_in));
		esp_sa_free(in);
		esp_sa_free(out);
		free(s);
		sa_added(a, ENOSPC);
		return;
	}
	/* A network behind the client (not its own address, not "any") is routed here. */
	uint32_t base_mask = v->client_plen >= 32 ? 0xffffffffu
	                                          : htonl(~(0xffffffffu >> v->client_plen));
	if (!o->routed && o->mask.s_addr && !(o->mask.s_addr == base_mask &&
	                                      o->net.s_addr == v->client.s_addr)) {
		static const struct in_addr none;
		int plen = 0;
		for (uint32_t m = ntohl(o->mask.s_addr); m & 0x80000000u; m <<= 1)
			plen++;
		int rc = nl_route_add(dp.nl, v->ifindex, o->net, plen, none);
		/* a route that exists already is not ours to remove later */
		if (rc < 0 && rc != -EEXIST)
			log_rl("%s: cannot route %s/%d here: %s", v->ifname, inet_ntoa(o->net), plen,
			       strerror(-rc));
		else if (rc == 0)
			o->routed = 1;
	}
	/* Keep the previous inbound SAs: the peer may still send on them until it switches. */
	if (v->in[VA_MAX_IN - 1]) {
		struct sa_in *old = v->in[VA_MAX_IN - 1];
		for (int i = 0; i < v->nouts; i++)
			if (v->outs[i].pending_in == old)
				v->outs[i].pending_in = NULL;
		sa_counters(v, old, 1);
		sa_in_free(old);
	}
	memmove(&v->in[1], &v->in[0], (VA_MAX_IN - 1) * sizeof(v->in[0]));
	v->in[0] = s;
	sadb_insert(dp.sadb, s->spi, s);
	if (o->pending)
		switch_out(v, o);       /* a second rekey before the first was used */
	if (o->out) {
		o->pending = out;
		o->pending_spi = a->spi_out;
		o->pending_in = s;
	} else {
		o->out = out;
		o->out_spi = a->spi_out;
	}
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

static void out_remove(struct va *v, struct va_out *o)
{
	if (o->routed) {
		int plen = 0;
		for (uint32_t m = ntohl(o->mask.s_addr); m & 0x80000000u; m <<= 1)
			plen++;
		nl_route_del(dp.nl, v->ifindex, o->net, plen);
	}
	int i = (int)(o - v->outs);
	memmove(&v->outs[i], &v->outs[i + 1], (size_t)(v->nouts - i - 1) * sizeof(v->outs[0]));
	v->nouts--;
}

static void sa_del(const struct msg_sa_del *d)
{
	struct va *v = va_by_session(d->session_id);
	if (!v)
		return;
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = v->peer.sin_addr.s_addr, .spi = d->spi_in },
	        "%s: session %u: deleting SA in %08x out %08x", v->ifname, d->session_id,
	        ntohl(d->spi_in), ntohl(d->spi_out));
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i] && v->in[i]->spi == d->spi_in) {
			for (int k = 0; k < v->nouts; k++)
				if (v->outs[k].pending_in == v->in[i])
					v->outs[k].pending_in = NULL;
			sa_counters(v, v->in[i], 1);
			sa_in_free(v->in[i]);
			memmove(&v->in[i], &v->in[i + 1], (size_t)(VA_MAX_IN - 1 - i) * sizeof(v->in[0]));
			v->in[VA_MAX_IN - 1] = NULL;
			break;
		}
	for (int k = 0; k < v->nouts; k++) {
		struct va_out *o = &v->outs[k];
		if (o->pending && o->pending_spi == d->spi_out) {
			out_retire(v, o->pending_spi, o->pending);
			esp_sa_free(o->pending);
			o->pending = NULL;
			o->pending_in = NULL;
		}
		if (o->out && o->out_spi == d->spi_out) {
			/* the current outbound SA goes: its successor, if any, takes over now */
			out_retire(v, o->out_spi, o->out);
			esp_sa_free(o->out);
			o->out = NULL;
			switch_out(v, o);
		}
		if (!o->out && !o->pending) {
			out_remove(v, o);
			break;
		}
	}
}

/* Once a second: lifetimes (a kilobyte limit can pass quickly); counters every fifth. */
static void on_stats(uv_timer_t *t)
{
	static unsigned ticks;
	time_t now = time(NULL);
	int counters = ++ticks % 5 == 0;
	for (struct va *v = dp.vas; v; v = v->next) {
		if (counters)
			send_counters(v, 0);
		if (v->pkts_in != v->told_in || v->pkts_out != v->told_out) {
			struct msg_va_activity a = { v->session_id, v->pkts_in, v->pkts_out };
			imsg_compose(&dp.ike, IMSG_VA_ACTIVITY, v->session_id, -1, &a, sizeof(a));
			v->told_in = v->pkts_in;
			v->told_out = v->pkts_out;
		}
		for (int i = 0; i < VA_MAX_IN; i++) {
			struct sa_in *s = v->in[i];
			if (!s)
				continue;
			if (counters)
				sa_counters(v, s, 0);
			uint64_t bytes = esp_sa_stats(s->esp).bytes;
			/* the lifetime in kilobytes holds for each direction (RFC 2407 4.5) */
			struct va_out *o = out_find(v, s->net, s->mask);
			if (o && o->out && o->out_spi == s->spi_out) {
				uint64_t ob = esp_sa_stats(o->out).bytes;
				if (ob > bytes)
					bytes = ob;
			}
			int hard = (s->hard_seconds && now - s->created >= s->hard_seconds) ||
			           (s->hard_bytes && bytes >= s->hard_bytes);
			int soft = (s->soft_seconds && now - s->created >= s->soft_seconds) ||
			           (s->soft_bytes && bytes >= s->soft_bytes);
			/* Soft always comes first, hard at the earliest a second later: a burst that
			 * crosses both limits between two ticks still gets its rekey before the
			 * SA goes. */
			if ((soft || hard) && !s->soft_sent) {
				struct msg_sa_expire e = { v->session_id, s->spi, 0 };
				imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
				s->soft_sent = 1;
			} else if (hard && !s->hard_sent) {
				struct msg_sa_expire e = { v->session_id, s->spi, 1 };
				imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
				s->hard_sent = 1;
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
	log_info("ESP drops: unknown-spi %llu short %llu auth %llu replay %llu other %llu "
	         "(access lists %llu); IKE datagrams forwarded %llu, dropped with ikemgr behind %llu",
	         (unsigned long long)dp.drop_unknown_spi, (unsigned long long)dp.drop_short,
	         (unsigned long long)(dp.drop_auth_gone + auth),
	         (unsigned long long)(dp.drop_replay_gone + replay),
	         (unsigned long long)other, (unsigned long long)dp.drop_acl,
	         (unsigned long long)dp.ike_forwarded, dp.ike.dropped);
	while (dp.vas)
		va_destroy(dp.vas->session_id);
}

/* The three channels' dispatch tables: sizes and senders are checked by then (msgcat). */
static void h_va_create(struct imsgbuf *b, struct imsg *im, void *arg)
{
	va_create(im->data);
}

static void h_va_destroy(struct imsgbuf *b, struct imsg *im, void *arg)
{
	va_destroy(((struct msg_va_destroy *)im->data)->session_id);
}

static void h_sa_add(struct imsgbuf *b, struct imsg *im, void *arg)
{
	sa_add(im->data);
	explicit_bzero(im->data, im->datalen);
}

static void h_sa_del(struct imsgbuf *b, struct imsg *im, void *arg)
{
	sa_del(im->data);
}

static void h_authz(struct imsgbuf *b, struct imsg *im, void *arg)
{
	on_authz(im->data);
}

static void h_authz_del(struct imsgbuf *b, struct imsg *im, void *arg)
{
	authz_del(((struct msg_authz_del *)im->data)->session_id);
}

static void h_tun_fd(struct imsgbuf *b, struct imsg *im, void *arg)
{
	int32_t err;
	memcpy(&err, im->data, sizeof(err));
	struct va *v = va_by_session(im->hdr.peerid);
	if (!v || v->fd >= 0 || v->polling) {
		if (im->fd >= 0)
			close(im->fd);     /* the session went away meanwhile */
		return;
	}
	if (im->fd < 0) {
		log_rl("parent could not open /dev/net/tun: %s", strerror(err));
		va_reply(v, err ? err : EIO);
		va_destroy(v->session_id);
		return;
	}
	va_configure(v, im->fd);
}

static void h_debug(struct imsgbuf *b, struct imsg *im, void *arg)
{
	log_dbg_msg(im->data, im->datalen);
}

static void h_reload(struct imsgbuf *b, struct imsg *im, void *arg)
{
	/* in place: dp.conf is our heap copy and the interfaces point into it */
	memcpy((struct vpnd_conf *)dp.conf, im->data, sizeof(struct vpnd_conf));
	int n = 0;
	for (struct va *v = dp.vas; v; v = v->next, n++)
		va_template_apply(v);
	log_info("configuration reloaded: %d interface%s updated from their templates", n,
	         n == 1 ? "" : "s");
}

static void h_shutdown(struct imsgbuf *b, struct imsg *im, void *arg)
{
	shutdown_all();
	imsg_flush_blocking(&dp.parent);
	log_info("shut down");
	exit(0);
}

static const imsg_dispatch_fn from_ike[IMSG_TYPE_MAX] = {
	[IMSG_VA_CREATE] = h_va_create,
	[IMSG_VA_DESTROY] = h_va_destroy,
	[IMSG_SA_ADD] = h_sa_add,
	[IMSG_SA_DEL] = h_sa_del,
};
static const imsg_dispatch_fn from_key[IMSG_TYPE_MAX] = {
	[IMSG_AUTHZ] = h_authz,
	[IMSG_AUTHZ_DEL] = h_authz_del,
};
static const imsg_dispatch_fn from_parent[IMSG_TYPE_MAX] = {
	[IMSG_TUN_FD] = h_tun_fd,
	[IMSG_DEBUG] = h_debug,
	[IMSG_RELOAD] = h_reload,
	[IMSG_SHUTDOWN] = h_shutdown,
};
static const struct imsg_chan chan_ike = { ROLE_TUNMGR, ROLE_IKEMGR, from_ike };
static const struct imsg_chan chan_key = { ROLE_TUNMGR, ROLE_KEYMGR, from_key };
static const struct imsg_chan chan_parent = { ROLE_TUNMGR, ROLE_PARENT, from_parent };

static void on_chan_error(struct imsgbuf *b, const char *why, void *arg)
{
	shutdown_all();
	proc_violation(&dp.parent, b);
	/* ikemgr closes first at a normal shutdown; if it crashed, the parent sees to the rest. */
	if (b == &dp.ike || b == &dp.key) {
		log_info("%s closed its channel (%s): stopping", b->name, why);
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
	if (dp.udp < 0 || boot->sock[CHAN_IKEMGR] < 0 || boot->sock[CHAN_KEYMGR] < 0)
		fatalx("started without its sockets");
	nl_list_links(dp.nl, cleanup_leftover, NULL);

	imsgbuf_init_chan(&dp.parent, dp.loop, boot->parent_fd, "parent", &chan_parent,
	                  on_chan_error, NULL);
	imsgbuf_init_chan(&dp.ike, dp.loop, boot->sock[CHAN_IKEMGR], "ikemgr", &chan_ike,
	                  on_chan_error, NULL);
	imsgbuf_init_chan(&dp.key, dp.loop, boot->sock[CHAN_KEYMGR], "keymgr", &chan_key,
	                  on_chan_error, NULL);
	authz_park_init(dp.loop, va_create_authorized);
	uv_poll_init(dp.loop, &dp.udp_poll, dp.udp);
	uv_poll_start(&dp.udp_poll, UV_READABLE, on_udp);
	if (dp.raw >= 0) {
		uv_poll_init(dp.loop, &dp.raw_poll, dp.raw);
		uv_poll_start(&dp.raw_poll, UV_READABLE, on_raw);
	}
	uv_timer_init(dp.loop, &dp.stats_timer);
	uv_timer_start(&dp.stats_timer, on_stats, 1000, 1000);
	log_info("data plane ready");
	return uv_run(dp.loop, UV_RUN_DEFAULT);
}
