#!/bin/bash
# Interop with strongSwan's charon as a site-to-site IKEv1 peer: main mode, pre-shared keys
# chosen by address, no XAuth, no Mode Config (hub-swan-mm.conf). The peer's own network
# (192.168.77.1/32 on its loopback) comes from its quick mode IDci and is routed into a
# virtual-access interface on the hub; a second CHILD_SA for another of its networks shares
# the interface and gets its own route.
# The "SafeNet" case: the hub gets a second address on eth0 and two keyrings hold different
# keys for the client's address, bound to the two hub addresses. The client reaches each hub
# address with that address's key and succeeds; with the other key it fails, and the hub's log
# says which keyring and profile the key came from. `debug` (-d) shows the skipped keyring.
# Main mode remote access: a third hub address whose profile asks for XAuth and Mode Config;
# charon authenticates as bob, gets a virtual IP from the profile's client group pool.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
for tool in swanctl ip ping unshare; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
swan_require

# its own prefix: on the shared machine /tmp/vpnd-test.* directories vanished under a running test
T=$(mktemp -d /tmp/swanmm_test.XXXXXX)
cleanup() {
	swan_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"

HUB_A=172.18.143.246
HUB_B=172.18.143.247
KEY_A=KaMm41Secret
KEY_B=KbMm77Secret
HUB_C=172.18.143.248
KEY_C=KcMm99Secret
NET=192.168.77.1
hub ip addr add "$HUB_B/24" dev eth0 || fail "cannot add $HUB_B to the hub"
hub ip addr add "$HUB_C/24" dev eth0 || fail "cannot add $HUB_C to the hub"
cl ip addr add "$NET/32" dev lo || fail "cannot add $NET to the client"

st=$T/hub
name=setup
dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG)\]" "$SWAN_DIR/charon.log" 2>/dev/null | tail -30 >&2
}
die() { dump; fail "$name: $*"; }

vpnd_start "$SRCDIR/test/data/hub-swan-mm.conf" "$st"

# swan_mm NAME GATEWAY KEY [LOCAL_TS]: charon as a main mode PSK peer of GATEWAY with KEY
swan_mm() {
	swan_start "$T/$1" gateway="$2" secret="$3" aggressive=no xauth=no local_id="172.18.143.2" \
		vips= local_ts="${4:-$NET/32}" remote_ts=10.2.1.0/24 ike=aes256-sha256-modp2048 \
		esp=aes256-sha256 || die "charon did not start"
}

# connect GATEWAY KEY PROFILE KEYRING: must come up, route and carry traffic
connect() {
	local gw=$1 key=$2 profile=$3 keyring=$4 before va
	name="main mode to $gw"
	before=$(grep -c "main mode phase 1 complete" "$st/vpnd.log")
	swan_mm "mm-$gw" "$gw" "$key"
	swan_up 20 || die "charon did not connect"
	swan_sas | grep -q "ESTABLISHED, IKEv1" || { swan_sas; die "no IKEv1 SA"; }
	wait_until 5 sh -c "[ \$(grep -c 'main mode phase 1 complete' '$st/vpnd.log') -gt $before ]" ||
		die "hub did not log main mode completion"
	grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
		grep -q "profile '$profile' (key from keyring $keyring)" ||
		die "expected profile $profile and keyring $keyring: $(grep 'main mode phase 1' "$st/vpnd.log" | tail -1)"
	pass "$name: main mode PSK by address, profile $profile, keyring $keyring"

	cl ping -I "$NET" -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
	va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
	[ -n "$va" ] || die "no vaN interface on the hub"
	hub ip route show "$NET" | grep -q "dev $va" || die "no route to $NET via $va"
	grep -q "site-to-site peer 172.18.143.2 protects $NET/32" "$st/vpnd.log" ||
		die "hub did not take $NET/32 from the quick mode IDci"
	cl ping -I "$NET" -c 5 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "ping loss"
	pass "$name: $va with route to $NET/32, ping 10.2.1.10 through the tunnel"

	swan_down 10 || die "swanctl --terminate failed"
	wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
	swan_stop
	pass "$name: $va removed after charon's DELETE"
}

# refused GATEWAY KEY KEYRING: the wrong key for that address must fail, with a clear line
refused() {
	local gw=$1 key=$2 keyring=$3
	name="wrong key to $gw"
	swan_mm "bad-$gw" "$gw" "$key"
	swan_up 6 2>/dev/null && die "charon connected with the other address's key"
	wait_until 5 grep -q "main mode from 172.18.143.2 to $gw: .*wrong pre-shared key (the key used was from keyring $keyring" "$st/vpnd.log" ||
		die "no clear log line about the wrong key"
	hub ip -o link show | grep -q " va[0-9]" && die "an interface exists after a failed phase 1"
	swan_stop
	pass "$name: refused; hub log: $(grep -o "main mode from 172.18.143.2 to $gw: .*" "$st/vpnd.log" | tail -1)"
}

connect "$HUB_A" "$KEY_A" s2s-a KR-A
connect "$HUB_B" "$KEY_B" s2s-b KR-B
grep -q "keyring KR-A is bound to $HUB_A, skipping" "$st/vpnd.log" ||
	die "debug does not say why keyring KR-A was skipped for $HUB_B"
pass "SafeNet: debug log says 'keyring KR-A is bound to $HUB_A, skipping'"
refused "$HUB_A" "$KEY_B" KR-A

