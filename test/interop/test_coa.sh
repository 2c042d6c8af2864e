#!/bin/bash
# RFC 5176 Disconnect-/CoA-Requests from FreeRADIUS's radclient (the dynamic-author client,
# 127.0.0.1 in the hub namespace) against vpnc sessions logged in through a real FreeRADIUS:
#  - wrong secret: no answer, the request counted and logged, the session stays;
#  - NAS-Identifier not ours: NAK NAS-Identification-Mismatch; unknown user, or the right user
#    from another address: NAK Session-Context-Not-Found; no identification: NAK
#    Missing-Attribute; a Session-Timeout in a Disconnect-Request: NAK Unsupported-Attribute;
#  - a client not configured: no answer; a retransmission: the same answer, acted on once;
#  - a client on IPv6 (client ::1, its own key): a Disconnect-Request from ::1 ends the
#    session; one signed with another client's key, or from an IPv6 address that is not a
#    client, gets no answer;
#  - an Event-Timestamp an hour old (a replay): NAK Invalid-Request, the session stays; a
#    current one: ACK;
#  - UDP 3799 held by keymgr, its key not in ikemgr, hidden in show running-config;
#  - Disconnect-Request by User-Name, by Framed-IP-Address and Calling-Station-Id, by Acct-Session-Id (with a
#    Message-Authenticator): ACK, the session's interface goes, the end reason is
#    "radius disconnect" in the log and the session history;
#  - CoA-Request Filter-Id naming an ACL that denies a host: traffic to it stops; an ACL that
#    is not configured: NAK Invalid-Attribute-Value; Cisco-AVPair ipsec:inacl back to an ACL
#    that permits: traffic flows again; Session-Timeout 5: the session ends, "session timeout".
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/radius.sh"

interop_begin vpnc ip freeradius radclient
cleanup_more() { radius_stop "$T/radius"; }
ns_setup || fail "namespace setup"

cat >"$T/users" <<'EOF'
bob	Cleartext-Password := "B0bRadiusPw"
	Framed-IP-Address = 192.168.50.77,
	Framed-IP-Netmask = 255.255.255.255
carol	Cleartext-Password := "CarolPw1"
EOF
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
ST=$T/vpnd
CONF=$T/hub-coa.conf
# an ACL that permits everything, for putting traffic back after the blocking one
sed 's/^end$/ip access-list extended allowall\n permit ip any any\nend/' \
	"$SRCDIR/test/data/hub-coa.conf" >"$CONF"
vpnd_start "$CONF" "$ST"
grep -q "dynamic-author: serving" "$ST/vpnd.log" || { tail -20 "$ST/vpnd.log" >&2; fail "keymgr does not serve dynamic-author"; }
KEYPID=$(child_pid keymgr); IKEPID=$(child_pid ikemgr)
hub ss -lunp 'sport = :3799' | grep -q "pid=$KEYPID," ||
	{ hub ss -lunp >&2; fail "UDP 3799 is not held by keymgr ($KEYPID)"; }
hub ss -lunp 'sport = :3799' | grep -q "pid=$VPND_PID," && fail "the parent still holds UDP 3799"
in_key=$(python3 "$SRCDIR/test/lib/memscan.py" "$KEYPID" CoaS3cret 2>/dev/null)
in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$IKEPID" CoaS3cret 2>/dev/null)
[ "${in_key:-0}" -ge 1 ] || fail "the dynamic-author key is not in keymgr's memory (scan broken?)"
[ "${in_ike:-1}" -eq 0 ] || fail "the dynamic-author key is in ikemgr's memory ($in_ike times)"
out=$("$VPNCTL" -S "$ST" show running-config) || fail "show running-config"
echo "$out" | grep -q "^ client 127.0.0.1 server-key <removed>$" || { echo "$out" >&2; fail "show running-config: no dynamic-author client line"; }
echo "$out" | grep -q "^ client ::1 server-key <removed>$" || { echo "$out" >&2; fail "show running-config: no IPv6 dynamic-author client line"; }
echo "$out" | grep -q CoaS3cret && fail "show running-config shows the dynamic-author key"
pass "UDP 3799 held by keymgr only; its key in keymgr, not in ikemgr, hidden by show running-config"

