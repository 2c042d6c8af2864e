/*
 * Seccomp allow-lists, one table per role; any other system call kills the whole process
 * (SIGSYS), so a missed one shows as "killed by signal 31" in the parent's log.
 *
 * The lists come from strace -f of the interop tests (vpnc, strongSwan, RADIUS, accounting,
 * reload, crash) after the point where each process confines itself. A few calls are allowed
 * only with given arguments: ioctl (non-blocking and close-on-exec flags everywhere, TUN and
 * interface index in tunmgr), socket (address families per role), clone (threads only, never a
 * new process), prlimit64 (read only), tgkill (this process only: abort()), kill (the parent's
 * own children). clone3 answers ENOSYS so that glibc falls back to clone, whose flags a filter
 * can see. Chrooted roles get EACCES for open (and keymgr for an AF_UNIX socket: radcli's
 * syslog), because a library may probe a file that the chroot and Landlock deny anyway, and
 * that must not kill the process.
 */
#include <errno.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <linux/if_tun.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/sandbox.h"

/* Sanitizer runtimes report through /proc, symbolize, and LeakSanitizer ptraces the process. */
#if defined(VPND_SANITIZERS) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SECCOMP_SANITIZERS 1
#endif

/* every role: memory, threads' futexes, the libuv loop, imsg over unix sockets, time */
static const char *const sc_base[] = {
	"read", "write", "readv", "writev", "close", "exit", "exit_group", "restart_syscall",
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise",
	"futex", "set_robust_list", "get_robust_list", "rseq", "sched_yield", "sched_getaffinity",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getppid", "getrlimit",
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd2",
	"pipe2", "fcntl", "dup", "dup3", "fstat", "newfstatat", "lseek",
	"recvmsg", "sendmsg", "recvfrom", "sendto", "recvmmsg", "sendmmsg",
	"getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown", "getrandom",
	/* imsg_flush_blocking waits for room when a channel is full (a stop with thousands of
	 * sessions to report) */
	"poll", "ppoll",
	NULL
};

/* SQLite, the configuration and trust points at reload, the children; the control socket is
 * bound before the filter and served by control, so no listen or accept here */
static const char *const sc_parent[] = {
	"openat", "pread64", "pwrite64", "fsync", "fdatasync", "ftruncate", "fallocate",
	"unlink", "unlinkat", "rename", "renameat", "getcwd", "readlink", "access", "faccessat",
	"faccessat2", "stat", "lstat", "statfs", "fstatfs", "fchown", "fchmod", "umask",
	"getdents64", "flock", "uname",
	"connect", "bind", "socketpair",
	"wait4", "waitid",
	NULL
};

/* the RADIUS workers (radcli waits with poll/select) and the dynamic-author socket */
static const char *const sc_keymgr[] = {
	"connect", "bind", "select", "pselect6",
	NULL
};

/* netlink for links, addresses and routes; raw ESP and UDP 4500 are already open;
 * libnftables (Easy VPN client NAT, tunmgr/nat.c) waits for its batch's answers with select */
static const char *const sc_tunmgr[] = {
	"bind", "connect", "select", "pselect6",
	NULL
};

/* the operator socket the parent bound (libuv listens again, then accepts), and the session
 * store's pages through the descriptors opened before the chroot: no socket, no file of its
 * own */
static const char *const sc_control[] = {
	"listen", "accept", "accept4", "pread64",
	NULL
};

#ifdef SECCOMP_SANITIZERS
static const char *const sc_sanitizers[] = {
	"open", "openat", "readlink", "readlinkat", "stat", "lstat", "pread64", "getdents",
	"getdents64",
	"prctl", "clone", "wait4", "waitid", "ptrace", "kill", "tgkill", "uname", "mincore",
	"getrusage", "process_vm_readv", "dup2", "sched_getparam", "sched_setaffinity",
	"munlock", "mlock", "pipe", "prlimit64", "setrlimit",
	NULL
};
#endif

struct arg_rule {
	const char *call;
	int argno;
	unsigned long long mask, value;     /* (arg & mask) == value; mask 0: arg == value */
};

static const struct arg_rule ar_base[] = {
	{ "ioctl", 1, 0, FIONBIO }, { "ioctl", 1, 0, FIOCLEX }, { "ioctl", 1, 0, FIONCLEX },
	{ "ioctl", 1, 0, FIONREAD }, { "ioctl", 1, 0, TCGETS },
	{ "clone", 0, CLONE_THREAD, CLONE_THREAD },
	{ "prlimit64", 2, 0, 0 },
	{ NULL, 0, 0, 0 }
};
static const struct arg_rule ar_parent[] = {
	/* nscd lookup for the control socket group at reload; IKE, ESP, dynamic-author */
	{ "socket", 0, 0, AF_UNIX }, { "socket", 0, 0, AF_INET }, { "socket", 0, 0, AF_INET6 },
	{ "socket", 0, 0, AF_NETLINK },
	{ NULL, 0, 0, 0 }
};
static const struct arg_rule ar_keymgr[] = {
	{ "socket", 0, 0, AF_INET }, { "socket", 0, 0, AF_INET6 },
	{ NULL, 0, 0, 0 }
};
static const struct arg_rule ar_tunmgr[] = {
	/* if_nametoindex() asks over an AF_UNIX datagram socket */
	{ "socket", 0, 0, AF_NETLINK }, { "socket", 0, 0, AF_INET }, { "socket", 0, 0, AF_UNIX },
	{ "ioctl", 1, 0, TUNSETIFF }, { "ioctl", 1, 0, SIOCGIFINDEX },
	{ "ioctl", 1, 0, SIOCGIFNAME }, { "ioctl", 1, 0, SIOCGIFFLAGS },
	{ "ioctl", 1, 0, SIOCGIFMTU },
	{ "ioctl", 1, 0, TUNSETOFFLOAD },       /* tunmgr/tun.c: TSO and checksum offloads */
	{ NULL, 0, 0, 0 }
};

