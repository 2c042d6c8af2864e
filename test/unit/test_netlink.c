/*
 * TUN devices and rtnetlink requests, each test in a private network namespace of its own
 * (Criterion runs every test in a separate process, so unshare() affects only that test and the
 * namespace disappears with it). Needs root; skips otherwise. Results are read back both
 * through our own dumps and through iproute2 where it is installed.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tunmgr/netlink.h"
#include "tunmgr/tun.h"

static int nl = -1;

static void
private_netns(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root for a private network namespace");
	if (unshare(CLONE_NEWNET) != 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		cr_skip_test("no /dev/net/tun");
	nl = nl_open();
	cr_assert_geq(nl, 0, "nl_open: %s", strerror(-nl));
}

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* Output of a shell command, "" if it failed or iproute2 is missing. */
static const char *
run(const char *cmd)
{
	static char out[8192];
	size_t n = 0, r;
	FILE *p;

	out[0] = '\0';
	p = popen(cmd, "r");
	if (p == NULL)
		return out;
	while (n < sizeof(out) - 1 && (r = fread(out + n, 1, sizeof(out) - 1 - n, p)) > 0)
		n += r;
	out[n] = '\0';
	pclose(p);
	return out;
}

static int
have_ip(void)
{
	return system("ip -V >/dev/null 2>&1") == 0;
}

static int
make_va5(int *ifindex)
{
	int fd = tun_open("va5", ifindex);

	cr_assert_geq(fd, 0, "tun_open: %s", strerror(-fd));
	cr_assert_gt(*ifindex, 0);
	cr_assert_eq((int)if_nametoindex("va5"), *ifindex);
	return fd;
}

Test(netlink, tun_alias_up_mtu)
{
	struct nl_link_info li;
	int idx, fd;

	private_netns();
	fd = make_va5(&idx);
	cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);

	cr_assert_eq(nl_link_set_alias(nl, idx, "Virtual-Access5"), 0);
	cr_assert_eq(nl_link_set(nl, idx, 1, 1400), 0);
	cr_assert_eq(nl_link_get(nl, idx, &li), 0);
	cr_assert_str_eq(li.name, "va5");
	cr_assert_str_eq(li.alias, "Virtual-Access5");
	cr_assert_eq(li.mtu, 1400);
	cr_assert(li.flags & IFF_UP);
	if (have_ip()) {
		const char *o = run("ip -d link show dev va5");

		cr_assert_not_null(strstr(o, "mtu 1400"), "%s", o);
		cr_assert_not_null(strstr(o, "alias Virtual-Access5"), "%s", o);
		cr_assert_not_null(strstr(o, ",UP"), "%s", o);
		cr_assert_not_null(strstr(o, "tun type tun pi off"), "%s", o);
	}
	/* mtu 0 keeps the MTU; down */
	cr_assert_eq(nl_link_set(nl, idx, 0, 0), 0);
	cr_assert_eq(nl_link_get(nl, idx, &li), 0);
	cr_assert_eq(li.mtu, 1400);
	cr_assert_not(li.flags & IFF_UP);
	/* the kernel's refusals come back as -errno */
	cr_assert_eq(nl_link_set(nl, idx, 1, 20), -EINVAL);
	cr_assert_eq(nl_link_set(nl, 99999, 1, 0), -ENODEV);
	cr_assert_eq(nl_link_get(nl, 99999, &li), -ENODEV);

	close(fd);
	/* not persistent: closing the fd removes the interface */
	cr_assert_eq(if_nametoindex("va5"), 0);
	cr_assert_eq(nl_link_get(nl, idx, &li), -ENODEV);
	nl_close(nl);
}

