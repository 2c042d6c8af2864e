/*
 * The log lines vpnd writes for others (common/log_syslog.c, log_journal.c, log_relay.c):
 * RFC 3164 PRI and layout, the journal's native encoding including the binary form of a value
 * with a newline, the children's framing read back by the parent (fields, hostile bytes), and
 * the logging commands of the configuration with their FILE:LINE errors.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/log_sink.h"

Test(syslog, pri_is_facility_times_8_plus_severity)
{
	char b[256];
	size_t n;

	setenv("TZ", "UTC", 1);
	/* 2026-12-06 09:05:07 UTC */
	n = log_syslog_format(b, sizeof(b), 21, 5, 1796547907, NULL, "vpnd-ikemgr", 42,
	                      "%CRYPTO-5-SESSION_STATUS: x");
	cr_assert_str_eq(b, "<173>Dec  6 09:05:07 vpnd-ikemgr[42]: %CRYPTO-5-SESSION_STATUS: x");
	cr_assert_eq(n, strlen(b));
	n = log_syslog_format(b, sizeof(b), 3, 7, 1796547907, "hub", "vpnd", 1, "m");
	cr_assert_str_eq(b, "<31>Dec  6 09:05:07 hub vpnd[1]: m");
	/* kern.emerg is <0> */
	log_syslog_format(b, sizeof(b), 0, 0, 1796547907, NULL, "t", 1, "m");
	cr_assert(strncmp(b, "<0>", 3) == 0);
}

Test(syslog, truncates_to_the_buffer)
{
	char b[16];
	size_t n = log_syslog_format(b, sizeof(b), 3, 6, 0, NULL, "vpnd-tunmgr", 7, "long line");
	cr_assert_eq(n, sizeof(b) - 1);
	cr_assert_eq(b[n], '\0');
}

Test(journal, plain_fields_are_key_equals_value_lines)
{
	struct log_field f[] = { { "MESSAGE", "tunnel up" }, { "PRIORITY", "5" },
	                         { "PEER", "10.0.0.2" } };
	char b[256];
	size_t n = log_journal_format(b, sizeof(b), f, 3);
	const char want[] = "MESSAGE=tunnel up\nPRIORITY=5\nPEER=10.0.0.2\n";
	cr_assert_eq(n, sizeof(want) - 1);
	cr_assert(memcmp(b, want, n) == 0);
}

Test(journal, a_value_with_a_newline_takes_the_binary_form)
{
	struct log_field f[] = { { "MESSAGE", "a\nb" }, { "USER", "u" } };
	char b[256];
	size_t n = log_journal_format(b, sizeof(b), f, 2);
	const char want[] = "MESSAGE\n\x03\0\0\0\0\0\0\0a\nb\nUSER=u\n";
	cr_assert_eq(n, sizeof(want) - 1);
	cr_assert(memcmp(b, want, n) == 0);
}

Test(journal, too_small_a_buffer_gives_nothing)
{
	struct log_field f[] = { { "MESSAGE", "0123456789" } };
	char b[12];
	cr_assert_eq(log_journal_format(b, sizeof(b), f, 1), 0);
}

static const char *field(const struct log_rec *r, const char *key)
{
	for (int i = 0; i < r->nf; i++)
		if (!strcmp(r->f[i].key, key))
			return r->f[i].value;
	return NULL;
}

Test(relay, fields_travel_with_the_line)
{
	struct in_addr a;
	inet_pton(AF_INET, "10.0.0.2", &a);
	struct log_peer p = { .addr = a.s_addr, .user = "alice", .group = "g1",
	                      .spi = htonl(0xc0ffee01), .session = 17 };
	char b[LOG_LINE_MAX];
	struct log_rec r;
	size_t n = log_relay_format(b, sizeof(b), 5, "tunnel up", &p);

	cr_assert_eq(b[n - 1], '\n');
	b[n - 1] = '\0';
	log_relay_parse(b, &r);
	cr_assert(r.framed);
	cr_assert_eq(r.pri, 5);
	cr_assert_str_eq(r.msg, "tunnel up");
	cr_assert_str_eq(field(&r, "PEER"), "10.0.0.2");
	cr_assert_str_eq(field(&r, "USER"), "alice");
	cr_assert_str_eq(field(&r, "GROUP"), "g1");
	cr_assert_str_eq(field(&r, "SPI"), "0xc0ffee01");
	cr_assert_str_eq(field(&r, "SESSION"), "17");
}

