#!/bin/bash
# Easy VPN remote with `xauth userid mode interactive`, vpnd against vpnd (the seed examples,
# addresses changed to the test topology's; the client has no username or password, the hub's
# user has a password the test can look for): the server's XAUTH request waits for the
# operator; the log says so in IOS's words and show says XAUTH_PROMPT; vpnctl's
# `crypto ipsec client ezvpn xauth` with a wrong password makes the vpnd hub ask again (it
# gives three tries), so the prompt is pending again; the right one brings the tunnel up and
# the inside host pings through it. With nothing pending, vpnctl prompts for nothing and an
# answer sent straight to the control socket is refused by keymgr. A clear while the prompt
# waits withdraws it, and so does nobody answering within 90 s. Neither password is in either
# side's log or session store.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin ip ping python3
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

hst=$T/hub cst=$T/client
GOOD=Xa-s3cret-91 BAD=Wr0ngPw-7f3a
sed "s/^username cisco password 0 cisco123$/username cisco password 0 $GOOD/" \
	"$SRCDIR/etc/seed-dvti.conf" >"$T/hub.conf"
grep -q "password 0 $GOOD" "$T/hub.conf" || fail "the hub example's user line is not where the test expects it"
sed -e 's/172\.18\.143\.23 /172.18.143.2 /' -e '/^ username cisco password/d' \
	-e 's/^ xauth userid mode local$/ xauth userid mode interactive/' \
	"$SRCDIR/etc/seed-ezvpn-client.conf" >"$T/client.conf"
grep -q "xauth userid mode interactive" "$T/client.conf" || fail "the client example has no xauth line to change"

dump() { echo "--- hub" >&2; tail -20 "$hst/vpnd.log" >&2; echo "--- client" >&2; tail -30 "$cst/vpnd.log" >&2; }
die() { dump; fail "$*"; }
ctl() { "$VPNCTL" -S "$cst" "$@"; }
ezstate() { ctl show crypto ipsec client ezvpn | sed -n 's/^Current State: //p'; }
state_is() { [ "$(ezstate)" = "$1" ]; }
hub_fails() { [ "$(grep -c "XAUTH for user 'cisco' failed" "$hst/vpnd.log")" -ge "$1" ]; }
# the answer as vpnctl would send it, straight to the control socket (no pending check)
raw_answer() { python3 - "$cst/vpnd.sock" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"crypto ipsec client ezvpn xauth testvpn answer %s %s\n" % (b"cisco".hex().encode(), b"nothing-held".hex().encode()))
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    out += d
print(out.decode(), end="")
EOF
}

vpnd_start "$T/hub.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"
grep -q "interactive" "$cst/vpnd.log" && die "the client warned about xauth userid mode interactive"

# nothing pending yet: no prompt, a refusal
out=$(printf 'cisco\n%s\n' "$GOOD" | ctl crypto ipsec client ezvpn xauth testvpn 2>"$T/err") &&
	die "xauth with nothing pending succeeded: $out"
[ "$out" = "% testvpn: no XAUTH request pending" ] || die "xauth with nothing pending said: $out"
grep -q "Username:" "$T/err" && die "vpnctl prompted with nothing pending"
out=$(raw_answer)
[ "$out" = "% testvpn: no XAUTH request pending" ] || die "keymgr took an answer with nothing held: $out"
pass "nothing pending: no prompt, and an answer sent anyway is refused"

# the server asks: the request waits for the operator
ctl crypto ipsec client ezvpn connect testvpn >/dev/null || die "vpnctl connect refused"
wait_until 20 state_is XAUTH_PROMPT || { ctl show crypto ipsec client ezvpn >&2; die "no XAUTH_PROMPT after connect"; }
ctl show crypto ipsec client ezvpn
grep -q "EZVPN(testvpn): Pending XAuth Request, Please enter the following command:" "$cst/vpnd.log" ||
	die "the log lacks IOS's pending XAuth request line"
grep -q "EZVPN: crypto ipsec client ezvpn xauth" "$cst/vpnd.log" || die "the log lacks the command to enter"
ctl show crypto ipsec client ezvpn --json | python3 -c 'import json, sys
assert json.load(sys.stdin)["tunnels"][0]["state"] == "XAUTH_PROMPT"' || die "the JSON show is not XAUTH_PROMPT"
pass "the server's XAUTH request waits: IOS's log lines, show says XAUTH_PROMPT"