Test(netlink, tun_names)
{
	char name[IF_NAMESIZE];
	int idx, fd, fd2, dir;

	private_netns();
	cr_assert_eq(tun_open("a-name-much-too-long", &idx), -EINVAL);
	dir = open("/dev/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(dir, 0);
	fd = tun_open_at(dir, "va%d", &idx, name);
	cr_assert_geq(fd, 0, "%s", strerror(-fd));
	cr_assert_str_eq(name, "va0");
	cr_assert_eq((int)if_nametoindex("va0"), idx);
	/* the same name again is refused while the first one is open */
	fd2 = tun_open("va0", &idx);
	cr_assert_lt(fd2, 0);
	close(fd);
	close(dir);
	nl_close(nl);
}

struct found {
	int va5_index;
	char alias[256];
	int seen_lo;
	int n;
};

static void
on_link(int ifindex, const char *name, const char *alias, void *arg)
{
	struct found *f = arg;

	f->n++;
	if (strcmp(name, "va5") == 0) {
		f->va5_index = ifindex;
		snprintf(f->alias, sizeof(f->alias), "%s", alias);
	}
	if (strcmp(name, "lo") == 0) {
		f->seen_lo = 1;
		cr_assert_str_eq(alias, "");
	}
}

/* crash cleanup: delete every va* interface from the callback */
static void
delete_va(int ifindex, const char *name, const char *alias, void *arg)
{
	if (strncmp(name, "va", 2) == 0)
		cr_assert_eq(nl_link_del(*(int *)arg, ifindex), 0, "deleting %s", name);
}

Test(netlink, list_and_delete_links)
{
	struct found f = { 0 };
	struct nl_link_info li;
	int idx, fd, idx6, fd6;

	private_netns();
	fd = make_va5(&idx);
	fd6 = tun_open("va6", &idx6);
	cr_assert_geq(fd6, 0);
	cr_assert_eq(nl_link_set_alias(nl, idx, "Virtual-Access5"), 0);
	cr_assert_eq(nl_list_links(nl, on_link, &f), 0);
	cr_assert_eq(f.va5_index, idx);
	cr_assert_str_eq(f.alias, "Virtual-Access5");
	cr_assert(f.seen_lo);
	cr_assert_geq(f.n, 3);

	cr_assert_eq(nl_list_links(nl, delete_va, &nl), 0);
	cr_assert_eq(nl_link_get(nl, idx, &li), -ENODEV);
	cr_assert_eq(nl_link_get(nl, idx6, &li), -ENODEV);
	cr_assert_eq(nl_link_get(nl, (int)if_nametoindex("lo"), &li), 0);
	cr_assert_eq(nl_link_del(nl, idx), -ENODEV);
	close(fd);
	close(fd6);
	nl_close(nl);
}

static void
count_va(int ifindex, const char *name, const char *alias, void *arg)
{
	if (strncmp(name, "va", 2) == 0 && strncmp(alias, "Virtual-Access", 14) == 0)
		(*(int *)arg)++;
}

/* enough interfaces that the dump spans several reads */
Test(netlink, dump_many_links)
{
	enum { N = 150 };
	int fds[N], idx, count = 0;
	char name[IF_NAMESIZE], alias[64];

	private_netns();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "va%d", 100 + i);
		fds[i] = tun_open(name, &idx);
		cr_assert_geq(fds[i], 0, "%s: %s", name, strerror(-fds[i]));
		snprintf(alias, sizeof(alias), "Virtual-Access%d", 100 + i);
		cr_assert_eq(nl_link_set_alias(nl, idx, alias), 0);
	}
	cr_assert_eq(nl_list_links(nl, count_va, &count), 0);
	cr_assert_eq(count, N);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	nl_close(nl);
}

