/*
 * The children's stderr: each is a pipe whose other end the parent reads here and hands line
 * by line to logsink.c. A child may be compromised, so its lines are parsed as untrusted
 * (common/log_relay.c) and tagged with the role and pid the parent knows, not what the line
 * says. The write end is non-blocking with a 1 MiB buffer: a child drops (and counts) a line
 * rather than wait for a busy parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/log_sink.h"
#include "parent/parent.h"

#define RELAY_PIPE_SIZE (1 << 20)

int logrelay_pipe(struct child *c, int *wr)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	/* root may grow a pipe to fs.pipe-max-size; a smaller one still works */
	(void)fcntl(fds[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) == -1 || fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	c->log_fd = fds[0];
	c->log_len = 0;
	*wr = fds[1];
	return 0;
}

static void deliver(struct child *c, char *line)
{
	struct log_rec r;

	log_relay_parse(line, &r);
	logsink_line(c->name, (int)c->pid, &r);
}

/* Read what is there; 0 at the end of the pipe, 1 when more may come. */
static int drain(struct child *c)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = read(c->log_fd, c->log_buf + c->log_len, sizeof(c->log_buf) - 1 - c->log_len);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
			if (c->log_len > 0) {
				c->log_buf[c->log_len] = '\0';
				deliver(c, c->log_buf);
				c->log_len = 0;
			}
			return 0;
		}
		if (n < 0)
			return 1;       /* EAGAIN: all read; EINTR: again next time */
		c->log_len += (size_t)n;
		char *s = c->log_buf, *nl;
		size_t left = c->log_len;
		while ((nl = memchr(s, '\n', left)) != NULL) {
			*nl = '\0';
			deliver(c, s);
			left -= (size_t)(nl + 1 - s);
			s = nl + 1;
		}
		if (left == sizeof(c->log_buf) - 1) {
			/* a line longer than any we write: pass it on in pieces */
			c->log_buf[left] = '\0';
			deliver(c, c->log_buf);
			left = 0;
		}
		memmove(c->log_buf, s, left);
		c->log_len = left;
	}
	return 1;
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
	struct child *c = h->data;

	if (drain(c) == 0)
		logrelay_close(c);
}

int logrelay_start(struct child *c, uv_loop_t *loop)
{
	if (c->log_fd == -1)
		return 0;
	if (uv_poll_init(loop, &c->log_poll, c->log_fd) != 0)
		return -1;
	c->log_poll.data = c;
	c->log_polling = 1;
	return uv_poll_start(&c->log_poll, UV_READABLE, poll_cb) == 0 ? 0 : -1;
}

/* What is still in the pipe (the child's last words), then the pipe closed. */
void logrelay_close(struct child *c)
{
	if (c->log_fd == -1)
		return;
	for (int i = 0; i < 1000 && drain(c) == 1 && c->exited; i++)
		;
	if (c->log_polling && !uv_is_closing((uv_handle_t *)&c->log_poll)) {
		uv_poll_stop(&c->log_poll);
		uv_close((uv_handle_t *)&c->log_poll, NULL);
		c->log_polling = 0;
	}
	close(c->log_fd);
	c->log_fd = -1;
}
