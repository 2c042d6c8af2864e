/*
 * IP forwarding in vpnd's network namespace, as IOS's switches say: IPv4 unless `no ip
 * routing` (IOS routes IPv4 by default), IPv6 only with `ipv6 unicast-routing`. Clients of a
 * virtual template reach past the hub only if the host forwards their packets.
 *
 * IPv6 forwarding on makes Linux ignore router advertisements on every interface whose
 * accept_ra is 1, and turning it on purges the default routes such interfaces learnt from
 * them: an uplink configured by SLAAC would lose its default route. So those interfaces go to
 * accept_ra 2 first, then forwarding goes on. Not `default`, and never vpnd's own tunnel
 * interfaces (vaN, cmN, static VTIs): what is made later, a session's interface above all,
 * keeps the kernel's 1, so no client's router advertisement is ever taken. Nothing is ever
 * lowered: accept_ra 0 stays, a switch left out leaves the host alone.
 *
 * The values are the administrator's, not the network's; a /proc that cannot be read or
 * written (a container) costs a warning, never the start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "parent/forwarding.h"

/* one integer and a newline, as the kernel prints a boolean or small sysctl */
static int sysctl_read(const char *path, int *v)
{
	char buf[32], *end;
	ssize_t n;
	long l;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	close(fd);
	errno = e;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	l = strtol(buf, &end, 10);
	if (end == buf || (*end != '\0' && *end != '\n') || l < INT_MIN || l > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	*v = (int)l;
	return 0;
}

static int sysctl_write(const char *path, int v)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d\n", v), fd, e;
	ssize_t n;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, buf, (size_t)len);
	e = n == -1 ? errno : EIO;
	if (close(fd) == -1 && n == len)
		return -1;
	if (n == len)
		return 0;
	errno = e;
	return -1;
}

/* Does the interface carry IPv4 inside? Only the IPv6-passenger modes carry none. */
static int inner4(const struct conf_interface *t)
{
	return t->tunnel_mode_ipsec != TUNNEL_IPSEC_IPV6 &&
	       t->tunnel_mode_ipsec != TUNNEL_IPSEC_IPV6_V4;
}

static void apply4(const char *procnet, const struct vpnd_conf *c)
{
	const char *tmpl = NULL;
	char path[PATH_MAX];
	int on;

	for (int k = 0; k < c->niface && !tmpl; k++)
		if (c->iface[k].is_template && inner4(&c->iface[k]))
			tmpl = c->iface[k].name;
	snprintf(path, sizeof(path), "%s/ipv4/ip_forward", procnet);
	if (sysctl_read(path, &on) == -1) {
		if (!c->no_ip_routing || tmpl)
			log_warn("IPv4 forwarding left as it is: cannot read %s", path);
		return;
	}
	if (c->no_ip_routing) {
		if (!on && tmpl)
			log_warnx("no ip routing, and IPv4 forwarding is off (net.ipv4.ip_forward=0): "
			          "clients of %s cannot reach past this host; remove 'no ip routing' "
			          "to have vpnd turn it on", tmpl);
		return;
	}
	if (on)
		return;
	if (sysctl_write(path, 1) == -1)
		log_warn("ip routing: cannot turn IPv4 forwarding on (%s)", path);
	else
		log_info("ip routing: IPv4 forwarding turned on (net.ipv4.ip_forward=1)");
}

/* add name to the space-separated list in buf, "..." once it is full */
static void list_add(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);

	if (len + strlen(name) + 6 >= size) {
		if (len + 5 < size && (len < 3 || strcmp(buf + len - 3, "...") != 0))
			snprintf(buf + len, size - len, "%s...", len ? " " : "");
		return;
	}
	snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

/*
 * One of vpnd's tunnel interfaces: a session's vaN, a crypto map's cmN (tunmgr names them),
 * a configured TunnelN (the device takes the interface's name).
 */
static int own_tunnel(const struct vpnd_conf *c, const char *name)
{
	if ((!strncmp(name, "va", 2) || !strncmp(name, "cm", 2)) && name[2] &&
	    strspn(name + 2, "0123456789") == strlen(name + 2))
		return 1;
	for (int k = 0; k < c->niface; k++)
		if (!c->iface[k].is_template && !strcmp(c->iface[k].name, name) &&
		    !strncasecmp(name, "Tunnel", 6))
			return 1;
	return 0;
}

