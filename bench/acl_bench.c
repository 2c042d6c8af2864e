/*
 * Cost of the data plane's access list (tunmgr/acl.c) per packet: a TCP packet walked through
 * a 32-entry list whose only match is the last entry (the worst case; first match decides),
 * once with address-only entries and once with entries that also test source and destination
 * port ranges, established and ICMP types, as pasted IOS lists do. Median of 5 runs, single
 * thread. Not part of the test suite. Build and run from the top of the tree:
 *
 *   cc -O2 -D_GNU_SOURCE -I. bench/acl_bench.c tunmgr/acl.c -o /tmp/acl_bench
 *   /tmp/acl_bench [seconds-per-run]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "tunmgr/acl.h"

#define RUNS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* 31 entries that miss the packet, then a permit that takes it */
static void build(struct conf_acl *acl, int rich)
{
	memset(acl, 0, sizeof(*acl));
	acl->extended = 1;
	for (int i = 0; i < CONF_MAX_ACES - 1; i++) {
		struct conf_ace *e = &acl->ace[i];
		e->proto = 6;
		e->dst.s_addr = htonl(0x0a630000u + (uint32_t)i);   /* 10.99.0.i: never the packet's */
		e->dstmask.s_addr = 0xffffffffu;
		if (rich) {
			/* the address test fails first anyway: put the address last to pay for more */
			e->dst.s_addr = e->dstmask.s_addr = 0;
			e->sport_op = ACE_PORT_GT;
			e->sport_lo = 1024;
			e->sport_hi = 65535;
			e->dport_op = ACE_PORT_RANGE;
			e->dport_lo = (uint16_t)(2000 + i);
			e->dport_hi = (uint16_t)(2000 + i);   /* never the packet's port */
			e->established = 1;
		}
	}
	acl->ace[CONF_MAX_ACES - 1] = (struct conf_ace){ .permit = 1 };
	acl->nace = CONF_MAX_ACES;
}

static double run(const struct conf_acl *acl, const uint8_t *pkt, size_t len, double secs)
{
	uint64_t n = 0, ok = 0;
	double t0 = now(), t;

	do {
		for (int i = 0; i < 10000; i++)
			ok += (uint64_t)acl_permits(acl, pkt, len);
		n += 10000;
	} while ((t = now()) - t0 < secs);
	if (ok != n) {
		fprintf(stderr, "acl_bench: the packet was not permitted\n");
		exit(1);
	}
	return (t - t0) * 1e9 / (double)n;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static struct conf_acl acl;
	uint8_t pkt[40] = { 0x45 };

	pkt[9] = 6;
	inet_pton(AF_INET, "192.168.1.10", pkt + 12);
	inet_pton(AF_INET, "10.2.1.10", pkt + 16);
	pkt[20] = 0x9c; pkt[21] = 0x40;         /* 40000 -> 443, ACK */
	pkt[22] = 0x01; pkt[23] = 0xbb;
	pkt[33] = 0x10;
	printf("%-34s %10s\n", "32 entries, match on the last", "ns/packet");
	for (int rich = 0; rich <= 1; rich++) {
		double r[RUNS];
		build(&acl, rich);
		for (int k = 0; k < RUNS; k++)
			r[k] = run(&acl, pkt, sizeof(pkt), secs);
		qsort(r, RUNS, sizeof(r[0]), cmp_double);
		printf("%-34s %10.1f\n", rich ? "ports both ways + established" : "addresses only",
		       r[RUNS / 2]);
	}
	return 0;
}
