/* Argument readers shared by the configuration blocks: each word is checked and named on error. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"

int cp_need(struct conf_parser *p, int i, const char *expected)
{
	if (i < p->argc)
		return 1;
	cp_error(p, "incomplete command '%s', expected %s", p->cmd, expected);
	return 0;
}

int cp_end(struct conf_parser *p, int i)
{
	if (i >= p->argc)
		return 1;
	cp_error(p, "unexpected '%s' in '%s', expected end of line", p->argv[i], p->cmd);
	return 0;
}

int cp_is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int cp_num(struct conf_parser *p, int i, const char *what, long long lo, long long hi,
           long long *out)
{
	const char *s = p->argv[i];
	long long v = 0;

	/* digits only: no sign, no hex, no spaces, and no overflow past 19 digits */
	if (cp_is_number(s) && strlen(s) <= 18) {
		v = strtoll(s, NULL, 10);
		if (v >= lo && v <= hi) {
			*out = v;
			return 1;
		}
	}
	cp_error(p, "bad %s '%s', expected a number from %lld to %lld", what, s, lo, hi);
	return 0;
}

int cp_addr(struct conf_parser *p, int i, const char *what, struct in_addr *out)
{
	if (inet_pton(AF_INET, p->argv[i], out) == 1)
		return 1;
	cp_error(p, "bad %s '%s', expected an IPv4 address (a.b.c.d)", what, p->argv[i]);
	return 0;
}

int cp_mask_ok(struct in_addr mask)
{
	uint32_t inv = ~ntohl(mask.s_addr);

	/* contiguous ones from the top: the inverse is 2^k - 1 */
	return (inv & (inv + 1)) == 0;
}

int cp_netmask(struct conf_parser *p, int i, const char *what, struct in_addr *out)
{
	struct in_addr m;

	if (inet_pton(AF_INET, p->argv[i], &m) == 1 && cp_mask_ok(m)) {
		*out = m;
		return 1;
	}
	cp_error(p, "bad %s '%s', expected a contiguous netmask such as 255.255.255.0", what,
	         p->argv[i]);
	return 0;
}

int cp_wildcard(struct conf_parser *p, int i, const char *what, struct in_addr *mask)
{
	struct in_addr w;

	if (inet_pton(AF_INET, p->argv[i], &w) != 1) {
		cp_error(p, "bad %s '%s', expected a wildcard mask such as 0.0.0.255", what,
		         p->argv[i]);
		return 0;
	}
	mask->s_addr = ~w.s_addr;
	if (!cp_mask_ok(*mask)) {
		cp_error(p, "bad %s '%s': the wildcard bits are not contiguous, expected a wildcard "
		         "mask such as 0.0.0.255", what, p->argv[i]);
		return 0;
	}
	return 1;
}

int cp_copy_text(struct conf_parser *p, const char *src, const char *what, char *dst,
                 size_t dstsz)
{
	size_t n = strlen(src);

	if (n < dstsz) {
		memcpy(dst, src, n + 1);
		return 1;
	}
	memcpy(dst, src, dstsz - 1);
	dst[dstsz - 1] = '\0';
	cp_error(p, "%s '%.24s...' is too long (%zu characters), expected at most %zu", what, src,
	         n, dstsz - 1);
	return 0;
}

int cp_secret(struct conf_parser *p, const char *src, const char *what, char *dst, size_t dstsz)
{
	size_t n = strlen(src);

	if (n < dstsz) {
		memcpy(dst, src, n + 1);
		return 1;
	}
	/* a secret is never echoed, even in part */
	explicit_bzero(dst, dstsz);
	cp_error(p, "%s is too long (%zu characters), expected at most %zu", what, n, dstsz - 1);
	return 0;
}

int cp_name(struct conf_parser *p, int i, const char *what, char *dst, size_t dstsz)
{
	return cp_copy_text(p, p->argv[i], what, dst, dstsz);
}

const char *cp_rest(struct conf_parser *p, int i)
{
	return p->raw + p->argpos[i];
}

void cp_ref(struct conf_parser *p, int kind, const void *field)
{
	for (size_t k = 0; k < p->nrefs; k++) {
		if (p->refs[k].field == field) {
			p->refs[k].kind = kind;
			p->refs[k].line = p->line;
			return;
		}
	}
	if (p->nrefs == p->caprefs) {
		size_t cap = p->caprefs ? p->caprefs * 2 : 64;
		struct cp_ref *r = realloc(p->refs, cap * sizeof(*r));
		if (!r) {
			cp_error(p, "out of memory, expected to check the name used here");
			return;
		}
		p->refs = r;
		p->caprefs = cap;
	}
	p->refs[p->nrefs].kind = kind;
	p->refs[p->nrefs].field = field;
	p->refs[p->nrefs].line = p->line;
	p->nrefs++;
}

void cp_legacy(struct conf_parser *p, const char *what)
{
	p->conf->uses_legacy = 1;
	cp_warn(p, "legacy algorithm '%s' enabled by configuration", what);
}