# rc KIND SECRET ATTR...: one request from radclient (one retry, 2 s apart: at most ~6 s),
# its output in $T/rc.out
rc() {
	local kind=$1 secret=$2; shift 2
	printf '%s\n' "$@" | hub timeout 20 radclient -x -r 1 -t 2 127.0.0.1:3799 "$kind" "$secret" \
		>"$T/rc.out" 2>&1
	return 0
}
expect_answer() {  # expect_answer WHAT PATTERN...: every pattern in radclient's output
	local what=$1; shift
	for pat in "$@"; do
		grep -q -- "$pat" "$T/rc.out" || { cat "$T/rc.out" >&2; tail -10 "$ST/vpnd.log" >&2; fail "$what: no '$pat' in radclient's output"; }
	done
}
# stop_cause USER: Acct-Terminate-Cause of USER's last Stop in FreeRADIUS's detail file
DETAIL=$T/radius/log/detail
stop_cause() {
	[ -f "$DETAIL" ] || return 0
	awk -v RS= -v u="$1" '/Acct-Status-Type = Stop/ && index($0, "User-Name = \"" u "\"") { rec = $0 }
		END { if (match(rec, /Acct-Terminate-Cause = [A-Za-z-]+/)) print substr(rec, RSTART + 23, RLENGTH - 23) }' "$DETAIL"
}
nva() { hub ip -o link show | grep -c ' va[0-9]'; }
# session_gone NAME: its interface goes, and the log and the history give the reason
session_gone() {
	local name=$1 before=$2
	wait_until 10 sh -c "[ \$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]') -eq 0 ]" ||
		fail "$name: interface still there 10 s after the Disconnect-ACK"
	[ "$(grep -c 'down: radius disconnect' "$ST/vpnd.log")" -gt "$before" ] ||
		{ tail -20 "$ST/vpnd.log" >&2; fail "$name: no 'down: radius disconnect' in the log"; }
	wait_until 5 sh -c "'$VPNCTL' -S '$ST' show crypto session history | grep -q 'End reason: radius disconnect'" ||
		fail "$name: the session history does not say 'radius disconnect'"
}
connect() {  # connect DIR USER PASSWORD
	vpnc_start "$1" group=group1 secret=Gk7f3a9c2eSecret user="$2" password="$3" ||
		{ tail -30 "$ST/vpnd.log" >&2; fail "$2 did not connect through RADIUS"; }
	[ "$(nva)" -eq 1 ] || fail "$2: expected one virtual-access interface, found $(nva)"
}

echo "=== refused requests: the session stays"
connect "$T/bob1" bob B0bRadiusPw
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "bob: no ping through the tunnel"
rc disconnect WrongSecret "User-Name = bob"
grep -q "Received Disconnect" "$T/rc.out" && { cat "$T/rc.out" >&2; fail "a request with the wrong secret was answered"; }
grep -q "dropped: bad Request Authenticator" "$ST/vpnd.log" || { tail -5 "$ST/vpnd.log" >&2; fail "the wrong-secret request was not logged as dropped"; }
[ "$(nva)" -eq 1 ] || fail "a request with the wrong secret ended the session"
pass "wrong secret: no answer, dropped and logged, session kept"
rc disconnect CoaS3cret "User-Name = bob" "NAS-Identifier = other-nas"
expect_answer "NAS-Identifier mismatch" "Received Disconnect-NAK" "Error-Cause = NAS-Identification-Mismatch"
rc disconnect CoaS3cret "User-Name = nobody"
expect_answer "unknown user" "Received Disconnect-NAK" "Error-Cause = Session-Context-Not-Found"
rc disconnect CoaS3cret "User-Name = bob" "Calling-Station-Id = 10.9.9.9"
expect_answer "right user, other client address" "Received Disconnect-NAK" "Error-Cause = Session-Context-Not-Found"
rc disconnect CoaS3cret "NAS-Identifier = hub"
expect_answer "no identification" "Received Disconnect-NAK" "Error-Cause = Missing-Attribute"
rc disconnect CoaS3cret "User-Name = bob" "Session-Timeout = 60"
expect_answer "change in a Disconnect" "Received Disconnect-NAK" "Error-Cause = Unsupported-Attribute"
[ "$(nva)" -eq 1 ] || fail "a NAKed request ended the session"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "bob: no ping after the refused requests"
pass "NAKs: NAS-Identification-Mismatch, Session-Context-Not-Found (unknown user; user right but Calling-Station-Id not), Missing-Attribute, Unsupported-Attribute; session kept"

echo "=== Disconnect-Request by User-Name"
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
rc disconnect CoaS3cret "User-Name = bob" "NAS-Identifier = hub" "NAS-IP-Address = 127.0.0.1"
expect_answer "disconnect bob" "Received Disconnect-ACK"
session_gone "by User-Name" "$n0"
grep -q "dynamic-author: Disconnect-Request from 127.0.0.1 for User-Name 'bob'.*Disconnect-ACK (1 session" "$ST/vpnd.log" ||
	{ grep dynamic-author "$ST/vpnd.log" >&2; fail "no log line for the Disconnect-Request"; }
wait_until 10 sh -c "awk -v RS= '/Acct-Status-Type = Stop/ && /\"bob\"/' '$DETAIL' 2>/dev/null | grep -q ." ||
	fail "no accounting Stop for bob after the Disconnect-Request"
