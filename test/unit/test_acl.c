/* Data-plane access lists (tunmgr/acl.c) against the configuration parser's ACLs. */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "tunmgr/acl.h"

static struct vpnd_conf conf;
static const char cfg[] =
	"ip access-list extended vpnin\n"
	" deny ip any host 10.2.1.11\n"
	" deny tcp any any eq 22\n"
	" permit udp 192.168.1.0 0.0.0.255 10.2.1.0 0.0.0.255 range 1000 2000\n"
	" permit icmp any any\n"
	" permit tcp any 10.2.1.0 0.0.0.255\n";

static const struct conf_acl *acl;

static void setup(void)
{
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	acl = conf_find_acl(&conf, "vpnin");
	cr_assert_not_null(acl);
}
TestSuite(acl, .init = setup);

/* An IPv4 header (+ 4 bytes of ports) from SRC to DST. */
static size_t pkt(uint8_t *b, int proto, const char *src, const char *dst, int dport,
                  int frag_off)
{
	memset(b, 0, 28);
	b[0] = 0x45;
	b[9] = (uint8_t)proto;
	b[6] = (uint8_t)(frag_off >> 8);
	b[7] = (uint8_t)frag_off;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	b[22] = (uint8_t)(dport >> 8);
	b[23] = (uint8_t)dport;
	return 28;
}

Test(acl, first_match_decides_and_implicit_deny)
{
	uint8_t b[28];
	size_t n;
	n = pkt(b, 1, "192.168.1.10", "10.2.1.10", 0, 0);
	cr_expect_eq(acl_permits(acl, b, n), 1, "icmp permitted");
	n = pkt(b, 1, "192.168.1.10", "10.2.1.11", 0, 0);
	cr_expect_eq(acl_permits(acl, b, n), 0, "deny host 10.2.1.11 comes first");
	n = pkt(b, 6, "192.168.1.10", "10.2.1.10", 22, 0);
	cr_expect_eq(acl_permits(acl, b, n), 0, "ssh denied");
	n = pkt(b, 6, "192.168.1.10", "10.2.1.10", 80, 0);
	cr_expect_eq(acl_permits(acl, b, n), 1, "www to the inside permitted");
	n = pkt(b, 6, "192.168.1.10", "10.9.9.9", 80, 0);
	cr_expect_eq(acl_permits(acl, b, n), 0, "implicit deny");
	n = pkt(b, 17, "192.168.1.10", "10.2.1.10", 1500, 0);
	cr_expect_eq(acl_permits(acl, b, n), 1, "udp in range");
	n = pkt(b, 17, "192.168.1.10", "10.2.1.10", 2001, 0);
	cr_expect_eq(acl_permits(acl, b, n), 0, "udp out of range");
	n = pkt(b, 17, "192.168.2.10", "10.2.1.10", 1500, 0);
	cr_expect_eq(acl_permits(acl, b, n), 0, "udp from another source network");
}

Test(acl, fragments_and_short_packets)
{
	uint8_t b[28];
	size_t n = pkt(b, 17, "192.168.1.10", "10.2.1.10", 0, 0x0010);
	/* a later fragment has no ports: the port-range permit matches on addresses */
	cr_expect_eq(acl_permits(acl, b, n), 1);
	n = pkt(b, 6, "192.168.1.10", "10.2.1.10", 0, 0x0010);
	/* the port deny (eq 22) cannot judge it; the next permit (tcp to the inside) does */
	cr_expect_eq(acl_permits(acl, b, n), 1);
	n = pkt(b, 1, "192.168.1.10", "10.2.1.10", 0, 0);
	cr_expect_eq(acl_permits(acl, b, 19), 0, "shorter than a header");
	b[0] = 0x65;
	cr_expect_eq(acl_permits(acl, b, n), 0, "not IPv4");
	b[0] = 0x4f;
	cr_expect_eq(acl_permits(acl, b, n), 0, "header longer than the packet");
	n = pkt(b, 17, "192.168.1.10", "10.2.1.10", 1500, 0);
	cr_expect_eq(acl_permits(acl, b, 22), 0, "ports cut off: the port permit cannot match");
}

/* IOS lines people paste: source ports, lt/gt/neq, established, ICMP messages by name */
static const char cfg2[] =
	"ip access-list extended pasted\n"
	" permit tcp any any established\n"
	" deny tcp any gt 1023 any lt 1024\n"
	" permit udp any eq domain any neq 53\n"
	" permit icmp any any echo\n"
	" permit icmp any any port-unreachable\n"
	" permit icmp any any 11 1\n"
	" permit tcp host 192.168.1.10 range 1000 2000 any gt 8000\n";

/* a TCP segment with its flags byte, or ICMP type and code in the port fields */
static size_t pkt4(uint8_t *b, int proto, int sport, int dport, uint8_t flags)
{
	size_t n = pkt(b, proto, "192.168.1.10", "10.2.1.10", dport, 0);
	b[20] = (uint8_t)(sport >> 8);
	b[21] = (uint8_t)sport;
	memset(b + 28, 0, 12);
	b[33] = flags;
	return proto == 6 ? 40 : n;
}

Test(acl, pasted_ios_entries)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	cr_assert_not_null(c);
	cr_assert_eq(conf_load_buf("test", cfg2, sizeof(cfg2) - 1, c, NULL, NULL), 0);
	const struct conf_acl *a = conf_find_acl(c, "pasted");
	cr_assert_not_null(a);
	uint8_t b[40];

	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 40000, 443, 0x10)), 1, "ACK: established");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 40000, 443, 0x04)), 1, "RST: established");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 40000, 22, 0x02)), 0,
	             "SYN from a high port to a low one: gt/lt deny");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 40000, 1024, 0x02)), 0,
	             "SYN to 1024: not lt 1024, nothing else permits");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 1500, 8001, 0x02)), 1,
	             "source range and gt 8000");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 1500, 8000, 0x02)), 0, "gt is strict");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 999, 8001, 0x02)), 0, "source below range");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 6, 40000, 443, 0x10) - 13), 0,
	             "flags cut off: established cannot match");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 17, 53, 5353, 0)), 1, "source eq domain, neq 53");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 17, 53, 53, 0)), 0, "neq 53 excludes 53");
	cr_expect_eq(acl_permits(a, b, pkt4(b, 17, 54, 5353, 0)), 0, "source port not domain");

	/* ICMP: the 'ports' bytes of pkt() are 2 further in; put type and code at the header */
	size_t n = pkt(b, 1, "192.168.1.10", "10.2.1.10", 0, 0);
	b[20] = 8; b[21] = 0;
	cr_expect_eq(acl_permits(a, b, n), 1, "echo");
	b[20] = 0;
	cr_expect_eq(acl_permits(a, b, n), 0, "echo-reply not listed");
	b[20] = 3; b[21] = 3;
	cr_expect_eq(acl_permits(a, b, n), 1, "port-unreachable is type 3 code 3");
	b[21] = 1;
	cr_expect_eq(acl_permits(a, b, n), 0, "host-unreachable is not");
	b[20] = 11; b[21] = 1;
	cr_expect_eq(acl_permits(a, b, n), 1, "11 1 by numbers");
	b[21] = 0;
	cr_expect_eq(acl_permits(a, b, n), 0, "11 0 is another code");
	b[20] = 8;
	cr_expect_eq(acl_permits(a, b, 21), 0, "type cut off");
	b[6] = 0x00; b[7] = 0x10;
	cr_expect_eq(acl_permits(a, b, n), 1, "a later fragment meets the first icmp permit");
	free(c);
}
