#!/bin/bash
# tunmgr's side of the Easy VPN remote (crypto ipsec client ezvpn), with ikemgr played by
# test/unit/imsg_forge: IMSG_EZ_VA_CREATE carries what a server pushed (Mode Config address,
# split networks) and tunmgr must hold it to the configuration and the host's networks.
# Checked in the namespace with ip and nft: the vaN with the address, the routes (with their
# source, and the peer's host route around the tunnel), the client-mode NAT table, the SA
# selectors taken and refused, requests out of bounds refused with nothing installed, and
# everything gone after IMSG_VA_DESTROY, at stop and after a kill -9. Loopback0's address on lo.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin ip nft ss python3
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"
# ezvpn branch's inside interface (a veth: the kernel may lack the dummy driver)
hub ip link add ezin2 type veth peer name ezin2p && hub ip addr add 10.5.0.1/24 dev ezin2 &&
	hub ip link set ezin2 up && hub ip link set ezin2p up || fail "second inside interface"

CONF=$SRCDIR/test/data/ez-tun.conf
PEER=172.18.143.2
name=start
st=$T/run1
vpnd_start "$CONF" "$st"
hub ip -o addr show dev lo | grep -q "inet 192.168.77.1/32" ||
	fail "$name: Loopback0's 192.168.77.1/32 is not on lo: $(hub ip -o addr show dev lo)"
pass "$name: Loopback0's address on lo"

va_count() { hub ip -o link show | grep -c ' va[0-9]'; }
nft_tables() { hub nft list tables ip | grep -c 'vpnd-ez-'; }
nothing_installed() {
	[ "$(va_count)" = 0 ] || fail "$name: an interface was made: $(hub ip -o link show)"
	[ "$(nft_tables)" = 0 ] || fail "$name: a NAT table was added: $(hub nft list tables)"
	hub ip route | grep -Eq '^(0\.0\.0\.0/1|128\.0\.0\.0/1|172\.18\.0\.0/16|172\.18\.143\.2 )' &&
		fail "$name: a route was added: $(hub ip route)"
	return 0
}
refused() {   # refused SESSION PATTERN
	wait_until 5 grep -q "interface for session $1 refused: .*$2" "$st/vpnd.log" ||
		{ tail -5 "$st/vpnd.log" >&2; fail "$name: session $1 not refused for '$2'"; }
}

# --- out of bounds: refused, nothing installed ---
name=bounds
forge ikemgr tunmgr ez-va 900001 hq $PEER 10.2.1.77
refused 900001 "address 10.2.1.77 is inside a local network"
forge ikemgr tunmgr ez-va 900002 hq $PEER 100.64.7.9 10.99.0.0/16 172.18.0.0/16
refused 900002 "split network 172.18.0.0/16 contains the peer"
forge ikemgr tunmgr ez-va 900003 nosuch $PEER 100.64.7.9
refused 900003 "no such crypto ipsec client ezvpn"
forge ikemgr tunmgr ez-va 900004 hq 172.18.143.99 100.64.7.9
refused 900004 "peer 172.18.143.99 is not one of its peers"
forge ikemgr tunmgr ez-va 900005 hq $PEER 100.64.7.9 10.2.0.0/16
refused 900005 "split network 10.2.0.0/16 overlaps a local network"
forge ikemgr tunmgr ez-va 900006 hq $PEER 127.0.0.5
refused 900006 "address 127.0.0.5 is not a unicast host address"
forge ikemgr tunmgr ez-va 900007 hq $PEER 0.0.0.0
refused 900007 "no address in client mode"
forge ikemgr tunmgr ez-va 900008 hq $PEER 100.64.7.9 0.0.0.0/0
refused 900008 "split network 0.0.0.0/0: prefix length not 1..32"
nothing_installed
grep -q "(8 refused so far)" "$st/vpnd.log" || fail "$name: refusals not counted"
pass "$name: an address on a local network, a split covering the peer or a local network, an unknown ezvpn, a foreign peer, loopback, no address and 0/0 as a split refused; nothing installed"

# --- client mode, everything through the tunnel ---
name=client
forge ikemgr tunmgr ez-va 900010 hq $PEER 100.64.7.9
wait_until 5 grep -q "created for session 900010" "$st/vpnd.log" ||
	{ tail -10 "$st/vpnd.log" >&2; fail "$name: no interface"; }
