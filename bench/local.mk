# bench/: programs that print figures (never part of the test verdicts, except vpnload, which
# test/interop/test_vpnload.sh drives with a few hundred sessions).
noinst_PROGRAMS += bench/vpnload
bench_vpnload_SOURCES = bench/vpnload.c bench/vpnload_esp.c bench/vpnload_opts.c bench/vpnload.h
bench_vpnload_LDADD = ikemgr/libike.a tunmgr/libesp.a common/libvpndcommon.a $(CRYPTO_LIBS)
EXTRA_DIST += bench/vpnload.sh
EXTRA_DIST += bench/compare.sh bench/hub.conf bench/stop.sh bench/bench.sh
EXTRA_DIST += bench/acl_bench.c
