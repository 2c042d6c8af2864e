#!/bin/bash
# RADIUS accounting against a real FreeRADIUS (its detail file), with real vpnc clients:
#  - Start when a session is up: Acct-Session-Id, User-Name, Framed-IP-Address, Class,
#    Calling-Station-Id, NAS-Port-Type;
#  - Stop with octets that match iperf3 transfers of known sizes each way (within protocol
#    overhead), packets, Session-Time, Class, Acct-Terminate-Cause Admin-Reset (clear crypto
#    session) and Session-Timeout;
#  - the server killed mid-session: records wait in SQLite and arrive afterwards, once each
#    and in order, when it is back;
#  - Interim-Update with counters under `aaa accounting update periodic 1`;
#  - vpnd killed with -9: the next start sends the open session's Stop with NAS-Reboot, then
#    Accounting-On; vpnd stopped (SIGTERM) with a session up: its Stop (Admin-Reboot) and
#    Accounting-Off wait in SQLite and go after the restart, before Accounting-On;
#  - per-user Framed-Route and ip:interface-config (vpnc), and a strongSwan user with its own
#    address, route and access list (Filter-Id), whose disconnect is a User-Request.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/radius.sh"
. "${srcdir:-.}/test/lib/swan.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
for tool in vpnc ip iperf3 freeradius awk swanctl; do
	command -v "$tool" >/dev/null || fail "$tool is missing: scripts/deps.sh installs it"
done
[ -x "${VPNCTL:-}" ] || fail "VPNCTL is not set to the vpnctl binary"
swan_require

