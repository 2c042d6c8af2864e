/* What tunmgr accepts of an Easy VPN remote session (tunmgr/ezbounds.c). The ezvpn block is
 * filled by hand: its parser is written elsewhere. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "tunmgr/ezbounds.h"

static struct vpnd_conf conf;
static const char cfg[] =
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered lo\n"
	"interface inside0\n"
	" ip address 10.9.0.1 255.255.255.0\n";

/* the host's connected networks: the outside link and loopback */
static struct ez_net local[2];
static struct msg_ez_va m;
static struct ez_accepted acc;
static char why[160];

static struct in_addr A(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void setup(void)
{
	memset(&conf, 0, sizeof(conf));
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	struct conf_ezvpn *ez = &conf.ezvpn[conf.nezvpn++];
	snprintf(ez->name, sizeof(ez->name), "hq");
	ez->mode = EZ_MODE_CLIENT;
	ez->peer[0] = A("192.0.2.1");
	ez->peer[1] = A("198.51.100.1");
	ez->npeer = 2;
	ez->virtual_interface = 1;
	snprintf(ez->inside[0], sizeof(ez->inside[0]), "inside0");
	ez->ninside = 1;
	local[0] = (struct ez_net){ A("192.0.2.0"), 24 };
	local[1] = (struct ez_net){ A("127.0.0.0"), 8 };
	memset(&m, 0, sizeof(m));
	snprintf(m.ezvpn, sizeof(m.ezvpn), "hq");
	m.session_id = 7;
	m.peer.sin.sin_family = AF_INET;
	m.peer.sin.sin_addr = A("192.0.2.1");
	m.addr = A("172.16.5.9");
}
TestSuite(ezbounds, .init = setup);

static int check(void)
{
	return ez_bounds(&conf, &m, local, 2, NULL, 0, &acc, why, sizeof(why));
}

static void split(const char *net, int plen)
{
	m.split[m.nsplit].net = A(net);
	m.split[m.nsplit++].plen = plen;
}

Test(ezbounds, client_within_bounds)
{
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(acc.addr.s_addr, A("172.16.5.9").s_addr);
	cr_assert_eq(acc.nsplit, 0);
	cr_assert_eq(acc.ninside, 1);
	cr_assert_eq(acc.inside[0].net.s_addr, A("10.9.0.0").s_addr);
	cr_assert_eq(acc.inside[0].plen, 24);
	/* everything through the tunnel: the SA is 0/0, nothing else */
	cr_assert(ez_sel_ok(&acc, A("0.0.0.0"), 0));
	cr_assert_not(ez_sel_ok(&acc, A("10.0.0.0"), 8));
	/* client mode: decrypted packets go to the address only */
	cr_assert(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("172.16.5.9").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("10.9.0.5").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("192.0.2.7").s_addr));
}

Test(ezbounds, second_peer_and_splits)
{
	m.peer.sin.sin_addr = A("198.51.100.1");
	split("10.20.0.0", 16);
	split("10.30.1.7", 32);
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(acc.nsplit, 2);
	cr_assert(ez_sel_ok(&acc, A("10.20.0.0"), 16));
	cr_assert(ez_sel_ok(&acc, A("10.30.1.7"), 32));
	/* a virtual-interface client's SA is 0/0 (routes decide what enters) */
	cr_assert(ez_sel_ok(&acc, A("0.0.0.0"), 0), "0/0 with split networks");
	cr_assert_not(ez_sel_ok(&acc, A("10.20.0.0"), 15));
	cr_assert_not(ez_sel_ok(&acc, A("10.20.1.0"), 24));
	cr_assert_not(ez_sel_ok(&acc, A("0.0.0.0"), 1));
	/* with split networks, decrypted packets come from them only */
	cr_assert(ez_inbound_ok(&acc, A("10.20.3.4").s_addr, A("172.16.5.9").s_addr));
	cr_assert(ez_inbound_ok(&acc, A("10.30.1.7").s_addr, A("172.16.5.9").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("10.30.1.8").s_addr, A("172.16.5.9").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("172.16.5.9").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("10.20.3.4").s_addr, A("10.9.0.5").s_addr));
}

