/*
 * TUN devices for virtual-access interfaces: layer 3 (IFF_TUN), no packet-information header
 * (IFF_NO_PI: each read/write is exactly one IP packet), non-blocking, close-on-exec.
 *
 * The interface is not persistent: it disappears when the last fd on it is closed, so a crashed
 * tunmgr leaves no va* interface behind (nl_list_links() is there for the persistent leftovers
 * of older versions or manual tests).
 *
 * Privileges: opening /dev/net/tun needs the file's permissions (root:root 0600 on Debian) and
 * creating an interface needs CAP_NET_ADMIN. A process that chroots can open the directory
 * /dev/net beforehand and use tun_open_at() with that directory fd.
 */
#ifndef VPND_TUN_H
#define VPND_TUN_H

/* ifname: the exact name ("va3"), or a pattern with %d ("va%d") for the kernel to number.
 * Returns the fd or -errno; *ifindex_out (if not NULL) gets the interface index. */
int tun_open(const char *ifname, int *ifindex_out);

/* Same, opening "tun" relative to dirfd (an fd of /dev/net), or "/dev/net/tun" if dirfd is
 * AT_FDCWD. name_out (if not NULL, IF_NAMESIZE bytes) receives the name the kernel gave. */
int tun_open_at(int dirfd, const char *ifname, int *ifindex_out, char *name_out);

/* Make an interface on an fd already open on /dev/net/tun (the device is root-only on Debian,
 * so the parent opens it and tunmgr, which has CAP_NET_ADMIN, attaches). Takes ownership of
 * fd: on failure it is closed. Returns fd or -errno. */
int tun_attach(int fd, const char *ifname, int *ifindex_out, char *name_out);

/* Same with IFF_VNET_HDR: every read and write carries a struct virtio_net_hdr first
 * (offload.h). Asks for checksum and IPv4 TSO offloads, falling back to fewer; *offloads gets
 * the TUN_F_* the kernel took (0: none, the header is there all the same). */
int tun_attach_vnet(int fd, const char *ifname, int *ifindex_out, char *name_out,
                    unsigned *offloads);

#endif
