/*
 * crypto pki certificate map LABEL SEQ and its lines (IOS PKI):
 *   subject-name | issuer-name | alt-subject-name  eq|ne|co|nc|sw|ew VALUE
 *   serial-number eq|ne HEX
 * Values are stored the way keymgr/certmap.c compares them (see conf.h): IOS lower-cases
 * them too, and dropping the blanks around '=' and ',' lets IOS's own `ou = eng` read as the
 * DN text vpnd matches against (cn=carol,ou=eng,o=example).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define END       { NULL, NULL, NULL, 0 }

static const char *const field_words[] = { "", "subject-name", "issuer-name",
                                           "alt-subject-name", "serial-number" };
static const char *const op_words[] = { "", "eq", "ne", "co", "nc", "sw", "ew" };

const char *conf_certmap_field_word(int field)
{
	return field >= CM_SUBJECT && field <= CM_SERIAL ? field_words[field] : "?";
}

const char *conf_certmap_op_word(int op)
{
	return op >= CM_EQ && op <= CM_EW ? op_words[op] : "?";
}

const struct conf_certmap *conf_find_certmap(const struct vpnd_conf *c, const char *label)
{
	for (int k = 0; k < c->ncertmap; k++)
		if (strcmp(c->certmap[k].label, label) == 0)
			return &c->certmap[k];
	return NULL;
}

/* crypto pki certificate map LABEL SEQ: a new entry goes after its label's lower sequence
 * numbers, so that the label's entries stay together and in order (and print back so) */
void cp_h_certmap(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char label[CONF_NAME_MAX];
	long long seq;
	int k, first = -1, after = -1, at;

	if (!cp_v2_name(p, i, "a certificate map label", label) ||
	    !cp_need(p, i + 1, "a sequence number from 1 to 65535") ||
	    !cp_num(p, i + 1, "certificate map sequence number", 1, 65535, &seq) ||
	    !cp_end(p, i + 2))
		return;
	for (k = 0; k < c->ncertmap; k++) {
		struct conf_certmap *m = &c->certmap[k];
		if (strcmp(m->label, label) != 0)
			continue;
		if (m->seq == seq) {
			cp_open(p, CB_CERTMAP, k);      /* IOS: more lines for the same entry */
			return;
		}
		if (first < 0)
			first = k;
		if (m->seq < seq)
			after = k;
	}
	at = after >= 0 ? after + 1 : first >= 0 ? first : c->ncertmap;
	if (c->ncertmap == CONF_MAX_CERTMAPS) {
		cp_error(p, "too many certificate map entries, expected at most %d (all labels "
		         "together)", CONF_MAX_CERTMAPS);
		return;
	}
	memmove(&c->certmap[at + 1], &c->certmap[at],
	        sizeof(c->certmap[0]) * (size_t)(c->ncertmap - at));
	memset(&c->certmap[at], 0, sizeof(c->certmap[0]));
	memcpy(c->certmap[at].label, label, sizeof(label));
	c->certmap[at].seq = (int)seq;
	c->certmap[at].line = p->line;
	c->ncertmap++;
	cp_open(p, CB_CERTMAP, at);
}

/* The words from i on, joined by one blank, lower-cased, without blanks next to '=' or ','
 * into out (zeroed past its end); 0 when they do not fit (reported). */
static int dn_value(struct conf_parser *p, int i, char *out)
{
	char w[CP_LINE_MAX], v[CONF_CERTMAP_VALUE];
	size_t n = 0, m = 0;

	for (int k = i; k < p->argc; k++) {
		int l = snprintf(w + n, sizeof(w) - n, "%s%s", k > i ? " " : "", p->argv[k]);
		if (l < 0 || (size_t)l >= sizeof(w) - n)
			goto long_value;
		n += (size_t)l;
	}
	for (size_t k = 0; k < n; k++) {
		char ch = (char)tolower((unsigned char)w[k]);
		if (ch == ' ' && ((m && (v[m - 1] == '=' || v[m - 1] == ',')) ||
		                  (k + 1 < n && (w[k + 1] == '=' || w[k + 1] == ','))))
			continue;
		if (m + 1 >= sizeof(v))
			goto long_value;
		v[m++] = ch;
	}
	v[m] = 0;
	memset(out, 0, CONF_CERTMAP_VALUE);
	memcpy(out, v, m);
	return 1;
long_value:
	cp_error(p, "certificate map value longer than %d characters", CONF_CERTMAP_VALUE - 1);
	return 0;
}