static int resolve(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* a name this architecture lacks (stat on arm64, say) is simply not there to allow */
	if (nr == __NR_SCMP_ERROR)
		log_debug("seccomp: no system call %s here", name);
	return nr;
}

static void add_list(scmp_filter_ctx ctx, const char *const *list)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		int nr = resolve(list[i]), r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EEXIST)
			fatalx("seccomp: allowing %s: %s", list[i], strerror(-r));
	}
}

static void add_args(scmp_filter_ctx ctx, const struct arg_rule *rules)
{
	for (size_t i = 0; rules != NULL && rules[i].call != NULL; i++) {
		const struct arg_rule *a = &rules[i];
		int nr = resolve(a->call), r;
		struct scmp_arg_cmp cmp = a->mask ?
			SCMP_CMP(a->argno, SCMP_CMP_MASKED_EQ, a->mask, a->value) :
			SCMP_CMP(a->argno, SCMP_CMP_EQ, a->value);

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, cmp);
		if (r < 0 && r != -EEXIST)
			fatalx("seccomp: allowing %s with argument %d: %s", a->call, a->argno,
			       strerror(-r));
	}
}

static void add_one(scmp_filter_ctx ctx, uint32_t action, const char *call, unsigned nargs,
                    const struct scmp_arg_cmp *cmp)
{
	int nr = resolve(call), r;

	if (nr == __NR_SCMP_ERROR)
		return;
	r = seccomp_rule_add_array(ctx, action, nr, nargs, cmp);
	if (r < 0 && r != -EEXIST)
		fatalx("seccomp: rule for %s: %s", call, strerror(-r));
}

void seccomp_install(int role, const pid_t *kill_ok)
{
	static const char *const *const lists[] = {
		[ROLE_PARENT] = sc_parent, [ROLE_IKEMGR] = NULL,
		[ROLE_KEYMGR] = sc_keymgr, [ROLE_TUNMGR] = sc_tunmgr,
		[ROLE_CONTROL] = sc_control,
	};
	static const struct arg_rule *const args[] = {
		[ROLE_PARENT] = ar_parent, [ROLE_IKEMGR] = NULL,
		[ROLE_KEYMGR] = ar_keymgr, [ROLE_TUNMGR] = ar_tunmgr,
		[ROLE_CONTROL] = NULL,
	};
	struct scmp_arg_cmp self = SCMP_CMP(0, SCMP_CMP_EQ, (scmp_datum_t)getpid());
	scmp_filter_ctx ctx;
	int r;

	if (role < ROLE_PARENT || role > ROLE_LAST)
		fatalx("seccomp: bad role %d", role);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		fatalx("seccomp: init");
	/* a 32-bit or x32 system call from a 64-bit process is an attack, not a need */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0)
		fatalx("seccomp: filter attributes");

	add_list(ctx, sc_base);
	add_args(ctx, ar_base);
	add_list(ctx, lists[role]);
	add_args(ctx, args[role]);
	add_one(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	add_one(ctx, SCMP_ACT_ALLOW, "tgkill", 1, &self);
	if (role != ROLE_PARENT) {
		add_one(ctx, SCMP_ACT_ERRNO(EACCES), "openat", 0, NULL);
		add_one(ctx, SCMP_ACT_ERRNO(EACCES), "open", 0, NULL);
	}
	if (role == ROLE_KEYMGR) {
		/* radcli's syslog() tries /dev/log, which the chroot does not have anyway */
		struct scmp_arg_cmp unix_dom = SCMP_CMP(0, SCMP_CMP_EQ, AF_UNIX);
		add_one(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &unix_dom);
	}
	for (size_t i = 0; role == ROLE_PARENT && kill_ok != NULL && kill_ok[i] > 0; i++) {
		struct scmp_arg_cmp to = SCMP_CMP(0, SCMP_CMP_EQ, (scmp_datum_t)kill_ok[i]);
		add_one(ctx, SCMP_ACT_ALLOW, "kill", 1, &to);
	}
	add_one(ctx, SCMP_ACT_ALLOW, "kill", 1, &self);
#ifdef SECCOMP_SANITIZERS
	add_list(ctx, sc_sanitizers);
#endif

	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		fatalx("seccomp: loading the %s filter: %s", proc_role_name(role), strerror(-r));
	log_info("seccomp filter installed (%s allow-list, anything else kills the process)",
	         proc_role_name(role));
}
