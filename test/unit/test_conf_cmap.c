/*
 * crypto map entries as the rest of vpnd reads them: stored sorted, keys as bytes, the first
 * permit found, key lengths as each transform set needs them, secrets never in a message,
 * and redaction (each line's errors are in test/data/conf/bad_cmap*.conf).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "test/unit/confload.h"

TestSuite(cmap, .init = confload_setup, .fini = confload_teardown);

/* n bytes 0x11, 0x12, ... as hex */
static const char *hexkey(char *buf, int n, int first)
{
	for (int k = 0; k < n; k++)
		sprintf(buf + 2 * k, "%02x", (first + k) & 0xff);
	buf[2 * n] = '\0';
	return buf;
}

#define K16 "00112233445566778899aabbccddeeff"
#define K20 K16 "01020304"

static const char two_entries[] =
	"crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	"ip access-list extended A\n"
	" deny ip host 10.1.0.9 any\n"
	" permit tcp 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255 eq 22\n"
	" permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255\n"
	"crypto map B 7 ipsec-manual\n"
	" set peer 192.0.2.1\n"
	" set transform-set T\n"
	" match address A\n"
	" set session-key inbound esp 1000 cipher " K16 " authenticator " K20 "\n"
	" set session-key outbound esp 1001 cipher " K16 " authenticator " K20 "\n"
	"crypto map A 9 ipsec-manual\n"
	" set peer 192.0.2.2\n"
	"crypto map A 3 ipsec-manual\n"
	" set peer 192.0.2.3\n"
	" set transform-set T\n"
	" match address A\n"
	" set session-key inbound esp 2000 cipher " K16 " authenticator " K20 "\n"
	" set session-key outbound esp 2001 cipher " K16 " authenticator " K20 "\n"
	"crypto map A 9\n"                 /* re-entered: no kind, the lines add to it */
	" set transform-set T\n"
	" match address A\n"
	" set session-key inbound esp 3000 cipher " K16 " authenticator " K20 "\n"
	" set session-key outbound esp 3001 cipher " K16 " authenticator " K20 "\n"
	"interface eth0\n ip address 192.0.2.100 255.255.255.0\n crypto map A\n"
	"interface eth1\n ip address 192.0.3.100 255.255.255.0\n crypto map B\n";

