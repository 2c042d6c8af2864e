# The show commands for the configuration (control/show_config.c, show_crypto.c, rc_text.c, rc_acl.c, rc_json.c, rc_ikev2.c), tested on configurations
# loaded from buffers, without a running vpnd.
check_PROGRAMS += test/unit/test_show_config
TESTS += test/unit/test_show_config
test_unit_test_show_config_SOURCES = test/unit/test_show_config.c control/show_config.c \
	control/show_names.c control/show_crypto.c control/rc_text.c control/rc_acl.c control/rc_json.c \
	control/rc_ikev2.c control/rc_ikev2_json.c \
	control/store.c control/json.c control/show_pool.c control/show_logging.c control/out.c \
	control/show_cmap.c
test_unit_test_show_config_CPPFLAGS = $(AM_CPPFLAGS) -DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
test_unit_test_show_config_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_show_config_LDADD = $(TEST_LIBS)

# The metrics endpoint: its exposition text (control/metrics_render.c) and its HTTP
# (control/http_parse.c, control/http.c)
check_PROGRAMS += test/unit/test_metrics test/unit/test_http
TESTS += test/unit/test_metrics test/unit/test_http
test_unit_test_metrics_SOURCES = test/unit/test_metrics.c control/metrics_render.c
test_unit_test_metrics_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_metrics_LDADD = $(TEST_LIBS)
test_unit_test_http_SOURCES = test/unit/test_http.c control/http_parse.c control/http.c \
	control/metrics_render.c
test_unit_test_http_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_http_LDADD = $(TEST_LIBS) -lpthread
EXTRA_DIST += test/fuzz/fuzz_http.c

# show crypto ipsec client ezvpn from rows written with the db API, the connect/xauth/clear
# commands and the parent's check of what they ask (control/show_ezvpn.c, parent/ctl_check.c)
check_PROGRAMS += test/unit/test_show_ezvpn
TESTS += test/unit/test_show_ezvpn
test_unit_test_show_ezvpn_SOURCES = test/unit/test_show_ezvpn.c control/show_ezvpn.c \
	control/json.c control/out.c parent/ezvpn_check.c parent/ctl_check.c
test_unit_test_show_ezvpn_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
test_unit_test_show_ezvpn_LDADD = $(TEST_LIBS)
