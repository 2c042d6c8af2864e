#!/bin/bash
# Easy VPN remote, vpnd against vpnd: the seed's DVTI Easy VPN server example on the hub and the
# seed's Easy VPN client example on the client, each with only its addresses changed to the
# test topology's (the client's outside address is 172.18.143.2 here, not .23).
#
#   vpnd_lan 10.3.1.10 -- lan0 [vpnd client, FastEthernet0/1 / FastEthernet0/0] clout
#        -- eth0 [vpnd hub] eth1 -- 10.2.1.10 vpnd_in
#
# connect manual: nothing happens until the operator connects. Then the client's inside host
# pings and moves iperf3 traffic both ways to the hub's inside host, NATed behind the Mode
# Config address (client mode); show crypto ipsec client ezvpn reads as in the seed; clear
# takes the session down on both sides; the hub restarts and the client connects again. The
# same with connect auto: the client dials by itself, and again after the hub restarts.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin iperf3 ip ping nft
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

hst=$T/hub
cst=$T/client
sed 's/172\.18\.143\.23 /172.18.143.2 /' "$SRCDIR/etc/seed-ezvpn-client.conf" >"$T/client.conf"
grep -q "ip address 172.18.143.2 255.255.255.0" "$T/client.conf" ||
	fail "the client example's outside address was not where the test expects it"

