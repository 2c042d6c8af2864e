/*
 * The control process's one JSON writer (RFC 8259): pretty-printed, text always valid UTF-8
 * (a stray byte becomes U+FFFD), nesting fixed by the code. Every --json show goes through it.
 */
#ifndef VPND_CONTROL_JSON_H
#define VPND_CONTROL_JSON_H

#include <stdio.h>

#define JW_DEPTH 8

struct jw {
	FILE *f;
	int   depth;
	int   count[JW_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* KEY is NULL for the values of an array */
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
/* a string, or null when S is NULL or empty (the configuration's "not set") */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_int(struct jw *w, const char *key, long long v);
void jw_u64(struct jw *w, const char *key, unsigned long long v);
/* a number, or null when it is 0 (the configuration's "not set") */
void jw_int0(struct jw *w, const char *key, long long v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);

#endif
