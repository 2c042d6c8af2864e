# db/: the SQLite session store (schema, migrations, writer API).
noinst_LIBRARIES += db/libdb.a
db_libdb_a_SOURCES = db/db.h db/db.c
