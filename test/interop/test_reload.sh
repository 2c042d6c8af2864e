#!/bin/bash
# Configuration reload (vpnctl reload and SIGHUP) with two live vpnc sessions: a file with an
# error is refused with its FILE:LINE and nothing changes; a file without group "solo" ends
# that group's session (reason reload, the client gets DELETE) and keeps the other one on
# the same interface and address; a changed template access list applies to the live
# interface at once; a pool range change keeps the live lease.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
VPNCTL=${VPNCTL:-./vpnctl/vpnctl}
for tool in vpnc ip python3 ping; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done

T=$(mktemp -d /tmp/vpnd-reload.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 1
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"
st=$T/hub
conf=$T/vpnd.conf
die() { grep -vE "debug|warning: '" "$st/vpnd.log" | tail -20 >&2; fail "$*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }

cp "$SRCDIR/test/data/hub-fault.conf" "$conf"
inh ip addr add 10.2.1.11/24 dev inhost || die "second inside address"
vpnd_start "$conf" "$st"
vpnc_start "$T/a" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret natt=none port=0 || die "vpnc a"
PIDS+=("$VPNC_PID")
vpnc_start "$T/b" group=solo secret=S0loGroupKey user=alice password=Up55aaSecret natt=none port=0 || die "vpnc b"
PIDS+=("$VPNC_PID")
. "$T/a/up"; addr_a=$address; tun_a=$tundev
va_a=$(ctl sql "SELECT ifname FROM sessions WHERE ended IS NULL AND grp='group1'" | tail -1)
sid_b=$(ctl sql "SELECT session_id FROM sessions WHERE ended IS NULL AND grp='solo'" | tail -1)
[ -n "$va_a" ] && [ -n "$sid_b" ] || die "sessions not up"
cl ping -c 1 -w 5 -I "$tun_a" 10.2.1.10 >/dev/null || die "no ping from a"
cl ping -c 1 -w 2 -I "$tun_a" 10.2.1.11 >/dev/null 2>&1 && die "10.2.1.11 reachable before the ACL change"

# 1. a broken file: refused with FILE:LINE, both sessions stay
cp "$conf" "$T/good.conf"
# (before the closing "end": the parser stops there, as IOS does)
sed -i 's/^end$/crypto isakmp policy 20\n encr aes 999\nend/' "$conf"
out=$(ctl reload 2>&1); rc=$?
[ $rc != 0 ] || die "a broken file was accepted: $out"
echo "$out" | grep -qE "$conf:[0-9]+: " || die "no FILE:LINE in the refusal: $out"
[ "$(ctl sql "SELECT count(*) FROM sessions WHERE ended IS NULL" | tail -1)" = 2 ] || die "sessions lost on a refused reload"
pass "a broken file is refused and changes nothing: $out"

# 2. group solo removed, the ACL opened up, pool group1pool moved but still holding a's address
python3 - "$T/good.conf" "$conf" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace("crypto isakmp client configuration group solo\n key S0loGroupKey\n pool solopool\n max-logins 1\n", "")
s = s.replace(" match identity group solo\n", "")
s = s.replace(" deny ip any host 10.2.1.11\n", "")
s = s.replace("ip local pool group1pool 192.168.1.10 192.168.1.209", "ip local pool group1pool 192.168.1.5 192.168.1.100")
open(sys.argv[2], "w").write(s)
PY
out=$(ctl reload 2>&1) || die "reload refused: $out"
wait_until 10 sh -c "[ \"\$($VPNCTL -S $st sql \"SELECT end_reason FROM sessions WHERE session_id=$sid_b\" | tail -1)\" = 'reload: group removed' ]" ||
	die "solo's session not ended with reason 'reload: group removed'"
wait_until 10 sh -c "[ ! -f $T/b/up ]" || die "vpnc b did not get the DELETE"
ctl sql "SELECT ended IS NULL FROM sessions WHERE grp='group1'" | tail -1 | grep -qx 1 || die "group1's session ended"
hub ip link show "$va_a" >/dev/null 2>&1 || die "$va_a is gone"
cl ping -c 1 -w 5 -I "$tun_a" 10.2.1.10 >/dev/null || die "a lost its tunnel on reload"
cl ping -c 1 -w 5 -I "$tun_a" 10.2.1.11 >/dev/null || die "the new access list did not reach $va_a"
grep -q "address pools reloaded: [1-9]" "$st/vpnd.log" || die "the live lease was not kept"
pass "reload: solo's session ended (reason 'reload: group removed', vpnc got DELETE); alice kept $va_a and $addr_a; the opened ACL applies at once; the lease stays"

# 3. SIGHUP with the original file: the ACL closes again
cp "$T/good.conf" "$conf"
kill -HUP "$VPND_PID"
wait_until 10 sh -c "[ \$(grep -c 'configuration reloaded from' $st/vpnd.log) -ge 2 ]" || die "SIGHUP did not reload"
sleep 0.5
cl ping -c 2 -i 0.2 -w 3 -I "$tun_a" 10.2.1.11 >/dev/null 2>&1 && die "SIGHUP: the access list did not close again"
cl ping -c 1 -w 5 -I "$tun_a" 10.2.1.10 >/dev/null || die "SIGHUP broke the tunnel"
pass "SIGHUP reloads too: the deny line is back on $va_a"
ctl reload now 2>&1 | grep -q "takes no arguments" || die "reload with an argument"
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "errors in the log"; }
echo "reload scenarios passed"
