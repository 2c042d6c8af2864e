# parent/: the vpnd binary: the root parent, plus the children's entry points it re-execs
# (control/ is the operator socket's process).
sbin_PROGRAMS += vpnd
vpnd_SOURCES = parent/vpnd.c parent/parent.h parent/spawn.c parent/sockets.c \
	parent/supervise.c parent/control.c parent/ctl_check.c parent/ctl_check.h \
	parent/reload.c parent/acct.c parent/notify.c parent/commit.c parent/history.c \
	parent/exposure.c parent/exposure.h parent/ezvpn.c parent/ezvpn.h parent/ezvpn_check.c \
	parent/cmap.c parent/cmap_check.c parent/forwarding.c parent/forwarding.h \
	parent/logsink.c parent/logrelay.c parent/logsession.c \
	control/ctlproc.c control/ctlproc.h control/control.c control/control.h control/out.c \
	control/commands.c control/show_config.c control/show_config.h control/show_int.h \
	control/show_names.c control/show_crypto.c control/rc_text.c control/rc_acl.c control/rc_json.c control/rc_ikev2.c control/rc_ikev2_json.c control/store.c \
	control/json.c control/json.h control/show_pool.c control/show_ezvpn.c control/show_cmap.c \
	control/show_logging.c control/show_logging.h \
	control/debug.c control/debug.h control/exposure.c control/exposure.h \
	control/metrics.c control/metrics.h control/metrics_render.c \
	control/http.c control/http.h control/http_parse.c \
	ikemgr/ikemgr.c keymgr/keymgr.c tunmgr/tunmgr.c
vpnd_LDADD = $(VPND_LIBS)

# Shell tests run from the build dir; they find the binary and the sources through these.
AM_TESTS_ENVIRONMENT = VPND=$(abs_top_builddir)/vpnd; VPNCTL=$(abs_top_builddir)/vpnctl/vpnctl; \
	srcdir=$(abs_top_srcdir); export VPNCTL; \
	export VPND srcdir;
TESTS += test/interop/test_privsep.sh
EXTRA_DIST += test/interop/test_privsep.sh test/lib/ns.sh \
	test/data/bad.conf test/lib/dumpable.py

include test/unit/show.mk

# the parent's forwarding switches (ip routing, ipv6 unicast-routing) on a fake /proc/sys/net
check_PROGRAMS += test/unit/test_forwarding
TESTS += test/unit/test_forwarding
test_unit_test_forwarding_SOURCES = test/unit/test_forwarding.c parent/forwarding.c \
	parent/forwarding.h
test_unit_test_forwarding_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_forwarding_LDADD = $(TEST_LIBS)