[ "$(stop_cause bob)" = Admin-Reset ] || fail "bob's Stop has Acct-Terminate-Cause '$(stop_cause bob)', expected Admin-Reset"
pass "Disconnect-Request User-Name bob: ACK, interface gone, end reason 'radius disconnect' (Stop: Admin-Reset), logged"
vpnc_stop

echo "=== Disconnect-Request by Framed-IP-Address"
connect "$T/bob2" bob B0bRadiusPw
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
rc disconnect CoaS3cret "Framed-IP-Address = 192.168.50.77" "Calling-Station-Id = 172.18.143.2"
expect_answer "disconnect 192.168.50.77" "Received Disconnect-ACK"
session_gone "by Framed-IP-Address" "$n0"
pass "Disconnect-Request Framed-IP-Address 192.168.50.77 + Calling-Station-Id 172.18.143.2: ACK, session gone"
vpnc_stop

echo "=== a client that is not configured; a retransmitted request"
connect "$T/bob3" bob B0bRadiusPw
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" 127.0.0.2 CoaS3cret bob 1)
[ "$out" = "no answer" ] || fail "a request from 127.0.0.2 (not a configured client) got: $out"
grep -q "request from 127.0.0.2 dropped: not a configured client" "$ST/vpnd.log" ||
	fail "the request from 127.0.0.2 was not logged as dropped"
[ "$(nva)" -eq 1 ] || fail "a request from a client that is not configured ended the session"
pass "request from 127.0.0.2 (not a client): no answer, logged, session kept"
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
a0=$(grep -c "for User-Name 'bob': Disconnect-ACK" "$ST/vpnd.log")
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" 127.0.0.1 CoaS3cret bob 2)
[ "$(echo "$out" | grep -c '^answer 41 0 ')" -eq 2 ] || fail "the request and its retransmission: expected two Disconnect-ACKs, got: $out"
[ "$(echo "$out" | sort -u | wc -l)" -eq 1 ] || fail "the retransmission got another answer: $out"
session_gone "retransmitted request" "$n0"
[ "$(grep -c "for User-Name 'bob': Disconnect-ACK" "$ST/vpnd.log")" -eq $((a0 + 1)) ] ||
	fail "the retransmitted request was handled twice"
pass "retransmitted Disconnect-Request: the same ACK again (not a NAK for the gone session), handled once"
vpnc_stop

echo "=== a client on IPv6"
connect "$T/bob6" bob B0bRadiusPw
hub ip addr add fd00:99::2/128 dev lo nodad || fail "an IPv6 address for a stranger"
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" fd00:99::2 CoaV6S3cret bob 1)
[ "$out" = "no answer" ] || fail "a request from fd00:99::2 (not a configured client) got: $out"
grep -q "request from fd00:99::2 dropped: not a configured client" "$ST/vpnd.log" ||
	fail "the request from fd00:99::2 was not logged as dropped"
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" ::1 CoaS3cret bob 1)
[ "$out" = "no answer" ] || fail "a request from ::1 signed with 127.0.0.1's key got: $out"
grep -q "request from ::1 dropped" "$ST/vpnd.log" || fail "the request from ::1 with the wrong key was not logged"
[ "$(nva)" -eq 1 ] || fail "a refused IPv6 request ended the session"
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" ::1 CoaV6S3cret bob 1)
echo "$out" | grep -q '^answer 41 0 ' || fail "a Disconnect-Request from ::1 got: $out"
session_gone "from ::1" "$n0"
grep -q "Disconnect-Request from ::1 for User-Name 'bob': Disconnect-ACK" "$ST/vpnd.log" ||
	fail "no log line for the Disconnect-Request from ::1"
pass "client ::1: Disconnect-Request with its key ACKed, session gone; fd00:99::2 (not a client) and ::1 with another client's key: no answer"
vpnc_stop

echo "=== Event-Timestamp: a stale request is refused, a current one served"
connect "$T/bob4" bob B0bRadiusPw
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" 127.0.0.1 CoaS3cret bob 1 3799 3600)
echo "$out" | grep -q '^answer 42 404 ' || fail "a Disconnect-Request with an Event-Timestamp an hour old got: $out"
grep -qE "Error-Cause 404 \(Event-Timestamp 36[0-9]{2} s from our clock" "$ST/vpnd.log" ||
	fail "no log line for the stale Event-Timestamp"
[ "$(nva)" -eq 1 ] || fail "a stale Disconnect-Request ended the session"
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" 127.0.0.1 CoaS3cret bob 1 3799 2)
echo "$out" | grep -q '^answer 41 0 ' || fail "a Disconnect-Request with a current Event-Timestamp got: $out"
session_gone "current Event-Timestamp" "$n0"
pass "Event-Timestamp 1 h old: Disconnect-NAK Invalid-Request, session kept; 2 s old: ACK, session gone"
vpnc_stop

