/*
 * vpnload's command line: hub, credentials, how many sessions at what rate from which
 * addresses, DH group, NAT-T, hold, the echo host and the ESP pump (usage() lists them).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/dh.h"
#include "bench/vpnload.h"

static void usage(void)
{
	fprintf(stderr,
	    "usage: vpnload -a HUB -g GROUP -K KEY -u USER -p PASSWORD [-n SESSIONS] [-r RATE]\n"
	    "       [-s PREFIX/LEN] [-G 2|14] [-H HOLD] [-T DEADLINE] [-N none|natt|force]\n"
	    "       [-t ECHO-HOST] [-k K] [-l BYTES] [-d SECONDS] [-e aes256|aes128|gcm256|3des]\n"
	    "       [-W FILE]\n"
	    "  -n sessions (10), -r set-ups a second (100), -s source prefix (10.99.0.0/16),\n"
	    "  -G DH group (2), -H hold seconds after set-up (0), -W hold until FILE exists (at\n"
	    "  most HOLD s), -T deadline of one set-up (30 s), -N NAT-T: none, natt (offer it),\n"
	    "  force (fake a NAT: UDP 4500), -t echo host (10.2.1.10), -k sessions to pump ESP\n"
	    "  through for -d seconds (5) with -l payload bytes (64), -e the ESP transform.\n");
	exit(2);
}

static void parse_prefix(const char *arg)
{
	char buf[32];
	struct in_addr a;
	snprintf(buf, sizeof(buf), "%s", arg);
	char *sl = strchr(buf, '/');
	int len = sl ? atoi(sl + 1) : 32;
	if (sl)
		*sl = 0;
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 32)
		usage();
	uint32_t mask = len == 32 ? ~0u : ~(~0u >> len);
	opt.src_base = ntohl(a.s_addr) & mask;
	opt.src_count = len >= 31 ? 1 : (~mask) - 1;
	if (len < 31)
		opt.src_base++;    /* neither the network nor the broadcast address */
}

void vl_parse_opts(int argc, char **argv)
{
	int c;
	opt.n = 10;
	opt.rate = 100;
	opt.dhgroup = 2;
	opt.hold = 0;
	opt.deadline = 30;
	opt.psize = 64;
	opt.duration = 5;
	opt.p2_encr = ESP_ENCR_AES_CBC;
	opt.p2_keylen = 256;
	opt.p2_auth = ESP_AUTH_HMAC_SHA1_96;
	opt.hub.sin_family = AF_INET;
	inet_pton(AF_INET, "10.2.1.10", &opt.target);
	parse_prefix("10.99.0.0/16");
	while ((c = getopt(argc, argv, "a:g:K:u:p:n:r:s:G:H:T:N:t:k:l:d:e:W:")) != -1) {
		switch (c) {
		case 'a': if (inet_pton(AF_INET, optarg, &opt.hub.sin_addr) != 1) usage(); break;
		case 'g': opt.group = optarg; break;
		case 'K': opt.key = optarg; break;
		case 'u': opt.user = optarg; break;
		case 'p': opt.password = optarg; break;
		case 'n': opt.n = atoi(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 's': parse_prefix(optarg); break;
		case 'G': opt.dhgroup = atoi(optarg); break;
		case 'H': opt.hold = atof(optarg); break;
		case 'T': opt.deadline = atof(optarg); break;
		case 'N': opt.natt = !strcmp(optarg, "none") ? 0 : !strcmp(optarg, "natt") ? 1 :
		                     !strcmp(optarg, "force") ? 2 : (usage(), 0); break;
		case 't': if (inet_pton(AF_INET, optarg, &opt.target) != 1) usage(); break;
		case 'k': opt.k = atoi(optarg); break;
		case 'l': opt.psize = atoi(optarg); break;
		case 'd': opt.duration = atof(optarg); break;
		case 'W': opt.release = optarg; break;
		case 'e':
			if (!strcmp(optarg, "aes128"))
				opt.p2_keylen = 128;
			else if (!strcmp(optarg, "gcm256"))
				opt.p2_encr = ESP_ENCR_AES_GCM16, opt.p2_auth = ESP_AUTH_NONE;
			else if (!strcmp(optarg, "3des"))
				opt.p2_encr = ESP_ENCR_3DES, opt.p2_keylen = 0;
			else if (strcmp(optarg, "aes256"))
				usage();
			break;
		default: usage();
		}
	}
	if (!opt.hub.sin_addr.s_addr || !opt.group || !opt.key || !opt.user || !opt.password ||
	    opt.n < 1 || opt.rate <= 0 || opt.k < 0 || opt.k > opt.n || opt.psize < 8 ||
	    opt.psize > 1400 || !ike_dh_supported(opt.dhgroup) || opt.dhgroup > 18)
		usage();
}