Test(relay, a_peer_cannot_end_or_fake_a_line_or_a_field)
{
	struct log_peer p = { .user = "bob\nPEER=1.1.1.1\x1fPRIORITY=0" };
	char b[LOG_LINE_MAX];
	struct log_rec r;
	size_t n = log_relay_format(b, sizeof(b), 6, "x\ny\x1fSESSION=9", &p);

	cr_assert_eq(memchr(b, '\n', n - 1), NULL);
	b[n - 1] = '\0';
	log_relay_parse(b, &r);
	cr_assert_str_eq(r.msg, "x?y?SESSION=9");
	cr_assert_eq(r.nf, 1);
	cr_assert_str_eq(field(&r, "USER"), "bob?PEER=1.1.1.1?PRIORITY=0");
}

Test(relay, unframed_and_hostile_lines)
{
	char raw[] = "==123==ERROR: AddressSanitizer";
	char bad[] = "<9>no such priority";
	char keys[] = "<3>m\x1fMESSAGE=forged\x1fPRIORITY=0\x1f=\x1fPEER=1.2.3.4\x1fnoequals";
	char many[LOG_LINE_MAX];
	struct log_rec r;

	log_relay_parse(raw, &r);
	cr_assert(!r.framed);
	cr_assert_eq(r.pri, 6);
	cr_assert_str_eq(r.msg, raw);
	log_relay_parse(bad, &r);
	cr_assert(!r.framed);
	log_relay_parse(keys, &r);
	cr_assert_eq(r.pri, 3);
	cr_assert_str_eq(r.msg, "m");
	cr_assert_eq(r.nf, 1);          /* only known keys: the journal's own cannot be forged */
	cr_assert_str_eq(field(&r, "PEER"), "1.2.3.4");
	/* more fields than fit are dropped, not overflowed */
	strcpy(many, "<6>m");
	for (int i = 0; i < 40; i++)
		strcat(many, "\x1fUSER=u");
	log_relay_parse(many, &r);
	cr_assert_eq(r.nf, LOG_FIELDS_MAX);
}

/* ---- the logging commands ---- */

struct diags {
	char text[4096];
	int  errors;
};

static void diag(void *arg, int is_error, const char *msg)
{
	struct diags *d = arg;
	size_t n = strlen(d->text);
	snprintf(d->text + n, sizeof(d->text) - n, "%s\n", msg);
	d->errors += is_error;
}

static int load(const char *text, struct vpnd_conf *c, struct diags *d)
{
	memset(d, 0, sizeof(*d));
	return conf_load_buf("t.conf", text, strlen(text), c, diag, d);
}

