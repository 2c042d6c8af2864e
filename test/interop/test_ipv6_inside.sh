#!/bin/bash
# IPv6 inside, IPv4 outside (issue 14, first slice): strongSwan's charon (IKEv1 aggressive,
# PSK + XAuth, kernel-libipsec) asks Mode Config for an IPv4 and an IPv6 virtual IP
# (vips = 0.0.0.0,::). The hub's group has an `ipv6 pool`: charon gets both addresses and
# installs them, the hub logs both, `show crypto session detail` and --json show both (session
# store column assigned_addr6); a second quick mode for the IPv6 address toward ::/0 gets the
# hub's interface a /128 route, ping and ping -6 reach the inside host and iperf3 moves 30 MB
# each way over each family (rates printed, not asserted; the template's ipv6 tcp adjust-mss
# 1300 shows in the IPv6 MSS only); the
# IPv6 address goes back to its pool when the session ends (the next client gets it again).
# The template's `ipv6 traffic-filter v6in in` denies the second inside host. A template
# without `ipv6 enable` gives no IPv6 address and refuses the IPv6 quick mode. Authentic ESP
# (a pair forged with known keys) from another IPv6 source, or IPv6 on an IPv4 SA, is dropped.
# Path MTU works both ways: ICMPv6 Packet Too Big from the hub, fragments through the tunnel.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin swanctl iperf3 ip python3 ping unshare ss
swan_require resolve
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"
inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!
# IPv6 inside: the inside host and the hub's inside interface get addresses, the hub forwards
hub sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "IPv6 forwarding on the hub"
hub ip addr add fd00:2::1/64 dev eth1 nodad && inh ip addr add fd00:2::10/64 dev inhost nodad &&
	inh ip addr add fd00:2::11/64 dev inhost nodad &&
	inh ip -6 route add default via fd00:2::1 || fail "IPv6 addresses inside"

name=dual-vip
st=$T/$name
dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG)\]" "$st/swan/charon.log" | tail -30 >&2
}
die() { dump; fail "$name: $*"; }

# charon's virtual IPs, one per line
vips() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/.*local-vips=\[\([0-9a-f.: ]*\)\].*/\1/p' | head -1 | tr ' ' '\n'
}

echo "=== $name: hub-swan6.conf, charon asks for 0.0.0.0 and ::"
vpnd_start "$SRCDIR/test/data/hub-swan6.conf" "$st"
# IKEv1 has one identity pair per quick mode and charon sends the first selector of each
# side: with local_ts = dynamic that is the IPv4 virtual IP, so the IPv6 child names the
# pool's first address (the one checked below) itself
v6child=$(printf '\t\t\tv6 {\n\t\t\t\tesp_proposals = aes128gcm128-modp2048\n\t\t\t\tlocal_ts = fd00:6::1/128\n\t\t\t\tremote_ts = ::/0\n\t\t\t}\n')
# charon's resolve plugin asks for DNS servers and writes what it gets to a file of the test's
# own. strongSwan 5.9.8 would use resolvconf(8) instead if it were installed, and so change
# the host's resolver: refuse to run then.
for rc in /sbin/resolvconf /usr/sbin/resolvconf; do
	[ -e "$rc" ] && fail "$rc is installed: charon's resolve plugin would hand it the test's DNS servers"
done
swan_start "$st/swan" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	vips=0.0.0.0,:: children_extra="$v6child" plugins_extra=resolve \
	charon_extra="plugins { resolve { file = $st/resolv.conf } }" || die "charon did not start"
swan_up 20 || die "charon did not connect"
v4=$(vips | grep -v : | head -1)
v6=$(vips | grep : | head -1)
case "$v4" in 192.168.1.1[0-9]|192.168.1.20) ;; *) die "IPv4 virtual IP '$v4' not from group1pool";; esac
[ "$v6" = fd00:6::1 ] || die "IPv6 virtual IP '$v6', expected fd00:6::1 (the pool's first)"
cl ip -o -6 addr show | grep -q "inet6 $v6/" || die "charon did not install $v6: $(cl ip -o -6 addr)"
grep -q "Mode Config gave $v4 and $v6 to user 'alice'" "$st/vpnd.log" ||
	die "the hub did not log both addresses"
pass "$name: Mode Config gave $v4 and $v6, both installed in the client namespace"
grep -q "^nameserver fd00:2::53" "$st/resolv.conf" && grep -q "^nameserver 10.2.1.53" "$st/resolv.conf" ||
	die "charon did not get both DNS servers (ipv6 dns fd00:2::53, dns 10.2.1.53): $(cat "$st/resolv.conf" 2>&1)"
pass "$name: Mode Config gave the group's DNS servers, IPv6 (INTERNAL_IP6_DNS) and IPv4"

cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no IPv4 ping through the tunnel"
pass "$name: IPv4 ping 10.2.1.10 through the tunnel from $v4"

# the session store and the show commands carry the IPv6 address
wait_until 5 sh -c "'$VPNCTL' -S '$st' show crypto session detail | grep -q 'Assigned IPv6 address: $v6'" ||
	{ "$VPNCTL" -S "$st" show crypto session detail >&2; die "show crypto session detail lacks $v6"; }
