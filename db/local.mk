# db/: the SQLite session store (schema, migrations, writer API).
noinst_LIBRARIES += db/libdb.a
db_libdb_a_SOURCES = db/db.h db/db.c db/db_int.h db/db_acct.c db/db_history.c db/db_ezvpn.c \
	db/db_cmap.c

check_PROGRAMS += test/unit/test_db
TESTS += test/unit/test_db
test_unit_test_db_SOURCES = test/unit/test_db.c test/unit/tmpdb.c test/unit/tmpdb.h
test_unit_test_db_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_db_LDADD = $(TEST_LIBS)

# bench/: figures only, never run by make check (built so that they keep compiling)
noinst_PROGRAMS += bench/db_bench
bench_db_bench_SOURCES = bench/db_bench.c
bench_db_bench_LDADD = $(VPND_LIBS)
noinst_PROGRAMS += bench/history_bench
bench_history_bench_SOURCES = bench/history_bench.c
bench_history_bench_LDADD = $(VPND_LIBS)
EXTRA_DIST += bench/show_bench.sh

# the Easy VPN remote's state table: one row per name, replaced on each report, reset at start
check_PROGRAMS += test/unit/test_db_ezvpn
TESTS += test/unit/test_db_ezvpn
test_unit_test_db_ezvpn_SOURCES = test/unit/test_db_ezvpn.c test/unit/tmpdb.c test/unit/tmpdb.h parent/ezvpn_check.c
test_unit_test_db_ezvpn_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_db_ezvpn_LDADD = $(TEST_LIBS)

# manual crypto map entries in ipsec_sas (schema 6), the parent's check of tunmgr's reports
check_PROGRAMS += test/unit/test_db_cmap
TESTS += test/unit/test_db_cmap
test_unit_test_db_cmap_SOURCES = test/unit/test_db_cmap.c test/unit/tmpdb.c test/unit/tmpdb.h parent/cmap_check.c
test_unit_test_db_cmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_db_cmap_LDADD = $(TEST_LIBS)