Test(netlink, addresses)
{
	struct in_addr a;
	int idx, fd, lo = (int)if_nametoindex("lo"), plen = -1;

	private_netns();
	fd = make_va5(&idx);
	cr_assert_eq(nl_iface_addr(nl, "va5", &a, &plen), -EADDRNOTAVAIL);
	cr_assert_eq(nl_iface_addr(nl, "nosuch0", &a, &plen), -ENODEV);

	/* ip unnumbered: the donor's address as /32 on the virtual-access interface */
	cr_assert_eq(nl_addr_add(nl, idx, ip("10.55.0.1"), 32), 0);
	cr_assert_eq(nl_addr_add(nl, idx, ip("10.55.0.1"), 32), -EEXIST);
	cr_assert_eq(nl_iface_addr(nl, "va5", &a, &plen), 0);
	cr_assert_eq(a.s_addr, ip("10.55.0.1").s_addr);
	cr_assert_eq(plen, 32);

	/* lo: 127.0.0.1/8 comes with "up", ours second; the first one is reported */
	cr_assert_eq(nl_link_set(nl, lo, 1, 0), 0);
	cr_assert_eq(nl_addr_add(nl, lo, ip("10.77.0.1"), 24), 0);
	cr_assert_eq(nl_iface_addr(nl, "lo", &a, &plen), 0);
	cr_assert_eq(a.s_addr, ip("127.0.0.1").s_addr);
	cr_assert_eq(plen, 8);
	if (have_ip()) {
		const char *o = run("ip -4 -o addr show");

		cr_assert_not_null(strstr(o, "va5    inet 10.55.0.1/32"), "%s", o);
		cr_assert_not_null(strstr(o, "lo    inet 10.77.0.1/24"), "%s", o);
	}
	cr_assert_eq(nl_addr_add(nl, idx, ip("10.55.0.2"), 33), -EINVAL);
	close(fd);
	nl_close(nl);
}

Test(netlink, routes)
{
	int idx, fd;

	private_netns();
	fd = make_va5(&idx);
	cr_assert_eq(nl_link_set(nl, idx, 1, 0), 0);
	cr_assert_eq(nl_addr_add(nl, idx, ip("10.55.0.1"), 32), 0);

	cr_assert_eq(nl_route_add(nl, idx, ip("10.66.0.0"), 24, ip("10.55.0.1")), 0);
	cr_assert_eq(nl_route_add(nl, idx, ip("10.66.0.0"), 24, ip("10.55.0.1")), -EEXIST);
	cr_assert_eq(nl_route_add(nl, idx, ip("192.168.1.1"), 32, ip("0.0.0.0")), 0);
	/* a preferred source that is not ours */
	cr_assert_eq(nl_route_add(nl, idx, ip("10.67.0.0"), 24, ip("10.99.0.1")), -EINVAL);
	if (have_ip()) {
		const char *o = run("ip -4 route show dev va5");

		cr_assert_not_null(strstr(o, "10.66.0.0/24 proto static scope link src 10.55.0.1"),
		    "%s", o);
		cr_assert_not_null(strstr(o, "192.168.1.1 proto static scope link"), "%s", o);
		o = run("ip -4 route get 10.66.0.9");
		cr_assert_not_null(strstr(o, "dev va5 src 10.55.0.1"), "%s", o);
	}
	cr_assert_eq(nl_route_del(nl, idx, ip("10.66.0.0"), 24), 0);
	cr_assert_eq(nl_route_del(nl, idx, ip("10.66.0.0"), 24), -ESRCH);
	cr_assert_eq(nl_route_del(nl, idx, ip("192.168.1.1"), 32), 0);
	if (have_ip()) {
		const char *o = run("ip -4 route show dev va5");

		cr_assert_null(strstr(o, "10.66.0.0"), "%s", o);
		cr_assert_null(strstr(o, "192.168.1.1"), "%s", o);
	}
	close(fd);
	nl_close(nl);
}

/* More routes than one send holds (256), one never added, one no kernel could have. */
Test(netlink, routes_deleted_in_bulk, .timeout = 20)
{
	struct nl_route r[602];
	size_t refused = 99;
	int idx, fd;

	private_netns();
	fd = make_va5(&idx);
	cr_assert_eq(nl_link_set(nl, idx, 1, 0), 0);
	for (int i = 0; i < 600; i++) {
		struct in_addr a = { htonl(0x0a460000u + (uint32_t)i) };   /* 10.70.0.0 + i */

		cr_assert_eq(nl_route_add(nl, idx, a, 32, ip("0.0.0.0")), 0);
		r[i] = (struct nl_route){ idx, a, 32 };
	}
	r[600] = (struct nl_route){ idx, ip("10.71.0.1"), 32 };
	r[601] = (struct nl_route){ idx, ip("10.71.0.2"), 33 };
	cr_assert_eq(nl_routes_del(nl, r, 602, &refused), 0);
	cr_assert_eq(refused, 2);
	for (int i = 0; i < 600; i += 37)
		cr_assert_eq(nl_route_del(nl, idx, r[i].dst, 32), -ESRCH, "route %d is still there", i);
	cr_assert_eq(nl_routes_del(nl, r, 0, &refused), 0);
	cr_assert_eq(refused, 0);
	close(fd);
	nl_close(nl);
}

