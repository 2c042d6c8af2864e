#!/bin/bash
# tunmgr's side of a static VTI (interface Tunnel0) with ikemgr played by test/unit/imsg_forge:
# the Tunnel0 device and its routes belong to the configuration, so tunmgr takes an SA pair
# for it only toward the configured destination with the selector 0.0.0.0/0, never removes
# the device on ikemgr's word, and gives no other session (hub or Easy VPN) an id from the
# tunnels' range. Nothing answers the destination here: ikemgr keeps dialling, which is what
# a real hub does while its peer is away.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin ip ss python3
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"

st=$T/hub
vpnd_start "$SRCDIR/test/data/hub-vti.conf" "$st"
wait_until 10 sh -c "ip netns exec vpnd_hub ip -o link show Tunnel0 | grep -q UP" ||
	fail "no Tunnel0 device"
TUN0=$((0xffe00000))            # MSG_VTI_SESSION_BASE + 0
TUN1=$((0xffe00001))            # Tunnel1: not in the file

refused() {   # refused PATTERN: tunmgr said so
	wait_until 5 grep -q "$1" "$st/vpnd.log" ||
		{ tail -8 "$st/vpnd.log" >&2; fail "$name: no '$1' in the log"; }
}
no_route() {
	hub ip route show 10.3.1.0/24 | grep -q . && fail "$name: 10.3.1.0/24 routed: $(hub ip route)"
	return 0
}

name=selector
forge ikemgr tunmgr sa-add $TUN0 10.99.0.0 16 0x6001 172.18.143.2
refused "Tunnel0: SA 00006001 refused: a static VTI carries 0.0.0.0/0 only"
forge ikemgr tunmgr sa-add $TUN0 10.3.1.0 24 0x6002 172.18.143.2
refused "Tunnel0: SA 00006002 refused: a static VTI carries 0.0.0.0/0 only"
no_route
pass "$name: SAs for 10.99.0.0/16 and for the routed 10.3.1.0/24 itself refused on Tunnel0, no route in"

name=peer
forge ikemgr tunmgr sa-add $TUN0 0.0.0.0 0 0x6003 172.18.143.3
refused "Tunnel0: SA 00006003 refused: not to its tunnel destination 172.18.143.2"
forge ikemgr tunmgr sa-add $TUN1 0.0.0.0 0 0x6004 172.18.143.2
refused "SA for session $TUN1 without an interface, ignored"
no_route
pass "$name: an SA 0/0 toward another peer, and one for an unconfigured Tunnel1, refused"

name=ids
forge ikemgr tunmgr va-destroy $TUN0
refused "ikemgr asked to remove Tunnel0: refused, the configuration owns it (1 refused so far)"
hub ip -o link show Tunnel0 | grep -q UP || fail "$name: Tunnel0 went on ikemgr's word"
forge ikemgr tunmgr va-create $TUN1 10.9.9.9 32
refused "interface for session $TUN1 refused: the session id is one the configuration's tunnels use"
forge ikemgr tunmgr ez-va $TUN1 hq 172.18.143.2 100.64.7.9
refused "interface for session $TUN1 refused: the session id is one the configuration's tunnels use"
[ "$(hub ip -o link show | grep -c ' va[0-9]')" = 0 ] || fail "$name: an interface was made: $(hub ip -o link show)"
pass "$name: IMSG_VA_DESTROY for Tunnel0 refused (the device stays), a hub and an Easy VPN session with a tunnel's id refused"

# what the configuration allows goes in: the forged pair is refused for nothing but its keys
name=allowed
forge ikemgr tunmgr sa-add $TUN0 0.0.0.0 0 0x6005 172.18.143.2
refused "Tunnel0: routes through it: 1 added"
hub ip route show 10.3.1.0/24 | grep -q "dev Tunnel0" || fail "$name: 10.3.1.0/24 not through Tunnel0: $(hub ip route)"
pass "$name: the pair 0/0 toward 172.18.143.2 taken, 10.3.1.0/24 routed through Tunnel0"

vpnd_stop "$st"
grep -qiE "sanitizer|runtime error" "$st/vpnd.log" && fail "errors in the log"
echo "all VTI forge cases passed"
