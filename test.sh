#!/bin/sh
# Runs every test: unit, fuzz smoke (each target a few seconds) and interop tests (real vpnc,
# strongSwan, namespaces, TUN), once in a normal build and once under AddressSanitizer +
# UndefinedBehaviorSanitizer. Needs root.
set -e
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build"
"$top/scripts/build.sh" "$top/build-asan" --enable-sanitizers
rc=0
echo "=== tests (normal build)"
make -C "$top/build" check || rc=1
[ $rc = 0 ] || cat "$top"/build/test/*/*.log 2>/dev/null | tail -200
echo "=== tests (ASan + UBSan build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	make -C "$top/build-asan" check || { rc=1; cat "$top"/build-asan/test/*/*.log 2>/dev/null | tail -200; }
# one plain closing line over both runs
cat "$top"/build/test-suite.log "$top"/build-asan/test-suite.log 2>/dev/null | awk '
	/^# PASS:/ { p += $3 } /^# FAIL:/ { f += $3 } /^# ERROR:/ { f += $3 } /^# SKIP:/ { s += $3 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $rc
