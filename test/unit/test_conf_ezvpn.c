/*
 * The Easy VPN remote's configuration (common/conf_ezvpn.c) and IOS interface names
 * (common/conf_iface.c, common/conf_bind.c): both seeds load through the parser, the server
 * seed loads with IOS names in place of eth0/eth1, the ezvpn fields and interface sides are
 * filled, and binding to Linux devices is checked on address lists made up here (the
 * errors of each line are in test/data/conf/bad_ezvpn.conf and bad_ios_iface.conf).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

#ifndef CONF_TEST_SRCDIR
#define CONF_TEST_SRCDIR "."
#endif

#define MAX_MSGS 64

struct diag_log {
	int  n, nerr;
	char msg[MAX_MSGS][600];
	int  is_error[MAX_MSGS];
};

static void collect(void *arg, int is_error, const char *msg)
{
	struct diag_log *d = arg;

	d->nerr += is_error;
	if (d->n < MAX_MSGS) {
		d->is_error[d->n] = is_error;
		snprintf(d->msg[d->n++], sizeof(d->msg[0]), "%s", msg);
	}
}

static struct vpnd_conf *conf;
static struct diag_log *dl;

static void setup(void)
{
	conf = calloc(1, sizeof(*conf));
	dl = calloc(1, sizeof(*dl));
	cr_assert(conf && dl);
}

static void teardown(void)
{
	free(conf);
	free(dl);
}

TestSuite(ezconf, .init = setup, .fini = teardown);

static void dump(void)
{
	for (int k = 0; k < dl->n; k++)
		cr_log_info("%s", dl->msg[k]);
}

static int load_str(const char *text)
{
	memset(dl, 0, sizeof(*dl));
	int n = conf_load_buf("t.conf", text, strlen(text), conf, collect, dl);
	if (n)
		dump();
	return n;
}

static char *read_seed(const char *rel)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 16384);

	cr_assert_not_null(buf);
	snprintf(path, sizeof(path), "%s/%s", CONF_TEST_SRCDIR, rel);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	size_t n = fread(buf, 1, 16383, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int find_msg(const char *a, const char *b)
{
	for (int k = 0; k < dl->n; k++)
		if (strstr(dl->msg[k], a) && (!b || strstr(dl->msg[k], b)))
			return k;
	return -1;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* the Cisco guide's "Dynamic Virtual Tunnel Interface Easy VPN Client", as written */
Test(ezconf, client_seed_loads)
{
	char *text = read_seed("etc/seed-ezvpn-client.conf");

	cr_assert_eq(load_str(text), 0);
	cr_expect_eq(dl->n, 0, "no warnings either");
	cr_assert_eq(conf->nezvpn, 1);
	const struct conf_ezvpn *ez = conf_find_ezvpn(conf, "testvpn");
	cr_assert_not_null(ez);
	cr_expect_eq(ez->connect_manual, 1);
	cr_expect_str_eq(ez->connect_acl, "");
	cr_expect_str_eq(ez->group, "group1");
	cr_expect_str_eq(ez->group_key, "cisco123");
	cr_expect_eq(ez->mode, EZ_MODE_CLIENT);
	cr_assert_eq(ez->npeer, 1);
	cr_expect_eq(ez->peer[0].s_addr, ip("172.18.143.246"));
	cr_expect_eq(ez->virtual_interface, 1);
	cr_expect_str_eq(ez->username, "cisco");
	cr_expect_str_eq(ez->password, "cisco123");
	cr_expect_eq(ez->xauth_local, 1);
	cr_expect_str_eq(ez->outside, "FastEthernet0/0");
	cr_assert_eq(ez->ninside, 1);
	cr_expect_str_eq(ez->inside[0], "FastEthernet0/1");

	const struct conf_interface *o = conf_find_iface(conf, "FastEthernet0/0");
	cr_assert_not_null(o);
	cr_expect_str_eq(o->ezvpn, "testvpn");
	cr_expect_eq(o->ezvpn_inside, 0);
	cr_expect_eq(o->addr.s_addr, ip("172.18.143.23"));
	cr_expect_str_eq(o->device, "", "the parser alone binds nothing");
	cr_expect_eq(conf_find_iface(conf, "FastEthernet0/1")->ezvpn_inside, 1);
	const struct conf_interface *t = conf_find_template(conf, 1);
	cr_assert_not_null(t);
	cr_expect_eq(t->has_addr, 0);
	cr_expect_eq(t->tunnel_mode_ipsec, 1);

	conf_redact(conf);
	cr_expect_str_eq(conf->ezvpn[0].group_key, "");
	cr_expect_str_eq(conf->ezvpn[0].password, "");
	free(text);
}

