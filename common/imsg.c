/*
 * imsg framing over a socketpair (see imsg.h for the contract).
 *
 * Ownership of fds: an fd handed to imsg_compose*() belongs to this file from then on (closed
 * once sent, or at once if the message cannot be queued). imsg_send_blocking() only lends its
 * fd: the caller keeps and closes it, since the parent hands the same socket to two children.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/msgcat.h"
#include "common/proc.h"

#define IMSG_FDS_PER_READ   16
#define IMSG_RBUF_MIN       (64 * 1024)
#define IMSG_READS_PER_WAKE 16
#define IMSG_BLOCK_TIMEOUT_MS 10000

struct imsg_wq {
	struct imsg_wq *next;
	int             fd;       /* still to be passed, -1 once sent */
	size_t          len, off;
	uint8_t         buf[];    /* header + payload */
};

#define NRFDS_MAX ((int)(sizeof(((struct imsgbuf *)0)->rfds) / sizeof(int)))

static void imsg_poll_cb(uv_poll_t *, int status, int events);

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl == -1)
		return -1;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static void close_fd(int fd)
{
	int saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Payloads are handed to receivers that cast them to structs: give them an aligned copy. */
static void *aligned_scratch(const void *src, size_t len)
{
	static _Thread_local uint8_t *scratch;
	static _Thread_local size_t scratch_cap;

	if (len > scratch_cap) {
		uint8_t *n = realloc(scratch, len);
		if (n == NULL)
			return NULL;
		scratch = n;
		scratch_cap = len;
	}
	memcpy(scratch, src, len);
	return scratch;
}

static void wq_free_all(struct imsgbuf *ib)
{
	struct imsg_wq *w = ib->wq_head, *next;
	for (; w != NULL; w = next) {
		next = w->next;
		close_fd(w->fd);
		free(w);
	}
	ib->wq_head = ib->wq_tail = NULL;
	ib->wq_bytes = 0;
}

static void rfds_close_all(struct imsgbuf *ib)
{
	for (int i = 0; i < ib->nrfds; i++)
		close_fd(ib->rfds[i]);
	ib->nrfds = 0;
}

static void update_poll(struct imsgbuf *ib)
{
	int want;

	if (ib->dead)
		return;
	want = UV_READABLE | (ib->wq_head != NULL ? UV_WRITABLE : 0);
	if (want == ib->polling)
		return;
	if (uv_poll_start(&ib->poll, want, imsg_poll_cb) == 0)
		ib->polling = want;
}

/* Stop for good and tell the owner, once. */
static void fail(struct imsgbuf *ib, const char *why)
{
	if (ib->dead)
		return;
	ib->dead = 1;
	uv_poll_stop(&ib->poll);
	ib->polling = 0;
	if (ib->on_error != NULL)
		ib->on_error(ib, why, ib->arg);
}

int imsgbuf_init(struct imsgbuf *ib, uv_loop_t *loop, int fd, const char *name,
                 imsg_dispatch_fn dispatch, imsg_error_fn on_error, void *arg)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = -1;
	if (set_nonblock(fd) == -1)
		return -1;
	ib->rbuf = malloc(IMSG_RBUF_MIN);
	if (ib->rbuf == NULL)
		return -1;
	ib->rcap = IMSG_RBUF_MIN;
	if (uv_poll_init(loop, &ib->poll, fd) != 0) {
		free(ib->rbuf);
		ib->rbuf = NULL;
		errno = EINVAL;
		return -1;
	}
	ib->poll.data = ib;
	ib->fd = fd;
	ib->dispatch = dispatch;
	ib->on_error = on_error;
	ib->arg = arg;
	ib->name = name != NULL ? name : "peer";
	if (uv_poll_start(&ib->poll, UV_READABLE, imsg_poll_cb) != 0) {
		uv_close((uv_handle_t *)&ib->poll, NULL);
		free(ib->rbuf);
		ib->rbuf = NULL;
		ib->fd = -1;
		errno = EINVAL;
		return -1;
	}
	ib->polling = UV_READABLE;
	return 0;
}

