/*
 * tunmgr's shared state, for its files only: the sessions' interfaces (struct va), their SAs
 * and the data plane's sockets and buffers (dp). One thread owns all of it.
 *
 * device.c  interfaces: create, configure, template, destroy
 * sa.c      SAs on an interface: install, rekey switch-over, removal
 * send.c    interface -> ESP (TSO super-packets cut by offload.c first)
 * receive.c ESP (UDP 4500, raw protocol 50) -> interface (TCP coalesced, offload.c); IKE
 *           on 4500 to ikemgr
 * timers.c  counters, activity and lifetimes
 * keepalive.c NAT keepalives to NAT-T peers
 * ezvpn.c   Easy VPN remote sessions: bounds (ezbounds.c), routes, NAT (nat.c); Loopbacks
 * dispatch.c the imsg channels' handlers
 * tunmgr.c  start and stop
 */
#ifndef VPND_TUNMGR_H
#define VPND_TUNMGR_H

#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <uv.h>

#include "common/conf.h"
#include "common/imsg.h"
#include "common/msg.h"
#include "common/pktinfo.h"
#include "tunmgr/esp.h"
#include "tunmgr/offload.h"

/* vaN numbers: the lowest free one is taken, so a number comes back after its session ends;
 * room for 20,000 sessions and more (tunmgr's RLIMIT_NOFILE, one TUN fd each, is 69632) */
#define MAX_UNITS    65536
#define PKT_MAX      65536
#define BATCH        64      /* packets per wakeup of one socket or interface */
#define MMSG         32      /* datagrams per recvmmsg / sendmmsg */
#define VNET_HDR     sizeof(struct virtio_net_hdr)

struct va;
struct natt_ka;
struct ez_session;
struct nl_va;
struct cm_session;
struct vti_session;

struct sa_in {
	struct esp_sa *esp;
	struct va     *va;
	uint32_t       spi, spi_out;    /* spi_out: its outbound twin */
	struct in_addr net, mask;       /* the selector it belongs to */
	int            v6;              /* an IPv6 SA: its selector is net6/plen6 (sa.c) */
	struct in6_addr net6;
	int            plen6;
	int            own6;            /* net6/128 is the client's Mode Config address */
	time_t         created;
	uint32_t       soft_seconds, hard_seconds;
	uint64_t       soft_bytes, hard_bytes;
	int            soft_sent, hard_sent;
	/* per-SA counters for the session store: the outbound twin's stats are read from its
	 * va_out while it lives and kept here once it is freed */
	struct esp_stats out_st;
	uint64_t       send_err;
	uint64_t       reported;     /* sum of the counters last sent: unchanged ones are not */
	uv_timer_t     life;         /* the next lifetime limit in seconds (timers.c) */
};

#define VA_MAX_SEL 8
#define VA_MAX_IN  8

/*
 * The outbound SA for packets to one client-side selector. A rekeyed SA waits as `pending`
 * until its inbound twin has carried a packet (the peer has the pair) or the SA it replaces
 * is deleted, so nothing is sent on an SPI the peer does not have yet. No timeout: when the
 * answer to a peer's rekey is lost, the peer installs the pair only after its retransmit
 * (4 s for charon), and the old SA is good until then (test_rekey_loss).
 */
struct va_out {
	struct in_addr net, mask;       /* v6: SEL6_KEY, which no IPv4 selector can be */
	int            v6;
	struct in6_addr net6;           /* v6: the selector net6/plen6 */
	int            plen6;
	int            own6;            /* the client's own IPv6 address (sa.c) */
	struct esp_sa *out;
	uint32_t       out_spi;
	struct esp_sa *pending;
	uint32_t       pending_spi;
	struct sa_in  *pending_in;
	int            routed;          /* we added a route for net/mask via the interface */
};

