#!/bin/bash
# How long vpnd takes to stop (SIGTERM to exit) with N sessions up, each with its vaN, set up
# by bench/vpnload from N source addresses; and that nothing is left after.
# usage: N=5000 bench/stop.sh   (root; uses build/vpnd and build/bench/vpnload; default 2000)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
VPNLOAD=${VPNLOAD:-$top/build/bench/vpnload}
N=${N:-2000}
RATE=${RATE:-500}
[ -x "$VPNLOAD" ] || fail "no $VPNLOAD: build first"
T=$(mktemp -d /tmp/vpnd-stop.XXXXXX)
cleanup() {
	[ -n "${VL_PID:-}" ] && kill -KILL "$VL_PID"
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID"
	ns_teardown; rm -rf "$T"
} 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"
cl ip route add local 10.99.0.0/16 dev lo && hub ip route add 10.99.0.0/16 via 172.18.143.2 ||
	fail "routes for the sources"
# the test hub with a pool of 2^16 - 2 addresses
sed 's/^ip local pool loadpool .*/ip local pool loadpool 10.100.0.1 10.100.255.254/' \
	"$top/test/data/hub-vpnload.conf" >"$T/hub.conf"
VPND_FLAGS=${VPND_FLAGS-} vpnd_start "$T/hub.conf" "$T/st"
ip netns exec vpnd_cl "$VPNLOAD" -a 172.18.143.246 -g loadgroup -K L0adGroupKey -u load \
	-p L0adTestPass -n "$N" -r "$RATE" -s 10.99.0.0/16 -G 2 -N none -T 60 -t 10.2.1.10 \
	-H 600 -W "$T/release" >"$T/vpnload.out" 2>&1 &
VL_PID=$!
wait_until $((N / RATE * 3 + 60)) grep -q "^sessions:" "$T/vpnload.out" || fail "vpnload did not finish"
grep "^sessions:\|^setup:" "$T/vpnload.out"
vas=$(hub ip -o link show | grep -c ' va[0-9]')
echo "hub: $vas vaN interfaces"
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
for p in $VPND_PID $(pgrep -P "$VPND_PID"); do
	echo "  $(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-40): RSS $(rss "$p") KiB"
done
t0=$(date +%s%N)
kill -TERM "$VPND_PID"
wait_until 120 sh -c "! kill -0 $VPND_PID" || fail "vpnd still running 120 s after SIGTERM"
t1=$(date +%s%N)
wait "$VPND_PID"; rc=$?; VPND_PID=
left=$(hub ip -o link show | grep -c ' va[0-9]')
echo "stop with $vas sessions: $(( (t1 - t0) / 1000000 )) ms, exit $rc, $left vaN left"
touch "$T/release"
[ -n "${KEEP_LOG:-}" ] && cp "$T/st/vpnd.log" "$KEEP_LOG"
grep -o 'tunmgr.*\(routes deleted\|interfaces deleted\).*' "$T/st/vpnd.log" | sed 's/^/  /'
