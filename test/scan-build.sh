#!/bin/sh
# The clang static analyzer over a fresh out-of-tree build of everything `make` builds: any
# report fails the test (and prints where), so the tree stays clean. About 1.5 min on 2 cores.
set -u
SRC=$(cd "${srcdir:-.}" && pwd)
command -v scan-build >/dev/null ||
	{ echo "FAIL: scan-build is missing (clang-tools; scripts/deps.sh installs it)"; exit 1; }
[ -x "$SRC/configure" ] || { echo "FAIL: $SRC/configure missing (autoreconf -fi)"; exit 1; }
T=$(mktemp -d /tmp/vpnd-scan.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
if ! scan-build "$SRC/configure" >configure.log 2>&1; then
	echo "FAIL: configure under scan-build:"; tail -20 configure.log; exit 1
fi
scan-build --status-bugs -o "$T/reports" make -j2 >make.log 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: scan-build --status-bugs make: exit $rc"
	grep -E "warning:|error:|bugs? found" make.log | head -40
	exit 1
fi
grep -q "No bugs found" make.log ||
	{ echo "FAIL: scan-build did not say 'No bugs found':"; tail -5 make.log; exit 1; }
echo "ok: scan-build: no bugs found in $(grep -c '^ *CC ' make.log) files"
exit 0
