/*
 * Privilege separation: each child becomes its own system user, for good.
 *
 * Every child is chrooted to an empty directory. ikemgr, keymgr and control: no capabilities
 * at all. tunmgr keeps CAP_NET_ADMIN and CAP_NET_RAW only (netlink, TUNSETIFF on the fds the
 * parent opens for it: it never opens a file itself). Every step is verified afterwards; a
 * failure is fatal, never a half-dropped child.
 *
 * The raw capget/capset syscalls are used so that no libcap is needed.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"

static int privsep_dropped;

/*
 * LeakSanitizer inspects the process with ptrace at exit, which an unprivileged, non-dumpable
 * child may not do to itself: it would turn every clean exit into a failure. Leak checking stays
 * on in the parent and in the unit tests.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PRIVSEP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRIVSEP_ASAN 1
#endif
#endif
#ifdef PRIVSEP_ASAN
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return privsep_dropped;
}
#endif

const char *privsep_user(int role)
{
	switch (role) {
	case ROLE_IKEMGR: return PRIVSEP_USER_IKEMGR;
	case ROLE_KEYMGR: return PRIVSEP_USER_KEYMGR;
	case ROLE_TUNMGR: return PRIVSEP_USER_TUNMGR;
	case ROLE_CONTROL: return PRIVSEP_USER_CONTROL;
	default:          return NULL;
	}
}

struct capsets {
	uint64_t eff, prm, inh;
};

static int caps_get(struct capsets *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	c->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_set(const struct capsets *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)c->eff;
	d[1].effective = (uint32_t)(c->eff >> 32);
	d[0].permitted = (uint32_t)c->prm;
	d[1].permitted = (uint32_t)(c->prm >> 32);
	d[0].inheritable = (uint32_t)c->inh;
	d[1].inheritable = (uint32_t)(c->inh >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

/* Drop every bounding capability outside keep; needs CAP_SETPCAP, so before the uid change. */
static void bounding_restrict(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r == -1)
			break;          /* past the kernel's last capability */
		if (r == 1 && !(keep & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("privsep: dropping bounding capability %d", cap);
	}
}

static void bounding_verify(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r == -1)
			break;
		if (r == 1 && !(keep & (1ULL << cap)))
			fatalx("privsep: capability %d still in the bounding set", cap);
	}
}

/* The chroot must be root's and empty, or the child could be handed something in it. */
static void chroot_dir_check(void)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	/* explicit modes: a restrictive umask would leave the chroot unreadable to its user */
	if (mkdir("/var/empty", 0755) == 0)
		(void)chmod("/var/empty", 0755);
	else if (errno != EEXIST)
		fatal("privsep: mkdir /var/empty");
	if (mkdir(PRIVSEP_CHROOT, 0755) == 0)
		(void)chmod(PRIVSEP_CHROOT, 0755);
	else if (errno != EEXIST)
		fatal("privsep: mkdir %s", PRIVSEP_CHROOT);
	if (lstat(PRIVSEP_CHROOT, &st) == -1)
		fatal("privsep: %s", PRIVSEP_CHROOT);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0)
		fatalx("privsep: %s must be a directory owned by root, writable by root only",
		       PRIVSEP_CHROOT);
	d = opendir(PRIVSEP_CHROOT);
	if (d == NULL)
		fatal("privsep: opendir %s", PRIVSEP_CHROOT);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			fatalx("privsep: %s is not empty (%s)", PRIVSEP_CHROOT, de->d_name);
	}
	closedir(d);
}

static void switch_user(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(0, NULL) == -1)
		fatal("privsep: setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("privsep: setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("privsep: setresuid %u", (unsigned)uid);
	if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid || su != uid)
		fatalx("privsep: uids did not change");
	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid || sg != gid)
		fatalx("privsep: gids did not change");
	if (getgroups(0, NULL) != 0)
		fatalx("privsep: supplementary groups left");
	/* the point of the exercise: there is no way back */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		fatalx("privsep: privileges could be regained");
}