Test(ezbounds, unknown_ezvpn_template_peer)
{
	snprintf(m.ezvpn, sizeof(m.ezvpn), "branch");
	cr_assert_eq(check(), ENOENT);
	snprintf(m.ezvpn, sizeof(m.ezvpn), "hq");
	memset(m.ezvpn + 2, 'x', sizeof(m.ezvpn) - 2);     /* no NUL */
	cr_assert_eq(check(), EINVAL);
	snprintf(m.ezvpn, sizeof(m.ezvpn), "hq");
	conf.ezvpn[0].virtual_interface = 2;                /* no Virtual-Template2 */
	cr_assert_eq(check(), ENXIO);
	conf.ezvpn[0].virtual_interface = 0;
	cr_assert_eq(check(), ENXIO);
	conf.ezvpn[0].virtual_interface = 1;
	m.peer.sin.sin_addr = A("192.0.2.2");
	cr_assert_eq(check(), EPERM);
	cr_assert(strstr(why, "192.0.2.2") != NULL, "%s", why);
	m.peer.sin.sin_addr = A("192.0.2.1");
	m.peer.sin.sin_family = AF_INET6;
	cr_assert_eq(check(), EPERM);
}

Test(ezbounds, client_address)
{
	static const char *const bad[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "224.0.0.1", "239.1.1.1",
		"240.0.0.1", "255.255.255.255",
		"192.0.2.1",    /* the peer */
		"192.0.2.77",   /* on the outside link */
		"10.9.0.200",   /* on the inside interface */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.addr = A(bad[i]);
		cr_assert_eq(check(), EADDRNOTAVAIL, "%s accepted", bad[i]);
	}
	m.addr = A("1.0.0.1");
	cr_assert_eq(check(), 0, "%s", why);
	m.addr = A("223.255.255.254");
	cr_assert_eq(check(), 0, "%s", why);
	/* network-plus takes an address too */
	conf.ezvpn[0].mode = EZ_MODE_NETWORK_PLUS;
	m.addr.s_addr = 0;
	cr_assert_eq(check(), EADDRNOTAVAIL);
}

Test(ezbounds, network_extension)
{
	conf.ezvpn[0].mode = EZ_MODE_NETWORK_EXTENSION;
	m.addr.s_addr = 0;
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(acc.addr.s_addr, 0);
	/* decrypted packets go to the inside networks only */
	cr_assert(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("10.9.0.5").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("10.9.1.5").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, 0));
	/* an address pushed all the same is held to the same bounds */
	m.addr = A("10.9.0.3");
	cr_assert_eq(check(), EADDRNOTAVAIL);
}

Test(ezbounds, network_plus_inbound)
{
	conf.ezvpn[0].mode = EZ_MODE_NETWORK_PLUS;
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("172.16.5.9").s_addr));
	cr_assert(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("10.9.0.5").s_addr));
	cr_assert_not(ez_inbound_ok(&acc, A("8.8.8.8").s_addr, A("172.16.5.10").s_addr));
}

Test(ezbounds, split_networks)
{
	static const struct { const char *net; int plen; } bad[] = {
		{ "0.0.0.0", 0 },       /* everything is nsplit = 0 */
		{ "10.0.0.0", 33 }, { "10.0.0.0", -1 },
		{ "10.0.0.1", 24 },     /* host bits */
		{ "192.0.2.1", 32 },    /* the peer */
		{ "192.0.0.0", 16 },    /* covers the peer */
		{ "128.0.0.0", 1 },     /* covers the peer */
		{ "192.0.2.128", 25 },  /* inside the outside link */
		{ "127.0.0.0", 16 },    /* loopback */
		{ "10.0.0.0", 8 },      /* covers the inside network */
		{ "10.9.0.128", 25 },   /* inside it */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.nsplit = 0;
		split("10.20.0.0", 16);         /* a good one first: one bad one refuses all */
		split(bad[i].net, bad[i].plen);
		cr_assert_eq(check(), EINVAL, "%s/%d accepted", bad[i].net, bad[i].plen);
	}
	m.nsplit = MSG_ROUTES_MAX + 1;
	cr_assert_eq(check(), EINVAL);
	m.nsplit = -1;
	cr_assert_eq(check(), EINVAL);
	m.nsplit = 0;
	split("0.0.0.0", 1);            /* the peer's other half, but loopback and inside */
	cr_assert_eq(check(), EINVAL);
	m.nsplit = 0;
	split("100.64.0.0", 10);
	split("10.10.0.0", 16);         /* beside the inside network */
	split("198.51.100.0", 24);      /* the second peer's, but not this session's peer */
	cr_assert_eq(check(), 0, "%s", why);
	cr_assert_eq(acc.nsplit, 3);
}
