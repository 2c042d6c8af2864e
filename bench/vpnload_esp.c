/*
 * vpnload's data plane: ICMP echo requests inside ESP (raw protocol 50, or UDP 4500 when the
 * session went through NAT-T) to a host behind the hub, and the decrypted replies checked.
 * Every session gets echoes until one comes back; then K sessions are pumped with batched
 * sends (sendmmsg) for a while. ESP itself is tunmgr/esp.c, the hub's own code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "bench/vpnload.h"
#include "tunmgr/esp.h"

#define SPI_BASE  0x10000000u
#define PKT_MAX   2048

static struct {
	int      pumping;
	uint64_t sent, sent_bytes, rcvd, rcvd_bytes, corrupt, bad_esp, echo_sent;
} st;

int esp_open(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP), one = 1, big = 8 << 20;
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		fprintf(stderr, "vpnload: raw ESP socket: %s\n", strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	return fd;
}

int esp_session_up(struct sess *s)
{
	struct ikei_keys k;
	if (ikei_keymat(&s->sa, &s->qm, &k) < 0)
		return -1;
	s->esp_out = esp_sa_new(s->qm.encr, k.enc_out, k.enc_len, s->qm.auth, k.auth_out, k.auth_len,
	                        s->qm.spi_out, 0);
	s->esp_in = esp_sa_new(s->qm.encr, k.enc_in, k.enc_len, s->qm.auth, k.auth_in, k.auth_len,
	                       s->qm.spi_in, 1024);
	explicit_bzero(&k, sizeof(k));
	return s->esp_out && s->esp_in ? 0 : -1;
}

void esp_session_free(struct sess *s)
{
	esp_sa_free(s->esp_out);
	esp_sa_free(s->esp_in);
	s->esp_out = s->esp_in = NULL;
}

static uint16_t csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 1);
}

/* An ICMP echo request from the session's address to the target: IPv4 header, ICMP, payload. */
static size_t build_echo(const struct sess *s, uint32_t idx, uint16_t seq, uint8_t *out)
{
	size_t plen = (size_t)opt.psize, len = 20 + 8 + plen;
	struct iphdr *ip = (struct iphdr *)out;
	uint8_t *icmp = out + 20;
	memset(out, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)len);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = s->addr.s_addr;
	ip->daddr = opt.target.s_addr;
	ip->check = csum(ip, 20);
	icmp[0] = ICMP_ECHO;
	uint16_t id = htons((uint16_t)idx), sq = htons(seq);
	memcpy(icmp + 4, &id, 2);
	memcpy(icmp + 6, &sq, 2);
	for (size_t i = 0; i < plen; i++)
		icmp[8 + i] = pattern(i);
	uint16_t c = csum(icmp, 8 + plen);
	memcpy(icmp + 2, &c, 2);
	return len;
}

/* The ESP packet (with an outer IPv4 header for raw ESP) for one echo; 0 on failure. */
static size_t seal_echo(struct sess *s, uint32_t idx, uint16_t seq, uint8_t *out)
{
	uint8_t inner[PKT_MAX];
	size_t len = build_echo(s, idx, seq, inner), hl = s->qm.udp ? 0 : 20;
	ssize_t e = esp_encap(s->esp_out, inner, len, ESP_NH_IPV4, out + hl, PKT_MAX - hl);
	if (e < 0)
		return 0;
	if (hl) {
		struct iphdr *ip = (struct iphdr *)out;
		memset(ip, 0, 20);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(e + 20));
		ip->ttl = 64;
		ip->protocol = IPPROTO_ESP;
		ip->saddr = s->src.sin_addr.s_addr;
		ip->daddr = opt.hub.sin_addr.s_addr;
		ip->check = csum(ip, 20);
	}
	return (size_t)e + hl;
}