Test(conf_logging, defaults_and_every_command)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	struct diags d;

	cr_assert_eq(load("hostname h\n", c, &d), 0);
	cr_assert_eq(c->logging.console, 7);
	cr_assert_eq(c->logging.trap, 6);
	cr_assert_eq(c->logging.buffered, -1);
	cr_assert_eq(c->logging.facility, 3);
	cr_assert_eq(c->logging.crypto_session, 0);
	cr_assert_eq(load("logging buffered 51200 warnings\nlogging console 3\n"
	                  "logging trap notifications\nlogging facility local7\n"
	                  "logging host 192.0.2.1\nlogging host 192.0.2.2 transport udp port 5514\n"
	                  "logging monitor debugging\nlogging source-interface Gi0/0\n"
	                  "crypto logging session\n", c, &d), 0, "%s", d.text);
	cr_assert_eq(c->logging.buffered, 4);
	cr_assert_eq(c->logging.buffer_size, 51200);
	cr_assert_eq(c->logging.console, 3);
	cr_assert_eq(c->logging.trap, 5);
	cr_assert_eq(c->logging.facility, 23);
	cr_assert_eq(c->logging.nhost, 2);
	cr_assert_eq(c->logging.host[0].port, 514);
	cr_assert_eq(c->logging.host[1].port, 5514);
	cr_assert_eq(c->logging.crypto_session, 1);
	cr_assert(strstr(d.text, "logging monitor") != NULL, "a no-op names itself: %s", d.text);
	cr_assert_eq(load("logging buffered\nno logging console\nno logging on\n"
	                  "logging host 192.0.2.1\nno logging host 192.0.2.1 transport udp port 514\n",
	                  c, &d), 0, "%s", d.text);
	cr_assert_eq(c->logging.buffered, 7);
	cr_assert_eq(c->logging.buffer_size, 4096);
	cr_assert_eq(c->logging.console, -1);
	cr_assert_eq(c->logging.off, 1);
	cr_assert_eq(c->logging.nhost, 0);
	free(c);
}

Test(conf_logging, errors_name_the_file_the_line_and_what_was_expected)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	struct diags d;

	cr_assert_eq(load("!\nlogging console loud\n", c, &d), 1);
	cr_assert(strstr(d.text, "t.conf:2: error: bad level 'loud'") != NULL, "%s", d.text);
	cr_assert(strstr(d.text, "emergencies") != NULL);
	cr_assert_eq(load("logging buffered 100\n", c, &d), 1);
	cr_assert(strstr(d.text, "t.conf:1:") && strstr(d.text, "4096 to 1048576"), "%s", d.text);
	cr_assert_eq(load("logging facility local8\n", c, &d), 1);
	cr_assert(strstr(d.text, "expected local0 .. local7") != NULL, "%s", d.text);
	cr_assert_eq(load("logging host 10.0.0.300\n", c, &d), 1);
	cr_assert_eq(load("logging host 10.0.0.3 transport tcp port 601\n", c, &d), 1);
	cr_assert(strstr(d.text, "expected udp") != NULL, "%s", d.text);
	cr_assert_eq(load("logging host 10.0.0.3 transport udp port 0\n", c, &d), 1);
	cr_assert_eq(load("logging trap 8\n", c, &d), 1);
	cr_assert_eq(load("logging console\n", c, &d), 1);
	cr_assert(strstr(d.text, "expected a level") != NULL, "%s", d.text);
	cr_assert_eq(load("logging host 10.0.0.1\nlogging host 10.0.0.2\nlogging host 10.0.0.3\n"
	                  "logging host 10.0.0.4\nlogging host 10.0.0.5\n", c, &d), 1);
	cr_assert(strstr(d.text, "t.conf:5: error: too many logging hosts") != NULL, "%s", d.text);
	cr_assert_eq(load("crypto logging session extra\n", c, &d), 1);
	free(c);
}

Test(conf_logging, printed_lines_read_back_the_same)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c)), *c2 = calloc(1, sizeof(*c2));
	struct diags d;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert_eq(load("no logging on\nlogging buffered 16384 errors\nno logging console\n"
	                  "logging trap 7\nlogging facility auth\nlogging host 192.0.2.9\n"
	                  "logging host 192.0.2.10 transport udp port 1514\ncrypto logging session\n",
	                  c, &d), 0, "%s", d.text);
	f = open_memstream(&text, &len);
	conf_logging_print(f, &c->logging);
	fclose(f);
	cr_assert(strstr(text, "logging buffered 16384 errors\n") != NULL, "%s", text);
	cr_assert(strstr(text, "logging host 192.0.2.10 transport udp port 1514\n") != NULL);
	cr_assert_eq(load(text, c2, &d), 0, "%s", d.text);
	cr_assert(memcmp(&c->logging, &c2->logging, sizeof(c->logging)) == 0, "%s", text);
	free(text);
	free(c);
	free(c2);
}
