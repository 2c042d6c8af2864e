#!/bin/bash
# Crypto maps with manual keys, vpnd against vpnd (crypto map NAME SEQ ipsec-manual, no IKE):
#  - the hub (vpnd_hub, eth0 172.18.143.246, inside 10.2.1.0/24) and the client (vpnd_cl,
#    clout 172.18.143.2, LAN 10.3.1.0/24) have mirrored session keys; each puts the entry on
#    a cm0 TUN with table 2500 and a rule "from SRC to DST lookup 2500" (priority 2500);
#  - the LAN host pings 10.2.1.10 and runs iperf3 both ways, and ESP is seen on the wire
#    (test/lib/wirecount.py on the hub's eth0);
#  - traffic outside the ACL (the client host to 172.18.143.246) goes in clear;
#  - authentic ESP (test/lib/ezesp.py with the keys) whose inner packet is outside the ACE
#    mirrored is dropped and counted;
#  - a wrong inbound authenticator key on the hub: no traffic, ICV drops counted in the hub's log;
#  - vpnctl show crypto ipsec sa [--json] lists the entry under eth0 as IOS does for manual
#    SAs (the ACE as identities, the SPIs, no lifetime), its counters rising with the traffic
#    and the drops above in #recv errors;
#  - a reload with the same keys keeps the entry, one with new SPIs and keys on both sides
#    replaces it (in show crypto ipsec sa too);
#  - after a stop neither side keeps a cmN device, a rule of priority 2500, or a route in
#    table 2500; a rule a kill -9 left is swept at the next start.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin iperf3 ip ping python3 timeout
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

hst=$T/hub cst=$T/client
K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
A1=2021222324252627282920212223242526272829
K2=303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
A2=5051525354555657585950515253545556575859
ABAD=ff21222324252627282920212223242526272829

dump() { echo "--- hub" >&2; tail -20 "$hst/vpnd.log" >&2; echo "--- client" >&2; tail -20 "$cst/vpnd.log" >&2; }
die() { dump; fail "$*"; }

# map_conf IFACE ADDR PEER LOCALNET REMOTENET IN_KEY IN_AUTH OUT_KEY OUT_AUTH SPI_IN SPI_OUT
map_conf() {
	cat <<EOF2
hostname $1
crypto ipsec transform-set T esp-aes 256 esp-sha-hmac
!
crypto map CM 10 ipsec-manual
 set peer $3
 set transform-set T
 match address 101
 set session-key inbound esp ${10} cipher $6 authenticator $7
 set session-key outbound esp ${11} cipher $8 authenticator $9
!
access-list 101 permit ip $4 0.0.0.255 $5 0.0.0.255
!
interface $1
 ip address $2 255.255.255.0
 crypto map CM
end
EOF2
}
hub_conf() {   # IN_AUTH
	map_conf eth0 172.18.143.246 172.18.143.2 10.2.1.0 10.3.1.0 "$K1" "$1" "$K2" "$A2" 4096 8192
}
map_conf clout 172.18.143.2 172.18.143.246 10.3.1.0 10.2.1.0 "$K2" "$A2" "$K1" "$A1" 8192 4096 >"$T/client.conf"
hub_conf "$A1" >"$T/hub.conf"
hub_conf "$ABAD" >"$T/hub-bad.conf"

