#!/bin/bash
# Interop with strongSwan's charon (kernel-libipsec) as an IKEv2 client of vpnd with
# certificates (issue 12 (b); test/data/hub-ikev2-cert.conf). The PKI is made at run time with
# the openssl command (test/lib/pki.sh). keymgr checks the client's chain (and the CRL), that
# its identity is in the certificate, and its AUTH signature; keymgr signs ours with the
# profile's trust point, whose certificate the hub sends. Checked:
#  - RSA both ways: charon (IDi client.example.com, in its certificate's subjectAltName) gets
#    an IKE_SA, a virtual IP from the pool, the DNS server and the inside route; ping through
#    the vaN; the hub named itself by its certificate's subject and signed with RFC 7427
#    (charon announced SHA-2), the hub's log names the client's certificate;
#  - ECDSA P-256 both ways (profile FLEXEC, trust point TP-EC); show crypto ikev2 sa names
#    the methods (Auth sign / Auth verify);
#  - issue 12's checks for every kind of client (test/lib/v2check.sh): the RSA client gets
#    its address and DNS server from the CP, pings and runs iperf3 both ways, rekeys its
#    CHILD_SA (with PFS) and IKE SA under iperf3 keeping its session, answers the hub's
#    liveness check (FLEXCERT: dpd 10 2 periodic); the ECDSA client its address, DNS, ping;
#  - certificate maps: two profiles told apart only by `match certificate` (the client
#    certificate's OU), each with its own authorization policy: erin (OU eng) lands in
#    engpool under FLEX-ENG, olive (OU ops) in opspool under FLEX-OPS, whose IDr is the
#    hub's FQDN (keymgr named the profile after ikemgr guessed FLEX-ENG: IDr built again);
#    sam (OU sales, an identity no profile matches) is refused;
#  - refused, each named in the hub's log, with no session left: an identity that is not in
#    the certificate, a certificate of another CA, a revoked certificate, an ECDSA
#    RSA certificate for profile FLEXEC, which takes ecdsa-sig only;
#  - the hub's private key is in keymgr's memory, not in ikemgr's;
#  - no vaN or sanitizer report is left behind.
# Needs root; fails (never skips) when strongSwan or openssl is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/pki.sh"
. "${srcdir:-.}/test/lib/v2check.sh"

GW=172.18.143.246
interop_begin swanctl ip ping unshare openssl python3 iperf3
swan_require resolve

name=pki
P=$T/pki
O="/C=US/O=vpnd test"
pki_init "$P" || fail "cannot make the test CA"
pki_cert hub "$O/CN=hub" rsa 30 "DNS:hub.example.com" || fail "hub certificate"
pki_cert hub-ec "$O/CN=hub-ec" ec 30 "DNS:hub.example.com" || fail "hub ECDSA certificate"
pki_cert alice "$O/CN=alice" rsa 30 "DNS:client.example.com" || fail "alice's certificate"
pki_cert ecc "$O/CN=ecc" ec 30 "DNS:ecc.example.com" || fail "ECDSA client certificate"
pki_cert rsaecc "$O/CN=rsaecc" rsa 30 "DNS:ecc.example.com" || fail "RSA certificate for ecc"
pki_cert mallory "$O/CN=mallory" rsa 30 "DNS:mallory.example.com" || fail "mallory's certificate"
pki_cert erin "$O/OU=eng/CN=erin" rsa 30 "DNS:erin.users.test" || fail "erin's certificate"
pki_cert olive "$O/OU=ops/CN=olive" rsa 30 "DNS:olive.users.test" || fail "olive's certificate"
pki_cert sam "$O/OU=sales/CN=sam" rsa 30 "DNS:sam.users.test" || fail "sam's certificate"
pki_revoke mallory || fail "cannot revoke mallory"
pki_other_ca "$P" stranger "$O/CN=stranger" || fail "certificate of another CA"
cp "$SRCDIR/test/data/hub-ikev2-cert.conf" "$P/hub.conf"
"$VPND" -n -f "$P/hub.conf" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses hub-ikev2-cert.conf"; }
[ -s "$T/check.log" ] && { cat "$T/check.log" >&2; fail "vpnd -n warns about hub-ikev2-cert.conf"; }

