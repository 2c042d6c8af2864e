#!/bin/bash
# Interop with strongSwan's charon in IKEv1 main mode with certificates (hub-swan-cert.conf):
# RSA signatures, the hub's trust point checks the client's chain, validity and the CRL in
# keymgr, and the client's OU names its group (Mode Config from group certgroup). The client
# must connect, get an address, its virtual-access interface and route, and ping through.
# Also: an ECDSA P-256 client (the hub answers with its ECDSA trust point), a client
# whose OU names a profile that wants XAUTH after the certificate (XAUTHInitRSA), and one
# whose OU no group has but whom the certificate map of profile certs-map takes (keymgr
# names the maps a trusted certificate matches).
# Refused, each with one clear log line: an expired certificate, a revoked one, one from
# another CA, and one whose OU no profile matches. A reload re-reads the trust point's files:
# a missing one refuses the reload, a renewed CRL revokes alice.
# The PKI is made at run time with the openssl command (test/lib/pki.sh).
# Needs root; fails (never skips) when strongSwan or openssl is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/pki.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
for tool in swanctl ip ping unshare openssl; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
swan_require

T=$(mktemp -d /tmp/swancert_test.XXXXXX)
cleanup() {
	swan_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

name=pki
P=$T/pki
O="/C=US/O=vpnd test"
pki_init "$P" || fail "cannot make the test CA"
pki_cert hub "$O/CN=hub" rsa 30 "DNS:hub,IP:172.18.143.246" || fail "hub certificate"
pki_cert hub-ec "$O/CN=hub-ec" ec 30 "DNS:hub,IP:172.18.143.246" || fail "hub ECDSA certificate"
pki_cert alice "$O/OU=certgroup/CN=alice" || fail "alice's certificate"
pki_cert ecc "$O/OU=certgroup/CN=ecc" ec || fail "ECDSA client certificate"
pki_cert bob "$O/OU=xgroup/CN=bob" || fail "bob's certificate"
pki_cert old "$O/OU=certgroup/CN=old" rsa expired || fail "expired certificate"
pki_cert mallory "$O/OU=certgroup/CN=mallory" || fail "mallory's certificate"
pki_revoke mallory || fail "cannot revoke mallory"
pki_cert nogroup "$O/OU=elsewhere/CN=carol" || fail "carol's certificate"
pki_cert dora "$O/OU=elsewhere/CN=dora" || fail "dora's certificate"
pki_other_ca "$P" stranger "$O/OU=certgroup/CN=stranger" || fail "certificate of another CA"
cp "$SRCDIR/test/data/hub-swan-cert.conf" "$P/hub.conf"

ns_setup || fail "namespace setup"
st=$T/hub
dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG|LIB)\]" "$SWAN_DIR/charon.log" 2>/dev/null | tail -30 >&2
}
die() { dump; fail "$name: $*"; }

"$VPND" -n -f "$P/hub.conf" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "hub.conf does not load"; }
vpnd_start "$P/hub.conf" "$st"

name="show running-config"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
"$VPNCTL" -S "$st" show running-config >"$T/running.txt" 2>&1 || { cat "$T/running.txt" >&2; die "vpnctl failed"; }
grep -qx "crypto pki trustpoint TP" "$T/running.txt" &&
	grep -qx " private-key $P/hub.key" "$T/running.txt" &&
	grep -qx " revocation-check crl" "$T/running.txt" &&
	grep -qx "   ca trust-point TP-EC" "$T/running.txt" ||
	{ cat "$T/running.txt" >&2; die "trust points missing from show running-config"; }
grep -q "BEGIN\|PRIVATE" "$T/running.txt" && die "key material in show running-config"
pass "$name: trust points with their files, profile trust points"