T=$(mktemp -d /tmp/vpnd-acct.XXXXXX)
cleanup() {
	vpnc_stop
	[ -n "${SWAN_PID:-}" ] && swan_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	[ -n "${IPERF_PID:-}" ] && kill "$IPERF_PID" 2>/dev/null
	radius_stop "$T/radius"
	ns_teardown
	[ -n "${KEEP_T:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"

cat >"$T/users" <<'EOF2'
bob	Cleartext-Password := "B0bRadiusPw"
	Framed-IP-Address = 192.168.50.77,
	Class = "acct-bob"
dave	Cleartext-Password := "DavePw1"
	Session-Timeout = 4
rita	Cleartext-Password := "RitaPw1"
	Framed-Route = "10.77.0.0/24 0.0.0.0 1",
	Framed-Route += "10.78.0.0 255.255.0.0 0.0.0.0 1",
	Framed-Route += "garbage",
	Cisco-AVPair = "ip:interface-config=ip mtu 1300",
	Cisco-AVPair += "ip:interface-config=ip tcp adjust-mss 1100",
	Cisco-AVPair += "ip:interface-config=ip access-group radout out",
	Cisco-AVPair += "ip:interface-config=ip address 1.2.3.4 255.255.255.0"
sue	Cleartext-Password := "SuePw1"
	Framed-IP-Address = 192.168.50.88,
	Framed-Route = "10.79.0.0/24 0.0.0.0 1",
	Filter-Id = "radin2"
sam	Cleartext-Password := "SamPw1"
	Cisco-AVPair = "ip:interface-config=ip access-group nosuch in"
EOF2
DETAIL=$T/radius/log/detail
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
ST=$T/vpnd
vpnd_start "$SRCDIR/test/data/hub-acct.conf" "$ST"
vsql() { "$VPNCTL" -S "$ST" sql "$1"; }

# The detail file holds one record per paragraph. acct_n STATUS USER: how many records;
# acct_attr STATUS USER ATTR: ATTR of the last such record (quotes removed).
acct_n() {
	[ -f "$DETAIL" ] || { echo 0; return; }
	awk -v RS= -v st="$1" -v u="$2" '
		$0 ~ ("Acct-Status-Type = " st "(\n|$)") && index($0, "User-Name = \"" u "\"") { n++ }
		END { print n + 0 }' "$DETAIL"
}
acct_attr() {
	awk -v RS= -v st="$1" -v u="$2" -v a="$3" '
		$0 ~ ("Acct-Status-Type = " st "(\n|$)") && index($0, "User-Name = \"" u "\"") { rec = $0 }
		END {
			n = split(rec, L, "\n")
			for (i = 1; i <= n; i++)
				if (match(L[i], "^[ \t]*" a " = ")) { v = substr(L[i], RLENGTH + 1); gsub(/"/, "", v); print v }
		}' "$DETAIL"
}
# records of the detail file in order, one line each: STATUS USER
acct_order() {
	awk -v RS= '{
		st = ""; u = ""
		if (match($0, /Acct-Status-Type = [A-Za-z-]+/)) st = substr($0, RSTART + 19, RLENGTH - 19)
		if (match($0, /User-Name = "[^"]*"/)) u = substr($0, RSTART + 13, RLENGTH - 14)
		print st, u }' "$DETAIL"
}

echo "=== Start"
inh iperf3 -s -p 5201 >/dev/null 2>&1 &
IPERF_PID=$!
vpnc_start "$T/bob" group=group1 secret=Gk7f3a9c2eSecret user=bob password=B0bRadiusPw ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "bob did not connect through RADIUS"; }
wait_until 10 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Start/ && /\"bob\"/' '$DETAIL' 2>/dev/null | wc -l) -gt 0 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Start record for bob in FreeRADIUS's detail file"; }
[ "$(acct_n Start bob)" = 1 ] || fail "$(acct_n Start bob) Start records for bob, expected 1"
sid=$(acct_attr Start bob Acct-Session-Id)
run=$(vsql "SELECT max(id) FROM runs" | tail -1 | tr -dc 0-9)
dbsid=$(vsql "SELECT session_id FROM sessions WHERE username = 'bob'" | tail -1 | tr -dc 0-9)
[ "$sid" = "$(printf '%08X%08X' "$run" "$dbsid")" ] ||
	fail "Acct-Session-Id '$sid' is not run $run + session $dbsid"
[ "$(acct_attr Start bob Framed-IP-Address)" = 192.168.50.77 ] || fail "Start: Framed-IP-Address '$(acct_attr Start bob Framed-IP-Address)'"
[ "$(acct_attr Start bob Calling-Station-Id)" = 172.18.143.2 ] || fail "Start: Calling-Station-Id"
[ "$(acct_attr Start bob NAS-Port-Type)" = Virtual ] || fail "Start: NAS-Port-Type"
class=$(acct_attr Start bob Class)
[ "$class" = acct-bob ] || [ "$class" = 0x616363742d626f62 ] || fail "Start: Class '$class', expected acct-bob"
grep -q "Acct-Session-Id = \"$sid\"" "$T/radius/radiusd.out" || fail "the Access-Request had another Acct-Session-Id"
pass "Start: Acct-Session-Id $sid (as in the Access-Request), Framed-IP-Address, Class, Calling-Station-Id"

echo "=== octets: 20 MiB up, 10 MiB down through the tunnel"
# iperf3 -n stops when the sender has written N bytes; what crossed is the receiver's count.
# Paced at 40 Mbit/s, so that few segments are lost and sent again.
UP=$((20 * 1048576)); DOWN=$((10 * 1048576))
stats() { python3 -c 'import json,sys; e = json.load(sys.stdin)["end"]
print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"], e["sum_sent"].get("retransmits", 0))'; }
read -r up_sent up up_retr < <(timeout 60 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -b 40M -n $UP -J | stats) || fail "iperf3 upload"
read -r down_sent down down_retr < <(timeout 60 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -R -b 40M -n $DOWN -J | stats) || fail "iperf3 download"
[ -n "$up" ] && [ -n "$down" ] || fail "no iperf3 results"
sleep 2
"$VPNCTL" -S "$ST" clear crypto session username bob | grep -q clearing || fail "clear refused"
wait_until 10 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"bob\"/' '$DETAIL' | wc -l) -gt 0 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Stop record for bob"; }
vpnc_stop
in=$(acct_attr Stop bob Acct-Input-Octets); out=$(acct_attr Stop bob Acct-Output-Octets)
# At least what crossed. At most what the sender wrote, plus IP and TCP headers (52 bytes for
# each 1367 of payload), plus its retransmissions (a full segment each), plus the ACKs of the
# other transfer (52 bytes per segment at worst), plus 64 KiB for iperf3's control connection.
max() { echo $(( $1 * 1419 / 1367 + $2 * 1419 + $3 * 52 / 1367 + 65536 )); }
in_max=$(max "$up_sent" "$up_retr" "$down_sent"); out_max=$(max "$down_sent" "$down_retr" "$up_sent")
echo "iperf3 up: $up_sent sent, $up received, $up_retr retransmits; down: $down_sent sent, $down received, $down_retr retransmits"
echo "Stop: Acct-Input-Octets $in (of $up..$in_max), Acct-Output-Octets $out (of $down..$out_max), Acct-Input-Packets $(acct_attr Stop bob Acct-Input-Packets), Session-Time $(acct_attr Stop bob Acct-Session-Time)"
[ "$in" -ge "$up" ] && [ "$in" -le "$in_max" ] || fail "Acct-Input-Octets $in outside $up..$in_max"
[ "$out" -ge "$down" ] && [ "$out" -le "$out_max" ] || fail "Acct-Output-Octets $out outside $down..$out_max"
[ "$(acct_attr Stop bob Acct-Input-Packets)" -gt $((up / 1500)) ] || fail "Acct-Input-Packets too low"
[ "$(acct_attr Stop bob Acct-Terminate-Cause)" = Admin-Reset ] || fail "Acct-Terminate-Cause '$(acct_attr Stop bob Acct-Terminate-Cause)', expected Admin-Reset"
[ "$(acct_attr Stop bob Acct-Session-Id)" = "$sid" ] || fail "Stop has another Acct-Session-Id"
[ "$(acct_attr Stop bob Acct-Session-Time)" -ge 2 ] || fail "Acct-Session-Time $(acct_attr Stop bob Acct-Session-Time), the session lasted more than 2 s"
class=$(acct_attr Stop bob Class)
[ "$class" = acct-bob ] || [ "$class" = 0x616363742d626f62 ] || fail "Stop: Class '$class'"
[ "$(acct_n Start bob)" = 1 ] && [ "$(acct_n Stop bob)" = 1 ] || fail "bob: $(acct_n Start bob) Start, $(acct_n Stop bob) Stop records, expected one each"
pass "Stop: octets match the transfers ($in for $up, $out for $down), Admin-Reset, Class echoed"

echo "=== per-user Framed-Route and ip:interface-config"
vpnc_start "$T/rita" group=group1 secret=Gk7f3a9c2eSecret user=rita password=RitaPw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "rita did not connect"; }
. "$T/rita/up"
va=$(hub ip -o route show 10.77.0.0/24 | awk '{ print $3 }')
case "$va" in va*) ;; *) hub ip route >&2; fail "no route to Framed-Route 10.77.0.0/24 through a virtual-access interface";; esac
hub ip -o route show 10.78.0.0/16 | grep -q "dev $va" || fail "no route to 10.78.0.0/16 (Framed-Route with a netmask)"
grep -q "Framed-Route value from RADIUS ignored" "$ST/vpnd.log" || fail "the malformed Framed-Route was not logged"
# a host behind rita on a Framed-Route network: reached from the hub's LAN and answering
cl ip addr add 10.77.0.1/32 dev lo
inh ping -c 2 -i 0.3 -w 5 10.77.0.1 >/dev/null || fail "10.77.0.1 (Framed-Route behind rita) not reachable from the hub's LAN"
cl ip addr del 10.77.0.1/32 dev lo
pass "Framed-Route: 10.77.0.0/24 and 10.78.0.0/16 routed through $va; a host behind the client answers; a malformed value logged and skipped"
hub ip link show "$va" | grep -q "mtu 1300 " || { hub ip link show "$va" >&2; fail "ip mtu 1300 from ip:interface-config not applied"; }
inh ip addr add 10.2.1.12/24 dev inhost 2>/dev/null
cl ping -c 1 -w 5 10.2.1.10 >/dev/null || fail "rita: no ping to 10.2.1.10"
cl ping -c 2 -i 0.2 -w 3 10.2.1.12 >/dev/null 2>&1 && fail "rita got answers from 10.2.1.12 through access-group radout out"
# the MSS a server on the hub's LAN sees for a connection from rita
inh python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.2.1.10", 5300)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))' >"$T/mss" &
MSS_PID=$!
sleep 0.5
cl python3 -c 'import socket; socket.create_connection(("10.2.1.10", 5300), timeout=5).close()' || fail "no TCP connection from rita"
wait "$MSS_PID"
mss=$(cat "$T/mss")
[ -n "$mss" ] && [ "$mss" -le 1100 ] || fail "the server saw MSS '$mss', expected at most 1100 (ip tcp adjust-mss 1100)"
grep -q "ip:interface-config 'ip address 1.2.3.4 255.255.255.0' from RADIUS ignored" "$ST/vpnd.log" ||
	fail "the ip:interface-config line that does not apply was not logged"