Test(ezconf, server_seed_loads)
{
	char *text = read_seed("etc/seed-dvti.conf");

	cr_assert_eq(load_str(text), 0);
	cr_expect_eq(conf->nezvpn, 0);
	cr_expect_str_eq(conf_iface_device(conf, "eth0"), "eth0");
	free(text);
}

/* the server seed as pasted from the router: FastEthernet names in place of eth0/eth1 */
static char *ios_dvti(void)
{
	char *text = read_seed("etc/seed-dvti.conf");
	char *out = calloc(1, 32768), *o = out;

	cr_assert_not_null(out);
	for (const char *s = text; *s;) {
		if (strncmp(s, "eth0", 4) == 0 || strncmp(s, "eth1", 4) == 0) {
			o += sprintf(o, "FastEthernet0/%c", s[3]);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	free(text);
	return out;
}

Test(ezconf, server_seed_with_ios_names_loads)
{
	char *text = ios_dvti();

	cr_assert_eq(load_str(text), 0, "%s", text);
	const struct conf_interface *t = conf_find_template(conf, 1);
	cr_assert_not_null(t);
	cr_expect_str_eq(t->unnumbered, "FastEthernet0/0");
	cr_expect_not_null(conf_find_iface(conf, "FastEthernet0/1"));
	free(text);
}

/* an address list as getifaddrs gives it: NAME=A.B.C.D entries */
struct fake {
	struct ifaddrs     ifa[4];
	struct sockaddr_in sin[4];
	char               name[4][16];
};

static struct ifaddrs *fake_list(struct fake *f, const char *const *spec, int n)
{
	memset(f, 0, sizeof(*f));
	for (int k = 0; k < n; k++) {
		const char *eq = strchr(spec[k], '=');
		snprintf(f->name[k], sizeof(f->name[k]), "%.*s", (int)(eq - spec[k]), spec[k]);
		f->sin[k].sin_family = AF_INET;
		f->sin[k].sin_addr.s_addr = ip(eq + 1);
		f->ifa[k].ifa_name = f->name[k];
		f->ifa[k].ifa_addr = (struct sockaddr *)&f->sin[k];
		f->ifa[k].ifa_next = k + 1 < n ? &f->ifa[k + 1] : NULL;
	}
	return n ? &f->ifa[0] : NULL;
}

Test(ezconf, bind_by_address)
{
	static const char *const sys[] = { "lo=127.0.0.1", "ens3=172.18.143.23", "ens4:1=10.3.1.1" };
	struct fake f;
	char *text = read_seed("etc/seed-ezvpn-client.conf");

	cr_assert_eq(load_str(text), 0);
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_bind_devices(conf, fake_list(&f, sys, 3), collect, dl), 0);
	cr_expect_eq(dl->n, 0);
	cr_expect_str_eq(conf_iface_device(conf, "FastEthernet0/0"), "ens3");
	cr_expect_str_eq(conf_iface_device(conf, "FastEthernet0/1"), "ens4", "label cut");
	cr_expect_eq(conf_find_iface(conf, "FastEthernet0/0")->device_explicit, 0);
	free(text);
}

/* no device holds the address: an error for an ezvpn side, a warning otherwise */
Test(ezconf, bind_missing)
{
	static const char *const sys[] = { "ens3=172.18.143.23" };
	struct fake f;
	char *text = read_seed("etc/seed-ezvpn-client.conf");

	cr_assert_eq(load_str(text), 0);
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_bind_devices(conf, fake_list(&f, sys, 1), collect, dl), 1);
	cr_expect_geq(find_msg("t.conf:16: error: FastEthernet0/1: no Linux device holds 10.3.1.1; "
	                       "physical-interface DEV names one", NULL), 0);
	free(text);

	text = ios_dvti();
	cr_assert_eq(load_str(text), 0);
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_bind_devices(conf, NULL, collect, dl), 0);
	cr_expect_eq(dl->nerr, 0);
	cr_expect_geq(find_msg("t.conf:27: warning: FastEthernet0/0: no Linux device holds "
	                       "172.18.143.246; physical-interface DEV names one", NULL), 0);
	cr_expect_geq(find_msg("t.conf:30: warning: FastEthernet0/1: no Linux device holds "
	                       "10.2.1.1", NULL), 0);
	free(text);
}