static uint16_t
csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* Read packets from the TUN fd until an IPv4 UDP one shows up (IPv6 noise is skipped). */
static ssize_t
read_udp4(int fd, uint8_t *buf, size_t cap)
{
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		cr_assert_eq(poll(&p, 1, 2000), 1, "nothing came out of the TUN device");
		n = read(fd, buf, cap);
		if (n >= 28 && (buf[0] >> 4) == 4 && buf[9] == IPPROTO_UDP)
			return n;
	}
	cr_assert_fail("no IPv4 UDP packet");
	return -1;
}

Test(netlink, tun_packet_io)
{
	uint8_t pkt[2048];
	struct sockaddr_in to = { .sin_family = AF_INET }, me = { .sin_family = AF_INET };
	struct iphdr *iph = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + 20);
	char rx[64];
	int idx, fd, s, lo = (int)if_nametoindex("lo");
	ssize_t n;

	private_netns();
	fd = make_va5(&idx);
	cr_assert_eq(nl_link_set(nl, lo, 1, 0), 0);
	cr_assert_eq(nl_link_set(nl, idx, 1, 1400), 0);
	cr_assert_eq(nl_addr_add(nl, lo, ip("10.55.0.1"), 32), 0);
	cr_assert_eq(nl_route_add(nl, idx, ip("10.66.0.0"), 24, ip("10.55.0.1")), 0);

	/* kernel -> TUN: a datagram routed through va5 comes out of the fd as an IP packet */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	me.sin_port = htons(7777);
	me.sin_addr = ip("10.55.0.1");
	cr_assert_eq(bind(s, (struct sockaddr *)&me, sizeof(me)), 0);
	to.sin_port = htons(9999);
	to.sin_addr = ip("10.66.0.2");
	cr_assert_eq(sendto(s, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)), 5);
	n = read_udp4(fd, pkt, sizeof(pkt));
	cr_assert_eq(n, 20 + 8 + 5);
	cr_assert_eq(iph->saddr, ip("10.55.0.1").s_addr);
	cr_assert_eq(iph->daddr, ip("10.66.0.2").s_addr);
	cr_assert_eq(udp->dest, htons(9999));
	cr_assert_eq(memcmp(pkt + 28, "hello", 5), 0);

	/* TUN -> kernel: a packet written to the fd is delivered to the local socket */
	memset(pkt, 0, 28);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(20 + 8 + 5);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = ip("10.66.0.2").s_addr;
	iph->daddr = ip("10.55.0.1").s_addr;
	iph->check = csum(iph, 20);
	udp->source = htons(9999);
	udp->dest = htons(7777);
	udp->len = htons(8 + 5);
	udp->check = 0;         /* optional over IPv4 */
	memcpy(pkt + 28, "world", 5);
	cr_assert_eq(write(fd, pkt, 33), 33);
	{
		struct pollfd p = { .fd = s, .events = POLLIN };

		cr_assert_eq(poll(&p, 1, 2000), 1, "the written packet was not delivered");
	}
	n = recv(s, rx, sizeof(rx), 0);
	cr_assert_eq(n, 5);
	cr_assert_eq(memcmp(rx, "world", 5), 0);
	close(s);
	close(fd);
	nl_close(nl);
}