# wire_start: count the hub's eth0 packets by protocol until wire_stop
wire_start() {
	rm -f "$T/wire.stop"
	hub python3 "$SRCDIR/test/lib/wirecount.py" eth0 60 "$T/wire.stop" >"$T/wire.out" 2>&1 &
	WIRE_PID=$!
	wait_until 5 grep -q listening "$T/wire.out" || fail "wirecount did not start"
}
wire_stop() {
	touch "$T/wire.stop"; wait "$WIRE_PID"; WIRE_PID=
	tail -1 "$T/wire.out"
}
wire_count() { tail -1 "$T/wire.out" | sed -n "s/.*$1 \([0-9]*\).*/\1/p"; }
cleanup_more() { [ -n "${WIRE_PID:-}" ] && kill "$WIRE_PID" 2>/dev/null; }
stop_both() {
	kill -TERM "$VPND_CL_PID"; wait "$VPND_CL_PID" || die "the client vpnd exited with an error"
	VPND_CL_PID=
	vpnd_stop "$hst"
}
cm_up() { grep -q "cm0 (CryptoMap-CM-10) up" "$1/vpnd.log"; }
leftovers() {   # NS: prints whatever of ours is left
	ip netns exec "$1" ip -o link show | grep -o ' cm[0-9]*:'
	ip netns exec "$1" ip rule show | grep '^2500:'
	ip netns exec "$1" ip route show table 2500 2>/dev/null
}

inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!

# --- mirrored keys: traffic matching the ACL goes in ESP
vpnd_start "$T/hub.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"
wait_until 10 cm_up "$hst" || die "hub: cm0 did not come up"
wait_until 10 cm_up "$cst" || die "client: cm0 did not come up"
cl ip rule show | grep -q "^2500:.*from 10.3.1.0/24 to 10.2.1.0/24 lookup 2500" ||
	{ cl ip rule show >&2; die "client: no rule from 10.3.1.0/24 to 10.2.1.0/24"; }
cl ip route show table 2500 | grep -q "^10.2.1.0/24 dev cm0" || die "client: table 2500 lacks 10.2.1.0/24 dev cm0"
hub ip rule show | grep -q "^2500:.*from 10.2.1.0/24 to 10.3.1.0/24 lookup 2500" || die "hub: no rule"
hub ip route show table 2500 | grep -q "^10.3.1.0/24 dev cm0" || die "hub: table 2500 lacks 10.3.1.0/24 dev cm0"
# show crypto map through vpnctl: the entry as IOS lays it out, the SPIs, never a key
sm=$("$VPNCTL" -S "$hst" show crypto map) || die "hub: show crypto map failed"
echo "$sm"
echo "$sm" | grep -q '^Crypto Map "CM" 10 ipsec-manual' || die "show crypto map lacks the entry"
echo "$sm" | grep -q "Peer = 172.18.143.2" || die "show crypto map lacks the peer"
echo "$sm" | grep -q "Interfaces using crypto map CM:" || die "show crypto map lacks the interfaces"
echo "$sm" | grep -qi "${K1:0:16}\|${K2:0:16}" && die "show crypto map shows a key"
grep -q "logged the keys\|$K1\|$K2" "$hst/vpnd.log" "$cst/vpnd.log" && die "a session key is in a log"

# show crypto ipsec sa: the entry as IOS lays out a manual SA (no lifetime), from the store
sa_text() { "$VPNCTL" -S "$hst" show crypto ipsec sa "$@"; }
wait_until 10 sh -c "'$VPNCTL' -S '$hst' show crypto ipsec sa | grep -q 'Crypto map tag: CM, local addr 172.18.143.246'" ||
	{ sa_text >&2; die "show crypto ipsec sa lacks the manual entry"; }
sa=$(sa_text) || die "show crypto ipsec sa failed"
echo "$sa"
for want in '^interface: eth0$' 'local  ident (addr/mask/prot/port): (10.2.1.0/255.255.255.0/0/0)' \
	'remote ident (addr/mask/prot/port): (10.3.1.0/255.255.255.0/0/0)' 'current_peer 172.18.143.2 port 500' \
	'local crypto endpt.: 172.18.143.246, remote crypto endpt.: 172.18.143.2' \
	'current outbound spi: 0x00002000(8192)' 'spi: 0x00001000(4096)' 'transform: esp-aes 256 esp-sha-hmac ,' \
	'crypto map: CM$' 'no sa timing' 'Status: ACTIVE(ACTIVE)'; do
	echo "$sa" | grep -q -- "$want" || die "show crypto ipsec sa lacks: $want"
