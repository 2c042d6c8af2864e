/* Read-only access to vpnd's session store, refusing a file of another schema version. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "vpnctl/vpnctl.h"

sqlite3 *vctl_db(const struct vctx *c)
{
	char path[4096];
	sqlite3 *h = NULL;
	snprintf(path, sizeof(path), "%s/vpnd.db", c->dir);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "vpnctl: cannot open %s: %s\n", path, h ? sqlite3_errmsg(h) : "error");
		exit(1);
	}
	sqlite3_busy_timeout(h, 2000);
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v != db_schema_version()) {
		fprintf(stderr, "vpnctl: %s has schema version %d, this vpnctl reads version %d\n", path,
		        v, db_schema_version());
		exit(1);
	}
	return h;
}
