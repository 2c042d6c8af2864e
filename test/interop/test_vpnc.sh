#!/bin/bash
# Interop with the real vpnc client (Debian package): seed config (3DES/SHA1/group 2, NAT-T),
# AES-256 with force-natt, and raw ESP (natt none, the seed with its IOS interface names). Each run: connect, ping the inside host,
# 100 MB each way with iperf3, check va interface + route on the hub, disconnect, check they
# are gone. Also: uids/capabilities/chroot of the children and where the group key lives.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin vpnc iperf3 ip python3 ping
ns_setup || fail "namespace setup"

inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!

# scenario NAME CONF NATT_MODE EXPECT(UDP|ESP) [extra vpnc settings...]
scenario() {
	local name=$1 conf=$2 natt=$3 expect=$4; shift 4
	local st=$T/$name
	echo "=== $name: $(basename "$conf"), natt-mode $natt"
	vpnd_start "$conf" "$st"
	if [ "$name" = seed ]; then
		cl python3 "$SRCDIR/test/lib/ikedup.py" 172.18.143.246 || fail "$name: duplicate request"
	fi
	vpnc_start "$st/vpnc" natt="$natt" "$@" || { tail -30 "$st/vpnd.log" >&2; fail "$name: vpnc did not connect"; }
	. "$st/vpnc/up"
	echo "client got $address on $tundev"

	# the session's interface and route on the hub
	local va
	va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
	[ -n "$va" ] || fail "$name: no vaN interface on the hub"
	hub ip -d link show "$va" | grep -q "alias Virtual-Access${va#va}" || fail "$name: $va has no Virtual-Access alias"
	hub ip route show "$address" | grep -q "dev $va" || fail "$name: no route to $address via $va"
	# an IPv4 tunnel: no link-local address, so no router solicitation or MLD into it
	[ -z "$(hub ip -6 addr show dev "$va")" ] || fail "$name: $va has IPv6 addresses: $(hub ip -6 addr show dev "$va")"
	pass "$name: $va (Virtual-Access${va#va}) with route to $address"
	# ip unnumbered IFACE (eth0 or FastEthernet0/0, ...): that device's address lent to the clone
	local un want
	un=$(awk '/^ ip unnumbered/ { print $3; exit }' "$conf")
	if [ -n "$un" ]; then
		case $un in eth0|FastEthernet0/0) want=172.18.143.246 ;; *) want=10.2.1.1 ;; esac
		hub ip -4 -o addr show dev "$va" | grep -q "inet $want" ||
			{ hub ip addr show dev "$va" >&2; fail "$name: $va did not borrow $want from $un"; }
		! grep -q "ip unnumbered" "$st/vpnd.log" || fail "$name: $(grep "ip unnumbered" "$st/vpnd.log")"
		pass "$name: $va borrowed $want (ip unnumbered $un)"
	fi

	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || { tail -30 "$st/vpnd.log" >&2; fail "$name: no ping reply through the tunnel"; }
	cl ping -c 5 -i 0.05 -w 5 10.2.1.10 >/dev/null || fail "$name: ping loss"
	pass "$name: ping through the tunnel"
	grep -q "installed ($expect" "$st/vpnd.log" || fail "$name: SA was not installed as $expect"
	! grep -q "unknown SPI" "$st/vpnd.log" || fail "$name: ESP arrived before its SA was installed"


	for dir in "" "-R"; do
		timeout 60 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -n 100M $dir -J >"$st/iperf$dir.json" \
			|| fail "$name: iperf3 $dir failed"
		python3 - "$st/iperf$dir.json" "$name" "$dir" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
e = r["end"]
sent = e["sum_sent"]["bytes"]; recv = e["sum_received"]["bytes"]
mbit = e["sum_received"]["bits_per_second"] / 1e6
print(f"ok: {sys.argv[2]}: iperf3 {sys.argv[3] or 'cl->in'}: {recv/1e6:.1f} MB received, {mbit:.0f} Mbit/s")
if recv < 100e6:
    sys.exit(f"FAIL: only {recv} bytes arrived")
