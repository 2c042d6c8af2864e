#!/bin/bash
# The Easy VPN remote's operator side on a running vpnd: the seed's client example
# (etc/seed-ezvpn-client.conf, addresses changed to the hub namespace's), ikemgr's state
# reports played with test/unit/imsg_forge on ikemgr's channel to the parent (IMSG_EZ_STATE),
# and what vpnctl shows of them: show crypto ipsec client ezvpn (text and --json), the row in
# the session store, the event line; a report for a name not configured is ignored, one no
# ikemgr sends (a split count out of range) gets ikemgr killed, and the next start puts the
# row back to CONNECT_REQUIRED. The commands' refusals (unknown names, xauth) come from vpnd.
# ikemgr's own side (connect, clear reaching a server) is tested where it lives.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin ip ss python3
FORGE=${FORGE:-./test/unit/imsg_forge}
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
ns_setup || fail "namespace setup"

# the seed's client example with the hub namespace's addresses: FastEthernet0/0 holds
# 172.18.143.246 (eth0 there), FastEthernet0/1 10.2.1.1 (eth1), the server is 172.18.143.2
CONF=$T/ezvpn-client.conf
sed -e 's/peer 172\.18\.143\.246/peer 172.18.143.2/' -e 's/172\.18\.143\.23 /172.18.143.246 /' \
	-e 's/10\.3\.1\.1 /10.2.1.1 /' "$SRCDIR/etc/seed-ezvpn-client.conf" >"$CONF" ||
	fail "no etc/seed-ezvpn-client.conf"
grep -q "peer 172.18.143.2$" "$CONF" && grep -q "172.18.143.246 255" "$CONF" ||
	fail "the seed's addresses were not changed: $(cat "$CONF")"

role_pid() {   # role_pid ROLE: the pid of vpnd's child of that role
	local p
	for p in $(pgrep -P "$VPND_PID"); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "-X $1" && { echo "$p"; return 0; }
	done
	return 1
}

forge_ikemgr() {   # forge_ikemgr WHAT ARGS...: ikemgr writes a forged message to the parent (fd 3)
	local pid
	pid=$(role_pid ikemgr) || fail "no ikemgr"
	"$FORGE" "$pid" 3 "$@" || fail "imsg_forge $*"
}

ctl() { "$VPNCTL" -S "$st" "$@"; }

st=$T/hub
vpnd_start "$CONF" "$st"

# --- nothing reported yet: connect manual means CONNECT_REQUIRED ---
out=$(ctl show crypto ipsec client ezvpn) || fail "show: $out"
want="Easy VPN Remote Phase: 8

Tunnel name : testvpn
Inside interface list: FastEthernet0/1
Outside interface: FastEthernet0/0
Current State: CONNECT_REQUIRED
Last Event: RESET
Save Password: Disallowed
Current EzVPN Peer: 172.18.143.2"
[ "$out" = "$want" ] || fail "idle show:
$out
--- wanted:
$want"
pass "a configured tunnel with no report: CONNECT_REQUIRED, interfaces from the configuration"

# --- ikemgr reports the tunnel up ---
forge_ikemgr ez-state testvpn IPSEC_ACTIVE 192.168.1.1 1
wait_until 5 sh -c "'$VPNCTL' -S '$st' sh cry ips cl ez | grep -q IPSEC_ACTIVE" ||
	fail "the forged state never showed: $(ctl show crypto ipsec client ezvpn)"
out=$(ctl sh cry ips cl ez testvpn) || fail "show testvpn: $out"
want="Easy VPN Remote Phase: 8

Tunnel name : testvpn
Inside interface list: FastEthernet0/1
Outside interface: Virtual-Access2 (bound to FastEthernet0/0)
Current State: IPSEC_ACTIVE
Last Event: SOCKET_UP
Address: 192.168.1.1 (applied on Virtual-Access2)
Mask: 255.255.255.255
Save Password: Allowed
Split Tunnel List: 1
       Address    : 10.2.0.0
       Mask       : 255.255.255.0
       Protocol   : 0x0
       Source Port: 0
       Dest Port  : 0
Current EzVPN Peer: 172.18.143.246"
[ "$out" = "$want" ] || fail "active show:
$out
--- wanted:
$want"
ctl --json show crypto ipsec client ezvpn | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["tunnels"][0]
assert (t["name"], t["state"], t["address"], t["interface"], t["unit"], t["bound_to"],
        t["session_id"]) == ("testvpn", "IPSEC_ACTIVE", "192.168.1.1", "va2", 2,
        "FastEthernet0/0", 77), t
assert t["split_tunnels"][0]["address"] == "10.2.0.0", t' || fail "--json show"
row=$(ctl sql "SELECT state || '|' || assigned_addr || '|' || split || '|' || session_id FROM ezvpn")
echo "$row" | grep -qx "IPSEC_ACTIVE|192.168.1.1|10.2.0.0/24|77" || fail "store row: $row"
ctl sql "SELECT what FROM events" | grep -qx "ezvpn testvpn: IPSEC_ACTIVE, last event SOCKET_UP" ||
	fail "no event line: $(ctl sql 'SELECT what FROM events')"
