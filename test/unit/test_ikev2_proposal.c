/*
 * IKEv2 proposal choice against the configuration: the policy by local address, our order of
 * preference, the KE group kept when allowed, AEAD proposals without integrity, and the
 * CHILD_SA against the ipsec profile's transform sets.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <string.h>

#include "ikemgr/ikev2_proposal.h"
#include "test/unit/confload.h"

TestSuite(ikev2_proposal, .init = confload_setup, .fini = confload_teardown);

static const char cfg[] =
	"crypto ikev2 proposal CBC\n"
	" encryption aes-cbc-256 aes-cbc-128\n"
	" integrity sha256 sha1\n"
	" group 14 19\n"
	"crypto ikev2 proposal GCM\n"
	" encryption aes-gcm-256\n"
	" prf sha384\n"
	" group 20\n"
	"crypto ikev2 policy ONLY-GCM\n"
	" match address local 192.0.2.9\n"
	" proposal GCM\n"
	"crypto ikev2 policy ANY\n"
	" proposal CBC\n"
	" proposal GCM\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha256-hmac\n"
	"crypto ipsec transform-set T2 esp-gcm 256\n"
	"crypto ipsec profile P\n"
	" set transform-set T2 T1\n";

/* One IKE proposal: AES-CBC-bits or GCM, prf, integ (0: none), groups. */
static void prop(struct ikev2_prop *p, int num, int encr, int bits, int prf, int integ,
                 const int *groups, int ng)
{
	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)num;
	p->proto = IKEV2_PROTO_IKE;
	p->tr[p->ntr++] = (struct ikev2_trans){ IKEV2_TR_ENCR, (uint16_t)encr, (uint16_t)bits };
	p->tr[p->ntr++] = (struct ikev2_trans){ IKEV2_TR_PRF, (uint16_t)prf, 0 };
	if (integ)
		p->tr[p->ntr++] = (struct ikev2_trans){ IKEV2_TR_INTEG, (uint16_t)integ, 0 };
	for (int i = 0; i < ng; i++)
		p->tr[p->ntr++] = (struct ikev2_trans){ IKEV2_TR_DH, (uint16_t)groups[i], 0 };
}

static union sa46 addr(const char *s)
{
	union sa46 a;
	cr_assert_eq(sa46_pton(s, &a), 0);
	return a;
}

Test(ikev2_proposal, ike_choice)
{
	cr_assert_eq(load_str(cfg), 0);
	struct ikev2_sa_pl offer = { .n = 2 };
	const int g14_19[] = { 19, 14 }, g20[] = { 20 };
	prop(&offer.prop[0], 1, 12, 128, 2, 2, g14_19, 2);   /* aes128, prf sha1, sha1 */
	prop(&offer.prop[1], 2, 20, 256, 6, 0, g20, 1);      /* gcm256 prf sha384 */
	union sa46 other = addr("198.51.100.1"), only = addr("192.0.2.9");
	struct ikev2_ike_choice ch;

	/* the policy without a local address: CBC first; its prf follows integrity (sha256,
	 * sha1: the peer has sha1); KE group 19 is allowed so it is kept */
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 19, &ch), 0);
	cr_assert_eq(ch.prop_num, 1);
	cr_assert_eq(ch.encr_id, 12);
	cr_assert_eq(ch.encr_bits, 128);
	cr_assert_eq(ch.integ_id, 2);
	cr_assert_eq(ch.prf_id, 2);
	cr_assert_eq(ch.dh, 19);
	/* KE for a group we do not take first: our order (14) */
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 5, &ch), 0);
	cr_assert_eq(ch.dh, 14);
	/* the local address with its own policy: only GCM, found in the peer's 2nd proposal */
	cr_assert_eq(ikev2_choose_ike(conf, &only, &offer, 19, &ch), 0);
	cr_assert_eq(ch.prop_num, 2);
	cr_assert_eq(ch.encr_id, 20);
	cr_assert_eq(ch.encr_bits, 256);
	cr_assert_eq(ch.integ_id, 0);
	cr_assert_eq(ch.prf_id, 6);
	cr_assert_eq(ch.dh, 20);
	/* a GCM proposal that also carries integrity is not an AEAD proposal we take */
	offer.prop[1].tr[offer.prop[1].ntr++] = (struct ikev2_trans){ IKEV2_TR_INTEG, 12, 0 };
	cr_assert_eq(ikev2_choose_ike(conf, &only, &offer, 20, &ch), -1);
	/* nothing in common */
	offer.n = 1;
	prop(&offer.prop[0], 1, 3, 0, 1, 1, g20, 1);          /* 3des md5 group 20 */
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 20, &ch), -1);
	/* a key length we do not have, and a proposal spoiled by an unknown attribute */
	prop(&offer.prop[0], 1, 12, 192, 5, 12, g14_19, 2);
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 14, &ch), -1);
	prop(&offer.prop[0], 1, 12, 256, 5, 12, g14_19, 2);
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 14, &ch), 0);
	offer.prop[0].bad_attr = 1;
	cr_assert_eq(ikev2_choose_ike(conf, &other, &offer, 14, &ch), -1);
}

