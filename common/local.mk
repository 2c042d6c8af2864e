# common/: logging, imsg framing, process bootstrap, the configuration parser, and what two
# processes share: the algorithm vocabulary and IKEv1's and IKEv2's PRF and key derivation
# (ikemgr and keymgr)
noinst_LIBRARIES += common/libvpndcommon.a
common_libvpndcommon_a_SOURCES = common/log.c common/log.h common/log_sink.h common/log_relay.c common/log_syslog.c common/log_journal.c common/imsg.c common/imsg.h common/msg.h common/conf.h \
	common/acct_cause.c common/netpolicy.c common/netpolicy.h common/cisco_secret.c common/cisco_secret.h \
	common/hexword.c common/hexword.h common/ike_crypto.c common/ike_crypto.h \
	common/ikev2_crypto.c common/ikev2_crypto.h \
	common/ossl_legacy.c common/ossl_legacy.h common/sa46.h common/pktinfo.h
include common/conf.mk
include common/proc.mk

# the lines vpnd writes for syslog, the journal and the parent's relay; the logging commands
check_PROGRAMS += test/unit/test_log_sink
TESTS += test/unit/test_log_sink
test_unit_test_log_sink_SOURCES = test/unit/test_log_sink.c
test_unit_test_log_sink_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_log_sink_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_log_relay.c

# the algorithm vocabulary: every row found by each of its keys, the RFCs' IDs and lengths
check_PROGRAMS += test/unit/test_alg
TESTS += test/unit/test_alg
test_unit_test_alg_SOURCES = test/unit/test_alg.c test/unit/confload.c test/unit/confload.h
test_unit_test_alg_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_alg_LDADD = $(TEST_LIBS)