unit=${va#va}
cfg=$("$VPNCTL" -S "$ST" show running-config interface "Virtual-Access$unit")
for line in "ip mtu 1300" "ip tcp adjust-mss 1100" "ip access-group radout out"; do
	echo "$cfg" | grep -q "^ $line\$" || { echo "$cfg" >&2; fail "show running-config interface Virtual-Access$unit lacks '$line'"; }
done
pass "ip:interface-config: mtu 1300, adjust-mss 1100 (server saw $mss), access-group radout out denies 10.2.1.12; 'ip address' refused with a log line"
vpnc_stop
vpnc_start "$T/sam" group=group1 secret=Gk7f3a9c2eSecret user=sam password=SamPw1 wait=0
wait_until 20 sh -c "! kill -0 $VPNC_PID" || fail "sam connected with an access-group that cannot be applied"
[ -f "$T/sam/up" ] && fail "sam connected"
VPNC_PID=
grep -q "ip:interface-config 'ip access-group nosuch in' from RADIUS cannot be applied" "$ST/vpnd.log" ||
	fail "no log line for sam's refusal"
pass "ip:interface-config access-group naming no access list: sam refused"

echo "=== a strongSwan user: per-user address, route and access list; User-Request"
swan_start "$T/swan" secret=Gk7f3a9c2eSecret user=sue password=SuePw1 \
	ike=aes256-sha1-modp1024 esp=aes256-sha1 || fail "charon did not start"
swan_up 20 || { tail -20 "$ST/vpnd.log" >&2; fail "charon (sue) did not connect through RADIUS"; }
vip=$(swan_vip)
[ "$vip" = 192.168.50.88 ] || fail "charon got '$vip', expected the Framed-IP-Address 192.168.50.88"
hub ip -o route show 10.79.0.0/24 | grep -q " dev va" || fail "no route to sue's Framed-Route 10.79.0.0/24"
inh ip addr add 10.2.1.11/24 dev inhost 2>/dev/null
cl ping -c 1 -w 5 10.2.1.10 >/dev/null || fail "sue: no ping to 10.2.1.10"
cl ping -c 2 -i 0.2 -w 3 10.2.1.11 >/dev/null 2>&1 && fail "sue reached 10.2.1.11 through Filter-Id radin2"
wait_until 10 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Start/ && /\"sue\"/' '$DETAIL' | wc -l) -gt 0 ]" ||
	fail "no Start for sue"
[ "$(acct_attr Start sue Framed-IP-Address)" = 192.168.50.88 ] || fail "sue's Start: Framed-IP-Address"
swan_down 10 || fail "swanctl --terminate failed"
swan_stop
wait_until 10 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"sue\"/' '$DETAIL' | wc -l) -gt 0 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Stop for sue"; }
[ "$(acct_attr Stop sue Acct-Terminate-Cause)" = User-Request ] || fail "sue's Stop: cause '$(acct_attr Stop sue Acct-Terminate-Cause)', expected User-Request"
[ "$(acct_attr Stop sue Acct-Input-Packets)" -ge 1 ] || fail "sue's Stop does not count her ping (the denied ones do not count)"
pass "charon user sue: Framed-IP-Address $vip, Framed-Route 10.79.0.0/24, Filter-Id radin2 denies 10.2.1.11; Start, Stop with User-Request"

