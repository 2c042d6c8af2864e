#!/bin/bash
# The operator's commands for IKEv2 sessions, against live clients: two strongSwan charons as
# IKEv2 clients (client1.example.com from 172.18.144.2, client2.example.com from 172.18.145.2,
# each in a client namespace of its own) and vpnc as an IKEv1 client (172.18.143.2) at the same
# time. test/data/hub-ikev2-ops.conf; the IKEv2 authorization (pool, ipsec:max-users) comes
# from FreeRADIUS (test/lib/radius.sh). Checked:
#  - ipsec:max-users=1 for the IKEv2 authorization FLEXPOL: client2 is refused while client1
#    is up (the hub logs why), vpnc's IKEv1 session does not count; with max-users=2 it gets in;
#  - show crypto ikev2 session [detailed] (and sh cry ikev2 sess det, --json): both IKEv2
#    sessions UP-ACTIVE with one IKE and one CHILD SA, the SPIs charon reports, the virtual IP
#    as the child's remote selector and as Pushed IP, the identity; vpnc's session absent;
#  - debug crypto ikev2 [packet] with debug crypto condition username U / peer ipv4 A: only the
#    matching client's IKEv2 lines, tagged with its identity;
#  - clear crypto ikev2 sa remote A, TUNNEL-ID, local A and all: each ends the matching IKEv2
#    SAs with a DELETE (charon logs it), the others and vpnc's IKEv1 session stay up;
#    clear crypto isakmp ends vpnc's IKEv1 SA and leaves the IKEv2 one;
#  - three kinds of client at once: vpnc (IKEv1), strongSwan's charon as an IKEv1 client
#    (aggressive mode, PSK + XAuth, group1; client3 from 172.18.146.2) and as an IKEv2 one
#    (client1, its address and ping both ways checked by test/lib/v2check.sh): each pings
#    through its own tunnel, show crypto session lists the three with their addresses, and
#    each session keeps its id and tunnel while the others disconnect and connect again.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/radius.sh"
. "${srcdir:-.}/test/lib/v2check.sh"

CONF=$SRCDIR/test/data/hub-ikev2-ops.conf
HUBKEY=Hub7v2Key9aSecret
CLIENTKEY=Cl4v2Key3bSecret

interop_begin swanctl vpnc ip python3 ping unshare
swan_require

"$VPND" -n -f "$CONF" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses $CONF"; }
pass "vpnd -n accepts hub-ikev2-ops.conf"

C1_PID= C2_PID= C3_PID=
cleanup_more() {
	local p
	for p in $C1_PID $C2_PID $C3_PID; do SWAN_PID=$p; swan_stop; done
	radius_stop "$T/radius"
	for p in vpnd_cl2 vpnd_cl3 vpnd_cl4; do
		ip netns pids "$p" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$p" 2>/dev/null
	done
}
ns_setup || fail "namespace setup"
# add_client NS HUBIF NET: a client namespace NS with NET.2 facing the hub's HUBIF NET.246
# (under ns_setup's lock; cleanup_more removes it)
add_client() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" &&
	ip -n vpnd_hub link add "$2" type veth peer name clout netns "$1" &&
	ip -n vpnd_hub addr add "$3.246/24" dev "$2" && ip -n "$1" addr add "$3.2/24" dev clout &&
	ip -n vpnd_hub link set "$2" up && ip -n "$1" link set clout up && ip -n "$1" link set lo up
}
add_client vpnd_cl2 eth2 172.18.144 || fail "client namespace vpnd_cl2"
add_client vpnd_cl3 eth3 172.18.145 || fail "client namespace vpnd_cl3"
add_client vpnd_cl4 eth4 172.18.146 || fail "client namespace vpnd_cl4"

st=$T/hub
LOG=$st/vpnd.log
ctl() { "$VPNCTL" -S "$st" "$@"; }
dump() {
	local d
	for d in "$T/c1" "$T/c2" "$T/c3"; do
		[ -f "$d/charon.log" ] && { echo "--- $d/charon.log" >&2
			grep -E "\[(IKE|ENC|CFG)\]" "$d/charon.log" | grep -vE "(queueing|activating) " | tail -15 >&2; }
	done
}
die() { dump; fail "$*"; }

# users FILE MAX: FreeRADIUS's users file, FLEXPOL's policy with ipsec:max-users=MAX
users() {
	cat >"$1" <<EOF
FLEXPOL	Cleartext-Password := "cisco"
	Cisco-AVPair = "ipsec:addr-pool=flexpool",
	Cisco-AVPair += "ipsec:max-users=$2"
EOF
}
users "$T/users1" 1
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users1"

