#!/bin/bash
# IPv6 outside (issue 14): the client reaches the hub over an IPv6-only network. strongSwan's
# charon (IKEv1 aggressive, PSK + XAuth, kernel-libipsec, so ESP in UDP 4500) dials
# fd00:1::246; neither side of the outside link has an IPv4 address. charon asks Mode Config
# for an IPv4 and an IPv6 address and gets both. Checked:
#  - the session comes up, the hub logs the IPv6 peer, the store and the shows carry it
#    (show crypto session, show crypto isakmp sa, --json), and vpnctl filters by it in any
#    spelling;
#  - IPv4 and IPv6 pings through the tunnel, and iperf3 both ways over IPv4 inside IPv6;
#  - phase-2 and phase-1 rekeys started by charon keep the one session (the hub's periodic
#    DPD runs over IPv6 all along);
#  - the interface's MTU leaves room for the 40-byte IPv6 header;
#  - IKE from an IPv6 /64 counts as one peer for call admission (a flood of sources in one
#    /64 is held to the per-peer limit while another /64 still gets in);
#  - debug crypto condition peer ipv6 A/LEN passes the peer's lines, which name it;
#  - raw ESP (next header 50) over IPv6 both ways: kernel-libipsec speaks ESP in UDP only, so
#    a pair with known keys is forged onto the live session (imsg_forge, playing ikemgr) and
#    test/lib/ezesp.py is the client's end;
#  - clear crypto session remote A takes an IPv6 address in any spelling;
#  - the template's `tunnel mode ipsec ipv4 v6-overlay` is what lets IPv6 peers in: after a
#    reload with plain `tunnel mode ipsec ipv4` a new IPv6 client is refused.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin swanctl iperf3 ip python3 ping
swan_require
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"
# the outside link: IPv6 only
hub ip -4 addr flush dev eth0 && cl ip -4 addr flush dev clout || fail "removing IPv4 outside"
hub ip addr add fd00:1::246/64 dev eth0 nodad && cl ip addr add fd00:1::2/64 dev clout nodad ||
	fail "IPv6 addresses outside"
# IPv6 inside as well
hub sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "IPv6 forwarding on the hub"
hub ip addr add fd00:2::1/64 dev eth1 nodad && inh ip addr add fd00:2::10/64 dev inhost nodad &&
	inh ip -6 route add default via fd00:2::1 || fail "IPv6 addresses inside"
cl ping -c 1 -w 2 172.18.143.246 >/dev/null 2>&1 && fail "the client still reaches the hub over IPv4"
inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!

st=$T/hub
dump() {
	echo "--- vpnd log" >&2; tail -40 "$st/vpnd.log" >&2
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2; grep -E "\[(IKE|NET|CFG|ESP)\]" "$SWAN_DIR/charon.log" | tail -30 >&2; }
}
die() { dump; fail "$*"; }

vips() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/.*local-vips=\[\([0-9a-f.: ]*\)\].*/\1/p' | head -1 | tr ' ' '\n'
}

# a copy: the end of the test reloads it changed
mkdir -p "$st" && cp "$SRCDIR/test/data/hub-out6.conf" "$st/hub.conf" || fail "copying the configuration"
vpnd_start "$st/hub.conf" "$st"
v6child=$(printf '\t\t\tv6 {\n\t\t\t\tesp_proposals = aes128gcm128-modp2048\n\t\t\t\tlocal_ts = fd00:6::1/128\n\t\t\t\tremote_ts = ::/0\n\t\t\t}\n')
swan_start "$T/swan" gateway=fd00:1::246 secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	vips=0.0.0.0,:: children_extra="$v6child" || die "charon did not start"
swan_up 20 || die "charon did not connect to fd00:1::246"
v4=$(vips | grep -v : | head -1)
v6=$(vips | grep : | head -1)
case "$v4" in 192.168.1.1[0-9]|192.168.1.20) ;; *) die "IPv4 virtual IP '$v4' not from group1pool";; esac
[ "$v6" = fd00:6::1 ] || die "IPv6 virtual IP '$v6', expected fd00:6::1"
grep -Eq "session [0-9]+ up: user 'alice' group 'group1' peer \[fd00:1::2\]:4500" "$st/vpnd.log" ||
	die "the hub did not log the session up from [fd00:1::2]:4500"
pass "charon connected over IPv6 only (fd00:1::2 -> fd00:1::246, UDP 4500): $v4 and $v6 inside"

cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no IPv4 ping through the tunnel"
# debug crypto condition peer ipv6: the IPv6 quick mode's lines name the peer and pass a /64
# condition that covers it
"$VPNCTL" -S "$st" debug crypto condition peer ipv6 FD00:1::7/64 >/dev/null || die "peer ipv6 condition refused"
"$VPNCTL" -S "$st" show crypto debug-condition | grep -q "fd00:1::/64" ||
	die "show crypto debug-condition lacks fd00:1::/64"
