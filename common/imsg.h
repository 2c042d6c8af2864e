/*
 * imsg-style framing between vpnd's processes, on a socketpair watched by uv_poll.
 *
 * Why not libuv's IPC pipes: libuv 1.44 (Debian 12) loses queued fds when the sender closes
 * early, so fds travel with raw sendmsg/recvmsg and SCM_RIGHTS here.
 *
 * A message is a fixed header followed by len - sizeof(header) bytes of payload. A message that
 * carries an fd has IMSGF_HASFD set; the fd arrives with (or before) its first byte.
 */
#ifndef VPND_IMSG_H
#define VPND_IMSG_H

#include <stdint.h>
#include <stddef.h>
#include <uv.h>

#include "common/msg.h"

struct imsg_hdr {
	uint32_t type;
	uint32_t len;        /* header + payload */
	uint32_t peerid;     /* session id, or 0 */
	uint32_t pid;        /* sender's pid */
	uint32_t flags;
};
#define IMSGF_HASFD   0x1
#define IMSG_HDR_SIZE sizeof(struct imsg_hdr)
#define IMSG_MAX_SIZE (1024 * 1024)

struct imsg {
	struct imsg_hdr hdr;
	int             fd;       /* -1 if none; the receiver owns it */
	void           *data;     /* valid during the dispatch call only */
	size_t          datalen;
};

struct imsgbuf;
/* Called for each complete message. */
typedef void (*imsg_dispatch_fn)(struct imsgbuf *, struct imsg *, void *arg);
/* Called once when the peer closes or the stream is broken; the buffer is stopped by then. */
typedef void (*imsg_error_fn)(struct imsgbuf *, const char *why, void *arg);

/*
 * A channel between two processes: every message is checked against the catalogue
 * (common/msgcat.h) for this sender and receiver, then handed to handler[type]. A message
 * that fails the check, or has no handler here, is a protocol violation: the buffer stops
 * and on_error runs with imsgbuf.violation set.
 */
struct imsg_chan {
	int                    self, peer;    /* enum proc_role */
	const imsg_dispatch_fn *handler;      /* IMSG_TYPE_MAX entries, NULL = not accepted */
};

/* What may wait in a write queue: past IMSG_WQ_DROP, droppable messages (IKE datagrams)
 * are dropped and counted; past IMSG_WQ_MAX any other message is a protocol error (the
 * peer has stopped reading). */
#define IMSG_WQ_DROP (4u << 20)
#define IMSG_WQ_MAX  (64u << 20)

struct imsg_wq;
struct imsgbuf {
	int              fd;
	uv_poll_t        poll;
	int              polling;   /* current uv_poll events */
	uint8_t         *rbuf;
	size_t           rlen, rcap;
	int              rfds[64];
	int              nrfds;
	struct imsg_wq  *wq_head, *wq_tail;
	size_t           wq_bytes;
	imsg_dispatch_fn dispatch;
	imsg_error_fn    on_error;
	void            *arg;
	const char      *name;      /* peer's name for logs ("ikemgr") */
	int              dead;
	const struct imsg_chan *chan;   /* NULL: raw dispatch, no catalogue (tests) */
	int              violation;     /* the peer broke the catalogue (see on_error) */
	char             why[160];      /* the violation */
	unsigned long long dropped;     /* droppable messages not queued (queue full) */
};

int  imsgbuf_init(struct imsgbuf *, uv_loop_t *, int fd, const char *name,
                  imsg_dispatch_fn, imsg_error_fn, void *arg);
/* Same, checked against the catalogue and dispatched by chan's table. */
int  imsgbuf_init_chan(struct imsgbuf *, uv_loop_t *, int fd, const char *name,
                       const struct imsg_chan *, imsg_error_fn, void *arg);
/* Stop watching and close the fd (no callback). */
void imsgbuf_close(struct imsgbuf *);
/* Queue a message; fd (or -1) is closed by us once sent. Returns 0 or -1 (errno set:
 * ENOBUFS when a droppable message was dropped, or the queue is over IMSG_WQ_MAX, which also
 * fails the buffer). */
int  imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid, int fd,
                  const void *data, size_t len);
/* Same, payload given as two pieces (a struct and trailing bytes). */
int  imsg_compose2(struct imsgbuf *, uint32_t type, uint32_t peerid, int fd,
                   const void *d1, size_t l1, const void *d2, size_t l2);
/* Write everything queued, blocking (used right before exit). */
void imsg_flush_blocking(struct imsgbuf *);

/* Blocking helpers for start-up, before a loop runs. Return 0 or -1. *data is malloc'd. */
int  imsg_send_blocking(int fd, uint32_t type, uint32_t peerid, int sendfd,
                        const void *data, size_t len);
int  imsg_recv_blocking(int fd, struct imsg *out);

#endif
