/*
 * vpnctl backup FILE: a consistent copy of the session store, taken online with SQLite's
 * backup API from vpnctl's own read-only connection. The copy is one read transaction, so
 * the parent goes on writing (WAL) and the file holds one moment of the store. FILE is created
 * here, with the operator's permissions, mode 0600 (it holds user names and addresses), and
 * never replaces an existing file: an operator's typo should not overwrite something.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vpnctl/vpnctl.h"

static int copy(sqlite3 *src, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s: %s\n", vctl_safe(path),
		        dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return -1;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		fprintf(stderr, "vpnctl: backup to %s: %s\n", vctl_safe(path), sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	/* every page in one step: one read transaction, one snapshot of the store */
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "vpnctl: backup to %s: %s\n", vctl_safe(path), sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* the store is WAL and page 1 says so; a copy is one self-contained file */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s: %s\n", vctl_safe(path), sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: %s: cannot close\n", vctl_safe(path));
		return -1;
	}
	return 0;
}

int vctl_backup(const struct vctx *c, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '\0')
		return vctl_invalid(c);
	const char *path = argv[0];
	sqlite3 *src = vctl_db(c);
	if (!src)
		return 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		fprintf(stderr, "vpnctl: %s: %s\n", vctl_safe(path), strerror(errno));
		sqlite3_close(src);
		return 1;
	}
	int rc = copy(src, path);
	if (rc == 0 && fsync(fd) == -1) {
		fprintf(stderr, "vpnctl: %s: %s\n", vctl_safe(path), strerror(errno));
		rc = -1;
	}
	close(fd);
	sqlite3_close(src);
	if (rc == -1) {
		unlink(path);           /* half a copy would pass for a backup */
		return 1;
	}
	printf("session store copied to %s\n", vctl_safe(path));
	return 0;
}