mark=$(wc -l <"$st/vpnd.log")
swan_ctl --initiate --child v6 --timeout 15 >"$T/v6.log" 2>&1 ||
	{ cat "$T/v6.log" >&2; die "the IPv6 CHILD_SA was not established"; }
cl ping -6 -c 3 -i 0.05 -w 5 fd00:2::10 >/dev/null || die "no IPv6 ping through the tunnel"
pass "IPv4 and IPv6 pings through a tunnel over IPv6"
tail -n +"$mark" "$st/vpnd.log" | grep -q "debug: ISAKMP: \[peer fd00:1::2 user alice" ||
	die "no ISAKMP debug line naming peer fd00:1::2 under condition peer ipv6 fd00:1::/64"
tail -n +"$mark" "$st/vpnd.log" | grep -q "debug: IPSEC: \[peer fd00:1::2 spi 0x" ||
	die "no IPSEC debug line naming peer fd00:1::2"
"$VPNCTL" -S "$st" debug crypto condition reset >/dev/null
pass "debug crypto condition peer ipv6 fd00:1::/64 shows the IPv6 peer's ISAKMP and IPSEC lines"

for dir in up down; do
	r=""
	[ "$dir" = down ] && r=-R
	cl iperf3 -c 10.2.1.10 -n 20M $r -J >"$T/iperf-$dir.json" 2>&1 ||
		die "iperf3 $dir failed: $(tail -5 "$T/iperf-$dir.json")"
	mbit=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' "$T/iperf-$dir.json")
	echo "iperf3 $dir over IPv4 inside IPv6: $mbit Mbit/s"
done
pass "iperf3 20 MB each way over IPv4 inside IPv6"

# rekeys over IPv6, both phases, started by charon: the same session, the tunnel still passes
nsa=$(grep -c "IPsec SA in .* (esp-gcm 128" "$st/vpnd.log")
swan_ctl --rekey --child "$SWAN_CONN" >"$T/rekey2.log" 2>&1 || { cat "$T/rekey2.log" >&2; die "charon's phase-2 rekey failed"; }
wait_until 10 sh -c "[ \$(grep -c 'IPsec SA in .* (esp-gcm 128' '$st/vpnd.log') -gt $nsa ]" ||
	die "no new IPsec SA after charon's phase-2 rekey"
swan_ctl --rekey --ike "$SWAN_CONN" >"$T/rekey1.log" 2>&1 || { cat "$T/rekey1.log" >&2; die "charon's phase-1 rekey failed"; }
wait_until 15 grep -q "phase 1 rekeyed by the client" "$st/vpnd.log" || die "no phase-1 rekey over IPv6"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "tunnel dead after the rekeys over IPv6"
n=$("$VPNCTL" -S "$st" sql "SELECT count(*) FROM sessions WHERE peer_addr = 'fd00:1::2'" | tail -1 | tr -d ' ')
[ "$n" = 1 ] || die "$n session rows for fd00:1::2: a rekey made a new session"
pass "phase-2 and phase-1 rekeys started by charon over IPv6: one session, the tunnel still up"

unit=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created" "$st/vpnd.log" | tail -1 | sed 's/^va\([0-9]*\).*/\1/')
mtu=$(hub cat "/sys/class/net/va$unit/mtu")
# 1500 - 40 (IPv6) - 8 (UDP) - the worst ESP overhead of AES-GCM-128 (8 header, 8 IV,
# 3 padding, 2 trailer, 16 ICV)
[ "$mtu" = 1415 ] || die "va$unit MTU $mtu, expected 1415 for an IPv6 outer header"
pass "va$unit MTU $mtu: room for the IPv6 outer header"

out=$("$VPNCTL" -S "$st" show crypto session) || die "show crypto session failed"
echo "$out" | grep -q "fd00:1::2" || { echo "$out" >&2; die "show crypto session lacks peer fd00:1::2"; }
"$VPNCTL" -S "$st" show crypto isakmp sa | grep -q "fd00:1::2" || die "show crypto isakmp sa lacks fd00:1::2"
"$VPNCTL" -S "$st" show crypto session --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["sessions"] if isinstance(d, dict) else d
assert any("fd00:1::2" in json.dumps(x) for x in s), s' || die "--json lacks the IPv6 peer"
n=$("$VPNCTL" -S "$st" show crypto session remote FD00:1:0:0::2 | grep -c "fd00:1::2")
[ "$n" -ge 1 ] || die "show crypto session remote FD00:1:0:0::2 found nothing"
"$VPNCTL" -S "$st" show crypto ipsec sa peer fd00:1::2 | grep -q "current_peer fd00:1::2" ||
	die "show crypto ipsec sa peer fd00:1::2 lacks the SA"