va=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created for session 900010" "$st/vpnd.log" | cut -d' ' -f1)
hub ip -o link show dev "$va" | grep -q "alias Virtual-Access" || fail "$name: $va has no alias"
hub ip -o addr show dev "$va" | grep -q "inet 100.64.7.9/32" ||
	fail "$name: $va has not 100.64.7.9/32: $(hub ip -o addr show dev "$va")"
for net in 0.0.0.0/1 128.0.0.0/1; do
	hub ip route show "$net" | grep -q "dev $va .*src 100.64.7.9" ||
		fail "$name: $net not via $va from 100.64.7.9: $(hub ip route)"
done
hub ip route show $PEER/32 | grep -q "dev eth0" || fail "$name: no host route to the peer: $(hub ip route)"
hub ip route get $PEER | grep -q "dev eth0" || fail "$name: the peer is reached through the tunnel"
hub ip route get 8.8.8.8 | grep -q "dev $va src 100.64.7.9" ||
	fail "$name: 8.8.8.8 not through $va: $(hub ip route get 8.8.8.8)"
hub ip route get 10.2.1.10 | grep -q "dev eth1" || fail "$name: the inside network is routed away"
rules=$(hub nft list table ip vpnd-ez-hq) || fail "$name: no nft table vpnd-ez-hq"
echo "$rules" | grep -q "type nat hook postrouting" || fail "$name: no postrouting nat chain: $rules"
echo "$rules" | grep -q "oifname \"$va\" ip saddr 10.2.1.0/24 snat to 100.64.7.9" ||
	fail "$name: no SNAT of 10.2.1.0/24 to 100.64.7.9 on $va: $rules"
pass "$name: $va with 100.64.7.9/32, 0/1 and 128/1 through it from that address, the peer around it, 10.2.1.0/24 NATed behind it"

# a second session of the same ezvpn while this one lives
forge ikemgr tunmgr ez-va 900011 hq $PEER 100.64.7.10
refused 900011 "session 900010 holds it already"
# the SA selectors: 0/0 only, since no split network was accepted
forge ikemgr tunmgr sa-add 900010 0.0.0.0 0 0x5000 $PEER
forge ikemgr tunmgr sa-add 900010 10.99.0.0 16 0x5001 $PEER
forge ikemgr tunmgr sa-add 900010 0.0.0.0 0 0x5002 172.18.143.3
wait_until 5 grep -q "$va: SA 00005000 in 00005000 out 00001000 installed\|$va: SA in 00005000 out 00001000 installed" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: SA 0/0 not installed"; }
wait_until 5 grep -q "$va: SA 00005001 for 10.99.0.0/16 refused: ezvpn hq: not 0.0.0.0/0" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: SA for 10.99.0.0/16 not refused"; }
wait_until 5 grep -q "$va: SA 00005002 for 0.0.0.0/0 refused: ezvpn hq: not to the session's peer 172.18.143.2" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: an SA to another peer not refused"; }
pass "$name: SA selector 0/0 taken, 10.99.0.0/16 and an SA to another peer refused, a second session of hq refused"

# --- traffic: the inside host's ping leaves NATed on the SA, the server's answer comes back
# to it; a decrypted packet to anything but the pushed address is dropped ---
name=traffic
cl python3 "$SRCDIR/test/lib/ezesp.py" answer 172.18.143.246 0x1000 0x5000 >"$T/answer.out" 2>&1 &
apid=$!
wait_until 5 sh -c "ip netns exec vpnd_cl ss -wanH | grep -q ':50 '" || fail "$name: the server end is not listening"
inh ping -c 1 -W 8 8.8.8.8 >"$T/ping.out" 2>&1 || { cat "$T/answer.out" "$T/ping.out" >&2; fail "$name: the inside host's ping through the tunnel got no answer"; }
wait "$apid" || { cat "$T/answer.out" >&2; fail "$name: the server end saw no good ESP"; }
grep -q "inner 100.64.7.9 > 8.8.8.8 echo request on SPI 00001000" "$T/answer.out" ||
	fail "$name: not NATed to 100.64.7.9: $(cat "$T/answer.out")"
cl python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 0x5000 2 8.8.8.8 10.2.1.10 >/dev/null ||
	fail "$name: cannot send ESP"
