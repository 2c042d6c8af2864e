/*
 * The IKEv2 profile match ikemgr and keymgr share (common/conf_ikev2_match.c): which profile's
 * match identity remote lines take a peer's IDi (address, FQDN and e-mail exact or by domain,
 * key-id, any), and an identity's text.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/sa46.h"

/* ---- conf_v2_profile_for ---- */

static const char mcfg[] =
	"crypto ikev2 keyring KR\n peer a\n  address 0.0.0.0 0.0.0.0\n  pre-shared-key k\n"
	"crypto ikev2 profile BY-ADDR\n"
	" match identity remote address 10.0.0.0 255.0.0.0\n"
	" match identity remote address ipv6 2001:db8::/32\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"crypto ikev2 profile EXACT\n"
	" match identity remote fqdn host.example.com\n"
	" match identity remote email alice@example.net\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"crypto ikev2 profile DOMAINS\n"
	" match identity remote fqdn domain example.com\n"
	" match identity remote email domain example.org\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"crypto ikev2 profile KEYID\n"
	" match identity remote key-id Site7\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"crypto ikev2 profile ANY\n"
	" match identity remote any\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n";

static struct vpnd_conf mconf;

static void msetup(void)
{
	cr_assert_eq(conf_load_buf("m", mcfg, sizeof(mcfg) - 1, &mconf, NULL, NULL), 0);
}
TestSuite(conf_v2_match, .init = msetup);

/* the profile's name for the ID (type, text or address), from peer 192.0.2.1 */
static const char *prof(const struct vpnd_conf *c, int type, const char *id)
{
	uint8_t b[64];
	size_t n;
	union sa46 peer, local;
	sa46_pton("10.1.2.3", &peer);
	sa46_pton("172.18.143.246", &local);
	if (type == 1 || type == 5) {
		cr_assert_eq(inet_pton(type == 1 ? AF_INET : AF_INET6, id, b), 1);
		n = type == 1 ? 4 : 16;
	} else {
		n = strlen(id);
		memcpy(b, id, n);
	}
	const struct conf_ikev2_profile *pr = conf_v2_profile_for(c, type, b, n, &peer, &local);
	return pr ? pr->name : "(none)";
}

Test(conf_v2_match, addresses_against_the_identity)
{
	cr_assert_str_eq(prof(&mconf, 1, "10.200.0.1"), "BY-ADDR");
	cr_assert_str_eq(prof(&mconf, 1, "11.0.0.1"), "ANY");
	cr_assert_str_eq(prof(&mconf, 5, "2001:db8:ffff::1"), "BY-ADDR");
	cr_assert_str_eq(prof(&mconf, 5, "2001:db9::1"), "ANY");
	/* the peer's own address (10.1.2.3) is not its identity */
	cr_assert_str_eq(prof(&mconf, 2, "10.1.2.3"), "ANY");
	cr_assert_str_eq(prof(&mconf, 11, "10.1.2.3"), "ANY");
}

Test(conf_v2_match, names_exact_and_by_domain)
{
	cr_assert_str_eq(prof(&mconf, 2, "HOST.Example.com"), "EXACT", "first profile wins");
	cr_assert_str_eq(prof(&mconf, 2, "other.example.com"), "DOMAINS");
	cr_assert_str_eq(prof(&mconf, 2, "example.com"), "DOMAINS");
	cr_assert_str_eq(prof(&mconf, 2, "badexample.com"), "ANY");
	cr_assert_str_eq(prof(&mconf, 2, "example.com.evil.net"), "ANY");
	cr_assert_str_eq(prof(&mconf, 3, "Alice@Example.NET"), "EXACT");
	cr_assert_str_eq(prof(&mconf, 3, "bob@example.net"), "ANY");
	cr_assert_str_eq(prof(&mconf, 3, "bob@example.org"), "DOMAINS");
	cr_assert_str_eq(prof(&mconf, 3, "bob@lab.example.org"), "DOMAINS");
	cr_assert_str_eq(prof(&mconf, 3, "bob@badexample.org"), "ANY");
	cr_assert_str_eq(prof(&mconf, 3, "example.org"), "ANY", "no '@'");
	/* an email is no FQDN and the other way round */
	cr_assert_str_eq(prof(&mconf, 2, "bob@example.org"), "ANY");
	cr_assert_str_eq(prof(&mconf, 3, "host.example.com"), "ANY");
}

Test(conf_v2_match, key_id_exact_and_none_without_any)
{
	static struct vpnd_conf c;
	cr_assert_str_eq(prof(&mconf, 11, "Site7"), "KEYID");
	cr_assert_str_eq(prof(&mconf, 11, "site7"), "ANY");
	cr_assert_str_eq(prof(&mconf, 11, "Site77"), "ANY");
	/* a NUL inside a name does not match the part before it */
	uint8_t nul[] = "host.example.com\0x";
	const struct conf_ikev2_profile *pr = conf_v2_profile_for(&mconf, 2, nul, sizeof(nul) - 1,
	                                                          NULL, NULL);
	cr_assert_str_eq(pr->name, "ANY");
	/* without the any profile nothing else matches */
	size_t cut = strstr(mcfg, "crypto ikev2 profile ANY") - mcfg;
	cr_assert_eq(conf_load_buf("m2", mcfg, cut, &c, NULL, NULL), 0);
	cr_assert_str_eq(prof(&c, 11, "site7"), "(none)");
	cr_assert_str_eq(prof(&c, 2, "host.example.com"), "EXACT");
	cr_assert_str_eq(prof(&c, 1, "10.0.0.1"), "BY-ADDR");
}

Test(conf_v2_match, identity_text)
{
	char t[64];
	uint8_t a4[4] = { 192, 0, 2, 1 }, bin[3] = { 0, 0xff, 'a' };
	cr_assert_str_eq(conf_v2_id_text(1, a4, 4, t, sizeof(t)), "192.0.2.1");
	cr_assert_str_eq(conf_v2_id_text(2, (const uint8_t *)"h.example", 9, t, sizeof(t)),
	                 "h.example");
	cr_assert_str_eq(conf_v2_id_text(11, bin, 3, t, sizeof(t)), "type11:00ff61");
	cr_assert(conf_v2_id_is(V2_ID_ADDRESS, "192.0.2.1", 1, a4, 4));
	cr_assert(!conf_v2_id_is(V2_ID_ADDRESS, "192.0.2.2", 1, a4, 4));
	cr_assert(conf_v2_id_is(V2_ID_FQDN, "H.example", 2, (const uint8_t *)"h.example", 9));
	cr_assert(!conf_v2_id_is(V2_ID_FQDN, "example", 2, (const uint8_t *)"h.example", 9));
}
