# tunmgr/: virtual-access interfaces and the ESP data plane.
noinst_LIBRARIES += tunmgr/libesp.a
tunmgr_libesp_a_SOURCES = tunmgr/authz.c tunmgr/authz.h
include tunmgr/esp.mk
# tunmgr's process (its entry point, tunmgr.c, is in vpnd's sources): one job per file
noinst_LIBRARIES += tunmgr/libtunmgr.a
tunmgr_libtunmgr_a_SOURCES = tunmgr/tunmgr.h tunmgr/device.c tunmgr/sa.c tunmgr/send.c \
	tunmgr/receive.c tunmgr/timers.c tunmgr/dispatch.c tunmgr/keepalive.c tunmgr/route6.c \
	tunmgr/froute6.c tunmgr/ezvpn.c tunmgr/nat.c tunmgr/nat.h tunmgr/cmap.c tunmgr/eztrap.c \
	tunmgr/vti.c