Test(ikev2_proposal, esp_choice)
{
	cr_assert_eq(load_str(cfg), 0);
	const struct conf_ipsec_profile *ip = conf_find_ipsec_profile(conf, "P");
	cr_assert_not_null(ip);
	struct ikev2_prop p[2];
	memset(p, 0, sizeof(p));
	/* aes256-sha256 with ESN off and on offered */
	p[0].num = 1, p[0].proto = IKEV2_PROTO_ESP, p[0].spi_size = 4;
	memcpy(p[0].spi, "\xc1\xc2\xc3\xc4", 4);
	p[0].tr[p[0].ntr++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 12, 256 };
	p[0].tr[p[0].ntr++] = (struct ikev2_trans){ IKEV2_TR_INTEG, 12, 0 };
	p[0].tr[p[0].ntr++] = (struct ikev2_trans){ IKEV2_TR_ESN, 1, 0 };
	p[0].tr[p[0].ntr++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	struct ikev2_esp_choice ch;
	cr_assert_eq(ikev2_choose_esp(conf, ip, p, 1, &ch), 0);
	cr_assert_eq(ch.encr, ESP_ENCR_AES_CBC);
	cr_assert_eq(ch.keylen, 256);
	cr_assert_eq(ch.auth, ESP_AUTH_HMAC_SHA256_128);
	cr_assert_eq(ch.integ_id, 12);
	cr_assert(ch.esn_none);
	cr_assert_eq(memcmp(&ch.spi_peer, "\xc1\xc2\xc3\xc4", 4), 0);
	/* ESN only: our data plane has 32-bit sequence numbers */
	p[0].ntr = 3;
	cr_assert_eq(ikev2_choose_esp(conf, ip, p, 1, &ch), -1);
	/* GCM 256 in a second proposal: the profile lists T2 first, but the peer's order rules */
	p[0].tr[3] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	p[0].ntr = 4;
	p[1].num = 2, p[1].proto = IKEV2_PROTO_ESP, p[1].spi_size = 4;
	p[1].tr[p[1].ntr++] = (struct ikev2_trans){ IKEV2_TR_ENCR, 20, 256 };
	p[1].tr[p[1].ntr++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
	cr_assert_eq(ikev2_choose_esp(conf, ip, p, 2, &ch), 0);
	cr_assert_eq(ch.prop_num, 1);
	cr_assert_eq(ikev2_choose_esp(conf, ip, p + 1, 1, &ch), 0);
	cr_assert_eq(ch.encr, ESP_ENCR_AES_GCM16);
	cr_assert_eq(ch.integ_id, 0);
	/* an AH proposal, or one with a wrong SPI size, is not taken */
	p[1].proto = IKEV2_PROTO_AH;
	cr_assert_eq(ikev2_choose_esp(conf, ip, p + 1, 1, &ch), -1);
	cr_assert_eq(ikev2_choose_esp(conf, NULL, p, 1, &ch), -1);
}
