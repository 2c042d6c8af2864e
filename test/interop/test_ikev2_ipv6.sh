#!/bin/bash
# IKEv2 over IPv6 outside, IPv4 and IPv6 inside (issues 12 and 14): strongSwan's charon
# (kernel-libipsec) reaches the hub over an IPv6-only outside link (fd00:1::2 -> fd00:1::246,
# ESP in UDP over IPv6) and asks the configuration payload for both families (vips 0.0.0.0,::).
# test/data/hub-ikev2-ipv6.conf: an authorization policy with an IPv4 and an IPv6 pool and a
# DNS server of each family, a dual-overlay template. Checked:
#  - the CP reply gives an address of each pool (INTERNAL_IP6_ADDRESS /128 beside the IPv4
#    one) and both DNS servers (INTERNAL_IP6_DNS), charon installs both;
#  - the IKE_AUTH CHILD_SA is narrowed to IPv4 (one family per CHILD_SA), charon's second
#    child (remote_ts ::/0) is a CREATE_CHILD_SA on the same IKE SA narrowed to the IPv6
#    address and the ipv6 subnet-acl's fd00:2::/64 (INTERNAL_IP6_SUBNET): several CHILD_SAs on
#    one vaN, which has a route to each address;
#  - ping and iperf3 both ways for each family through the one vaN, at 40 Mbit/s so that the
#    hub rekeys each family's CHILD_SA (2560 KB lifetime) several times under it;
#  - a CHILD_SA for selectors a live one has (a third, IPv4 again) gets NO_ADDITIONAL_SAS and
#    leaves the two working;
#  - the IPv6 CHILD_SA rekeyed by charon (with its selectors kept), ping -6 after;
#  - show crypto session detail names the IPv6 address; charon's DELETE ends everything and
#    the IPv6 address goes back to its pool.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

CONF=$SRCDIR/test/data/hub-ikev2-ipv6.conf
interop_begin swanctl iperf3 ip python3 ping unshare
swan_require resolve
for rc in /sbin/resolvconf /usr/sbin/resolvconf; do
	[ -e "$rc" ] && fail "$rc is installed: charon's resolve plugin would hand it the test's DNS servers"
done
"$VPND" -n -f "$CONF" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses $CONF"; }

ns_setup || fail "namespace setup"
# the outside link: IPv6 only; IPv6 inside beside IPv4
hub ip -4 addr flush dev eth0 && cl ip -4 addr flush dev clout || fail "removing IPv4 outside"
hub ip addr add fd00:1::246/64 dev eth0 nodad && cl ip addr add fd00:1::2/64 dev clout nodad ||
	fail "IPv6 addresses outside"
hub sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "IPv6 forwarding on the hub"
hub ip addr add fd00:2::1/64 dev eth1 nodad && inh ip addr add fd00:2::10/64 dev inhost nodad &&
	inh ip -6 route add default via fd00:2::1 || fail "IPv6 addresses inside"
inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!

st=$T/hub
dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC|CFG|CHD)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -30 >&2; }
}
die() { dump; fail "$*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
va_list() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1; }
vips() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/.*local-vips=\[\([0-9a-f.: ]*\)\].*/\1/p' | head -1 | tr ' ' '\n'
}
children() { swan_sas | grep -c "INSTALLED, TUNNEL"; }
# iperf3 NAME TARGET [-R]: 20 MB; the receiver stops counting at the sender's end with the
# socket buffers (a few MB) in flight: all sent, most counted (as test_ikev2.sh)
iperf() {
	local name=$1 to=$2; shift 2
	timeout 60 ip netns exec vpnd_cl iperf3 -c "$to" -n 20M -b 40M "$@" -J >"$T/iperf-$name.json" ||
		die "iperf3 $name failed"
	python3 - "$T/iperf-$name.json" "$name" <<'PY' || die "iperf3 $name: short transfer"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
sent, got = e["sum_sent"]["bytes"], e["sum_received"]["bytes"]
print(f"iperf3 {sys.argv[2]}: {sent/1e6:.1f} MB sent, {got/1e6:.1f} MB received")
sys.exit(0 if sent >= 20 * 1024 * 1024 and got >= 0.7 * sent else 1)
PY
}

