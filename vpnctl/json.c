/* A JSON writer: enough for the show commands, no dependency (RFC 8259). */
#include <math.h>

#include "vpnctl/vpnctl.h"

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp;
		size_t n = vctl_utf8(p, &cp);
		if (n == 0) {
			/* not UTF-8: JSON text must be, so the byte is replaced, not passed on */
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		switch (cp) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (cp < 0x20 || cp == 0x7f)
				fprintf(f, "\\u%04x", cp);
			else
				fwrite(p, 1, n, f);
		}
		p += n;
	}
	fputc('"', f);
}

void json_column(FILE *f, sqlite3_stmt *s, int col)
{
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_NULL:
		fputs("null", f);
		break;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(s, col));
		break;
	case SQLITE_FLOAT: {
		double v = sqlite3_column_double(s, col);
		if (isfinite(v))
			fprintf(f, "%.17g", v);
		else
			fputs("null", f);        /* JSON has no infinity */
		break;
	}
	default:
		/* TEXT, and BLOB read as text: a NUL inside ends it, which is fine for a display */
		json_str(f, (const char *)sqlite3_column_text(s, col));
	}
}

void json_fields(FILE *f, sqlite3_stmt *s)
{
	int ncol = sqlite3_column_count(s);
	for (int i = 0; i < ncol; i++) {
		if (i)
			fputs(", ", f);
		json_str(f, sqlite3_column_name(s, i));
		fputs(": ", f);
		json_column(f, s, i);
	}
}

int json_rows(FILE *f, sqlite3_stmt *s)
{
	return json_rows_max(f, s, 0);
}

int json_rows_max(FILE *f, sqlite3_stmt *s, long max)
{
	int rows = 0, rc;
	fputs("[\n", f);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (max > 0 && rows >= max)
			break;
		fputs(rows++ ? ",\n  {" : "  {", f);
		json_fields(f, s);
		fputc('}', f);
	}
	fputs(rows ? "\n]\n" : "]\n", f);
	return rc;
}
