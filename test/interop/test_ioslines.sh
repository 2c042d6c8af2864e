#!/bin/bash
# The IOS lines people paste (issue 15), seen from a real vpnc client: the group's
# include-local-lan, backup-gateway and save-password in what vpnc receives (vpnc 0.5.3 puts
# none of them in its script's environment, so its --debug 3 dump of the Mode Config reply
# is what we read), group-lock refusing a user of another group, an access list toward the
# client with ICMP type names, source ports and established, NAT keepalives counted by
# nftables in the client's namespace, set reverse-route and the profile's replay window,
# `shutdown` on the template (reload) keeping the live session and refusing a new one, and
# the profile's SA idle-time ending the idle session.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin vpnc ip ping nft python3
ns_setup || fail "namespace setup"

st=$T/hub
conf=$T/vpnd.conf
cp "$SRCDIR/test/data/hub-ioslines.conf" "$conf"
vpnd_start "$conf" "$st"

# --- group-lock: eve@group2 knows group1's key and her own password, and is refused
vpnc_start "$T/eve" user=eve@group2 wait=0
wait_until 20 grep -q "group-lock: user 'eve@group2' is locked to group 'group2', not 'group1'" \
	"$st/vpnd.log" || { tail -20 "$st/vpnd.log" >&2; fail "group-lock: eve@group2 not refused"; }
wait_until 10 sh -c "! kill -0 $VPNC_PID" || fail "group-lock: vpnc still running after the refusal"
wait "$VPNC_PID" 2>/dev/null; VPNC_PID=
[ -f "$T/eve/up" ] && fail "group-lock: vpnc ran its connect script for eve@group2"
hub ip -o link show | grep -q " va[0-9]" && fail "group-lock: an interface exists for eve@group2"
grep -iq "authentication unsuccessful\|xauth\|failed" "$T/eve/vpnc.log" ||
	{ tail -5 "$T/eve/vpnc.log" >&2; fail "group-lock: vpnc did not report the failed login"; }
pass "group-lock: eve@group2 refused on group1 (hub: $(grep -o "group-lock: [^)]*" "$st/vpnd.log" | head -1))"

# --- Mode Config: what vpnc receives with include-local-lan, backup-gateway, save-password
vpnc_start "$T/cisco" user=cisco@group1 debug=3 natt=force-natt ||
	{ tail -30 "$st/vpnd.log" >&2; fail "cisco@group1 did not connect"; }
. "$T/cisco/up"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "no ping through the tunnel"
pass "group-lock: cisco@group1 connected, got $address"
log=$T/cisco/vpnc.log
# attr_data TYPE: the hex bytes of Mode Config attribute TYPE in vpnc's --debug 3 packet dump
attr_data() {
	awk -v t="$1" '
		$0 ~ "attributes.type: " t " " { want = 1; next }
		want && /u.lots.data:/ { grab = 1; sub(/.*data:/, ""); gsub(/ /, ""); printf "%s", $0; next }
		grab && /^ *([0-9a-f]+ ?)+$/ { gsub(/ /, ""); printf "%s", $0; next }
		grab { exit }' "$log"
}
grep -q "got save password setting: 1" "$log" || fail "save-password: vpnc did not get CISCO_SAVE_PW = 1"
pass "save-password: vpnc logs 'got save password setting: 1'"
grep -q "unknown attribute 28678 / 0x7006" "$log" ||
	{ grep -n "attribute" "$log" | tail >&2; fail "include-local-lan: vpnc got no 0x7006"; }
[ "$(attr_data 7006)" = 00000000ffffffff000000000000 ] ||
	{ grep -n -A4 "type: 7006" "$log" >&2; fail "include-local-lan: 0x7006 is not 0.0.0.0/255.255.255.255"; }
pass "include-local-lan: vpnc received Unity attribute 0x7006 = 0.0.0.0/255.255.255.255 (vpnc has no local-LAN switch to apply it)"
grep -q "unknown attribute 28681 / 0x7009" "$log" || fail "backup-gateway: vpnc got no 0x7009"
[ "$(python3 -c "import sys; print(bytes.fromhex(sys.argv[1]).decode())" "$(attr_data 7009)")" = "172.18.143.247,hub-b.example.test" ] ||
	{ grep -n -A4 "type: 7009" "$log" >&2; fail "backup-gateway: the list vpnc got is not the group's"; }
pass "backup-gateway: vpnc received 0x7009 '172.18.143.247,hub-b.example.test' (vpnc does not fail over)"

