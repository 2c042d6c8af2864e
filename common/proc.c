/* Child start-up: what the parent sends before IMSG_START, taken in blocking mode. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/imsg.h"
#include "common/log.h"
#include "common/msgcat.h"
#include "common/proc.h"
#include "common/sandbox.h"

/* The configuration travels to each child as one message: a struct grown past that would only
 * fail at start-up (crypto ikev2 added about 135 KB). */
_Static_assert(sizeof(struct vpnd_conf) <= IMSG_MAX_SIZE - IMSG_HDR_SIZE,
               "struct vpnd_conf no longer fits one imsg");

static void take_socket(struct proc_boot *b, struct imsg *m)
{
	struct msg_socket ms;
	int lo, hi;

	if (m->datalen != sizeof(ms) || m->fd < 0)
		fatalx("bootstrap: malformed socket message (len %zu, fd %d)", m->datalen, m->fd);
	memcpy(&ms, m->data, sizeof(ms));
	if (m->hdr.type == IMSG_SOCKET) {
		lo = SOCK_IKE500;
		hi = SOCK_ESP_RAW;
	} else {
		lo = CHAN_IKEMGR;
		hi = CHAN_TUNMGR;
	}
	if (m->hdr.type == IMSG_SOCKET && (ms.kind == SOCK_DYNAUTH || ms.kind == SOCK_CONTROL ||
	                                   ms.kind == SOCK_METRICS || ms.kind == SOCK_IKE500_6 ||
	                                   ms.kind == SOCK_IKE4500_6 || ms.kind == SOCK_ESP_RAW6))
		lo = hi = ms.kind;        /* sockets numbered after the channels */
	if (ms.kind < lo || ms.kind > hi || ms.kind >= PROC_NSOCK)
		fatalx("bootstrap: bad socket kind %d for message type %u", ms.kind, m->hdr.type);
	if (b->sock[ms.kind] != -1)
		fatalx("bootstrap: socket kind %d sent twice", ms.kind);
	b->sock[ms.kind] = m->fd;
	m->fd = -1;
}

void (*proc_predrop)(struct proc_boot *);

void proc_bootstrap(int role, int parent_fd, int debug, struct proc_boot *out)
{
	memset(out, 0, sizeof(*out));
	out->role = role;
	out->parent_fd = parent_fd;
	out->debug = debug;
	for (int i = 0; i < PROC_NSOCK; i++)
		out->sock[i] = -1;

	/*
	 * Ctrl-C reaches the whole process group; only the parent decides when children stop,
	 * otherwise their exit races its orderly shutdown and looks like a crash.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		struct imsg m;

		char why[160];
		if (imsg_recv_blocking(parent_fd, &m) == -1)
			fatal("bootstrap: reading from the parent");
		if (msgcat_check(m.hdr.type, ROLE_PARENT, role, m.datalen, m.fd != -1, why,
		                 sizeof(why)) == -1)
			fatalx("bootstrap: %s", why);
		switch (m.hdr.type) {
		case IMSG_CONF:
			if (m.fd != -1 || m.datalen != sizeof(struct vpnd_conf) || out->conf != NULL)
				fatalx("bootstrap: malformed IMSG_CONF (len %zu, expected %zu)",
				       m.datalen, sizeof(struct vpnd_conf));
			/* malloc'd by imsg_recv_blocking, so aligned for the struct: keep it */
			out->conf = m.data;
			m.data = NULL;
			break;
		case IMSG_SOCKET:
		case IMSG_PEER_CHANNEL:
			take_socket(out, &m);
			break;
		case IMSG_CTL_DBPATH:
			if (out->dbpath != NULL || m.datalen != sizeof(struct msg_ctl_dbpath))
				fatalx("bootstrap: IMSG_CTL_DBPATH twice or malformed");
			out->dbpath = strndup(((struct msg_ctl_dbpath *)m.data)->path,
			                      sizeof(((struct msg_ctl_dbpath *)m.data)->path) - 1);
			if (out->dbpath == NULL)
				fatal("bootstrap");
			break;
		case IMSG_START:
			if (m.fd != -1 || m.datalen != 0 || out->conf == NULL)
				fatalx("bootstrap: IMSG_START out of order");
			free(m.data);
			if (proc_predrop != NULL)
				proc_predrop(out);
			sandbox_limits(role);
			privsep_drop(role);
			sandbox_enter(role, NULL);
			if (imsg_send_blocking(parent_fd, IMSG_READY, 0, -1, NULL, 0) == -1)
				fatal("bootstrap: sending IMSG_READY");
			log_debug("bootstrap done");
			return;
		default:
			fatalx("bootstrap: unexpected message type %u", m.hdr.type);
		}
		if (m.fd != -1)
			close(m.fd);
		free(m.data);
	}
}

void proc_boot_free(struct proc_boot *b)
{
	if (b->conf != NULL) {
		/* keymgr's copy holds secrets */
		explicit_bzero(b->conf, sizeof(*b->conf));
		free(b->conf);
		b->conf = NULL;
	}
	free(b->dbpath);
	b->dbpath = NULL;
	for (int i = 0; i < PROC_NSOCK; i++) {
		if (b->sock[i] != -1)
			close(b->sock[i]);
		b->sock[i] = -1;
	}
}

void proc_violation(struct imsgbuf *parent, struct imsgbuf *b)
{
	if (!b->violation)
		return;
	if (b != parent && b->chan) {
		struct msg_violation v;
		memset(&v, 0, sizeof(v));
		v.offender = b->chan->peer;
		snprintf(v.why, sizeof(v.why), "%s", b->why);
		if (imsg_compose(parent, IMSG_VIOLATION, 0, -1, &v, sizeof(v)) == 0) {
			imsg_flush_blocking(parent);
			/* keep the channel to the offender open until the parent has killed it
			 * (it then tells us to stop): closing it first would let the offender
			 * exit by itself, or act on a half-closed channel */
			struct pollfd pfd = { .fd = parent->fd, .events = POLLIN };
			(void)poll(&pfd, 1, 2000);
		}
	}
	fatalx("protocol violation from %s: %s", b->name, b->why);
}