# the two charons run at once: swan.sh's state (SWAN_DIR, SWAN_PID) is switched between them
use() {
	case $1 in
	c1) SWAN_DIR=$T/c1 SWAN_PID=$C1_PID;;
	c2) SWAN_DIR=$T/c2 SWAN_PID=$C2_PID;;
	c3) SWAN_DIR=$T/c3 SWAN_PID=$C3_PID;;
	esac
}
start_client() {
	local n=$1 ns=$2 gw=$3
	SWAN_PID=
	swan_v2_start "$T/$n" ns="$ns" gateway="$gw" local_id="client${n#c}.example.com" \
		remote_id=hub.example.com sign_key=$CLIENTKEY verify_key=$HUBKEY ||
		die "charon $n did not start"
	case $n in c1) C1_PID=$SWAN_PID;; c2) C2_PID=$SWAN_PID;; esac
}
established() { use "$1"; swan_sas | grep -q ESTABLISHED; }
gone() { ! established "$1"; }
connect() { use "$1"; swan_up 15 || die "$1 did not connect"; }
vpnc_up() { ctl sql "SELECT count(*) FROM ike_sas WHERE ended IS NULL AND (caps & 16) = 0 AND state = 'QM_IDLE'" | tail -1; }
v2_ids() { ctl sql "SELECT session_id FROM ike_sas WHERE ended IS NULL AND (caps & 16) != 0 AND peer_addr = '$1'" | tail -1; }

VPND_FLAGS= vpnd_start "$CONF" "$st"
vpnc_start "$T/vpnc" secret=Gk7f3a9c2eSecret user=cisco password=cisco123 natt=none ||
	die "vpnc did not connect"
. "$T/vpnc/up"
vpnc_addr=$address
pass "vpnc (IKEv1) up with $vpnc_addr"

# --- the login limit: ipsec:max-users=1 ------------------------------------------------------
start_client c1 vpnd_cl2 172.18.144.246
connect c1
start_client c2 vpnd_cl3 172.18.145.246
use c2
swan_up 10 && die "client2 connected past ipsec:max-users 1"
grep -q "group 'FLEXPOL' has reached max-users 1" "$LOG" || die "no max-users refusal in the hub's log"
established c1 || die "client1 lost its IKE_SA when client2 was refused"
[ "$(vpnc_up)" = 1 ] || die "vpnc's IKEv1 SA is not QM_IDLE"
pass "ipsec:max-users 1: client2 refused while client1 is up (vpnc's IKEv1 session not counted)"

radius_stop "$T/radius"
users "$T/users2" 2
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users2"
connect c2
pass "ipsec:max-users 2: client2 gets in"

use c1; vip1=$(swan_vip); sas1=$(swan_sas)
use c2; vip2=$(swan_vip); sas2=$(swan_sas)
in_of() { echo "$1" | sed -n 's/^ *out *\([0-9a-f]\{8\}\),.*/\1/p' | head -1 | tr a-f A-F; }
out_of() { echo "$1" | sed -n 's/^ *in  *\([0-9a-f]\{8\}\),.*/\1/p' | head -1 | tr a-f A-F; }
[ -n "$vip1" ] && [ -n "$vip2" ] && [ -n "$(in_of "$sas1")" ] || die "no virtual IPs or SPIs from charon"
id1=$(v2_ids 172.18.144.2)
id2=$(v2_ids 172.18.145.2)
[ -n "$id1" ] && [ -n "$id2" ] || die "no IKEv2 SA rows for the clients"

# --- show crypto ikev2 session [detailed] ----------------------------------------------------
ctl show crypto ikev2 session >"$T/sess.txt" || die "show crypto ikev2 session failed"
# session_block ID: that session's lines, up to the next session or heading
session_block() { sed -n "/^Session-id:$1,/,/^\(Session-id:\| IPv6\)/p" "$2" | sed '$d'; }
check_block() {
	local id=$1 peer=$2 vip=$3 sas=$4 file=$5 b
	b=$(session_block "$id" "$file")
	echo "$b" | grep -qx "Session-id:$id, Status:UP-ACTIVE, IKE count:1, CHILD count:1" &&
	echo "$b" | grep -Eq "^$id +172\.18\.14[45]\.246/4500 +$peer/4500 +none/none +READY$" &&
	echo "$b" | grep -qx "      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK" &&
	echo "$b" | grep -qx "Child sa: local selector  0.0.0.0/0 - 255.255.255.255/65535" &&
	echo "$b" | grep -qx "          remote selector $vip/0 - $vip/65535" &&
	echo "$b" | grep -qx "          ESP spi in/out: 0x$(in_of "$sas")/0x$(out_of "$sas")"
}
head -1 "$T/sess.txt" | grep -qx " IPv4 Crypto IKEv2 Session" || { cat "$T/sess.txt"; die "no IPv4 heading"; }
check_block "$id1" 172.18.144.2 "$vip1" "$sas1" "$T/sess.txt" &&
check_block "$id2" 172.18.145.2 "$vip2" "$sas2" "$T/sess.txt" ||
	{ cat "$T/sess.txt"; echo "$sas1"; die "show crypto ikev2 session does not show the clients as charon has them"; }