done
echo "$sa" | grep -q "remaining key lifetime" && die "show crypto ipsec sa gives a manual SA a lifetime"
[ "$(sa_text interface cm0 | grep -c '^interface: eth0')" = 1 ] || die "show crypto ipsec sa interface cm0 lacks the entry"
[ "$(sa_text interface eth0 | grep -c 'Crypto map tag: CM')" = 1 ] || die "show crypto ipsec sa interface eth0 lacks the entry"
[ -z "$(sa_text interface va1)" ] || die "show crypto ipsec sa interface va1 shows the manual entry"
encaps() { sa_text | sed -n 's/.*#pkts encaps: \([0-9]*\),.*/\1/p' | head -1; }
enc0=$(encaps)

wire_start
lan ping -c3 -w 10 10.2.1.10 >/dev/null || { wire_stop; die "no ping from the LAN host to 10.2.1.10"; }
timeout 30 ip netns exec vpnd_lan iperf3 -c 10.2.1.10 -t 2 -J >"$T/up.json" || { wire_stop; die "iperf3 up failed"; }
timeout 30 ip netns exec vpnd_lan iperf3 -c 10.2.1.10 -t 2 -R -J >"$T/down.json" || { wire_stop; die "iperf3 down failed"; }
wire_stop
mbit() { python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$1"; }
echo "iperf3 through the manual SAs: up $(mbit "$T/up.json") Mbit/s, down $(mbit "$T/down.json") Mbit/s"
grep -q "Accepted connection from 10.3.1.10" "$T/iperf.log" || die "the LAN host's own address did not arrive"
esp=$(wire_count esp); tcp=$(wire_count tcp); icmp=$(wire_count icmp)
[ "${esp:-0}" -gt 100 ] || die "only ${esp:-0} ESP packets on the hub's eth0"
[ "${tcp:-0}" -eq 0 ] && [ "${icmp:-0}" -eq 0 ] || die "tcp ${tcp:-?} / icmp ${icmp:-?} packets in clear on eth0"
pass "ping and iperf3 both ways between 10.3.1.10 and 10.2.1.10 in ESP ($esp ESP packets on the wire, none in clear)"

# the counters tunmgr reports every 5 s reach the entry's row: encaps rise past the ping
wait_until 15 sh -c "[ \"\$('$VPNCTL' -S '$hst' show crypto ipsec sa | sed -n 's/.*#pkts encaps: \\([0-9]*\\),.*/\\1/p' | head -1)\" -gt $((${enc0:-0} + 100)) ]" ||
	{ sa_text >&2; die "show crypto ipsec sa: #pkts encaps did not rise past ${enc0:-0} + 100"; }
"$VPNCTL" -S "$hst" show crypto ipsec sa --json >"$T/sa.json" || die "show crypto ipsec sa --json failed"
python3 - "$T/sa.json" <<'PY' || die "show crypto ipsec sa --json: the manual entry is not as expected"
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r.get("crypto_map") == "CM"]
assert len(rows) == 1, rows
r = rows[0]
want = {"map_seq": 10, "map_iface": "eth0", "ifname": "cm0", "spi_in": "00001000",
        "spi_out": "00002000", "peer_addr": "172.18.143.2", "local_addr": "172.18.143.246",
        "local_ident": "10.2.1.0", "local_mask": "255.255.255.0", "remote_ident": "10.3.1.0",
        "remote_mask": "255.255.255.0", "transform": "esp-aes 256 esp-sha-hmac",
        "remaining_seconds": None, "remaining_kb_in": None, "ended": None}
for k, v in want.items():
    assert r.get(k) == v, (k, r.get(k), v)