# a site-to-site peer with a second network: a second CHILD_SA on the same interface, and a
# route to that network too
name="second network of a site-to-site peer"
NET2=192.168.78.1
cl ip addr add "$NET2/32" dev lo || fail "cannot add $NET2 to the client"
swan_start "$T/two" gateway="$HUB_A" secret="$KEY_A" aggressive=no xauth=no local_id=172.18.143.2 \
	vips= local_ts="$NET/32" remote_ts=10.2.1.0/24 ike=aes256-sha256-modp2048 esp=aes256-sha256 \
	children_extra="
			net2 {
				esp_proposals = aes256-sha256
				local_ts = 192.168.78.0/24
				remote_ts = 10.2.1.0/24
			}" || die "charon did not start"
swan_up 20 || die "charon did not connect"
swan_ctl --initiate --child net2 --timeout 15 >"$T/net2.log" 2>&1 || { cat "$T/net2.log" >&2; die "second CHILD_SA refused"; }
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
[ "$(hub ip -o link show | grep -c ' va[0-9]')" = 1 ] || die "a second interface for the second network"
hub ip route show "$NET/32" | grep -q "dev $va" || die "no route to $NET via $va"
hub ip route show 192.168.78.0/24 | grep -q "dev $va" || die "no route to 192.168.78.0/24 via $va: $(hub ip route)"
cl ping -I "$NET" -c 2 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping from $NET"
cl ping -I "$NET2" -c 2 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping from $NET2 (second network)"
pass "$name: $NET/32 and 192.168.78.0/24 both routed via $va, pings from both"
swan_down 10 || die "swanctl --terminate failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
hub ip route show 192.168.78.0/24 | grep -q . && die "the route to the second network outlived the session"
swan_stop

# a site-to-site peer may not claim the hub's inside network as its own
name="IDci of the hub's network"
swan_mm hijack "$HUB_A" "$KEY_A" 10.2.1.0/24
swan_up 6 2>/dev/null && die "charon got a CHILD_SA for the hub's inside network"
wait_until 5 grep -q "quick mode for 10.2.1.0/255.255.255.0 refused: it overlaps the network of the hub's interface eth1" "$st/vpnd.log" ||
	die "no clear log line about the refused IDci"
hub ip route show 10.2.1.0/24 | grep -q "dev eth1" || die "the hub's route to 10.2.1.0/24 changed"
swan_down 5
swan_stop
wait_until 10 sh -c "! ip netns exec vpnd_hub ip -o link show | grep -q ' va[0-9]'" ||
	die "an interface is left after the refused quick mode"
pass "$name: refused (INVALID-ID-INFORMATION), inside route untouched"

# a site-to-site peer gets only the networks its profile's network-extension access-list
# permits: 192.168.79.0/24 is not among them (issue 10)
name="IDci outside the profile's networks"
swan_mm other "$HUB_A" "$KEY_A" 192.168.79.0/24
swan_up 6 2>/dev/null && die "charon got a CHILD_SA for a network its profile does not allow"
wait_until 5 grep -q "quick mode for 192.168.79.0/255.255.255.0 refused: not permitted by network-extension access-list s2snets" "$st/vpnd.log" ||
	die "no clear log line about the network the profile does not allow"
hub ip route show 192.168.79.0/24 | grep -q . && die "192.168.79.0/24 routed on the hub"
swan_down 5
swan_stop
wait_until 10 sh -c "! ip netns exec vpnd_hub ip -o link show | grep -q ' va[0-9]'" ||
	die "an interface is left after the refused quick mode"
pass "$name: refused, only s2snets' networks may be claimed"

refused "$HUB_B" "$KEY_A" KR-B

# main mode with XAuth and Mode Config, as profile ra-mm says
name="main mode XAuth to $HUB_C"
swan_start "$T/ra" gateway="$HUB_C" secret="$KEY_C" aggressive=no xauth=yes local_id=172.18.143.2 \
	user=bob password=Bb66MmSecret ike=aes256-sha256-modp2048 esp=aes256-sha256 ||
	die "charon did not start"
swan_up 20 || die "charon did not connect"
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "profile 'ra-mm' (key from keyring KR-C), starting XAUTH" || die "phase 1 not with ra-mm and XAUTH"
grep -q "user 'bob' authenticated (group 'mmgroup')" "$st/vpnd.log" || die "bob not authenticated"
vip=$(swan_vip)
case "$vip" in 192.168.3.1[0-9]|192.168.3.20) ;; *) die "virtual IP '$vip' not from mmpool";; esac
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
[ -n "$va" ] || die "no vaN interface on the hub"
hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va"
cl ping -c 5 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "ping loss"
pass "$name: XAuth as bob, Mode Config gave $vip, $va with route, ping through the tunnel"
swan_down 10 || die "swanctl --terminate failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
swan_stop

# a site-to-site peer (no XAuth) reaching the remote access address is refused, and told why
name="main mode without XAuth to $HUB_C"
swan_mm ra-plain "$HUB_C" "$KEY_C"
swan_up 6 2>/dev/null && die "charon connected without XAuth to an XAuth profile"
wait_until 5 grep -q "profile 'ra-mm': the profile requires XAUTH" "$st/vpnd.log" ||
	die "no clear log line about the missing XAuth"
swan_stop
pass "$name: refused, the profile requires XAUTH"

name=shutdown
vpnd_stop "$st"
hub ip -o link show | grep -q " va[0-9]" && die "interfaces left after SIGTERM"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "all strongSwan main mode scenarios passed"
