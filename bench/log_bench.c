/*
 * What a log line costs on the way through the parent (docs/architecture.md "Logging goes
 * through the parent"). Figures only, not part of the test suite. build/bench/log_bench [N]
 *   - a child framing a line with a peer's fields (log_relay_format);
 *   - the parent parsing it and building the RFC 3164 line and the journal datagram;
 *   - N lines (default 1,000,000) through a non-blocking 1 MiB pipe from a forked writer to a
 *     reader that parses and formats each: lines per second, and how many the writer dropped
 *     because the pipe was full (the writer never waits, as a child does not).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/log_sink.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static const struct log_peer peer = { .addr = 0x028f12ac, .user = "alice", .group = "group1",
                                      .spi = 0x01efc0c0, .session = 4711 };
static const char msg[] = "ISAKMP: (3): sending packet to 172.18.143.2 my_port 500 peer_port "
                          "500 (R) AG_INIT_EXCH, 92 bytes";

static size_t consume(char *line, char *out, size_t outlen)
{
	struct log_rec r;
	struct log_field f[LOG_FIELDS_MAX + 3];
	size_t n;

	log_relay_parse(line, &r);
	f[0] = (struct log_field){ "MESSAGE", r.msg };
	f[1] = (struct log_field){ "PRIORITY", "7" };
	f[2] = (struct log_field){ "SYSLOG_IDENTIFIER", "vpnd-ikemgr" };
	for (int i = 0; i < r.nf; i++)
		f[3 + i] = r.f[i];
	n = log_syslog_format(out, outlen, 3, r.pri, 1796547907, NULL, "vpnd-ikemgr", 42, r.msg);
	return n + log_journal_format(out, outlen, f, 3 + r.nf);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	char line[LOG_LINE_MAX], copy[LOG_LINE_MAX], out[LOG_LINE_MAX + 512];
	size_t len = 0, sink = 0;
	double t0;
	int fds[2];

	t0 = now();
	for (long i = 0; i < n; i++)
		len += log_relay_format(line, sizeof(line), 7, msg, &peer);
	printf("child framing: %.0f ns per line (%zu bytes)\n", (now() - t0) / n * 1e9, len / n);

	len = log_relay_format(line, sizeof(line), 7, msg, &peer);
	line[len - 1] = '\0';
	t0 = now();
	for (long i = 0; i < n; i++) {
		memcpy(copy, line, len);
		sink += consume(copy, out, sizeof(out));
	}
	printf("parent parse + syslog line + journal datagram: %.0f ns per line\n",
	       (now() - t0) / n * 1e9);

	if (pipe2(fds, O_CLOEXEC) == -1)
		return 1;
	(void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		long dropped = 0;
		close(fds[0]);
		len = log_relay_format(line, sizeof(line), 7, msg, &peer);
		for (long i = 0; i < n; i++)
			if (write(fds[1], line, len) != (ssize_t)len)
				dropped++;
		_exit(dropped > 255 ? 255 : (int)dropped);
	}
	close(fds[1]);
	static char buf[64 * 1024];
	size_t have = 0;
	long lines = 0;
	for (;;) {
		ssize_t r = read(fds[0], buf + have, sizeof(buf) - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		char *s = buf, *nl;
		while ((nl = memchr(s, '\n', have - (size_t)(s - buf))) != NULL) {
			*nl = '\0';
			sink += consume(s, out, sizeof(out));
			lines++;
			s = nl + 1;
		}
		have -= (size_t)(s - buf);
		memmove(buf, s, have);
	}
	int st;
	waitpid(pid, &st, 0);
	double dt = now() - t0;
	printf("through a 1 MiB pipe: %ld of %ld lines read in %.2f s, %.0f lines/s; writer "
	       "dropped %ld (full pipe)\n", lines, n, dt, lines / dt, n - lines);
	return sink == 0;
}
