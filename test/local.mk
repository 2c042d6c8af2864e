# test/: interop tests against real clients in network namespaces (need root; they fail, not
# skip, when a tool is missing). Unit tests are registered next to the code they test.
TESTS += test/interop/test_vpnc.sh
EXTRA_DIST += test/interop/test_vpnc.sh test/lib/vpnd.sh test/lib/memscan.py \
	test/lib/vpnc-script-min test/data/hub-aes.conf
# The interop tests share the fixed namespace names: never run two at once.
test/interop/test_vpnc.log: test/interop/test_privsep.log
