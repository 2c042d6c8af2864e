/*
 * Per-role confinement on top of privsep: resource limits, non-dumpable, Landlock and a
 * seccomp allow-list. See docs/architecture.md "What each process may do".
 */
#ifndef VPND_SANDBOX_H
#define VPND_SANDBOX_H

#include <sys/types.h>

/* Files the parent still opens after start-up (NULL-terminated lists of paths). */
struct sandbox_paths {
	const char *const *ro;      /* read: the config's directory, trust point files */
	const char *const *rw;      /* read, write, create, remove: the state directory first */
	const pid_t *children;      /* the only processes it may signal, 0-terminated */
};

/*
 * RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE for the role. Run it while still root (children:
 * before privsep_drop) so a hard limit can be raised. Fatal on failure.
 */
void sandbox_limits(int role);

/*
 * Non-dumpable, Landlock (paths only for the parent; children get no file access at all),
 * then the role's seccomp filter: anything outside it kills the process (SIGSYS). Children
 * call it after privsep_drop, the parent once every child is exec'd (filters survive fork and
 * exec, so the parent's would otherwise bind its children). Fatal on failure, except that a
 * kernel without Landlock is logged and tolerated. VPND_NO_SECCOMP=1 in the environment skips
 * the seccomp filter, with a warning: for debugging only.
 */
void sandbox_enter(int role, const struct sandbox_paths *paths);

/* Landlock, in landlock.c. Returns 0, or -1 when the kernel has no Landlock (logged once). */
int  landlock_restrict(int role, const struct sandbox_paths *paths);

/* Seccomp, in seccomp.c: install the role's filter; kill_ok: pids the parent may signal
 * (0-terminated, may be NULL). Fatal on failure. */
void seccomp_install(int role, const pid_t *kill_ok);

#endif
