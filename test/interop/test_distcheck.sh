#!/bin/sh
# make distcheck from this build directory: the tarball holds what an out-of-tree build and
# the tests need (docs, scripts, test, bench, etc, debian, man), builds outside its read-only
# source, passes the unit tests (configure --disable-interop-tests, through
# AM_DISTCHECK_CONFIGURE_FLAGS), installs and uninstalls cleanly. Prints how long it took.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f Makefile ] && grep -q "^distcheck:" Makefile || fail "run from a configured build directory"
# a make check around us must not hand its jobserver to this one
unset MAKEFLAGS MFLAGS MAKELEVEL
T=$(mktemp -d /tmp/vpnd-distcheck.XXXXXX)
trap 'rm -rf "$T"' EXIT
t0=$(date +%s)
timeout 1200 ${MAKE:-make} -j2 distcheck >"$T/log" 2>&1 || { tail -60 "$T/log" >&2; fail "make distcheck"; }
echo "make -j2 distcheck: $(( $(date +%s) - t0 )) s"
grep -q "^# PASS: *[1-9]" "$T/log" || fail "distcheck ran no unit tests"
grep -q "test/interop/" "$T/log" && fail "distcheck ran interop tests"
tarball=$(ls vpnd-*.tar.gz | head -1)
for f in docs/operator.md scripts/deps.sh test/lib/ns.sh test/interop/test_vpnc.sh bench/vpnload.c \
	etc/vpnd.service.in debian/rules man/vpnd.conf.5 demo.sh test.sh README.md; do
	tar tzf "$tarball" | grep -q "^vpnd-[^/]*/$f$" || fail "$f is not in $tarball"
done
echo "ok: make distcheck passed, $(grep '^# PASS:' "$T/log" | awk '{print $3}') unit tests; $tarball holds docs, scripts, tests, bench, etc, debian, man"