echo "=== Session-Timeout as Acct-Terminate-Cause"
vpnc_start "$T/dave" group=group1 secret=Gk7f3a9c2eSecret user=dave password=DavePw1 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "dave did not connect"; }
wait_until 20 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"dave\"/' '$DETAIL' | wc -l) -gt 0 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Stop for dave"; }
vpnc_stop
[ "$(acct_attr Stop dave Acct-Terminate-Cause)" = Session-Timeout ] || fail "dave: cause '$(acct_attr Stop dave Acct-Terminate-Cause)'"
pass "Session-Timeout 4: Stop with Acct-Terminate-Cause Session-Timeout"

echo "=== server down: records wait in SQLite, then arrive once, in order"
radius_stop "$T/radius"
vpnc_start "$T/alice1" group=groupl secret=GroupLocalKey user=alice password=Up55aaSecret ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "alice (local user) did not connect"; }
t_alice=$(date +%s)
"$VPNCTL" -S "$ST" clear crypto session username alice | grep -q clearing || fail "clear refused"
vpnc_stop
vpnc_start "$T/alice" group=groupl secret=GroupLocalKey user=alice password=Up55aaSecret ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "alice did not connect again"; }
wait_until 15 sh -c "[ \$('$VPNCTL' -S '$ST' sql 'SELECT count(*) FROM acct_queue WHERE acked IS NULL' | tail -1 | tr -dc 0-9) -ge 3 ]" ||
	{ "$VPNCTL" -S "$ST" sql "SELECT * FROM acct_queue" >&2; fail "the records are not queued"; }
