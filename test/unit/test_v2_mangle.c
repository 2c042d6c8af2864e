/*
 * crypto ikev2 name-mangler's cutting (common/conf_ikev2_mangle.c): each rule on the identities it
 * applies to, the identities it cannot cut (which refuse the authorization), DN fields from a
 * real certificate's DER subject, and hostile bytes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/conf.h"
#include "test/unit/testpki.h"

#define FQDN 2
#define EMAIL 3
#define DN 9

static char out[64], why[160];

static struct conf_ikev2_mangler mg(int fqdn, int email, int dn, int eap, int eap_dn,
                                    char delim)
{
	struct conf_ikev2_mangler m;
	memset(&m, 0, sizeof(m));
	strcpy(m.name, "M");
	m.fqdn = fqdn;
	m.email = email;
	m.dn = dn;
	m.eap = eap;
	m.eap_dn = eap_dn;
	m.eap_delim = delim;
	return m;
}

static int cut(const struct conf_ikev2_mangler *m, int type, const char *id, int eap)
{
	return conf_v2_mangle(m, type, (const uint8_t *)id, strlen(id), eap, out, sizeof(out),
	                      why, sizeof(why));
}

#define GOOD(m, type, id, eap, want) do { \
		cr_expect_eq(cut(m, type, id, eap), 0, "%s: %s", id, why); \
		cr_expect_str_eq(out, want, "%s", id); \
	} while (0)
#define BAD(m, type, id, eap, want) do { \
		cr_expect_eq(cut(m, type, id, eap), -1, "%s gave '%s'", id, out); \
		cr_expect_str_empty(out); \
		cr_expect_not_null(strstr(why, want), "%s: why '%s', wanted '%s'", id, why, want); \
	} while (0)

Test(v2_mangle, fqdn)
{
	struct conf_ikev2_mangler all = mg(V2_MG_ALL, 0, 0, 0, 0, 0);
	struct conf_ikev2_mangler dom = mg(V2_MG_DOMAIN, 0, 0, 0, 0, 0);
	struct conf_ikev2_mangler host = mg(V2_MG_HOST, 0, 0, 0, 0, 0);

	GOOD(&all, FQDN, "client.example.com", 0, "client.example.com");
	GOOD(&dom, FQDN, "client.example.com", 0, "example.com");
	GOOD(&host, FQDN, "client.example.com", 0, "client");
	GOOD(&all, FQDN, "router", 0, "router");
	BAD(&dom, FQDN, "router", 0, "has no '.'");
	BAD(&host, FQDN, "router", 0, "has no '.'");
	BAD(&dom, FQDN, "router.", 0, "FQDN's domain is empty");
	BAD(&host, FQDN, ".example.com", 0, "FQDN's hostname is empty");
	BAD(&all, FQDN, "", 0, "is empty");
	/* a rule for fqdn says nothing about an email identity, and the reverse */
	BAD(&dom, EMAIL, "bob@example.com", 0, "name-mangler 'M' has no email rule");
	struct conf_ikev2_mangler em = mg(0, V2_MG_DOMAIN, 0, 0, 0, 0);
	BAD(&em, FQDN, "client.example.com", 0, "name-mangler 'M' has no fqdn rule");
}

Test(v2_mangle, email)
{
	struct conf_ikev2_mangler all = mg(0, V2_MG_ALL, 0, 0, 0, 0);
	struct conf_ikev2_mangler dom = mg(0, V2_MG_DOMAIN, 0, 0, 0, 0);
	struct conf_ikev2_mangler user = mg(0, V2_MG_HOST, 0, 0, 0, 0);

	GOOD(&all, EMAIL, "bob@example.com", 0, "bob@example.com");
	GOOD(&dom, EMAIL, "bob@example.com", 0, "example.com");
	GOOD(&user, EMAIL, "bob@example.com", 0, "bob");
	/* the domain follows the last '@' */
	GOOD(&dom, EMAIL, "\"a@b\"@example.com", 0, "example.com");
	BAD(&dom, EMAIL, "bob", 0, "has no '@'");
	BAD(&user, EMAIL, "@example.com", 0, "email's username is empty");
	BAD(&dom, EMAIL, "bob@", 0, "email's domain is empty");
}

Test(v2_mangle, no_name_from_address_or_key_id)
{
	struct conf_ikev2_mangler m = mg(V2_MG_ALL, V2_MG_ALL, V2_DN_CN, V2_MG_ALL, 0, 0);
	const uint8_t a[4] = { 10, 0, 0, 2 };

	cr_expect_eq(conf_v2_mangle(&m, 1, a, 4, 0, out, sizeof(out), why, sizeof(why)), -1);
	cr_expect_not_null(strstr(why, "identity of type 1"), "%s", why);
	BAD(&m, 11, "keyid", 0, "identity of type 11");
}

