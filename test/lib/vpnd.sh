# Shared helpers for the interop tests and the demo: start/stop vpnd in the hub namespace and
# vpnc clients in the client namespace, bounded waits everywhere. Source test/lib/ns.sh first.

VPND=${VPND:-./vpnd}
SRCDIR=${srcdir:-.}
VPNC_SCRIPT=$SRCDIR/test/lib/vpnc-script-min

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_until SECONDS CMD...: poll CMD every 0.05 s until it succeeds or time runs out.
wait_until() {
	local limit=$1; shift
	local end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.01
	done
	return 1
}

# interop_begin TOOL...: what every scenario starts with. Root and each TOOL must be there
# (a missing one fails the test, never skips it); VPNCTL gets its default; T is a scratch
# directory. The EXIT trap runs the scenario's cleanup_more (if it defines one), then stops
# vpnc, charon, iperf3 (IPERF_PID, IPERF_PIDS) and vpnd, removes the namespaces, and removes
# T unless KEEP is set.
interop_begin() {
	local tool
	[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
	VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
	done
	T=$(mktemp -d /tmp/vpnd-test.XXXXXX)
	trap interop_cleanup EXIT
}

interop_cleanup() {
	local rc=$? p f
	# a failed scenario shows what vpnd said last: CI keeps nothing but this test's log
	if [ "$rc" != 0 ] && [ -n "${T:-}" ]; then
		for f in $(find "$T" -name vpnd.log -o -name vpnc.log 2>/dev/null); do
			echo "--- last 60 lines of $f" >&2; tail -60 "$f" >&2
		done
	fi
	declare -F cleanup_more >/dev/null && cleanup_more
	vpnc_stop
	declare -F swan_stop >/dev/null && swan_stop
	# shellcheck disable=SC2086
	for p in ${IPERF_PID:-} ${IPERF_PIDS:-}; do kill "$p" 2>/dev/null; done
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	[ -n "${VPND_CL_PID:-}" ] && kill -KILL "$VPND_CL_PID" 2>/dev/null
	[ -n "${VPND_IN_PID:-}" ] && kill -KILL "$VPND_IN_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}

# vpnd_start CONF STATEDIR: runs vpnd in the hub namespace, log in STATEDIR/vpnd.log.
# VPND_FLAGS: options for vpnd, -d (debug lines) when unset; set it empty for a production log.
vpnd_start() {
	local conf=$1 state=$2
	mkdir -p "$state"
	# shellcheck disable=SC2086
	ip netns exec vpnd_hub "$VPND" ${VPND_FLAGS--d} -f "$conf" -S "$state" >"$state/vpnd.log" 2>&1 &
	VPND_PID=$!
	if ! wait_until 15 grep -q "vpnd ready" "$state/vpnd.log"; then
		cat "$state/vpnd.log" >&2
		fail "vpnd did not get ready"
	fi
}

# vpnd_start_cl CONF STATEDIR: a second vpnd, in the client namespace (an Easy VPN remote),
# pid in VPND_CL_PID; vpnd_start_in: a third, in the inside host's namespace, pid in
# VPND_IN_PID. interop_cleanup stops both.
_vpnd_start_ns() {
	local ns=$1 conf=$2 state=$3
	mkdir -p "$state"
	# shellcheck disable=SC2086
	ip netns exec "$ns" "$VPND" ${VPND_FLAGS--d} -f "$conf" -S "$state" >"$state/vpnd.log" 2>&1 &
	_VPND_NS_PID=$!
	if ! wait_until 15 grep -q "vpnd ready" "$state/vpnd.log"; then
		cat "$state/vpnd.log" >&2
		fail "the vpnd in $ns did not get ready"
	fi
}
vpnd_start_cl() { _vpnd_start_ns vpnd_cl "$1" "$2"; VPND_CL_PID=$_VPND_NS_PID; }
vpnd_start_in() { _vpnd_start_ns vpnd_in "$1" "$2"; VPND_IN_PID=$_VPND_NS_PID; }

# vpnd_stop STATEDIR: SIGTERM, must exit 0 within 5 s
vpnd_stop() {
	local state=$1 t0 rc
	[ -n "${VPND_PID:-}" ] || return 0
	t0=$(date +%s%N)
	kill -TERM "$VPND_PID" 2>/dev/null
	if ! wait_until 5 sh -c "! kill -0 $VPND_PID"; then
		kill -KILL "$VPND_PID" 2>/dev/null
		fail "vpnd did not stop within 5 s of SIGTERM"
	fi
	wait "$VPND_PID"; rc=$?
	VPND_PID=
	[ "$rc" -eq 0 ] || { tail -20 "$state/vpnd.log" >&2; fail "vpnd exited with status $rc"; }
	echo "vpnd stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# vpnc_start DIR KEY=VALUE...: writes DIR/vpnc.conf from the settings, starts vpnc in the
# client namespace and waits for its connect script to run. Settings: gateway group secret
# user password natt (natt|force-natt|none) dh pfs debug (vpnc's --debug level, 1 by default),
# laddr (local address) and ifname (TUN name) for a second client in the namespace.
vpnc_start() {
	local dir=$1; shift
	local gateway=172.18.143.246 group=group1 secret=cisco123 user=cisco password=cisco123
	local natt=natt dh=dh2 pfs=nopfs wait=20 port=500 dpd=300 debug=1 laddr= ifname=
	for kv in "$@"; do eval "local ${kv%%=*}=\"\${kv#*=}\""; done
	mkdir -p "$dir"
	rm -f "$dir/up"
	cat >"$dir/vpnc.conf" <<CONF
IPSec gateway $gateway
IPSec ID $group
IPSec secret $secret
Xauth username $user
Xauth password $password
IKE DH Group $dh
Perfect Forward Secrecy $pfs
NAT Traversal Mode $natt
Local Port $port
Script $VPNC_SCRIPT
Pidfile $dir/vpnc.pid
Enable weak encryption
DPD idle timeout (our side) $dpd
CONF
	[ -n "$laddr" ] && echo "Local Addr $laddr" >>"$dir/vpnc.conf"
	[ -n "$ifname" ] && echo "Interface name $ifname" >>"$dir/vpnc.conf"
	VPNC_STATE_DIR=$dir ip netns exec vpnd_cl stdbuf -oL -eL vpnc --no-detach --debug "$debug" \
		"$dir/vpnc.conf" >"$dir/vpnc.log" 2>&1 &
	VPNC_PID=$!
	if [ "$wait" = 0 ]; then return 0; fi
	if ! wait_until "$wait" test -f "$dir/up"; then
		echo "--- vpnc log" >&2; tail -30 "$dir/vpnc.log" >&2
		return 1
	fi
	return 0
}

# vpnc_stop: SIGTERM makes vpnc send DELETE for its SAs (bounded wait).
vpnc_stop() {
	[ -n "${VPNC_PID:-}" ] || return 0
	kill -TERM "$VPNC_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $VPNC_PID" || kill -KILL "$VPNC_PID" 2>/dev/null
	wait "$VPNC_PID" 2>/dev/null
	VPNC_PID=
}

hub() { ip netns exec vpnd_hub "$@"; }
cl()  { ip netns exec vpnd_cl "$@"; }
inh() { ip netns exec vpnd_in "$@"; }
lan() { ip netns exec vpnd_lan "$@"; }

# child_pid ROLE: pid of vpnd's child process ROLE (its argv is "vpnd -X ROLE")
child_pid() {
	pgrep -P "$VPND_PID" -f -- "-X $1" | head -1
}