/* IPv6 packets read from a TUN fd within ms milliseconds (others are counted too) */
static int
ipv6_read(int fd, int ms, int *other)
{
	unsigned char buf[2048];
	int v6 = 0;

	for (int waited = 0; waited < ms; waited += 100) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		for (int i = 0; i < 64; i++) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				break;
			if ((buf[0] >> 4) == 6)
				v6++;
			else
				(*other)++;
		}
	}
	return v6;
}

/*
 * A virtual-access interface in one round trip: alias, MTU, up, the donor's /32, the route,
 * and no IPv6 at all: no link-local address, nothing IPv6 read from the TUN (router
 * solicitations, MLD). va6, brought up the plain way next to it, shows what is avoided.
 */
Test(netlink, va_setup_ipv4_only, .timeout = 20)
{
	struct nl_link_info li;
	struct in_addr a;
	int idx, fd, idx6, fd6, plen, other = 0;
	struct nl_va va = { .alias = "Virtual-Access5", .mtu = 1400, .donor = ip("10.55.0.1"),
	                    .client = ip("10.66.0.7"), .client_plen = 32 };

	private_netns();
	cr_assert(have_ip(), "iproute2 is needed to read IPv6 addresses back");
	fd = make_va5(&idx);
	va.ifindex = idx;
	fd6 = tun_open("va6", &idx6);
	cr_assert_geq(fd6, 0);
	cr_assert_eq(nl_va_setup(nl, &va), 0);
	cr_assert_eq(nl_link_set(nl, idx6, 1, 1400), 0);

	cr_assert_eq(nl_link_get(nl, idx, &li), 0);
	cr_assert_str_eq(li.alias, "Virtual-Access5");
	cr_assert_eq(li.mtu, 1400);
	cr_assert(li.flags & IFF_UP);
	cr_assert_eq(nl_iface_addr(nl, "va5", &a, &plen), 0);
	cr_assert_eq(a.s_addr, ip("10.55.0.1").s_addr);
	cr_assert_eq(plen, 32);
	const char *o = run("ip -4 route show dev va5");
	cr_assert_not_null(strstr(o, "10.66.0.7 proto static scope link src 10.55.0.1"), "%s", o);
	/* the same again: the route exists, the first refusal is the address's */
	cr_assert_eq(nl_va_setup(nl, &va), -EEXIST);

	/* the control solicits routers and reports multicast groups: what va5 must not do */
	cr_assert_gt(ipv6_read(fd6, 3000, &other), 0, "nothing IPv6 from the control interface");
	o = run("ip -6 addr show dev va6");
	cr_assert_not_null(strstr(o, "fe80::"), "the control interface has no link-local: %s", o);
	o = run("ip -6 addr show dev va5");
	cr_assert_str_eq(o, "", "%s", o);
	cr_assert_eq(ipv6_read(fd, 500, &other), 0);
	close(fd);
	close(fd6);
	nl_close(nl);
}

/* A run's interfaces go in one request as a link group; others stay. */
Test(netlink, group_deleted_at_once, .timeout = 20)
{
	struct nl_link_info li;
	int fd[4], idx[4];
	char name[8];
	const uint32_t group = 0x80000000u | 4242u;

	private_netns();
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "va%d", 20 + i);
		fd[i] = tun_open(name, &idx[i]);
		cr_assert_geq(fd[i], 0);
		struct nl_va va = { .ifindex = idx[i], .alias = "Virtual-Access", .mtu = 1400,
		                    .client = ip("10.77.0.1"), .client_plen = 32,
		                    .group = i < 3 ? group : 0 };
		va.client.s_addr = htonl(ntohl(va.client.s_addr) + (uint32_t)i);
		cr_assert_eq(nl_va_setup(nl, &va), 0);
	}
	cr_assert_eq(nl_group_del(nl, 0), -EINVAL, "never the default group");
	cr_assert_eq(nl_group_del(nl, group), 0);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(nl_link_get(nl, idx[i], &li), -ENODEV, "va%d is still there", 20 + i);
	cr_expect_eq(nl_link_get(nl, idx[3], &li), 0, "va23 was not in the group");
	for (int i = 0; i < 4; i++)
		close(fd[i]);
	nl_close(nl);
}
