/*
 * Every keyword path the configuration parser accepts, walked from its tables, so the manual
 * (vpnd.conf(5)) can be checked against the parser instead of against someone's memory.
 */
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/conf_parse.h"

/*
 * The command that opens each block. The tables do not say which block a handler opens
 * (cp_open is called from the handler), so the pairing is written out here; a block added to
 * the parser without a name here is reported as a path that no manual entry can match.
 */
static const struct {
	int         block;
	const char *name;
} blocks[] = {
	{ CB_POLICY, "crypto isakmp policy" },
	{ CB_GROUP, "crypto isakmp client configuration group" },
	{ CB_PROFILE, "crypto isakmp profile" },
	{ CB_TSET, "crypto ipsec transform-set" },
	{ CB_IPSEC_PROF, "crypto ipsec profile" },
	{ CB_IFACE, "interface" },
	{ CB_ACL, "ip access-list" },
	{ CB_KEYRING, "crypto keyring" },
	{ CB_RADIUS_SERVER, "radius server" },
	{ CB_RADIUS_GROUP, "aaa group server radius" },
	{ CB_TRUSTPOINT, "crypto pki trustpoint" },
	{ CB_DYNAUTH, "aaa server radius dynamic-author" },
	{ CB_EZVPN, "crypto ipsec client ezvpn" },
	{ CB_CMAP, "crypto map" },
	{ CB_ACL6, "ipv6 access-list" },
	{ CB_V2_PROPOSAL, "crypto ikev2 proposal" },
	{ CB_V2_POLICY, "crypto ikev2 policy" },
	{ CB_V2_KEYRING, "crypto ikev2 keyring" },
	{ CB_V2_PEER, "crypto ikev2 keyring peer" },
	{ CB_V2_PROFILE, "crypto ikev2 profile" },
	{ CB_V2_AUTHOR, "crypto ikev2 authorization policy" },
	{ CB_V2_CLUSTER, "crypto ikev2 cluster" },
	{ CB_CERTMAP, "crypto pki certificate map" },
	{ CB_V2_MANGLER, "crypto ikev2 name-mangler" },
};

/* Past the last block value of enum cp_block, with room for blocks added later. */
#define BLOCK_SCAN_END (CB_POLICY + 64)

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

	path[0] = '\0';
	walk("", cp_top, path, 0, 0, fn, arg);
	for (int b = CB_POLICY; b < BLOCK_SCAN_END; b++) {
		const struct cp_kw *tbl = cp_block_table(b);
		const char *name = NULL;
		char unnamed[64];

		if (!tbl)
			continue;
		for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++)
			if (blocks[k].block == b)
				name = blocks[k].name;
		if (!name) {
			snprintf(unnamed, sizeof(unnamed), "unnamed block %d (name it in conf_words.c)", b);
			name = unnamed;
		}
		path[0] = '\0';
		walk(name, tbl, path, 0, 0, fn, arg);
	}
}