[ "$(grep -c '^Session-id:' "$T/sess.txt")" = 2 ] && ! grep -q "172.18.143.2\b" "$T/sess.txt" ||
	{ cat "$T/sess.txt"; die "show crypto ikev2 session lists more than the two IKEv2 sessions"; }
pass "show crypto ikev2 session: both IKEv2 sessions UP-ACTIVE, charon's SPIs, virtual IPs as selectors; not vpnc's"

ctl sh cry ikev2 sess det >"$T/det.txt" || die "sh cry ikev2 sess det failed"
b=$(session_block "$id1" "$T/det.txt")
check_block "$id1" 172.18.144.2 "$vip1" "$sas1" "$T/det.txt" &&
echo "$b" | grep -qx "      Local id: hub.example.com" &&
echo "$b" | grep -qx "      Remote id: client1.example.com" &&
echo "$b" | grep -qx "      Pushed IP address: $vip1" &&
echo "$b" | grep -qx "      Status Description: Negotiation done" ||
	{ cat "$T/det.txt"; die "sh cry ikev2 sess det: client1's details"; }
pass "sh cry ikev2 sess det: identity, pushed address, status, then the child SA"

ctl --json show crypto ikev2 session | python3 -c '
import json, sys
rows = json.load(sys.stdin)
by = {r["peer_addr"]: r for r in rows}
assert sorted(by) == ["172.18.144.2", "172.18.145.2"], rows
for peer, vip, ident in (("172.18.144.2", sys.argv[1], "client1.example.com"),
                         ("172.18.145.2", sys.argv[2], "client2.example.com")):
    r = by[peer]
    assert (r["status"], r["ike_count"], r["child_count"]) == ("UP-ACTIVE", 1, 1), r
    assert (r["remote_id"], r["pushed_addr"], r["state"]) == (ident, vip, "READY"), r
    assert len(r["children"]) == 1 and r["children"][0]["remote_ident"] == vip, r
' "$vip1" "$vip2" || die "show crypto ikev2 session --json"
pass "show crypto ikev2 session --json: both sessions with status, counts, identity and child rows"

# --- debug crypto ikev2 with conditions -------------------------------------------------------
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(( $1 + 1 ))" "$LOG"; }
ctl debug crypto ikev2 | grep -qx "IKEv2 default debugging is on" || die "debug crypto ikev2 not acknowledged"
ctl deb cry ikev2 pack | grep -qx "IKEv2 packet debugging is on" || die "deb cry ikev2 pack not acknowledged"
ctl show debugging | grep -q "IKEv2 packet debugging is on" || die "show debugging lacks IKEv2 packet"
ctl debug crypto condition username client2.example.com >/dev/null || die "condition username refused"
m=$(mark)
use c1; swan_down; connect c1
use c2; swan_down; connect c2
wait_until 5 sh -c "tail -n +$((m + 1)) '$LOG' | grep -q 'IKEv2: .*client2.example.com.*authenticated'" ||
	{ since "$m" | grep IKEv2 >&2; die "no IKEv2 debug line for client2 under its username condition"; }
since "$m" | grep 'debug: IKEv2:' | grep -q 'client1\.example\.com\|peer 172\.18\.144\.2' &&
	{ since "$m" | grep 'debug: IKEv2:' | grep 'client1' >&2; die "client1's IKEv2 lines passed a condition naming client2"; }
since "$m" | grep 'debug: IKEv2: \[peer 172.18.145.2 user client2.example.com group FLEXPOL\] Received Packet' |
	grep -q 'IKEv2 INFORMATIONAL\|IKEv2 IKE_AUTH' || die "no packet line tagged with client2's identity"
pass "debug crypto ikev2 [packet] + condition username: client2's lines only, tagged with its identity"