# swan_cert NAME CERT DN [SETTING...]: charon with CERT (and its key), trusting our CA
swan_cert() {
	local n=$1 cert=$2 dn=$3
	shift 3
	swan_start "$T/$n" aggressive=no xauth=no local_auth=pubkey remote_auth=pubkey \
		local_id="\"$dn\"" local_extra="certs = $cert.pem" ike=aes256-sha256-modp2048 \
		esp=aes256-sha256 load=no "$@" || die "charon did not start"
	cp "$P/$cert.pem" "$SWAN_DIR/swanctl/x509/" && cp "$P/$cert.key" "$SWAN_DIR/swanctl/private/" &&
		cp "$P/ca.pem" "$SWAN_DIR/swanctl/x509ca/" || die "cannot give charon its files"
	swan_load || die "charon did not load the certificates"
}

# carries: quick connect, ping through the tunnel, interface and route, disconnect cleanly
carries() {
	local vip va
	# a Mode Config request that beat keymgr's answer must not wait for charon's retransmit (4 s)
	[ "$SWAN_UP_MS" -lt 3000 ] || die "connecting took $SWAN_UP_MS ms"
	vip=$(swan_vip)
	case "$vip" in 192.168.5.1[0-9]|192.168.5.20) ;; *) die "virtual IP '$vip' not from certpool";; esac
	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
	va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
	[ -n "$va" ] || die "no vaN interface on the hub"
	hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va"
	swan_down 10 || die "swanctl --terminate failed"
	wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
	swan_stop
	CARRIED="$vip on $va"
}

name="alice (RSA, OU=certgroup)"
swan_cert alice alice "C=US, O=vpnd test, OU=certgroup, CN=alice"
swan_up 20 || die "charon did not connect"
swan_sas | grep -q "ESTABLISHED, IKEv1" || { swan_sas; die "no IKEv1 SA"; }
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "identity /C=US/O=vpnd test/OU=certgroup/CN=alice profile 'certs' (certificate, trust point TP, group 'certgroup'), Mode Config" ||
	die "phase 1 not logged with the certificate, trust point and group: $(grep 'phase 1 complete' "$st/vpnd.log" | tail -1)"
grep -q "authentication of 'C=US, O=vpnd test, CN=hub' with RSA_EMSA_PKCS1_NULL successful" "$SWAN_DIR/charon.log" ||
	die "charon did not log the hub's RSA signature as good"
