/*
 * vpnctl [-S DIR] [--json] COMMAND...
 * Finds COMMAND in vctl_cmds[] (words may be abbreviated as on IOS); show commands read
 * DIR/vpnd.db read-only, anything else goes to vpnd's control socket.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpnctl/vpnctl.h"

#ifndef STATEDIR
#define STATEDIR "/var/lib/vpnd"   /* what configure gives with --localstatedir=/var */
#endif
#define DEFAULT_DIR STATEDIR

int vctl_kw(const char *arg, const char *word)
{
	size_t n = strlen(arg);
	return n > 0 && n <= strlen(word) && strncmp(arg, word, n) == 0;
}

/* How many words COMMAND's name takes from ARGV (0: no match); *exact when none is
 * abbreviated. */
static int cmd_match(const struct vctl_cmd *cmd, int argc, char **argv, int *exact)
{
	const char *w = cmd->words;
	int k = 0;
	*exact = 1;
	while (*w != '\0') {
		size_t n = strcspn(w, " ");
		if (k == argc)
			return 0;
		size_t len = strlen(argv[k]);
		if (len == 0 || len > n || strncmp(argv[k], w, len) != 0)
			return 0;
		if (len != n)
			*exact = 0;
		k++;
		w += n;
		w += strspn(w, " ");
	}
	return k;
}

/* The command ARGV names: the longest match, an exact one breaking ties. *ambiguous when
 * several remain. */
static const struct vctl_cmd *cmd_find(int argc, char **argv, int *used, int *ambiguous)
{
	const struct vctl_cmd *best = NULL;
	int best_k = 0, best_exact = 0, ties = 0;
	*ambiguous = 0;
	for (size_t i = 0; i < vctl_ncmds; i++) {
		int exact, k = cmd_match(&vctl_cmds[i], argc, argv, &exact);
		if (k == 0 || k < best_k)
			continue;
		if (k > best_k || (exact && !best_exact)) {
			best = &vctl_cmds[i];
			best_k = k;
			best_exact = exact;
			ties = 0;
		} else if (exact == best_exact) {
			ties++;
		}
	}
	if (ties) {
		*ambiguous = 1;
		return NULL;
	}
	*used = best_k;
	return best;
}

int vctl_invalid(const struct vctx *c)
{
	if (c->cmd)
		fprintf(stderr, "%% Invalid input: '%s' (usage: vpnctl %s%s%s)\n", vctl_safe(c->line),
		        c->cmd->words, *c->cmd->args ? " " : "", c->cmd->args);
	else
		fprintf(stderr, "%% Invalid input: '%s' (try 'vpnctl help')\n", vctl_safe(c->line));
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vpnctl [-S DIR] [--json] COMMAND [ARGUMENTS]\n\n");
	for (size_t i = 0; i < vctl_ncmds; i++) {
		const struct vctl_cmd *cmd = &vctl_cmds[i];
		fprintf(f, "  %s%s%s\n        %s\n", cmd->words, *cmd->args ? " " : "", cmd->args,
		        cmd->help);
	}
	fprintf(f, "\nWords may be abbreviated (sh cry sess det). DIR defaults to " DEFAULT_DIR ".\n"
	           "Every show command takes --json. Session shows read DIR/vpnd.db read-only;\n"
	           "commands marked (asks vpnd), and any not listed, go to vpnd over DIR/vpnd.sock.\n");
}

int vctl_help(const struct vctx *c, int argc, char **argv)
{
	if (argc)
		return vctl_invalid(c);
	usage(stdout);
	return 0;
}

/* The words joined by single spaces; NULL when longer than MAX. */
static char *join(int argc, char **argv, size_t max)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > max + 1)
		return NULL;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	struct vctx c = { .dir = DEFAULT_DIR };
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int n = 0, options = 1;
	if (!args) {
		perror("vpnctl");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!options || a[0] != '-' || a[1] == '\0') {
			args[n++] = argv[i];
		} else if (!strcmp(a, "--")) {
			options = 0;
		} else if (!strncmp(a, "-S", 2)) {
			if (a[2] == '\0' && i + 1 == argc) {
				fprintf(stderr, "vpnctl: -S needs a directory\n");
				free(args);
				return 2;
			}
			c.dir = a[2] != '\0' ? a + 2 : argv[++i];
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			c.json = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(args);
			return 0;
		} else {
			fprintf(stderr, "vpnctl: unknown option '%s' (try 'vpnctl help')\n", vctl_safe(a));
			free(args);
			return 2;
		}
	}
	if (n == 0) {
		usage(stderr);
		free(args);
		return 2;
	}
	/* The typed line, for messages; the control socket takes at most 1024 bytes anyway. */
	char *line = join(n, args, 4096);
	if (!line) {
		fprintf(stderr, "vpnctl: command too long\n");
		free(args);
		return 1;
	}
	c.line = line;

	int used = 0, ambiguous, rc;
	const struct vctl_cmd *cmd = cmd_find(n, args, &used, &ambiguous);
	if (ambiguous) {
		fprintf(stderr, "%% Ambiguous command: '%s' (try 'vpnctl help')\n", vctl_safe(line));
		rc = 1;
	} else if (cmd) {
		c.cmd = cmd;
		if (cmd->run) {
			rc = cmd->run(&c, n - used, args + used);
		} else {
			/* vpnd's own show commands answer --json themselves; the option took a slot
			 * of argv, so args has room for it */
			static char json_flag[] = "--json";
			if (c.json && strncmp(cmd->words, "show ", 5) == 0)
				args[n++] = json_flag;
			rc = vctl_forward(&c, n - used, args + used);
		}
	} else if (vctl_kw(args[0], "show")) {
		/* every show is answered here: an unknown one is a typo, not vpnd's business */
		rc = vctl_invalid(&c);
	} else {
		rc = vctl_forward(&c, n, args);
	}
	free(line);
	free(args);
	return rc;
}