ctl debug crypto condition reset >/dev/null
ctl no debug crypto ikev2 packet | grep -qx "IKEv2 packet debugging is off" || die "no debug crypto ikev2 packet"
ctl debug crypto condition peer ipv4 172.18.144.2 >/dev/null || die "condition peer ipv4 refused"
m=$(mark)
use c2; swan_down; connect c2
use c1; swan_down; connect c1
wait_until 5 sh -c "tail -n +$((m + 1)) '$LOG' | grep -q 'IKEv2: \[peer 172.18.144.2 .*authenticated'" ||
	die "no IKEv2 debug line for 172.18.144.2 under its peer condition"
since "$m" | grep 'debug: IKEv2:' | grep -q '172\.18\.145\.2\|client2' &&
	die "client2's IKEv2 lines passed a condition naming 172.18.144.2"
since "$m" | grep -q 'Received Packet' && die "packet lines after no debug crypto ikev2 packet"
ctl debug crypto condition reset >/dev/null
ctl undebug all >/dev/null
pass "debug crypto condition peer ipv4: client1's IKEv2 lines only; packet lines off again"

use c1; vip1=$(swan_vip)
use c2; vip2=$(swan_vip)
id1=$(v2_ids 172.18.144.2)
id2=$(v2_ids 172.18.145.2)

# --- clear crypto ikev2 sa ------------------------------------------------------------------
# cleared WHO KEPT: WHO's IKE_SA went with a DELETE from the hub, KEPT's and vpnc's stayed
cleared() {
	wait_until 10 gone "$1" || die "$1 kept its IKE_SA"
	grep -q "received DELETE for IKE_SA" "$T/$1/charon.log" || die "$1 got no DELETE"
	[ -z "${2:-}" ] || established "$2" || die "$2 lost its IKE_SA"
	[ "$(vpnc_up)" = 1 ] || die "vpnc's IKEv1 SA went with an IKEv2 clear"
	cl ping -c1 -w 3 10.2.1.10 >/dev/null || die "no ping through vpnc's tunnel after the clear"
}
fresh_log() { use "$1"; : >"$T/$1/charon.log"; }

fresh_log c1
ctl cle cry ikev2 sa rem 172.18.144.2 | grep -q "clearing matching IKEv2 SAs" || die "clear ... remote refused"
cleared c1 c2
pass "clear crypto ikev2 sa remote 172.18.144.2: client1 DELETEd; client2 and vpnc up"

connect c1
fresh_log c2
ctl clear crypto ikev2 sa "$id2" >/dev/null || die "clear crypto ikev2 sa $id2 refused"
cleared c2 c1
pass "clear crypto ikev2 sa $id2 (tunnel-id): client2 DELETEd; client1 and vpnc up"

connect c2
fresh_log c2
ctl clear crypto ikev2 sa local 172.18.145.246 >/dev/null || die "clear ... local refused"
cleared c2 c1
pass "clear crypto ikev2 sa local 172.18.145.246: client2 DELETEd; client1 and vpnc up"

connect c2
fresh_log c1; fresh_log c2
ctl clear crypto ikev2 sa >/dev/null || die "clear crypto ikev2 sa refused"
cleared c1
cleared c2
ctl show crypto ikev2 session | grep -q '^Session-id:' && die "IKEv2 sessions left after clear crypto ikev2 sa"
ctl show crypto session | grep -q "Peer: 172.18.143.2" || die "vpnc's session gone from show crypto session"
pass "clear crypto ikev2 sa: both IKEv2 clients DELETEd, vpnc's IKEv1 session untouched"

connect c1
ctl clear crypto isakmp >/dev/null || die "clear crypto isakmp refused"
wait_until 10 sh -c "[ \"\$($VPNCTL -S $st sql \"SELECT count(*) FROM ike_sas WHERE ended IS NULL AND (caps & 16) = 0\" | tail -1)\" = 0 ]" ||
	die "vpnc's IKEv1 SA stayed after clear crypto isakmp"
sleep 1
established c1 || die "clear crypto isakmp ended client1's IKEv2 SA"
ctl show crypto ikev2 sa | grep -Eq " 172\.18\.144\.2/4500 .* READY$" || die "show crypto ikev2 sa lost client1"
pass "clear crypto isakmp: vpnc's IKEv1 SA ends, client1's IKEv2 SA stays"

