#!/bin/bash
# Interop with strongSwan's charon (kernel-libipsec: ESP in UDP 4500) as an IKEv2 client of vpnd
# as a FlexVPN hub (issue 12, the first slice: PSK both ways, Mode Config, one CHILD_SA on a
# virtual-access interface). test/data/hub-ikev2-psk.conf: two IKEv2 proposals (AES-CBC-256/
# SHA-256/group 14 and AES-GCM-256/PRF SHA-384/group 19), a keyring peer known by its FQDN with
# a different key each way, a profile matching it, an authorization policy with a pool, a DNS
# server and the inside network as a route, ESP AES-256/SHA-256 on Virtual-Template1.
# Checked:
#  - vpnd -n accepts the file without a word;
#  - charon (IDi client.example.com, IDr hub.example.com) gets an IKE_SA and a CHILD_SA with the
#    first proposal, ESP in UDP, a virtual IP from the pool and the DNS server; ping and
#    iperf3 both ways reach the inside host through the tunnel; the hub has a vaN with a
#    route to the virtual IP; under iperf3 both ways charon rekeys the CHILD_SA (with PFS)
#    and then the IKE SA, the session keeps its id and vaN; the hub's liveness check is
#    answered (test/lib/v2check.sh); show crypto session and show crypto ipsec sa list it; a
#    RADIUS Disconnect-Request ends the rekeyed session with a DELETE;
#  - clear crypto session ends a session (the hub sends DELETE, charon drops its SAs, the vaN
#    goes); a client that restarts is known by its INITIAL_CONTACT; a silent one is declared
#    dead by DPD;
#  - the second proposal (AES-GCM-256, PRF SHA-384, ECP-256) is chosen when it is all charon
#    offers, and charon's own DELETE removes the vaN;
#  - the keys go the right way: a client signing with a wrong key, or with the hub's key, is
#    refused (AUTHENTICATION_FAILED, the hub logs it); a client that holds only its own key
#    refuses the hub's AUTH, so the hub signs with its local key and not with the client's
#    (strongSwan accepts a peer's AUTH made with any key filed under either identity, see
#    swan_v2_start), and the hub then drops the half-made session;
#  - an identity that no profile matches is refused, named in the hub's log;
#  - IKE fragmentation (RFC 7383): with crypto ikev2 fragmentation mtu 200 on the hub and
#    charon's fragment_size at 300, charon's IKE_AUTH request arrives in fragments the hub puts
#    back together, and the hub's IKE_AUTH response (about 260 bytes) leaves in fragments
#    charon puts back together (both logs say so); the client gets its address and pings;
#    the same with AES-GCM (the fragment numbers are in the AAD);
#  - no vaN, session or sanitizer report is left behind.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/v2check.sh"

CONF=$SRCDIR/test/data/hub-ikev2-psk.conf
HUBKEY=Hub7v2Key9aSecret      # the hub signs with it: pre-shared-key local
CLIENTKEY=Cl4v2Key3bSecret    # the client signs with it: pre-shared-key remote
GW=172.18.143.246

interop_begin swanctl iperf3 ip python3 ping unshare
swan_require resolve

# The file first: a refusal here is the configuration's fault, not the engine's.
"$VPND" -n -f "$CONF" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses $CONF"; }
[ -s "$T/check.log" ] && { cat "$T/check.log" >&2; fail "vpnd -n warns about $CONF"; }
grep -q "pre-shared-key local $HUBKEY\$" "$CONF" && grep -q "pre-shared-key remote $CLIENTKEY\$" "$CONF" ||
	fail "$CONF does not hold the keys this test uses"
pass "vpnd -n accepts hub-ikev2-psk.conf"

ns_setup || fail "namespace setup"

st=$T/hub
name=psk
# on failure, charon's side (interop_cleanup shows the end of vpnd's log)
dump() {
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC|CFG|NET)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -25 >&2; }
}
die() { dump; fail "$name: $*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
va_list() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1; }
no_va() { ! va_list | grep -q .; }
no_ike_sa() { ! swan_sas | grep -q ESTABLISHED; }

# client NAME SETTINGS...: a fresh charon as the IKEv2 client (the one before is stopped)
client() {
	local n=$1; shift
	swan_stop
	swan_v2_start "$T/swan-$n" gateway=$GW local_id=client.example.com remote_id=hub.example.com \
		"$@" || die "charon did not start"
}

