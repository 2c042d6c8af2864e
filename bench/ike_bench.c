/*
 * ikemgr's control-plane cost with many sessions, on the engine alone (no I/O: the host's
 * sends are counted). Figures only. Built with the tree (noinst): build/bench/ike_bench.
 *   ike_bench [N]    N established sessions (default 20,000), each with an IPsec SA pair,
 *                    reported to the parent, with DPD and a Session-Timeout: the time of
 *                    one 1 s tick with nothing due (against a walk of every SA, as the old
 *                    scan did each second), then of
 *                    ikev1_shutdown (a stop): DELETEs built and encrypted, every session's
 *                    end reported to the parent, keymgr and tunmgr; messages and bytes.
 * Logs go to stderr: run it 2>/dev/null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"

static unsigned long long n_dgram, n_msg[3], b_msg[3];

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void send_count(const union sa46 *l, const union sa46 *p, int port4500,
                       const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500; (void)pkt; (void)len;
	n_dgram++;
}
#define COUNTER(name, i) \
	static void name(uint32_t type, uint32_t peerid, const void *data, size_t len) \
	{ (void)type; (void)peerid; (void)data; n_msg[i]++; b_msg[i] += len; }
COUNTER(to_key, 0)
COUNTER(to_tun, 1)
COUNTER(to_parent, 2)

static const char cfg[] = "crypto isakmp keepalive 10 2\n";

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	static struct vpnd_conf conf;
	static const struct ike_io io = { send_count, to_key, to_tun, to_parent };
	if (n <= 0 || conf_load_buf("bench", cfg, sizeof(cfg) - 1, &conf, NULL, NULL) != 0)
		return 2;
	ikev1_init(&conf, &io);
	time_t now = time(NULL);
	double t0 = mono();
	for (int i = 1; i <= n; i++) {
		uint8_t cky[8] = { 0 };
		memcpy(cky, &i, sizeof(i));
		union sa46 p, l;
		sa46_from4(&p, (struct in_addr){ htonl(0xc6336400u + (uint32_t)i) }, htons(4500));
		sa46_from4(&l, (struct in_addr){ htonl(0xcb007101u) }, htons(4500));
		struct ike_sa *sa = ike_sa_new(cky, &p, &l);
		if (!sa)
			return 1;
		sa->encr = IKE_ENCR_AES;
		sa->keylen = 256;
		sa->hash = IKE_HASH_SHA256;
		sa->k.blocklen = 16;
		sa->k.prf_len = 32;
		sa->k.enc_keylen = 32;
		ike_random(sa->k.enc_key, 32);
		ike_random(sa->k.skeyid_a, 32);
		ike_random(sa->p1_iv, 16);
		sa->port4500 = 1;
		sa->peer_dpd = 1;
		sa->s.have_policy = 1;
		sa->s.policy.session_timeout = 86400;
		sa->s.policy.addr.s_addr = htonl(0x0a640000u + (uint32_t)i);
		snprintf(sa->s.user, sizeof(sa->s.user), "user%05d", i);
		snprintf(sa->s.group_name, sizeof(sa->s.group_name), "group1");
		sa->s.va_requested = sa->s.va_ready = 1;
		snprintf(sa->s.ifname, sizeof(sa->s.ifname), "va%d", i);
		sa->s.unit = i;
		struct ike_child *c = &sa->s.child[0];
		c->used = c->installed = 1;
		c->spi_in = htonl(0xc0000000u + (uint32_t)i);
		c->spi_out = htonl(0xb0000000u + (uint32_t)i);
		sa->established_at = sa->s.start = now;
		ike_sa_set_established(sa);
		sa->s.reported = 1;
		ike_report_sync(sa);
	}
	double t_setup = mono() - t0;
	memset(n_msg, 0, sizeof(n_msg));
	memset(b_msg, 0, sizeof(b_msg));
	ikev1_tick(now + 40);   /* creation deadlines: each SA once, then armed for its next */
	t0 = mono();
	ikev1_tick(now + 41);
	double t_tick = mono() - t0;
	size_t armed = ike.timers.n;
	/* for comparison, the start of what the old tick did for every SA each second */
	t0 = mono();
	for (struct ike_sa *sa = ike.all; sa; sa = sa->all_next)
		ike_report_sync(sa);
	double t_walk = mono() - t0;
	n_dgram = 0;
	t0 = mono();
	ikev1_shutdown();
	double t_stop = mono() - t0;
	printf("%d established sessions (set up in %.3f s; %zu armed: Session-Timeout)\n", n,
	       t_setup, armed);
	printf("one tick with nothing due:  %10.6f s (a walk of every SA with ike_report_sync,"
	       " which the old 1 s scan did before its checks: %.6f s)\n", t_tick, t_walk);
	printf("ikev1_shutdown (stop):      %10.3f s  %llu DELETE datagrams; imsgs to keymgr %llu"
	       " (%llu B), tunmgr %llu (%llu B), parent %llu (%llu B)\n", t_stop, n_dgram,
	       n_msg[0], b_msg[0], n_msg[1], b_msg[1], n_msg[2], b_msg[2]);
	return 0;
}