pending=$(vsql "SELECT status || ' ' || username FROM acct_queue WHERE acked IS NULL ORDER BY id" | grep -E '^(Start|Stop|Interim)' | tr '\n' ',')
[ "$pending" = "Start alice,Stop alice,Start alice," ] || fail "queue holds '$pending'"
wait_until 10 grep -q "accounting record .* not acknowledged" "$ST/vpnd.log" || fail "no log line for the unacknowledged record"
pass "server down: Start, Stop, Start for alice wait in SQLite ($pending)"
sleep 3
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
wait_until 70 sh -c "[ \$('$VPNCTL' -S '$ST' sql 'SELECT count(*) FROM acct_queue WHERE acked IS NULL' | tail -1 | tr -dc 0-9) -eq 0 ]" ||
	{ "$VPNCTL" -S "$ST" sql "SELECT * FROM acct_queue" >&2; fail "the queued records were not sent after the server came back"; }
[ "$(acct_n Start alice)" = 2 ] || fail "$(acct_n Start alice) Start records for alice, expected 2"
[ "$(acct_n Stop alice)" = 1 ] || fail "$(acct_n Stop alice) Stop records for alice, expected 1"
order=$(acct_order | grep alice | tr '\n' ',')
[ "$order" = "Start alice,Stop alice,Start alice," ] || fail "records arrived as '$order'"
delay=$(awk -v RS= '/Acct-Status-Type = Start/ && /"alice"/ { r = $0; exit } END { if (match(r, /Acct-Delay-Time = [0-9]+/)) print substr(r, RSTART + 18, RLENGTH - 18) }' "$DETAIL")
[ "${delay:-0}" -ge 3 ] || fail "Acct-Delay-Time '${delay:-}' of a record that waited"
pass "server back: the three records arrived once each, in order (Acct-Delay-Time $delay s)"

echo "=== Interim-Update (aaa accounting update periodic 1)"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || fail "alice: no ping"
wait_until 75 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Interim-Update/ && /\"alice\"/' '$DETAIL' | wc -l) -gt 0 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Interim-Update for alice"; }
[ "$(acct_attr Interim-Update alice Acct-Input-Packets)" -ge 3 ] || fail "Interim-Update without the pings counted"
pass "Interim-Update for alice $(( $(date +%s) - t_alice )) s after her first login, $(acct_attr Interim-Update alice Acct-Input-Packets) packets in"

echo "=== vpnd killed: the next start sends the Stop (NAS-Reboot)"
kids="$(child_pid ikemgr) $(child_pid keymgr) $(child_pid tunmgr)"
kill -KILL "$VPND_PID"; wait "$VPND_PID" 2>/dev/null; VPND_PID=
vpnc_stop
for k in $kids; do
	wait_until 10 sh -c "! kill -0 $k" || fail "child $k outlived the parent"
