#!/bin/bash
# Fault tests (issue 3): 100 vpnc clients connecting at once (distinct addresses and
# interfaces, none refused by the half-open bounds); a client killed with SIGKILL is found by
# DPD on-demand once traffic goes to it, and its session, interface and route are removed;
# max-logins refuses a second login of the same user with a clear message; the hub restarted
# while clients are up: after SIGTERM and after kill -9 no interface is left behind, vpnc
# clients reconnect, and a strongSwan client with dpd_action=restart comes back on its own.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
for tool in vpnc swanctl ip python3 ping; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
swan_require

N=${FAULT_CLIENTS:-100}
T=$(mktemp -d /tmp/vpnd-test.XXXXXX)
PIDS=()
stop_clients() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		wait_until 5 sh -c "! kill -0 $p 2>/dev/null" || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
cleanup() {
	stop_clients
	swan_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"

st=$T/hub
CONF=$SRCDIR/test/data/hub-fault.conf
die() { grep -vE "debug|warning: '" "$st/vpnd.log" | tail -25 >&2; fail "$*"; }
vas() { hub ip -o link show | grep -c ' va[0-9]*[@:]'; }
live() { "$VPNCTL" -S "$st" sql "SELECT count(*) FROM sessions WHERE ended IS NULL" | tail -1; }

# start_clients FROM TO: vpnc number FROM..TO at once, each from its own random port
start_clients() {
	local i
	for i in $(seq "$1" "$2"); do
		vpnc_start "$T/c$i" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
			natt=none port=0 wait=0
		PIDS+=("$VPNC_PID")
	done
}
# wait_clients FROM TO SECONDS: every one has run its connect script
wait_clients() {
	local i n t0=$(date +%s)
	while :; do
		n=0
		for i in $(seq "$1" "$2"); do [ -f "$T/c$i/up" ] && n=$((n + 1)); done
		[ "$n" = $(($2 - $1 + 1)) ] && return 0
		[ $(($(date +%s) - t0)) -ge "$3" ] && { echo "$n of $(($2 - $1 + 1)) clients up" >&2; return 1; }
		sleep 0.5
	done
}

echo "=== $N vpnc clients at once"
vpnd_start "$CONF" "$st"
t0=$(date +%s%N)
start_clients 1 "$N"
wait_clients 1 "$N" 90 || die "not every client connected"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait_until 10 sh -c "[ \$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]*[@:]') = $N ]" ||
	die "$(vas) interfaces for $N clients"
[ "$(live)" = "$N" ] || die "$(live) live sessions for $N clients"
d=$("$VPNCTL" -S "$st" sql "SELECT count(DISTINCT assigned_addr) || ' ' || count(DISTINCT ifname) FROM sessions WHERE ended IS NULL" | tail -1)
[ "$d" = "$N $N" ] || die "addresses/interfaces not distinct: $d"
grep -qE "half-open|rate limit|rate-limited" "$st/vpnd.log" && grep -E "half-open|rate" "$st/vpnd.log" | head -3 >&2
for i in 1 $((N / 2)) "$N"; do
	. "$T/c$i/up"
	cl ping -c 1 -w 5 -I "$tundev" 10.2.1.10 >/dev/null || die "client $i ($address on $tundev) cannot ping"
done
pass "$N clients connected in $ms ms: $N distinct addresses and interfaces, pings through clients 1, $((N / 2)), $N"

# ip access-group vpnin in (template): the inside host's second address is denied
inh ip addr add 10.2.1.11/24 dev inhost || die "cannot add 10.2.1.11 to the inside host"
. "$T/c1/up"
cl ping -c 2 -i 0.2 -w 3 -I "$tundev" 10.2.1.11 >/dev/null 2>&1 && die "access list vpnin let a ping to 10.2.1.11 through"
cl ping -c 1 -w 5 -I "$tundev" 10.2.1.10 >/dev/null || die "access list vpnin blocked 10.2.1.10"
grep -q "denied by access list vpnin" "$st/vpnd.log" || die "no log line for the denied packets"
pass "ip access-group vpnin in: pings to 10.2.1.11 dropped (logged), 10.2.1.10 reachable"

echo "=== a client killed with SIGKILL: DPD on-demand"
. "$T/c2/up"; dead=$address
va_dead=$("$VPNCTL" -S "$st" sql "SELECT ifname FROM sessions WHERE ended IS NULL AND assigned_addr='$dead'" | tail -1)
[ -n "$va_dead" ] || die "no interface for $dead"
kill -KILL "${PIDS[1]}"
# idle tunnel: on-demand sends nothing until there is traffic for the client
sleep 13
grep -q "declared dead" "$st/vpnd.log" && die "DPD on-demand probed an idle tunnel"
inh ping -c 30 -i 1 -W 1 "$dead" >/dev/null 2>&1 &
pinger=$!
wait_until 40 grep -q "peer did not answer DPD, declared dead" "$st/vpnd.log" || die "dead client not detected"
kill "$pinger" 2>/dev/null; wait "$pinger" 2>/dev/null
wait_until 5 sh -c "! ip netns exec vpnd_hub ip link show $va_dead" 2>/dev/null || die "$va_dead left after DPD"
hub ip route show | grep -q "^$dead " && die "route to $dead left after DPD"
"$VPNCTL" -S "$st" sql "SELECT end_reason FROM sessions WHERE assigned_addr='$dead'" | grep -qx DPD ||
	die "session of $dead not ended with reason DPD"
[ "$(live)" = $((N - 1)) ] || die "$(live) live sessions after one death"
pass "killed client $dead found by DPD after traffic went to it: session (reason DPD), $va_dead and route removed"

echo "=== max-logins 1 (group solo)"
vpnc_start "$T/solo1" group=solo secret=S0loGroupKey user=alice password=Up55aaSecret natt=none port=0 ||
	die "first login of alice in group solo refused"
PIDS+=("$VPNC_PID")
vpnc_start "$T/solo2" group=solo secret=S0loGroupKey user=alice password=Up55aaSecret natt=none port=0 wait=12 &&
	die "second login of alice in group solo accepted"
PIDS+=("$VPNC_PID")
grep -q "user 'alice' has reached max-logins 1" "$st/vpnd.log" || die "no max-logins message"
pass "second login of alice in group solo refused: $(grep -o "user 'alice' has reached max-logins 1" "$st/vpnd.log" | head -1)"

echo "=== hub restart (SIGTERM) with clients up"
stop_clients
start_clients 1 20
wait_clients 1 20 30 || die "20 clients did not connect"
swan_start "$T/swan" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	ike=aes256-sha1-modp1024 esp=aes256-sha1 dpd_delay=5s dpd_action=restart close_action=restart \
	conn_extra="dpd_timeout = 10s
		keyingtries = 0" || die "charon did not start"
swan_up 20 || die "charon did not connect"
vpnd_stop "$st"
[ "$(vas)" = 0 ] || die "$(vas) interfaces left after SIGTERM"
"$VPNCTL" -S "$st" sql "SELECT count(*) FROM sessions WHERE ended IS NULL" | tail -1 | grep -qx 0 || die "sessions left open"
wait_until 10 sh -c 'for f in '"$T"'/c{1..20}/up; do [ ! -f $f ] || exit 1; done' || die "vpnc clients did not see the DELETE"
vpnd_start "$CONF" "$st"
stop_clients
start_clients 1 20
wait_clients 1 20 30 || die "vpnc clients did not reconnect after the restart"
wait_until 60 sh -c "[ \"\$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]*[@:]')\" = 21 ]" ||
	die "$(vas) interfaces after the restart, expected 20 vpnc + charon"
pass "SIGTERM restart: nothing left behind; 20 vpnc clients reconnected, charon came back by itself ($(vas) interfaces)"

echo "=== hub killed with SIGKILL with clients up"
kill -KILL "$VPND_PID"; wait "$VPND_PID" 2>/dev/null; VPND_PID=
wait_until 5 sh -c "[ \$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]*[@:]') = 0 ]" || die "$(vas) interfaces left after kill -9"
# the children go too (each logs its lost parent): only then may a new run take the log file
wait_until 5 sh -c '[ -z "$(ip netns pids vpnd_hub)" ]' || die "vpnd processes left 5 s after kill -9"
vpnd_start "$CONF" "$st"
grep -q "closed [1-9][0-9]* stale sessions" "$st/vpnd.log" || die "open sessions of the killed run not closed at start"
stop_clients
start_clients 1 5
wait_clients 1 5 30 || die "vpnc clients did not reconnect after kill -9"
wait_until 90 sh -c "[ \"\$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]*[@:]')\" = 6 ]" ||
	die "$(vas) interfaces after kill -9 and restart, expected 5 vpnc + charon"
pass "kill -9 restart: no interface left, stale sessions closed, clients back ($(vas) interfaces)"

stop_clients
swan_stop
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "fault scenarios passed"