assert r["pkts_encaps"] > 100 and r["pkts_decaps"] > 100, r
assert r["verify_fail"] == 0 and r["replay_fail"] == 0, r
PY
pass "show crypto ipsec sa [--json] lists the manual entry (eth0, map CM, ACE idents, SPIs, no lifetime), its counters rising with the traffic"

# --- outside the ACL: in clear
wire_start
cl ping -c3 -w 5 172.18.143.246 >/dev/null || { wire_stop; die "the client host cannot ping the hub"; }
wire_stop
[ "$(wire_count icmp)" -ge 6 ] && [ "$(wire_count esp)" -eq 0 ] || die "traffic outside the ACL was not in clear"
pass "traffic outside the ACL goes in clear"

# --- authentic ESP from the peer whose inner packet is outside the ACE mirrored: dropped
esp_inject() {   # SEQ SRC DST
	cl env ESP_KEY=$K1 ESP_AUTH=$A1 python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 4096 "$@" >/dev/null ||
		die "ezesp.py inject failed"
}
esp_inject 4000000000 10.3.1.10 10.9.9.9
esp_inject 4000000001 10.7.7.7 10.2.1.10
wait_until 5 grep -q "cm0: packet from 10.3.1.10 to 10.9.9.9 outside the mirrored access list dropped" "$hst/vpnd.log" ||
	die "hub: a packet to outside the ACE's source network was not dropped as outside the mirrored ACL"
wait_until 5 grep -q "cm0: packet from 10.7.7.7 outside the selector of SA 00001000 dropped" "$hst/vpnd.log" ||
	die "hub: a packet from outside the ACE's destination network was not dropped"
# both counted as errors of the entry's SA in the store (within tunmgr's 5 s report period)
wait_until 12 sh -c "'$VPNCTL' -S '$hst' show crypto ipsec sa | grep -Eq '#send errors [0-9]+, #recv errors [1-9]'" ||
	{ sa_text >&2; die "show crypto ipsec sa: the dropped packets are not in #recv errors"; }
pass "authentic ESP carrying packets outside the ACE mirrored is dropped and counted"

stop_both
for ns in vpnd_hub vpnd_cl; do
	left=$(leftovers $ns)
	[ -z "$left" ] || die "$ns: left after the stop: $left"
done
grep -q "cm0 (crypto map CM 10) removed: [1-9][0-9]* packets in, [1-9][0-9]* out; dropped: 0 ICV, 0 replay, 1 outside the mirrored ACL, [1-9][0-9]* other" "$hst/vpnd.log" ||
	{ grep "removed:" "$hst/vpnd.log" >&2; die "hub: counts at removal not as expected"; }
pass "nothing left after a stop (no cm device, rule or table route)"

# --- a wrong inbound key on the hub: ICV failures, no traffic
vpnd_start "$T/hub-bad.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"
wait_until 10 cm_up "$hst" || die "hub (wrong key): cm0 did not come up"
wait_until 10 cm_up "$cst" || die "client (wrong key): cm0 did not come up"
lan ping -c3 -w 4 10.2.1.10 >/dev/null && die "a ping passed with a wrong key"
stop_both
icv=$(sed -n 's/.*cm0 (crypto map CM 10) removed: .* dropped: \([0-9]*\) ICV.*/\1/p' "$hst/vpnd.log")
[ "${icv:-0}" -ge 3 ] || die "hub: ${icv:-no} ICV drops counted with a wrong key"
grep -q "cm0: ESP SPI 00001000 dropped" "$hst/vpnd.log" || die "hub: the ICV drops were not logged"
pass "a wrong key: traffic fails, $icv ICV drops counted"

