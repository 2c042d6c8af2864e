#!/bin/bash
# Main mode with certificates over IPv6: strongSwan's charon (IKEv1 main mode, kernel-libipsec)
# reaches the hub over the IPv6-only outside network of test_ipv6_outside.sh (fd00:1::2 ->
# fd00:1::246) and authenticates with certificates of the trust points in hub-cert6.conf
# (test_swan_cert.sh's, on a v6-overlay template). Checked:
#  - RSA: alice (OU=certgroup) with her subject DN as identity; the hub's RSA signature is good
#    for charon, phase 1 names the certificate, trust point TP and group certgroup, Mode Config
#    gives an IPv4 address from certpool, the session is logged from [fd00:1::2]:4500 and a
#    ping passes through the tunnel;
#  - ECDSA P-256 both ways (the hub answers with TP-EC);
#  - bob (OU=xgroup): the certificate, then XAUTH (XAUTHInitRSA) over IPv6;
#  - an IPv6 address identity (ID_IPV6_ADDR fd00:1::2, in the certificate's subjectAltName)
#    is accepted as the certificate's;
#  - a certificate from another CA is refused with one clear line naming the IPv6 peer.
# The PKI is made at run time with the openssl command (test/lib/pki.sh).
# Needs root; fails (never skips) when strongSwan or openssl is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/pki.sh"

interop_begin swanctl ip ping openssl
swan_require

name=pki
P=$T/pki
O="/C=US/O=vpnd test"
pki_init "$P" || fail "cannot make the test CA"
pki_cert hub "$O/CN=hub" rsa 30 "DNS:hub,IP:fd00:1::246" || fail "hub certificate"
pki_cert hub-ec "$O/CN=hub-ec" ec 30 "DNS:hub,IP:fd00:1::246" || fail "hub ECDSA certificate"
pki_cert alice "$O/OU=certgroup/CN=alice" || fail "alice's certificate"
pki_cert ecc "$O/OU=certgroup/CN=ecc" ec || fail "ECDSA client certificate"
pki_cert bob "$O/OU=xgroup/CN=bob" || fail "bob's certificate"
pki_cert addr "$O/OU=certgroup/CN=addr" rsa 30 "IP:fd00:1::2" || fail "certificate for fd00:1::2"
pki_other_ca "$P" stranger "$O/OU=certgroup/CN=stranger" || fail "certificate of another CA"
cp "$SRCDIR/test/data/hub-cert6.conf" "$P/hub.conf" || fail "copying the configuration"

ns_setup || fail "namespace setup"
# the outside link: IPv6 only
hub ip -4 addr flush dev eth0 && cl ip -4 addr flush dev clout || fail "removing IPv4 outside"
hub ip addr add fd00:1::246/64 dev eth0 nodad && cl ip addr add fd00:1::2/64 dev clout nodad ||
	fail "IPv6 addresses outside"
cl ping -c 1 -w 2 172.18.143.246 >/dev/null 2>&1 && fail "the client still reaches the hub over IPv4"

st=$T/hub
dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2; grep -E "\[(IKE|ENC|CFG|NET)\]" "$SWAN_DIR/charon.log" 2>/dev/null | tail -30 >&2; }
}
die() { dump; fail "$name: $*"; }

name=setup
vpnd_start "$P/hub.conf" "$st"

# swan_cert NAME CERT ID [SETTING...]: charon at fd00:1::246 with CERT (and its key) as ID,
# trusting our CA
swan_cert() {
	local n=$1 cert=$2 id=$3
	shift 3
	swan_start "$T/$n" gateway=fd00:1::246 aggressive=no xauth=no local_auth=pubkey \
		remote_auth=pubkey local_id="$id" local_extra="certs = $cert.pem" \
		ike=aes256-sha256-modp2048 esp=aes256-sha256 load=no "$@" || die "charon did not start"
	cp "$P/$cert.pem" "$SWAN_DIR/swanctl/x509/" && cp "$P/$cert.key" "$SWAN_DIR/swanctl/private/" &&
		cp "$P/ca.pem" "$SWAN_DIR/swanctl/x509ca/" || die "cannot give charon its files"
	swan_load || die "charon did not load the certificates"
}

