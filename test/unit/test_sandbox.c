/*
 * The real sandbox_enter(role) in a forked child: what the role needs still works, a call
 * outside its allow-list kills it with SIGSYS, Landlock keeps the parent to its directories.
 * Needs root (the parent role's Landlock rules, rlimits) and a kernel with Landlock.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/sandbox.h"

static char tmpdir[] = "/tmp/vpnd-sandbox.XXXXXX";

enum probe { P_NONE, P_MOUNT, P_EXECVE, P_PACKET, P_FORK, P_THREAD, P_OPEN_TMP, P_OPEN_VAR,
             P_OPEN_CHROOTED, P_UNIX_KEYMGR, P_WAIT_WRITABLE, P_OPEN_SYSCTL };

static void *thread_fn(void *arg) { return arg; }

/* Runs in the sandboxed child: 0 when the probe behaved, 1..n when it did not. */
static int probe(enum probe p)
{
	char path[sizeof(tmpdir) + 16];
	char *const argv[] = { "true", NULL };
	pthread_t t;
	void *ret = NULL;
	int fd;

	switch (p) {
	case P_NONE:
		return 0;
	case P_MOUNT:
		/* NULL arguments: harmless should the filter let it through */
		syscall(SYS_mount, NULL, NULL, NULL, 0, NULL);
		return 1;
	case P_EXECVE:
		execve("/bin/true", argv, NULL);
		return 1;
	case P_PACKET:
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		return 1 + (fd >= 0);
	case P_FORK:
		/* glibc's fork() is clone() without CLONE_THREAD */
		if (fork() == 0)
			_exit(0);
		return 1;
	case P_THREAD:
		/* glibc tries clone3 first: the filter answers ENOSYS and it falls back to clone */
		if (pthread_create(&t, NULL, thread_fn, (void *)1) != 0)
			return 2;
		if (pthread_join(t, &ret) != 0 || ret != (void *)1)
			return 3;
		return 0;
	case P_OPEN_TMP:
		snprintf(path, sizeof(path), "%s/f", tmpdir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "x", 1) != 1)
			return 2;
		close(fd);
		return unlink(path) == 0 ? 0 : 3;
	case P_OPEN_VAR:
		fd = open("/var", O_RDONLY | O_DIRECTORY);
		return fd == -1 && errno == EACCES ? 0 : 2;
	case P_OPEN_SYSCTL:
		/* the forwarding switches and accept_ra (parent/forwarding.c at reload), no other
		 * sysctl; opened for writing and closed unwritten, so the host stays as it is */
		if ((fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY)) == -1)
			return 2;
		close(fd);
		if ((fd = open("/proc/sys/net/ipv6/conf/lo/accept_ra", O_WRONLY)) == -1)
			return 3;
		close(fd);
		fd = open("/proc/sys/net/ipv4/tcp_syncookies", O_WRONLY);
		return fd == -1 && errno == EACCES ? 0 : 4;
	case P_OPEN_CHROOTED:
		/* a library probing a file gets an error, not a dead process */
		fd = open("/etc/hostname", O_RDONLY);
		return fd == -1 && errno == EACCES ? 0 : 2;
	case P_UNIX_KEYMGR:
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		return fd == -1 && errno == EACCES ? 0 : 2;
	case P_WAIT_WRITABLE: {
		/* what imsg_flush_blocking does when a channel is full at shutdown: wait for room
		 * with poll (ikemgr was killed here with 5,000 sessions to report) */
		struct pollfd pf = { .fd = 1, .events = POLLOUT };
		return poll(&pf, 1, 0) >= 0 ? 0 : 2;
	}
	}
	return 9;
}

/* Fork, enter the role's sandbox, run the probe; the child's wait status. */
static int run(int role, enum probe p)
{
	const char *rw[] = { tmpdir, NULL };
	const char *ro[] = { NULL };
	pid_t none[] = { 0 };
	struct sandbox_paths sp = { .ro = ro, .rw = rw, .children = none };
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		sandbox_limits(role);
		sandbox_enter(role, role == ROLE_PARENT ? &sp : NULL);
		_exit(probe(p));
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void killed_by_sigsys(int role, enum probe p)
{
	int st = run(role, p);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	          "%s, probe %d: expected death by SIGSYS, got %s %d", proc_role_name(role), p,
	          WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) :
	          WEXITSTATUS(st));
}

