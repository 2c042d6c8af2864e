/*
 * vpnctl [-S DIR] COMMAND...
 * Show commands read DIR/vpnd.db read-only; anything else goes to vpnd's control socket.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpnctl/vpnctl.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vpnctl [-S DIR] [--json] COMMAND\n"
	           "  show crypto session [detail] [username U | remote A | group G]\n"
	           "  show crypto session history\n"
	           "  sql \"SELECT ...\"          read-only query on the session store\n"
	           "  clear crypto session [remote A | username U | group G]\n"
	           "  ping                      (asks vpnd over its control socket)\n"
	           "  help\n"
	           "DIR defaults to /var/run/vpnd; --json prints show output as JSON.\n");
}

int main(int argc, char **argv)
{
	struct vctx c = { .dir = "/var/run/vpnd" };
	char *args[64];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-S") && i + 1 < argc)
			c.dir = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			c.json = 1;
		else if (n < 63)
			args[n++] = argv[i];
	}
	if (n == 0 || !strcmp(args[0], "help") || !strcmp(args[0], "-h")) {
		usage(n == 0 ? stderr : stdout);
		return n == 0 ? 2 : 0;
	}
	if (!strcmp(args[0], "sql")) {
		if (n != 2) {
			fprintf(stderr, "%% Invalid input: expected sql \"SELECT ...\"\n");
			return 1;
		}
		return vctl_sql(&c, args[1]);
	}
	if (n >= 3 && !strcmp(args[0], "show") && !strcmp(args[1], "crypto") &&
	    !strcmp(args[2], "session")) {
		int k = 3;
		if (k < n && !strcmp(args[k], "history"))
			return show_crypto_session_history(&c, n - k - 1, args + k + 1);
		if (k < n && !strcmp(args[k], "detail")) {
			c.detail = 1;
			k++;
		}
		return show_crypto_session(&c, n - k, args + k);
	}
	if (!strcmp(args[0], "show")) {
		char line[512] = "";
		for (int i = 0; i < n; i++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "",
			         args[i]);
		fprintf(stderr, "%% Invalid input: '%s' (try 'vpnctl help')\n", line);
		return 1;
	}
	/* Actions: one line to the control socket. */
	char line[1024] = "";
	for (int i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "", args[i]);
	return vctl_control(&c, line);
}
