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
