# tunmgr/: virtual-access interfaces and the ESP data plane.
noinst_LIBRARIES += tunmgr/libesp.a
tunmgr_libesp_a_SOURCES = tunmgr/authz.c tunmgr/authz.h
include tunmgr/esp.mk
