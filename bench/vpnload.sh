#!/bin/bash
# Set-up rate and ESP throughput of the hub under bench/vpnload, on the namespace topology.
#   for DH group 2 and 14: SESSIONS (2000) set-ups at each target rate in RATES, from as many
#     source addresses; prints what vpnload reports (rate achieved, p50/p99 latency, failures,
#     its own CPU) and the hub's CPU seconds per 1000 set-ups;
#   ESP: K (10) sessions pumped for PUMP_SECONDS (5) with 64- and 1300-byte echoes, raw ESP
#     and UDP 4500: packets and Mbit/s that came back, the hub's CPU.
# The hub is restarted for each run (every client is then "never seen" by call admission).
# usage: bench/vpnload.sh   (root; uses build/vpnd and build/bench/vpnload)
#   SESSIONS=20000 RATES="1000 2000" DH_GROUPS="14" bench/vpnload.sh   for the full 20k run
#   PUMP=0 skips the ESP part
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
VPNLOAD=${VPNLOAD:-$top/build/bench/vpnload}
VPNCTL=${VPNCTL:-$top/build/vpnctl/vpnctl}
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
SESSIONS=${SESSIONS:-2000}
RATES=${RATES:-250 500 1000 2000}
DH_GROUPS=${DH_GROUPS:-2 14}
K=${K:-10}
PUMP_SECONDS=${PUMP_SECONDS:-5}
CONF=${CONF:-$top/test/data/hub-vpnload.conf}
[ -x "$VPNLOAD" ] || fail "$VPNLOAD missing: build first (scripts/build.sh $top/build)"
T=$(mktemp -d /tmp/vpnd-bench.XXXXXX)
cleanup() { [ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID"; ns_teardown; rm -rf "$T"; } 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"
ip netns exec vpnd_cl ip route add local 10.99.0.0/16 dev lo || fail "AnyIP route"
ip netns exec vpnd_hub ip route add 10.99.0.0/16 via 172.18.143.2 || fail "hub route"
# one tunnel interface per session: the pool is a /22, so at most 1022 at once unless CONF grows
pool=$(awk '/^ip local pool/ { split($5, a, "."); split($6, b, "."); print (b[3]-a[3])*256 + b[4]-a[4] + 1 }' "$CONF")
if [ "$SESSIONS" -gt "$pool" ]; then
	# a bigger pool for this run: 10.100.0.1 up to what SESSIONS needs (at most a /16)
	sed "s/^ip local pool loadpool .*/ip local pool loadpool 10.100.0.1 10.100.255.254/" "$CONF" >"$T/hub.conf"
	CONF=$T/hub.conf
fi
hz=$(getconf CLK_TCK)
cpu_ticks() {
	local sum=0 p
	for p in $VPND_PID $(pgrep -P "$VPND_PID"); do
		sum=$((sum + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo $sum
}
# CPU ticks per hub process, "role=ticks ..." (parent is vpnd itself)
cpu_roles() {
	local p role
	echo -n "vpnd=$(awk '{print $14 + $15}' /proc/$VPND_PID/stat 2>/dev/null || echo 0)"
	for p in $(pgrep -P "$VPND_PID"); do
		role=$(tr '\0' ' ' </proc/$p/cmdline | awk '{print $3}')
		echo -n " $role=$(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)"
	done
	echo
}
role_delta() {  # role_delta "BEFORE" "AFTER" SESSIONS: CPU s per 1000 sessions by process
	awk -v a="$1" -v b="$2" -v hz="$hz" -v n="$3" 'BEGIN {
		split(a, x, " "); for (i in x) { split(x[i], kv, "="); before[kv[1]] = kv[2] }
		split(b, y, " "); out = "hub CPU s per 1000 sessions by process:"
		for (i = 1; i in y; i++) { split(y[i], kv, "="); out = out sprintf(" %s %.2f", kv[1], (kv[2] - before[kv[1]]) / hz / n * 1000) }
		print out }'
}
vpnload() {
	ip netns exec vpnd_cl "$VPNLOAD" -a 172.18.143.246 -g loadgroup -K L0adGroupKey -u load \
		-p L0adTestPass -s 10.99.0.0/16 -t 10.2.1.10 -T 30 "$@"
}
gone() { ! ip netns exec vpnd_hub ip -o link show | grep -q ' va[0-9]'; }

echo "vpnload bench: $SESSIONS sessions per run, $(nproc) CPUs, hub and vpnload on the same machine"
for g in $DH_GROUPS; do
	for r in $RATES; do
		VPND_FLAGS= vpnd_start "$CONF" "$T/hub"
		c0=$(cpu_ticks); r0=$(cpu_roles)
		vpnload -n "$SESSIONS" -r "$r" -G "$g" -N none >"$T/out" 2>&1
		c1=$(cpu_ticks); r1=$(cpu_roles)
		echo "--- DH group $g, target $r/s"
		grep -E '^(sessions|setup|latency|first echo|failure|cpu: set-up)' "$T/out"
		awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="$SESSIONS" \
			'BEGIN { printf "hub: %.2f CPU s for the run, %.2f CPU s per 1000 sessions (set-up, echo, teardown)\n", (b-a)/hz, (b-a)/hz/n*1000 }'
		role_delta "$r0" "$r1" "$SESSIONS"
		wait_until 60 gone || echo "warning: interfaces left 60 s after teardown"
		vpnd_stop "$T/hub" >/dev/null
	done
done

[ "${PUMP:-1}" = 1 ] || exit 0
for natt in none force; do
	for size in 64 1300; do   # 1300: the outer packet stays under the veth's 1500
		VPND_FLAGS= vpnd_start "$CONF" "$T/hub"
		vpnload -n "$K" -r 100 -G 14 -N "$natt" -k "$K" -l "$size" -d 1 >/dev/null 2>&1   # warm-up
		wait_until 30 gone
		c0=$(cpu_ticks)
		vpnload -n "$K" -r 100 -G 14 -N "$natt" -k "$K" -l "$size" -d "$PUMP_SECONDS" >"$T/out" 2>&1
		c1=$(cpu_ticks)
		echo "--- ESP through $K sessions, $([ $natt = none ] && echo raw ESP || echo UDP 4500), $size-byte echo payload"
		grep -E '^esp: (throughput|[0-9]+ sessions)' "$T/out"
		awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$PUMP_SECONDS" \
			'BEGIN { printf "hub: %.2f CPU s over the run (%.0f%% of one core over the pump)\n", (b-a)/hz, (b-a)/hz/s*100 }'
		wait_until 30 gone
		vpnd_stop "$T/hub" >/dev/null
	done
done
