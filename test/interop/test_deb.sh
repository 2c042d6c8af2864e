#!/bin/bash
# The Debian package, for real: built with dpkg-buildpackage -us -uc -b from a clean copy of
# the sources (unit tests only, make -j2), lintian without an error or warning, installed with
# dpkg -i (binaries, unit, manuals, example configuration, system users, chroot), the
# installed /usr/sbin/vpnd serving a real vpnc in the namespaces on the installed
# configuration, then dpkg --purge leaving none of the package's files. Prints how long the
# build took. The machine is left as found, on failure too.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (dpkg -i, namespaces); CI runs as root"
for tool in dpkg-buildpackage dh lintian vpnc ip man systemd-sysusers python3 ping; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (scripts/deps.sh does)"
done
USERS="_vpnd_ike _vpnd_key _vpnd_tun _vpnd_ctl"
dpkg-query -W -f='${Status}' vpnd 2>/dev/null | grep -q "installed" &&
	fail "a vpnd package is already installed: this test installs and purges its own"
for d in /etc/vpnd /var/lib/vpnd; do
	[ -e "$d" ] && fail "$d exists: the purge would not leave it as found"
done
# a make check around us must not hand its jobserver to the package build
unset MAKEFLAGS MFLAGS MAKELEVEL

T=$(mktemp -d /tmp/vpnd-deb.XXXXXX)
had_users=""
for u in $USERS; do getent passwd "$u" >/dev/null && had_users="$had_users $u"; done
had_chroot=0
[ -d /var/empty/vpnd ] && had_chroot=1
installed=0
cleanup() {
	vpnc_stop
	[ -n "${VPND_PID:-}" ] && kill -KILL "$VPND_PID" 2>/dev/null
	[ "$installed" = 1 ] && dpkg_retry --purge vpnd >/dev/null 2>&1
	# the package's users and chroot when they were not here before; back when they were
	for u in $USERS; do
		case " $had_users " in *" $u "*) ;; *) getent passwd "$u" >/dev/null && userdel "$u" ;; esac
	done
	[ "$had_chroot" = 1 ] && mkdir -p -m 0755 /var/empty/vpnd
	ns_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# dpkg_retry ARGS...: dpkg, waiting up to 2 minutes for another apt or dpkg to let go of its lock
dpkg_retry() {
	local i
	for i in $(seq 60); do
		dpkg "$@" >"$T/dpkg.out" 2>&1 && { cat "$T/dpkg.out"; return 0; }
		grep -q "lock" "$T/dpkg.out" || { cat "$T/dpkg.out"; return 1; }
		sleep 2
	done
	cat "$T/dpkg.out"
	return 1
}

# --- build from a clean copy: a build directory in the tree (build/, build-asan/) or a
# configured tree must not leak into the package
mkdir -p "$T/src"
if git -C "$SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$SRCDIR" && git ls-files -z | tar --null -T - -cf -) | tar -C "$T/src" -xf - ||
		fail "copying the tracked files"
else
	# a release tarball (make distcheck's copy): everything but build products
	(cd "$SRCDIR" && tar --exclude='./build*' --exclude='./_build' --exclude='./_inst' \
		--exclude=autom4te.cache --exclude=config.status --exclude=config.log -cf - .) |
		tar -C "$T/src" -xf - || fail "copying the sources"
fi
t0=$(date +%s)
(cd "$T/src" && DEB_BUILD_OPTIONS=parallel=2 timeout 1200 dpkg-buildpackage -us -uc -b) \
	>"$T/build.log" 2>&1 || { tail -60 "$T/build.log" >&2; fail "dpkg-buildpackage"; }