struct va {
	LIST_ENTRY(va) entry;
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
	int            outer6;          /* the session came over IPv6: 20 bytes more per packet */
	union sa46     peer;
	/* inbound SAs of this session (the newest first) */
	struct sa_in  *in[VA_MAX_IN];
	uint64_t       pkts_in, pkts_out, bytes_in, bytes_out, drop_auth, drop_replay, drop_other;
	uint64_t       told_in, told_out;       /* counts last sent to ikemgr (activity) */
	LIST_ENTRY(va) active, counted;         /* timers.c: moved since the last tick, 5 s */
	uint8_t        on_active, on_counted;
	/* ip access-group of the template: from the client (in), toward it (out) */
	const struct conf_acl *acl_in, *acl_out;
	const struct conf_acl6 *acl6_in, *acl6_out;   /* ipv6 traffic-filter */
	char           acl_in_name[64];         /* the session's own (RADIUS), "" = template's */
	char           acl_out_name[64];
	char           acl6_in_name[64], acl6_out_name[64];     /* the same for IPv6 */
	uint16_t       mss;                     /* ip tcp adjust-mss, 0 = off */
	uint16_t       mss6;                    /* ipv6 tcp adjust-mss, 0 = off */
	int            own_mtu, own_mss;        /* RADIUS ip:interface-config, 0 = template's */
	/* RADIUS Framed-Route: routed here, sent on the client's own SA, accepted from it */
	struct msg_route froute[MSG_ROUTES_MAX];
	int            nfroute;
	/* RADIUS Framed-IPv6-Route and Delegated-IPv6-Prefix: the same, on the IPv6 SA */
	struct msg_route6 froute6[MSG_ROUTES_MAX + 1];
	int            nfroute6;
	struct natt_ka *ka;                     /* keepalive.c: NAT keepalive timer, or NULL */
	/* IFF_VNET_HDR on the TUN (offload.h): reads may be TSO super-packets, writes coalesced */
	int            vnet;
	uint64_t       tso_in, gro_out;         /* super-packets cut, coalesced writes */
	struct ez_session *ez;                  /* ezvpn.c: an Easy VPN remote session, or NULL */
	struct cm_session *cm;                  /* cmap.c: a manual crypto map entry, or NULL */
	struct vti_session *vti;                /* vti.c: a static VTI (TunnelN), or NULL */
};

struct dataplane {
	uv_loop_t      *loop;
	const struct vpnd_conf *conf;
	struct imsgbuf  parent, ike, key;
	int             udp, raw, nl;
	int             udp6, raw6;         /* IPv6 outside; -1: none */
	uint32_t        link_group;     /* every vaN of this run, deleted together at the end */
	uv_poll_t       udp_poll, raw_poll, udp6_poll, raw6_poll;
	uv_timer_t      tick;
	unsigned        ticks;
	LIST_HEAD(, va) active, counted;
	struct sadb    *sadb;
	LIST_HEAD(, va) vas;
	struct sadb    *by_session;        /* session id -> va */
	uint8_t         units[MAX_UNITS];
	int             unit_hint;          /* no free unit below it */
	uint64_t        drop_unknown_spi, drop_short, ike_forwarded, drop_acl;
	uint64_t        drop_auth_gone, drop_replay_gone;   /* of sessions already removed */
	uint64_t        natt_ka_sent;       /* NAT keepalives sent (keepalive.c) */
	uint64_t        gso_sends;          /* send.c: batches sent as one UDP GSO datagram */
	int             no_gso;             /* the kernel refused UDP_SEGMENT: sendmmsg only */
	uint64_t        drop_vnet;          /* reads from a TUN whose virtio header did not add up */
	/* read from a TUN (virtio header first), one segment cut from it, opened ESP (room
	 * for a virtio header before it) */
	uint8_t         buf[VNET_HDR + PKT_MAX], seg[PKT_MAX], out[VNET_HDR + PKT_MAX];
	struct gro      gro;                /* receive.c: TCP segments for one write to gro_va */
	struct va      *gro_va;
	struct {                 /* receive.c: one recvmmsg */
		struct mmsghdr     m[MMSG];
		struct iovec       iov[MMSG];
		union sa46         from[MMSG];
		union pktinfo_cbuf cbuf[MMSG];
		uint8_t          (*buf)[PKT_MAX];        /* MMSG buffers, allocated at start */
	} rx;
	struct {                 /* send.c: sealed packets for one sendmmsg */
		struct mmsghdr     m[MMSG];
		struct iovec       iov[MMSG];
		size_t             len[MMSG];
		uint32_t           spi[MMSG];
		uint8_t          (*buf)[PKT_MAX];
	} tx;
};
extern struct dataplane dp;

