/*
 * match certificate on ikemgr's side (ikemgr/ikev2_auth.c): ikemgr cannot read certificates,
 * so with one in IKE_AUTH it builds IDr for its guess and names it to keymgr; keymgr's
 * KEY_OTHER_PROFILE switches it to keymgr's profile (IDr and octets built again, asked
 * again) once; a second switch, a profile that does not exist, and a KEY_OK naming a profile
 * ikemgr is not using all end the SA. Without a certificate a map-only profile takes nobody.
 * keymgr is played here: its answers are fed to ikev2_auth_res.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "test/unit/testpki.h"
#include "test/unit/v2peer.h"

static struct vpnd_conf conf;
static struct msg_v2_auth_req req[3];
static int nkey;
static char dir[64];

static void io_key(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)id;
	if (t == IMSG_V2_AUTH_REQ && l == sizeof(req[0]) && nkey < 3)
		memcpy(&req[nkey++], d, l);
}

static void setup(void)
{
	static const struct ike_io io = { v2peer_io_send, io_key, v2peer_io_none, v2peer_io_none };
	const long D = TESTPKI_DAY;
	EVP_PKEY *ca_key = testpki_ec(), *hub_key = testpki_ec();
	X509 *ca = testpki_cert(ca_key, NULL, "CA", NULL, NULL, -D, D, 1, 1, NULL);
	X509 *hub = testpki_cert(hub_key, NULL, "hub", ca, ca_key, -D, D, 2, 0, NULL);
	char p[128], cfg[4096];

	snprintf(dir, sizeof(dir), "/tmp/v2cm.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/ca.pem", dir);
	testpki_pem(p, ca, NULL);
	snprintf(p, sizeof(p), "%s/hub.pem", dir);
	testpki_pem(p, hub, NULL);
	snprintf(p, sizeof(p), "%s/hub.key", dir);
	testpki_pem(p, NULL, hub_key);
	X509_free(ca);
	X509_free(hub);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(hub_key);
#define PROFILE(name, map, id) \
	"crypto ikev2 profile " name "\n match certificate " map "\n identity local fqdn " id "\n" \
	" authentication local ecdsa-sig\n authentication remote ecdsa-sig\n pki trustpoint TP\n" \
	" virtual-template 1\n"
	int n = snprintf(cfg, sizeof(cfg),
		"crypto pki trustpoint TP\n ca-certificate %1$s/ca.pem\n certificate %1$s/hub.pem\n"
		" private-key %1$s/hub.key\n"
		"crypto pki certificate map MA 10\n subject-name co ou=a,\n"
		"crypto pki certificate map MB 10\n subject-name co ou=b,\n"
		PROFILE("A", "MA", "a.hub.example") PROFILE("B", "MB", "b.hub.example")
		"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
		"crypto ikev2 policy P\n proposal GCM256\n"
		"crypto ipsec transform-set T esp-gcm 256\n"
		"crypto ipsec profile IP\n set transform-set T\n"
		"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
		"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
		" tunnel protection ipsec profile IP\n", dir);
	cr_assert(n > 0 && (size_t)n < sizeof(cfg));
	v2peer_hub_start(&conf, cfg, (size_t)n, &io);
	nkey = 0;
	memset(req, 0, sizeof(req));
}

static void teardown(void)
{
	char cmd[96];
	v2peer_hub_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ikev2_certmap, .init = setup, .fini = teardown);

static void sa_init(void)
{
	struct isakmp_buf b;
	v2peer_init_req(&b, 0);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(v2p.nsent, 1);
	v2peer_init_res(v2p.sent, v2p.sent_len);
}

/* v2peer's IKE_AUTH chain with a CERT payload after IDi and, cert set, an RSA AUTH; sent */
static void ike_auth(int cert)
{
	static const uint8_t leaf[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };  /* ikemgr never reads it */
	uint8_t chain[512], o[512], m[1024];
	size_t cl = v2peer_auth_chain(chain), n = 0, idl = 26;
	cr_assert_eq(chain[3], idl);
	memcpy(o, chain, idl);
	if (cert) {
		o[0] = IKEV2_NP_CERT;
		uint8_t h[5] = { IKEV2_NP_AUTH, 0, 0, (uint8_t)(5 + sizeof(leaf)), IKEV2_CERT_X509_SIG };
		memcpy(o + idl, h, sizeof(h));
		memcpy(o + idl + sizeof(h), leaf, sizeof(leaf));
		n = sizeof(h) + sizeof(leaf);
	}
	memcpy(o + idl + n, chain + idl, cl - idl);
	if (cert)
		o[idl + n + 4] = IKEV2_AUTH_RSA;
	size_t ml = v2peer_req(m, sizeof(m), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, o, cl + n);
	v2peer_in(m, ml);
}

