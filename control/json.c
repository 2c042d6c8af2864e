/* The control process's JSON writer (json.h). */
#include <string.h>

#include "control/json.h"

/* Length of the well-formed UTF-8 sequence at P (no overlongs, surrogates or > U+10FFFF),
 * 0 when there is none. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0], cp;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)      /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			/* JSON text must be UTF-8: a stray byte becomes U+FFFD */
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fwrite(p, 1, n, f);
		}
		p += n;
	}
	fputc('"', f);
}

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void jw_indent(struct jw *w)
{
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Separator, indentation and "key": for the next value (key is NULL inside arrays). */
static void jw_item(struct jw *w, const char *key)
{
	if (w->count[w->depth]++)
		fputc(',', w->f);
	if (w->depth)
		jw_indent(w);
	if (key) {
		json_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, int bracket)
{
	jw_item(w, key);
	fputc(bracket, w->f);
	/* the nesting here is fixed by the code (at most 4 deep), never by the data */
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	w->count[w->depth] = 0;
}

static void jw_close(struct jw *w, int bracket)
{
	int had = w->count[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (had)
		jw_indent(w);
	fputc(bracket, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w, const char *key)  { jw_open(w, key, '{'); }
void jw_obj_end(struct jw *w)               { jw_close(w, '}'); }
void jw_arr(struct jw *w, const char *key)  { jw_open(w, key, '['); }
void jw_arr_end(struct jw *w)               { jw_close(w, ']'); }

/* A string, or null when S is NULL or empty (the configuration's "not set"). */
void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	if (s == NULL || *s == '\0')
		fputs("null", w->f);
	else
		json_string(w->f, s);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_u64(struct jw *w, const char *key, unsigned long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%llu", v);
}

/* A number, or null when it is 0 (the configuration's "not set"). */
void jw_int0(struct jw *w, const char *key, long long v)
{
	jw_item(w, key);
	if (v)
		fprintf(w->f, "%lld", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, int v)
{
	jw_item(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_item(w, key);
	fputs("null", w->f);
}
