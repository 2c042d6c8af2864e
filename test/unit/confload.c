#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/confload.h"

struct vpnd_conf *conf;
struct diag_log *dl;

void confload_collect(void *arg, int is_error, const char *msg)
{
	struct diag_log *d = arg;

	d->nerr += is_error != 0;
	if (d->n < MAX_MSGS) {
		d->is_error[d->n] = is_error;
		snprintf(d->msg[d->n++], sizeof(d->msg[0]), "%s", msg);
	}
}

void confload_setup(void)
{
	conf = calloc(1, sizeof(*conf));
	dl = calloc(1, sizeof(*dl));
	cr_assert(conf && dl);
}

void confload_teardown(void)
{
	free(conf);
	free(dl);
}

int load_str(const char *text)
{
	memset(dl, 0, sizeof(*dl));
	return conf_load_buf("t.conf", text, strlen(text), conf, confload_collect, dl);
}

int load_file(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", CONF_TEST_SRCDIR, rel);
	memset(dl, 0, sizeof(*dl));
	return conf_load(path, conf, confload_collect, dl);
}

int find_msg(const char *a, const char *b)
{
	for (int k = 0; k < dl->n; k++)
		if (strstr(dl->msg[k], a) && (!b || strstr(dl->msg[k], b)))
			return k;
	return -1;
}

void dump(void)
{
	for (int k = 0; k < dl->n; k++)
		cr_log_info("%s", dl->msg[k]);
}

uint32_t ip(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}