# --- ip access-group vpnout out (toward the client): echo-reply, TCP established from high
# ports, DNS answers. The client's own pings and connections work; the inside cannot ping it
# nor open a connection to it.
tcp_try() {   # NS HOST PORT: connect within 3 s, send a line, read the echo back
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"hello\n"); sys.exit(0 if s.recv(16) == b"hello\n" else 1)' "$2" "$3" 2>/dev/null
}
tcp_echo() {  # NS PORT: one-connection echo server in the background
	ip netns exec "$1" python3 -c '
import socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1]))); l.listen(1); l.settimeout(20)
c, _ = l.accept(); c.sendall(c.recv(16))' "$2" 2>/dev/null &
	ECHO_PID=$!
}
tcp_echo vpnd_in 5001
sleep 0.3
tcp_try vpnd_cl 10.2.1.10 5001 || fail "acl: the client's TCP connection to the inside failed (established)"
wait "$ECHO_PID" 2>/dev/null
inh ping -c 2 -w 3 "$address" >/dev/null 2>&1 && fail "acl: an echo request toward the client passed 'echo-reply' only"
tcp_echo vpnd_cl 5002
sleep 0.3
tcp_try vpnd_in "$address" 5002 && fail "acl: a SYN toward the client passed 'established'"
kill "$ECHO_PID" 2>/dev/null; wait "$ECHO_PID" 2>/dev/null
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "acl: echo-reply toward the client dropped"
pass "acl out 'echo-reply', 'gt 1023 established': client pings and connects; the inside can neither ping nor connect to it"

# --- crypto isakmp nat keepalive 5: RFC 3948 keepalives (one byte 0xFF on UDP 4500) from the
# hub to the NAT-T client, only when the hub sent nothing else for 5 s
grep -q "installed (UDP 4500)" "$st/vpnd.log" || fail "nat keepalive: the SA is not UDP-encapsulated"
cl nft -f - <<'NFT' || fail "nat keepalive: nft rules"
table inet natka {
	chain in {
		type filter hook input priority 0;
		ip saddr 172.18.143.246 udp sport 4500 udp length 9 @th,64,8 0xff counter
	}
}
NFT
ka_count() { cl nft list chain inet natka in | awk '/counter/{for(i=1;i<=NF;i++) if($i=="packets") print $(i+1)}'; }
# busy: a ping a second, answered through the tunnel, for 12 s: no keepalive is due
cl ping -c 12 -i 1 -w 20 10.2.1.10 >/dev/null || fail "nat keepalive: ping loss while busy"
busy=$(ka_count)
[ "$busy" = 0 ] || fail "nat keepalive: $busy keepalives sent while the tunnel carried traffic"
# idle: keepalives arrive (bounded wait)
wait_until 15 sh -c "[ \"\$(ip netns exec vpnd_cl nft list chain inet natka in | grep -o 'packets [0-9]*' | cut -d' ' -f2)\" -ge 2 ]" ||
	fail "nat keepalive: fewer than 2 keepalives in 15 s of idle tunnel ($(ka_count))"
pass "nat keepalive: none while busy (12 s of pings), $(ka_count) one-byte 0xFF datagrams from hub:4500 once idle"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "nat keepalive: tunnel dead after keepalives"

# --- set reverse-route (accepted: DVTI routes anyway) and the profile's replay window
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
hub ip route show "$address" | grep -q "dev $va" || fail "reverse-route: no route to $address via $va"
grep -q "replay window 2048" "$st/vpnd.log" || fail "replay window-size 2048 of the profile not used"
pass "set reverse-route: route to $address via $va; SA installed with the profile's replay window 2048"

# --- shutdown on the Virtual-Template (reload): the live session stays, new ones are refused
sed -i 's/^ tunnel protection ipsec profile vti-aes$/&\n shutdown/' "$conf"
grep -q "^ shutdown$" "$conf" || fail "test setup: no shutdown line"
"$VPNCTL" -S "$st" reload >/dev/null || fail "reload with the template shut down refused"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "template shutdown: the live session lost its tunnel"
pass "template shutdown: the session up before the reload still carries traffic"

# --- set security-association idle-time 60: the idle session ends (bounded wait)
t0=$(date +%s)
wait_until 90 grep -q "down: idle timeout (SA idle-time)" "$st/vpnd.log" ||
	fail "idle-time: the session did not end after 60 s without ESP"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || fail "idle-time: $va left behind"
pass "idle-time: session ended after $(( $(date +%s) - t0 )) s more of idle tunnel, $va removed"
vpnc_stop

vpnc_start "$T/again" user=cisco@group1 wait=0
wait_until 20 grep -q "Virtual-Template1 is shut down, no new sessions" "$st/vpnd.log" ||
	{ tail -20 "$st/vpnd.log" >&2; fail "template shutdown: a new session was not refused"; }
wait_until 10 sh -c "! kill -0 $VPNC_PID" || true
[ -f "$T/again/up" ] && fail "template shutdown: vpnc connected"
hub ip -o link show | grep -q " va[0-9]" && fail "template shutdown: an interface was cloned"
pass "template shutdown: a new session refused ($(grep -o "session [0-9]* ended before it was up: Virtual-Template1 is shut down[^\"]*" "$st/vpnd.log" | head -1))"
vpnc_stop
vpnd_stop "$st"
! grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2 || fail "errors in the hub's log"
echo "all IOS-lines scenarios passed"
