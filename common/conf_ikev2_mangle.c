/*
 * crypto ikev2 name-mangler: the authorization name cut from a peer's identity. The identity
 * is the peer's own bytes (IDi, or the EAP identity it sent), so everything here treats them
 * as hostile: lengths are the caller's, nothing is assumed NUL-terminated, and a name comes
 * out only when it is non-empty printable ASCII that fits; otherwise why says what was
 * missing, and the caller refuses the authorization as IOS does.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "common/conf.h"

#define WID_FQDN   2
#define WID_RFC822 3
#define WID_DN     9

static const struct {
	const char *word;       /* the mangler's keyword */
	const char *attr;       /* the textual DN's attribute name */
	int nid;
} dn_fields[V2_DN_FIELDS] = {
	[V2_DN_CN] = { "common-name", "CN", NID_commonName },
	[V2_DN_C]  = { "country", "C", NID_countryName },
	[V2_DN_DC] = { "domain", "DC", NID_domainComponent },
	[V2_DN_L]  = { "locality", "L", NID_localityName },
	[V2_DN_O]  = { "organization", "O", NID_organizationName },
	[V2_DN_OU] = { "organization-unit", "OU", NID_organizationalUnitName },
	[V2_DN_ST] = { "state", "ST", NID_stateOrProvinceName },
};

const char *conf_v2_dn_word(int field)
{
	return field > V2_DN_NONE && field < V2_DN_FIELDS ? dn_fields[field].word : NULL;
}

/* the part [p, p+n) as the name, if it is one */
static int put(const uint8_t *p, size_t n, const char *what, char *out, size_t outsz,
               char *why, size_t whysz)
{
	if (!n) {
		snprintf(why, whysz, "the %s is empty", what);
		return -1;
	}
	if (n >= outsz) {
		snprintf(why, whysz, "the %s is longer than %zu characters", what, outsz - 1);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if (p[k] > 0x7e || !isprint(p[k])) {
			snprintf(why, whysz, "the %s holds a byte that is not printable ASCII", what);
			return -1;
		}
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

/* whole | before the first c | after it (after the last c with last set) */
static int cut(const uint8_t *id, size_t len, int part, int c, int last, const char *what,
               const char *before, const char *after, char *out, size_t outsz, char *why,
               size_t whysz)
{
	const uint8_t *d;

	if (part == V2_MG_ALL)
		return put(id, len, what, out, outsz, why, whysz);
	d = last ? memrchr(id, c, len) : memchr(id, c, len);
	if (!d) {
		snprintf(why, whysz, "the %s has no '%c' to cut at", what, c);
		return -1;
	}
	if (part == V2_MG_HOST || part == V2_MG_PREFIX)
		return put(id, (size_t)(d - id), before, out, outsz, why, whysz);
	return put(d + 1, len - (size_t)(d - id) - 1, after, out, outsz, why, whysz);
}

/* DER Name (an ID_DER_ASN1_DN): the field's first value; domain: every domainComponent,
 * in order, joined by dots (DC=example,DC=com is example.com) */
static int dn_der(const uint8_t *id, size_t len, int field, char *out, size_t outsz, char *why,
                  size_t whysz)
{
	const unsigned char *p = id;
	X509_NAME *nm = len <= 65535 ? d2i_X509_NAME(NULL, &p, (long)len) : NULL;
	char buf[256];
	size_t w = 0;
	int r = -1, i = -1;

	if (!nm || p != id + len) {
		snprintf(why, whysz, "the identity is not a DER distinguished name");
		goto done;
	}
	while ((i = X509_NAME_get_index_by_NID(nm, dn_fields[field].nid, i)) >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u, s);
		if (n < 0) {
			snprintf(why, whysz, "the distinguished name's %s is not text",
			         dn_fields[field].word);
			goto done;
		}
		if (w && w < sizeof(buf))
			buf[w++] = '.';
		if ((size_t)n > sizeof(buf) - w) {
			OPENSSL_free(u);
			snprintf(why, whysz, "the distinguished name's %s is too long",
			         dn_fields[field].word);
			goto done;
		}
		memcpy(buf + w, u, (size_t)n);
		w += (size_t)n;
		OPENSSL_free(u);
		if (field != V2_DN_DC)
			break;
	}
	if (i < 0 && !w) {
		snprintf(why, whysz, "the distinguished name has no %s", dn_fields[field].word);
		goto done;
	}
	r = put((const uint8_t *)buf, w, "distinguished name's field", out, outsz, why, whysz);
done:
	X509_NAME_free(nm);
	return r;
}

/* A DN written as text (an EAP identity): "CN=a, O=b" or "/C=x/O=y/CN=z", attribute names
 * in any case, no escapes (a backslash is refused rather than guessed at). */
static int dn_text(const uint8_t *id, size_t len, int field, char *out, size_t outsz,
                   char *why, size_t whysz)
{
	const char *attr = dn_fields[field].attr;
	size_t alen = strlen(attr), k = 0;
	uint8_t sep = ',';
	char buf[256];
	size_t w = 0;
	int found = 0;

	if (memchr(id, '\\', len)) {
		snprintf(why, whysz, "the EAP identity's distinguished name holds escapes");
		return -1;
	}
	if (len && id[0] == '/') {
		sep = '/';
		k = 1;
	}
	while (k < len) {
		const uint8_t *e = memchr(id + k, sep, len - k);
		size_t end = e ? (size_t)(e - id) : len, a = k, b;
		while (a < end && id[a] == ' ')
			a++;
		b = end;
		while (b > a && id[b - 1] == ' ')
			b--;
		const uint8_t *eq = memchr(id + a, '=', b - a);
		if (!eq) {
			snprintf(why, whysz, "the EAP identity is not a distinguished name "
			         "(ATTRIBUTE=value parts)");
			return -1;
		}
		size_t kl = (size_t)(eq - id) - a;
		while (kl && id[a + kl - 1] == ' ')
			kl--;
		if (kl == alen && strncasecmp((const char *)id + a, attr, alen) == 0) {
			size_t v = (size_t)(eq - id) + 1;
			while (v < b && id[v] == ' ')
				v++;
			if (w && w < sizeof(buf))
				buf[w++] = '.';
			if (b - v > sizeof(buf) - w) {
				snprintf(why, whysz, "the distinguished name's %s is too long",
				         dn_fields[field].word);
				return -1;
			}
			memcpy(buf + w, id + v, b - v);
			w += b - v;
			found = 1;
			if (field != V2_DN_DC)
				break;
		}
		k = end + 1;
	}
	if (!found) {
		snprintf(why, whysz, "the EAP identity's distinguished name has no %s",
		         dn_fields[field].word);
		return -1;
	}
	return put((const uint8_t *)buf, w, "distinguished name's field", out, outsz, why,
	           whysz);
}

int conf_v2_mangle(const struct conf_ikev2_mangler *m, int id_type, const uint8_t *id,
                   size_t idlen, int eap, char *out, size_t outsz, char *why, size_t whysz)
{
	if (!outsz)
		return -1;
	out[0] = 0;
	if (whysz)
		why[0] = 0;
	if (eap) {
		if (!m->eap) {
			snprintf(why, whysz, "name-mangler '%s' has no eap rule", m->name);
			return -1;
		}
		if (m->eap == V2_MG_DN)
			return m->eap_dn > V2_DN_NONE && m->eap_dn < V2_DN_FIELDS ?
			       dn_text(id, idlen, m->eap_dn, out, outsz, why, whysz) : -1;
		return cut(id, idlen, m->eap, (unsigned char)m->eap_delim, 0, "EAP identity",
		           "part of the EAP identity before the delimiter",
		           "part of the EAP identity after the delimiter", out, outsz, why, whysz);
	}
	switch (id_type) {
	case WID_FQDN:
		if (!m->fqdn)
			break;
		return cut(id, idlen, m->fqdn, '.', 0, "FQDN identity", "FQDN's hostname",
		           "FQDN's domain", out, outsz, why, whysz);
	case WID_RFC822:
		/* the domain follows the last '@' (a quoted local part may hold one) */
		if (!m->email)
			break;
		return cut(id, idlen, m->email, '@', 1, "email identity", "email's username",
		           "email's domain", out, outsz, why, whysz);
	case WID_DN:
		if (!m->dn || m->dn >= V2_DN_FIELDS)
			break;
		return dn_der(id, idlen, m->dn, out, outsz, why, whysz);
	default:
		snprintf(why, whysz, "a name-mangler derives no name from an identity of type %d "
		         "(only fqdn, email and dn)", id_type);
		return -1;
	}
	snprintf(why, whysz, "name-mangler '%s' has no %s rule", m->name,
	         id_type == WID_FQDN ? "fqdn" : id_type == WID_RFC822 ? "email" : "dn");
	return -1;
}
