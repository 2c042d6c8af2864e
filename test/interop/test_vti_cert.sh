#!/bin/bash
# Static VTI with certificates: vpnd's `interface Tunnel0` dials charon (responder, in the
# client namespace, kernel-libipsec) with IKEv1 main mode rsa-sig and no pre-shared key.
# Both certificates come from one test CA made here: vpnd's trust point TP holds the CA, its
# own certificate (its identity: the subject, ID_DER_ASN1_DN) and key; charon names itself by
# its subject and its certificate carries 172.18.143.2 (the tunnel destination) in its
# subjectAltName, which keymgr requires. Then ping and iperf3 both ways through Tunnel0, and
# charon answering with a certificate of another CA: no SA, one clear log line.
# Needs root; fails (never skips) when strongSwan or a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/pki.sh"

interop_begin swanctl iperf3 ip ping python3 openssl
swan_require
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind charon"

P=$T/pki
O="/C=US/O=vpnd test"
pki_init "$P" || fail "cannot make the test CA"
pki_cert hub "$O/CN=hub" rsa 30 "IP:172.18.143.246" || fail "vpnd's certificate"
pki_cert peer "$O/CN=peer" rsa 30 "IP:172.18.143.2" || fail "charon's certificate"
pki_other_ca "$P" stranger "/C=US/O=elsewhere/CN=stranger" || fail "certificate of another CA"

st=$T/hub
# trust point files are relative to the configuration's directory
cat >"$P/vti.conf" <<'EOF'
crypto pki trustpoint TP
 ca-certificate ca.pem
 certificate hub.pem
 private-key hub.key
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication rsa-sig
 group 14
crypto ipsec transform-set T esp-aes 256 esp-sha-hmac
crypto ipsec profile P
 set transform-set T
interface eth0
 ip address 172.18.143.246 255.255.255.0
interface eth1
 ip address 10.2.1.1 255.255.255.0
interface Tunnel0
 ip address 10.255.0.1 255.255.255.252
 tunnel source eth0
 tunnel destination 172.18.143.2
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile P
ip route 10.3.1.0 255.255.255.0 Tunnel0
EOF

dump() {
	echo "--- vpnd log" >&2; tail -40 "$st/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG|KNL)\]" "$SWAN_DIR/charon.log" | tail -30 >&2
}
die() { dump; fail "$*"; }

"$VPND" -n -f "$P/vti.conf" || fail "the rsa-sig VTI configuration does not check"
# without the trust point the same tunnel has no way to authenticate: file and line named
sed '/^crypto pki trustpoint/,/^ private-key/d' "$P/vti.conf" >"$T/nokey.conf"
out=$("$VPND" -n -f "$T/nokey.conf" 2>&1) && fail "a VTI with neither key nor trust point checked"
echo "$out" | grep -q "nokey.conf:13: error: interface Tunnel0: no pre-shared key for its tunnel destination 172.18.143.2" ||
	fail "no clear error for a VTI with neither key nor trust point: $out"
pass "config: rsa-sig with a trust point checks, without one the tunnel's line is named"

# swan_peer CERT: charon as the responder with CERT and its key, trusting our CA, our
# identity our subject; main mode, 0.0.0.0/0 both ways (its own table routes 0/0 into ipsec0)
sdir=$(realpath -m "$T/swan")
swan_peer() {
	local cert=$1 dn=$2
	cat >"$sdir/swanctl/swanctl.conf" <<CONF
connections {
	$SWAN_CONN {
		version = 1
		aggressive = no
		local_addrs = 172.18.143.2
		remote_addrs = 172.18.143.246
		proposals = aes256-sha256-modp2048
		encap = yes
		dpd_delay = 0
		send_cert = always
		local-1 {
			auth = pubkey
			certs = $cert.pem
			id = "$dn"
		}
		remote-1 {
			auth = pubkey
			id = "C=US, O=vpnd test, CN=hub"
		}
		children {
			$SWAN_CONN {
				local_ts = 0.0.0.0/0
				remote_ts = 0.0.0.0/0
				esp_proposals = aes256-sha1
			}
		}
	}
}
CONF
	cp "$P/$cert.pem" "$sdir/swanctl/x509/" && cp "$P/$cert.key" "$sdir/swanctl/private/" &&
		cp "$P/ca.pem" "$sdir/swanctl/x509ca/" || return 1
	swan_load
}
mkdir -p "$sdir/run" "$sdir/swanctl/x509" "$sdir/swanctl/x509ca" "$sdir/swanctl/private"
SWAN_DIR=$sdir
_swan_conf "$sdir" "$SWAN_PLUGINS" 2 ""
: >"$sdir/swanctl/swanctl.conf"
_swan_launch "$sdir" vpnd_cl && swan_peer peer "C=US, O=vpnd test, CN=peer" ||
	die "charon did not start as the responder with its certificate"

