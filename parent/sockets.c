/* The network sockets the parent opens as root for the children, and the interface check. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "parent/parent.h"

/* Bursts of IKE and ESP must not overflow the kernel queue while a child is busy. */
#define SOCK_BUF_SIZE (4 * 1024 * 1024)

static void set_bufs(int fd, const char *what)
{
	int sz = SOCK_BUF_SIZE;

	/* FORCE goes past net.core.rmem_max; plain SO_RCVBUF is the fallback without CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) == -1)
		log_warn("%s: SO_RCVBUF", what);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) == -1)
		log_warn("%s: SO_SNDBUF", what);
}

/* The hub listens on every address of its interfaces, IPv4 and IPv6 on sockets of their own
 * (IPV6_V6ONLY: no v4-mapped peers), and answers from the address each datagram reached. */
/* DUAL (AF_INET6 only): IPv4 peers too, as mapped addresses */
static int open_udp_af(int af, uint16_t port, int dual)
{
	union sa46 sa;
	char what[40];
	int fd, on = 1, v6only = !dual;

	snprintf(what, sizeof(what), "UDP port %u%s", port, af == AF_INET6 ? " (IPv6)" : "");
	fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		if (af == AF_INET6 && errno == EAFNOSUPPORT)
			return -2;
		log_warn("%s: socket", what);
		return -1;
	}
	/* PKTINFO: the local address a datagram came to, needed to answer from it */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    ((af == AF_INET || dual) &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1) ||
	    (af == AF_INET6 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
	                                   sizeof(v6only)) == -1 ||
	                        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	                                   sizeof(on)) == -1))) {
		log_warn("%s: setsockopt", what);
		close(fd);
		return -1;
	}
	set_bufs(fd, what);
	if (af == AF_INET6)
		sa46_from6(&sa, &in6addr_any, htons(port));
	else
		sa46_from4(&sa, (struct in_addr){ htonl(INADDR_ANY) }, htons(port));
	if (bind(fd, &sa.sa, sa46_len(&sa)) == -1) {
		log_warn("%s: bind", what);
		close(fd);
		return -1;
	}
	return fd;
}

static int open_udp(uint16_t port)
{
	return open_udp_af(AF_INET, port, 0);
}

/* An IPv6 raw socket hands over the ESP header without the IPv6 one (RFC 3542 3), an IPv4
 * one with it: tunmgr reads them apart. */
static int open_esp_raw(int af)
{
	const char *what = af == AF_INET6 ? "raw ESP socket (IPv6)" : "raw ESP socket";
	int fd, on = 1;

	fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	if (fd == -1) {
		if (af == AF_INET6 && errno == EAFNOSUPPORT)
			return -2;
		log_warn("%s", what);
		return -1;
	}
	if ((af == AF_INET && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1) ||
	    (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	                                  sizeof(on)) == -1)) {
		log_warn("%s: PKTINFO", what);
		close(fd);
		return -1;
	}
	set_bufs(fd, what);
	return fd;
}

int sockets_open(int socks[PROC_NSOCK])
{
	int bad = 0;

	for (int i = 0; i < PROC_NSOCK; i++)
		socks[i] = -1;
	socks[SOCK_IKE500] = open_udp(500);
	socks[SOCK_IKE4500] = open_udp(4500);
	socks[SOCK_ESP_RAW] = open_esp_raw(AF_INET);
	socks[SOCK_IKE500_6] = open_udp_af(AF_INET6, 500, 0);
	socks[SOCK_IKE4500_6] = open_udp_af(AF_INET6, 4500, 0);
	socks[SOCK_ESP_RAW6] = open_esp_raw(AF_INET6);
	for (int i = 0; i < PROC_NSOCK; i++)
		bad |= socks[i] == -1 && (i == SOCK_IKE500 || i == SOCK_IKE4500 ||
		                          i == SOCK_ESP_RAW || i >= SOCK_IKE500_6);
	/* a kernel without IPv6 (-2 on all three): an IPv4 hub, said once */
	if (socks[SOCK_IKE500_6] == -2 && socks[SOCK_IKE4500_6] == -2 && socks[SOCK_ESP_RAW6] == -2) {
		log_info("no IPv6 in this kernel: IKE and ESP over IPv4 only");
		socks[SOCK_IKE500_6] = socks[SOCK_IKE4500_6] = socks[SOCK_ESP_RAW6] = -1;
		bad = socks[SOCK_IKE500] == -1 || socks[SOCK_IKE4500] == -1 || socks[SOCK_ESP_RAW] == -1;
	}
	for (int i = SOCK_IKE500_6; i <= SOCK_ESP_RAW6; i++)
		if (socks[i] == -2)
			socks[i] = -1, bad = 1;
	if (bad) {
		sockets_close(socks);
		return -1;
	}
	return 0;
}