# a clear withdraws the request: keymgr no longer holds it
ctl clear crypto ipsec client ezvpn testvpn >/dev/null || die "clear refused"
wait_until 10 state_is CONNECT_REQUIRED || die "clear during the prompt did not end the attempt"
out=$(raw_answer)
[ "$out" = "% testvpn: no XAUTH request pending" ] || die "keymgr kept the request after the clear: $out"
pass "a clear during the prompt withdraws the request"

# a wrong password: the vpnd hub asks again, the prompt is pending again
ctl crypto ipsec client ezvpn connect testvpn >/dev/null || die "vpnctl connect refused"
wait_until 20 state_is XAUTH_PROMPT || die "no XAUTH_PROMPT after the second connect"
out=$(printf 'cisco\n%s\n' "$BAD" | ctl crypto ipsec client ezvpn xauth testvpn 2>"$T/err") ||
	die "the wrong answer was not sent: $out"
echo "$out"
[ "$out" = "testvpn: XAUTH answer sent to the server" ] || die "xauth answered: $out"
grep -q "Username: Password:" "$T/err" || { cat "$T/err" >&2; die "vpnctl did not prompt Username: and Password:"; }
wait_until 20 hub_fails 1 || die "the hub did not refuse the wrong password"
wait_until 20 state_is XAUTH_PROMPT || { ctl show crypto ipsec client ezvpn >&2; die "no XAUTH_PROMPT after the server asked again"; }
[ "$(grep -c "Pending XAuth Request" "$cst/vpnd.log")" -ge 3 ] || die "the second request of this attempt was not logged"
pass "a wrong password: the hub asks again and the prompt is pending again"

# the right one: up, and the inside host's ping goes through
t0=$(date +%s%N)
out=$(printf 'cisco\n%s\n' "$GOOD" | ctl crypto ipsec client ezvpn xauth 2>"$T/err") || die "the answer was not sent: $out"
wait_until 20 state_is IPSEC_ACTIVE || { ctl show crypto ipsec client ezvpn >&2; die "not IPSEC_ACTIVE after the right password"; }
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping from the client's inside host through the tunnel"
echo "from the answer to the first ping through the tunnel: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
"$VPNCTL" -S "$hst" show crypto session detail | grep -q "cisco" || die "the hub shows no session of user cisco"
out=$(printf 'cisco\n%s\n' "$GOOD" | ctl crypto ipsec client ezvpn xauth testvpn 2>&1) && die "xauth while up succeeded: $out"
echo "$out" | grep -q "% testvpn: no XAUTH request pending" || die "xauth while up said: $out"
pass "the right password: IPSEC_ACTIVE and the inside host pings through"

# no password anywhere: logs (with debug lines), session stores, in clear or as vpnctl's hex
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
for pw in "$GOOD" "$BAD" "$(hex "$GOOD")" "$(hex "$BAD")"; do
	for f in "$hst/vpnd.log" "$cst/vpnd.log" "$hst"/vpnd.db* "$cst"/vpnd.db*; do
		[ -f "$f" ] || continue
		grep -aqF "$pw" "$f" && die "$pw is in $f"
	done
done
ls "$cst"/vpnd.db >/dev/null || die "the client has no session store to check"
pass "neither password is in a log or a session store"

# nobody answers: the client gives up after its 90 s (the hub, without crypto isakmp xauth
# timeout, has dropped its SA after about 20 s of retransmissions), withdraws the request
# and, with connect manual, waits for the operator again
ctl clear crypto ipsec client ezvpn testvpn >/dev/null || die "clear refused"
wait_until 10 state_is CONNECT_REQUIRED || die "not CONNECT_REQUIRED after the clear"
ctl crypto ipsec client ezvpn connect testvpn >/dev/null || die "vpnctl connect refused"
wait_until 20 state_is XAUTH_PROMPT || die "no XAUTH_PROMPT after the last connect"
t0=$(date +%s)
wait_until 110 grep -q "no XAUTH answer from the operator within 90 s" "$cst/vpnd.log" ||
	die "the unanswered prompt did not end the attempt within 110 s"
waited=$(( $(date +%s) - t0 ))
echo "the unanswered prompt ended the attempt after $waited s"
[ "$waited" -ge 85 ] || die "the prompt ended after $waited s, before its 90 s"
wait_until 10 state_is CONNECT_REQUIRED || die "not CONNECT_REQUIRED after the prompt timed out"
out=$(raw_answer)
[ "$out" = "% testvpn: no XAUTH request pending" ] || die "keymgr kept the request after the timeout: $out"
pass "an unanswered prompt ends the attempt after 90 s and is withdrawn"
