#!/bin/bash
# Easy VPN remote `connect acl NAME`, vpnd against vpnd (the seed's server example on the hub,
# the seed's client example on the client with `connect acl DIAL`):
#
#   vpnd_lan 10.3.1.10 -- lan0 [vpnd client] clout -- eth0 [vpnd hub] eth1 -- 10.2.1.10 vpnd_in
#
# DIAL permits ICMP from the client's inside network to 10.2.1.10 only. After start nothing
# dials (no IKE datagram leaves the client, state IDLE, the trap table there); traffic the list
# does not permit (ICMP to 10.2.1.1, UDP to 10.2.1.10) does not dial either; a ping to
# 10.2.1.10 does: the tunnel comes up, the trap goes, later pings pass. After `clear crypto
# ipsec client ezvpn` it waits again (no redial without traffic, the trap back) and matching
# traffic brings it up again. Forged IMSG_EZ_TRAFFIC (a taken-over tunmgr) for a name that is
# not a connect acl ezvpn is refused, logged once; one for the ezvpn while it is up changes
# nothing. A reload changing the list while waiting re-arms the trap with it; one to connect
# auto dials at once. A table left by kill -9 of tunmgr is swept at the next start; after a
# stop none is left.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin ip ping nft python3
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"
[ -x "$FORGE" ] || fail "$FORGE is missing (make check builds it)"

