#!/bin/bash
# Conditional crypto debug with two real vpnc clients (alice from 172.18.143.2, bob from
# 172.18.143.3): debug crypto isakmp + debug crypto condition username alice shows alice's
# exchange lines and none of bob's; unmatched adds the lines that carry no user yet; a peer
# condition selects by address; undebug all silences everything; bad input is refused.
# Also the control socket's access: root and the members of `control-socket group nogroup`.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
for tool in vpnc ip; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (README's test command does)"
done

T=$(mktemp -d /tmp/vpnd-debug.XXXXXX)
A_PID= B_PID=
cleanup() {
	for p in $A_PID $B_PID; do kill -KILL "$p" 2>/dev/null; done
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"
cl ip addr add 172.18.143.3/24 dev clout || fail "second client address"

# hub-aes.conf with a second user
sed '/^username alice /a username bob password 0 B0bSecret' "$SRCDIR/test/data/hub-aes.conf" >"$T/hub.conf"
grep -q '^username bob ' "$T/hub.conf" || fail "could not add bob to the test config"
echo "control-socket group nogroup" >>"$T/hub.conf"
sed -i '/^end$/d' "$T/hub.conf"

ctl() { "$VPNCTL" -S "$T/st" "$@"; }
LOG=$T/st/vpnd.log
# debug lines of one kind: dbg_count PATTERN (extended regexp on "debug: ..." lines)
dbg_count() { grep -E "debug: $1" "$LOG" | wc -l; }
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(( $1 + 1 ))" "$LOG"; }

start_alice() {
	vpnc_start "$T/alice" user=alice password=Up55aaSecret secret=Gk7f3a9c2eSecret \
		laddr=172.18.143.2 ifname=tuna "$@" || { tail -30 "$LOG" >&2; fail "alice did not connect"; }
	A_PID=$VPNC_PID
}
start_bob() {
	vpnc_start "$T/bob" user=bob password=B0bSecret secret=Gk7f3a9c2eSecret \
		laddr=172.18.143.3 ifname=tunb "$@" || { tail -30 "$LOG" >&2; fail "bob did not connect"; }
	B_PID=$VPNC_PID
}
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait_until 5 sh -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# production log: no -d, so every debug line below comes from the operator's commands
VPND_FLAGS= vpnd_start "$T/hub.conf" "$T/st"
[ "$(dbg_count 'ISAKMP')" = 0 ] || fail "ISAKMP debug lines without debug crypto isakmp"

ctl debug crypto isakmp | grep -q "Crypto ISAKMP debugging is on" || fail "debug crypto isakmp not acknowledged"
ctl debug crypto condition username alice || fail "debug crypto condition username alice refused"
ctl show crypto debug-condition >"$T/cond.txt" || fail "show crypto debug-condition"
grep -q "turned ON" "$T/cond.txt" && grep -qx "  alice" "$T/cond.txt" \
	|| { cat "$T/cond.txt" >&2; fail "show crypto debug-condition lacks alice"; }
ctl --json show crypto debug-condition | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["conditional"] and d["username"] == ["alice"] and not d["unmatched"], d
' || fail "show crypto debug-condition --json"
ctl show debugging | grep -q "Crypto ISAKMP debugging is on" || fail "show debugging"
pass "debug crypto isakmp with condition username alice set and shown"

start_alice
start_bob
pass "alice and bob connected"
sleep 0.5
na=$(dbg_count 'ISAKMP: \[peer 172\.18\.143\.2 user alice')
nb=$(dbg_count 'ISAKMP: .*user bob')
nu=$(dbg_count 'ISAKMP: \[peer [0-9.]+( group [^ ]+)?\]')
[ "$na" -ge 5 ] || { grep "debug:" "$LOG" >&2; fail "only $na debug lines of alice's exchanges"; }
[ "$nb" = 0 ] || { grep "debug:" "$LOG" >&2; fail "$nb debug lines of bob's despite the condition"; }
[ "$nu" = 0 ] || fail "$nu lines without a user shown without 'unmatched'"
dbg_count 'ISAKMP: .*quick mode complete' | grep -qv '^0$' || fail "alice's quick mode not in the debug lines"
[ "$(dbg_count 'IPSEC')" = 0 ] || fail "IPSEC lines while only isakmp is on"
pass "condition username alice: $na lines of alice's exchanges, none of bob's"

# unmatched: lines that carry no user yet (main part of phase 1) show too, bob's later ones not
ctl debug crypto condition unmatched || fail "unmatched refused"
stop_pid "$B_PID"; B_PID=
m=$(mark)
start_bob
sleep 0.5
since "$m" | grep -qE 'debug: ISAKMP: \[peer 172\.18\.143\.3( group [^ ]+)?\]' \
	|| { since "$m" >&2; fail "unmatched: bob's lines before XAUTH not shown"; }
since "$m" | grep -q 'debug: ISAKMP: .*user bob' && fail "unmatched: bob's lines after XAUTH shown"
pass "condition unmatched adds bob's lines from before XAUTH, not his later ones"

# reset, then a peer condition selects bob by address, with ipsec debugging on
ctl debug crypto condition reset || fail "reset refused"
ctl show crypto debug-condition | grep -q "turned OFF" || fail "conditions left after reset"
ctl debug crypto condition peer ipv4 172.18.143.3 || fail "peer ipv4 condition refused"
ctl debug crypto ipsec | grep -q "Crypto IPSEC debugging is on" || fail "debug crypto ipsec"
stop_pid "$B_PID"; B_PID=
m=$(mark)
start_bob
sleep 0.5
since "$m" | grep -q 'debug: ISAKMP: \[peer 172\.18\.143\.3 user bob' || fail "peer ipv4: bob's lines missing"
since "$m" | grep -q 'debug: IPSEC: \[peer 172\.18\.143\.3 spi 0x' || fail "peer ipv4: bob's IPSEC SA lines missing"
since "$m" | grep -q 'debug: .*172\.18\.143\.2' && fail "peer ipv4 172.18.143.3 let alice's lines through"
pass "condition peer ipv4 172.18.143.3: bob's ISAKMP and IPSEC lines, none of alice's"

# no debug crypto condition removes one; undebug all silences everything
ctl no debug crypto condition peer ipv4 172.18.143.3 || fail "no debug crypto condition"
ctl no debug crypto condition peer ipv4 172.18.143.3 | grep -q "No such condition" || fail "a removed condition removed again"
ctl undebug all | grep -q "turned off" || fail "undebug all"
ctl show debugging | grep -q "no crypto debugging is on" || fail "show debugging after undebug all"
stop_pid "$A_PID"; A_PID=
m=$(mark)
start_alice
sleep 0.5
since "$m" | grep -q 'debug:' && fail "debug lines after undebug all"
pass "undebug all: no debug lines"

# error-only: a datagram from a peer that has no SA is an ISAKMP error line
ctl debug crypto isakmp error | grep -q "Crypto ISAKMP Error debugging is on" || fail "debug crypto isakmp error"
stop_pid "$B_PID"; B_PID=
m=$(mark)
start_bob
sleep 0.5
since "$m" | grep -q 'debug: ISAKMP: .*received packet' && fail "error-only debugging printed ordinary lines"
pass "debug crypto isakmp error: no ordinary exchange lines"

# bad input: one '%' line, exit status 1
for bad in "debug crypto condition peer ipv4 300.1.1.1" "debug crypto condition peer subnet 10.0.0.0 255.0.255.0" \
	"debug crypto condition spi zero" "debug crypto condition frobnicate" "debug crypto isakmp loud"; do
	# shellcheck disable=SC2086
	out=$(ctl $bad 2>&1) && fail "'$bad' accepted"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && case "$out" in %*) ;; *) false;; esac \
		|| fail "'$bad': not one '%' line: $out"
