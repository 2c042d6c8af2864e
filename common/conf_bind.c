/*
 * IOS interface names bound to Linux devices. A configuration pasted from a router says
 * FastEthernet0/0; the device is the one `physical-interface DEV` names, else the one that
 * holds the interface's `ip address` on this host. Only the parent binds (when it runs or
 * checks a file): the parser alone must not depend on the machine it runs on.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>

#include "common/conf.h"

static void report(const struct vpnd_conf *c, int line, int is_error, conf_diag_fn diag,
                   void *arg, const char *text)
{
	char msg[CONF_PATH_MAX + 400];

	snprintf(msg, sizeof(msg), "%s:%d: %s: %s", c->source, line,
	         is_error ? "error" : "warning", text);
	if (diag)
		diag(arg, is_error, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/* An interface whose Linux device something needs: the outside or an inside of an ezvpn, or
 * one a crypto map protects. */
static int needed(const struct conf_interface *f)
{
	return f->ezvpn[0] != '\0' || f->crypto_map[0] != '\0';
}

/* "eth0:1" is an address label of eth0 */
static void device_of(const char *label, char *dev, size_t len)
{
	size_t n = strcspn(label, ":");

	snprintf(dev, len, "%.*s", (int)(n < len ? n : len - 1), label);
}

static int has_device(const struct ifaddrs *all, const char *dev)
{
	char d[CONF_NAME_MAX];

	for (const struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
		device_of(i->ifa_name, d, sizeof(d));
		if (strcmp(d, dev) == 0)
			return 1;
	}
	return 0;
}

static int holder(const struct ifaddrs *all, struct in_addr a, char *dev, size_t len)
{
	for (const struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr ==
		    a.s_addr) {
			device_of(i->ifa_name, dev, len);
			return 1;
		}
	}
	return 0;
}

int conf_bind_devices(struct vpnd_conf *c, const struct ifaddrs *all, conf_diag_fn diag,
                      void *arg)
{
	char text[400], a[INET_ADDRSTRLEN];
	int nerr = 0;

	for (int k = 0; k < c->niface && k < CONF_MAX_IFACES; k++) {
		struct conf_interface *f = &c->iface[k];
		int need = needed(f);

		/* Linux names are their own device; a Loopback is lo; templates are cloned */
		/* ... and a TunnelN is the TUN device tunmgr makes under that name */
		if (f->is_template || f->is_loopback || f->is_vti || !conf_iface_is_ios(f->name))
			continue;
		if (f->device_explicit) {
			if (!has_device(all, f->device)) {
				snprintf(text, sizeof(text), "%s: physical-interface %s: no such device on "
				         "this system", f->name, f->device);
				report(c, f->line, need, diag, arg, text);
				nerr += need;
			}
			continue;
		}
		f->device[0] = '\0';
		if (f->has_addr && holder(all, f->addr, f->device, sizeof(f->device)))
			continue;
		if (f->has_addr) {
			inet_ntop(AF_INET, &f->addr, a, sizeof(a));
			snprintf(text, sizeof(text), "%s: no Linux device holds %s; physical-interface "
			         "DEV names one", f->name, a);
		} else {
			snprintf(text, sizeof(text), "%s: no ip address to find its Linux device by; "
			         "physical-interface DEV names one", f->name);
		}
		report(c, f->line, need, diag, arg, text);
		nerr += need;
	}
	return nerr;
}