Test(v2_mangle, hostile_bytes)
{
	struct conf_ikev2_mangler m = mg(V2_MG_HOST, 0, 0, V2_MG_ALL, 0, 0);
	const uint8_t nul[] = { 'a', 0, 'b', '.', 'c' };
	const uint8_t hi[] = { 'a', 0xc3, 0xa9, '.', 'c' };
	char longname[200];

	cr_expect_eq(conf_v2_mangle(&m, FQDN, nul, sizeof(nul), 0, out, sizeof(out), why,
	                            sizeof(why)), -1);
	cr_expect_not_null(strstr(why, "not printable ASCII"), "%s", why);
	cr_expect_eq(conf_v2_mangle(&m, FQDN, hi, sizeof(hi), 0, out, sizeof(out), why,
	                            sizeof(why)), -1);
	BAD(&m, 0, "a\nb", 1, "not printable ASCII");
	memset(longname, 'x', sizeof(longname));
	longname[sizeof(longname) - 1] = 0;
	longname[150] = '.';
	BAD(&m, FQDN, longname, 0, "longer than 63 characters");
	/* exactly what fits */
	longname[63] = 0;
	cr_expect_eq(cut(&m, 0, longname, 1), 0, "%s", why);
	cr_expect_eq(strlen(out), 63);
}

Test(v2_mangle, eap)
{
	struct conf_ikev2_mangler all = mg(0, 0, 0, V2_MG_ALL, 0, 0);
	struct conf_ikev2_mangler pre = mg(0, 0, 0, V2_MG_PREFIX, 0, '@');
	struct conf_ikev2_mangler suf = mg(0, 0, 0, V2_MG_SUFFIX, 0, '@');
	struct conf_ikev2_mangler bs = mg(0, 0, 0, V2_MG_PREFIX, 0, '\\');
	struct conf_ikev2_mangler bsu = mg(0, 0, 0, V2_MG_SUFFIX, 0, '\\');
	struct conf_ikev2_mangler dot = mg(0, 0, 0, V2_MG_PREFIX, 0, '.');

	GOOD(&all, 0, "alice@corp.example", 1, "alice@corp.example");
	GOOD(&pre, 0, "alice@corp.example", 1, "alice");
	GOOD(&suf, 0, "alice@corp.example", 1, "corp.example");
	GOOD(&bs, 0, "CORP\\alice", 1, "CORP");
	GOOD(&bsu, 0, "CORP\\alice", 1, "alice");
	/* the first delimiter cuts */
	GOOD(&dot, 0, "alice.smith.x@corp", 1, "alice");
	GOOD(&suf, 0, "a@b@c", 1, "b@c");
	BAD(&pre, 0, "alice", 1, "has no '@'");
	BAD(&suf, 0, "alice@", 1, "after the delimiter is empty");
	BAD(&pre, 0, "@corp", 1, "before the delimiter is empty");
	/* an eap rule is for the EAP identity only; IDi needs its own kind's rule */
	BAD(&all, FQDN, "client.example.com", 0, "has no fqdn rule");
	struct conf_ikev2_mangler f = mg(V2_MG_ALL, 0, 0, 0, 0, 0);
	BAD(&f, 0, "alice", 1, "name-mangler 'M' has no eap rule");
}

Test(v2_mangle, eap_dn_text)
{
	struct conf_ikev2_mangler cn = mg(0, 0, 0, V2_MG_DN, V2_DN_CN, 0);
	struct conf_ikev2_mangler ou = mg(0, 0, 0, V2_MG_DN, V2_DN_OU, 0);
	struct conf_ikev2_mangler dc = mg(0, 0, 0, V2_MG_DN, V2_DN_DC, 0);
	struct conf_ikev2_mangler c = mg(0, 0, 0, V2_MG_DN, V2_DN_C, 0);

	GOOD(&cn, 0, "CN=alice, OU=Sales, O=Corp", 1, "alice");
	GOOD(&ou, 0, "cn=alice,ou=Sales,o=Corp", 1, "Sales");
	GOOD(&cn, 0, "/C=US/O=Corp/CN=bob", 1, "bob");
	GOOD(&dc, 0, "CN=bob,DC=corp,DC=example", 1, "corp.example");
	BAD(&c, 0, "CN=bob,O=Corp", 1, "has no country");
	BAD(&cn, 0, "alice", 1, "is not a distinguished name");
	BAD(&cn, 0, "CN=a\\,b,O=x", 1, "escapes");
	BAD(&cn, 0, "CN=,O=x", 1, "is empty");
}

