# Unit tests of the IKEv1 code in ikemgr/: crypto (against test/unit/gen_ike_vectors.py), DH,
# the ISAKMP codec, and proposal selection. test/fuzz/fuzz_isakmp.c is built by hand (its
# first line has the command).
EXTRA_DIST += test/unit/gen_ike_vectors.py test/fuzz/fuzz_isakmp.c test/fuzz/fuzz_ikev1_attr.c \
	test/fuzz/fuzz_ikev1_init.c

check_PROGRAMS += test/unit/test_ike_crypto
TESTS += test/unit/test_ike_crypto
test_unit_test_ike_crypto_SOURCES = test/unit/test_ike_crypto.c
test_unit_test_ike_crypto_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ike_crypto_LDADD = $(TEST_LIBS)

# IKEv2: key derivation and the Encrypted payload against test/unit/gen_ikev2_vectors.py, and
# the wire codec
EXTRA_DIST += test/unit/gen_ikev2_vectors.py test/fuzz/fuzz_ikev2.c
check_PROGRAMS += test/unit/test_ikev2_crypto
TESTS += test/unit/test_ikev2_crypto
test_unit_test_ikev2_crypto_SOURCES = test/unit/test_ikev2_crypto.c test/unit/ikev2_vectors.h
test_unit_test_ikev2_crypto_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_crypto_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_ikev2_wire
TESTS += test/unit/test_ikev2_wire
test_unit_test_ikev2_wire_SOURCES = test/unit/test_ikev2_wire.c
test_unit_test_ikev2_wire_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_wire_LDADD = $(TEST_LIBS)

# the IKEv2 responder's message IDs through ikev2_input (found by test/fuzz/fuzz_ikev2_engine.c)
EXTRA_DIST += test/fuzz/fuzz_ikev2_engine.c test/fuzz/ikev2_client.c test/fuzz/ikev2_client.h \
	test/fuzz/ikev2_hub_answer.c
check_PROGRAMS += test/unit/test_ikev2_engine
TESTS += test/unit/test_ikev2_engine
test_unit_test_ikev2_engine_SOURCES = test/unit/test_ikev2_engine.c test/unit/v2peer.c test/unit/v2peer.h
test_unit_test_ikev2_engine_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_engine_LDADD = $(TEST_LIBS)

# match certificate on ikemgr's side: keymgr names the profile, ikemgr follows once
check_PROGRAMS += test/unit/test_ikev2_certmap
TESTS += test/unit/test_ikev2_certmap
test_unit_test_ikev2_certmap_SOURCES = test/unit/test_ikev2_certmap.c test/unit/v2peer.c \
	test/unit/v2peer.h test/unit/testpki.c test/unit/testpki.h
test_unit_test_ikev2_certmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_certmap_LDADD = $(TEST_LIBS)

# IKE fragmentation (RFC 7383) through ikev2_input: reassembly, forged fragments, responses cut
check_PROGRAMS += test/unit/test_ikev2_frag
TESTS += test/unit/test_ikev2_frag
test_unit_test_ikev2_frag_SOURCES = test/unit/test_ikev2_frag.c test/unit/v2peer.c test/unit/v2peer.h
test_unit_test_ikev2_frag_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_frag_LDADD = $(TEST_LIBS)

# redirect in IKE_SA_INIT past the cluster's max-session (RFC 5685)
check_PROGRAMS += test/unit/test_ikev2_redirect
TESTS += test/unit/test_ikev2_redirect
test_unit_test_ikev2_redirect_SOURCES = test/unit/test_ikev2_redirect.c test/unit/v2peer.c \
	test/unit/v2peer.h
test_unit_test_ikev2_redirect_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_redirect_LDADD = $(TEST_LIBS)

# requests the hub starts: CHILD_SA rekeys, their answers, retransmission (test_ikev2_hubrekey);
# the IKE SA rekey and the collisions with the peer's rekeys (test_ikev2_hubrekey_ike)
check_PROGRAMS += test/unit/test_ikev2_hubrekey
TESTS += test/unit/test_ikev2_hubrekey
test_unit_test_ikev2_hubrekey_SOURCES = test/unit/test_ikev2_hubrekey.c test/unit/v2hub.c \
	test/unit/v2hub.h test/unit/v2peer.c test/unit/v2peer.h
test_unit_test_ikev2_hubrekey_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_hubrekey_LDADD = $(TEST_LIBS)
check_PROGRAMS += test/unit/test_ikev2_hubrekey_ike
TESTS += test/unit/test_ikev2_hubrekey_ike
test_unit_test_ikev2_hubrekey_ike_SOURCES = test/unit/test_ikev2_hubrekey_ike.c test/unit/v2hub.c \
	test/unit/v2hub.h test/unit/v2peer.c test/unit/v2peer.h
test_unit_test_ikev2_hubrekey_ike_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_hubrekey_ike_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_ikev2_proposal
TESTS += test/unit/test_ikev2_proposal
test_unit_test_ikev2_proposal_SOURCES = test/unit/test_ikev2_proposal.c test/unit/confload.c \
	test/unit/confload.h
test_unit_test_ikev2_proposal_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev2_proposal_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_dh
TESTS += test/unit/test_dh
test_unit_test_dh_SOURCES = test/unit/test_dh.c
test_unit_test_dh_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_dh_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_isakmp
TESTS += test/unit/test_isakmp
test_unit_test_isakmp_SOURCES = test/unit/test_isakmp.c
test_unit_test_isakmp_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_isakmp_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_proposal
TESTS += test/unit/test_proposal
test_unit_test_proposal_SOURCES = test/unit/test_proposal.c
test_unit_test_proposal_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_proposal_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_selector
TESTS += test/unit/test_selector
test_unit_test_selector_SOURCES = test/unit/test_selector.c
test_unit_test_selector_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_selector_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_admission
TESTS += test/unit/test_admission
test_unit_test_admission_SOURCES = test/unit/test_admission.c
test_unit_test_admission_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_admission_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_ikev1.c test/fuzz/ikev1_client.c test/fuzz/ikev1_client.h

# the IKEv1 initiator (ikemgr/ikev1_init*.c, used by bench/vpnload) against our responder
check_PROGRAMS += test/unit/test_ikev1_init
TESTS += test/unit/test_ikev1_init
test_unit_test_ikev1_init_SOURCES = test/unit/test_ikev1_init.c
test_unit_test_ikev1_init_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev1_init_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_timers
TESTS += test/unit/test_timers
test_unit_test_timers_SOURCES = test/unit/test_timers.c
test_unit_test_timers_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_timers_LDADD = $(TEST_LIBS)

# the session part IKEv1 and IKEv2 SAs share (ikemgr/session.c), held by a stand-in SA
check_PROGRAMS += test/unit/test_session
TESTS += test/unit/test_session
test_unit_test_session_SOURCES = test/unit/test_session.c
test_unit_test_session_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_session_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_ikev1_init_mm
TESTS += test/unit/test_ikev1_init_mm
test_unit_test_ikev1_init_mm_SOURCES = test/unit/test_ikev1_init_mm.c
test_unit_test_ikev1_init_mm_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev1_init_mm_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_vti
TESTS += test/unit/test_vti
test_unit_test_vti_SOURCES = test/unit/test_vti.c
test_unit_test_vti_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_vti_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_ikev1_init_sig
TESTS += test/unit/test_ikev1_init_sig
test_unit_test_ikev1_init_sig_SOURCES = test/unit/test_ikev1_init_sig.c
test_unit_test_ikev1_init_sig_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_ikev1_init_sig_LDADD = $(TEST_LIBS)
