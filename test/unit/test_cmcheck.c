/* Manual crypto map keys: what keymgr sends (keymgr/cmap.c) and what tunmgr accepts of it
 * (tunmgr/cmcheck.c). The crypto map entry is filled by hand: its parser is written
 * elsewhere. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"
#include "tunmgr/cmcheck.h"

static struct vpnd_conf conf;
static const char cfg[] =
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set G esp-gcm 256\n"
	"access-list 101 permit ip 10.3.1.0 0.0.0.255 10.2.1.0 0.0.0.255\n"
	"access-list 102 permit ip 10.3.1.0 0.0.0.255 10.2.1.0 0.0.0.255\n"
	"access-list 102 permit ip 10.3.2.0 0.0.0.255 10.2.1.0 0.0.0.255\n"
	"access-list 103 deny ip any any\n"
	"interface eth0\n"
	" ip address 172.18.143.2 255.255.255.0\n";

static struct msg_manual_sa m;
static struct cm_plan plan;
static char why[160];

static struct in_addr A(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void key(struct conf_session_key *k, uint32_t spi, uint8_t fill)
{
	k->set = 1;
	k->spi = spi;
	memset(k->cipher, fill, 32);
	k->cipher_len = 32;
	memset(k->auth, fill + 1, 20);
	k->auth_len = 20;
}

static void setup(void)
{
	memset(&conf, 0, sizeof(conf));
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	struct conf_crypto_map *e = &conf.cmap[conf.ncmap++];
	snprintf(e->name, sizeof(e->name), "CM");
	e->seq = 10;
	e->kind = CMAP_MANUAL;
	e->peer[0] = A("172.18.143.246");
	e->npeer = 1;
	snprintf(e->tset[0], sizeof(e->tset[0]), "T");
	e->ntset = 1;
	snprintf(e->match_acl, sizeof(e->match_acl), "101");
	key(&e->key_in, 4096, 0x11);
	key(&e->key_out, 8192, 0x22);
	snprintf(conf.iface[0].crypto_map, sizeof(conf.iface[0].crypto_map), "CM");
	cr_assert_eq(cmap_manual_msg(e, &m), 0);
}
TestSuite(cmcheck, .init = setup);

static int check(void)
{
	return cm_check(&conf, &m, &plan, why, sizeof(why));
}

Test(cmcheck, keymgr_message)
{
	cr_assert_str_eq(m.map, "CM");
	cr_assert_eq(m.seq, 10);
	cr_assert_eq(m.spi_in, 4096);
	cr_assert_eq(m.spi_out, 8192);
	cr_assert_eq(m.enc_len, 32);
	cr_assert_eq(m.auth_len, 20);
	cr_assert_eq(m.enc_in[0], 0x11);
	cr_assert_eq(m.enc_out[31], 0x22);
	cr_assert_eq(m.auth_out[19], 0x23);
	/* one direction missing, or an ipsec-isakmp entry: nothing to send */
	conf.cmap[0].key_out.set = 0;
	cr_assert_eq(cmap_manual_msg(&conf.cmap[0], &m), -1);
	cr_assert_eq(m.enc_in[0], 0);
	conf.cmap[0].key_out.set = 1;
	conf.cmap[0].kind = CMAP_ISAKMP;
	cr_assert_eq(cmap_manual_msg(&conf.cmap[0], &m), -1);
}

static struct msg_manual_sa sent;
static int nsent;
static void capture(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	cr_assert_eq(type, IMSG_MANUAL_SA);
	cr_assert_eq(len, sizeof(sent));
	memcpy(&sent, data, len);
	nsent++;
}

Test(cmcheck, send_all)
{
	struct conf_crypto_map *e = &conf.cmap[conf.ncmap++];
	*e = conf.cmap[0];
	e->kind = CMAP_ISAKMP;          /* not sent */
	nsent = 0;
	cr_assert_eq(cmap_send_all(&conf, capture), 1);
	cr_assert_eq(nsent, 1);
	cr_assert_eq(memcmp(&sent, &m, sizeof(m)), 0);
}

Test(cmcheck, accepted)
{
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(plan.idx, 0);
	cr_assert_eq(plan.iface, &conf.iface[0]);
	cr_assert_eq(plan.peer.s_addr, A("172.18.143.246").s_addr);
	cr_assert_eq(plan.src.s_addr, A("10.3.1.0").s_addr);
	cr_assert_eq(plan.dst.s_addr, A("10.2.1.0").s_addr);
	cr_assert_eq(plan.src_len, 24);
	cr_assert_eq(plan.dst_len, 24);
	cr_assert_eq(plan.encr, ESP_ENCR_AES_CBC);
	cr_assert_eq(plan.auth, ESP_AUTH_HMAC_SHA1_96);
	cr_assert_eq(plan.extra_permits, 0);
}

Test(cmcheck, spis_must_match)
{
	m.spi_in = 4097;
	cr_assert_eq(check(), -EPERM);
	cr_assert(strstr(why, "SPI"));
	m.spi_in = 4096;
	m.spi_out = 1;
	cr_assert_eq(check(), -EPERM);
}

Test(cmcheck, key_lengths_must_match)
{
	m.enc_len = 24;
	cr_assert_eq(check(), -EINVAL);
	cr_assert(strstr(why, "32/20"), "%s", why);
	m.enc_len = 32;
	m.auth_len = 32;
	cr_assert_eq(check(), -EINVAL);
}

Test(cmcheck, gcm_refused)
{
	snprintf(conf.cmap[0].tset[0], sizeof(conf.cmap[0].tset[0]), "G");
	cr_assert_eq(check(), -EINVAL);
	cr_assert(strstr(why, "RFC 8221"), "%s", why);
}

Test(cmcheck, unknown_entry_or_unapplied_map)
{
	m.seq = 20;
	cr_assert_eq(check(), -ENOENT);
	m.seq = 10;
	memset(m.map, 'x', sizeof(m.map));
	cr_assert_eq(check(), -EINVAL);
	snprintf(m.map, sizeof(m.map), "CM");
	conf.iface[0].crypto_map[0] = 0;
	cr_assert_eq(check(), -ENOENT);
	cr_assert(strstr(why, "no interface"), "%s", why);
}

Test(cmcheck, acl)
{
	snprintf(conf.cmap[0].match_acl, sizeof(conf.cmap[0].match_acl), "102");
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(plan.extra_permits, 1);
	snprintf(conf.cmap[0].match_acl, sizeof(conf.cmap[0].match_acl), "103");
	cr_assert_eq(check(), -ENOENT);
	snprintf(conf.cmap[0].match_acl, sizeof(conf.cmap[0].match_acl), "199");
	cr_assert_eq(check(), -ENOENT);
}

Test(cmcheck, one_peer)
{
	conf.cmap[0].npeer = 2;
	conf.cmap[0].peer[1] = A("192.0.2.1");
	cr_assert_eq(check(), -EINVAL);
}

Test(cmcheck, plen)
{
	cr_assert_eq(cm_plen(A("255.255.255.0")), 24);
	cr_assert_eq(cm_plen(A("255.255.255.255")), 32);
	cr_assert_eq(cm_plen(A("0.0.0.0")), 0);
	cr_assert_eq(cm_plen(A("255.0.255.0")), -1);
}
