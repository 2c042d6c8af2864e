/*
 * Client-mode NAT of an Easy VPN remote session: the inside networks leave through the
 * session's interface with the Mode Config address as their source, as IOS's ezvpn client
 * does. One nftables table per session, `ip vpnd-ez-NAME`, added and deleted whole through
 * libnftables, so a rule of ours never mixes with the operator's: deleting the table is
 * the whole clean-up, also of tables a crashed run left.
 *
 * libnftables runs in tunmgr's sandbox: a NETLINK_NETFILTER socket (seccomp allows
 * AF_NETLINK sockets to tunmgr already) and select() for its batch's answers (allowed for
 * that). The files it may read for names (/etc/iproute2/rt_marks, group, rt_realms) answer
 * EACCES in the chroot and are not needed: the commands below name no mark, realm, group,
 * service or host, and output is numeric. test_ez_tun.sh runs it so, sandbox and all.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <nftables/libnftables.h>

#include "common/log.h"
#include "tunmgr/eztrap.h"
#include "tunmgr/nat.h"

#define TABLE_PREFIX "vpnd-ez-"

static struct nft_ctx *nft;

/* Run one batch (atomic in the kernel); the error text, if any, logged once here. */
static int run(const char *cmd, const char *what)
{
	if (nft == NULL)
		return -1;
	int rc = nft_run_cmd_from_buffer(nft, cmd);
	const char *err = nft_ctx_get_error_buffer(nft);
	if (rc != 0)
		log_warnx("nftables: %s: %s", what, err && err[0] ? err : "refused");
	return rc != 0 ? -1 : 0;
}

/* ezvpn names go into nft's syntax: letters, digits, '_', '-' and '.' only, which need no
 * quoting and cannot start another command */
static int name_ok(const char *s)
{
	if (!s[0] || strlen(s) > 48)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* Every table of ours in the namespace: a crashed run's, or the ones live sessions hold at
 * stop. */
static void sweep(void)
{
	if (nft == NULL || nft_ctx_buffer_output(nft) != 0)
		return;
	if (nft_run_cmd_from_buffer(nft, "list tables ip") != 0) {
		nft_ctx_unbuffer_output(nft);
		return;
	}
	char *list = strdup(nft_ctx_get_output_buffer(nft));
	nft_ctx_unbuffer_output(nft);
	for (char *line = list ? strtok(list, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		char name[64], cmd[128];
		if (sscanf(line, "table ip %63s", name) != 1)
			continue;
		/* the NAT tables and the connect acl traps (eztrap.c) */
		size_t pl = !strncmp(name, TABLE_PREFIX, strlen(TABLE_PREFIX)) ? strlen(TABLE_PREFIX)
		          : !strncmp(name, EZ_TRAP_PREFIX, strlen(EZ_TRAP_PREFIX))
		          ? strlen(EZ_TRAP_PREFIX) : 0;
		if (!pl || !name_ok(name + pl))
			continue;
		snprintf(cmd, sizeof(cmd), "delete table ip %s", name);
		if (run(cmd, name) == 0)
			log_info("nftables: table %s removed", name);
	}
	free(list);
}

/* For eztrap.c: one batch on the same context; OUT, if given, gets what nft printed. */
int ez_nft_run(const char *cmd, const char *what, char *out, size_t outlen)
{
	if (nft == NULL)
		return -1;
	if (out == NULL)
		return run(cmd, what);
	if (nft_ctx_buffer_output(nft) != 0)
		return -1;
	int rc = run(cmd, what);
	const char *o = nft_ctx_get_output_buffer(nft);
	snprintf(out, outlen, "%s", rc == 0 && o ? o : "");
	nft_ctx_unbuffer_output(nft);
	return rc;
}

int ez_nat_init(void)
{
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (nft == NULL || nft_ctx_buffer_error(nft) != 0) {
		log_warnx("nftables: no context: Easy VPN client mode cannot NAT");
		return -1;
	}
	/* numbers, never names: nothing to look up in the chroot */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_NUMERIC_ALL);
	sweep();
	return 0;
}

void ez_nat_fini(void)
{
	sweep();
	if (nft != NULL)
		nft_ctx_free(nft);
	nft = NULL;
}

int ez_nat_add(const char *ezvpn, const char *ifname, struct in_addr addr,
               const struct ez_net *inside, int ninside)
{
	char cmd[1024], ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	if (!name_ok(ezvpn)) {
		log_warnx("ezvpn %s: a name nftables would need quoted, no NAT table for it", ezvpn);
		return -1;
	}
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	int n = snprintf(cmd, sizeof(cmd),
	                 "add table ip " TABLE_PREFIX "%s\n"
	                 "add chain ip " TABLE_PREFIX "%s postrouting "
	                 "{ type nat hook postrouting priority 100; policy accept; }\n",
	                 ezvpn, ezvpn);
	for (int i = 0; i < ninside && n > 0 && (size_t)n < sizeof(cmd); i++) {
		inet_ntop(AF_INET, &inside[i].net, net, sizeof(net));
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n,
		              "add rule ip " TABLE_PREFIX "%s postrouting oifname \"%s\" "
		              "ip saddr %s/%d snat to %s\n", ezvpn, ifname, net, inside[i].plen, ip);
	}
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	char what[96];
	snprintf(what, sizeof(what), "table " TABLE_PREFIX "%s", ezvpn);
	if (run(cmd, what) < 0)
		return -1;
	log_info("nftables: table " TABLE_PREFIX "%s: %d inside network%s behind %s on %s", ezvpn,
	         ninside, ninside == 1 ? "" : "s", ip, ifname);
	return 0;
}

void ez_nat_del(const char *ezvpn)
{
	char cmd[128];
	if (!name_ok(ezvpn))
		return;
	snprintf(cmd, sizeof(cmd), "delete table ip " TABLE_PREFIX "%s", ezvpn);
	run(cmd, cmd + 13);
}
