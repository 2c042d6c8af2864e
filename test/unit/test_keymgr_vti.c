/*
 * keymgr's SKEYID for a static VTI (keymgr/vti.c): from the key that covers the tunnel's
 * destination (the most specific one), only toward that destination and only for a TunnelN
 * of the file; a request naming another peer, another interface or none is refused.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile P\n set transform-set T\n"
	"crypto isakmp key wide address 172.18.0.0 255.255.0.0\n"
	"crypto isakmp key exact address 172.18.143.2\n"
	"interface eth0\n ip address 172.18.143.246 255.255.255.0\n"
	"interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	" tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n"
	"interface Tunnel1\n ip address 10.255.0.5 255.255.255.252\n tunnel source eth0\n"
	" tunnel destination 172.18.9.9\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n";

static void setup(void)
{
	cr_assert_eq(conf_load_buf("vti", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
}
TestSuite(keymgr_vti, .init = setup);

/* SKEYID for interface name toward peer; the status, and the SKEYID in out */
static int skeyid(const char *name, const char *peer, uint8_t out[20])
{
	struct msg_skeyid_req rq;
	struct msg_skeyid_res res;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = 7;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.by_address = 1;
	rq.local.sin.sin_family = rq.peer.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.246", &rq.local.sin.sin_addr);
	inet_pton(AF_INET, peer, &rq.peer.sin.sin_addr);
	rq.ni_len = rq.nr_len = 16;
	memset(rq.ni, 1, 16);
	memset(rq.nr, 2, 16);
	snprintf(rq.vti, sizeof(rq.vti), "%s", name);
	memset(&res, 0, sizeof(res));
	keymgr_vti_skeyid(&conf, &rq, &res);
	if (res.status == KEY_OK) {
		cr_assert_eq(res.skeyid_len, 20);
		memcpy(out, res.skeyid, 20);
	}
	return res.status;
}

static void expect_key(const uint8_t got[20], const char *key)
{
	uint8_t ni[16], nr[16], want[64];
	size_t n = 0;
	memset(ni, 1, 16);
	memset(nr, 2, 16);
	cr_assert_eq(ike_skeyid_psk(IKE_HASH_SHA1, (const uint8_t *)key, strlen(key), ni, 16, nr,
	                            16, want, &n), 0);
	cr_assert_arr_eq(got, want, 20, "SKEYID not from the key '%s'", key);
}

Test(keymgr_vti, the_destinations_own_key)
{
	uint8_t s[20];
	cr_assert_eq(skeyid("Tunnel0", "172.18.143.2", s), KEY_OK);
	expect_key(s, "exact");
	cr_assert_eq(skeyid("Tunnel1", "172.18.9.9", s), KEY_OK);
	expect_key(s, "wide");
}

Test(keymgr_vti, refused_elsewhere)
{
	uint8_t s[20];
	/* a peer the key covers, but not the tunnel's destination */
	cr_expect_eq(skeyid("Tunnel0", "172.18.143.3", s), KEY_NO_KEY);
	/* another tunnel's destination through this tunnel's name */
	cr_expect_eq(skeyid("Tunnel0", "172.18.9.9", s), KEY_NO_KEY);
	/* not a tunnel, not configured */
	cr_expect_eq(skeyid("eth0", "172.18.143.2", s), KEY_NO_KEY);
	cr_expect_eq(skeyid("Tunnel9", "172.18.143.2", s), KEY_NO_KEY);
}