# connects CN TP [OU PROFILE THEN]: charon comes up, phase 1 names the certificate's CN, trust
# point TP, group OU (certgroup) and PROFILE (certs) and what comes next (Mode Config), Mode
# Config gives an address from certpool, a ping passes, DELETE removes it all
connects() {
	local cn=$1 tp=$2 ou=${3:-certgroup} pr=${4:-certs} next=${5:-Mode Config} vip va mark
	mark=$(wc -l <"$st/vpnd.log")
	swan_up 20 || die "charon did not connect to fd00:1::246"
	swan_sas | grep -q "ESTABLISHED, IKEv1" || { swan_sas; die "no IKEv1 SA"; }
	grep "main mode phase 1 complete" "$st/vpnd.log" | tail -1 |
		grep -qF "with fd00:1::2 identity /C=US/O=vpnd test/OU=$ou/CN=$cn profile '$pr' (certificate, trust point $tp, group '$ou'), $next" ||
		die "phase 1 not logged with fd00:1::2, the certificate, $tp, the group and $next: $(grep 'phase 1 complete' "$st/vpnd.log" | tail -1)"
	vip=$(swan_vip)
	case "$vip" in 192.168.5.1[0-9]|192.168.5.20) ;; *) die "virtual IP '$vip' not from certpool";; esac
	tail -n +"$((mark + 1))" "$st/vpnd.log" | grep -Eq "session [0-9]+ up: user '$cn' group '$ou' peer \[fd00:1::2\]:4500" ||
		die "the hub did not log the session up from [fd00:1::2]:4500"
	cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
	va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
	[ -n "$va" ] || die "no vaN interface on the hub"
	hub ip route show "$vip" | grep -q "dev $va" || die "no route to $vip via $va"
	"$VPNCTL" -S "$st" show crypto session | grep -q "fd00:1::2" || die "show crypto session lacks fd00:1::2"
	swan_down 10 || die "swanctl --terminate failed"
	wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
	swan_stop
	CARRIED="$vip on $va"
}

name="alice (RSA, OU=certgroup)"
swan_cert alice alice "\"C=US, O=vpnd test, OU=certgroup, CN=alice\""
connects alice TP
grep -q "authentication of 'C=US, O=vpnd test, CN=hub' with RSA_EMSA_PKCS1_NULL successful" "$SWAN_DIR/charon.log" ||
	die "charon did not log the hub's RSA signature as good"
pass "$name: main mode RSA signatures over IPv6, Mode Config gave $CARRIED, ping through the tunnel"

name="ecc (ECDSA P-256, OU=certgroup)"
swan_cert ecc ecc "\"C=US, O=vpnd test, OU=certgroup, CN=ecc\""
connects ecc TP-EC
grep -q "authentication of 'C=US, O=vpnd test, CN=hub-ec' with ECDSA.* successful" "$SWAN_DIR/charon.log" ||
	die "charon did not log the hub's ECDSA signature as good"
pass "$name: main mode ECDSA signatures both ways over IPv6, $CARRIED, ping through the tunnel"

name="bob (RSA, OU=xgroup, XAUTH)"
swan_cert bob bob "\"C=US, O=vpnd test, OU=xgroup, CN=bob\"" xauth=yes user=bob password=Bb78Cert6Pw
connects bob TP xgroup certs-xauth "starting XAUTH"
grep -q "user 'bob' authenticated (group 'xgroup')" "$st/vpnd.log" || die "bob not authenticated by XAUTH"
pass "$name: certificate then XAUTH over IPv6, $CARRIED, ping through the tunnel"

name="address identity fd00:1::2 (ID_IPV6_ADDR)"
swan_cert addr addr fd00:1::2
connects addr TP
grep -q "IDii.*fd00:1::2\|authentication of 'fd00:1::2' (myself)" "$SWAN_DIR/charon.log" ||
	die "charon did not authenticate as fd00:1::2"
pass "$name: checked against the certificate's subjectAltName, $CARRIED"

name="refused stranger (another CA)"
swan_cert stranger stranger "\"C=US, O=vpnd test, OU=certgroup, CN=stranger\""
cp "$P/other-ca.pem" "$SWAN_DIR/swanctl/x509ca/" && swan_load || die "charon did not load the other CA"
swan_up 6 2>/dev/null && die "charon connected with a certificate of another CA"
pat="main mode from fd00:1::2 refused: certificate .*CN=stranger: unable to get local issuer certificate"
wait_until 5 grep -q "$pat" "$st/vpnd.log" || die "no clear log line matching '$pat'"
hub ip -o link show | grep -q " va[0-9]" && die "an interface exists after a failed phase 1"
swan_stop
pass "$name; hub log: $(grep -o "main mode from fd00:1::2 refused.*" "$st/vpnd.log" | tail -1)"

name=shutdown
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error" "$st/vpnd.log" && die "sanitizer report in the hub's log"
exit 0