"$VPNCTL" -S "$st" show crypto session detail | grep -q "Assigned address: $v4" ||
	die "show crypto session detail lacks $v4"
out=$("$VPNCTL" -S "$st" --json show crypto session username alice) || die "vpnctl --json failed"
echo "$out" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 1 and rows[0]["assigned_addr6"] == sys.argv[1], rows
' "$v6" || die "vpnctl --json lacks assigned_addr6 $v6: $out"
pass "$name: show crypto session detail and --json show $v4 and $v6"

# the IPv6 CHILD_SA: charon's IPv6 virtual IP toward ::/0, a second quick mode
swan_ctl --initiate --child v6 --timeout 15 >"$st/v6.log" 2>&1 ||
	{ cat "$st/v6.log" >&2; die "the IPv6 CHILD_SA was not established"; }
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
[ -n "$va" ] || die "no vaN interface on the hub"
hub ip -6 route show "$v6" | grep -q "dev $va" || die "no IPv6 route to $v6 via $va: $(hub ip -6 route)"
mtu=$(hub cat "/sys/class/net/$va/mtu")
[ "$mtu" -ge 1280 ] || die "$va has MTU $mtu, below IPv6's 1280"
pass "$name: IPv6 CHILD_SA up, $va routes $v6/128, MTU $mtu"

cl ping -6 -c 3 -i 0.05 -w 5 fd00:2::10 >/dev/null || die "no IPv6 ping through the tunnel"
cl ping -c 2 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "IPv4 lost after the IPv6 CHILD_SA"
pass "$name: ping -6 fd00:2::10 from $v6 and ping 10.2.1.10 from $v4 through one session"

# the template's ipv6 traffic-filter v6in denies the second inside host, IPv6 only
cl ping -6 -c 2 -i 0.05 -w 3 fd00:2::11 >/dev/null && die "ping -6 fd00:2::11 passed the ipv6 traffic-filter"
grep -q "IPv6 packet from $v6 to fd00:2::11 denied by ipv6 access list v6in" "$st/vpnd.log" ||
	die "the hub did not log the denied IPv6 packet"
cl ping -6 -c 1 -w 3 fd00:2::10 >/dev/null || die "ping -6 fd00:2::10 fails after the denied one"
pass "$name: ipv6 traffic-filter v6in in drops fd00:2::11 and passes fd00:2::10"

# Path MTU toward the client: IPv6 routers never fragment, so a 1500-byte echo from the
# inside host is too big for the vaN; the hub's kernel answers with ICMPv6 Packet Too Big,
# the inside host caches the tunnel's MTU and fragments the next ones itself, and those
# fragments cross the tunnel and are reassembled by the client
inh ip -6 route flush cache >/dev/null 2>&1
# (from fd00:2::10: the answers to fd00:2::11 are what v6in denies)
inh ping -6 -c 4 -i 0.3 -W 2 -s 1500 -I fd00:2::10 "$v6" >"$st/pmtu.out" 2>&1
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$st/pmtu.out")
[ "${got:-0}" -ge 2 ] || die "ping -6 -s 1500 to $v6: ${got:-0} of 4 answered: $(cat "$st/pmtu.out")"
inh ip -6 route get "$v6" from fd00:2::10 | grep -q "mtu $mtu" ||
	die "the inside host did not learn the tunnel's MTU $mtu: $(inh ip -6 route get "$v6")"
pass "$name: ICMPv6 Packet Too Big from the hub gave the inside host the path MTU $mtu; ${got} of 4 fragmented 1500-byte echoes to $v6 answered"
# and the other way: the client fragments, the fragments pass the hub's checks and filter
cl ping -6 -c 3 -i 0.3 -W 2 -s 1500 fd00:2::10 >"$st/pmtu2.out" 2>&1
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$st/pmtu2.out")
[ "${got:-0}" -ge 2 ] || die "ping -6 -s 1500 from the client: ${got:-0} of 3 answered: $(cat "$st/pmtu2.out")"
pass "$name: ${got} of 3 fragmented 1500-byte echoes from the client to fd00:2::10 answered"

# 30 MB each way over each family: what arrives is checked, the rate only printed
for dst in 10.2.1.10 fd00:2::10; do
	for dir in "" "-R"; do
		out="$st/iperf-$dst$dir.json"
		timeout 60 ip netns exec vpnd_cl iperf3 -c "$dst" -n 30M $dir -J >"$out" ||
			die "iperf3 to $dst $dir failed"
		python3 - "$out" "$name" "$dst" "$dir" <<'PY' || die "iperf3 to $dst $dir: short transfer"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
sent = e["sum_sent"]["bytes"]; recv = e["sum_received"]["bytes"]
mbit = e["sum_received"]["bits_per_second"] / 1e6
mss = json.load(open(sys.argv[1]))["start"]["tcp_mss_default"]
print(f"ok: {sys.argv[2]}: iperf3 {sys.argv[3]} {sys.argv[4] or 'cl->in'}: {sent/1e6:.1f} MB "
      f"sent, {recv/1e6:.1f} MB received, {mbit:.0f} Mbit/s, TCP MSS {mss}")
