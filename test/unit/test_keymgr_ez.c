/*
 * keymgr's answers to an Easy VPN remote (keymgr/ezvpn.c): SKEYID from the ezvpn's group key
 * and its XAUTH credentials only toward its peers; a pushed backup-gateway list taken only
 * from the SA keymgr keyed toward a configured peer, after which the backups are peers too.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"crypto ipsec client ezvpn testvpn\n"
	" connect manual\n"
	" group group1 key cisco123\n"
	" peer 172.18.143.246\n"
	" virtual-interface 1\n"
	" username cisco password cisco123\n"
	" xauth userid mode local\n"
	"interface Virtual-Template1 type tunnel\n"
	" tunnel mode ipsec ipv4\n";

static void setup(void)
{
	cr_assert_eq(conf_load_buf("ez", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	cr_assert_eq(ike_crypto_init(), 0);
}
TestSuite(keymgr_ez, .init = setup);

static union sa46 addr(const char *a)
{
	union sa46 s;
	cr_assert_eq(sa46_pton(a, &s), 0);
	sa46_set_port(&s, htons(500));
	return s;
}

static int skeyid(uint32_t sa, const char *peer, const char *ez)
{
	struct msg_skeyid_req rq;
	struct msg_skeyid_res res;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.peer = addr(peer);
	rq.ni_len = rq.nr_len = 16;
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "%s", ez);
	memset(&res, 0, sizeof(res));
	keymgr_ez_skeyid(&conf, &rq, &res);
	return res.status;
}

static int backup(uint32_t sa, const char *from, const char *b1, const char *b2, int *kept)
{
	struct msg_ez_backup rq, out;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa;
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "testvpn");
	rq.peer = addr(from);
	rq.addr[rq.n++] = addr(b1).sin.sin_addr;
	if (b2)
		rq.addr[rq.n++] = addr(b2).sin.sin_addr;
	int ok = keymgr_ez_backup(&conf, &rq, &out);
	*kept = ok ? out.n : -1;
	return ok;
}

Test(keymgr_ez, group_key_only_toward_its_peers)
{
	cr_assert_eq(skeyid(1, "172.18.143.246", "testvpn"), KEY_OK);
	cr_assert_eq(skeyid(2, "198.51.100.9", "testvpn"), KEY_NO_KEY, "a peer not configured");
	cr_assert_eq(skeyid(3, "172.18.143.246", "othervpn"), KEY_NO_KEY, "an ezvpn not configured");
}

/* An IPv6 peer whose bytes where an IPv4 address would be (sin6_flowinfo) spell a configured
 * server: not that server. */
Test(keymgr_ez, an_ipv6_peer_is_never_an_ipv4_server)
{
	struct msg_skeyid_req rq;
	struct msg_skeyid_res res;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = 5;
	rq.prf_hash = IKE_HASH_SHA1;
	rq.peer = addr("2001:db8::1");
	union sa46 server = addr("172.18.143.246");
	memcpy(&rq.peer.sin6.sin6_flowinfo, &server.sin.sin_addr, 4);
	rq.ni_len = rq.nr_len = 16;
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "testvpn");
	memset(&res, 0, sizeof(res));
	keymgr_ez_skeyid(&conf, &rq, &res);
	cr_assert_eq(res.status, KEY_NO_KEY, "an IPv6 peer got the group key of an IPv4 server");
	cr_assert_eq(skeyid(6, "2001:db8::1", "testvpn"), KEY_NO_KEY);
}

Test(keymgr_ez, credentials_only_toward_its_peers)
{
	struct msg_ez_xauth_req rq;
	struct msg_ez_xauth_res res;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "testvpn");
	rq.peer = addr("172.18.143.246");
	keymgr_ez_xauth(&conf, &rq, &res);
	cr_assert_eq(res.status, KEY_OK);
	cr_assert_str_eq(res.user, "cisco");
	cr_assert_str_eq(res.password, "cisco123");
	rq.peer = addr("198.51.100.9");
	keymgr_ez_xauth(&conf, &rq, &res);
	cr_assert_eq(res.status, KEY_NO_KEY);
	cr_assert_eq(res.password[0], '\0', "no password toward a stranger");
}

Test(keymgr_ez, backup_list_only_from_the_keyed_sa)
{
	int kept;
	cr_assert_eq(skeyid(7, "172.18.143.246", "testvpn"), KEY_OK);
	/* another SA, or the right SA claimed from another address: refused */
	cr_assert_eq(backup(8, "172.18.143.246", "10.2.1.10", NULL, &kept), 0);
	cr_assert_eq(backup(7, "198.51.100.9", "10.2.1.10", NULL, &kept), 0);
	cr_assert_eq(skeyid(9, "10.2.1.10", "testvpn"), KEY_NO_KEY, "not a peer before it is named");
	/* from the keyed SA: loopback skipped, the other kept and now a peer */
	cr_assert_eq(backup(7, "172.18.143.246", "127.0.0.1", "10.2.1.10", &kept), 1);
	cr_assert_eq(kept, 1);
	cr_assert_eq(skeyid(10, "10.2.1.10", "testvpn"), KEY_OK);
	/* a backup's own list is not followed */
	cr_assert_eq(backup(10, "10.2.1.10", "10.2.1.11", NULL, &kept), 0);
	cr_assert_eq(skeyid(11, "10.2.1.11", "testvpn"), KEY_NO_KEY);
}