Test(ezconf, physical_interface)
{
	static const char *const sys[] = { "eth7=192.0.2.1" };
	struct fake f;

	cr_assert_eq(load_str("interface GigabitEthernet0/0\n ip address 198.51.100.1 "
	                      "255.255.255.0\n physical-interface eth7\n"
	                      "interface GigabitEthernet0/1\n physical-interface eth9\n"
	                      " crypto ipsec client ezvpn e\n"
	                      "crypto ipsec client ezvpn e\n group g key k\n peer 192.0.2.9\n"), 0);
	const struct conf_interface *g = conf_find_iface(conf, "GigabitEthernet0/0");
	cr_expect_str_eq(g->device, "eth7");
	cr_expect_eq(g->device_explicit, 1);
	memset(dl, 0, sizeof(*dl));
	cr_expect_eq(conf_bind_devices(conf, fake_list(&f, sys, 1), collect, dl), 1);
	cr_expect_str_eq(conf_iface_device(conf, "GigabitEthernet0/0"), "eth7",
	                 "the named device, not the address");
	cr_expect_geq(find_msg("t.conf:4: error: GigabitEthernet0/1: physical-interface eth9: no "
	                       "such device", NULL), 0);
}

Test(ezconf, loopback_and_unnumbered)
{
	cr_assert_eq(load_str("interface Loopback0\n ip address 10.255.0.1 255.255.255.255\n"
	                      "interface Virtual-Template1 type tunnel\n ip unnumbered Loopback0\n"
	                      " tunnel mode ipsec ipv4\n"), 0);
	const struct conf_interface *l = conf_find_iface(conf, "Loopback0");
	cr_assert_not_null(l);
	cr_expect_eq(l->is_loopback, 1);
	cr_expect_str_eq(conf_iface_device(conf, "Loopback0"), "lo");
	cr_expect_str_eq(conf_find_template(conf, 1)->unnumbered, "Loopback0");
	/* Linux names stay as they were */
	cr_assert_eq(load_str("interface eth0\n ip address 10.0.0.1 255.255.255.0\n"
	                      "interface Virtual-Template1 type tunnel\n ip unnumbered eth0\n"), 0);
	cr_expect_str_eq(conf_iface_device(conf, "eth0"), "eth0");
	cr_expect_eq(conf_find_iface(conf, "eth0")->is_loopback, 0);
}

Test(ezconf, peers_in_order_default_first)
{
	cr_assert_eq(load_str("crypto ipsec client ezvpn e\n group g key k\n peer 192.0.2.1\n"
	                      " peer 192.0.2.2\n peer 192.0.2.3 default\n connect acl 101\n"
	                      " mode network-extension\n xauth userid mode interactive\n"
	                      "access-list 101 permit ip any any\n"), 0);
	const struct conf_ezvpn *ez = &conf->ezvpn[0];
	cr_assert_eq(ez->npeer, 3);
	cr_expect_eq(ez->peer[0].s_addr, ip("192.0.2.3"));
	cr_expect_eq(ez->peer[1].s_addr, ip("192.0.2.1"));
	cr_expect_eq(ez->peer[2].s_addr, ip("192.0.2.2"));
	cr_expect_str_eq(ez->connect_acl, "101");
	cr_expect_eq(ez->connect_manual, 0);
	cr_expect_eq(ez->mode, EZ_MODE_NETWORK_EXTENSION);
	cr_expect_eq(ez->xauth_local, 0);
	cr_expect_lt(find_msg("xauth userid mode interactive", NULL), 0,
	             "interactive is answered through vpnctl: no warning");
	cr_expect_str_eq(ez->outside, "");
}

Test(ezconf, too_many_peers)
{
	char text[2048];
	int n = snprintf(text, sizeof(text), "crypto ipsec client ezvpn e\n group g key k\n");
	for (int k = 1; k <= CONF_EZVPN_PEERS + 1; k++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " peer 192.0.2.%d\n", k);
	cr_expect_eq(load_str(text), 1);
	cr_expect_geq(find_msg("t.conf:13: error: too many peers, expected at most 10", NULL), 0);
}