hst=$T/hub cst=$T/client
TRAP=vpnd-ezt-testvpn
dump() {
	echo "--- hub log" >&2; tail -20 "$hst/vpnd.log" >&2
	echo "--- client log" >&2; tail -40 "$cst/vpnd.log" >&2
	echo "--- client ruleset" >&2; cl nft list ruleset >&2
}
die() { dump; fail "$*"; }
ezshow() { "$VPNCTL" -S "$cst" show crypto ipsec client ezvpn; }
state_is() { ezshow | grep -q "^Current State: $1\$"; }
hub_sessions() { "$VPNCTL" -S "$hst" show crypto session --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(len(rows))'; }
hub_sessions_are() { [ "$(hub_sessions)" = "$1" ]; }
trap_there() { cl nft list table ip "$TRAP" >/dev/null 2>&1; }
# IKE datagrams the client sent: counted by a table of the test's own, not vpnd's
ike_out() { cl nft list counter ip ezacltest ike | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

cl nft -f - <<'EOF' || fail "the test's IKE counter"
table ip ezacltest {
	counter ike { }
	chain out { type filter hook output priority 0; policy accept; udp dport { 500, 4500 } counter name ike; }
}
EOF

{ sed -e 's/172\.18\.143\.23 /172.18.143.2 /' -e 's/^ connect manual$/ connect acl DIAL/' \
	"$SRCDIR/etc/seed-ezvpn-client.conf" | grep -v '^end$'
  printf 'ip access-list extended DIAL\n permit icmp 10.3.1.0 0.0.0.255 host 10.2.1.10\nend\n'; } \
	>"$T/client.conf"
grep -q "^ connect acl DIAL" "$T/client.conf" || fail "the client example's connect line moved"
cp "$T/client.conf" "$T/client-acl.conf"
cl "$VPND" -n -f "$T/client.conf" >"$T/check.out" 2>&1 || { cat "$T/check.out" >&2; fail "client config refused"; }
grep -q "connect acl" "$T/check.out" && { cat "$T/check.out" >&2; fail "connect acl still warned about"; }

vpnd_start "$SRCDIR/etc/seed-dvti.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"

# --- at start: waiting, nothing sent
wait_until 5 state_is IDLE || { ezshow >&2; die "connect acl: not IDLE after start"; }
wait_until 5 trap_there || die "no trap table $TRAP on the client"
sleep 4
state_is IDLE || { ezshow >&2; die "connect acl: left IDLE without traffic"; }
[ "$(ike_out)" = 0 ] || die "connect acl: $(ike_out) IKE datagrams left without traffic"
hub_sessions_are 0 || die "the hub has a session nobody asked for"
grep -q "ezvpn testvpn: waiting for traffic permitted by access list DIAL" "$cst/vpnd.log" ||
	die "no 'waiting for traffic' line in the client's log"
ezshow
pass "connect acl: 5 s after start no IKE datagram, state IDLE, the trap armed"

# --- traffic the list does not permit
lan ping -c2 -i 0.2 -W 1 10.2.1.1 >/dev/null 2>&1
lan bash -c 'for i in 1 2 3; do echo x >/dev/udp/10.2.1.10/9; done' 2>/dev/null
sleep 3
state_is IDLE || { ezshow >&2; die "traffic outside the access list dialled"; }
[ "$(ike_out)" = 0 ] || die "traffic outside the access list made $(ike_out) IKE datagrams"
pass "ICMP to 10.2.1.1 and UDP to 10.2.1.10 (outside DIAL) do not dial"

# --- matching traffic dials
dial() {   # WHAT: a ping DIAL permits brings the tunnel up; later pings pass
	local what=$1 t0 ms
	t0=$(date +%s%N)
	# caught by the trap (IOS drops it too); in the background, so its wait is not timed
	lan ping -c1 -W 1 10.2.1.10 >/dev/null 2>&1 &
	wait_until 20 state_is IPSEC_ACTIVE || { ezshow >&2; die "$what: not IPSEC_ACTIVE after matching traffic"; }
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait $!
	lan ping -c3 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "$what: pings do not pass once up"
	echo "$what: first matching packet to IPSEC_ACTIVE in $ms ms"
	wait_until 3 sh -c "! ip netns exec vpnd_cl nft list table ip $TRAP" ||
		die "$what: the trap stays while the tunnel is up"
	hub_sessions_are 1 || die "$what: the hub does not show one session"
}
dial "first dial"
grep -q "ezvpn testvpn: [0-9]* packets\? permitted by access list DIAL: connecting" "$cst/vpnd.log" ||
	die "no 'permitted by access list DIAL: connecting' line"
pass "a ping DIAL permits brings the tunnel up, the trap goes, pings pass"

# --- forged IMSG_EZ_TRAFFIC: the client's tunmgr taken over
forge_cl() { ( VPND_PID=$VPND_CL_PID FORGE_NS=vpnd_cl; forge tunmgr ikemgr "$@" ); }
name="forged traffic"
forge_cl ez-traffic nosuch
forge_cl ez-traffic nosuch
forge_cl ez-traffic testvpn      # up: not waiting, ignored
sleep 1
kill -0 "$VPND_CL_PID" || die "the client vpnd died of forged traffic messages"
n=$(grep -c "traffic for ezvpn 'nosuch' refused" "$cst/vpnd.log")
[ "$n" = 1 ] || die "forged traffic for an unknown ezvpn logged $n times, expected once"
state_is IPSEC_ACTIVE || die "a forged traffic message disturbed the active session"
[ "$(grep -c "ezvpn testvpn: connecting to" "$cst/vpnd.log")" = 1 ] ||
	die "a forged traffic message started a second attempt"
pass "forged traffic for an unknown ezvpn refused and logged once, for an active one ignored"

# --- clear: waits again, and dials again on traffic
n0=$(ike_out)
"$VPNCTL" -S "$cst" clear crypto ipsec client ezvpn || die "clear refused"
wait_until 5 state_is IDLE || { ezshow >&2; die "after clear: not IDLE"; }
wait_until 5 hub_sessions_are 0 || die "the hub kept the session after the clear"
wait_until 5 trap_there || die "the trap did not come back after the clear"
n1=$(ike_out)
sleep 4
state_is IDLE || die "after clear: dialled again without traffic"
[ "$(ike_out)" = "$n1" ] || die "after clear: IKE datagrams without traffic ($n1 -> $(ike_out))"
echo "IKE datagrams: $n0 before the clear, $n1 after its DELETEs"
pass "after clear the ezvpn waits for traffic again, the trap back"
dial "after clear"
pass "matching traffic brings it up again after the clear"

# --- a reload that changes the list while waiting: the trap follows it
"$VPNCTL" -S "$cst" clear crypto ipsec client ezvpn || die "clear refused"
wait_until 5 state_is IDLE || die "second clear: not IDLE"
wait_until 5 trap_there || die "second clear: no trap"
sed -i 's/^ permit icmp 10.3.1.0 0.0.0.255 host 10.2.1.10$/ permit icmp 10.3.1.0 0.0.0.255 host 10.2.1.1/' "$T/client.conf"
"$VPNCTL" -S "$cst" reload >/dev/null || die "reload refused"
wait_until 5 sh -c "ip netns exec vpnd_cl nft list table ip $TRAP | grep -q 'daddr 10.2.1.1 '" ||
	die "the trap did not follow the reloaded access list"
lan ping -c2 -i 0.2 -W 1 10.2.1.10 >/dev/null 2>&1
sleep 3
state_is IDLE || die "after the reload traffic the list no longer permits dialled"
lan ping -c1 -W 1 10.2.1.1 >/dev/null 2>&1
wait_until 20 state_is IPSEC_ACTIVE || { ezshow >&2; die "after the reload the new list's traffic did not dial"; }
pass "a reload changing the access list re-arms the trap with the new entries"

# --- waiting, reloaded to connect auto: it dials by itself and the trap goes for good
"$VPNCTL" -S "$cst" clear crypto ipsec client ezvpn || die "third clear refused"
wait_until 5 state_is IDLE && wait_until 5 trap_there || die "third clear: not waiting"
sed -i 's/^ connect acl DIAL$/ connect auto/' "$T/client.conf"
"$VPNCTL" -S "$cst" reload >/dev/null || die "reload to connect auto refused"
wait_until 20 state_is IPSEC_ACTIVE || { ezshow >&2; die "reloaded to connect auto, it still waits"; }
trap_there && die "connect auto keeps a trap"
pass "a waiting ezvpn reloaded to connect auto dials at once, the trap gone"

# --- kill -9 of tunmgr while waiting leaves the table; the next start (connect auto now)
# sweeps it
kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; VPND_CL_PID=
vpnd_start_cl "$T/client-acl.conf" "$cst"
wait_until 5 trap_there || die "restarted with connect acl: no trap"
tp=$(VPND_PID=$VPND_CL_PID role_pid tunmgr) || die "no tunmgr in the client"
kill -KILL "$tp"
wait_until 10 sh -c "! kill -0 $VPND_CL_PID 2>/dev/null" || die "kill -9 of tunmgr: vpnd still runs"
wait "$VPND_CL_PID" 2>/dev/null; VPND_CL_PID=
trap_there || die "kill -9: the trap table went with tunmgr, the sweep is not tested"
vpnd_start_cl "$T/client.conf" "$cst"
grep -q "nftables: table $TRAP removed" "$cst/vpnd.log" || die "the trap left by the crash: no sweep line"
trap_there && die "the table a killed tunmgr left was not swept at the next start"
wait_until 20 state_is IPSEC_ACTIVE || die "after the crash: connect auto did not come up"
pass "a trap table left by kill -9 of tunmgr is swept at the next start"

# --- stop: no trap left
kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; rc=$?; VPND_CL_PID=
[ "$rc" = 0 ] || die "the client vpnd exited with status $rc"
grep -q "runtime error\|AddressSanitizer" "$cst/vpnd.log" && die "sanitizer reports in the client's log"
cl nft list tables | grep -q "vpnd-ez" && { cl nft list tables >&2; die "tables left after the stop"; }
pass "nothing left in nftables after the stop"
vpnd_stop "$hst"
