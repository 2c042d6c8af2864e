# ikemgr/: the network-facing IKE process. libike.a holds the protocol engine, codec and crypto
# (no I/O: unit-tested and fuzzed); the process glue is ikemgr.c, linked into vpnd.
noinst_LIBRARIES += ikemgr/libike.a
ikemgr_libike_a_SOURCES = ikemgr/ikev1.h ikemgr/ikev1.c ikemgr/ikev1_answers.c ikemgr/ike_sa.c ikemgr/ike_session.c \
	ikemgr/session.h ikemgr/session.c \
	ikemgr/ikev2.h ikemgr/ikev2_sa.c ikemgr/ikev2_init.c ikemgr/ikev2_auth.c ikemgr/ikev2_answer.c ikemgr/ikev2_child.c \
	ikemgr/ikev2_info.c ikemgr/ikev2_rekey.c ikemgr/ikev2_dpd.c ikemgr/ikev2_req.c ikemgr/ikev2_hubrekey.c ikemgr/ikev2_session.c ikemgr/ikev2_frag.c ikemgr/ikev2_eap.c ikemgr/ikev2_redirect.c \
	ikemgr/ikev1_rekey.c ikemgr/ikev1_selector.c ikemgr/ikev1_msg.c \
	ikemgr/ikev1_p1.c ikemgr/ikev1_aggr.c ikemgr/ikev1_main.c ikemgr/ikev1_sig.c ikemgr/ikev1_xauth.c ikemgr/ikev1_cfg.c ikemgr/ikev1_quick.c \
	ikemgr/ikev1_info.c ikemgr/ikev1_proposal.c ikemgr/ikev1_attr.h ikemgr/ikev1_attr.c \
	ikemgr/ike_report.c ikemgr/ike_clear.c ikemgr/ike_reload.c \
	ikemgr/ike_dynauth.c ikemgr/admission.c \
	ikemgr/ike_timers.h ikemgr/ike_timers.c ikemgr/ike_deadline.c ikemgr/ike_stats.c \
	ikemgr/ezvpn.h ikemgr/ez_int.h ikemgr/ezvpn.c ikemgr/ez_exchange.c ikemgr/ez_sa.c ikemgr/ez_report.c ikemgr/ez_dpd.c \
	ikemgr/vti.h ikemgr/vti.c ikemgr/vti_exchange.c ikemgr/vti_report.c ikemgr/vti_sig.c \
	ikemgr/vti_qr.c ikemgr/vti_dpd.c ikemgr/vti_p1.c
include ikemgr/crypto.mk
include test/unit/ike.mk

# bench/: figures only, never run by make check (built so that it keeps compiling)
noinst_PROGRAMS += bench/ike_bench
bench_ike_bench_SOURCES = bench/ike_bench.c
bench_ike_bench_LDADD = $(VPND_LIBS)
