/*
 * Landlock: which files a process may still reach once started.
 *
 * Children are chrooted to an empty directory already; Landlock makes that hold even for a
 * file descriptor of a directory that leaked in, and costs nothing. The parent stays root and
 * outside any chroot (it writes SQLite, re-reads the configuration and opens /dev/net/tun for
 * tunmgr), so Landlock is the only thing that narrows its view of the filesystem.
 *
 * Only the access rights up to ABI 3 are handled: rights a newer kernel adds stay allowed,
 * which is what an unknown right would have to be anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/sandbox.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER    (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define FS_READ   (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE  (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
                   LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_TRUNCATE)
/* what applies to a file rather than a directory */
#define FS_FILE   (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                   LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

/* Libraries the parent may still load or read (NSS for group names, time zone, OpenSSL). */
static const char *const parent_ro[] = { "/etc", "/usr", "/lib", "/lib64", "/proc/self",
	                                 "/dev/urandom", NULL };
/* /dev/net/tun is opened for tunmgr per session; SQLite's temporary files go to the state
 * directory (SQLITE_TMPDIR, set by sandbox_enter). */
static const char *const parent_rw[] = { "/dev/net/tun", "/dev/null", NULL };
/* ip routing / ipv6 unicast-routing at reload (parent/forwarding.c): the forwarding switches
 * and every interface's accept_ra, read and written, never created or removed */
static const char *const parent_sysctl[] = { "/proc/sys/net/ipv4/ip_forward",
	                                     "/proc/sys/net/ipv6/conf", NULL };

static uint64_t handled_for(int abi)
{
	uint64_t h = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;   /* ABI 1: bits 0..12 */

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return h;
}

/* A missing optional path is skipped: /lib64 is not on every system. */
static void allow(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			log_warn("landlock: %s", path);
		return;
	}
	if (fstat(fd, &st) == -1)
		fatal("landlock: %s", path);
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = access & handled;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
		fatal("landlock: rule for %s", path);
	close(fd);
}

static void allow_list(int ruleset, const char *const *paths, uint64_t access, uint64_t handled)
{
	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++)
		allow(ruleset, paths[i], access, handled);
}

int landlock_restrict(int role, const struct sandbox_paths *paths)
{
	struct landlock_ruleset_attr ra;
	uint64_t handled;
	int abi, rs;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		/* one line per process: each has its own sandbox and its own log prefix */
		log_warnx("landlock: not available in this kernel (%s): filesystem access is "
		          "limited by the chroot and seccomp only", strerror(errno));
		return -1;
	}
	handled = handled_for(abi);
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = handled;
	rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs == -1)
		fatal("landlock: create ruleset");
	if (role == ROLE_PARENT) {
		allow_list(rs, parent_ro, FS_READ, handled);
		allow_list(rs, parent_rw, FS_READ | FS_WRITE, handled);
		allow_list(rs, parent_sysctl, FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE, handled);
		if (paths != NULL) {
			allow_list(rs, paths->ro, FS_READ, handled);
			allow_list(rs, paths->rw, FS_READ | FS_WRITE, handled);
		}
	}
	/* children: no rule at all, so no file may be opened, made or removed by path */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("landlock: PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		fatal("landlock: restrict self");
	close(rs);
	log_debug("landlock ABI %d: %s", abi, role == ROLE_PARENT ?
	          "configuration read-only, state directory read-write" : "no file access");
	return 0;
}
