# The IOS-style configuration parser (common/conf*.c) and its unit test.
common_libvpndcommon_a_SOURCES += common/conf.c common/conf_parse.h common/conf_args.c \
	common/conf_top.c common/conf_aaa.c common/conf_isakmp.c common/conf_group.c \
	common/conf_ipsec.c common/conf_iface.c common/conf_acl.c common/conf_check.c \
	common/conf_find.c common/conf_keyring.c common/conf_radius.c \
	common/conf_pki.c common/conf_dynauth.c common/conf_admission.c \
	common/conf_logging.c common/conf_words.c common/conf_http.c \
	common/conf_ipv6.c common/conf_acl6.c common/conf_ezvpn.c common/conf_bind.c \
	common/conf_cmap.c common/conf_cmap_check.c common/conf_vti.c common/alg.c common/alg.h \
	common/conf_ikev2.c common/conf_ikev2_global.c \
	common/conf_ikev2_keyring.c common/conf_ikev2_prof.c common/conf_ikev2_match.c common/conf_certmap.c \
	common/conf_ikev2_mangle.c

dist_sysconf_DATA += etc/vpnd.conf
EXTRA_DIST += etc/seed-dvti.conf docs/config.md test/fuzz/fuzz_conf.c test/fuzz/conf.dict \
	test/data/conf/bad_acl.conf \
	test/data/conf/bad_banner.conf \
	test/data/conf/bad_ezvpn.conf \
	test/data/conf/bad_cmap.conf \
	test/data/conf/bad_cmap_check.conf \
	test/data/conf/good_cmap.conf \
	test/data/conf/bad_ios_iface.conf \
	test/data/conf/bad_password_type.conf \
	test/data/conf/bad_policy.conf \
	test/data/conf/bad_structure.conf \
	test/data/conf/bad_tset.conf \
	test/data/conf/bad_unknown.conf \
	test/data/conf/bad_values.conf \
	test/data/conf/bad_xref.conf \
	test/data/conf/good_full.conf \
	test/data/conf/good_ios_noise.conf \
	test/data/hub-ikev2.conf

check_PROGRAMS += test/unit/test_conf
TESTS += test/unit/test_conf
test_unit_test_conf_SOURCES = test/unit/test_conf.c test/unit/confload.c test/unit/confload.h
test_unit_test_conf_CPPFLAGS = $(AM_CPPFLAGS) -DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
test_unit_test_conf_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_conf_ipv6
TESTS += test/unit/test_conf_ipv6
test_unit_test_conf_ipv6_SOURCES = test/unit/test_conf_ipv6.c
test_unit_test_conf_ipv6_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_ipv6_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_conf_v2_match
TESTS += test/unit/test_conf_v2_match
test_unit_test_conf_v2_match_SOURCES = test/unit/test_conf_v2_match.c
test_unit_test_conf_v2_match_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_v2_match_LDADD = $(TEST_LIBS)
check_PROGRAMS += test/unit/test_conf_ikev2
TESTS += test/unit/test_conf_ikev2
test_unit_test_conf_ikev2_SOURCES = test/unit/test_conf_ikev2.c
test_unit_test_conf_ikev2_CPPFLAGS = $(AM_CPPFLAGS) -DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
test_unit_test_conf_ikev2_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_ikev2_LDADD = $(TEST_LIBS)

# crypto ikev2 name-mangler's cutting of identities
check_PROGRAMS += test/unit/test_v2_mangle
TESTS += test/unit/test_v2_mangle
test_unit_test_v2_mangle_SOURCES = test/unit/test_v2_mangle.c test/unit/testpki.c \
	test/unit/testpki.h
test_unit_test_v2_mangle_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_v2_mangle_LDADD = $(TEST_LIBS)
EXTRA_DIST += test/fuzz/fuzz_mangler.c

check_PROGRAMS += test/unit/test_conf_ezvpn
TESTS += test/unit/test_conf_ezvpn
test_unit_test_conf_ezvpn_SOURCES = test/unit/test_conf_ezvpn.c
test_unit_test_conf_ezvpn_CPPFLAGS = $(AM_CPPFLAGS) -DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
test_unit_test_conf_ezvpn_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_ezvpn_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_conf_cmap
TESTS += test/unit/test_conf_cmap
test_unit_test_conf_cmap_SOURCES = test/unit/test_conf_cmap.c test/unit/confload.c test/unit/confload.h
test_unit_test_conf_cmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_cmap_LDADD = $(TEST_LIBS)

check_PROGRAMS += test/unit/test_conf_vti
TESTS += test/unit/test_conf_vti
test_unit_test_conf_vti_SOURCES = test/unit/test_conf_vti.c test/unit/confload.c test/unit/confload.h
test_unit_test_conf_vti_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_conf_vti_LDADD = $(TEST_LIBS)