static void answer(int status, const char *profile)
{
	struct msg_v2_auth_res res;
	memset(&res, 0, sizeof(res));
	res.sa_id = req[0].sa_id;
	res.status = status;
	snprintf(res.profile, sizeof(res.profile), "%s", profile);
	res.auth_len = 64;
	res.auth_method = IKEV2_AUTH_ECDSA256;
	cr_assert_eq(ikev2_auth_res(req[0].sa_id, &res), 1);
}

static void expect_refused(void)
{
	cr_expect_eq(v2.nsa, 0, "the SA is still there");
	cr_expect_eq(v2p.nsent, 2, "no IKE_AUTH error answer");
}

Test(ikev2_certmap, keymgr_names_the_profile_once)
{
	sa_init();
	ike_auth(1);
	cr_assert_eq(nkey, 1, "IKE_AUTH did not reach keymgr");
	cr_expect_str_eq(req[0].profile, "A", "the guess: the first profile with a map");
	cr_expect_eq(req[0].ncert, 1);
	cr_expect_eq(req[0].cert_len[0], 5);
	answer(KEY_OTHER_PROFILE, "B");
	cr_assert_eq(nkey, 2, "not asked again");
	cr_expect_str_eq(req[1].profile, "B");
	cr_expect_eq(req[1].ncert, 1, "the certificate went again");
	cr_expect_eq(req[1].auth_method, IKEV2_AUTH_RSA);
	cr_expect_eq(memcmp(req[0].oct_i, req[1].oct_i, req[0].oct_i_len), 0);
	cr_expect_eq(req[0].oct_r_len, req[1].oct_r_len);
	cr_expect_neq(memcmp(req[0].oct_r, req[1].oct_r, req[0].oct_r_len), 0,
	              "IDr (in the responder's octets) not built again for B");
	struct ikev2_sa *sa = ikev2_sa_by_id(req[0].sa_id);
	cr_assert_not_null(sa);
	cr_expect_str_eq(sa->s.v2profile->name, "B");
	/* keymgr again names another: no second switch */
	answer(KEY_OTHER_PROFILE, "A");
	cr_expect_eq(nkey, 2);
	expect_refused();
}

Test(ikev2_certmap, keymgr_ok_for_another_profile_refused)
{
	sa_init();
	ike_auth(1);
	cr_assert_eq(nkey, 1);
	answer(KEY_OK, "B");
	cr_expect_eq(nkey, 1);
	expect_refused();
}

Test(ikev2_certmap, unknown_profile_refused)
{
	sa_init();
	ike_auth(1);
	cr_assert_eq(nkey, 1);
	answer(KEY_OTHER_PROFILE, "NOSUCH");
	cr_expect_eq(nkey, 1);
	expect_refused();
}

Test(ikev2_certmap, no_certificate_no_map_profile)
{
	sa_init();
	ike_auth(0);
	cr_expect_eq(nkey, 0, "keymgr asked for a peer no profile takes");
	expect_refused();
}
