/*
 * Certificates: `crypto pki trustpoint NAME` blocks and the isakmp profile line that names one
 * (`ca trust-point NAME`). IOS enrolls a trust point over SCEP or by pasting; on Linux the
 * natural source is files, so the sub-commands name them:
 *   ca-certificate FILE      PEM, the CA (and any intermediates) that vouch for peers
 *   certificate FILE         PEM, our own certificate (sent in main mode message 6)
 *   private-key FILE         PEM, unencrypted, RSA or EC; read by the parent, used by keymgr
 *   crl FILE                 PEM or DER certificate revocation list of the CA
 *   revocation-check crl|none
 * Each file is read when its line is parsed, so a missing or bad file is an error naming that
 * line; a relative name is taken from the configuration file's directory, which does not
 * change between start and reload. What is kept is DER (struct conf_trustpoint).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define END       { NULL, NULL, NULL, 0 }

/* crypto pki trustpoint NAME */
void cp_h_trustpoint(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a trust point name") ||
	    !cp_name(p, i, "trust point name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->ntrustpoint; k++)
		if (strcmp(c->trustpoint[k].name, name) == 0)
			break;
	if (k == c->ntrustpoint) {
		if (k == CONF_MAX_TRUSTPOINTS) {
			cp_error(p, "too many trust points, expected at most %d", CONF_MAX_TRUSTPOINTS);
			return;
		}
		memset(&c->trustpoint[k], 0, sizeof(c->trustpoint[k]));
		memcpy(c->trustpoint[k].name, name, sizeof(name));
		c->trustpoint[k].line = p->line;
		c->ntrustpoint++;
	}
	cp_open(p, CB_TRUSTPOINT, k);
}

static struct conf_trustpoint *cur_tp(struct conf_parser *p)
{
	return &p->conf->trustpoint[p->idx];
}

/* The last OpenSSL error as text ("" when there is none); clears the queue. */
static const char *ssl_err(void)
{
	static char buf[160];
	unsigned long e = ERR_peek_last_error();
	buf[0] = 0;
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* Word i as a file name (resolved against the configuration's directory), opened for reading. */
static BIO *open_file(struct conf_parser *p, int i, const char *what, char *path, size_t pathsz)
{
	char name[CONF_PATH_MAX];

	if (!cp_need(p, i, "a file name") || !cp_copy_text(p, p->argv[i], what, name, sizeof(name)) ||
	    !cp_end(p, i + 1))
		return NULL;
	const char *slash = strrchr(p->name, '/');
	int n;
	if (name[0] == '/' || !slash)
		n = snprintf(path, pathsz, "%s", name);
	else
		n = snprintf(path, pathsz, "%.*s/%s", (int)(slash - p->name), p->name, name);
	if (n < 0 || (size_t)n >= pathsz) {
		cp_error(p, "%s name too long, expected at most %zu characters", what, pathsz - 1);
		return NULL;
	}
	/* a regular file of sane size: a device or a FIFO could be read forever */
	struct stat st;
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > 1024 * 1024)) {
		cp_error(p, "%s %s is not a regular file of at most 1 MB", what, path);
		return NULL;
	}
	BIO *b = BIO_new_file(path, "rb");
	if (!b) {
		cp_error(p, "cannot read %s %s: %s", what, path, strerror(errno));
		ERR_clear_error();
	}
	return b;
}

static int subject_der(X509 *x, uint8_t *out, uint16_t *outlen)
{
	unsigned char *d = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(x), &d);
	if (n <= 0 || n > CONF_PKI_NAME_MAX) {
		OPENSSL_free(d);
		return -1;
	}
	memcpy(out, d, (size_t)n);
	*outlen = (uint16_t)n;
	OPENSSL_free(d);
	return 0;
}