echo "dpkg-buildpackage -us -uc -b (with the unit tests): $(( $(date +%s) - t0 )) s"
grep -q "^# FAIL: *0" "$T/build.log" || fail "the package build ran no unit tests (dh_auto_test)"
grep -q "test_vpnc.sh" "$T/build.log" && fail "the package build ran the interop tests"
pass "package built, $(grep '^# PASS:' "$T/build.log" | awk '{print $3}') unit tests passed in dh_auto_test"
deb=$(ls "$T"/vpnd_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb made"

lintian --tag-display-limit 0 "$T"/vpnd_*.changes >"$T/lintian.log" 2>&1
grep -v "running with root privileges" "$T/lintian.log"
grep -qE "^[EW]: " "$T/lintian.log" && fail "lintian reports errors or warnings"
pass "lintian: no error or warning"

# The users come from sysusers.d: shown in an empty root (on this machine they may exist)
mkdir -p "$T/root/etc" && touch "$T/root/etc/passwd" "$T/root/etc/group"
dpkg-deb -x "$deb" "$T/deb"
systemd-sysusers --root="$T/root" "$T/deb/usr/lib/sysusers.d/vpnd.conf" ||
	fail "systemd-sysusers refused the package's sysusers.d file"
for u in $USERS; do
	grep -q "^$u:x:[1-9][0-9]*:[1-9][0-9]*:.*:/nonexistent:/usr/sbin/nologin$" "$T/root/etc/passwd" ||
		fail "sysusers.d makes no system user $u: $(cat "$T/root/etc/passwd")"
done
pass "sysusers.d creates $USERS"

# --- install, under the namespace lock: the package's chroot is the one every vpnd uses
ns_setup || fail "namespace setup"
installed=1
dpkg_retry -i "$deb" >"$T/install.log" || { cat "$T/install.log" >&2; fail "dpkg -i"; }
pass "dpkg -i $(basename "$deb")"
dpkg -L vpnd >"$T/files"
for f in /usr/sbin/vpnd /usr/bin/vpnctl /lib/systemd/system/vpnd.service /etc/vpnd/vpnd.conf \
	/usr/share/doc/vpnd/examples/vpnd.conf /usr/lib/sysusers.d/vpnd.conf; do
	[ -f "$f" ] || fail "$f is not installed"
done
[ -x /usr/sbin/vpnd ] && [ -x /usr/bin/vpnctl ] || fail "binaries not executable"
[ "$(stat -c %a /etc/vpnd/vpnd.conf)" = 600 ] || fail "/etc/vpnd/vpnd.conf is not mode 600"
dpkg-query -W -f='${Conffiles}\n' vpnd | grep -q "/etc/vpnd/vpnd.conf" || fail "vpnd.conf is no conffile"
grep -q "ExecStart=/usr/sbin/vpnd -f /etc/vpnd/vpnd.conf -S /var/lib/vpnd" /lib/systemd/system/vpnd.service ||
	fail "the unit does not run /usr/sbin/vpnd on /etc/vpnd/vpnd.conf"
for page in "8 vpnd" "8 vpnctl" "5 vpnd.conf"; do
	# shellcheck disable=SC2086
	m=$(man -w $page 2>/dev/null) || fail "man -w $page finds nothing"
	case "$m" in /usr/share/man/*) ;; *) fail "man $page is $m, not the package's" ;; esac
done
for u in $USERS; do getent passwd "$u" >/dev/null || fail "user $u missing after install"; done
[ -d /var/empty/vpnd ] && [ "$(stat -c %U:%a /var/empty/vpnd)" = root:755 ] || fail "no /var/empty/vpnd (root, 755)"
/usr/sbin/vpnd -n -f /etc/vpnd/vpnd.conf >"$T/check.log" 2>&1 || { cat "$T/check.log"; fail "the installed configuration does not load"; }
pass "installed: binaries, unit, manuals, conffile /etc/vpnd/vpnd.conf, users, chroot"

# --- the installed daemon on the installed configuration, a real vpnc through it
VPND=/usr/sbin/vpnd
vpnd_start /etc/vpnd/vpnd.conf "$T/state"
vpnc_start "$T/vpnc" || { tail -30 "$T/state/vpnd.log" >&2; fail "vpnc did not connect to the installed vpnd"; }
. "$T/vpnc/up"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || fail "no ping through the installed vpnd"
pass "vpnc connected ($address) and pinged through /usr/sbin/vpnd"
/usr/bin/vpnctl -S "$T/state" show crypto session >"$T/sess" || fail "vpnctl show crypto session"
grep -q "cisco" "$T/sess" || { cat "$T/sess"; fail "vpnctl shows no session of user cisco"; }
pass "/usr/bin/vpnctl shows the session"
vpnc_stop
vpnd_stop "$T/state"

# --- purge: every file of the package goes; the system users stay (Debian policy keeps them)
dpkg_retry --purge vpnd >"$T/purge.log" || { cat "$T/purge.log" >&2; fail "dpkg --purge"; }
installed=0
dpkg-query -W -f='${Status}' vpnd 2>/dev/null | grep -q "installed" && fail "vpnd still installed"
left=""
while IFS= read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done <"$T/files"
[ -z "$left" ] || fail "left after purge:$left"
[ -e /etc/vpnd ] && fail "/etc/vpnd left after purge"
[ -e /var/empty/vpnd ] && fail "/var/empty/vpnd left after purge"
for u in $USERS; do getent passwd "$u" >/dev/null || fail "user $u was removed: Debian keeps system users"; done
pass "purged: no file left, users kept"