PY
	done

	if [ "$name" = aes256 ]; then
		# Mode Config attributes from the group: banner, domain, DNS, split-include ACL
		case "$banner" in *"Welcome to the vpnd test hub"*) ;; *) fail "banner not pushed: '$banner'";; esac
		[ "$domain" = example.test ] || fail "default domain not pushed: '$domain'"
		[ "$dns" = 10.2.1.53 ] || fail "DNS not pushed: '$dns'"
		[ "$splitdns" = corp.example,lab.example ] || fail "split-dns not pushed: '$splitdns'"
		[ "$split" = 1 ] && cl ip route show 10.2.1.0/24 | grep -q "$tundev" || fail "split-include 10.2.1.0/24 not pushed"
		pass "$name: Mode Config pushed banner, domain, DNS, split-dns and split-include 10.2.1.0/24"
		# the address is shown as taken from its pool, by whom and where
		pools=$("$VPNCTL" -S "$st" show ip local pool group1pool) || fail "show ip local pool failed"
		echo "$pools" | grep -qE "^ group1pool +192\.168\.1\.10 +192\.168\.1\.20 +10 +1$" &&
			echo "$pools" | grep -qE "^  $address +Virtual-Access[0-9]+ +alice$" ||
			fail "show ip local pool: $pools"
		pass "$name: show ip local pool shows $address in use by alice"
		privsep_checks "$st"
		vpnctl_checks "$st" "$va" "$address"
		# DPD hub -> client: keepalive 10 s in hub-aes.conf; vpnc answers
		wait_until 25 grep -q "peer answers DPD" "$st/vpnd.log" \
			|| { grep -i dpd "$st/vpnd.log" >&2; fail "$name: the client did not answer the hub's DPD"; }
		cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$name: tunnel dead after DPD"
		pass "$name: hub DPD R-U-THERE answered by the client, tunnel still up"
		# a client that dies and comes back (INITIAL-CONTACT) replaces its stale session
		kill -KILL "$VPNC_PID"; wait "$VPNC_PID" 2>/dev/null; VPNC_PID=
		vpnc_start "$st/vpnc" natt="$natt" "$@" || fail "$name: reconnect after kill -9"
		wait_until 5 grep -q "replaces session .* (INITIAL-CONTACT)" "$st/vpnd.log" || fail "$name: stale session not replaced"
		[ "$(hub ip -o link show | grep -c ' va[0-9]')" = 1 ] || fail "$name: stale interface left after reconnect"
		. "$st/vpnc/up"
		va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
		cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$name: no traffic after reconnect"
		pass "$name: reconnect after kill -9 replaced the stale session (INITIAL-CONTACT), one interface"
	fi
	if [ "$name" = seed ]; then
		# DPD client -> hub: vpnc dpd-idle 10 s, no keepalive in the seed config
		wait_until 25 grep -q "answering the peer's DPD" "$st/vpnd.log" \
			|| fail "$name: the hub did not answer the client's DPD"
		cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$name: tunnel dead after DPD"
		pass "$name: client DPD R-U-THERE answered by the hub"
		# the operator clears the session: interface and route go, the row says why
		"$VPNCTL" -S "$st" clear crypto session username cisco | grep -q clearing || fail "$name: clear refused"
		wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || fail "$name: $va still there after clear"
		hub ip route show "$address" | grep -q . && fail "$name: route to $address left after clear"
		sleep 0.3
		"$VPNCTL" -S "$st" show crypto session history | grep -q "End reason: admin clear" || fail "$name: history lacks the cleared session"
		"$VPNCTL" -S "$st" clear crypto session remote 300.1.1.1 | grep -q "Invalid address" || fail "$name: bad address accepted"
		pass "$name: clear crypto session username cisco removed $va and its route"
		vpnc_stop
		vpnd_stop "$st"
		return 0
	fi
	if [ "$name" = rawesp ]; then
		grep -q "esp-3des esp-sha-hmac, PFS" "$st/vpnd.log" || fail "$name: quick mode without the PFS vpnc asked for"
		pass "$name: quick mode with PFS group 2 as the client asked"
		# SIGTERM with the session up: vpnd removes the interface and tells the client
		vpnd_stop "$st"
		hub ip -o link show | grep -q " va[0-9]" && fail "$name: interface left after SIGTERM with a session up"
		wait_until 10 grep -q "received delete\|delete" "$st/vpnc/vpnc.log" || true
		pass "$name: SIGTERM with a live session removed $va"
		vpnc_stop
		return 0
	fi

	vpnc_stop
	wait_until 20 sh -c "! ip netns exec vpnd_hub ip link show $va" || fail "$name: $va still there after disconnect"
	hub ip route show "$address" | grep -q . && fail "$name: route to $address left behind"
	grep -q "down: peer delete" "$st/vpnd.log" || fail "$name: session not closed by the client's DELETE"
	"$VPNCTL" -S "$st" show crypto session history | grep -q "End reason: peer delete" || fail "$name: history lacks the ended session"
	pass "$name: $va and its route removed after disconnect"
	vpnd_stop "$st"
	hub ip -o link show | grep -q " va[0-9]" && fail "$name: interfaces left after SIGTERM"
	grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" && { grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "$name: errors in the log"; }
	return 0
}