static size_t subject_der(X509_NAME *nm, uint8_t *buf, size_t room)
{
	int n = i2d_X509_NAME(nm, NULL);
	cr_assert(n > 0 && (size_t)n <= room);
	uint8_t *p = buf;
	cr_assert_eq(i2d_X509_NAME(nm, &p), n);
	return (size_t)n;
}

Test(v2_mangle, dn_from_certificate_subject)
{
	EVP_PKEY *k = testpki_ec();
	X509 *x = testpki_cert(k, "Sales", "alice.example.com", NULL, NULL, 0, TESTPKI_DAY, 1, 0,
	                       NULL);
	uint8_t der[512];
	size_t n = subject_der(X509_get_subject_name(x), der, sizeof(der));
	static const struct { int field; const char *want; } ok[] = {
		{ V2_DN_CN, "alice.example.com" },
		{ V2_DN_O, "vpnd test" },
		{ V2_DN_OU, "Sales" },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct conf_ikev2_mangler m = mg(0, 0, ok[i].field, 0, 0, 0);
		cr_expect_eq(conf_v2_mangle(&m, DN, der, n, 0, out, sizeof(out), why, sizeof(why)),
		             0, "%s: %s", conf_v2_dn_word(ok[i].field), why);
		cr_expect_str_eq(out, ok[i].want);
	}
	struct conf_ikev2_mangler st = mg(0, 0, V2_DN_ST, 0, 0, 0);
	cr_expect_eq(conf_v2_mangle(&st, DN, der, n, 0, out, sizeof(out), why, sizeof(why)), -1);
	cr_expect_not_null(strstr(why, "has no state"), "%s", why);
	/* trailing bytes, a truncated name, and a DN rule for an FQDN identity */
	struct conf_ikev2_mangler cn = mg(0, 0, V2_DN_CN, 0, 0, 0);
	der[n] = 0;
	cr_expect_eq(conf_v2_mangle(&cn, DN, der, n + 1, 0, out, sizeof(out), why, sizeof(why)),
	             -1);
	cr_expect_not_null(strstr(why, "not a DER distinguished name"), "%s", why);
	cr_expect_eq(conf_v2_mangle(&cn, DN, der, n - 3, 0, out, sizeof(out), why, sizeof(why)),
	             -1);
	BAD(&cn, FQDN, "alice.example.com", 0, "has no fqdn rule");
	X509_free(x);
	EVP_PKEY_free(k);
}

Test(v2_mangle, dn_domain_components_and_country)
{
	X509_NAME *nm = X509_NAME_new();
	uint8_t der[512];

	cr_assert_not_null(nm);
	X509_NAME_add_entry_by_txt(nm, "DC", MBSTRING_ASC, (const unsigned char *)"corp", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "DC", MBSTRING_ASC, (const unsigned char *)"example", -1,
	                           -1, 0);
	X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "L", MBSTRING_ASC, (const unsigned char *)"Paris", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8, (const unsigned char *)"Zo\xc3\xa9", -1,
	                           -1, 0);
	size_t n = subject_der(nm, der, sizeof(der));
	struct conf_ikev2_mangler dc = mg(0, 0, V2_DN_DC, 0, 0, 0);
	struct conf_ikev2_mangler c = mg(0, 0, V2_DN_C, 0, 0, 0);
	struct conf_ikev2_mangler l = mg(0, 0, V2_DN_L, 0, 0, 0);
	struct conf_ikev2_mangler cn = mg(0, 0, V2_DN_CN, 0, 0, 0);

	cr_expect_eq(conf_v2_mangle(&dc, DN, der, n, 0, out, sizeof(out), why, sizeof(why)), 0,
	             "%s", why);
	cr_expect_str_eq(out, "corp.example");
	cr_expect_eq(conf_v2_mangle(&c, DN, der, n, 0, out, sizeof(out), why, sizeof(why)), 0);
	cr_expect_str_eq(out, "FR");
	cr_expect_eq(conf_v2_mangle(&l, DN, der, n, 0, out, sizeof(out), why, sizeof(why)), 0);
	cr_expect_str_eq(out, "Paris");
	/* a name that is not ASCII is not a policy or user name vpnd will look up */
	cr_expect_eq(conf_v2_mangle(&cn, DN, der, n, 0, out, sizeof(out), why, sizeof(why)), -1);
	cr_expect_not_null(strstr(why, "not printable ASCII"), "%s", why);
	X509_NAME_free(nm);
}
