#!/bin/bash
# vpnload (bench/vpnload: the project's own IKEv1 initiator, ikemgr/ikev1_init*.c) against the
# hub: VPNLOAD_N sessions (300) from as many source addresses, each must come up and get an ICMP
# echo back through its own ESP SA from the host behind the hub; the hub must show them all
# (sessions, rows, vaN interfaces) and none after vpnload's DELETEs. Raw ESP with DH group 2,
# then UDP-encapsulated ESP (NAT-T forced by a faked NAT-D) with DH group 14 and a short ESP
# pump through a few sessions. Speed is bench/vpnload.sh's business, not this test's.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
VPNLOAD=${VPNLOAD:-./bench/vpnload}
N=${VPNLOAD_N:-300}
[ -x "$VPNLOAD" ] || fail "$VPNLOAD is missing: build it (make builds bench/vpnload)"
for tool in ip; do
	command -v "$tool" >/dev/null || fail "$tool is missing"
done

T=$(mktemp -d /tmp/vpnd-test.XXXXXX)
cleanup() {
	[ -n "${VL_PID:-}" ] && kill -KILL "$VL_PID" 2>/dev/null
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"
t0=$SECONDS

# Many sources: 10.99.0.0/16 is local in the client namespace (AnyIP) and routed back by the hub.
cl ip route add local 10.99.0.0/16 dev lo || fail "AnyIP route"
hub ip route add 10.99.0.0/16 via 172.18.143.2 || fail "hub route to the sources"

vas() { hub ip -o link show | grep -c ' va[0-9]'; }
open_rows() { "$VPNCTL" -S "$1" sql "SELECT count(*) FROM sessions WHERE ended IS NULL" | tail -1; }
# for wait_until, which runs a command again and again: the counts must be taken each time
vas_are() { [ "$(vas)" = "$1" ]; }
rows_are() { [ "$(open_rows "$1")" = "$2" ]; }

# run NAME DHGROUP NATT-MODE RATE [extra vpnload options]
run() {
	local name=$1 grp=$2 natt=$3 rate=$4; shift 4
	local st=$T/$name
	echo "=== $name: $N sessions, DH group $grp, NAT-T $natt, $rate/s"
	VPND_FLAGS= vpnd_start "$SRCDIR/test/data/hub-vpnload.conf" "$st"
	ip netns exec vpnd_cl "$VPNLOAD" -a 172.18.143.246 -g loadgroup -K L0adGroupKey -u load \
		-p L0adTestPass -n "$N" -r "$rate" -s 10.99.0.0/16 -G "$grp" -N "$natt" -T 20 \
		-t 10.2.1.10 -H 30 -W "$st/release" "$@" >"$st/vpnload.out" 2>&1 &
	VL_PID=$!
	# while vpnload holds the sessions: the hub shows every one of them
	wait_until 40 grep -q "^sessions:" "$st/vpnload.out" ||
		{ cat "$st/vpnload.out"; tail -20 "$st/vpnd.log"; fail "$name: vpnload did not finish its set-ups"; }
	cat "$st/vpnload.out"
	grep -q "^sessions: $N requested, $N up, 0 failed, $N passed an echo$" "$st/vpnload.out" ||
		{ tail -20 "$st/vpnd.log"; fail "$name: not every session came up with an echo through it"; }
	pass "$name: $N sessions up from $N addresses, each passed an ICMP echo through its ESP SA"
	local rows sess_n va_n
	wait_until 5 rows_are "$st" "$N"
	rows=$(open_rows "$st")
	sess_n=$("$VPNCTL" -S "$st" show crypto session | grep -c '^Interface: Virtual-Access')
	va_n=$(vas)
	[ "$rows" = "$N" ] && [ "$sess_n" = "$N" ] && [ "$va_n" = "$N" ] ||
		fail "$name: hub shows $rows open rows, $sess_n sessions, $va_n vaN interfaces; want $N each"
	pass "$name: hub shows $N open sessions, $N rows and $N vaN interfaces"
	touch "$st/release"
	wait "$VL_PID"
	local rc=$?
	VL_PID=
	cat "$st/vpnload.out" | sed -n '/^esp:/p;/^teardown:/p;/^cpu: total/p'
	[ "$rc" = 0 ] || fail "$name: vpnload exited with $rc"
	grep -q "^teardown: DELETE sent for $N sessions" "$st/vpnload.out" || fail "$name: not every DELETE sent"
	wait_until 20 vas_are 0 || fail "$name: $(vas) vaN interfaces left after DELETE"
	wait_until 5 rows_are "$st" 0 || fail "$name: $(open_rows "$st") rows still open after DELETE"
	[ "$("$VPNCTL" -S "$st" show crypto session | grep -c '^Interface:')" = 0 ] ||
		fail "$name: sessions still shown after DELETE"
	pass "$name: after DELETE no interface, no open row, no session"
	vpnd_stop "$st"
}

run rawesp 2 none 100
run natt14 14 force 100 -k 10 -d 2 -l 256
grep -q "^esp: 10 sessions, UDP 4500, 256-byte payload" "$T/natt14/vpnload.out" || fail "natt14: no ESP pump"
back=$(grep -o '[0-9.]*% back' "$T/natt14/vpnload.out" | head -1 | cut -d. -f1)
[ -n "$back" ] && [ "$back" -ge 50 ] || fail "natt14: less than half of the pumped echoes came back"
pass "natt14: ESP pump through 10 sessions, most echoes back"
echo "all vpnload checks passed in $((SECONDS - t0)) s (after the namespace lock)"