int imsgbuf_init_chan(struct imsgbuf *ib, uv_loop_t *loop, int fd, const char *name,
                      const struct imsg_chan *chan, imsg_error_fn on_error, void *arg)
{
	if (imsgbuf_init(ib, loop, fd, name, NULL, on_error, arg) == -1)
		return -1;
	ib->chan = chan;
	return 0;
}

/* The peer broke the catalogue: stop, and let the owner deal with the sender. */
static void violation(struct imsgbuf *ib, const char *why)
{
	if (ib->dead)
		return;
	ib->violation = 1;
	snprintf(ib->why, sizeof(ib->why), "%s", why);
	log_warnx("protocol violation from %s: %s", ib->name, why);
	fail(ib, "protocol violation");
}

void imsgbuf_close(struct imsgbuf *ib)
{
	if (ib->fd < 0)
		return;
	ib->dead = 1;
	ib->polling = 0;
	if (!uv_is_closing((uv_handle_t *)&ib->poll))
		uv_close((uv_handle_t *)&ib->poll, NULL);
	/* uv_poll_stop (done by uv_close) already removed the fd from epoll: closing it is safe */
	close(ib->fd);
	ib->fd = -1;
	wq_free_all(ib);
	rfds_close_all(ib);
	free(ib->rbuf);
	ib->rbuf = NULL;
	ib->rlen = ib->rcap = 0;
}

/* ---- reading ---- */

static int take_fds(struct imsgbuf *ib, struct msghdr *mh)
{
	int overflow = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (ib->nrfds < NRFDS_MAX)
				ib->rfds[ib->nrfds++] = fd;
			else {
				close(fd);
				overflow = 1;
			}
		}
	}
	return overflow ? -1 : 0;
}

static int pop_fd(struct imsgbuf *ib)
{
	int fd;

	if (ib->nrfds == 0)
		return -1;
	fd = ib->rfds[0];
	memmove(ib->rfds, ib->rfds + 1, (size_t)(ib->nrfds - 1) * sizeof(int));
	ib->nrfds--;
	return fd;
}

/* Dispatch every complete message in rbuf. Returns -1 when the buffer died meanwhile. */
static int parse_messages(struct imsgbuf *ib)
{
	size_t off = 0;

	while (ib->rlen - off >= IMSG_HDR_SIZE) {
		struct imsg m;

		memcpy(&m.hdr, ib->rbuf + off, IMSG_HDR_SIZE);
		if (m.hdr.len < IMSG_HDR_SIZE || m.hdr.len > IMSG_MAX_SIZE) {
			log_warnx("imsg from %s: bad length %u (type %u)", ib->name, m.hdr.len,
			          m.hdr.type);
			fail(ib, "bad message length");
			return -1;
		}
		if (ib->rlen - off < m.hdr.len)
			break;
		m.fd = -1;
		if (m.hdr.flags & IMSGF_HASFD) {
			m.fd = pop_fd(ib);
			if (m.fd == -1) {
				log_warnx("imsg from %s: type %u announces an fd that did not come",
				          ib->name, m.hdr.type);
				fail(ib, "missing fd");
				return -1;
			}
		}
		m.datalen = m.hdr.len - IMSG_HDR_SIZE;
		m.data = NULL;
		if (m.datalen > 0) {
			m.data = aligned_scratch(ib->rbuf + off + IMSG_HDR_SIZE, m.datalen);
			if (m.data == NULL) {
				close_fd(m.fd);
				fail(ib, "out of memory");
				return -1;
			}
		}
		off += m.hdr.len;
		if (ib->chan) {
			char why[160];
			imsg_dispatch_fn h = m.hdr.type < IMSG_TYPE_MAX ? ib->chan->handler[m.hdr.type]
			                                                : NULL;
			int bad = msgcat_check(m.hdr.type, ib->chan->peer, ib->chan->self, m.datalen,
			                       m.fd != -1, why, sizeof(why)) == -1;
			if (!bad && !h) {
				snprintf(why, sizeof(why), "%s is not handled by %s",
				         msgcat_name(m.hdr.type), proc_role_name(ib->chan->self));
				bad = 1;
			}
			if (bad || !h) {
				close_fd(m.fd);
				violation(ib, why);
				return -1;
			}
			h(ib, &m, ib->arg);
		} else if (ib->dispatch) {
			ib->dispatch(ib, &m, ib->arg);
		} else {
			close_fd(m.fd);     /* a send-only buffer: the peer may not talk */
			fail(ib, "a message on a send-only channel");
			return -1;
		}
		/* the callback may have closed or failed us: rbuf may be gone */
		if (ib->dead)
			return -1;
	}
	if (off > 0) {
		memmove(ib->rbuf, ib->rbuf + off, ib->rlen - off);
		ib->rlen -= off;
	}
	/* make room for the message under way in one piece; give back a big buffer once idle */
	size_t need = IMSG_RBUF_MIN;
	if (ib->rlen >= IMSG_HDR_SIZE) {
		struct imsg_hdr h;
		memcpy(&h, ib->rbuf, IMSG_HDR_SIZE);
		if (h.len > need)
			need = h.len;
	}
	if (need > ib->rcap || (ib->rcap > IMSG_RBUF_MIN && need == IMSG_RBUF_MIN &&
	                        ib->rlen <= IMSG_RBUF_MIN)) {
		uint8_t *n = realloc(ib->rbuf, need);
		if (n == NULL) {
			if (need > ib->rcap) {
				fail(ib, "out of memory");
				return -1;
			}
		} else {
			ib->rbuf = n;
			ib->rcap = need;
		}
	}
	return 0;
}

