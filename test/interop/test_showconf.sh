#!/bin/bash
# vpnd's configuration show commands against live sessions of a vpnc and a strongSwan client:
# show running-config interface Virtual-AccessN (the cloned interface's effective config,
# per session), show crypto isakmp policy / profile, show crypto ipsec transform-set /
# profile, each as text laid out like IOS and as JSON; a bad interface is a one-line error.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
for tool in vpnc swanctl ip python3; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
[ -x "$SWAN_CHARON" ] || fail "no charon at $SWAN_CHARON: install strongswan-charon (scripts/deps.sh)"

T=$(mktemp -d /tmp/vpnd-test.XXXXXX)
cleanup() {
	vpnc_stop
	swan_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"
st=$T/hub
die() { fail "$*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }

vpnd_start "$SRCDIR/test/data/hub-fault.conf" "$st"
swan_start "$T/swan" secret=S0loGroupKey group=solo user=alice password=Up55aaSecret \
	ike=aes256-sha1-modp1024 esp=aes256-sha1 || die "charon did not start"
swan_up 20 || die "charon did not connect"
vpnc_start "$T/vc" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret natt=none port=0 ||
	die "vpnc did not connect"
vip=$(swan_vip)
va_v=$(ctl sql "SELECT unit FROM sessions WHERE ended IS NULL AND grp='group1'" | tail -1)
va_s=$(ctl sql "SELECT unit FROM sessions WHERE ended IS NULL AND grp='solo'" | tail -1)
[ -n "$va_v" ] && [ -n "$va_s" ] && [ "$va_v" != "$va_s" ] || die "units '$va_v' '$va_s'"

for u in "$va_v" "$va_s"; do
	out=$(ctl show running-config interface "Virtual-Access$u") || die "show running-config interface Virtual-Access$u failed"
	for want in "^interface Virtual-Access$u\$" "^ ip unnumbered eth1\$" "^ ip access-group vpnin in\$" \
	            "^ ip tcp adjust-mss 1300\$" "^ tunnel mode ipsec ipv4\$" "^ tunnel destination 172.18.143.2\$" \
	            "^ tunnel protection ipsec profile vti-aes\$" "^end\$"; do
		echo "$out" | grep -q "$want" || { echo "$out" >&2; die "Virtual-Access$u: no line '$want'"; }
	done
	echo "$out" | grep -qiE "key|password|secret" && die "running-config shows a secret: $out"
done
json=$(ctl --json show running-config interface "Virtual-Access$va_s") || die "--json failed"
echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["name"] == "Virtual-Access'"$va_s"'" and d["group"] == "solo" and d["username"] == "alice", d
assert d["access_group_in"] == "vpnin" and d["tcp_adjust_mss"] == 1300, d
assert d["tunnel_destination"] == "172.18.143.2", d
' || die "JSON of Virtual-Access$va_s: $json"
pass "show running-config interface Virtual-Access$va_v (vpnc) and Virtual-Access$va_s (charon, group solo): template lines, per-session destination, JSON"

out=$(ctl show crypto isakmp policy) || die "show crypto isakmp policy failed"
for want in "^Protection suite of priority 10" "AES - Advanced Encryption Standard (256 bit keys)" \
            "Pre-Shared Key" "#2 (1024 bit)" "86400 seconds"; do
	echo "$out" | grep -q -- "$want" || { echo "$out" >&2; die "isakmp policy: no '$want'"; }
done
ctl --json show crypto isakmp policy | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d[0] if isinstance(d, list) else d["policies"][0]
assert p["priority"] == 10, p
' || die "isakmp policy JSON"
out=$(ctl show crypto isakmp profile) || die "show crypto isakmp profile failed"
for want in "^ISAKMP PROFILE vpn1-ra" "group group1" "group solo" "virtual-template: 1"; do
	echo "$out" | grep -q -- "$want" || { echo "$out" >&2; die "isakmp profile: no '$want'"; }
done
out=$(ctl show crypto ipsec transform-set) || die "show crypto ipsec transform-set failed"
echo "$out" | grep -q "Transform set AES256: { esp-256-aes esp-sha-hmac  }" || { echo "$out" >&2; die "transform-set AES256"; }
out=$(ctl show crypto ipsec profile) || die "show crypto ipsec profile failed"
echo "$out" | grep -q "IPSEC profile vti-aes" && echo "$out" | grep -q "4608000 kilobytes/3600 seconds" ||
	{ echo "$out" >&2; die "ipsec profile"; }
for c in "crypto isakmp profile" "crypto ipsec transform-set" "crypto ipsec profile"; do
	ctl --json show $c | python3 -c 'import json, sys; json.load(sys.stdin)' || die "show $c --json is not JSON"
done
pass "show crypto isakmp policy/profile, ipsec transform-set/profile: IOS layout and JSON"

err=$(ctl show running-config interface Virtual-Access99 2>&1); rc=$?
[ $rc != 0 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q "Virtual-Access99 does not exist" ||
	die "bad interface: rc $rc, '$err'"
pass "an interface without a session: one-line error ($err)"

vpnc_stop
swan_stop
vpnd_stop "$st"
echo "config show scenarios passed"
