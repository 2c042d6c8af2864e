#!/bin/bash
# XAUTH and group policy through a real FreeRADIUS, with real vpnc clients:
#  - a RADIUS user gets the Framed-IP-Address its profile names; the first server of the group
#    is a dead port, so this also shows failover to the next server;
#  - a wrong password is rejected by the server;
#  - a group defined only on the RADIUS server (isakmp authorization list naming a RADIUS
#    group): its key comes from ipsec:tunnel-password, its pool/DNS/domain from ipsec: pairs;
#    a wrong group key fails phase 1;
#  - every server dead, 'local' listed next: the local user gets in;
#  - every server dead, no 'local': XAUTH fails promptly, with one log line;
#  - the RADIUS secrets are in keymgr only (not in ikemgr's memory);
#  - every Access-Request carries a Message-Authenticator first (FreeRADIUS is set to require
#    one); a reply without one is refused from a server set to 'message-authenticator
#    required' and, with 'auto', once the server has sent one; spoofed replies (another port,
#    another address) are ignored; junk datagrams before the real reply do not end the wait;
#  - 16 logins at once with the first server dead take one timeout, not 16 (nor 4).
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/radius.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
for tool in vpnc ip python3 freeradius; do
	command -v "$tool" >/dev/null || fail "$tool is missing: scripts/deps.sh installs it"
done

VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
T=$(mktemp -d /tmp/vpnd-radius.XXXXXX)
cleanup() {
	vpnc_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	radius_stop "$T/radius"
	[ -n "${BAD_PID:-}" ] && kill "$BAD_PID" 2>/dev/null
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
	ns_teardown
	rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"

cat >"$T/users" <<'EOF'
bob	Cleartext-Password := "B0bRadiusPw"
	Framed-IP-Address = 192.168.50.77,
	Framed-IP-Netmask = 255.255.255.255,
	Session-Timeout = 3600,
	Class = "acct-bob"
carol	Cleartext-Password := "CarolPw1"
dave	Cleartext-Password := "DavePw1"
	Session-Timeout = 4
erin	Cleartext-Password := "ErinPw1"
	Idle-Timeout = 6
frank	Cleartext-Password := "FrankPw1"
	Filter-Id = "radin"
gina	Cleartext-Password := "GinaPw1"
	Filter-Id = "nosuch"
token	State == "st-1", Cleartext-Password := "123456"
	Reply-Message = "welcome"
token	Cleartext-Password := "pin1", Response-Packet-Type := Access-Challenge
	Reply-Message = "Enter next token",
	State = "st-1"
RADGROUP	Cleartext-Password := "cisco"
	Cisco-AVPair = "ipsec:tunnel-password=RadGroupKey77",
	Cisco-AVPair += "ipsec:addr-pool=group1pool",
	Cisco-AVPair += "ipsec:dns-servers=10.2.1.54",
	Cisco-AVPair += "ipsec:default-domain=radius.test",
	Cisco-AVPair += "ipsec:split-tunnel-list=split1"
EOF
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
ST=$T/vpnd
vpnd_start "$SRCDIR/test/data/hub-radius.conf" "$ST"

# expect_fail NAME DIR SECONDS: vpnc must exit (not connect) within SECONDS
expect_fail() {
	local name=$1 dir=$2 limit=$3
	if ! wait_until "$limit" sh -c "! kill -0 $VPNC_PID"; then
		vpnc_stop
		fail "$name: vpnc still running after $limit s"
	fi
	[ -f "$dir/up" ] && fail "$name: vpnc connected"
	wait "$VPNC_PID" 2>/dev/null
	VPNC_PID=
	# the hub still retransmits to the gone client's port 500 (an XAUTH request after a
	# refused password) for up to 20 s, and the next vpnc on that port takes such a stray
	# datagram for the hub's answer to it: end what the failed client left behind
	"$VPNCTL" -S "$ST" clear crypto isakmp >/dev/null || fail "$name: clear crypto isakmp"
}

echo "=== RADIUS user, first server dead: Framed-IP-Address"
vpnc_start "$T/bob" group=group1 secret=Gk7f3a9c2eSecret user=bob password=B0bRadiusPw ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "bob did not connect through RADIUS"; }
. "$T/bob/up"
[ "$address" = 192.168.50.77 ] || fail "bob got $address, expected the Framed-IP-Address 192.168.50.77"
pass "bob authenticated by FreeRADIUS after DEAD1 timed out, got Framed-IP-Address $address"
grep -q 'User-Name = "bob"' "$T/radius/radiusd.out" || fail "FreeRADIUS did not see bob"
grep -q 'NAS-Port-Type = Virtual' "$T/radius/radiusd.out" || fail "no NAS-Port-Type Virtual in the request"
grep -q 'Calling-Station-Id = "172.18.143.2"' "$T/radius/radiusd.out" || fail "Calling-Station-Id is not the peer address"
grep -q 'NAS-Identifier = "hub"' "$T/radius/radiusd.out" || fail "no NAS-Identifier"
grep -q 'Acct-Session-Id = ' "$T/radius/radiusd.out" || fail "no Acct-Session-Id"
grep -q 'NAS-IP-Address = 127.0.0.1' "$T/radius/radiusd.out" || fail "no NAS-IP-Address"
grep -q 'Message-Authenticator = 0x' "$T/radius/radiusd.out" || fail "no Message-Authenticator in the request"
grep -q 'require_message_authenticator = yes' "$T/radius/radiusd.out" || fail "FreeRADIUS does not require a Message-Authenticator"
pass "Access-Request carries NAS-IP-Address, NAS-Port-Type, Calling-Station-Id, NAS-Identifier, Acct-Session-Id, Message-Authenticator (required by FreeRADIUS)"
cl ping -c1 -w 5 10.2.1.1 >/dev/null || fail "bob: no ping through the tunnel"
pass "bob: ping through the tunnel"