dump() {
	echo "--- hub log" >&2; tail -25 "$hst/vpnd.log" >&2
	echo "--- client log" >&2; tail -40 "$cst/vpnd.log" >&2
	echo "--- client routes and rules" >&2
	cl ip route >&2; cl nft list ruleset >&2
}
die() { dump; fail "$*"; }
ezshow() { "$VPNCTL" -S "$cst" show crypto ipsec client ezvpn "$@"; }
ezstate() { ezshow | sed -n 's/^Current State: //p'; }
hub_sessions() { "$VPNCTL" -S "$hst" show crypto session --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(len(rows))'; }
state_is() { [ "$(ezstate)" = "$1" ]; }
hub_sessions_are() { [ "$(hub_sessions)" = "$1" ]; }

vpnd_start "$SRCDIR/etc/seed-dvti.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"

inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!

# --- connect manual
wait_until 5 state_is CONNECT_REQUIRED ||
	{ ezshow >&2; die "connect manual: expected CONNECT_REQUIRED before the operator connects"; }
sleep 1
[ "$(hub_sessions)" = 0 ] || die "connect manual dialled by itself"
pass "connect manual waits for the operator"

connect_and_check() {
	local what=$1 t0
	t0=$(date +%s%N)
	wait_until 20 state_is IPSEC_ACTIVE ||
		{ ezshow >&2; die "$what: the ezvpn did not become IPSEC_ACTIVE"; }
	lan ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null ||
		die "$what: no ping from the client's inside host to the hub's inside host"
	echo "$what: up and first ping after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

"$VPNCTL" -S "$cst" crypto ipsec client ezvpn connect testvpn || die "vpnctl connect refused"
connect_and_check "manual connect"

# what the client shows, as the seed does
out=$(ezshow)
echo "$out"
for want in "Tunnel name : testvpn" "Inside interface list: FastEthernet0/1" \
	"Current State: IPSEC_ACTIVE" "Address: 192.168.1.1" "Current EzVPN Peer: 172.18.143.246"; do
	echo "$out" | grep -qF "$want" || die "show crypto ipsec client ezvpn lacks '$want'"
done
echo "$out" | grep -Eq "^Outside interface: Virtual-Access[0-9]+ \(bound to FastEthernet0/0\)" ||
	die "show crypto ipsec client ezvpn: no 'Outside interface: Virtual-AccessN (bound to FastEthernet0/0)'"
va=$(cl ip -o link show | sed -n 's/^[0-9]*: \(va[0-9]*\)[:@].*/\1/p' | head -1)
[ -n "$va" ] || die "no vaN interface on the client"
cl ip -o addr show dev "$va" | grep -q "192.168.1.1/32" || die "$va lacks the Mode Config address"

# the initiated session in the client's own session shows, as the hub's are in its
cs=$("$VPNCTL" -S "$cst" show crypto session detail); echo "$cs"
echo "$cs" | grep -q "172.18.143.246" || die "the client's show crypto session lacks its server"
echo "$cs" | grep -qF "IPSEC FLOW: permit ip host 192.168.1.1 0.0.0.0/0.0.0.0" ||
	die "the client's show crypto session: not its address to anything"
# we initiated: the server is dst (the responder), we are src, as IOS prints it
"$VPNCTL" -S "$cst" show crypto isakmp sa | grep -Eq "^172\.18\.143\.246 +172\.18\.143\.2 +QM_IDLE" ||
	die "the client's show crypto isakmp sa lacks the QM_IDLE SA with its server as dst"
"$VPNCTL" -S "$hst" show crypto isakmp sa | grep -Eq "^172\.18\.143\.246 +172\.18\.143\.2 +QM_IDLE" ||
	die "the hub's show crypto isakmp sa lacks the client's SA with itself as dst"
csa=$("$VPNCTL" -S "$cst" show crypto ipsec sa)
echo "$csa" | grep -q "current_peer 172.18.143.246" ||
	die "the client's show crypto ipsec sa lacks its SAs"
echo "$csa" | grep -qF "local  ident (addr/mask/prot/port): (192.168.1.1/255.255.255.255/0/0)" ||
	{ echo "$csa" >&2; die "the client's show crypto ipsec sa: its local ident is not its pushed address"; }
rc=$("$VPNCTL" -S "$cst" show running-config interface "Virtual-Access${va#va}") ||
	die "show running-config interface Virtual-Access${va#va} failed on the client"
echo "$rc"
echo "$rc" | grep -q "^ ip address 192.168.1.1 255.255.255.255" || die "the client's Virtual-Access lacks its pushed address"
echo "$rc" | grep -q "^ tunnel destination 172.18.143.246" || die "the client's Virtual-Access lacks its server"
echo "$rc" | grep -q "no tunnel protection ipsec initiate" && die "the client's Virtual-Access says it does not initiate"

# the hub sees one session, user cisco from the client's outside address
hs=$("$VPNCTL" -S "$hst" show crypto session detail)
echo "$hs" | grep -q "172.18.143.2" || { echo "$hs" >&2; die "the hub shows no session from the client"; }

# traffic from the inside host leaves NATed behind the Mode Config address (client mode)
lan timeout 60 iperf3 -c 10.2.1.10 -t 2 -J >"$T/up.json" || die "iperf3 from the client's inside host failed"
lan timeout 60 iperf3 -c 10.2.1.10 -t 2 -R -J >"$T/down.json" || die "iperf3 -R failed"
for d in up down; do
	mbit=$(python3 -c "import json; j=json.load(open('$T/$d.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
	[ "$mbit" -gt 0 ] || die "iperf3 $d moved nothing"
	echo "iperf3 $d through the ezvpn tunnel: $mbit Mbit/s"
done
grep -q "Accepted connection from 192.168.1.1" "$T/iperf.log" ||
	{ cat "$T/iperf.log" >&2; die "the hub's inside host did not see the Mode Config address (no NAT?)"; }
pass "client mode: the inside network is NATed behind 192.168.1.1"

# the client host itself is sourced from the Mode Config address, as IOS does
cl ping -c1 -w 5 10.2.1.10 >/dev/null || die "the client host cannot reach the hub's inside host"
cl ip route get 10.2.1.10 | grep -q "src 192.168.1.1" || die "the client's own traffic is not sourced from 192.168.1.1"

# clear: both sides let go; manual waits again
"$VPNCTL" -S "$cst" clear crypto ipsec client ezvpn || die "clear refused"
wait_until 5 state_is CONNECT_REQUIRED ||
	die "after clear the ezvpn is not CONNECT_REQUIRED"
wait_until 5 hub_sessions_are 0 ||
	die "the hub kept the session after the client's clear"
cl ip -o link show | grep -q " va[0-9]*:" && die "the client kept its vaN after clear"
cl nft list ruleset | grep -q "snat" && die "the client kept its NAT rule after clear"
pass "clear takes the session down on both sides"

# the hub restarts: the client hears its DELETE and connects again when told
"$VPNCTL" -S "$cst" crypto ipsec client ezvpn connect testvpn || die "vpnctl connect refused"
connect_and_check "second connect"
vpnd_stop "$hst"
wait_until 5 state_is CONNECT_REQUIRED ||
	{ ezshow >&2; die "the client did not notice the hub going away"; }
vpnd_start "$SRCDIR/etc/seed-dvti.conf" "$hst"
"$VPNCTL" -S "$cst" crypto ipsec client ezvpn connect || die "vpnctl connect (no name) refused"
connect_and_check "after the hub restarted"
pass "connect manual: the client connects again after the hub restarted"

# --- connect auto: dials by itself, and again after the hub restarts
kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; VPND_CL_PID=
sed 's/^ connect manual$/ connect auto/' "$T/client.conf" >"$T/client-auto.conf"
vpnd_start_cl "$T/client-auto.conf" "$cst"
connect_and_check "connect auto"
vpnd_stop "$hst"
vpnd_start "$SRCDIR/etc/seed-dvti.conf" "$hst"
connect_and_check "connect auto after the hub restarted"
pass "connect auto: the client dials by itself and again after the hub restarted"

# --- rekeys under traffic: the client renews its SA pair every ~15 MB (three quarters of a
# 20,000 KB lifetime), the flow carries on, the old pairs go on both sides
kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; VPND_CL_PID=
{ cat "$T/client-auto.conf"; echo "crypto ipsec security-association lifetime kilobytes 20000"; } |
	grep -v '^end$' >"$T/client-rekey.conf"
vpnd_start_cl "$T/client-rekey.conf" "$cst"
connect_and_check "connect auto, short lifetime"
lan timeout 60 iperf3 -c 10.2.1.10 -n 100M -J >"$T/rekey.json" || die "iperf3 across rekeys failed"
mbit=$(python3 -c "import json; j=json.load(open('$T/rekey.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
n=$(grep -c "replaced by" "$cst/vpnd.log")
echo "iperf3 across $n rekeys: $mbit Mbit/s"
[ "$n" -ge 2 ] || die "expected at least two rekeys in 100 MB of traffic, saw $n"
[ "$mbit" -gt 0 ] || die "no traffic across the rekeys"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping after the rekeys"
# the hub holds one SA pair for the session once the old ones are deleted
sas=$("$VPNCTL" -S "$hst" show crypto ipsec sa --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(len(rows))')
[ "$sas" -le 2 ] || die "the hub keeps $sas SA pairs after the rekeys (old ones not deleted)"
pass "rekeys started by the client under traffic, old pairs deleted"

# --- rekeys started by the hub: its lifetime (20,000 KB) is shorter than the client's, so it
# renews first; the client answers within its own offers and the flow carries on
kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; VPND_CL_PID=
vpnd_stop "$hst"
{ grep -v '^end$' "$SRCDIR/etc/seed-dvti.conf"; echo "crypto ipsec security-association lifetime kilobytes 20000"; } >"$T/hub-rekey.conf"
vpnd_start "$T/hub-rekey.conf" "$hst"
vpnd_start_cl "$T/client-auto.conf" "$cst"
connect_and_check "connect auto, the hub's short lifetime"
lan timeout 60 iperf3 -c 10.2.1.10 -n 100M -J >"$T/hubrekey.json" || die "iperf3 across the hub's rekeys failed"
mbit=$(python3 -c "import json; j=json.load(open('$T/hubrekey.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
n=$(grep -c "rekey started by the server" "$cst/vpnd.log")
nh=$(grep -c "rekey started by the hub" "$hst/vpnd.log")
echo "iperf3 across $n rekeys started by the hub (the hub counts $nh): $mbit Mbit/s"
[ "$n" -ge 2 ] || die "expected at least two hub-started rekeys answered, saw $n"
[ "$mbit" -gt 0 ] || die "no traffic across the hub's rekeys"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping after the hub's rekeys"
pass "rekeys started by the hub answered under traffic"