ns_setup || fail "namespace setup"
st=$T/hub
dump() {
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC|CFG|LIB)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -25 >&2; }
}
die() { dump; fail "$name: $*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
va_list() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1; }
no_va() { ! va_list | grep -q .; }

# client NAME CERT ID [SETTING...]: a fresh charon with CERT and its key, trusting our CA
client() {
	local n=$1 cert=$2 id=$3 dir=${4:-$P}
	shift 3; [ $# -gt 0 ] && shift
	swan_stop
	CA=$P/ca.pem swan_v2_cert_start "$T/swan-$n" "$dir" "$cert" "$id" "$@" ||
		die "charon did not start with $cert's certificate"
}

# carries [NET POOL]: a virtual IP from POOL (NET.10-20; default certpool), ping through the
# vaN, route; then charon's DELETE
carries() {
	local vip va net=${1:-192.168.60} pool=${2:-certpool}
	vip=$(swan_vip)
	case "$vip" in "$net".1[0-9]|"$net".20) ;; *) die "virtual IP '$vip' not from $pool";; esac
	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
	va=$(va_list | head -1)
	[ -n "$va" ] || die "no vaN interface on the hub"
	hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va"
	swan_down 10 || die "swanctl --terminate failed"
	wait_until 10 no_va || die "$va still there after charon's DELETE"
	CARRIED="$vip on $va"
}

