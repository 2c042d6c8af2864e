// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_vpnctl_text.c vpnctl/json.c vpnctl/format.c -lsqlite3 -o fuzz_vpnctl_text
/*
 * Names in the session store come from clients. Whatever their bytes, vpnctl's JSON must stay
 * valid UTF-8 with no raw control character, and its terminal text must hold no control byte
 * and no invalid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnctl/vpnctl.h"

/* Every byte of P up to LEN is part of valid UTF-8 and, when NOCTL, none is a C0/C1 control. */
static void check_clean(const char *p, size_t len, int noctl)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < len) {
		unsigned cp;
		size_t n = vctl_utf8(u + i, &cp);
		if (n == 0 || i + n > len)
			abort();
		if (cp < 0x20 || cp == 0x7f || (noctl && cp >= 0x80 && cp < 0xa0))
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (f) {
		json_str(f, s);
		fclose(f);
		if (len < 2 || out[0] != '"' || out[len - 1] != '"')
			abort();
		check_clean(out, len, 0);
		free(out);
	}
	f = open_memstream(&out, &len);
	if (f) {
		vctl_put_safe(f, s);
		fclose(f);
		check_clean(out, len, 1);
		free(out);
	}
	const char *t = vctl_safe(s);
	check_clean(t, strlen(t), 1);
	free(s);
	return 0;
}
