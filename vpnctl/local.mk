# vpnctl/: the operator tool (installed as bin/vpnctl).
bin_PROGRAMS += vpnctl/vpnctl
vpnctl_vpnctl_SOURCES = vpnctl/vpnctl.h vpnctl/vpnctl.c vpnctl/show_session.c vpnctl/json.c \
	vpnctl/db_open.c vpnctl/control.c vpnctl/sql.c
vpnctl_vpnctl_LDADD = $(VPND_LIBS)
