/* What db_acct.c needs of db.c: the handle and the clock the other tables use. */
#ifndef VPND_DB_INT_H
#define VPND_DB_INT_H

#include <sqlite3.h>

struct db;
sqlite3 *db_sqlite(struct db *);
double   db_now(void);

#endif
