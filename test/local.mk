# test/: interop tests against real clients in network namespaces (need root; they fail, not
# skip, when a tool is missing). Unit tests are registered next to the code they test.
TESTS += test/interop/test_vpnc.sh
TESTS += test/interop/test_badinput.sh
TESTS += test/interop/test_swan.sh
EXTRA_DIST += test/interop/test_vpnc.sh test/lib/vpnd.sh test/lib/memscan.py \
	test/lib/vpnc-script-min test/data/hub-aes.conf
EXTRA_DIST += test/interop/test_badinput.sh test/lib/ikemsg.py test/lib/ikegarbage.py \
	test/lib/ikeflood.py test/lib/ikewrongkey.py test/lib/espattack.py
# The interop tests share the fixed namespace names: they form one chain (each log depends on
# the one before), so `make -j check` runs them one at a time beside the unit tests, the fuzz
# smoke and distcheck. A new interop test joins the end of the chain, before test_deb (which
# the ASan build leaves out, so nothing may follow it).
vpnc_log = test/interop/test_vpnc.sh.log
$(vpnc_log): test/interop/test_privsep.sh.log
# The log of test_X.sh is test_X.sh.log (.sh is not in TEST_EXTENSIONS); named through a
# variable, since automake refuses a rule on a target it generates.
badinput_log = test/interop/test_badinput.sh.log
$(badinput_log): test/interop/test_vpnc.sh.log
EXTRA_DIST += test/interop/test_swan.sh test/lib/swan.sh test/data/hub-swan.conf
swan_log = test/interop/test_swan.sh.log
$(swan_log): test/interop/test_badinput.sh.log
TESTS += test/interop/test_rekey.sh
EXTRA_DIST += test/interop/test_rekey.sh test/data/hub-rekey.conf
rekey_log = test/interop/test_rekey.sh.log
$(rekey_log): test/interop/test_swan.sh.log
TESTS += test/interop/test_rekey_loss.sh
EXTRA_DIST += test/interop/test_rekey_loss.sh
rekey_loss_log = test/interop/test_rekey_loss.sh.log
$(rekey_loss_log): test/interop/test_rekey.sh.log
TESTS += test/interop/test_fault.sh
EXTRA_DIST += test/interop/test_fault.sh test/data/hub-fault.conf
fault_log = test/interop/test_fault.sh.log
$(fault_log): test/interop/test_rekey_loss.sh.log
TESTS += test/interop/test_swan_mm.sh
EXTRA_DIST += test/interop/test_swan_mm.sh test/data/hub-swan-mm.conf
swan_mm_log = test/interop/test_swan_mm.sh.log
$(swan_mm_log): test/interop/test_fault.sh.log
TESTS += test/interop/test_service.sh
EXTRA_DIST += test/interop/test_service.sh
service_log = test/interop/test_service.sh.log
$(service_log): test/interop/test_swan_mm.sh.log
TESTS += test/interop/test_showconf.sh
EXTRA_DIST += test/interop/test_showconf.sh
showconf_log = test/interop/test_showconf.sh.log
$(showconf_log): test/interop/test_service.sh.log
# every fuzz target built with libFuzzer and run for a few seconds
TESTS += test/fuzz/smoke.sh
EXTRA_DIST += test/fuzz/smoke.sh test/fuzz/conf.dict test/fuzz/quiet_log.c test/fuzz/fuzz_ezvpn.c \
	test/fuzz/fuzz_ezbounds.c test/fuzz/fuzz_ctl_req.c test/fuzz/fuzz_imsg.c test/fuzz/fuzz_vpnctl_text.c \
	test/fuzz/fuzz_cmap_report.c \
	test/fuzz/fuzz_hexword.c
