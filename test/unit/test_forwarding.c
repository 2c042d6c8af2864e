/*
 * The parent's forwarding switches (parent/forwarding.c) on a /proc/sys/net look-alike in a
 * temporary directory: what ip routing and ipv6 unicast-routing raise, accept_ra 1 -> 2 on
 * every interface but `all`, `default` and vpnd's own tunnels and nothing ever lowered, the warnings when the
 * switches are off and a template needs them, and one warning, no failure, when the tree
 * cannot be read or written.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "parent/forwarding.h"

static char root[64];
static char lines[8192];
static int nlines;
static struct vpnd_conf *conf;

static void sink(int pri, const char *msg, const struct log_peer *peer)
{
	(void)peer;
	snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%d %s\n", pri, msg);
	nlines++;
}

static void put(const char *rel, int v)
{
	char path[256], dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *s = dir + strlen(root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fprintf(f, "%d\n", v);
	fclose(f);
}

static int get(const char *rel)
{
	char path[256];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	cr_assert_eq(fscanf(f, "%d", &v), 1, "%s", path);
	fclose(f);
	return v;
}

/* the tree of a host nobody configured: no forwarding, RAs taken (1) but on eth1 (0) */
static void tree(int v4, int v6)
{
	put("ipv4/ip_forward", v4);
	put("ipv6/conf/all/forwarding", v6);
	put("ipv6/conf/all/accept_ra", 1);
	put("ipv6/conf/default/forwarding", v6);
	put("ipv6/conf/default/accept_ra", 1);
	put("ipv6/conf/eth0/forwarding", v6);
	put("ipv6/conf/eth0/accept_ra", 1);
	put("ipv6/conf/eth1/accept_ra", 0);
	put("ipv6/conf/eth2/accept_ra", 2);
	put("ipv6/conf/va3/accept_ra", 1);     /* a session's interface */
	put("ipv6/conf/vanilla/accept_ra", 1); /* not ours, whatever its name */
}

static void load(const char *text)
{
	memset(conf, 0, sizeof(*conf));
	cr_assert_eq(conf_load_buf("t.conf", text, strlen(text), conf, NULL, NULL), 0, "%s", text);
}

static void apply(void)
{
	lines[0] = '\0';
	nlines = 0;
	forwarding_apply(root, conf);
}

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/test_forwarding.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	conf = calloc(1, sizeof(*conf));
	cr_assert_not_null(conf);
	log_init("vpnd", 0);
	log_set_sink(sink);
}

static void teardown(void)
{
	char cmd[128];

	log_set_sink(NULL);
	free(conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(forwarding, .init = setup, .fini = teardown);

Test(forwarding, unicast_routing_raises_both_and_accept_ra_first)
{
	tree(0, 0);
	load("ipv6 unicast-routing\ninterface Virtual-Template1 type tunnel\n ipv6 enable\n");
	apply();
	cr_expect_eq(get("ipv4/ip_forward"), 1);
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 1);
	cr_expect_eq(get("ipv6/conf/default/accept_ra"), 1, "`default` raised: new vaN would "
	             "take a client's router advertisements");
	cr_expect_eq(get("ipv6/conf/va3/accept_ra"), 1, "a session's interface raised");
	cr_expect_eq(get("ipv6/conf/vanilla/accept_ra"), 2);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 2);
	cr_expect_eq(get("ipv6/conf/eth1/accept_ra"), 0, "accept_ra 0 was raised");
	cr_expect_eq(get("ipv6/conf/eth2/accept_ra"), 2);
	cr_expect_eq(get("ipv6/conf/all/accept_ra"), 1, "`all` means nothing for accept_ra");
	cr_expect_eq(nlines, 2, "%s", lines);
	cr_expect_not_null(strstr(lines, "ip routing: IPv4 forwarding turned on "
	                          "(net.ipv4.ip_forward=1)"), "%s", lines);
	cr_expect_not_null(strstr(lines, "ipv6 unicast-routing: IPv6 forwarding turned on "
	                          "(net.ipv6.conf.all.forwarding=1); accept_ra 1 -> 2 on "), "%s",
	                   lines);
	cr_expect_null(strstr(lines, " default"), "%s", lines);
	cr_expect_not_null(strstr(lines, " eth0"), "%s", lines);
	cr_expect_not_null(strstr(lines, " (router advertisements still count there)\n"), "%s",
	                   lines);
	cr_expect_null(strstr(lines, "eth1"), "%s", lines);
	cr_expect_null(strstr(lines, "eth2"), "%s", lines);
	/* a reload with nothing left to do says nothing */
	apply();
	cr_expect_eq(nlines, 0, "%s", lines);
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 1);
}