"$VPNCTL" -S "$st" show crypto session remote fd00:1::99 | grep -q "fd00:1::2" &&
	die "show crypto session remote fd00:1::99 shows fd00:1::2"
rc=$("$VPNCTL" -S "$st" show running-config interface "Virtual-Access$unit") ||
	die "show running-config interface Virtual-Access$unit failed"
echo "$rc" | grep -q "^ tunnel destination fd00:1::2$" && echo "$rc" | grep -q "^ tunnel source fd00:1::246$" &&
	echo "$rc" | grep -q "^ tunnel mode ipsec ipv4 v6-overlay$" ||
	{ echo "$rc" >&2; die "show running-config interface Virtual-Access$unit lacks the IPv6 tunnel lines"; }
pass "the store and the shows carry the IPv6 peer (show running-config interface too); vpnctl filters by it"

# raw ESP over IPv6: a forged pair with zero keys toward fd00:1::2 (the session's encapsulation
# becomes raw ESP). An echo request sealed on 0x4101 reaches the inside host and moves the
# client's address onto the new pair; the inside host's ping then leaves sealed on 0x1000, and
# ezesp.py answers it on 0x4101
name=raw6
sid=$(grep -o "session [0-9]* up: user 'alice'" "$st/vpnd.log" | head -1 | awk '{print $2}')
[ -n "$sid" ] || die "no session id in the log"
forge ikemgr tunmgr sa-add "$sid" "$v4" 32 0x4101 fd00:1::2
wait_until 5 grep -q "SA in 00004101 .*installed" "$st/vpnd.log" || die "the forged pair was not installed"
cl python3 "$SRCDIR/test/lib/ezesp.py" answer fd00:1::246 0x1000 0x4101 >"$T/answer.log" 2>&1 &
apid=$!
sleep 0.5
cl python3 "$SRCDIR/test/lib/ezesp.py" inject fd00:1::246 0x4101 5 "$v4" 10.2.1.10 >/dev/null ||
	die "ezesp.py inject over IPv6 failed"
sleep 0.5
inh ping -c 1 -W 5 "$v4" >/dev/null || { cat "$T/answer.log" >&2; die "no ping from the inside host over raw ESP in IPv6"; }
wait "$apid" || { cat "$T/answer.log" >&2; die "ezesp.py saw no echo request over raw ESP in IPv6"; }
grep -q "echo request on SPI 00001000; answered on SPI 00004101" "$T/answer.log" ||
	{ cat "$T/answer.log" >&2; die "ezesp.py did not answer"; }
pass "raw ESP over IPv6 both ways (forged pair 0x4101/0x1000 toward fd00:1::2)"

"$VPNCTL" -S "$st" clear crypto session remote fd00:1::99 >/dev/null || die "clear remote fd00:1::99 failed"
sleep 1
hub ip link show "va$unit" >/dev/null 2>&1 || die "clear crypto session remote fd00:1::99 removed va$unit"
# the operator's spelling need not be inet_ntop's
"$VPNCTL" -S "$st" clear crypto session remote FD00:1:0::2 >/dev/null || die "clear remote FD00:1:0::2 failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show va$unit >/dev/null 2>&1" ||
	die "va$unit still there after clear crypto session remote FD00:1:0::2"
"$VPNCTL" -S "$st" show crypto session | grep -q "fd00:1::2" && die "the session is still shown after its clear"
pass "clear crypto session remote FD00:1:0::2 ended it (remote fd00:1::99 did not), va$unit is gone"
swan_stop

# IKEv2 over the IPv6-only outside: IKE_SA_INIT and IKE_AUTH to [fd00:1::246], ESP in UDP
# over IPv6, an IPv4 address inside
swan_v2_start "$T/swan-v2" gateway=fd00:1::246 local_id=client6.example.com \
	remote_id=hub6.example.com sign_key=Cl6v2RemoteKey verify_key=Hub6v2LocalKey esp=aes128gcm128 ||
	die "the IKEv2 charon did not start"
swan_up 15 || die "charon did not connect with IKEv2 to fd00:1::246"
swan_sas | grep -q "ESTABLISHED, IKEv2" || die "no IKEv2 SA"
swan_sas | grep -q "remote 'hub6.example.com' @ fd00:1::246\[4500\]" ||
	{ swan_sas; die "the IKEv2 SA is not with hub6.example.com at [fd00:1::246]:4500"; }
v4=$(vips | grep -v : | head -1)
case "$v4" in 192.168.1.1[0-9]|192.168.1.20) ;; *) die "IKEv2 virtual IP '$v4' not from group1pool";; esac
cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no IPv4 ping through the IKEv2 tunnel over IPv6"
"$VPNCTL" -S "$st" show crypto ikev2 sa | grep -Eq "fd00:1::246/4500 +fd00:1::2/4500 .*READY" ||
	{ "$VPNCTL" -S "$st" show crypto ikev2 sa; die "show crypto ikev2 sa: no READY SA with fd00:1::2"; }