cl ping -c 5 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "ping loss"
# the hub's private key (32 bytes of its private exponent, as keymgr keeps the DER) is in
# keymgr's memory and nowhere in ikemgr's, with a session up
keyhex=$(openssl rsa -in "$P/hub.key" -outform DER -traditional 2>/dev/null | od -An -v -tx1 -j 300 -N 32 | tr -d ' \n')
[ ${#keyhex} = 64 ] || die "cannot read the hub key's DER"
in_key=$(python3 "$SRCDIR/test/lib/memscan.py" "$(child_pid keymgr)" "hex:$keyhex" 2>/dev/null)
in_ike=$(python3 "$SRCDIR/test/lib/memscan.py" "$(child_pid ikemgr)" "hex:$keyhex" 2>/dev/null)
[ "${in_key:-0}" -ge 1 ] || die "hub key not found in keymgr's memory (scan broken?)"
[ "${in_ike:-1}" -eq 0 ] || die "hub private key found $in_ike times in ikemgr's memory"
pass "$name: hub private key: $in_key copies in keymgr, none in ikemgr"
carries
pass "$name: main mode RSA signatures in $SWAN_UP_MS ms, Mode Config gave $CARRIED, route, ping through the tunnel, removed after DELETE"


name="ecc (ECDSA P-256, OU=certgroup)"
swan_cert ecc ecc "C=US, O=vpnd test, OU=certgroup, CN=ecc"
swan_up 20 || die "charon did not connect"
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "CN=ecc profile 'certs' (certificate, trust point TP-EC, group 'certgroup'), Mode Config" ||
	die "phase 1 not logged with the ECDSA trust point: $(grep 'phase 1 complete' "$st/vpnd.log" | tail -1)"
grep -q "authentication of 'C=US, O=vpnd test, CN=hub-ec' with ECDSA.* successful" "$SWAN_DIR/charon.log" ||
	die "charon did not log the hub's ECDSA signature as good"
carries
pass "$name: main mode ECDSA signatures both ways in $SWAN_UP_MS ms, $CARRIED, ping through the tunnel"

name="bob (RSA, OU=xgroup, XAUTH)"
swan_cert bob bob "C=US, O=vpnd test, OU=xgroup, CN=bob" xauth=yes user=bob password=Bb77CertPw
swan_up 20 || die "charon did not connect"
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "CN=bob profile 'certs-xauth' (certificate, trust point TP, group 'xgroup'), starting XAUTH" ||
	die "phase 1 not logged with profile certs-xauth and XAUTH: $(grep 'phase 1 complete' "$st/vpnd.log" | tail -1)"
grep -q "user 'bob' authenticated (group 'xgroup')" "$st/vpnd.log" || die "bob not authenticated by XAUTH"
carries
pass "$name: certificate then XAUTH (XAUTHInitRSA), $CARRIED, ping through the tunnel"

name="dora (RSA, OU=elsewhere, certificate map DORA)"
swan_cert dora dora "C=US, O=vpnd test, OU=elsewhere, CN=dora"
swan_up 20 || die "charon did not connect"
grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
	grep -q "CN=dora profile 'certs-map' (certificate, trust point TP, group 'certgroup'), Mode Config" ||
	die "phase 1 not logged with profile certs-map: $(grep 'phase 1 complete' "$st/vpnd.log" | tail -1)"
carries
pass "$name: profile certs-map by certificate map, group certgroup, $CARRIED"

# refused CERT DN PATTERN: phase 1 must fail, the hub must say why in one line
refused() {
	local cert=$1 dn=$2 pat=$3
	name="refused $cert"
	swan_cert "r-$cert" "$cert" "$dn"
	[ "$cert" = stranger ] && cp "$P/other-ca.pem" "$SWAN_DIR/swanctl/x509ca/" && swan_load
	swan_up 6 2>/dev/null && die "charon connected with $cert's certificate"
	wait_until 5 grep -q "main mode from 172.18.143.2.*$pat" "$st/vpnd.log" ||
		die "no clear log line matching '$pat'"
	hub ip -o link show | grep -q " va[0-9]" && die "an interface exists after a failed phase 1"
	swan_stop
	pass "$name; hub log: $(grep -o "main mode from 172.18.143.2.*$pat.*" "$st/vpnd.log" | tail -1)"
}
refused old "C=US, O=vpnd test, OU=certgroup, CN=old" "refused: certificate .*CN=old: certificate has expired"
refused mallory "C=US, O=vpnd test, OU=certgroup, CN=mallory" "refused: certificate .*CN=mallory: certificate revoked"
refused stranger "C=US, O=vpnd test, OU=certgroup, CN=stranger" "refused: certificate .*CN=stranger: unable to get local issuer certificate"
refused nogroup "C=US, O=vpnd test, OU=elsewhere, CN=carol" "no isakmp profile with 'ca trust-point TP' matches its OU or certificate maps"

# a reload re-reads the files: a trust point file that went missing refuses the reload (file
# and line named, the running configuration stays); a renewed CRL takes effect
name="reload with a missing CRL file"
mv "$P/crl.pem" "$P/crl.pem.away"
out=$("$VPNCTL" -S "$st" reload 2>&1) && die "reload accepted without the CRL file: $out"
echo "$out" | grep -q "hub.conf:[0-9]*: error: cannot read crl file $P/crl.pem" ||
	die "reload refusal does not name the file and line: $out"
mv "$P/crl.pem.away" "$P/crl.pem"
pass "$name: refused ($out)"
name="reload with alice revoked"
pki_revoke alice || die "cannot revoke alice"
out=$("$VPNCTL" -S "$st" reload 2>&1) || die "reload failed: $out"
refused alice "C=US, O=vpnd test, OU=certgroup, CN=alice" "refused: certificate .*CN=alice: certificate revoked"

name=shutdown
vpnd_stop "$st"
hub ip -o link show | grep -q " va[0-9]" && die "interfaces left after SIGTERM"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "all strongSwan certificate scenarios passed"