# --- vpnc, charon IKEv1 and charon IKEv2 at the same time ------------------------------------
# vpnc lost its SA to the clear above: it comes back; client1 (IKEv2) is up; client3 is
# charon as an IKEv1 client (aggressive mode, PSK + XAuth) of the group vpnc uses
vpnc_stop
vpnc_start "$T/vpnc" secret=Gk7f3a9c2eSecret user=cisco password=cisco123 natt=none ||
	die "vpnc did not connect again"
. "$T/vpnc/up"
vpnc_addr=$address
SWAN_PID=
swan_start "$T/c3" ns=vpnd_cl4 gateway=172.18.146.246 secret=Gk7f3a9c2eSecret user=cisco \
	password=cisco123 ike=aes256-sha1-modp1024 esp=aes256-sha1 || die "charon c3 did not start"
C3_PID=$SWAN_PID
connect c3
swan_sas | grep -q "ESTABLISHED, IKEv1" || { swan_sas; die "client3's SA is not IKEv1"; }
use c3; vip3=$(swan_vip)
case "$vip3" in 192.168.1.1[0-9]|192.168.1.20) ;; *) die "client3's address '$vip3' not from group1pool";; esac
use c1
V2_NS=vpnd_cl2 v2_check cp "client1 (IKEv2 beside IKEv1)" "$st" "192\.168\.50\.(1[0-9]|20)"
vip1=$V2_VIP
# sid PEER: the open session of PEER on the hub (its id), "" when none
sid() { ctl sql "SELECT session_id FROM sessions WHERE ended IS NULL AND peer_addr = '$1'" | sed 1d; }
no_sid() { [ -z "$(sid "$1")" ]; }
# pings WHO: one ping through the tunnel of WHO (vpnc, c1, c3)
pings() {
	case $1 in
	vpnc) cl ping -c1 -w 3 10.2.1.10;;
	c1) ip netns exec vpnd_cl2 ping -c1 -w 3 10.2.1.10;;
	c3) ip netns exec vpnd_cl4 ping -c1 -w 3 10.2.1.10;;
	esac >/dev/null
}
peer_of() { case $1 in vpnc) echo 172.18.143.2;; c1) echo 172.18.144.2;; c3) echo 172.18.146.2;; esac; }
declare -A SID
# all_up WHO...: each of WHO pings through its tunnel and keeps its session id (SID[WHO])
all_up() {
	local w
	for w in "$@"; do
		pings "$w" || die "no ping through $w's tunnel ($WHEN)"
		[ "$(sid "$(peer_of "$w")")" = "${SID[$w]}" ] ||
			die "$w's session ${SID[$w]} did not stay ($WHEN): now '$(sid "$(peer_of "$w")")'"
	done
}
for w in vpnc c1 c3; do
	SID[$w]=$(sid "$(peer_of "$w")")
	[ -n "${SID[$w]}" ] || die "no open session for $w"
done
WHEN="all three up"
all_up vpnc c1 c3
ctl --json show crypto session | python3 -c '
import json, sys
rows = {r["peer_addr"]: r for r in json.load(sys.stdin)}
want = {"172.18.143.2": sys.argv[1], "172.18.144.2": sys.argv[2], "172.18.146.2": sys.argv[3]}
assert sorted(rows) == sorted(want), sorted(rows)
for peer, addr in want.items():
    assert rows[peer]["assigned_addr"] == addr and rows[peer]["status"] == "UP-ACTIVE", rows[peer]
' "$vpnc_addr" "$vip1" "$vip3" || { ctl show crypto session; die "show crypto session does not list the three sessions"; }
pass "vpnc ($vpnc_addr), charon IKEv1 ($vip3), charon IKEv2 ($vip1) at once: each pings, show crypto session lists the three"

use c3; swan_down 10 || die "client3 did not disconnect"
wait_until 10 no_sid 172.18.146.2 || die "client3's session stayed after its DELETE"
WHEN="client3 (IKEv1 charon) gone"
all_up vpnc c1
connect c3
SID[c3]=$(sid 172.18.146.2)
WHEN="client3 back"
all_up vpnc c1 c3
vpnc_stop
wait_until 10 no_sid 172.18.143.2 || die "vpnc's session stayed after it left"
WHEN="vpnc gone"
all_up c1 c3
use c1; swan_down 10 || die "client1 did not disconnect"
WHEN="client1 (IKEv2) gone"
all_up c3
connect c1
SID[c1]=$(sid 172.18.144.2)
WHEN="client1 back"
all_up c1 c3
pass "each of vpnc, charon IKEv1 and charon IKEv2 keeps its session and tunnel while the others leave and come back"

grep -E "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error" "$LOG" && die "sanitizer report"
echo "all ikev2 ops tests passed"