# the secrets of the RADIUS servers: in keymgr's memory, not in ikemgr's
IKEPID=$(child_pid ikemgr); KEYPID=$(child_pid keymgr)
[ -n "$IKEPID" ] && [ -n "$KEYPID" ] || fail "no ikemgr/keymgr process"
in_key=$(python3 "$SRCDIR/test/lib/memscan.py" "$KEYPID" Rs9radiusSecret 2>/dev/null)
in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$IKEPID" Rs9radiusSecret 2>/dev/null)
[ "${in_key:-0}" -ge 1 ] || fail "RADIUS secret not found in keymgr's memory (scan broken?)"
[ "${in_ike:-1}" -eq 0 ] || fail "RADIUS secret found $in_ike times in ikemgr's memory"
pass "RADIUS secret in keymgr only"
vpnc_stop

echo "=== Session-Timeout from the Access-Accept"
vpnc_start "$T/dave" group=group1 secret=Gk7f3a9c2eSecret user=dave password=DavePw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "dave did not connect"; }
wait_until 15 grep -q "down: session timeout" "$ST/vpnd.log" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "dave's session outlived its Session-Timeout of 4 s"; }
pass "Session-Timeout 4 ended dave's session"
vpnc_stop

echo "=== Idle-Timeout from the Access-Accept"
vpnc_start "$T/erin" group=group1 secret=Gk7f3a9c2eSecret user=erin password=ErinPw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "erin did not connect"; }
# traffic for 10 s keeps the session past its 6 s of allowed idleness
cl ping -c 10 -i 1 -w 12 10.2.1.10 >/dev/null || fail "erin: ping loss"
grep -q "down: idle timeout" "$ST/vpnd.log" && fail "erin's session ended while it carried traffic"
t0=$(date +%s)
wait_until 15 grep -q "down: idle timeout" "$ST/vpnd.log" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "erin's idle session outlived its Idle-Timeout of 6 s"; }
pass "Idle-Timeout 6: alive through 10 s of pings, ended $(( $(date +%s) - t0 )) s after the traffic stopped"
vpnc_stop