pass "IKEv2 over IPv6 outside: PSK both ways, $v4 inside, ping, show crypto ikev2 sa (IPv6 table)"
swan_stop

# as on IOS, a template whose tunnel mode names an IPv4 overlay takes no IPv6 peer
sed -i 's/^ tunnel mode ipsec ipv4 v6-overlay$/ tunnel mode ipsec ipv4/' "$st/hub.conf"
out=$("$VPNCTL" -S "$st" reload 2>&1) || die "reload refused: $out"
swan_start "$T/swan2" gateway=fd00:1::246 secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret ||
	die "the second charon did not start"
swan_up 10 && die "an IPv6 peer connected through a 'tunnel mode ipsec ipv4' template"
wait_until 5 grep -q "Virtual-Template1 takes IPv4 peers only (tunnel mode ipsec ipv4), no session from an IPv6 one" "$st/vpnd.log" ||
	die "no refusal naming the template's tunnel mode"
pass "a 'tunnel mode ipsec ipv4' template refuses an IPv6 peer (v6-overlay or dual-overlay take one)"
swan_stop
n0=$(grep -c "IKEv2 session [0-9]*: Virtual-Template1 takes IPv4 peers only" "$st/vpnd.log")
swan_v2_start "$T/swan-v2b" gateway=fd00:1::246 local_id=client6.example.com \
	remote_id=hub6.example.com sign_key=Cl6v2RemoteKey verify_key=Hub6v2LocalKey esp=aes128gcm128 ||
	die "the second IKEv2 charon did not start"
swan_up 10 && die "an IPv6 IKEv2 peer connected through a 'tunnel mode ipsec ipv4' template"
wait_until 5 sh -c "[ \$(grep -c 'IKEv2 session [0-9]*: Virtual-Template1 takes IPv4 peers only' '$st/vpnd.log') -gt $n0 ]" ||
	die "no IKEv2 refusal naming the template's tunnel mode"
pass "the same template refuses an IPv6 IKEv2 peer (AUTHENTICATION_FAILED, logged)"
swan_stop

# last: the flood's SAs stay in negotiation. It comes from fd00:1:0:5::/64, not the client's
# /64 (whose refused attempts above may still hold a slot)
# call admission per /64 (the configuration allows 5 in negotiation per peer): 40 main mode
# starts from 40 addresses of one /64 get 5 SAs, then one from another /64 still gets in
flood() {
	cl python3 - "$@" <<'PY'
import os, socket, struct, sys
def start():
    attrs = struct.pack("!10H", 0x8001, 7, 0x800e, 256, 0x8002, 4, 0x8003, 1, 0x8004, 14)
    t = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    p = struct.pack("!BBHBBBB", 0, 0, 8 + len(t), 1, 1, 0, 1) + t
    sa = struct.pack("!BBHII", 0, 0, 12 + len(p), 1, 1) + p
    return os.urandom(8) + bytes(8) + bytes([1, 0x10, 2, 0]) + struct.pack("!II", 0, 28 + len(sa)) + sa
for i, src in enumerate(sys.argv[1:]):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND: any address of the /64
    s.bind((src, 20000 + i))
    s.sendto(start(), ("fd00:1::246", 500))
    s.close()
PY
}
perpeer() {
	"$VPNCTL" -S "$st" show crypto call admission statistics |
		sed -n 's/.*per-peer limit: \([0-9]*\).*/\1/p'
}
flood $(for i in $(seq 1 40); do printf 'fd00:1:0:5::%x ' $((0x1000 + i)); done) || die "the flood script failed"
refused() { [ "$(perpeer)" = "$1" ]; }
wait_until 5 refused 35 ||
	{ "$VPNCTL" -S "$st" show crypto call admission statistics >&2; die "40 starts from one /64: $(perpeer) refused by the per-peer limit, expected 35"; }
grep -q "main mode from fd00:1:0:5::10[0-9a-f]*: 5 IKE SAs from that address are in negotiation (the per-peer limit), dropped" "$st/vpnd.log" ||
	die "no log line for the per-peer limit"
flood fd00:1:0:77::5 || die "the flood script failed"
sleep 1
[ "$(perpeer)" = 35 ] || die "a start from another /64 was refused as the same peer ($(perpeer) refused)"
pass "40 IKE starts from 40 addresses of one /64 held to the per-peer limit of 5; another /64 still admitted"

vpnd_stop "$st"
grep -qiE "sanitizer|runtime error" "$st/vpnd.log" && die "sanitizer report in the hub's log"
exit 0
