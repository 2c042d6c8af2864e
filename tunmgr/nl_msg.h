/*
 * Building and sending rtnetlink requests, shared by netlink.c (requests) and nl_dump.c
 * (dumps and lookups); tunmgr's own, not part of netlink.h.
 */
#ifndef VPND_NL_MSG_H
#define VPND_NL_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* Big enough for any dump batch the kernel sends (it sizes them to at most 32 KiB). */
#define NL_RXBUF   65536
#define NL_TXBUF   1024
#define NL_RETRIES 3
/* IFALIASZ in <linux/if.h>, which clashes with <net/if.h> */
#define NL_ALIAS_MAX 256

struct nl_msg {
	union {
		struct nlmsghdr h;
		uint8_t b[NL_TXBUF];
	} u;
	int overflow;
};

typedef int (*nlm_cb)(const struct nlmsghdr *, void *);

void  nlm_init(struct nl_msg *, uint16_t type, uint16_t flags);
/* len (aligned) zeroed bytes at the end of the message; NULL when full (then it fails) */
void *nlm_put(struct nl_msg *, size_t len);
void  nlm_attr(struct nl_msg *, uint16_t type, const void *data, size_t len);
void  nlm_attr_u32(struct nl_msg *, uint16_t type, uint32_t v);
struct ifinfomsg *nlm_link(struct nl_msg *, uint16_t type, uint16_t flags, int ifindex);
int   nlm_route(struct nl_msg *, uint16_t type, uint16_t flags, int ifindex, struct in_addr dst,
                int prefixlen);
/* Send, read until the answer is complete (ACK, error, or a dump's end), data to cb. */
int   nlm_transact(int nl, struct nl_msg *, nlm_cb cb, void *arg);
/* Every address of FAMILY on the host to cb; *count is zeroed before each try (a dump a
 * concurrent change interrupted is read again). */
int   nlm_addr_dump(int nl, int family, nlm_cb cb, void *arg, int *count);

#endif