/* HEX (optionally with ':' between bytes) as lower-case hex without leading zeros */
static int serial_value(struct conf_parser *p, int i, char *out)
{
	char v[CONF_CERTMAP_VALUE];
	size_t n = 0;

	if (!cp_need(p, i, "a serial number in hex") || !cp_end(p, i + 1))
		return 0;
	for (const char *s = p->argv[i]; *s; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s)) {
			cp_error(p, "bad serial number '%s', expected hex digits (01:A3 or 1a3)",
			         p->argv[i]);
			return 0;
		}
		if (!n && *s == '0')
			continue;
		if (n + 1 >= sizeof(v)) {
			cp_error(p, "serial number '%.40s...' is too long", p->argv[i]);
			return 0;
		}
		v[n++] = (char)tolower((unsigned char)*s);
	}
	if (!n)
		v[n++] = '0';
	v[n] = 0;
	memset(out, 0, CONF_CERTMAP_VALUE);
	memcpy(out, v, n);
	return 1;
}

static void rule(struct conf_parser *p, int i, int field)
{
	struct conf_certmap *m = &p->conf->certmap[p->idx];
	struct conf_certmap_rule r;
	int serial = field == CM_SERIAL;
	const char *ops = serial ? "eq or ne" : "eq, ne, co, nc, sw or ew";

	memset(&r, 0, sizeof(r));
	r.field = field;
	if (!cp_need(p, i, ops))
		return;
	for (int k = CM_EQ; k <= (serial ? CM_NE : CM_EW); k++)
		if (strcmp(p->argv[i], op_words[k]) == 0)
			r.op = k;
	if (!r.op) {
		cp_error(p, "bad %s comparison '%s', expected %s", field_words[field], p->argv[i], ops);
		return;
	}
	if (serial ? !serial_value(p, i + 1, r.value) :
	    (!cp_need(p, i + 1, "a value to compare with") || !dn_value(p, i + 1, r.value)))
		return;
	for (int k = 0; k < m->nrule; k++)
		if (memcmp(&m->rule[k], &r, sizeof(r)) == 0)
			return;                 /* the same line again */
	if (m->nrule == CONF_CERTMAP_RULES) {
		cp_error(p, "too many lines in certificate map %s %d, expected at most %d", m->label,
		         m->seq, CONF_CERTMAP_RULES);
		return;
	}
	m->rule[m->nrule++] = r;
}

static void h_subject(struct conf_parser *p, int i) { rule(p, i, CM_SUBJECT); }
static void h_issuer(struct conf_parser *p, int i) { rule(p, i, CM_ISSUER); }
static void h_alt(struct conf_parser *p, int i) { rule(p, i, CM_ALT_SUBJECT); }
static void h_serial(struct conf_parser *p, int i) { rule(p, i, CM_SERIAL); }

/* IOS's date fields and the other names: refused rather than matched as something else */
static void h_unsupported(struct conf_parser *p, int i)
{
	(void)i;
	cp_error(p, "'%s' is not supported in a certificate map, expected subject-name, "
	         "issuer-name, alt-subject-name or serial-number (the trust point already refuses "
	         "certificates outside their validity)", p->argv[0]);
}

const struct cp_kw cp_certmap_cmds[] = {
	FN("subject-name", h_subject),
	FN("issuer-name", h_issuer),
	FN("alt-subject-name", h_alt),
	FN("serial-number", h_serial),
	FN("expires-on", h_unsupported),
	FN("valid-start", h_unsupported),
	FN("name", h_unsupported),
	FN("unstructured-subject-name", h_unsupported),
	END
};

/* Once the file is read: an entry without lines would match every certificate. */
void cp_check_certmaps(struct conf_parser *p)
{
	const struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->ncertmap; k++)
		if (!c->certmap[k].nrule)
			cp_warn_at(p, c->certmap[k].line, "certificate map %s %d has no lines: it "
			           "matches every certificate a trust point vouches for",
			           c->certmap[k].label, c->certmap[k].seq);
}
