/*
 * The operator's commands on the control socket, and those answered by asking the parent:
 * ping (the parent's pid answers), shutdown, reload, clear crypto session|sa|isakmp|ikev2 sa. The show
 * and debug commands are in show_config.c, debug.c and exposure.c.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "control/control.h"
#include "control/debug.h"
#include "control/exposure.h"
#include "control/show_config.h"
#include "control/show_logging.h"

static void cmd_ping(struct control_conn *, int, char **);
static void cmd_shutdown(struct control_conn *, int, char **);
static void cmd_help(struct control_conn *, int, char **);
static void cmd_clear_session(struct control_conn *, int, char **);
static void cmd_reload(struct control_conn *, int, char **);
static void cmd_clear_sa(struct control_conn *, int, char **);
static void cmd_clear_isakmp(struct control_conn *, int, char **);
static void cmd_clear_ikev2_sa(struct control_conn *, int, char **);

const struct control_cmd control_cmds[] = {
	{ "ping",     cmd_ping,     "check that vpnd answers" },
	{ "shutdown", cmd_shutdown, "stop vpnd and every session" },
	{ "help",     cmd_help,     "list the commands" },
	{ "reload",   cmd_reload,   "read the configuration file again; sessions whose policy is gone end" },
	{ "clear crypto session", cmd_clear_session,
	  "[remote A | username U | group G]: delete matching sessions (the clients get DELETE)" },
	{ "clear crypto sa", cmd_clear_sa,
	  "[peer A]: delete IPsec SAs (DELETE to the client); IKE SA and interface stay" },
	{ "clear crypto isakmp", cmd_clear_isakmp,
	  "[CONN-ID]: delete IKEv1 SAs (DELETE to the client); their sessions end" },
	{ "clear crypto ikev2 sa", cmd_clear_ikev2_sa,
	  "[TUNNEL-ID | remote A | local A]: delete IKEv2 SAs (DELETE to the client); their "
	  "sessions end" },
	{ "show crypto isakmp policy", show_cmd_isakmp_policy, "[--json]: IKE policies" },
	{ "show crypto isakmp profile", show_cmd_isakmp_profile, "[--json]: ISAKMP profiles" },
	{ "show crypto ipsec transform-set", show_cmd_ipsec_transform_set,
	  "[--json]: transform sets" },
	{ "show crypto ipsec profile", show_cmd_ipsec_profile, "[--json]: IPsec profiles" },
	{ "debug crypto", debug_cmd_debug_crypto,
	  "isakmp|ipsec|engine [error] | ikev2 [packet|internal|error] | condition COND | "
	  "condition unmatched|reset: debug lines in vpnd's log" },
	{ "no debug crypto", debug_cmd_no_debug_crypto,
	  "[isakmp|ipsec|engine | ikev2 [packet|internal] | condition COND|unmatched]: turn "
	  "debugging or a condition off" },
	{ "undebug crypto", debug_cmd_no_debug_crypto, "the same as no debug crypto" },
	{ "undebug all", debug_cmd_undebug_all, "turn every debug category off (conditions stay)" },
	{ "no debug all", debug_cmd_undebug_all, "the same as undebug all" },
	{ "show crypto debug-condition", debug_cmd_show_condition,
	  "[--json]: the debug conditions" },
	{ "show debugging", debug_cmd_show_debugging, "the debug categories that are on" },
	{ "show aaa local user lockout", exposure_cmd_show_lockout,
	  "[--json]: local users with failed logins, and whether they are locked out" },
	{ "clear aaa local user lockout", exposure_cmd_clear_lockout,
	  "username U | all: unlock local users (their failure counts start again)" },
	{ "show crypto call admission statistics", exposure_cmd_show_cac,
	  "[--json]: IKE call admission limits and what they refused" },
	{ "show ip local pool", show_cmd_ip_local_pool,
	  "[NAME] [--json]: address pools, free and in use; with NAME, the addresses in use" },
	{ "show crypto map", show_cmd_crypto_map,
	  "[tag NAME] [--json]: crypto map entries: peer, access list, transform sets, interfaces" },
	{ "show crypto ipsec client ezvpn", show_cmd_ezvpn,
	  "[NAME] [--json]: Easy VPN remote tunnels: state, address, peer, split networks" },
	{ "crypto ipsec client ezvpn connect", ez_cmd_connect,
	  "[NAME]: connect an Easy VPN tunnel (NAME, or the only one)" },
	{ "crypto ipsec client ezvpn xauth", ez_cmd_xauth,
	  "[NAME]: answer the server's XAUTH request" },
	{ "clear crypto ipsec client ezvpn", ez_cmd_clear,
	  "[NAME]: tear an Easy VPN tunnel down (every one without NAME)" },
	{ "show logging", show_logging_cmd,
	  "[--json]: where log lines go, from which level, and the buffered lines" },
	{ "show running-config", show_cmd_running_config,
	  "[interface NAME | interface Virtual-AccessN] [--json]: the configuration, secrets "
	  "shown as <removed>" },
};
const size_t control_ncmds = sizeof(control_cmds) / sizeof(control_cmds[0]);

/* The parent answers: "ping" checks vpnd, not only this process. */
static void cmd_ping(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q = { .kind = CTL_PING };
	control_ask(cc, &q, NULL);
}

