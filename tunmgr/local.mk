# tunmgr/: virtual-access interfaces and the ESP data plane.
noinst_LIBRARIES += tunmgr/libesp.a
tunmgr_libesp_a_SOURCES =
include tunmgr/esp.mk
