// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_http.c control/http_parse.c -o fuzz_http
/*
 * The metrics endpoint's request parser (control/http_parse.c) on any bytes, as they arrive in
 * pieces: it must not read past what it is given, give one of its verdicts, keep a final
 * verdict once given (more bytes never change it), and serve only a request whose line is
 * "GET /metrics" and whose headers end within HTTP_REQ_MAX bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/http.h"

static void must(int cond)
{
	if (!cond)
		abort();
}

static int known(int v)
{
	return v == HTTP_MORE || v == HTTP_GET_METRICS || v == HTTP_BAD || v == HTTP_NOT_FOUND ||
	       v == HTTP_BAD_METHOD || v == HTTP_TOO_LARGE || v == HTTP_BAD_VERSION;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy: ASan sees any read past the end */
	char *b = malloc(size ? size : 1);
	int final = HTTP_MORE;

	if (!b)
		return 0;
	memcpy(b, data, size);
	for (size_t step = size / 7 + 1, n = 0;; n = n + step < size ? n + step : size) {
		int v = http_parse(b, n);
		must(known(v));
		if (final != HTTP_MORE)
			must(v == final);
		final = v;
		if (n == size)
			break;
	}
	if (final == HTTP_GET_METRICS) {
		size_t lim = size < HTTP_REQ_MAX ? size : HTTP_REQ_MAX;
		must(size >= 14 && !memcmp(b, "GET /metrics", 12));
		must(memmem(b, lim, "\n\r\n", 3) != NULL || memmem(b, lim, "\n\n", 2) != NULL);
	}
	if (size >= HTTP_REQ_MAX)
		must(final != HTTP_MORE);
	free(b);
	return 0;
}
