#!/bin/bash
# Main mode with pre-shared keys by IPv6 address: strongSwan's charon (IKEv1 main mode, PSK,
# kernel-libipsec) reaches the hub over the IPv6-only outside network of test_ipv6_outside.sh
# (fd00:1::2 -> fd00:1::246 and fd00:1::247), with the IOS lines `pre-shared-key address ipv6`
# and `match identity address ipv6` (hub-mm6.conf). Checked:
#  - remote access: charon's identity is its address (ID_IPV6_ADDR), the key comes from keyring
#    KR6-RA (bound to fd00:1::246), profile ra6 asks for XAuth and Mode Config; bob logs in,
#    gets an address from mmpool, and a ping passes through the tunnel;
#  - the address reached picks the key: fd00:1::247 serves keyring KR6-S2S (site-to-site,
#    no XAuth), whose key fails at fd00:1::246 and the other way round, each refusal logged
#    with the keyring the key came from; the site-to-site peer's IPv4 network is routed into
#    its virtual-access interface and a ping from it passes;
#  - the identity is the ID_IPV6_ADDR payload: one outside the profile's prefix is refused;
#  - show running-config prints the IPv6 lines back.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl ip ping
swan_require
ns_setup || fail "namespace setup"
HUB_RA=fd00:1::246
HUB_S2S=fd00:1::247
KEY_RA=Kr6RaSecret
KEY_S2S=Kr6S2sSecret
NET=192.168.77.1
# the outside link: IPv6 only
hub ip -4 addr flush dev eth0 && cl ip -4 addr flush dev clout || fail "removing IPv4 outside"
hub ip addr add "$HUB_RA/64" dev eth0 nodad && hub ip addr add "$HUB_S2S/64" dev eth0 nodad &&
	cl ip addr add fd00:1::2/64 dev clout nodad || fail "IPv6 addresses outside"
cl ip addr add "$NET/32" dev lo || fail "cannot add $NET to the client"
cl ping -c 1 -w 2 172.18.143.246 >/dev/null 2>&1 && fail "the client still reaches the hub over IPv4"

st=$T/hub
name=setup
dump() {
	echo "--- vpnd log" >&2; tail -40 "$st/vpnd.log" >&2
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG|NET)\]" "$SWAN_DIR/charon.log" 2>/dev/null | tail -30 >&2; }
}
die() { dump; fail "$name: $*"; }
va_of() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1; }

vpnd_start "$SRCDIR/test/data/hub-mm6.conf" "$st"

out=$("$VPNCTL" -S "$st" show running-config) || die "show running-config failed"
for line in "  local-address fd00:1::246" "  pre-shared-key address ipv6 fd00:1::/64 key <removed>" \
	"  pre-shared-key address ipv6 fd00:1::2/128 key <removed>" \
	"   match identity address ipv6 fd00:1::/64"; do
	echo "$out" | grep -qxF "$line" || { echo "$out" >&2; die "running-config lacks '$line'"; }
done
pass "show running-config prints the address ipv6 lines back"

# remote access: main mode, XAuth, Mode Config
name="main mode XAuth to $HUB_RA"
swan_start "$T/ra" gateway="$HUB_RA" secret="$KEY_RA" aggressive=no xauth=yes local_id=fd00:1::2 \
	user=bob password=Bb66Mm6Secret ike=aes256-sha256-modp2048 esp=aes256-sha256 ||
	die "charon did not start"
swan_up 20 || die "charon did not connect"
swan_sas | grep -q "ESTABLISHED, IKEv1" || { swan_sas; die "no IKEv1 SA"; }
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "with fd00:1::2 identity fd00:1::2 profile 'ra6' (key from keyring KR6-RA), starting XAUTH" ||
	die "phase 1 not with ra6, KR6-RA and XAUTH: $(grep 'main mode phase 1' "$st/vpnd.log" | tail -1)"
