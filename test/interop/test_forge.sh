#!/bin/bash
# A taken-over process, played for real: with a hub running and a vpnc session up, this test
# copies a child's channel descriptor (pidfd_getfd, what gdb on that process would give an
# attacker) and writes forged messages on it (test/unit/imsg_forge). Each privileged receiver
# must refuse what its sender may not ask, and a message the catalogue does not allow from
# that sender must get the sender killed (issue 10: "tunmgr obeys ikemgr", "keymgr signs
# whatever it is sent", "the parent takes SESSION_UP/COUNTERS from any child").
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin vpnc ip ss python3 ping
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"

CONF=$SRCDIR/etc/vpnd.conf

start() {
	st=$T/$name
	echo "=== $name"
	vpnd_start "$CONF" "$st"
}

# the hub is killed whole by a violation: the parent must say who and why, and stop
killed() {   # killed OFFENDER PATTERN
	wait_until 10 sh -c "! kill -0 $VPND_PID 2>/dev/null" || fail "$name: vpnd still runs after the violation"
	wait "$VPND_PID" 2>/dev/null
	VPND_PID=
	grep -q "$2" "$st/vpnd.log" || { tail -20 "$st/vpnd.log" >&2; fail "$name: no log line '$2'"; }
	grep -q "$1 exited (signal 9)" "$st/vpnd.log" || { tail -20 "$st/vpnd.log" >&2; fail "$name: $1 was not killed"; }
	hub ip -o link show | grep -q " va[0-9]" && fail "$name: interfaces left behind"
	pass "$name: $1 killed ($(grep -o "$2.*" "$st/vpnd.log" | head -1))"
}

# --- policy refusals: well-formed messages a taken-over ikemgr might send ---
name=policy
start
vpnc_start "$st/vpnc" || { tail -30 "$st/vpnd.log" >&2; fail "$name: vpnc did not connect"; }
. "$st/vpnc/up"
sid=$(grep -o "session [0-9]*: user 'cisco' authenticated" "$st/vpnd.log" | tail -1 | awk '{print $2}' | tr -d :)
[ -n "$sid" ] || fail "$name: no session id in the log"

forge ikemgr tunmgr va-create 9999 0.0.0.0 1
forge ikemgr tunmgr va-create "$sid" 128.0.0.0 1
forge ikemgr tunmgr sa-add "$sid" 0.0.0.0 1 0x4000
forge ikemgr tunmgr sa-add "$sid" 8.8.8.0 24 0x4001
wait_until 6 grep -q "interface for session 9999 refused: keymgr has not authorized it" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse an interface keymgr never authorized"
grep -q "interface for session $sid refused: 128.0.0.0/1: not the address keymgr gave it" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse 128.0.0.0/1 for a live session"
grep -q "SA 00004000 for 0.0.0.0/1 refused: a default or short prefix" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse an SA selector 0.0.0.0/1"
grep -q "SA 00004001 for 8.8.8.0/24 refused: no network extension is allowed" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse an SA selector 8.8.8.0/24"
# an IPv6 selector keymgr never gave this (IPv4-only) session, an address and a prefix
forge ikemgr tunmgr sa-add6 "$sid" 2001:db8::66 0x4002
forge ikemgr tunmgr sa-add6 "$sid" 2001:db8:a0:: 0x4003 48
wait_until 6 grep -q "SA 00004002 for 2001:db8::66/128 refused: the session has no IPv6 address" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse an IPv6 selector keymgr never gave"
wait_until 6 grep -q "SA 00004003 for 2001:db8:a0::/48 refused: the session has no IPv6 address" "$st/vpnd.log" ||
	fail "$name: tunmgr did not refuse an IPv6 prefix selector keymgr never gave"
hub ip -6 route show 2001:db8::66 | grep -q . && fail "$name: 2001:db8::66 routed on the hub"
hub ip -6 route show 2001:db8:a0::/48 | grep -q . && fail "$name: 2001:db8:a0::/48 routed on the hub"
for net in 0.0.0.0/1 128.0.0.0/1 8.8.8.0/24; do
	hub ip route show "$net" | grep -q . && fail "$name: $net routed on the hub: $(hub ip route)"