# why_down: what charon saw, for a connect that should have worked
why_down() {
	if ! grep -q "parsed IKE_SA_INIT response" "$SWAN_DIR/charon.log"; then
		echo "the hub never answered IKE_SA_INIT: no IKEv2 responder in this vpnd?"
	elif ! grep -q "parsed IKE_AUTH response" "$SWAN_DIR/charon.log"; then
		echo "IKE_SA_INIT answered, IKE_AUTH not"
	else
		grep -E "parsed IKE_AUTH response|received .* notify|MAC mismatched" "$SWAN_DIR/charon.log" | head -3
	fi
}

# refused NAME WHY: the connect just tried must have failed, leaving no session on the hub
refused() {
	swan_sas | grep -q ESTABLISHED && die "$1 got an IKE_SA ($2)"
	wait_until 10 no_va ||
		die "$1: a vaN is left on the hub: $(va_list | tr '\n' ' ')"
	[ "$(ctl --json show crypto session | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
		die "$1: show crypto session lists a session"
}

echo "=== $name: charon IKEv2 PSK client against hub-ikev2-psk.conf"
vpnd_start "$CONF" "$st"
# the ESP proposal offers a DH group: CREATE_CHILD_SA rekeys carry KE (PFS)
client ok sign_key=$CLIENTKEY verify_key=$HUBKEY esp=aes256-sha256-modp2048 resolve=yes
t0=$(date +%s%N)
swan_up 10 || die "charon did not connect: $(why_down)"
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the fresh tunnel"
echo "connect: swanctl --initiate ${SWAN_UP_MS} ms, first ping reply after $(( ($(date +%s%N) - t0) / 1000000 )) ms"

sas=$(swan_sas)
echo "$sas" | grep -q "ESTABLISHED, IKEv2" || { echo "$sas"; die "no IKEv2 SA established"; }
echo "$sas" | grep -q "remote 'hub.example.com' @ $GW\[4500\]" ||
	{ echo "$sas"; die "the hub is not hub.example.com on UDP 4500"; }
echo "$sas" | grep -q "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" ||
	{ echo "$sas"; die "IKE_SA is not AES-CBC-256/SHA-256/group 14"; }
echo "$sas" | grep -q "INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128" ||
	{ echo "$sas"; die "CHILD_SA is not ESP-in-UDP AES-256/SHA-256"; }
pass "$name: IKE_SA AES-CBC-256/SHA-256/MODP-2048 as hub.example.com, CHILD_SA ESP AES-256/SHA-256 in UDP 4500"

# address and DNS server from the CP, ping both ways, iperf3 20 MB each way, both rekeys
# under iperf3, the hub's liveness check answered
V2_MB=20 V2_PFS=1 v2_check full "$name" "$st" "192\.168\.50\.(1[0-9]|20)" 10.2.1.53
vip=$V2_VIP va=$V2_VA
[ "$(va_list | wc -l)" = 1 ] || die "more than one vaN: $(va_list | tr '\n' ' ')"
hub ip -d link show "$va" | grep -q "alias Virtual-Access${va#va}" || die "$va has no Virtual-Access alias"
hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va: $(hub ip route)"
pass "$name: $va (Virtual-Access${va#va}) with a route to $vip"

tx_before=$(hub cat "/sys/class/net/$va/statistics/tx_packets")
cl ping -c 5 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "ping loss through the tunnel"
tx_after=$(hub cat "/sys/class/net/$va/statistics/tx_packets")
[ $((tx_after - tx_before)) -ge 5 ] || die "replies did not go back through $va ($tx_before -> $tx_after)"
pass "$name: ping 10.2.1.10 from $vip, replies through $va"

out=$(ctl show crypto session) || die "show crypto session failed"
echo "$out" | grep -qx "Interface: Virtual-Access${va#va}" || { echo "$out"; die "show crypto session: no Virtual-Access${va#va}"; }
echo "$out" | grep -qx "Profile: FLEXPROF" || { echo "$out"; die "show crypto session: not the ikev2 profile FLEXPROF"; }
echo "$out" | grep -q "^Session status: UP" || { echo "$out"; die "show crypto session: not up"; }
echo "$out" | grep -qx "Peer: 172.18.143.2 port 4500" || { echo "$out"; die "show crypto session: peer"; }
echo "$out" | grep -qx "Assigned address: $vip" || { echo "$out"; die "show crypto session: assigned address"; }
echo "$out" | grep -Eq "^  IKEv2 SA: local $GW/4500 remote 172.18.143.2/4500 (Active|READY)" ||
	{ echo "$out"; die "show crypto session: no IKEv2 SA line (IKEv2 SA: local $GW/4500 remote 172.18.143.2/4500 Active)"; }
pass "$name: show crypto session: Virtual-Access${va#va}, FLEXPROF, peer 172.18.143.2:4500, $vip, IKEv2 SA"

# tunmgr reports SA counters every few seconds: wait for the pings' to be counted
wait_until 12 sh -c "[ \"\$($VPNCTL -S $st sql \"SELECT min(pkts_encaps) FROM ipsec_sas WHERE ended IS NULL\" | tail -1)\" -ge 6 ]" ||
	die "ipsec sa counters did not reach 6 within 12 s: $(ctl sql 'SELECT spi_in, pkts_encaps, pkts_decaps FROM ipsec_sas')"
out=$(ctl show crypto ipsec sa interface "$va") || die "show crypto ipsec sa failed"
echo "$out" | grep -qx "interface: Virtual-Access${va#va}" || { echo "$out"; die "ipsec sa: interface line"; }
echo "$out" | grep -qx "   current_peer 172.18.143.2 port 4500" || { echo "$out"; die "ipsec sa: current_peer"; }
echo "$out" | grep -qx "        transform: esp-aes 256 esp-sha256-hmac ," || { echo "$out"; die "ipsec sa: transform"; }
echo "$out" | grep -qx "        in use settings ={Tunnel UDP-Encaps, }" || { echo "$out"; die "ipsec sa: not UDP-Encaps"; }
enc=$(echo "$out" | sed -n 's/.*#pkts encaps: \([0-9]*\),.*/\1/p' | head -1)
dec=$(echo "$out" | sed -n 's/.*#pkts decaps: \([0-9]*\),.*/\1/p' | head -1)
[ "${enc:-0}" -ge 6 ] && [ "${dec:-0}" -ge 6 ] || { echo "$out"; die "ipsec sa: counters below the pings ($enc / $dec)"; }
pass "$name: show crypto ipsec sa: $va, esp-aes 256 esp-sha256-hmac in UDP, encaps $enc decaps $dec"

# a reload (the configuration is copied over in place): the session finds its profile again
out=$(ctl reload 2>&1) || die "reload refused: $out"
wait_until 5 grep -q "configuration reloaded" "$st/vpnd.log" || die "no reload logged"
cl ping -c2 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping after a reload"
[ "$(va_list)" = "$va" ] || die "the interface changed over a reload"
pass "$name: reload: the IKEv2 session and its $va kept, ping after"

# RFC 5176 Disconnect-Request by User-Name: the session that moved to the rekeyed IKE SA ends
out=$(hub timeout 10 python3 "$SRCDIR/test/lib/coa_send.py" 127.0.0.1 CoaS3cret client.example.com 1)
case "$out" in "answer 41 "*) ;; *) die "Disconnect-Request for client.example.com: $out";; esac
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after the Disconnect"
hub ip route show "$vip" | grep -q . && die "route to $vip left after the Disconnect"
wait_until 10 no_ike_sa || die "charon kept its IKE_SA after the Disconnect"
grep -q "received DELETE for IKE_SA" "$SWAN_DIR/charon.log" || die "charon got no DELETE after the Disconnect"
pass "$name: RADIUS Disconnect-Request ACKed, the rekeyed session ended with a DELETE to charon, $va and its route gone"
# accounting (aaa accounting psk FLEXACCT): a Start and a Stop for the session, in the store
# (the server never answers; test_acct.sh covers the sending)
wait_until 10 sh -c "[ \"\$($VPNCTL -S $st sql \"SELECT count(*) FROM acct_queue WHERE username = 'client.example.com' AND framed_ip = '$vip' AND status IN ('Start', 'Stop')\" | tail -1)\" = 2 ]" ||
	die "no Start and Stop queued for the IKEv2 session: $(ctl sql 'SELECT status, username, framed_ip, grp FROM acct_queue')"
