/*
 * crypto pki certificate map: the lines as read (values stored as compared, errors naming
 * FILE:LINE) and keymgr/certmap.c's matching of certificates made in memory: the DN text
 * (lower-case RFC 2253), eq/ne/co/nc/sw/ew on the subject and issuer, AND within an entry,
 * OR across a label's entries, subjectAltName entries one by one, the serial number.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/conf.h"
#include "keymgr/keymgr.h"
#include "test/unit/testpki.h"

static struct vpnd_conf *conf;
static char errs[4096], warns[4096];
static EVP_PKEY *ca_key, *key;
static X509 *ca, *carol, *dave, *erin;

static void collect(void *arg, int is_error, const char *msg)
{
	char *b = is_error ? errs : warns;
	(void)arg;
	snprintf(b + strlen(b), sizeof(errs) - strlen(b), "%s\n", msg);
}

static int load(const char *text)
{
	errs[0] = warns[0] = '\0';
	memset(conf, 0, sizeof(*conf));
	return conf_load_buf("t.conf", text, strlen(text), conf, collect, NULL);
}

static void setup(void)
{
	const long D = TESTPKI_DAY;
	conf = calloc(1, sizeof(*conf));
	cr_assert_not_null(conf);
	ca_key = testpki_rsa();
	key = testpki_ec();
	ca = testpki_cert(ca_key, NULL, "Test CA", NULL, NULL, -D, 30 * D, 1, 1, NULL);
	/* subject cn=carol,ou=eng,o=vpnd test */
	carol = testpki_cert(key, "Eng", "Carol", ca, ca_key, -D, 30 * D, 0x1a2b, 0,
	                     "DNS:carol.eng.example.com,email:Carol@Example.com,IP:192.0.2.7");
	dave = testpki_cert(key, "sales", "dave", ca, ca_key, -D, 30 * D, 0x100, 0,
	                    "DNS:dave.example.com");
	erin = testpki_cert(key, NULL, "erin", ca, ca_key, -D, 30 * D, 7, 0, NULL);
}

static void teardown(void)
{
	X509_free(ca);
	X509_free(carol);
	X509_free(dave);
	X509_free(erin);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	free(conf);
}

TestSuite(certmap, .init = setup, .fini = teardown);

/* one entry of map M made of the lines in body: does x match it? */
static int holds(const char *body, X509 *x)
{
	char text[1024];
	snprintf(text, sizeof(text), "crypto pki certificate map M 10\n%s", body);
	cr_assert_eq(load(text), 0, "%s\n---\n%s", text, errs);
	return certmap_match(conf, "M", x);
}

Test(certmap, dn_text)
{
	char *s = certmap_dn(X509_get_subject_name(carol));
	cr_expect_str_eq(s, "cn=carol,ou=eng,o=vpnd test");
	free(s);
	s = certmap_dn(X509_get_issuer_name(carol));
	cr_expect_str_eq(s, "cn=test ca,o=vpnd test");
	free(s);
	/* RFC 2253's escapes, a multi-valued RDN, UTF-8 kept */
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)"J\xc3\xb6rg, Jr.", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "UID", MBSTRING_ASC, (const unsigned char *)"JR", -1, -1, -1);
	s = certmap_dn(n);
	cr_expect_str_eq(s, "uid=jr+cn=j\xc3\xb6rg\\, jr.,c=us");
	free(s);
	X509_NAME_free(n);
}

Test(certmap, subject_and_issuer_operators)
{
	cr_expect(holds(" subject-name eq CN=Carol,OU=Eng,O=vpnd test\n", carol));
	cr_expect(!holds(" subject-name eq cn=carol,ou=eng\n", carol));
	cr_expect(holds(" subject-name ne cn=carol,ou=eng\n", carol));
	cr_expect(!holds(" subject-name ne cn=carol,ou=eng,o=vpnd test\n", carol));
	cr_expect(holds(" subject-name co ou = eng,\n", carol));
	cr_expect(!holds(" subject-name co ou = eng,\n", dave));
	cr_expect(holds(" subject-name nc ou=eng\n", dave));
	cr_expect(!holds(" subject-name nc ou=eng\n", carol));
	cr_expect(holds(" subject-name sw cn=carol,\n", carol));
	cr_expect(!holds(" subject-name sw ou=eng\n", carol));
	cr_expect(holds(" subject-name ew o=vpnd test\n", carol));
	cr_expect(!holds(" subject-name ew ou=eng\n", carol));
	cr_expect(holds(" issuer-name eq cn=test ca,o=vpnd test\n", dave));
	cr_expect(!holds(" issuer-name co carol\n", carol));
}

Test(certmap, and_within_an_entry)
{
	const char *both = " subject-name co ou=eng\n issuer-name sw cn=test ca\n";
	cr_expect(holds(both, carol));
	cr_expect(!holds(both, dave));
	/* one line that fails is enough */
	cr_expect(!holds(" subject-name co ou=eng\n issuer-name sw cn=other\n", carol));
	/* no lines: every certificate (with a warning) */
	cr_expect(holds("", erin));
	cr_expect_not_null(strstr(warns, "t.conf:1: warning: certificate map M 10 has no lines"),
	                   "%s", warns);
}

