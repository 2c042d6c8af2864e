/*
 * Every keyword path the configuration parser accepts, walked from its tables, so the manual
 * (vpnd.conf(5)) can be checked against the parser instead of against someone's memory.
 */
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/conf_parse.h"

/*
 * The blocks and the top-level commands that open them. The tables do not say which block a
 * handler opens (cp_open is called from the handler), so the pairing is written out here.
 */
static const struct {
	const char         *name;
	const struct cp_kw *tbl;
} blocks[] = {
	{ "", cp_top },
	{ "crypto isakmp policy", cp_policy_cmds },
	{ "crypto isakmp client configuration group", cp_group_cmds },
	{ "crypto isakmp profile", cp_profile_cmds },
	{ "crypto ipsec transform-set", cp_tset_cmds },
	{ "crypto ipsec profile", cp_ipsec_prof_cmds },
	{ "interface", cp_iface_cmds },
	{ "ip access-list", cp_acl_cmds },
	{ "crypto keyring", cp_keyring_cmds },
	{ "radius server", cp_radius_server_cmds },
	{ "aaa group server radius", cp_radius_group_cmds },
	{ "crypto pki trustpoint", cp_trustpoint_cmds },
	{ "aaa server radius dynamic-author", cp_dynauth_cmds },
};

/* Tables nest a few words deep; a path longer than this would be a table that loops. */
#define WALK_DEPTH 8

static void walk(const char *block, const struct cp_kw *tbl, char *path, size_t len,
                 int depth, conf_keyword_fn fn, void *arg)
{
	for (const struct cp_kw *k = tbl; k->word; k++) {
		int n = snprintf(path + len, CP_CMD_MAX - len, "%s%s", len ? " " : "", k->word);

		if (n < 0 || (size_t)n >= CP_CMD_MAX - len)
			continue;
		if (k->sub && depth < WALK_DEPTH)
			walk(block, k->sub, path, len + (size_t)n, depth + 1, fn, arg);
		else
			fn(block, path, (k->flags & (KW_NOOP | KW_NOOP_BLOCK)) != 0, arg);
		path[len] = '\0';
	}
}

void conf_keywords(conf_keyword_fn fn, void *arg)
{
	char path[CP_CMD_MAX];

	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		path[0] = '\0';
		walk(blocks[b].name, blocks[b].tbl, path, 0, 0, fn, arg);
	}
}
