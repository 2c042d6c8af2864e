# bench/: programs that print figures (never part of the test verdicts, except vpnload, which
# test/interop/test_vpnload.sh drives with a few hundred sessions).
noinst_PROGRAMS += bench/vpnload
bench_vpnload_SOURCES = bench/vpnload.c bench/vpnload_esp.c bench/vpnload_opts.c bench/vpnload.h
bench_vpnload_LDADD = ikemgr/libike.a tunmgr/libesp.a common/libvpndcommon.a $(CRYPTO_LIBS)
EXTRA_DIST += bench/vpnload.sh
EXTRA_DIST += bench/compare.sh bench/hub.conf bench/stop.sh bench/bench.sh bench/ikev2_compare.sh
noinst_PROGRAMS += bench/log_bench
bench_log_bench_SOURCES = bench/log_bench.c
bench_log_bench_LDADD = common/libvpndcommon.a
# one scrape of the metrics endpoint on a big store (bench/show_bench.sh runs it)
noinst_PROGRAMS += bench/metrics_bench
bench_metrics_bench_SOURCES = bench/metrics_bench.c control/metrics.c control/metrics_render.c
bench_metrics_bench_LDADD = $(VPND_LIBS)
EXTRA_DIST += bench/acl_bench.c
