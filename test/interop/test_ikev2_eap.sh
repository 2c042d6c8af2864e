#!/bin/bash
# Interop with strongSwan's charon (kernel-libipsec) as an IKEv2 EAP client of vpnd, with a
# real FreeRADIUS (its eap module) as the EAP server (issue 12 (c), (d); hub-ikev2-eap.conf). The
# hub authenticates with its RSA certificate, asks the client's EAP identity (query-identity)
# and relays every EAP message between charon and FreeRADIUS through keymgr. Checked:
#  - EAP-MSCHAPv2 (alice): the Access-Accept's MS-MPPE keys are the MSK, both final AUTHs are
#    keyed with it; its Framed-IP-Address is her virtual IP (aaa authorization user eap
#    cached), ping through the vaN, the session's user is the EAP identity, show crypto
#    ikev2 sa says Auth verify: EAP; bob's address comes from the policy's pool;
#  - EAP-MD5 (bob): no MSK, so both final AUTHs are keyed with SK_pi/SK_pr (RFC 7296 2.16);
#  - EAP-TLS (carol, her certificate checked by FreeRADIUS, FreeRADIUS's by charon): the TLS
#    records in EAP fragments within the Framed-MTU the hub sends, the MSK from the TLS keys;
#  - issue 12's checks for every kind of client (test/lib/v2check.sh): alice gets her address
#    and the DNS server from the CP, pings and runs iperf3 both ways, rekeys her CHILD_SA
#    (with PFS) and IKE SA under iperf3 keeping her session, answers the hub's liveness check
#    (USERS: dpd 10 2 periodic); bob and carol get address and DNS, ping, and rekey both,
#    pinging through the new SAs (the MSK, or its absence, keys the AUTHs only: the rekeys
#    under load go as alice's);
#  - a wrong password: FreeRADIUS rejects, the hub sends EAP-Failure, charon gives up, no
#    session, the hub's log says why;
#  - every Access-Request carried a Message-Authenticator (FreeRADIUS is set to require it);
#  - no vaN or sanitizer report is left behind.
# Needs root; fails (never skips) when strongSwan, FreeRADIUS or openssl is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/pki.sh"
. "${srcdir:-.}/test/lib/radius.sh"
. "${srcdir:-.}/test/lib/v2check.sh"

interop_begin swanctl ip ping unshare openssl python3 freeradius iperf3
swan_require resolve

name=setup
P=$T/pki
pki_init "$P" || fail "cannot make the test CA"
pki_cert hub "/C=US/O=vpnd test/CN=hub" rsa 30 "DNS:hub.example.com" || fail "hub certificate"
pki_cert radius "/C=US/O=vpnd test/CN=radius" rsa 30 "DNS:radius.example.com" || fail "FreeRADIUS's certificate"
pki_cert carol "/C=US/O=vpnd test/CN=carol" rsa 30 "email:carol@example.com" || fail "carol's certificate"
cp "$SRCDIR/test/data/hub-ikev2-eap.conf" "$P/hub.conf"
"$VPND" -n -f "$P/hub.conf" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses hub-ikev2-eap.conf"; }
[ -s "$T/check.log" ] && { cat "$T/check.log" >&2; fail "vpnd -n warns about hub-ikev2-eap.conf"; }
cat >"$T/users" <<'USERS'
alice	Cleartext-Password := "Al1ceEapPw"
	Framed-IP-Address = 192.168.70.99
bob	Cleartext-Password := "B0bEapPw"
USERS

ns_setup || fail "namespace setup"
cleanup_more() { radius_stop "$T/radius"; }
RADIUS_EAP=1 RADIUS_EAP_TLS=$P radius_start "$T/radius" 18130 Eap5radiusSecret "$T/users"
st=$T/hub
dump() {
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC|CFG)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -25 >&2; }
	echo "--- radiusd" >&2; grep -E "Auth:|ERROR|WARNING" "$T/radius/radiusd.out" | tail -10 >&2
}
die() { dump; fail "$name: $*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
va_list() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1; }
no_va() { ! va_list | grep -q .; }

# client NAME METHOD IKE_ID EAP_ID PASSWORD [SETTING...]: a fresh charon doing EAP METHOD,
# trusting our CA; EAP-TLS (PASSWORD "-"): with the certificate NAME.pem, FreeRADIUS's checked
# by the CA
client() {
	local n=$1 method=$2 id=$3 eap_id=$4 pw=$5
	shift 5
	[ "$pw" = - ] && pw=cert:$n
	swan_stop
	swan_v2_eap_start "$T/swan-$n" "$P" "$method" "$id" "$eap_id" "$pw" "$@" ||
		die "charon did not start"
}

# carries USER [VIP]: a virtual IP from eappool (or VIP), ping through the vaN, the session's
# user; DELETE
carries() {
	local vip va
	vip=$(swan_vip)
	if [ -n "${2:-}" ]; then
		[ "$vip" = "$2" ] || die "virtual IP '$vip', not $2"
	else
		case "$vip" in 192.168.70.1[0-9]|192.168.70.20) ;; *) die "virtual IP '$vip' not from eappool";; esac
	fi
	cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the tunnel"
	va=$(va_list | head -1)
	[ -n "$va" ] || die "no vaN interface on the hub"
	[ "$(ctl --json show crypto session | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["username"])')" = "$1" ] ||
		{ ctl show crypto session detail; die "the session's user is not the EAP identity $1"; }
	ctl show crypto ikev2 sa | grep -q "Auth sign: RSA, Auth verify: EAP" ||
		{ ctl show crypto ikev2 sa; die "show crypto ikev2 sa does not say RSA/EAP"; }
	swan_down 10 || die "swanctl --terminate failed"
	wait_until 10 no_va || die "$va still there after charon's DELETE"
	CARRIED="$vip on $va"
}

