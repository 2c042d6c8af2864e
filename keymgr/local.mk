# keymgr/: the authority over secrets. libkeymgr.a holds the logic (unit-tested); the process
# loop lives in keymgr.c, linked into vpnd.
noinst_LIBRARIES += keymgr/libkeymgr.a
keymgr_libkeymgr_a_SOURCES = keymgr/keymgr.h keymgr/auth.c keymgr/keyring.c keymgr/pool.c keymgr/leases.c keymgr/logins.c \
	keymgr/pool6.c keymgr/authz.c keymgr/cert.c keymgr/vouched.c keymgr/decoy.c keymgr/lockout.c keymgr/passwd.c \
	keymgr/grouplock.c keymgr/ezvpn.c keymgr/ez_prompt.c keymgr/vti.c keymgr/hash.c keymgr/cmap.c keymgr/addr6.c keymgr/v2auth.c keymgr/v2sig.c keymgr/v2eap.c keymgr/v2author.c \
	keymgr/certmap.c keymgr/v2name.c

check_PROGRAMS += test/unit/test_keymgr
TESTS += test/unit/test_keymgr
test_unit_test_keymgr_SOURCES = test/unit/test_keymgr.c
test_unit_test_keymgr_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_LDADD = $(TEST_LIBS)

EXTRA_DIST += test/fuzz/fuzz_radius_policy.c

check_PROGRAMS += test/unit/test_keymgr_ez
TESTS += test/unit/test_keymgr_ez
test_unit_test_keymgr_ez_SOURCES = test/unit/test_keymgr_ez.c
test_unit_test_keymgr_ez_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_ez_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_ez_prompt
TESTS += test/unit/test_ez_prompt
test_unit_test_ez_prompt_SOURCES = test/unit/test_ez_prompt.c
test_unit_test_ez_prompt_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ez_prompt_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_cert
TESTS += test/unit/test_cert
test_unit_test_cert_SOURCES = test/unit/test_cert.c test/unit/testpki.c test/unit/testpki.h
test_unit_test_cert_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_cert_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_cert.c

check_PROGRAMS += test/unit/test_passwd
TESTS += test/unit/test_passwd
test_unit_test_passwd_SOURCES = test/unit/test_passwd.c
test_unit_test_passwd_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_passwd_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_pool6
TESTS += test/unit/test_pool6
test_unit_test_pool6_SOURCES = test/unit/test_pool6.c
test_unit_test_pool6_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_pool6_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_keymgr_vti
TESTS += test/unit/test_keymgr_vti
test_unit_test_keymgr_vti_SOURCES = test/unit/test_keymgr_vti.c
test_unit_test_keymgr_vti_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_vti_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_keymgr_v2
TESTS += test/unit/test_keymgr_v2
test_unit_test_keymgr_v2_SOURCES = test/unit/test_keymgr_v2.c test/unit/v2req.c test/unit/v2req.h
test_unit_test_keymgr_v2_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_v2_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_v2auth.c

# IKEv2 EAP in keymgr (v2eap.c) where RADIUS is not reached
check_PROGRAMS += test/unit/test_keymgr_v2eap
TESTS += test/unit/test_keymgr_v2eap
test_unit_test_keymgr_v2eap_SOURCES = test/unit/test_keymgr_v2eap.c test/unit/v2req.c \
	test/unit/v2req.h
test_unit_test_keymgr_v2eap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_v2eap_LDADD = $(TEST_LIBS)

# IKEv2 signatures in keymgr (v2sig.c) with a PKI made in memory
check_PROGRAMS += test/unit/test_keymgr_v2sig
TESTS += test/unit/test_keymgr_v2sig
test_unit_test_keymgr_v2sig_SOURCES = test/unit/test_keymgr_v2sig.c test/unit/v2req.c \
	test/unit/v2req.h test/unit/testpki.c test/unit/testpki.h
test_unit_test_keymgr_v2sig_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_keymgr_v2sig_LDADD = $(TEST_LIBS)

# crypto pki certificate map: read, and matched by keymgr/certmap.c on certificates made in memory
check_PROGRAMS += test/unit/test_certmap
TESTS += test/unit/test_certmap
test_unit_test_certmap_SOURCES = test/unit/test_certmap.c test/unit/testpki.c test/unit/testpki.h
test_unit_test_certmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_certmap_LDADD = $(TEST_LIBS)
