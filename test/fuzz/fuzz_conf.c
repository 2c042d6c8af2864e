// clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. test/fuzz/fuzz_conf.c common/conf*.c common/cisco_secret.c common/alg.c -lcrypto -o fuzz_conf && ./fuzz_conf -dict=test/fuzz/conf.dict test/data/conf etc
/*
 * Any bytes given to conf_load_buf() must give errors, never a crash, an out-of-bounds access
 * or an unterminated string in the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

static void quiet(void *arg, int is_error, const char *msg)
{
	/* every message must be a terminated string */
	(void)arg;
	(void)is_error;
	if (strlen(msg) == (size_t)-1)
		abort();
}

static void terminated(const char *s, size_t sz)
{
	if (!memchr(s, '\0', sz))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpnd_conf conf;
	int n = conf_load_buf("fuzz.conf", (const char *)data, size, &conf, quiet, NULL);

	if (n < 0 || conf.npolicy > CONF_MAX_POLICIES || conf.ngroup > CONF_MAX_GROUPS ||
	    conf.nprofile > CONF_MAX_PROFILES || conf.ntset > CONF_MAX_TSETS ||
	    conf.nipsec_profile > CONF_MAX_IPSEC_PROF || conf.niface > CONF_MAX_IFACES ||
	    conf.npool > CONF_MAX_POOLS || conf.nuser > CONF_MAX_USERS || conf.nacl > CONF_MAX_ACLS ||
	    conf.nisakmp_key > CONF_MAX_ISAKMP_KEYS || conf.naaa > CONF_MAX_AAA_LISTS ||
	    conf.nroute > CONF_MAX_ROUTES)
		abort();
	terminated(conf.hostname, sizeof(conf.hostname));
	for (int k = 0; k < conf.ngroup; k++) {
		terminated(conf.group[k].name, sizeof(conf.group[k].name));
		terminated(conf.group[k].banner, sizeof(conf.group[k].banner));
		terminated(conf.group[k].key, sizeof(conf.group[k].key));
		/* the look-ups must find what was stored */
		if (conf_find_group(&conf, conf.group[k].name) == NULL)
			abort();
	}
	for (int k = 0; k < conf.niface; k++)
		terminated(conf.iface[k].description, sizeof(conf.iface[k].description));
	for (int k = 1; k < conf.npolicy; k++)
		if (conf.policy[k - 1].priority >= conf.policy[k].priority)
			abort();
	for (int k = 0; k < conf.nacl; k++)
		if (conf.acl[k].nace > CONF_MAX_ACES)
			abort();
	conf_redact(&conf);
	return 0;
}
