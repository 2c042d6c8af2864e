/*
 * Prints what configuring one virtual-access interface costs, as tunmgr does it (one netlink
 * send: nl_va_setup) and as it did before (four requests, one round trip each), at several
 * interface counts, in a private network namespace. Needs root.
 *   cc -O2 -D_GNU_SOURCE -I. bench/va_bench.c tunmgr/netlink.c tunmgr/nl_dump.c \
 *      tunmgr/tun.c -o /tmp/va_bench
 *   /tmp/va_bench [N]      (default 4000, in steps of N/4)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tunmgr/netlink.h"
#include "tunmgr/tun.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int setup_old(int nl, int idx, const char *alias, struct in_addr donor, struct in_addr cl)
{
	int rc = nl_link_set_alias(nl, idx, alias);
	if (!rc)
		rc = nl_link_set(nl, idx, 1, 1400);
	if (!rc)
		rc = nl_addr_add(nl, idx, donor, 32);
	if (!rc)
		rc = nl_route_add(nl, idx, cl, 32, donor);
	return rc;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4000, step = n / 4 > 0 ? n / 4 : 1;
	int *fd = calloc((size_t)n, sizeof(int)), nl;
	struct in_addr donor;

	if (!fd || unshare(CLONE_NEWNET) != 0) {
		perror("unshare (needs root)");
		return 1;
	}
	if ((nl = nl_open()) < 0)
		return 1;
	inet_pton(AF_INET, "10.55.0.1", &donor);
	for (int old = 1; old >= 0; old--) {
		double t0 = now();
		for (int i = 0; i < n; i++) {
			char name[IF_NAMESIZE], alias[32];
			int idx, rc, plen;
			struct in_addr a, cl = { htonl(0x0a400000u + (uint32_t)i + 1) };

			snprintf(name, sizeof(name), "va%d", i + 1);
			snprintf(alias, sizeof(alias), "Virtual-Access%d", i + 1);
			fd[i] = tun_open(name, &idx);
			if (fd[i] < 0) {
				fprintf(stderr, "%s: %s\n", name, strerror(-fd[i]));
				return 1;
			}
			/* ip unnumbered: tunmgr looks the donor's address up for every interface */
			(void)nl_iface_addr(nl, "lo", &a, &plen);
			if (old)
				rc = setup_old(nl, idx, alias, donor, cl);
			else {
				struct nl_va va = { idx, alias, 1400, donor, cl, 32 };
				rc = nl_va_setup(nl, &va);
			}
			if (rc < 0) {
				fprintf(stderr, "%s: %s\n", name, strerror(-rc));
				return 1;
			}
			if ((i + 1) % step == 0) {
				double t1 = now();
				printf("%s: interfaces %d-%d: %.1f us each\n",
				       old ? "four round trips" : "nl_va_setup     ", i + 2 - step, i + 1,
				       (t1 - t0) * 1e6 / step);
				t0 = t1;
			}
		}
		for (int i = 0; i < n; i++)
			close(fd[i]);
		sleep(1);
	}
	return 0;
}