static int send_one(struct sess *s, const uint8_t *pkt, size_t len)
{
	if (s->qm.udp)
		return vl_send(s, pkt, len, 0);
	struct sockaddr_in to = opt.hub;
	to.sin_port = 0;
	return sendto(fdesp, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/* what went out: inner bytes (IPv4 + ICMP + payload) */
static void count_sent(uint64_t n)
{
	st.sent += n;
	st.sent_bytes += n * (28 + (uint64_t)opt.psize);
}

void esp_echo_tick(struct sess *s, double now)
{
	uint8_t pkt[PKT_MAX];
	if (s->echo_ok || now > s->t_up + opt.deadline || now < s->echo_next || !s->esp_out)
		return;
	/* the first may beat the hub's interface: tries 200 ms apart, up to the deadline */
	s->echo_next = now + 0.2;
	size_t len = seal_echo(s, (uint32_t)(s - sess), (uint16_t)s->echo_tries++, pkt);
	if (len && send_one(s, pkt, len) == 0) {
		st.echo_sent++;
		count_sent(1);
	}
}

void esp_input(const uint8_t *pkt, size_t len, int udp)
{
	uint8_t inner[PKT_MAX], nh;
	uint32_t spi;
	if (!udp) {
		if (len < 20 || (size_t)(pkt[0] & 15) * 4 > len)
			return;
		size_t hl = (size_t)(pkt[0] & 15) * 4;
		pkt += hl;
		len -= hl;
	}
	if (len < 8)
		return;
	memcpy(&spi, pkt, 4);
	uint32_t idx = ntohl(spi) - SPI_BASE;
	if (idx >= (uint32_t)opt.n || !sess[idx].esp_in)
		return;
	struct sess *s = &sess[idx];
	ssize_t n = esp_decap(s->esp_in, pkt, len, inner, sizeof(inner), &nh);
	if (n < 0) {
		st.bad_esp++;
		return;
	}
	if (nh != ESP_NH_IPV4 || n < 28 + opt.psize || inner[9] != IPPROTO_ICMP)
		return;
	size_t hl = (size_t)(inner[0] & 15) * 4;
	const uint8_t *icmp = inner + hl;
	uint16_t id;
	memcpy(&id, icmp + 4, 2);
	if ((size_t)n < hl + 8 + (size_t)opt.psize || icmp[0] != ICMP_ECHOREPLY ||
	    ntohs(id) != (uint16_t)idx) {
		st.corrupt++;
		return;
	}
	for (size_t i = 0; i < (size_t)opt.psize; i++) {
		if (icmp[8 + i] != pattern(i)) {
			st.corrupt++;
			return;
		}
	}
	if (!s->echo_ok)
		s->t_echo = vl_now();
	s->echo_ok = 1;
	st.rcvd++;
	st.rcvd_bytes += (size_t)n;
}

void esp_pump(double duration, int k)
{
	enum { BATCH = 64, WINDOW = 2048 };
	static uint8_t buf[BATCH][PKT_MAX];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to[BATCH];
	union { char b[CMSG_SPACE(sizeof(struct in_pktinfo))]; struct cmsghdr a; } cm[BATCH];
	int *pick = calloc((size_t)k, sizeof(int)), np = 0;

	for (int i = 0; i < opt.n && np < k; i++)
		if (sess[i].st == S_UP && sess[i].esp_out)
			pick[np++] = i;
	if (!np) {
		printf("esp: no session up to pump through\n");
		free(pick);
		return;
	}
	uint64_t sent0 = st.sent, sb0 = st.sent_bytes, rcvd0 = st.rcvd, rb0 = st.rcvd_bytes;
	uint64_t last_rcvd = st.rcvd, base = 0;
	double t0 = vl_now(), end = t0 + duration, last_progress = t0;
	uint16_t seq = 0;
	int rr = 0, send_err = 0;
	while (vl_now() < end) {
		/* a window of packets in flight; losses are written off after 50 ms without progress */
		if (st.sent - base - st.rcvd < WINDOW) {
			int n = 0, udp = sess[pick[0]].qm.udp;
			memset(mm, 0, sizeof(mm));
			for (; n < BATCH; n++) {
				struct sess *s = &sess[pick[rr]];
				rr = (rr + 1) % np;
				size_t len = seal_echo(s, (uint32_t)(s - sess), seq++, buf[n]);
				if (!len)
					break;
				iov[n].iov_base = buf[n];
				iov[n].iov_len = len;
				to[n] = opt.hub;
				to[n].sin_port = udp ? htons(4500) : 0;
				mm[n].msg_hdr.msg_name = &to[n];
				mm[n].msg_hdr.msg_namelen = sizeof(to[n]);
				mm[n].msg_hdr.msg_iov = &iov[n];
				mm[n].msg_hdr.msg_iovlen = 1;
				if (udp) {
					struct in_pktinfo pi = { .ipi_spec_dst = s->src.sin_addr };
					mm[n].msg_hdr.msg_control = cm[n].b;
					mm[n].msg_hdr.msg_controllen = sizeof(cm[n].b);
					struct cmsghdr *c = CMSG_FIRSTHDR(&mm[n].msg_hdr);
					c->cmsg_level = IPPROTO_IP;
					c->cmsg_type = IP_PKTINFO;
					c->cmsg_len = CMSG_LEN(sizeof(pi));
					memcpy(CMSG_DATA(c), &pi, sizeof(pi));
				}
			}
			int r = n > 0 ? sendmmsg(udp ? fd4500 : fdesp, mm, (unsigned)n, 0) : 0;
			if (r > 0) {
				count_sent((uint64_t)r);
			} else if (r < 0 && errno != EAGAIN && errno != ENOBUFS && !send_err++) {
				/* EMSGSIZE: the outer packet is over the path MTU, nothing goes */
				fprintf(stderr, "vpnload: sendmmsg: %s\n", strerror(errno));
			}
		}
		vl_poll(0);
		double now = vl_now();
		if (st.rcvd != last_rcvd) {
			last_rcvd = st.rcvd;
			last_progress = now;
		} else if (now - last_progress > 0.05) {
			base = st.sent - st.rcvd;
			last_progress = now;
		}
	}
	double t = vl_now() - t0;
	/* stragglers */
	double drain = vl_now() + 0.3;
	while (vl_now() < drain)
		vl_poll(10);
	uint64_t s = st.sent - sent0, r = st.rcvd - rcvd0;
	printf("esp: %d sessions, %s, %d-byte payload, %.1f s: sent %llu pkts (%llu inner bytes), "
	       "received back %llu pkts (%llu bytes), %.1f%% back\n", np,
	       sess[pick[0]].qm.udp ? "UDP 4500" : "raw ESP", opt.psize, t, (unsigned long long)s,
	       (unsigned long long)(st.sent_bytes - sb0), (unsigned long long)r,
	       (unsigned long long)(st.rcvd_bytes - rb0), s ? 100.0 * (double)r / (double)s : 0);
	printf("esp: throughput %.0f pkts/s, %.1f Mbit/s each way (inner bytes returned)\n",
	       (double)r / t, (double)(st.rcvd_bytes - rb0) * 8 / t / 1e6);
	free(pick);
}

void esp_report(void)
{
	printf("esp: totals sent %llu, received %llu, corrupt %llu, bad ESP %llu\n",
	       (unsigned long long)st.sent, (unsigned long long)st.rcvd,
	       (unsigned long long)st.corrupt, (unsigned long long)st.bad_esp);
}