echo "=== per-user access list (Filter-Id)"
inh ip addr add 10.2.1.11/24 dev inhost 2>/dev/null
vpnc_start "$T/frank" group=group1 secret=Gk7f3a9c2eSecret user=frank password=FrankPw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "frank did not connect"; }
cl ping -c 1 -w 5 10.2.1.10 >/dev/null || fail "frank: no ping to 10.2.1.10"
cl ping -c 2 -i 0.2 -w 3 10.2.1.11 >/dev/null 2>&1 && fail "frank reached 10.2.1.11 through Filter-Id radin"
grep -q "denied by access list radin" "$ST/vpnd.log" || fail "no log line for frank's denied packets"
pass "Filter-Id radin applied to frank's interface: 10.2.1.11 denied (logged), 10.2.1.10 reachable"
vpnc_stop
vpnc_start "$T/gina" group=group1 secret=Gk7f3a9c2eSecret user=gina password=GinaPw1 wait=0
expect_fail "Filter-Id naming no access list" "$T/gina" 20
grep -q "access list 'nosuch' from RADIUS is not configured here" "$ST/vpnd.log" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no log line for gina's refusal"; }
pass "Filter-Id naming no configured access list: gina refused"

echo "=== wrong RADIUS password"
vpnc_start "$T/bad" group=group1 secret=Gk7f3a9c2eSecret user=bob password=wrong wait=0
expect_fail "wrong password" "$T/bad" 20
grep -q "rejected by RADIUS server LIVE" "$ST/vpnd.log" || { tail -20 "$ST/vpnd.log" >&2; fail "no RADIUS reject logged"; }
pass "wrong password rejected by FreeRADIUS"

echo "=== Access-Challenge relay (keymgr's side, through the probe)"
RADIUS_PROBE=${RADIUS_PROBE:-./test/unit/radius_probe}
[ -x "$RADIUS_PROBE" ] || fail "$RADIUS_PROBE is missing (make check builds it)"
out=$(hub "$RADIUS_PROBE" "$SRCDIR/test/data/hub-radius.conf" via_radius group1 token pin1 123456 2>/dev/null) ||
	{ echo "$out" >&2; fail "challenge relay"; }
echo "$out" | grep -q "challenge: Enter next token" || { echo "$out" >&2; fail "challenge message not relayed"; }
grep -aq 'State = 0x' "$T/radius/radiusd.out" || grep -aq 'State = "st-1"' "$T/radius/radiusd.out" ||
	fail "FreeRADIUS never saw the State back"
pass "Access-Challenge: message relayed, answer sent with the State and accepted"

echo "=== malformed replies: rejected, the next server answers"
hub python3 "$SRCDIR/test/lib/radius_bad.py" 18140 FakeSecret "$T/bad.log" &
BAD_PID=$!
wait_until 5 sh -c "ip netns exec vpnd_hub ss -lun | grep -q ':18140 '" || fail "malformed-reply server did not start"
for kind in 0 1 2 3; do
	before=$(grep -ac 'User-Name = "bob"' "$T/radius/radiusd.out")
	out=$(hub "$RADIUS_PROBE" "$SRCDIR/test/data/hub-radius.conf" via_fake group1 bob B0bRadiusPw 2>/dev/null) ||
		{ echo "$out" >&2; fail "malformed reply kind $kind: bob not accepted through LIVE"; }
	after=$(grep -ac 'User-Name = "bob"' "$T/radius/radiusd.out")
	grep -q "malformed kind $kind" "$T/bad.log" || fail "the malformed-reply server did not answer kind $kind"
	[ "$after" -gt "$before" ] || fail "malformed reply kind $kind was taken as an accept (LIVE never asked)"
done
kill "$BAD_PID"; wait "$BAD_PID" 2>/dev/null
pass "bad authenticator, attribute past the packet, bad VSA length, short packet: each refused, LIVE asked next"

