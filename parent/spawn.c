/*
 * Fork and re-exec each child (a fresh address space: nothing the parent read, such as the
 * full configuration, survives in ikemgr or tunmgr), then hand it its start-up messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "parent/parent.h"

#define CHILD_CHANNEL_FD 3
#define CHILD_FALLBACK_FD 4

/* Async-signal-safe: runs between fork and exec. */
static void close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		close(fd);
}

static pid_t spawn_one(const char *role, int chan, int errfd, int debug)
{
	char *argv[] = { "vpnd", "-X", (char *)role, debug ? "-d" : NULL, NULL };
	sigset_t none;
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return pid;

	/* child: stderr is the relay pipe, fd 3 the channel, fd 4 the parent's own stderr (for
	 * the last words of a child whose parent is gone); moved out of the way first, since
	 * any of them may sit on 2, 3 or 4. Nothing else leaks into the new image. */
	int e = fcntl(errfd, F_DUPFD, 10), c = fcntl(chan, F_DUPFD, 10);
	int o = fcntl(STDERR_FILENO, F_DUPFD, 10);
	if (e == -1 || c == -1 || o == -1 || dup2(o, CHILD_FALLBACK_FD) == -1 ||
	    dup2(e, STDERR_FILENO) == -1 || dup2(c, CHILD_CHANNEL_FD) == -1)
		_exit(127);
	close_from(CHILD_FALLBACK_FD + 1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv("/proc/self/exe", argv);
	_exit(127);
}

void kill_children(struct parent *p, int sig)
{
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++)
		if (p->child[r].pid > 0 && !p->child[r].exited)
			kill(p->child[r].pid, sig);
}

static int send_socket(int chan, int type, int kind, int fd)
{
	struct msg_socket ms = { .kind = kind };
	return imsg_send_blocking(chan, (uint32_t)type, 0, fd, &ms, sizeof(ms));
}

/* a socket that may be absent (-1): sent only if there */
static int send_opt_socket(struct parent *p, int chan, int kind)
{
	return p->socks[kind] == -1 ? 0 : send_socket(chan, IMSG_SOCKET, kind, p->socks[kind]);
}

static void close_pair(int sv[2])
{
	for (int i = 0; i < 2; i++) {
		if (sv[i] != -1)
			close(sv[i]);
		sv[i] = -1;
	}
}

/* CONF, sockets and channels, then START. Returns 0 or -1. */
static int boot_child(struct parent *p, int role, const struct vpnd_conf *redacted,
                      int ik[2], int it[2], int kt[2])
{
	int chan = p->child[role].fd;
	const struct vpnd_conf *conf = role == ROLE_KEYMGR ? p->conf : redacted;

	if (imsg_send_blocking(chan, IMSG_CONF, 0, -1, conf, sizeof(*conf)) == -1)
		return -1;
	switch (role) {
	case ROLE_IKEMGR:
		if (send_socket(chan, IMSG_SOCKET, SOCK_IKE500, p->socks[SOCK_IKE500]) == -1 ||
		    send_socket(chan, IMSG_SOCKET, SOCK_IKE4500, p->socks[SOCK_IKE4500]) == -1 ||
		    send_opt_socket(p, chan, SOCK_IKE500_6) == -1 ||
		    send_opt_socket(p, chan, SOCK_IKE4500_6) == -1 ||
		    send_socket(chan, IMSG_PEER_CHANNEL, CHAN_KEYMGR, ik[0]) == -1 ||
		    send_socket(chan, IMSG_PEER_CHANNEL, CHAN_TUNMGR, it[0]) == -1)
			return -1;
		break;
	case ROLE_KEYMGR:
		if (send_socket(chan, IMSG_PEER_CHANNEL, CHAN_IKEMGR, ik[1]) == -1 ||
		    send_socket(chan, IMSG_PEER_CHANNEL, CHAN_TUNMGR, kt[0]) == -1)
			return -1;
		if (p->socks[SOCK_DYNAUTH] != -1 &&
		    send_socket(chan, IMSG_SOCKET, SOCK_DYNAUTH, p->socks[SOCK_DYNAUTH]) == -1)
			return -1;
		break;
	case ROLE_TUNMGR:
		if (send_socket(chan, IMSG_SOCKET, SOCK_IKE4500, p->socks[SOCK_IKE4500]) == -1 ||
		    send_socket(chan, IMSG_SOCKET, SOCK_ESP_RAW, p->socks[SOCK_ESP_RAW]) == -1 ||
		    send_opt_socket(p, chan, SOCK_IKE4500_6) == -1 ||
		    send_opt_socket(p, chan, SOCK_ESP_RAW6) == -1 ||
		    send_socket(chan, IMSG_PEER_CHANNEL, CHAN_IKEMGR, it[1]) == -1 ||
		    send_socket(chan, IMSG_PEER_CHANNEL, CHAN_KEYMGR, kt[1]) == -1)
			return -1;
		break;
	case ROLE_CONTROL: {
		/* the operator socket's name, mode and group were set by root (control.c) */
		struct msg_ctl_dbpath db;
		memset(&db, 0, sizeof(db));
		if ((size_t)snprintf(db.path, sizeof(db.path), "%s/vpnd.db", p->rundir) >=
		    sizeof(db.path) ||
		    imsg_send_blocking(chan, IMSG_CTL_DBPATH, 0, -1, &db, sizeof(db)) == -1 ||
		    send_socket(chan, IMSG_SOCKET, SOCK_CONTROL, p->ctl_fd) == -1)
			return -1;
		if (p->socks[SOCK_METRICS] != -1 &&
		    send_socket(chan, IMSG_SOCKET, SOCK_METRICS, p->socks[SOCK_METRICS]) == -1)
			return -1;
		break;
	}
	}
	return imsg_send_blocking(chan, IMSG_START, 0, -1, NULL, 0);
}

