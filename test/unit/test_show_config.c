/*
 * The show commands for the configuration (control/show_config.c): IOS layouts checked line by
 * line on the seed and on a configuration that uses every command, running-config read back
 * by the parser to the same configuration, JSON parsed by python3, secrets never printed, and
 * the control-socket handlers (with stand-ins for control_printf) including Virtual-AccessN
 * from a session store made with the db API.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/conf.h"
#include "db/db.h"
#include "control/control.h"
#include "control/show_config.h"
#include "control/show_logging.h"
#include "common/msg.h"

/* ---- stand-ins for control/control.c: the handlers only print and read the store ---- */

/* what the control process holds: the configuration, and the session store it reads */
struct fake_control {
	struct vpnd_conf *conf;
	char              rundir[PATH_MAX];
};

struct control_conn {
	struct fake_control *p;
	char          *out;
	size_t         len;
};

void control_printf(struct control_conn *cc, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	cc->out = realloc(cc->out, cc->len + (size_t)n + 1);
	cr_assert_not_null(cc->out);
	memcpy(cc->out + cc->len, s, (size_t)n + 1);
	cc->len += (size_t)n;
	free(s);
}

const struct vpnd_conf *control_conf(struct control_conn *cc)
{
	return cc->p->conf;
}

/* the handler's store; the formatter is tested with its own (ip_local_pool) */
struct sqlite3 *control_db(void)
{
	return NULL;
}

int control_vaccess(struct control_conn *cc, int unit, struct show_vaccess *s, char *err,
                    size_t errlen)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/vpnd.db", cc->p->rundir);
	return show_vaccess_lookup(path, unit, s, err, errlen);
}

/* ---- configurations ---- */

/* etc/seed-dvti.conf, the Cisco DVTI Easy VPN example */
static const char seed[] =
	"hostname hub\n"
	"aaa new-model\n"
	"aaa authentication login local_list local\n"
	"aaa authorization network local_list local\n"
	"aaa session-id common\n"
	"ip subnet-zero\n"
	"ip cef\n"
	"username cisco password 0 cisco123\n"
	"controller ISA 1/1\n"
	"crypto isakmp policy 1\n"
	" encr 3des\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp client configuration group group1\n"
	" key cisco123\n"
	" pool group1pool\n"
	" save-password\n"
	"crypto isakmp profile vpn1-ra\n"
	" match identity group group1\n"
	" client authentication list local_list\n"
	" isakmp authorization list local_list\n"
	" client configuration address respond\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set VTI-TS esp-3des esp-sha-hmac\n"
	"crypto ipsec profile test-vti1\n"
	" set transform-set VTI-TS\n"
	"interface eth0\n"
	" description Internet Connection\n"
	" ip address 172.18.143.246 255.255.255.0\n"
	"interface eth1\n"
	" description Internal Network\n"
	" ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered eth0\n"
	" ip virtual-reassembly\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile test-vti1\n"
	"ip local pool group1pool 192.168.1.1 192.168.1.4\n"
	"ip classless\n"
	"ip route 0.0.0.0 0.0.0.0 172.18.143.1\n"
	"end\n";

#define GROUP_KEY  "Gk7f3a9c2eSecret"
#define USER_PASS  "Up55aa Secret with blanks"
#define PEER_KEY   "Pk0e1d2c3bSecret"
#define PEER_KEY2  "Pk9z8y7x6wSecret"

/* Every command vpnd reads, most with non-default values, and the secrets above. */
static const char full[] =
	"hostname hub-2\n"
	"ipv6 unicast-routing\n"
	"aaa new-model\n"
	"aaa authentication login xauth local group rad1\n"
	"aaa authorization network grp local\n"
	"aaa accounting network acct start-stop group rad1 group rad2\n"
	"radius server r1\n address ipv4 10.0.0.5 auth-port 1812 acct-port 1813\n key Rk1Secret\n"
	" timeout 3\n retransmit 1\n"
	"radius server r2\n address ipv4 10.0.0.6\n key Rk2Secret\n message-authenticator required\n"
	"radius server r3\n address ipv4 10.0.0.8\n key Rk3Secret\n message-authenticator off\n"
	"aaa group server radius rad1\n server name r1\n server name r2\n"
	"aaa group server radius rad2\n server name r2\n"
	"radius-server deadtime 2\n"
	"aaa server radius dynamic-author\n client 10.0.0.5 server-key Dk1Secret\n"
	" client 10.0.0.7\n client fd00::5 server-key Dk3Secret\n server-key Dk2Secret\n"
	" port 3799\n auth-type any\n ignore session-key\n"
	"username alice privilege 15 password 0 " USER_PASS "\n"
	"username bob secret 0 other" "Secret\n"
	"crypto isakmp policy 20\n"
	" encr aes\n"
	" hash sha\n"
	" group 14\n"
	" lifetime 3600\n"
	"crypto isakmp policy 10\n"
	" encr aes 256\n"
	" authentication pre-share\n"
	"crypto isakmp policy 30\n"
	" encr des\n"
	" hash md5\n"
	" authentication rsa-sig\n"
	" group 1\n"
	"crypto isakmp policy 40\n"
	" encr aes 192\n"
	" hash sha512\n"
	" group 21\n"
	"crypto isakmp key " PEER_KEY " address 198.51.100.0 255.255.255.0\n"
	"crypto isakmp key 0 " PEER_KEY2 " address 203.0.113.7\n"
	"crypto isakmp key " PEER_KEY " address ipv6 fd00:9::/32\n"
	"crypto isakmp keepalive 20 5 periodic\n"
	"crypto isakmp nat keepalive 30\n"
	"crypto isakmp xauth timeout 45\n"
	"crypto isakmp network-extension minimum-prefix 12\n"
	"crypto isakmp aggressive-mode disable\n"
	"crypto call admission limit ike in-negotiation-sa 400 per-peer 20\n"
	"crypto call admission limit ike sa 5000\n"
	"aaa local authentication attempts max-fail 5\n"
	"crypto isakmp client configuration group sales\n"
	" key " GROUP_KEY "\n"
	" pool salespool\n"
	" ipv6 pool sales6\n"
	" ipv6 dns fd00:2::53\n"
	" dns 10.2.1.53 10.2.1.54\n"
	" wins 10.2.1.60\n"
	" domain example.test\n"
	" split-dns corp.example\n"
	" split-dns lab.example\n"
	" acl split1\n"
	" banner # Welcome \"sales\" \\ back\\slash\n"
	"second line ^C\n"
	"  third #\n"
	" save-password\n"
	" pfs\n"
	" max-users 50\n"
	" netmask 255.255.255.0\n"
	" network-extension access-list split1\n"
	" include-local-lan\n"
	" backup-gateway 198.51.100.2\n"
	" backup-gateway hub-3.example.test\n"
	" group-lock\n"
	" firewall are-u-there\n"
	"crypto isakmp client configuration group nokey\n"
	" banner ^C plain ^C\n"
	"crypto isakmp profile ra\n"
	" match identity group sales\n"
	" match identity group nokey\n"
	" client authentication list xauth\n"
	" isakmp authorization list grp\n"
	" client configuration address respond\n"
	" client configuration address initiate\n"
	" virtual-template 2\n"
	" keepalive 15 retry 3\n"
	"crypto isakmp profile bare\n"
	"crypto keyring KR1\n"
	" local-address 198.51.100.5\n"
	" pre-shared-key address 203.0.113.0 255.255.255.0 key " PEER_KEY2 "\n"
	" pre-shared-key address 203.0.113.9 key 0 " PEER_KEY "\n"
	"crypto isakmp profile s2s\n"
	" match identity address 203.0.113.0 255.255.255.0\n"
	" match identity address 192.0.2.1\n"
	" network-extension access-list split1\n"
	" keyring KR1\n"
	" self-identity fqdn\n"
	" local-address 198.51.100.5\n"
	" client configuration group sales\n"
	/* main mode by IPv6 address; a bare address is a /128, a prefix is kept as written */
	"crypto keyring KR6\n"
	" local-address fd00:1::246\n"
	" pre-shared-key address ipv6 FD00:1:0::/64 key " PEER_KEY2 "\n"
	" pre-shared-key address ipv6 fd00:1::2 key 0 " PEER_KEY "\n"
	"crypto isakmp profile s2s6\n"
	" match identity address ipv6 fd00:1::/64\n"
	" match identity address ipv6 fd00:1:2::7\n"
	" keyring KR6\n"
	" local-address fd00:1::246\n"
	"crypto ipsec transform-set AES esp-aes esp-sha256-hmac\n"
	"crypto ipsec transform-set AES256 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set AES192 esp-aes 192 esp-sha384-hmac\n"
	" mode transport\n"
	"crypto ipsec transform-set GCM esp-gcm 256\n"
	"crypto ipsec transform-set GCM128 esp-gcm\n"
	"crypto ipsec transform-set NUL esp-null esp-sha512-hmac\n"
	"crypto ipsec transform-set OLD esp-des esp-md5-hmac\n"
	"crypto ipsec security-association lifetime seconds 1800\n"
	"crypto ipsec security-association lifetime kilobytes 100000\n"
	"crypto ipsec security-association replay window-size 4096\n"
	"crypto ipsec profile prof2\n"
	" set transform-set GCM AES256 AES\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 900\n"
	" set security-association lifetime kilobytes 50000\n"
	" set isakmp-profile ra\n"
	" set security-association idle-time 600\n"
	" set security-association replay window-size 2048\n"
	" set reverse-route\n"
	"crypto ipsec profile plain\n"
	" set transform-set OLD\n"
	"interface eth0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" ip access-group 101 in\n"
	" ip access-group std1 out\n"
	"interface eth1\n"
	" no ip address\n"
	" shutdown\n"
	"interface Virtual-Template2 type tunnel\n"
	" description Remote access clones\n"
	" ip unnumbered eth0\n"
	" ip mtu 1400\n"
	" ip tcp adjust-mss 1360\n"
	" ipv6 unnumbered eth0\n"
	" tunnel source eth0\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile prof2\n"
	"ip local pool salespool 10.9.0.10 10.9.0.200\n"
	"ip local pool one 10.9.1.1\n"
	"ipv6 local pool sales6 2001:db8:9::/64 128\n"
	"ipv6 local pool lab6 fd00:1::/120 128\n"
	"ip route 0.0.0.0 0.0.0.0 198.51.100.254\n"
	"ip route 10.50.0.0 255.255.0.0 eth1\n"
	"ip route 10.60.0.0 255.255.0.0 eth1 10.2.1.9\n"
	"ip access-list extended split1\n"
	" permit ip 10.2.1.0 0.0.0.255 any\n"
	" permit tcp any host 10.2.1.80 eq www\n"
	" deny udp 10.0.0.0 0.255.255.255 any range 1000 2000\n"
	" permit udp any any eq 4444\n"
	" permit 47 any any\n"
	" permit tcp any any established\n"
	" deny tcp any gt 1023 any lt 1024\n"
	" permit udp any eq domain any neq 53\n"
	" permit tcp host 10.2.1.9 range ftp-data telnet any gt www established\n"
	" permit icmp any any echo\n"
	" permit icmp any any port-unreachable\n"
	" permit icmp any any 11 1\n"
	" permit icmp any any 42\n"
	"ip access-list standard std1\n"
	" permit 10.2.1.0 0.0.0.255\n"
	" permit host 10.3.3.3\n"
	" deny any\n"
	"access-list 101 permit udp any any eq isakmp\n"
	"access-list 101 permit esp any host 198.51.100.1\n"
	"access-list 7 permit 192.0.2.1\n"
	"end\n";

static const char *const secrets[] = {
	GROUP_KEY, "Up55aa", "otherSecret", PEER_KEY, PEER_KEY2, "cisco123",
};

/* The test configurations name legacy algorithms on purpose: only errors are worth a line. */
static void errors_only(void *arg, int is_error, const char *msg)
{
	if (is_error)
		fprintf(stderr, "%s\n", msg);
}

static struct vpnd_conf *load(const char *text)
{
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	cr_assert_not_null(c);
	cr_assert_eq(conf_load_buf("t.conf", text, strlen(text), c, errors_only, NULL), 0,
	             "the test configuration does not load");
	return c;
}

/* What a formatter wrote, as a string (freed by the caller). */
typedef int show_fn(FILE *, const struct vpnd_conf *, int);

static char *run(show_fn *fn, const struct vpnd_conf *c, int json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	int r = fn(m, c, json);
	if (rc)
		*rc = r;
	cr_assert_eq(fclose(m), 0);
	return buf;
}

static void expect_has(const char *out, const char *want)
{
	cr_expect_not_null(strstr(out, want), "missing:\n%s\n--- in:\n%s", want, out);
}

