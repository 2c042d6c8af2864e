/*
 * TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD), IPv4: every read from such a TUN starts with a
 * struct virtio_net_hdr, and may be a TSO/USO super-packet of up to 64 KiB or carry a partial
 * checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM, even when it is not GSO). ESP needs each packet whole
 * and checksummed before it is sealed, so offload_segment() cuts a super-packet into the wire
 * packets the kernel would have sent, each with its checksums finished. On the way in,
 * struct gro joins decrypted TCP segments of one flow into one super-packet for one write,
 * as the kernel's GRO does; the kernel segments it again if it must forward it.
 *
 * Pure functions, no I/O: the packets come from the kernel, but a bad header is refused with
 * -EINVAL rather than trusted.
 */
#ifndef VPND_OFFLOAD_H
#define VPND_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* Debian 12's headers (kernel 6.1) lack USO; kernel 6.2 added it with this value. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define OFFLOAD_MAX_PKT 65535          /* an IPv4 super-packet's largest total length */

/* Called for each wire packet; SEG is writable and valid only during the call. Returning
 * non-zero stops the walk and offload_segment() returns that value. */
typedef int (*offload_seg_fn)(void *arg, uint8_t *seg, size_t len);

/*
 * PKT (LEN bytes, an IPv4 packet, or IPv6 when not GSO; written to: checksums) with its header
 * H: calls FN once per wire packet (once for a packet that is not GSO, after finishing a
 * partial checksum).
 * SCRATCH holds one segment (at least the largest header + gso_size; 65535 always does).
 * Returns the number of packets given to FN, FN's non-zero value, or -EINVAL for a header or
 * packet that does not add up, -ENOSPC when SCRATCH is too small.
 */
int offload_segment(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h,
                    uint8_t *scratch, size_t scratch_len, offload_seg_fn fn, void *arg);

/*
 * Coalescing of inbound TCP segments. Segments join when they continue one another exactly:
 * same addresses, ports, TOS, TTL, IPv4 without options or fragments, same TCP options, ACK
 * number and window, plain ACK (PSH allowed on the last), every segment but the last of
 * the first one's size. Anything else stays a packet of its own.
 */
struct gro {
	uint8_t  buf[sizeof(struct virtio_net_hdr) + OFFLOAD_MAX_PKT];
	size_t   len;        /* IP bytes after the header; 0 = empty */
	uint16_t seg;        /* payload of the first segment: the gso_size */
	uint16_t hlen;       /* IP + TCP header bytes */
	uint32_t next_seq;
	int      nseg;
	int      closed;     /* a short or PSH segment ended it */
};

/* Start empty. */
void gro_reset(struct gro *g);

/* Appends PKT if it continues G (returns 1), or starts G with it when G is empty and it is a
 * TCP segment that could be joined (returns 1); returns 0 when it does not fit: flush G and
 * try again, or send PKT alone if G was empty. */
int gro_add(struct gro *g, const uint8_t *pkt, size_t len);

/* Finishes G: the virtio header (GSO_TCPV4 with a partial checksum when several segments
 * were joined, none otherwise: the single packet is written as it came) and the IP header.
 * Returns the bytes to write from g->buf (header included), and empties G. */
size_t gro_finish(struct gro *g);

/* The Internet checksum of B (RFC 1071), folded and complemented, starting from SUM. */
uint16_t offload_csum(const uint8_t *b, size_t len, uint32_t sum);

#endif