static void do_read(struct imsgbuf *ib)
{
	for (int round = 0; round < IMSG_READS_PER_WAKE && !ib->dead; round++) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(IMSG_FDS_PER_READ * sizeof(int))];
		} cbuf;
		struct iovec iov;
		struct msghdr mh;
		ssize_t n;

		if (ib->rcap == ib->rlen) {
			/* parse_messages guarantees room unless the peer is ahead of a whole max msg */
			fail(ib, "receive buffer full");
			return;
		}
		iov.iov_base = ib->rbuf + ib->rlen;
		iov.iov_len = ib->rcap - ib->rlen;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(ib->fd, &mh, MSG_CMSG_CLOEXEC);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_warn("imsg from %s: recvmsg", ib->name);
			fail(ib, "read error");
			return;
		}
		if (take_fds(ib, &mh) == -1 || (mh.msg_flags & MSG_CTRUNC)) {
			log_warnx("imsg from %s: too many fds", ib->name);
			fail(ib, "too many fds");
			return;
		}
		if (n == 0) {
			fail(ib, ib->rlen > 0 ? "connection closed mid-message" : "connection closed");
			return;
		}
		ib->rlen += (size_t)n;
		if (parse_messages(ib) == -1)
			return;
	}
}

/* ---- writing ---- */

/* Send one chunk of the head message. Returns bytes sent, or -1 with errno. */
static ssize_t send_chunk(int sock, struct imsg_wq *w)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	iov.iov_base = w->buf + w->off;
	iov.iov_len = w->len - w->off;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (w->fd >= 0) {
		struct cmsghdr *c;
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &w->fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n > 0 && w->fd >= 0) {
		/* the peer holds its own reference now */
		close(w->fd);
		w->fd = -1;
	}
	return n;
}

/* Write as much as the socket takes. Returns 0 (done or would block) or -1 (broken). */
static int flush_some(struct imsgbuf *ib)
{
	while (ib->wq_head != NULL) {
		struct imsg_wq *w = ib->wq_head;
		ssize_t n = send_chunk(ib->fd, w);

		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		w->off += (size_t)n;
		ib->wq_bytes -= (size_t)n;
		if (w->off == w->len) {
			ib->wq_head = w->next;
			if (ib->wq_head == NULL)
				ib->wq_tail = NULL;
			free(w);
		}
	}
	return 0;
}

