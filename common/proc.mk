# common/: process roles, child start-up and privilege separation (imsg.c is in local.mk).
common_libvpndcommon_a_SOURCES += common/proc.h common/proc.c common/privsep.c \
	common/msgcat.h common/msgcat.c \
	common/sandbox.h common/sandbox.c common/landlock.c common/seccomp.c

check_PROGRAMS += test/unit/test_imsg
TESTS += test/unit/test_imsg
test_unit_test_imsg_SOURCES = test/unit/test_imsg.c
test_unit_test_imsg_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_imsg_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_log
TESTS += test/unit/test_log
test_unit_test_log_SOURCES = test/unit/test_log.c
test_unit_test_log_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_log_LDADD = $(TEST_LIBS)

# test/interop/test_forge.sh: plays a taken-over process against a running hub
check_PROGRAMS += test/unit/imsg_forge
test_unit_imsg_forge_SOURCES = test/unit/imsg_forge.c
test_unit_imsg_forge_LDADD = $(VPND_LIBS)

check_PROGRAMS += test/unit/test_sandbox
TESTS += test/unit/test_sandbox
test_unit_test_sandbox_SOURCES = test/unit/test_sandbox.c
test_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_sandbox_LDADD = $(TEST_LIBS)
