// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_log_relay.c common/log_relay.c common/log_journal.c common/log_syslog.c -o fuzz_log_relay
/*
 * A child's stderr line, as the parent reads it (parent/logrelay.c): a taken-over child may
 * write any bytes. Parsing must stay in the line, keep only known keys, and what comes out
 * must format as a journal datagram and a syslog line without overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LOG_LINE_MAX * 2], out[LOG_LINE_MAX + 512];
	struct log_field f[LOG_FIELDS_MAX + 1];
	struct log_rec r;
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = '\0';
	log_relay_parse(line, &r);
	if (r.pri < 0 || r.pri > 7 || r.nf > LOG_FIELDS_MAX)
		abort();
	f[0] = (struct log_field){ "MESSAGE", r.msg };
	for (int i = 0; i < r.nf; i++) {
		if (r.f[i].value < line || r.f[i].value > line + n)
			abort();
		f[i + 1] = r.f[i];
	}
	log_journal_format(out, sizeof(out), f, r.nf + 1);
	log_syslog_format(out, sizeof(out), 23, r.pri, 0, "h", "vpnd-ikemgr", 1, r.msg);
	return 0;
}
