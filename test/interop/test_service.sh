#!/bin/bash
# vpnd as a systemd service, tested without systemd as PID 1 (this machine has none): the unit
# made from etc/vpnd.service.in passes systemd-analyze verify, and vpnd tells a listener on
# NOTIFY_SOCKET what sd_notify(3) tells systemd: READY=1 once every process is up,
# RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 at SIGTERM, in that order.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN); CI runs as root"
for tool in systemd-analyze python3 ip; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
T=$(mktemp -d /tmp/vpnd-test.XXXXXX)
cleanup() {
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# the unit as make install writes it, pointing at this build
vpnd_abs=$(cd "$(dirname "$VPND")" && pwd)/$(basename "$VPND")
mkdir -p "$T/sbin"
ln -s "$vpnd_abs" "$T/sbin/vpnd"
cp "$SRCDIR/etc/vpnd.conf" "$T/vpnd.conf"
sed -e "s|@sbindir@|$T/sbin|g" -e "s|@sysconfdir@|$T|g" -e "s|@docdir@|$(cd "$SRCDIR" && pwd)|g" \
	"$SRCDIR/etc/vpnd.service.in" >"$T/vpnd.service"
systemd-analyze verify --man=no "$T/vpnd.service" >"$T/verify.log" 2>&1 ||
	{ cat "$T/verify.log" >&2; fail "systemd-analyze verify refused the unit"; }
# it reports problems it can live with on stderr and still exits 0: none may name our unit
grep -i "vpnd.service" "$T/verify.log" && fail "systemd-analyze verify complains about vpnd.service"
pass "systemd-analyze verify accepts vpnd.service"

# (first: ns_setup may wait for another test's namespaces longer than the listener lives)
ns_setup || fail "namespace setup"

# a NOTIFY_SOCKET listener: every datagram, one per line ('|' for newlines)
python3 - "$T/notify" "$T/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.time() + 120
with open(sys.argv[2], "a", buffering=1) as out:
    while time.time() < end:
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        out.write(d.decode(errors="replace").replace("\n", "|") + "\n")
PY
LISTENER=$!
wait_until 5 test -S "$T/notify" || fail "the listener did not start"
: >"$T/notify.log"

NOTIFY_SOCKET=$T/notify vpnd_start "$T/vpnd.conf" "$T/st"
wait_until 5 grep -q "^READY=1" "$T/notify.log" || { cat "$T/notify.log" >&2; fail "no READY=1"; }
pass "READY=1 once vpnd is ready"
kill -HUP "$VPND_PID"
wait_until 5 sh -c "[ \$(grep -c '^READY=1' '$T/notify.log') -ge 2 ]" ||
	{ cat "$T/notify.log" >&2; fail "no READY=1 after the reload"; }
grep -n "" "$T/notify.log" | grep -q "^2:RELOADING=1" ||
	{ cat "$T/notify.log" >&2; fail "RELOADING=1 did not come between the two READY=1"; }
grep -q "configuration reloaded" "$T/st/vpnd.log" || fail "SIGHUP did not reload"
pass "RELOADING=1 then READY=1 around SIGHUP"
vpnd_stop "$T/st"
wait_until 5 grep -q "^STOPPING=1" "$T/notify.log" || { cat "$T/notify.log" >&2; fail "no STOPPING=1"; }
[ "$(tail -1 "$T/notify.log" | cut -d'|' -f1)" = STOPPING=1 ] || fail "something after STOPPING=1"
pass "STOPPING=1 at SIGTERM; the listener saw: $(cut -d'|' -f1 "$T/notify.log" | tr '\n' ' ')"