wait_until 5 grep -q "$va: decrypted packet 8.8.8.8 > 10.2.1.10 dropped: not this ezvpn client's" "$st/vpnd.log" ||
	fail "$name: a decrypted packet to the inside host itself was not dropped"
pass "$name: 10.2.1.10's ping left $va as 100.64.7.9 on SPI 00001000 and its answer came back; ESP to 10.2.1.10 itself dropped"

name=destroy
forge ikemgr tunmgr va-destroy 900010
wait_until 5 grep -q "$va (Virtual-Access[0-9]*) removed" "$st/vpnd.log" || fail "$name: $va not removed"
wait_until 5 sh -c "! ip netns exec vpnd_hub ip -o link show dev $va" || fail "$name: $va still there"
nothing_installed
pass "$name: IMSG_VA_DESTROY removed $va, its routes, the peer's host route and the NAT table"

# --- a peer behind the default gateway, in the lower half (0.0.0.0/1) the tunnel takes:
# its host route must be found before the tunnel's routes exist ---
name=gateway
cl ip addr add 10.250.0.2/32 dev clout && hub ip route add default via $PEER ||
	fail "$name: the second peer's address"
forge ikemgr tunmgr ez-va 900015 hq 10.250.0.2 100.64.7.9
wait_until 5 grep -q "created for session 900015" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: no interface"; }
va=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created for session 900015" "$st/vpnd.log" | cut -d' ' -f1)
hub ip route show 10.250.0.2/32 | grep -q "via $PEER dev eth0" ||
	fail "$name: no host route to 10.250.0.2 via its gateway: $(hub ip route)"
hub ip route get 10.250.0.2 | grep -q "via $PEER dev eth0" || fail "$name: 10.250.0.2 is reached through the tunnel"
hub ip route get 10.250.1.1 | grep -q "dev $va" || fail "$name: 10.250.1.1 not through $va"
forge ikemgr tunmgr va-destroy 900015
wait_until 5 sh -c "! ip netns exec vpnd_hub ip -o link show dev $va" || fail "$name: $va still there"
hub ip route show 10.250.0.2/32 | grep -q . && fail "$name: the host route is left: $(hub ip route)"
hub ip route del default via $PEER
pass "$name: a peer behind the default gateway, in 0.0.0.0/1, keeps its route around $va, removed with it"

# --- split networks: only those through the tunnel ---
name=split
forge ikemgr tunmgr ez-va 900020 hq $PEER 100.64.7.9 10.99.0.0/16 192.168.50.0/24
wait_until 5 grep -q "created for session 900020" "$st/vpnd.log" || fail "$name: no interface"
va=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created for session 900020" "$st/vpnd.log" | cut -d' ' -f1)
for net in 10.99.0.0/16 192.168.50.0/24; do
	hub ip route show "$net" | grep -q "dev $va .*src 100.64.7.9" ||
		fail "$name: $net not via $va: $(hub ip route)"
done
hub ip route | grep -Eq '^(0\.0\.0\.0/1|128\.0\.0\.0/1|172\.18\.143\.2 )' &&
	fail "$name: routes for all traffic with split networks: $(hub ip route)"
hub ip route get 8.8.8.8 2>/dev/null | grep -q "dev $va" && fail "$name: 8.8.8.8 goes into the tunnel"
forge ikemgr tunmgr sa-add 900020 10.99.0.0 16 0x5010 $PEER
forge ikemgr tunmgr sa-add 900020 0.0.0.0 0 0x5011 $PEER
forge ikemgr tunmgr sa-add 900020 10.99.1.0 24 0x5012 $PEER
wait_until 5 grep -q "$va: SA in 00005010 out 00001000 installed" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: SA 10.99.0.0/16 not installed"; }
wait_until 5 grep -q "$va: SA in 00005011 out 00001000 installed" "$st/vpnd.log" ||
	fail "$name: SA 0/0 (what a virtual-interface client negotiates) not installed"
wait_until 5 grep -q "SA 00005012 for 10.99.1.0/24 refused: ezvpn hq: neither 0.0.0.0/0 nor a split" "$st/vpnd.log" ||
	fail "$name: SA 10.99.1.0/24 not refused"
