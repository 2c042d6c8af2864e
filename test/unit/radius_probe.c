/*
 * test_radius.sh's probe of keymgr's Access-Challenge relay (vpnc cannot answer a second
 * XAUTH round unattended): XAUTH as USER with PASS1 must come back XAUTH_CHALLENGED with the
 * server's Reply-Message; the answer PASS2 on the same SA must carry the challenge's State
 * and be accepted. usage: radius_probe CONF LIST GROUP USER PASS1 PASS2
 * With PASS1 alone: one XAUTH, prints "status N: message" (exit 0 when accepted).
 *
 * radius_probe -s CONF LIST GROUP USER PASS...: one XAUTH per password in turn, in this one
 * process (what the client learnt of a server carries over), one "status N: message" line each.
 * radius_probe -p N CONF LIST GROUP USER PASS: N XAUTHs at once on a libuv loop, as keymgr
 * runs them; prints "N logins in S s (R/s), A accepted"; exit 0 when all were accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static struct vpnd_conf conf;

static void fill(struct msg_xauth_req *rq, char **av, const char *pw, uint32_t sa)
{
	memset(rq, 0, sizeof(*rq));
	rq->sa_id = sa;
	snprintf(rq->auth_list, sizeof(rq->auth_list), "%s", av[2]);
	snprintf(rq->group, sizeof(rq->group), "%s", av[3]);
	snprintf(rq->user, sizeof(rq->user), "%s", av[4]);
	snprintf(rq->password, sizeof(rq->password), "%s", pw);
	rq->peer.sin.sin_family = AF_INET;
	rq->peer.sin.sin_addr.s_addr = htonl(0x7f000001);
}

static int answered, accepted;

static void on_answer(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	const struct msg_xauth_res *r = data;
	(void)peerid;
	if (type != IMSG_XAUTH_RES || len != sizeof(*r))
		return;
	answered++;
	accepted += r->status == XAUTH_OK;
}

static int parallel(int n, char **av)
{
	struct timespec t0, t1;
	uv_loop_t *loop = uv_default_loop();
	radius_init(&conf, loop);
	keymgr_set_sender(on_answer);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		struct msg_xauth_req rq;
		struct msg_xauth_res res;
		fill(&rq, av, av[5], 100 + (uint32_t)i);
		if (!keymgr_xauth_q((uint32_t)i, &rq, &res))
			on_answer(IMSG_XAUTH_RES, (uint32_t)i, &res, sizeof(res));
	}
	while (answered < n && uv_run(loop, UV_RUN_ONCE))
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%d logins in %.2f s (%.1f/s), %d accepted\n", answered, s, answered / s, accepted);
	return answered == n && accepted == n ? 0 : 1;
}

static int xauth(char **av, const char *pw, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = 42;
	snprintf(rq.auth_list, sizeof(rq.auth_list), "%s", av[2]);
	snprintf(rq.group, sizeof(rq.group), "%s", av[3]);
	snprintf(rq.user, sizeof(rq.user), "%s", av[4]);
	snprintf(rq.password, sizeof(rq.password), "%s", pw);
	rq.peer.sin.sin_family = AF_INET;
	rq.peer.sin.sin_addr.s_addr = htonl(0x7f000001);
	keymgr_xauth(&rq, res);
	return res->status;
}

int main(int ac, char **av)
{
	struct msg_xauth_res res;
	if (ac >= 8 && !strcmp(av[1], "-p")) {
		if (conf_load(av[3], &conf, NULL, NULL) != 0)
			return 2;
		keymgr_init(&conf);
		return parallel(atoi(av[2]), av + 2);
	}
	if (ac >= 7 && !strcmp(av[1], "-s")) {
		if (conf_load(av[2], &conf, NULL, NULL) != 0)
			return 2;
		keymgr_init(&conf);
		radius_init(&conf, NULL);
		for (int i = 6; i < ac; i++) {
			struct msg_xauth_req rq;
			fill(&rq, av + 1, av[i], 42 + (uint32_t)i);
			keymgr_xauth(&rq, &res);
			printf("status %d: %s\n", res.status, res.message);
			fflush(stdout);
		}
		return 0;
	}
	if (ac != 6 && ac != 7) {
		fprintf(stderr, "usage: radius_probe CONF LIST GROUP USER PASS1 [PASS2]\n");
		return 2;
	}
	if (conf_load(av[1], &conf, NULL, NULL) != 0)
		return 2;
	keymgr_init(&conf);
	radius_init(&conf, NULL);     /* no loop: requests run in this thread */
	if (ac == 6) {
		int st = xauth(av, av[5], &res);
		printf("status %d: %s\n", st, res.message);
		return st == XAUTH_OK ? 0 : 1;
	}
	if (xauth(av, av[5], &res) != XAUTH_CHALLENGED) {
		printf("first round: status %d (%s), expected a challenge\n", res.status, res.message);
		return 1;
	}
	printf("challenge: %s\n", res.message);
	if (xauth(av, av[6], &res) != XAUTH_OK) {
		printf("second round: status %d (%s), expected accept\n", res.status, res.message);
		return 1;
	}
	printf("accepted after the challenge\n");
	return 0;
}