pass "$name: accounting Start and Stop queued for client.example.com ($vip) to ACCTGRP"
# show crypto ikev2 sa (IOS's table) while a session is up comes in the gcm case below

# the second proposal when it is all the client offers; the client hangs up
name=gcm
client gcm sign_key=$CLIENTKEY verify_key=$HUBKEY ike=aes256gcm16-prfsha384-ecp256
swan_up 10 || die "charon did not connect with AES-GCM-256: $(why_down)"
swan_sas | grep -q "AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_256" || { swan_sas; die "IKE_SA is not AES-GCM-256/PRF SHA-384/ECP-256"; }
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping through the GCM session"
out=$(ctl show crypto ikev2 sa) || die "show crypto ikev2 sa failed"
echo "$out" | grep -Eq "^[0-9]+ +$GW/4500 +172.18.143.2/4500 +none/none +READY$" ||
	{ echo "$out"; die "show crypto ikev2 sa: no READY line for the session"; }
echo "$out" | grep -q "Encr: AES-GCM, keysize: 256, PRF: SHA384, Hash: None, DH Grp:19, Auth sign: PSK, Auth verify: PSK" ||
	{ echo "$out"; die "show crypto ikev2 sa: not the GCM proposal"; }
ctl show crypto isakmp sa | grep -q "172.18.143.2" && die "show crypto isakmp sa lists the IKEv2 SA"
va=$(va_list | head -1)
[ -n "$va" ] || die "no vaN interface"
swan_down 10 || { cat "$SWAN_DIR/terminate.log" >&2; die "swanctl --terminate failed"; }
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after charon's DELETE"
pass "$name: IKE_SA AES-GCM-256/PRF-SHA-384/ECP-256 (the second proposal), ping, $va gone after charon's DELETE"

# hub-started liveness (dpd 10 2 periodic): answered while charon lives (v2_check above);
# once its UDP is dropped, 5 unanswered tries 2 s apart end the session
name=dpd
client dpd sign_key=$CLIENTKEY verify_key=$HUBKEY
swan_up 10 || die "charon did not connect for the DPD test: $(why_down)"
va=$(va_list | head -1)
[ -n "$va" ] || die "no vaN interface"
cl nft -f - <<'NFT' || die "cannot block charon's UDP"
table inet v2dpd {
	chain in { type filter hook input priority -10; udp dport { 500, 4500 } drop; }
	chain out { type filter hook output priority -10; udp sport { 500, 4500 } drop; }
}
NFT
t0=$(date +%s)
wait_until 45 grep -q "the peer did not answer DPD, declared dead" "$st/vpnd.log" ||
	{ cl nft delete table inet v2dpd; die "the hub did not take the silent charon for dead within 45 s"; }
dead=$(( $(date +%s) - t0 ))
cl nft delete table inet v2dpd || die "cannot unblock charon"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after DPD"
pass "$name: charon silenced, declared dead after ${dead} s, $va gone"
swan_stop

# a client that restarts (killed, no DELETE) comes back with INITIAL_CONTACT: its old
# session ends at once, not at DPD; one session and one vaN after
name=restart
client restart1 sign_key=$CLIENTKEY verify_key=$HUBKEY
swan_up 10 || die "charon did not connect for the restart test: $(why_down)"
va_old=$(va_list | head -1)
[ -n "$va_old" ] || die "no vaN interface"
kill -KILL "$SWAN_PID" && wait "$SWAN_PID" 2>/dev/null
SWAN_PID=
client restart2 sign_key=$CLIENTKEY verify_key=$HUBKEY
swan_up 10 || die "the restarted charon did not connect: $(why_down)"
grep -q "N(INIT_CONTACT)" "$SWAN_DIR/charon.log" || die "charon sent no INITIAL_CONTACT"
wait_until 3 sh -c "[ \$(ip netns exec vpnd_hub ip -o link show | grep -c ': va[0-9]') = 1 ]" ||
	die "the old session's interface stayed after INITIAL_CONTACT: $(va_list | tr '\n' ' ')"
n=$(ctl --json show crypto session | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 1 ] || die "$n sessions after the client's restart"
grep -q "INITIAL_CONTACT from 'client.example.com' ended 1 older session" "$st/vpnd.log" ||
	die "the hub did not log the INITIAL_CONTACT"
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping after the restart"
pass "$name: a restarted client's INITIAL_CONTACT ended its old session ($va_old) at once"
va=$(va_list | head -1)
vip=$(swan_vip)
ctl clear crypto session remote 172.18.143.2 >/dev/null || die "clear crypto session remote 172.18.143.2 failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after clear crypto session"
hub ip route show "$vip" | grep -q . && die "route to $vip left after the clear"
wait_until 10 no_ike_sa || die "charon kept its IKE_SA after the clear"
grep -q "received DELETE for IKE_SA" "$SWAN_DIR/charon.log" || die "the hub did not send DELETE for the IKE_SA"
pass "$name: clear crypto session: DELETE to charon, $va and its route gone"

# the keys, each way
name=wrongkey
client wrong sign_key=Wr0ngKey5cSecret verify_key=$HUBKEY
swan_up 10 && die "a client signing with a wrong key got in"
grep -q "received AUTHENTICATION_FAILED notify" "$SWAN_DIR/charon.log" || die "charon got no AUTHENTICATION_FAILED"
grep -qi "authentication failed" "$st/vpnd.log" || die "the hub did not log the failed authentication"
refused "a wrong key" "wrong key"
pass "$name: wrong key refused with AUTHENTICATION_FAILED, logged, nothing left"

name=hubkey
n0=$(grep -ci "authentication failed" "$st/vpnd.log")
client hubkey sign_key=$HUBKEY verify_key=$CLIENTKEY
swan_up 10 && die "a client signing with the hub's own key (pre-shared-key local) got in"
grep -q "received AUTHENTICATION_FAILED notify" "$SWAN_DIR/charon.log" || die "charon got no AUTHENTICATION_FAILED"
[ "$(grep -ci "authentication failed" "$st/vpnd.log")" -gt "$n0" ] || die "the hub did not log the failed authentication"
refused "the hub's key" "client signed with HUBKEY"
pass "$name: a client signing with the hub's local key is refused: the hub checks the remote key only"

name=ownkey
client ownkey sign_key=$CLIENTKEY
swan_up 10 && die "charon holding only its own key accepted the hub's AUTH: the hub signs with the client's key"
grep -q "tried 1 shared key for 'client.example.com' - 'hub.example.com', but MAC mismatched" "$SWAN_DIR/charon.log" ||
	die "charon did not check the hub's AUTH (it should fail with its own key only): $(why_down)"
# charon said so in an INFORMATIONAL (RFC 7296 2.21.2) after the hub had finished IKE_AUTH
refused "a half-made session" "the hub kept the session charon refused (INFORMATIONAL AUTHENTICATION_FAILED)"
pass "$name: the hub signs with its local key (the client's key does not verify it); the refused session is gone"

name=stranger
client stranger local_id=stranger.example.net sign_key=$CLIENTKEY verify_key=$HUBKEY
swan_up 10 && die "an identity no profile matches got in"
grep -q "received AUTHENTICATION_FAILED notify" "$SWAN_DIR/charon.log" || die "charon got no AUTHENTICATION_FAILED"
grep -q "stranger.example.net" "$st/vpnd.log" || die "the hub's log does not name the refused identity"
refused "an unknown identity" "stranger.example.net"
pass "$name: stranger.example.net matches no profile: refused, named in the log"

# a client that claims a network as its side (TSi 10.9.0.0/24, not its address): the hub
# narrows to the address the CP gave or, as here where the claim does not hold it, installs
# no CHILD_SA at all (TS_UNACCEPTABLE) and routes nothing toward the claimed network
name=claim
client claim sign_key=$CLIENTKEY verify_key=$HUBKEY local_ts=10.9.0.0/24
swan_up 10 && die "a CHILD_SA for a claimed network 10.9.0.0/24 was installed"
grep -q "received TS_UNACCEPTABLE notify" "$SWAN_DIR/charon.log" ||
	die "charon got no TS_UNACCEPTABLE: $(why_down)"
[ "$(ctl sql "SELECT count(*) FROM ipsec_sas WHERE ended IS NULL" | tail -1)" = 0 ] ||
	die "an IPsec SA is open for the claimed network"
hub ip route show 10.9.0.0/24 | grep -q . && die "the hub routes the claimed 10.9.0.0/24"
pass "$name: a TSi claiming 10.9.0.0/24 gets TS_UNACCEPTABLE, no IPsec SA, no route"
swan_stop

# clean_log: no sanitizer report or fatal error in the hub's log
clean_log() {
	grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
		{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in $st/vpnd.log"; }
	return 0
}

# IKE fragmentation both ways: the hub restarted with crypto ikev2 fragmentation mtu 200 (its
# IKE_AUTH answer, about 260 bytes with the CP, SA and selectors, does not fit), charon with
# fragment_size 300 (its IKE_AUTH, about 380 bytes with its notifies, does not either)
name=frag
vpnd_stop "$st"
clean_log
sed '/^end$/i crypto ikev2 fragmentation mtu 200' "$CONF" >"$T/hub-frag.conf"
grep -qx "crypto ikev2 fragmentation mtu 200" "$T/hub-frag.conf" || die "no 'end' in $CONF to insert before"
st=$T/hub-frag
vpnd_start "$T/hub-frag.conf" "$st"
ctl show running-config | grep -qx "crypto ikev2 fragmentation mtu 200" ||
	die "show running-config does not print crypto ikev2 fragmentation mtu 200"
client frag sign_key=$CLIENTKEY verify_key=$HUBKEY conn_extra="fragmentation = yes" \
	charon_extra="fragment_size = 300"
swan_up 10 || die "charon did not connect with fragmentation: $(why_down)"
grep -q "splitting IKE message .* into [0-9]* fragments" "$SWAN_DIR/charon.log" ||
	die "charon did not fragment its IKE_AUTH: $(grep -E "IKE_AUTH request|sending packet" "$SWAN_DIR/charon.log" | head -4)"
grep -Eq "IKEv2 session [0-9]+: message 1 reassembled from [0-9]+ fragments" "$st/vpnd.log" ||
	die "the hub did not log putting charon's IKE_AUTH back together"
grep -Eq "IKEv2 session [0-9]+: response 1 \([0-9]+ bytes\) sent in [0-9]+ fragments" "$st/vpnd.log" ||
	die "the hub did not send its IKE_AUTH response in fragments"
grep -q "reassembled fragmented IKE message" "$SWAN_DIR/charon.log" ||
	die "charon did not put the hub's fragments back together: $(grep -E 'fragment' "$SWAN_DIR/charon.log" | tail -3)"
vip=$(swan_vip)
case "$vip" in 192.168.50.1[0-9]|192.168.50.20) ;; *) die "virtual IP '$vip' not from flexpool";; esac
cl ping -c2 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping through the session set up in fragments"
inf=$(grep -Eo "message 1 reassembled from [0-9]+ fragments" "$st/vpnd.log" | head -1)
outf=$(grep -Eo "response 1 \([0-9]+ bytes\) sent in [0-9]+ fragments" "$st/vpnd.log" | head -1)
pass "$name: IKE_AUTH $inf, $outf; $vip, ping"
swan_down 10 || die "swanctl --terminate failed"
# AES-GCM: Fragment Number and Total Fragments are in each fragment's AAD (RFC 7383 2.5.3)
name=frag-gcm
nin=$(grep -Ec "message 1 reassembled from [0-9]+ fragments" "$st/vpnd.log")
nout=$(grep -Ec "response 1 \([0-9]+ bytes\) sent in [0-9]+ fragments" "$st/vpnd.log")
client fraggcm sign_key=$CLIENTKEY verify_key=$HUBKEY conn_extra="fragmentation = yes" \
	charon_extra="fragment_size = 300" ike=aes256gcm16-prfsha384-ecp256
swan_up 10 || die "charon did not connect with fragmentation and AES-GCM: $(why_down)"
swan_sas | grep -q "AES_GCM_16-256" || { swan_sas; die "IKE_SA is not AES-GCM-256"; }
grep -q "splitting IKE message .* into [0-9]* fragments" "$SWAN_DIR/charon.log" ||
	die "charon did not fragment its IKE_AUTH"
grep -q "reassembled fragmented IKE message" "$SWAN_DIR/charon.log" ||
	die "charon did not put the hub's fragments back together"
[ "$(grep -Ec "message 1 reassembled from [0-9]+ fragments" "$st/vpnd.log")" -gt "$nin" ] &&
	[ "$(grep -Ec "response 1 \([0-9]+ bytes\) sent in [0-9]+ fragments" "$st/vpnd.log")" -gt "$nout" ] ||
	die "the hub did not reassemble and fragment IKE_AUTH under AES-GCM"
cl ping -c2 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping through the AES-GCM session set up in fragments"
pass "$name: the same under AES-GCM-256 (fragment numbers in the AAD), ping"
swan_down 10 || die "swanctl --terminate failed"

name=end
swan_stop
vpnd_stop "$st"
va_list | grep -q . && die "interfaces left after SIGTERM"
clean_log
echo "all IKEv2 interop scenarios passed"