static void cmd_shutdown(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q = { .kind = CTL_SHUTDOWN };
	control_ask(cc, &q, "shutting down\n");
}

static void cmd_reload(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q = { .kind = CTL_RELOAD };
	if (argc > 0) {
		control_printf(cc, "%% reload takes no arguments\n");
		return;
	}
	control_ask(cc, &q, NULL);
}

static void cmd_help(struct control_conn *cc, int argc, char **argv)
{
	for (size_t i = 0; i < control_ncmds; i++)
		control_printf(cc, "%-24s %s\n", control_cmds[i].words, control_cmds[i].help);
}

static void cmd_clear_session(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q;
	struct msg_clear *m = &q.u.clear;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_CLEAR;
	if (argc == 2 && !strcmp(argv[0], "remote")) {
		if (sa46_pton(argv[1], &m->peer) < 0) {
			control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
			return;
		}
		m->kind = CLEAR_REMOTE;
	} else if (argc == 2 && (!strcmp(argv[0], "username") || !strcmp(argv[0], "group"))) {
		if (strlen(argv[1]) >= sizeof(m->name)) {
			control_printf(cc, "%% Name too long\n");
			return;
		}
		m->kind = !strcmp(argv[0], "username") ? CLEAR_USERNAME : CLEAR_GROUP;
		snprintf(m->name, sizeof(m->name), "%s", argv[1]);
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [remote A | username U | group G]\n");
		return;
	}
	log_info("clear crypto session%s%s%s requested on the control socket", argc ? " " : "",
	         argc ? argv[0] : "", argc ? " (filtered)" : "");
	control_ask(cc, &q, "clearing matching sessions\n");
}

static void cmd_clear_sa(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q;
	struct msg_clear *m = &q.u.clear;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_CLEAR;
	m->kind = CLEAR_SA_ALL;
	if (argc == 2 && !strcmp(argv[0], "peer")) {
		if (sa46_pton(argv[1], &m->peer) < 0) {
			control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
			return;
		}
		m->kind = CLEAR_SA_PEER;
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [peer A]\n");
		return;
	}
	log_info("clear crypto sa%s%s requested on the control socket", argc ? " peer " : "",
	         argc ? argv[1] : "");
	control_ask(cc, &q, "clearing matching IPsec SAs\n");
}

static int parse_id(const char *p, uint32_t *id)
{
	char *end;
	unsigned long v = strtoul(p, &end, 10);
	if (p[0] < '0' || p[0] > '9' || *end || v == 0 || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static void cmd_clear_isakmp(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q;
	struct msg_clear *m = &q.u.clear;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_CLEAR;
	m->kind = CLEAR_ISAKMP_ALL;
	if (argc == 1) {
		if (parse_id(argv[0], &m->conn_id) < 0) {
			control_printf(cc, "%% Invalid conn-id: '%s'\n", argv[0]);
			return;
		}
		m->kind = CLEAR_ISAKMP_CONN;
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [CONN-ID]\n");
		return;
	}
	log_info("clear crypto isakmp%s%s requested on the control socket", argc ? " " : "",
	         argc ? argv[0] : "");
	control_ask(cc, &q, "clearing matching IKE SAs\n");
}

/* IOS XE's clear crypto ikev2 sa [local A | remote A], and a tunnel-id as show crypto ikev2
 * sa prints it (IOS's fvrf and psh have nothing to select here). */
static void cmd_clear_ikev2_sa(struct control_conn *cc, int argc, char **argv)
{
	struct msg_ctl_req q;
	struct msg_clear *m = &q.u.clear;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_CLEAR;
	m->kind = CLEAR_IKEV2_ALL;
	if (argc == 1) {
		if (parse_id(argv[0], &m->conn_id) < 0) {
			control_printf(cc, "%% Invalid tunnel-id: '%s'\n", argv[0]);
			return;
		}
		m->kind = CLEAR_IKEV2_ID;
	} else if (argc == 2 && (!strcmp(argv[0], "remote") || !strcmp(argv[0], "local"))) {
		if (sa46_pton(argv[1], &m->peer) < 0) {
			control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
			return;
		}
		m->kind = !strcmp(argv[0], "remote") ? CLEAR_IKEV2_REMOTE : CLEAR_IKEV2_LOCAL;
	} else if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [TUNNEL-ID | remote A | local A]\n");
		return;
	}
	log_info("clear crypto ikev2 sa%s%s%s%s requested on the control socket", argc ? " " : "",
	         argc ? argv[0] : "", argc == 2 ? " " : "", argc == 2 ? argv[1] : "");
	control_ask(cc, &q, "clearing matching IKEv2 SAs\n");
}