# the clang static analyzer finds nothing in a fresh build
TESTS += test/scan-build.sh
EXTRA_DIST += test/scan-build.sh
TESTS += test/interop/test_showsa.sh
EXTRA_DIST += test/interop/test_showsa.sh test/data/hub-showsa.conf
showsa_log = test/interop/test_showsa.sh.log
$(showsa_log): test/interop/test_showconf.sh.log
TESTS += test/interop/test_show.sh
EXTRA_DIST += test/interop/test_show.sh test/data/hub-show.conf
show_log = test/interop/test_show.sh.log
$(show_log): test/interop/test_showsa.sh.log
TESTS += test/interop/test_radius.sh
EXTRA_DIST += test/interop/test_radius.sh test/lib/radius.sh test/lib/radius_bad.py test/lib/radius_fake.py \
	test/data/hub-radius.conf
radius_log = test/interop/test_radius.sh.log
$(radius_log): test/interop/test_show.sh.log
TESTS += test/interop/test_debug.sh
EXTRA_DIST += test/interop/test_debug.sh
debug_log = test/interop/test_debug.sh.log
$(debug_log): test/interop/test_radius.sh.log
TESTS += test/interop/test_crash.sh
EXTRA_DIST += test/interop/test_crash.sh
crash_log = test/interop/test_crash.sh.log
$(crash_log): test/interop/test_debug.sh.log
TESTS += test/interop/test_reload.sh
EXTRA_DIST += test/interop/test_reload.sh
reload_log = test/interop/test_reload.sh.log
$(reload_log): test/interop/test_crash.sh.log
TESTS += test/interop/test_swan_cert.sh
EXTRA_DIST += test/interop/test_swan_cert.sh test/lib/pki.sh test/data/hub-swan-cert.conf
swan_cert_log = test/interop/test_swan_cert.sh.log
$(swan_cert_log): test/interop/test_reload.sh.log
TESTS += test/interop/test_acct.sh
EXTRA_DIST += test/interop/test_acct.sh test/data/hub-acct.conf
acct_log = test/interop/test_acct.sh.log
$(acct_log): test/interop/test_swan_cert.sh.log
TESTS += test/interop/test_coa.sh
EXTRA_DIST += test/interop/test_coa.sh test/data/hub-coa.conf test/lib/coa_send.py
coa_log = test/interop/test_coa.sh.log
$(coa_log): test/interop/test_acct.sh.log
TESTS += test/interop/test_forge.sh
EXTRA_DIST += test/interop/test_forge.sh
forge_log = test/interop/test_forge.sh.log
$(forge_log): test/interop/test_coa.sh.log
TESTS += test/interop/test_exposure.sh
EXTRA_DIST += test/interop/test_exposure.sh test/lib/ikeenum.py test/lib/ikehold.py
exposure_log = test/interop/test_exposure.sh.log
$(exposure_log): test/interop/test_forge.sh.log
TESTS += test/interop/test_vpnload.sh
EXTRA_DIST += test/interop/test_vpnload.sh test/data/hub-vpnload.conf
vpnload_log = test/interop/test_vpnload.sh.log
$(vpnload_log): test/interop/test_exposure.sh.log
TESTS += test/interop/test_logging.sh
EXTRA_DIST += test/interop/test_logging.sh test/lib/loglisten.py
logging_log = test/interop/test_logging.sh.log
$(logging_log): test/interop/test_vpnload.sh.log
TESTS += test/interop/test_metrics.sh
EXTRA_DIST += test/interop/test_metrics.sh test/data/hub-metrics.conf
metrics_log = test/interop/test_metrics.sh.log
$(metrics_log): test/interop/test_logging.sh.log
TESTS += test/interop/test_ioslines.sh
EXTRA_DIST += test/interop/test_ioslines.sh test/data/hub-ioslines.conf
ioslines_log = test/interop/test_ioslines.sh.log
$(ioslines_log): test/interop/test_metrics.sh.log
TESTS += test/interop/test_ipv6_inside.sh
EXTRA_DIST += test/interop/test_ipv6_inside.sh test/data/hub-swan6.conf
ipv6_inside_log = test/interop/test_ipv6_inside.sh.log
$(ipv6_inside_log): test/interop/test_ioslines.sh.log
TESTS += test/interop/test_ipv6_outside.sh
EXTRA_DIST += test/interop/test_ipv6_outside.sh test/data/hub-out6.conf
ipv6_outside_log = test/interop/test_ipv6_outside.sh.log
$(ipv6_outside_log): test/interop/test_ipv6_inside.sh.log
TESTS += test/interop/test_ipv6_mm.sh
EXTRA_DIST += test/interop/test_ipv6_mm.sh test/data/hub-mm6.conf
ipv6_mm_log = test/interop/test_ipv6_mm.sh.log
$(ipv6_mm_log): test/interop/test_ipv6_outside.sh.log
TESTS += test/interop/test_ipv6_cert.sh
EXTRA_DIST += test/interop/test_ipv6_cert.sh test/data/hub-cert6.conf
ipv6_cert_log = test/interop/test_ipv6_cert.sh.log
$(ipv6_cert_log): test/interop/test_ipv6_mm.sh.log
TESTS += test/interop/test_ipv6_radius.sh
EXTRA_DIST += test/interop/test_ipv6_radius.sh test/data/hub-radius6.conf
ipv6_radius_log = test/interop/test_ipv6_radius.sh.log
$(ipv6_radius_log): test/interop/test_ipv6_cert.sh.log
TESTS += test/interop/test_ez_ops.sh
EXTRA_DIST += test/interop/test_ez_ops.sh
ez_ops_log = test/interop/test_ez_ops.sh.log
$(ez_ops_log): test/interop/test_ipv6_radius.sh.log
TESTS += test/interop/test_ez_tun.sh
EXTRA_DIST += test/interop/test_ez_tun.sh test/data/ez-tun.conf test/lib/forge.sh test/lib/ezesp.py
ez_tun_log = test/interop/test_ez_tun.sh.log
$(ez_tun_log): test/interop/test_ez_ops.sh.log
TESTS += test/interop/test_vti_forge.sh
EXTRA_DIST += test/interop/test_vti_forge.sh test/data/hub-vti.conf
vti_forge_log = test/interop/test_vti_forge.sh.log
$(vti_forge_log): test/interop/test_ez_tun.sh.log
TESTS += test/interop/test_ezvpn.sh
EXTRA_DIST += test/interop/test_ezvpn.sh
ezvpn_log = test/interop/test_ezvpn.sh.log
$(ezvpn_log): test/interop/test_vti_forge.sh.log
TESTS += test/interop/test_ezvpn_swan.sh
EXTRA_DIST += test/interop/test_ezvpn_swan.sh
ezvpn_swan_log = test/interop/test_ezvpn_swan.sh.log
$(ezvpn_swan_log): test/interop/test_ezvpn.sh.log
TESTS += test/interop/test_ezvpn_backup.sh
EXTRA_DIST += test/interop/test_ezvpn_backup.sh test/data/backup-hub.conf
ezvpn_backup_log = test/interop/test_ezvpn_backup.sh.log
$(ezvpn_backup_log): test/interop/test_ezvpn_swan.sh.log
TESTS += test/interop/test_ezvpn_modes.sh
EXTRA_DIST += test/interop/test_ezvpn_modes.sh
ezvpn_modes_log = test/interop/test_ezvpn_modes.sh.log
$(ezvpn_modes_log): test/interop/test_ezvpn_backup.sh.log
TESTS += test/interop/test_cmap_manual.sh
EXTRA_DIST += test/interop/test_cmap_manual.sh test/lib/wirecount.py
cmap_manual_log = test/interop/test_cmap_manual.sh.log
$(cmap_manual_log): test/interop/test_ezvpn_modes.sh.log
TESTS += test/interop/test_ezvpn_xauth.sh
EXTRA_DIST += test/interop/test_ezvpn_xauth.sh
ezvpn_xauth_log = test/interop/test_ezvpn_xauth.sh.log
$(ezvpn_xauth_log): test/interop/test_cmap_manual.sh.log
TESTS += test/interop/test_ezvpn_acl.sh
EXTRA_DIST += test/interop/test_ezvpn_acl.sh
ezvpn_acl_log = test/interop/test_ezvpn_acl.sh.log
$(ezvpn_acl_log): test/interop/test_ezvpn_xauth.sh.log
TESTS += test/interop/test_vti_swan.sh
EXTRA_DIST += test/interop/test_vti_swan.sh
vti_swan_log = test/interop/test_vti_swan.sh.log
$(vti_swan_log): test/interop/test_ezvpn_acl.sh.log
TESTS += test/interop/test_vti_cert.sh
EXTRA_DIST += test/interop/test_vti_cert.sh
vti_cert_log = test/interop/test_vti_cert.sh.log
$(vti_cert_log): test/interop/test_vti_swan.sh.log
TESTS += test/interop/test_ikev2.sh
EXTRA_DIST += test/interop/test_ikev2.sh test/data/hub-ikev2-psk.conf test/lib/v2check.sh
ikev2_log = test/interop/test_ikev2.sh.log
$(ikev2_log): test/interop/test_vti_cert.sh.log
TESTS += test/interop/test_ikev2_cert.sh
EXTRA_DIST += test/interop/test_ikev2_cert.sh test/data/hub-ikev2-cert.conf
ikev2_cert_log = test/interop/test_ikev2_cert.sh.log
$(ikev2_cert_log): test/interop/test_ikev2.sh.log
TESTS += test/interop/test_ikev2_ops.sh
EXTRA_DIST += test/interop/test_ikev2_ops.sh test/data/hub-ikev2-ops.conf
ikev2_ops_log = test/interop/test_ikev2_ops.sh.log
$(ikev2_ops_log): test/interop/test_ikev2_cert.sh.log
TESTS += test/interop/test_ikev2_eap.sh
EXTRA_DIST += test/interop/test_ikev2_eap.sh test/data/hub-ikev2-eap.conf
ikev2_eap_log = test/interop/test_ikev2_eap.sh.log
$(ikev2_eap_log): test/interop/test_ikev2_ops.sh.log
TESTS += test/interop/test_ikev2_redirect.sh
EXTRA_DIST += test/interop/test_ikev2_redirect.sh test/data/hub-ikev2-redirect2.conf
ikev2_redirect_log = test/interop/test_ikev2_redirect.sh.log
$(ikev2_redirect_log): test/interop/test_ikev2_eap.sh.log
TESTS += test/interop/test_ikev2_rekey.sh
EXTRA_DIST += test/interop/test_ikev2_rekey.sh test/data/hub-ikev2-rekey.conf
ikev2_rekey_log = test/interop/test_ikev2_rekey.sh.log
$(ikev2_rekey_log): test/interop/test_ikev2_redirect.sh.log
TESTS += test/interop/test_ikev2_ipv6.sh
EXTRA_DIST += test/interop/test_ikev2_ipv6.sh test/data/hub-ikev2-ipv6.conf
ikev2_ipv6_log = test/interop/test_ikev2_ipv6.sh.log
$(ikev2_ipv6_log): test/interop/test_ikev2_rekey.sh.log
TESTS += test/interop/test_ikev2_cookie.sh
EXTRA_DIST += test/interop/test_ikev2_cookie.sh test/lib/ikev2flood.py
ikev2_cookie_log = test/interop/test_ikev2_cookie.sh.log
$(ikev2_cookie_log): test/interop/test_ikev2_ipv6.sh.log
TESTS += test/interop/test_forwarding.sh
EXTRA_DIST += test/interop/test_forwarding.sh
forwarding_log = test/interop/test_forwarding.sh.log
$(forwarding_log): test/interop/test_ikev2_cookie.sh.log
TESTS += test/interop/test_deb.sh
EXTRA_DIST += test/interop/test_deb.sh
deb_log = test/interop/test_deb.sh.log
$(deb_log): test/interop/test_forwarding.sh.log
TESTS += test/interop/test_distcheck.sh
EXTRA_DIST += test/interop/test_distcheck.sh
