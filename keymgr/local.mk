# keymgr/: the authority over secrets. libkeymgr.a holds the logic (unit-tested); the process
# loop lives in keymgr.c, linked into vpnd.
noinst_LIBRARIES += keymgr/libkeymgr.a
keymgr_libkeymgr_a_SOURCES = keymgr/keymgr.h keymgr/auth.c keymgr/keyring.c keymgr/pool.c keymgr/logins.c keymgr/authz.c \
	keymgr/radius.h keymgr/radius.c keymgr/radius_attr.c keymgr/radius_wire.c \
	keymgr/acct.c keymgr/cert.c keymgr/vouched.c keymgr/decoy.c keymgr/lockout.c \
	keymgr/dynauth.h keymgr/dynauth.c keymgr/dynauth_wire.c

check_PROGRAMS += test/unit/test_keymgr
TESTS += test/unit/test_keymgr
test_unit_test_keymgr_SOURCES = test/unit/test_keymgr.c
test_unit_test_keymgr_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_radius
TESTS += test/unit/test_radius
test_unit_test_radius_SOURCES = test/unit/test_radius.c
test_unit_test_radius_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_radius_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_radius_avpair.c test/fuzz/fuzz_radius_reply.c
EXTRA_DIST += test/fuzz/fuzz_radius_policy.c
check_PROGRAMS += test/unit/radius_probe
test_unit_radius_probe_SOURCES = test/unit/radius_probe.c
test_unit_radius_probe_LDADD = $(VPND_LIBS)

check_PROGRAMS += test/unit/test_cert
TESTS += test/unit/test_cert
test_unit_test_cert_SOURCES = test/unit/test_cert.c
test_unit_test_cert_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_cert_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_cert.c
# RFC 5176 Disconnect-/CoA-Requests on the wire (keymgr/dynauth_wire.c)
check_PROGRAMS += test/unit/test_dynauth
TESTS += test/unit/test_dynauth
test_unit_test_dynauth_SOURCES = test/unit/test_dynauth.c
test_unit_test_dynauth_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_dynauth_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_dynauth.c
