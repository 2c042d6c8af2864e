/* Read-only access to vpnd's session store, refusing a file of another schema version. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "db/db.h"
#include "vpnctl/vpnctl.h"

sqlite3 *vctl_db(const struct vctx *c)
{
	char path[4096];
	struct stat st;
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (snprintf(path, sizeof(path), "%s/vpnd.db", c->dir) >= (int)sizeof(path)) {
		fprintf(stderr, "vpnctl: state directory path too long\n");
		return NULL;
	}
	/* SQLite's own message for a missing file ("unable to open database file") says less */
	if (stat(path, &st) == -1) {
		fprintf(stderr, "vpnctl: cannot open %s: %s\n", vctl_safe(path), strerror(errno));
		return NULL;
	}
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(h, 2000);
	/* vpnctl sql runs the operator's text: keep it on this one read-only file */
	sqlite3_limit(h, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v != db_schema_version()) {
		fprintf(stderr, "vpnctl: %s has schema version %d, this vpnctl reads version %d\n",
		        vctl_safe(path), v, db_schema_version());
		sqlite3_close(h);
		return NULL;
	}
	return h;
fail:
	fprintf(stderr, "vpnctl: cannot read %s: %s\n", vctl_safe(path),
	        h ? sqlite3_errmsg(h) : "out of memory");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return NULL;
}