done
pass "bad debug commands refused with one line each"

# control-socket group nogroup: its members get in (primary or supplementary group), others not
chmod 0711 "$T"
as() { local u=$1 g=$2; shift 2; setpriv --reuid="$u" --regid="$g" "$@"; }
[ "$(stat -c '%a %U %G' "$T/st/vpnd.sock")" = "660 root nogroup" ] || fail "socket is $(stat -c '%a %U %G' "$T/st/vpnd.sock")"
out=$(as nobody nogroup --clear-groups "$VPNCTL" -S "$T/st" ping 2>&1) && [ "${out%% *}" = pong ] \
	|| fail "member of nogroup (primary) refused: $out"
out=$(as daemon daemon --groups=nogroup "$VPNCTL" -S "$T/st" show debugging 2>&1) \
	|| fail "member of nogroup (supplementary) refused: $out"
out=$(as daemon daemon --clear-groups "$VPNCTL" -S "$T/st" ping 2>&1) && fail "non-member got in: $out"
case "$out" in *"permission denied"*|*"Permission denied"*) ;; *) fail "non-member: $out";; esac
pass "control-socket group nogroup: members in (primary and supplementary), others refused"

stop_pid "$A_PID"; A_PID=
stop_pid "$B_PID"; B_PID=
vpnd_stop "$T/st"
grep -q "protocol error" "$LOG" && fail "protocol error in the log"
exit 0
