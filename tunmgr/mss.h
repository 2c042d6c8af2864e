/* ip tcp adjust-mss and ipv6 tcp adjust-mss: clamp the MSS option of TCP SYNs crossing a
 * virtual-access interface. */
#ifndef VPND_MSS_H
#define VPND_MSS_H

#include <stddef.h>
#include <stdint.h>

/* Lowers an MSS option above max to max, fixing the TCP checksum; 1 if it changed the packet.
 * Anything else (not IPv4/TCP/SYN, a fragment, a malformed header) is left alone. */
int mss_clamp(uint8_t *pkt, size_t len, uint16_t max);
/* The same for IPv6, past the extension headers; a later fragment is left alone. */
int mss_clamp6(uint8_t *pkt, size_t len, uint16_t max);

#endif
