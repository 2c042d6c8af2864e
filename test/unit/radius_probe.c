/*
 * test_radius.sh's probe of keymgr's Access-Challenge relay (vpnc cannot answer a second
 * XAUTH round unattended): XAUTH as USER with PASS1 must come back XAUTH_CHALLENGED with the
 * server's Reply-Message; the answer PASS2 on the same SA must carry the challenge's State
 * and be accepted. usage: radius_probe CONF LIST GROUP USER PASS1 PASS2
 * With PASS1 alone: one XAUTH, prints "status N: message" (exit 0 when accepted).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static struct vpnd_conf conf;

static int xauth(char **av, const char *pw, struct msg_xauth_res *res)
{
	struct msg_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = 42;
	snprintf(rq.auth_list, sizeof(rq.auth_list), "%s", av[2]);
	snprintf(rq.group, sizeof(rq.group), "%s", av[3]);
	snprintf(rq.user, sizeof(rq.user), "%s", av[4]);
	snprintf(rq.password, sizeof(rq.password), "%s", pw);
	rq.peer.sin_family = AF_INET;
	rq.peer.sin_addr.s_addr = htonl(0x7f000001);
	keymgr_xauth(&rq, res);
	return res->status;
}

int main(int ac, char **av)
{
	struct msg_xauth_res res;
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
