/* TUN device creation: see tun.h. */
#include "tunmgr/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int
tun_open_at(int dirfd, const char *ifname, int *ifindex_out, char *name_out)
{
	int fd;

	if (ifname == NULL || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	if (dirfd == AT_FDCWD)
		fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	else
		fd = openat(dirfd, "tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return tun_attach(fd, ifname, ifindex_out, name_out);
}

static int attach(int fd, const char *ifname, short flags, int *ifindex_out, char *name_out);

int
tun_attach(int fd, const char *ifname, int *ifindex_out, char *name_out)
{
	return attach(fd, ifname, IFF_TUN | IFF_NO_PI, ifindex_out, name_out);
}

/* USO needs both halves (the kernel takes NETIF_F_GSO_UDP_L4 only for the pair), and an
 * IPv6 super-packet is one offload.c cannot cut, so only the IPv4 offloads are asked for:
 * without TSO6 the kernel segments IPv6 itself before the TUN sees it. */
int
tun_attach_vnet(int fd, const char *ifname, int *ifindex_out, char *name_out, unsigned *offloads)
{
	static const unsigned want[] = { TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN,
	                                 TUN_F_CSUM | TUN_F_TSO4, TUN_F_CSUM };

	*offloads = 0;
	fd = attach(fd, ifname, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, ifindex_out, name_out);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (ioctl(fd, TUNSETOFFLOAD, want[i]) == 0) {
			*offloads = want[i];
			break;
		}
	return fd;
}

static int
attach(int fd, const char *ifname, short flags, int *ifindex_out, char *name_out)
{
	struct ifreq ifr;
	int sock, err;

	if (ifname == NULL || strlen(ifname) >= IFNAMSIZ) {
		close(fd);
		return -EINVAL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/* TUNSETIFF wrote back the real name (a "%d" pattern is resolved) */
	if (name_out != NULL) {
		memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
		name_out[IFNAMSIZ - 1] = '\0';
	}
	if (ifindex_out != NULL) {
		sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || ioctl(sock, SIOCGIFINDEX, &ifr) < 0) {
			err = -errno;
			if (sock >= 0)
				close(sock);
			close(fd);
			return err;
		}
		close(sock);
		*ifindex_out = ifr.ifr_ifindex;
	}
	return fd;
}

int
tun_open(const char *ifname, int *ifindex_out)
{
	return tun_open_at(AT_FDCWD, ifname, ifindex_out, NULL);
}
