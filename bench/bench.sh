#!/bin/bash
# Prints vpnd's figures on the namespace topology, as medians of several runs:
#   vpnc start -> first ping through the tunnel (5 runs)
#   TCP throughput each way through a vpnc tunnel (3 runs of 5 s each way)
#   the hub's CPU seconds (vpnd and its children) per GB moved
# Baseline for comparison: shared/INTEROP.md (strongSwan hub on the same topology).
# usage: bench/bench.sh [CONF]   (root; uses build/vpnd)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
CONF=${1:-$top/etc/vpnd.conf}
RUNS_CONNECT=${RUNS_CONNECT:-5}
RUNS_TCP=${RUNS_TCP:-3}
T=$(mktemp -d /tmp/vpnd-bench.XXXXXX)
cleanup() { vpnc_stop; [ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID"; [ -n "${IPERF_PID:-}" ] && kill "$IPERF_PID"; ns_teardown; rm -rf "$T"; } 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"
inh iperf3 -s >/dev/null 2>&1 & IPERF_PID=$!
vpnd_start "$CONF" "$T/hub"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
cpu_ticks() {  # utime+stime of vpnd and its children, in clock ticks
	local sum=0 p
	for p in $VPND_PID $(pgrep -P "$VPND_PID"); do
		sum=$((sum + $(awk '{print $14 + $15}' /proc/$p/stat)))
	done
	echo $sum
}

: >"$T/connect"
for i in $(seq "$RUNS_CONNECT"); do
	t0=$(date +%s%N)
	vpnc_start "$T/vpnc" || fail "vpnc did not connect"
	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "no ping"
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }' >>"$T/connect"
	vpnc_stop
	wait_until 10 sh -c "! ip netns exec vpnd_hub ip -o link show | grep -q ' va'"
done
echo "connect (vpnc start -> first ping), median of $RUNS_CONNECT: $(median <"$T/connect") s"

vpnc_start "$T/vpnc" || fail "vpnc did not connect"
hz=$(getconf CLK_TCK)
for dir in up down; do
	: >"$T/$dir"; : >"$T/$dir.cpu"
	for i in $(seq "$RUNS_TCP"); do
		c0=$(cpu_ticks)
		flag=""; [ $dir = down ] && flag=-R
		timeout 30 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -t 5 $flag -J >"$T/j" || fail "iperf3"
		c1=$(cpu_ticks)
		python3 - "$T/j" "$c0" "$c1" "$hz" >>"$T/$dir" 2>>"$T/$dir.cpu" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["end"]["sum_received"]
gb = e["bytes"] / 1e9
cpu = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])
print(f"{e['bits_per_second']/1e6:.0f}")
print(f"{cpu/gb:.3f}", file=sys.stderr)
PY
	done
	label=$([ $dir = up ] && echo "cl->in" || echo "in->cl")
	echo "TCP $label, median of $RUNS_TCP x 5 s: $(median <"$T/$dir") Mbit/s; hub CPU $(median <"$T/$dir.cpu") s per GB"
done
echo "baseline (shared/INTEROP.md, strongSwan hub, same topology): connect 0.026-0.103 s, TCP 459/491 Mbit/s, charon ~1 core"
