# ikemgr/: the IKEv1 crypto (RFC 2409 key derivation, CBC, Diffie-Hellman) and the ISAKMP wire
# codec: pure functions, no I/O, unit-tested against independently computed vectors and fuzzed
# (their tests are registered in test/unit/ike.mk).
ikemgr_libike_a_SOURCES += ikemgr/ike_crypto.h ikemgr/ike_crypto.c ikemgr/dh.h ikemgr/dh.c \
	ikemgr/isakmp.h ikemgr/isakmp.c \
	ikemgr/ikev1_init.h ikemgr/ikev1_init.c ikemgr/ikev1_init_p2.c ikemgr/ikev1_init_qr.c \
	ikemgr/ikev1_init_mm.c \
	ikemgr/ikev1_init_sig.h ikemgr/ikev1_init_mm_sig.c