vpnd_start "$CONF" "$st"
v6child=$(printf '\t\t\tv6 {\n\t\t\t\tesp_proposals = aes256-sha256\n\t\t\t\tlocal_ts = dynamic\n\t\t\t\tremote_ts = ::/0\n\t\t\t\tstart_action = none\n\t\t\t}\n\t\t\tagain {\n\t\t\t\tesp_proposals = aes256-sha256\n\t\t\t\tlocal_ts = dynamic\n\t\t\t\tremote_ts = 10.2.1.0/24\n\t\t\t\tstart_action = none\n\t\t\t}\n')
swan_v2_start "$T/swan" gateway=fd00:1::246 local_id=client.example.com remote_id=hub.example.com \
	sign_key=Cl4v2Key3bSecret verify_key=Hub7v2Key9aSecret vips=0.0.0.0,:: \
	children_extra="$v6child" plugins_extra=resolve \
	charon_extra="plugins { resolve { file = $T/resolv.conf } }" || die "charon did not start"
swan_up 20 || die "charon did not connect to fd00:1::246"
swan_sas | grep -q "ESTABLISHED, IKEv2.*" && swan_sas | grep -q "fd00:1::246\[4500\]" ||
	{ swan_sas; die "no IKEv2 SA with fd00:1::246 on UDP 4500"; }
v4=$(vips | grep -v : | head -1)
v6=$(vips | grep : | head -1)
case "$v4" in 192.168.50.1[0-9]|192.168.50.20) ;; *) die "IPv4 virtual IP '$v4' not from flexpool";; esac
[ "$v6" = fd00:7::1 ] || die "IPv6 virtual IP '$v6', expected fd00:7::1 (flexpool6's first)"
cl ip -o -6 addr show | grep -q "inet6 $v6/" || die "charon did not install $v6"
grep -q "^nameserver fd00:2::53" "$T/resolv.conf" && grep -q "^nameserver 10.2.1.53" "$T/resolv.conf" ||
	die "charon did not get both DNS servers: $(cat "$T/resolv.conf" 2>&1)"
pass "IKEv2 over IPv6 (fd00:1::2 -> fd00:1::246): the CP gave $v4 and $v6 and both DNS servers"

[ "$(children)" = 1 ] || { swan_sas; die "more than the IKE_AUTH CHILD_SA"; }
# charon's word for each CHILD_SA it installs: "CHILD_SA NAME{N} established ... TS A === B"
ts_of() { grep -E "CHILD_SA $1\{[0-9]+\} established" "$SWAN_DIR/charon.log" | tail -1 | sed 's/.* and TS //'; }
[ "$(ts_of vpnd)" = "$v4/32 === 0.0.0.0/0" ] ||
	die "the IKE_AUTH CHILD_SA is not narrowed to $v4: $(ts_of vpnd)"

swan_ctl --initiate --child v6 --timeout 10 >/dev/null 2>&1 || die "charon's IPv6 CHILD_SA refused"
[ "$(children)" = 2 ] || { swan_sas; die "not two CHILD_SAs"; }
[ "$(ts_of v6)" = "$v6/128 === fd00:2::/64" ] || die "the second CHILD_SA is not narrowed to $v6: $(ts_of v6)"

va=$(va_list)
[ "$(echo "$va" | wc -l)" = 1 ] && [ -n "$va" ] || die "not one vaN: $va"
hub ip -6 route show "$v6" | grep -q "dev $va" || die "no route to $v6 via $va"
hub ip route show "$v4" | grep -q "dev $va" || die "no route to $v4 via $va"
pass "IKE_AUTH CHILD_SA for $v4, a CREATE_CHILD_SA for $v6 on the same IKE SA: both on $va"

cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no IPv4 ping"
cl ping -6 -c 3 -i 0.05 -w 5 fd00:2::10 >/dev/null || die "no IPv6 ping"
HUB_REKEY='parsed CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No TSi TSr \]'
# (charon logs an SA the peer made twice, as "inbound" and "outbound CHILD_SA ...")
established() { grep -E "CHILD_SA $1\{[0-9]+\} established" "$SWAN_DIR/charon.log" | grep -vc outbound; }
e4=$(established vpnd)
iperf v4 10.2.1.10
iperf v4r 10.2.1.10 -R
r4=$(( $(established vpnd) - e4 ))
e6=$(established v6)
iperf v6 fd00:2::10
iperf v6r fd00:2::10 -R
r6=$(( $(established v6) - e6 ))
[ "$r4" -ge 3 ] && [ "$r6" -ge 3 ] || die "the hub rekeyed the IPv4 CHILD_SA $r4 times, the IPv6 one $r6 times under 40 MB each"
[ "$(grep -cE "$HUB_REKEY" "$SWAN_DIR/charon.log")" -ge $((r4 + r6)) ] || die "rekeys not started by the hub"
[ "$(ts_of v6)" = "$v6/128 === fd00:2::/64" ] && [ "$(ts_of vpnd)" = "$v4/32 === 0.0.0.0/0" ] ||
	die "rekeyed CHILD_SAs with other selectors: $(ts_of vpnd), $(ts_of v6)"
pass "ping and iperf3 both ways for IPv4 and IPv6 through $va; the hub rekeyed the IPv4 CHILD_SA $r4 times, the IPv6 one $r6 times, selectors kept"

swan_ctl --initiate --child again --timeout 10 >/dev/null 2>&1 && die "a third CHILD_SA for $v4 was taken"
grep -q "NO_ADDITIONAL_SAS" "$SWAN_DIR/charon.log" || die "charon did not get NO_ADDITIONAL_SAS"
[ "$(children)" = 2 ] || { swan_sas; die "the refused CHILD_SA changed the others"; }
cl ping -6 -c 2 -i 0.05 -w 5 fd00:2::10 >/dev/null && cl ping -c 2 -i 0.05 -w 5 10.2.1.10 >/dev/null ||
	die "no ping after the refused CHILD_SA"
pass "a CHILD_SA for selectors a live one has: NO_ADDITIONAL_SAS, the two go on"

n6=$(grep -cE "CHILD_SA v6\{[0-9]+\} established" "$SWAN_DIR/charon.log")
swan_ctl --rekey --child v6 >/dev/null || die "swanctl --rekey --child v6"
wait_until 10 sh -c "[ \$(grep -cE 'CHILD_SA v6\{[0-9]+\} established' $SWAN_DIR/charon.log) -gt $n6 ]" ||
	die "the IPv6 CHILD_SA was not rekeyed"
[ "$(ts_of v6)" = "$v6/128 === fd00:2::/64" ] || die "the rekeyed IPv6 CHILD_SA has other selectors: $(ts_of v6)"
wait_until 10 sh -c "[ \$(ip netns exec vpnd_cl swanctl --list-sas --uri unix://$SWAN_DIR/charon.vici | grep -c 'INSTALLED, TUNNEL') = 2 ]" ||
	{ swan_sas; die "not two CHILD_SAs after the rekey"; }
cl ping -6 -c 3 -i 0.05 -w 5 fd00:2::10 >/dev/null || die "no IPv6 ping after its rekey"
pass "the IPv6 CHILD_SA rekeyed by charon, same selectors, ping -6 after"

ctl show crypto session detail | grep -q "Assigned IPv6 address: $v6" || die "show crypto session detail lacks $v6"
swan_down 10 || die "charon did not hang up"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" >/dev/null 2>&1 || die "$va still there"
pass "show crypto session detail names $v6; charon's DELETE ends the session"