echo "=== Message-Authenticator, spoofed and junk replies (test/lib/radius_fake.py)"
grep -qi "does not contain required Message-Authenticator" "$T/radius/radiusd.out" &&
	fail "FreeRADIUS complained about a missing Message-Authenticator"
hub python3 "$SRCDIR/test/lib/radius_fake.py" 18150 FakeSecret2 "$T/fake.log" &
FAKE_PID=$!
wait_until 5 sh -c "ip netns exec vpnd_hub ss -lun | grep -q ':18152 '" || fail "radius_fake.py did not start"
probe_seq() {   # LIST USER PASS...: one line per XAUTH, all in one process; stderr to $T/probe.err
	hub "$RADIUS_PROBE" -s "$SRCDIR/test/data/hub-radius.conf" "$1" group1 "${@:2}" 2>"$T/probe.err"
}
out=$(probe_seq via_fake2 auto noma ma noma)
echo "$out" | sed -n 1p | grep -q "^status 0:" || { echo "$out"; cat "$T/probe.err"; fail "auto: a first reply without Message-Authenticator was refused"; }
grep -q "FAKE2 answers without Message-Authenticator" "$T/probe.err" || fail "auto: no warning for a reply without Message-Authenticator"
echo "$out" | sed -n 2p | grep -q "^status 0:" || { echo "$out"; fail "auto: a reply with Message-Authenticator was refused"; }
echo "$out" | sed -n 3p | grep -q "rejected by RADIUS server LIVE" ||
	{ echo "$out"; cat "$T/probe.err"; fail "auto: after one with Message-Authenticator, a reply without was not refused"; }
grep -q "no Message-Authenticator (required from this server)" "$T/probe.err" || fail "no log line for the refused reply"
[ "$(grep -c 'FAKE2 answers without Message-Authenticator' "$T/probe.err")" -eq 1 ] || fail "the warning was logged more than once"
pass "message-authenticator auto: accepted with a warning until FAKE2 sent one, refused after (LIVE asked next)"
out=$(probe_seq via_fakereq req noma ma)
echo "$out" | sed -n 1p | grep -q "rejected by RADIUS server LIVE" ||
	{ echo "$out"; cat "$T/probe.err"; fail "required: a reply without Message-Authenticator was accepted"; }
echo "$out" | sed -n 2p | grep -q "^status 0:" || { echo "$out"; cat "$T/probe.err"; fail "required: a right reply was refused"; }
pass "message-authenticator required: a reply without one refused, one with accepted"
grep -q "request Message-Authenticator first: no" "$T/fake.log" && fail "an Access-Request without a Message-Authenticator first"
grep -q "request Message-Authenticator first: yes" "$T/fake.log" || fail "radius_fake.py saw no request"
pass "every Access-Request had the Message-Authenticator as its first attribute"
out=$(probe_seq via_fake2 spoof ma)
echo "$out" | grep -q "rejected by RADIUS server LIVE" || { echo "$out"; cat "$T/probe.err"; fail "a reply from a spoofed source was taken"; }
grep -q "spoofed source only" "$T/fake.log" || fail "radius_fake.py did not spoof"
[ "$(grep -c 'not from the address and port the request went to' "$T/probe.err")" -ge 1 ] || fail "spoofed replies not logged as ignored"
pass "replies from another port and from 127.0.0.2: ignored and logged, FAKE2 timed out, LIVE asked"
t0=$(date +%s%N)
out=$(probe_seq via_fake2 junk ma)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$out" | grep -q "^status 0:" || { echo "$out"; cat "$T/probe.err"; fail "junk before the real reply failed the login"; }
grep -q "4 junk datagrams" "$T/fake.log" || fail "radius_fake.py sent no junk"
grep -q "ignored so far" "$T/probe.err" || fail "junk datagrams not logged as ignored"
[ "$ms" -lt 900 ] || fail "the login with junk took $ms ms: the real reply was not taken (timeout is 1 s)"
pass "4 junk datagrams (short, other ID, bad authenticator, bad Length), then the real reply: accepted in $ms ms"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=

