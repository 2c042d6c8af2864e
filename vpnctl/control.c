/* The control socket client: one command line out, the answer copied to stdout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vpnctl/vpnctl.h"

/* vpnd reads at most this many bytes of a command (control/control.h, CONTROL_LINE_MAX). */
#define CONTROL_LINE_MAX 1024
#define ANSWER_TIMEOUT   10

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vctl_control(const struct vctx *c, const char *line)
{
	return vctl_control_to(c, line, NULL, 0);
}

int vctl_control_to(const struct vctx *c, const char *line, char *ans, size_t anslen)
{
	if (ans != NULL)
		ans[0] = '\0';
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/vpnd.sock", c->dir) >=
	    (int)sizeof(sun.sun_path)) {
		fprintf(stderr, "vpnctl: cannot reach vpnd at %s/vpnd.sock: path too long\n",
		        vctl_safe(c->dir));
		return 1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "vpnctl: cannot reach vpnd at %s: %s\n", vctl_safe(sun.sun_path),
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (write_all(fd, line, strlen(line)) < 0 || write_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "vpnctl: write to %s: %s\n", vctl_safe(sun.sun_path), strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	char buf[4096];
	ssize_t n;
	size_t got = 0;
	int rc = 0, first = 1;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* vpnd answers errors IOS-style, starting with '%' */
		if (first && buf[0] == '%')
			rc = 1;
		first = 0;
		if (ans == NULL) {
			fwrite(buf, 1, (size_t)n, stdout);
			continue;
		}
		size_t k = (size_t)n < anslen - 1 - got ? (size_t)n : anslen - 1 - got;
		memcpy(ans + got, buf, k);
		got += k;
		ans[got] = '\0';
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			fprintf(stderr, "vpnctl: vpnd did not answer within %d s\n", ANSWER_TIMEOUT);
		else
			fprintf(stderr, "vpnctl: read from %s: %s\n", vctl_safe(sun.sun_path),
			        strerror(errno));
		rc = 1;
	}
	close(fd);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}

/*
 * vpnd splits its line on blanks and reads one line per connection: a word holding a blank or
 * a line break would change the command, so it is refused here rather than mangled.
 */
int vctl_forward(const struct vctx *c, int argc, char **argv)
{
	char line[CONTROL_LINE_MAX + 1];
	size_t len = 0;
	int nwords = 0;
	const char *words = c->cmd ? c->cmd->words : "";
	if (*words) {
		len = (size_t)snprintf(line, sizeof(line), "%s", words);
		nwords = 1;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
			if (*p < 0x20 || *p == ' ' || *p == 0x7f) {
				fprintf(stderr, "%% Invalid input: '%s' (blanks and control characters "
				        "cannot be sent to vpnd)\n", vctl_safe(a));
				return 1;
			}
		}
		size_t alen = strlen(a);
		if (len + (nwords ? 1 : 0) + alen > CONTROL_LINE_MAX) {
			fprintf(stderr, "vpnctl: command too long for vpnd (at most %d bytes)\n",
			        CONTROL_LINE_MAX);
			return 1;
		}
		if (nwords)
			line[len++] = ' ';
		memcpy(line + len, a, alen);
		len += alen;
		line[len] = '\0';
		nwords++;
	}
	if (nwords == 0)
		return vctl_invalid(c);
	return vctl_control(c, line);
}
