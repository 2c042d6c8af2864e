/* Loading configuration text in unit tests: the parser's diagnostics collected in dl, the
 * result in conf (both fresh for each test). */
#ifndef VPND_TEST_CONFLOAD_H
#define VPND_TEST_CONFLOAD_H

#include <stdint.h>

#include "common/conf.h"

#ifndef CONF_TEST_SRCDIR
#define CONF_TEST_SRCDIR "."
#endif

#define MAX_MSGS 256

struct diag_log {
	int  n, nerr;
	int  is_error[MAX_MSGS];
	char msg[MAX_MSGS][600];
};

extern struct vpnd_conf *conf;
extern struct diag_log *dl;

/* a conf_diag_fn filling the struct diag_log ARG */
void confload_collect(void *arg, int is_error, const char *msg);
void confload_setup(void);
void confload_teardown(void);
int load_str(const char *text);                 /* errors, as conf_load_buf */
int load_file(const char *rel);                 /* a file under the source tree */
int find_msg(const char *a, const char *b);     /* first message with both, -1 if none */
void dump(void);
uint32_t ip(const char *s);

#endif
