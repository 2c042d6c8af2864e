#!/bin/bash
# vpnd and strongSwan as the hub, one after the other on the same namespaces, driven by the same
# bench/vpnload: set-up rate at DH group 2 and 14, then ESP echoes through K sessions; each
# figure with the hub's own CPU, and the ratios vpnd / strongSwan.
# charon runs as test/lib/swan.sh's hub (kernel-libipsec: ESP in UDP only), so vpnload fakes a
# NAT (-N force) against both hubs: the same UDP 4500 path for both.
# usage: bench/vpnload_compare.sh   (root; build/vpnd, build/bench/vpnload)
#   SESSIONS (1000) per set-up run at RATE (500) a second; K (10) sessions pumped for
#   PUMP_SECONDS (5) with SIZE (1300) byte payloads.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
VPNLOAD=${VPNLOAD:-$top/build/bench/vpnload}
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
. "$top/test/lib/swan.sh"
SESSIONS=${SESSIONS:-1000}
RATE=${RATE:-500}
K=${K:-10}
PUMP_SECONDS=${PUMP_SECONDS:-5}
SIZE=${SIZE:-1300}
[ -x "$VPNLOAD" ] || fail "$VPNLOAD missing: build first (scripts/build.sh $top/build)"
swan_require
T=$(mktemp -d /tmp/vpnd-vlcmp.XXXXXX)
cleanup() {
	swan_stop
	[ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID"
	ns_teardown; rm -rf "$T"
} 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"
ip netns exec vpnd_cl ip route add local 10.99.0.0/16 dev lo || fail "AnyIP route"
ip netns exec vpnd_hub ip route add 10.99.0.0/16 via 172.18.143.2 || fail "hub route"
sed "s/^ip local pool loadpool .*/ip local pool loadpool 10.100.0.1 10.100.255.254/" \
	"$top/test/data/hub-vpnload.conf" >"$T/hub.conf"
hz=$(getconf CLK_TCK)

# the hub's CPU ticks: vpnd and its children, or charon (all its threads)
hub_ticks() {
	local sum=0 p
	for p in ${VPND_PID:-} $( [ -n "${VPND_PID:-}" ] && pgrep -P "$VPND_PID") ${SWAN_PID:-}; do
		sum=$((sum + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo $sum
}
hub_up() {
	case $1 in
	vpnd) VPND_FLAGS= vpnd_start "$T/hub.conf" "$T/vpnd" ;;
	strongswan) swan_hub_start "$T/swan" group=loadgroup secret=L0adGroupKey user=load \
		password=L0adTestPass pool=10.100.0.0/16 \
		ike=aes256-sha1-modp1024,aes256-sha1-modp2048,aes256-sha256-modp2048 ||
		fail "strongSwan hub" ;;
	esac
}
hub_down() {
	case $1 in
	vpnd) vpnd_stop "$T/vpnd" >/dev/null ;;
	strongswan) swan_stop ;;
	esac
}
vpnload() {
	ip netns exec vpnd_cl "$VPNLOAD" -a 172.18.143.246 -g loadgroup -K L0adGroupKey -u load \
		-p L0adTestPass -s 10.99.0.0/16 -t 10.2.1.10 -T 30 -N force "$@"
}
# field NAME FILE: a figure from vpnload's output
rate_of() { sed -n 's/^setup: .*achieved \([0-9.]*\)\/s.*/\1/p' "$1"; }
up_of() { sed -n 's/^sessions: [0-9]* requested, \([0-9]*\) up.*/\1/p' "$1"; }
pps_of() { sed -n 's/^esp: throughput \([0-9]*\) pkts\/s, \([0-9.]*\) Mbit.*/\1 \2/p' "$1"; }

declare -A R
echo "vpnload against each hub: $SESSIONS sessions at $RATE/s per set-up run, UDP 4500, $(nproc) CPUs shared with vpnload"
for hub in vpnd strongswan; do
	for g in 2 14; do
		hub_up $hub
		c0=$(hub_ticks)
		vpnload -n "$SESSIONS" -r "$RATE" -G "$g" >"$T/out" 2>&1
		c1=$(hub_ticks)
		hub_down $hub
		rate=$(rate_of "$T/out"); up=$(up_of "$T/out")
		cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="${up:-0}" \
			'BEGIN { printf "%.2f", n ? (b-a)/hz/n*1000 : 0 }')
		R[$hub.rate$g]=${rate:-0}; R[$hub.cpu$g]=$cpu
		echo "--- $hub, DH group $g"
		grep -E '^(sessions|setup|latency|failure)' "$T/out"
		echo "hub CPU: $cpu s per 1000 sessions (set-up, echo, teardown)"
	done
	hub_up $hub
	vpnload -n "$K" -r 100 -G 2 -k "$K" -l "$SIZE" -d 1 >/dev/null 2>&1   # warm-up
	c0=$(hub_ticks)
	vpnload -n "$K" -r 100 -G 2 -k "$K" -l "$SIZE" -d "$PUMP_SECONDS" >"$T/out" 2>&1
	c1=$(hub_ticks)
	hub_down $hub
	read -r pps mbit <<<"$(pps_of "$T/out")"
	# bytes through the hub: each echo crosses it twice (in and back out), payload counted
	gb=$(awk -v p="${pps:-0}" -v s="$SIZE" -v d="$PUMP_SECONDS" 'BEGIN { print p * s * 2 * d / 1e9 }')
	spg=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v g="$gb" 'BEGIN { printf "%.1f", (g > 0 ? (b-a)/hz/g : 0) }')
	R[$hub.pps]=${pps:-0}; R[$hub.mbit]=${mbit:-0}; R[$hub.spg]=$spg
	echo "--- $hub, ESP echoes through $K sessions, $SIZE-byte payload, $PUMP_SECONDS s"
	grep -E '^esp: (throughput|[0-9]+ sessions)' "$T/out"
	echo "hub CPU: $spg s per GB of payload through it"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "=== vpnd / strongSwan"
echo "set-up rate, group 2:  ${R[vpnd.rate2]} / ${R[strongswan.rate2]} per s = $(ratio "${R[vpnd.rate2]}" "${R[strongswan.rate2]}")"
echo "set-up rate, group 14: ${R[vpnd.rate14]} / ${R[strongswan.rate14]} per s = $(ratio "${R[vpnd.rate14]}" "${R[strongswan.rate14]}")"
echo "hub CPU per 1000 set-ups, group 14: ${R[vpnd.cpu14]} / ${R[strongswan.cpu14]} s = $(ratio "${R[vpnd.cpu14]}" "${R[strongswan.cpu14]}")"
echo "ESP echo throughput: ${R[vpnd.pps]} / ${R[strongswan.pps]} pkts/s = $(ratio "${R[vpnd.pps]}" "${R[strongswan.pps]}")"
echo "hub CPU per GB: ${R[vpnd.spg]} / ${R[strongswan.spg]} s = $(ratio "${R[vpnd.spg]}" "${R[strongswan.spg]}")"
