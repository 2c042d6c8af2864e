#!/bin/bash
# IKE_SA_INIT floods and cookies (RFC 7296 2.6; issue 12): with `crypto ikev2 cookie-challenge
# 10`, a flood of IKE_SA_INIT requests from 20 addresses (test/lib/ikev2flood.py: a fresh SPI
# each, a proposal the hub takes, never an IKE_AUTH, never a COOKIE sent back, as a spoofed
# source could not) makes the hub answer with a COOKIE notify instead of an SA once 10 SAs are
# half open; strongSwan's charon, connecting in the middle of the flood, gets a COOKIE, sends
# its IKE_SA_INIT again with it and is served (address, ping). Needs root; fails (never skips)
# when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl ip python3 ping unshare
swan_require
st=$T/hub
mkdir -p "$st"
sed 's/^end$/crypto ikev2 cookie-challenge 10\nend/' "$SRCDIR/test/data/hub-ikev2-psk.conf" >"$st/hub.conf"
grep -q "^crypto ikev2 cookie-challenge 10$" "$st/hub.conf" || fail "cannot write the configuration"
"$VPND" -n -f "$st/hub.conf" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses it"; }

ns_setup || fail "namespace setup"
srcs=""
for i in $(seq 100 119); do
	cl ip addr add 172.18.143.$i/24 dev clout nodad || fail "flood source address"
	srcs="$srcs 172.18.143.$i"
done
dump() {
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -20 >&2; }
}
die() { dump; fail "$*"; }

vpnd_start "$st/hub.conf" "$st"
swan_v2_start "$T/swan" gateway=172.18.143.246 local_id=client.example.com \
	remote_id=hub.example.com sign_key=Cl4v2Key3bSecret verify_key=Hub7v2Key9aSecret ||
	die "charon did not start"

ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikev2flood.py" 172.18.143.246 300 3 $srcs \
	>"$T/flood.txt" 2>&1 &
FLOOD=$!
sleep 1         # the flood is past the threshold by now (about 100 requests sent)
swan_up 20 || die "charon did not connect during the flood"
wait "$FLOOD" || die "the flood failed: $(cat "$T/flood.txt")"
read -r _ sent _ sa _ cookie _ other <"$T/flood.txt"
echo "flood: $sent IKE_SA_INIT sent, $sa SAs, $cookie COOKIEs, $other other answers"
[ "$sa" -le 11 ] || die "the hub made $sa half-open SAs for the flood (cookie-challenge 10)"
[ "$sa" -ge 9 ] || die "only $sa SAs before the cookies began (cookie-challenge 10)"
[ "$cookie" -ge $((sent - sa - 5)) ] && [ "$other" = 0 ] ||
	die "the flood got $cookie COOKIEs and $other other answers for $((sent - sa)) requests past the threshold"
pass "past 10 half-open SAs the flood got COOKIE notifies, no SA ($sa SAs, $cookie COOKIEs of $sent)"

grep -qE "parsed IKE_SA_INIT response 0 \[ N\(COOKIE\) \]" "$SWAN_DIR/charon.log" ||
	die "charon was not asked for a cookie"
grep -qE "generating IKE_SA_INIT request 0 \[ N\(COOKIE\) SA KE No" "$SWAN_DIR/charon.log" ||
	die "charon did not send its request again with the cookie"
vip=$(swan_vip)
case "$vip" in 192.168.50.1[0-9]|192.168.50.20) ;; *) die "virtual IP '$vip' not from flexpool";; esac
cl ping -c 3 -i 0.1 -w 5 10.2.1.10 >/dev/null || die "no ping through the tunnel"
pass "charon, connecting during the flood, was asked for a cookie, came back with it and got $vip; ping"