echo "=== Disconnect-Request by Acct-Session-Id, with a Message-Authenticator"
connect "$T/carol1" carol CarolPw1
sid=$(grep -o 'Acct-Session-Id = "[0-9A-F]*"' "$T/radius/radiusd.out" | tail -1 | cut -d'"' -f2)
[ ${#sid} -eq 16 ] || fail "no Acct-Session-Id of carol's Access-Request in FreeRADIUS's log ('$sid')"
n0=$(grep -c 'down: radius disconnect' "$ST/vpnd.log")
rc disconnect CoaS3cret "Acct-Session-Id = 0000000000000000"
expect_answer "another Acct-Session-Id" "Received Disconnect-NAK" "Error-Cause = Session-Context-Not-Found"
rc disconnect CoaS3cret "Acct-Session-Id = $sid" "Message-Authenticator = 0x00"
expect_answer "disconnect $sid" "Received Disconnect-ACK"
session_gone "by Acct-Session-Id" "$n0"
pass "Disconnect-Request Acct-Session-Id $sid (Message-Authenticator): ACK, session gone"
vpnc_stop

echo "=== CoA-Request: access list, then Session-Timeout"
connect "$T/carol2" carol CarolPw1
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "carol: no ping through the tunnel"
rc coa CoaS3cret "User-Name = carol" "Filter-Id = noinside"
expect_answer "CoA Filter-Id noinside" "Received CoA-ACK"
cl ping -c 2 -i 0.2 -w 3 10.2.1.10 >/dev/null 2>&1 && fail "carol still reaches 10.2.1.10 after CoA Filter-Id noinside"
grep -q "denied by access list noinside" "$ST/vpnd.log" || fail "no log line for carol's denied packets"
unit=$("$VPNCTL" -S "$ST" sql "SELECT unit FROM sessions WHERE username = 'carol' AND ended IS NULL" | tail -1 | tr -dc 0-9)
wait_until 5 sh -c "'$VPNCTL' -S '$ST' show running-config interface Virtual-Access$unit | grep -q 'ip access-group noinside in'" ||
	{ "$VPNCTL" -S "$ST" show running-config interface "Virtual-Access$unit" >&2; fail "show running-config does not show the access list the CoA set"; }
pass "CoA Filter-Id noinside: ACK, traffic to 10.2.1.10 denied"
rc coa CoaS3cret "User-Name = carol" "Filter-Id = nosuch"
expect_answer "CoA Filter-Id nosuch" "Received CoA-NAK" "Error-Cause = Invalid-Attribute-Value"
rc coa CoaS3cret "User-Name = nobody" "Filter-Id = allowall"
expect_answer "CoA unknown user" "Received CoA-NAK" "Error-Cause = Session-Context-Not-Found"
pass "CoA with an ACL not configured: NAK Invalid-Attribute-Value; unknown user: NAK Session-Context-Not-Found"
rc coa CoaS3cret "User-Name = carol" "Cisco-AVPair = \"ipsec:inacl=allowall\""
expect_answer "CoA ipsec:inacl=allowall" "Received CoA-ACK"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || fail "carol: no ping after CoA ipsec:inacl=allowall"
pass "CoA Cisco-AVPair ipsec:inacl=allowall: ACK, traffic flows again"
grep -q "down: session timeout" "$ST/vpnd.log" && fail "a session timed out before any Session-Timeout was set"
rc coa CoaS3cret "User-Name = carol" "Session-Timeout = 5"
expect_answer "CoA Session-Timeout" "Received CoA-ACK"
wait_until 10 grep -q "down: session timeout" "$ST/vpnd.log" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "carol's session outlived the Session-Timeout 5 set by CoA"; }
wait_until 10 sh -c "[ \$(ip netns exec vpnd_hub ip -o link show | grep -c ' va[0-9]') -eq 0 ]" ||
	fail "carol's interface still there after the session timeout"
wait_until 10 sh -c "[ \"\$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"carol\"/' '$DETAIL' | grep -c 'Acct-Status-Type = Stop')\" -ge 2 ]" ||
	fail "no accounting Stop for carol's second session"
[ "$(stop_cause carol)" = Session-Timeout ] || fail "carol's Stop has Acct-Terminate-Cause '$(stop_cause carol)', expected Session-Timeout"
pass "CoA Session-Timeout 5: ACK, session ended with reason 'session timeout' (Stop: Session-Timeout)"
vpnc_stop

echo "--- keymgr's lines for the requests"
grep "dynamic-author" "$ST/vpnd.log"
kill -0 "$VPND_PID" || fail "vpnd died"
grep -qiE "sanitizer|runtime error|fatal" "$ST/vpnd.log" && { grep -iE "sanitizer|runtime error|fatal" "$ST/vpnd.log" >&2; fail "errors in the log"; }
vpnd_stop "$ST"
echo "PASS: test_coa"