void privsep_drop(int role)
{
	const char *user = privsep_user(role);
	const uint64_t tun_caps = 1ULL << CAP_NET_ADMIN | 1ULL << CAP_NET_RAW;
	uint64_t keep = role == ROLE_TUNMGR ? tun_caps : 0;
	struct passwd *pw;
	struct capsets c;
	uid_t uid;
	gid_t gid;

	if (user == NULL)
		fatalx("privsep: no user for role %d", role);
	/* the passwd database is out of reach once chrooted */
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		fatalx("privsep: unknown user %s", user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0 || gid == 0)
		fatalx("privsep: user %s must not have uid or gid 0", user);

	chroot_dir_check();
	if (chroot(PRIVSEP_CHROOT) == -1)
		fatal("privsep: chroot %s", PRIVSEP_CHROOT);
	if (chdir("/") == -1)
		fatal("privsep: chdir /");

	bounding_restrict(keep);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		fatal("privsep: clearing ambient capabilities");
	if (role == ROLE_TUNMGR && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		fatal("privsep: PR_SET_KEEPCAPS");

	switch_user(uid, gid);

	if (role == ROLE_TUNMGR) {
		c.eff = c.prm = tun_caps;
		c.inh = 0;
		if (caps_set(&c) == -1)
			fatal("privsep: capset");
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
			fatal("privsep: clearing PR_SET_KEEPCAPS");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("privsep: PR_SET_NO_NEW_PRIVS");

	if (caps_get(&c) == -1)
		fatal("privsep: capget");
	if (c.eff != keep || c.prm != keep || c.inh != 0)
		fatalx("privsep: capabilities not as expected (eff %#llx prm %#llx inh %#llx)",
		       (unsigned long long)c.eff, (unsigned long long)c.prm,
		       (unsigned long long)c.inh);
	bounding_verify(keep);

	privsep_dropped = 1;
	log_debug("privileges dropped to %s (uid %u)%s", user, (unsigned)uid,
	          role == ROLE_TUNMGR ? ", chrooted, CAP_NET_ADMIN CAP_NET_RAW kept" : ", chrooted");
}

static int run_useradd(const char *name)
{
	static const char *const paths[] = { "/usr/sbin/useradd", "/sbin/useradd" };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const char *argv[] = { "useradd", "--system", "--no-create-home",
	                       "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
	                       "--user-group", name, NULL };
	int status;
	pid_t pid, r;

	pid = fork();
	if (pid == -1) {
		log_warn("fork for useradd");
		return -1;
	}
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			execve(paths[i], (char *const *)argv, envp);
		_exit(127);
	}
	do
		r = waitpid(pid, &status, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		log_warn("waitpid for useradd");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("useradd %s failed (%s %d)", name,
		          WIFEXITED(status) ? "status" : "signal",
		          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

int privsep_ensure_users(void)
{
	uid_t uids[ROLE_LAST + 1];
	int ret = 0;

	for (int role = ROLE_IKEMGR; role <= ROLE_LAST; role++) {
		const char *name = privsep_user(role);
		struct passwd *pw = getpwnam(name);

		if (pw == NULL) {
			int created = run_useradd(name) == 0;
			/* a failure is fine if someone else (a second vpnd) created it meanwhile */
			pw = getpwnam(name);
			if (pw == NULL) {
				log_warnx("user %s is missing and could not be created", name);
				ret = -1;
				continue;
			}
			if (created)
				log_info("created system user %s", name);
		}
		if (pw->pw_uid == 0 || pw->pw_gid == 0) {
			log_warnx("user %s has uid or gid 0: refusing it", name);
			ret = -1;
			continue;
		}
		uids[role] = pw->pw_uid;
	}
	for (int a = ROLE_IKEMGR; ret == 0 && a <= ROLE_LAST; a++)
		for (int b = a + 1; ret == 0 && b <= ROLE_LAST; b++)
			if (uids[a] == uids[b]) {
				log_warnx("users %s and %s must have distinct uids", privsep_user(a),
				          privsep_user(b));
				ret = -1;
			}
	return ret;
}