if sent < 30 * 1024 * 1024 or recv < 0.8 * sent:
    sys.exit(f"FAIL: {sent} bytes sent, {recv} received")
# the template's ipv6 tcp adjust-mss 1300 clamps IPv6 only (no ip tcp adjust-mss there)
if (":" in sys.argv[3]) != (mss <= 1300):
    sys.exit(f"FAIL: TCP MSS {mss} to {sys.argv[3]}: ipv6 tcp adjust-mss 1300 should clamp IPv6 only")
PY
	done
done

# RFC 4301 5.2 for IPv6: an authentic ESP packet whose inner source is not the session's
# IPv6 address is dropped, and so is IPv6 on an IPv4 SA. The client's keys are charon's, so a
# pair with known (zero) keys is forged onto the live session (imsg_forge, playing ikemgr);
# test/lib/ezesp.py seals the packets and a listener on the inside host says what arrived.
sid=$(grep -o "session [0-9]* up: user 'alice'" "$st/vpnd.log" | head -1 | awk '{print $2}')
[ -n "$sid" ] || die "no session id in the log"
forge ikemgr tunmgr sa-add6 "$sid" "$v6" 0x4100
forge ikemgr tunmgr sa-add "$sid" "$v4" 32 0x4101
wait_until 5 grep -q "SA in 00004100 .*installed\|SA 00004100 .*installed" "$st/vpnd.log" &&
	wait_until 5 grep -q "SA in 00004101 .*installed\|SA 00004101 .*installed" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; die "the forged pairs were not installed"; }
inject6() { cl python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 "$@" >/dev/null || die "ezesp.py inject $*"; }
listen6 4 >"$st/heard" &
lpid=$!
sleep 0.5
inject6 0x4100 1 fd00:6::99 fd00:2::10
sleep 1.1       # both drops are logged at one call site, one line a second
inject6 0x4101 1 "$v6" fd00:2::10
inject6 0x4100 2 "$v6" fd00:2::10
wait "$lpid"
grep -qx "$v6" "$st/heard" || die "the inside host did not get the echo request from $v6 on the forged IPv6 SA: $(cat "$st/heard")"
grep -q "fd00:6::99" "$st/heard" && die "a packet from fd00:6::99 reached the inside host"
[ "$(grep -c . "$st/heard")" = 1 ] || die "the inside host heard $(grep -c . "$st/heard") echo requests, expected 1"
grep -q "IPv6 packet from fd00:6::99 outside the selector of SA 00004100 dropped" "$st/vpnd.log" ||
	die "the spoofed source on the IPv6 SA was not logged"
grep -q "IPv6 packet from $v6 outside the selector of SA 00004101 dropped" "$st/vpnd.log" ||
	die "IPv6 on the IPv4 SA was not logged"
pass "$name: authentic ESP from fd00:6::99 on $v6's SA, and IPv6 on the IPv4 SA, dropped; from $v6 delivered"

swan_down 10 || { cat "$st/swan/terminate.log" >&2; die "swanctl --terminate failed"; }
wait_until 10 grep -q "down: peer delete" "$st/vpnd.log" || die "session not closed by DELETE"
swan_stop
# the address went back to the pool: a new client gets it again
swan_start "$st/swan2" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	vips=0.0.0.0,:: || die "charon did not start again"
swan_up 20 || die "charon did not connect again"
v6b=$(vips | grep : | head -1)
[ "$v6b" = "$v6" ] || die "second session got '$v6b', expected the released $v6"
pass "$name: $v6 released with the session and given to the next one"
swan_stop
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "$name: errors in the log"; }

name=no-template-ipv6
st=$T/$name
echo "=== $name: the group has an ipv6 pool, the template no 'ipv6 enable'"
mkdir -p "$st"
grep -v "^ ipv6 enable$" "$SRCDIR/test/data/hub-swan6.conf" >"$st/hub.conf"
vpnd_start "$st/hub.conf" "$st"
swan_start "$st/swan" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	vips=0.0.0.0,:: children_extra="$v6child" || die "charon did not start"
swan_up 20 || die "charon did not connect with IPv4 only"
vips | grep -q : && die "an IPv6 address was given through a template without 'ipv6 enable'"
grep -q "Mode Config gave 192.168.1.1[0-9] to user 'alice'" "$st/vpnd.log" ||
	die "the hub did not log the IPv4-only Mode Config"
swan_ctl --initiate --child v6 --timeout 10 >"$st/v6.log" 2>&1 &&
	die "an IPv6 CHILD_SA was accepted without an IPv6 address"
grep -q "IPv6 quick mode for .* refused: the session holds no IPv6 address" "$st/vpnd.log" ||
	die "no log line refusing the IPv6 quick mode"
cl ping -c 1 -w 5 10.2.1.10 >/dev/null || die "IPv4 lost after the IPv6 refusal"
pass "$name: IPv4 only, the IPv6 quick mode refused with its reason"
swan_stop
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "$name: errors in the log"; }
exit 0