/* ca-certificate FILE: every certificate in it, kept as DER back to back. */
static void h_ca(struct conf_parser *p, int i)
{
	struct conf_trustpoint *tp = cur_tp(p);
	char path[CONF_PATH_MAX];
	BIO *b = open_file(p, i, "ca-certificate file", path, sizeof(path));
	X509 *x;
	uint32_t len = 0;
	int n = 0, bad = 0;

	if (!b)
		return;
	while (!bad && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		unsigned char *d = NULL;
		int dl = i2d_X509(x, &d);
		if (dl <= 0 || len + (uint32_t)dl > sizeof(tp->ca_der)) {
			cp_error(p, "ca-certificate file %s holds more than %zu bytes of certificates",
			         path, sizeof(tp->ca_der));
			bad = 1;
		} else {
			memcpy(tp->ca_der + len, d, (size_t)dl);
			len += (uint32_t)dl;
			if (n == 0 && subject_der(x, tp->ca_name_der, &tp->ca_name_len) < 0) {
				cp_error(p, "the CA certificate in %s has a subject over %d bytes", path,
				         CONF_PKI_NAME_MAX);
				bad = 1;
			}
			n++;
		}
		OPENSSL_free(d);
		X509_free(x);
	}
	ERR_clear_error();     /* the end of the file reads as "no start line" */
	BIO_free(b);
	if (bad)
		return;
	if (n == 0) {
		cp_error(p, "no PEM certificate in ca-certificate file %s, expected -----BEGIN "
		         "CERTIFICATE-----", path);
		return;
	}
	memcpy(tp->ca_file, path, sizeof(tp->ca_file));
	tp->ca_len = len;
}

/* certificate FILE: our own, the first one in the file. */
static void h_cert(struct conf_parser *p, int i)
{
	struct conf_trustpoint *tp = cur_tp(p);
	char path[CONF_PATH_MAX];
	BIO *b = open_file(p, i, "certificate file", path, sizeof(path));
	if (!b)
		return;
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!x) {
		cp_error(p, "no PEM certificate in certificate file %s (%s)", path, ssl_err());
		return;
	}
	unsigned char *d = NULL;
	int dl = i2d_X509(x, &d);
	if (dl <= 0 || (size_t)dl > sizeof(tp->cert_der) ||
	    subject_der(x, tp->subject_der, &tp->subject_len) < 0) {
		cp_error(p, "certificate in %s is larger than %zu bytes", path, sizeof(tp->cert_der));
	} else {
		memcpy(tp->cert_der, d, (size_t)dl);
		tp->cert_len = (uint32_t)dl;
		X509_NAME_oneline(X509_get_subject_name(x), tp->subject, sizeof(tp->subject));
		memcpy(tp->cert_file, path, sizeof(tp->cert_file));
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
			cp_warn(p, "certificate %s (%s) has expired", path, tp->subject);
	}
	OPENSSL_free(d);
	X509_free(x);
}

/* A PEM pass phrase is never asked for: an encrypted key is an error, not a prompt. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

/* private-key FILE */
static void h_key(struct conf_parser *p, int i)
{
	struct conf_trustpoint *tp = cur_tp(p);
	char path[CONF_PATH_MAX];
	BIO *b = open_file(p, i, "private-key file", path, sizeof(path));
	if (!b)
		return;
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		cp_warn(p, "private-key file %s may be read by others than its owner (mode %03o), "
		        "expected mode 600", path, (unsigned)(st.st_mode & 0777));
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (!k) {
		cp_error(p, "no unencrypted PEM private key in %s (%s)", path, ssl_err());
		return;
	}
	int type = EVP_PKEY_get_base_id(k);
	unsigned char *d = NULL;
	int dl = i2d_PrivateKey(k, &d);
	if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
		cp_error(p, "private key in %s is neither RSA nor EC", path);
	} else if (dl <= 0 || (size_t)dl > sizeof(tp->key_der)) {
		cp_error(p, "private key in %s is larger than %zu bytes", path, sizeof(tp->key_der));
	} else {
		memcpy(tp->key_der, d, (size_t)dl);
		tp->key_len = (uint32_t)dl;
		tp->key_type = type;
		if (type == EVP_PKEY_EC) {
			char g[64];
			size_t gl = 0;
			if (EVP_PKEY_get_utf8_string_param(k, "group", g, sizeof(g), &gl))
				tp->key_curve = OBJ_sn2nid(g);
			ERR_clear_error();
		}
		memcpy(tp->key_file, path, sizeof(tp->key_file));
	}
	if (d) {
		OPENSSL_cleanse(d, dl > 0 ? (size_t)dl : 0);
		OPENSSL_free(d);
	}
	EVP_PKEY_free(k);
}

