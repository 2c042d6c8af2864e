#!/bin/bash
# The host's forwarding from the configuration (ip routing, ipv6 unicast-routing; parent/
# forwarding.c), in the hub namespace with ns_setup's forwarding undone (IPv4 and IPv6 off,
# accept_ra 1 on eth0 and default, 0 on eth1). From test/data/hub-ikev2-ipv6.conf (a
# dual-overlay template with ipv6 enable):
#  - a router advertisement sent from the client namespace (python3, raw ICMPv6) is ignored
#    by a hub forwarding IPv6 with accept_ra 1: the kernel fact this is about;
#  - vpnd started with `ipv6 unicast-routing` turns IPv4 and IPv6 forwarding on, accept_ra
#    1 -> 2 on eth0 (not `default`: a session's vaN must never take a client's router
#    advertisement), eth1's 0 left, one log line each; the same RA now gives the
#    hub a default route on eth0; the stop undoes nothing;
#  - with everything off again, `no ip routing` and no `ipv6 unicast-routing`: nothing raised,
#    one warning per family naming the template (and the fix for IPv6);
#  - a reload into the first file raises both (the parent is sandboxed by then: Landlock must
#    let it reach the sysctls).
# Needs root.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin ip python3 sysctl
ON=$T/on.conf
OFF=$T/off.conf
cp "$SRCDIR/test/data/hub-ikev2-ipv6.conf" "$ON" || fail "copying the configuration"
grep -q "^ipv6 unicast-routing$" "$ON" || fail "hub-ikev2-ipv6.conf lacks ipv6 unicast-routing"
sed 's/^ipv6 unicast-routing$/no ip routing/' "$ON" >"$OFF"
for f in "$ON" "$OFF"; do
	out=$("$VPND" -n -f "$f" 2>&1) || fail "vpnd -n refuses $f: $out"
	[ -z "$out" ] || fail "vpnd -n warns about $f: $out"
done

ns_setup || fail "namespace setup"
st=$T/hub
ctl() { "$VPNCTL" -S "$st" "$@"; }
get() { hub sysctl -n "$1"; }
expect() { [ "$(get "$1")" = "$2" ] || fail "$1 is $(get "$1"), expected $2 ($3)"; }
# the host as nobody configured it: forwarding off, RAs taken on eth0, refused on eth1
reset() {
	hub sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.accept_ra=1 net.ipv6.conf.eth0.accept_ra=1 \
		net.ipv6.conf.eth1.accept_ra=0 || fail "resetting the hub's sysctls"
	hub ip -6 route flush proto ra 2>/dev/null
	return 0
}
# one RA with a router lifetime of 1800 s from fe80::1 on clout, to all nodes
send_ra() {
	cl python3 - <<'PY' || fail "sending a router advertisement"
import socket, struct
ifindex = socket.if_nametoindex("clout")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
s.bind(("fe80::1", 0, 0, ifindex))
# type 134, code 0, checksum (the kernel's), hop limit 64, no flags, lifetime, reachable, retrans
s.sendto(struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0), ("ff02::1", 0, 0, ifindex))
PY
}
ra_route() { hub ip -6 route show default proto ra dev eth0 | grep -q "via fe80::1"; }

cl ip addr add fe80::1/64 dev clout nodad || fail "a link-local address for the RA's source"
reset
hub sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "IPv6 forwarding on"
send_ra
sleep 1
! ra_route || fail "a hub forwarding IPv6 with accept_ra 1 took an RA: the test proves nothing"
pass "forwarding IPv6 with accept_ra 1, the hub ignores a router advertisement"

reset
vpnd_start "$ON" "$st"
expect net.ipv4.ip_forward 1 "ip routing at start"
expect net.ipv6.conf.all.forwarding 1 "ipv6 unicast-routing at start"
expect net.ipv6.conf.eth0.accept_ra 2 "ipv6 unicast-routing at start"
expect net.ipv6.conf.default.accept_ra 1 "\`default\` must stay (new vaN would take RAs)"
expect net.ipv6.conf.eth1.accept_ra 0 "accept_ra 0 must stay"
[ "$(grep -c "]: ip routing: IPv4 forwarding turned on (net.ipv4.ip_forward=1)" "$st/vpnd.log")" = 1 ] ||
	fail "no single log line for IPv4 forwarding"
line=$(grep "]: ipv6 unicast-routing: IPv6 forwarding turned on (net.ipv6.conf.all.forwarding=1); accept_ra 1 -> 2 on " "$st/vpnd.log")
if ! { [ "$(echo "$line" | wc -l)" = 1 ] && echo "$line" | grep -qw eth0 &&
	! echo "$line" | grep -qw default && ! echo "$line" | grep -qw eth1; }; then
	fail "IPv6's log line: '$line'"
fi
send_ra
wait_until 3 ra_route || fail "no default route on eth0 from the RA with accept_ra 2"
pass "started with ipv6 unicast-routing: both families forward, accept_ra 2 on eth0 (default's 1 and eth1's 0 kept), the RA's default route taken"
vpnd_stop "$st"
expect net.ipv6.conf.all.forwarding 1 "the stop must leave it"
expect net.ipv4.ip_forward 1 "the stop must leave it"

reset
rm -rf "$st"
cp "$OFF" "$T/hub.conf"
vpnd_start "$T/hub.conf" "$st"
expect net.ipv4.ip_forward 0 "no ip routing"
expect net.ipv6.conf.all.forwarding 0 "no ipv6 unicast-routing"
expect net.ipv6.conf.eth0.accept_ra 1 "no ipv6 unicast-routing"
expect net.ipv6.conf.default.accept_ra 1 "no ipv6 unicast-routing"
grep -q "turned on\|accept_ra 1 -> 2" "$st/vpnd.log" && fail "vpnd raised something: $(grep "turned on\|accept_ra" "$st/vpnd.log")"
[ "$(grep -c "warning: Virtual-Template1 carries IPv6 inside but IPv6 forwarding is off (net.ipv6.conf.all.forwarding=0): its clients get an IPv6 address and no route past this host; add 'ipv6 unicast-routing'" "$st/vpnd.log")" = 1 ] ||
	fail "no single IPv6 forwarding warning naming the template"
[ "$(grep -c "warning: no ip routing, and IPv4 forwarding is off (net.ipv4.ip_forward=0): clients of Virtual-Template1 cannot reach past this host" "$st/vpnd.log")" = 1 ] ||
	fail "no single IPv4 forwarding warning naming the template"
pass "no ip routing, no ipv6 unicast-routing: nothing raised, one warning per family naming Virtual-Template1"

cp "$ON" "$T/hub.conf"
out=$(ctl reload 2>&1) || fail "reload refused: $out"
expect net.ipv4.ip_forward 1 "ip routing at reload"
expect net.ipv6.conf.all.forwarding 1 "ipv6 unicast-routing at reload"
expect net.ipv6.conf.eth0.accept_ra 2 "ipv6 unicast-routing at reload"
expect net.ipv6.conf.default.accept_ra 1 "\`default\` must stay at reload"
expect net.ipv6.conf.eth1.accept_ra 0 "accept_ra 0 must stay"
grep -q "cannot raise\|cannot turn\|cannot read" "$st/vpnd.log" &&
	fail "the sandboxed parent could not reach a sysctl: $(grep "cannot" "$st/vpnd.log")"
pass "a reload into ipv6 unicast-routing raises both families and accept_ra under the parent's sandbox"
vpnd_stop "$st"
