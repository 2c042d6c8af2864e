/*
 * clear crypto sa [peer A], clear crypto isakmp [CONN-ID] and clear crypto ikev2 sa
 * [TUNNEL-ID | remote A | local A]: checked here, so a typo gets a
 * one-line error even when vpnd is not running, then sent to vpnd's control socket.
 */
#include <arpa/inet.h>
#include <stdlib.h>
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

/* A conn-id or tunnel-id: 1 to 4294967295, as the store's session ids are. */
static int sa_id(const char *p, const char *what, const char *show)
{
	size_t n = strspn(p, "0123456789");
	if (n == 0 || p[n] != '\0' || n > 10 || p[0] == '0' || strtoull(p, NULL, 10) > 4294967295ULL) {
		fprintf(stderr, "%% Invalid %s: '%s' (expected a number from '%s')\n", what,
		        vctl_safe(p), show);
		return -1;
	}
	return 0;
}

int clear_crypto_isakmp(const struct vctx *c, int argc, char **argv)
{
	if (argc > 1)
		return vctl_invalid(c);
	if (argc == 1 && sa_id(argv[0], "conn-id", "show crypto isakmp sa") < 0)
		return 1;
	return vctl_forward(c, argc, argv);
}

int clear_crypto_ikev2_sa(const struct vctx *c, int argc, char **argv)
{
	if (argc == 1)
		return sa_id(argv[0], "tunnel-id", "show crypto ikev2 sa") < 0 ? 1 :
		       vctl_forward(c, argc, argv);
	if (argc == 0)
		return vctl_forward(c, 0, argv);
	if (argc != 2)
		return vctl_invalid(c);
	/* the keyword goes to vpnd spelt out, as IOS would expand it */
	char *fwd[2] = { NULL, argv[1] };
	if (vctl_kw(argv[0], "remote"))
		fwd[0] = "remote";
	else if (vctl_kw(argv[0], "local"))
		fwd[0] = "local";
	else
		return vctl_invalid(c);
	if (vctl_addr(argv[1]) == NULL)
		return 1;
	return vctl_forward(c, 2, fwd);
}