Test(cmap, entries_sorted_and_filled)
{
	cr_assert_eq(load_str(two_entries), 0);
	cr_assert_eq(conf->ncmap, 3);
	cr_expect_str_eq(conf->cmap[0].name, "A");
	cr_expect_eq(conf->cmap[0].seq, 3);
	cr_expect_str_eq(conf->cmap[1].name, "A");
	cr_expect_eq(conf->cmap[1].seq, 9);
	cr_expect_str_eq(conf->cmap[2].name, "B");

	const struct conf_crypto_map *m = conf_find_cmap(conf, "A", 9);
	cr_assert_not_null(m);
	cr_expect_eq(m, &conf->cmap[1]);
	cr_expect_eq(m->kind, CMAP_MANUAL);
	cr_expect_eq(m->line, 12);
	cr_expect_eq(m->npeer, 1);
	cr_expect_eq(m->peer[0].s_addr, ip("192.0.2.2"));
	cr_expect_eq(m->ntset, 1);
	cr_expect_str_eq(m->tset[0], "T");
	cr_expect_str_eq(m->match_acl, "A");
	cr_expect_eq(m->key_in.set, 1);
	cr_expect_eq(m->key_in.spi, 3000);
	cr_expect_eq(m->key_out.spi, 3001);
	cr_expect_eq(m->key_in.cipher_len, 16);
	cr_expect_eq(m->key_in.auth_len, 20);
	static const uint8_t c16[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                                 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	cr_expect_eq(memcmp(m->key_in.cipher, c16, 16), 0);
	cr_expect_eq(memcmp(m->key_out.auth, c16, 16), 0);
	cr_expect_eq(memcmp(m->key_out.auth + 16, "\x01\x02\x03\x04", 4), 0);
	cr_expect_eq(conf_find_cmap(conf, "A", 0), &conf->cmap[0], "seq 0: the map's first");
	cr_expect_null(conf_find_cmap(conf, "A", 4));
	cr_expect_null(conf_find_cmap(conf, "C", 0));

	cr_expect_str_eq(conf_find_iface(conf, "eth0")->crypto_map, "A");
	cr_expect_str_eq(conf_find_iface(conf, "eth1")->crypto_map, "B");

	/* the first permit, past the deny; the later permit is named in a warning */
	const struct conf_ace *e = conf_cmap_first_permit(conf, m);
	cr_assert_not_null(e);
	cr_expect_eq(e, &conf_find_acl(conf, "A")->ace[1]);
	cr_expect_eq(e->proto, 6);
	cr_expect_eq(e->dport_lo, 22);
	cr_expect_geq(find_msg("t.conf:12: warning: crypto map A 9: ipsec-manual uses only the "
	                       "first permit of A; line 5 ignored", NULL), 0);
	cr_expect_geq(find_msg("t.conf:12: warning: crypto map A 9: ipsec-manual uses only the "
	                       "first permit of A; deny on line 3 ignored", NULL), 0);
	cr_expect_eq(dl->n, 6, "two warnings for each of the three entries");
}

Test(cmap, redact_keeps_spis)
{
	static const uint8_t zero[64];

	cr_assert_eq(load_str(two_entries), 0);
	conf_redact(conf);
	for (int k = 0; k < conf->ncmap; k++) {
		const struct conf_crypto_map *m = &conf->cmap[k];
		cr_expect_eq(memcmp(m->key_in.cipher, zero, sizeof(m->key_in.cipher)), 0);
		cr_expect_eq(memcmp(m->key_in.auth, zero, sizeof(m->key_in.auth)), 0);
		cr_expect_eq(memcmp(m->key_out.cipher, zero, sizeof(m->key_out.cipher)), 0);
		cr_expect_eq(memcmp(m->key_out.auth, zero, sizeof(m->key_out.auth)), 0);
		cr_expect_neq(m->key_in.spi, 0);
	}
}

/* the lengths the issue gives, for every transform the parser knows */
Test(cmap, key_lengths)
{
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_AES_CBC, 128), 16);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_AES_CBC, 0), 16);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_AES_CBC, 192), 24);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_AES_CBC, 256), 32);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_3DES, 0), 24);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_DES, 0), 8);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_AES_GCM16, 128), 0);
	cr_expect_eq(conf_esp_cipher_keylen(ESP_ENCR_NULL, 0), 0);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_HMAC_SHA1_96), 20);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_HMAC_MD5_96), 16);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_HMAC_SHA256_128), 32);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_HMAC_SHA384_192), 48);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_HMAC_SHA512_256), 64);
	cr_expect_eq(conf_esp_auth_keylen(ESP_AUTH_NONE), 0);
}

/* Each set loads with keys of exactly its lengths, and not with one byte more or less. */
Test(cmap, key_lengths_enforced)
{
	static const struct { const char *ts; int c, a; } sets[] = {
		{ "esp-aes esp-sha-hmac", 16, 20 },
		{ "esp-aes 192 esp-md5-hmac", 24, 16 },
		{ "esp-aes 256 esp-sha256-hmac", 32, 32 },
		{ "esp-3des esp-sha384-hmac", 24, 48 },
		{ "esp-des esp-sha512-hmac", 8, 64 },
	};
	char text[2048], kc[160], ka[160];

	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		for (int dc = -1; dc <= 1; dc++) {
			for (int da = -1; da <= 1; da++) {
				if (dc && da)
					continue;
				hexkey(kc, sets[s].c + dc, 0x20);
				hexkey(ka, sets[s].a + da, 0x40);
				snprintf(text, sizeof(text),
				         "crypto ipsec transform-set T %s\n"
				         "ip access-list extended A\n permit ip any any\n"
				         "crypto map M 1 ipsec-manual\n set peer 192.0.2.1\n"
				         " set transform-set T\n match address A\n"
				         " set session-key inbound esp 300 cipher %s authenticator %s\n"
				         " set session-key outbound esp 301 cipher %s authenticator %s\n",
				         sets[s].ts, kc, ka, kc, ka);
				int n = load_str(text);
				if (!dc && !da) {
					cr_expect_eq(n, 0, "%s", sets[s].ts);
					cr_expect_eq(conf->cmap[0].key_out.cipher[0], 0x20);
					cr_expect_eq(conf->cmap[0].key_out.auth[sets[s].a - 1],
					             (0x40 + sets[s].a - 1) & 0xff);
				} else {
					/* one error per direction; 65 bytes do not fit the buffer, so the
					 * line is refused and the key is then missing as well */
					int want = sets[s].a + da > 64 ? 4 : 2;
					cr_expect_eq(n, want, "%s with %+d/%+d bytes", sets[s].ts, dc, da);
					cr_expect_geq(find_msg(dc ? "cipher key is" : "authenticator key is", NULL),
					              0);
				}
				/* no message ever shows a key */
				for (int k = 0; k < dl->n; k++)
					cr_expect_null(strstr(dl->msg[k], "2021222324"), "%s", dl->msg[k]);
			}
		}
	}
}

