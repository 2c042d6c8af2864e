/*
 * crypto ipsec client ezvpn xauth [NAME]: answering an Easy VPN server's XAUTH request, as
 * IOS does, with "Username:" and "Password:" prompts. vpnd is asked first whether a request
 * waits, so nobody types a password for nothing; the password is read without echo from a
 * terminal, or as the second line of stdin otherwise (scripts pipe both lines in). The two go
 * to vpnd as hex words on the command line and are wiped here once sent.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/hexword.h"
#include "common/msg.h"
#include "vpnctl/vpnctl.h"

/* One line of stdin without its line end; -1 at EOF or when longer than LEN - 1. */
static int read_line(char *buf, size_t len)
{
	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	size_t n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == len - 1 && !feof(stdin)) {
		explicit_bzero(buf, len);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

static int read_password(char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	int rc;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	rc = read_line(buf, len);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return rc;
}

int ez_xauth(const struct vctx *c, int argc, char **argv)
{
	char ans[1024], user[MSG_USER_MAX], pass[MSG_PASS_MAX];
	char huser[2 * MSG_USER_MAX], hpass[2 * MSG_PASS_MAX], line[1100];
	const char *name = argc == 1 ? argv[0] : "";
	int rc;

	if (argc > 1)
		return vctl_invalid(c);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return vctl_invalid(c);
	snprintf(line, sizeof(line), "crypto ipsec client ezvpn xauth%s%s", *name ? " " : "", name);
	if ((rc = vctl_control_to(c, line, ans, sizeof(ans))) != 0 ||
	    strstr(ans, ": XAUTH request pending\n") == NULL) {
		fputs(ans, stdout);
		return rc ? rc : 1;
	}
	fputs("Username: ", stderr);
	fflush(stderr);
	if (read_line(user, sizeof(user)) < 0 || user[0] == '\0') {
		fprintf(stderr, "\n%% no username (at most %d bytes)\n", MSG_USER_MAX - 1);
		return 1;
	}
	fputs("Password: ", stderr);
	fflush(stderr);
	rc = read_password(pass, sizeof(pass));
	if (rc == 0 && (hexword_encode(user, huser, sizeof(huser)) < 0 ||
	                hexword_encode(pass, hpass, sizeof(hpass)) < 0))
		rc = -1;
	explicit_bzero(user, sizeof(user));
	explicit_bzero(pass, sizeof(pass));
	if (rc < 0) {
		fprintf(stderr, "\n%% no password (at most %d bytes)\n", MSG_PASS_MAX - 1);
		explicit_bzero(huser, sizeof(huser));
		explicit_bzero(hpass, sizeof(hpass));
		return 1;
	}
	snprintf(line, sizeof(line), "crypto ipsec client ezvpn xauth%s%s answer %s %s",
	         *name ? " " : "", name, huser, hpass);
	explicit_bzero(huser, sizeof(huser));
	explicit_bzero(hpass, sizeof(hpass));
	rc = vctl_control(c, line);
	explicit_bzero(line, sizeof(line));
	return rc;
}