/*
 * accept_ra 1 -> 2 on the entries of PROCNET/ipv6/conf but `all` (the kernel reads accept_ra
 * per interface only), `default` and our own tunnels. The names changed go to changed; the
 * first failure (path and errno) to failed and their count to nfail, so that they make one
 * log line.
 */
static void raise_accept_ra(const char *procnet, const struct vpnd_conf *c, char *changed,
                            size_t csize, char *failed, size_t fsize, int *ferr, int *nfail)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 16];
	struct dirent *de;
	DIR *d;
	int v;

	snprintf(dir, sizeof(dir), "%s/ipv6/conf", procnet);
	if ((d = opendir(dir)) == NULL) {
		*ferr = errno;
		snprintf(failed, fsize, "%s", dir);
		(*nfail)++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "all") ||
		    !strcmp(de->d_name, "default") || own_tunnel(c, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/accept_ra", dir, de->d_name);
		if (sysctl_read(path, &v) == -1) {
			/* ENOENT: an interface that went away between readdir and open */
			if (errno != ENOENT && !(*nfail)++) {
				*ferr = errno;
				snprintf(failed, fsize, "%s", path);
			}
			continue;
		}
		if (v != 1)
			continue;
		if (sysctl_write(path, 2) == 0)
			list_add(changed, csize, de->d_name);
		else if (!(*nfail)++) {
			*ferr = errno;
			snprintf(failed, fsize, "%s", path);
		}
	}
	closedir(d);
}

static void apply6(const char *procnet, const struct vpnd_conf *c)
{
	const char *tmpl = NULL;
	char path[PATH_MAX], changed[256] = "", failed[PATH_MAX + NAME_MAX + 16] = "";
	char what[512] = "";
	int on, ferr = 0, nfail = 0, turned = 0;

	for (int k = 0; k < c->niface && !tmpl; k++)
		if (c->iface[k].is_template && conf_tunnel_inner6(&c->iface[k]))
			tmpl = c->iface[k].name;
	snprintf(path, sizeof(path), "%s/ipv6/conf/all/forwarding", procnet);
	if (sysctl_read(path, &on) == -1) {
		/* ENOENT: no IPv6 in this kernel (ipv6.disable=1) */
		if (c->ipv6_unicast_routing || tmpl)
			log_warn("IPv6 forwarding left as it is: cannot read %s", path);
		return;
	}
	if (!c->ipv6_unicast_routing) {
		if (!on && tmpl)
			log_warnx("%s carries IPv6 inside but IPv6 forwarding is off "
			          "(net.ipv6.conf.all.forwarding=0): its clients get an IPv6 address "
			          "and no route past this host; add 'ipv6 unicast-routing'", tmpl);
		return;
	}
	/* before forwarding goes on: turning it on purges the RA-learnt default routes of every
	 * interface whose accept_ra is not 2 */
	raise_accept_ra(procnet, c, changed, sizeof(changed), failed, sizeof(failed), &ferr,
	                &nfail);
	if (nfail)
		log_warnx("ipv6 unicast-routing: cannot raise accept_ra (%s: %s%s): router "
		          "advertisements are ignored there once IPv6 forwarding is on", failed,
		          strerror(ferr), nfail > 1 ? ", and more" : "");
	if (!on) {
		if (sysctl_write(path, 1) == -1)
			log_warn("ipv6 unicast-routing: cannot turn IPv6 forwarding on (%s)", path);
		else
			turned = 1;
	}
	if (turned)
		snprintf(what, sizeof(what), "IPv6 forwarding turned on "
		         "(net.ipv6.conf.all.forwarding=1)");
	if (changed[0])
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
		         "%saccept_ra 1 -> 2 on %s (router advertisements still count there)",
		         turned ? "; " : "", changed);
	if (what[0])
		log_info("ipv6 unicast-routing: %s", what);
}

void forwarding_apply(const char *procnet, const struct vpnd_conf *c)
{
	apply4(procnet, c);
	apply6(procnet, c);
}
