# ikemgr/: Diffie-Hellman, the ISAKMP and IKEv2 wire codecs, and the initiator's steps: pure
# functions, no I/O, unit-tested against independently computed vectors and fuzzed (their
# tests are registered in test/unit/ike.mk). The PRF and key derivation keymgr shares are
# common/ike_crypto.c.
ikemgr_libike_a_SOURCES += ikemgr/dh.h ikemgr/dh.c \
	ikemgr/isakmp.h ikemgr/isakmp.c ikemgr/ikev2_wire.h ikemgr/ikev2_wire.c \
	ikemgr/ikev2_cookie.h ikemgr/ikev2_cookie.c ikemgr/ikev2_proposal.h ikemgr/ikev2_proposal.c \
	ikemgr/ikev1_init.h ikemgr/ikev1_init.c ikemgr/ikev1_init_p2.c ikemgr/ikev1_init_qr.c \
	ikemgr/ikev1_init_mm.c \
	ikemgr/ikev1_init_sig.h ikemgr/ikev1_init_mm_sig.c