static void exits_zero(int role, enum probe p)
{
	int st = run(role, p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	          "%s, probe %d: expected exit 0, got %s %d", proc_role_name(role), p,
	          WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) :
	          WEXITSTATUS(st));
}

static void setup(void)
{
	log_init("test", 0);
	cr_assert_eq(geteuid(), 0, "test_sandbox needs root");
	cr_assert_geq(syscall(SYS_landlock_create_ruleset, NULL, 0,
	                      LANDLOCK_CREATE_RULESET_VERSION), 1,
	              "this kernel has no Landlock");
	cr_assert_not_null(mkdtemp(tmpdir));
	unsetenv("VPND_NO_SECCOMP");
}

static void teardown(void)
{
	rmdir(tmpdir);
}

TestSuite(sandbox, .init = setup, .fini = teardown);

Test(sandbox, every_role_starts_and_exits)
{
	for (int r = ROLE_PARENT; r <= ROLE_LAST; r++)
		exits_zero(r, P_NONE);
}

Test(sandbox, forbidden_calls_kill)
{
	killed_by_sigsys(ROLE_PARENT, P_MOUNT);
	killed_by_sigsys(ROLE_PARENT, P_EXECVE);
	killed_by_sigsys(ROLE_IKEMGR, P_EXECVE);
	killed_by_sigsys(ROLE_IKEMGR, P_MOUNT);
	killed_by_sigsys(ROLE_IKEMGR, P_PACKET);
	killed_by_sigsys(ROLE_KEYMGR, P_EXECVE);
	killed_by_sigsys(ROLE_KEYMGR, P_PACKET);
	killed_by_sigsys(ROLE_TUNMGR, P_EXECVE);
	killed_by_sigsys(ROLE_TUNMGR, P_PACKET);
	/* control serves the socket it was given: it may not make one, not even AF_UNIX */
	killed_by_sigsys(ROLE_CONTROL, P_EXECVE);
	killed_by_sigsys(ROLE_CONTROL, P_PACKET);
	killed_by_sigsys(ROLE_CONTROL, P_UNIX_KEYMGR);
}

#ifndef VPND_SANITIZERS
/* LeakSanitizer needs to clone a tracer, so sanitizer builds allow every clone */
Test(sandbox, no_new_process)
{
	for (int r = ROLE_PARENT; r <= ROLE_LAST; r++)
		killed_by_sigsys(r, P_FORK);
}
#endif

Test(sandbox, every_role_may_wait_to_flush)
{
	for (int r = ROLE_PARENT; r <= ROLE_LAST; r++)
		exits_zero(r, P_WAIT_WRITABLE);
}

Test(sandbox, threads_work)
{
	for (int r = ROLE_PARENT; r <= ROLE_LAST; r++)
		exits_zero(r, P_THREAD);
}

Test(sandbox, landlock_parent)
{
	exits_zero(ROLE_PARENT, P_OPEN_TMP);
	exits_zero(ROLE_PARENT, P_OPEN_VAR);
	exits_zero(ROLE_PARENT, P_OPEN_SYSCTL);
}

Test(sandbox, chrooted_roles_get_eacces_for_files)
{
	exits_zero(ROLE_IKEMGR, P_OPEN_CHROOTED);
	exits_zero(ROLE_KEYMGR, P_OPEN_CHROOTED);
	exits_zero(ROLE_TUNMGR, P_OPEN_CHROOTED);
	exits_zero(ROLE_CONTROL, P_OPEN_CHROOTED);
	exits_zero(ROLE_KEYMGR, P_UNIX_KEYMGR);
}

Test(sandbox, switch_off_for_debugging)
{
	setenv("VPND_NO_SECCOMP", "1", 1);
	exits_zero(ROLE_IKEMGR, P_NONE);
	/* no filter: mount() with NULL arguments just fails */
	cr_assert(WIFEXITED(run(ROLE_PARENT, P_MOUNT)));
	unsetenv("VPND_NO_SECCOMP");
}

Test(sandbox, limits)
{
	struct rlimit rl;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		sandbox_limits(ROLE_KEYMGR);
		if (getrlimit(RLIMIT_CORE, &rl) || rl.rlim_cur != 0 || rl.rlim_max != 0)
			_exit(1);
		if (getrlimit(RLIMIT_NPROC, &rl) || rl.rlim_cur != 32)
			_exit(2);
		if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != 1024)
			_exit(3);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "limit check %d", WEXITSTATUS(st));
}