static void expect_secret_free(const char *out)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		cr_expect_null(strstr(out, secrets[i]), "secret '%s' printed:\n%s", secrets[i], out);
}

/* Runs python3 on TEXT as stdin: json.load, then the assertions in CHECK (the parsed value is
 * D). Returns python's exit status. */
static int json_check(const char *text, const char *check)
{
	char script[8192];
	/* through the environment: no shell quoting to get right */
	snprintf(script, sizeof(script), "import json, sys\nd = json.load(sys.stdin)\n%s\n", check);
	cr_assert_eq(setenv("SHOW_CHECK", script, 1), 0);
	FILE *p = popen("python3 -c 'import os; exec(os.environ[\"SHOW_CHECK\"])'", "w");
	cr_assert_not_null(p, "python3");
	fputs(text, p);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* The text from "!" after the header: what vpnd would read back. */
static const char *body_of(const char *out)
{
	const char *b = strstr(out, "bytes\n");
	cr_assert_not_null(b, "no size line in:\n%s", out);
	return b + strlen("bytes\n");
}

static show_fn *const all_fns[] = {
	show_isakmp_policy, show_isakmp_profile, show_ipsec_transform_set, show_ipsec_profile,
	show_running_config,
};

/* ---- show crypto isakmp policy ---- */

Test(show_config, isakmp_policy_seed)
{
	struct vpnd_conf *c = load(seed);
	char *out = run(show_isakmp_policy, c, 0, NULL);
	cr_expect_str_eq(out,
		"Global IKE policy\n"
		"Protection suite of priority 1\n"
		"\tencryption algorithm:\tThree key triple DES\n"
		"\thash algorithm:\t\tSecure Hash Standard\n"
		"\tauthentication method:\tPre-Shared Key\n"
		"\tDiffie-Hellman group:\t#2 (1024 bit)\n"
		"\tlifetime:\t\t86400 seconds, no volume limit\n");
	free(out);
	free(c);
}

Test(show_config, isakmp_policy_full_sorted_and_worded)
{
	struct vpnd_conf *c = load(full);
	char *out = run(show_isakmp_policy, c, 0, NULL);
	const char *p10 = strstr(out, "priority 10\n"), *p20 = strstr(out, "priority 20\n");
	cr_assert(p10 && p20 && p10 < p20, "policies not in priority order:\n%s", out);
	expect_has(out, "Protection suite of priority 10\n"
	                "\tencryption algorithm:\tAES - Advanced Encryption Standard (256 bit keys).\n"
	                "\thash algorithm:\t\tSecure Hash Standard 2 (256 bit)\n"
	                "\tauthentication method:\tPre-Shared Key\n"
	                "\tDiffie-Hellman group:\t#14 (2048 bit)\n");
	expect_has(out, "\tencryption algorithm:\tAES - Advanced Encryption Standard (128 bit keys).\n"
	                "\thash algorithm:\t\tSecure Hash Standard\n");
	expect_has(out, "\tlifetime:\t\t3600 seconds, no volume limit\n");
	expect_has(out, "\tencryption algorithm:\tDES - Data Encryption Standard (56 bit keys).\n"
	                "\thash algorithm:\t\tMessage Digest 5\n"
	                "\tauthentication method:\tRivest-Shamir-Adleman Signature\n"
	                "\tDiffie-Hellman group:\t#1 (768 bit)\n");
	expect_has(out, "Secure Hash Standard 2 (512 bit)\n");
	expect_has(out, "#21 (521 bit ecp)\n");
	free(out);

	out = run(show_isakmp_policy, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"assert [p['priority'] for p in d] == [10, 20, 30, 40], d\n"
		"assert d[0] == {'priority': 10, 'encryption': 'aes', 'key_length': 256,"
		" 'hash': 'sha256', 'authentication': 'pre-share', 'group': 14,"
		" 'lifetime': 86400}, d[0]\n"
		"assert d[2]['key_length'] is None and d[2]['hash'] == 'md5', d[2]"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_config, isakmp_policy_none)
{
	struct vpnd_conf *c = load("hostname x\n");
	char *out = run(show_isakmp_policy, c, 0, NULL);
	expect_has(out, "Global IKE policy\n");
	expect_has(out, "No protection suite configured");
	free(out);
	out = run(show_isakmp_policy, c, 1, NULL);
	cr_expect_str_eq(out, "[]\n");
	free(out);
	free(c);
}

/* ---- show crypto isakmp profile ---- */

Test(show_config, isakmp_profile)
{
	struct vpnd_conf *c = load(seed);
	char *out = run(show_isakmp_profile, c, 0, NULL);
	cr_expect_str_eq(out,
		"ISAKMP PROFILE vpn1-ra\n"
		"   Identities matched are:\n"
		"    group group1\n"
		"   client authentication list: local_list\n"
		"   isakmp authorization list: local_list\n"
		"   client configuration address: respond\n"
		"   virtual-template: 1\n"
		"\n");
	free(out);
	free(c);

	c = load(full);
	out = run(show_isakmp_profile, c, 0, NULL);
	expect_has(out, "ISAKMP PROFILE ra\n   Identities matched are:\n    group sales\n"
	                "    group nokey\n");
	expect_has(out, "   client configuration address: respond, initiate\n");
	expect_has(out, "   keepalive: 15 seconds, retry 3 seconds\n");
	expect_has(out, "ISAKMP PROFILE s2s\n   Identities matched are:\n"
	                "    ip-address 203.0.113.0 255.255.255.0\n    ip-address 192.0.2.1\n"
	                "   keyring(s): KR1\n   local-address: 198.51.100.5\n"
	                "   self-identity: fqdn\n   client configuration group: sales\n");
	expect_has(out, "ISAKMP PROFILE s2s6\n   Identities matched are:\n"
	                "    ipv6-address fd00:1::/64\n    ipv6-address fd00:1:2::7/128\n"
	                "   keyring(s): KR6\n   local-address: fd00:1::246\n");
	/* a profile without its own DPD runs the global one: say so */
	expect_has(out, "ISAKMP PROFILE bare\n   Identities matched are:\n"
	                "   keepalive: 20 seconds, retry 5 seconds (crypto isakmp keepalive)\n");
	free(out);
	out = run(show_isakmp_profile, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"assert d[0]['name'] == 'ra' and d[0]['match_identity_groups'] == ['sales', 'nokey']\n"
		"assert d[0]['virtual_template'] == 2 and d[0]['keepalive'] == "
		"{'interval': 15, 'retry': 3}\n"
		"assert d[0]['client_authentication_list'] == 'xauth'\n"
		"assert d[1] == {'name': 'bare', 'match_identity_groups': [],"
		" 'match_certificate': None, 'client_authentication_list': None, 'isakmp_authorization_list': None,"
		" 'accounting_list': None, 'client_configuration_address': None, 'virtual_template': None,"
		" 'keepalive': None, 'match_identity_addresses': [], 'keyring': None,"
		" 'network_extension_acl': None, 'local_address': None, 'self_identity': 'address',"
		" 'client_configuration_group': None, 'ca_trust_points': []}, d[1]\n"
		"assert d[2]['match_identity_addresses'] == ['203.0.113.0/255.255.255.0',"
		" '192.0.2.1/255.255.255.255'] and d[2]['keyring'] == 'KR1'\n"
		"assert d[2]['local_address'] == '198.51.100.5' and d[2]['self_identity'] == 'fqdn'\n"
		"assert d[2]['client_configuration_group'] == 'sales'\n"
		"assert d[3]['match_identity_addresses'] == ['fd00:1::/64', 'fd00:1:2::7/128']\n"
		), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_config, isakmp_profile_certificate_map)
{
	struct vpnd_conf *c = load("crypto pki certificate map M 1\n subject-name co ou=x,\n"
	                           "crypto isakmp profile P\n match certificate M\n");
	char *out = run(show_isakmp_profile, c, 0, NULL);
	expect_has(out, "ISAKMP PROFILE P\n   Identities matched are:\n"
	                "   Certificate maps matched are:\n    M\n");
	free(out);
	out = run(show_isakmp_profile, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d[0]['match_certificate'] == 'M', d\n"), 0, "%s", out);
	free(out);
	free(c);
}

/* ---- show crypto ipsec transform-set / profile ---- */

Test(show_config, transform_set)
{
	struct vpnd_conf *c = load(seed);
	char *out = run(show_ipsec_transform_set, c, 0, NULL);
	cr_expect_str_eq(out,
		"Transform set VTI-TS: { esp-3des esp-sha-hmac  }\n"
		"   will negotiate = { Tunnel,  },\n"
		"\n");
	free(out);
	free(c);

	c = load(full);
	out = run(show_ipsec_transform_set, c, 0, NULL);
	expect_has(out, "Transform set AES: { esp-aes esp-sha256-hmac  }\n");
	expect_has(out, "Transform set AES256: { esp-256-aes esp-sha-hmac  }\n");
	expect_has(out, "Transform set AES192: { esp-192-aes esp-sha384-hmac  }\n"
	                "   will negotiate = { Transport,  },\n");
	expect_has(out, "Transform set GCM: { esp-gcm 256  }\n");
	expect_has(out, "Transform set GCM128: { esp-gcm  }\n");
	expect_has(out, "Transform set NUL: { esp-null esp-sha512-hmac  }\n");
	free(out);
	out = run(show_ipsec_transform_set, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"t = {x['name']: x for x in d}\n"
		"assert t['AES256'] == {'name': 'AES256', 'transforms': 'esp-aes 256 esp-sha-hmac',"
		" 'encryption': 'esp-aes', 'key_length': 256, 'authentication': 'esp-sha-hmac',"
		" 'mode': 'tunnel'}, t['AES256']\n"
		"assert t['GCM']['authentication'] is None and t['GCM']['key_length'] == 256\n"
		"assert t['AES192']['mode'] == 'transport'\n"
		"assert t['OLD']['key_length'] is None"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_config, ipsec_profile)
{
	struct vpnd_conf *c = load(seed);
	char *out = run(show_ipsec_profile, c, 0, NULL);
	cr_expect_str_eq(out,
		"IPSEC profile test-vti1\n"
		"\tSecurity association lifetime: 4608000 kilobytes/3600 seconds\n"
		"\tResponder-Only (Y/N): Y\n"
		"\tPFS (Y/N): N\n"
		"\tTransform sets={\n"
		"\t\tVTI-TS:  { esp-3des esp-sha-hmac  } ,\n"
		"\t}\n"
		"\n");
	free(out);
	free(c);

	c = load(full);
	out = run(show_ipsec_profile, c, 0, NULL);
	expect_has(out, "IPSEC profile prof2\n"
	                "\tISAKMP Profile: ra\n"
	                "\tSecurity association lifetime: 50000 kilobytes/900 seconds\n"
	                "\tSecurity association idle time: 600 seconds\n"
	                "\tResponder-Only (Y/N): Y\n"
	                "\tPFS (Y/N): Y\n"
	                "\tDH group:  group14\n"
	                "\tTransform sets={\n"
	                "\t\tGCM:  { esp-gcm 256  } ,\n"
	                "\t\tAES256:  { esp-256-aes esp-sha-hmac  } ,\n"
	                "\t\tAES:  { esp-aes esp-sha256-hmac  } ,\n"
	                "\t}\n");
	/* the global lifetime applies where the profile sets none */
	expect_has(out, "IPSEC profile plain\n"
	                "\tSecurity association lifetime: 100000 kilobytes/1800 seconds\n");
	free(out);
	out = run(show_ipsec_profile, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"assert d[0] == {'name': 'prof2', 'transform_sets': ['GCM', 'AES256', 'AES'],"
		" 'pfs_group': 14, 'lifetime_seconds': 900, 'lifetime_kilobytes': 50000,"
		" 'isakmp_profile': 'ra', 'ikev2_profile': None, 'idle_time': 600,"
		" 'replay_window': 2048,"
		" 'reverse_route': True, 'responder_only': True}, d[0]\n"
		"assert d[1]['pfs_group'] is None and d[1]['lifetime_seconds'] == 1800\n"
		"assert d[1]['idle_time'] is None and d[1]['replay_window'] == 4096"), 0,
		"%s", out);
	free(out);
	free(c);
}

/* ---- show running-config ---- */

Test(show_config, running_config_seed)
{
	struct vpnd_conf *c = load(seed);
	char *out = run(show_running_config, c, 0, NULL);
	const char *body = body_of(out);
	char head[128];

	snprintf(head, sizeof(head), "Building configuration...\n\nCurrent configuration : %zu "
	         "bytes\n", strlen(body));
	cr_expect_eq(strncmp(out, head, strlen(head)), 0, "header:\n%s", out);
	cr_expect_str_eq(body,
		"!\n"
		"! Loaded from t.conf\n"
		"!\n"
		"hostname hub\n"
		"!\n"
		"aaa new-model\n"
		"!\n"
		"aaa authentication login local_list local\n"
		"aaa authorization network local_list local\n"
		"!\n"
		"username cisco password 0 <removed>\n"
		"!\n"
		"crypto isakmp policy 1\n"
		" encr 3des\n"
		" authentication pre-share\n"
		" group 2\n"
		"!\n"
		"crypto isakmp client configuration group group1\n"
		" key <removed>\n"
		" pool group1pool\n"
		" save-password\n"
		"crypto isakmp profile vpn1-ra\n"
		"   match identity group group1\n"
		"   client authentication list local_list\n"
		"   isakmp authorization list local_list\n"
		"   client configuration address respond\n"
		"   virtual-template 1\n"
		"!\n"
		"crypto ipsec transform-set VTI-TS esp-3des esp-sha-hmac\n"
		"!\n"
		"crypto ipsec profile test-vti1\n"
		" set transform-set VTI-TS\n"
		"!\n"
		"interface eth0\n"
		" description Internet Connection\n"
		" ip address 172.18.143.246 255.255.255.0\n"
		"!\n"
		"interface eth1\n"
		" description Internal Network\n"
		" ip address 10.2.1.1 255.255.255.0\n"
		"!\n"
		"interface Virtual-Template1 type tunnel\n"
		" ip unnumbered eth0\n"
		" tunnel mode ipsec ipv4\n"
		" tunnel protection ipsec profile test-vti1\n"
		"!\n"
		"ip local pool group1pool 192.168.1.1 192.168.1.4\n"
		"ip route 0.0.0.0 0.0.0.0 172.18.143.1\n"
		"!\n"
		"end\n");
	free(out);
	free(c);
}

Test(show_config, running_config_full_lines)
{
	struct vpnd_conf *c = load(full);
	char *out = run(show_running_config, c, 0, NULL);
	expect_has(out, "\nipv6 unicast-routing\n!\n");
	expect_has(out, "aaa authentication login xauth local group rad1\n");
	expect_has(out, "aaa accounting network acct start-stop group rad1 group rad2\n");
	expect_has(out, "aaa group server radius rad1\n server name r1\n server name r2\n!\n");
	expect_has(out, "radius server r1\n address ipv4 10.0.0.5 auth-port 1812 acct-port 1813\n"
	                " key <removed>\n timeout 3\n retransmit 1\n!\n");
	expect_has(out, "radius-server deadtime 2\n");
	expect_has(out, "radius server r2\n address ipv4 10.0.0.6 auth-port 1645 acct-port 1646\n"
	           " key <removed>\n message-authenticator required\n!\n");
	expect_has(out, " message-authenticator off\n");
	cr_assert_null(strstr(out, "Rk1Secret"), "a RADIUS key was shown");
	expect_has(out, "aaa server radius dynamic-author\n client 10.0.0.5 server-key <removed>\n"
	                " client 10.0.0.7\n client fd00::5 server-key <removed>\n"
	                " server-key <removed>\n port 3799\n auth-type any\n"
	                " ignore session-key\n!\n");
	cr_assert_null(strstr(out, "Dk1Secret"), "a dynamic-author key was shown");
	cr_assert_null(strstr(out, "Dk2Secret"), "a dynamic-author key was shown");
	expect_has(out, "username alice password 0 <removed>\n");
	expect_has(out, "username bob password 0 <removed>\n");
	expect_has(out, "crypto isakmp policy 10\n encr aes 256\n hash sha256\n"
	                " authentication pre-share\n group 14\ncrypto isakmp policy 20\n");
	expect_has(out, "crypto isakmp policy 20\n encr aes\n hash sha\n authentication pre-share\n"
	                " group 14\n lifetime 3600\n");
	expect_has(out, "crypto isakmp policy 30\n encr des\n hash md5\n authentication rsa-sig\n"
	                " group 1\n");
	expect_has(out, "crypto isakmp key <removed> address 198.51.100.0 255.255.255.0\n");
	expect_has(out, "crypto isakmp key <removed> address 203.0.113.7\n");
	expect_has(out, "crypto isakmp key <removed> address ipv6 fd00:9::/32\n");
	expect_has(out, "crypto keyring KR6\n  local-address fd00:1::246\n"
	                "  pre-shared-key address ipv6 fd00:1::/64 key <removed>\n"
	                "  pre-shared-key address ipv6 fd00:1::2/128 key <removed>\n");
	expect_has(out, "crypto isakmp profile s2s6\n   keyring KR6\n"
	                "   match identity address ipv6 fd00:1::/64\n"
	                "   match identity address ipv6 fd00:1:2::7/128\n");
	expect_has(out, "crypto isakmp keepalive 20 5 periodic\n");
	expect_has(out, "crypto isakmp nat keepalive 30\n");
	expect_has(out, "crypto isakmp aggressive-mode disable\n");
	expect_has(out, "crypto call admission limit ike in-negotiation-sa 400 per-peer 20\n"
	                "crypto call admission limit ike sa 5000\n");
	expect_has(out, "aaa local authentication attempts max-fail 5\n");
	expect_has(out, " dns 10.2.1.53 10.2.1.54\n wins 10.2.1.60\n domain example.test\n"
	                " split-dns corp.example\n split-dns lab.example\n pool salespool\n ipv6 pool sales6\n ipv6 dns fd00:2::53\n acl split1\n save-password\n pfs\n max-users 50\n"
	                " netmask 255.255.255.0\n");
	/* the banner holds ^C: another delimiter is chosen so it reads back whole */
	expect_has(out, " banner #Welcome \"sales\" \\ back\\slash\nsecond line ^C\n  third#\n");
	expect_has(out, " banner ^Cplain^C\n");
	expect_has(out, "   keepalive 15 retry 3\n");
	expect_has(out, "crypto ipsec security-association lifetime seconds 1800\n"
	                "crypto ipsec security-association lifetime kilobytes 100000\n"
	                "crypto ipsec security-association replay window-size 4096\n");
	expect_has(out, "crypto ipsec transform-set AES192 esp-aes 192 esp-sha384-hmac\n"
	                " mode transport\n");
	expect_has(out, "crypto ipsec transform-set GCM esp-gcm 256\n");
	expect_has(out, "crypto ipsec profile prof2\n"
	                " set security-association lifetime seconds 900\n"
	                " set security-association lifetime kilobytes 50000\n"
	                " set transform-set GCM AES256 AES\n"
	                " set pfs group14\n"
	                " set isakmp-profile ra\n"
	                " set security-association idle-time 600\n"
	                " set security-association replay window-size 2048\n"
	                " set reverse-route\n!\n");
	expect_has(out, "interface eth0\n ip address 198.51.100.1 255.255.255.0\n"
	                " ip access-group 101 in\n ip access-group std1 out\n!\n");
	expect_has(out, "interface eth1\n no ip address\n shutdown\n!\n");
	expect_has(out, "interface Virtual-Template2 type tunnel\n"
	                " description Remote access clones\n"
	                " ip unnumbered eth0\n ip mtu 1400\n ip tcp adjust-mss 1360\n"
	                " ipv6 unnumbered eth0\n"
	                " tunnel mode ipsec ipv4\n tunnel protection ipsec profile prof2\n!\n");
	expect_has(out, "ip local pool salespool 10.9.0.10 10.9.0.200\nip local pool one 10.9.1.1\n");
	expect_has(out, "ipv6 local pool sales6 2001:db8:9::/64 128\n"
	                "ipv6 local pool lab6 fd00:1::/120 128\n");
	expect_has(out, "ip route 10.50.0.0 255.255.0.0 eth1\n"
	                "ip route 10.60.0.0 255.255.0.0 eth1 10.2.1.9\n");
	expect_has(out, "ip access-list extended split1\n"
	                " permit ip 10.2.1.0 0.0.0.255 any\n"
	                " permit tcp any host 10.2.1.80 eq www\n"
	                " deny udp 10.0.0.0 0.255.255.255 any range 1000 2000\n"
	                " permit udp any any eq 4444\n"
	                " permit gre any any\n"
	                " permit tcp any any established\n"
	                " deny tcp any gt 1023 any lt 1024\n"
	                " permit udp any eq domain any neq domain\n"
	                " permit tcp host 10.2.1.9 range ftp-data telnet any gt www established\n"
	                " permit icmp any any echo\n"
	                " permit icmp any any port-unreachable\n"
	                " permit icmp any any reassembly-timeout\n"
	                " permit icmp any any 42\n!\n");
	expect_has(out, "ip access-list standard std1\n permit 10.2.1.0 0.0.0.255\n"
	                " permit 10.3.3.3\n deny any\n!\n");
	expect_has(out, "access-list 101 permit udp any any eq isakmp\n"
	                "access-list 101 permit esp any host 198.51.100.1\n");
	expect_has(out, "access-list 7 permit 192.0.2.1\n");
	cr_expect_str_eq(out + strlen(out) - 6, "!\nend\n");
	free(out);
	free(c);
}

/* The parser copies names through fixed buffers: what follows the NUL is not part of them. */
#define CLEAN(s) clean((s), sizeof(s))
static void clean(char *s, size_t n)
{
	size_t l = strnlen(s, n);
	memset(s + l, 0, n - l);
}

/* Everything but what the comparison cannot hold: secrets, line numbers, the file name. */
static void normalize(struct vpnd_conf *c)
{
	conf_redact(c);
	memset(c->source, 0, sizeof(c->source));
	CLEAN(c->hostname);
	for (int i = 0; i < CONF_MAX_POLICIES; i++)
		c->policy[i].line = 0;
	c->dynauth.line = 0;
	for (int i = 0; i < CONF_MAX_DYNAUTH_CLIENTS; i++)
		c->dynauth.client[i].line = 0;
	for (int i = 0; i < CONF_MAX_RADIUS; i++) {
		CLEAN(c->radius[i].name);
		c->radius[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_RADIUS_GROUPS; i++) {
		struct conf_radius_group *g = &c->radius_group[i];
		CLEAN(g->name);
		for (int k = 0; k < CONF_MAX_GROUP_SERVERS; k++)
			CLEAN(g->server[k]);
		g->line = 0;
	}
	for (int i = 0; i < CONF_MAX_GROUPS; i++) {
		struct conf_group *g = &c->group[i];
		CLEAN(g->name); CLEAN(g->pool); CLEAN(g->domain); CLEAN(g->acl); CLEAN(g->banner);
		CLEAN(g->nem_acl); CLEAN(g->pool6);
		g->line = 0;
	}
	for (int i = 0; i < CONF_MAX_PROFILES; i++) {
		struct conf_isakmp_profile *p = &c->profile[i];
		CLEAN(p->name); CLEAN(p->client_auth_list); CLEAN(p->isakmp_auth_list);
		CLEAN(p->nem_acl);
		for (int k = 0; k < CONF_MAX_PROFILE_MATCH; k++)
			CLEAN(p->match_group[k]);
		CLEAN(p->keyring);
		CLEAN(p->client_group);
		CLEAN(p->local_address);
		p->line = 0;
	}
	for (int i = 0; i < CONF_MAX_TSETS; i++) {
		CLEAN(c->tset[i].name);
		c->tset[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_IPSEC_PROF; i++) {
		struct conf_ipsec_profile *p = &c->ipsec_profile[i];
		CLEAN(p->name); CLEAN(p->isakmp_profile);
		for (int k = 0; k < CONF_MAX_TSET_REFS; k++)
			CLEAN(p->tset[k]);
		p->line = 0;
	}
	for (int i = 0; i < CONF_MAX_IFACES; i++) {
		struct conf_interface *f = &c->iface[i];
		CLEAN(f->name); CLEAN(f->description); CLEAN(f->unnumbered); CLEAN(f->protection);
		CLEAN(f->acl_in); CLEAN(f->acl_out); CLEAN(f->ipv6_unnumbered);
		CLEAN(f->device); CLEAN(f->ezvpn); CLEAN(f->crypto_map);
		f->line = 0;
	}
	for (int i = 0; i < CONF_MAX_CMAPS; i++) {
		struct conf_crypto_map *m = &c->cmap[i];
		CLEAN(m->name); CLEAN(m->dynamic); CLEAN(m->match_acl);
		for (int k = 0; k < CONF_MAX_TSET_REFS; k++)
			CLEAN(m->tset[k]);
		m->line = 0;
	}
	for (int i = 0; i < CONF_MAX_EZVPN; i++) {
		struct conf_ezvpn *e = &c->ezvpn[i];
		CLEAN(e->name); CLEAN(e->connect_acl); CLEAN(e->group); CLEAN(e->username);
		CLEAN(e->outside);
		for (int k = 0; k < CONF_EZVPN_INSIDE; k++)
			CLEAN(e->inside[k]);
		e->line = 0;
	}
	for (int i = 0; i < CONF_MAX_POOLS; i++) {
		CLEAN(c->pool[i].name);
		c->pool[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_POOLS6; i++) {
		CLEAN(c->pool6[i].name);
		c->pool6[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_USERS; i++) {
		CLEAN(c->user[i].name);
		c->user[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_ACLS; i++) {
		CLEAN(c->acl[i].name);
		c->acl[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_ACLS6; i++) {
		CLEAN(c->acl6[i].name);
		c->acl6[i].line = 0;
		for (int k = 0; k < CONF_MAX_ACES; k++)
			c->acl6[i].ace[k].line = 0;
	}
	for (int i = 0; i < CONF_MAX_ISAKMP_KEYS; i++)
		c->isakmp_key[i].line = 0;
	for (int i = 0; i < CONF_MAX_KEYRINGS; i++) {
		CLEAN(c->keyring[i].name);
		CLEAN(c->keyring[i].local_address);
		for (int k = 0; k < CONF_MAX_KEYRING_KEYS; k++)
			c->keyring[i].psk[k].line = 0;
		c->keyring[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_AAA_LISTS; i++) {
		CLEAN(c->aaa[i].name);
		for (int k = 0; k < 4; k++)
			CLEAN(c->aaa[i].group[k]);
		c->aaa[i].line = 0;
	}
	for (int i = 0; i < CONF_MAX_ROUTES; i++) {
		CLEAN(c->route[i].ifname);
		c->route[i].line = 0;
	}
	/* crypto ikev2: its names are stored zeroed past their end, only the lines differ */
	for (int i = 0; i < CONF_MAX_V2_PROPOSALS; i++)
		c->v2.proposal[i].line = 0;
	for (int i = 0; i < CONF_MAX_V2_POLICIES; i++)
		c->v2.policy[i].line = 0;
	for (int i = 0; i < CONF_MAX_V2_KEYRINGS; i++) {
		c->v2.keyring[i].line = 0;
		for (int k = 0; k < CONF_V2_PEERS; k++)
			c->v2.keyring[i].peer[k].line = 0;
	}
	for (int i = 0; i < CONF_MAX_V2_PROFILES; i++)
		c->v2.profile[i].line = 0;
	for (int i = 0; i < CONF_MAX_V2_AUTHOR; i++)
		c->v2.author[i].line = 0;
	for (int i = 0; i < CONF_MAX_V2_MANGLERS; i++)
		c->v2.mangler[i].line = 0;
	c->v2.cluster.line = 0;
	for (int i = 0; i < CONF_MAX_CERTMAPS; i++)
		c->certmap[i].line = 0;
}

/* vpnd reads its own running-config back to the same configuration (secrets aside); with
 * removed_as, each <removed> is read as that text (a hex key must be hex to load). */
static void round_trip_as(const char *text, const char *removed_as)
{
	struct vpnd_conf *a = load(text);
	char *out = run(show_running_config, a, 0, NULL);
	const char *body = body_of(out);
	char *subst = NULL;

	if (removed_as) {
		size_t len = 0;
		FILE *m = open_memstream(&subst, &len);
		cr_assert_not_null(m);
		for (const char *s = body; *s;) {
			if (strncmp(s, SHOW_REMOVED, strlen(SHOW_REMOVED)) == 0) {
				fputs(removed_as, m);
				s += strlen(SHOW_REMOVED);
			} else {
				fputc(*s++, m);
			}
		}
		fclose(m);
		body = subst;
	}
	struct vpnd_conf *b = calloc(1, sizeof(*b));
	cr_assert_not_null(b);
	cr_assert_eq(conf_load_buf("rc", body, strlen(body), b, errors_only, NULL), 0,
	             "running-config does not load:\n%s", body);
	normalize(a);
	normalize(b);
	/* field groups first, for a readable failure; then everything */
	cr_expect_eq(memcmp(a->policy, b->policy, sizeof(a->policy)), 0, "policies");
	cr_expect_eq(memcmp(a->group, b->group, sizeof(a->group)), 0, "groups");
	cr_expect_eq(memcmp(a->profile, b->profile, sizeof(a->profile)), 0, "profiles");
	cr_expect_eq(memcmp(a->tset, b->tset, sizeof(a->tset)), 0, "transform sets");
	cr_expect_eq(memcmp(a->ipsec_profile, b->ipsec_profile, sizeof(a->ipsec_profile)), 0,
	             "ipsec profiles");
	cr_expect_eq(memcmp(a->iface, b->iface, sizeof(a->iface)), 0, "interfaces");
	cr_expect_eq(memcmp(a->acl, b->acl, sizeof(a->acl)), 0, "acls");
	cr_expect_eq(memcmp(a->aaa, b->aaa, sizeof(a->aaa)), 0, "aaa");
	cr_expect_eq(memcmp(a->route, b->route, sizeof(a->route)), 0, "routes");
	cr_expect_eq(memcmp(a->cmap, b->cmap, sizeof(a->cmap)), 0, "crypto maps");
	cr_expect_eq(memcmp(&a->v2, &b->v2, sizeof(a->v2)), 0, "crypto ikev2");
	cr_expect_eq(memcmp(a, b, sizeof(*a)), 0, "configuration differs after a round trip");
	free(subst);
	free(out);
	free(a);
	free(b);
}

static void round_trip(const char *text)
{
	round_trip_as(text, NULL);
}

Test(show_config, running_config_reads_back_seed) { round_trip(seed); }
Test(show_config, running_config_reads_back_full) { round_trip(full); }

#ifndef CONF_TEST_SRCDIR
#define CONF_TEST_SRCDIR "."
#endif
/* a seed file from etc/, read back after the printer; with from/to replaced (4 bytes each) */
static void round_trip_file(const char *rel, const char *from0, const char *from1)
{
	char path[512], *buf = calloc(1, 32768), *out = calloc(1, 32768), *o = out;
	snprintf(path, sizeof(path), "%s/%s", CONF_TEST_SRCDIR, rel);
	FILE *f = fopen(path, "r");
	cr_assert(f && buf && out, "%s", path);
	buf[fread(buf, 1, 16383, f)] = '\0';
	fclose(f);
	for (const char *s = buf; *s;) {
		if (from0 && (!strncmp(s, from0, 4) || !strncmp(s, from1, 4))) {
			o += sprintf(o, "FastEthernet0/%c", s[3]);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	round_trip(out);
	free(buf);
	free(out);
}

Test(show_config, running_config_reads_back_seed_files)
{
	round_trip_file("etc/seed-dvti.conf", NULL, NULL);
	round_trip_file("etc/seed-ezvpn-client.conf", NULL, NULL);
	round_trip_file("etc/seed-dvti.conf", "eth0", "eth1");
}

Test(show_config, running_config_tunnel_modes)
{
	static const char *const mode[] = { "ipsec ipv4", "ipsec ipv4 v6-overlay", "ipsec ipv6",
	                                    "ipsec ipv6 v4-overlay", "ipsec dual-overlay" };
	for (size_t k = 0; k < sizeof(mode) / sizeof(mode[0]); k++) {
		char text[160], want[64];
		snprintf(text, sizeof(text), "interface Virtual-Template1 type tunnel\n tunnel mode %s\n",
		         mode[k]);
		struct vpnd_conf *c = load(text);
		char *out = run(show_running_config, c, 0, NULL);
		snprintf(want, sizeof(want), "\n tunnel mode %s\n", mode[k]);
		cr_expect_not_null(strstr(out, want), "missing '%s' in:\n%s", want, out);
		free(out);
		free(c);
		round_trip(text);
	}
}

Test(show_config, running_config_ezvpn_lines)
{
	struct vpnd_conf *c = load("crypto ipsec client ezvpn e\n connect acl 101\n group g key k\n"
	                           " mode network-plus\n peer 192.0.2.2\n peer 192.0.2.1 default\n"
	                           " username u password p\n xauth userid mode local\n"
	                           "access-list 101 permit ip any any\n"
	                           "interface GigabitEthernet0/0\n physical-interface eth3\n"
	                           " crypto ipsec client ezvpn e\n"
	                           "interface Loopback0\n ip address 10.9.9.9 255.255.255.255\n"
	                           "interface eth1\n crypto ipsec client ezvpn e inside\n");
	char *out = run(show_running_config, c, 0, NULL);
	static const char *const want[] = {
		"crypto ipsec client ezvpn e\n connect acl 101\n group g key <removed>\n"
		" mode network-plus\n peer 192.0.2.1\n peer 192.0.2.2\n"
		" username u password <removed>\n xauth userid mode local\n!\n",
		"interface GigabitEthernet0/0\n no ip address\n physical-interface eth3\n"
		" crypto ipsec client ezvpn e\n",
		"interface eth1\n no ip address\n crypto ipsec client ezvpn e inside\n",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_not_null(strstr(out, want[k]), "missing:\n%s\nin:\n%s", want[k], out);
	cr_expect_null(strstr(out, "cisco123"));
	free(out);
	free(c);
	round_trip("crypto ipsec client ezvpn e\n connect acl 101\n group g key k\n"
	           " mode network-plus\n peer 192.0.2.2\n peer 192.0.2.1 default\n"
	           " username u password p\n xauth userid mode local\n virtual-interface 2\n"
	           "crypto ipsec client ezvpn f\n connect manual\n group h key k\n peer 192.0.2.3\n"
	           "access-list 101 permit ip any any\n"
	           "interface GigabitEthernet0/0\n physical-interface eth3\n"
	           " crypto ipsec client ezvpn e\n"
	           "interface Virtual-Template2 type tunnel\n no ip address\n"
	           "interface Loopback0\n ip address 10.9.9.9 255.255.255.255\n"
	           "interface eth1\n crypto ipsec client ezvpn e inside\n");
}
/* interface TunnelN prints in IOS order and reads back to the same block */
static const char vti_text[] =
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec profile P\n set transform-set T\n"
	"crypto isakmp key k address 172.18.143.2\n"
	"interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n tunnel source eth0\n"
	" tunnel destination 172.18.143.2\n tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile P\n"
	"ip route 10.3.1.0 255.255.255.0 Tunnel0\n";

Test(show_config, running_config_vti_lines)
{
	struct vpnd_conf *c = load(vti_text);
	char *out = run(show_running_config, c, 0, NULL);
	expect_has(out, "interface Tunnel0\n ip address 10.255.0.1 255.255.255.252\n"
	           " tunnel source eth0\n tunnel mode ipsec ipv4\n tunnel destination 172.18.143.2\n"
	           " tunnel protection ipsec profile P\n");
	expect_has(out, "ip route 10.3.1.0 255.255.255.0 Tunnel0\n");
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out, "t = [i for i in d['interfaces'] if i['name'] == 'Tunnel0'][0]\n"
	                        "assert t['tunnel_source'] == 'eth0', t\n"
	                        "assert t['tunnel_destination'] == '172.18.143.2', t\n"), 0, "%s",
	             out);
	free(out);
	free(c);
}

Test(show_config, running_config_reads_back_vti) { round_trip(vti_text); }

/* vpnd's deadtime default is 1 minute: 0 must be shown to read back */
Test(show_config, running_config_reads_back_radius_defaults)
{
	round_trip("radius server a\n address ipv4 10.0.0.9\n key k\n message-authenticator auto\n"
	           "radius-server deadtime 0\n");
}
/* the metrics endpoint: defaults shown as the bare command, others in full */
Test(show_config, running_config_reads_back_http)
{
	round_trip("ip http server\n");
	round_trip("ip http server address 10.2.1.1\nip http port 9100\n");
	round_trip("ip http server\nip http access-class 10\naccess-list 10 permit host 10.0.0.1\n");
	round_trip("ip http server\nip http access-class ipv4 p\nip access-list standard p\n"
	           " permit 10.2.1.0 0.0.0.255\n");
}
/* a classic host line reads back as the block it is the same as */
Test(show_config, running_config_reads_back_radius_host)
{
	round_trip("radius-server host 10.0.0.9 auth-port 1812 acct-port 1813 timeout 2 key k\n"
	           "aaa group server radius G\n server 10.0.0.9\n"
	           "aaa authentication login L group G\n");
}

Test(show_config, running_config_reads_back_logging)
{
	round_trip("logging buffered 65536 notifications\nlogging console warnings\n"
	           "logging trap debugging\nlogging facility local7\nlogging host 192.0.2.5\n"
	           "logging host 192.0.2.6 transport udp port 5514\ncrypto logging session\n");
	round_trip("no logging on\nno logging console\nno logging trap\n");
}

Test(show_config, running_config_json_logging)
{
	struct vpnd_conf *c = load("logging buffered 8192 errors\nlogging facility local3\n"
	                           "logging host 192.0.2.6 transport udp port 5514\n"
	                           "crypto logging session\n");
	char *out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"l = d['logging']\n"
		"assert l['buffered'] == 'errors' and l['buffer_size'] == 8192, l\n"
		"assert l['console'] == 'debugging' and l['trap'] == 'informational', l\n"
		"assert l['facility'] == 'local3' and l['crypto_session'] is True and l['on'] is True\n"
		"assert l['hosts'] == [{'address': '192.0.2.6', 'port': 5514}], l\n"), 0, "%s", out);
	free(out);
	free(c);
}

Test(show_config, running_config_reads_back_db_history)
{
	struct vpnd_conf *c = load("db history keep 30\n");
	char *out = run(show_running_config, c, 0, NULL);
	cr_expect_not_null(strstr(out, "\ndb history keep 30\n"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d['db_history_keep_days'] == 30"), 0, "%s", out);
	free(out);
	free(c);
	round_trip("db history keep 30\n");
	/* not set: no line, null in JSON */
	c = load("hostname h\n");
	out = run(show_running_config, c, 0, NULL);
	cr_expect_null(strstr(out, "db history"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d['db_history_keep_days'] is None"), 0, "%s", out);
	free(out);
	free(c);
}

/* ip routing is IOS's default (no line), ipv6 unicast-routing is not: each prints as set */
Test(show_config, running_config_reads_back_routing)
{
	struct vpnd_conf *c = load("no ip routing\nipv6 unicast-routing\n");
	char *out = run(show_running_config, c, 0, NULL);
	cr_expect_not_null(strstr(out, "\nno ip routing\nipv6 unicast-routing\n!\n"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d['ip_routing'] is False and "
	                        "d['ipv6_unicast_routing'] is True, d"), 0, "%s", out);
	free(out);
	free(c);
	round_trip("no ip routing\nipv6 unicast-routing\n");
	round_trip("no ip routing\n");
	round_trip("ipv6 unicast-routing\n");
	/* the last line wins, and the defaults print nothing */
	c = load("no ip routing\nipv6 unicast-routing\nip routing\nno ipv6 unicast-routing\n");
	out = run(show_running_config, c, 0, NULL);
	cr_expect_null(strstr(out, "routing"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d['ip_routing'] is True and "
	                        "d['ipv6_unicast_routing'] is False, d"), 0, "%s", out);
	free(out);
	free(c);
}

/* The control process renders from the redacted copy (no key at all): every show must be the
 * same as from the parsed file, or the operator would see a key line vanish. */
static void same_when_redacted(const char *text)
{
	show_fn *fns[] = { show_running_config, show_isakmp_policy, show_isakmp_profile,
	                   show_ipsec_transform_set, show_ipsec_profile };
	struct vpnd_conf *c = load(text), *r = load(text);
	conf_redact(r);
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		for (int json = 0; json <= 1; json++) {
			char *a = run(fns[i], c, json, NULL), *b = run(fns[i], r, json, NULL);
			cr_expect_str_eq(b, a, "show %zu (json %d) differs once redacted", i, json);
			free(a);
			free(b);
		}
	}
	free(c);
	free(r);
}
Test(show_config, same_from_redacted_seed) { same_when_redacted(seed); }
Test(show_config, same_from_redacted_full) { same_when_redacted(full); }

Test(show_config, running_config_json)
{
	struct vpnd_conf *c = load(full);
	char *out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"assert d['hostname'] == 'hub-2' and d['aaa_new_model'] is True\n"
		"assert d['users'] == [{'name': 'alice', 'password': '<removed>'},"
		" {'name': 'bob', 'password': '<removed>'}]\n"
		"assert [k['key'] for k in d['isakmp_keys']] == ['<removed>'] * 3\n"
		"assert d['isakmp_keys'][1] == {'key': '<removed>', 'address': '203.0.113.7',"
		" 'mask': '255.255.255.255'}, d['isakmp_keys'][1]\n"
		"assert d['isakmp_keys'][2] == {'key': '<removed>', 'address': 'fd00:9::',"
		" 'prefix_length': 32}, d['isakmp_keys'][2]\n"
		"g = d['client_groups']\n"
		"assert g[0]['key'] == '<removed>' and g[1]['key'] is None\n"
		"assert g[0]['banner'] == 'Welcome \"sales\" \\\\ back\\\\slash\\nsecond line ^C\\n"
		"  third', repr(g[0]['banner'])\n"
		"assert g[0]['dns'] == ['10.2.1.53', '10.2.1.54'] and g[0]['max_users'] == 50\n"
		"assert g[0]['ipv6_dns'] == ['fd00:2::53'], g[0]\n"
		"assert d['isakmp_keepalive'] == {'interval': 20, 'retry': 5, 'mode': 'periodic'}\n"
		"assert d['sa_lifetime'] == {'seconds': 1800, 'kilobytes': 100000}\n"
		"assert d['replay_window'] == 4096\n"
		"assert [p['priority'] for p in d['isakmp_policies']] == [10, 20, 30, 40]\n"
		"i = {x['name']: x for x in d['interfaces']}\n"
		"assert i['Virtual-Template2']['template'] is True\n"
		"assert i['Virtual-Template2']['mtu'] == 1400\n"
		"assert i['eth1']['shutdown'] is True and i['eth1']['ip_address'] is None\n"
		"a = {x['name']: x for x in d['access_lists']}\n"
		"assert a['split1']['entries'][1] == {'action': 'permit', 'protocol': 6,"
		" 'source': '0.0.0.0', 'source_mask': '0.0.0.0', 'destination': '10.2.1.80',"
		" 'destination_mask': '255.255.255.255', 'port_low': 80, 'port_high': 80}\n"
		"assert a['std1']['type'] == 'standard' and 'protocol' not in a['std1']['entries'][0]\n"
		"e = a['split1']['entries']\n"
		"assert e[5]['established'] is True and 'icmp_type' not in e[5]\n"
		"assert (e[6]['source_port_low'], e[6]['port_high']) == (1024, 1023)\n"
		"assert e[7]['port_not_equal'] is True and e[7]['source_port_high'] == 53\n"
		"assert (e[11]['icmp_type'], e[11]['icmp_code']) == (11, 1)\n"
		"assert d['routes'][2] == {'prefix': '10.60.0.0', 'mask': '255.255.0.0',"
		" 'interface': 'eth1', 'next_hop': '10.2.1.9'}\n"
		"assert d['pools'][1] == {'name': 'one', 'first': '10.9.1.1', 'last': '10.9.1.1'}"),
		0, "%s", out);
	free(out);
	free(c);
}

/* No formatter reads a secret: none of them, text or JSON, ever prints one. */
Test(show_config, secrets_never_printed)
{
	const char *confs[] = { seed, full };
	for (size_t k = 0; k < 2; k++) {
		struct vpnd_conf *c = load(confs[k]);
		for (size_t i = 0; i < sizeof(all_fns) / sizeof(all_fns[0]); i++) {
			for (int json = 0; json <= 1; json++) {
				char *out = run(all_fns[i], c, json, NULL);
				expect_secret_free(out);
				free(out);
			}
		}
		for (int i = 0; i < c->niface; i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);
			cr_assert_not_null(m);
			show_running_interface(m, c, c->iface[i].name, 0);
			show_running_interface(m, c, c->iface[i].name, 1);
			fclose(m);
			expect_secret_free(buf);
			free(buf);
		}
		free(c);
	}
}

/* A configuration's text is not always UTF-8; the JSON still parses. */
Test(show_config, json_escapes_any_bytes)
{
	static const char text[] =
		"crypto isakmp client configuration group g\n"
		" banner ^C caf\xc3\xa9 \xff\xfe bad \xe0\x80\x80 overlong \xed\xa0\x80 surrogate"
		" \x7f del \x01 ctl ^C\n"
		"interface eth0\n"
		" description tab\there \xf0\x9f\x98\x80 emoji\n"
		"end\n";
	struct vpnd_conf *c = load(text);
	char *out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"b = d['client_groups'][0]['banner']\n"
		"assert b.startswith('caf\\u00e9 \\ufffd\\ufffd bad \\ufffd\\ufffd\\ufffd overlong'), "
		"repr(b)\n"
		"assert '\\x7f del \\x01 ctl' in b, repr(b)\n"
		"assert d['interfaces'][0]['description'] == 'tab\\there \\U0001f600 emoji'"),
		0, "%s", out);
	free(out);
	free(c);
}

/* ---- show running-config interface NAME ---- */

Test(show_config, running_interface)
{
	struct vpnd_conf *c = load(seed);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	cr_expect_eq(show_running_interface(m, c, "eth0", 0), 0);
	fclose(m);
	cr_expect_str_eq(buf,
		"Building configuration...\n"
		"\n"
		"Current configuration : 95 bytes\n"
		"!\n"
		"interface eth0\n"
		" description Internet Connection\n"
		" ip address 172.18.143.246 255.255.255.0\n"
		"end\n");
	cr_expect_eq(strlen(body_of(buf)), 95);
	free(buf);

	m = open_memstream(&buf, &len);
	cr_expect_eq(show_running_interface(m, c, "virtual-template1", 0), 0);
	cr_expect_eq(show_running_interface(m, c, "nosuch0", 0), -1);
	fclose(m);
	expect_has(buf, "interface Virtual-Template1 type tunnel\n ip unnumbered eth0\n");
	expect_has(buf, "% Interface 'nosuch0' is not in the running configuration\n");
	free(buf);

	m = open_memstream(&buf, &len);
	cr_expect_eq(show_running_interface(m, c, "Virtual-Template1", 1), 0);
	fclose(m);
	cr_expect_eq(json_check(buf,
		"assert d['name'] == 'Virtual-Template1' and d['unnumbered'] == 'eth0'\n"
		"assert d['tunnel_protection'] == 'test-vti1' and d['ip_address'] is None"), 0,
		"%s", buf);
	free(buf);
	free(c);
}

Test(show_config, vaccess_unit_spellings)
{
	int used;
	cr_expect_eq(show_vaccess_unit("Virtual-Access2", NULL, &used), 2);
	cr_expect_eq(used, 1);
	cr_expect_eq(show_vaccess_unit("virtual-access12", NULL, &used), 12);
	cr_expect_eq(show_vaccess_unit("Vi3", NULL, &used), 3);
	cr_expect_eq(show_vaccess_unit("va4", NULL, &used), 4);
	cr_expect_eq(show_vaccess_unit("Virtual-Access", "5", &used), 5);
	cr_expect_eq(used, 2);
	cr_expect_eq(show_vaccess_unit("Virtual-Template1", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("eth0", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("v1", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("Virtual-Access", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("Virtual-Access2x", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("Virtual-Access9999999999", NULL, &used), -1);
	cr_expect_eq(show_vaccess_unit("va", "2", &used), -1);
}

/* ---- the handlers, through the stand-in control connection ---- */

static char dir[64], dbpath[128];
static struct fake_control par;

static void db_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_show.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/vpnd.db", dir);
	memset(&par, 0, sizeof(par));
	snprintf(par.rundir, sizeof(par.rundir), "%s", dir);
}

static void db_teardown(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char f[160];
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", dbpath, suffix[i]);
		unlink(f);
	}
	rmdir(dir);
}

static struct msg_session_up session(uint32_t id, int unit, const char *user)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = id;
	snprintf(u.user, sizeof(u.user), "%s", user);
	snprintf(u.group, sizeof(u.group), "group1");
	snprintf(u.profile, sizeof(u.profile), "vpn1-ra");
	u.peer.sin.sin_family = u.local.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.2", &u.peer.sin.sin_addr);
	u.peer.sin.sin_port = htons(4500);
	inet_pton(AF_INET, "172.18.143.246", &u.local.sin.sin_addr);
	u.local.sin.sin_port = htons(4500);
	inet_pton(AF_INET, "192.168.1.1", &u.assigned);
	snprintf(u.ifname, sizeof(u.ifname), "va%d", unit);
	u.unit = unit;
	snprintf(u.transform, sizeof(u.transform), "esp-3des esp-sha-hmac");
	return u;
}

/* Runs the handler on LINE (the words after the command's own) and returns its answer. */
static char *handler(void (*fn)(struct control_conn *, int, char **), const char *line)
{
	struct control_conn cc = { .p = &par };
	char copy[512], *argv[CONTROL_MAX_ARGS];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	fn(&cc, argc, argv);
	cr_assert_not_null(cc.out, "no answer to '%s'", line);
	return cc.out;
}

TestSuite(handlers, .init = db_setup, .fini = db_teardown);

Test(handlers, simple_shows_and_json_flag)
{
	par.conf = load(seed);
	char *out = handler(show_cmd_isakmp_policy, "");
	cr_expect_eq(strncmp(out, "Global IKE policy\n", 18), 0, "%s", out);
	free(out);
	out = handler(show_cmd_ipsec_transform_set, "--json");
	cr_expect_eq(json_check(out, "assert d[0]['name'] == 'VTI-TS'"), 0, "%s", out);
	free(out);
	out = handler(show_cmd_isakmp_profile, "--json");
	cr_expect_eq(json_check(out, "assert d[0]['name'] == 'vpn1-ra'"), 0, "%s", out);
	free(out);
	out = handler(show_cmd_ipsec_profile, "");
	cr_expect_eq(strncmp(out, "IPSEC profile test-vti1\n", 24), 0, "%s", out);
	free(out);
	out = handler(show_cmd_isakmp_policy, "detail");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	out = handler(show_cmd_running_config, "--json");
	cr_expect_eq(json_check(out, "assert d['hostname'] == 'hub'"), 0, "%s", out);
	expect_secret_free(out);
	free(out);
	out = handler(show_cmd_running_config, "");
	expect_has(out, "Current configuration : ");
	expect_secret_free(out);
	free(out);
	free(par.conf);
}

Test(handlers, running_config_interface_words)
{
	par.conf = load(seed);
	char *out = handler(show_cmd_running_config, "interface eth1");
	expect_has(out, "!\ninterface eth1\n description Internal Network\n");
	free(out);
	out = handler(show_cmd_running_config, "int Virtual-Template 1");
	expect_has(out, "interface Virtual-Template1 type tunnel\n");
	free(out);
	out = handler(show_cmd_running_config, "interface eth9");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	out = handler(show_cmd_running_config, "interface");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	out = handler(show_cmd_running_config, "brief");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	out = handler(show_cmd_running_config, "interface eth0 extra");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	free(par.conf);
}

Test(handlers, virtual_access_from_the_session_store)
{
	par.conf = load(seed);

	/* no store yet */
	char *out = handler(show_cmd_running_config, "interface Virtual-Access2");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);

	struct db *d = db_open(dbpath);
	cr_assert_not_null(d);
	struct msg_session_up u = session(1, 2, "alice");
	cr_assert_eq(db_session_up(d, &u), 0);
	/* a user name is the client's choice: any bytes */
	u = session(2, 3, "ev\"il\xff\n");
	cr_assert_eq(db_session_up(d, &u), 0);
	u = session(3, 4, "gone");
	cr_assert_eq(db_session_up(d, &u), 0);
	cr_assert_eq(db_session_down(d, 3, "peer delete"), 0);

	out = handler(show_cmd_running_config, "interface Virtual-Access2");
	const char *want_body =
		"!\n"
		"interface Virtual-Access2\n"
		" ip unnumbered eth0\n"
		" tunnel source 172.18.143.246\n"
		" tunnel mode ipsec ipv4\n"
		" tunnel destination 172.18.143.2\n"
		" tunnel protection ipsec profile test-vti1\n"
		" no tunnel protection ipsec initiate\n"
		"end\n";
	char want[512];
	snprintf(want, sizeof(want), "Building configuration...\n\nCurrent configuration : %zu "
	         "bytes\n%s", strlen(want_body), want_body);
	cr_expect_str_eq(out, want);
	free(out);

	/* IOS's and Linux's spellings of the same interface */
	const char *names[] = { "int Vi2", "interface virtual-access 2", "interface va2" };
	for (size_t i = 0; i < 3; i++) {
		out = handler(show_cmd_running_config, names[i]);
		expect_has(out, "interface Virtual-Access2\n");
		free(out);
	}

	out = handler(show_cmd_running_config, "interface Virtual-Access3 --json");
	cr_expect_eq(json_check(out,
		"assert d['name'] == 'Virtual-Access3' and d['ifname'] == 'va3'\n"
		"assert d['template'] == 'Virtual-Template1' and d['unnumbered'] == 'eth0'\n"
		"assert d['tunnel_source'] == '172.18.143.246'\n"
		"assert d['tunnel_destination'] == '172.18.143.2'\n"
		"assert d['tunnel_protection'] == 'test-vti1'\n"
		"assert d['tunnel_protection_initiate'] is False\n"
		"assert d['username'] == 'ev\"il\\ufffd\\n', repr(d['username'])\n"
		"assert d['group'] == 'group1' and d['assigned_address'] == '192.168.1.1'"), 0,
		"%s", out);
	free(out);

	/* the session's own filters from RADIUS (ip:interface-config) over the template's */
	u = session(4, 5, "fay");
	snprintf(u.acl_in, sizeof(u.acl_in), "radin");
	snprintf(u.acl6_in, sizeof(u.acl6_in), "fay6");
	snprintf(u.acl6_out, sizeof(u.acl6_out), "fay6out");
	cr_assert_eq(db_session_up(d, &u), 0);
	out = handler(show_cmd_running_config, "interface Virtual-Access5");
	expect_has(out, " ip access-group radin in\n");
	expect_has(out, " ipv6 traffic-filter fay6 in\n ipv6 traffic-filter fay6out out\n");
	free(out);
	out = handler(show_cmd_running_config, "interface Virtual-Access5 --json");
	cr_expect_eq(json_check(out,
		"assert d['access_group_in'] == 'radin'\n"
		"assert d['ipv6_traffic_filter_in'] == 'fay6', d\n"
		"assert d['ipv6_traffic_filter_out'] == 'fay6out', d\n"), 0, "%s", out);
	free(out);

	/* an ended session has no interface any more */
	out = handler(show_cmd_running_config, "interface Virtual-Access4");
	cr_expect_str_eq(out, "% Virtual-Access4 does not exist (no live session on it)\n");
	free(out);
	out = handler(show_cmd_running_config, "interface Virtual-Access99");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);

	/* the template gone from the configuration: said, not guessed */
	free(par.conf);
	par.conf = load("crypto isakmp client configuration group group1\nend\n");
	out = handler(show_cmd_running_config, "interface Virtual-Access2");
	expect_has(out, "% Virtual-Access2: the template it was cloned from is not in the running "
	                "configuration\n");
	free(out);

	db_close(d);
	free(par.conf);
}

/* show ip local pool: counts and addresses from a store's open sessions */
static char *pool_out(const struct vpnd_conf *c, sqlite3 *db, const char *name, int json,
                      int *rc, char *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	*rc = show_ip_local_pool(m, c, db, name, json, err, 256);
	cr_assert_eq(fclose(m), 0);
	return buf;
}

Test(show_config, ip_local_pool)
{
	struct vpnd_conf *c = load("ip local pool p1 192.168.1.1 192.168.1.4\n"
	                           "ip local pool p2 10.9.0.0 10.9.3.255\n");
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
		"CREATE TABLE sessions (assigned_addr TEXT, unit INTEGER, username TEXT, ended INTEGER);"
		"INSERT INTO sessions VALUES ('192.168.1.3', 7, 'bob', NULL);"
		"INSERT INTO sessions VALUES ('192.168.1.1', 2, 'alice', NULL);"
		"INSERT INTO sessions VALUES ('192.168.1.2', 3, 'carol', 1700000000);"   /* ended */
		"INSERT INTO sessions VALUES ('10.9.2.1', 4, 'dave', NULL);"
		"INSERT INTO sessions VALUES ('172.16.0.1', 5, 'radius-framed', NULL);",
		NULL, NULL, NULL), SQLITE_OK);
	int rc;
	char err[256];
	char *out = pool_out(c, db, NULL, 0, &rc, err);
	cr_assert_eq(rc, 0);
	expect_has(out, " p1                       192.168.1.1     192.168.1.4          2       2\n");
	expect_has(out, " p2                       10.9.0.0        10.9.3.255        1023       1\n");
	cr_expect_null(strstr(out, "Inuse"), "no addresses without a pool name");
	free(out);
	out = pool_out(c, db, "p1", 0, &rc, err);
	expect_has(out, "  192.168.1.1     Virtual-Access2      alice\n"
	                "  192.168.1.3     Virtual-Access7      bob\n");
	cr_expect_null(strstr(out, "carol"), "an ended session holds no address");
	cr_expect_null(strstr(out, " p2 "), "only the pool asked for");
	free(out);
	out = pool_out(c, db, "p1", 1, &rc, err);
	cr_expect_eq(json_check(out, "p = d['pools']\n"
	                        "assert len(p) == 1 and p[0]['name'] == 'p1', p\n"
	                        "assert p[0]['free'] == 2 and p[0]['in_use'] == 2, p\n"
	                        "a = p[0]['in_use_addresses']\n"
	                        "assert [x['username'] for x in a] == ['alice', 'bob'], a\n"
	                        "assert a[1]['interface'] == 'Virtual-Access7', a\n"), 0, "%s", out);
	free(out);
	out = pool_out(c, db, "nope", 0, &rc, err);
	cr_expect_eq(rc, -1);
	cr_expect_str_eq(err, "no ip local pool named nope");
	free(out);
	sqlite3_close(db);
	free(c);
}

/* show logging (control/show_logging.c): the ring keeps the newest lines within its size in
 * bytes, drops a line of the wrong length, and the header says where lines go. */
static void keep_line(const struct vpnd_conf *c, int n, uint64_t logged)
{
	struct msg_log_line m;
	memset(&m, 0, sizeof(m));
	m.pri = 5;
	m.dest = 1;     /* syslog */
	m.logged = logged;
	m.sent = logged;
	/* 100 bytes with its terminator: 40 fit in the 4096-byte minimum */
	snprintf(m.line, sizeof(m.line), "Dec  6 09:05:07.000: vpnd[1]: line %04d %059d", n, 0);
	cr_assert_eq(strlen(m.line) + 1, 100);
	cr_assert_eq(show_logging_keep(&m, sizeof(m), &c->logging), 0);
}

Test(handlers, show_logging_ring_and_header)
{
	par.conf = load("logging buffered 4096 notifications\nlogging host 192.0.2.6\n"
	                "crypto logging session\n");
	show_logging_clear();
	for (int i = 1; i <= 50; i++)
		keep_line(par.conf, i, (uint64_t)i * 3);
	cr_expect_eq(show_logging_keep("x", 1, &par.conf->logging), -1);
	char *out = handler(show_logging_cmd, "");
	expect_has(out, "Syslog logging: enabled (0 messages dropped, 150 messages logged)\n");
	expect_has(out, "    Buffer logging:  level notifications, 50 messages logged\n");
	expect_has(out, "    Trap logging: level informational, facility daemon, 150 message lines sent\n"
	                "        Logging to syslog\n        Logging to 192.0.2.6 (udp port 514)\n");
	expect_has(out, "    Crypto session logging: enabled\n\nLog Buffer (4096 bytes):\n"
	                "Dec  6 09:05:07.000: vpnd[1]: line 0011 ");
	cr_expect_null(strstr(out, "line 0010"), "the oldest lines stay past the size:\n%s", out);
	expect_has(out, "line 0050 ");
	free(out);
	out = handler(show_logging_cmd, "--json");
	cr_expect_eq(json_check(out, "assert d['buffer_level'] == 'notifications'\n"
	                             "assert d['destination'] == 'syslog'\n"
	                             "assert len(d['lines']) == 40 and 'line 0050' in d['lines'][-1]\n"
	                             "assert d['messages_logged'] == 150\n"), 0, "%s", out);
	free(out);
	out = handler(show_logging_cmd, "extra");
	cr_expect_eq(out[0], '%', "%s", out);
	free(out);
	show_logging_clear();
	free(par.conf);
}

#define K32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
static const char cmap_text[] =
	"crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac\n"
	"ip access-list extended A\n permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255\n"
	"crypto map M 20 ipsec-manual\n set peer 192.0.2.2\n set transform-set T\n"
	" match address A\n"
	" set session-key inbound esp 4294967295 cipher " K32 " authenticator " K32 "\n"
	" set session-key outbound esp 256 cipher " K32 " authenticator " K32 "\n"
	"crypto map M 10 ipsec-manual\n set peer 192.0.2.1\n set transform-set T\n"
	" match address A\n set security-association lifetime kilobytes 9000\n"
	" set session-key inbound esp 300 cipher " K32 " authenticator " K32 "\n"
	" set session-key outbound esp 301 cipher " K32 " authenticator " K32 "\n"
	"crypto map I 5 ipsec-isakmp\n set peer 192.0.2.7\n set peer 192.0.2.8\n"
	" set transform-set T T\n set pfs group14\n set security-association lifetime seconds 1200\n"
	" set security-association level per-host\n match address A\n reverse-route\n"
	"crypto map J 1 ipsec-isakmp dynamic DYN\n"
	"interface GigabitEthernet0/0\n physical-interface eth3\n crypto map M\n";

/* crypto maps print sorted, keys as <removed>, and read back to the same entries */
Test(show_config, running_config_cmap_lines)
{
	struct vpnd_conf *c = load(cmap_text);
	char *out = run(show_running_config, c, 0, NULL);
	static const char *const want[] = {
		"crypto map I 5 ipsec-isakmp\n set peer 192.0.2.7\n set peer 192.0.2.8\n"
		" set transform-set T T\n set pfs group14\n"
		" set security-association lifetime seconds 1200\n"
		" set security-association level per-host\n match address A\n reverse-route\n!\n"
		"crypto map J 1 ipsec-isakmp dynamic DYN\n!\n"
		"crypto map M 10 ipsec-manual\n set peer 192.0.2.1\n set transform-set T\n"
		" set security-association lifetime kilobytes 9000\n"
		" set session-key inbound esp 300 cipher <removed> authenticator <removed>\n"
		" set session-key outbound esp 301 cipher <removed> authenticator <removed>\n"
		" match address A\n!\n"
		"crypto map M 20 ipsec-manual\n",
		"interface GigabitEthernet0/0\n no ip address\n physical-interface eth3\n"
		" crypto map M\n",
		" set session-key inbound esp 4294967295 cipher <removed> authenticator <removed>\n",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_not_null(strstr(out, want[k]), "missing:\n%s\nin:\n%s", want[k], out);
	cr_expect_null(strstr(out, "0102030405"), "a session key in:\n%s", out);
	free(out);
	/* as control holds it: keys zeroed by conf_redact, still printed as <removed> */
	conf_redact(c);
	out = run(show_running_config, c, 0, NULL);
	cr_expect_not_null(strstr(out, " set session-key outbound esp 256 cipher <removed> "
	                          "authenticator <removed>\n"), "%s", out);
	free(out);
	free(c);
	round_trip_as(cmap_text, K32);
}

static int show_cmap_all(FILE *f, const struct vpnd_conf *c, int json)
{
	return show_cmap(f, c, NULL, json);
}
static int show_cmap_m(FILE *f, const struct vpnd_conf *c, int json)
{
	return show_cmap(f, c, "M", json);
}
static int show_cmap_none(FILE *f, const struct vpnd_conf *c, int json)
{
	return show_cmap(f, c, "NOPE", json);
}

/* show crypto map: the entries as IOS lays them out, SPIs but never keys; tag NAME; JSON */
Test(show_config, show_crypto_map)
{
	struct vpnd_conf *c = load(cmap_text);
	int rc;
	char *out = run(show_cmap_all, c, 0, &rc);
	static const char *const want[] = {
		"\nCrypto Map \"M\" 10 ipsec-manual\n        Peer = 192.0.2.1\n"
		"        Extended IP access list A\n"
		"            access-list A permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255\n"
		"        Current peer: 192.0.2.1\n"
		"        Inbound esp spi: 300 (0x0000012c)\n"
		"        Outbound esp spi: 301 (0x0000012d)\n"
		"        Transform sets={ \n",
		"        Interfaces using crypto map M:\n                GigabitEthernet0/0\n",
		"\nCrypto Map \"I\" 5 ipsec-isakmp\n        Peer = 192.0.2.7\n        Peer = 192.0.2.8\n",
		"        Security association lifetime: 4608000 kilobytes/1200 seconds\n"
		"        PFS (Y/N): Y\n        DH group:  group14\n",
		"\nCrypto Map \"J\" 1 ipsec-isakmp dynamic DYN\n        No matching address list set.\n",
	};
	cr_expect_eq(rc, 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect_not_null(strstr(out, want[k]), "missing:\n%s\nin:\n%s", want[k], out);
	cr_expect_null(strstr(out, "0102030405"), "a session key in:\n%s", out);
	free(out);
	out = run(show_cmap_m, c, 0, &rc);
	cr_expect_null(strstr(out, "\"I\""), "tag M shows map I:\n%s", out);
	cr_expect_not_null(strstr(out, "\"M\" 20"), "%s", out);
	free(out);
	out = run(show_cmap_none, c, 0, &rc);
	cr_expect_eq(rc, -1);
	cr_expect_not_null(strstr(out, "no crypto map NOPE is configured"), "%s", out);
	free(out);
	out = run(show_cmap_m, c, 1, &rc);
	cr_expect_not_null(strstr(out, "\"crypto_maps\""), "%s", out);
	cr_expect_not_null(strstr(out, "\"inbound_spi\": 4294967295"), "%s", out);
	const char *ifs = strstr(out, "\"interfaces\"");
	cr_expect(ifs && strstr(ifs, "\"GigabitEthernet0/0\"") &&
	          strstr(ifs, "\"GigabitEthernet0/0\"") < strchr(ifs, ']'), "%s", out);
	cr_expect_null(strstr(out, "0102030405"), "a session key in:\n%s", out);
	free(out);
	free(c);
}

/* show running-config --json: the ezvpn blocks, the crypto map entries (SPIs, keys as the text
 * form has them: <removed>) and the interfaces that name them */
Test(show_config, running_config_json_dial_out)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s"
	         "crypto ipsec client ezvpn e\n connect acl 101\n group g key cisco123\n"
	         " mode network-plus\n peer 192.0.2.2\n peer 192.0.2.1 default\n"
	         " username u password s3cr3tpw\n xauth userid mode local\n virtual-interface 2\n"
	         "crypto ipsec client ezvpn f\n connect manual\n peer 192.0.2.3\n group h key k\n"
	         "access-list 101 permit ip any any\n"
	         "interface Virtual-Template2 type tunnel\n no ip address\n"
	         "interface eth1\n crypto ipsec client ezvpn e inside\n"
	         "interface eth4\n crypto ipsec client ezvpn f\n"
	         "interface eth5\n crypto ipsec client ezvpn e\n", cmap_text);
	struct vpnd_conf *c = load(text);
	for (int redacted = 0; redacted <= 1; redacted++) {
		if (redacted)
			conf_redact(c);         /* as control holds it: the same output */
		char *out = run(show_running_config, c, 1, NULL);
		cr_expect_eq(json_check(out,
			"e = {x['name']: x for x in d['ezvpn']}\n"
			"assert e['e'] == {'name': 'e', 'connect': 'acl', 'connect_acl': '101',"
			" 'group': 'g', 'group_key': '<removed>', 'mode': 'network-plus',"
			" 'peers': ['192.0.2.1', '192.0.2.2'], 'virtual_interface': 2, 'username': 'u',"
			" 'password': '<removed>', 'xauth_userid_mode_local': True,"
			" 'outside_interface': 'eth5', 'inside_interfaces': ['eth1']},"
			" e['e']\n"
			"assert e['f']['connect'] == 'manual' and e['f']['password'] is None, e['f']\n"
			"assert e['f']['outside_interface'] == 'eth4' and e['f']['mode'] == 'client'\n"
			"m = {(x['name'], x['seq']): x for x in d['crypto_maps']}\n"
			"assert m['M', 10] == {'name': 'M', 'seq': 10, 'kind': 'ipsec-manual',"
			" 'dynamic': None, 'peers': ['192.0.2.1'], 'transform_sets': ['T'],"
			" 'pfs_group': None, 'lifetime_seconds': None, 'lifetime_kilobytes': 9000,"
			" 'per_host': False,"
			" 'session_key_inbound': {'spi': 300, 'cipher': '<removed>',"
			" 'authenticator': '<removed>'},"
			" 'session_key_outbound': {'spi': 301, 'cipher': '<removed>',"
			" 'authenticator': '<removed>'},"
			" 'match_address': 'A', 'reverse_route': False}, m['M', 10]\n"
			"assert m['M', 20]['session_key_inbound']['spi'] == 4294967295\n"
			"i5 = m['I', 5]\n"
			"assert i5['kind'] == 'ipsec-isakmp' and i5['peers'] == ['192.0.2.7', '192.0.2.8']\n"
			"assert i5['pfs_group'] == 14 and i5['lifetime_seconds'] == 1200\n"
			"assert i5['per_host'] is True and i5['reverse_route'] is True\n"
			"assert i5['session_key_inbound'] is None and i5['transform_sets'] == ['T', 'T']\n"
			"assert m['J', 1]['dynamic'] == 'DYN'\n"
			"i = {x['name']: x for x in d['interfaces']}\n"
			"assert i['GigabitEthernet0/0']['crypto_map'] == 'M'\n"
			"assert i['GigabitEthernet0/0']['ezvpn'] is None\n"
			"assert (i['eth1']['ezvpn'], i['eth1']['ezvpn_inside']) == ('e', True)\n"
			"assert (i['eth4']['ezvpn'], i['eth4']['ezvpn_inside']) == ('f', False)\n"
			"assert i['eth4']['crypto_map'] is None\n"), 0, "%s", out);
		cr_expect_null(strstr(out, "0102030405"), "a session key in:\n%s", out);
		cr_expect_null(strstr(out, "cisco123"), "the group key in:\n%s", out);
		cr_expect_null(strstr(out, "s3cr3tpw"), "the password in:\n%s", out);
		free(out);
	}
	free(c);
}

/* ipv6 access-list blocks and ipv6 traffic-filter lines, in text and JSON */
Test(show_config, running_config_ipv6_acl)
{
	struct vpnd_conf *c = load("ipv6 access-list V6\n deny tcp fd00:6::/120 any eq 22\n"
	                           " permit icmp any host fd00:2::10 echo-request\n"
	                           " permit ipv6 any any\n"
	                           "interface Virtual-Template1 type tunnel\n ipv6 enable\n"
	                           " ipv6 traffic-filter V6 in\n ipv6 traffic-filter V6 out\n"
	                           " ipv6 tcp adjust-mss 1300\n");
	char *out = run(show_running_config, c, 0, NULL);
	cr_expect(strstr(out, "ipv6 access-list V6\n deny tcp fd00:6::/120 any eq 22\n"
	                      " permit icmp any host fd00:2::10 echo-request\n"
	                      " permit ipv6 any any\n"), "%s", out);
	cr_expect(strstr(out, " ipv6 traffic-filter V6 in\n ipv6 traffic-filter V6 out\n"
	                      " ipv6 tcp adjust-mss 1300\n"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"a = d['ipv6_access_lists']\n"
		"assert [x['name'] for x in a] == ['V6'], a\n"
		"e = a[0]['entries']\n"
		"assert e[0] == {'action': 'deny', 'protocol': 6, 'source': 'fd00:6::',"
		" 'source_prefix_length': 120, 'destination': '::', 'destination_prefix_length': 0,"
		" 'port_low': 22, 'port_high': 22}, e[0]\n"
		"assert e[1]['icmp_type'] == 128 and e[1]['destination_prefix_length'] == 128\n"
		"assert e[2]['protocol'] is None\n"
		"t = [x for x in d['interfaces'] if x['name'] == 'Virtual-Template1'][0]\n"
		"assert t['ipv6_traffic_filter_in'] == 'V6' and t['ipv6_traffic_filter_out'] == 'V6'\n"
		"assert t['ipv6_tcp_adjust_mss'] == 1300 and t['tcp_adjust_mss'] is None, t\n"),
		0, "%s", out);
	free(out);
	free(c);
}

/* ---- crypto ikev2 ---- */

/* every IKEv2 line the printer writes, not in the FlexVPN example */
static const char v2_text[] =
	"aaa new-model\n"
	"aaa authentication login L local\n"
	"aaa authorization network N local\n"
	"aaa authorization network R group G\n"
	"aaa accounting network A start-stop group G\n"
	"radius server r\n address ipv4 10.0.0.9\n key rkey\n"
	"aaa group server radius G\n server name r\n"
	"crypto ikev2 proposal default\n encryption aes-cbc-128 3des\n integrity sha1 md5\n"
	" prf sha512\n group 14 2 24\n"
	"crypto ikev2 proposal G\n encryption aes-gcm-128\n prf sha256\n group 21\n"
	"crypto ikev2 policy P\n match address local 2001:db8::1\n match address local 10.0.0.1\n"
	" proposal default\n proposal G\n"
	"crypto ikev2 keyring K\n peer a\n  address ipv6 2001:db8:5::/48\n"
	"  identity email a@example.com\n  hostname a.example.com\n  pre-shared-key 0 k1\n"
	"  pre-shared-key local k2\n peer b\n  identity key-id kid\n  pre-shared-key remote k3\n"
	" peer c\n  address 10.9.0.0 255.255.0.0\n  identity address 10.9.0.1\n"
	"ipv6 access-list S6\n permit ipv6 2001:db8:2::/64 any\n"
	"crypto ikev2 authorization policy default\n ipv6 pool P6\n ipv6 dns 2001:db8::53\n"
	" ipv6 subnet-acl S6\n"
	"crypto ikev2 profile PR\n match fvrf any\n match identity remote address 2001:db8:7::/64\n"
	" match identity remote email a@example.com\n match identity remote key-id kid\n"
	" match identity remote any\n match certificate CM\n identity local key-id me\n"
	" authentication local pre-share\n authentication remote pre-share\n"
	" authentication remote eap timeout 90\n keyring local K\n aaa authentication eap L\n"
	" aaa authorization group cert list R someuser\n aaa authorization group psk list N\n"
	" aaa authorization user psk list R u1\n aaa authorization user cert list N\n"
	" aaa accounting cert A\n aaa accounting eap A\n dpd 10 2 periodic\n"
	" aaa authorization group eap list N name-mangler M3\n"
	" aaa authorization user eap list R name-mangler M2\n"
	"crypto ikev2 name-mangler M1\n fqdn hostname\n email username\n dn organization-unit\n"
	" eap prefix delimiter \\\n"
	"crypto ikev2 name-mangler M2\n fqdn all\n email domain\n dn domain\n eap dn common-name\n"
	"crypto ikev2 name-mangler M3\n email all\n eap suffix delimiter @\n"
	"crypto ikev2 name-mangler M4\n fqdn domain\n dn state\n eap all\n"
	"crypto ikev2 cookie-challenge 7\n"
	"crypto ikev2 limit max-in-negotiation-sa 40 incoming\n"
	"crypto ikev2 limit max-in-negotiation-sa 50 outgoing\n"
	"crypto ikev2 limit max-sa 900\n"
	"crypto ikev2 fragmentation\n"
	"crypto ikev2 redirect gateway init\ncrypto ikev2 redirect gateway auth\n"
	"crypto ikev2 cluster\n peer 192.0.2.7\n peer 2001:db8::7\n slave max-session 500\n"
	" no shutdown\n"
	"ipv6 local pool P6 2001:db8:99::/64 128\n"
	/* entries out of order, IOS's blanks around '=' and capitals */
	"crypto pki certificate map CM 20\n alt-subject-name ew .Eng.example.com\n"
	"crypto pki certificate map OTHER 5\n serial-number ne 00:1A:2b\n"
	"crypto pki certificate map CM 10\n subject-name co OU = Eng ,\n"
	" issuer-name eq cn=vpnd CA,o=Example\n subject-name nc cn=mallory\n"
	"crypto pki certificate map CM 15\n subject-name sw cn=a\n issuer-name ne x\n"
	" subject-name ew ,c=us\n serial-number eq 0\n"
	"crypto pki certificate map CM 10\n subject-name co OU = Eng ,\n"
	"crypto isakmp profile IKEV1\n match certificate OTHER\n";

Test(show_config, running_config_ikev2_lines)
{
	struct vpnd_conf *c = load(v2_text);
	char *out = run(show_running_config, c, 0, NULL);

	expect_has(out, "crypto ikev2 proposal default\n encryption aes-cbc-128 3des\n"
	           " integrity sha1 md5\n prf sha512\n group 14 2 24\n!\n");
	/* the derived prf is not written back; GCM's is */
	expect_has(out, "crypto ikev2 proposal G\n encryption aes-gcm-128\n prf sha256\n"
	           " group 21\n!\n");
	expect_has(out, "crypto ikev2 policy P\n match address local 2001:db8::1\n"
	           " match address local 10.0.0.1\n proposal default\n proposal G\n!\n");
	expect_has(out, " peer a\n  address ipv6 2001:db8:5::/48\n  identity email a@example.com\n"
	           "  hostname a.example.com\n  pre-shared-key local <removed>\n"
	           "  pre-shared-key remote <removed>\n peer b\n  identity key-id kid\n"
	           "  pre-shared-key remote <removed>\n peer c\n  address 10.9.0.0 255.255.0.0\n"
	           "  identity address 10.9.0.1\n");
	expect_has(out, "crypto ikev2 authorization policy default\n ipv6 pool P6\n"
	           " ipv6 subnet-acl S6\n ipv6 dns 2001:db8::53\n");
	expect_has(out, " authentication local pre-share\n authentication remote pre-share\n"
	           " authentication remote eap timeout 90\n");
	expect_has(out, " aaa authorization group eap list N name-mangler M3\n"
	           " aaa authorization group psk list N\n"
	           " aaa authorization group cert list R someuser\n"
	           " aaa authorization user eap list R name-mangler M2\n"
	           " aaa authorization user psk list R u1\n aaa authorization user cert list N\n"
	           " aaa accounting eap A\n aaa accounting cert A\n dpd 10 2 periodic\n");
	expect_has(out, "crypto ikev2 name-mangler M1\n fqdn hostname\n email username\n"
	           " dn organization-unit\n eap prefix delimiter \\\n!\n"
	           "crypto ikev2 name-mangler M2\n fqdn all\n email domain\n dn domain\n"
	           " eap dn common-name\n!\n"
	           "crypto ikev2 name-mangler M3\n email all\n eap suffix delimiter @\n!\n"
	           "crypto ikev2 name-mangler M4\n fqdn domain\n dn state\n eap all\n!\n");
	expect_has(out, "crypto ikev2 limit max-in-negotiation-sa 40 incoming\n"
	           "crypto ikev2 limit max-in-negotiation-sa 50 outgoing\n");
	expect_has(out, "crypto ikev2 cluster\n peer 192.0.2.7\n peer 2001:db8::7\n"
	           " slave max-session 500\n no shutdown\n");
	/* a label's entries together and in order, the repeated line once, values as compared */
	expect_has(out, "crypto pki certificate map CM 10\n subject-name co ou=eng,\n"
	           " issuer-name eq cn=vpnd ca,o=example\n subject-name nc cn=mallory\n"
	           "crypto pki certificate map CM 15\n subject-name sw cn=a\n issuer-name ne x\n"
	           " subject-name ew ,c=us\n serial-number eq 0\n"
	           "crypto pki certificate map CM 20\n alt-subject-name ew .eng.example.com\n"
	           "crypto pki certificate map OTHER 5\n serial-number ne 1a2b\n!\n");
	expect_has(out, "crypto isakmp profile IKEV1\n   match certificate OTHER\n");
	cr_expect_null(strstr(out, "k1"), "a key printed:\n%s", out);
	cr_expect_null(strstr(out, "k2\n"), "a key printed:\n%s", out);
	/* no policy was configured under the default name: IOS's is built in and not printed */
	cr_expect_null(strstr(out, "crypto ikev2 policy default"), "%s", out);
	free(out);
	out = run(show_running_config, c, 1, NULL);
	cr_expect_eq(json_check(out,
		"v = d['ikev2']\n"
		"assert v['served'] == 'psk cert eap'\n"
		"p = {x['name']: x for x in v['proposals']}\n"
		"assert p['default']['builtin'] is False and p['default']['encryption'] =="
		" ['aes-cbc-128', '3des'], p\n"
		"assert p['G']['integrity'] == [] and p['G']['prf'] == ['sha256'], p\n"
		"assert [x['name'] for x in v['policies']] == ['P']\n"
		"assert v['policies'][0]['match_address_local'] == ['2001:db8::1', '10.0.0.1']\n"
		"pe = v['keyrings'][0]['peers']\n"
		"assert pe[0]['pre_shared_key_local'] == '<removed>', pe\n"
		"assert pe[1]['pre_shared_key_local'] is None and pe[2]['address'] =="
		" '10.9.0.0 255.255.0.0', pe\n"
		"pr = v['profiles'][0]\n"
		"assert pr['authentication_remote'] == ['pre-share', 'eap'], pr\n"
		"assert pr['aaa']['cert']['group_name'] == 'someuser', pr\n"
		"assert pr['aaa']['eap']['group_name_mangler'] == 'M3', pr\n"
		"assert pr['aaa']['eap']['user_name_mangler'] == 'M2', pr\n"
		"assert pr['aaa']['psk']['group_name_mangler'] is None, pr\n"
		"m = {x['name']: x for x in v['name_manglers']}\n"
		"assert m['M1'] == {'name': 'M1', 'fqdn': 'hostname', 'email': 'username',"
		" 'dn': 'organization-unit', 'eap': 'prefix delimiter \\\\'}, m\n"
		"assert m['M2'] == {'name': 'M2', 'fqdn': 'all', 'email': 'domain',"
		" 'dn': 'domain', 'eap': 'dn common-name'}, m\n"
		"assert m['M3'] == {'name': 'M3', 'fqdn': None, 'email': 'all',"
		" 'dn': None, 'eap': 'suffix delimiter @'}, m\n"
		"assert m['M4']['eap'] == 'all' and m['M4']['dn'] == 'state', m\n"
		"assert pr['dpd'] == {'interval': 10, 'retry': 2, 'mode': 'periodic'}, pr\n"
		"a = {x['name']: x for x in v['authorization_policies']}\n"
		"assert a['default']['builtin'] is False and a['default']['ipv6_pool'] == 'P6', a\n"
		"assert v['fragmentation_mtu'] == 576 and v['redirect_gateway'] == ['init', 'auth']\n"
		"assert v['cluster'] == {'enabled': True, 'max_session': 500,"
		" 'peers': ['192.0.2.7', '2001:db8::7']}, v['cluster']\n"), 0, "%s", out);
	cr_expect_null(strstr(out, "k1"), "a key printed:\n%s", out);
	free(out);
	free(c);
	round_trip(v2_text);
}

/* IOS's defaults are left out; one configured under the default name is printed */
Test(show_config, running_config_ikev2_defaults)
{
	struct vpnd_conf *c = load("hostname h\n");
	char *out = run(show_running_config, c, 0, NULL);
	cr_expect_null(strstr(out, "ikev2"), "%s", out);
	cr_expect_eq(c->v2.nproposal, 1);
	cr_expect_eq(c->v2.npolicy, 1);
	free(out);
	free(c);
	round_trip("crypto ikev2 policy default\n proposal default\n");
	round_trip("crypto ikev2 fragmentation mtu 576\n");
	round_trip("crypto ikev2 limit max-in-negotiation-sa 30\n");
	round_trip("crypto ikev2 cluster\n peer 10.0.0.2\n");
	c = load("crypto ikev2 cluster\n peer 10.0.0.2\n");
	out = run(show_running_config, c, 0, NULL);
	expect_has(out, "crypto ikev2 cluster\n peer 10.0.0.2\n!\n");
	free(out);
	free(c);
}

static void quiet(void *arg, int is_error, const char *msg)
{
	(void)arg; (void)is_error; (void)msg;
}

/* Signature lines: a trust point needs its files to load, so this one is read with its errors
 * (the lines are stored all the same) and only printed. */
Test(show_config, running_config_ikev2_signatures)
{
	static const char text[] =
		"crypto ikev2 profile S\n match identity remote any\n"
		" authentication local ecdsa-sig\n authentication remote rsa-sig\n"
		" authentication remote ecdsa-sig\n pki trustpoint T sign\n pki trustpoint U verify\n"
		" pki trustpoint T\n";
	struct vpnd_conf *c = calloc(1, sizeof(*c));
	cr_assert_not_null(c);
	cr_expect_eq(conf_load_buf("t.conf", text, strlen(text), c, quiet, NULL), 2,
	             "expected the two undefined trust points only");
	char *out = run(show_running_config, c, 0, NULL);
	expect_has(out, "crypto ikev2 profile S\n match identity remote any\n"
	           " authentication local ecdsa-sig\n authentication remote rsa-sig\n"
	           " authentication remote ecdsa-sig\n pki trustpoint T\n pki trustpoint U verify\n"
	           "!\n");
	free(out);
	free(c);
}

Test(show_config, running_config_reads_back_ikev2_hub)
{
	char path[512], *buf = calloc(1, 16384);
	snprintf(path, sizeof(path), "%s/test/data/hub-ikev2.conf", CONF_TEST_SRCDIR);
	FILE *fp = fopen(path, "r");
	cr_assert(fp && buf, "%s", path);
	buf[fread(buf, 1, 16383, fp)] = '\0';
	fclose(fp);
	struct vpnd_conf *c = load(buf);
	char *out = run(show_ipsec_profile, c, 0, NULL);
	expect_has(out, "IPSEC profile FLEX-IPSEC\n\tIKEv2 Profile: SITE-PSK\n");
	free(out);
	out = run(show_ipsec_profile, c, 1, NULL);
	cr_expect_eq(json_check(out, "assert d[0]['ikev2_profile'] == 'SITE-PSK', d\n"
	                        "assert d[0]['isakmp_profile'] is None, d\n"), 0, "%s", out);
	free(out);
	free(c);
	free(buf);
	round_trip_file("test/data/hub-ikev2.conf", NULL, NULL);
	same_when_redacted(v2_text);
}