static void do_write(struct imsgbuf *ib)
{
	if (flush_some(ib) == -1) {
		log_warn("imsg to %s: sendmsg", ib->name);
		fail(ib, "write error");
		return;
	}
	update_poll(ib);
}

static void imsg_poll_cb(uv_poll_t *h, int status, int events)
{
	struct imsgbuf *ib = h->data;

	if (ib->dead)
		return;
	if (status < 0) {
		/* POLLERR: typically the peer is gone; a read tells EOF from a real error */
		do_read(ib);
		if (!ib->dead)
			fail(ib, uv_strerror(status));
		return;
	}
	if (events & UV_WRITABLE)
		do_write(ib);
	if (!ib->dead && (events & (UV_READABLE | UV_DISCONNECT)))
		do_read(ib);
}

static struct imsg_wq *build_msg(uint32_t type, uint32_t peerid, int fd, const void *d1,
                                 size_t l1, const void *d2, size_t l2)
{
	struct imsg_hdr h;
	struct imsg_wq *w;
	size_t len;

	if (l1 > IMSG_MAX_SIZE || l2 > IMSG_MAX_SIZE ||
	    l1 + l2 > IMSG_MAX_SIZE - IMSG_HDR_SIZE ||
	    (l1 > 0 && d1 == NULL) || (l2 > 0 && d2 == NULL)) {
		errno = EMSGSIZE;
		return NULL;
	}
	len = IMSG_HDR_SIZE + l1 + l2;
	w = malloc(sizeof(*w) + len);
	if (w == NULL)
		return NULL;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = (uint32_t)len;
	h.peerid = peerid;
	h.pid = (uint32_t)getpid();
	h.flags = fd >= 0 ? IMSGF_HASFD : 0;
	memcpy(w->buf, &h, sizeof(h));
	if (l1 > 0)
		memcpy(w->buf + IMSG_HDR_SIZE, d1, l1);
	if (l2 > 0)
		memcpy(w->buf + IMSG_HDR_SIZE + l1, d2, l2);
	w->next = NULL;
	w->fd = fd;
	w->len = len;
	w->off = 0;
	return w;
}

int imsg_compose2(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
                  const void *d1, size_t l1, const void *d2, size_t l2)
{
	struct imsg_wq *w;

	if (ib->dead || ib->fd < 0) {
		close_fd(fd);
		errno = EPIPE;
		return -1;
	}
	size_t len = IMSG_HDR_SIZE + l1 + l2;
	const struct msg_def *def = msgcat_get(type);
	if (ib->chan && def && def->droppable && ib->wq_bytes + len > IMSG_WQ_DROP) {
		ib->dropped++;
		close_fd(fd);
		errno = ENOBUFS;
		return -1;
	}
	if (ib->wq_bytes + len > IMSG_WQ_MAX) {
		/* the peer stopped reading: a lost control message would leave the two processes
		 * disagreeing, so this ends the channel (the owner's on_error runs now) */
		log_warnx("imsg to %s: write queue over %u bytes, %s not queued", ib->name,
		          IMSG_WQ_MAX, msgcat_name(type));
		close_fd(fd);
		fail(ib, "write queue over its cap");
		errno = ENOBUFS;
		return -1;
	}
	w = build_msg(type, peerid, fd, d1, l1, d2, l2);
	if (w == NULL) {
		close_fd(fd);
		return -1;
	}
	if (ib->wq_tail != NULL)
		ib->wq_tail->next = w;
	else
		ib->wq_head = w;
	ib->wq_tail = w;
	ib->wq_bytes += w->len;
	/*
	 * Try at once for latency, but never report a failure from here: the caller may be in the
	 * middle of its own state change. A broken socket is found (and reported) by the poll.
	 */
	(void)flush_some(ib);
	if (ib->wq_head != NULL && !(ib->polling & UV_WRITABLE)) {
		int want = UV_READABLE | UV_WRITABLE;
		if (uv_poll_start(&ib->poll, want, imsg_poll_cb) == 0)
			ib->polling = want;
	}
	return 0;
}

int imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
                 const void *data, size_t len)
{
	return imsg_compose2(ib, type, peerid, fd, data, len, NULL, 0);
}

