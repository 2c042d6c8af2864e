/*
 * Every command vpnctl knows, in the order `vpnctl help` lists them. The longest name that
 * matches the typed words wins, so "show crypto session detail" and "show crypto session"
 * coexist. Rows without a handler are vpnd's own commands, sent over the control socket.
 */
#include "vpnctl/vpnctl.h"

const struct vctl_cmd vctl_cmds[] = {
	{ "show crypto session", "[username U | remote A | group G]",
	  "live sessions, laid out like IOS", show_crypto_session },
	{ "show crypto session brief", "[username U | remote A | group G]",
	  "one line per live session", show_crypto_session_brief },
	{ "show crypto session detail", "[username U | remote A | group G]",
	  "live sessions with uptime, SPIs and counters", show_crypto_session_detail },
	{ "show crypto session history", "[username U | remote A | group G]",
	  "ended sessions, newest first, with their end reason", show_crypto_session_history },
	{ "show crypto session summary", "[username U | remote A | group G]",
	  "live sessions counted, in all and per group", show_crypto_session_summary },
	{ "show crypto isakmp peers", "[A]", "IKE peers: address, port, local address, phase 1 id",
	  show_crypto_isakmp_peers },
	{ "show crypto route", "", "the routes sessions installed: each client's /32 on its vaN",
	  show_crypto_route },
	{ "show crypto isakmp sa", "", "IKEv1 SAs: dst src state conn-id status",
	  show_crypto_isakmp_sa },
	{ "show crypto isakmp sa detail", "", "IKEv1 SAs with algorithms, remaining lifetime, caps",
	  show_crypto_isakmp_sa_detail },
	{ "show crypto ikev2 sa", "", "IKEv2 SAs: tunnel-id, local, remote, status, algorithms",
	  show_crypto_ikev2_sa },
	{ "show crypto ikev2 sa detail", "", "IKEv2 SAs with SPIs, peer identity, NAT-T, pushed "
	  "address", show_crypto_ikev2_sa_detail },
	{ "show crypto ikev2 session", "", "IKEv2 sessions: status, IKE and CHILD SA counts, the "
	  "SA, algorithms, child selectors and SPIs", show_crypto_ikev2_session },
	{ "show crypto ikev2 session detailed", "", "IKEv2 sessions with the SAs' details: SPIs, "
	  "identities, pushed address", show_crypto_ikev2_session_detailed },
	{ "show crypto ipsec sa", "[peer A] [interface vaN]",
	  "IPsec SAs per interface: SPIs, counters, remaining lifetimes", show_crypto_ipsec_sa },
	{ "sql", "\"SELECT ...\"",
	  "one read-only query on the session store", vctl_sql },
	{ "backup", "FILE", "an online copy of the session store into a new FILE (SQLite)",
	  vctl_backup },
	{ "clear crypto session", "[remote A | username U | group G]",
	  "delete matching sessions (asks vpnd)", NULL },
	{ "clear crypto sa", "[peer A]",
	  "delete IPsec SAs; the IKE SA and interface stay (asks vpnd)", clear_crypto_sa },
	{ "clear crypto isakmp", "[CONN-ID]",
	  "delete IKEv1 SAs; their sessions end (asks vpnd)", clear_crypto_isakmp },
	{ "clear crypto ikev2 sa", "[TUNNEL-ID | remote A | local A]",
	  "delete IKEv2 SAs; their sessions end, IKEv1 ones stay (asks vpnd)",
	  clear_crypto_ikev2_sa },
	{ "show crypto isakmp policy", "", "IKE policies, laid out like IOS (asks vpnd)", NULL },
	{ "show crypto isakmp profile", "", "ISAKMP profiles (asks vpnd)", NULL },
	{ "show crypto ipsec transform-set", "", "transform sets (asks vpnd)", NULL },
	{ "show crypto ipsec profile", "", "IPsec profiles (asks vpnd)", NULL },
	{ "show running-config", "[interface Virtual-AccessN]",
	  "the configuration, keys and passwords shown as <removed> (asks vpnd)", NULL },
	{ "debug crypto isakmp", "[error]", "IKE debug lines in vpnd's log (asks vpnd)", NULL },
	{ "debug crypto ipsec", "[error]", "ESP SA debug lines (asks vpnd)", NULL },
	{ "debug crypto engine", "[error]", "crypto engine debug lines (asks vpnd)", NULL },
	{ "debug crypto ikev2", "[packet | internal | error]",
	  "IKEv2 debug lines: exchanges, each datagram, the SA table's own events (asks vpnd)",
	  NULL },
	{ "debug crypto condition",
	  "peer ipv4 A | peer ipv6 A[/LEN] | peer subnet A M | username U | group G | spi N | "
	  "unmatched | reset",
	  "debug only these peers; conditions are OR-ed (asks vpnd)", NULL },
	{ "no debug crypto", "[isakmp | ipsec | engine | ikev2 [packet | internal] | condition COND]",
	  "turn a debug category or a condition off (asks vpnd)", NULL },
	{ "undebug crypto", "[isakmp | ipsec | engine | ikev2 [packet | internal] | condition COND]",
	  "the same as no debug crypto (asks vpnd)", NULL },
	{ "undebug all", "", "turn every debug category off; conditions stay (asks vpnd)", NULL },
	{ "no debug all", "", "the same as undebug all (asks vpnd)", NULL },
	{ "show crypto debug-condition", "", "the debug conditions (asks vpnd)", NULL },
	{ "show debugging", "", "the debug categories that are on (asks vpnd)", NULL },
	{ "reload", "", "read the configuration again; sessions whose policy is gone end (asks vpnd)",
	  NULL },
	{ "show aaa local user lockout", "", "local users with failed logins, locked or not "
	  "(asks vpnd)", NULL },
	{ "clear aaa local user lockout", "username U | all", "unlock local users (asks vpnd)",
	  NULL },
	{ "show crypto call admission statistics", "",
	  "IKE call admission limits and what they refused (asks vpnd)", NULL },
	{ "show ip local pool", "[NAME]", "address pools: free, in use; with NAME the addresses "
	  "in use (asks vpnd)", NULL },
	{ "show crypto map", "[tag NAME]", "crypto map entries: peers, access list, transform "
	  "sets, interfaces; SPIs but never keys (asks vpnd)", NULL },
	{ "show crypto ipsec client ezvpn", "[NAME]", "Easy VPN remote tunnels: state, address, "
	  "peer, split networks, laid out like IOS (asks vpnd)", NULL },
	{ "crypto ipsec client ezvpn connect", "[NAME]",
	  "connect an Easy VPN tunnel: NAME, or the only one (asks vpnd)", NULL },
	{ "crypto ipsec client ezvpn xauth", "[NAME]",
	  "answer the Easy VPN server's XAUTH request: prompts for Username and Password, "
	  "read from stdin lines when it is not a terminal (asks vpnd)", ez_xauth },
	{ "clear crypto ipsec client ezvpn", "[NAME]",
	  "tear an Easy VPN tunnel down, every one without NAME (asks vpnd)", NULL },
	{ "show logging", "", "where log lines go, their levels, and the buffered lines (logging "
	  "buffered) (asks vpnd)", NULL },
	{ "ping", "", "check that vpnd answers", NULL },
	{ "shutdown", "", "stop vpnd and every session", NULL },
	{ "help", "", "this list", vctl_help },
};
const size_t vctl_ncmds = sizeof(vctl_cmds) / sizeof(vctl_cmds[0]);
