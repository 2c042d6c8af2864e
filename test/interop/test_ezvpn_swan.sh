#!/bin/bash
# Easy VPN remote against strongSwan: vpnd runs the seed's Easy VPN client example (addresses
# changed to the test topology's) and dials charon (kernel-libipsec) as the hub: IKEv1
# aggressive mode with the group PSK, XAuth, Mode Config from charon's pool, ESP in UDP (charon
# fakes NAT-D with encap = yes: libipsec has no raw ESP). The client's inside host reaches the
# hub's inside host NATed behind the pushed address, with iperf3 both ways; clear sends
# DELETE and charon lets the SAs go.
# Needs root; fails (never skips) when strongSwan or a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl iperf3 ip ping nft python3
swan_require
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

cst=$T/client
sed 's/172\.18\.143\.23 /172.18.143.2 /' "$SRCDIR/etc/seed-ezvpn-client.conf" >"$T/client.conf"

dump() {
	echo "--- client log" >&2; tail -40 "$cst/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG)\]" "$T/swanhub/charon.log" | tail -30 >&2
}
die() { dump; fail "$*"; }
ezstate() { "$VPNCTL" -S "$cst" show crypto ipsec client ezvpn | sed -n 's/^Current State: //p'; }
state_is() { [ "$(ezstate)" = "$1" ]; }

swan_hub_start "$T/swanhub" encap=yes pool=192.168.1.0/24 || die "charon did not start as the hub"
inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!
vpnd_start_cl "$T/client.conf" "$cst"

"$VPNCTL" -S "$cst" crypto ipsec client ezvpn connect testvpn || die "vpnctl connect refused"
wait_until 20 state_is IPSEC_ACTIVE || die "the ezvpn did not become IPSEC_ACTIVE against charon"
sas=$(swan_sas)
echo "$sas"
echo "$sas" | grep -q "ESTABLISHED, IKEv1" || die "charon has no IKEv1 SA"
echo "$sas" | grep -q "cisco" || die "charon's SA does not show the XAuth user"
echo "$sas" | grep -Eq "INSTALLED, TUNNEL-in-UDP" || die "charon's child SA is not ESP in UDP"
vip=$("$VPNCTL" -S "$cst" show crypto ipsec client ezvpn | sed -n 's/^Address: \([0-9.]*\).*/\1/p')
case "$vip" in 192.168.1.*) ;; *) die "Mode Config address '$vip' is not from charon's pool";; esac

lan ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping from the client's inside host through charon"
lan timeout 60 iperf3 -c 10.2.1.10 -t 2 -J >"$T/up.json" || die "iperf3 up failed"
lan timeout 60 iperf3 -c 10.2.1.10 -t 2 -R -J >"$T/down.json" || die "iperf3 down failed"
for d in up down; do
	mbit=$(python3 -c "import json; j=json.load(open('$T/$d.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
	[ "$mbit" -gt 0 ] || die "iperf3 $d moved nothing"
	echo "iperf3 $d, vpnd client to strongSwan hub: $mbit Mbit/s"
done
grep -q "Accepted connection from $vip" "$T/iperf.log" || die "the inside host did not see $vip (NAT)"
pass "vpnd as Easy VPN remote against strongSwan: connect, NAT, traffic both ways"

"$VPNCTL" -S "$cst" clear crypto ipsec client ezvpn testvpn || die "clear refused"
wait_until 5 state_is CONNECT_REQUIRED || die "after clear the ezvpn is not CONNECT_REQUIRED"
wait_until 5 sh -c "! STRONGSWAN_CONF=$SWAN_DIR/strongswan.conf swanctl --list-sas --uri unix://$SWAN_DIR/charon.vici | grep -q ESTABLISHED" ||
	die "charon kept its SA after the client's DELETE"
pass "clear: DELETE reached charon"
