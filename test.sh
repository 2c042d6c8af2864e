#!/bin/sh
# Runs every test: unit, fuzz smoke (each target a few seconds) and interop tests (real vpnc,
# strongSwan, namespaces, TUN), once in a normal build and once under AddressSanitizer +
# UndefinedBehaviorSanitizer (the fuzz smoke, static analysis, package and tarball, which build
# with their own flags, in the normal build only). Two jobs: the interop tests run one at a time
# (one dependency chain in test/local.mk) while the other job takes the unit tests and the rest.
# Needs root.
set -e
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build"
"$top/scripts/build.sh" "$top/build-asan" --enable-sanitizers
# failed BUILDDIR: the end of each failed test's own log, so a CI failure says what broke
failed() {
	for trs in $(grep -l '^:test-result: \(FAIL\|ERROR\)' "$1"/test/*/*.trs 2>/dev/null); do
		echo "=== ${trs%.trs}.log (last 120 lines)"
		tail -120 "${trs%.trs}.log"
	done
}
rc=0
echo "=== tests (normal build)"
make -j2 -C "$top/build" check || { rc=1; failed "$top/build"; }
echo "=== tests (ASan + UBSan build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	make -j2 -C "$top/build-asan" check || { rc=1; failed "$top/build-asan"; }
# one plain closing line over both runs
cat "$top"/build/test-suite.log "$top"/build-asan/test-suite.log 2>/dev/null | awk '
	/^# PASS:/ { p += $3 } /^# FAIL:/ { f += $3 } /^# ERROR:/ { f += $3 } /^# SKIP:/ { s += $3 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $rc