/* crl FILE (PEM, or DER) */
static void h_crl(struct conf_parser *p, int i)
{
	struct conf_trustpoint *tp = cur_tp(p);
	char path[CONF_PATH_MAX];
	BIO *b = open_file(p, i, "crl file", path, sizeof(path));
	if (!b)
		return;
	X509_CRL *crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	if (!crl) {
		ERR_clear_error();
		BIO_reset(b);
		crl = d2i_X509_CRL_bio(b, NULL);
	}
	BIO_free(b);
	if (!crl) {
		cp_error(p, "no certificate revocation list in %s (%s)", path, ssl_err());
		return;
	}
	unsigned char *d = NULL;
	int dl = i2d_X509_CRL(crl, &d);
	if (dl <= 0 || (size_t)dl > sizeof(tp->crl_der)) {
		cp_error(p, "revocation list in %s is larger than %zu bytes", path, sizeof(tp->crl_der));
	} else {
		memcpy(tp->crl_der, d, (size_t)dl);
		tp->crl_len = (uint32_t)dl;
		memcpy(tp->crl_file, path, sizeof(tp->crl_file));
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
		if (next && X509_cmp_current_time(next) < 0)
			cp_warn(p, "revocation list %s is past its next update: peers will be refused "
			        "until it is renewed", path);
	}
	OPENSSL_free(d);
	X509_CRL_free(crl);
}

/* revocation-check crl | none */
static void h_revocation(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "crl or none"))
		return;
	int v;
	if (strcmp(p->argv[i], "crl") == 0) {
		v = REVOKE_CRL;
	} else if (strcmp(p->argv[i], "none") == 0) {
		v = REVOKE_NONE;
	} else {
		cp_error(p, "bad revocation check '%s', expected crl or none", p->argv[i]);
		return;
	}
	if (cp_end(p, i + 1))
		cur_tp(p)->revocation = v;
}

const struct cp_kw cp_trustpoint_cmds[] = {
	FN("ca-certificate", h_ca),
	FN("certificate", h_cert),
	FN("private-key", h_key),
	FN("crl", h_crl),
	FN("revocation-check", h_revocation),
	{ "enrollment", NULL, NULL, KW_NOOP },
	{ "subject-name", NULL, NULL, KW_NOOP },
	{ "rsakeypair", NULL, NULL, KW_NOOP },
	END
};

/* ca trust-point NAME (in an isakmp profile) */
void cp_h_profile_trustpoint(struct conf_parser *p, int i)
{
	struct conf_isakmp_profile *pr = &p->conf->profile[p->idx];
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a trust point name") ||
	    !cp_name(p, i, "trust point name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	if (conf_profile_has_tp(pr, name))
		return;
	if (pr->nca_tp == CONF_MAX_TRUSTPOINTS) {
		cp_error(p, "too many 'ca trust-point' lines in profile '%s', expected at most %d",
		         pr->name, CONF_MAX_TRUSTPOINTS);
		return;
	}
	memcpy(pr->ca_tp[pr->nca_tp], name, sizeof(name));
	cp_ref(p, REF_TRUSTPOINT, pr->ca_tp[pr->nca_tp]);
	pr->nca_tp++;
}

/* Once the file is read: a trust point a profile uses needs all its parts, and they must fit. */
void cp_pki_finish(struct conf_parser *p)
{
	struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->ntrustpoint; k++) {
		struct conf_trustpoint *tp = &c->trustpoint[k];
		if (!tp->ca_len || !tp->cert_len || !tp->key_len) {
			cp_error_at(p, tp->line, "trust point '%s' needs ca-certificate, certificate "
			            "and private-key lines", tp->name);
			continue;
		}
		if (tp->revocation == REVOKE_CRL && !tp->crl_len)
			cp_error_at(p, tp->line, "trust point '%s' has 'revocation-check crl' but no "
			            "'crl FILE' line", tp->name);
		if (tp->crl_len && tp->revocation == REVOKE_NONE)
			tp->revocation = REVOKE_CRL;   /* a CRL given is a CRL used */

		const unsigned char *q = tp->cert_der;
		X509 *x = d2i_X509(NULL, &q, tp->cert_len);
		q = tp->key_der;
		EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &q, tp->key_len);
		if (!x || !key || X509_check_private_key(x, key) != 1)
			cp_error_at(p, tp->line, "trust point '%s': the private key %s does not belong "
			            "to the certificate %s", tp->name, tp->key_file, tp->cert_file);
		ERR_clear_error();
		X509_free(x);
		EVP_PKEY_free(key);
	}
	/* A certificate profile whose policies cannot sign would never complete phase 1. */
	int sig_policy = 0;
	for (int k = 0; k < c->npolicy; k++)
		sig_policy |= c->policy[k].auth != IKE_AUTH_PSK;
	for (int k = 0; k < c->nprofile; k++)
		if (c->profile[k].nca_tp && !sig_policy)
			cp_warn_at(p, c->profile[k].line, "isakmp profile '%s' names a trust point but "
			           "no isakmp policy has 'authentication rsa-sig' or 'ecdsa-sig'",
			           c->profile[k].name);
}
