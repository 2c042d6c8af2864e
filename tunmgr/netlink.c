/* rtnetlink requests: see netlink.h. */
#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

static uint32_t nl_seq_counter;

void
nlm_init(struct nl_msg *m, uint16_t type, uint16_t flags)
{
	memset(m, 0, sizeof(*m));
	m->u.h.nlmsg_len = NLMSG_LENGTH(0);
	m->u.h.nlmsg_type = type;
	m->u.h.nlmsg_flags = NLM_F_REQUEST | flags;
	m->u.h.nlmsg_seq = __atomic_add_fetch(&nl_seq_counter, 1, __ATOMIC_RELAXED);
}

/* Reserve len (aligned) zeroed bytes at the end of the message; NULL when full. */
void *
nlm_put(struct nl_msg *m, size_t len)
{
	size_t at = NLMSG_ALIGN(m->u.h.nlmsg_len);
	void *p;

	if (at + NLMSG_ALIGN(len) > sizeof(m->u.b)) {
		m->overflow = 1;
		return NULL;
	}
	p = m->u.b + at;
	memset(p, 0, NLMSG_ALIGN(len));
	m->u.h.nlmsg_len = (uint32_t)(at + len);
	return p;
}

/* GCC 12 with -O2 (and more with ASan) believes the attribute lands inside nlmsghdr: the
 * buffer is a union of the header and the byte array, and nlm_put checks the bounds. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
void
nlm_attr(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	uint8_t *p = nlm_put(m, RTA_LENGTH(len));
	struct rtattr hdr;

	if (p == NULL)
		return;
	/* bytes, not a struct rtattr pointer: GCC 12 at -O2 misjudges the object size */
	hdr.rta_type = type;
	hdr.rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(p, &hdr, sizeof(hdr));
	if (len != 0)
		memcpy(p + RTA_LENGTH(0), data, len);
}
#pragma GCC diagnostic pop

void
nlm_attr_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nlm_attr(m, type, &v, sizeof(v));
}

int
nl_open(void)
{
	struct sockaddr_nl sa;
	struct timeval tv = { .tv_sec = 5 };
	int fd, one = 1, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/* Errors without a copy of our request: smaller replies, nothing we would read. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Dumps filtered by the kernel (one interface's addresses, not 20,000 of them); where it
	 * cannot, the callbacks filter all the same. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	/* The kernel always answers; the timeout only keeps a bug from hanging tunmgr. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

void
nl_close(int nl)
{
	if (nl >= 0)
		close(nl);
}

/* Send LEN bytes of requests to the kernel in one datagram: 0 or -errno. */
static int
nl_send(int nl, const void *b, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(nl, b, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * The next datagram from the kernel into buf (NL_RXBUF bytes): its length, or -errno
 * (-ETIMEDOUT when the socket's receive timeout passed). Others' datagrams are skipped.
 */
static ssize_t
nl_recv(int nl, uint8_t *buf)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, NL_RXBUF };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
		                     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(nl, &mh, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (from.nl_pid == 0)
			return n;
	}
}

/*
 * The message at *off in a datagram of n bytes, advancing *off; NULL at the end or at a
 * malformed length (NLMSG_OK/NLMSG_NEXT by hand, without their signed/unsigned mix).
 */
static const struct nlmsghdr *
nl_next(const uint8_t *buf, size_t n, size_t *off)
{
	const struct nlmsghdr *h;

	if (*off + sizeof(*h) > n)
		return NULL;
	h = (const struct nlmsghdr *)(buf + *off);
	if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > n - *off)
		return NULL;
	*off += NLMSG_ALIGN(h->nlmsg_len);
	return h;
}

/* An NLMSG_ERROR's code: 0 for an ACK, -errno otherwise. */
static int
nl_errcode(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);

	return h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ? -EIO : e->error;
}

/*
 * Send the request and read until its answer is complete: an ACK or error for a plain request,
 * NLMSG_DONE for a dump. Each data message is handed to cb. Returns 0, -errno, or -EAGAIN
 * when the kernel flagged a dump as interrupted by a concurrent change (worth retrying).
 */