pass "ikemgr's report stored (one row, one event line) and shown as IOS shows it, and as JSON"

# a second report replaces the row
forge_ikemgr ez-state testvpn CONNECT_REQUIRED 0.0.0.0 0
wait_until 5 sh -c "'$VPNCTL' -S '$st' sql 'SELECT state FROM ezvpn' | grep -qx CONNECT_REQUIRED" ||
	fail "the second report did not replace the row"
[ "$(ctl sql 'SELECT count(*) FROM ezvpn')" = "$(printf 'count(*)\n1')" ] || fail "more than one row"
ctl show crypto ipsec client ezvpn | grep -q "^Address" && fail "the old address is still shown"
pass "a later report replaces the row"

# a report for a name that is not configured is ignored; vpnd runs on
forge_ikemgr ez-state ghost IPSEC_ACTIVE 192.168.1.2 0
sleep 0.5
kill -0 "$VPND_PID" 2>/dev/null || fail "vpnd died on a report for an unknown name"
ctl sql "SELECT name FROM ezvpn" | grep -q ghost && fail "a row for an unconfigured name"
pass "a report for a name not configured: ignored"

# --- the commands' refusals ---
out=$(ctl crypto ipsec client ezvpn connect nosuch 2>&1) && fail "connect nosuch succeeded: $out"
[ "$out" = "% no crypto ipsec client ezvpn nosuch is configured" ] || fail "connect nosuch: $out"
out=$(ctl clear crypto ipsec client ezvpn nosuch 2>&1) && fail "clear nosuch succeeded: $out"
[ "$out" = "% no crypto ipsec client ezvpn nosuch is configured" ] || fail "clear nosuch: $out"
out=$(ctl show crypto ipsec client ezvpn nosuch 2>&1) && fail "show nosuch succeeded: $out"
out=$(ctl cry ips cl ez xauth 2>&1) && fail "xauth succeeded: $out"
echo "$out" | grep -q "not needed: xauth userid mode local" || fail "xauth: $out"
kill -0 "$VPND_PID" 2>/dev/null || fail "vpnd died"
pass "unknown names refused by connect, clear and show; xauth not needed with mode local"

# --- kill -9 of the parent: the row stays as it was; the next start puts it back ---
forge_ikemgr ez-state testvpn IPSEC_ACTIVE 192.168.1.1 1
wait_until 5 sh -c "'$VPNCTL' -S '$st' sql 'SELECT state FROM ezvpn' | grep -qx IPSEC_ACTIVE" ||
	fail "the report before the crash was not stored"
kill -KILL "$VPND_PID"
wait "$VPND_PID" 2>/dev/null
VPND_PID=
wait_until 10 sh -c "[ -z \"\$(ip netns pids vpnd_hub)\" ]" || fail "children left after kill -9"
# vpnctl sql reads the file itself: no vpnd needed
ctl sql "SELECT state FROM ezvpn" | grep -qx IPSEC_ACTIVE || fail "row after kill -9"
mv "$st/vpnd.log" "$st/vpnd.log.1"
vpnd_start "$CONF" "$st"
row=$(ctl sql "SELECT state || '|' || last_event || '|' || coalesce(assigned_addr, '-') || '|' ||
               coalesce(ifname, '-') FROM ezvpn")
echo "$row" | grep -qx "CONNECT_REQUIRED|RESET|-|-" || fail "row after the restart: $row"
out=$(ctl show crypto ipsec client ezvpn)
echo "$out" | grep -qx "Current State: CONNECT_REQUIRED" && echo "$out" | grep -qx "Last Event: RESET" &&
	echo "$out" | grep -qx "Outside interface: FastEthernet0/0" || fail "show after the restart: $out"
pass "kill -9 of the parent: the row stayed IPSEC_ACTIVE, the next start put it back to CONNECT_REQUIRED (RESET)"

# --- a report no ikemgr sends: ikemgr is killed and vpnd stops ---
forge_ikemgr ez-state testvpn IPSEC_ACTIVE 192.168.1.1 99
wait_until 10 sh -c "! kill -0 $VPND_PID 2>/dev/null" || fail "vpnd still runs after the violation"
wait "$VPND_PID" 2>/dev/null
VPND_PID=
grep -q "protocol error from ikemgr: an ezvpn state with a split network count out of range" \
	"$st/vpnd.log" || { tail -20 "$st/vpnd.log" >&2; fail "no protocol error line"; }
grep -q "ikemgr exited (signal 9)" "$st/vpnd.log" || fail "ikemgr was not killed"
ctl sql "SELECT state FROM ezvpn" | grep -qx CONNECT_REQUIRED || fail "the bad report was stored"
pass "a split count out of range: ikemgr killed, vpnd stopped, nothing stored"