Test(certmap, or_across_entries)
{
	cr_assert_eq(load("crypto pki certificate map M 20\n subject-name co ou=sales\n"
	                  "crypto pki certificate map M 10\n subject-name co ou=eng\n"
	                  "crypto pki certificate map N 10\n subject-name eq cn=erin,o=vpnd test\n"),
	             0, "%s", errs);
	cr_expect_eq(conf->ncertmap, 3);
	cr_expect_eq(conf->certmap[0].seq, 10, "a label's entries are kept in order");
	cr_expect_eq(conf_find_certmap(conf, "M"), &conf->certmap[0]);
	cr_expect(certmap_match(conf, "M", carol));
	cr_expect(certmap_match(conf, "M", dave));
	cr_expect(!certmap_match(conf, "M", erin), "N's entry is not M's");
	cr_expect(certmap_match(conf, "N", erin));
	cr_expect(!certmap_match(conf, "X", carol), "no such map");
	cr_expect(!certmap_match(conf, "", carol));
}

Test(certmap, alt_subject_name)
{
	cr_expect(holds(" alt-subject-name eq carol.eng.example.com\n", carol));
	cr_expect(holds(" alt-subject-name eq carol@example.com\n", carol), "any case");
	cr_expect(holds(" alt-subject-name eq 192.0.2.7\n", carol));
	cr_expect(holds(" alt-subject-name ew .eng.example.com\n", carol));
	cr_expect(!holds(" alt-subject-name ew .eng.example.com\n", dave));
	cr_expect(holds(" alt-subject-name sw dave.\n", dave));
	cr_expect(holds(" alt-subject-name co eng.example\n", carol));
	/* ne/nc: no entry is (contains) the value; none at all counts */
	cr_expect(holds(" alt-subject-name ne carol.example.com\n", carol));
	cr_expect(!holds(" alt-subject-name ne 192.0.2.7\n", carol));
	cr_expect(!holds(" alt-subject-name nc eng\n", carol));
	cr_expect(holds(" alt-subject-name nc eng\n", dave));
	cr_expect(holds(" alt-subject-name nc eng\n", erin));
	cr_expect(!holds(" alt-subject-name co e\n", erin));
	/* the subject is not an alt name */
	cr_expect(!holds(" alt-subject-name co carol\n", dave));
}

Test(certmap, serial_number)
{
	cr_expect(holds(" serial-number eq 1A2B\n", carol));
	cr_expect(holds(" serial-number eq 00:1a:2b\n", carol));
	cr_expect(!holds(" serial-number eq 1a2\n", carol));
	cr_expect(holds(" serial-number ne 1a2\n", carol));
	cr_expect(holds(" serial-number eq 100\n", dave));
	cr_expect(!holds(" serial-number ne 0100\n", dave));
}

/* text loads with exactly one error, which contains want */
static void refused(const char *text, const char *want)
{
	int n = load(text);
	cr_expect_eq(n, 1, "%d errors for:\n%s\n---\n%s", n, text, errs);
	cr_expect_not_null(strstr(errs, want), "missing '%s' in:\n%s", want, errs);
}

Test(certmap, errors)
{
	refused("crypto pki certificate map M\n", "t.conf:1: error: incomplete command 'crypto pki "
	        "certificate map M', expected a sequence number from 1 to 65535");
	refused("crypto pki certificate map M 0\n", "t.conf:1: error:");
	refused("crypto pki certificate map M 1\n subject-name lt x\n",
	        "t.conf:2: error: bad subject-name comparison 'lt', expected eq, ne, co, nc, sw or ew");
	refused("crypto pki certificate map M 1\n subject-name eq\n",
	        "t.conf:2: error: incomplete command 'subject-name eq', expected a value to "
	        "compare with");
	refused("crypto pki certificate map M 1\n serial-number co 1a\n",
	        "t.conf:2: error: bad serial-number comparison 'co', expected eq or ne");
	refused("crypto pki certificate map M 1\n serial-number eq 1g\n",
	        "t.conf:2: error: bad serial number '1g', expected hex digits");
	refused("crypto pki certificate map M 1\n expires-on lt 01 01 2030 00:00:00\n",
	        "t.conf:2: error: 'expires-on' is not supported in a certificate map");
	refused("crypto pki certificate map M 1\n valid-start gt 01 01 2020 00:00:00\n",
	        "t.conf:2: error: 'valid-start' is not supported in a certificate map");
	refused("crypto ikev2 profile P\n match certificate NONE\n authentication local pre-share\n"
	        " authentication remote pre-share\n keyring local K\n"
	        "crypto ikev2 keyring K\n peer p\n  address 10.0.0.2\n  pre-shared-key k\n",
	        "t.conf:2: error: certificate map 'NONE' is not defined, expected a 'crypto pki "
	        "certificate map NONE SEQ' block");
	refused("crypto isakmp profile P\n match certificate NONE\n",
	        "t.conf:2: error: certificate map 'NONE' is not defined");
	char big[4096] = "";
	for (int k = 0; k <= CONF_MAX_CERTMAPS; k++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		         "crypto pki certificate map M %d\n subject-name co x\n", k + 1);
	refused(big, "t.conf:33: error: too many certificate map entries, expected at most 16");
	char lines[2048] = "crypto pki certificate map M 1\n";
	for (int k = 0; k <= CONF_CERTMAP_RULES; k++)
		snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines),
		         " subject-name co x%d\n", k);
	refused(lines, "t.conf:10: error: too many lines in certificate map M 1, expected at most 8");
}
