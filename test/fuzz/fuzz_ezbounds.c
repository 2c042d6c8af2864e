// clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. test/fuzz/fuzz_ezbounds.c tunmgr/ezbounds.c common/conf*.c common/cisco_secret.c common/alg.c -lcrypto -o fuzz_ezbounds
/*
 * ez_bounds() on arbitrary IMSG_EZ_VA_CREATE payloads (what a taken-over ikemgr, or a server
 * through it, can make tunmgr look at), then the SA and inbound checks on what it accepted:
 * no crash, and anything accepted is within the invariants tunmgr relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "tunmgr/ezbounds.h"

static struct vpnd_conf conf;
static struct ez_net local[2];

static const char cfg[] =
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered lo\n"
	"interface inside0\n"
	" ip address 10.9.0.1 255.255.255.0\n";

static void setup(void)
{
	if (conf_load_buf("fuzz", cfg, sizeof(cfg) - 1, &conf, NULL, NULL) != 0)
		abort();
	for (int k = 0; k < 2; k++) {
		struct conf_ezvpn *ez = &conf.ezvpn[conf.nezvpn++];
		strcpy(ez->name, k ? "ne" : "hq");
		ez->mode = k ? EZ_MODE_NETWORK_EXTENSION : EZ_MODE_CLIENT;
		inet_pton(AF_INET, "192.0.2.1", &ez->peer[0]);
		ez->npeer = 1;
		ez->virtual_interface = 1;
		strcpy(ez->inside[0], "inside0");
		ez->ninside = 1;
	}
	inet_pton(AF_INET, "192.0.2.0", &local[0].net);
	local[0].plen = 24;
	inet_pton(AF_INET, "127.0.0.0", &local[1].net);
	local[1].plen = 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct msg_ez_va m;
	struct ez_accepted acc;
	char why[160];

	if (!ready++)
		setup();
	memset(&m, 0, sizeof(m));
	memcpy(&m, data, size < sizeof(m) ? size : sizeof(m));
	if (ez_bounds(&conf, &m, local, 2, NULL, 0, &acc, why, sizeof(why)) != 0) {
		if (!memchr(why, 0, sizeof(why)))
			abort();
		return 0;
	}
	if (acc.nsplit < 0 || acc.nsplit > MSG_ROUTES_MAX)
		abort();
	for (int i = 0; i < acc.nsplit; i++) {
		struct ez_net s = acc.split[i];
		if (s.plen < 1 || s.plen > 32 || ez_nets_overlap(s, local[0]) ||
		    ez_nets_overlap(s, local[1]) || !ez_sel_ok(&acc, s.net, s.plen))
			abort();
	}
	if (!ez_sel_ok(&acc, (struct in_addr){ 0 }, 0))
		abort();
	/* client mode: nothing but the address is reachable through the tunnel */
	if (acc.mode == EZ_MODE_CLIENT &&
	    (ez_inbound_ok(&acc, 0, m.peer.sin.sin_addr.s_addr) || (acc.ninside &&
	     ez_inbound_ok(&acc, 0, acc.inside[0].net.s_addr | htonl(1)))))
		abort();
	return 0;
}
