# ikemgr/: the IKEv1 crypto (RFC 2409 key derivation, CBC, Diffie-Hellman) and the ISAKMP wire
# codec: pure functions, no I/O, unit-tested against independently computed vectors and fuzzed.
ikemgr_libike_a_SOURCES += ikemgr/ike_crypto.h ikemgr/ike_crypto.c ikemgr/dh.h ikemgr/dh.c \
	ikemgr/isakmp.h ikemgr/isakmp.c

EXTRA_DIST += test/unit/gen_ike_vectors.py test/fuzz/fuzz_isakmp.c

check_PROGRAMS += test/unit/test_ike_crypto test/unit/test_dh test/unit/test_isakmp
TESTS += test/unit/test_ike_crypto test/unit/test_dh test/unit/test_isakmp

test_unit_test_ike_crypto_SOURCES = test/unit/test_ike_crypto.c
test_unit_test_ike_crypto_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ike_crypto_LDADD = $(TEST_LIBS)

test_unit_test_dh_SOURCES = test/unit/test_dh.c
test_unit_test_dh_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_dh_LDADD = $(TEST_LIBS)

test_unit_test_isakmp_SOURCES = test/unit/test_isakmp.c
test_unit_test_isakmp_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_isakmp_LDADD = $(TEST_LIBS)