/* device.c */
struct va *va_by_session(uint32_t id);
void va_create(const struct msg_va_create *);
struct va *va_new(uint32_t session_id, int template_num);
void va_open(struct va *);
void va_create_authorized(const struct msg_va_create *, int ok);
void va_configure(struct va *, int fd);
void va_reply(struct va *, int status);
void va_destroy(uint32_t session_id);
void va_template_apply(struct va *);
void on_authz(const struct msg_authz *);

/* sa.c */
void count_err(struct va *, ssize_t err);
struct sa_in *in_twin(struct va *, uint32_t spi_out);
struct esp_sa *out_twin(struct va *, const struct sa_in *);
void switch_out(struct va *, struct va_out *);
struct va_out *out_find(struct va *, struct in_addr net, struct in_addr mask);
struct va_out *out_of(struct va *, const struct sa_in *);     /* the SA's selector's */
int in_framed_route(const struct va *, uint32_t a);
/* froute6.c: a session's IPv6 networks from RADIUS, checked again (va_create), routed
 * through its interface (va_configure) */
void froute6_take(struct va *, const struct msg_authz *);
void froute6_install(struct va *);
int in_framed_route6(const struct va *, const uint8_t a[16]);
/* The IPv4 key of an IPv6 selector in outs[] and sa_in: 255.255.255.255/32 is never one of a
 * client's, so the IPv4 look-ups pass it by and the rekey code needs no second path. */
#define SEL6_KEY 0xffffffffu
void sa_in_free(struct sa_in *);
void sa_add(const struct msg_sa_add *);
void sa_del(const struct msg_sa_del *);

/* send.c, receive.c */
void on_tun(uv_poll_t *, int status, int events);
void on_udp(uv_poll_t *, int status, int events);
void on_raw(uv_poll_t *, int status, int events);

/* timers.c */
void sa_counters(struct va *, struct sa_in *, int force);
void send_counters(struct va *, int final);
void timers_start(void);
void sa_life_start(struct sa_in *);
void sa_life_stop(struct sa_in *);     /* frees the SA once libuv lets go of its timer */
void va_forget(struct va *);

/* The data path saw the interface move or drop a packet: the next tick looks at it. */
static inline void va_touch(struct va *v)
{
	if (!v->on_active) {
		LIST_INSERT_HEAD(&dp.active, v, active);
		v->on_active = 1;
	}
}

/* keepalive.c */
void natt_ka_update(struct va *);
void natt_ka_stop(struct va *);

/* ezvpn.c: Easy VPN remote sessions (this host the client) and Loopback addresses */
void ez_va_create(const struct msg_ez_va *);
void ez_backup_ok(const struct msg_ez_backup *);   /* keymgr accepted a server's backups */
int  ez_setup(struct va *, struct nl_va *);
void ez_teardown(struct va *);
int  ez_sel_allowed(struct va *, const struct msg_sa_add *, int plen, char *why, size_t whylen);
int  ez_inbound(struct va *, uint32_t src, uint32_t dst);
void ez_start(void);
int  ez_has_session(const char *ezvpn);       /* it has its interface (eztrap.c) */
void ez_stop(void);

/* cmap.c: crypto map entries with manual keys (cmN devices, policy routing) */
#define CM_SESSION_BASE MSG_CM_SESSION_BASE     /* + N: ikemgr's ids never get there */
#define CM_TABLE_BASE   2500            /* + N: cmN's routing table */
#define CM_RULE_PRIO    2500            /* every cmN's rule */
void cm_manual_sa(const struct msg_manual_sa *);
void cm_configure(struct va *, int fd);
int  cm_inbound(struct va *, uint32_t src, uint32_t dst);
void cm_teardown(struct va *);
void cm_reloaded(void);
void cm_start(void);

/* vti.c: static VTIs (TunnelN devices, SAs from ikemgr for the destination and 0/0) */
void vti_sync(void);
void vti_configure(struct va *, int fd);
int  vti_sa_allowed(struct va *, const struct msg_sa_add *, int plen, char *why, size_t whylen);
void vti_routes(struct va *, int up);
void vti_settings(struct va *);         /* its access lists and MSS, again at a reload */
void vti_teardown(struct va *);

/* dispatch.c */
void dispatch_init(int parent_fd, int ike_fd, int key_fd);

/* tunmgr.c */
void shutdown_all(void);

#endif