/* Wait until fd is ready for events; -1 with ETIMEDOUT after timeout_ms (<0: forever). */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return r < 0 ? -1 : 0;
}

void imsg_flush_blocking(struct imsgbuf *ib)
{
	if (ib->dead || ib->fd < 0)
		return;
	while (ib->wq_head != NULL) {
		if (flush_some(ib) == -1)
			break;
		if (ib->wq_head != NULL && wait_fd(ib->fd, POLLOUT, IMSG_BLOCK_TIMEOUT_MS) == -1)
			break;
	}
	update_poll(ib);
}

int imsg_send_blocking(int fd, uint32_t type, uint32_t peerid, int sendfd,
                       const void *data, size_t len)
{
	struct imsg_wq *w;
	int dupfd = -1, ret = 0;

	/* lend, do not give: send a duplicate so send_chunk's close leaves the caller's fd alone */
	if (sendfd >= 0) {
		dupfd = fcntl(sendfd, F_DUPFD_CLOEXEC, 0);
		if (dupfd == -1)
			return -1;
	}
	w = build_msg(type, peerid, dupfd, data, len, NULL, 0);
	if (w == NULL) {
		close_fd(dupfd);
		return -1;
	}
	while (w->off < w->len) {
		ssize_t n = send_chunk(fd, w);
		if (n == -1) {
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    wait_fd(fd, POLLOUT, IMSG_BLOCK_TIMEOUT_MS) == 0)
				continue;
			ret = -1;
			break;
		}
		w->off += (size_t)n;
	}
	close_fd(w->fd);
	free(w);
	return ret;
}

/*
 * Read exactly len bytes, collecting passed fds into fds[] (at most maxfds; extras are closed
 * and flagged). Reading exactly keeps the next message in the socket for the imsgbuf that
 * takes over after start-up.
 */
static int read_exact(int fd, void *buf, size_t len, int *fds, int *nfds, int maxfds,
                      int *fd_overflow)
{
	size_t got = 0;

	while (got < len) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(IMSG_FDS_PER_READ * sizeof(int))];
		} cbuf;
		struct iovec iov = { .iov_base = (uint8_t *)buf + got, .iov_len = len - got };
		struct msghdr mh;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(fd, POLLIN, -1) == 0)
				continue;
			return -1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int rfd;
				memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (*nfds < maxfds)
					fds[(*nfds)++] = rfd;
				else {
					close(rfd);
					*fd_overflow = 1;
				}
			}
		}
		if (mh.msg_flags & MSG_CTRUNC)
			*fd_overflow = 1;
		if (n == 0) {
			errno = got == 0 ? ECONNRESET : EPROTO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int imsg_recv_blocking(int fd, struct imsg *out)
{
	int fds[IMSG_FDS_PER_READ], nfds = 0, overflow = 0;
	uint8_t *data = NULL;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (read_exact(fd, &out->hdr, IMSG_HDR_SIZE, fds, &nfds, 1, &overflow) == -1)
		goto fail;
	if (out->hdr.len < IMSG_HDR_SIZE || out->hdr.len > IMSG_MAX_SIZE) {
		errno = EPROTO;
		goto fail;
	}
	out->datalen = out->hdr.len - IMSG_HDR_SIZE;
	if (out->datalen > 0) {
		data = malloc(out->datalen);
		if (data == NULL)
			goto fail;
		if (read_exact(fd, data, out->datalen, fds, &nfds, 1, &overflow) == -1)
			goto fail;
	}
	/* exactly one fd, and only when announced */
	if (overflow || (nfds == 1) != ((out->hdr.flags & IMSGF_HASFD) != 0)) {
		errno = EPROTO;
		goto fail;
	}
	out->fd = nfds == 1 ? fds[0] : -1;
	out->data = data;
	return 0;
fail:
	for (int i = 0; i < nfds; i++)
		close_fd(fds[i]);
	free(data);
	out->data = NULL;
	out->datalen = 0;
	out->fd = -1;
	return -1;
}
