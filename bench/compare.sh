#!/bin/bash
# vpnd and strongSwan 5.9 (charon, kernel-libipsec) as the hub, one after the other in the same
# run, on the same namespaces, with the same clients; prints both and their ratios:
#   connect: vpnc start -> first ping through the tunnel (median of RUNS_CONNECT)
#   TCP each way through a vpnc tunnel (AES-256/SHA-1, UDP 4500 for both hubs: kernel-libipsec
#     has no raw ESP) and through a strongSwan client tunnel (IKEv1 XAuth, AES-128-GCM),
#     iperf3 RUNS_TCP x SECS s, medians
#   hub CPU s per GB (the hub's processes, utime+stime) and whole-machine busy s per GB from
#     /proc/stat: with tick accounting softirq work is charged to whichever task runs, so an
#     offload can move cost from the hub onto the client; the second figure shows that.
# usage: bench/compare.sh   (root; uses build/vpnd; RUNS_CONNECT RUNS_TCP SECS in the environment)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
. "$top/test/lib/swan.sh"
RUNS_CONNECT=${RUNS_CONNECT:-5}
RUNS_TCP=${RUNS_TCP:-3}
SECS=${SECS:-5}
for tool in vpnc iperf3 swanctl python3; do
	command -v "$tool" >/dev/null || fail "$tool is missing: scripts/deps.sh installs it"
done
swan_require
[ -x "$VPND" ] || fail "no $VPND: build first (scripts/build.sh $top/build)"

T=$(mktemp -d /tmp/vpnd-compare.XXXXXX)
HUB_PIDS=
cleanup() {
	vpnc_stop; swan_stop
	[ -n "${hub_swan_pid:-}" ] && kill -TERM "$hub_swan_pid"
	[ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID"
	[ -n "${IPERF_PID:-}" ] && kill "$IPERF_PID"
	ns_teardown; rm -rf "$T"
} 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"
inh iperf3 -s >/dev/null 2>&1 & IPERF_PID=$!

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
hub_ticks() {  # utime+stime of the hub's processes, in clock ticks
	local sum=0 p
	for p in $HUB_PIDS $(for q in $HUB_PIDS; do pgrep -P "$q"; done); do
		[ -r "/proc/$p/stat" ] && sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $sum
}
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)

# connect HUB: vpnc start -> first reply through the tunnel, RUNS_CONNECT times
connect() {
	local hub=$1 i t0
	: >"$T/$hub.connect"
	for i in $(seq "$RUNS_CONNECT"); do
		t0=$(date +%s%N)
		vpnc_start "$T/vpnc" natt=force-natt debug=0 || fail "$hub: vpnc did not connect"
		cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$hub: no ping through vpnc"
		echo "$(( $(date +%s%N) - t0 ))" | awk '{printf "%.4f\n", $1 / 1e9}' >>"$T/$hub.connect"
		vpnc_stop
		sleep 0.5   # let the hub see the DELETE before the next client takes the address
	done
}

# tcp HUB CLIENT: iperf3 each way through the tunnel that is up, with CPU figures
tcp() {
	local hub=$1 client=$2 dir i c0 m0 flag
	for dir in up down; do
		for f in mbit hub machine; do : >"$T/$hub.$client.$dir.$f"; done
		for i in $(seq "$RUNS_TCP"); do
			flag=""; [ $dir = down ] && flag=-R
			c0=$(hub_ticks); m0=$(busy_ticks)
			timeout $((SECS + 20)) ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -t "$SECS" $flag -J \
				>"$T/j" || fail "$hub/$client: iperf3 $dir failed"
			python3 - "$T/j" "$c0" "$(hub_ticks)" "$m0" "$(busy_ticks)" "$hz" "$T/$hub.$client.$dir" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["end"]["sum_received"]
c0, c1, m0, m1, hz = map(int, sys.argv[2:7])
gb = e["bytes"] / 1e9
out = sys.argv[7]
open(out + ".mbit", "a").write(f"{e['bits_per_second'] / 1e6:.0f}\n")
open(out + ".hub", "a").write(f"{(c1 - c0) / hz / gb:.2f}\n")
open(out + ".machine", "a").write(f"{(m1 - m0) / hz / gb:.2f}\n")
PY
		done
	done
}

run_hub() {
	local hub=$1
	connect "$hub"
	vpnc_start "$T/vpnc" natt=force-natt debug=0 || fail "$hub: vpnc did not connect"
	tcp "$hub" vpnc
	vpnc_stop
	sleep 0.5
	swan_start "$T/swancl" ike=aes256-sha256-modp2048 esp=aes128gcm128-modp2048 loglevel=0 ||
		fail "$hub: strongSwan client did not start"
	swan_up 20 || fail "$hub: strongSwan client did not connect"
	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$hub: no ping through charon"
	tcp "$hub" swan
	swan_down 10
	swan_stop
	sleep 0.5
}

echo "=== vpnd hub ($VPND, bench/hub.conf)"
VPND_FLAGS="" vpnd_start "$top/bench/hub.conf" "$T/vpnd"
HUB_PIDS=$VPND_PID
run_hub vpnd
vpnd_stop "$T/vpnd" >/dev/null

echo "=== strongSwan hub (charon $(/usr/lib/ipsec/charon --version 2>/dev/null | head -1), kernel-libipsec)"
swan_hub_start "$T/swanhub" || fail "strongSwan hub did not start"
HUB_PIDS=$SWAN_PID
# swan.sh drives one charon at a time: keep the hub's while the client charon runs
hub_swan_pid=$SWAN_PID hub_swan_dir=$SWAN_DIR
run_hub swan
SWAN_PID=$hub_swan_pid SWAN_DIR=$hub_swan_dir
swan_stop

m() { median <"$T/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
echo
printf "%-44s %10s %12s %8s\n" "measure (median)" "vpnd" "strongSwan" "ratio"
row() { printf "%-44s %10s %12s %8s\n" "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
row "connect, vpnc start -> first ping (s)" "$(m vpnd.connect)" "$(m swan.connect)"
for client in vpnc swan; do
	for dir in up down; do
		label=$([ $dir = up ] && echo "cl->in" || echo "in->cl")
		cname=$([ $client = vpnc ] && echo "vpnc AES256/SHA1" || echo "charon AES-GCM")
		row "TCP $label, $cname (Mbit/s)" "$(m vpnd.$client.$dir.mbit)" "$(m swan.$client.$dir.mbit)"
		row "  hub CPU s per GB" "$(m vpnd.$client.$dir.hub)" "$(m swan.$client.$dir.hub)"
		row "  whole machine busy s per GB" "$(m vpnd.$client.$dir.machine)" "$(m swan.$client.$dir.machine)"
	done
done
echo "machine: $(nproc) cores, $(uname -r), $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