/* forwarding already on (someone else's): accept_ra still goes to 2, forwarding stays */
Test(forwarding, already_on_accept_ra_only)
{
	tree(1, 1);
	load("ipv6 unicast-routing\n");
	apply();
	cr_expect_eq(get("ipv4/ip_forward"), 1);
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 1);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 2);
	cr_expect_eq(nlines, 1, "%s", lines);
	cr_expect_not_null(strstr(lines, "ipv6 unicast-routing: accept_ra 1 -> 2 on "), "%s", lines);
}

/* neither switch: nothing raised, and the two warnings name the template and the fix */
Test(forwarding, off_warns_for_templates)
{
	tree(0, 0);
	load("no ip routing\ninterface Virtual-Template1 type tunnel\n ipv6 enable\n");
	apply();
	cr_expect_eq(get("ipv4/ip_forward"), 0);
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 0);
	cr_expect_eq(get("ipv6/conf/default/accept_ra"), 1);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 1);
	cr_expect_eq(nlines, 2, "%s", lines);
	cr_expect_not_null(strstr(lines, "no ip routing, and IPv4 forwarding is off "
	                          "(net.ipv4.ip_forward=0): clients of Virtual-Template1"), "%s",
	                   lines);
	cr_expect_not_null(strstr(lines, "Virtual-Template1 carries IPv6 inside but IPv6 "
	                          "forwarding is off"), "%s", lines);
	cr_expect_not_null(strstr(lines, "add 'ipv6 unicast-routing'"), "%s", lines);
}

/* off but on already, or no template that needs it: silent; ip routing alone leaves IPv6 */
Test(forwarding, quiet_when_not_needed)
{
	tree(1, 1);
	load("no ip routing\ninterface Virtual-Template1 type tunnel\n ipv6 enable\n");
	apply();
	cr_expect_eq(nlines, 0, "%s", lines);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 1);

	tree(0, 0);
	load("no ip routing\ninterface Virtual-Template1 type tunnel\n tunnel mode ipsec ipv6\n"
	     "interface Virtual-Template2 type tunnel\n");
	apply();
	/* the IPv6-only template carries no IPv4; the plain one carries no IPv6 */
	cr_expect_eq(nlines, 2, "%s", lines);
	cr_expect_not_null(strstr(lines, "clients of Virtual-Template2 cannot"), "%s", lines);
	cr_expect_not_null(strstr(lines, "Virtual-Template1 carries IPv6 inside"), "%s", lines);

	tree(0, 0);
	load("hostname h\n");
	apply();
	cr_expect_eq(get("ipv4/ip_forward"), 1);
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 0);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 1);
	cr_expect_eq(nlines, 1, "%s", lines);
}

/* interfaces whose accept_ra cannot be read or written: one warning for all of them, and
 * forwarding still goes on */
Test(forwarding, accept_ra_failures_warned_once)
{
	char path[256];

	tree(0, 0);
	for (int k = 3; k <= 4; k++) {
		snprintf(path, sizeof(path), "%s/ipv6/conf/eth%d", root, k);
		cr_assert_eq(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/ipv6/conf/eth%d/accept_ra", root, k);
		cr_assert_eq(mkdir(path, 0755), 0);   /* a directory: read fails with EISDIR */
	}
	load("ipv6 unicast-routing\n");
	apply();
	cr_expect_eq(get("ipv6/conf/all/forwarding"), 1);
	cr_expect_eq(get("ipv6/conf/eth0/accept_ra"), 2);
	cr_expect_eq(nlines, 3, "%s", lines);
	const char *w = strstr(lines, "ipv6 unicast-routing: cannot raise accept_ra (");
	cr_expect_not_null(w, "%s", lines);
	cr_expect_null(w ? strstr(w + 30, "cannot raise") : NULL, "warned twice:\n%s", lines);
	cr_expect_not_null(strstr(lines, "/accept_ra: Is a directory, and more): router "
	                          "advertisements are ignored there"), "%s", lines);
}

/* no tree at all (a container without /proc/sys, a kernel without IPv6): one warning per
 * family that the configuration needs, and on */
Test(forwarding, unreadable_proc)
{
	char gone[128];

	snprintf(gone, sizeof(gone), "%s/none", root);
	load("ipv6 unicast-routing\n");
	lines[0] = '\0';
	nlines = 0;
	forwarding_apply(gone, conf);
	cr_expect_eq(nlines, 2, "%s", lines);
	cr_expect_not_null(strstr(lines, "IPv4 forwarding left as it is: cannot read"), "%s", lines);
	cr_expect_not_null(strstr(lines, "IPv6 forwarding left as it is: cannot read"), "%s", lines);
	/* IPv6 neither configured nor needed: only the IPv4 line */
	load("hostname h\n");
	lines[0] = '\0';
	nlines = 0;
	forwarding_apply(gone, conf);
	cr_expect_eq(nlines, 1, "%s", lines);
}