inh iperf3 -s --logfile "$T/iperf.log" >/dev/null 2>&1 &
IPERF_PID=$!
vpnd_start "$P/vti.conf" "$st"

wait_until 30 sh -c "STRONGSWAN_CONF=$sdir/strongswan.conf swanctl --list-sas --uri unix://$sdir/charon.vici | grep -q INSTALLED" ||
	die "no CHILD_SA at charon within 30 s of vpnd's start"
sas=$(swan_sas)
echo "$sas"
echo "$sas" | grep -q "ESTABLISHED, IKEv1" || die "charon has no IKEv1 SA"
grep -q "Tunnel0: dialling 172.18.143.2 (main mode, rsa-sig)" "$st/vpnd.log" || die "vpnd did not dial with rsa-sig"
grep -q "Tunnel0: 172.18.143.2 is /C=US/O=vpnd test/CN=peer, trust point TP" "$st/vpnd.log" ||
	die "no line naming charon's certificate and the trust point"
grep -q "Tunnel0: phase 1 up with 172.18.143.2" "$st/vpnd.log" || die "no phase 1 line in vpnd's log"
grep -q "authentication of 'C=US, O=vpnd test, CN=hub' with RSA.* successful" "$SWAN_DIR/charon.log" ||
	die "charon did not log vpnd's RSA signature as verified"
wait_until 5 grep -q "Tunnel0: routes through it: 1 added" "$st/vpnd.log" || die "the route through Tunnel0 is not in"
pass "vpnd dialled charon with main mode rsa-sig: certificates both ways, Tunnel0 routed"

cl ip rule add to 10.3.1.0/24 lookup main priority 100 || die "cannot keep charon's LAN local"
inh ping -c3 -i 0.2 -w 10 10.3.1.10 >/dev/null || die "no ping from the hub's inside host to the LAN behind charon"
lan ping -c3 -i 0.2 -w 10 10.2.1.10 >/dev/null || die "no ping from the LAN behind charon to the hub's inside host"
lan timeout 60 iperf3 -c 10.2.1.10 -n 100M -J >"$T/up.json" || die "iperf3 toward the hub failed"
lan timeout 60 iperf3 -c 10.2.1.10 -n 100M -R -J >"$T/down.json" || die "iperf3 from the hub failed"
for d in up down; do
	mbit=$(python3 -c "import json; j=json.load(open('$T/$d.json')); print(int(j['end']['sum_received']['bits_per_second']/1e6))")
	[ "$mbit" -gt 0 ] || die "iperf3 $d moved nothing"
	echo "iperf3 $d through Tunnel0 (rsa-sig): $mbit Mbit/s"
done
inb=$(swan_sas | sed -n 's/^ *in  *[0-9a-f]*, *\([0-9]*\) bytes.*/\1/p' | head -1)
[ "${inb:-0}" -gt 100000000 ] || die "charon decrypted only ${inb:-0} bytes from vpnd"
pass "ping and iperf3 (100 MB) both ways through Tunnel0 and charon"

vpnd_stop "$st"
hub ip -o link show Tunnel0 2>/dev/null | grep -q Tunnel0 && die "Tunnel0 is left after stop"

# charon now answers with a certificate of another CA (same address, its own key): vpnd
# refuses it after message 6, nothing installed, and says why
st=$T/hub2
swan_peer stranger "C=US, O=elsewhere, CN=stranger" || die "charon did not take the stranger's certificate"
vpnd_start "$P/vti.conf" "$st"
wait_until 30 grep -q "Tunnel0: attempt toward 172.18.143.2 (certificate refused: certificate .*CN=stranger: unable to get local issuer certificate" "$st/vpnd.log" ||
	die "no clear refusal of the certificate from another CA"
grep -q "Tunnel0: phase 1 up" "$st/vpnd.log" && die "phase 1 came up with a certificate of another CA"
swan_sas | grep -q INSTALLED && die "charon installed a CHILD_SA with vpnd after the refusal"
hub ip route show 10.3.1.0/24 | grep -q "dev Tunnel0" && die "10.3.1.0/24 routed through Tunnel0 without an SA"
pass "a peer certificate from another CA refused: no SA, one clear log line"
vpnd_stop "$st"
