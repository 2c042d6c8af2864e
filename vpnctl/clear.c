/*
 * clear crypto sa [peer A] and clear crypto isakmp [CONN-ID]: checked here, so a typo gets a
 * one-line error even when vpnd is not running, then sent to vpnd's control socket.
 */
#include <arpa/inet.h>
#include <string.h>

#include "vpnctl/vpnctl.h"

int clear_crypto_sa(const struct vctx *c, int argc, char **argv)
{
	if (argc != 0 && (argc != 2 || !vctl_kw(argv[0], "peer")))
		return vctl_invalid(c);
	if (argc == 2 && vctl_addr(argv[1]) == NULL)
		return 1;
	char *fwd[2] = { "peer", argc ? argv[1] : NULL };
	return vctl_forward(c, argc, fwd);
}

int clear_crypto_isakmp(const struct vctx *c, int argc, char **argv)
{
	if (argc > 1)
		return vctl_invalid(c);
	if (argc == 1) {
		const char *p = argv[0];
		size_t n = strspn(p, "0123456789");
		if (n == 0 || p[n] != '\0' || n > 10 || p[0] == '0') {
			fprintf(stderr, "%% Invalid conn-id: '%s' (expected a number from "
			        "'show crypto isakmp sa')\n", vctl_safe(p));
			return 1;
		}
	}
	return vctl_forward(c, argc, argv);
}