vpnd_start "$P/hub.conf" "$st"

name="alice (EAP-MSCHAPv2)"
client alice eap-mschapv2 alice@example.com alice Al1ceEapPw resolve=yes esp=aes256-sha256-modp2048
swan_up 15 || die "charon did not connect"
grep -q "authentication of 'hub.example.com' with RSA" "$SWAN_DIR/charon.log" ||
	die "charon did not verify the hub's certificate signature"
grep -q "EAP method EAP_MSCHAPV2 succeeded, MSK established" "$SWAN_DIR/charon.log" ||
	die "charon's EAP-MSCHAPv2 did not succeed with an MSK"
grep -q "SA [0-9]*: EAP for 'alice' accepted by RADIUS server EAPSRV\$" "$st/vpnd.log" ||
	die "the hub did not log alice accepted with an MSK: $(grep 'EAP for' "$st/vpnd.log" | tail -2)"
grep -q "authenticated by EAP as 'alice' (profile 'USERS')" "$st/vpnd.log" ||
	die "keymgr did not judge alice by the MSK-keyed AUTH"
# --- issue 12's checks for every kind of client (test/lib/v2check.sh) ---
V2_PFS=1 v2_check full "$name" "$st" "192\.168\.70\.99" 10.2.1.53
# ---
carries alice 192.168.70.99
pass "$name: MSK from MS-MPPE keys, both AUTHs keyed with it, $CARRIED (Framed-IP-Address of the EAP Access-Accept: user eap cached)"

name="bob (EAP-MD5, no MSK)"
client bob eap-md5 bob@example.com bob B0bEapPw resolve=yes
swan_up 15 || die "charon did not connect"
grep -q "EAP method EAP_MD5 succeeded, no MSK established" "$SWAN_DIR/charon.log" ||
	die "charon's EAP-MD5 did not succeed"
grep -q "authenticated by EAP as 'bob' (profile 'USERS', no MSK: AUTH keyed with SK_p)" "$st/vpnd.log" ||
	die "keymgr did not judge bob without an MSK"
# --- issue 12's checks for every kind of client (test/lib/v2check.sh) ---
V2_LOAD_S=0 v2_check rekey "$name" "$st" "192\.168\.70\.(1[0-9]|20)" 10.2.1.53
# ---
carries bob
pass "$name: AUTHs keyed with SK_pi/SK_pr, $CARRIED"

name="carol (EAP-TLS)"
# the EAP identity is one her certificate carries (charon picks the certificate by it)
client carol eap-tls carol@example.com carol@example.com - resolve=yes
swan_up 20 || die "charon did not connect"
grep -q "EAP method EAP_TLS succeeded, MSK established" "$SWAN_DIR/charon.log" ||
	die "charon's EAP-TLS did not succeed with an MSK"
grep -q "SA [0-9]*: EAP for 'carol@example.com' accepted by RADIUS server EAPSRV\$" "$st/vpnd.log" ||
	die "the hub did not log carol accepted with an MSK"
# --- issue 12's checks for every kind of client (test/lib/v2check.sh) ---
V2_LOAD_S=0 v2_check rekey "$name" "$st" "192\.168\.70\.(1[0-9]|20)" 10.2.1.53
# ---
carries carol@example.com
pass "$name: TLS through the relay (fragments within Framed-MTU), MSK, $CARRIED"

name="wrong password"
client wrong eap-mschapv2 alice@example.com alice NotThePassword
swan_up 15 && die "a wrong EAP password connected"
grep -q "EAP for 'alice' failed: rejected by RADIUS server EAPSRV" "$st/vpnd.log" ||
	die "the hub's log does not say RADIUS rejected alice"
grep -q "received EAP_FAILURE\|EAP method .* failed\|received AUTHENTICATION_FAILED" "$SWAN_DIR/charon.log" ||
	die "charon did not see the EAP failure"
wait_until 10 no_va || die "a vaN is left after the refusal"
[ "$(ctl --json show crypto session | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
	die "show crypto session lists a session"
pass "$name: FreeRADIUS rejects, EAP-Failure to charon, nothing left"

name=radius
# FreeRADIUS requires it of this client (radius.sh), so the logins above had it; here it is
# in the requests that carried EAP
grep -B3 -A12 "EAP-Message = " "$T/radius/radiusd.out" | grep -q "Message-Authenticator = " ||
	die "no Message-Authenticator beside EAP-Message in FreeRADIUS's log"
pass "$name: the Access-Requests with EAP-Message carried a Message-Authenticator"

name=end
swan_stop
vpnd_stop "$st"
va_list | grep -q . && die "interfaces left after SIGTERM"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "all IKEv2 EAP scenarios passed"