int spawn_children(struct parent *p)
{
	int pc[ROLE_LAST + 1][2], ik[2] = { -1, -1 }, it[2] = { -1, -1 }, kt[2] = { -1, -1 };
	struct vpnd_conf *redacted = NULL;
	int ret = -1;

	for (int r = 0; r <= ROLE_LAST; r++)
		pc[r][0] = pc[r][1] = -1;
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		p->child[r].role = r;
		p->child[r].name = proc_role_name(r);
		p->child[r].fd = -1;
		p->child[r].log_fd = -1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pc[r]) == -1) {
			log_warn("socketpair");
			goto out;
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ik) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, it) == -1 ||
	    /* keymgr tells tunmgr what each session may have (common/netpolicy.h), so tunmgr
	     * need not take ikemgr's word for it */
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, kt) == -1) {
		log_warn("socketpair");
		goto out;
	}

	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		int errfd;
		if (logrelay_pipe(&p->child[r], &errfd) == -1) {
			log_warn("pipe");
			goto out;
		}
		pid_t pid = spawn_one(p->child[r].name, pc[r][1], errfd, p->debug);
		close(errfd);
		if (pid == -1) {
			log_warn("fork %s", p->child[r].name);
			goto out;
		}
		p->child[r].pid = pid;
		p->child[r].fd = pc[r][0];
		pc[r][0] = -1;
		close(pc[r][1]);
		pc[r][1] = -1;
		log_debug("spawned %s, pid %d", p->child[r].name, (int)pid);
	}

	redacted = malloc(sizeof(*redacted));
	if (redacted == NULL) {
		log_warn("malloc");
		goto out;
	}
	memcpy(redacted, p->conf, sizeof(*redacted));
	conf_redact(redacted);

	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		if (boot_child(p, r, redacted, ik, it, kt) == -1) {
			log_warn("sending start-up messages to %s", p->child[r].name);
			goto out;
		}
	}
	ret = 0;
out:
	/* every fd handed out now lives in the children only */
	for (int r = 0; r <= ROLE_LAST; r++)
		close_pair(pc[r]);
	close_pair(ik);
	close_pair(it);
	close_pair(kt);
	sockets_close(p->socks);
	if (p->ctl_fd != -1)
		close(p->ctl_fd);       /* control's now */
	p->ctl_fd = -1;
	free(redacted);
	if (ret == -1) {
		kill_children(p, SIGKILL);
		for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
			struct child *c = &p->child[r];
			if (c->pid > 0)
				while (waitpid(c->pid, &c->status, 0) == -1 && errno == EINTR)
					;
			c->exited = 1;
			logrelay_close(c);
			if (c->fd != -1)
				close(c->fd);
			c->fd = -1;
		}
	}
	return ret;
}
