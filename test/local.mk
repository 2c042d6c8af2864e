# test/: interop tests against real clients in network namespaces (need root; they fail, not
# skip, when a tool is missing). Unit tests are registered next to the code they test.
TESTS += test/interop/test_vpnc.sh
TESTS += test/interop/test_badinput.sh
TESTS += test/interop/test_swan.sh
EXTRA_DIST += test/interop/test_vpnc.sh test/lib/vpnd.sh test/lib/memscan.py \
	test/lib/vpnc-script-min test/data/hub-aes.conf
EXTRA_DIST += test/interop/test_badinput.sh test/lib/ikemsg.py test/lib/ikegarbage.py \
	test/lib/ikeflood.py test/lib/ikewrongkey.py test/lib/espattack.py
# The interop tests share the fixed namespace names: never run two at once.
vpnc_log = test/interop/test_vpnc.sh.log
$(vpnc_log): test/interop/test_privsep.sh.log
# The log of test_X.sh is test_X.sh.log (.sh is not in TEST_EXTENSIONS); named through a
# variable, since automake refuses a rule on a target it generates.
badinput_log = test/interop/test_badinput.sh.log
$(badinput_log): test/interop/test_vpnc.sh.log
EXTRA_DIST += test/interop/test_swan.sh test/lib/swan.sh test/data/hub-swan.conf
swan_log = test/interop/test_swan.sh.log
$(swan_log): test/interop/test_vpnc.sh.log
TESTS += test/interop/test_debug.sh
EXTRA_DIST += test/interop/test_debug.sh
debug_log = test/interop/test_debug.sh.log
$(debug_log): test/interop/test_swan.sh.log
TESTS += test/interop/test_crash.sh
EXTRA_DIST += test/interop/test_crash.sh
crash_log = test/interop/test_crash.sh.log
$(crash_log): test/interop/test_debug.sh.log
