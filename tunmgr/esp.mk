# tunmgr/: the userspace ESP data plane and the TUN / rtnetlink helpers (libesp.a) and their tests.
tunmgr_libesp_a_SOURCES += tunmgr/esp.c tunmgr/esp.h tunmgr/replay.c tunmgr/replay.h \
	tunmgr/sadb.c tunmgr/sadb.h tunmgr/tun.c tunmgr/tun.h tunmgr/netlink.c tunmgr/netlink.h \
	tunmgr/nl_msg.h tunmgr/nl_dump.c \
	tunmgr/acl.c tunmgr/acl6.c tunmgr/acl.h tunmgr/mss.c tunmgr/mss.h tunmgr/offload.c tunmgr/offload.h \
	tunmgr/ezbounds.c tunmgr/ezbounds.h tunmgr/nl_ez.c tunmgr/nl_rule.c \
	tunmgr/cmcheck.c tunmgr/cmcheck.h tunmgr/eztrap_rules.c tunmgr/eztrap.h

EXTRA_DIST += test/unit/gen_esp_vectors.py test/fuzz/fuzz_esp.c bench/esp_bench.c bench/va_bench.c bench/eztrap_bench.c test/fuzz/fuzz_acl.c \
	test/fuzz/fuzz_esp_icv.c test/fuzz/fuzz_offload.c

check_PROGRAMS += test/unit/test_offload
TESTS += test/unit/test_offload
test_unit_test_offload_SOURCES = test/unit/test_offload.c
test_unit_test_offload_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_offload_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_acl
TESTS += test/unit/test_acl
test_unit_test_acl_SOURCES = test/unit/test_acl.c test/unit/test_mss.c
test_unit_test_acl_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_acl_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_esp
TESTS += test/unit/test_esp
test_unit_test_esp_SOURCES = test/unit/test_esp.c
test_unit_test_esp_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_esp_LDADD = $(TEST_LIBS)

# also holds the sadb (SPI hash table) tests
check_PROGRAMS += test/unit/test_replay
TESTS += test/unit/test_replay
test_unit_test_replay_SOURCES = test/unit/test_replay.c
test_unit_test_replay_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_replay_LDADD = $(TEST_LIBS)

# needs root (private network namespace per test); skips itself otherwise
check_PROGRAMS += test/unit/test_netlink
TESTS += test/unit/test_netlink
test_unit_test_netlink_SOURCES = test/unit/test_netlink.c
test_unit_test_netlink_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_netlink_LDADD = $(TEST_LIBS)

# TUN offloads against the kernel (TSO reads cut, coalesced writes taken); root, like test_netlink
check_PROGRAMS += test/unit/test_tun_offload
TESTS += test/unit/test_tun_offload
test_unit_test_tun_offload_SOURCES = test/unit/test_tun_offload.c
test_unit_test_tun_offload_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_tun_offload_LDADD = $(TEST_LIBS)

# the bounds of an Easy VPN remote session (ezbounds.c)
check_PROGRAMS += test/unit/test_ezbounds
TESTS += test/unit/test_ezbounds
test_unit_test_ezbounds_SOURCES = test/unit/test_ezbounds.c
test_unit_test_ezbounds_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ezbounds_LDADD = $(TEST_LIBS)

# manual crypto map keys: keymgr's message (keymgr/cmap.c), tunmgr's checks (cmcheck.c)
check_PROGRAMS += test/unit/test_cmcheck
TESTS += test/unit/test_cmcheck
test_unit_test_cmcheck_SOURCES = test/unit/test_cmcheck.c
test_unit_test_cmcheck_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_cmcheck_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_acl6
TESTS += test/unit/test_acl6
test_unit_test_acl6_SOURCES = test/unit/test_acl6.c test/unit/confload.c test/unit/confload.h
test_unit_test_acl6_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_acl6_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_acl6.c
# the connect acl trap: an access list as nftables rules (eztrap_rules.c)
check_PROGRAMS += test/unit/test_eztrap
TESTS += test/unit/test_eztrap
test_unit_test_eztrap_SOURCES = test/unit/test_eztrap.c
test_unit_test_eztrap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_eztrap_LDADD = $(TEST_LIBS)