grep -q "user 'bob' authenticated (group 'mmgroup')" "$st/vpnd.log" || die "bob not authenticated"
vip=$(swan_vip)
case "$vip" in 192.168.3.1[0-9]|192.168.3.20) ;; *) die "virtual IP '$vip' not from mmpool";; esac
cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
va=$(va_of)
[ -n "$va" ] || die "no vaN interface on the hub"
hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va"
"$VPNCTL" -S "$st" show crypto session | grep -q "fd00:1::2" || die "show crypto session lacks fd00:1::2"
pass "$name: identity fd00:1::2, keyring KR6-RA, XAuth as bob, Mode Config gave $vip, ping through $va"
swan_down 10 || die "swanctl --terminate failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
swan_stop

# swan_s2s NAME GATEWAY KEY: charon as a site-to-site main mode PSK peer (no XAuth)
swan_s2s() {
	swan_start "$T/$1" gateway="$2" secret="$3" aggressive=no xauth=no local_id=fd00:1::2 \
		vips= local_ts="$NET/32" remote_ts=10.2.1.0/24 ike=aes256-sha256-modp2048 \
		esp=aes256-sha256 || die "charon did not start"
}

# refused GATEWAY KEY KEYRING: the other address's key fails, with a clear line
refused() {
	local gw=$1 key=$2 keyring=$3
	name="wrong key to $gw"
	swan_s2s "bad-$gw" "$gw" "$key"
	swan_up 6 2>/dev/null && die "charon connected with the other address's key"
	wait_until 5 grep -q "main mode from fd00:1::2 to $gw: .*wrong pre-shared key (the key used was from keyring $keyring" "$st/vpnd.log" ||
		die "no clear log line about the wrong key"
	hub ip -o link show | grep -q " va[0-9]" && die "an interface exists after a failed phase 1"
	swan_stop
	pass "$name: refused; hub log: $(grep -o "main mode from fd00:1::2 to $gw: .*" "$st/vpnd.log" | tail -1)"
}
refused "$HUB_RA" "$KEY_S2S" KR6-RA
refused "$HUB_S2S" "$KEY_RA" KR6-S2S

# site-to-site over IPv6: the peer's IPv4 network from its quick mode IDci
name="main mode site-to-site to $HUB_S2S"
swan_s2s s2s "$HUB_S2S" "$KEY_S2S"
swan_up 20 || die "charon did not connect"
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "with fd00:1::2 identity fd00:1::2 profile 's2s6' (key from keyring KR6-S2S)" ||
	die "phase 1 not with s2s6 and KR6-S2S: $(grep 'main mode phase 1' "$st/vpnd.log" | tail -1)"
grep -q "keyring KR6-RA is bound to $HUB_RA, skipping" "$st/vpnd.log" ||
	die "debug does not say why keyring KR6-RA was skipped for $HUB_S2S"
va=$(va_of)
[ -n "$va" ] || die "no vaN interface on the hub"
wait_until 5 sh -c "ip netns exec vpnd_hub ip route show $NET | grep -q 'dev $va'" || die "no route to $NET via $va"
cl ping -I "$NET" -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no ping from $NET through the tunnel"
pass "$name: keyring KR6-S2S by the address reached, $NET/32 routed via $va, ping through the tunnel"
swan_down 10 || die "swanctl --terminate failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
swan_stop

# the identity is read from the ID_IPV6_ADDR payload, not taken from the source address: one
# outside the profile's prefix is refused although the key (chosen by address) is right
name="identity outside the profile"
swan_start "$T/id" gateway="$HUB_S2S" secret="$KEY_S2S" aggressive=no xauth=no local_id=fd00:5::1 \
	vips= local_ts="$NET/32" remote_ts=10.2.1.0/24 ike=aes256-sha256-modp2048 esp=aes256-sha256 ||
	die "charon did not start"
swan_up 6 2>/dev/null && die "charon connected with an identity no profile matches"
wait_until 5 grep -q "main mode from fd00:1::2: no isakmp profile matches identity address fd00:5::1" "$st/vpnd.log" ||
	die "no clear log line about the identity"
hub ip -o link show | grep -q " va[0-9]" && die "an interface exists after the refused identity"
swan_stop
pass "$name: ID_IPV6_ADDR fd00:5::1 refused by profile s2s6 (fd00:1::/64)"

name=shutdown
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error" "$st/vpnd.log" && die "sanitizer report in the hub's log"
exit 0