/* a set without an HMAC needs no authenticator key, and is refused for that reason alone */
Test(cmap, no_hmac_refused)
{
	cr_expect_eq(load_str("crypto ipsec transform-set T esp-aes\n"
	                      "ip access-list extended A\n permit ip any any\n"
	                      "crypto map M 1 ipsec-manual\n set peer 192.0.2.1\n"
	                      " set transform-set T\n match address A\n"
	                      " set session-key inbound esp 300 cipher " K16 "\n"
	                      " set session-key outbound esp 301 cipher " K16 "\n"), 1);
	cr_expect_geq(find_msg("t.conf:4: error: crypto map M 1: transform set 'T' has no "
	                       "authentication", NULL), 0);
}

/* bad hex is reported without echoing the key (neither the digits nor the word) */
Test(cmap, bad_key_not_echoed)
{
	cr_expect_eq(load_str("crypto map M 1 ipsec-manual\n"
	                      " set session-key inbound esp 300 cipher 5ec2e75ec2e7zz\n"), 6);
	for (int k = 0; k < dl->n; k++)
		cr_expect_null(strstr(dl->msg[k], "5ec2e7"), "%s", dl->msg[k]);
	cr_expect_geq(find_msg("t.conf:2: error: bad cipher key: not hex", NULL), 0);
}

Test(cmap, isakmp_loads_with_warning)
{
	cr_expect_eq(load_str("crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	                      "ip access-list extended A\n permit ip any any\n permit icmp any any\n"
	                      "crypto map I 10 ipsec-isakmp\n set peer 192.0.2.1\n"
	                      " set transform-set T\n match address A\n set pfs\n"), 0);
	cr_expect_eq(conf->cmap[0].kind, CMAP_ISAKMP);
	cr_expect_eq(conf->cmap[0].pfs_group, 2, "bare set pfs is group 2, as on IOS");
	cr_expect_eq(dl->n, 1, "no first-permit warnings for an IKE-keyed entry");
	cr_expect_str_eq(dl->msg[0], "t.conf:5: warning: crypto map I 10 ipsec-isakmp: IKE-keyed "
	                 "crypto maps are not implemented yet; only ipsec-manual entries protect "
	                 "traffic");
}

Test(cmap, too_many_entries)
{
	char text[8192];
	size_t n = 0;

	for (int k = 0; k <= CONF_MAX_CMAPS; k++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "crypto map M %d ipsec-isakmp dynamic D\n", k + 1);
	cr_expect_eq(load_str(text), 1);
	cr_expect_eq(conf->ncmap, CONF_MAX_CMAPS);
	cr_expect_geq(find_msg("too many crypto map entries, expected at most 16", NULL), 0);
}

/* an IOS-named interface carrying a crypto map must find its Linux device: an error if not */
Test(cmap, ios_interface_needs_device)
{
	char text[2048];

	const char *eth0 = strstr(two_entries, "interface eth0\n");
	cr_assert_not_null(eth0);
	snprintf(text, sizeof(text), "%.*sinterface GigabitEthernet0/0\n%s",
	         (int)(eth0 - two_entries), two_entries, eth0 + strlen("interface eth0\n"));
	cr_assert_eq(load_str(text), 0);
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_bind_devices(conf, NULL, confload_collect, dl), 1);
	cr_expect_geq(find_msg("error: GigabitEthernet0/0: no Linux device holds 192.0.2.100", NULL),
	              0);
}