vpnctl_checks() {
	local st=$1 va=$2 address=$3 out
	sleep 0.5
	out=$("$VPNCTL" -S "$st" show crypto session) || fail "vpnctl show crypto session failed"
	echo "$out" | grep -q "^Interface: Virtual-Access${va#va}$" || { echo "$out"; fail "vpnctl: no Virtual-Access${va#va}"; }
	echo "$out" | grep -q "^Username: alice$" || fail "vpnctl: username missing"
	echo "$out" | grep -q "^Assigned address: $address$" || fail "vpnctl: assigned address missing"
	"$VPNCTL" -S "$st" --json show crypto session username alice | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 1 and rows[0]["username"] == "alice" and rows[0]["grp"] == "group1", rows
' || fail "vpnctl --json"
	[ "$("$VPNCTL" -S "$st" --json show crypto session username nobody)" = "[
]" ] || fail "vpnctl filter by unknown user should list nothing"
	"$VPNCTL" -S "$st" ping | grep -q pong || fail "vpnctl ping"
	[ "$("$VPNCTL" -S "$st" sql "SELECT username, ifname FROM sessions WHERE ended IS NULL")" = "username|ifname
alice|$va" ] || fail "vpnctl sql"
	"$VPNCTL" -S "$st" sql "DELETE FROM sessions" 2>&1 | grep -q "read-only" || fail "vpnctl sql accepted a write"
	"$VPNCTL" -S "$st" show crypto foo 2>&1 | grep -q "Invalid input" || fail "vpnctl unknown command"
	pass "vpnctl show crypto session (text, --json, filter) ping, sql (read-only)"
}

privsep_checks() {
	local st=$1 ike key tun
	ike=$(child_pid ikemgr); key=$(child_pid keymgr); tun=$(child_pid tunmgr)
	[ -n "$ike" ] && [ -n "$key" ] && [ -n "$tun" ] || fail "children not found"
	local u_ike u_key u_tun
	u_ike=$(awk '/^Uid:/{print $2}' /proc/$ike/status)
	u_key=$(awk '/^Uid:/{print $2}' /proc/$key/status)
	u_tun=$(awk '/^Uid:/{print $2}' /proc/$tun/status)
	[ "$u_ike" != 0 ] && [ "$u_key" != 0 ] && [ "$u_tun" != 0 ] || fail "a child runs as root"
	[ "$u_ike" != "$u_key" ] && [ "$u_ike" != "$u_tun" ] && [ "$u_key" != "$u_tun" ] || fail "children share a uid"
	[ "$(awk '/^CapEff:/{print $2}' /proc/$ike/status)" = 0000000000000000 ] || fail "ikemgr has capabilities"
	[ "$(awk '/^CapPrm:/{print $2}' /proc/$ike/status)" = 0000000000000000 ] || fail "ikemgr has permitted capabilities"
	[ "$(awk '/^CapEff:/{print $2}' /proc/$tun/status)" = 0000000000003000 ] || fail "tunmgr capabilities are not exactly NET_ADMIN+NET_RAW"
	pass "uids ike=$u_ike key=$u_key tun=$u_tun, ikemgr has no capabilities, tunmgr only NET_ADMIN+NET_RAW"
	local in_ike in_key
	in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$ike" Gk7f3a9c2eSecret)
	in_key=$(python3 "$SRCDIR/test/lib/memscan.py" "$key" Gk7f3a9c2eSecret)
	[ "$in_key" -ge 1 ] || fail "group key not found in keymgr's memory (scan broken?)"
	[ "$in_ike" -eq 0 ] || fail "group key found $in_ike times in ikemgr's memory"
	pass "group key: $in_key copies in keymgr, none in ikemgr (session up)"
}

# No NAT between the namespaces: RFC 3947 NAT-D says so, and vpnc stays on raw ESP.
scenario seed "$SRCDIR/etc/seed-dvti.conf" natt ESP dpd=10
scenario aes256 "$SRCDIR/test/data/hub-aes.conf" force-natt UDP secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret
# the seed as pasted from the router: FastEthernet0/0 and 0/1 bind to eth0 and eth1 by address
sed 's#eth0#FastEthernet0/0#g; s#eth1#FastEthernet0/1#g' "$SRCDIR/etc/seed-dvti.conf" >"$T/seed-ios.conf"
scenario rawesp "$T/seed-ios.conf" none ESP pfs=dh2
echo "all vpnc interop scenarios passed"
