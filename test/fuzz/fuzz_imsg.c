// clang -g -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_imsg.c common/imsg.c common/msgcat.c common/log.c common/log_relay.c -luv -o fuzz_imsg
/*
 * The parent reads whatever a (possibly taken-over) child writes: feed arbitrary streams to an
 * imsgbuf. The first byte says how many fds (0-3) ride along with the stream's first bytes
 * (bits 0-1) and, in bits 2-3, the sending role: 0 for a raw buffer, else a channel checked
 * against the message catalogue, every type handled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "common/imsg.h"

static int done;

static void dispatch(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < m->datalen; i++)
		sink ^= ((const uint8_t *)m->data)[i];
	(void)sink;
	if (m->fd != -1)
		close(m->fd);
}

static imsg_dispatch_fn every[IMSG_TYPE_MAX];

static void on_error(struct imsgbuf *ib, const char *why, void *arg)
{
	done = 1;
}

static void send_with_fds(int sock, const uint8_t *data, size_t len, int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(3 * sizeof(int))];
	} cbuf;
	int fds[3];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		for (int i = 0; i < nfds; i++)
			fds[i] = dup(STDIN_FILENO);
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	(void)sendmsg(sock, &mh, MSG_NOSIGNAL);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uv_loop_t *loop;
	struct imsgbuf ib;
	int sv[2];

	if (size < 1 || size > 100000)
		return 0;
	if (loop == NULL) {
		loop = malloc(sizeof(*loop));
		uv_loop_init(loop);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	int sz = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	send_with_fds(sv[0], data + 1, size - 1, data[0] & 3);
	close(sv[0]);

	done = 0;
	for (int t = 0; t < IMSG_TYPE_MAX; t++)
		every[t] = dispatch;
	int peer = (data[0] >> 2) & 3;
	struct imsg_chan chan = { 0, peer, every };    /* the parent hears child `peer` */
	if ((peer ? imsgbuf_init_chan(&ib, loop, sv[1], "fuzz", &chan, on_error, NULL)
	          : imsgbuf_init(&ib, loop, sv[1], "fuzz", dispatch, on_error, NULL)) == -1) {
		close(sv[1]);
		return 0;
	}
	while (!done && !ib.dead)
		uv_run(loop, UV_RUN_ONCE);
	imsgbuf_close(&ib);
	uv_run(loop, UV_RUN_NOWAIT);
	return 0;
}
