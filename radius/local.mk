# radius/: the RADIUS module (client, wire format, Cisco-AVPair attributes, accounting,
# RFC 5176 Disconnect/CoA). Linked into keymgr, which holds the secrets; nothing here
# includes keymgr's headers: what it needs from keymgr comes as a callback.
noinst_LIBRARIES += radius/libradius.a
radius_libradius_a_SOURCES = radius/radius.h radius/client.c radius/attr.c radius/wire.c \
	radius/request.c radius/acct.c radius/dynauth.h radius/dynauth.c radius/dynauth_wire.c \
	radius/stats.c radius/stats.h radius/eap.c

check_PROGRAMS += test/unit/test_radius_eap
TESTS += test/unit/test_radius_eap
test_unit_test_radius_eap_SOURCES = test/unit/test_radius_eap.c
test_unit_test_radius_eap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_radius_eap_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_radius
TESTS += test/unit/test_radius
test_unit_test_radius_SOURCES = test/unit/test_radius.c
test_unit_test_radius_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_radius_LDADD = $(TEST_LIBS)
# IPv6 networks from RADIUS: Framed-IPv6-Route, Delegated-IPv6-Prefix, their policy
check_PROGRAMS += test/unit/test_radius6
TESTS += test/unit/test_radius6
test_unit_test_radius6_SOURCES = test/unit/test_radius6.c
test_unit_test_radius6_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_radius6_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_radius_avpair.c test/fuzz/fuzz_radius_reply.c test/fuzz/fuzz_radius_attrs.c
check_PROGRAMS += test/unit/radius_probe
test_unit_radius_probe_SOURCES = test/unit/radius_probe.c
test_unit_radius_probe_LDADD = $(VPND_LIBS)

# RFC 5176 Disconnect-/CoA-Requests on the wire (radius/dynauth_wire.c)
check_PROGRAMS += test/unit/test_dynauth
TESTS += test/unit/test_dynauth
test_unit_test_dynauth_SOURCES = test/unit/test_dynauth.c
test_unit_test_dynauth_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_dynauth_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_dynauth.c