done
[ "$(hub ip -o link show | grep -c ' va[0-9]')" = 1 ] || fail "$name: a forged interface exists"
pass "$name: tunmgr refused 0.0.0.0/1 and 128.0.0.0/1 interfaces and 0.0.0.0/1, 8.8.8.0/24, 2001:db8::66/128, 2001:db8:a0::/48 selectors; no route"

forge ikemgr keymgr sign
wait_until 5 grep -q "SA 4242: signature refused: no certificate was checked for this SA" "$st/vpnd.log" ||
	fail "$name: keymgr did not refuse to sign for an unchecked SA"
pass "$name: keymgr refused a signature for an SA whose certificate it never checked"

# a duplicate inbound SPI would hide the live session's SA
spi=$(grep -o "IPsec SA in [0-9a-f]*" "$st/vpnd.log" | tail -1 | awk '{print $4}')
[ -n "$spi" ] || fail "$name: no inbound SPI in the log"
forge ikemgr tunmgr sa-add "$sid" "$address" 32 "0x$spi"
wait_until 5 grep -q "SA $spi refused: that inbound SPI is in use" "$st/vpnd.log" ||
	fail "$name: tunmgr took a second SA with the live SPI $spi"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || fail "$name: the session stopped working"
pass "$name: a second SA with the live inbound SPI $spi refused; the session still works"
vpnc_stop
vpnd_stop "$st"

# --- catalogue violations: the sender is killed ---
name="COUNTERS from ikemgr to the parent"
start
forge ikemgr parent counters 1
killed ikemgr "protocol error from ikemgr: .*IMSG_COUNTERS may not come from ikemgr"

name="SESSION_UP from tunmgr to the parent"
start
forge tunmgr parent session-up 1 mallory 10.9.9.9
killed tunmgr "protocol error from tunmgr: .*IMSG_SESSION_UP may not come from tunmgr"
grep -q "user 'mallory'" "$st/vpnd.log" && fail "$name: the forged session was recorded"

name="short VA_CREATE from ikemgr to tunmgr"
start
forge ikemgr tunmgr short IMSG_VA_CREATE
killed ikemgr "tunmgr reports that ikemgr broke the protocol: IMSG_VA_CREATE has 3 bytes"

name="unknown type from ikemgr to keymgr"
start
forge ikemgr keymgr type 7777
killed ikemgr "keymgr reports that ikemgr broke the protocol: unknown message type 7777"

name="AUTHZ from ikemgr to tunmgr"
start
forge ikemgr tunmgr short IMSG_AUTHZ
killed ikemgr "tunmgr reports that ikemgr broke the protocol: IMSG_AUTHZ may not come from ikemgr"

# --- the control process parses operator input: the parent believes none of its requests ---
name="a well-formed debug request from control"
start
forge control parent ctl-debug 1 alice
wait_until 5 sh -c "'$VPNCTL' -S '$st' show crypto debug-condition | grep -qx '  alice'" ||
	fail "$name: the parent did not apply a request control may make"
kill -0 "$VPND_PID" 2>/dev/null || fail "$name: vpnd stopped"
pass "$name: applied, vpnd runs on"
vpnd_stop "$st"

name="CLEAR from control to the parent"
start
forge control parent short IMSG_CLEAR
killed control "protocol error from control: .*IMSG_CLEAR may not come from control"

name="a clear no command makes, from control"
start
forge control parent ctl-clear 99 x
killed control "protocol error from control: a clear request no command makes"

name="a clear with an unterminated name, from control"
start
forge control parent ctl-clear 2 -
killed control "protocol error from control: a clear request no command makes"

name="an XAUTH answer for an ezvpn name no command makes, from control"
start
forge control parent ctl-ezx 'a b'
killed control "protocol error from control: an XAUTH answer no command makes"

name="a debug condition no command makes, from control"
start
forge control parent ctl-debug 1 'a"b'
killed control "protocol error from control: debug settings no command makes"