int
nlm_addr_dump(int nl, int family, nlm_cb cb, void *arg, int *count)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa;
	int rc = -EAGAIN;

	for (int tries = 0; tries < NL_RETRIES && rc == -EAGAIN; tries++) {
		*count = 0;
		nlm_init(&m, RTM_GETADDR, NLM_F_DUMP);
		ifa = nlm_put(&m, sizeof(*ifa));
		if (ifa == NULL)
			return -ENOBUFS;
		ifa->ifa_family = (uint8_t)family;
		rc = nlm_transact(nl, &m, cb, arg);
	}
	return rc;
}

int
nlm_transact(int nl, struct nl_msg *m, nlm_cb cb, void *arg)
{
	uint32_t seq = m->u.h.nlmsg_seq;
	uint8_t *buf;
	int rc, done = 0, intr = 0, cbrc = 0;

	if (m->overflow)
		return -EMSGSIZE;
	if ((rc = nl_send(nl, m->u.b, m->u.h.nlmsg_len)) != 0)
		return rc;
	buf = malloc(NL_RXBUF);
	if (buf == NULL)
		return -ENOMEM;

	while (!done) {
		const struct nlmsghdr *h;
		ssize_t n = nl_recv(nl, buf);
		size_t off = 0;

		if (n < 0) {
			rc = (int)n;
			break;
		}
		while (!done && (h = nl_next(buf, (size_t)n, &off)) != NULL) {
			if (h->nlmsg_seq != seq)
				continue;       /* a late answer to an earlier request */
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				rc = nl_errcode(h);
				done = 1;
			} else if (cb != NULL && cbrc == 0) {
				cbrc = cb(h, arg);
			}
		}
	}
	free(buf);
	if (rc == 0 && cbrc != 0)
		rc = cbrc;
	if (rc == 0 && intr)
		rc = -EAGAIN;
	return rc;
}

struct ifinfomsg *
nlm_link(struct nl_msg *m, uint16_t type, uint16_t flags, int ifindex)
{
	struct ifinfomsg *ifi;

	nlm_init(m, type, flags);
	ifi = nlm_put(m, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

int
nl_link_set(int nl, int ifindex, int up, int mtu)
{
	struct nl_msg m;
	struct ifinfomsg *ifi;

	if (ifindex <= 0 || mtu < 0)
		return -EINVAL;
	ifi = nlm_link(&m, RTM_NEWLINK, NLM_F_ACK, ifindex);
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	if (mtu > 0)
		nlm_attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
	return nlm_transact(nl, &m, NULL, NULL);
}

/* The requests, each acknowledged, in one send; 0 or the first error in their order. */
static int
nl_transact_batch(int nl, struct nl_msg *m, int n, int *err)
{
	uint8_t *buf, out[NL_TXBUF * 5];
	size_t len = 0;
	int left = n, rc;

	if (n > 5)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (m[i].overflow)
			return -EMSGSIZE;
		memcpy(out + len, m[i].u.b, m[i].u.h.nlmsg_len);
		len += NLMSG_ALIGN(m[i].u.h.nlmsg_len);
		err[i] = 1;             /* no answer yet */
	}
	if ((rc = nl_send(nl, out, len)) != 0)
		return rc;
	buf = malloc(NL_RXBUF);
	if (buf == NULL)
		return -ENOMEM;
	while (left > 0) {
		const struct nlmsghdr *h;
		ssize_t r = nl_recv(nl, buf);
		size_t off = 0;

		if (r < 0) {
			rc = (int)r;
			break;
		}
		while ((h = nl_next(buf, (size_t)r, &off)) != NULL) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			for (int i = 0; i < n; i++)
				if (err[i] == 1 && h->nlmsg_seq == m[i].u.h.nlmsg_seq) {
					err[i] = nl_errcode(h);
					left--;
				}
		}
	}
	free(buf);
	return rc;
}

