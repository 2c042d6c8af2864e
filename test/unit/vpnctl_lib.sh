# The preamble of the vpnctl shell tests (sourced; sh): VPNCTL and DB_FILL, a scratch folder T
# named after $VPNCTL_TEST, the stand-in server's cleanup, pass/fail (FAILED=1 on a failure),
# run (vpnctl's OUT, ERR, RC) and json_check (Python assertions over the rows of $T/out).
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
DB_FILL=${DB_FILL:-./test/unit/db_fill}
export TZ=UTC LC_ALL=C

T=$(mktemp -d "/tmp/${VPNCTL_TEST:-test_vpnctl}.XXXXXX") || exit 1
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }

# run ARGS...: sets OUT, ERR, RC
run() {
	# bounded: a query that hangs fails the test instead of stalling it
	timeout 30 "$VPNCTL" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# json_check PYTHON-ASSERTIONS: the assertions see ROWS, the parsed output in $T/out
json_check() {
	python3 -c "
import json, sys
rows = json.load(open(sys.argv[1], encoding='utf-8'))
$1
" "$T/out"
}
