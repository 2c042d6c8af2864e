# common/: logging, imsg framing, process bootstrap and the configuration parser
noinst_LIBRARIES += common/libvpndcommon.a
common_libvpndcommon_a_SOURCES = common/log.c common/log.h common/imsg.c common/imsg.h common/msg.h common/conf.h \
	common/acct_cause.c common/netpolicy.c common/netpolicy.h common/cisco_secret.c common/cisco_secret.h
include common/conf.mk
include common/proc.mk