int
nl_va_setup(int nl, const struct nl_va *va)
{
	struct nl_msg m[5];
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	int n = 0, err[5], rc;
	size_t alen = strlen(va->alias);
	/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: NONE } }, nested by hand */
	uint8_t spec[RTA_LENGTH(RTA_SPACE(1))];
	struct rtattr inner = { RTA_LENGTH(1), IFLA_INET6_ADDR_GEN_MODE };
	struct rtattr fam = { RTA_LENGTH(RTA_SPACE(1)), AF_INET6 };

	if (va->ifindex <= 0 || va->mtu < 0 || alen >= NL_ALIAS_MAX)
		return -EINVAL;
	memset(spec, 0, sizeof(spec));
	memcpy(spec, &fam, sizeof(fam));
	memcpy(spec + RTA_LENGTH(0), &inner, sizeof(inner));
	spec[RTA_LENGTH(0) + RTA_LENGTH(0)] = IN6_ADDR_GEN_MODE_NONE;
	/* first and alone: on its own it may fail (no IPv6) without taking the rest along */
	nlm_link(&m[n++], RTM_NEWLINK, NLM_F_ACK, va->ifindex);
	nlm_attr(&m[0], IFLA_AF_SPEC, spec, sizeof(spec));
	nlm_link(&m[n], RTM_NEWLINK, NLM_F_ACK, va->ifindex);
	nlm_attr(&m[n], IFLA_IFALIAS, va->alias, alen);
	if (va->group)
		nlm_attr_u32(&m[n], IFLA_GROUP, va->group);
	n++;
	ifi = nlm_link(&m[n], RTM_NEWLINK, NLM_F_ACK, va->ifindex);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (va->mtu > 0)
		nlm_attr_u32(&m[n], IFLA_MTU, (uint32_t)va->mtu);
	n++;
	if (va->donor.s_addr != 0) {
		nlm_init(&m[n], RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
		ifa = nlm_put(&m[n], sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = 32;
		ifa->ifa_scope = RT_SCOPE_UNIVERSE;
		ifa->ifa_index = (uint32_t)va->ifindex;
		nlm_attr(&m[n], IFA_LOCAL, &va->donor, sizeof(va->donor));
		nlm_attr(&m[n], IFA_ADDRESS, &va->donor, sizeof(va->donor));
		n++;
	}
	if ((rc = nlm_route(&m[n], RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, va->ifindex,
	    va->client, va->client_plen)) != 0)
		return rc;
	if (va->donor.s_addr != 0)
		nlm_attr(&m[n], RTA_PREFSRC, &va->donor, sizeof(va->donor));
	n++;
	if ((rc = nl_transact_batch(nl, m, n, err)) != 0)
		return rc;
	if (err[0] != 0 && err[0] != -EAFNOSUPPORT && err[0] != -EOPNOTSUPP)
		return err[0];
	for (int i = 1; i < n; i++)
		if (err[i] != 0)
			return err[i];
	return 0;
}

int
nl_link_set_alias(int nl, int ifindex, const char *alias)
{
	struct nl_msg m;
	size_t len = strlen(alias);

	if (ifindex <= 0 || len >= NL_ALIAS_MAX)
		return -EINVAL;
	nlm_link(&m, RTM_NEWLINK, NLM_F_ACK, ifindex);
	nlm_attr(&m, IFLA_IFALIAS, alias, len);
	return nlm_transact(nl, &m, NULL, NULL);
}

int
nl_link_del(int nl, int ifindex)
{
	struct nl_msg m;

	if (ifindex <= 0)
		return -EINVAL;
	nlm_link(&m, RTM_DELLINK, NLM_F_ACK, ifindex);
	return nlm_transact(nl, &m, NULL, NULL);
}

int
nl_group_del(int nl, uint32_t group)
{
	struct nl_msg m;

	if (group == 0)
		return -EINVAL;     /* the default group holds every other interface too */
	nlm_link(&m, RTM_DELLINK, NLM_F_ACK, 0);
	nlm_attr_u32(&m, IFLA_GROUP, group);
	return nlm_transact(nl, &m, NULL, NULL);
}

int
nl_addr_add_label(int nl, int ifindex, struct in_addr a, int prefixlen, const char *label)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa;

	if (ifindex <= 0 || prefixlen < 0 || prefixlen > 32 || (label && strlen(label) >= IFNAMSIZ))
		return -EINVAL;
	nlm_init(&m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = nlm_put(&m, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	nlm_attr(&m, IFA_LOCAL, &a, sizeof(a));
	nlm_attr(&m, IFA_ADDRESS, &a, sizeof(a));
	if (label)
		nlm_attr(&m, IFA_LABEL, label, strlen(label) + 1);
	return nlm_transact(nl, &m, NULL, NULL);
}

int
nl_addr_add(int nl, int ifindex, struct in_addr a, int prefixlen)
{
	return nl_addr_add_label(nl, ifindex, a, prefixlen, NULL);
}

int
nlm_route(struct nl_msg *m, uint16_t type, uint16_t flags, int ifindex, struct in_addr dst,
    int prefixlen)
{
	struct rtmsg *rtm;

	if (ifindex <= 0 || prefixlen < 0 || prefixlen > 32)
		return -EINVAL;
	nlm_init(m, type, NLM_F_ACK | flags);
	rtm = nlm_put(m, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_LINK;
		rtm->rtm_type = RTN_UNICAST;
	} else {
		/* wildcards: match whatever protocol/type/scope the route has */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (prefixlen > 0)
		nlm_attr(m, RTA_DST, &dst, sizeof(dst));
	nlm_attr_u32(m, RTA_OIF, (uint32_t)ifindex);
	return 0;
}

int
nl_route_add(int nl, int ifindex, struct in_addr dst, int prefixlen, struct in_addr src)
{
	struct nl_msg m;
	int rc;

	if ((rc = nlm_route(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, dst,
	    prefixlen)) != 0)
		return rc;
	if (src.s_addr != 0)
		nlm_attr(&m, RTA_PREFSRC, &src, sizeof(src));
	return nlm_transact(nl, &m, NULL, NULL);
}

int
nl_route_del(int nl, int ifindex, struct in_addr dst, int prefixlen)
{
	struct nl_msg m;
	int rc;

	if ((rc = nlm_route(&m, RTM_DELROUTE, 0, ifindex, dst, prefixlen)) != 0)
		return rc;
	return nlm_transact(nl, &m, NULL, NULL);
}

/* requests per send: 256 route deletions are about 12 KB, well inside the socket's buffers */
#define NL_BULK 256

/* Send up to NL_BULK route deletions from r in one datagram and collect their answers. */
static int
nl_routes_del_chunk(int nl, const struct nl_route *r, size_t n, uint8_t *out, uint8_t *buf,
    size_t *refused)
{
	size_t len = 0, sent = 0, answered = 0;
	uint32_t first = 0;
	int rc;

	for (size_t k = 0; k < n; k++) {
		struct nl_msg m;

		if (nlm_route(&m, RTM_DELROUTE, 0, r[k].ifindex, r[k].dst, r[k].plen) != 0) {
			(*refused)++;   /* not a route we could have made */
			continue;
		}
		if (sent == 0)
			first = m.u.h.nlmsg_seq;
		memcpy(out + len, m.u.b, m.u.h.nlmsg_len);
		len += NLMSG_ALIGN(m.u.h.nlmsg_len);
		sent++;
	}
	if (sent == 0)
		return 0;
	if ((rc = nl_send(nl, out, len)) != 0)
		return rc;
	/* one answer per request, their sequence numbers consecutive from first (one thread);
	 * late answers to anything else are skipped */
	while (answered < sent) {
		const struct nlmsghdr *h;
		ssize_t got = nl_recv(nl, buf);
		size_t off = 0;

		if (got < 0)
			return (int)got;
		while ((h = nl_next(buf, (size_t)got, &off)) != NULL) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq - first >= sent)
				continue;
			answered++;
			if (nl_errcode(h) != 0)
				(*refused)++;
		}
	}
	return 0;
}

int
nl_routes_del(int nl, const struct nl_route *r, size_t n, size_t *refused)
{
	uint8_t *out = malloc((size_t)NL_BULK * NL_TXBUF), *buf = malloc(NL_RXBUF);
	int rc = out && buf ? 0 : -ENOMEM;

	*refused = 0;
	for (size_t at = 0; at < n && rc == 0; at += NL_BULK)
		rc = nl_routes_del_chunk(nl, r + at, n - at < NL_BULK ? n - at : NL_BULK, out, buf,
		                         refused);
	free(out);
	free(buf);
	return rc;
}