# on the 0/0 SA, decrypted packets must still come from a split network
cl python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 0x5011 1 10.99.1.1 100.64.7.9 >/dev/null &&
cl python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 0x5011 2 8.8.8.8 100.64.7.9 >/dev/null ||
	fail "$name: cannot send ESP"
wait_until 5 grep -q "$va: decrypted packet 8.8.8.8 > 100.64.7.9 dropped" "$st/vpnd.log" ||
	fail "$name: a packet from outside the split networks was not dropped"
grep -q "decrypted packet 10.99.1.1 > 100.64.7.9 dropped" "$st/vpnd.log" &&
	fail "$name: a packet from a split network was dropped"
pass "$name: 10.99.0.0/16 and 192.168.50.0/24 through $va, nothing else; SAs 10.99.0.0/16 and 0/0 taken, 10.99.1.0/24 refused; from 8.8.8.8 dropped, from 10.99.1.1 taken"

# --- network extension: no address needed, no NAT ---
name=network-extension
forge ikemgr tunmgr ez-va 900030 branch 172.18.143.3 0.0.0.0 10.77.0.0/16
wait_until 5 grep -q "created for session 900030" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; fail "$name: no interface"; }
va2=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created for session 900030" "$st/vpnd.log" | cut -d' ' -f1)
hub ip route show 10.77.0.0/16 | grep -q "dev $va2" || fail "$name: 10.77.0.0/16 not via $va2"
hub ip -o addr show dev "$va2" | grep -q "inet " && fail "$name: an address on $va2"
hub nft list table ip vpnd-ez-branch >/dev/null 2>&1 && fail "$name: a NAT table in network-extension mode"
pass "$name: $va2 without address or NAT, 10.77.0.0/16 through it"

# --- stop: every session's table and routes, and the Loopback address, go ---
name=stop
vpnd_stop "$st"
nothing_installed
hub ip route | grep -Eq '10\.99\.0\.0/16|10\.77\.0\.0/16' && fail "$name: routes left: $(hub ip route)"
hub ip -o addr show dev lo | grep -q "192.168.77.1" && fail "$name: 192.168.77.1 left on lo"
pass "$name: nothing left after SIGTERM, 192.168.77.1 off lo"

# --- kill -9 of tunmgr with a session: the next start removes what it left outside its
# interfaces (the NAT table, the peer's host route, the Loopback address) ---
name=crash
st=$T/run2
vpnd_start "$CONF" "$st"
forge ikemgr tunmgr ez-va 900040 hq $PEER 100.64.7.9
wait_until 5 grep -q "created for session 900040" "$st/vpnd.log" || fail "$name: no interface"
hub nft list table ip vpnd-ez-hq >/dev/null || fail "$name: no NAT table"
hub ip route show $PEER/32 | grep -q "dev eth0" || fail "$name: no host route to the peer"
kill -KILL "$(role_pid tunmgr)"
wait_until 10 sh -c "! kill -0 $VPND_PID 2>/dev/null" || fail "$name: vpnd still runs"
wait "$VPND_PID" 2>/dev/null
VPND_PID=
# what the kernel does not remove with the interface is still there
hub ip route show $PEER/32 | grep -q . || fail "$name: the host route went with tunmgr (nothing to test)"
st=$T/run3
vpnd_start "$CONF" "$st"
wait_until 5 grep -q "nftables: table vpnd-ez-hq removed" "$st/vpnd.log" ||
	fail "$name: the NAT table left by the crash was not removed at start"
grep -q "ezvpn: 1 host route left by an earlier run removed" "$st/vpnd.log" ||
	fail "$name: the peer's host route left by the crash was not removed"
grep -q "1 Loopback address left on lo by an earlier run removed" "$st/vpnd.log" ||
	fail "$name: the Loopback address was not taken back"
[ "$(nft_tables)" = 0 ] || fail "$name: tables left: $(hub nft list tables)"
hub ip route show $PEER/32 | grep -q . && fail "$name: host route left: $(hub ip route)"
hub ip -o addr show dev lo | grep -q "inet 192.168.77.1/32" || fail "$name: Loopback0 not on lo"
vpnd_stop "$st"
hub ip -o addr show dev lo | grep -q "192.168.77.1" && fail "$name: 192.168.77.1 left on lo"
pass "$name: the NAT table, the peer's host route and the Loopback address a killed tunmgr left are removed at the next start"
