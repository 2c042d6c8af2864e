# vpnctl/: the operator tool (installed as bin/vpnctl). One file per command family; the
# command table is vpnctl/commands.c.
bin_PROGRAMS += vpnctl/vpnctl
vpnctl_vpnctl_SOURCES = vpnctl/vpnctl.h vpnctl/vpnctl.c vpnctl/commands.c vpnctl/format.c \
	vpnctl/json.c vpnctl/db_open.c vpnctl/control.c vpnctl/sql.c vpnctl/show_session.c \
	vpnctl/show_sa.c vpnctl/show_ikev2.h vpnctl/show_ikev2.c \
	vpnctl/show_ikev2_session.c vpnctl/clear.c vpnctl/show_peers.c vpnctl/backup.c vpnctl/ezxauth.c
vpnctl_vpnctl_LDADD = $(VPND_LIBS)

# test_vpnctl.sh fills a session store through the db API (db_fill) and checks the output.
check_PROGRAMS += test/unit/db_fill
test_unit_db_fill_SOURCES = test/unit/db_fill.c
test_unit_db_fill_LDADD = $(VPND_LIBS)
TESTS += test/unit/test_vpnctl.sh test/unit/test_vpnctl_ikev2.sh
EXTRA_DIST += test/unit/test_vpnctl.sh test/unit/test_vpnctl_ikev2.sh test/unit/vpnctl_lib.sh
# kill -9 of a writer in the middle of a burst leaves a file that passes integrity_check
TESTS += test/unit/test_db_crash.sh
EXTRA_DIST += test/unit/test_db_crash.sh
