#!/bin/bash
# Easy VPN remote modes, vpnd against vpnd (seed examples, addresses changed to the test
# topology's):
#  - split tunnel: the hub's group pushes `acl SPLIT` (10.2.1.0/24); the client routes only that
#    network into the tunnel (no 0/1, 128/1), shows it as IOS does, and its inside host still
#    reaches 10.2.1.10 NATed behind the pushed address;
#  - network extension: `mode network-extension`, the hub allows the client's inside network
#    with `network-extension access-list`; quick mode names 10.3.1.0/24, no NAT: the hub's
#    inside host sees the client's inside host's own address.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin iperf3 ip ping nft python3
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

hst=$T/hub cst=$T/client
ezshow() { "$VPNCTL" -S "$cst" show crypto ipsec client ezvpn; }
active() { ezshow | grep -q "Current State: IPSEC_ACTIVE"; }
dump() { echo "--- hub" >&2; tail -20 "$hst/vpnd.log" >&2; echo "--- client" >&2; tail -30 "$cst/vpnd.log" >&2; }
die() { dump; fail "$*"; }
client_conf() {   # MODE
	sed -e 's/172\.18\.143\.23 /172.18.143.2 /' -e 's/^ connect manual$/ connect auto/' \
		-e "s/^ mode client$/ mode $1/" "$SRCDIR/etc/seed-ezvpn-client.conf"
}
stop_both() {
	kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID"; VPND_CL_PID=
	vpnd_stop "$hst"
}

inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!

# --- split tunnel
{ sed 's/^ pool group1pool$/ pool group1pool\n acl SPLIT/' "$SRCDIR/etc/seed-dvti.conf" | grep -v '^end$'
  printf 'ip access-list extended SPLIT\n permit ip 10.2.1.0 0.0.0.255 any\nend\n'; } >"$T/hub-split.conf"
client_conf client >"$T/client.conf"
vpnd_start "$T/hub-split.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"
wait_until 20 active || { ezshow >&2; die "split: not IPSEC_ACTIVE"; }
out=$(ezshow); echo "$out"
echo "$out" | grep -q "Split Tunnel List: 1" || die "split: no Split Tunnel List"
echo "$out" | grep -Eq "Address +: 10.2.1.0" || die "split: the list lacks 10.2.1.0"
va=$(cl ip -o link show | sed -n 's/^[0-9]*: \(va[0-9]*\)[:@].*/\1/p' | head -1)
routes=$(cl ip route show dev "$va")
echo "$routes"
echo "$routes" | grep -q "^10.2.1.0/24 .*src 192.168.1.1" || die "split: 10.2.1.0/24 is not routed into $va from 192.168.1.1"
echo "$routes" | grep -q "^0.0.0.0/1\|^128.0.0.0/1" && die "split: everything is routed into the tunnel"
cl ip route get 10.99.0.1 2>/dev/null | grep -q "dev $va" && die "split: a network outside the list goes into the tunnel"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "split: no ping to the split network"
lan timeout 60 iperf3 -c 10.2.1.10 -t 1 >/dev/null || die "split: iperf3 failed"
grep -q "Accepted connection from 192.168.1.1" "$T/iperf.log" || die "split: not NATed behind 192.168.1.1"
pass "split tunnel: only the pushed network goes into the tunnel, NATed"
stop_both

# --- network extension
{ sed 's/^ pool group1pool$/ pool group1pool\n network-extension access-list NEM/' "$SRCDIR/etc/seed-dvti.conf" | grep -v '^end$'
  printf 'ip access-list extended NEM\n permit ip 10.3.1.0 0.0.0.255 any\nend\n'; } >"$T/hub-nem.conf"
client_conf network-extension >"$T/client-nem.conf"
: >"$T/iperf.log"
vpnd_start "$T/hub-nem.conf" "$hst"
vpnd_start_cl "$T/client-nem.conf" "$cst"
wait_until 20 active || { ezshow >&2; die "network extension: not IPSEC_ACTIVE"; }
hub ip route | grep -q "^10.3.1.0/24 dev va" || { hub ip route >&2; die "network extension: the hub has no route to 10.3.1.0/24"; }
cl nft list ruleset | grep -q snat && die "network extension: the client NATs"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "network extension: no ping"
lan timeout 60 iperf3 -c 10.2.1.10 -t 1 >/dev/null || die "network extension: iperf3 failed"
grep -q "Accepted connection from 10.3.1.10" "$T/iperf.log" ||
	{ cat "$T/iperf.log" >&2; die "network extension: the inside host's own address did not arrive"; }
inh ping -c1 -w 5 10.3.1.10 >/dev/null || die "network extension: the hub's side cannot reach the client's inside host"
pass "network extension: the inside network is announced and reachable both ways, no NAT"
