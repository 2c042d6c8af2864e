#!/bin/bash
# Builds every fuzz target in test/fuzz/ with the clang command on its first line and runs each
# for a few seconds (libFuzzer + ASan + UBSan): a crash, a leak or a build failure fails the
# test. Long fuzzing runs are by hand (same commands, without -max_total_time).
set -u
SRC=$(cd "${srcdir:-.}" && pwd)
SECS=${FUZZ_SECONDS:-6}
command -v clang >/dev/null || { echo "FAIL: clang is missing (scripts/deps.sh installs it)"; exit 1; }
T=$(mktemp -d /tmp/vpnd-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
rc=0
n=0
for f in "$SRC"/test/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	# the build command: first line, comment markers and anything after "&&" dropped
	cmd=$(head -1 "$f" | sed -e 's#^/[*/] *##' -e 's# *\*/ *$##' -e 's# *&&.*$##')
	case "$cmd" in clang\ *) ;; *) echo "FAIL: $name: no clang command on its first line"; rc=1; continue;; esac
	cmd=$(echo "$cmd" | sed -e "s# -o [^ ]*# -o $T/$name#")
	if ! (cd "$SRC" && eval "$cmd") >"$T/$name.build" 2>&1; then
		echo "FAIL: $name does not build:"; tail -20 "$T/$name.build"; rc=1; continue
	fi
	dict=""
	[ "$name" = fuzz_conf ] && dict="-dict=$SRC/test/fuzz/conf.dict"
	mkdir -p "$T/corpus-$name"
	if ! (cd "$T" && "./$name" $dict -max_total_time="$SECS" -rss_limit_mb=2048 "$T/corpus-$name") \
		>"$T/$name.log" 2>&1; then
		echo "FAIL: $name found a problem:"; grep -E "ERROR|SUMMARY|runtime error" "$T/$name.log" | head -10
		rc=1; continue
	fi
	runs=$(grep -oE "Done [0-9]+ runs" "$T/$name.log" | grep -oE "[0-9]+")
	echo "ok: $name: ${runs:-?} runs in ${SECS} s, no crash, no leak"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no fuzz target ran"; exit 1; }
exit $rc