# refused NAME WHY-IN-LOG: the connect must fail, the hub log WHY, no session left
refused() {
	swan_up 10 && die "$1 got an IKE_SA"
	wait_until 5 grep -q "$2" "$st/vpnd.log" || die "the hub's log does not say '$2'"
	wait_until 10 no_va || die "$1: a vaN is left on the hub"
	[ "$(ctl --json show crypto session | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
		die "$1: show crypto session lists a session"
	swan_stop
}

vpnd_start "$P/hub.conf" "$st"

name="alice (RSA)"
client alice alice client.example.com "$P" resolve=yes esp=aes256-sha256-modp2048
swan_up 10 || die "charon did not connect"
sas=$(swan_sas)
echo "$sas" | grep -q "ESTABLISHED, IKEv2" || { echo "$sas"; die "no IKEv2 SA"; }
echo "$sas" | grep -q "remote 'C=US, O=vpnd test, CN=hub'" || { echo "$sas"; die "the hub did not name itself by its certificate's subject"; }
grep -q "authentication of 'C=US, O=vpnd test, CN=hub' with RSA_EMSA_PKCS1_SHA2_256 successful" "$SWAN_DIR/charon.log" ||
	die "charon did not verify the hub's RFC 7427 RSA SHA-256 signature: $(grep 'authentication of' "$SWAN_DIR/charon.log" | head -2)"
grep -q "parsed IKE_AUTH response 1 \[ IDr CERT AUTH CPRP(ADDR DNS SUBNET)" "$SWAN_DIR/charon.log" ||
	die "no CERT, or no address, DNS server and route in the configuration payload"
grep -q "IKEv2 identity 'client.example.com' from .* authenticated by certificate /C=US/O=vpnd test/CN=alice (profile 'FLEXCERT')" "$st/vpnd.log" ||
	die "keymgr did not log the certificate: $(grep 'IKEv2 identity' "$st/vpnd.log" | tail -1)"
# the hub's private key: in keymgr's memory, nowhere in ikemgr's
keyhex=$(openssl rsa -in "$P/hub.key" -outform DER -traditional 2>/dev/null | od -An -v -tx1 -j 300 -N 32 | tr -d ' \n')
[ ${#keyhex} = 64 ] || die "cannot read the hub key's DER"
in_key=$(python3 "$SRCDIR/test/lib/memscan.py" "$(child_pid keymgr)" "hex:$keyhex" 2>/dev/null)
in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$(child_pid ikemgr)" "hex:$keyhex" 2>/dev/null)
[ "${in_key:-0}" -ge 1 ] || die "hub key not found in keymgr's memory (scan broken?)"
[ "${in_ike:-1}" -eq 0 ] || die "hub private key found $in_ike times in ikemgr's memory"
wait_until 5 sh -c "'$VPNCTL' -S '$st' show crypto ikev2 sa | grep -q 'Auth sign: RSA, Auth verify: RSA'" ||
	{ ctl show crypto ikev2 sa; die "show crypto ikev2 sa does not say RSA both ways"; }
# --- issue 12's checks for every kind of client (test/lib/v2check.sh) ---
V2_PFS=1 v2_check full "$name" "$st" "192\.168\.60\.(1[0-9]|20)" 10.2.1.53
# ---
carries
pass "$name: RSA certificates both ways (RFC 7427 SHA-256 from the hub), $CARRIED, hub key only in keymgr"

name="ecc (ECDSA P-256)"
client ecc ecc ecc.example.com "$P" resolve=yes
swan_up 10 || die "charon did not connect"
grep -q "authentication of 'C=US, O=vpnd test, CN=hub-ec' with ECDSA.*successful" "$SWAN_DIR/charon.log" ||
	die "charon did not verify the hub's ECDSA signature: $(grep 'authentication of' "$SWAN_DIR/charon.log" | head -2)"
grep -q "authenticated by certificate /C=US/O=vpnd test/CN=ecc (profile 'FLEXEC')" "$st/vpnd.log" ||
	die "keymgr did not take ecc under FLEXEC"
wait_until 5 sh -c "'$VPNCTL' -S '$st' show crypto ikev2 sa | grep -q 'Auth sign: ECDSA, Auth verify: ECDSA'" ||
	{ ctl show crypto ikev2 sa; die "show crypto ikev2 sa does not say ECDSA both ways"; }
# --- issue 12's checks for every kind of client (test/lib/v2check.sh) ---
v2_check cp "$name" "$st" "192\.168\.60\.(1[0-9]|20)" 10.2.1.53
# ---
carries
pass "$name: ECDSA both ways under profile FLEXEC, $CARRIED"

name="erin (OU eng, certificate map ENG)"
client erin erin erin.users.test
swan_up 10 || die "charon did not connect"
grep -q "authenticated by certificate /C=US/O=vpnd test/OU=eng/CN=erin (profile 'FLEX-ENG')" "$st/vpnd.log" ||
	die "keymgr did not take erin under FLEX-ENG: $(grep 'IKEv2 identity' "$st/vpnd.log" | tail -1)"
carries 192.168.61 engpool
pass "$name: profile FLEX-ENG by certificate map, authorization policy ENGPOL, $CARRIED"

name="olive (OU ops, certificate map OPS)"
client olive olive olive.users.test
swan_up 10 || die "charon did not connect"
grep -q "authenticated by certificate /C=US/O=vpnd test/OU=ops/CN=olive (profile 'FLEX-OPS')" "$st/vpnd.log" ||
	die "keymgr did not take olive under FLEX-OPS: $(grep 'IKEv2 identity' "$st/vpnd.log" | tail -1)"
swan_sas | grep -q "remote 'hub.example.com'" ||
	{ swan_sas; die "the hub did not name itself by FLEX-OPS's identity local"; }
carries 192.168.62 opspool
pass "$name: profile FLEX-OPS by certificate map (IDr hub.example.com), authorization policy OPSPOL, $CARRIED"

name="sam (OU sales, no map)"
client sam sam sam.users.test
refused "$name" "no ikev2 profile matches identity 'sam.users.test' or its certificate"
pass "$name: refused, no profile by identity or certificate map"

name="identity not in the certificate"
client wrongid alice bob.example.com
refused "$name" "identity bob.example.com is not in the certificate's subjectAltName"
pass "$name: alice's certificate as bob.example.com refused"

name="another CA"
client stranger stranger stranger.example.com "$P"
refused "$name" "unable to get local issuer certificate"
pass "$name: refused (unknown issuer)"

name="revoked"
client mallory mallory mallory.example.com
refused "$name" "certificate revoked"
pass "$name: mallory's revoked certificate refused (CRL of trust point TP)"

name="rsa for an ecdsa-only profile"
client rsaecc rsaecc ecc.example.com
refused "$name" "ikev2 profile 'FLEXEC' does not allow authentication remote rsa-sig"
pass "$name: an RSA certificate for ecc.example.com refused by FLEXEC (ecdsa-sig only)"

name=end
swan_stop
vpnd_stop "$st"
va_list | grep -q . && die "interfaces left after SIGTERM"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "all IKEv2 certificate scenarios passed"
