/*
 * A peer's or our own outside address, IPv4 or IPv6, with its UDP port: what every process
 * keeps for an IKE peer and what the messages between them carry. A union rather than
 * sockaddr_storage so that a message stays small (28 bytes) and an unset one is all zeros
 * (family AF_UNSPEC).
 */
#ifndef VPND_COMMON_SA46_H
#define VPND_COMMON_SA46_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

union sa46 {
	struct sockaddr     sa;
	struct sockaddr_in  sin;
	struct sockaddr_in6 sin6;
};

/* "2001:db8::1" or "192.0.2.1"; "[2001:db8::1]:500" with the port */
#define SA46_STRLEN      INET6_ADDRSTRLEN
#define SA46_PORTSTRLEN  (INET6_ADDRSTRLEN + 8)

static inline int sa46_is6(const union sa46 *a)
{
	return a->sa.sa_family == AF_INET6;
}

static inline socklen_t sa46_len(const union sa46 *a)
{
	return sa46_is6(a) ? sizeof(a->sin6) : sizeof(a->sin);
}

/* network byte order */
static inline uint16_t sa46_port(const union sa46 *a)
{
	return sa46_is6(a) ? a->sin6.sin6_port : a->sin.sin_port;
}

static inline void sa46_set_port(union sa46 *a, uint16_t nport)
{
	if (sa46_is6(a))
		a->sin6.sin6_port = nport;
	else
		a->sin.sin_port = nport;
}

/* the address bytes (4 or 16) and their count */
static inline const void *sa46_addr(const union sa46 *a, size_t *len)
{
	if (sa46_is6(a)) {
		*len = 16;
		return &a->sin6.sin6_addr;
	}
	*len = 4;
	return &a->sin.sin_addr;
}

/* an address was set (family known, not 0.0.0.0 or ::) */
static inline int sa46_is_set(const union sa46 *a)
{
	if (sa46_is6(a))
		return !IN6_IS_ADDR_UNSPECIFIED(&a->sin6.sin6_addr);
	return a->sa.sa_family == AF_INET && a->sin.sin_addr.s_addr != 0;
}

/* same family and address; ports not compared */
static inline int sa46_same_addr(const union sa46 *a, const union sa46 *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	if (sa46_is6(a))
		return !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, 16);
	return a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
}

static inline int sa46_same(const union sa46 *a, const union sa46 *b)
{
	return sa46_same_addr(a, b) && sa46_port(a) == sa46_port(b);
}

/* an IPv4 address that is this one (only for an IPv4 sa46) */
static inline int sa46_is4(const union sa46 *a, struct in_addr in)
{
	return a->sa.sa_family == AF_INET && a->sin.sin_addr.s_addr == in.s_addr;
}

static inline void sa46_from4(union sa46 *a, struct in_addr in, uint16_t nport)
{
	memset(a, 0, sizeof(*a));
	a->sin.sin_family = AF_INET;
	a->sin.sin_addr = in;
	a->sin.sin_port = nport;
}

static inline void sa46_from6(union sa46 *a, const struct in6_addr *in6, uint16_t nport)
{
	memset(a, 0, sizeof(*a));
	a->sin6.sin6_family = AF_INET6;
	a->sin6.sin6_addr = *in6;
	a->sin6.sin6_port = nport;
}

/* the address as text, "" for an unset one */
static inline const char *sa46_ntop(const union sa46 *a, char buf[SA46_STRLEN])
{
	buf[0] = '\0';
	if (sa46_is6(a))
		inet_ntop(AF_INET6, &a->sin6.sin6_addr, buf, SA46_STRLEN);
	else if (a->sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->sin.sin_addr, buf, SA46_STRLEN);
	return buf;
}

/* address and port as IKE logs write them: 192.0.2.1:500, [2001:db8::1]:500 */
static inline const char *sa46_ntop_port(const union sa46 *a, char buf[SA46_PORTSTRLEN])
{
	char ip[SA46_STRLEN];

	sa46_ntop(a, ip);
	snprintf(buf, SA46_PORTSTRLEN, sa46_is6(a) ? "[%s]:%u" : "%s:%u", ip,
	         (unsigned)ntohs(sa46_port(a)));
	return buf;
}

/* "192.0.2.1" or "2001:db8::1" into a; 0 on success */
static inline int sa46_pton(const char *s, union sa46 *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->sin.sin_addr) == 1) {
		a->sin.sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->sin6.sin6_addr) == 1) {
		a->sin6.sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* an IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4
 * peer) as the IPv4 address it is; the port is kept */
static inline void sa46_unmap(union sa46 *a)
{
	if (sa46_is6(a) && IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr)) {
		struct in_addr in;
		uint16_t port = a->sin6.sin6_port;
		memcpy(&in, a->sin6.sin6_addr.s6_addr + 12, 4);
		sa46_from4(a, in, port);
	}
}

/* the IPv4 address, 0.0.0.0 for anything else: for what only IPv4 peers may be (an Easy VPN
 * server, a tunnel destination), so that no IPv6 message can pass for one */
static inline struct in_addr sa46_in4(const union sa46 *a)
{
	struct in_addr none = { 0 };
	return a->sa.sa_family == AF_INET ? a->sin.sin_addr : none;
}

/* What a source is counted under for limits (call admission, login failures): an IPv4
 * address, or an IPv6 /64, since one host gets a whole /64 and could otherwise come from a new
 * address each time. IPv4 keys have all-ones in their top half, which no unicast /64 has. */
static inline uint64_t sa46_source_key(const union sa46 *a)
{
	uint64_t k;

	if (sa46_is6(a)) {
		memcpy(&k, &a->sin6.sin6_addr, 8);
		return k;
	}
	return 0xffffffff00000000ull | ntohl(a->sin.sin_addr.s_addr);
}

/* for hash tables keyed by address: FNV-1a over the address bytes */
static inline uint32_t sa46_hash(const union sa46 *a)
{
	size_t n;
	const uint8_t *p = sa46_addr(a, &n);
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif
