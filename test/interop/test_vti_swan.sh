#!/bin/bash
# Static VTI against strongSwan: vpnd in the hub namespace has `interface Tunnel0` with tunnel
# destination 172.18.143.2, where charon (kernel-libipsec, its own TUN ipsec0) is the
# responder: IKEv1 main mode with a pre-shared key by address, local_ts = remote_ts =
# 0.0.0.0/0, PFS with group 14, ESP in UDP (charon fakes NAT-D: libipsec has no raw ESP). vpnd dials at start;
# the tunnel comes up, Tunnel0 carries `ip route 10.3.1.0 255.255.255.0 Tunnel0`, the hub's
# inside host and the LAN host behind charon ping each other and move data with iperf3 both
# ways (ESP counted on the wire), vpnctl lists the tunnel, charon's DELETE is obeyed (the
# tunnel is dialled again), charon (rekey_time 20 s from then on) renews the pair itself and
# vpnd answers with a ping loop passing (exactly one pair after), charon's UDP blocked makes
# vpnd's DPD (keepalive 10 3) end the tunnel and withdraw its routes, and unblocked it is
# dialled again; a stop removes the device and its routes. Then vpnd again with a 60 s ISAKMP
# lifetime renews phase 1 with a new main mode while a ping loop passes.
# Needs root; fails (never skips) when strongSwan or a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl iperf3 ip ping python3 nft
swan_require
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind charon"

st=$T/hub
cp "$SRCDIR/test/data/hub-vti.conf" "$T/vti.conf" || fail "no test/data/hub-vti.conf"

dump() {
	echo "--- vpnd log" >&2; tail -40 "$st/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG|KNL)\]" "$SWAN_DIR/charon.log" | tail -30 >&2
}
die() { dump; fail "$*"; }

"$VPND" -n -f "$T/vti.conf" || fail "the VTI configuration does not check"

# charon as the responder in the client namespace: main mode, PSK by address, 0/0 both ways
# (it routes 0/0 into ipsec0 in its own table, with an exclude route for vpnd's address)
sdir=$(realpath -m "$T/swan")
mkdir -p "$sdir/run" "$sdir/swanctl/x509" "$sdir/swanctl/x509ca" "$sdir/swanctl/private"
SWAN_DIR=$sdir
_swan_conf "$sdir" "$SWAN_PLUGINS" 2 ""
cat >"$sdir/swanctl/swanctl.conf" <<CONF
connections {
	$SWAN_CONN {
		version = 1
		aggressive = no
		local_addrs = 172.18.143.2
		remote_addrs = 172.18.143.246
		proposals = aes256-sha1-modp2048
		encap = yes
		dpd_delay = 0
		# told a 60 s ISAKMP lifetime, charon would reauthenticate itself at once (the
		# lifetime is under its 10 % of 4 h): vpnd renews first, at 54 s
		over_time = 2s
		local-1 {
			auth = psk
			id = 172.18.143.2
		}
		remote-1 {
			auth = psk
			id = 172.18.143.246
		}
		children {
			$SWAN_CONN {
				local_ts = 0.0.0.0/0
				remote_ts = 0.0.0.0/0
				esp_proposals = aes256-sha1-modp2048
			}
		}
	}
}
secrets {
	ike-vti {
		id-1 = 172.18.143.246
		secret = "vtis3cret"
	}
}
CONF
chmod 600 "$sdir/swanctl/swanctl.conf"
_swan_launch "$sdir" vpnd_cl && swan_load || die "charon did not start as the responder"

inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!
vpnd_start "$T/vti.conf" "$st"

wait_until 30 sh -c "STRONGSWAN_CONF=$sdir/strongswan.conf swanctl --list-sas --uri unix://$sdir/charon.vici | grep -q INSTALLED" ||
	die "no CHILD_SA at charon within 30 s of vpnd's start"
sas=$(swan_sas)
echo "$sas"
echo "$sas" | grep -q "ESTABLISHED, IKEv1" || die "charon has no IKEv1 SA"
echo "$sas" | grep -Eq "^ +local +0\.0\.0\.0/0$" && echo "$sas" | grep -Eq "^ +remote +0\.0\.0\.0/0$" ||
	die "charon's CHILD_SA is not 0.0.0.0/0 both ways"
grep -q "Tunnel0: phase 1 up with 172.18.143.2" "$st/vpnd.log" || die "no phase 1 line in vpnd's log"
wait_until 5 grep -q "Tunnel0: routes through it: 1 added" "$st/vpnd.log" || die "the route through Tunnel0 is not in"
hub ip -o link show Tunnel0 | grep -q "UP" || die "no Tunnel0 device up on the hub"
hub ip -o addr show dev Tunnel0 | grep -q "10.255.0.1/30" || die "Tunnel0 has not its address"
hub ip route show 10.3.1.0/24 | grep -q "dev Tunnel0" || die "10.3.1.0/24 is not routed through Tunnel0"
pass "vpnd dialled charon: main mode PSK by address, quick mode 0/0, Tunnel0 routed"

# charon routes 0/0 into ipsec0 from a table of its own that comes first: its LAN must stay
# in the main table, or what it decrypts for the LAN would go back into the tunnel
cl ip rule add to 10.3.1.0/24 lookup main priority 100 || die "cannot keep charon's LAN local"
# and vpnd's address too: charon's own exclude route for it belongs to an IKE SA, and goes
# with the one vpnd's ISAKMP renewal deletes (ESP-in-UDP would then loop into ipsec0)
cl ip rule add to 172.18.143.246 lookup main priority 101 || die "cannot keep vpnd's address outside ipsec0"
# the pings on the hub's outside: UDP (ESP in UDP 4500) only, never ICMP in clear
hub python3 "$SRCDIR/test/lib/wirecount.py" eth0 30 "$T/wire.stop" >"$T/wire.out" 2>&1 &
WIRE_PID=$!
cleanup_more() {
	[ -n "${WIRE_PID:-}" ] && kill "$WIRE_PID" 2>/dev/null
	[ -n "${PING_PID:-}" ] && kill "$PING_PID" 2>/dev/null
	cl nft delete table inet vtidpd 2>/dev/null
	return 0
}
wait_until 5 grep -q listening "$T/wire.out" || die "wirecount did not start"
inh ping -c3 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping from the hub's inside host to the LAN behind charon"
lan ping -c3 -i 0.2 -w 10 10.2.1.10 >/dev/null || die "no ping from the LAN behind charon to the hub's inside host"
touch "$T/wire.stop"
wait "$WIRE_PID"; WIRE_PID=
wire=$(grep -E "^esp" "$T/wire.out")
echo "hub's eth0 during the pings: $wire"
icmp=$(echo "$wire" | sed -n 's/.*icmp \([0-9]*\).*/\1/p')
other=$(echo "$wire" | sed -n 's/.*other \([0-9]*\).*/\1/p')
[ "${icmp:-1}" = 0 ] || die "ICMP in clear on the hub's outside: $wire"
[ "${other:-0}" -ge 12 ] || die "too few encapsulated packets on the hub's outside: $wire"
# 900 MB one way through a pair that lives 1 GB per direction (renewed at 768 MB): a rekey
# under load
lan timeout 90 iperf3 -c 10.2.1.10 -n 900M -J >"$T/up.json" || die "iperf3 toward the hub failed"
lan timeout 90 iperf3 -c 10.2.1.10 -n 300M -R -J >"$T/down.json" || die "iperf3 from the hub failed"
for d in up down; do
	mbit=$(python3 -c "import json; j=json.load(open('$T/$d.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
	[ "$mbit" -gt 0 ] || die "iperf3 $d moved nothing"
	echo "iperf3 $d through Tunnel0 (vpnd) and ipsec0 (charon): $mbit Mbit/s"
done
grep -q "Accepted connection from 10.3.1.10" "$T/iperf.log" || die "the hub's inside host did not see 10.3.1.10"
mss=$(python3 -c "import json; print(json.load(open('$T/up.json'))['start']['tcp_mss_default'])")
[ "$mss" -le 1300 ] || die "TCP MSS $mss through Tunnel0, expected at most 1300 (ip tcp adjust-mss)"
echo "TCP MSS through Tunnel0: $mss"
pkts=$(hub ip -s link show Tunnel0 | awk '/RX:/{getline; print $2; exit}')
[ "${pkts:-0}" -gt 1000 ] || die "Tunnel0 received only ${pkts:-0} packets"
sas=$(swan_sas)
echo "$sas" | grep -Eq "INSTALLED, TUNNEL-in-UDP" || die "charon's CHILD_SA is not ESP in UDP"
inb=$(echo "$sas" | sed -n 's/^ *in  *[0-9a-f]*, *\([0-9]*\) bytes.*/\1/p' | head -1)
[ "${inb:-0}" -gt 1000000 ] || die "charon decrypted only ${inb:-0} bytes from vpnd"
pass "ping and iperf3 both ways through Tunnel0 and charon ($pkts packets into Tunnel0)"
lan ping -c1 -w 3 10.2.1.1 >/dev/null && die "ip access-group FROMVTI in let a denied ping through"
grep -q "Tunnel0: packet from 10.3.1.10 denied by access list FROMVTI" "$st/vpnd.log" ||
	die "no log line for the packet FROMVTI denied"
pass "Tunnel0's ip access-group in and ip tcp adjust-mss apply"
grep -q "Tunnel0: IPsec SA [0-9a-f]* replaced by [0-9a-f]*" "$st/vpnd.log" ||
	die "no rekey after 900 MB through a pair of 1 GB"
grep -q "IPsec SA reached its hard lifetime" "$st/vpnd.log" && die "a pair expired unrenewed"
# the replaced pair is deleted VTI_OLD_PAIR_DELETE (5 s) after the rekey
for _ in $(seq 30); do [ "$(swan_sas | grep -c INSTALLED)" = 1 ] && break; sleep 0.5; done
[ "$(swan_sas | grep -c INSTALLED)" = 1 ] || die "charon does not have exactly one pair after the rekey"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping on the renewed pair"
pass "the pair renewed by volume under iperf3 load (vpnd started it, old one deleted at charon)"

out=$("$VPNCTL" -S "$st" show crypto isakmp sa) || die "show crypto isakmp sa failed"
echo "$out"
echo "$out" | grep -q "172.18.143.2" || die "show crypto isakmp sa does not list the tunnel's peer"
out=$("$VPNCTL" -S "$st" show crypto session) || die "show crypto session failed"
echo "$out"
echo "$out" | grep -q "Interface: Tunnel0" || die "show crypto session does not list Tunnel0"
echo "$out" | grep -q "Profile: vti Tunnel0" || die "show crypto session does not name the VTI"
pass "vpnctl lists the tunnel (isakmp sa, session)"

# a reload with the tunnel unchanged keeps it (no second dial, the same pair); one that adds
# a route puts it through the live tunnel
dials=$(grep -c "Tunnel0: dialling" "$st/vpnd.log")
echo "ip route 10.3.2.0 255.255.255.0 Tunnel0" >>"$T/vti.conf"
"$VPNCTL" -S "$st" reload >/dev/null || die "reload refused"
wait_until 10 grep -q "configuration reloaded" "$st/vpnd.log" || die "no reload"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping after the reload"
[ "$(grep -c "Tunnel0: dialling" "$st/vpnd.log")" = "$dials" ] || die "the reload dialled the tunnel again"
wait_until 5 sh -c "ip netns exec vpnd_hub ip route show 10.3.2.0/24 | grep -q 'dev Tunnel0'" ||
	die "the route the reload added is not through Tunnel0"
pass "reload keeps the live tunnel and routes what it added through it"

# from the next CHILD_SA on, charon renews it itself after 20 s (before vpnd's 75 %)
sed -i 's/^\(\t*\)esp_proposals = aes256-sha1-modp2048$/&\n\1rekey_time = 20s\n\1life_time = 60s\n\1rand_time = 0s/' \
	"$sdir/swanctl/swanctl.conf"
grep -q "rekey_time = 20s" "$sdir/swanctl/swanctl.conf" || die "cannot set charon's rekey_time"
swan_load || die "charon did not take rekey_time"

# charon deletes: vpnd obeys, withdraws the route, and dials again
swan_down 10 || die "swanctl --terminate failed"
wait_until 10 grep -q "Tunnel0: tunnel with 172.18.143.2 (deleted by the peer)" "$st/vpnd.log" ||
	die "vpnd did not obey charon's DELETE"
wait_until 10 grep -q "Tunnel0: 2 routes withdrawn (no IPsec SA)" "$st/vpnd.log" || die "the routes stayed without an SA"
wait_until 30 sh -c "[ \$(grep -c 'Tunnel0: IPsec up with 172.18.143.2' $st/vpnd.log) -ge 2 ]" ||
	die "vpnd did not dial again after the DELETE"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping after the tunnel came back"
pass "DELETE from charon obeyed, routes withdrawn, tunnel dialled again"

# charon starts the rekey 20 s after the pair came up: vpnd answers it (0/0, PFS group 14),
# deletes the old pair, and a ping every 0.2 s loses at most two
inh ping -c150 -i 0.2 -w 40 10.3.1.10 >"$T/rkping.out" 2>&1 &
PING_PID=$!
wait_until 40 grep -q "Tunnel0: IPsec SA [0-9a-f]* replaced by [0-9a-f]* (.*), rekey started by 172.18.143.2" \
	"$st/vpnd.log" || die "vpnd did not answer charon's rekey within 40 s"
wait "$PING_PID"; PING_PID=
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/rkping.out")
echo "ping across charon's rekey: ${rx:-0} of 150 answered"
[ "${rx:-0}" -ge 148 ] || die "traffic stalled across charon's rekey: $(tail -2 "$T/rkping.out")"
wait_until 10 sh -c "[ \$(STRONGSWAN_CONF=$sdir/strongswan.conf swanctl --list-sas --uri unix://$sdir/charon.vici | grep -c INSTALLED) = 1 ]" ||
	die "charon does not have exactly one pair after its rekey: $(swan_sas)"
grep -q "quick mode from 172.18.143.2 not answered" "$st/vpnd.log" && die "vpnd refused a quick mode of charon's"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping on the pair charon renewed"
pass "charon's rekey answered: traffic kept flowing, one pair after"

# charon silenced (its IKE and ESP-in-UDP dropped in its namespace): vpnd's R-U-THEREs go
# unanswered, it ends the tunnel and withdraws the routes; unblocked, it dials again
ups=$(grep -c "Tunnel0: IPsec up with 172.18.143.2" "$st/vpnd.log")
cl nft -f - <<'NFT' || die "cannot block charon's UDP"
table inet vtidpd {
	chain in { type filter hook input priority -10; udp dport { 500, 4500 } drop; }
	chain out { type filter hook output priority -10; udp sport { 500, 4500 } drop; }
}
NFT
t0=$(date +%s)
wait_until 45 grep -q "Tunnel0: tunnel with 172.18.143.2 (dead peer (DPD))" "$st/vpnd.log" ||
	die "vpnd did not take charon for dead within 45 s (keepalive 10 3)"
echo "charon taken for dead $(( $(date +%s) - t0 )) s after its UDP was blocked"
grep -q "Tunnel0: 172.18.143.2 does not answer DPD" "$st/vpnd.log" || die "no DPD line in vpnd's log"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip route show 10.3.1.0/24 | grep -q Tunnel0" ||
	die "the routes through Tunnel0 stayed after DPD"
cl nft delete table inet vtidpd || die "cannot unblock charon"
wait_until 70 sh -c "[ \$(grep -c 'Tunnel0: IPsec up with 172.18.143.2' $st/vpnd.log) -gt $ups ]" ||
	die "vpnd did not dial again once charon answered"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping after DPD and the new dial"
pass "DPD: charon silent taken for dead, routes withdrawn, dialled again when it answers"

vpnd_stop "$st"
hub ip -o link show Tunnel0 2>/dev/null | grep -q Tunnel0 && die "Tunnel0 is left after stop"
hub ip route show | grep -q Tunnel0 && die "a route through Tunnel0 is left after stop"
grep -q "Tunnel0 (static VTI to 172.18.143.2) removed" "$st/vpnd.log" || die "no removal line"
wait_until 10 sh -c "! STRONGSWAN_CONF=$sdir/strongswan.conf swanctl --list-sas --uri unix://$sdir/charon.vici | grep -q ESTABLISHED" ||
	die "charon kept its SA after vpnd's DELETE at stop"
pass "stop: DELETE reached charon, Tunnel0 and its route gone"

# vpnd again with `lifetime 60` on its policy: at 54 s it renews the ISAKMP SA with a new main
# mode while the pair carries a ping every 0.2 s; the old SA is deleted at charon
sed 's/^ group 14$/&\n lifetime 60/' "$T/vti.conf" >"$T/vti60.conf"
grep -q "^ lifetime 60$" "$T/vti60.conf" || die "cannot write the lifetime 60 configuration"
"$VPND" -n -f "$T/vti60.conf" || die "lifetime 60 does not check"
st=$T/hub60
vpnd_start "$T/vti60.conf" "$st"
wait_until 30 grep -q "Tunnel0: IPsec up with 172.18.143.2" "$st/vpnd.log" ||
	die "no tunnel within 30 s of the second start"
# the route comes just after the pair (as at the first start): the ping starts once it is in
wait_until 5 sh -c "ip netns exec vpnd_hub ip route show 10.3.1.0/24 | grep -q 'dev Tunnel0'" ||
	die "10.3.1.0/24 is not routed through Tunnel0 after the second start"
inh ping -c350 -i 0.2 -w 80 10.3.1.10 >"$T/p1ping.out" 2>&1 &
PING_PID=$!
wait_until 75 grep -q "Tunnel0: ISAKMP SA with 172.18.143.2 renewed, the old one deleted in 5 s" "$st/vpnd.log" ||
	die "vpnd did not renew its ISAKMP SA of 60 s within 75 s"
grep -q "Tunnel0: renewing the ISAKMP SA with 172.18.143.2" "$st/vpnd.log" || die "no renewal line"
wait "$PING_PID"; PING_PID=
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/p1ping.out")
echo "ping across the ISAKMP SA's renewal: ${rx:-0} of 350 answered"
[ "${rx:-0}" -ge 345 ] || die "traffic stalled across the ISAKMP SA's renewal: $(tail -2 "$T/p1ping.out")"
wait_until 10 sh -c "[ \$(STRONGSWAN_CONF=$sdir/strongswan.conf swanctl --list-sas --uri unix://$sdir/charon.vici | grep -c ESTABLISHED) = 1 ]" ||
	die "charon does not have exactly one IKE SA after the renewal: $(swan_sas)"
[ "$(swan_sas | grep -c INSTALLED)" = 1 ] || die "charon does not have exactly one pair after the renewal"
grep -q "ISAKMP SA renewal with 172.18.143.2 failed" "$st/vpnd.log" && die "a renewal failed"
[ "$(grep -c "Tunnel0: dialling" "$st/vpnd.log")" = 1 ] || die "the tunnel was dialled again"
inh ping -c2 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping after the ISAKMP SA's renewal"
pass "ISAKMP SA of 60 s renewed at 54 s by a new main mode, pair in use, old SA deleted at charon"
vpnd_stop "$st"
