/*
 * crypto pki certificate map LABEL SEQ against a peer's certificate (IOS semantics): every
 * line of an entry must hold, and the map matches when one of its entries does. Only keymgr
 * parses certificates; ikemgr learns which profile a map put the peer under from keymgr.
 *
 * The text compared (and documented in vpnd.conf(5)): a DN as RFC 2253 writes it (the last
 * RDN first, "," between RDNs, "+" inside one, RFC 2253's backslash escapes, OpenSSL's short
 * attribute names, UTF-8 kept as is) in lower case: "cn=carol,ou=eng,o=example". The
 * subjectAltName entries one by one: a DNS name, an e-mail address, a URI or an IP address as
 * text, a directory name as a DN; `ne` and `nc` hold when no entry is equal or contains the
 * value. The serial number: lower-case hex without leading zeros.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "keymgr/keymgr.h"

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *certmap_dn(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	/* RFC 2253, but UTF-8 as it is: a value written in the file is UTF-8 too */
	if (b && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (len = BIO_get_mem_data(b, &data)) >= 0 && (out = malloc((size_t)len + 1))) {
		memcpy(out, data, (size_t)len);
		out[len] = 0;
		if (strlen(out) != (size_t)len) {      /* escapes leave no NUL; be sure */
			free(out);
			out = NULL;
		} else {
			lower_ascii(out);
		}
	}
	BIO_free(b);
	ERR_clear_error();
	return out;
}

/* eq, co, sw or ew of s against v (ne and nc are their negations, done by the callers) */
static int positive(int op, const char *s, const char *v)
{
	size_t n = strlen(s), m = strlen(v);

	switch (op) {
	case CM_EQ: case CM_NE: return strcmp(s, v) == 0;
	case CM_CO: case CM_NC: return strstr(s, v) != NULL;
	case CM_SW: return n >= m && memcmp(s, v, m) == 0;
	case CM_EW: return n >= m && memcmp(s + n - m, v, m) == 0;
	}
	return 0;
}

static int negative(int op)
{
	return op == CM_NE || op == CM_NC;
}

static int text_holds(const struct conf_certmap_rule *r, const char *s)
{
	return s && positive(r->op, s, r->value) != negative(r->op);
}

/* One subjectAltName entry as text (malloc'd), NULL for a kind that has none or one with a
 * NUL inside (its part before the NUL must not match). */
static char *gen_text(const GENERAL_NAME *g)
{
	char buf[INET6_ADDRSTRLEN], *out;
	const ASN1_STRING *s = NULL;

	switch (g->type) {
	case GEN_DNS: s = g->d.dNSName; break;
	case GEN_EMAIL: s = g->d.rfc822Name; break;
	case GEN_URI: s = g->d.uniformResourceIdentifier; break;
	case GEN_DIRNAME: return certmap_dn(g->d.directoryName);
	case GEN_IPADD: {
		int l = ASN1_STRING_length(g->d.iPAddress);
		const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
		if ((l != 4 && l != 16) || !inet_ntop(l == 4 ? AF_INET : AF_INET6, d, buf, sizeof(buf)))
			return NULL;
		return strdup(buf);
	}
	default:
		return NULL;
	}
	int l = ASN1_STRING_length(s);
	const unsigned char *d = ASN1_STRING_get0_data(s);
	if (l < 0 || memchr(d, 0, (size_t)l) || !(out = malloc((size_t)l + 1)))
		return NULL;
	memcpy(out, d, (size_t)l);
	out[l] = 0;
	lower_ascii(out);
	return out;
}

static int alt_holds(const struct conf_certmap_rule *r, X509 *x)
{
	GENERAL_NAMES *gs = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int any = 0;

	for (int k = 0; gs && k < sk_GENERAL_NAME_num(gs) && !any; k++) {
		char *t = gen_text(sk_GENERAL_NAME_value(gs, k));
		any = t && positive(r->op, t, r->value);
		free(t);
	}
	GENERAL_NAMES_free(gs);
	ERR_clear_error();
	return any != negative(r->op);
}

static char *serial_text(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL, *out = NULL;
	BN_free(bn);
	if (h) {
		const char *s = h;
		while (s[0] == '0' && s[1])
			s++;
		if ((out = strdup(s)))
			lower_ascii(out);
		OPENSSL_free(h);
	}
	ERR_clear_error();
	return out;
}

static int rule_holds(const struct conf_certmap_rule *r, X509 *x)
{
	char *t = NULL;
	int ok;

	switch (r->field) {
	case CM_SUBJECT: t = certmap_dn(X509_get_subject_name(x)); break;
	case CM_ISSUER: t = certmap_dn(X509_get_issuer_name(x)); break;
	case CM_SERIAL: t = serial_text(x); break;
	case CM_ALT_SUBJECT: return alt_holds(r, x);
	default: return 0;
	}
	ok = text_holds(r, t);      /* a name that cannot be read matches nothing, not even ne */
	free(t);
	return ok;
}

int certmap_entry_holds(const struct conf_certmap *m, X509 *x)
{
	for (int k = 0; k < m->nrule; k++)
		if (!rule_holds(&m->rule[k], x))
			return 0;
	return 1;
}

void certmap_labels(const struct vpnd_conf *c, const uint8_t *der, size_t len,
                    char labels[][64], int max)
{
	const unsigned char *q = der;
	X509 *x = len ? d2i_X509(NULL, &q, (long)len) : NULL;
	int n = 0;

	for (int k = 0; x && k < c->ncertmap && n < max; k++) {
		const struct conf_certmap *m = &c->certmap[k];
		if ((n && strcmp(labels[n - 1], m->label) == 0) || !certmap_entry_holds(m, x))
			continue;       /* a label's entries are adjacent: listed once */
		snprintf(labels[n++], 64, "%s", m->label);
	}
	if (n < max)
		labels[n][0] = 0;
	X509_free(x);
	ERR_clear_error();
}

int certmap_match(const struct vpnd_conf *c, const char *label, X509 *x)
{
	if (!label[0] || !x)
		return 0;
	for (int k = 0; k < c->ncertmap; k++)
		if (strcmp(c->certmap[k].label, label) == 0 && certmap_entry_holds(&c->certmap[k], x))
			return 1;
	return 0;
}
