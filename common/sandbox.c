/*
 * Per-role confinement after the privilege drop: limits, dumpability, Landlock, seccomp.
 * The order matters: limits need root for a higher hard limit, Landlock's rules open paths,
 * and seccomp comes last because it forbids both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/sandbox.h"

/*
 * RLIMIT_NPROC counts the threads of every process of the real uid (each child has its own
 * user) and is ignored for root, so the parent gets none. keymgr runs 4 RADIUS workers, and
 * any role may start libuv's 4 pool threads (libuv aborts if it cannot); the rest is room for
 * a second instance starting while one runs. tunmgr holds one TUN fd per session, for 20,000
 * sessions and more. No core files anywhere: every process holds keys (ikemgr SKEYID and DH
 * secrets, tunmgr the ESP keys, keymgr and the parent the configured secrets).
 */
struct limits {
	rlim_t nofile, nproc;   /* 0: leave as it is */
};

static const struct limits role_limits[] = {
	[ROLE_PARENT] = { .nofile = 8192,  .nproc = 0 },
	[ROLE_IKEMGR] = { .nofile = 1024,  .nproc = 16 },
	[ROLE_KEYMGR] = { .nofile = 1024,  .nproc = 32 },
	[ROLE_TUNMGR] = { .nofile = 69632, .nproc = 16 },
	[ROLE_CONTROL] = { .nofile = 1024, .nproc = 16 },   /* 16 operator connections at most */
};

static void set_limit(int resource, const char *name, rlim_t v)
{
	struct rlimit rl = { .rlim_cur = v, .rlim_max = v };

	if (setrlimit(resource, &rl) == -1)
		fatal("sandbox: %s %llu", name, (unsigned long long)v);
}

/*
 * Raising the hard limit takes CAP_SYS_RESOURCE, which some containers withhold even from
 * root: then take the hard limit there is, and say what it costs.
 */
static void set_nofile(int role, rlim_t v)
{
	struct rlimit rl = { .rlim_cur = v, .rlim_max = v };

	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return;
	if (errno != EPERM || getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_max >= v)
		fatal("sandbox: RLIMIT_NOFILE %llu", (unsigned long long)v);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: RLIMIT_NOFILE %llu", (unsigned long long)rl.rlim_max);
	log_warnx("open files limited to %llu instead of %llu: the hard limit cannot be raised "
	          "here (no CAP_SYS_RESOURCE)%s", (unsigned long long)rl.rlim_max,
	          (unsigned long long)v, role == ROLE_TUNMGR ?
	          ", which caps the number of sessions (one TUN fd each)" : "");
}

void sandbox_limits(int role)
{
	const struct limits *l;

	if (role < ROLE_PARENT || role > ROLE_LAST)
		fatalx("sandbox: bad role %d", role);
	l = &role_limits[role];
	/* the time zone file is out of reach afterwards: read it now for the log's timestamps */
	tzset();
	set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0);
	if (l->nofile)
		set_nofile(role, l->nofile);
	if (l->nproc)
		set_limit(RLIMIT_NPROC, "RLIMIT_NPROC", l->nproc);
}

void sandbox_enter(int role, const struct sandbox_paths *paths)
{
	const char *off = getenv("VPND_NO_SECCOMP");

	/* nobody, not even our own uid, may attach, read our memory or get a core */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("sandbox: PR_SET_DUMPABLE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("sandbox: PR_SET_NO_NEW_PRIVS");
	if (role == ROLE_PARENT && paths != NULL && paths->rw != NULL && paths->rw[0] != NULL &&
	    setenv("SQLITE_TMPDIR", paths->rw[0], 1) == -1)
		fatal("sandbox: setenv SQLITE_TMPDIR");
	landlock_restrict(role, paths);
	if (off != NULL && strcmp(off, "1") == 0) {
		log_warnx("*** SECCOMP FILTER OFF (VPND_NO_SECCOMP=1): this %s runs without its "
		          "system call allow-list; for debugging only ***", proc_role_name(role));
		return;
	}
	seccomp_install(role, paths != NULL ? paths->children : NULL);
}