done
mv "$ST/vpnd.log" "$ST/vpnd.log.1"
vpnd_start "$SRCDIR/test/data/hub-acct.conf" "$ST"
wait_until 20 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"alice\"/' '$DETAIL' | wc -l) -ge 2 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Stop for alice's session after the restart"; }
[ "$(acct_attr Stop alice Acct-Terminate-Cause)" = NAS-Reboot ] || fail "cause '$(acct_attr Stop alice Acct-Terminate-Cause)', expected NAS-Reboot"
[ "$(acct_n Stop alice)" = 2 ] || fail "$(acct_n Stop alice) Stops for alice, expected 2"
pass "kill -9 of vpnd: Stop with NAS-Reboot sent at the next start"

echo "=== vpnd stopped with a session up: its Stop waits in SQLite, then Accounting-Off; both go after the restart, before Accounting-On"
wait_until 10 sh -c "[ \"\$(awk -v RS= '/Acct-Status-Type = Accounting-On/' '$DETAIL' | wc -l)\" -ge 2 ]" ||
	fail "no Accounting-On after the restart that followed kill -9"
[ "$(acct_order | tail -2 | tr '\n' ',')" = "Stop alice,Accounting-On ," ] ||
	fail "after kill -9 the restart sent '$(acct_order | tail -2 | tr '\n' ',')', expected the NAS-Reboot Stop, then Accounting-On"
vpnc_start "$T/alice2" group=groupl secret=GroupLocalKey user=alice password=Up55aaSecret ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "alice did not connect after the restart"; }
wait_until 20 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Start/ && /\"alice\"/' '$DETAIL' | wc -l) -ge 3 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "no Start for alice's new session"; }
vpnd_stop "$ST"
vpnc_stop
queued=$(vsql "SELECT status || ' ' || coalesce(username, '-') FROM acct_queue WHERE acked IS NULL ORDER BY id" | grep -E '^(Stop|Accounting)' | tr '\n' ',')
[ "$queued" = "Stop alice,Accounting-Off -," ] || fail "queued at the stop: '$queued', expected alice's Stop then Accounting-Off"
mv "$ST/vpnd.log" "$ST/vpnd.log.2"
vpnd_start "$SRCDIR/test/data/hub-acct.conf" "$ST"
wait_until 20 sh -c "[ \$(awk -v RS= '/Acct-Status-Type = Stop/ && /\"alice\"/' '$DETAIL' | wc -l) -ge 3 ]" ||
	{ tail -20 "$ST/vpnd.log" >&2; fail "alice's Stop was not sent after the restart"; }
wait_until 10 sh -c "[ \"\$(awk -v RS= '/Acct-Status-Type = Accounting-On/' '$DETAIL' | wc -l)\" -ge 3 ]" ||
	fail "no Accounting-On after the restart"
[ "$(acct_attr Stop alice Acct-Terminate-Cause)" = Admin-Reboot ] || fail "cause '$(acct_attr Stop alice Acct-Terminate-Cause)', expected Admin-Reboot"
last3=$(acct_order | tail -3 | tr '\n' ',')
[ "$last3" = "Stop alice,Accounting-Off ,Accounting-On ," ] || fail "records after the stop arrived as '$last3'"
[ "$(acct_n Stop alice)" = 3 ] || fail "$(acct_n Stop alice) Stops for alice, expected 3"
pass "SIGTERM with alice up: Stop (Admin-Reboot) queued, then Accounting-Off; sent after the restart, then Accounting-On"

for l in "$ST/vpnd.log.1" "$ST/vpnd.log.2"; do
	grep -qiE "sanitizer|runtime error" "$l" && { grep -iE "sanitizer|runtime error" "$l" >&2; fail "errors in $l"; }
done
grep -qiE "sanitizer|runtime error|fatal" "$ST/vpnd.log" && { grep -iE "sanitizer|runtime error|fatal" "$ST/vpnd.log" >&2; fail "errors in the log"; }
vpnd_stop "$ST"
echo "PASS: test_acct"