# --- reloads: the same keys keep the entry; new SPIs and keys on both sides replace it
vpnd_start "$T/hub.conf" "$hst"
vpnd_start_cl "$T/client.conf" "$cst"
wait_until 10 cm_up "$hst" && wait_until 10 cm_up "$cst" || die "cm0 did not come up again"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping before the reloads"
"$VPNCTL" -S "$hst" reload >/dev/null || die "hub: reload refused"
wait_until 10 grep -q "configuration reloaded" "$hst/vpnd.log" || die "hub: no reload"
sleep 0.5
[ "$(grep -c 'cm0 (CryptoMap-CM-10) up' "$hst/vpnd.log")" = 1 ] || die "hub: an unchanged entry was re-created by a reload"
map_conf eth0 172.18.143.246 172.18.143.2 10.2.1.0 10.3.1.0 "$K2" "$A2" "$K1" "$A1" 12288 16384 >"$T/hub.conf"
map_conf clout 172.18.143.2 172.18.143.246 10.3.1.0 10.2.1.0 "$K1" "$A1" "$K2" "$A2" 16384 12288 >"$T/client.conf"
"$VPNCTL" -S "$hst" reload >/dev/null || die "hub: second reload refused"
"$VPNCTL" -S "$cst" reload >/dev/null || die "client: reload refused"
wait_until 10 grep -q "manual SAs in 00003000, out 00004000" "$hst/vpnd.log" || die "hub: new SPIs not installed after the reload"
wait_until 10 grep -q "manual SAs in 00004000, out 00003000" "$cst/vpnd.log" || die "client: new SPIs not installed after the reload"
wait_until 10 sh -c "[ \$(grep -c 'cm0 (CryptoMap-CM-10) up' '$cst/vpnd.log') = 2 ]" || die "client: cm0 not up again after the reload"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping on the new keys after the reloads"
[ "$(hub ip rule show | grep -c '^2500:')" = 1 ] || die "hub: not exactly one rule after the reloads"
! grep -h "cannot create cm" "$hst/vpnd.log" "$cst/vpnd.log" || die "a replaced entry's device was not free for its successor"
sa=$(sa_text) || die "show crypto ipsec sa failed after the reloads"
echo "$sa" | grep -q 'spi: 0x00003000(12288)' && ! echo "$sa" | grep -q 'spi: 0x00001000' ||
	{ echo "$sa" >&2; die "show crypto ipsec sa: not the replacing entry alone after the reload"; }
pass "a reload keeps an unchanged entry and replaces one with new SPIs and keys"

# --- a kill -9 of tunmgr leaves the rule; the next start sweeps it
pid=$(pgrep -P "$VPND_CL_PID" -f -- "-X tunmgr" | head -1)
[ -n "$pid" ] || die "client: no tunmgr process"
kill -KILL "$pid"
wait_until 5 sh -c "! kill -0 $VPND_CL_PID 2>/dev/null" || die "client: vpnd still runs 5 s after its tunmgr was killed"
wait "$VPND_CL_PID" 2>/dev/null; VPND_CL_PID=
wait_until 10 sh -c "! ip netns exec vpnd_cl ip -o link show | grep -q ' cm0:'" || die "client: cm0 outlived a kill -9"
[ "$(cl ip rule show | grep -c '^2500:')" = 1 ] || die "client: the kill -9 left no rule to sweep (the test proves nothing)"
mv "$cst/vpnd.log" "$cst/vpnd.log.1"
vpnd_start_cl "$T/client.conf" "$cst"
wait_until 10 cm_up "$cst" || die "client: cm0 did not come up after the kill"
grep -Eq "[0-9]+ crypto map policy rules? left by an earlier run removed" "$cst/vpnd.log" ||
	{ cl ip rule show >&2; die "client: no sweep of the rule a kill -9 left"; }
[ "$(cl ip rule show | grep -c '^2500:')" = 1 ] || die "client: not exactly one rule after the sweep"
lan ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping after the client's restart"
pass "a rule left by a kill -9 of tunmgr is swept at the next start"
stop_both
for ns in vpnd_hub vpnd_cl; do
	left=$(leftovers $ns)
	[ -z "$left" ] || die "$ns: left after the stop: $left"
done
exit 0
