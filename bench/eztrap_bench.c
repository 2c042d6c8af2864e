/*
 * Prints what the `connect acl` trap costs tunmgr (tunmgr/eztrap.c): arming the table for an
 * access list of 1, 8 and 32 entries (one libnftables batch), and the once-a-second counter
 * read an armed ezvpn costs, as medians, in a private network namespace. Needs root.
 *   cc -O2 -D_GNU_SOURCE -I. bench/eztrap_bench.c tunmgr/eztrap_rules.c -lnftables \
 *      -o eztrap_bench && ./eztrap_bench
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <nftables/libnftables.h>

#include "tunmgr/eztrap.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(void)
{
	static char batch[8192], out[512];
	static double t[1000];
	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare(CLONE_NEWNET): needs root");
		return 1;
	}
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_error(nft) || nft_ctx_buffer_output(nft))
		return 1;
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_NUMERIC_ALL);
	static const int sizes[] = { 1, 8, 32 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct conf_acl acl = { .name = "DIAL", .extended = 1, .nace = sizes[s] };
		for (int i = 0; i < acl.nace; i++) {
			acl.ace[i].permit = 1;
			acl.ace[i].proto = 17;
			inet_pton(AF_INET, "10.3.1.0", &acl.ace[i].src);
			inet_pton(AF_INET, "255.255.255.0", &acl.ace[i].srcmask);
			acl.ace[i].dst.s_addr = htonl(0x0a020000u | (uint32_t)i << 8);
			inet_pton(AF_INET, "255.255.255.0", &acl.ace[i].dstmask);
			acl.ace[i].dport_lo = acl.ace[i].dport_hi = (uint16_t)(1000 + i);
		}
		if (ez_trap_batch("bench", &acl, batch, sizeof(batch)) < 0)
			return 1;
		int n = 50;
		for (int k = 0; k < n; k++) {
			double t0 = now_us();
			if (nft_run_cmd_from_buffer(nft, batch) != 0) {
				fprintf(stderr, "nft: %s\n", nft_ctx_get_error_buffer(nft));
				return 1;
			}
			t[k] = now_us() - t0;
		}
		double arm = median(t, n);
		n = 1000;
		uint64_t p = 1;
		for (int k = 0; k < n; k++) {
			double t0 = now_us();
			nft_run_cmd_from_buffer(nft, "list counter ip vpnd-ezt-bench hits");
			snprintf(out, sizeof(out), "%s", nft_ctx_get_output_buffer(nft));
			if (ez_trap_packets(out, &p) < 0)
				return 1;
			t[k] = now_us() - t0;
		}
		printf("access list of %2d entries: arm (replace the table) %7.0f us, counter read "
		       "%5.0f us (%.3f%% of a core at 1/s)\n", sizes[s], arm, median(t, n),
		       median(t, n) / 1e4);
	}
	nft_ctx_free(nft);
	return 0;
}
