/* The control socket client: one command line out, the answer printed. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vpnctl/vpnctl.h"

int vctl_control(const struct vctx *c, const char *line)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/vpnd.sock", c->dir) >=
	    (int)sizeof(sun.sun_path)) {
		fprintf(stderr, "vpnctl: state directory path too long\n");
		return 1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "vpnctl: cannot reach vpnd at %s: %s\n", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		fprintf(stderr, "vpnctl: write to %s: %s\n", sun.sun_path, strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	char buf[4096];
	ssize_t n;
	int rc = 0, first = 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		/* vpnd answers errors IOS-style, starting with '%' */
		if (first && buf[0] == '%')
			rc = 1;
		first = 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	if (n < 0) {
		fprintf(stderr, "vpnctl: read from %s: %s\n", sun.sun_path, strerror(errno));
		rc = 1;
	}
	close(fd);
	return rc;
}