echo "=== 16 logins at once, first server dead: not serialized behind it"
out=$(hub "$RADIUS_PROBE" -p 16 "$SRCDIR/test/data/hub-radius.conf" via_radius group1 bob B0bRadiusPw 2>/dev/null) ||
	{ echo "$out"; fail "parallel logins through DEAD1 then LIVE"; }
echo "$out"
secs=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
# DEAD1's retry budget is 1 s (timeout 1, retransmit 0): all 16 wait it out together
awk -v s="$secs" 'BEGIN { exit !(s > 0.9 && s < 2.5) }' ||
	fail "16 logins with DEAD1 silent took $secs s: expected one timeout (1 s), not one per login"
pass "16 parallel logins with the first server dead: $out"

echo "=== group defined on the RADIUS server"
vpnc_start "$T/grp" group=RADGROUP secret=RadGroupKey77 user=carol password=CarolPw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "RADIUS group did not connect"; }
. "$T/grp/up"
case "$address" in 192.168.1.*) ;; *) fail "RADIUS group: $address is not from ipsec:addr-pool group1pool";; esac
[ "$dns" = 10.2.1.54 ] || fail "RADIUS group: DNS '$dns', expected 10.2.1.54 from ipsec:dns-servers"
[ "$domain" = radius.test ] || fail "RADIUS group: domain '$domain', expected radius.test"
pass "group key from ipsec:tunnel-password; pool, DNS, domain from ipsec: pairs ($address)"
grep -q 'User-Name = "RADGROUP"' "$T/radius/radiusd.out" || fail "no group look-up seen by FreeRADIUS"
in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$(child_pid ikemgr)" RadGroupKey77 2>/dev/null)
[ "${in_ike:-1}" -eq 0 ] || fail "the group key from RADIUS is in ikemgr's memory"
pass "group key from RADIUS not in ikemgr's memory"
vpnc_stop

vpnc_start "$T/grpbad" group=RADGROUP secret=NotTheKey user=carol password=CarolPw1 wait=0
expect_fail "wrong group key" "$T/grpbad" 40
pass "wrong group key fails"

echo "=== every server dead, then local"
vpnc_start "$T/dl" group=groupdl secret=GroupDlKey user=alice password=Up55aaSecret ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "local fallback did not connect"; }
grep -q "server group 'RGDEAD' did not answer" "$ST/vpnd.log" || fail "no failover to local logged"
pass "all RADIUS servers dead: local user alice authenticated"
vpnc_stop

echo "=== every server dead, no local"
before=$(grep -c "no authentication server answered" "$ST/vpnd.log")
t0=$(date +%s)
vpnc_start "$T/dn" group=groupdn secret=GroupDnKey user=alice password=Up55aaSecret wait=0
expect_fail "all dead" "$T/dn" 15
t1=$(date +%s)
after=$(grep -c "no authentication server answered" "$ST/vpnd.log")
[ $((after - before)) -eq 1 ] || { grep "no authentication server answered" "$ST/vpnd.log" >&2; fail "expected one log line for the failure, got $((after - before))"; }
grep "no authentication server answered" "$ST/vpnd.log" | tail -1 | grep -q "DEAD1: no answer, DEAD2: no answer" ||
	fail "the failure line does not name the silent servers"
pass "all RADIUS servers dead, no local: XAUTH failed in $((t1 - t0)) s with one log line"

# keymgr kept serving while the workers waited on dead servers: a local user meanwhile
kill -0 "$VPND_PID" || fail "vpnd died"
grep -qiE "sanitizer|runtime error|fatal" "$ST/vpnd.log" && { grep -iE "sanitizer|runtime error|fatal" "$ST/vpnd.log" >&2; fail "errors in the log"; }
vpnd_stop "$ST"
echo "PASS: test_radius"
