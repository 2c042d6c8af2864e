/*
 * The session store, read-only, for show running-config interface Virtual-AccessN. The
 * parent is the only writer; control opens the file before it drops root and chroots
 * (control_store_open), and keeps that one connection: SQLite holds the database, -wal and
 * -shm files open, so no path is needed afterwards. Every one of them is opened read-only,
 * the WAL index (-shm) too: a taken-over control must not be able to corrupt what the
 * parent's writer reads back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "common/log.h"
#include "control/show_config.h"

/*
 * SQLite opens the -wal file read-write whenever it can, even on a read-only connection, and
 * as root it can: a VFS over the default one that opens every file read-only. The -shm file
 * is not opened through xOpen; readonly_shm=1 in the URI covers it.
 */
static sqlite3_vfs ro_vfs;

static int ro_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	sqlite3_vfs *base = vfs->pAppData;
	flags &= ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE);
	flags |= SQLITE_OPEN_READONLY;
	return base->xOpen(base, name, f, flags, out);
}

static int ro_vfs_register(void)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);

	if (ro_vfs.zName != NULL)
		return 0;
	if (base == NULL)
		return -1;
	ro_vfs = *base;
	ro_vfs.pNext = NULL;
	ro_vfs.zName = "vpnd-readonly";
	ro_vfs.pAppData = base;
	ro_vfs.xOpen = ro_open;
	return sqlite3_vfs_register(&ro_vfs, 0) == SQLITE_OK ? 0 : -1;
}

/* file:PATH?mode=ro&readonly_shm=1, PATH percent-encoded but for the safe characters */
static int store_uri(const char *path, char *uri, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = (size_t)snprintf(uri, len, "file:");

	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (n + 4 >= len)
			return -1;
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("/._-", *c) != NULL) {
			uri[n++] = (char)*c;
		} else {
			uri[n++] = '%';
			uri[n++] = hex[*c >> 4];
			uri[n++] = hex[*c & 15];
		}
	}
	uri[n] = '\0';
	return (size_t)snprintf(uri + n, len - n, "?mode=ro&readonly_shm=1") < len - n ? 0 : -1;
}

sqlite3 *control_store_open(const char *path)
{
	char uri[3 * 4096 + 64];
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;

	if (store_uri(path, uri, sizeof(uri)) == -1) {
		log_warnx("session store %s: path too long", path);
		return NULL;
	}
	if (ro_vfs_register() == -1) {
		log_warnx("session store %s: cannot register the read-only VFS", path);
		return NULL;
	}
	if (sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	                    SQLITE_OPEN_NOFOLLOW, ro_vfs.zName) != SQLITE_OK)
		goto fail;
	/* the control loop waits while a query runs: never long */
	sqlite3_busy_timeout(h, 200);
	sqlite3_limit(h, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* no temporary files: there is no /tmp in the chroot */
	if (sqlite3_exec(h, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	/* a first read opens the WAL and its index (-shm) while they can still be reached */
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sessions", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	sqlite3_finalize(s);
	return h;
fail:
	log_warnx("session store %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return NULL;
}

static void copy_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* Addresses from the store are printed as text: keep only what is one (IPv4, or IPv6 where
 * DST has room for it). */
static void copy_addr_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	union sa46 a;
	char buf[SA46_STRLEN];
	const unsigned char *t = sqlite3_column_text(s, col);

	dst[0] = '\0';
	if (t == NULL || sa46_pton((const char *)t, &a) < 0)
		return;
	sa46_ntop(&a, buf);
	if (strlen(buf) < len)
		memcpy(dst, buf, strlen(buf) + 1);
}

int show_vaccess_query(sqlite3 *h, int unit, struct show_vaccess *out, char *err,
                       size_t errlen)
{
	static const char sql[] =
		"SELECT ifname, username, grp, profile, peer_addr, local_addr, assigned_addr,"
		" acl_in, acl_out, mtu, tcp_mss, acl6_in, acl6_out FROM sessions"
		" WHERE ended IS NULL AND unit = ?"
		" ORDER BY started DESC, id DESC LIMIT 1";
	sqlite3_stmt *s = NULL;
	const char *dbpath = sqlite3_db_filename(h, "main");
	int rc;

	memset(out, 0, sizeof(*out));
	out->unit = unit;
	if (dbpath == NULL)
		dbpath = "session store";
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dbpath, sqlite3_errmsg(h));
		return -1;
	}
	sqlite3_bind_int(s, 1, unit);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_col(s, 0, out->ifname, sizeof(out->ifname));
		copy_col(s, 1, out->username, sizeof(out->username));
		copy_col(s, 2, out->group, sizeof(out->group));
		copy_col(s, 3, out->profile, sizeof(out->profile));
		copy_addr_col(s, 4, out->peer, sizeof(out->peer));
		copy_addr_col(s, 5, out->local, sizeof(out->local));
		copy_addr_col(s, 6, out->assigned, sizeof(out->assigned));
		copy_col(s, 7, out->acl_in, sizeof(out->acl_in));
		copy_col(s, 8, out->acl_out, sizeof(out->acl_out));
		out->mtu = sqlite3_column_int(s, 9);
		out->tcp_mss = sqlite3_column_int(s, 10);
		copy_col(s, 11, out->acl6_in, sizeof(out->acl6_in));
		copy_col(s, 12, out->acl6_out, sizeof(out->acl6_out));
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		snprintf(err, errlen, "%s: %s", dbpath, sqlite3_errmsg(h));
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int show_vaccess_lookup(const char *dbpath, int unit, struct show_vaccess *out, char *err,
                        size_t errlen)
{
	sqlite3 *h = NULL;
	int rc;

	if (sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dbpath, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return -1;
	}
	sqlite3_busy_timeout(h, 200);
	rc = show_vaccess_query(h, unit, out, err, errlen);
	sqlite3_close(h);
	return rc;
}