/* One UDP socket for both families (IPv4 arrives as ::ffff:a.b.c.d), with the local address
 * of each datagram (IP_PKTINFO, IPV6_RECVPKTINFO) so an answer leaves from it; -2 when the
 * host has no IPv6. */
int sockets_open_dynauth(int socks[PROC_NSOCK], const struct vpnd_conf *conf)
{
	if (!conf->dynauth.enabled)
		return 0;
	/* on any address of either family, as IOS listens; the source of each request is
	 * checked by keymgr */
	int fd = open_udp_af(AF_INET6, conf->dynauth.port, 1);
	if (fd == -2) {
		log_info("dynamic-author: no IPv6 on this host, UDP port %u on IPv4 only",
		         conf->dynauth.port);
		fd = open_udp(conf->dynauth.port);
	}
	socks[SOCK_DYNAUTH] = fd;
	return fd == -1 ? -1 : 0;
}

/* ip http server: the metrics endpoint's listening TCP socket, served by control */
int sockets_open_metrics(int socks[PROC_NSOCK], const struct vpnd_conf *conf)
{
	struct sockaddr_in sin;
	char what[48], a[INET_ADDRSTRLEN];
	int fd, on = 1;

	if (!conf->http_server)
		return 0;
	inet_ntop(AF_INET, &conf->http_addr, a, sizeof(a));
	snprintf(what, sizeof(what), "ip http server %s port %d", a, conf->http_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("%s: socket", what);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)conf->http_port);
	sin.sin_addr = conf->http_addr;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(fd, 16) == -1) {
		log_warn("%s", what);
		close(fd);
		return -1;
	}
	socks[SOCK_METRICS] = fd;
	return 0;
}

void sockets_close(int socks[PROC_NSOCK])
{
	for (int i = 0; i < PROC_NSOCK; i++) {
		if (socks[i] != -1)
			close(socks[i]);
		socks[i] = -1;
	}
}

static int mask_len(struct in_addr mask)
{
	return __builtin_popcount(ntohl(mask.s_addr));
}

/* ifa_name is the address label: "eth0" or "eth0:1" for a labelled secondary address. */
static int label_is(const char *label, const char *ifname)
{
	size_t n = strlen(ifname);
	return strncmp(label, ifname, n) == 0 && (label[n] == '\0' || label[n] == ':');
}

static void check_one(const struct vpnd_conf *conf, const struct conf_interface *ci,
                      struct ifaddrs *all)
{
	const char *dev = conf_iface_device(conf, ci->name);
	char want[INET_ADDRSTRLEN], have[256], a[INET_ADDRSTRLEN];
	size_t hl = 0;
	int present = 0;

	inet_ntop(AF_INET, &ci->addr, want, sizeof(want));
	have[0] = '\0';
	for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
		if (!label_is(i->ifa_name, dev))
			continue;
		present = 1;
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET || i->ifa_netmask == NULL)
			continue;
		struct in_addr sa = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		struct in_addr sm = ((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr;
		if (sa.s_addr == ci->addr.s_addr && sm.s_addr == ci->mask.s_addr)
			return;
		inet_ntop(AF_INET, &sa, a, sizeof(a));
		int n = snprintf(have + hl, sizeof(have) - hl, "%s%s/%d", hl ? ", " : "", a,
		                 mask_len(sm));
		if (n > 0 && (size_t)n < sizeof(have) - hl)
			hl += (size_t)n;
	}
	if (!present)
		log_warnx("interface %s: configured %s/%d, no such interface on this system",
		          ci->name, want, mask_len(ci->mask));
	else
		log_warnx("interface %s: configured %s/%d, system has %s", ci->name, want,
		          mask_len(ci->mask), hl ? have : "no IPv4 address");
}

int iface_bind(struct vpnd_conf *conf, conf_diag_fn diag, void *arg)
{
	struct ifaddrs *all;
	int nerr;

	if (getifaddrs(&all) == -1) {
		log_warn("getifaddrs: IOS interface names not bound");
		all = NULL;
	}
	nerr = conf_bind_devices(conf, all, diag, arg);
	if (all)
		freeifaddrs(all);
	return nerr;
}

void iface_check(const struct vpnd_conf *conf)
{
	struct ifaddrs *all;

	if (getifaddrs(&all) == -1) {
		log_warn("getifaddrs: interface addresses not checked");
		return;
	}
	for (int i = 0; i < conf->niface && i < CONF_MAX_IFACES; i++) {
		const struct conf_interface *ci = &conf->iface[i];
		/* an IOS name without a device was reported when it was bound; a Loopback's
		 * address is tunmgr's to put on lo */
		if (!ci->is_template && !ci->is_loopback && ci->has_addr &&
		    (ci->device[0] || !conf_iface_is_ios(ci->name)))
			check_one(conf, ci, all);
	}
	freeifaddrs(all);
}
